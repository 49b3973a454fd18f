/*
 * tracking.c — watchlists, matching catalogue changes to them (the fan-out),
 * transition reminders and the inbox. See tracking.h and
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

#define WATCH_MAX_PER_OWNER 500
#define CURSOR_KEY "tracking.cursor"

/* ---------------------------------------------------------------- matching */

static const char *const kinds[] = {"number", "committee", "ics", "query", NULL};

static bool kind_valid(const char *k)
{
    for (int i = 0; k && kinds[i]; i++)
        if (!strcmp(k, kinds[i]))
            return true;
    return false;
}

static char *trim_dup(const char *s)
{
    while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
        s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\n' || s[n - 1] == '\r'))
        n--;
    return xstrndup(s, n);
}

typedef struct qscan {
    buf *out;
    int nterms;
    int last_kind;
    size_t last_end; /* out->len after the last term */
} qscan;

static int qscan_emit(void *ctx, int kind, int colocated, const char *tok, size_t n, size_t start,
                      size_t end)
{
    qscan *q = ctx;
    if (colocated || q->nterms >= TEXT_QUERY_MAX)
        return 0;
    if (q->nterms)
        buf_puts(q->out, " ");
    buf_append(q->out, tok, n);
    if (kind == TEXT_TOK_UNIGRAM)
        buf_puts(q->out, "*");
    q->nterms++;
    q->last_kind = kind;
    q->last_end = q->out->len;
    return 0;
}

int tracking_match_key(const char *kind, const char *value, char **out, nqi_error *err)
{
    *out = NULL;
    if (!kind_valid(kind))
        return nqi_error_field(err, NQI_EINVAL, "kind", "must be number, committee, ics or query");
    char *v = trim_dup(value ? value : "");
    int rc = 0;
    if (!*v) {
        rc = nqi_error_field(err, NQI_EINVAL, "value", "required");
    } else if (!strcmp(kind, "number")) {
        std_number n;
        nqi_error e = {0};
        if (std_number_parse_ex(v, strlen(v), STD_PARSE_LENIENT, &n, &e))
            rc = nqi_error_field(err, NQI_EINVAL, "value", "%s", e.message);
        else
            *out = xstrdup(n.key);
    } else if (!strcmp(kind, "committee")) {
        *out = v;
        v = NULL;
    } else if (!strcmp(kind, "ics")) {
        bool ok = v[0] >= '0' && v[0] <= '9' && strlen(v) <= 40;
        for (const char *p = v; ok && *p; p++)
            ok = (*p >= '0' && *p <= '9') || (*p == '.' && p[1] != '.' && p[1]);
        if (!ok)
            rc = nqi_error_field(err, NQI_EINVAL, "value",
                                 "an ICS code is digits and dots, e.g. 03.120 or 03.120.10");
        else {
            *out = v;
            v = NULL;
        }
    } else { /* query */
        buf b;
        buf_init(&b, 4096);
        qscan q = {.out = &b};
        if (text_scan(v, strlen(v), TEXT_SCAN_QUERY, qscan_emit, &q) || !q.nterms) {
            rc = nqi_error_field(err, NQI_EINVAL, "value", "no searchable word in the query");
            buf_free(&b);
        } else {
            /* the last ASCII word is a prefix, as in the search box */
            if (q.last_kind == TEXT_TOK_WORD && b.len == q.last_end)
                buf_puts(&b, "*");
            *out = buf_steal(&b);
        }
    }
    free(v);
    return rc;
}

/* Is the term (n bytes, prefix when pfx) one of the space-separated tokens? */
static bool tokens_have(const char *tokens, const char *term, size_t n, bool pfx)
{
    const char *p = tokens;
    while (p && *p) {
        while (*p == ' ')
            p++;
        size_t l = strcspn(p, " ");
        if (l && (pfx ? l >= n : l == n) && !memcmp(p, term, n))
            return true;
        p += l;
    }
    return false;
}

static bool ics_match(const char *key, const char *ics)
{
    size_t kl = strlen(key);
    const char *p = ics;
    while (p && *p) {
        while (*p == ' ' || *p == ';' || *p == ',')
            p++;
        size_t l = strcspn(p, " ;,");
        if (l >= kl && !memcmp(p, key, kl) && (l == kl || p[kl] == '.'))
            return true;
        p += l;
    }
    return false;
}

