/*
 * test_standards.c — the standards catalogue against a real SQLite file:
 * import (CSV UTF-8/GB18030/BOM/quotes, JSON, NDJSON), rejected rows,
 * re-import changes, status as of a date (C rule and SQL rule agree),
 * edition chains across a prefix change, search (两字 words, Traditional,
 * pinyin, messy numbers, ICS/CCS, facets, paging), highlight and export.
 *
 * NQI_STD_BENCH=N additionally imports N generated rows and prints the time.
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
#include <iconv.h>

#include "core/auth.h"
#include "core/util.h"
#include "fixture.h"
#include "standards/internal.h"
#include "standards/standards.h"

typedef test_db fx; /* the whole fixture is the database (fixture.h) */

static http_principal actor(void)
{
    http_principal p;
    auth_cli_principal(&p);
    return p;
}

/* Import; on failure print every row error. Returns rc. */
static int import_fmt(fx *f, const char *data, size_t len, std_format fmt, bool dry,
                      std_import_report *rep, bool quiet)
{
    http_principal p = actor();
    std_import_opts o = {.dry_run = dry, .source = "test"};
    nqi_error err = {0};
    int rc = standards_import(f->c, &p, data, len, fmt, &o, rep, &err);
    if (rc && !quiet) {
        for (size_t i = 0; i < rep->nerrors && i < 20; i++)
            print_message("row %lld %s: %s\n", (long long)rep->errors[i].row,
                          rep->errors[i].field, rep->errors[i].message);
        print_message("import: %s\n", err.message);
    }
    return rc;
}

static void import_ok(fx *f, const char *csv, int64_t ins, int64_t upd, int64_t same)
{
    std_import_report rep;
    assert_int_equal(import_fmt(f, csv, strlen(csv), STD_FMT_CSV, false, &rep, false), 0);
    assert_int_equal(rep.inserted, ins);
    assert_int_equal(rep.updated, upd);
    assert_int_equal(rep.unchanged, same);
    standards_import_report_free(&rep);
}

static const char base_csv[] =
    "\xEF\xBB\xBF标准号,标准名称,英文名称,发布日期,实施日期,废止日期,代替标准,ICS,CCS,归口单位\n"
    "GB/T 19580-2004,卓越绩效评价准则,Criteria for performance excellence,2004-08-30,"
    "2005-01-01,2012-08-01,,03.120.10,A00,\n"
    "GB/T 19580-2012,卓越绩效评价准则,Criteria for performance excellence,2012/3/9,"
    "2012年8月1日,,GB/T 19580-2004,03.120.10,A00,\n"
    "GB/T 19001-2016,质量管理体系 要求,\"Quality management systems, requirements\","
    "2016-12-30,2017-07-01,,,03.120.10,A00,全国质量管理和质量保证标准化技术委员会\n"
    "GB 2760-2014,食品安全国家标准 食品添加剂使用标准,,2014-12-24,2015-05-24,,,67.220.20,X40,\n"
    "GB/T 12345-2005,\"示例\"\"焊接\"\"标准,\n第二行\",,2005-01-01,2005-06-01,,,25.160,J33,\n"
    "GB 12345-2030,示例焊接标准(强制),,2029-01-01,2030-01-01,,GB/T 12345-2005,25.160,J33,\n";

/* ---------------------------------------------------------------- pure */

static void test_dates(void **state)
{
    char d[11];
    assert_int_equal(standards_date_parse("2012-08-01", d), 0);
    assert_string_equal(d, "2012-08-01");
    assert_int_equal(standards_date_parse("2012/8/1", d), 0);
    assert_string_equal(d, "2012-08-01");
    assert_int_equal(standards_date_parse(" 2012年8月1日 ", d), 0);
    assert_string_equal(d, "2012-08-01");
    assert_int_equal(standards_date_parse("2012.08.01", d), 0);
    assert_int_equal(standards_date_parse("2024-02-29", d), 0);
    assert_int_not_equal(standards_date_parse("2023-02-29", d), 0);
    assert_int_not_equal(standards_date_parse("2012-13-01", d), 0);
    assert_int_not_equal(standards_date_parse("12-08-01", d), 0);
    assert_int_not_equal(standards_date_parse("2012-08-01x", d), 0);
    assert_int_not_equal(standards_date_parse("", d), 0);
}

static void test_status_rule(void **state)
{
    /* upcoming until the implementation day, in force on it */
    assert_string_equal(standards_status_derive("upcoming", "2030-01-01", NULL, NULL, "2029-12-31"),
                        "upcoming");
    assert_string_equal(standards_status_derive("upcoming", "2030-01-01", NULL, NULL, "2030-01-01"),
                        "in_force");
    /* withdrawn on the day; replaced when the replacement is in force */
    assert_string_equal(standards_status_derive("in_force", "2005-01-01", "2012-08-01",
                                                "2012-08-01", "2012-07-31"),
                        "in_force");
    assert_string_equal(standards_status_derive("in_force", "2005-01-01", "2012-08-01",
                                                "2012-08-01", "2012-08-01"),
                        "replaced");
    assert_string_equal(
        standards_status_derive("in_force", "2005-01-01", "2012-08-01", NULL, "2013-01-01"),
        "withdrawn");
    /* withdrawn before the replacement is implemented: withdrawn meanwhile */
    assert_string_equal(standards_status_derive("in_force", "2005-01-01", "2012-01-01",
                                                "2012-08-01", "2012-03-01"),
                        "withdrawn");
    /* a replacement without a date counts at once */
    assert_string_equal(standards_status_derive("in_force", NULL, "2012-01-01", "0000-00-00",
                                                "2012-03-01"),
                        "replaced");
    /* explicit status without dates is kept */
    assert_string_equal(standards_status_derive("withdrawn", NULL, NULL, NULL, "2020-01-01"),
                        "withdrawn");
    assert_string_equal(standards_status_derive("replaced", NULL, NULL, NULL, "2020-01-01"),
                        "replaced");
    assert_string_equal(standards_status_derive("upcoming", NULL, NULL, NULL, "2020-01-01"),
                        "upcoming");
    assert_string_equal(standards_status_derive("in_force", NULL, NULL, NULL, "2020-01-01"),
                        "in_force");
    assert_string_equal(standards_status_from_text("被代替"), "replaced");
    assert_string_equal(standards_status_from_text(" 现行 "), "in_force");
    assert_null(standards_status_from_text("有时"));
}

