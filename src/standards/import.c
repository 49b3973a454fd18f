/*
 * import.c — catalogue import from CSV (UTF-8 or GB18030, RFC 4180), JSON
 * (array of objects) and NDJSON, all or nothing. See standards.h and
 * docs/modules/standards.md.
 *
 * Three phases, so a rejected file writes nothing and a large one stays
 * fast:
 *   1. parse   the body into rows of field values (pointers into one
 *              decoded buffer or into the JSON documents);
 *   2. check   every row (number, dates, status, lengths, duplicates), look
 *              each number up once (existing edition → before/after diff)
 *              and resolve replaces/replaced_by against the file and the
 *              catalogue; every problem becomes a report error;
 *   3. write   (not for dry runs, only with no errors) inserts/updates with
 *              cached prepared statements in one transaction, then links,
 *              amendments, changes, derived status columns and one audit
 *              record.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <iconv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/audit.h"
#include "core/csv.h"
#include "core/json.h"
#include "core/text.h"
#include "core/util.h"
#include "standards/internal.h"
#include "standards/standards.h"

#define MAX_ERRORS 100000 /* errors kept in the report (the count goes on) */
/* SQLite page cache during an import: 5 KiB per KiB of input, within these */
#define IMPORT_CACHE_MIN_KIB (256 * 1024)
#define IMPORT_CACHE_MAX_KIB (2048 * 1024)

const char *const std_field_names[SF_COUNT] = {
    "number",  "title_zh", "title_en",  "status",   "issued_on", "implemented_on",
    "withdrawn_on", "replaces", "replaced_by", "ics", "ccs", "department", "committee",
    "issuer",  "drafters", "adopted",   "adoption_degree", "scope", "amendments", "source"};

const char *const std_field_names_zh[SF_COUNT] = {
    "标准号",   "标准名称", "英文名称", "状态",     "发布日期", "实施日期", "废止日期",
    "代替标准", "被代替标准", "ICS",    "CCS",      "主管部门", "归口单位", "发布单位",
    "起草单位", "采用国际标准", "采用程度", "适用范围", "修改单", "来源"};

/* Character limits per field (code points). */
static const size_t field_max[SF_COUNT] = {
    160, 500, 1000, 20, 20, 20, 20, 4000, 4000, 200, 100, 200, 500, 500, 4000, 500, 20,
    20000, 2000, 500};

static const struct {
    const char *alias;
    int field;
} header_aliases[] = {
    {"标准号", SF_NUMBER},          {"标准编号", SF_NUMBER},
    {"标准名称", SF_TITLE_ZH},      {"中文名称", SF_TITLE_ZH},
    {"中文标题", SF_TITLE_ZH},      {"标准中文名称", SF_TITLE_ZH},
    {"英文名称", SF_TITLE_EN},      {"英文标题", SF_TITLE_EN},
    {"标准英文名称", SF_TITLE_EN},  {"状态", SF_STATUS},
    {"标准状态", SF_STATUS},        {"发布日期", SF_ISSUED_ON},
    {"实施日期", SF_IMPLEMENTED_ON}, {"废止日期", SF_WITHDRAWN_ON},
    {"代替标准", SF_REPLACES},      {"替代标准", SF_REPLACES},
    {"被代替标准", SF_REPLACED_BY}, {"被替代标准", SF_REPLACED_BY},
    {"ics分类", SF_ICS},            {"ics分类号", SF_ICS},
    {"中国标准分类号", SF_CCS},     {"ccs分类号", SF_CCS},
    {"主管部门", SF_DEPARTMENT},    {"归口单位", SF_COMMITTEE},
    {"技术委员会", SF_COMMITTEE},   {"发布单位", SF_ISSUER},
    {"起草单位", SF_DRAFTERS},      {"采用国际标准", SF_ADOPTED},
    {"采用程度", SF_ADOPTION_DEGREE}, {"适用范围", SF_SCOPE},
    {"修改单", SF_AMENDMENTS},      {"来源", SF_SOURCE},
};

