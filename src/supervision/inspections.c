/*
 * inspections.c — inspection tasks: created from a revealed draw's targets
 * or from a complaint/lead, a team of >= 2 officers (never a conflicted
 * one), a deadline in working days, the on-site record with findings per
 * item and a result category, the team's signatures, recusal. The state
 * machine: assigned -> recorded -> completed (every member signed the same
 * record_hash; credit fact; publication due in 20 working days) ->
 * published (publication.c). Contract: docs/modules/inspection.md.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/audit.h"
#include "core/auth.h"
#include "core/json.h"
#include "core/page.h"
#include "core/util.h"
#include "supervision/credit.h"
#include "supervision/credit_code.h"
#include "supervision/inspection_internal.h"
#include "supervision/internal.h"

#define TEAM_MAX 16
#define ITEMS_MAX 64

static const char *const results[][2] = {
    {"normal", "未发现问题"},
    {"not_published", "未按规定公示应当公示的信息"},
    {"false_info", "公示信息隐瞒真实情况弄虚作假"},
    {"unreachable", "通过登记的住所（经营场所）无法联系"},
    {"ordered_to_correct", "发现问题已责令改正"},
    {"refused", "不配合检查情节严重"},
};

const char *insp_result_label(const char *r)
{
    for (size_t i = 0; r && i < sizeof results / sizeof *results; i++)
        if (!strcmp(r, results[i][0]))
            return results[i][1];
    if (r && !strcmp(r, "pass"))
        return "合格";
    if (r && !strcmp(r, "fail"))
        return "不合格";
    return "";
}

bool insp_result_ok(const char *r)
{
    for (size_t i = 0; r && i < sizeof results / sizeof *results; i++)
        if (!strcmp(r, results[i][0]))
            return true;
    return false;
}

bool insp_text_ok(const char *s, size_t maxchars)
{
    return !s || (utf8_valid(s, strlen(s)) && utf8_count(s) <= maxchars);
}

int insp_json_date(json_t *in, const char *key, const char *def, bool future, char out[11],
                   nqi_error *err)
{
    const char *s = def;
    if (json_get_str(in, key, def == NULL, 10, &s, err))
        return err->code;
    int32_t d, today;
    char t[11];
    insp_today(t);
    date_parse(t, &today);
    if (!date_parse(s, &d))
        return nqi_error_field(err, NQI_EINVAL, key, "a date YYYY-MM-DD");
    if (!future && d > today)
        return nqi_error_field(err, NQI_EINVAL, key, "%s lies in the future (today is %s)", s, t);
    memcpy(out, s, 11);
    return 0;
}

int insp_lock(store_conn *c, const char *what, int64_t id, nqi_error *err)
{
    char name[64];
    snprintf(name, sizeof name, "%s:%lld", what, (long long)id);
    return store_tx_lock(c, name, err);
}

/* ---------------------------------------------------------------- who acts */

bool insp_actor_inspector(store_conn *c, const http_principal *a, char code[65])
{
    code[0] = 0;
    if (!a || a->role != ROLE_INSPECTOR)
        return false;
    const char *name = a->username;
    if (a->via_token && !strncmp(name, "token:", 6)) {
        const char *colon = strchr(name + 6, ':');
        name = colon ? colon + 1 : "";
    }
    char *v = NULL;
    nqi_error e = {0};
    if (!*name || store_query_text(c, "SELECT code FROM inspectors WHERE LOWER(code) = LOWER(CAST(? AS TEXT))",
                                   (store_val[]){SV_TEXT(name)}, 1, &v, &e))
        return false;
    snprintf(code, 65, "%s", v);
    free(v);
    return true;
}

bool insp_is_member(store_conn *c, int64_t task, const char *code)
{
    int64_t n = 0;
    nqi_error e = {0};
    store_query_int(c,
                    "SELECT COUNT(*) FROM inspection_members WHERE task_id = ? AND "
                    "inspector_code = ?",
                    (store_val[]){SV_INT(task), SV_TEXT(code)}, 2, &n, &e);
    return n > 0;
}

