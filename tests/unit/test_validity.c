/*
 * test_validity.c — validity confirmation (src/standards/validity*.c) on a
 * temporary SQLite database holding a small catalogue imported through
 * standards_import. The rows are real standards with their real dates:
 *   GB/T 19580-2004 -> GB/T 19580-2012 (2012-08-01), GB 2760-2011 ->
 *   GB 2760-2014 (2015-05-24) -> GB 2760-2024 (2025-02-08), GB 7718-2025
 *   (implemented 2027-03-16), GB 7588-2003 -> GB/T 7588.1-2020 and
 *   GB/T 7588.2-2020 (2022-07-01: the mandatory standard became two
 *   recommended ones — a real prefix change), GB 50016-2014 partly
 *   replaced by the general code GB 55037-2022 (2023-06-01), GB/T 28002-2011
 *   recorded as 废止 on 2020-03-06 with no successor in this catalogue.
 * Statuses are asserted as of explicit dates, before and on the
 * implementation days.
 */
#define _GNU_SOURCE
#include <iconv.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/audit.h"
#include "core/auth.h"
#include "core/util.h"
#include "fixture.h"
#include "standards/standards.h"
#include "standards/validity.h"

static const char catalogue[] =
    "number,title_zh,status,issued_on,implemented_on,withdrawn_on,replaces,replaced_by\n"
    "GB/T 19580-2004,卓越绩效评价准则,,2004-08-30,2005-01-01,2012-08-01,,\n"
    "GB/T 19580-2012,卓越绩效评价准则,,2012-03-09,2012-08-01,,GB/T 19580-2004,\n"
    "GB 2760-2011,食品安全国家标准 食品添加剂使用标准,,2011-04-20,2011-06-20,,,\n"
    "GB 2760-2014,食品安全国家标准 食品添加剂使用标准,,2014-12-24,2015-05-24,,GB 2760-2011,\n"
    "GB 2760-2024,食品安全国家标准 食品添加剂使用标准,,2024-02-08,2025-02-08,,GB 2760-2014,\n"
    "GB 7718-2011,食品安全国家标准 预包装食品标签通则,,2011-04-20,2012-04-20,,,\n"
    "GB 7718-2025,食品安全国家标准 预包装食品标签通则,,2025-03-16,2027-03-16,,GB 7718-2011,\n"
    "GB 7588-2003,电梯制造与安装安全规范,,2003-02-21,2004-01-01,,,"
    "GB/T 7588.1-2020; GB/T 7588.2-2020\n"
    "GB/T 7588.1-2020,电梯制造与安装安全规范 第1部分：乘客电梯和载货电梯,,2020-12-14,"
    "2022-07-01,,,\n"
    "GB/T 7588.2-2020,电梯制造与安装安全规范 第2部分：电梯部件的设计原则、计算和检验,,"
    "2020-12-14,2022-07-01,,,\n"
    "GB 50016-2014,建筑设计防火规范,,2014-08-27,2015-05-01,,,GB 55037-2022(部分)\n"
    "GB 55037-2022,建筑防火通用规范,,2022-12-27,2023-06-01,,,\n"
    "GB/T 28002-2011,职业健康安全管理体系 实施指南,废止,2011-12-30,2012-02-01,2020-03-06,,\n";

typedef test_db fx; /* the whole fixture is the database (fixture.h) */

/* The database with the catalogue above imported. */
static int setup(void **state)
{
    test_db_setup(state);
    fx *f = *state;
    nqi_error err = {0};
    http_principal p;
    auth_cli_principal(&p);
    std_import_opts opts = {.source = "test"};
    std_import_report rep;
    int rc = standards_import(f->c, &p, catalogue, strlen(catalogue), STD_FMT_CSV, &opts, &rep,
                              &err);
    for (size_t i = 0; rc && i < rep.nerrors; i++)
        fprintf(stderr, "row %lld %s: %s\n", (long long)rep.errors[i].row, rep.errors[i].field,
                rep.errors[i].message);
    assert_int_equal(rc, 0);
    assert_int_equal(rep.inserted, 13);
    standards_import_report_free(&rep);
    return 0;
}

