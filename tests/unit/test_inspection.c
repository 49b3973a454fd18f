/*
 * test_inspection.c — the working-day calendar (src/supervision/workday.c
 * and the seeded 2025/2026 schedules in 0010), deadlines, and the state
 * machines of inspection tasks and spot-check samples on a temporary SQLite
 * database: assigned -> recorded -> completed -> published, signatures
 * voided by a changed record, teams that cannot be formed, results that
 * contradict their findings, re-checks, credit facts written with the
 * final result and never before.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/auth.h"
#include "core/util.h"
#include "fixture.h"
#include "supervision/credit_code.h"
#include "supervision/inspection.h"

/* ---------------------------------------------------------------- pure */

static int32_t D(const char *s)
{
    int32_t d = 0;
    assert_true(date_parse(s, &d));
    return d;
}

static void assert_date(int32_t d, const char *want)
{
    char got[11];
    date_format(d, got);
    assert_string_equal(got, want);
}

static void test_dates(void **state)
{
    int32_t d;
    assert_int_equal(D("1970-01-01"), 0);
    assert_true(date_parse("2024-02-29", &d));
    assert_false(date_parse("2026-02-29", &d));
    assert_false(date_parse("1900-02-29", &d)); /* not a leap year */
    assert_true(date_parse("2000-02-29", &d));  /* a leap year */
    assert_false(date_parse("2026-2-3", &d));
    assert_false(date_parse("2026-02-03x", &d));
    assert_false(date_parse("2026-13-01", &d));
    assert_false(date_parse("2026-04-31", &d));
    assert_false(date_parse(NULL, &d));
    assert_date(D("2026-11-24"), "2026-11-24");
    assert_date(D("2026-12-31") + 1, "2027-01-01");
    assert_int_equal(date_weekday(D("2026-11-24")), 2); /* a Tuesday */
    assert_int_equal(date_weekday(D("2026-02-14")), 6);
    assert_int_equal(date_weekday(D("2025-09-28")), 7);
    /* 2026-11-24T16:30Z is already the 25th in Beijing */
    int64_t ms = 0;
    assert_int_equal(time_parse_iso8601("2026-11-24T16:30:00Z", &ms), 0);
    assert_date(date_today_cn(ms), "2026-11-25");
    assert_int_equal(time_parse_iso8601("2026-11-24T15:59:59Z", &ms), 0);
    assert_date(date_today_cn(ms), "2026-11-24");
}

/* The 2026 Spring Festival as the State Council set it: 2-15..2-23 off,
 * Saturdays 2-14 and 2-28 worked. */
static void spring_2026(workday_cal *cal)
{
    for (int32_t d = D("2026-02-15"); d <= D("2026-02-23"); d++)
        workday_cal_add(cal, d, false);
    workday_cal_add(cal, D("2026-02-28"), true);
    workday_cal_add(cal, D("2026-02-14"), true); /* out of order on purpose */
}

