/*
 * genealogy.c — backward and forward trace over epcis_event_refs by
 * iterative frontier expansion: each round loads, for every identifier of
 * the frontier at once, the events naming it, then every identifier of
 * those events, and applies the hop rules in C. The walk runs on the
 * integer identifier numbers of epcis_idents (0012) and translates to the
 * canonical text once, for the nodes of the answer. Measured against the
 * alternatives in docs/benchmarks.md.
 *
 * The graph is over identifiers; each reached identifier carries a time
 * window [from, until] and a kind:
 *   material   the start ids, and what transformations connect them to:
 *              forward  input  -> outputs at the event time (from = t)
 *              backward output -> inputs  (until = t)
 *   container  what held a material or container id (AggregationEvent /
 *              AssociationEvent ADD, child -> parent), from the ADD until
 *              the DELETE of that child or of the whole parent: only the
 *              container's events inside that window concern the goods.
 *              A container never spreads to its other children — a pallet
 *              holding a suspect lot does not make its other lots suspect —
 *              unless it is itself a start id: then its children are
 *              material (the contents of a suspect pallet are suspect).
 *   place      biz locations and source/destination parties/locations of
 *              the events reached; never expanded.
 * Every hop respects time order: forward only events at or after the
 * time the id was reached, backward only at or before. Events carrying an
 * error declaration are left out (capture marks the original row when a
 * declaration arrives; corrective events are ordinary events and are
 * followed). An id reached again with a wider window is expanded again.
 */
#define _GNU_SOURCE
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "trace/gs1.h"
#include "trace/query.h"
#include "trace/walkmap.h"

#define BATCH 1024 /* start ids per lookup, documents per statement */
#define MAX_NODES 200000

enum { K_MATERIAL = 0, K_CONTAINER = 1, K_PLACE = 2 };

typedef struct node {
    /* epcis_idents.id, or < 0 for an identifier without a row there (a
     * start id never captured, a biz location no event references) */
    int64_t key;
    char *id; /* canonical text; NULL until name_nodes */
    int kind, depth;
    bool start, queued;
    int64_t from, until;
    int64_t first_t, last_t; /* times of the events seen for it */
} node;

typedef struct idrow {
    int64_t ident;
    const char *role; /* interned: compare with strcmp, never freed alone */
} idrow;

typedef struct event {
    int64_t row, time, loc_key;
    char *event_id, *type, *action, *step, *disp, *loc, *tz, *owner;
    int pub;
    bool dead; /* filtered out (declared erroneous, outside the window, not visible) */
    idrow *ids;
    int nids, capids;
} event;

typedef struct edge_rec {
    int from, to, ev;
    const char *type; /* static or interned */
} edge_rec;

typedef struct walk {
    const trace_opts *o;
    store_conn *c;
    node *nodes;
    int nn, capn;
    intmap nidx;  /* key -> node */
    strmap synth; /* text -> negative key, for identifiers without a row */
    int nsynth;
    strmap roles; /* role text -> index in rolev */
    char **rolev;
    int nroles;
    event *evs;
    int ne, cape;
    intmap eidx; /* row id -> event */
    strmap edges; /* "from\x1fto\x1ftype\x1fevent" */
    edge_rec *erecs;
    size_t nedges, capedges;
    bool truncated;
} walk;

/* ---------------------------------------------------------------- maps */

static const char *intern_role(walk *w, const char *role)
{
    int i = strmap_get(&w->roles, role, false, 0);
    if (i < 0) {
        w->rolev = xrealloc(w->rolev, (size_t)(w->nroles + 1) * sizeof *w->rolev);
        w->rolev[w->nroles] = xstrdup(role);
        i = strmap_get(&w->roles, role, true, w->nroles++);
    }
    return w->rolev[i];
}

/* The key of an identifier known only by its text (no epcis_idents row). */
static int64_t synth_key(walk *w, const char *text)
{
    int i = strmap_get(&w->synth, text, false, 0);
    if (i < 0)
        i = strmap_get(&w->synth, text, true, ++w->nsynth);
    return -(int64_t)i;
}

static int ev_find(walk *w, int64_t row, bool insert)
{
    int i = intmap_get(&w->eidx, row);
    if (i >= 0 || !insert)
        return i;
    if (w->ne == w->cape) {
        w->cape = w->cape ? w->cape * 2 : 256;
        w->evs = xrealloc(w->evs, (size_t)w->cape * sizeof *w->evs);
    }
    memset(&w->evs[w->ne], 0, sizeof w->evs[0]);
    w->evs[w->ne].row = row;
    intmap_put(&w->eidx, row, w->ne);
    return w->ne++;
}

