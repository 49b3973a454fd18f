/*
 * webhook.c — webhook delivery: HMAC-SHA256 signatures, sending through
 * core/http_client (libcurl, http and https, SSRF deny list), the retry schedule, claiming
 * due deliveries from the store, and the background worker of `nqi serve`
 * (which also runs the fan-out and the reminders).
 *
 * Delivery state lives only in webhook_deliveries, so several servers on one
 * PostgreSQL share the work: a worker claims a row with
 *   UPDATE ... SET claimed_by = me WHERE id = ? AND status = 'pending'
 *                                   AND claimed_by IS NULL
 * (one statement: exactly one worker sees "1 row changed"), sends it with no
 * transaction open, then records the outcome WHERE claimed_by = me. A claim
 * older than WEBHOOK_CLAIM_TTL_MS (a server died mid-send) is released.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "core/auth.h"
#include "core/http_client.h"
#include "core/json.h"
#include "core/page.h"
#include "core/util.h"
#include "core/version.h"
#include "standards/standards.h"
#include "standards/tracking.h"

#define WEBHOOK_TIMEOUT_MS 5000
#define WEBHOOK_CLAIM_TTL_MS (5 * 60 * 1000LL)
#define WEBHOOK_BASE_DEFAULT_MS 30000
#define REMIND_EVERY_MS (60 * 1000LL)

/* ---------------------------------------------------------------- signing */

void webhook_signature(const char *secret, const char *body, size_t n, char out[72])
{
    unsigned char mac[crypto_auth_hmacsha256_BYTES];
    crypto_auth_hmacsha256_state st;
    crypto_auth_hmacsha256_init(&st, (const unsigned char *)secret, strlen(secret));
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)body, n);
    crypto_auth_hmacsha256_final(&st, mac);
    memcpy(out, "sha256=", 7);
    hex_encode(mac, sizeof mac, out + 7);
}

/* ---------------------------------------------------------------- URLs */

int webhook_url_check(const char *url, nqi_error *err)
{
    char why[160];
    if (http_client_url_check(url, why, sizeof why))
        return nqi_error_field(err, NQI_EINVAL, "webhook_url", "%s", why);
    return 0;
}

/* ---------------------------------------------------------------- backoff */

static int64_t backoff_base(void)
{
    const char *e = getenv("NQI_WEBHOOK_BACKOFF_MS");
    long long v = e && *e ? strtoll(e, NULL, 10) : 0;
    return v > 0 ? v : WEBHOOK_BASE_DEFAULT_MS;
}

int64_t webhook_backoff_ms(int attempt)
{
    static const int64_t factor[] = {1, 4, 20, 120, 720};
    if (attempt < 1 || attempt >= WEBHOOK_MAX_ATTEMPTS)
        return 0;
    return backoff_base() * factor[attempt - 1];
}

/* ---------------------------------------------------------------- HTTP */

int webhook_http_post(const char *url, const char *const *headers, int nheaders, const char *body,
                      size_t n, int timeout_ms, int *status, char *errbuf, size_t errlen)
{
    return http_client_post(url, headers, nheaders, body, n, timeout_ms, status, errbuf, errlen);
}

/* ---------------------------------------------------------------- deliveries */

typedef struct due {
    int64_t id, event_id, attempts, watchlist;
    char *url, *payload, *secret;
} due;

/* Claim one delivery; 1 when this worker got it. */
static int claim(store_conn *c, int64_t id, const char *worker, nqi_error *err)
{
    static const char sql[] = "UPDATE webhook_deliveries SET claimed_by = ?, claimed_at = ? "
                              "WHERE id = ? AND status = 'pending' AND claimed_by IS NULL";
    int64_t ch = 0;
    int rc = store_exec(c, sql, (store_val[]){SV_TEXT(worker), SV_INT(now_ms()), SV_INT(id)}, 3,
                        &ch, err);
    return rc ? rc : ch == 1;
}

static int load_due(store_conn *c, int64_t id, due *d, nqi_error *err)
{
    static const char sql[] =
        "SELECT d.url, d.payload, d.attempts, d.event_id, w.webhook_secret, w.webhook_url, "
        "d.watchlist_id FROM webhook_deliveries d JOIN watchlists w ON w.id = d.watchlist_id "
        "WHERE d.id = ?";
    store_rows *r;
    memset(d, 0, sizeof *d);
    d->id = id;
    int rc = store_query(c, sql, (store_val[]){SV_INT(id)}, 1, &r, err);
    if (rc)
        return rc;
    rc = store_next(r);
    if (rc == 1) {
        const char *cur = store_text(r, 5);
        /* the watchlist's current URL wins (it may have been edited) */
        d->url = xstrdup(cur && *cur ? cur : store_text(r, 0));
        d->payload = xstrdup(store_text(r, 1));
        d->attempts = store_int(r, 2);
        d->event_id = store_int(r, 3);
        const char *s = store_text(r, 4);
        d->secret = s ? xstrdup(s) : NULL;
        d->watchlist = store_int(r, 6);
        rc = 0;
    } else {
        rc = rc < 0 ? store_rows_error(r, err) : nqi_error_set(err, NQI_ENOTFOUND, "gone");
    }
    store_rows_close(r);
    return rc;
}

