/* http.c — the server on libmicrohttpd: request lifecycle, responses,
 * problem+json, request ids, access log and graceful shutdown. Routing is in
 * http_router.c, static files in http_static.c, metrics in http_metrics.c.
 *
 * Lifecycle (see docs/modules/http.md):
 *   URI log callback  -> allocate http_ctx, keep the raw URI, count in-flight
 *   handler call 1    -> route, early 413 from Content-Length, return
 *   handler calls 2.. -> collect upload_data into a capped buffer
 *   last call         -> auth, roles, store connection, handler, queue
 *   completed cb      -> metrics, access log, free, in-flight - 1
 * Answering on call 1 makes 0.9.75 send "Connection: close", so we never do
 * except for an oversize Content-Length, where closing is what we want.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <pthread.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "core/http_internal.h"
#include "core/json.h"

#define CSP_HTML                                                                                   \
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "                    \
    "img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; "                      \
    "object-src 'none'; base-uri 'self'; frame-ancestors 'none'; form-action 'self'"

/* ---- request accessors ---- */

const char *http_param(const http_req *r, const char *name)
{
    for (int i = 0; i < r->nparams; i++)
        if (!strcmp(r->param_name[i], name))
            return r->param_val[i];
    return NULL;
}

static http_ctx *ctx_of(const http_req *r)
{
    return (http_ctx *)((char *)r - offsetof(http_ctx, req));
}

const char *http_query(const http_req *r, const char *name)
{
    const http_ctx *c = ctx_of(r);
    for (int i = 0; i < c->nquery; i++)
        if (!strcmp(c->query[i].name, name))
            return c->query[i].value;
    return NULL;
}

int http_query_at(const http_req *r, int i, const char **name, const char **value)
{
    const http_ctx *c = ctx_of(r);
    if (i < 0 || i >= c->nquery)
        return 0;
    *name = c->query[i].name;
    *value = c->query[i].value;
    return 1;
}

const char *http_header_get(const http_req *r, const char *name)
{
    return r->conn ? MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name) : NULL;
}

const char *http_cookie(const http_req *r, const char *name)
{
    return r->conn ? MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, name) : NULL;
}

/* "application/json" with optional parameters, case-insensitive. */
static bool is_json_type(const char *ct)
{
    static const char want[] = "application/json";
    if (!ct)
        return false;
    while (*ct == ' ' || *ct == '\t')
        ct++;
    if (strncasecmp(ct, want, sizeof want - 1))
        return false;
    char next = ct[sizeof want - 1];
    return next == 0 || next == ';' || next == ' ' || next == '\t';
}

void http_media_type(const http_req *r, char *out, size_t n)
{
    const char *ct = r->content_type;
    size_t i = 0;
    while (ct && *ct == ' ')
        ct++;
    for (; ct && ct[i] && ct[i] != ';' && ct[i] != ' ' && i + 1 < n; i++)
        out[i] = (char)(ct[i] >= 'A' && ct[i] <= 'Z' ? ct[i] + 32 : ct[i]);
    out[i] = 0;
}

bool http_query_flag(const http_req *r, const char *name)
{
    const char *v = http_query(r, name);
    return v && (!strcmp(v, "1") || !strcasecmp(v, "true"));
}

int http_req_json(http_req *r, json_t **out, nqi_error *err)
{
    *out = NULL;
    if (!is_json_type(r->content_type))
        return nqi_error_set(err, NQI_EMEDIA, "Content-Type must be application/json, got '%s'",
                             r->content_type ? r->content_type : "(none)");
    return json_parse_body(r->body, r->body_len, true, out, err);
}

/* ---- responses ---- */

static void resp_reset_body(http_resp *w)
{
    free(w->body);
    w->body = NULL;
    w->len = 0;
    if (w->fd >= 0)
        close(w->fd);
    w->fd = -1;
}

void http_resp_text(http_resp *w, int status, const char *ctype, char *body, size_t len)
{
    resp_reset_body(w);
    w->status = status;
    w->content_type = ctype;
    w->body = body;
    w->len = body ? len : 0;
}

void http_resp_json(http_resp *w, int status, json_t *body)
{
    char *s = json_dump_compact(body);
    json_decref(body);
    http_resp_text(w, status, "application/json", s, strlen(s));
}

void http_resp_header(http_resp *w, const char *name, const char *value)
{
    for (int i = 0; i < w->nheaders; i++)
        if (!strcasecmp(w->headers[i].name, name)) {
            free(w->headers[i].value);
            w->headers[i].value = xstrdup(value);
            return;
        }
    if (w->nheaders >= (int)(sizeof w->headers / sizeof w->headers[0]))
        return;
    w->headers[w->nheaders].name = xstrdup(name);
    w->headers[w->nheaders].value = xstrdup(value);
    w->nheaders++;
}

