/*
 * test_credit.c — quality-credit classification (src/supervision/credit_*.c):
 * the Civil-Code period arithmetic at its edges (month ends, leap days),
 * scoring against hand-computed points under rule set v1 (decay windows at
 * the boundary day, max_count, hard rules), rule-set validation, and on a
 * temporary SQLite database: rule versions, list entry/removal dates, the
 * sweep (serious expiry, abnormal -> serious after 3 years), penalty
 * publicity, repair eligibility (6 months / 1 year for food), restrictions,
 * and the full recomputation writing entities.credit_class.
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
#include "supervision/credit_impl.h"
#include "supervision/supervision.h"

/* ---------------------------------------------------------------- dates */

static void end_is(const char *start, int months, const char *end, const char *from)
{
    credit_date e, f;
    credit_period_end(start, months, e);
    credit_possible_from(start, months, f);
    assert_string_equal(e, end);
    assert_string_equal(f, from);
}

static void test_dates(void **state)
{
    end_is("2024-01-15", 6, "2024-07-15", "2024-07-16");
    end_is("2023-08-31", 6, "2024-02-29", "2024-03-01"); /* no 31 Feb: month end, leap year */
    end_is("2022-08-31", 6, "2023-02-28", "2023-03-01");
    end_is("2024-02-29", 12, "2025-02-28", "2025-03-01"); /* leap day + 1 year */
    end_is("2024-02-29", 48, "2028-02-29", "2028-03-01");
    end_is("2023-12-31", 3, "2024-03-31", "2024-04-01");
    end_is("2024-11-30", 3, "2025-02-28", "2025-03-01");
    end_is("2023-11-24", 36, "2026-11-24", "2026-11-25");
    end_is("2026-11-24", -12, "2025-11-24", "2025-11-25");
    assert_int_equal(credit_years_between("2024-02-29", "2025-02-28"), 0);
    assert_int_equal(credit_years_between("2024-02-29", "2025-03-01"), 1);
    assert_int_equal(credit_years_between("2020-06-01", "2026-05-31"), 5);
    assert_int_equal(credit_years_between("2020-06-01", "2026-06-01"), 6);
    assert_true(credit_date_valid("2024-02-29"));
    assert_true(credit_date_valid("2000-02-29"));
    assert_false(credit_date_valid("2023-02-29"));
    assert_false(credit_date_valid("2100-02-29"));
    assert_false(credit_date_valid("2024-13-01"));
    assert_false(credit_date_valid("2024-1-01"));
    credit_date d;
    credit_date_add_days("2024-02-28", 1, d);
    assert_string_equal(d, "2024-02-29");
    credit_date_add_days("2024-12-31", 1, d);
    assert_string_equal(d, "2025-01-01");
}

/* ---------------------------------------------------------------- scoring */

/* Rule set v1 as migration 0009 inserts it (read from the migration so the
 * test follows the shipped rules). */
static json_t *rules_v1(void)
{
    char *sql = NULL;
    size_t n;
    assert_int_equal(file_read_all("db/migrations/sqlite/0009_credit.sql", 0, &sql, &n), 0);
    char *a = strstr(sql, "VALUES (1, '");
    assert_non_null(a);
    a += strlen("VALUES (1, '");
    char *b = strstr(a, "}', '");
    assert_non_null(b);
    b[1] = 0;
    json_t *j = json_loads(a, 0, NULL);
    free(sql);
    assert_non_null(j);
    return j;
}

static void parse_v1(credit_rules *r)
{
    json_t *j = rules_v1();
    nqi_error err = {0};
    assert_int_equal(credit_rules_parse(j, r, &err), 0);
    r->version = 1;
    json_decref(j);
}

static int points_of(json_t *expl, const char *kind_or_indicator)
{
    size_t i;
    json_t *it;
    int sum = 0;
    json_array_foreach(json_object_get(expl, "items"), i, it)
    {
        const char *k = json_string_value(json_object_get(it, "kind"));
        if (!k)
            k = json_string_value(json_object_get(it, "indicator"));
        if (!strcmp(k, kind_or_indicator))
            sum += (int)json_integer_value(json_object_get(it, "points"));
    }
    return sum;
}

