/*
 * supervision_http.c — the routes of the directories and the draws, and
 * supervision_module with its demo data. Handlers parse and validate, call
 * directory.c / draws.c, render JSON. Contract: docs/modules/supervision.md.
 *
 *   POST /api/v1/entities/import            regulator, admin (text/csv)
 *   GET  /api/v1/entities                   staff
 *   GET  /api/v1/entities/{credit_code}     public (staff see risk tags)
 *   POST /api/v1/inspectors/import          regulator, admin (text/csv)
 *   GET  /api/v1/inspectors                 staff
 *   POST /api/v1/inspection-items           regulator, admin
 *   GET  /api/v1/inspection-items           public
 *   POST /api/v1/draws                      regulator, admin  -> committed
 *   POST /api/v1/draws/{id}/run             regulator, admin  -> drawn
 *   POST /api/v1/draws/{id}/reveal          regulator, admin  -> revealed
 *   POST /api/v1/draws/{id}/redraw          regulator, admin
 *   GET  /api/v1/draws, /draws/{id}, /draws/{id}/record, /draws/{id}/verification  public
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/auth.h"
#include "core/json.h"
#include "core/util.h"
#include "supervision/credit_code.h"
#include "supervision/internal.h"
#include "supervision/supervision.h"

#define IMPORT_BODY_LIMIT ((size_t)64 * 1024 * 1024)

static bool is_staff(const http_req *r)
{
    return (r->principal.role & ROLES_STAFF) != 0;
}

/* Integer query parameter in [min, max], default def; field error otherwise. */
static int64_t qint(const http_req *r, const char *name, int64_t def, int64_t min, int64_t max,
                    nqi_error *err)
{
    const char *v = http_query(r, name);
    if (!v || !*v)
        return def;
    char *end;
    long long x = strtoll(v, &end, 10);
    if (*end || x < min || x > max) {
        nqi_error_field(err, NQI_EINVAL, name, "an integer %lld-%lld", (long long)min,
                        (long long)max);
        return def;
    }
    return x;
}

/* ---------------------------------------------------------------- directories */

/* The 422 of a rejected import: every row through the shared responder. */
static void import_problem(http_resp *w, const http_req *r, const nqi_error *err,
                           const sup_import_report *rep)
{
    http_row_error *rows = xcalloc(rep->nerrors ? rep->nerrors : 1, sizeof *rows);
    for (size_t i = 0; i < rep->nerrors; i++)
        rows[i] = (http_row_error){rep->errors[i].row, rep->errors[i].field,
                                   rep->errors[i].message};
    http_resp_rows_problem(w, r, err->message, rows, rep->nerrors, rep->nerrors);
    free(rows);
}

void sup_http_import(http_req *r, http_resp *w, sup_import_fn fn, void *ctx)
{
    nqi_error err = {0};
    char mt[64];
    http_media_type(r, mt, sizeof mt);
    if (strcmp(mt, "text/csv") && strcmp(mt, "application/csv") && strcmp(mt, "text/plain")) {
        http_resp_error(w, r, NQI_EMEDIA, "Content-Type must be text/csv (UTF-8 or GB18030)");
        return;
    }
    if (!r->body || !r->body_len) {
        nqi_error_field(&err, NQI_EBADREQ, "body", "empty body");
        http_resp_problem(w, r, &err);
        return;
    }
    bool dry = http_query_flag(r, "dry_run");
    sup_import_report rep;
    int rc = fn(r->db, &r->principal, r->body, r->body_len, dry, ctx, &rep, &err);
    if (rc && rep.nerrors)
        import_problem(w, r, &err, &rep);
    else if (rc)
        http_resp_problem(w, r, &err);
    else
        http_resp_json(w, 200,
                       json_pack("{s:I, s:I, s:I, s:b}", "rows", (json_int_t)rep.rows, "inserted",
                                 (json_int_t)rep.inserted, "updated", (json_int_t)rep.updated,
                                 "dry_run", dry));
    supervision_import_report_free(&rep);
}

/* sup_import_fn of a directory; ctx points to its sup_dir. */
static int dir_import(store_conn *c, const http_principal *actor, const char *data, size_t len,
                      bool dry_run, void *ctx, sup_import_report *rep, nqi_error *err)
{
    return supervision_import(c, actor, *(const sup_dir *)ctx, data, len, dry_run, rep, err);
}

