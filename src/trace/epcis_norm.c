/*
 * epcis_norm.c — checking and normalising the values of an EPCIS event
 * (used by epcis_validate.c): times, identifiers (check digits and Digital
 * Link order through trace/gs1), CBV vocabularies, numbers, extension
 * fields, identifier / quantity / typed lists. Each ck_* function reports
 * its problems through ck_bad and returns the normalised value or NULL.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "trace/epcis.h"
#include "trace/epcis_internal.h"
#include "trace/gs1.h"

void ck_bad(chk *k, const char *path, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    k->nerr++;
    if (!k->errors || json_array_size(k->errors) >= EPCIS_MAX_ERRORS)
        return;
    char *field = xasprintf("%s%s", k->prefix ? k->prefix : "", path);
    json_array_append_new(k->errors, json_pack("{s:I, s:s, s:s}", "index", (json_int_t)k->index,
                                               "field", field, "detail", msg));
    free(field);
}

/* ---- times -------------------------------------------------------------- */

static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static int digits(const char *s, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

int epcis_time_parse(const char *s, int64_t *ms)
{
    /* YYYY-MM-DDTHH:MM:SS[.f+](Z|±HH:MM) */
    size_t n = s ? strlen(s) : 0;
    if (n < 20 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != 't') || s[13] != ':' ||
        s[16] != ':')
        return -1;
    int y = digits(s, 4), mo = digits(s + 5, 2), d = digits(s + 8, 2), h = digits(s + 11, 2),
        mi = digits(s + 14, 2), se = digits(s + 17, 2);
    if (y < 0 || mo < 1 || mo > 12 || d < 1 || h < 0 || h > 24 || mi < 0 || mi > 59 || se < 0 ||
        se > 60)
        return -1;
    static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (d > mdays[mo - 1] || (mo == 2 && d == 29 && !leap) || (h == 24 && (mi || se)))
        return -1;
    const char *p = s + 19;
    int64_t frac_ms = 0;
    if (*p == '.') {
        p++;
        int nd = 0;
        int64_t v = 0;
        while (*p >= '0' && *p <= '9') {
            if (nd < 4)
                v = v * 10 + (*p - '0');
            nd++;
            p++;
        }
        if (!nd)
            return -1;
        for (int i = nd; i < 4; i++)
            v *= 10;
        frac_ms = (v + 5) / 10; /* round half up on the fourth digit */
    }
    int off = 0;
    if (*p == 'Z' || *p == 'z') {
        p++;
    } else if ((*p == '+' || *p == '-') && strlen(p) == 6 && p[3] == ':') {
        int oh = digits(p + 1, 2), om = digits(p + 4, 2);
        if (oh < 0 || oh > 14 || om < 0 || om > 59)
            return -1;
        off = (oh * 60 + om) * (*p == '-' ? -1 : 1);
        p += 6;
    } else {
        return -1; /* no offset: EPCIS requires one */
    }
    if (*p)
        return -1;
    int64_t days = days_from_civil(y, mo, d);
    int64_t secs = days * 86400 + h * 3600 + mi * 60 + (se == 60 ? 59 : se) - (int64_t)off * 60;
    *ms = secs * 1000 + frac_ms;
    return 0;
}

void epcis_time_format(int64_t ms, char *buf)
{
    int64_t secs = ms >= 0 ? ms / 1000 : (ms - 999) / 1000;
    int msr = (int)(ms - secs * 1000);
    int64_t days = secs >= 0 ? secs / 86400 : (secs - 86399) / 86400;
    int64_t rem = secs - days * 86400;
    /* civil_from_days */
    int64_t z = days + 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t y = yoe + era * 400;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    int d = (int)(doy - (153 * mp + 2) / 5 + 1);
    int m = (int)(mp < 10 ? mp + 3 : mp - 9);
    y += m <= 2;
    if (y < 0 || y > 9999)
        y = y < 0 ? 0 : 9999; /* epcis_time_parse never yields these */
    snprintf(buf, 32, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", (int)y % 10000, m % 100, d % 100,
             (int)(rem / 3600) % 100, (int)(rem / 60 % 60), (int)(rem % 60), msr % 1000);
}

