/*
 * watchlists.c — watchlist CRUD, the inbox and the Atom feed of a
 * watchlist (tracking.h, docs/modules/tracking.md).
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "core/audit.h"
#include "core/page.h"
#include "core/auth.h"
#include "core/json.h"
#include "core/text.h"
#include "core/util.h"
#include "standards/number.h"
#include "standards/standards.h"
#include "standards/tracking.h"
#include "standards/tracking_internal.h"

static char *iso(int64_t ms, char b[32]) { return time_iso8601(ms, b, 32); }

#define WATCH_MAX_PER_OWNER 500
#define CURSOR_KEY "tracking.cursor"

/* ---------------------------------------------------------------- watchlists */

void tracking_owner(const http_principal *p, char out[32])
{
    if (p->via_token)
        snprintf(out, 32, "t:%lld", (long long)p->token_id);
    else
        snprintf(out, 32, "u:%lld", (long long)p->user_id);
}

static void random_hex(char *out, size_t nbytes)
{
    unsigned char b[64];
    if (nbytes > sizeof b)
        nbytes = sizeof b;
    randombytes_buf(b, nbytes);
    hex_encode(b, nbytes, out);
}

#define WATCH_COLS                                                                             \
    "id, owner, owner_name, name, kind, value, webhook_url, remind_days, created_at, "        \
    "updated_at, webhook_secret IS NOT NULL"

static json_t *watch_json(store_rows *r)
{
    char t1[32], t2[32], feed[64];
    int64_t id = store_int(r, 0);
    snprintf(feed, sizeof feed, "/api/v1/feeds/watchlists/%lld.atom", (long long)id);
    const char *url = store_text(r, 6);
    return json_pack("{s:I, s:s, s:s?, s:s, s:s, s:s, s:s?, s:I, s:s, s:s, s:s, s:b}", "id",
                     (json_int_t)id, "owner", store_text(r, 1), "owner_name", store_text(r, 2),
                     "name", store_text(r, 3), "kind", store_text(r, 4), "value",
                     store_text(r, 5), "webhook_url", url && *url ? url : NULL, "remind_days",
                     (json_int_t)store_int(r, 7), "created_at", iso(store_int(r, 8), t1),
                     "updated_at", iso(store_int(r, 9), t2), "feed_path", feed,
                     "has_webhook_secret", store_int(r, 10) != 0);
}

/* The watchlist row (visible to actor) as JSON; NQI_ENOTFOUND otherwise. */
static int watch_load(store_conn *c, const http_principal *actor, int64_t id, json_t **out,
                      nqi_error *err)
{
    static const char sql[] = "SELECT " WATCH_COLS " FROM watchlists WHERE id = ?";
    store_rows *r;
    *out = NULL;
    int rc = store_query(c, sql, (store_val[]){SV_INT(id)}, 1, &r, err);
    if (rc)
        return rc;
    rc = store_next(r);
    if (rc == 1) {
        char own[32];
        tracking_owner(actor, own);
        if (actor->role == ROLE_ADMIN || !strcmp(store_text(r, 1), own))
            *out = watch_json(r);
        rc = 0;
    } else {
        rc = rc < 0 ? store_rows_error(r, err) : 0;
    }
    store_rows_close(r);
    if (!rc && !*out)
        rc = nqi_error_set(err, NQI_ENOTFOUND, "watchlist %lld not found", (long long)id);
    return rc;
}

int tracking_watch_get(store_conn *c, const http_principal *actor, int64_t id, json_t **out,
                       nqi_error *err)
{
    return watch_load(c, actor, id, out, err);
}

