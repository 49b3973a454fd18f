/*
 * trace_demo.c — a demo supply chain written straight into the event
 * tables (trace_module's demo hook, `nqi trace demo`, the API tests), and
 * trace_fixture_insert, which builds an EPCIS 2.0 JSON-LD document from a
 * compact description and writes its rows.
 *
 * The chain: 五常大米 (Wuchang rice, 稻花香2号). Two farms in 五常市
 * harvest paddy lots; the mill receives, inspects and mills them into rice
 * lots (TransformationEvent); the packer builds two SSCC pallets (one mixed);
 * the pallets go to a 哈尔滨 cold-chain DC (the first shipping event named
 * the wrong DC in 沈阳 and was declared erroneous, with a corrective event),
 * one pallet on to a 上海 supermarket, is unpacked and sold; the empty pallet
 * then goes back. Every key uses the company prefix 9506000 of GS1's Digital
 * Link example GTIN 09506000134352 (in the GCP table, so EPC URN output
 * works), all with correct check digits; credit codes are valid GB 32100
 * codes of invented organisations.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "core/auth.h"
#include "core/json.h"
#include "core/util.h"
#include "supervision/inspection.h"
#include "trace/query.h"

/* ---------------------------------------------------------------- writer */

static void add_class(json_t *doc, const char *list, const tfx_id *x)
{
    json_t *a = json_object_get(doc, list);
    if (!a) {
        a = json_array();
        json_object_set_new(doc, list, a);
    }
    json_array_append_new(a, json_pack("{s:s, s:f, s:s?}", "epcClass", x->ident, "quantity",
                                       x->qty, "uom", x->uom));
}

static void add_epc(json_t *doc, const char *list, const char *id)
{
    json_t *a = json_object_get(doc, list);
    if (!a) {
        a = json_array();
        json_object_set_new(doc, list, a);
    }
    json_array_append_new(a, json_string(id));
}

static void add_typed(json_t *doc, const char *list, const char *key, const char *type,
                      const char *id)
{
    json_t *a = json_object_get(doc, list);
    if (!a) {
        a = json_array();
        json_object_set_new(doc, list, a);
    }
    json_array_append_new(a, json_pack("{s:s, s:s}", "type", type, key, id));
}

static json_t *build_doc(const tfx_event *ev, int64_t *t_ms, char *tz, nqi_error *err)
{
    if (time_parse_iso8601(ev->time, t_ms) || strlen(ev->time) < 6)
        return nqi_error_field(err, NQI_EINVAL, "eventTime", "bad time %s", ev->time), NULL;
    const char *off = ev->time + strlen(ev->time) - 6;
    snprintf(tz, 7, "%s", off[0] == '+' || off[0] == '-' ? off : "+00:00");
    json_t *d = json_pack("{s:s, s:s, s:s, s:s}", "type", ev->type, "eventID", ev->event_id,
                          "eventTime", ev->time, "eventTimeZoneOffset", tz);
    if (ev->action)
        json_object_set_new(d, "action", json_string(ev->action));
    if (ev->step)
        json_object_set_new(d, "bizStep", json_string(ev->step));
    if (ev->disp)
        json_object_set_new(d, "disposition", json_string(ev->disp));
    if (ev->rp)
        json_object_set_new(d, "readPoint", json_pack("{s:s}", "id", ev->rp));
    if (ev->loc)
        json_object_set_new(d, "bizLocation", json_pack("{s:s}", "id", ev->loc));
    if (ev->xform)
        json_object_set_new(d, "transformationID", json_string(ev->xform));
    for (int i = 0; i < TFX_MAX_IDS && ev->ids[i].role; i++) {
        const tfx_id *x = &ev->ids[i];
        bool cls = x->qty > 0;
        if (!strcmp(x->role, "epc"))
            cls ? add_class(d, "quantityList", x) : add_epc(d, "epcList", x->ident);
        else if (!strcmp(x->role, "child"))
            cls ? add_class(d, "childQuantityList", x) : add_epc(d, "childEPCs", x->ident);
        else if (!strcmp(x->role, "input"))
            cls ? add_class(d, "inputQuantityList", x) : add_epc(d, "inputEPCList", x->ident);
        else if (!strcmp(x->role, "output"))
            cls ? add_class(d, "outputQuantityList", x) : add_epc(d, "outputEPCList", x->ident);
        else if (!strcmp(x->role, "parent"))
            json_object_set_new(d, "parentID", json_string(x->ident));
        else if (!strncmp(x->role, "source:", 7))
            add_typed(d, "sourceList", "source", x->role + 7, x->ident);
        else if (!strncmp(x->role, "destination:", 12))
            add_typed(d, "destinationList", "destination", x->role + 12, x->ident);
        else if (!strncmp(x->role, "biz_transaction:", 16))
            add_typed(d, "bizTransactionList", "bizTransaction", x->role + 16, x->ident);
    }
    if (ev->extra) {
        json_t *x = json_loads(ev->extra, JSON_REJECT_DUPLICATES, NULL);
        if (!json_is_object(x)) {
            json_decref(x);
            json_decref(d);
            return nqi_error_field(err, NQI_EINVAL, "extra", "not a JSON object"), NULL;
        }
        json_object_update(d, x);
        json_decref(x);
    }
    if (ev->error_at) {
        json_t *ed = json_pack("{s:s}", "declarationTime", ev->error_at);
        if (ev->error_reason)
            json_object_set_new(ed, "reason", json_string(ev->error_reason));
        if (ev->corrective)
            json_object_set_new(ed, "correctiveEventIDs", json_pack("[s]", ev->corrective));
        json_object_set_new(d, "errorDeclaration", ed);
    }
    return d;
}

