/* test_csv.c — the shared CSV record reader on the cases real exports
 * produce: Excel's quoting of commas, quotes and line breaks, CRLF, a
 * missing final newline, ragged rows and an unterminated quote. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/csv.h"
#include "core/util.h"

#define MAXF 8

static void field_is(char **f, size_t *fl, int i, const char *want)
{
    assert_int_equal(fl[i], strlen(want));
    assert_memory_equal(f[i], want, fl[i]);
}

static void test_quoting_and_lines(void **state)
{
    char s[] = "标准号,标准名称,备注\r\n"
               "GB/T 19580-2012,卓越绩效评价准则,\"含逗号, 和 \"\"引号\"\"\"\r\n"
               "GB 2760-2014,\"食品安全国家标准\n食品添加剂使用标准\",\n"
               "GB/T 1.1-2020,最后一行无换行,x";
    size_t pos = 0, len = strlen(s), fl[MAXF];
    char *f[MAXF];
    int nf;
    assert_int_equal(csv_record(s, len, &pos, f, fl, MAXF, &nf), 0);
    assert_int_equal(nf, 3);
    field_is(f, fl, 0, "标准号");
    field_is(f, fl, 2, "备注");
    assert_int_equal(csv_record(s, len, &pos, f, fl, MAXF, &nf), 0);
    assert_int_equal(nf, 3);
    field_is(f, fl, 0, "GB/T 19580-2012");
    field_is(f, fl, 2, "含逗号, 和 \"引号\"");
    assert_int_equal(csv_record(s, len, &pos, f, fl, MAXF, &nf), 0);
    assert_int_equal(nf, 3);
    field_is(f, fl, 1, "食品安全国家标准\n食品添加剂使用标准");
    field_is(f, fl, 2, "");
    assert_int_equal(csv_record(s, len, &pos, f, fl, MAXF, &nf), 0);
    field_is(f, fl, 2, "x");
    assert_int_equal(csv_record(s, len, &pos, f, fl, MAXF, &nf), 1);
}

static void test_ragged_and_broken(void **state)
{
    char s[] = "a,b,c,d,e\n\"never closed,x\n";
    size_t pos = 0, len = strlen(s), fl[2];
    char *f[2];
    int nf;
    assert_int_equal(csv_record(s, len, &pos, f, fl, 2, &nf), 0);
    assert_int_equal(nf, 5); /* more than max: counted, not stored */
    field_is(f, fl, 1, "b");
    assert_int_equal(csv_record(s, len, &pos, f, fl, 2, &nf), -1);
}

static void test_write_field(void **state)
{
    buf b;
    buf_init(&b, 0);
    csv_write_field(&b, "GB/T 19580-2012");
    buf_puts(&b, ",");
    csv_write_field(&b, "含逗号, 和 \"引号\"");
    buf_puts(&b, ",");
    csv_write_field(&b, "=HYPERLINK(\"x\")");
    buf_puts(&b, ",");
    csv_write_field(&b, "-");
    assert_string_equal(b.data, "GB/T 19580-2012,\"含逗号, 和 \"\"引号\"\"\",\"'=HYPERLINK(\"\"x\"\")\",-");
    /* and the reader gets the text back */
    size_t pos = 0, fl[MAXF];
    char *f[MAXF];
    int nf;
    assert_int_equal(csv_record(b.data, b.len, &pos, f, fl, MAXF, &nf), 0);
    assert_int_equal(nf, 4);
    field_is(f, fl, 1, "含逗号, 和 \"引号\"");
    field_is(f, fl, 2, "'=HYPERLINK(\"x\")");
    buf_free(&b);
}

/* csv_write_record's cells: the strings of a NULL-terminated array (strdup'd,
 * as a cell function must return malloc'd text). */
static char *array_cell(const void *row, size_t k)
{
    return xstrdup(((const char *const *)row)[k]);
}

static void test_write_head_and_record(void **state)
{
    static const char *const heads[] = {"标准号", "标准名称", "状态"};
    static const char *const row[] = {"GB/T 19580-2012", "卓越绩效评价准则, 第1部分", "+现行"};
    buf b;
    buf_init(&b, 0);
    csv_write_head(&b, heads, 3);
    csv_write_record(&b, row, 3, array_cell);
    /* BOM, CRLF records, quoting and the formula guard of csv_write_field */
    assert_string_equal(b.data, "\xEF\xBB\xBF标准号,标准名称,状态\r\n"
                                "GB/T 19580-2012,\"卓越绩效评价准则, 第1部分\",\"'+现行\"\r\n");
    size_t pos = 3, fl[MAXF];
    char *f[MAXF];
    int nf;
    assert_int_equal(csv_record(b.data, b.len, &pos, f, fl, MAXF, &nf), 0);
    assert_int_equal(nf, 3);
    field_is(f, fl, 0, "标准号");
    assert_int_equal(csv_record(b.data, b.len, &pos, f, fl, MAXF, &nf), 0);
    assert_int_equal(nf, 3);
    field_is(f, fl, 1, "卓越绩效评价准则, 第1部分");
    assert_int_equal(csv_record(b.data, b.len, &pos, f, fl, MAXF, &nf), 1); /* end */
    buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_quoting_and_lines),
        cmocka_unit_test(test_ragged_and_broken),
        cmocka_unit_test(test_write_field),
        cmocka_unit_test(test_write_head_and_record),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