int insp_may_record(store_conn *c, const http_principal *actor, int64_t task_id, nqi_error *err)
{
    if (actor->role & (ROLE_REGULATOR | ROLE_ADMIN))
        return 0;
    char code[65];
    if (actor->role == ROLE_INSPECTOR && insp_actor_inspector(c, actor, code) &&
        insp_is_member(c, task_id, code))
        return 0;
    return nqi_error_set(err, NQI_EFORBIDDEN,
                         "only the task's team members (account name = inspector code) or "
                         "regulators may change this record");
}

/* ---------------------------------------------------------------- reading */

#define TASK_COLS                                                                               \
    "t.id, t.source, t.draw_uid, t.reason, t.credit_code, t.entity_name, t.region, t.status, "  \
    "t.assigned_on, t.working_days, t.due_on, t.inspected_on, t.result, t.summary, "            \
    "t.record_hash, t.completed_on, t.publish_due, t.published_at, t.publication_id, "          \
    "t.created_by, t.created_at, t.updated_at"

static json_t *iso_or_null(store_rows *r, int col)
{
    char b[32];
    return store_isnull(r, col) ? json_null() : json_string(time_iso8601(store_int(r, col), b, 32));
}

static json_t *task_row(store_rows *r, const char *today)
{
    const char *status = store_text(r, 7);
    const char *due = store_text(r, 10), *pdue = store_text(r, 16);
    bool open = !strcmp(status, "assigned") || !strcmp(status, "recorded");
    bool overdue = open && strcmp(due, today) < 0;
    bool pub_overdue = !strcmp(status, "completed") && pdue && strcmp(pdue, today) < 0;
    const char *res = store_text(r, 12);
    char c1[32], c2[32];
    json_t *j = json_pack(
        "{s:I, s:s, s:s?, s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:s, s:b, s:s?, s:s?, s:s?, s:s, "
        "s:s?, s:s?, s:s?, s:b, s:o, s:o?, s:s, s:s, s:s}",
        "id", (json_int_t)store_int(r, 0), "source", store_text(r, 1), "draw_id",
        store_text(r, 2), "reason", store_text(r, 3), "credit_code", store_text(r, 4),
        "entity_name", store_text(r, 5), "region", store_text(r, 6), "status", status,
        "assigned_on", store_text(r, 8), "working_days", (json_int_t)store_int(r, 9), "due_on",
        due, "overdue", overdue, "inspected_on", store_text(r, 11), "result", res,
        "result_label", res ? insp_result_label(res) : NULL, "summary", store_text(r, 13),
        "record_hash", store_text(r, 14), "completed_on", store_text(r, 15), "publish_due", pdue,
        "publication_overdue", pub_overdue, "published_at", iso_or_null(r, 17),
        "publication_id", store_isnull(r, 18) ? NULL : json_integer(store_int(r, 18)),
        "created_by", store_text(r, 19), "created_at", time_iso8601(store_int(r, 20), c1, 32),
        "updated_at", time_iso8601(store_int(r, 21), c2, 32));
    return j;
}

/* A row of the task list (store_page_json); ctx is today's date. */
static json_t *task_page_row(store_rows *r, void *ctx)
{
    return task_row(r, ctx);
}

/* Run sql (one int64 parameter) and append fn(row) for each row to arr. */
static int rows_into(store_conn *c, const char *sql, int64_t id, json_t *arr,
                     json_t *(*fn)(store_rows *r, int64_t task), nqi_error *err)
{
    store_rows *r;
    int rc = store_query(c, sql, (store_val[]){SV_INT(id)}, 1, &r, err);
    if (rc)
        return rc;
    while ((rc = store_next(r)) == 1)
        json_array_append_new(arr, fn(r, id));
    if (rc < 0)
        rc = store_rows_error(r, err);
    store_rows_close(r);
    return rc < 0 ? rc : 0;
}

