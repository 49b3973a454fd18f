/*
 * validity_xlsx.c — a validity report as a file: .xlsx (core/xlsx,
 * constant-memory mode) with a header block and a QR code of the
 * verification link (libqrencode, rendered as PNG by core/qr), or CSV
 * (UTF-8 with a BOM so Excel reads the Chinese).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/csv.h"
#include "core/qr.h"
#include "core/util.h"
#include "core/xlsx.h"
#include "standards/standards.h"
#include "standards/validity.h"

#define QR_SCALE 4 /* pixels per module */
#define QR_QUIET 4 /* modules of white border */

/* A PNG of the QR code of text (malloc'd), or NULL: the report still
 * exports without its QR code if encoding fails. */
static unsigned char *qr_link_png(const char *text, size_t *len)
{
    unsigned char *png = NULL;
    nqi_error err = {0};
    return qr_png(text, QR_SCALE, QR_QUIET, &png, len, &err) ? NULL : png;
}

/* ------------------------------------------------------------- cells */

static const char *const heads[] = {"行号",     "原始输入", "标准号", "标准名称",
                                    "状态",     "现行版本", "现行版本名称", "说明"};
#define NCOLS 8

static const char *sget(const json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));
    return s ? s : "";
}

/* Cell k of an item (malloc'd); item is a json_t *. */
static char *cell(const void *item, size_t k)
{
    const json_t *cur = json_object_get(item, "current");
    switch (k) {
    case 0:
        return xasprintf("%lld", (long long)json_integer_value(json_object_get(item, "line")));
    case 1:
        return xstrdup(sget(item, "input"));
    case 2:
        return xstrdup(sget(item, "number"));
    case 3:
        return xstrdup(sget(item, "title_zh"));
    case 4:
        return xstrdup(validity_status_zh(sget(item, "status")));
    case 5:
        return xstrdup(json_is_object(cur) ? sget(cur, "number") : "");
    case 6:
        return xstrdup(json_is_object(cur) ? sget(cur, "title_zh") : "");
    default:
        return validity_item_remark(item);
    }
}

static json_int_t summary_n(const json_t *report, const char *k)
{
    return json_integer_value(json_object_get(json_object_get(report, "summary"), k));
}

static char *summary_text(const json_t *report)
{
    return xasprintf("共 %zu 条：现行 %lld，即将实施 %lld，废止 %lld，被代替 %lld，未找到 %lld，"
                     "无法识别 %lld",
                     json_array_size(json_object_get(report, "items")),
                     (long long)summary_n(report, "in_force"),
                     (long long)summary_n(report, "upcoming"),
                     (long long)summary_n(report, "withdrawn"),
                     (long long)summary_n(report, "replaced"),
                     (long long)summary_n(report, "not_found"),
                     (long long)summary_n(report, "unparsed"));
}

/* ------------------------------------------------------------- CSV */

static int export_csv(const json_t *report, char **out, size_t *len)
{
    buf b;
    buf_init(&b, 0);
    csv_write_head(&b, heads, NCOLS);
    size_t i;
    const json_t *item;
    json_array_foreach(json_object_get(report, "items"), i, item)
        csv_write_record(&b, item, NCOLS, cell);
    *len = b.len;
    *out = buf_steal(&b);
    return 0;
}

/* ------------------------------------------------------------- xlsx */

static const struct {
    const char *status;
    uint32_t colour;
} fills[] = {
    {"in_force", 0xC6EFCE},  /* green */
    {"upcoming", 0xDDEBF7},  /* blue */
    {"replaced", 0xFFEB9C},  /* amber */
    {"withdrawn", 0xFFC7CE}, /* red */
    {"not_found", 0xEDEDED}, /* grey */
    {"unparsed", 0xD9D9D9},  /* darker grey */
};
#define NFILLS (sizeof fills / sizeof fills[0])

typedef struct sheet {
    xlsx_book b;
    lxw_worksheet *ws;
    lxw_format *title, *label, *head, *fill[NFILLS], *link;
} sheet;

static void put(sheet *s, lxw_row_t r, lxw_col_t c, const char *v, lxw_format *f)
{
    xlsx_str(&s->b, s->ws, r, c, v, f);
}

