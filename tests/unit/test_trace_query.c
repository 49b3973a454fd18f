/*
 * test_trace_query.c — the read side of the EPCIS repository (src/trace/
 * query.c, genealogy.c, recall.c, exports.c) on a temporary SQLite
 * database (and PostgreSQL when NQI_TEST_PG_URL is set), over a fixture
 * written straight into epcis_events / epcis_event_ids: 阳澄湖大闸蟹 from two
 * ponds, graded and boxed (TransformationEvent), palletised (SSCC), shipped
 * to a DC, unpacked and sold; one shipping event declared erroneous with
 * its corrective event; one private event of the DC.
 *
 * Keys: company prefix 9506000 (GS1's Digital Link example GTIN
 * 09506000134352), every check digit computed; the same keys written as
 * EPC URNs in the queries, so URN queries must meet Digital Link storage.
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
#include "fixture.h"
#include "trace/query.h"

#define DL "https://id.gs1.org/"
#define CRAB DL "01/09506000134406"           /* 阳澄湖大闸蟹（活蟹） */
#define BOX DL "01/09506000134390"            /* 大闸蟹礼盒 */
#define YC_A CRAB "/10/YCA0918"
#define YC_B CRAB "/10/YCB0918"
#define GB_01 BOX "/10/GB2609A"
#define GB_02 BOX "/10/GB2609B"
#define BOX_1 BOX "/21/0001"
#define BOX_2 BOX "/21/0002"
#define POND_A DL "414/9506000000077"         /* 苏州市相城区阳澄湖镇 A 塘 */
#define POND_B DL "414/9506000000084"
#define PACKER DL "414/9506000000091"
#define DCX DL "414/9506000000107"
#define STOREX DL "414/9506000000114"
#define WRONG DL "414/9506000000121"
#define SSCC_X DL "00/395060000000000030"
#define ORG_DC "91230102MA1B2C3F6E"
#define ORG_PACK "91230184MA1B2C3E53"
#define E(n) "urn:uuid:3c1f0a52-7d1e-4b6a-8c21-00000000c0" n

typedef test_db fx; /* the whole fixture is the database (fixture.h) */

