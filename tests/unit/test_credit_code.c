/*
 * test_credit_code.c — GB 32100 unified social credit codes: real codes,
 * the check character computed from the weights, and corrupted codes that
 * must be refused with a message saying why.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "supervision/credit_code.h"

/* Check characters verified by hand: 91350100M000100Y4 -> sum mod 31 = 28,
 * 31 - 28 = 3; 91110000802100433 -> B (value 11). */
static void test_real_codes(void **state)
{
    (void)state;
    assert_true(credit_code_valid("91350100M000100Y43"));
    assert_true(credit_code_valid("91110000802100433B"));
    assert_int_equal(credit_code_check_char("91350100M000100Y4"), '3');
    assert_int_equal(credit_code_check_char("91110000802100433"), 'B');
    assert_int_equal(credit_code_char_value('0'), 0);
    assert_int_equal(credit_code_char_value('B'), 11);
    assert_int_equal(credit_code_char_value('Y'), 30);
    assert_int_equal(credit_code_char_value('I'), -1);
}

static void test_other_authorities(void **state)
{
    (void)state;
    /* constructed: 5 民政 / 1 社会团体, A and N (later authorities, any type), Y 其他 / 1 */
    assert_true(credit_code_valid("51100000MJ00000002"));
    assert_true(credit_code_valid("A1110000MB0000000J"));
    assert_true(credit_code_valid("N2350100MF0000000E"));
    assert_true(credit_code_valid("Y1110000000000000Q"));
}

static void test_corrupted(void **state)
{
    (void)state;
    static const char *bad[] = {
        "91350100M000100Y44",  /* wrong check */
        "91350100M000100Y34",  /* last two swapped */
        "91350100M001000Y43",  /* transposition inside */
        "91350100m000100Y43",  /* lower case */
        "91350100M000100Y4",   /* 17 characters */
        "91350100M000100Y433", /* 19 characters */
        "91350100O000100Y43",  /* O is not in the alphabet */
        "91350100I000100Y43",  /* I */
        "9135010SM00100Y43X",  /* S */
        "94350100M000100Y4R",  /* authority 9 has no type 4 (right check char) */
        "9135010M0000100Y44",  /* division not six digits (right check char) */
        "01350100M000100Y4C",  /* authority 0 (right check char) */
        "",
        NULL,
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_false(credit_code_valid(bad[i]));
    assert_int_equal(credit_code_check_char("91350100O000100Y4"), '\0');
}

static void test_messages(void **state)
{
    (void)state;
    nqi_error err;
    nqi_error_clear(&err);
    assert_int_equal(credit_code_validate("91350100M000100Y43", "x", &err), 0);
    assert_int_equal(err.code, 0);
    assert_int_equal(credit_code_validate("91350100M000100Y44", "pool/3/credit_code", &err),
                     NQI_EINVAL);
    assert_int_equal(err.nfields, 1);
    assert_string_equal(err.fields[0].field, "pool/3/credit_code");
    assert_non_null(strstr(err.fields[0].message, "check character should be 3, not 4"));
    nqi_error_clear(&err);
    credit_code_validate("94350100M000100Y4R", NULL, &err);
    assert_string_equal(err.fields[0].field, "credit_code");
    assert_non_null(strstr(err.fields[0].message, "type 4"));
    nqi_error_clear(&err);
    credit_code_validate("91350100M000100Y4", "c", &err);
    assert_non_null(strstr(err.fields[0].message, "18 characters, not 17"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_real_codes),
        cmocka_unit_test(test_other_authorities),
        cmocka_unit_test(test_corrupted),
        cmocka_unit_test(test_messages),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