static void formats(sheet *s)
{
    lxw_workbook *wb = s->b.wb;
    s->title = workbook_add_format(wb);
    format_set_bold(s->title);
    format_set_font_size(s->title, 16);
    s->label = xlsx_bold(&s->b);
    /* the header is core/xlsx's banner with a border: a format of its own */
    s->head = workbook_add_format(wb);
    format_set_bold(s->head);
    format_set_bg_color(s->head, 0x4472C4);
    format_set_font_color(s->head, LXW_COLOR_WHITE);
    format_set_border(s->head, LXW_BORDER_THIN);
    s->link = workbook_add_format(wb);
    format_set_underline(s->link, LXW_UNDERLINE_SINGLE);
    format_set_font_color(s->link, LXW_COLOR_BLUE);
    for (size_t i = 0; i < NFILLS; i++) {
        s->fill[i] = workbook_add_format(wb);
        format_set_bg_color(s->fill[i], fills[i].colour);
        format_set_border(s->fill[i], LXW_BORDER_THIN);
        format_set_border_color(s->fill[i], 0xBFBFBF);
    }
}

static lxw_format *fill_of(sheet *s, const char *status)
{
    for (size_t i = 0; i < NFILLS; i++)
        if (!strcmp(status, fills[i].status))
            return s->fill[i];
    return NULL;
}

/* Rows 0..8: title, dates, id, link, hash, summary; QR code at the right. */
static lxw_row_t header_block(sheet *s, const json_t *report, const char *link,
                              unsigned char *png, size_t pnglen)
{
    char today[11];
    standards_today(today);
    const char *created = sget(report, "created_at");
    char checked[11];
    snprintf(checked, sizeof checked, "%.10s", *created ? created : today);
    const char *id = json_string_value(json_object_get(report, "id"));
    put(s, 0, 0, "标准有效性确认报告", s->title);
    worksheet_set_row(s->ws, 0, 28, NULL);
    put(s, 2, 0, "确认日期", s->label);
    put(s, 2, 1, checked, NULL);
    put(s, 3, 0, "有效性基准日", s->label);
    put(s, 3, 1, sget(report, "as_of"), NULL);
    put(s, 4, 0, "报告编号", s->label);
    put(s, 4, 1, id ? id : "（未保存的查询，无编号）", NULL);
    put(s, 5, 0, "验证链接", s->label);
    if (link && *link) {
        if (worksheet_write_url(s->ws, 5, 1, link, s->link) != LXW_NO_ERROR)
            put(s, 5, 1, link, NULL);
    } else {
        put(s, 5, 1, "（未保存的查询不可验证）", NULL);
    }
    put(s, 6, 0, "结果哈希(SHA-256)", s->label);
    put(s, 6, 1, sget(report, "result_hash"), NULL);
    put(s, 7, 0, "统计", s->label);
    char *sum = summary_text(report);
    put(s, 7, 1, sum, NULL);
    free(sum);
    if (png) {
        lxw_image_options io = {.x_offset = 4, .y_offset = 4, .x_scale = 0.6, .y_scale = 0.6};
        xlsx_check(&s->b, worksheet_insert_image_buffer_opt(s->ws, 1, 5, png, pnglen, &io));
    }
    return 10; /* the table's header row */
}

static int export_xlsx(const json_t *report, const char *link, char **out, size_t *len,
                       nqi_error *err)
{
    sheet s = {0};
    int rc = xlsx_open(&s.b, true, err);
    if (rc)
        return rc;
    size_t pnglen = 0;
    unsigned char *png = link && *link ? qr_link_png(link, &pnglen) : NULL;
    s.ws = xlsx_sheet(&s.b, "有效性确认");
    formats(&s);
    static const double widths[NCOLS] = {6, 30, 20, 36, 10, 20, 36, 44};
    xlsx_widths(s.ws, widths, NCOLS);
    lxw_row_t row = header_block(&s, report, link, png, pnglen);
    xlsx_head(&s.b, s.ws, row, heads, NCOLS, s.head);
    size_t i;
    const json_t *item;
    json_array_foreach(json_object_get(report, "items"), i, item)
    {
        row++;
        lxw_format *f = fill_of(&s, sget(item, "status"));
        xlsx_json(&s.b, s.ws, row, 0, json_object_get(item, "line"), f);
        for (int k = 1; k < NCOLS; k++) {
            char *v = cell(item, k);
            put(&s, row, (lxw_col_t)k, v, f);
            free(v);
        }
    }
    rc = xlsx_finish(&s.b, out, len, err);
    free(png);
    return rc;
}

int validity_export(const json_t *report, const char *verify_link, validity_fmt fmt,
                    char **out, size_t *len, nqi_error *err)
{
    *out = NULL;
    *len = 0;
    if (!json_is_array(json_object_get(report, "items")))
        return nqi_error_set(err, NQI_EINTERNAL, "export: malformed report");
    if (fmt == VALIDITY_CSV)
        return export_csv(report, out, len);
    return export_xlsx(report, verify_link, out, len, err);
}
