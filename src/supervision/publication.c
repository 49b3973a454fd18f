/*
 * publication.c — results on the public portal (公示): a final inspection
 * result or spot-check result becomes a public record, appended to the
 * Merkle log and listed by the public endpoints; the dashboard counts tasks
 * and samples by status and lists what is overdue (a task past its
 * deadline; a final result unpublished past its publication deadline of 20
 * working days). Contract: docs/modules/inspection.md "Publication".
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/audit.h"
#include "core/json.h"
#include "core/page.h"
#include "core/util.h"
#include "supervision/inspection_internal.h"
#include "supervision/internal.h"

/* The public record of a completed task: what was inspected and the result;
 * findings text and the team stay internal (departments are public). */
static json_t *task_record(store_conn *c, const json_t *t, const char *today)
{
    json_t *items = json_array(), *depts = json_array();
    json_t *fs = json_object_get(t, "findings"), *team = json_object_get(t, "team");
    for (size_t i = 0; i < json_array_size(fs); i++) {
        json_t *f = json_array_get(fs, i);
        json_array_append_new(items, json_pack("{s:O, s:O, s:O}", "item_id",
                                               json_object_get(f, "item_id"), "name",
                                               json_object_get(f, "item_name"), "conforms",
                                               json_object_get(f, "conforms")));
    }
    for (size_t i = 0; i < json_array_size(team); i++) {
        json_t *d = json_object_get(json_array_get(team, i), "department");
        bool seen = !json_is_string(d);
        for (size_t k = 0; !seen && k < json_array_size(depts); k++)
            seen = json_equal(json_array_get(depts, k), d);
        if (!seen)
            json_array_append(depts, d);
    }
    return json_pack("{s:s, s:s, s:O, s:O, s:O, s:O, s:O, s:O, s:o, s:O, s:O, s:O, s:o, s:s}",
                     "format", "nqi-inspection-result/v1", "kind", "inspection", "task_id",
                     json_object_get(t, "id"), "credit_code", json_object_get(t, "credit_code"),
                     "entity_name", json_object_get(t, "entity_name"), "region",
                     json_object_get(t, "region"), "source", json_object_get(t, "source"),
                     "draw_id", json_object_get(t, "draw_id"), "items", items, "result",
                     json_object_get(t, "result"), "result_label",
                     json_object_get(t, "result_label"), "inspected_on",
                     json_object_get(t, "inspected_on"), "departments", depts, "published_on",
                     today);
}

static json_t *sample_record(const json_t *s, const char *today)
{
    json_t *failed = json_array(), *res = json_object_get(s, "results");
    for (size_t i = 0; i < json_array_size(res); i++) {
        json_t *r = json_array_get(res, i);
        if (!json_is_true(json_object_get(r, "pass")))
            json_array_append_new(failed, json_pack("{s:O, s:O, s:O, s:O}", "item",
                                                    json_object_get(r, "item"), "standard",
                                                    json_object_get(r, "standard"), "requirement",
                                                    json_object_get(r, "requirement"), "measured",
                                                    json_object_get(r, "measured")));
    }
    json_t *re = json_is_string(json_object_get(s, "recheck_verdict"))
                     ? json_pack("{s:O, s:O}", "tested_on", json_object_get(s, "recheck_on"),
                                 "verdict", json_object_get(s, "recheck_verdict"))
                     : json_null();
    return json_pack(
        "{s:s, s:s, s:O, s:O, s:O, s:O, s:O, s:O, s:O, s:O, s:O, s:O, s:O, s:O, s:O, s:o, s:O, "
        "s:o, s:O, s:s}",
        "format", "nqi-spot-check-result/v1", "kind", "spot_check", "sample_id",
        json_object_get(s, "id"), "sample_no", json_object_get(s, "sample_no"), "spot_check",
        json_object_get(s, "spot_check"), "year", json_object_get(s, "year"), "lab",
        json_object_get(s, "lab"), "product", json_object_get(s, "product"), "specification",
        json_object_get(s, "specification"), "batch", json_object_get(s, "batch"),
        "producer_code", json_object_get(s, "producer_code"), "producer_name",
        json_object_get(s, "producer_name"), "sampled_on", json_object_get(s, "sampled_on"),
        "tested_on", json_object_get(s, "tested_on"), "verdict", json_object_get(s, "verdict"),
        "failed_items", failed, "correction_due", json_object_get(s, "correction_due"),
        "recheck", re, "final_verdict", json_object_get(s, "final_verdict"), "published_on",
        today);
}

