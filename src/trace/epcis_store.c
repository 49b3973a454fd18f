/*
 * epcis_store.c — one normalised event into epcis_events (the queryable
 * columns plus the event as JSON) and every identifier it names into
 * epcis_event_ids (db/migrations/sqlite/0011_trace.sql). Runs inside the
 * caller's write transaction; prepared statements are cached by the store.
 *
 * Duplicates cost no SELECT: the insert is ON CONFLICT (event_id) DO
 * NOTHING RETURNING id, so a second capture returns no row (NQI_ECONFLICT)
 * and the transaction stays usable — also on PostgreSQL, where a failed
 * statement would abort it. Only an event with an errorDeclaration looks
 * its eventID up first: it marks the stored event rather than adding one.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "core/util.h"
#include "trace/epcis.h"
#include "trace/epcis_internal.h"

static const char SQL_INSERT[] =
    "INSERT INTO epcis_events (event_id, event_hash, event_type, action, event_time, event_tz, "
    "record_time, biz_step, disposition, read_point, biz_location, transformation_id, parent_id, "
    "error_declared_at, error_reason, corrective_ids, owner_org, capture_job, doc) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
    "ON CONFLICT (event_id) DO NOTHING RETURNING id";

#define IDS_PER_STMT 16

typedef struct idrow {
    char role[96];
    const char *ident;
    int is_class;
    bool has_qty;
    double qty;
    const char *uom;
} idrow;

typedef struct idrows {
    idrow *v;
    size_t n, cap;
} idrows;

static idrow *add(idrows *r, const char *role, const char *ident)
{
    if (!ident)
        return NULL;
    if (r->n == r->cap)
        r->v = xrealloc(r->v, (r->cap = r->cap ? r->cap * 2 : 16) * sizeof *r->v);
    idrow *x = &r->v[r->n++];
    memset(x, 0, sizeof *x);
    snprintf(x->role, sizeof x->role, "%s", role);
    x->ident = ident;
    return x;
}

static void ids(idrows *r, const json_t *ev, const char *list, const char *role)
{
    size_t i;
    json_t *e;
    json_array_foreach(json_object_get(ev, list), i, e) add(r, role, json_string_value(e));
}

static void qtys(idrows *r, const json_t *ev, const char *list, const char *role)
{
    size_t i;
    json_t *e;
    json_array_foreach(json_object_get(ev, list), i, e)
    {
        idrow *x = add(r, role, json_string_value(json_object_get(e, "epcClass")));
        if (!x)
            continue;
        x->is_class = 1;
        json_t *q = json_object_get(e, "quantity");
        if (q) {
            x->has_qty = true;
            x->qty = json_number_value(q);
        }
        x->uom = json_string_value(json_object_get(e, "uom"));
    }
}

static void typed(idrows *r, const json_t *ev, const char *list, const char *item,
                  const char *role)
{
    size_t i;
    json_t *e;
    json_array_foreach(json_object_get(ev, list), i, e)
    {
        const char *t = json_string_value(json_object_get(e, "type"));
        char rl[96];
        if (t)
            snprintf(rl, sizeof rl, "%s:%s", role, t);
        else
            snprintf(rl, sizeof rl, "%s", role);
        add(r, rl, json_string_value(json_object_get(e, item)));
    }
}

/* Every identifier of the event, by role (see the 0011 migration). */
static void collect(idrows *r, const json_t *ev)
{
    ids(r, ev, "epcList", "epc");
    qtys(r, ev, "quantityList", "epc");
    add(r, "parent", json_string_value(json_object_get(ev, "parentID")));
    ids(r, ev, "childEPCs", "child");
    qtys(r, ev, "childQuantityList", "child");
    ids(r, ev, "inputEPCList", "input");
    qtys(r, ev, "inputQuantityList", "input");
    ids(r, ev, "outputEPCList", "output");
    qtys(r, ev, "outputQuantityList", "output");
    typed(r, ev, "sourceList", "source", "source");
    typed(r, ev, "destinationList", "destination", "destination");
    typed(r, ev, "bizTransactionList", "bizTransaction", "biz_transaction");
}

/* Identifier rows in multi-row INSERTs of up to IDS_PER_STMT rows (one
 * round trip on PostgreSQL, one statement step on SQLite). */
static int insert_ids(store_conn *c, int64_t event, const idrows *r, nqi_error *err)
{
    for (size_t off = 0; off < r->n; off += IDS_PER_STMT) {
        size_t n = r->n - off < IDS_PER_STMT ? r->n - off : IDS_PER_STMT;
        char sql[128 + IDS_PER_STMT * 24];
        int len = snprintf(sql, sizeof sql,
                           "INSERT INTO epcis_event_ids (event, role, ident, is_class, quantity, "
                           "uom) VALUES ");
        store_val p[IDS_PER_STMT * 6];
        for (size_t i = 0; i < n; i++) {
            const idrow *x = &r->v[off + i];
            len += snprintf(sql + len, sizeof sql - (size_t)len, "%s(?, ?, ?, ?, ?, ?)",
                            i ? ", " : "");
            p[i * 6] = SV_INT(event);
            p[i * 6 + 1] = SV_TEXT(x->role);
            p[i * 6 + 2] = SV_TEXT(x->ident);
            p[i * 6 + 3] = SV_INT(x->is_class);
            p[i * 6 + 4] = x->has_qty ? SV_REAL(x->qty) : SV_NULL;
            p[i * 6 + 5] = SV_TEXT(x->uom);
        }
        int rc = store_exec(c, sql, p, (int)(n * 6), NULL, err);
        if (rc)
            return rc;
    }
    return 0;
}

