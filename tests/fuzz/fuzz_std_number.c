/*
 * fuzz_std_number.c — libFuzzer target for std_number_parse.
 *
 * Invariants (abort() when violated):
 *  - the result is 0 or NQI_EINVAL, and an error always carries a message
 *    and the field "number";
 *  - on success: canonical, key and prefix are non-empty and NUL-terminated;
 *    key is a prefix of canonical; the span and rest lie inside the input;
 *  - idempotence: parsing canonical (strictly, same leniency) succeeds, gives
 *    the same canonical, key, family, tier, nature, year, and is `exact`.
 * The first input byte picks the flags, so both modes are explored.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "standards/number.h"

static void check_same(const std_number *a, const std_number *b)
{
    if (strcmp(a->canonical, b->canonical) || strcmp(a->key, b->key) ||
        strcmp(a->family, b->family) || a->tier != b->tier || a->nature != b->nature ||
        a->year != b->year || strcmp(a->number, b->number) || strcmp(a->dual, b->dual) ||
        strcmp(a->amendment, b->amendment) || !b->exact)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!size)
        return 0;
    unsigned flags = data[0] & (STD_PARSE_PREFIX | STD_PARSE_LENIENT);
    const char *in = (const char *)data + 1;
    size_t len = size - 1;

    std_number n;
    nqi_error err;
    nqi_error_clear(&err);
    int rc = std_number_parse_ex(in, len, flags, &n, &err);
    if (rc) {
        if (rc != NQI_EINVAL || !err.message[0] || err.nfields != 1 ||
            strcmp(err.fields[0].field, "number") || n.canonical[0] || n.rest > len)
            abort();
        return 0;
    }
    size_t cl = strnlen(n.canonical, sizeof n.canonical);
    size_t kl = strnlen(n.key, sizeof n.key);
    if (!cl || cl == sizeof n.canonical || !kl || kl == sizeof n.key || !n.prefix[0] ||
        !n.number[0] || !n.code_name || strncmp(n.canonical, n.key, kl) ||
        n.span_off + n.span_len > len || n.rest > len || n.tier < STD_TIER_NATIONAL ||
        n.tier > STD_TIER_SAFETY_SPEC)
        abort();
    if (!(flags & STD_PARSE_PREFIX) && n.rest != len)
        abort();

    std_number again;
    nqi_error_clear(&err);
    if (std_number_parse_ex(n.canonical, cl, flags & STD_PARSE_LENIENT, &again, &err))
        abort();
    check_same(&n, &again);
    return 0;
}
