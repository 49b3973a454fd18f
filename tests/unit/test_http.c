/* test_http.c — the HTTP core against a real server on 127.0.0.1:0, spoken
 * to with a tiny raw-socket client (so the test sees exactly what goes on
 * the wire: keep-alive, chunked uploads, unnormalised paths). */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/http.h"
#include "core/json.h"
#include "core/util.h"
#include "fixture.h"

static http_server *srv;
static int port;
static char tmpdir[256];  /* holds both */
static char root[300];    /* static dir */
static char outside[300]; /* a secret file outside it */

/* ---- tiny client ---- */

typedef struct resp {
    int status;
    char head[8192];
    char *body;
    size_t len;
} resp;

static int conn_open(void)
{
    return test_http_connect(port, 5);
}

static void send_all(int fd, const char *p, size_t n)
{
    while (n) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w <= 0)
            return; /* server may close early (413): reading tells */
        p += w;
        n -= (size_t)w;
    }
}

/* Case-insensitive header lookup in r->head; copies the value. */
static const char *hdr(const resp *r, const char *name, char *out, size_t n)
{
    return test_http_header(r->head, name, out, n);
}

/* Read one response (headers, then Content-Length bytes unless head_only
 * or no length: then until EOF). Returns 0, -1 when the socket closed. */
static int read_resp(int fd, resp *r, bool head_only)
{
    memset(r, 0, sizeof *r);
    size_t hl = 0;
    while (hl < sizeof r->head - 1) {
        ssize_t k = recv(fd, r->head + hl, 1, 0);
        if (k <= 0)
            return -1;
        hl++;
        if (hl >= 4 && !memcmp(r->head + hl - 4, "\r\n\r\n", 4))
            break;
    }
    r->head[hl] = 0;
    sscanf(r->head, "HTTP/1.%*d %d", &r->status);
    char v[64];
    long cl = hdr(r, "Content-Length", v, sizeof v) ? atol(v) : -1;
    if (head_only)
        cl = 0;
    size_t cap = cl >= 0 ? (size_t)cl + 1 : 65536;
    r->body = xmalloc(cap);
    for (;;) {
        if (cl >= 0 && r->len == (size_t)cl)
            break;
        if (r->len + 1 >= cap)
            r->body = xrealloc(r->body, cap *= 2);
        ssize_t k = recv(fd, r->body + r->len, cl >= 0 ? (size_t)cl - r->len : cap - r->len - 1, 0);
        if (k <= 0)
            break;
        r->len += (size_t)k;
    }
    r->body[r->len] = 0;
    return 0;
}

static void resp_free(resp *r)
{
    free(r->body);
    r->body = NULL;
}

