/*
 * tracking_http.c — HTTP handlers for watchlists, the inbox, webhook
 * delivery logs, Atom feeds and publication notices; the tracking_module
 * (routes + the background worker's start/stop). Handlers parse and
 * validate, call tracking.c / notices.c / webhook.c, render JSON or Atom.
 * The contract is docs/modules/tracking.md.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/app.h"
#include "core/json.h"
#include "core/util.h"
#include "standards/tracking.h"

#define WATCH_BODY_LIMIT (16 * 1024)
#define NOTICE_BODY_LIMIT (8 * 1024 * 1024)
#define LIST_DEFAULT 50
#define LIST_MAX 500
#define FEED_ENTRIES 50
#define READ_IDS_MAX 1000

/* ---------------------------------------------------------------- helpers */

static void answer(http_req *r, http_resp *w, int rc, int status, json_t *out,
                   const nqi_error *err)
{
    if (rc)
        http_resp_problem(w, r, err);
    else
        http_resp_json(w, status, out);
}

/* ---------------------------------------------------------------- watchlists */

/* Fields shared by POST and PATCH. webhook_url: null or "" removes. */
static int watch_body(json_t *body, bool create, track_watch_in *in, nqi_error *err)
{
    static const char *const allowed_c[] = {"name", "kind", "value", "webhook_url",
                                            "remind_days", NULL};
    static const char *const allowed_p[] = {"name",          "kind",           "value",
                                            "webhook_url",   "remind_days",    "new_feed_token",
                                            "new_webhook_secret", NULL};
    memset(in, 0, sizeof *in);
    in->remind_days = -1;
    json_check_fields(body, create ? allowed_c : allowed_p, err);
    json_get_str(body, "name", create, 100, &in->name, err);
    json_get_str(body, "kind", create, 16, &in->kind, err);
    json_get_str(body, "value", create, 200, &in->value, err);
    json_t *u = json_object_get(body, "webhook_url");
    if (u && json_is_null(u))
        in->webhook_url = "";
    else
        json_get_str(body, "webhook_url", false, 2000, &in->webhook_url, err);
    json_get_int(body, "remind_days", false, 0, TRACK_REMIND_MAX, &in->remind_days, err);
    if (!create) {
        json_get_bool(body, "new_feed_token", false, &in->new_feed_token, err);
        json_get_bool(body, "new_webhook_secret", false, &in->new_webhook_secret, err);
    }
    return err->code;
}

static void h_watch_list(http_req *r, http_resp *w)
{
    nqi_error err = {0};
    int64_t limit, cursor;
    json_t *out = NULL;
    int rc = http_list_params(r, LIST_DEFAULT, LIST_MAX, &limit, &cursor, &err);
    if (!rc)
        rc = tracking_watch_list(r->db, &r->principal, limit, cursor, &out, &err);
    answer(r, w, rc, 200, out, &err);
}

static void h_watch_create(http_req *r, http_resp *w)
{
    nqi_error err = {0};
    json_t *body = NULL, *out = NULL;
    track_watch_in in;
    int rc = http_req_json(r, &body, &err);
    if (!rc)
        rc = watch_body(body, true, &in, &err);
    if (!rc)
        rc = tracking_watch_create(r->db, &r->principal, &in, &out, &err);
    answer(r, w, rc, 201, out, &err);
    json_decref(body);
}

static void h_watch_get(http_req *r, http_resp *w)
{
    nqi_error err = {0};
    int64_t id;
    json_t *out = NULL;
    int rc = http_param_id(r, "id", "watchlist", &id, &err);
    if (!rc)
        rc = tracking_watch_get(r->db, &r->principal, id, &out, &err);
    answer(r, w, rc, 200, out, &err);
}

