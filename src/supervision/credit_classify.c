/*
 * credit_classify.c — quality-credit classification A/B/C/D (credit risk
 * low / general / higher / high) from the entity's own attributes and its
 * standing credit facts, under the active rule set (credit_rules.c).
 *
 * score = base + age bracket + status + licence + risk tags + Σ fact points,
 * where a fact counts its full points within full_months of occurred_on,
 * half (toward zero) until window_months, nothing after; at most max_count
 * facts of a kind count (the newest). Class by thresholds, then the hard
 * rules make it at least as bad as they say (list.serious -> D,
 * list.abnormal -> C, ...). The explanation lists every indicator and fact
 * that moved the score, with its points, and the rule version.
 *
 * The full recomputation streams entities in id order (the table's own
 * order, so reads are sequential), a page at a time, with the page's facts
 * fetched by one join and merged in credit-code order, and writes the page
 * with batched multi-row upserts keyed by entity id and one set-based
 * UPDATE of entities.credit_class — 1M entities cost ~200 pages of a few
 * statements each.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/audit.h"
#include "core/json.h"
#include "core/util.h"
#include "supervision/credit_code.h"
#include "supervision/credit_impl.h"
#include "supervision/internal.h"

#define PAGE 5000
#define BATCH 1000

/* ---------------------------------------------------------------- scoring */

static int cmp_fact(const void *a, const void *b)
{
    const credit_fact_row *x = a, *y = b;
    int c = strcmp(x->kind, y->kind);
    if (c)
        return c;
    c = strcmp(y->occurred_on, x->occurred_on); /* newest first */
    return c ? c : (y->id > x->id) - (y->id < x->id);
}

static const credit_fact_rule *fact_rule(const credit_rules *r, const char *kind)
{
    for (int i = 0; i < r->nfacts; i++)
        if (!strcmp(r->facts[i].kind, kind))
            return &r->facts[i];
    return NULL;
}

/* Count entries of a ';'-separated list. */
static int list_count(const char *s)
{
    int n = 0;
    for (const char *p = s; p && *p;) {
        size_t l = strcspn(p, ";");
        if (l)
            n++;
        p += l;
        if (*p)
            p++;
    }
    return n;
}

static void explain_item(json_t *items, const char *indicator, const char *label, int points)
{
    json_array_append_new(items, json_pack("{s:s, s:s, s:i}", "indicator", indicator, "label",
                                           label, "points", points));
}

static char worse(char a, char b)
{
    return a > b ? a : b;
}