static const tfx_event chain[] = {
    {.event_id = E("01"), .type = "ObjectEvent", .action = "ADD",
     .time = "2026-09-18T06:00:00+08:00", .step = "urn:epcglobal:cbv:bizstep:creating_class_instance",
     .loc = POND_A, .owner = ORG_PACK, .pub = 1, .ids = {{"epc", YC_A, 500, "KGM"}},
     .extra = "{\"ilmd\": {\"cbvmda:harvestStartDate\": \"2026-09-18\", \"nqi:productName\": "
              "\"阳澄湖大闸蟹\"}, \"nqi:placeName\": \"苏州市相城区阳澄湖镇A塘\"}"},
    {.event_id = E("02"), .type = "ObjectEvent", .action = "ADD",
     .time = "2026-09-18T07:00:00+08:00", .step = "creating_class_instance", .loc = POND_B,
     .owner = ORG_PACK, .pub = 1, .ids = {{"epc", YC_B, 300, "KGM"}}},
    {.event_id = E("03"), .type = "TransformationEvent", .time = "2026-09-19T08:00:00+08:00",
     .step = "commissioning", .loc = PACKER, .owner = ORG_PACK, .pub = 1,
     .ids = {{"input", YC_A, 400, "KGM"}, {"input", YC_B, 100, "KGM"}, {"output", GB_01, 120, "EA"}},
     .extra = "{\"ilmd\": {\"nqi:productName\": \"阳澄湖大闸蟹礼盒\", "
              "\"cbvmda:itemExpirationDate\": \"2026-09-25\"}}"},
    {.event_id = E("04"), .type = "TransformationEvent", .time = "2026-09-19T09:00:00+08:00",
     .step = "commissioning", .loc = PACKER, .owner = ORG_PACK, .pub = 1,
     .ids = {{"input", YC_B, 200, "KGM"}, {"output", GB_02, 60, "EA"}}},
    {.event_id = E("05"), .type = "ObjectEvent", .action = "ADD",
     .time = "2026-09-19T10:00:00+08:00", .step = "commissioning", .disp = "active",
     .loc = PACKER, .owner = ORG_PACK, .pub = 1,
     .ids = {{"epc", BOX_1, 0, NULL}, {"epc", BOX_2, 0, NULL}}},
    {.event_id = E("06"), .type = "AggregationEvent", .action = "ADD",
     .time = "2026-09-19T11:00:00+08:00", .step = "packing", .loc = PACKER, .owner = ORG_PACK,
     .pub = 1,
     .ids = {{"parent", SSCC_X, 0, NULL}, {"child", GB_01, 100, "EA"}, {"child", BOX_1, 0, NULL}}},
    {.event_id = E("07"), .type = "ObjectEvent", .action = "OBSERVE",
     .time = "2026-09-19T14:00:00+08:00", .step = "shipping", .disp = "in_transit",
     .loc = PACKER, .owner = ORG_PACK, .pub = 1,
     .ids = {{"epc", SSCC_X, 0, NULL}, {"source:location", PACKER, 0, NULL},
             {"destination:location", DCX, 0, NULL},
             {"biz_transaction:desadv", "urn:epcglobal:cbv:bt:9506000000091:DS-0919", 0, NULL}}},
    {.event_id = E("08"), .type = "ObjectEvent", .action = "OBSERVE",
     .time = "2026-09-20T06:00:00+08:00", .step = "receiving", .disp = "in_progress", .loc = DCX,
     .owner = ORG_DC, .pub = 0,
     .ids = {{"epc", SSCC_X, 0, NULL}, {"source:location", PACKER, 0, NULL},
             {"destination:location", DCX, 0, NULL}}},
    {.event_id = E("09"), .type = "AggregationEvent", .action = "DELETE",
     .time = "2026-09-20T07:00:00+08:00", .step = "unpacking", .loc = DCX, .owner = ORG_DC,
     .pub = 1, .ids = {{"parent", SSCC_X, 0, NULL}, {"child", GB_01, 100, "EA"}}},
    {.event_id = E("10"), .type = "ObjectEvent", .action = "OBSERVE",
     .time = "2026-09-21T08:00:00+08:00", .step = "shipping", .loc = DCX, .owner = ORG_DC,
     .pub = 1, .ids = {{"epc", SSCC_X, 0, NULL}, {"destination:location", WRONG, 0, NULL}}},
    {.event_id = E("11"), .type = "ObjectEvent", .action = "OBSERVE",
     .time = "2026-09-21T09:00:00+08:00", .step = "retail_selling", .disp = "retail_sold",
     .loc = STOREX, .owner = ORG_DC, .pub = 1, .ids = {{"epc", GB_01, 30, "EA"}}},
    {.event_id = E("12"), .type = "ObjectEvent", .action = "OBSERVE",
     .time = "2026-09-19T15:00:00+08:00", .step = "shipping", .loc = PACKER, .owner = ORG_PACK,
     .pub = 1,
     .ids = {{"epc", GB_02, 60, "EA"}, {"destination:location", WRONG, 0, NULL}},
     .error_at = "2026-09-19T18:00:00+08:00", .error_reason = "incorrect_data",
     .corrective = E("13")},
    {.event_id = E("13"), .type = "ObjectEvent", .action = "OBSERVE",
     .time = "2026-09-19T15:00:00+08:00", .step = "shipping", .loc = PACKER, .owner = ORG_PACK,
     .pub = 1, .ids = {{"epc", GB_02, 60, "EA"}, {"destination:location", STOREX, 0, NULL}}},
};
#define NCHAIN (sizeof chain / sizeof chain[0])

static int setup(void **state)
{
    fx *f = xcalloc(1, sizeof *f);
    nqi_error err = {0};
    test_db_open_any(f, "tq");
    /* a fresh fixture each test (PostgreSQL: the database is shared) */
    static const char *const wipe[] = {"DELETE FROM epcis_subscriptions", "DELETE FROM epcis_queries",
                                       "DELETE FROM epcis_event_ids", "DELETE FROM epcis_events"};
    for (size_t i = 0; i < 4; i++)
        assert_int_equal(store_exec(f->c, wipe[i], NULL, 0, NULL, &err), 0);
    assert_int_equal(store_begin(f->c, true, &err), 0);
    for (size_t i = 0; i < NCHAIN; i++) {
        int rc = trace_fixture_insert(f->c, &chain[i], NULL, &err);
        if (rc)
            fail_msg("fixture %zu: %s", i, err.message);
    }
    assert_int_equal(store_commit(f->c, &err), 0);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    return test_db_teardown(state); /* the database, SQLite or PostgreSQL (fixture.h) */
}

