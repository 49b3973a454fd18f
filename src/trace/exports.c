/*
 * exports.c — regulatory exports built on the genealogy walk.
 *
 * FSMA 204 (21 CFR 1 subpart S) sortable spreadsheet: for a product (GTIN)
 * and a date range, one row per critical tracking event of each of its
 * lots, with the key data elements: traceability lot code, product
 * description, quantity and unit, location (GLN and name), date, ship-from
 * / ship-to, reference documents, TLC source. A lot's events are those of a
 * one-hop forward walk from it: its own events and those of the logistic
 * units (SSCC) while they held it — a pallet's shipping is the lot's
 * shipping. CTE from the event: TransformationEvent = Transformation;
 * creation with harvest dates in ILMD = Harvesting, other creation =
 * Initial Packing; shipping, receiving, cooling by business step; other
 * events are not CTEs and are left out.
 *
 * Per-lot trace report in the terms of GB/T 38155 (重要产品追溯 追溯术语) and
 * the content GB/T 38158 (重要产品追溯 产品追溯系统基本要求) asks a system to
 * keep: 产品信息, 批次, 生产者, 过程记录, 检验, 物流, 销售 — from the backward
 * and forward walks of the lot.
 */
#define _GNU_SOURCE
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "trace/gs1.h"
#include "trace/query.h"

/* ---------------------------------------------------------------- helpers */

