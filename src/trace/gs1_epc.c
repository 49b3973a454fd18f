/*
 * gs1_epc.c — EPC pure-identity, class and pattern URNs (EPC Tag Data
 * Standard 2.x) for the GS1 keys of gs1.h, both ways.
 *
 *   urn:epc:id:sgtin:CP.IR.Serial      IR = indicator digit + item reference
 *   urn:epc:class:lgtin:CP.IR.Lot
 *   urn:epc:id:sscc:CP.SR              SR = extension digit + serial reference
 *   urn:epc:id:sgln:CP.LR.Ext          Ext "0" = no extension (AI 254 absent)
 *   urn:epc:id:pgln:CP.PR
 *   urn:epc:id:grai:CP.AT.Serial
 *   urn:epc:id:giai:CP.AssetRef
 *   urn:epc:id:gsrn:CP.SR
 *   urn:epc:idpat:<scheme>:CP.IR.*  (… any trailing fields '*')
 *
 * Alphanumeric components (serial, lot, extension, asset reference) are
 * set-82 characters with " % & / < > ? written as %22 %25 %26 %2F %3C %3E
 * %3F (TDS). On input any %XX decoding to a set-82 character is accepted;
 * the seven characters above written literally are refused.
 */
#include <string.h>

#include "trace/gs1.h"
#include "trace/gs1_internal.h"

typedef struct scheme {
    const char *name;
    gs1_kind kind;
    int digits;      /* CP + the numeric field after it, check digit excluded */
    int nfields;     /* 2 or 3 */
    bool alnum_last; /* the last field is set-82 (serial, ext, lot, asset ref) */
} scheme;

static const scheme schemes[] = {
    {"sgtin", GS1_KIND_GTIN, 13, 3, true}, {"sscc", GS1_KIND_SSCC, 17, 2, false},
    {"sgln", GS1_KIND_GLN, 12, 3, true},   {"pgln", GS1_KIND_PGLN, 12, 2, false},
    {"grai", GS1_KIND_GRAI, 12, 3, true},  {"giai", GS1_KIND_GIAI, 0, 2, true},
    {"gsrn", GS1_KIND_GSRN, 17, 2, false}, {"lgtin", GS1_KIND_GTIN, 13, 3, true},
};

static bool eq_ci(const char *s, size_t n, const char *lit)
{
    if (strlen(lit) != n)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c >= 'A' && c <= 'Z')
            c = (char)(c + 32);
        if (c != lit[i])
            return false;
    }
    return true;
}

static bool digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return n > 0;
}

/* Unescape a URN component into dst[cap]. */
static int unescape(const char *s, size_t n, char *dst, size_t cap, size_t *outlen,
                    const char *field, nqi_error *err)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '%') {
            if (i + 2 >= n || gs1_hexval((unsigned char)s[i + 1]) < 0 ||
                gs1_hexval((unsigned char)s[i + 2]) < 0)
                return nqi_error_field(err, NQI_EINVAL, field, "bad %%-escape in EPC URN");
            c = (unsigned char)(gs1_hexval((unsigned char)s[i + 1]) * 16 +
                                gs1_hexval((unsigned char)s[i + 2]));
            i += 2;
            if (!gs1_cset82(c))
                return nqi_error_field(err, NQI_EINVAL, field,
                                       "%%%02X in EPC URN is not a GS1 set-82 character", c);
        } else if (c && strchr("\"&/<>?", c)) {
            return nqi_error_field(err, NQI_EINVAL, field,
                                   "character '%c' must be written %%%02X in an EPC URN", c, c);
        }
        if (o + 1 >= cap)
            return nqi_error_field(err, NQI_EINVAL, field, "%s is too long", field);
        dst[o++] = (char)c;
    }
    dst[o] = '\0';
    *outlen = o;
    return 0;
}

/* Build the 13/14/18-digit key from CP and the field after it. */
static void join_key(gs1_kind kind, const char *cp, size_t cl, const char *f, size_t fl, char *key)
{
    size_t o = 0;
    if (kind == GS1_KIND_GTIN || kind == GS1_KIND_SSCC) {
        key[o++] = f[0]; /* indicator / extension digit moves to the front */
        memcpy(key + o, cp, cl), o += cl;
        memcpy(key + o, f + 1, fl - 1), o += fl - 1;
    } else {
        if (kind == GS1_KIND_GRAI)
            key[o++] = '0';
        memcpy(key + o, cp, cl), o += cl;
        memcpy(key + o, f, fl), o += fl;
    }
    int cd = gs1_check_digit(key, o);
    key[o++] = (char)('0' + cd);
    key[o] = '\0';
}