bool tracking_match(const char *kind, const char *key, const track_std *s)
{
    if (!kind || !key || !s)
        return false;
    switch (kind[0]) {
    case 'n':
        return s->std_key && !strcmp(s->std_key, key);
    case 'c':
        return s->committee && !strcmp(s->committee, key);
    case 'i':
        return s->ics && ics_match(key, s->ics);
    case 'q': {
        if (!s->search_tokens)
            return false;
        const char *p = key;
        bool any = false;
        while (*p) {
            while (*p == ' ')
                p++;
            size_t l = strcspn(p, " ");
            if (!l)
                break;
            bool pfx = p[l - 1] == '*';
            if (!tokens_have(s->search_tokens, p, pfx ? l - 1 : l, pfx))
                return false;
            any = true;
            p += l;
        }
        return any;
    }
    }
    return false;
}

/* ---------------------------------------------------------------- titles */

static const char *field_zh(const char *f)
{
    static const char *const map[][2] = {
        {"title_zh", "标准名称"},     {"title_en", "英文名称"},     {"status", "状态"},
        {"issued_on", "发布日期"},    {"implemented_on", "实施日期"}, {"withdrawn_on", "废止日期"},
        {"ics", "ICS分类"},           {"ccs", "CCS分类"},           {"department", "主管部门"},
        {"committee", "归口单位"},    {"issuer", "发布单位"},       {"drafters", "起草单位"},
        {"adopted", "采用国际标准"},  {"adoption_degree", "采用程度"}, {"scope", "适用范围"},
        {"source", "来源"},           {"replaced_by", "被代替标准"}, {"replaces", "代替标准"},
    };
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (!strcmp(f, map[i][0]))
            return map[i][1];
    return f;
}

/* detail[field] = [before, after] -> the strings (NULL when absent/null). */
static bool pair(const json_t *detail, const char *field, const char **a, const char **b)
{
    json_t *v = json_object_get(detail, field);
    if (!json_is_array(v) || json_array_size(v) != 2)
        return false;
    *a = json_string_value(json_array_get(v, 0));
    *b = json_string_value(json_array_get(v, 1));
    return true;
}

static const char *status_or(const char *s)
{
    const char *z = standards_status_zh(s);
    return *z ? z : (s ? s : "未定");
}

char *tracking_event_title(const char *number, const char *title_zh, const char *kind,
                           const json_t *detail)
{
    const char *a = NULL, *b = NULL;
    buf t;
    buf_init(&t, 0);
    buf_puts(&t, number);
    if (!strcmp(kind, "new")) {
        buf_puts(&t, " 发布");
        if (title_zh && *title_zh)
            buf_printf(&t, "：%s", title_zh);
    } else if (!strcmp(kind, "replaced") && pair(detail, "replaced_by", &a, &b) && b) {
        buf_printf(&t, " 被 %s 代替", b);
    } else if (!strcmp(kind, "withdrawn") && pair(detail, "withdrawn_on", &a, &b) && b) {
        buf_printf(&t, " 废止（废止日期 %s）", b);
    } else if (pair(detail, "status", &a, &b)) {
        buf_printf(&t, " 状态变更：%s → %s", status_or(a), status_or(b));
    } else if (!strcmp(kind, "replaced")) {
        buf_puts(&t, " 被代替");
    } else if (!strcmp(kind, "withdrawn")) {
        buf_puts(&t, " 废止");
    } else if (!strcmp(kind, "dates")) {
        buf_puts(&t, " 日期变更：");
        static const char *const df[] = {"issued_on", "implemented_on", "withdrawn_on"};
        int n = 0;
        for (int i = 0; i < 3; i++)
            if (pair(detail, df[i], &a, &b))
                buf_printf(&t, "%s%s %s → %s", n++ ? "；" : "", field_zh(df[i]), a ? a : "未定",
                           b ? b : "未定");
    } else {
        buf_puts(&t, " 信息更新");
        const char *k;
        json_t *v;
        int n = 0;
        json_object_foreach((json_t *)detail, k, v)
        {
            (void)v;
            buf_printf(&t, "%s%s", n++ ? "、" : "：", field_zh(k));
            if (n == 6)
                break;
        }
    }
    return buf_steal(&t);
}

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