static const char *resp_header_find(const http_resp *w, const char *name)
{
    for (int i = 0; i < w->nheaders; i++)
        if (!strcasecmp(w->headers[i].name, name))
            return w->headers[i].value;
    return NULL;
}

void http_resp_problem(http_resp *w, const http_req *r, const nqi_error *err)
{
    int code = err && err->code ? err->code : NQI_EINTERNAL;
    int status = nqi_error_http_status(code);
    json_t *p = json_object();
    char type[128];
    snprintf(type, sizeof type, "https://nqi.dev/problems/%s", nqi_error_slug(code));
    json_object_set_new(p, "type", json_string(type));
    json_object_set_new(p, "title", json_string(nqi_error_title(code)));
    json_object_set_new(p, "status", json_integer(status));
    const char *detail = err && err->message[0] ? err->message : nqi_error_title(code);
    json_t *d = json_string(detail);
    json_object_set_new(p, "detail", d ? d : json_string("(detail not valid UTF-8)"));
    if (r) {
        json_t *inst = r->path ? json_string(r->path) : NULL;
        json_object_set_new(p, "instance", inst ? inst : json_string(""));
        json_object_set_new(p, "request_id", json_string(r->request_id));
    }
    json_t *errors = json_array();
    for (int i = 0; err && i < err->nfields; i++) {
        json_t *f = json_string(err->fields[i].field), *m = json_string(err->fields[i].message);
        json_array_append_new(errors, json_pack("{s:o, s:o}", "field", f ? f : json_string("?"),
                                                "message", m ? m : json_string("?")));
    }
    json_object_set_new(p, "errors", errors);
    char *s = json_dump_compact(p);
    json_decref(p);
    http_resp_text(w, status, "application/problem+json", s, strlen(s));
    if (status == 401 && !resp_header_find(w, "WWW-Authenticate"))
        http_resp_header(w, "WWW-Authenticate", "Bearer realm=\"nqi\"");
}

void http_resp_error(http_resp *w, const http_req *r, int code, const char *fmt, ...)
{
    nqi_error e = {0};
    e.code = code;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e.message, sizeof e.message, fmt, ap);
    va_end(ap);
    http_resp_problem(w, r, &e);
}

static void resp_free(http_resp *w)
{
    resp_reset_body(w);
    for (int i = 0; i < w->nheaders; i++) {
        free(w->headers[i].name);
        free(w->headers[i].value);
    }
    w->nheaders = 0;
}

/* Hand w to MHD (takes the body or fd) and remember status and size for the
 * log. Adds the headers every response carries. */
static enum MHD_Result queue_resp(http_ctx *c, http_resp *w)
{
    struct MHD_Response *mr;
    if (w->fd >= 0) {
        mr = MHD_create_response_from_fd64(w->fd_size, w->fd);
        if (mr)
            w->fd = -1; /* MHD closes it */
        c->bytes = w->fd_size;
    } else {
        mr = MHD_create_response_from_buffer(w->len, w->body ? w->body : (void *)"",
                                             w->body ? MHD_RESPMEM_MUST_FREE
                                                     : MHD_RESPMEM_PERSISTENT);
        if (mr)
            w->body = NULL; /* MHD frees it */
        c->bytes = w->len;
    }
    if (!mr) {
        resp_free(w);
        return MHD_NO;
    }
    if (w->content_type)
        MHD_add_response_header(mr, "Content-Type", w->content_type);
    MHD_add_response_header(mr, "X-Request-Id", c->req.request_id);
    MHD_add_response_header(mr, "X-Content-Type-Options", "nosniff");
    if (w->content_type && !strncasecmp(w->content_type, "text/html", 9)) {
        MHD_add_response_header(mr, "Content-Security-Policy", CSP_HTML);
        MHD_add_response_header(mr, "X-Frame-Options", "DENY");
        MHD_add_response_header(mr, "Referrer-Policy", "same-origin");
    }
    if (!strncmp(c->raw_uri, "/api/", 5) && !resp_header_find(w, "Cache-Control"))
        MHD_add_response_header(mr, "Cache-Control", "no-store");
    for (int i = 0; i < w->nheaders; i++) {
        const char *name = w->headers[i].name, *value = w->headers[i].value;
        char *secured = NULL;
        /* The transport decides Secure: the handler cannot know whether the
         * browser spoke HTTPS to a proxy in front of us. */
        if (c->secure && !strcasecmp(name, "Set-Cookie") && !strcasestr(value, "; Secure"))
            value = secured = xasprintf("%s; Secure", value);
        if (MHD_add_response_header(mr, name, value) != MHD_YES)
            fprintf(stderr, "nqi http: header %s rejected (CR/LF?)\n", name);
        free(secured);
    }
    if (c->hc)
        __atomic_store_n(&c->hc->busy, 1, __ATOMIC_RELAXED);
    c->status = w->status;
    c->answered = true;
    enum MHD_Result rc = MHD_queue_response(c->req.conn, (unsigned)w->status, mr);
    MHD_destroy_response(mr);
    resp_free(w);
    return rc;
}

