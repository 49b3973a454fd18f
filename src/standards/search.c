/*
 * search.c — GET /api/v1/standards: classify q (standard number, ICS, CCS,
 * full text), build one SQL statement from fixed fragments with bound
 * parameters, page it (keyset cursors for the sorted orders, an offset
 * cursor for relevance), count facets, mark the matched words in titles.
 *
 * Full text is the one place that branches on store_kind(): SQLite MATCHes
 * the FTS5 table over search_tokens (bm25), PostgreSQL the tsvector column
 * built from the same tokens (ts_rank). Highlighting is done here in C on
 * title_zh with core/text's scanner, so it is the same on both backends.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/text.h"
#include "core/util.h"
#include "standards/internal.h"
#include "standards/standards.h"

#define MAXP 48

/* ---------------------------------------------------------------- params */

static bool in_list(const char *s, const char *const *list)
{
    for (; *list; list++)
        if (!strcmp(s, *list))
            return true;
    return false;
}

static void date_param(const char *(*get)(void *, const char *), void *ctx, const char *name,
                       char out[11], nqi_error *err)
{
    const char *v = get(ctx, name);
    out[0] = 0;
    if (v && *v && standards_date_parse(v, out))
        nqi_error_field(err, NQI_EINVAL, name, "'%s' is not a date (YYYY-MM-DD)", v);
}

static const char *nonempty(const char *s)
{
    return s && *s ? s : NULL;
}

int standards_search_params(const char *(*get)(void *ctx, const char *name), void *ctx,
                            std_search *p, nqi_error *err)
{
    static const char *const tiers[] = {"national", "industry",   "local",       "group",
                                        "enterprise", "metrology", "safety_spec", NULL};
    static const char *const statuses[] = {"in_force", "upcoming", "withdrawn", "replaced", NULL};
    static const char *const natures[] = {"mandatory", "recommended", "guidance", "none", NULL};
    memset(p, 0, sizeof *p);
    p->q = nonempty(get(ctx, "q"));
    p->tier = nonempty(get(ctx, "tier"));
    p->status = nonempty(get(ctx, "status"));
    p->nature = nonempty(get(ctx, "nature"));
    p->committee = nonempty(get(ctx, "committee"));
    p->ics = nonempty(get(ctx, "ics"));
    p->cursor = nonempty(get(ctx, "cursor"));
    if (p->q && strlen(p->q) > 400)
        nqi_error_field(err, NQI_EINVAL, "q", "at most 400 bytes");
    if (p->tier && !in_list(p->tier, tiers))
        nqi_error_field(err, NQI_EINVAL, "tier", "one of national, industry, local, group, "
                                                 "enterprise, metrology, safety_spec");
    if (p->status && !in_list(p->status, statuses))
        nqi_error_field(err, NQI_EINVAL, "status", "one of in_force, upcoming, withdrawn, replaced");
    if (p->nature && !in_list(p->nature, natures))
        nqi_error_field(err, NQI_EINVAL, "nature", "one of mandatory, recommended, guidance");
    if (p->ics) {
        for (const char *s = p->ics; *s; s++)
            if (!isdigit((unsigned char)*s) && *s != '.') {
                nqi_error_field(err, NQI_EINVAL, "ics", "an ICS code or prefix like 03.120");
                break;
            }
    }
    date_param(get, ctx, "issued_from", p->issued_from, err);
    date_param(get, ctx, "issued_to", p->issued_to, err);
    date_param(get, ctx, "implemented_from", p->implemented_from, err);
    date_param(get, ctx, "implemented_to", p->implemented_to, err);
    date_param(get, ctx, "as_of", p->as_of, err);
    if (!p->as_of[0])
        standards_today(p->as_of);
    const char *sort = nonempty(get(ctx, "sort"));
    static const struct {
        const char *name;
        std_sort sort;
    } sorts[] = {{"relevance", STD_SORT_RELEVANCE},     {"number", STD_SORT_NUMBER},
                 {"-issued_on", STD_SORT_ISSUED_DESC},  {"issued_on", STD_SORT_ISSUED},
                 {"-implemented_on", STD_SORT_IMPLEMENTED_DESC}};
    if (sort) {
        size_t i;
        for (i = 0; i < sizeof sorts / sizeof sorts[0]; i++)
            if (!strcmp(sort, sorts[i].name))
                break;
        if (i == sizeof sorts / sizeof sorts[0])
            nqi_error_field(err, NQI_EINVAL, "sort",
                            "one of relevance, number, -issued_on, issued_on, -implemented_on");
        else
            p->sort = sorts[i].sort;
    }
    const char *l = nonempty(get(ctx, "limit"));
    p->limit = 20;
    if (l) {
        char *end;
        errno = 0;
        long long v = strtoll(l, &end, 10);
        if (errno || *end || v < 1 || v > 200)
            nqi_error_field(err, NQI_EINVAL, "limit", "an integer from 1 to 200");
        else
            p->limit = v;
    }
    p->facets = true;
    return err->code;
}

