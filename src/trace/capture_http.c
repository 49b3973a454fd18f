/*
 * capture_http.c — the EPCIS 2.0 capture interface:
 *   OPTIONS /api/v1/epcis/capture        capture limits (GS1-EPCIS-Capture-Limit,
 *                                        GS1-EPCIS-Capture-File-Size-Limit)
 *   POST    /api/v1/epcis/capture        an EPCISDocument (JSON-LD or XML) -> 202 +
 *                                        Location of the capture job
 *   GET     /api/v1/epcis/capture        capture jobs, newest first
 *   GET     /api/v1/epcis/capture/{id}   one job with its per-event errors
 *   POST    /api/v1/epcis/events         one event (JSON-LD) -> 201 + Location
 *
 * Who may capture: enterprise tokens bound to an organisation (`nqi token
 * add --role enterprise --org CREDITCODE`; the events' owner is that
 * organisation), regulators and admins (owner = their token's --org, or
 * none). Enterprises see only their organisation's jobs.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/app.h"
#include "core/audit.h"
#include "core/json.h"
#include "core/util.h"
#include "trace/epcis.h"

#define CAPTURE_ROLES (ROLE_ENTERPRISE | ROLE_REGULATOR | ROLE_ADMIN)
#define EVENT_BODY_LIMIT (1u << 20)

static size_t capture_limit = EPCIS_CAPTURE_LIMIT_DEFAULT;
static size_t capture_size = EPCIS_CAPTURE_SIZE_DEFAULT;
static int64_t process_start;

static size_t env_size(const char *name, size_t def)
{
    const char *v = getenv(name);
    int64_t n;
    return v && str_to_i64(v, &n) && n > 0 ? (size_t)n : def;
}

static void limit_headers(http_resp *w)
{
    char v[32];
    snprintf(v, sizeof v, "%zu", capture_limit);
    http_resp_header(w, "GS1-EPCIS-Capture-Limit", v);
    snprintf(v, sizeof v, "%zu", capture_size);
    http_resp_header(w, "GS1-EPCIS-Capture-File-Size-Limit", v);
    http_resp_header(w, "GS1-EPCIS-Version", "2.0.0");
    http_resp_header(w, "GS1-CBV-Version", "2.0.0");
}

/* The organisation a caller captures for / may see; NULL = all. */
static int caller_org(const http_req *r, const char **org, nqi_error *err)
{
    const http_principal *p = &r->principal;
    *org = p->credit_code[0] ? p->credit_code : NULL;
    if (p->role == ROLE_ENTERPRISE && !*org)
        return nqi_error_set(err, NQI_EFORBIDDEN,
                             "an enterprise token must belong to an organisation "
                             "(nqi token add --role enterprise --org CREDITCODE)");
    return 0;
}

static int body_format(const http_req *r, epcis_format *fmt, nqi_error *err)
{
    const char *ct = r->content_type ? r->content_type : "";
    size_t n = strcspn(ct, "; ");
    if ((n == 16 && !strncasecmp(ct, "application/json", n)) ||
        (n == 19 && !strncasecmp(ct, "application/ld+json", n)))
        *fmt = EPCIS_JSON;
    else if ((n == 15 && !strncasecmp(ct, "application/xml", n)) ||
             (n == 8 && !strncasecmp(ct, "text/xml", n)))
        *fmt = EPCIS_XML;
    else
        return nqi_error_set(err, NQI_EMEDIA,
                             "Content-Type must be application/ld+json, application/json or "
                             "application/xml, not '%.60s'",
                             ct);
    return 0;
}

static void h_options(http_req *r, http_resp *w)
{
    limit_headers(w);
    http_resp_header(w, "Allow", "OPTIONS, GET, POST");
    http_resp_text(w, 204, NULL, NULL, 0);
}

static void h_capture(http_req *r, http_resp *w)
{
    nqi_error err = {0};
    epcis_doc d = {0};
    epcis_format fmt;
    const char *org;
    int64_t job = 0;
    epcis_capture_in in = {.created_by = r->principal.user_id};
    const char *beh = http_header_get(r, "GS1-Capture-Error-Behaviour");
    int rc = caller_org(r, &org, &err);
    if (!rc)
        rc = body_format(r, &fmt, &err);
    if (!rc && beh && strcasecmp(beh, "rollback") && strcasecmp(beh, "proceed"))
        rc = nqi_error_field(&err, NQI_EBADREQ, "GS1-Capture-Error-Behaviour",
                             "'%.20s' is neither rollback nor proceed", beh);
    if (!rc && !r->body_len)
        rc = nqi_error_field(&err, NQI_EBADREQ, "body", "empty body: an EPCISDocument is expected");
    if (!rc)
        rc = epcis_doc_parse(r->body, r->body_len, fmt, capture_limit, &d, &err);
    if (!rc) {
        in.owner_org = org;
        in.proceed = beh && !strcasecmp(beh, "proceed");
        rc = epcis_capture_run(r->db, &r->principal, &in, &d, &job, &err);
    }
    if (rc) {
        if (rc == NQI_ETOOBIG)
            limit_headers(w);
        http_resp_problem(w, r, &err);
    } else {
        json_t *out = NULL;
        char loc[64];
        snprintf(loc, sizeof loc, "/api/v1/epcis/capture/%lld", (long long)job);
        if (epcis_capture_job_json(r->db, job, NULL, &out, &err)) {
            http_resp_problem(w, r, &err);
        } else {
            http_resp_header(w, "Location", loc);
            http_resp_json(w, 202, out);
        }
    }
    epcis_doc_free(&d);
}

