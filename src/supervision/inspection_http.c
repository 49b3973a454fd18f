/*
 * inspection_http.c — the routes of the working-day calendar, inspection
 * tasks, product spot checks and their publication, and inspection_module.
 * Handlers parse and validate, call calendar.c / inspections.c /
 * inspection_record.c / spot_checks.c / publication.c, render JSON.
 * Contract: docs/modules/inspection.md (roles per route there and below).
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "core/util.h"
#include "core/xlsx.h"
#include "supervision/credit_code.h"
#include "supervision/inspection_internal.h"
#include "supervision/internal.h"

#define WRITERS (ROLE_REGULATOR | ROLE_ADMIN)
#define EXPORT_MAX 10000

/* Answer `out` (steals it) or the problem. */
static void reply(http_resp *w, const http_req *r, int rc, int status, json_t *out,
                  const nqi_error *err)
{
    if (rc)
        http_resp_problem(w, r, err);
    else
        http_resp_json(w, status, out);
}

/* The JSON body (an empty body reads as {} when optional). */
static int body(http_req *r, bool optional, json_t **in, nqi_error *err)
{
    if (optional && (!r->body || !r->body_len)) {
        *in = json_object();
        return 0;
    }
    return http_req_json(r, in, err);
}

typedef int (*id_body_fn)(store_conn *c, const http_principal *a, int64_t id, json_t *in,
                          json_t **out, nqi_error *err);

/* POST/PUT …/{id}/… with a JSON body. */
static void with_id_body(http_req *r, http_resp *w, const char *what, id_body_fn fn, int status)
{
    nqi_error err = {0};
    int64_t id = 0;
    json_t *in = NULL, *out = NULL;
    int rc = http_param_id(r, "id", what, &id, &err);
    if (!rc)
        rc = body(r, false, &in, &err);
    if (!rc)
        rc = fn(r->db, &r->principal, id, in, &out, &err);
    json_decref(in);
    reply(w, r, rc, status, out, &err);
}

static void send_xlsx(http_resp *w, const http_req *r, const char *sheet, const char *file,
                      const char *const *heads, size_t n, json_t *rows)
{
    nqi_error err = {0};
    char *data = NULL;
    size_t len = 0;
    if (insp_xlsx(sheet, heads, n, rows, &data, &len, &err)) {
        http_resp_problem(w, r, &err);
        return;
    }
    char disp[96];
    snprintf(disp, sizeof disp, "attachment; filename=\"%s\"", file);
    http_resp_text(w, 200, XLSX_MEDIA_TYPE, data, len);
    http_resp_header(w, "Content-Disposition", disp);
}

/* ?format= : absent/json -> 0, xlsx -> 1, else a field error. */
static int want_xlsx(const http_req *r, nqi_error *err)
{
    const char *f = http_query(r, "format");
    if (!f || !*f || !strcmp(f, "json"))
        return 0;
    if (!strcmp(f, "xlsx"))
        return 1;
    nqi_error_field(err, NQI_EINVAL, "format", "json or xlsx");
    return 0;
}

/* An optional query parameter that must be a date. */
static const char *qdate(const http_req *r, const char *name, nqi_error *err)
{
    const char *v = http_query(r, name);
    int32_t d;
    if (v && *v && !date_parse(v, &d)) {
        nqi_error_field(err, NQI_EINVAL, name, "a date YYYY-MM-DD");
        return NULL;
    }
    return v && *v ? v : NULL;
}

/* An optional query parameter from a fixed set. */
static const char *qenum(const http_req *r, const char *name, const char *const *ok,
                         nqi_error *err)
{
    const char *v = http_query(r, name);
    if (!v || !*v)
        return NULL;
    for (size_t i = 0; ok[i]; i++)
        if (!strcmp(v, ok[i]))
            return v;
    buf b;
    buf_init(&b, 0);
    for (size_t i = 0; ok[i]; i++)
        buf_printf(&b, "%s%s", i ? ", " : "", ok[i]);
    nqi_error_field(err, NQI_EINVAL, name, "one of %s", b.data);
    buf_free(&b);
    return NULL;
}

