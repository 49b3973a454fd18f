/*
 * consumer.c — the public trace page behind the QR code on a package:
 * GET /t/01/{gtin}/10/{lot}, a GS1 Digital Link path on this server. A
 * server-rendered, mobile-first Chinese HTML page: product, origin and the
 * key steps on a timeline, built from the backward trace of the lot over
 * public events only (events the owner marked public = 1). Party data
 * (source/destination parties, owner organisations) is never printed;
 * places are shown by the name the owner put on the public event
 * (`nqi:placeName`), else not at all. Every value is HTML-escaped.
 */
#define _GNU_SOURCE
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "trace/consumer_links.h"
#include "trace/gs1.h"
#include "trace/query.h"

#define esc consumer_esc

/* HTML-escape s into b. */
void consumer_esc(buf *b, const char *s)
{
    for (; s && *s; s++) {
        switch (*s) {
        case '&': buf_puts(b, "&amp;"); break;
        case '<': buf_puts(b, "&lt;"); break;
        case '>': buf_puts(b, "&gt;"); break;
        case '"': buf_puts(b, "&quot;"); break;
        case '\'': buf_puts(b, "&#39;"); break;
        default: buf_append(b, s, 1);
        }
    }
}

const char *trace_step_zh(const char *step)
{
    static const char *const map[][2] = {
        {"creating_class_instance", "批次登记"}, {"commissioning", "生产赋码"},
        {"shipping", "发货"},                  {"receiving", "收货"},
        {"inspecting", "检验"},                {"transforming", "加工"},
        {"packing", "装箱"},                   {"unpacking", "拆箱"},
        {"retail_selling", "零售"},            {"storing", "仓储"},
        {"accepting", "验收"},                 {"loading", "装车"},
        {"departing", "出发"},                 {"arriving", "到达"},
        {"holding", "暂存"},                   {"cooling", "预冷"},
        {"sensor_reporting", "温湿度监测"},     {"decommissioning", "注销"},
    };
    for (size_t i = 0; step && i < sizeof map / sizeof map[0]; i++)
        if (!strcmp(step, map[i][0]))
            return map[i][1];
    return step ? step : "记录";
}

static const char *disp_zh(const char *d)
{
    static const char *const map[][2] = {
        {"conformant", "合格"}, {"non_conformant", "不合格"}, {"in_transit", "运输中"},
        {"retail_sold", "已售出"}, {"active", "有效"}, {"recalled", "已召回"},
    };
    for (size_t i = 0; d && i < sizeof map / sizeof map[0]; i++)
        if (!strcmp(d, map[i][0]))
            return map[i][1];
    return NULL;
}

static const char *ilmd_str(const json_t *doc, const char *k)
{
    return json_string_value(json_object_get(json_object_get(doc, "ilmd"), k));
}

void consumer_page_head(buf *b, const char *title)
{
    buf_puts(b, "<!doctype html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\">"
                "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
                "<title>");
    esc(b, title);
    buf_puts(b, "</title><style>"
                "body{margin:0;font-family:-apple-system,'PingFang SC','Microsoft YaHei',sans-serif;"
                "background:#f4f6f8;color:#1f2d3d}"
                "header{background:#1d6f42;color:#fff;padding:18px 16px}"
                "header h1{font-size:20px;margin:0 0 4px}header p{margin:0;opacity:.85;font-size:13px}"
                "section{background:#fff;margin:12px;border-radius:8px;padding:14px 16px}"
                "h2{font-size:16px;margin:0 0 10px}dl{margin:0}dt{color:#8492a6;font-size:12px}"
                "dd{margin:0 0 8px}ol{list-style:none;margin:0;padding:0 0 0 14px;"
                "border-left:2px solid #1d6f42}li{position:relative;margin:0 0 14px;padding-left:8px}"
                "li:before{content:'';position:absolute;left:-21px;top:4px;width:10px;height:10px;"
                "border-radius:50%;background:#1d6f42}.t{color:#8492a6;font-size:12px}"
                ".s{font-weight:600}.ok{color:#1d6f42}.bad{color:#c0392b}"
                "ul.cards{list-style:none;margin:0;padding:0}ul.cards li{border:1px solid #e4e7ed;"
                "border-radius:6px;padding:10px 12px;margin:0 0 10px}ul.cards li:before{display:none}"
                "span.ok,span.bad{display:inline-block;padding:0 6px;border-radius:4px;font-size:13px;"
                "color:#fff}span.ok{background:#1d6f42}span.bad{background:#c0392b}"
                "a{color:#1d6f42;word-break:break-all}"
                "footer{font-size:12px;color:#8492a6;text-align:center;padding:12px}"
                "</style></head><body>");
}

