/*
 * credit_page.c — what is shown about one enterprise's credit (the public
 * credit page and the staff view), joint punishment (credit_restrictions:
 * 一处失信、处处受制) and manually recorded facts (complaints, dynamic
 * information).
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "core/audit.h"
#include "core/json.h"
#include "core/util.h"
#include "supervision/credit_code.h"
#include "supervision/credit_impl.h"
#include "supervision/internal.h"

/* ---------------------------------------------------------------- restrictions */

static const char *const purposes[] = {"award", "front_runner", "procurement", "subsidy",
                                       "honour", NULL};

/* The joint-punishment table: which record restricts which purpose, how,
 * and on what basis. One row per (source, purpose). */
static const struct {
    const char *source; /* serious | abnormal | penalty_high | class_d */
    const char *purpose;
    const char *measure;
} matrix[] = {
    {"serious", "award", "不得参加各级质量奖等评选"},
    {"serious", "honour", "不得授予荣誉称号、参加评先评优"},
    {"serious", "front_runner", "不得参加企业标准“领跑者”评估"},
    {"serious", "procurement", "依法限制参加政府采购、招标投标活动"},
    {"serious", "subsidy", "限制申请财政资金补助和政策扶持"},
    {"abnormal", "award", "不得参加各级质量奖等评选"},
    {"abnormal", "honour", "不得授予荣誉称号"},
    {"abnormal", "front_runner", "不得参加企业标准“领跑者”评估"},
    {"abnormal", "procurement", "在政府采购、招标投标中予以限制"},
    {"penalty_high", "award", "公示期内的较重行政处罚：不符合质量奖申报条件"},
    {"penalty_high", "honour", "公示期内的较重行政处罚：暂不授予荣誉称号"},
    {"penalty_high", "front_runner", "公示期内的较重行政处罚：不得参加“领跑者”评估"},
    {"class_d", "award", "信用风险分类为D类（高风险）：不予推荐参评"},
    {"class_d", "honour", "信用风险分类为D类（高风险）：不予推荐"},
    {"class_d", "front_runner", "信用风险分类为D类（高风险）：不得参加“领跑者”评估"},
    {"class_d", "subsidy", "信用风险分类为D类（高风险）：审慎给予财政资金支持"},
};

static const char *basis_of(const char *source)
{
    if (!strcmp(source, "serious"))
        return "《市场监督管理严重违法失信名单管理办法》第十二条；国发〔2016〕33号";
    if (!strcmp(source, "abnormal"))
        return "《企业信息公示暂行条例》第十八条";
    if (!strcmp(source, "penalty_high"))
        return "《市场监督管理行政处罚信息公示规定》；各评选办法“近三年无较重违法行为”的申报条件";
    return "国市监信发〔2022〕6号（企业信用风险分类管理）及本地联合惩戒措施清单";
}

static void add_restrictions(json_t *arr, const char *source, const char *purpose,
                             const char *reason, const char *kind, int64_t id, const char *until)
{
    for (size_t i = 0; i < sizeof matrix / sizeof matrix[0]; i++)
        if (!strcmp(matrix[i].source, source) && !strcmp(matrix[i].purpose, purpose))
            json_array_append_new(
                arr, json_pack("{s:s, s:s, s:s, s:{s:s, s:I}, s:s?}", "measure",
                               matrix[i].measure, "reason", reason, "legal_basis",
                               basis_of(source), "source", "kind", kind, "id", (json_int_t)id,
                               "until", until));
}

