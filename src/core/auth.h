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
#include <stdint.h>

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

#endif
