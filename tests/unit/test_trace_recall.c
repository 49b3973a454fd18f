/*
 * test_trace_recall.c — the recall scope and the genealogy walk give the
 * same answer on SQLite and on PostgreSQL (NQI_TEST_PG_URL) for the same
 * fixture: lots, containers, locations, parties and events compared as
 * order-free sets, and the walk's nodes and edges too. The walk runs on
 * epcis_idents numbers, which differ between the two stores (PostgreSQL's
 * test database keeps identifiers of earlier runs), and its set statements
 * are the one backend-specific SQL of genealogy.c.
 *
 * Fixture: a suspect salt lot (GS1's example GTIN 09506000134352) used in
 * three brine lots, each split into ten retail lots and palletised (SSCC),
 * shipped and received, the pallet unpacked and then reused for an
 * unrelated lot shipped elsewhere (outside the recall); one retail lot's
 * shipping declared erroneous with its corrective event; one private
 * receiving of another organisation; the site's own location appears only
 * as a biz location (no identifier row). Plus the demo chain (五常大米).
 * Without PostgreSQL only the SQLite answers are checked.
 */
#define _GNU_SOURCE
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/util.h"
#include "trace/gs1.h"
#include "trace/query.h"

#define DL "https://id.gs1.org/"
#define SALT DL "01/09506000134352/10/SALT-T"
#define NOLOT DL "01/09506000134352/10/NEVER-SEEN"
#define SITE DL "414/9506000000077"  /* biz location only */
#define DCA DL "414/9506000000084"
#define ELSEWHERE DL "414/9506000000091" /* the reused pallet's trip */
#define STOREX DL "414/9506000000107"
#define WRONG DL "414/9506000000114"
#define ORG_A "91230184MA1B2C3E53"
#define ORG_B "91230102MA1B2C3F6E"
#define WC_A01 DL "01/09506000134376/10/WC2026A01" /* demo chain farm lot */

typedef struct db {
    char dir[64];
    store *st;
    store_conn *c;
} db;

typedef struct fx {
    db lite, pg;
    bool have_pg;
} fx;

static char *brine(int m)
{
    return xasprintf(DL "01/09506000134369/10/BR%d", m);
}

static char *retail(int m, int k)
{
    return xasprintf(DL "01/09506000134352/10/R%d-%02d", m, k);
}

static char *pallet(int m)
{
    char d[19];
    snprintf(d, sizeof d, "39506000000000%03d", 10 + m);
    d[17] = (char)('0' + gs1_check_digit(d, 17));
    d[18] = 0;
    return xasprintf(DL "00/%s", d);
}

static void put(store_conn *c, const tfx_event *ev)
{
    nqi_error e = {0};
    if (trace_fixture_insert(c, ev, NULL, &e))
        fail_msg("fixture %s: %s", ev->event_id, e.message);
}

