/*
 * test_auth.c — core/auth: identifiers (usernames, GB 32100 credit codes),
 * argon2id passwords, users and tokens against a real SQLite file, and the
 * HTTP side (login, CSRF, bearer tokens, rate limit, admin API) against a
 * real server on 127.0.0.1:0 spoken to over a raw socket.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/app.h"
#include "core/audit.h"
#include "core/auth.h"
#include "core/json.h"
#include "core/util.h"
#include "fixture.h"

static test_db db;
static store *st;        /* db.st */
static store_conn *conn; /* db.c */
static nqi_app app;
static http_server *srv;
static int port;

static int64_t count(const char *sql)
{
    int64_t n = -1;
    nqi_error err = {0};
    assert_int_equal(store_query_int(conn, sql, NULL, 0, &n, &err), 0);
    return n;
}

/* ---- identifiers and passwords (no database) ---- */

static void test_credit_code(void **state)
{
    /* Check characters computed independently (weights 3^i mod 31). */
    assert_true(auth_credit_code_valid("91350100M000100Y43"));
    assert_true(auth_credit_code_valid("91110000802100433B"));
    assert_true(auth_credit_code_valid("91440300708461136T"));
    assert_false(auth_credit_code_valid("91350100M000100Y44")); /* wrong check character */
    assert_false(auth_credit_code_valid("91110000802100433C"));
    assert_false(auth_credit_code_valid("91110000802100433b")); /* lower case */
    assert_false(auth_credit_code_valid("91350100M000100Y4"));  /* 17 characters */
    assert_false(auth_credit_code_valid("91350100M000100Y433"));
    assert_false(auth_credit_code_valid("9135010OM000100Y43")); /* O is not in the alphabet */
    assert_false(auth_credit_code_valid("91AB0100M000100Y43")); /* region code must be digits */
    assert_false(auth_credit_code_valid(""));
    assert_false(auth_credit_code_valid(NULL));
}

static void test_username(void **state)
{
    assert_true(auth_username_valid("admin"));
    assert_true(auth_username_valid("li.ming-2_x"));
    assert_true(auth_username_valid("abc"));
    assert_true(auth_username_valid("a2345678901234567890123456789012")); /* 32 */
    assert_false(auth_username_valid("a23456789012345678901234567890123"));
    assert_false(auth_username_valid("ab"));
    assert_false(auth_username_valid("Admin"));
    assert_false(auth_username_valid("li ming"));
    assert_false(auth_username_valid("李明明"));
    assert_false(auth_username_valid(""));
}

static void test_password_hash(void **state)
{
    char h[AUTH_PWHASH_MAX];
    nqi_error err = {0};
    assert_int_equal(auth_password_hash("correct horse battery", h, &err), 0);
    assert_non_null(strstr(h, "$argon2id$"));
    assert_true(auth_password_verify(h, "correct horse battery"));
    assert_false(auth_password_verify(h, "correct horse batterY"));
    assert_false(auth_password_verify(h, ""));
    char pw[17];
    auth_random_password(pw, sizeof pw);
    assert_int_equal(strlen(pw), 16);
}

/* ---- users and tokens in the store ---- */