static const char *loc_id(const json_t *ev, const char *name)
{
    return json_string_value(json_object_get(json_object_get(ev, name), "id"));
}

/* An error declaration for an event we hold: mark it. 1 = handled,
 * 0 = no such event (store it as a new one), <0 = error. */
static int declare_error(store_conn *c, const epcis_event *e, int64_t decl, const char *reason,
                         const char *corr, const char *doc, int64_t *row_id, nqi_error *err)
{
    store_val p[] = {SV_TEXT(e->event_id)};
    store_rows *rows;
    int rc = store_query(c,
                         "SELECT id, event_hash, error_declared_at FROM epcis_events "
                         "WHERE event_id = ?",
                         p, 1, &rows, err);
    if (rc)
        return rc;
    int found = store_next(rows);
    int64_t id = 0;
    bool same = false, declared = false;
    if (found == 1) {
        id = store_int(rows, 0);
        same = !strcmp(store_text(rows, 1), e->hash);
        declared = !store_isnull(rows, 2);
    }
    if (found < 0)
        rc = store_rows_error(rows, err);
    store_rows_close(rows);
    if (rc)
        return rc;
    if (found != 1)
        return 0;
    if (!same)
        return nqi_error_set(err, NQI_ECONFLICT,
                             "eventID %s is already captured with different content; an error "
                             "declaration must repeat the event it declares erroneous",
                             e->event_id);
    if (declared)
        return nqi_error_set(err, NQI_ECONFLICT, "event %s is already declared erroneous",
                             e->event_id);
    store_val u[] = {SV_INT(decl), SV_TEXT(reason), SV_TEXT(corr), SV_TEXT(doc), SV_INT(id)};
    rc = store_exec(c,
                    "UPDATE epcis_events SET error_declared_at = ?, error_reason = ?, "
                    "corrective_ids = ?, doc = ? WHERE id = ?",
                    u, 5, NULL, err);
    if (!rc)
        *row_id = id;
    return rc ? rc : 1;
}

int epcis_event_store(store_conn *c, const epcis_event *e, const char *owner_org, int64_t job,
                      int64_t record_time, int64_t *row_id, nqi_error *err)
{
    const json_t *ev = e->doc;
    char rt[32];
    epcis_time_format(record_time, rt);
    json_object_set_new((json_t *)ev, "recordTime", json_string(rt));
    char *doc = json_dumps(ev, JSON_COMPACT | JSON_PRESERVE_ORDER);
    const json_t *ed = json_object_get(ev, "errorDeclaration");
    int64_t decl = 0;
    const char *reason = NULL;
    char *corr = NULL;
    int rc = 0;
    if (ed) {
        epcis_time_parse(json_string_value(json_object_get(ed, "declarationTime")), &decl);
        reason = json_string_value(json_object_get(ed, "reason"));
        const json_t *ci = json_object_get(ed, "correctiveEventIDs");
        if (json_array_size(ci))
            corr = json_dumps(ci, JSON_COMPACT);
        rc = declare_error(c, e, decl, reason, corr, doc, row_id, err);
        if (rc) {
            free(doc);
            free(corr);
            return rc < 0 ? rc : 0;
        }
    }
    store_val p[] = {
        SV_TEXT(e->event_id),
        SV_TEXT(e->hash),
        SV_TEXT(e->type),
        SV_TEXT(json_string_value(json_object_get(ev, "action"))),
        SV_INT(e->event_time),
        SV_TEXT(json_string_value(json_object_get(ev, "eventTimeZoneOffset"))),
        SV_INT(record_time),
        SV_TEXT(json_string_value(json_object_get(ev, "bizStep"))),
        SV_TEXT(json_string_value(json_object_get(ev, "disposition"))),
        SV_TEXT(loc_id(ev, "readPoint")),
        SV_TEXT(loc_id(ev, "bizLocation")),
        SV_TEXT(json_string_value(json_object_get(ev, "transformationID"))),
        SV_TEXT(json_string_value(json_object_get(ev, "parentID"))),
        ed ? SV_INT(decl) : SV_NULL,
        SV_TEXT(reason),
        SV_TEXT(corr),
        SV_TEXT(owner_org),
        job ? SV_INT(job) : SV_NULL,
        SV_TEXT(doc),
    };
    int64_t id = 0;
    rc = store_query_int(c, SQL_INSERT, p, (int)(sizeof p / sizeof p[0]), &id, err);
    free(doc);
    free(corr);
    if (rc == NQI_ENOTFOUND) {
        nqi_error_clear(err);
        return nqi_error_set(err, NQI_ECONFLICT,
                             "event %s is already captured (same eventID%s)", e->event_id,
                             strncmp(e->event_id, "ni:///", 6) ? "" : ", i.e. the same event hash");
    }
    if (rc)
        return rc;
    idrows r = {0};
    collect(&r, ev);
    rc = insert_ids(c, id, &r, err);
    free(r.v);
    if (!rc)
        *row_id = id;
    return rc;
}
