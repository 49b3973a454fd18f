/*
 * credit_http.c — the routes of quality-credit classification, lists,
 * penalty publicity, credit repair and joint punishment, the nightly
 * recomputation thread, and credit_module. Contract: docs/modules/credit.md.
 *
 *   GET  /api/v1/credit/rules[/{version}]          staff
 *   POST /api/v1/credit/rules                      regulator, admin
 *   POST /api/v1/credit/rules/{version}/activate   regulator, admin
 *   POST /api/v1/credit/classify                   regulator, admin
 *   GET  /api/v1/credit/overview                   staff
 *   POST /api/v1/credit/facts                      regulator, admin
 *   GET  /api/v1/credit/lists/{list}[/{id}]        public (list: abnormal|serious)
 *   POST /api/v1/credit/lists/{list}               regulator, admin
 *   POST /api/v1/credit/lists/{list}/{id}/remove   regulator, admin
 *   GET  /api/v1/credit/penalties                  public (in publicity; staff: all)
 *   POST /api/v1/credit/penalties                  regulator, admin
 *   GET  /api/v1/credit/repairs                    staff, enterprise (own)
 *   POST /api/v1/credit/repairs                    regulator, admin, enterprise (own)
 *   POST /api/v1/credit/repairs/{id}/decision      regulator, admin
 *   GET  /api/v1/credit/{credit_code}              public (staff, own enterprise: full)
 *   GET  /api/v1/credit/{credit_code}/restrictions staff
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/app.h"
#include "core/auth.h"
#include "core/json.h"
#include "core/util.h"
#include "core/xlsx.h"
#include "supervision/credit_impl.h"
#include "supervision/internal.h"

#define WRITERS (ROLE_REGULATOR | ROLE_ADMIN)
#define EXPORT_MAX 100000

int credit_demo(nqi_app *app, store_conn *c, nqi_error *err); /* credit_demo.c */

static bool is_staff(const http_req *r)
{
    return (r->principal.role & ROLES_STAFF) != 0;
}

static void reply(http_resp *w, const http_req *r, int rc, const nqi_error *err, int status,
                  json_t *out)
{
    if (rc)
        http_resp_problem(w, r, err);
    else
        http_resp_json(w, status, out);
}

/* A handler over a JSON body: fn(c, actor, in, today, out, err). */
typedef int (*body_fn)(store_conn *, const http_principal *, json_t *, const char *, json_t **,
                       nqi_error *);

static void with_body(http_req *r, http_resp *w, body_fn fn, int status)
{
    nqi_error err = {0};
    json_t *in = NULL, *out = NULL;
    credit_date today;
    credit_today(today);
    int rc = http_req_json(r, &in, &err);
    if (!rc)
        rc = fn(r->db, &r->principal, in, today, &out, &err);
    json_decref(in);
    reply(w, r, rc, &err, status, out);
}

/* ?format=xlsx: the list's items as a spreadsheet instead of JSON. */
static bool want_xlsx(const http_req *r, nqi_error *err)
{
    const char *f = http_query(r, "format");
    if (f && *f && strcmp(f, "xlsx") && strcmp(f, "json"))
        nqi_error_field(err, NQI_EINVAL, "format", "json or xlsx");
    return f && !strcmp(f, "xlsx");
}

static void send_xlsx(http_resp *w, const http_req *r, const char *name, const credit_col *cols,
                      int ncols, json_t *out)
{
    nqi_error err = {0};
    char *body = NULL, disp[128];
    size_t len = 0;
    credit_date today;
    credit_today(today);
    int rc = credit_xlsx(name, cols, ncols, json_object_get(out, "items"), &body, &len, &err);
    json_decref(out);
    if (rc) {
        http_resp_problem(w, r, &err);
        return;
    }
    snprintf(disp, sizeof disp, "attachment; filename=\"credit-%s-%s.xlsx\"", name, today);
    http_resp_text(w, 200, XLSX_MEDIA_TYPE, body, len);
    http_resp_header(w, "Content-Disposition", disp);
}

static int list_params(const http_req *r, bool xlsx, int64_t *limit, int64_t *cursor,
                       nqi_error *err)
{
    return http_list_params(r, xlsx ? EXPORT_MAX : 50, xlsx ? EXPORT_MAX : 200, limit, cursor,
                            err);
}

/* ---------------------------------------------------------------- rules, runs */