void credit_score(const credit_rules *r, const credit_entity *e, credit_fact_row *facts,
                  size_t nfacts, const char *as_of, bool explain, credit_result *out)
{
    json_t *items = explain ? json_array() : NULL, *hard = explain ? json_array() : NULL;
    int score = r->base;
    char lbl[96];
    if (e->registered_on && credit_date_valid(e->registered_on) && r->nage) {
        int years = credit_years_between(e->registered_on, as_of), k = -1;
        for (int i = 0; i < r->nage; i++)
            if (years >= r->age[i].min_years)
                k = i;
        if (k >= 0 && r->age[k].points) {
            score += r->age[k].points;
            if (explain) {
                snprintf(lbl, sizeof lbl, "%s（%d年）", e->registered_on, years);
                explain_item(items, "age", lbl, r->age[k].points);
            }
        }
    }
    for (int k = 0; k < 4; k++)
        if (e->status && !strcmp(e->status, (const char *[]){"active", "revoked", "cancelled",
                                                             "moved"}[k]) &&
            r->status_points[k]) {
            score += r->status_points[k];
            if (explain)
                explain_item(items, "status", e->status, r->status_points[k]);
        }
    if (r->licence_points && list_count(e->licences) > 0) {
        score += r->licence_points;
        if (explain)
            explain_item(items, "licences", e->licences, r->licence_points);
    }
    int tags = list_count(e->risk_tags);
    if (r->risk_tag_max && tags > r->risk_tag_max)
        tags = r->risk_tag_max;
    if (r->risk_tag_points && tags) {
        score += r->risk_tag_points * tags;
        if (explain)
            explain_item(items, "risk_tags", e->risk_tags, r->risk_tag_points * tags);
    }

    if (nfacts > 1)
        qsort(facts, nfacts, sizeof *facts, cmp_fact);
    char hard_cls = 'A';
    const credit_fact_rule *fr = NULL;
    int counted = 0;
    for (size_t i = 0; i < nfacts; i++) {
        const credit_fact_row *f = &facts[i];
        if (i == 0 || strcmp(f->kind, facts[i - 1].kind)) {
            fr = fact_rule(r, f->kind);
            counted = 0;
        }
        credit_date end;
        for (int h = 0; h < r->nhard; h++) {
            if (strcmp(r->hard[h].kind, f->kind))
                continue;
            if (r->hard[h].window_months) {
                credit_period_end(f->occurred_on, r->hard[h].window_months, end);
                if (strcmp(end, as_of) < 0)
                    continue;
            }
            if (r->hard[h].cls > hard_cls)
                hard_cls = r->hard[h].cls;
            if (explain)
                json_array_append_new(hard, json_pack("{s:s, s:I, s:s, s:s}", "kind", f->kind,
                                                      "fact_id", (json_int_t)f->id, "class",
                                                      (char[]){r->hard[h].cls, 0}, "occurred_on",
                                                      f->occurred_on));
        }
        if (!fr || (fr->max_count && counted >= fr->max_count))
            continue;
        int pts = 0;
        credit_period_end(f->occurred_on, fr->full_months, end);
        if (strcmp(end, as_of) >= 0) {
            pts = fr->points;
        } else {
            credit_period_end(f->occurred_on, fr->window_months, end);
            if (strcmp(end, as_of) >= 0)
                pts = fr->points / 2;
        }
        if (!pts)
            continue;
        counted++;
        score += pts;
        if (explain)
            json_array_append_new(items,
                                  json_pack("{s:s, s:s, s:I, s:s, s:s, s:s, s:s, s:i}",
                                            "indicator", "fact", "kind", f->kind, "fact_id",
                                            (json_int_t)f->id, "occurred_on", f->occurred_on,
                                            "source", f->source, "ref", f->ref ? f->ref : "",
                                            "label", f->detail ? f->detail : "", "points", pts));
    }
    char by = score >= r->th_a ? 'A' : score >= r->th_b ? 'B' : score >= r->th_c ? 'C' : 'D';
    out->score = score;
    out->by_score = by;
    out->cls = worse(by, hard_cls);
    out->explanation = NULL;
    if (explain)
        out->explanation = json_pack("{s:I, s:i, s:i, s:s, s:s, s:o, s:o}", "rule_version",
                                     (json_int_t)r->version, "base", r->base,
                                     "score", score, "class_by_score", (char[]){by, 0}, "class",
                                     (char[]){out->cls, 0}, "items", items, "hard_rules", hard);
}

/* ---------------------------------------------------------------- a page */

typedef struct page {
    size_t n, nf;
    credit_entity *ents;
    char **owned; /* strings copied from rows */
    size_t nowned, capowned;
    credit_fact_row *facts;
    size_t capf;
    size_t *fstart; /* facts of entity i: fstart[i] .. fstart[i+1] */
    int64_t last_id; /* paging: the next page starts after it */
} page;

static const char *keep(page *pg, const char *s)
{
    if (!s)
        return NULL;
    if (pg->nowned == pg->capowned) {
        pg->capowned = pg->capowned ? pg->capowned * 2 : 1024;
        pg->owned = xrealloc(pg->owned, pg->capowned * sizeof *pg->owned);
    }
    return pg->owned[pg->nowned++] = xstrdup(s);
}

static void page_free(page *pg)
{
    for (size_t i = 0; i < pg->nowned; i++)
        free(pg->owned[i]);
    free(pg->owned);
    free(pg->ents);
    free(pg->facts);
    free(pg->fstart);
    memset(pg, 0, sizeof *pg);
}

static int cmp_code(const void *a, const void *b)
{
    return strcmp(((const credit_entity *)a)->credit_code, ((const credit_entity *)b)->credit_code);
}

static void page_add_fact(page *pg, const credit_fact_row *f)
{
    if (pg->nf == pg->capf) {
        pg->capf = pg->capf ? pg->capf * 2 : 256;
        pg->facts = xrealloc(pg->facts, pg->capf * sizeof *pg->facts);
    }
    pg->facts[pg->nf++] = *f;
}

