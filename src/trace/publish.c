/*
 * publish.c — an owner marks its events public (or private again):
 *
 *   POST /api/v1/trace/publish  {"ids": ["https://id.gs1.org/01/…/10/LOT", …],
 *                                "public": true, "backward": true}
 *
 * The events that name any of the identifiers — and, with "backward" (the
 * default), every event of the lots' backward trace — become public = 1, so
 * the consumer page /t/01/{gtin}/10/{lot} can show them. Only the caller's
 * own events change: an enterprise token changes events whose owner_org is
 * its credit code; regulators and admins may change any. Events of other
 * owners in the trace are counted in "skipped" and left as they are — one
 * owner cannot publish another's records. One transaction, one audit record.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include "core/audit.h"
#include "core/http.h"
#include "core/json.h"
#include "core/util.h"
#include "trace/gs1.h"
#include "trace/query.h"
#include "trace/trace.h"

#define PUBLISH_MAX_IDS 100

static int mark(store_conn *c, const char *event_id, bool pub, const char *org, int64_t *changed,
                int64_t *skipped, nqi_error *err)
{
    store_val p[] = {SV_INT(pub ? 1 : 0), SV_TEXT(event_id), SV_TEXT(org), SV_TEXT(org)};
    int64_t n = 0;
    int rc = store_exec(c,
                        "UPDATE epcis_events SET public = ? WHERE event_id = ? AND "
                        "(CAST(? AS TEXT) IS NULL OR owner_org = ?)",
                        p, 4, &n, err);
    if (!rc) {
        if (n)
            (*changed)++;
        else
            (*skipped)++;
    }
    return rc;
}

/* Add the event ids of every event naming the identifier (any role) to set. */
static int collect_direct(store_conn *c, const char *ident, json_t *set, nqi_error *err)
{
    store_val p[] = {SV_TEXT(ident)};
    store_rows *r = NULL;
    int rc = store_query(c,
                         "SELECT e.event_id FROM epcis_event_ids i JOIN epcis_events e ON e.id = "
                         "i.event WHERE i.ident = ?",
                         p, 1, &r, err);
    if (rc)
        return rc;
    while ((rc = store_next(r)) == 1)
        json_object_set_new(set, store_text(r, 0), json_true());
    rc = rc < 0 ? store_rows_error(r, err) : 0;
    store_rows_close(r);
    return rc;
}

/* A GS1 identifier in any form, or another absolute URI (urn:, http(s):). */
static int publish_id(const char *s, const char *field, char *out, size_t n, nqi_error *err)
{
    gs1_id id;
    nqi_error e = {0};
    if (!gs1_parse(s, strlen(s), &id, &e) || !strncmp(s, "urn:", 4) ||
        !strncmp(s, "http://", 7) || !strncmp(s, "https://", 8))
        return trace_canon(s, field, out, n, err);
    return nqi_error_field(err, NQI_EINVAL, field, "%s",
                           e.nfields ? e.fields[0].message : "not a GS1 identifier or URI");
}

static void h_publish(http_req *r, http_resp *w)
{
    static const char *const allowed[] = {"ids", "public", "backward", NULL};
    nqi_error err = {0};
    json_t *body = NULL, *jids;
    bool pub = true, backward = true;
    const char *org = r->principal.role == ROLE_ENTERPRISE ? r->principal.credit_code : NULL;
    if (r->principal.role == ROLE_ENTERPRISE && !r->principal.credit_code[0]) {
        http_resp_error(w, r, NQI_EFORBIDDEN, "an enterprise account needs its credit code");
        return;
    }
    if (http_req_json(r, &body, &err) || json_check_fields(body, allowed, &err) ||
        json_get_bool(body, "public", false, &pub, &err) ||
        json_get_bool(body, "backward", false, &backward, &err)) {
        json_decref(body);
        http_resp_problem(w, r, &err);
        return;
    }
    jids = json_object_get(body, "ids");
    size_t nids = json_is_array(jids) ? json_array_size(jids) : 0;
    if (!nids || nids > PUBLISH_MAX_IDS) {
        json_decref(body);
        nqi_error_field(&err, NQI_EINVAL, "ids", "a list of 1-%d identifiers", PUBLISH_MAX_IDS);
        http_resp_problem(w, r, &err);
        return;
    }
    char **ids = xcalloc(nids, sizeof *ids);
    for (size_t i = 0; i < nids; i++) {
        char field[32], canon[GS1_CANON_MAX + 64];
        snprintf(field, sizeof field, "ids/%zu", i);
        const char *s = json_string_value(json_array_get(jids, i));
        if (!s)
            nqi_error_field(&err, NQI_EINVAL, field, "an identifier (string)");
        else if (!publish_id(s, field, canon, sizeof canon, &err))
            ids[i] = xstrdup(canon);
    }
    int64_t changed = 0, skipped = 0;
    json_t *walk = NULL, *set = json_object();
    int rc = err.code ? err.code : store_begin(r->db, true, &err);
    for (size_t i = 0; !rc && i < nids; i++)
        rc = collect_direct(r->db, ids[i], set, &err);
    if (!rc && backward) {
        trace_opts o = {.dir = TRACE_BACKWARD, .ids = (const char *const *)ids,
                        .nids = (int)nids, .max_depth = 64, .from_ms = INT64_MIN,
                        .to_ms = INT64_MAX, .vis = {.all = true}};
        rc = trace_walk(r->db, &o, &walk, &err);
        size_t k;
        json_t *ev;
        json_array_foreach(json_object_get(walk, "events"), k, ev)
        {
            const char *eid = json_string_value(json_object_get(ev, "eventID"));
            if (eid)
                json_object_set_new(set, eid, json_true());
        }
    }
    const char *eid;
    json_t *unused;
    json_object_foreach(set, eid, unused)
    {
        if (rc)
            break;
        rc = mark(r->db, eid, pub, org, &changed, &skipped, &err);
    }
    json_decref(set);
    json_t *out = rc ? NULL
                     : json_pack("{s:b, s:I, s:I, s:O}", "public", pub, "changed",
                                 (json_int_t)changed, "skipped_other_owners",
                                 (json_int_t)skipped, "ids", jids);
    if (!rc)
        rc = audit_record(r->db, &r->principal, pub ? "trace.publish" : "trace.unpublish",
                          "epcis_events", ids[0], NULL, out, &err);
    if (!rc)
        rc = store_commit(r->db, &err);
    if (rc)
        store_rollback(r->db);
    for (size_t i = 0; i < nids; i++)
        free(ids[i]);
    free(ids);
    json_decref(walk);
    json_decref(body);
    if (rc) {
        json_decref(out);
        http_resp_problem(w, r, &err);
        return;
    }
    http_resp_json(w, 200, out);
}

void trace_publish_routes(http_server *s)
{
    http_route(s, "POST", "/api/v1/trace/publish", ROLE_ENTERPRISE | ROLE_REGULATOR | ROLE_ADMIN,
               h_publish, 64 * 1024,
               "mark the caller's events about lots (and their backward trace) public for the "
               "consumer page, or private again");
}