static enum MHD_Result queue_error(http_ctx *c, int code, const char *allow, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static enum MHD_Result queue_error(http_ctx *c, int code, const char *allow, const char *fmt, ...)
{
    http_resp w = {.fd = -1};
    nqi_error e = {0};
    e.code = code;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e.message, sizeof e.message, fmt, ap);
    va_end(ap);
    http_resp_problem(&w, &c->req, &e);
    if (allow)
        http_resp_header(&w, "Allow", allow);
    return queue_resp(c, &w);
}

/* ---- request ids ---- */

static bool request_id_sane(const char *s)
{
    size_t n = 0;
    for (; s[n]; n++) {
        char ch = s[n];
        bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
                  (ch >= '0' && ch <= '9') || ch == '-' || ch == '_';
        if (!ok || n >= 39) /* request_id[40] */
            return false;
    }
    return n > 0;
}

static void request_id_set(http_ctx *c)
{
    const char *given = http_header_get(&c->req, "X-Request-Id");
    if (given && request_id_sane(given)) {
        snprintf(c->req.request_id, sizeof c->req.request_id, "%s", given);
        return;
    }
    unsigned char rnd[16];
    randombytes_buf(rnd, sizeof rnd);
    hex_encode(rnd, sizeof rnd, c->req.request_id);
}

/* ---- lifecycle ---- */

static void *on_uri(void *cls, const char *uri, struct MHD_Connection *conn)
{
    http_server *s = cls;
    http_ctx *c = xcalloc(1, sizeof *c);
    c->s = s;
    c->raw_uri = xstrdup(uri ? uri : "");
    c->req.conn = conn;
    c->metric_idx = -1;
    c->t0_us = mono_us();
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    c->hc = ci ? ci->socket_context : NULL;
    __atomic_fetch_add(&s->inflight, 1, __ATOMIC_SEQ_CST);
    return c;
}

/* ---- connections: per-connection records and the request deadline ---- */

static void on_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
                          enum MHD_ConnectionNotificationCode toe)
{
    http_server *s = cls;
    http_conn *hc = *socket_context;
    if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
        const union MHD_ConnectionInfo *ci =
            MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
        hc = xcalloc(1, sizeof *hc);
        hc->fd = ci ? ci->connect_fd : -1;
        hc->ready_us = mono_us();
        pthread_mutex_lock(&s->conns_mu);
        hc->next = s->conns;
        if (s->conns)
            s->conns->prev = hc;
        s->conns = hc;
        pthread_mutex_unlock(&s->conns_mu);
        *socket_context = hc;
        return;
    }
    if (!hc) /* MHD_CONNECTION_NOTIFY_CLOSED of a connection we never saw */
        return;
    pthread_mutex_lock(&s->conns_mu);
    if (hc->prev)
        hc->prev->next = hc->next;
    else
        s->conns = hc->next;
    if (hc->next)
        hc->next->prev = hc->prev;
    pthread_mutex_unlock(&s->conns_mu);
    *socket_context = NULL;
    free(hc);
}

static bool past_deadline(const http_server *s, const http_conn *hc, int64_t now)
{
    return s->deadline_s > 0 && hc &&
           now - __atomic_load_n(&hc->ready_us, __ATOMIC_RELAXED) >
               (int64_t)s->deadline_s * 1000000;
}

/* Once a second: shut down the sockets of connections whose request has not
 * arrived in full within the deadline (a slow trickle of headers never
 * reaches our handler, so the handler alone cannot enforce it). MHD sees the
 * closed socket and releases the connection. The fd is still open: MHD
 * closes it only after the CLOSED notification, which takes the mutex. */
static void *reaper_main(void *arg)
{
    http_server *s = arg;
    pthread_mutex_lock(&s->conns_mu);
    while (!s->reaper_stop) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_nsec += 250 * 1000 * 1000;
        if (ts.tv_nsec >= 1000000000) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000;
        }
        pthread_cond_timedwait(&s->reaper_cv, &s->conns_mu, &ts);
        int64_t now = mono_us();
        for (http_conn *hc = s->conns; hc && !s->reaper_stop; hc = hc->next) {
            if (hc->reaped || hc->fd < 0 || __atomic_load_n(&hc->busy, __ATOMIC_RELAXED) ||
                !past_deadline(s, hc, now))
                continue;
            hc->reaped = true;
            shutdown(hc->fd, SHUT_RDWR);
            if (s->cfg.access_log)
                fprintf(stderr, "nqi http: connection dropped: request not complete within %d s\n",
                        s->deadline_s);
        }
    }
    pthread_mutex_unlock(&s->conns_mu);
    return NULL;
}

