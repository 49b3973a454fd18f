/*
 * tracking_fanout.c — the fan-out (catalogue changes → watch events) and
 * the transition reminders. See tracking.c for the matching rules and
 * docs/modules/tracking.md.
 *
 * The fan-out is the one place events are made. It reads standard_changes
 * after a global cursor (settings 'tracking.cursor'), matches each change
 * against every watchlist in C (tracking_match) and writes watch_events with
 * a dedupe key, so running it twice — or on two servers at once — writes each
 * event once. The cursor moves in the same transaction as the events.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "core/audit.h"
#include "core/page.h"
#include "core/auth.h"
#include "core/json.h"
#include "core/text.h"
#include "core/util.h"
#include "standards/number.h"
#include "standards/standards.h"
#include "standards/tracking.h"
#include "standards/tracking_internal.h"

#define WATCH_MAX_PER_OWNER 500
#define CURSOR_KEY "tracking.cursor"

/* ---------------------------------------------------------------- fan-out */

typedef struct watch {
    int64_t id, created_at, remind_days;
    char owner[32];
    char kind[12];
    char *key, *name, *url;
} watch;

static void watches_free(watch *w, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(w[i].key);
        free(w[i].name);
        free(w[i].url);
    }
    free(w);
}

static int watches_load(store_conn *c, watch **out, size_t *n, nqi_error *err)
{
    static const char sql[] = "SELECT id, owner, kind, match_key, name, webhook_url, created_at, "
                              "remind_days FROM watchlists ORDER BY id";
    store_rows *r;
    *out = NULL;
    *n = 0;
    int rc = store_query(c, sql, NULL, 0, &r, err);
    if (rc)
        return rc;
    size_t cap = 0;
    while ((rc = store_next(r)) == 1) {
        if (*n == cap) {
            cap = cap ? cap * 2 : 64;
            *out = xrealloc(*out, cap * sizeof **out);
        }
        watch *w = &(*out)[(*n)++];
        memset(w, 0, sizeof *w);
        w->id = store_int(r, 0);
        snprintf(w->owner, sizeof w->owner, "%s", store_text(r, 1));
        snprintf(w->kind, sizeof w->kind, "%s", store_text(r, 2));
        w->key = xstrdup(store_text(r, 3));
        w->name = xstrdup(store_text(r, 4));
        const char *u = store_text(r, 5);
        w->url = u && *u ? xstrdup(u) : NULL;
        w->created_at = store_int(r, 6);
        w->remind_days = store_int(r, 7);
    }
    rc = rc < 0 ? store_rows_error(r, err) : 0;
    store_rows_close(r);
    if (rc) {
        watches_free(*out, *n);
        *out = NULL;
        *n = 0;
    }
    return rc;
}

/* One event to write (a change or a reminder). */
typedef struct evt {
    int64_t change_id, standard_id, at;
    const char *number, *kind, *detail, *source, *dedupe;
    const char *title;
} evt;

static char *iso(int64_t ms, char b[32])
{
    return time_iso8601(ms, b, 32);
}

char *tracking_std_link(const char *number)
{
    buf b;
    buf_init(&b, 0);
    buf_puts(&b, "/standards/");
    for (const unsigned char *p = (const unsigned char *)number; *p; p++) {
        if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
            *p == '-' || *p == '.' || *p == '_' || *p == '~')
            buf_append(&b, p, 1);
        else
            buf_printf(&b, "%%%02X", *p);
    }
    return buf_steal(&b);
}

/* The webhook body for an event: stored with the delivery, sent as is. */
static char *event_payload(int64_t event_id, const watch *w, const evt *e)
{
    char t[32];
    json_t *detail = e->detail ? json_loads(e->detail, 0, NULL) : NULL;
    char *type = xasprintf("standard.%s", e->kind);
    char *link = tracking_std_link(e->number);
    json_t *o = json_pack("{s:I, s:s, s:s, s:{s:I, s:s}, s:s, s:s, s:o, s:s?, s:s, s:s}", "id",
                          (json_int_t)event_id, "type", type, "kind", e->kind, "watchlist", "id",
                          (json_int_t)w->id, "name", w->name, "number", e->number, "title",
                          e->title, "detail", detail ? detail : json_null(), "source", e->source,
                          "at", iso(e->at, t), "link", link);
    char *s = json_dump_compact(o);
    json_decref(o);
    free(type);
    free(link);
    return s;
}

