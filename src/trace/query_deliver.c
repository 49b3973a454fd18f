/*
 * query_deliver.c — the webhook delivery worker of EPCIS subscriptions
 * (`nqi serve`; trace_sub_run is one pass, also called by tests).
 *
 * Stream subscriptions: each pass, for each active subscription, the named
 * query runs restricted to rows after after_record (row order, at most 100
 * events); a non-empty result is claimed by a compare-and-set on
 * last_attempt (one server sends it), POSTed as an EPCISQueryDocument with
 * GS1-Signature = base64(HMAC-SHA256(signatureToken, body)), and
 * after_record advances — compare-and-set on its old value, so nothing is
 * sent twice — only on a 2xx answer. Anything else is retried after
 * NQI_TRACE_SUB_RETRY_MS (default 5 s) from the same position. Scheduled
 * subscriptions act when next_run is due (see deliver()). The HTTP client is
 * the tracking module's (webhook_http_post: http:// only).
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "core/util.h"
#include "standards/tracking.h"
#include "trace/query.h"

#define SUB_BATCH 100
#define SUB_TIMEOUT_MS 5000

static int64_t env_ms(const char *name, int64_t def)
{
    const char *e = getenv(name);
    long long v = e && *e ? strtoll(e, NULL, 10) : 0;
    return v > 0 ? v : def;
}

/* One subscription as the worker reads it. */
typedef struct sub {
    int64_t id, after, last, next_run;
    bool report_if_empty;
    char *dest, *secret, *name, *query, *owner, *schedule; /* schedule NULL: stream */
} sub;

/* POST body to dest signed with secret; *code gets the HTTP status (0 when
 * no answer came), why the reason. */
static void post_signed(const char *dest, const char *secret, const char *body, int *code,
                        char *why, size_t nwhy)
{
    unsigned char mac[crypto_auth_hmacsha256_BYTES];
    crypto_auth_hmacsha256_state st;
    crypto_auth_hmacsha256_init(&st, (const unsigned char *)secret, strlen(secret));
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)body, strlen(body));
    crypto_auth_hmacsha256_final(&st, mac);
    char b64[64], h1[96];
    sodium_bin2base64(b64, sizeof b64, mac, sizeof mac, sodium_base64_VARIANT_ORIGINAL);
    snprintf(h1, sizeof h1, "GS1-Signature: %s", b64);
    const char *hs[] = {h1, "GS1-EPCIS-Version: 2.0.0"};
    *code = 0;
    webhook_http_post(dest, hs, 2, body, strlen(body), SUB_TIMEOUT_MS, code, why, nwhy);
}

/* Send one subscription's pending events; *sent += 1 when acknowledged.
 * A stream sends when there is something new. A scheduled subscription acts
 * only when its next_run is due: it sends what is new (an empty document
 * too with reportIfEmpty) and moves next_run on once the run is complete
 * — a batch shorter than SUB_BATCH; a longer backlog goes out batch by batch
 * on the following passes. Every state change is a compare-and-set on
 * (after_record, next_run), so two servers never send one batch twice. */
static int deliver(store_conn *c, const sub *s, int64_t now, int *sent, nqi_error *err)
{
    trace_vis vis = {.all = s->owner == NULL, .org = s->owner};
    epcis_query *q = NULL;
    json_t *events = NULL;
    int64_t last = 0;
    int rc = trace_query_stored(s->query, &vis, &q, err);
    if (!rc)
        rc = epcis_query_add(q, "perPage", "100", err);
    if (!rc)
        rc = epcis_query_run(c, q, EPC_FMT_DL, s->after, &events, NULL, &last, err);
    epcis_query_free(q);
    size_t n = json_array_size(events);
    if (rc || (!n && !s->schedule)) {
        json_decref(events);
        return rc;
    }
    int64_t next = s->next_run, ch = 0;
    if (s->schedule && n < SUB_BATCH) { /* this run is complete: the next one */
        epcis_schedule sc;
        nqi_error pe = {0};
        json_t *js = json_loads(s->schedule, 0, NULL);
        if (!epcis_schedule_parse(js, &sc, &pe))
            next = epcis_schedule_next(&sc, now, trace_schedule_offset());
        json_decref(js);
        if (next < 0 || pe.code) /* cannot happen for a schedule that was accepted */
            next = INT64_MAX;
    }
    if (!n && !s->report_if_empty) { /* nothing new, nothing to say: just move on */
        json_decref(events);
        return store_exec(c,
                          "UPDATE epcis_subscriptions SET next_run = ? WHERE id = ? AND "
                          "after_record = ? AND next_run = ?",
                          (store_val[]){SV_INT(next), SV_INT(s->id), SV_INT(s->after),
                                        SV_INT(s->next_run)},
                          4, NULL, err);
    }
    /* claim: one server sends this batch */
    rc = store_exec(c,
                    "UPDATE epcis_subscriptions SET last_attempt = ?, last_status = 'sending' "
                    "WHERE id = ? AND after_record = ? AND COALESCE(last_attempt, 0) = ? AND "
                    "COALESCE(next_run, 0) = ?",
                    (store_val[]){SV_INT(now), SV_INT(s->id), SV_INT(s->after), SV_INT(s->last),
                                  SV_INT(s->schedule ? s->next_run : 0)},
                    5, &ch, err);
    if (rc || !ch) {
        json_decref(events);
        return rc;
    }
    char sidtxt[24];
    snprintf(sidtxt, sizeof sidtxt, "%lld", (long long)s->id);
    json_t *doc = epcis_query_document(s->name, sidtxt, events);
    char *body = json_dumps(doc, JSON_COMPACT);
    json_decref(doc);
    int code = 0;
    char why[300] = "";
    post_signed(s->dest, s->secret, body, &code, why, sizeof why);
    free(body);
    bool ok = code >= 200 && code <= 299;
    char status[320];
    snprintf(status, sizeof status, "%s", ok ? "delivered" : code ? "" : why);
    if (!ok && code)
        snprintf(status, sizeof status, "HTTP %d", code);
    rc = store_exec(c,
                    "UPDATE epcis_subscriptions SET after_record = ?, next_run = ?, "
                    "last_status = ? WHERE id = ? AND after_record = ?",
                    (store_val[]){SV_INT(ok && n ? last : s->after),
                                  s->schedule ? SV_INT(ok ? next : s->next_run) : SV_NULL,
                                  SV_TEXT(status), SV_INT(s->id), SV_INT(s->after)},
                    5, NULL, err);
    if (!rc && ok)
        (*sent)++;
    return rc;
}

