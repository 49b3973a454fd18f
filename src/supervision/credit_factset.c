/*
 * credit_factset.c — the standing facts a full classification run needs,
 * loaded once, in memory, sorted by credit code. Entities are walked in id
 * order (sequential reads), so the facts cannot be range-scanned alongside
 * them; fetching each page's facts by code made PostgreSQL scan the whole
 * fact table once per page. One scan up front costs well under a second for
 * 300k facts.
 *
 * Bound: only facts that can still count are loaded — occurred within the
 * longest window of the rule set (a fact past it scores 0), plus every
 * standing fact of a kind that a window-less hard rule names (list entries).
 * About 100 bytes per fact.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "supervision/credit_impl.h"

static int cmp_item(const void *a, const void *b)
{
    return strcmp(((const credit_fact_item *)a)->code, ((const credit_fact_item *)b)->code);
}

int credit_factset_load(store_conn *c, const credit_rules *r, const char *as_of,
                        credit_factset *fs, nqi_error *err)
{
    memset(fs, 0, sizeof *fs);
    int months = 0, nhard = 0;
    for (int i = 0; i < r->nfacts; i++)
        if (r->facts[i].window_months > months)
            months = r->facts[i].window_months;
    for (int i = 0; i < r->nhard; i++)
        if (r->hard[i].window_months > months)
            months = r->hard[i].window_months;
    credit_date cutoff;
    credit_period_end(as_of, -(months + 1), cutoff); /* a day or so early: checked exactly later */
    buf sql;
    buf_init(&sql, 0);
    buf_puts(&sql, "SELECT credit_code, id, kind, occurred_on, source, ref, detail FROM "
                   "credit_facts WHERE withdrawn_at IS NULL AND (occurred_on >= ? OR kind IN ('-'");
    store_val p[1 + CREDIT_MAX_HARD];
    p[0] = SV_TEXT(cutoff);
    for (int i = 0; i < r->nhard; i++)
        if (!r->hard[i].window_months) {
            buf_puts(&sql, ", ?");
            p[1 + nhard++] = SV_TEXT(r->hard[i].kind);
        }
    buf_puts(&sql, "))");
    store_rows *rs;
    int rc = store_query(c, sql.data, p, 1 + nhard, &rs, err);
    buf_free(&sql);
    if (rc)
        return rc;
    /* strings go to one arena; offsets first, pointers once it stops moving */
    typedef struct {
        size_t code, kind, on, source, ref, detail;
        int64_t id;
    } offs;
    offs *o = NULL;
    size_t cap = 0;
    buf_init(&fs->arena, 0);
    while ((rc = store_next(rs)) == 1) {
        if (fs->n == cap)
            o = xrealloc(o, (cap = cap ? cap * 2 : 4096) * sizeof *o);
        size_t v[6];
        for (int k = 0; k < 6; k++) {
            int col = k == 0 ? 0 : k + 1;
            const char *t = store_text(rs, col);
            v[k] = fs->arena.len;
            buf_append(&fs->arena, t ? t : "", (t ? strlen(t) : 0) + 1);
        }
        o[fs->n++] = (offs){v[0], v[1], v[2], v[3], v[4], v[5], store_int(rs, 1)};
    }
    rc = rc < 0 ? store_rows_error(rs, err) : 0;
    store_rows_close(rs);
    if (!rc) {
        fs->items = xcalloc(fs->n ? fs->n : 1, sizeof *fs->items);
        const char *a = fs->arena.data;
        for (size_t i = 0; i < fs->n; i++)
            fs->items[i] = (credit_fact_item){
                a + o[i].code,
                {o[i].id, a + o[i].kind, a + o[i].on, a + o[i].source, a + o[i].ref, a + o[i].detail}};
        qsort(fs->items, fs->n, sizeof *fs->items, cmp_item);
    }
    free(o);
    if (rc)
        credit_factset_free(fs);
    return rc;
}

size_t credit_factset_find(const credit_factset *fs, const char *code, size_t *first)
{
    size_t lo = 0, hi = fs->n;
    while (lo < hi) { /* first item >= code */
        size_t mid = lo + (hi - lo) / 2;
        if (strcmp(fs->items[mid].code, code) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    size_t n = 0;
    while (lo + n < fs->n && !strcmp(fs->items[lo + n].code, code))
        n++;
    *first = lo;
    return n;
}

void credit_factset_free(credit_factset *fs)
{
    free(fs->items);
    buf_free(&fs->arena);
    memset(fs, 0, sizeof *fs);
}
