/*
 * spot_checks.c — 产品质量监督抽查: a plan (name, year, product, lab), its
 * samples (sample number, product, specification, batch, producer, date,
 * quantity), the test items per sample with the standard they are judged
 * against (std_number_parse, stored canonical), per-item pass/fail, the
 * verdict (fail when any item fails), the correction deadline and the
 * re-check. States: sampled -> tested -> rechecked (a failed sample only).
 * Contract: docs/modules/inspection.md "Spot checks".
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/audit.h"
#include "core/json.h"
#include "core/page.h"
#include "core/util.h"
#include "standards/number.h"
#include "supervision/credit.h"
#include "supervision/credit_code.h"
#include "supervision/inspection_internal.h"
#include "supervision/internal.h"

#define RESULT_ITEMS_MAX 100

static int audit_json(store_conn *c, const http_principal *actor, const char *action,
                      const char *entity, int64_t id, const json_t *j, nqi_error *err)
{
    char ids[24];
    snprintf(ids, sizeof ids, "%lld", (long long)id);
    return audit_record(c, actor, action, entity, ids, NULL, j, err);
}

/* ---------------------------------------------------------------- plans */

static json_t *check_row(store_rows *r, void *ctx)
{
    char at[32];
    return json_pack("{s:I, s:s, s:I, s:s, s:s, s:s, s:s, s:s, s:I, s:I}", "id",
                     (json_int_t)store_int(r, 0), "name", store_text(r, 1), "year",
                     (json_int_t)store_int(r, 2), "product", store_text(r, 3), "department",
                     store_text(r, 4), "lab", store_text(r, 5), "created_by", store_text(r, 6),
                     "created_at", time_iso8601(store_int(r, 7), at, 32), "samples",
                     (json_int_t)store_int(r, 8), "failed", (json_int_t)store_int(r, 9));
}

#define CHECK_SQL                                                                              \
    "SELECT s.id, s.name, s.year, s.product, s.department, s.lab, s.created_by, s.created_at, " \
    "(SELECT COUNT(*) FROM spot_samples p WHERE p.spot_check_id = s.id), "                     \
    "(SELECT COUNT(*) FROM spot_samples p WHERE p.spot_check_id = s.id AND p.verdict = 'fail') " \
    "FROM spot_checks s "

int spot_check_create(store_conn *c, const http_principal *actor, json_t *in, json_t **out,
                      nqi_error *err)
{
    static const char *const allowed[] = {"name", "year", "product", "department", "lab", NULL};
    *out = NULL;
    const char *name = NULL, *product = NULL, *dept = "", *lab = NULL;
    int64_t year = 0;
    if (json_check_fields(in, allowed, err))
        return err->code;
    json_get_str(in, "name", true, 200, &name, err);
    json_get_int(in, "year", true, 2000, 2100, &year, err);
    json_get_str(in, "product", true, 100, &product, err);
    json_get_str(in, "department", false, 64, &dept, err);
    json_get_str(in, "lab", true, 200, &lab, err);
    if (err->code)
        return err->code;
    bool own = !store_in_tx(c);
    int rc = own ? store_begin(c, true, err) : 0;
    if (rc)
        return rc;
    char who[64];
    sup_actor_name(actor, who, sizeof who);
    int64_t id = 0, now = now_ms();
    rc = store_query_int(c,
                         "INSERT INTO spot_checks (name, year, product, department, lab, "
                         "created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
                         "RETURNING id",
                         (store_val[]){SV_TEXT(name), SV_INT(year), SV_TEXT(product),
                                       SV_TEXT(dept), SV_TEXT(lab), SV_TEXT(who), SV_INT(now),
                                       SV_INT(now)},
                         8, &id, err);
    json_t *j = NULL;
    if (!rc)
        rc = spot_check_get(c, id, &j, err);
    if (!rc)
        rc = audit_json(c, actor, "spot_check.create", "spot_check", id, j, err);
    rc = store_tx_end(c, own, rc, err);
    if (rc)
        json_decref(j);
    else
        *out = j;
    return rc;
}