static void h_job(http_req *r, http_resp *w)
{
    nqi_error err = {0};
    int64_t id;
    const char *org;
    json_t *out = NULL;
    int rc = http_param_id(r, "id", "capture job", &id, &err);
    if (!rc)
        rc = caller_org(r, &org, &err);
    if (!rc)
        rc = epcis_capture_job_json(r->db, id, r->principal.role == ROLE_ENTERPRISE ? org : NULL,
                                    &out, &err);
    if (rc)
        http_resp_problem(w, r, &err);
    else
        http_resp_json(w, 200, out);
}

static void h_jobs(http_req *r, http_resp *w)
{
    nqi_error err = {0};
    int64_t limit, cursor;
    const char *org;
    json_t *out = NULL;
    int rc = http_list_params(r, 50, 500, &limit, &cursor, &err);
    if (!rc)
        rc = caller_org(r, &org, &err);
    if (!rc)
        rc = epcis_capture_job_list(r->db, r->principal.role == ROLE_ENTERPRISE ? org : NULL, limit,
                                    cursor, &out, &err);
    if (rc)
        http_resp_problem(w, r, &err);
    else
        http_resp_json(w, 200, out);
}

/* Percent-encode everything but RFC 3986 unreserved characters. */
static void pct(const char *s, char *out, size_t n)
{
    static const char hx[] = "0123456789ABCDEF";
    size_t o = 0;
    for (; *s && o + 4 < n; s++) {
        unsigned char c = (unsigned char)*s;
        if (isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
            out[o++] = (char)c;
        } else {
            out[o++] = '%';
            out[o++] = hx[c >> 4];
            out[o++] = hx[c & 15];
        }
    }
    out[o] = '\0';
}

static void h_event(http_req *r, http_resp *w)
{
    nqi_error err = {0};
    epcis_event e = {0};
    epcis_format fmt;
    const char *org;
    int64_t row = 0;
    json_t *errors = json_array();
    int rc = caller_org(r, &org, &err);
    if (!rc)
        rc = body_format(r, &fmt, &err);
    if (!rc && fmt != EPCIS_JSON)
        rc = nqi_error_set(&err, NQI_EMEDIA, "one event is sent as JSON-LD (application/ld+json)");
    if (!rc)
        rc = epcis_event_parse_one(r->body, r->body_len, &e, errors, &err);
    if (!rc)
        rc = store_begin(r->db, true, &err);
    if (!rc)
        rc = epcis_event_store(r->db, &e, org, 0, now_ms(), &row, &err);
    if (!rc) {
        char id[24];
        snprintf(id, sizeof id, "%lld", (long long)row);
        json_t *after = json_pack("{s:s, s:s}", "eventID", e.event_id, "type", e.type);
        rc =
            audit_record(r->db, &r->principal, "epcis.event", "epcis_event", id, NULL, after, &err);
        json_decref(after);
    }
    if (!rc)
        rc = store_commit(r->db, &err);
    if (rc) {
        store_rollback(r->db);
        http_resp_problem(w, r, &err);
    } else {
        char enc[3 * 512], loc[1700];
        pct(e.event_id, enc, sizeof enc);
        snprintf(loc, sizeof loc, "/api/v1/epcis/events/%s", enc);
        http_resp_header(w, "Location", loc);
        http_resp_json(w, 201, json_incref(e.doc));
    }
    json_decref(errors);
    epcis_event_clear(&e);
}

void epcis_capture_routes(struct http_server *s)
{
    capture_limit = env_size("NQI_EPCIS_CAPTURE_LIMIT", EPCIS_CAPTURE_LIMIT_DEFAULT);
    capture_size = env_size("NQI_EPCIS_CAPTURE_SIZE_LIMIT", EPCIS_CAPTURE_SIZE_DEFAULT);
    if (!process_start)
        process_start = now_ms();
    http_route(s, "OPTIONS", "/api/v1/epcis/capture", ROLES_ANY, h_options, 0,
               "EPCIS capture limits (GS1-EPCIS-Capture-Limit, GS1-EPCIS-Capture-File-Size-Limit)");
    http_route(s, "POST", "/api/v1/epcis/capture", CAPTURE_ROLES, h_capture, capture_size,
               "capture an EPCISDocument (JSON-LD or XML) as a capture job");
    http_route(s, "GET", "/api/v1/epcis/capture", CAPTURE_ROLES, h_jobs, 0,
               "list EPCIS capture jobs");
    http_route(s, "GET", "/api/v1/epcis/capture/{id}", CAPTURE_ROLES, h_job, 0,
               "one EPCIS capture job with its per-event errors");
    http_route(s, "POST", "/api/v1/epcis/events", CAPTURE_ROLES, h_event, EVENT_BODY_LIMIT,
               "capture one EPCIS event");
}

int epcis_capture_start(nqi_app *app, nqi_error *err)
{
    store_conn *c = store_conn_thread(app->st, err);
    if (!c)
        return err->code ? err->code : NQI_EDB;
    int64_t n = 0;
    int rc = epcis_capture_recover(c, process_start ? process_start : now_ms(), &n, err);
    if (!rc)
        rc = epcis_capture_writer_start(app->st, err);
    if (!rc && n)
        fprintf(stderr, "nqi serve: %lld interrupted EPCIS capture job(s) marked failed\n",
                (long long)n);
    return rc;
}