/* ---------------------------------------------------------------- calendar */

static void h_calendar(http_req *r, http_resp *w)
{
    nqi_error err = {0};
    json_t *out = NULL;
    const char *y = http_query(r, "year");
    int64_t year = 0;
    if (y && *y && (!str_to_i64(y, &year) || year < 1900 || year > 9999))
        nqi_error_field(&err, NQI_EINVAL, "year", "a year 1900-9999");
    int rc = err.code ? err.code : calendar_list(r->db, (int)year, &out, &err);
    reply(w, r, rc, 200, out, &err);
}

static void h_workdays(http_req *r, http_resp *w)
{
    nqi_error err = {0};
    const char *from = http_query(r, "from"), *ns = http_query(r, "n");
    int64_t n = 0;
    int32_t d = 0;
    if (!from || !date_parse(from, &d))
        nqi_error_field(&err, NQI_EINVAL, "from", "a date YYYY-MM-DD");
    if (!ns || !str_to_i64(ns, &n) || n < -366 || n > 366)
        nqi_error_field(&err, NQI_EINVAL, "n", "an integer -366..366 (working days)");
    workday_cal cal;
    if (err.code || calendar_load(r->db, &cal, &err)) {
        http_resp_problem(w, r, &err);
        return;
    }
    char out[11];
    date_format(workday_add(&cal, d, (int)n), out);
    json_t *j = json_pack("{s:s, s:I, s:s, s:b}", "from", from, "n", (json_int_t)n, "date", out,
                          "from_is_workday", workday_is(&cal, d));
    workday_cal_free(&cal);
    http_resp_json(w, 200, j);
}

static void h_calendar_put(http_req *r, http_resp *w)
{
    static const char *const allowed[] = {"kind", "name", NULL};
    nqi_error err = {0};
    json_t *in = NULL, *out = NULL;
    const char *kind = NULL, *name = NULL;
    int rc = body(r, false, &in, &err) || json_check_fields(in, allowed, &err) ||
             json_get_str(in, "kind", true, 16, &kind, &err) ||
             json_get_str(in, "name", false, 50, &name, &err);
    if (!rc)
        rc = calendar_put(r->db, &r->principal, http_param(r, "date"), kind, name, &out, &err);
    json_decref(in);
    reply(w, r, rc ? err.code : 0, 200, out, &err);
}

static void h_calendar_delete(http_req *r, http_resp *w)
{
    nqi_error err = {0};
    int rc = calendar_delete(r->db, &r->principal, http_param(r, "date"), &err);
    if (rc)
        http_resp_problem(w, r, &err);
    else
        http_resp_text(w, 204, NULL, NULL, 0);
}

/* sup_import_fn of the working-day calendar. */
static int cal_import(store_conn *c, const http_principal *actor, const char *data, size_t len,
                      bool dry_run, void *ctx, sup_import_report *rep, nqi_error *err)
{
    return calendar_import(c, actor, data, len, dry_run, rep, err);
}

static void h_calendar_import(http_req *r, http_resp *w)
{
    sup_http_import(r, w, cal_import, NULL);
}

/* ---------------------------------------------------------------- tasks */

static void h_draw_tasks(http_req *r, http_resp *w)
{
    nqi_error err = {0};
    json_t *in = NULL, *out = NULL;
    int rc = body(r, true, &in, &err);
    if (!rc)
        rc = insp_tasks_from_draw(r->db, &r->principal, http_param(r, "id"), in, &out, &err);
    json_decref(in);
    reply(w, r, rc, 201, out, &err);
}

static void h_task_create(http_req *r, http_resp *w)
{
    nqi_error err = {0};
    json_t *in = NULL, *out = NULL;
    int rc = body(r, false, &in, &err);
    if (!rc)
        rc = insp_task_create(r->db, &r->principal, in, &out, &err);
    json_decref(in);
    if (!rc) {
        char loc[64];
        snprintf(loc, sizeof loc, "/api/v1/inspections/%lld",
                 (long long)json_integer_value(json_object_get(out, "id")));
        http_resp_json(w, 201, out);
        http_resp_header(w, "Location", loc);
        return;
    }
    http_resp_problem(w, r, &err);
}