/* Entities with id > after in id order (the table's own order: sequential
 * reads), or exactly the entity `only` when set; then their standing facts:
 * from fs (a full run) or queried (one entity). */
static int page_load(store_conn *c, int64_t after, const char *only, size_t limit,
                     const credit_factset *fs, page *pg, nqi_error *err)
{
    static const char q_after[] =
        "SELECT credit_code, registered_on, status, licences, risk_tags, id, credit_class FROM "
        "entities WHERE id > ? ORDER BY id LIMIT ?";
    static const char q_one[] =
        "SELECT credit_code, registered_on, status, licences, risk_tags, id, credit_class FROM "
        "entities WHERE credit_code = ? AND CAST(? AS BIGINT) > 0";
    /* the stored results of the page, by id range (a join made PostgreSQL
     * merge against the whole table from its first row on every page) */
    static const char q_old[] =
        "SELECT entity_id, digest, rule_version FROM credit_classifications WHERE entity_id >= ? "
        "AND entity_id <= ? ORDER BY entity_id";
    store_val p[] = {only ? SV_TEXT(only) : SV_INT(after), SV_INT((int64_t)limit)};
    store_rows *rs;
    int rc = store_query(c, only ? q_one : q_after, p, 2, &rs, err);
    if (rc)
        return rc;
    pg->ents = xcalloc(limit ? limit : 1, sizeof *pg->ents);
    while ((rc = store_next(rs)) == 1 && pg->n < limit) {
        credit_entity *e = &pg->ents[pg->n++];
        *e = (credit_entity){.credit_code = keep(pg, store_text(rs, 0)),
                             .registered_on = keep(pg, store_text(rs, 1)),
                             .status = keep(pg, store_text(rs, 2)),
                             .licences = keep(pg, store_text(rs, 3)),
                             .risk_tags = keep(pg, store_text(rs, 4)),
                             .id = store_int(rs, 5)};
        const char *old = store_text(rs, 6);
        e->old_class = old && *old ? old[0] : 0;
        if (e->id > pg->last_id)
            pg->last_id = e->id;
    }
    rc = rc < 0 ? store_rows_error(rs, err) : 0;
    store_rows_close(rs);
    if (rc || !pg->n)
        return rc;
    store_val o[] = {SV_INT(pg->ents[0].id), SV_INT(pg->ents[pg->n - 1].id)};
    if ((rc = store_query(c, q_old, o, 2, &rs, err)))
        return rc;
    size_t k = 0; /* both in id order: merge */
    while ((rc = store_next(rs)) == 1) {
        int64_t id = store_int(rs, 0);
        while (k < pg->n && pg->ents[k].id < id)
            k++;
        if (k < pg->n && pg->ents[k].id == id) {
            snprintf(pg->ents[k].old_digest, sizeof pg->ents[k].old_digest, "%s",
                     store_text(rs, 1));
            pg->ents[k].old_version = store_int(rs, 2);
        }
    }
    rc = rc < 0 ? store_rows_error(rs, err) : 0;
    store_rows_close(rs);
    if (rc)
        return rc;
    qsort(pg->ents, pg->n, sizeof *pg->ents, cmp_code);
    pg->fstart = xcalloc(pg->n + 1, sizeof *pg->fstart);
    if (fs) {
        for (size_t i = 0; i < pg->n; i++) {
            size_t first, k = credit_factset_find(fs, pg->ents[i].credit_code, &first);
            for (size_t j = 0; j < k; j++)
                page_add_fact(pg, &fs->items[first + j].f);
            pg->fstart[i + 1] = pg->nf;
        }
        return 0;
    }
    store_val q[] = {SV_TEXT(pg->ents[0].credit_code)};
    rc = store_query(c,
                     "SELECT id, kind, occurred_on, source, ref, detail FROM credit_facts WHERE "
                     "credit_code = ? AND withdrawn_at IS NULL",
                     q, 1, &rs, err);
    if (rc)
        return rc;
    while ((rc = store_next(rs)) == 1)
        page_add_fact(pg, &(credit_fact_row){store_int(rs, 0), keep(pg, store_text(rs, 1)),
                                             keep(pg, store_text(rs, 2)),
                                             keep(pg, store_text(rs, 3)),
                                             keep(pg, store_text(rs, 4)),
                                             keep(pg, store_text(rs, 5))});
    pg->fstart[1] = pg->nf;
    rc = rc < 0 ? store_rows_error(rs, err) : 0;
    store_rows_close(rs);
    return rc;
}