/* Check text (lines separated by \n) as of a date; the report. */
static json_t *check(fx *f, const char *text, const char *as_of)
{
    validity_lines l;
    nqi_error err = {0};
    json_t *rep = NULL;
    assert_int_equal(validity_lines_from_text(text, strlen(text), &l, &err), 0);
    int rc = validity_check_batch(f->c, &l, as_of, &rep, &err);
    if (rc)
        fprintf(stderr, "check: %s\n", err.message);
    assert_int_equal(rc, 0);
    validity_lines_free(&l);
    return rep;
}

static json_t *item(json_t *rep, size_t i)
{
    json_t *it = json_array_get(json_object_get(rep, "items"), i);
    assert_non_null(it);
    return it;
}

static const char *s_of(json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));
    return s ? s : "(null)";
}

static const char *cur_number(json_t *it)
{
    json_t *c = json_object_get(it, "current");
    return json_is_object(c) ? s_of(c, "number") : "(none)";
}

static int64_t count_of(json_t *rep, const char *k)
{
    return json_integer_value(json_object_get(json_object_get(rep, "summary"), k));
}

static void test_statuses(void **state)
{
    fx *f = *state;
    json_t *rep = check(f,
                        "GB/T 19580-2004\n"
                        "GB 2760-2011\n"
                        "GB 2760-2024\n"
                        "GB/T 28002-2011\n"
                        "GB 7588-2003\n"
                        "GB 50016-2014\n"
                        "GB/T 19580-2012\n",
                        "2024-06-01");
    assert_string_equal(s_of(rep, "as_of"), "2024-06-01");
    json_t *it = item(rep, 0);
    assert_string_equal(s_of(it, "number"), "GB/T 19580-2004");
    assert_string_equal(s_of(it, "status"), "replaced");
    assert_string_equal(cur_number(it), "GB/T 19580-2012");
    assert_string_equal(s_of(json_object_get(it, "current"), "status"), "in_force");
    assert_true(json_is_true(json_object_get(it, "recognised")));
    assert_true(json_is_null(json_object_get(it, "error")));
    /* GB 2760-2024 is not in force yet on 2024-06-01: the current edition is 2014 */
    it = item(rep, 1);
    assert_string_equal(s_of(it, "status"), "replaced");
    assert_string_equal(cur_number(it), "GB 2760-2014");
    it = item(rep, 2);
    assert_string_equal(s_of(it, "status"), "upcoming");
    assert_string_equal(s_of(it, "implemented_on"), "2025-02-08");
    it = item(rep, 3);
    assert_string_equal(s_of(it, "status"), "withdrawn");
    assert_true(json_is_null(json_object_get(it, "current")));
    /* a mandatory GB replaced by two recommended GB/T parts */
    it = item(rep, 4);
    assert_string_equal(s_of(it, "status"), "replaced");
    assert_true(json_is_true(json_object_get(it, "prefix_changed")));
    assert_true(!strncmp(cur_number(it), "GB/T 7588.", 10));
    /* partly replaced by a general code: still in force, flagged */
    it = item(rep, 5);
    assert_string_equal(s_of(it, "status"), "in_force");
    assert_true(json_is_true(json_object_get(it, "partial")));
    assert_string_equal(
        json_string_value(json_array_get(json_object_get(it, "partial_by"), 0)),
        "GB 55037-2022");
    it = item(rep, 6);
    assert_string_equal(s_of(it, "status"), "in_force");
    assert_true(json_is_null(json_object_get(it, "current")));
    assert_false(json_is_true(json_object_get(it, "partial")));
    assert_int_equal(count_of(rep, "replaced"), 3);
    assert_int_equal(count_of(rep, "in_force"), 2);
    assert_int_equal(count_of(rep, "upcoming"), 1);
    assert_int_equal(count_of(rep, "withdrawn"), 1);
    assert_int_equal(count_of(rep, "not_found"), 0);
    assert_int_equal(count_of(rep, "unparsed"), 0);
    json_decref(rep);
}

