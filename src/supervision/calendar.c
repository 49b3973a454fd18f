/*
 * calendar.c — the stored working-day calendar (work_calendar): load it for
 * workday_add, list, edit one day, import a CSV. Only the exceptions to
 * "Monday-Friday work" are stored (see workday.h). Contract:
 * docs/modules/inspection.md "Working-day calendar".
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/audit.h"
#include "core/csv.h"
#include "core/json.h"
#include "core/util.h"
#include "standards/standards.h"
#include "supervision/inspection.h"
#include "supervision/internal.h"

void insp_today(char out[11])
{
    date_format(date_today_cn(now_ms()), out);
}

int calendar_load(store_conn *c, workday_cal *out, nqi_error *err)
{
    static const char sql[] = "SELECT day, kind FROM work_calendar ORDER BY day";
    memset(out, 0, sizeof *out);
    store_rows *r;
    int rc = store_query(c, sql, NULL, 0, &r, err);
    if (rc)
        return rc;
    while ((rc = store_next(r)) == 1) {
        int32_t d;
        if (date_parse(store_text(r, 0), &d))
            workday_cal_add(out, d, !strcmp(store_text(r, 1), "workday"));
    }
    if (rc < 0)
        rc = store_rows_error(r, err);
    store_rows_close(r);
    if (rc < 0)
        workday_cal_free(out);
    return rc < 0 ? rc : 0;
}

int calendar_deadline(store_conn *c, const char *from, int n, const char *field, char out[11],
                      nqi_error *err)
{
    int32_t d;
    if (!date_parse(from, &d))
        return nqi_error_field(err, NQI_EINVAL, field, "a date YYYY-MM-DD");
    workday_cal cal;
    int rc = calendar_load(c, &cal, err);
    if (rc)
        return rc;
    date_format(workday_add(&cal, d, n), out);
    workday_cal_free(&cal);
    return 0;
}

static json_t *day_json(const char *day, const char *kind, const char *name)
{
    int32_t d = 0;
    date_parse(day, &d);
    return json_pack("{s:s, s:s, s:s, s:i}", "date", day, "kind", kind, "name", name ? name : "",
                     "weekday", date_weekday(d));
}

int calendar_list(store_conn *c, int year, json_t **out, nqi_error *err)
{
    static const char sql[] = "SELECT day, kind, name FROM work_calendar WHERE day >= ? AND "
                              "day < ? ORDER BY day";
    char lo[16] = "0000", hi[16] = "9999-99";
    if (year) {
        snprintf(lo, sizeof lo, "%04d", year);
        snprintf(hi, sizeof hi, "%04d", year + 1);
    }
    store_rows *r;
    int rc = store_query(c, sql, (store_val[]){SV_TEXT(lo), SV_TEXT(hi)}, 2, &r, err);
    if (rc)
        return rc;
    json_t *items = json_array();
    while ((rc = store_next(r)) == 1)
        json_array_append_new(items,
                              day_json(store_text(r, 0), store_text(r, 1), store_text(r, 2)));
    if (rc < 0) {
        rc = store_rows_error(r, err);
        store_rows_close(r);
        json_decref(items);
        return rc;
    }
    store_rows_close(r);
    *out = json_pack("{s:o, s:n}", "items", items, "next_cursor");
    return 0;
}

/* "holiday"/"workday" and the words people write in a calendar sheet. */
static const char *kind_norm(const char *k)
{
    static const char *const holiday[] = {"holiday", "放假", "休", "休息", "假", "节假日", NULL};
    static const char *const workday[] = {"workday", "上班", "班", "调休上班", "补班", NULL};
    for (int i = 0; k && holiday[i]; i++)
        if (!strcasecmp(k, holiday[i]))
            return "holiday";
    for (int i = 0; k && workday[i]; i++)
        if (!strcasecmp(k, workday[i]))
            return "workday";
    return NULL;
}

static const char SQL_UPSERT[] =
    "INSERT INTO work_calendar (day, kind, name, updated_at) VALUES (?, ?, ?, ?) "
    "ON CONFLICT (day) DO UPDATE SET kind = excluded.kind, name = excluded.name, "
    "updated_at = excluded.updated_at";