/* One request on a fresh connection. */
static void req(resp *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void req(resp *r, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *raw = NULL;
    assert_true(vasprintf(&raw, fmt, ap) > 0);
    va_end(ap);
    int fd = conn_open();
    send_all(fd, raw, strlen(raw));
    assert_int_equal(read_resp(fd, r, !strncmp(raw, "HEAD ", 5)), 0);
    free(raw);
    close(fd);
}

static void get(resp *r, const char *path)
{
    req(r, "GET %s HTTP/1.1\r\nHost: t\r\n\r\n", path);
}

static void post(resp *r, const char *path, const char *ctype, const char *body, const char *extra)
{
    req(r, "POST %s HTTP/1.1\r\nHost: t\r\nContent-Type: %s\r\nContent-Length: %zu\r\n%s\r\n%s",
        path, ctype, strlen(body), extra ? extra : "", body);
}

static json_t *body_json(const resp *r)
{
    json_error_t je;
    json_t *j = json_loadb(r->body, r->len, 0, &je);
    if (!j)
        fail_msg("response body not JSON: %s (%s)", je.text, r->body);
    return j;
}

/* Asserts a problem+json with this status and returns it (caller decrefs). */
static json_t *problem(const resp *r, int status)
{
    char ct[128];
    assert_int_equal(r->status, status);
    assert_non_null(hdr(r, "Content-Type", ct, sizeof ct));
    assert_string_equal(ct, "application/problem+json");
    json_t *j = body_json(r);
    assert_int_equal(json_integer_value(json_object_get(j, "status")), status);
    assert_non_null(
        strstr(json_string_value(json_object_get(j, "type")), "https://nqi.dev/problems/"));
    assert_non_null(json_object_get(j, "title"));
    assert_non_null(json_object_get(j, "request_id"));
    assert_true(json_is_array(json_object_get(j, "errors")));
    return j;
}

/* ---- test routes ---- */

static void h_ping(http_req *r, http_resp *w)
{
    http_resp_json(w, 200, json_pack("{s:b}", "ok", 1));
}

static void h_item(http_req *r, http_resp *w)
{
    http_resp_json(w, 200, json_pack("{s:s, s:s}", "id", http_param(r, "id"), "route", r->route));
}

static void h_item_special(http_req *r, http_resp *w)
{
    http_resp_json(w, 200, json_pack("{s:s}", "special", "yes"));
}

static void h_create(http_req *r, http_resp *w)
{
    json_t *in;
    nqi_error err = {0};
    static const char *const allowed[] = {"name", "count", NULL};
    const char *name = NULL;
    int64_t count = 1;
    if (http_req_json(r, &in, &err) || json_check_fields(in, allowed, &err) ||
        json_get_str(in, "name", true, 5, &name, &err) ||
        json_get_int(in, "count", false, 1, 100, &count, &err)) {
        json_decref(in);
        http_resp_problem(w, r, &err);
        return;
    }
    http_resp_json(w, 201, json_pack("{s:s, s:I}", "name", name, "count", (json_int_t)count));
    json_decref(in);
}

static void h_admin(http_req *r, http_resp *w)
{
    http_resp_json(w, 200, json_pack("{s:s}", "user", r->principal.username));
}

static void h_query(http_req *r, http_resp *w)
{
    const char *q = http_query(r, "q");
    http_resp_json(w, 200, json_pack("{s:s?}", "q", q));
}

static void h_slow(http_req *r, http_resp *w)
{
    struct timespec ts = {0, 400 * 1000 * 1000};
    nanosleep(&ts, NULL);
    http_resp_json(w, 200, json_pack("{s:s}", "slow", "done"));
}

static int fake_auth(http_req *r, nqi_error *err)
{
    const char *u = http_header_get(r, "X-Test-User");
    if (!u)
        return 0;
    if (!strcmp(u, "bad"))
        return nqi_error_set(err, NQI_EAUTH, "token expired");
    snprintf(r->principal.username, sizeof r->principal.username, "%s", u);
    r->principal.role = role_from_name(u);
    r->principal.user_id = 7;
    return 0;
}

/* The address the server settled on, and a cookie to see Secure added. */
static void h_whoami(http_req *r, http_resp *w)
{
    http_resp_json(w, 200, json_pack("{s:s}", "ip", r->client_ip));
    http_resp_header(w, "Set-Cookie", "k=v; HttpOnly; Path=/");
}

/* Opens a write transaction and "forgets" to end it. */
static void h_leaky_tx(http_req *r, http_resp *w)
{
    nqi_error err = {0};
    if (store_begin(r->db, true, &err)) {
        http_resp_problem(w, r, &err);
        return;
    }
    http_resp_json(w, 200, json_pack("{s:b}", "ok", 1));
}

static void h_tx_state(http_req *r, http_resp *w)
{
    http_resp_json(w, 200, json_pack("{s:b}", "in_tx", r->db && store_in_tx(r->db)));
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static http_server *make_server(int threads)
{
    http_config cfg = {.host = "127.0.0.1",
                       .port = 0,
                       .threads = threads,
                       .conn_limit = 64,
                       .conn_timeout_s = 10,
                       .body_limit = 4096,
                       .static_dir = root,
                       .access_log = getenv("TEST_HTTP_LOG") != NULL};
    http_server *s = http_server_new(&cfg, NULL, NULL);
    http_set_auth(s, fake_auth);
    http_route(s, "GET", "/api/v1/ping", ROLES_ANY, h_ping, 0, "ping");
    http_route(s, "GET", "/api/v1/items/{id}", ROLES_ANY, h_item, 0, "one item");
    http_route(s, "GET", "/api/v1/items/special", ROLES_ANY, h_item_special, 0, "literal");
    http_route(s, "POST", "/api/v1/items", ROLES_ANY, h_create, 0, "create");
    http_route(s, "POST", "/api/v1/small", ROLES_ANY, h_create, 64, "tiny body limit");
    http_route(s, "GET", "/api/v1/admin", ROLE_ADMIN, h_admin, 0, "admin only");
    http_route(s, "GET", "/api/v1/query", ROLES_ANY, h_query, 0, "query echo");
    http_route(s, "GET", "/api/v1/slow", ROLES_ANY, h_slow, 0, "slow");
    http_route(s, "GET", "/metrics", ROLES_ANY, h_ping, 0, "metrics stand-in");
    http_route(s, "GET", "/api/v1/whoami", ROLES_ANY, h_whoami, 0, "client address");
    nqi_error err = {0};
    if (http_server_start(s, &err))
        fail_msg("start: %s", err.message);
    return s;
}

static int setup(void **state)
{
    test_tmpdir(tmpdir, sizeof tmpdir, "http");
    snprintf(outside, sizeof outside, "%s/secret.txt", tmpdir);
    write_file(outside, "TOP-SECRET\n");
    snprintf(root, sizeof root, "%s/dist", tmpdir);
    mkdir(root, 0755);
    char p[512];
    snprintf(p, sizeof p, "%s/index.html", root);
    write_file(p, "<!doctype html><title>nqi</title><div id=app></div>");
    snprintf(p, sizeof p, "%s/assets", root);
    mkdir(p, 0755);
    snprintf(p, sizeof p, "%s/assets/index-abc123.js", root);
    write_file(p, "console.log('nqi')");
    snprintf(p, sizeof p, "%s/assets/index-abc123.css", root);
    write_file(p, "body{}");
    snprintf(p, sizeof p, "%s/favicon.svg", root);
    write_file(p, "<svg/>");
    snprintf(p, sizeof p, "%s/leak.txt", root);
    assert_int_equal(symlink(outside, p), 0);
    srv = make_server(2);
    port = http_server_port(srv);
    assert_true(port > 0);
    return 0;
}

static int teardown(void **state)
{
    http_server_stop(srv);
    test_tmpdir_remove(tmpdir);
    return 0;
}

/* ---- tests ---- */

static void test_ok_json_and_headers(void **state)
{
    resp r;
    char v[128];
    get(&r, "/api/v1/ping");
    assert_int_equal(r.status, 200);
    assert_string_equal(hdr(&r, "Content-Type", v, sizeof v), "application/json");
    assert_string_equal(r.body, "{\"ok\":true}");
    assert_string_equal(hdr(&r, "X-Content-Type-Options", v, sizeof v), "nosniff");
    assert_string_equal(hdr(&r, "Cache-Control", v, sizeof v), "no-store");
    assert_non_null(hdr(&r, "X-Request-Id", v, sizeof v));
    assert_int_equal(strlen(v), 32);
    resp_free(&r);
}

static void test_request_id(void **state)
{
    resp r;
    char v[128];
    req(&r, "GET /api/v1/ping HTTP/1.1\r\nHost: t\r\nX-Request-Id: trace-42_A\r\n\r\n");
    assert_string_equal(hdr(&r, "X-Request-Id", v, sizeof v), "trace-42_A");
    resp_free(&r);
    req(&r, "GET /api/v1/ping HTTP/1.1\r\nHost: t\r\nX-Request-Id: <script>\r\n\r\n");
    assert_string_not_equal(hdr(&r, "X-Request-Id", v, sizeof v), "<script>");
    assert_int_equal(strlen(v), 32);
    resp_free(&r);
    /* also on errors, and inside the problem document */
    req(&r, "GET /api/v1/nope HTTP/1.1\r\nHost: t\r\nX-Request-Id: abc\r\n\r\n");
    json_t *j = problem(&r, 404);
    assert_string_equal(json_string_value(json_object_get(j, "request_id")), "abc");
    assert_string_equal(hdr(&r, "X-Request-Id", v, sizeof v), "abc");
    json_decref(j);
    resp_free(&r);
}

static void test_404_405_head(void **state)
{
    resp r;
    char v[128];
    get(&r, "/api/v1/nope");
    json_t *j = problem(&r, 404);
    assert_string_equal(json_string_value(json_object_get(j, "type")),
                        "https://nqi.dev/problems/not-found");
    assert_string_equal(json_string_value(json_object_get(j, "instance")), "/api/v1/nope");
    json_decref(j);
    resp_free(&r);

    req(&r, "DELETE /api/v1/ping HTTP/1.1\r\nHost: t\r\n\r\n");
    json_decref(problem(&r, 405));
    assert_string_equal(hdr(&r, "Allow", v, sizeof v), "GET, HEAD");
    resp_free(&r);

    req(&r, "HEAD /api/v1/ping HTTP/1.1\r\nHost: t\r\n\r\n");
    assert_int_equal(r.status, 200);
    assert_string_equal(hdr(&r, "Content-Length", v, sizeof v), "11");
    resp_free(&r);

    /* unknown non-GET outside /api is a 404 problem too, not the SPA */
    req(&r, "POST /admin/users HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\n\r\n");
    json_decref(problem(&r, 404));
    resp_free(&r);
}

static void test_path_params(void **state)
{
    resp r;
    get(&r, "/api/v1/items/GB%2FT%2019580-2012");
    assert_int_equal(r.status, 200);
    json_t *j = body_json(&r);
    assert_string_equal(json_string_value(json_object_get(j, "id")), "GB/T 19580-2012");
    assert_string_equal(json_string_value(json_object_get(j, "route")), "/api/v1/items/{id}");
    json_decref(j);
    resp_free(&r);

    get(&r, "/api/v1/items/%E8%B4%A8%E9%87%8F");
    j = body_json(&r);
    assert_string_equal(json_string_value(json_object_get(j, "id")), "质量");
    json_decref(j);
    resp_free(&r);

    get(&r, "/api/v1/items/special"); /* literal beats {id} */
    j = body_json(&r);
    assert_string_equal(json_string_value(json_object_get(j, "special")), "yes");
    json_decref(j);
    resp_free(&r);

    get(&r, "/api/v1/items/bad%zz");
    json_decref(problem(&r, 400));
    resp_free(&r);
    get(&r, "/api/v1/items/a%00b");
    json_decref(problem(&r, 400));
    resp_free(&r);
    get(&r, "/api/v1/items/%FF%FE"); /* not UTF-8 */
    json_decref(problem(&r, 400));
    resp_free(&r);
}

static void test_query(void **state)
{
    resp r;
    get(&r, "/api/v1/query?x=1&q=%E8%B4%A8%E9%87%8F+GB%2FT");
    assert_int_equal(r.status, 200);
    json_t *j = body_json(&r);
    assert_string_equal(json_string_value(json_object_get(j, "q")), "质量 GB/T");
    json_decref(j);
    resp_free(&r);
    get(&r, "/api/v1/query?q=%zz");
    json_decref(problem(&r, 400));
    resp_free(&r);
}

static void test_body_limits(void **state)
{
    resp r;
    /* Content-Length over the route cap with Expect: 100-continue: 413
     * before the body is sent */
    req(&r, "POST /api/v1/small HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
            "Expect: 100-continue\r\nContent-Length: 100000\r\n\r\n");
    json_t *j = problem(&r, 413);
    assert_string_equal(json_string_value(json_object_get(j, "type")),
                        "https://nqi.dev/problems/payload-too-large");
    json_decref(j);
    resp_free(&r);

    /* without Expect the body is drained, then 413 (the client reads it) */
    {
        char *body = xmalloc(100001);
        memset(body, 'y', 100000);
        body[100000] = 0;
        req(&r, "POST /api/v1/small HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
                "Content-Length: 100000\r\n\r\n%s", body);
        free(body);
        json_decref(problem(&r, 413));
        resp_free(&r);
    }

    /* declared far beyond what is worth draining: answered at once */
    req(&r, "POST /api/v1/small HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
            "Content-Length: 999999999\r\n\r\n{\"name\":");
    json_decref(problem(&r, 413));
    resp_free(&r);

    /* chunked: no length up front; the cap applies while collecting */
    char big[300];
    memset(big, 'x', sizeof big);
    char *raw = xasprintf("POST /api/v1/small HTTP/1.1\r\nHost: t\r\nContent-Type: "
                          "application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
                          "%zx\r\n%.*s\r\n%zx\r\n%.*s\r\n0\r\n\r\n",
                          sizeof big, (int)sizeof big, big, sizeof big, (int)sizeof big, big);
    int fd = conn_open();
    send_all(fd, raw, strlen(raw));
    assert_int_equal(read_resp(fd, &r, false), 0);
    json_decref(problem(&r, 413));
    resp_free(&r);
    close(fd);
    free(raw);

    /* a body under the cap via chunked works */
    raw = xasprintf("POST /api/v1/small HTTP/1.1\r\nHost: t\r\nContent-Type: "
                    "application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
                    "5\r\n{\"nam\r\n9\r\ne\":\"abc\"}\r\n0\r\n\r\n");
    fd = conn_open();
    send_all(fd, raw, strlen(raw));
    assert_int_equal(read_resp(fd, &r, false), 0);
    assert_int_equal(r.status, 201);
    resp_free(&r);
    close(fd);
    free(raw);
}

static void test_media_and_json(void **state)
{
    resp r;
    json_t *j;
    post(&r, "/api/v1/items", "text/plain", "{\"name\":\"a\"}", NULL);
    json_decref(problem(&r, 415));
    resp_free(&r);
    post(&r, "/api/v1/items", "application/jsonx", "{\"name\":\"a\"}", NULL);
    json_decref(problem(&r, 415));
    resp_free(&r);

    post(&r, "/api/v1/items", "Application/JSON; charset=UTF-8", "{\"name\":\"质量强省\"}", NULL);
    assert_int_equal(r.status, 201);
    resp_free(&r);

    post(&r, "/api/v1/items", "application/json", "{\"name\":\"a\",\"name\":\"b\"}", NULL);
    j = problem(&r, 400);
    assert_non_null(strstr(json_string_value(json_object_get(j, "detail")), "duplicate"));
    assert_non_null(strstr(json_string_value(json_object_get(j, "detail")), "line 1"));
    json_decref(j);
    resp_free(&r);

    post(&r, "/api/v1/items", "application/json", "{\"name\":\"\xff\xfe\"}", NULL);
    json_decref(problem(&r, 400));
    resp_free(&r);

    post(&r, "/api/v1/items", "application/json", "{\"name\":\"a\"} trailing", NULL);
    json_decref(problem(&r, 400));
    resp_free(&r);

    post(&r, "/api/v1/items", "application/json", "[1,2]", NULL);
    json_decref(problem(&r, 422));
    resp_free(&r);

    post(&r, "/api/v1/items", "application/json", "{\"name\":\"a\",\"evil\":1,\"x\":2}", NULL);
    j = problem(&r, 422);
    json_t *errs = json_object_get(j, "errors");
    assert_int_equal(json_array_size(errs), 2);
    assert_string_equal(json_string_value(json_object_get(json_array_get(errs, 0), "field")),
                        "evil");
    assert_string_equal(json_string_value(json_object_get(json_array_get(errs, 0), "message")),
                        "unknown field");
    json_decref(j);
    resp_free(&r);

    post(&r, "/api/v1/items", "application/json", "{\"name\":\"质量强省战略\"}", NULL); /* 6 > 5 */
    j = problem(&r, 422);
    assert_string_equal(json_string_value(json_object_get(
                            json_array_get(json_object_get(j, "errors"), 0), "field")),
                        "name");
    json_decref(j);
    resp_free(&r);
}

static void test_roles(void **state)
{
    resp r;
    char v[128];
    get(&r, "/api/v1/admin");
    json_decref(problem(&r, 401));
    assert_non_null(hdr(&r, "WWW-Authenticate", v, sizeof v));
    resp_free(&r);
    req(&r, "GET /api/v1/admin HTTP/1.1\r\nHost: t\r\nX-Test-User: enterprise\r\n\r\n");
    json_decref(problem(&r, 403));
    resp_free(&r);
    req(&r, "GET /api/v1/admin HTTP/1.1\r\nHost: t\r\nX-Test-User: bad\r\n\r\n");
    json_t *j = problem(&r, 401);
    assert_string_equal(json_string_value(json_object_get(j, "detail")), "token expired");
    json_decref(j);
    resp_free(&r);
    req(&r, "GET /api/v1/admin HTTP/1.1\r\nHost: t\r\nX-Test-User: admin\r\n\r\n");
    assert_int_equal(r.status, 200);
    resp_free(&r);
}

static void test_keep_alive(void **state)
{
    int fd = conn_open();
    resp r;
    char v[64];
    const char *two = "GET /api/v1/ping HTTP/1.1\r\nHost: t\r\n\r\n"
                      "POST /api/v1/items HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
                      "Content-Length: 12\r\n\r\n{\"name\":\"a\"}";
    send_all(fd, two, strlen(two));
    assert_int_equal(read_resp(fd, &r, false), 0);
    assert_int_equal(r.status, 200);
    assert_null(hdr(&r, "Connection", v, sizeof v));
    resp_free(&r);
    assert_int_equal(read_resp(fd, &r, false), 0);
    assert_int_equal(r.status, 201);
    assert_null(hdr(&r, "Connection", v, sizeof v));
    resp_free(&r);
    /* and a third after a pause, same socket */
    const char *third = "GET /api/v1/items/3 HTTP/1.1\r\nHost: t\r\n\r\n";
    send_all(fd, third, strlen(third));
    assert_int_equal(read_resp(fd, &r, false), 0);
    assert_int_equal(r.status, 200);
    resp_free(&r);
    close(fd);
}

static void test_static(void **state)
{
    resp r;
    char v[512];
    get(&r, "/");
    assert_int_equal(r.status, 200);
    assert_string_equal(hdr(&r, "Content-Type", v, sizeof v), "text/html; charset=utf-8");
    assert_string_equal(hdr(&r, "Cache-Control", v, sizeof v), "no-cache");
    assert_non_null(strstr(hdr(&r, "Content-Security-Policy", v, sizeof v),
                           "style-src 'self' 'unsafe-inline'"));
    assert_string_equal(hdr(&r, "X-Frame-Options", v, sizeof v), "DENY");
    assert_string_equal(hdr(&r, "Referrer-Policy", v, sizeof v), "same-origin");
    assert_non_null(strstr(r.body, "<div id=app>"));
    char etag[128];
    assert_non_null(hdr(&r, "ETag", etag, sizeof etag));
    resp_free(&r);

    req(&r, "GET /index.html HTTP/1.1\r\nHost: t\r\nIf-None-Match: %s\r\n\r\n", etag);
    assert_int_equal(r.status, 304);
    resp_free(&r);

    get(&r, "/assets/index-abc123.js");
    assert_int_equal(r.status, 200);
    assert_string_equal(hdr(&r, "Content-Type", v, sizeof v), "text/javascript; charset=utf-8");
    assert_string_equal(hdr(&r, "Cache-Control", v, sizeof v),
                        "public, max-age=31536000, immutable");
    assert_string_equal(r.body, "console.log('nqi')");
    resp_free(&r);

    get(&r, "/assets/index-abc123.css");
    assert_string_equal(hdr(&r, "Content-Type", v, sizeof v), "text/css; charset=utf-8");
    resp_free(&r);
    get(&r, "/favicon.svg");
    assert_string_equal(hdr(&r, "Content-Type", v, sizeof v), "image/svg+xml");
    resp_free(&r);

    /* SPA fallback: a history-mode route gets index.html */
    get(&r, "/admin/users");
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "<div id=app>"));
    resp_free(&r);
    /* page paths with encoded slashes or dots in a standard number are
     * pages too (deep links to /standards/GB%2FT%201.1-2020) */
    get(&r, "/standards/GB%2FT%201.1-2020");
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "<div id=app>"));
    resp_free(&r);
    get(&r, "/standards/GB/T%201.1-2020");
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "<div id=app>"));
    resp_free(&r);
    /* a missing asset does not */
    get(&r, "/assets/gone-123.js");
    json_decref(problem(&r, 404));
    resp_free(&r);
}

