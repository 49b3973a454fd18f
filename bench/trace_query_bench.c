/*
 * trace_query_bench.c — the read side of the EPCIS repository at scale:
 * query latency (MATCH_anyEPC; a one-day window + bizStep), backward and
 * forward traces of 10-hop lineages, and the recall scope of a lot with
 * 10,000 descendants, over ~1,000,000 events, on SQLite or PostgreSQL.
 *
 *   cc -std=gnu11 -O2 -Isrc -Ibuild/gen $(pkg-config --cflags libpq) \
 *      -o build/trace_query_bench bench/trace_query_bench.c build/libnqi.a \
 *      $(pkg-config --libs libmicrohttpd jansson sqlite3 libpq libsodium libxml-2.0) \
 *      -lxlsxwriter -lqrencode -lpng -lpthread -lm
 *   build/trace_query_bench gen DBURL [LINEAGES]   write the network (empty database)
 *   build/trace_query_bench run DBURL [LINEAGES]   measure
 *   build/trace_query_bench recall|traces DBURL [LINEAGES]   only those
 *
 * The network (deterministic, xorshift): LINEAGES lineages (default 18,000)
 * of 11 lots each — a farm lot harvested (ObjectEvent ADD) and then 10
 * processing steps (TransformationEvent lot k-1 -> lot k, with a second
 * input from another lineage's lot k-1 one time in ten: blending), each
 * lot packed onto a pallet (AggregationEvent ADD, SSCC), shipped, received
 * and unpacked at the next site, the last lot sold — 56 events a lineage,
 * 1,008,000 for 18,000. Plus one suspect salt lot used in 100 brine lots,
 * each split into 100 retail lots: 10,100 descendants (+ 1,000 pallets).
 * Identifiers are canonical Digital Links with valid check digits (GTINs
 * of company prefix 9506000, SSCCs, GLNs). Rows go in with multi-row
 * INSERTs and explicit ids (a generator, not the capture path), straight
 * into epcis_idents and epcis_event_refs (0012; the epcis_event_ids view's
 * triggers cost a lookup per row).
 * Figures: docs/benchmarks.md, "Traceability: query, genealogy, recall".
 */
#define _GNU_SOURCE
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/store.h"
#include "core/util.h"
#include "trace/gs1.h"
#include "trace/query.h"

#define HOPS 10
#define EV_BATCH 100
#define ID_BATCH 400
#define T0 1790000000000LL /* 2026-09-21 */
#define DAY 86400000LL

static uint64_t rng = 88172645463325252ULL;
static uint64_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

/* CPU time of this process: on a shared machine wall time mostly measures
 * the neighbours. With SQLite it includes the database work; with
 * PostgreSQL the server's share is not in it. */
static double cpu_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

static double cpu_ms_last; /* CPU ms of the last run_* call */

/* ---------------------------------------------------------------- identifiers */

static void gtin(int product, char out[15])
{
    snprintf(out, 15, "09506%08d", product); /* 13 digits + check */
    out[13] = (char)('0' + gs1_check_digit(out, 13));
    out[14] = 0;
}

static void lot_id(int lineage, int k, char *out, size_t n)
{
    char g[15];
    gtin(1000 + k, g);
    snprintf(out, n, "https://id.gs1.org/01/%s/10/L%06dK%02d", g, lineage, k);
}

static void sscc(int64_t serial, char *out, size_t n)
{
    char d[40];
    snprintf(d, sizeof d, "39506000%09lld", (long long)(serial % 1000000000));
    d[17] = (char)('0' + gs1_check_digit(d, 17));
    d[18] = 0;
    snprintf(out, n, "https://id.gs1.org/00/%s", d);
}

static void gln(int site, char *out, size_t n)
{
    char d[32];
    snprintf(d, sizeof d, "95060%07d", site % 10000000);
    d[12] = (char)('0' + gs1_check_digit(d, 12));
    d[13] = 0;
    snprintf(out, n, "https://id.gs1.org/414/%s", d);
}

