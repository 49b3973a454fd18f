/*
 * auth.c — roles, identifiers (usernames, credit codes), password hashing,
 * users, API tokens, browser sessions with the login rate limit, and the
 * http_auth_fn that resolves a request's principal. HTTP handlers live in
 * auth_http.c. See docs/modules/auth.md.
 *
 * Secrets never reach the store in clear: passwords as argon2id strings,
 * session ids and bearer tokens as SHA-256 hex. The server keeps no state
 * outside the store: the rate limit counts rows of login_attempts.
 */
#define _GNU_SOURCE
#include "core/auth.h"

#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/audit.h"
#include "core/json.h"
#include "core/util.h"

#define TOKEN_PREFIX "nqi_"
#define TOKEN_RANDOM_BYTES 32
#define TOKEN_TOUCH_MS 60000 /* last_used_at is updated at most once a minute */

/* ---- roles ----
 * role_name / role_from_name (declared in http.h) are defined once, in
 * http_router.c, next to the route table that prints them. */

/* Users and tokens carry one of the four signed-in roles. */
static bool role_assignable(int role)
{
    return role == ROLE_ENTERPRISE || role == ROLE_INSPECTOR || role == ROLE_REGULATOR ||
           role == ROLE_ADMIN;
}

/* ---- identifiers ---- */

bool auth_username_valid(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    if (n < 3 || n > 32)
        return false;
    for (size_t i = 0; i < n; i++) {
        char ch = s[i];
        if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_' || ch == '.' ||
              ch == '-'))
            return false;
    }
    return true;
}

/* GB 32100-2015: 17 characters weighted 3^i mod 31, check = 31 - sum mod 31
 * (31 -> 0), all over a 31-character alphabet without I, O, S, V, Z. */