static void test_workday_add_pure(void **state)
{
    workday_cal none = {0}, cal = {0};
    spring_2026(&cal);
    assert_int_equal(cal.n, 11);
    for (size_t i = 1; i < cal.n; i++)
        assert_true(cal.e[i - 1].day < cal.e[i].day);
    /* weekends only */
    assert_date(workday_add(&none, D("2026-02-13"), 1), "2026-02-16");
    assert_date(workday_add(&none, D("2026-02-13"), 0), "2026-02-13");
    /* the adjusted Saturday counts, the nine days off do not */
    assert_true(workday_is(&cal, D("2026-02-14")));
    assert_false(workday_is(&cal, D("2026-02-16")));
    assert_false(workday_is(&cal, D("2026-02-21")));
    assert_date(workday_add(&cal, D("2026-02-13"), 1), "2026-02-14");
    assert_date(workday_add(&cal, D("2026-02-13"), 2), "2026-02-24");
    assert_date(workday_add(&cal, D("2026-02-14"), 1), "2026-02-24");
    assert_date(workday_add(&cal, D("2026-02-24"), -1), "2026-02-14");
    assert_date(workday_add(&cal, D("2026-02-27"), 1), "2026-02-28");
    assert_date(workday_add(&cal, D("2026-02-27"), 2), "2026-03-02");
    assert_date(workday_add(&cal, D("2026-02-10"), 20), "2026-03-16");
    /* a start on a holiday: the next working day is the first */
    assert_date(workday_add(&cal, D("2026-02-18"), 1), "2026-02-24");
    assert_int_equal(workday_count(&cal, D("2026-02-13"), D("2026-02-24")), 2);
    assert_int_equal(workday_count(&cal, D("2026-02-24"), D("2026-02-13")), 0);
    for (int n = 0; n < 40; n++) /* add and count are inverse */
        assert_int_equal(workday_count(&cal, D("2026-02-01"), workday_add(&cal, D("2026-02-01"), n)), n);
    /* replacing an entry */
    workday_cal_add(&cal, D("2026-02-14"), false);
    assert_int_equal(cal.n, 11);
    assert_date(workday_add(&cal, D("2026-02-13"), 1), "2026-02-24");
    workday_cal_free(&cal);
}

/* ---------------------------------------------------------------- store */

typedef struct fx {
    test_db db;
    http_principal p;
    int64_t item1, item2;
    char code0[19], code1[19];
} fx;

static void code(int i, char out[19])
{
    snprintf(out, 19, "91350102MA%07d", 3000 + i);
    out[17] = credit_code_check_char(out);
    out[18] = 0;
}

static int64_t add_item(fx *f, const char *name)
{
    nqi_error err = {0};
    json_t *in = json_pack("{s:s, s:s}", "name", name, "kind", "general"), *out = NULL;
    assert_int_equal(supervision_item_create(f->db.c, &f->p, in, &out, &err), 0);
    int64_t id = json_integer_value(json_object_get(out, "id"));
    json_decref(in);
    json_decref(out);
    return id;
}

static int setup(void **state)
{
    fx *f = xcalloc(1, sizeof *f);
    test_db_open(&f->db, "insp");
    nqi_error err = {0};
    auth_cli_principal(&f->p);
    code(0, f->code0);
    code(1, f->code1);
    char *csv = xasprintf("统一社会信用代码,企业名称,行业,区划代码\n%s,福州鼓楼閩江食品有限公司,"
                          "食品生产,350102\n%s,福州鼓楼榕城粮油有限公司,食品生产,350102\n",
                          f->code0, f->code1);
    sup_import_report rep;
    assert_int_equal(
        supervision_import(f->db.c, &f->p, SUP_ENTITIES, csv, strlen(csv), false, &rep, &err), 0);
    supervision_import_report_free(&rep);
    free(csv);
    csv = xasprintf("id,name,department,region,fields,active,conflicts\n"
                    "I1,陈明,鼓楼分局,350102,食品生产,1,%s:亲属任职\n"
                    "I2,林芳,鼓楼分局,350102,食品生产,1,\n"
                    "I3,黄伟,鼓楼分局,350102,食品生产,1,\n"
                    "I4,郑丽,鼓楼分局,350102,食品生产,0,\n",
                    f->code0);
    assert_int_equal(
        supervision_import(f->db.c, &f->p, SUP_INSPECTORS, csv, strlen(csv), false, &rep, &err), 0);
    supervision_import_report_free(&rep);
    free(csv);
    f->item1 = add_item(f, "食品生产企业监督检查");
    f->item2 = add_item(f, "企业公示信息抽查");
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx *f = *state;
    test_db_close(&f->db);
    free(f);
    return 0;
}

