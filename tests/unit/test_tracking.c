/*
 * test_tracking.c — standards tracking and publication notices against a
 * real SQLite file: matching rules (number, committee, ICS prefix, query
 * tokens), event titles, fan-out idempotence (twice, and with the cursor
 * reset), reminders once, notices all-or-nothing with items/N/field errors,
 * webhook signatures against an independently computed HMAC-SHA256, the
 * retry schedule and URL checks.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/auth.h"
#include "core/http_client.h"
#include "core/util.h"
#include "fixture.h"
#include "standards/standards.h"
#include "standards/tracking.h"

typedef test_db fx; /* the whole fixture is the database (fixture.h) */

static http_principal user(int64_t id, int role)
{
    http_principal p = {.user_id = id, .role = role};
    snprintf(p.username, sizeof p.username, "user%lld", (long long)id);
    return p;
}

static void import_csv(fx *f, const char *csv)
{
    http_principal p;
    auth_cli_principal(&p);
    std_import_opts o = {.source = "test"};
    std_import_report rep;
    nqi_error err = {0};
    int rc = standards_import(f->c, &p, csv, strlen(csv), STD_FMT_CSV, &o, &rep, &err);
    for (size_t i = 0; rc && i < rep.nerrors; i++)
        print_message("row %lld %s: %s\n", (long long)rep.errors[i].row, rep.errors[i].field,
                      rep.errors[i].message);
    assert_int_equal(rc, 0);
    standards_import_report_free(&rep);
}

static int64_t watch(fx *f, const http_principal *p, const char *kind, const char *value,
                     int64_t remind)
{
    track_watch_in in = {.name = "w", .kind = kind, .value = value, .remind_days = remind};
    json_t *out = NULL;
    nqi_error err = {0};
    if (tracking_watch_create(f->c, p, &in, &out, &err))
        fail_msg("watch: %s (%s)", err.message, err.nfields ? err.fields[0].field : "");
    int64_t id = json_integer_value(json_object_get(out, "id"));
    assert_non_null(json_object_get(out, "feed_url"));
    json_decref(out);
    return id;
}

static const char base_csv[] =
    "number,title_zh,issued_on,implemented_on,ics,committee\n"
    "GB/T 19580-2012,卓越绩效评价准则,2012-03-09,2012-08-01,03.120.10,全国质量管理和质量保证标准化技术委员会\n"
    "GB/T 19001-2016,质量管理体系 要求,2016-12-30,2017-07-01,03.120.10,全国质量管理和质量保证标准化技术委员会\n"
    "GB 2760-2014,食品安全国家标准 食品添加剂使用标准,2014-12-24,2015-05-24,67.220.20,\n";

/* ---------------------------------------------------------------- matching */