static void test_as_of_boundaries(void **state)
{
    fx *f = *state;
    const char *in = "GB/T 19580-2004\nGB 2760-2024\nGB 2760-2011\nGB 50016-2014\n";
    /* the day before the 2012 edition took effect */
    json_t *rep = check(f, in, "2012-07-31");
    assert_string_equal(s_of(item(rep, 0), "status"), "in_force");
    assert_true(json_is_null(json_object_get(item(rep, 0), "current")));
    assert_string_equal(s_of(item(rep, 1), "status"), "upcoming");
    assert_string_equal(s_of(item(rep, 2), "status"), "in_force");
    assert_false(json_is_true(json_object_get(item(rep, 3), "partial")));
    json_decref(rep);
    /* on the implementation day the new edition is in force */
    rep = check(f, in, "2012-08-01");
    assert_string_equal(s_of(item(rep, 0), "status"), "replaced");
    assert_string_equal(cur_number(item(rep, 0)), "GB/T 19580-2012");
    json_decref(rep);
    rep = check(f, in, "2025-02-08");
    assert_string_equal(s_of(item(rep, 1), "status"), "in_force");
    assert_string_equal(cur_number(item(rep, 2)), "GB 2760-2024");
    assert_true(json_is_true(json_object_get(item(rep, 3), "partial")));
    json_decref(rep);
    /* GB 50016-2014's partial replacement is not in effect before 2023-06-01 */
    rep = check(f, "GB 50016-2014", "2023-05-31");
    assert_false(json_is_true(json_object_get(item(rep, 0), "partial")));
    json_decref(rep);
}

static void test_year_less(void **state)
{
    fx *f = *state;
    json_t *rep = check(f, "GB/T 19580\nGB 2760 食品添加剂使用标准\nGB 7718\n", "2024-06-01");
    json_t *it = item(rep, 0);
    assert_string_equal(s_of(it, "number"), "GB/T 19580-2012");
    assert_string_equal(s_of(it, "reference"), "GB/T 19580");
    assert_true(json_is_true(json_object_get(it, "undated")));
    assert_string_equal(s_of(it, "status"), "in_force");
    it = item(rep, 1);
    assert_string_equal(s_of(it, "number"), "GB 2760-2014");
    it = item(rep, 2);
    assert_string_equal(s_of(it, "number"), "GB 7718-2011");
    json_decref(rep);
    rep = check(f, "GB 2760", "2025-06-01");
    assert_string_equal(s_of(item(rep, 0), "number"), "GB 2760-2024");
    json_decref(rep);
}

static void test_messy_forms(void **state)
{
    fx *f = *state;
    json_t *rep = check(f,
                        "gb/t19580—2004 卓越绩效评价准则\n"
                        "\n"
                        "  ＧＢ／Ｔ　１９５８０－２００４  \n"
                        "1、GB/T 19580-2004\n"
                        "(2) GB 2760-2014\r\n"
                        "《卓越绩效评价准则》GB/T 19580-2012\n"
                        "3,GB 2760-2014,食品添加剂使用标准\n"
                        "卓越绩效评价准则,GB/T 19580-2012\n"
                        "GB/T 19580-2012/XG1-2020\n",
                        "2024-06-01");
    json_t *items = json_object_get(rep, "items");
    assert_int_equal(json_array_size(items), 8); /* the blank line is skipped... */
    assert_int_equal(json_integer_value(json_object_get(item(rep, 1), "line")), 3); /* ...but counted */
    static const char *const want[] = {"GB/T 19580-2004", "GB/T 19580-2004", "GB/T 19580-2004",
                                       "GB 2760-2014",    "GB/T 19580-2012", "GB 2760-2014",
                                       "GB/T 19580-2012", "GB/T 19580-2012"};
    for (size_t i = 0; i < 8; i++) {
        json_t *it = item(rep, i);
        if (strcmp(s_of(it, "number"), want[i]))
            fail_msg("item %zu (%s): got %s, want %s", i, s_of(it, "input"), s_of(it, "number"),
                     want[i]);
        assert_true(json_is_true(json_object_get(it, "recognised")));
    }
    assert_string_equal(s_of(item(rep, 0), "input"), "gb/t19580—2004 卓越绩效评价准则");
    assert_string_equal(s_of(item(rep, 1), "input"), "ＧＢ／Ｔ　１９５８０－２００４"); /* trimmed */
    assert_string_equal(s_of(item(rep, 7), "reference"), "GB/T 19580-2012/XG1-2020");
    json_decref(rep);
}