static void test_highlight(void **state)
{
    char *h = standards_highlight("质量管理体系 要求", "质量");
    assert_string_equal(h, "<mark>质量</mark>管理体系 要求");
    free(h);
    h = standards_highlight("質量管理體系", "质量管理");
    assert_string_equal(h, "<mark>質量管理</mark>體系");
    free(h);
    h = standards_highlight("<b>质量</b> & 标准", "标准");
    assert_string_equal(h, "&lt;b&gt;质量&lt;/b&gt; &amp; <mark>标准</mark>");
    free(h);
    h = standards_highlight("卓越绩效评价准则", "zhuoyue");
    assert_string_equal(h, "<mark>卓越</mark>绩效评价准则");
    free(h);
    h = standards_highlight("卓越绩效评价准则", NULL);
    assert_string_equal(h, "卓越绩效评价准则");
    free(h);
}

/* ---------------------------------------------------------------- import */

static void test_import_and_get(void **state)
{
    fx *f = *state;
    import_ok(f, base_csv, 6, 0, 0);
    assert_int_equal(test_db_int(f, "SELECT COUNT(*) FROM standards"), 6);
    assert_int_equal(test_db_int(f, "SELECT COUNT(*) FROM standard_replacements"), 2);
    assert_int_equal(test_db_int(f, "SELECT COUNT(*) FROM standard_changes WHERE kind = 'new'"), 6);
    assert_int_equal(
        test_db_int(f, "SELECT COUNT(*) FROM audit_log WHERE action = 'standards.import'"), 1);

    nqi_error err = {0};
    json_t *o = NULL;
    assert_int_equal(standards_detail(f->c, "gb/t19580—2012", "2020-01-01", &o, &err), 0);
    assert_string_equal(json_string_value(json_object_get(o, "number")), "GB/T 19580-2012");
    assert_string_equal(json_string_value(json_object_get(o, "implemented_on")), "2012-08-01");
    assert_string_equal(json_string_value(json_object_get(o, "issued_on")), "2012-03-09");
    assert_string_equal(json_string_value(json_object_get(o, "status")), "in_force");
    assert_string_equal(json_string_value(json_object_get(o, "tier")), "national");
    assert_string_equal(json_string_value(json_object_get(o, "nature")), "recommended");
    json_t *rp = json_object_get(o, "replaces");
    assert_int_equal(json_array_size(rp), 1);
    assert_string_equal(json_string_value(json_object_get(json_array_get(rp, 0), "number")),
                        "GB/T 19580-2004");
    json_t *chain = json_object_get(o, "chain");
    assert_int_equal(json_array_size(chain), 2);
    assert_string_equal(json_string_value(json_object_get(json_array_get(chain, 0), "number")),
                        "GB/T 19580-2004");
    assert_string_equal(json_string_value(json_object_get(json_array_get(chain, 0), "status")),
                        "replaced");
    json_decref(o);

    /* year-less = current edition; quoted title with a comma, quote, newline */
    assert_int_equal(standards_detail(f->c, "GB/T 19580", "2020-01-01", &o, &err), 0);
    assert_string_equal(json_string_value(json_object_get(o, "number")), "GB/T 19580-2012");
    json_decref(o);
    assert_int_equal(standards_detail(f->c, "GB/T 12345-2005", NULL, &o, &err), 0);
    assert_string_equal(json_string_value(json_object_get(o, "title_zh")),
                        "示例\"焊接\"标准,\n第二行");
    json_decref(o);

    nqi_error e2 = {0};
    assert_int_equal(standards_detail(f->c, "GB/T 99999-2000", NULL, &o, &e2), NQI_ENOTFOUND);
    nqi_error e3 = {0};
    assert_int_equal(standards_detail(f->c, "not a number", NULL, &o, &e3), NQI_EINVAL);
    assert_string_equal(e3.fields[0].field, "number");
}

static void test_chain_prefix_change(void **state)
{
    fx *f = *state;
    import_ok(f, base_csv, 6, 0, 0);
    nqi_error err = {0};
    standards_record rec, cur;
    std_number n;
    assert_int_equal(std_number_parse("GB/T 12345-2005", 15, &n, &err), 0);
    assert_int_equal(standards_lookup(f->c, &n, "2031-01-01", &rec, &err), 0);
    assert_string_equal(rec.status, "replaced");
    bool changed = false;
    assert_int_equal(standards_current(f->c, rec.id, "2031-01-01", &cur, &changed, &err), 0);
    assert_string_equal(cur.number, "GB 12345-2030");
    assert_true(changed);
    standards_record_free(&cur);
    /* before the new one is implemented the old one is still current */
    assert_int_equal(standards_current(f->c, rec.id, "2029-06-01", &cur, &changed, &err), 0);
    assert_string_equal(cur.number, "GB/T 12345-2005");
    assert_false(changed);
    standards_record_free(&cur);
    standards_record *v;
    size_t cnt;
    assert_int_equal(standards_chain(f->c, rec.id, "2031-01-01", &v, &cnt, &err), 0);
    assert_int_equal(cnt, 2);
    assert_string_equal(v[0].number, "GB/T 12345-2005");
    assert_string_equal(v[1].number, "GB 12345-2030");
    assert_string_equal(v[1].status, "in_force");
    standards_records_free(v, cnt);
    standards_record_free(&rec);
    /* GB 12345 (family of GB/T 12345) gives candidates */
    assert_int_equal(std_number_parse("GB 12345-1990", 13, &n, &err), 0);
    assert_int_equal(standards_candidates(f->c, &n, 5, &v, &cnt, &err), 0);
    assert_int_equal(cnt, 2);
    standards_records_free(v, cnt);
}

