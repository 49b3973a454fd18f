/*
 * credit_export.c — a credit list (abnormal, serious, penalties, repairs) as
 * .xlsx: libxlsxwriter in constant-memory mode into a temporary file, read
 * back into the response body (as standards/export.c does). Columns are
 * picked from the list's JSON items by key, with Chinese headers.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <xlsxwriter.h>

#include "core/util.h"
#include "supervision/credit_impl.h"

int credit_xlsx(const char *sheet, const credit_col *cols, int ncols, json_t *items, char **out,
                size_t *len, nqi_error *err)
{
    const char *dir = getenv("TMPDIR");
    if (!dir || !*dir)
        dir = "/tmp";
    char *path = xasprintf("%s/nqi-credit-XXXXXX", dir);
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
    for (int k = 0; k < ncols; k++) {
        worksheet_write_string(ws, 0, (lxw_col_t)k, cols[k].header, bold);
        worksheet_set_column(ws, (lxw_col_t)k, (lxw_col_t)k, k == 0 ? 8 : 22, NULL);
    }
    worksheet_freeze_panes(ws, 1, 0);
    size_t i;
    json_t *it;
    json_array_foreach(items, i, it)
    {
        for (int k = 0; k < ncols; k++) {
            json_t *v = json_object_get(it, cols[k].key);
            lxw_error e = LXW_NO_ERROR;
            if (json_is_integer(v))
                e = worksheet_write_number(ws, (lxw_row_t)(i + 1), (lxw_col_t)k,
                                           (double)json_integer_value(v), NULL);
            else if (json_is_string(v) && *json_string_value(v))
                e = worksheet_write_string(ws, (lxw_row_t)(i + 1), (lxw_col_t)k,
                                           json_string_value(v), NULL);
            else if (json_is_boolean(v))
                e = worksheet_write_string(ws, (lxw_row_t)(i + 1), (lxw_col_t)k,
                                           json_is_true(v) ? "是" : "否", NULL);
            if (e != LXW_NO_ERROR && !rc)
                rc = nqi_error_set(err, NQI_EIO, "export: %s", lxw_strerror(e));
        }
    }
    lxw_error le = workbook_close(wb);
    if (!rc && le != LXW_NO_ERROR)
        rc = nqi_error_set(err, NQI_EIO, "export: %s", lxw_strerror(le));
    if (!rc && file_read_all(path, 0, out, len))
        rc = nqi_error_set(err, NQI_EIO, "export: read back");
out:
    unlink(path);
    free(path);
    return rc;
}
