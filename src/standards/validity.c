/*
 * validity.c — validity confirmation (标准有效性确认): split the input into
 * lines, find the standard reference in each, look it up as of a date,
 * follow it to the current edition, and store a checked report as a public
 * record. See validity.h and docs/modules/validity.md.
 *
 * Speed: a batch runs in one read transaction with the store's cached
 * prepared statements, and every distinct edition is looked up once: the
 * outcome of a reference is cached by its edition number ("GB/T 19580-2004",
 * or the key "GB/T 19580" when the line gives no year), so a list that
 * names the same standard in many messy forms costs one lookup.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "core/audit.h"
#include "core/auth.h"
#include "core/json.h"
#include "core/util.h"
#include "standards/internal.h"
#include "standards/standards.h"
#include "standards/validity.h"

#define PARSE_TRIES 16 /* start positions tried per line */
#define FINISH_GROUP 64 /* editions with successors resolved together */

/* ------------------------------------------------------------- lines */

void validity_lines_free(validity_lines *v)
{
    if (!v)
        return;
    for (size_t i = 0; i < v->n; i++)
        free(v->text[i]);
    free(v->text);
    free(v->line);
    memset(v, 0, sizeof *v);
}

/* Length of the white space at s (ASCII space/tab, U+3000, U+00A0, BOM). */
static size_t space_len(const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    if (n >= 1 && (u[0] == ' ' || u[0] == '\t'))
        return 1;
    if (n >= 2 && u[0] == 0xC2 && u[1] == 0xA0)
        return 2;
    if (n >= 3 && u[0] == 0xE3 && u[1] == 0x80 && u[2] == 0x80)
        return 3;
    if (n >= 3 && u[0] == 0xEF && u[1] == 0xBB && u[2] == 0xBF)
        return 3;
    return 0;
}

/* Trailing white space ending at s[n): its length. */
static size_t space_len_back(const char *s, size_t n)
{
    for (size_t k = 1; k <= 3 && k <= n; k++)
        if (space_len(s + n - k, k) == k)
            return k;
    return 0;
}

/* Trim s[0..n), turn control characters into spaces (so the stored input
 * and its canonical JSON stay plain), cut at VALIDITY_LINE_MAX bytes on a
 * character boundary. NULL when nothing is left. s is valid UTF-8. */
static char *line_clean(const char *s, size_t n)
{
    size_t k;
    while (n && (k = space_len(s, n)) > 0)
        s += k, n -= k;
    while (n && (k = space_len_back(s, n)) > 0)
        n -= k;
    if (!n)
        return NULL;
    if (n > VALIDITY_LINE_MAX + 3) {
        n = VALIDITY_LINE_MAX + 3; /* keep a little more so the length check sees it */
        while (n && ((unsigned char)s[n] & 0xC0) == 0x80)
            n--;
    }
    char *o = xstrndup(s, n);
    for (char *p = o; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7F)
            *p = ' ';
    return o;
}

static void lines_add(validity_lines *v, char *text, size_t line)
{
    if (!text)
        return;
    if ((v->n & (v->n - 1)) == 0 || v->n == 0) { /* grow at powers of two */
        size_t cap = v->n ? v->n * 2 : 16;
        v->text = xrealloc(v->text, cap * sizeof *v->text);
        v->line = xrealloc(v->line, cap * sizeof *v->line);
    }
    v->text[v->n] = text;
    v->line[v->n++] = line;
}

static int too_many(size_t total, nqi_error *err)
{
    return nqi_error_field(err, NQI_ETOOBIG, "lines",
                           "at most %d lines per check (limit %d); got %zu", VALIDITY_MAX_LINES,
                           VALIDITY_MAX_LINES, total);
}

/* Lines of a text: \n, \r\n and \r end a line; a final break ends the last
 * line rather than starting an empty one. */
static size_t count_lines(const char *s, size_t n)
{
    size_t total = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\n' || s[i] == '\r') {
            total++;
            if (s[i] == '\r' && i + 1 < n && s[i + 1] == '\n')
                i++;
        } else if (i + 1 == n) {
            total++;
        }
    }
    return total;
}

int validity_lines_from_text(const char *data, size_t len, validity_lines *out,
                             nqi_error *err)
{
    memset(out, 0, sizeof *out);
    /* GB18030 never uses the bytes \r or \n inside a character, so the
     * limit is checked before decoding. */
    size_t total = count_lines(data, len);
    if (total > VALIDITY_MAX_LINES)
        return too_many(total, err);
    char *text = NULL;
    size_t tlen = 0, bad = 0;
    nqi_error e = {0};
    if (standards_decode_text(data ? data : "", len, &text, &tlen, &bad, &e))
        return nqi_error_field(err, NQI_EINVAL, "body", "%s", e.message);
    out->total = total;
    size_t start = 0, line = 0;
    for (size_t i = 0; i <= tlen; i++) {
        if (i < tlen && text[i] != '\n' && text[i] != '\r')
            continue;
        if (i == tlen && start == tlen)
            break;
        line++;
        lines_add(out, line_clean(text + start, i - start), line);
        if (i < tlen && text[i] == '\r' && i + 1 < tlen && text[i + 1] == '\n')
            i++;
        start = i + 1;
    }
    free(text);
    return 0;
}