static void test_status_sql_matches_c(void **state)
{
    fx *f = *state;
    import_ok(f, base_csv, 6, 0, 0);
    static const char *const days[] = {"2004-12-31", "2005-01-01", "2012-07-31", "2012-08-01",
                                       "2017-07-01", "2029-12-31", "2030-01-01", "2040-01-01"};
    static const char sql[] = "SELECT s.status, s.implemented_on, s.ends_on, s.replaced_from, "
                              STD_STATUS_SQL " FROM standards s";
    for (size_t d = 0; d < sizeof days / sizeof days[0]; d++) {
        store_rows *r;
        nqi_error err = {0};
        store_val p[] = {SV_TEXT(days[d]), SV_TEXT(days[d]), SV_TEXT(days[d])};
        assert_int_equal(store_query(f->c, sql, p, 3, &r, &err), 0);
        while (store_next(r) == 1)
            assert_string_equal(store_text(r, 4),
                                standards_status_derive(store_text(r, 0), store_text(r, 1),
                                                        store_text(r, 2), store_text(r, 3),
                                                        days[d]));
        store_rows_close(r);
    }
    /* the 2004 edition: upcoming, in force, then replaced on 2012-08-01 */
    std_number n;
    nqi_error err = {0};
    standards_record rec;
    assert_int_equal(std_number_parse("GB/T 19580-2004", 15, &n, &err), 0);
    const char *expect[][2] = {{"2004-12-31", "upcoming"},
                               {"2005-01-01", "in_force"},
                               {"2012-07-31", "in_force"},
                               {"2012-08-01", "replaced"}};
    for (int i = 0; i < 4; i++) {
        assert_int_equal(standards_lookup(f->c, &n, expect[i][0], &rec, &err), 0);
        assert_string_equal(rec.status, expect[i][1]);
        standards_record_free(&rec);
    }
}

static void test_reimport_changes(void **state)
{
    fx *f = *state;
    import_ok(f, base_csv, 6, 0, 0);
    import_ok(f, base_csv, 0, 0, 6); /* same file: nothing changes */
    static const char csv2[] =
        "number,title_zh,implemented_on,withdrawn_on,status\n"
        "GB/T 19001-2016,质量管理体系　要求(修订),2017-07-01,,\n"
        "GB 2760-2014,食品安全国家标准 食品添加剂使用标准,2015-05-24,2025-02-08,\n"
        "GB/T 19580-2012,卓越绩效评价准则,2012-08-01,,现行\n"
        "GB/T 1.1-2020,标准化工作导则 第1部分：标准化文件的结构和起草规则,2020-10-01,,\n";
    import_ok(f, csv2, 1, 2, 1);
    assert_int_equal(test_db_int(f, "SELECT COUNT(*) FROM standard_changes WHERE number = "
                                    "'GB/T 19001-2016' AND kind = 'updated'"),
                     1);
    assert_int_equal(test_db_int(f, "SELECT COUNT(*) FROM standard_changes WHERE number = "
                                    "'GB 2760-2014' AND kind IN ('withdrawn', 'status')"),
                     1);
    char *detail = NULL;
    nqi_error err = {0};
    assert_int_equal(store_query_text(f->c,
                                      "SELECT detail FROM standard_changes WHERE number = "
                                      "'GB/T 19001-2016' AND kind = 'updated'",
                                      NULL, 0, &detail, &err),
                     0);
    assert_non_null(strstr(detail, "\"title_zh\":[\"质量管理体系 要求\""));
    free(detail);
    /* columns absent from the second file were kept */
    char *ics = NULL;
    assert_int_equal(store_query_text(f->c,
                                      "SELECT ics FROM standards WHERE number = 'GB/T 19001-2016'",
                                      NULL, 0, &ics, &err),
                     0);
    assert_string_equal(ics, "03.120.10");
    free(ics);
    assert_int_equal(
        test_db_int(f, "SELECT COUNT(*) FROM audit_log WHERE action = 'standards.import'"), 3);
    /* a new edition in a later file replaces one already in the catalogue */
    import_ok(f,
              "number,title_zh,issued_on,implemented_on,replaces\n"
              "GB 2760-2024,食品安全国家标准 食品添加剂使用标准,2024-02-08,2025-02-08,GB 2760-2014\n",
              1, 0, 0);
    assert_int_equal(test_db_int(f, "SELECT COUNT(*) FROM standard_changes WHERE number = "
                                    "'GB 2760-2014' AND kind = 'replaced'"),
                     1);
    std_number n;
    standards_record rec;
    assert_int_equal(std_number_parse("GB 2760-2014", 12, &n, &err), 0);
    assert_int_equal(standards_lookup(f->c, &n, "2025-02-08", &rec, &err), 0);
    assert_string_equal(rec.status, "replaced");
    standards_record_free(&rec);
    assert_int_equal(standards_lookup(f->c, &n, "2025-02-07", &rec, &err), 0);
    assert_string_equal(rec.status, "in_force");
    standards_record_free(&rec);
}

static bool has_error(const std_import_report *rep, int64_t row, const char *field)
{
    for (size_t i = 0; i < rep->nerrors; i++)
        if (rep->errors[i].row == row && !strcmp(rep->errors[i].field, field))
            return true;
    return false;
}