/* The seeded official schedules, through the store. */
static void test_seeded_calendar(void **state)
{
    fx *f = *state;
    nqi_error err = {0};
    assert_int_equal(test_db_int(&f->db, "SELECT COUNT(*) FROM work_calendar"), 72);
    assert_int_equal(
        test_db_int(&f->db, "SELECT COUNT(*) FROM work_calendar WHERE kind = 'workday'"), 11);
    workday_cal cal;
    assert_int_equal(calendar_load(f->db.c, &cal, &err), 0);
    /* Spring Festival 2026 */
    assert_date(workday_add(&cal, D("2026-02-13"), 1), "2026-02-14");
    assert_date(workday_add(&cal, D("2026-02-13"), 2), "2026-02-24");
    assert_date(workday_add(&cal, D("2026-02-10"), 20), "2026-03-16");
    /* National Day 2025 (with Mid-Autumn: 10-01..10-08; 9-28 Sunday and 10-11 Saturday worked) */
    assert_date(workday_add(&cal, D("2025-09-26"), 1), "2025-09-28");
    assert_date(workday_add(&cal, D("2025-09-26"), 4), "2025-10-09");
    assert_date(workday_add(&cal, D("2025-09-26"), 6), "2025-10-11");
    assert_date(workday_add(&cal, D("2025-09-26"), 7), "2025-10-13");
    /* Spring Festival 2025: Sunday 1-26 worked, 1-28..2-04 off */
    assert_date(workday_add(&cal, D("2025-01-24"), 1), "2025-01-26");
    assert_date(workday_add(&cal, D("2025-01-24"), 3), "2025-02-05");
    /* New Year 2026: 1-1..1-3 off, Sunday 1-4 worked */
    assert_date(workday_add(&cal, D("2025-12-31"), 1), "2026-01-04");
    /* Labour Day 2026: Saturday 5-9 worked */
    assert_date(workday_add(&cal, D("2026-04-30"), 1), "2026-05-06");
    assert_date(workday_add(&cal, D("2026-05-08"), 1), "2026-05-09");
    /* publication deadline across National Day 2026 */
    assert_date(workday_add(&cal, D("2026-09-30"), INSP_PUBLISH_WORKING_DAYS), "2026-11-03");
    workday_cal_free(&cal);
}

static void test_calendar_edits(void **state)
{
    fx *f = *state;
    nqi_error err = {0};
    json_t *out = NULL;
    /* a weekday cannot be an adjusted working day */
    assert_int_equal(calendar_put(f->db.c, &f->p, "2027-02-03", "workday", "x", &out, &err),
                     NQI_EINVAL);
    assert_string_equal(err.fields[0].field, "date");
    nqi_error_clear(&err);
    assert_int_equal(calendar_put(f->db.c, &f->p, "2027-02-30", "holiday", "x", &out, &err),
                     NQI_EINVAL);
    nqi_error_clear(&err);
    assert_int_equal(calendar_put(f->db.c, &f->p, "2027-02-06", "上班", "春节调休上班", &out, &err),
                     0);
    assert_string_equal(json_string_value(json_object_get(out, "kind")), "workday");
    json_decref(out);
    /* one bad row rejects the file */
    const char *bad = "日期,类型,名称\n2027-02-10,放假,春节\n2027-02-11,maybe,春节\n2027-02-12,休,春节\n";
    sup_import_report rep;
    int64_t before = test_db_int(&f->db, "SELECT COUNT(*) FROM work_calendar");
    assert_int_equal(calendar_import(f->db.c, &f->p, bad, strlen(bad), false, &rep, &err),
                     NQI_EINVAL);
    assert_int_equal(rep.nerrors, 1);
    assert_int_equal(rep.errors[0].row, 2);
    assert_string_equal(rep.errors[0].field, "kind");
    supervision_import_report_free(&rep);
    assert_int_equal(test_db_int(&f->db, "SELECT COUNT(*) FROM work_calendar"), before);
    nqi_error_clear(&err);
    const char *good = "date,kind,name\n2027-02-10,holiday,春节\n2027-02-06,holiday,改\n";
    assert_int_equal(calendar_import(f->db.c, &f->p, good, strlen(good), false, &rep, &err), 0);
    assert_int_equal(rep.inserted, 1);
    assert_int_equal(rep.updated, 1);
    supervision_import_report_free(&rep);
    assert_int_equal(
        test_db_int(
            &f->db,
            "SELECT COUNT(*) FROM work_calendar WHERE day = '2027-02-06' AND kind = 'holiday'"),
        1);
    assert_int_equal(calendar_delete(f->db.c, &f->p, "2027-02-10", &err), 0);
    assert_int_equal(calendar_delete(f->db.c, &f->p, "2027-02-10", &err), NQI_ENOTFOUND);
}