/* ---------------------------------------------------------------- nodes */

/* Reach the identifier with this key (text, when known, is kept for the
 * answer): create it or widen its window. Returns the node index, and
 * queues it for expansion when it is new or its window grew. */
static int reach(walk *w, int64_t key, const char *text, int kind, int depth, int64_t from,
                 int64_t until)
{
    int i = intmap_get(&w->nidx, key);
    if (i < 0) {
        if (w->nn >= MAX_NODES) {
            w->truncated = true;
            return -1;
        }
        if (w->nn == w->capn) {
            w->capn = w->capn ? w->capn * 2 : 256;
            w->nodes = xrealloc(w->nodes, (size_t)w->capn * sizeof *w->nodes);
        }
        i = w->nn++;
        intmap_put(&w->nidx, key, i);
        w->nodes[i] = (node){.key = key, .id = text ? xstrdup(text) : NULL, .kind = kind,
                             .depth = depth, .from = from, .until = until,
                             .first_t = INT64_MAX, .last_t = INT64_MIN,
                             .queued = kind != K_PLACE && key > 0};
        return i;
    }
    node *n = &w->nodes[i];
    if (n->kind == K_PLACE || kind == K_PLACE)
        return i;
    bool wider = from < n->from || until > n->until;
    if (kind == K_MATERIAL && n->kind == K_CONTAINER) {
        n->kind = K_MATERIAL; /* a start id or transformation product wins */
        wider = true;
    }
    if (from < n->from)
        n->from = from;
    if (until > n->until)
        n->until = until;
    if (depth < n->depth)
        n->depth = depth;
    if (wider && key > 0)
        n->queued = true;
    return i;
}

/* Edges are recorded as numbers and rendered at the end, when the nodes
 * have their text (and not at all when the caller does not want them). */
static void edge(walk *w, int from, int to, const char *type, int ev)
{
    if (w->o->no_edges || from < 0 || to < 0 || from == to)
        return;
    char key[96];
    snprintf(key, sizeof key, "%d\x1f%d\x1f%s\x1f%d", from, to, type, ev);
    if (strmap_get(&w->edges, key, false, 0) >= 0)
        return;
    strmap_get(&w->edges, key, true, 1);
    if (w->nedges == w->capedges) {
        w->capedges = w->capedges ? w->capedges * 2 : 256;
        w->erecs = xrealloc(w->erecs, w->capedges * sizeof *w->erecs);
    }
    w->erecs[w->nedges++] = (edge_rec){from, to, ev, type};
}

/* ---------------------------------------------------------------- loading */

/* A set of integers as a one-column table k(value) for a FROM clause, with
 * its one parameter — the one place where the backends differ.
 * PostgreSQL: unnest of an array literal '{1,2,…}' bound as text; SQLite:
 * json_each over '[1,2,…]'. A frontier of any size is one statement, one
 * round trip and one prepared plan (IN lists of 1,024 parameters took ~60
 * round trips for a 10,000-lot recall). Every statement joins k to an
 * index: SQLite keeps the left side of a CROSS JOIN as the outer loop, and
 * PostgreSQL chose nested loops over the index for every size measured,
 * 3-4x faster than `= ANY(array)` (whose per-element index descents made
 * the planner pick a parallel sequential scan of epcis_idents for 11,000
 * numbers). Identifier texts come from a scalar subquery per element,
 * which cannot become a join at all. docs/benchmarks.md.
 * sql_fmt has nsets (1 or 2) "%s" for k; parameters: the set, the extra
 * ones, the set again. */
