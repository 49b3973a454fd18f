/*
 * internal.h — shared by the files of src/standards/ (catalog, search,
 * import, export, http) and tests/unit/test_standards.c; not for other
 * modules (they use standards.h).
 */
#ifndef NQI_STANDARDS_INTERNAL_H
#define NQI_STANDARDS_INTERNAL_H

#include "core/store.h"
#include "standards/number.h"
#include "standards/standards.h"

/* Status as of a date for row alias `s` of standards; binds the date three
 * times (the same rule as standards_status_derive). */
#define STD_STATUS_SQL                                                                       \
    "(CASE WHEN s.ends_on IS NOT NULL AND s.ends_on <= ? THEN "                              \
    "(CASE WHEN s.replaced_from IS NOT NULL AND s.replaced_from <= ? THEN 'replaced' "       \
    "ELSE 'withdrawn' END) "                                                                 \
    "WHEN s.implemented_on IS NOT NULL AND s.implemented_on > ? THEN 'upcoming' "            \
    "WHEN s.ends_on IS NULL AND s.status IN ('withdrawn', 'replaced') THEN s.status "        \
    "WHEN s.implemented_on IS NULL AND s.status = 'upcoming' THEN 'upcoming' "               \
    "ELSE 'in_force' END)"

/* The catalogue number of an edition: key + year ("GB/T 19580-2012",
 * "CECS 28:2012"), without amendment, edition note or dual number; the key
 * alone when the reference has no year. */
void std_edition_number(const std_number *n, char out[160]);

/* Recompute ends_on / replaced_from for every row with replacement links
 * (after an import). */
int std_catalog_refresh_derived(store_conn *c, nqi_error *err);

/* Run `head (?, ?, …) tail` for the ids in lists of up to 128 (padded with
 * their last id, so each query keeps one statement text), binding pre
 * before and post after the list; row(r, ctx) for every row (non-zero
 * stops and is returned). For "all these ids at once" instead of one
 * query per id. */
int std_query_ids(store_conn *c, const char *head, const char *tail, const store_val *pre,
                  int npre, const int64_t *ids, size_t n, const store_val *post, int npost,
                  int (*row)(store_rows *r, void *ctx), void *ctx, nqi_error *err);

/* standards_current for ids[0..n) at once (same answers): out[i] (free
 * each with standards_record_free) and prefix_changed[i] (may be NULL).
 * The replacement graph is read a level at a time for all ids together. */
int std_current_many(store_conn *c, const int64_t *ids, size_t n, const char *as_of,
                     standards_record *out, bool *prefix_changed, nqi_error *err);

/* Bulk import (bulk.c): with at least std_bulk_min new rows (STD_BULK_MIN;
 * tests lower it), per-row index maintenance is suspended for the import's
 * transaction — SQLite's FTS5 insert trigger always, the secondary indexes
 * of `standards` when the catalogue holds fewer rows than the import adds —
 * and everything is rebuilt by std_bulk_end. Both run inside the caller's
 * write transaction; on failure the caller rolls back, which restores the
 * schema. std_bulk_end(c, b, rc, err) returns rc when rc is non-zero (and
 * frees b in any case). */
#define STD_BULK_MIN 20000
extern int64_t std_bulk_min;

typedef struct std_bulk {
    char *trigger_sql; /* SQLite FTS5 insert trigger while dropped */
    char **restore;    /* CREATE INDEX statements of the dropped indexes */
    size_t nrestore;
    int64_t max_id;    /* new rows have ids above it */
} std_bulk;

int std_bulk_begin(store_conn *c, int64_t new_rows, std_bulk *b, nqi_error *err);
int std_bulk_end(store_conn *c, std_bulk *b, int rc, nqi_error *err);

/* NQI_STD_TRACE=1 in the environment: print the time since the previous
 * call (and what) on stderr; "begin" starts the clock. For profiling
 * imports. */
void std_trace(const char *what);

/* Columns of the CSV/JSON import and the export, in export order. */
enum {
    SF_NUMBER, SF_TITLE_ZH, SF_TITLE_EN, SF_STATUS, SF_ISSUED_ON, SF_IMPLEMENTED_ON,
    SF_WITHDRAWN_ON, SF_REPLACES, SF_REPLACED_BY, SF_ICS, SF_CCS, SF_DEPARTMENT, SF_COMMITTEE,
    SF_ISSUER, SF_DRAFTERS, SF_ADOPTED, SF_ADOPTION_DEGREE, SF_SCOPE, SF_AMENDMENTS, SF_SOURCE,
    SF_COUNT
};
extern const char *const std_field_names[SF_COUNT];    /* "number", ... */
extern const char *const std_field_names_zh[SF_COUNT]; /* "标准号", ... (export header) */

/* The field for a header cell (English name or a Chinese alias, spaces and
 * case ignored), or -1. */
int std_field_from_header(const char *h);

#endif
