/*
 * inspection_xlsx.c — a list as an .xlsx sheet (libxlsxwriter): a bold,
 * frozen header row and one row per JSON array of cells. Used by the task
 * and sample exports; the workbook is written to a temporary file (the
 * library writes files) and read back.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <xlsxwriter.h>

#include "core/util.h"
#include "supervision/inspection.h"

static void put(lxw_worksheet *ws, lxw_row_t row, lxw_col_t col, const json_t *v)
{
    if (json_is_string(v))
        worksheet_write_string(ws, row, col, json_string_value(v), NULL);
    else if (json_is_integer(v))
        worksheet_write_number(ws, row, col, (double)json_integer_value(v), NULL);
    else if (json_is_boolean(v))
        worksheet_write_string(ws, row, col, json_is_true(v) ? "是" : "否", NULL);
}

int insp_xlsx(const char *sheet, const char *const *heads, size_t ncols, const json_t *rows,
              char **out, size_t *len, nqi_error *err)
{
    *out = NULL;
    *len = 0;
    const char *dir = getenv("TMPDIR");
    if (!dir || !*dir)
        dir = "/tmp";
    char *path = xasprintf("%s/nqi-export-XXXXXX", dir);
    int fd = mkstemp(path);
    if (fd < 0) {
        free(path);
        return nqi_error_set(err, NQI_EIO, "export: cannot create a temporary file");
    }
    close(fd);
    lxw_workbook_options opt = {.constant_memory = LXW_TRUE, .tmpdir = (char *)dir};
    lxw_workbook *wb = workbook_new_opt(path, &opt);
    int rc = 0;
    if (!wb) {
        rc = nqi_error_set(err, NQI_EIO, "export: cannot create the workbook");
        goto out;
    }
    lxw_worksheet *ws = workbook_add_worksheet(wb, sheet);
    lxw_format *bold = workbook_add_format(wb);
    format_set_bold(bold);
    for (size_t k = 0; k < ncols; k++)
        worksheet_write_string(ws, 0, (lxw_col_t)k, heads[k], bold);
    worksheet_set_column(ws, 0, (lxw_col_t)(ncols ? ncols - 1 : 0), 16, NULL);
    worksheet_freeze_panes(ws, 1, 0);
    for (size_t i = 0; i < json_array_size(rows); i++) {
        const json_t *row = json_array_get(rows, i);
        for (size_t k = 0; k < ncols && k < json_array_size(row); k++)
            put(ws, (lxw_row_t)(i + 1), (lxw_col_t)k, json_array_get(row, k));
    }
    lxw_error le = workbook_close(wb);
    if (le != LXW_NO_ERROR)
        rc = nqi_error_set(err, NQI_EIO, "export: %s", lxw_strerror(le));
    if (!rc && file_read_all(path, 0, out, len))
        rc = nqi_error_set(err, NQI_EIO, "export: read back");
out:
    unlink(path);
    free(path);
    return rc;
}