static void load(store_conn *c)
{
    nqi_error e = {0};
    static const char *const wipe[] = {"DELETE FROM epcis_subscriptions",
                                       "DELETE FROM epcis_queries", "DELETE FROM epcis_event_ids",
                                       "DELETE FROM epcis_events"};
    for (size_t i = 0; i < 4; i++)
        assert_int_equal(store_exec(c, wipe[i], NULL, 0, NULL, &e), 0);
    assert_int_equal(store_begin(c, true, &e), 0);
    char id[64], t[40];
    put(c, &(tfx_event){.event_id = "urn:uuid:salt-0", .type = "ObjectEvent", .action = "ADD",
                        .time = "2026-09-01T08:00:00+08:00", .step = "creating_class_instance",
                        .loc = SITE, .owner = ORG_A, .pub = 1,
                        .ids = {{"epc", SALT, 500, "KGM"}}});
    for (int m = 0; m < 3; m++) {
        char *b = brine(m), *p = pallet(m), *r[10];
        for (int k = 0; k < 10; k++)
            r[k] = retail(m, k);
        snprintf(id, sizeof id, "urn:uuid:brine-%d", m);
        snprintf(t, sizeof t, "2026-09-02T0%d:00:00+08:00", m + 1);
        put(c, &(tfx_event){.event_id = id, .type = "TransformationEvent", .time = t,
                            .step = "commissioning", .loc = SITE, .owner = ORG_A, .pub = 1,
                            .ids = {{"input", SALT, 100, "KGM"}, {"output", b, 300, "LTR"}}});
        snprintf(id, sizeof id, "urn:uuid:split-%d", m);
        snprintf(t, sizeof t, "2026-09-03T0%d:00:00+08:00", m + 1);
        tfx_event sp = {.event_id = id, .type = "TransformationEvent", .time = t,
                        .step = "commissioning", .loc = SITE, .owner = ORG_A, .pub = 1,
                        .ids = {{"input", b, 300, "LTR"}}};
        tfx_event pk = {.event_id = "", .type = "AggregationEvent", .action = "ADD",
                        .time = "2026-09-04T08:00:00+08:00", .step = "packing", .loc = SITE,
                        .owner = ORG_A, .pub = 1, .ids = {{"parent", p, 0, NULL}}};
        for (int k = 0; k < 10; k++) {
            sp.ids[1 + k] = (tfx_id){"output", r[k], 30, "LTR"};
            pk.ids[1 + k] = (tfx_id){"child", r[k], 30, "LTR"};
        }
        put(c, &sp);
        char id2[64];
        snprintf(id2, sizeof id2, "urn:uuid:pack-%d", m);
        pk.event_id = id2;
        put(c, &pk);
        static const char *const steps[] = {"shipping", "receiving"};
        for (int s = 0; s < 2; s++) {
            snprintf(id, sizeof id, "urn:uuid:%s-%d", steps[s], m);
            put(c, &(tfx_event){.event_id = id, .type = "ObjectEvent", .action = "OBSERVE",
                                .time = s ? "2026-09-05T08:00:00+08:00"
                                          : "2026-09-04T12:00:00+08:00",
                                .step = steps[s], .loc = s ? DCA : SITE,
                                .owner = s && m == 2 ? ORG_B : ORG_A, .pub = !(s && m == 2),
                                .ids = {{"epc", p, 0, NULL},
                                        {"source:location", SITE, 0, NULL},
                                        {"destination:location", DCA, 0, NULL},
                                        {"source:owning_party", DL "417/9506000000046", 0, NULL}}});
        }
        snprintf(id, sizeof id, "urn:uuid:unpack-%d", m);
        put(c, &(tfx_event){.event_id = id, .type = "AggregationEvent", .action = "DELETE",
                            .time = "2026-09-05T10:00:00+08:00", .step = "unpacking", .loc = DCA,
                            .owner = ORG_A, .pub = 1, .ids = {{"parent", p, 0, NULL}}});
        /* the pallet reused for another lot: not part of the recall */
        char *other = xasprintf(DL "01/09506000134390/10/OTHER%d", m);
        snprintf(id, sizeof id, "urn:uuid:repack-%d", m);
        put(c, &(tfx_event){.event_id = id, .type = "AggregationEvent", .action = "ADD",
                            .time = "2026-09-06T08:00:00+08:00", .step = "packing", .loc = DCA,
                            .owner = ORG_A, .pub = 1,
                            .ids = {{"parent", p, 0, NULL}, {"child", other, 5, "EA"}}});
        snprintf(id, sizeof id, "urn:uuid:reship-%d", m);
        put(c, &(tfx_event){.event_id = id, .type = "ObjectEvent", .action = "OBSERVE",
                            .time = "2026-09-06T12:00:00+08:00", .step = "shipping", .loc = DCA,
                            .owner = ORG_A, .pub = 1,
                            .ids = {{"epc", p, 0, NULL},
                                    {"destination:location", ELSEWHERE, 0, NULL}}});
        free(other);
        free(b);
        free(p);
        for (int k = 0; k < 10; k++)
            free(r[k]);
    }
    /* one retail lot sent to the wrong store, declared, corrected */
    char *r13 = retail(1, 3);
    put(c, &(tfx_event){.event_id = "urn:uuid:sell-wrong", .type = "ObjectEvent",
                        .action = "OBSERVE", .time = "2026-09-07T08:00:00+08:00",
                        .step = "shipping", .loc = DCA, .owner = ORG_A, .pub = 1,
                        .ids = {{"epc", r13, 30, "LTR"}, {"destination:location", WRONG, 0, NULL}},
                        .error_at = "2026-09-07T09:00:00+08:00", .error_reason = "incorrect_data",
                        .corrective = "urn:uuid:sell-right"});
    put(c, &(tfx_event){.event_id = "urn:uuid:sell-right", .type = "ObjectEvent",
                        .action = "OBSERVE", .time = "2026-09-07T08:00:00+08:00",
                        .step = "shipping", .loc = DCA, .owner = ORG_A, .pub = 1,
                        .ids = {{"epc", r13, 30, "LTR"}, {"destination:location", STOREX, 0, NULL}}});
    free(r13);
    assert_int_equal(trace_demo(NULL, c, &e), 0);
    assert_int_equal(store_commit(c, &e), 0);
}