/* ---------------------------------------------------------------- q */

enum { Q_NONE, Q_NUMBER, Q_ICS, Q_CCS, Q_TEXT };

static bool is_ics(const char *s)
{
    /* \d\d(\.\d\d\d(\.\d\d)?)? */
    size_t n = strlen(s);
    if (n != 2 && n != 6 && n != 9)
        return false;
    for (size_t i = 0; i < n; i++) {
        bool dot = i == 2 || i == 6;
        if (dot ? s[i] != '.' : !isdigit((unsigned char)s[i]))
            return false;
    }
    return true;
}

static bool is_ccs(const char *s)
{
    return strlen(s) == 3 && isalpha((unsigned char)s[0]) && isdigit((unsigned char)s[1]) &&
           isdigit((unsigned char)s[2]);
}

/* ---------------------------------------------------------------- query */

typedef struct part {
    buf sql;
    store_val p[MAXP];
    int np;
} part;

typedef struct query {
    part sel, from, where, order;
    int qmode;
    char qtrim[412];
    std_number num;
    char edition[160];
    char code[16];       /* ICS/CCS value from q */
    char *match;         /* FTS5 MATCH or tsquery text (malloc'd) */
    bool pg;
    std_sort sort;
    /* keyset */
    const char *key_expr;
    bool desc;
} query;

static void part_init(part *x)
{
    buf_init(&x->sql, 0);
    x->np = 0;
}

static void add(part *x, const char *sql)
{
    buf_puts(&x->sql, sql);
}

static void bind(part *x, store_val v)
{
    if (x->np < MAXP)
        x->p[x->np++] = v;
}

static void bind_date3(part *x, const char *d)
{
    bind(x, SV_TEXT(d));
    bind(x, SV_TEXT(d));
    bind(x, SV_TEXT(d));
}

static void query_free(query *q)
{
    buf_free(&q->sel.sql);
    buf_free(&q->from.sql);
    buf_free(&q->where.sql);
    buf_free(&q->order.sql);
    free(q->match);
}

/* `col` holds one code or a list ("03.120.10; 03.120.20"): match value
 * as a prefix of any element. Patterns go in as parameters. */
static void code_prefix(query *q, part *w, const char *col, const char *val, char pats[4][48])
{
    snprintf(pats[0], 48, "%s%%", val);
    snprintf(pats[1], 48, "%% %s%%", val);
    snprintf(pats[2], 48, "%%;%s%%", val);
    snprintf(pats[3], 48, "%%,%s%%", val);
    buf_printf(&w->sql, " AND (%s LIKE ? OR %s LIKE ? OR %s LIKE ? OR %s LIKE ?)", col, col, col,
               col);
    for (int i = 0; i < 4; i++)
        bind(w, SV_TEXT(pats[i]));
}

/* Where all the LIKE patterns live for the life of the query. */
typedef struct pats {
    char ics[4][48], qcode[4][48];
} pats;

/* Other readings of a number-like q the strict grammar rejects or the
 * catalogue does not hold: "GBZ 15567"/"gbz15567" is also GB/Z 15567 (and
 * "GB/Z x" also GBZ x); "tcas3258.2" is T/CAS 3258.2. Writes the i-th
 * alternative into out; false when there is none. */
static bool number_alt(const char *s, int i, char *out, size_t n)
{
    size_t l = strlen(s);
    if (i == 0 && l > 3 && !strncasecmp(s, "GBZ", 3)) {
        snprintf(out, n, "GB/Z%s", s + 3);
        return true;
    }
    if (i == 0 && l > 4 && !strncasecmp(s, "GB/Z", 4)) {
        snprintf(out, n, "GBZ%s", s + 4);
        return true;
    }
    if (i == 1 && l > 2 && (s[0] == 'T' || s[0] == 't') && isalpha((unsigned char)s[1])) {
        snprintf(out, n, "T/%s", s + 1);
        return true;
    }
    return false;
}

static bool key_exists(store_conn *c, const char *key)
{
    int64_t one;
    nqi_error e = {0};
    return !store_query_int(c, "SELECT 1 FROM standards WHERE std_key = ? LIMIT 1",
                            (store_val[]){SV_TEXT(key)}, 1, &one, &e);
}

/* q as a standard number: the strict reading when the catalogue holds it
 * (or no other reading is held), else the first alternative reading
 * (number_alt) that the catalogue holds. */
static bool number_reading(store_conn *c, const char *s, size_t n, std_number *num)
{
    nqi_error e = {0};
    bool strict = !std_number_parse(s, n, num, &e);
    if (strict && key_exists(c, num->key))
        return true;
    char alt[440];
    std_number an;
    for (int i = 0; i < 2; i++) {
        nqi_error e2 = {0};
        if (number_alt(s, i, alt, sizeof alt) && !std_number_parse(alt, strlen(alt), &an, &e2) &&
            key_exists(c, an.key)) {
            *num = an;
            return true;
        }
    }
    return strict;
}

