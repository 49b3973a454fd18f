/*
 * catalog.c — catalogue records: dates, status as of a date, lookup of a
 * reference, the current edition, edition chains, near misses and the full
 * record of GET /api/v1/standards/{number}. See standards.h.
 *
 * Status as of D is computed from one row thanks to two derived columns
 * (migration 0003) that the import keeps: ends_on (withdrawn_on, else the
 * implemented_on of a full replacement) and replaced_from (the earliest
 * implemented_on among replacing standards). standards_status_derive and
 * STD_STATUS_SQL are the same rule; test_standards checks them against
 * each other.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/util.h"
#include "standards/internal.h"
#include "standards/standards.h"

#define CHAIN_MAX 64

/* ---------------------------------------------------------------- dates */

/* 'YYYY-MM-DD' from parts already known to be in range. */
static void date_fmt(char out[11], unsigned y, unsigned m, unsigned d)
{
    out[0] = (char)('0' + y / 1000 % 10);
    out[1] = (char)('0' + y / 100 % 10);
    out[2] = (char)('0' + y / 10 % 10);
    out[3] = (char)('0' + y % 10);
    out[4] = '-';
    out[5] = (char)('0' + m / 10 % 10);
    out[6] = (char)('0' + m % 10);
    out[7] = '-';
    out[8] = (char)('0' + d / 10 % 10);
    out[9] = (char)('0' + d % 10);
    out[10] = 0;
}

void standards_today(char out[11])
{
    time_t t = time(NULL);
    struct tm tm;
    localtime_r(&t, &tm);
    date_fmt(out, (unsigned)tm.tm_year + 1900, (unsigned)tm.tm_mon + 1, (unsigned)tm.tm_mday);
}

static int read_num(const char **p, int maxdigits, int *out)
{
    int n = 0, v = 0;
    while (**p >= '0' && **p <= '9' && n < maxdigits) {
        v = v * 10 + (**p - '0');
        (*p)++;
        n++;
    }
    if (!n || (**p >= '0' && **p <= '9'))
        return -1;
    *out = v;
    return 0;
}

/* Skip one separator: '-', '/', '.', or a UTF-8 年/月 (3 bytes each). */
static int read_sep(const char **p, const char *cjk)
{
    if (**p == '-' || **p == '/' || **p == '.') {
        (*p)++;
        return 0;
    }
    if (cjk && !strncmp(*p, cjk, strlen(cjk))) {
        *p += strlen(cjk);
        return 0;
    }
    return -1;
}

int standards_date_parse(const char *in, char out[11])
{
    static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    const char *p = in;
    int y, m, d;
    if (!p)
        return NQI_EINVAL;
    while (*p == ' ' || *p == '\t')
        p++;
    if (read_num(&p, 4, &y) || y < 1900 || read_sep(&p, "年") || read_num(&p, 2, &m) ||
        read_sep(&p, "月") || read_num(&p, 2, &d))
        return NQI_EINVAL;
    if (!strncmp(p, "日", strlen("日")))
        p += strlen("日");
    while (*p == ' ' || *p == '\t')
        p++;
    if (*p || m < 1 || m > 12 || d < 1 || d > mdays[m - 1])
        return NQI_EINVAL;
    bool leap = (y % 4 == 0 && y % 100) || y % 400 == 0;
    if (m == 2 && d == 29 && !leap)
        return NQI_EINVAL;
    date_fmt(out, (unsigned)y, (unsigned)m, (unsigned)d);
    return 0;
}

/* ---------------------------------------------------------------- status */

static bool has(const char *s)
{
    return s && *s;
}

const char *standards_status_derive(const char *recorded, const char *implemented_on,
                                    const char *ends_on, const char *replaced_from,
                                    const char *as_of)
{
    if (has(ends_on) && strcmp(ends_on, as_of) <= 0)
        return has(replaced_from) && strcmp(replaced_from, as_of) <= 0 ? "replaced" : "withdrawn";
    if (has(implemented_on) && strcmp(implemented_on, as_of) > 0)
        return "upcoming";
    if (!has(ends_on) && recorded &&
        (!strcmp(recorded, "withdrawn") || !strcmp(recorded, "replaced")))
        return !strcmp(recorded, "withdrawn") ? "withdrawn" : "replaced";
    if (!has(implemented_on) && recorded && !strcmp(recorded, "upcoming"))
        return "upcoming";
    return "in_force";
}

