/*
 * credit_rules.c — the versioned rule set of credit classification: the
 * JSON document (weights, decay windows, thresholds, hard rules) parsed into
 * credit_rules, and its versions in credit_rule_sets (each edit a new
 * version, exactly one active, every change audited). Version 1 is inserted
 * by migration 0009. Format: docs/modules/credit.md "Rule set".
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/audit.h"
#include "core/json.h"
#include "core/util.h"
#include "supervision/credit_impl.h"
#include "supervision/internal.h"

#define POINTS_MAX 1000
#define MONTHS_MAX 120

static const char *const statuses[4] = {"active", "revoked", "cancelled", "moved"};

/* An integer member in [min, max]; absent: def (or an error if required). */
static int get_int(json_t *o, const char *key, const char *path, bool required, int min, int max,
                   int def, int *out, nqi_error *err)
{
    json_t *v = json_object_get(o, key);
    char f[96];
    snprintf(f, sizeof f, "%s/%s", path, key);
    if (!v || json_is_null(v)) {
        if (required)
            return nqi_error_field(err, NQI_EINVAL, f, "required");
        *out = def;
        return 0;
    }
    if (!json_is_integer(v) || json_integer_value(v) < min || json_integer_value(v) > max)
        return nqi_error_field(err, NQI_EINVAL, f, "an integer %d..%d", min, max);
    *out = (int)json_integer_value(v);
    return 0;
}

static int check_keys(json_t *o, const char *path, const char *const allowed[], nqi_error *err)
{
    const char *k;
    json_t *v;
    int rc = 0;
    json_object_foreach(o, k, v)
    {
        bool ok = false;
        for (int i = 0; allowed[i] && !ok; i++)
            ok = !strcmp(k, allowed[i]);
        if (!ok)
            rc = nqi_error_field(err, NQI_EINVAL, path[0] ? path : k, "unknown field %s", k);
    }
    return rc;
}

static bool kind_ok(const char *k)
{
    size_t n = strlen(k);
    if (!n || n >= CREDIT_KIND_MAX)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((k[i] >= 'a' && k[i] <= 'z') || (k[i] >= '0' && k[i] <= '9') || k[i] == '_' ||
              k[i] == '.'))
            return false;
    return true;
}

static int parse_attributes(json_t *a, credit_rules *r, nqi_error *err)
{
    static const char *const keys[] = {"age", "status", "licence_points", "risk_tag_points",
                                       "risk_tag_max", NULL};
    if (!json_is_object(a))
        return nqi_error_field(err, NQI_EINVAL, "rules/attributes", "an object");
    int rc = check_keys(a, "rules/attributes", keys, err);
    json_t *age = json_object_get(a, "age"), *e;
    size_t i;
    if (age && (!json_is_array(age) || json_array_size(age) > CREDIT_MAX_AGE))
        return nqi_error_field(err, NQI_EINVAL, "rules/attributes/age",
                               "an array of at most %d {min_years, points}", CREDIT_MAX_AGE);
    json_array_foreach(age, i, e)
    {
        char path[64];
        snprintf(path, sizeof path, "rules/attributes/age/%zu", i);
        if (!json_is_object(e)) {
            rc = nqi_error_field(err, NQI_EINVAL, path, "an object {min_years, points, label?}");
            continue;
        }
        rc |= get_int(e, "min_years", path, true, 0, 200, 0, &r->age[i].min_years, err);
        rc |= get_int(e, "points", path, true, -POINTS_MAX, POINTS_MAX, 0, &r->age[i].points, err);
        if (!rc && i && r->age[i].min_years <= r->age[i - 1].min_years)
            rc = nqi_error_field(err, NQI_EINVAL, path, "min_years must ascend");
        r->nage = (int)i + 1;
    }
    json_t *st = json_object_get(a, "status");
    if (st && !json_is_object(st))
        rc = nqi_error_field(err, NQI_EINVAL, "rules/attributes/status", "an object");
    else if (st)
        rc |= check_keys(st, "rules/attributes/status",
                         (const char *const[]){"active", "revoked", "cancelled", "moved", NULL},
                         err);
    for (int k = 0; k < 4 && st && json_is_object(st); k++)
        rc |= get_int(st, statuses[k], "rules/attributes/status", false, -POINTS_MAX, POINTS_MAX,
                      0, &r->status_points[k], err);
    rc |= get_int(a, "licence_points", "rules/attributes", false, -POINTS_MAX, POINTS_MAX, 0,
                  &r->licence_points, err);
    rc |= get_int(a, "risk_tag_points", "rules/attributes", false, -POINTS_MAX, POINTS_MAX, 0,
                  &r->risk_tag_points, err);
    rc |= get_int(a, "risk_tag_max", "rules/attributes", false, 0, 100, 0, &r->risk_tag_max, err);
    return rc ? err->code : 0;
}

