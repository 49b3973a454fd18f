/*
 * draws.c — stored 双随机 draws on top of draw.h: plan + commit -> draw ->
 * reveal (+ recusal redraws), the public bundle and its verification.
 *
 * State machine (draws.status; draw_events is the append-only history):
 *
 *   create  --> committed   pool + roster built from the directory, seed from
 *                           randombytes_buf (secret, draws.seed), commitment
 *                           published (Merkle log "draw.commitment")
 *   run     --> drawn       P = caller's value or the newest signed log head's
 *                           root; pool/roster rebuilt and checked against the
 *                           commitment; targets and teams drawn
 *   reveal  --> revealed    seed public; full record in the log ("draw.result")
 *   redraw  (drawn|revealed) recusal: replacement drawn, event appended, record
 *                           re-published when already revealed
 *
 * The seed never leaves this file before reveal: the stored record holds it
 * once drawn (draw_record_to_json), so every public rendering starts from
 * commit_record, or strips "seed" (draw_view).
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "core/audit.h"
#include "core/json.h"
#include "core/page.h"
#include "core/util.h"
#include "supervision/credit_code.h"
#include "supervision/draw.h"
#include "supervision/internal.h"
#include "supervision/supervision.h"

#define BUNDLE_FORMAT "nqi-draw-bundle/v1"

/* ---------------------------------------------------------------- canonical texts */

/* A pool parsed from its canonical text "code|stratum|region|field\n"...
 * The entities borrow `text` (a private copy). */
typedef struct pool_src {
    char *text;
    draw_entity *ents;
    size_t n;
} pool_src;

typedef struct roster_src {
    char *text;
    draw_inspector *insp;
    size_t n;
    const char **lists; /* fields and conflicts of every inspector */
} roster_src;

static void pool_src_free(pool_src *p)
{
    free(p->text);
    free(p->ents);
    memset(p, 0, sizeof *p);
}

static void roster_src_free(roster_src *r)
{
    free(r->text);
    free(r->insp);
    free(r->lists);
    memset(r, 0, sizeof *r);
}

/* What a draw is computed from and into: the pool and the roster with the
 * canonical texts they were parsed from, and the record. Zero-initialise
 * (= {0}) so that inputs_free is safe on every path. */
typedef struct draw_inputs {
    pool_src ps;
    roster_src rs;
    draw_pool *pool;
    draw_roster *roster;
    draw_record *rec;
} draw_inputs;

static void inputs_free(draw_inputs *x)
{
    draw_record_free(x->rec);
    draw_pool_free(x->pool);
    draw_roster_free(x->roster);
    pool_src_free(&x->ps);
    roster_src_free(&x->rs);
    memset(x, 0, sizeof *x);
}

/* Split s in place at sep into at most max parts; returns the count. */
static size_t split(char *s, char sep, char **parts, size_t max)
{
    size_t n = 0;
    for (;;) {
        char *e = strchr(s, sep);
        if (n < max)
            parts[n] = s;
        n++;
        if (!e)
            break;
        *e = 0;
        s = e + 1;
    }
    return n;
}

static size_t count_lines(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += *s == '\n';
    return n + 1;
}

static int pool_parse(const char *text, pool_src *out, nqi_error *err)
{
    memset(out, 0, sizeof *out);
    out->text = xstrdup(text ? text : "");
    out->ents = xcalloc(count_lines(out->text), sizeof *out->ents);
    char *line = out->text, *next;
    size_t lineno = 0;
    for (; *line; line = next) {
        lineno++;
        next = strchr(line, '\n');
        if (next)
            *next++ = 0;
        else
            next = line + strlen(line);
        char *f[4];
        if (split(line, '|', f, 4) != 4) {
            pool_src_free(out);
            return nqi_error_field(err, NQI_EINVAL, "pool",
                                   "line %zu: expected code|stratum|region|field", lineno);
        }
        out->ents[out->n++] = (draw_entity){f[0], f[1], *f[2] ? f[2] : NULL, *f[3] ? f[3] : NULL};
    }
    return 0;
}

static int roster_parse(const char *text, roster_src *out, nqi_error *err)
{
    memset(out, 0, sizeof *out);
    out->text = xstrdup(text ? text : "");
    size_t nl = count_lines(out->text), commas = 0;
    for (const char *p = out->text; *p; p++)
        commas += *p == ',';
    out->insp = xcalloc(nl, sizeof *out->insp);
    out->lists = xcalloc(commas + 2 * nl + 1, sizeof *out->lists);
    size_t used = 0, lineno = 0;
    char *line = out->text, *next;
    for (; *line; line = next) {
        lineno++;
        next = strchr(line, '\n');
        if (next)
            *next++ = 0;
        else
            next = line + strlen(line);
        char *f[6];
        if (split(line, '|', f, 6) != 6 || (strcmp(f[3], "1") && strcmp(f[3], "0"))) {
            roster_src_free(out);
            return nqi_error_field(err, NQI_EINVAL, "roster",
                                   "line %zu: expected id|department|region|active|fields|"
                                   "conflicts",
                                   lineno);
        }
        draw_inspector *d = &out->insp[out->n++];
        d->id = f[0];
        d->department = *f[1] ? f[1] : NULL;
        d->region = *f[2] ? f[2] : NULL;
        d->active = f[3][0] == '1';
        for (int k = 4; k <= 5; k++) {
            const char **start = &out->lists[used];
            size_t cnt = 0;
            if (*f[k])
                cnt = split(f[k], ',', (char **)start, commas + 1);
            used += cnt;
            if (k == 4) {
                d->fields = start;
                d->nfields = cnt;
            } else {
                d->conflicts = start;
                d->nconflicts = cnt;
            }
        }
    }
    return 0;
}

/* ---------------------------------------------------------------- from the directory */

typedef struct filter {
    char region[8];   /* prefix, "" = any */
    char industry[80]; /* "" = any */
} filter;

static void filter_from_json(const json_t *j, filter *f)
{
    const char *r = json_string_value(json_object_get(j, "region"));
    const char *i = json_string_value(json_object_get(j, "industry"));
    snprintf(f->region, sizeof f->region, "%s", r ? r : "");
    snprintf(f->industry, sizeof f->industry, "%s", i ? i : "");
}

/* The pool text of today's directory for f (active entities; stratum =
 * credit class; field = industry), in code order. */
static int pool_text_db(store_conn *c, const filter *f, buf *out, nqi_error *err)
{
    static const char sql[] =
        "SELECT credit_code, credit_class, region, COALESCE(industry, '') FROM entities WHERE "
        "status = 'active' AND region LIKE ? AND (CAST(? AS TEXT) IS NULL OR industry = ?) "
        "ORDER BY credit_code";
    char like[16];
    snprintf(like, sizeof like, "%s%%", f->region);
    const char *ind = f->industry[0] ? f->industry : NULL;
    store_rows *r;
    int rc = store_query(c, sql, (store_val[]){SV_TEXT(like), SV_TEXT(ind), SV_TEXT(ind)}, 3, &r,
                         err);
    if (rc)
        return rc;
    while ((rc = store_next(r)) == 1)
        buf_printf(out, "%s|%s|%s|%s\n", store_text(r, 0), store_text(r, 1), store_text(r, 2),
                   store_text(r, 3));
    rc = rc < 0 ? store_rows_error(r, err) : 0;
    store_rows_close(r);
    if (!out->data)
        buf_puts(out, "");
    return rc;
}