static void test_import_rejects(void **state)
{
    fx *f = *state;
    std_import_report rep;
    static const char bad[] =
        "标准号,标准名称,实施日期,代替标准,状态\n"
        "GB/T 19580-2012,卓越绩效评价准则,2012-08-01,GB/T 19580-2004,\n" /* 1: unknown replaces */
        "GB/T ?-2000,坏编号,2012-08-01,,\n"                               /* 2: bad number */
        "GB/T 1-2000,坏日期,2012-02-30,,\n"                              /* 3: bad date */
        "GB/T 2-2000,,2012-02-01,,\n"                                    /* 4: no title */
        "GB/T 3-2000,短行\n"                                              /* 5: ragged */
        "GB/T 4-2000,状态,2012-02-01,,有时\n"                             /* 6: bad status */
        "GB/T 4-2000,重复,2012-02-01,,\n";                               /* 7: duplicate */
    assert_int_equal(import_fmt(f, bad, strlen(bad), STD_FMT_CSV, false, &rep, true), NQI_EINVAL);
    assert_true(has_error(&rep, 1, "replaces"));
    assert_true(has_error(&rep, 2, "number"));
    assert_true(has_error(&rep, 3, "implemented_on"));
    assert_true(has_error(&rep, 4, "title_zh"));
    assert_true(has_error(&rep, 5, "implemented_on")); /* first missing column */
    assert_true(has_error(&rep, 6, "status"));
    assert_true(has_error(&rep, 7, "number"));
    standards_import_report_free(&rep);
    assert_int_equal(test_db_int(f, "SELECT COUNT(*) FROM standards"), 0);
    assert_int_equal(test_db_int(f, "SELECT COUNT(*) FROM audit_log"), 0);

    static const char nocol[] = "标准名称,实施日期\n卓越绩效评价准则,2012-08-01\n";
    assert_int_equal(import_fmt(f, nocol, strlen(nocol), STD_FMT_CSV, false, &rep, true),
                     NQI_EINVAL);
    assert_true(has_error(&rep, 0, "number"));
    standards_import_report_free(&rep);

    /* neither UTF-8 nor GB18030: row 2, column title_zh */
    static const char enc[] = "number,title_zh\nGB/T 1-2000,ok\nGB/T 2-2000,\xff\xff\n";
    assert_int_equal(import_fmt(f, enc, strlen(enc), STD_FMT_CSV, false, &rep, true), NQI_EINVAL);
    assert_true(has_error(&rep, 2, "title_zh"));
    standards_import_report_free(&rep);
}

static char *to_gb18030(const char *s, size_t *outlen)
{
    iconv_t cd = iconv_open("GB18030", "UTF-8");
    assert_true(cd != (iconv_t)-1);
    size_t il = strlen(s), ol = il * 2 + 8;
    char *out = xmalloc(ol), *op = out, *ip = (char *)s;
    assert_true(iconv(cd, &ip, &il, &op, &ol) != (size_t)-1);
    iconv_close(cd);
    *outlen = (size_t)(op - out);
    return out;
}

static void test_import_gb18030_json_ndjson_dry(void **state)
{
    fx *f = *state;
    size_t n;
    char *gb = to_gb18030("标准号,标准名称,状态\nGB/T 24001-2016,环境管理体系 要求及使用指南,现行\n",
                          &n);
    std_import_report rep;
    /* dry run: counts, nothing written */
    assert_int_equal(import_fmt(f, gb, n, STD_FMT_CSV, true, &rep, false), 0);
    assert_int_equal(rep.inserted, 1);
    standards_import_report_free(&rep);
    assert_int_equal(test_db_int(f, "SELECT COUNT(*) FROM standards"), 0);
    assert_int_equal(import_fmt(f, gb, n, STD_FMT_CSV, false, &rep, false), 0);
    standards_import_report_free(&rep);
    free(gb);
    nqi_error err = {0};
    json_t *o;
    assert_int_equal(standards_detail(f->c, "GB/T 24001-2016", NULL, &o, &err), 0);
    assert_string_equal(json_string_value(json_object_get(o, "title_zh")),
                        "环境管理体系 要求及使用指南");
    json_decref(o);

    static const char js[] =
        "[{\"number\":\"GB/T 45001-2020\",\"title_zh\":\"职业健康安全管理体系 要求及使用指南\","
        "\"implemented_on\":\"2020-03-06\",\"replaces\":[\"GB/T 24001-2016(部分)\"]}]";
    assert_int_equal(import_fmt(f, js, strlen(js), STD_FMT_JSON, false, &rep, false), 0);
    assert_int_equal(rep.inserted, 1);
    standards_import_report_free(&rep);
    assert_int_equal(test_db_int(f, "SELECT partial FROM standard_replacements"), 1);
    /* a partial replacement leaves the old one in force */
    std_number num;
    standards_record rec;
    assert_int_equal(std_number_parse("GB/T 24001-2016", 15, &num, &err), 0);
    assert_int_equal(standards_lookup(f->c, &num, "2025-01-01", &rec, &err), 0);
    assert_string_equal(rec.status, "in_force");
    standards_record_free(&rec);

    static const char nd[] =
        "{\"number\":\"GB 5749-2022\",\"title_zh\":\"生活饮用水卫生标准\"}\n\n"
        "{\"number\":\"GB 5749-2006\",\"title_zh\":\"生活饮用水卫生标准\",\"bogus\":\"x\"}\n";
    assert_int_equal(import_fmt(f, nd, strlen(nd), STD_FMT_NDJSON, false, &rep, true),
                     NQI_EINVAL);
    assert_true(has_error(&rep, 3, "bogus"));
    standards_import_report_free(&rep);
    assert_int_equal(import_fmt(f, nd, (size_t)(strchr(nd, '\n') - nd), STD_FMT_NDJSON, false,
                                &rep, false),
                     0);
    standards_import_report_free(&rep);
}

/* ---------------------------------------------------------------- search */

static const char *getter(void *ctx, const char *name)
{
    const char **kv = ctx;
    for (; *kv; kv += 2)
        if (!strcmp(kv[0], name))
            return kv[1];
    return NULL;
}