static const char *field_of(gs1_kind k)
{
    switch (k) {
    case GS1_KIND_GTIN:
        return "gtin";
    case GS1_KIND_SSCC:
        return "sscc";
    case GS1_KIND_GRAI:
        return "grai";
    case GS1_KIND_GIAI:
        return "giai";
    case GS1_KIND_GSRN:
        return "gsrn";
    default:
        return "gln";
    }
}

/* Pattern: canonical is the normalised URN (scheme lower-case). */
static int pattern(const scheme *sc, const char *f[3], const size_t fl[3], int nf, gs1_id *out,
                   nqi_error *err)
{
    gs1_out o = {out->canonical, sizeof out->canonical, 0};
    gs1_out_s(&o, "urn:epc:idpat:");
    gs1_out_s(&o, sc->name);
    gs1_out_c(&o, ':');
    for (int i = 0; i < nf; i++) {
        if (i)
            gs1_out_c(&o, '.');
        for (size_t j = 0; j < fl[i]; j++)
            gs1_out_c(&o, f[i][j]);
    }
    out->kind = GS1_KIND_PATTERN;
    if (fl[0] != 1 || f[0][0] != '*') {
        memcpy(out->key, f[0], fl[0]);
        out->key[fl[0]] = '\0';
        out->gcp_len = (int)fl[0];
    }
    return gs1_out_end(&o, err);
}

