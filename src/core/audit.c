/*
 * audit.c — the append-only, hash-chained audit log (see audit.h and
 * docs/modules/audit.md), its HTTP API, and audit_module (which also
 * registers the Merkle log's routes from publog.c).
 *
 * Record hash = SHA-256 hex of the canonical string
 *
 *   prev_hash|id|at|actor_id|actor|action|entity|entity_id|before_hash|after_hash
 *
 * with integers in decimal, hashes in lower-case hex ("" when there is no
 * before/after JSON) and, in the text fields, '%' written as "%25" and '|'
 * as "%7C" so no field can borrow a separator from its neighbour.
 * before/after hashes are SHA-256 hex of json_dumps(JSON_SORT_KEYS |
 * JSON_COMPACT | JSON_ENCODE_ANY). The first record's prev_hash is 64 zeros.
 * audit_head (id = 1) holds last_id, last_hash and count, so removing the
 * newest records is detected too.
 */
#define _GNU_SOURCE
#include "core/audit.h"
#include "core/page.h"

#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "core/util.h"

#define GENESIS_HASH "0000000000000000000000000000000000000000000000000000000000000000"
#define CANON_FLAGS (JSON_SORT_KEYS | JSON_COMPACT | JSON_ENCODE_ANY)

static void sha256_hex(const void *p, size_t n, char out[65])
{
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(h, p, n);
    hex_encode(h, sizeof h, out);
}

/* SHA-256 of the canonical dump, or "" for NULL. *dump (may be NULL) gets
 * the dump itself (malloc'd). */
static void json_hash(const json_t *v, char out[65], char **dump)
{
    if (dump)
        *dump = NULL;
    if (!v) {
        out[0] = 0;
        return;
    }
    char *s = json_dumps(v, CANON_FLAGS);
    if (!s)
        abort(); /* only on OOM */
    sha256_hex(s, strlen(s), out);
    if (dump)
        *dump = s;
    else
        free(s);
}

static void canon_text(buf *b, const char *s)
{
    for (; s && *s; s++) {
        if (*s == '%')
            buf_puts(b, "%25");
        else if (*s == '|')
            buf_puts(b, "%7C");
        else
            buf_append(b, s, 1);
    }
}

typedef struct audit_row {
    int64_t id, at, actor_id;
    const char *actor, *action, *entity, *entity_id;
    const char *before_hash, *after_hash, *prev_hash;
} audit_row;

static void record_hash(const audit_row *r, char out[65])
{
    buf b;
    buf_init(&b, 0);
    buf_printf(&b, "%s|%lld|%lld|%lld|", r->prev_hash, (long long)r->id, (long long)r->at,
               (long long)r->actor_id);
    canon_text(&b, r->actor);
    buf_puts(&b, "|");
    canon_text(&b, r->action);
    buf_puts(&b, "|");
    canon_text(&b, r->entity);
    buf_puts(&b, "|");
    canon_text(&b, r->entity_id);
    buf_printf(&b, "|%s|%s", r->before_hash ? r->before_hash : "",
               r->after_hash ? r->after_hash : "");
    sha256_hex(b.data, b.len, out);
    buf_free(&b);
}

typedef struct audit_head_t {
    bool present;
    int64_t last_id, count;
    char last_hash[65];
} audit_head_t;

static int head_read(store_conn *c, audit_head_t *h, nqi_error *err)
{
    static const char sql[] = "SELECT last_id, last_hash, count FROM audit_head WHERE id = 1";
    store_rows *rows = NULL;
    memset(h, 0, sizeof *h);
    int rc = store_query(c, sql, NULL, 0, &rows, err);
    if (rc)
        return rc;
    rc = store_next(rows);
    if (rc == 1) {
        h->present = true;
        h->last_id = store_int(rows, 0);
        snprintf(h->last_hash, sizeof h->last_hash, "%s",
                 store_text(rows, 1) ? store_text(rows, 1) : "");
        h->count = store_int(rows, 2);
        rc = 0;
    } else if (rc < 0) {
        rc = nqi_error_set(err, NQI_EDB, "reading audit_head failed");
    }
    store_rows_close(rows);
    return rc;
}

/* Without a head row (first record, or a head lost), continue from the
 * newest record. */