static int query_sets(walk *w, const char *sql_fmt, int nsets, const int64_t *v, size_t n,
                      const store_val *extra, int nextra, store_rows **r, nqi_error *err)
{
    bool pg = store_kind(store_conn_store(w->c)) == STORE_PG;
    buf b;
    buf_init(&b, n * 8 + 2);
    buf_puts(&b, pg ? "{" : "[");
    for (size_t i = 0; i < n; i++)
        buf_printf(&b, i ? ",%lld" : "%lld", (long long)v[i]);
    buf_puts(&b, pg ? "}" : "]");
    const char *from = pg ? "unnest(CAST(? AS BIGINT[])) AS k(value)" : "json_each(?) AS k";
    char *sql = xasprintf(sql_fmt, from, from);
    store_val p[6];
    int np = 0;
    p[np++] = SV_TEXT(b.data);
    for (int i = 0; i < nextra && i < 4; i++)
        p[np++] = extra[i];
    if (nsets == 2)
        p[np++] = SV_TEXT(b.data);
    int rc = store_query(w->c, sql, p, np, r, err);
    free(sql);
    buf_free(&b);
    return rc;
}

/* One set. */
static int query_set(walk *w, const char *sql_fmt, const int64_t *v, size_t n,
                     const store_val *extra, int nextra, store_rows **r, nqi_error *err)
{
    return query_sets(w, sql_fmt, 1, v, n, extra, nextra, r, err);
}

/* PostgreSQL makes a custom plan at every bind of a statement with a set
 * parameter (the array is a constant to the planner): ~0.09 ms each, 3 ms
 * of a 10-hop trace's ~35 statements, 8x the execution-side savings. The
 * generic plan — a nested loop over the index, for any set size — is the
 * plan it picks for large sets anyway, so the walk asks for generic plans
 * while it runs. Inside a transaction that fails, the rollback undoes it. */
static int plan_generic(store_conn *c, bool on, nqi_error *err)
{
    if (store_kind(store_conn_store(c)) != STORE_PG)
        return 0;
    return store_exec(c, on ? "SET plan_cache_mode = force_generic_plan" : "RESET plan_cache_mode",
                      NULL, 0, NULL, err);
}

static const char *vis_sql(const trace_vis *v)
{
    return v->all ? "" : v->public_only ? " AND e.public = 1" : " AND (e.public = 1 OR e.owner_org = ?)";
}

static char *dupn(store_rows *r, int col)
{
    const char *s = store_text(r, col);
    return s ? xstrdup(s) : NULL;
}

/* (node, event, role) of one frontier round. */
typedef struct hit {
    int node, ev;
    const char *role;
} hit;

static void push_hit(hit **hits, size_t *nh, size_t *caph, hit h)
{
    if (*nh == *caph) {
        *caph = *caph ? *caph * 2 : 256;
        *hits = xrealloc(*hits, *caph * sizeof **hits);
    }
    (*hits)[(*nh)++] = h;
}

/* Load the events todo[0..n) (rows inserted as dead by load_hits) by
 * primary key, filtered (error declarations, time window, visibility),
 * and all their identifier rows (index (event)) in the same statement, a
 * UNION ALL: one round trip per frontier step fewer, a third of a 10-hop
 * trace's statements.
 * Kept apart from the identifier rows: one joined statement let the
 * planners start from epcis_events — SQLite with a time-index scan (bound
 * parameters hide that the window is unbounded), PostgreSQL with a hash
 * join over the whole table. Filtered-out events stay in the map as dead
 * so they are not fetched again. The biz location comes with its
 * identifier number, so it meets source/destination ids as one node. */