static void test_traversal(void **state)
{
    static const char *const attacks[] = {
        "/../etc/passwd",
        "/%2e%2e/%2e%2e/etc/passwd",
        "/%2E%2E/%2E%2E/%2E%2E/etc/passwd",
        "/assets/..%2f..%2f..%2fetc/passwd",
        "/assets/%2e%2e%2f%2e%2e%2fsecret.txt",
        "/..%5c..%5cetc/passwd",
        "/./../secret.txt",
        "/assets/../../secret.txt",
        "//etc/passwd",
        "/leak.txt", /* symlink pointing outside the root */
        "/index.html%00.js",
        "/.%2e/secret.txt",
        "/%c0%ae%c0%ae/etc/passwd", /* overlong UTF-8 dots */
    };
    for (size_t i = 0; i < sizeof attacks / sizeof attacks[0]; i++) {
        resp r;
        get(&r, attacks[i]);
        /* refused, or (a path that cannot name a file) the app's page:
         * never the file it reaches for */
        bool app_page = r.status == 200 && strstr(r.body, "<div id=app>");
        if (r.status != 400 && r.status != 404 && !app_page)
            fail_msg("%s -> %d", attacks[i], r.status);
        assert_null(strstr(r.body, "root:"));
        assert_null(strstr(r.body, "TOP-SECRET"));
        resp_free(&r);
    }
}