static void h_rules(http_req *r, http_resp *w)
{
    nqi_error err = {0};
    json_t *out = NULL;
    int rc = credit_rules_list(r->db, &out, &err);
    reply(w, r, rc, &err, 200, out);
}

static void h_rule(http_req *r, http_resp *w)
{
    nqi_error err = {0};
    json_t *out = NULL;
    int64_t v;
    int rc = http_param_id(r, "version", "rule set version", &v, &err);
    rc = rc ? rc : credit_rules_get(r->db, v, &out, &err);
    reply(w, r, rc, &err, 200, out);
}

static int rules_create(store_conn *c, const http_principal *a, json_t *in, const char *today,
                        json_t **out, nqi_error *err)
{
    return credit_rules_create(c, a, in, out, err);
}

static void h_rules_create(http_req *r, http_resp *w)
{
    with_body(r, w, rules_create, 201);
}

static void h_rule_activate(http_req *r, http_resp *w)
{
    nqi_error err = {0};
    json_t *out = NULL;
    int64_t v;
    int rc = http_param_id(r, "version", "rule set version", &v, &err);
    rc = rc ? rc : credit_rules_activate(r->db, &r->principal, v, &out, &err);
    reply(w, r, rc, &err, 200, out);
}

static void h_classify(http_req *r, http_resp *w)
{
    static const char *const allowed[] = {"all", "credit_codes", NULL};
    nqi_error err = {0};
    json_t *in = NULL, *out = NULL;
    bool all = false;
    int rc = http_req_json(r, &in, &err);
    if (!rc && (json_check_fields(in, allowed, &err) || json_get_bool(in, "all", false, &all, &err)))
        rc = err.code;
    json_t *codes = in ? json_object_get(in, "credit_codes") : NULL;
    if (!rc && all == (codes != NULL))
        rc = nqi_error_field(&err, NQI_EINVAL, "all",
                             "give either \"all\": true or \"credit_codes\": [...]");
    credit_date today;
    credit_today(today);
    if (!rc && all)
        rc = credit_classify_all(r->db, &r->principal, "demand", today, NULL, &out, &err);
    else if (!rc)
        rc = credit_classify_codes(r->db, &r->principal, codes, &out, &err);
    json_decref(in);
    reply(w, r, rc, &err, 200, out);
}

static void h_overview(http_req *r, http_resp *w)
{
    nqi_error err = {0};
    json_t *out = NULL;
    int rc = credit_overview(r->db, &out, &err);
    reply(w, r, rc, &err, 200, out);
}

static void h_fact(http_req *r, http_resp *w)
{
    with_body(r, w, credit_fact_record, 201);
}

/* ---------------------------------------------------------------- lists */

static int list_param(const http_req *r, credit_list *l, nqi_error *err)
{
    const char *v = http_param(r, "list");
    if (v && !strcmp(v, "abnormal"))
        *l = CREDIT_ABNORMAL;
    else if (v && !strcmp(v, "serious"))
        *l = CREDIT_SERIOUS;
    else
        return nqi_error_field(err, NQI_ENOTFOUND, "list", "no list '%s' (abnormal, serious)",
                               v ? v : "");
    return 0;
}

static const credit_col list_cols[] = {
    {"id", "序号"},           {"credit_code", "统一社会信用代码"}, {"name", "企业名称"},
    {"region", "区划"},       {"grounds", "列入事由"},           {"legal_basis", "依据"},
    {"decision_no", "决定书文号"}, {"authority", "作出决定机关"},  {"entered_on", "列入日期"},
    {"expires_on", "届满日期"}, {"status", "状态"},              {"removed_on", "移出日期"},
    {"removal_reason", "移出原因"}};