static void h_watch_patch(http_req *r, http_resp *w)
{
    nqi_error err = {0};
    json_t *body = NULL, *out = NULL;
    track_watch_in in;
    int64_t id;
    int rc = http_param_id(r, "id", "watchlist", &id, &err);
    if (!rc)
        rc = http_req_json(r, &body, &err);
    if (!rc)
        rc = watch_body(body, false, &in, &err);
    if (!rc)
        rc = tracking_watch_update(r->db, &r->principal, id, &in, &out, &err);
    answer(r, w, rc, 200, out, &err);
    json_decref(body);
}

static void h_watch_delete(http_req *r, http_resp *w)
{
    nqi_error err = {0};
    int64_t id;
    if (http_param_id(r, "id", "watchlist", &id, &err) ||
        tracking_watch_delete(r->db, &r->principal, id, &err))
        http_resp_problem(w, r, &err);
    else
        http_resp_text(w, 204, NULL, NULL, 0);
}

static void h_deliveries(http_req *r, http_resp *w)
{
    nqi_error err = {0};
    int64_t id, limit, cursor;
    json_t *out = NULL;
    int rc = http_param_id(r, "id", "watchlist", &id, &err);
    if (!rc)
        rc = http_list_params(r, LIST_DEFAULT, LIST_MAX, &limit, &cursor, &err);
    if (!rc)
        rc = webhook_deliveries_list(r->db, &r->principal, id, limit, cursor, &out, &err);
    answer(r, w, rc, 200, out, &err);
}

/* ---------------------------------------------------------------- inbox */

/* Changes imported since the worker's last pass become events now, so an
 * inbox never lags behind the catalogue. A failure here only delays events. */
static void fanout_now(store_conn *c)
{
    nqi_error e = {0};
    if (tracking_fanout_pending(c) && tracking_fanout(c, NULL, &e))
        fprintf(stderr, "nqi tracking: fan-out: %s\n", e.message);
}

static void h_inbox(http_req *r, http_resp *w)
{
    nqi_error err = {0};
    int64_t limit, cursor, wl = 0;
    json_t *out = NULL;
    const char *u = http_query(r, "unread"), *ws = http_query(r, "watchlist");
    bool unread = false;
    if (u && *u) {
        if (!strcmp(u, "1") || !strcmp(u, "true"))
            unread = true;
        else if (strcmp(u, "0") && strcmp(u, "false"))
            nqi_error_field(&err, NQI_EINVAL, "unread", "must be 1 or 0");
    }
    if (ws && *ws && (!str_to_i64(ws, &wl) || wl < 1))
        nqi_error_field(&err, NQI_EINVAL, "watchlist", "must be a watchlist id");
    int rc = http_list_params(r, LIST_DEFAULT, LIST_MAX, &limit, &cursor, &err);
    if (!rc) {
        fanout_now(r->db);
        rc = tracking_inbox(r->db, &r->principal, unread, wl, limit, cursor, &out, &err);
    }
    answer(r, w, rc, 200, out, &err);
}

static void h_inbox_read(http_req *r, http_resp *w)
{
    static const char *const allowed[] = {"ids", "all", NULL};
    nqi_error err = {0};
    json_t *body = NULL;
    int64_t *ids = NULL, marked = 0;
    size_t n = 0;
    bool all = false;
    int rc = http_req_json(r, &body, &err);
    if (!rc) {
        json_check_fields(body, allowed, &err);
        json_get_bool(body, "all", false, &all, &err);
        json_t *v = json_object_get(body, "ids");
        if (v && (!json_is_array(v) || json_array_size(v) > READ_IDS_MAX)) {
            nqi_error_field(&err, NQI_EINVAL, "ids", "an array of at most %d event ids",
                            READ_IDS_MAX);
        } else if (v) {
            n = json_array_size(v);
            ids = xcalloc(n ? n : 1, sizeof *ids);
            for (size_t i = 0; i < n; i++) {
                json_t *e = json_array_get(v, i);
                if (!json_is_integer(e)) {
                    char f[32];
                    snprintf(f, sizeof f, "ids/%zu", i);
                    nqi_error_field(&err, NQI_EINVAL, f, "must be an integer");
                    break;
                }
                ids[i] = json_integer_value(e);
            }
        }
        if (!err.code && !v && !all)
            nqi_error_field(&err, NQI_EINVAL, "ids", "give ids:[…] or all:true");
        rc = err.code;
    }
    if (!rc)
        rc = tracking_inbox_read(r->db, &r->principal, ids, n, all, &marked, &err);
    answer(r, w, rc, 200, rc ? NULL : json_pack("{s:I}", "marked", (json_int_t)marked), &err);
    free(ids);
    json_decref(body);
}

