/*
 * gs1.c — GS1 keys: check digits, validation of a parsed identifier, the
 * canonical form, element strings, bare digits, the Chinese identifiers,
 * and the dispatcher gs1_parse. Digital Link is in gs1_dl.c, EPC URNs in
 * gs1_epc.c, company-prefix lengths in gcp_table.c. See gs1.h.
 */
#include "trace/gs1.h"

#include <string.h>

#include "trace/gs1_internal.h"

/* ---- small helpers ------------------------------------------------------ */

bool gs1_cset82(unsigned char c)
{
    if ((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'))
        return true;
    return c && strchr("!\"%&'()*+,-./:;<=>?_", c) != NULL;
}

int gs1_hexval(unsigned char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

void gs1_out_c(gs1_out *o, char c)
{
    if (o->len + 1 < o->n)
        o->p[o->len] = c;
    o->len++;
}

void gs1_out_s(gs1_out *o, const char *s)
{
    while (*s)
        gs1_out_c(o, *s++);
}

int gs1_out_end(gs1_out *o, nqi_error *err)
{
    if (!o->n)
        return nqi_error_field(err, NQI_ETOOBIG, "id", "output buffer has no room");
    if (o->len >= o->n) {
        o->p[0] = '\0';
        return nqi_error_field(err, NQI_ETOOBIG, "id", "output needs %zu bytes, buffer has %zu",
                               o->len + 1, o->n);
    }
    o->p[o->len] = '\0';
    return 0;
}

static bool all_digits(const char *s, size_t n)
{
    if (!n)
        return false;
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return true;
}

/* Quote an untrusted slice for a message: printable ASCII kept, anything
 * else as \xNN, at most 40 input bytes. */
static const char *show(const char *s, size_t n, char *buf, size_t cap)
{
    size_t o = 0;
    for (size_t i = 0; i < n && i < 40 && o + 5 < cap; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c < 0x7f) {
            buf[o++] = (char)c;
        } else {
            static const char hx[] = "0123456789ABCDEF";
            buf[o++] = '\\';
            buf[o++] = 'x';
            buf[o++] = hx[c >> 4];
            buf[o++] = hx[c & 15];
        }
    }
    if (n > 40 && o + 4 < cap) {
        memcpy(buf + o, "...", 3);
        o += 3;
    }
    buf[o] = '\0';
    return buf;
}

/* ---- check digits and keys --------------------------------------------- */

int gs1_check_digit(const char *digits, size_t n)
{
    if (!digits || !n)
        return -1;
    int sum = 0;
    for (size_t i = 0; i < n; i++) {
        char c = digits[n - 1 - i];
        if (c < '0' || c > '9')
            return -1;
        sum += (c - '0') * ((i % 2 == 0) ? 3 : 1);
    }
    return (10 - sum % 10) % 10;
}

int gs1_check_key(const char *field, const char *label, const char *s, size_t len, size_t want,
                  nqi_error *err)
{
    char b[64];
    if (!len)
        return nqi_error_field(err, NQI_EINVAL, field, "empty %s", label);
    if (!all_digits(s, len))
        return nqi_error_field(err, NQI_EINVAL, field, "%s '%s' must be digits only", label,
                               show(s, len, b, sizeof b));
    if (len != want)
        return nqi_error_field(err, NQI_EINVAL, field, "%s '%s' has %zu digits, expected %zu",
                               label, show(s, len, b, sizeof b), len, want);
    int cd = gs1_check_digit(s, len - 1);
    if (cd != s[len - 1] - '0')
        return nqi_error_field(err, NQI_EINVAL, field,
                               "check digit of %s %.*s should be %d, not %c", label, (int)len, s,
                               cd, s[len - 1]);
    return 0;
}

int gs1_gtin14(const char *in, size_t len, char out[15], nqi_error *err)
{
    char b[64];
    memset(out, 0, 15);
    if (!in || !len)
        return nqi_error_field(err, NQI_EINVAL, "gtin", "empty GTIN");
    if (!all_digits(in, len))
        return nqi_error_field(err, NQI_EINVAL, "gtin", "GTIN '%s' must be digits only",
                               show(in, len, b, sizeof b));
    if (len != 8 && len != 12 && len != 13 && len != 14)
        return nqi_error_field(err, NQI_EINVAL, "gtin",
                               "GTIN '%s' has %zu digits; a GTIN has 8, 12, 13 or 14",
                               show(in, len, b, sizeof b), len);
    char g[15];
    memset(g, '0', 14 - len);
    memcpy(g + 14 - len, in, len);
    g[14] = '\0';
    int cd = gs1_check_digit(g, 13);
    if (cd != g[13] - '0')
        return nqi_error_field(err, NQI_EINVAL, "gtin",
                               "check digit of GTIN %.*s should be %d, not %c", (int)len, in, cd,
                               g[13]);
    memcpy(out, g, 15);
    return 0;
}

int gs1_set_value(char *dst, size_t cap, const char *field, const char *label, const char *s,
                  size_t len, size_t max, nqi_error *err)
{
    char b[64];
    if (!len)
        return nqi_error_field(err, NQI_EINVAL, field, "empty %s", label);
    if (len > max || len >= cap)
        return nqi_error_field(err, NQI_EINVAL, field,
                               "%s '%s' has %zu characters; at most %zu are allowed", label,
                               show(s, len, b, sizeof b), len, max);
    for (size_t i = 0; i < len; i++)
        if (!gs1_cset82((unsigned char)s[i]))
            return nqi_error_field(err, NQI_EINVAL, field,
                                   "%s '%s' has character '%s' at position %zu, outside the GS1 "
                                   "character set 82",
                                   label, show(s, len, b, sizeof b),
                                   show(s + i, 1, b + 48, sizeof b - 48), i + 1);
    memcpy(dst, s, len);
    dst[len] = '\0';
    return 0;
}

/* ---- the Chinese identifiers -------------------------------------------- */

/* 药品追溯码: 20 digits (7-digit 药品标识码, 9-digit serial, 4-digit check
 * whose algorithm is not published): we check the shape only. */
static int cn_drug(const char *s, size_t n, gs1_id *out, nqi_error *err)
{
    char b[64];
    if (n != 20 || !all_digits(s, n))
        return nqi_error_field(err, NQI_EINVAL, "id",
                               "drug traceability code '%s' must be 20 digits",
                               show(s, n, b, sizeof b));
    out->kind = GS1_KIND_CN_DRUG;
    memcpy(out->key, s, n);
    out->key[n] = '\0';
    return 0;
}

/* 特种设备代码 (TSG 08 form): 4-digit variety code of the 特种设备目录,
 * 5-digit manufacturer code (2-digit licensing region + 3-digit licence
 * sequence), 4-digit year of manufacture, 5-character sequence (digits,
 * capitals once it passes 99999). Lower case is folded. */
static int cn_sec(const char *s, size_t n, gs1_id *out, nqi_error *err)
{
    char b[64];
    char c[19];
    if (n != 18)
        return nqi_error_field(err, NQI_EINVAL, "id",
                               "special-equipment code '%s' must have 18 characters",
                               show(s, n, b, sizeof b));
    for (size_t i = 0; i < n; i++)
        c[i] = (s[i] >= 'a' && s[i] <= 'z') ? (char)(s[i] - 32) : s[i];
    c[18] = '\0';
    if (!all_digits(c, 13) || c[0] == '0')
        return nqi_error_field(err, NQI_EINVAL, "id",
                               "special-equipment code '%s': the first 13 characters (variety, "
                               "manufacturer, year) must be digits, the variety not starting "
                               "with 0",
                               show(s, n, b, sizeof b));
    int year = (c[9] - '0') * 1000 + (c[10] - '0') * 100 + (c[11] - '0') * 10 + (c[12] - '0');
    if (year < 1950 || year > 2099)
        return nqi_error_field(err, NQI_EINVAL, "id",
                               "special-equipment code '%s': year of manufacture %d is out of "
                               "range (1950-2099)",
                               show(s, n, b, sizeof b), year);
    for (size_t i = 13; i < 18; i++)
        if (!((c[i] >= '0' && c[i] <= '9') || (c[i] >= 'A' && c[i] <= 'Z')))
            return nqi_error_field(err, NQI_EINVAL, "id",
                                   "special-equipment code '%s': the sequence number must be "
                                   "digits or capital letters",
                                   show(s, n, b, sizeof b));
    out->kind = GS1_KIND_CN_SEC;
    memcpy(out->key, c, 19);
    return 0;
}

/* ---- validation and the canonical form ----------------------------------- */

int gs1_finish(gs1_id *id, nqi_error *err)
{
    size_t kl = strlen(id->key);
    int rc = 0;
    switch (id->kind) {
    case GS1_KIND_GTIN:
        rc = gs1_check_key("gtin", "GTIN", id->key, kl, 14, err);
        break;
    case GS1_KIND_SSCC:
        rc = gs1_check_key("sscc", "SSCC", id->key, kl, 18, err);
        break;
    case GS1_KIND_GLN:
    case GS1_KIND_PGLN:
        rc = gs1_check_key("gln", "GLN", id->key, kl, 13, err);
        break;
    case GS1_KIND_GSRN:
        rc = gs1_check_key("gsrn", "GSRN", id->key, kl, 18, err);
        break;
    case GS1_KIND_GRAI:
        rc = gs1_check_key("grai", "GRAI", id->key, kl, 14, err);
        if (!rc && id->key[0] != '0')
            rc = nqi_error_field(err, NQI_EINVAL, "grai",
                                 "GRAI %s must start with 0 (the filler digit)", id->key);
        break;
    case GS1_KIND_GIAI:
        /* GCP (at least 6 digits) then the asset reference; ≤ 30 chars. */
        if (kl < 7 || !all_digits(id->key, 6))
            rc = nqi_error_field(err, NQI_EINVAL, "giai",
                                 "GIAI '%s' must start with a GS1 Company Prefix (6-12 digits) "
                                 "followed by an asset reference",
                                 id->key);
        break;
    case GS1_KIND_CN_DRUG:
    case GS1_KIND_CN_SEC:
    case GS1_KIND_PATTERN:
        break;
    default:
        return nqi_error_field(err, NQI_EINVAL, "id", "no identifier");
    }
    if (rc)
        return rc;
    if ((id->cpv[0] || id->lot[0] || id->serial[0]) && id->kind != GS1_KIND_GTIN &&
        id->kind != GS1_KIND_GRAI)
        return nqi_error_field(err, NQI_EINVAL, "id", "lot, serial and CPV belong to a GTIN");
    if (id->cpv[0] && id->kind != GS1_KIND_GTIN)
        return nqi_error_field(err, NQI_EINVAL, "cpv", "CPV (AI 22) belongs to a GTIN");
    if (id->ext[0] && id->kind != GS1_KIND_GLN)
        return nqi_error_field(err, NQI_EINVAL, "extension",
                               "GLN extension (AI 254) belongs to a GLN (AI 414)");
    /* AI 254 "0" and the URN extension "0" both mean "no extension". */
    if (!strcmp(id->ext, "0"))
        id->ext[0] = '\0';

    gs1_out o = {id->canonical, sizeof id->canonical, 0};
    switch (id->kind) {
    case GS1_KIND_PATTERN:
        return 0; /* the URN parser built it */
    case GS1_KIND_CN_DRUG:
        gs1_out_s(&o, "urn:nqi:dtc:");
        gs1_out_s(&o, id->key);
        return gs1_out_end(&o, err);
    case GS1_KIND_CN_SEC:
        gs1_out_s(&o, "urn:nqi:sec:");
        gs1_out_s(&o, id->key);
        return gs1_out_end(&o, err);
    default:
        return gs1_to_dl(id, NULL, 0, id->canonical, sizeof id->canonical, err);
    }
}

/* ---- element strings ----------------------------------------------------- */

typedef struct ai_def {
    const char *ai;
    unsigned char fixed; /* predefined length of the value (unbracketed parsing) */
    unsigned char max;   /* maximum value length */
    char type;           /* 'N' digits, 'X' set 82 */
} ai_def;

/* The AIs an element string may carry here: the keys and qualifiers this
 * module handles plus the data attributes common on trade items and
 * logistic units (they are checked for shape and otherwise ignored).
 * "fixed" is GS1's table of predefined-length AIs (no FNC1 after them). */
static const ai_def ais[] = {
    {"00", 18, 18, 'N'},  {"01", 14, 14, 'N'},  {"02", 14, 14, 'N'},  {"10", 0, 20, 'X'},
    {"11", 6, 6, 'N'},    {"12", 6, 6, 'N'},    {"13", 6, 6, 'N'},    {"15", 6, 6, 'N'},
    {"16", 6, 6, 'N'},    {"17", 6, 6, 'N'},    {"20", 2, 2, 'N'},    {"21", 0, 20, 'X'},
    {"22", 0, 20, 'X'},   {"240", 0, 30, 'X'},  {"241", 0, 30, 'X'},  {"250", 0, 30, 'X'},
    {"251", 0, 30, 'X'},  {"254", 0, 20, 'X'},  {"30", 0, 8, 'N'},    {"37", 0, 8, 'N'},
    {"400", 0, 30, 'X'},  {"403", 0, 30, 'X'},  {"410", 13, 13, 'N'}, {"411", 13, 13, 'N'},
    {"412", 13, 13, 'N'}, {"413", 13, 13, 'N'}, {"414", 13, 13, 'N'}, {"415", 13, 13, 'N'},
    {"416", 13, 13, 'N'}, {"417", 13, 13, 'N'}, {"420", 0, 20, 'X'},  {"422", 0, 3, 'N'},
    {"7003", 0, 10, 'N'}, {"8003", 0, 30, 'X'}, {"8004", 0, 30, 'X'}, {"8018", 0, 18, 'N'},
    {"8020", 0, 25, 'X'}, {"90", 0, 30, 'X'},
};

/* Measures 310n–369n: 4-digit AIs, 6 digits, predefined length. */
static const ai_def measure = {"3xxx", 6, 6, 'N'};

static const ai_def *ai_lookup(const char *s, size_t n, size_t *ai_len)
{
    if (n >= 4 && s[0] == '3' && s[1] >= '1' && s[1] <= '6' && all_digits(s, 4)) {
        *ai_len = 4;
        return &measure;
    }
    for (size_t i = 0; i < sizeof ais / sizeof ais[0]; i++) {
        size_t l = strlen(ais[i].ai);
        if (n >= l && !memcmp(s, ais[i].ai, l)) {
            *ai_len = l;
            return &ais[i];
        }
    }
    return NULL;
}

/* Apply one AI/value of an element string to *out. */
static int es_apply(const char *ai, const ai_def *d, const char *v, size_t vl, gs1_id *out,
                    unsigned *seen, nqi_error *err)
{
    char b[64];
    const char *f = "element_string";
    static const char *const tracked[] = {"00",   "01", "414", "417", "8003", "8004",
                                          "8018", "10", "21",  "22",  "254"};
    if (!vl)
        return nqi_error_field(err, NQI_EINVAL, f, "AI (%s) has no value", ai);
    /* Lot, serial, CPV, extension: gs1_set_value says what is wrong, on
     * their own field. */
    bool own = false;
    for (unsigned i = 7; i < sizeof tracked / sizeof tracked[0]; i++)
        own |= !strcmp(ai, tracked[i]);
    if (!own && ((d->fixed && vl != d->fixed) || vl > d->max))
        return nqi_error_field(err, NQI_EINVAL, f, "AI (%s) value '%s' must have %s%u characters",
                               ai, show(v, vl, b, sizeof b), d->fixed ? "" : "at most ",
                               d->fixed ? d->fixed : d->max);
    if (d->type == 'N' && !all_digits(v, vl))
        return nqi_error_field(err, NQI_EINVAL, f, "AI (%s) value '%s' must be digits", ai,
                               show(v, vl, b, sizeof b));
    for (unsigned i = 0; i < sizeof tracked / sizeof tracked[0]; i++) {
        if (strcmp(ai, tracked[i]))
            continue;
        if (*seen & (1u << i))
            return nqi_error_field(err, NQI_EINVAL, f, "AI (%s) appears twice", ai);
        *seen |= 1u << i;
        if (i < 7) {
            if (out->kind)
                return nqi_error_field(err, NQI_EINVAL, f,
                                       "more than one GS1 key in the element string");
            out->kind = gs1_key_kind(ai);
            if (out->kind == GS1_KIND_GRAI) {
                if (vl < 14 || !all_digits(v, 14))
                    return gs1_check_key("grai", "GRAI", v, vl < 14 ? vl : 14, 14, err);
                memcpy(out->key, v, 14);
                if (vl > 14)
                    return gs1_set_value(out->serial, sizeof out->serial, "serial", "GRAI serial",
                                         v + 14, vl - 14, 16, err);
                return 0;
            }
            if (out->kind == GS1_KIND_GIAI)
                return gs1_set_value(out->key, sizeof out->key, "giai", "GIAI", v, vl, 30, err);
            memcpy(out->key, v, vl);
            out->key[vl] = '\0';
            return 0;
        }
        if (i == 7)
            return gs1_set_value(out->lot, sizeof out->lot, "lot", "lot (AI 10)", v, vl, 20, err);
        if (i == 8)
            return gs1_set_value(out->serial, sizeof out->serial, "serial", "serial (AI 21)", v, vl,
                                 20, err);
        if (i == 9)
            return gs1_set_value(out->cpv, sizeof out->cpv, "cpv", "CPV (AI 22)", v, vl, 20, err);
        return gs1_set_value(out->ext, sizeof out->ext, "extension", "GLN extension (AI 254)", v,
                             vl, 20, err);
    }
    for (size_t i = 0; i < vl; i++)
        if (!gs1_cset82((unsigned char)v[i]))
            return nqi_error_field(err, NQI_EINVAL, f,
                                   "AI (%s) value '%s' has a character outside set 82", ai,
                                   show(v, vl, b, sizeof b));
    return 0;
}

/* After all AIs: qualifiers must belong to the key. */
static int es_check(gs1_id *out, nqi_error *err)
{
    if (!out->kind)
        return nqi_error_field(err, NQI_EINVAL, "element_string",
                               "no GS1 key (00, 01, 414, 417, 8003, 8004, 8018) in the element "
                               "string");
    if ((out->lot[0] || out->cpv[0] || (out->serial[0] && out->kind != GS1_KIND_GRAI)) &&
        out->kind != GS1_KIND_GTIN)
        return nqi_error_field(err, NQI_EINVAL, "element_string",
                               "AIs 10, 21 and 22 qualify a GTIN (01)");
    if (out->ext[0] && out->kind != GS1_KIND_GLN)
        return nqi_error_field(err, NQI_EINVAL, "element_string", "AI 254 qualifies a GLN (414)");
    return 0;
}

/* "(01)09506000134352(10)ABC": a '(' opens an AI only when 2–4 digits and
 * ')' follow, so values may contain parentheses otherwise. */
static int es_bracketed(const char *s, size_t n, gs1_id *out, nqi_error *err)
{
    char b[64];
    unsigned seen = 0;
    size_t i = 0;
    while (i < n) {
        size_t j = i + 1;
        while (j < n && j - i <= 5 && s[j] >= '0' && s[j] <= '9')
            j++;
        if (s[i] != '(' || j >= n || s[j] != ')' || j - i - 1 < 2 || j - i - 1 > 4)
            return nqi_error_field(err, NQI_EINVAL, "element_string", "expected '(AI)' at '%s'",
                                   show(s + i, n - i, b, sizeof b));
        char ai[5] = {0};
        memcpy(ai, s + i + 1, j - i - 1);
        size_t al;
        const ai_def *d = ai_lookup(ai, strlen(ai), &al);
        if (!d || al != strlen(ai))
            return nqi_error_field(err, NQI_EINVAL, "element_string",
                                   "unknown or unsupported AI (%s)", ai);
        size_t v = j + 1, e = v;
        for (; e < n; e++) {
            if (s[e] != '(')
                continue;
            size_t k = e + 1;
            while (k < n && k - e <= 5 && s[k] >= '0' && s[k] <= '9')
                k++;
            if (k < n && s[k] == ')' && k - e - 1 >= 2 && k - e - 1 <= 4)
                break;
        }
        int rc = es_apply(ai, d, s + v, e - v, out, &seen, err);
        if (rc)
            return rc;
        i = e;
    }
    return es_check(out, err);
}

/* Scanner output: optional symbology identifier (]C1 ]d2 ]Q3 ]e0), AIs
 * back to back, variable-length values ended by GS (0x1D) or a space
 * (neither is in set 82, so neither can be part of a value). */
static int es_plain(const char *s, size_t n, gs1_id *out, nqi_error *err)
{
    char b[64];
    unsigned seen = 0;
    size_t i = 0;
    if (n >= 3 && s[0] == ']')
        i = 3;
    while (i < n) {
        if (s[i] == 0x1d || s[i] == ' ') {
            i++;
            continue;
        }
        size_t al;
        const ai_def *d = ai_lookup(s + i, n - i, &al);
        if (!d)
            return nqi_error_field(err, NQI_EINVAL, "element_string",
                                   "unknown or unsupported AI at '%s'",
                                   show(s + i, n - i, b, sizeof b));
        char ai[5] = {0};
        memcpy(ai, s + i, al);
        size_t v = i + al, e = v;
        if (d->fixed)
            e = (n - v < d->fixed) ? n : v + d->fixed;
        else
            while (e < n && s[e] != 0x1d && s[e] != ' ')
                e++;
        int rc = es_apply(ai, d, s + v, e - v, out, &seen, err);
        if (rc)
            return rc;
        i = e;
    }
    return es_check(out, err);
}

/* ---- dispatcher ----------------------------------------------------------- */

static bool prefix_ci(const char *s, size_t n, const char *p)
{
    size_t l = strlen(p);
    if (n < l)
        return false;
    for (size_t i = 0; i < l; i++) {
        char c = s[i];
        if (c >= 'A' && c <= 'Z')
            c = (char)(c + 32);
        if (c != p[i])
            return false;
    }
    return true;
}

static int parse_form(const char *s, size_t n, gs1_id *out, nqi_error *err)
{
    if (prefix_ci(s, n, "urn:nqi:dtc:")) {
        out->form = GS1_FORM_URN;
        return cn_drug(s + 12, n - 12, out, err);
    }
    if (prefix_ci(s, n, "urn:nqi:sec:")) {
        out->form = GS1_FORM_URN;
        return cn_sec(s + 12, n - 12, out, err);
    }
    if (prefix_ci(s, n, "urn:")) {
        out->form = GS1_FORM_URN;
        return gs1_parse_urn(s, n, out, err);
    }
    if (prefix_ci(s, n, "http://") || prefix_ci(s, n, "https://") || s[0] == '/') {
        out->form = GS1_FORM_DL;
        return gs1_parse_dl(s, n, out, err);
    }
    if (s[0] == '(') {
        out->form = GS1_FORM_ELEMENT;
        return es_bracketed(s, n, out, err);
    }
    if (all_digits(s, n) && (n == 8 || n == 12 || n == 13 || n == 14)) {
        out->form = GS1_FORM_DIGITS;
        out->kind = GS1_KIND_GTIN;
        return gs1_gtin14(s, n, out->key, err);
    }
    if (all_digits(s, n) && n == 18) {
        out->form = GS1_FORM_DIGITS;
        out->kind = GS1_KIND_SSCC;
        memcpy(out->key, s, n);
        return 0;
    }
    if ((s[0] >= '0' && s[0] <= '9') || s[0] == ']') {
        out->form = GS1_FORM_ELEMENT;
        return es_plain(s, n, out, err);
    }
    char b[64];
    return nqi_error_field(err, NQI_EINVAL, "id",
                           "'%s' is not a GS1 identifier (EPC URN, Digital Link, element string "
                           "or GTIN)",
                           show(s, n, b, sizeof b));
}

int gs1_parse(const char *in, size_t len, gs1_id *out, nqi_error *err)
{
    memset(out, 0, sizeof *out);
    if (!in)
        len = 0;
    while (len && (in[0] == ' ' || in[0] == '\t' || in[0] == '\r' || in[0] == '\n'))
        in++, len--;
    while (len && (in[len - 1] == ' ' || in[len - 1] == '\t' || in[len - 1] == '\r' ||
                   in[len - 1] == '\n'))
        len--;
    int rc;
    if (!len)
        rc = nqi_error_field(err, NQI_EINVAL, "id", "empty identifier");
    else if (len > GS1_INPUT_MAX)
        rc = nqi_error_field(err, NQI_EINVAL, "id", "identifier longer than %d bytes",
                             GS1_INPUT_MAX);
    else if (memchr(in, '\0', len))
        rc = nqi_error_field(err, NQI_EINVAL, "id", "identifier contains a NUL byte");
    else
        rc = parse_form(in, len, out, err);
    if (!rc)
        rc = gs1_finish(out, err);
    if (rc)
        memset(out, 0, sizeof *out);
    return rc;
}

int gs1_canonical(const char *in, size_t len, char *out, size_t n, nqi_error *err)
{
    gs1_id id;
    int rc = gs1_parse(in, len, &id, err);
    if (n)
        out[0] = '\0';
    if (rc)
        return rc;
    gs1_out o = {out, n, 0};
    gs1_out_s(&o, id.canonical);
    return gs1_out_end(&o, err);
}

const char *gs1_kind_name(gs1_kind k)
{
    switch (k) {
    case GS1_KIND_GTIN:
        return "gtin";
    case GS1_KIND_SSCC:
        return "sscc";
    case GS1_KIND_GLN:
        return "gln";
    case GS1_KIND_PGLN:
        return "pgln";
    case GS1_KIND_GRAI:
        return "grai";
    case GS1_KIND_GIAI:
        return "giai";
    case GS1_KIND_GSRN:
        return "gsrn";
    case GS1_KIND_PATTERN:
        return "pattern";
    case GS1_KIND_CN_DRUG:
        return "cn_drug";
    case GS1_KIND_CN_SEC:
        return "cn_sec";
    default:
        return "none";
    }
}