static void test_user_add(void **state)
{
    http_principal cli;
    auth_cli_principal(&cli);
    assert_string_equal(cli.username, "cli");
    assert_int_equal(cli.role, ROLE_ADMIN);
    nqi_error err = {0};
    int64_t id = 0;
    int64_t users0 = count("SELECT COUNT(*) FROM users");
    int64_t audit0 = count("SELECT COUNT(*) FROM audit_log");
    assert_int_equal(auth_user_add(conn, &cli, "zhang.wei", "a-long-password", ROLE_INSPECTOR,
                                   "张伟", NULL, &id, &err),
                     0);
    assert_true(id > 0);
    assert_int_equal(count("SELECT COUNT(*) FROM audit_log"), audit0 + 1);

    /* Duplicate: 409 on the username field, nothing written. */
    nqi_error_clear(&err);
    assert_int_equal(auth_user_add(conn, &cli, "zhang.wei", "another-password", ROLE_ADMIN, NULL,
                                   NULL, &id, &err),
                     NQI_ECONFLICT);
    assert_string_equal(err.fields[0].field, "username");

    /* Every invalid field is named. */
    nqi_error_clear(&err);
    assert_int_equal(auth_user_add(conn, &cli, "X", "short", 0, NULL, NULL, &id, &err),
                     NQI_EINVAL);
    assert_int_equal(err.nfields, 3);
    assert_string_equal(err.fields[0].field, "username");
    assert_string_equal(err.fields[1].field, "password");
    assert_string_equal(err.fields[2].field, "role");

    /* Enterprise users need a valid credit code. */
    nqi_error_clear(&err);
    assert_int_equal(auth_user_add(conn, &cli, "ent-a", "a-long-password", ROLE_ENTERPRISE, NULL,
                                   NULL, &id, &err),
                     NQI_EINVAL);
    assert_string_equal(err.fields[0].field, "credit_code");
    nqi_error_clear(&err);
    assert_int_equal(auth_user_add(conn, &cli, "ent-a", "a-long-password", ROLE_ENTERPRISE, NULL,
                                   "91350100M000100Y44", &id, &err),
                     NQI_EINVAL);
    nqi_error_clear(&err);
    assert_int_equal(auth_user_add(conn, &cli, "ent-a", "a-long-password", ROLE_ENTERPRISE,
                                   "某某有限公司", "91350100M000100Y43", &id, &err),
                     0);
    assert_int_equal(count("SELECT COUNT(*) FROM users"), users0 + 2);
    assert_int_equal(count("SELECT COUNT(*) FROM audit_log"), audit0 + 2);

    /* A failure inside the caller's transaction leaves that transaction
     * to roll back everything. */
    assert_int_equal(store_begin(conn, true, &err), 0);
    assert_int_equal(auth_user_add(conn, &cli, "tx.user", "a-long-password", ROLE_REGULATOR,
                                   NULL, NULL, &id, &err),
                     0);
    store_rollback(conn);
    assert_int_equal(count("SELECT COUNT(*) FROM users WHERE username = 'tx.user'"), 0);

    /* Password change: verify the new hash, old one fails. */
    nqi_error_clear(&err);
    assert_int_equal(auth_user_passwd(conn, &cli, "zhang.wei", "a-new-password!", &err), 0);
    char *hash = NULL;
    assert_int_equal(store_query_text(conn, "SELECT password_hash FROM users WHERE username = "
                                            "'zhang.wei'",
                                      NULL, 0, &hash, &err),
                     0);
    assert_true(auth_password_verify(hash, "a-new-password!"));
    assert_false(auth_password_verify(hash, "a-long-password"));
    free(hash);
    assert_int_equal(auth_user_passwd(conn, &cli, "nobody", "a-new-password!", &err),
                     NQI_ENOTFOUND);
    nqi_error_clear(&err);
    assert_int_equal(auth_user_passwd(conn, &cli, "zhang.wei", "short", &err), NQI_EINVAL);

    int64_t checked = 0;
    nqi_error_clear(&err);
    assert_int_equal(audit_verify(conn, &checked, &err), 0);
    assert_int_equal(checked, count("SELECT COUNT(*) FROM audit_log"));
    assert_int_equal(checked, 3);
}

static void test_token(void **state)
{
    http_principal cli;
    auth_cli_principal(&cli);
    nqi_error err = {0};
    int64_t id = 0;
    char *token = NULL;
    assert_int_equal(auth_token_add(conn, &cli, "lab-sync", ROLE_INSPECTOR, NULL, &id, &token,
                                    &err),
                     0);
    assert_non_null(token);
    assert_int_equal(strlen(token), 68);
    assert_memory_equal(token, "nqi_", 4);
    /* Only the hash is stored. */
    char hash[65], q[200];
    auth_sha256_hex(token, strlen(token), hash);
    snprintf(q, sizeof q, "SELECT COUNT(*) FROM api_tokens WHERE token_hash = '%s'", hash);
    assert_int_equal(count(q), 1);
    snprintf(q, sizeof q, "SELECT COUNT(*) FROM api_tokens WHERE token_hash = '%s'", token);
    assert_int_equal(count(q), 0);
    free(token);

    /* Enterprise tokens are bound to a credit code; public tokens make no sense. */
    nqi_error_clear(&err);
    assert_int_equal(auth_token_add(conn, &cli, "ent", ROLE_ENTERPRISE, NULL, &id, &token, &err),
                     NQI_EINVAL);
    assert_string_equal(err.fields[0].field, "owner_org");
    nqi_error_clear(&err);
    assert_int_equal(auth_token_add(conn, &cli, "pub", ROLE_PUBLIC, NULL, &id, &token, &err),
                     NQI_EINVAL);
    nqi_error_clear(&err);
    assert_int_equal(auth_token_add(conn, &cli, "", ROLE_ADMIN, NULL, &id, &token, &err),
                     NQI_EINVAL);

    /* Revoke: once writes, twice is a no-op, unknown is 404. */
    int64_t rid;
    nqi_error_clear(&err);
    assert_int_equal(auth_token_add(conn, &cli, "tmp", ROLE_ADMIN, NULL, &rid, &token, &err), 0);
    free(token);
    int64_t audit0 = count("SELECT COUNT(*) FROM audit_log");
    assert_int_equal(auth_token_revoke(conn, &cli, rid, &err), 0);
    assert_int_equal(auth_token_revoke(conn, &cli, rid, &err), 0);
    assert_int_equal(count("SELECT COUNT(*) FROM audit_log"), audit0 + 1);
    assert_int_equal(auth_token_revoke(conn, &cli, 999999, &err), NQI_ENOTFOUND);
}

