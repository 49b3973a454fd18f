/*
 * draw.c — the verifiable 双随机 draw engine. The algorithm is specified in
 * docs/modules/draw.md; this file is the reference implementation. Every
 * byte that goes into a hash or a random stream is produced here by one
 * function each (pool_line, roster_line, params_canonical, commitment_text,
 * derive), so the specification can point at them.
 */
#define _GNU_SOURCE /* qsort_r */
#include "supervision/draw.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>
#include <sys/mman.h>

#include "core/util.h"
#include "supervision/credit_code.h"

/* ------------------------------------------------------------------ */
/* packed credit codes: 5 bits per character, value order = byte order  */

typedef struct ckey {
    uint64_t hi;   /* characters 1-12 */
    uint32_t lo;   /* characters 13-18 */
    uint32_t idx;  /* caller's index (pool) or roster position (conflicts) */
    uint32_t attr; /* pool: (region, field) pair id */
    uint8_t sid;   /* pool: stratum id */
} ckey;         /* carried through the sort so hashing reads no caller memory */

static signed char cc_value[256];
static void cc_table_init(void)
{
    static int done;
    if (done)
        return;
    memset(cc_value, -1, sizeof cc_value);
    for (int i = 0; i < 31; i++)
        cc_value[(unsigned char)credit_code_charset[i]] = (signed char)i;
    done = 1;
}

/* Pack a code known to be valid. */
static void cc_pack(const char *code, ckey *k)
{
    uint64_t hi = 0;
    uint32_t lo = 0;
    for (int i = 0; i < 12; i++)
        hi = hi << 5 | (uint64_t)cc_value[(unsigned char)code[i]];
    for (int i = 12; i < 18; i++)
        lo = lo << 5 | (uint32_t)cc_value[(unsigned char)code[i]];
    k->hi = hi;
    k->lo = lo;
}

static int ckey_cmp(const ckey *a, const ckey *b)
{
    if (a->hi != b->hi)
        return a->hi < b->hi ? -1 : 1;
    if (a->lo != b->lo)
        return a->lo < b->lo ? -1 : 1;
    return 0;
}

static int ckey_cmp_full(const void *pa, const void *pb)
{
    const ckey *a = pa, *b = pb;
    int c = ckey_cmp(a, b);
    return c ? c : (a->idx < b->idx ? -1 : a->idx > b->idx);
}

/* Large buffers (the pool's keys and the sort's scratch: 24 MB each for a
 * million entities) on 2 MB pages where the kernel does transparent huge
 * pages on request: first-touch page faults of 4 KB pages were ~15% of the
 * pool's CPU time on the build VM. Freed with free(). */
#define BIG_ALIGN ((size_t)2 << 20)
static void *big_alloc(size_t n)
{
    if (n < 2 * BIG_ALIGN)
        return xmalloc(n ? n : 1);
    void *p = NULL;
    size_t rounded = (n + BIG_ALIGN - 1) & ~(BIG_ALIGN - 1);
    if (posix_memalign(&p, BIG_ALIGN, rounded))
        return xmalloc(n);
#ifdef MADV_HUGEPAGE
    madvise(p, rounded, MADV_HUGEPAGE); /* advice only: failure changes nothing */
#endif
    return p;
}

/* LSD radix sort on the 90-bit (hi, lo), 11 bits a pass (2048 buckets stay
 * in cache); stable, so equal codes keep the caller's order (the later index
 * is the duplicate). Passes where every key has the same digit are skipped. */
#define RADIX_BITS 11
#define RADIX_PASSES 9 /* ceil(90 / 11) */
static inline size_t ckey_digit(const ckey *k, int pass)
{
    unsigned __int128 v = (unsigned __int128)k->hi << 30 | k->lo;
    return (size_t)(v >> (RADIX_BITS * pass)) & ((1u << RADIX_BITS) - 1);
}

static void ckey_sort(ckey *a, size_t n)
{
    if (n < 2)
        return;
    ckey *tmp = big_alloc(n * sizeof *tmp), *src = a, *dst = tmp;
    size_t(*count)[1u << RADIX_BITS] = xcalloc(RADIX_PASSES, sizeof *count);
    for (size_t i = 0; i < n; i++)
        for (int pass = 0; pass < RADIX_PASSES; pass++)
            count[pass][ckey_digit(&a[i], pass)]++;
    for (int pass = 0; pass < RADIX_PASSES; pass++) {
        size_t *c = count[pass];
        if (c[ckey_digit(&src[0], pass)] == n)
            continue;
        size_t sum = 0;
        for (size_t d = 0; d < (1u << RADIX_BITS); d++) {
            size_t x = c[d];
            c[d] = sum;
            sum += x;
        }
        for (size_t i = 0; i < n; i++)
            dst[c[ckey_digit(&src[i], pass)]++] = src[i];
        ckey *t = src;
        src = dst;
        dst = t;
    }
    if (src != a)
        memcpy(a, src, n * sizeof *a);
    free(count);
    free(tmp);
}

/* The 18 characters of a packed code. */
static void cc_unpack(const ckey *k, char out[18])
{
    uint64_t hi = k->hi;
    uint32_t lo = k->lo;
    for (int i = 17; i >= 12; i--, lo >>= 5)
        out[i] = credit_code_charset[lo & 31];
    for (int i = 11; i >= 0; i--, hi >>= 5)
        out[i] = credit_code_charset[hi & 31];
}

/* ------------------------------------------------------------------ */
/* text rules                                                          */

static bool label_ok(const char *s) /* stratum label: 1-32 of [A-Za-z0-9_.-] */
{
    size_t n = 0;
    if (!s)
        return false;
    for (; s[n]; n++) {
        char c = s[n];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '.' || c == '-'))
            return false;
    }
    return n >= 1 && n <= 32;
}

static bool draw_id_ok(const char *s) /* 1-64 of [A-Za-z0-9_.:-] */
{
    size_t n = 0;
    if (!s)
        return false;
    for (; s[n]; n++) {
        char c = s[n];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '.' || c == '-' || c == ':'))
            return false;
    }
    return n >= 1 && n <= 64;
}

/* Attribute text (region, field, department, inspector id): at most 64
 * bytes, no control characters, no '|' or ',' (the canonical separators).
 * UTF-8 well-formedness is the caller's (JSON layer's) business. */
static bool attr_ok(const char *s, bool required)
{
    if (!s || !*s)
        return !required;
    size_t n = 0;
    for (; s[n]; n++) {
        unsigned char c = (unsigned char)s[n];
        if (c < 0x20 || c == 0x7f || c == '|' || c == ',')
            return false;
    }
    return n <= 64;
}

static const char *nz(const char *s) { return s ? s : ""; }

/* ------------------------------------------------------------------ */
/* hashing helpers                                                     */

/* Pool and roster texts are hashed with BLAKE2b-256 (`b2sum -l 256`): for
 * a million entities (~37 MB) libsodium's portable SHA-256 alone took more
 * than the whole 500 ms budget; BLAKE2b is about four times faster. */
typedef struct hasher {
    crypto_generichash_state st;
    char buf[65536];
    size_t len;
} hasher;

static void h_init(hasher *h)
{
    crypto_generichash_init(&h->st, NULL, 0, 32);
    h->len = 0;
}

static void h_flush(hasher *h)
{
    crypto_generichash_update(&h->st, (const unsigned char *)h->buf, h->len);
    h->len = 0;
}

static void h_put(hasher *h, const char *s)
{
    size_t n = strlen(s);
    if (h->len + n > sizeof h->buf) {
        h_flush(h);
        if (n > sizeof h->buf) {
            crypto_generichash_update(&h->st, (const unsigned char *)s, n);
            return;
        }
    }
    memcpy(h->buf + h->len, s, n);
    h->len += n;
}

static void h_putc(hasher *h, char c)
{
    if (h->len == sizeof h->buf)
        h_flush(h);
    h->buf[h->len++] = c;
}

static void h_final_hex(hasher *h, char out[DRAW_HASH_HEX])
{
    unsigned char d[32];
    h_flush(h);
    crypto_generichash_final(&h->st, d, 32);
    hex_encode(d, 32, out);
}

static void sha256_hex(const void *p, size_t n, char out[DRAW_HASH_HEX])
{
    unsigned char d[32];
    crypto_hash_sha256(d, p, n);
    hex_encode(d, 32, out);
}

static int sodium_ready(nqi_error *err)
{
    if (sodium_init() < 0)
        return nqi_error_set(err, NQI_EINTERNAL, "libsodium failed to initialise");
    cc_table_init();
    return 0;
}

/* Output a canonical text either to a hasher or to a buf. */
typedef struct sink {
    hasher *h;
    buf *b;
} sink;

static void sink_put(sink *s, const char *t)
{
    if (s->h)
        h_put(s->h, t);
    else
        buf_puts(s->b, t);
}

static void sink_putc(sink *s, char c)
{
    if (s->h)
        h_putc(s->h, c);
    else
        buf_append(s->b, &c, 1);
}

/* ------------------------------------------------------------------ */
/* pool                                                                */

struct draw_pool {
    const draw_entity *ents; /* borrowed */
    size_t n;
    ckey *keys;     /* sorted by code; keys[p].idx = caller index */
    uint8_t *sid;   /* stratum id per sorted position */
    int nlabels;
    const char *labels[DRAW_STRATA_MAX]; /* borrowed, first occurrence */
    size_t label_len[DRAW_STRATA_MAX];
    size_t *strat_off;                   /* nlabels + 1 offsets into strat_pos */
    uint32_t *strat_pos;                 /* sorted positions grouped by stratum */
    struct attr_pair {                   /* distinct (region, field) pairs */
        const char *region, *field;      /* borrowed */
        char *text;                      /* "|region|field\n" */
        size_t len;
    } *pairs;
    uint32_t npairs, pcap;
    uint32_t *pslot; /* open addressing over pairs, index + 1 */
    size_t pscap;
    char hash[DRAW_HASH_HEX];
};

static uint64_t fnv1a(const char *s);

