/*
 * standards_http.c — the catalogue's routes (search, export, one record,
 * import), standards_module and its demo data (data/demo/standards.csv,
 * embedded by mk/standards.mk). Handlers parse and validate, call the
 * catalogue functions, render JSON. See docs/modules/standards-api-contract.md.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/auth.h"
#include "core/json.h"
#include "core/util.h"
#include "core/xlsx.h"
#include "standards/standards.h"

#define IMPORT_BODY_LIMIT ((size_t)64 * 1024 * 1024)

extern const unsigned char nqi_demo_standards_csv[];
extern const unsigned long nqi_demo_standards_csv_len;

static const char *qget(void *ctx, const char *name)
{
    return http_query(ctx, name);
}

static void h_search(http_req *r, http_resp *w)
{
    nqi_error err = {0};
    std_search p;
    json_t *out = NULL;
    if (standards_search_params(qget, r, &p, &err) || standards_search(r->db, &p, &out, &err)) {
        http_resp_problem(w, r, &err);
        return;
    }
    http_resp_json(w, 200, out);
}

static void h_get(http_req *r, http_resp *w)
{
    nqi_error err = {0};
    char as_of[11] = "";
    const char *a = http_query(r, "as_of");
    if (a && *a && standards_date_parse(a, as_of)) {
        nqi_error_field(&err, NQI_EINVAL, "as_of", "'%s' is not a date (YYYY-MM-DD)", a);
        http_resp_problem(w, r, &err);
        return;
    }
    json_t *out = NULL;
    if (standards_detail(r->db, http_param(r, "number"), as_of, &out, &err)) {
        http_resp_problem(w, r, &err);
        return;
    }
    http_resp_json(w, 200, out);
}

static void h_export(http_req *r, http_resp *w)
{
    nqi_error err = {0};
    std_search p;
    const char *f = http_query(r, "format");
    std_export_fmt fmt = STD_EXPORT_XLSX;
    if (f && *f && !strcmp(f, "csv"))
        fmt = STD_EXPORT_CSV;
    else if (f && *f && strcmp(f, "xlsx"))
        nqi_error_field(&err, NQI_EINVAL, "format", "xlsx or csv");
    char *body = NULL;
    size_t len = 0;
    if (standards_search_params(qget, r, &p, &err) ||
        standards_export(r->db, &p, fmt, &body, &len, &err)) {
        http_resp_problem(w, r, &err);
        return;
    }
    char today[11], compact[9], disp[96];
    standards_today(today);
    snprintf(compact, sizeof compact, "%.4s%.2s%.2s", today, today + 5, today + 8);
    snprintf(disp, sizeof disp, "attachment; filename=\"standards-%s.%s\"", compact,
             fmt == STD_EXPORT_XLSX ? "xlsx" : "csv");
    http_resp_text(w, 200, fmt == STD_EXPORT_XLSX ? XLSX_MEDIA_TYPE : "text/csv; charset=utf-8",
                   body, len);
    http_resp_header(w, "Content-Disposition", disp);
}

/* The 422 of a rejected import: every row through the shared responder. */
static void import_problem(http_resp *w, const http_req *r, const nqi_error *err,
                           const std_import_report *rep)
{
    http_row_error *rows = xcalloc(rep->nerrors ? rep->nerrors : 1, sizeof *rows);
    for (size_t i = 0; i < rep->nerrors; i++)
        rows[i] = (http_row_error){rep->errors[i].row, rep->errors[i].field,
                                   rep->errors[i].message};
    http_resp_rows_problem(w, r, err->message, rows, rep->nerrors, rep->nerrors);
    free(rows);
}

static void h_import(http_req *r, http_resp *w)
{
    nqi_error err = {0};
    char mt[64];
    http_media_type(r, mt, sizeof mt);
    std_format fmt;
    if (!strcmp(mt, "text/csv") || !strcmp(mt, "application/csv"))
        fmt = STD_FMT_CSV;
    else if (!strcmp(mt, "application/json"))
        fmt = STD_FMT_JSON;
    else if (!strcmp(mt, "application/x-ndjson") || !strcmp(mt, "application/ndjson"))
        fmt = STD_FMT_NDJSON;
    else {
        http_resp_error(w, r, NQI_EMEDIA,
                        "Content-Type must be text/csv, application/json or "
                        "application/x-ndjson");
        return;
    }
    if (!r->body || !r->body_len) {
        nqi_error_field(&err, NQI_EBADREQ, "body", "empty body");
        http_resp_problem(w, r, &err);
        return;
    }
    const char *dry = http_query(r, "dry_run"), *src = http_query(r, "source");
    std_import_opts opts = {.dry_run = dry && (!strcmp(dry, "1") || !strcasecmp(dry, "true")),
                            .source = src && *src ? src : "api"};
    if (strlen(opts.source) > 200) {
        nqi_error_field(&err, NQI_EINVAL, "source", "at most 200 bytes");
        http_resp_problem(w, r, &err);
        return;
    }
    std_import_report rep;
    int rc = standards_import(r->db, &r->principal, r->body, r->body_len, fmt, &opts, &rep, &err);
    if (rc && rep.nerrors)
        import_problem(w, r, &err, &rep);
    else if (rc)
        http_resp_problem(w, r, &err);
    else
        http_resp_json(w, 200,
                       json_pack("{s:I, s:I, s:I, s:I, s:b}", "inserted", (json_int_t)rep.inserted,
                                 "updated", (json_int_t)rep.updated, "unchanged",
                                 (json_int_t)rep.unchanged, "rows", (json_int_t)rep.rows,
                                 "dry_run", opts.dry_run));
    standards_import_report_free(&rep);
}

void standards_routes(http_server *s)
{
    http_route(s, "GET", "/api/v1/standards", ROLES_ANY, h_search, 0,
               "search the standards catalogue");
    http_route(s, "GET", "/api/v1/standards/export", ROLES_ANY, h_export, 0,
               "export a catalogue search (xlsx or csv)");
    http_route(s, "GET", "/api/v1/standards/{number}", ROLES_ANY, h_get, 0,
               "one standard with its edition chain and changes");
    http_route(s, "POST", "/api/v1/standards/import", ROLE_REGULATOR | ROLE_ADMIN, h_import,
               IMPORT_BODY_LIMIT, "import catalogue rows (CSV, JSON, NDJSON)");
}

int standards_demo(nqi_app *app, store_conn *c, nqi_error *err)
{
    http_principal p;
    auth_cli_principal(&p);
    std_import_opts opts = {.source = "demo"};
    std_import_report rep;
    int rc = standards_import(c, &p, (const char *)nqi_demo_standards_csv,
                              (size_t)nqi_demo_standards_csv_len, STD_FMT_CSV, &opts, &rep, err);
    if (rc && rep.nerrors) {
        nqi_error_clear(err);
        nqi_error_set(err, rc, "demo standards: row %lld %s: %s", (long long)rep.errors[0].row,
                      rep.errors[0].field, rep.errors[0].message);
    }
    standards_import_report_free(&rep);
    return rc;
}

const nqi_module standards_module = {
    .name = "standards", .routes = standards_routes, .demo = standards_demo};