/* ---- HTTP: a tiny raw-socket client ---- */

typedef struct resp {
    int status;
    char head[8192];
    char body[65536];
    json_t *json;
} resp;

static const char *hdr(const resp *r, const char *name, char *out, size_t n)
{
    return test_http_header(r->head, name, out, n);
}

/* One request per connection: method, path, extra headers, JSON body. */
static void call(resp *r, const char *method, const char *path, const char *headers,
                 const char *body)
{
    int fd = test_http_connect(port, 10);
    char *raw = xasprintf("%s %s HTTP/1.1\r\nHost: t\r\nConnection: close\r\n%s%s"
                          "Content-Length: %zu\r\n\r\n%s",
                          method, path, headers ? headers : "",
                          body ? "Content-Type: application/json\r\n" : "",
                          body ? strlen(body) : 0, body ? body : "");
    assert_int_equal(send(fd, raw, strlen(raw), MSG_NOSIGNAL), (ssize_t)strlen(raw));
    free(raw);
    char all[sizeof r->head + sizeof r->body];
    size_t n = 0;
    ssize_t k;
    while (n < sizeof all - 1 && (k = recv(fd, all + n, sizeof all - 1 - n, 0)) > 0)
        n += (size_t)k;
    all[n] = 0;
    close(fd);
    memset(r->head, 0, sizeof r->head);
    const char *sep = strstr(all, "\r\n\r\n");
    assert_non_null(sep);
    memcpy(r->head, all, (size_t)(sep - all) + 2);
    snprintf(r->body, sizeof r->body, "%s", sep + 4);
    sscanf(r->head, "HTTP/1.%*d %d", &r->status);
    r->json = r->body[0] ? json_loads(r->body, 0, NULL) : NULL;
}

static void done(resp *r)
{
    json_decref(r->json);
    r->json = NULL;
}

static const char *jstr(const resp *r, const char *key)
{
    return json_string_value(json_object_get(r->json, key));
}

/* Sign in; fills the Cookie header line and the X-CSRF-Token line. */
static void login(const char *user, const char *pw, char *cookie, size_t cn, char *csrf, size_t xn)
{
    resp r;
    char body[256], sc[160];
    snprintf(body, sizeof body, "{\"username\":\"%s\",\"password\":\"%s\"}", user, pw);
    call(&r, "POST", "/api/v1/auth/login", NULL, body);
    assert_int_equal(r.status, 200);
    assert_non_null(hdr(&r, "Set-Cookie", sc, sizeof sc));
    assert_non_null(strstr(sc, "; HttpOnly; SameSite=Strict; Path=/; Max-Age=43200"));
    *strchr(sc, ';') = 0;
    snprintf(cookie, cn, "Cookie: %s\r\n", sc);
    snprintf(csrf, xn, "X-CSRF-Token: %s\r\n", jstr(&r, "csrf_token"));
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(r.json, "user"), "username")), user);
    done(&r);
}