/* Upsert the page rows listed in idx[0..n) in one statement. */
static int write_batch(store_conn *c, page *pg, credit_result *res, char **expl, char (*dig)[17],
                       const size_t *idx, size_t n, const credit_rules *r, const char *as_of,
                       int64_t run_id, nqi_error *err)
{
    enum { NP = 10 };
    buf sql;
    buf_init(&sql, 0);
    buf_puts(&sql, "INSERT INTO credit_classifications (entity_id, credit_code, credit_class, "
                   "score, rule_version, as_of, explanation, digest, run_id, computed_at) VALUES ");
    for (size_t i = 0; i < n; i++)
        buf_puts(&sql, i ? ", (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)" : "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    buf_puts(&sql, " ON CONFLICT (entity_id) DO UPDATE SET credit_code = excluded.credit_code, "
                   "credit_class = excluded.credit_class, score = excluded.score, rule_version = "
                   "excluded.rule_version, as_of = excluded.as_of, explanation = "
                   "excluded.explanation, digest = excluded.digest, run_id = excluded.run_id, "
                   "computed_at = excluded.computed_at");
    store_val *p = xcalloc(n * NP, sizeof *p);
    char (*cls)[2] = xcalloc(n, sizeof *cls);
    int64_t now = now_ms();
    for (size_t i = 0; i < n; i++) {
        size_t k = idx[i];
        cls[i][0] = res[k].cls;
        store_val *v = p + i * NP;
        v[0] = SV_INT(pg->ents[k].id);
        v[1] = SV_TEXT(pg->ents[k].credit_code);
        v[2] = SV_TEXT(cls[i]);
        v[3] = SV_INT(res[k].score);
        v[4] = SV_INT(r->version);
        v[5] = SV_TEXT(as_of);
        v[6] = SV_TEXT(expl[k]);
        v[7] = SV_TEXT(dig[k]);
        v[8] = run_id ? SV_INT(run_id) : SV_NULL;
        v[9] = SV_INT(now);
    }
    int rc = store_exec(c, sql.data, p, (int)(n * NP), NULL, err);
    free(cls);
    free(p);
    buf_free(&sql);
    return rc;
}

/* Classify and write one loaded page; adds to counts and *changed. */
static int page_classify(store_conn *c, page *pg, const credit_rules *r, const char *as_of,
                         int64_t run_id, int64_t counts[4], int64_t *changed, nqi_error *err)
{
    credit_result *res = xcalloc(pg->n, sizeof *res);
    char **expl = xcalloc(pg->n, sizeof *expl), (*dig)[17] = xcalloc(pg->n, sizeof *dig);
    size_t *idx = xcalloc(pg->n, sizeof *idx), nidx = 0;
    for (size_t i = 0; i < pg->n; i++) {
        credit_score(r, &pg->ents[i], pg->facts + pg->fstart[i], pg->fstart[i + 1] - pg->fstart[i],
                     as_of, true, &res[i]);
        expl[i] = json_dumps(res[i].explanation, JSON_COMPACT);
        json_decref(res[i].explanation);
        counts[res[i].cls - 'A']++;
        /* a result identical to the stored one (same rules, same explanation,
         * hence same class and score) is not rewritten: the nightly run of a
         * quiet day writes almost nothing */
        unsigned char h[8];
        crypto_generichash(h, sizeof h, (const unsigned char *)expl[i], strlen(expl[i]), NULL, 0);
        hex_encode(h, sizeof h, dig[i]);
        if (strcmp(dig[i], pg->ents[i].old_digest) || pg->ents[i].old_version != r->version)
            idx[nidx++] = i;
    }
    int rc = 0;
    for (size_t i = 0; !rc && i < nidx; i += BATCH)
        rc = write_batch(c, pg, res, expl, dig, idx + i, i + BATCH < nidx ? BATCH : nidx - i, r,
                         as_of, run_id, err);
    /* the directory's class, only where it changed: one UPDATE per class
     * with the ids as a list (in steady state nearly nothing to write) */
    int64_t ch = 0;
    for (char k = 'A'; !rc && k <= 'D'; k++) {
        buf sql;
        buf_init(&sql, 0);
        buf_puts(&sql, "UPDATE entities SET credit_class = ?, updated_at = ? WHERE id IN (");
        store_val *p = xcalloc(pg->n + 2, sizeof *p);
        char cls[2] = {k, 0};
        int np = 2;
        p[0] = SV_TEXT(cls);
        p[1] = SV_INT(now_ms());
        for (size_t i = 0; i < pg->n; i++)
            if (res[i].cls == k && pg->ents[i].old_class != k) {
                buf_puts(&sql, np > 2 ? ", ?" : "?");
                p[np++] = SV_INT(pg->ents[i].id);
            }
        buf_puts(&sql, ")");
        int64_t n = 0;
        if (np > 2)
            rc = store_exec(c, sql.data, p, np, &n, err);
        ch += n;
        free(p);
        buf_free(&sql);
    }
    *changed += ch;
    for (size_t i = 0; i < pg->n; i++)
        free(expl[i]);
    free(expl);
    free(dig);
    free(idx);
    free(res);
    return rc;
}