static json_t *member_row(store_rows *r, int64_t task)
{
    return json_pack("{s:s, s:s?, s:s?, s:b, s:b, s:o}", "id", store_text(r, 0), "name",
                     store_text(r, 1), "department", store_text(r, 2), "lead",
                     store_int(r, 3) == 0, "signed", !store_isnull(r, 4), "signed_at",
                     iso_or_null(r, 4));
}

static json_t *finding_row(store_rows *r, int64_t task)
{
    return json_pack("{s:I, s:s, s:o, s:s}", "item_id", (json_int_t)store_int(r, 0), "item_name",
                     store_text(r, 1),
                     "conforms", store_isnull(r, 2) ? json_null() : json_boolean(store_int(r, 2)),
                     "finding", store_text(r, 3));
}

static json_t *attachment_row(store_rows *r, int64_t task)
{
    char u[96], at[32];
    snprintf(u, sizeof u, "/api/v1/inspections/%lld/attachments/%lld", (long long)task,
             (long long)store_int(r, 0));
    return json_pack("{s:I, s:s, s:s, s:I, s:s, s:s, s:s, s:s}", "id",
                     (json_int_t)store_int(r, 0), "name", store_text(r, 1), "content_type",
                     store_text(r, 2), "size", (json_int_t)store_int(r, 3), "sha256",
                     store_text(r, 4), "uploaded_by", store_text(r, 5), "uploaded_at",
                     time_iso8601(store_int(r, 6), at, 32), "url", u);
}

static const char SQL_MEMBERS[] =
    "SELECT m.inspector_code, i.name, i.department, m.seq, m.signed_at FROM inspection_members m "
    "LEFT JOIN inspectors i ON i.code = m.inspector_code WHERE m.task_id = ? ORDER BY m.seq";

static int task_children(store_conn *c, json_t *j, bool full, nqi_error *err)
{
    int64_t id = json_integer_value(json_object_get(j, "id"));
    json_t *team = json_array();
    json_object_set_new(j, "team", team);
    int rc = rows_into(c, SQL_MEMBERS, id, team, member_row, err);
    if (rc || !full)
        return rc;
    json_t *f = json_array(), *a = json_array();
    json_object_set_new(j, "findings", f);
    json_object_set_new(j, "attachments", a);
    rc = rows_into(c,
                   "SELECT item_id, item_name, conforms, finding FROM inspection_findings WHERE "
                   "task_id = ? ORDER BY item_id",
                   id, f, finding_row, err);
    if (!rc)
        rc = rows_into(c,
                       "SELECT id, name, content_type, size, sha256, uploaded_by, uploaded_at "
                       "FROM inspection_attachments WHERE task_id = ? ORDER BY id",
                       id, a, attachment_row, err);
    return rc;
}

int insp_task_json(store_conn *c, int64_t id, bool full, json_t **out, nqi_error *err)
{
    *out = NULL;
    store_rows *r;
    int rc = store_query(c, "SELECT " TASK_COLS " FROM inspection_tasks t WHERE t.id = ?",
                         (store_val[]){SV_INT(id)}, 1, &r, err);
    if (rc)
        return rc;
    char today[11];
    insp_today(today);
    rc = store_next(r);
    json_t *j = rc == 1 ? task_row(r, today) : NULL;
    if (rc < 0)
        rc = store_rows_error(r, err);
    else if (rc == 0)
        rc = nqi_error_field(err, NQI_ENOTFOUND, "id", "inspection task %lld not found",
                             (long long)id);
    else
        rc = 0;
    store_rows_close(r);
    if (!rc)
        rc = task_children(c, j, full, err);
    if (rc)
        json_decref(j);
    else
        *out = j;
    return rc;
}

int insp_task_get(store_conn *c, int64_t id, json_t **out, nqi_error *err)
{
    return insp_task_json(c, id, true, out, err);
}

