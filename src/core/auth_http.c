/*
 * auth_http.c — HTTP handlers for login/logout/me, the admin API for users
 * and API tokens, and GET /api/v1/meta/routes (the authorization table).
 * Handlers parse and validate, call auth.c, render JSON. See auth.h.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/app.h"
#include "core/auth.h"
#include "core/json.h"
#include "core/page.h"
#include "core/util.h"

#define AUTH_BODY_LIMIT (16 * 1024)
#define LIST_DEFAULT 50
#define LIST_MAX 500

/* ---- small request helpers ---- */

static void set_session_cookie(http_resp *w, const char *id, int max_age)
{
    char *v = xasprintf("%s=%s; HttpOnly; SameSite=Strict; Path=/; Max-Age=%d",
                        AUTH_SESSION_COOKIE, id, max_age);
    http_resp_header(w, "Set-Cookie", v);
    free(v);
}

/* {id, username, role, display_name, credit_code} of a user. */
static json_t *user_brief(json_t *full)
{
    json_t *u = json_object();
    static const char *const keys[] = {"id", "username", "role", "display_name", "credit_code"};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        json_t *v = json_object_get(full, keys[i]);
        json_object_set(u, keys[i], v ? v : json_null());
    }
    return u;
}

/* ---- login, logout, me ---- */

static void h_login(http_req *r, http_resp *w)
{
    static const char *const allowed[] = {"username", "password", NULL};
    nqi_error err = {0};
    json_t *body = NULL, *user = NULL;
    const char *username = NULL, *password = NULL;
    auth_session s;
    if (http_req_json(r, &body, &err) || json_check_fields(body, allowed, &err))
        goto fail;
    json_get_str(body, "username", true, 64, &username, &err);
    json_get_str(body, "password", true, 1024, &password, &err);
    if (err.code)
        goto fail;
    if (auth_login(r->db, username, password, r->client_ip, &s, &err)) {
        if (err.code == NQI_ERATE) {
            char ra[16];
            snprintf(ra, sizeof ra, "%d", s.retry_after_s);
            http_resp_problem(w, r, &err);
            http_resp_header(w, "Retry-After", ra);
            json_decref(body);
            return;
        }
        goto fail;
    }
    if (auth_user_get(r->db, s.user_id, &user, &err))
        goto fail;
    set_session_cookie(w, s.id, AUTH_SESSION_TTL_S);
    http_resp_json(w, 200, json_pack("{s:o, s:s}", "user", user_brief(user), "csrf_token", s.csrf));
    json_decref(user);
    json_decref(body);
    return;
fail:
    http_resp_problem(w, r, &err);
    json_decref(body);
}

static void h_logout(http_req *r, http_resp *w)
{
    nqi_error err = {0};
    if (auth_logout(r->db, &r->principal, &err)) {
        http_resp_problem(w, r, &err);
        return;
    }
    http_resp_text(w, 204, NULL, NULL, 0);
    set_session_cookie(w, "", 0);
}

static void h_me(http_req *r, http_resp *w)
{
    nqi_error err = {0};
    const http_principal *p = &r->principal;
    if (p->role == ROLE_PUBLIC || !p->role) {
        http_resp_error(w, r, NQI_EAUTH, "not signed in");
        return;
    }
    if (p->via_token) {
        json_t *u = json_pack("{s:n, s:s, s:s, s:n, s:s?}", "id", "username", p->username,
                              "role", role_name(p->role), "display_name", "credit_code",
                              p->credit_code[0] ? p->credit_code : NULL);
        json_t *out = u ? json_pack("{s:o, s:n, s:I}", "user", u, "csrf_token", "token_id",
                                    (json_int_t)p->token_id)
                        : NULL;
        if (!out) {
            fprintf(stderr, "nqi auth: /auth/me for token %lld cannot be rendered\n",
                    (long long)p->token_id);
            http_resp_error(w, r, NQI_EINTERNAL, "principal cannot be rendered");
            return;
        }
        http_resp_json(w, 200, out);
        return;
    }
    json_t *user = NULL;
    char csrf[65];
    if (auth_user_get(r->db, p->user_id, &user, &err) ||
        auth_session_csrf(r->db, p, csrf, &err)) {
        http_resp_problem(w, r, &err);
        return;
    }
    http_resp_json(w, 200, json_pack("{s:o, s:s}", "user", user_brief(user), "csrf_token", csrf));
    json_decref(user);
}

