/*
 * capture.c — EPCIS capture jobs (epcis_capture_jobs).
 *
 * A capture is two transactions: (1) the job row is committed as 'running'
 * so it can be listed while it runs; (2) the events, the job's final status
 * and the audit record commit together. A crash between or during (2)
 * leaves no event of the document and a 'running' row, which the module's
 * start hook turns into 'failed' ("interrupted") — a job is complete or
 * failed, never half-applied.
 *
 * (2) first updates its own job row, which holds that row's lock until the
 * commit: on PostgreSQL another server's start hook (UPDATE … WHERE status =
 * 'running') waits for a live capture instead of failing it, and sees the
 * final status once it commits.
 *
 * rollback (default): any invalid event or duplicate fails the job and
 * nothing is stored. proceed: valid events are stored, the others listed
 * in errors; the job is 'success' only when there was no error (EPCIS 2.0
 * "success": false otherwise).
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/audit.h"
#include "core/http.h"
#include "core/json.h"
#include "core/page.h"
#include "core/util.h"
#include "trace/epcis.h"
#include "trace/epcis_internal.h"

static int job_finish(store_conn *c, int64_t job, const char *status, int64_t captured,
                      const json_t *errors, nqi_error *err)
{
    char *ej = json_dumps(errors, JSON_COMPACT | JSON_PRESERVE_ORDER);
    store_val p[] = {SV_TEXT(status), SV_INT(captured), SV_TEXT(ej), SV_INT(now_ms()), SV_INT(job)};
    int rc = store_exec(c,
                        "UPDATE epcis_capture_jobs SET status = ?, captured = ?, errors = ?, "
                        "finished_at = ? WHERE id = ?",
                        p, 5, NULL, err);
    free(ej);
    return rc;
}

static int job_audit(store_conn *c, const http_principal *actor, int64_t job, const char *status,
                     size_t total, int64_t captured, size_t nerr, nqi_error *err)
{
    char id[24];
    snprintf(id, sizeof id, "%lld", (long long)job);
    json_t *after =
        json_pack("{s:s, s:I, s:I, s:I}", "status", status, "event_count", (json_int_t)total,
                  "captured", (json_int_t)captured, "errors", (json_int_t)nerr);
    int rc = audit_record(c, actor, "epcis.capture", "epcis_capture_job", id, NULL, after, err);
    json_decref(after);
    return rc;
}

static void add_error(json_t *errors, size_t index, const char *field, const char *detail)
{
    if (json_array_size(errors) >= EPCIS_MAX_ERRORS)
        return;
    char f[80];
    snprintf(f, sizeof f, "epcisBody/eventList/%zu/%s", index, field);
    json_array_append_new(errors, json_pack("{s:I, s:s, s:s}", "index", (json_int_t)index, "field",
                                            f, "detail", detail));
}

/* Errors sorted by event index, stable (validation errors and store
 * conflicts arrive in two runs; within an event the field order stays). */
typedef struct eref {
    json_t *e;
    json_int_t index;
    size_t pos;
} eref;

static int by_index(const void *a, const void *b)
{
    const eref *x = a, *y = b;
    if (x->index != y->index)
        return (x->index > y->index) - (x->index < y->index);
    return (x->pos > y->pos) - (x->pos < y->pos);
}

static void sort_errors(json_t *errors)
{
    size_t n = json_array_size(errors);
    if (n < 2)
        return;
    eref *v = xmalloc(n * sizeof *v);
    for (size_t i = 0; i < n; i++) {
        v[i].e = json_incref(json_array_get(errors, i));
        v[i].index = json_integer_value(json_object_get(v[i].e, "index"));
        v[i].pos = i;
    }
    qsort(v, n, sizeof *v, by_index);
    json_array_clear(errors);
    for (size_t i = 0; i < n; i++)
        json_array_append_new(errors, v[i].e);
    free(v);
}

struct conflicts {
    json_t *errors;
    size_t n;
};

static void on_conflict(void *ctx, const epcis_event *e, const char *message)
{
    struct conflicts *cf = ctx;
    cf->n++;
    add_error(cf->errors, e->index, "eventID", message);
}