bool auth_credit_code_valid(const char *code)
{
    static const char charset[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";
    static const int weights[17] = {1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28};
    if (!code || strlen(code) != 18)
        return false;
    int sum = 0, val[18];
    for (int i = 0; i < 18; i++) {
        const char *p = code[i] ? strchr(charset, code[i]) : NULL;
        if (!p)
            return false;
        val[i] = (int)(p - charset);
        if (i >= 2 && i <= 7 && val[i] > 9) /* administrative division code */
            return false;
        if (i < 17)
            sum += val[i] * weights[i];
    }
    int check = 31 - sum % 31;
    if (check == 31)
        check = 0;
    return val[17] == check;
}

/* ---- crypto helpers ---- */

static int crypto_ready(nqi_error *err)
{
    if (sodium_init() < 0)
        return nqi_error_set(err, NQI_EINTERNAL, "libsodium failed to initialise");
    return 0;
}

void auth_sha256_hex(const char *s, size_t n, char out[65])
{
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(h, (const unsigned char *)s, n);
    hex_encode(h, sizeof h, out);
}

static void random_hex(char *out, size_t nbytes)
{
    unsigned char b[64];
    randombytes_buf(b, nbytes);
    hex_encode(b, nbytes, out);
}

void auth_random_password(char *out, size_t n)
{
    /* No look-alikes (0/O, 1/l/I) so a printed password can be typed. */
    static const char alphabet[] = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    if (sodium_init() < 0)
        abort();
    if (!n)
        return;
    for (size_t i = 0; i + 1 < n; i++)
        out[i] = alphabet[randombytes_uniform(sizeof alphabet - 1)];
    out[n - 1] = 0;
}

static void pwhash_limits(unsigned long long *ops, size_t *mem)
{
    const char *fast = getenv("NQI_PWHASH_FAST");
    if (fast && !strcmp(fast, "1")) {
        *ops = crypto_pwhash_OPSLIMIT_MIN;
        *mem = crypto_pwhash_MEMLIMIT_MIN;
    } else {
        *ops = crypto_pwhash_OPSLIMIT_INTERACTIVE;
        *mem = crypto_pwhash_MEMLIMIT_INTERACTIVE;
    }
}

int auth_password_hash(const char *password, char out[AUTH_PWHASH_MAX], nqi_error *err)
{
    unsigned long long ops;
    size_t mem;
    if (crypto_ready(err))
        return err ? err->code : NQI_EINTERNAL;
    pwhash_limits(&ops, &mem);
    if (crypto_pwhash_str(out, password, strlen(password), ops, mem) != 0)
        return nqi_error_set(err, NQI_EINTERNAL, "password hashing failed (out of memory?)");
    return 0;
}

bool auth_password_verify(const char *hash, const char *password)
{
    if (!hash || !password || sodium_init() < 0)
        return false;
    return crypto_pwhash_str_verify(hash, password, strlen(password)) == 0;
}

/* A hash of a random password, verified against for unknown usernames so
 * that "no such user" costs as much time as "wrong password". */
static char dummy_hash[AUTH_PWHASH_MAX];
static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;

static void dummy_init(void)
{
    char pw[24];
    auth_random_password(pw, sizeof pw);
    if (auth_password_hash(pw, dummy_hash, NULL))
        dummy_hash[0] = 0;
}

/* ---- users ---- */

static int check_password(const char *password, const char *field, nqi_error *err)
{
    if (!password || !*password)
        return nqi_error_field(err, NQI_EINVAL, field, "required");
    if (utf8_count(password) < AUTH_PASSWORD_MIN)
        return nqi_error_field(err, NQI_EINVAL, field, "must be at least %d characters",
                               AUTH_PASSWORD_MIN);
    if (strlen(password) > 1024)
        return nqi_error_field(err, NQI_EINVAL, field, "too long");
    return 0;
}

static const char sql_user_by_id[] =
    "SELECT id, username, role, display_name, credit_code, disabled, created_at, updated_at "
    "FROM users WHERE id = ?";

static json_t *user_row_json(store_rows *rows)
{
    char t1[32], t2[32];
    const char *cc = store_text(rows, 4);
    return json_pack("{s:I, s:s, s:s, s:s?, s:s?, s:b, s:s, s:s}", "id",
                     (json_int_t)store_int(rows, 0), "username", store_text(rows, 1), "role",
                     store_text(rows, 2), "display_name", store_text(rows, 3), "credit_code",
                     cc && *cc ? cc : NULL, "disabled", store_int(rows, 5) != 0, "created_at",
                     time_iso8601(store_int(rows, 6), t1, sizeof t1), "updated_at",
                     time_iso8601(store_int(rows, 7), t2, sizeof t2));
}

int auth_user_get(store_conn *c, int64_t id, json_t **out, nqi_error *err)
{
    store_rows *rows = NULL;
    store_val p[] = {SV_INT(id)};
    int rc = store_query(c, sql_user_by_id, p, 1, &rows, err);
    if (rc)
        return rc;
    rc = store_next(rows);
    if (rc == 1) {
        *out = user_row_json(rows);
        rc = 0;
    } else if (rc == 0) {
        rc = nqi_error_set(err, NQI_ENOTFOUND, "user %lld not found", (long long)id);
    } else {
        rc = nqi_error_set(err, NQI_EDB, "reading user %lld failed", (long long)id);
    }
    store_rows_close(rows);
    return rc;
}

/* Names the audit log uses for principals that are not users: a user
 * called "cli" would be indistinguishable from the command line there.
 * ("admin" stays allowed: it is the first administrator's real name.) */
static bool username_reserved(const char *s)
{
    static const char *const reserved[] = {"cli", "anonymous", "system", "token", "root",
                                           "nqi", NULL};
    for (int i = 0; reserved[i]; i++)
        if (!strcmp(s, reserved[i]))
            return true;
    return false;
}

static int user_validate(const char *username, const char *password, int role,
                         const char *display_name, const char *credit_code, nqi_error *err)
{
    if (!username || !*username)
        nqi_error_field(err, NQI_EINVAL, "username", "required");
    else if (!auth_username_valid(username))
        nqi_error_field(err, NQI_EINVAL, "username",
                        "3 to 32 characters from a-z, 0-9, '_', '.', '-'");
    else if (username_reserved(username))
        nqi_error_field(err, NQI_EINVAL, "username", "'%s' is reserved", username);
    check_password(password, "password", err);
    if (!role_assignable(role))
        nqi_error_field(err, NQI_EINVAL, "role",
                        "must be one of enterprise, inspector, regulator, admin");
    if (display_name && utf8_count(display_name) > 100)
        nqi_error_field(err, NQI_EINVAL, "display_name", "at most 100 characters");
    if (role == ROLE_ENTERPRISE && (!credit_code || !*credit_code))
        nqi_error_field(err, NQI_EINVAL, "credit_code",
                        "required for enterprise users (unified social credit code)");
    else if (credit_code && *credit_code && !auth_credit_code_valid(credit_code))
        nqi_error_field(err, NQI_EINVAL, "credit_code",
                        "not a valid unified social credit code (18 characters, GB 32100 check "
                        "character)");
    return err && err->code ? err->code : 0;
}

static int user_add_tx(store_conn *c, const http_principal *actor, const char *username,
                       const char *password, int role, const char *display_name,
                       const char *credit_code, int64_t *out_id, nqi_error *err)
{
    static const char sql_exists[] = "SELECT id FROM users WHERE username = ?";
    static const char sql_insert[] =
        "INSERT INTO users (username, display_name, role, password_hash, credit_code, "
        "disabled, created_at, updated_at) VALUES (?, ?, ?, ?, ?, 0, ?, ?) RETURNING id";
    int64_t id = 0, now = now_ms();
    char hash[AUTH_PWHASH_MAX];
    store_val q[] = {SV_TEXT(username)};
    int rc = store_query_int(c, sql_exists, q, 1, &id, err);
    if (rc == 0)
        return nqi_error_field(err, NQI_ECONFLICT, "username", "user '%s' already exists",
                               username);
    if (rc != NQI_ENOTFOUND)
        return rc;
    nqi_error_clear(err);
    rc = auth_password_hash(password, hash, err);
    if (rc)
        return rc;
    const char *cc = credit_code && *credit_code ? credit_code : NULL;
    store_val p[] = {SV_TEXT(username), SV_TEXT(display_name ? display_name : username),
                     SV_TEXT(role_name(role)), SV_TEXT(hash), SV_TEXT(cc), SV_INT(now),
                     SV_INT(now)};
    rc = store_query_int(c, sql_insert, p, 7, &id, err);
    sodium_memzero(hash, sizeof hash);
    if (rc)
        return rc;
    json_t *after = NULL;
    char idbuf[24];
    rc = auth_user_get(c, id, &after, err);
    if (!rc) {
        snprintf(idbuf, sizeof idbuf, "%lld", (long long)id);
        rc = audit_record(c, actor, "user.create", "user", idbuf, NULL, after, err);
    }
    json_decref(after);
    if (!rc && out_id)
        *out_id = id;
    return rc;
}

int auth_user_add(store_conn *c, const http_principal *actor, const char *username,
                  const char *password, int role, const char *display_name,
                  const char *credit_code, int64_t *out_id, nqi_error *err)
{
    bool own;
    int rc = user_validate(username, password, role, display_name, credit_code, err);
    if (rc)
        return rc;
    rc = store_tx_begin(c, &own, err);
    if (rc)
        return rc;
    rc = user_add_tx(c, actor, username, password, role, display_name, credit_code, out_id, err);
    return store_tx_end(c, own, rc, err);
}

static int user_passwd_tx(store_conn *c, const http_principal *actor, int64_t id,
                          const char *password, nqi_error *err)
{
    static const char sql_upd[] = "UPDATE users SET password_hash = ?, updated_at = ? WHERE id = ?";
    static const char sql_kill[] = "DELETE FROM sessions WHERE user_id = ?";
    json_t *user = NULL;
    char hash[AUTH_PWHASH_MAX], idbuf[24];
    int rc = auth_user_get(c, id, &user, err);
    if (rc)
        return rc;
    rc = auth_password_hash(password, hash, err);
    if (!rc) {
        store_val p[] = {SV_TEXT(hash), SV_INT(now_ms()), SV_INT(id)};
        rc = store_exec(c, sql_upd, p, 3, NULL, err);
    }
    sodium_memzero(hash, sizeof hash);
    if (!rc) { /* a new password ends the user's other sessions */
        store_val p[] = {SV_INT(id)};
        rc = store_exec(c, sql_kill, p, 1, NULL, err);
    }
    if (!rc) {
        /* The hash itself is not audited: the record says that it changed. */
        json_t *after = json_pack("{s:I, s:O, s:b}", "id", (json_int_t)id, "username",
                                  json_object_get(user, "username"), "password_changed", 1);
        snprintf(idbuf, sizeof idbuf, "%lld", (long long)id);
        rc = audit_record(c, actor, "user.password", "user", idbuf, user, after, err);
        json_decref(after);
    }
    json_decref(user);
    return rc;
}

int auth_user_passwd_id(store_conn *c, const http_principal *actor, int64_t id,
                        const char *password, nqi_error *err)
{
    bool own;
    int rc = check_password(password, "password", err);
    if (rc)
        return rc;
    rc = store_tx_begin(c, &own, err);
    if (rc)
        return rc;
    rc = user_passwd_tx(c, actor, id, password, err);
    return store_tx_end(c, own, rc, err);
}

int auth_user_passwd(store_conn *c, const http_principal *actor, const char *username,
                     const char *password, nqi_error *err)
{
    static const char sql[] = "SELECT id FROM users WHERE username = ?";
    bool own;
    int64_t id;
    int rc = check_password(password, "password", err);
    if (rc)
        return rc;
    rc = store_tx_begin(c, &own, err);
    if (rc)
        return rc;
    store_val p[] = {SV_TEXT(username)};
    rc = store_query_int(c, sql, p, 1, &id, err);
    if (rc == NQI_ENOTFOUND) {
        nqi_error_clear(err);
        rc = nqi_error_set(err, NQI_ENOTFOUND, "user '%s' not found", username);
    }
    if (!rc)
        rc = user_passwd_tx(c, actor, id, password, err);
    return store_tx_end(c, own, rc, err);
}

/* Disabling yourself, or the last enabled admin, would lock everyone out of
 * the admin API (only the CLI could undo it): 409. The lock keeps two admins
 * disabling each other at once on PostgreSQL from both succeeding. */
static int admin_keep_one(store_conn *c, const http_principal *actor, int64_t id, nqi_error *err)
{
    static const char sql_target[] = "SELECT role, disabled FROM users WHERE id = ?";
    static const char sql_others[] =
        "SELECT COUNT(*) FROM users WHERE role = 'admin' AND disabled = 0 AND id <> ?";
    if (actor && actor->user_id && actor->user_id == id)
        return nqi_error_set(err, NQI_ECONFLICT, "you cannot disable your own account");
    int rc = store_tx_lock(c, "auth.admins", err);
    if (rc)
        return rc;
    store_rows *rows = NULL;
    store_val p[] = {SV_INT(id)};
    if ((rc = store_query(c, sql_target, p, 1, &rows, err)))
        return rc;
    bool enabled_admin = false;
    rc = store_next(rows);
    if (rc == 1)
        enabled_admin = store_text(rows, 0) && !strcmp(store_text(rows, 0), "admin") &&
                        store_int(rows, 1) == 0;
    rc = rc < 0 ? store_rows_error(rows, err) : 0;
    store_rows_close(rows);
    if (rc || !enabled_admin)
        return rc; /* a missing user is reported as 404 by the caller */
    int64_t others = 0;
    if ((rc = store_query_int(c, sql_others, p, 1, &others, err)))
        return rc;
    if (others == 0)
        return nqi_error_set(err, NQI_ECONFLICT,
                             "user %lld is the last enabled admin; enable or create another "
                             "admin first",
                             (long long)id);
    return 0;
}

static int user_disable_tx(store_conn *c, const http_principal *actor, int64_t id, bool disabled,
                           nqi_error *err)
{
    static const char sql_upd[] = "UPDATE users SET disabled = ?, updated_at = ? WHERE id = ?";
    static const char sql_kill[] = "DELETE FROM sessions WHERE user_id = ?";
    json_t *before = NULL, *after = NULL;
    char idbuf[24];
    int rc = disabled ? admin_keep_one(c, actor, id, err) : 0;
    if (!rc)
        rc = auth_user_get(c, id, &before, err);
    if (rc)
        return rc;
    store_val p[] = {SV_INT(disabled ? 1 : 0), SV_INT(now_ms()), SV_INT(id)};
    rc = store_exec(c, sql_upd, p, 3, NULL, err);
    if (!rc && disabled) {
        store_val k[] = {SV_INT(id)};
        rc = store_exec(c, sql_kill, k, 1, NULL, err);
    }
    if (!rc)
        rc = auth_user_get(c, id, &after, err);
    if (!rc) {
        snprintf(idbuf, sizeof idbuf, "%lld", (long long)id);
        rc = audit_record(c, actor, disabled ? "user.disable" : "user.enable", "user", idbuf,
                          before, after, err);
    }
    json_decref(before);
    json_decref(after);
    return rc;
}

int auth_user_set_disabled(store_conn *c, const http_principal *actor, int64_t id,
                           bool disabled, nqi_error *err)
{
    bool own;
    int rc = store_tx_begin(c, &own, err);
    if (rc)
        return rc;
    rc = user_disable_tx(c, actor, id, disabled, err);
    return store_tx_end(c, own, rc, err);
}

/* ---- API tokens ---- */

static int token_validate(const char *name, int role, const char *owner_org, nqi_error *err)
{
    if (!name || !*name)
        nqi_error_field(err, NQI_EINVAL, "name", "required");
    else if (utf8_count(name) > 100)
        nqi_error_field(err, NQI_EINVAL, "name", "at most 100 characters");
    if (!role_assignable(role))
        nqi_error_field(err, NQI_EINVAL, "role",
                        "must be one of enterprise, inspector, regulator, admin");
    if (owner_org && utf8_count(owner_org) > 100)
        nqi_error_field(err, NQI_EINVAL, "owner_org", "at most 100 characters");
    /* An enterprise principal is bound to its credit code; a token for an
     * enterprise carries it in owner_org. */
    if (role == ROLE_ENTERPRISE && (!owner_org || !auth_credit_code_valid(owner_org)))
        nqi_error_field(err, NQI_EINVAL, "owner_org",
                        "enterprise tokens need the enterprise's unified social credit code");
    return err && err->code ? err->code : 0;
}

static int token_add_tx(store_conn *c, const http_principal *actor, const char *name, int role,
                        const char *owner_org, int64_t *out_id, char **out_token,
                        nqi_error *err)
{
    static const char sql[] =
        "INSERT INTO api_tokens (name, role, owner_org, token_hash, created_by, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?) RETURNING id";
    char token[sizeof TOKEN_PREFIX + 2 * TOKEN_RANDOM_BYTES], hash[65], idbuf[24];
    int64_t id;
    int rc = crypto_ready(err);
    if (rc)
        return rc;
    memcpy(token, TOKEN_PREFIX, sizeof TOKEN_PREFIX - 1);
    random_hex(token + sizeof TOKEN_PREFIX - 1, TOKEN_RANDOM_BYTES);
    auth_sha256_hex(token, strlen(token), hash);
    const char *org = owner_org && *owner_org ? owner_org : NULL;
    store_val p[] = {SV_TEXT(name), SV_TEXT(role_name(role)), SV_TEXT(org),
                     SV_TEXT(hash),  SV_INT(actor ? actor->user_id : 0), SV_INT(now_ms())};
    rc = store_query_int(c, sql, p, 6, &id, err);
    if (rc)
        return rc;
    json_t *after = json_pack("{s:I, s:s, s:s, s:s?}", "id", (json_int_t)id, "name", name,
                              "role", role_name(role), "owner_org", org);
    snprintf(idbuf, sizeof idbuf, "%lld", (long long)id);
    rc = audit_record(c, actor, "token.create", "api_token", idbuf, NULL, after, err);
    json_decref(after);
    if (rc)
        return rc;
    if (out_id)
        *out_id = id;
    if (out_token)
        *out_token = xstrdup(token);
    sodium_memzero(token, sizeof token);
    return 0;
}

int auth_token_add(store_conn *c, const http_principal *actor, const char *name, int role,
                   const char *owner_org, int64_t *out_id, char **out_token, nqi_error *err)
{
    bool own;
    int rc = token_validate(name, role, owner_org, err);
    if (rc)
        return rc;
    rc = store_tx_begin(c, &own, err);
    if (rc)
        return rc;
    rc = token_add_tx(c, actor, name, role, owner_org, out_id, out_token, err);
    return store_tx_end(c, own, rc, err);
}

/* Revoking an already revoked token succeeds and writes nothing. */
static int token_revoke_tx(store_conn *c, const http_principal *actor, int64_t id,
                           nqi_error *err)
{
    static const char sql_get[] =
        "SELECT name, role, owner_org, revoked_at FROM api_tokens WHERE id = ?";
    static const char sql_upd[] = "UPDATE api_tokens SET revoked_at = ? WHERE id = ?";
    store_rows *rows = NULL;
    store_val p[] = {SV_INT(id)};
    json_t *before = NULL;
    int64_t now = now_ms();
    int rc = store_query(c, sql_get, p, 1, &rows, err);
    if (rc)
        return rc;
    rc = store_next(rows);
    if (rc == 1) {
        bool revoked = !store_isnull(rows, 3);
        if (!revoked)
            before = json_pack("{s:I, s:s, s:s, s:s?}", "id", (json_int_t)id, "name",
                               store_text(rows, 0), "role", store_text(rows, 1), "owner_org",
                               store_text(rows, 2));
        rc = 0;
    } else if (rc == 0) {
        rc = nqi_error_set(err, NQI_ENOTFOUND, "token %lld not found", (long long)id);
    } else {
        rc = nqi_error_set(err, NQI_EDB, "reading token %lld failed", (long long)id);
    }
    store_rows_close(rows);
    if (rc || !before)
        return rc;
    store_val u[] = {SV_INT(now), SV_INT(id)};
    rc = store_exec(c, sql_upd, u, 2, NULL, err);
    if (!rc) {
        char t[32], idbuf[24];
        json_t *after = json_deep_copy(before);
        json_object_set_new(after, "revoked_at", json_string(time_iso8601(now, t, sizeof t)));
        snprintf(idbuf, sizeof idbuf, "%lld", (long long)id);
        rc = audit_record(c, actor, "token.revoke", "api_token", idbuf, before, after, err);
        json_decref(after);
    }
    json_decref(before);
    return rc;
}

int auth_token_revoke(store_conn *c, const http_principal *actor, int64_t id, nqi_error *err)
{
    bool own;
    int rc = store_tx_begin(c, &own, err);
    if (rc)
        return rc;
    rc = token_revoke_tx(c, actor, id, err);
    return store_tx_end(c, own, rc, err);
}

void auth_cli_principal(http_principal *p)
{
    memset(p, 0, sizeof *p);
    p->user_id = 0;
    p->role = ROLE_ADMIN;
    snprintf(p->username, sizeof p->username, "cli");
}

/* ---- login, sessions ---- */

/* Failures counted for the rate limit; *retry_s gets the seconds until the
 * count drops below max (the max-th most recent failure leaves the window). */
static int count_failures(store_conn *c, const char *sql, const store_val *p, int np, int max,
                          int64_t now, int *retry_s, nqi_error *err)
{
    store_rows *rows = NULL;
    int rc = store_query(c, sql, p, np, &rows, err), n = 0;
    int64_t oldest = now;
    if (rc)
        return rc;
    while ((rc = store_next(rows)) == 1) {
        oldest = store_int(rows, 0);
        n++;
    }
    store_rows_close(rows);
    if (rc < 0)
        return nqi_error_set(err, NQI_EDB, "reading login attempts failed");
    if (n >= max) {
        int64_t wait = oldest + AUTH_LOGIN_WINDOW_MS - now;
        *retry_s = (int)((wait + 999) / 1000);
        if (*retry_s < 1)
            *retry_s = 1;
        return 1;
    }
    return 0;
}

/* The limit is keyed on (username, client address): a stranger failing
 * against a user's name from elsewhere cannot lock that user out, and one
 * address may fail AUTH_LOGIN_MAX_IP times in all. Pending attempts
 * (ok = 0 until the password proved right) count as failures. */
static int login_rate_check(store_conn *c, const char *username, const char *ip, int64_t now,
                            int *retry_s, nqi_error *err)
{
    /* Failures after the pair's last successful login, inside the window. */
    static const char sql_last_ok[] = "SELECT COALESCE(MAX(at), 0) FROM login_attempts "
                                      "WHERE username = ? AND ip = ? AND ok = 1";
    static const char sql_user[] = "SELECT at FROM login_attempts WHERE username = ? AND ip = ? "
                                   "AND ok = 0 AND at > ? ORDER BY at DESC LIMIT ?";
    static const char sql_ip[] = "SELECT at FROM login_attempts WHERE ip = ? AND ok = 0 "
                                 "AND at > ? ORDER BY at DESC LIMIT ?";
    int64_t since = now - AUTH_LOGIN_WINDOW_MS, last_ok = 0;
    store_val p[] = {SV_TEXT(username), SV_TEXT(ip)};
    int rc = store_query_int(c, sql_last_ok, p, 2, &last_ok, err);
    if (rc)
        return rc;
    store_val pu[] = {SV_TEXT(username), SV_TEXT(ip), SV_INT(last_ok > since ? last_ok : since),
                      SV_INT(AUTH_LOGIN_MAX_USER)};
    int r = count_failures(c, sql_user, pu, 4, AUTH_LOGIN_MAX_USER, now, retry_s, err);
    if (r)
        return r < 0 ? r : nqi_error_set(err, NQI_ERATE, "too many failed logins for this user; "
                                                         "try again in %d s", *retry_s);
    store_val pi[] = {SV_TEXT(ip), SV_INT(since), SV_INT(AUTH_LOGIN_MAX_IP)};
    r = count_failures(c, sql_ip, pi, 3, AUTH_LOGIN_MAX_IP, now, retry_s, err);
    if (r)
        return r < 0 ? r : nqi_error_set(err, NQI_ERATE, "too many failed logins from this "
                                                         "address; try again in %d s", *retry_s);
    return 0;
}

typedef struct login_user {
    int64_t id;
    char hash[AUTH_PWHASH_MAX];
    bool disabled;
    bool found;
} login_user;

static int login_lookup(store_conn *c, const char *username, login_user *u, nqi_error *err)
{
    static const char sql[] = "SELECT id, password_hash, disabled FROM users WHERE username = ?";
    store_rows *rows = NULL;
    store_val p[] = {SV_TEXT(username)};
    memset(u, 0, sizeof *u);
    int rc = store_query(c, sql, p, 1, &rows, err);
    if (rc)
        return rc;
    rc = store_next(rows);
    if (rc == 1) {
        u->found = true;
        u->id = store_int(rows, 0);
        snprintf(u->hash, sizeof u->hash, "%s", store_text(rows, 1) ? store_text(rows, 1) : "");
        u->disabled = store_int(rows, 2) != 0;
        rc = 0;
    } else if (rc < 0) {
        rc = nqi_error_set(err, NQI_EDB, "reading user failed");
    }
    store_rows_close(rows);
    return rc;
}

/* Step 1, one short write transaction: check the limit and claim an attempt
 * (a row with ok = 0, counted as a failure until the password proves
 * right) before the slow password check. Checking and claiming under one
 * lock is what keeps parallel guesses from all passing the check: on SQLite
 * BEGIN IMMEDIATE is that lock, on PostgreSQL the advisory lock. */
static int login_claim(store_conn *c, const char *username, const char *ip, int64_t now,
                       login_user *u, int64_t *attempt_id, int *retry_s, nqi_error *err)
{
    static const char sql_attempt[] =
        "INSERT INTO login_attempts (username, ip, at, ok) VALUES (?, ?, ?, 0) RETURNING id";
    int rc = store_begin(c, true, err);
    if (rc)
        return rc;
    rc = store_tx_lock(c, "auth.login", err);
    if (!rc)
        rc = login_rate_check(c, username, ip, now, retry_s, err);
    if (!rc)
        rc = login_lookup(c, username, u, err);
    if (!rc) {
        store_val a[] = {SV_TEXT(username), SV_TEXT(ip), SV_INT(now)};
        rc = store_query_int(c, sql_attempt, a, 3, attempt_id, err);
    }
    if (!rc)
        rc = store_commit(c, err);
    if (rc)
        store_rollback(c);
    return rc;
}

/* Step 2, after a right password: mark the attempt, create the session. */
static int login_succeed(store_conn *c, const char *username, const char *ip, int64_t now,
                         const login_user *u, int64_t attempt_id, auth_session *out,
                         nqi_error *err)
{
    static const char sql_ok[] = "UPDATE login_attempts SET ok = 1 WHERE id = ?";
    static const char sql_prune[] = "DELETE FROM login_attempts WHERE at < ?";
    static const char sql_expired[] = "DELETE FROM sessions WHERE expires_at < ?";
    static const char sql_session[] = "INSERT INTO sessions (id_hash, user_id, csrf, created_at, "
                                      "expires_at, ip) VALUES (?, ?, ?, ?, ?, ?)";
    store_val a[] = {SV_INT(attempt_id)};
    int rc = store_exec(c, sql_ok, a, 1, NULL, err);
    if (rc)
        return rc;
    store_val pr[] = {SV_INT(now - 24 * 3600 * 1000LL)};
    store_val ex[] = {SV_INT(now)};
    if ((rc = store_exec(c, sql_prune, pr, 1, NULL, err)) ||
        (rc = store_exec(c, sql_expired, ex, 1, NULL, err)))
        return rc;
    char id_hash[65], idbuf[24];
    random_hex(out->id, 32);
    random_hex(out->csrf, 32);
    out->user_id = u->id;
    auth_sha256_hex(out->id, 64, id_hash);
    store_val s[] = {SV_TEXT(id_hash), SV_INT(u->id),
                     SV_TEXT(out->csrf), SV_INT(now),
                     SV_INT(now + AUTH_SESSION_TTL_S * 1000LL), SV_TEXT(ip)};
    rc = store_exec(c, sql_session, s, 6, NULL, err);
    if (rc)
        return rc;
    http_principal actor = {.user_id = u->id, .role = 0};
    snprintf(actor.username, sizeof actor.username, "%s", username);
    json_t *after = json_pack("{s:I, s:s}", "user_id", (json_int_t)u->id, "ip", ip);
    snprintf(idbuf, sizeof idbuf, "%lld", (long long)u->id);
    rc = audit_record(c, &actor, "session.login", "user", idbuf, NULL, after, err);
    json_decref(after);
    return rc;
}

int auth_login(store_conn *c, const char *username, const char *password, const char *ip,
               auth_session *out, nqi_error *err)
{
    login_user u;
    int64_t now = now_ms(), attempt = 0;
    memset(out, 0, sizeof *out);
    if (!ip)
        ip = "";
    int rc = crypto_ready(err);
    if (rc)
        return rc;
    rc = login_claim(c, username, ip, now, &u, &attempt, &out->retry_after_s, err);
    if (rc)
        return rc;
    /* The expensive hash runs outside any transaction. */
    bool ok;
    if (u.found) {
        ok = auth_password_verify(u.hash, password) && !u.disabled;
    } else {
        pthread_once(&dummy_once, dummy_init);
        auth_password_verify(dummy_hash, password);
        ok = false;
    }
    sodium_memzero(u.hash, sizeof u.hash);
    if (!ok) { /* the claimed row already says "failed" */
        memset(out, 0, sizeof *out);
        return nqi_error_set(err, NQI_EAUTH, "invalid username or password");
    }
    rc = store_begin(c, true, err);
    if (rc)
        return rc;
    rc = login_succeed(c, username, ip, now, &u, attempt, out, err);
    if (!rc)
        rc = store_commit(c, err);
    if (rc) {
        store_rollback(c);
        memset(out, 0, sizeof *out);
        return rc;
    }
    return 0;
}

int auth_logout(store_conn *c, const http_principal *p, nqi_error *err)
{
    static const char sql[] = "DELETE FROM sessions WHERE id_hash = ?";
    if (p->via_token || !p->session_hash[0])
        return 0;
    int rc = store_begin(c, true, err);
    if (rc)
        return rc;
    store_val v[] = {SV_TEXT(p->session_hash)};
    int64_t changes = 0;
    rc = store_exec(c, sql, v, 1, &changes, err);
    if (!rc && changes > 0) {
        char idbuf[24];
        snprintf(idbuf, sizeof idbuf, "%lld", (long long)p->user_id);
        rc = audit_record(c, p, "session.logout", "user", idbuf, NULL, NULL, err);
    }
    if (!rc)
        rc = store_commit(c, err);
    if (rc)
        store_rollback(c);
    return rc;
}

/* ---- the http_auth_fn ---- */

static bool token_format_ok(const char *t)
{
    size_t pl = sizeof TOKEN_PREFIX - 1;
    if (strncmp(t, TOKEN_PREFIX, pl) || strlen(t) != pl + 2 * TOKEN_RANDOM_BYTES)
        return false;
    for (const char *p = t + pl; *p; p++)
        if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
            return false;
    return true;
}

/* "token:<id>:<name>", the name cut at a character boundary so that the
 * principal (and the audit rows it writes) stay valid UTF-8; the id keeps
 * two tokens with the same long prefix apart. */
void auth_token_actor(char *out, size_t n, int64_t id, const char *name)
{
    int k = snprintf(out, n, "token:%lld:", (long long)id);
    if (k < 0 || (size_t)k >= n) {
        out[n - 1] = 0;
        return;
    }
    char *tail = out + k;
    snprintf(tail, n - (size_t)k, "%s", name ? name : "");
    if (name && strlen(name) >= n - (size_t)k) /* cut: drop a partial character */
        utf8_truncate(tail, strlen(tail));
}

static int auth_bearer(http_req *r, const char *token, nqi_error *err)
{
    static const char sql[] = "SELECT id, name, role, owner_org, revoked_at, last_used_at "
                              "FROM api_tokens WHERE token_hash = ?";
    static const char sql_touch[] = "UPDATE api_tokens SET last_used_at = ? WHERE id = ? "
                                    "AND (last_used_at IS NULL OR last_used_at < ?)";
    char hash[65];
    store_rows *rows = NULL;
    if (!token_format_ok(token))
        return nqi_error_set(err, NQI_EAUTH, "malformed bearer token");
    auth_sha256_hex(token, strlen(token), hash);
    store_val p[] = {SV_TEXT(hash)};
    int rc = store_query(r->db, sql, p, 1, &rows, err);
    if (rc)
        return rc;
    rc = store_next(rows);
    int64_t id = 0, last = 0;
    if (rc == 1 && store_isnull(rows, 4)) {
        http_principal *pr = &r->principal;
        id = store_int(rows, 0);
        last = store_isnull(rows, 5) ? 0 : store_int(rows, 5);
        pr->user_id = 0;
        pr->role = role_from_name(store_text(rows, 2));
        pr->via_token = true;
        pr->token_id = id;
        auth_token_actor(pr->username, sizeof pr->username, id, store_text(rows, 1));
        const char *org = store_text(rows, 3);
        if (pr->role == ROLE_ENTERPRISE && org && auth_credit_code_valid(org))
            snprintf(pr->credit_code, sizeof pr->credit_code, "%s", org);
        rc = pr->role ? 0 : nqi_error_set(err, NQI_EAUTH, "token has an unknown role");
    } else if (rc >= 0) {
        rc = nqi_error_set(err, NQI_EAUTH, "unknown or revoked token");
    } else {
        rc = nqi_error_set(err, NQI_EDB, "reading token failed");
    }
    store_rows_close(rows);
    if (rc)
        return rc;
    int64_t now = now_ms();
    if (now - last >= TOKEN_TOUCH_MS) { /* bookkeeping: failure is not the caller's problem */
        nqi_error ignored = {0};
        store_val t[] = {SV_INT(now), SV_INT(id), SV_INT(now - TOKEN_TOUCH_MS)};
        store_exec(r->db, sql_touch, t, 3, NULL, &ignored);
    }
    return 0;
}

static bool hex64(const char *s)
{
    if (!s || strlen(s) != 64)
        return false;
    for (; *s; s++)
        if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f')))
            return false;
    return true;
}

static bool method_safe(const char *m)
{
    return !strcmp(m, "GET") || !strcmp(m, "HEAD") || !strcmp(m, "OPTIONS");
}

static int auth_cookie(http_req *r, const char *sid, nqi_error *err)
{
    static const char sql[] =
        "SELECT s.user_id, s.csrf, s.expires_at, u.username, u.role, u.credit_code, u.disabled "
        "FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id_hash = ?";
    char hash[65], csrf[65] = "";
    store_rows *rows = NULL;
    http_principal p = {0};
    if (!hex64(sid))
        return 0; /* a stale or foreign cookie: anonymous */
    auth_sha256_hex(sid, 64, hash);
    store_val v[] = {SV_TEXT(hash)};
    int rc = store_query(r->db, sql, v, 1, &rows, err);
    if (rc)
        return rc;
    rc = store_next(rows);
    bool found = false;
    if (rc == 1 && store_int(rows, 2) > now_ms() && !store_int(rows, 6)) {
        found = true;
        p.user_id = store_int(rows, 0);
        snprintf(csrf, sizeof csrf, "%s", store_text(rows, 1) ? store_text(rows, 1) : "");
        snprintf(p.username, sizeof p.username, "%s", store_text(rows, 3));
        p.role = role_from_name(store_text(rows, 4));
        if (store_text(rows, 5))
            snprintf(p.credit_code, sizeof p.credit_code, "%s", store_text(rows, 5));
        snprintf(p.session_hash, sizeof p.session_hash, "%s", hash);
    }
    store_rows_close(rows);
    if (rc < 0)
        return nqi_error_set(err, NQI_EDB, "reading session failed");
    if (!found || !p.role)
        return 0;
    if (!method_safe(r->method)) {
        const char *h = http_header_get(r, "X-CSRF-Token");
        bool ok = h && strlen(h) == 64 && strlen(csrf) == 64 && sodium_memcmp(h, csrf, 64) == 0;
        if (!ok) {
            /* Logging in again over a live session needs no CSRF token
             * (SameSite=Strict already keeps other sites out). */
            if (r->path && !strcmp(r->path, "/api/v1/auth/login"))
                return 0;
            return nqi_error_set(err, NQI_EFORBIDDEN, "missing or wrong CSRF token");
        }
    }
    r->principal = p;
    return 0;
}

int auth_authenticate(http_req *r, nqi_error *err)
{
    memset(&r->principal, 0, sizeof r->principal);
    r->principal.role = ROLE_PUBLIC;
    if (crypto_ready(err))
        return err ? err->code : NQI_EINTERNAL;
    const char *authz = http_header_get(r, "Authorization");
    const char *sid = http_cookie(r, AUTH_SESSION_COOKIE);
    bool creds = (authz && *authz) || (sid && *sid);
    if (creds && !r->db) { /* the hook may run before the server fetched it */
        nqi_app *app = r->app;
        r->db = app && app->st ? store_conn_thread(app->st, err) : NULL;
        if (!r->db)
            return err && err->code ? err->code
                                    : nqi_error_set(err, NQI_EBUSY, "database unavailable");
    }
    if (authz && *authz) {
        if (strncasecmp(authz, "Bearer ", 7))
            return nqi_error_set(err, NQI_EAUTH, "unsupported Authorization scheme (use Bearer)");
        const char *t = authz + 7;
        while (*t == ' ')
            t++;
        int rc = auth_bearer(r, t, err);
        if (rc) {
            memset(&r->principal, 0, sizeof r->principal);
            r->principal.role = ROLE_PUBLIC;
        }
        return rc;
    }
    if (sid && *sid)
        return auth_cookie(r, sid, err);
    return 0;
}

int auth_session_csrf(store_conn *c, const http_principal *p, char out[65], nqi_error *err)
{
    static const char sql[] = "SELECT csrf FROM sessions WHERE id_hash = ?";
    char *csrf = NULL;
    out[0] = 0;
    if (!p->session_hash[0])
        return 0;
    store_val v[] = {SV_TEXT(p->session_hash)};
    int rc = store_query_text(c, sql, v, 1, &csrf, err);
    if (rc)
        return rc;
    snprintf(out, 65, "%s", csrf ? csrf : "");
    free(csrf);
    return 0;
}
