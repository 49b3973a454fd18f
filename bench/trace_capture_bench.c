/*
 * trace_capture_bench.c — the in-process baseline for bench/trace_capture.sh:
 * the same documents through epcis_doc_parse (parse + validate + normalise +
 * hash) and epcis_events_prepare and epcis_capture_run (store, one transaction per document) without
 * HTTP, one thread, on a fresh database.
 *   build/bench/trace_capture_bench DBURL DOC...
 * Prints: events, parse µs/event, store µs/event, events/s (wall), CPU s.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>

#include "core/http.h"
#include "core/util.h"
#include "trace/epcis.h"

static double cpu_s(void)
{
    struct rusage u;
    getrusage(RUSAGE_SELF, &u);
    return (double)u.ru_utime.tv_sec + (double)u.ru_stime.tv_sec +
           ((double)u.ru_utime.tv_usec + (double)u.ru_stime.tv_usec) / 1e6;
}

int main(int argc, char **argv)
{
    if (argc < 3)
        return fprintf(stderr, "usage: trace_capture_bench DBURL DOC...\n"), 2;
    store *st;
    nqi_error err = {0};
    int applied;
    if (store_open(argv[1], &st, &err) || store_migrate(st, &applied, &err))
        return fprintf(stderr, "%s\n", err.message), 1;
    /* as under nqi serve: checkpoints on a thread of their own */
    if (store_sqlite_checkpointer_start(st, &err))
        return fprintf(stderr, "%s\n", err.message), 1;
    store_conn *c = store_conn_thread(st, &err);
    http_principal p = {.user_id = 1, .role = ROLE_ENTERPRISE};
    snprintf(p.username, sizeof p.username, "bench");
    int64_t tparse = 0, tstore = 0, n = 0;
    double c0 = cpu_s();
    int64_t w0 = mono_us();
    for (int i = 2; i < argc; i++) {
        char *b;
        size_t len;
        if (file_read_all(argv[i], 0, &b, &len))
            return fprintf(stderr, "cannot read %s\n", argv[i]), 1;
        int64_t t0 = mono_us();
        epcis_doc d;
        if (epcis_doc_parse(b, len, EPCIS_JSON, 5000, &d, &err))
            return fprintf(stderr, "%s: %s\n", argv[i], err.message), 1;
        epcis_events_prepare(&d); /* on the HTTP thread in nqi serve */
        int64_t t1 = mono_us();
        epcis_capture_in in = {.owner_org = "91110000802100433B", .created_by = 1};
        int64_t job;
        if (epcis_capture_run(c, &p, &in, &d, &job, &err) || json_array_size(d.errors))
            return fprintf(stderr, "%s: capture failed %s\n", argv[i], err.message), 1;
        tparse += t1 - t0;
        tstore += mono_us() - t1;
        n += (int64_t)d.n;
        epcis_doc_free(&d);
        free(b);
    }
    double wall = (double)(mono_us() - w0) / 1e6;
    printf("{\"events\":%lld,\"parse_us\":%.1f,\"store_us\":%.1f,\"events_per_s\":%.0f,"
           "\"cpu_s\":%.2f}\n",
           (long long)n, (double)tparse / (double)n, (double)tstore / (double)n, (double)n / wall,
           cpu_s() - c0);
    store_close(st);
    return 0;
}