static int parse_facts(json_t *fs, credit_rules *r, nqi_error *err)
{
    static const char *const keys[] = {"points", "full_months", "window_months", "max_count",
                                       "label", NULL};
    if (!json_is_object(fs) || json_object_size(fs) > CREDIT_MAX_FACT_RULES)
        return nqi_error_field(err, NQI_EINVAL, "rules/facts",
                               "an object of at most %d kinds", CREDIT_MAX_FACT_RULES);
    const char *k;
    json_t *v;
    int rc = 0;
    json_object_foreach(fs, k, v)
    {
        char path[96];
        snprintf(path, sizeof path, "rules/facts/%s", k);
        if (!kind_ok(k)) {
            rc = nqi_error_field(err, NQI_EINVAL, path, "a kind is dotted lower-case words");
            continue;
        }
        if (!json_is_object(v)) {
            rc = nqi_error_field(err, NQI_EINVAL, path, "an object {points, full_months, "
                                                        "window_months, max_count?, label?}");
            continue;
        }
        credit_fact_rule *f = &r->facts[r->nfacts++];
        snprintf(f->kind, sizeof f->kind, "%s", k);
        rc |= check_keys(v, path, keys, err);
        rc |= get_int(v, "points", path, true, -POINTS_MAX, POINTS_MAX, 0, &f->points, err);
        rc |= get_int(v, "full_months", path, true, 0, MONTHS_MAX, 0, &f->full_months, err);
        rc |= get_int(v, "window_months", path, true, 0, MONTHS_MAX, 0, &f->window_months, err);
        rc |= get_int(v, "max_count", path, false, 0, 1000, 0, &f->max_count, err);
        if (!rc && f->window_months < f->full_months)
            rc = nqi_error_field(err, NQI_EINVAL, path, "window_months must be >= full_months");
    }
    return rc ? err->code : 0;
}

static int parse_hard(json_t *hs, credit_rules *r, nqi_error *err)
{
    static const char *const keys[] = {"kind", "class", "window_months", "label", NULL};
    if (!json_is_array(hs) || json_array_size(hs) > CREDIT_MAX_HARD)
        return nqi_error_field(err, NQI_EINVAL, "rules/hard_rules", "an array of at most %d rules",
                               CREDIT_MAX_HARD);
    size_t i;
    json_t *h;
    int rc = 0;
    bool serious = false, abnormal = false;
    json_array_foreach(hs, i, h)
    {
        char path[64];
        snprintf(path, sizeof path, "rules/hard_rules/%zu", i);
        const char *kind = NULL, *cls = NULL;
        if (!json_is_object(h) || check_keys(h, path, keys, err) ||
            json_get_str(h, "kind", true, CREDIT_KIND_MAX - 1, &kind, err) ||
            json_get_str(h, "class", true, 1, &cls, err)) {
            rc = nqi_error_field(err, NQI_EINVAL, path, "{kind, class: B|C|D, window_months?}");
            continue;
        }
        credit_hard_rule *x = &r->hard[r->nhard++];
        snprintf(x->kind, sizeof x->kind, "%s", kind);
        if (!kind_ok(kind) || cls[0] < 'B' || cls[0] > 'D' || cls[1]) {
            rc = nqi_error_field(err, NQI_EINVAL, path, "kind: dotted words; class: B, C or D");
            continue;
        }
        x->cls = cls[0];
        rc |= get_int(h, "window_months", path, false, 0, MONTHS_MAX, 0, &x->window_months, err);
        if (!strcmp(kind, "list.serious") && x->cls == 'D' && !x->window_months)
            serious = true;
        if (!strcmp(kind, "list.abnormal") && x->cls >= 'C' && !x->window_months)
            abnormal = true;
    }
    if (!rc && !serious)
        rc = nqi_error_field(err, NQI_EINVAL, "rules/hard_rules",
                             "must keep {kind: list.serious, class: D} (serious dishonesty list is "
                             "class D)");
    if (!rc && !abnormal)
        rc = nqi_error_field(err, NQI_EINVAL, "rules/hard_rules",
                             "must keep {kind: list.abnormal, class: C} (abnormal list is at "
                             "least C)");
    return rc ? err->code : 0;
}