/* The roster text of the inspectors of f's region (all when none). */
static int roster_text_db(store_conn *c, const filter *f, buf *out, nqi_error *err)
{
    static const char sql[] = "SELECT id, code, department, region, active, fields FROM "
                              "inspectors WHERE region LIKE ? ORDER BY code";
    static const char csql[] = "SELECT credit_code FROM inspector_conflicts WHERE inspector_id "
                               "= ? ORDER BY credit_code";
    char like[16];
    snprintf(like, sizeof like, "%s%%", f->region);
    store_rows *r;
    int rc = store_query(c, sql, (store_val[]){SV_TEXT(like)}, 1, &r, err);
    if (rc)
        return rc;
    while ((rc = store_next(r)) == 1) {
        buf_printf(out, "%s|%s|%s|%d|%s|", store_text(r, 1), store_text(r, 2), store_text(r, 3),
                   store_int(r, 4) ? 1 : 0, store_text(r, 5));
        store_rows *q;
        if ((rc = store_query(c, csql, (store_val[]){SV_INT(store_int(r, 0))}, 1, &q, err)))
            break;
        int k = 0, qrc;
        while ((qrc = store_next(q)) == 1)
            buf_printf(out, "%s%s", k++ ? "," : "", store_text(q, 0));
        if (qrc < 0)
            rc = store_rows_error(q, err);
        store_rows_close(q);
        if (rc)
            break;
        buf_puts(out, "\n");
    }
    if (rc < 0 && !err->code)
        rc = store_rows_error(r, err);
    store_rows_close(r);
    if (!out->data)
        buf_puts(out, "");
    return rc;
}

/* Pool and roster objects for f from today's directory. The sources must
 * outlive the objects (draw.h borrows). */
/* The pool and roster of x from their canonical texts (x->rec untouched). */
static int inputs_parse(const char *pool_text, const char *roster_text, draw_inputs *x,
                        nqi_error *err)
{
    int rc = pool_parse(pool_text, &x->ps, err);
    if (!rc)
        rc = roster_parse(roster_text, &x->rs, err);
    if (!rc)
        rc = draw_pool_new(x->ps.ents, x->ps.n, &x->pool, err);
    if (!rc)
        rc = draw_roster_new(x->rs.insp, x->rs.n, &x->roster, err);
    return rc;
}

/* The pool and roster of x as today's directory gives them for filter f. */
static int build_from_db(store_conn *c, const filter *f, draw_inputs *x, nqi_error *err)
{
    buf pt, rt;
    buf_init(&pt, 0);
    buf_init(&rt, 0);
    int rc = pool_text_db(c, f, &pt, err);
    if (!rc)
        rc = roster_text_db(c, f, &rt, err);
    if (!rc)
        rc = inputs_parse(pt.data, rt.data, x, err);
    buf_free(&pt);
    buf_free(&rt);
    return rc;
}

/* ---------------------------------------------------------------- plan */

typedef struct plan {
    const char *name;
    int64_t item_ids[64];
    size_t nitems;
    json_t *filter; /* new reference: {region?, industry?} as used */
    draw_stratum strata[4];
    char labels[4][2];
    size_t nstrata;
    const char *directed[1000];
    size_t ndirected;
    int64_t team_size;
    draw_rule region_rule, field_rule;
} plan;

static const char *const rule_names[] = {"none", "lead", "all"};

static int rule_get(json_t *in, const char *key, draw_rule *out, nqi_error *err)
{
    const char *s = NULL;
    if (json_get_str(in, key, false, 8, &s, err))
        return err->code;
    *out = DRAW_RULE_NONE;
    if (!s)
        return 0;
    for (int i = 0; i < 3; i++)
        if (!strcmp(s, rule_names[i])) {
            *out = (draw_rule)i;
            return 0;
        }
    return nqi_error_field(err, NQI_EINVAL, key, "none, lead or all");
}

