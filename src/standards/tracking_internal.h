/*
 * tracking_internal.h — helpers shared by the tracking files (tracking.c,
 * tracking_fanout.c, watchlists.c); not part of the module's interface.
 */
#ifndef NQI_TRACKING_INTERNAL_H
#define NQI_TRACKING_INTERNAL_H

/* A copy of s without leading/trailing blanks (xstrndup; caller frees). */
char *tracking_trim_dup(const char *s);

/* The portal path of a standard: /standards/<number, percent-encoded>
 * (caller frees). */
char *tracking_std_link(const char *number);

#endif