int insp_publish(store_conn *c, const http_principal *actor, insp_kind kind, int64_t id,
                 json_t **out, nqi_error *err)
{
    *out = NULL;
    bool own = !store_in_tx(c);
    int rc = own ? store_begin(c, true, err) : 0;
    if (rc)
        return rc;
    char today[11], who[64], ref[24];
    insp_today(today);
    sup_actor_name(actor, who, sizeof who);
    snprintf(ref, sizeof ref, "%lld", (long long)id);
    json_t *cur = NULL, *rec = NULL;
    bool task = kind == INSP_TASK;
    rc = insp_lock(c, task ? "inspection_task" : "spot_sample", id, err);
    if (!rc)
        rc = task ? insp_task_json(c, id, true, &cur, err) : spot_sample_get(c, id, &cur, err);
    const char *st = rc ? "" : json_string_value(json_object_get(cur, "status"));
    if (!rc && task && strcmp(st, "completed"))
        rc = nqi_error_set(err, NQI_ECONFLICT, "inspection task %lld is %s: %s", (long long)id,
                           st,
                           !strcmp(st, "published") ? "already published"
                                                    : "only a completed (signed) result is published");
    if (!rc && !task && !strcmp(st, "sampled"))
        rc = nqi_error_set(err, NQI_ECONFLICT, "sample %lld has no test result yet", (long long)id);
    if (!rc && !task && !json_is_null(json_object_get(cur, "published_at")))
        rc = nqi_error_set(err, NQI_ECONFLICT, "sample %lld's current result is already published",
                           (long long)id);
    if (!rc)
        rec = task ? task_record(c, cur, today) : sample_record(cur, today);
    int64_t idx = 0, pid = 0, now = now_ms();
    if (!rc)
        rc = publog_append(c, task ? "inspection.result" : "spot_check.result", ref, rec, &idx,
                           err);
    char *text = rec ? json_dumps(rec, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    const char *code = json_string_value(json_object_get(cur, task ? "credit_code" : "producer_code"));
    const char *name = json_string_value(json_object_get(cur, task ? "entity_name" : "producer_name"));
    const char *result = json_string_value(json_object_get(cur, task ? "result" : "final_verdict"));
    const char *region = task ? json_string_value(json_object_get(cur, "region")) : "";
    char *preg = NULL; /* a sample's region: its producer's, when in the directory */
    if (!rc && !task) {
        nqi_error e = {0};
        if (!store_query_text(c, "SELECT region FROM entities WHERE credit_code = ?",
                              (store_val[]){SV_TEXT(code)}, 1, &preg, &e))
            region = preg;
    }
    if (!rc)
        rc = store_query_int(
            c,
            "INSERT INTO inspection_publications (kind, ref_id, credit_code, entity_name, result, "
            "region, published_on, record, log_index, published_by, created_at) VALUES (?, ?, ?, "
            "?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            (store_val[]){SV_TEXT(task ? "inspection" : "spot_check"), SV_INT(id), SV_TEXT(code),
                          SV_TEXT(name), SV_TEXT(result), SV_TEXT(region ? region : ""),
                          SV_TEXT(today), SV_TEXT(text), SV_INT(idx), SV_TEXT(who), SV_INT(now)},
            11, &pid, err);
    free(text);
    free(preg);
    if (!rc)
        rc = store_exec(c,
                        task ? "UPDATE inspection_tasks SET status = 'published', published_at = "
                               "?, publication_id = ?, updated_at = ? WHERE id = ?"
                             : "UPDATE spot_samples SET published_at = ?, publication_id = ?, "
                               "updated_at = ? WHERE id = ?",
                        (store_val[]){SV_INT(now), SV_INT(pid), SV_INT(now), SV_INT(id)}, 4, NULL,
                        err);
    if (!rc) {
        json_t *a = json_pack("{s:I, s:I, s:O}", "publication_id", (json_int_t)pid, "log_index",
                              (json_int_t)idx, "record", rec);
        rc = audit_record(c, actor, task ? "inspection.publish" : "spot_check.publish",
                          task ? "inspection_task" : "spot_sample", ref, NULL, a, err);
        json_decref(a);
    }
    json_decref(cur);
    json_decref(rec);
    rc = store_tx_end(c, own, rc, err);
    return rc ? rc : insp_public_get(c, pid, out, err);
}