/* Write one event for watchlist w (nothing when it exists already) and its
 * webhook delivery. *wrote += 1 when new. */
static int event_write(store_conn *c, const watch *w, const evt *e, int64_t now, int64_t *wrote,
                       nqi_error *err)
{
    static const char ins[] =
        "INSERT INTO watch_events (watchlist_id, owner, change_id, standard_id, number, kind, "
        "title, detail, source, at, dedupe, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
        "?, ?) ON CONFLICT (watchlist_id, dedupe) DO NOTHING RETURNING id";
    static const char dlv[] =
        "INSERT INTO webhook_deliveries (watchlist_id, event_id, url, payload, status, attempts, "
        "next_attempt_at, created_at, updated_at) VALUES (?, ?, ?, ?, 'pending', 0, ?, ?, ?)";
    store_val p[] = {SV_INT(w->id),
                     SV_TEXT(w->owner),
                     e->change_id ? SV_INT(e->change_id) : SV_NULL,
                     SV_INT(e->standard_id),
                     SV_TEXT(e->number),
                     SV_TEXT(e->kind),
                     SV_TEXT(e->title),
                     SV_TEXT(e->detail),
                     SV_TEXT(e->source),
                     SV_INT(e->at),
                     SV_TEXT(e->dedupe),
                     SV_INT(now)};
    int64_t id;
    nqi_error e2 = {0};
    int rc = store_query_int(c, ins, p, 12, &id, &e2);
    if (rc == NQI_ENOTFOUND)
        return 0; /* already there */
    if (rc) {
        *err = e2;
        return rc;
    }
    (*wrote)++;
    if (!w->url)
        return 0;
    char *payload = event_payload(id, w, e);
    store_val q[] = {SV_INT(w->id), SV_INT(id),  SV_TEXT(w->url), SV_TEXT(payload),
                     SV_INT(now),   SV_INT(now), SV_INT(now)};
    rc = store_exec(c, dlv, q, 7, NULL, err);
    free(payload);
    return rc;
}

typedef struct chg {
    int64_t id, standard_id, at;
    char *number, *kind, *detail, *source, *std_key, *committee, *ics, *tokens, *title;
} chg;

static void chgs_free(chg *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(v[i].number);
        free(v[i].kind);
        free(v[i].detail);
        free(v[i].source);
        free(v[i].std_key);
        free(v[i].committee);
        free(v[i].ics);
        free(v[i].tokens);
        free(v[i].title);
    }
    free(v);
}

static char *dup_or_null(const char *s)
{
    return s ? xstrdup(s) : NULL;
}

static int read_cursor(store_conn *c, int64_t *cur, nqi_error *err)
{
    char *v = NULL;
    nqi_error e = {0};
    int rc = store_query_text(c, "SELECT value FROM settings WHERE key = ?",
                              (store_val[]){SV_TEXT(CURSOR_KEY)}, 1, &v, &e);
    *cur = 0;
    if (rc == NQI_ENOTFOUND)
        return 0;
    if (rc) {
        *err = e;
        return rc;
    }
    *cur = v ? strtoll(v, NULL, 10) : 0;
    free(v);
    return 0;
}

static int write_cursor(store_conn *c, int64_t cur, nqi_error *err)
{
    static const char sql[] = "INSERT INTO settings (key, value) VALUES (?, ?) "
                              "ON CONFLICT (key) DO UPDATE SET value = excluded.value";
    char v[24];
    snprintf(v, sizeof v, "%lld", (long long)cur);
    return store_exec(c, sql, (store_val[]){SV_TEXT(CURSOR_KEY), SV_TEXT(v)}, 2, NULL, err);
}

bool tracking_fanout_pending(store_conn *c)
{
    nqi_error e = {0};
    int64_t cur = 0, max = 0;
    if (read_cursor(c, &cur, &e) ||
        store_query_int(c, "SELECT COALESCE(MAX(id), 0) FROM standard_changes", NULL, 0, &max,
                        &e))
        return true; /* let the fan-out report it */
    return max > cur;
}

