/*
 * query_sub.c — EPCIS named queries (epcis_queries) and their webhook
 * subscriptions (epcis_subscriptions): the routes. The delivery worker of
 * `nqi serve` is query_deliver.c.
 *
 *   POST/GET    /api/v1/epcis/queries                 authed
 *   GET/DELETE  /api/v1/epcis/queries/{name}          authed (owner or staff)
 *   GET         /api/v1/epcis/queries/{name}/events   authed
 *   POST/GET    /api/v1/epcis/queries/{name}/subscriptions
 *   DELETE      /api/v1/epcis/queries/{name}/subscriptions/{id}
 *
 * A subscription is a stream or has a QuerySchedule (query_sched.c);
 * docs/modules/trace.md has the delivery rules.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "core/audit.h"
#include "core/json.h"
#include "core/util.h"
#include "standards/tracking.h"
#include "trace/query.h"

/* ---------------------------------------------------------------- stored queries */

/* The parameters of a stored query object as (name, '|'-joined value). */
static int params_of(json_t *q, epcis_param *ps, char **owned, int max, int *n, nqi_error *err)
{
    const char *k;
    json_t *v;
    *n = 0;
    json_object_foreach(q, k, v)
    {
        if (*n == max)
            return nqi_error_field(err, NQI_EINVAL, "query", "too many parameters");
        buf b;
        buf_init(&b, 0);
        if (json_is_array(v)) {
            size_t i;
            json_t *x;
            json_array_foreach(v, i, x)
            {
                if (!json_is_string(x)) {
                    buf_free(&b);
                    return nqi_error_field(err, NQI_EINVAL, "query", "%s: a list of strings", k);
                }
                buf_printf(&b, "%s%s", i ? "|" : "", json_string_value(x));
            }
        } else if (json_is_string(v)) {
            buf_puts(&b, json_string_value(v));
        } else if (json_is_integer(v)) {
            buf_printf(&b, "%lld", (long long)json_integer_value(v));
        } else if (json_is_number(v)) {
            buf_printf(&b, "%g", json_number_value(v));
        } else if (json_is_boolean(v)) {
            buf_puts(&b, json_is_true(v) ? "true" : "false");
        } else {
            buf_free(&b);
            return nqi_error_field(err, NQI_EINVAL, "query", "%s: unsupported value", k);
        }
        owned[*n] = buf_steal(&b);
        if (!owned[*n])
            owned[*n] = xstrdup("");
        ps[*n] = (epcis_param){k, owned[*n]};
        (*n)++;
    }
    return 0;
}

int trace_query_stored(const char *json, const trace_vis *vis, epcis_query **q, nqi_error *err)
{
    json_t *o = json_loads(json, 0, NULL);
    epcis_param ps[64];
    char *owned[64];
    int n = 0;
    int rc = json_is_object(o) ? params_of(o, ps, owned, 64, &n, err)
                               : nqi_error_set(err, NQI_EINTERNAL, "stored query is not JSON");
    if (!rc)
        rc = epcis_query_compile(ps, n, vis, true, q, err);
    for (int i = 0; i < n; i++)
        free(owned[i]);
    json_decref(o);
    return rc;
}

static bool name_ok(const char *s)
{
    size_t n = strlen(s);
    if (!n || n > 64)
        return false;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
              *s == '_' || *s == '-'))
            return false;
    return true;
}

/* The stored query `name` if the actor may use it (staff: any; others:
 * their organisation's): id, query JSON, owner. NQI_ENOTFOUND otherwise. */
static int query_load(store_conn *c, const http_principal *p, const char *name, int64_t *id,
                      char **query, char **owner, nqi_error *err)
{
    static const char sql[] = "SELECT id, query, owner_org FROM epcis_queries WHERE name = ?";
    store_rows *r;
    int rc = store_query(c, sql, (store_val[]){SV_TEXT(name)}, 1, &r, err);
    if (rc)
        return rc;
    trace_vis v = trace_vis_of(p);
    bool found = false;
    if ((rc = store_next(r)) == 1) {
        const char *own = store_text(r, 2);
        if (v.all || (own && v.org && !strcmp(own, v.org))) {
            found = true;
            *id = store_int(r, 0);
            *query = xstrdup(store_text(r, 1));
            if (owner)
                *owner = own ? xstrdup(own) : NULL;
        }
    }
    rc = rc < 0 ? store_rows_error(r, err) : 0;
    store_rows_close(r);
    if (!rc && !found)
        rc = nqi_error_set(err, NQI_ENOTFOUND, "no named query '%s'", name);
    return rc;
}