/* ---------------------------------------------------------------- public */

#define PUB_SQL                                                                                \
    "SELECT id, kind, ref_id, credit_code, entity_name, result, region, published_on, record, " \
    "log_index FROM inspection_publications "

static json_t *pub_row(store_rows *r, void *ctx)
{
    char proof[64];
    snprintf(proof, sizeof proof, "/api/v1/log/proof/%lld", (long long)store_int(r, 9));
    json_t *rec = json_loads(store_text(r, 8), 0, NULL);
    return json_pack("{s:I, s:s, s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:s, s:o}", "id",
                     (json_int_t)store_int(r, 0), "kind", store_text(r, 1), "ref_id",
                     (json_int_t)store_int(r, 2), "credit_code", store_text(r, 3), "entity_name",
                     store_text(r, 4), "result", store_text(r, 5), "result_label",
                     insp_result_label(store_text(r, 5)), "region", store_text(r, 6),
                     "published_on", store_text(r, 7), "log_index", (json_int_t)store_int(r, 9),
                     "proof_url", proof, "record", rec ? rec : json_null());
}

int insp_public_list(store_conn *c, const char *kind, const char *credit_code, const char *region,
                     int64_t limit, int64_t cursor, json_t **out, nqi_error *err)
{
    static const char sql[] = PUB_SQL
        "WHERE id < ? AND (CAST(? AS TEXT) IS NULL OR kind = ?) "
        "AND (CAST(? AS TEXT) IS NULL OR credit_code = ?) "
        "AND (CAST(? AS TEXT) IS NULL OR region LIKE ?) ORDER BY id DESC LIMIT ?";
    *out = NULL;
    char *rp = region ? xasprintf("%s%%", region) : NULL;
    store_rows *r;
    int rc = store_query(c, sql,
                         (store_val[]){SV_INT(cursor > 0 ? cursor : INT64_MAX), SV_TEXT(kind),
                                       SV_TEXT(kind), SV_TEXT(credit_code), SV_TEXT(credit_code),
                                       SV_TEXT(rp), SV_TEXT(rp), SV_INT(limit + 1)},
                         8, &r, err);
    free(rp);
    if (rc)
        return rc;
    return store_page_json(r, limit, pub_row, NULL, out, err);
}

int insp_public_get(store_conn *c, int64_t id, json_t **out, nqi_error *err)
{
    *out = NULL;
    store_rows *r;
    int rc = store_query(c, PUB_SQL "WHERE id = ?", (store_val[]){SV_INT(id)}, 1, &r, err);
    if (rc)
        return rc;
    rc = store_next(r);
    if (rc == 1) {
        *out = pub_row(r, NULL);
        rc = 0;
    } else if (rc == 0)
        rc = nqi_error_field(err, NQI_ENOTFOUND, "id", "publication %lld not found",
                             (long long)id);
    else
        rc = store_rows_error(r, err);
    store_rows_close(r);
    return rc;
}

/* ---------------------------------------------------------------- dashboard */

static int counts(store_conn *c, const char *sql, json_t *into, nqi_error *err)
{
    store_rows *r;
    int rc = store_query(c, sql, NULL, 0, &r, err);
    if (rc)
        return rc;
    while ((rc = store_next(r)) == 1)
        json_object_set_new(into, store_text(r, 0), json_integer(store_int(r, 1)));
    if (rc < 0)
        rc = store_rows_error(r, err);
    store_rows_close(r);
    return rc < 0 ? rc : 0;
}