/* min_id > 0: full text only over matches with id >= min_id (the bounded
 * candidate set, see standards_search). top > 0 (SQLite, relevance, no
 * filter): the FTS subquery itself keeps only the top best-scored rows,
 * so only those are joined with standards. */
static int build(store_conn *c, const std_search *p, query *q, pats *pt, int64_t min_id,
                 int64_t top, nqi_error *err)
{
    memset(q, 0, sizeof *q);
    part_init(&q->sel);
    part_init(&q->from);
    part_init(&q->where);
    part_init(&q->order);
    q->pg = store_kind(store_conn_store(c)) == STORE_PG;
    q->qmode = Q_NONE;
    if (p->q) {
        snprintf(q->qtrim, sizeof q->qtrim, "%s", p->q);
        char *s = q->qtrim;
        while (*s == ' ')
            memmove(s, s + 1, strlen(s));
        size_t n = strlen(s);
        while (n && s[n - 1] == ' ')
            s[--n] = 0;
        if (!n)
            q->qmode = Q_NONE;
        else if (number_reading(c, s, n, &q->num))
            q->qmode = Q_NUMBER;
        else if (is_ics(s))
            q->qmode = Q_ICS;
        else if (is_ccs(s))
            q->qmode = Q_CCS;
        else
            q->qmode = Q_TEXT;
    }
    q->sort = p->sort;
    if (q->sort == STD_SORT_DEFAULT)
        q->sort = q->qmode == Q_NONE ? STD_SORT_NUMBER : STD_SORT_RELEVANCE;
    if (q->sort == STD_SORT_RELEVANCE && q->qmode == Q_NONE)
        q->sort = STD_SORT_NUMBER;

    add(&q->sel, "SELECT s.id, s.number, s.title_zh, s.title_en, s.tier, s.nature, "
                 STD_STATUS_SQL ", s.issued_on, s.implemented_on, s.withdrawn_on, s.ics, s.ccs, "
                 "s.committee");
    bind_date3(&q->sel, p->as_of);
    add(&q->from, " FROM standards s");
    add(&q->where, " WHERE 1 = 1");
    const char *score = NULL;
    switch (q->qmode) {
    case Q_NUMBER:
        std_edition_number(&q->num, q->edition);
        add(&q->where, " AND s.std_key = ?");
        bind(&q->where, SV_TEXT(q->num.key));
        break;
    case Q_ICS:
        snprintf(q->code, sizeof q->code, "%.10s", q->qtrim);
        code_prefix(q, &q->where, "s.ics", q->code, pt->qcode);
        break;
    case Q_CCS:
        snprintf(q->code, sizeof q->code, "%c%c%c", toupper((unsigned char)q->qtrim[0]),
                 q->qtrim[1], q->qtrim[2]);
        code_prefix(q, &q->where, "s.ccs", q->code, pt->qcode);
        break;
    case Q_TEXT: {
        buf m;
        buf_init(&m, 4096);
        int rc = q->pg ? text_query_tsquery(q->qtrim, strlen(q->qtrim), &m)
                       : text_query(q->qtrim, strlen(q->qtrim), &m);
        if (rc) {
            buf_free(&m);
            return nqi_error_field(err, NQI_EINVAL, "q", "nothing searchable in '%s'", q->qtrim);
        }
        q->match = buf_steal(&m);
        if (q->pg) {
            add(&q->where, " AND s.search_tsv @@ to_tsquery('simple', ?)");
            bind(&q->where, SV_TEXT(q->match));
            if (min_id > 0) {
                add(&q->where, " AND s.id >= ?");
                bind(&q->where, SV_INT(min_id));
            }
            score = "-ts_rank(s.search_tsv, to_tsquery('simple', ?))";
        } else {
            add(&q->from, " JOIN (SELECT rowid AS fid, bm25(standards_fts) AS score FROM "
                          "standards_fts WHERE standards_fts MATCH ?");
            bind(&q->from, SV_TEXT(q->match));
            if (min_id > 0) {
                add(&q->from, " AND rowid >= ?");
                bind(&q->from, SV_INT(min_id));
            }
            if (top > 0) {
                add(&q->from, " ORDER BY score, rowid LIMIT ?");
                bind(&q->from, SV_INT(top));
            }
            add(&q->from, ") f ON f.fid = s.id");
            score = "f.score";
        }
        break;
    }
    }
    if (p->tier) {
        add(&q->where, " AND s.tier = ?");
        bind(&q->where, SV_TEXT(p->tier));
    }
    if (p->nature) {
        if (!strcmp(p->nature, "none")) {
            add(&q->where, " AND s.nature IS NULL");
        } else {
            add(&q->where, " AND s.nature = ?");
            bind(&q->where, SV_TEXT(p->nature));
        }
    }
    if (p->committee) {
        add(&q->where, " AND s.committee = ?");
        bind(&q->where, SV_TEXT(p->committee));
    }
    if (p->ics)
        code_prefix(q, &q->where, "s.ics", p->ics, pt->ics);
    static const struct {
        size_t off;
        const char *sql;
    } ranges[] = {
        {offsetof(std_search, issued_from), " AND s.issued_on >= ?"},
        {offsetof(std_search, issued_to), " AND s.issued_on <= ?"},
        {offsetof(std_search, implemented_from), " AND s.implemented_on >= ?"},
        {offsetof(std_search, implemented_to), " AND s.implemented_on <= ?"},
    };
    for (size_t i = 0; i < sizeof ranges / sizeof ranges[0]; i++) {
        const char *d = (const char *)p + ranges[i].off;
        if (*d) {
            add(&q->where, ranges[i].sql);
            bind(&q->where, SV_TEXT(d));
        }
    }
    if (p->status) {
        add(&q->where, " AND " STD_STATUS_SQL " = ?");
        bind_date3(&q->where, p->as_of);
        bind(&q->where, SV_TEXT(p->status));
    }
    /* order */
    switch (q->sort) {
    case STD_SORT_RELEVANCE:
        if (q->qmode == Q_TEXT) {
            buf_printf(&q->order.sql, " ORDER BY %s, s.id", score);
            if (q->pg)
                bind(&q->order, SV_TEXT(q->match));
        } else if (q->qmode == Q_NUMBER) {
            add(&q->order, " ORDER BY CASE WHEN s.number = ? THEN 0 ELSE 1 END, CASE WHEN "
                           STD_STATUS_SQL " = 'in_force' THEN 0 ELSE 1 END, s.year DESC, s.id");
            bind(&q->order, SV_TEXT(q->edition));
            bind_date3(&q->order, p->as_of);
        } else {
            add(&q->order, " ORDER BY s.number, s.id");
        }
        break;
    case STD_SORT_NUMBER:
        q->key_expr = "s.number";
        break;
    case STD_SORT_ISSUED:
        q->key_expr = "COALESCE(s.issued_on, '')";
        break;
    case STD_SORT_ISSUED_DESC:
        q->key_expr = "COALESCE(s.issued_on, '')";
        q->desc = true;
        break;
    case STD_SORT_IMPLEMENTED_DESC:
    default:
        q->key_expr = "COALESCE(s.implemented_on, '')";
        q->desc = true;
        break;
    }
    if (q->key_expr)
        buf_printf(&q->order.sql, " ORDER BY %s %s, s.id %s", q->key_expr,
                   q->desc ? "DESC" : "ASC", q->desc ? "DESC" : "ASC");
    return 0;
}