/* ---------------------------------------------------------------- helpers */

/* Run a query given as "name=value" strings; the event ids' last two
 * characters joined with ',' into out ("01,02"). Returns the error code. */
static int q(fx *f, const trace_vis *vis, epc_format fmt, char *out, size_t n, char **token,
             nqi_error *err, ...)
{
    epcis_param ps[16];
    char *own[16];
    int np = 0;
    va_list ap;
    va_start(ap, err);
    for (const char *a; (a = va_arg(ap, const char *));) {
        const char *eq = strchr(a, '=');
        own[np] = xstrndup(a, (size_t)(eq - a));
        ps[np] = (epcis_param){own[np], eq + 1};
        np++;
    }
    va_end(ap);
    epcis_query *qq = NULL;
    json_t *evs = NULL;
    trace_vis all = {.all = true};
    int rc = epcis_query_compile(ps, np, vis ? vis : &all, true, &qq, err);
    if (!rc)
        rc = epcis_query_run(f->c, qq, fmt, -1, &evs, token, NULL, err);
    epcis_query_free(qq);
    for (int i = 0; i < np; i++)
        free(own[i]);
    out[0] = 0;
    size_t i;
    json_t *e;
    json_array_foreach(evs, i, e)
    {
        const char *id = json_string_value(json_object_get(e, "eventID"));
        size_t l = strlen(out);
        snprintf(out + l, n - l, "%s%s", l ? "," : "", id + strlen(id) - 2);
    }
    json_decref(evs);
    return rc;
}

#define Q(expect, ...)                                                                             \
    do {                                                                                           \
        char got_[256];                                                                            \
        nqi_error e_ = {0};                                                                        \
        int rc_ = q(f, NULL, EPC_FMT_DL, got_, sizeof got_, NULL, &e_, __VA_ARGS__, NULL);         \
        if (rc_)                                                                                   \
            fail_msg("query failed: %s", e_.message);                                              \
        assert_string_equal(got_, expect);                                                         \
    } while (0)

static void expect_param_error(fx *f, const char *param, const char *value, const char *field)
{
    char a[512], got[256];
    snprintf(a, sizeof a, "%s=%s", param, value);
    nqi_error e = {0};
    assert_int_equal(q(f, NULL, EPC_FMT_DL, got, sizeof got, NULL, &e, a, NULL), NQI_EBADREQ);
    assert_true(e.nfields >= 1);
    assert_string_equal(e.fields[0].field, field);
}

/* ---------------------------------------------------------------- query */

static void test_match_urn_meets_digital_link(void **state)
{
    fx *f = *state;
    /* the SGTIN as EPC URN finds the events captured with Digital Link */
    Q("05,06", "MATCH_anyEPC=urn:epc:id:sgtin:9506000.013439.0001");
    Q("05,06", "MATCH_anyEPC=" BOX_1);
    Q("05", "MATCH_anyEPC=(01)09506000134390(21)0002");
    /* MATCH_epc is epcList / childEPCs only: the SSCC as parent is not there */
    Q("07,08,10", "MATCH_epc=urn:epc:id:sscc:9506000.3000000003");
    Q("06,09", "MATCH_parentID=urn:epc:id:sscc:9506000.3000000003");
    /* class-level: a lot, and a GTIN alone meaning every lot of it */
    Q("01,03", "MATCH_anyEPCClass=urn:epc:class:lgtin:9506000.013440.YCA0918");
    Q("03,04", "MATCH_inputEPCClass=" YC_B);
    Q("03,04", "MATCH_outputEPCClass=" BOX);
    /* a company-prefix pattern: every SGTIN of 9506000 */
    Q("05,06", "MATCH_epc=urn:epc:idpat:sgtin:9506000.*.*");
    /* instance params never match class entries */
    Q("", "MATCH_anyEPC=" YC_A);
}