static void test_header_too_large(void **state)
{
    /* CONNECTION_MEMORY_LIMIT is 64 KiB: a 100 KB header must be refused by
     * libmicrohttpd itself (431 or a closed connection), never a crash. */
    size_t n = 100000;
    char *big = xmalloc(n + 1);
    memset(big, 'a', n);
    big[n] = 0;
    char *raw = xasprintf("GET /api/v1/ping HTTP/1.1\r\nHost: t\r\nX-Big: %s\r\n\r\n", big);
    int fd = conn_open();
    send_all(fd, raw, strlen(raw));
    resp r;
    if (read_resp(fd, &r, false) == 0) {
        assert_true(r.status == 431 || r.status == 413 || r.status == 414 || r.status == 400);
        resp_free(&r);
    }
    close(fd);
    free(raw);
    free(big);
    /* still serving, and the refused request did not leak its context
     * (the completion callback ran: nothing counted in flight) */
    get(&r, "/api/v1/ping");
    assert_int_equal(r.status, 200);
    resp_free(&r);
    int64_t deadline = mono_us() + 2000000;
    while (http_server_inflight(srv) > 0 && mono_us() < deadline)
        usleep(1000);
    assert_int_equal(http_server_inflight(srv), 0);
}

static void test_metrics_and_table(void **state)
{
    resp r;
    get(&r, "/api/v1/ping");
    resp_free(&r);
    char *m = http_metrics_text(srv);
    assert_non_null(strstr(
        m, "nqi_http_requests_total{route=\"/api/v1/ping\",method=\"GET\",status=\"200\"} "));
    assert_non_null(strstr(m, "nqi_http_request_duration_seconds_bucket{route=\"/api/v1/ping\","
                              "method=\"GET\",le=\"+Inf\"}"));
    assert_non_null(strstr(m, "nqi_http_request_duration_seconds_count{route=\"/api/v1/ping\""));
    assert_non_null(strstr(m, "nqi_http_requests_total{route=\"unmatched\""));
    assert_non_null(strstr(m, "nqi_http_requests_total{route=\"static\""));
    assert_non_null(strstr(m, "nqi_process_resident_memory_bytes "));
    free(m);

    json_t *t = http_route_table(srv);
    assert_int_equal(json_array_size(t), 10);
    json_t *admin = json_array_get(t, 5);
    assert_string_equal(json_string_value(json_object_get(admin, "path")), "/api/v1/admin");
    assert_int_equal(json_array_size(json_object_get(admin, "roles")), 1);
    assert_string_equal(json_string_value(json_array_get(json_object_get(admin, "roles"), 0)),
                        "admin");
    assert_int_equal(json_array_size(json_object_get(json_array_get(t, 0), "roles")), 5);
    json_decref(t);
}