/* The portal path of a standard: /standards/<number, percent-encoded>. */
static char *std_link(const char *number)
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
    char *link = std_link(e->number);
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
        if (own) {
            if (!rc)
                rc = store_commit(c, err);
            if (rc)
                store_rollback(c);
        }
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
    if (own) {
        if (!rc)
            rc = store_commit(c, err);
        if (rc)
            store_rollback(c);
    }
    return rc;
}

/* ---------------------------------------------------------------- watchlists */

void tracking_owner(const http_principal *p, char out[32])
{
    if (p->via_token)
        snprintf(out, 32, "t:%lld", (long long)p->token_id);
    else
        snprintf(out, 32, "u:%lld", (long long)p->user_id);
}

static void random_hex(char *out, size_t nbytes)
{
    unsigned char b[64];
    if (nbytes > sizeof b)
        nbytes = sizeof b;
    randombytes_buf(b, nbytes);
    hex_encode(b, nbytes, out);
}

#define WATCH_COLS                                                                             \
    "id, owner, owner_name, name, kind, value, webhook_url, remind_days, created_at, "        \
    "updated_at, webhook_secret IS NOT NULL"

static json_t *watch_json(store_rows *r)
{
    char t1[32], t2[32], feed[64];
    int64_t id = store_int(r, 0);
    snprintf(feed, sizeof feed, "/api/v1/feeds/watchlists/%lld.atom", (long long)id);
    const char *url = store_text(r, 6);
    return json_pack("{s:I, s:s, s:s?, s:s, s:s, s:s, s:s?, s:I, s:s, s:s, s:s, s:b}", "id",
                     (json_int_t)id, "owner", store_text(r, 1), "owner_name", store_text(r, 2),
                     "name", store_text(r, 3), "kind", store_text(r, 4), "value",
                     store_text(r, 5), "webhook_url", url && *url ? url : NULL, "remind_days",
                     (json_int_t)store_int(r, 7), "created_at", iso(store_int(r, 8), t1),
                     "updated_at", iso(store_int(r, 9), t2), "feed_path", feed,
                     "has_webhook_secret", store_int(r, 10) != 0);
}

/* The watchlist row (visible to actor) as JSON; NQI_ENOTFOUND otherwise. */
static int watch_load(store_conn *c, const http_principal *actor, int64_t id, json_t **out,
                      nqi_error *err)
{
    static const char sql[] = "SELECT " WATCH_COLS " FROM watchlists WHERE id = ?";
    store_rows *r;
    *out = NULL;
    int rc = store_query(c, sql, (store_val[]){SV_INT(id)}, 1, &r, err);
    if (rc)
        return rc;
    rc = store_next(r);
    if (rc == 1) {
        char own[32];
        tracking_owner(actor, own);
        if (actor->role == ROLE_ADMIN || !strcmp(store_text(r, 1), own))
            *out = watch_json(r);
        rc = 0;
    } else {
        rc = rc < 0 ? store_rows_error(r, err) : 0;
    }
    store_rows_close(r);
    if (!rc && !*out)
        rc = nqi_error_set(err, NQI_ENOTFOUND, "watchlist %lld not found", (long long)id);
    return rc;
}

int tracking_watch_get(store_conn *c, const http_principal *actor, int64_t id, json_t **out,
                       nqi_error *err)
{
    return watch_load(c, actor, id, out, err);
}

/* Check the common fields; fills key (malloc'd) when kind/value given. */
static int watch_check(const track_watch_in *in, bool create, char **key, nqi_error *err)
{
    *key = NULL;
    if (create || in->name) {
        if (!in->name || !*in->name)
            nqi_error_field(err, NQI_EINVAL, "name", "required");
        else if (utf8_count(in->name) > 100)
            nqi_error_field(err, NQI_EINVAL, "name", "at most 100 characters");
    }
    if (in->value && utf8_count(in->value) > 200)
        nqi_error_field(err, NQI_EINVAL, "value", "at most 200 characters");
    else if (create || in->kind || in->value)
        tracking_match_key(in->kind, in->value, key, err);
    if (in->webhook_url && *in->webhook_url)
        webhook_url_check(in->webhook_url, err);
    if (in->remind_days != -1 && (in->remind_days < 0 || in->remind_days > TRACK_REMIND_MAX))
        nqi_error_field(err, NQI_EINVAL, "remind_days", "must be an integer from 0 to %d",
                        TRACK_REMIND_MAX);
    if (err->code) {
        free(*key);
        *key = NULL;
    }
    return err->code;
}