static int changes_load(store_conn *c, int64_t after, chg **out, size_t *n, nqi_error *err)
{
    static const char sql[] =
        "SELECT c.id, c.standard_id, c.number, c.kind, c.detail, c.source, c.at, s.std_key, "
        "s.committee, s.ics, s.search_tokens, s.title_zh FROM standard_changes c JOIN standards s ON s.id = "
        "c.standard_id WHERE c.id > ? ORDER BY c.id LIMIT ?";
    store_rows *r;
    *out = NULL;
    *n = 0;
    int rc = store_query(c, sql, (store_val[]){SV_INT(after), SV_INT(TRACK_FANOUT_BATCH)}, 2, &r,
                         err);
    if (rc)
        return rc;
    *out = xcalloc(TRACK_FANOUT_BATCH, sizeof **out);
    while ((rc = store_next(r)) == 1) {
        chg *x = &(*out)[(*n)++];
        x->id = store_int(r, 0);
        x->standard_id = store_int(r, 1);
        x->number = xstrdup(store_text(r, 2));
        x->kind = xstrdup(store_text(r, 3));
        x->detail = dup_or_null(store_text(r, 4));
        x->source = dup_or_null(store_text(r, 5));
        x->at = store_int(r, 6);
        x->std_key = dup_or_null(store_text(r, 7));
        x->committee = dup_or_null(store_text(r, 8));
        x->ics = dup_or_null(store_text(r, 9));
        x->tokens = dup_or_null(store_text(r, 10));
        x->title = dup_or_null(store_text(r, 11));
    }
    rc = rc < 0 ? store_rows_error(r, err) : 0;
    store_rows_close(r);
    return rc;
}

/* One batch inside an open write transaction. *more: a full batch was read. */
static int fanout_batch(store_conn *c, int64_t *nevents, bool *more, nqi_error *err)
{
    int64_t cur;
    watch *ws = NULL;
    size_t nw = 0, nc = 0;
    chg *cs = NULL;
    *more = false;
    int rc = store_tx_lock(c, "standards.import", err);
    if (!rc)
        rc = store_tx_lock(c, "tracking", err);
    if (!rc)
        rc = read_cursor(c, &cur, err);
    if (!rc)
        rc = changes_load(c, cur, &cs, &nc, err);
    if (!rc && nc)
        rc = watches_load(c, &ws, &nw, err);
    int64_t now = now_ms();
    for (size_t i = 0; !rc && i < nc; i++) {
        chg *x = &cs[i];
        track_std s = {x->std_key, x->committee, x->ics, x->tokens};
        char dedupe[32];
        char *title = NULL;
        snprintf(dedupe, sizeof dedupe, "c:%lld", (long long)x->id);
        for (size_t k = 0; !rc && k < nw; k++) {
            if (x->at < ws[k].created_at || !tracking_match(ws[k].kind, ws[k].key, &s))
                continue;
            if (!title) {
                json_t *d = x->detail ? json_loads(x->detail, 0, NULL) : NULL;
                title = tracking_event_title(x->number, x->title, x->kind, d);
                json_decref(d);
            }
            evt e = {x->id,     x->standard_id, x->at,  x->number, x->kind,
                     x->detail, x->source,      dedupe, title};
            rc = event_write(c, &ws[k], &e, now, nevents, err);
        }
        free(title);
    }
    if (!rc && nc)
        rc = write_cursor(c, cs[nc - 1].id, err);
    *more = nc == TRACK_FANOUT_BATCH;
    chgs_free(cs, nc);
    watches_free(ws, nw);
    return rc;
}

int tracking_fanout(store_conn *c, int64_t *nevents, nqi_error *err)
{
    int64_t dummy = 0;
    if (!nevents)
        nevents = &dummy;
    *nevents = 0;
    bool own = !store_in_tx(c), more = true;
    int rc = 0;
    while (!rc && more) {
        if (own && (rc = store_begin(c, true, err)))
            break;
        rc = fanout_batch(c, nevents, &more, err);
        rc = store_tx_end(c, own, rc, err);
    }
    return rc;
}