/* Canonical text of an address ("::ffff:10.0.0.1" is "10.0.0.1"), so that
 * the proxy list and the peer compare as strings. false when not an IP. */
static bool ip_canonical(const char *in, char *out, size_t n)
{
    unsigned char a[sizeof(struct in6_addr)];
    if (inet_pton(AF_INET, in, a) == 1)
        return inet_ntop(AF_INET, a, out, (socklen_t)n) != NULL;
    if (inet_pton(AF_INET6, in, a) != 1)
        return false;
    if (IN6_IS_ADDR_V4MAPPED((struct in6_addr *)a))
        return inet_ntop(AF_INET, a + 12, out, (socklen_t)n) != NULL;
    return inet_ntop(AF_INET6, a, out, (socklen_t)n) != NULL;
}

static void peer_ip(http_ctx *c, char *out, size_t n)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c->req.conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    char raw[INET6_ADDRSTRLEN] = "";
    snprintf(out, n, "-");
    if (!ci || !ci->client_addr)
        return;
    const struct sockaddr *sa = ci->client_addr;
    if (sa->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, raw, sizeof raw);
    else if (sa->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, raw, sizeof raw);
    if (!raw[0] || !ip_canonical(raw, out, n))
        snprintf(out, n, "%s", raw[0] ? raw : "-");
}

/* The last value of a header that may be repeated (MHD's lookup gives the
 * first one; a proxy appends). */
typedef struct last_hdr {
    const char *name, *value;
} last_hdr;

static enum MHD_Result last_hdr_it(void *cls, enum MHD_ValueKind kind, const char *key,
                                   const char *value)
{
    last_hdr *h = cls;
    if (key && value && !strcasecmp(key, h->name))
        h->value = value;
    return MHD_YES;
}

static const char *header_last(http_ctx *c, const char *name)
{
    last_hdr h = {name, NULL};
    MHD_get_connection_values(c->req.conn, MHD_HEADER_KIND, last_hdr_it, &h);
    return h.value;
}

/* The client's address: the TCP peer, or, when the peer is one of our
 * trusted proxies (NQI_TRUSTED_PROXIES), the right-most X-Forwarded-For
 * entry — the one that proxy added; anything left of it came from the
 * client and can be forged. Also decides whether cookies get Secure. */
static void client_ip(http_ctx *c)
{
    http_server *s = c->s;
    char peer[sizeof c->req.client_ip];
    peer_ip(c, peer, sizeof peer);
    snprintf(c->req.client_ip, sizeof c->req.client_ip, "%s", peer);
    c->secure = s->cookie_secure;
    bool trusted = false;
    for (int i = 0; i < s->nproxies && !trusted; i++)
        trusted = !strcmp(s->proxies[i], peer);
    if (!trusted)
        return;
    const char *xff = header_last(c, "X-Forwarded-For");
    if (xff) {
        const char *last = strrchr(xff, ',');
        last = last ? last + 1 : xff;
        while (*last == ' ' || *last == '\t')
            last++;
        char tmp[INET6_ADDRSTRLEN + 8];
        size_t l = strcspn(last, " \t");
        if (l < sizeof tmp) {
            memcpy(tmp, last, l);
            tmp[l] = 0;
            char canon[sizeof c->req.client_ip];
            if (ip_canonical(tmp, canon, sizeof canon))
                snprintf(c->req.client_ip, sizeof c->req.client_ip, "%s", canon);
        }
    }
    const char *proto = header_last(c, "X-Forwarded-Proto");
    if (proto && !strcasecmp(proto, "https"))
        c->secure = true;
}

/* The per-route body cap. */
static size_t body_cap(const http_server *s, const http_route_ent *r)
{
    if (r && r->body_limit)
        return r->body_limit;
    return s->cfg.body_limit ? s->cfg.body_limit : HTTP_DEFAULT_BODY_LIMIT;
}

/* First handler call: everything except answering (and except answering an
 * oversize Content-Length early, where closing the connection is wanted). */
static enum MHD_Result first_call(http_ctx *c, const char *method, const char *version)
{
    http_server *s = c->s;
    c->started = true;
    c->req.method = method;
    c->req.version = version;
    c->req.app = s->app;
    c->head = !strcmp(method, "HEAD");
    c->req.content_type = http_header_get(&c->req, "Content-Type");
    client_ip(c);
    request_id_set(c);
    c->metric_idx = s->nroutes + 1;
    c->limit = body_cap(s, NULL);
    buf_init(&c->body, c->limit);
    if (past_deadline(s, c->hc, mono_us()))
        return MHD_NO;
    /* Both framings at once: a proxy in front may pick the other one than
     * we do (request smuggling). Refuse; answering now closes the
     * connection, so nothing that follows is read as a next request. */
    if (http_header_get(&c->req, "Content-Length") &&
        http_header_get(&c->req, "Transfer-Encoding"))
        return queue_error(c, NQI_EBADREQ, NULL,
                           "both Content-Length and Transfer-Encoding present");

