/*
 * auth.h — users, roles, password hashing (argon2id), browser sessions
 * (HttpOnly cookie + CSRF header), bearer API tokens (stored hashed), the
 * login rate limit, and the http_auth_fn hook that resolves a principal.
 *
 * Secrets (passwords, session ids, tokens) never reach the database in
 * clear: passwords as argon2id strings, sessions and tokens as SHA-256 hex.
 */
#ifndef NQI_AUTH_H
#define NQI_AUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "core/app.h"
#include "core/err.h"
#include "core/http.h"
#include "core/store.h"

extern const nqi_module auth_module;

/* Validate and create a user inside the caller's write transaction
 * (writes an audit record). credit_code required for role enterprise. */
int auth_user_add(store_conn *c, const http_principal *actor, const char *username,
                  const char *password, int role, const char *display_name,
                  const char *credit_code, int64_t *out_id, nqi_error *err);
int auth_user_passwd(store_conn *c, const http_principal *actor, const char *username,
                     const char *password, nqi_error *err);

/* Create a bearer token: prints nothing; *out_token (malloc'd) is shown to
 * the user once. */
int auth_token_add(store_conn *c, const http_principal *actor, const char *name, int role,
                   const char *owner_org, int64_t *out_id, char **out_token, nqi_error *err);
int auth_token_revoke(store_conn *c, const http_principal *actor, int64_t id, nqi_error *err);

/* The principal CLI commands act as (audit "actor"). */
void auth_cli_principal(http_principal *p);

/* A random password of n characters (for the demo admin). */
void auth_random_password(char *out, size_t n);

/* The http_auth_fn for the server. */
int auth_authenticate(http_req *r, nqi_error *err);

/* ---- Added by the auth implementation: used by the HTTP handlers
 * (auth_http.c), the CLI and the unit tests. ---- */

#define AUTH_SESSION_COOKIE "nqi_session"
#define AUTH_SESSION_TTL_S 43200          /* 12 h, the cookie's Max-Age */
#define AUTH_PWHASH_MAX 128               /* crypto_pwhash_STRBYTES */
#define AUTH_PASSWORD_MIN 10
#define AUTH_LOGIN_WINDOW_MS (15 * 60 * 1000LL)
#define AUTH_LOGIN_MAX_USER 5             /* failures per (username, client IP) per window */
#define AUTH_LOGIN_MAX_IP 20              /* failures per client IP per window */

/* Username: [a-z0-9_.-]{3,32}. */
bool auth_username_valid(const char *s);
/* Unified social credit code (GB 32100-2015): 18 characters from
 * "0123456789ABCDEFGHJKLMNPQRTUWXY", digits 3-8, correct check character. */
bool auth_credit_code_valid(const char *code);

/* argon2id (libsodium crypto_pwhash_str), INTERACTIVE limits, or MIN limits
 * when the environment has NQI_PWHASH_FAST=1 (tests only). out has
 * AUTH_PWHASH_MAX bytes. */
int auth_password_hash(const char *password, char out[AUTH_PWHASH_MAX], nqi_error *err);
bool auth_password_verify(const char *hash, const char *password);

/* SHA-256 of a string as lower-case hex (out: 65 bytes). */
void auth_sha256_hex(const char *s, size_t n, char out[65]);

/* A fresh browser session, as returned by auth_login. */
typedef struct auth_session {
    int64_t user_id;
    char id[65];   /* the cookie value; only its SHA-256 is stored */
    char csrf[65];
    int retry_after_s; /* set when auth_login returns NQI_ERATE */
} auth_session;

/* Check the rate limit, the password (a dummy hash is verified for unknown
 * users so timing does not reveal them), record the attempt and create the
 * session. Opens its own transactions (the caller must not have one).
 * Wrong credentials: NQI_EAUTH "invalid username or password". */
int auth_login(store_conn *c, const char *username, const char *password, const char *ip,
               auth_session *out, nqi_error *err);
/* Delete the principal's session (no-op for tokens and anonymous). */
int auth_logout(store_conn *c, const http_principal *p, nqi_error *err);

/* The CSRF token of the principal's browser session ("" for tokens). */
int auth_session_csrf(store_conn *c, const http_principal *p, char out[65], nqi_error *err);

/* The public view of a user: {id, username, role, display_name,
 * credit_code, disabled, created_at, updated_at}; NQI_ENOTFOUND if absent. */
int auth_user_get(store_conn *c, int64_t id, json_t **out, nqi_error *err);
int auth_user_passwd_id(store_conn *c, const http_principal *actor, int64_t id,
                        const char *password, nqi_error *err);
/* Disable (also deletes the user's sessions) or enable a user. */
int auth_user_set_disabled(store_conn *c, const http_principal *actor, int64_t id,
                           bool disabled, nqi_error *err);

/* The principal name of a bearer token: "token:<id>:<name>", the name cut
 * at a UTF-8 character boundary to fit n bytes (n >= 32). */
void auth_token_actor(char *out, size_t n, int64_t id, const char *name);

/* The functions above that write (user add/passwd/disable, token add/
 * revoke) run inside the caller's write transaction when one is open, and
 * in their own otherwise. */

#endif