bool ck_tz_offset_ok(const char *s)
{
    if (strlen(s) != 6 || (s[0] != '+' && s[0] != '-') || s[3] != ':')
        return false;
    int h = digits(s + 1, 2), m = digits(s + 4, 2);
    return h >= 0 && m >= 0 && m < 60 && (h < 14 || (h == 14 && m == 0));
}

/* ---- values ------------------------------------------------------------- */

const char *ck_str_of(chk *k, json_t *v, const char *path)
{
    if (!json_is_string(v)) {
        ck_bad(k, path, "must be a string");
        return NULL;
    }
    const char *s = json_string_value(v);
    while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
        s++;
    if (!*s) {
        ck_bad(k, path, "must not be empty");
        return NULL;
    }
    return s;
}

bool ck_is_uri(const char *s)
{
    if (!isalpha((unsigned char)*s))
        return false;
    while (isalnum((unsigned char)*s) || *s == '+' || *s == '-' || *s == '.')
        s++;
    return *s == ':';
}

static bool ci_prefix(const char *s, const char *p)
{
    return !strncasecmp(s, p, strlen(p));
}

/* Does an http(s) URI look like a GS1 Digital Link (a key AI followed by a
 * value somewhere in its path)? Those must parse; other web URIs are kept. */
static bool dl_candidate(const char *s)
{
    const char *p = strstr(s, "://");
    if (!p)
        return false;
    p = strchr(p + 3, '/');
    static const char *const keys[] = {"00", "01", "414", "417", "8003", "8004", "8018", NULL};
    while (p && *p == '/') {
        const char *q = p + 1;
        size_t n = strcspn(q, "/?#");
        for (int i = 0; keys[i]; i++)
            if (n == strlen(keys[i]) && !memcmp(q, keys[i], n) && q[n] == '/' &&
                isdigit((unsigned char)q[n + 1]))
                return true;
        p = q + n;
    }
    return false;
}

static bool gs1_urn(const char *s)
{
    if (ci_prefix(s, "urn:nqi:"))
        return true;
    static const char *const kinds[] = {"urn:epc:id:", "urn:epc:class:", "urn:epc:idpat:", NULL};
    static const char *const schemes[] = {
        "sgtin:", "lgtin:", "sscc:", "sgln:", "pgln:", "grai:", "giai:", "gsrn:", NULL};
    for (int i = 0; kinds[i]; i++)
        if (ci_prefix(s, kinds[i])) {
            const char *t = s + strlen(kinds[i]);
            for (int j = 0; schemes[j]; j++)
                if (ci_prefix(t, schemes[j]))
                    return true;
        }
    return false;
}

/* urn:epc:id:gdti:CP.DocType.Serial -> https://id.gs1.org/253/<GDTI-13><serial>.
 * trace/gs1 does not read GDTIs (AI 253); the CBV 2.0 event hash writes
 * them as Digital Link, and documents (bizTransaction, transformationID)
 * are often GDTIs, so this one conversion lives here. NULL = not a GDTI. */
static json_t *gdti_dl(const char *s, size_t n, char *why, size_t whylen)
{
    static const char pre[] = "urn:epc:id:gdti:";
    if (n <= sizeof pre - 1 || strncasecmp(s, pre, sizeof pre - 1))
        return NULL;
    const char *p = s + sizeof pre - 1, *end = s + n;
    char key[14];
    size_t k = 0;
    int dots = 0;
    for (; p < end && dots < 2; p++) {
        if (*p == '.')
            dots++;
        else if (*p >= '0' && *p <= '9' && k < 12)
            key[k++] = *p;
        else
            break;
    }
    size_t sl = (size_t)(end - p);
    if (dots != 2 || k != 12 || sl > 17) {
        snprintf(why, whylen,
                 "a GDTI URN is urn:epc:id:gdti:CompanyPrefix.DocType.Serial "
                 "(12 digits before the serial, serial at most 17 characters)");
        return json_false();
    }
    for (size_t i = 0; i < sl; i++)
        if (!isalnum((unsigned char)p[i])) {
            snprintf(why, whylen,
                     "GDTI serial characters other than letters and digits are "
                     "not supported");
            return json_false();
        }
    key[12] = (char)('0' + gs1_check_digit(key, 12));
    key[13] = '\0';
    char out[64];
    snprintf(out, sizeof out, "https://id.gs1.org/253/%s%.*s", key, (int)sl, p);
    return json_string(out);
}