static int head_from_log(store_conn *c, audit_head_t *h, nqi_error *err)
{
    static const char sql[] = "SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1";
    store_rows *rows = NULL;
    int rc = store_query(c, sql, NULL, 0, &rows, err);
    if (rc)
        return rc;
    rc = store_next(rows);
    if (rc == 1) {
        h->last_id = store_int(rows, 0);
        snprintf(h->last_hash, sizeof h->last_hash, "%s",
                 store_text(rows, 1) ? store_text(rows, 1) : "");
        h->count = h->last_id;
        rc = 0;
    } else if (rc == 0) {
        snprintf(h->last_hash, sizeof h->last_hash, "%s", GENESIS_HASH);
    } else {
        rc = nqi_error_set(err, NQI_EDB, "reading audit_log failed");
    }
    store_rows_close(rows);
    return rc;
}

int audit_record(store_conn *c, const http_principal *actor, const char *action,
                 const char *entity, const char *entity_id, const json_t *before,
                 const json_t *after, nqi_error *err)
{
    static const char sql_ins[] =
        "INSERT INTO audit_log (id, at, actor_id, actor, action, entity, entity_id, "
        "before_hash, after_hash, after_json, prev_hash, hash) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
    static const char sql_head[] =
        "INSERT INTO audit_head (id, last_id, last_hash, count) VALUES (1, ?, ?, ?) "
        "ON CONFLICT (id) DO UPDATE SET last_id = excluded.last_id, "
        "last_hash = excluded.last_hash, count = excluded.count";
    audit_head_t h;
    char before_hash[65], after_hash[65], hash[65], *after_json = NULL;
    if (!store_in_tx(c))
        return nqi_error_set(err, NQI_EINTERNAL, "audit_record called outside a transaction");
    if (!action || !entity)
        return nqi_error_set(err, NQI_EINTERNAL, "audit_record needs an action and an entity");
    /* Writers queue on the chain before reading its head. A row lock on
     * audit_head (a no-op UPDATE) is not enough: before the first record
     * there is no row to lock, and two first writers on PostgreSQL would
     * both write record 1. The advisory lock needs no row (free on SQLite,
     * where BEGIN IMMEDIATE already serializes writers). */
    int rc = store_tx_lock(c, "audit.head", err);
    if (!rc)
        rc = head_read(c, &h, err);
    if (!rc && !h.present)
        rc = head_from_log(c, &h, err);
    if (rc)
        return rc;
    json_hash(before, before_hash, NULL);
    json_hash(after, after_hash, &after_json);
    audit_row row = {
        .id = h.last_id + 1,
        .at = now_ms(),
        .actor_id = actor ? actor->user_id : 0,
        .actor = actor && actor->username[0] ? actor->username : "anonymous",
        .action = action,
        .entity = entity,
        .entity_id = entity_id ? entity_id : "",
        .before_hash = before_hash,
        .after_hash = after_hash,
        .prev_hash = h.last_hash,
    };
    record_hash(&row, hash);
    store_val p[] = {SV_INT(row.id),           SV_INT(row.at),          SV_INT(row.actor_id),
                     SV_TEXT(row.actor),       SV_TEXT(row.action),     SV_TEXT(row.entity),
                     SV_TEXT(row.entity_id),   SV_TEXT(before_hash),    SV_TEXT(after_hash),
                     SV_TEXT(after_json),      SV_TEXT(row.prev_hash),  SV_TEXT(hash)};
    rc = store_exec(c, sql_ins, p, 12, NULL, err);
    free(after_json);
    if (rc)
        return rc;
    store_val hp[] = {SV_INT(row.id), SV_TEXT(hash), SV_INT(h.count + 1)};
    return store_exec(c, sql_head, hp, 3, NULL, err);
}

/* ---- verification ---- */