static void test_unparsed_and_candidates(void **state)
{
    fx *f = *state;
    json_t *rep = check(f, "ISO 9001:2015\n见附件\nGB/T 19580-2008\nGB 19580-2012\nGB/T 99999-2020\n",
                        "2024-06-01");
    for (size_t i = 0; i < 2; i++) {
        json_t *it = item(rep, i);
        assert_string_equal(s_of(it, "status"), "unparsed");
        assert_false(json_is_true(json_object_get(it, "recognised")));
        assert_true(json_is_string(json_object_get(it, "error")));
        assert_true(json_is_null(json_object_get(it, "number")));
    }
    assert_non_null(strstr(s_of(item(rep, 0), "error"), "ISO"));
    /* an edition the catalogue does not have: the other editions are offered */
    json_t *it = item(rep, 2);
    assert_string_equal(s_of(it, "status"), "not_found");
    assert_string_equal(s_of(it, "number"), "GB/T 19580-2008");
    json_t *c = json_object_get(it, "candidates");
    assert_int_equal(json_array_size(c), 2);
    assert_string_equal(s_of(json_array_get(c, 0), "number"), "GB/T 19580-2012");
    assert_string_equal(s_of(json_array_get(c, 1), "number"), "GB/T 19580-2004");
    /* the wrong nature (GB for GB/T) finds the family */
    c = json_object_get(item(rep, 3), "candidates");
    assert_true(json_array_size(c) >= 1);
    assert_string_equal(s_of(json_array_get(c, 0), "number"), "GB/T 19580-2012");
    assert_int_equal(json_array_size(json_object_get(item(rep, 4), "candidates")), 0);
    assert_int_equal(count_of(rep, "unparsed"), 2);
    assert_int_equal(count_of(rep, "not_found"), 3);
    char *remark = validity_item_remark(item(rep, 2));
    assert_non_null(strstr(remark, "GB/T 19580-2012"));
    free(remark);
    json_decref(rep);
}

static void test_limits_and_encodings(void **state)
{
    fx *f = *state;
    (void)f;
    nqi_error err = {0};
    validity_lines l;
    /* 100,000 lines pass, 100,001 do not (with or without a final newline) */
    size_t n = VALIDITY_MAX_LINES;
    char *big = xmalloc(n * 2 + 4);
    for (size_t i = 0; i < n; i++)
        big[2 * i] = 'x', big[2 * i + 1] = '\n';
    assert_int_equal(validity_lines_from_text(big, n * 2, &l, &err), 0);
    assert_int_equal(l.total, n);
    validity_lines_free(&l);
    big[n * 2] = 'x';
    assert_int_equal(validity_lines_from_text(big, n * 2 + 1, &l, &err), NQI_ETOOBIG);
    assert_string_equal(err.fields[0].field, "lines");
    assert_non_null(strstr(err.fields[0].message, "100000"));
    free(big);
    /* JSON: an element that is not a string is named */
    nqi_error_clear(&err);
    json_t *arr = json_pack("[s, i, s]", "GB/T 19580-2012", 5, "");
    assert_int_equal(validity_lines_from_json(arr, &l, &err), NQI_EINVAL);
    assert_string_equal(err.fields[0].field, "lines/1");
    json_decref(arr);
    /* GB18030 text decodes; bytes that are neither encoding do not */
    const char *utf8 = "GB/T 19580-2004 卓越绩效评价准则\r\n";
    char gb[128], *ip = (char *)utf8, *op = gb;
    size_t il = strlen(utf8), ol = sizeof gb;
    iconv_t cd = iconv_open("GB18030", "UTF-8");
    assert_true(cd != (iconv_t)-1);
    assert_true(iconv(cd, &ip, &il, &op, &ol) != (size_t)-1);
    iconv_close(cd);
    nqi_error_clear(&err);
    assert_int_equal(validity_lines_from_text(gb, (size_t)(op - gb), &l, &err), 0);
    assert_int_equal(l.n, 1);
    assert_string_equal(l.text[0], "GB/T 19580-2004 卓越绩效评价准则");
    validity_lines_free(&l);
    nqi_error_clear(&err);
    assert_int_equal(validity_lines_from_text("GB/T 1\xff\xff\n", 9, &l, &err), NQI_EINVAL);
    assert_string_equal(err.fields[0].field, "body");
}