int credit_restrictions(store_conn *c, const char *credit_code, const char *purpose,
                        json_t **out, nqi_error *err)
{
    bool ok = false;
    for (int i = 0; purpose && purposes[i]; i++)
        ok |= !strcmp(purpose, purposes[i]);
    if (!ok)
        return nqi_error_field(err, NQI_EINVAL, "purpose",
                               "award, front_runner, procurement, subsidy or honour");
    int rc = credit_code_validate(credit_code, "credit_code", err);
    if (rc)
        return rc;
    credit_date today;
    credit_today(today);
    char *cls = NULL;
    rc = store_query_text(c, "SELECT credit_class FROM entities WHERE credit_code = ?",
                          (store_val[]){SV_TEXT(credit_code)}, 1, &cls, err);
    bool known = rc == 0;
    if (rc == NQI_ENOTFOUND)
        nqi_error_clear(err), rc = 0;
    if (rc)
        return rc;
    json_t *arr = json_array();
    store_rows *rs;
    rc = store_query(c,
                     "SELECT id, list, grounds, entered_on, expires_on FROM credit_list_entries "
                     "WHERE credit_code = ? AND removed_on IS NULL AND (expires_on IS NULL OR "
                     "expires_on >= ?) ORDER BY id",
                     (store_val[]){SV_TEXT(credit_code), SV_TEXT(today)}, 2, &rs, err);
    if (!rc) {
        while ((rc = store_next(rs)) == 1) {
            bool serious = !strcmp(store_text(rs, 1), "serious");
            char *why = xasprintf("%s（%s列入）：%s",
                                  serious ? "列入严重违法失信名单" : "列入经营异常名录",
                                  store_text(rs, 3), store_text(rs, 2));
            add_restrictions(arr, store_text(rs, 1), purpose, why,
                             serious ? "list.serious" : "list.abnormal", store_int(rs, 0),
                             store_text(rs, 4));
            free(why);
        }
        rc = rc < 0 ? store_rows_error(rs, err) : 0;
        store_rows_close(rs);
    }
    if (!rc)
        rc = store_query(c,
                         "SELECT id, decision_no, decided_on, publicity_until FROM "
                         "credit_penalties WHERE credit_code = ? AND severity = 'high' AND "
                         "ended_on IS NULL AND publicity_until >= ? ORDER BY id",
                         (store_val[]){SV_TEXT(credit_code), SV_TEXT(today)}, 2, &rs, err);
    if (!rc) {
        while ((rc = store_next(rs)) == 1) {
            char *why = xasprintf("较重行政处罚 %s（%s）", store_text(rs, 1), store_text(rs, 2));
            add_restrictions(arr, "penalty_high", purpose, why, "penalty", store_int(rs, 0),
                             store_text(rs, 3));
            free(why);
        }
        rc = rc < 0 ? store_rows_error(rs, err) : 0;
        store_rows_close(rs);
    }
    if (!rc && cls && !strcmp(cls, "D"))
        add_restrictions(arr, "class_d", purpose, "质量信用分类为D类", "credit_class", 0, NULL);
    if (rc) {
        json_decref(arr);
        free(cls);
        return rc;
    }
    *out = json_pack("{s:s, s:s, s:b, s:s?, s:b, s:o}", "credit_code", credit_code, "purpose",
                     purpose, "known", known, "credit_class", cls, "restricted",
                     json_array_size(arr) > 0, "restrictions", arr);
    free(cls);
    return 0;
}

/* ---------------------------------------------------------------- the page */

static int rows_array(store_conn *c, const char *sql, const store_val *p, int np, json_t **out,
                      nqi_error *err)
{
    store_rows *rs;
    int rc = store_query(c, sql, p, np, &rs, err);
    if (rc)
        return rc;
    *out = json_array();
    while ((rc = store_next(rs)) == 1) {
        json_t *o = json_object();
        for (int i = 0; i < store_ncols(rs); i++)
            json_object_set_new(o, store_colname(rs, i),
                                store_isnull(rs, i) ? json_null()
                                : !strcmp(store_colname(rs, i), "id")
                                    ? json_integer(store_int(rs, i))
                                    : json_string(store_text(rs, i)));
        json_array_append_new(*out, o);
    }
    rc = rc < 0 ? store_rows_error(rs, err) : 0;
    store_rows_close(rs);
    return rc;
}