/* Row renderers for store_page_json (core/page.h): column 0 is the keyset id. */
static json_t *user_row_json(store_rows *rows, void *ctx)
{
    (void)ctx;
    char t1[32], t2[32];
    const char *cc = store_text(rows, 4);
    return json_pack("{s:I, s:s, s:s, s:s?, s:s?, s:b, s:s, s:s}", "id",
                     (json_int_t)store_int(rows, 0), "username", store_text(rows, 1), "role",
                     store_text(rows, 2), "display_name", store_text(rows, 3), "credit_code",
                     cc && *cc ? cc : NULL, "disabled", store_int(rows, 5) != 0, "created_at",
                     time_iso8601(store_int(rows, 6), t1, sizeof t1), "updated_at",
                     time_iso8601(store_int(rows, 7), t2, sizeof t2));
}

static json_t *token_row_json(store_rows *rows, void *ctx)
{
    (void)ctx;
    char t1[32], t2[32], t3[32];
    return json_pack("{s:I, s:s, s:s, s:s?, s:I, s:s, s:s?, s:s?, s:b}", "id",
                     (json_int_t)store_int(rows, 0), "name", store_text(rows, 1), "role",
                     store_text(rows, 2), "owner_org", store_text(rows, 3), "created_by",
                     (json_int_t)store_int(rows, 4), "created_at",
                     time_iso8601(store_int(rows, 5), t1, sizeof t1), "revoked_at",
                     store_isnull(rows, 6) ? NULL : time_iso8601(store_int(rows, 6), t2, 32),
                     "last_used_at",
                     store_isnull(rows, 7) ? NULL : time_iso8601(store_int(rows, 7), t3, 32),
                     "revoked", !store_isnull(rows, 6));
}

/* ---- users (admin) ---- */

static void h_users_list(http_req *r, http_resp *w)
{
    nqi_error err = {0};
    int64_t limit, cursor;
    const char *q = http_query(r, "q"), *role = http_query(r, "role");
    if (role && *role && !role_from_name(role))
        nqi_error_field(&err, NQI_EINVAL, "role", "unknown role '%s'", role);
    if (http_list_params(r, LIST_DEFAULT, LIST_MAX, &limit, &cursor, &err)) {
        http_resp_problem(w, r, &err);
        return;
    }
    /* SQL from fixed fragments only; user text goes in as parameters. */
    buf sql;
    buf_init(&sql, 0);
    buf_puts(&sql, "SELECT id, username, role, display_name, credit_code, disabled, created_at, "
                   "updated_at FROM users WHERE id > ?");
    store_val p[5];
    int np = 0;
    p[np++] = SV_INT(cursor);
    char *pat = NULL;
    if (q && *q) {
        buf b;
        buf_init(&b, 0);
        buf_puts(&b, "%");
        for (const char *s = q; *s; s++) {
            if (*s == '%' || *s == '_' || *s == '\\')
                buf_puts(&b, "\\");
            buf_append(&b, s, 1);
        }
        buf_puts(&b, "%");
        pat = buf_steal(&b);
        buf_puts(&sql, " AND (username LIKE ? ESCAPE '\\' OR display_name LIKE ? ESCAPE '\\')");
        p[np++] = SV_TEXT(pat);
        p[np++] = SV_TEXT(pat);
    }
    if (role && *role) {
        buf_puts(&sql, " AND role = ?");
        p[np++] = SV_TEXT(role);
    }
    buf_puts(&sql, " ORDER BY id LIMIT ?");
    p[np++] = SV_INT(limit + 1);
    store_rows *rows = NULL;
    json_t *page = NULL;
    int rc = store_query(r->db, sql.data, p, np, &rows, &err);
    if (!rc)
        rc = store_page_json(rows, limit, user_row_json, NULL, &page, &err);
    buf_free(&sql);
    free(pat);
    if (rc) {
        http_resp_problem(w, r, &err);
        return;
    }
    http_resp_json(w, 200, page);
}

