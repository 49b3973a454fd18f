/*
 * consumer_links.c — certificates, inspection reports and the producer's
 * credit page on the consumer trace page (consumer_links.h), the public
 * page of one published result (/t/reports/{id}) and the page's links as
 * JSON (/api/v1/trace/consumer-links). Everything shown is public already:
 * events the owner marked public, results supervision published. The
 * producer is the one party named, by the name the public record or the
 * enterprise directory gives (a food label names its producer anyway);
 * other parties never appear. Contract: docs/modules/consumer-page.md.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/util.h"
#include "supervision/inspection.h"
#include "supervision/public_reports.h"
#include "trace/consumer_links.h"
#include "trace/query.h"

/* ---------------------------------------------------------------- certificates */

/* A member by its compact name or with the gs1:/cbvmda: prefix JSON-LD
 * documents use for the same term (CBV 2.0 master data attributes). */
static const char *term(const json_t *o, const char *name)
{
    static const char *const pre[] = {"", "gs1:", "cbvmda:"};
    for (size_t i = 0; i < 3; i++) {
        char k[64];
        snprintf(k, sizeof k, "%s%s", pre[i], name);
        const json_t *v = json_object_get(o, k);
        if (json_is_string(v) && *json_string_value(v))
            return json_string_value(v);
        if (json_is_object(v) && json_is_string(json_object_get(v, "@value")))
            return json_string_value(json_object_get(v, "@value"));
    }
    return NULL;
}

static bool web_uri(const char *s)
{
    return s && (!strncasecmp(s, "https://", 8) || !strncasecmp(s, "http://", 7));
}

/* Add one certificate unless the same one is in the list already. */
static void cert_add(json_t *list, const char *uri, const json_t *o)
{
    const char *std = o ? term(o, "certificationStandard") : NULL,
               *agency = o ? term(o, "certificationAgency") : NULL,
               *value = o ? term(o, "certificationValue") : NULL,
               *ident = o ? term(o, "certificationIdentification") : NULL;
    if (!uri && o)
        uri = term(o, "certificationInfo");
    if (!uri && !std && !agency && !ident)
        return;
    json_t *c = json_object();
    if (uri)
        json_object_set_new(c, "uri", json_string(uri));
    if (web_uri(uri))
        json_object_set_new(c, "link", json_string(uri));
    if (std)
        json_object_set_new(c, "standard", json_string(std));
    if (agency)
        json_object_set_new(c, "agency", json_string(agency));
    if (value)
        json_object_set_new(c, "value", json_string(value));
    if (ident)
        json_object_set_new(c, "identification", json_string(ident));
    size_t i;
    json_t *x;
    json_array_foreach(list, i, x) if (json_equal(x, c))
    {
        json_decref(c);
        return;
    }
    json_array_append_new(list, c);
}

/* certificationInfo: a URI or an array of URIs (EPCIS 2.0); objects are
 * taken too, since some senders put the certification details there. */
static void cert_info(json_t *list, const json_t *v)
{
    if (json_is_string(v))
        cert_add(list, json_string_value(v), NULL);
    else if (json_is_object(v))
        cert_add(list, NULL, v);
    else if (json_is_array(v)) {
        size_t i;
        json_t *e;
        json_array_foreach(v, i, e) if (!json_is_array(e)) cert_info(list, e);
    }
}

/* cbvmda:certificationList: {certification: obj | [obj]}, or an array. */
static void cert_list(json_t *list, const json_t *v)
{
    const json_t *c = json_is_object(v) ? json_object_get(v, "certification") : v;
    if (!c && json_is_object(v))
        c = json_object_get(v, "cbvmda:certification");
    if (json_is_object(c))
        cert_add(list, NULL, c);
    size_t i;
    json_t *e;
    json_array_foreach(c, i, e) if (json_is_object(e)) cert_add(list, NULL, e);
}

json_t *consumer_certificates(const json_t *docs)
{
    json_t *list = json_array(), *d;
    size_t i;
    json_array_foreach(docs, i, d)
    {
        cert_info(list, json_object_get(d, "certificationInfo"));
        cert_list(list, json_object_get(d, "cbvmda:certificationList"));
        const json_t *ilmd = json_object_get(d, "ilmd");
        cert_list(list, json_object_get(ilmd, "cbvmda:certificationList"));
    }
    return list;
}

/* ---------------------------------------------------------------- producer */