static void test_http_login_csrf(void **state)
{
    http_principal cli;
    auth_cli_principal(&cli);
    nqi_error err = {0};
    int64_t id;
    assert_int_equal(auth_user_add(conn, &cli, "root.admin", "root-password-1", ROLE_ADMIN, NULL,
                                   NULL, &id, &err),
                     0);
    char cookie[200], csrf[120], both[400];
    login("root.admin", "root-password-1", cookie, sizeof cookie, csrf, sizeof csrf);
    snprintf(both, sizeof both, "%s%s", cookie, csrf);

    resp r;
    call(&r, "GET", "/api/v1/auth/me", cookie, NULL);
    assert_int_equal(r.status, 200);
    assert_int_equal(strlen(jstr(&r, "csrf_token")), 64);
    assert_memory_equal(jstr(&r, "csrf_token"), csrf + strlen("X-CSRF-Token: "), 64);
    done(&r);
    call(&r, "GET", "/api/v1/auth/me", NULL, NULL);
    assert_int_equal(r.status, 401);
    done(&r);

    /* A cookie-authenticated write needs the CSRF header. */
    const char *nu = "{\"username\":\"wang.fang\",\"password\":\"wang-password\","
                     "\"role\":\"regulator\",\"display_name\":\"王芳\"}";
    call(&r, "POST", "/api/v1/users", cookie, nu);
    assert_int_equal(r.status, 403);
    assert_non_null(strstr(jstr(&r, "detail"), "CSRF"));
    done(&r);
    char wrong[300];
    snprintf(wrong, sizeof wrong, "%sX-CSRF-Token: %064d\r\n", cookie, 0);
    call(&r, "POST", "/api/v1/users", wrong, nu);
    assert_int_equal(r.status, 403);
    done(&r);
    call(&r, "POST", "/api/v1/users", both, nu);
    assert_int_equal(r.status, 201);
    assert_string_equal(jstr(&r, "display_name"), "王芳");
    int64_t wang = json_integer_value(json_object_get(r.json, "id"));
    done(&r);
    call(&r, "POST", "/api/v1/users", both, nu);
    assert_int_equal(r.status, 409);
    done(&r);
    call(&r, "POST", "/api/v1/users", both,
         "{\"username\":\"B\",\"password\":\"short\",\"role\":\"god\",\"extra\":1}");
    assert_int_equal(r.status, 422);
    assert_true(json_array_size(json_object_get(r.json, "errors")) >= 1);
    done(&r);

    /* Unknown fields in login are rejected; wrong passwords are 401. */
    call(&r, "POST", "/api/v1/auth/login", NULL,
         "{\"username\":\"wang.fang\",\"password\":\"wang-password\",\"remember\":true}");
    assert_int_equal(r.status, 422);
    done(&r);
    call(&r, "POST", "/api/v1/auth/login", NULL,
         "{\"username\":\"wang.fang\",\"password\":\"not-her-password\"}");
    assert_int_equal(r.status, 401);
    char msg1[200];
    snprintf(msg1, sizeof msg1, "%s", jstr(&r, "detail"));
    done(&r);
    call(&r, "POST", "/api/v1/auth/login", NULL,
         "{\"username\":\"no.such.user\",\"password\":\"whatever-password\"}");
    assert_int_equal(r.status, 401);
    assert_string_equal(jstr(&r, "detail"), msg1); /* same message for both */
    done(&r);

    /* Users list with filter and paging. */
    call(&r, "GET", "/api/v1/users?q=wang&role=regulator", cookie, NULL);
    assert_int_equal(r.status, 200);
    assert_int_equal(json_array_size(json_object_get(r.json, "items")), 1);
    done(&r);
    call(&r, "GET", "/api/v1/users?limit=1", cookie, NULL);
    assert_int_equal(r.status, 200);
    assert_int_equal(json_array_size(json_object_get(r.json, "items")), 1);
    assert_non_null(jstr(&r, "next_cursor"));
    done(&r);
    call(&r, "GET", "/api/v1/users?limit=501", cookie, NULL);
    assert_int_equal(r.status, 422);
    done(&r);

    /* Disabling kills the user's sessions. */
    char wc[200], wx[120], wboth[400], path[64];
    login("wang.fang", "wang-password", wc, sizeof wc, wx, sizeof wx);
    snprintf(wboth, sizeof wboth, "%s%s", wc, wx);
    call(&r, "GET", "/api/v1/audit?limit=1", wc, NULL); /* regulator may read the audit log */
    assert_int_equal(r.status, 200);
    done(&r);
    call(&r, "GET", "/api/v1/users", wc, NULL);
    assert_int_equal(r.status, 403);
    done(&r);
    snprintf(path, sizeof path, "/api/v1/users/%lld/disable", (long long)wang);
    call(&r, "POST", path, both, NULL);
    assert_int_equal(r.status, 204);
    done(&r);
    call(&r, "GET", "/api/v1/auth/me", wc, NULL);
    assert_int_equal(r.status, 401);
    done(&r);
    snprintf(path, sizeof path, "/api/v1/users/%lld/enable", (long long)wang);
    call(&r, "POST", path, both, NULL);
    assert_int_equal(r.status, 204);
    done(&r);
    snprintf(path, sizeof path, "/api/v1/users/%lld/password", (long long)wang);
    call(&r, "POST", path, both, "{\"password\":\"wang-password-2\"}");
    assert_int_equal(r.status, 204);
    done(&r);
    login("wang.fang", "wang-password-2", wc, sizeof wc, wx, sizeof wx);
    call(&r, "POST", "/api/v1/users/999999/disable", both, NULL);
    assert_int_equal(r.status, 404);
    done(&r);

    /* Logout clears the cookie and ends the session. */
    call(&r, "POST", "/api/v1/auth/logout", both, NULL);
    assert_int_equal(r.status, 204);
    char sc[200];
    assert_non_null(hdr(&r, "Set-Cookie", sc, sizeof sc));
    assert_non_null(strstr(sc, "Max-Age=0"));
    done(&r);
    call(&r, "GET", "/api/v1/auth/me", cookie, NULL);
    assert_int_equal(r.status, 401);
    done(&r);
}

