/*
 * http.h — the HTTP front door on libmicrohttpd: a router with path
 * parameters and per-route roles, capped JSON bodies, problem+json errors,
 * request ids, access log, metrics, static files and graceful shutdown.
 *
 * Lifecycle of a request: MHD calls us several times; we answer on the last
 * call (answering on the first sends Connection: close). The body is
 * collected into a buffer capped at the route's limit (413 past it). Then:
 * route match (404/405) -> authenticate (hook, fills req->principal) ->
 * role check from the route table (401/403) -> handler -> response.
 *
 * Ownership: everything in http_req is owned by the server and freed after
 * the response is sent; handlers allocate their response body with malloc
 * (http_resp_* take ownership). Handlers must not keep pointers into req.
 */
#ifndef NQI_HTTP_H
#define NQI_HTTP_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "core/store.h"

/* Roles as bits; a route lists the roles allowed. ROLE_PUBLIC = anonymous. */
enum {
    ROLE_PUBLIC = 1 << 0,
    ROLE_ENTERPRISE = 1 << 1,
    ROLE_INSPECTOR = 1 << 2,
    ROLE_REGULATOR = 1 << 3,
    ROLE_ADMIN = 1 << 4,
};
#define ROLES_ANY (ROLE_PUBLIC | ROLE_ENTERPRISE | ROLE_INSPECTOR | ROLE_REGULATOR | ROLE_ADMIN)
#define ROLES_AUTHED (ROLE_ENTERPRISE | ROLE_INSPECTOR | ROLE_REGULATOR | ROLE_ADMIN)
#define ROLES_STAFF (ROLE_INSPECTOR | ROLE_REGULATOR | ROLE_ADMIN)

const char *role_name(int role);          /* "admin" */
int role_from_name(const char *name);     /* 0 when unknown */

/* Who is calling. role == ROLE_PUBLIC and user_id == 0 when anonymous. */
typedef struct http_principal {
    int64_t user_id;
    int role;
    char username[64];
    char credit_code[24]; /* enterprise users: their unified social credit code */
    bool via_token;       /* bearer token rather than a browser session */
    int64_t token_id;
    char session_hash[65];
} http_principal;

#define HTTP_MAX_PARAMS 8

typedef struct http_req {
    const char *method;     /* "GET" */
    const char *path;       /* decoded path, no query string */
    const char *version;
    const char *content_type;
    const char *body;       /* NUL-terminated copy; NULL when empty */
    size_t body_len;
    int nparams;            /* path parameters from the route pattern */
    const char *param_name[HTTP_MAX_PARAMS];
    const char *param_val[HTTP_MAX_PARAMS];
    char request_id[40];
    char client_ip[64];
    const char *route;      /* matched pattern, for metrics/logs */
    http_principal principal;
    store_conn *db;         /* this thread's store connection */
    void *app;              /* the nqi_app (opaque to core/http) */
    struct MHD_Connection *conn;
} http_req;

typedef struct http_header {
    char *name, *value;
} http_header;

typedef struct http_resp {
    int status;
    char *body; /* malloc'd, owned */
    size_t len;
    const char *content_type;
    int nheaders;
    http_header headers[16];
    /* static file responses use fd instead of body */
    int fd;
    uint64_t fd_size;
} http_resp;

const char *http_param(const http_req *r, const char *name);          /* path param */
const char *http_query(const http_req *r, const char *name);          /* decoded, or NULL */
/* The i-th query pair in request order (repeated names included): 1 and
 * *name and *value set (decoded, owned by the request), or 0 past the last.
 * For APIs whose parameter names are open-ended (EPCIS EQ_source_<type>). */
int http_query_at(const http_req *r, int i, const char **name, const char **value);
const char *http_header_get(const http_req *r, const char *name);
const char *http_cookie(const http_req *r, const char *name);

/* The path parameter `name` as a positive integer id. Anything else names
 * no resource: NQI_ENOTFOUND "<what> '<value>' not found". */
int http_param_id(const http_req *r, const char *name, const char *what, int64_t *id,
                  nqi_error *err);

/* The list conventions: ?limit= (default def, 1..max) and ?cursor= (an id,
 * >= 0; 0 when absent). Field errors name `limit` / `cursor`. */
int http_list_params(const http_req *r, int64_t def, int64_t max, int64_t *limit, int64_t *cursor,
                     nqi_error *err);

/* The request's media type without parameters, lower-cased, into out
 * ("text/csv" for "Text/CSV; charset=GB18030"; "" when there is none). */
void http_media_type(const http_req *r, char *out, size_t n);

/* A query flag: on when ?name=1 or ?name=true (any case); off otherwise. */
bool http_query_flag(const http_req *r, const char *name);

/* Parse the body as a JSON object after checking Content-Type is
 * application/json (415) — the common first line of a write handler. */