/* Validate the request and the items it names; fill p. */
static int plan_parse(store_conn *c, json_t *in, plan *p, nqi_error *err)
{
    static const char *const allowed[] = {"name",      "item_ids",    "filter",     "strata",
                                          "directed",  "team_size",   "region_rule", "field_rule",
                                          NULL};
    static const char item_sql[] = "SELECT default_ppm, filter FROM inspection_items WHERE id = ?";
    char field[64];
    memset(p, 0, sizeof *p);
    p->team_size = 2;
    json_check_fields(in, allowed, err);
    json_get_str(in, "name", true, 200, &p->name, err);
    json_get_int(in, "team_size", false, 2, DRAW_TEAM_MAX, &p->team_size, err);
    rule_get(in, "region_rule", &p->region_rule, err);
    rule_get(in, "field_rule", &p->field_rule, err);
    json_t *ids = json_object_get(in, "item_ids");
    if (!json_is_array(ids) || !json_array_size(ids) || json_array_size(ids) > 64)
        nqi_error_field(err, NQI_EINVAL, "item_ids", "1-64 inspection item ids");
    json_t *f = json_object_get(in, "filter");
    sup_filter_check(f, "filter", err);
    json_t *d = json_object_get(in, "directed");
    if (d && !json_is_null(d) && (!json_is_array(d) || json_array_size(d) > 1000))
        nqi_error_field(err, NQI_EINVAL, "directed", "an array of at most 1000 credit codes");
    for (size_t i = 0; json_is_array(d) && i < json_array_size(d) && i < 1000; i++) {
        const char *s = json_string_value(json_array_get(d, i));
        snprintf(field, sizeof field, "directed/%zu", i);
        if (!s)
            nqi_error_field(err, NQI_EINVAL, field, "a credit code");
        else
            p->directed[p->ndirected++] = s;
    }
    json_t *st = json_object_get(in, "strata");
    if (st && !json_is_null(st) && !json_is_object(st))
        nqi_error_field(err, NQI_EINVAL, "strata", "an object {A: percent, B: …, D: …}");
    const char *key;
    json_t *v;
    json_object_foreach(json_is_object(st) ? st : NULL, key, v)
    {
        snprintf(field, sizeof field, "strata/%.40s", key);
        double pct = json_is_number(v) ? json_number_value(v) : NAN;
        if (strlen(key) != 1 || !strchr("ABCD", key[0]))
            nqi_error_field(err, NQI_EINVAL, field, "unknown credit class (A, B, C or D)");
        else if (!(pct >= 0 && pct <= 100))
            nqi_error_field(err, NQI_EINVAL, field,
                            "proportion must be between 0 and 100 percent, not %s",
                            json_is_number(v) ? "out of range" : "a non-number");
        else {
            p->labels[p->nstrata][0] = key[0];
            p->strata[p->nstrata] = (draw_stratum){p->labels[p->nstrata], pct};
            p->nstrata++;
        }
    }
    if (err->code)
        return err->code;
    /* items: they must exist; they give the default filter and proportion */
    int64_t max_ppm = 0;
    json_t *item_filter = NULL;
    int rc = 0;
    for (size_t i = 0; !rc && i < json_array_size(ids); i++) {
        json_t *iv = json_array_get(ids, i);
        snprintf(field, sizeof field, "item_ids/%zu", i);
        if (!json_is_integer(iv)) {
            rc = nqi_error_field(err, NQI_EINVAL, field, "an inspection item id");
            break;
        }
        p->item_ids[p->nitems++] = json_integer_value(iv);
        store_rows *r;
        if ((rc = store_query(c, item_sql, (store_val[]){SV_INT(json_integer_value(iv))}, 1, &r,
                              err)))
            break;
        rc = store_next(r);
        if (rc == 1) {
            if (store_int(r, 0) > max_ppm)
                max_ppm = store_int(r, 0);
            json_t *fj = json_loads(store_text(r, 1), 0, NULL);
            if (!item_filter && fj && json_object_size(fj))
                item_filter = json_incref(fj);
            json_decref(fj);
            rc = 0;
        } else if (rc == 0) {
            rc = nqi_error_field(err, NQI_EINVAL, field, "no inspection item %lld",
                                 (long long)json_integer_value(iv));
        } else {
            rc = store_rows_error(r, err);
        }
        store_rows_close(r);
    }
    if (!rc && !json_is_object(st)) {
        if (!max_ppm)
            rc = nqi_error_field(err, NQI_EINVAL, "strata",
                                 "required: the items have no default proportion");
        for (int k = 0; !rc && k < 4; k++) {
            p->labels[k][0] = (char)('A' + k);
            p->strata[k] = (draw_stratum){p->labels[k], (double)max_ppm / 10000.0};
        }
        p->nstrata = 4;
    }
    /* the filter: the request's fields, else the first item's */
    p->filter = json_object();
    for (int k = 0; !rc && k < 2; k++) {
        const char *name = k ? "industry" : "region";
        json_t *x = json_object_get(f, name);
        if (!x || json_is_null(x))
            x = json_object_get(item_filter, name);
        if (x && json_is_string(x))
            json_object_set(p->filter, name, x);
    }
    json_decref(item_filter);
    if (rc) {
        json_decref(p->filter);
        p->filter = NULL;
    }
    return rc;
}

static draw_params plan_params(const plan *p)
{
    return (draw_params){.strata = p->strata,
                         .nstrata = p->nstrata,
                         .directed = p->directed,
                         .ndirected = p->ndirected,
                         .team_size = (int)p->team_size,
                         .region_rule = p->region_rule,
                         .field_rule = p->field_rule};
}

/* Could every possible target get a team? Draw every non-zero stratum at
 * 100% with a throwaway seed: the team check does not depend on the seed. */
static int teams_feasible(const plan *p, const draw_pool *pool, const draw_roster *roster,
                          nqi_error *err)
{
    plan q = *p;
    for (size_t i = 0; i < q.nstrata; i++)
        if (q.strata[i].percent > 0)
            q.strata[i].percent = 100;
    draw_params dp = plan_params(&q);
    unsigned char seed[DRAW_SEED_BYTES] = {0};
    draw_record *rec = NULL;
    int rc = draw_commit("feasibility", &dp, pool, roster, seed, 0, &rec, err);
    if (!rc)
        rc = draw_run(rec, pool, roster, seed,
                      "0000000000000000000000000000000000000000000000000000000000000000", 0, err);
    draw_record_free(rec);
    return rc;
}

/* ---------------------------------------------------------------- storage */

typedef struct draw_row {
    int64_t id;
    char uid[72];
    char *name;
    char status[16];
    json_t *item_ids, *filter, *commit_record, *record;
    char *pool_text, *roster_text;
    char seed[65];
    char *pv_source;
    int64_t commit_idx, result_idx; /* -1 = none */
    char *created_by;
    int64_t created_at, updated_at;
} draw_row;

static void draw_row_free(draw_row *d)
{
    free(d->name);
    json_decref(d->item_ids);
    json_decref(d->filter);
    json_decref(d->commit_record);
    json_decref(d->record);
    free(d->pool_text);
    free(d->roster_text);
    free(d->pv_source);
    free(d->created_by);
    sodium_memzero(d->seed, sizeof d->seed);
    memset(d, 0, sizeof *d);
}

static bool uid_ok(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    if (!n || n > 64)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!isalnum((unsigned char)s[i]) && !strchr("_.:-", s[i]))
            return false;
    return true;
}

static char *dup_or_null(const char *s)
{
    return s ? xstrdup(s) : NULL;
}

static int draw_load(store_conn *c, const char *uid, bool with_texts, draw_row *d, nqi_error *err)
{
    static const char sql[] =
        "SELECT id, uid, name, status, item_ids, filter, commit_record, record, seed, "
        "public_value_source, commit_log_index, result_log_index, created_by, created_at, "
        "updated_at, CASE WHEN ? = 1 THEN pool_text ELSE '' END, CASE WHEN ? = 1 THEN "
        "roster_text ELSE '' END FROM draws WHERE uid = ?";
    memset(d, 0, sizeof *d);
    if (!uid_ok(uid))
        return nqi_error_field(err, NQI_ENOTFOUND, "id", "no draw '%.64s'", uid ? uid : "");
    store_rows *r;
    int rc = store_query(c, sql,
                         (store_val[]){SV_INT(with_texts), SV_INT(with_texts), SV_TEXT(uid)}, 3,
                         &r, err);
    if (rc)
        return rc;
    rc = store_next(r);
    if (rc == 1) {
        d->id = store_int(r, 0);
        snprintf(d->uid, sizeof d->uid, "%s", store_text(r, 1));
        d->name = xstrdup(store_text(r, 2));
        snprintf(d->status, sizeof d->status, "%s", store_text(r, 3));
        d->item_ids = json_loads(store_text(r, 4), 0, NULL);
        d->filter = json_loads(store_text(r, 5), 0, NULL);
        d->commit_record = json_loads(store_text(r, 6), 0, NULL);
        d->record = json_loads(store_text(r, 7), 0, NULL);
        snprintf(d->seed, sizeof d->seed, "%s", store_text(r, 8));
        d->pv_source = dup_or_null(store_text(r, 9));
        d->commit_idx = store_isnull(r, 10) ? -1 : store_int(r, 10);
        d->result_idx = store_isnull(r, 11) ? -1 : store_int(r, 11);
        d->created_by = xstrdup(store_text(r, 12));
        d->created_at = store_int(r, 13);
        d->updated_at = store_int(r, 14);
        d->pool_text = xstrdup(store_text(r, 15) ? store_text(r, 15) : "");
        d->roster_text = xstrdup(store_text(r, 16) ? store_text(r, 16) : "");
        rc = d->item_ids && d->filter && d->commit_record && d->record
                 ? 0
                 : nqi_error_set(err, NQI_EINTERNAL, "draw %s is not readable", uid);
    } else if (rc == 0) {
        rc = nqi_error_field(err, NQI_ENOTFOUND, "id", "no draw '%s'", uid);
    } else {
        rc = store_rows_error(r, err);
    }
    store_rows_close(r);
    if (rc)
        draw_row_free(d);
    return rc;
}