static int audit_watch(store_conn *c, const http_principal *actor, const char *action, int64_t id,
                       const json_t *before, const json_t *after, nqi_error *err)
{
    char ids[24];
    snprintf(ids, sizeof ids, "%lld", (long long)id);
    return audit_record(c, actor, action, "watchlist", ids, before, after, err);
}

static void add_secrets(json_t *o, int64_t id, const char *feed_token, const char *secret)
{
    if (feed_token) {
        char *u = xasprintf("/api/v1/feeds/watchlists/%lld.atom?token=%s", (long long)id,
                            feed_token);
        json_object_set_new(o, "feed_url", json_string(u));
        free(u);
    }
    if (secret)
        json_object_set_new(o, "webhook_secret", json_string(secret));
}

static int tx_open(store_conn *c, bool *own, nqi_error *err)
{
    *own = !store_in_tx(c);
    return *own ? store_begin(c, true, err) : 0;
}

static int tx_close(store_conn *c, bool own, int rc, nqi_error *err)
{
    if (own) {
        if (!rc)
            rc = store_commit(c, err);
        if (rc)
            store_rollback(c);
    }
    return rc;
}

int tracking_watch_create(store_conn *c, const http_principal *actor, const track_watch_in *in,
                          json_t **out, nqi_error *err)
{
    static const char ins[] =
        "INSERT INTO watchlists (owner, owner_name, name, kind, value, match_key, webhook_url, "
        "webhook_secret, remind_days, feed_token_hash, created_at, updated_at) VALUES (?, ?, ?, "
        "?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id";
    char *key = NULL, *value = NULL;
    char own[32], token[65], hash[65], secret[65];
    int64_t id = 0, n = 0;
    bool own_tx;
    *out = NULL;
    if (watch_check(in, true, &key, err))
        return err->code;
    tracking_owner(actor, own);
    random_hex(token, 32);
    auth_sha256_hex(token, strlen(token), hash);
    bool hook = in->webhook_url && *in->webhook_url;
    if (hook)
        random_hex(secret, 32);
    value = trim_dup(in->value);
    int rc = tx_open(c, &own_tx, err);
    if (!rc)
        rc = store_query_int(c, "SELECT COUNT(*) FROM watchlists WHERE owner = ?",
                             (store_val[]){SV_TEXT(own)}, 1, &n, err);
    if (!rc && n >= WATCH_MAX_PER_OWNER)
        rc = nqi_error_set(err, NQI_ECONFLICT, "at most %d watchlists per user",
                           WATCH_MAX_PER_OWNER);
    if (!rc) {
        int64_t now = now_ms();
        store_val p[] = {SV_TEXT(own),
                         SV_TEXT(actor->username[0] ? actor->username : NULL),
                         SV_TEXT(in->name),
                         SV_TEXT(in->kind),
                         SV_TEXT(value),
                         SV_TEXT(key),
                         SV_TEXT(hook ? in->webhook_url : NULL),
                         SV_TEXT(hook ? secret : NULL),
                         SV_INT(in->remind_days >= 0 ? in->remind_days : TRACK_REMIND_DEFAULT),
                         SV_TEXT(hash),
                         SV_INT(now),
                         SV_INT(now)};
        rc = store_query_int(c, ins, p, 12, &id, err);
    }
    if (!rc)
        rc = watch_load(c, actor, id, out, err);
    if (!rc)
        rc = audit_watch(c, actor, "tracking.watchlist.create", id, NULL, *out, err);
    rc = tx_close(c, own_tx, rc, err);
    free(key);
    free(value);
    if (rc) {
        json_decref(*out);
        *out = NULL;
        return rc;
    }
    add_secrets(*out, id, token, hook ? secret : NULL);
    return 0;
}