int insp_task_list(store_conn *c, const insp_query *q, json_t **out, nqi_error *err)
{
    static const char sql[] =
        "SELECT " TASK_COLS " FROM inspection_tasks t WHERE t.id < ? "
        "AND (CAST(? AS TEXT) IS NULL OR t.status = ?) "
        "AND (CAST(? AS TEXT) IS NULL OR t.region LIKE ?) "
        "AND (CAST(? AS TEXT) IS NULL OR t.source = ?) "
        "AND (CAST(? AS TEXT) IS NULL OR t.due_on >= ?) "
        "AND (CAST(? AS TEXT) IS NULL OR t.due_on <= ?) "
        "AND (CAST(? AS TEXT) IS NULL OR t.credit_code = ?) "
        "AND (CAST(? AS TEXT) IS NULL OR t.draw_uid = ?) "
        "AND (CAST(? AS BIGINT) = 0 OR EXISTS (SELECT 1 FROM inspection_findings f "
        "     WHERE f.task_id = t.id AND f.item_id = ?)) "
        "AND (CAST(? AS TEXT) IS NULL OR EXISTS (SELECT 1 FROM inspection_members m "
        "     WHERE m.task_id = t.id AND m.inspector_code = ?)) "
        "AND (CAST(? AS BIGINT) = 0 OR (t.status IN ('assigned', 'recorded') AND t.due_on < ?) "
        "     OR (t.status = 'completed' AND t.publish_due < ?)) "
        "ORDER BY t.id DESC LIMIT ?";
    *out = NULL;
    char today[11], *region = q->region ? xasprintf("%s%%", q->region) : NULL;
    insp_today(today);
    store_val p[] = {SV_INT(q->cursor > 0 ? q->cursor : INT64_MAX),
                     SV_TEXT(q->status), SV_TEXT(q->status),
                     SV_TEXT(region), SV_TEXT(region),
                     SV_TEXT(q->source), SV_TEXT(q->source),
                     SV_TEXT(q->from), SV_TEXT(q->from),
                     SV_TEXT(q->to), SV_TEXT(q->to),
                     SV_TEXT(q->credit_code), SV_TEXT(q->credit_code),
                     SV_TEXT(q->draw), SV_TEXT(q->draw),
                     SV_INT(q->item), SV_INT(q->item),
                     SV_TEXT(q->member), SV_TEXT(q->member),
                     SV_INT(q->overdue), SV_TEXT(today), SV_TEXT(today),
                     SV_INT(q->limit + 1)};
    store_rows *r;
    int rc = store_query(c, sql, p, (int)(sizeof p / sizeof *p), &r, err);
    free(region);
    if (rc)
        return rc;
    if ((rc = store_page_json(r, q->limit, task_page_row, today, out, err)))
        return rc;
    json_t *items = json_object_get(*out, "items");
    for (size_t i = 0; rc >= 0 && i < json_array_size(items); i++)
        rc = task_children(c, json_array_get(items, i), false, err);
    if (rc < 0) {
        json_decref(*out);
        *out = NULL;
    }
    return rc;
}

/* ---------------------------------------------------------------- creating */

typedef struct new_task {
    const char *source, *draw_uid, *reason, *credit_code, *entity_name, *region;
    char assigned_on[11], due_on[11];
    int64_t working_days;
    const char *team[TEAM_MAX];
    size_t nteam;
    int64_t item_id[ITEMS_MAX];
    const char *item_name[ITEMS_MAX];
    size_t nitems;
    json_t *keep; /* owns strings the pointers above refer to */
} new_task;

