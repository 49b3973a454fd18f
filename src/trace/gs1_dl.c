/*
 * gs1_dl.c — GS1 Digital Link URIs (uncompressed), both ways. See gs1.h
 * and docs/modules/gs1.md.
 *
 * The path is read from the right in AI/value pairs until a primary key
 * AI (01, 00, 414, 417, 8003, 8004, 8018) is found; whatever precedes it
 * is a custom path stem ("/t" on nqi's own trace pages) and ignored,
 * unless a segment of the stem is itself an AI we know — then the AIs are
 * out of order and we say so. Key qualifiers must follow the key in the
 * order the standard fixes (01: 22, 10, 21; 414: 254). Query string and
 * fragment carry data attributes, not identity: ignored.
 */
#include <string.h>

#include "trace/gs1.h"
#include "trace/gs1_internal.h"

typedef struct key_def {
    const char *ai;
    gs1_kind kind;
    const char *quals[3]; /* in the order the path must give them */
} key_def;

static const key_def keys[] = {
    {"01", GS1_KIND_GTIN, {"22", "10", "21"}},
    {"00", GS1_KIND_SSCC, {NULL}},
    {"414", GS1_KIND_GLN, {"254"}},
    {"417", GS1_KIND_PGLN, {NULL}},
    {"8003", GS1_KIND_GRAI, {NULL}},
    {"8004", GS1_KIND_GIAI, {NULL}},
    {"8018", GS1_KIND_GSRN, {NULL}},
};

gs1_kind gs1_key_kind(const char *ai)
{
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        if (!strcmp(keys[i].ai, ai))
            return keys[i].kind;
    return GS1_KIND_NONE;
}

static const key_def *key_find(const char *ai)
{
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        if (!strcmp(keys[i].ai, ai))
            return &keys[i];
    return NULL;
}

const char *gs1_unsupported_key(const char *ai)
{
    static const char *const k[][2] = {
        {"253", "GDTI"},  {"255", "GCN"},   {"401", "GINC"}, {"402", "GSIN"},
        {"8006", "ITIP"}, {"8010", "CPID"}, {"8013", "GMN"}, {"8017", "GSRN-P"},
    };
    for (size_t i = 0; i < sizeof k / sizeof k[0]; i++)
        if (!strcmp(k[i][0], ai))
            return k[i][1];
    return NULL;
}

static bool is_qualifier(const char *ai)
{
    return !strcmp(ai, "22") || !strcmp(ai, "10") || !strcmp(ai, "21") || !strcmp(ai, "254") ||
           !strcmp(ai, "8019");
}

typedef struct seg {
    const char *p;
    size_t n;
} seg;

static bool seg_digits(seg s, size_t max)
{
    if (!s.n || s.n > max)
        return false;
    for (size_t i = 0; i < s.n; i++)
        if (s.p[i] < '0' || s.p[i] > '9')
            return false;
    return true;
}

/* Percent-decode a path value into dst[cap]; the decoded value must fit
 * (cap - 1 bytes). Returns the length or -1 (error filled). */
static long decode(seg v, char *dst, size_t cap, const char *field, nqi_error *err)
{
    size_t o = 0;
    for (size_t i = 0; i < v.n; i++) {
        unsigned char c = (unsigned char)v.p[i];
        if (c == '%') {
            int h = i + 2 < v.n ? gs1_hexval((unsigned char)v.p[i + 1]) : -1;
            int l = i + 2 < v.n ? gs1_hexval((unsigned char)v.p[i + 2]) : -1;
            if (h < 0 || l < 0) {
                nqi_error_field(err, NQI_EINVAL, field, "bad percent-encoding in '%.*s'",
                                (int)(v.n > 40 ? 40 : v.n), v.p);
                return -1;
            }
            c = (unsigned char)(h * 16 + l);
            i += 2;
        }
        if (o + 1 >= cap) {
            nqi_error_field(err, NQI_EINVAL, field, "%s value is longer than %zu characters", field,
                            cap - 1);
            return -1;
        }
        dst[o++] = (char)c;
    }
    dst[o] = '\0';
    return (long)o;
}