static const char *str(const json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

static const char *ilmd(const json_t *doc, const char *k)
{
    return str(json_object_get(doc, "ilmd"), k);
}

/* The typed entries of a list ("sourceList", key "source") whose type is
 * `type`, joined with "; ". */
static char *typed(const json_t *doc, const char *list, const char *key, const char *type)
{
    buf b;
    buf_init(&b, 0);
    size_t i;
    const json_t *v;
    json_array_foreach(json_object_get(doc, list), i, v)
    {
        char t[64];
        cbv_bare(str(v, "type") ? str(v, "type") : "", t, sizeof t);
        if (type && strcmp(t, type))
            continue;
        if (b.len)
            buf_puts(&b, "; ");
        if (!type)
            buf_printf(&b, "%s:", t);
        buf_puts(&b, str(v, key) ? str(v, key) : "");
    }
    return b.data ? buf_steal(&b) : xstrdup("");
}

/* Quantity and unit of canonical id in an event document's class lists. */
static bool quantity_of(const json_t *doc, const char *id, double *q, const char **uom)
{
    static const char *const lists[] = {"quantityList", "childQuantityList", "inputQuantityList",
                                        "outputQuantityList"};
    for (size_t k = 0; k < 4; k++) {
        size_t i;
        const json_t *v;
        json_array_foreach(json_object_get(doc, lists[k]), i, v)
        {
            char c[GS1_INPUT_MAX + 1];
            nqi_error e = {0};
            const char *cls = str(v, "epcClass");
            if (cls && !trace_canon(cls, "epcClass", c, sizeof c, &e) && !strcmp(c, id)) {
                *q = json_number_value(json_object_get(v, "quantity"));
                *uom = str(v, "uom");
                return true;
            }
        }
    }
    return false;
}

static int walk_lot(store_conn *c, const char *lot, trace_dir dir, int depth,
                    const trace_vis *vis, json_t **out, nqi_error *err)
{
    trace_opts o = {.dir = dir,
                    .ids = &lot,
                    .nids = 1,
                    .max_depth = depth,
                    .from_ms = INT64_MIN,
                    .to_ms = INT64_MAX,
                    .vis = *vis,
                    .fmt = EPC_FMT_DL,
                    .with_docs = true};
    return trace_walk(c, &o, out, err);
}

/* ---------------------------------------------------------------- FSMA 204 */

static const char *cte_of(const json_t *ev)
{
    const char *type = str(ev, "type"), *step = str(ev, "bizStep"), *act = str(ev, "action");
    const json_t *doc = json_object_get(ev, "doc");
    if (!strcmp(type, "TransformationEvent"))
        return "Transformation 加工转化";
    if (step && (!strcmp(step, "creating_class_instance") || !strcmp(step, "commissioning")) &&
        act && !strcmp(act, "ADD"))
        return ilmd(doc, "cbvmda:harvestStartDate") ? "Harvesting 采收" : "Initial Packing 初次包装";
    if (step && !strcmp(step, "shipping"))
        return "Shipping 发货";
    if (step && !strcmp(step, "receiving"))
        return "Receiving 收货";
    if (step && !strcmp(step, "cooling"))
        return "Cooling 预冷";
    return NULL;
}

static const char *const fsma_heads[] = {
    "可追溯批次代码 Traceability Lot Code", "产品 GTIN", "产品描述 Product Description",
    "关键追踪事件 CTE", "日期 Date", "数量 Quantity", "单位 Unit of Measure",
    "地点 GLN Location", "地点名称 Location Description", "发货地 Ship-From",
    "收货地 Ship-To", "参考单据 Reference Documents", "批次代码来源 TLC Source",
    "物流单元 Logistic Unit", "事件ID Event ID"};
#define FSMA_COLS 15

/* Rows of one lot. */
static int fsma_lot(store_conn *c, const char *lot, int64_t from, int64_t to,
                    const trace_vis *vis, json_t *rows, nqi_error *err)
{
    json_t *g = NULL;
    int rc = walk_lot(c, lot, TRACE_FORWARD, 1, vis, &g, err);
    if (rc)
        return rc;
    gs1_id id;
    nqi_error e = {0};
    gs1_parse(lot, strlen(lot), &id, &e);
    const char *product = NULL, *tlc_source = NULL;
    size_t i;
    const json_t *ev;
    json_array_foreach(json_object_get(g, "events"), i, ev)
    {
        const json_t *doc = json_object_get(ev, "doc");
        if (!product && ilmd(doc, "nqi:productName"))
            product = ilmd(doc, "nqi:productName");
        if (!tlc_source && (!strcmp(str(ev, "type"), "TransformationEvent") ||
                            (str(ev, "action") && !strcmp(str(ev, "action"), "ADD") &&
                             !strcmp(str(ev, "type"), "ObjectEvent"))))
            tlc_source = str(ev, "bizLocation");
    }
    json_array_foreach(json_object_get(g, "events"), i, ev)
    {
        const char *cte = cte_of(ev);
        const json_t *doc = json_object_get(ev, "doc");
        int64_t t;
        if (!cte || time_parse_iso8601(str(ev, "eventTime"), &t) || t < from || t >= to)
            continue;
        double q = 0;
        const char *uom = NULL;
        bool hasq = quantity_of(doc, lot, &q, &uom);
        char *sf = typed(doc, "sourceList", "source", "location");
        char *st = typed(doc, "destinationList", "destination", "location");
        char *refs = typed(doc, "bizTransactionList", "bizTransaction", NULL);
        /* a logistic unit's event: name the unit */
        const char *unit = NULL;
        if (!hasq) {
            const json_t *l = json_object_get(doc, "epcList");
            unit = json_string_value(json_array_get(l, 0));
        }
        json_array_append_new(
            rows, json_pack("[s, s, s?, s, s, o, s?, s?, s?, s, s, s, s?, s?, s]", id.lot, id.key,
                            product, cte, str(ev, "eventTime"),
                            hasq ? json_real(q) : json_null(), uom, str(ev, "bizLocation"),
                            str(doc, "nqi:placeName"), sf, st, refs, tlc_source, unit,
                            str(ev, "eventID")));
        free(sf);
        free(st);
        free(refs);
    }
    json_decref(g);
    return 0;
}

int trace_fsma204(store_conn *c, const char *gtin_canon, int64_t from_ms, int64_t to_ms,
                  const trace_vis *vis, const char *format, char **out, size_t *len,
                  nqi_error *err)
{
    /* the product's lots: class identifiers GTIN/10/… */
    static const char sql[] = "SELECT DISTINCT i.ident FROM epcis_event_ids i WHERE "
                              "i.ident >= ? AND i.ident < ? ORDER BY i.ident";
    char lo[GS1_CANON_MAX + 8], hi[GS1_CANON_MAX + 8];
    snprintf(lo, sizeof lo, "%s/10/", gtin_canon);
    snprintf(hi, sizeof hi, "%s/100", gtin_canon); /* '0' = '/' + 1 */
    store_rows *r;
    int rc = store_query(c, sql, (store_val[]){SV_TEXT(lo), SV_TEXT(hi)}, 2, &r, err);
    if (rc)
        return rc;
    json_t *lots = json_array();
    while ((rc = store_next(r)) == 1)
        json_array_append_new(lots, json_string(store_text(r, 0)));
    rc = rc < 0 ? store_rows_error(r, err) : 0;
    store_rows_close(r);
    json_t *rows = json_array();
    size_t i;
    const json_t *l;
    json_array_foreach(lots, i, l)
    {
        if (!rc)
            rc = fsma_lot(c, json_string_value(l), from_ms, to_ms, vis, rows, err);
    }
    json_decref(lots);
    if (!rc) {
        /* sort by date, then lot: a stable order users can re-sort */
        size_t n = json_array_size(rows);
        for (size_t a = 1; a < n; a++)
            for (size_t b = a; b > 0; b--) {
                json_t *x = json_array_get(rows, b - 1), *y = json_array_get(rows, b);
                if (strcmp(json_string_value(json_array_get(x, 4)),
                           json_string_value(json_array_get(y, 4))) <= 0)
                    break;
                json_incref(x);
                json_array_set(rows, b - 1, y);
                json_array_set_new(rows, b, x);
            }
        rc = trace_sheet("FSMA 204", fsma_heads, FSMA_COLS, rows, format, out, len, err);
    }
    json_decref(rows);
    return rc;
}

/* ---------------------------------------------------------------- lot report */

static json_t *ev_row(const json_t *ev)
{
    const json_t *doc = json_object_get(ev, "doc");
    char *sf = typed(doc, "sourceList", "source", "location");
    char *st = typed(doc, "destinationList", "destination", "location");
    json_t *o = json_pack("{s:s, s:s, s:s?, s:s?, s:s?, s:s?, s:s?, s:s, s:s, s:s}", "time",
                          str(ev, "eventTime"), "step", trace_step_zh(str(ev, "bizStep")),
                          "bizStep", str(ev, "bizStep"), "disposition", str(ev, "disposition"),
                          "location", str(ev, "bizLocation"), "place",
                          str(doc, "nqi:placeName"), "owner", str(ev, "owner"), "from", sf,
                          "to", st, "eventID", str(ev, "eventID"));
    const json_t *insp = json_object_get(doc, "nqi:inspection");
    if (insp)
        json_object_set(o, "inspection", (json_t *)insp);
    free(sf);
    free(st);
    return o;
}

int trace_lot_report(store_conn *c, const char *lot, const trace_vis *vis, json_t **out,
                     nqi_error *err)
{
    json_t *bw = NULL, *fw = NULL;
    int rc = walk_lot(c, lot, TRACE_BACKWARD, 20, vis, &bw, err);
    if (!rc)
        rc = walk_lot(c, lot, TRACE_FORWARD, 1, vis, &fw, err);
    if (rc) {
        json_decref(bw);
        return rc;
    }
    gs1_id id;
    nqi_error e = {0};
    gs1_parse(lot, strlen(lot), &id, &e);
    json_t *seen = json_object(), *all = json_array();
    const json_t *lists[] = {json_object_get(bw, "events"), json_object_get(fw, "events")};
    for (int k = 0; k < 2; k++) {
        size_t i;
        json_t *ev;
        json_array_foreach(lists[k], i, ev)
        {
            if (json_object_get(seen, str(ev, "eventID")))
                continue;
            json_object_set_new(seen, str(ev, "eventID"), json_true());
            json_array_append(all, ev);
        }
    }
    json_decref(seen);
    json_t *process = json_array(), *insp = json_array(), *logi = json_array(),
           *sale = json_array();
    json_t *product = json_pack("{s:s, s:s, s:s}", "gtin", id.key, "lot", id.lot, "id", lot);
    json_t *producer = json_null();
    size_t i;
    json_t *ev;
    json_array_foreach(all, i, ev)
    {
        const char *type = str(ev, "type"), *step = str(ev, "bizStep");
        const json_t *doc = json_object_get(ev, "doc");
        bool makes = false;
        double q;
        const char *u;
        if ((!strcmp(type, "TransformationEvent") || (str(ev, "action") && !strcmp(str(ev, "action"), "ADD") &&
                                                      !strcmp(type, "ObjectEvent"))) &&
            quantity_of(doc, lot, &q, &u))
            makes = true; /* the event that made this lot */
        if (makes) {
            json_decref(producer);
            producer = json_pack("{s:s?, s:s?, s:s?, s:s}", "organisation", str(ev, "owner"),
                                 "location", str(ev, "bizLocation"), "place",
                                 str(doc, "nqi:placeName"), "time", str(ev, "eventTime"));
            static const char *const keys[][2] = {{"nqi:productName", "name"},
                                                  {"cbvmda:itemExpirationDate", "expiry"},
                                                  {"cbvmda:countryOfOrigin", "country_of_origin"}};
            for (int k = 0; k < 3; k++)
                if (ilmd(doc, keys[k][0]))
                    json_object_set_new(product, keys[k][1], json_string(ilmd(doc, keys[k][0])));
            json_object_set_new(product, "quantity", json_real(q));
            if (u)
                json_object_set_new(product, "uom", json_string(u));
        }
        json_t *row = ev_row(ev);
        if (step && !strcmp(step, "inspecting"))
            json_array_append_new(insp, row);
        else if (step && !strcmp(step, "retail_selling"))
            json_array_append_new(sale, row);
        else if (step && (!strcmp(step, "shipping") || !strcmp(step, "receiving") ||
                          !strcmp(step, "storing") || !strcmp(step, "loading") ||
                          !strcmp(step, "arriving") || !strcmp(step, "departing")))
            json_array_append_new(logi, row);
        else
            json_array_append_new(process, row);
    }
    json_decref(all);
    json_decref(bw);
    json_decref(fw);
    char t[32];
    *out = json_pack("{s:s, s:s, s:o, s:o, s:o, s:o, s:o, s:o}", "standard",
                     "GB/T 38155-2019 术语; GB/T 38158-2019 基本要求", "generated_at",
                     time_iso8601(now_ms(), t, sizeof t), "product", product, "producer",
                     producer, "process", process, "inspection", insp, "logistics", logi, "sale",
                     sale);
    return 0;
}

static json_t *section_rows(const json_t *list)
{
    static const char *const keys[] = {"time", "step", "disposition", "place", "location",
                                       "from", "to", "owner", "eventID"};
    json_t *rows = json_array();
    size_t i;
    const json_t *v;
    json_array_foreach(list, i, v)
    {
        json_t *row = json_array();
        for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++) {
            json_t *x = json_object_get(v, keys[k]);
            json_array_append_new(row, x ? json_incref(x) : json_null());
        }
        const json_t *in = json_object_get(v, "inspection");
        char *note = in ? xasprintf("%s %s %s", str(in, "standard") ? str(in, "standard") : "",
                                    str(in, "result") ? str(in, "result") : "",
                                    str(in, "note") ? str(in, "note") : "")
                        : NULL;
        json_array_append_new(row, note ? json_string(note) : json_null());
        free(note);
        json_array_append_new(rows, row);
    }
    return rows;
}