static int task_insert(store_conn *c, const http_principal *actor, const new_task *t,
                       int64_t *id, nqi_error *err)
{
    static const char sql[] =
        "INSERT INTO inspection_tasks (source, draw_uid, reason, credit_code, entity_name, "
        "region, status, assigned_on, working_days, due_on, summary, created_by, created_at, "
        "updated_at) VALUES (?, ?, ?, ?, ?, ?, 'assigned', ?, ?, ?, '', ?, ?, ?) RETURNING id";
    char who[64];
    sup_actor_name(actor, who, sizeof who);
    int64_t now = now_ms();
    store_val p[] = {SV_TEXT(t->source),      SV_TEXT(t->draw_uid),    SV_TEXT(t->reason ? t->reason : ""),
                     SV_TEXT(t->credit_code), SV_TEXT(t->entity_name), SV_TEXT(t->region),
                     SV_TEXT(t->assigned_on), SV_INT(t->working_days), SV_TEXT(t->due_on),
                     SV_TEXT(who),            SV_INT(now),             SV_INT(now)};
    int rc = store_query_int(c, sql, p, 12, id, err);
    for (size_t i = 0; !rc && i < t->nteam; i++)
        rc = store_exec(c,
                        "INSERT INTO inspection_members (task_id, inspector_code, seq) VALUES "
                        "(?, ?, ?)",
                        (store_val[]){SV_INT(*id), SV_TEXT(t->team[i]), SV_INT((int64_t)i)}, 3,
                        NULL, err);
    for (size_t i = 0; !rc && i < t->nitems; i++)
        rc = store_exec(c,
                        "INSERT INTO inspection_findings (task_id, item_id, item_name) VALUES "
                        "(?, ?, ?)",
                        (store_val[]){SV_INT(*id), SV_INT(t->item_id[i]),
                                      SV_TEXT(t->item_name[i])},
                        3, NULL, err);
    json_t *a = NULL;
    if (!rc)
        rc = insp_task_json(c, *id, false, &a, err);
    char ids[24];
    snprintf(ids, sizeof ids, "%lld", (long long)*id);
    if (!rc)
        rc = audit_record(c, actor, "inspection.create", "inspection_task", ids, NULL, a, err);
    json_decref(a);
    return rc;
}

/* Working days and the assignment date of a new task -> t->due_on. */
static int task_dates(store_conn *c, json_t *in, new_task *t, nqi_error *err)
{
    char today[11];
    insp_today(today);
    t->working_days = 20;
    json_get_int(in, "working_days", false, 1, 120, &t->working_days, err);
    insp_json_date(in, "assigned_on", today, false, t->assigned_on, err);
    if (err->code)
        return err->code;
    return calendar_deadline(c, t->assigned_on, (int)t->working_days, "assigned_on", t->due_on,
                             err);
}