static void test_score_hand_computed(void **state)
{
    credit_rules r;
    parse_v1(&r);
    credit_entity e = {.credit_code = "91350102MA00010007", .registered_on = "2015-03-01", .status = "active", .licences = "SC10335010200", .risk_tags = "a;b"};
    credit_fact_row f[] = {
        {1, "spot_check.fail", "2026-05-01", "spot_check", "s1", "抽查不合格"}, /* 7 months: -15 */
        {2, "inspection.refused", "2024-06-01", "inspection", "i1", ""},      /* 29 months: -30/2 */
        {3, "inspection.normal", "2023-01-01", "inspection", "i2", ""},       /* past 24: 0 */
        {4, "unknown.kind", "2026-01-01", "manual", "m1", ""},                /* not weighed */
    };
    credit_result res;
    credit_score(&r, &e, f, 4, "2026-11-24", true, &res);
    /* 70 base + 10 (11 years) + 3 licence - 6 (two risk tags) - 15 - 15 = 47 -> C (45..64) */
    assert_int_equal(res.score, 47);
    assert_int_equal(res.cls, 'C');
    assert_int_equal(res.by_score, 'C');
    assert_int_equal(points_of(res.explanation, "age"), 10);
    assert_int_equal(points_of(res.explanation, "licences"), 3);
    assert_int_equal(points_of(res.explanation, "risk_tags"), -6);
    assert_int_equal(points_of(res.explanation, "spot_check.fail"), -15);
    assert_int_equal(points_of(res.explanation, "inspection.refused"), -15);
    assert_int_equal(points_of(res.explanation, "inspection.normal"), 0);
    assert_int_equal(json_array_size(json_object_get(res.explanation, "items")), 5);
    assert_int_equal(json_integer_value(json_object_get(res.explanation, "rule_version")), 1);
    json_decref(res.explanation);

    /* max_count: 6 complaints in the year, 5 count (-3 each) */
    credit_entity e2 = {.credit_code = "91350102MA00010007", .registered_on = "2024-01-01", .status = "active", .licences = "", .risk_tags = ""};
    credit_fact_row c[6];
    for (int i = 0; i < 6; i++)
        c[i] = (credit_fact_row){10 + i, "complaint", "2026-10-01", "manual", "", ""};
    credit_score(&r, &e2, c, 6, "2026-11-24", true, &res);
    /* 70 + 0 (2 years) - 15 = 55 */
    assert_int_equal(res.score, 55);
    assert_int_equal(points_of(res.explanation, "complaint"), -15);
    json_decref(res.explanation);
}