static void open_db(db *d, const char *url_or_null)
{
    nqi_error err = {0};
    const char *tmp = getenv("NQI_TEST_TMP");
    char *url;
    if (url_or_null) {
        url = xstrdup(url_or_null);
    } else {
        snprintf(d->dir, sizeof d->dir, "%s/nqi-tr-XXXXXX", tmp && *tmp ? tmp : "/tmp");
        assert_non_null(mkdtemp(d->dir));
        url = xasprintf("sqlite:%s/t.db", d->dir);
    }
    int applied;
    assert_int_equal(store_open(url, &d->st, &err), 0);
    free(url);
    assert_int_equal(store_migrate(d->st, &applied, &err), 0);
    d->c = store_conn_thread(d->st, &err);
    assert_non_null(d->c);
    load(d->c);
}

static int setup(void **state)
{
    fx *f = xcalloc(1, sizeof *f);
    const char *pg = getenv("NQI_TEST_PG_URL");
    open_db(&f->lite, NULL);
    f->have_pg = pg && *pg;
    if (f->have_pg)
        open_db(&f->pg, pg);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx *f = *state;
    store_close(f->lite.st);
    if (f->have_pg)
        store_close(f->pg.st);
    char *cmd = xasprintf("rm -rf '%s'", f->lite.dir);
    if (system(cmd)) {
    }
    free(cmd);
    free(f);
    return 0;
}

/* ---------------------------------------------------------------- helpers */

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The listed arrays of o as sorted lines "name: element" (elements
 * compact, keys sorted): equal strings = equal sets. */
static char *canon(const json_t *o, const char *const *names)
{
    buf b;
    buf_init(&b, 0);
    for (int k = 0; names[k]; k++) {
        const json_t *l = json_object_get(o, names[k]);
        size_t n = json_array_size(l);
        char **v = xcalloc(n + 1, sizeof *v);
        for (size_t i = 0; i < n; i++)
            v[i] = json_dumps(json_array_get(l, i), JSON_COMPACT | JSON_SORT_KEYS |
                                                        JSON_ENCODE_ANY);
        qsort(v, n, sizeof *v, cmp_str);
        for (size_t i = 0; i < n; i++) {
            buf_printf(&b, "%s: %s\n", names[k], v[i]);
            free(v[i]);
        }
        free(v);
    }
    buf_printf(&b, "truncated: %d\n", json_is_true(json_object_get(o, "truncated")));
    return buf_steal(&b);
}

static const char *const scope_lists[] = {"suspects", "lots",   "containers", "locations",
                                          "parties",  "events", NULL};
static const char *const walk_lists[] = {"start", "nodes", "edges", "events", NULL};

static json_t *recall_on(store_conn *c, const char *const *ids, int n, const trace_vis *vis)
{
    json_t *s = NULL;
    nqi_error e = {0};
    if (trace_recall(c, ids, n, vis, INT64_MIN, &s, &e))
        fail_msg("recall: %s", e.message);
    return s;
}

/* The recall on SQLite, checked equal to PostgreSQL's when there is one. */
static json_t *recall_both(fx *f, const char *const *ids, int n, const trace_vis *vis)
{
    json_t *a = recall_on(f->lite.c, ids, n, vis);
    if (f->have_pg) {
        json_t *b = recall_on(f->pg.c, ids, n, vis);
        char *ca = canon(a, scope_lists), *cb = canon(b, scope_lists);
        assert_string_equal(ca, cb);
        assert_true(json_equal(json_object_get(a, "counts"), json_object_get(b, "counts")));
        free(ca);
        free(cb);
        json_decref(b);
    }
    return a;
}

static json_t *walk_on(store_conn *c, trace_dir dir, const char *id)
{
    trace_opts o = {.dir = dir, .ids = &id, .nids = 1, .max_depth = 20, .from_ms = INT64_MIN,
                    .to_ms = INT64_MAX, .vis = {.all = true}, .fmt = EPC_FMT_DL};
    json_t *g = NULL;
    nqi_error e = {0};
    if (trace_walk(c, &o, &g, &e))
        fail_msg("walk: %s", e.message);
    return g;
}

static bool has(const json_t *o, const char *list, const char *key, const char *id)
{
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(o, list), i, v)
    {
        const char *s = json_is_string(v) ? json_string_value(v)
                                          : json_string_value(json_object_get(v, key));
        if (s && !strcmp(s, id))
            return true;
    }
    return false;
}

static json_int_t count(const json_t *s, const char *what)
{
    return json_integer_value(json_object_get(json_object_get(s, "counts"), what));
}

/* ---------------------------------------------------------------- tests */