static void h_entities_import(http_req *r, http_resp *w)
{
    sup_dir d = SUP_ENTITIES;
    sup_http_import(r, w, dir_import, &d);
}

static void h_inspectors_import(http_req *r, http_resp *w)
{
    sup_dir d = SUP_INSPECTORS;
    sup_http_import(r, w, dir_import, &d);
}

static const char *qget(void *ctx, const char *name)
{
    return http_query(ctx, name);
}

static void h_entities(http_req *r, http_resp *w)
{
    nqi_error err = {0};
    sup_entity_query q;
    json_t *out = NULL;
    if (supervision_entity_query_params(qget, r, &q, &err) ||
        supervision_entity_search(r->db, &q, &out, &err))
        http_resp_problem(w, r, &err);
    else
        http_resp_json(w, 200, out);
}

static void h_entity(http_req *r, http_resp *w)
{
    nqi_error err = {0};
    json_t *out = NULL;
    if (supervision_entity_get(r->db, http_param(r, "credit_code"), is_staff(r), &out, &err))
        http_resp_problem(w, r, &err);
    else
        http_resp_json(w, 200, out);
}

static void h_inspectors(http_req *r, http_resp *w)
{
    nqi_error err = {0};
    json_t *out = NULL;
    int64_t limit = qint(r, "limit", 100, 1, 500, &err);
    int64_t cursor = qint(r, "cursor", 0, 0, INT64_MAX, &err);
    if (err.code || supervision_inspector_list(r->db, limit, cursor, &out, &err))
        http_resp_problem(w, r, &err);
    else
        http_resp_json(w, 200, out);
}

static void h_item_create(http_req *r, http_resp *w)
{
    nqi_error err = {0};
    json_t *in = NULL, *out = NULL;
    if (http_req_json(r, &in, &err) ||
        supervision_item_create(r->db, &r->principal, in, &out, &err)) {
        json_decref(in);
        http_resp_problem(w, r, &err);
        return;
    }
    json_decref(in);
    http_resp_json(w, 201, out);
}

static void h_items(http_req *r, http_resp *w)
{
    nqi_error err = {0};
    json_t *out = NULL;
    if (supervision_item_list(r->db, &out, &err))
        http_resp_problem(w, r, &err);
    else
        http_resp_json(w, 200, out);
}

/* ---------------------------------------------------------------- draws */

static void h_draw_create(http_req *r, http_resp *w)
{
    nqi_error err = {0};
    json_t *in = NULL, *out = NULL;
    if (http_req_json(r, &in, &err) ||
        supervision_draw_create(r->db, &r->principal, in, NULL, &out, &err)) {
        json_decref(in);
        http_resp_problem(w, r, &err);
        return;
    }
    json_decref(in);
    char *loc = xasprintf("/api/v1/draws/%s", json_string_value(json_object_get(out, "id")));
    http_resp_json(w, 201, out);
    http_resp_header(w, "Location", loc);
    free(loc);
}

/* An optional JSON object body (run, reveal): absent or empty is {}. */
static int optional_body(http_req *r, json_t **in, nqi_error *err)
{
    if (!r->body || !r->body_len) {
        *in = json_object();
        return 0;
    }
    return http_req_json(r, in, err);
}

static void h_draw_run(http_req *r, http_resp *w)
{
    static const char *const allowed[] = {"public_value", NULL};
    nqi_error err = {0};
    json_t *in = NULL, *out = NULL;
    const char *pv = NULL;
    if (optional_body(r, &in, &err) || json_check_fields(in, allowed, &err) ||
        json_get_str(in, "public_value", false, 64, &pv, &err) ||
        supervision_draw_run(r->db, &r->principal, http_param(r, "id"), pv, &out, &err)) {
        json_decref(in);
        http_resp_problem(w, r, &err);
        return;
    }
    json_decref(in);
    http_resp_json(w, 200, out);
}