/* Decode and validate one AI value into its place in *out. */
static int put_value(const char *ai, seg v, gs1_id *out, nqi_error *err)
{
    char tmp[64];
    long n;
    if (!strcmp(ai, "01")) {
        if ((n = decode(v, tmp, sizeof tmp, "gtin", err)) < 0)
            return NQI_EINVAL;
        return gs1_gtin14(tmp, (size_t)n, out->key, err);
    }
    if (!strcmp(ai, "10") || !strcmp(ai, "21") || !strcmp(ai, "22") || !strcmp(ai, "254")) {
        const char *field = ai[1] == '0'   ? "lot"
                            : ai[1] == '1' ? "serial"
                            : ai[1] == '2' ? "cpv"
                                           : "extension";
        char *dst = ai[1] == '0'   ? out->lot
                    : ai[1] == '1' ? out->serial
                    : ai[1] == '2' ? out->cpv
                                   : out->ext;
        const char *label = ai[1] == '0'   ? "lot (AI 10)"
                            : ai[1] == '1' ? "serial (AI 21)"
                            : ai[1] == '2' ? "CPV (AI 22)"
                                           : "GLN extension (AI 254)";
        if ((n = decode(v, tmp, sizeof tmp, field, err)) < 0)
            return NQI_EINVAL;
        return gs1_set_value(dst, 21, field, label, tmp, (size_t)n, 20, err);
    }
    if (!strcmp(ai, "8003")) {
        if ((n = decode(v, tmp, sizeof tmp, "grai", err)) < 0)
            return NQI_EINVAL;
        if (n < 14)
            return gs1_check_key("grai", "GRAI", tmp, (size_t)n, 14, err);
        memcpy(out->key, tmp, 14);
        out->key[14] = '\0';
        if (n > 14)
            return gs1_set_value(out->serial, sizeof out->serial, "serial", "GRAI serial", tmp + 14,
                                 (size_t)n - 14, 16, err);
        return 0;
    }
    if (!strcmp(ai, "8004")) {
        if ((n = decode(v, tmp, sizeof tmp, "giai", err)) < 0)
            return NQI_EINVAL;
        return gs1_set_value(out->key, sizeof out->key, "giai", "GIAI", tmp, (size_t)n, 30, err);
    }
    /* 00, 414, 417, 8018: digits, checked in gs1_finish. */
    const char *field = !strcmp(ai, "00") ? "sscc" : !strcmp(ai, "8018") ? "gsrn" : "gln";
    if ((n = decode(v, tmp, sizeof tmp, field, err)) < 0)
        return NQI_EINVAL;
    if (n > 18)
        return nqi_error_field(err, NQI_EINVAL, field, "AI %s value '%s' is too long", ai, tmp);
    memcpy(out->key, tmp, (size_t)n + 1);
    return 0;
}

#define MAX_SEGS 64

int gs1_parse_dl(const char *in, size_t len, gs1_id *out, nqi_error *err)
{
    size_t i = 0;
    if (in[0] != '/') {
        const char *ss = memchr(in, ':', len);
        i = (size_t)(ss - in) + 1;
        if (i + 2 > len || in[i] != '/' || in[i + 1] != '/')
            return nqi_error_field(err, NQI_EINVAL, "path", "expected '//' after the scheme");
        i += 2;
        while (i < len && in[i] != '/' && in[i] != '?' && in[i] != '#')
            i++;
        if (i == len || in[i] != '/')
            return nqi_error_field(err, NQI_EINVAL, "path", "Digital Link URI has no path");
    }
    size_t end = i;
    while (end < len && in[end] != '?' && in[end] != '#')
        end++;
    if (end > i + 1 && in[end - 1] == '/') /* tolerate one trailing slash */
        end--;

    seg s[MAX_SEGS];
    size_t ns = 0;
    for (size_t p = i + 1; p <= end;) {
        size_t q = p;
        while (q < end && in[q] != '/')
            q++;
        if (q == p)
            return nqi_error_field(err, NQI_EINVAL, "path", "empty segment in Digital Link path");
        if (ns == MAX_SEGS)
            return nqi_error_field(err, NQI_EINVAL, "path",
                                   "Digital Link path has too many "
                                   "segments");
        s[ns++] = (seg){in + p, q - p};
        p = q + 1;
    }

    /* From the right: qualifier pairs, then the key pair. */
    char qual[4][5];
    size_t nq = 0, k = ns;
    const key_def *key = NULL;
    while (k >= 2) {
        seg a = s[k - 2];
        if (!seg_digits(a, 4))
            return nqi_error_field(err, NQI_EINVAL, "path",
                                   "'%.*s' is not an AI: a Digital Link path ends in AI/value "
                                   "pairs",
                                   (int)(a.n > 40 ? 40 : a.n), a.p);
        char ai[5] = {0};
        memcpy(ai, a.p, a.n);
        k -= 2;
        if ((key = key_find(ai)))
            break;
        if (gs1_unsupported_key(ai))
            return nqi_error_field(err, NQI_EINVAL, "path", "GS1 key AI %s (%s) is not supported",
                                   ai, gs1_unsupported_key(ai));
        if (!is_qualifier(ai))
            return nqi_error_field(err, NQI_EINVAL, "path", "unknown AI '%s' in Digital Link path",
                                   ai);
        if (nq == 4)
            return nqi_error_field(err, NQI_EINVAL, "path", "too many key qualifiers");
        memcpy(qual[nq++], ai, 5);
    }
    if (!key)
        return nqi_error_field(err, NQI_EINVAL, "path",
                               "no GS1 primary key (01, 00, 414, 417, 8003, 8004, 8018) in the "
                               "Digital Link path");
    for (size_t j = 0; j < k; j++) {
        char ai[5] = {0};
        if (!seg_digits(s[j], 4))
            continue;
        memcpy(ai, s[j].p, s[j].n);
        if (key_find(ai) || is_qualifier(ai))
            return nqi_error_field(err, NQI_EINVAL, "path",
                                   "AI %s comes before the primary key %s in the Digital Link "
                                   "path",
                                   ai, key->ai);
    }

    /* Qualifiers were collected right to left: path order is reversed. */
    int last = -1;
    const char *last_ai = NULL;
    for (size_t j = nq; j-- > 0;) {
        int pos = -1;
        for (int q = 0; q < 3 && key->quals[q]; q++)
            if (!strcmp(key->quals[q], qual[j]))
                pos = q;
        if (pos < 0)
            return nqi_error_field(err, NQI_EINVAL, "path", "AI %s is not a key qualifier of AI %s",
                                   qual[j], key->ai);
        if (pos == last)
            return nqi_error_field(err, NQI_EINVAL, "path",
                                   "AI %s appears twice in the Digital Link path", qual[j]);
        if (pos < last) {
            char order[32] = "";
            for (int q = 0; q < 3 && key->quals[q]; q++) {
                if (q)
                    strcat(order, ", ");
                strcat(order, key->quals[q]);
            }
            return nqi_error_field(err, NQI_EINVAL, "path",
                                   "AI %s comes before AI %s in the Digital Link path; the order "
                                   "after %s is %s",
                                   last_ai, qual[j], key->ai, order);
        }
        last = pos;
        last_ai = qual[j];
    }

    out->kind = key->kind;
    int rc = put_value(key->ai, s[k + 1], out, err);
    for (size_t j = 0; !rc && j < nq; j++)
        rc = put_value(qual[j], s[ns - 1 - 2 * j], out, err);
    return rc;
}

