/*
 * credit_penalty.c — administrative penalties and their publicity (行政处罚
 * 信息公示). 市场监督管理行政处罚信息公示规定 第十四条: warnings, 通报批评
 * and low fines are public for 3 months, other penalties for 3 years;
 * after the period (or once repaired) they are no longer shown publicly.
 * A penalty is a credit fact (penalty.low|high, source "credit_penalty",
 * ref = id) and a public record (Merkle log digest, credit_publish).
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

/* "较低数额罚款" is fixed by each province; this is the threshold used
 * until a province's figure is configured (docs/modules/credit.md). */
#define LOW_FINE_MAX_YUAN 10000
#define LOW_MONTHS 3
#define HIGH_MONTHS 36

static const char *const kinds[] = {"warning",    "criticism",  "fine",  "confiscation",
                                    "suspension", "revocation", "other", NULL};

#define PEN_COLS                                                                              \
    "p.id, p.credit_code, e.name, e.region, p.decision_no, p.kind, p.amount_yuan, p.severity, " \
    "p.decided_on, p.legal_basis, p.summary, p.authority, p.publicity_until, p.ended_on, "      \
    "p.end_reason, p.log_index, p.end_log_index, p.created_by, p.created_at"

typedef struct pen_ctx {
    const char *today;
    bool staff;
} pen_ctx;

static json_t *penalty_json(store_rows *rs, void *ctx)
{
    const pen_ctx *x = ctx;
    const char *until = store_text(rs, 12), *ended = store_text(rs, 13);
    bool public = !ended && strcmp(until, x->today) >= 0;
    json_t *o = json_pack("{s:I, s:s, s:s?, s:s?, s:s, s:s, s:I, s:s, s:s, s:s, s:s, s:s, s:s, "
                          "s:s?, s:s?, s:b, s:o}",
                          "id", (json_int_t)store_int(rs, 0), "credit_code", store_text(rs, 1),
                          "name", store_text(rs, 2), "region", store_text(rs, 3), "decision_no",
                          store_text(rs, 4), "kind", store_text(rs, 5), "amount_yuan",
                          (json_int_t)store_int(rs, 6), "severity", store_text(rs, 7),
                          "decided_on", store_text(rs, 8), "legal_basis", store_text(rs, 9),
                          "summary", store_text(rs, 10), "authority", store_text(rs, 11),
                          "publicity_until", until, "ended_on", ended, "end_reason",
                          store_text(rs, 14), "in_publicity", public, "log_index",
                          store_isnull(rs, 15) ? json_null() : json_integer(store_int(rs, 15)));
    if (o && x->staff) {
        char at[32];
        json_object_set_new(o, "created_by", json_string(store_text(rs, 17)));
        json_object_set_new(o, "created_at",
                            json_string(time_iso8601(store_int(rs, 18), at, sizeof at)));
    }
    return o;
}

int credit_penalty_get(store_conn *c, int64_t id, json_t **out, nqi_error *err)
{
    credit_date today;
    credit_today(today);
    pen_ctx x = {today, true};
    store_rows *rs;
    int rc = store_query(c,
                         "SELECT " PEN_COLS " FROM credit_penalties p LEFT JOIN entities e ON "
                         "e.credit_code = p.credit_code WHERE p.id = ?",
                         (store_val[]){SV_INT(id)}, 1, &rs, err);
    if (rc)
        return rc;
    rc = store_next(rs);
    if (rc == 1)
        rc = (*out = penalty_json(rs, &x)) ? 0 : nqi_error_set(err, NQI_EINTERNAL, "json");
    else if (rc == 0)
        rc = nqi_error_field(err, NQI_ENOTFOUND, "id", "no penalty %lld", (long long)id);
    else
        rc = store_rows_error(rs, err);
    store_rows_close(rs);
    return rc;
}