int consumer_producer(store_conn *c, const char *lot_canon, char code[24], nqi_error *err)
{
    static const char sql[] =
        "SELECT e.owner_org FROM epcis_events e JOIN epcis_event_ids i ON i.event = e.id "
        "WHERE i.ident = ? AND e.public = 1 AND e.error_declared_at IS NULL AND e.owner_org "
        "IS NOT NULL AND e.owner_org <> '' ORDER BY CASE WHEN i.role = 'output' OR (i.role = "
        "'epc' AND e.action = 'ADD') THEN 0 ELSE 1 END, e.event_time, e.id LIMIT 1";
    code[0] = '\0';
    char *v = NULL;
    nqi_error e = {0};
    int rc = store_query_text(c, sql, (store_val[]){SV_TEXT(lot_canon)}, 1, &v, &e);
    if (rc == NQI_ENOTFOUND)
        return 0;
    if (rc) {
        *err = e;
        return rc;
    }
    snprintf(code, 24, "%s", v ? v : "");
    free(v);
    return 0;
}

int consumer_links(store_conn *c, const gs1_id *id, const json_t *graph, const char *product,
                   json_t **out, nqi_error *err)
{
    *out = NULL;
    json_t *docs = json_array(), *ev;
    size_t i;
    json_array_foreach(json_object_get(graph, "events"), i, ev)
        json_array_append(docs, json_object_get(ev, "doc"));
    json_t *certs = consumer_certificates(docs), *prod = NULL;
    json_decref(docs);
    char code[24];
    int rc = consumer_producer(c, id->canonical, code, err);
    pubrep_filter f = {.product = product, .lot = id->lot, .limit = 10};
    if (!rc && code[0])
        rc = pubrep_for_producer(c, code, &f, &prod, err);
    if (rc) {
        json_decref(certs);
        return rc;
    }
    *out = json_pack("{s:o, s:o}", "certificates", certs, "producer", prod ? prod : json_null());
    return 0;
}

/* ---------------------------------------------------------------- HTML */

static void line(buf *b, const char *cls, const char *label, const char *v)
{
    if (!v || !*v)
        return;
    buf_printf(b, "<div class=\"%s\">", cls);
    if (label) {
        consumer_esc(b, label);
        buf_puts(b, "：");
    }
    consumer_esc(b, v);
    buf_puts(b, "</div>");
}

static void join_line(buf *b, const char *label, const json_t *a)
{
    if (!json_array_size(a))
        return;
    buf_puts(b, "<div class=\"t\">");
    consumer_esc(b, label);
    buf_puts(b, "：");
    size_t i;
    json_t *x;
    json_array_foreach(a, i, x)
    {
        if (i)
            buf_puts(b, "、");
        consumer_esc(b, json_string_value(x));
    }
    buf_puts(b, "</div>");
}

static void report_html(buf *b, const json_t *r)
{
    const char *match = json_string_value(json_object_get(r, "match"));
    bool ok = json_is_true(json_object_get(r, "ok"));
    buf_puts(b, "<li class=\"rep\" data-test=\"report\"><div class=\"t\">");
    consumer_esc(b, json_string_value(json_object_get(r, "date")));
    buf_puts(b, " · ");
    buf_puts(b, !strcmp(match, "lot")       ? "本批次抽检"
                : !strcmp(match, "product") ? "同类产品抽检"
                                            : "企业监督检查");
    buf_printf(b, "</div><div class=\"s\">");
    consumer_esc(b, json_string_value(json_object_get(r, "title")));
    buf_printf(b, " <span class=\"%s\" data-test=\"verdict\">", ok ? "ok" : "bad");
    consumer_esc(b, json_string_value(json_object_get(r, "verdict_label")));
    buf_puts(b, "</span></div>");
    line(b, "t", "产品", json_string_value(json_object_get(r, "product")));
    line(b, "t", "规格型号", json_string_value(json_object_get(r, "specification")));
    line(b, "t", "生产日期/批号", json_string_value(json_object_get(r, "batch")));
    line(b, "t", "组织单位", json_string_value(json_object_get(r, "authority")));
    line(b, "t", "承检机构", json_string_value(json_object_get(r, "lab")));
    join_line(b, "检验依据", json_object_get(r, "standards"));
    join_line(b, "检查事项", json_object_get(r, "items"));
    line(b, "t", NULL, json_string_value(json_object_get(r, "note")));
    buf_puts(b, "<div class=\"t\"><a href=\"");
    consumer_esc(b, json_string_value(json_object_get(r, "record_url")));
    buf_puts(b, "\">公示记录</a> · 发布于 ");
    consumer_esc(b, json_string_value(json_object_get(r, "published_on")));
    buf_puts(b, "</div></li>");
}