int spot_check_list(store_conn *c, int64_t limit, int64_t cursor, json_t **out, nqi_error *err)
{
    *out = NULL;
    store_rows *r;
    int rc = store_query(c, CHECK_SQL "WHERE s.id < ? ORDER BY s.id DESC LIMIT ?",
                         (store_val[]){SV_INT(cursor > 0 ? cursor : INT64_MAX), SV_INT(limit + 1)},
                         2, &r, err);
    if (rc)
        return rc;
    return store_page_json(r, limit, check_row, NULL, out, err);
}

/* ---------------------------------------------------------------- samples */

#define SAMPLE_SQL                                                                             \
    "SELECT p.id, p.spot_check_id, p.sample_no, p.product, p.specification, p.batch, "         \
    "p.producer_code, p.producer_name, p.sampled_on, p.quantity, p.status, p.verdict, "        \
    "p.tested_on, p.correction_due, p.recheck_verdict, p.recheck_on, p.publish_due, "          \
    "p.published_at, p.publication_id, s.name, s.lab, s.year FROM spot_samples p JOIN "        \
    "spot_checks s ON s.id = p.spot_check_id "

static json_t *sample_row(store_rows *r, const char *today)
{
    const char *status = store_text(r, 10), *pdue = store_text(r, 16);
    const char *v = store_text(r, 11), *rv = store_text(r, 14);
    bool pub_overdue = strcmp(status, "sampled") && store_isnull(r, 17) && pdue &&
                       strcmp(pdue, today) < 0;
    char at[32];
    return json_pack(
        "{s:I, s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s?, s:s?, s:s?, s:s?, s:s?, "
        "s:s?, s:s?, s:b, s:o, s:o, s:s, s:s, s:I}",
        "id", (json_int_t)store_int(r, 0), "spot_check_id", (json_int_t)store_int(r, 1),
        "sample_no", store_text(r, 2), "product", store_text(r, 3), "specification",
        store_text(r, 4), "batch", store_text(r, 5), "producer_code", store_text(r, 6),
        "producer_name", store_text(r, 7), "sampled_on", store_text(r, 8), "quantity",
        store_text(r, 9), "status", status, "verdict", v, "tested_on", store_text(r, 12),
        "correction_due", store_text(r, 13), "recheck_verdict", rv, "recheck_on",
        store_text(r, 15), "final_verdict", rv ? rv : v, "publish_due", pdue,
        "publication_overdue", pub_overdue, "published_at",
        store_isnull(r, 17) ? json_null() : json_string(time_iso8601(store_int(r, 17), at, 32)),
        "publication_id", store_isnull(r, 18) ? json_null() : json_integer(store_int(r, 18)),
        "spot_check", store_text(r, 19), "lab", store_text(r, 20), "year",
        (json_int_t)store_int(r, 21));
}

static int samples_query(store_conn *c, const char *sql, const store_val *p, int np, int64_t limit,
                         json_t **items, int64_t *last, bool *more, nqi_error *err)
{
    store_rows *r;
    int rc = store_query(c, sql, p, np, &r, err);
    if (rc)
        return rc;
    char today[11];
    insp_today(today);
    *items = json_array();
    int64_t n = 0;
    while ((rc = store_next(r)) == 1) {
        if (limit && n++ == limit) {
            *more = true;
            continue;
        }
        *last = store_int(r, 0);
        json_array_append_new(*items, sample_row(r, today));
    }
    if (rc < 0) {
        rc = store_rows_error(r, err);
        json_decref(*items);
        *items = NULL;
    }
    store_rows_close(r);
    return rc < 0 ? rc : 0;
}

