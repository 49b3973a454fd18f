/*
 * tracking.c — matching catalogue changes to watchlists (match keys, the
 * rules) and event titles. The fan-out and reminders are in
 * tracking_fanout.c, watchlist CRUD, inbox and feed in watchlists.c. See
 * tracking.h and docs/modules/tracking.md.
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

/* ---------------------------------------------------------------- matching */

static const char *const kinds[] = {"number", "committee", "ics", "query", NULL};

static bool kind_valid(const char *k)
{
    for (int i = 0; k && kinds[i]; i++)
        if (!strcmp(k, kinds[i]))
            return true;
    return false;
}

char *tracking_trim_dup(const char *s)
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
    char *v = tracking_trim_dup(value ? value : "");
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