static void test_http_tokens(void **state)
{
    char cookie[200], csrf[120], both[400], bearer[200], path[64];
    login("root.admin", "root-password-1", cookie, sizeof cookie, csrf, sizeof csrf);
    snprintf(both, sizeof both, "%s%s", cookie, csrf);
    resp r;
    call(&r, "POST", "/api/v1/tokens", both, "{\"name\":\"sync\",\"role\":\"regulator\"}");
    assert_int_equal(r.status, 201);
    const char *tok = jstr(&r, "token");
    assert_non_null(tok);
    snprintf(bearer, sizeof bearer, "Authorization: Bearer %s\r\n", tok);
    int64_t tid = json_integer_value(json_object_get(r.json, "id"));
    done(&r);

    /* A bearer write needs no CSRF header. */
    call(&r, "GET", "/api/v1/audit?limit=2", bearer, NULL);
    assert_int_equal(r.status, 200);
    assert_int_equal(json_array_size(json_object_get(r.json, "items")), 2);
    done(&r);
    call(&r, "GET", "/api/v1/auth/me", bearer, NULL);
    assert_int_equal(r.status, 200);
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(r.json, "user"), "role")), "regulator");
    done(&r);
    call(&r, "GET", "/api/v1/tokens", bearer, NULL);
    assert_int_equal(r.status, 403);
    done(&r);
    call(&r, "GET", "/api/v1/log/head", "Authorization: Bearer nqi_nope\r\n", NULL);
    assert_int_equal(r.status, 401);
    done(&r);
    call(&r, "GET", "/api/v1/log/head",
         "Authorization: Bearer "
         "nqi_0000000000000000000000000000000000000000000000000000000000000000\r\n",
         NULL);
    assert_int_equal(r.status, 401);
    done(&r);
    call(&r, "GET", "/api/v1/tokens", cookie, NULL);
    assert_int_equal(r.status, 200);
    assert_true(json_array_size(json_object_get(r.json, "items")) >= 1);
    done(&r);
    snprintf(path, sizeof path, "/api/v1/tokens/%lld", (long long)tid);
    call(&r, "DELETE", path, both, NULL);
    assert_int_equal(r.status, 204);
    done(&r);
    call(&r, "GET", "/api/v1/audit?limit=2", bearer, NULL);
    assert_int_equal(r.status, 401);
    done(&r);

    /* The authorization table lists every route with its roles. */
    call(&r, "GET", "/api/v1/meta/routes", NULL, NULL);
    assert_int_equal(r.status, 200);
    json_t *items = json_object_get(r.json, "items");
    bool found = false;
    for (size_t i = 0; i < json_array_size(items); i++) {
        json_t *it = json_array_get(items, i);
        if (!strcmp(json_string_value(json_object_get(it, "path")), "/api/v1/tokens/{id}")) {
            found = true;
            assert_int_equal(json_array_size(json_object_get(it, "roles")), 1);
        }
    }
    assert_true(found);
    done(&r);
}