int validity_lines_from_json(const json_t *lines, validity_lines *out, nqi_error *err)
{
    memset(out, 0, sizeof *out);
    if (!json_is_array(lines))
        return nqi_error_field(err, NQI_EINVAL, "lines", "must be an array of strings");
    size_t total = json_array_size(lines);
    if (total > VALIDITY_MAX_LINES)
        return too_many(total, err);
    for (size_t i = 0; i < total; i++) {
        json_t *s = json_array_get(lines, i);
        if (!json_is_string(s)) {
            char f[32];
            snprintf(f, sizeof f, "lines/%zu", i);
            nqi_error_field(err, NQI_EINVAL, f, "must be a string");
        }
    }
    if (err->code) {
        validity_lines_free(out);
        return err->code;
    }
    out->total = total;
    for (size_t i = 0; i < total; i++) {
        json_t *s = json_array_get(lines, i);
        lines_add(out, line_clean(json_string_value(s), strlen(json_string_value(s))), i + 1);
    }
    return 0;
}

/* ------------------------------------------------------------- finding the reference */

/* Length of a leading list marker: "1." "1、" "1)" "(1)" "（1）" "[1]"
 * "1," "1 " (digits then a separator) or a circled number ①-⑳; 0 if none. */
static size_t enum_len(const char *s)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0;
    /* circled numbers U+2460-2473: E2 91 A0 - E2 91 B3 */
    if (u[0] == 0xE2 && u[1] == 0x91 && u[2] >= 0xA0 && u[2] <= 0xB3)
        i = 3;
    else {
        bool open = false;
        if (u[0] == '(' || u[0] == '[') {
            open = true;
            i = 1;
        } else if (!strncmp(s, "（", 3)) {
            open = true;
            i = 3;
        }
        size_t d = i;
        while (u[i] >= '0' && u[i] <= '9' && i - d < 6)
            i++;
        if (i == d)
            return 0;
        if (u[i] == '.' || u[i] == ')' || u[i] == ']' || u[i] == ',' || u[i] == '\t' ||
            u[i] == ' ')
            i++;
        else if (!strncmp(s + i, "、", 3) || !strncmp(s + i, "）", 3) ||
                 !strncmp(s + i, "，", 3) || !strncmp(s + i, "．", 3))
            i += 3;
        else
            return 0;
        (void)open;
    }
    while (s[i] == ' ' || s[i] == '\t' || s[i] == ',')
        i++;
    if (!strncmp(s + i, "\xE3\x80\x80", 3))
        i += 3;
    return s[i] ? i : 0;
}

/* A letter that may start a standard number: ASCII, or full-width Ａ-Ｚ ａ-ｚ. */
static size_t letter_len(const unsigned char *u)
{
    if ((u[0] >= 'A' && u[0] <= 'Z') || (u[0] >= 'a' && u[0] <= 'z'))
        return 1;
    if (u[0] == 0xEF && u[1] == 0xBC && u[2] >= 0xA1 && u[2] <= 0xBA)
        return 3;
    if (u[0] == 0xEF && u[1] == 0xBD && u[2] >= 0x81 && u[2] <= 0x9A)
        return 3;
    return 0;
}

/* Find the reference in a line: the whole line after a list marker first
 * (a title may follow the number), then each later word that starts with a
 * letter ("《卓越绩效评价准则》GB/T 19580-2012", "卓越绩效评价准则,GB/T
 * 19580-2012"). On failure why gets the first attempt's message, the most
 * useful one. */
static bool find_reference(const char *s, std_number *n, char *why, size_t whylen)
{
    nqi_error e = {0};
    size_t off = enum_len(s), len = strlen(s);
    if (!std_number_parse_ex(s + off, len - off, STD_PARSE_PREFIX, n, &e))
        return true;
    /* the field's own message, without the "number: " the record adds */
    snprintf(why, whylen, "%s",
             e.nfields ? e.fields[0].message : e.message[0] ? e.message : "not a standard number");
    const unsigned char *u = (const unsigned char *)s;
    int tries = 1;
    bool prev_word = true; /* the first position was tried */
    for (size_t i = off; i < len && tries < PARSE_TRIES;) {
        size_t l = letter_len(u + i);
        bool alnum = l || (u[i] >= '0' && u[i] <= '9');
        if (l && !prev_word) {
            nqi_error e2 = {0};
            tries++;
            if (!std_number_parse_ex(s + i, len - i, STD_PARSE_PREFIX, n, &e2))
                return true;
        }
        prev_word = alnum;
        if (l)
            i += l;
        else if (u[i] < 0x80)
            i++;
        else { /* skip one multi-byte character */
            i++;
            while (i < len && (u[i] & 0xC0) == 0x80)
                i++;
        }
    }
    return false;
}

/* ------------------------------------------------------------- one outcome */

/* The outcome of one edition number, shared by every line naming it: its
 * compact JSON object {recognised, number, title_zh, status,
 * implemented_on, current, partial, partial_by, prefix_changed, candidates,
 * error} as text without the closing '}' (each line appends its own keys);
 * the jansson object is made from the text only for stored reports. */
typedef struct cache_ent {
    char *key;
    char *text;
    size_t tlen;
    json_t *outcome; /* lazy (outcome_json) */
    int status;      /* index into status_keys */
} cache_ent;

typedef struct cache {
    cache_ent *v;
    size_t cap, n;
} cache;