static json_t *manual(fx *f, const char *c, const char *m1, const char *m2)
{
    return json_pack("{s:s, s:s, s:s, s:[I, I], s:[s, s], s:s, s:i}", "source", "complaint",
                     "reason", "12315投诉：标签标注不规范", "credit_code", c, "item_ids",
                     (json_int_t)f->item1, (json_int_t)f->item2, "team", m1, m2, "assigned_on",
                     "2026-02-10", "working_days", 20);
}

static bool has_field(const nqi_error *e, const char *field)
{
    for (int i = 0; i < e->nfields; i++)
        if (!strcmp(e->fields[i].field, field))
            return true;
    return false;
}

static void test_team_rules(void **state)
{
    fx *f = *state;
    nqi_error err = {0};
    json_t *out = NULL, *in = manual(f, f->code0, "I1", "I2");
    /* I1 declared a conflict with code0 */
    assert_int_equal(insp_task_create(f->db.c, &f->p, in, &out, &err), NQI_EINVAL);
    assert_true(has_field(&err, "team/0"));
    json_decref(in);
    nqi_error_clear(&err);
    in = manual(f, f->code0, "I2", "I4"); /* I4 inactive */
    assert_int_equal(insp_task_create(f->db.c, &f->p, in, &out, &err), NQI_EINVAL);
    assert_true(has_field(&err, "team/1"));
    json_decref(in);
    nqi_error_clear(&err);
    in = manual(f, f->code0, "I2", "I2");
    assert_int_equal(insp_task_create(f->db.c, &f->p, in, &out, &err), NQI_EINVAL);
    json_decref(in);
    nqi_error_clear(&err);
    in = json_pack("{s:s, s:s, s:s, s:[I], s:[s]}", "source", "lead", "reason", "x",
                   "credit_code", f->code0, "item_ids", (json_int_t)f->item1, "team", "I2");
    assert_int_equal(insp_task_create(f->db.c, &f->p, in, &out, &err), NQI_EINVAL);
    assert_true(has_field(&err, "team"));
    json_decref(in);
    assert_int_equal(test_db_int(&f->db, "SELECT COUNT(*) FROM inspection_tasks"), 0);
    assert_int_equal(test_db_int(&f->db, "SELECT COUNT(*) FROM inspection_members"), 0);
    /* I1 has no conflict with code1 */
    nqi_error_clear(&err);
    in = manual(f, f->code1, "I1", "I2");
    assert_int_equal(insp_task_create(f->db.c, &f->p, in, &out, &err), 0);
    assert_string_equal(json_string_value(json_object_get(out, "due_on")), "2026-03-16");
    assert_string_equal(json_string_value(json_object_get(out, "status")), "assigned");
    json_decref(in);
    json_decref(out);
}

static json_t *record(fx *f, const char *result, bool c1, bool c2)
{
    return json_pack("{s:s, s:s, s:[{s:I, s:b, s:s}, {s:I, s:b, s:s}]}", "inspected_on",
                     "2026-02-26", "result", result, "findings", "item_id", (json_int_t)f->item1,
                     "conforms", c1, "finding", c1 ? "" : "原料进货查验记录缺失", "item_id",
                     (json_int_t)f->item2, "conforms", c2, "finding", "");
}

