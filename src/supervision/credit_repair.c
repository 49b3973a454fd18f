/*
 * credit_repair.c — credit repair requests (信用修复): an enterprise (or a
 * regulator on its behalf) asks to end the publicity of a penalty or a list
 * entry early, with its reason, corrective measures and a credit pledge; a
 * regulator approves or rejects. An approved repair withdraws the fact and
 * ends the publicity / list entry (reason "repaired"), published and
 * audited. Waiting periods (市场监督管理信用修复管理办法):
 *   penalty (not low): 6 months after the decision, 1 year for food, drugs
 *                      and special equipment (the entity's industry);
 *                      low penalties (3-month publicity) are not repaired;
 *   serious list:      1 year after entry;
 *   abnormal list:     at once (when the grounds are fixed).
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/audit.h"
#include "core/json.h"
#include "core/page.h"
#include "core/util.h"
#include "supervision/credit_impl.h"
#include "supervision/internal.h"

#define REPAIR_COLS                                                                           \
    "r.id, r.credit_code, e.name, r.target_kind, r.target_id, r.reason, r.measures, r.pledge, " \
    "r.status, r.requested_on, r.requested_by, r.decided_on, r.decided_by, r.decision_note, "   \
    "r.created_at"

static json_t *repair_json(store_rows *rs, void *ctx)
{
    char at[32];
    return json_pack("{s:I, s:s, s:s?, s:s, s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:s?, s:s?, s:s, "
                     "s:s}",
                     "id", (json_int_t)store_int(rs, 0), "credit_code", store_text(rs, 1), "name",
                     store_text(rs, 2), "target_kind", store_text(rs, 3), "target_id",
                     (json_int_t)store_int(rs, 4), "reason", store_text(rs, 5), "measures",
                     store_text(rs, 6), "pledge", store_text(rs, 7), "status", store_text(rs, 8),
                     "requested_on", store_text(rs, 9), "requested_by", store_text(rs, 10),
                     "decided_on", store_text(rs, 11), "decided_by", store_text(rs, 12),
                     "decision_note", store_text(rs, 13), "created_at",
                     time_iso8601(store_int(rs, 14), at, sizeof at));
}

static int repair_get(store_conn *c, int64_t id, json_t **out, nqi_error *err)
{
    store_rows *rs;
    int rc = store_query(c,
                         "SELECT " REPAIR_COLS " FROM credit_repairs r LEFT JOIN entities e ON "
                         "e.credit_code = r.credit_code WHERE r.id = ?",
                         (store_val[]){SV_INT(id)}, 1, &rs, err);
    if (rc)
        return rc;
    rc = store_next(rs);
    if (rc == 1)
        rc = (*out = repair_json(rs, NULL)) ? 0 : nqi_error_set(err, NQI_EINTERNAL, "json");
    else if (rc == 0)
        rc = nqi_error_field(err, NQI_ENOTFOUND, "id", "no repair request %lld", (long long)id);
    else
        rc = store_rows_error(rs, err);
    store_rows_close(rs);
    return rc;
}

/* The target as it stands: its credit code, and whether and from when it
 * can be repaired. 0, or a field error on target_id naming the date. */