/* Search with NULL-terminated name/value pairs; returns the answer. */
static json_t *search(fx *f, const char **kv)
{
    std_search p;
    nqi_error err = {0};
    json_t *o = NULL;
    if (standards_search_params(getter, (void *)kv, &p, &err) ||
        standards_search(f->c, &p, &o, &err))
        fail_msg("search: %s", err.message);
    return o;
}

static const char *first_number(json_t *o)
{
    return json_string_value(json_object_get(json_array_get(json_object_get(o, "items"), 0),
                                             "number"));
}

static int64_t total(json_t *o)
{
    return json_integer_value(json_object_get(o, "total"));
}

static void test_search(void **state)
{
    fx *f = *state;
    import_ok(f, base_csv, 6, 0, 0);
    json_t *o;
    /* two-character word */
    o = search(f, (const char *[]){"q", "质量", NULL});
    assert_int_equal(total(o), 1);
    assert_string_equal(first_number(o), "GB/T 19001-2016");
    json_t *it = json_array_get(json_object_get(o, "items"), 0);
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(it, "highlight"), "title_zh")),
        "<mark>质量</mark>管理体系 要求");
    json_decref(o);
    /* Traditional */
    o = search(f, (const char *[]){"q", "食品添加劑", NULL});
    assert_int_equal(total(o), 1);
    assert_string_equal(first_number(o), "GB 2760-2014");
    json_decref(o);
    /* pinyin */
    o = search(f, (const char *[]){"q", "zhuoyue", NULL});
    assert_int_equal(total(o), 2);
    json_decref(o);
    /* messy numbers: all editions, the named (current) one first */
    o = search(f, (const char *[]){"q", "ｇｂ／ｔ　１９５８０", NULL});
    assert_int_equal(total(o), 2);
    assert_string_equal(first_number(o), "GB/T 19580-2012");
    json_decref(o);
    o = search(f, (const char *[]){"q", "gbt19580-2004", NULL});
    assert_int_equal(total(o), 2);
    assert_string_equal(first_number(o), "GB/T 19580-2004");
    json_decref(o);
    /* number words in full text: prefix without slashes, digits */
    o = search(f, (const char *[]){"q", "gbt 19580", NULL});
    assert_int_equal(total(o), 2);
    json_decref(o);
    o = search(f, (const char *[]){"q", "19001", NULL});
    assert_int_equal(total(o), 1);
    json_decref(o);
    /* ICS and CCS */
    o = search(f, (const char *[]){"q", "03.120.10", NULL});
    assert_int_equal(total(o), 3);
    json_decref(o);
    o = search(f, (const char *[]){"q", "03", NULL});
    assert_int_equal(total(o), 3);
    json_decref(o);
    o = search(f, (const char *[]){"q", "j33", NULL});
    assert_int_equal(total(o), 2);
    json_decref(o);
    /* facets over the whole filtered result, as of a date */
    o = search(f, (const char *[]){"as_of", "2020-01-01", NULL});
    assert_int_equal(total(o), 6);
    json_t *fc = json_object_get(o, "facets");
    assert_int_equal(json_integer_value(json_object_get(json_object_get(fc, "tier"), "national")),
                     6);
    json_t *st = json_object_get(fc, "status");
    assert_int_equal(json_integer_value(json_object_get(st, "in_force")), 4);
    assert_int_equal(json_integer_value(json_object_get(st, "replaced")), 1);
    assert_int_equal(json_integer_value(json_object_get(st, "upcoming")), 1);
    json_t *na = json_object_get(fc, "nature");
    assert_int_equal(json_integer_value(json_object_get(na, "mandatory")), 2);
    assert_int_equal(json_integer_value(json_object_get(na, "recommended")), 4);
    json_decref(o);
    o = search(f, (const char *[]){"as_of", "2020-01-01", "status", "upcoming", NULL});
    assert_int_equal(total(o), 1);
    assert_string_equal(first_number(o), "GB 12345-2030");
    json_decref(o);
    o = search(f, (const char *[]){"nature", "mandatory", "tier", "national", NULL});
    assert_int_equal(total(o), 2);
    json_decref(o);
    o = search(f, (const char *[]){"implemented_from", "2012-01-01", "implemented_to",
                                   "2017-12-31", NULL});
    assert_int_equal(total(o), 3);
    json_decref(o);
}

static void test_paging(void **state)
{
    fx *f = *state;
    import_ok(f, base_csv, 6, 0, 0);
    static const char *const sorts[] = {"number", "-issued_on", "issued_on", "-implemented_on"};
    for (size_t s = 0; s < 4; s++) {
        char *cursor = NULL;
        int seen = 0;
        char last[64] = "";
        for (int page = 0; page < 10; page++) {
            const char *kv[] = {"limit", "4", "sort", sorts[s], cursor ? "cursor" : NULL,
                                cursor, NULL};
            json_t *o = search(f, kv);
            size_t i;
            json_t *it;
            json_array_foreach(json_object_get(o, "items"), i, it)
            {
                const char *n = json_string_value(json_object_get(it, "number"));
                if (!strcmp(sorts[s], "number"))
                    assert_true(strcmp(last, n) < 0);
                snprintf(last, sizeof last, "%s", n);
                seen++;
            }
            free(cursor);
            cursor = NULL;
            json_t *nc = json_object_get(o, "next_cursor");
            if (json_is_string(nc))
                cursor = xstrdup(json_string_value(nc));
            json_decref(o);
            if (!cursor)
                break;
        }
        assert_int_equal(seen, 6);
    }
    /* relevance paging (offset cursor) */
    json_t *o = search(f, (const char *[]){"q", "准则", "limit", "1", NULL});
    assert_int_equal(json_array_size(json_object_get(o, "items")), 1);
    const char *cur = json_string_value(json_object_get(o, "next_cursor"));
    assert_non_null(cur);
    json_t *o2 = search(f, (const char *[]){"q", "准则", "limit", "1", "cursor", cur, NULL});
    assert_int_equal(json_array_size(json_object_get(o2, "items")), 1);
    assert_string_not_equal(first_number(o), first_number(o2));
    assert_true(json_is_null(json_object_get(o2, "next_cursor")));
    json_decref(o);
    json_decref(o2);
    /* bad parameters name the field */
    std_search p;
    nqi_error err = {0};
    assert_int_equal(standards_search_params(getter,
                                             (void *)(const char *[]){"limit", "0", "tier", "x",
                                                                      "as_of", "2012-13-01",
                                                                      NULL},
                                             &p, &err),
                     NQI_EINVAL);
    assert_int_equal(err.nfields, 3);
    nqi_error e2 = {0};
    json_t *out = NULL;
    assert_int_equal(standards_search_params(getter, (void *)(const char *[]){"cursor", "!!", NULL},
                                             &p, &e2),
                     0);
    assert_int_equal(standards_search(f->c, &p, &out, &e2), NQI_EINVAL);
    assert_string_equal(e2.fields[0].field, "cursor");
}