static void test_task_state_machine(void **state)
{
    fx *f = *state;
    nqi_error err = {0};
    json_t *out = NULL, *in = manual(f, f->code0, "I2", "I3");
    assert_int_equal(insp_task_create(f->db.c, &f->p, in, &out, &err), 0);
    json_decref(in);
    int64_t id = json_integer_value(json_object_get(out, "id"));
    json_decref(out);
    http_principal i2 = {.role = ROLE_INSPECTOR, .user_id = 7}, i1 = i2;
    snprintf(i2.username, sizeof i2.username, "i2");
    snprintf(i1.username, sizeof i1.username, "i1");
    char who[65];
    assert_true(insp_actor_inspector(f->db.c, &i2, who));
    assert_string_equal(who, "I2");
    /* not on the team */
    in = record(f, "normal", true, true);
    assert_int_equal(insp_task_record(f->db.c, &i1, id, in, &out, &err), NQI_EFORBIDDEN);
    nqi_error_clear(&err);
    /* signing before anything is recorded */
    assert_int_equal(
        insp_task_sign(f->db.c, &i2, id, "I2",
                       "0000000000000000000000000000000000000000000000000000000000000000", &out,
                       &err),
        NQI_ECONFLICT);
    nqi_error_clear(&err);
    json_decref(in);
    /* "normal" contradicting a non-conforming item */
    in = record(f, "normal", false, true);
    assert_int_equal(insp_task_record(f->db.c, &i2, id, in, &out, &err), NQI_EINVAL);
    assert_true(has_field(&err, "result"));
    json_decref(in);
    nqi_error_clear(&err);
    in = record(f, "ordered_to_correct", true, true);
    assert_int_equal(insp_task_record(f->db.c, &i2, id, in, &out, &err), NQI_EINVAL);
    json_decref(in);
    nqi_error_clear(&err);
    assert_int_equal(
        test_db_int(
            &f->db,
            "SELECT COUNT(*) FROM inspection_tasks WHERE status = 'assigned' AND result IS NULL"),
        1);
    in = record(f, "ordered_to_correct", false, true);
    assert_int_equal(insp_task_record(f->db.c, &i2, id, in, &out, &err), 0);
    json_decref(in);
    char h1[65];
    snprintf(h1, sizeof h1, "%s", json_string_value(json_object_get(out, "record_hash")));
    assert_int_equal(strlen(h1), 64);
    assert_string_equal(json_string_value(json_object_get(out, "status")), "recorded");
    json_decref(out);
    assert_int_equal(insp_task_sign(f->db.c, &i2, id, "I2", h1, &out, &err), 0);
    json_decref(out);
    /* the record changes: I2's signature is void, the old hash is refused */
    in = record(f, "ordered_to_correct", false, false);
    json_object_set_new(json_array_get(json_object_get(in, "findings"), 1), "finding", json_string("年报未公示"));
    json_object_set_new(in, "summary", json_string("责令十日内改正"));
    assert_int_equal(insp_task_record(f->db.c, &f->p, id, in, &out, &err), 0);
    json_decref(in);
    char h2[65];
    snprintf(h2, sizeof h2, "%s", json_string_value(json_object_get(out, "record_hash")));
    assert_string_not_equal(h1, h2);
    json_decref(out);
    assert_int_equal(
        test_db_int(&f->db, "SELECT COUNT(*) FROM inspection_members WHERE signed_at IS NOT NULL"),
        0);
    assert_int_equal(insp_task_sign(f->db.c, &i2, id, "I3", h1, &out, &err), NQI_ECONFLICT);
    assert_true(has_field(&err, "record_hash"));
    nqi_error_clear(&err);
    assert_int_equal(test_db_int(&f->db, "SELECT COUNT(*) FROM credit_facts"), 0);
    assert_int_equal(insp_task_sign(f->db.c, &i2, id, "I2", h2, &out, &err), 0);
    json_decref(out);
    assert_int_equal(test_db_int(&f->db, "SELECT COUNT(*) FROM credit_facts"),
                     0); /* not final yet */
    assert_int_equal(insp_task_sign(f->db.c, &i2, id, "I3", h2, &out, &err), 0);
    assert_string_equal(json_string_value(json_object_get(out, "status")), "completed");
    assert_string_equal(json_string_value(json_object_get(out, "completed_on")), "2026-02-26");
    assert_string_equal(json_string_value(json_object_get(out, "publish_due")), "2026-03-25");
    json_decref(out);
    assert_int_equal(
        test_db_int(
            &f->db,
            "SELECT COUNT(*) FROM credit_facts WHERE kind = 'inspection.ordered_to_correct' AND "
            "source = 'inspection' AND occurred_on = '2026-02-26'"),
        1);
    /* final: no more edits, no recusal */
    in = record(f, "ordered_to_correct", false, true);
    assert_int_equal(insp_task_record(f->db.c, &f->p, id, in, &out, &err), NQI_ECONFLICT);
    json_decref(in);
    nqi_error_clear(&err);
    assert_int_equal(insp_task_recuse(f->db.c, &f->p, id, "I2", "亲属", "I1", &out, &err),
                     NQI_ECONFLICT);
    nqi_error_clear(&err);
    int64_t leaves = test_db_int(&f->db, "SELECT COUNT(*) FROM publog_leaves");
    assert_int_equal(insp_publish(f->db.c, &f->p, INSP_TASK, id, &out, &err), 0);
    assert_string_equal(json_string_value(json_object_get(out, "result")), "ordered_to_correct");
    json_t *rec = json_object_get(out, "record");
    assert_string_equal(json_string_value(json_object_get(rec, "result_label")), "发现问题已责令改正");
    assert_null(json_object_get(rec, "summary")); /* findings text stays internal */
    json_decref(out);
    assert_int_equal(test_db_int(&f->db, "SELECT COUNT(*) FROM publog_leaves"), leaves + 1);
    assert_int_equal(insp_publish(f->db.c, &f->p, INSP_TASK, id, &out, &err), NQI_ECONFLICT);
}