json_t *epcis_norm_id_value(const char *s, char *why, size_t whylen)
{
    size_t n = strlen(s);
    while (n && isspace((unsigned char)s[n - 1]))
        n--;
    json_t *g = gdti_dl(s, n, why, whylen);
    if (g && json_is_false(g))
        return NULL; /* json_false() is a singleton: nothing to free */
    if (g)
        return g;
    bool must =
        gs1_urn(s) || ((ci_prefix(s, "http://") || ci_prefix(s, "https://")) && dl_candidate(s));
    if (!must)
        return json_stringn(s, n);
    char canon[GS1_CANON_MAX];
    nqi_error e = {0};
    if (gs1_canonical(s, n, canon, sizeof canon, &e)) {
        snprintf(why, whylen, "%s", e.nfields ? e.fields[0].message : e.message);
        return NULL;
    }
    return json_string(canon);
}

/* An identifier (EPC, class, location, party, device): a URI, canonical
 * when trace/gs1 reads it. */
json_t *ck_norm_id(chk *k, json_t *v, const char *path)
{
    const char *s = ck_str_of(k, v, path);
    if (!s)
        return NULL;
    if (!ck_is_uri(s)) {
        ck_bad(k, path, "'%.60s' is not a URI (EPC URN, GS1 Digital Link or other URI)", s);
        return NULL;
    }
    char why[300];
    json_t *out = epcis_norm_id_value(s, why, sizeof why);
    if (!out)
        ck_bad(k, path, "%s", why);
    return out;
}

/* CBV vocabularies: bare CBV 2.0 names in the normalised event. */
static const char *const bizsteps[] = {"accepting",
                                       "arriving",
                                       "assembling",
                                       "collecting",
                                       "commissioning",
                                       "consigning",
                                       "creating_class_instance",
                                       "cycle_counting",
                                       "decommissioning",
                                       "departing",
                                       "destroying",
                                       "disassembling",
                                       "dispensing",
                                       "encoding",
                                       "entering_exiting",
                                       "holding",
                                       "inspecting",
                                       "installing",
                                       "killing",
                                       "loading",
                                       "other",
                                       "packing",
                                       "picking",
                                       "receiving",
                                       "removing",
                                       "repackaging",
                                       "repairing",
                                       "replacing",
                                       "reserving",
                                       "retail_selling",
                                       "sampling",
                                       "sensor_reporting",
                                       "shipping",
                                       "staging_outbound",
                                       "stock_taking",
                                       "stocking",
                                       "storing",
                                       "transporting",
                                       "unloading",
                                       "unpacking",
                                       "void_shipping",
                                       NULL};
static const char *const disps[] = {"active",
                                    "available",
                                    "completeness_inferred",
                                    "completeness_verified",
                                    "conformant",
                                    "container_closed",
                                    "container_open",
                                    "damaged",
                                    "destroyed",
                                    "dispensed",
                                    "disposed",
                                    "encoded",
                                    "expired",
                                    "in_progress",
                                    "in_transit",
                                    "inactive",
                                    "mismatch_class",
                                    "mismatch_instance",
                                    "mismatch_quantity",
                                    "needs_replacement",
                                    "no_pedigree_match",
                                    "non_conformant",
                                    "non_sellable_other",
                                    "partially_dispensed",
                                    "recalled",
                                    "reserved",
                                    "retail_sold",
                                    "returned",
                                    "sellable_accessible",
                                    "sellable_not_accessible",
                                    "stolen",
                                    "unavailable",
                                    "unknown",
                                    NULL};
static const char *const btts[] = {"bol",     "cert",    "desadv",    "inv",    "pedigree",
                                   "po",      "poc",     "prodorder", "recadv", "rma",
                                   "testprd", "testres", "upevt",     NULL};