/* Search with an explicit full-text bound. */
static json_t *search_bound(fx *f, int64_t bound, const char **kv)
{
    std_search p;
    nqi_error err = {0};
    json_t *o = NULL;
    if (standards_search_params(getter, (void *)kv, &p, &err))
        fail_msg("params: %s", err.message);
    p.bound = bound;
    if (standards_search(f->c, &p, &o, &err))
        fail_msg("search: %s", err.message);
    return o;
}

static void test_search_bound(void **state)
{
    fx *f = *state;
    /* 30 matches for 焊接: even rows national (GB/T), odd rows industry (HG/T) */
    buf b;
    buf_init(&b, 0);
    buf_puts(&b, "number,title_zh,implemented_on\n");
    for (int i = 0; i < 30; i++)
        buf_printf(&b, "%s %d-2020,焊接材料 第%d部分,2020-06-01\n", i % 2 ? "HG/T" : "GB/T",
                   50000 + i, i);
    buf_puts(&b, "GB/Z 15567-2008,蜂蜜检验,2008-06-01\nT/CAS 3258.2-2020,团体示例,2020-06-01\n"
                 "GBZ 2.1-2019,工作场所有害因素职业接触限值,2019-06-01\n");
    import_ok(f, b.data, 33, 0, 0);
    buf_free(&b);
    /* unbounded (bound above the match count): exact */
    json_t *o = search_bound(f, 100, (const char *[]){"q", "焊接", NULL});
    assert_int_equal(total(o), 30);
    assert_true(json_is_true(json_object_get(o, "total_exact")));
    assert_true(json_is_true(json_object_get(o, "facets_exact")));
    assert_null(json_object_get(o, "bound"));
    json_decref(o);
    /* bound 10: the 10 newest matches, total a lower bound, facets over them */
    o = search_bound(f, 10, (const char *[]){"q", "焊接", NULL});
    assert_int_equal(total(o), 10);
    assert_true(json_is_false(json_object_get(o, "total_exact")));
    assert_true(json_is_false(json_object_get(o, "facets_exact")));
    assert_int_equal(json_integer_value(json_object_get(o, "bound")), 10);
    json_t *tier = json_object_get(json_object_get(o, "facets"), "tier");
    assert_int_equal(json_integer_value(json_object_get(tier, "national")), 5);
    assert_int_equal(json_integer_value(json_object_get(tier, "industry")), 5);
    json_decref(o);
    /* a small page (the FTS subquery keeps only the page's best rows): total and
     * facets still count the whole bounded set */
    o = search_bound(f, 10, (const char *[]){"q", "焊接", "limit", "2", NULL});
    assert_int_equal(json_array_size(json_object_get(o, "items")), 2);
    assert_int_equal(total(o), 10);
    tier = json_object_get(json_object_get(o, "facets"), "tier");
    assert_int_equal(json_integer_value(json_object_get(tier, "national")), 5);
    assert_int_equal(json_integer_value(json_object_get(tier, "industry")), 5);
    json_decref(o);
    /* paging stays inside the bounded set: 10 distinct items, then no cursor */
    char *cursor = NULL;
    int seen = 0;
    for (int page = 0; page < 5; page++) {
        const char *kv[] = {"q", "焊接", "limit", "4", cursor ? "cursor" : NULL, cursor, NULL};
        o = search_bound(f, 10, kv);
        size_t i;
        json_t *it;
        json_array_foreach(json_object_get(o, "items"), i, it)
        {
            int n = atoi(json_string_value(json_object_get(it, "number")) + 5);
            assert_true(n >= 50020); /* the newest 10 rows: 50020..50029 */
            seen++;
        }
        free(cursor);
        cursor = NULL;
        json_t *nc = json_object_get(o, "next_cursor");
        if (json_is_string(nc))
            cursor = xstrdup(json_string_value(nc));
        json_decref(o);
        if (!cursor)
            break;
    }
    assert_int_equal(seen, 10);
    /* filters apply before the bound: 15 industry matches, bound 10 -> 10 industry rows */
    o = search_bound(f, 10, (const char *[]){"q", "焊接", "tier", "industry", NULL});
    assert_int_equal(total(o), 10);
    assert_true(json_is_false(json_object_get(o, "total_exact")));
    tier = json_object_get(json_object_get(o, "facets"), "tier");
    assert_int_equal(json_integer_value(json_object_get(tier, "industry")), 10);
    assert_null(json_object_get(tier, "national"));
    size_t i;
    json_t *it;
    json_array_foreach(json_object_get(o, "items"), i, it)
        assert_string_equal(json_string_value(json_object_get(it, "tier")), "industry");
    json_decref(o);
    /* ... and when the filtered matches fit, the answer is exact */
    o = search_bound(f, 15, (const char *[]){"q", "焊接", "tier", "industry", NULL});
    assert_int_equal(total(o), 15);
    assert_true(json_is_true(json_object_get(o, "total_exact")));
    json_decref(o);
    /* a status filter as of a date takes part in the scan too */
    o = search_bound(f, 10, (const char *[]){"q", "焊接", "status", "upcoming", "as_of",
                                             "2020-01-01", NULL});
    assert_int_equal(total(o), 10);
    json_decref(o);
    o = search_bound(f, 10, (const char *[]){"q", "焊接", "status", "withdrawn", NULL});
    assert_int_equal(total(o), 0);
    assert_true(json_is_true(json_object_get(o, "total_exact")));
    json_decref(o);
    /* the environment sets the default bound */
    setenv("NQI_SEARCH_BOUND", "7", 1);
    assert_int_equal(standards_search_bound(), 7);
    o = search(f, (const char *[]){"q", "焊接", NULL});
    assert_int_equal(total(o), 7);
    json_decref(o);
    unsetenv("NQI_SEARCH_BOUND");
    assert_int_equal(standards_search_bound(), STD_SEARCH_BOUND);
    /* number readings: GBZ <-> GB/Z, T/ORG without the slash */
    static const char *const gbz[][2] = {{"gbz15567", "GB/Z 15567-2008"},
                                         {"GBZ 15567", "GB/Z 15567-2008"},
                                         {"GB/Z 15567-2008", "GB/Z 15567-2008"},
                                         {"gbz2.1", "GBZ 2.1-2019"},
                                         {"GB/Z 2.1", "GBZ 2.1-2019"},
                                         {"tcas3258.2", "T/CAS 3258.2-2020"},
                                         {"TCAS 3258.2-2020", "T/CAS 3258.2-2020"}};
    for (size_t k = 0; k < sizeof gbz / sizeof gbz[0]; k++) {
        o = search(f, (const char *[]){"q", gbz[k][0], NULL});
        if (total(o) != 1 || strcmp(first_number(o), gbz[k][1]))
            fail_msg("%s: total %lld, first %s", gbz[k][0], (long long)total(o),
                     first_number(o) ? first_number(o) : "-");
        json_decref(o);
    }
}

