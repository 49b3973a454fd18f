/*
 * http_internal.h — shared between the files of the HTTP core (http.c,
 * http_router.c, http_static.c, http_metrics.c). Not for other modules:
 * they use http.h.
 */
#ifndef NQI_HTTP_INTERNAL_H
#define NQI_HTTP_INTERNAL_H

#include <microhttpd.h>
#include <pthread.h>
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
/* Connections from one address (MHD_OPTION_PER_IP_CONNECTION_LIMIT); env
 * NQI_PER_IP_CONN_LIMIT, 0 = no limit. Loopback tests and wrk benchmarks
 * open up to 64 connections from 127.0.0.1: keep the default above that. */
#define HTTP_PER_IP_DEFAULT 128
/* Whole-request deadline (env NQI_REQUEST_TIMEOUT_S): a request must arrive
 * in full (request line, headers, body) within this many seconds of the
 * moment its connection became ready for it (accept, or the end of the
 * previous request on a keep-alive connection). The idle timeout alone
 * lets a client that sends a byte every few seconds hold a connection
 * forever. */
#define HTTP_REQUEST_DEADLINE_DEFAULT_S 60
#define HTTP_MAX_PROXIES 16

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
    /* hardening, from the environment at http_server_new */
    int per_ip_limit;
    int deadline_s;
    bool cookie_secure;                   /* NQI_COOKIE_SECURE=1 */
    char proxies[HTTP_MAX_PROXIES][64];   /* NQI_TRUSTED_PROXIES, canonical text */
    int nproxies;
    /* the reaper: drops connections past their request deadline */
    pthread_mutex_t conns_mu; /* guards conns and the list links */
    pthread_cond_t reaper_cv;
    struct http_conn *conns;
    pthread_t reaper;
    bool reaper_running, reaper_stop;
};

/* One TCP connection (MHD_OPTION_NOTIFY_CONNECTION's socket context). On
 * s->conns from STARTED to CLOSED; MHD closes the fd only after CLOSED, so
 * the reaper may shutdown() an fd it finds on the list under the mutex. */
typedef struct http_conn {
    struct http_conn *next, *prev;
    int fd;
    int64_t ready_us; /* atomic: when the current request's clock started */
    int busy;         /* atomic: 1 while our handler has the request (not the client's time) */
    bool reaped;
} http_conn;

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
    bool secure;     /* cookies get Secure (NQI_COOKIE_SECURE or https via a trusted proxy) */
    http_conn *hc;   /* the connection's record, or NULL */
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