/* ---------------------------------------------------------------- cursor */

/* Cursors are base64url of "r:<offset>" (relevance) or
 * "k<sort>:<id>:<key>" (keyset). Opaque to clients. */
static char *cursor_make(const char *raw)
{
    size_t n = sodium_base64_encoded_len(strlen(raw), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    char *out = xmalloc(n);
    sodium_bin2base64(out, n, (const unsigned char *)raw, strlen(raw),
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    return out;
}

static int cursor_read(const char *cur, char *raw, size_t n, nqi_error *err)
{
    size_t len = 0;
    if (strlen(cur) > 400 ||
        sodium_base642bin((unsigned char *)raw, n - 1, cur, strlen(cur), NULL, &len, NULL,
                          sodium_base64_VARIANT_URLSAFE_NO_PADDING))
        return nqi_error_field(err, NQI_EINVAL, "cursor", "invalid cursor");
    raw[len] = 0;
    if (memchr(raw, 0, len))
        return nqi_error_field(err, NQI_EINVAL, "cursor", "invalid cursor");
    return 0;
}

/* ---------------------------------------------------------------- items */

static json_t *jstr(const char *s)
{
    return s && *s ? json_string(s) : json_null();
}

static int replaced_by(store_conn *c, int64_t id, json_t *arr, nqi_error *err)
{
    static const char sql[] = "SELECT n.number FROM standard_replacements r JOIN standards n ON "
                              "n.id = r.new_id WHERE r.old_id = ? ORDER BY n.number";
    store_rows *r;
    int rc = store_query(c, sql, (store_val[]){SV_INT(id)}, 1, &r, err);
    if (rc)
        return rc;
    while ((rc = store_next(r)) == 1)
        json_array_append_new(arr, json_string(store_text(r, 0)));
    if (rc < 0)
        rc = store_rows_error(r, err);
    store_rows_close(r);
    return rc;
}

/* Item JSON from a row of the SELECT built above. */
static json_t *item_json(store_rows *r, const char *hq)
{
    const char *title = store_text(r, 2);
    char *hl = standards_highlight(title ? title : "", hq);
    json_t *o = json_object();
    json_object_set_new(o, "number", jstr(store_text(r, 1)));
    json_object_set_new(o, "title_zh", jstr(title));
    json_object_set_new(o, "title_en", jstr(store_text(r, 3)));
    json_object_set_new(o, "tier", jstr(store_text(r, 4)));
    json_object_set_new(o, "nature", jstr(store_text(r, 5)));
    json_object_set_new(o, "status", jstr(store_text(r, 6)));
    json_object_set_new(o, "issued_on", jstr(store_text(r, 7)));
    json_object_set_new(o, "implemented_on", jstr(store_text(r, 8)));
    json_object_set_new(o, "withdrawn_on", jstr(store_text(r, 9)));
    json_object_set_new(o, "ics", jstr(store_text(r, 10)));
    json_object_set_new(o, "ccs", jstr(store_text(r, 11)));
    json_object_set_new(o, "committee", jstr(store_text(r, 12)));
    json_object_set_new(o, "replaced_by", json_array());
    json_object_set_new(o, "highlight", json_pack("{s:s}", "title_zh", hl));
    free(hl);
    return o;
}

typedef struct page {
    int64_t offset;      /* relevance */
    char key[200];       /* keyset */
    int64_t id;
    bool keyset;
} page;

static int apply_cursor(query *q, const char *cursor, page *pg, part *w, nqi_error *err)
{
    memset(pg, 0, sizeof *pg);
    if (!cursor)
        return 0;
    char raw[320];
    if (cursor_read(cursor, raw, sizeof raw, err))
        return err->code;
    if (q->key_expr) {
        char *a = strchr(raw, ':'), *b = a ? strchr(a + 1, ':') : NULL;
        if (raw[0] != 'k' || !a || !b || atoi(raw + 1) != (int)q->sort)
            return nqi_error_field(err, NQI_EINVAL, "cursor", "cursor of another sort order");
        pg->id = strtoll(a + 1, NULL, 10);
        snprintf(pg->key, sizeof pg->key, "%s", b + 1);
        pg->keyset = true;
        buf_printf(&w->sql, " AND (%s %c ? OR (%s = ? AND s.id %c ?))", q->key_expr,
                   q->desc ? '<' : '>', q->key_expr, q->desc ? '<' : '>');
        bind(w, SV_TEXT(pg->key));
        bind(w, SV_TEXT(pg->key));
        bind(w, SV_INT(pg->id));
        return 0;
    }
    char *end;
    if (raw[0] != 'r' || raw[1] != ':' || (pg->offset = strtoll(raw + 2, &end, 10)) < 0 || *end)
        return nqi_error_field(err, NQI_EINVAL, "cursor", "cursor of another sort order");
    return 0;
}

/* Concatenate the parts (and their parameters) + LIMIT/OFFSET. */
static char *assemble(query *q, part *where, const char *select_override, int64_t limit,
                      int64_t offset, store_val *p, int *np)
{
    buf s;
    buf_init(&s, 0);
    *np = 0;
    const part *parts[] = {&q->sel, &q->from, where, &q->order};
    for (int i = 0; i < 4; i++) {
        if (i == 0 && select_override) {
            buf_puts(&s, select_override);
            continue;
        }
        if (i == 3 && limit < 0)
            continue; /* no ORDER BY for counts */
        buf_puts(&s, parts[i]->sql.data ? parts[i]->sql.data : "");
        for (int k = 0; k < parts[i]->np; k++)
            p[(*np)++] = parts[i]->p[k];
    }
    if (limit >= 0) {
        buf_puts(&s, " LIMIT ? OFFSET ?");
        p[(*np)++] = SV_INT(limit);
        p[(*np)++] = SV_INT(offset);
    }
    return buf_steal(&s);
}

typedef int (*row_fn)(void *ctx, store_rows *r, const char *hq);

static int run_rows(store_conn *c, query *q, part *where, int64_t limit, int64_t offset,
                    row_fn fn, void *ctx, nqi_error *err)
{
    store_val p[4 * MAXP + 2];
    int np;
    char *sql = assemble(q, where, NULL, limit, offset, p, &np);
    store_rows *r;
    int rc = store_query(c, sql, p, np, &r, err);
    free(sql);
    if (rc)
        return rc;
    const char *hq = q->qmode == Q_TEXT ? q->qtrim : NULL;
    while ((rc = store_next(r)) == 1)
        if ((rc = fn(ctx, r, hq)))
            break;
    if (rc < 0)
        rc = store_rows_error(r, err);
    store_rows_close(r);
    return rc;
}

static int facets(store_conn *c, query *q, const std_search *p, json_t *out, nqi_error *err)
{
    /* select: tier, nature, status — GROUP BY ordinals (PostgreSQL would not
     * match the two parameterised status expressions otherwise) */
    part sel;
    part_init(&sel);
    add(&sel, "SELECT s.tier, COALESCE(s.nature, 'none'), " STD_STATUS_SQL ", COUNT(*)");
    bind_date3(&sel, p->as_of);
    store_val pv[4 * MAXP + 2];
    int np = 0;
    for (int k = 0; k < sel.np; k++)
        pv[np++] = sel.p[k];
    buf s;
    buf_init(&s, 0);
    buf_puts(&s, sel.sql.data);
    const part *parts[] = {&q->from, &q->where};
    for (int i = 0; i < 2; i++) {
        buf_puts(&s, parts[i]->sql.data ? parts[i]->sql.data : "");
        for (int k = 0; k < parts[i]->np; k++)
            pv[np++] = parts[i]->p[k];
    }
    buf_puts(&s, " GROUP BY 1, 2, 3");
    buf_free(&sel.sql);
    store_rows *r;
    int rc = store_query(c, s.data, pv, np, &r, err);
    buf_free(&s);
    if (rc)
        return rc;
    json_t *ft = json_object(), *tier = json_object(), *status = json_object(),
           *nature = json_object();
    static const char *const st[] = {"in_force", "upcoming", "withdrawn", "replaced"};
    for (int i = 0; i < 4; i++)
        json_object_set_new(status, st[i], json_integer(0));
    int64_t total = 0;
    while ((rc = store_next(r)) == 1) {
        int64_t n = store_int(r, 3);
        const char *keys[3] = {store_text(r, 0), store_text(r, 1), store_text(r, 2)};
        json_t *objs[3] = {tier, nature, status};
        for (int i = 0; i < 3; i++) {
            const char *k = keys[i] ? keys[i] : "none";
            json_t *v = json_object_get(objs[i], k);
            json_object_set_new(objs[i], k, json_integer((v ? json_integer_value(v) : 0) + n));
        }
        total += n;
    }
    if (rc < 0)
        rc = store_rows_error(r, err);
    store_rows_close(r);
    json_object_set_new(ft, "tier", tier);
    json_object_set_new(ft, "status", status);
    json_object_set_new(ft, "nature", nature);
    json_object_set_new(out, "facets", ft);
    json_object_set_new(out, "total", json_integer(total));
    return rc;
}

/* ---- standards_search ---- */

typedef struct collect {
    store_conn *c;
    json_t *items;
    int64_t n, limit;
    bool more;
    char last_key[200];
    int64_t last_id;
    int key_col;
} collect;

static int collect_row(void *ctx, store_rows *r, const char *hq)
{
    collect *k = ctx;
    if (k->n == k->limit) {
        k->more = true;
        return 1;
    }
    json_array_append_new(k->items, item_json(r, hq));
    k->last_id = store_int(r, 0);
    const char *key = store_text(r, k->key_col);
    snprintf(k->last_key, sizeof k->last_key, "%s", key ? key : "");
    k->n++;
    return 0;
}

static int fill_replaced_by(store_conn *c, json_t *items, nqi_error *err)
{
    size_t i;
    json_t *it;
    json_array_foreach(items, i, it)
    {
        int64_t id;
        nqi_error e = {0};
        const char *num = json_string_value(json_object_get(it, "number"));
        int rc = store_query_int(c, "SELECT id FROM standards WHERE number = ?",
                                 (store_val[]){SV_TEXT(num)}, 1, &id, &e);
        if (!rc)
            rc = replaced_by(c, id, json_object_get(it, "replaced_by"), err);
        else if (rc != NQI_ENOTFOUND)
            *err = e;
        if (rc && rc != NQI_ENOTFOUND)
            return rc;
    }
    return 0;
}

int64_t standards_search_bound(void)
{
    const char *e = getenv("NQI_SEARCH_BOUND");
    long long v = e && *e ? strtoll(e, NULL, 10) : 0;
    return v > 0 ? v : STD_SEARCH_BOUND;
}

/* The bounded candidate set of a full-text q: scan the matches that pass
 * every filter in descending id order (newest rows first), at most bound + 1
 * of them, without scoring. Sets *min_id to the id of the bound-th one when
 * there are more than bound (0 otherwise: every match takes part). */
static bool no_filter(const query *q)
{
    return !q->pg && !strcmp(q->where.sql.data, " WHERE 1 = 1");
}

static int text_candidates(store_conn *c, query *q, int64_t bound, int64_t *min_id,
                           nqi_error *err)
{
    buf s;
    buf_init(&s, 0);
    store_val pv[MAXP + 4];
    int np = 0;
    if (no_filter(q)) { /* the FTS index alone, no row visited */
        buf_puts(&s, "SELECT rowid FROM standards_fts WHERE standards_fts MATCH ? "
                     "ORDER BY rowid DESC LIMIT ?");
        pv[np++] = SV_TEXT(q->match);
    } else if (q->pg) {
        buf_puts(&s, "SELECT s.id FROM standards s");
        buf_puts(&s, q->where.sql.data);
        for (int k = 0; k < q->where.np; k++)
            pv[np++] = q->where.p[k];
        buf_puts(&s, " ORDER BY s.id DESC LIMIT ?");
    } else {
        buf_puts(&s, "SELECT s.id FROM standards_fts JOIN standards s ON s.id = "
                     "standards_fts.rowid");
        buf_puts(&s, q->where.sql.data);
        for (int k = 0; k < q->where.np; k++)
            pv[np++] = q->where.p[k];
        buf_puts(&s, " AND standards_fts MATCH ? ORDER BY standards_fts.rowid DESC LIMIT ?");
        pv[np++] = SV_TEXT(q->match);
    }
    pv[np++] = SV_INT(bound + 1);
    store_rows *r;
    int rc = store_query(c, s.data, pv, np, &r, err);
    buf_free(&s);
    if (rc)
        return rc;
    int64_t n = 0, last = 0;
    *min_id = 0;
    while ((rc = store_next(r)) == 1) {
        if (++n > bound) {
            *min_id = last;
            break;
        }
        last = store_int(r, 0);
    }
    if (rc < 0)
        rc = store_rows_error(r, err);
    else
        rc = 0;
    store_rows_close(r);
    return rc;
}

int standards_search(store_conn *c, const std_search *p, json_t **out, nqi_error *err)
{
    query q;
    pats pt;
    page pg;
    *out = NULL;
    int64_t bound = p->bound > 0 ? p->bound : standards_search_bound(), min_id = 0, top = 0;
    int rc = build(c, p, &q, &pt, 0, 0, err);
    if (!rc && q.qmode == Q_TEXT) {
        rc = text_candidates(c, &q, bound, &min_id, err);
        if (!rc && min_id > 0) {
            /* no filter, relevance: only the page's rows among the best-scored
             * (offset + limit + 1) are joined with standards */
            if (no_filter(&q) && q.sort == STD_SORT_RELEVANCE && !q.key_expr) {
                part w0 = {0};
                nqi_error e0 = {0};
                buf_init(&w0.sql, 0);
                if (!apply_cursor(&q, p->cursor, &pg, &w0, &e0))
                    top = pg.offset + p->limit + 1; /* a bad cursor is reported below */
                buf_free(&w0.sql);
            }
            query_free(&q);
            rc = build(c, p, &q, &pt, min_id, top, err);
        }
    }
    part w = {0};
    buf_init(&w.sql, 0);
    if (!rc) {
        /* the page's WHERE = the filter + the keyset condition */
        buf_puts(&w.sql, q.where.sql.data);
        memcpy(w.p, q.where.p, sizeof(store_val) * (size_t)q.where.np);
        w.np = q.where.np;
        rc = apply_cursor(&q, p->cursor, &pg, &w, err);
    }
    collect k = {.c = c, .items = json_array(), .limit = p->limit};
    if (!rc && q.key_expr) {
        /* the key column is appended to the select list */
        buf_printf(&q.sel.sql, ", %s", q.key_expr);
        k.key_col = 13;
    }
    if (!rc)
        rc = run_rows(c, &q, &w, p->limit + 1, q.key_expr ? 0 : pg.offset, collect_row, &k, err);
    if (rc == 1)
        rc = 0;
    if (!rc)
        rc = fill_replaced_by(c, k.items, err);
    json_t *o = json_object();
    json_object_set_new(o, "items", k.items);
    if (!rc && k.more) {
        char raw[300];
        if (q.key_expr)
            snprintf(raw, sizeof raw, "k%d:%lld:%s", (int)q.sort, (long long)k.last_id,
                     k.last_key);
        else
            snprintf(raw, sizeof raw, "r:%lld", (long long)(pg.offset + k.n));
        char *cur = cursor_make(raw);
        json_object_set_new(o, "next_cursor", json_string(cur));
        free(cur);
    } else {
        json_object_set_new(o, "next_cursor", json_null());
    }
    if (!rc && p->facets && top > 0) {
        /* total and facets count the whole bounded set, not the top rows */
        query_free(&q);
        rc = build(c, p, &q, &pt, min_id, 0, err);
    }
    if (!rc && p->facets) {
        rc = facets(c, &q, p, o, err);
        json_object_set_new(o, "total_exact", json_boolean(min_id == 0));
        json_object_set_new(o, "facets_exact", json_boolean(min_id == 0));
    }
    if (min_id > 0)
        json_object_set_new(o, "bound", json_integer(bound));
    json_object_set_new(o, "as_of", json_string(p->as_of));
    buf_free(&w.sql);
    query_free(&q);
    if (rc) {
        json_decref(o);
        return rc;
    }
    *out = o;
    return 0;
}

/* ---- standards_search_each (export) ---- */

typedef struct each_ctx {
    store_conn *c;
    int (*each)(void *, json_t *);
    void *ctx;
    nqi_error *err;
    int rc;
} each_ctx;

static int each_row(void *ctx, store_rows *r, const char *hq)
{
    each_ctx *e = ctx;
    json_t *it = item_json(r, NULL);
    int rc = replaced_by(e->c, store_int(r, 0), json_object_get(it, "replaced_by"), e->err);
    if (!rc)
        rc = e->each(e->ctx, it);
    json_decref(it);
    if (rc)
        e->rc = rc;
    return rc;
}

int standards_search_each(store_conn *c, const std_search *p, int64_t max,
                          int (*each)(void *ctx, json_t *item), void *ctx, nqi_error *err)
{
    query q;
    pats pt;
    int rc = build(c, p, &q, &pt, 0, 0, err);
    each_ctx e = {c, each, ctx, err, 0};
    if (!rc)
        rc = run_rows(c, &q, &q.where, max, 0, each_row, &e, err);
    query_free(&q);
    return rc;
}

/* ---------------------------------------------------------------- highlight */

typedef struct qterms {
    char t[TEXT_QUERY_MAX][TEXT_WORD_MAX + 1];
    int n;
} qterms;

static int qterm_emit(void *ctx, int kind, int colocated, const char *tok, size_t n,
                      size_t start, size_t end)
{
    qterms *q = ctx;
    if (q->n < TEXT_QUERY_MAX && n <= TEXT_WORD_MAX) {
        memcpy(q->t[q->n], tok, n);
        q->t[q->n][n] = 0;
        q->n++;
    }
    return 0;
}

typedef struct marks {
    const qterms *q;
    size_t (*r)[2];
    size_t n, cap;
    const char *title;
} marks;

static void mark_add(marks *m, size_t a, size_t b)
{
    if (m->n == m->cap) {
        m->cap = m->cap ? m->cap * 2 : 16;
        m->r = xrealloc(m->r, m->cap * sizeof *m->r);
    }
    m->r[m->n][0] = a;
    m->r[m->n][1] = b;
    m->n++;
}

static int doc_emit(void *ctx, int kind, int colocated, const char *tok, size_t n, size_t start,
                    size_t end)
{
    marks *m = ctx;
    for (int i = 0; i < m->q->n; i++) {
        const char *t = m->q->t[i];
        size_t tl = strlen(t);
        if (tl == n && !memcmp(t, tok, n)) {
            mark_add(m, start, end);
            return 0;
        }
        if (tl < n && !memcmp(t, tok, tl)) {
            /* prefix: a one-character CJK query marks that character only */
            if ((unsigned char)t[0] >= 0x80 && kind == TEXT_TOK_BIGRAM) {
                uint32_t cp;
                size_t l = text_utf8_next((const unsigned char *)m->title + start, end - start,
                                          &cp);
                mark_add(m, start, start + (l ? l : end - start));
            } else {
                mark_add(m, start, end);
            }
            return 0;
        }
    }
    return 0;
}

static int range_cmp(const void *a, const void *b)
{
    const size_t *x = a, *y = b;
    return x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : (x[1] < y[1] ? -1 : x[1] > y[1]);
}

static void html_escape(buf *b, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        switch (s[i]) {
        case '<': buf_puts(b, "&lt;"); break;
        case '>': buf_puts(b, "&gt;"); break;
        case '&': buf_puts(b, "&amp;"); break;
        case '"': buf_puts(b, "&quot;"); break;
        case '\'': buf_puts(b, "&#39;"); break;
        default: buf_append(b, s + i, 1);
        }
    }
}

char *standards_highlight(const char *title, const char *q)
{
    buf b;
    buf_init(&b, 0);
    size_t tl = strlen(title);
    qterms qt = {.n = 0};
    marks m = {.q = &qt, .title = title};
    if (q && *q)
        text_scan(q, strlen(q), TEXT_SCAN_QUERY | TEXT_SCAN_LENIENT, qterm_emit, &qt);
    if (qt.n)
        text_scan(title, tl, TEXT_SCAN_LENIENT, doc_emit, &m);
    if (m.n)
        qsort(m.r, m.n, sizeof *m.r, range_cmp);
    size_t pos = 0;
    for (size_t i = 0; i < m.n;) {
        size_t a = m.r[i][0], e = m.r[i][1];
        for (i++; i < m.n && m.r[i][0] <= e; i++)
            if (m.r[i][1] > e)
                e = m.r[i][1];
        if (a < pos)
            a = pos;
        if (e <= a || e > tl)
            continue;
        html_escape(&b, title + pos, a - pos);
        buf_puts(&b, "<mark>");
        html_escape(&b, title + a, e - a);
        buf_puts(&b, "</mark>");
        pos = e;
    }
    html_escape(&b, title + pos, tl - pos);
    free(m.r);
    if (!b.data)
        return xstrdup("");
    return buf_steal(&b);
}