/* The bulk path (bulk.c), forced with std_bulk_min = 1: the secondary
 * indexes and the FTS5 insert trigger are dropped and rebuilt inside the
 * import's transaction, leaving the same schema, a searchable catalogue and
 * the ids a plain INSERT would give; a failed import restores everything. */
static char *schema_of_standards(fx *f)
{
    char *s = NULL;
    nqi_error err = {0};
    if (store_query_text(f->c,
                         "SELECT group_concat(name || ':' || COALESCE(sql, ''), ';') FROM "
                         "(SELECT name, sql FROM sqlite_master WHERE tbl_name = 'standards' "
                         "ORDER BY name)",
                         NULL, 0, &s, &err))
        fail_msg("schema: %s", err.message);
    return s;
}

static void test_bulk_import(void **state)
{
    fx *f = *state;
    char *before = schema_of_standards(f);
    assert_non_null(strstr(before, "standards_committee:CREATE INDEX"));
    assert_non_null(strstr(before, "standards_fts_ai:CREATE TRIGGER"));
    std_bulk_min = 1;

    /* a failure while the indexes are dropped: nothing written, schema back */
    nqi_error err = {0};
    assert_int_equal(store_exec_script(f->c,
                                       "CREATE TRIGGER t_fail BEFORE INSERT ON standards WHEN "
                                       "new.number = 'GB 2760-2014' BEGIN SELECT "
                                       "RAISE(ABORT, 'refused by test'); END;",
                                       &err),
                     0);
    std_import_report rep;
    assert_int_not_equal(
        import_fmt(f, base_csv, strlen(base_csv), STD_FMT_CSV, false, &rep, true), 0);
    standards_import_report_free(&rep);
    assert_int_equal(test_db_int(f, "SELECT COUNT(*) FROM standards"), 0);
    assert_int_equal(test_db_int(f, "SELECT COUNT(*) FROM standard_changes"), 0);
    assert_int_equal(store_exec_script(f->c, "DROP TRIGGER t_fail", &err), 0);
    char *after_fail = schema_of_standards(f);
    assert_string_equal(after_fail, before);
    free(after_fail);

    import_ok(f, base_csv, 6, 0, 0);
    char *after = schema_of_standards(f);
    assert_string_equal(after, before);
    free(after);
    /* ids 1..6 in file order, the change events point at them */
    assert_int_equal(test_db_int(f, "SELECT id FROM standards WHERE number = 'GB/T 19580-2004'"),
                     1);
    assert_int_equal(test_db_int(f, "SELECT id FROM standards WHERE number = 'GB 12345-2030'"), 6);
    assert_int_equal(
        test_db_int(f, "SELECT COUNT(*) FROM standard_changes c JOIN standards s ON "
                       "s.id = c.standard_id AND s.number = c.number WHERE c.kind = 'new'"),
        6);
    assert_int_equal(test_db_int(f, "SELECT COUNT(*) FROM standard_replacements"), 2);
    /* the rebuilt full-text index and the recreated indexes answer */
    json_t *o = search(f, (const char *[]){"q", "质量", NULL});
    assert_int_equal(total(o), 1);
    assert_string_equal(first_number(o), "GB/T 19001-2016");
    json_decref(o);
    assert_int_equal(test_db_int(f, "SELECT COUNT(*) FROM standards INDEXED BY standards_key "
                                    "WHERE std_key = 'GB/T 19580'"),
                     2);
    assert_int_equal(test_db_int(f, "SELECT COUNT(*) FROM standards_fts WHERE standards_fts MATCH "
                                    "'\"焊接\"'"),
                     2);
    /* FTS5's own check of the index against the content table */
    assert_int_equal(store_exec_script(f->c,
                                       "INSERT INTO standards_fts(standards_fts) VALUES "
                                       "('integrity-check')",
                                       &err),
                     0);
    /* a second import into a non-empty catalogue: indexes stay (fewer new
     * rows than the catalogue holds), the trigger path is bulk again */
    import_ok(f,
              "number,title_zh\nGB/T 19580-2004,卓越绩效评价准则\n"
              "GB/T 2828.1-2012,计数抽样检验程序 第1部分\n",
              1, 0, 1);
    after = schema_of_standards(f);
    assert_string_equal(after, before);
    free(after);
    o = search(f, (const char *[]){"q", "抽样", NULL});
    assert_int_equal(total(o), 1);
    assert_int_equal(test_db_int(f, "SELECT id FROM standards WHERE number = 'GB/T 2828.1-2012'"),
                     7);
    json_decref(o);
    std_bulk_min = STD_BULK_MIN;
    free(before);
}