/* ---------------------------------------------------------------- writer */

static uint64_t hash_text(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

typedef struct gen {
    store_conn *c;
    int64_t next_id;
    /* pending event rows */
    int ne;
    int64_t ev_id[EV_BATCH], ev_t[EV_BATCH];
    char *ev_type[EV_BATCH], *ev_action[EV_BATCH], *ev_step[EV_BATCH], *ev_loc[EV_BATCH],
        *ev_doc[EV_BATCH], *ev_eid[EV_BATCH];
    /* pending reference rows, and identifiers new since the last flush */
    int ni;
    int64_t id_ev[ID_BATCH], id_num[ID_BATCH];
    char *id_role[ID_BATCH];
    int id_cls[ID_BATCH];
    int id_seq[ID_BATCH]; /* position in its event (primary key with ident, role, event) */
    int nnew;
    int64_t new_num[ID_BATCH];
    char *new_text[ID_BATCH];
    /* identifier text -> number (open addressing) */
    char **keys;
    int64_t *nums;
    size_t cap, nkeys;
    int64_t total_events, total_ids;
} gen;

static void die(const nqi_error *e)
{
    fprintf(stderr, "trace_query_bench: %s\n", e->message);
    exit(1);
}

static void flush_events(gen *g)
{
    if (!g->ne)
        return;
    buf sql;
    buf_init(&sql, 0);
    buf_puts(&sql, "INSERT INTO epcis_events (id, event_id, event_hash, event_type, action, "
                   "event_time, event_tz, record_time, biz_step, disposition, biz_location, "
                   "read_point, owner_org, public, doc) VALUES ");
    store_val *p = xcalloc((size_t)g->ne * 15, sizeof *p);
    int np = 0;
    for (int i = 0; i < g->ne; i++) {
        buf_puts(&sql, i ? ", (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                         : "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
        p[np++] = SV_INT(g->ev_id[i]);
        p[np++] = SV_TEXT(g->ev_eid[i]);
        p[np++] = SV_TEXT(g->ev_eid[i]);
        p[np++] = SV_TEXT(g->ev_type[i]);
        p[np++] = SV_TEXT(g->ev_action[i]);
        p[np++] = SV_INT(g->ev_t[i]);
        p[np++] = SV_TEXT("+08:00");
        p[np++] = SV_INT(g->ev_t[i] + 60000);
        p[np++] = SV_TEXT(g->ev_step[i]);
        p[np++] = SV_TEXT(NULL);
        p[np++] = SV_TEXT(g->ev_loc[i]);
        p[np++] = SV_TEXT(g->ev_loc[i]);
        p[np++] = SV_TEXT("91230184MA1B2C3E53");
        p[np++] = SV_INT(1);
        p[np++] = SV_TEXT(g->ev_doc[i]);
    }
    nqi_error e = {0};
    if (store_exec(g->c, sql.data, p, np, NULL, &e))
        die(&e);
    buf_free(&sql);
    free(p);
    for (int i = 0; i < g->ne; i++)
        free(g->ev_doc[i]), free(g->ev_eid[i]), free(g->ev_loc[i]);
    g->total_events += g->ne;
    g->ne = 0;
}

/* The number of an identifier, numbered in order of first sight as
 * capture does; a new one is queued for epcis_idents. */
static int64_t ident_num(gen *g, const char *text)
{
    if ((g->nkeys + 1) * 2 > g->cap) {
        size_t oc = g->cap;
        char **ok = g->keys;
        int64_t *on = g->nums;
        g->cap = oc ? oc * 2 : 1 << 16;
        g->keys = xcalloc(g->cap, sizeof *g->keys);
        g->nums = xcalloc(g->cap, sizeof *g->nums);
        for (size_t i = 0; i < oc; i++)
            if (ok[i]) {
                size_t j = hash_text(ok[i]) & (g->cap - 1);
                while (g->keys[j])
                    j = (j + 1) & (g->cap - 1);
                g->keys[j] = ok[i];
                g->nums[j] = on[i];
            }
        free(ok);
        free(on);
    }
    size_t j = hash_text(text) & (g->cap - 1);
    while (g->keys[j]) {
        if (!strcmp(g->keys[j], text))
            return g->nums[j];
        j = (j + 1) & (g->cap - 1);
    }
    g->keys[j] = xstrdup(text);
    g->nums[j] = (int64_t)++g->nkeys;
    g->new_num[g->nnew] = g->nums[j];
    g->new_text[g->nnew++] = g->keys[j];
    return g->nums[j];
}

static void flush_ids(gen *g)
{
    if (!g->ni)
        return;
    flush_events(g); /* foreign keys: events and identifiers first */
    nqi_error e = {0};
    buf sql;
    buf_init(&sql, 0);
    store_val *p = xcalloc((size_t)g->ni * 5, sizeof *p);
    int np = 0;
    if (g->nnew) {
        buf_puts(&sql, "INSERT INTO epcis_idents (id, ident) VALUES ");
        for (int i = 0; i < g->nnew; i++) {
            buf_puts(&sql, i ? ", (?, ?)" : "(?, ?)");
            p[np++] = SV_INT(g->new_num[i]);
            p[np++] = SV_TEXT(g->new_text[i]);
        }
        if (store_exec(g->c, sql.data, p, np, NULL, &e))
            die(&e);
        g->nnew = 0;
        np = 0;
        buf_free(&sql);
        buf_init(&sql, 0);
    }
    buf_puts(&sql, "INSERT INTO epcis_event_refs (event, ident, role, is_class, seq) VALUES ");
    for (int i = 0; i < g->ni; i++) {
        buf_puts(&sql, i ? ", (?, ?, ?, ?, ?)" : "(?, ?, ?, ?, ?)");
        p[np++] = SV_INT(g->id_ev[i]);
        p[np++] = SV_INT(g->id_num[i]);
        p[np++] = SV_TEXT(g->id_role[i]);
        p[np++] = SV_INT(g->id_cls[i]);
        p[np++] = SV_INT(g->id_seq[i]);
    }
    if (store_exec(g->c, sql.data, p, np, NULL, &e))
        die(&e);
    buf_free(&sql);
    free(p);
    g->total_ids += g->ni;
    g->ni = 0;
}

/* One event: type, action, step, time, location, and (role, ident, class)
 * triples terminated by NULL. */
static void event(gen *g, const char *type, const char *action, const char *step, int64_t t,
                  const char *loc, ...)
{
    if (g->ne == EV_BATCH)
        flush_events(g);
    int64_t id = g->next_id++;
    buf doc;
    buf_init(&doc, 0);
    char ts[40];
    trace_time_local(t, "+08:00", ts, sizeof ts);
    buf_printf(&doc,
               "{\"type\":\"%s\",\"eventID\":\"urn:uuid:bench-%lld\",\"eventTime\":\"%s\","
               "\"eventTimeZoneOffset\":\"+08:00\"%s%s%s,\"bizStep\":\"%s\","
               "\"bizLocation\":{\"id\":\"%s\"},\"readPoint\":{\"id\":\"%s\"}",
               type, (long long)id, ts, action ? ",\"action\":\"" : "", action ? action : "",
               action ? "\"" : "", step, loc, loc);
    va_list ap;
    va_start(ap, loc);
    const char *role, *roles[32], *idents[32];
    int cls[32], n = 0;
    while ((role = va_arg(ap, const char *)) && n < 32) {
        roles[n] = role;
        idents[n] = va_arg(ap, const char *);
        cls[n] = va_arg(ap, int);
        buf_printf(&doc, ",\"%s%s\":\"%s\"", role, cls[n] ? "Class" : "", idents[n]);
        n++;
    }
    va_end(ap);
    buf_puts(&doc, "}");
    int i = g->ne++;
    g->ev_id[i] = id;
    g->ev_t[i] = t;
    g->ev_type[i] = (char *)type;
    g->ev_action[i] = (char *)action;
    g->ev_step[i] = (char *)step;
    g->ev_loc[i] = xstrdup(loc);
    g->ev_doc[i] = buf_steal(&doc);
    g->ev_eid[i] = xasprintf("urn:uuid:bench-%lld", (long long)id);
    for (int k = 0; k < n; k++) { /* after the event row: flush_ids writes events first */
        if (g->ni == ID_BATCH)
            flush_ids(g);
        g->id_ev[g->ni] = id;
        g->id_role[g->ni] = (char *)roles[k];
        g->id_num[g->ni] = ident_num(g, idents[k]);
        g->id_cls[g->ni] = cls[k];
        g->id_seq[g->ni] = k;
        g->ni++;
    }
}

/* Pack, ship, receive, unpack one lot at hop k (pallet serial s). */
static void logistics(gen *g, const char *lot, int64_t serial, int64_t t, int site)
{
    char pal[64], from[64], to[64];
    sscc(serial, pal, sizeof pal);
    gln(site, from, sizeof from);
    gln(site + 1, to, sizeof to);
    event(g, "AggregationEvent", "ADD", "packing", t + 3600000, from, "parent", pal, 0, "child",
          lot, 1, (char *)NULL);
    event(g, "ObjectEvent", "OBSERVE", "shipping", t + 7200000, from, "epc", pal, 0,
          "source:location", from, 0, "destination:location", to, 0, (char *)NULL);
    event(g, "ObjectEvent", "OBSERVE", "receiving", t + 5 * 3600000, to, "epc", pal, 0,
          "source:location", from, 0, "destination:location", to, 0, (char *)NULL);
    event(g, "AggregationEvent", "DELETE", "unpacking", t + 6 * 3600000, to, "parent", pal, 0,
          (char *)NULL);
}

static void generate(store_conn *c, int lineages)
{
    gen g = {.c = c, .next_id = 1};
    nqi_error e = {0};
    double t0 = now_s();
    if (store_begin(c, true, &e))
        die(&e);
    char a[128], b[128], o[128], loc[64];
    int64_t serial = 1;
    for (int j = 0; j < lineages; j++) {
        /* 60 start days; within a day lineages 37 s apart, so no two events
         * of a kind share a timestamp (ties made the index useless for
         * orderBy=eventTime + LIMIT in the first version) */
        int64_t t = T0 + (int64_t)(j % 60) * DAY + (int64_t)(j / 60) * 37000;
        lot_id(j, 0, a, sizeof a);
        gln(10 * (j % 500), loc, sizeof loc);
        event(&g, "ObjectEvent", "ADD", "creating_class_instance", t, loc, "epc", a, 1,
              (char *)NULL);
        logistics(&g, a, serial++, t, 10 * (j % 500));
        for (int k = 1; k <= HOPS; k++) {
            lot_id(j, k - 1, a, sizeof a);
            lot_id(j, k, o, sizeof o);
            int64_t tk = t + (int64_t)k * DAY;
            gln(10 * (j % 500) + k, loc, sizeof loc);
            if (j > 0 && rnd() % 10 == 0) { /* blending with another lineage's lot */
                lot_id((int)(rnd() % (uint64_t)j), k - 1, b, sizeof b);
                event(&g, "TransformationEvent", NULL, "commissioning", tk, loc, "input", a, 1,
                      "input", b, 1, "output", o, 1, (char *)NULL);
            } else {
                event(&g, "TransformationEvent", NULL, "commissioning", tk, loc, "input", a, 1,
                      "output", o, 1, (char *)NULL);
            }
            logistics(&g, o, serial++, tk, 10 * (j % 500) + k);
        }
        gln(10 * (j % 500) + HOPS + 1, loc, sizeof loc);
        event(&g, "ObjectEvent", "OBSERVE", "retail_selling", t + (HOPS + 1) * DAY, loc, "epc", o,
              1, (char *)NULL);
        if (j % 2000 == 1999) {
            flush_ids(&g);
            if (store_commit(c, &e) || store_begin(c, true, &e))
                die(&e);
            fprintf(stderr, "\r%d lineages, %lld events, %.0f s", j + 1,
                    (long long)g.total_events, now_s() - t0);
        }
    }
    /* the suspect salt lot: 100 brine lots x 100 retail lots */
    char salt[128], brine[128], retail[128], pal[64];
    snprintf(salt, sizeof salt, "https://id.gs1.org/01/09506000134352/10/SALT-SUSPECT");
    gln(9000, loc, sizeof loc);
    event(&g, "ObjectEvent", "ADD", "creating_class_instance", T0, loc, "epc", salt, 1,
          (char *)NULL);
    for (int m = 0; m < 100; m++) {
        snprintf(brine, sizeof brine, "https://id.gs1.org/01/09506000134369/10/BRINE%03d", m);
        event(&g, "TransformationEvent", NULL, "commissioning", T0 + DAY + m * 60000LL, loc,
              "input", salt, 1, "output", brine, 1, (char *)NULL);
        for (int r = 0; r < 100; r += 10) {
            /* one transformation makes 10 retail lots; one pallet carries them */
            char outs[10][128];
            for (int q = 0; q < 10; q++)
                snprintf(outs[q], sizeof outs[q],
                         "https://id.gs1.org/01/09506000134352/10/R%03d-%03d", m, r + q);
            event(&g, "TransformationEvent", NULL, "commissioning", T0 + 2 * DAY + m * 60000LL,
                  loc, "input", brine, 1, "output", outs[0], 1, "output", outs[1], 1, "output",
                  outs[2], 1, "output", outs[3], 1, "output", outs[4], 1, "output", outs[5], 1,
                  "output", outs[6], 1, "output", outs[7], 1, "output", outs[8], 1, "output",
                  outs[9], 1, (char *)NULL);
            sscc(serial++, pal, sizeof pal);
            event(&g, "AggregationEvent", "ADD", "packing", T0 + 3 * DAY, loc, "parent", pal, 0,
                  "child", outs[0], 1, "child", outs[1], 1, "child", outs[2], 1, "child", outs[3],
                  1, "child", outs[4], 1, "child", outs[5], 1, "child", outs[6], 1, "child",
                  outs[7], 1, "child", outs[8], 1, "child", outs[9], 1, (char *)NULL);
            char to[64];
            gln(9001 + r, to, sizeof to);
            event(&g, "ObjectEvent", "OBSERVE", "shipping", T0 + 4 * DAY, loc, "epc", pal, 0,
                  "destination:location", to, 0, (char *)NULL);
        }
    }
    (void)retail;
    flush_ids(&g);
    if (store_commit(c, &e))
        die(&e);
    if (store_kind(store_conn_store(c)) == STORE_PG) {
        store_exec(c, "SELECT setval('epcis_events_id_seq', (SELECT MAX(id) FROM epcis_events))",
                   NULL, 0, NULL, &e);
        store_exec(c, "SELECT setval('epcis_idents_id_seq', (SELECT MAX(id) FROM epcis_idents))",
                   NULL, 0, NULL, &e);
        /* what autovacuum does minutes after a bulk load (visibility map for
         * index-only scans), done now so the measurements do not race it */
        if (store_exec(c, "VACUUM (ANALYZE)", NULL, 0, NULL, &e))
            die(&e);
    } else {
        store_exec(c, "ANALYZE", NULL, 0, NULL, &e);
    }
    fprintf(stderr, "\n%lld events, %lld identifier rows in %.1f s\n", (long long)g.total_events,
            (long long)g.total_ids, now_s() - t0);
}

/* ---------------------------------------------------------------- measuring */

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double cpu[256];

static void report(const char *what, double *ms, int n, const char *extra)
{
    qsort(ms, (size_t)n, sizeof *ms, cmp_d);
    qsort(cpu, (size_t)n, sizeof *cpu, cmp_d);
    int p99 = (int)(n * 0.99) < n ? (int)(n * 0.99) : n - 1;
    double sum = 0;
    for (int i = 0; i < n; i++)
        sum += ms[i];
    printf("%-42s n=%-3d wall p50 %7.2f p99 %7.2f max %7.2f ms | cpu p50 %7.2f p99 %7.2f  %s\n",
           what, n, ms[n / 2], ms[p99], ms[n - 1], cpu[n / 2], cpu[p99], extra ? extra : "");
    (void)sum;
}

static double run_query(store_conn *c, epcis_param *ps, int n, int *count)
{
    trace_vis all = {.all = true};
    epcis_query *q;
    json_t *ev;
    nqi_error e = {0};
    double t = now_s(), c0 = cpu_s();
    if (epcis_query_compile(ps, n, &all, true, &q, &e) ||
        epcis_query_run(c, q, EPC_FMT_DL, -1, &ev, NULL, NULL, &e))
        die(&e);
    double ms = (now_s() - t) * 1e3;
    cpu_ms_last = (cpu_s() - c0) * 1e3;
    *count = (int)json_array_size(ev);
    json_decref(ev);
    epcis_query_free(q);
    return ms;
}

static double run_walk(store_conn *c, trace_dir dir, const char *id, int *items, int *events)
{
    trace_opts o = {.dir = dir, .ids = &id, .nids = 1, .max_depth = 20, .from_ms = INT64_MIN,
                    .to_ms = INT64_MAX, .vis = {.all = true}, .fmt = EPC_FMT_DL};
    json_t *g;
    nqi_error e = {0};
    double t = now_s(), c0 = cpu_s();
    if (trace_walk(c, &o, &g, &e))
        die(&e);
    double ms = (now_s() - t) * 1e3;
    cpu_ms_last = (cpu_s() - c0) * 1e3;
    *items = (int)json_array_size(json_object_get(g, "items"));
    *events = (int)json_array_size(json_object_get(g, "events"));
    json_decref(g);
    return ms;
}

/* The alternative measured against the walk: the transformation-only
 * forward closure (lots, no containers, no places) as one recursive CTE. */
static double run_cte(store_conn *c, const char *id, int64_t *n)
{
    static const char sql[] =
        "WITH RECURSIVE d(ident, t) AS (SELECT CAST(? AS TEXT), CAST(? AS BIGINT) UNION "
        "SELECT o.ident, e.event_time FROM d CROSS JOIN epcis_event_ids i CROSS JOIN epcis_events e "
        "CROSS JOIN epcis_event_ids o WHERE i.ident = d.ident AND i.role = 'input' AND "
        "e.id = i.event AND e.event_time >= d.t AND e.error_declared_at IS NULL AND "
        "o.event = i.event AND o.role = 'output') SELECT COUNT(DISTINCT ident) FROM d";
    nqi_error e = {0};
    double t = now_s(), c0 = cpu_s();
    if (store_query_int(c, sql, (store_val[]){SV_TEXT(id), SV_INT(INT64_MIN)}, 2, n, &e))
        die(&e);
    cpu_ms_last = (cpu_s() - c0) * 1e3;
    return (now_s() - t) * 1e3;
}

/* Backward traces from hop-10 lots, forward traces from farm lots. */
static void measure_traces(store_conn *c, int lineages)
{
    enum { N = 200 };
    double ms[N];
    char buf1[128], info[96];
    int items = 0, evs = 0, tot;
    for (int dir = 0; dir < 2; dir++) {
        tot = 0;
        int tev = 0;
        for (int i = 0; i < N; i++) {
            lot_id((int)(rnd() % (uint64_t)lineages), dir ? 0 : HOPS, buf1, sizeof buf1);
            ms[i] = run_walk(c, dir ? TRACE_FORWARD : TRACE_BACKWARD, buf1, &items, &evs);
            cpu[i] = cpu_ms_last;
            tot += items;
            tev += evs;
        }
        snprintf(info, sizeof info, "(%.1f items, %.1f events/answer)", (double)tot / N,
                 (double)tev / N);
        report(dir ? "forward trace from a farm lot (10 hops)" : "backward trace from a lot at hop 10",
               ms, N, info);
    }
}

static void measure_recall(store_conn *c);

static void measure(store_conn *c, int lineages)
{
    enum { N = 200 };
    double ms[N];
    char buf1[128], buf2[64], info[96];
    int cnt = 0, tot = 0;
    int64_t total = 0;
    nqi_error e = {0};
    store_query_int(c, "SELECT COUNT(*) FROM epcis_events", NULL, 0, &total, &e);
    printf("events in store: %lld\n", (long long)total);
    /* warm the cache once */
    for (int i = 0; i < N; i++) {
        sscc(1 + (int64_t)(rnd() % (uint64_t)(lineages * 11)), buf2, sizeof buf2);
        epcis_param p[] = {{"MATCH_anyEPC", buf2}};
        ms[i] = run_query(c, p, 1, &cnt);
            cpu[i] = cpu_ms_last;
        tot += cnt;
    }
    snprintf(info, sizeof info, "(%.1f events/answer)", (double)tot / N);
    report("query MATCH_anyEPC=<SSCC>", ms, N, info);
    tot = 0;
    for (int i = 0; i < N; i++) {
        int64_t d = T0 + (int64_t)(rnd() % 60) * DAY;
        char ge[40], lt[40];
        time_iso8601(d, ge, sizeof ge);
        time_iso8601(d + DAY, lt, sizeof lt);
        epcis_param p[] = {{"GE_eventTime", ge}, {"LT_eventTime", lt}, {"EQ_bizStep", "shipping"},
                           {"perPage", "100"}};
        ms[i] = run_query(c, p, 4, &cnt);
            cpu[i] = cpu_ms_last;
        tot += cnt;
    }
    snprintf(info, sizeof info, "(first page of 100; %.0f events/answer)", (double)tot / N);
    report("query 1-day window + EQ_bizStep=shipping", ms, N, info);
    tot = 0;
    for (int i = 0; i < N; i++) {
        int64_t d = T0 + (int64_t)(rnd() % 60) * DAY;
        char ge[40], lt[40];
        time_iso8601(d, ge, sizeof ge);
        time_iso8601(d + DAY, lt, sizeof lt);
        epcis_param p[] = {{"GE_eventTime", ge}, {"LT_eventTime", lt}, {"EQ_bizStep", "shipping"},
                           {"orderBy", "eventTime"}, {"perPage", "100"}};
        ms[i] = run_query(c, p, 5, &cnt);
            cpu[i] = cpu_ms_last;
    }
    report("  same, orderBy=eventTime DESC", ms, N, NULL);
    measure_traces(c, lineages);
    tot = 0;
    for (int i = 0; i < N / 10; i++) { /* slow on SQLite: a tenth of the samples */
        int64_t n = 0;
        lot_id((int)(rnd() % (uint64_t)lineages), 0, buf1, sizeof buf1);
        ms[i] = run_cte(c, buf1, &n);
            cpu[i] = cpu_ms_last;
        tot += (int)n;
    }
    snprintf(info, sizeof info, "(%.1f lots/answer; lots only)", (double)tot / (N / 10));
    report("  baseline: recursive CTE, same start", ms, N / 10, info);
    measure_recall(c);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A digest of the scope's sets (ids of lots, containers, locations,
 * parties; eventIDs), order-free: equal digests on both backends and
 * before/after a change mean the same answer. */
static uint64_t scope_digest(const json_t *scope)
{
    static const char *const lists[] = {"lots", "containers", "locations", "parties", "events"};
    uint64_t h = 1469598103934665603ULL;
    for (size_t k = 0; k < 5; k++) {
        const json_t *l = json_object_get(scope, lists[k]);
        size_t n = json_array_size(l);
        char **v = xcalloc(n + 1, sizeof *v);
        for (size_t i = 0; i < n; i++) {
            const json_t *o = json_array_get(l, i);
            v[i] = (char *)json_string_value(json_object_get(o, k < 4 ? "id" : "eventID"));
        }
        qsort(v, n, sizeof *v, cmp_str);
        for (size_t i = 0; i < n; i++) {
            h = (h ^ hash_text(v[i])) * 1099511628211ULL;
            h = (h ^ k) * 1099511628211ULL;
        }
        free(v);
    }
    return h;
}

static void measure_recall(store_conn *c)
{
    nqi_error e = {0};
    char info[128];
    double rs[5];
    const char *salt = "https://id.gs1.org/01/09506000134352/10/SALT-SUSPECT";
    json_t *scope = NULL;
    for (int i = 0; i < 5; i++) {
        trace_vis all = {.all = true};
        double t = now_s(), c0 = cpu_s();
        if (trace_recall(c, &salt, 1, &all, INT64_MIN, &scope, &e))
            die(&e);
        rs[i] = (now_s() - t) * 1e3;
        cpu[i] = (cpu_s() - c0) * 1e3;
        if (i < 4)
            json_decref(scope);
    }
    json_t *cts = json_object_get(scope, "counts");
    snprintf(info, sizeof info, "(%lld lots, %lld containers, %lld locations, %lld events)",
             (long long)json_integer_value(json_object_get(cts, "lots")),
             (long long)json_integer_value(json_object_get(cts, "containers")),
             (long long)json_integer_value(json_object_get(cts, "locations")),
             (long long)json_integer_value(json_object_get(cts, "events")));
    report("recall scope of the salt lot", rs, 5, info);
    printf("  scope digest %016llx\n", (unsigned long long)scope_digest(scope));
    for (int i = 0; i < 5; i++) {
        int64_t n = 0;
        rs[i] = run_cte(c, salt, &n);
            cpu[i] = cpu_ms_last;
        snprintf(info, sizeof info, "(%lld lots; lots only)", (long long)n);
    }
    report("  baseline: recursive CTE, salt lot", rs, 5, info);
    char *x = NULL;
    size_t xl = 0;
    double t = now_s();
    if (trace_recall_file(scope, "xlsx", &x, &xl, &e))
        die(&e);
    printf("%-44s %.0f ms (%zu bytes)\n", "  its .xlsx", (now_s() - t) * 1e3, xl);
    free(x);
    json_decref(scope);
}

int main(int argc, char **argv)
{
    if (argc < 3 || (strcmp(argv[1], "gen") && strcmp(argv[1], "run") &&
                     strcmp(argv[1], "recall") && strcmp(argv[1], "traces"))) {
        fprintf(stderr, "usage: %s gen|run|recall|traces DBURL [LINEAGES]\n", argv[0]);
        return 2;
    }
    int lineages = argc > 3 ? atoi(argv[3]) : 18000;
    setvbuf(stdout, NULL, _IOLBF, 0);
    store *st;
    nqi_error e = {0};
    int applied;
    if (store_open(argv[2], &st, &e) || store_migrate(st, &applied, &e))
        die(&e);
    store_conn *c = store_conn_thread(st, &e);
    if (!c)
        die(&e);
    if (!strcmp(argv[1], "gen"))
        generate(c, lineages);
    else if (!strcmp(argv[1], "recall"))
        measure_recall(c);
    else if (!strcmp(argv[1], "traces"))
        measure_traces(c, lineages);
    else
        measure(c, lineages);
    store_close(st);
    return 0;
}