static uint64_t fnv1a(const char *s)
{
    uint64_t h = 1469598103934665603ull;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

static cache_ent *cache_get(cache *c, const char *key)
{
    if (!c->cap)
        return NULL;
    for (size_t i = fnv1a(key) & (c->cap - 1);; i = (i + 1) & (c->cap - 1)) {
        if (!c->v[i].key)
            return NULL;
        if (!strcmp(c->v[i].key, key))
            return &c->v[i];
    }
}

static cache_ent *cache_put(cache *c, const char *key, buf *text, int status);

static void cache_grow(cache *c)
{
    cache old = *c;
    c->cap = old.cap ? old.cap * 2 : 256;
    c->n = 0;
    c->v = xcalloc(c->cap, sizeof *c->v);
    for (size_t i = 0; i < old.cap; i++)
        if (old.v[i].key) {
            size_t k = fnv1a(old.v[i].key) & (c->cap - 1);
            while (c->v[k].key)
                k = (k + 1) & (c->cap - 1);
            c->v[k] = old.v[i];
            c->n++;
        }
    free(old.v);
}

/* Takes text (the outcome without its closing brace). The entry is valid
 * until the next put. */
static cache_ent *cache_put(cache *c, const char *key, buf *text, int status)
{
    if ((c->n + 1) * 2 > c->cap)
        cache_grow(c);
    size_t i = fnv1a(key) & (c->cap - 1);
    while (c->v[i].key)
        i = (i + 1) & (c->cap - 1);
    c->v[i].key = xstrdup(key);
    c->v[i].tlen = text->len;
    c->v[i].text = buf_steal(text);
    c->v[i].outcome = NULL;
    c->v[i].status = status;
    c->n++;
    return &c->v[i];
}

/* The outcome as a jansson object (stored reports): parsed from the text. */
static json_t *outcome_json(cache_ent *e)
{
    if (!e->outcome) {
        e->text[e->tlen] = '}'; /* the text's terminating NUL, for the moment */
        e->outcome = json_loadb(e->text, e->tlen + 1, 0, NULL);
        e->text[e->tlen] = 0;
    }
    return e->outcome;
}

static void cache_free(cache *c)
{
    for (size_t i = 0; i < c->cap; i++)
        if (c->v[i].key) {
            free(c->v[i].key);
            free(c->v[i].text);
            json_decref(c->v[i].outcome);
        }
    free(c->v);
}

/* ---- JSON text, exactly as jansson's json_dumps(JSON_COMPACT) writes it */

/* s as a JSON string, exactly as jansson's json_dumps writes it (no
 * JSON_ENSURE_ASCII, no JSON_ESCAPE_SLASH): '"' and '\\' escaped, control
 * characters as \b \f \n \r \t or \u00XX, everything else (UTF-8 included)
 * as is. s is valid UTF-8 (decoded input, or the catalogue's text). */
static void put_str(buf *o, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    const char *run = s, *p = s;
    buf_append(o, "\"", 1);
    for (; *p; p++) {
        unsigned char ch = (unsigned char)*p;
        if (ch >= 0x20 && ch != '"' && ch != '\\')
            continue;
        buf_append(o, run, (size_t)(p - run));
        char e[6] = {'\\', 0};
        size_t el = 2;
        switch (ch) {
        case '"': e[1] = '"'; break;
        case '\\': e[1] = '\\'; break;
        case '\b': e[1] = 'b'; break;
        case '\f': e[1] = 'f'; break;
        case '\n': e[1] = 'n'; break;
        case '\r': e[1] = 'r'; break;
        case '\t': e[1] = 't'; break;
        default:
            e[1] = 'u', e[2] = '0', e[3] = '0', e[4] = hex[ch >> 4], e[5] = hex[ch & 15];
            el = 6;
        }
        buf_append(o, e, el);
        run = p + 1;
    }
    buf_append(o, run, (size_t)(p - run));
    buf_append(o, "\"", 1);
}

/* A string, or null when NULL or empty (jstr's rule). */
static void put_str_or_null(buf *o, const char *s)
{
    if (s && *s)
        put_str(o, s);
    else
        buf_append(o, "null", 4);
}

static void put_int(buf *o, unsigned long long v)
{
    char t[24];
    size_t i = sizeof t;
    do
        t[--i] = (char)('0' + v % 10);
    while (v /= 10);
    buf_append(o, t + i, sizeof t - i);
}

/* "key": for the outcome's members, in their order. */
static void put_key(buf *o, const char *k)
{
    buf_append(o, ",\"", 2);
    buf_puts(o, k);
    buf_append(o, "\":", 2);
}

/* Partial replacements in effect as of as_of of the editions ids[0..n):
 * the numbers of the replacing editions, appended to arr[i] for ids[i]. */
typedef struct partial_ctx {
    const int64_t *ids;
    json_t **arr;
    size_t n;
} partial_ctx;

static int partial_row(store_rows *r, void *ctx)
{
    partial_ctx *p = ctx;
    int64_t old = store_int(r, 0);
    for (size_t i = 0; i < p->n; i++) /* ids are few per chunk; no index needed */
        if (p->ids[i] == old)
            json_array_append_new(p->arr[i], json_string(store_text(r, 1)));
    return 0;
}

static int partial_by(store_conn *c, const int64_t *ids, size_t n, const char *as_of,
                      json_t **arr, nqi_error *err)
{
    static const char head[] =
        "SELECT r.old_id, n.number FROM standard_replacements r JOIN standards n ON "
        "n.id = r.new_id WHERE r.partial = 1 AND r.old_id IN";
    static const char tail[] =
        " AND (n.implemented_on IS NULL OR n.implemented_on <= ?) ORDER BY r.old_id, n.number";
    partial_ctx p = {ids, arr, n};
    store_val post[] = {SV_TEXT(as_of)};
    return std_query_ids(c, head, tail, NULL, 0, ids, n, post, 1, partial_row, &p, err);
}

typedef struct batch {
    store_conn *c;
    const char *as_of;
    cache memo;
    int64_t counts[6];
} batch;

static const char *const status_keys[6] = {"in_force", "upcoming",  "withdrawn",
                                           "replaced", "not_found", "unparsed"};

static int status_index(const char *status)
{
    for (int i = 0; i < 6; i++)
        if (status && !strcmp(status, status_keys[i]))
            return i;
    return 5; /* not reached: every outcome has one of the keys */
}

/* {"number", "title_zh", "status"[, "implemented_on"]} of a record. */
static void put_record(buf *o, const standards_record *r, bool implemented_on)
{
    buf_append(o, "{\"number\":", 10);
    put_str(o, r->number);
    put_key(o, "title_zh");
    put_str(o, r->title_zh ? r->title_zh : "");
    put_key(o, "status");
    put_str(o, r->status);
    if (implemented_on) {
        put_key(o, "implemented_on");
        put_str_or_null(o, r->implemented_on);
    }
    buf_append(o, "}", 1);
}

/* The outcome of an edition that is not in the catalogue, memoised. */
static int outcome_not_found(batch *b, const std_number *n, const char *edition,
                             nqi_error *err)
{
    standards_record *v = NULL;
    size_t cnt = 0;
    int rc = standards_candidates(b->c, n, VALIDITY_CANDIDATES, &v, &cnt, err);
    if (rc)
        return rc;
    buf o;
    buf_init(&o, 0);
    buf_puts(&o, "{\"recognised\":true,\"number\":");
    put_str(&o, edition);
    buf_puts(&o, ",\"title_zh\":null,\"status\":\"not_found\",\"implemented_on\":null,"
                 "\"current\":null,\"partial\":false,\"partial_by\":[],"
                 "\"prefix_changed\":false,\"candidates\":[");
    for (size_t i = 0; i < cnt; i++) {
        if (i)
            buf_append(&o, ",", 1);
        put_record(&o, &v[i], false);
    }
    standards_records_free(v, cnt);
    buf_puts(&o, "],\"error\":");
    char *msg = xasprintf("%s is not in the catalogue", edition);
    put_str(&o, msg);
    free(msg);
    cache_put(&b->memo, edition, &o, status_index("not_found"));
    return 0;
}

/* The outcome of an edition in the catalogue, memoised: cur is its current
 * edition when another one supersedes it (else NULL), partial_by the
 * numbers of partial replacements in effect. */
static void outcome_found(batch *b, const char *edition, const standards_record *rec,
                          const standards_record *cur, bool prefix_changed,
                          const json_t *partial_by)
{
    buf o;
    buf_init(&o, 0);
    buf_puts(&o, "{\"recognised\":true,\"number\":");
    put_str(&o, rec->number);
    put_key(&o, "title_zh");
    put_str(&o, rec->title_zh ? rec->title_zh : "");
    put_key(&o, "status");
    put_str(&o, rec->status);
    put_key(&o, "implemented_on");
    put_str_or_null(&o, rec->implemented_on);
    put_key(&o, "current");
    if (cur)
        put_record(&o, cur, true);
    else
        buf_append(&o, "null", 4);
    size_t np = json_array_size(partial_by);
    put_key(&o, "partial");
    buf_puts(&o, np ? "true" : "false");
    put_key(&o, "partial_by");
    buf_append(&o, "[", 1);
    for (size_t i = 0; i < np; i++) {
        if (i)
            buf_append(&o, ",", 1);
        put_str(&o, json_string_value(json_array_get(partial_by, i)));
    }
    buf_append(&o, "]", 1);
    put_key(&o, "prefix_changed");
    buf_puts(&o, cur && prefix_changed ? "true" : "false");
    buf_puts(&o, ",\"candidates\":[],\"error\":null");
    cache_put(&b->memo, edition, &o, status_index(rec->status));
}

/* The edition a dated reference names, in one query: its columns, status
 * as of the date, and whether anything may supersede it (a replacement
 * link or a later edition with the same key). Most editions have no
 * successor, so they need no further query. 1 found, 0 not, <0 error. */
static int edition_get(store_conn *c, const char *number, const char *as_of,
                       standards_record *rec, bool *successors, nqi_error *err)
{
    static const char sql[] =
        "SELECT s.id, s.number, s.title_zh, s.implemented_on, " STD_STATUS_SQL ", "
        "CASE WHEN EXISTS (SELECT 1 FROM standard_replacements r WHERE r.old_id = s.id) "
        "OR EXISTS (SELECT 1 FROM standards o WHERE o.std_key = s.std_key AND o.id <> s.id "
        "AND COALESCE(o.year, 0) > COALESCE(s.year, 0)) THEN 1 ELSE 0 END "
        "FROM standards s WHERE s.number = ?";
    store_val p[] = {SV_TEXT(as_of), SV_TEXT(as_of), SV_TEXT(as_of), SV_TEXT(number)};
    store_rows *r;
    int rc = store_query(c, sql, p, 4, &r, err);
    if (rc)
        return rc;
    rc = store_next(r);
    if (rc == 1) {
        memset(rec, 0, sizeof *rec);
        rec->id = store_int(r, 0);
        snprintf(rec->number, sizeof rec->number, "%s", store_text(r, 1));
        rec->title_zh = xstrdup(store_text(r, 2) ? store_text(r, 2) : "");
        snprintf(rec->implemented_on, sizeof rec->implemented_on, "%s",
                 store_text(r, 3) ? store_text(r, 3) : "");
        snprintf(rec->status, sizeof rec->status, "%s", store_text(r, 4));
        *successors = store_int(r, 5) != 0;
    } else if (rc < 0) {
        rc = store_rows_error(r, err);
    }
    store_rows_close(r);
    return rc;
}


/* An edition found in the catalogue, waiting for its outcome. */
typedef struct found {
    char edition[160];
    standards_record rec;
    bool successors; /* may be superseded: needs the current edition */
} found;

/* First step for one edition: 1 = in the catalogue (*f set), 0 = not
 * (its outcome memoised), < 0 = store error. */
static int edition_find(batch *b, const std_number *n, const char *edition, found *f,
                        nqi_error *err)
{
    snprintf(f->edition, sizeof f->edition, "%s", edition);
    f->successors = true; /* year-less: the key's current edition, always followed */
    int rc;
    if (n->year) {
        rc = edition_get(b->c, edition, b->as_of, &f->rec, &f->successors, err);
    } else {
        nqi_error e = {0};
        rc = standards_lookup(b->c, n, b->as_of, &f->rec, &e);
        if (rc == 0)
            rc = 1;
        else if (rc == NQI_ENOTFOUND)
            rc = 0;
        else
            *err = e;
    }
    if (rc == 0)
        rc = outcome_not_found(b, n, edition, err);
    return rc;
}

/* Second step for the editions v[0..n), all at once: the current edition
 * and the partial replacements of those that may be superseded (a few IN
 * queries for the whole batch: std_current_many, partial_by), then each
 * outcome is memoised. Frees the records. */
static int editions_finish(batch *b, found *v, size_t n, nqi_error *err)
{
    int64_t *ids = xmalloc((n ? n : 1) * sizeof *ids);
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (v[i].successors)
            ids[m++] = v[i].rec.id;
    standards_record *cur = xcalloc(m ? m : 1, sizeof *cur);
    bool *changed = xcalloc(m ? m : 1, sizeof *changed);
    json_t **pby = xcalloc(m ? m : 1, sizeof *pby);
    for (size_t k = 0; k < m; k++)
        pby[k] = json_array();
    int rc = std_current_many(b->c, ids, m, b->as_of, cur, changed, err);
    bool have_cur = !rc;
    if (!rc)
        rc = partial_by(b->c, ids, m, b->as_of, pby, err);
    json_t *none = json_array();
    for (size_t i = 0, k = 0; i < n; i++) {
        standards_record *rec = &v[i].rec;
        if (!rc && v[i].successors)
            outcome_found(b, v[i].edition, rec, cur[k].id != rec->id ? &cur[k] : NULL,
                          changed[k], pby[k]);
        else if (!rc)
            outcome_found(b, v[i].edition, rec, NULL, false, none);
        k += v[i].successors;
        standards_record_free(rec);
    }
    json_decref(none);
    for (size_t k = 0; k < m; k++) {
        if (have_cur)
            standards_record_free(&cur[k]);
        json_decref(pby[k]);
    }
    free(cur);
    free(changed);
    free(pby);
    free(ids);
    return rc;
}

/* Look up one edition and memoise its outcome. */
static int edition_lookup(batch *b, const std_number *n, const char *edition, nqi_error *err)
{
    found f;
    int rc = edition_find(b, n, edition, &f, err);
    return rc == 1 ? editions_finish(b, &f, 1, err) : rc;
}

/* Find the reference of one line and its outcome (from the memo, or looked
 * up and memoised). 0: *ent and *n set, the line counted; 1: unparsed, why
 * set (not counted); < 0 / NQI_E*: store error. */
static int resolve_line(batch *b, const char *text, std_number *n, cache_ent **ent, char *why,
                        size_t whylen, nqi_error *err)
{
    if (strlen(text) > VALIDITY_LINE_MAX) {
        snprintf(why, whylen, "line is longer than %d bytes", VALIDITY_LINE_MAX);
        return 1;
    }
    if (!find_reference(text, n, why, whylen))
        return 1;
    char edition[160];
    std_edition_number(n, edition);
    cache_ent *e = cache_get(&b->memo, edition);
    if (!e) {
        int rc = edition_lookup(b, n, edition, err);
        if (rc)
            return rc < 0 ? rc : NQI_EINTERNAL;
        e = cache_get(&b->memo, edition);
    }
    b->counts[e->status]++;
    *ent = e;
    return 0;
}

/* Look up every distinct edition of the lines in the order of its number
 * and memoise it, before the lines are checked in their own order. The
 * index on standards.number (and on std_key, which follows it) is then
 * walked in order, so consecutive lookups find their b-tree pages in the
 * connection's page cache instead of reading them again (10,000 random
 * references at 1M rows: about a third less lookup time). Same outcomes:
 * each edition is looked up once either way, in the same transaction. */
typedef struct pending {
    char edition[160];
    size_t i; /* index into lines */
} pending;

/* By edition, then by line: among lines naming the same edition the first
 * one is looked up, as when the lines are checked in order. */
static int pending_cmp(const void *a, const void *b)
{
    const pending *x = a, *y = b;
    int c = strcmp(x->edition, y->edition);
    return c ? c : (x->i > y->i) - (x->i < y->i);
}

static int memo_prefetch(batch *b, const validity_lines *lines, nqi_error *err)
{
    pending *v = xmalloc((lines->n ? lines->n : 1) * sizeof *v);
    size_t k = 0;
    std_number n;
    char why[512];
    for (size_t i = 0; i < lines->n; i++) {
        if (strlen(lines->text[i]) > VALIDITY_LINE_MAX ||
            !find_reference(lines->text[i], &n, why, sizeof why))
            continue;
        std_edition_number(&n, v[k].edition);
        v[k++].i = i;
    }
    qsort(v, k, sizeof *v, pending_cmp);
    int rc = 0;
    found *f = xmalloc((k ? k : 1) * sizeof *f);
    size_t nf = 0, nsucc = 0;
    for (size_t j = 0; !rc && j < k; j++) {
        /* sorted: the lines naming an edition are adjacent */
        if ((j && !strcmp(v[j].edition, v[j - 1].edition)) || cache_get(&b->memo, v[j].edition))
            continue;
        find_reference(lines->text[v[j].i], &n, why, sizeof why);
        rc = edition_find(b, &n, v[j].edition, &f[nf], err);
        if (rc == 1) {
            nsucc += f[nf++].successors;
            rc = 0;
        }
        /* finish in groups, while the pages of these editions (and of their
         * neighbours in number order) are still in the connection's cache:
         * one group for the whole batch read them all again */
        if (!rc && nsucc == FINISH_GROUP) {
            rc = editions_finish(b, f, nf, err);
            nf = nsucc = 0;
        }
    }
    if (!rc)
        rc = editions_finish(b, f, nf, err);
    else
        for (size_t j = 0; j < nf; j++)
            standards_record_free(&f[j].rec);
    free(f);
    free(v);
    return rc;
}

/* The item of an unparsed line. */
static json_t *unparsed_item(const char *text, size_t line, const char *why)
{
    json_t *o = json_pack("{s:I, s:s, s:b, s:n, s:n, s:n, s:s, s:n, s:n, s:b, s:[], s:b, s:[], "
                          "s:s, s:b}",
                          "line", (json_int_t)line, "input", text, "recognised", false,
                          "reference", "number", "title_zh", "status", "unparsed",
                          "implemented_on", "current", "partial", false, "partial_by",
                          "prefix_changed", false, "candidates", "error", why, "undated", false);
    if (!o) /* a parser message cut inside a character: say it plainly */
        o = json_pack("{s:I, s:s, s:b, s:n, s:n, s:n, s:s, s:n, s:n, s:b, s:[], s:b, s:[], "
                      "s:s, s:b}",
                      "line", (json_int_t)line, "input", text, "recognised", false,
                      "reference", "number", "title_zh", "status", "unparsed",
                      "implemented_on", "current", "partial", false, "partial_by",
                      "prefix_changed", false, "candidates", "error",
                      "not a standard number", "undated", false);
    return o;
}

/* The item for one input line. */
static int check_line(batch *b, const char *text, size_t line, json_t **item, nqi_error *err)
{
    std_number n;
    char why[512] = "";
    cache_ent *e = NULL;
    int rc = resolve_line(b, text, &n, &e, why, sizeof why, err);
    if (rc < 0)
        return rc;
    if (rc == 1) {
        b->counts[5]++;
        *item = unparsed_item(text, line, why);
        return 0;
    }
    json_t *o = json_copy(outcome_json(e)); /* shallow: shares current/candidates, never
                                                modified */
    json_object_set_new(o, "line", json_integer((json_int_t)line));
    json_object_set_new(o, "input", json_string(text));
    json_object_set_new(o, "reference", json_string(n.canonical));
    json_object_set_new(o, "undated", json_boolean(n.year == 0));
    *item = o;
    return 0;
}

int validity_check_batch(store_conn *c, const validity_lines *lines, const char *as_of,
                         json_t **out, nqi_error *err)
{
    char today[11];
    if (!as_of || !*as_of) {
        standards_today(today);
        as_of = today;
    }
    *out = NULL;
    bool own = !store_in_tx(c);
    int rc = own ? store_begin(c, false, err) : 0;
    if (rc)
        return rc;
    batch b = {.c = c, .as_of = as_of};
    json_t *items = json_array();
    rc = memo_prefetch(&b, lines, err);
    for (size_t i = 0; !rc && i < lines->n; i++) {
        json_t *item = NULL;
        rc = check_line(&b, lines->text[i], lines->line[i], &item, err);
        if (!rc)
            json_array_append_new(items, item);
    }
    cache_free(&b.memo);
    rc = store_tx_end(c, own, rc, err);
    if (rc) {
        json_decref(items);
        return rc;
    }
    json_t *summary = json_object();
    for (int i = 0; i < 6; i++)
        json_object_set_new(summary, status_keys[i], json_integer(b.counts[i]));
    *out = json_pack("{s:s, s:o, s:o}", "as_of", as_of, "summary", summary, "items", items);
    return 0;
}

/* ------------------------------------------------------------- rendering */

/* The item of a resolved line: the memoised outcome's text, then line,
 * input, reference, undated — the keys and order of check_line's object. */
static void put_item(buf *o, cache_ent *e, const char *text, size_t line, const std_number *n)
{
    buf_append(o, e->text, e->tlen);
    buf_append(o, ",\"line\":", 8);
    put_int(o, (unsigned long long)line);
    buf_append(o, ",\"input\":", 9);
    put_str(o, text);
    buf_append(o, ",\"reference\":", 13);
    put_str(o, n->canonical);
    if (n->year == 0)
        buf_append(o, ",\"undated\":true}", 16);
    else
        buf_append(o, ",\"undated\":false}", 17);
}

int validity_check_json(store_conn *c, const validity_lines *lines, const char *as_of,
                        const char *created_at, char **out, size_t *len, nqi_error *err)
{
    char today[11];
    if (!as_of || !*as_of) {
        standards_today(today);
        as_of = today;
    }
    *out = NULL;
    *len = 0;
    bool own = !store_in_tx(c);
    int rc = own ? store_begin(c, false, err) : 0;
    if (rc)
        return rc;
    batch b = {.c = c, .as_of = as_of};
    buf items;
    buf_init(&items, 0);
    buf_append(&items, "[", 1);
    rc = memo_prefetch(&b, lines, err);
    for (size_t i = 0; !rc && i < lines->n; i++) {
        std_number n;
        char why[512] = "";
        cache_ent *e = NULL;
        rc = resolve_line(&b, lines->text[i], &n, &e, why, sizeof why, err);
        if (i)
            buf_append(&items, ",", 1);
        if (rc == 0) {
            put_item(&items, e, lines->text[i], lines->line[i], &n);
        } else if (rc == 1) { /* rare: the tree, so the fallbacks stay as they are */
            b.counts[5]++;
            json_t *it = unparsed_item(lines->text[i], lines->line[i], why);
            char *s = json_dumps(it, JSON_COMPACT);
            buf_puts(&items, s ? s : "null");
            free(s);
            json_decref(it);
            rc = 0;
        }
    }
    buf_append(&items, "]", 1);
    cache_free(&b.memo);
    rc = store_tx_end(c, own, rc, err);
    if (rc) {
        buf_free(&items);
        return rc;
    }
    buf o;
    buf_init(&o, 0);
    buf_append(&o, "{\"as_of\":", 9);
    put_str(&o, as_of);
    buf_append(&o, ",\"summary\":{", 12);
    for (int i = 0; i < 6; i++) {
        if (i)
            buf_append(&o, ",", 1);
        put_str(&o, status_keys[i]);
        buf_append(&o, ":", 1);
        put_int(&o, (unsigned long long)b.counts[i]);
    }
    buf_append(&o, "},\"items\":", 10);
    buf_append(&o, items.data, items.len);
    buf_free(&items);
    buf_append(&o, ",\"id\":null,\"created_at\":", 24);
    put_str(&o, created_at ? created_at : "");
    buf_append(&o, ",\"line_count\":", 14);
    put_int(&o, (unsigned long long)lines->n);
    buf_append(&o, ",\"publog_index\":null,\"verify_url\":null}", 39);
    *len = o.len;
    *out = buf_steal(&o);
    return 0;
}

void validity_result_hash(const json_t *items, char out[65])
{
    char *s = json_dumps(items, JSON_COMPACT | JSON_SORT_KEYS);
    auth_sha256_hex(s ? s : "", s ? strlen(s) : 0, out);
    free(s);
}

/* ------------------------------------------------------------- remarks */

static const char *item_str(const json_t *item, const char *k)
{
    const char *s = json_string_value(json_object_get(item, k));
    return s ? s : "";
}

const char *validity_status_zh(const char *st)
{
    if (!strcmp(st, "not_found"))
        return "未找到";
    if (!strcmp(st, "unparsed"))
        return "无法识别";
    return standards_status_zh(st);
}

char *validity_item_remark(const json_t *item)
{
    buf b;
    buf_init(&b, 0);
    const char *st = item_str(item, "status");
    const json_t *cur = json_object_get(item, "current");
    const char *curno = json_is_object(cur) ? item_str(cur, "number") : "";
    if (json_is_true(json_object_get(item, "undated")) && strcmp(st, "not_found"))
        buf_printf(&b, "未注明年代号，按 %s 确认；", item_str(item, "number"));
    if (!strcmp(st, "in_force")) {
        buf_puts(&b, "现行有效");
    } else if (!strcmp(st, "upcoming")) {
        buf_printf(&b, "尚未实施（实施日期 %s）", item_str(item, "implemented_on")[0]
                                                   ? item_str(item, "implemented_on")
                                                   : "未定");
        if (*curno)
            buf_printf(&b, "，现行版本 %s", curno);
    } else if (!strcmp(st, "replaced")) {
        if (*curno)
            buf_printf(&b, "已被 %s 代替", curno);
        else
            buf_puts(&b, "已被代替");
    } else if (!strcmp(st, "withdrawn")) {
        buf_puts(&b, "已废止");
        if (*curno)
            buf_printf(&b, "，现行版本 %s", curno);
    } else if (!strcmp(st, "not_found")) {
        buf_puts(&b, "标准目录中未找到");
        const json_t *cands = json_object_get(item, "candidates");
        size_t i;
        const json_t *cd;
        json_array_foreach(cands, i, cd)
            buf_printf(&b, "%s%s", i ? "、" : "；相近标准：", item_str(cd, "number"));
    } else {
        buf_printf(&b, "无法识别：%s", item_str(item, "error"));
    }
    if (json_is_true(json_object_get(item, "prefix_changed")))
        buf_puts(&b, "（标准代号已变更）");
    const json_t *pby = json_object_get(item, "partial_by");
    if (json_is_true(json_object_get(item, "partial")) && json_array_size(pby)) {
        size_t i;
        const json_t *p;
        json_array_foreach(pby, i, p)
            buf_printf(&b, "%s%s", i ? "、" : "；部分内容已被 ", json_string_value(p));
        buf_puts(&b, " 代替");
    }
    return b.data ? buf_steal(&b) : xstrdup("");
}

/* ------------------------------------------------------------- reports */

bool validity_uid_valid(const char *s)
{
    if (!s || strlen(s) != VALIDITY_UID_LEN)
        return false;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '2' && *s <= '7')))
            return false;
    return true;
}