static void h_list(http_req *r, http_resp *w)
{
    nqi_error err = {0};
    json_t *out = NULL;
    credit_list_query q = {.q = http_query(r, "q"), .region = http_query(r, "region"),
                           .status = http_query(r, "status"), .from = http_query(r, "from"),
                           .to = http_query(r, "to"), .staff = is_staff(r)};
    bool xlsx = want_xlsx(r, &err);
    list_param(r, &q.list, &err);
    list_params(r, xlsx, &q.limit, &q.cursor, &err);
    if (q.region && *q.region && !sup_region_ok(q.region, false))
        nqi_error_field(&err, NQI_EINVAL, "region", "a division-code prefix (1-6 digits)");
    if (q.from && *q.from && !credit_date_valid(q.from))
        nqi_error_field(&err, NQI_EINVAL, "from", "a date YYYY-MM-DD");
    if (q.to && *q.to && !credit_date_valid(q.to))
        nqi_error_field(&err, NQI_EINVAL, "to", "a date YYYY-MM-DD");
    if (q.from && !*q.from)
        q.from = NULL;
    if (q.to && !*q.to)
        q.to = NULL;
    credit_date today;
    credit_today(today);
    int rc = err.code ? err.code : credit_list_search(r->db, &q, today, &out, &err);
    if (!rc && xlsx)
        send_xlsx(w, r, credit_list_name(q.list), list_cols,
                  (int)(sizeof list_cols / sizeof list_cols[0]), out);
    else
        reply(w, r, rc, &err, 200, out);
}

static void h_list_entry(http_req *r, http_resp *w)
{
    nqi_error err = {0};
    json_t *out = NULL;
    credit_list l;
    int64_t id;
    int rc = list_param(r, &l, &err);
    if (!rc)
        rc = http_param_id(r, "id", "list entry", &id, &err);
    if (!rc)
        rc = credit_list_get(r->db, l, id, &out, &err);
    if (!rc && !is_staff(r)) {
        json_object_del(out, "created_by");
        json_object_del(out, "created_at");
    }
    reply(w, r, rc, &err, 200, out);
}

static void h_list_enter(http_req *r, http_resp *w)
{
    nqi_error err = {0};
    json_t *in = NULL, *out = NULL;
    credit_list l;
    credit_date today;
    credit_today(today);
    int rc = list_param(r, &l, &err);
    if (!rc)
        rc = http_req_json(r, &in, &err);
    if (!rc)
        rc = credit_list_enter(r->db, &r->principal, l, in, today, &out, &err);
    json_decref(in);
    reply(w, r, rc, &err, 201, out);
}

static void h_list_remove(http_req *r, http_resp *w)
{
    nqi_error err = {0};
    json_t *in = NULL, *out = NULL;
    credit_list l;
    int64_t id;
    credit_date today;
    credit_today(today);
    int rc = list_param(r, &l, &err);
    if (!rc)
        rc = http_param_id(r, "id", "list entry", &id, &err);
    if (!rc)
        rc = http_req_json(r, &in, &err);
    if (!rc)
        rc = credit_list_remove(r->db, &r->principal, l, id, in, today, &out, &err);
    json_decref(in);
    reply(w, r, rc, &err, 200, out);
}

/* ---------------------------------------------------------------- penalties, repairs */

static const credit_col pen_cols[] = {
    {"id", "序号"},          {"credit_code", "统一社会信用代码"}, {"name", "企业名称"},
    {"decision_no", "决定书文号"}, {"kind", "处罚种类"},         {"amount_yuan", "罚没金额（元）"},
    {"severity", "程度"},    {"decided_on", "处罚决定日期"},    {"legal_basis", "处罚依据"},
    {"summary", "违法事实"},  {"authority", "处罚机关"},          {"publicity_until", "公示截止"},
    {"in_publicity", "公示中"}};

static void h_penalties(http_req *r, http_resp *w)
{
    nqi_error err = {0};
    json_t *out = NULL;
    credit_penalty_query q = {.credit_code = http_query(r, "credit_code"),
                              .region = http_query(r, "region"),
                              .severity = http_query(r, "severity"),
                              .status = http_query(r, "status"), .staff = is_staff(r)};
    bool xlsx = want_xlsx(r, &err);
    list_params(r, xlsx, &q.limit, &q.cursor, &err);
    if (q.region && *q.region && !sup_region_ok(q.region, false))
        nqi_error_field(&err, NQI_EINVAL, "region", "a division-code prefix (1-6 digits)");
    credit_date today;
    credit_today(today);
    int rc = err.code ? err.code : credit_penalty_search(r->db, &q, today, &out, &err);
    if (!rc && xlsx)
        send_xlsx(w, r, "penalties", pen_cols, (int)(sizeof pen_cols / sizeof pen_cols[0]), out);
    else
        reply(w, r, rc, &err, 200, out);
}

static void h_penalty_create(http_req *r, http_resp *w)
{
    with_body(r, w, credit_penalty_create, 201);
}

