/* test_json.c — request-body parsing and the typed getters (core/json.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/json.h"

static json_t *parse_ok(const char *s)
{
    json_t *j = NULL;
    nqi_error err = {0};
    int rc = json_parse_body(s, strlen(s), true, &j, &err);
    if (rc)
        fail_msg("parse %s: %s", s, err.message);
    return j;
}

static int parse_err(const char *s, size_t n, bool want_object, nqi_error *err)
{
    json_t *j = (json_t *)1;
    nqi_error_clear(err);
    int rc = json_parse_body(s, n, want_object, &j, err);
    assert_null(j);
    assert_int_equal(rc, err->code);
    return rc;
}

static void test_parse(void **state)
{
    nqi_error err;
    json_t *j = parse_ok("{\"标准号\":\"GB/T 19580-2012\",\"n\":9007199254740993}");
    assert_string_equal(json_string_value(json_object_get(j, "标准号")), "GB/T 19580-2012");
    /* exact 64-bit integers, not doubles */
    assert_true(json_integer_value(json_object_get(j, "n")) == 9007199254740993LL);
    json_decref(j);

    const char dup[] = "{\"a\":1,\n \"a\":2}";
    assert_int_equal(parse_err(dup, strlen(dup), true, &err), NQI_EBADREQ);
    assert_non_null(strstr(err.message, "duplicate"));
    assert_non_null(strstr(err.message, "line 2"));
    assert_int_equal(err.nfields, 1);
    assert_string_equal(err.fields[0].field, "body");

    const char bad_utf8[] = "{\"name\":\"\xe8\xb4\"}"; /* truncated 质 */
    assert_int_equal(parse_err(bad_utf8, strlen(bad_utf8), true, &err), NQI_EBADREQ);
    const char overlong[] = "{\"name\":\"\xc0\xaf\"}";
    assert_int_equal(parse_err(overlong, strlen(overlong), true, &err), NQI_EBADREQ);
    assert_int_equal(parse_err("{} {}", 5, true, &err), NQI_EBADREQ);    /* trailing */
    assert_int_equal(parse_err("{\"a\":1", 6, true, &err), NQI_EBADREQ); /* truncated */
    assert_int_equal(parse_err("", 0, true, &err), NQI_EBADREQ);         /* empty */
    assert_int_equal(parse_err("{\"a\":\"\\u0000\"}", 14, true, &err), NQI_EBADREQ);
    assert_int_equal(parse_err("{\"a\":1}\0x", 9, true, &err), NQI_EBADREQ); /* NUL after */
    assert_int_equal(parse_err("[1,2]", 5, true, &err), NQI_EINVAL);
    assert_int_equal(parse_err("\"s\"", 3, true, &err), NQI_EINVAL);

    /* scalars are fine when the caller does not want an object */
    json_t *s = NULL;
    nqi_error_clear(&err);
    assert_int_equal(json_parse_body("42", 2, false, &s, &err), 0);
    assert_int_equal(json_integer_value(s), 42);
    json_decref(s);
    /* length is honoured: no reading past n */
    assert_int_equal(json_parse_body("{}garbage", 2, true, &s, &err), 0);
    json_decref(s);
}

static void test_check_fields(void **state)
{
    static const char *const allowed[] = {"name", "number", NULL};
    nqi_error err = {0};
    json_t *j = parse_ok("{\"name\":\"x\",\"number\":\"GB 1\"}");
    assert_int_equal(json_check_fields(j, allowed, &err), 0);
    assert_int_equal(err.code, 0);
    json_decref(j);

    j = parse_ok("{\"name\":\"x\",\"is_admin\":true,\"role\":\"admin\"}");
    assert_int_equal(json_check_fields(j, allowed, &err), NQI_EINVAL);
    assert_int_equal(err.nfields, 2);
    assert_string_equal(err.fields[0].field, "is_admin");
    assert_string_equal(err.fields[0].message, "unknown field");
    assert_string_equal(err.fields[1].field, "role");
    json_decref(j);

    nqi_error_clear(&err);
    j = json_array();
    assert_int_equal(json_check_fields(j, allowed, &err), NQI_EINVAL);
    json_decref(j);
}