int gs1_parse_urn(const char *in, size_t len, gs1_id *out, nqi_error *err)
{
    /* urn:epc:(id|class|idpat):scheme:body */
    const char *p[5];
    size_t pl[5];
    size_t np = 0, i = 0;
    while (np < 4) {
        const char *c = memchr(in + i, ':', len - i);
        if (!c)
            break;
        p[np] = in + i;
        pl[np++] = (size_t)(c - in) - i;
        i = (size_t)(c - in) + 1;
    }
    if (np < 4 || !eq_ci(p[1], pl[1], "epc"))
        return nqi_error_field(err, NQI_EINVAL, "urn",
                               "expected urn:epc:id:<scheme>:…, urn:epc:class:lgtin:… or "
                               "urn:epc:idpat:<scheme>:…");
    bool pat = eq_ci(p[2], pl[2], "idpat");
    bool cls = eq_ci(p[2], pl[2], "class");
    if (!pat && !cls && !eq_ci(p[2], pl[2], "id"))
        return nqi_error_field(err, NQI_EINVAL, "urn", "unknown EPC URN type '%.*s'",
                               (int)(pl[2] > 20 ? 20 : pl[2]), p[2]);
    const scheme *sc = NULL;
    for (size_t k = 0; k < sizeof schemes / sizeof schemes[0]; k++)
        if (eq_ci(p[3], pl[3], schemes[k].name))
            sc = &schemes[k];
    if (!sc || cls != !strcmp(sc->name, "lgtin"))
        return nqi_error_field(err, NQI_EINVAL, "urn", "unsupported EPC scheme '%.*s:%.*s'",
                               (int)(pl[2] > 20 ? 20 : pl[2]), p[2], (int)(pl[3] > 20 ? 20 : pl[3]),
                               p[3]);
    out->gcp_len = 0;

    /* Fields: the last one takes the rest, dots included (serials may
     * contain '.'). */
    const char *f[3];
    size_t fl[3];
    int nf = 0;
    size_t s = i;
    for (; nf < sc->nfields - 1; nf++) {
        const char *d = memchr(in + s, '.', len - s);
        if (!d)
            return nqi_error_field(err, NQI_EINVAL, "urn",
                                   "EPC URN '%s' needs %d dot-separated components", sc->name,
                                   sc->nfields);
        f[nf] = in + s;
        fl[nf] = (size_t)(d - in) - s;
        s = (size_t)(d - in) + 1;
    }
    f[nf] = in + s;
    fl[nf++] = len - s;

    int first_star = nf;
    for (int k = 0; k < nf; k++)
        if (fl[k] == 1 && f[k][0] == '*') {
            if (first_star == nf)
                first_star = k;
        } else if (first_star < nf) {
            return nqi_error_field(err, NQI_EINVAL, "urn",
                                   "in an EPC pattern every component after a '*' must be '*'");
        }
    if (first_star < nf && !pat)
        return nqi_error_field(err, NQI_EINVAL, "urn", "'*' is allowed only in urn:epc:idpat");

    const char *kf = field_of(sc->kind);
    /* Company prefix. */
    if (first_star > 0 && (fl[0] < 6 || fl[0] > 12 || !digits(f[0], fl[0])))
        return nqi_error_field(err, NQI_EINVAL, kf, "GS1 Company Prefix '%.*s' must be 6-12 digits",
                               (int)(fl[0] > 20 ? 20 : fl[0]), f[0]);
    /* The numeric field after it. */
    if (sc->digits && first_star > 1) {
        if (!digits(f[1], fl[1]) && fl[1])
            return nqi_error_field(err, NQI_EINVAL, kf, "'%.*s' must be digits",
                                   (int)(fl[1] > 20 ? 20 : fl[1]), f[1]);
        if (fl[0] + fl[1] != (size_t)sc->digits)
            return nqi_error_field(err, NQI_EINVAL, kf,
                                   "company prefix and reference have %zu digits together; "
                                   "%s needs %d",
                                   fl[0] + fl[1], sc->name, sc->digits);
        if ((sc->kind == GS1_KIND_GTIN || sc->kind == GS1_KIND_SSCC) && !fl[1])
            return nqi_error_field(err, NQI_EINVAL, kf, "missing indicator/extension digit");
    }

    /* Patterns that name a whole key are that key (EPCIS writes a GTIN
     * class as urn:epc:idpat:sgtin:CP.IR.*); the rest stay patterns. */
    if (first_star < nf) {
        bool whole = sc->nfields == 3 && first_star == 2 &&
                     (sc->kind == GS1_KIND_GTIN || sc->kind == GS1_KIND_GRAI);
        if (!whole)
            return pattern(sc, f, fl, nf, out, err);
        out->kind = sc->kind;
        join_key(sc->kind, f[0], fl[0], f[1], fl[1], out->key);
        out->gcp_len = (int)fl[0];
        return 0;
    }

    out->kind = sc->kind;
    out->gcp_len = (int)fl[0];
    char v[64];
    size_t vl = 0;
    int rc;
    if (sc->kind == GS1_KIND_GIAI) {
        rc = unescape(f[1], fl[1], v, sizeof v, &vl, "giai", err);
        if (rc)
            return rc;
        if (!vl || fl[0] + vl > 30)
            return nqi_error_field(err, NQI_EINVAL, "giai",
                                   "GIAI must have 1-%zu characters after the company prefix",
                                   30 - fl[0]);
        char g[64];
        memcpy(g, f[0], fl[0]);
        memcpy(g + fl[0], v, vl);
        return gs1_set_value(out->key, sizeof out->key, "giai", "GIAI", g, fl[0] + vl, 30, err);
    }
    join_key(sc->kind, f[0], fl[0], f[1], fl[1], out->key);
    if (sc->nfields < 3)
        return 0;
    const char *field = !strcmp(sc->name, "lgtin") ? "lot"
                        : sc->kind == GS1_KIND_GLN ? "extension"
                                                   : "serial";
    rc = unescape(f[2], fl[2], v, sizeof v, &vl, field, err);
    if (rc)
        return rc;
    if (!strcmp(sc->name, "lgtin"))
        return gs1_set_value(out->lot, sizeof out->lot, "lot", "lot", v, vl, 20, err);
    if (sc->kind == GS1_KIND_GLN)
        return gs1_set_value(out->ext, sizeof out->ext, "extension", "GLN extension", v, vl, 20,
                             err);
    return gs1_set_value(out->serial, sizeof out->serial, "serial", "serial", v, vl,
                         sc->kind == GS1_KIND_GRAI ? 16 : 20, err);
}

static void put_esc(gs1_out *o, const char *v)
{
    static const char hx[] = "0123456789ABCDEF";
    /* A component that is exactly "*" would read as a pattern wildcard. */
    if (!strcmp(v, "*")) {
        gs1_out_s(o, "%2A");
        return;
    }
    for (; *v; v++) {
        unsigned char c = (unsigned char)*v;
        if (strchr("\"%&/<>?", c)) {
            gs1_out_c(o, '%');
            gs1_out_c(o, hx[c >> 4]);
            gs1_out_c(o, hx[c & 15]);
        } else {
            gs1_out_c(o, (char)c);
        }
    }
}

static void put_n(gs1_out *o, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        gs1_out_c(o, s[i]);
}

