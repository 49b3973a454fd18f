/*
 * xlsx.c — export workbooks through a temporary file (see xlsx.h).
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/util.h"
#include "core/xlsx.h"

int xlsx_open(xlsx_book *b, bool constant_memory, nqi_error *err)
{
    memset(b, 0, sizeof *b);
    const char *dir = getenv("TMPDIR");
    if (!dir || !*dir)
        dir = "/tmp";
    b->path = xasprintf("%s/nqi-export-XXXXXX", dir);
    int fd = mkstemp(b->path);
    if (fd < 0) {
        free(b->path);
        b->path = NULL;
        return nqi_error_set(err, NQI_EIO, "export: cannot create a temporary file");
    }
    close(fd);
    /* the library's own temporary files (constant-memory rows) go there too */
    lxw_workbook_options opt = {.constant_memory = constant_memory ? LXW_TRUE : LXW_FALSE,
                                .tmpdir = (char *)dir};
    b->wb = workbook_new_opt(b->path, &opt);
    if (!b->wb) {
        unlink(b->path);
        free(b->path);
        b->path = NULL;
        return nqi_error_set(err, NQI_EIO, "export: cannot create the workbook");
    }
    return 0;
}

static void failed(xlsx_book *b, const char *why)
{
    if (!b->failure)
        b->failure = why;
}

void xlsx_check(xlsx_book *b, lxw_error e)
{
    if (e != LXW_NO_ERROR)
        failed(b, lxw_strerror(e));
}

lxw_worksheet *xlsx_sheet(xlsx_book *b, const char *name)
{
    char cut[32];
    snprintf(cut, sizeof cut, "%s", name);
    utf8_truncate(cut, 31);
    lxw_worksheet *ws = workbook_add_worksheet(b->wb, cut);
    if (!ws)
        failed(b, "cannot add a worksheet");
    return ws;
}

lxw_format *xlsx_bold(xlsx_book *b)
{
    if (!b->bold) {
        b->bold = workbook_add_format(b->wb);
        format_set_bold(b->bold);
    }
    return b->bold;
}

lxw_format *xlsx_banner(xlsx_book *b)
{
    if (!b->banner) {
        b->banner = workbook_add_format(b->wb);
        format_set_bold(b->banner);
        format_set_bg_color(b->banner, 0x4472C4);
        format_set_font_color(b->banner, LXW_COLOR_WHITE);
    }
    return b->banner;
}

void xlsx_head(xlsx_book *b, lxw_worksheet *ws, lxw_row_t row, const char *const *heads, size_t n,
               lxw_format *f)
{
    if (!ws)
        return;
    for (size_t k = 0; k < n; k++)
        xlsx_str(b, ws, row, (lxw_col_t)k, heads[k], f);
    worksheet_freeze_panes(ws, row + 1, 0);
}

void xlsx_widths(lxw_worksheet *ws, const double *widths, size_t n)
{
    if (!ws)
        return;
    for (size_t k = 0, end; k < n; k = end) {
        for (end = k + 1; end < n && widths[end] == widths[k]; end++)
            ;
        if (widths[k] > 0)
            worksheet_set_column(ws, (lxw_col_t)k, (lxw_col_t)(end - 1), widths[k], NULL);
    }
}

void xlsx_str(xlsx_book *b, lxw_worksheet *ws, lxw_row_t r, lxw_col_t c, const char *s,
              lxw_format *f)
{
    if (!ws)
        return;
    if (s && *s)
        xlsx_check(b, worksheet_write_string(ws, r, c, s, f));
    else if (f)
        xlsx_check(b, worksheet_write_blank(ws, r, c, f));
}

void xlsx_json(xlsx_book *b, lxw_worksheet *ws, lxw_row_t r, lxw_col_t c, const json_t *v,
               lxw_format *f)
{
    if (!ws)
        return;
    if (json_is_number(v))
        xlsx_check(b, worksheet_write_number(ws, r, c, json_number_value(v), f));
    else if (json_is_boolean(v))
        xlsx_str(b, ws, r, c, json_is_true(v) ? "是" : "否", f);
    else
        xlsx_str(b, ws, r, c, json_string_value(v), f); /* NULL unless a string */
}

void xlsx_row(xlsx_book *b, lxw_worksheet *ws, lxw_row_t r, const json_t *cells, size_t ncols,
              lxw_format *f)
{
    for (size_t k = 0; k < ncols && k < json_array_size(cells); k++)
        xlsx_json(b, ws, r, (lxw_col_t)k, json_array_get(cells, k), f);
}

int xlsx_finish(xlsx_book *b, char **out, size_t *len, nqi_error *err)
{
    int rc = 0;
    if (out) {
        *out = NULL;
        *len = 0;
    }
    lxw_error le = workbook_close(b->wb);
    if (out && b->failure)
        rc = nqi_error_set(err, NQI_EIO, "export: %s", b->failure);
    else if (out && le != LXW_NO_ERROR)
        rc = nqi_error_set(err, NQI_EIO, "export: %s", lxw_strerror(le));
    else if (out && file_read_all(b->path, 0, out, len))
        rc = nqi_error_set(err, NQI_EIO, "export: cannot read the workbook back");
    unlink(b->path);
    free(b->path);
    memset(b, 0, sizeof *b);
    return rc;
}
