/*
 * fuzz_gs1.c — libFuzzer target for gs1_parse / gs1_canonical and the
 * conversions.
 *
 * Invariants (abort() when violated):
 *  - the result is 0 or NQI_EINVAL; an error carries a message and exactly
 *    one field error, and leaves the gs1_id zeroed;
 *  - on success the canonical form is non-empty, NUL-terminated, and
 *    canonical(canonical(x)) == canonical(x) with the same kind;
 *  - when gs1_to_urn succeeds (GCP from the input or the table, else a
 *    length picked by the first byte), the URN parses to the same
 *    canonical form; so does the full Digital Link (lot and CPV kept) and
 *    the Digital Link on another host with a path stem.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "trace/gs1.h"

static void same_canonical(const char *s, const gs1_id *want)
{
    gs1_id again;
    nqi_error err;
    nqi_error_clear(&err);
    if (gs1_parse(s, strlen(s), &again, &err) || strcmp(again.canonical, want->canonical) ||
        again.kind != want->kind)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!size)
        return 0;
    int gcp = 6 + data[0] % 8; /* 6..13: 13 exercises the range error */
    const char *in = (const char *)data + 1;
    size_t len = size - 1;

    gs1_id id;
    nqi_error err;
    nqi_error_clear(&err);
    int rc = gs1_parse(in, len, &id, &err);
    if (rc) {
        if (rc != NQI_EINVAL || !err.message[0] || err.nfields != 1 || id.kind || id.canonical[0])
            abort();
        return 0;
    }
    size_t cl = strnlen(id.canonical, sizeof id.canonical);
    if (!cl || cl == sizeof id.canonical || id.kind == GS1_KIND_NONE)
        abort();
    same_canonical(id.canonical, &id);

    char out[512];
    nqi_error_clear(&err);
    rc = gs1_to_urn(&id, 0, out, sizeof out, &err);
    if (rc) {
        nqi_error_clear(&err);
        rc = gs1_to_urn(&id, gcp, out, sizeof out, &err);
    }
    if (!rc)
        same_canonical(out, &id);
    else if (rc != NQI_EINVAL || err.nfields != 1)
        abort();

    nqi_error_clear(&err);
    if (!gs1_to_dl(&id, NULL, GS1_DL_FULL, out, sizeof out, &err)) {
        same_canonical(out, &id);
        nqi_error_clear(&err);
        if (gs1_to_dl(&id, "http://nqi.example/t", 0, out, sizeof out, &err))
            abort();
        same_canonical(out, &id);
    } else if (id.kind != GS1_KIND_PATTERN && id.kind != GS1_KIND_CN_DRUG &&
               id.kind != GS1_KIND_CN_SEC) {
        abort();
    }
    return 0;
}