/* 15 random bytes as 24 characters of lower-case base32 (RFC 4648). */
static void uid_new(char out[VALIDITY_UID_LEN + 1])
{
    static const char alpha[] = "abcdefghijklmnopqrstuvwxyz234567";
    unsigned char r[15];
    randombytes_buf(r, sizeof r);
    size_t o = 0;
    for (size_t i = 0; i < sizeof r; i += 5) {
        uint64_t v = 0;
        for (int k = 0; k < 5; k++)
            v = v << 8 | r[i + (size_t)k];
        for (int k = 7; k >= 0; k--)
            out[o++] = alpha[(v >> (5 * k)) & 31];
    }
    out[o] = 0;
}

/* The public view of a report from its parts (items, summary: borrowed). */
static json_t *report_json(const char *uid, const char *as_of, int64_t created_at,
                           int64_t line_count, json_t *summary, json_t *items,
                           const char *hash, int64_t publog_index, bool have_index)
{
    char t[32], *verify = xasprintf("/validity/%s", uid), *proof = NULL;
    if (have_index)
        proof = xasprintf("/api/v1/log/proof/%lld", (long long)publog_index);
    json_t *o = json_pack("{s:s, s:s, s:s, s:I, s:O, s:O, s:s, s:o, s:s, s:s?}", "id", uid,
                          "as_of", as_of, "created_at", time_iso8601(created_at, t, sizeof t),
                          "line_count", (json_int_t)line_count, "summary", summary, "items",
                          items, "result_hash", hash, "publog_index",
                          have_index ? json_integer(publog_index) : json_null(), "verify_url",
                          verify, "proof", proof);
    free(verify);
    free(proof);
    return o;
}

