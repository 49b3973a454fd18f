/* json.c — see json.h. Request bodies are untrusted: every helper here
 * records a field-level error instead of failing loudly. */
#include "core/json.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"

/*
 * Parse len bytes of data as JSON. jansson validates UTF-8 itself; with
 * JSON_REJECT_DUPLICATES a repeated key is an error, and without
 * JSON_DISABLE_EOF_CHECK anything after the value is too. JSON_DECODE_ANY
 * lets scalars through when the caller does not insist on an object.
 */
int json_parse_body(const char *data, size_t len, bool want_object, json_t **out, nqi_error *err)
{
    *out = NULL;
    if (!data || len == 0)
        return nqi_error_field(err, NQI_EBADREQ, "body", "request body is empty");
    json_error_t je;
    json_t *v = json_loadb(data, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &je);
    if (!v)
        return nqi_error_field(err, NQI_EBADREQ, "body", "line %d column %d: %s", je.line,
                               je.column, je.text);
    if (want_object && !json_is_object(v)) {
        json_decref(v);
        return nqi_error_field(err, NQI_EINVAL, "body", "must be a JSON object");
    }
    *out = v;
    return 0;
}

static bool field_allowed(const char *key, const char *const allowed[])
{
    for (int i = 0; allowed && allowed[i]; i++)
        if (!strcmp(key, allowed[i]))
            return true;
    return false;
}

int json_check_fields(json_t *obj, const char *const allowed[], nqi_error *err)
{
    if (!json_is_object(obj))
        return nqi_error_field(err, NQI_EINVAL, "body", "must be a JSON object");
    int rc = 0;
    const char *key;
    json_t *val;
    json_object_foreach(obj, key, val)
    {
        (void)val;
        if (!field_allowed(key, allowed))
            rc = nqi_error_field(err, NQI_EINVAL, key, "unknown field");
    }
    return rc;
}

/* The value of key, or NULL when absent or JSON null (both mean "not
 * given"); records "is required" when required. */
static json_t *get_present(json_t *obj, const char *key, bool required, nqi_error *err, int *rc)
{
    json_t *v = json_is_object(obj) ? json_object_get(obj, key) : NULL;
    if (v && json_is_null(v))
        v = NULL;
    *rc = 0;
    if (!v && required)
        *rc = nqi_error_field(err, NQI_EINVAL, key, "is required");
    return v;
}

int json_get_str(json_t *obj, const char *key, bool required, size_t maxchars, const char **out,
                 nqi_error *err)
{
    int rc;
    json_t *v = get_present(obj, key, required, err, &rc);
    if (!v)
        return rc;
    if (!json_is_string(v))
        return nqi_error_field(err, NQI_EINVAL, key, "must be a string");
    const char *s = json_string_value(v);
    size_t n = json_string_length(v);
    if (strlen(s) != n)
        return nqi_error_field(err, NQI_EINVAL, key, "must not contain NUL characters");
    if (required && strspn(s, " \t\r\n") == n)
        return nqi_error_field(err, NQI_EINVAL, key, "must not be empty");
    if (maxchars && utf8_count(s) > maxchars)
        return nqi_error_field(err, NQI_EINVAL, key, "must be at most %zu characters", maxchars);
    *out = s;
    return 0;
}

int json_get_int(json_t *obj, const char *key, bool required, int64_t min, int64_t max,
                 int64_t *out, nqi_error *err)
{
    int rc;
    json_t *v = get_present(obj, key, required, err, &rc);
    if (!v)
        return rc;
    if (!json_is_integer(v))
        return nqi_error_field(err, NQI_EINVAL, key, "must be an integer");
    int64_t i = (int64_t)json_integer_value(v);
    if (i < min || i > max)
        return nqi_error_field(err, NQI_EINVAL, key, "must be between %" PRId64 " and %" PRId64,
                               min, max);
    *out = i;
    return 0;
}

int json_get_bool(json_t *obj, const char *key, bool required, bool *out, nqi_error *err)
{
    int rc;
    json_t *v = get_present(obj, key, required, err, &rc);
    if (!v)
        return rc;
    if (!json_is_boolean(v))
        return nqi_error_field(err, NQI_EINVAL, key, "must be true or false");
    *out = json_is_true(v);
    return 0;
}

char *json_dump_compact(const json_t *v)
{
    if (!v)
        return xstrdup("null");
    char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
    if (!s) /* only on OOM or an invalid value built in code */
        return xstrdup("null");
    /* jansson allocated it with malloc (default allocator): caller frees */
    return s;
}

size_t utf8_count(const char *s)
{
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if ((*p & 0xC0) != 0x80)
            n++;
    return n;
}

bool utf8_valid(const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s, *end = p + n;
    while (p < end) {
        unsigned c = *p;
        if (c < 0x80) {
            p++;
            continue;
        }
        int len;
        uint32_t cp;
        if (c >= 0xC2 && c <= 0xDF)
            len = 2, cp = c & 0x1F;
        else if (c >= 0xE0 && c <= 0xEF)
            len = 3, cp = c & 0x0F;
        else if (c >= 0xF0 && c <= 0xF4)
            len = 4, cp = c & 0x07;
        else
            return false;
        if (end - p < len)
            return false;
        for (int i = 1; i < len; i++) {
            if ((p[i] & 0xC0) != 0x80)
                return false;
            cp = (cp << 6) | (p[i] & 0x3F);
        }
        if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) || cp > 0x10FFFF ||
            (cp >= 0xD800 && cp <= 0xDFFF))
            return false;
        p += len;
    }
    return true;
}
