/*
 * credit_lists.c — 经营异常名录 (abnormal operations) and 严重违法失信名单
 * (serious illegal and dishonest) lists: entry, removal, the sweep that ends
 * entries whose time is up, search. Every entry and removal is a public
 * record: appended to the Merkle log (credit_publish) and audited; the
 * standing entry is a credit fact (list.abnormal / list.serious, source
 * "credit_list", ref "<list>:<id>") withdrawn on removal.
 *
 * Dates (docs/modules/credit.md "Dates"): a serious entry lasts 3 years
 * (expires_on = last day) and may be removed early from 1 year after entry
 * on conditions; an abnormal entry still standing 3 years after entry is
 * moved to the serious list (企业信息公示暂行条例 第十七条).
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "core/audit.h"
#include "core/json.h"
#include "core/page.h"
#include "core/util.h"
#include "supervision/credit_code.h"
#include "supervision/credit_impl.h"
#include "supervision/internal.h"

#define SERIOUS_MONTHS 36
#define EARLY_MONTHS 12
#define MOVE_MONTHS 36
#define MOVE_BASIS "《企业信息公示暂行条例》第十七条第二款"

const char *credit_list_name(credit_list l)
{
    return l == CREDIT_SERIOUS ? "serious" : "abnormal";
}

/* A public record goes to the Merkle log as a digest: {id, credit_code,
 * sha256 of the canonical record}. The portal shows the record only during
 * its publicity; the log proves it was not changed, without keeping the text
 * public forever (penalty publicity ends, repaired records are withdrawn). */
int credit_publish(store_conn *c, const char *kind, int64_t id, const json_t *record,
                   int64_t *idx, nqi_error *err)
{
    char *canon = json_dumps(record, JSON_COMPACT | JSON_SORT_KEYS);
    unsigned char h[crypto_hash_sha256_BYTES];
    char hex[2 * sizeof h + 1], ids[24];
    crypto_hash_sha256(h, (const unsigned char *)canon, strlen(canon));
    hex_encode(h, sizeof h, hex);
    free(canon);
    snprintf(ids, sizeof ids, "%lld", (long long)id);
    json_t *leaf = json_pack("{s:I, s:O, s:s}", "id", (json_int_t)id, "credit_code",
                             json_object_get(record, "credit_code"), "record_sha256", hex);
    int rc = publog_append(c, kind, ids, leaf, idx, err);
    json_decref(leaf);
    return rc;
}

/* ---------------------------------------------------------------- reading */

#define ENTRY_COLS                                                                              \
    "l.id, l.list, l.credit_code, e.name, e.region, l.grounds, l.legal_basis, l.decision_no, " \
    "l.authority, l.entered_on, l.expires_on, l.removed_on, l.removal_reason, l.removal_note, " \
    "l.moved_from, l.log_index, l.removal_log_index, l.created_by, l.created_at"

typedef struct row_ctx {
    const char *today;
    bool staff;
} row_ctx;

static json_t *entry_json(store_rows *rs, void *ctx)
{
    const row_ctx *x = ctx;
    const char *removed = store_text(rs, 11), *expires = store_text(rs, 10);
    bool current = !removed && (!expires || strcmp(expires, x->today) >= 0);
    char at[32];
    json_t *o = json_pack(
        "{s:I, s:s, s:s, s:s?, s:s?, s:s, s:s, s:s, s:s, s:s, s:s?, s:s?, s:s?, s:s, s:s, s:o, "
        "s:o, s:o}",
        "id", (json_int_t)store_int(rs, 0), "list", store_text(rs, 1), "credit_code",
        store_text(rs, 2), "name", store_text(rs, 3), "region", store_text(rs, 4), "grounds",
        store_text(rs, 5), "legal_basis", store_text(rs, 6), "decision_no", store_text(rs, 7),
        "authority", store_text(rs, 8), "entered_on", store_text(rs, 9), "expires_on", expires,
        "removed_on", removed, "removal_reason", store_text(rs, 12), "removal_note",
        store_text(rs, 13), "status", current ? "current" : "removed", "moved_from",
        store_isnull(rs, 14) ? json_null() : json_integer(store_int(rs, 14)), "log_index",
        store_isnull(rs, 15) ? json_null() : json_integer(store_int(rs, 15)),
        "removal_log_index", store_isnull(rs, 16) ? json_null() : json_integer(store_int(rs, 16)));
    if (o && x->staff) {
        json_object_set_new(o, "created_by", json_string(store_text(rs, 17)));
        json_object_set_new(o, "created_at",
                            json_string(time_iso8601(store_int(rs, 18), at, sizeof at)));
    }
    return o;
}

