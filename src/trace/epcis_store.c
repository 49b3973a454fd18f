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

#define IDS_PER_STMT 100   /* reference rows per INSERT (700 parameters) */
#define EVENTS_PER_STMT 50 /* events per INSERT (950 parameters) */
#define NCOLS 19

typedef struct idrow {
    int64_t event; /* epcis_events.id */
    char role[96];
    const char *ident;
    int64_t ident_id; /* epcis_idents.id, once numbered */
    int64_t seq;      /* position among the event's references */
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

static void typed(idrows *r, const json_t *ev, const char *list, const char *item, const char *role)
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
static void collect(idrows *r, const json_t *ev, int64_t event)
{
    size_t first = r->n;
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
    for (size_t i = first; i < r->n; i++) {
        r->v[i].event = event;
        r->v[i].seq = (int64_t)(i - first);
    }
}

/* ---- identifiers: epcis_idents numbers, epcis_event_refs rows ---------- */

#define IDENTS_PER_STMT 200 /* identifiers per SELECT / INSERT of epcis_idents */

static int by_ident(const void *a, const void *b)
{
    const idrow *x = *(idrow *const *)a, *y = *(idrow *const *)b;
    return strcmp(x->ident, y->ident);
}

/* Set ident_id of every row of u[0..n) (distinct identifiers, sorted) from
 * the answer rows (id, ident) of one statement. */
static int take_ids(store_rows *rs, idrow **u, size_t n, nqi_error *err)
{
    int rc;
    while ((rc = store_next(rs)) == 1) {
        idrow key = {.ident = store_text(rs, 1)}, *kp = &key;
        idrow **hit = bsearch(&kp, u, n, sizeof *u, by_ident);
        if (hit)
            (*hit)->ident_id = store_int(rs, 0);
    }
    if (rc < 0)
        rc = store_rows_error(rs, err);
    store_rows_close(rs);
    return rc;
}

/* Statements over the identifiers of u[0..n) still without a number:
 * SELECT the known ones (insert = false) or INSERT the new ones. */
static int ident_round(store_conn *c, idrow **u, size_t n, bool insert, nqi_error *err)
{
    for (size_t off = 0; off < n;) {
        buf sql;
        buf_init(&sql, 0);
        buf_puts(&sql, insert ? "INSERT INTO epcis_idents (ident) VALUES "
                              : "SELECT id, ident FROM epcis_idents WHERE ident IN (");
        store_val p[IDENTS_PER_STMT];
        int np = 0;
        for (; off < n && np < IDENTS_PER_STMT; off++) {
            if (u[off]->ident_id)
                continue;
            buf_puts(&sql, np ? (insert ? ", (?)" : ", ?") : (insert ? "(?)" : "?"));
            p[np++] = SV_TEXT(u[off]->ident);
        }
        buf_puts(&sql, insert ? " ON CONFLICT (ident) DO NOTHING RETURNING id, ident" : ")");
        int rc = 0;
        if (np) {
            store_rows *rs;
            rc = store_query(c, sql.data, p, np, &rs, err);
            if (!rc)
                rc = take_ids(rs, u, n, err);
        }
        buf_free(&sql);
        if (rc)
            return rc;
    }
    return 0;
}

/* Number every identifier of r: known ones are looked up, new ones added
 * (numbered in order of first sight, which keeps the references index
 * local), and a last lookup finds any that a concurrent capture added
 * between the two (PostgreSQL; ON CONFLICT DO NOTHING returns no row). */
static int number_idents(store_conn *c, idrows *r, nqi_error *err)
{
    idrow **u = xmalloc((r->n ? r->n : 1) * sizeof *u);
    for (size_t i = 0; i < r->n; i++)
        u[i] = &r->v[i];
    qsort(u, r->n, sizeof *u, by_ident);
    size_t n = 0; /* u[0..n): one row per distinct identifier */
    for (size_t i = 0; i < r->n; i++)
        if (!n || strcmp(u[n - 1]->ident, u[i]->ident))
            u[n++] = u[i];
    int rc = ident_round(c, u, n, false, err);
    if (!rc)
        rc = ident_round(c, u, n, true, err);
    if (!rc)
        rc = ident_round(c, u, n, false, err);
    for (size_t i = 0; !rc && i < r->n; i++) {
        idrow *x = &r->v[i], **hit = bsearch(&x, u, n, sizeof *u, by_ident);
        x->ident_id = hit ? (*hit)->ident_id : 0;
        if (!x->ident_id)
            rc = nqi_error_set(err, NQI_EDB, "identifier %s could not be numbered", x->ident);
    }
    free(u);
    return rc;
}

static int by_ref(const void *a, const void *b)
{
    const idrow *x = a, *y = b;
    if (x->ident_id != y->ident_id)
        return x->ident_id < y->ident_id ? -1 : 1;
    int c = strcmp(x->role, y->role);
    if (c)
        return c;
    if (x->event != y->event)
        return x->event < y->event ? -1 : 1;
    return (x->seq > y->seq) - (x->seq < y->seq);
}

/* Reference rows in multi-row INSERTs of up to IDS_PER_STMT rows, in
 * (ident, role, event) order so the index takes them in one pass. */
static int insert_ids(store_conn *c, idrows *r, nqi_error *err)
{
    if (!r->n) /* an event naming no identifier (r->v may be NULL) */
        return 0;
    int rc = number_idents(c, r, err);
    if (rc)
        return rc;
    qsort(r->v, r->n, sizeof *r->v, by_ref);
    for (size_t off = 0; off < r->n; off += IDS_PER_STMT) {
        size_t n = r->n - off < IDS_PER_STMT ? r->n - off : IDS_PER_STMT;
        char sql[128 + IDS_PER_STMT * 28];
        int len = snprintf(sql, sizeof sql,
                           "INSERT INTO epcis_event_refs (ident, role, event, seq, is_class, "
                           "quantity, uom) VALUES ");
        store_val p[IDS_PER_STMT * 7];
        for (size_t i = 0; i < n; i++) {
            const idrow *x = &r->v[off + i];
            len += snprintf(sql + len, sizeof sql - (size_t)len, "%s(?, ?, ?, ?, ?, ?, ?)",
                            i ? ", " : "");
            store_val *v = p + i * 7;
            v[0] = SV_INT(x->ident_id);
            v[1] = SV_TEXT(x->role);
            v[2] = SV_INT(x->event);
            v[3] = SV_INT(x->seq);
            v[4] = SV_INT(x->is_class);
            v[5] = x->has_qty ? SV_REAL(x->qty) : SV_NULL;
            v[6] = SV_TEXT(x->uom);
        }
        rc = store_exec(c, sql, p, (int)(n * 7), NULL, err);
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

/* What an event's row needs besides the event: the document text (with
 * recordTime) and the error-declaration columns. */
typedef struct prepared {
    char *doc, *corr;
    const json_t *ed;
    int64_t decl;
    const char *reason;
} prepared;

static void prepare(const epcis_event *e, int64_t record_time, prepared *pp)
{
    json_t *ev = e->doc;
    char rt[32];
    epcis_time_format(record_time, rt);
    memset(pp, 0, sizeof *pp);
    size_t n = e->json ? strlen(e->json) : 0;
    if (n > 2 && e->json[n - 1] == '}') {
        /* prepared: recordTime goes last, where json_object_set_new would
         * have put it (the normalised event never carries one) */
        pp->doc = xasprintf("%.*s,\"recordTime\":\"%s\"}", (int)(n - 1), e->json, rt);
    } else {
        json_object_set_new(ev, "recordTime", json_string(rt));
        pp->doc = json_dumps(ev, JSON_COMPACT | JSON_PRESERVE_ORDER);
    }
    pp->ed = json_object_get(ev, "errorDeclaration");
    if (pp->ed) {
        epcis_time_parse(json_string_value(json_object_get(pp->ed, "declarationTime")), &pp->decl);
        pp->reason = json_string_value(json_object_get(pp->ed, "reason"));
        const json_t *ci = json_object_get(pp->ed, "correctiveEventIDs");
        if (json_array_size(ci))
            pp->corr = json_dumps(ci, JSON_COMPACT);
    }
}

void epcis_events_prepare(epcis_doc *d)
{
    for (size_t i = 0; i < d->n; i++)
        if (!d->ev[i].json && !json_object_get(d->ev[i].doc, "recordTime"))
            d->ev[i].json = json_dumps(d->ev[i].doc, JSON_COMPACT | JSON_PRESERVE_ORDER);
}

static void release(prepared *pp)
{
    free(pp->doc);
    free(pp->corr);
    memset(pp, 0, sizeof *pp);
}

static void bind_event(const epcis_event *e, const prepared *pp, const char *owner_org, int64_t job,
                       int64_t record_time, store_val p[NCOLS])
{
    const json_t *ev = e->doc;
    store_val v[NCOLS] = {
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
        pp->ed ? SV_INT(pp->decl) : SV_NULL,
        SV_TEXT(pp->reason),
        SV_TEXT(pp->corr),
        SV_TEXT(owner_org),
        job ? SV_INT(job) : SV_NULL,
        SV_TEXT(pp->doc),
    };
    memcpy(p, v, sizeof v);
}

static int conflict(const epcis_event *e, nqi_error *err)
{
    return nqi_error_set(err, NQI_ECONFLICT, "event %s is already captured (same eventID%s)",
                         e->event_id,
                         strncmp(e->event_id, "ni:///", 6) ? "" : ", i.e. the same event hash");
}

int epcis_event_store(store_conn *c, const epcis_event *e, const char *owner_org, int64_t job,
                      int64_t record_time, int64_t *row_id, nqi_error *err)
{
    prepared pp;
    prepare(e, record_time, &pp);
    int rc = 0;
    if (pp.ed && (rc = declare_error(c, e, pp.decl, pp.reason, pp.corr, pp.doc, row_id, err))) {
        release(&pp);
        return rc < 0 ? rc : 0;
    }
    store_val p[NCOLS];
    bind_event(e, &pp, owner_org, job, record_time, p);
    int64_t id = 0;
    rc = store_query_int(c, SQL_INSERT, p, NCOLS, &id, err);
    release(&pp);
    if (rc == NQI_ENOTFOUND) {
        nqi_error_clear(err);
        return conflict(e, err);
    }
    if (rc)
        return rc;
    idrows r = {0};
    collect(&r, e->doc, id);
    rc = insert_ids(c, &r, err);
    free(r.v);
    if (!rc)
        *row_id = id;
    return rc;
}

/* One multi-row INSERT of ev[0..n) (none with an errorDeclaration);
 * rows[i] = the new id, 0 when the eventID was already there (or earlier
 * in the same statement: the first occurrence wins, as the database keeps
 * the first of the VALUES). */
static int insert_chunk(store_conn *c, const epcis_event *ev, size_t n, const char *owner_org,
                        int64_t job, int64_t record_time, int64_t *rows, nqi_error *err)
{
    static const char head[] =
        "INSERT INTO epcis_events (event_id, event_hash, event_type, action, event_time, "
        "event_tz, record_time, biz_step, disposition, read_point, biz_location, "
        "transformation_id, parent_id, error_declared_at, error_reason, corrective_ids, "
        "owner_org, capture_job, doc) VALUES ";
    buf sql;
    buf_init(&sql, 0);
    buf_puts(&sql, head);
    store_val *p = xmalloc(n * NCOLS * sizeof *p);
    prepared *pp = xmalloc(n * sizeof *pp);
    for (size_t i = 0; i < n; i++) {
        prepare(&ev[i], record_time, &pp[i]);
        bind_event(&ev[i], &pp[i], owner_org, job, record_time, p + i * NCOLS);
        buf_puts(&sql, i ? ", (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                         : "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
        rows[i] = 0;
    }
    buf_puts(&sql, " ON CONFLICT (event_id) DO NOTHING RETURNING id, event_id");
    store_rows *r;
    int rc = store_query(c, sql.data, p, (int)(n * NCOLS), &r, err);
    if (!rc) {
        while ((rc = store_next(r)) == 1) {
            const char *id = store_text(r, 1);
            for (size_t i = 0; i < n; i++)
                if (!rows[i] && !strcmp(ev[i].event_id, id)) {
                    rows[i] = store_int(r, 0);
                    break;
                }
        }
        if (rc < 0)
            rc = store_rows_error(r, err);
        store_rows_close(r);
    }
    for (size_t i = 0; i < n; i++)
        release(&pp[i]);
    free(pp);
    free(p);
    buf_free(&sql);
    return rc;
}

int epcis_events_store(store_conn *c, const epcis_event *ev, size_t n, const char *owner_org,
                       int64_t job, int64_t record_time, epcis_conflict_fn on_conflict, void *ctx,
                       size_t *stored, nqi_error *err)
{
    int64_t rows[EVENTS_PER_STMT];
    idrows ids = {0};
    int rc = 0;
    *stored = 0;
    for (size_t off = 0; !rc && off < n;) {
        if (ev[off].error_declared) {
            /* rare: may mark a stored event instead of adding one */
            int64_t row;
            nqi_error e = {0};
            int r = epcis_event_store(c, &ev[off], owner_org, job, record_time, &row, &e);
            if (r == NQI_ECONFLICT)
                on_conflict(ctx, &ev[off], e.message);
            else if (r)
                rc = (*err = e, r);
            else
                (*stored)++;
            off++;
            continue;
        }
        size_t k = 0;
        while (off + k < n && k < EVENTS_PER_STMT && !ev[off + k].error_declared)
            k++;
        rc = insert_chunk(c, ev + off, k, owner_org, job, record_time, rows, err);
        for (size_t i = 0; !rc && i < k; i++) {
            if (rows[i]) {
                collect(&ids, ev[off + i].doc, rows[i]);
                (*stored)++;
            } else {
                nqi_error e = {0};
                conflict(&ev[off + i], &e);
                on_conflict(ctx, &ev[off + i], e.message);
            }
        }
        off += k;
    }
    /* All the document's references at once: its new identifiers are
     * numbered in one sorted pass, so two captures that introduce the same
     * identifiers at the same time take their locks in the same order
     * (PostgreSQL: no deadlock between them), in few statements. */
    if (!rc)
        rc = insert_ids(c, &ids, err);
    free(ids.v);
    return rc;
}
