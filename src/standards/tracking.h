/*
 * tracking.h — standards tracking (标准跟踪): watchlists, the inbox of
 * events made from catalogue changes, transition reminders, webhook
 * delivery; and publication notices (标准发布动态) that apply their items to
 * the catalogue. See docs/modules/tracking.md for the API contract and the
 * design of the fan-out and the delivery worker.
 *
 * Ownership (whole header): inputs are borrowed for the call; json_t
 * outputs belong to the caller (json_decref); malloc'd strings returned
 * through char ** are freed by the caller.
 *
 * Transactions: functions that write run inside the caller's write
 * transaction when one is open, and in their own otherwise (as
 * standards_import does). Every write is audited, except the fan-out and the
 * webhook bookkeeping, which derive from already-audited changes.
 *
 * Events come from standard_changes rows: tracking_fanout matches every row
 * after the cursor (settings 'tracking.cursor') to the watchlists and writes
 * watch_events (+ webhook_deliveries), advancing the cursor in the same
 * transaction. It takes the "standards.import" lock first, so on PostgreSQL
 * no change can commit behind the cursor: anything that inserts
 * standard_changes must hold that lock (standards_import does).
 */
#ifndef NQI_STD_TRACKING_H
#define NQI_STD_TRACKING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "core/app.h"
#include "core/err.h"
#include "core/http.h"
#include "core/store.h"

extern const nqi_module tracking_module;

#define TRACK_REMIND_DEFAULT 30 /* days before implemented_on */
#define TRACK_REMIND_MAX 365
#define TRACK_FANOUT_BATCH 500 /* changes per transaction */

/* ---------------------------------------------------------------- matching */

/* What a watchlist is matched against: one catalogue row. */
typedef struct track_std {
    const char *std_key;       /* "GB/T 19580" */
    const char *committee;     /* may be NULL */
    const char *ics;           /* "03.120.10" or "03.120.10;03.100" — may be NULL */
    const char *search_tokens; /* text_tokens output stored with the row */
} track_std;

/* The key a watchlist of `kind` ("number", "committee", "ics", "query") is
 * matched by, from what the user typed (*out malloc'd):
 *   number     the std_key of the parsed number ("gb/t19580-2012" -> "GB/T 19580")
 *   committee  the trimmed name (matched by equality)
 *   ics        the trimmed code, digits and dots only ("03.120" matches 03.120.10)
 *   query      the query's tokens (text_scan, query mode) separated by spaces,
 *              '*' appended to a prefix term — see tracking_match
 * NQI_EINVAL with a field error on "kind" or "value". */
int tracking_match_key(const char *kind, const char *value, char **out, nqi_error *err);

/* Does a standard match a watchlist (kind, match_key)?
 *   number: std_key equality; committee: equality; ics: any of the row's
 *   codes (split on ; , space) starts with the key at a dot boundary;
 *   query: every query term is a token of the row's search_tokens (a
 *   prefix term: a prefix of one) — the AND query of the full-text search. */
bool tracking_match(const char *kind, const char *match_key, const track_std *s);

/* ---------------------------------------------------------------- events */

/* Turn every standard_changes row after the cursor into watch_events for the
 * matching watchlists (and a pending webhook delivery for each event of a
 * watchlist with a URL). Idempotent (UNIQUE (watchlist_id, dedupe)); safe
 * when several servers run it at once. Batches of TRACK_FANOUT_BATCH changes,
 * one transaction each (the caller's, when open: then all in it).
 * *nevents (may be NULL) gets the number of events written. */
int tracking_fanout(store_conn *c, int64_t *nevents, nqi_error *err);

/* True when standard_changes holds rows after the cursor (a cheap read). */
bool tracking_fanout_pending(store_conn *c);

/* Transition reminders: for every watchlist and every matching standard whose
 * implemented_on is in [today, today + remind_days], one "reminder" event
 * ("GB/T 19580-2012 将于 2012-08-01 实施"), once per watchlist, standard and
 * date. today: 'YYYY-MM-DD' (NULL = standards_today). */
int tracking_reminders(store_conn *c, const char *today, int64_t *nevents, nqi_error *err);

/* The Chinese one-line title of a change event, e.g.
 * "GB/T 19580-2012 状态变更：即将实施 → 现行" (malloc'd). title_zh: the
 * standard's title (used for "new"; may be NULL); detail: the change's JSON
 * detail (may be NULL). */
char *tracking_event_title(const char *number, const char *title_zh, const char *kind,
                           const json_t *detail);

/* ---------------------------------------------------------------- watchlists */

typedef struct track_watch_in {
    const char *name, *kind, *value;
    const char *webhook_url; /* NULL = keep (PATCH) / none (create); "" = remove */
    int64_t remind_days;     /* -1 = keep (PATCH) / default (create) */
    bool new_feed_token, new_webhook_secret; /* PATCH: rotate */
} track_watch_in;

/* Owner string of a principal: "u:<user id>" or "t:<token id>". */
void tracking_owner(const http_principal *p, char out[32]);

/* Create a watchlist owned by actor. *out: the watchlist (see the contract)
 * with feed_url (holding the feed token, shown only here) and, when a
 * webhook_url was given, webhook_secret (shown only here). */