static int verify_rows(store_conn *c, audit_head_t *h, int64_t *checked, nqi_error *err)
{
    static const char sql[] =
        "SELECT id, at, actor_id, actor, action, entity, entity_id, before_hash, after_hash, "
        "after_json, prev_hash, hash FROM audit_log ORDER BY id";
    store_rows *rows = NULL;
    char prev[65] = GENESIS_HASH, calc[65];
    int64_t expect = 1, n = 0;
    int rc = store_query(c, sql, NULL, 0, &rows, err);
    if (rc)
        return rc;
    while ((rc = store_next(rows)) == 1) {
        audit_row r = {
            .id = store_int(rows, 0),
            .at = store_int(rows, 1),
            .actor_id = store_isnull(rows, 2) ? 0 : store_int(rows, 2),
            .actor = store_text(rows, 3),
            .action = store_text(rows, 4),
            .entity = store_text(rows, 5),
            .entity_id = store_text(rows, 6),
            .before_hash = store_text(rows, 7),
            .after_hash = store_text(rows, 8),
            .prev_hash = store_text(rows, 10),
        };
        const char *after_json = store_text(rows, 9), *stored = store_text(rows, 11);
        if (r.id != expect) {
            rc = nqi_error_set(err, NQI_ECONFLICT, "audit record %lld missing (chain broken)",
                               (long long)expect);
            break;
        }
        if (!r.prev_hash || strcmp(r.prev_hash, prev)) {
            rc = nqi_error_set(err, NQI_ECONFLICT,
                               "audit record %lld: prev_hash does not match record %lld (chain "
                               "broken)",
                               (long long)r.id, (long long)r.id - 1);
            break;
        }
        record_hash(&r, calc);
        if (!stored || strcmp(stored, calc)) {
            rc = nqi_error_set(err, NQI_ECONFLICT, "audit record %lld: hash mismatch (row changed)",
                               (long long)r.id);
            break;
        }
        if (after_json) {
            sha256_hex(after_json, strlen(after_json), calc);
            if (!r.after_hash || strcmp(calc, r.after_hash)) {
                rc = nqi_error_set(err, NQI_ECONFLICT,
                                   "audit record %lld: after_json does not match after_hash "
                                   "(row changed)",
                                   (long long)r.id);
                break;
            }
        } else if (r.after_hash && *r.after_hash) {
            rc = nqi_error_set(err, NQI_ECONFLICT,
                               "audit record %lld: after_json missing (row changed)",
                               (long long)r.id);
            break;
        }
        snprintf(prev, sizeof prev, "%s", stored);
        expect++;
        n++;
    }
    store_rows_close(rows);
    *checked = n;
    if (rc < 0)
        return err && err->code ? rc : nqi_error_set(err, NQI_EDB, "reading audit_log failed");
    /* The head remembers how long the chain was: a cut tail shows here. */
    if (!h->present) {
        if (n)
            return nqi_error_set(err, NQI_ECONFLICT, "audit head missing (%lld records in log)",
                                 (long long)n);
        return 0;
    }
    if (h->last_id > n)
        return nqi_error_set(err, NQI_ECONFLICT,
                             "audit record %lld missing (log truncated: head says %lld records, "
                             "log has %lld)",
                             (long long)(n + 1), (long long)h->count, (long long)n);
    if (h->last_id != n || h->count != n)
        return nqi_error_set(err, NQI_ECONFLICT,
                             "audit head does not match the log (head: last id %lld, count "
                             "%lld; log: %lld records)",
                             (long long)h->last_id, (long long)h->count, (long long)n);
    if (n && strcmp(h->last_hash, prev))
        return nqi_error_set(err, NQI_ECONFLICT,
                             "audit record %lld: hash differs from audit head (row changed)",
                             (long long)n);
    return 0;
}

int audit_verify(store_conn *c, int64_t *checked, nqi_error *err)
{
    audit_head_t h;
    int64_t n = 0;
    bool own = !store_in_tx(c);
    int rc = own ? store_begin(c, false, err) : 0;
    if (rc)
        return rc;
    rc = head_read(c, &h, err);
    if (!rc)
        rc = verify_rows(c, &h, &n, err);
    if (own)
        store_rollback(c);
    if (checked)
        *checked = n;
    return rc;
}

/* ---- HTTP ---- */

/* One audit record for store_page_json (core/page.h). A row jansson refuses
 * (text that is not valid UTF-8, written before names were cut at character
 * boundaries) fails the whole page: an audit list with a hole looks complete. */
static json_t *audit_row_json(store_rows *rows, void *ctx)
{
    (void)ctx;
    char t[32];
    const char *aj = store_text(rows, 7);
    json_t *after = aj ? json_loads(aj, JSON_DECODE_ANY, NULL) : NULL;
    json_t *item = json_pack(
        "{s:I, s:s, s:I, s:s, s:s, s:s, s:s, s:s, s:o}", "id", (json_int_t)store_int(rows, 0),
        "at", time_iso8601(store_int(rows, 1), t, sizeof t), "actor_id",
        (json_int_t)(store_isnull(rows, 8) ? 0 : store_int(rows, 8)), "actor",
        store_text(rows, 2) ? store_text(rows, 2) : "", "action",
        store_text(rows, 3) ? store_text(rows, 3) : "", "entity",
        store_text(rows, 4) ? store_text(rows, 4) : "", "entity_id",
        store_text(rows, 5) ? store_text(rows, 5) : "", "hash",
        store_text(rows, 6) ? store_text(rows, 6) : "", "after", after ? after : json_null());
    if (!item)
        fprintf(stderr, "nqi audit: record %lld cannot be rendered as JSON\n",
                (long long)store_int(rows, 0));
    return item;
}