int credit_rules_parse(json_t *doc, credit_rules *r, nqi_error *err)
{
    static const char *const keys[] = {"base", "thresholds", "attributes", "facts", "hard_rules",
                                       NULL};
    memset(r, 0, sizeof *r);
    if (!json_is_object(doc))
        return nqi_error_field(err, NQI_EINVAL, "rules", "an object");
    int rc = check_keys(doc, "", keys, err);
    rc |= get_int(doc, "base", "rules", true, -POINTS_MAX, POINTS_MAX, 0, &r->base, err);
    json_t *th = json_object_get(doc, "thresholds");
    if (!json_is_object(th)) {
        rc = nqi_error_field(err, NQI_EINVAL, "rules/thresholds", "an object {A, B, C}");
    } else {
        rc |= get_int(th, "A", "rules/thresholds", true, -POINTS_MAX, POINTS_MAX, 0, &r->th_a, err);
        rc |= get_int(th, "B", "rules/thresholds", true, -POINTS_MAX, POINTS_MAX, 0, &r->th_b, err);
        rc |= get_int(th, "C", "rules/thresholds", true, -POINTS_MAX, POINTS_MAX, 0, &r->th_c, err);
        if (!rc && !(r->th_a > r->th_b && r->th_b > r->th_c))
            rc = nqi_error_field(err, NQI_EINVAL, "rules/thresholds", "need A > B > C");
    }
    json_t *a = json_object_get(doc, "attributes");
    if (a)
        rc |= parse_attributes(a, r, err);
    rc |= parse_facts(json_object_get(doc, "facts"), r, err);
    rc |= parse_hard(json_object_get(doc, "hard_rules"), r, err);
    return rc ? (err->code ? err->code : NQI_EINVAL) : 0;
}

/* ---------------------------------------------------------------- store */

static json_t *version_json(store_rows *rs, bool with_rules)
{
    char at[32];
    int64_t t = store_int(rs, 5); /* 0: inserted by the migration, no time known */
    json_t *o = json_pack("{s:I, s:s, s:b, s:s, s:s?}", "version", (json_int_t)store_int(rs, 0),
                          "note", store_text(rs, 2), "active", store_int(rs, 3) != 0,
                          "created_by", store_text(rs, 4), "created_at",
                          t ? time_iso8601(t, at, sizeof at) : NULL);
    if (o && with_rules)
        json_object_set_new(o, "rules", json_loads(store_text(rs, 1), 0, NULL));
    return o;
}

#define RULE_COLS "version, rules, note, active, created_by, created_at"

int credit_rules_active(store_conn *c, credit_rules *r, json_t **doc, nqi_error *err)
{
    store_rows *rs;
    int rc = store_query(c, "SELECT " RULE_COLS " FROM credit_rule_sets WHERE active = 1", NULL,
                         0, &rs, err);
    if (rc)
        return rc;
    rc = store_next(rs);
    if (rc == 1) {
        json_t *rules = json_loads(store_text(rs, 1), 0, NULL);
        rc = credit_rules_parse(rules, r, err);
        json_decref(rules);
        r->version = store_int(rs, 0);
        if (!rc && doc)
            *doc = version_json(rs, true);
    } else if (rc == 0) {
        rc = nqi_error_set(err, NQI_EINTERNAL, "no active credit rule set");
    } else {
        rc = store_rows_error(rs, err);
    }
    store_rows_close(rs);
    return rc;
}

int credit_rules_get(store_conn *c, int64_t version, json_t **out, nqi_error *err)
{
    store_rows *rs;
    store_val p[] = {SV_INT(version)};
    int rc = store_query(c, "SELECT " RULE_COLS " FROM credit_rule_sets WHERE version = ?", p, 1,
                         &rs, err);
    if (rc)
        return rc;
    rc = store_next(rs);
    if (rc == 1)
        *out = version_json(rs, true), rc = 0;
    else if (rc == 0)
        rc = nqi_error_field(err, NQI_ENOTFOUND, "version", "no rule set version %lld",
                             (long long)version);
    else
        rc = store_rows_error(rs, err);
    store_rows_close(rs);
    return rc;
}