static void h_users_create(http_req *r, http_resp *w)
{
    static const char *const allowed[] = {"username",     "password",    "role",
                                          "display_name", "credit_code", NULL};
    nqi_error err = {0};
    json_t *body = NULL, *user = NULL;
    const char *username = NULL, *password = NULL, *role = NULL, *dn = NULL, *cc = NULL;
    int64_t id;
    if (http_req_json(r, &body, &err))
        goto fail;
    /* Collect every field error before answering 422. */
    json_check_fields(body, allowed, &err);
    json_get_str(body, "username", true, 32, &username, &err);
    json_get_str(body, "password", true, 1024, &password, &err);
    json_get_str(body, "role", true, 32, &role, &err);
    json_get_str(body, "display_name", false, 100, &dn, &err);
    json_get_str(body, "credit_code", false, 18, &cc, &err);
    if (err.code)
        goto fail;
    /* An unknown role reaches auth_user_add as 0, which names it along
     * with any other invalid field. */
    if (auth_user_add(r->db, &r->principal, username, password, role_from_name(role), dn, cc, &id,
                      &err) ||
        auth_user_get(r->db, id, &user, &err))
        goto fail;
    http_resp_json(w, 201, user);
    json_decref(body);
    return;
fail:
    http_resp_problem(w, r, &err);
    json_decref(body);
}

static void h_user_password(http_req *r, http_resp *w)
{
    static const char *const allowed[] = {"password", NULL};
    nqi_error err = {0};
    json_t *body = NULL;
    const char *password = NULL;
    int64_t id;
    if (http_param_id(r, "id", "user", &id, &err) || http_req_json(r, &body, &err) ||
        json_check_fields(body, allowed, &err) ||
        json_get_str(body, "password", true, 1024, &password, &err) ||
        auth_user_passwd_id(r->db, &r->principal, id, password, &err)) {
        http_resp_problem(w, r, &err);
    } else {
        http_resp_text(w, 204, NULL, NULL, 0);
    }
    json_decref(body);
}

static void user_set_disabled(http_req *r, http_resp *w, bool disabled)
{
    nqi_error err = {0};
    int64_t id;
    if (http_param_id(r, "id", "user", &id, &err) ||
        auth_user_set_disabled(r->db, &r->principal, id, disabled, &err))
        http_resp_problem(w, r, &err);
    else
        http_resp_text(w, 204, NULL, NULL, 0);
}

static void h_user_disable(http_req *r, http_resp *w)
{
    user_set_disabled(r, w, true);
}

static void h_user_enable(http_req *r, http_resp *w)
{
    user_set_disabled(r, w, false);
}

/* ---- tokens (admin) ---- */

static void h_tokens_list(http_req *r, http_resp *w)
{
    static const char sql[] = "SELECT id, name, role, owner_org, created_by, created_at, "
                              "revoked_at, last_used_at FROM api_tokens WHERE id > ? "
                              "ORDER BY id LIMIT ?";
    nqi_error err = {0};
    int64_t limit, cursor;
    store_rows *rows = NULL;
    json_t *page = NULL;
    if (http_list_params(r, LIST_DEFAULT, LIST_MAX, &limit, &cursor, &err)) {
        http_resp_problem(w, r, &err);
        return;
    }
    store_val p[] = {SV_INT(cursor), SV_INT(limit + 1)};
    if (store_query(r->db, sql, p, 2, &rows, &err) ||
        store_page_json(rows, limit, token_row_json, NULL, &page, &err)) {
        http_resp_problem(w, r, &err);
        return;
    }
    http_resp_json(w, 200, page);
}