static void cert_html(buf *b, const json_t *c)
{
    const char *std = json_string_value(json_object_get(c, "standard")),
               *link = json_string_value(json_object_get(c, "link")),
               *uri = json_string_value(json_object_get(c, "uri"));
    buf_puts(b, "<li class=\"cert\" data-test=\"certificate\"><div class=\"s\">");
    consumer_esc(b, std ? std : "认证证书");
    buf_puts(b, "</div>");
    line(b, "t", "认证机构", json_string_value(json_object_get(c, "agency")));
    line(b, "t", "证书编号", json_string_value(json_object_get(c, "identification")));
    line(b, "t", "认证结果", json_string_value(json_object_get(c, "value")));
    if (link) {
        buf_puts(b, "<div><a rel=\"noopener nofollow\" href=\"");
        consumer_esc(b, link);
        buf_puts(b, "\">查看证书</a></div>");
    } else
        line(b, "t", "证书标识", uri);
    buf_puts(b, "</li>");
}

void consumer_links_html(buf *b, const json_t *links)
{
    const json_t *prod = json_object_get(links, "producer"),
                 *reps = json_object_get(prod, "reports"),
                 *certs = json_object_get(links, "certificates"), *x;
    size_t i;
    buf_puts(b, "<section data-test=\"reports\"><h2>检验报告</h2>");
    if (!json_array_size(reps))
        buf_puts(b, "<p class=\"t\">暂无与本产品相关的公开抽检或检查结果</p>");
    else {
        buf_puts(b, "<ul class=\"cards\">");
        json_array_foreach(reps, i, x) report_html(b, x);
        buf_puts(b, "</ul>");
    }
    buf_puts(b, "</section><section data-test=\"certificates\"><h2>认证证书</h2>");
    if (!json_array_size(certs))
        buf_puts(b, "<p class=\"t\">追溯记录中没有登记认证证书</p>");
    else {
        buf_puts(b, "<ul class=\"cards\">");
        json_array_foreach(certs, i, x) cert_html(b, x);
        buf_puts(b, "</ul>");
    }
    buf_puts(b, "</section>");
    const char *name = json_string_value(json_object_get(prod, "name"));
    if (!name)
        return;
    buf_puts(b, "<section data-test=\"producer\"><h2>生产企业</h2><div class=\"s\">");
    consumer_esc(b, name);
    buf_puts(b, "</div>");
    json_array_foreach(json_object_get(prod, "lists"), i, x)
    {
        const char *l = json_string_value(json_object_get(x, "list"));
        buf_puts(b, "<div class=\"bad\">");
        buf_puts(b, !strcmp(l, "serious") ? "列入严重违法失信名单" : "列入经营异常名录");
        buf_puts(b, "（");
        consumer_esc(b, json_string_value(json_object_get(x, "entered_on")));
        buf_puts(b, "）</div>");
    }
    if (json_is_true(json_object_get(prod, "in_directory"))) {
        buf_puts(b, "<div><a data-test=\"credit-link\" href=\"/supervision/credit/");
        consumer_esc(b, json_string_value(json_object_get(prod, "credit_code")));
        buf_puts(b, "\">企业信用信息公示</a></div>");
    }
    buf_puts(b, "</section>");
}

/* ---------------------------------------------------------------- routes */

