/*
 * export.c — a search result as a spreadsheet: .xlsx (core/xlsx, in
 * constant-memory mode) or CSV (UTF-8 with a BOM so Excel reads the
 * Chinese).
 * The header uses the import's Chinese column names, so an exported file
 * can be edited and imported again.
 */
#include <stdlib.h>
#include <string.h>

#include "core/csv.h"
#include "core/util.h"
#include "core/xlsx.h"
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

/* Cell text of an item's column (malloc'd); item is a json_t *. */
static char *cell(const void *item, size_t k)
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
    csv_write_record(ctx, item, NCOLS, cell);
    return 0;
}

/* ---- xlsx ---- */

typedef struct xl {
    xlsx_book *b;
    lxw_worksheet *ws;
    lxw_row_t row;
} xl;

static int xl_each(void *ctx, json_t *item)
{
    xl *x = ctx;
    x->row++;
    for (int k = 0; k < NCOLS; k++) {
        char *s = cell(item, k);
        xlsx_str(x->b, x->ws, x->row, (lxw_col_t)k, s, NULL);
        free(s);
    }
    return x->b->failure ? 1 : 0; /* stop at the first failed write */
}

static int export_xlsx(store_conn *c, const std_search *p, char **out, size_t *len,
                       nqi_error *err)
{
    static const double widths[NCOLS] = {22, 48, 36, 14, 14, 14, 14, 14, 14, 14, 14};
    xlsx_book b;
    int rc = xlsx_open(&b, true, err);
    if (rc)
        return rc;
    xl x = {&b, xlsx_sheet(&b, "标准"), 0};
    xlsx_head(&b, x.ws, 0, heads, NCOLS, xlsx_bold(&b));
    xlsx_widths(x.ws, widths, NCOLS);
    rc = standards_search_each(c, p, STD_EXPORT_MAX, xl_each, &x, err);
    if (rc && !b.failure) {
        xlsx_finish(&b, NULL, NULL, NULL);
        return rc;
    }
    return xlsx_finish(&b, out, len, err);
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
    csv_write_head(&b, heads, NCOLS);
    int rc = standards_search_each(c, p, STD_EXPORT_MAX, csv_each, &b, err);
    if (rc) {
        buf_free(&b);
        return rc;
    }
    *len = b.len;
    *out = buf_steal(&b);
    return 0;
}
