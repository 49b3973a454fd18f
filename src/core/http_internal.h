/*
 * http_internal.h — shared between the files of the HTTP core (http.c,
 * http_router.c, http_static.c, http_metrics.c). Not for other modules:
 * they use http.h.
 */
#ifndef NQI_HTTP_INTERNAL_H
#define NQI_HTTP_INTERNAL_H

#include <microhttpd.h>
#include <stdint.h>

#include "core/http.h"
#include "core/util.h"

#define HTTP_MAX_SEGS 32
#define HTTP_MAX_QUERY 64
#define HTTP_DEFAULT_BODY_LIMIT (1u << 20)
#define HTTP_STOP_WAIT_MS 10000
/* MHD's per-connection pool: request line + headers must fit (else MHD
 * itself answers 431, or 414 for a long request line). */
#define HTTP_CONN_MEMORY (64 * 1024)
/* Past the cap we read and drop this much more (so the client can be told
 * 413) before cutting the connection. */
#define HTTP_DISCARD_MAX (4u << 20)

/* Latency histogram upper bounds in microseconds (Prometheus le= in s). */
#define HTTP_NBUCKETS 13
extern const int64_t http_bucket_us[HTTP_NBUCKETS];
extern const char *const http_bucket_le[HTTP_NBUCKETS];

/* Status codes counted per route; anything else lands in the last slot
 * ("other", rendered with the real class, e.g. 5xx). */
#define HTTP_NSTATUS 24
extern const int http_status_slots[HTTP_NSTATUS - 1];

/* Counters of one route (or of a pseudo route: static files, unmatched).
 * Written with relaxed atomics from every worker thread; no lock. */
typedef struct http_route_metrics {
    uint64_t status[HTTP_NSTATUS];
    uint64_t bucket[HTTP_NBUCKETS + 1]; /* non-cumulative; last = +Inf */
    uint64_t sum_us;
    uint64_t count;
} http_route_metrics;

typedef struct http_route_ent {
    char method[16];
    char *pattern;
    int roles;
    http_handler handler;
    size_t body_limit;
    char *summary;
    int nseg;
    char **seg; /* literal segment, or the parameter name when is_param */
    bool *is_param;
} http_route_ent;

struct http_server {
    http_config cfg;
    char *host;
    char *static_root; /* realpath of cfg.static_dir, or NULL */
    store *st;
    void *app;
    http_auth_fn auth;
    http_route_ent *routes;
    int nroutes, cap;
    /* nroutes + 2 entries: [nroutes] static files, [nroutes+1] unmatched */
    http_route_metrics *metrics;
    struct MHD_Daemon *d;
    int port;
    bool started;
    int inflight; /* atomic */
    int64_t start_ms;
};

/* Per-request state; allocated by the URI log callback (once per request),
 * freed by the completion callback. */
typedef struct http_ctx {
    http_server *s;
    http_req req;
    char *raw_uri;
    char *path_dec;
    const http_route_ent *route;
    int metric_idx;
    bool started;
    bool answered;
    bool too_big;
    bool head;
    bool path_known; /* some route has this path, not this method: 405 */
    bool bad_param;  /* a path parameter had a bad escape: 400 */
    char allow[128];
    size_t limit;
    uint64_t discarded; /* body bytes dropped after the cap */
    buf body;
    char *param_val[HTTP_MAX_PARAMS];
    http_kv query[HTTP_MAX_QUERY];
    int nquery;
    int64_t t0_us;
    int status;
    uint64_t bytes;
} http_ctx;

/* router */
void http_router_prepare(http_server *s); /* at start: split patterns */
void http_router_release(http_server *s);
void http_route_free(http_route_ent *r);
/* Find the route for (method, raw path). Returns the route, or NULL with
 * *path_known set when some route has the path but not the method (allow
 * then holds "GET, HEAD, POST"). Fills c->req params (decoded). Returns
 * NULL with *bad set when a path parameter has a malformed escape. */
const http_route_ent *http_router_find(http_server *s, http_ctx *c, const char *method,
                                       const char *raw_path, bool *path_known, char *allow,
                                       size_t allowlen, bool *bad);

/* static */
void http_static_serve(http_server *s, http_ctx *c, http_resp *w);

/* metrics */
void http_metrics_init(http_server *s);
void http_metrics_record(http_server *s, int idx, int status, int64_t dur_us);

#endif