/* Check the common fields; fills key (malloc'd) when kind/value given. */
static int watch_check(const track_watch_in *in, bool create, char **key, nqi_error *err)
{
    *key = NULL;
    if (create || in->name) {
        if (!in->name || !*in->name)
            nqi_error_field(err, NQI_EINVAL, "name", "required");
        else if (utf8_count(in->name) > 100)
            nqi_error_field(err, NQI_EINVAL, "name", "at most 100 characters");
    }
    if (in->value && utf8_count(in->value) > 200)
        nqi_error_field(err, NQI_EINVAL, "value", "at most 200 characters");
    else if (create || in->kind || in->value)
        tracking_match_key(in->kind, in->value, key, err);
    if (in->webhook_url && *in->webhook_url)
        webhook_url_check(in->webhook_url, err);
    if (in->remind_days != -1 && (in->remind_days < 0 || in->remind_days > TRACK_REMIND_MAX))
        nqi_error_field(err, NQI_EINVAL, "remind_days", "must be an integer from 0 to %d",
                        TRACK_REMIND_MAX);
    if (err->code) {
        free(*key);
        *key = NULL;
    }
    return err->code;
}

static int audit_watch(store_conn *c, const http_principal *actor, const char *action, int64_t id,
                       const json_t *before, const json_t *after, nqi_error *err)
{
    char ids[24];
    snprintf(ids, sizeof ids, "%lld", (long long)id);
    return audit_record(c, actor, action, "watchlist", ids, before, after, err);
}

static void add_secrets(json_t *o, int64_t id, const char *feed_token, const char *secret)
{
    if (feed_token) {
        char *u = xasprintf("/api/v1/feeds/watchlists/%lld.atom?token=%s", (long long)id,
                            feed_token);
        json_object_set_new(o, "feed_url", json_string(u));
        free(u);
    }
    if (secret)
        json_object_set_new(o, "webhook_secret", json_string(secret));
}

int tracking_watch_create(store_conn *c, const http_principal *actor, const track_watch_in *in,
                          json_t **out, nqi_error *err)
{
    static const char ins[] =
        "INSERT INTO watchlists (owner, owner_name, name, kind, value, match_key, webhook_url, "
        "webhook_secret, remind_days, feed_token_hash, created_at, updated_at) VALUES (?, ?, ?, "
        "?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id";
    char *key = NULL, *value = NULL;
    char own[32], token[65], hash[65], secret[65];
    int64_t id = 0, n = 0;
    bool own_tx;
    *out = NULL;
    if (watch_check(in, true, &key, err))
        return err->code;
    tracking_owner(actor, own);
    random_hex(token, 32);
    auth_sha256_hex(token, strlen(token), hash);
    bool hook = in->webhook_url && *in->webhook_url;
    if (hook)
        random_hex(secret, 32);
    value = tracking_trim_dup(in->value);
    int rc = store_tx_begin(c, &own_tx, err);
    if (!rc)
        rc = store_query_int(c, "SELECT COUNT(*) FROM watchlists WHERE owner = ?",
                             (store_val[]){SV_TEXT(own)}, 1, &n, err);
    if (!rc && n >= WATCH_MAX_PER_OWNER)
        rc = nqi_error_set(err, NQI_ECONFLICT, "at most %d watchlists per user",
                           WATCH_MAX_PER_OWNER);
    if (!rc) {
        int64_t now = now_ms();
        store_val p[] = {SV_TEXT(own),
                         SV_TEXT(actor->username[0] ? actor->username : NULL),
                         SV_TEXT(in->name),
                         SV_TEXT(in->kind),
                         SV_TEXT(value),
                         SV_TEXT(key),
                         SV_TEXT(hook ? in->webhook_url : NULL),
                         SV_TEXT(hook ? secret : NULL),
                         SV_INT(in->remind_days >= 0 ? in->remind_days : TRACK_REMIND_DEFAULT),
                         SV_TEXT(hash),
                         SV_INT(now),
                         SV_INT(now)};
        rc = store_query_int(c, ins, p, 12, &id, err);
    }
    if (!rc)
        rc = watch_load(c, actor, id, out, err);
    if (!rc)
        rc = audit_watch(c, actor, "tracking.watchlist.create", id, NULL, *out, err);
    rc = store_tx_end(c, own_tx, rc, err);
    free(key);
    free(value);
    if (rc) {
        json_decref(*out);
        *out = NULL;
        return rc;
    }
    add_secrets(*out, id, token, hook ? secret : NULL);
    return 0;
}