static const struct {
    const char *text, *status;
} status_names[] = {
    {"in_force", "in_force"},   {"现行", "in_force"},      {"现行有效", "in_force"},
    {"有效", "in_force"},       {"in force", "in_force"},  {"upcoming", "upcoming"},
    {"即将实施", "upcoming"},   {"未实施", "upcoming"},    {"withdrawn", "withdrawn"},
    {"废止", "withdrawn"},      {"作废", "withdrawn"},     {"replaced", "replaced"},
    {"被代替", "replaced"},     {"被替代", "replaced"},    {"已被代替", "replaced"},
};

const char *standards_status_from_text(const char *s)
{
    if (!s)
        return NULL;
    while (*s == ' ')
        s++;
    size_t n = strlen(s);
    while (n && s[n - 1] == ' ')
        n--;
    for (size_t i = 0; i < sizeof status_names / sizeof status_names[0]; i++)
        if (strlen(status_names[i].text) == n && !strncasecmp(s, status_names[i].text, n))
            return status_names[i].status;
    return NULL;
}

const char *standards_status_zh(const char *status)
{
    if (!status)
        return "";
    if (!strcmp(status, "in_force"))
        return "现行";
    if (!strcmp(status, "upcoming"))
        return "即将实施";
    if (!strcmp(status, "withdrawn"))
        return "废止";
    if (!strcmp(status, "replaced"))
        return "被代替";
    return "";
}

/* ---------------------------------------------------------------- records */

void standards_record_free(standards_record *r)
{
    if (r) {
        free(r->title_zh);
        r->title_zh = NULL;
    }
}

void standards_records_free(standards_record *v, size_t n)
{
    for (size_t i = 0; v && i < n; i++)
        standards_record_free(&v[i]);
    free(v);
}

static void copy(char *dst, size_t n, const char *s)
{
    snprintf(dst, n, "%s", s ? s : "");
}

/* Columns of a standards_record, in the order record_from_row reads them;
 * STD_STATUS_SQL needs the date bound three times. */
#define RECORD_COLS                                                                          \
    "s.id, s.number, s.std_key, s.prefix, s.title_zh, s.tier, s.nature, s.issued_on, "       \
    "s.implemented_on, s.withdrawn_on, " STD_STATUS_SQL

static void record_from_row(store_rows *r, standards_record *o)
{
    memset(o, 0, sizeof *o);
    o->id = store_int(r, 0);
    copy(o->number, sizeof o->number, store_text(r, 1));
    copy(o->std_key, sizeof o->std_key, store_text(r, 2));
    copy(o->prefix, sizeof o->prefix, store_text(r, 3));
    o->title_zh = xstrdup(store_text(r, 4) ? store_text(r, 4) : "");
    copy(o->tier, sizeof o->tier, store_text(r, 5));
    copy(o->nature, sizeof o->nature, store_text(r, 6));
    copy(o->issued_on, sizeof o->issued_on, store_text(r, 7));
    copy(o->implemented_on, sizeof o->implemented_on, store_text(r, 8));
    copy(o->withdrawn_on, sizeof o->withdrawn_on, store_text(r, 9));
    copy(o->status, sizeof o->status, store_text(r, 10));
}

/* Run a query whose first parameters are the status date (x3) and then
 * extra; append every record to *v (growing *n). */
static int records_query(store_conn *c, const char *sql, const char *as_of,
                         const store_val *extra, int nextra, standards_record **v, size_t *n,
                         nqi_error *err)
{
    store_val p[8];
    char today[11];
    if (!as_of || !*as_of) {
        standards_today(today);
        as_of = today;
    }
    p[0] = p[1] = p[2] = SV_TEXT(as_of);
    for (int i = 0; i < nextra && i < 5; i++)
        p[3 + i] = extra[i];
    store_rows *r;
    int rc = store_query(c, sql, p, 3 + nextra, &r, err);
    if (rc)
        return rc;
    while ((rc = store_next(r)) == 1) {
        *v = xrealloc(*v, (*n + 1) * sizeof **v);
        record_from_row(r, &(*v)[(*n)++]);
    }
    if (rc < 0)
        rc = store_rows_error(r, err);
    store_rows_close(r);
    return rc;
}

