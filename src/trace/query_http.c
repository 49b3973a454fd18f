/*
 * query_http.c — the read routes of the EPCIS repository: the standard
 * query and its resource paths, genealogy, recall scope, regulatory exports
 * and the QR code. Named queries and subscriptions: query_sub.c; the
 * consumer page: consumer.c. Contract: docs/modules/trace.md.
 *
 *   GET /api/v1/epcis/events                        authed (visibility applies)
 *   GET /api/v1/epcis/{epcs|bizSteps|bizLocations|readPoints|dispositions|eventTypes}/{v}/events
 *   GET /api/v1/trace/{id}/backward|forward         authed
 *   POST /api/v1/trace/recall, GET /api/v1/trace/recall   authed
 *   GET /api/v1/trace/exports/fsma204, /api/v1/trace/report   authed
 *   GET /api/v1/trace/qr                            public
 *
 * EPCIS query errors are 400 (the standard's QueryParameterException),
 * naming the parameter; a result over maxEventCount is 413.
 */
#define _GNU_SOURCE
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/json.h"
#include "core/qr.h"
#include "core/util.h"
#include "trace/gs1.h"
#include "trace/query.h"

#define XLSX_TYPE "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

/* ---------------------------------------------------------------- helpers */

static int req_format(const http_req *r, epc_format *f, nqi_error *err)
{
    int v = epc_format_parse(http_header_get(r, "GS1-EPC-Format"));
    if (v < 0)
        return nqi_error_field(err, NQI_EBADREQ, "GS1-EPC-Format",
                               "Always_GS1_Digital_Link, Always_EPC_URN or No_Preference");
    *f = (epc_format)v;
    return 0;
}

static void epcis_headers(http_resp *w, epc_format f)
{
    http_resp_header(w, "GS1-EPCIS-Version", "2.0.0");
    http_resp_header(w, "GS1-CBV-Version", "2.0.0");
    http_resp_header(w, "GS1-EPC-Format", epc_format_name(f));
}

/* Percent-encode a query component (RFC 3986 unreserved kept). */
static void url_enc(buf *b, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
            *p == '-' || *p == '.' || *p == '_' || *p == '~') {
            buf_append(b, p, 1);
        } else {
            char e[3] = {'%', hex[*p >> 4], hex[*p & 15]};
            buf_append(b, e, 3);
        }
    }
}

/* The Link header of the next page: this request with nextPageToken set.
 * A resource path (/epcs/{epc}/events) is written as /events with its
 * condition as a parameter: a decoded path parameter may hold '/'. */
static char *next_link(const http_req *r, const char *xname, const char *xval,
                       const char *token)
{
    buf b;
    buf_init(&b, 0);
    buf_printf(&b, "<%s", xname ? "/api/v1/epcis/events" : r->path);
    const char *n, *v;
    char sep = '?';
    for (int i = 0; http_query_at(r, i, &n, &v) || (xname && i >= 0); i++) {
        if (!http_query_at(r, i, &n, &v)) { /* after the last: the path's condition */
            n = xname;
            v = xval;
            xname = NULL;
        }
        if (!strcmp(n, "nextPageToken"))
            continue;
        buf_printf(&b, "%c", sep);
        sep = '&';
        url_enc(&b, n);
        buf_puts(&b, "=");
        url_enc(&b, v);
    }
    buf_printf(&b, "%cnextPageToken=", sep);
    url_enc(&b, token);
    buf_puts(&b, ">; rel=\"next\"");
    return buf_steal(&b);
}

/* Run the request's query (plus one resource-path condition) and answer. */
static void run_query(http_req *r, http_resp *w, const char *extra_name, const char *extra_val)
{
    nqi_error err = {0};
    epc_format fmt = EPC_FMT_DL;
    if (req_format(r, &fmt, &err)) {
        http_resp_problem(w, r, &err);
        return;
    }
    epcis_param ps[64];
    int n = 0;
    const char *name, *val;
    for (int i = 0; n < 64 && http_query_at(r, i, &name, &val); i++)
        ps[n++] = (epcis_param){name, val};
    trace_vis vis = trace_vis_of(&r->principal);
    epcis_query *q = NULL;
    json_t *events = NULL;
    char *token = NULL;
    if (epcis_query_compile(ps, n, &vis, true, &q, &err) ||
        (extra_name && epcis_query_add(q, extra_name, extra_val, &err)) ||
        epcis_query_run(r->db, q, fmt, -1, &events, &token, NULL, &err)) {
        epcis_query_free(q);
        http_resp_problem(w, r, &err);
        return;
    }
    epcis_query_free(q);
    http_resp_json(w, 200, epcis_query_document(NULL, NULL, events));
    epcis_headers(w, fmt);
    if (token) {
        char *link = next_link(r, extra_name, extra_val, token);
        http_resp_header(w, "Link", link);
        http_resp_header(w, "GS1-Next-Page-Token", token);
        free(link);
        free(token);
    }
}