static void test_recusal_manual(void **state)
{
    fx *f = *state;
    nqi_error err = {0};
    json_t *out = NULL, *in = manual(f, f->code0, "I2", "I3");
    assert_int_equal(insp_task_create(f->db.c, &f->p, in, &out, &err), 0);
    json_decref(in);
    int64_t id = json_integer_value(json_object_get(out, "id"));
    json_decref(out);
    /* the replacement must not be conflicted either */
    assert_int_equal(insp_task_recuse(f->db.c, &f->p, id, "I3", "同学关系", "I1", &out, &err),
                     NQI_EINVAL);
    assert_true(has_field(&err, "replacement"));
    nqi_error_clear(&err);
    assert_int_equal(insp_task_recuse(f->db.c, &f->p, id, "I3", "同学关系", NULL, &out, &err),
                     NQI_EINVAL);
    nqi_error_clear(&err);
    assert_int_equal(insp_task_recuse(f->db.c, &f->p, id, "I9", "同学关系", "I1", &out, &err),
                     NQI_ENOTFOUND);
    nqi_error_clear(&err);
    assert_int_equal(
        test_db_int(&f->db, "SELECT COUNT(*) FROM inspection_members WHERE inspector_code = 'I3'"),
        1);
}

static json_t *lab(const char *std, bool pass1)
{
    return json_pack("{s:s, s:[{s:s, s:s, s:s, s:s, s:b}, {s:s, s:s, s:b}]}", "tested_on",
                     "2026-03-10", "items", "item", "酸价（KOH）", "standard", std, "requirement",
                     "≤3 mg/g", "measured", pass1 ? "0.9 mg/g" : "4.6 mg/g", "pass", pass1,
                     "item", "苯并[a]芘", "standard", "GB 2762-2022", "pass", 1);
}