int standards_get(store_conn *c, int64_t id, const char *as_of, standards_record *out,
                  nqi_error *err)
{
    static const char sql[] = "SELECT " RECORD_COLS " FROM standards s WHERE s.id = ?";
    standards_record *v = NULL;
    size_t n = 0;
    int rc = records_query(c, sql, as_of, (store_val[]){SV_INT(id)}, 1, &v, &n, err);
    if (!rc && !n)
        rc = nqi_error_set(err, NQI_ENOTFOUND, "no standard with id %lld", (long long)id);
    if (!rc) {
        *out = v[0];
        v[0].title_zh = NULL;
    }
    standards_records_free(v, n);
    return rc;
}

/* A sort key that orders editions oldest first: issued_on, else the
 * number's year, then id. */
static void edition_key(const standards_record *r, char out[24])
{
    if (r->issued_on[0]) {
        snprintf(out, 24, "%s", r->issued_on);
        return;
    }
    const char *y = strrchr(r->number, '-');
    const char *col = strrchr(r->number, ':');
    if (col && (!y || col > y))
        y = col;
    snprintf(out, 24, "%.4s-00-00", y && strlen(y) >= 5 ? y + 1 : "0000");
}

static int edition_cmp(const void *a, const void *b)
{
    const standards_record *x = a, *y = b;
    char kx[24], ky[24];
    edition_key(x, kx);
    edition_key(y, ky);
    int c = strcmp(kx, ky);
    if (c)
        return c;
    return x->id < y->id ? -1 : x->id > y->id;
}

/* Of v[0..n), the newest edition in force, else the newest upcoming, else
 * -1. */
static long pick_current(standards_record *v, size_t n)
{
    qsort(v, n, sizeof *v, edition_cmp);
    for (long i = (long)n - 1; i >= 0; i--)
        if (!strcmp(v[i].status, "in_force"))
            return i;
    for (long i = (long)n - 1; i >= 0; i--)
        if (!strcmp(v[i].status, "upcoming"))
            return i;
    return -1;
}

void std_edition_number(const std_number *n, char out[160])
{
    size_t kl = strlen(n->key);
    const char *c = n->canonical;
    if (n->year && strlen(c) >= kl + 5 && (c[kl] == '-' || c[kl] == ':'))
        snprintf(out, 160, "%.*s", (int)(kl + 5), c);
    else
        snprintf(out, 160, "%s", n->year ? c : n->key);
}

int standards_lookup(store_conn *c, const std_number *n, const char *as_of,
                     standards_record *out, nqi_error *err)
{
    static const char by_number[] = "SELECT " RECORD_COLS " FROM standards s WHERE s.number = ?";
    static const char by_key[] = "SELECT " RECORD_COLS " FROM standards s WHERE s.std_key = ?";
    standards_record *v = NULL;
    size_t cnt = 0;
    char num[160];
    int rc;
    long pick = 0;
    if (n->year) {
        std_edition_number(n, num);
        rc = records_query(c, by_number, as_of, (store_val[]){SV_TEXT(num)}, 1, &v, &cnt, err);
    } else {
        snprintf(num, sizeof num, "%s", n->key);
        rc = records_query(c, by_key, as_of, (store_val[]){SV_TEXT(n->key)}, 1, &v, &cnt, err);
        if (!rc && cnt) {
            pick = pick_current(v, cnt);
            if (pick < 0)
                pick = (long)cnt - 1;
        }
    }
    if (!rc && !cnt)
        rc = nqi_error_field(err, NQI_ENOTFOUND, "number", "%s is not in the catalogue", num);
    if (!rc) {
        *out = v[pick];
        v[pick].title_zh = NULL;
    }
    standards_records_free(v, cnt);
    return rc;
}

/* ---------------------------------------------------------------- graph */

typedef struct idset {
    int64_t v[CHAIN_MAX];
    size_t n;
} idset;

static bool idset_add(idset *s, int64_t id)
{
    for (size_t i = 0; i < s->n; i++)
        if (s->v[i] == id)
            return false;
    if (s->n == CHAIN_MAX)
        return false;
    s->v[s->n++] = id;
    return true;
}