static json_t *query_json(int64_t id, const char *name, const char *query, const char *owner,
                          int64_t at)
{
    char t[32];
    json_t *q = json_loads(query, 0, NULL);
    return json_pack("{s:s, s:o, s:s?, s:s, s:s}", "name", name, "query", q ? q : json_object(),
                     "owner_org", owner, "created_at", time_iso8601(at, t, sizeof t), "href",
                     "");
}

static void h_query_create(http_req *r, http_resp *w)
{
    static const char *const allowed[] = {"name", "query", NULL};
    static const char sql[] = "INSERT INTO epcis_queries (name, query, owner_org, created_by, "
                              "created_at) VALUES (?, ?, ?, ?, ?) RETURNING id";
    nqi_error err = {0};
    json_t *in = NULL;
    const char *name = NULL;
    if (http_req_json(r, &in, &err) || json_check_fields(in, allowed, &err) ||
        json_get_str(in, "name", true, 64, &name, &err)) {
        json_decref(in);
        http_resp_problem(w, r, &err);
        return;
    }
    json_t *q = json_object_get(in, "query");
    trace_vis vis = trace_vis_of(&r->principal);
    epcis_query *cq = NULL;
    if (!name_ok(name))
        nqi_error_field(&err, NQI_EINVAL, "name", "1-64 characters of A-Z a-z 0-9 _ -");
    else if (!json_is_object(q))
        nqi_error_field(&err, NQI_EINVAL, "query", "an object of EPCIS query parameters");
    char *qs = err.code ? NULL : json_dumps(q, JSON_COMPACT | JSON_SORT_KEYS);
    if (qs && trace_query_stored(qs, &vis, &cq, &err)) {
        /* a bad parameter inside the body is invalid content: 422 */
        err.code = NQI_EINVAL;
        for (int i = 0; i < err.nfields; i++) {
            char f[96];
            snprintf(f, sizeof f, "query/%s", err.fields[i].field);
            snprintf(err.fields[i].field, sizeof err.fields[i].field, "%s", f);
        }
    }
    epcis_query_free(cq);
    int64_t id = 0, now = now_ms();
    const char *owner = vis.all ? NULL : vis.org;
    json_t *out = NULL;
    if (!err.code && !store_begin(r->db, true, &err)) {
        store_val p[] = {SV_TEXT(name), SV_TEXT(qs), SV_TEXT(owner), SV_INT(r->principal.user_id),
                         SV_INT(now)};
        out = query_json(0, name, qs, owner, now);
        if (store_query_int(r->db, sql, p, 5, &id, &err) ||
            audit_record(r->db, &r->principal, "epcis.query.create", "epcis_query", name, NULL,
                         out, &err) ||
            store_commit(r->db, &err))
            store_rollback(r->db);
    }
    free(qs);
    json_decref(in);
    if (err.code) {
        if (err.code == NQI_ECONFLICT)
            nqi_error_set(&err, NQI_ECONFLICT, "a named query '%s' exists already", name);
        json_decref(out);
        http_resp_problem(w, r, &err);
        return;
    }
    char *loc = xasprintf("/api/v1/epcis/queries/%s", json_string_value(json_object_get(out, "name")));
    json_object_set_new(out, "href", json_string(loc));
    http_resp_json(w, 201, out);
    http_resp_header(w, "Location", loc);
    free(loc);
}