int spot_check_get(store_conn *c, int64_t id, json_t **out, nqi_error *err)
{
    *out = NULL;
    store_rows *r;
    int rc = store_query(c, CHECK_SQL "WHERE s.id = ?", (store_val[]){SV_INT(id)}, 1, &r, err);
    if (rc)
        return rc;
    rc = store_next(r);
    json_t *j = rc == 1 ? check_row(r, NULL) : NULL;
    if (rc < 0)
        rc = store_rows_error(r, err);
    else
        rc = rc ? 0 : nqi_error_field(err, NQI_ENOTFOUND, "id", "spot check %lld not found",
                                      (long long)id);
    store_rows_close(r);
    json_t *items = NULL;
    int64_t last = 0;
    bool more = false;
    if (!rc)
        rc = samples_query(c, SAMPLE_SQL "WHERE p.spot_check_id = ? ORDER BY p.id",
                           (store_val[]){SV_INT(id)}, 1, 0, &items, &last, &more, err);
    if (rc) {
        json_decref(j);
        return rc;
    }
    json_object_set_new(j, "sample_list", items);
    *out = j;
    return 0;
}

int spot_sample_list(store_conn *c, const spot_query *q, json_t **out, nqi_error *err)
{
    static const char sql[] =
        SAMPLE_SQL "WHERE p.id < ? AND (CAST(? AS TEXT) IS NULL OR p.status = ?) "
                   "AND (CAST(? AS TEXT) IS NULL OR COALESCE(p.recheck_verdict, p.verdict) = ?) "
                   "AND (CAST(? AS TEXT) IS NULL OR p.producer_code = ?) "
                   "AND (CAST(? AS BIGINT) = 0 OR p.spot_check_id = ?) "
                   "AND (CAST(? AS BIGINT) = 0 OR (p.status <> 'sampled' AND p.published_at IS "
                   "NULL AND p.publish_due < ?)) ORDER BY p.id DESC LIMIT ?";
    *out = NULL;
    char today[11];
    insp_today(today);
    store_val p[] = {SV_INT(q->cursor > 0 ? q->cursor : INT64_MAX),
                     SV_TEXT(q->status), SV_TEXT(q->status),
                     SV_TEXT(q->verdict), SV_TEXT(q->verdict),
                     SV_TEXT(q->producer), SV_TEXT(q->producer),
                     SV_INT(q->check), SV_INT(q->check),
                     SV_INT(q->overdue), SV_TEXT(today),
                     SV_INT(q->limit + 1)};
    json_t *items = NULL;
    int64_t last = 0;
    bool more = false;
    int rc = samples_query(c, sql, p, (int)(sizeof p / sizeof *p), q->limit, &items, &last, &more,
                           err);
    if (rc)
        return rc;
    char cur[24];
    snprintf(cur, sizeof cur, "%lld", (long long)last);
    *out = json_pack("{s:o, s:o}", "items", items, "next_cursor",
                     more ? json_string(cur) : json_null());
    return 0;
}

static json_t *result_row(store_rows *r, int64_t unused)
{
    return json_pack("{s:s, s:s, s:s, s:s, s:b}", "item", store_text(r, 1), "standard",
                     store_text(r, 2), "requirement", store_text(r, 3), "measured",
                     store_text(r, 4), "pass", store_int(r, 5) != 0);
}

int spot_sample_get(store_conn *c, int64_t id, json_t **out, nqi_error *err)
{
    *out = NULL;
    json_t *items = NULL;
    int64_t last = 0;
    bool more = false;
    int rc = samples_query(c, SAMPLE_SQL "WHERE p.id = ?", (store_val[]){SV_INT(id)}, 1, 0,
                           &items, &last, &more, err);
    if (rc)
        return rc;
    json_t *j = json_incref(json_array_get(items, 0));
    json_decref(items);
    if (!j)
        return nqi_error_field(err, NQI_ENOTFOUND, "id", "sample %lld not found", (long long)id);
    json_t *rounds[2] = {json_array(), json_array()};
    store_rows *r;
    rc = store_query(c,
                     "SELECT round, item, standard, requirement, measured, pass FROM spot_results "
                     "WHERE sample_id = ? ORDER BY round, seq",
                     (store_val[]){SV_INT(id)}, 1, &r, err);
    while (!rc && (rc = store_next(r)) == 1)
        json_array_append_new(rounds[store_int(r, 0) == 2], result_row(r, 0));
    if (rc < 0)
        rc = store_rows_error(r, err);
    else
        rc = 0;
    store_rows_close(r);
    json_object_set_new(j, "results", rounds[0]);
    json_object_set_new(j, "recheck_results", rounds[1]);
    if (rc)
        json_decref(j);
    else
        *out = j;
    return rc;
}