static void test_filters(void **state)
{
    fx *f = *state;
    Q("07,10,12,13", "EQ_bizStep=urn:epcglobal:cbv:bizstep:shipping");
    Q("07,10,12,13", "EQ_bizStep=https://ns.gs1.org/cbv/BizStep-shipping");
    Q("07,08,10,12,13", "EQ_bizStep=shipping|receiving");
    Q("03,04", "eventType=TransformationEvent");
    Q("09", "EQ_action=DELETE", "eventType=AggregationEvent");
    Q("07,12,13", "EQ_bizStep=shipping", "GE_eventTime=2026-09-19T00:00:00+08:00",
      "LT_eventTime=2026-09-20T00:00:00+08:00");
    Q("11", "EQ_disposition=retail_sold");
    Q("08,09,10", "EQ_bizLocation=urn:epc:id:sgln:9506000.00010.0");
    Q("12", "EXISTS_errorDeclaration=true");
    Q("12", "EQ_errorReason=incorrect_data");
    Q("12", "EQ_correctiveEventID=" E("13"));
    Q("07,08", "EQ_source_location=" PACKER);
    Q("07", "EQ_bizTransaction_desadv=urn:epcglobal:cbv:bt:9506000000091:DS-0919");
    Q("01,02,03,04", "GE_quantity=150");
    Q("01", "GT_quantity=450");
    Q("03,06,09", "EQ_quantity=100");
    Q("03", "EQ_eventID=" E("03"));
}

static void test_order_and_paging(void **state)
{
    fx *f = *state;
    /* event time descending is the default direction with orderBy */
    Q("11,10,09,08", "orderBy=eventTime", "eventCountLimit=4");
    Q("01,02,03,04", "orderBy=eventTime", "orderDirection=ASC", "eventCountLimit=4");
    /* keyset pages: every event once, in order, through the tokens */
    char all[512] = "", got[256], tokarg[128];
    char *tok = NULL;
    int pages = 0;
    do {
        nqi_error e = {0};
        if (tok)
            snprintf(tokarg, sizeof tokarg, "nextPageToken=%s", tok);
        free(tok);
        tok = NULL;
        assert_int_equal(q(f, NULL, EPC_FMT_DL, got, sizeof got, &tok, &e, "orderBy=eventTime",
                           "orderDirection=ASC", "perPage=5", pages ? tokarg : "perPage=5",
                           NULL),
                         0);
        snprintf(all + strlen(all), sizeof all - strlen(all), "%s%s", pages ? "," : "", got);
        pages++;
    } while (tok && pages < 10);
    assert_int_equal(pages, 3);
    /* 12 and 13 have the same event time: the row id breaks the tie */
    assert_string_equal(all, "01,02,03,04,05,06,07,12,13,08,09,10,11");
    /* eventCountLimit across pages */
    nqi_error e = {0};
    assert_int_equal(q(f, NULL, EPC_FMT_DL, got, sizeof got, &tok, &e, "eventCountLimit=3",
                       "perPage=2", NULL),
                     0);
    assert_string_equal(got, "01,02");
    assert_non_null(tok);
    snprintf(tokarg, sizeof tokarg, "nextPageToken=%s", tok);
    free(tok);
    tok = NULL;
    assert_int_equal(q(f, NULL, EPC_FMT_DL, got, sizeof got, &tok, &e, "eventCountLimit=3",
                       "perPage=2", tokarg, NULL),
                     0);
    assert_string_equal(got, "03");
    assert_null(tok);
    /* maxEventCount: too many is an error, not a truncated answer */
    assert_int_equal(q(f, NULL, EPC_FMT_DL, got, sizeof got, NULL, &e, "maxEventCount=3", NULL),
                     NQI_ETOOBIG);
}