static void test_get_str(void **state)
{
    nqi_error err = {0};
    json_t *j = parse_ok("{\"title\":\"质量强省\",\"n\":5,\"nul\":null,\"e\":\"\"}");
    const char *s = NULL;
    assert_int_equal(json_get_str(j, "title", true, 4, &s, &err), 0); /* 4 code points, 12 bytes */
    assert_string_equal(s, "质量强省");
    assert_int_equal(json_get_str(j, "title", true, 3, &s, &err), NQI_EINVAL);
    assert_string_equal(err.fields[0].field, "title");
    assert_non_null(strstr(err.fields[0].message, "at most 3 characters"));

    nqi_error_clear(&err);
    assert_int_equal(json_get_str(j, "n", true, 0, &s, &err), NQI_EINVAL);
    assert_string_equal(err.fields[0].message, "must be a string");

    nqi_error_clear(&err);
    s = "untouched";
    assert_int_equal(json_get_str(j, "missing", false, 10, &s, &err), 0);
    assert_int_equal(json_get_str(j, "nul", false, 10, &s, &err), 0); /* null = not given */
    assert_string_equal(s, "untouched");
    assert_int_equal(err.code, 0);
    assert_int_equal(json_get_str(j, "missing", true, 10, &s, &err), NQI_EINVAL);
    assert_string_equal(err.fields[0].message, "is required");
    /* a required string must say something; an optional one may be "" */
    nqi_error_clear(&err);
    assert_int_equal(json_get_str(j, "e", true, 10, &s, &err), NQI_EINVAL);
    assert_string_equal(err.fields[0].message, "must not be empty");
    nqi_error_clear(&err);
    json_object_set_new(j, "blank", json_string(" \t "));
    assert_int_equal(json_get_str(j, "blank", true, 10, &s, &err), NQI_EINVAL);
    nqi_error_clear(&err);
    assert_int_equal(json_get_str(j, "e", false, 10, &s, &err), 0);
    assert_string_equal(s, "");

    /* a NUL built in code (not from parsing) is refused */
    json_object_set_new(j, "z", json_stringn("a\0b", 3));
    nqi_error_clear(&err);
    assert_int_equal(json_get_str(j, "z", true, 10, &s, &err), NQI_EINVAL);
    json_decref(j);
}

static void test_get_int_bool(void **state)
{
    nqi_error err = {0};
    json_t *j = parse_ok("{\"year\":2012,\"big\":9223372036854775807,\"f\":1.5,\"s\":\"3\","
                         "\"ok\":true,\"no\":false,\"one\":1}");
    int64_t v = 0;
    assert_int_equal(json_get_int(j, "year", true, 1900, 2100, &v, &err), 0);
    assert_int_equal(v, 2012);
    assert_int_equal(json_get_int(j, "big", true, INT64_MIN, INT64_MAX, &v, &err), 0);
    assert_true(v == INT64_MAX);
    assert_int_equal(json_get_int(j, "year", true, 2013, 2100, &v, &err), NQI_EINVAL);
    assert_non_null(strstr(err.fields[0].message, "between 2013 and 2100"));
    nqi_error_clear(&err);
    assert_int_equal(json_get_int(j, "f", true, 0, 10, &v, &err), NQI_EINVAL);
    assert_int_equal(json_get_int(j, "s", true, 0, 10, &v, &err), NQI_EINVAL);
    assert_int_equal(err.nfields, 2); /* errors accumulate */
    nqi_error_clear(&err);
    v = 77;
    assert_int_equal(json_get_int(j, "absent", false, 0, 10, &v, &err), 0);
    assert_int_equal(v, 77);

    bool b = false;
    assert_int_equal(json_get_bool(j, "ok", true, &b, &err), 0);
    assert_true(b);
    assert_int_equal(json_get_bool(j, "no", true, &b, &err), 0);
    assert_false(b);
    assert_int_equal(json_get_bool(j, "one", true, &b, &err), NQI_EINVAL);
    assert_string_equal(err.fields[0].message, "must be true or false");
    json_decref(j);
}

static void test_dump_and_utf8(void **state)
{
    json_t *j = json_pack("{s:s, s:i}", "名称", "质量", "n", 1);
    char *s = json_dump_compact(j);
    assert_string_equal(s, "{\"名称\":\"质量\",\"n\":1}"); /* insertion order, UTF-8 kept */
    free(s);
    json_decref(j);
    s = json_dump_compact(NULL);
    assert_string_equal(s, "null");
    free(s);

    assert_int_equal(utf8_count(""), 0);
    assert_int_equal(utf8_count("GB/T 质量"), 7);
    assert_int_equal(utf8_count("😀"), 1);
    assert_true(utf8_valid("质量😀", strlen("质量😀")));
    assert_false(utf8_valid("\xe8\xb4", 2));         /* truncated */
    assert_false(utf8_valid("\xc0\xae", 2));         /* overlong '.' */
    assert_false(utf8_valid("\xed\xa0\x80", 3));     /* surrogate */
    assert_false(utf8_valid("\xf4\x90\x80\x80", 4)); /* > U+10FFFF */
    assert_false(utf8_valid("\xff", 1));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse),         cmocka_unit_test(test_check_fields),
        cmocka_unit_test(test_get_str),       cmocka_unit_test(test_get_int_bool),
        cmocka_unit_test(test_dump_and_utf8),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
