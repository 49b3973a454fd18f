/*
 * capture_writer.c — on SQLite, captures run one at a time on a writer
 * thread of their own; the HTTP threads parse and validate in parallel and
 * wait for their turn.
 *
 * Why: SQLite has one writer. Two captures on two server threads meant
 * the second waited in the store's busy handler, which sleeps in steps of
 * up to 100 ms, so the lock sat idle between captures; and each thread's
 * connection dropped its page cache whenever another connection had
 * committed, so every capture re-read the index pages. A FIFO in front of
 * one connection hands the lock over at once and keeps that connection's
 * cache warm. PostgreSQL runs captures on the request's thread (it has
 * row locks, not one writer).
 *
 * The writer exists only in `nqi serve` (epcis_capture_writer_start, from
 * the trace module's start hook); elsewhere (CLI, unit tests) captures run
 * inline. The thread lives until the process exits; the server stops it
 * implicitly: no request can be waiting once the HTTP server has stopped.
 */
#include <pthread.h>
#include <stdbool.h>

#include "core/http.h"
#include "trace/epcis.h"
#include "trace/epcis_internal.h"

typedef struct wjob {
    const http_principal *actor;
    const epcis_capture_in *in;
    epcis_doc *d;
    int64_t *job_id;
    nqi_error *err;
    int rc;
    bool done;
    struct wjob *next;
} wjob;

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t work = PTHREAD_COND_INITIALIZER;
static pthread_cond_t finished = PTHREAD_COND_INITIALIZER;
static wjob *head, *tail;
static store *wstore; /* set once the writer runs */

static void *writer(void *arg)
{
    store *st = arg;
    nqi_error e = {0};
    store_conn *c = store_conn_thread(st, &e);
    for (;;) {
        pthread_mutex_lock(&mu);
        while (!head)
            pthread_cond_wait(&work, &mu);
        wjob *j = head;
        head = j->next;
        if (!head)
            tail = NULL;
        pthread_mutex_unlock(&mu);
        if (c)
            j->rc = epcis_capture_run_here(c, j->actor, j->in, j->d, j->job_id, j->err);
        else
            j->rc =
                nqi_error_set(j->err, e.code ? e.code : NQI_EDB, "capture writer: %s", e.message);
        pthread_mutex_lock(&mu);
        j->done = true;
        pthread_cond_broadcast(&finished);
        pthread_mutex_unlock(&mu);
    }
    return NULL;
}

int epcis_capture_writer_start(store *st, nqi_error *err)
{
    if (store_kind(st) != STORE_SQLITE || wstore)
        return 0;
    pthread_t t;
    pthread_attr_t a;
    pthread_attr_init(&a);
    pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
    int r = pthread_create(&t, &a, writer, st);
    pthread_attr_destroy(&a);
    if (r)
        return nqi_error_set(err, NQI_EINTERNAL, "cannot start the capture writer thread");
    wstore = st;
    return 0;
}

int epcis_capture_run(store_conn *c, const http_principal *actor, const epcis_capture_in *in,
                      epcis_doc *d, int64_t *job_id, nqi_error *err)
{
    epcis_events_prepare(d); /* on this thread, in parallel with other captures */
    if (!wstore || store_conn_store(c) != wstore)
        return epcis_capture_run_here(c, actor, in, d, job_id, err);
    wjob j = {.actor = actor, .in = in, .d = d, .job_id = job_id, .err = err};
    pthread_mutex_lock(&mu);
    if (tail)
        tail->next = &j;
    else
        head = &j;
    tail = &j;
    pthread_cond_signal(&work);
    while (!j.done)
        pthread_cond_wait(&finished, &mu);
    pthread_mutex_unlock(&mu);
    return j.rc;
}