static const credit_col repair_cols[] = {
    {"id", "序号"},         {"credit_code", "统一社会信用代码"}, {"name", "企业名称"},
    {"target_kind", "修复对象"}, {"target_id", "对象编号"},       {"reason", "申请理由"},
    {"status", "状态"},     {"requested_on", "申请日期"},       {"decided_on", "决定日期"},
    {"decided_by", "决定人"}, {"decision_note", "决定意见"}};

static void h_repairs(http_req *r, http_resp *w)
{
    nqi_error err = {0};
    json_t *out = NULL;
    credit_repair_query q = {.credit_code = http_query(r, "credit_code"),
                             .status = http_query(r, "status")};
    bool xlsx = want_xlsx(r, &err);
    list_params(r, xlsx, &q.limit, &q.cursor, &err);
    if (r->principal.role == ROLE_ENTERPRISE) /* an enterprise sees its own requests only */
        q.credit_code = r->principal.credit_code;
    int rc = err.code ? err.code : credit_repair_search(r->db, &q, &out, &err);
    if (!rc && xlsx)
        send_xlsx(w, r, "repairs", repair_cols, (int)(sizeof repair_cols / sizeof repair_cols[0]),
                  out);
    else
        reply(w, r, rc, &err, 200, out);
}

static void h_repair_create(http_req *r, http_resp *w)
{
    with_body(r, w, credit_repair_create, 201);
}

static void h_repair_decide(http_req *r, http_resp *w)
{
    nqi_error err = {0};
    json_t *in = NULL, *out = NULL;
    int64_t id;
    credit_date today;
    credit_today(today);
    int rc = http_param_id(r, "id", "repair request", &id, &err);
    if (!rc)
        rc = http_req_json(r, &in, &err);
    if (!rc)
        rc = credit_repair_decide(r->db, &r->principal, id, in, today, &out, &err);
    json_decref(in);
    reply(w, r, rc, &err, 200, out);
}

/* ---------------------------------------------------------------- one enterprise */

static void h_page(http_req *r, http_resp *w)
{
    nqi_error err = {0};
    json_t *out = NULL;
    const char *code = http_param(r, "credit_code");
    bool full = is_staff(r) ||
                (r->principal.role == ROLE_ENTERPRISE && code &&
                 !strcmp(r->principal.credit_code, code));
    credit_date today;
    credit_today(today);
    int rc = credit_page(r->db, code, full, today, &out, &err);
    reply(w, r, rc, &err, 200, out);
}

static void h_restrictions(http_req *r, http_resp *w)
{
    nqi_error err = {0};
    json_t *out = NULL;
    int rc = credit_restrictions(r->db, http_param(r, "credit_code"), http_query(r, "purpose"),
                                 &out, &err);
    reply(w, r, rc, &err, 200, out);
}

static void credit_routes(http_server *s)
{
    http_route(s, "GET", "/api/v1/credit/rules", ROLES_STAFF, h_rules, 0,
               "credit rule set versions and the active one");
    http_route(s, "GET", "/api/v1/credit/rules/{version}", ROLES_STAFF, h_rule, 0,
               "one credit rule set version");
    http_route(s, "POST", "/api/v1/credit/rules", WRITERS, h_rules_create, 0,
               "add a credit rule set version");
    http_route(s, "POST", "/api/v1/credit/rules/{version}/activate", WRITERS, h_rule_activate, 0,
               "make a rule set version the active one");
    http_route(s, "POST", "/api/v1/credit/classify", WRITERS, h_classify, 0,
               "recompute credit classes (all, or listed entities)");
    http_route(s, "GET", "/api/v1/credit/overview", ROLES_STAFF, h_overview, 0,
               "credit class distribution and the last run");
    http_route(s, "POST", "/api/v1/credit/facts", WRITERS, h_fact, 0,
               "record a credit fact (complaint, dynamic information)");
    http_route(s, "GET", "/api/v1/credit/lists/{list}", ROLES_ANY, h_list, 0,
               "abnormal-operations or serious-dishonesty list (json or xlsx)");
    http_route(s, "POST", "/api/v1/credit/lists/{list}", WRITERS, h_list_enter, 0,
               "enter an enterprise on a credit list");
    http_route(s, "GET", "/api/v1/credit/lists/{list}/{id}", ROLES_ANY, h_list_entry, 0,
               "one credit list entry");
    http_route(s, "POST", "/api/v1/credit/lists/{list}/{id}/remove", WRITERS, h_list_remove, 0,
               "remove a credit list entry");
    http_route(s, "GET", "/api/v1/credit/penalties", ROLES_ANY, h_penalties, 0,
               "administrative penalties in publicity (json or xlsx)");
    http_route(s, "POST", "/api/v1/credit/penalties", WRITERS, h_penalty_create, 0,
               "record an administrative penalty");
    http_route(s, "GET", "/api/v1/credit/repairs", ROLES_STAFF | ROLE_ENTERPRISE, h_repairs, 0,
               "credit repair requests");
    http_route(s, "POST", "/api/v1/credit/repairs", WRITERS | ROLE_ENTERPRISE, h_repair_create,
               0, "request a credit repair");
    http_route(s, "POST", "/api/v1/credit/repairs/{id}/decision", WRITERS, h_repair_decide, 0,
               "approve or reject a credit repair");
    http_route(s, "GET", "/api/v1/credit/{credit_code}", ROLES_ANY, h_page, 0,
               "an enterprise's credit page");
    http_route(s, "GET", "/api/v1/credit/{credit_code}/restrictions", ROLES_STAFF,
               h_restrictions, 0, "joint punishment: restrictions for a purpose");
}