int tracking_watch_update(store_conn *c, const http_principal *actor, int64_t id,
                          const track_watch_in *in, json_t **out, nqi_error *err)
{
    static const char upd[] =
        "UPDATE watchlists SET name = ?, kind = ?, value = ?, match_key = ?, webhook_url = ?, "
        "webhook_secret = ?, remind_days = ?, feed_token_hash = COALESCE(?, feed_token_hash), "
        "updated_at = ? WHERE id = ?";
    static const char cancel[] =
        "UPDATE webhook_deliveries SET status = 'failed', last_error = 'webhook removed', "
        "updated_at = ? WHERE watchlist_id = ? AND status = 'pending'";
    json_t *before = NULL;
    char *key = NULL, *value = NULL, *secret_old = NULL;
    char token[65], hash[65], secret[65];
    bool own_tx, fresh_secret = false;
    *out = NULL;
    int rc = store_tx_begin(c, &own_tx, err);
    if (!rc)
        rc = watch_load(c, actor, id, &before, err);
    if (rc)
        return store_tx_end(c, own_tx, rc, err);
    /* kind and value are validated together: the key is recomputed from
     * the new or stored ones */
    track_watch_in m = *in;
    if (!m.kind)
        m.kind = json_string_value(json_object_get(before, "kind"));
    if (!m.value)
        m.value = json_string_value(json_object_get(before, "value"));
    if (watch_check(&m, false, &key, err))
        rc = err->code;
    if (!rc)
        rc = store_query_text(c, "SELECT webhook_secret FROM watchlists WHERE id = ?",
                              (store_val[]){SV_INT(id)}, 1, &secret_old, err);
    if (!rc) {
        const char *url = in->webhook_url
                              ? (*in->webhook_url ? in->webhook_url : NULL)
                              : json_string_value(json_object_get(before, "webhook_url"));
        const char *sec = NULL;
        if (url && (!secret_old || in->new_webhook_secret)) {
            random_hex(secret, 32);
            sec = secret;
            fresh_secret = true;
        } else if (url) {
            sec = secret_old;
        }
        if (in->new_feed_token) {
            random_hex(token, 32);
            auth_sha256_hex(token, strlen(token), hash);
        }
        value = tracking_trim_dup(m.value ? m.value : "");
        int64_t rd = in->remind_days >= 0 ? in->remind_days
                                          : json_integer_value(json_object_get(before,
                                                                               "remind_days"));
        const char *name = in->name ? in->name
                                    : json_string_value(json_object_get(before, "name"));
        int64_t now = now_ms();
        store_val p[] = {SV_TEXT(name), SV_TEXT(m.kind), SV_TEXT(value), SV_TEXT(key),
                         SV_TEXT(url),  SV_TEXT(sec),    SV_INT(rd),
                         SV_TEXT(in->new_feed_token ? hash : NULL),
                         SV_INT(now),   SV_INT(id)};
        rc = store_exec(c, upd, p, 10, NULL, err);
        if (!rc && !url)
            rc = store_exec(c, cancel, (store_val[]){SV_INT(now), SV_INT(id)}, 2, NULL, err);
    }
    if (!rc)
        rc = watch_load(c, actor, id, out, err);
    if (!rc)
        rc = audit_watch(c, actor, "tracking.watchlist.update", id, before, *out, err);
    rc = store_tx_end(c, own_tx, rc, err);
    json_decref(before);
    free(key);
    free(value);
    free(secret_old);
    if (rc) {
        json_decref(*out);
        *out = NULL;
        return rc;
    }
    add_secrets(*out, id, in->new_feed_token ? token : NULL, fresh_secret ? secret : NULL);
    return 0;
}

int tracking_watch_delete(store_conn *c, const http_principal *actor, int64_t id, nqi_error *err)
{
    static const char *const del[] = {"DELETE FROM webhook_deliveries WHERE watchlist_id = ?",
                                      "DELETE FROM watch_events WHERE watchlist_id = ?",
                                      "DELETE FROM watchlists WHERE id = ?"};
    json_t *before = NULL;
    bool own_tx;
    int rc = store_tx_begin(c, &own_tx, err);
    if (!rc)
        rc = watch_load(c, actor, id, &before, err);
    for (int i = 0; !rc && i < 3; i++)
        rc = store_exec(c, del[i], (store_val[]){SV_INT(id)}, 1, NULL, err);
    if (!rc)
        rc = audit_watch(c, actor, "tracking.watchlist.delete", id, before, NULL, err);
    json_decref(before);
    return store_tx_end(c, own_tx, rc, err);
}