static const char *const task_status[] = {"assigned", "recorded", "completed", "published", NULL};
static const char *const task_source[] = {"draw", "complaint", "lead", NULL};

static void h_tasks(http_req *r, http_resp *w)
{
    nqi_error err = {0};
    insp_query q = {0};
    char me[65];
    int xlsx = want_xlsx(r, &err);
    http_list_params(r, 50, 200, &q.limit, &q.cursor, &err);
    q.status = qenum(r, "status", task_status, &err);
    q.source = qenum(r, "source", task_source, &err);
    q.from = qdate(r, "from", &err);
    q.to = qdate(r, "to", &err);
    q.region = http_query(r, "region");
    if (q.region && !*q.region)
        q.region = NULL;
    if (q.region && !sup_region_ok(q.region, false))
        nqi_error_field(&err, NQI_EINVAL, "region", "a division code or prefix (1-6 digits)");
    q.credit_code = http_query(r, "credit_code");
    if (q.credit_code && !*q.credit_code)
        q.credit_code = NULL;
    q.draw = http_query(r, "draw_id");
    if (q.draw && !*q.draw)
        q.draw = NULL;
    const char *item = http_query(r, "item");
    if (item && *item && (!str_to_i64(item, &q.item) || q.item < 1))
        nqi_error_field(&err, NQI_EINVAL, "item", "an inspection item id");
    q.overdue = http_query_flag(r, "overdue");
    if (http_query_flag(r, "mine")) {
        if (!insp_actor_inspector(r->db, &r->principal, me))
            nqi_error_field(&err, NQI_EINVAL, "mine",
                            "only for inspector accounts named after an inspector code");
        q.member = me;
    }
    if (xlsx)
        q.limit = EXPORT_MAX;
    json_t *out = NULL;
    int rc = err.code ? err.code : insp_task_list(r->db, &q, &out, &err);
    if (rc || !xlsx) {
        reply(w, r, rc, 200, out, &err);
        return;
    }
    static const char *const heads[] = {"编号", "来源", "统一社会信用代码", "企业名称", "区划",
                                        "状态", "分派日期", "检查期限", "检查逾期", "检查日期",
                                        "检查结果", "公示期限", "公示逾期", "检查人员"};
    json_t *rows = json_array(), *items = json_object_get(out, "items");
    for (size_t i = 0; i < json_array_size(items); i++) {
        json_t *t = json_array_get(items, i), *team = json_object_get(t, "team");
        buf b;
        buf_init(&b, 0);
        for (size_t k = 0; k < json_array_size(team); k++) {
            json_t *m = json_array_get(team, k);
            const char *nm = json_string_value(json_object_get(m, "name"));
            buf_printf(&b, "%s%s", k ? "、" : "",
                       nm ? nm : json_string_value(json_object_get(m, "id")));
        }
        json_array_append_new(
            rows, json_pack("[O, O, O, O, O, O, O, O, O, O, O, O, O, s]", json_object_get(t, "id"),
                            json_object_get(t, "source"), json_object_get(t, "credit_code"),
                            json_object_get(t, "entity_name"), json_object_get(t, "region"),
                            json_object_get(t, "status"), json_object_get(t, "assigned_on"),
                            json_object_get(t, "due_on"), json_object_get(t, "overdue"),
                            json_object_get(t, "inspected_on"),
                            json_object_get(t, "result_label"), json_object_get(t, "publish_due"),
                            json_object_get(t, "publication_overdue"), b.data ? b.data : ""));
        buf_free(&b);
    }
    send_xlsx(w, r, "检查任务", "inspections.xlsx", heads, sizeof heads / sizeof *heads, rows);
    json_decref(rows);
    json_decref(out);
}

static void h_task(http_req *r, http_resp *w)
{
    nqi_error err = {0};
    int64_t id = 0;
    json_t *out = NULL;
    int rc = http_param_id(r, "id", "inspection task", &id, &err);
    if (!rc)
        rc = insp_task_get(r->db, id, &out, &err);
    reply(w, r, rc, 200, out, &err);
}