static void h_audit_list(http_req *r, http_resp *w)
{
    nqi_error err = {0};
    int64_t limit = 50, cursor = 0, since = 0, until = 0;
    const char *l = http_query(r, "limit"), *cur = http_query(r, "cursor");
    const char *s_since = http_query(r, "since"), *s_until = http_query(r, "until");
    const char *entity = http_query(r, "entity"), *actor = http_query(r, "actor");
    const char *action = http_query(r, "action");
    if (l && (!str_to_i64(l, &limit) || limit < 1 || limit > 500))
        nqi_error_field(&err, NQI_EINVAL, "limit", "must be an integer from 1 to 500");
    if (cur && *cur && (!str_to_i64(cur, &cursor) || cursor < 1))
        nqi_error_field(&err, NQI_EINVAL, "cursor", "invalid cursor");
    if (s_since && time_parse_iso8601(s_since, &since))
        nqi_error_field(&err, NQI_EINVAL, "since", "ISO 8601 time with offset expected");
    if (s_until && time_parse_iso8601(s_until, &until))
        nqi_error_field(&err, NQI_EINVAL, "until", "ISO 8601 time with offset expected");
    if (err.code) {
        http_resp_problem(w, r, &err);
        return;
    }
    /* SQL from fixed fragments; values only as parameters. */
    buf sql;
    buf_init(&sql, 0);
    buf_puts(&sql, "SELECT id, at, actor, action, entity, entity_id, hash, after_json, actor_id "
                   "FROM audit_log WHERE 1 = 1");
    store_val p[8];
    int np = 0;
    if (cur && *cur) {
        buf_puts(&sql, " AND id < ?");
        p[np++] = SV_INT(cursor);
    }
    if (entity && *entity) {
        buf_puts(&sql, " AND entity = ?");
        p[np++] = SV_TEXT(entity);
    }
    if (actor && *actor) {
        buf_puts(&sql, " AND actor = ?");
        p[np++] = SV_TEXT(actor);
    }
    if (action && *action) {
        buf_puts(&sql, " AND action = ?");
        p[np++] = SV_TEXT(action);
    }
    if (s_since) {
        buf_puts(&sql, " AND at >= ?");
        p[np++] = SV_INT(since);
    }
    if (s_until) {
        buf_puts(&sql, " AND at < ?");
        p[np++] = SV_INT(until);
    }
    buf_puts(&sql, " ORDER BY id DESC LIMIT ?");
    p[np++] = SV_INT(limit + 1);
    store_rows *rows = NULL;
    int rc = store_query(r->db, sql.data, p, np, &rows, &err);
    buf_free(&sql);
    if (rc) {
        http_resp_problem(w, r, &err);
        return;
    }
    json_t *page = NULL;
    if (store_page_json(rows, limit, audit_row_json, NULL, &page, &err)) {
        http_resp_problem(w, r, &err);
        return;
    }
    http_resp_json(w, 200, page);
}

static void h_audit_verify(http_req *r, http_resp *w)
{
    nqi_error err = {0};
    int64_t checked = 0;
    int rc = audit_verify(r->db, &checked, &err);
    if (rc && rc != NQI_ECONFLICT) {
        http_resp_problem(w, r, &err);
        return;
    }
    http_resp_json(w, 200, json_pack("{s:b, s:I, s:s?}", "ok", rc == 0, "checked",
                                     (json_int_t)checked, "error", rc ? err.message : NULL));
}

static void audit_routes(http_server *s)
{
    http_route(s, "GET", "/api/v1/audit", ROLE_ADMIN | ROLE_REGULATOR, h_audit_list, 0,
               "the audit log, newest first (filters: entity, actor, action, since, until)");
    http_route(s, "GET", "/api/v1/audit/verify", ROLE_ADMIN, h_audit_verify, 0,
               "verify the audit hash chain");
    publog_routes(s);
}

const nqi_module audit_module = {.name = "audit", .routes = audit_routes};