int credit_reclassify(store_conn *c, const char *credit_code, nqi_error *err)
{
    credit_rules r;
    credit_date today;
    credit_today(today);
    page pg = {0};
    int64_t counts[4] = {0}, changed = 0;
    int rc = credit_rules_active(c, &r, NULL, err);
    if (!rc)
        rc = page_load(c, 0, credit_code, 1, NULL, &pg, err);
    if (!rc && pg.n)
        rc = page_classify(c, &pg, &r, today, 0, counts, &changed, err);
    page_free(&pg);
    return rc;
}

/* ---------------------------------------------------------------- runs */

/* One full run at a time per process (the nightly thread and the API). */
static pthread_mutex_t run_mu = PTHREAD_MUTEX_INITIALIZER;

static int run_start(store_conn *c, const http_principal *actor, const char *trigger,
                     const char *as_of, const char *day, int64_t version, int64_t *id,
                     nqi_error *err)
{
    char who[80];
    bool own;
    sup_actor_name(actor, who, sizeof who);
    int rc = store_tx_begin(c, &own, err);
    store_val p[] = {SV_TEXT(trigger), SV_TEXT(day), SV_INT(version), SV_TEXT(as_of),
                     SV_TEXT(who), SV_INT(now_ms())};
    if (!rc)
        rc = store_query_int(c,
                             "INSERT INTO credit_runs (trigger_kind, nightly_day, rule_version, "
                             "as_of, status, started_by, started_at) VALUES (?, ?, ?, ?, "
                             "'running', ?, ?) RETURNING id",
                             p, 6, id, err);
    if (rc == NQI_ECONFLICT)
        nqi_error_clear(err), rc = nqi_error_set(err, NQI_ECONFLICT,
                                                 "the nightly run of %s is already claimed", day);
    return store_tx_end(c, own, rc, err);
}