static void test_recall_same_on_both(void **state)
{
    fx *f = *state;
    trace_vis all = {.all = true};
    const char *ids[] = {SALT};
    json_t *s = recall_both(f, ids, 1, &all);
    assert_int_equal(count(s, "lots"), 34);       /* salt, 3 brine, 30 retail */
    assert_int_equal(count(s, "containers"), 3);  /* the pallets */
    assert_true(has(s, "locations", "id", SITE)); /* a biz location without identifier row */
    assert_true(has(s, "locations", "id", DCA));
    assert_true(has(s, "locations", "id", STOREX)); /* the corrective event's destination */
    assert_false(has(s, "locations", "id", WRONG)); /* the erroneous one's */
    assert_false(has(s, "locations", "id", ELSEWHERE)); /* the pallet after it was emptied */
    assert_false(has(s, "lots", "id", DL "01/09506000134390/10/OTHER0"));
    assert_true(has(s, "parties", "id", DL "417/9506000000046"));
    assert_true(has(s, "parties", "id", ORG_B)); /* staff see the recording organisations */
    assert_true(has(s, "events", "eventID", "urn:uuid:sell-right"));
    assert_false(has(s, "events", "eventID", "urn:uuid:sell-wrong"));
    assert_false(has(s, "events", "eventID", "urn:uuid:reship-0"));
    assert_true(has(s, "events", "eventID", "urn:uuid:receiving-2"));
    /* salt, 3 brine + 3 splits, 3 packings, 6 shipping/receiving, 3 unpackings
     * (closing the pallets' windows), the corrective event */
    assert_int_equal(count(s, "events"), 20);
    json_decref(s);
}

static void test_recall_unknown_start_and_visibility(void **state)
{
    fx *f = *state;
    trace_vis all = {.all = true};
    const char *two[] = {SALT, NOLOT};
    json_t *s = recall_both(f, two, 2, &all);
    assert_int_equal(json_array_size(json_object_get(s, "suspects")), 2);
    assert_true(has(s, "lots", "id", NOLOT)); /* listed though nothing names it */
    assert_int_equal(count(s, "lots"), 35);
    json_decref(s);
    /* organisation A: ORG_B's private receiving is not seen */
    trace_vis org = {.org = ORG_A};
    const char *one[] = {SALT};
    s = recall_both(f, one, 1, &org);
    assert_false(has(s, "events", "eventID", "urn:uuid:receiving-2"));
    assert_true(has(s, "events", "eventID", "urn:uuid:receiving-1"));
    assert_int_equal(count(s, "events"), 19);
    assert_false(has(s, "parties", "id", ORG_B));
    json_decref(s);
    trace_vis pub = {.public_only = true};
    s = recall_both(f, one, 1, &pub);
    assert_int_equal(count(s, "events"), 19);
    json_decref(s);
    /* the demo chain: a farm lot of 五常大米 */
    const char *farm[] = {WC_A01};
    s = recall_both(f, farm, 1, &all);
    assert_true(count(s, "lots") >= 2);
    assert_true(count(s, "containers") >= 1);
    json_decref(s);
}

static void test_walk_same_on_both(void **state)
{
    fx *f = *state;
    char *r = retail(2, 7);
    const char *starts[] = {r, SALT, WC_A01};
    for (int i = 0; i < 3; i++)
        for (int d = 0; d < 2; d++) {
            trace_dir dir = d ? TRACE_FORWARD : TRACE_BACKWARD;
            json_t *a = walk_on(f->lite.c, dir, starts[i]);
            assert_true(json_array_size(json_object_get(a, "edges")) > 0);
            if (f->have_pg) {
                json_t *b = walk_on(f->pg.c, dir, starts[i]);
                char *ca = canon(a, walk_lists), *cb = canon(b, walk_lists);
                assert_string_equal(ca, cb);
                free(ca);
                free(cb);
                json_decref(b);
            }
            json_decref(a);
        }
    /* backward from a retail lot: its brine and the salt, its pallet */
    json_t *g = walk_on(f->lite.c, TRACE_BACKWARD, r);
    char *b2 = brine(2), *p2 = pallet(2);
    assert_true(has(g, "items", "id", b2));
    assert_true(has(g, "items", "id", SALT));
    assert_true(has(g, "items", "id", p2));
    assert_false(has(g, "items", "id", DL "01/09506000134352/10/R2-06")); /* a sibling */
    free(b2);
    free(p2);
    json_decref(g);
    free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_recall_same_on_both, setup, teardown),
        cmocka_unit_test_setup_teardown(test_recall_unknown_start_and_visibility, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_walk_same_on_both, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