static void not_found(http_resp *w, int status, const char *why)
{
    buf b;
    buf_init(&b, 0);
    consumer_page_head(&b, "追溯信息");
    buf_puts(&b, "<header><h1>未找到追溯信息</h1><p>");
    esc(&b, why);
    buf_puts(&b, "</p></header><footer>nqi 质量追溯</footer></body></html>");
    size_t len = b.len;
    http_resp_text(w, status, "text/html; charset=utf-8", buf_steal(&b), len);
}

const char *consumer_product(const json_t *g)
{
    const char *product = NULL;
    size_t i;
    const json_t *ev;
    json_array_foreach(json_object_get(g, "events"), i, ev)
    {
        const json_t *doc = json_object_get(ev, "doc");
        if (ilmd_str(doc, "nqi:productName"))
            product = ilmd_str(doc, "nqi:productName"); /* the latest: the lot itself */
    }
    return product;
}

/* The page for a lot from its public backward trace and what it links to
 * (consumer_links). */
static char *render(const json_t *g, const json_t *links, const gs1_id *id, size_t *len)
{
    const json_t *events = json_object_get(g, "events"), *ev;
    const char *product = consumer_product(g), *origin = NULL, *country = NULL, *expiry = NULL,
               *hs = NULL, *he = NULL;
    size_t i;
    json_array_foreach(events, i, ev)
    {
        const json_t *doc = json_object_get(ev, "doc");
        if (ilmd_str(doc, "cbvmda:itemExpirationDate"))
            expiry = ilmd_str(doc, "cbvmda:itemExpirationDate");
        if (!country && ilmd_str(doc, "cbvmda:countryOfOrigin"))
            country = ilmd_str(doc, "cbvmda:countryOfOrigin");
        if (!hs && ilmd_str(doc, "cbvmda:harvestStartDate")) {
            hs = ilmd_str(doc, "cbvmda:harvestStartDate");
            he = ilmd_str(doc, "cbvmda:harvestEndDate");
            origin = json_string_value(json_object_get(doc, "nqi:placeName"));
        }
    }
    if (!origin && json_array_size(events))
        origin = json_string_value(
            json_object_get(json_object_get(json_array_get(events, 0), "doc"), "nqi:placeName"));
    buf b;
    buf_init(&b, 0);
    consumer_page_head(&b, product ? product : "产品追溯");
    buf_puts(&b, "<header><h1>");
    esc(&b, product ? product : "产品追溯信息");
    buf_puts(&b, "</h1><p>批次 ");
    esc(&b, id->lot);
    buf_puts(&b, " · GTIN ");
    esc(&b, id->key);
    buf_puts(&b, "</p></header><section><h2>产品信息</h2><dl>");
    static const char *const labels[] = {"产地", "原产国", "采收日期", "保质期至"};
    char harvest[64] = "";
    if (hs)
        snprintf(harvest, sizeof harvest, "%s%s%s", hs, he ? " 至 " : "", he ? he : "");
    const char *vals[] = {origin, country && !strcmp(country, "CN") ? "中国" : country,
                          hs ? harvest : NULL, expiry};
    for (int k = 0; k < 4; k++)
        if (vals[k]) {
            buf_printf(&b, "<dt>%s</dt><dd>", labels[k]);
            esc(&b, vals[k]);
            buf_puts(&b, "</dd>");
        }
    buf_puts(&b, "</dl></section>");
    consumer_links_html(&b, links);
    buf_puts(&b, "<section data-test=\"timeline\"><h2>追溯时间轴</h2><ol>");
    json_array_foreach(events, i, ev)
    {
        const json_t *doc = json_object_get(ev, "doc");
        const char *t = json_string_value(json_object_get(ev, "eventTime"));
        const char *step = json_string_value(json_object_get(ev, "bizStep"));
        const char *d = disp_zh(json_string_value(json_object_get(ev, "disposition")));
        const char *place = json_string_value(json_object_get(doc, "nqi:placeName"));
        const json_t *insp = json_object_get(doc, "nqi:inspection");
        buf_puts(&b, "<li><div class=\"t\">");
        char when[20] = "";
        if (t) /* 2026-10-03T08:30:00.000+08:00 -> 2026-10-03 08:30 */
            snprintf(when, sizeof when, "%.10s %.5s", t, t + 11);
        esc(&b, when);
        buf_puts(&b, "</div><div class=\"s\">");
        esc(&b, trace_step_zh(step));
        if (d) {
            buf_printf(&b, " <span class=\"%s\">", strcmp(d, "不合格") ? "ok" : "bad");
            esc(&b, d);
            buf_puts(&b, "</span>");
        }
        buf_puts(&b, "</div>");
        if (place) {
            buf_puts(&b, "<div>");
            esc(&b, place);
            buf_puts(&b, "</div>");
        }
        if (json_is_object(insp)) {
            buf_puts(&b, "<div class=\"t\">");
            esc(&b, json_string_value(json_object_get(insp, "standard")));
            buf_puts(&b, " ");
            esc(&b, json_string_value(json_object_get(insp, "result")));
            buf_puts(&b, "：");
            esc(&b, json_string_value(json_object_get(insp, "note")));
            buf_puts(&b, "</div>");
        }
        buf_puts(&b, "</li>");
    }
    buf_puts(&b, "</ol></section><footer>数据来自企业按 GS1 EPCIS 标准上报并公开的追溯记录"
                 " · nqi 质量追溯</footer></body></html>");
    *len = b.len;
    return buf_steal(&b);
}