static void test_match_rules(void **state)
{
    (void)state;
    char *k = NULL;
    nqi_error err = {0};
    assert_int_equal(tracking_match_key("number", " gb/t19580-2012 ", &k, &err), 0);
    assert_string_equal(k, "GB/T 19580");
    track_std s = {"GB/T 19580", "全国质量管理和质量保证标准化技术委员会", "03.120.10;03.100",
                   "gb t 19580 2012 卓越 zhuoyue 越绩 yueji 绩效 jixiao 效评 xiaoping 评价 "
                   "pingjia 价准 jiazhun 准则 zhunze 则 ze 03 120 10 gbt"};
    assert_true(tracking_match("number", k, &s));
    free(k);
    assert_int_equal(tracking_match_key("number", "GB 19580-2012", &k, &err), 0);
    assert_false(tracking_match("number", k, &s)); /* GB is not GB/T */
    free(k);

    assert_true(tracking_match("committee", "全国质量管理和质量保证标准化技术委员会", &s));
    assert_false(tracking_match("committee", "全国质量管理", &s)); /* equality, not prefix */

    assert_true(tracking_match("ics", "03.120", &s));
    assert_true(tracking_match("ics", "03.120.10", &s));
    assert_true(tracking_match("ics", "03.100", &s)); /* the second code */
    assert_false(tracking_match("ics", "03.12", &s)); /* dot boundary */
    assert_false(tracking_match("ics", "67", &s));
    nqi_error_clear(&err);
    assert_int_equal(tracking_match_key("ics", "03..1", &k, &err), NQI_EINVAL);
    assert_string_equal(err.fields[0].field, "value");

    /* query: the search's AND of bigrams; Traditional folds; pinyin; prefix */
    const char *yes[] = {"绩效", "卓越绩效", "績效評價", "jixiao", "19580", "zhuoy", "卓"};
    const char *no[] = {"质量", "绩效管理", "19581"};
    for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++) {
        nqi_error_clear(&err);
        assert_int_equal(tracking_match_key("query", yes[i], &k, &err), 0);
        if (!tracking_match("query", k, &s))
            fail_msg("query '%s' (key '%s') should match", yes[i], k);
        free(k);
    }
    for (size_t i = 0; i < sizeof no / sizeof no[0]; i++) {
        nqi_error_clear(&err);
        assert_int_equal(tracking_match_key("query", no[i], &k, &err), 0);
        if (tracking_match("query", k, &s))
            fail_msg("query '%s' (key '%s') should not match", no[i], k);
        free(k);
    }
    nqi_error_clear(&err);
    assert_int_equal(tracking_match_key("query", "、、", &k, &err), NQI_EINVAL);
    nqi_error_clear(&err);
    assert_int_equal(tracking_match_key("isbn", "x", &k, &err), NQI_EINVAL);
    assert_string_equal(err.fields[0].field, "kind");
}

static void test_titles(void **state)
{
    (void)state;
    json_t *d = json_pack("{s:[s,s]}", "status", "upcoming", "in_force");
    char *t = tracking_event_title("GB/T 19580-2012", NULL, "status", d);
    assert_string_equal(t, "GB/T 19580-2012 状态变更：即将实施 → 现行");
    free(t);
    json_decref(d);
    d = json_pack("{s:[n,s]}", "replaced_by", "GB/T 19580-2026");
    t = tracking_event_title("GB/T 19580-2012", NULL, "replaced", d);
    assert_string_equal(t, "GB/T 19580-2012 被 GB/T 19580-2026 代替");
    free(t);
    json_decref(d);
    d = json_pack("{s:[s,s]}", "implemented_on", "2024-01-01", "2024-06-01");
    t = tracking_event_title("GB 2760-2024", NULL, "dates", d);
    assert_string_equal(t, "GB 2760-2024 日期变更：实施日期 2024-01-01 → 2024-06-01");
    free(t);
    json_decref(d);
    t = tracking_event_title("GB 2760-2024", "食品添加剂使用标准", "new", NULL);
    assert_string_equal(t, "GB 2760-2024 发布：食品添加剂使用标准");
    free(t);
}

/* ---------------------------------------------------------------- fan-out */

