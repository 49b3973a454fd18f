/*
 * inspection_xlsx.c — a list as an .xlsx sheet (core/xlsx, constant-memory):
 * a bold, frozen header row and one row per JSON array of cells. Used by
 * the task and sample exports.
 */
#include <stdlib.h>

#include "core/util.h"
#include "core/xlsx.h"
#include "supervision/inspection.h"

int insp_xlsx(const char *sheet, const char *const *heads, size_t ncols, const json_t *rows,
              char **out, size_t *len, nqi_error *err)
{
    xlsx_book b;
    int rc = xlsx_open(&b, true, err);
    if (rc)
        return rc;
    lxw_worksheet *ws = xlsx_sheet(&b, sheet);
    xlsx_head(&b, ws, 0, heads, ncols, xlsx_bold(&b));
    double *widths = xcalloc(ncols + 1, sizeof *widths);
    for (size_t k = 0; k < ncols; k++)
        widths[k] = 16;
    xlsx_widths(ws, widths, ncols);
    free(widths);
    for (size_t i = 0; i < json_array_size(rows); i++)
        xlsx_row(&b, ws, (lxw_row_t)(i + 1), json_array_get(rows, i), ncols, NULL);
    return xlsx_finish(&b, out, len, err);
}
