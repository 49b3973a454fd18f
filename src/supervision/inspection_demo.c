/*
 * inspection_demo.c — demo data for `nqi init --demo`, after the
 * supervision demo (which leaves a revealed draw): tasks from that draw —
 * two completed and published, one completed but unpublished past its
 * publication deadline, one recorded awaiting signatures, the rest
 * assigned — one complaint task past its deadline, and a product spot
 * check of edible vegetable oil with a failed sample, its correction
 * deadline and a passing re-check. Dates are relative to today in working
 * days, so the demo shows the same picture whenever it is loaded.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/auth.h"
#include "core/util.h"
#include "supervision/inspection_internal.h"

/* today shifted by n working days (negative: back). */
static void day_rel(const workday_cal *cal, int n, char out[11])
{
    char t[11];
    int32_t d;
    insp_today(t);
    date_parse(t, &d);
    date_format(workday_add(cal, d, n), out);
}

/* Record a result, let every member sign; publish when asked. */
static int demo_finish(store_conn *c, const http_principal *p, int64_t id, const char *on,
                       const char *result, bool publish, nqi_error *err)
{
    json_t *t = NULL, *out = NULL;
    int rc = insp_task_json(c, id, true, &t, err);
    if (rc)
        return rc;
    json_t *fs = json_array(), *items = json_object_get(t, "findings");
    for (size_t i = 0; i < json_array_size(items); i++) {
        bool bad = strcmp(result, "normal") && i == 0;
        json_array_append_new(
            fs, json_pack("{s:O, s:b, s:s}", "item_id",
                          json_object_get(json_array_get(items, i), "item_id"), "conforms", !bad,
                          "finding",
                          bad ? "进货查验记录不全，部分原料无供货者许可证明，现场责令改正"
                              : "现场检查未发现问题"));
    }
    json_t *in = json_pack("{s:s, s:s, s:s, s:o}", "inspected_on", on, "result", result,
                           "summary",
                           !strcmp(result, "normal") ? "检查情况正常" : "已下达责令改正通知书",
                           "findings", fs);
    rc = insp_task_record(c, p, id, in, &out, err);
    json_decref(in);
    json_decref(t);
    t = out;
    if (rc) {
        json_decref(t);
        return rc;
    }
    json_t *team = json_object_get(t, "team");
    char hash[65];
    snprintf(hash, sizeof hash, "%s", json_string_value(json_object_get(t, "record_hash")));
    for (size_t i = 0; !rc && i < json_array_size(team); i++) {
        out = NULL;
        rc = insp_task_sign(c, p, id, json_string_value(json_object_get(json_array_get(team, i), "id")),
                            hash, &out, err);
        json_decref(out);
    }
    json_decref(t);
    if (!rc && publish) {
        out = NULL;
        rc = insp_publish(c, p, INSP_TASK, id, &out, err);
        json_decref(out);
    }
    return rc;
}

static int demo_tasks(store_conn *c, const http_principal *p, const workday_cal *cal,
                      nqi_error *err)
{
    char *uid = NULL, assigned[11], d1[11], d2[11], d3[11], d4[11];
    int rc = store_query_text(c,
                              "SELECT uid FROM draws WHERE status = 'revealed' ORDER BY id DESC "
                              "LIMIT 1",
                              NULL, 0, &uid, err);
    if (rc)
        return rc;
    day_rel(cal, -40, assigned);
    json_t *in = json_pack("{s:s, s:i}", "assigned_on", assigned, "working_days", 60), *out = NULL;
    rc = insp_tasks_from_draw(c, p, uid, in, &out, err);
    json_decref(in);
    free(uid);
    json_t *items = json_object_get(out, "items");
    int64_t id[4] = {0};
    for (size_t i = 0; i < 4 && i < json_array_size(items); i++)
        id[i] = json_integer_value(json_object_get(json_array_get(items, i), "id"));
    day_rel(cal, -35, d1);
    day_rel(cal, -33, d2);
    day_rel(cal, -25, d3); /* + 20 working days < today: publication overdue */
    day_rel(cal, -2, d4);
    if (!rc && id[0])
        rc = demo_finish(c, p, id[0], d1, "normal", true, err);
    if (!rc && id[1])
        rc = demo_finish(c, p, id[1], d2, "ordered_to_correct", true, err);
    if (!rc && id[2])
        rc = demo_finish(c, p, id[2], d3, "normal", false, err);
    if (!rc && id[3]) { /* recorded, awaiting the team's signatures */
        json_t *t = NULL, *o = NULL;
        rc = insp_task_json(c, id[3], true, &t, err);
        json_t *fs = json_array(), *f = json_object_get(t, "findings");
        for (size_t i = 0; i < json_array_size(f); i++)
            json_array_append_new(fs, json_pack("{s:O, s:b, s:s}", "item_id",
                                                json_object_get(json_array_get(f, i), "item_id"),
                                                "conforms", 1, "finding", "未发现问题"));
        json_t *rec = json_pack("{s:s, s:s, s:o}", "inspected_on", d4, "result", "normal",
                                "findings", fs);
        if (!rc)
            rc = insp_task_record(c, p, id[3], rec, &o, err);
        json_decref(rec);
        json_decref(o);
        json_decref(t);
    }
    json_decref(out);
    return rc;
}