static void test_report_store_and_export(void **state)
{
    fx *f = *state;
    json_t *rep = check(f, "GB/T 19580-2004\nGB 2760-2014\nnot a number\n", "2024-06-01");
    nqi_error err = {0};
    http_principal p;
    auth_cli_principal(&p);
    json_t *stored = NULL, *got = NULL;
    assert_int_equal(validity_report_store(f->c, &p, rep, 3, &stored, &err), 0);
    const char *uid = s_of(stored, "id");
    assert_true(validity_uid_valid(uid));
    assert_int_equal(validity_report_get(f->c, uid, &got, &err), 0);
    /* the hash is over the canonical items, and anyone can recompute it */
    char h[65];
    validity_result_hash(json_object_get(got, "items"), h);
    assert_string_equal(h, s_of(got, "result_hash"));
    assert_true(json_equal(json_object_get(got, "items"), json_object_get(rep, "items")));
    assert_true(json_equal(json_object_get(got, "summary"), json_object_get(rep, "summary")));
    int64_t idx = json_integer_value(json_object_get(got, "publog_index"));
    char want[64];
    snprintf(want, sizeof want, "/api/v1/log/proof/%lld", (long long)idx);
    assert_string_equal(s_of(got, "proof"), want);
    snprintf(want, sizeof want, "/validity/%s", uid);
    assert_string_equal(s_of(got, "verify_url"), want);
    /* the leaf is in the log and its proof verifies; the audit chain holds */
    json_t *proof = NULL, *head = NULL;
    assert_int_equal(publog_proof_json(f->c, idx, 0, &proof, &err), 0);
    assert_int_equal(publog_head_json(f->c, &head, &err), 0);
    assert_int_equal(publog_verify_bundle(proof, s_of(head, "public_key"), &err), 0);
    const char *data = s_of(json_object_get(proof, "leaf"), "data");
    assert_non_null(strstr(data, uid));
    assert_non_null(strstr(data, h));
    int64_t checked = 0;
    assert_int_equal(audit_verify(f->c, &checked, &err), 0);
    /* unknown and malformed ids */
    json_t *none = NULL;
    assert_int_equal(validity_report_get(f->c, "aaaaaaaaaaaaaaaaaaaaaaaa", &none, &err),
                     NQI_ENOTFOUND);
    assert_int_equal(validity_report_get(f->c, "../x", &none, &err), NQI_ENOTFOUND);
    /* exports */
    char *out = NULL;
    size_t len = 0;
    assert_int_equal(validity_export(got, "http://example.org/validity/x", VALIDITY_XLSX, &out,
                                     &len, &err),
                     0);
    assert_true(len > 1000 && !memcmp(out, "PK\x03\x04", 4));
    assert_non_null(memmem(out, len, "xl/media/image1.png", 19)); /* the QR code */
    free(out);
    assert_int_equal(validity_export(got, NULL, VALIDITY_CSV, &out, &len, &err), 0);
    assert_true(!memcmp(out, "\xEF\xBB\xBF行号,", 3 + strlen("行号,")));
    assert_non_null(memmem(out, len, "被代替", strlen("被代替")));
    assert_non_null(memmem(out, len, "已被 GB/T 19580-2012 代替", strlen("已被 GB/T 19580-2012 代替")));
    free(out);
    json_decref(proof);
    json_decref(head);
    json_decref(got);
    json_decref(stored);
    json_decref(rep);
}

static void test_batch_cache_consistent(void **state)
{
    /* 3,000 lines naming a handful of editions in many forms: every line
     * gets the same outcome as when checked alone. */
    fx *f = *state;
    static const char *const forms[] = {"GB/T 19580-2004", "gb/t 19580-2004", "GB 2760-2011",
                                        "GB 7588-2003",    "GB/T 19580",      "XYZ"};
    buf b;
    buf_init(&b, 0);
    for (int i = 0; i < 3000; i++)
        buf_printf(&b, "%s\n", forms[i % 6]);
    json_t *rep = check(f, b.data, "2024-06-01");
    buf_free(&b);
    for (int k = 0; k < 6; k++) {
        json_t *one = check(f, forms[k], "2024-06-01");
        json_t *a = json_deep_copy(item(one, 0));
        for (int i = k; i < 3000; i += 6 * 499) {
            json_t *x = json_deep_copy(item(rep, (size_t)i));
            json_object_del(x, "line");
            json_object_del(a, "line");
            assert_true(json_equal(a, x));
            json_decref(x);
        }
        json_decref(a);
        json_decref(one);
    }
    assert_int_equal(count_of(rep, "unparsed"), 500);
    json_decref(rep);
    /* more distinct dated editions than one prefetch chunk (500): the
     * real ones are found in whichever chunk they fall, the rest not */
    buf_init(&b, 0);
    for (int i = 0; i < 1300; i++) {
        if (i % 100 == 7)
            buf_puts(&b, "GB/T 19580-2004\n");
        else if (i % 100 == 77)
            buf_puts(&b, "GB 7588-2003\n");
        else
            buf_printf(&b, "GB/T %d-2004\n", 90000 + i);
    }
    rep = check(f, b.data, "2024-06-01");
    buf_free(&b);
    assert_int_equal(count_of(rep, "not_found"), 1300 - 26);
    assert_string_equal(json_string_value(json_object_get(item(rep, 7), "number")),
                        "GB/T 19580-2004");
    assert_string_equal(json_string_value(json_object_get(item(rep, 1277), "number")),
                        "GB 7588-2003");
    assert_string_not_equal(json_string_value(json_object_get(item(rep, 1277), "status")),
                            "not_found");
    json_decref(rep);
}