static int event_add(store_conn *c, int64_t draw_id, const char *kind, const http_principal *a,
                     int64_t at, json_t *detail, nqi_error *err)
{
    static const char sql[] =
        "INSERT INTO draw_events (draw_id, kind, at, actor, detail) VALUES (?, ?, ?, ?, ?)";
    char who[96];
    sup_actor_name(a, who, sizeof who);
    char *s = json_dumps(detail, JSON_COMPACT | JSON_SORT_KEYS);
    int rc = store_exec(c, sql,
                        (store_val[]){SV_INT(draw_id), SV_TEXT(kind), SV_INT(at), SV_TEXT(who),
                                      SV_TEXT(s)},
                        5, NULL, err);
    free(s);
    return rc;
}

static int update_record(store_conn *c, int64_t id, const char *status, const draw_record *rec,
                         int64_t now, nqi_error *err)
{
    static const char sql[] = "UPDATE draws SET status = ?, record = ?, updated_at = ? WHERE id = ?";
    json_t *j = draw_record_to_json(rec);
    char *s = json_dumps(j, JSON_COMPACT);
    json_decref(j);
    int rc = store_exec(c, sql, (store_val[]){SV_TEXT(status), SV_TEXT(s), SV_INT(now), SV_INT(id)},
                        4, NULL, err);
    free(s);
    return rc;
}

/* The public part of a draw for audit records: never the seed. */
static json_t *audit_view(const char *uid, const char *status, const json_t *commit_record)
{
    return json_pack("{s:s, s:s, s:O}", "id", uid, "status", status, "commitment",
                     json_object_get(commit_record, "commitment"));
}

static void uid_new(char out[32], int64_t now)
{
    static const char b32[] = "abcdefghijklmnopqrstuvwxyz234567";
    unsigned char r[8];
    randombytes_buf(r, sizeof r);
    char t[32];
    time_iso8601(now, t, sizeof t);
    int k = snprintf(out, 32, "D%.4s%.2s%.2s-", t, t + 5, t + 8);
    for (int i = 0; i < 10; i++)
        out[k++] = b32[r[i % 8] >> (i < 8 ? 3 : 0) & 31];
    out[k] = 0;
}

/* ---------------------------------------------------------------- create */

int supervision_draw_create(store_conn *c, const http_principal *actor, json_t *in,
                            const unsigned char *seed_in, json_t **out, nqi_error *err)
{
    static const char sql[] =
        "INSERT INTO draws (uid, name, status, item_ids, filter, commit_record, record, "
        "pool_text, roster_text, seed, created_by, created_at, updated_at) VALUES (?, ?, "
        "'committed', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id";
    static const char idx_sql[] = "UPDATE draws SET commit_log_index = ? WHERE id = ?";
    *out = NULL;
    if (sodium_init() < 0)
        return nqi_error_set(err, NQI_EINTERNAL, "libsodium failed to initialise");
    plan p;
    bool own = !store_in_tx(c);
    int rc = own ? store_begin(c, true, err) : 0;
    if (rc)
        return rc;
    if ((rc = plan_parse(c, in, &p, err)))
        return store_tx_end(c, own, rc, err);
    filter f;
    filter_from_json(p.filter, &f);
    draw_inputs dx = {0};
    unsigned char seed[DRAW_SEED_BYTES];
    char seed_hex[65], uid[32], who[96];
    int64_t now = now_ms(), id = 0, idx = 0;
    rc = build_from_db(c, &f, &dx, err);
    if (!rc && !draw_pool_size(dx.pool))
        rc = nqi_error_field(err, NQI_EINVAL, "filter", "no active market entity matches the filter");
    draw_params dp = plan_params(&p);
    if (seed_in)
        memcpy(seed, seed_in, sizeof seed);
    else
        randombytes_buf(seed, sizeof seed);
    hex_encode(seed, sizeof seed, seed_hex);
    uid_new(uid, now);
    if (!rc)
        rc = draw_commit(uid, &dp, dx.pool, dx.roster, seed, now, &dx.rec, err);
    if (!rc)
        rc = teams_feasible(&p, dx.pool, dx.roster, err);
    json_t *cr = dx.rec ? draw_record_to_json(dx.rec) : NULL;
    if (!rc && json_object_get(cr, "seed"))
        rc = nqi_error_set(err, NQI_EINTERNAL, "a committed record must not hold the seed");
    if (!rc) {
        char *crs = json_dumps(cr, JSON_COMPACT);
        char *ids = json_dumps(json_object_get(in, "item_ids"), JSON_COMPACT);
        char *fs = json_dumps(p.filter, JSON_COMPACT | JSON_SORT_KEYS);
        size_t pl, rl;
        char *pt = draw_pool_canonical(dx.pool, &pl), *rt = draw_roster_canonical(dx.roster, &rl);
        sup_actor_name(actor, who, sizeof who);
        store_val v[] = {SV_TEXT(uid), SV_TEXT(p.name), SV_TEXT(ids),      SV_TEXT(fs),
                         SV_TEXT(crs), SV_TEXT(crs),    SV_TEXTN(pt, pl),  SV_TEXTN(rt, rl),
                         SV_TEXT(seed_hex), SV_TEXT(who), SV_INT(now),     SV_INT(now)};
        rc = store_query_int(c, sql, v, 12, &id, err);
        free(crs);
        free(ids);
        free(fs);
        free(pt);
        free(rt);
    }
    if (!rc) {
        json_t *leaf = json_pack("{s:s, s:O}", "name", p.name, "record", cr);
        rc = publog_append(c, "draw.commitment", uid, leaf, &idx, err);
        json_decref(leaf);
    }
    if (!rc)
        rc = store_exec(c, idx_sql, (store_val[]){SV_INT(idx), SV_INT(id)}, 2, NULL, err);
    if (!rc) {
        json_t *ev = json_pack("{s:O, s:I}", "commitment", json_object_get(cr, "commitment"),
                               "log_index", (json_int_t)idx);
        rc = event_add(c, id, "commit", actor, now, ev, err);
        json_decref(ev);
    }
    if (!rc) {
        json_t *a = audit_view(uid, "committed", cr);
        json_object_set_new(a, "name", json_string(p.name));
        rc = audit_record(c, actor, "draw.commit", "draw", uid, NULL, a, err);
        json_decref(a);
    }
    sodium_memzero(seed, sizeof seed);
    sodium_memzero(seed_hex, sizeof seed_hex);
    json_decref(cr);
    inputs_free(&dx);
    json_decref(p.filter);
    rc = store_tx_end(c, own, rc, err);
    if (!rc)
        rc = supervision_draw_get(c, uid, true, out, err);
    return rc;
}