static void h_tokens_create(http_req *r, http_resp *w)
{
    static const char *const allowed[] = {"name", "role", "owner_org", NULL};
    nqi_error err = {0};
    json_t *body = NULL;
    const char *name = NULL, *role = NULL, *org = NULL;
    char *token = NULL;
    int64_t id;
    if (http_req_json(r, &body, &err))
        goto fail;
    json_check_fields(body, allowed, &err);
    json_get_str(body, "name", true, 100, &name, &err);
    json_get_str(body, "role", true, 32, &role, &err);
    json_get_str(body, "owner_org", false, 100, &org, &err);
    if (err.code ||
        auth_token_add(r->db, &r->principal, name, role_from_name(role), org, &id, &token, &err))
        goto fail;
    http_resp_json(w, 201,
                   json_pack("{s:I, s:s, s:s, s:s?, s:s}", "id", (json_int_t)id, "name", name,
                             "role", role, "owner_org", org && *org ? org : NULL, "token", token));
    free(token);
    json_decref(body);
    return;
fail:
    http_resp_problem(w, r, &err);
    json_decref(body);
}

static void h_tokens_delete(http_req *r, http_resp *w)
{
    nqi_error err = {0};
    int64_t id;
    if (http_param_id(r, "id", "token", &id, &err) || auth_token_revoke(r->db, &r->principal, id, &err))
        http_resp_problem(w, r, &err);
    else
        http_resp_text(w, 204, NULL, NULL, 0);
}

/* ---- the authorization table ---- */

static void h_meta_routes(http_req *r, http_resp *w)
{
    nqi_app *app = r->app;
    json_t *table = app && app->http ? http_route_table(app->http) : NULL;
    if (!table) {
        http_resp_error(w, r, NQI_EINTERNAL, "route table unavailable");
        return;
    }
    http_resp_json(w, 200, json_pack("{s:o, s:n}", "items", table, "next_cursor"));
}

static void auth_routes(http_server *s)
{
    http_route(s, "POST", "/api/v1/auth/login", ROLES_ANY, h_login, AUTH_BODY_LIMIT,
               "sign in with username and password (sets the session cookie)");
    http_route(s, "POST", "/api/v1/auth/logout", ROLES_ANY, h_logout, AUTH_BODY_LIMIT,
               "end the browser session");
    http_route(s, "GET", "/api/v1/auth/me", ROLES_AUTHED, h_me, 0,
               "the signed-in user and the CSRF token");
    http_route(s, "GET", "/api/v1/users", ROLE_ADMIN, h_users_list, 0, "list users");
    http_route(s, "POST", "/api/v1/users", ROLE_ADMIN, h_users_create, AUTH_BODY_LIMIT,
               "create a user");
    http_route(s, "POST", "/api/v1/users/{id}/password", ROLE_ADMIN, h_user_password,
               AUTH_BODY_LIMIT, "set a user's password");
    http_route(s, "POST", "/api/v1/users/{id}/disable", ROLE_ADMIN, h_user_disable,
               AUTH_BODY_LIMIT, "disable a user (ends their sessions)");
    http_route(s, "POST", "/api/v1/users/{id}/enable", ROLE_ADMIN, h_user_enable,
               AUTH_BODY_LIMIT, "enable a user");
    http_route(s, "GET", "/api/v1/tokens", ROLE_ADMIN, h_tokens_list, 0, "list API tokens");
    http_route(s, "POST", "/api/v1/tokens", ROLE_ADMIN, h_tokens_create, AUTH_BODY_LIMIT,
               "create an API token (shown once)");
    http_route(s, "DELETE", "/api/v1/tokens/{id}", ROLE_ADMIN, h_tokens_delete, 0,
               "revoke an API token");
    http_route(s, "GET", "/api/v1/meta/routes", ROLES_ANY, h_meta_routes, 0,
               "the authorization table: every route and the roles allowed");
}

const nqi_module auth_module = {.name = "auth", .routes = auth_routes};
