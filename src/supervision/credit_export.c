/*
 * credit_export.c — a credit list (abnormal, serious, penalties, repairs) as
 * .xlsx (core/xlsx, constant-memory). Columns are picked from the list's
 * JSON items by key, with Chinese headers.
 */
#include <stdlib.h>

#include "core/xlsx.h"
#include "supervision/credit_impl.h"

int credit_xlsx(const char *sheet, const credit_col *cols, int ncols, json_t *items, char **out,
                size_t *len, nqi_error *err)
{
    xlsx_book b;
    int rc = xlsx_open(&b, true, err);
    if (rc)
        return rc;
    lxw_worksheet *ws = xlsx_sheet(&b, sheet);
    const char **heads = xcalloc((size_t)ncols + 1, sizeof *heads);
    double *widths = xcalloc((size_t)ncols + 1, sizeof *widths);
    for (int k = 0; k < ncols; k++) {
        heads[k] = cols[k].header;
        widths[k] = k == 0 ? 8 : 22; /* the first column is the list's 序号 */
    }
    xlsx_head(&b, ws, 0, heads, (size_t)ncols, xlsx_bold(&b));
    xlsx_widths(ws, widths, (size_t)ncols);
    free(heads);
    free(widths);
    size_t i;
    json_t *it;
    json_array_foreach(items, i, it)
    {
        for (int k = 0; k < ncols; k++)
            xlsx_json(&b, ws, (lxw_row_t)(i + 1), (lxw_col_t)k, json_object_get(it, cols[k].key),
                      NULL);
    }
    return xlsx_finish(&b, out, len, err);
}
