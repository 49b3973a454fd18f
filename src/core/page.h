/*
 * page.h — the list convention {items, next_cursor} over a keyset query,
 * in one place. The query must select the keyset id as column 0 and ask for
 * LIMIT limit + 1 rows: the extra row only tells that there is a next page.
 *
 * Ownership: store_page_json consumes (closes) the rows; *out is a new
 * reference. A row that cannot be rendered (fn returns NULL) fails the
 * whole page with NQI_EINTERNAL naming the row: a list never silently
 * leaves a record out.
 */
#ifndef NQI_PAGE_H
#define NQI_PAGE_H

#include <jansson.h>
#include <stdint.h>

#include "core/err.h"
#include "core/store.h"

/* Render the current row as a new JSON value (or NULL on failure). */
typedef json_t *(*store_row_json_fn)(store_rows *r, void *ctx);

/* next_cursor is the last returned row's id as a string, or null. */
int store_page_json(store_rows *r, int64_t limit, store_row_json_fn fn, void *ctx, json_t **out,
                    nqi_error *err);

#endif