static bool label_ok(const char *s)
{
    if (!s || !*s || strlen(s) > 64)
        return false;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p <= 0x20 || *p == 0x7f)
            return false;
    return true;
}

int spot_sample_add(store_conn *c, const http_principal *actor, int64_t check_id, json_t *in,
                    json_t **out, nqi_error *err)
{
    static const char *const allowed[] = {"sample_no", "product", "specification", "batch",
                                          "producer_code", "producer_name", "sampled_on",
                                          "quantity", NULL};
    *out = NULL;
    const char *no = NULL, *product = NULL, *spec = "", *batch = "", *code = NULL,
               *pname = NULL, *qty = "";
    char on[11];
    if (json_check_fields(in, allowed, err))
        return err->code;
    json_get_str(in, "sample_no", true, 64, &no, err);
    if (no && !label_ok(no))
        nqi_error_field(err, NQI_EINVAL, "sample_no", "1-64 characters without spaces");
    json_get_str(in, "product", true, 100, &product, err);
    json_get_str(in, "specification", false, 100, &spec, err);
    json_get_str(in, "batch", false, 100, &batch, err);
    json_get_str(in, "producer_code", true, 24, &code, err);
    if (code && !credit_code_valid(code))
        nqi_error_field(err, NQI_EINVAL, "producer_code",
                        "not a valid unified social credit code (GB 32100)");
    json_get_str(in, "producer_name", false, 200, &pname, err);
    json_get_str(in, "quantity", false, 50, &qty, err);
    insp_json_date(in, "sampled_on", NULL, false, on, err);
    if (err->code)
        return err->code;
    bool own = !store_in_tx(c);
    int rc = own ? store_begin(c, true, err) : 0;
    if (rc)
        return rc;
    int64_t n = 0;
    char *dirname = NULL;
    rc = store_query_int(c, "SELECT COUNT(*) FROM spot_checks WHERE id = ?",
                         (store_val[]){SV_INT(check_id)}, 1, &n, err);
    if (!rc && !n)
        rc = nqi_error_field(err, NQI_ENOTFOUND, "id", "spot check %lld not found",
                             (long long)check_id);
    if (!rc && !pname) {
        nqi_error e = {0};
        if (store_query_text(c, "SELECT name FROM entities WHERE credit_code = ?",
                             (store_val[]){SV_TEXT(code)}, 1, &dirname, &e))
            rc = nqi_error_field(err, NQI_EINVAL, "producer_name",
                                 "required: %s is not in the market-entity directory", code);
        pname = dirname;
    }
    if (!rc) {
        int64_t dup = 0;
        rc = store_query_int(c, "SELECT COUNT(*) FROM spot_samples WHERE sample_no = ?",
                             (store_val[]){SV_TEXT(no)}, 1, &dup, err);
        if (!rc && dup)
            rc = nqi_error_field(err, NQI_ECONFLICT, "sample_no", "sample %s exists already", no);
    }
    int64_t id = 0, now = now_ms();
    if (!rc)
        rc = store_query_int(
            c,
            "INSERT INTO spot_samples (spot_check_id, sample_no, product, specification, batch, "
            "producer_code, producer_name, sampled_on, quantity, status, created_at, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'sampled', ?, ?) RETURNING id",
            (store_val[]){SV_INT(check_id), SV_TEXT(no), SV_TEXT(product), SV_TEXT(spec),
                          SV_TEXT(batch), SV_TEXT(code), SV_TEXT(pname), SV_TEXT(on),
                          SV_TEXT(qty), SV_INT(now), SV_INT(now)},
            11, &id, err);
    free(dirname);
    json_t *j = NULL;
    if (!rc)
        rc = spot_sample_get(c, id, &j, err);
    if (!rc)
        rc = audit_json(c, actor, "spot_check.sample", "spot_sample", id, j, err);
    rc = store_tx_end(c, own, rc, err);
    if (rc)
        json_decref(j);
    else
        *out = j;
    return rc;
}