/* ---------------------------------------------------------------- nightly */

static struct {
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool running, stop;
    store *st;
    int hour; /* China time */
} N = {.mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER};

/* Seconds until the next hh:00 China time. */
static time_t next_run(int hour)
{
    time_t now = time(NULL), cn = now + 8 * 3600;
    struct tm tm;
    gmtime_r(&cn, &tm);
    tm.tm_hour = hour;
    tm.tm_min = tm.tm_sec = 0;
    time_t at = timegm(&tm) - 8 * 3600;
    if (at <= now)
        at += 24 * 3600;
    return at;
}

static void *nightly_main(void *arg)
{
    http_principal p;
    auth_cli_principal(&p);
    snprintf(p.username, sizeof p.username, "nightly");
    pthread_mutex_lock(&N.mu);
    while (!N.stop) {
        struct timespec ts = {.tv_sec = next_run(N.hour)};
        int w = 0;
        while (!N.stop && w != ETIMEDOUT)
            w = pthread_cond_timedwait(&N.cv, &N.mu, &ts);
        if (N.stop)
            break;
        pthread_mutex_unlock(&N.mu);
        nqi_error err = {0};
        store_conn *c = store_conn_thread(N.st, &err);
        credit_date today;
        credit_today(today);
        json_t *out = NULL;
        int rc = c ? credit_classify_all(c, &p, "nightly", today, today, &out, &err) : -1;
        if (rc && rc != NQI_ECONFLICT)
            fprintf(stderr, "nqi credit: nightly classification failed: %s\n", err.message);
        json_decref(out);
        pthread_mutex_lock(&N.mu);
    }
    pthread_mutex_unlock(&N.mu);
    return NULL;
}

/* NQI_CREDIT_NIGHTLY_HOUR: 0-23 (China time, default 2), or "off". */
static int credit_start(nqi_app *app, nqi_error *err)
{
    const char *e = getenv("NQI_CREDIT_NIGHTLY_HOUR");
    int64_t h = 2;
    if (e && !strcmp(e, "off"))
        return 0;
    if (e && *e && (!str_to_i64(e, &h) || h < 0 || h > 23))
        return nqi_error_set(err, NQI_EINVAL, "NQI_CREDIT_NIGHTLY_HOUR: 0-23 or off, not %s", e);
    N.st = app->st;
    N.hour = (int)h;
    N.stop = false;
    if (pthread_create(&N.thread, NULL, nightly_main, NULL))
        return nqi_error_set(err, NQI_EINTERNAL, "cannot start the credit nightly thread");
    N.running = true;
    return 0;
}

static void credit_stop(nqi_app *app)
{
    if (!N.running)
        return;
    pthread_mutex_lock(&N.mu);
    N.stop = true;
    pthread_cond_signal(&N.cv);
    pthread_mutex_unlock(&N.mu);
    pthread_join(N.thread, NULL);
    N.running = false;
}

const nqi_module credit_module = {.name = "credit",
                                  .routes = credit_routes,
                                  .demo = credit_demo,
                                  .start = credit_start,
                                  .stop = credit_stop};