int credit_list_get(store_conn *c, credit_list l, int64_t id, json_t **out, nqi_error *err)
{
    credit_date today;
    credit_today(today);
    row_ctx x = {today, true};
    store_val p[] = {SV_INT(id), SV_TEXT(credit_list_name(l))};
    store_rows *rs;
    int rc = store_query(c,
                         "SELECT " ENTRY_COLS " FROM credit_list_entries l LEFT JOIN entities e "
                         "ON e.credit_code = l.credit_code WHERE l.id = ? AND l.list = ?",
                         p, 2, &rs, err);
    if (rc)
        return rc;
    rc = store_next(rs);
    if (rc == 1)
        rc = (*out = entry_json(rs, &x)) ? 0 : nqi_error_set(err, NQI_EINTERNAL, "entry json");
    else if (rc == 0)
        rc = nqi_error_field(err, NQI_ENOTFOUND, "id", "no %s list entry %lld",
                             credit_list_name(l), (long long)id);
    else
        rc = store_rows_error(rs, err);
    store_rows_close(rs);
    return rc;
}

/* A LIKE pattern matching s literally as a substring (prefix when !contains). */
static char *like_pattern(const char *s, bool contains)
{
    buf b;
    buf_init(&b, 0);
    if (contains)
        buf_puts(&b, "%");
    for (; *s; s++) {
        if (*s == '%' || *s == '_' || *s == '\\')
            buf_puts(&b, "\\");
        buf_append(&b, s, 1);
    }
    buf_puts(&b, "%");
    return buf_steal(&b);
}

int credit_list_search(store_conn *c, const credit_list_query *q, const char *today,
                       json_t **out, nqi_error *err)
{
    const char *status = q->status && *q->status ? q->status : "current";
    int st = !strcmp(status, "current") ? 0 : !strcmp(status, "removed") ? 1
             : !strcmp(status, "all")   ? 2
                                        : -1;
    if (st < 0)
        return nqi_error_field(err, NQI_EINVAL, "status", "current, removed or all");
    if (st && !q->staff)
        return nqi_error_field(err, NQI_EFORBIDDEN, "status",
                               "only current entries are public; removed entries are for staff");
    bool code_q = q->q && strlen(q->q) >= 4 && strlen(q->q) <= 18 && strspn(q->q,
                  "0123456789ABCDEFGHJKLMNPQRTUWXY") == strlen(q->q);
    char *pat = q->q && *q->q ? like_pattern(q->q, !code_q) : NULL;
    char *reg = q->region && *q->region ? like_pattern(q->region, false) : NULL;
    store_val p[] = {SV_TEXT(credit_list_name(q->list)),
                     SV_INT(q->cursor),
                     SV_INT(q->cursor),
                     SV_INT(st),
                     SV_TEXT(today),
                     SV_INT(st),
                     SV_TEXT(today),
                     SV_TEXT(code_q ? pat : NULL),
                     SV_TEXT(code_q ? pat : NULL),
                     SV_TEXT(code_q ? NULL : pat),
                     SV_TEXT(code_q ? NULL : pat),
                     SV_TEXT(reg),
                     SV_TEXT(reg),
                     SV_TEXT(q->from),
                     SV_TEXT(q->from),
                     SV_TEXT(q->to),
                     SV_TEXT(q->to),
                     SV_INT(q->limit + 1)};
    store_rows *rs;
    int rc = store_query(
        c,
        "SELECT " ENTRY_COLS " FROM credit_list_entries l LEFT JOIN entities e ON e.credit_code "
        "= l.credit_code WHERE l.list = ? AND (CAST(? AS BIGINT) = 0 OR l.id < ?) "
        "AND (CAST(? AS BIGINT) <> 0 OR (l.removed_on IS NULL AND (l.expires_on IS NULL OR "
        "l.expires_on >= ?))) "
        "AND (CAST(? AS BIGINT) <> 1 OR NOT (l.removed_on IS NULL AND (l.expires_on IS NULL OR "
        "l.expires_on >= ?))) "
        "AND (CAST(? AS TEXT) IS NULL OR l.credit_code LIKE ? ESCAPE '\\') "
        "AND (CAST(? AS TEXT) IS NULL OR e.name LIKE ? ESCAPE '\\') "
        "AND (CAST(? AS TEXT) IS NULL OR e.region LIKE ? ESCAPE '\\') "
        "AND (CAST(? AS TEXT) IS NULL OR l.entered_on >= ?) "
        "AND (CAST(? AS TEXT) IS NULL OR l.entered_on <= ?) ORDER BY l.id DESC LIMIT ?",
        p, 18, &rs, err);
    free(pat);
    free(reg);
    if (rc)
        return rc;
    row_ctx x = {today, q->staff};
    return store_page_json(rs, q->limit, entry_json, &x, out, err);
}

