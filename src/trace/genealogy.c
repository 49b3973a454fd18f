/*
 * genealogy.c — backward and forward trace over epcis_event_ids by
 * iterative frontier expansion: each round loads, for every identifier of
 * the frontier at once (IN lists padded to powers of two, so a connection
 * prepares few statements), the events naming it, then every identifier of
 * those events, and applies the hop rules in C. Measured against the
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

#define BATCH 1024
#define MAX_NODES 200000

enum { K_MATERIAL = 0, K_CONTAINER = 1, K_PLACE = 2 };

typedef struct node {
    char *id;
    int kind, depth;
    bool start, queued;
    int64_t from, until;
    int64_t first_t, last_t; /* times of the events seen for it */
} node;

typedef struct idrow {
    char *role, *ident;
} idrow;

typedef struct event {
    int64_t row, time;
    char *event_id, *type, *action, *step, *disp, *loc, *rp, *tz, *owner;
    int pub;
    bool dead; /* filtered out (declared erroneous, outside the window, not visible) */
    idrow *ids;
    int nids, capids;
} event;

typedef struct hmap {
    char **keys;
    int *vals;
    size_t cap, n;
} hmap;

typedef struct walk {
    const trace_opts *o;
    store_conn *c;
    node *nodes;
    int nn, capn;
    hmap nidx;
    event *evs;
    int ne, cape;
    int64_t *evrow; /* open addressing on row id -> event index + 1 */
    int *evslot;
    size_t evcap;
    hmap edges; /* "from\x1fto\x1ftype\x1fevent" */
    json_t *jedges;
    bool truncated;
} walk;

/* ---------------------------------------------------------------- maps */