static void test_score_windows_and_hard_rules(void **state)
{
    credit_rules r;
    parse_v1(&r);
    credit_entity e = {.credit_code = "91350102MA00010007", .registered_on = "2010-01-01", .status = "active", .licences = "", .risk_tags = ""};
    credit_result res;
    /* the full window's last day is the corresponding day 12 months on */
    credit_fact_row f1 = {1, "spot_check.fail", "2025-11-24", "s", "", ""};
    credit_score(&r, &e, &f1, 1, "2026-11-24", false, &res);
    assert_int_equal(res.score, 70 + 10 - 15);
    credit_fact_row f2 = {1, "spot_check.fail", "2025-11-23", "s", "", ""};
    credit_score(&r, &e, &f2, 1, "2026-11-24", false, &res);
    assert_int_equal(res.score, 70 + 10 - 7); /* half of -15, toward zero */
    /* leap day: 2024-02-29 + 12 months ends 2025-02-28 */
    credit_fact_row f3 = {1, "spot_check.fail", "2024-02-29", "s", "", ""};
    credit_score(&r, &e, &f3, 1, "2025-02-28", false, &res);
    assert_int_equal(res.score, 80 - 15);
    credit_score(&r, &e, &f3, 1, "2025-03-01", false, &res);
    assert_int_equal(res.score, 80 - 7);
    /* hard rules: abnormal list -> at least C even with a B score */
    credit_fact_row ab = {2, "list.abnormal", "2026-01-10", "credit_list", "abnormal:1", ""};
    credit_score(&r, &e, &ab, 1, "2026-11-24", true, &res);
    assert_int_equal(res.score, 60);
    assert_int_equal(res.by_score, 'C');
    assert_int_equal(res.cls, 'C');
    json_decref(res.explanation);
    credit_entity young = {.credit_code = "91350102MA00010007", .registered_on = "2025-12-01", .status = "active", .licences = "SC1", .risk_tags = ""};
    credit_fact_row good[] = {{3, "inspection.normal", "2026-09-01", "i", "", ""},
                              {4, "spot_check.pass", "2026-09-01", "s", "", ""},
                              {5, "spot_check.pass", "2026-08-01", "s", "", ""},
                              {6, "list.abnormal", "2026-10-01", "credit_list", "abnormal:2", ""}};
    /* 70 - 5 (under a year) + 3 + 5 + 10 - 20 = 63 -> C */
    credit_score(&r, &young, good, 4, "2026-11-24", false, &res);
    assert_int_equal(res.score, 63);
    assert_int_equal(res.cls, 'C');
    /* serious list -> D whatever the score */
    credit_fact_row se[] = {{7, "inspection.normal", "2026-09-01", "i", "", ""},
                            {8, "list.serious", "2026-06-01", "credit_list", "serious:1", ""}};
    credit_score(&r, &e, se, 2, "2026-11-24", true, &res);
    assert_int_equal(res.score, 70 + 10 + 5 - 40);
    assert_int_equal(res.cls, 'D');
    assert_int_equal(json_array_size(json_object_get(res.explanation, "hard_rules")), 1);
    json_decref(res.explanation);
    /* heavier penalty within 12 months: no A; after 12 months the cap is gone */
    credit_fact_row pa[] = {{9, "inspection.normal", "2026-09-01", "i", "", ""},
                            {10, "inspection.normal", "2026-08-01", "i", "", ""},
                            {11, "spot_check.pass", "2026-09-01", "s", "", ""},
                            {12, "spot_check.pass", "2026-08-01", "s", "", ""},
                            {13, "penalty.high", "2025-12-01", "credit_penalty", "1", ""}};
    credit_entity old = {.credit_code = "91350102MA00010007", .registered_on = "2000-01-01", .status = "active", .licences = "SC1", .risk_tags = ""};
    /* 70 + 10 + 3 + 10 + 10 = 103 -> A */
    credit_score(&r, &old, pa, 4, "2026-11-24", false, &res);
    assert_int_equal(res.score, 103);
    assert_int_equal(res.cls, 'A');
    /* weigh penalty.high at -1 so only the hard rule (12 months: at least B) can move it */
    for (int i = 0; i < r.nfacts; i++)
        if (!strcmp(r.facts[i].kind, "penalty.high"))
            r.facts[i].points = -1;
    credit_score(&r, &old, pa, 5, "2026-11-24", false, &res);
    assert_int_equal(res.score, 102);
    assert_int_equal(res.by_score, 'A');
    assert_int_equal(res.cls, 'B');
    /* 2025-12-01 + 12 months = 2026-12-01: on 2026-12-02 the cap is gone */
    credit_score(&r, &old, pa, 5, "2026-12-02", false, &res);
    assert_int_equal(res.cls, 'A');
}

static void test_rules_validation(void **state)
{
    credit_rules r;
    nqi_error err = {0};
    json_t *j = rules_v1();
    json_array_remove(json_object_get(j, "hard_rules"), 0); /* list.serious -> D */
    assert_int_equal(credit_rules_parse(j, &r, &err), NQI_EINVAL);
    assert_string_equal(err.fields[0].field, "rules/hard_rules");
    json_decref(j);
    j = rules_v1();
    json_object_set_new(json_object_get(j, "thresholds"), "C", json_integer(90));
    nqi_error_clear(&err);
    assert_int_equal(credit_rules_parse(j, &r, &err), NQI_EINVAL);
    assert_string_equal(err.fields[0].field, "rules/thresholds");
    json_decref(j);
    j = rules_v1();
    json_object_set_new(json_object_get(json_object_get(j, "facts"), "complaint"),
                        "window_months", json_integer(6));
    nqi_error_clear(&err);
    assert_int_equal(credit_rules_parse(j, &r, &err), NQI_EINVAL);
    assert_string_equal(err.fields[0].field, "rules/facts/complaint");
    json_decref(j);
}

/* ---------------------------------------------------------------- database */

typedef struct fx {
    test_db db;
    http_principal p;
    char food[19], other[19];
} fx;

