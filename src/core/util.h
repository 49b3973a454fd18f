/*
 * util.h — allocation that aborts on OOM (so callers stay readable, as in
 * Redis), time helpers, and a capped growable buffer (as curl's dynbuf).
 */
#ifndef NQI_UTIL_H
#define NQI_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

int64_t now_ms(void);       /* wall clock, Unix epoch milliseconds */
int64_t mono_us(void);      /* monotonic clock, microseconds */

/* ISO 8601 with offset, UTC: "2026-11-24T04:53:19.123Z". buf >= 32 bytes. */
char *time_iso8601(int64_t ms, char *buf, size_t n);

/* Parse ISO 8601 with mandatory offset ("Z" or ±hh:mm) to epoch ms. */
int time_parse_iso8601(const char *s, int64_t *out_ms);

/* A whole decimal integer (optional sign, no spaces, no trailing text):
 * true and *out set, or false (NULL/empty/overflow/garbage). */
bool str_to_i64(const char *s, int64_t *out);

/* Lower-case hex of n bytes into out (2n+1 bytes). */
void hex_encode(const unsigned char *in, size_t n, char *out);
int hex_decode(const char *hex, unsigned char *out, size_t n); /* 0 ok, -1 bad */

/* A growable byte buffer with a hard cap; appends past cap fail (-1). */
typedef struct buf {
    char *data;   /* always NUL-terminated when non-NULL */
    size_t len;
    size_t cap;   /* allocated */
    size_t limit; /* hard cap on len; 0 = unlimited */
} buf;

void buf_init(buf *b, size_t limit);
int buf_append(buf *b, const void *p, size_t n);
int buf_puts(buf *b, const char *s);
int buf_printf(buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
char *buf_steal(buf *b); /* caller owns the returned string; b is reset */
void buf_free(buf *b);

/* Cut s in place to at most max_bytes bytes (not counting the NUL) without
 * splitting a UTF-8 sequence: a partial character at the end (from this cut
 * or an earlier one, e.g. snprintf's) is dropped whole. Returns the new
 * length. */
size_t utf8_truncate(char *s, size_t max_bytes);

/* Read a whole file (limit bytes at most; 0 = no limit). Caller frees. */
int file_read_all(const char *path, size_t limit, char **out, size_t *len);

#endif