static uint64_t hash_str(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

static void hmap_grow(hmap *m);

/* Index of key, or -1; with insert, inserts val when absent and returns it. */
static int hmap_get(hmap *m, const char *key, bool insert, int val)
{
    if (insert && (m->n + 1) * 2 > m->cap)
        hmap_grow(m);
    if (!m->cap)
        return -1;
    size_t i = hash_str(key) & (m->cap - 1);
    while (m->keys[i]) {
        if (!strcmp(m->keys[i], key))
            return m->vals[i];
        i = (i + 1) & (m->cap - 1);
    }
    if (!insert)
        return -1;
    m->keys[i] = xstrdup(key);
    m->vals[i] = val;
    m->n++;
    return val;
}

static void hmap_grow(hmap *m)
{
    hmap o = *m;
    m->cap = o.cap ? o.cap * 2 : 256;
    m->keys = xcalloc(m->cap, sizeof *m->keys);
    m->vals = xcalloc(m->cap, sizeof *m->vals);
    m->n = 0;
    for (size_t i = 0; i < o.cap; i++)
        if (o.keys[i]) {
            hmap_get(m, o.keys[i], true, o.vals[i]);
            free(o.keys[i]);
        }
    free(o.keys);
    free(o.vals);
}

static void hmap_free(hmap *m)
{
    for (size_t i = 0; i < m->cap; i++)
        free(m->keys[i]);
    free(m->keys);
    free(m->vals);
}

static int ev_find(walk *w, int64_t row, bool insert)
{
    if (insert && ((size_t)w->ne + 1) * 2 > w->evcap) {
        size_t oc = w->evcap;
        int64_t *orow = w->evrow;
        int *oslot = w->evslot;
        w->evcap = oc ? oc * 2 : 1024;
        w->evrow = xcalloc(w->evcap, sizeof *w->evrow);
        w->evslot = xcalloc(w->evcap, sizeof *w->evslot);
        for (size_t i = 0; i < oc; i++)
            if (oslot[i]) {
                size_t j = (uint64_t)orow[i] * 11400714819323198485ULL & (w->evcap - 1);
                while (w->evslot[j])
                    j = (j + 1) & (w->evcap - 1);
                w->evrow[j] = orow[i];
                w->evslot[j] = oslot[i];
            }
        free(orow);
        free(oslot);
    }
    if (!w->evcap)
        return -1;
    size_t j = (uint64_t)row * 11400714819323198485ULL & (w->evcap - 1);
    while (w->evslot[j]) {
        if (w->evrow[j] == row)
            return w->evslot[j] - 1;
        j = (j + 1) & (w->evcap - 1);
    }
    if (!insert)
        return -1;
    if (w->ne == w->cape) {
        w->cape = w->cape ? w->cape * 2 : 256;
        w->evs = xrealloc(w->evs, (size_t)w->cape * sizeof *w->evs);
    }
    memset(&w->evs[w->ne], 0, sizeof w->evs[0]);
    w->evs[w->ne].row = row;
    w->evrow[j] = row;
    w->evslot[j] = ++w->ne;
    return w->ne - 1;
}

/* ---------------------------------------------------------------- nodes */

/* Reach id: create it or widen its window. Returns the node index, and
 * queues it for expansion when it is new or its window grew. */
static int reach(walk *w, const char *id, int kind, int depth, int64_t from, int64_t until)
{
    int i = hmap_get(&w->nidx, id, false, 0);
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
        hmap_get(&w->nidx, id, true, i);
        w->nodes[i] = (node){.id = xstrdup(id), .kind = kind, .depth = depth, .from = from,
                             .until = until, .first_t = INT64_MAX, .last_t = INT64_MIN,
                             .queued = kind != K_PLACE};
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
    if (wider)
        n->queued = true;
    return i;
}

static void edge(walk *w, int from, int to, const char *type, const event *e)
{
    if (from < 0 || to < 0 || from == to)
        return;
    char *key = xasprintf("%d\x1f%d\x1f%s\x1f%lld", from, to, type, (long long)e->row);
    if (hmap_get(&w->edges, key, false, 0) < 0) {
        hmap_get(&w->edges, key, true, 1);
        char *a = trace_id_format(w->nodes[from].id, w->o->fmt);
        char *b = trace_id_format(w->nodes[to].id, w->o->fmt);
        char t[48];
        json_array_append_new(w->jedges,
                              json_pack("{s:s, s:s, s:s, s:s, s:s}", "from", a, "to", b, "type",
                                        type, "eventID", e->event_id, "eventTime",
                                        trace_time_local(e->time, e->tz, t, sizeof t)));
        free(a);
        free(b);
    }
    free(key);
}

/* ---------------------------------------------------------------- loading */

static const char *vis_sql(const trace_vis *v)
{
    return v->all ? "" : v->public_only ? " AND e.public = 1" : " AND (e.public = 1 OR e.owner_org = ?)";
}

static char *dupn(store_rows *r, int col)
{
    const char *s = store_text(r, col);
    return s ? xstrdup(s) : NULL;
}

/* (ident, role, event index) of one frontier round. */
typedef struct hit {
    int node, ev;
    char *role;
} hit;

static size_t pad(size_t n)
{
    size_t p = 1;
    while (p < n)
        p *= 2;
    return p;
}

static char *in_list(size_t n)
{
    buf b;
    buf_init(&b, 0);
    for (size_t i = 0; i < n; i++)
        buf_puts(&b, i ? ", ?" : "?");
    return buf_steal(&b);
}

/* Load the events naming frontier[0..n) into w->evs and hits, in two
 * index-driven steps: the identifier rows (index (ident, role)), then the
 * events not seen before by primary key, filtered (error declarations,
 * time window, visibility). One joined statement let the planners start
 * from epcis_events — SQLite with a time-index scan (bound parameters hide
 * that the window is unbounded), PostgreSQL with a hash join over the whole
 * table: 0.3 s per frontier batch at 1M events. Filtered-out events stay in
 * the map as dead so they are not fetched again. */
typedef struct raw {
    int node, ev;
    char *role;
} raw;

static int load_events(walk *w, const int *todo, size_t n, nqi_error *err)
{
    const trace_vis *v = &w->o->vis;
    size_t m = pad(n);
    char *in = in_list(m);
    char *sql = xasprintf(
        "SELECT id, event_id, event_type, action, event_time, event_tz, biz_step, disposition, "
        "biz_location, read_point, owner_org, public FROM epcis_events e WHERE id IN (%s) "
        "AND error_declared_at IS NULL AND +event_time >= ? AND +event_time <= ?%s",
        in, vis_sql(v));
    free(in);
    store_val *p = xcalloc(m + 3, sizeof *p);
    for (size_t i = 0; i < m; i++)
        p[i] = SV_INT(w->evs[todo[i < n ? i : n - 1]].row);
    int np = (int)m;
    p[np++] = SV_INT(w->o->from_ms);
    p[np++] = SV_INT(w->o->to_ms);
    if (!v->all && !v->public_only)
        p[np++] = SV_TEXT(v->org ? v->org : "");
    store_rows *r;
    int rc = store_query(w->c, sql, p, np, &r, err);
    free(sql);
    free(p);
    if (rc)
        return rc;
    while ((rc = store_next(r)) == 1) {
        int ei = ev_find(w, store_int(r, 0), false);
        if (ei < 0 || !w->evs[ei].dead)
            continue;
        event *e = &w->evs[ei];
        e->dead = false;
        e->event_id = dupn(r, 1);
        e->type = dupn(r, 2);
        e->action = dupn(r, 3);
        e->time = store_int(r, 4);
        e->tz = dupn(r, 5);
        e->step = dupn(r, 6);
        e->disp = dupn(r, 7);
        e->loc = dupn(r, 8);
        e->rp = dupn(r, 9);
        e->owner = dupn(r, 10);
        e->pub = (int)store_int(r, 11);
        e->capids = -1; /* ids not loaded yet */
    }
    rc = rc < 0 ? store_rows_error(r, err) : 0;
    store_rows_close(r);
    return rc;
}

static int load_hits(walk *w, const int *front, size_t n, hit **hits, size_t *nh, size_t *caph,
                     nqi_error *err)
{
    size_t m = pad(n);
    char *in = in_list(m);
    char *sql = xasprintf("SELECT ident, role, event FROM epcis_event_ids WHERE ident IN (%s) "
                          "AND role IN ('epc', 'parent', 'child', 'input', 'output')",
                          in);
    free(in);
    store_val *p = xcalloc(m, sizeof *p);
    for (size_t i = 0; i < m; i++)
        p[i] = SV_TEXT(w->nodes[front[i < n ? i : n - 1]].id);
    store_rows *r;
    int rc = store_query(w->c, sql, p, (int)m, &r, err);
    free(sql);
    free(p);
    if (rc)
        return rc;
    raw *raws = NULL;
    int *todo = NULL;
    size_t nr = 0, capr = 0, nt = 0;
    while ((rc = store_next(r)) == 1) {
        int ni = hmap_get(&w->nidx, store_text(r, 0), false, 0);
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
        if (nr == capr) {
            capr = capr ? capr * 2 : 256;
            raws = xrealloc(raws, capr * sizeof *raws);
        }
        raws[nr++] = (raw){ni, ei, xstrdup(store_text(r, 1))};
    }
    rc = rc < 0 ? store_rows_error(r, err) : 0;
    store_rows_close(r);
    for (size_t off = 0; !rc && off < nt; off += BATCH)
        rc = load_events(w, todo + off, nt - off < BATCH ? nt - off : BATCH, err);
    for (size_t i = 0; i < nr; i++) {
        if (rc || w->evs[raws[i].ev].dead) {
            free(raws[i].role);
            continue;
        }
        if (*nh == *caph) {
            *caph = *caph ? *caph * 2 : 256;
            *hits = xrealloc(*hits, *caph * sizeof **hits);
        }
        (*hits)[(*nh)++] = (hit){raws[i].node, raws[i].ev, raws[i].role};
    }
    free(raws);
    free(todo);
    return rc;
}

/* Load every identifier of the events whose ids are not loaded yet. */
static int load_ids(walk *w, nqi_error *err)
{
    int *todo = xcalloc((size_t)w->ne + 1, sizeof *todo);
    size_t nt = 0;
    for (int i = 0; i < w->ne; i++)
        if (w->evs[i].capids < 0) {
            w->evs[i].capids = 0;
            todo[nt++] = i;
        }
    int rc = 0;
    for (size_t off = 0; !rc && off < nt; off += BATCH) {
        size_t n = nt - off < BATCH ? nt - off : BATCH, m = pad(n);
        char *in = in_list(m);
        char *sql = xasprintf("SELECT event, role, ident FROM epcis_event_ids WHERE event IN (%s)",
                              in);
        free(in);
        store_val *p = xcalloc(m, sizeof *p);
        for (size_t i = 0; i < m; i++)
            p[i] = SV_INT(w->evs[todo[off + (i < n ? i : n - 1)]].row);
        store_rows *r;
        rc = store_query(w->c, sql, p, (int)m, &r, err);
        free(sql);
        free(p);
        if (rc)
            break;
        while ((rc = store_next(r)) == 1) {
            int ei = ev_find(w, store_int(r, 0), false);
            if (ei < 0)
                continue;
            event *e = &w->evs[ei];
            if (e->nids == e->capids) {
                e->capids = e->capids ? e->capids * 2 : 8;
                e->ids = xrealloc(e->ids, (size_t)e->capids * sizeof *e->ids);
            }
            e->ids[e->nids++] = (idrow){xstrdup(store_text(r, 1)), xstrdup(store_text(r, 2))};
        }
        rc = rc < 0 ? store_rows_error(r, err) : 0;
        store_rows_close(r);
    }
    free(todo);
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
    const char *parent;
    int64_t t;
} del;

static int cmp_del(const void *a, const void *b)
{
    const del *x = a, *y = b;
    if (x->node != y->node)
        return x->node < y->node ? -1 : 1;
    int c = strcmp(x->parent, y->parent);
    if (c)
        return c;
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
static int64_t delete_after(const del *d, size_t nd, int child, const char *parent, int64_t t)
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
    return lo < nd && d[lo].node == child && !strcmp(d[lo].parent, parent) ? d[lo].t : INT64_MAX;
}

/* Places of an event: biz location, sources, destinations. */
static void places(walk *w, int ni, const event *e)
{
    int d = w->nodes[ni].depth + 1;
    if (e->loc) {
        int p = reach(w, e->loc, K_PLACE, d, 0, 0);
        edge(w, ni, p, "at", e);
    }
    for (int k = 0; k < e->nids; k++) {
        const idrow *x = &e->ids[k];
        if (!strncmp(x->role, "source:", 7)) {
            int p = reach(w, x->ident, K_PLACE, d, 0, 0);
            edge(w, p, ni, x->role, e);
        } else if (!strncmp(x->role, "destination:", 12)) {
            int p = reach(w, x->ident, K_PLACE, d, 0, 0);
            edge(w, ni, p, x->role, e);
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
    places(w, ni, e); /* may move w->nodes: n is not used below */
    bool deep = d <= w->o->max_depth;
    if (!strcmp(e->type, "TransformationEvent") && kind == K_MATERIAL && deep) {
        const char *want = fwd ? "input" : "output", *other = fwd ? "output" : "input";
        if (strcmp(role, want))
            return;
        for (int k = 0; k < e->nids; k++) {
            if (strcmp(e->ids[k].role, other))
                continue;
            int o = fwd ? reach(w, e->ids[k].ident, K_MATERIAL, d, e->time, INT64_MAX)
                        : reach(w, e->ids[k].ident, K_MATERIAL, d, INT64_MIN, e->time);
            if (fwd)
                edge(w, ni, o, "transformation", e);
            else
                edge(w, o, ni, "transformation", e);
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
            int p = reach(w, e->ids[k].ident, K_CONTAINER, d, e->time, end);
            edge(w, ni, p, e->type[1] == 's' ? "association" : "aggregation", e);
        }
    } else if (!strcmp(role, "parent") && del && !has_role(e, "child")) {
        /* the whole container unpacked: its window closes here */
        if (kind == K_CONTAINER && e->time < w->nodes[ni].until && e->time >= from)
            w->nodes[ni].until = e->time;
    } else if (!strcmp(role, "parent") && add && start && deep) {
        for (int k = 0; k < e->nids; k++) {
            if (strcmp(e->ids[k].role, "child"))
                continue;
            int c = fwd ? reach(w, e->ids[k].ident, K_MATERIAL, d, e->time, INT64_MAX)
                        : reach(w, e->ids[k].ident, K_MATERIAL, d, INT64_MIN, until);
            edge(w, c, ni, e->type[1] == 's' ? "association" : "aggregation", e);
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
                     nodes, "edges", json_incref(w->jedges), "events", evs, "items", items,
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
            int k = n - off < BATCH ? n - off : BATCH, m = (int)pad((size_t)k);
            char *in = in_list((size_t)m);
            char *sql = xasprintf("SELECT id, record_time, doc FROM epcis_events WHERE id IN (%s)",
                                  in);
            free(in);
            store_val *p = xcalloc((size_t)m, sizeof *p);
            for (int i = 0; i < m; i++)
                p[i] = SV_INT(w->evs[order[off + (i < k ? i : k - 1)]].row);
            store_rows *r;
            rc = store_query(w->c, sql, p, m, &r, err);
            free(sql);
            free(p);
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
    hmap_free(&w->nidx);
    hmap_free(&w->edges);
    for (int i = 0; i < w->ne; i++) {
        event *e = &w->evs[i];
        free(e->event_id), free(e->type), free(e->action), free(e->step), free(e->disp);
        free(e->loc), free(e->rp), free(e->tz), free(e->owner);
        for (int k = 0; k < e->nids; k++)
            free(e->ids[k].role), free(e->ids[k].ident);
        free(e->ids);
    }
    free(w->evs);
    free(w->evrow);
    free(w->evslot);
    json_decref(w->jedges);
}

int trace_walk(store_conn *c, const trace_opts *o, json_t **out, nqi_error *err)
{
    *out = NULL;
    walk w = {.o = o, .c = c, .jedges = json_array()};
    for (int i = 0; i < o->nids; i++) {
        int ni = reach(&w, o->ids[i], K_MATERIAL, 0, INT64_MIN, INT64_MAX);
        if (ni >= 0)
            w.nodes[ni].start = true;
    }
    int rc = 0;
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
        for (size_t off = 0; !rc && off < nf; off += BATCH)
            rc = load_hits(&w, front + off, nf - off < BATCH ? nf - off : BATCH, &hits, &nh,
                           &caph, err);
        free(front);
        if (!rc)
            rc = load_ids(&w, err);
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
        for (size_t i = 0; i < nh; i++)
            free(hits[i].role);
    }
    free(hits);
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
    return rc;
}