static void h_record(http_req *r, http_resp *w)
{
    with_id_body(r, w, "inspection task", insp_task_record, 200);
}

static void h_sign(http_req *r, http_resp *w)
{
    static const char *const allowed[] = {"record_hash", NULL};
    nqi_error err = {0};
    int64_t id = 0;
    json_t *in = NULL, *out = NULL;
    const char *hash = NULL;
    char code[65];
    int rc = http_param_id(r, "id", "inspection task", &id, &err) || body(r, false, &in, &err) ||
             json_check_fields(in, allowed, &err) ||
             json_get_str(in, "record_hash", true, 64, &hash, &err);
    if (!rc)
        rc = insp_task_sign(r->db, &r->principal, id,
                            insp_actor_inspector(r->db, &r->principal, code) ? code : NULL, hash,
                            &out, &err);
    json_decref(in);
    reply(w, r, rc ? err.code : 0, 200, out, &err);
}

static void h_recuse(http_req *r, http_resp *w)
{
    static const char *const allowed[] = {"inspector_id", "reason", "replacement", NULL};
    nqi_error err = {0};
    int64_t id = 0;
    json_t *in = NULL, *out = NULL;
    const char *insp = NULL, *reason = NULL, *repl = NULL;
    int rc = http_param_id(r, "id", "inspection task", &id, &err) || body(r, false, &in, &err) ||
             json_check_fields(in, allowed, &err);
    if (!rc) {
        json_get_str(in, "inspector_id", true, 64, &insp, &err);
        json_get_str(in, "reason", true, 500, &reason, &err);
        json_get_str(in, "replacement", false, 64, &repl, &err);
        rc = err.code;
    }
    if (!rc)
        rc = insp_task_recuse(r->db, &r->principal, id, insp, reason, repl, &out, &err);
    json_decref(in);
    reply(w, r, rc ? err.code : 0, 200, out, &err);
}

static void h_attach(http_req *r, http_resp *w)
{
    nqi_error err = {0};
    int64_t id = 0;
    json_t *out = NULL;
    char mt[64];
    http_media_type(r, mt, sizeof mt);
    int rc = http_param_id(r, "id", "inspection task", &id, &err);
    if (!rc)
        rc = insp_attachment_add(r->db, &r->principal, id, http_query(r, "name"), mt, r->body,
                                 r->body ? r->body_len : 0, &out, &err);
    reply(w, r, rc, 201, out, &err);
}

static void h_attachment(http_req *r, http_resp *w)
{
    nqi_error err = {0};
    int64_t id = 0, aid = 0;
    char *data = NULL, *ct = NULL, *name = NULL;
    size_t len = 0;
    int rc = http_param_id(r, "id", "inspection task", &id, &err);
    if (!rc)
        rc = http_param_id(r, "attachment_id", "attachment", &aid, &err);
    if (!rc)
        rc = insp_attachment_get(r->db, id, aid, &data, &len, &ct, &name, &err);
    if (rc) {
        http_resp_problem(w, r, &err);
        return;
    }
    /* RFC 6266: an ASCII fallback plus the UTF-8 name */
    buf b;
    buf_init(&b, 0);
    buf_printf(&b, "attachment; filename=\"attachment-%lld\"; filename*=UTF-8''", (long long)aid);
    for (const unsigned char *p = (const unsigned char *)name; *p; p++)
        if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
            strchr("-._~", *p))
            buf_printf(&b, "%c", *p);
        else
            buf_printf(&b, "%%%02X", *p);
    /* the response keeps the type pointer past this handler: use a static string */
    static const char *const types[] = {"application/pdf", "image/jpeg", "image/png"};
    const char *type = "application/octet-stream";
    for (size_t i = 0; i < 3; i++)
        if (!strcmp(ct, types[i]))
            type = types[i];
    http_resp_text(w, 200, type, data, len);
    http_resp_header(w, "Content-Disposition", b.data);
    buf_free(&b);
    free(ct);
    free(name);
}