int trace_fixture_insert(store_conn *c, const tfx_event *ev, int64_t *row, nqi_error *err)
{
    static const char ins[] =
        "INSERT INTO epcis_events (event_id, event_hash, event_type, action, event_time, "
        "event_tz, record_time, biz_step, disposition, read_point, biz_location, "
        "transformation_id, parent_id, error_declared_at, error_reason, corrective_ids, "
        "owner_org, public, doc) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
        "RETURNING id";
    static const char ins_id[] = "INSERT INTO epcis_event_ids (event, role, ident, is_class, "
                                 "quantity, uom) VALUES (?, ?, ?, ?, ?, ?)";
    int64_t t;
    char tz[8];
    json_t *d = build_doc(ev, &t, tz, err);
    if (!d)
        return err->code;
    char *doc = json_dumps(d, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(d);
    unsigned char h[32];
    crypto_hash_sha256(h, (const unsigned char *)doc, strlen(doc));
    char hex[65], hash[90], corr[300] = "";
    hex_encode(h, 32, hex);
    snprintf(hash, sizeof hash, "demo:sha-256;%s", hex);
    int64_t err_at = 0;
    if (ev->error_at && time_parse_iso8601(ev->error_at, &err_at)) {
        free(doc);
        return nqi_error_field(err, NQI_EINVAL, "errorDeclaration", "bad declaration time");
    }
    if (ev->corrective)
        snprintf(corr, sizeof corr, "[\"%s\"]", ev->corrective);
    const char *parent = NULL;
    for (int i = 0; i < TFX_MAX_IDS && ev->ids[i].role; i++)
        if (!strcmp(ev->ids[i].role, "parent"))
            parent = ev->ids[i].ident;
    char step[128] = "", disp[128] = "";
    if (ev->step)
        cbv_bare(ev->step, step, sizeof step);
    if (ev->disp)
        cbv_bare(ev->disp, disp, sizeof disp);
    store_val p[] = {SV_TEXT(ev->event_id),
                     SV_TEXT(hash),
                     SV_TEXT(ev->type),
                     SV_TEXT(ev->action),
                     SV_INT(t),
                     SV_TEXT(tz),
                     SV_INT(now_ms()),
                     SV_TEXT(ev->step ? step : NULL),
                     SV_TEXT(ev->disp ? disp : NULL),
                     SV_TEXT(ev->rp),
                     SV_TEXT(ev->loc),
                     SV_TEXT(ev->xform),
                     SV_TEXT(parent),
                     ev->error_at ? SV_INT(err_at) : SV_NULL,
                     SV_TEXT(ev->error_reason),
                     SV_TEXT(ev->corrective ? corr : NULL),
                     SV_TEXT(ev->owner),
                     SV_INT(ev->pub),
                     SV_TEXT(doc)};
    int64_t id = 0;
    int rc = store_query_int(c, ins, p, 19, &id, err);
    free(doc);
    for (int i = 0; !rc && i < TFX_MAX_IDS && ev->ids[i].role; i++) {
        const tfx_id *x = &ev->ids[i];
        store_val q[] = {SV_INT(id),
                         SV_TEXT(x->role),
                         SV_TEXT(x->ident),
                         SV_INT(x->qty > 0),
                         x->qty > 0 ? SV_REAL(x->qty) : SV_NULL,
                         SV_TEXT(x->qty > 0 ? x->uom : NULL)};
        rc = store_exec(c, ins_id, q, 6, NULL, err);
    }
    if (row)
        *row = id;
    return rc;
}

/* ---------------------------------------------------------------- the chain */

#define DL "https://id.gs1.org/"
#define PADDY DL "01/09506000134376"
#define RICE DL "01/09506000134352"
#define LOT_A01 PADDY "/10/WC2026A01"
#define LOT_A02 PADDY "/10/WC2026A02"
#define LOT_B01 PADDY "/10/WC2026B01"
#define RICE_03 RICE "/10/DHX261003"
#define RICE_04 RICE "/10/DHX261004"
#define FARM_A DL "414/9506000000015"
#define FARM_B DL "414/9506000000022"
#define MILL DL "414/9506000000039"
#define DC DL "414/9506000000046"
#define DC_WRONG DL "414/9506000000060"
#define STORE DL "414/9506000000053"
#define P_FARM_A DL "417/9506000000015"
#define P_FARM_B DL "417/9506000000022"
#define P_MILL DL "417/9506000000039"
#define P_DC DL "417/9506000000046"
#define P_DC_WRONG DL "417/9506000000060"
#define P_STORE DL "417/9506000000053"
#define SSCC1 DL "00/395060000000000016"
#define SSCC2 DL "00/395060000000000023"
#define ORG_FARM_A "93230184MA1B2C3D4Q" /* 五常市民乐红光水稻种植专业合作社 */
#define ORG_FARM_B "92230184MA1B2C3H8C" /* 五常市龙凤山乐园家庭农场 */
#define ORG_MILL "91230184MA1B2C3E53"   /* 五常市稻香米业有限公司 */
#define ORG_DC "91230102MA1B2C3F6E"     /* 哈尔滨北冷链物流有限公司 */
#define ORG_STORE "91310115MA1B2C3G7U"  /* 上海浦东鲜丰超市有限公司 */
#define EV(n) "urn:uuid:6f1d2c3a-5c0b-4e2a-9a1e-0000000000" n
/* The rice lot's certificates as CBV 2.0 cbvmda:certificationList in the
 * ILMD of the event that creates it: organic (GB/T 19630) and 绿色食品. The
 * numbers are invented; the links go to where such certificates are looked
 * up (CNCA's certificate search, the Green Food Development Center). */
#define RICE_CERTS                                                                              \
    "{\"certification\": [{\"certificationStandard\": \"GB/T 19630-2019 有机产品 生产、加工、" \
    "标识与管理体系要求\", \"certificationAgency\": \"中绿华夏有机产品认证中心\", "              \
    "\"certificationValue\": \"有机产品认证（加工）\", \"certificationIdentification\": "       \
    "\"010OP2600123（演示）\", \"certificationInfo\": \"http://cx.cnca.cn/\"}, "                 \
    "{\"certificationStandard\": \"NY/T 419-2021 绿色食品 稻米\", \"certificationAgency\": "   \
    "\"中国绿色食品发展中心\", \"certificationValue\": \"绿色食品A级\", "                       \
    "\"certificationIdentification\": \"LB-18-26100123456A（演示）\", \"certificationInfo\": " \
    "\"http://www.greenfood.org.cn/\"}]}"
#define SRC(t, x) {"source:" t, x, 0, NULL}
#define DST(t, x) {"destination:" t, x, 0, NULL}

/* Positional rows read best here; the trailing error fields are NULL. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
static const tfx_event demo_chain[] = {
    {EV("01"), "ObjectEvent", "ADD", "2026-09-26T09:00:00.000+08:00", "creating_class_instance",
     "active", FARM_A, FARM_A, NULL, ORG_FARM_A, 1,
     {{"epc", LOT_A01, 12000, "KGM"}, {"epc", LOT_A02, 9000, "KGM"}},
     "{\"ilmd\": {\"cbvmda:countryOfOrigin\": \"CN\", \"cbvmda:harvestStartDate\": "
     "\"2026-09-24\", \"cbvmda:harvestEndDate\": \"2026-09-26\", \"nqi:productName\": "
     "\"五常稻花香2号稻谷\"}, \"nqi:placeName\": \"黑龙江省五常市民乐朝鲜族乡红光村种植基地\"}"},
    {EV("02"), "ObjectEvent", "ADD", "2026-09-27T10:00:00.000+08:00", "creating_class_instance",
     "active", FARM_B, FARM_B, NULL, ORG_FARM_B, 1, {{"epc", LOT_B01, 8000, "KGM"}},
     "{\"ilmd\": {\"cbvmda:countryOfOrigin\": \"CN\", \"cbvmda:harvestStartDate\": "
     "\"2026-09-25\", \"nqi:productName\": \"五常稻花香2号稻谷\"}, \"nqi:placeName\": "
     "\"黑龙江省五常市龙凤山镇乐园村家庭农场\"}"},
    {EV("03"), "ObjectEvent", "OBSERVE", "2026-09-29T08:00:00.000+08:00", "shipping",
     "in_transit", FARM_A, FARM_A, NULL, ORG_FARM_A, 1,
     {{"epc", LOT_A01, 12000, "KGM"}, {"epc", LOT_A02, 9000, "KGM"},
      SRC("owning_party", P_FARM_A), SRC("location", FARM_A), DST("owning_party", P_MILL),
      DST("location", MILL), {"biz_transaction:desadv", "urn:epcglobal:cbv:bt:9506000000015:WC-FH-0929", 0, NULL}},
     "{\"nqi:placeName\": \"黑龙江省五常市民乐朝鲜族乡红光村种植基地\"}"},
    {EV("04"), "ObjectEvent", "OBSERVE", "2026-09-29T15:00:00.000+08:00", "receiving",
     "in_progress", MILL, MILL, NULL, ORG_MILL, 1,
     {{"epc", LOT_A01, 12000, "KGM"}, {"epc", LOT_A02, 9000, "KGM"},
      SRC("owning_party", P_FARM_A), SRC("location", FARM_A), DST("owning_party", P_MILL),
      DST("location", MILL)},
     "{\"nqi:placeName\": \"五常市稻香米业加工厂\"}"},
    {EV("05"), "ObjectEvent", "OBSERVE", "2026-09-30T09:00:00.000+08:00", "shipping",
     "in_transit", FARM_B, FARM_B, NULL, ORG_FARM_B, 0,
     {{"epc", LOT_B01, 8000, "KGM"}, SRC("owning_party", P_FARM_B), SRC("location", FARM_B),
      DST("owning_party", P_MILL), DST("location", MILL)},
     NULL},
    {EV("06"), "ObjectEvent", "OBSERVE", "2026-09-30T14:00:00.000+08:00", "receiving",
     "in_progress", MILL, MILL, NULL, ORG_MILL, 0,
     {{"epc", LOT_B01, 8000, "KGM"}, SRC("owning_party", P_FARM_B), SRC("location", FARM_B),
      DST("owning_party", P_MILL), DST("location", MILL)},
     NULL},
    {EV("07"), "ObjectEvent", "OBSERVE", "2026-10-01T10:00:00.000+08:00", "inspecting",
     "conformant", MILL, MILL, NULL, ORG_MILL, 1,
     {{"epc", LOT_A01, 12000, "KGM"}, {"epc", LOT_A02, 9000, "KGM"}, {"epc", LOT_B01, 8000, "KGM"}},
     "{\"nqi:placeName\": \"五常市稻香米业加工厂\", \"nqi:inspection\": {\"standard\": "
     "\"GB/T 1354-2018\", \"result\": \"合格\", \"note\": \"水分 14.2%，杂质 0.2%，"
     "符合一级稻谷要求\"}}"},
    {EV("08"), "TransformationEvent", NULL, "2026-10-03T08:30:00.000+08:00", "commissioning",
     "active", MILL, MILL, "urn:uuid:0b7e1f00-2026-4a00-8000-000000001003", ORG_MILL, 1,
     {{"input", LOT_A01, 12000, "KGM"}, {"input", LOT_A02, 9000, "KGM"},
      {"output", RICE_03, 2730, "EA"}},
     "{\"ilmd\": {\"cbvmda:countryOfOrigin\": \"CN\", \"cbvmda:itemExpirationDate\": "
     "\"2027-10-02\", \"nqi:productName\": \"五常大米（稻花香2号）5kg\", "
     "\"cbvmda:certificationList\": " RICE_CERTS "}, \"nqi:placeName\": "
     "\"五常市稻香米业加工厂\"}"},
    {EV("09"), "TransformationEvent", NULL, "2026-10-04T08:30:00.000+08:00", "commissioning",
     "active", MILL, MILL, "urn:uuid:0b7e1f00-2026-4a00-8000-000000001004", ORG_MILL, 1,
     {{"input", LOT_B01, 8000, "KGM"}, {"output", RICE_04, 1040, "EA"}},
     "{\"ilmd\": {\"cbvmda:countryOfOrigin\": \"CN\", \"cbvmda:itemExpirationDate\": "
     "\"2027-10-03\", \"nqi:productName\": \"五常大米（稻花香2号）5kg\"}, \"nqi:placeName\": "
     "\"五常市稻香米业加工厂\"}"},
    {EV("10"), "AggregationEvent", "ADD", "2026-10-05T09:00:00.000+08:00", "packing",
     "in_progress", MILL, MILL, NULL, ORG_MILL, 1,
     {{"parent", SSCC1, 0, NULL}, {"child", RICE_03, 200, "EA"}},
     "{\"nqi:placeName\": \"五常市稻香米业加工厂\"}"},
    {EV("11"), "AggregationEvent", "ADD", "2026-10-05T09:30:00.000+08:00", "packing",
     "in_progress", MILL, MILL, NULL, ORG_MILL, 1,
     {{"parent", SSCC2, 0, NULL}, {"child", RICE_04, 200, "EA"}, {"child", RICE_03, 40, "EA"}},
     "{\"nqi:placeName\": \"五常市稻香米业加工厂\"}"},
    /* the shipping event as first sent: wrong DC; declared erroneous */
    {EV("12"), "ObjectEvent", "OBSERVE", "2026-10-06T07:00:00.000+08:00", "shipping",
     "in_transit", MILL, MILL, NULL, ORG_MILL, 1,
     {{"epc", SSCC1, 0, NULL}, {"epc", SSCC2, 0, NULL}, SRC("owning_party", P_MILL),
      SRC("location", MILL), DST("owning_party", P_DC_WRONG), DST("location", DC_WRONG)},
     NULL, "2026-10-06T12:00:00.000+08:00", "incorrect_data", EV("13")},
    {EV("13"), "ObjectEvent", "OBSERVE", "2026-10-06T07:00:00.000+08:00", "shipping",
     "in_transit", MILL, MILL, NULL, ORG_MILL, 1,
     {{"epc", SSCC1, 0, NULL}, {"epc", SSCC2, 0, NULL}, SRC("owning_party", P_MILL),
      SRC("location", MILL), DST("owning_party", P_DC), DST("location", DC)},
     "{\"nqi:placeName\": \"五常市稻香米业加工厂\"}"},
    {EV("14"), "ObjectEvent", "OBSERVE", "2026-10-07T16:00:00.000+08:00", "receiving",
     "in_progress", DC, DC, NULL, ORG_DC, 0,
     {{"epc", SSCC1, 0, NULL}, {"epc", SSCC2, 0, NULL}, SRC("owning_party", P_MILL),
      SRC("location", MILL), DST("owning_party", P_DC), DST("location", DC)},
     NULL},
    {EV("15"), "ObjectEvent", "OBSERVE", "2026-10-09T06:00:00.000+08:00", "shipping",
     "in_transit", DC, DC, NULL, ORG_DC, 1,
     {{"epc", SSCC1, 0, NULL}, SRC("owning_party", P_DC), SRC("location", DC),
      DST("owning_party", P_STORE), DST("location", STORE)},
     "{\"nqi:placeName\": \"哈尔滨市道里区冷链物流中心\"}"},
    {EV("16"), "ObjectEvent", "OBSERVE", "2026-10-10T14:00:00.000+08:00", "receiving",
     "in_progress", STORE, STORE, NULL, ORG_STORE, 1,
     {{"epc", SSCC1, 0, NULL}, SRC("owning_party", P_DC), SRC("location", DC),
      DST("owning_party", P_STORE), DST("location", STORE)},
     "{\"nqi:placeName\": \"上海市浦东新区鲜丰超市\"}"},
    {EV("17"), "AggregationEvent", "DELETE", "2026-10-10T15:00:00.000+08:00", "unpacking",
     "in_progress", STORE, STORE, NULL, ORG_STORE, 1, {{"parent", SSCC1, 0, NULL}},
     "{\"nqi:placeName\": \"上海市浦东新区鲜丰超市\"}"},
    {EV("18"), "ObjectEvent", "OBSERVE", "2026-10-11T10:00:00.000+08:00", "retail_selling",
     "retail_sold", STORE, STORE, NULL, ORG_STORE, 1, {{"epc", RICE_03, 20, "EA"}},
     "{\"nqi:placeName\": \"上海市浦东新区鲜丰超市\"}"},
    /* the empty pallet goes back to the DC: not part of the rice's story */
    {EV("19"), "ObjectEvent", "OBSERVE", "2026-10-12T08:00:00.000+08:00", "shipping",
     "in_transit", STORE, STORE, NULL, ORG_STORE, 0,
     {{"epc", SSCC1, 0, NULL}, SRC("location", STORE), DST("location", DC)},
     NULL},
};
#pragma GCC diagnostic pop

