/*
 * sheet.c — tables of the trace module as files: CSV (UTF-8 with a BOM so
 * Excel reads the Chinese; formula-guarded by core/csv) and .xlsx
 * (core/xlsx): bold coloured header, frozen first row, column widths from
 * the content, an autofilter so the sheet is sortable (what FSMA 204 asks
 * of the spreadsheet).
 */
#include <stdlib.h>
#include <string.h>

#include "core/csv.h"
#include "core/util.h"
#include "core/xlsx.h"
#include "trace/query.h"

static char *cell_text(const json_t *v)
{
    if (json_is_string(v))
        return xstrdup(json_string_value(v));
    if (json_is_integer(v))
        return xasprintf("%lld", (long long)json_integer_value(v));
    if (json_is_real(v))
        return xasprintf("%g", json_real_value(v));
    if (json_is_true(v))
        return xstrdup("是");
    if (json_is_false(v))
        return xstrdup("否");
    return xstrdup("");
}

/* Cell k of a row (a JSON array) as CSV text. */
static char *row_cell(const void *row, size_t k)
{
    return cell_text(json_array_get(row, k));
}

static int csv_out(const char *const *heads, int ncols, const json_t *rows, char **out,
                   size_t *len)
{
    buf b;
    buf_init(&b, 0);
    csv_write_head(&b, heads, (size_t)ncols);
    size_t i;
    const json_t *row;
    json_array_foreach(rows, i, row) csv_write_record(&b, row, (size_t)ncols, row_cell);
    *len = b.len;
    *out = buf_steal(&b);
    return 0;
}

/* One worksheet: header, rows, widths from the content, filter, frozen. */
static void add_sheet(xlsx_book *b, const char *title, const json_t *heads, const json_t *rows)
{
    lxw_worksheet *ws = xlsx_sheet(b, title);
    if (!ws)
        return;
    size_t ncols = json_array_size(heads), i, k;
    const json_t *row, *v;
    double *width = xcalloc(ncols + 1, sizeof *width);
    json_array_foreach(heads, k, v) width[k] = 4 + (double)strlen(json_string_value(v)) * 0.7;
    xlsx_row(b, ws, 0, heads, ncols, xlsx_banner(b));
    json_array_foreach(rows, i, row)
    {
        xlsx_row(b, ws, (lxw_row_t)(i + 1), row, ncols, NULL);
        json_array_foreach(row, k, v)
        {
            if (k >= ncols)
                break;
            if (json_is_number(v))
                continue;
            char *s = cell_text(v);
            double wl = 2 + (double)strlen(s) * 0.8;
            if (wl > width[k])
                width[k] = wl > 60 ? 60 : wl;
            free(s);
        }
    }
    xlsx_widths(ws, width, ncols);
    free(width);
    if (ncols)
        worksheet_autofilter(ws, 0, 0, (lxw_row_t)json_array_size(rows), (lxw_col_t)(ncols - 1));
    worksheet_freeze_panes(ws, 1, 0);
}

int trace_workbook(const json_t *sheets, char **out, size_t *len, nqi_error *err)
{
    xlsx_book b;
    /* not constant-memory: the autofilter and column widths come after the rows */
    int rc = xlsx_open(&b, false, err);
    if (rc)
        return rc;
    size_t i;
    const json_t *s;
    json_array_foreach(sheets, i, s)
    {
        add_sheet(&b, json_string_value(json_object_get(s, "title")), json_object_get(s, "heads"),
                  json_object_get(s, "rows"));
    }
    return xlsx_finish(&b, out, len, err);
}

int trace_sheet(const char *title, const char *const *heads, int ncols, const json_t *rows,
                const char *format, char **out, size_t *len, nqi_error *err)
{
    if (!strcmp(format, "csv"))
        return csv_out(heads, ncols, rows, out, len);
    json_t *h = json_array();
    for (int k = 0; k < ncols; k++)
        json_array_append_new(h, json_string(heads[k]));
    json_t *sheets = json_pack("[{s:s, s:o, s:O}]", "title", title, "heads", h, "rows", rows);
    int rc = trace_workbook(sheets, out, len, err);
    json_decref(sheets);
    return rc;
}
