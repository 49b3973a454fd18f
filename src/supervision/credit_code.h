/*
 * credit_code.h — the unified social credit code (统一社会信用代码, GB 32100-2015)
 * for the supervision module: 18 characters over a 31-character alphabet
 * (digits and capitals without I, O, S, V, Z):
 *
 *   pos 1     registration authority (登记管理部门代码): 1 机构编制, 5 民政, 9 工商 (market
 *             regulation), Y 其他, and later additions (2 外交, 3 司法行政, 4 文化, 6 旅游,
 *             7 宗教, 8 工会, A 中央军委改革和编制办公室, N 农业 …)
 *   pos 2     organisation type (机构类别代码), meaning depends on pos 1
 *   pos 3–8   administrative division (GB/T 2260), six digits
 *   pos 9–17  organisation code (GB 11714 body + its own check character)
 *   pos 18    check character: sum of value(c_i) * 3^(i-1) mod 31 over i = 1..17,
 *             check = 31 - sum mod 31, 31 -> 0.
 *
 * Stricter than the check in core/auth.c only where the standard is certain:
 * authority 0 does not exist; for the authorities whose type codes GB 32100
 * itself lists, the type must be one of them (1: 1 2 3 9; 5: 1 2 3 9;
 * 9: 1 2 3; Y: 1). Other authorities accept any type character, because
 * later notices added authorities and types this module should not refuse.
 *
 * Pure functions, no allocation, reentrant. Input must be exactly the 18
 * upper-case characters (callers fold case and strip spaces first if they
 * want to be lenient).
 */
#ifndef NQI_SUPERVISION_CREDIT_CODE_H
#define NQI_SUPERVISION_CREDIT_CODE_H

#include <stdbool.h>

#include "core/err.h"

#define CREDIT_CODE_LEN 18

/* The GB 32100 alphabet, in value order (which is also ASCII order). */
extern const char credit_code_charset[32];

/* Value 0..30 of a code character, -1 when it is not in the alphabet. */
int credit_code_char_value(char c);

/* The check character for the first 17 characters of code (code may be
 * longer; only 17 are read). Returns '\0' when one of them is outside the
 * alphabet. */
char credit_code_check_char(const char *code);

/* True when code is a well-formed unified social credit code (length,
 * alphabet, authority/type, six-digit division, check character). */
bool credit_code_valid(const char *code);

/* As credit_code_valid, but says what is wrong: returns 0, or NQI_EINVAL
 * with a field error on `field` (e.g. "pool/3/credit_code") whose message
 * names the problem ("check character should be 3, not 4", ...). */
int credit_code_validate(const char *code, const char *field, nqi_error *err);

#endif