int validity_report_store(store_conn *c, const http_principal *actor, const json_t *report,
                          size_t line_count, json_t **out, nqi_error *err)
{
    static const char sql[] =
        "INSERT INTO validity_reports (uid, as_of, created_at, created_by, line_count, summary, "
        "result, result_hash, publog_index) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)";
    json_t *items = json_object_get(report, "items"), *summary = json_object_get(report, "summary");
    const char *as_of = json_string_value(json_object_get(report, "as_of"));
    *out = NULL;
    if (!json_is_array(items) || !json_is_object(summary) || !as_of)
        return nqi_error_set(err, NQI_EINTERNAL, "validity: malformed report");
    char uid[VALIDITY_UID_LEN + 1], hash[65], t[32];
    uid_new(uid);
    char *result = json_dumps(items, JSON_COMPACT | JSON_SORT_KEYS);
    char *sum = json_dumps(summary, JSON_COMPACT | JSON_SORT_KEYS);
    auth_sha256_hex(result, strlen(result), hash);
    int64_t now = now_ms(), idx = 0;
    json_t *record = json_pack("{s:s, s:s, s:s, s:I, s:O, s:s}", "uid", uid, "as_of", as_of,
                               "created_at", time_iso8601(now, t, sizeof t), "line_count",
                               (json_int_t)line_count, "summary", summary, "result_hash", hash);
    char who[96];
    if (actor && actor->username[0])
        snprintf(who, sizeof who, "%s", actor->username);
    else
        snprintf(who, sizeof who, "token:%lld", actor ? (long long)actor->token_id : 0LL);
    bool own = !store_in_tx(c);
    int rc = own ? store_begin(c, true, err) : 0;
    if (!rc)
        rc = publog_append(c, "validity.report", uid, record, &idx, err);
    if (!rc) {
        store_val p[] = {SV_TEXT(uid),  SV_TEXT(as_of),  SV_INT(now),    SV_TEXT(who),
                         SV_INT(line_count), SV_TEXT(sum), SV_TEXT(result), SV_TEXT(hash),
                         SV_INT(idx)};
        rc = store_exec(c, sql, p, 9, NULL, err);
    }
    if (!rc)
        rc = audit_record(c, actor, "validity.report", "validity_report", uid, NULL, record, err);
    rc = store_tx_end(c, own, rc, err);
    if (!rc)
        *out = report_json(uid, as_of, now, (int64_t)line_count, summary, items, hash, idx, true);
    json_decref(record);
    free(result);
    free(sum);
    return rc;
}