/* Transaction (2). *captured counts stored events. */
static int store_all(store_conn *c, const http_principal *actor, const epcis_capture_in *in,
                     epcis_doc *d, int64_t job, int64_t *captured, nqi_error *err)
{
    int rc = store_begin(c, true, err);
    store_val pj[] = {SV_INT(job)};
    if (!rc)
        rc = store_exec(c, "UPDATE epcis_capture_jobs SET captured = 0 WHERE id = ?", pj, 1, NULL,
                        err);
    bool invalid = json_array_size(d->errors) && !in->proceed; /* store nothing */
    bool failed = invalid;
    int64_t now = now_ms();
    /* under rollback a conflict does not stop the store: the job reports
     * every duplicate, then nothing is kept */
    struct conflicts cf = {.errors = d->errors};
    size_t stored = 0;
    if (!rc && !invalid)
        rc = epcis_events_store(c, d->ev, d->n, in->owner_org, job, now, on_conflict, &cf, &stored,
                                err);
    *captured = (int64_t)stored;
    if (cf.n && !in->proceed)
        failed = true;
    if (!rc && failed) {
        /* rollback: nothing of the document; the job's failure is recorded
         * in a transaction of its own below */
        store_rollback(c);
        *captured = 0;
        return 1;
    }
    sort_errors(d->errors);
    const char *status = json_array_size(d->errors) ? "failed" : "success";
    if (!rc)
        rc = job_finish(c, job, status, *captured, d->errors, err);
    if (!rc)
        rc = job_audit(c, actor, job, status, d->total, *captured, json_array_size(d->errors), err);
    if (!rc)
        rc = store_commit(c, err);
    if (rc)
        store_rollback(c);
    return rc;
}

int epcis_capture_run_here(store_conn *c, const http_principal *actor, const epcis_capture_in *in,
                           epcis_doc *d, int64_t *job_id, nqi_error *err)
{
    *job_id = 0;
    store_val p[] = {SV_TEXT(in->owner_org), in->created_by ? SV_INT(in->created_by) : SV_NULL,
                     SV_TEXT(in->proceed ? "proceed" : "rollback"), SV_INT((int64_t)d->total),
                     SV_INT(now_ms())};
    int rc = store_begin(c, true, err);
    if (!rc)
        rc = store_query_int(c,
                             "INSERT INTO epcis_capture_jobs (owner_org, created_by, behaviour, "
                             "status, event_count, created_at) VALUES (?, ?, ?, 'running', ?, ?) "
                             "RETURNING id",
                             p, 5, job_id, err);
    if (!rc)
        rc = store_commit(c, err);
    if (rc) {
        store_rollback(c);
        *job_id = 0;
        return rc;
    }
    int64_t captured = 0;
    rc = store_all(c, actor, in, d, *job_id, &captured, err);
    if (rc == 0)
        return 0;
    /* Failed under rollback (rc 1), or the store failed (rc < 0): record
     * the failure; no event of the document is stored. */
    nqi_error e2 = {0};
    if (rc < 0)
        add_error(d->errors, 0, "", err->message);
    sort_errors(d->errors);
    int rc2 = store_begin(c, true, &e2);
    if (!rc2)
        rc2 = job_finish(c, *job_id, "failed", 0, d->errors, &e2);
    if (!rc2)
        rc2 = job_audit(c, actor, *job_id, "failed", d->total, 0, json_array_size(d->errors), &e2);
    if (!rc2)
        rc2 = store_commit(c, &e2);
    if (rc2)
        store_rollback(c);
    return rc < 0 ? rc : 0;
}

/* ---- reading jobs ------------------------------------------------------- */

#define JOB_COLS                                                                                   \
    "SELECT id, owner_org, behaviour, status, event_count, captured, errors, created_at, "         \
    "finished_at FROM epcis_capture_jobs "

