/*
 * export.c — a search result as a spreadsheet: .xlsx (libxlsxwriter, in
 * constant-memory mode, written to a temporary file and read back into the
 * response body) or CSV (UTF-8 with a BOM so Excel reads the Chinese).
 * The header uses the import's Chinese column names, so an exported file
 * can be edited and imported again.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <xlsxwriter.h>

#include "core/csv.h"
#include "core/util.h"
#include "standards/standards.h"

static const char *const cols[] = {"number",    "title_zh",       "title_en",     "status",
                                   "issued_on", "implemented_on", "withdrawn_on", "replaced_by",
                                   "ics",       "ccs",            "committee",    "tier",
                                   "nature"};
static const char *const heads[] = {"标准号",   "标准名称", "英文名称",   "状态",
                                    "发布日期", "实施日期", "废止日期",   "被代替标准",
                                    "ICS",      "CCS",      "归口单位",   "标准层级",
                                    "标准性质"};
#define NCOLS ((int)(sizeof cols / sizeof cols[0]))

/* Cell text of an item's column (malloc'd). */
static char *cell(json_t *item, int k)
{
    json_t *v = json_object_get(item, cols[k]);
    if (!strcmp(cols[k], "status"))
        return xstrdup(standards_status_zh(json_string_value(v)));
    if (json_is_array(v)) {
        buf b;
        buf_init(&b, 0);
        size_t i;
        json_t *e;
        json_array_foreach(v, i, e) buf_printf(&b, "%s%s", i ? "; " : "", json_string_value(e));
        return b.data ? buf_steal(&b) : xstrdup("");
    }
    return xstrdup(json_is_string(v) ? json_string_value(v) : "");
}

/* ---- CSV ---- */

static int csv_each(void *ctx, json_t *item)
{
    buf *b = ctx;
    for (int k = 0; k < NCOLS; k++) {
        char *s = cell(item, k);
        if (k)
            buf_puts(b, ",");
        csv_write_field(b, s);
        free(s);
    }
    buf_puts(b, "\r\n");
    return 0;
}

/* ---- xlsx ---- */

typedef struct xl {
    lxw_worksheet *ws;
    lxw_row_t row;
    int err;
} xl;

static int xl_each(void *ctx, json_t *item)
{
    xl *x = ctx;
    x->row++;
    for (int k = 0; k < NCOLS; k++) {
        char *s = cell(item, k);
        if (*s && worksheet_write_string(x->ws, x->row, (lxw_col_t)k, s, NULL) != LXW_NO_ERROR)
            x->err = 1;
        free(s);
    }
    return x->err;
}

static int export_xlsx(store_conn *c, const std_search *p, char **out, size_t *len,
                       nqi_error *err)
{
    const char *dir = getenv("TMPDIR");
    char *path = xasprintf("%s/nqi-export-XXXXXX", dir && *dir ? dir : "/tmp");
    int fd = mkstemp(path);
    if (fd < 0) {
        free(path);
        return nqi_error_set(err, NQI_EIO, "export: cannot create a temporary file");
    }
    close(fd);
    lxw_workbook_options opt = {.constant_memory = LXW_TRUE,
                                .tmpdir = (char *)(dir && *dir ? dir : "/tmp")};
    lxw_workbook *wb = workbook_new_opt(path, &opt);
    int rc = 0;
    if (!wb) {
        rc = nqi_error_set(err, NQI_EIO, "export: cannot create the workbook");
        goto out;
    }
    lxw_worksheet *ws = workbook_add_worksheet(wb, "标准");
    lxw_format *bold = workbook_add_format(wb);
    format_set_bold(bold);
    for (int k = 0; k < NCOLS; k++)
        worksheet_write_string(ws, 0, (lxw_col_t)k, heads[k], bold);
    worksheet_set_column(ws, 0, 0, 22, NULL);
    worksheet_set_column(ws, 1, 1, 48, NULL);
    worksheet_set_column(ws, 2, 2, 36, NULL);
    worksheet_set_column(ws, 3, 10, 14, NULL);
    worksheet_freeze_panes(ws, 1, 0);
    xl x = {ws, 0, 0};
    rc = standards_search_each(c, p, STD_EXPORT_MAX, xl_each, &x, err);
    if (!rc && x.err)
        rc = nqi_error_set(err, NQI_EIO, "export: writing the worksheet failed");
    lxw_error le = workbook_close(wb);
    if (!rc && le != LXW_NO_ERROR)
        rc = nqi_error_set(err, NQI_EIO, "export: %s", lxw_strerror(le));
    if (!rc)
        rc = file_read_all(path, 0, out, len) ? nqi_error_set(err, NQI_EIO, "export: read back")
                                              : 0;
out:
    unlink(path);
    free(path);
    return rc;
}

int standards_export(store_conn *c, const std_search *p, std_export_fmt fmt, char **out,
                     size_t *len, nqi_error *err)
{
    *out = NULL;
    *len = 0;
    if (fmt == STD_EXPORT_XLSX)
        return export_xlsx(c, p, out, len, err);
    buf b;
    buf_init(&b, 0);
    buf_puts(&b, "\xEF\xBB\xBF");
    for (int k = 0; k < NCOLS; k++)
        buf_printf(&b, "%s%s", k ? "," : "", heads[k]);
    buf_puts(&b, "\r\n");
    int rc = standards_search_each(c, p, STD_EXPORT_MAX, csv_each, &b, err);
    if (rc) {
        buf_free(&b);
        return rc;
    }
    *len = b.len;
    *out = buf_steal(&b);
    return 0;
}
