/* fuzz_query.c — libFuzzer target for the URL handling of core/http:
 * percent-decoding, path-pattern matching, query parsing and the static
 * file path check. Input: a raw request target ("/path?query"). Depends on
 * core/http_router.c, core/json.c, core/err.c, core/util.c (no server). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/http.h"
#include "core/json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const patterns[] = {
    "/api/v1/standards/{number}",
    "/api/v1/items/{id}/files/{name}",
    "/api/v1/health",
    "/{a}/{b}/{c}/{d}/{e}/{f}/{g}/{h}/{i}",
    "/",
    "/api/v1/{x}",
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *in = malloc(size + 1);
    memcpy(in, data, size);
    in[size] = 0;

    char *dec = malloc(size + 1);
    int n = http_url_decode(in, size, dec, size & 1);
    if (n >= 0 && ((size_t)n > size || !utf8_valid(dec, (size_t)n) || strlen(dec) != (size_t)n))
        abort(); /* decoded text is shorter, NUL-free and valid UTF-8 */
    free(dec);

    char *q = strchr(in, '?');
    if (q)
        *q = 0;
    for (size_t p = 0; p < sizeof patterns / sizeof patterns[0]; p++) {
        char *vals[HTTP_MAX_PARAMS];
        int nv = -1;
        int m = http_path_match(patterns[p], in, vals, HTTP_MAX_PARAMS, &nv);
        if (m == 1) {
            for (int k = 0; k < nv; k++) {
                if (!utf8_valid(vals[k], strlen(vals[k])))
                    abort();
                free(vals[k]);
            }
        } else if (nv != 0) {
            abort(); /* nothing handed out on no-match/error */
        }
    }
    if (q) {
        http_kv kv[16];
        int c = http_query_parse(q + 1, strlen(q + 1), kv, 16);
        if (c > 16)
            abort();
        if (c > 0)
            http_kv_free(kv, c);
    }
    char rel[512];
    if (http_static_path(in, rel, sizeof rel) == 0) {
        /* whatever passes must not climb out of the root */
        if (rel[0] == '/' || strstr(rel, "..") == rel || strstr(rel, "/../") ||
            strstr(rel, "/./") || strchr(rel, '\\'))
            abort();
        size_t rl = strlen(rel);
        if (rl >= 3 && !strcmp(rel + rl - 3, "/.."))
            abort();
    }
    free(in);
    return 0;
}