int consumer_lot(store_conn *c, const gs1_id *id, json_t **graph, nqi_error *err)
{
    *graph = NULL;
    const char *start = id->canonical;
    trace_opts o = {.dir = TRACE_BACKWARD,
                    .ids = &start,
                    .nids = 1,
                    .max_depth = 20,
                    .from_ms = INT64_MIN,
                    .to_ms = INT64_MAX,
                    .vis = {.public_only = true},
                    .fmt = EPC_FMT_DL,
                    .with_docs = true};
    json_t *g = NULL;
    int rc = trace_walk(c, &o, &g, err);
    if (rc)
        return rc;
    if (!json_array_size(json_object_get(g, "events"))) {
        json_decref(g);
        return nqi_error_set(err, NQI_ENOTFOUND, "该批次暂无公开的追溯记录");
    }
    *graph = g;
    return 0;
}

int trace_consumer_html(store_conn *c, const char *path, char **html, size_t *len,
                        nqi_error *err)
{
    gs1_id id;
    nqi_error pe = {0};
    if (gs1_parse(path, strlen(path), &id, &pe) || id.kind != GS1_KIND_GTIN || !id.lot[0])
        return nqi_error_set(err, NQI_ENOTFOUND, "二维码内容不是有效的商品批次标识");
    json_t *g = NULL, *links = NULL;
    int rc = consumer_lot(c, &id, &g, err);
    if (!rc)
        rc = consumer_links(c, &id, g, consumer_product(g), &links, err);
    if (!rc)
        *html = render(g, links, &id, len);
    json_decref(links);
    json_decref(g);
    return rc;
}

static void h_page(http_req *r, http_resp *w)
{
    nqi_error err = {0};
    char *path = xasprintf("/01/%s/10/%s", http_param(r, "gtin"), http_param(r, "lot"));
    char *html = NULL;
    size_t len = 0;
    int rc = trace_consumer_html(r->db, path, &html, &len, &err);
    free(path);
    if (rc == NQI_ENOTFOUND) {
        not_found(w, 404, err.message);
    } else if (rc) {
        http_resp_problem(w, r, &err);
    } else {
        http_resp_text(w, 200, "text/html; charset=utf-8", html, len);
        http_resp_header(w, "Cache-Control", "public, max-age=300");
    }
}

void trace_consumer_routes(http_server *s)
{
    http_route(s, "GET", "/t/01/{gtin}/10/{lot}", ROLES_ANY, h_page, 0,
               "consumer trace page of a lot (GS1 Digital Link path), Chinese HTML");
    consumer_links_routes(s);
}