/* Every byte outside RFC 3986 "unreserved" is percent-encoded (upper-case
 * hex): one spelling per value, so the canonical string is unique. */
static void put_enc(gs1_out *o, const char *v)
{
    static const char hx[] = "0123456789ABCDEF";
    for (; *v; v++) {
        unsigned char c = (unsigned char)*v;
        if ((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
            c == '-' || c == '.' || c == '_' || c == '~') {
            gs1_out_c(o, (char)c);
        } else {
            gs1_out_c(o, '%');
            gs1_out_c(o, hx[c >> 4]);
            gs1_out_c(o, hx[c & 15]);
        }
    }
}

static void put_pair(gs1_out *o, const char *ai, const char *v)
{
    gs1_out_c(o, '/');
    gs1_out_s(o, ai);
    gs1_out_c(o, '/');
    put_enc(o, v);
}

int gs1_to_dl(const gs1_id *id, const char *base, unsigned flags, char *out, size_t n,
              nqi_error *err)
{
    gs1_out o = {out, n, 0};
    gs1_out_s(&o, base ? base : "https://id.gs1.org");
    switch (id->kind) {
    case GS1_KIND_GTIN: {
        bool full = (flags & GS1_DL_FULL) || !id->serial[0];
        put_pair(&o, "01", id->key);
        if (full && id->cpv[0])
            put_pair(&o, "22", id->cpv);
        if (full && id->lot[0])
            put_pair(&o, "10", id->lot);
        if (id->serial[0])
            put_pair(&o, "21", id->serial);
        break;
    }
    case GS1_KIND_SSCC:
        put_pair(&o, "00", id->key);
        break;
    case GS1_KIND_GLN:
        put_pair(&o, "414", id->key);
        if (id->ext[0] && strcmp(id->ext, "0"))
            put_pair(&o, "254", id->ext);
        break;
    case GS1_KIND_PGLN:
        put_pair(&o, "417", id->key);
        break;
    case GS1_KIND_GRAI:
        gs1_out_s(&o, "/8003/");
        gs1_out_s(&o, id->key);
        put_enc(&o, id->serial);
        break;
    case GS1_KIND_GIAI:
        put_pair(&o, "8004", id->key);
        break;
    case GS1_KIND_GSRN:
        put_pair(&o, "8018", id->key);
        break;
    default:
        if (n)
            out[0] = '\0';
        return nqi_error_field(err, NQI_EINVAL, "id", "a %s has no GS1 Digital Link form",
                               gs1_kind_name(id->kind));
    }
    return gs1_out_end(&o, err);
}