static void h_query_list(http_req *r, http_resp *w)
{
    static const char sql[] = "SELECT id, name, query, owner_org, created_at FROM epcis_queries "
                              "WHERE (? = 1 OR owner_org = ?) AND id > ? ORDER BY id LIMIT ?";
    nqi_error err = {0};
    int64_t limit, cursor;
    if (http_list_params(r, 50, 500, &limit, &cursor, &err)) {
        http_resp_problem(w, r, &err);
        return;
    }
    trace_vis v = trace_vis_of(&r->principal);
    store_val p[] = {SV_INT(v.all), SV_TEXT(v.org ? v.org : ""), SV_INT(cursor), SV_INT(limit + 1)};
    store_rows *rows;
    if (store_query(r->db, sql, p, 4, &rows, &err)) {
        http_resp_problem(w, r, &err);
        return;
    }
    json_t *items = json_array();
    int64_t n = 0, last = 0;
    int rc;
    bool more = false;
    while ((rc = store_next(rows)) == 1) {
        if (n == limit) {
            more = true;
            break;
        }
        last = store_int(rows, 0);
        json_t *o = query_json(last, store_text(rows, 1), store_text(rows, 2), store_text(rows, 3),
                               store_int(rows, 4));
        char *href = xasprintf("/api/v1/epcis/queries/%s", store_text(rows, 1));
        json_object_set_new(o, "href", json_string(href));
        free(href);
        json_array_append_new(items, o);
        n++;
    }
    if (rc < 0)
        store_rows_error(rows, &err);
    store_rows_close(rows);
    if (err.code) {
        json_decref(items);
        http_resp_problem(w, r, &err);
        return;
    }
    char cur[24];
    snprintf(cur, sizeof cur, "%lld", (long long)last);
    http_resp_json(w, 200, json_pack("{s:o, s:s?}", "items", items, "next_cursor",
                                     more ? cur : NULL));
}

static void h_query_get(http_req *r, http_resp *w)
{
    nqi_error err = {0};
    int64_t id;
    char *q = NULL, *owner = NULL;
    const char *name = http_param(r, "name");
    if (query_load(r->db, &r->principal, name, &id, &q, &owner, &err)) {
        http_resp_problem(w, r, &err);
        return;
    }
    json_t *o = query_json(id, name, q, owner, 0);
    json_object_del(o, "created_at");
    char *href = xasprintf("/api/v1/epcis/queries/%s", name);
    json_object_set_new(o, "href", json_string(href));
    free(href);
    free(q);
    free(owner);
    http_resp_json(w, 200, o);
}

static void h_query_delete(http_req *r, http_resp *w)
{
    nqi_error err = {0};
    int64_t id;
    char *q = NULL;
    const char *name = http_param(r, "name");
    if (query_load(r->db, &r->principal, name, &id, &q, NULL, &err) ||
        store_begin(r->db, true, &err)) {
        free(q);
        http_resp_problem(w, r, &err);
        return;
    }
    json_t *before = json_pack("{s:s, s:s}", "name", name, "query", q);
    if (store_exec(r->db, "DELETE FROM epcis_subscriptions WHERE query_id = ?",
                   (store_val[]){SV_INT(id)}, 1, NULL, &err) ||
        store_exec(r->db, "DELETE FROM epcis_queries WHERE id = ?", (store_val[]){SV_INT(id)}, 1,
                   NULL, &err) ||
        audit_record(r->db, &r->principal, "epcis.query.delete", "epcis_query", name, before,
                     NULL, &err) ||
        store_commit(r->db, &err))
        store_rollback(r->db);
    json_decref(before);
    free(q);
    if (err.code) {
        http_resp_problem(w, r, &err);
        return;
    }
    http_resp_text(w, 204, "text/plain", NULL, 0);
}