/* A 调休 workday must be a weekend day: a weekday is a working day already. */
static const char *day_problem(const char *day, const char *kind)
{
    int32_t d;
    if (!date_parse(day, &d))
        return "a date YYYY-MM-DD";
    if (!strcmp(kind, "workday") && date_weekday(d) <= 5)
        return "a weekday is a working day already; only a Saturday or Sunday can be an "
               "adjusted working day (调休上班)";
    return NULL;
}

int calendar_put(store_conn *c, const http_principal *actor, const char *day, const char *kind,
                 const char *name, json_t **out, nqi_error *err)
{
    *out = NULL;
    const char *k = kind_norm(kind);
    if (!k)
        return nqi_error_field(err, NQI_EINVAL, "kind", "holiday or workday");
    const char *why = day_problem(day, k);
    if (why)
        return nqi_error_field(err, NQI_EINVAL, "date", "%s", why);
    if (name && utf8_count(name) > 50)
        return nqi_error_field(err, NQI_EINVAL, "name", "at most 50 characters");
    bool own = !store_in_tx(c);
    int rc = own ? store_begin(c, true, err) : 0;
    if (rc)
        return rc;
    json_t *j = day_json(day, k, name);
    rc = store_exec(c, SQL_UPSERT,
                    (store_val[]){SV_TEXT(day), SV_TEXT(k), SV_TEXT(name ? name : ""),
                                  SV_INT(now_ms())},
                    4, NULL, err);
    if (!rc)
        rc = audit_record(c, actor, "calendar.put", "work_calendar", day, NULL, j, err);
    rc = store_tx_end(c, own, rc, err);
    if (rc)
        json_decref(j);
    else
        *out = j;
    return rc;
}

int calendar_delete(store_conn *c, const http_principal *actor, const char *day, nqi_error *err)
{
    int32_t d;
    if (!date_parse(day, &d))
        return nqi_error_field(err, NQI_EINVAL, "date", "a date YYYY-MM-DD");
    bool own = !store_in_tx(c);
    int rc = own ? store_begin(c, true, err) : 0;
    if (rc)
        return rc;
    int64_t n = 0;
    rc = store_query_int(c, "SELECT COUNT(*) FROM work_calendar WHERE day = ?",
                         (store_val[]){SV_TEXT(day)}, 1, &n, err);
    if (!rc && !n)
        rc = nqi_error_field(err, NQI_ENOTFOUND, "date", "%s is not in the calendar", day);
    if (!rc)
        rc = store_exec(c, "DELETE FROM work_calendar WHERE day = ?", (store_val[]){SV_TEXT(day)},
                        1, NULL, err);
    if (!rc)
        rc = audit_record(c, actor, "calendar.delete", "work_calendar", day, NULL, NULL, err);
    return store_tx_end(c, own, rc, err);
}

/* ---------------------------------------------------------------- import */