int validity_report_get(store_conn *c, const char *uid, json_t **out, nqi_error *err)
{
    static const char sql[] = "SELECT as_of, created_at, line_count, summary, result, "
                              "result_hash, publog_index FROM validity_reports WHERE uid = ?";
    *out = NULL;
    if (!validity_uid_valid(uid))
        return nqi_error_field(err, NQI_ENOTFOUND, "uid", "no validity report '%.40s'",
                               uid ? uid : "");
    store_rows *r;
    int rc = store_query(c, sql, (store_val[]){SV_TEXT(uid)}, 1, &r, err);
    if (rc)
        return rc;
    rc = store_next(r);
    if (rc == 1) {
        json_t *summary = json_loads(store_text(r, 3) ? store_text(r, 3) : "", 0, NULL);
        json_t *items = json_loads(store_text(r, 4) ? store_text(r, 4) : "", 0, NULL);
        if (!summary || !items) {
            rc = nqi_error_set(err, NQI_EINTERNAL, "validity report %s is not readable", uid);
        } else {
            *out = report_json(uid, store_text(r, 0), store_int(r, 1), store_int(r, 2), summary,
                               items, store_text(r, 5), store_int(r, 6), !store_isnull(r, 6));
            rc = 0;
        }
        json_decref(summary);
        json_decref(items);
    } else if (rc == 0) {
        rc = nqi_error_field(err, NQI_ENOTFOUND, "uid", "no validity report '%s'", uid);
    } else {
        rc = store_rows_error(r, err);
    }
    store_rows_close(r);
    return rc;
}