static void test_fanout_idempotent(void **state)
{
    fx *f = *state;
    nqi_error err = {0};
    http_principal alice = user(1, ROLE_ENTERPRISE), bob = user(2, ROLE_REGULATOR);
    import_csv(f, base_csv);
    int64_t n = 0;
    /* changes before any watchlist existed are consumed, not delivered */
    assert_int_equal(tracking_fanout(f->c, &n, &err), 0);
    assert_int_equal(n, 0);
    assert_false(tracking_fanout_pending(f->c));
    usleep(2000); /* watchlists only see changes made after they were created */
    int64_t w1 = watch(f, &alice, "number", "GB/T 19580", 30);
    watch(f, &alice, "ics", "67.220", 30);
    watch(f, &bob, "committee", "全国质量管理和质量保证标准化技术委员会", 30);
    watch(f, &bob, "query", "食品添加剂", 30);
    usleep(2000);
    import_csv(f, "number,title_zh,status\n"
                  "GB/T 19580-2012,卓越绩效评价准则,废止\n"
                  "GB 2760-2014,食品安全国家标准 食品添加剂使用标准(修订),\n"
                  "GB/T 1-2020,标准化工作导则 第1部分,\n");
    assert_true(tracking_fanout_pending(f->c));
    assert_int_equal(tracking_fanout(f->c, &n, &err), 0);
    /* 19580: alice(number) + bob(committee); 2760: alice(ics) + bob(query) */
    assert_int_equal(n, 4);
    assert_int_equal(test_db_int(f, "SELECT COUNT(*) FROM watch_events"), 4);
    assert_int_equal(tracking_fanout(f->c, &n, &err), 0);
    assert_int_equal(n, 0);
    /* a lost cursor (or a second server) writes nothing twice */
    assert_int_equal(store_exec(f->c, "DELETE FROM settings WHERE key = 'tracking.cursor'", NULL,
                                0, NULL, &err),
                     0);
    assert_int_equal(tracking_fanout(f->c, &n, &err), 0);
    assert_int_equal(n, 0);
    assert_int_equal(test_db_int(f, "SELECT COUNT(*) FROM watch_events"), 4);

    json_t *inbox = NULL;
    assert_int_equal(tracking_inbox(f->c, &alice, false, 0, 50, 0, &inbox, &err), 0);
    json_t *items = json_object_get(inbox, "items");
    assert_int_equal(json_array_size(items), 2);
    assert_int_equal(json_integer_value(json_object_get(inbox, "unread")), 2);
    json_t *e0 = json_array_get(items, 1); /* oldest: the 19580 withdrawal */
    assert_string_equal(json_string_value(json_object_get(e0, "number")), "GB/T 19580-2012");
    assert_string_equal(json_string_value(json_object_get(e0, "title")),
                        "GB/T 19580-2012 状态变更：现行 → 废止");
    int64_t id = json_integer_value(json_object_get(e0, "id")), marked = 0;
    json_decref(inbox);
    /* bob cannot mark alice's event */
    assert_int_equal(tracking_inbox_read(f->c, &bob, &id, 1, false, &marked, &err), 0);
    assert_int_equal(marked, 0);
    assert_int_equal(tracking_inbox_read(f->c, &alice, &id, 1, false, &marked, &err), 0);
    assert_int_equal(marked, 1);
    assert_int_equal(tracking_inbox(f->c, &alice, true, 0, 50, 0, &inbox, &err), 0);
    assert_int_equal(json_array_size(json_object_get(inbox, "items")), 1);
    json_decref(inbox);

    /* bob sees neither alice's watchlist nor its deliveries */
    json_t *wl = NULL;
    assert_int_equal(tracking_watch_get(f->c, &bob, w1, &wl, &err), NQI_ENOTFOUND);
    http_principal admin = user(3, ROLE_ADMIN);
    nqi_error_clear(&err);
    assert_int_equal(tracking_watch_get(f->c, &admin, w1, &wl, &err), 0);
    json_decref(wl);
    /* delete removes its events */
    assert_int_equal(tracking_watch_delete(f->c, &alice, w1, &err), 0);
    assert_int_equal(test_db_int(f, "SELECT COUNT(*) FROM watch_events WHERE owner = 'u:1'"), 1);
}

static void test_reminder_once(void **state)
{
    fx *f = *state;
    nqi_error err = {0};
    char today[11], soon[11], later[11];
    standards_today(today);
    time_t t = time(NULL) + 10 * 86400, t2 = time(NULL) + 60 * 86400;
    strftime(soon, sizeof soon, "%Y-%m-%d", localtime(&t));
    strftime(later, sizeof later, "%Y-%m-%d", localtime(&t2));
    char *csv = xasprintf("number,title_zh,issued_on,implemented_on\n"
                          "GB 30000.1-2030,化学品分类和标签规范,%s,%s\n"
                          "GB 30000.2-2030,化学品分类和标签规范 第2部分,%s,%s\n",
                          today, soon, today, later);
    import_csv(f, csv);
    free(csv);
    http_principal p = user(7, ROLE_INSPECTOR);
    watch(f, &p, "number", "GB 30000.1", 30);
    watch(f, &p, "query", "化学品", 30);
    int64_t n = 0;
    assert_int_equal(tracking_reminders(f->c, today, &n, &err), 0);
    /* 30000.1 for both watchlists; 30000.2 is 60 days away */
    assert_int_equal(n, 2);
    assert_int_equal(tracking_reminders(f->c, today, &n, &err), 0);
    assert_int_equal(n, 0);
    char *sql = xasprintf("SELECT COUNT(*) FROM watch_events WHERE kind = 'reminder' AND title = "
                          "'GB 30000.1-2030 将于 %s 实施'",
                          soon);
    assert_int_equal(test_db_int(f, sql), 2);
    free(sql);
}