/* items[] of a result: every standard number parsed to its canonical form
 * (kept in `canon`, parallel to items). Returns the number of failed items. */
static int items_check(json_t *items, json_t *canon, nqi_error *err)
{
    if (!json_is_array(items) || !json_array_size(items) ||
        json_array_size(items) > RESULT_ITEMS_MAX) {
        nqi_error_field(err, NQI_EINVAL, "items", "1 to %d test items", RESULT_ITEMS_MAX);
        return 0;
    }
    int failed = 0;
    for (size_t i = 0; i < json_array_size(items); i++) {
        static const char *const allowed[] = {"item", "standard", "requirement", "measured",
                                              "pass", NULL};
        json_t *it = json_array_get(items, i);
        const char *name = NULL, *std = NULL, *req = NULL, *meas = NULL;
        bool pass = false;
        nqi_error e = {0};
        if (!json_is_object(it))
            nqi_error_field(&e, NQI_EINVAL, "", "an object {item, standard, pass}");
        else if (!json_check_fields(it, allowed, &e)) {
            json_get_str(it, "item", true, 100, &name, &e);
            json_get_str(it, "standard", true, 160, &std, &e);
            json_get_str(it, "requirement", false, 200, &req, &e);
            json_get_str(it, "measured", false, 200, &meas, &e);
            json_get_bool(it, "pass", true, &pass, &e);
        }
        std_number sn;
        nqi_error se = {0};
        if (std && std_number_parse(std, strlen(std), &sn, &se))
            nqi_error_field(&e, NQI_EINVAL, "standard", "not a standard number: %s", se.message);
        for (int k = 0; k < e.nfields; k++) {
            char p[64];
            snprintf(p, sizeof p, "items/%zu%s%s", i, *e.fields[k].field ? "/" : "",
                     e.fields[k].field);
            nqi_error_field(err, NQI_EINVAL, p, "%s", e.fields[k].message);
        }
        json_array_append_new(canon, json_string(e.code ? "" : sn.canonical));
        failed += !e.code && !pass;
    }
    return failed;
}