static int setup(void **state)
{
    fx *f = xcalloc(1, sizeof *f);
    test_db_open(&f->db, "credit");
    nqi_error err = {0};
    auth_cli_principal(&f->p);
    snprintf(f->food, 19, "91350102MA%07d", 3001);
    f->food[17] = credit_code_check_char(f->food);
    snprintf(f->other, 19, "91350102MA%07d", 3002);
    f->other[17] = credit_code_check_char(f->other);
    char *csv = xasprintf("统一社会信用代码,企业名称,行业,区划代码,成立日期,登记状态\n"
                          "%s,福州闽江食品有限公司,食品生产,350102,2010-05-01,存续\n"
                          "%s,福州榕城机械有限公司,工业产品,350102,2010-05-01,存续\n",
                          f->food, f->other);
    sup_import_report rep;
    assert_int_equal(
        supervision_import(f->db.c, &f->p, SUP_ENTITIES, csv, strlen(csv), false, &rep, &err), 0);
    supervision_import_report_free(&rep);
    free(csv);
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

static char *class_of(fx *f, const char *code)
{
    char *cls = NULL;
    nqi_error err = {0};
    assert_int_equal(store_query_text(f->db.c,
                                      "SELECT credit_class FROM entities WHERE "
                                      "credit_code = ?",
                                      (store_val[]){SV_TEXT(code)}, 1, &cls, &err),
                     0);
    return cls;
}

static int64_t penalty(fx *f, const char *code, const char *no, const char *kind, int64_t amount,
                       const char *decided, const char *today)
{
    nqi_error err = {0};
    json_t *in = json_pack("{s:s, s:s, s:s, s:I, s:s, s:s}", "credit_code", code, "decision_no",
                           no, "kind", kind, "amount_yuan", (json_int_t)amount, "decided_on",
                           decided, "legal_basis", "《中华人民共和国产品质量法》第四十九条"),
           *out = NULL;
    assert_int_equal(credit_penalty_create(f->db.c, &f->p, in, today, &out, &err), 0);
    int64_t id = json_integer_value(json_object_get(out, "id"));
    json_decref(in);
    json_decref(out);
    return id;
}

static int repair(fx *f, const char *kind, int64_t id, const char *today, nqi_error *err)
{
    json_t *in = json_pack("{s:s, s:I, s:s, s:s}", "target_kind", kind, "target_id",
                           (json_int_t)id, "reason", "已整改", "pledge", "守法经营承诺"),
           *out = NULL;
    int rc = credit_repair_create(f->db.c, &f->p, in, today, &out, err);
    json_decref(in);
    json_decref(out);
    return rc;
}

static void test_penalties_and_repair_dates(void **state)
{
    fx *f = *state;
    nqi_error err = {0};
    /* a 50,000 yuan fine is "high": 3 years of publicity, repair after 6 months */
    int64_t p1 = penalty(f, f->other, "榕市监罚〔2024〕1号", "fine", 50000, "2024-08-31",
                         "2025-03-01");
    json_t *pj = NULL;
    assert_int_equal(credit_penalty_get(f->db.c, p1, &pj, &err), 0);
    assert_string_equal(json_string_value(json_object_get(pj, "severity")), "high");
    assert_string_equal(json_string_value(json_object_get(pj, "publicity_until")), "2027-08-31");
    json_decref(pj);
    assert_int_equal(repair(f, "penalty", p1, "2025-02-28", &err), NQI_EINVAL);
    assert_string_equal(err.fields[0].field, "target_id");
    assert_non_null(strstr(err.fields[0].message, "2025-03-01"));
    nqi_error_clear(&err);
    assert_int_equal(repair(f, "penalty", p1, "2025-03-01", &err), 0);
    /* the same record twice: 409 while pending */
    assert_int_equal(repair(f, "penalty", p1, "2025-03-02", &err), NQI_ECONFLICT);
    /* food: 1 year; decided on a leap day -> possible from 2025-03-01 */
    int64_t p2 = penalty(f, f->food, "榕市监罚〔2024〕2号", "fine", 80000, "2024-02-29",
                         "2024-03-01");
    nqi_error_clear(&err);
    assert_int_equal(repair(f, "penalty", p2, "2025-02-28", &err), NQI_EINVAL);
    assert_non_null(strstr(err.fields[0].message, "2025-03-01"));
    nqi_error_clear(&err);
    assert_int_equal(repair(f, "penalty", p2, "2025-03-01", &err), 0);
    /* a warning is "low": 3 months of publicity, not repaired */
    int64_t p3 = penalty(f, f->food, "榕市监警〔2026〕3号", "warning", 0, "2026-10-31",
                         "2026-11-01");
    assert_int_equal(credit_penalty_get(f->db.c, p3, &pj, &err), 0);
    assert_string_equal(json_string_value(json_object_get(pj, "publicity_until")), "2027-01-31");
    json_decref(pj);
    nqi_error_clear(&err);
    assert_int_equal(repair(f, "penalty", p3, "2026-11-24", &err), NQI_EINVAL);
    assert_non_null(strstr(err.fields[0].message, "2027-01-31"));
    /* approve the first: fact withdrawn, publicity ended, public list no longer shows it */
    json_t *in = json_pack("{s:s}", "decision", "approve"), *out = NULL;
    nqi_error_clear(&err);
    assert_int_equal(credit_repair_decide(f->db.c, &f->p, 1, in, "2025-03-05", &out, &err), 0);
    assert_string_equal(json_string_value(json_object_get(out, "status")), "approved");
    json_decref(out);
    assert_int_equal(credit_repair_decide(f->db.c, &f->p, 1, in, "2025-03-05", &out, &err),
                     NQI_ECONFLICT);
    json_decref(in);
    int64_t standing = -1;
    assert_int_equal(store_query_int(f->db.c,
                                     "SELECT COUNT(*) FROM credit_facts WHERE ref = ? AND "
                                     "withdrawn_at IS NULL",
                                     (store_val[]){SV_TEXT("1")}, 1, &standing, &err),
                     0);
    assert_int_equal(standing, 0);
    credit_penalty_query q = {.credit_code = f->other, .limit = 10};
    assert_int_equal(credit_penalty_search(f->db.c, &q, "2026-11-24", &out, &err), 0);
    assert_int_equal(json_array_size(json_object_get(out, "items")), 0);
    json_decref(out);
}

static json_t *enter(fx *f, credit_list l, const char *code, const char *on, const char *today)
{
    nqi_error err = {0};
    json_t *in = json_pack("{s:s, s:s, s:s, s:s, s:s}", "credit_code", code, "grounds",
                           "未按规定公示年度报告", "entered_on", on, "legal_basis",
                           "《企业信息公示暂行条例》", "decision_no", "榕市监列〔2023〕1号"),
           *out = NULL;
    assert_int_equal(credit_list_enter(f->db.c, &f->p, l, in, today, &out, &err), 0);
    json_decref(in);
    return out;
}

static void test_lists_dates_and_sweep(void **state)
{
    fx *f = *state;
    nqi_error err = {0};
    json_t *s = enter(f, CREDIT_SERIOUS, f->food, "2024-02-29", "2024-03-01");
    int64_t sid = json_integer_value(json_object_get(s, "id"));
    assert_string_equal(json_string_value(json_object_get(s, "expires_on")), "2027-02-28");
    assert_true(json_is_integer(json_object_get(s, "log_index")));
    json_decref(s);
    char *cls = class_of(f, f->food);
    assert_string_equal(cls, "D"); /* reclassified at once */
    free(cls);
    /* listing twice is a conflict */
    json_t *in = json_pack("{s:s, s:s, s:s, s:s, s:s}", "credit_code", f->food, "grounds", "x",
                           "entered_on", "2024-03-01", "legal_basis", "b", "decision_no", "n"),
           *out = NULL;
    assert_int_equal(
        credit_list_enter(f->db.c, &f->p, CREDIT_SERIOUS, in, "2024-03-02", &out, &err),
        NQI_ECONFLICT);
    json_decref(in);
    /* early removal: from 2025-03-01 (1 year after a leap-day entry), with a pledge */
    in = json_pack("{s:s, s:s, s:s}", "reason", "early", "removed_on", "2025-02-28", "pledge",
                   "承诺");
    nqi_error_clear(&err);
    assert_int_equal(
        credit_list_remove(f->db.c, &f->p, CREDIT_SERIOUS, sid, in, "2025-03-05", &out, &err),
        NQI_EINVAL);
    assert_string_equal(err.fields[0].field, "removed_on");
    assert_non_null(strstr(err.fields[0].message, "2025-03-01"));
    json_decref(in);
    in = json_pack("{s:s, s:s}", "reason", "early", "removed_on", "2025-03-01");
    nqi_error_clear(&err);
    assert_int_equal(
        credit_list_remove(f->db.c, &f->p, CREDIT_SERIOUS, sid, in, "2025-03-05", &out, &err),
        NQI_EINVAL);
    assert_string_equal(err.fields[0].field, "pledge");
    json_decref(in);
    in = json_pack("{s:s, s:s, s:s}", "reason", "early", "removed_on", "2025-03-01", "pledge",
                   "承诺");
    nqi_error_clear(&err);
    assert_int_equal(
        credit_list_remove(f->db.c, &f->p, CREDIT_SERIOUS, sid, in, "2025-03-05", &out, &err), 0);
    assert_string_equal(json_string_value(json_object_get(out, "status")), "removed");
    json_decref(out);
    json_decref(in);

    /* sweep on 2026-11-24: abnormal entered 2023-11-23 is moved to the serious list (3 years
     * ended 2026-11-23), one entered 2023-11-24 stays; a serious entry entered 2023-11-20
     * expired on 2026-11-20 and is removed from 2026-11-21 */
    json_t *a1 = enter(f, CREDIT_ABNORMAL, f->other, "2023-11-23", "2023-11-30");
    json_t *s2 = enter(f, CREDIT_SERIOUS, f->food, "2023-11-20", "2023-11-30");
    int64_t ended = 0;
    assert_int_equal(credit_lists_sweep(f->db.c, &f->p, "2026-11-24", &ended, &err), 0);
    assert_int_equal(ended, 2);
    json_t *g = NULL;
    assert_int_equal(credit_list_get(f->db.c, CREDIT_SERIOUS,
                                     json_integer_value(json_object_get(s2, "id")), &g, &err),
                     0);
    assert_string_equal(json_string_value(json_object_get(g, "removed_on")), "2026-11-21");
    assert_string_equal(json_string_value(json_object_get(g, "removal_reason")), "expired");
    json_decref(g);
    assert_int_equal(credit_list_get(f->db.c, CREDIT_ABNORMAL,
                                     json_integer_value(json_object_get(a1, "id")), &g, &err),
                     0);
    assert_string_equal(json_string_value(json_object_get(g, "removal_reason")), "moved");
    assert_string_equal(json_string_value(json_object_get(g, "removed_on")), "2026-11-24");
    json_decref(g);
    int64_t moved = 0;
    assert_int_equal(
        store_query_int(f->db.c,
                        "SELECT COUNT(*) FROM credit_list_entries WHERE list = "
                        "'serious' AND moved_from = ? AND entered_on = '2026-11-24'",
                        (store_val[]){SV_INT(json_integer_value(json_object_get(a1, "id")))}, 1,
                        &moved, &err),
        0);
    assert_int_equal(moved, 1);
    cls = class_of(f, f->other);
    assert_string_equal(cls, "D");
    free(cls);
    json_decref(a1);
    json_decref(s2);
    /* an abnormal entry one day younger is not moved yet */
    nqi_error_clear(&err);
    json_t *a2 = enter(f, CREDIT_ABNORMAL, f->food, "2023-11-24", "2023-11-30");
    assert_int_equal(credit_lists_sweep(f->db.c, &f->p, "2026-11-24", &ended, &err), 0);
    assert_int_equal(ended, 0);
    json_decref(a2);
}

static void test_restrictions_and_classify_all(void **state)
{
    fx *f = *state;
    nqi_error err = {0};
    json_t *r = NULL;
    assert_int_equal(credit_restrictions(f->db.c, f->food, "award", &r, &err), 0);
    assert_false(json_is_true(json_object_get(r, "restricted")));
    json_decref(r);
    json_t *s = enter(f, CREDIT_SERIOUS, f->food, "2026-06-01", "2026-06-02");
    json_decref(s);
    const char *purposes[] = {"award", "front_runner", "procurement", "subsidy", "honour"};
    for (int i = 0; i < 5; i++) {
        assert_int_equal(credit_restrictions(f->db.c, f->food, purposes[i], &r, &err), 0);
        assert_true(json_is_true(json_object_get(r, "restricted")));
        json_t *first = json_array_get(json_object_get(r, "restrictions"), 0);
        assert_string_equal(json_string_value(json_object_get(first, "until")), "2029-06-01");
        assert_non_null(strstr(json_string_value(json_object_get(first, "legal_basis")),
                               "严重违法失信名单管理办法"));
        json_decref(r);
    }
    assert_int_equal(credit_restrictions(f->db.c, f->food, "lottery", &r, &err), NQI_EINVAL);
    assert_string_equal(err.fields[0].field, "purpose");
    nqi_error_clear(&err);
    /* unknown but valid code: not restricted, known false */
    assert_int_equal(credit_restrictions(f->db.c, "91110000802100433B", "award", &r, &err), 0);
    assert_false(json_is_true(json_object_get(r, "known")));
    json_decref(r);

    /* full run: both classified with the active version; the explanation is stored */
    assert_int_equal(
        store_exec(f->db.c, "UPDATE entities SET credit_class = 'A'", NULL, 0, NULL, &err), 0);
    json_t *run = NULL;
    assert_int_equal(credit_classify_all(f->db.c, &f->p, "cli", "2026-11-24", NULL, &run, &err), 0);
    assert_int_equal(json_integer_value(json_object_get(run, "entities")), 2);
    assert_int_equal(json_integer_value(json_object_get(run, "changed")), 2);
    json_decref(run);
    char *cls = class_of(f, f->food);
    assert_string_equal(cls, "D");
    free(cls);
    cls = class_of(f, f->other);
    assert_string_equal(cls, "B"); /* 70 + 10 (16 years) */
    free(cls);
    json_t *page = NULL;
    assert_int_equal(credit_page(f->db.c, f->other, true, "2026-11-24", &page, &err), 0);
    assert_int_equal(json_integer_value(json_object_get(page, "score")), 80);
    assert_int_equal(json_integer_value(json_object_get(page, "rule_version")), 1);
    json_decref(page);
    /* a nightly claim is once per day */
    assert_int_equal(
        credit_classify_all(f->db.c, &f->p, "nightly", "2026-11-24", "2026-11-24", &run, &err), 0);
    json_decref(run);
    assert_int_equal(
        credit_classify_all(f->db.c, &f->p, "nightly", "2026-11-24", "2026-11-24", &run, &err),
        NQI_ECONFLICT);
}

static void test_rule_versions(void **state)
{
    fx *f = *state;
    nqi_error err = {0};
    json_t *rules = rules_v1();
    json_object_set_new(rules, "base", json_integer(90)); /* everyone A unless listed */
    json_t *in = json_pack("{s:o, s:s}", "rules", rules, "note", "试行"), *out = NULL;
    assert_int_equal(credit_rules_create(f->db.c, &f->p, in, &out, &err), 0);
    assert_int_equal(json_integer_value(json_object_get(out, "version")), 2);
    assert_true(json_is_true(json_object_get(out, "active")));
    json_decref(out);
    json_decref(in);
    json_t *run = NULL;
    assert_int_equal(credit_classify_all(f->db.c, &f->p, "cli", "2026-11-24", NULL, &run, &err), 0);
    assert_int_equal(json_integer_value(json_object_get(run, "rule_version")), 2);
    json_decref(run);
    char *cls = class_of(f, f->other);
    assert_string_equal(cls, "A");
    free(cls);
    assert_int_equal(credit_rules_activate(f->db.c, &f->p, 1, &out, &err), 0);
    json_decref(out);
    assert_int_equal(credit_rules_activate(f->db.c, &f->p, 9, &out, &err), NQI_ENOTFOUND);
    json_t *list = NULL;
    assert_int_equal(credit_rules_list(f->db.c, &list, &err), 0);
    assert_int_equal(json_array_size(json_object_get(list, "items")), 2);
    assert_int_equal(json_integer_value(json_object_get(json_object_get(list, "active"),
                                                        "version")),
                     1);
    json_decref(list);
    int64_t audits = 0;
    assert_int_equal(store_query_int(f->db.c,
                                     "SELECT COUNT(*) FROM audit_log WHERE action LIKE "
                                     "'credit.rules.%'",
                                     NULL, 0, &audits, &err),
                     0);
    assert_int_equal(audits, 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dates),
        cmocka_unit_test(test_score_hand_computed),
        cmocka_unit_test(test_score_windows_and_hard_rules),
        cmocka_unit_test(test_rules_validation),
        cmocka_unit_test_setup_teardown(test_penalties_and_repair_dates, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lists_dates_and_sweep, setup, teardown),
        cmocka_unit_test_setup_teardown(test_restrictions_and_classify_all, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rule_versions, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
