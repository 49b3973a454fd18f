/*
 * public_reports.c — what supervision has made public about one producer,
 * read for the consumer trace page (public_reports.h). Reads
 * inspection_publications (only published results exist there), the
 * spot-check plan and test standards of published samples, the directory
 * name and the current public list entries. Never the credit class.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "supervision/inspection.h"
#include "supervision/public_reports.h"

/* The newest publication of each task/sample of the producer (a sample is
 * published again after its re-check; the first row stays for the log). */
static const char pub_sql[] =
    "SELECT p.id, p.kind, p.ref_id, p.entity_name, p.result, p.published_on, p.record, "
    "p.log_index FROM inspection_publications p WHERE p.credit_code = ? AND p.id = "
    "(SELECT MAX(q.id) FROM inspection_publications q WHERE q.kind = p.kind AND q.ref_id = "
    "p.ref_id) ORDER BY p.id DESC LIMIT 200";

static const char *jstr(const json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

/* One column of strings from sql with one integer parameter. */
static int strings(store_conn *c, const char *sql, int64_t id, json_t *into, nqi_error *err)
{
    store_rows *r;
    int rc = store_query(c, sql, (store_val[]){SV_INT(id)}, 1, &r, err);
    if (rc)
        return rc;
    while ((rc = store_next(r)) == 1)
        if (store_text(r, 0) && *store_text(r, 0))
            json_array_append_new(into, json_string(store_text(r, 0)));
    if (rc < 0)
        rc = store_rows_error(r, err);
    store_rows_close(r);
    return rc < 0 ? rc : 0;
}

/* Does a sample of `product` concern the page's product `want`? */
static bool same_product(const char *product, const char *want)
{
    if (!want || !*want)
        return true;
    if (!product || !*product)
        return false;
    return strstr(want, product) || strstr(product, want);
}

/* A published spot-check result as a report, or NULL when the sample is
 * about another product of the producer. */
static int spot_report(store_conn *c, const json_t *rec, int64_t ref, const pubrep_filter *f,
                       json_t **out, nqi_error *err)
{
    *out = NULL;
    const char *product = jstr(rec, "product"), *batch = jstr(rec, "batch");
    bool lot = f->lot && *f->lot && batch && !strcmp(batch, f->lot);
    if (!lot && !same_product(product, f->product))
        return 0;
    char *dept = NULL;
    nqi_error e = {0};
    if (store_query_text(c,
                         "SELECT c.department FROM spot_samples s JOIN spot_checks c ON c.id = "
                         "s.spot_check_id WHERE s.id = ?",
                         (store_val[]){SV_INT(ref)}, 1, &dept, &e))
        dept = NULL; /* the plan is gone: the record still stands */
    json_t *stds = json_array();
    int rc = strings(c,
                     "SELECT DISTINCT standard FROM spot_results WHERE sample_id = ? ORDER BY "
                     "standard",
                     ref, stds, err);
    const json_t *re = json_object_get(rec, "recheck");
    const char *date = json_is_object(re) ? jstr(re, "tested_on") : jstr(rec, "tested_on");
    const char *verdict = jstr(rec, "final_verdict");
    bool ok = verdict && !strcmp(verdict, "pass");
    *out = json_pack("{s:s, s:s?, s:s?, s:s?, s:s?, s:s?, s:s?, s:s?, s:o, s:[], s:b, s:s}", "kind",
                     "spot_check", "match", lot ? "lot" : "product", "date", date, "authority",
                     dept && *dept ? dept : NULL, "lab", jstr(rec, "lab"), "title",
                     jstr(rec, "spot_check"), "product", product, "specification",
                     jstr(rec, "specification"), "standards", stds, "items", "ok", ok,
                     "verdict_label", ok ? "合格" : "不合格");
    if (batch && *batch)
        json_object_set_new(*out, "batch", json_string(batch));
    if (json_is_object(re))
        json_object_set_new(*out, "note", json_string(ok ? "复检合格" : "复检不合格"));
    free(dept);
    return rc;
}

const char *pubrep_task_title(const char *source)
{
    if (source && !strcmp(source, "complaint"))
        return "投诉举报核查";
    if (source && !strcmp(source, "lead"))
        return "案件线索核查";
    return "“双随机、一公开”监督检查";
}

/* A published inspection (双随机 or complaint) result: about the whole
 * enterprise, so it always concerns the product's producer. */
static json_t *task_report(const json_t *rec)
{
    json_t *items = json_array(), *it = json_object_get(rec, "items"), *x;
    size_t i;
    json_array_foreach(it, i, x) if (jstr(x, "name"))
        json_array_append_new(items, json_string(jstr(x, "name")));
    const json_t *depts = json_object_get(rec, "departments");
    const char *result = jstr(rec, "result");
    bool ok = result && !strcmp(result, "normal");
    return json_pack("{s:s, s:s, s:s?, s:s?, s:s, s:[], s:o, s:b, s:s?}", "kind", "inspection",
                     "match", "enterprise", "date", jstr(rec, "inspected_on"), "authority",
                     json_string_value(json_array_get(depts, 0)), "title",
                     pubrep_task_title(jstr(rec, "source")), "standards", "items", items, "ok", ok,
                     "verdict_label", jstr(rec, "result_label"));
}

static int reports(store_conn *c, const char *code, const pubrep_filter *f, json_t *out,
                   nqi_error *err)
{
    int limit = f->limit > 0 && f->limit <= 50 ? f->limit : 10;
    store_rows *r;
    int rc = store_query(c, pub_sql, (store_val[]){SV_TEXT(code)}, 1, &r, err);
    if (rc)
        return rc;
    json_t *lot = json_array(), *rest = json_array();
    int st;
    while (!rc && (st = store_next(r)) == 1) {
        if (!json_is_string(json_object_get(out, "name")))
            json_object_set_new(out, "name", json_string(store_text(r, 3)));
        json_t *rec = json_loads(store_text(r, 6), 0, NULL), *rep = NULL;
        int64_t id = store_int(r, 0);
        if (!strcmp(store_text(r, 1), "spot_check"))
            rc = spot_report(c, rec, store_int(r, 2), f, &rep, err);
        else
            rep = task_report(rec);
        json_decref(rec);
        if (!rep)
            continue;
        char url[64], proof[64];
        snprintf(url, sizeof url, "/t/reports/%lld", (long long)id);
        snprintf(proof, sizeof proof, "/api/v1/log/proof/%lld", (long long)store_int(r, 7));
        json_object_set_new(rep, "id", json_integer(id));
        json_object_set_new(rep, "published_on", json_string(store_text(r, 5)));
        json_object_set_new(rep, "record_url", json_string(url));
        json_object_set_new(rep, "proof_url", json_string(proof));
        json_array_append_new(strcmp(jstr(rep, "match"), "lot") ? rest : lot, rep);
    }
    if (!rc && st < 0)
        rc = store_rows_error(r, err);
    store_rows_close(r);
    json_array_extend(lot, rest);
    while ((int)json_array_size(lot) > limit)
        json_array_remove(lot, json_array_size(lot) - 1);
    json_object_set_new(out, "reports", lot);
    json_decref(rest);
    return rc;
}

/* Current entries of the public lists (the same rule as credit_lists.c:
 * not removed, and a serious entry not past its term). */
static int lists(store_conn *c, const char *code, json_t *out, nqi_error *err)
{
    char today[11];
    insp_today(today);
    store_rows *r;
    int rc = store_query(c,
                         "SELECT list, entered_on, authority FROM credit_list_entries WHERE "
                         "credit_code = ? AND removed_on IS NULL AND (expires_on IS NULL OR "
                         "expires_on >= ?) ORDER BY id",
                         (store_val[]){SV_TEXT(code), SV_TEXT(today)}, 2, &r, err);
    if (rc)
        return rc;
    json_t *a = json_array();
    while ((rc = store_next(r)) == 1)
        json_array_append_new(a,
                              json_pack("{s:s, s:s, s:s}", "list", store_text(r, 0), "entered_on",
                                        store_text(r, 1), "authority", store_text(r, 2)));
    if (rc < 0)
        rc = store_rows_error(r, err);
    store_rows_close(r);
    json_object_set_new(out, "lists", a);
    return rc < 0 ? rc : 0;
}

int pubrep_for_producer(store_conn *c, const char *credit_code, const pubrep_filter *f,
                        json_t **out, nqi_error *err)
{
    *out = NULL;
    static const pubrep_filter none = {0};
    if (!f)
        f = &none;
    char *name = NULL;
    nqi_error e = {0};
    bool known = !store_query_text(c, "SELECT name FROM entities WHERE credit_code = ?",
                                   (store_val[]){SV_TEXT(credit_code)}, 1, &name, &e);
    json_t *o = json_pack("{s:s, s:o, s:b}", "credit_code", credit_code, "name",
                          name ? json_string(name) : json_null(), "in_directory", known);
    free(name);
    int rc = reports(c, credit_code, f, o, err);
    if (!rc)
        rc = lists(c, credit_code, o, err);
    if (rc)
        json_decref(o);
    else
        *out = o;
    return rc;
}