/* ---------------------------------------------------------------- notices */

static json_t *notice(const char *no, json_t *items)
{
    return json_pack("{s:s, s:s, s:s, s:s, s:o}", "issuer", "国家市场监督管理总局", "notice_no",
                     no, "issued_on", "2026-03-01", "title", "关于批准发布国家标准的公告",
                     "items", items);
}

static bool has_field(const nqi_error *e, const char *f)
{
    for (int i = 0; i < e->nfields; i++)
        if (!strcmp(e->fields[i].field, f))
            return true;
    return false;
}

static void test_notice_all_or_nothing(void **state)
{
    fx *f = *state;
    nqi_error err = {0};
    http_principal reg = user(5, ROLE_REGULATOR);
    import_csv(f, base_csv);
    int64_t std0 = test_db_int(f, "SELECT COUNT(*) FROM standards");
    int64_t chg0 = test_db_int(f, "SELECT COUNT(*) FROM standard_changes");
    int64_t aud0 = test_db_int(f, "SELECT COUNT(*) FROM audit_log");
    json_t *out = NULL;
    /* structural errors: every bad item is named */
    json_t *b = notice("2026年第1号",
                       json_pack("[{s:s, s:s, s:s}, {s:s, s:s}, {s:s, s:s}, {s:s, s:s, s:s}]",
                                 "action", "publish", "number", "GB/T 40000-2026", "title_zh",
                                 "新标准", "action", "publish", "number", "XYZ 12", "action",
                                 "withdraw", "number", "GB/T 12345-1990", "action", "replace",
                                 "number", "GB/T 19580-2026", "title_zh", "卓越绩效评价准则"));
    assert_int_equal(notices_create(f->c, &reg, b, &out, &err), NQI_EINVAL);
    assert_true(has_field(&err, "items/1/number"));
    assert_true(has_field(&err, "items/2/number"));
    assert_true(has_field(&err, "items/3/replaces"));
    assert_false(has_field(&err, "items/0/number"));
    json_decref(b);
    /* import-level errors (a replaced standard unknown, a bad date) are
     * mapped to items/N/field too, and nothing is written */
    nqi_error_clear(&err);
    b = notice("2026年第1号",
               json_pack("[{s:s, s:s, s:s}, {s:s, s:s, s:s, s:s}, {s:s, s:s, s:s, s:[s]}]",
                         "action", "publish", "number", "GB/T 40000-2026", "title_zh", "新标准",
                         "action", "publish", "number", "GB/T 40001-2026", "title_zh", "新标准二",
                         "implemented_on", "2026-13-45", "action", "replace", "number",
                         "GB/T 19580-2026", "title_zh", "卓越绩效评价准则", "replaces",
                         "GB/T 19580-2000"));
    assert_int_equal(notices_create(f->c, &reg, b, &out, &err), NQI_EINVAL);
    assert_true(has_field(&err, "items/1/implemented_on"));
    assert_true(has_field(&err, "items/2/replaces"));
    json_decref(b);
    assert_int_equal(test_db_int(f, "SELECT COUNT(*) FROM standards"), std0);
    assert_int_equal(test_db_int(f, "SELECT COUNT(*) FROM standard_changes"), chg0);
    assert_int_equal(test_db_int(f, "SELECT COUNT(*) FROM notices"), 0);
    assert_int_equal(test_db_int(f, "SELECT COUNT(*) FROM notice_items"), 0);
    assert_int_equal(test_db_int(f, "SELECT COUNT(*) FROM audit_log"), aud0);
    assert_false(store_in_tx(f->c));

    /* a good notice: publish, replace, withdraw in one transaction */
    http_principal alice = user(1, ROLE_ENTERPRISE);
    usleep(2000);
    watch(f, &alice, "number", "GB/T 19580", 30);
    watch(f, &alice, "number", "GB 2760", 30);
    usleep(2000);
    nqi_error_clear(&err);
    b = notice("2026年第1号",
               json_pack("[{s:s, s:s, s:s}, {s:s, s:s, s:s, s:s, s:[s]}, {s:s, s:s}]", "action",
                         "publish", "number", "GB/T 40000-2026", "title_zh", "新标准", "action",
                         "replace", "number", "GB/T 19580-2026", "title_zh", "卓越绩效评价准则",
                         "implemented_on", "2026-10-01", "replaces", "GB/T 19580-2012",
                         "action", "withdraw", "number", "GB 2760-2014"));
    if (notices_create(f->c, &reg, b, &out, &err))
        fail_msg("notice: %s (%s)", err.message, err.nfields ? err.fields[0].field : "");
    assert_int_equal(json_integer_value(json_object_get(out, "inserted")), 2);
    assert_int_equal(json_integer_value(json_object_get(out, "events")), 3);
    json_t *counts = json_object_get(out, "counts");
    assert_int_equal(json_integer_value(json_object_get(counts, "withdraw")), 1);
    int64_t nid = json_integer_value(json_object_get(out, "id"));
    json_decref(out);
    char *sql = xasprintf("SELECT COUNT(*) FROM standard_changes WHERE source = 'notice:%lld'",
                          (long long)nid);
    assert_int_equal(test_db_int(f, sql), 4); /* 2 new, 19580-2012 replaced, 2760 withdrawn */
    free(sql);
    assert_int_equal(test_db_int(f,
                                 "SELECT COUNT(*) FROM standards WHERE number = 'GB 2760-2014' AND "
                                 "withdrawn_on = '2026-03-01' AND title_zh LIKE '食品安全%'"),
                     1);
    /* the withdrawal kept the columns the notice did not give */
    assert_int_equal(test_db_int(f,
                                 "SELECT COUNT(*) FROM standards WHERE number = 'GB 2760-2014' AND "
                                 "implemented_on = '2015-05-24' AND ics = '67.220.20'"),
                     1);
    assert_int_equal(test_db_int(f, "SELECT COUNT(*) FROM notice_items"), 3);
    json_t *got = NULL;
    assert_int_equal(notices_get(f->c, nid, &got, &err), 0);
    json_t *it = json_array_get(json_object_get(got, "items"), 1);
    assert_string_equal(json_string_value(json_object_get(it, "number")), "GB/T 19580-2026");
    json_decref(got);
    /* the same notice again: 409 */
    nqi_error_clear(&err);
    assert_int_equal(notices_create(f->c, &reg, b, &out, &err), NQI_ECONFLICT);
    json_decref(b);
}