/* ---------------------------------------------------------------- run */

static bool hex64_ok(const char *s)
{
    if (!s || strlen(s) != 64)
        return false;
    for (int i = 0; i < 64; i++)
        if (!isxdigit((unsigned char)s[i]))
            return false;
    return true;
}

int supervision_draw_run(store_conn *c, const http_principal *actor, const char *uid,
                         const char *public_value, json_t **out, nqi_error *err)
{
    static const char sql[] = "UPDATE draws SET public_value_source = ? WHERE id = ?";
    *out = NULL;
    char pv[65] = "", source[256];
    if (public_value) {
        if (!hex64_ok(public_value))
            return nqi_error_field(err, NQI_EINVAL, "public_value",
                                   "64 hexadecimal characters (32 bytes)");
        for (int i = 0; i < 64; i++)
            pv[i] = (char)tolower((unsigned char)public_value[i]);
        pv[64] = 0;
        snprintf(source, sizeof source, "supplied by the caller at the draw");
    }
    bool own = !store_in_tx(c);
    int rc = own ? store_begin(c, true, err) : 0;
    if (rc)
        return rc;
    draw_row d;
    if ((rc = draw_load(c, uid, false, &d, err)))
        return store_tx_end(c, own, rc, err);
    if (strcmp(d.status, "committed")) {
        rc = nqi_error_set(err, NQI_ECONFLICT, "draw %s is already %s", d.uid, d.status);
        draw_row_free(&d);
        return store_tx_end(c, own, rc, err);
    }
    if (!public_value) {
        json_t *head = NULL;
        rc = publog_head_json(c, &head, err);
        if (!rc) {
            snprintf(pv, sizeof pv, "%s", json_string_value(json_object_get(head, "root_hash")));
            snprintf(source, sizeof source,
                     "root_hash of the signed Merkle-log head of tree_size %lld (%s), which "
                     "includes the commitment at index %lld",
                     (long long)json_integer_value(json_object_get(head, "tree_size")),
                     json_string_value(json_object_get(head, "timestamp")),
                     (long long)d.commit_idx);
        }
        json_decref(head);
    }
    filter f;
    filter_from_json(d.filter, &f);
    draw_inputs dx = {0};
    unsigned char seed[DRAW_SEED_BYTES];
    int64_t now = now_ms();
    if (!rc)
        rc = build_from_db(c, &f, &dx, err);
    if (!rc)
        rc = draw_record_from_json(d.record, &dx.rec, err);
    if (!rc && hex_decode(d.seed, seed, sizeof seed))
        rc = nqi_error_set(err, NQI_EINTERNAL, "draw %s: stored seed unreadable", d.uid);
    if (!rc)
        rc = draw_run(dx.rec, dx.pool, dx.roster, seed, pv, now, err);
    sodium_memzero(seed, sizeof seed);
    if (!rc)
        rc = update_record(c, d.id, "drawn", dx.rec, now, err);
    if (!rc)
        rc = store_exec(c, sql, (store_val[]){SV_TEXT(source), SV_INT(d.id)}, 2, NULL, err);
    if (!rc) {
        json_t *ev = json_pack("{s:s, s:s, s:I}", "public_value", pv, "public_value_source", source,
                               "targets", (json_int_t)draw_record_ntargets(dx.rec));
        rc = event_add(c, d.id, "draw", actor, now, ev, err);
        if (!rc) {
            json_t *a = audit_view(d.uid, "drawn", d.commit_record);
            json_object_set_new(a, "public_value", json_string(pv));
            json_object_set_new(a, "targets",
                                json_integer((json_int_t)draw_record_ntargets(dx.rec)));
            rc = audit_record(c, actor, "draw.run", "draw", d.uid, NULL, a, err);
            json_decref(a);
        }
        json_decref(ev);
    }
    inputs_free(&dx);
    char u[72];
    snprintf(u, sizeof u, "%s", d.uid);
    draw_row_free(&d);
    rc = store_tx_end(c, own, rc, err);
    if (!rc)
        rc = supervision_draw_get(c, u, true, out, err);
    return rc;
}

/* ---------------------------------------------------------------- reveal, redraw */

static int publish_result(store_conn *c, draw_row *d, const json_t *record, nqi_error *err)
{
    static const char sql[] = "UPDATE draws SET result_log_index = ? WHERE id = ?";
    int64_t idx = 0;
    json_t *leaf = json_pack("{s:s, s:O}", "name", d->name, "record", record);
    int rc = publog_append(c, "draw.result", d->uid, leaf, &idx, err);
    json_decref(leaf);
    if (!rc)
        rc = store_exec(c, sql, (store_val[]){SV_INT(idx), SV_INT(d->id)}, 2, NULL, err);
    d->result_idx = idx;
    return rc;
}

int supervision_draw_reveal(store_conn *c, const http_principal *actor, const char *uid,
                            json_t **out, nqi_error *err)
{
    static const char sql[] = "UPDATE draws SET status = 'revealed', updated_at = ? WHERE id = ?";
    *out = NULL;
    bool own = !store_in_tx(c);
    int rc = own ? store_begin(c, true, err) : 0;
    if (rc)
        return rc;
    draw_row d;
    if ((rc = draw_load(c, uid, false, &d, err)))
        return store_tx_end(c, own, rc, err);
    int64_t now = now_ms();
    if (strcmp(d.status, "drawn"))
        rc = nqi_error_set(err, NQI_ECONFLICT, "draw %s is %s: only a drawn draw can be revealed",
                           d.uid, d.status);
    if (!rc)
        rc = store_exec(c, sql, (store_val[]){SV_INT(now), SV_INT(d.id)}, 2, NULL, err);
    if (!rc)
        rc = publish_result(c, &d, d.record, err);
    if (!rc) {
        json_t *ev = json_pack("{s:O, s:I}", "seed", json_object_get(d.record, "seed"),
                               "log_index", (json_int_t)d.result_idx);
        rc = event_add(c, d.id, "reveal", actor, now, ev, err);
        json_decref(ev);
    }
    if (!rc)
        rc = audit_record(c, actor, "draw.reveal", "draw", d.uid, NULL, d.record, err);
    char u[72];
    snprintf(u, sizeof u, "%s", d.uid);
    draw_row_free(&d);
    rc = store_tx_end(c, own, rc, err);
    if (!rc)
        rc = supervision_draw_get(c, u, true, out, err);
    return rc;
}