static void h_events(http_req *r, http_resp *w)
{
    run_query(r, w, NULL, NULL);
}

static void h_epc_events(http_req *r, http_resp *w)
{
    /* an instance id matches anywhere; a class (GTIN, GTIN + lot) by class */
    const char *v = http_param(r, "epc");
    gs1_id id;
    nqi_error e = {0};
    bool cls = !gs1_parse(v, strlen(v), &id, &e) && id.kind == GS1_KIND_GTIN && !id.serial[0];
    run_query(r, w, cls ? "MATCH_anyEPCClass" : "MATCH_anyEPC", v);
}

static void h_step_events(http_req *r, http_resp *w)
{
    run_query(r, w, "EQ_bizStep", http_param(r, "v"));
}

static void h_loc_events(http_req *r, http_resp *w)
{
    run_query(r, w, "EQ_bizLocation", http_param(r, "v"));
}

static void h_rp_events(http_req *r, http_resp *w)
{
    run_query(r, w, "EQ_readPoint", http_param(r, "v"));
}

static void h_disp_events(http_req *r, http_resp *w)
{
    run_query(r, w, "EQ_disposition", http_param(r, "v"));
}

static void h_type_events(http_req *r, http_resp *w)
{
    run_query(r, w, "eventType", http_param(r, "v"));
}

/* ---------------------------------------------------------------- trace */

static int time_param(const http_req *r, const char *name, int64_t def, int64_t *out,
                      nqi_error *err)
{
    const char *v = http_query(r, name);
    *out = def;
    if (!v || !*v)
        return 0;
    if (time_parse_iso8601(v, out))
        return nqi_error_field(err, NQI_EINVAL, name, "an ISO 8601 date-time with offset");
    return 0;
}

/* Identifiers from a '|' list into canonical strings (caller frees each). */
static int id_list(const char *list, const char *field, char **ids, int max, int *n,
                   nqi_error *err)
{
    *n = 0;
    for (const char *p = list ? list : ""; *p;) {
        size_t l = strcspn(p, "|");
        if (l) {
            if (*n == max)
                return nqi_error_field(err, NQI_EINVAL, field, "at most %d identifiers", max);
            char *one = xstrndup(p, l), c[GS1_INPUT_MAX + 1];
            int rc = trace_canon(one, field, c, sizeof c, err);
            free(one);
            if (rc)
                return err->code = NQI_EINVAL;
            ids[(*n)++] = xstrdup(c);
        }
        p += l + (p[l] == '|');
    }
    if (!*n)
        return nqi_error_field(err, NQI_EINVAL, field, "an identifier (EPC URN or Digital Link)");
    return 0;
}

static void free_ids(char **ids, int n)
{
    for (int i = 0; i < n; i++)
        free(ids[i]);
}

static void do_trace(http_req *r, http_resp *w, trace_dir dir)
{
    nqi_error err = {0};
    trace_opts o = {.dir = dir, .max_depth = 20, .vis = trace_vis_of(&r->principal)};
    char *ids[1] = {NULL};
    int n = 0;
    const char *d = http_query(r, "depth"), *docs = http_query(r, "docs");
    int64_t depth = 20;
    if (d && *d && (!str_to_i64(d, &depth) || depth < 1 || depth > 64))
        nqi_error_field(&err, NQI_EINVAL, "depth", "an integer 1-64");
    o.max_depth = (int)depth;
    o.with_docs = docs && (!strcmp(docs, "1") || !strcmp(docs, "true"));
    time_param(r, "from", INT64_MIN, &o.from_ms, &err);
    time_param(r, "to", INT64_MAX, &o.to_ms, &err);
    json_t *out = NULL;
    if (!err.code)
        id_list(http_param(r, "id"), "id", ids, 1, &n, &err);
    if (!err.code)
        req_format(r, &o.fmt, &err);
    if (!err.code) {
        o.ids = (const char *const *)ids;
        o.nids = n;
        trace_walk(r->db, &o, &out, &err);
    }
    free_ids(ids, n);
    if (err.code)
        http_resp_problem(w, r, &err);
    else
        http_resp_json(w, 200, out);
}