int tracking_watch_update(store_conn *c, const http_principal *actor, int64_t id,
                          const track_watch_in *in, json_t **out, nqi_error *err)
{
    static const char upd[] =
        "UPDATE watchlists SET name = ?, kind = ?, value = ?, match_key = ?, webhook_url = ?, "
        "webhook_secret = ?, remind_days = ?, feed_token_hash = COALESCE(?, feed_token_hash), "
        "updated_at = ? WHERE id = ?";
    static const char cancel[] =
        "UPDATE webhook_deliveries SET status = 'failed', last_error = 'webhook removed', "
        "updated_at = ? WHERE watchlist_id = ? AND status = 'pending'";
    json_t *before = NULL;
    char *key = NULL, *value = NULL, *secret_old = NULL;
    char token[65], hash[65], secret[65];
    bool own_tx, fresh_secret = false;
    *out = NULL;
    int rc = tx_open(c, &own_tx, err);
    if (!rc)
        rc = watch_load(c, actor, id, &before, err);
    if (rc)
        return tx_close(c, own_tx, rc, err);
    /* kind and value are validated together: the key is recomputed from
     * the new or stored ones */
    track_watch_in m = *in;
    if (!m.kind)
        m.kind = json_string_value(json_object_get(before, "kind"));
    if (!m.value)
        m.value = json_string_value(json_object_get(before, "value"));
    if (watch_check(&m, false, &key, err))
        rc = err->code;
    if (!rc)
        rc = store_query_text(c, "SELECT webhook_secret FROM watchlists WHERE id = ?",
                              (store_val[]){SV_INT(id)}, 1, &secret_old, err);
    if (!rc) {
        const char *url = in->webhook_url
                              ? (*in->webhook_url ? in->webhook_url : NULL)
                              : json_string_value(json_object_get(before, "webhook_url"));
        const char *sec = NULL;
        if (url && (!secret_old || in->new_webhook_secret)) {
            random_hex(secret, 32);
            sec = secret;
            fresh_secret = true;
        } else if (url) {
            sec = secret_old;
        }
        if (in->new_feed_token) {
            random_hex(token, 32);
            auth_sha256_hex(token, strlen(token), hash);
        }
        value = trim_dup(m.value ? m.value : "");
        int64_t rd = in->remind_days >= 0 ? in->remind_days
                                          : json_integer_value(json_object_get(before,
                                                                               "remind_days"));
        const char *name = in->name ? in->name
                                    : json_string_value(json_object_get(before, "name"));
        int64_t now = now_ms();
        store_val p[] = {SV_TEXT(name), SV_TEXT(m.kind), SV_TEXT(value), SV_TEXT(key),
                         SV_TEXT(url),  SV_TEXT(sec),    SV_INT(rd),
                         SV_TEXT(in->new_feed_token ? hash : NULL),
                         SV_INT(now),   SV_INT(id)};
        rc = store_exec(c, upd, p, 10, NULL, err);
        if (!rc && !url)
            rc = store_exec(c, cancel, (store_val[]){SV_INT(now), SV_INT(id)}, 2, NULL, err);
    }
    if (!rc)
        rc = watch_load(c, actor, id, out, err);
    if (!rc)
        rc = audit_watch(c, actor, "tracking.watchlist.update", id, before, *out, err);
    rc = tx_close(c, own_tx, rc, err);
    json_decref(before);
    free(key);
    free(value);
    free(secret_old);
    if (rc) {
        json_decref(*out);
        *out = NULL;
        return rc;
    }
    add_secrets(*out, id, in->new_feed_token ? token : NULL, fresh_secret ? secret : NULL);
    return 0;
}