static void h_publish_task(http_req *r, http_resp *w)
{
    nqi_error err = {0};
    int64_t id = 0;
    json_t *out = NULL;
    int rc = http_param_id(r, "id", "inspection task", &id, &err);
    if (!rc)
        rc = insp_publish(r->db, &r->principal, INSP_TASK, id, &out, &err);
    reply(w, r, rc, 200, out, &err);
}

static void h_dashboard(http_req *r, http_resp *w)
{
    nqi_error err = {0};
    json_t *out = NULL;
    int rc = insp_dashboard(r->db, &out, &err);
    reply(w, r, rc, 200, out, &err);
}

static void h_public(http_req *r, http_resp *w)
{
    static const char *const kinds[] = {"inspection", "spot_check", NULL};
    nqi_error err = {0};
    int64_t limit = 0, cursor = 0;
    http_list_params(r, 50, 200, &limit, &cursor, &err);
    const char *kind = qenum(r, "kind", kinds, &err);
    const char *code = http_query(r, "credit_code"), *region = http_query(r, "region");
    if (code && *code && !credit_code_valid(code))
        nqi_error_field(&err, NQI_EINVAL, "credit_code",
                        "not a valid unified social credit code (GB 32100)");
    if (region && *region && !sup_region_ok(region, false))
        nqi_error_field(&err, NQI_EINVAL, "region", "a division code or prefix (1-6 digits)");
    json_t *out = NULL;
    int rc = err.code ? err.code
                      : insp_public_list(r->db, kind, code && *code ? code : NULL,
                                         region && *region ? region : NULL, limit, cursor, &out,
                                         &err);
    reply(w, r, rc, 200, out, &err);
}

static void h_public_one(http_req *r, http_resp *w)
{
    nqi_error err = {0};
    int64_t id = 0;
    json_t *out = NULL;
    int rc = http_param_id(r, "id", "publication", &id, &err);
    if (!rc)
        rc = insp_public_get(r->db, id, &out, &err);
    reply(w, r, rc, 200, out, &err);
}

/* ---------------------------------------------------------------- spot checks */

static void h_spot_create(http_req *r, http_resp *w)
{
    nqi_error err = {0};
    json_t *in = NULL, *out = NULL;
    int rc = body(r, false, &in, &err);
    if (!rc)
        rc = spot_check_create(r->db, &r->principal, in, &out, &err);
    json_decref(in);
    reply(w, r, rc, 201, out, &err);
}

static void h_spots(http_req *r, http_resp *w)
{
    nqi_error err = {0};
    int64_t limit = 0, cursor = 0;
    json_t *out = NULL;
    int rc = http_list_params(r, 50, 200, &limit, &cursor, &err);
    if (!rc)
        rc = spot_check_list(r->db, limit, cursor, &out, &err);
    reply(w, r, rc, 200, out, &err);
}

static void h_spot(http_req *r, http_resp *w)
{
    nqi_error err = {0};
    int64_t id = 0;
    json_t *out = NULL;
    int rc = http_param_id(r, "id", "spot check", &id, &err);
    if (!rc)
        rc = spot_check_get(r->db, id, &out, &err);
    reply(w, r, rc, 200, out, &err);
}

static int sample_add(store_conn *c, const http_principal *a, int64_t id, json_t *in,
                      json_t **out, nqi_error *err)
{
    return spot_sample_add(c, a, id, in, out, err);
}

static void h_sample_add(http_req *r, http_resp *w)
{
    with_id_body(r, w, "spot check", sample_add, 201);
}

static void h_sample(http_req *r, http_resp *w)
{
    nqi_error err = {0};
    int64_t id = 0;
    json_t *out = NULL;
    int rc = http_param_id(r, "id", "sample", &id, &err);
    if (!rc)
        rc = spot_sample_get(r->db, id, &out, &err);
    reply(w, r, rc, 200, out, &err);
}