static void h_query_events(http_req *r, http_resp *w)
{
    nqi_error err = {0};
    int64_t id;
    char *q = NULL, *owner = NULL, *token = NULL;
    const char *name = http_param(r, "name");
    int fmtv = epc_format_parse(http_header_get(r, "GS1-EPC-Format"));
    if (fmtv < 0)
        nqi_error_field(&err, NQI_EBADREQ, "GS1-EPC-Format",
                        "Always_GS1_Digital_Link, Always_EPC_URN or No_Preference");
    trace_vis vis = trace_vis_of(&r->principal);
    epcis_query *cq = NULL;
    json_t *events = NULL;
    const char *pp = http_query(r, "perPage"), *tok = http_query(r, "nextPageToken");
    if (err.code || query_load(r->db, &r->principal, name, &id, &q, &owner, &err) ||
        trace_query_stored(q, &vis, &cq, &err) || (pp && epcis_query_add(cq, "perPage", pp, &err)) ||
        (tok && epcis_query_add(cq, "nextPageToken", tok, &err)) ||
        epcis_query_run(r->db, cq, (epc_format)fmtv, -1, &events, &token, NULL, &err)) {
        free(q);
        free(owner);
        epcis_query_free(cq);
        http_resp_problem(w, r, &err);
        return;
    }
    free(q);
    free(owner);
    epcis_query_free(cq);
    http_resp_json(w, 200, epcis_query_document(name, NULL, events));
    http_resp_header(w, "GS1-EPCIS-Version", "2.0.0");
    http_resp_header(w, "GS1-EPC-Format", epc_format_name((epc_format)fmtv));
    if (token) {
        /* perPage was checked to be digits; the token is digits and dots */
        char *link = pp ? xasprintf("<%s?perPage=%s&nextPageToken=%s>; rel=\"next\"", r->path, pp,
                                    token)
                        : xasprintf("<%s?nextPageToken=%s>; rel=\"next\"", r->path, token);
        http_resp_header(w, "Link", link);
        free(link);
        free(token);
    }
}

/* ---------------------------------------------------------------- subscriptions */

int trace_schedule_offset(void)
{
    const char *e = getenv("NQI_TRACE_SCHEDULE_OFFSET");
    int h = 0, m = 0;
    if (!e || (e[0] != '+' && e[0] != '-') || sscanf(e + 1, "%2d:%2d", &h, &m) != 2 || h > 14 ||
        m > 59)
        return 0;
    return (e[0] == '-' ? -1 : 1) * (h * 3600 + m * 60);
}

/* A subscription as the API shows it; columns as in SUB_COLS. */
#define SUB_COLS "id, dest, active, after_record, created_at, last_status, schedule, " \
                 "report_if_empty, next_run"
static json_t *sub_json(store_rows *r, const char *name)
{
    char t[32], n[32], *id = xasprintf("%lld", (long long)store_int(r, 0));
    const char *sched = store_text(r, 6);
    json_t *o = json_pack("{s:s, s:s, s:s, s:b, s:I, s:s, s:s?, s:b, s:b}", "subscriptionID", id,
                          "queryName", name, "dest", store_text(r, 1), "active",
                          store_int(r, 2) != 0, "after_record", (json_int_t)store_int(r, 3),
                          "created_at", time_iso8601(store_int(r, 4), t, sizeof t),
                          "last_status", store_text(r, 5), "stream", sched == NULL,
                          "reportIfEmpty", store_int(r, 7) != 0);
    if (sched) {
        json_t *so = json_loads(sched, 0, NULL);
        json_object_set_new(o, "schedule", so ? so : json_object());
        json_object_set_new(o, "nextRun", json_string(time_iso8601(store_int(r, 8), n, sizeof n)));
    }
    free(id);
    return o;
}

/* Check the body of a new subscription: a stream or a schedule, exactly one
 * (EPCIS: a subscription has a schedule or a trigger). *sched_txt gets the
 * schedule as stored (NULL for a stream), *next_run its first run. */
static int sub_check(json_t *in, char **sched_txt, int64_t *next_run, nqi_error *err)
{
    json_t *js = json_object_get(in, "schedule"), *st = json_object_get(in, "stream");
    *sched_txt = NULL;
    *next_run = 0;
    if (st && !json_is_boolean(st))
        return nqi_error_field(err, NQI_EINVAL, "stream", "true or false");
    if (!js && st && json_is_false(st))
        return nqi_error_field(err, NQI_EINVAL, "schedule",
                               "a subscription that is no stream needs a schedule");
    if (!js)
        return 0;
    if (json_is_true(st))
        return nqi_error_field(err, NQI_EINVAL, "stream",
                               "a subscription is either a stream or scheduled, not both");
    epcis_schedule sc;
    if (epcis_schedule_parse(js, &sc, err))
        return err->code;
    *next_run = epcis_schedule_next(&sc, now_ms(), trace_schedule_offset());
    *sched_txt = json_dumps(js, JSON_COMPACT | JSON_SORT_KEYS);
    return 0;
}