/* The text answer of POST /check (validity_check_json) is, byte for byte,
 * json_dumps(JSON_COMPACT) of the batch's report with the unstored
 * report's fields added: every status, undated, not found with candidates,
 * unparsed, too long, quotes and backslashes, non-ASCII, duplicates. */
static void test_check_json_same_as_batch(void **state)
{
    fx *f = *state;
    buf b;
    buf_init(&b, 0);
    buf_puts(&b, "1. GB/T 19580-2004 卓越绩效评价准则\n\n"
                 "《卓越绩效评价准则》GB/T 19580-2012\n"
                 "GB 2760-2011 \"quoted\" back\\slash\n"
                 "gb/t 19580\n"
                 "ＧＢ　7588－2003\n"
                 "GB/T 99999-2020\n"
                 "no number here \\ \"\n"
                 "XYZ\n"
                 "GB/T 19580-2004\n");
    for (int i = 0; i < 1100; i++)
        buf_puts(&b, "x");
    buf_puts(&b, "\n");
    for (int i = 0; i < 300; i++)
        buf_printf(&b, "GB/T %d-2004\n", 19575 + i % 10);
    static const char *const dates[] = {"2024-06-01", "2003-01-01", "2099-12-31", NULL};
    for (int d = 0; d < 4; d++) {
        validity_lines l;
        nqi_error err = {0};
        assert_int_equal(validity_lines_from_text(b.data, b.len, &l, &err), 0);
        json_t *rep = NULL;
        assert_int_equal(validity_check_batch(f->c, &l, dates[d], &rep, &err), 0);
        json_object_set_new(rep, "id", json_null());
        json_object_set_new(rep, "created_at", json_string("2026-11-24T00:00:00Z"));
        json_object_set_new(rep, "line_count", json_integer((json_int_t)l.n));
        json_object_set_new(rep, "publog_index", json_null());
        json_object_set_new(rep, "verify_url", json_null());
        char *want = json_dumps(rep, JSON_COMPACT);
        char *got = NULL;
        size_t len = 0;
        assert_int_equal(
            validity_check_json(f->c, &l, dates[d], "2026-11-24T00:00:00Z", &got, &len, &err), 0);
        assert_int_equal(len, strlen(got));
        assert_string_equal(got, want);
        /* and it parses back to the same document */
        json_t *back = json_loads(got, 0, NULL);
        assert_non_null(back);
        assert_true(json_equal(back, rep));
        json_decref(back);
        free(got);
        free(want);
        json_decref(rep);
        validity_lines_free(&l);
    }
    buf_free(&b);
}

int main(void)
{
    setenv("NQI_PWHASH_FAST", "1", 0);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_statuses, setup, test_db_teardown),
        cmocka_unit_test_setup_teardown(test_as_of_boundaries, setup, test_db_teardown),
        cmocka_unit_test_setup_teardown(test_year_less, setup, test_db_teardown),
        cmocka_unit_test_setup_teardown(test_messy_forms, setup, test_db_teardown),
        cmocka_unit_test_setup_teardown(test_unparsed_and_candidates, setup, test_db_teardown),
        cmocka_unit_test_setup_teardown(test_limits_and_encodings, setup, test_db_teardown),
        cmocka_unit_test_setup_teardown(test_report_store_and_export, setup, test_db_teardown),
        cmocka_unit_test_setup_teardown(test_batch_cache_consistent, setup, test_db_teardown),
        cmocka_unit_test_setup_teardown(test_check_json_same_as_batch, setup, test_db_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