/* Walk from id: full replacements in both directions, plus every edition
 * with the same std_key (the edition chain). */
static int walk(store_conn *c, int64_t id, idset *seen, nqi_error *err)
{
    static const char all[] =
        "SELECT r.new_id FROM standard_replacements r WHERE r.old_id = ? AND r.partial = 0 "
        "UNION SELECT r.old_id FROM standard_replacements r WHERE r.new_id = ? AND r.partial = 0 "
        "UNION SELECT o.id FROM standards s JOIN standards o ON o.std_key = s.std_key "
        "WHERE s.id = ? AND o.id <> s.id";
    idset_add(seen, id);
    for (size_t i = 0; i < seen->n; i++) {
        store_val p[] = {SV_INT(seen->v[i]), SV_INT(seen->v[i]), SV_INT(seen->v[i])};
        store_rows *r;
        int rc = store_query(c, all, p, 3, &r, err);
        if (rc)
            return rc;
        while ((rc = store_next(r)) == 1)
            idset_add(seen, store_int(r, 0));
        if (rc < 0)
            rc = store_rows_error(r, err);
        store_rows_close(r);
        if (rc)
            return rc;
    }
    return 0;
}

static int load_set(store_conn *c, const idset *s, const char *as_of, standards_record **out,
                    size_t *n, nqi_error *err)
{
    *out = NULL;
    *n = 0;
    for (size_t i = 0; i < s->n; i++) {
        standards_record r;
        int rc = standards_get(c, s->v[i], as_of, &r, err);
        if (rc) {
            standards_records_free(*out, *n);
            *out = NULL;
            *n = 0;
            return rc;
        }
        *out = xrealloc(*out, (*n + 1) * sizeof **out);
        (*out)[(*n)++] = r;
    }
    return 0;
}

/* ------------------------------------------------------- many ids at once */

/* Ids per IN (...) list. Shorter lists are padded with their last id (IN is
 * a set), so a query has two texts in all — two prepared statements. */
#define IN_SMALL 8
#define IN_CHUNK 128

int std_query_ids(store_conn *c, const char *head, const char *tail, const store_val *pre,
                  int npre, const int64_t *ids, size_t n, const store_val *post, int npost,
                  int (*row)(store_rows *r, void *ctx), void *ctx, nqi_error *err)
{
    if (!n)
        return 0;
    size_t width = n <= IN_SMALL ? IN_SMALL : IN_CHUNK;
    buf b;
    buf_init(&b, 0);
    buf_puts(&b, head);
    for (size_t i = 0; i < width; i++)
        buf_puts(&b, i ? ", ?" : " (?");
    buf_puts(&b, ")");
    buf_puts(&b, tail);
    store_val *p = xmalloc(((size_t)npre + width + (size_t)npost) * sizeof *p);
    int rc = 0;
    for (size_t off = 0; !rc && off < n; off += width) {
        size_t k = n - off < width ? n - off : width, np = 0;
        for (int i = 0; i < npre; i++)
            p[np++] = pre[i];
        for (size_t i = 0; i < width; i++)
            p[np++] = SV_INT(ids[off + (i < k ? i : k - 1)]);
        for (int i = 0; i < npost; i++)
            p[np++] = post[i];
        store_rows *r;
        if ((rc = store_query(c, b.data, p, (int)np, &r, err)))
            break;
        while ((rc = store_next(r)) == 1)
            if ((rc = row(r, ctx)))
                break;
        if (rc < 0 && !err->code)
            rc = store_rows_error(r, err);
        store_rows_close(r);
    }
    free(p);
    buf_free(&b);
    return rc;
}

/* The forward graph of editions reachable from some ids (full replacements
 * and later editions with the same std_key), loaded level by level. */
typedef struct gnode {
    int64_t id;
    int64_t *next; /* successors, ascending, distinct */
    size_t nnext;
    bool loaded;   /* rec is set */
    standards_record rec;
} gnode;

typedef struct graph {
    gnode *v;
    size_t n;
    long *slot; /* open addressing: index into v, -1 empty */
    size_t nslot;
    const char *as_of;
} graph;