/* The mill's rice in the province's spot check: sampled from the demo lot
 * in the shop, tested against the national contaminant and mycotoxin
 * limits, passed and published, so the consumer page of the lot shows it.
 * Made through the inspection module's public functions (a result that
 * reached the public log), not by writing its tables. */
static int demo_spot_check(store_conn *c, nqi_error *err)
{
    /* once per database: a fixture may wipe the events and load them again */
    int64_t have = 0;
    int rc = store_query_int(c, "SELECT COUNT(*) FROM spot_samples WHERE sample_no = ?",
                             (store_val[]){SV_TEXT("SC2026230184001")}, 1, &have, err);
    if (rc || have)
        return rc;
    http_principal p;
    auth_cli_principal(&p);
    json_t *in = json_pack("{s:s, s:i, s:s, s:s, s:s}", "name",
                           "2026年黑龙江省大米产品质量监督抽查（演示）", "year", 2026, "product",
                           "大米", "department", "黑龙江省市场监督管理局", "lab",
                           "黑龙江省产品质量监督检验研究院"),
           *out = NULL;
    rc = spot_check_create(c, &p, in, &out, err);
    json_decref(in);
    int64_t check = rc ? 0 : json_integer_value(json_object_get(out, "id")), sample = 0;
    json_decref(out);
    in = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "sample_no", "SC2026230184001",
                   "product", "大米", "specification", "5kg/袋", "batch", "DHX261003",
                   "producer_code", ORG_MILL, "producer_name", "五常市稻香米业有限公司",
                   "sampled_on", "2026-10-12", "quantity", "4袋");
    out = NULL;
    if (!rc)
        rc = spot_sample_add(c, &p, check, in, &out, err);
    json_decref(in);
    if (!rc)
        sample = json_integer_value(json_object_get(out, "id"));
    json_decref(out);
    in = json_pack("{s:s, s:[{s:s, s:s, s:s, s:s, s:b}, {s:s, s:s, s:s, s:s, s:b}, "
                   "{s:s, s:s, s:s, s:s, s:b}, {s:s, s:s, s:s, s:s, s:b}]}",
                   "tested_on", "2026-10-20", "items", "item", "铅（以Pb计）", "standard",
                   "GB 2762-2022", "requirement", "≤0.2 mg/kg", "measured", "0.03 mg/kg", "pass",
                   1, "item", "镉（以Cd计）", "standard", "GB 2762-2022", "requirement",
                   "≤0.2 mg/kg", "measured", "0.05 mg/kg", "pass", 1, "item",
                   "无机砷（以As计）", "standard", "GB 2762-2022", "requirement", "≤0.35 mg/kg",
                   "measured", "0.08 mg/kg", "pass", 1, "item", "黄曲霉毒素B1", "standard",
                   "GB 2761-2017", "requirement", "≤10 μg/kg", "measured", "未检出", "pass", 1);
    out = NULL;
    if (!rc)
        rc = spot_sample_results(c, &p, sample, false, in, &out, err);
    json_decref(in);
    json_decref(out);
    out = NULL;
    if (!rc)
        rc = insp_publish(c, &p, INSP_SAMPLE, sample, &out, err);
    json_decref(out);
    return rc;
}

int trace_demo(nqi_app *app, store_conn *c, nqi_error *err)
{
    if (sodium_init() < 0)
        return nqi_error_set(err, NQI_EINTERNAL, "libsodium failed to initialise");
    int64_t n = 0;
    int rc = store_query_int(c, "SELECT COUNT(*) FROM epcis_events WHERE event_id = ?",
                             (store_val[]){SV_TEXT(demo_chain[0].event_id)}, 1, &n, err);
    if (rc || n)
        return rc; /* already there */
    for (size_t i = 0; !rc && i < sizeof demo_chain / sizeof demo_chain[0]; i++)
        rc = trace_fixture_insert(c, &demo_chain[i], NULL, err);
    return rc ? rc : demo_spot_check(c, err);
}