/* ---------------------------------------------------------------- writing */

static int entry_fact(store_conn *c, credit_list l, int64_t id, const char *code,
                      const char *entered_on, const char *grounds, nqi_error *err)
{
    char kind[24], ref[40];
    snprintf(kind, sizeof kind, "list.%s", credit_list_name(l));
    snprintf(ref, sizeof ref, "%s:%lld", credit_list_name(l), (long long)id);
    return credit_fact_add(c, code, kind, entered_on, "credit_list", ref, grounds, err);
}

/* Insert an entry and publish it (no validation; the callers did it). */
static int entry_insert(store_conn *c, const http_principal *actor, credit_list l,
                        const char *code, const char *grounds, const char *basis,
                        const char *decision, const char *authority, const char *entered_on,
                        int64_t moved_from, int64_t *id, json_t **out, nqi_error *err)
{
    char who[80];
    credit_date expires;
    sup_actor_name(actor, who, sizeof who);
    credit_period_end(entered_on, SERIOUS_MONTHS, expires);
    int64_t now = now_ms();
    store_val p[] = {SV_TEXT(credit_list_name(l)),
                     SV_TEXT(code),
                     SV_TEXT(grounds),
                     SV_TEXT(basis ? basis : ""),
                     SV_TEXT(decision ? decision : ""),
                     SV_TEXT(authority ? authority : ""),
                     SV_TEXT(entered_on),
                     SV_TEXT(l == CREDIT_SERIOUS ? expires : NULL),
                     moved_from ? SV_INT(moved_from) : SV_NULL,
                     SV_TEXT(who),
                     SV_INT(now),
                     SV_INT(now)};
    int rc = store_query_int(c,
                             "INSERT INTO credit_list_entries (list, credit_code, grounds, "
                             "legal_basis, decision_no, authority, entered_on, expires_on, "
                             "moved_from, created_by, created_at, updated_at) VALUES (?, ?, ?, ?, "
                             "?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                             p, 12, id, err);
    if (!rc)
        rc = entry_fact(c, l, *id, code, entered_on, grounds, err);
    if (!rc)
        rc = credit_list_get(c, l, *id, out, err);
    int64_t idx = 0;
    if (!rc) {
        json_t *rec = json_pack("{s:s, s:I, s:O, s:O, s:O, s:O, s:O, s:O, s:O}", "list",
                                credit_list_name(l), "id", (json_int_t)*id, "credit_code",
                                json_object_get(*out, "credit_code"), "grounds",
                                json_object_get(*out, "grounds"), "legal_basis",
                                json_object_get(*out, "legal_basis"), "decision_no",
                                json_object_get(*out, "decision_no"), "authority",
                                json_object_get(*out, "authority"), "entered_on",
                                json_object_get(*out, "entered_on"), "expires_on",
                                json_object_get(*out, "expires_on"));
        rc = credit_publish(c, "credit.list.entry", *id, rec, &idx, err);
        json_decref(rec);
    }
    if (!rc)
        rc = store_exec(c, "UPDATE credit_list_entries SET log_index = ? WHERE id = ?",
                        (store_val[]){SV_INT(idx), SV_INT(*id)}, 2, NULL, err);
    if (!rc)
        json_object_set_new(*out, "log_index", json_integer(idx));
    char ids[24];
    snprintf(ids, sizeof ids, "%lld", (long long)*id);
    if (!rc)
        rc = audit_record(c, actor, "credit.list.enter", "credit_list_entry", ids, NULL, *out,
                          err);
    if (!rc)
        rc = credit_reclassify(c, code, err);
    if (rc && *out) {
        json_decref(*out);
        *out = NULL;
    }
    return rc;
}

int credit_list_enter(store_conn *c, const http_principal *actor, credit_list l, json_t *in,
                      const char *today, json_t **out, nqi_error *err)
{
    static const char *const allowed[] = {"credit_code", "grounds",   "entered_on",
                                          "legal_basis", "decision_no", "authority", NULL};
    const char *code = NULL, *grounds = NULL, *entered = NULL, *basis = NULL, *dec = NULL,
               *auth = NULL;
    bool serious = l == CREDIT_SERIOUS;
    *out = NULL;
    json_check_fields(in, allowed, err);
    json_get_str(in, "credit_code", true, 18, &code, err);
    json_get_str(in, "grounds", true, 500, &grounds, err);
    credit_json_date(in, "entered_on", true, today, &entered, err);
    json_get_str(in, "legal_basis", serious, 500, &basis, err);
    json_get_str(in, "decision_no", serious, 100, &dec, err);
    json_get_str(in, "authority", false, 200, &auth, err);
    if (err->code)
        return err->code;
    bool own;
    int rc = store_tx_begin(c, &own, err);
    if (rc)
        return rc;
    int64_t n = 0, id = 0;
    rc = credit_entity_check(c, code, err);
    store_val p[] = {SV_TEXT(credit_list_name(l)), SV_TEXT(code), SV_TEXT(today)};
    if (!rc)
        rc = store_query_int(c,
                             "SELECT COUNT(*) FROM credit_list_entries WHERE list = ? AND "
                             "credit_code = ? AND removed_on IS NULL AND (expires_on IS NULL OR "
                             "expires_on >= ?)",
                             p, 3, &n, err);
    if (!rc && n)
        rc = nqi_error_field(err, NQI_ECONFLICT, "credit_code", "%s is already on the %s list",
                             code, credit_list_name(l));
    if (!rc)
        rc = entry_insert(c, actor, l, code, grounds, basis, dec, auth, entered, 0, &id, out, err);
    return store_tx_end(c, own, rc, err);
}

/* Mark an entry removed, withdraw its fact, publish and audit the removal. */
int credit_list_end(store_conn *c, const http_principal *actor, credit_list l, int64_t id,
                     const char *code, const char *removed_on, const char *reason,
                     const char *note, json_t **out, nqi_error *err)
{
    json_t *before = NULL;
    int rc = credit_list_get(c, l, id, &before, err);
    store_val p[] = {SV_TEXT(removed_on), SV_TEXT(reason), SV_TEXT(note ? note : ""),
                     SV_INT(now_ms()), SV_INT(id)};
    if (!rc)
        rc = store_exec(c,
                        "UPDATE credit_list_entries SET removed_on = ?, removal_reason = ?, "
                        "removal_note = ?, updated_at = ? WHERE id = ?",
                        p, 5, NULL, err);
    char ref[40], ids[24];
    snprintf(ref, sizeof ref, "%s:%lld", credit_list_name(l), (long long)id);
    snprintf(ids, sizeof ids, "%lld", (long long)id);
    if (!rc)
        rc = credit_fact_withdraw(c, "credit_list", ref, err);
    int64_t idx = 0;
    if (!rc) {
        json_t *rec = json_pack("{s:s, s:I, s:s, s:s, s:s}", "list", credit_list_name(l),
                                "entry_id", (json_int_t)id, "credit_code", code, "removed_on",
                                removed_on, "reason", reason);
        rc = credit_publish(c, "credit.list.removal", id, rec, &idx, err);
        json_decref(rec);
    }
    if (!rc)
        rc = store_exec(c, "UPDATE credit_list_entries SET removal_log_index = ? WHERE id = ?",
                        (store_val[]){SV_INT(idx), SV_INT(id)}, 2, NULL, err);
    json_t *after = NULL;
    if (!rc)
        rc = credit_list_get(c, l, id, &after, err);
    if (!rc)
        rc = audit_record(c, actor, "credit.list.remove", "credit_list_entry", ids, before, after,
                          err);
    if (!rc)
        rc = credit_reclassify(c, code, err);
    json_decref(before);
    if (!rc && out)
        *out = after;
    else
        json_decref(after);
    return rc;
}

/* Conditions of early removal from the serious list (严重违法失信名单管理办法
 * 第十五条) the system can check: a year passed, no heavier penalty since
 * entry, a pledge. */
static int early_removal_check(store_conn *c, const char *code, const char *entered,
                               const char *removed_on, const char *pledge, nqi_error *err)
{
    credit_date from;
    credit_possible_from(entered, EARLY_MONTHS, from);
    if (strcmp(removed_on, from) < 0)
        return nqi_error_field(err, NQI_EINVAL, "removed_on",
                               "early removal is possible from %s (1 year after entry on %s)",
                               from, entered);
    if (!pledge)
        return nqi_error_field(err, NQI_EINVAL, "pledge",
                               "early removal needs the enterprise's credit pledge (信用承诺)");
    int64_t n = 0;
    store_val p[] = {SV_TEXT(code), SV_TEXT(entered)};
    int rc = store_query_int(c,
                             "SELECT COUNT(*) FROM credit_facts WHERE credit_code = ? AND kind = "
                             "'penalty.high' AND withdrawn_at IS NULL AND occurred_on > ?",
                             p, 2, &n, err);
    if (!rc && n)
        rc = nqi_error_field(err, NQI_EINVAL, "reason",
                             "early removal is not possible: %lld heavier penalties since the "
                             "entry on %s",
                             (long long)n, entered);
    return rc;
}

int credit_list_remove(store_conn *c, const http_principal *actor, credit_list l, int64_t id,
                       json_t *in, const char *today, json_t **out, nqi_error *err)
{
    static const char *const allowed[] = {"reason", "removed_on", "note", "pledge", NULL};
    const char *reason = NULL, *removed = today, *note = NULL, *pledge = NULL;
    *out = NULL;
    json_check_fields(in, allowed, err);
    json_get_str(in, "reason", true, 16, &reason, err);
    credit_json_date(in, "removed_on", false, today, &removed, err);
    json_get_str(in, "note", false, 500, &note, err);
    json_get_str(in, "pledge", false, 2000, &pledge, err);
    if (err->code)
        return err->code;
    bool serious = l == CREDIT_SERIOUS;
    if (strcmp(reason, "revoked") && strcmp(reason, serious ? "early" : "fixed"))
        return nqi_error_field(err, NQI_EINVAL, "reason", "%s",
                               serious ? "early (1 year after entry, on conditions) or revoked"
                                       : "fixed or revoked");
    bool own;
    int rc = store_tx_begin(c, &own, err);
    if (rc)
        return rc;
    json_t *e = NULL;
    rc = credit_list_get(c, l, id, &e, err);
    const char *code = e ? json_string_value(json_object_get(e, "credit_code")) : NULL,
               *entered = e ? json_string_value(json_object_get(e, "entered_on")) : NULL;
    if (!rc && strcmp(json_string_value(json_object_get(e, "status")), "current"))
        rc = nqi_error_set(err, NQI_ECONFLICT, "%s list entry %lld is not current",
                           credit_list_name(l), (long long)id);
    if (!rc && strcmp(removed, entered) < 0)
        rc = nqi_error_field(err, NQI_EINVAL, "removed_on", "before the entry on %s", entered);
    if (!rc && serious && !strcmp(reason, "early"))
        rc = early_removal_check(c, code, entered, removed, pledge, err);
    if (!rc)
        rc = credit_list_end(c, actor, l, id, code, removed, reason, note, out, err);
    json_decref(e);
    return store_tx_end(c, own, rc, err);
}

/* ---------------------------------------------------------------- sweep */

typedef struct due {
    int64_t id;
    char code[CREDIT_CODE_LEN + 1];
    credit_date on; /* removal date */
} due;

static int collect(store_conn *c, const char *sql, const store_val *p, int np, int months,
                   const char *today, due **out, size_t *n, nqi_error *err)
{
    store_rows *rs;
    int rc = store_query(c, sql, p, np, &rs, err);
    if (rc)
        return rc;
    size_t cap = 0;
    while ((rc = store_next(rs)) == 1) {
        credit_date on;
        credit_possible_from(store_text(rs, 2), months, on);
        if (strcmp(on, today) > 0)
            continue;
        if (*n == cap)
            *out = xrealloc(*out, (cap = cap ? cap * 2 : 16) * sizeof **out);
        (*out)[*n].id = store_int(rs, 0);
        snprintf((*out)[*n].code, sizeof(*out)[*n].code, "%s", store_text(rs, 1));
        memcpy((*out)[*n].on, on, sizeof on);
        (*n)++;
    }
    rc = rc < 0 ? store_rows_error(rs, err) : 0;
    store_rows_close(rs);
    return rc;
}

int credit_lists_sweep(store_conn *c, const http_principal *actor, const char *today,
                       int64_t *ended, nqi_error *err)
{
    bool own;
    int rc = store_tx_begin(c, &own, err);
    if (rc)
        return rc;
    due *d = NULL;
    size_t n = 0, nserious;
    credit_date bound;
    credit_period_end(today, -(MOVE_MONTHS - 1), bound); /* a superset; checked exactly */
    store_val p1[] = {SV_TEXT(bound)};
    rc = collect(c,
                 "SELECT id, credit_code, entered_on FROM credit_list_entries WHERE list = "
                 "'serious' AND removed_on IS NULL AND entered_on <= ? ORDER BY id",
                 p1, 1, SERIOUS_MONTHS, today, &d, &n, err);
    nserious = n;
    if (!rc)
        rc = collect(c,
                     "SELECT id, credit_code, entered_on FROM credit_list_entries WHERE list = "
                     "'abnormal' AND removed_on IS NULL AND entered_on <= ? ORDER BY id",
                     p1, 1, MOVE_MONTHS, today, &d, &n, err);
    for (size_t i = 0; !rc && i < n; i++) {
        bool move = i >= nserious;
        rc = credit_list_end(c, actor, move ? CREDIT_ABNORMAL : CREDIT_SERIOUS, d[i].id, d[i].code,
                       d[i].on, move ? "moved" : "expired",
                       move ? "列入经营异常名录届满3年仍未履行相关义务，移入严重违法失信名单"
                            : "列入严重违法失信名单届满3年，移出",
                       NULL, err);
        if (!rc && move) {
            int64_t nid;
            json_t *o = NULL;
            char dec[40];
            snprintf(dec, sizeof dec, "AUTO-%lld", (long long)d[i].id);
            rc = entry_insert(c, actor, CREDIT_SERIOUS, d[i].code,
                              "列入经营异常名录届满3年仍未履行相关义务", MOVE_BASIS, dec, "", d[i].on,
                              d[i].id, &nid, &o, err);
            json_decref(o);
        }
    }
    free(d);
    if (ended)
        *ended = rc ? 0 : (int64_t)n;
    return store_tx_end(c, own, rc, err);
}