static long graph_find(const graph *g, int64_t id)
{
    size_t m = g->nslot - 1;
    for (size_t i = ((uint64_t)id * 0x9E3779B97F4A7C15ull) >> 20 & m;; i = (i + 1) & m) {
        if (g->slot[i] < 0)
            return -1;
        if (g->v[g->slot[i]].id == id)
            return g->slot[i];
    }
}

static void graph_slot(graph *g, size_t k)
{
    size_t m = g->nslot - 1, i = ((uint64_t)g->v[k].id * 0x9E3779B97F4A7C15ull) >> 20 & m;
    while (g->slot[i] >= 0)
        i = (i + 1) & m;
    g->slot[i] = (long)k;
}

/* The node of id, added when new. */
static long graph_add(graph *g, int64_t id)
{
    long k = g->nslot ? graph_find(g, id) : -1;
    if (k >= 0)
        return k;
    if ((g->n & (g->n - 1)) == 0)
        g->v = xrealloc(g->v, (g->n ? g->n * 2 : 1) * sizeof *g->v);
    memset(&g->v[g->n], 0, sizeof g->v[g->n]);
    g->v[g->n].id = id;
    g->n++;
    if (g->n * 2 > g->nslot) {
        g->nslot = g->nslot ? g->nslot * 2 : 64;
        free(g->slot);
        g->slot = xmalloc(g->nslot * sizeof *g->slot);
        for (size_t i = 0; i < g->nslot; i++)
            g->slot[i] = -1;
        for (size_t i = 0; i < g->n; i++)
            graph_slot(g, i);
    } else {
        graph_slot(g, g->n - 1);
    }
    return (long)g->n - 1;
}

static void graph_free(graph *g)
{
    for (size_t i = 0; i < g->n; i++) {
        free(g->v[i].next);
        standards_record_free(&g->v[i].rec);
    }
    free(g->v);
    free(g->slot);
}

static int edge_row(store_rows *r, void *ctx)
{
    graph *g = ctx;
    int64_t dst = store_int(r, 1);
    long src = graph_find(g, store_int(r, 0));
    graph_add(g, dst); /* may move g->v */
    gnode *s = &g->v[src];
    for (size_t i = 0; i < s->nnext; i++)
        if (s->next[i] == dst)
            return 0;
    s->next = xrealloc(s->next, (s->nnext + 1) * sizeof *s->next);
    s->next[s->nnext++] = dst;
    return 0;
}