static json_t *watch_row(store_rows *r, void *ctx)
{
    return watch_json(r);
}

int tracking_watch_list(store_conn *c, const http_principal *actor, int64_t limit, int64_t cursor,
                        json_t **out, nqi_error *err)
{
    static const char all[] =
        "SELECT " WATCH_COLS " FROM watchlists WHERE id > ? ORDER BY id LIMIT ?";
    static const char mine[] = "SELECT " WATCH_COLS
                               " FROM watchlists WHERE id > ? AND owner = ? ORDER BY id LIMIT ?";
    char own[32];
    tracking_owner(actor, own);
    bool admin = actor->role == ROLE_ADMIN;
    store_val p[] = {SV_INT(cursor), admin ? SV_INT(limit + 1) : SV_TEXT(own), SV_INT(limit + 1)};
    store_rows *r;
    *out = NULL;
    int rc = store_query(c, admin ? all : mine, p, admin ? 2 : 3, &r, err);
    return rc ? rc : store_page_json(r, limit, watch_row, NULL, out, err);
}

/* ---------------------------------------------------------------- inbox */

#define EVENT_COLS                                                                             \
    "e.id, e.watchlist_id, w.name, e.kind, e.number, e.title, e.detail, e.source, e.at, "      \
    "e.read_at, e.created_at, e.change_id"

static json_t *event_json(store_rows *r)
{
    char t1[32], t2[32], t3[32];
    const char *d = store_text(r, 6);
    json_t *detail = d ? json_loads(d, 0, NULL) : NULL;
    char *link = tracking_std_link(store_text(r, 4));
    json_t *o = json_pack(
        "{s:I, s:I, s:s, s:s, s:s, s:s, s:o, s:s?, s:s, s:s?, s:b, s:s, s:s}", "id",
        (json_int_t)store_int(r, 0), "watchlist_id", (json_int_t)store_int(r, 1),
        "watchlist_name", store_text(r, 2), "kind", store_text(r, 3), "number", store_text(r, 4),
        "title", store_text(r, 5), "detail", detail ? detail : json_null(), "source",
        store_text(r, 7), "at", iso(store_int(r, 8), t1), "read_at",
        store_isnull(r, 9) ? NULL : iso(store_int(r, 9), t2), "read", !store_isnull(r, 9),
        "created_at", iso(store_int(r, 10), t3), "link", link);
    free(link);
    return o;
}

static json_t *event_row(store_rows *r, void *ctx)
{
    return event_json(r);
}

int tracking_inbox(store_conn *c, const http_principal *actor, bool unread_only,
                   int64_t watchlist, int64_t limit, int64_t cursor, json_t **out,
                   nqi_error *err)
{
    char own[32];
    tracking_owner(actor, own);
    buf sql;
    buf_init(&sql, 0);
    buf_puts(&sql, "SELECT " EVENT_COLS " FROM watch_events e JOIN watchlists w ON w.id = "
                   "e.watchlist_id WHERE e.owner = ?");
    store_val p[4];
    int np = 0;
    p[np++] = SV_TEXT(own);
    if (unread_only)
        buf_puts(&sql, " AND e.read_at IS NULL");
    if (watchlist > 0) {
        buf_puts(&sql, " AND e.watchlist_id = ?");
        p[np++] = SV_INT(watchlist);
    }
    if (cursor > 0) {
        buf_puts(&sql, " AND e.id < ?");
        p[np++] = SV_INT(cursor);
    }
    buf_puts(&sql, " ORDER BY e.id DESC LIMIT ?");
    p[np++] = SV_INT(limit + 1);
    store_rows *r;
    int rc = store_query(c, sql.data, p, np, &r, err);
    buf_free(&sql);
    if (rc)
        return rc;
    int64_t unread = 0;
    if ((rc = store_page_json(r, limit, event_row, NULL, out, err)))
        return rc;
    rc = store_query_int(c, "SELECT COUNT(*) FROM watch_events WHERE owner = ? AND read_at IS NULL",
                         (store_val[]){SV_TEXT(own)}, 1, &unread, err);
    if (rc) {
        json_decref(*out);
        *out = NULL;
        return rc;
    }
    json_object_set_new(*out, "unread", json_integer(unread));
    return 0;
}