int spot_sample_results(store_conn *c, const http_principal *actor, int64_t id, bool recheck,
                        json_t *in, json_t **out, nqi_error *err)
{
    static const char *const allowed[] = {"tested_on", "items", "correction_working_days", NULL};
    static const char *const allowed_re[] = {"tested_on", "items", NULL};
    *out = NULL;
    if (json_check_fields(in, recheck ? allowed_re : allowed, err))
        return err->code;
    char on[11];
    int64_t corr_days = 20;
    insp_json_date(in, "tested_on", NULL, false, on, err);
    json_get_int(in, "correction_working_days", false, 1, 120, &corr_days, err);
    json_t *items = json_object_get(in, "items"), *canon = json_array();
    int failed = items_check(items, canon, err);
    if (err->code) {
        json_decref(canon);
        return err->code;
    }
    bool own = !store_in_tx(c);
    int rc = own ? store_begin(c, true, err) : 0;
    if (rc) {
        json_decref(canon);
        return rc;
    }
    json_t *s = NULL;
    rc = insp_lock(c, "spot_sample", id, err);
    if (!rc)
        rc = spot_sample_get(c, id, &s, err);
    const char *status = rc ? "" : json_string_value(json_object_get(s, "status"));
    const char *prev = json_string_value(json_object_get(s, recheck ? "tested_on" : "sampled_on"));
    if (!rc && !recheck && strcmp(status, "sampled"))
        rc = nqi_error_set(err, NQI_ECONFLICT, "sample %lld is %s: its test result is final",
                           (long long)id, status);
    if (!rc && recheck &&
        (strcmp(status, "tested") ||
         strcmp(json_string_value(json_object_get(s, "verdict")), "fail")))
        rc = nqi_error_set(err, NQI_ECONFLICT,
                           "sample %lld is %s: only a failed, tested sample is re-checked (once)",
                           (long long)id, status);
    if (!rc && strcmp(on, prev) < 0)
        rc = nqi_error_field(err, NQI_EINVAL, "tested_on", "before %s (%s)",
                             recheck ? "the first test" : "the sampling date", prev);
    for (size_t i = 0; !rc && i < json_array_size(items); i++) {
        json_t *it = json_array_get(items, i);
        const char *req = json_string_value(json_object_get(it, "requirement"));
        const char *meas = json_string_value(json_object_get(it, "measured"));
        rc = store_exec(c,
                        "INSERT INTO spot_results (sample_id, round, seq, item, standard, "
                        "requirement, measured, pass) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                        (store_val[]){SV_INT(id), SV_INT(recheck ? 2 : 1), SV_INT((int64_t)i),
                                      SV_TEXT(json_string_value(json_object_get(it, "item"))),
                                      SV_TEXT(json_string_value(json_array_get(canon, i))),
                                      SV_TEXT(req ? req : ""), SV_TEXT(meas ? meas : ""),
                                      SV_INT(json_is_true(json_object_get(it, "pass")))},
                        8, NULL, err);
    }
    const char *verdict = failed ? "fail" : "pass";
    char pdue[11] = "", cdue[11] = "";
    if (!rc)
        rc = calendar_deadline(c, on, INSP_PUBLISH_WORKING_DAYS, "tested_on", pdue, err);
    if (!rc && failed && !recheck)
        rc = calendar_deadline(c, on, (int)corr_days, "tested_on", cdue, err);
    if (!rc && !recheck)
        rc = store_exec(c,
                        "UPDATE spot_samples SET status = 'tested', verdict = ?, tested_on = ?, "
                        "correction_due = ?, publish_due = ?, updated_at = ? WHERE id = ?",
                        (store_val[]){SV_TEXT(verdict), SV_TEXT(on),
                                      SV_TEXT(*cdue ? cdue : NULL), SV_TEXT(pdue),
                                      SV_INT(now_ms()), SV_INT(id)},
                        6, NULL, err);
    else if (!rc) /* the public record is out of date until published again */
        rc = store_exec(c,
                        "UPDATE spot_samples SET status = 'rechecked', recheck_verdict = ?, "
                        "recheck_on = ?, publish_due = ?, published_at = NULL, updated_at = ? "
                        "WHERE id = ?",
                        (store_val[]){SV_TEXT(verdict), SV_TEXT(on), SV_TEXT(pdue),
                                      SV_INT(now_ms()), SV_INT(id)},
                        5, NULL, err);
    char ref[24], kind[32];
    snprintf(ref, sizeof ref, "%lld", (long long)id);
    snprintf(kind, sizeof kind, "spot_check.%s",
             recheck ? "recheck_fail" : failed ? "fail" : "pass");
    if (!rc && (!recheck || failed)) {
        char *detail = xasprintf("产品质量监督抽查%s：%s %s", recheck ? "复查" : "",
                                 json_string_value(json_object_get(s, "product")),
                                 failed ? "不合格" : "合格");
        rc = credit_fact_add(c, json_string_value(json_object_get(s, "producer_code")), kind, on,
                             "spot_check", ref, detail, err);
        free(detail);
    }
    json_decref(s);
    json_decref(canon);
    s = NULL;
    if (!rc)
        rc = spot_sample_get(c, id, &s, err);
    if (!rc)
        rc = audit_json(c, actor, recheck ? "spot_check.recheck" : "spot_check.result",
                        "spot_sample", id, s, err);
    rc = store_tx_end(c, own, rc, err);
    if (rc)
        json_decref(s);
    else
        *out = s;
    return rc;
}
