/*
 * standards.h — the standards catalogue (标准查询): records, status as of a
 * date, edition chains, search, import and export. See
 * docs/modules/standards.md and docs/modules/standards-api-contract.md.
 *
 * Ownership (whole header): inputs are borrowed for the call; outputs are
 * owned by the caller — standards_record values are freed with
 * standards_record_free / standards_records_free, json_t outputs with
 * json_decref, report errors with standards_import_report_free.
 * Dates are calendar dates 'YYYY-MM-DD' (char[11]); an empty string or
 * NULL means "no date".
 *
 * Status values: "in_force" (现行), "upcoming" (即将实施), "withdrawn" (废止),
 * "replaced" (被代替). Derivation as of a date D (standards_status_derive;
 * the SQL expression in catalog.c is the same rule):
 *   end = withdrawn_on, else the implemented_on of a full (non-partial)
 *         replacement ('0000-00-00' when that replacement has no date)
 *   end <= D                 -> "replaced" if some replacing standard has
 *                               implemented_on <= D or none recorded,
 *                               else "withdrawn"
 *   implemented_on > D       -> "upcoming"
 *   no end, recorded status withdrawn/replaced  -> the recorded status
 *   no implemented_on, recorded "upcoming"      -> "upcoming"
 *   otherwise                -> "in_force"
 * So an explicitly imported status without dates is kept, and an upcoming
 * standard turns in force on its implementation day.
 */
#ifndef NQI_STANDARDS_H
#define NQI_STANDARDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "core/app.h"
#include "core/err.h"
#include "core/http.h"
#include "core/store.h"
#include "standards/number.h"

extern const nqi_module standards_module;

/* ---------------------------------------------------------------- dates */

/* Today's date in the server's local time zone, 'YYYY-MM-DD'. */
void standards_today(char out[11]);

/* Normalise a date written as '2012-08-01', '2012/8/1', '2012.8.1' or
 * '2012年8月1日' (surrounding spaces allowed) to 'YYYY-MM-DD'. Checks the
 * calendar (no 2013-02-29). 0, or NQI_EINVAL (nothing written). */
int standards_date_parse(const char *in, char out[11]);

/* ---------------------------------------------------------------- status */

/* The status rule above, in C. recorded: the stored status column;
 * ends_on / replaced_from: the derived columns (see catalog.c); any may be
 * NULL or "". Returns a static string. */
const char *standards_status_derive(const char *recorded, const char *implemented_on,
                                    const char *ends_on, const char *replaced_from,
                                    const char *as_of);

/* "in_force" <- "现行" / "in_force" / "in force" ...; NULL when unknown. */
const char *standards_status_from_text(const char *s);
/* "现行", "即将实施", "废止", "被代替" for a status value ("" when unknown). */
const char *standards_status_zh(const char *status);

/* ---------------------------------------------------------------- records */

/* One edition as the validity check needs it. */
typedef struct standards_record {
    int64_t id;
    char number[160];         /* canonical: "GB/T 19580-2012" */
    char std_key[80];         /* "GB/T 19580" */
    char prefix[32];          /* "GB/T" */
    char *title_zh;           /* malloc'd (standards_record_free) */
    char tier[16];            /* national|industry|local|group|enterprise|metrology|safety_spec */
    char nature[16];          /* mandatory|recommended|guidance|"" */
    char status[16];          /* as of the date the caller asked for */
    char issued_on[11];       /* "" when unknown */
    char implemented_on[11];
    char withdrawn_on[11];
} standards_record;

void standards_record_free(standards_record *r);           /* frees title_zh only */
void standards_records_free(standards_record *v, size_t n); /* each, then v */

/* The edition with this id, status as of as_of (NULL = today).
 * NQI_ENOTFOUND when absent. */
int standards_get(store_conn *c, int64_t id, const char *as_of, standards_record *out,
                  nqi_error *err);

/* The edition a parsed reference names (the validity check's lookup):
 *   with a year ("GB/T 19580-2004"): that edition, by canonical number;
 *   year-less ("GB/T 19580"): the current edition of n->key — the newest
 *   edition (by year) in force as of as_of, else the newest edition.
 * NQI_ENOTFOUND (field "number") when the catalogue has no such edition. */
int standards_lookup(store_conn *c, const std_number *n, const char *as_of,
                     standards_record *out, nqi_error *err);

/* The edition that is current for record id as of as_of: follow full
 * replacements forward (across prefix changes: GB/T -> GB) and newer
 * editions with the same std_key; pick the newest one in force as of
 * as_of; if none is in force, the newest one that is upcoming; if none,
 * the record itself. *prefix_changed (may be NULL) is set when the current
 * edition's prefix differs from the record's. */
int standards_current(store_conn *c, int64_t id, const char *as_of, standards_record *out,
                      bool *prefix_changed, nqi_error *err);

/* The edition chain of record id, oldest first (by issued_on, then year):
 * every edition linked to it by full replacements in either direction and
 * every edition sharing a std_key with one of them (at most 64). Includes
 * the record itself. *out is malloc'd (standards_records_free). */
int standards_chain(store_conn *c, int64_t id, const char *as_of, standards_record **out,
                    size_t *n, nqi_error *err);

/* Near misses for a reference the catalogue does not hold: editions with the
 * same std_key, or the same family (code + number with the nature dropped:
 * GB 1234 for GB/T 1234), newest first, at most max. */
