/*
 * sheet.c — tables of the trace module as files: CSV (UTF-8 with a BOM so
 * Excel reads the Chinese; formula-guarded by core/csv) and .xlsx
 * (libxlsxwriter, constant-memory mode, written to a temporary file and
 * read back): bold coloured header, frozen first row, an autofilter so the
 * sheet is sortable (what FSMA 204 asks of the spreadsheet).
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <xlsxwriter.h>

#include "core/csv.h"
#include "core/util.h"
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

static int csv_out(const char *const *heads, int ncols, const json_t *rows, char **out,
                   size_t *len)
{
    buf b;
    buf_init(&b, 0);
    buf_puts(&b, "\xEF\xBB\xBF");
    for (int k = 0; k < ncols; k++) {
        if (k)
            buf_puts(&b, ",");
        csv_write_field(&b, heads[k]);
    }
    buf_puts(&b, "\r\n");
    size_t i;
    const json_t *row;
    json_array_foreach(rows, i, row)
    {
        for (int k = 0; k < ncols; k++) {
            char *s = cell_text(json_array_get(row, (size_t)k));
            if (k)
                buf_puts(&b, ",");
            csv_write_field(&b, s);
            free(s);
        }
        buf_puts(&b, "\r\n");
    }
    *len = b.len;
    *out = buf_steal(&b);
    return 0;
}

/* One worksheet: header, rows, widths from the content, filter, frozen. */
static int add_sheet(lxw_workbook *wb, lxw_format *head, const char *title, const json_t *heads,
                     const json_t *rows)
{
    char name[32];
    snprintf(name, sizeof name, "%s", title);
    utf8_truncate(name, 31);
    lxw_worksheet *ws = workbook_add_worksheet(wb, name);
    if (!ws)
        return -1;
    size_t ncols = json_array_size(heads), i, k;
    const json_t *row, *v;
    double *width = xcalloc(ncols + 1, sizeof *width);
    json_array_foreach(heads, k, v)
    {
        width[k] = 4 + (double)strlen(json_string_value(v)) * 0.7;
        worksheet_write_string(ws, 0, (lxw_col_t)k, json_string_value(v), head);
    }
    json_array_foreach(rows, i, row)
    {
        json_array_foreach(row, k, v)
        {
            if (k >= ncols)
                break;
            if (json_is_number(v)) {
                worksheet_write_number(ws, (lxw_row_t)(i + 1), (lxw_col_t)k, json_number_value(v),
                                       NULL);
                continue;
            }
            char *s = cell_text(v);
            if (*s)
                worksheet_write_string(ws, (lxw_row_t)(i + 1), (lxw_col_t)k, s, NULL);
            double wl = 2 + (double)strlen(s) * 0.8;
            if (wl > width[k])
                width[k] = wl > 60 ? 60 : wl;
            free(s);
        }
    }
    for (k = 0; k < ncols; k++)
        worksheet_set_column(ws, (lxw_col_t)k, (lxw_col_t)k, width[k], NULL);
    free(width);
    if (ncols)
        worksheet_autofilter(ws, 0, 0, (lxw_row_t)json_array_size(rows), (lxw_col_t)(ncols - 1));
    worksheet_freeze_panes(ws, 1, 0);
    return 0;
}

int trace_workbook(const json_t *sheets, char **out, size_t *len, nqi_error *err)
{
    const char *dir = getenv("TMPDIR");
    if (!dir || !*dir)
        dir = "/tmp";
    char *path = xasprintf("%s/nqi-trace-XXXXXX", dir);
    int fd = mkstemp(path);
    if (fd < 0) {
        free(path);
        return nqi_error_set(err, NQI_EIO, "export: cannot create a temporary file");
    }
    close(fd);
    /* not constant-memory: the autofilter and column widths come after the rows */
    lxw_workbook_options opt = {.tmpdir = (char *)dir};
    lxw_workbook *wb = workbook_new_opt(path, &opt);
    int rc = 0;
    if (!wb) {
        rc = nqi_error_set(err, NQI_EIO, "export: cannot create the workbook");
        goto out;
    }
    lxw_format *head = workbook_add_format(wb);
    format_set_bold(head);
    format_set_bg_color(head, 0x4472C4);
    format_set_font_color(head, LXW_COLOR_WHITE);
    size_t i;
    const json_t *s;
    json_array_foreach(sheets, i, s)
    {
        if (add_sheet(wb, head, json_string_value(json_object_get(s, "title")),
                      json_object_get(s, "heads"), json_object_get(s, "rows")))
            rc = nqi_error_set(err, NQI_EIO, "export: cannot add a worksheet");
    }
    if (workbook_close(wb) != LXW_NO_ERROR && !rc)
        rc = nqi_error_set(err, NQI_EIO, "export: cannot write the workbook");
    if (!rc && file_read_all(path, 0, out, len))
        rc = nqi_error_set(err, NQI_EIO, "export: cannot read the workbook back");
out:
    unlink(path);
    free(path);
    return rc;
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