static void *slow_client(void *arg)
{
    resp *r = arg;
    get(r, "/api/v1/slow");
    return NULL;
}

static void test_graceful_stop(void **state)
{
    /* a second server; the slow request must complete across stop */
    http_server *s2 = make_server(1);
    int saved = port;
    port = http_server_port(s2);
    resp r = {0};
    pthread_t t;
    pthread_create(&t, NULL, slow_client, &r);
    int64_t deadline = mono_us() + 2000000;
    while (http_server_inflight(s2) == 0 && mono_us() < deadline)
        usleep(1000);
    assert_int_equal(http_server_inflight(s2), 1);
    http_server_stop(s2);
    pthread_join(t, NULL);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.body, "{\"slow\":\"done\"}");
    resp_free(&r);
    /* the port no longer accepts */
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
    assert_true(connect(fd, (struct sockaddr *)&a, sizeof a) != 0);
    close(fd);
    port = saved;
}

/* Several clients at once, each keeping its connection alive: counts must
 * add up (metrics are lock-free atomics) and nothing may cross requests. */
static void *hammer(void *arg)
{
    intptr_t id = (intptr_t)arg, bad = 0;
    int fd = conn_open();
    for (int i = 0; i < 50; i++) {
        char raw[160], want[64];
        snprintf(raw, sizeof raw, "GET /api/v1/items/t%ld-%d HTTP/1.1\r\nHost: t\r\n\r\n", (long)id,
                 i);
        snprintf(want, sizeof want, "\"id\":\"t%ld-%d\"", (long)id, i);
        send_all(fd, raw, strlen(raw));
        resp r;
        if (read_resp(fd, &r, false) || r.status != 200 || !strstr(r.body, want))
            bad++;
        resp_free(&r);
    }
    close(fd);
    return (void *)bad;
}

