/* err.c — see err.h. */
#include "core/err.h"

#include <stdio.h>
#include <string.h>

void nqi_error_clear(nqi_error *e)
{
    if (e)
        memset(e, 0, sizeof *e);
}

int nqi_error_set(nqi_error *e, int code, const char *fmt, ...)
{
    if (!e)
        return code;
    if (!e->code || !e->message[0]) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(e->message, sizeof e->message, fmt, ap);
        va_end(ap);
    }
    if (!e->code)
        e->code = code;
    return e->code;
}

int nqi_error_field(nqi_error *e, int code, const char *field, const char *fmt, ...)
{
    if (!e)
        return code;
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (!e->code) {
        e->code = code;
        snprintf(e->message, sizeof e->message, "%s: %s", field, msg);
    }
    if (e->nfields < NQI_ERR_MAX_FIELDS) {
        nqi_field_error *f = &e->fields[e->nfields++];
        snprintf(f->field, sizeof f->field, "%s", field);
        snprintf(f->message, sizeof f->message, "%s", msg);
    }
    return e->code;
}

static const struct {
    int code, status;
    const char *title, *slug;
} kinds[] = {
    {NQI_EINVAL, 422, "Invalid input", "invalid-input"},
    {NQI_EBADREQ, 400, "Malformed request", "malformed-request"},
    {NQI_ENOTFOUND, 404, "Not found", "not-found"},
    {NQI_ECONFLICT, 409, "Conflict", "conflict"},
    {NQI_EAUTH, 401, "Authentication required", "unauthenticated"},
    {NQI_EFORBIDDEN, 403, "Forbidden", "forbidden"},
    {NQI_ETOOBIG, 413, "Payload too large", "payload-too-large"},
    {NQI_EMEDIA, 415, "Unsupported media type", "unsupported-media-type"},
    {NQI_ERATE, 429, "Too many requests", "rate-limited"},
    {NQI_EMETHOD, 405, "Method not allowed", "method-not-allowed"},
    {NQI_EDB, 500, "Database error", "database-error"},
    {NQI_EBUSY, 503, "Service busy", "busy"},
    {NQI_EIO, 500, "I/O error", "io-error"},
    {NQI_ESCHEMA, 500, "Schema mismatch", "schema-mismatch"},
    {NQI_EINTERNAL, 500, "Internal error", "internal"},
    {NQI_EHDR, 431, "Request header fields too large", "header-too-large"},
};

static int kind_index(int code)
{
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        if (kinds[i].code == code)
            return (int)i;
    return -1;
}

const char *nqi_error_title(int code)
{
    int i = kind_index(code);
    return i < 0 ? "Internal error" : kinds[i].title;
}

const char *nqi_error_slug(int code)
{
    int i = kind_index(code);
    return i < 0 ? "internal" : kinds[i].slug;
}

int nqi_error_http_status(int code)
{
    int i = kind_index(code);
    return i < 0 ? 500 : kinds[i].status;
}