int tracking_watch_delete(store_conn *c, const http_principal *actor, int64_t id, nqi_error *err)
{
    static const char *const del[] = {"DELETE FROM webhook_deliveries WHERE watchlist_id = ?",
                                      "DELETE FROM watch_events WHERE watchlist_id = ?",
                                      "DELETE FROM watchlists WHERE id = ?"};
    json_t *before = NULL;
    bool own_tx;
    int rc = tx_open(c, &own_tx, err);
    if (!rc)
        rc = watch_load(c, actor, id, &before, err);
    for (int i = 0; !rc && i < 3; i++)
        rc = store_exec(c, del[i], (store_val[]){SV_INT(id)}, 1, NULL, err);
    if (!rc)
        rc = audit_watch(c, actor, "tracking.watchlist.delete", id, before, NULL, err);
    json_decref(before);
    return tx_close(c, own_tx, rc, err);
}

static json_t *watch_row(store_rows *r, void *ctx)
{
    return watch_json(r);
}

int tracking_watch_list(store_conn *c, const http_principal *actor, int64_t limit, int64_t cursor,
                        json_t **out, nqi_error *err)
{
    static const char all[] =
        "SELECT " WATCH_COLS " FROM watchlists WHERE id > ? ORDER BY id LIMIT ?";
    static const char mine[] = "SELECT " WATCH_COLS
                               " FROM watchlists WHERE id > ? AND owner = ? ORDER BY id LIMIT ?";
    char own[32];
    tracking_owner(actor, own);
    bool admin = actor->role == ROLE_ADMIN;
    store_val p[] = {SV_INT(cursor), admin ? SV_INT(limit + 1) : SV_TEXT(own), SV_INT(limit + 1)};
    store_rows *r;
    *out = NULL;
    int rc = store_query(c, admin ? all : mine, p, admin ? 2 : 3, &r, err);
    return rc ? rc : store_page_json(r, limit, watch_row, NULL, out, err);
}

/* ---------------------------------------------------------------- inbox */

#define EVENT_COLS                                                                             \
    "e.id, e.watchlist_id, w.name, e.kind, e.number, e.title, e.detail, e.source, e.at, "      \
    "e.read_at, e.created_at, e.change_id"

static json_t *event_json(store_rows *r)
{
    char t1[32], t2[32], t3[32];
    const char *d = store_text(r, 6);
    json_t *detail = d ? json_loads(d, 0, NULL) : NULL;
    char *link = std_link(store_text(r, 4));
    json_t *o = json_pack(
        "{s:I, s:I, s:s, s:s, s:s, s:s, s:o, s:s?, s:s, s:s?, s:b, s:s, s:s}", "id",
        (json_int_t)store_int(r, 0), "watchlist_id", (json_int_t)store_int(r, 1),
        "watchlist_name", store_text(r, 2), "kind", store_text(r, 3), "number", store_text(r, 4),
        "title", store_text(r, 5), "detail", detail ? detail : json_null(), "source",
        store_text(r, 7), "at", iso(store_int(r, 8), t1), "read_at",
        store_isnull(r, 9) ? NULL : iso(store_int(r, 9), t2), "read", !store_isnull(r, 9),
        "created_at", iso(store_int(r, 10), t3), "link", link);
    free(link);
    return o;
}

static json_t *event_row(store_rows *r, void *ctx)
{
    return event_json(r);
}

int tracking_inbox(store_conn *c, const http_principal *actor, bool unread_only,
                   int64_t watchlist, int64_t limit, int64_t cursor, json_t **out,
                   nqi_error *err)
{
    char own[32];
    tracking_owner(actor, own);
    buf sql;
    buf_init(&sql, 0);
    buf_puts(&sql, "SELECT " EVENT_COLS " FROM watch_events e JOIN watchlists w ON w.id = "
                   "e.watchlist_id WHERE e.owner = ?");
    store_val p[4];
    int np = 0;
    p[np++] = SV_TEXT(own);
    if (unread_only)
        buf_puts(&sql, " AND e.read_at IS NULL");
    if (watchlist > 0) {
        buf_puts(&sql, " AND e.watchlist_id = ?");
        p[np++] = SV_INT(watchlist);
    }
    if (cursor > 0) {
        buf_puts(&sql, " AND e.id < ?");
        p[np++] = SV_INT(cursor);
    }
    buf_puts(&sql, " ORDER BY e.id DESC LIMIT ?");
    p[np++] = SV_INT(limit + 1);
    store_rows *r;
    int rc = store_query(c, sql.data, p, np, &r, err);
    buf_free(&sql);
    if (rc)
        return rc;
    int64_t unread = 0;
    if ((rc = store_page_json(r, limit, event_row, NULL, out, err)))
        return rc;
    rc = store_query_int(c, "SELECT COUNT(*) FROM watch_events WHERE owner = ? AND read_at IS NULL",
                         (store_val[]){SV_TEXT(own)}, 1, &unread, err);
    if (rc) {
        json_decref(*out);
        *out = NULL;
        return rc;
    }
    json_object_set_new(*out, "unread", json_integer(unread));
    return 0;
}