static void test_concurrent(void **state)
{
    pthread_t t[6];
    for (intptr_t i = 0; i < 6; i++)
        pthread_create(&t[i], NULL, hammer, (void *)i);
    for (int i = 0; i < 6; i++) {
        void *bad;
        pthread_join(t[i], &bad);
        assert_int_equal((intptr_t)bad, 0);
    }
    /* metrics are recorded when MHD reports the request complete, just
     * after the client has read the response */
    int64_t deadline = mono_us() + 2000000;
    while (http_server_inflight(srv) > 0 && mono_us() < deadline)
        usleep(1000);
    char *m = http_metrics_text(srv);
    const char *line = strstr(
        m, "nqi_http_requests_total{route=\"/api/v1/items/{id}\",method=\"GET\",status=\"200\"} ");
    long n = line ? atol(strstr(line, "\"} ") + 3) : -1;
    free(m);
    assert_true(n >= 300);
}

static void test_url_helpers(void **state)
{
    char out[64];
    assert_int_equal(http_url_decode("a%20b+c", 7, out, true), 5);
    assert_string_equal(out, "a b c");
    assert_int_equal(http_url_decode("a+b", 3, out, false), 3);
    assert_string_equal(out, "a+b");
    assert_int_equal(http_url_decode("%4", 2, out, false), -1);
    assert_int_equal(http_url_decode("%00", 3, out, false), -1);
    assert_int_equal(http_url_decode("%ED%A0%80", 9, out, false), -1); /* surrogate */

    char *vals[HTTP_MAX_PARAMS];
    int n;
    assert_int_equal(http_path_match("/a/{x}/c/{y}", "/a/1/c/%E8%B4%A8", vals, 8, &n), 1);
    assert_int_equal(n, 2);
    assert_string_equal(vals[0], "1");
    assert_string_equal(vals[1], "质");
    free(vals[0]);
    free(vals[1]);
    assert_int_equal(http_path_match("/a/{x}", "/a/", vals, 8, &n), 0);
    assert_int_equal(http_path_match("/a/{x}", "/a/b/c", vals, 8, &n), 0);
    assert_int_equal(http_path_match("/a", "/a/", vals, 8, &n), 0);
    assert_int_equal(http_path_match("/a/{x}", "/a/%zz", vals, 8, &n), -1);

    http_kv kv[4];
    assert_int_equal(http_query_parse("a=1&&b&c=x%26y", 14, kv, 4), 3);
    assert_string_equal(kv[1].name, "b");
    assert_string_equal(kv[1].value, "");
    assert_string_equal(kv[2].value, "x&y");
    http_kv_free(kv, 3);
    assert_int_equal(http_query_parse("a&b&c&d&e", 9, kv, 4), -1);

    assert_int_equal(http_static_path("/", out, sizeof out), 0);
    assert_string_equal(out, "index.html");
    assert_int_equal(http_static_path("/assets/x.js", out, sizeof out), 0);
    assert_string_equal(out, "assets/x.js");
    assert_int_equal(http_static_path("/a/%2e%2e/b", out, sizeof out), NQI_ENOTFOUND);
    assert_int_equal(http_static_path("/a%2Fb", out, sizeof out), NQI_EBADREQ);
    assert_int_equal(http_static_path("/.env", out, sizeof out), NQI_ENOTFOUND);
    assert_string_equal(role_name(ROLE_REGULATOR), "regulator");
    assert_int_equal(role_from_name("inspector"), ROLE_INSPECTOR);
    assert_int_equal(role_from_name("root"), 0);
}


/* ---- hardening: servers configured through the environment ---- */

typedef struct env_cfg {
    const char *per_ip, *deadline, *proxies, *secure;
    store *st;
    bool access_log;
} env_cfg;

static void env_set(const char *name, const char *v)
{
    if (v)
        setenv(name, v, 1);
    else
        unsetenv(name);
}

/* A one-thread server that read e's settings from the environment; sets
 * the global port (tests restore it). */