/* Id of the (region, field) pair, interned on first sight. */
static uint32_t pool_pair_id(draw_pool *p, const char *region, const char *field)
{
    region = nz(region);
    field = nz(field);
    if (p->npairs * 2 >= p->pscap) {
        size_t ncap = p->pscap ? p->pscap * 2 : 256;
        free(p->pslot);
        p->pslot = xcalloc(ncap, sizeof *p->pslot);
        p->pscap = ncap;
        for (uint32_t i = 0; i < p->npairs; i++) {
            size_t j = (fnv1a(p->pairs[i].region) * 31 + fnv1a(p->pairs[i].field)) & (ncap - 1);
            while (p->pslot[j])
                j = (j + 1) & (ncap - 1);
            p->pslot[j] = i + 1;
        }
    }
    size_t j = (fnv1a(region) * 31 + fnv1a(field)) & (p->pscap - 1);
    for (; p->pslot[j]; j = (j + 1) & (p->pscap - 1)) {
        const struct attr_pair *a = &p->pairs[p->pslot[j] - 1];
        if (strcmp(a->region, region) == 0 && strcmp(a->field, field) == 0)
            return p->pslot[j] - 1;
    }
    if (p->npairs == p->pcap) {
        p->pcap = p->pcap ? p->pcap * 2 : 64;
        p->pairs = xrealloc(p->pairs, p->pcap * sizeof *p->pairs);
    }
    struct attr_pair *a = &p->pairs[p->npairs];
    a->region = region;
    a->field = field;
    a->text = xasprintf("|%s|%s\n", region, field);
    a->len = strlen(a->text);
    p->pslot[j] = p->npairs + 1;
    return p->npairs++;
}

/* One pool line: "code|stratum|region|field\n", from the sorted key alone. */
static void pool_line(sink *s, const draw_pool *p, const ckey *k)
{
    char code[19];
    cc_unpack(k, code);
    code[18] = '|';
    if (s->h && s->h->len + 19 + 32 + 2 * 64 + 4 <= sizeof s->h->buf) { /* fast path */
        hasher *h = s->h;
        memcpy(h->buf + h->len, code, 19);
        h->len += 19;
        const char *l = p->labels[k->sid];
        size_t ll = p->label_len[k->sid];
        memcpy(h->buf + h->len, l, ll);
        h->len += ll;
        memcpy(h->buf + h->len, p->pairs[k->attr].text, p->pairs[k->attr].len);
        h->len += p->pairs[k->attr].len;
        return;
    }
    code[18] = '\0';
    sink_put(s, code);
    sink_putc(s, '|');
    sink_put(s, p->labels[k->sid]);
    sink_put(s, p->pairs[k->attr].text);
}

static int pool_label_id(draw_pool *p, const char *label, int *last)
{
    if (*last >= 0 && p->labels[*last] == label)
        return *last;
    for (int i = 0; i < p->nlabels; i++) /* callers often share label strings */
        if (p->labels[i] == label)
            return *last = i;
    for (int i = 0; i < p->nlabels; i++)
        if (strcmp(p->labels[i], label) == 0)
            return *last = i;
    if (p->nlabels == DRAW_STRATA_MAX)
        return -1;
    p->labels[p->nlabels] = label;
    p->label_len[p->nlabels] = strlen(label);
    return *last = p->nlabels++;
}

/* Validate entity i and fill its key; records at most a screenful of errors. */
static bool pool_check_entity(draw_pool *p, const draw_entity *e, size_t i, int *last,
                              const draw_entity **prev, nqi_error *err)
{
    char field[96];
    bool good = true;
    const char *c = e->credit_code;
    bool ok = credit_code_valid(c);
    if (!ok) {
        snprintf(field, sizeof field, "pool/%zu/credit_code", i);
        credit_code_validate(c, field, err);
        good = false;
    } else {
        cc_pack(c, &p->keys[i]);
    }
    p->keys[i].idx = (uint32_t)i;
    int id = label_ok(e->stratum) ? pool_label_id(p, e->stratum, last) : -2;
    if (id < 0) {
        snprintf(field, sizeof field, "pool/%zu/stratum", i);
        nqi_error_field(err, NQI_EINVAL, field,
                        id == -2 ? "stratum label must be 1-32 of A-Z a-z 0-9 _ . -"
                                 : "more than %d strata", DRAW_STRATA_MAX);
        id = 0;
        good = false;
    }
    p->keys[i].sid = (uint8_t)id;
    if (!attr_ok(e->region, false)) {
        snprintf(field, sizeof field, "pool/%zu/region", i);
        nqi_error_field(err, NQI_EINVAL, field,
                        "at most 64 bytes, no control characters, '|' or ','");
        good = false;
    }
    if (!attr_ok(e->field, false)) {
        snprintf(field, sizeof field, "pool/%zu/field", i);
        nqi_error_field(err, NQI_EINVAL, field,
                        "at most 64 bytes, no control characters, '|' or ','");
        good = false;
    }
    if (good) { /* same strings as the previous entity: same pair, no hashing */
        const draw_entity *q = *prev;
        if (q && q->region == e->region && q->field == e->field)
            p->keys[i].attr = p->keys[i - 1].attr;
        else
            p->keys[i].attr = pool_pair_id(p, e->region, e->field);
        *prev = e;
    } else {
        *prev = NULL;
    }
    return good;
}

int draw_pool_new(const draw_entity *ents, size_t n, draw_pool **out, nqi_error *err)
{
    *out = NULL;
    int rc = sodium_ready(err);
    if (rc)
        return rc;
    if (n >= UINT32_MAX)
        return nqi_error_field(err, NQI_EINVAL, "pool", "too many entities");
    draw_pool *p = xcalloc(1, sizeof *p);
    p->ents = ents;
    p->n = n;
    p->keys = big_alloc((n ? n : 1) * sizeof *p->keys);
    int last = -1, nbad = 0;
    const draw_entity *prev = NULL;
    for (size_t i = 0; i < n && nbad < NQI_ERR_MAX_FIELDS; i++)
        nbad += !pool_check_entity(p, &ents[i], i, &last, &prev, err);
    if (nbad) {
        rc = NQI_EINVAL;
        goto fail;
    }
    ckey_sort(p->keys, n);
    for (size_t k = 1; k < n; k++) {
        if (ckey_cmp(&p->keys[k - 1], &p->keys[k]) == 0) {
            char field[96];
            snprintf(field, sizeof field, "pool/%u/credit_code", p->keys[k].idx);
            rc = nqi_error_field(err, NQI_EINVAL, field, "duplicate of pool/%u (%s)",
                                 p->keys[k - 1].idx, ents[p->keys[k].idx].credit_code);
            goto fail;
        }
    }
    /* hash and bucket by stratum, both in code order */
    p->sid = xmalloc(n ? n : 1);
    p->strat_off = xcalloc((size_t)p->nlabels + 1, sizeof *p->strat_off);
    p->strat_pos = big_alloc((n ? n : 1) * sizeof *p->strat_pos);
    hasher *h = xmalloc(sizeof *h);
    h_init(h);
    sink s = {h, NULL};
    for (size_t k = 0; k < n; k++) {
        p->sid[k] = p->keys[k].sid;
        p->strat_off[p->keys[k].sid + 1]++;
        pool_line(&s, p, &p->keys[k]);
    }
    h_final_hex(h, p->hash);
    free(h);
    for (int l = 0; l < p->nlabels; l++)
        p->strat_off[l + 1] += p->strat_off[l];
    size_t *fill = xmalloc(((size_t)p->nlabels + 1) * sizeof *fill);
    memcpy(fill, p->strat_off, ((size_t)p->nlabels + 1) * sizeof *fill);
    for (size_t k = 0; k < n; k++)
        p->strat_pos[fill[p->sid[k]]++] = (uint32_t)k;
    free(fill);
    *out = p;
    return 0;
fail:
    draw_pool_free(p);
    return rc;
}

void draw_pool_free(draw_pool *p)
{
    if (!p)
        return;
    free(p->keys);
    free(p->sid);
    free(p->strat_off);
    free(p->strat_pos);
    for (uint32_t i = 0; i < p->npairs; i++)
        free(p->pairs[i].text);
    free(p->pairs);
    free(p->pslot);
    free(p);
}

size_t draw_pool_size(const draw_pool *p) { return p->n; }
const char *draw_pool_hash(const draw_pool *p) { return p->hash; }

char *draw_pool_canonical(const draw_pool *p, size_t *len)
{
    buf b;
    buf_init(&b, 0);
    sink s = {NULL, &b};
    for (size_t k = 0; k < p->n; k++)
        pool_line(&s, p, &p->keys[k]);
    if (len)
        *len = b.len;
    char *r = buf_steal(&b);
    return r ? r : xstrdup("");
}

static const draw_entity *pool_ent(const draw_pool *p, uint32_t pos)
{
    return &p->ents[p->keys[pos].idx];
}

/* Sorted position of a code in the pool, or -1. */
static int64_t pool_find(const draw_pool *p, const char *code)
{
    if (!code || strlen(code) != CREDIT_CODE_LEN || !credit_code_valid(code))
        return -1;
    ckey k = {0};
    cc_pack(code, &k);
    size_t lo = 0, hi = p->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = ckey_cmp(&p->keys[mid], &k);
        if (c == 0)
            return (int64_t)mid;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return -1;
}

static int pool_label_index(const draw_pool *p, const char *label)
{
    for (int i = 0; i < p->nlabels; i++)
        if (strcmp(p->labels[i], label) == 0)
            return i;
    return -1;
}

/* ------------------------------------------------------------------ */
/* roster                                                              */

struct draw_roster {
    const draw_inspector *insp; /* borrowed */
    size_t n;
    uint32_t *order;       /* roster position -> caller index, sorted by id */
    const char **fields;   /* per position, sorted, flat */
    size_t *field_off;     /* n + 1 */
    ckey *conf;            /* (code, roster position), sorted */
    size_t nconf;
    char hash[DRAW_HASH_HEX];
};

static const draw_inspector *roster_insp(const draw_roster *r, uint32_t pos)
{
    return &r->insp[r->order[pos]];
}

static int insp_cmp(const void *a, const void *b, void *ctx)
{
    const draw_inspector *in = ctx;
    return strcmp(in[*(const uint32_t *)a].id, in[*(const uint32_t *)b].id);
}