static int run_finish(store_conn *c, const http_principal *actor, int64_t id, int failed,
                      int64_t total, int64_t changed, const int64_t counts[4], const char *msg,
                      json_t **out, nqi_error *err)
{
    json_t *cj = json_pack("{s:I, s:I, s:I, s:I}", "A", (json_int_t)counts[0], "B",
                           (json_int_t)counts[1], "C", (json_int_t)counts[2], "D",
                           (json_int_t)counts[3]);
    char *ct = json_dump_compact(cj);
    nqi_error e2 = {0};
    bool own;
    int rc = store_tx_begin(c, &own, &e2);
    store_val p[] = {SV_TEXT(failed ? "failed" : "done"), SV_INT(total), SV_INT(changed),
                     SV_TEXT(ct), SV_TEXT(msg), SV_INT(now_ms()), SV_INT(id)};
    if (!rc)
        rc = store_exec(c,
                        "UPDATE credit_runs SET status = ?, entities = ?, changed = ?, counts = ?, "
                        "message = ?, finished_at = ? WHERE id = ?",
                        p, 7, NULL, &e2);
    json_t *run = NULL;
    if (!rc) {
        store_rows *rs;
        store_val q[] = {SV_INT(id)};
        rc = store_query(c,
                         "SELECT id, trigger_kind, rule_version, as_of, status, entities, changed, "
                         "started_at, finished_at FROM credit_runs WHERE id = ?",
                         q, 1, &rs, &e2);
        if (!rc && store_next(rs) == 1)
            run = json_pack("{s:I, s:s, s:I, s:s, s:s, s:I, s:I, s:O, s:f}", "id",
                            (json_int_t)store_int(rs, 0), "trigger", store_text(rs, 1),
                            "rule_version", (json_int_t)store_int(rs, 2), "as_of",
                            store_text(rs, 3), "status", store_text(rs, 4), "entities",
                            (json_int_t)store_int(rs, 5), "changed", (json_int_t)store_int(rs, 6),
                            "counts", cj,
                            "seconds", (double)(store_int(rs, 8) - store_int(rs, 7)) / 1000.0);
        if (!rc)
            store_rows_close(rs);
    }
    char ids[24];
    snprintf(ids, sizeof ids, "%lld", (long long)id);
    if (!rc)
        rc = audit_record(c, actor, "credit.classify", "credit_run", ids, NULL, run, &e2);
    rc = store_tx_end(c, own, rc, &e2);
    free(ct);
    json_decref(cj);
    if (rc && !failed)
        *err = e2;
    if (out && !rc && !failed)
        *out = run;
    else
        json_decref(run);
    return failed ? failed : rc;
}

int credit_classify_all(store_conn *c, const http_principal *actor, const char *trigger,
                        const char *as_of, const char *nightly_day, json_t **out,
                        nqi_error *err)
{
    if (pthread_mutex_trylock(&run_mu))
        return nqi_error_set(err, NQI_ECONFLICT, "a credit classification run is in progress");
    credit_rules r;
    credit_factset fs = {0};
    int64_t id = 0, counts[4] = {0}, changed = 0, total = 0, ended = 0;
    int rc = credit_lists_sweep(c, actor, as_of, &ended, err);
    if (!rc)
        rc = credit_rules_active(c, &r, NULL, err);
    if (!rc)
        rc = run_start(c, actor, trigger, as_of, nightly_day, r.version, &id, err);
    if (rc) {
        pthread_mutex_unlock(&run_mu);
        return rc;
    }
    /* the facts as they stand when the run starts (see credit_factset.c) */
    rc = credit_factset_load(c, &r, as_of, &fs, err);
    int64_t last = 0;
    while (!rc) {
        page pg = {0};
        bool own;
        rc = store_tx_begin(c, &own, err);
        if (!rc)
            rc = page_load(c, last, NULL, PAGE, &fs, &pg, err);
        if (!rc && pg.n)
            rc = page_classify(c, &pg, &r, as_of, id, counts, &changed, err);
        size_t n = pg.n;
        last = pg.last_id;
        page_free(&pg);
        rc = store_tx_end(c, own, rc, err);
        if (rc || !n)
            break;
        total += (int64_t)n;
    }
    credit_factset_free(&fs);
    rc = run_finish(c, actor, id, rc, total, changed, counts, rc ? err->message : "", out, err);
    pthread_mutex_unlock(&run_mu);
    return rc;
}