/* ---------------------------------------------------------------- Atom */

/* XML text: escape markup, drop characters XML 1.0 forbids. */
static void xml_esc(buf *b, const char *s)
{
    for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
        switch (*p) {
        case '&': buf_puts(b, "&amp;"); break;
        case '<': buf_puts(b, "&lt;"); break;
        case '>': buf_puts(b, "&gt;"); break;
        case '"': buf_puts(b, "&quot;"); break;
        case '\'': buf_puts(b, "&apos;"); break;
        default:
            if (*p < 0x20 && *p != '\t' && *p != '\n' && *p != '\r')
                break;
            buf_append(b, p, 1);
        }
    }
}

/* Absolute base for links: NQI_PUBLIC_URL, else http://<Host>. */
static char *base_url(const http_req *r)
{
    const char *pub = getenv("NQI_PUBLIC_URL");
    if (pub && *pub) {
        size_t n = strlen(pub);
        while (n && pub[n - 1] == '/')
            n--;
        return xstrndup(pub, n);
    }
    const char *host = http_header_get(r, "Host");
    bool ok = host && *host && strlen(host) < 256;
    for (const char *p = host; ok && *p; p++)
        ok = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
             strchr(".-:[]", *p);
    return ok ? xasprintf("http://%s", host) : xstrdup("");
}

static void atom_head(buf *b, const char *id, const char *title, const char *updated,
                      const char *base, const char *alt)
{
    buf_puts(b, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
                "<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"zh-CN\">\n  <id>");
    xml_esc(b, id);
    buf_puts(b, "</id>\n  <title>");
    xml_esc(b, title);
    buf_printf(b, "</title>\n  <updated>%s</updated>\n  <link rel=\"alternate\" "
                  "type=\"text/html\" href=\"",
               updated);
    xml_esc(b, base);
    xml_esc(b, alt);
    buf_puts(b, "\"/>\n  <author><name>nqi</name></author>\n  <generator>nqi</generator>\n");
}

static void atom_entry(buf *b, const char *id, const char *title, const char *updated,
                       const char *base, const char *link, const char *summary)
{
    buf_puts(b, "  <entry>\n    <id>");
    xml_esc(b, id);
    buf_puts(b, "</id>\n    <title type=\"text\">");
    xml_esc(b, title);
    buf_printf(b, "</title>\n    <updated>%s</updated>\n    <link rel=\"alternate\" "
                  "type=\"text/html\" href=\"",
               updated);
    xml_esc(b, base);
    xml_esc(b, link);
    buf_puts(b, "\"/>\n    <summary type=\"text\">");
    xml_esc(b, summary);
    buf_puts(b, "</summary>\n  </entry>\n");
}

static void atom_send(http_resp *w, buf *b)
{
    buf_puts(b, "</feed>\n");
    size_t n = b->len;
    http_resp_text(w, 200, "application/atom+xml; charset=utf-8", buf_steal(b), n);
    http_resp_header(w, "Cache-Control", "no-store");
}