int http_req_json(http_req *r, json_t **out, nqi_error *err);

/* Responses. All take ownership of what they are given. */
void http_resp_json(http_resp *w, int status, json_t *body);
void http_resp_text(http_resp *w, int status, const char *ctype, char *body, size_t len);
void http_resp_problem(http_resp *w, const http_req *r, const nqi_error *err);
void http_resp_header(http_resp *w, const char *name, const char *value); /* copies */
/* One rejected row of an all-or-nothing import. */
typedef struct http_row_error {
    int64_t row;         /* 1-based data row; 0 = header / whole file */
    const char *field;   /* column name */
    const char *message;
} http_row_error;

/* The 422 problem of a rejected import: errors[] lists every row as
 * {"field": "rows/<row>/<field>", "message": ...} (at most 100,000), plus
 * "rejected": total. */
void http_resp_rows_problem(http_resp *w, const http_req *r, const char *detail,
                            const http_row_error *rows, size_t n, size_t total);

/* A problem from a code and message in one call (no field). */
void http_resp_error(http_resp *w, const http_req *r, int code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* A handler fills w. Return value is ignored except for logging; errors are
 * expressed through w (http_resp_problem). */
typedef void (*http_handler)(http_req *r, http_resp *w);

typedef struct http_server http_server;

typedef struct http_config {
    const char *host;        /* "127.0.0.1" */
    int port;
    int threads;             /* worker pool size */
    int conn_limit;
    int conn_timeout_s;
    size_t body_limit;       /* default per-route cap */
    const char *static_dir;  /* built web UI; NULL = none */
    bool access_log;
} http_config;

http_server *http_server_new(const http_config *cfg, store *st, void *app);

/* Route registration. pattern: "/api/v1/users/{id}". body_limit 0 = default.
 * summary is shown in the authorization table and OpenAPI cross-checks. */
void http_route(http_server *s, const char *method, const char *pattern, int roles,
                http_handler h, size_t body_limit, const char *summary);

/* Authentication hook: fills r->principal from cookie/bearer; returns 0, or
 * an NQI_E* code (e.g. NQI_EAUTH for a bad token, NQI_EFORBIDDEN for a
 * missing CSRF header on a cookie-authenticated write). */
typedef int (*http_auth_fn)(http_req *r, nqi_error *err);
void http_set_auth(http_server *s, http_auth_fn fn);

/* The route table as JSON: [{method, path, roles:[...], summary}] */
json_t *http_route_table(http_server *s);

int http_server_start(http_server *s, nqi_error *err);
/* Stop accepting, let in-flight requests finish (up to timeout), free. */
void http_server_stop(http_server *s);
int http_server_port(http_server *s); /* actual port (when cfg port was 0) */

/* Prometheus text for /metrics (requests by route and status, latency
 * histogram, store pool figures). Caller frees. */
char *http_metrics_text(http_server *s);

/* ---- Added by the HTTP core: URL parsing exposed so it can be fuzzed and
 * tested without a server (tests/fuzz/fuzz_query.c). ---- */

/* Percent-decode src[0..n) into out (room for n+1 bytes; NUL-terminated).
 * plus_space turns '+' into ' ' (query strings). Returns the decoded length,
 * or -1 for a malformed escape, an encoded NUL or invalid UTF-8. */
int http_url_decode(const char *src, size_t n, char *out, bool plus_space);

/* Match a raw (still percent-encoded) path such as "/api/v1/std/GB%2FT%201"
 * against a pattern such as "/api/v1/std/{id}". Segments are compared
 * undecoded, so an encoded '/' stays inside one parameter. On a match returns
 * 1 and stores up to max decoded parameter values (malloc'd, caller frees)
 * in vals, their count in *nvals; 0 when no match; -1 when a parameter has a
 * bad escape (nothing to free). */
int http_path_match(const char *pattern, const char *path, char **vals, int max, int *nvals);

typedef struct http_kv {
    char *name, *value; /* malloc'd, decoded */
} http_kv;

/* Split a raw query string ("a=1&b=x%20y") into at most max decoded pairs.
 * Returns the count, or -1 (nothing to free) on a bad escape or too many
 * pairs. A key without '=' gets the value "". */
int http_query_parse(const char *qs, size_t n, http_kv *out, int max);
void http_kv_free(http_kv *kv, int n);

/* Map a raw URL path to a relative file path under the static root
 * ("/assets/a.js" -> "assets/a.js", "/" -> "index.html"). Returns 0, or
 * NQI_EBADREQ for NUL, encoded slashes/backslashes, bad escapes, or
 * NQI_ENOTFOUND for "." / ".." segments and hidden files. */
int http_static_path(const char *raw_path, char *out, size_t outlen);

/* Number of requests being handled now (graceful shutdown, tests). */
int http_server_inflight(http_server *s);

#endif