static void h_backward(http_req *r, http_resp *w)
{
    do_trace(r, w, TRACE_BACKWARD);
}

static void h_forward(http_req *r, http_resp *w)
{
    do_trace(r, w, TRACE_FORWARD);
}

/* ---------------------------------------------------------------- recall */

#define RECALL_MAX_IDS 100

static void send_file(http_resp *w, const char *fmt, const char *name, char *body, size_t len)
{
    char disp[160];
    snprintf(disp, sizeof disp, "attachment; filename=\"%s.%s\"", name, fmt);
    http_resp_text(w, 200, strcmp(fmt, "csv") ? XLSX_TYPE : "text/csv; charset=utf-8", body,
                   len);
    http_resp_header(w, "Content-Disposition", disp);
}

static int file_format(const char *f, const char **out, bool json_ok, nqi_error *err)
{
    if (!f || !*f)
        f = json_ok ? "json" : "xlsx";
    if (strcmp(f, "xlsx") && strcmp(f, "csv") && (!json_ok || strcmp(f, "json")))
        return nqi_error_field(err, NQI_EINVAL, "format",
                               json_ok ? "json, xlsx or csv" : "xlsx or csv");
    *out = f;
    return 0;
}

static void recall_answer(http_req *r, http_resp *w, char **ids, int n, int64_t from,
                          const char *fmt)
{
    nqi_error err = {0};
    trace_vis vis = trace_vis_of(&r->principal);
    json_t *scope = NULL;
    char *body = NULL;
    size_t len = 0;
    if (trace_recall(r->db, (const char *const *)ids, n, &vis, from, &scope, &err)) {
        http_resp_problem(w, r, &err);
        return;
    }
    if (!strcmp(fmt, "json")) {
        http_resp_json(w, 200, scope);
        return;
    }
    if (trace_recall_file(scope, fmt, &body, &len, &err))
        http_resp_problem(w, r, &err);
    else
        send_file(w, fmt, "recall-scope", body, len);
    json_decref(scope);
}

static void h_recall_get(http_req *r, http_resp *w)
{
    nqi_error err = {0};
    char *ids[RECALL_MAX_IDS];
    int n = 0;
    int64_t from;
    const char *fmt = NULL;
    file_format(http_query(r, "format"), &fmt, true, &err);
    time_param(r, "from", INT64_MIN, &from, &err);
    if (!err.code)
        id_list(http_query(r, "id"), "id", ids, RECALL_MAX_IDS, &n, &err);
    if (err.code)
        http_resp_problem(w, r, &err);
    else
        recall_answer(r, w, ids, n, from, fmt);
    free_ids(ids, n);
}

static void h_recall_post(http_req *r, http_resp *w)
{
    static const char *const allowed[] = {"lots", "from", "format", NULL};
    nqi_error err = {0};
    json_t *in = NULL;
    char *ids[RECALL_MAX_IDS];
    int n = 0;
    int64_t from = INT64_MIN;
    const char *fmt = NULL, *fs = NULL, *ff = NULL;
    if (http_req_json(r, &in, &err) || json_check_fields(in, allowed, &err) ||
        json_get_str(in, "from", false, 40, &fs, &err) ||
        json_get_str(in, "format", false, 8, &ff, &err) || file_format(ff, &fmt, true, &err)) {
        json_decref(in);
        http_resp_problem(w, r, &err);
        return;
    }
    if (fs && time_parse_iso8601(fs, &from))
        nqi_error_field(&err, NQI_EINVAL, "from", "an ISO 8601 date-time with offset");
    json_t *lots = json_object_get(in, "lots"), *v;
    size_t i;
    if (!json_is_array(lots) || !json_array_size(lots))
        nqi_error_field(&err, NQI_EINVAL, "lots", "a non-empty array of lot identifiers");
    else if (json_array_size(lots) > RECALL_MAX_IDS)
        nqi_error_field(&err, NQI_EINVAL, "lots", "at most %d lots", RECALL_MAX_IDS);
    json_array_foreach(err.code ? NULL : lots, i, v)
    {
        char field[32], c[GS1_INPUT_MAX + 1];
        snprintf(field, sizeof field, "lots/%zu", i);
        if (!json_is_string(v)) {
            nqi_error_field(&err, NQI_EINVAL, field, "an identifier string");
            continue;
        }
        if (trace_canon(json_string_value(v), field, c, sizeof c, &err)) {
            err.code = NQI_EINVAL;
            continue;
        }
        ids[n++] = xstrdup(c);
    }
    json_decref(in);
    if (err.code)
        http_resp_problem(w, r, &err);
    else
        recall_answer(r, w, ids, n, from, fmt);
    free_ids(ids, n);
}

