/*
 * gcp_table.c — GS1 Company Prefix lengths by leading digits, for turning
 * a key into an EPC URN (the canonical Digital Link form needs none).
 *
 * The built-in table holds only what this project is sure of (sources in
 * docs/modules/gs1.md); it is data, meant to be replaced at start-up by
 * GS1's published "GCP length" file (gcpprefixformatlist.xml, or the same
 * as "prefix length" lines) through gs1_gcp_table_load. No default length
 * is guessed: an unknown prefix is an error asking for an explicit length,
 * because a wrong split would produce a URN that matches nobody else's.
 */
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "trace/gs1.h"
#include "trace/gs1_internal.h"

typedef struct gcp_entry {
    char prefix[13]; /* 1–12 digits */
    unsigned char len;
} gcp_entry;

/* Sorted by prefix (strcmp). Keep it sorted: lookup is binary search. */
static const gcp_entry builtin[] = {
    {"0614141", 7}, /* EPC TDS examples: urn:epc:id:sgtin:0614141.812345.6789 */
    {"4012345", 7}, /* GS1 / EPCIS examples: urn:epc:class:lgtin:4012345.012345.998877 */
    {"690", 7},     /* GS1 China: 690, 691 -> 7-digit company prefix */
    {"691", 7},
    {"692", 8}, /* GS1 China: 692, 693 -> 8-digit company prefix */
    {"693", 8},
    {"9506000", 7}, /* GS1 Digital Link examples: 09506000134352 (GS1 Global Office) */
};

static gcp_entry *loaded;
static size_t nloaded;

static const gcp_entry *table(size_t *n)
{
    if (loaded) {
        *n = nloaded;
        return loaded;
    }
    *n = sizeof builtin / sizeof builtin[0];
    return builtin;
}

static int cmp_entry(const void *a, const void *b)
{
    return strcmp(((const gcp_entry *)a)->prefix, ((const gcp_entry *)b)->prefix);
}

int gs1_gcp_length(const char *digits, size_t n)
{
    size_t tn;
    const gcp_entry *t = table(&tn);
    gcp_entry probe;
    for (size_t l = n < 12 ? n : 12; l >= 1; l--) {
        memcpy(probe.prefix, digits, l);
        probe.prefix[l] = '\0';
        const gcp_entry *e = bsearch(&probe, t, tn, sizeof *t, cmp_entry);
        if (e)
            return e->len <= n ? e->len : 0;
    }
    return 0;
}

/* One entry from (prefix, length) text; 0 ok, -1 bad. */
static int entry(const char *p, size_t pl, const char *l, size_t ll, gcp_entry *e)
{
    if (!pl || pl > 12 || !ll || ll > 2)
        return -1;
    for (size_t i = 0; i < pl; i++)
        if (p[i] < '0' || p[i] > '9')
            return -1;
    int v = 0;
    for (size_t i = 0; i < ll; i++) {
        if (l[i] < '0' || l[i] > '9')
            return -1;
        v = v * 10 + (l[i] - '0');
    }
    if (v < 6 || v > 12 || (size_t)v < pl)
        return -1;
    memcpy(e->prefix, p, pl);
    e->prefix[pl] = '\0';
    e->len = (unsigned char)v;
    return 0;
}

/* Find attr="value" inside [s, e); returns the value slice. */
static const char *attr(const char *s, const char *e, const char *name, size_t *vl)
{
    size_t nl = strlen(name);
    for (const char *p = s; p + nl + 2 < e; p++) {
        if (memcmp(p, name, nl) || p[nl] != '=' || p[nl + 1] != '"')
            continue;
        if (p > s && p[-1] != ' ' && p[-1] != '\t')
            continue;
        const char *v = p + nl + 2, *q = v;
        while (q < e && *q != '"')
            q++;
        if (q == e)
            return NULL;
        *vl = (size_t)(q - v);
        return v;
    }
    return NULL;
}

int gs1_gcp_table_load(const char *text, size_t len, size_t *count, nqi_error *err)
{
    size_t cap = 64, n = 0;
    gcp_entry *t = xmalloc(cap * sizeof *t);
    bool xml = len && memchr(text, '<', len) != NULL;
    size_t line = 0;
    for (size_t i = 0; i < len;) {
        const char *s = text + i;
        const char *e = memchr(s, '\n', len - i);
        if (!e)
            e = text + len;
        i = (size_t)(e - text) + 1;
        line++;
        gcp_entry ent;
        int rc = 1; /* 1 = nothing on this line */
        if (xml) {
            const char *tag = NULL;
            for (const char *p = s; p + 6 <= e; p++)
                if (!memcmp(p, "<entry", 6)) {
                    tag = p;
                    break;
                }
            if (tag) {
                size_t pl, ll;
                const char *p = attr(tag, e, "prefix", &pl);
                const char *l = attr(tag, e, "gcpLength", &ll);
                rc = (p && l) ? entry(p, pl, l, ll, &ent) : -1;
            }
        } else {
            const char *p = s;
            while (p < e && (*p == ' ' || *p == '\t' || *p == '\r'))
                p++;
            if (p < e && *p != '#') {
                const char *q = p;
                while (q < e && *q >= '0' && *q <= '9')
                    q++;
                const char *l = q;
                while (l < e && (*l == ' ' || *l == '\t'))
                    l++;
                const char *le = l;
                while (le < e && *le >= '0' && *le <= '9')
                    le++;
                const char *r = le;
                while (r < e && (*r == ' ' || *r == '\t' || *r == '\r'))
                    r++;
                rc = (l > q && r == e) ? entry(p, (size_t)(q - p), l, (size_t)(le - l), &ent) : -1;
            }
        }
        if (rc < 0) {
            free(t);
            return nqi_error_field(err, NQI_EINVAL, "gcp_table",
                                   "line %zu: expected a prefix of 1-12 digits and a length "
                                   "of 6-12 not shorter than it",
                                   line);
        }
        if (rc > 0)
            continue;
        if (n == cap)
            t = xrealloc(t, (cap *= 2) * sizeof *t);
        t[n++] = ent;
    }
    if (!n) {
        free(t);
        return nqi_error_field(err, NQI_EINVAL, "gcp_table", "no entries");
    }
    qsort(t, n, sizeof *t, cmp_entry);
    for (size_t i = 1; i < n; i++)
        if (!strcmp(t[i - 1].prefix, t[i].prefix) && t[i - 1].len != t[i].len) {
            nqi_error_field(err, NQI_EINVAL, "gcp_table",
                            "prefix %s is listed with lengths %d and %d", t[i].prefix, t[i - 1].len,
                            t[i].len);
            free(t);
            return NQI_EINVAL;
        }
    free(loaded);
    loaded = t;
    nloaded = n;
    if (count)
        *count = n;
    return 0;
}

void gs1_gcp_table_reset(void)
{
    free(loaded);
    loaded = NULL;
    nloaded = 0;
}