static int str_cmp(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Indices into in->conflicts in code order; tmp holds nconflicts keys. */
static void conflict_order(const draw_inspector *in, ckey *tmp, uint32_t *order)
{
    for (size_t j = 0; j < in->nconflicts; j++) {
        memset(&tmp[j], 0, sizeof tmp[j]);
        cc_pack(in->conflicts[j], &tmp[j]);
        tmp[j].idx = (uint32_t)j;
    }
    qsort(tmp, in->nconflicts, sizeof *tmp, ckey_cmp_full);
    for (size_t j = 0; j < in->nconflicts; j++)
        order[j] = tmp[j].idx;
}

/* One roster line: "id|department|region|active|f1,f2|c1,c2\n", fields
 * sorted by bytes, conflicts sorted by code. */
static void roster_line(sink *s, const draw_roster *r, uint32_t pos, const uint32_t *conf_order)
{
    const draw_inspector *in = roster_insp(r, pos);
    sink_put(s, in->id);
    sink_putc(s, '|');
    sink_put(s, nz(in->department));
    sink_putc(s, '|');
    sink_put(s, nz(in->region));
    sink_putc(s, '|');
    sink_putc(s, in->active ? '1' : '0');
    sink_putc(s, '|');
    for (size_t j = r->field_off[pos]; j < r->field_off[pos + 1]; j++) {
        if (j > r->field_off[pos])
            sink_putc(s, ',');
        sink_put(s, r->fields[j]);
    }
    sink_putc(s, '|');
    for (size_t j = 0; j < in->nconflicts; j++) {
        if (j)
            sink_putc(s, ',');
        sink_put(s, in->conflicts[conf_order[j]]);
    }
    sink_putc(s, '\n');
}

/* Returns the number of problems found (stops after a screenful). */
static int roster_check(const draw_inspector *insp, size_t n, nqi_error *err)
{
    char field[96];
    int nbad = 0;
    for (size_t i = 0; i < n && nbad < NQI_ERR_MAX_FIELDS; i++) {
        const draw_inspector *in = &insp[i];
        if (!attr_ok(in->id, true)) {
            snprintf(field, sizeof field, "inspectors/%zu/id", i);
            nqi_error_field(err, NQI_EINVAL, field,
                            "required, at most 64 bytes, no control characters, '|' or ','");
            nbad++;
        }
        if (!attr_ok(in->department, false)) {
            snprintf(field, sizeof field, "inspectors/%zu/department", i);
            nqi_error_field(err, NQI_EINVAL, field,
                            "at most 64 bytes, no control characters, '|' or ','");
            nbad++;
        }
        if (!attr_ok(in->region, false)) {
            snprintf(field, sizeof field, "inspectors/%zu/region", i);
            nqi_error_field(err, NQI_EINVAL, field,
                            "at most 64 bytes, no control characters, '|' or ','");
            nbad++;
        }
        for (size_t j = 0; j < in->nfields; j++) {
            if (!attr_ok(in->fields[j], true)) {
                snprintf(field, sizeof field, "inspectors/%zu/fields/%zu", i, j);
                nqi_error_field(err, NQI_EINVAL, field,
                                "1-64 bytes, no control characters, '|' or ','");
                nbad++;
            }
            for (size_t k = 0; k < j; k++) {
                if (attr_ok(in->fields[j], true) && strcmp(in->fields[j], nz(in->fields[k])) == 0) {
                    snprintf(field, sizeof field, "inspectors/%zu/fields/%zu", i, j);
                    nqi_error_field(err, NQI_EINVAL, field, "duplicate of fields/%zu", k);
                    nbad++;
                }
            }
        }
        for (size_t j = 0; j < in->nconflicts; j++) {
            snprintf(field, sizeof field, "inspectors/%zu/conflicts/%zu", i, j);
            if (credit_code_validate(in->conflicts[j], field, err)) {
                nbad++;
                continue;
            }
            for (size_t k = 0; k < j; k++) {
                if (in->conflicts[k] && strcmp(in->conflicts[j], in->conflicts[k]) == 0) {
                    nqi_error_field(err, NQI_EINVAL, field, "duplicate of conflicts/%zu", k);
                    nbad++;
                }
            }
        }
    }
    return nbad;
}

int draw_roster_new(const draw_inspector *insp, size_t n, draw_roster **out, nqi_error *err)
{
    *out = NULL;
    int rc = sodium_ready(err);
    if (rc)
        return rc;
    if (n >= UINT32_MAX)
        return nqi_error_field(err, NQI_EINVAL, "inspectors", "too many inspectors");
    if (roster_check(insp, n, err))
        return NQI_EINVAL;
    draw_roster *r = xcalloc(1, sizeof *r);
    r->insp = insp;
    r->n = n;
    r->order = xmalloc((n ? n : 1) * sizeof *r->order);
    for (size_t i = 0; i < n; i++)
        r->order[i] = (uint32_t)i;
    qsort_r(r->order, n, sizeof *r->order, insp_cmp, (void *)insp);
    for (size_t k = 1; k < n; k++) {
        if (strcmp(insp[r->order[k - 1]].id, insp[r->order[k]].id) == 0) {
            uint32_t a = r->order[k - 1], b = r->order[k];
            char field[96];
            snprintf(field, sizeof field, "inspectors/%u/id", a > b ? a : b);
            rc = nqi_error_field(err, NQI_EINVAL, field, "duplicate of inspectors/%u (%s)",
                                 a < b ? a : b, insp[a].id);
            draw_roster_free(r);
            return rc;
        }
    }
    size_t nf = 0, nc = 0;
    for (size_t i = 0; i < n; i++) {
        nf += insp[i].nfields;
        nc += insp[i].nconflicts;
    }
    r->fields = xmalloc((nf ? nf : 1) * sizeof *r->fields);
    r->field_off = xmalloc((n + 1) * sizeof *r->field_off);
    r->conf = xmalloc((nc ? nc : 1) * sizeof *r->conf);
    ckey *tmp = xmalloc((nc ? nc : 1) * sizeof *tmp);
    uint32_t *corder = xmalloc((nc ? nc : 1) * sizeof *corder);
    hasher *h = xmalloc(sizeof *h);
    h_init(h);
    sink s = {h, NULL};
    size_t fo = 0;
    for (uint32_t pos = 0; pos < n; pos++) {
        const draw_inspector *in = roster_insp(r, pos);
        r->field_off[pos] = fo;
        for (size_t j = 0; j < in->nfields; j++)
            r->fields[fo++] = in->fields[j];
        qsort(r->fields + r->field_off[pos], in->nfields, sizeof *r->fields, str_cmp);
        r->field_off[pos + 1] = fo;
        conflict_order(in, tmp, corder);
        for (size_t j = 0; j < in->nconflicts; j++) {
            r->conf[r->nconf] = tmp[j];
            r->conf[r->nconf++].idx = pos;
        }
        roster_line(&s, r, pos, corder);
    }
    r->field_off[n] = fo;
    h_final_hex(h, r->hash);
    free(h);
    free(tmp);
    free(corder);
    qsort(r->conf, r->nconf, sizeof *r->conf, ckey_cmp_full);
    *out = r;
    return 0;
}

void draw_roster_free(draw_roster *r)
{
    if (!r)
        return;
    free(r->order);
    free(r->fields);
    free(r->field_off);
    free(r->conf);
    free(r);
}

size_t draw_roster_size(const draw_roster *r) { return r->n; }
const char *draw_roster_hash(const draw_roster *r) { return r->hash; }

char *draw_roster_canonical(const draw_roster *r, size_t *len)
{
    buf b;
    buf_init(&b, 0);
    sink s = {NULL, &b};
    ckey *tmp = NULL;
    uint32_t *corder = NULL;
    size_t cap = 0;
    for (uint32_t pos = 0; pos < r->n; pos++) {
        const draw_inspector *in = roster_insp(r, pos);
        if (in->nconflicts > cap) {
            cap = in->nconflicts;
            tmp = xrealloc(tmp, cap * sizeof *tmp);
            corder = xrealloc(corder, cap * sizeof *corder);
        }
        conflict_order(in, tmp, corder);
        roster_line(&s, r, pos, corder);
    }
    free(tmp);
    free(corder);
    if (len)
        *len = b.len;
    char *out = buf_steal(&b);
    return out ? out : xstrdup("");
}

/* Roster position of an inspector id, or -1. */
static int64_t roster_find(const draw_roster *r, const char *id)
{
    size_t lo = 0, hi = r->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(roster_insp(r, (uint32_t)mid)->id, id);
        if (c == 0)
            return (int64_t)mid;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return -1;
}

/* Roster positions conflicted with the entity at key k: a range of r->conf. */
static size_t roster_conflicts(const draw_roster *r, const ckey *k, size_t *first)
{
    size_t lo = 0, hi = r->nconf;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (ckey_cmp(&r->conf[mid], k) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    size_t end = lo;
    while (end < r->nconf && ckey_cmp(&r->conf[end], k) == 0)
        end++;
    *first = lo;
    return end - lo;
}

/* ------------------------------------------------------------------ */
/* the record                                                          */

typedef struct rstratum {
    char *label;
    uint32_t ppm;
    size_t population, selected; /* filled by the draw */
} rstratum;

struct draw_record {
    draw_state state;
    char *id;
    char committed_at[40];
    char seed_hash[DRAW_HASH_HEX], pool_hash[DRAW_HASH_HEX], roster_hash[DRAW_HASH_HEX];
    char commitment[DRAW_HASH_HEX];
    uint64_t pool_size, roster_size;
    int nstrata; /* sorted by label */
    rstratum strata[DRAW_STRATA_MAX];
    char **directed; /* sorted */
    size_t ndirected;
    int team_size;
    draw_rule region_rule, field_rule;
    /* once drawn */
    char public_value[DRAW_HASH_HEX];
    char drawn_at[40];
    char seed[DRAW_HASH_HEX]; /* revealed, hex */
    draw_target *targets;     /* sorted by code */
    size_t ntargets;
    draw_redraw_event *redraws;
    size_t nredraws;
};

static const char *rule_name(draw_rule r)
{
    return r == DRAW_RULE_LEAD ? "lead" : r == DRAW_RULE_ALL ? "all" : "none";
}

static int rule_parse(const char *s, draw_rule *r)
{
    if (!s)
        return -1;
    if (!strcmp(s, "none"))
        *r = DRAW_RULE_NONE;
    else if (!strcmp(s, "lead"))
        *r = DRAW_RULE_LEAD;
    else if (!strcmp(s, "all"))
        *r = DRAW_RULE_ALL;
    else
        return -1;
    return 0;
}

static void targets_free(draw_target *t, size_t n)
{
    for (size_t i = 0; t && i < n; i++) {
        free((char *)t[i].credit_code);
        for (int j = 0; j < t[i].nteam; j++)
            free((char *)t[i].team[j]);
    }
    free(t);
}

static void redraw_event_free(draw_redraw_event *e)
{
    free((char *)e->credit_code);
    free((char *)e->recused);
    free((char *)e->replacement);
    free((char *)e->reason);
    free((char *)e->reason_hash);
    free((char *)e->at);
}

void draw_record_free(draw_record *rec)
{
    if (!rec)
        return;
    free(rec->id);
    for (int i = 0; i < rec->nstrata; i++)
        free(rec->strata[i].label);
    for (size_t i = 0; i < rec->ndirected; i++)
        free(rec->directed[i]);
    free(rec->directed);
    targets_free(rec->targets, rec->ntargets);
    for (size_t i = 0; i < rec->nredraws; i++)
        redraw_event_free(&rec->redraws[i]);
    free(rec->redraws);
    free(rec);
}

draw_state draw_record_state(const draw_record *rec) { return rec->state; }
const char *draw_record_id(const draw_record *rec) { return rec->id; }
const char *draw_record_commitment(const draw_record *rec) { return rec->commitment; }
size_t draw_record_ntargets(const draw_record *rec) { return rec->ntargets; }
size_t draw_record_nredraws(const draw_record *rec) { return rec->nredraws; }

const draw_target *draw_record_target(const draw_record *rec, size_t i)
{
    return i < rec->ntargets ? &rec->targets[i] : NULL;
}

const draw_redraw_event *draw_record_redraw(const draw_record *rec, size_t i)
{
    return i < rec->nredraws ? &rec->redraws[i] : NULL;
}

static int target_cmp_code(const void *key, const void *elem)
{
    return strcmp((const char *)key, ((const draw_target *)elem)->credit_code);
}

const draw_target *draw_record_find(const draw_record *rec, const char *credit_code)
{
    if (!credit_code || !rec->ntargets)
        return NULL;
    return bsearch(credit_code, rec->targets, rec->ntargets, sizeof *rec->targets,
                   target_cmp_code);
}

static int rstratum_cmp(const void *a, const void *b)
{
    return strcmp(((const rstratum *)a)->label, ((const rstratum *)b)->label);
}

static int rec_stratum(const draw_record *rec, const char *label)
{
    for (int i = 0; i < rec->nstrata; i++)
        if (strcmp(rec->strata[i].label, label) == 0)
            return i;
    return -1;
}

/* The parameters as canonical JSON: keys sorted, no whitespace, strata by
 * label, directed codes sorted. Caller frees. */
static char *params_canonical(const draw_record *rec)
{
    json_t *o = json_object();
    json_t *d = json_array();
    for (size_t i = 0; i < rec->ndirected; i++)
        json_array_append_new(d, json_string(rec->directed[i]));
    json_object_set_new(o, "directed", d);
    json_object_set_new(o, "field_rule", json_string(rule_name(rec->field_rule)));
    json_object_set_new(o, "region_rule", json_string(rule_name(rec->region_rule)));
    json_t *s = json_array();
    for (int i = 0; i < rec->nstrata; i++)
        json_array_append_new(s, json_pack("{s:s,s:I}", "label", rec->strata[i].label, "ppm",
                                           (json_int_t)rec->strata[i].ppm));
    json_object_set_new(o, "strata", s);
    json_object_set_new(o, "team_size", json_integer(rec->team_size));
    char *out = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(o);
    return out;
}

/* The text whose SHA-256 is the commitment. */
static void commitment_of(const draw_record *rec, char out[DRAW_HASH_HEX])
{
    char *params = params_canonical(rec);
    char *text = xasprintf("nqi-draw/v1 commitment\n"
                           "draw_id:%s\ncommitted_at:%s\nseed_hash:%s\npool_hash:%s\n"
                           "roster_hash:%s\nparams:%s\n",
                           rec->id, rec->committed_at, rec->seed_hash, rec->pool_hash,
                           rec->roster_hash, params);
    sha256_hex(text, strlen(text), out);
    free(text);
    free(params);
}

/* ------------------------------------------------------------------ */
/* keys and the random stream                                          */

/* key = SHA-256(seed || P || "nqi-draw/v1") */
static void master_key(const unsigned char seed[32], const unsigned char pv[32],
                       unsigned char key[32])
{
    crypto_hash_sha256_state st;
    crypto_hash_sha256_init(&st);
    crypto_hash_sha256_update(&st, seed, 32);
    crypto_hash_sha256_update(&st, pv, 32);
    crypto_hash_sha256_update(&st, (const unsigned char *)DRAW_FORMAT, strlen(DRAW_FORMAT));
    crypto_hash_sha256_final(&st, key);
}

/* sub-key = SHA-256(key || label), label e.g. "stratum/A", "team/<code>" */
static void derive(const unsigned char key[32], const char *label, unsigned char out[32])
{
    crypto_hash_sha256_state st;
    crypto_hash_sha256_init(&st);
    crypto_hash_sha256_update(&st, key, 32);
    crypto_hash_sha256_update(&st, (const unsigned char *)label, strlen(label));
    crypto_hash_sha256_final(&st, out);
}

/* The byte stream randombytes_buf_deterministic(·, L, subkey) produces for
 * any L (IETF ChaCha20 keystream, nonce "LibsodiumDRG", counter from 0),
 * generated a chunk at a time so its length need not be known in advance. */
typedef struct dstream {
    unsigned char key[32];
    unsigned char buf[4096];
    size_t chunk, pos;
    uint32_t block;
} dstream;

static void ds_init(dstream *s, const unsigned char key[32], size_t chunk)
{
    memcpy(s->key, key, 32);
    s->chunk = chunk; /* multiple of 64, <= sizeof buf */
    s->pos = chunk;
    s->block = 0;
}

static uint64_t ds_u64(dstream *s)
{
    static const unsigned char nonce[12] = {'L', 'i', 'b', 's', 'o', 'd',
                                            'i', 'u', 'm', 'D', 'R', 'G'};
    if (s->pos + 8 > s->chunk) {
        memset(s->buf, 0, s->chunk);
        crypto_stream_chacha20_ietf_xor_ic(s->buf, s->buf, s->chunk, nonce, s->block, s->key);
        s->block += (uint32_t)(s->chunk / 64);
        s->pos = 0;
    }
    uint64_t x = 0;
    for (int i = 7; i >= 0; i--)
        x = x << 8 | s->buf[s->pos + (size_t)i];
    s->pos += 8;
    return x;
}

/* Uniform integer in [0, n), n >= 1: take 64-bit little-endian words x and
 * reject those below 2^64 mod n; the rest are an exact multiple of n. */
static uint64_t ds_uniform(dstream *s, uint64_t n)
{
    uint64_t threshold = (0 - n) % n; /* = 2^64 mod n */
    for (;;) {
        uint64_t x = ds_u64(s);
        if (x >= threshold)
            return x % n;
    }
}

/* ------------------------------------------------------------------ */
/* computing a draw                                                    */

typedef struct ctarget {
    uint32_t pos; /* pool position */
    int rs;       /* record stratum */
    bool directed;
    int nteam;
    uint32_t team[DRAW_TEAM_MAX]; /* roster positions */
} ctarget;

typedef struct computed {
    ctarget *t; /* sorted by pos */
    size_t nt;
    size_t population[DRAW_STRATA_MAX], selected[DRAW_STRATA_MAX];
} computed;

typedef struct cand_list {
    char *key;
    uint32_t *v; /* roster positions, ascending */
    uint32_t n;
} cand_list;

typedef struct team_ctx {
    const draw_pool *pool;
    const draw_roster *roster;
    const draw_record *rec;
    unsigned char key[32];
    cand_list *slots; /* open addressing */
    size_t cap, used;
    uint32_t *x; /* exclusion scratch */
    size_t xcap;
} team_ctx;

static uint64_t fnv1a(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

static bool insp_has_field(const draw_roster *r, uint32_t pos, const char *field)
{
    for (size_t j = r->field_off[pos]; j < r->field_off[pos + 1]; j++)
        if (strcmp(r->fields[j], field) == 0)
            return true;
    return false;
}

/* Active inspectors matching region and field (NULL = not compared; ""
 * matches nobody), in roster order. Cached per (region, field). */
static const cand_list *cands(team_ctx *tc, const char *region, const char *field)
{
    char key[160]; /* attributes are at most 64 bytes each */
    snprintf(key, sizeof key, "%c%s\x1f%c%s", region ? 'R' : '*', region ? region : "",
             field ? 'F' : '*', field ? field : "");
    if (tc->used * 2 >= tc->cap) {
        size_t ncap = tc->cap ? tc->cap * 2 : 64;
        cand_list *ns = xcalloc(ncap, sizeof *ns);
        for (size_t i = 0; i < tc->cap; i++) {
            if (!tc->slots[i].key)
                continue;
            size_t j = fnv1a(tc->slots[i].key) & (ncap - 1);
            while (ns[j].key)
                j = (j + 1) & (ncap - 1);
            ns[j] = tc->slots[i];
        }
        free(tc->slots);
        tc->slots = ns;
        tc->cap = ncap;
    }
    size_t j = fnv1a(key) & (tc->cap - 1);
    while (tc->slots[j].key) {
        if (strcmp(tc->slots[j].key, key) == 0)
            return &tc->slots[j];
        j = (j + 1) & (tc->cap - 1);
    }
    const draw_roster *r = tc->roster;
    cand_list *c = &tc->slots[j];
    c->key = xstrdup(key);
    c->v = xmalloc((r->n ? r->n : 1) * sizeof *c->v);
    c->n = 0;
    for (uint32_t pos = 0; pos < r->n; pos++) {
        const draw_inspector *in = roster_insp(r, pos);
        if (!in->active)
            continue;
        if (region && (!*region || strcmp(nz(in->region), region) != 0))
            continue;
        if (field && (!*field || !insp_has_field(r, pos, field)))
            continue;
        c->v[c->n++] = pos;
    }
    tc->used++;
    return c;
}

static void team_ctx_free(team_ctx *tc)
{
    for (size_t i = 0; i < tc->cap; i++) {
        free(tc->slots[i].key);
        free(tc->slots[i].v);
    }
    free(tc->slots);
    free(tc->x);
}

/* The lead list and the member list for an entity (see draw.md "Teams"). */
static void team_lists(team_ctx *tc, const draw_entity *e, const cand_list **lead,
                       const cand_list **mem)
{
    const draw_record *rec = tc->rec;
    const char *reg = nz(e->region), *fld = nz(e->field);
    *mem = cands(tc, rec->region_rule == DRAW_RULE_ALL ? reg : NULL,
                 rec->field_rule == DRAW_RULE_ALL ? fld : NULL);
    *lead = cands(tc, rec->region_rule != DRAW_RULE_NONE ? reg : NULL,
                  rec->field_rule != DRAW_RULE_NONE ? fld : NULL);
}

static bool in_set(const uint32_t *x, size_t nx, uint32_t v)
{
    for (size_t i = 0; i < nx; i++)
        if (x[i] == v)
            return true;
    return false;
}

static bool in_list(const cand_list *l, uint32_t v)
{
    size_t lo = 0, hi = l->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (l->v[mid] == v)
            return true;
        if (l->v[mid] < v)
            lo = mid + 1;
        else
            hi = mid;
    }
    return false;
}

/* |L \ X| for X without repeats. */
static uint32_t eligible(const cand_list *l, const uint32_t *x, size_t nx)
{
    uint32_t out = l->n;
    for (size_t i = 0; i < nx; i++)
        out -= in_list(l, x[i]);
    return out;
}

/* Uniform choice from L \ X by rejection: index uniform in [0, |L|), drawn
 * again while it names an excluded officer. Caller ensured L \ X non-empty. */
static uint32_t pick(dstream *s, const cand_list *l, const uint32_t *x, size_t nx)
{
    for (;;) {
        uint32_t v = l->v[ds_uniform(s, l->n)];
        if (!in_set(x, nx, v))
            return v;
    }
}

/* Start the exclusion set with the officers conflicted with entity pos. */
static size_t excl_conflicts(team_ctx *tc, uint32_t pos, size_t extra)
{
    size_t first, nc = roster_conflicts(tc->roster, &tc->pool->keys[pos], &first);
    if (nc + extra > tc->xcap) {
        tc->xcap = nc + extra + 32;
        tc->x = xrealloc(tc->x, tc->xcap * sizeof *tc->x);
    }
    for (size_t i = 0; i < nc; i++)
        tc->x[i] = tc->roster->conf[first + i].idx;
    return nc;
}

static int team_error(const draw_entity *e, uint32_t nmem, uint32_t nlead, int size,
                      nqi_error *err)
{
    char field[96];
    snprintf(field, sizeof field, "targets/%s/team", e->credit_code);
    return nqi_error_field(err, NQI_EINVAL, field,
                           "team cannot be formed for target %s: %u eligible officers "
                           "(%u eligible as team lead), team size %d",
                           e->credit_code, nmem, nlead, size);
}

/* The team of one target, from the stream keyed "team/<code>". */
static int team_draw(team_ctx *tc, ctarget *t, nqi_error *err)
{
    const draw_entity *e = pool_ent(tc->pool, t->pos);
    const cand_list *lead, *mem;
    team_lists(tc, e, &lead, &mem);
    int size = tc->rec->team_size;
    size_t nx = excl_conflicts(tc, t->pos, (size_t)size);
    uint32_t nlead = eligible(lead, tc->x, nx), nmem = eligible(mem, tc->x, nx);
    if (nlead < 1 || nmem < (uint32_t)size)
        return team_error(e, nmem, nlead, size, err);
    char label[64];
    unsigned char sub[32];
    snprintf(label, sizeof label, "team/%s", e->credit_code);
    derive(tc->key, label, sub);
    dstream s;
    ds_init(&s, sub, 64);
    for (int m = 0; m < size; m++) {
        uint32_t v = pick(&s, m == 0 ? lead : mem, tc->x, nx);
        t->team[m] = v;
        tc->x[nx++] = v;
    }
    t->nteam = size;
    return 0;
}

/* A replacement for team slot `slot` of target t: excluded are the target's
 * conflicts, everyone recused from it so far (recused[], including this
 * one) and the current team; from the lead list for slot 0, else the member
 * list; stream keyed "redraw/<seq>/<reason_hash>". */
static int redraw_pick(team_ctx *tc, const ctarget *t, int slot, const uint32_t *recused,
                       size_t nrecused, int seq, const char *reason_hash, uint32_t *out,
                       nqi_error *err)
{
    const draw_entity *e = pool_ent(tc->pool, t->pos);
    const cand_list *lead, *mem;
    team_lists(tc, e, &lead, &mem);
    size_t nx = excl_conflicts(tc, t->pos, nrecused + (size_t)t->nteam);
    for (size_t i = 0; i < nrecused; i++)
        if (!in_set(tc->x, nx, recused[i]))
            tc->x[nx++] = recused[i];
    for (int m = 0; m < t->nteam; m++)
        if (!in_set(tc->x, nx, t->team[m]))
            tc->x[nx++] = t->team[m];
    const cand_list *l = slot == 0 ? lead : mem;
    if (eligible(l, tc->x, nx) == 0) {
        char field[96];
        snprintf(field, sizeof field, "targets/%s/team", e->credit_code);
        return nqi_error_field(err, NQI_EINVAL, field,
                               "no eligible replacement for target %s: all %u %s officers are "
                               "on the team, conflicted or recused",
                               e->credit_code, l->n, slot == 0 ? "lead-eligible" : "eligible");
    }
    char label[128];
    unsigned char sub[32];
    snprintf(label, sizeof label, "redraw/%d/%s", seq, reason_hash);
    derive(tc->key, label, sub);
    dstream s;
    ds_init(&s, sub, 64);
    *out = pick(&s, l, tc->x, nx);
    return 0;
}

static int u32_cmp(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

static int ctarget_cmp(const void *a, const void *b)
{
    return u32_cmp(&((const ctarget *)a)->pos, &((const ctarget *)b)->pos);
}

static int ctarget_find(const computed *c, uint32_t pos)
{
    size_t lo = 0, hi = c->nt;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (c->t[mid].pos == pos)
            return (int)mid;
        if (c->t[mid].pos < pos)
            lo = mid + 1;
        else
            hi = mid;
    }
    return -1;
}

/* Targets of one stratum: partial Fisher-Yates over the stratum's entities
 * in code order (directed ones left out). Appends to c->t. */
static void stratum_draw(const draw_pool *pool, const draw_record *rec, int rs,
                         const unsigned char key[32], const uint32_t *dir, size_t ndir,
                         computed *c, size_t *cap)
{
    int pl = pool_label_index(pool, rec->strata[rs].label);
    size_t n = 0;
    uint32_t *a = NULL;
    if (pl >= 0) {
        size_t lo = pool->strat_off[pl], hi = pool->strat_off[pl + 1], d = 0;
        a = xmalloc((hi - lo + 1) * sizeof *a);
        for (size_t i = lo; i < hi; i++) {
            uint32_t pos = pool->strat_pos[i];
            while (d < ndir && dir[d] < pos)
                d++;
            if (d < ndir && dir[d] == pos)
                continue;
            a[n++] = pos;
        }
    }
    uint64_t k = ((uint64_t)n * rec->strata[rs].ppm + 999999) / 1000000;
    if (k > n)
        k = n;
    c->population[rs] = n;
    c->selected[rs] = (size_t)k;
    if (k) {
        char label[64];
        unsigned char sub[32];
        snprintf(label, sizeof label, "stratum/%s", rec->strata[rs].label);
        derive(key, label, sub);
        dstream s;
        ds_init(&s, sub, sizeof s.buf);
        for (uint64_t i = 0; i < k; i++) {
            uint64_t j = i + ds_uniform(&s, n - i);
            uint32_t tmp = a[i];
            a[i] = a[j];
            a[j] = tmp;
        }
    }
    if (c->nt + k > *cap) {
        *cap = (c->nt + k) * 2;
        c->t = xrealloc(c->t, *cap * sizeof *c->t);
    }
    for (uint64_t i = 0; i < k; i++) {
        ctarget *t = &c->t[c->nt++];
        memset(t, 0, sizeof *t);
        t->pos = a[i];
        t->rs = rs;
    }
    free(a);
}

/* Everything the draw decides, from the record's parameters and the key. */
static int compute(const draw_record *rec, const unsigned char key[32], const draw_pool *pool,
                   const draw_roster *roster, team_ctx *tc, computed *c, nqi_error *err)
{
    memset(c, 0, sizeof *c);
    memset(tc, 0, sizeof *tc);
    tc->pool = pool;
    tc->roster = roster;
    tc->rec = rec;
    memcpy(tc->key, key, 32);
    for (int l = 0; l < pool->nlabels; l++) {
        if (rec_stratum(rec, pool->labels[l]) < 0) {
            char field[96];
            snprintf(field, sizeof field, "strata/%s", pool->labels[l]);
            return nqi_error_field(err, NQI_EINVAL, field,
                                   "the pool has %zu entities in stratum %s but no proportion "
                                   "is given for it",
                                   pool->strat_off[l + 1] - pool->strat_off[l], pool->labels[l]);
        }
    }
    uint32_t *dir = xmalloc((rec->ndirected + 1) * sizeof *dir);
    for (size_t i = 0; i < rec->ndirected; i++) {
        int64_t pos = pool_find(pool, rec->directed[i]);
        if (pos < 0) {
            free(dir);
            char field[96];
            snprintf(field, sizeof field, "directed/%zu", i);
            return nqi_error_field(err, NQI_EINVAL, field, "%s is not in the pool",
                                   rec->directed[i]);
        }
        dir[i] = (uint32_t)pos;
    }
    qsort(dir, rec->ndirected, sizeof *dir, u32_cmp);
    size_t cap = 0;
    for (int rs = 0; rs < rec->nstrata; rs++)
        stratum_draw(pool, rec, rs, key, dir, rec->ndirected, c, &cap);
    c->t = xrealloc(c->t, (c->nt + rec->ndirected + 1) * sizeof *c->t);
    for (size_t i = 0; i < rec->ndirected; i++) {
        ctarget *t = &c->t[c->nt++];
        memset(t, 0, sizeof *t);
        t->pos = dir[i];
        t->rs = rec_stratum(rec, pool->labels[pool->sid[dir[i]]]);
        t->directed = true;
    }
    free(dir);
    qsort(c->t, c->nt, sizeof *c->t, ctarget_cmp);
    for (size_t i = 0; i < c->nt; i++) {
        int rc = team_draw(tc, &c->t[i], err);
        if (rc)
            return rc;
    }
    return 0;
}

/* ------------------------------------------------------------------ */
/* commit, run, redraw                                                 */

static int str_cmp_p(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int params_check(const char *draw_id, const draw_params *pp, const draw_pool *pool,
                        nqi_error *err)
{
    char field[96];
    int nbad = 0;
    if (!draw_id_ok(draw_id))
        nbad += nqi_error_field(err, NQI_EINVAL, "draw_id", "1-64 of A-Z a-z 0-9 _ . : -") != 0;
    if (pp->team_size < 2 || pp->team_size > DRAW_TEAM_MAX)
        nbad += nqi_error_field(err, NQI_EINVAL, "team_size", "a team has 2 to %d inspectors",
                                DRAW_TEAM_MAX) != 0;
    if ((unsigned)pp->region_rule > DRAW_RULE_ALL)
        nbad += nqi_error_field(err, NQI_EINVAL, "region_rule", "none, lead or all") != 0;
    if ((unsigned)pp->field_rule > DRAW_RULE_ALL)
        nbad += nqi_error_field(err, NQI_EINVAL, "field_rule", "none, lead or all") != 0;
    if (pp->nstrata > DRAW_STRATA_MAX)
        return nqi_error_field(err, NQI_EINVAL, "strata", "at most %d strata", DRAW_STRATA_MAX);
    for (size_t i = 0; i < pp->nstrata; i++) {
        const draw_stratum *s = &pp->strata[i];
        if (!label_ok(s->label)) {
            snprintf(field, sizeof field, "strata/%zu/label", i);
            nbad += nqi_error_field(err, NQI_EINVAL, field, "1-32 of A-Z a-z 0-9 _ . -") != 0;
            continue;
        }
        if (!isfinite(s->percent) || s->percent < 0 || s->percent > 100) {
            snprintf(field, sizeof field, "strata/%s/proportion", s->label);
            nbad += nqi_error_field(err, NQI_EINVAL, field,
                                    "proportion must be between 0 and 100 percent, not %g",
                                    s->percent) != 0;
        }
        for (size_t j = 0; j < i; j++) {
            if (pp->strata[j].label && strcmp(pp->strata[j].label, s->label) == 0) {
                snprintf(field, sizeof field, "strata/%s", s->label);
                nbad += nqi_error_field(err, NQI_EINVAL, field, "stratum listed twice") != 0;
            }
        }
    }
    for (int l = 0; l < pool->nlabels; l++) {
        bool found = false;
        for (size_t i = 0; i < pp->nstrata && !found; i++)
            found = pp->strata[i].label && strcmp(pp->strata[i].label, pool->labels[l]) == 0;
        if (!found) {
            snprintf(field, sizeof field, "strata/%s", pool->labels[l]);
            nbad += nqi_error_field(err, NQI_EINVAL, field,
                                    "the pool has %zu entities in stratum %s but no proportion "
                                    "is given for it",
                                    pool->strat_off[l + 1] - pool->strat_off[l],
                                    pool->labels[l]) != 0;
        }
    }
    for (size_t i = 0; i < pp->ndirected; i++) {
        snprintf(field, sizeof field, "directed/%zu", i);
        if (credit_code_validate(pp->directed[i], field, err)) {
            nbad++;
            continue;
        }
        if (pool_find(pool, pp->directed[i]) < 0) {
            nbad += nqi_error_field(err, NQI_EINVAL, field,
                                    "%s is not in the pool (add it to the pool to inspect it)",
                                    pp->directed[i]) != 0;
            continue;
        }
        for (size_t j = 0; j < i; j++) {
            if (pp->directed[j] && strcmp(pp->directed[j], pp->directed[i]) == 0) {
                nbad += nqi_error_field(err, NQI_EINVAL, field, "duplicate of directed/%zu",
                                        j) != 0;
                break;
            }
        }
    }
    return nbad ? NQI_EINVAL : 0;
}

int draw_commit(const char *draw_id, const draw_params *params, const draw_pool *pool,
                const draw_roster *roster, const unsigned char seed[DRAW_SEED_BYTES],
                int64_t committed_ms, draw_record **out, nqi_error *err)
{
    *out = NULL;
    int rc = sodium_ready(err);
    if (rc)
        return rc;
    rc = params_check(draw_id, params, pool, err);
    if (rc)
        return rc;
    draw_record *rec = xcalloc(1, sizeof *rec);
    rec->state = DRAW_COMMITTED;
    rec->id = xstrdup(draw_id);
    time_iso8601(committed_ms, rec->committed_at, sizeof rec->committed_at);
    sha256_hex(seed, DRAW_SEED_BYTES, rec->seed_hash);
    memcpy(rec->pool_hash, pool->hash, DRAW_HASH_HEX);
    memcpy(rec->roster_hash, roster->hash, DRAW_HASH_HEX);
    rec->pool_size = pool->n;
    rec->roster_size = roster->n;
    rec->nstrata = (int)params->nstrata;
    for (size_t i = 0; i < params->nstrata; i++) {
        rec->strata[i].label = xstrdup(params->strata[i].label);
        rec->strata[i].ppm = (uint32_t)llround(params->strata[i].percent * 10000.0);
    }
    qsort(rec->strata, params->nstrata, sizeof *rec->strata, rstratum_cmp);
    rec->directed = xcalloc(params->ndirected + 1, sizeof *rec->directed);
    rec->ndirected = params->ndirected;
    for (size_t i = 0; i < params->ndirected; i++)
        rec->directed[i] = xstrdup(params->directed[i]);
    qsort(rec->directed, rec->ndirected, sizeof *rec->directed, str_cmp_p);
    rec->team_size = params->team_size;
    rec->region_rule = params->region_rule;
    rec->field_rule = params->field_rule;
    commitment_of(rec, rec->commitment);
    *out = rec;
    return 0;
}

static int check_hashes(const draw_record *rec, const draw_pool *pool, const draw_roster *roster,
                        nqi_error *err)
{
    int rc = 0;
    if (strcmp(rec->pool_hash, pool->hash) != 0)
        rc = nqi_error_field(err, NQI_ECONFLICT, "pool_hash",
                             "pool changed after the commitment (committed %.16s…, now %.16s…)",
                             rec->pool_hash, pool->hash);
    if (strcmp(rec->roster_hash, roster->hash) != 0)
        rc = nqi_error_field(err, NQI_ECONFLICT, "roster_hash",
                             "inspector roster changed after the commitment (committed %.16s…, "
                             "now %.16s…)",
                             rec->roster_hash, roster->hash);
    return rc;
}

static bool hex32_ok(const char *s)
{
    if (!s || strlen(s) != 64)
        return false;
    for (int i = 0; i < 64; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
            return false;
    return true;
}

/* key from the record's revealed seed and P (both valid lower-case hex). */
static void record_key(const draw_record *rec, unsigned char key[32])
{
    unsigned char seed[32], pv[32];
    hex_decode(rec->seed, seed, 32);
    hex_decode(rec->public_value, pv, 32);
    master_key(seed, pv, key);
    sodium_memzero(seed, sizeof seed);
}

static void fill_target(draw_target *dt, const draw_record *rec, const draw_pool *pool,
                        const draw_roster *roster, const ctarget *t)
{
    dt->credit_code = xstrdup(pool_ent(pool, t->pos)->credit_code);
    dt->stratum = rec->strata[t->rs].label;
    dt->directed = t->directed;
    dt->nteam = t->nteam;
    for (int m = 0; m < t->nteam; m++)
        dt->team[m] = xstrdup(roster_insp(roster, t->team[m])->id);
}

int draw_run(draw_record *rec, const draw_pool *pool, const draw_roster *roster,
             const unsigned char seed[DRAW_SEED_BYTES], const char *public_value,
             int64_t drawn_ms, nqi_error *err)
{
    int rc = sodium_ready(err);
    if (rc)
        return rc;
    if (rec->state != DRAW_COMMITTED)
        return nqi_error_set(err, NQI_ECONFLICT, "draw %s has already been drawn", rec->id);
    rc = check_hashes(rec, pool, roster, err);
    if (rc)
        return rc;
    char sh[DRAW_HASH_HEX];
    sha256_hex(seed, DRAW_SEED_BYTES, sh);
    if (strcmp(sh, rec->seed_hash) != 0)
        return nqi_error_field(err, NQI_ECONFLICT, "seed",
                               "the seed does not match the committed seed_hash");
    unsigned char pv[32], key[32];
    if (!public_value || strlen(public_value) != 64 || hex_decode(public_value, pv, 32) != 0)
        return nqi_error_field(err, NQI_EINVAL, "public_value",
                               "must be 64 hexadecimal characters (32 bytes)");
    master_key(seed, pv, key);
    computed c;
    team_ctx tc;
    rc = compute(rec, key, pool, roster, &tc, &c, err);
    team_ctx_free(&tc);
    sodium_memzero(key, sizeof key);
    if (rc) {
        free(c.t);
        return rc;
    }
    rec->targets = xcalloc(c.nt + 1, sizeof *rec->targets);
    rec->ntargets = c.nt;
    for (size_t i = 0; i < c.nt; i++)
        fill_target(&rec->targets[i], rec, pool, roster, &c.t[i]);
    for (int rs = 0; rs < rec->nstrata; rs++) {
        rec->strata[rs].population = c.population[rs];
        rec->strata[rs].selected = c.selected[rs];
    }
    free(c.t);
    hex_encode(pv, 32, rec->public_value);
    hex_encode(seed, 32, rec->seed);
    time_iso8601(drawn_ms, rec->drawn_at, sizeof rec->drawn_at);
    rec->state = DRAW_DRAWN;
    return 0;
}

/* Roster positions of a recorded team; -1 entries for unknown ids. */
static int team_positions(const draw_roster *r, const draw_target *dt, uint32_t *out)
{
    for (int m = 0; m < dt->nteam; m++) {
        int64_t p = roster_find(r, dt->team[m]);
        if (p < 0)
            return -1;
        out[m] = (uint32_t)p;
    }
    return 0;
}

int draw_redraw(draw_record *rec, const draw_pool *pool, const draw_roster *roster,
                const char *credit_code, const char *inspector_id, const char *reason,
                int64_t at_ms, nqi_error *err)
{
    int rc = sodium_ready(err);
    if (rc)
        return rc;
    if (rec->state != DRAW_DRAWN)
        return nqi_error_set(err, NQI_ECONFLICT, "draw %s has not been drawn yet", rec->id);
    rc = check_hashes(rec, pool, roster, err);
    if (rc)
        return rc;
    if (!reason || !*reason || strlen(reason) > 500)
        return nqi_error_field(err, NQI_EINVAL, "reason",
                               "a reason (1-500 bytes) is required for a recusal");
    draw_target *dt = (draw_target *)draw_record_find(rec, credit_code);
    if (!dt)
        return nqi_error_field(err, NQI_ENOTFOUND, "credit_code",
                               "%s is not a target of draw %s", credit_code ? credit_code : "",
                               rec->id);
    int slot = -1;
    for (int m = 0; m < dt->nteam && slot < 0; m++)
        if (inspector_id && strcmp(dt->team[m], inspector_id) == 0)
            slot = m;
    if (slot < 0)
        return nqi_error_field(err, NQI_ENOTFOUND, "inspector_id",
                               "%s is not on the team for %s", inspector_id ? inspector_id : "",
                               credit_code);
    ctarget t = {0};
    int64_t pos = pool_find(pool, credit_code);
    if (pos < 0 || team_positions(roster, dt, t.team))
        return nqi_error_set(err, NQI_EINTERNAL, "record and roster disagree");
    t.pos = (uint32_t)pos;
    t.nteam = dt->nteam;
    uint32_t *recused = xmalloc((rec->nredraws + 1) * sizeof *recused);
    size_t nrec = 0;
    for (size_t i = 0; i < rec->nredraws; i++) {
        int64_t p;
        if (strcmp(rec->redraws[i].credit_code, credit_code) == 0 &&
            (p = roster_find(roster, rec->redraws[i].recused)) >= 0)
            recused[nrec++] = (uint32_t)p;
    }
    recused[nrec++] = t.team[slot];
    char rh[DRAW_HASH_HEX];
    sha256_hex(reason, strlen(reason), rh);
    int seq = (int)rec->nredraws + 1;
    team_ctx tc = {.pool = pool, .roster = roster, .rec = rec};
    record_key(rec, tc.key);
    uint32_t repl;
    rc = redraw_pick(&tc, &t, slot, recused, nrec, seq, rh, &repl, err);
    sodium_memzero(tc.key, sizeof tc.key);
    team_ctx_free(&tc);
    free(recused);
    if (rc)
        return rc;
    rec->redraws = xrealloc(rec->redraws, (rec->nredraws + 1) * sizeof *rec->redraws);
    draw_redraw_event *ev = &rec->redraws[rec->nredraws++];
    char at[40];
    time_iso8601(at_ms, at, sizeof at);
    ev->seq = seq;
    ev->credit_code = xstrdup(dt->credit_code);
    ev->recused = xstrdup(dt->team[slot]);
    ev->replacement = xstrdup(roster_insp(roster, repl)->id);
    ev->reason = xstrdup(reason);
    ev->reason_hash = xstrdup(rh);
    ev->at = xstrdup(at);
    free((char *)dt->team[slot]);
    dt->team[slot] = xstrdup(ev->replacement);
    return 0;
}

/* ------------------------------------------------------------------ */
/* verification                                                        */

/* Replay the recorded redraws over the recomputed teams. */
static int verify_redraws(const draw_record *rec, const draw_pool *pool,
                          const draw_roster *roster, team_ctx *tc, computed *c, nqi_error *err)
{
    int bad = 0;
    char field[96], rh[DRAW_HASH_HEX];
    uint32_t *recused = xmalloc((rec->nredraws + 1) * sizeof *recused);
    for (size_t i = 0; i < rec->nredraws; i++) {
        const draw_redraw_event *ev = &rec->redraws[i];
        snprintf(field, sizeof field, "redraws/%d", ev->seq);
        sha256_hex(ev->reason, strlen(ev->reason), rh);
        int64_t pos = pool_find(pool, ev->credit_code);
        int ti = pos < 0 ? -1 : ctarget_find(c, (uint32_t)pos);
        int64_t who = roster_find(roster, ev->recused);
        int slot = -1;
        for (int m = 0; ti >= 0 && who >= 0 && m < c->t[ti].nteam; m++)
            if (c->t[ti].team[m] == (uint32_t)who)
                slot = m;
        if (ev->seq != (int)i + 1 || strcmp(rh, ev->reason_hash) != 0 || slot < 0) {
            bad += nqi_error_field(err, NQI_ECONFLICT, field,
                                   ev->seq != (int)i + 1 ? "redraws are not numbered 1, 2, ..."
                                   : slot < 0 ? "the recused inspector is not on that team"
                                              : "reason_hash is not SHA-256 of the reason") != 0;
            continue;
        }
        size_t nrec = 0;
        for (size_t j = 0; j <= i; j++) {
            int64_t p;
            if (strcmp(rec->redraws[j].credit_code, ev->credit_code) == 0 &&
                (p = roster_find(roster, rec->redraws[j].recused)) >= 0 &&
                !in_set(recused, nrec, (uint32_t)p))
                recused[nrec++] = (uint32_t)p;
        }
        uint32_t repl;
        nqi_error tmp;
        nqi_error_clear(&tmp);
        if (redraw_pick(tc, &c->t[ti], slot, recused, nrec, ev->seq, rh, &repl, &tmp)) {
            bad += nqi_error_field(err, NQI_ECONFLICT, field, "recomputing it fails: %s",
                                   tmp.message) != 0;
            continue;
        }
        if (strcmp(roster_insp(roster, repl)->id, ev->replacement) != 0)
            bad += nqi_error_field(err, NQI_ECONFLICT, field,
                                   "replacement recorded as %s, recomputed as %s",
                                   ev->replacement, roster_insp(roster, repl)->id) != 0;
        c->t[ti].team[slot] = repl;
    }
    free(recused);
    return bad;
}

/* Compare recomputed targets and teams with the record. */
static int verify_targets(const draw_record *rec, const draw_pool *pool,
                          const draw_roster *roster, const computed *c, nqi_error *err)
{
    int bad = 0;
    char field[96];
    size_t missing[DRAW_STRATA_MAX] = {0}, extra[DRAW_STRATA_MAX] = {0};
    size_t i = 0, j = 0;
    while (i < rec->ntargets || j < c->nt) {
        const draw_target *dt = i < rec->ntargets ? &rec->targets[i] : NULL;
        const ctarget *ct = j < c->nt ? &c->t[j] : NULL;
        int cmp = !dt ? 1 : !ct ? -1 : strcmp(dt->credit_code, pool_ent(pool, ct->pos)->credit_code);
        if (cmp < 0) { /* recorded, not drawn */
            int rs = rec_stratum(rec, dt->stratum);
            extra[rs < 0 ? 0 : rs]++;
            i++;
            continue;
        }
        if (cmp > 0) { /* drawn, not recorded */
            missing[ct->rs]++;
            j++;
            continue;
        }
        if (dt->directed != ct->directed || strcmp(dt->stratum, rec->strata[ct->rs].label)) {
            snprintf(field, sizeof field, "targets/%s", dt->credit_code);
            bad += nqi_error_field(err, NQI_ECONFLICT, field,
                                   "recorded stratum/directed flag differ from the pool") != 0;
        }
        bool same = dt->nteam == ct->nteam;
        for (int m = 0; same && m < ct->nteam; m++)
            same = strcmp(dt->team[m], roster_insp(roster, ct->team[m])->id) == 0;
        if (!same) {
            snprintf(field, sizeof field, "targets/%s/team", dt->credit_code);
            char want[256] = "";
            for (int m = 0; m < ct->nteam; m++)
                snprintf(want + strlen(want), sizeof want - strlen(want), "%s%s", m ? "," : "",
                         roster_insp(roster, ct->team[m])->id);
            bad += nqi_error_field(err, NQI_ECONFLICT, field, "team differs: recomputed %s",
                                   want) != 0;
        }
        i++;
        j++;
    }
    for (int rs = 0; rs < rec->nstrata; rs++) {
        const rstratum *s = &rec->strata[rs];
        if (!missing[rs] && !extra[rs] && s->population == c->population[rs] &&
            s->selected == c->selected[rs])
            continue;
        snprintf(field, sizeof field, "strata/%s", s->label);
        bad += nqi_error_field(err, NQI_ECONFLICT, field,
                               "selection differs: %zu recorded targets were not drawn, %zu drawn "
                               "targets are not recorded (recorded %zu of %zu, recomputed %zu of %zu)",
                               extra[rs], missing[rs], s->selected, s->population,
                               c->selected[rs], c->population[rs]) != 0;
    }
    return bad;
}

int draw_verify(const draw_record *rec, const draw_pool *pool, const draw_roster *roster,
                nqi_error *err)
{
    int rc = sodium_ready(err);
    if (rc)
        return rc;
    int bad = 0;
    char h[DRAW_HASH_HEX];
    commitment_of(rec, h);
    if (strcmp(h, rec->commitment) != 0)
        bad += nqi_error_field(err, NQI_ECONFLICT, "commitment",
                               "the commitment is not the hash of the committed values "
                               "(recomputed %.16s…)", h) != 0;
    bool hashes_ok = check_hashes(rec, pool, roster, err) == 0;
    bad += !hashes_ok;
    if (rec->state != DRAW_DRAWN)
        return bad ? NQI_ECONFLICT : 0;
    unsigned char seed[32];
    bool seed_ok = hex_decode(rec->seed, seed, 32) == 0;
    if (seed_ok) {
        sha256_hex(seed, 32, h);
        seed_ok = strcmp(h, rec->seed_hash) == 0;
    }
    if (!seed_ok)
        bad += nqi_error_field(err, NQI_ECONFLICT, "seed",
                               "the revealed seed does not match the committed seed_hash") != 0;
    if (!hashes_ok || !seed_ok)
        return NQI_ECONFLICT;
    unsigned char key[32];
    record_key(rec, key);
    computed c;
    team_ctx tc;
    nqi_error tmp;
    nqi_error_clear(&tmp);
    if (compute(rec, key, pool, roster, &tc, &c, &tmp) != 0) {
        bad += nqi_error_field(err, NQI_ECONFLICT, tmp.nfields ? tmp.fields[0].field : "draw",
                               "recomputing the draw fails: %s", tmp.message) != 0;
    } else {
        bad += verify_redraws(rec, pool, roster, &tc, &c, err);
        bad += verify_targets(rec, pool, roster, &c, err);
    }
    team_ctx_free(&tc);
    free(c.t);
    sodium_memzero(key, sizeof key);
    return bad ? NQI_ECONFLICT : 0;
}

/* ------------------------------------------------------------------ */
/* JSON                                                                */

json_t *draw_record_to_json(const draw_record *rec)
{
    char *params = params_canonical(rec);
    json_t *o = json_pack("{s:s,s:s,s:s,s:s,s:s,s:I,s:s,s:I,s:o,s:s,s:s}", "format", DRAW_FORMAT,
                          "draw_id", rec->id, "committed_at", rec->committed_at, "seed_hash",
                          rec->seed_hash, "pool_hash", rec->pool_hash, "pool_size",
                          (json_int_t)rec->pool_size, "roster_hash", rec->roster_hash,
                          "roster_size", (json_int_t)rec->roster_size, "params",
                          json_loads(params, 0, NULL), "commitment", rec->commitment, "state",
                          rec->state == DRAW_DRAWN ? "drawn" : "committed");
    free(params);
    if (rec->state != DRAW_DRAWN)
        return o;
    json_object_set_new(o, "public_value", json_string(rec->public_value));
    json_object_set_new(o, "drawn_at", json_string(rec->drawn_at));
    json_object_set_new(o, "seed", json_string(rec->seed));
    json_t *st = json_array();
    for (int i = 0; i < rec->nstrata; i++)
        json_array_append_new(st, json_pack("{s:s,s:I,s:I}", "label", rec->strata[i].label,
                                            "population", (json_int_t)rec->strata[i].population,
                                            "selected", (json_int_t)rec->strata[i].selected));
    json_object_set_new(o, "strata", st);
    json_t *ts = json_array();
    for (size_t i = 0; i < rec->ntargets; i++) {
        const draw_target *t = &rec->targets[i];
        json_t *team = json_array();
        for (int m = 0; m < t->nteam; m++)
            json_array_append_new(team, json_string(t->team[m]));
        json_array_append_new(ts, json_pack("{s:s,s:s,s:b,s:o}", "credit_code", t->credit_code,
                                            "stratum", t->stratum, "directed", t->directed,
                                            "team", team));
    }
    json_object_set_new(o, "targets", ts);
    json_t *rs = json_array();
    for (size_t i = 0; i < rec->nredraws; i++) {
        const draw_redraw_event *e = &rec->redraws[i];
        json_array_append_new(rs, json_pack("{s:i,s:s,s:s,s:s,s:s,s:s,s:s}", "seq", e->seq,
                                            "credit_code", e->credit_code, "recused", e->recused,
                                            "replacement", e->replacement, "reason", e->reason,
                                            "reason_hash", e->reason_hash, "at", e->at));
    }
    json_object_set_new(o, "redraws", rs);
    return o;
}

/* Reading: each helper records a field error and returns NULL/-1. */
static const char *jstr(const json_t *o, const char *key, const char *field, nqi_error *err)
{
    const json_t *v = json_object_get(o, key);
    if (!json_is_string(v) || !*json_string_value(v)) {
        nqi_error_field(err, NQI_EINVAL, field, "a non-empty string is required");
        return NULL;
    }
    return json_string_value(v);
}

static int jint(const json_t *o, const char *key, const char *field, int64_t min, int64_t max,
                int64_t *out, nqi_error *err)
{
    const json_t *v = json_object_get(o, key);
    if (!json_is_integer(v) || json_integer_value(v) < min || json_integer_value(v) > max)
        return nqi_error_field(err, NQI_EINVAL, field, "an integer from %lld to %lld is required",
                               (long long)min, (long long)max);
    *out = json_integer_value(v);
    return 0;
}

static int jhex(const json_t *o, const char *key, char out[DRAW_HASH_HEX], nqi_error *err)
{
    const char *s = jstr(o, key, key, err);
    if (!s)
        return NQI_EINVAL;
    if (!hex32_ok(s))
        return nqi_error_field(err, NQI_EINVAL, key, "64 lower-case hexadecimal characters");
    memcpy(out, s, DRAW_HASH_HEX);
    return 0;
}

static int jtime(const json_t *o, const char *key, char out[40], nqi_error *err)
{
    const char *s = jstr(o, key, key, err);
    int64_t ms;
    if (!s)
        return NQI_EINVAL;
    if (strlen(s) >= 40 || time_parse_iso8601(s, &ms) != 0)
        return nqi_error_field(err, NQI_EINVAL, key, "ISO 8601 time with offset");
    strcpy(out, s);
    return 0;
}

static int params_from_json(const json_t *p, draw_record *rec, nqi_error *err)
{
    char field[96];
    if (!json_is_object(p))
        return nqi_error_field(err, NQI_EINVAL, "params", "an object is required");
    int64_t v = 0;
    if (jint(p, "team_size", "params/team_size", 2, DRAW_TEAM_MAX, &v, err))
        return NQI_EINVAL;
    rec->team_size = (int)v;
    if (rule_parse(json_string_value(json_object_get(p, "region_rule")), &rec->region_rule) ||
        rule_parse(json_string_value(json_object_get(p, "field_rule")), &rec->field_rule))
        return nqi_error_field(err, NQI_EINVAL, "params", "region_rule and field_rule are none, "
                                                          "lead or all");
    const json_t *st = json_object_get(p, "strata"), *d = json_object_get(p, "directed");
    if (!json_is_array(st) || json_array_size(st) > DRAW_STRATA_MAX || !json_is_array(d))
        return nqi_error_field(err, NQI_EINVAL, "params", "strata and directed are arrays");
    for (size_t i = 0; i < json_array_size(st); i++) {
        const json_t *s = json_array_get(st, i);
        snprintf(field, sizeof field, "params/strata/%zu", i);
        const char *label = jstr(s, "label", field, err);
        if (!label || !label_ok(label) || rec_stratum(rec, label) >= 0 ||
            jint(s, "ppm", field, 0, 1000000, &v, err))
            return nqi_error_field(err, NQI_EINVAL, field, "bad or duplicate stratum");
        rec->strata[rec->nstrata].label = xstrdup(label);
        rec->strata[rec->nstrata++].ppm = (uint32_t)v;
    }
    qsort(rec->strata, (size_t)rec->nstrata, sizeof *rec->strata, rstratum_cmp);
    rec->directed = xcalloc(json_array_size(d) + 1, sizeof *rec->directed);
    for (size_t i = 0; i < json_array_size(d); i++) {
        snprintf(field, sizeof field, "params/directed/%zu", i);
        const char *code = json_string_value(json_array_get(d, i));
        if (credit_code_validate(code, field, err))
            return NQI_EINVAL;
        rec->directed[rec->ndirected++] = xstrdup(code);
    }
    qsort(rec->directed, rec->ndirected, sizeof *rec->directed, str_cmp_p);
    return 0;
}

static int target_from_json(const json_t *t, size_t i, draw_record *rec, draw_target *dt,
                            nqi_error *err)
{
    char field[96];
    snprintf(field, sizeof field, "targets/%zu", i);
    const char *code = jstr(t, "credit_code", field, err);
    const char *label = jstr(t, "stratum", field, err);
    const json_t *team = json_object_get(t, "team");
    int rs = label ? rec_stratum(rec, label) : -1;
    if (!code || rs < 0 || !json_is_boolean(json_object_get(t, "directed")) ||
        !json_is_array(team) || json_array_size(team) < 1 || json_array_size(team) > DRAW_TEAM_MAX)
        return nqi_error_field(err, NQI_EINVAL, field,
                               "credit_code, a stratum of params, directed and team are required");
    dt->credit_code = xstrdup(code);
    dt->stratum = rec->strata[rs].label;
    dt->directed = json_is_true(json_object_get(t, "directed"));
    for (size_t m = 0; m < json_array_size(team); m++) {
        const char *id = json_string_value(json_array_get(team, m));
        if (!id)
            return nqi_error_field(err, NQI_EINVAL, field, "team members are inspector ids");
        dt->team[dt->nteam++] = xstrdup(id);
    }
    return 0;
}

static int target_cmp(const void *a, const void *b)
{
    return strcmp(((const draw_target *)a)->credit_code, ((const draw_target *)b)->credit_code);
}

static int drawn_from_json(const json_t *j, draw_record *rec, nqi_error *err)
{
    char field[96];
    int64_t v = 0;
    if (jhex(j, "public_value", rec->public_value, err) || jhex(j, "seed", rec->seed, err) ||
        jtime(j, "drawn_at", rec->drawn_at, err))
        return NQI_EINVAL;
    const json_t *st = json_object_get(j, "strata"), *ts = json_object_get(j, "targets"),
                 *rs = json_object_get(j, "redraws");
    if (!json_is_array(st) || !json_is_array(ts) || (rs && !json_is_array(rs)))
        return nqi_error_field(err, NQI_EINVAL, "targets", "strata, targets, redraws are arrays");
    for (size_t i = 0; i < json_array_size(st); i++) {
        const json_t *s = json_array_get(st, i);
        snprintf(field, sizeof field, "strata/%zu", i);
        const char *label = jstr(s, "label", field, err);
        int k = label ? rec_stratum(rec, label) : -1;
        if (k < 0)
            return nqi_error_field(err, NQI_EINVAL, field, "not a stratum of params");
        if (jint(s, "population", field, 0, INT64_MAX, &v, err))
            return NQI_EINVAL;
        rec->strata[k].population = (size_t)v;
        if (jint(s, "selected", field, 0, INT64_MAX, &v, err))
            return NQI_EINVAL;
        rec->strata[k].selected = (size_t)v;
    }
    size_t nt = json_array_size(ts);
    rec->targets = xcalloc(nt + 1, sizeof *rec->targets);
    for (size_t i = 0; i < nt; i++) {
        rec->ntargets = i + 1; /* so a failure frees what was filled */
        if (target_from_json(json_array_get(ts, i), i, rec, &rec->targets[i], err))
            return NQI_EINVAL;
    }
    qsort(rec->targets, nt, sizeof *rec->targets, target_cmp);
    for (size_t i = 1; i < nt; i++)
        if (strcmp(rec->targets[i - 1].credit_code, rec->targets[i].credit_code) == 0)
            return nqi_error_field(err, NQI_EINVAL, "targets", "%s is listed twice",
                                   rec->targets[i].credit_code);
    size_t nr = rs ? json_array_size(rs) : 0;
    rec->redraws = xcalloc(nr + 1, sizeof *rec->redraws);
    for (size_t i = 0; i < nr; i++) {
        const json_t *e = json_array_get(rs, i);
        draw_redraw_event *ev = &rec->redraws[i];
        snprintf(field, sizeof field, "redraws/%zu", i);
        const char *s[6] = {jstr(e, "credit_code", field, err), jstr(e, "recused", field, err),
                            jstr(e, "replacement", field, err), jstr(e, "reason", field, err),
                            jstr(e, "reason_hash", field, err), jstr(e, "at", field, err)};
        if (jint(e, "seq", field, 1, INT32_MAX, &v, err) || !s[0] || !s[1] || !s[2] || !s[3] ||
            !s[4] || !s[5])
            return NQI_EINVAL;
        rec->nredraws = i + 1;
        ev->seq = (int)v;
        ev->credit_code = xstrdup(s[0]);
        ev->recused = xstrdup(s[1]);
        ev->replacement = xstrdup(s[2]);
        ev->reason = xstrdup(s[3]);
        ev->reason_hash = xstrdup(s[4]);
        ev->at = xstrdup(s[5]);
    }
    return 0;
}

int draw_record_from_json(const json_t *j, draw_record **out, nqi_error *err)
{
    *out = NULL;
    int rc = sodium_ready(err);
    if (rc)
        return rc;
    if (!json_is_object(j))
        return nqi_error_set(err, NQI_EINVAL, "a draw record is a JSON object");
    const char *fmt = json_string_value(json_object_get(j, "format"));
    if (!fmt || strcmp(fmt, DRAW_FORMAT) != 0)
        return nqi_error_field(err, NQI_EINVAL, "format", "must be \"%s\"", DRAW_FORMAT);
    draw_record *rec = xcalloc(1, sizeof *rec);
    int64_t v = 0;
    const char *id = jstr(j, "draw_id", "draw_id", err);
    const char *state = jstr(j, "state", "state", err);
    rc = NQI_EINVAL;
    if (!id || !draw_id_ok(id) || !state)
        goto fail;
    rec->id = xstrdup(id);
    if (strcmp(state, "drawn") == 0)
        rec->state = DRAW_DRAWN;
    else if (strcmp(state, "committed") == 0)
        rec->state = DRAW_COMMITTED;
    else
        goto fail;
    if (jtime(j, "committed_at", rec->committed_at, err) || jhex(j, "seed_hash", rec->seed_hash, err) ||
        jhex(j, "pool_hash", rec->pool_hash, err) || jhex(j, "roster_hash", rec->roster_hash, err) ||
        jhex(j, "commitment", rec->commitment, err))
        goto fail;
    if (jint(j, "pool_size", "pool_size", 0, INT64_MAX, &v, err))
        goto fail;
    rec->pool_size = (uint64_t)v;
    if (jint(j, "roster_size", "roster_size", 0, INT64_MAX, &v, err))
        goto fail;
    rec->roster_size = (uint64_t)v;
    if (params_from_json(json_object_get(j, "params"), rec, err))
        goto fail;
    if (rec->state == DRAW_DRAWN && drawn_from_json(j, rec, err))
        goto fail;
    *out = rec;
    return 0;
fail:
    if (!err || !err->code)
        nqi_error_set(err, NQI_EINVAL, "not a valid draw record");
    draw_record_free(rec);
    return rc;
}