static int results_first(store_conn *c, const http_principal *a, int64_t id, json_t *in,
                         json_t **out, nqi_error *err)
{
    return spot_sample_results(c, a, id, false, in, out, err);
}

static int results_recheck(store_conn *c, const http_principal *a, int64_t id, json_t *in,
                           json_t **out, nqi_error *err)
{
    return spot_sample_results(c, a, id, true, in, out, err);
}

static void h_results(http_req *r, http_resp *w)
{
    with_id_body(r, w, "sample", results_first, 200);
}

static void h_recheck(http_req *r, http_resp *w)
{
    with_id_body(r, w, "sample", results_recheck, 200);
}

static void h_publish_sample(http_req *r, http_resp *w)
{
    nqi_error err = {0};
    int64_t id = 0;
    json_t *out = NULL;
    int rc = http_param_id(r, "id", "sample", &id, &err);
    if (!rc)
        rc = insp_publish(r->db, &r->principal, INSP_SAMPLE, id, &out, &err);
    reply(w, r, rc, 200, out, &err);
}

static void h_samples(http_req *r, http_resp *w)
{
    static const char *const st[] = {"sampled", "tested", "rechecked", NULL};
    static const char *const vd[] = {"pass", "fail", NULL};
    nqi_error err = {0};
    spot_query q = {0};
    int xlsx = want_xlsx(r, &err);
    http_list_params(r, 50, 200, &q.limit, &q.cursor, &err);
    q.status = qenum(r, "status", st, &err);
    q.verdict = qenum(r, "verdict", vd, &err);
    q.producer = http_query(r, "producer_code");
    if (q.producer && !*q.producer)
        q.producer = NULL;
    const char *chk = http_query(r, "spot_check_id");
    if (chk && *chk && (!str_to_i64(chk, &q.check) || q.check < 1))
        nqi_error_field(&err, NQI_EINVAL, "spot_check_id", "a spot check id");
    q.overdue = http_query_flag(r, "overdue");
    if (xlsx)
        q.limit = EXPORT_MAX;
    json_t *out = NULL;
    int rc = err.code ? err.code : spot_sample_list(r->db, &q, &out, &err);
    if (rc || !xlsx) {
        reply(w, r, rc, 200, out, &err);
        return;
    }
    static const char *const heads[] = {"抽样单编号", "抽查计划", "产品名称", "规格型号",
                                        "生产日期/批号", "生产者信用代码", "生产者", "抽样日期",
                                        "检验日期", "检验结论", "整改期限", "复查结论",
                                        "复查日期", "公示期限"};
    static const char *const keys[] = {"sample_no", "spot_check", "product", "specification",
                                       "batch", "producer_code", "producer_name", "sampled_on",
                                       "tested_on", "verdict", "correction_due",
                                       "recheck_verdict", "recheck_on", "publish_due"};
    json_t *rows = json_array(), *items = json_object_get(out, "items");
    for (size_t i = 0; i < json_array_size(items); i++) {
        json_t *row = json_array(), *s = json_array_get(items, i);
        for (size_t k = 0; k < sizeof keys / sizeof *keys; k++) {
            json_t *v = json_object_get(s, keys[k]);
            const char *lbl = json_is_string(v) && (k == 9 || k == 11)
                                  ? insp_result_label(json_string_value(v))
                                  : NULL;
            json_array_append_new(row, lbl ? json_string(lbl) : json_incref(v));
        }
        json_array_append_new(rows, row);
    }
    send_xlsx(w, r, "抽查样品", "spot-check-samples.xlsx", heads, sizeof heads / sizeof *heads,
              rows);
    json_decref(rows);
    json_decref(out);
}