int trace_sub_run(store_conn *c, int *sent, nqi_error *err)
{
    static const char sql[] =
        "SELECT s.id, s.dest, s.secret, s.after_record, COALESCE(s.last_attempt, 0), "
        "s.last_status, q.name, q.query, q.owner_org, s.schedule, s.report_if_empty, "
        "COALESCE(s.next_run, 0) FROM epcis_subscriptions s JOIN epcis_queries q ON "
        "q.id = s.query_id WHERE s.active = 1 AND (s.schedule IS NULL OR s.next_run <= ?) "
        "ORDER BY s.id";
    *sent = 0;
    int64_t retry = env_ms("NQI_TRACE_SUB_RETRY_MS", 5000), now = now_ms();
    store_rows *r;
    int rc = store_query(c, sql, (store_val[]){SV_INT(now)}, 1, &r, err);
    if (rc)
        return rc;
    sub *subs = NULL;
    size_t n = 0, cap = 0;
    while ((rc = store_next(r)) == 1) {
        const char *st = store_text(r, 5);
        int64_t last = store_int(r, 4);
        /* after a failure (or a send that never finished) wait before retrying */
        if (st && strcmp(st, "delivered") && now - last < retry)
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 16;
            subs = xrealloc(subs, cap * sizeof *subs);
        }
        const char *own = store_text(r, 8), *sch = store_text(r, 9);
        subs[n++] = (sub){.id = store_int(r, 0),
                          .after = store_int(r, 3),
                          .last = last,
                          .next_run = store_int(r, 11),
                          .report_if_empty = store_int(r, 10) != 0,
                          .dest = xstrdup(store_text(r, 1)),
                          .secret = xstrdup(store_text(r, 2)),
                          .name = xstrdup(store_text(r, 6)),
                          .query = xstrdup(store_text(r, 7)),
                          .owner = own ? xstrdup(own) : NULL,
                          .schedule = sch ? xstrdup(sch) : NULL};
    }
    rc = rc < 0 ? store_rows_error(r, err) : 0;
    store_rows_close(r);
    for (size_t i = 0; i < n; i++) {
        if (!rc)
            rc = deliver(c, &subs[i], now, sent, err);
        free(subs[i].dest), free(subs[i].secret), free(subs[i].name), free(subs[i].query);
        free(subs[i].owner), free(subs[i].schedule);
    }
    free(subs);
    return rc;
}

static struct {
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool running, stop;
    store *st;
    int64_t poll_ms;
} W = {.mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER};

static void *worker_main(void *arg)
{
    int64_t last_log = 0;
    pthread_mutex_lock(&W.mu);
    while (!W.stop) {
        pthread_mutex_unlock(&W.mu);
        nqi_error e = {0};
        int sent = 0;
        store_conn *c = store_conn_thread(W.st, &e);
        if ((!c || trace_sub_run(c, &sent, &e)) && now_ms() - last_log > 60000) {
            last_log = now_ms();
            fprintf(stderr, "nqi trace: subscriptions: %s\n", e.message);
        }
        pthread_mutex_lock(&W.mu);
        if (W.stop)
            break;
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        int64_t ns = ts.tv_nsec + (W.poll_ms % 1000) * 1000000;
        ts.tv_sec += W.poll_ms / 1000 + ns / 1000000000;
        ts.tv_nsec = ns % 1000000000;
        pthread_cond_timedwait(&W.cv, &W.mu, &ts);
    }
    pthread_mutex_unlock(&W.mu);
    return NULL;
}

int trace_sub_start(nqi_app *app, nqi_error *err)
{
    if (sodium_init() < 0)
        return nqi_error_set(err, NQI_EINTERNAL, "libsodium failed to initialise");
    W.st = app->st;
    W.poll_ms = env_ms("NQI_TRACE_SUB_POLL_MS", 2000);
    W.stop = false;
    if (pthread_create(&W.thread, NULL, worker_main, NULL))
        return nqi_error_set(err, NQI_EINTERNAL, "cannot start the subscription worker");
    W.running = true;
    return 0;
}

void trace_sub_stop(nqi_app *app)
{
    if (!W.running)
        return;
    pthread_mutex_lock(&W.mu);
    W.stop = true;
    pthread_cond_signal(&W.cv);
    pthread_mutex_unlock(&W.mu);
    pthread_join(W.thread, NULL);
    W.running = false;
}
