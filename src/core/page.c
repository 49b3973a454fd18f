/* page.c — see page.h. */
#include "core/page.h"

#include <stdio.h>

int store_page_json(store_rows *r, int64_t limit, store_row_json_fn fn, void *ctx, json_t **out,
                    nqi_error *err)
{
    json_t *items = json_array();
    int64_t n = 0, last = 0;
    int more = 0, rc;
    *out = NULL;
    while ((rc = store_next(r)) == 1) {
        if (n == limit) {
            more = 1;
            break;
        }
        last = store_int(r, 0);
        json_t *item = fn(r, ctx);
        if (!item) {
            rc = nqi_error_set(err, NQI_EINTERNAL, "row %lld cannot be rendered as JSON",
                               (long long)last);
            break;
        }
        json_array_append_new(items, item);
        n++;
    }
    if (rc < 0 && !err->code)
        rc = store_rows_error(r, err);
    store_rows_close(r);
    if (rc < 0) {
        json_decref(items);
        return rc;
    }
    char cursor[24];
    snprintf(cursor, sizeof cursor, "%lld", (long long)last);
    *out = json_pack("{s:o, s:o}", "items", items, "next_cursor",
                     more ? json_string(cursor) : json_null());
    return 0;
}