static int load_events(walk *w, const int *todo, size_t n, nqi_error *err)
{
    if (!n)
        return 0;
    const trace_vis *v = &w->o->vis;
    char *fmt = xasprintf(
        "SELECT 0, e.id, e.event_id, e.event_type, e.action, e.event_time, e.event_tz, "
        "e.biz_step, e.disposition, e.biz_location, "
        "(SELECT d.id FROM epcis_idents d WHERE d.ident = e.biz_location), e.owner_org, "
        "e.public FROM %%s CROSS JOIN epcis_events e WHERE e.id = k.value "
        "AND e.error_declared_at IS NULL AND +e.event_time >= ? AND +e.event_time <= ?%s "
        "UNION ALL SELECT 1, r.event, r.role, NULL, NULL, r.ident, NULL, NULL, NULL, NULL, NULL, "
        "NULL, NULL FROM %%s CROSS JOIN epcis_event_refs r WHERE r.event = k.value",
        vis_sql(v));
    int64_t *rows = xcalloc(n, sizeof *rows);
    for (size_t i = 0; i < n; i++)
        rows[i] = w->evs[todo[i]].row;
    store_val x[3] = {SV_INT(w->o->from_ms), SV_INT(w->o->to_ms), SV_TEXT(v->org ? v->org : "")};
    store_rows *r;
    int rc = query_sets(w, fmt, 2, rows, n, x, !v->all && !v->public_only ? 3 : 2, &r, err);
    free(fmt);
    free(rows);
    if (rc)
        return rc;
    while ((rc = store_next(r)) == 1) {
        int ei = ev_find(w, store_int(r, 1), false);
        if (ei < 0)
            continue;
        event *e = &w->evs[ei];
        if (store_int(r, 0)) { /* an identifier row (of a dead event too: unused then) */
            if (e->nids == e->capids) {
                e->capids = e->capids ? e->capids * 2 : 8;
                e->ids = xrealloc(e->ids, (size_t)e->capids * sizeof *e->ids);
            }
            e->ids[e->nids++] = (idrow){store_int(r, 5), intern_role(w, store_text(r, 2))};
            continue;
        }
        if (!e->dead)
            continue;
        e->dead = false;
        e->event_id = dupn(r, 2);
        e->type = dupn(r, 3);
        e->action = dupn(r, 4);
        e->time = store_int(r, 5);
        e->tz = dupn(r, 6);
        e->step = dupn(r, 7);
        e->disp = dupn(r, 8);
        e->loc = dupn(r, 9);
        e->loc_key = !e->loc ? 0 : store_isnull(r, 10) ? synth_key(w, e->loc) : store_int(r, 10);
        e->owner = dupn(r, 11);
        e->pub = (int)store_int(r, 12);
    }
    rc = rc < 0 ? store_rows_error(r, err) : 0;
    store_rows_close(r);
    return rc;
}

/* The events naming the frontier front[0..n) (index (ident, role, event)),
 * as hits; events not seen before are loaded. */
static int load_hits(walk *w, const int *front, size_t n, hit **hits, size_t *nh, size_t *caph,
                     nqi_error *err)
{
    int64_t *keys = xcalloc(n, sizeof *keys);
    for (size_t i = 0; i < n; i++)
        keys[i] = w->nodes[front[i]].key;
    store_rows *r;
    int rc = query_set(w,
                       "SELECT r.ident, r.role, r.event FROM %s CROSS JOIN epcis_event_refs r "
                       "WHERE r.ident = k.value "
                       "AND r.role IN ('epc', 'parent', 'child', 'input', 'output')",
                       keys, n, NULL, 0, &r, err);
    free(keys);
    if (rc)
        return rc;
    hit *raws = NULL;
    int *todo = NULL;
    size_t nr = 0, capr = 0, nt = 0;
    while ((rc = store_next(r)) == 1) {
        int ni = intmap_get(&w->nidx, store_int(r, 0));
        if (ni < 0)
            continue;
        int64_t row = store_int(r, 2);
        int ei = ev_find(w, row, false);
        if (ei < 0) {
            ei = ev_find(w, row, true);
            w->evs[ei].dead = true; /* until load_events finds it */
            if (nt % 256 == 0)
                todo = xrealloc(todo, (nt + 256) * sizeof *todo);
            todo[nt++] = ei;
        }
        push_hit(&raws, &nr, &capr, (hit){ni, ei, intern_role(w, store_text(r, 1))});
    }
    rc = rc < 0 ? store_rows_error(r, err) : 0;
    store_rows_close(r);
    if (!rc)
        rc = load_events(w, todo, nt, err);
    for (size_t i = 0; !rc && i < nr; i++)
        if (!w->evs[raws[i].ev].dead)
            push_hit(hits, nh, caph, raws[i]);
    free(raws);
    free(todo);
    return rc;
}

/* The start ids by text, in the caller's order: their numbers, or a
 * synthetic key when no event names them (they still appear in the answer). */
