/*
 * credit_demo.c — demo data of quality-credit classification for
 * `nqi init --demo`, after the supervision demo loaded its 200 entities
 * with classes A 15% / B 60% / C 20% / D 5% and made a revealed draw.
 *
 * The facts are chosen so that classification under rule set v1 gives
 * every active entity the class it was imported with: A entities have clean
 * inspections and passed spot checks, C entities an abnormal-list entry, a
 * heavier penalty or failed spot checks, D entities a serious-list entry,
 * some B entities a warning. So the demo draw's pool still hashes as
 * committed after the classification (its verification stays green), and
 * every explanation on the demo pages is true to the rules.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/auth.h"
#include "core/util.h"
#include "supervision/credit_impl.h"

typedef struct demo_ent {
    char code[24], cls;
} demo_ent;

static void ago(const char *today, int months, int days, credit_date out)
{
    credit_date t;
    credit_period_end(today, -months, t);
    credit_date_add_days(t, -days, out);
}

static int fact(store_conn *c, const char *code, const char *kind, const char *on,
                const char *source, int n, const char *detail, nqi_error *err)
{
    char ref[64];
    snprintf(ref, sizeof ref, "demo-%s-%d", code, n);
    return credit_fact_add(c, code, kind, on, source, ref, detail, err);
}

static int call(store_conn *c, const http_principal *p, const char *today, json_t *in,
                int (*fn)(store_conn *, const http_principal *, json_t *, const char *, json_t **,
                          nqi_error *),
                int64_t *id, nqi_error *err)
{
    json_t *out = NULL;
    int rc = in ? fn(c, p, in, today, &out, err) : nqi_error_set(err, NQI_EINTERNAL, "demo json");
    if (!rc && id)
        *id = json_integer_value(json_object_get(out, "id"));
    json_decref(out);
    json_decref(in);
    return rc;
}

static int enter_abnormal(store_conn *c, const http_principal *p, json_t *in, const char *today,
                          json_t **out, nqi_error *err)
{
    return credit_list_enter(c, p, CREDIT_ABNORMAL, in, today, out, err);
}

static int enter_serious(store_conn *c, const http_principal *p, json_t *in, const char *today,
                         json_t **out, nqi_error *err)
{
    return credit_list_enter(c, p, CREDIT_SERIOUS, in, today, out, err);
}

static int demo_one(store_conn *c, const http_principal *p, const char *today, const demo_ent *e,
                    int k, nqi_error *err)
{
    credit_date d1, d2, d3, d4;
    ago(today, 3, 0, d1);
    ago(today, 8, 0, d2);
    ago(today, 2, 0, d3);
    ago(today, 13, 0, d4);
    int rc = 0;
    char dec[64];
    snprintf(dec, sizeof dec, "榕市监处罚〔%.4s〕%d号", today, 100 + k);
    switch (e->cls) {
    case 'A':
        rc = fact(c, e->code, "inspection.normal", d1, "inspection", 1, "双随机检查未发现问题", err);
        rc = rc ? rc : fact(c, e->code, "inspection.normal", d2, "inspection", 2, "日常检查未发现问题", err);
        rc = rc ? rc : fact(c, e->code, "spot_check.pass", d1, "spot_check", 3, "产品质量监督抽查合格", err);
        rc = rc ? rc : fact(c, e->code, "spot_check.pass", d2, "spot_check", 4, "产品质量监督抽查合格", err);
        return rc;
    case 'B':
        if (k % 10)
            return 0;
        return call(c, p, today,
                    json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "credit_code", e->code,
                              "decision_no", dec, "kind", "warning", "decided_on", (ago(today, 1, 0, d1), d1),
                              "legal_basis", "《中华人民共和国产品质量法》第五十四条", "summary",
                              "产品标识不符合规定", "authority", "福州市市场监督管理局"),
                    credit_penalty_create, NULL, err);
    case 'C':
        switch (k % 4) {
        case 0:
            return call(c, p, today,
                        json_pack("{s:s, s:s, s:s, s:s, s:s}", "credit_code", e->code, "grounds",
                                  "未按照《企业信息公示暂行条例》规定的期限公示年度报告",
                                  "entered_on", d3, "legal_basis",
                                  "《企业经营异常名录管理暂行办法》第四条第一项",
                                  "authority", "福州市市场监督管理局"),
                        enter_abnormal, NULL, err);
        case 1:
            return call(c, p, today,
                        json_pack("{s:s, s:s, s:s, s:I, s:s, s:s, s:s, s:s}", "credit_code",
                                  e->code, "decision_no", dec, "kind", "fine", "amount_yuan",
                                  (json_int_t)50000, "decided_on", d3, "legal_basis",
                                  "《中华人民共和国食品安全法》第一百二十四条", "summary",
                                  "生产经营不符合食品安全标准的食品", "authority",
                                  "福州市市场监督管理局"),
                        credit_penalty_create, NULL, err);
        case 2:
            rc = fact(c, e->code, "spot_check.fail", d3, "spot_check", 1, "产品质量监督抽查不合格", err);
            return rc ? rc : fact(c, e->code, "inspection.ordered_to_correct", d3, "inspection", 2,
                                  "发现问题，责令整改", err);
        default: {
            int64_t pid = 0;
            rc = call(c, p, today,
                      json_pack("{s:s, s:s, s:s, s:I, s:s, s:s, s:s, s:s}", "credit_code", e->code,
                                "decision_no", dec, "kind", "fine", "amount_yuan",
                                (json_int_t)30000, "decided_on", d4, "legal_basis",
                                "《中华人民共和国产品质量法》第四十九条", "summary",
                                "生产不符合保障人体健康和人身、财产安全的国家标准的产品", "authority",
                                "福州市市场监督管理局"),
                      credit_penalty_create, &pid, err);
            rc = rc ? rc : fact(c, e->code, "spot_check.fail", d3, "spot_check", 3, "产品质量监督抽查不合格", err);
            if (rc || k != 3)
                return rc;
            return call(c, p, today,
                        json_pack("{s:s, s:I, s:s, s:s, s:s}", "target_kind", "penalty",
                                  "target_id", (json_int_t)pid, "reason",
                                  "已全额缴纳罚款，问题产品已召回并完成整改，经复查合格",
                                  "measures", "更新原料进货查验制度；增加出厂检验项目；开展全员质量培训",
                                  "pledge",
                                  "本企业承诺所提交材料真实有效，今后严格遵守法律法规，如有违反，愿承担相应法律责任。"),
                        credit_repair_create, NULL, err);
        }
        }
    case 'D':
        ago(today, 5, 0, d1);
        return call(c, p, today,
                    json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "credit_code", e->code, "grounds",
                              "生产销售不符合保障人身、财产安全的国家标准的产品，情节严重",
                              "entered_on", d1, "legal_basis",
                              "《市场监督管理严重违法失信名单管理办法》第七条", "decision_no", dec,
                              "authority", "福州市市场监督管理局"),
                    enter_serious, NULL, err);
    }
    return 0;
}

int credit_demo(nqi_app *app, store_conn *c, nqi_error *err)
{
    http_principal p;
    auth_cli_principal(&p);
    credit_date today;
    credit_today(today);
    store_rows *rs;
    int rc = store_query(c,
                         "SELECT credit_code, credit_class FROM entities WHERE status = 'active' "
                         "ORDER BY id",
                         NULL, 0, &rs, err);
    if (rc)
        return rc;
    demo_ent *ents = NULL;
    size_t n = 0, cap = 0;
    while ((rc = store_next(rs)) == 1) {
        if (n == cap)
            ents = xrealloc(ents, (cap = cap ? cap * 2 : 256) * sizeof *ents);
        snprintf(ents[n].code, sizeof ents[n].code, "%s", store_text(rs, 0));
        ents[n++].cls = store_text(rs, 1)[0];
    }
    rc = rc < 0 ? store_rows_error(rs, err) : 0;
    store_rows_close(rs);
    int seen[4] = {0};
    for (size_t i = 0; !rc && i < n; i++)
        rc = demo_one(c, &p, today, &ents[i], seen[ents[i].cls - 'A']++, err);
    free(ents);
    json_t *run = NULL;
    if (!rc)
        rc = credit_classify_all(c, &p, "cli", today, NULL, &run, err);
    json_decref(run);
    return rc;
}