int gs1_to_urn(const gs1_id *id, int gcp_len, char *out, size_t n, nqi_error *err)
{
    gs1_out o = {out, n, 0};
    if (n)
        out[0] = '\0';
    if (id->kind == GS1_KIND_PATTERN || id->kind == GS1_KIND_CN_DRUG ||
        id->kind == GS1_KIND_CN_SEC) {
        gs1_out_s(&o, id->canonical);
        return gs1_out_end(&o, err);
    }
    if (id->kind == GS1_KIND_NONE)
        return nqi_error_field(err, NQI_EINVAL, "id", "no identifier");
    if (id->cpv[0])
        return nqi_error_field(err, NQI_EINVAL, "cpv",
                               "a GTIN with a CPV (AI 22) has no EPC URN form");
    /* Where the company prefix starts in key, and how many digits follow
     * it before the check digit (the reference field). */
    size_t start =
        (id->kind == GS1_KIND_GTIN || id->kind == GS1_KIND_SSCC || id->kind == GS1_KIND_GRAI) ? 1
                                                                                              : 0;
    size_t kl = strlen(id->key);
    size_t body = id->kind == GS1_KIND_GIAI ? kl : kl - 1; /* without check digit */
    int cl = gcp_len ? gcp_len : id->gcp_len;
    if (!cl)
        cl = gs1_gcp_length(id->key + start, body - start);
    if (!cl)
        return nqi_error_field(err, NQI_EINVAL, "gcp_length",
                               "GS1 Company Prefix length for %s %s is not in the GCP table; "
                               "give it explicitly",
                               gs1_kind_name(id->kind), id->key);
    if (cl < 6 || cl > 12 || (size_t)cl > body - start ||
        (id->kind == GS1_KIND_GIAI && (size_t)cl == body))
        return nqi_error_field(err, NQI_EINVAL, "gcp_length",
                               "GS1 Company Prefix length %d does not fit %s %s", cl,
                               gs1_kind_name(id->kind), id->key);
    for (int i = 0; i < cl; i++)
        if (id->key[start + (size_t)i] < '0' || id->key[start + (size_t)i] > '9')
            return nqi_error_field(err, NQI_EINVAL, "gcp_length",
                                   "GIAI %s does not start with %d digits", id->key, cl);
    const char *cp = id->key + start;
    const char *ref = cp + cl;
    size_t rl = body - start - (size_t)cl;

    switch (id->kind) {
    case GS1_KIND_GTIN:
        if (id->serial[0])
            gs1_out_s(&o, "urn:epc:id:sgtin:");
        else if (id->lot[0])
            gs1_out_s(&o, "urn:epc:class:lgtin:");
        else
            gs1_out_s(&o, "urn:epc:idpat:sgtin:");
        put_n(&o, cp, (size_t)cl);
        gs1_out_c(&o, '.');
        gs1_out_c(&o, id->key[0]);
        put_n(&o, ref, rl);
        gs1_out_c(&o, '.');
        if (id->serial[0])
            put_esc(&o, id->serial);
        else if (id->lot[0])
            put_esc(&o, id->lot);
        else
            gs1_out_c(&o, '*');
        break;
    case GS1_KIND_SSCC:
        gs1_out_s(&o, "urn:epc:id:sscc:");
        put_n(&o, cp, (size_t)cl);
        gs1_out_c(&o, '.');
        gs1_out_c(&o, id->key[0]);
        put_n(&o, ref, rl);
        break;
    case GS1_KIND_GLN:
    case GS1_KIND_PGLN:
        gs1_out_s(&o, id->kind == GS1_KIND_GLN ? "urn:epc:id:sgln:" : "urn:epc:id:pgln:");
        put_n(&o, cp, (size_t)cl);
        gs1_out_c(&o, '.');
        put_n(&o, ref, rl);
        if (id->kind == GS1_KIND_GLN) {
            gs1_out_c(&o, '.');
            if (id->ext[0])
                put_esc(&o, id->ext);
            else
                gs1_out_c(&o, '0');
        }
        break;
    case GS1_KIND_GRAI:
        gs1_out_s(&o, id->serial[0] ? "urn:epc:id:grai:" : "urn:epc:idpat:grai:");
        put_n(&o, cp, (size_t)cl);
        gs1_out_c(&o, '.');
        put_n(&o, ref, rl);
        gs1_out_c(&o, '.');
        if (id->serial[0])
            put_esc(&o, id->serial);
        else
            gs1_out_c(&o, '*');
        break;
    case GS1_KIND_GIAI:
        gs1_out_s(&o, "urn:epc:id:giai:");
        put_n(&o, cp, (size_t)cl);
        gs1_out_c(&o, '.');
        put_esc(&o, ref);
        break;
    case GS1_KIND_GSRN:
        gs1_out_s(&o, "urn:epc:id:gsrn:");
        put_n(&o, cp, (size_t)cl);
        gs1_out_c(&o, '.');
        put_n(&o, ref, rl);
        break;
    default:
        return nqi_error_field(err, NQI_EINVAL, "id", "no EPC URN form");
    }
    return gs1_out_end(&o, err);
}