int supervision_draw_redraw(store_conn *c, const http_principal *actor, const char *uid,
                            const char *target, const char *inspector_id, const char *reason,
                            json_t **out, nqi_error *err)
{
    *out = NULL;
    if (!target || !*target)
        nqi_error_field(err, NQI_EINVAL, "target", "the credit code of a drawn target");
    if (!inspector_id || !*inspector_id)
        nqi_error_field(err, NQI_EINVAL, "inspector_id", "the recusing inspector's id");
    if (!reason || !*reason || strlen(reason) > 500)
        nqi_error_field(err, NQI_EINVAL, "reason", "required, at most 500 bytes");
    if (err->code)
        return err->code;
    char code[24];
    snprintf(code, sizeof code, "%s", target);
    for (char *p = code; *p; p++)
        *p = (char)toupper((unsigned char)*p);
    bool own = !store_in_tx(c);
    int rc = own ? store_begin(c, true, err) : 0;
    if (rc)
        return rc;
    draw_row d;
    if ((rc = draw_load(c, uid, true, &d, err)))
        return store_tx_end(c, own, rc, err);
    draw_inputs dx = {0};
    int64_t now = now_ms();
    if (!strcmp(d.status, "committed"))
        rc = nqi_error_set(err, NQI_ECONFLICT, "draw %s is not drawn yet", d.uid);
    if (!rc)
        rc = inputs_parse(d.pool_text, d.roster_text, &dx, err);
    if (!rc)
        rc = draw_record_from_json(d.record, &dx.rec, err);
    if (!rc) {
        nqi_error e = {0};
        rc = draw_redraw(dx.rec, dx.pool, dx.roster, code, inspector_id, reason, now, &e);
        if (rc) {
            /* the library names its own fields; map them to the request's */
            for (int i = 0; i < e.nfields; i++) {
                const char *fl = e.fields[i].field;
                nqi_error_field(err, rc,
                                !strcmp(fl, "credit_code") ? "target"
                                : !strncmp(fl, "targets/", 8) ? fl
                                                              : fl,
                                "%s", e.fields[i].message);
            }
            if (!e.nfields)
                nqi_error_set(err, rc, "%s", e.message);
        }
    }
    if (!rc)
        rc = update_record(c, d.id, d.status, dx.rec, now, err);
    const draw_redraw_event *ev =
        rc ? NULL : draw_record_redraw(dx.rec, draw_record_nredraws(dx.rec) - 1);
    json_t *recj = rc ? NULL : draw_record_to_json(dx.rec);
    if (!rc && !strcmp(d.status, "revealed"))
        rc = publish_result(c, &d, recj, err);
    if (!rc) {
        json_t *e = json_pack("{s:i, s:s, s:s, s:s, s:s}", "seq", ev->seq, "target",
                              ev->credit_code, "recused", ev->recused, "replacement",
                              ev->replacement, "reason", ev->reason);
        rc = event_add(c, d.id, "redraw", actor, now, e, err);
        if (!rc) {
            json_t *a = audit_view(d.uid, d.status, d.commit_record);
            json_object_set(a, "redraw", e);
            rc = audit_record(c, actor, "draw.redraw", "draw", d.uid, NULL, a, err);
            json_decref(a);
        }
        json_decref(e);
    }
    json_decref(recj);
    inputs_free(&dx);
    char u[72];
    snprintf(u, sizeof u, "%s", d.uid);
    draw_row_free(&d);
    rc = store_tx_end(c, own, rc, err);
    if (!rc)
        rc = supervision_draw_get(c, u, true, out, err);
    return rc;
}

/* ---------------------------------------------------------------- reading */

/* A row of the draw list: the commitment's public fields, no pool. */
static json_t *draw_list_row(store_rows *r, void *ctx)
{
    char t1[32], t2[32];
    json_t *cr = json_loads(store_text(r, 4), 0, NULL);
    json_t *j =
        json_pack("{s:s, s:s, s:s, s:O?, s:O?, s:O?, s:O?, s:s, s:s}", "id", store_text(r, 1),
                  "name", store_text(r, 2), "status", store_text(r, 3), "commitment",
                  json_object_get(cr, "commitment"), "committed_at",
                  json_object_get(cr, "committed_at"), "pool_size",
                  json_object_get(cr, "pool_size"), "pool_hash", json_object_get(cr, "pool_hash"),
                  "created_at", time_iso8601(store_int(r, 5), t1, sizeof t1), "updated_at",
                  time_iso8601(store_int(r, 6), t2, sizeof t2));
    json_decref(cr);
    return j;
}

int supervision_draw_list(store_conn *c, int64_t limit, int64_t cursor, json_t **out,
                          nqi_error *err)
{
    static const char sql[] = "SELECT id, uid, name, status, commit_record, created_at, "
                              "updated_at FROM draws WHERE id < ? ORDER BY id DESC LIMIT ?";
    *out = NULL;
    store_rows *r;
    int rc = store_query(c, sql, (store_val[]){SV_INT(cursor > 0 ? cursor : INT64_MAX),
                                               SV_INT(limit + 1)},
                         2, &r, err);
    if (rc)
        return rc;
    return store_page_json(r, limit, draw_list_row, NULL, out, err);
}

/* Entity names and team members' public details (id, name, department). */
static int enrich_targets(store_conn *c, json_t *targets, nqi_error *err)
{
    static const char esql[] = "SELECT name FROM entities WHERE credit_code = ?";
    static const char isql[] = "SELECT name, department FROM inspectors WHERE code = ?";
    size_t i, k;
    json_t *t, *m;
    int rc = 0;
    json_array_foreach(targets, i, t)
    {
        char *name = NULL;
        rc = store_query_text(c, esql,
                              (store_val[]){SV_TEXT(json_string_value(json_object_get(t, "credit_code")))},
                              1, &name, err);
        if (rc == NQI_ENOTFOUND) {
            nqi_error_clear(err);
            rc = 0;
        }
        if (rc)
            return rc;
        json_object_set_new(t, "name", name ? json_string(name) : json_null());
        free(name);
        json_t *team = json_array();
        json_array_foreach(json_object_get(t, "team"), k, m)
        {
            const char *id = json_string_value(m);
            store_rows *r;
            if ((rc = store_query(c, isql, (store_val[]){SV_TEXT(id)}, 1, &r, err)))
                break;
            json_t *o = json_pack("{s:s, s:n, s:n}", "id", id, "name", "department");
            if (store_next(r) == 1) {
                json_object_set_new(o, "name", json_string(store_text(r, 0)));
                json_object_set_new(o, "department", json_string(store_text(r, 1)));
            }
            store_rows_close(r);
            json_array_append_new(team, o);
        }
        json_object_set_new(t, "team", team);
        if (rc)
            return rc;
    }
    return 0;
}