static void due_free(due *d)
{
    free(d->url);
    free(d->payload);
    free(d->secret);
}

/* Send one claimed delivery and record the outcome. */
static int attempt(store_conn *c, int64_t id, const char *worker, nqi_error *err)
{
    static const char done[] =
        "UPDATE webhook_deliveries SET attempts = ?, status = ?, next_attempt_at = ?, "
        "response_code = ?, last_error = ?, claimed_by = NULL, claimed_at = NULL, updated_at = ?, "
        "delivered_at = ?, url = ? WHERE id = ? AND claimed_by = ?";
    due d;
    int rc = load_due(c, id, &d, err);
    if (rc)
        return rc;
    int code = 0;
    char why[300] = "";
    int n = (int)d.attempts + 1;
    if (!d.secret) {
        snprintf(why, sizeof why, "the watchlist has no webhook any more");
    } else {
        char sig[72], h1[96], h2[48], h3[48], h4[48];
        webhook_signature(d.secret, d.payload, strlen(d.payload), sig);
        snprintf(h1, sizeof h1, "X-NQI-Signature: %s", sig);
        snprintf(h2, sizeof h2, "X-NQI-Event-Id: %lld", (long long)d.event_id);
        snprintf(h3, sizeof h3, "X-NQI-Delivery-Id: %lld", (long long)d.id);
        snprintf(h4, sizeof h4, "X-NQI-Attempt: %d", n);
        const char *hs[] = {h1, h2, h3, h4};
        if (!webhook_http_post(d.url, hs, 4, d.payload, strlen(d.payload), WEBHOOK_TIMEOUT_MS,
                               &code, why, sizeof why) &&
            (code < 200 || code > 299))
            snprintf(why, sizeof why, "HTTP %d", code);
    }
    bool ok = code >= 200 && code <= 299;
    int64_t now = now_ms(), wait = ok || !d.secret ? 0 : webhook_backoff_ms(n);
    const char *status = ok ? "delivered" : wait ? "pending" : "failed";
    store_val p[] = {SV_INT(n),
                     SV_TEXT(status),
                     SV_INT(now + wait),
                     code ? SV_INT(code) : SV_NULL,
                     SV_TEXT(ok ? NULL : why),
                     SV_INT(now),
                     ok ? SV_INT(now) : SV_NULL,
                     SV_TEXT(d.url),
                     SV_INT(id),
                     SV_TEXT(worker)};
    rc = store_exec(c, done, p, 10, NULL, err);
    due_free(&d);
    return rc;
}

int webhook_run_due(store_conn *c, const char *worker, int max, int *attempted, nqi_error *err)
{
    static const char release[] =
        "UPDATE webhook_deliveries SET claimed_by = NULL, claimed_at = NULL WHERE status = "
        "'pending' AND claimed_by IS NOT NULL AND claimed_at < ?";
    static const char pick[] =
        "SELECT id FROM webhook_deliveries WHERE status = 'pending' AND claimed_by IS NULL AND "
        "next_attempt_at <= ? ORDER BY next_attempt_at, id LIMIT ?";
    *attempted = 0;
    int64_t now = now_ms();
    int rc =
        store_exec(c, release, (store_val[]){SV_INT(now - WEBHOOK_CLAIM_TTL_MS)}, 1, NULL, err);
    if (rc)
        return rc;
    int64_t ids[64];
    int n = 0;
    if (max > 64)
        max = 64;
    store_rows *r;
    rc = store_query(c, pick, (store_val[]){SV_INT(now), SV_INT(max)}, 2, &r, err);
    if (rc)
        return rc;
    while ((rc = store_next(r)) == 1 && n < max)
        ids[n++] = store_int(r, 0);
    rc = rc < 0 ? store_rows_error(r, err) : 0;
    store_rows_close(r);
    for (int i = 0; !rc && i < n; i++) {
        int got = claim(c, ids[i], worker, err);
        if (got < 0)
            return got;
        if (!got)
            continue; /* another server took it */
        rc = attempt(c, ids[i], worker, err);
        (*attempted)++;
    }
    return rc;
}

static json_t *delivery_row(store_rows *r, void *ctx)
{
    char t1[32], t2[32], t3[32], t4[32];
    int64_t id = store_int(r, 0);
    const char *st = store_text(r, 3);
    return json_pack(
        "{s:I, s:I, s:s, s:s, s:I, s:s?, s:o, s:s?, s:s, s:s, s:s?}", "id", (json_int_t)id,
        "event_id", (json_int_t)store_int(r, 1), "url", store_text(r, 2), "status", st, "attempts",
        (json_int_t)store_int(r, 4), "next_attempt_at",
        strcmp(st, "pending") ? NULL : time_iso8601(store_int(r, 5), t1, 32), "response_code",
        store_isnull(r, 6) ? json_null() : json_integer(store_int(r, 6)), "last_error",
        store_text(r, 7), "created_at", time_iso8601(store_int(r, 8), t2, 32), "updated_at",
        time_iso8601(store_int(r, 9), t3, 32), "delivered_at",
        store_isnull(r, 10) ? NULL : time_iso8601(store_int(r, 10), t4, 32));
}