int tracking_watch_create(store_conn *c, const http_principal *actor, const track_watch_in *in,
                          json_t **out, nqi_error *err);
/* Update (fields NULL / -1 are kept). Rotation returns the new feed_url /
 * webhook_secret once. Not the actor's (and actor not admin): NQI_ENOTFOUND. */
int tracking_watch_update(store_conn *c, const http_principal *actor, int64_t id,
                          const track_watch_in *in, json_t **out, nqi_error *err);
int tracking_watch_delete(store_conn *c, const http_principal *actor, int64_t id,
                          nqi_error *err);
int tracking_watch_get(store_conn *c, const http_principal *actor, int64_t id, json_t **out,
                       nqi_error *err);
/* {items, next_cursor}: the actor's watchlists (admin: all), by id. */
int tracking_watch_list(store_conn *c, const http_principal *actor, int64_t limit, int64_t cursor,
                        json_t **out, nqi_error *err);

/* ---------------------------------------------------------------- inbox */

/* {items, next_cursor, unread}: the actor's events, newest first; cursor =
 * the last id of the previous page (0 = first page); watchlist 0 = all. */
int tracking_inbox(store_conn *c, const http_principal *actor, bool unread_only,
                   int64_t watchlist, int64_t limit, int64_t cursor, json_t **out,
                   nqi_error *err);
/* Mark the actor's events read: ids (n of them) or all. *marked: count. */
int tracking_inbox_read(store_conn *c, const http_principal *actor, const int64_t *ids, size_t n,
                        bool all, int64_t *marked, nqi_error *err);

/* The watchlist whose feed token is token (compared by SHA-256), with its
 * newest events (at most limit) as [{id, kind, number, title, at, ...}].
 * NQI_ENOTFOUND for an unknown id or a wrong token (the same answer). */
int tracking_feed(store_conn *c, int64_t id, const char *token, int64_t limit, json_t **out,
                  nqi_error *err);

/* ---------------------------------------------------------------- webhooks */

/* "sha256=" + lower-case hex HMAC-SHA256(secret, body) into out. */
void webhook_signature(const char *secret, const char *body, size_t n, char out[72]);

/* A webhook URL: http(s)://host[:port][/path] (core/http_client.h); other
 * schemes, userinfo, bad ports and over-long URLs are NQI_EINVAL naming
 * "webhook_url". Where it may connect is checked at send time (deny list). */
int webhook_url_check(const char *url, nqi_error *err);

/* Delay before attempt n+1 after failed attempt n (1-based), in ms:
 * base x {1, 4, 20, 120, 720} (30 s, 2 min, 10 min, 1 h, 6 h with the
 * default base 30 000; env NQI_WEBHOOK_BACKOFF_MS sets the base); 0 after
 * WEBHOOK_MAX_ATTEMPTS: give up. */
#define WEBHOOK_MAX_ATTEMPTS 6
int64_t webhook_backoff_ms(int attempt);

/* POST body to an http:// URL with the given extra headers ("Name: value"
 * strings, n of them). *status gets the HTTP status (0 when none was
 * received); errbuf a short reason on failure. 0 when a response arrived,
 * NQI_EIO otherwise. */
int webhook_http_post(const char *url, const char *const *headers, int nheaders,
                      const char *body, size_t n, int timeout_ms, int *status, char *errbuf,
                      size_t errlen);

/* Claim and attempt up to max due deliveries (claim = UPDATE ... WHERE
 * status = 'pending' AND claimed_by IS NULL; stale claims older than 5 min
 * are released first). worker: this process's id. *attempted: count. */
int webhook_run_due(store_conn *c, const char *worker, int max, int *attempted, nqi_error *err);

/* {items, next_cursor}: deliveries of a watchlist the actor may see, newest
 * first. */
int webhook_deliveries_list(store_conn *c, const http_principal *actor, int64_t watchlist,
                            int64_t limit, int64_t cursor, json_t **out, nqi_error *err);

/* The background worker of `nqi serve`: fan-out, reminders and deliveries
 * every poll interval (env NQI_TRACKING_POLL_MS, default 2000, at most the
 * backoff base). Stop joins the thread. */
int webhook_worker_start(nqi_app *app, nqi_error *err);
void webhook_worker_stop(nqi_app *app);

/* ---------------------------------------------------------------- notices */

/* Validate and apply a notice (the POST /api/v1/notices body, borrowed):
 * the notice rows and the catalogue changes (standards_import, source
 * "notice:<id>") and the fan-out, in ONE write transaction (the caller's
 * when open). Field errors name "items/3/number". Same issuer + notice_no:
 * NQI_ECONFLICT. *out: {id, counts:{publish, replace, withdraw},
 * inserted, updated, unchanged, events}. */
int notices_create(store_conn *c, const http_principal *actor, json_t *body, json_t **out,
                   nqi_error *err);
/* One notice with its items; NQI_ENOTFOUND. */
int notices_get(store_conn *c, int64_t id, json_t **out, nqi_error *err);
/* {items, next_cursor}, newest first (issued_on, id). cursor: the last id. */
int notices_list(store_conn *c, int64_t limit, int64_t cursor, json_t **out, nqi_error *err);

#endif