static void h_feed_watch(http_req *r, http_resp *w)
{
    nqi_error err = {0};
    const char *file = http_param(r, "file");
    int64_t id = 0;
    json_t *f = NULL;
    size_t fl = file ? strlen(file) : 0;
    char idbuf[24];
    int rc = 0;
    if (fl <= 5 || fl - 5 >= sizeof idbuf || strcmp(file + fl - 5, ".atom")) {
        rc = nqi_error_set(&err, NQI_ENOTFOUND, "feed not found");
    } else {
        memcpy(idbuf, file, fl - 5);
        idbuf[fl - 5] = 0;
        if (!str_to_i64(idbuf, &id) || id <= 0)
            rc = nqi_error_set(&err, NQI_ENOTFOUND, "feed not found");
    }
    if (!rc) {
        fanout_now(r->db);
        rc = tracking_feed(r->db, id, http_query(r, "token"), FEED_ENTRIES, &f, &err);
    }
    if (rc) {
        http_resp_problem(w, r, &err);
        return;
    }
    char *base = base_url(r), fid[48];
    json_t *items = json_object_get(f, "items");
    const char *updated = json_array_size(items)
                              ? json_string_value(json_object_get(json_array_get(items, 0), "at"))
                              : json_string_value(json_object_get(f, "updated_at"));
    char *title = xasprintf("标准跟踪：%s", json_string_value(json_object_get(f, "name")));
    snprintf(fid, sizeof fid, "urn:nqi:watchlist:%lld", (long long)id);
    buf b;
    buf_init(&b, 0);
    atom_head(&b, fid, title, updated, base, "/tracking");
    size_t i;
    json_t *e;
    json_array_foreach(items, i, e)
    {
        char eid[48];
        snprintf(eid, sizeof eid, "urn:nqi:watch-event:%lld",
                 (long long)json_integer_value(json_object_get(e, "id")));
        const char *src = json_string_value(json_object_get(e, "source"));
        const char *t = json_string_value(json_object_get(e, "title"));
        char *sum = src ? xasprintf("%s（来源：%s）", t, src) : xstrdup(t);
        atom_entry(&b, eid, json_string_value(json_object_get(e, "title")),
                   json_string_value(json_object_get(e, "at")), base,
                   json_string_value(json_object_get(e, "link")), sum);
        free(sum);
    }
    atom_send(w, &b);
    free(title);
    free(base);
    json_decref(f);
}

/* ---------------------------------------------------------------- notices */

static void h_notices_list(http_req *r, http_resp *w)
{
    nqi_error err = {0};
    int64_t limit, cursor;
    json_t *out = NULL;
    int rc = http_list_params(r, LIST_DEFAULT, LIST_MAX, &limit, &cursor, &err);
    if (!rc)
        rc = notices_list(r->db, limit, cursor, &out, &err);
    answer(r, w, rc, 200, out, &err);
}

static void h_notice_get(http_req *r, http_resp *w)
{
    nqi_error err = {0};
    int64_t id;
    json_t *out = NULL;
    int rc = http_param_id(r, "id", "notice", &id, &err);
    if (!rc)
        rc = notices_get(r->db, id, &out, &err);
    answer(r, w, rc, 200, out, &err);
}

static void h_notice_create(http_req *r, http_resp *w)
{
    nqi_error err = {0};
    json_t *body = NULL, *out = NULL;
    int rc = http_req_json(r, &body, &err);
    if (!rc)
        rc = notices_create(r->db, &r->principal, body, &out, &err);
    answer(r, w, rc, 201, out, &err);
    json_decref(body);
}

