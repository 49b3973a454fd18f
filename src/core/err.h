/*
 * err.h — error codes and the error record every fallible function fills.
 *
 * Convention (whole project): a function that can fail returns int, 0 on
 * success or a negative NQI_E* code, and fills the caller's nqi_error with a
 * message and, for input errors, the name of each field that was wrong.
 * The HTTP layer maps codes to statuses in one place (nqi_error_http_status).
 * An nqi_error is plain memory owned by the caller; nothing to free.
 */
#ifndef NQI_ERR_H
#define NQI_ERR_H

#include <stdarg.h>

enum {
    NQI_OK = 0,
    NQI_EINVAL = -1,     /* invalid content: 422 */
    NQI_EBADREQ = -2,    /* malformed request (bad JSON, bad UTF-8): 400 */
    NQI_ENOTFOUND = -3,  /* 404 */
    NQI_ECONFLICT = -4,  /* 409 (duplicate, stale state) */
    NQI_EAUTH = -5,      /* not authenticated: 401 */
    NQI_EFORBIDDEN = -6, /* authenticated but not allowed, or bad CSRF: 403 */
    NQI_ETOOBIG = -7,    /* 413 */
    NQI_EMEDIA = -8,     /* 415 */
    NQI_ERATE = -9,      /* 429 */
    NQI_EMETHOD = -10,   /* 405 */
    NQI_EDB = -11,       /* store failure: 500 (503 when busy) */
    NQI_EBUSY = -12,     /* store busy / locked: 503 */
    NQI_EIO = -13,       /* file or network I/O: 500 */
    NQI_ESCHEMA = -14,   /* database schema newer than this binary: 500 */
    NQI_EINTERNAL = -15, /* bug or unexpected state: 500 */
    NQI_EHDR = -16       /* request header fields too large: 431 */
};

#define NQI_ERR_MAX_FIELDS 16

typedef struct nqi_field_error {
    char field[96];   /* JSON pointer-ish name: "username", "items/3/number" */
    char message[256];
} nqi_field_error;

typedef struct nqi_error {
    int code;          /* 0 when no error recorded */
    char message[512]; /* human-readable detail (first error wins) */
    int nfields;
    nqi_field_error fields[NQI_ERR_MAX_FIELDS];
} nqi_error;

void nqi_error_clear(nqi_error *e);

/* Record an error without a field; returns code so callers can
 * `return nqi_error_set(err, NQI_EINVAL, "...")`. e may be NULL. */
int nqi_error_set(nqi_error *e, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Add a field-level error. Sets code and message too if none yet.
 * Extra fields past NQI_ERR_MAX_FIELDS are counted in the message only. */
int nqi_error_field(nqi_error *e, int code, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

const char *nqi_error_title(int code);   /* "Invalid input", ... */
const char *nqi_error_slug(int code);    /* "invalid-input" for problem type URIs */
int nqi_error_http_status(int code);

#endif