static int target_check(store_conn *c, const char *kind, int64_t id, const char *today,
                        char code[24], nqi_error *err)
{
    json_t *t = NULL;
    int rc;
    credit_date from;
    if (!strcmp(kind, "penalty")) {
        rc = credit_penalty_get(c, id, &t, err);
        if (rc == NQI_ENOTFOUND)
            return nqi_error_field(err, NQI_EINVAL, "target_id", "no penalty %lld",
                                   (long long)id);
        if (rc)
            return rc;
        snprintf(code, 24, "%s", json_string_value(json_object_get(t, "credit_code")));
        const char *decided = json_string_value(json_object_get(t, "decided_on")),
                   *until = json_string_value(json_object_get(t, "publicity_until"));
        char *industry = NULL;
        rc = store_query_text(c, "SELECT industry FROM entities WHERE credit_code = ?",
                              (store_val[]){SV_TEXT(code)}, 1, &industry, err);
        bool long_wait = !rc && credit_long_wait_industry(industry);
        free(industry);
        if (rc) {
        } else if (!json_is_true(json_object_get(t, "in_publicity"))) {
            rc = nqi_error_field(err, NQI_ECONFLICT, "target_id",
                                 "penalty %lld is no longer in publicity", (long long)id);
        } else if (!strcmp(json_string_value(json_object_get(t, "severity")), "low")) {
            rc = nqi_error_field(err, NQI_EINVAL, "target_id",
                                 "a warning or low fine is public for 3 months only and is not "
                                 "repaired early; its publicity ends on %s",
                                 until);
        } else {
            credit_possible_from(decided, long_wait ? 12 : 6, from);
            if (strcmp(today, from) < 0)
                rc = nqi_error_field(err, NQI_EINVAL, "target_id",
                                     "repair is possible from %s (%s after the decision on %s%s)",
                                     from, long_wait ? "1 year" : "6 months", decided,
                                     long_wait ? "; food, drugs and special equipment wait 1 year"
                                               : "");
        }
    } else {
        credit_list l = !strcmp(kind, "serious") ? CREDIT_SERIOUS : CREDIT_ABNORMAL;
        rc = credit_list_get(c, l, id, &t, err);
        if (rc == NQI_ENOTFOUND)
            return nqi_error_field(err, NQI_EINVAL, "target_id", "no %s list entry %lld", kind,
                                   (long long)id);
        if (rc)
            return rc;
        snprintf(code, 24, "%s", json_string_value(json_object_get(t, "credit_code")));
        const char *entered = json_string_value(json_object_get(t, "entered_on"));
        if (strcmp(json_string_value(json_object_get(t, "status")), "current")) {
            rc = nqi_error_field(err, NQI_ECONFLICT, "target_id",
                                 "%s list entry %lld is not current", kind, (long long)id);
        } else if (l == CREDIT_SERIOUS) {
            credit_possible_from(entered, 12, from);
            if (strcmp(today, from) < 0)
                rc = nqi_error_field(err, NQI_EINVAL, "target_id",
                                     "repair is possible from %s (1 year after the entry on %s)",
                                     from, entered);
        }
    }
    json_decref(t);
    return rc;
}

int credit_repair_create(store_conn *c, const http_principal *actor, json_t *in,
                         const char *today, json_t **out, nqi_error *err)
{
    static const char *const allowed[] = {"target_kind", "target_id", "reason",
                                          "pledge",      "measures",  NULL};
    const char *kind = NULL, *reason = NULL, *pledge = NULL, *measures = "";
    int64_t tid = 0;
    *out = NULL;
    json_check_fields(in, allowed, err);
    json_get_str(in, "target_kind", true, 16, &kind, err);
    json_get_int(in, "target_id", true, 1, INT64_MAX, &tid, err);
    json_get_str(in, "reason", true, 2000, &reason, err);
    json_get_str(in, "pledge", true, 4000, &pledge, err);
    json_get_str(in, "measures", false, 4000, &measures, err);
    if (kind && strcmp(kind, "penalty") && strcmp(kind, "abnormal") && strcmp(kind, "serious"))
        nqi_error_field(err, NQI_EINVAL, "target_kind", "penalty, abnormal or serious");
    if (err->code)
        return err->code;
    bool own;
    int rc = store_tx_begin(c, &own, err);
    if (rc)
        return rc;
    char code[24] = "";
    rc = target_check(c, kind, tid, today, code, err);
    if (code[0] && actor->role == ROLE_ENTERPRISE && strcmp(actor->credit_code, code)) {
        /* ownership before eligibility: say nothing about other enterprises' dates */
        nqi_error_clear(err);
        rc = nqi_error_set(err, NQI_EFORBIDDEN,
                           "an enterprise may ask to repair only its own records");
    }
    int64_t n = 0, id = 0, now = now_ms();
    if (!rc)
        rc = store_query_int(c,
                             "SELECT COUNT(*) FROM credit_repairs WHERE target_kind = ? AND "
                             "target_id = ? AND status = 'pending'",
                             (store_val[]){SV_TEXT(kind), SV_INT(tid)}, 2, &n, err);
    if (!rc && n)
        rc = nqi_error_field(err, NQI_ECONFLICT, "target_id",
                             "a repair request for this record is already pending");
    char who[80];
    sup_actor_name(actor, who, sizeof who);
    if (!rc)
        rc = store_query_int(c,
                             "INSERT INTO credit_repairs (credit_code, target_kind, target_id, "
                             "reason, measures, pledge, status, requested_on, requested_by, "
                             "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, 'pending', ?, ?, "
                             "?, ?) RETURNING id",
                             (store_val[]){SV_TEXT(code), SV_TEXT(kind), SV_INT(tid),
                                           SV_TEXT(reason), SV_TEXT(measures), SV_TEXT(pledge),
                                           SV_TEXT(today), SV_TEXT(who), SV_INT(now), SV_INT(now)},
                             10, &id, err);
    if (!rc)
        rc = repair_get(c, id, out, err);
    char ids[24];
    snprintf(ids, sizeof ids, "%lld", (long long)id);
    if (!rc)
        rc = audit_record(c, actor, "credit.repair.request", "credit_repair", ids, NULL, *out,
                          err);
    if (rc && *out) {
        json_decref(*out);
        *out = NULL;
    }
    return store_tx_end(c, own, rc, err);
}