int standards_candidates(store_conn *c, const std_number *n, int max, standards_record **out,
                         size_t *count, nqi_error *err);

/* The full record as served by GET /api/v1/standards/{number}: every
 * column, status (as of as_of), amendments, replaces, replaced_by, chain,
 * changes. number may be messy or year-less (current edition).
 * NQI_EINVAL (field "number") when unparseable, NQI_ENOTFOUND when absent. */
int standards_detail(store_conn *c, const char *number, const char *as_of, json_t **out,
                     nqi_error *err);

/* ---------------------------------------------------------------- search */

typedef enum std_sort {
    STD_SORT_DEFAULT = 0, /* relevance with q, number without */
    STD_SORT_RELEVANCE,
    STD_SORT_NUMBER,
    STD_SORT_ISSUED_DESC,
    STD_SORT_ISSUED,
    STD_SORT_IMPLEMENTED_DESC
} std_sort;

typedef struct std_search {
    const char *q;           /* number, words, pinyin, ICS or CCS; NULL = all */
    const char *tier, *status, *nature, *committee, *ics;
    char issued_from[11], issued_to[11];         /* "" = open */
    char implemented_from[11], implemented_to[11];
    char as_of[11];          /* status date; "" = today */
    std_sort sort;
    int64_t limit;           /* 1..200 for the API; export passes more */
    const char *cursor;      /* next_cursor of the previous page, or NULL */
    bool facets;             /* compute total and facets */
    int64_t bound;           /* full-text candidate bound; 0 = standards_search_bound() */
} std_search;

/* Full-text searches rank, count and facet at most this many matches (the
 * newest by id that pass the filters); beyond it total is a lower bound
 * ("total_exact": false). See the contract. */
#define STD_SEARCH_BOUND 1000
/* STD_SEARCH_BOUND, or the environment's NQI_SEARCH_BOUND when > 0. */
int64_t standards_search_bound(void);

/* Validate the query parameters of GET /api/v1/standards (and export)
 * into p (strings borrowed from get(name, ctx)); field errors name the
 * parameter. */
int standards_search_params(const char *(*get)(void *ctx, const char *name), void *ctx,
                            std_search *p, nqi_error *err);

/* Run a search: {items, next_cursor, total, facets} (see the contract). */
int standards_search(store_conn *c, const std_search *p, json_t **out, nqi_error *err);

/* Run a search and hand every item (borrowed JSON, same shape as in
 * items) to each, at most max rows, no paging. each returns 0 to go on. */
int standards_search_each(store_conn *c, const std_search *p, int64_t max,
                          int (*each)(void *ctx, json_t *item), void *ctx, nqi_error *err);

/* title_zh HTML-escaped with the terms of q marked <mark>…</mark> (malloc'd).
 * Same tokens as the full-text search (folding, bigrams, pinyin). */
char *standards_highlight(const char *title, const char *q);

/* ---------------------------------------------------------------- import */

typedef enum std_format { STD_FMT_CSV = 1, STD_FMT_JSON, STD_FMT_NDJSON } std_format;

typedef struct std_import_opts {
    bool dry_run;        /* validate and count; write nothing */
    const char *source;  /* recorded on each row and change ("import:<file>") */
} std_import_opts;

typedef struct std_import_error {
    int64_t row;         /* 1-based data row; 0 = the header / the whole file */
    char field[32];      /* English field name ("number"), or "columns"/"encoding" */
    char *message;       /* malloc'd */
} std_import_error;

typedef struct std_import_report {
    int64_t rows, inserted, updated, unchanged;
    size_t nerrors;
    std_import_error *errors; /* every rejected row (malloc'd) */
} std_import_report;

/* Import a catalogue file, all or nothing. Runs in the caller's write
 * transaction when one is open (demo data), else in its own. Writes one
 * audit record ("standards.import", after = the counts). On rejected rows
 * returns NQI_EINVAL with rep->errors filled and nothing written. */
int standards_import(store_conn *c, const http_principal *actor, const char *data, size_t len,
                     std_format fmt, const std_import_opts *opts, std_import_report *rep,
                     nqi_error *err);
void standards_import_report_free(std_import_report *rep);

/* Decode a text file that is UTF-8 or GB18030 (detected: valid UTF-8 is
 * taken as is, otherwise converted from GB18030); a UTF-8 BOM is dropped.
 * *out is malloc'd (NUL-terminated). On failure NQI_EINVAL and *bad_off
 * (may be NULL) gets the byte offset of the first undecodable sequence. */
int standards_decode_text(const char *in, size_t len, char **out, size_t *outlen,
                          size_t *bad_off, nqi_error *err);

/* ---------------------------------------------------------------- export */

typedef enum std_export_fmt { STD_EXPORT_XLSX = 1, STD_EXPORT_CSV } std_export_fmt;
#define STD_EXPORT_MAX 100000

/* The search result (no paging, at most STD_EXPORT_MAX rows) as a file:
 * *out malloc'd, *len its size. CSV is UTF-8 with a BOM (Excel). */
int standards_export(store_conn *c, const std_search *p, std_export_fmt fmt, char **out,
                     size_t *len, nqi_error *err);

/* ---------------------------------------------------------------- module */

void standards_routes(http_server *s);
int standards_demo(nqi_app *app, store_conn *c, nqi_error *err);

#endif