static http_server *env_server(const env_cfg *e)
{
    env_set("NQI_PER_IP_CONN_LIMIT", e->per_ip);
    env_set("NQI_REQUEST_TIMEOUT_S", e->deadline);
    env_set("NQI_TRUSTED_PROXIES", e->proxies);
    env_set("NQI_COOKIE_SECURE", e->secure);
    http_config cfg = {.host = "127.0.0.1", .port = 0, .threads = 1, .conn_limit = 64,
                       .conn_timeout_s = 10, .body_limit = 4096, .access_log = e->access_log};
    http_server *s = http_server_new(&cfg, e->st, NULL);
    http_route(s, "GET", "/api/v1/ping", ROLES_ANY, h_ping, 0, "ping");
    http_route(s, "POST", "/api/v1/items", ROLES_ANY, h_create, 0, "create");
    http_route(s, "GET", "/api/v1/whoami", ROLES_ANY, h_whoami, 0, "client address");
    http_route(s, "POST", "/api/v1/leak", ROLES_ANY, h_leaky_tx, 0, "leaves a tx open");
    http_route(s, "GET", "/api/v1/txstate", ROLES_ANY, h_tx_state, 0, "tx state");
    nqi_error err = {0};
    if (http_server_start(s, &err))
        fail_msg("start: %s", err.message);
    env_set("NQI_PER_IP_CONN_LIMIT", NULL);
    env_set("NQI_REQUEST_TIMEOUT_S", NULL);
    env_set("NQI_TRUSTED_PROXIES", NULL);
    env_set("NQI_COOKIE_SECURE", NULL);
    port = http_server_port(s);
    return s;
}

/* Has the server closed fd? Reads (and drops) any answer, up to ms for
 * EOF or a reset. */