static void test_bad_parameters(void **state)
{
    fx *f = *state;
    expect_param_error(f, "EQ_colour", "red", "EQ_colour");
    expect_param_error(f, "GE_eventTime", "2026-09-18T06:00:00", "GE_eventTime"); /* no offset */
    expect_param_error(f, "MATCH_epc", "https://id.gs1.org/01/09506000134391/21/1", "MATCH_epc");
    expect_param_error(f, "eventType", "ShippingEvent", "eventType");
    expect_param_error(f, "EQ_action", "UPDATE", "EQ_action");
    expect_param_error(f, "orderBy", "bizStep", "orderBy");
    expect_param_error(f, "perPage", "0", "perPage");
    expect_param_error(f, "nextPageToken", "abc", "nextPageToken");
    expect_param_error(f, "EQ_INNER_bizStep", "x", "EQ_INNER_bizStep");
    expect_param_error(f, "GE_quantity", "lots", "GE_quantity");
    expect_param_error(f, "MATCH_epc", "", "MATCH_epc");
}

/* The parameters answered from the stored document (query_ext.c), on the
 * fixture's ILMD and event extensions; malformed names under ASan. */
static void test_document_parameters(void **state)
{
    fx *f = *state;
    Q("01", "EQ_ILMD_cbvmda:harvestStartDate=2026-09-18");
    Q("01", "EQ_ILMD_nqi:productName=阳澄湖大闸蟹|别的");
    Q("03", "LT_ILMD_cbvmda:itemExpirationDate=2026-12-31");
    Q("", "GT_ILMD_cbvmda:itemExpirationDate=2026-12-31");
    Q("01,03", "EXISTS_ILMD_nqi:productName=");
    Q("01", "EQ_nqi:placeName=苏州市相城区阳澄湖镇A塘");
    Q("", "EQ_ILMD_nqi:placeName=苏州市相城区阳澄湖镇A塘"); /* event level, not ILMD */
    Q("01,03", "EXISTS_INNER_nqi:productName=");
    Q("", "EXISTS_sensorElement=");
    Q("", "GT_value_CEL=-40");
    Q("01", "EQ_quantity_KGM=500");
    Q("", "EQ_quantity_EA=500");
    expect_param_error(f, "GT_value_CEL", "warm", "GT_value_CEL");
    expect_param_error(f, "EQ_value_C", "1", "EQ_value_C");
    expect_param_error(f, "GT_meanValue_CELSIUS", "1", "GT_meanValue_CELSIUS");
    expect_param_error(f, "EQ_sDev_CEL", "1", "EQ_sDev_CEL"); /* only value has EQ_ */
    expect_param_error(f, "GT_percRank", "", "GT_percRank");
    expect_param_error(f, "LT_time", "yesterday", "LT_time");
    expect_param_error(f, "EQ_booleanValue", "yes", "EQ_booleanValue");
    expect_param_error(f, "EQ_deviceID", "urn:epc:id:sgtin:9506000.13435.x|", "EQ_deviceID");
    expect_param_error(f, "EQ_ILMD_:x", "1", "EQ_ILMD_:x");
    expect_param_error(f, "EQ_ILMD_a:b:c", "1", "EQ_ILMD_a:b:c");
    expect_param_error(f, "EQ_INNER_ILMD_a:b'c", "1", "EQ_INNER_ILMD_a:b'c");
    expect_param_error(f, "EXISTS_", "", "EXISTS_");
    expect_param_error(f, "GT_", "1", "GT_");
    expect_param_error(f, "HASATTR_ex:colour", "red", "HASATTR_ex:colour"); /* no master data */
    Q("", "EQ_persistentDisposition_set=urn:epcglobal:cbv:disp:damaged");
}