int credit_penalty_create(store_conn *c, const http_principal *actor, json_t *in,
                          const char *today, json_t **out, nqi_error *err)
{
    static const char *const allowed[] = {"credit_code", "decision_no", "kind",
                                          "amount_yuan", "decided_on",  "legal_basis",
                                          "summary",     "authority",   NULL};
    const char *code = NULL, *dec = NULL, *kind = NULL, *decided = NULL, *basis = NULL,
               *summary = "", *authority = "";
    int64_t amount = 0;
    *out = NULL;
    json_check_fields(in, allowed, err);
    json_get_str(in, "credit_code", true, 18, &code, err);
    json_get_str(in, "decision_no", true, 100, &dec, err);
    json_get_str(in, "kind", true, 16, &kind, err);
    json_get_int(in, "amount_yuan", false, 0, INT64_C(100000000000), &amount, err);
    credit_json_date(in, "decided_on", true, today, &decided, err);
    json_get_str(in, "legal_basis", true, 500, &basis, err);
    json_get_str(in, "summary", false, 2000, &summary, err);
    json_get_str(in, "authority", false, 200, &authority, err);
    bool known = false;
    for (int i = 0; kind && kinds[i]; i++)
        known |= !strcmp(kind, kinds[i]);
    if (kind && !known)
        nqi_error_field(err, NQI_EINVAL, "kind",
                        "warning, criticism, fine, confiscation, suspension, revocation or other");
    if (kind && !strcmp(kind, "fine") && amount <= 0)
        nqi_error_field(err, NQI_EINVAL, "amount_yuan", "a fine needs its amount (yuan, > 0)");
    if (err->code)
        return err->code;
    bool low = !strcmp(kind, "warning") || !strcmp(kind, "criticism") ||
               (!strcmp(kind, "fine") && amount <= LOW_FINE_MAX_YUAN);
    credit_date until;
    credit_period_end(decided, low ? LOW_MONTHS : HIGH_MONTHS, until);
    bool own;
    int rc = store_tx_begin(c, &own, err);
    if (rc)
        return rc;
    rc = credit_entity_check(c, code, err);
    char who[80];
    sup_actor_name(actor, who, sizeof who);
    int64_t id = 0, now = now_ms();
    store_val p[] = {SV_TEXT(code),     SV_TEXT(dec),   SV_TEXT(kind),      SV_INT(amount),
                     SV_TEXT(low ? "low" : "high"), SV_TEXT(decided), SV_TEXT(basis),
                     SV_TEXT(summary),  SV_TEXT(authority), SV_TEXT(until), SV_TEXT(who),
                     SV_INT(now),       SV_INT(now)};
    if (!rc) {
        rc = store_query_int(c,
                             "INSERT INTO credit_penalties (credit_code, decision_no, kind, "
                             "amount_yuan, severity, decided_on, legal_basis, summary, authority, "
                             "publicity_until, created_by, created_at, updated_at) VALUES (?, ?, "
                             "?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                             p, 13, &id, err);
        if (rc == NQI_ECONFLICT) {
            nqi_error_clear(err);
            rc = nqi_error_field(err, NQI_ECONFLICT, "decision_no",
                                 "penalty decision %s is already recorded", dec);
        }
    }
    char ids[24];
    snprintf(ids, sizeof ids, "%lld", (long long)id);
    if (!rc)
        rc = credit_fact_add(c, code, low ? "penalty.low" : "penalty.high", decided,
                             "credit_penalty", ids, summary && *summary ? summary : dec, err);
    if (!rc)
        rc = credit_penalty_get(c, id, out, err);
    int64_t idx = 0;
    if (!rc) {
        json_t *rec = json_deep_copy(*out);
        json_object_del(rec, "in_publicity");
        json_object_del(rec, "log_index");
        json_object_del(rec, "created_by");
        json_object_del(rec, "created_at");
        json_object_del(rec, "name");
        json_object_del(rec, "region");
        rc = credit_publish(c, "credit.penalty", id, rec, &idx, err);
        json_decref(rec);
    }
    if (!rc)
        rc = store_exec(c, "UPDATE credit_penalties SET log_index = ? WHERE id = ?",
                        (store_val[]){SV_INT(idx), SV_INT(id)}, 2, NULL, err);
    if (!rc)
        json_object_set_new(*out, "log_index", json_integer(idx));
    if (!rc)
        rc = audit_record(c, actor, "credit.penalty.create", "credit_penalty", ids, NULL, *out,
                          err);
    if (!rc)
        rc = credit_reclassify(c, code, err);
    if (rc && *out) {
        json_decref(*out);
        *out = NULL;
    }
    return store_tx_end(c, own, rc, err);
}

/* End a penalty's publicity early (an approved repair); withdraws its fact.
 * Inside the caller's transaction. */
int credit_penalty_end(store_conn *c, int64_t id, const char *on, const char *reason,
                       nqi_error *err)
{
    char ids[24];
    snprintf(ids, sizeof ids, "%lld", (long long)id);
    int64_t idx = 0;
    json_t *rec = json_pack("{s:I, s:s, s:s}", "penalty_id", (json_int_t)id, "ended_on", on,
                            "reason", reason);
    char *code = NULL;
    int rc = store_query_text(c, "SELECT credit_code FROM credit_penalties WHERE id = ?",
                              (store_val[]){SV_INT(id)}, 1, &code, err);
    if (!rc) {
        json_object_set_new(rec, "credit_code", json_string(code));
        rc = credit_publish(c, "credit.penalty.end", id, rec, &idx, err);
    }
    if (!rc)
        rc = store_exec(c,
                        "UPDATE credit_penalties SET ended_on = ?, end_reason = ?, end_log_index "
                        "= ?, updated_at = ? WHERE id = ?",
                        (store_val[]){SV_TEXT(on), SV_TEXT(reason), SV_INT(idx), SV_INT(now_ms()),
                                      SV_INT(id)},
                        5, NULL, err);
    if (!rc)
        rc = credit_fact_withdraw(c, "credit_penalty", ids, err);
    json_decref(rec);
    free(code);
    return rc;
}

int credit_penalty_search(store_conn *c, const credit_penalty_query *q, const char *today,
                          json_t **out, nqi_error *err)
{
    const char *status = q->status && *q->status ? q->status : "public";
    if (strcmp(status, "public") && strcmp(status, "all"))
        return nqi_error_field(err, NQI_EINVAL, "status", "public or all");
    if (!strcmp(status, "all") && !q->staff)
        return nqi_error_field(err, NQI_EFORBIDDEN, "status",
                               "penalties out of publicity are for staff only");
    if (q->severity && *q->severity && strcmp(q->severity, "low") && strcmp(q->severity, "high"))
        return nqi_error_field(err, NQI_EINVAL, "severity", "low or high");
    int all = !strcmp(status, "all");
    char *reg = NULL;
    if (q->region && *q->region)
        reg = xasprintf("%s%%", q->region);
    store_val p[] = {SV_INT(q->cursor),
                     SV_INT(q->cursor),
                     SV_INT(all),
                     SV_TEXT(today),
                     SV_TEXT(q->credit_code && *q->credit_code ? q->credit_code : NULL),
                     SV_TEXT(q->credit_code && *q->credit_code ? q->credit_code : NULL),
                     SV_TEXT(q->severity && *q->severity ? q->severity : NULL),
                     SV_TEXT(q->severity && *q->severity ? q->severity : NULL),
                     SV_TEXT(reg),
                     SV_TEXT(reg),
                     SV_INT(q->limit + 1)};
    store_rows *rs;
    int rc = store_query(
        c,
        "SELECT " PEN_COLS " FROM credit_penalties p LEFT JOIN entities e ON e.credit_code = "
        "p.credit_code WHERE (CAST(? AS BIGINT) = 0 OR p.id < ?) AND (CAST(? AS BIGINT) = 1 OR "
        "(p.ended_on IS NULL AND p.publicity_until >= ?)) AND (CAST(? AS TEXT) IS NULL OR "
        "p.credit_code = ?) AND (CAST(? AS TEXT) IS NULL OR p.severity = ?) AND (CAST(? AS TEXT) "
        "IS NULL OR e.region LIKE ?) ORDER BY p.id DESC LIMIT ?",
        p, 11, &rs, err);
    free(reg);
    if (rc)
        return rc;
    pen_ctx x = {today, q->staff};
    return store_page_json(rs, q->limit, penalty_json, &x, out, err);
}