    char *q = strchr(c->raw_uri, '?');
    if (q)
        *q = 0; /* raw_uri is now the raw path */
    size_t n = strlen(c->raw_uri);
    c->path_dec = xmalloc(n + 1);
    if (c->raw_uri[0] != '/' || http_url_decode(c->raw_uri, n, c->path_dec, false) < 0) {
        free(c->path_dec);
        c->path_dec = NULL;
        return MHD_YES; /* answered with 400 on the last call */
    }
    c->req.path = c->path_dec;
    if (q) {
        c->nquery = http_query_parse(q + 1, strlen(q + 1), c->query, HTTP_MAX_QUERY);
        if (c->nquery < 0) {
            c->nquery = 0;
            c->req.path = NULL; /* marks "bad request" for the last call */
            free(c->path_dec);
            c->path_dec = NULL;
            return MHD_YES;
        }
    }
    c->route = http_router_find(s, c, method, c->raw_uri, &c->path_known, c->allow, sizeof c->allow,
                                &c->bad_param);
    if (c->route)
        c->metric_idx = (int)(c->route - s->routes);
    c->limit = body_cap(s, c->route);
    c->body.limit = c->limit;

    const char *cl = http_header_get(&c->req, "Content-Length");
    if (cl) {
        char *end;
        errno = 0;
        unsigned long long v = strtoull(cl, &end, 10);
        if (errno || *end || v > (unsigned long long)c->limit + HTTP_DISCARD_MAX)
            return queue_error(c, NQI_ETOOBIG, NULL, "request body larger than %zu bytes",
                               c->limit);
        /* Moderately oversized: read and drop the body, answer 413 at the
         * end. Answering now would close the connection while the client is
         * still sending, and many clients then never read the 413. */
        if (v > c->limit) {
            /* a client that asked before sending gets its answer now */
            const char *expect = http_header_get(&c->req, "Expect");
            if (expect && !strcasecmp(expect, "100-continue"))
                return queue_error(c, NQI_ETOOBIG, NULL, "request body larger than %zu bytes",
                                   c->limit);
            c->too_big = true;
        }
    }
    return MHD_YES;
}

/* Route, authenticate, authorize, run the handler. */
static enum MHD_Result dispatch(http_ctx *c)
{
    http_server *s = c->s;
    http_req *r = &c->req;
    if (!r->path)
        return queue_error(c, NQI_EBADREQ, NULL, "malformed URL (bad escape or invalid UTF-8)");
    if (c->too_big)
        return queue_error(c, NQI_ETOOBIG, NULL, "request body larger than %zu bytes", c->limit);
    r->body = c->body.data;
    r->body_len = c->body.len;

    if (!c->route) {
        if (c->bad_param)
            return queue_error(c, NQI_EBADREQ, NULL, "malformed path parameter");
        if (c->path_known)
            return queue_error(c, NQI_EMETHOD, c->allow, "%s is not allowed on %s", r->method,
                               r->path);
        bool api = !strncmp(c->raw_uri, "/api/", 5) || !strcmp(c->raw_uri, "/api");
        if (!api && s->static_root && (!strcmp(r->method, "GET") || c->head)) {
            http_resp w = {.fd = -1};
            c->metric_idx = s->nroutes;
            http_static_serve(s, c, &w);
            return queue_resp(c, &w);
        }
        return queue_error(c, NQI_ENOTFOUND, NULL, "no such resource: %s", r->path);
    }
    r->route = c->route->pattern;
    if (c->hc) /* from here the time is ours, not the client's */
        __atomic_store_n(&c->hc->busy, 1, __ATOMIC_RELAXED);