static int reach_starts(walk *w, nqi_error *err)
{
    const trace_opts *o = w->o;
    int64_t *keys = xcalloc((size_t)o->nids + 1, sizeof *keys);
    int rc = 0;
    for (int off = 0; !rc && off < o->nids; off += BATCH) {
        int k = o->nids - off < BATCH ? o->nids - off : BATCH;
        buf sql;
        buf_init(&sql, 0);
        buf_puts(&sql, "SELECT id, ident FROM epcis_idents WHERE ident IN (");
        store_val *p = xcalloc((size_t)k, sizeof *p);
        for (int i = 0; i < k; i++) {
            buf_puts(&sql, i ? ", ?" : "?");
            p[i] = SV_TEXT(o->ids[off + i]);
        }
        buf_puts(&sql, ")");
        store_rows *r;
        rc = store_query(w->c, sql.data, p, k, &r, err);
        buf_free(&sql);
        free(p);
        if (rc)
            break;
        while ((rc = store_next(r)) == 1)
            for (int i = off; i < off + k; i++)
                if (!strcmp(o->ids[i], store_text(r, 1)))
                    keys[i] = store_int(r, 0);
        rc = rc < 0 ? store_rows_error(r, err) : 0;
        store_rows_close(r);
    }
    for (int i = 0; !rc && i < o->nids; i++) {
        int ni = reach(w, keys[i] ? keys[i] : synth_key(w, o->ids[i]), o->ids[i], K_MATERIAL, 0,
                       INT64_MIN, INT64_MAX);
        if (ni >= 0)
            w->nodes[ni].start = true;
    }
    free(keys);
    return rc;
}

/* The canonical text of every node reached by number, in one statement. */
static int name_nodes(walk *w, nqi_error *err)
{
    int64_t *keys = xcalloc((size_t)w->nn + 1, sizeof *keys);
    size_t n = 0;
    for (int i = 0; i < w->nn; i++)
        if (!w->nodes[i].id)
            keys[n++] = w->nodes[i].key;
    int rc = 0;
    store_rows *r;
    if (n && !(rc = query_set(w,
                              "SELECT k.value, (SELECT d.ident FROM epcis_idents d "
                              "WHERE d.id = k.value) FROM %s",
                              keys, n, NULL, 0, &r, err))) {
        while ((rc = store_next(r)) == 1) {
            int ni = intmap_get(&w->nidx, store_int(r, 0));
            if (ni >= 0 && !w->nodes[ni].id)
                w->nodes[ni].id = dupn(r, 1);
        }
        rc = rc < 0 ? store_rows_error(r, err) : 0;
        store_rows_close(r);
    }
    free(keys);
    for (int i = 0; !rc && i < w->nn; i++)
        if (!w->nodes[i].id) /* deleted under us: keep the answer well-formed */
            w->nodes[i].id = xasprintf("urn:nqi:ident:%lld", (long long)w->nodes[i].key);
    return rc;
}

/* ---------------------------------------------------------------- rules */

static bool is_agg(const event *e)
{
    return !strcmp(e->type, "AggregationEvent") || !strcmp(e->type, "AssociationEvent");
}

static bool has_role(const event *e, const char *role)
{
    for (int i = 0; i < e->nids; i++)
        if (!strcmp(e->ids[i].role, role))
            return true;
    return false;
}

/* The DELETEs of one round, (child node, parent) -> time, sorted, so that
 * "when was this child taken out of that parent after t" is a binary
 * search instead of a scan of the round (quadratic at recall scale). */
typedef struct del {
    int node;
    int64_t parent, t;
} del;

static int cmp_del(const void *a, const void *b)
{
    const del *x = a, *y = b;
    if (x->node != y->node)
        return x->node < y->node ? -1 : 1;
    if (x->parent != y->parent)
        return x->parent < y->parent ? -1 : 1;
    return x->t < y->t ? -1 : x->t > y->t;
}

static del *deletes(walk *w, const hit *hits, size_t nh, size_t *nd)
{
    del *d = NULL;
    size_t n = 0, cap = 0;
    for (size_t i = 0; i < nh; i++) {
        const event *e = &w->evs[hits[i].ev];
        if (strcmp(hits[i].role, "child") || !e->action || strcmp(e->action, "DELETE"))
            continue;
        for (int k = 0; k < e->nids; k++)
            if (!strcmp(e->ids[k].role, "parent")) {
                if (n == cap) {
                    cap = cap ? cap * 2 : 64;
                    d = xrealloc(d, cap * sizeof *d);
                }
                d[n++] = (del){hits[i].node, e->ids[k].ident, e->time};
            }
    }
    if (n)
        qsort(d, n, sizeof *d, cmp_del);
    *nd = n;
    return d;
}