static void rep_add(sup_import_report *rep, int64_t row, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void rep_add(sup_import_report *rep, int64_t row, const char *field, const char *fmt, ...)
{
    rep->errors = xrealloc(rep->errors, (rep->nerrors + 1) * sizeof *rep->errors);
    sup_import_error *e = &rep->errors[rep->nerrors++];
    e->row = row;
    snprintf(e->field, sizeof e->field, "%s", field);
    va_list ap;
    va_start(ap, fmt);
    if (vasprintf(&e->message, fmt, ap) < 0)
        e->message = xstrdup("(out of memory)");
    va_end(ap);
}

static char *cell(char *f, size_t n)
{
    while (n && (*f == ' ' || *f == '\t'))
        f++, n--;
    while (n && (f[n - 1] == ' ' || f[n - 1] == '\t' || f[n - 1] == '\r'))
        n--;
    f[n] = 0;
    return f;
}

static int header_col(const char *h)
{
    static const char *const names[3][4] = {{"date", "日期", "day", NULL},
                                            {"kind", "类型", "安排", NULL},
                                            {"name", "名称", "节日", "说明"}};
    for (int c = 0; c < 3; c++)
        for (int i = 0; i < 4 && names[c][i]; i++)
            if (!strcasecmp(h, names[c][i]))
                return c;
    return -1;
}

typedef struct cal_row {
    char *v[3];
} cal_row;

int calendar_import(store_conn *c, const http_principal *actor, const char *data, size_t len,
                    bool dry_run, sup_import_report *rep, nqi_error *err)
{
    memset(rep, 0, sizeof *rep);
    char *text = NULL;
    size_t tlen, pos = 0, bad = 0;
    nqi_error e = {0};
    cal_row *rows = NULL;
    size_t nrows = 0;
    if (standards_decode_text(data, len, &text, &tlen, &bad, &e)) {
        rep_add(rep, 0, "encoding", "%s", e.message);
        goto out;
    }
    char *f[8];
    size_t fl[8];
    int nf, map[8];
    if (csv_record(text, tlen, &pos, f, fl, 8, &nf) || nf > 8) {
        rep_add(rep, 0, "columns", "a header row date,kind,name is needed");
        goto out;
    }
    int ncols = nf;
    bool seen[3] = {0};
    for (int k = 0; k < nf; k++) {
        map[k] = header_col(cell(f[k], fl[k]));
        if (map[k] >= 0)
            seen[map[k]] = true;
    }
    if (!seen[0] || !seen[1]) {
        rep_add(rep, 0, seen[0] ? "kind" : "date", "missing required column %s",
                seen[0] ? "kind" : "date");
        goto out;
    }
    int64_t rowno = 0;
    int rc;
    while ((rc = csv_record(text, tlen, &pos, f, fl, 8, &nf)) == 0) {
        rowno++;
        if (nf == 1 && fl[0] == 0)
            continue;
        if (nf != ncols) {
            rep_add(rep, rowno, "columns", "row has %d fields, the header has %d", nf, ncols);
            continue;
        }
        cal_row r = {{NULL, NULL, NULL}};
        for (int k = 0; k < nf; k++)
            if (map[k] >= 0)
                r.v[map[k]] = cell(f[k], fl[k]);
        const char *k = kind_norm(r.v[1]);
        const char *why = day_problem(r.v[0], k ? k : "holiday");
        if (!k)
            rep_add(rep, rowno, "kind", "holiday (放假) or workday (上班), not '%s'",
                    r.v[1] ? r.v[1] : "");
        if (why)
            rep_add(rep, rowno, "date", "%s", why);
        if (r.v[2] && utf8_count(r.v[2]) > 50)
            rep_add(rep, rowno, "name", "at most 50 characters");
        for (size_t i = 0; !why && i < nrows; i++)
            if (!strcmp(rows[i].v[0], r.v[0])) {
                rep_add(rep, rowno, "date", "%s appears twice in the file", r.v[0]);
                break;
            }
        r.v[1] = (char *)(k ? k : "");
        rows = xrealloc(rows, (nrows + 1) * sizeof *rows);
        rows[nrows++] = r;
    }
    if (rc < 0)
        rep_add(rep, rowno + 1, "columns", "unterminated quoted field");
out:;
    int ret = 0;
    if (rep->nerrors)
        ret = nqi_error_set(err, NQI_EINVAL, "%zu row(s) rejected; nothing was imported",
                            rep->nerrors);
    rep->rows = (int64_t)nrows;
    bool own = !ret && !dry_run && !store_in_tx(c);
    if (!ret && !dry_run && own)
        ret = store_begin(c, true, err);
    for (size_t i = 0; !ret && !dry_run && i < nrows; i++) {
        int64_t had = 0;
        ret = store_query_int(c, "SELECT COUNT(*) FROM work_calendar WHERE day = ?",
                              (store_val[]){SV_TEXT(rows[i].v[0])}, 1, &had, err);
        if (!ret)
            ret = store_exec(c, SQL_UPSERT,
                             (store_val[]){SV_TEXT(rows[i].v[0]), SV_TEXT(rows[i].v[1]),
                                           SV_TEXT(rows[i].v[2] ? rows[i].v[2] : ""),
                                           SV_INT(now_ms())},
                             4, NULL, err);
        if (had)
            rep->updated++;
        else
            rep->inserted++;
    }
    if (!ret && !dry_run) {
        json_t *a = json_pack("{s:I, s:I, s:I}", "rows", (json_int_t)nrows, "inserted",
                              (json_int_t)rep->inserted, "updated", (json_int_t)rep->updated);
        ret = audit_record(c, actor, "calendar.import", "work_calendar", NULL, NULL, a, err);
        json_decref(a);
    }
    if (!dry_run && !rep->nerrors)
        ret = store_tx_end(c, own, ret, err);
    free(rows);
    free(text);
    return ret;
}