int trace_lot_report_xlsx(const json_t *rep, char **out, size_t *len, nqi_error *err)
{
    const json_t *p = json_object_get(rep, "product"), *pr = json_object_get(rep, "producer");
    json_t *info = json_array();
    static const char *const pk[][2] = {{"name", "产品名称"}, {"gtin", "商品条码 GTIN"},
                                        {"lot", "批次"},       {"expiry", "保质期至"},
                                        {"country_of_origin", "原产国"}, {"id", "批次标识"}};
    for (int k = 0; k < 6; k++)
        json_array_append_new(info, json_pack("[s, s?]", pk[k][1], str(p, pk[k][0])));
    static const char *const rk[][2] = {{"organisation", "生产者（统一社会信用代码）"},
                                        {"place", "生产地点"}, {"location", "生产地点 GLN"},
                                        {"time", "生产时间"}};
    for (int k = 0; k < 4; k++)
        json_array_append_new(info, json_pack("[s, s?]", rk[k][1], str(pr, rk[k][0])));
    json_array_append_new(info, json_pack("[s, s]", "依据", str(rep, "standard")));
    json_t *sheets = json_pack("[{s:s, s:[s,s], s:o}]", "title", "产品与生产者", "heads", "项目",
                               "内容", "rows", info);
    static const char *const secs[][2] = {
        {"process", "过程记录"}, {"inspection", "检验"}, {"logistics", "物流"}, {"sale", "销售"}};
    for (int k = 0; k < 4; k++)
        json_array_append_new(
            sheets, json_pack("{s:s, s:[s,s,s,s,s,s,s,s,s,s], s:o}", "title", secs[k][1], "heads",
                              "时间", "环节", "处置状态", "地点", "地点 GLN", "来源地", "去向地",
                              "记录单位", "事件ID", "检验说明", "rows",
                              section_rows(json_object_get(rep, secs[k][0]))));
    int rc = trace_workbook(sheets, out, len, err);
    json_decref(sheets);
    return rc;
}