    nqi_error err = {0};
    /* the connection first: authentication looks up sessions and tokens */
    if (s->st) {
        r->db = store_conn_thread(s->st, &err);
        if (!r->db)
            return queue_error(c, NQI_EBUSY, NULL, "database unavailable: %s", err.message);
    }
    r->principal.role = ROLE_PUBLIC;
    if (s->auth && s->auth(r, &err)) {
        if (!err.code)
            err.code = NQI_EAUTH;
        http_resp w = {.fd = -1};
        http_resp_problem(&w, r, &err);
        return queue_resp(c, &w);
    }
    if (!r->principal.role)
        r->principal.role = ROLE_PUBLIC;
    if (!(c->route->roles & r->principal.role)) {
        bool anon = r->principal.role == ROLE_PUBLIC && r->principal.user_id == 0;
        return anon ? queue_error(c, NQI_EAUTH, NULL, "sign in to use %s", r->path)
                    : queue_error(c, NQI_EFORBIDDEN, NULL, "role %s may not use %s %s",
                                  role_name(r->principal.role), c->route->method, r->path);
    }
    http_resp w = {.fd = -1};
    c->route->handler(r, &w);
    if (r->db && store_in_tx(r->db)) {
        /* A handler must commit or roll back; a transaction left open would
         * hold SQLite's writer lock and leak into the next request on this
         * thread. Its work is undone, so a success cannot be reported. */
        fprintf(stderr, "nqi http: %s %s: handler left a transaction open; rolled back\n",
                r->method, c->route->pattern);
        store_rollback(r->db);
        if (w.status < 400) {
            resp_free(&w);
            return queue_error(c, NQI_EINTERNAL, NULL,
                               "internal error: the change was not saved");
        }
    }
    if (!w.status) {
        resp_free(&w);
        return queue_error(c, NQI_EINTERNAL, NULL, "handler produced no response");
    }
    return queue_resp(c, &w);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **con_cls)
{
    http_ctx *c = *con_cls;
    if (!c) /* should not happen: the URI callback runs first */
        return MHD_NO;
    if (!c->started)
        return first_call(c, method, version);
    if (*upload_data_size) {
        if (past_deadline(c->s, c->hc, mono_us()))
            return MHD_NO; /* a body trickled in too slowly: drop the connection */
        if (!c->too_big && !c->answered &&
            buf_append(&c->body, upload_data, *upload_data_size) < 0) {
            /* 0.9.75 refuses a queued response while the body is still
             * arriving: drop the rest, answer 413 on the last call. A client
             * that keeps sending is cut off by the discard ceiling. */
            c->too_big = true;
            buf_free(&c->body);
        }
        if (c->too_big) {
            c->discarded += *upload_data_size;
            if (c->discarded > c->limit + HTTP_DISCARD_MAX)
                return MHD_NO;
        }
        *upload_data_size = 0;
        return MHD_YES;
    }
    if (c->answered)
        return MHD_YES;
    return dispatch(c);
}

/* Bytes outside 0x21..0x7e, '"' and '\\' as \xNN: a client-chosen method or
 * path can neither split a log line nor carry terminal escapes. */
static void log_escape(buf *b, const char *s)
{
    static const char hex[] = "0123456789abcdef";
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p < 0x21 || *p > 0x7e || *p == '"' || *p == '\\') {
            char e[4] = {'\\', 'x', hex[*p >> 4], hex[*p & 15]};
            buf_append(b, e, 4);
        } else {
            buf_append(b, p, 1);
        }
    }
}

static void access_log(http_ctx *c, int64_t dur_us)
{
    char t[32];
    buf m, u;
    buf_init(&m, 0);
    buf_init(&u, 0);
    log_escape(&m, c->req.method ? c->req.method : "-");
    log_escape(&u, c->raw_uri);
    time_iso8601(now_ms(), t, sizeof t);
    fprintf(stderr, "%s %s %s %s %s %d %llu %.1fms\n", t, c->req.request_id, c->req.client_ip,
            m.data ? m.data : "", u.data ? u.data : "", c->status, (unsigned long long)c->bytes,
            (double)dur_us / 1000.0);
    buf_free(&m);
    buf_free(&u);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    http_server *s = cls;
    http_ctx *c = *con_cls;
    if (!c)
        return;
    *con_cls = NULL;
    if (c->hc) { /* the next request on this connection starts its clock now */
        __atomic_store_n(&c->hc->ready_us, mono_us(), __ATOMIC_RELAXED);
        __atomic_store_n(&c->hc->busy, 0, __ATOMIC_RELAXED);
    }
    if (c->started && c->answered) {
        int64_t dur = mono_us() - c->t0_us;
        http_metrics_record(s, c->metric_idx, c->status, dur);
        if (s->cfg.access_log)
            access_log(c, dur);
    }
    for (int i = 0; i < c->req.nparams; i++)
        free(c->param_val[i]);
    http_kv_free(c->query, c->nquery);
    buf_free(&c->body);
    free(c->path_dec);
    free(c->raw_uri);
    free(c);
    __atomic_fetch_sub(&s->inflight, 1, __ATOMIC_SEQ_CST);
}

/* ---- server ---- */

static int env_int(const char *name, int def, int min, int max)
{
    const char *v = getenv(name);
    if (!v || !*v)
        return def;
    char *end;
    errno = 0;
    long n = strtol(v, &end, 10);
    if (errno || *end || n < min || n > max) {
        fprintf(stderr, "nqi http: %s=%s is not an integer %d..%d; using %d\n", name, v, min, max,
                def);
        return def;
    }
    return (int)n;
}