void inspection_routes(http_server *s)
{
    http_route(s, "GET", "/api/v1/calendar", ROLES_ANY, h_calendar, 0,
               "the working-day calendar: holidays and adjusted working days (调休)");
    http_route(s, "GET", "/api/v1/calendar/workdays", ROLES_ANY, h_workdays, 0,
               "the n-th working day after a date");
    http_route(s, "PUT", "/api/v1/calendar/{date}", ROLE_ADMIN, h_calendar_put, 0,
               "set one calendar day (holiday or adjusted working day)");
    http_route(s, "DELETE", "/api/v1/calendar/{date}", ROLE_ADMIN, h_calendar_delete, 0,
               "remove one calendar day");
    http_route(s, "POST", "/api/v1/calendar/import", ROLE_ADMIN, h_calendar_import, 0,
               "import calendar days (CSV date,kind,name), all or nothing");
    http_route(s, "POST", "/api/v1/draws/{id}/tasks", WRITERS, h_draw_tasks, 0,
               "create inspection tasks from a revealed draw's targets and teams");
    http_route(s, "POST", "/api/v1/inspections", WRITERS, h_task_create, 0,
               "create an inspection task from a complaint or lead");
    http_route(s, "GET", "/api/v1/inspections", ROLES_STAFF, h_tasks, 0,
               "inspection tasks with filters (json or xlsx)");
    http_route(s, "GET", "/api/v1/inspections/dashboard", ROLES_STAFF, h_dashboard, 0,
               "counts by status and the overdue list");
    http_route(s, "GET", "/api/v1/inspections/public", ROLES_ANY, h_public, 0,
               "published inspection and spot-check results");
    http_route(s, "GET", "/api/v1/inspections/public/{id}", ROLES_ANY, h_public_one, 0,
               "one published result with its Merkle-log index");
    http_route(s, "GET", "/api/v1/inspections/{id}", ROLES_STAFF, h_task, 0,
               "one inspection task with findings, team and attachments");
    http_route(s, "PUT", "/api/v1/inspections/{id}/record", ROLES_STAFF, h_record, 0,
               "save the on-site record (team members or regulators)");
    http_route(s, "POST", "/api/v1/inspections/{id}/sign", ROLE_INSPECTOR, h_sign, 0,
               "a team member confirms the record");
    http_route(s, "POST", "/api/v1/inspections/{id}/recuse", WRITERS, h_recuse, 0,
               "recusal of a team member with a recorded replacement");
    http_route(s, "POST", "/api/v1/inspections/{id}/attachments", ROLES_STAFF, h_attach,
               INSP_ATTACHMENT_MAX, "attach a file (pdf, jpeg, png) to the record");
    http_route(s, "GET", "/api/v1/inspections/{id}/attachments/{attachment_id}", ROLES_STAFF,
               h_attachment, 0, "download an attachment");
    http_route(s, "POST", "/api/v1/inspections/{id}/publish", WRITERS, h_publish_task, 0,
               "publish a completed result (Merkle log, public portal)");
    http_route(s, "POST", "/api/v1/spot-checks", WRITERS, h_spot_create, 0,
               "plan a product quality spot check (产品质量监督抽查)");
    http_route(s, "GET", "/api/v1/spot-checks", ROLES_STAFF, h_spots, 0, "spot checks");
    http_route(s, "GET", "/api/v1/spot-checks/samples", ROLES_STAFF, h_samples, 0,
               "samples with filters (json or xlsx)");
    http_route(s, "GET", "/api/v1/spot-checks/samples/{id}", ROLES_STAFF, h_sample, 0,
               "one sample with its test and re-check results");
    http_route(s, "PUT", "/api/v1/spot-checks/samples/{id}/results", WRITERS, h_results, 0,
               "record a sample's test results (verdict final)");
    http_route(s, "POST", "/api/v1/spot-checks/samples/{id}/recheck", WRITERS, h_recheck, 0,
               "record the re-check of a failed sample");
    http_route(s, "POST", "/api/v1/spot-checks/samples/{id}/publish", WRITERS, h_publish_sample,
               0, "publish a sample's current result");
    http_route(s, "GET", "/api/v1/spot-checks/{id}", ROLES_STAFF, h_spot, 0,
               "one spot check with its samples");
    http_route(s, "POST", "/api/v1/spot-checks/{id}/samples", WRITERS, h_sample_add, 0,
               "add a sample to a spot check");
}

const nqi_module inspection_module = {
    .name = "inspection", .routes = inspection_routes, .demo = inspection_demo};