int webhook_deliveries_list(store_conn *c, const http_principal *actor, int64_t watchlist,
                            int64_t limit, int64_t cursor, json_t **out, nqi_error *err)
{
    static const char sql[] =
        "SELECT id, event_id, url, status, attempts, next_attempt_at, response_code, last_error, "
        "created_at, updated_at, delivered_at FROM webhook_deliveries WHERE watchlist_id = ? "
        "AND (? = 0 OR id < ?) ORDER BY id DESC LIMIT ?";
    json_t *w = NULL;
    *out = NULL;
    int rc = tracking_watch_get(c, actor, watchlist, &w, err); /* access check */
    json_decref(w);
    if (rc)
        return rc;
    store_rows *r;
    store_val p[] = {SV_INT(watchlist), SV_INT(cursor), SV_INT(cursor), SV_INT(limit + 1)};
    rc = store_query(c, sql, p, 4, &r, err);
    if (rc)
        return rc;
    return store_page_json(r, limit, delivery_row, NULL, out, err);
}

/* ---------------------------------------------------------------- worker */

static struct {
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool running, stop;
    store *st;
    int64_t poll_ms;
    char id[96];
} W = {.mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER};

static void worker_log(const char *what, const nqi_error *e)
{
    static int64_t last;
    int64_t now = now_ms();
    if (now - last < 60000) /* at most one line a minute */
        return;
    last = now;
    fprintf(stderr, "nqi tracking: %s: %s\n", what, e->message);
}

static void worker_pass(store_conn *c, int64_t *last_remind)
{
    nqi_error e = {0};
    if (tracking_fanout_pending(c) && tracking_fanout(c, NULL, &e))
        worker_log("fan-out", &e);
    int64_t now = now_ms();
    if (now - *last_remind >= REMIND_EVERY_MS) {
        nqi_error_clear(&e);
        if (tracking_reminders(c, NULL, NULL, &e))
            worker_log("reminders", &e);
        *last_remind = now;
    }
    int n = 0;
    do {
        nqi_error_clear(&e);
        if (webhook_run_due(c, W.id, 16, &n, &e)) {
            worker_log("delivery", &e);
            break;
        }
    } while (n == 16 && !__atomic_load_n(&W.stop, __ATOMIC_RELAXED));
}

static void *worker_main(void *arg)
{
    int64_t last_remind = 0;
    for (;;) {
        pthread_mutex_lock(&W.mu);
        bool stop = W.stop;
        pthread_mutex_unlock(&W.mu);
        if (stop)
            break;
        nqi_error e = {0};
        store_conn *c = store_conn_thread(W.st, &e);
        if (c)
            worker_pass(c, &last_remind);
        else
            worker_log("store", &e);
        pthread_mutex_lock(&W.mu);
        if (!W.stop) {
            struct timespec ts;
            clock_gettime(CLOCK_REALTIME, &ts);
            int64_t ns = ts.tv_nsec + (W.poll_ms % 1000) * 1000000;
            ts.tv_sec += W.poll_ms / 1000 + ns / 1000000000;
            ts.tv_nsec = ns % 1000000000;
            pthread_cond_timedwait(&W.cv, &W.mu, &ts);
        }
        pthread_mutex_unlock(&W.mu);
    }
    return NULL;
}

int webhook_worker_start(nqi_app *app, nqi_error *err)
{
    if (sodium_init() < 0)
        return nqi_error_set(err, NQI_EINTERNAL, "libsodium failed to initialise");
    const char *e = getenv("NQI_TRACKING_POLL_MS");
    long long poll = e && *e ? strtoll(e, NULL, 10) : 2000;
    if (poll <= 0)
        poll = 2000;
    if (backoff_base() < poll)
        poll = backoff_base();
    if (poll < 20)
        poll = 20;
    char host[64] = "";
    gethostname(host, sizeof host - 1);
    unsigned char rnd[4];
    char rh[9];
    randombytes_buf(rnd, sizeof rnd);
    hex_encode(rnd, sizeof rnd, rh);
    snprintf(W.id, sizeof W.id, "%.40s:%d:%s", host, (int)getpid(), rh);
    W.st = app->st;
    W.poll_ms = poll;
    W.stop = false;
    if (pthread_create(&W.thread, NULL, worker_main, NULL))
        return nqi_error_set(err, NQI_EINTERNAL, "cannot start the tracking worker");
    W.running = true;
    return 0;
}

void webhook_worker_stop(nqi_app *app)
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
