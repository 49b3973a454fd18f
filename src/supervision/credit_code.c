/*
 * credit_code.c — GB 32100-2015 unified social credit code validation.
 * See credit_code.h for the structure of a code and what is checked.
 */
#include "supervision/credit_code.h"

#include <stdio.h>
#include <string.h>

const char credit_code_charset[32] = "0123456789ABCDEFGHJKLMNPQRTUWXY";

/* 3^(i-1) mod 31 for i = 1..17 */
static const int weights[17] = {1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28};

/* value + 1 per byte, 0 = not in the alphabet (a table: the draw engine
 * validates a million codes at a time) */
static const unsigned char value1[256] = {
    ['0'] = 1,   ['1'] = 2,   ['2'] = 3,   ['3'] = 4,   ['4'] = 5,   ['5'] = 6,   ['6'] = 7,
    ['7'] = 8,   ['8'] = 9,   ['9'] = 10,  ['A'] = 11,  ['B'] = 12,  ['C'] = 13,  ['D'] = 14,
    ['E'] = 15,  ['F'] = 16,  ['G'] = 17,  ['H'] = 18,  ['J'] = 19,  ['K'] = 20,  ['L'] = 21,
    ['M'] = 22,  ['N'] = 23,  ['P'] = 24,  ['Q'] = 25,  ['R'] = 26,  ['T'] = 27,  ['U'] = 28,
    ['W'] = 29,  ['X'] = 30,  ['Y'] = 31,
};

int credit_code_char_value(char c)
{
    return (int)value1[(unsigned char)c] - 1;
}

char credit_code_check_char(const char *code)
{
    int sum = 0;
    for (int i = 0; i < 17; i++) {
        int v = credit_code_char_value(code[i]);
        if (v < 0)
            return '\0';
        sum += v * weights[i];
    }
    return credit_code_charset[(31 - sum % 31) % 31];
}

/* Type codes listed in GB 32100-2015 itself; NULL = not restricted here. */
static const char *types_for_authority(char authority)
{
    switch (authority) {
    case '1': return "1239"; /* 机构编制: 机关, 事业单位, 编办直管群团, 其他 */
    case '5': return "1239"; /* 民政: 社会团体, 民办非企业单位, 基金会, 其他 */
    case '9': return "123";  /* 工商: 企业, 个体工商户, 农民专业合作社 */
    case 'Y': return "1";    /* 其他 */
    default: return NULL;
    }
}

/* The one place the rules are written: returns NULL when valid, else a
 * message (static or in msg). */
static const char *problem(const char *code, char *msg, size_t n)
{
    if (!code || !*code)
        return "missing";
    size_t len = strnlen(code, CREDIT_CODE_LEN + 1);
    if (len != CREDIT_CODE_LEN) {
        if (len > CREDIT_CODE_LEN)
            len = strlen(code);
        snprintf(msg, n, "must be 18 characters, not %zu", len);
        return msg;
    }
    for (size_t i = 0; i < CREDIT_CODE_LEN; i++) {
        if (credit_code_char_value(code[i]) < 0) {
            snprintf(msg, n,
                     "character %zu is not allowed (digits and capitals except I, O, S, V, Z)",
                     i + 1);
            return msg;
        }
    }
    if (code[0] == '0')
        return "registration authority code 0 does not exist";
    const char *types = types_for_authority(code[0]);
    if (types && !strchr(types, code[1])) {
        snprintf(msg, n, "organisation type %c is not defined for registration authority %c",
                 code[1], code[0]);
        return msg;
    }
    for (int i = 2; i < 8; i++)
        if (code[i] < '0' || code[i] > '9')
            return "characters 3-8 (administrative division) must be digits";
    char want = credit_code_check_char(code);
    if (code[17] != want) {
        snprintf(msg, n, "check character should be %c, not %c", want, code[17]);
        return msg;
    }
    return NULL;
}

bool credit_code_valid(const char *code)
{
    char msg[128];
    return problem(code, msg, sizeof msg) == NULL;
}

int credit_code_validate(const char *code, const char *field, nqi_error *err)
{
    char msg[128];
    const char *p = problem(code, msg, sizeof msg);
    if (!p)
        return 0;
    return nqi_error_field(err, NQI_EINVAL, field ? field : "credit_code",
                           "not a valid unified social credit code: %s", p);
}