static void test_visibility_and_format(void **state)
{
    fx *f = *state;
    char got[256];
    nqi_error e = {0};
    trace_vis pub = {.public_only = true}, dc = {.org = ORG_DC}, other = {.org = "91310115MA1B2C3G7U"};
    assert_int_equal(q(f, &pub, EPC_FMT_DL, got, sizeof got, NULL, &e, "EQ_bizLocation=" DCX, NULL), 0);
    assert_string_equal(got, "09,10"); /* 08 is the DC's private receiving */
    assert_int_equal(q(f, &dc, EPC_FMT_DL, got, sizeof got, NULL, &e, "EQ_bizLocation=" DCX, NULL), 0);
    assert_string_equal(got, "08,09,10");
    assert_int_equal(q(f, &other, EPC_FMT_DL, got, sizeof got, NULL, &e, "EQ_bizLocation=" DCX, NULL), 0);
    assert_string_equal(got, "09,10");
    /* output identifiers in the asked format */
    epcis_param p = {"EQ_eventID", E("06")};
    trace_vis all = {.all = true};
    epcis_query *qq;
    json_t *evs;
    assert_int_equal(epcis_query_compile(&p, 1, &all, true, &qq, &e), 0);
    assert_int_equal(epcis_query_run(f->c, qq, EPC_FMT_URN, -1, &evs, NULL, NULL, &e), 0);
    json_t *ev = json_array_get(evs, 0);
    assert_string_equal(json_string_value(json_object_get(ev, "parentID")),
                        "urn:epc:id:sscc:9506000.3000000003");
    assert_string_equal(json_string_value(json_array_get(json_object_get(ev, "childEPCs"), 0)),
                        "urn:epc:id:sgtin:9506000.013439.0001");
    assert_string_equal(json_string_value(json_object_get(json_array_get(
                            json_object_get(ev, "childQuantityList"), 0), "epcClass")),
                        "urn:epc:class:lgtin:9506000.013439.GB2609A");
    assert_string_equal(json_string_value(json_object_get(ev, "eventTime")),
                        "2026-09-19T11:00:00+08:00");
    assert_non_null(json_object_get(ev, "recordTime"));
    json_decref(evs);
    assert_int_equal(epcis_query_run(f->c, qq, EPC_FMT_DL, -1, &evs, NULL, NULL, &e), 0);
    assert_string_equal(json_string_value(json_object_get(json_array_get(evs, 0), "parentID")),
                        SSCC_X);
    json_decref(evs);
    epcis_query_free(qq);
}

/* ---------------------------------------------------------------- genealogy */

static json_t *walk(fx *f, trace_dir dir, const char *id, int depth, int64_t from, int64_t to)
{
    trace_opts o = {.dir = dir, .ids = &id, .nids = 1, .max_depth = depth, .from_ms = from,
                    .to_ms = to, .vis = {.all = true}, .fmt = EPC_FMT_DL};
    json_t *g = NULL;
    nqi_error e = {0};
    if (trace_walk(f->c, &o, &g, &e))
        fail_msg("walk: %s", e.message);
    return g;
}

static bool has_item(const json_t *g, const char *list, const char *id)
{
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(g, list), i, v)
    {
        if (!strcmp(json_string_value(json_object_get(v, "id")), id))
            return true;
    }
    return false;
}

static bool has_event(const json_t *g, const char *id)
{
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(g, "events"), i, v)
    {
        if (!strcmp(json_string_value(json_object_get(v, "eventID")), id))
            return true;
    }
    return false;
}

static void test_backward(void **state)
{
    fx *f = *state;
    json_t *g = walk(f, TRACE_BACKWARD, GB_01, 20, INT64_MIN, INT64_MAX);
    assert_true(has_item(g, "items", YC_A));
    assert_true(has_item(g, "items", YC_B));
    assert_true(has_item(g, "items", SSCC_X));
    assert_false(has_item(g, "items", GB_02)); /* a sibling output, not an ancestor */
    assert_false(has_item(g, "items", BOX_1)); /* the pallet's other content */
    assert_true(has_event(g, E("01")));        /* pond A harvest */
    assert_true(has_event(g, E("07")));        /* the pallet's shipping while it held GB_01 */
    assert_false(has_event(g, E("10")));       /* the pallet after GB_01 was taken out */
    assert_false(has_event(g, E("04")));       /* GB_02's transformation */
    json_decref(g);
    /* the pallet as start: its contents are traced back too */
    g = walk(f, TRACE_BACKWARD, SSCC_X, 20, INT64_MIN, INT64_MAX);
    assert_true(has_item(g, "items", GB_01));
    assert_true(has_item(g, "items", BOX_1));
    assert_true(has_item(g, "items", YC_A));
    json_decref(g);
}