static int events_json(store_conn *c, int64_t id, bool full, json_t **out, nqi_error *err)
{
    static const char sql[] =
        "SELECT kind, at, actor, detail FROM draw_events WHERE draw_id = ? ORDER BY id";
    store_rows *r;
    *out = json_array();
    int rc = store_query(c, sql, (store_val[]){SV_INT(id)}, 1, &r, err);
    if (rc)
        return rc;
    char t[32];
    while ((rc = store_next(r)) == 1) {
        json_t *e = json_pack("{s:s, s:s}", "kind", store_text(r, 0), "at",
                              time_iso8601(store_int(r, 1), t, sizeof t));
        json_t *detail = json_loads(store_text(r, 3), 0, NULL);
        if (full) {
            json_object_set_new(e, "actor", json_string(store_text(r, 2)));
            json_object_set_new(e, "detail", detail ? detail : json_object());
        } else {
            /* before the reveal the public sees that events happened, not
             * whom a redraw concerned */
            json_object_set_new(e, "detail", json_object());
            json_decref(detail);
        }
        json_array_append_new(*out, e);
    }
    rc = rc < 0 ? store_rows_error(r, err) : 0;
    store_rows_close(r);
    return rc;
}

static int items_json(store_conn *c, const json_t *ids, json_t **out, nqi_error *err)
{
    static const char sql[] = "SELECT id, name, kind FROM inspection_items WHERE id = ?";
    size_t i;
    json_t *v;
    int rc = 0;
    *out = json_array();
    json_array_foreach(ids, i, v)
    {
        store_rows *r;
        if ((rc = store_query(c, sql, (store_val[]){SV_INT(json_integer_value(v))}, 1, &r, err)))
            return rc;
        if (store_next(r) == 1)
            json_array_append_new(*out, json_pack("{s:I, s:s, s:s}", "id",
                                                  (json_int_t)store_int(r, 0), "name",
                                                  store_text(r, 1), "kind", store_text(r, 2)));
        store_rows_close(r);
    }
    return rc;
}

int supervision_draw_get(store_conn *c, const char *uid, bool staff, json_t **out,
                         nqi_error *err)
{
    draw_row d;
    *out = NULL;
    int rc = draw_load(c, uid, false, &d, err);
    if (rc)
        return rc;
    bool revealed = !strcmp(d.status, "revealed");
    bool show_result = revealed || (staff && !strcmp(d.status, "drawn"));
    char t1[32], t2[32], url[160];
    json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:O}", "id", d.uid, "name", d.name, "status",
                          d.status, "created_at", time_iso8601(d.created_at, t1, sizeof t1),
                          "updated_at", time_iso8601(d.updated_at, t2, sizeof t2), "filter",
                          d.filter);
    if (staff)
        json_object_set_new(o, "created_by", json_string(d.created_by));
    static const char *const committed[] = {"format",      "committed_at", "seed_hash",
                                            "pool_hash",   "pool_size",    "roster_hash",
                                            "roster_size", "params",       "commitment"};
    for (size_t i = 0; i < sizeof committed / sizeof committed[0]; i++)
        json_object_set(o, committed[i], json_object_get(d.commit_record, committed[i]));
    json_object_set_new(o, "public_value_source",
                        d.pv_source ? json_string(d.pv_source) : json_null());
    json_object_set(o, "public_value", json_object_get(d.record, "public_value")
                                           ? json_object_get(d.record, "public_value")
                                           : json_null());
    json_object_set_new(o, "seed",
                        revealed ? json_deep_copy(json_object_get(d.record, "seed")) : json_null());
    json_t *items = NULL, *events = NULL;
    rc = items_json(c, d.item_ids, &items, err);
    json_object_set_new(o, "items", items);
    if (!rc)
        rc = events_json(c, d.id, staff || revealed, &events, err);
    json_object_set_new(o, "events", events);
    if (!rc && show_result) {
        static const char *const drawn[] = {"drawn_at", "strata", "redraws"};
        for (size_t i = 0; i < 3; i++)
            json_object_set(o, drawn[i], json_object_get(d.record, drawn[i]));
        json_t *targets = json_deep_copy(json_object_get(d.record, "targets"));
        rc = enrich_targets(c, targets, err);
        json_object_set_new(o, "targets", targets);
    } else {
        json_object_set_new(o, "targets", json_null());
    }
    json_object_set_new(o, "log",
                        json_pack("{s:o, s:o}", "commitment_index",
                                  d.commit_idx >= 0 ? json_integer(d.commit_idx) : json_null(),
                                  "result_index",
                                  d.result_idx >= 0 ? json_integer(d.result_idx) : json_null()));
    snprintf(url, sizeof url, "/api/v1/draws/%s/record", d.uid);
    json_object_set_new(o, "record_url", json_string(url));
    snprintf(url, sizeof url, "/api/v1/draws/%s/verification", d.uid);
    json_object_set_new(o, "verification_url", json_string(url));
    draw_row_free(&d);
    if (rc) {
        json_decref(o);
        return rc;
    }
    *out = o;
    return 0;
}

int supervision_draw_bundle(store_conn *c, const char *uid, json_t **out, nqi_error *err)
{
    draw_row d;
    *out = NULL;
    int rc = draw_load(c, uid, true, &d, err);
    if (rc)
        return rc;
    bool revealed = !strcmp(d.status, "revealed");
    *out = json_pack("{s:s, s:s, s:s, s:s, s:O, s:s, s:s, s:o, s:o}", "format", BUNDLE_FORMAT,
                     "draw_id", d.uid, "name", d.name, "status", d.status, "record",
                     revealed ? d.record : d.commit_record, "pool", d.pool_text, "roster",
                     d.roster_text, "public_value_source",
                     revealed && d.pv_source ? json_string(d.pv_source) : json_null(), "log",
                     json_pack("{s:o, s:o}", "commitment_index",
                               d.commit_idx >= 0 ? json_integer(d.commit_idx) : json_null(),
                               "result_index",
                               d.result_idx >= 0 ? json_integer(d.result_idx) : json_null()));
    draw_row_free(&d);
    return 0;
}

/* ---------------------------------------------------------------- verification */

static void check_add(json_t *checks, const char *name, bool ok, const char *msg)
{
    json_array_append_new(checks, json_pack("{s:s, s:b, s:s}", "name", name, "ok", ok, "message",
                                            msg));
}

/* The check a draw_verify finding belongs to. */
static const char *finding_check(const char *field)
{
    if (!strcmp(field, "pool_hash") || !strcmp(field, "roster_hash") ||
        !strcmp(field, "commitment") || !strcmp(field, "seed"))
        return field;
    if (!strncmp(field, "strata/", 7))
        return "selection";
    if (!strncmp(field, "targets/", 8))
        return "teams";
    if (!strncmp(field, "redraws/", 8))
        return "redraws";
    return "record";
}