static void h_feed_notices(http_req *r, http_resp *w)
{
    nqi_error err = {0};
    json_t *list = NULL;
    if (notices_list(r->db, FEED_ENTRIES, 0, &list, &err)) {
        http_resp_problem(w, r, &err);
        return;
    }
    char *base = base_url(r), now[32];
    json_t *items = json_object_get(list, "items");
    const char *updated = json_array_size(items)
                              ? json_string_value(
                                    json_object_get(json_array_get(items, 0), "created_at"))
                              : time_iso8601(0, now, sizeof now);
    buf b;
    buf_init(&b, 0);
    atom_head(&b, "urn:nqi:notices", "标准发布动态", updated, base, "/notices");
    size_t i;
    json_t *e;
    json_array_foreach(items, i, e)
    {
        char eid[48];
        snprintf(eid, sizeof eid, "urn:nqi:notice:%lld",
                 (long long)json_integer_value(json_object_get(e, "id")));
        json_t *cn = json_object_get(e, "counts");
        char *title = xasprintf("%s %s：%s", json_string_value(json_object_get(e, "issuer")),
                                json_string_value(json_object_get(e, "notice_no")),
                                json_string_value(json_object_get(e, "title")));
        char *sum = xasprintf("%s 发布。发布 %lld 项，代替 %lld 项，废止 %lld 项。",
                              json_string_value(json_object_get(e, "issued_on")),
                              (long long)json_integer_value(json_object_get(cn, "publish")),
                              (long long)json_integer_value(json_object_get(cn, "replace")),
                              (long long)json_integer_value(json_object_get(cn, "withdraw")));
        atom_entry(&b, eid, title, json_string_value(json_object_get(e, "created_at")), base,
                   json_string_value(json_object_get(e, "link")), sum);
        free(title);
        free(sum);
    }
    atom_send(w, &b);
    free(base);
    json_decref(list);
}

/* ---------------------------------------------------------------- module */

static void tracking_routes(http_server *s)
{
    http_route(s, "GET", "/api/v1/watchlists", ROLES_AUTHED, h_watch_list, 0,
               "list my watchlists (admin: all)");
    http_route(s, "POST", "/api/v1/watchlists", ROLES_AUTHED, h_watch_create, WATCH_BODY_LIMIT,
               "create a watchlist (feed URL and webhook secret shown once)");
    http_route(s, "GET", "/api/v1/watchlists/{id}", ROLES_AUTHED, h_watch_get, 0,
               "one watchlist");
    http_route(s, "PATCH", "/api/v1/watchlists/{id}", ROLES_AUTHED, h_watch_patch,
               WATCH_BODY_LIMIT, "update a watchlist; rotate its feed token or webhook secret");
    http_route(s, "DELETE", "/api/v1/watchlists/{id}", ROLES_AUTHED, h_watch_delete, 0,
               "delete a watchlist with its events and deliveries");
    http_route(s, "GET", "/api/v1/watchlists/{id}/deliveries", ROLES_AUTHED, h_deliveries, 0,
               "webhook delivery log of a watchlist");
    http_route(s, "GET", "/api/v1/inbox", ROLES_AUTHED, h_inbox, 0,
               "my tracking events, newest first");
    http_route(s, "POST", "/api/v1/inbox/read", ROLES_AUTHED, h_inbox_read, WATCH_BODY_LIMIT,
               "mark inbox events read");
    http_route(s, "GET", "/api/v1/feeds/watchlists/{file}", ROLES_ANY, h_feed_watch, 0,
               "Atom feed of a watchlist ({id}.atom?token=...)");
    http_route(s, "GET", "/api/v1/notices", ROLES_ANY, h_notices_list, 0,
               "publication notices, newest first");
    http_route(s, "GET", "/api/v1/notices/{id}", ROLES_ANY, h_notice_get, 0,
               "one publication notice with its items");
    http_route(s, "POST", "/api/v1/notices", ROLE_REGULATOR | ROLE_ADMIN, h_notice_create,
               NOTICE_BODY_LIMIT, "enter a notice and apply it to the catalogue");
    http_route(s, "GET", "/api/v1/feeds/notices.atom", ROLES_ANY, h_feed_notices, 0,
               "Atom feed of publication notices");
}

static int tracking_start(nqi_app *app, nqi_error *err)
{
    return webhook_worker_start(app, err);
}

static void tracking_stop(nqi_app *app)
{
    webhook_worker_stop(app);
}

const nqi_module tracking_module = {.name = "tracking",
                                    .routes = tracking_routes,
                                    .start = tracking_start,
                                    .stop = tracking_stop};
