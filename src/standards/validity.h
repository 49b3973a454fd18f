/*
 * validity.h — validity confirmation (标准有效性确认): check a list of
 * standard references against the catalogue as of a date, store the result
 * as a public record, export it. See docs/modules/validity.md and the
 * "Validity confirmation" section of docs/modules/standards-api-contract.md.
 *
 * Ownership: inputs are borrowed for the call. Outputs are owned by the
 * caller: json_t with json_decref, validity_lines with validity_lines_free,
 * byte buffers (char **out) with free.
 *
 * A report is JSON (the same document for the API, the CLI, the store and
 * the export):
 *   {"as_of", "summary": {in_force, upcoming, withdrawn, replaced,
 *    not_found, unparsed}, "items": [item...]}
 *   item = {line, input, recognised, number, title_zh, status, current,
 *           partial, partial_by, prefix_changed, candidates, error}
 * status is one of the summary keys. The result hash stored with a report
 * is SHA-256 (hex) of json_dumps(items, JSON_COMPACT | JSON_SORT_KEYS).
 */
#ifndef NQI_VALIDITY_H
#define NQI_VALIDITY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "core/app.h"
#include "core/err.h"
#include "core/http.h"
#include "core/store.h"

#define VALIDITY_MAX_LINES 100000
#define VALIDITY_BODY_LIMIT ((size_t)16 * 1024 * 1024)
#define VALIDITY_LINE_MAX 1000 /* bytes of a line kept and parsed; longer: error */
#define VALIDITY_CANDIDATES 5

extern const nqi_module validity_module;

/* ------------------------------------------------------------- input */

/* Input lines with their 1-based line numbers. Blank lines are not
 * entries (they are skipped) but they are counted: `line` is the line
 * number in the submitted text, so it matches what the user sees in the
 * file. `total` is the number of lines the input had, blank ones included
 * (the 100,000 limit applies to it). */
typedef struct validity_lines {
    size_t n, total;
    char **text; /* trimmed, NUL-terminated, malloc'd */
    size_t *line;
} validity_lines;

void validity_lines_free(validity_lines *v);

/* Split a text body (UTF-8 or GB18030, detected; a BOM is dropped) into
 * lines (\n, \r\n or \r). A final line break does not start a line.
 * NQI_EINVAL (field "body") when it decodes as neither encoding;
 * NQI_ETOOBIG (field "lines") past VALIDITY_MAX_LINES. */
int validity_lines_from_text(const char *data, size_t len, validity_lines *out,
                             nqi_error *err);

/* From a JSON array of strings (the "lines" field): element i is line
 * i + 1. NQI_EINVAL naming "lines" or "lines/<i>" for a non-array or a
 * non-string element; NQI_ETOOBIG (field "lines") past the limit. */
int validity_lines_from_json(const json_t *lines, validity_lines *out, nqi_error *err);

/* ------------------------------------------------------------- check */

/* Check every line as of as_of ('YYYY-MM-DD'; NULL or "" = today) in one
 * read transaction (or the caller's transaction when one is open). *out =
 * {"as_of", "summary", "items"} as above. Unparseable lines become items
 * with status "unparsed" and an error; they never fail the batch. Fails
 * only on store errors. */
int validity_check_batch(store_conn *c, const validity_lines *lines, const char *as_of,
                         json_t **out, nqi_error *err);

/* The answer of POST /api/v1/validity/check as JSON text (*out malloc'd,
 * *len bytes): the same check as validity_check_batch, written directly
 * rather than built as a jansson tree, with the unstored report's fields
 * appended: {"as_of", "summary", "items", "id": null, "created_at",
 * "line_count": lines->n, "publog_index": null, "verify_url": null}. Keys
 * and values are those of json_dumps(report, JSON_COMPACT) of the batch's
 * report with the same fields added, byte for byte. */
int validity_check_json(store_conn *c, const validity_lines *lines, const char *as_of,
                        const char *created_at, char **out, size_t *len, nqi_error *err);

/* SHA-256 hex (out: 65 bytes) of the canonical form of items. */
void validity_result_hash(const json_t *items, char out[65]);

/* ------------------------------------------------------------- reports */

/* Store a checked report (from validity_check_batch; borrowed) as a public
 * record, all or nothing in one write transaction: the row, the Merkle-log
 * leaf (kind "validity.report", record {uid, as_of, created_at, line_count,
 * summary, result_hash}) and an audit record. On success *out is the report
 * as GET /api/v1/validity/{uid} serves it. */
int validity_report_store(store_conn *c, const http_principal *actor, const json_t *report,
                          size_t line_count, json_t **out, nqi_error *err);

/* A stored report: {id, as_of, created_at, line_count, summary, items,
 * result_hash, publog_index, verify_url, proof}. NQI_ENOTFOUND when absent. */
int validity_report_get(store_conn *c, const char *uid, json_t **out, nqi_error *err);

/* Is s a well-formed report uid (VALIDITY_UID_LEN chars of [a-z2-7])? */
#define VALIDITY_UID_LEN 24
bool validity_uid_valid(const char *s);

/* ------------------------------------------------------------- export */

typedef enum validity_fmt { VALIDITY_XLSX = 1, VALIDITY_CSV } validity_fmt;

/* A report (as from validity_report_get, or an unstored check with id
 * null) as a file: .xlsx with a header block (title, check date, as-of
 * date, report id, verification link + its QR code, summary) and one
 * coloured row per line; or CSV (UTF-8 with BOM). verify_link is the
 * absolute verification URL (may be NULL: no link, no QR code). */
int validity_export(const json_t *report, const char *verify_link, validity_fmt fmt,
                    char **out, size_t *len, nqi_error *err);

/* The Chinese remark for an item ("已被 GB/T 19580-2012 代替", ...),
 * malloc'd. Used by the export and the CLI table. */
char *validity_item_remark(const json_t *item);

/* An item's status in Chinese: the catalogue statuses (standards_status_zh)
 * plus 未找到 (not_found) and 无法识别 (unparsed). */
const char *validity_status_zh(const char *status);

/* ------------------------------------------------------------- http */

void validity_routes(http_server *s);

#endif