int supervision_bundle_verify(const json_t *bundle, json_t **report, nqi_error *err)
{
    *report = NULL;
    const char *fmt = json_string_value(json_object_get(bundle, "format"));
    const json_t *rj = json_object_get(bundle, "record");
    const char *pt = json_string_value(json_object_get(bundle, "pool"));
    const char *rt = json_string_value(json_object_get(bundle, "roster"));
    if (!json_is_object(bundle) || !fmt || strcmp(fmt, BUNDLE_FORMAT) || !json_is_object(rj) ||
        !pt || !rt)
        return nqi_error_set(err, NQI_EINVAL,
                             "not a draw bundle (format %s with record, pool and roster)",
                             BUNDLE_FORMAT);
    json_t *checks = json_array();
    json_t *details = json_object();
    draw_inputs dx = {0};
    nqi_error e = {0};
    char msg[1024];
    bool drawn = false;
    if (draw_record_from_json(rj, &dx.rec, &e)) {
        snprintf(msg, sizeof msg, "the record is malformed: %s", e.message);
        check_add(checks, "record", false, msg);
    } else if (pool_parse(pt, &dx.ps, &e) || draw_pool_new(dx.ps.ents, dx.ps.n, &dx.pool, &e)) {
        snprintf(msg, sizeof msg, "pool changed after the commitment: the bundle's pool is not a "
                 "valid pool (%s)", e.message);
        check_add(checks, "pool_hash", false, msg);
    } else if (roster_parse(rt, &dx.rs, &e) ||
               draw_roster_new(dx.rs.insp, dx.rs.n, &dx.roster, &e)) {
        snprintf(msg, sizeof msg, "roster changed after the commitment: the bundle's roster is "
                 "not a valid roster (%s)", e.message);
        check_add(checks, "roster_hash", false, msg);
    } else {
        drawn = draw_record_state(dx.rec) == DRAW_DRAWN;
        int rc = draw_verify(dx.rec, dx.pool, dx.roster, &e);
        static const char *const names[] = {"pool_hash", "roster_hash", "commitment", "seed",
                                            "selection", "teams",       "redraws"};
        size_t nnames = drawn ? 7 : 3;
        bool basis_bad = false;
        for (int i = 0; rc && i < e.nfields; i++) {
            const char *k = finding_check(e.fields[i].field);
            basis_bad |= !strcmp(k, "pool_hash") || !strcmp(k, "roster_hash") ||
                         !strcmp(k, "seed") || !strcmp(k, "commitment");
        }
        for (size_t n = 0; n < nnames; n++) {
            buf m;
            buf_init(&m, 4096);
            for (int i = 0; rc && i < e.nfields; i++)
                if (!strcmp(finding_check(e.fields[i].field), names[n]))
                    buf_printf(&m, "%s%s", m.len ? "; " : "", e.fields[i].message);
            if (m.len) {
                check_add(checks, names[n], false, m.data);
            } else if (n >= 4 && basis_bad) {
                check_add(checks, names[n], false,
                          "not recomputed: the inputs do not match the commitment");
            } else {
                static const char *const okmsg[] = {
                    "the bundle's pool hashes to the committed pool_hash",
                    "the bundle's roster hashes to the committed roster_hash",
                    "the commitment is the SHA-256 of the committed values",
                    "the revealed seed hashes to the committed seed_hash",
                    "every stratum's selection recomputes exactly",
                    "every team recomputes exactly",
                    "every recusal redraw recomputes exactly"};
                check_add(checks, names[n], true, okmsg[n]);
            }
            buf_free(&m);
        }
        if (rc && !e.nfields) {
            check_add(checks, "record", false, e.message);
        }
        json_object_set_new(details, "pool_hash_recomputed", json_string(draw_pool_hash(dx.pool)));
        json_object_set_new(details, "roster_hash_recomputed",
                            json_string(draw_roster_hash(dx.roster)));
        json_object_set_new(details, "pool_size_recomputed",
                            json_integer((json_int_t)draw_pool_size(dx.pool)));
        json_object_set_new(details, "targets",
                            json_integer((json_int_t)draw_record_ntargets(dx.rec)));
        json_object_set_new(details, "redraws",
                            json_integer((json_int_t)draw_record_nredraws(dx.rec)));
    }
    static const char *const copy[] = {"draw_id", "state", "commitment", "pool_hash",
                                       "pool_size", "roster_hash", "public_value"};
    for (size_t i = 0; i < sizeof copy / sizeof copy[0]; i++)
        if (json_object_get(rj, copy[i]))
            json_object_set(details, copy[i], json_object_get(rj, copy[i]));
    bool ok = true;
    size_t i;
    json_t *ch;
    json_array_foreach(checks, i, ch) ok &= json_is_true(json_object_get(ch, "ok"));
    json_object_set_new(details, "steps",
                        json_string("1. pool_hash = BLAKE2b-256(pool), roster_hash = "
                                    "BLAKE2b-256(roster); 2. commitment = SHA-256 of the "
                                    "committed values; 3. after the reveal: SHA-256(seed) = "
                                    "seed_hash, then key = SHA-256(seed || P || \"nqi-draw/v1\") "
                                    "and every stratum, team and redraw is recomputed "
                                    "(docs/modules/draw.md)"));
    *report = json_pack("{s:b, s:b, s:o, s:o}", "verified", ok, "complete", ok && drawn,
                        "checks", checks, "details", details);
    inputs_free(&dx);
    return 0;
}

int supervision_draw_verification(store_conn *c, const char *uid, json_t **out, nqi_error *err)
{
    json_t *bundle = NULL, *rep = NULL;
    *out = NULL;
    int rc = supervision_draw_bundle(c, uid, &bundle, err);
    if (!rc)
        rc = supervision_bundle_verify(bundle, &rep, err);
    draw_row d;
    if (!rc)
        rc = draw_load(c, uid, false, &d, err);
    if (rc) {
        json_decref(bundle);
        json_decref(rep);
        return rc;
    }
    /* today's directory: does it still give the committed pool? */
    filter f;
    filter_from_json(d.filter, &f);
    draw_inputs dx = {0};
    nqi_error e = {0};
    const char *committed = json_string_value(json_object_get(d.commit_record, "pool_hash"));
    char msg[1024];
    bool ok;
    if (build_from_db(c, &f, &dx, &e)) {
        ok = false;
        snprintf(msg, sizeof msg, "pool changed after the commitment: today's directory gives no "
                 "valid pool (%s)", e.message);
    } else if (strcmp(draw_pool_hash(dx.pool), committed ? committed : "")) {
        ok = false;
        snprintf(msg, sizeof msg,
                 "pool changed after the commitment: today's directory gives %zu entities "
                 "hashing to %.16s…, the commitment has %.16s…",
                 draw_pool_size(dx.pool), draw_pool_hash(dx.pool), committed ? committed : "");
    } else {
        ok = true;
        snprintf(msg, sizeof msg, "today's directory still gives the committed pool (%zu entities)",
                 draw_pool_size(dx.pool));
    }
    check_add(json_object_get(rep, "checks"), "directory", ok, msg);
    if (!ok) {
        json_object_set_new(rep, "verified", json_false());
        json_object_set_new(rep, "complete", json_false());
    }
    json_object_set_new(json_object_get(rep, "details"), "status", json_string(d.status));
    inputs_free(&dx);
    draw_row_free(&d);
    json_decref(bundle);
    *out = rep;
    return 0;
}