static void test_forward(void **state)
{
    fx *f = *state;
    json_t *g = walk(f, TRACE_FORWARD, YC_A, 20, INT64_MIN, INT64_MAX);
    assert_true(has_item(g, "items", GB_01));
    assert_true(has_item(g, "items", SSCC_X));
    assert_false(has_item(g, "items", GB_02));
    assert_false(has_item(g, "items", BOX_1)); /* in the same pallet, not made from YC_A */
    assert_true(has_event(g, E("07")));
    assert_true(has_event(g, E("11")));        /* sold at the store */
    assert_false(has_event(g, E("10")));       /* pallet trip after GB_01 left it */
    assert_true(has_item(g, "nodes", DCX));
    assert_false(has_item(g, "nodes", WRONG));
    json_decref(g);
    /* YC_B went into both boxes; GB_02's erroneous shipping is not followed,
     * its corrective event is */
    g = walk(f, TRACE_FORWARD, YC_B, 20, INT64_MIN, INT64_MAX);
    assert_true(has_item(g, "items", GB_01));
    assert_true(has_item(g, "items", GB_02));
    assert_false(has_event(g, E("12")));
    assert_true(has_event(g, E("13")));
    assert_true(has_item(g, "nodes", STOREX));
    assert_false(has_item(g, "nodes", WRONG));
    json_decref(g);
    /* depth 1: the boxes but not the pallet they went into */
    g = walk(f, TRACE_FORWARD, YC_A, 1, INT64_MIN, INT64_MAX);
    assert_true(has_item(g, "items", GB_01));
    assert_false(has_item(g, "items", SSCC_X));
    json_decref(g);
    /* a window ending before the grading: nothing downstream */
    int64_t to;
    assert_int_equal(time_parse_iso8601("2026-09-19T00:00:00+08:00", &to), 0);
    g = walk(f, TRACE_FORWARD, YC_A, 20, INT64_MIN, to);
    assert_false(has_item(g, "items", GB_01));
    assert_int_equal(json_array_size(json_object_get(g, "events")), 1);
    json_decref(g);
}

static void test_recall(void **state)
{
    fx *f = *state;
    const char *ids[] = {YC_B};
    trace_vis vis = {.all = true};
    json_t *s = NULL;
    nqi_error e = {0};
    assert_int_equal(trace_recall(f->c, ids, 1, &vis, INT64_MIN, &s, &e), 0);
    json_t *counts = json_object_get(s, "counts");
    assert_int_equal(json_integer_value(json_object_get(counts, "lots")), 3); /* YC_B, GB_01, GB_02 */
    assert_int_equal(json_integer_value(json_object_get(counts, "containers")), 1);
    assert_true(has_item(s, "locations", DCX));
    assert_true(has_item(s, "locations", STOREX));
    assert_false(has_item(s, "locations", WRONG));
    assert_true(has_item(s, "parties", ORG_DC));
    char *data = NULL;
    size_t len = 0;
    assert_int_equal(trace_recall_file(s, "xlsx", &data, &len, &e), 0);
    assert_true(len > 1000 && !memcmp(data, "PK", 2));
    free(data);
    assert_int_equal(trace_recall_file(s, "csv", &data, &len, &e), 0);
    assert_true(!memcmp(data, "\xEF\xBB\xBF", 3));
    assert_non_null(strstr(data, "受影响批次," GB_02));
    assert_non_null(strstr(data, "物流单元," SSCC_X));
    free(data);
    json_decref(s);
}