static void h_draw_reveal(http_req *r, http_resp *w)
{
    static const char *const allowed[] = {NULL};
    nqi_error err = {0};
    json_t *in = NULL, *out = NULL;
    if (optional_body(r, &in, &err) || json_check_fields(in, allowed, &err) ||
        supervision_draw_reveal(r->db, &r->principal, http_param(r, "id"), &out, &err)) {
        json_decref(in);
        http_resp_problem(w, r, &err);
        return;
    }
    json_decref(in);
    http_resp_json(w, 200, out);
}

static void h_draw_redraw(http_req *r, http_resp *w)
{
    static const char *const allowed[] = {"target", "inspector_id", "reason", NULL};
    nqi_error err = {0};
    json_t *in = NULL, *out = NULL;
    const char *target = NULL, *insp = NULL, *reason = NULL;
    if (http_req_json(r, &in, &err) || json_check_fields(in, allowed, &err)) {
        json_decref(in);
        http_resp_problem(w, r, &err);
        return;
    }
    json_get_str(in, "target", true, 24, &target, &err);
    json_get_str(in, "inspector_id", true, 64, &insp, &err);
    json_get_str(in, "reason", true, 500, &reason, &err);
    if (err.code || supervision_draw_redraw(r->db, &r->principal, http_param(r, "id"), target,
                                            insp, reason, &out, &err)) {
        json_decref(in);
        http_resp_problem(w, r, &err);
        return;
    }
    json_decref(in);
    http_resp_json(w, 200, out);
}

static void h_draws(http_req *r, http_resp *w)
{
    nqi_error err = {0};
    json_t *out = NULL;
    int64_t limit = qint(r, "limit", 50, 1, 200, &err);
    int64_t cursor = qint(r, "cursor", 0, 0, INT64_MAX, &err);
    if (err.code || supervision_draw_list(r->db, limit, cursor, &out, &err))
        http_resp_problem(w, r, &err);
    else
        http_resp_json(w, 200, out);
}

static void h_draw(http_req *r, http_resp *w)
{
    nqi_error err = {0};
    json_t *out = NULL;
    if (supervision_draw_get(r->db, http_param(r, "id"), is_staff(r), &out, &err))
        http_resp_problem(w, r, &err);
    else
        http_resp_json(w, 200, out);
}

static void h_draw_record(http_req *r, http_resp *w)
{
    nqi_error err = {0};
    json_t *out = NULL;
    if (supervision_draw_bundle(r->db, http_param(r, "id"), &out, &err)) {
        http_resp_problem(w, r, &err);
        return;
    }
    char disp[128];
    snprintf(disp, sizeof disp, "inline; filename=\"draw-%s.json\"",
             json_string_value(json_object_get(out, "draw_id")));
    http_resp_json(w, 200, out);
    http_resp_header(w, "Content-Disposition", disp);
}

static void h_draw_verification(http_req *r, http_resp *w)
{
    nqi_error err = {0};
    json_t *out = NULL;
    if (supervision_draw_verification(r->db, http_param(r, "id"), &out, &err))
        http_resp_problem(w, r, &err);
    else
        http_resp_json(w, 200, out);
}

void supervision_routes(http_server *s)
{
    const int writers = ROLE_REGULATOR | ROLE_ADMIN;
    http_route(s, "POST", "/api/v1/entities/import", writers, h_entities_import,
               IMPORT_BODY_LIMIT, "import market entities (CSV, UTF-8 or GB18030), all or nothing");
    http_route(s, "GET", "/api/v1/entities", ROLES_STAFF, h_entities, 0,
               "search market entities");
    http_route(s, "GET", "/api/v1/entities/{credit_code}", ROLES_ANY, h_entity, 0,
               "one market entity (public page data)");
    http_route(s, "POST", "/api/v1/inspectors/import", writers, h_inspectors_import,
               IMPORT_BODY_LIMIT, "import inspectors with declared conflicts (CSV)");
    http_route(s, "GET", "/api/v1/inspectors", ROLES_STAFF, h_inspectors, 0,
               "inspectors with their conflicts");
    http_route(s, "POST", "/api/v1/inspection-items", writers, h_item_create, 0,
               "add an inspection item (随机抽查事项)");
    http_route(s, "GET", "/api/v1/inspection-items", ROLES_ANY, h_items, 0,
               "the inspection item list (随机抽查事项清单)");
    http_route(s, "POST", "/api/v1/draws", writers, h_draw_create, 0,
               "plan a draw and publish its commitment");
    http_route(s, "GET", "/api/v1/draws", ROLES_ANY, h_draws, 0, "draws, newest first");
    http_route(s, "GET", "/api/v1/draws/{id}", ROLES_ANY, h_draw, 0, "one draw");
    http_route(s, "POST", "/api/v1/draws/{id}/run", writers, h_draw_run, 0,
               "draw targets and teams");
    http_route(s, "POST", "/api/v1/draws/{id}/reveal", writers, h_draw_reveal, 0,
               "reveal the seed and publish the result");
    http_route(s, "POST", "/api/v1/draws/{id}/redraw", writers, h_draw_redraw, 0,
               "recusal: redraw one team member");
    http_route(s, "GET", "/api/v1/draws/{id}/record", ROLES_ANY, h_draw_record, 0,
               "the self-contained verification bundle");
    http_route(s, "GET", "/api/v1/draws/{id}/verification", ROLES_ANY, h_draw_verification, 0,
               "recompute the draw and say whether it verifies");
}