/* The public page of one published result: the record as logged. */
static char *report_page(const json_t *p, size_t *len)
{
    const json_t *rec = json_object_get(p, "record");
    bool spot = !strcmp(json_string_value(json_object_get(p, "kind")), "spot_check");
    const char *res = json_string_value(json_object_get(p, "result"));
    bool ok = res && (!strcmp(res, "pass") || !strcmp(res, "normal"));
    buf b;
    buf_init(&b, 0);
    consumer_page_head(&b, spot ? "产品质量监督抽查结果" : "监督检查结果");
    buf_puts(&b, "<header><h1>");
    buf_puts(&b, spot ? "产品质量监督抽查结果" : "监督检查结果");
    buf_puts(&b, "</h1><p>");
    consumer_esc(&b, json_string_value(json_object_get(p, "entity_name")));
    buf_puts(&b, "</p></header><section><div class=\"s\">");
    consumer_esc(&b, spot ? json_string_value(json_object_get(rec, "spot_check"))
                          : pubrep_task_title(json_string_value(json_object_get(rec, "source"))));
    buf_printf(&b, " <span class=\"%s\" data-test=\"verdict\">", ok ? "ok" : "bad");
    consumer_esc(&b, spot ? (ok ? "合格" : "不合格")
                          : json_string_value(json_object_get(rec, "result_label")));
    buf_puts(&b, "</span></div>");
    static const char *const keys[][2] = {
        {"sample_no", "抽样单编号"}, {"product", "产品"},          {"specification", "规格型号"},
        {"batch", "生产日期/批号"},  {"lab", "承检机构"},          {"sampled_on", "抽样日期"},
        {"tested_on", "检验日期"},   {"inspected_on", "检查日期"}, {"correction_due", "整改期限"},
    };
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        line(&b, "t", keys[i][1], json_string_value(json_object_get(rec, keys[i][0])));
    size_t i;
    json_t *x;
    json_array_foreach(json_object_get(rec, "failed_items"), i, x)
    {
        buf_puts(&b, "<div class=\"bad\">不合格项目：");
        consumer_esc(&b, json_string_value(json_object_get(x, "item")));
        buf_puts(&b, "（");
        consumer_esc(&b, json_string_value(json_object_get(x, "standard")));
        buf_puts(&b, "，标准要求 ");
        consumer_esc(&b, json_string_value(json_object_get(x, "requirement")));
        buf_puts(&b, "，实测 ");
        consumer_esc(&b, json_string_value(json_object_get(x, "measured")));
        buf_puts(&b, "）</div>");
    }
    json_array_foreach(json_object_get(rec, "items"), i, x)
    { /* an inspection's items: what was checked and whether it conformed */
        const json_t *cf = json_object_get(x, "conforms");
        buf_printf(&b, "<div class=\"%s\">", json_is_false(cf) ? "bad" : "t");
        consumer_esc(&b, json_string_value(json_object_get(x, "name")));
        buf_puts(&b, json_is_true(cf) ? "：符合" : json_is_false(cf) ? "：不符合" : "：未检查");
        buf_puts(&b, "</div>");
    }
    const json_t *re = json_object_get(rec, "recheck");
    if (json_is_object(re)) {
        const char *v = json_string_value(json_object_get(re, "verdict"));
        buf_puts(&b, "<div>复检（");
        consumer_esc(&b, json_string_value(json_object_get(re, "tested_on")));
        buf_printf(&b, "）：%s</div>", v && !strcmp(v, "pass") ? "合格" : "不合格");
    }
    buf_printf(&b,
               "<div class=\"t\">发布日期 %s · <a href=\"/api/v1/inspections/public/%lld\">原始记录"
               "（JSON）</a> · <a href=\"%s\">防篡改证明</a></div></section>"
               "<footer>公示记录已写入 nqi 公开日志（Merkle 树），可用 nqi verify 离线核验"
               "</footer></body></html>",
               json_string_value(json_object_get(p, "published_on")),
               (long long)json_integer_value(json_object_get(p, "id")),
               json_string_value(json_object_get(p, "proof_url")));
    *len = b.len;
    return buf_steal(&b);
}

static void h_report(http_req *r, http_resp *w)
{
    nqi_error err = {0};
    int64_t id = 0;
    json_t *p = NULL;
    int rc = http_param_id(r, "id", "publication", &id, &err);
    if (!rc)
        rc = insp_public_get(r->db, id, &p, &err);
    if (rc == NQI_ENOTFOUND || (rc == NQI_EINVAL)) {
        buf b;
        buf_init(&b, 0);
        consumer_page_head(&b, "公示记录");
        buf_puts(&b, "<header><h1>未找到公示记录</h1></header></body></html>");
        size_t len = b.len;
        http_resp_text(w, 404, "text/html; charset=utf-8", buf_steal(&b), len);
    } else if (rc) {
        http_resp_problem(w, r, &err);
    } else {
        size_t len = 0;
        char *html = report_page(p, &len);
        http_resp_text(w, 200, "text/html; charset=utf-8", html, len);
        http_resp_header(w, "Cache-Control", "public, max-age=300");
    }
    json_decref(p);
}

static void h_links(http_req *r, http_resp *w)
{
    nqi_error err = {0};
    const char *v = http_query(r, "id");
    gs1_id id;
    json_t *g = NULL, *links = NULL;
    int rc = 0;
    if (!v || !*v)
        rc = nqi_error_field(&err, NQI_EINVAL, "id", "required: a GTIN + lot (Digital Link)");
    else if (gs1_parse(v, strlen(v), &id, &err))
        rc = err.code = NQI_EINVAL;
    else if (id.kind != GS1_KIND_GTIN || !id.lot[0])
        rc = nqi_error_field(&err, NQI_EINVAL, "id", "a GTIN with a lot (AI 10) is needed");
    if (!rc)
        rc = consumer_lot(r->db, &id, &g, &err);
    if (!rc)
        rc = consumer_links(r->db, &id, g, consumer_product(g), &links, &err);
    if (rc) {
        http_resp_problem(w, r, &err);
    } else {
        json_object_set_new(links, "id", json_string(id.canonical));
        json_object_set_new(links, "product",
                            consumer_product(g) ? json_string(consumer_product(g)) : json_null());
        http_resp_json(w, 200, links);
    }
    json_decref(g);
}

void consumer_links_routes(http_server *s)
{
    http_route(s, "GET", "/t/reports/{id}", ROLES_ANY, h_report, 0,
               "public page of one published inspection / spot-check result, Chinese HTML");
    http_route(s, "GET", "/api/v1/trace/consumer-links", ROLES_ANY, h_links, 0,
               "certificates, published inspection results and the producer's public credit "
               "page for a lot, from its public events");
}