/* Settings that are deployment facts rather than code: read once. */
static void http_env_settings(http_server *s)
{
    s->per_ip_limit = env_int("NQI_PER_IP_CONN_LIMIT", HTTP_PER_IP_DEFAULT, 0, 1000000);
    s->deadline_s = env_int("NQI_REQUEST_TIMEOUT_S", HTTP_REQUEST_DEADLINE_DEFAULT_S, 0, 86400);
    const char *sec = getenv("NQI_COOKIE_SECURE");
    s->cookie_secure = sec && !strcmp(sec, "1");
    const char *list = getenv("NQI_TRUSTED_PROXIES");
    s->nproxies = 0;
    while (list && *list) {
        size_t l = strcspn(list, ",");
        char one[80];
        const char *p = list;
        size_t k = l;
        while (k && (*p == ' ' || *p == '\t'))
            p++, k--;
        while (k && (p[k - 1] == ' ' || p[k - 1] == '\t'))
            k--;
        if (k && k < sizeof one) {
            memcpy(one, p, k);
            one[k] = 0;
            if (s->nproxies < HTTP_MAX_PROXIES &&
                ip_canonical(one, s->proxies[s->nproxies], sizeof s->proxies[0]))
                s->nproxies++;
            else
                fprintf(stderr, "nqi http: NQI_TRUSTED_PROXIES: '%s' ignored (not an IP address, "
                                "or more than %d)\n", one, HTTP_MAX_PROXIES);
        }
        list += l;
        if (*list == ',')
            list++;
    }
}

http_server *http_server_new(const http_config *cfg, store *st, void *app)
{
    if (sodium_init() < 0) {
        fprintf(stderr, "nqi: libsodium failed to initialise\n");
        abort();
    }
    http_server *s = xcalloc(1, sizeof *s);
    s->cfg = *cfg;
    s->host = xstrdup(cfg->host && *cfg->host ? cfg->host : "127.0.0.1");
    s->cfg.host = s->host;
    s->cfg.static_dir = NULL;
    if (cfg->static_dir && *cfg->static_dir) {
        s->static_root = realpath(cfg->static_dir, NULL);
        if (!s->static_root)
            fprintf(stderr, "nqi: static dir %s: %s (web UI disabled)\n", cfg->static_dir,
                    strerror(errno));
        s->cfg.static_dir = s->static_root;
    }
    if (s->cfg.threads < 1)
        s->cfg.threads = 1;
    if (s->cfg.conn_limit < 1)
        s->cfg.conn_limit = 1024;
    if (s->cfg.conn_timeout_s < 1)
        s->cfg.conn_timeout_s = 30;
    if (!s->cfg.body_limit)
        s->cfg.body_limit = HTTP_DEFAULT_BODY_LIMIT;
    http_env_settings(s);
    pthread_mutex_init(&s->conns_mu, NULL);
    pthread_cond_init(&s->reaper_cv, NULL);
    s->st = st;
    s->app = app;
    return s;
}

void http_set_auth(http_server *s, http_auth_fn fn)
{
    s->auth = fn;
}

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
    (void)cls;
    fputs("nqi http (libmicrohttpd): ", stderr);
    vfprintf(stderr, fmt, ap);
}