static void test_http_rate_limit(void **state)
{
    resp r;
    const char *bad = "{\"username\":\"root.admin\",\"password\":\"wrong-password-x\"}";
    for (int i = 0; i < AUTH_LOGIN_MAX_USER; i++) {
        call(&r, "POST", "/api/v1/auth/login", NULL, bad);
        assert_int_equal(r.status, 401);
        done(&r);
    }
    call(&r, "POST", "/api/v1/auth/login", NULL, bad);
    assert_int_equal(r.status, 429);
    char ra[16];
    assert_non_null(hdr(&r, "Retry-After", ra, sizeof ra));
    assert_true(atoi(ra) > 0 && atoi(ra) <= 900);
    done(&r);
    /* Even the right password waits: the limit is checked first. */
    call(&r, "POST", "/api/v1/auth/login", NULL,
         "{\"username\":\"root.admin\",\"password\":\"root-password-1\"}");
    assert_int_equal(r.status, 429);
    done(&r);
    /* Rows live in the store: moving them out of the window lifts it. */
    nqi_error err = {0};
    assert_int_equal(store_exec(conn, "UPDATE login_attempts SET at = at - 900001", NULL, 0, NULL,
                                &err),
                     0);
    call(&r, "POST", "/api/v1/auth/login", NULL,
         "{\"username\":\"root.admin\",\"password\":\"root-password-1\"}");
    assert_int_equal(r.status, 200);
    done(&r);
}

/* Token principals: "token:<id>:<name>" cut at a character boundary, so a
 * long Chinese name never puts invalid UTF-8 into audit rows. */
static void test_token_actor(void **state)
{
    char name[128] = "a", out[64];
    for (int i = 0; i < 30; i++)
        strcat(name, "质");
    auth_token_actor(out, sizeof out, 42, name);
    assert_true(utf8_valid(out, strlen(out)));
    assert_memory_equal(out, "token:42:a质", strlen("token:42:a质"));
    assert_true(strlen(out) <= 63 && strlen(out) >= 60);
    json_t *j = json_string(out); /* what audit rows and /auth/me need */
    assert_non_null(j);
    json_decref(j);
    auth_token_actor(out, sizeof out, 7, "lab-sync");
    assert_string_equal(out, "token:7:lab-sync");
    /* the helper itself */
    char s[16] = "ab质c";
    assert_int_equal(utf8_truncate(s, 4), 2); /* 质 is 3 bytes: dropped whole */
    assert_string_equal(s, "ab");
    char t[16] = "ab质c";
    assert_int_equal(utf8_truncate(t, 5), 5);
    assert_string_equal(t, "ab质");
}

/* Names the audit log uses for non-users are refused; "admin" is not. */
static void test_reserved_usernames(void **state)
{
    http_principal cli;
    auth_cli_principal(&cli);
    static const char *const bad[] = {"cli", "anonymous", "system", "token"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        nqi_error err = {0};
        int64_t id;
        assert_int_equal(auth_user_add(conn, &cli, bad[i], "long-enough-pw", ROLE_INSPECTOR,
                                       NULL, NULL, &id, &err),
                         NQI_EINVAL);
        assert_string_equal(err.fields[0].field, "username");
    }
    nqi_error err = {0};
    int64_t id;
    assert_int_equal(auth_user_add(conn, &cli, "admin", "long-enough-pw", ROLE_ADMIN, NULL, NULL,
                                   &id, &err),
                     0);
}

