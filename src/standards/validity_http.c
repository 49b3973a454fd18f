/*
 * validity_http.c — the routes of validity confirmation and
 * validity_module. Handlers parse and validate, call validity.c, render
 * JSON or a file. See validity.h and docs/modules/validity.md.
 *
 *   POST /api/v1/validity/check            public, not stored      200
 *   POST /api/v1/validity/reports          signed in, public record 201
 *   GET  /api/v1/validity/{uid}            public
 *   GET  /api/v1/validity/{uid}/export     public, ?format=xlsx|csv
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/json.h"
#include "core/util.h"
#include "core/xlsx.h"
#include "standards/standards.h"
#include "standards/validity.h"

static void as_of_check(const char *s, char out[11], nqi_error *err)
{
    if (s && *s && standards_date_parse(s, out))
        nqi_error_field(err, NQI_EINVAL, "as_of", "'%.40s' is not a date (YYYY-MM-DD)", s);
}

/* The lines and the date of a check request: a JSON object {as_of?, lines}
 * or a text/plain / text/csv body (as_of from the query string). */
static int read_input(http_req *r, validity_lines *lines, char as_of[11], nqi_error *err)
{
    static const char *const allowed[] = {"as_of", "lines", NULL};
    char mt[64];
    memset(lines, 0, sizeof *lines);
    as_of[0] = 0;
    http_media_type(r, mt, sizeof mt);
    if (!strcmp(mt, "application/json")) {
        json_t *body = NULL;
        const char *a = NULL;
        if (http_req_json(r, &body, err))
            return err->code;
        json_check_fields(body, allowed, err);
        json_get_str(body, "as_of", false, 40, &a, err);
        as_of_check(a, as_of, err);
        json_t *l = json_object_get(body, "lines");
        if (!l || json_is_null(l))
            nqi_error_field(err, NQI_EINVAL, "lines", "is required");
        if (!err->code)
            validity_lines_from_json(l, lines, err);
        json_decref(body);
    } else if (!strcmp(mt, "text/plain") || !strcmp(mt, "text/csv")) {
        as_of_check(http_query(r, "as_of"), as_of, err);
        if (!err->code)
            validity_lines_from_text(r->body, r->body_len, lines, err);
    } else {
        return nqi_error_set(err, NQI_EMEDIA,
                             "Content-Type must be application/json, text/plain or text/csv");
    }
    if (!err->code && !lines->n)
        nqi_error_field(err, NQI_EINVAL, "lines", "no standard references (every line is blank)");
    if (err->code)
        validity_lines_free(lines);
    return err->code;
}

static void h_check(http_req *r, http_resp *w)
{
    nqi_error err = {0};
    validity_lines lines;
    char as_of[11], t[32];
    char *body = NULL;
    size_t len = 0;
    /* written as text directly: 10,000 items as a jansson tree cost more
     * than the lookups (docs/benchmarks.md, issue 3) */
    if (read_input(r, &lines, as_of, &err) ||
        validity_check_json(r->db, &lines, as_of, time_iso8601(now_ms(), t, sizeof t), &body,
                            &len, &err)) {
        validity_lines_free(&lines);
        http_resp_problem(w, r, &err);
        return;
    }
    validity_lines_free(&lines);
    http_resp_text(w, 200, "application/json", body, len);
}

static void h_report_create(http_req *r, http_resp *w)
{
    nqi_error err = {0};
    validity_lines lines;
    char as_of[11];
    json_t *rep = NULL, *out = NULL;
    if (read_input(r, &lines, as_of, &err) ||
        validity_check_batch(r->db, &lines, as_of, &rep, &err) ||
        validity_report_store(r->db, &r->principal, rep, lines.n, &out, &err)) {
        validity_lines_free(&lines);
        json_decref(rep);
        http_resp_problem(w, r, &err);
        return;
    }
    validity_lines_free(&lines);
    json_decref(rep);
    char *loc = xasprintf("/api/v1/validity/%s", json_string_value(json_object_get(out, "id")));
    http_resp_json(w, 201, out);
    http_resp_header(w, "Location", loc);
    free(loc);
}

static void h_report_get(http_req *r, http_resp *w)
{
    nqi_error err = {0};
    json_t *out = NULL;
    if (validity_report_get(r->db, http_param(r, "uid"), &out, &err))
        http_resp_problem(w, r, &err);
    else
        http_resp_json(w, 200, out);
}

/* The absolute verification link: NQI_PUBLIC_URL when set (behind a proxy),
 * else the scheme and Host of the request. */
static char *verify_link(const http_req *r, const char *verify_url)
{
    const char *base = getenv("NQI_PUBLIC_URL");
    if (base && *base) {
        size_t n = strlen(base);
        return xasprintf("%.*s%s", (int)(base[n - 1] == '/' ? n - 1 : n), base, verify_url);
    }
    const char *host = http_header_get(r, "Host");
    const char *proto = http_header_get(r, "X-Forwarded-Proto");
    if (!host || !*host || strpbrk(host, " \"<>\\^`{|}"))
        return xstrdup(verify_url);
    return xasprintf("%s://%s%s", proto && !strcasecmp(proto, "https") ? "https" : "http", host,
                     verify_url);
}

static void h_report_export(http_req *r, http_resp *w)
{
    nqi_error err = {0};
    const char *f = http_query(r, "format");
    validity_fmt fmt = VALIDITY_XLSX;
    if (f && *f && !strcmp(f, "csv"))
        fmt = VALIDITY_CSV;
    else if (f && *f && strcmp(f, "xlsx")) {
        nqi_error_field(&err, NQI_EINVAL, "format", "xlsx or csv");
        http_resp_problem(w, r, &err);
        return;
    }
    json_t *rep = NULL;
    char *body = NULL;
    size_t len = 0;
    if (validity_report_get(r->db, http_param(r, "uid"), &rep, &err)) {
        http_resp_problem(w, r, &err);
        return;
    }
    char *link = verify_link(r, json_string_value(json_object_get(rep, "verify_url")));
    int rc = validity_export(rep, link, fmt, &body, &len, &err);
    free(link);
    if (rc) {
        json_decref(rep);
        http_resp_problem(w, r, &err);
        return;
    }
    char disp[96];
    snprintf(disp, sizeof disp, "attachment; filename=\"validity-%s.%s\"",
             json_string_value(json_object_get(rep, "id")), fmt == VALIDITY_XLSX ? "xlsx" : "csv");
    json_decref(rep);
    http_resp_text(w, 200, fmt == VALIDITY_XLSX ? XLSX_MEDIA_TYPE : "text/csv; charset=utf-8", body,
                   len);
    http_resp_header(w, "Content-Disposition", disp);
}

void validity_routes(http_server *s)
{
    http_route(s, "POST", "/api/v1/validity/check", ROLES_ANY, h_check, VALIDITY_BODY_LIMIT,
               "validity confirmation of a list of standard references (not stored)");
    http_route(s, "POST", "/api/v1/validity/reports", ROLES_AUTHED, h_report_create,
               VALIDITY_BODY_LIMIT,
               "validity confirmation stored as a public record (Merkle log)");
    http_route(s, "GET", "/api/v1/validity/{uid}", ROLES_ANY, h_report_get, 0,
               "a stored validity report with its result hash and log proof link");
    http_route(s, "GET", "/api/v1/validity/{uid}/export", ROLES_ANY, h_report_export, 0,
               "a stored validity report as xlsx (with QR code) or csv");
}

const nqi_module validity_module = {.name = "validity", .routes = validity_routes};