/* ---------------------------------------------------------------- demo */

static const char *const demo_regions[4][2] = {
    {"350102", "鼓楼"}, {"350103", "台江"}, {"350104", "仓山"}, {"350111", "晋安"}};
static const char *const demo_industries[4] = {"食品生产", "食品销售", "药品零售", "特种设备"};

/* A valid credit code for demo entity i: 91 + region + MA + 7 digits + check. */
static void demo_code(int i, char out[19])
{
    snprintf(out, 19, "91%sMA%07d", demo_regions[i % 4][0], 1000 + i);
    out[17] = credit_code_check_char(out);
    out[18] = 0;
}

static char *demo_entities_csv(void)
{
    static const char *const names[] = {"闽江", "榕城", "三坊", "七巷", "鼓山", "乌山",
                                        "西湖", "金山", "屏山", "于山", "左海", "温泉"};
    static const char *const kinds[] = {"食品有限公司", "商贸有限公司", "大药房有限公司",
                                        "电梯工程有限公司"};
    static const char classes[] = "AAABBBBBBBBBBBBCCCCD";
    buf b;
    buf_init(&b, 0);
    buf_puts(&b, "统一社会信用代码,企业名称,企业类型,行业,区划代码,住所,法定代表人,成立日期,"
                 "登记状态,风险标签,许可证,信用等级\n");
    for (int i = 0; i < 200; i++) {
        char code[19];
        demo_code(i, code);
        int ind = (i / 4) % 4;
        buf_printf(&b, "%s,福州%s%s%s%d号,有限责任公司,%s,%s,福建省福州市%s区%s路%d号,%s,%d-%02d-%02d,%s,%s,%s,%c\n",
                   code, names[i % 12], i % 7 == 0 ? "质量" : "", kinds[ind], i, demo_industries[ind],
                   demo_regions[i % 4][0], demo_regions[i % 4][1], names[(i + 3) % 12], i + 1,
                   i % 3 ? "陈" "志" "强" : "林" "美" "华", 2005 + i % 18, 1 + i % 12, 1 + i % 28,
                   i % 37 == 5 ? "注销" : "存续", i % 11 == 0 ? "投诉较多" : "",
                   ind == 0 ? "SC" "1" "0" "3" "5" "0" "1" "0" "2" : "", classes[i % 20]);
    }
    return buf_steal(&b);
}

static char *demo_inspectors_csv(void)
{
    static const char *const names[12] = {"陈明", "林芳", "黄伟", "郑丽", "王强", "李娜",
                                          "张磊", "刘洋", "吴静", "蔡军", "许敏", "周涛"};
    buf b;
    buf_init(&b, 0);
    buf_puts(&b, "执法证号,姓名,所属部门,区划代码,执法领域,在岗,回避企业\n");
    for (int i = 0; i < 12; i++) {
        char conflict[64] = "";
        if (i == 0) {
            char code[19];
            demo_code(0, code);
            snprintf(conflict, sizeof conflict, "%s:亲属任职", code);
        }
        buf_printf(&b, "FZ-%03d,%s,福州市市场监督管理局%s分局,%s,\"%s;%s\",%s,%s\n", i + 1,
                   names[i], demo_regions[i % 4][1], demo_regions[i % 4][0],
                   demo_industries[i % 4], demo_industries[(i + 1) % 4], i == 11 ? "离岗" : "在岗",
                   conflict);
    }
    return buf_steal(&b);
}