static const char *const sdts[] = {"location", "owning_party", "possessing_party", NULL};
static const char *const ers[] = {"did_not_occur", "incorrect_data", NULL};

const vocab epcis_vocab_bizstep = {"urn:epcglobal:cbv:bizstep:", "https://ref.gs1.org/cbv/BizStep-",
                                   "cbv:BizStep-", bizsteps, "business step"};
const vocab epcis_vocab_disp = {"urn:epcglobal:cbv:disp:", "https://ref.gs1.org/cbv/Disp-",
                                "cbv:Disp-", disps, "disposition"};
const vocab epcis_vocab_btt = {"urn:epcglobal:cbv:btt:", "https://ref.gs1.org/cbv/BTT-", "cbv:BTT-",
                               btts, "business transaction type"};
const vocab epcis_vocab_sdt = {"urn:epcglobal:cbv:sdt:", "https://ref.gs1.org/cbv/SDT-", "cbv:SDT-",
                               sdts, "source/destination type"};
const vocab epcis_vocab_er = {"urn:epcglobal:cbv:er:", "https://ref.gs1.org/cbv/ER-", "cbv:ER-",
                              ers, "error reason"};

static bool in_list(const char *const *l, const char *s, size_t n)
{
    for (; *l; l++)
        if (strlen(*l) == n && !memcmp(*l, s, n))
            return true;
    return false;
}

json_t *ck_norm_cbv(chk *k, json_t *jv, const char *path, const vocab *v)
{
    const char *s = ck_str_of(k, jv, path);
    if (!s)
        return NULL;
    size_t n = strlen(s);
    while (n && isspace((unsigned char)s[n - 1]))
        n--;
    const char *bare = NULL;
    if (ci_prefix(s, v->urn))
        bare = s + strlen(v->urn);
    else if (!strncmp(s, v->web, strlen(v->web)))
        bare = s + strlen(v->web);
    else if (!strncmp(s, v->curie, strlen(v->curie)))
        bare = s + strlen(v->curie);
    if (bare) {
        size_t bn = n - (size_t)(bare - s);
        if (!in_list(v->names, bare, bn)) {
            ck_bad(k, path, "'%.*s' is not a CBV 2.0 %s", (int)(bn > 60 ? 60 : bn), bare, v->what);
            return NULL;
        }
        return json_stringn(bare, bn);
    }
    if (in_list(v->names, s, n))
        return json_stringn(s, n);
    if (ck_is_uri(s))
        return json_stringn(s, n);
    ck_bad(k, path, "'%.60s' is neither a CBV 2.0 %s nor a URI", s, v->what);
    return NULL;
}

json_t *ck_norm_time(chk *k, json_t *v, const char *path, int64_t *ms_out)
{
    const char *s = ck_str_of(k, v, path);
    if (!s)
        return NULL;
    int64_t ms;
    if (epcis_time_parse(s, &ms)) {
        ck_bad(k, path,
               "'%.40s' is not an xsd:dateTime with a time-zone offset "
               "(e.g. 2024-03-01T08:30:00.000+08:00)",
               s);
        return NULL;
    }
    if (ms_out)
        *ms_out = ms;
    char buf[32];
    epcis_time_format(ms, buf);
    return json_string(buf);
}

/* A JSON number (or a numeric string from the XML binding), whole numbers
 * as integers. */
json_t *epcis_norm_number(json_t *v)
{
    double d;
    if (json_is_integer(v))
        return json_integer(json_integer_value(v));
    if (json_is_real(v)) {
        d = json_real_value(v);
    } else if (json_is_string(v)) {
        const char *s = json_string_value(v);
        char *end;
        while (isspace((unsigned char)*s))
            s++;
        if (!*s)
            return NULL;
        d = strtod(s, &end);
        while (isspace((unsigned char)*end))
            end++;
        if (*end || end == s)
            return NULL;
    } else {
        return NULL;
    }
    if (!isfinite(d))
        return NULL;
    if (d == floor(d) && fabs(d) < 9.007199254740992e15)
        return json_integer((json_int_t)d);
    return json_real(d);
}