int insp_tasks_from_draw(store_conn *c, const http_principal *actor, const char *draw_uid,
                         json_t *in, json_t **out, nqi_error *err)
{
    static const char *const allowed[] = {"working_days", "assigned_on", NULL};
    *out = NULL;
    new_task t = {.source = "draw", .draw_uid = draw_uid};
    if (json_check_fields(in, allowed, err) || task_dates(c, in, &t, err))
        return err->code;
    bool own = !store_in_tx(c);
    int rc = own ? store_begin(c, true, err) : 0;
    if (rc)
        return rc;
    json_t *d = NULL, *items = json_array();
    int64_t created = 0, existing = 0;
    char lk[96];
    snprintf(lk, sizeof lk, "draw_tasks:%s", draw_uid);
    rc = store_tx_lock(c, lk, err);
    if (!rc)
        rc = supervision_draw_get(c, draw_uid, true, &d, err);
    const char *st = rc ? "" : json_string_value(json_object_get(d, "status"));
    if (!rc && strcmp(st, "revealed"))
        rc = nqi_error_set(err, NQI_ECONFLICT,
                           "draw %s is %s: tasks are created from a revealed draw", draw_uid, st);
    json_t *its = json_object_get(d, "items"), *tg = json_object_get(d, "targets");
    for (size_t i = 0; !rc && i < json_array_size(its) && i < ITEMS_MAX; i++) {
        json_t *it = json_array_get(its, i);
        t.item_id[t.nitems] = json_integer_value(json_object_get(it, "id"));
        t.item_name[t.nitems++] = json_string_value(json_object_get(it, "name"));
    }
    for (size_t i = 0; !rc && i < json_array_size(tg); i++) {
        json_t *x = json_array_get(tg, i), *team = json_object_get(x, "team");
        t.credit_code = json_string_value(json_object_get(x, "credit_code"));
        int64_t had = 0;
        rc = store_query_int(c,
                             "SELECT COUNT(*) FROM inspection_tasks WHERE draw_uid = ? AND "
                             "credit_code = ?",
                             (store_val[]){SV_TEXT(draw_uid), SV_TEXT(t.credit_code)}, 2, &had,
                             err);
        if (rc || had) {
            existing += had;
            continue;
        }
        char *region = NULL;
        rc = store_query_text(c, "SELECT region FROM entities WHERE credit_code = ?",
                              (store_val[]){SV_TEXT(t.credit_code)}, 1, &region, err);
        if (rc == NQI_ENOTFOUND) /* removed from the directory since: keep the task */
            rc = 0, nqi_error_clear(err);
        t.region = region ? region : "";
        const char *nm = json_string_value(json_object_get(x, "name"));
        t.entity_name = nm ? nm : t.credit_code;
        t.nteam = 0;
        for (size_t k = 0; k < json_array_size(team) && k < TEAM_MAX; k++)
            t.team[t.nteam++] = json_string_value(json_object_get(json_array_get(team, k), "id"));
        int64_t id = 0;
        if (!rc)
            rc = task_insert(c, actor, &t, &id, err);
        free(region);
        json_t *tj = NULL;
        if (!rc)
            rc = insp_task_json(c, id, false, &tj, err);
        if (!rc) {
            json_array_append_new(items, tj);
            created++;
        }
    }
    json_decref(d);
    rc = store_tx_end(c, own, rc, err);
    if (rc) {
        json_decref(items);
        return rc;
    }
    *out = json_pack("{s:s, s:I, s:I, s:o}", "draw_id", draw_uid, "created", (json_int_t)created,
                     "existing", (json_int_t)existing, "items", items);
    return 0;
}

int insp_officer_check(store_conn *c, const char *code, const char *credit_code,
                         const char *field, nqi_error *err)
{
    store_rows *r;
    int rc = store_query(c,
                         "SELECT i.active, (SELECT reason FROM inspector_conflicts k WHERE "
                         "k.inspector_id = i.id AND k.credit_code = ?) FROM inspectors i WHERE "
                         "i.code = ?",
                         (store_val[]){SV_TEXT(credit_code), SV_TEXT(code)}, 2, &r, err);
    if (rc)
        return rc;
    rc = store_next(r);
    if (rc < 0)
        rc = store_rows_error(r, err);
    else if (rc == 0)
        rc = nqi_error_field(err, NQI_EINVAL, field, "no inspector %s", code);
    else if (!store_int(r, 0))
        rc = nqi_error_field(err, NQI_EINVAL, field, "inspector %s is not active", code);
    else if (!store_isnull(r, 1))
        rc = nqi_error_field(err, NQI_EINVAL, field,
                             "inspector %s declared a conflict with %s (%s) and must recuse",
                             code, credit_code, store_text(r, 1));
    else
        rc = 0;
    store_rows_close(r);
    return rc;
}