int credit_rules_list(store_conn *c, json_t **out, nqi_error *err)
{
    store_rows *rs;
    int rc = store_query(c, "SELECT " RULE_COLS " FROM credit_rule_sets ORDER BY version DESC",
                         NULL, 0, &rs, err);
    if (rc)
        return rc;
    json_t *items = json_array(), *active = json_null();
    while ((rc = store_next(rs)) == 1) {
        if (store_int(rs, 3)) {
            json_decref(active);
            active = version_json(rs, true);
        }
        json_array_append_new(items, version_json(rs, false));
    }
    rc = rc < 0 ? store_rows_error(rs, err) : 0;
    store_rows_close(rs);
    if (rc) {
        json_decref(items);
        json_decref(active);
        return rc;
    }
    *out = json_pack("{s:o, s:o}", "active", active, "items", items);
    return 0;
}

static int set_active(store_conn *c, int64_t version, nqi_error *err)
{
    store_val p[] = {SV_INT(version)};
    return store_exec(c,
                      "UPDATE credit_rule_sets SET active = CASE WHEN version = ? THEN 1 ELSE 0 "
                      "END",
                      p, 1, NULL, err);
}

int credit_rules_create(store_conn *c, const http_principal *actor, json_t *in, json_t **out,
                        nqi_error *err)
{
    static const char *const allowed[] = {"rules", "note", "activate", NULL};
    const char *note = "";
    bool activate = true;
    credit_rules r;
    int rc = json_check_fields(in, allowed, err);
    rc = rc ? rc : json_get_str(in, "note", false, 500, &note, err);
    rc = rc ? rc : json_get_bool(in, "activate", false, &activate, err);
    rc = rc ? rc : credit_rules_parse(json_object_get(in, "rules"), &r, err);
    if (rc)
        return rc;
    bool own;
    if ((rc = store_tx_begin(c, &own, err)))
        return rc;
    int64_t version = 0;
    char who[80], *text = json_dump_compact(json_object_get(in, "rules"));
    sup_actor_name(actor, who, sizeof who);
    rc = store_tx_lock(c, "credit.rules", err);
    if (!rc)
        rc = store_query_int(c, "SELECT COALESCE(MAX(version), 0) + 1 FROM credit_rule_sets",
                             NULL, 0, &version, err);
    if (!rc) {
        store_val p[] = {SV_INT(version), SV_TEXT(text), SV_TEXT(note), SV_TEXT(who),
                         SV_INT(now_ms())};
        rc = store_exec(c,
                        "INSERT INTO credit_rule_sets (version, rules, note, active, created_by, "
                        "created_at) VALUES (?, ?, ?, 0, ?, ?)",
                        p, 5, NULL, err);
    }
    if (!rc && activate)
        rc = set_active(c, version, err);
    if (!rc)
        rc = credit_rules_get(c, version, out, err);
    char vs[24];
    snprintf(vs, sizeof vs, "%lld", (long long)version);
    if (!rc)
        rc = audit_record(c, actor, "credit.rules.create", "credit_rule_set", vs, NULL, *out, err);
    free(text);
    return store_tx_end(c, own, rc, err);
}

int credit_rules_activate(store_conn *c, const http_principal *actor, int64_t version,
                          json_t **out, nqi_error *err)
{
    bool own;
    int rc = store_tx_begin(c, &own, err);
    if (rc)
        return rc;
    json_t *doc = NULL;
    rc = store_tx_lock(c, "credit.rules", err);
    if (!rc)
        rc = credit_rules_get(c, version, &doc, err);
    if (!rc)
        rc = set_active(c, version, err);
    if (!rc)
        rc = credit_rules_get(c, version, out, err);
    char vs[24];
    snprintf(vs, sizeof vs, "%lld", (long long)version);
    if (!rc)
        rc = audit_record(c, actor, "credit.rules.activate", "credit_rule_set", vs, doc, *out, err);
    json_decref(doc);
    return store_tx_end(c, own, rc, err);
}