json_t *ck_norm_num(chk *k, json_t *v, const char *path, bool nonneg)
{
    json_t *out = epcis_norm_number(v);
    if (!out) {
        ck_bad(k, path, "must be a number");
        return NULL;
    }
    if (nonneg && json_number_value(out) < 0) {
        ck_bad(k, path, "must not be negative");
        json_decref(out);
        return NULL;
    }
    return out;
}

/* ---- extensions --------------------------------------------------------- */

/* "prefix:local" with a declared prefix (or a built-in one). */
bool ck_ext_key(chk *k, const char *key, const char *path)
{
    const char *c = strchr(key, ':');
    if (!c || c == key || !c[1] || strchr(key, '/')) {
        ck_bad(k, path,
               "unknown field (an extension needs a namespace prefix declared in @context)");
        return false;
    }
    char pre[64];
    size_t pn = (size_t)(c - key);
    if (pn >= sizeof pre) {
        ck_bad(k, path, "namespace prefix too long");
        return false;
    }
    memcpy(pre, key, pn);
    pre[pn] = '\0';
    const char *ns = epcis_ctx_ns(k->ctx, pre);
    if (!ns) {
        ck_bad(k, path, "namespace prefix '%s' is not declared in @context", pre);
        return false;
    }
    /* record it unless it is the built-in meaning (so the event carries
     * its own declaration whenever the document's differs) */
    if (json_object_get(k->ctx, pre) || !epcis_builtin_ns(pre))
        json_object_set_new(k->used, pre, json_string(ns));
    return true;
}

/* Extension values are kept, objects rebuilt with sorted keys so the text
 * does not depend on the order they were written in. */
json_t *ck_ext_value(chk *k, json_t *v, const char *path, int depth)
{
    if (depth > EPCIS_MAX_DEPTH) {
        ck_bad(k, path, "extension nested deeper than %d levels", EPCIS_MAX_DEPTH);
        return NULL;
    }
    if (json_is_array(v)) {
        json_t *out = json_array();
        size_t i;
        json_t *e;
        json_array_foreach(v, i, e)
        {
            json_t *x = ck_ext_value(k, e, path, depth + 1);
            if (!x) {
                json_decref(out);
                return NULL;
            }
            json_array_append_new(out, x);
        }
        return out;
    }
    if (json_is_object(v)) {
        size_t n = json_object_size(v), i = 0;
        const char **keys = xmalloc((n ? n : 1) * sizeof *keys);
        const char *key;
        json_t *e;
        json_object_foreach(v, key, e) keys[i++] = key;
        qsort(keys, n, sizeof *keys, epcis_strcmp_p);
        json_t *out = json_object();
        for (i = 0; i < n; i++) {
            json_t *x = ck_ext_value(k, json_object_get(v, keys[i]), path, depth + 1);
            if (!x) {
                json_decref(out);
                free(keys);
                return NULL;
            }
            json_object_set_new(out, keys[i], x);
        }
        free(keys);
        return out;
    }
    return json_incref(v);
}

/* Copy the extension members of src (keys with a prefix) into dst, sorted
 * by key; report members that are neither known (std) nor extensions. */
void ck_extensions(chk *k, json_t *src, json_t *dst, const char *const *std, const char *base)
{
    size_t n = json_object_size(src), m = 0;
    const char **keys = xmalloc((n ? n : 1) * sizeof *keys);
    const char *key;
    json_t *v;
    json_object_foreach(src, key, v)
    {
        bool known = false;
        for (int i = 0; std[i] && !known; i++)
            known = !strcmp(std[i], key);
        if (!known)
            keys[m++] = key;
    }
    qsort(keys, m, sizeof *keys, epcis_strcmp_p);
    for (size_t i = 0; i < m; i++) {
        char path[160];
        snprintf(path, sizeof path, "%s%.100s", base, keys[i]);
        if (!ck_ext_key(k, keys[i], path))
            continue;
        json_t *x = ck_ext_value(k, json_object_get(src, keys[i]), path, 0);
        if (x)
            json_object_set_new(dst, keys[i], x);
    }
    free(keys);
}