static int record_row(store_rows *r, void *ctx)
{
    graph *g = ctx;
    long k = graph_find(g, store_int(r, 0));
    if (k >= 0 && !g->v[k].loaded) {
        record_from_row(r, &g->v[k].rec);
        g->v[k].loaded = true;
    }
    return 0;
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* Expand every node from index `from` on, level by level, then load all
 * records: a few IN (...) queries per level instead of two queries per
 * edition of each chain. */
static int graph_load(store_conn *c, graph *g, nqi_error *err)
{
    static const char repl[] =
        "SELECT r.old_id, r.new_id FROM standard_replacements r WHERE r.partial = 0 "
        "AND r.old_id IN";
    static const char later[] =
        "SELECT s.id, o.id FROM standards s JOIN standards o ON o.std_key = s.std_key "
        "WHERE s.id IN";
    static const char later_tail[] =
        " AND o.id <> s.id AND COALESCE(o.year, 0) > COALESCE(s.year, 0)";
    static const char recs[] = "SELECT " RECORD_COLS " FROM standards s WHERE s.id IN";
    int rc = 0;
    int64_t *ids = NULL;
    for (size_t from = 0; !rc && from < g->n;) {
        size_t to = g->n;
        ids = xrealloc(ids, (to - from) * sizeof *ids);
        for (size_t i = from; i < to; i++)
            ids[i - from] = g->v[i].id;
        rc = std_query_ids(c, repl, "", NULL, 0, ids, to - from, NULL, 0, edge_row, g, err);
        if (!rc)
            rc = std_query_ids(c, later, later_tail, NULL, 0, ids, to - from, NULL, 0, edge_row,
                               g, err);
        from = to;
    }
    for (size_t i = 0; i < g->n; i++)
        if (g->v[i].nnext > 1)
            qsort(g->v[i].next, g->v[i].nnext, sizeof *g->v[i].next, cmp_i64);
    char today[11];
    const char *as_of = g->as_of;
    if (!as_of || !*as_of) {
        standards_today(today);
        as_of = today;
    }
    store_val d[] = {SV_TEXT(as_of), SV_TEXT(as_of), SV_TEXT(as_of)};
    ids = xrealloc(ids, (g->n ? g->n : 1) * sizeof *ids);
    for (size_t i = 0; i < g->n; i++)
        ids[i] = g->v[i].id;
    if (!rc)
        rc = std_query_ids(c, recs, "", d, 3, ids, g->n, NULL, 0, record_row, g, err);
    free(ids);
    return rc;
}

/* standards_current for start node k of a loaded graph: the same walk
 * (breadth first, successors in id order, at most CHAIN_MAX editions) and
 * the same pick, from memory. */
static int graph_current(const graph *g, long k, standards_record *out, bool *prefix_changed,
                         nqi_error *err)
{
    idset seen = {0};
    idset_add(&seen, g->v[k].id);
    for (size_t i = 0; i < seen.n; i++) {
        const gnode *nd = &g->v[graph_find(g, seen.v[i])];
        for (size_t j = 0; j < nd->nnext; j++)
            idset_add(&seen, nd->next[j]);
    }
    standards_record v[CHAIN_MAX];
    for (size_t i = 0; i < seen.n; i++) {
        const gnode *nd = &g->v[graph_find(g, seen.v[i])];
        if (!nd->loaded)
            return nqi_error_set(err, NQI_ENOTFOUND, "no standard with id %lld",
                                 (long long)nd->id);
        v[i] = nd->rec; /* title_zh shared with the graph */
    }
    long pick = pick_current(v, seen.n);
    const standards_record *self = &g->v[k].rec, *cur = pick < 0 ? self : &v[pick];
    *out = *cur;
    out->title_zh = xstrdup(cur->title_zh ? cur->title_zh : "");
    if (prefix_changed)
        *prefix_changed = strcmp(cur->prefix, self->prefix) != 0;
    return 0;
}

int std_current_many(store_conn *c, const int64_t *ids, size_t n, const char *as_of,
                     standards_record *out, bool *prefix_changed, nqi_error *err)
{
    graph g = {.as_of = as_of};
    for (size_t i = 0; i < n; i++)
        graph_add(&g, ids[i]);
    int rc = graph_load(c, &g, err);
    size_t done = 0;
    for (; !rc && done < n; done++)
        rc = graph_current(&g, graph_find(&g, ids[done]), &out[done],
                           prefix_changed ? &prefix_changed[done] : NULL, err);
    if (rc)
        for (size_t i = 0; i < done; i++)
            standards_record_free(&out[i]);
    graph_free(&g);
    return rc;
}

int standards_current(store_conn *c, int64_t id, const char *as_of, standards_record *out,
                      bool *prefix_changed, nqi_error *err)
{
    return std_current_many(c, &id, 1, as_of, out, prefix_changed, err);
}

int standards_chain(store_conn *c, int64_t id, const char *as_of, standards_record **out,
                    size_t *n, nqi_error *err)
{
    idset seen = {0};
    int rc = walk(c, id, &seen, err);
    if (!rc)
        rc = load_set(c, &seen, as_of, out, n, err);
    if (!rc)
        qsort(*out, *n, sizeof **out, edition_cmp);
    return rc;
}

int standards_candidates(store_conn *c, const std_number *n, int max, standards_record **out,
                         size_t *count, nqi_error *err)
{
    static const char sql[] =
        "SELECT " RECORD_COLS " FROM standards s WHERE s.std_key IN (?, ?, ?, ?, ?) "
        "ORDER BY s.year DESC, s.id DESC";
    char k[5][80];
    const char *num = n->number;
    snprintf(k[0], sizeof k[0], "%s", n->key);
    snprintf(k[1], sizeof k[1], "%s %s", n->code, num);
    snprintf(k[2], sizeof k[2], "%s/T %s", n->code, num);
    snprintf(k[3], sizeof k[3], "%s/Z %s", n->code, num);
    snprintf(k[4], sizeof k[4], "%s/ %s", n->code, num);
    store_val p[5];
    for (int i = 0; i < 5; i++)
        p[i] = SV_TEXT(k[i]);
    *out = NULL;
    *count = 0;
    int rc = records_query(c, sql, NULL, p, 5, out, count, err);
    while (!rc && *count > (size_t)max)
        standards_record_free(&(*out)[--*count]);
    return rc;
}

/* ---------------------------------------------------------------- detail */

static json_t *jstr(const char *s)
{
    return s && *s ? json_string(s) : json_null();
}

static json_t *jtime(int64_t ms)
{
    char t[32];
    return ms ? json_string(time_iso8601(ms, t, sizeof t)) : json_null();
}

static const char *const detail_cols[] = {
    "number", "std_key", "prefix", "code", "tier", "nature", "year", "title_zh",
    "title_en", "recorded_status", "issued_on", "implemented_on", "withdrawn_on", "ics",
    "ccs", "department", "committee", "issuer", "drafters", "adopted", "adoption_degree",
    "scope", "source", "verified_at", "created_at", "updated_at", "status"};

static int detail_row(store_conn *c, int64_t id, const char *as_of, json_t **out,
                      nqi_error *err)
{
    static const char sql[] =
        "SELECT s.number, s.std_key, s.prefix, s.code, s.tier, s.nature, s.year, s.title_zh, "
        "s.title_en, s.status, s.issued_on, s.implemented_on, s.withdrawn_on, s.ics, s.ccs, "
        "s.department, s.committee, s.issuer, s.drafters, s.adopted, s.adoption_degree, "
        "s.scope, s.source, s.verified_at, s.created_at, s.updated_at, " STD_STATUS_SQL
        " FROM standards s WHERE s.id = ?";
    store_val p[] = {SV_TEXT(as_of), SV_TEXT(as_of), SV_TEXT(as_of), SV_INT(id)};
    store_rows *r;
    int rc = store_query(c, sql, p, 4, &r, err);
    if (rc)
        return rc;
    if ((rc = store_next(r)) == 1) {
        json_t *o = json_object();
        json_object_set_new(o, "id", json_integer(id));
        for (int i = 0; i < (int)(sizeof detail_cols / sizeof detail_cols[0]); i++) {
            const char *k = detail_cols[i];
            json_t *v;
            if (!strcmp(k, "year"))
                v = store_isnull(r, i) ? json_null() : json_integer(store_int(r, i));
            else if (!strcmp(k, "verified_at") || !strcmp(k, "created_at") ||
                     !strcmp(k, "updated_at"))
                v = store_isnull(r, i) ? json_null() : jtime(store_int(r, i));
            else
                v = jstr(store_text(r, i));
            json_object_set_new(o, k, v);
        }
        *out = o;
        rc = 0;
    } else {
        rc = rc < 0 ? store_rows_error(r, err)
                    : nqi_error_field(err, NQI_ENOTFOUND, "number", "standard not found");
    }
    store_rows_close(r);
    return rc;
}

/* Append the rows of sql (one int parameter) as objects with the given
 * keys (every column text, except keys starting with '#': integer, or '?':
 * boolean). */
static int rows_json(store_conn *c, const char *sql, int64_t id, const char *const *keys,
                     int nkeys, json_t *arr, nqi_error *err)
{
    store_rows *r;
    int rc = store_query(c, sql, (store_val[]){SV_INT(id)}, 1, &r, err);
    if (rc)
        return rc;
    while ((rc = store_next(r)) == 1) {
        json_t *o = json_object();
        for (int i = 0; i < nkeys; i++) {
            const char *k = keys[i];
            json_t *v;
            if (k[0] == '#') {
                k++;
                v = jtime(store_int(r, i));
            } else if (k[0] == '?') {
                k++;
                v = json_boolean(store_int(r, i) != 0);
            } else if (k[0] == '@') {
                k++;
                const char *s = store_text(r, i);
                v = s ? json_loads(s, 0, NULL) : NULL;
                if (!v)
                    v = json_null();
            } else {
                v = jstr(store_text(r, i));
            }
            json_object_set_new(o, k, v);
        }
        json_array_append_new(arr, o);
    }
    if (rc < 0)
        rc = store_rows_error(r, err);
    store_rows_close(r);
    return rc;
}

int standards_detail(store_conn *c, const char *number, const char *as_of, json_t **out,
                     nqi_error *err)
{
    static const char sql_amend[] = "SELECT code, issued_on, implemented_on FROM "
                                    "standard_amendments WHERE standard_id = ? ORDER BY code";
    static const char sql_repl[] =
        "SELECT n.number, r.partial FROM standard_replacements r JOIN standards n ON "
        "n.id = r.old_id WHERE r.new_id = ? ORDER BY n.number";
    static const char sql_by[] =
        "SELECT n.number, r.partial FROM standard_replacements r JOIN standards n ON "
        "n.id = r.new_id WHERE r.old_id = ? ORDER BY n.number";
    static const char sql_changes[] = "SELECT kind, detail, at, source FROM standard_changes "
                                      "WHERE standard_id = ? ORDER BY id DESC LIMIT 200";
    static const char *const k_amend[] = {"code", "issued_on", "implemented_on"};
    static const char *const k_repl[] = {"number", "?partial"};
    static const char *const k_changes[] = {"kind", "@detail", "#at", "source"};
    std_number n;
    standards_record rec = {0};
    char today[11];
    if (!as_of || !*as_of) {
        standards_today(today);
        as_of = today;
    }
    *out = NULL;
    if (!number || std_number_parse(number, strlen(number), &n, err))
        return nqi_error_field(err, NQI_EINVAL, "number", "not a standard number");
    int rc = standards_lookup(c, &n, as_of, &rec, err);
    json_t *o = NULL;
    if (!rc)
        rc = detail_row(c, rec.id, as_of, &o, err);
    if (!rc) {
        json_t *am = json_array(), *rp = json_array(), *rb = json_array(), *ch = json_array(),
               *chain = json_array();
        json_object_set_new(o, "amendments", am);
        json_object_set_new(o, "replaces", rp);
        json_object_set_new(o, "replaced_by", rb);
        json_object_set_new(o, "chain", chain);
        json_object_set_new(o, "changes", ch);
        rc = rows_json(c, sql_amend, rec.id, k_amend, 3, am, err);
        if (!rc)
            rc = rows_json(c, sql_repl, rec.id, k_repl, 2, rp, err);
        if (!rc)
            rc = rows_json(c, sql_by, rec.id, k_repl, 2, rb, err);
        if (!rc)
            rc = rows_json(c, sql_changes, rec.id, k_changes, 4, ch, err);
        standards_record *v = NULL;
        size_t cnt = 0;
        if (!rc)
            rc = standards_chain(c, rec.id, as_of, &v, &cnt, err);
        for (size_t i = 0; !rc && i < cnt; i++)
            json_array_append_new(
                chain, json_pack("{s:s, s:s, s:o, s:o, s:o, s:s}", "number", v[i].number,
                                 "title_zh", v[i].title_zh, "issued_on", jstr(v[i].issued_on),
                                 "implemented_on", jstr(v[i].implemented_on), "withdrawn_on",
                                 jstr(v[i].withdrawn_on), "status", v[i].status));
        standards_records_free(v, cnt);
    }
    standards_record_free(&rec);
    if (rc) {
        json_decref(o);
        return rc;
    }
    json_object_set_new(o, "as_of", json_string(as_of));
    *out = o;
    return 0;
}

/* ---------------------------------------------------------------- derived */

int std_catalog_refresh_derived(store_conn *c, nqi_error *err)
{
    /* Only rows that have replacement links can differ from withdrawn_on;
     * every other row got ends_on = withdrawn_on when written. */
    static const char sql[] =
        "UPDATE standards SET "
        "replaced_from = (SELECT MIN(COALESCE(n.implemented_on, '0000-00-00')) "
        "  FROM standard_replacements r JOIN standards n ON n.id = r.new_id "
        "  WHERE r.old_id = standards.id), "
        "ends_on = COALESCE(withdrawn_on, (SELECT MIN(COALESCE(n.implemented_on, '0000-00-00')) "
        "  FROM standard_replacements r JOIN standards n ON n.id = r.new_id "
        "  WHERE r.old_id = standards.id AND r.partial = 0)) "
        "WHERE id IN (SELECT old_id FROM standard_replacements)";
    return store_exec(c, sql, NULL, 0, NULL, err);
}
