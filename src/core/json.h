/*
 * json.h — small helpers over jansson for request validation and output.
 * jansson's rule applies: json_object_set_new / json_array_append_new steal
 * the reference; the plain setters take a new one.
 */
#ifndef NQI_JSON_H
#define NQI_JSON_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/err.h"

/* Parse a request body: rejects duplicate keys, invalid UTF-8, trailing
 * garbage and an empty body with NQI_EBADREQ (field "body", line/column in
 * the message). When want_object, well-formed JSON that is not an object is
 * NQI_EINVAL (422: valid syntax, wrong content). */
int json_parse_body(const char *data, size_t len, bool want_object, json_t **out, nqi_error *err);

/* Reject keys not in allowed (NULL-terminated): NQI_EINVAL naming each. */
int json_check_fields(json_t *obj, const char *const allowed[], nqi_error *err);

/* Typed getters that record a field error: required (and, for strings,
 * not empty or blank) / optional string with
 * max length in characters (UTF-8 code points), integer, boolean. On a
 * missing optional value they leave *out untouched and return 0. */
int json_get_str(json_t *obj, const char *key, bool required, size_t maxchars,
                 const char **out, nqi_error *err);
int json_get_int(json_t *obj, const char *key, bool required, int64_t min, int64_t max,
                 int64_t *out, nqi_error *err);
int json_get_bool(json_t *obj, const char *key, bool required, bool *out, nqi_error *err);

/* Dump compactly (malloc'd, caller frees). */
char *json_dump_compact(const json_t *v);

size_t utf8_count(const char *s); /* code points in a valid UTF-8 string */

/* ---- Added by the JSON helpers. ---- */

/* True when s[0..n) is well-formed UTF-8 (no overlongs, no surrogates,
 * nothing past U+10FFFF). NUL bytes are allowed here; callers that care
 * check for them. */
bool utf8_valid(const char *s, size_t n);

#endif