/* ---- lists -------------------------------------------------------------- */

json_t *ck_id_list(chk *k, json_t *v, const char *name)
{
    if (!json_is_array(v)) {
        ck_bad(k, name, "must be an array of identifiers");
        return NULL;
    }
    json_t *out = json_array();
    size_t i;
    json_t *e;
    json_array_foreach(v, i, e)
    {
        char path[64];
        snprintf(path, sizeof path, "%s/%zu", name, i);
        json_t *x = ck_norm_id(k, e, path);
        if (x)
            json_array_append_new(out, x);
    }
    return out;
}

json_t *ck_quantity_list(chk *k, json_t *v, const char *name)
{
    static const char *const std[] = {"epcClass", "quantity", "uom", NULL};
    if (!json_is_array(v)) {
        ck_bad(k, name, "must be an array of quantity elements");
        return NULL;
    }
    json_t *out = json_array();
    size_t i;
    json_t *e;
    json_array_foreach(v, i, e)
    {
        char base[64], path[96];
        snprintf(base, sizeof base, "%s/%zu/", name, i);
        if (!json_is_object(e)) {
            snprintf(path, sizeof path, "%s/%zu", name, i);
            ck_bad(k, path, "a quantity element is an object {epcClass, quantity, uom}");
            continue;
        }
        json_t *q = json_object();
        snprintf(path, sizeof path, "%sepcClass", base);
        json_t *c = json_object_get(e, "epcClass");
        if (!c)
            ck_bad(k, path, "required");
        else if ((c = ck_norm_id(k, c, path)))
            json_object_set_new(q, "epcClass", c);
        json_t *qty = json_object_get(e, "quantity"), *uom = json_object_get(e, "uom");
        snprintf(path, sizeof path, "%squantity", base);
        if (qty && (qty = ck_norm_num(k, qty, path, true)))
            json_object_set_new(q, "quantity", qty);
        snprintf(path, sizeof path, "%suom", base);
        if (uom) {
            const char *u = ck_str_of(k, uom, path);
            size_t un = u ? strlen(u) : 0;
            if (u && (un < 2 || un > 3 || strspn(u, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") != un))
                ck_bad(k, path, "'%.20s' is not a UN/ECE Recommendation 20 unit code", u);
            else if (u && !json_object_get(e, "quantity"))
                ck_bad(k, path, "a unit of measure needs a quantity");
            else if (u)
                json_object_set_new(q, "uom", json_string(u));
        }
        ck_extensions(k, e, q, std, base);
        json_array_append_new(out, q);
    }
    return out;
}

/* sourceList / destinationList / bizTransactionList: [{type, <item>}] */
json_t *ck_typed_list(chk *k, json_t *v, const char *name, const char *item, const vocab *voc,
                      bool type_required)
{
    const char *std[] = {"type", item, NULL};
    if (!json_is_array(v)) {
        ck_bad(k, name, "must be an array");
        return NULL;
    }
    json_t *out = json_array();
    size_t i;
    json_t *e;
    json_array_foreach(v, i, e)
    {
        char base[64], path[96];
        snprintf(base, sizeof base, "%s/%zu/", name, i);
        if (!json_is_object(e)) {
            snprintf(path, sizeof path, "%s/%zu", name, i);
            ck_bad(k, path, "must be an object {type, %s}", item);
            continue;
        }
        json_t *o = json_object(), *t = json_object_get(e, "type"), *x = json_object_get(e, item);
        snprintf(path, sizeof path, "%stype", base);
        if (!t && type_required)
            ck_bad(k, path, "required");
        else if (t && (t = ck_norm_cbv(k, t, path, voc)))
            json_object_set_new(o, "type", t);
        snprintf(path, sizeof path, "%s%s", base, item);
        if (!x)
            ck_bad(k, path, "required");
        else if ((x = ck_norm_id(k, x, path)))
            json_object_set_new(o, item, x);
        ck_extensions(k, e, o, std, base);
        json_array_append_new(out, o);
    }
    return out;
}
