/* fuzz_body.c — libFuzzer target: arbitrary bytes as a request body through
 * json_parse_body, json_check_fields and the typed getters, the path every
 * write handler takes. Depends on core/json.c, core/err.c, core/util.c. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* jansson is not instrumented, so the fuzzer seldom builds a whole object by
 * itself: when the first byte says so, splice the input into a template
 * ({"name":"<bytes>","count":<bytes>,...}) to drive the getters with odd
 * strings and numbers. */
static char *wrap(const uint8_t *data, size_t size, size_t *outlen)
{
    size_t half = size / 2;
    char *out = malloc(size + 64);
    int n = snprintf(out, size + 64, "{\"name\":\"%.*s\",\"count\":%.*s,\"active\":true}",
                     (int)half, (const char *)data, (int)(size - half), (const char *)data + half);
    *outlen = n < 0 ? 0 : strnlen(out, (size_t)n);
    return out;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const allowed[] = {"name", "number", "count", "active", "title", NULL};
    nqi_error err = {0};
    json_t *j = NULL;
    bool want_object = size > 0 && (data[0] & 1);
    char *wrapped = NULL;
    if (size > 1 && (data[0] & 2)) {
        wrapped = wrap(data + 1, size - 1, &size);
        data = (const uint8_t *)wrapped;
    }
    int rc = json_parse_body((const char *)data, size, want_object, &j, &err);
    free(wrapped);
    if (rc) {
        if (!err.code || !err.message[0])
            abort(); /* a failure always says why */
        return 0;
    }
    if (!json_is_object(j)) {
        if (want_object)
            abort();
        json_decref(j);
        return 0;
    }
    json_check_fields(j, allowed, &err);
    const char *s = NULL;
    int64_t i = 0;
    bool b = false;
    for (int k = 0; allowed[k]; k++) {
        if (!json_get_str(j, allowed[k], false, 8, &s, &err) && s) {
            size_t n = strlen(s);
            if (utf8_count(s) > 8 || !utf8_valid(s, n))
                abort(); /* jansson only hands out valid UTF-8 within the limit */
            s = NULL;
        }
        json_get_int(j, allowed[k], false, -5, 1000, &i, &err);
        if (i < -5 || i > 1000)
            abort();
        json_get_bool(j, allowed[k], true, &b, &err);
    }
    char *out = json_dump_compact(j);
    /* what we print we can read back */
    json_t *again = NULL;
    nqi_error err2 = {0};
    if (json_parse_body(out, strlen(out), true, &again, &err2))
        abort();
    json_decref(again);
    free(out);
    json_decref(j);
    return 0;
}