int http_server_start(http_server *s, nqi_error *err)
{
    struct addrinfo hints = {.ai_family = AF_UNSPEC,
                             .ai_socktype = SOCK_STREAM,
                             .ai_flags = AI_PASSIVE | AI_NUMERICSERV},
                    *ai = NULL;
    char port[16];
    snprintf(port, sizeof port, "%d", s->cfg.port);
    int gai = getaddrinfo(s->host, port, &hints, &ai);
    if (gai)
        return nqi_error_set(err, NQI_EIO, "cannot resolve listen host %s: %s", s->host,
                             gai_strerror(gai));
    http_router_prepare(s);
    http_metrics_init(s);
    s->started = true;
    s->start_ms = now_ms();
    unsigned flags =
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC | MHD_USE_ERROR_LOG;
    if (ai->ai_family == AF_INET6)
        flags |= MHD_USE_IPv6;
    /* The logger goes first so MHD uses it for everything after; a pool of
     * one thread is no pool (MHD warns), so the option is left out then. */
    struct MHD_OptionItem opts[] = {
        {MHD_OPTION_EXTERNAL_LOGGER, (intptr_t)mhd_log, NULL},
        {MHD_OPTION_SOCK_ADDR, 0, ai->ai_addr},
        {MHD_OPTION_CONNECTION_TIMEOUT, s->cfg.conn_timeout_s, NULL},
        {MHD_OPTION_CONNECTION_LIMIT, s->cfg.conn_limit, NULL},
        {MHD_OPTION_CONNECTION_MEMORY_LIMIT, HTTP_CONN_MEMORY, NULL},
        {MHD_OPTION_URI_LOG_CALLBACK, (intptr_t)on_uri, s},
        {MHD_OPTION_NOTIFY_COMPLETED, (intptr_t)on_completed, s},
        {MHD_OPTION_NOTIFY_CONNECTION, (intptr_t)on_connection, s},
        {MHD_OPTION_LISTENING_ADDRESS_REUSE, 1, NULL},
        {s->cfg.threads > 1 ? MHD_OPTION_THREAD_POOL_SIZE : MHD_OPTION_END, s->cfg.threads, NULL},
        {MHD_OPTION_END, 0, NULL},
        {MHD_OPTION_END, 0, NULL},
    };
    /* per-IP limit: into the first free slot (0 = no limit: left out) */
    for (size_t i = 0; s->per_ip_limit > 0 && i < sizeof opts / sizeof opts[0]; i++)
        if (opts[i].option == MHD_OPTION_END) {
            opts[i] = (struct MHD_OptionItem){MHD_OPTION_PER_IP_CONNECTION_LIMIT,
                                              s->per_ip_limit, NULL};
            break;
        }
    s->d = MHD_start_daemon(flags, (uint16_t)s->cfg.port, NULL, NULL, on_request, s,
                            MHD_OPTION_ARRAY, opts, MHD_OPTION_END);
    freeaddrinfo(ai);
    if (!s->d)
        return nqi_error_set(err, NQI_EIO, "cannot listen on %s:%d: %s", s->host, s->cfg.port,
                             strerror(errno));
    const union MHD_DaemonInfo *di = MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_BIND_PORT);
    s->port = di ? di->port : s->cfg.port;
    if (s->deadline_s > 0 && pthread_create(&s->reaper, NULL, reaper_main, s) == 0)
        s->reaper_running = true;
    return 0;
}

int http_server_port(http_server *s)
{
    return s->port;
}

int http_server_inflight(http_server *s)
{
    return __atomic_load_n(&s->inflight, __ATOMIC_SEQ_CST);
}

void http_server_stop(http_server *s)
{
    if (!s)
        return;
    if (s->d) {
        MHD_socket lfd = MHD_quiesce_daemon(s->d);
        int64_t deadline = mono_us() + (int64_t)HTTP_STOP_WAIT_MS * 1000;
        while (http_server_inflight(s) > 0 && mono_us() < deadline) {
            struct timespec ts = {0, 5 * 1000 * 1000};
            nanosleep(&ts, NULL);
        }
        if (http_server_inflight(s) > 0)
            fprintf(stderr, "nqi http: stopping with %d request(s) still running\n",
                    http_server_inflight(s));
        if (s->reaper_running) { /* before MHD closes the sockets it may look at */
            pthread_mutex_lock(&s->conns_mu);
            s->reaper_stop = true;
            pthread_cond_signal(&s->reaper_cv);
            pthread_mutex_unlock(&s->conns_mu);
            pthread_join(s->reaper, NULL);
            s->reaper_running = false;
        }
        MHD_stop_daemon(s->d);
        if (lfd != MHD_INVALID_SOCKET)
            close(lfd);
        s->d = NULL;
    }
    pthread_cond_destroy(&s->reaper_cv);
    pthread_mutex_destroy(&s->conns_mu);
    http_router_release(s);
    free(s->metrics);
    free(s->static_root);
    free(s->host);
    free(s);
}

void http_resp_rows_problem(http_resp *w, const http_req *r, const char *detail,
                            const http_row_error *rows, size_t n, size_t total)
{
    char type[128];
    snprintf(type, sizeof type, "https://nqi.dev/problems/%s", nqi_error_slug(NQI_EINVAL));
    json_t *errors = json_array();
    if (n > 100000)
        n = 100000;
    for (size_t i = 0; i < n; i++) {
        char field[160];
        snprintf(field, sizeof field, "rows/%lld/%s", (long long)rows[i].row,
                 rows[i].field ? rows[i].field : "");
        json_t *m = json_string(rows[i].message ? rows[i].message : "");
        json_array_append_new(errors, json_pack("{s:s, s:o}", "field", field, "message",
                                                m ? m : json_string("(invalid text)")));
    }
    json_t *p = json_pack("{s:s, s:s, s:i, s:s, s:s, s:s, s:o, s:I}", "type", type, "title",
                          nqi_error_title(NQI_EINVAL), "status", 422, "detail", detail,
                          "instance", r->path ? r->path : "", "request_id", r->request_id,
                          "errors", errors, "rejected", (json_int_t)total);
    char *s = json_dump_compact(p);
    json_decref(p);
    http_resp_text(w, 422, "application/problem+json", s, strlen(s));
}