static int manual_parse(store_conn *c, json_t *in, new_task *t, char **name, char **region,
                        nqi_error *err)
{
    static const char *const allowed[] = {"source", "reason", "credit_code", "item_ids", "team",
                                          "working_days", "assigned_on", NULL};
    if (json_check_fields(in, allowed, err))
        return err->code;
    json_get_str(in, "source", true, 16, &t->source, err);
    if (t->source && strcmp(t->source, "complaint") && strcmp(t->source, "lead"))
        nqi_error_field(err, NQI_EINVAL, "source", "complaint (投诉举报) or lead (转办线索)");
    json_get_str(in, "reason", true, 500, &t->reason, err);
    json_get_str(in, "credit_code", true, 24, &t->credit_code, err);
    if (t->credit_code && !credit_code_valid(t->credit_code))
        nqi_error_field(err, NQI_EINVAL, "credit_code",
                        "not a valid unified social credit code (GB 32100)");
    else if (t->credit_code) {
        store_rows *r;
        if (!store_query(c, "SELECT name, region FROM entities WHERE credit_code = ?",
                         (store_val[]){SV_TEXT(t->credit_code)}, 1, &r, err)) {
            if (store_next(r) == 1) {
                *name = xstrdup(store_text(r, 0));
                *region = xstrdup(store_text(r, 1));
            } else
                nqi_error_field(err, NQI_EINVAL, "credit_code",
                                "no market entity %s in the directory", t->credit_code);
            store_rows_close(r);
        }
    }
    json_t *ids = json_object_get(in, "item_ids");
    if (!json_is_array(ids) || !json_array_size(ids) || json_array_size(ids) > ITEMS_MAX)
        nqi_error_field(err, NQI_EINVAL, "item_ids", "1 to %d inspection item ids", ITEMS_MAX);
    for (size_t i = 0; json_is_array(ids) && i < json_array_size(ids) && i < ITEMS_MAX; i++) {
        json_t *v = json_array_get(ids, i);
        char f[32], *nm = NULL;
        snprintf(f, sizeof f, "item_ids/%zu", i);
        nqi_error e = {0};
        if (!json_is_integer(v) ||
            store_query_text(c, "SELECT name FROM inspection_items WHERE id = ?",
                             (store_val[]){SV_INT(json_integer_value(v))}, 1, &nm, &e)) {
            nqi_error_field(err, NQI_EINVAL, f, "no inspection item %s",
                            json_is_integer(v) ? "with this id" : "(an integer id)");
            continue;
        }
        for (size_t k = 0; k < t->nitems; k++)
            if (t->item_id[k] == json_integer_value(v))
                nqi_error_field(err, NQI_EINVAL, f, "item listed twice");
        json_array_append_new(t->keep, json_string(nm)); /* owns the name */
        t->item_id[t->nitems] = json_integer_value(v);
        t->item_name[t->nitems++] = json_string_value(json_array_get(t->keep, json_array_size(t->keep) - 1));
        free(nm);
    }
    json_t *team = json_object_get(in, "team");
    if (!json_is_array(team) || json_array_size(team) < 2 || json_array_size(team) > TEAM_MAX) {
        nqi_error_field(err, NQI_EINVAL, "team",
                        "a team needs 2 to %d inspectors (执法检查人员不少于两人)", TEAM_MAX);
        return err->code;
    }
    for (size_t i = 0; i < json_array_size(team); i++) {
        const char *code = json_string_value(json_array_get(team, i));
        char f[32];
        snprintf(f, sizeof f, "team/%zu", i);
        if (!code || !*code) {
            nqi_error_field(err, NQI_EINVAL, f, "an inspector code");
            continue;
        }
        for (size_t k = 0; k < t->nteam; k++)
            if (!strcmp(t->team[k], code))
                nqi_error_field(err, NQI_EINVAL, f, "inspector %s listed twice", code);
        if (t->credit_code && credit_code_valid(t->credit_code))
            insp_officer_check(c, code, t->credit_code, f, err);
        t->team[t->nteam++] = code;
    }
    return err->code;
}

int insp_task_create(store_conn *c, const http_principal *actor, json_t *in, json_t **out,
                     nqi_error *err)
{
    *out = NULL;
    new_task t = {.keep = json_array()};
    char *name = NULL, *region = NULL;
    bool own = !store_in_tx(c);
    int rc = own ? store_begin(c, true, err) : 0;
    if (rc)
        return rc;
    if (!manual_parse(c, in, &t, &name, &region, err) && !task_dates(c, in, &t, err)) {
        t.entity_name = name;
        t.region = region;
    }
    rc = err->code;
    int64_t id = 0;
    if (!rc)
        rc = task_insert(c, actor, &t, &id, err);
    free(name);
    free(region);
    json_decref(t.keep);
    rc = store_tx_end(c, own, rc, err);
    return rc ? rc : insp_task_json(c, id, true, out, err);
}