/* rows (kind, id, credit_code, name, due) of sql -> overdue[] with the
 * number of working days late. */
static int overdue_rows(store_conn *c, const char *sql, const char *kind, const char *reason,
                        const char *today, const workday_cal *cal, json_t *list, int64_t *count,
                        nqi_error *err)
{
    store_rows *r;
    int rc = store_query(c, sql, (store_val[]){SV_TEXT(today)}, 1, &r, err);
    if (rc)
        return rc;
    int32_t t = 0, d = 0;
    date_parse(today, &t);
    while ((rc = store_next(r)) == 1) {
        date_parse(store_text(r, 3), &d);
        (*count)++;
        json_array_append_new(
            list, json_pack("{s:s, s:I, s:s, s:s, s:s, s:s, s:s, s:i}", "kind", kind, "id",
                            (json_int_t)store_int(r, 0), "reason", reason, "credit_code",
                            store_text(r, 1), "name", store_text(r, 2), "due_on",
                            store_text(r, 3), "status", store_text(r, 4), "working_days_late",
                            workday_count(cal, d, t)));
    }
    if (rc < 0)
        rc = store_rows_error(r, err);
    store_rows_close(r);
    return rc < 0 ? rc : 0;
}

int insp_dashboard(store_conn *c, json_t **out, nqi_error *err)
{
    *out = NULL;
    char today[11];
    insp_today(today);
    workday_cal cal;
    int rc = calendar_load(c, &cal, err);
    if (rc)
        return rc;
    json_t *tasks = json_object(), *samples = json_object(), *list = json_array();
    static const char *const tstat[] = {"assigned", "recorded", "completed", "published"};
    static const char *const sstat[] = {"sampled", "tested", "rechecked"};
    for (size_t i = 0; i < 4; i++)
        json_object_set_new(tasks, tstat[i], json_integer(0));
    for (size_t i = 0; i < 3; i++)
        json_object_set_new(samples, sstat[i], json_integer(0));
    int64_t late = 0, tpub = 0, spub = 0;
    rc = counts(c, "SELECT status, COUNT(*) FROM inspection_tasks GROUP BY status", tasks, err);
    if (!rc)
        rc = counts(c, "SELECT status, COUNT(*) FROM spot_samples GROUP BY status", samples, err);
    if (!rc)
        rc = overdue_rows(c,
                          "SELECT id, credit_code, entity_name, due_on, status FROM "
                          "inspection_tasks WHERE status IN ('assigned', 'recorded') AND due_on "
                          "< ? ORDER BY due_on, id",
                          "task", "deadline", today, &cal, list, &late, err);
    if (!rc)
        rc = overdue_rows(c,
                          "SELECT id, credit_code, entity_name, publish_due, status FROM "
                          "inspection_tasks WHERE status = 'completed' AND publish_due < ? "
                          "ORDER BY publish_due, id",
                          "task", "publication", today, &cal, list, &tpub, err);
    if (!rc)
        rc = overdue_rows(c,
                          "SELECT id, producer_code, producer_name, publish_due, status FROM "
                          "spot_samples WHERE status <> 'sampled' AND published_at IS NULL AND "
                          "publish_due < ? ORDER BY publish_due, id",
                          "sample", "publication", today, &cal, list, &spub, err);
    workday_cal_free(&cal);
    if (rc) {
        json_decref(tasks);
        json_decref(samples);
        json_decref(list);
        return rc;
    }
    *out = json_pack("{s:s, s:o, s:o, s:{s:I, s:I, s:I}, s:o}", "today", today, "tasks", tasks,
                     "samples", samples, "overdue_counts", "task_deadline", (json_int_t)late,
                     "task_publication", (json_int_t)tpub, "sample_publication",
                     (json_int_t)spub, "overdue", list);
    return 0;
}