int credit_page(store_conn *c, const char *credit_code, bool full, const char *today,
                json_t **out, nqi_error *err)
{
    int rc = credit_code_validate(credit_code, "credit_code", err);
    if (rc)
        return rc;
    store_rows *rs;
    rc = store_query(c,
                     "SELECT e.name, e.region, e.industry, e.status, e.credit_class, k.score, "
                     "k.rule_version, k.as_of, k.explanation, k.computed_at FROM entities e LEFT "
                     "JOIN credit_classifications k ON k.entity_id = e.id WHERE "
                     "e.credit_code = ?",
                     (store_val[]){SV_TEXT(credit_code)}, 1, &rs, err);
    if (rc)
        return rc;
    rc = store_next(rs);
    if (rc != 1) {
        rc = rc ? store_rows_error(rs, err)
                : nqi_error_field(err, NQI_ENOTFOUND, "credit_code",
                                  "no market entity %s in the directory", credit_code);
        store_rows_close(rs);
        return rc;
    }
    json_t *o = json_pack("{s:s, s:s, s:s, s:s?, s:s}", "credit_code", credit_code, "name",
                          store_text(rs, 0), "region", store_text(rs, 1), "industry",
                          store_text(rs, 2), "status", store_text(rs, 3));
    if (full) {
        char at[32];
        json_object_set_new(o, "credit_class", json_string(store_text(rs, 4)));
        json_object_set_new(o, "score", store_isnull(rs, 5) ? json_null()
                                                            : json_integer(store_int(rs, 5)));
        json_object_set_new(o, "rule_version", store_isnull(rs, 6)
                                                   ? json_null()
                                                   : json_integer(store_int(rs, 6)));
        json_object_set_new(o, "as_of", store_isnull(rs, 7) ? json_null()
                                                            : json_string(store_text(rs, 7)));
        json_object_set_new(o, "explanation", store_isnull(rs, 8)
                                                  ? json_null()
                                                  : json_loads(store_text(rs, 8), 0, NULL));
        json_object_set_new(o, "computed_at",
                            store_isnull(rs, 9) ? json_null()
                                                : json_string(time_iso8601(store_int(rs, 9), at,
                                                                           sizeof at)));
    }
    store_rows_close(rs);
    credit_list_query lq = {.list = CREDIT_ABNORMAL, .status = full ? "all" : "current",
                            .limit = 200, .staff = full};
    json_t *ab = NULL, *se = NULL, *pen = NULL, *x = NULL;
    char code_pat[24];
    snprintf(code_pat, sizeof code_pat, "%s", credit_code);
    lq.q = code_pat;
    rc = credit_list_search(c, &lq, today, &ab, err);
    lq.list = CREDIT_SERIOUS;
    if (!rc)
        rc = credit_list_search(c, &lq, today, &se, err);
    credit_penalty_query pq = {.credit_code = credit_code, .status = full ? "all" : "public",
                               .limit = 200, .staff = full};
    if (!rc)
        rc = credit_penalty_search(c, &pq, today, &pen, err);
    if (!rc) {
        json_object_set(o, "abnormal", json_object_get(ab, "items"));
        json_object_set(o, "serious", json_object_get(se, "items"));
        json_object_set(o, "penalties", json_object_get(pen, "items"));
    }
    if (!rc && full) {
        credit_repair_query rq = {.credit_code = credit_code, .limit = 200};
        rc = credit_repair_search(c, &rq, &x, err);
        if (!rc)
            json_object_set(o, "repairs", json_object_get(x, "items"));
        json_decref(x);
        x = NULL;
        if (!rc)
            rc = rows_array(c,
                            "SELECT id, kind, occurred_on, source, ref, detail, CASE WHEN "
                            "withdrawn_at IS NULL THEN 'standing' ELSE 'withdrawn' END AS state "
                            "FROM credit_facts WHERE credit_code = ? ORDER BY occurred_on DESC, id "
                            "DESC LIMIT 500",
                            (store_val[]){SV_TEXT(credit_code)}, 1, &x, err);
        if (!rc)
            json_object_set_new(o, "facts", x);
    }
    json_decref(ab);
    json_decref(se);
    json_decref(pen);
    if (rc) {
        json_decref(o);
        return rc;
    }
    *out = o;
    return 0;
}

/* ---------------------------------------------------------------- manual facts */

int credit_fact_record(store_conn *c, const http_principal *actor, json_t *in,
                       const char *today, json_t **out, nqi_error *err)
{
    static const char *const allowed[] = {"credit_code", "kind", "occurred_on", "detail", "ref",
                                          NULL};
    const char *code = NULL, *kind = NULL, *on = NULL, *detail = "", *ref = NULL;
    *out = NULL;
    json_check_fields(in, allowed, err);
    json_get_str(in, "credit_code", true, 18, &code, err);
    json_get_str(in, "kind", true, CREDIT_KIND_MAX - 1, &kind, err);
    credit_json_date(in, "occurred_on", true, today, &on, err);
    json_get_str(in, "detail", false, 500, &detail, err);
    json_get_str(in, "ref", false, 100, &ref, err);
    if (kind && (!strncmp(kind, "list.", 5) || !strncmp(kind, "penalty.", 8)))
        nqi_error_field(err, NQI_EINVAL, "kind",
                        "list and penalty facts come from their records (lists, penalties)");
    if (err->code)
        return err->code;
    bool own;
    int rc = store_tx_begin(c, &own, err);
    if (rc)
        return rc;
    credit_rules r;
    rc = credit_entity_check(c, code, err);
    if (!rc)
        rc = credit_rules_active(c, &r, NULL, err);
    bool weighed = false;
    for (int i = 0; !rc && i < r.nfacts; i++)
        weighed |= !strcmp(r.facts[i].kind, kind);
    if (!rc && !weighed)
        rc = nqi_error_field(err, NQI_EINVAL, "kind",
                             "%s is not weighed by rule set version %lld", kind,
                             (long long)r.version);
    char gen[80], rnd[9];
    if (!ref) { /* unique per recording: the fact key is (source, ref, kind) */
        unsigned char b[4];
        randombytes_buf(b, sizeof b);
        hex_encode(b, sizeof b, rnd);
        snprintf(gen, sizeof gen, "%s:%lld:%s", code, (long long)now_ms(), rnd);
        ref = gen;
    }
    if (!rc)
        rc = credit_fact_add(c, code, kind, on, "manual", ref, detail, err);
    if (!rc) {
        *out = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "credit_code", code, "kind", kind,
                         "occurred_on", on, "source", "manual", "ref", ref, "detail", detail);
        rc = audit_record(c, actor, "credit.fact.record", "credit_fact", ref, NULL, *out, err);
    }
    if (!rc)
        rc = credit_reclassify(c, code, err);
    if (rc && *out) {
        json_decref(*out);
        *out = NULL;
    }
    return store_tx_end(c, own, rc, err);
}