/* ---------------------------------------------------------------- webhooks */

static void test_webhook_signature(void **state)
{
    (void)state;
    char sig[72];
    const char body[] = "{\"id\":1,\"kind\":\"new\"}";
    webhook_signature("whsec-test", body, strlen(body), sig);
    /* python3: hmac.new(b'whsec-test', body, hashlib.sha256).hexdigest() */
    assert_string_equal(sig,
                        "sha256=8c1b18b43b052048666b080e18ae84903b4fa857d66d2939a5490b5d2c8bb373");
}

static void test_webhook_backoff_and_urls(void **state)
{
    (void)state;
    unsetenv("NQI_WEBHOOK_BACKOFF_MS");
    assert_int_equal(webhook_backoff_ms(1), 30000);
    assert_int_equal(webhook_backoff_ms(2), 120000);
    assert_int_equal(webhook_backoff_ms(3), 600000);
    assert_int_equal(webhook_backoff_ms(4), 3600000);
    assert_int_equal(webhook_backoff_ms(5), 21600000);
    assert_int_equal(webhook_backoff_ms(6), 0);
    setenv("NQI_WEBHOOK_BACKOFF_MS", "10", 1);
    assert_int_equal(webhook_backoff_ms(1), 10);
    assert_int_equal(webhook_backoff_ms(2), 40);
    unsetenv("NQI_WEBHOOK_BACKOFF_MS");
    const char *good[] = {"http://127.0.0.1:8080/hook", "http://example.org",
                          "http://[::1]:9000/x?y=1", "http://hooks.example.org/a/b",
                          "https://example.org/hook"};
    const char *bad[] = {"ftp://x", "javascript:alert(1)", "http://", "http://a b/",
                         "http://user:pw@host/", "http://host:0/", "http://host:99999/"};
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        nqi_error err = {0};
        if (webhook_url_check(good[i], &err))
            fail_msg("%s: %s", good[i], err.message);
    }
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        nqi_error err = {0};
        if (!webhook_url_check(bad[i], &err))
            fail_msg("%s accepted", bad[i]);
        assert_string_equal(err.fields[0].field, "webhook_url");
    }
    nqi_error err = {0};
    webhook_url_check("ftp://example.org/hook", &err);
    assert_non_null(strstr(err.fields[0].message, "http:// or https://"));
    /* the default deny list refuses loopback, link-local (cloud metadata), … */
    unsetenv("NQI_WEBHOOK_DENY");
    const char *denied[] = {"127.0.0.1", "127.8.9.10", "169.254.169.254", "100.100.100.200",
                            "0.0.0.0", "::1", "::ffff:127.0.0.1", "fe80::1", "224.0.0.1"};
    const char *allowed[] = {"10.1.2.3", "192.168.1.20", "172.16.0.5", "100.100.100.201",
                             "203.0.113.7", "2001:db8::1", "::ffff:10.0.0.1"};
    for (size_t i = 0; i < sizeof denied / sizeof *denied; i++)
        if (!http_client_denied(denied[i], NULL))
            fail_msg("%s not denied", denied[i]);
    for (size_t i = 0; i < sizeof allowed / sizeof *allowed; i++)
        if (http_client_denied(allowed[i], NULL))
            fail_msg("%s denied", allowed[i]);
    assert_true(http_client_denied("10.1.2.3", "10.0.0.0/8"));
    assert_false(http_client_denied("127.0.0.1", ""));
    assert_false(http_client_denied("127.0.0.1", "garbage, 300.1.1.1/8"));
    /* a refused address is reported as such, before any byte is sent */
    int status = -1;
    char why[200];
    assert_int_equal(webhook_http_post("http://127.0.0.1:1/x", NULL, 0, "{}", 2, 1000, &status,
                                       why, sizeof why),
                     NQI_EIO);
    assert_int_equal(status, 0);
    assert_non_null(strstr(why, "deny list"));
    /* with the guard off, a refused connection is an I/O error with a reason */
    setenv("NQI_WEBHOOK_DENY", "", 1);
    assert_int_equal(webhook_http_post("http://127.0.0.1:1/x", NULL, 0, "{}", 2, 1000, &status,
                                       why, sizeof why),
                     NQI_EIO);
    assert_int_equal(status, 0);
    assert_true(why[0] != 0);
    assert_null(strstr(why, "deny list"));
    unsetenv("NQI_WEBHOOK_DENY");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_match_rules),
        cmocka_unit_test(test_titles),
        cmocka_unit_test_setup_teardown(test_fanout_idempotent, test_db_setup, test_db_teardown),
        cmocka_unit_test_setup_teardown(test_reminder_once, test_db_setup, test_db_teardown),
        cmocka_unit_test_setup_teardown(test_notice_all_or_nothing, test_db_setup,
                                        test_db_teardown),
        cmocka_unit_test(test_webhook_signature),
        cmocka_unit_test(test_webhook_backoff_and_urls),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