static void h_sub_create(http_req *r, http_resp *w)
{
    static const char *const allowed[] = {"dest", "signatureToken", "stream", "reportIfEmpty",
                                          "initialRecordTime", "schedule", NULL};
    static const char ins[] =
        "INSERT INTO epcis_subscriptions (query_id, dest, secret, after_record, active, "
        "created_at, schedule, report_if_empty, next_run) VALUES (?, ?, ?, ?, 1, ?, ?, ?, ?) "
        "RETURNING " SUB_COLS;
    nqi_error err = {0};
    json_t *in = NULL;
    const char *dest = NULL, *tok = NULL, *irt = NULL;
    bool rie = false;
    int64_t qid;
    char *q = NULL, *sched = NULL;
    const char *name = http_param(r, "name");
    if (query_load(r->db, &r->principal, name, &qid, &q, NULL, &err) ||
        http_req_json(r, &in, &err) || json_check_fields(in, allowed, &err)) {
        free(q);
        json_decref(in);
        http_resp_problem(w, r, &err);
        return;
    }
    free(q);
    json_get_str(in, "dest", true, 2000, &dest, &err);
    json_get_str(in, "signatureToken", false, 256, &tok, &err);
    json_get_str(in, "initialRecordTime", false, 40, &irt, &err);
    json_get_bool(in, "reportIfEmpty", false, &rie, &err);
    int64_t next_run = 0;
    sub_check(in, &sched, &next_run, &err);
    nqi_error ue = {0};
    if (dest && webhook_url_check(dest, &ue))
        nqi_error_field(&err, NQI_EINVAL, "dest", "%s", ue.nfields ? ue.fields[0].message : ue.message);
    int64_t irt_ms = 0, after = 0, id = 0;
    if (irt && time_parse_iso8601(irt, &irt_ms))
        nqi_error_field(&err, NQI_EINVAL, "initialRecordTime", "an ISO 8601 date-time with offset");
    char gen[44];
    if (!tok) { /* the client did not choose one: make it and show it once */
        unsigned char rb[24];
        randombytes_buf(rb, sizeof rb);
        sodium_bin2base64(gen, sizeof gen, rb, sizeof rb, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
        tok = gen;
    }
    /* delivery starts now unless initialRecordTime says when */
    if (!err.code && irt)
        store_query_int(r->db, "SELECT COALESCE(MAX(id), 0) FROM epcis_events WHERE record_time < ?",
                        (store_val[]){SV_INT(irt_ms)}, 1, &after, &err);
    else if (!err.code)
        store_query_int(r->db, "SELECT COALESCE(MAX(id), 0) FROM epcis_events", NULL, 0, &after,
                        &err);
    json_t *out = NULL;
    if (!err.code && !store_begin(r->db, true, &err)) {
        store_val p[] = {SV_INT(qid),     SV_TEXT(dest), SV_TEXT(tok),
                         SV_INT(after),   SV_INT(now_ms()), SV_TEXT(sched),
                         SV_INT(rie),     sched ? SV_INT(next_run) : SV_NULL};
        store_rows *rows;
        if (!store_query(r->db, ins, p, 8, &rows, &err)) {
            int rc = store_next(rows);
            if (rc == 1) {
                id = store_int(rows, 0);
                out = sub_json(rows, name);
                json_object_del(out, "last_status");
            } else {
                store_rows_error(rows, &err);
            }
            store_rows_close(rows);
        }
        if (err.code ||
            audit_record(r->db, &r->principal, "epcis.subscription.create", "epcis_subscription",
                         json_string_value(json_object_get(out, "subscriptionID")), NULL, out,
                         &err) ||
            store_commit(r->db, &err))
            store_rollback(r->db);
    }
    free(sched);
    if (!err.code && tok == gen)
        json_object_set_new(out, "signatureToken", json_string(gen));
    json_decref(in);
    if (err.code) {
        json_decref(out);
        http_resp_problem(w, r, &err);
        return;
    }
    char *loc = xasprintf("/api/v1/epcis/queries/%s/subscriptions/%lld", name, (long long)id);
    http_resp_json(w, 201, out);
    http_resp_header(w, "Location", loc);
    free(loc);
}

static void h_sub_list(http_req *r, http_resp *w)
{
    static const char sql[] =
        "SELECT " SUB_COLS " FROM epcis_subscriptions WHERE query_id = ? ORDER BY id";
    nqi_error err = {0};
    int64_t qid;
    char *q = NULL;
    const char *name = http_param(r, "name");
    store_rows *rows;
    if (query_load(r->db, &r->principal, name, &qid, &q, NULL, &err) ||
        store_query(r->db, sql, (store_val[]){SV_INT(qid)}, 1, &rows, &err)) {
        free(q);
        http_resp_problem(w, r, &err);
        return;
    }
    free(q);
    json_t *items = json_array();
    int rc;
    while ((rc = store_next(rows)) == 1)
        json_array_append_new(items, sub_json(rows, name));
    if (rc < 0)
        store_rows_error(rows, &err);
    store_rows_close(rows);
    if (err.code) {
        json_decref(items);
        http_resp_problem(w, r, &err);
        return;
    }
    http_resp_json(w, 200, json_pack("{s:o, s:n}", "items", items, "next_cursor"));
}

static void h_sub_delete(http_req *r, http_resp *w)
{
    nqi_error err = {0};
    int64_t qid, sid;
    char *q = NULL;
    int64_t ch = 0;
    const char *name = http_param(r, "name");
    if (query_load(r->db, &r->principal, name, &qid, &q, NULL, &err) ||
        http_param_id(r, "id", "subscription", &sid, &err) || store_begin(r->db, true, &err)) {
        free(q);
        http_resp_problem(w, r, &err);
        return;
    }
    free(q);
    if (store_exec(r->db, "DELETE FROM epcis_subscriptions WHERE id = ? AND query_id = ?",
                   (store_val[]){SV_INT(sid), SV_INT(qid)}, 2, &ch, &err) ||
        (!ch && nqi_error_set(&err, NQI_ENOTFOUND, "subscription '%lld' not found",
                              (long long)sid)) ||
        audit_record(r->db, &r->principal, "epcis.subscription.delete", "epcis_subscription",
                     http_param(r, "id"), NULL, NULL, &err) ||
        store_commit(r->db, &err))
        store_rollback(r->db);
    if (err.code)
        http_resp_problem(w, r, &err);
    else
        http_resp_text(w, 204, "text/plain", NULL, 0);
}

void trace_sub_routes(http_server *s)
{
    http_route(s, "POST", "/api/v1/epcis/queries", ROLES_AUTHED, h_query_create, 0,
               "create a named EPCIS query");
    http_route(s, "GET", "/api/v1/epcis/queries", ROLES_AUTHED, h_query_list, 0,
               "named EPCIS queries the caller may use");
    http_route(s, "GET", "/api/v1/epcis/queries/{name}", ROLES_AUTHED, h_query_get, 0,
               "one named EPCIS query");
    http_route(s, "DELETE", "/api/v1/epcis/queries/{name}", ROLES_AUTHED, h_query_delete, 0,
               "delete a named query and its subscriptions");
    http_route(s, "GET", "/api/v1/epcis/queries/{name}/events", ROLES_AUTHED, h_query_events, 0,
               "run a named query -> EPCISQueryDocument");
    http_route(s, "POST", "/api/v1/epcis/queries/{name}/subscriptions", ROLES_AUTHED,
               h_sub_create, 0, "subscribe a webhook to a named query (stream or schedule)");
    http_route(s, "GET", "/api/v1/epcis/queries/{name}/subscriptions", ROLES_AUTHED, h_sub_list,
               0, "subscriptions of a named query");
    http_route(s, "DELETE", "/api/v1/epcis/queries/{name}/subscriptions/{id}", ROLES_AUTHED,
               h_sub_delete, 0, "end a subscription");
}