static void test_spot_check(void **state)
{
    fx *f = *state;
    nqi_error err = {0};
    json_t *out = NULL;
    json_t *in = json_pack("{s:s, s:i, s:s, s:s}", "name", "食用植物油监督抽查", "year", 2026,
                           "product", "食用植物油", "lab", "福建省产品质量检验研究院");
    assert_int_equal(spot_check_create(f->db.c, &f->p, in, &out, &err), 0);
    int64_t check = json_integer_value(json_object_get(out, "id"));
    json_decref(in);
    json_decref(out);
    in = json_pack("{s:s, s:s, s:s, s:s}", "sample_no", "SC20263501001", "product", "花生油",
                   "producer_code", f->code1, "sampled_on", "2026-03-02");
    assert_int_equal(spot_sample_add(f->db.c, &f->p, check, in, &out, &err), 0);
    assert_string_equal(json_string_value(json_object_get(out, "producer_name")), "福州鼓楼榕城粮油有限公司");
    int64_t id = json_integer_value(json_object_get(out, "id"));
    json_decref(out);
    assert_int_equal(spot_sample_add(f->db.c, &f->p, check, in, &out, &err), NQI_ECONFLICT);
    json_decref(in);
    nqi_error_clear(&err);
    /* not a standard number: nothing recorded */
    in = lab("GB 27l6-2018", false);
    assert_int_equal(spot_sample_results(f->db.c, &f->p, id, false, in, &out, &err), NQI_EINVAL);
    assert_true(has_field(&err, "items/0/standard"));
    json_decref(in);
    nqi_error_clear(&err);
    assert_int_equal(test_db_int(&f->db, "SELECT COUNT(*) FROM spot_results"), 0);
    /* a re-check before any test */
    in = lab("GB 2716-2018", true);
    assert_int_equal(spot_sample_results(f->db.c, &f->p, id, true, in, &out, &err), NQI_ECONFLICT);
    json_decref(in);
    nqi_error_clear(&err);
    in = lab("gb2716-2018", false); /* stored canonical */
    assert_int_equal(spot_sample_results(f->db.c, &f->p, id, false, in, &out, &err), 0);
    json_decref(in);
    assert_string_equal(json_string_value(json_object_get(out, "verdict")), "fail");
    assert_string_equal(json_string_value(json_object_get(out, "correction_due")), "2026-04-08");
    assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(out, "results"), 0), "standard")), "GB 2716-2018");
    json_decref(out);
    assert_int_equal(test_db_int(&f->db, "SELECT COUNT(*) FROM credit_facts WHERE kind = "
                                         "'spot_check.fail' AND source = 'spot_check'"),
                     1);
    in = lab("GB 2716-2018", false);
    json_object_set_new(in, "tested_on", json_string("2026-04-09"));
    assert_int_equal(spot_sample_results(f->db.c, &f->p, id, true, in, &out, &err), 0);
    assert_string_equal(json_string_value(json_object_get(out, "status")), "rechecked");
    assert_string_equal(json_string_value(json_object_get(out, "final_verdict")), "fail");
    json_decref(out);
    assert_int_equal(
        test_db_int(&f->db,
                    "SELECT COUNT(*) FROM credit_facts WHERE kind = 'spot_check.recheck_fail'"),
        1);
    /* only one re-check */
    assert_int_equal(spot_sample_results(f->db.c, &f->p, id, true, in, &out, &err), NQI_ECONFLICT);
    json_decref(in);
    nqi_error_clear(&err);
    assert_int_equal(insp_publish(f->db.c, &f->p, INSP_SAMPLE, id, &out, &err), 0);
    json_t *rec = json_object_get(out, "record");
    assert_string_equal(json_string_value(json_object_get(rec, "final_verdict")), "fail");
    assert_int_equal(json_array_size(json_object_get(rec, "failed_items")), 1);
    json_decref(out);
    assert_int_equal(insp_publish(f->db.c, &f->p, INSP_SAMPLE, id, &out, &err), NQI_ECONFLICT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dates),
        cmocka_unit_test(test_workday_add_pure),
        cmocka_unit_test_setup_teardown(test_seeded_calendar, setup, teardown),
        cmocka_unit_test_setup_teardown(test_calendar_edits, setup, teardown),
        cmocka_unit_test_setup_teardown(test_team_rules, setup, teardown),
        cmocka_unit_test_setup_teardown(test_task_state_machine, setup, teardown),
        cmocka_unit_test_setup_teardown(test_recusal_manual, setup, teardown),
        cmocka_unit_test_setup_teardown(test_spot_check, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