/* The first DELETE of child from parent at or after t, or INT64_MAX. */
static int64_t delete_after(const del *d, size_t nd, int child, int64_t parent, int64_t t)
{
    size_t lo = 0, hi = nd;
    del key = {child, parent, t};
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (cmp_del(&d[mid], &key) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < nd && d[lo].node == child && d[lo].parent == parent ? d[lo].t : INT64_MAX;
}

/* Places of an event: biz location, sources, destinations. */
static void places(walk *w, int ni, int ev)
{
    const event *e = &w->evs[ev];
    int d = w->nodes[ni].depth + 1;
    if (e->loc_key) {
        int p = reach(w, e->loc_key, e->loc_key < 0 ? e->loc : NULL, K_PLACE, d, 0, 0);
        edge(w, ni, p, "at", ev);
    }
    for (int k = 0; k < e->nids; k++) {
        const idrow *x = &e->ids[k];
        if (!strncmp(x->role, "source:", 7)) {
            int p = reach(w, x->ident, NULL, K_PLACE, d, 0, 0);
            edge(w, p, ni, x->role, ev);
        } else if (!strncmp(x->role, "destination:", 12)) {
            int p = reach(w, x->ident, NULL, K_PLACE, d, 0, 0);
            edge(w, ni, p, x->role, ev);
        }
    }
}

static void apply(walk *w, const hit *h, const del *dels, size_t nd, char *seen)
{
    const event *e = &w->evs[h->ev];
    node *n = &w->nodes[h->node];
    bool fwd = w->o->dir == TRACE_FORWARD;
    if (e->time < n->from || e->time > n->until)
        return;
    int ni = h->node, d = n->depth + 1, kind = n->kind;
    int64_t from = n->from, until = n->until;
    bool start = n->start;
    const char *role = h->role;
    seen[h->ev] = 1;
    if (n->first_t > e->time)
        n->first_t = e->time;
    if (n->last_t < e->time)
        n->last_t = e->time;
    places(w, ni, h->ev); /* may move w->nodes: n is not used below */
    bool deep = d <= w->o->max_depth;
    if (!strcmp(e->type, "TransformationEvent") && kind == K_MATERIAL && deep) {
        const char *want = fwd ? "input" : "output", *other = fwd ? "output" : "input";
        if (strcmp(role, want))
            return;
        for (int k = 0; k < e->nids; k++) {
            if (strcmp(e->ids[k].role, other))
                continue;
            int o = fwd ? reach(w, e->ids[k].ident, NULL, K_MATERIAL, d, e->time, INT64_MAX)
                        : reach(w, e->ids[k].ident, NULL, K_MATERIAL, d, INT64_MIN, e->time);
            if (fwd)
                edge(w, ni, o, "transformation", h->ev);
            else
                edge(w, o, ni, "transformation", h->ev);
        }
        return;
    }
    if (!is_agg(e) || !e->action)
        return;
    bool add = !strcmp(e->action, "ADD"), del = !strcmp(e->action, "DELETE");
    if (!strcmp(role, "child") && add && deep) {
        for (int k = 0; k < e->nids; k++) {
            if (strcmp(e->ids[k].role, "parent"))
                continue;
            int64_t end = delete_after(dels, nd, ni, e->ids[k].ident, e->time);
            if (!fwd && end > until)
                end = until;
            int p = reach(w, e->ids[k].ident, NULL, K_CONTAINER, d, e->time, end);
            edge(w, ni, p, e->type[1] == 's' ? "association" : "aggregation", h->ev);
        }
    } else if (!strcmp(role, "parent") && del && !has_role(e, "child")) {
        /* the whole container unpacked: its window closes here */
        if (kind == K_CONTAINER && e->time < w->nodes[ni].until && e->time >= from)
            w->nodes[ni].until = e->time;
    } else if (!strcmp(role, "parent") && add && start && deep) {
        for (int k = 0; k < e->nids; k++) {
            if (strcmp(e->ids[k].role, "child"))
                continue;
            int c = fwd ? reach(w, e->ids[k].ident, NULL, K_MATERIAL, d, e->time, INT64_MAX)
                        : reach(w, e->ids[k].ident, NULL, K_MATERIAL, d, INT64_MIN, until);
            edge(w, c, ni, e->type[1] == 's' ? "association" : "aggregation", h->ev);
        }
    }
}

static int cmp_hit_time(const void *a, const void *b, void *ctx)
{
    const walk *w = ctx;
    const hit *x = a, *y = b;
    int64_t tx = w->evs[x->ev].time, ty = w->evs[y->ev].time;
    if (tx != ty)
        return tx < ty ? -1 : 1;
    return x->node - y->node;
}

/* ---------------------------------------------------------------- output */

static const char *id_class(const char *id)
{
    gs1_id g;
    nqi_error e = {0};
    if (gs1_parse(id, strlen(id), &g, &e))
        return "other";
    if (g.kind == GS1_KIND_GTIN)
        return g.serial[0] ? "item" : g.lot[0] ? "lot" : "product";
    if (g.kind == GS1_KIND_SSCC)
        return "logistic_unit";
    if (g.kind == GS1_KIND_GLN)
        return "location";
    if (g.kind == GS1_KIND_PGLN)
        return "party";
    return gs1_kind_name(g.kind);
}

static json_t *render_edges(walk *w)
{
    json_t *out = json_array();
    for (size_t i = 0; i < w->nedges; i++) {
        const edge_rec *x = &w->erecs[i];
        const event *e = &w->evs[x->ev];
        char *a = trace_id_format(w->nodes[x->from].id, w->o->fmt);
        char *b = trace_id_format(w->nodes[x->to].id, w->o->fmt);
        char t[48];
        json_array_append_new(out, json_pack("{s:s, s:s, s:s, s:s, s:s}", "from", a, "to", b,
                                             "type", x->type, "eventID", e->event_id, "eventTime",
                                             trace_time_local(e->time, e->tz, t, sizeof t)));
        free(a);
        free(b);
    }
    return out;
}

static json_t *render(walk *w, const char *const *starts, int nstarts)
{
    static const char *const kinds[] = {"material", "container", "place"};
    json_t *nodes = json_array(), *items = json_array(), *evs = json_array(), *st = json_array();
    char t1[48], t2[48];
    for (int i = 0; i < w->nn; i++) {
        node *n = &w->nodes[i];
        char *id = trace_id_format(n->id, w->o->fmt);
        json_t *o = json_pack("{s:s, s:s, s:s, s:i, s:b}", "id", id, "kind", kinds[n->kind],
                              "class", id_class(n->id), "depth", n->depth, "start", n->start);
        if (n->first_t != INT64_MAX) {
            json_object_set_new(o, "first_seen", json_string(time_iso8601(n->first_t, t1, 48)));
            json_object_set_new(o, "last_seen", json_string(time_iso8601(n->last_t, t2, 48)));
        }
        json_array_append(nodes, o);
        if (n->kind != K_PLACE)
            json_array_append(items, o);
        json_decref(o);
        free(id);
    }
    for (int i = 0; i < nstarts; i++) {
        char *id = trace_id_format(starts[i], w->o->fmt);
        json_array_append_new(st, json_string(id));
        free(id);
    }
    return json_pack("{s:s, s:o, s:o, s:o, s:o, s:o, s:b}", "direction",
                     w->o->dir == TRACE_FORWARD ? "forward" : "backward", "start", st, "nodes",
                     nodes, "edges", render_edges(w), "events", evs, "items", items,
                     "truncated", w->truncated);
}

static int cmp_ev_time(const void *a, const void *b, void *ctx)
{
    const walk *w = ctx;
    const event *x = &w->evs[*(const int *)a], *y = &w->evs[*(const int *)b];
    if (x->time != y->time)
        return x->time < y->time ? -1 : 1;
    return x->row < y->row ? -1 : x->row > y->row;
}

/* The events reached, in time order, with their documents when asked. */
static int render_events(walk *w, const char *seen, json_t *out, nqi_error *err)
{
    json_t *evs = json_object_get(out, "events");
    int *order = xcalloc((size_t)w->ne + 1, sizeof *order);
    int n = 0;
    for (int i = 0; i < w->ne; i++)
        if (seen[i])
            order[n++] = i;
    if (n)
        qsort_r(order, (size_t)n, sizeof *order, cmp_ev_time, w);
    for (int i = 0; i < n; i++) {
        const event *e = &w->evs[order[i]];
        char t[48];
        json_t *o = json_pack("{s:s, s:s, s:s?, s:s, s:s, s:s?, s:s?, s:s?, s:s?, s:b}",
                              "eventID", e->event_id, "type", e->type, "action", e->action,
                              "eventTime", trace_time_local(e->time, e->tz, t, sizeof t),
                              "eventTimeZoneOffset", e->tz, "bizStep", e->step, "disposition",
                              e->disp, "bizLocation", NULL, "readPoint", NULL, "public",
                              e->pub != 0);
        if (e->loc) {
            char *l = trace_id_format(e->loc, w->o->fmt);
            json_object_set_new(o, "bizLocation", json_string(l));
            free(l);
        }
        if (w->o->vis.all && e->owner)
            json_object_set_new(o, "owner", json_string(e->owner));
        json_array_append_new(evs, o);
    }
    int rc = 0;
    if (w->o->with_docs && n) {
        /* one query per batch of events: the documents, in fmt */
        for (int off = 0; !rc && off < n; off += BATCH) {
            int k = n - off < BATCH ? n - off : BATCH;
            int64_t rows[BATCH];
            for (int i = 0; i < k; i++)
                rows[i] = w->evs[order[off + i]].row;
            store_rows *r;
            rc = query_set(w,
                           "SELECT e.id, e.record_time, e.doc FROM %s "
                           "CROSS JOIN epcis_events e WHERE e.id = k.value",
                           rows, (size_t)k, NULL, 0, &r, err);
            if (rc)
                break;
            while ((rc = store_next(r)) == 1) {
                int64_t row = store_int(r, 0);
                for (int i = off; i < off + k; i++)
                    if (w->evs[order[i]].row == row) {
                        json_t *d = epcis_event_out(store_text(r, 2), store_int(r, 1), w->o->fmt);
                        if (d)
                            json_object_set_new(json_array_get(evs, (size_t)i), "doc", d);
                    }
            }
            rc = rc < 0 ? store_rows_error(r, err) : 0;
            store_rows_close(r);
        }
    }
    free(order);
    return rc;
}

static void walk_free(walk *w)
{
    for (int i = 0; i < w->nn; i++)
        free(w->nodes[i].id);
    free(w->nodes);
    intmap_free(&w->nidx);
    intmap_free(&w->eidx);
    strmap_free(&w->synth);
    strmap_free(&w->roles);
    for (int i = 0; i < w->nroles; i++)
        free(w->rolev[i]);
    free(w->rolev);
    strmap_free(&w->edges);
    free(w->erecs);
    for (int i = 0; i < w->ne; i++) {
        event *e = &w->evs[i];
        free(e->event_id), free(e->type), free(e->action), free(e->step), free(e->disp);
        free(e->loc), free(e->tz), free(e->owner);
        free(e->ids);
    }
    free(w->evs);
}

int trace_walk(store_conn *c, const trace_opts *o, json_t **out, nqi_error *err)
{
    *out = NULL;
    walk w = {.o = o, .c = c};
    int rc = plan_generic(c, true, err);
    if (rc)
        return rc;
    rc = reach_starts(&w, err);
    hit *hits = NULL;
    size_t caph = 0;
    char *seen = NULL;
    size_t nseen = 0;
    while (!rc) {
        int *front = xcalloc((size_t)w.nn + 1, sizeof *front);
        size_t nf = 0;
        for (int i = 0; i < w.nn; i++)
            if (w.nodes[i].queued && w.nodes[i].depth <= o->max_depth) {
                w.nodes[i].queued = false;
                front[nf++] = i;
            }
        if (!nf) {
            free(front);
            break;
        }
        size_t nh = 0;
        rc = load_hits(&w, front, nf, &hits, &nh, &caph, err);
        free(front);
        if (rc)
            break;
        seen = xrealloc(seen, (size_t)w.ne + 1);
        memset(seen + nseen, 0, (size_t)w.ne + 1 - nseen);
        nseen = (size_t)w.ne;
        /* in time order, both directions: a container's unpacking closes
         * its window before its later events are looked at */
        if (nh)
            qsort_r(hits, nh, sizeof *hits, cmp_hit_time, &w);
        size_t nd = 0;
        del *dels = deletes(&w, hits, nh, &nd);
        for (size_t i = 0; i < nh; i++)
            apply(&w, &hits[i], dels, nd, seen);
        free(dels);
    }
    free(hits);
    if (!rc)
        rc = name_nodes(&w, err);
    if (!rc) {
        *out = render(&w, o->ids, o->nids);
        rc = render_events(&w, seen ? seen : "", *out, err);
        if (rc) {
            json_decref(*out);
            *out = NULL;
        }
    }
    free(seen);
    walk_free(&w);
    nqi_error e2 = {0};
    int rc2 = plan_generic(c, false, rc ? &e2 : err);
    if (!rc && rc2) {
        json_decref(*out);
        *out = NULL;
        rc = rc2;
    }
    return rc;
}