static int demo_import(store_conn *c, const http_principal *p, sup_dir dir, char *csv,
                       nqi_error *err)
{
    sup_import_report rep;
    int rc = supervision_import(c, p, dir, csv, strlen(csv), false, &rep, err);
    if (rc && rep.nerrors) {
        nqi_error_clear(err);
        nqi_error_set(err, rc, "demo %s: row %lld %s: %s",
                      dir == SUP_ENTITIES ? "entities" : "inspectors",
                      (long long)rep.errors[0].row, rep.errors[0].field, rep.errors[0].message);
    }
    supervision_import_report_free(&rep);
    free(csv);
    return rc;
}

int supervision_demo(nqi_app *app, store_conn *c, nqi_error *err)
{
    static const char *const items[3] = {
        "{\"name\":\"食品生产企业监督检查\",\"basis\":\"《中华人民共和国食品安全法》第一百一十条\","
        "\"department\":\"福州市市场监督管理局\",\"content\":\"生产环境条件、进货查验、生产过程控制、"
        "出厂检验\",\"method\":\"现场检查\",\"kind\":\"key\",\"default_proportion\":5,"
        "\"filter\":{\"region\":\"3501\"}}",
        "{\"name\":\"特种设备使用单位监督检查\",\"basis\":\"《中华人民共和国特种设备安全法》第五十七条\","
        "\"department\":\"福州市市场监督管理局\",\"content\":\"使用登记、定期检验、作业人员持证\","
        "\"method\":\"现场检查、书面检查\",\"kind\":\"general\",\"default_proportion\":3}",
        "{\"name\":\"药品零售企业监督检查\",\"basis\":\"《中华人民共和国药品管理法》第九十九条\","
        "\"department\":\"福州市市场监督管理局\",\"content\":\"药品购进、储存、销售及处方药管理\","
        "\"method\":\"现场检查\",\"kind\":\"general\",\"default_proportion\":3}"};
    http_principal p;
    auth_cli_principal(&p);
    int rc = demo_import(c, &p, SUP_ENTITIES, demo_entities_csv(), err);
    if (!rc)
        rc = demo_import(c, &p, SUP_INSPECTORS, demo_inspectors_csv(), err);
    json_t *ids = json_array();
    for (int i = 0; !rc && i < 3; i++) {
        json_t *in = json_loads(items[i], 0, NULL), *out = NULL;
        rc = in ? supervision_item_create(c, &p, in, &out, err)
                : nqi_error_set(err, NQI_EINTERNAL, "demo item %d", i);
        if (!rc)
            json_array_append(ids, json_object_get(out, "id"));
        json_decref(in);
        json_decref(out);
    }
    json_t *draw = NULL, *plan = NULL;
    if (!rc) {
        plan = json_pack("{s:s, s:O, s:{s:s}, s:{s:i, s:i, s:i, s:i}, s:i, s:s, s:s}", "name",
                         "福州市市场主体“双随机、一公开”抽查（演示）", "item_ids", ids,
                         "filter", "region", "3501", "strata", "A", 2, "B", 5, "C", 10, "D", 30,
                         "team_size", 2, "region_rule", "lead", "field_rule", "none");
        rc = supervision_draw_create(c, &p, plan, NULL, &draw, err);
    }
    char uid[72] = "";
    if (!rc)
        snprintf(uid, sizeof uid, "%s", json_string_value(json_object_get(draw, "id")));
    json_decref(draw);
    draw = NULL;
    if (!rc)
        rc = supervision_draw_run(c, &p, uid, NULL, &draw, err);
    json_decref(draw);
    draw = NULL;
    if (!rc)
        rc = supervision_draw_reveal(c, &p, uid, &draw, err);
    json_decref(draw);
    json_decref(plan);
    json_decref(ids);
    return rc;
}

const nqi_module supervision_module = {
    .name = "supervision", .routes = supervision_routes, .demo = supervision_demo};