static json_t *job_row(store_rows *r, void *ctx)
{
    char ca[32], fa[32];
    time_iso8601(store_int(r, 7), ca, sizeof ca);
    json_error_t je;
    json_t *errors = json_loads(store_text(r, 6) ? store_text(r, 6) : "[]", 0, &je);
    const char *status = store_text(r, 3);
    json_t *o = json_pack("{s:I, s:s, s:s, s:b, s:b, s:s, s:I, s:I, s:o, s:s}", "id",
                          (json_int_t)store_int(r, 0), "captureID", "", "status", status, "running",
                          !strcmp(status, "running"), "success", !strcmp(status, "success"),
                          "captureErrorBehaviour", store_text(r, 2), "event_count",
                          (json_int_t)store_int(r, 4), "captured", (json_int_t)store_int(r, 5),
                          "errors", errors ? errors : json_array(), "createdAt", ca);
    if (!o)
        return NULL;
    char id[24];
    snprintf(id, sizeof id, "%lld", (long long)store_int(r, 0));
    json_object_set_new(o, "captureID", json_string(id));
    if (!store_isnull(r, 8)) {
        time_iso8601(store_int(r, 8), fa, sizeof fa);
        json_object_set_new(o, "finishedAt", json_string(fa));
    } else {
        json_object_set_new(o, "finishedAt", json_null());
    }
    json_object_set_new(o, "owner_org",
                        store_text(r, 1) ? json_string(store_text(r, 1)) : json_null());
    return o;
}

int epcis_capture_job_json(store_conn *c, int64_t id, const char *org, json_t **out, nqi_error *err)
{
    store_val p[] = {SV_INT(id), SV_TEXT(org), SV_TEXT(org)};
    store_rows *r;
    int rc = store_query(c, JOB_COLS "WHERE id = ? AND (CAST(? AS TEXT) IS NULL OR owner_org = ?)",
                         p, 3, &r, err);
    if (rc)
        return rc;
    rc = store_next(r);
    if (rc == 1) {
        *out = job_row(r, NULL);
        rc = *out ? 0 : nqi_error_set(err, NQI_EINTERNAL, "capture job %lld", (long long)id);
    } else if (rc == 0) {
        rc = nqi_error_set(err, NQI_ENOTFOUND, "capture job '%lld' not found", (long long)id);
    } else {
        rc = store_rows_error(r, err);
    }
    store_rows_close(r);
    return rc;
}

int epcis_capture_job_list(store_conn *c, const char *org, int64_t limit, int64_t cursor,
                           json_t **out, nqi_error *err)
{
    store_val p[] = {SV_TEXT(org), SV_TEXT(org), SV_INT(cursor), SV_INT(cursor), SV_INT(limit + 1)};
    store_rows *r;
    int rc = store_query(c,
                         JOB_COLS "WHERE (CAST(? AS TEXT) IS NULL OR owner_org = ?) "
                                  "AND (CAST(? AS BIGINT) = 0 OR id < ?) ORDER BY id DESC LIMIT ?",
                         p, 5, &r, err);
    if (rc)
        return rc;
    return store_page_json(r, limit, job_row, NULL, out, err);
}

int epcis_capture_recover(store_conn *c, int64_t before, int64_t *marked, nqi_error *err)
{
    static const char errors[] =
        "[{\"index\":null,\"field\":\"\",\"detail\":\"interrupted: the server stopped before "
        "the capture finished; no event of the document was stored\"}]";
    store_val p[] = {SV_INT(now_ms()), SV_TEXT(errors), SV_INT(before)};
    int rc = store_begin(c, true, err);
    int64_t n = 0;
    if (!rc)
        rc = store_exec(c,
                        "UPDATE epcis_capture_jobs SET status = 'failed', captured = 0, "
                        "finished_at = ?, errors = ? WHERE status = 'running' AND created_at < ?",
                        p, 3, &n, err);
    if (!rc && n) {
        json_t *after = json_pack("{s:I}", "interrupted_jobs", (json_int_t)n);
        rc = audit_record(c, NULL, "epcis.capture.recover", "epcis_capture_job", "*", NULL, after,
                          err);
        json_decref(after);
    }
    if (!rc)
        rc = store_commit(c, err);
    if (rc)
        store_rollback(c);
    if (marked)
        *marked = n;
    return rc;
}