/* ---------------------------------------------------------------- exports */

static void h_fsma(http_req *r, http_resp *w)
{
    nqi_error err = {0};
    const char *fmt = NULL, *g = http_query(r, "gtin");
    int64_t from, to;
    file_format(http_query(r, "format"), &fmt, false, &err);
    time_param(r, "from", INT64_MIN, &from, &err);
    time_param(r, "to", INT64_MAX, &to, &err);
    char canon[GS1_CANON_MAX];
    gs1_id id;
    nqi_error e = {0};
    if (!g || !*g)
        nqi_error_field(&err, NQI_EINVAL, "gtin", "required: the product's GTIN");
    else if (gs1_parse(g, strlen(g), &id, &e) || id.kind != GS1_KIND_GTIN)
        nqi_error_field(&err, NQI_EINVAL, "gtin", "%s", e.code ? e.message : "not a GTIN");
    else
        snprintf(canon, sizeof canon, "https://id.gs1.org/01/%s", id.key);
    char *body = NULL;
    size_t len = 0;
    trace_vis vis = trace_vis_of(&r->principal);
    if (err.code || trace_fsma204(r->db, canon, from, to, &vis, fmt, &body, &len, &err)) {
        http_resp_problem(w, r, &err);
        return;
    }
    send_file(w, fmt, "fsma204", body, len);
}

static void h_report(http_req *r, http_resp *w)
{
    nqi_error err = {0};
    const char *fmt = NULL;
    char *ids[1] = {NULL};
    int n = 0;
    file_format(http_query(r, "format"), &fmt, true, &err);
    if (!err.code && !strcmp(fmt, "csv"))
        nqi_error_field(&err, NQI_EINVAL, "format", "json or xlsx");
    if (!err.code)
        id_list(http_query(r, "id"), "id", ids, 1, &n, &err);
    trace_vis vis = trace_vis_of(&r->principal);
    json_t *rep = NULL;
    if (err.code || trace_lot_report(r->db, ids[0], &vis, &rep, &err)) {
        free_ids(ids, n);
        http_resp_problem(w, r, &err);
        return;
    }
    free_ids(ids, n);
    if (!strcmp(fmt, "json")) {
        http_resp_json(w, 200, rep);
        return;
    }
    char *body = NULL;
    size_t len = 0;
    if (trace_lot_report_xlsx(rep, &body, &len, &err))
        http_resp_problem(w, r, &err);
    else
        send_file(w, "xlsx", "trace-report", body, len);
    json_decref(rep);
}

/* ---------------------------------------------------------------- QR */

/* The public base URL of this server: NQI_PUBLIC_URL, else from Host. */
static char *public_base(const http_req *r)
{
    const char *env = getenv("NQI_PUBLIC_URL");
    if (env && *env)
        return xstrdup(env);
    const char *host = http_header_get(r, "Host"),
               *proto = http_header_get(r, "X-Forwarded-Proto");
    if (!host || !*host || strpbrk(host, " \"<>\\^`{|}/"))
        host = "localhost";
    return xasprintf("%s://%s", proto && !strcasecmp(proto, "https") ? "https" : "http", host);
}

