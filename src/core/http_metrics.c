/* http_metrics.c — request counters and latency histograms per route, and
 * the Prometheus text rendering for /metrics.
 *
 * The route table is fixed at http_server_start, so the counters are plain
 * arrays indexed by route (plus two pseudo routes: static files and
 * unmatched requests) updated with relaxed atomic adds: no lock on the hot
 * path. Rendering reads them without a lock too; a scrape may see one
 * request counted in _count and not yet in a bucket, which Prometheus
 * tolerates. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/http_internal.h"

const int64_t http_bucket_us[HTTP_NBUCKETS] = {1000,    2500,    5000,    10000,  25000,
                                               50000,   100000,  250000,  500000, 1000000,
                                               2500000, 5000000, 10000000};
const char *const http_bucket_le[HTTP_NBUCKETS] = {"0.001", "0.0025", "0.005", "0.01", "0.025",
                                                   "0.05",  "0.1",    "0.25",  "0.5",  "1",
                                                   "2.5",   "5",      "10"};
const int http_status_slots[HTTP_NSTATUS - 1] = {200, 201, 202, 204, 206, 301, 302, 303,
                                                 304, 400, 401, 403, 404, 405, 409, 410,
                                                 413, 415, 422, 429, 431, 500, 503};

void http_metrics_init(http_server *s)
{
    free(s->metrics);
    s->metrics = xcalloc((size_t)s->nroutes + 2, sizeof *s->metrics);
}

static int status_slot(int status)
{
    for (int i = 0; i < HTTP_NSTATUS - 1; i++)
        if (http_status_slots[i] == status)
            return i;
    return HTTP_NSTATUS - 1;
}

void http_metrics_record(http_server *s, int idx, int status, int64_t dur_us)
{
    if (!s->metrics || idx < 0 || idx > s->nroutes + 1)
        return;
    http_route_metrics *m = &s->metrics[idx];
    int b = 0;
    while (b < HTTP_NBUCKETS && dur_us > http_bucket_us[b])
        b++;
    __atomic_fetch_add(&m->status[status_slot(status)], 1, __ATOMIC_RELAXED);
    __atomic_fetch_add(&m->bucket[b], 1, __ATOMIC_RELAXED);
    __atomic_fetch_add(&m->sum_us, (uint64_t)(dur_us > 0 ? dur_us : 0), __ATOMIC_RELAXED);
    __atomic_fetch_add(&m->count, 1, __ATOMIC_RELAXED);
}

/* Label values are route patterns and methods (ours, not user text), but
 * escape anyway: backslash, quote, newline. */
static void put_label(buf *b, const char *v)
{
    for (; *v; v++) {
        if (*v == '\\' || *v == '"')
            buf_printf(b, "\\%c", *v);
        else if (*v == '\n')
            buf_puts(b, "\\n");
        else
            buf_append(b, v, 1);
    }
}

static void labels(buf *b, const char *route, const char *method)
{
    buf_puts(b, "route=\"");
    put_label(b, route);
    buf_puts(b, "\",method=\"");
    put_label(b, method);
    buf_puts(b, "\"");
}

static void route_names(http_server *s, int i, const char **route, const char **method)
{
    if (i < s->nroutes) {
        *route = s->routes[i].pattern;
        *method = s->routes[i].method;
    } else {
        *route = i == s->nroutes ? "static" : "unmatched";
        *method = "ANY";
    }
}

static void render_requests(http_server *s, buf *b)
{
    buf_puts(b, "# HELP nqi_http_requests_total HTTP requests by route pattern, method and "
                "status.\n# TYPE nqi_http_requests_total counter\n");
    for (int i = 0; s->metrics && i < s->nroutes + 2; i++) {
        const char *route, *method;
        route_names(s, i, &route, &method);
        for (int k = 0; k < HTTP_NSTATUS; k++) {
            uint64_t n = __atomic_load_n(&s->metrics[i].status[k], __ATOMIC_RELAXED);
            if (!n)
                continue;
            buf_puts(b, "nqi_http_requests_total{");
            labels(b, route, method);
            if (k < HTTP_NSTATUS - 1)
                buf_printf(b, ",status=\"%d\"} %llu\n", http_status_slots[k],
                           (unsigned long long)n);
            else
                buf_printf(b, ",status=\"other\"} %llu\n", (unsigned long long)n);
        }
    }
}

static void render_latency(http_server *s, buf *b)
{
    buf_puts(b, "# HELP nqi_http_request_duration_seconds Time from request line to "
                "response queued.\n# TYPE nqi_http_request_duration_seconds histogram\n");
    for (int i = 0; s->metrics && i < s->nroutes + 2; i++) {
        const http_route_metrics *m = &s->metrics[i];
        uint64_t count = __atomic_load_n(&m->count, __ATOMIC_RELAXED);
        if (!count)
            continue;
        const char *route, *method;
        route_names(s, i, &route, &method);
        uint64_t cum = 0;
        for (int k = 0; k <= HTTP_NBUCKETS; k++) {
            cum += __atomic_load_n(&m->bucket[k], __ATOMIC_RELAXED);
            buf_puts(b, "nqi_http_request_duration_seconds_bucket{");
            labels(b, route, method);
            buf_printf(b, ",le=\"%s\"} %llu\n", k < HTTP_NBUCKETS ? http_bucket_le[k] : "+Inf",
                       (unsigned long long)cum);
        }
        buf_puts(b, "nqi_http_request_duration_seconds_sum{");
        labels(b, route, method);
        buf_printf(b, "} %.6f\n", (double)__atomic_load_n(&m->sum_us, __ATOMIC_RELAXED) / 1e6);
        buf_puts(b, "nqi_http_request_duration_seconds_count{");
        labels(b, route, method);
        buf_printf(b, "} %llu\n", (unsigned long long)count);
    }
}

static void render_process(http_server *s, buf *b)
{
    long pages = 0, resident = 0;
    FILE *f = fopen("/proc/self/statm", "r");
    if (f) {
        if (fscanf(f, "%ld %ld", &pages, &resident) != 2)
            resident = 0;
        fclose(f);
    }
    long psz = sysconf(_SC_PAGESIZE);
    buf_printf(b,
               "# TYPE nqi_process_resident_memory_bytes gauge\n"
               "nqi_process_resident_memory_bytes %lld\n"
               "# TYPE nqi_process_start_time_seconds gauge\n"
               "nqi_process_start_time_seconds %.3f\n"
               "# TYPE nqi_http_requests_in_flight gauge\n"
               "nqi_http_requests_in_flight %d\n",
               (long long)resident * (psz > 0 ? psz : 4096), (double)s->start_ms / 1000.0,
               http_server_inflight(s));
}

char *http_metrics_text(http_server *s)
{
    buf b;
    buf_init(&b, 0);
    render_requests(s, &b);
    render_latency(s, &b);
    if (s->st) {
        int conns = 0;
        int64_t queries = 0, busy = 0;
        store_stats(s->st, &conns, &queries, &busy);
        buf_printf(&b,
                   "# TYPE nqi_store_connections gauge\nnqi_store_connections %d\n"
                   "# TYPE nqi_store_queries_total counter\nnqi_store_queries_total %lld\n"
                   "# TYPE nqi_store_busy_retries_total counter\n"
                   "nqi_store_busy_retries_total %lld\n",
                   conns, (long long)queries, (long long)busy);
    }
    render_process(s, &b);
    char *out = buf_steal(&b);
    return out ? out : xstrdup("");
}