static void test_exports(void **state)
{
    fx *f = *state;
    trace_vis vis = {.all = true};
    char *data = NULL;
    size_t len = 0;
    nqi_error e = {0};
    assert_int_equal(trace_fsma204(f->c, BOX, INT64_MIN, INT64_MAX, &vis, "csv", &data, &len, &e), 0);
    /* GB2609A: transformation, the pallet's shipping and receiving; GB2609B:
     * transformation and the corrective shipping (not the erroneous one) */
    assert_non_null(strstr(data, "GB2609A,09506000134390,阳澄湖大闸蟹礼盒,Transformation"));
    assert_non_null(strstr(data, "GB2609A,09506000134390,阳澄湖大闸蟹礼盒,Shipping"));
    assert_non_null(strstr(data, "GB2609A,09506000134390,阳澄湖大闸蟹礼盒,Receiving"));
    assert_non_null(strstr(data, "GB2609B,09506000134390,,Shipping 发货,2026-09-19T15:00:00.000+08:00"));
    assert_null(strstr(data, WRONG));
    assert_null(strstr(data, "retail")); /* selling is not a CTE */
    free(data);
    assert_int_equal(trace_fsma204(f->c, BOX, INT64_MIN, INT64_MAX, &vis, "xlsx", &data, &len, &e), 0);
    assert_true(!memcmp(data, "PK", 2));
    free(data);
    json_t *rep = NULL;
    assert_int_equal(trace_lot_report(f->c, GB_01, &vis, &rep, &e), 0);
    json_t *p = json_object_get(rep, "product");
    assert_string_equal(json_string_value(json_object_get(p, "name")), "阳澄湖大闸蟹礼盒");
    assert_string_equal(json_string_value(json_object_get(p, "lot")), "GB2609A");
    assert_string_equal(json_string_value(json_object_get(json_object_get(rep, "producer"),
                                                          "organisation")),
                        ORG_PACK);
    assert_int_equal(json_array_size(json_object_get(rep, "sale")), 1);
    assert_true(json_array_size(json_object_get(rep, "logistics")) >= 2);
    assert_int_equal(trace_lot_report_xlsx(rep, &data, &len, &e), 0);
    assert_true(!memcmp(data, "PK", 2));
    free(data);
    json_decref(rep);
}

static void test_consumer_page(void **state)
{
    fx *f = *state;
    nqi_error e = {0};
    /* an owner-written place name that tries to inject markup */
    tfx_event x = {.event_id = E("99"), .type = "ObjectEvent", .action = "OBSERVE",
                   .time = "2026-09-21T12:00:00+08:00", .step = "inspecting",
                   .disp = "conformant", .loc = STOREX, .owner = ORG_DC, .pub = 1,
                   .ids = {{"epc", GB_01, 1, "EA"}},
                   .extra = "{\"nqi:placeName\": \"<script>alert('x')</script>苏州门店\"}"};
    assert_int_equal(store_begin(f->c, true, &e), 0);
    assert_int_equal(trace_fixture_insert(f->c, &x, NULL, &e), 0);
    assert_int_equal(store_commit(f->c, &e), 0);
    char *html = NULL;
    size_t len = 0;
    assert_int_equal(trace_consumer_html(f->c, "/01/09506000134390/10/GB2609A", &html, &len, &e), 0);
    assert_non_null(strstr(html, "阳澄湖大闸蟹礼盒"));             /* product from the lot's ILMD */
    assert_non_null(strstr(html, "苏州市相城区阳澄湖镇A塘"));        /* origin: the harvest place */
    assert_non_null(strstr(html, "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;苏州门店"));
    assert_null(strstr(html, "<script>"));
    assert_null(strstr(html, ORG_PACK));                        /* no organisation codes */
    assert_null(strstr(html, "2026-09-20 06:00"));              /* the DC's private receiving */
    assert_non_null(strstr(html, "2026-09-19 14:00"));          /* the public shipping */
    free(html);
    assert_int_equal(trace_consumer_html(f->c, "/01/09506000134390/10/NOLOT", &html, &len, &e),
                     NQI_ENOTFOUND);
    assert_int_equal(trace_consumer_html(f->c, "/01/09506000134391/10/GB2609A", &html, &len, &e),
                     NQI_ENOTFOUND);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_match_urn_meets_digital_link, setup, teardown),
        cmocka_unit_test_setup_teardown(test_filters, setup, teardown),
        cmocka_unit_test_setup_teardown(test_order_and_paging, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_parameters, setup, teardown),
        cmocka_unit_test_setup_teardown(test_document_parameters, setup, teardown),
        cmocka_unit_test_setup_teardown(test_visibility_and_format, setup, teardown),
        cmocka_unit_test_setup_teardown(test_backward, setup, teardown),
        cmocka_unit_test_setup_teardown(test_forward, setup, teardown),
        cmocka_unit_test_setup_teardown(test_recall, setup, teardown),
        cmocka_unit_test_setup_teardown(test_exports, setup, teardown),
        cmocka_unit_test_setup_teardown(test_consumer_page, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