int tracking_inbox_read(store_conn *c, const http_principal *actor, const int64_t *ids, size_t n,
                        bool all, int64_t *marked, nqi_error *err)
{
    static const char one[] =
        "UPDATE watch_events SET read_at = ? WHERE owner = ? AND id = ? AND read_at IS NULL";
    static const char every[] =
        "UPDATE watch_events SET read_at = ? WHERE owner = ? AND read_at IS NULL";
    char own[32];
    bool own_tx;
    tracking_owner(actor, own);
    *marked = 0;
    int64_t now = now_ms();
    int rc = store_tx_begin(c, &own_tx, err);
    if (!rc && all) {
        rc = store_exec(c, every, (store_val[]){SV_INT(now), SV_TEXT(own)}, 2, marked, err);
    }
    for (size_t i = 0; !rc && !all && i < n; i++) {
        int64_t ch = 0;
        rc = store_exec(c, one, (store_val[]){SV_INT(now), SV_TEXT(own), SV_INT(ids[i])}, 3, &ch,
                        err);
        *marked += ch;
    }
    if (!rc && *marked) {
        json_t *after = json_pack("{s:I, s:b}", "marked", (json_int_t)*marked, "all", all);
        rc = audit_record(c, actor, "tracking.inbox.read", "watch_events", own, NULL, after, err);
        json_decref(after);
    }
    return store_tx_end(c, own_tx, rc, err);
}

/* ---------------------------------------------------------------- feed */

int tracking_feed(store_conn *c, int64_t id, const char *token, int64_t limit, json_t **out,
                  nqi_error *err)
{
    static const char sql_w[] =
        "SELECT feed_token_hash, name, kind, value, updated_at FROM watchlists WHERE id = ?";
    static const char sql_e[] = "SELECT " EVENT_COLS " FROM watch_events e JOIN watchlists w ON "
                                "w.id = e.watchlist_id WHERE e.watchlist_id = ? ORDER BY e.id "
                                "DESC LIMIT ?";
    store_rows *r;
    *out = NULL;
    int rc = store_query(c, sql_w, (store_val[]){SV_INT(id)}, 1, &r, err);
    if (rc)
        return rc;
    json_t *w = NULL;
    rc = store_next(r);
    if (rc == 1) {
        char h[65];
        const char *stored = store_text(r, 0);
        auth_sha256_hex(token ? token : "", token ? strlen(token) : 0, h);
        char t[32];
        if (stored && strlen(stored) == 64 && token && *token && !sodium_memcmp(h, stored, 64))
            w = json_pack("{s:I, s:s, s:s, s:s, s:s}", "id", (json_int_t)id, "name",
                          store_text(r, 1), "kind", store_text(r, 2), "value", store_text(r, 3),
                          "updated_at", iso(store_int(r, 4), t));
        rc = 0;
    } else {
        rc = rc < 0 ? store_rows_error(r, err) : 0;
    }
    store_rows_close(r);
    if (!rc && !w)
        rc = nqi_error_set(err, NQI_ENOTFOUND, "feed not found");
    if (rc)
        return rc;
    rc = store_query(c, sql_e, (store_val[]){SV_INT(id), SV_INT(limit)}, 2, &r, err);
    if (rc) {
        json_decref(w);
        return rc;
    }
    json_t *items = json_array();
    while ((rc = store_next(r)) == 1)
        json_array_append_new(items, event_json(r));
    rc = rc < 0 ? store_rows_error(r, err) : 0;
    store_rows_close(r);
    if (rc) {
        json_decref(w);
        json_decref(items);
        return rc;
    }
    json_object_set_new(w, "items", items);
    *out = w;
    return 0;
}