static bool closed_within(int fd, int ms)
{
    int64_t end = mono_us() + (int64_t)ms * 1000;
    char b[512];
    for (;;) {
        int left = (int)((end - mono_us()) / 1000);
        struct pollfd p = {.fd = fd, .events = POLLIN};
        if (left <= 0 || poll(&p, 1, left) <= 0)
            return false;
        ssize_t k = recv(fd, b, sizeof b, MSG_DONTWAIT);
        if (k == 0)
            return true;
        if (k < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
            return true;
    }
}

static double now_s(void)
{
    return (double)mono_us() / 1e6;
}

static void test_both_lengths_refused(void **state)
{
    /* Content-Length and Transfer-Encoding together: a proxy and we could
     * frame the body differently (request smuggling). 400, connection closed,
     * so the bytes after the headers are never read as a second request. */
    int fd = conn_open();
    const char *raw = "POST /api/v1/items HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
                      "Content-Length: 12\r\nTransfer-Encoding: chunked\r\n\r\n"
                      "c\r\n{\"name\":\"a\"}\r\n0\r\n\r\n"
                      "GET /api/v1/admin HTTP/1.1\r\nHost: t\r\nX-Test-User: admin\r\n\r\n";
    send_all(fd, raw, strlen(raw));
    resp r;
    assert_int_equal(read_resp(fd, &r, false), 0);
    json_t *p = problem(&r, 400);
    assert_non_null(strstr(json_string_value(json_object_get(p, "detail")), "Transfer-Encoding"));
    json_decref(p);
    resp_free(&r);
    assert_true(closed_within(fd, 2000));
    close(fd);
    /* one framing alone is fine */
    post(&r, "/api/v1/items", "application/json", "{\"name\":\"a\"}", NULL);
    assert_int_equal(r.status, 201);
    resp_free(&r);
}

static void test_per_ip_limit(void **state)
{
    int saved = port;
    http_server *s = env_server(&(env_cfg){.per_ip = "3"});
    int fds[3];
    for (int i = 0; i < 3; i++) { /* held open, mid-request */
        fds[i] = conn_open();
        send_all(fds[i], "GET /api/v1/ping HTTP/1.1\r\n", 27);
    }
    struct timespec ts = {0, 100 * 1000 * 1000};
    nanosleep(&ts, NULL);
    int extra = conn_open(); /* the kernel accepts; MHD closes it at once */
    send_all(extra, "GET /api/v1/ping HTTP/1.1\r\nHost: t\r\n\r\n", 38);
    assert_true(closed_within(extra, 2000));
    close(extra);
    close(fds[0]);
    nanosleep(&ts, NULL);
    resp r;
    get(&r, "/api/v1/ping"); /* a slot is free again */
    assert_int_equal(r.status, 200);
    resp_free(&r);
    close(fds[1]);
    close(fds[2]);
    http_server_stop(s);
    port = saved;
}

/* Trickle bytes until the server closes the connection; the seconds it took,
 * or -1 if it was still open after limit_s. */
static double trickle(int fd, const char *bytes, double limit_s)
{
    double t0 = now_s();
    for (size_t i = 0; now_s() - t0 < limit_s; i++) {
        if (bytes[i % strlen(bytes)])
            send(fd, bytes + i % strlen(bytes), 1, MSG_NOSIGNAL);
        if (closed_within(fd, 200))
            return now_s() - t0;
    }
    return -1;
}

static void test_request_deadline(void **state)
{
    int saved = port;
    http_server *s = env_server(&(env_cfg){.deadline = "1"});
    resp r;
    get(&r, "/api/v1/ping"); /* a prompt request is not affected */
    assert_int_equal(r.status, 200);
    resp_free(&r);

    /* headers a byte at a time, each well inside the 10 s idle timeout */
    int fd = conn_open();
    send_all(fd, "GET /api/v1/ping HTTP/1.1\r\n", 27);
    double t = trickle(fd, "X-Slow-Header-Padding-", 5.0);
    close(fd);
    assert_true(t > 0.5 && t < 3.5);

    /* a body a byte at a time */
    fd = conn_open();
    const char *h = "POST /api/v1/items HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
                    "Content-Length: 200\r\n\r\n";
    send_all(fd, h, strlen(h));
    t = trickle(fd, " ", 5.0);
    close(fd);
    assert_true(t > 0.5 && t < 3.5);
    http_server_stop(s);
    port = saved;
}

static json_t *whoami(const char *extra, char *cookie, size_t n)
{
    resp r;
    req(&r, "GET /api/v1/whoami HTTP/1.1\r\nHost: t\r\n%s\r\n", extra);
    assert_int_equal(r.status, 200);
    if (!hdr(&r, "Set-Cookie", cookie, n))
        cookie[0] = 0;
    json_t *j = body_json(&r);
    resp_free(&r);
    return j;
}

#define WHO_IP(j) json_string_value(json_object_get((j), "ip"))

static void test_trusted_proxy(void **state)
{
    char ck[256];
    /* No trusted proxy (the main server): X-Forwarded-For is ignored. */
    json_t *j = whoami("X-Forwarded-For: 203.0.113.7\r\nX-Forwarded-Proto: https\r\n", ck,
                       sizeof ck);
    assert_string_equal(WHO_IP(j), "127.0.0.1");
    assert_null(strstr(ck, "Secure"));
    json_decref(j);

    int saved = port;
    http_server *s = env_server(&(env_cfg){.proxies = " 10.9.9.9 , 127.0.0.1,not-an-ip"});
    /* The right-most entry is the one our proxy added; the rest is the
     * client's word. */
    j = whoami("X-Forwarded-For: 1.2.3.4, 203.0.113.7\r\n", ck, sizeof ck);
    assert_string_equal(WHO_IP(j), "203.0.113.7");
    assert_null(strstr(ck, "Secure"));
    json_decref(j);
    j = whoami("X-Forwarded-For: 1.2.3.4\r\nX-Forwarded-For: 2001:db8::1\r\n"
               "X-Forwarded-Proto: https\r\n",
               ck, sizeof ck);
    assert_string_equal(WHO_IP(j), "2001:db8::1");
    assert_string_equal(ck, "k=v; HttpOnly; Path=/; Secure");
    json_decref(j);
    j = whoami("X-Forwarded-For: evil\r\n", ck, sizeof ck);
    assert_string_equal(WHO_IP(j), "127.0.0.1");
    json_decref(j);
    j = whoami("", ck, sizeof ck);
    assert_string_equal(WHO_IP(j), "127.0.0.1");
    json_decref(j);
    http_server_stop(s);

    s = env_server(&(env_cfg){.secure = "1"});
    j = whoami("", ck, sizeof ck);
    assert_string_equal(ck, "k=v; HttpOnly; Path=/; Secure");
    json_decref(j);
    http_server_stop(s);
    port = saved;
}

static void test_tx_left_open(void **state)
{
    char dir[256];
    test_tmpdir(dir, sizeof dir, "http-tx");
    char *url = xasprintf("sqlite:%s/t.db", dir);
    store *st = NULL;
    nqi_error err = {0};
    assert_int_equal(store_open(url, &st, &err), 0);
    free(url);
    int saved = port;
    http_server *s = env_server(&(env_cfg){.st = st});
    resp r;
    post(&r, "/api/v1/leak", "application/json", "{}", NULL);
    json_t *p = problem(&r, 500);
    json_decref(p);
    resp_free(&r);
    get(&r, "/api/v1/txstate"); /* same worker thread, same connection */
    assert_int_equal(r.status, 200);
    assert_string_equal(r.body, "{\"in_tx\":false}");
    resp_free(&r);
    http_server_stop(s);
    store_close(st);
    port = saved;
    test_tmpdir_remove(dir);
}

static void test_access_log_escaped(void **state)
{
    char path[] = "/tmp/nqi-http-log-XXXXXX";
    int lf = mkstemp(path);
    assert_true(lf >= 0);
    fflush(stderr);
    int saved_err = dup(2);
    dup2(lf, 2);
    int saved = port;
    http_server *s = env_server(&(env_cfg){.access_log = true});
    resp r;
    /* raw bytes MHD passes through: a terminal escape, a quote, a high byte */
    req(&r, "GET /api/v1/x\x1b[2J\"\xff HTTP/1.1\r\nHost: t\r\n\r\n");
    resp_free(&r);
    http_server_stop(s); /* the log line is written before stop returns */
    fflush(stderr);
    dup2(saved_err, 2);
    close(saved_err);
    port = saved;
    char *log = NULL;
    assert_int_equal(file_read_all(path, 1 << 20, &log, NULL), 0);
    close(lf);
    unlink(path);
    assert_non_null(strstr(log, "/api/v1/x\\x1b[2J\\x22\\xff "));
    assert_null(strchr(log, '\x1b'));
    free(log);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_url_helpers),
        cmocka_unit_test(test_ok_json_and_headers),
        cmocka_unit_test(test_request_id),
        cmocka_unit_test(test_404_405_head),
        cmocka_unit_test(test_path_params),
        cmocka_unit_test(test_query),
        cmocka_unit_test(test_body_limits),
        cmocka_unit_test(test_media_and_json),
        cmocka_unit_test(test_roles),
        cmocka_unit_test(test_keep_alive),
        cmocka_unit_test(test_static),
        cmocka_unit_test(test_traversal),
        cmocka_unit_test(test_header_too_large),
        cmocka_unit_test(test_metrics_and_table),
        cmocka_unit_test(test_concurrent),
        cmocka_unit_test(test_graceful_stop),
        cmocka_unit_test(test_both_lengths_refused),
        cmocka_unit_test(test_per_ip_limit),
        cmocka_unit_test(test_request_deadline),
        cmocka_unit_test(test_trusted_proxy),
        cmocka_unit_test(test_tx_left_open),
        cmocka_unit_test(test_access_log_escaped),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