int tracking_inbox_read(store_conn *c, const http_principal *actor, const int64_t *ids, size_t n,
                        bool all, int64_t *marked, nqi_error *err)
{
    static const char one[] =
        "UPDATE watch_events SET read_at = ? WHERE owner = ? AND id = ? AND read_at IS NULL";
    static const char every[] =
        "UPDATE watch_events SET read_at = ? WHERE owner = ? AND read_at IS NULL";
    char own[32];
    bool own_tx;
    tracking_owner(actor, own);
    *marked = 0;
    int64_t now = now_ms();
    int rc = tx_open(c, &own_tx, err);
    if (!rc && all) {
        rc = store_exec(c, every, (store_val[]){SV_INT(now), SV_TEXT(own)}, 2, marked, err);
    }
    for (size_t i = 0; !rc && !all && i < n; i++) {
        int64_t ch = 0;
        rc = store_exec(c, one, (store_val[]){SV_INT(now), SV_TEXT(own), SV_INT(ids[i])}, 3, &ch,
                        err);
        *marked += ch;
    }
    if (!rc && *marked) {
        json_t *after = json_pack("{s:I, s:b}", "marked", (json_int_t)*marked, "all", all);
        rc = audit_record(c, actor, "tracking.inbox.read", "watch_events", own, NULL, after, err);
        json_decref(after);
    }
    return tx_close(c, own_tx, rc, err);
}

/* ---------------------------------------------------------------- feed */

int tracking_feed(store_conn *c, int64_t id, const char *token, int64_t limit, json_t **out,
                  nqi_error *err)
{
    static const char sql_w[] =
        "SELECT feed_token_hash, name, kind, value, updated_at FROM watchlists WHERE id = ?";
    static const char sql_e[] = "SELECT " EVENT_COLS " FROM watch_events e JOIN watchlists w ON "
                                "w.id = e.watchlist_id WHERE e.watchlist_id = ? ORDER BY e.id "
                                "DESC LIMIT ?";
    store_rows *r;
    *out = NULL;
    int rc = store_query(c, sql_w, (store_val[]){SV_INT(id)}, 1, &r, err);
    if (rc)
        return rc;
    json_t *w = NULL;
    rc = store_next(r);
    if (rc == 1) {
        char h[65];
        const char *stored = store_text(r, 0);
        auth_sha256_hex(token ? token : "", token ? strlen(token) : 0, h);
        char t[32];
        if (stored && strlen(stored) == 64 && token && *token && !sodium_memcmp(h, stored, 64))
            w = json_pack("{s:I, s:s, s:s, s:s, s:s}", "id", (json_int_t)id, "name",
                          store_text(r, 1), "kind", store_text(r, 2), "value", store_text(r, 3),
                          "updated_at", iso(store_int(r, 4), t));
        rc = 0;
    } else {
        rc = rc < 0 ? store_rows_error(r, err) : 0;
    }
    store_rows_close(r);
    if (!rc && !w)
        rc = nqi_error_set(err, NQI_ENOTFOUND, "feed not found");
    if (rc)
        return rc;
    rc = store_query(c, sql_e, (store_val[]){SV_INT(id), SV_INT(limit)}, 2, &r, err);
    if (rc) {
        json_decref(w);
        return rc;
    }
    json_t *items = json_array();
    while ((rc = store_next(r)) == 1)
        json_array_append_new(items, event_json(r));
    rc = rc < 0 ? store_rows_error(r, err) : 0;
    store_rows_close(r);
    if (rc) {
        json_decref(w);
        json_decref(items);
        return rc;
    }
    json_object_set_new(w, "items", items);
    *out = w;
    return 0;
}
