/*
 * gs1_internal.h — shared between gs1.c, gs1_dl.c, gs1_epc.c, gcp_table.c.
 * Not a public header: other modules include trace/gs1.h only.
 */
#ifndef NQI_TRACE_GS1_INTERNAL_H
#define NQI_TRACE_GS1_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "trace/gs1.h"

/* Is c one of the 82 characters of GS1 AI encodable character set 82? */
bool gs1_cset82(unsigned char c);

/* Append a byte / string to a bounded output; the out position is advanced
 * even past n so the caller can tell the final size (ok while *pos < n). */
typedef struct gs1_out {
    char *p;
    size_t n, len;
} gs1_out;
void gs1_out_c(gs1_out *o, char c);
void gs1_out_s(gs1_out *o, const char *s);
/* Finish: NUL-terminate; NQI_ETOOBIG (err on field "id") when it did not fit. */
int gs1_out_end(gs1_out *o, nqi_error *err);

/* Check a numeric key with its trailing check digit: len digits exactly.
 * label is printed ("GTIN"), field is the error field ("gtin"). */
int gs1_check_key(const char *field, const char *label, const char *s, size_t len, size_t want,
                  nqi_error *err);

/* Copy an alphanumeric AI value (already decoded) into dst[cap], checking
 * 1..max characters of set 82. field/label as above. */
int gs1_set_value(char *dst, size_t cap, const char *field, const char *label, const char *s,
                  size_t len, size_t max, nqi_error *err);

/* Validate every field of id for its kind and build id->canonical. */
int gs1_finish(gs1_id *id, nqi_error *err);

/* Form parsers: fill *out (zeroed by the caller) without canonical; the
 * caller runs gs1_finish. */
int gs1_parse_dl(const char *in, size_t len, gs1_id *out, nqi_error *err);
int gs1_parse_urn(const char *in, size_t len, gs1_id *out, nqi_error *err);

/* "01" -> GS1_KIND_GTIN etc. for the primary keys this module handles;
 * GS1_KIND_NONE otherwise. */
gs1_kind gs1_key_kind(const char *ai);
/* A known GS1 key AI this module does not handle ("253" -> "GDTI"), or NULL. */
const char *gs1_unsupported_key(const char *ai);

/* Hex digit value or -1. */
int gs1_hexval(unsigned char c);

#endif