static void h_qr(http_req *r, http_resp *w)
{
    nqi_error err = {0};
    const char *v = http_query(r, "id"), *f = http_query(r, "format");
    gs1_id id;
    if (f && *f && strcmp(f, "svg") && strcmp(f, "png")) {
        nqi_error_field(&err, NQI_EINVAL, "format", "svg or png");
    } else if (!v || !*v) {
        nqi_error_field(&err, NQI_EINVAL, "id", "required: a GTIN + lot or other GS1 key");
    } else if (gs1_parse(v, strlen(v), &id, &err)) {
        err.code = NQI_EINVAL;
    }
    char *base = err.code ? NULL : public_base(r), *stem = base ? xasprintf("%s/t", base) : NULL;
    char dl[GS1_CANON_MAX * 2 + 256];
    if (!err.code)
        gs1_to_dl(&id, stem, GS1_DL_FULL, dl, sizeof dl, &err);
    free(base);
    free(stem);
    if (err.code) {
        if (err.code != NQI_ETOOBIG)
            err.code = NQI_EINVAL;
        http_resp_problem(w, r, &err);
        return;
    }
    if (f && !strcmp(f, "png")) {
        unsigned char *png = NULL;
        size_t len = 0;
        if (qr_png(dl, 8, 4, &png, &len, &err))
            http_resp_problem(w, r, &err);
        else
            http_resp_text(w, 200, "image/png", (char *)png, len);
    } else {
        char *svg = NULL;
        size_t len = 0;
        if (qr_svg(dl, 4, &svg, &len, &err))
            http_resp_problem(w, r, &err);
        else
            http_resp_text(w, 200, "image/svg+xml", svg, len);
    }
    http_resp_header(w, "X-Digital-Link", dl);
}

/* ---------------------------------------------------------------- routes */

void trace_query_routes(http_server *s)
{
    http_route(s, "GET", "/api/v1/epcis/events", ROLES_AUTHED, h_events, 0,
               "EPCIS 2.0 query (SimpleEventQuery parameters) -> EPCISQueryDocument");
    http_route(s, "GET", "/api/v1/epcis/epcs/{epc}/events", ROLES_AUTHED, h_epc_events, 0,
               "EPCIS events naming an EPC (instance: MATCH_anyEPC, class: MATCH_anyEPCClass)");
    http_route(s, "GET", "/api/v1/epcis/bizSteps/{v}/events", ROLES_AUTHED, h_step_events, 0,
               "EPCIS events of a business step");
    http_route(s, "GET", "/api/v1/epcis/bizLocations/{v}/events", ROLES_AUTHED, h_loc_events, 0,
               "EPCIS events at a business location");
    http_route(s, "GET", "/api/v1/epcis/readPoints/{v}/events", ROLES_AUTHED, h_rp_events, 0,
               "EPCIS events at a read point");
    http_route(s, "GET", "/api/v1/epcis/dispositions/{v}/events", ROLES_AUTHED, h_disp_events, 0,
               "EPCIS events with a disposition");
    http_route(s, "GET", "/api/v1/epcis/eventTypes/{v}/events", ROLES_AUTHED, h_type_events, 0,
               "EPCIS events of one event type");
    http_route(s, "GET", "/api/v1/trace/{id}/backward", ROLES_AUTHED, h_backward, 0,
               "backward trace (genealogy) of an identifier: {nodes, edges, events, items}");
    http_route(s, "GET", "/api/v1/trace/{id}/forward", ROLES_AUTHED, h_forward, 0,
               "forward trace of an identifier: {nodes, edges, events, items}");
    http_route(s, "POST", "/api/v1/trace/recall", ROLES_AUTHED, h_recall_post, 0,
               "recall scope of suspect lots (forward closure), JSON / xlsx / csv");
    http_route(s, "GET", "/api/v1/trace/recall", ROLES_AUTHED, h_recall_get, 0,
               "recall scope of suspect lots given as ?id=a|b, JSON / xlsx / csv");
    http_route(s, "GET", "/api/v1/trace/exports/fsma204", ROLES_AUTHED, h_fsma, 0,
               "FSMA 204 sortable spreadsheet of a product's critical tracking events");
    http_route(s, "GET", "/api/v1/trace/report", ROLES_AUTHED, h_report, 0,
               "per-lot trace report (GB/T 38155 / GB/T 38158 terms), JSON / xlsx");
    http_route(s, "GET", "/api/v1/trace/qr", ROLES_ANY, h_qr, 0,
               "QR code (SVG / PNG) of the consumer trace page's GS1 Digital Link");
    trace_sub_routes(s);
    trace_consumer_routes(s);
}