/* A complaint task assigned 30 working days ago with 15 to do: overdue. */
static int demo_complaint(store_conn *c, const http_principal *p, const workday_cal *cal,
                          nqi_error *err)
{
    char assigned[11], *code = NULL;
    day_rel(cal, -30, assigned);
    /* an entity whose district has two active officers without conflicts */
    int rc = store_query_text(c,
                              "SELECT credit_code FROM entities WHERE region = '350103' AND "
                              "industry = '食品销售' AND status = 'active' ORDER BY credit_code "
                              "LIMIT 1",
                              NULL, 0, &code, err);
    if (rc)
        return rc;
    int64_t item = 0;
    rc = store_query_int(c, "SELECT MIN(id) FROM inspection_items", NULL, 0, &item, err);
    json_t *in = json_pack("{s:s, s:s, s:s, s:[I], s:[s, s], s:s, s:i}", "source", "complaint",
                           "reason", "12315平台投诉：销售过期食品（投诉编号 演示-0001）",
                           "credit_code", code, "item_ids", (json_int_t)item, "team", "FZ-002",
                           "FZ-006", "assigned_on", assigned, "working_days", 15),
           *out = NULL;
    if (!rc)
        rc = insp_task_create(c, p, in, &out, err);
    json_decref(in);
    json_decref(out);
    free(code);
    return rc;
}

static json_t *oil_items(bool acid_ok, const char *acid)
{
    return json_pack("[{s:s, s:s, s:s, s:s, s:b}, {s:s, s:s, s:s, s:s, s:b}, "
                     "{s:s, s:s, s:s, s:s, s:b}]",
                     "item", "酸价（KOH）", "standard", "GB 2716-2018", "requirement",
                     "≤3 mg/g", "measured", acid, "pass", acid_ok, "item", "过氧化值",
                     "standard", "GB 2716-2018", "requirement", "≤0.25 g/100g", "measured",
                     "0.08 g/100g", "pass", 1, "item", "苯并[a]芘", "standard", "GB 2762-2022",
                     "requirement", "≤10 μg/kg", "measured", "1.2 μg/kg", "pass", 1);
}

static int demo_spot(store_conn *c, const http_principal *p, const workday_cal *cal,
                     nqi_error *err)
{
    char sampled[11], tested[11], rechecked[11], year[5];
    day_rel(cal, -50, sampled);
    day_rel(cal, -40, tested);
    day_rel(cal, -8, rechecked);
    memcpy(year, sampled, 4);
    year[4] = 0;
    json_t *in = json_pack("{s:s, s:i, s:s, s:s, s:s}", "name",
                           "福州市食用植物油产品质量监督抽查（演示）", "year", atoi(year),
                           "product", "食用植物油", "department", "福州市市场监督管理局", "lab",
                           "福建省产品质量检验研究院"),
           *out = NULL;
    int rc = spot_check_create(c, p, in, &out, err);
    json_decref(in);
    int64_t check = rc ? 0 : json_integer_value(json_object_get(out, "id"));
    json_decref(out);
    store_rows *r = NULL;
    if (!rc)
        rc = store_query(c,
                         "SELECT credit_code FROM entities WHERE industry = '食品生产' AND status "
                         "= 'active' ORDER BY credit_code LIMIT 3",
                         NULL, 0, &r, err);
    char codes[3][24] = {"", "", ""};
    for (int i = 0; !rc && i < 3 && store_next(r) == 1; i++)
        snprintf(codes[i], sizeof codes[i], "%s", store_text(r, 0));
    store_rows_close(r);
    static const char *const specs[3] = {"5L/桶", "1.8L/瓶", "900mL/瓶"};
    for (int i = 0; !rc && i < 3 && codes[i][0]; i++) {
        char no[32];
        snprintf(no, sizeof no, "SC%s3501%04d", year, i + 1);
        in = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "sample_no", no, "product",
                       i == 1 ? "花生油" : "大豆油", "specification", specs[i], "batch",
                       sampled, "producer_code", codes[i], "sampled_on", sampled, "quantity",
                       "4瓶（桶）");
        out = NULL;
        rc = spot_sample_add(c, p, check, in, &out, err);
        json_decref(in);
        int64_t sid = rc ? 0 : json_integer_value(json_object_get(out, "id"));
        json_decref(out);
        in = json_pack("{s:s, s:o}", "tested_on", tested, "items",
                       oil_items(i != 1, i == 1 ? "4.6 mg/g" : "0.9 mg/g"));
        out = NULL;
        if (!rc)
            rc = spot_sample_results(c, p, sid, false, in, &out, err);
        json_decref(in);
        json_decref(out);
        out = NULL;
        if (!rc)
            rc = insp_publish(c, p, INSP_SAMPLE, sid, &out, err);
        json_decref(out);
        if (!rc && i == 1) { /* the failed sample, corrected and re-checked */
            in = json_pack("{s:s, s:o}", "tested_on", rechecked, "items",
                           oil_items(true, "1.1 mg/g"));
            out = NULL;
            rc = spot_sample_results(c, p, sid, true, in, &out, err);
            json_decref(in);
            json_decref(out);
        }
    }
    return rc;
}

int inspection_demo(nqi_app *app, store_conn *c, nqi_error *err)
{
    http_principal p;
    auth_cli_principal(&p);
    workday_cal cal;
    int rc = calendar_load(c, &cal, err);
    if (rc)
        return rc;
    rc = demo_tasks(c, &p, &cal, err);
    if (!rc)
        rc = demo_complaint(c, &p, &cal, err);
    if (!rc)
        rc = demo_spot(c, &p, &cal, err);
    workday_cal_free(&cal);
    return rc;
}