/* ---------------------------------------------------------------- reminders */

static void date_add_days(const char *d, int64_t days, char out[11])
{
    struct tm tm = {0};
    tm.tm_year = atoi(d) - 1900;
    tm.tm_mon = atoi(d + 5) - 1;
    tm.tm_mday = atoi(d + 8) + (int)days;
    tm.tm_hour = 12;
    time_t t = timegm(&tm);
    gmtime_r(&t, &tm);
    strftime(out, 11, "%Y-%m-%d", &tm);
}

typedef struct upc {
    int64_t id;
    char number[160], implemented_on[11];
    char *std_key, *committee, *ics, *tokens;
} upc;

int tracking_reminders(store_conn *c, const char *today, int64_t *nevents, nqi_error *err)
{
    static const char sql[] =
        "SELECT id, number, implemented_on, std_key, committee, ics, search_tokens FROM "
        "standards WHERE implemented_on >= ? AND implemented_on <= ? AND withdrawn_on IS NULL "
        "AND status NOT IN ('withdrawn', 'replaced') ORDER BY implemented_on, id";
    int64_t dummy = 0;
    char t[11], until[11];
    if (!nevents)
        nevents = &dummy;
    *nevents = 0;
    if (!today) {
        standards_today(t);
        today = t;
    }
    date_add_days(today, TRACK_REMIND_MAX, until);
    bool own = !store_in_tx(c);
    int rc = own ? store_begin(c, true, err) : 0;
    watch *ws = NULL;
    size_t nw = 0, nu = 0, cap = 0;
    upc *us = NULL;
    if (!rc)
        rc = store_tx_lock(c, "tracking", err);
    if (!rc)
        rc = watches_load(c, &ws, &nw, err);
    if (!rc && nw) {
        store_rows *r = NULL;
        rc = store_query(c, sql, (store_val[]){SV_TEXT(today), SV_TEXT(until)}, 2, &r, err);
        while (r && (rc = store_next(r)) == 1) {
            if (nu == cap) {
                cap = cap ? cap * 2 : 64;
                us = xrealloc(us, cap * sizeof *us);
            }
            upc *u = &us[nu++];
            u->id = store_int(r, 0);
            snprintf(u->number, sizeof u->number, "%s", store_text(r, 1));
            snprintf(u->implemented_on, sizeof u->implemented_on, "%s", store_text(r, 2));
            u->std_key = dup_or_null(store_text(r, 3));
            u->committee = dup_or_null(store_text(r, 4));
            u->ics = dup_or_null(store_text(r, 5));
            u->tokens = dup_or_null(store_text(r, 6));
        }
        if (r) {
            rc = rc < 0 ? store_rows_error(r, err) : 0;
            store_rows_close(r);
        }
    }
    int64_t now = now_ms();
    for (size_t k = 0; !rc && k < nw; k++) {
        char last[11];
        date_add_days(today, ws[k].remind_days, last);
        for (size_t i = 0; !rc && i < nu; i++) {
            upc *u = &us[i];
            track_std s = {u->std_key, u->committee, u->ics, u->tokens};
            if (strcmp(u->implemented_on, last) > 0 || !tracking_match(ws[k].kind, ws[k].key, &s))
                continue;
            char dedupe[64], *title = xasprintf("%s 将于 %s 实施", u->number, u->implemented_on);
            json_t *d = json_pack("{s:s}", "implemented_on", u->implemented_on);
            char *ds = json_dump_compact(d);
            snprintf(dedupe, sizeof dedupe, "r:%lld:%s", (long long)u->id, u->implemented_on);
            evt e = {0, u->id, now, u->number, "reminder", ds, "reminder", dedupe, title};
            rc = event_write(c, &ws[k], &e, now, nevents, err);
            free(title);
            free(ds);
            json_decref(d);
        }
    }
    for (size_t i = 0; i < nu; i++) {
        free(us[i].std_key);
        free(us[i].committee);
        free(us[i].ics);
        free(us[i].tokens);
    }
    free(us);
    watches_free(ws, nw);
    rc = store_tx_end(c, own, rc, err);
    return rc;
}