int credit_classify_codes(store_conn *c, const http_principal *actor, json_t *codes,
                          json_t **out, nqi_error *err)
{
    if (!json_is_array(codes) || !json_array_size(codes) || json_array_size(codes) > 1000)
        return nqi_error_field(err, NQI_EINVAL, "credit_codes", "an array of 1-1000 credit codes");
    size_t i;
    json_t *v;
    int rc = 0;
    json_array_foreach(codes, i, v)
    {
        char f[48];
        snprintf(f, sizeof f, "credit_codes/%zu", i);
        if (!json_is_string(v))
            rc = nqi_error_field(err, NQI_EINVAL, f, "a credit code");
        else if (credit_code_validate(json_string_value(v), f, err))
            rc = err->code;
    }
    if (rc)
        return rc;
    bool own;
    if ((rc = store_tx_begin(c, &own, err)))
        return rc;
    json_t *items = json_array();
    json_array_foreach(codes, i, v)
    {
        const char *code = json_string_value(v);
        if ((rc = credit_entity_check(c, code, err)) || (rc = credit_reclassify(c, code, err)))
            break;
        store_rows *rs;
        store_val p[] = {SV_TEXT(code)};
        if ((rc = store_query(c,
                              "SELECT k.credit_class, k.score, k.rule_version FROM "
                              "credit_classifications k JOIN entities e ON e.id = k.entity_id "
                              "WHERE e.credit_code = ?",
                              p, 1, &rs, err)))
            break;
        if (store_next(rs) == 1)
            json_array_append_new(items, json_pack("{s:s, s:s, s:I, s:I}", "credit_code", code,
                                                   "credit_class", store_text(rs, 0), "score",
                                                   (json_int_t)store_int(rs, 1), "rule_version",
                                                   (json_int_t)store_int(rs, 2)));
        store_rows_close(rs);
    }
    *out = json_pack("{s:o}", "items", items);
    if (!rc)
        rc = audit_record(c, actor, "credit.classify", "credit_classification", "", NULL, *out,
                          err);
    if (rc) {
        json_decref(*out);
        *out = NULL;
    }
    return store_tx_end(c, own, rc, err);
}

int credit_overview(store_conn *c, json_t **out, nqi_error *err)
{
    store_rows *rs;
    int rc = store_query(c,
                         "SELECT credit_class, COUNT(*) FROM entities GROUP BY credit_class "
                         "ORDER BY credit_class",
                         NULL, 0, &rs, err);
    if (rc)
        return rc;
    json_t *counts = json_pack("{s:i, s:i, s:i, s:i}", "A", 0, "B", 0, "C", 0, "D", 0);
    int64_t total = 0;
    while ((rc = store_next(rs)) == 1) {
        json_object_set_new(counts, store_text(rs, 0), json_integer(store_int(rs, 1)));
        total += store_int(rs, 1);
    }
    rc = rc < 0 ? store_rows_error(rs, err) : 0;
    store_rows_close(rs);
    int64_t classified = 0, version = 0;
    if (!rc)
        rc = store_query_int(c, "SELECT COUNT(*) FROM credit_classifications", NULL, 0,
                             &classified, err);
    if (!rc)
        rc = store_query_int(c, "SELECT version FROM credit_rule_sets WHERE active = 1", NULL, 0,
                             &version, err);
    json_t *last = json_null();
    if (!rc && !(rc = store_query(c,
                                  "SELECT id, trigger_kind, rule_version, as_of, status, entities, "
                                  "changed, counts, started_by, started_at, finished_at, message "
                                  "FROM credit_runs ORDER BY id DESC LIMIT 1",
                                  NULL, 0, &rs, err))) {
        if (store_next(rs) == 1) {
            char a[32], b[32];
            json_decref(last);
            last = json_pack(
                "{s:I, s:s, s:I, s:s, s:s, s:I, s:I, s:o, s:s, s:s, s:s?, s:s}", "id",
                (json_int_t)store_int(rs, 0), "trigger", store_text(rs, 1), "rule_version",
                (json_int_t)store_int(rs, 2), "as_of", store_text(rs, 3), "status",
                store_text(rs, 4), "entities", (json_int_t)store_int(rs, 5), "changed",
                (json_int_t)store_int(rs, 6), "counts", json_loads(store_text(rs, 7), 0, NULL),
                "started_by", store_text(rs, 8), "started_at",
                time_iso8601(store_int(rs, 9), a, sizeof a), "finished_at",
                store_isnull(rs, 10) ? NULL : time_iso8601(store_int(rs, 10), b, sizeof b),
                "message", store_text(rs, 11));
        }
        store_rows_close(rs);
    }
    if (rc) {
        json_decref(counts);
        json_decref(last);
        return rc;
    }
    *out = json_pack("{s:o, s:I, s:I, s:I, s:o}", "counts", counts, "total", (json_int_t)total,
                     "classified", (json_int_t)classified, "rule_version", (json_int_t)version,
                     "last_run", last);
    return 0;
}