int credit_repair_decide(store_conn *c, const http_principal *actor, int64_t id, json_t *in,
                         const char *today, json_t **out, nqi_error *err)
{
    static const char *const allowed[] = {"decision", "note", NULL};
    const char *decision = NULL, *note = "";
    *out = NULL;
    json_check_fields(in, allowed, err);
    json_get_str(in, "decision", true, 16, &decision, err);
    json_get_str(in, "note", false, 2000, &note, err);
    if (decision && strcmp(decision, "approve") && strcmp(decision, "reject"))
        nqi_error_field(err, NQI_EINVAL, "decision", "approve or reject");
    if (err->code)
        return err->code;
    bool own, approve = !strcmp(decision, "approve");
    int rc = store_tx_begin(c, &own, err);
    if (rc)
        return rc;
    json_t *before = NULL;
    rc = repair_get(c, id, &before, err);
    const char *kind = before ? json_string_value(json_object_get(before, "target_kind")) : "";
    int64_t tid = before ? json_integer_value(json_object_get(before, "target_id")) : 0;
    if (!rc && strcmp(json_string_value(json_object_get(before, "status")), "pending"))
        rc = nqi_error_set(err, NQI_ECONFLICT, "repair request %lld is already decided",
                           (long long)id);
    char code[24] = "";
    if (!rc && approve)
        rc = target_check(c, kind, tid, today, code, err); /* still current and eligible */
    if (!rc && approve && !strcmp(kind, "penalty"))
        rc = credit_penalty_end(c, tid, today, "repaired", err);
    else if (!rc && approve)
        rc = credit_list_end(c, actor, !strcmp(kind, "serious") ? CREDIT_SERIOUS : CREDIT_ABNORMAL,
                             tid, code, today, "repaired", note, NULL, err);
    if (!rc && approve)
        rc = credit_reclassify(c, code, err);
    char who[80];
    sup_actor_name(actor, who, sizeof who);
    if (!rc)
        rc = store_exec(c,
                        "UPDATE credit_repairs SET status = ?, decided_on = ?, decided_by = ?, "
                        "decision_note = ?, updated_at = ? WHERE id = ?",
                        (store_val[]){SV_TEXT(approve ? "approved" : "rejected"), SV_TEXT(today),
                                      SV_TEXT(who), SV_TEXT(note), SV_INT(now_ms()), SV_INT(id)},
                        6, NULL, err);
    if (!rc)
        rc = repair_get(c, id, out, err);
    char ids[24];
    snprintf(ids, sizeof ids, "%lld", (long long)id);
    if (!rc)
        rc = audit_record(c, actor, "credit.repair.decide", "credit_repair", ids, before, *out,
                          err);
    json_decref(before);
    if (rc && *out) {
        json_decref(*out);
        *out = NULL;
    }
    return store_tx_end(c, own, rc, err);
}

int credit_repair_search(store_conn *c, const credit_repair_query *q, json_t **out,
                         nqi_error *err)
{
    const char *st = q->status && *q->status ? q->status : NULL;
    if (st && strcmp(st, "pending") && strcmp(st, "approved") && strcmp(st, "rejected"))
        return nqi_error_field(err, NQI_EINVAL, "status", "pending, approved or rejected");
    const char *code = q->credit_code && *q->credit_code ? q->credit_code : NULL;
    store_rows *rs;
    int rc = store_query(c,
                         "SELECT " REPAIR_COLS " FROM credit_repairs r LEFT JOIN entities e ON "
                         "e.credit_code = r.credit_code WHERE (CAST(? AS BIGINT) = 0 OR r.id < ?) "
                         "AND (CAST(? AS TEXT) IS NULL OR r.status = ?) AND (CAST(? AS TEXT) IS "
                         "NULL OR r.credit_code = ?) ORDER BY r.id DESC LIMIT ?",
                         (store_val[]){SV_INT(q->cursor), SV_INT(q->cursor), SV_TEXT(st),
                                       SV_TEXT(st), SV_TEXT(code), SV_TEXT(code),
                                       SV_INT(q->limit + 1)},
                         7, &rs, err);
    if (rc)
        return rc;
    return store_page_json(rs, q->limit, repair_json, NULL, out, err);
}