static void test_export(void **state)
{
    fx *f = *state;
    import_ok(f, base_csv, 6, 0, 0);
    std_search p;
    nqi_error err = {0};
    assert_int_equal(standards_search_params(getter, (void *)(const char *[]){"q", "准则", NULL},
                                             &p, &err),
                     0);
    char *out;
    size_t len;
    assert_int_equal(standards_export(f->c, &p, STD_EXPORT_CSV, &out, &len, &err), 0);
    assert_memory_equal(out, "\xEF\xBB\xBF标准号,标准名称", strlen("\xEF\xBB\xBF标准号,标准名称"));
    assert_non_null(strstr(out, "GB/T 19580-2004,卓越绩效评价准则"));
    assert_non_null(strstr(out, "被代替"));
    /* the export imports again unchanged */
    std_import_report rep;
    assert_int_equal(import_fmt(f, out, len, STD_FMT_CSV, true, &rep, false), 0);
    assert_int_equal(rep.rows, 2);
    standards_import_report_free(&rep);
    free(out);
    assert_int_equal(standards_export(f->c, &p, STD_EXPORT_XLSX, &out, &len, &err), 0);
    assert_true(len > 1000);
    assert_memory_equal(out, "PK", 2);
    free(out);
}

/* ---------------------------------------------------------------- bench */

static void test_bench(void **state)
{
    const char *env = getenv("NQI_STD_BENCH");
    long n = env ? atol(env) : 0;
    if (n <= 0)
        skip();
    fx *f = *state;
    buf b;
    buf_init(&b, 0);
    buf_puts(&b, "标准号,标准名称,英文名称,发布日期,实施日期,代替标准,ICS,CCS,归口单位\n");
    static const char *const words[] = {"质量", "管理", "体系", "食品", "安全", "电气",
                                        "设备", "技术", "条件", "试验", "方法", "钢铁"};
    for (long i = 0; i < n; i++) {
        buf_printf(&b, "GB/T %ld-%d,%s%s%s%s 第%ld部分,Part %ld of test,2010-01-01,2010-06-01,%s,"
                       "%02ld.%03ld,A%02ld,全国某某标准化技术委员会\n",
                   100000 + i / 2, i % 2 ? 2020 : 2010, words[i % 12], words[(i / 12) % 12],
                   words[(i / 144) % 12], words[(i / 7) % 12], i, i, "", i % 100, i % 1000,
                   i % 100);
    }
    std_import_report rep;
    int64_t t0 = mono_us();
    assert_int_equal(import_fmt(f, b.data, b.len, STD_FMT_CSV, false, &rep, false), 0);
    double s = (double)(mono_us() - t0) / 1e6;
    standards_import_report_free(&rep);
    t0 = mono_us();
    assert_int_equal(import_fmt(f, b.data, b.len, STD_FMT_CSV, false, &rep, false), 0);
    double s2 = (double)(mono_us() - t0) / 1e6;
    standards_import_report_free(&rep);
    t0 = mono_us();
    json_t *o = search(f, (const char *[]){"q", "质量管理", NULL});
    double s3 = (double)(mono_us() - t0) / 1e3;
    print_message("bench: %ld rows (%zu bytes): import %.2f s (%.0f rows/s), re-import "
                  "unchanged %.2f s, search 质量管理 %.1f ms (%lld hits)\n",
                  n, b.len, s, (double)n / s, s2, s3, (long long)total(o));
    json_decref(o);
    buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dates),
        cmocka_unit_test(test_status_rule),
        cmocka_unit_test(test_highlight),
        cmocka_unit_test_setup_teardown(test_import_and_get, test_db_setup, test_db_teardown),
        cmocka_unit_test_setup_teardown(test_chain_prefix_change, test_db_setup, test_db_teardown),
        cmocka_unit_test_setup_teardown(test_status_sql_matches_c, test_db_setup, test_db_teardown),
        cmocka_unit_test_setup_teardown(test_reimport_changes, test_db_setup, test_db_teardown),
        cmocka_unit_test_setup_teardown(test_import_rejects, test_db_setup, test_db_teardown),
        cmocka_unit_test_setup_teardown(test_import_gb18030_json_ndjson_dry, test_db_setup,
                                        test_db_teardown),
        cmocka_unit_test_setup_teardown(test_search, test_db_setup, test_db_teardown),
        cmocka_unit_test_setup_teardown(test_paging, test_db_setup, test_db_teardown),
        cmocka_unit_test_setup_teardown(test_search_bound, test_db_setup, test_db_teardown),
        cmocka_unit_test_setup_teardown(test_bulk_import, test_db_setup, test_db_teardown),
        cmocka_unit_test_setup_teardown(test_export, test_db_setup, test_db_teardown),
        cmocka_unit_test_setup_teardown(test_bench, test_db_setup, test_db_teardown),
    };
    return cmocka_run_group_tests_name("standards", tests, NULL, NULL);
}