/* Nobody can disable themselves or the last enabled admin (409). */
static void test_keep_an_admin(void **state)
{
    http_principal cli;
    auth_cli_principal(&cli);
    nqi_error err = {0};
    int64_t a, b, insp;
    assert_int_equal(auth_user_add(conn, &cli, "keeper.a", "long-enough-pw", ROLE_ADMIN, NULL,
                                   NULL, &a, &err),
                     0);
    assert_int_equal(auth_user_add(conn, &cli, "keeper.b", "long-enough-pw", ROLE_ADMIN, NULL,
                                   NULL, &b, &err),
                     0);
    assert_int_equal(auth_user_add(conn, &cli, "keeper.i", "long-enough-pw", ROLE_INSPECTOR, NULL,
                                   NULL, &insp, &err),
                     0);
    http_principal self = {.user_id = a, .role = ROLE_ADMIN};
    snprintf(self.username, sizeof self.username, "keeper.a");
    assert_int_equal(auth_user_set_disabled(conn, &self, a, true, &err), NQI_ECONFLICT);
    /* leave a and b as the only enabled admins */
    char *sql = xasprintf("UPDATE users SET disabled = 1 WHERE role = 'admin' AND id NOT IN "
                          "(%lld, %lld)", (long long)a, (long long)b);
    assert_int_equal(store_exec(conn, sql, NULL, 0, NULL, &err), 0);
    free(sql);
    nqi_error_clear(&err);
    assert_int_equal(auth_user_set_disabled(conn, &self, b, true, &err), 0);
    assert_int_equal(auth_user_set_disabled(conn, &cli, a, true, &err), NQI_ECONFLICT);
    assert_non_null(strstr(err.message, "last enabled admin"));
    nqi_error_clear(&err);
    assert_int_equal(auth_user_set_disabled(conn, &cli, insp, true, &err), 0); /* not an admin */
    assert_int_equal(auth_user_set_disabled(conn, &cli, b, false, &err), 0);
    assert_int_equal(auth_user_set_disabled(conn, &cli, a, true, &err), 0);
    assert_int_equal(store_exec(conn, "UPDATE users SET disabled = 0 WHERE role = 'admin'", NULL,
                                0, NULL, &err),
                     0);
}

/* The limit is per (username, client address) — 5 — and per address — 20. */
static void test_login_limit_keys(void **state)
{
    http_principal cli;
    auth_cli_principal(&cli);
    nqi_error err = {0};
    int64_t id;
    auth_session s;
    assert_int_equal(auth_user_add(conn, &cli, "pair.user", "right-password-1", ROLE_INSPECTOR,
                                   NULL, NULL, &id, &err),
                     0);
    for (int i = 0; i < AUTH_LOGIN_MAX_USER; i++) {
        nqi_error_clear(&err);
        assert_int_equal(auth_login(conn, "pair.user", "wrong-password", "198.51.100.1", &s, &err),
                         NQI_EAUTH);
    }
    nqi_error_clear(&err);
    assert_int_equal(auth_login(conn, "pair.user", "right-password-1", "198.51.100.1", &s, &err),
                     NQI_ERATE);
    /* the user is not locked out from elsewhere */
    nqi_error_clear(&err);
    assert_int_equal(auth_login(conn, "pair.user", "right-password-1", "198.51.100.2", &s, &err),
                     0);
    /* one address, many usernames: 20 failures in all */
    int refused_at = -1;
    for (int i = 0; i < AUTH_LOGIN_MAX_IP + 2 && refused_at < 0; i++) {
        char u[32];
        snprintf(u, sizeof u, "ghost%d", i);
        nqi_error_clear(&err);
        int rc = auth_login(conn, u, "wrong-password", "198.51.100.9", &s, &err);
        if (rc == NQI_ERATE)
            refused_at = i;
        else
            assert_int_equal(rc, NQI_EAUTH);
    }
    assert_int_equal(refused_at, AUTH_LOGIN_MAX_IP);
    assert_int_equal(store_exec(conn, "DELETE FROM login_attempts", NULL, 0, NULL, &err), 0);
}

/* ---- fixture ---- */

static int setup(void **state)
{
    setenv("NQI_PWHASH_FAST", "1", 1);
    test_db_open(&db, "auth");
    st = db.st;
    conn = db.c;
    nqi_error err = {0};
    http_config cfg = {.host = "127.0.0.1", .port = 0, .threads = 2, .conn_limit = 32,
                       .conn_timeout_s = 10, .body_limit = 65536};
    app.st = st;
    srv = http_server_new(&cfg, st, &app);
    app.http = srv;
    http_set_auth(srv, auth_authenticate);
    auth_module.routes(srv);
    audit_module.routes(srv);
    if (http_server_start(srv, &err))
        fail_msg("start: %s", err.message);
    port = http_server_port(srv);
    return 0;
}

static int teardown(void **state)
{
    http_server_stop(srv);
    test_db_close(&db);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_credit_code),     cmocka_unit_test(test_username),
        cmocka_unit_test(test_password_hash),   cmocka_unit_test(test_user_add),
        cmocka_unit_test(test_token),           cmocka_unit_test(test_http_login_csrf),
        cmocka_unit_test(test_http_tokens),     cmocka_unit_test(test_http_rate_limit),
        cmocka_unit_test(test_token_actor),     cmocka_unit_test(test_reserved_usernames),
        cmocka_unit_test(test_keep_an_admin),   cmocka_unit_test(test_login_limit_keys),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