int std_field_from_header(const char *h)
{
    char norm[128];
    size_t n = 0;
    if (!strncmp(h, "\xEF\xBB\xBF", 3))
        h += 3;
    for (; *h && n + 1 < sizeof norm; h++) {
        unsigned char ch = (unsigned char)*h;
        if (ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n')
            continue;
        norm[n++] = (char)(ch >= 'A' && ch <= 'Z' ? ch + 32 : ch);
    }
    norm[n] = 0;
    for (int i = 0; i < SF_COUNT; i++)
        if (!strcmp(norm, std_field_names[i]))
            return i;
    for (size_t i = 0; i < sizeof header_aliases / sizeof header_aliases[0]; i++)
        if (!strcmp(norm, header_aliases[i].alias))
            return header_aliases[i].field;
    return -1;
}

/* ---------------------------------------------------------------- arena */

typedef struct arena_blk {
    struct arena_blk *next;
    size_t used, cap;
    char data[];
} arena_blk;

typedef struct arena {
    arena_blk *head;
} arena;

static void *arena_alloc(arena *a, size_t n)
{
    n = (n + 7) & ~(size_t)7;
    if (!a->head || a->head->used + n > a->head->cap) {
        size_t cap = n > (1u << 20) ? n : (1u << 20);
        arena_blk *b = xmalloc(sizeof *b + cap);
        b->next = a->head;
        b->used = 0;
        b->cap = cap;
        a->head = b;
    }
    void *p = a->head->data + a->head->used;
    a->head->used += n;
    return p;
}

static char *arena_strndup(arena *a, const char *s, size_t n)
{
    char *p = arena_alloc(a, n + 1);
    memcpy(p, s, n);
    p[n] = 0;
    return p;
}

static char *arena_strdup(arena *a, const char *s)
{
    return s ? arena_strndup(a, s, strlen(s)) : NULL;
}

static void arena_free(arena *a)
{
    while (a->head) {
        arena_blk *n = a->head->next;
        free(a->head);
        a->head = n;
    }
}

/* ---------------------------------------------------------------- report */

static void report_add(std_import_report *rep, int64_t row, const char *field, const char *fmt,
                       ...) __attribute__((format(printf, 4, 5)));

static void report_add(std_import_report *rep, int64_t row, const char *field, const char *fmt,
                       ...)
{
    if (rep->nerrors >= MAX_ERRORS) {
        rep->nerrors++;
        return;
    }
    if ((rep->nerrors & (rep->nerrors - 1)) == 0)
        rep->errors = xrealloc(rep->errors, (rep->nerrors ? rep->nerrors * 2 : 1) *
                                                sizeof *rep->errors);
    std_import_error *e = &rep->errors[rep->nerrors++];
    e->row = row;
    snprintf(e->field, sizeof e->field, "%s", field);
    va_list ap;
    va_start(ap, fmt);
    if (vasprintf(&e->message, fmt, ap) < 0)
        abort();
    va_end(ap);
}

void standards_import_report_free(std_import_report *rep)
{
    size_t n = rep->nerrors < MAX_ERRORS ? rep->nerrors : MAX_ERRORS;
    for (size_t i = 0; i < n; i++)
        free(rep->errors[i].message);
    free(rep->errors);
    rep->errors = NULL;
    rep->nerrors = 0;
}

/* ---------------------------------------------------------------- decode */

int standards_decode_text(const char *in, size_t len, char **out, size_t *outlen,
                          size_t *bad_off, nqi_error *err)
{
    size_t skip = len >= 3 && !memcmp(in, "\xEF\xBB\xBF", 3) ? 3 : 0;
    in += skip;
    len -= skip;
    if (utf8_valid(in, len) && !memchr(in, 0, len)) {
        *out = xstrndup(in, len);
        *outlen = len;
        return 0;
    }
    iconv_t cd = iconv_open("UTF-8", "GB18030");
    if (cd == (iconv_t)-1)
        return nqi_error_set(err, NQI_EINTERNAL, "iconv: GB18030 not available");
    size_t cap = len * 2 + 16;
    char *o = xmalloc(cap), *op = o;
    char *ip = (char *)in;
    size_t il = len, ol = cap - 1;
    size_t r = iconv(cd, &ip, &il, &op, &ol);
    int e = errno;
    iconv_close(cd);
    if (r == (size_t)-1 || memchr(o, 0, (size_t)(op - o))) {
        size_t off = (size_t)(ip - in) + skip;
        if (bad_off)
            *bad_off = off;
        free(o);
        return nqi_error_set(err, NQI_EINVAL,
                             "the file is neither UTF-8 nor GB18030: undecodable bytes at "
                             "offset %zu%s",
                             off, e == EINVAL ? " (truncated character)" : "");
    }
    *op = 0;
    *out = o;
    *outlen = (size_t)(op - o);
    return 0;
}

/* ---------------------------------------------------------------- rows */

typedef struct ref {
    char *number;  /* edition number */
    bool partial;
    int64_t id;    /* resolved */
    long row;      /* index in the file, or -1 */
} ref;

typedef struct irow {
    int64_t rowno;
    const char *v[SF_COUNT];  /* values as given, NULL = empty */
    bool bad;
    /* from the number */
    char *number, *key, *prefix, *code, *amend;
    const char *tier, *nature;
    int year;
    /* normalised */
    char date[3][11];          /* issued, implemented, withdrawn ("" = none) */
    const char *status;        /* recorded status to store */
    ref *repl, *repl_by;
    int nrepl, nrepl_by;
    /* existing edition */
    int64_t id;
    bool exists, changed;
    json_t *diff;              /* {field: [before, after]} */
    const char *kind;
} irow;

typedef struct import_ctx {
    store_conn *c;
    arena a;
    irow *rows;
    size_t nrows, caprows;
    bool present[SF_COUNT];   /* column given in the file */
    std_import_report *rep;
    const char *source;
    char today[11];
    int64_t next_id;          /* SQLite: last id given (-1: ids from RETURNING) */
    /* number -> row index (open addressing) */
    long *slots;
    size_t nslots;
    /* decoded CSV text / JSON docs to free */
    char *text;
    json_t **docs;
    size_t ndocs;
} import_ctx;

static irow *row_new(import_ctx *x, int64_t rowno)
{
    if (x->nrows == x->caprows) {
        x->caprows = x->caprows ? x->caprows * 2 : 1024;
        x->rows = xrealloc(x->rows, x->caprows * sizeof *x->rows);
    }
    irow *r = &x->rows[x->nrows++];
    memset(r, 0, sizeof *r);
    r->rowno = rowno;
    return r;
}

/* Trimmed value in place; NULL when empty. */
static const char *trimmed(import_ctx *x, const char *s, size_t n, bool copy)
{
    while (n && (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n'))
        s++, n--;
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n'))
        n--;
    if (!n)
        return NULL;
    if (copy)
        return arena_strndup(&x->a, s, n);
    ((char *)s)[n] = 0;
    return s;
}

/* ---- CSV ---- */

/* Where byte offset off of raw CSV falls: record (0 = header) and field. */
static void csv_locate(const char *s, size_t off, int64_t *rec, int *field)
{
    bool q = false;
    *rec = 0;
    *field = 0;
    for (size_t i = 0; i < off; i++) {
        char ch = s[i];
        if (q) {
            if (ch == '"') {
                if (i + 1 < off && s[i + 1] == '"')
                    i++;
                else
                    q = false;
            }
        } else if (ch == '"') {
            q = true;
        } else if (ch == ',') {
            (*field)++;
        } else if (ch == '\n') {
            (*rec)++;
            *field = 0;
        }
    }
}

#define CSV_MAXCOLS 256

static const char *col_name(const int *map, int ncols, int k, char *tmp, size_t n)
{
    if (k < ncols && map[k] >= 0)
        return std_field_names[map[k]];
    snprintf(tmp, n, "column %d", k + 1);
    return tmp;
}

static int parse_csv(import_ctx *x, const char *data, size_t len, nqi_error *err)
{
    size_t tlen, bad = 0;
    if (standards_decode_text(data, len, &x->text, &tlen, &bad, err)) {
        int64_t rec;
        int field;
        csv_locate(data, bad, &rec, &field);
        /* name the column from the header when the header itself decodes */
        char tmp[24], *hdr = NULL;
        size_t hl;
        const char *nl = memchr(data, '\n', len);
        const char *cname = NULL;
        nqi_error e2 = {0};
        if (rec > 0 && nl && !standards_decode_text(data, (size_t)(nl - data), &hdr, &hl, NULL,
                                                    &e2)) {
            char *f[CSV_MAXCOLS];
            size_t fl[CSV_MAXCOLS];
            int nf = 0;
            size_t pos = 0;
            if (!csv_record(hdr, hl, &pos, f, fl, CSV_MAXCOLS, &nf) && field < nf &&
                field < CSV_MAXCOLS) {
                f[field][fl[field]] = 0;
                int k = std_field_from_header(f[field]);
                if (k >= 0)
                    cname = std_field_names[k];
            }
        }
        if (!cname) {
            snprintf(tmp, sizeof tmp, "column %d", field + 1);
            cname = tmp;
        }
        report_add(x->rep, rec, cname, "%s", err->message);
        free(hdr);
        return 0;
    }
    char *s = x->text;
    size_t pos = 0;
    char *f[CSV_MAXCOLS];
    size_t fl[CSV_MAXCOLS];
    int nf, map[CSV_MAXCOLS], ncols;
    /* header */
    int rc = csv_record(s, tlen, &pos, f, fl, CSV_MAXCOLS, &nf);
    if (rc) {
        report_add(x->rep, 0, "columns", rc < 0 ? "unterminated quote in the header"
                                                : "the file is empty (no header row)");
        return 0;
    }
    if (nf > CSV_MAXCOLS) {
        report_add(x->rep, 0, "columns", "more than %d columns", CSV_MAXCOLS);
        return 0;
    }
    ncols = nf;
    int seen[SF_COUNT];
    for (int i = 0; i < SF_COUNT; i++)
        seen[i] = -1;
    for (int k = 0; k < nf; k++) {
        f[k][fl[k]] = 0;
        map[k] = std_field_from_header(f[k]);
        if (map[k] >= 0) {
            if (seen[map[k]] >= 0) {
                report_add(x->rep, 0, std_field_names[map[k]],
                           "column %d repeats column %d (%s)", k + 1, seen[map[k]] + 1,
                           std_field_names[map[k]]);
                map[k] = -1;
                continue;
            }
            seen[map[k]] = k;
            x->present[map[k]] = true;
        }
    }
    if (!x->present[SF_NUMBER])
        report_add(x->rep, 0, "number", "missing required column number (标准号)");
    if (!x->present[SF_TITLE_ZH])
        report_add(x->rep, 0, "title_zh", "missing required column title_zh (标准名称)");
    if (x->rep->nerrors)
        return 0;
    int64_t rowno = 0;
    while ((rc = csv_record(s, tlen, &pos, f, fl, CSV_MAXCOLS, &nf)) == 0) {
        rowno++;
        if (nf == 1 && fl[0] == 0)
            continue; /* blank line */
        if (nf != ncols) {
            char tmp[24];
            report_add(x->rep, rowno, col_name(map, ncols, nf < ncols ? nf : ncols, tmp,
                                                sizeof tmp),
                       "row has %d fields, the header has %d", nf, ncols);
            continue;
        }
        irow *r = row_new(x, rowno);
        for (int k = 0; k < nf; k++)
            if (map[k] >= 0)
                r->v[map[k]] = trimmed(x, f[k], fl[k], false);
    }
    if (rc < 0)
        report_add(x->rep, rowno + 1, "columns", "unterminated quoted field");
    return 0;
}

/* ---- JSON / NDJSON ---- */

static void json_row(import_ctx *x, json_t *o, int64_t rowno)
{
    if (!json_is_object(o)) {
        report_add(x->rep, rowno, "row", "must be an object");
        return;
    }
    irow *r = row_new(x, rowno);
    const char *k;
    json_t *v;
    json_object_foreach(o, k, v)
    {
        int fi = -1;
        for (int i = 0; i < SF_COUNT; i++)
            if (!strcmp(k, std_field_names[i]))
                fi = i;
        if (fi < 0) {
            report_add(x->rep, rowno, k, "unknown field");
            r->bad = true;
            continue;
        }
        x->present[fi] = true;
        if (json_is_null(v))
            continue;
        if (json_is_string(v)) {
            r->v[fi] = trimmed(x, json_string_value(v), json_string_length(v), true);
        } else if (json_is_array(v) &&
                   (fi == SF_REPLACES || fi == SF_REPLACED_BY || fi == SF_AMENDMENTS)) {
            buf b;
            buf_init(&b, 0);
            size_t i;
            json_t *e;
            json_array_foreach(v, i, e)
            {
                if (!json_is_string(e)) {
                    report_add(x->rep, rowno, k, "must be an array of strings");
                    r->bad = true;
                    break;
                }
                buf_printf(&b, "%s%s", i ? ";" : "", json_string_value(e));
            }
            r->v[fi] = b.len ? arena_strdup(&x->a, b.data) : NULL;
            buf_free(&b);
        } else {
            report_add(x->rep, rowno, k, "must be a string");
            r->bad = true;
        }
    }
}

static int parse_json(import_ctx *x, const char *data, size_t len, bool nd, nqi_error *err)
{
    if (len >= 3 && !memcmp(data, "\xEF\xBB\xBF", 3))
        data += 3, len -= 3;
    if (!nd) {
        json_t *doc = NULL;
        if (json_parse_body(data, len, false, &doc, err))
            return err->code;
        x->docs = xmalloc(sizeof *x->docs);
        x->docs[x->ndocs++] = doc;
        if (!json_is_array(doc)) {
            report_add(x->rep, 0, "body", "must be a JSON array of objects");
            return 0;
        }
        size_t i;
        json_t *o;
        json_array_foreach(doc, i, o) json_row(x, o, (int64_t)i + 1);
        return 0;
    }
    size_t pos = 0, cap = 0;
    int64_t line = 0;
    while (pos < len) {
        const char *nl = memchr(data + pos, '\n', len - pos);
        size_t end = nl ? (size_t)(nl - data) : len;
        line++;
        const char *s = data + pos;
        size_t n = end - pos;
        pos = end + 1;
        while (n && (s[n - 1] == '\r' || s[n - 1] == ' ' || s[n - 1] == '\t'))
            n--;
        while (n && (*s == ' ' || *s == '\t'))
            s++, n--;
        if (!n)
            continue;
        json_error_t je;
        json_t *o = json_loadb(s, n, JSON_REJECT_DUPLICATES, &je);
        if (!o) {
            report_add(x->rep, line, "row", "invalid JSON: column %d: %s", je.column, je.text);
            continue;
        }
        if (x->ndocs == cap) {
            cap = cap ? cap * 2 : 1024;
            x->docs = xrealloc(x->docs, cap * sizeof *x->docs);
        }
        x->docs[x->ndocs++] = o;
        json_row(x, o, line);
    }
    return 0;
}

/* ---------------------------------------------------------------- hash */

static uint64_t hash_str(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

static void index_build(import_ctx *x)
{
    x->nslots = 16;
    while (x->nslots < x->nrows * 2)
        x->nslots *= 2;
    x->slots = xmalloc(x->nslots * sizeof *x->slots);
    for (size_t i = 0; i < x->nslots; i++)
        x->slots[i] = -1;
}

/* Find number; when add >= 0 and absent, insert row add. Returns the row
 * index found (or -1). */
static long index_find(import_ctx *x, const char *number, long add)
{
    size_t m = x->nslots - 1, i = hash_str(number) & m;
    while (x->slots[i] >= 0) {
        if (!strcmp(x->rows[x->slots[i]].number, number))
            return x->slots[i];
        i = (i + 1) & m;
    }
    if (add >= 0)
        x->slots[i] = add;
    return -1;
}

/* ---------------------------------------------------------------- check */

static bool too_long(const char *s, size_t max)
{
    return s && strlen(s) > max && utf8_count(s) > max;
}

/* "GB/T 1-2000; GB/T 2-2001(部分)" -> refs. */
static int parse_refs(import_ctx *x, irow *r, int field, ref **out, int *n)
{
    const char *s = r->v[field];
    *out = NULL;
    *n = 0;
    if (!s)
        return 0;
    int cap = 0, bad = 0;
    while (*s) {
        size_t l = 0;
        /* split on ';' '；' ',' '，' '、' */
        while (s[l] && s[l] != ';' && s[l] != ',' && strncmp(s + l, "；", 3) &&
               strncmp(s + l, "，", 3) && strncmp(s + l, "、", 3))
            l++;
        const char *item = s;
        size_t il = l;
        s += l;
        if (*s == ';' || *s == ',')
            s++;
        else if (*s)
            s += 3;
        while (il && (*item == ' '))
            item++, il--;
        while (il && item[il - 1] == ' ')
            il--;
        if (!il)
            continue;
        bool partial = false;
        static const char *const marks[] = {"(部分)", "（部分）", "(partial)", "（部分)", "(部分）"};
        for (size_t k = 0; k < sizeof marks / sizeof marks[0]; k++) {
            size_t ml = strlen(marks[k]);
            if (il >= ml && !strncasecmp(item + il - ml, marks[k], ml)) {
                partial = true;
                il -= ml;
                while (il && item[il - 1] == ' ')
                    il--;
                break;
            }
        }
        std_number num;
        nqi_error e = {0};
        if (std_number_parse_ex(item, il, STD_PARSE_LENIENT, &num, &e)) {
            report_add(x->rep, r->rowno, std_field_names[field], "'%.*s': %s", (int)il, item,
                       e.message);
            bad = 1;
            continue;
        }
        if (!num.year) {
            report_add(x->rep, r->rowno, std_field_names[field],
                       "'%.*s' needs a year to name one edition", (int)il, item);
            bad = 1;
            continue;
        }
        if (*n == cap) {
            cap = cap ? cap * 2 : 2;
            ref *nv = arena_alloc(&x->a, (size_t)cap * sizeof *nv);
            if (*n)
                memcpy(nv, *out, (size_t)*n * sizeof *nv);
            *out = nv;
        }
        char ed[160];
        std_edition_number(&num, ed);
        (*out)[(*n)++] = (ref){arena_strdup(&x->a, ed), partial, 0, -1};
    }
    return bad;
}

/* The status to store: explicit, else from the row's own dates today. */
static const char *recorded_status(import_ctx *x, irow *r)
{
    if (r->v[SF_STATUS])
        return standards_status_from_text(r->v[SF_STATUS]);
    const char *w = r->date[2], *i = r->date[1];
    if (*w && strcmp(w, x->today) <= 0)
        return r->v[SF_REPLACED_BY] ? "replaced" : "withdrawn";
    if (*i && strcmp(i, x->today) > 0)
        return "upcoming";
    return "in_force";
}

static void check_row(import_ctx *x, irow *r)
{
    std_number n;
    nqi_error e = {0};
    int64_t row = r->rowno;
    for (int f = 0; f < SF_COUNT; f++)
        if (too_long(r->v[f], field_max[f])) {
            report_add(x->rep, row, std_field_names[f], "longer than %zu characters",
                       field_max[f]);
            r->bad = true;
        }
    if (!r->v[SF_NUMBER]) {
        report_add(x->rep, row, "number", "required");
        r->bad = true;
    } else if (std_number_parse_ex(r->v[SF_NUMBER], strlen(r->v[SF_NUMBER]), STD_PARSE_LENIENT,
                                   &n, &e)) {
        report_add(x->rep, row, "number", "'%s': %s", r->v[SF_NUMBER], e.message);
        r->bad = true;
    } else if (!n.year) {
        report_add(x->rep, row, "number", "'%s' has no year: a catalogue row is one edition",
                   r->v[SF_NUMBER]);
        r->bad = true;
    } else {
        char ed[160];
        std_edition_number(&n, ed);
        r->number = arena_strdup(&x->a, ed);
        r->key = arena_strdup(&x->a, n.key);
        r->prefix = arena_strdup(&x->a, n.prefix);
        r->code = arena_strdup(&x->a, n.code);
        r->amend = n.amendment[0] ? arena_strdup(&x->a, n.amendment) : NULL;
        r->tier = std_tier_name(n.tier);
        r->nature = n.nature == STD_NATURE_NONE ? NULL : std_nature_name(n.nature);
        r->year = n.year;
    }
    if (!r->v[SF_TITLE_ZH]) {
        report_add(x->rep, row, "title_zh", "required");
        r->bad = true;
    }
    static const int df[3] = {SF_ISSUED_ON, SF_IMPLEMENTED_ON, SF_WITHDRAWN_ON};
    for (int k = 0; k < 3; k++)
        if (r->v[df[k]] && standards_date_parse(r->v[df[k]], r->date[k])) {
            report_add(x->rep, row, std_field_names[df[k]],
                       "'%s' is not a date (2012-08-01, 2012/8/1 or 2012年8月1日)",
                       r->v[df[k]]);
            r->bad = true;
        }
    if (r->v[SF_STATUS] && !standards_status_from_text(r->v[SF_STATUS])) {
        report_add(x->rep, row, "status",
                   "'%s' is not a status (现行, 即将实施, 废止, 被代替 or in_force, upcoming, "
                   "withdrawn, replaced)",
                   r->v[SF_STATUS]);
        r->bad = true;
    }
    if (parse_refs(x, r, SF_REPLACES, &r->repl, &r->nrepl))
        r->bad = true;
    if (parse_refs(x, r, SF_REPLACED_BY, &r->repl_by, &r->nrepl_by))
        r->bad = true;
    if (!r->bad)
        r->status = recorded_status(x, r);
}

/* ---- existing editions: before/after ---- */

/* Columns compared on re-import, in SQL order. */
static const int cmp_fields[] = {SF_TITLE_ZH,   SF_TITLE_EN,  SF_ISSUED_ON,  SF_IMPLEMENTED_ON,
                                 SF_WITHDRAWN_ON, SF_ICS,     SF_CCS,        SF_DEPARTMENT,
                                 SF_COMMITTEE,  SF_ISSUER,    SF_DRAFTERS,   SF_ADOPTED,
                                 SF_ADOPTION_DEGREE, SF_SCOPE, SF_SOURCE};
#define NCMP ((int)(sizeof cmp_fields / sizeof cmp_fields[0]))

/* The value to store for field f of row r (dates normalised, source
 * defaulted). */
static const char *new_value(import_ctx *x, irow *r, int f)
{
    switch (f) {
    case SF_ISSUED_ON:
        return r->date[0][0] ? r->date[0] : NULL;
    case SF_IMPLEMENTED_ON:
        return r->date[1][0] ? r->date[1] : NULL;
    case SF_WITHDRAWN_ON:
        return r->date[2][0] ? r->date[2] : NULL;
    case SF_SOURCE:
        return r->v[SF_SOURCE] ? r->v[SF_SOURCE] : x->source;
    default:
        return r->v[f];
    }
}

static bool same(const char *a, const char *b)
{
    return (!a || !*a) ? (!b || !*b) : (b && !strcmp(a, b));
}

static json_t *jv(const char *s)
{
    return s ? json_string(s) : json_null();
}

/* Look r up by number; when it exists, merge: a column absent from the
 * file keeps the stored value, and the differences go to r->diff. */
static int compare_existing(import_ctx *x, irow *r, nqi_error *err)
{
    static const char sql[] =
        "SELECT id, status, title_zh, title_en, issued_on, implemented_on, withdrawn_on, ics, "
        "ccs, department, committee, issuer, drafters, adopted, adoption_degree, scope, source "
        "FROM standards WHERE number = ?";
    store_rows *q;
    int rc = store_query(x->c, sql, (store_val[]){SV_TEXT(r->number)}, 1, &q, err);
    if (rc)
        return rc;
    rc = store_next(q);
    if (rc == 1) {
        r->exists = true;
        r->id = store_int(q, 0);
        json_t *d = json_object();
        const char *old_status = store_text(q, 1);
        bool status_given = x->present[SF_STATUS] || x->present[SF_WITHDRAWN_ON] ||
                            x->present[SF_IMPLEMENTED_ON];
        if (!status_given)
            r->status = arena_strdup(&x->a, old_status);
        else if (!same(old_status, r->status))
            json_object_set_new(d, "status", json_pack("[o, s]", jv(old_status), r->status));
        for (int i = 0; i < NCMP; i++) {
            int f = cmp_fields[i];
            const char *old = store_text(q, 2 + i);
            if (!x->present[f] && !(f == SF_SOURCE && x->source)) {
                /* keep: copy the stored value so the UPDATE writes it back */
                r->v[f] = old ? arena_strdup(&x->a, old) : NULL;
                if (f == SF_ISSUED_ON || f == SF_IMPLEMENTED_ON || f == SF_WITHDRAWN_ON)
                    snprintf(r->date[f - SF_ISSUED_ON], 11, "%s", old ? old : "");
                continue;
            }
            const char *nv = new_value(x, r, f);
            if (!same(old, nv))
                json_object_set_new(d, std_field_names[f], json_pack("[o, o]", jv(old), jv(nv)));
        }
        if (json_object_size(d)) {
            r->changed = true;
            r->diff = d;
            const char *st = r->status;
            if (json_object_get(d, "status"))
                r->kind = !strcmp(st, "replaced")    ? "replaced"
                          : !strcmp(st, "withdrawn") ? "withdrawn"
                                                     : "status";
            else if (json_object_get(d, "withdrawn_on"))
                r->kind = "withdrawn";
            else if (json_object_get(d, "issued_on") || json_object_get(d, "implemented_on"))
                r->kind = "dates";
            else
                r->kind = "updated";
        } else {
            json_decref(d);
        }
        rc = 0;
    } else if (rc < 0) {
        rc = store_rows_error(q, err);
    }
    store_rows_close(q);
    return rc;
}

/* Resolve refs against the file, then the catalogue. */
static int resolve_refs(import_ctx *x, irow *r, ref *v, int n, int field, nqi_error *err)
{
    static const char sql[] = "SELECT id FROM standards WHERE number = ?";
    for (int i = 0; i < n; i++) {
        if (!strcmp(v[i].number, r->number)) {
            report_add(x->rep, r->rowno, std_field_names[field], "'%s' refers to the row itself",
                       v[i].number);
            r->bad = true;
            continue;
        }
        long k = index_find(x, v[i].number, -1);
        if (k >= 0) {
            v[i].row = k;
            continue;
        }
        int64_t id;
        nqi_error e = {0};
        int rc = store_query_int(x->c, sql, (store_val[]){SV_TEXT(v[i].number)}, 1, &id, &e);
        if (rc == NQI_ENOTFOUND) {
            report_add(x->rep, r->rowno, std_field_names[field],
                       "%s is neither in this file nor in the catalogue", v[i].number);
            r->bad = true;
        } else if (rc) {
            *err = e;
            return rc;
        } else {
            v[i].id = id;
        }
    }
    return 0;
}

static int check_all(import_ctx *x, nqi_error *err)
{
    for (size_t i = 0; i < x->nrows; i++)
        if (!x->rows[i].bad)
            check_row(x, &x->rows[i]);
    index_build(x);
    for (size_t i = 0; i < x->nrows; i++) {
        irow *r = &x->rows[i];
        if (!r->number)
            continue;
        long prev = index_find(x, r->number, (long)i);
        if (prev >= 0) {
            report_add(x->rep, r->rowno, "number", "%s repeats row %lld", r->number,
                       (long long)x->rows[prev].rowno);
            r->bad = true;
        }
    }
    /* diffs only matter when the file can be written; references are
     * checked in any case so every rejected row is reported at once */
    int64_t any = 0;
    int rc = 0;
    if (!x->rep->nerrors) {
        rc = store_query_int(x->c, "SELECT COUNT(*) FROM (SELECT 1 FROM standards LIMIT 1) t",
                             NULL, 0, &any, err);
        for (size_t i = 0; !rc && any && i < x->nrows; i++)
            rc = compare_existing(x, &x->rows[i], err);
    }
    for (size_t i = 0; !rc && i < x->nrows; i++) {
        irow *r = &x->rows[i];
        if (!r->number)
            continue;
        rc = resolve_refs(x, r, r->repl, r->nrepl, SF_REPLACES, err);
        if (!rc)
            rc = resolve_refs(x, r, r->repl_by, r->nrepl_by, SF_REPLACED_BY, err);
    }
    return rc;
}

/* ---------------------------------------------------------------- write */

static int search_tokens(irow *r, const char *const *val, buf *out)
{
    buf in;
    buf_init(&in, 0);
    buf_printf(&in, "%s\n%s\n%s\n%s\n%s\n%s", r->number, val[SF_TITLE_ZH] ? val[SF_TITLE_ZH] : "",
               val[SF_TITLE_EN] ? val[SF_TITLE_EN] : "", val[SF_ICS] ? val[SF_ICS] : "",
               val[SF_CCS] ? val[SF_CCS] : "", val[SF_COMMITTEE] ? val[SF_COMMITTEE] : "");
    out->len = 0;
    if (out->data)
        out->data[0] = 0;
    int rc = text_tokens(in.data, in.len, out);
    /* the prefix without slashes ("gbt", "nbsht") so "gbt19580" finds it */
    char p[40];
    size_t n = 0;
    for (const char *s = r->prefix; *s && n + 1 < sizeof p; s++)
        if ((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z'))
            p[n++] = (char)(*s | 0x20);
    p[n] = 0;
    if (!rc && n && strchr(r->prefix, '/'))
        buf_printf(out, " %s", p);
    buf_free(&in);
    return rc;
}

/* Columns of a standards row as written by the import, in SQL order:
 * number first (insert only), then the rest; see row_params. */
#define STD_INSERT_COLS                                                                      \
    "number, std_key, prefix, code, tier, nature, year, status, title_zh, title_en, "        \
    "issued_on, implemented_on, withdrawn_on, ics, ccs, department, committee, issuer, "     \
    "drafters, adopted, adoption_degree, scope, source, search_tokens, ends_on, created_at, " \
    "updated_at"
#define STD_INSERT_NCOLS 27
#define BATCH 1024 /* rows per INSERT: one statement = one FTS5 flush on SQLite */

/* Parameters of row r (number first when with_number), ending with the
 * time(s): created_at and updated_at for an insert, updated_at otherwise. */
static int row_params(import_ctx *x, irow *r, const buf *tok, bool insert, int64_t now,
                      store_val *p)
{
    static const int cols[] = {SF_TITLE_ZH, SF_TITLE_EN, SF_ISSUED_ON, SF_IMPLEMENTED_ON,
                               SF_WITHDRAWN_ON, SF_ICS, SF_CCS, SF_DEPARTMENT, SF_COMMITTEE,
                               SF_ISSUER, SF_DRAFTERS, SF_ADOPTED, SF_ADOPTION_DEGREE,
                               SF_SCOPE, SF_SOURCE};
    int np = 0;
    if (insert)
        p[np++] = SV_TEXT(r->number);
    p[np++] = SV_TEXT(r->key);
    p[np++] = SV_TEXT(r->prefix);
    p[np++] = SV_TEXT(r->code);
    p[np++] = SV_TEXT(r->tier);
    p[np++] = SV_TEXT(r->nature);
    p[np++] = SV_INT(r->year);
    p[np++] = SV_TEXT(r->status);
    for (size_t i = 0; i < sizeof cols / sizeof cols[0]; i++)
        p[np++] = SV_TEXT(new_value(x, r, cols[i]));
    if (tok)
        p[np++] = SV_TEXTN(tok->data ? tok->data : "", tok->len);
    p[np++] = SV_TEXT(new_value(x, r, SF_WITHDRAWN_ON));
    p[np++] = SV_INT(now);
    if (insert)
        p[np++] = SV_INT(now);
    return np;
}

/* "INSERT INTO t (cols) VALUES (?, ...), (...) tail" for nrows rows. */
static char *values_sql(const char *head, int ncols, int nrows, const char *tail)
{
    buf b;
    buf_init(&b, 0);
    buf_puts(&b, head);
    for (int i = 0; i < nrows; i++) {
        buf_puts(&b, i ? ", (" : " VALUES (");
        for (int k = 0; k < ncols; k++)
            buf_puts(&b, k ? ", ?" : "?");
        buf_puts(&b, ")");
    }
    buf_puts(&b, tail);
    return buf_steal(&b);
}

static int tokens_of(import_ctx *x, irow *r, buf *tok, nqi_error *err)
{
    const char *val[SF_COUNT];
    for (int f = 0; f < SF_COUNT; f++)
        val[f] = new_value(x, r, f);
    int rc = search_tokens(r, val, tok);
    return rc ? nqi_error_set(err, rc, "row %lld: cannot tokenize", (long long)r->rowno) : 0;
}

/* Insert rows idx[0..n) (all new) with one statement, then their "new"
 * change events with another. SQLite: the ids are given (x->next_id: the
 * import holds the only write lock, and max + 1 is what SQLite would pick),
 * so the statement returns nothing and its text parameters are bound
 * without copies; PostgreSQL: r->id from RETURNING (the sequence). */
static int insert_batch(import_ctx *x, const size_t *idx, int n, buf *tok, int64_t now,
                        nqi_error *err)
{
#define CHG_COLS " standard_changes (standard_id, number, kind, detail, source, at)"
    bool own_ids = x->next_id >= 0;
    int ncols = STD_INSERT_NCOLS + own_ids;
    store_val *p = xmalloc((size_t)n * (size_t)ncols * sizeof *p);
    int np = 0, rc = 0;
    for (int i = 0; i < n && !rc; i++) {
        irow *r = &x->rows[idx[i]];
        tok[i].len = 0;
        rc = tokens_of(x, r, &tok[i], err);
        if (own_ids) {
            r->id = ++x->next_id;
            p[np++] = SV_INT(r->id);
        }
        np += row_params(x, r, &tok[i], true, now, p + np);
    }
    char *sql = NULL;
    store_rows *q = NULL;
    if (!rc && own_ids) {
        /* OR ROLLBACK: a failure ends the whole import anyway, and without
         * statement-level ABORT SQLite keeps no statement journal (which
         * copied the touched index pages to a temporary file per batch) */
        sql = values_sql("INSERT OR ROLLBACK INTO standards (id, " STD_INSERT_COLS ")", ncols,
                         n, "");
        rc = store_exec(x->c, sql, p, np, NULL, err);
        free(sql);
    } else if (!rc) {
        sql = values_sql("INSERT INTO standards (" STD_INSERT_COLS ")", ncols, n,
                         " RETURNING id, number");
        rc = store_query(x->c, sql, p, np, &q, err);
        free(sql);
    }
    if (q) {
        while ((rc = store_next(q)) == 1) {
            long k = index_find(x, store_text(q, 1), -1);
            if (k >= 0)
                x->rows[k].id = store_int(q, 0);
        }
        if (rc < 0)
            rc = store_rows_error(q, err);
        store_rows_close(q);
    }
    np = 0;
    for (int i = 0; i < n && !rc; i++) {
        irow *r = &x->rows[idx[i]];
        p[np++] = SV_INT(r->id);
        p[np++] = SV_TEXT(r->number);
        p[np++] = SV_TEXT("new");
        p[np++] = SV_NULL;
        p[np++] = SV_TEXT(new_value(x, r, SF_SOURCE));
        p[np++] = SV_INT(now);
    }
    if (!rc) {
        sql = values_sql(own_ids ? "INSERT OR ROLLBACK INTO" CHG_COLS : "INSERT INTO" CHG_COLS, 6,
                         n, "");
        rc = store_exec(x->c, sql, p, np, NULL, err);
        free(sql);
    }
    free(p);
    return rc;
}

/* Update one existing edition. search_tokens is only SET when a field it
 * is built from changed: the FTS5 trigger fires on UPDATE OF search_tokens. */
static int update_row(import_ctx *x, irow *r, buf *tok, int64_t now, nqi_error *err)
{
    static const char upd_tok[] =
        "UPDATE standards SET std_key = ?, prefix = ?, code = ?, tier = ?, nature = ?, "
        "year = ?, status = ?, title_zh = ?, title_en = ?, issued_on = ?, implemented_on = ?, "
        "withdrawn_on = ?, ics = ?, ccs = ?, department = ?, committee = ?, issuer = ?, "
        "drafters = ?, adopted = ?, adoption_degree = ?, scope = ?, source = ?, "
        "search_tokens = ?, ends_on = ?, updated_at = ? WHERE number = ?";
    static const char upd[] =
        "UPDATE standards SET std_key = ?, prefix = ?, code = ?, tier = ?, nature = ?, "
        "year = ?, status = ?, title_zh = ?, title_en = ?, issued_on = ?, implemented_on = ?, "
        "withdrawn_on = ?, ics = ?, ccs = ?, department = ?, committee = ?, issuer = ?, "
        "drafters = ?, adopted = ?, adoption_degree = ?, scope = ?, source = ?, "
        "ends_on = ?, updated_at = ? WHERE number = ?";
    static const char chg[] = "INSERT INTO standard_changes (standard_id, number, kind, detail, "
                              "source, at) VALUES (?, ?, ?, ?, ?, ?)";
    static const char *const tok_fields[] = {"title_zh", "title_en", "ics", "ccs", "committee"};
    bool retok = false;
    for (size_t i = 0; i < sizeof tok_fields / sizeof tok_fields[0]; i++)
        if (json_object_get(r->diff, tok_fields[i]))
            retok = true;
    tok->len = 0;
    int rc = retok ? tokens_of(x, r, tok, err) : 0;
    store_val p[STD_INSERT_NCOLS];
    int np = rc ? 0 : row_params(x, r, retok ? tok : NULL, false, now, p);
    p[np++] = SV_TEXT(r->number);
    if (!rc)
        rc = store_exec(x->c, retok ? upd_tok : upd, p, np, NULL, err);
    char *detail = json_dump_compact(r->diff);
    if (!rc) {
        store_val cp[] = {SV_INT(r->id), SV_TEXT(r->number), SV_TEXT(r->kind), SV_TEXT(detail),
                          SV_TEXT(new_value(x, r, SF_SOURCE)), SV_INT(now)};
        rc = store_exec(x->c, chg, cp, 6, NULL, err);
    }
    free(detail);
    return rc;
}

void std_trace(const char *what)
{
    static int on = -1;
    static int64_t last, last_cpu;
    if (on < 0)
        on = getenv("NQI_STD_TRACE") != NULL;
    if (!on)
        return;
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    int64_t n = mono_us(), cpu = (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
    if (strcmp(what, "begin"))
        fprintf(stderr, "standards import: %-8s %8.3f s (CPU %.3f s)\n", what,
                (double)(n - last) / 1e6, (double)(cpu - last_cpu) / 1e6);
    last = n;
    last_cpu = cpu;
}

static int write_rows(import_ctx *x, int64_t now, nqi_error *err)
{
    x->next_id = -1;
    int brc = store_kind(store_conn_store(x->c)) == STORE_SQLITE
                  ? store_query_int(x->c, "SELECT COALESCE(MAX(id), 0) FROM standards", NULL,
                                    0, &x->next_id, err)
                  : 0;
    if (brc)
        return brc;
    buf tok[BATCH];
    size_t idx[BATCH];
    int n = 0, rc = 0;
    for (int i = 0; i < BATCH; i++)
        buf_init(&tok[i], 0);
    for (size_t i = 0; !rc && i < x->nrows; i++) {
        irow *r = &x->rows[i];
        if (r->exists) {
            if (r->changed)
                rc = update_row(x, r, &tok[0], now, err);
            continue;
        }
        idx[n++] = i;
        if (n == BATCH) {
            rc = insert_batch(x, idx, n, tok, now, err);
            n = 0;
        }
    }
    if (!rc && n)
        rc = insert_batch(x, idx, n, tok, now, err);
    for (int i = 0; i < BATCH; i++)
        buf_free(&tok[i]);
    std_trace("rows");
    return rc;
}

/* Links whose old edition is new in this import: no change event can come
 * of them, so they are inserted LINK_BATCH at a time (one statement instead
 * of one round trip each: 150,000 links at 1M rows). */
#define LINK_BATCH 1000

typedef struct link_batch {
    store_val p[3 * LINK_BATCH];
    int n;
} link_batch;

static int links_flush(import_ctx *x, link_batch *lb, nqi_error *err)
{
    if (!lb->n)
        return 0;
    char *sql = values_sql("INSERT INTO standard_replacements (old_id, new_id, partial)", 3,
                           lb->n, " ON CONFLICT (old_id, new_id) DO NOTHING");
    int rc = store_exec(x->c, sql, lb->p, 3 * lb->n, NULL, err);
    free(sql);
    lb->n = 0;
    return rc;
}

static int write_links(import_ctx *x, irow *r, link_batch *lb, int64_t now, nqi_error *err)
{
    static const char link[] = "INSERT INTO standard_replacements (old_id, new_id, partial) "
                               "VALUES (?, ?, ?) ON CONFLICT (old_id, new_id) DO NOTHING";
    static const char chg[] = "INSERT INTO standard_changes (standard_id, number, kind, detail, "
                              "source, at) SELECT id, number, 'replaced', ?, ?, ? FROM "
                              "standards WHERE id = ?";
    for (int side = 0; side < 2; side++) {
        ref *v = side ? r->repl_by : r->repl;
        int n = side ? r->nrepl_by : r->nrepl;
        for (int i = 0; i < n; i++) {
            int64_t other = v[i].row >= 0 ? x->rows[v[i].row].id : v[i].id;
            bool other_new = v[i].row >= 0 && !x->rows[v[i].row].exists;
            int64_t old_id = side ? r->id : other, new_id = side ? other : r->id;
            bool old_new = side ? !r->exists : other_new;
            const char *new_number = side ? v[i].number : r->number;
            int rc;
            if (old_new) {
                store_val *p = &lb->p[3 * lb->n++];
                p[0] = SV_INT(old_id);
                p[1] = SV_INT(new_id);
                p[2] = SV_INT(v[i].partial);
                if (lb->n == LINK_BATCH && (rc = links_flush(x, lb, err)))
                    return rc;
                continue;
            }
            int64_t changes = 0;
            store_val p[] = {SV_INT(old_id), SV_INT(new_id), SV_INT(v[i].partial)};
            rc = store_exec(x->c, link, p, 3, &changes, err);
            if (rc)
                return rc;
            if (changes > 0) {
                /* an edition already in the catalogue got a successor */
                json_t *d = json_pack("{s:[n, s]}", "replaced_by", new_number);
                char *ds = json_dump_compact(d);
                json_decref(d);
                store_val cp[] = {SV_TEXT(ds), SV_TEXT(x->source), SV_INT(now), SV_INT(old_id)};
                rc = store_exec(x->c, chg, cp, 4, NULL, err);
                free(ds);
                if (rc)
                    return rc;
            }
        }
    }
    return 0;
}

static int write_amendments(import_ctx *x, irow *r, nqi_error *err)
{
    static const char sql[] = "INSERT INTO standard_amendments (standard_id, code) VALUES (?, ?) "
                              "ON CONFLICT (standard_id, code) DO NOTHING";
    int rc = 0;
    if (r->amend)
        rc = store_exec(x->c, sql, (store_val[]){SV_INT(r->id), SV_TEXT(r->amend)}, 2, NULL, err);
    const char *s = x->present[SF_AMENDMENTS] ? r->v[SF_AMENDMENTS] : NULL;
    while (!rc && s && *s) {
        size_t l = strcspn(s, ";,");
        const char *fw = strstr(s, "；");
        if (fw && (size_t)(fw - s) < l)
            l = (size_t)(fw - s);
        char code[64];
        const char *a = s;
        size_t al = l;
        while (al && *a == ' ')
            a++, al--;
        while (al && a[al - 1] == ' ')
            al--;
        s += l;
        s += *s == ';' || *s == ',' ? 1 : (*s ? 3 : 0);
        if (!al)
            continue;
        snprintf(code, sizeof code, "%.*s", (int)(al < 63 ? al : 63), a);
        rc = store_exec(x->c, sql, (store_val[]){SV_INT(r->id), SV_TEXT(code)}, 2, NULL, err);
    }
    return rc;
}

static int write_all(import_ctx *x, const http_principal *actor, nqi_error *err)
{
    int64_t now = now_ms();
    std_import_report *rep = x->rep;
    /* the indexes stay dropped until the derived columns are written too:
     * on PostgreSQL every UPDATE of a row writes a new version into each
     * index (GIN included) */
    std_bulk bulk;
    int rc = std_bulk_begin(x->c, x->rep->inserted, &bulk, err);
    if (rc)
        return rc;
    rc = write_rows(x, now, err);
    link_batch *lb = xcalloc(1, sizeof *lb);
    for (size_t i = 0; !rc && i < x->nrows; i++)
        rc = write_links(x, &x->rows[i], lb, now, err);
    if (!rc)
        rc = links_flush(x, lb, err);
    free(lb);
    std_trace("links");
    for (size_t i = 0; !rc && i < x->nrows; i++)
        if (x->rows[i].amend || x->rows[i].v[SF_AMENDMENTS])
            rc = write_amendments(x, &x->rows[i], err);
    std_trace("amend");
    if (!rc)
        rc = std_catalog_refresh_derived(x->c, err);
    std_trace("derived");
    rc = std_bulk_end(x->c, &bulk, rc, err);
    std_trace("indexes");
    if (!rc) {
        json_t *after = json_pack("{s:I, s:I, s:I, s:I, s:s?}", "rows", (json_int_t)rep->rows,
                                  "inserted", (json_int_t)rep->inserted, "updated",
                                  (json_int_t)rep->updated, "unchanged",
                                  (json_int_t)rep->unchanged, "source", x->source);
        rc = audit_record(x->c, actor, "standards.import", "standards", x->source ? x->source : "",
                          NULL, after, err);
        json_decref(after);
    }
    std_trace("audit");
    return rc;
}

/* ---------------------------------------------------------------- entry */

static void ctx_free(import_ctx *x)
{
    for (size_t i = 0; i < x->nrows; i++)
        json_decref(x->rows[i].diff);
    free(x->rows);
    free(x->slots);
    free(x->text);
    for (size_t i = 0; i < x->ndocs; i++)
        json_decref(x->docs[i]);
    free(x->docs);
    arena_free(&x->a);
}

int standards_import(store_conn *c, const http_principal *actor, const char *data, size_t len,
                     std_format fmt, const std_import_opts *opts, std_import_report *rep,
                     nqi_error *err)
{
    import_ctx x = {.c = c, .rep = rep};
    std_import_opts none = {0};
    if (!opts)
        opts = &none;
    memset(rep, 0, sizeof *rep);
    x.source = opts->source && *opts->source ? opts->source : NULL;
    standards_today(x.today);
    std_trace("begin");
    int rc = fmt == STD_FMT_CSV ? parse_csv(&x, data, len, err)
                                : parse_json(&x, data, len, fmt == STD_FMT_NDJSON, err);
    bool own_tx = !store_in_tx(c);
    if (!rc && !rep->nerrors && !opts->dry_run && own_tx) {
        /* SQLite, for the transaction: a page cache big enough that the
         * import's new pages (the database grows by ~4x the CSV) are not
         * spilled to the WAL before COMMIT and then rewritten there, and
         * temporary files (sorter, statement journals) in memory. */
        if (store_kind(store_conn_store(c)) == STORE_SQLITE) {
            int64_t kib = (int64_t)(len / 1024) * 5;
            kib = kib < IMPORT_CACHE_MIN_KIB ? IMPORT_CACHE_MIN_KIB
                  : kib > IMPORT_CACHE_MAX_KIB ? IMPORT_CACHE_MAX_KIB : kib;
            char pragma[64];
            snprintf(pragma, sizeof pragma, "PRAGMA cache_size = -%lld", (long long)kib);
            rc = store_exec(c, pragma, NULL, 0, NULL, err);
            if (!rc) /* not inside a transaction: SQLite ignores it there */
                rc = store_exec(c, "PRAGMA temp_store = MEMORY", NULL, 0, NULL, err);
        }
        if (!rc)
            rc = store_begin(c, true, err);
        if (!rc) /* PostgreSQL: one import at a time (SQLite: already) */
            rc = store_tx_lock(c, "standards.import", err);
    }
    std_trace("parse");
    if (!rc)
        rc = check_all(&x, err);
    std_trace("check");
    rep->rows = (int64_t)x.nrows;
    for (size_t i = 0; i < x.nrows; i++) {
        irow *r = &x.rows[i];
        if (!r->exists)
            rep->inserted++;
        else if (r->changed)
            rep->updated++;
        else
            rep->unchanged++;
    }
    if (!rc && rep->nerrors)
        rc = nqi_error_set(err, NQI_EINVAL, "%zu row error%s: nothing imported", rep->nerrors,
                           rep->nerrors == 1 ? "" : "s");
    if (!rc && !opts->dry_run)
        rc = write_all(&x, actor, err);
    if (own_tx && store_in_tx(c)) {
        if (!rc)
            rc = store_commit(c, err);
        if (rc)
            store_rollback(c);
        std_trace("commit");
    }
    if (own_tx && store_kind(store_conn_store(c)) == STORE_SQLITE) {
        nqi_error e2 = {0};
        store_exec(c, "PRAGMA cache_size = -2000", NULL, 0, NULL, &e2);
        store_exec(c, "PRAGMA temp_store = DEFAULT", NULL, 0, NULL, &e2);
    }
    ctx_free(&x);
    return rc;
}
