/*
 * directory.c — the supervision directories: market entities (市场主体),
 * inspectors (执法检查人员) with their declared conflicts, and inspection
 * items (随机抽查事项清单). CSV import (UTF-8 or GB18030 through
 * standards_decode_text), all or nothing with row-level errors; search
 * (Chinese, Traditional, pinyin through the `nqi` tokens; code prefixes);
 * one entity; lists. See docs/modules/supervision.md.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/audit.h"
#include "core/csv.h"
#include "core/json.h"
#include "core/page.h"
#include "core/text.h"
#include "core/util.h"
#include "standards/standards.h"
#include "supervision/credit_code.h"
#include "supervision/internal.h"
#include "supervision/supervision.h"

/* ---------------------------------------------------------------- helpers */

void sup_actor_name(const http_principal *a, char *out, size_t n)
{
    if (a && a->username[0])
        snprintf(out, n, "%s", a->username);
    else
        snprintf(out, n, "token:%lld", a ? (long long)a->token_id : 0LL);
}

bool sup_attr_ok(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    if (!n || n > 64 || !utf8_valid(s, n))
        return false;
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch < 0x20 || ch == 0x7f || ch == '|' || ch == ',')
            return false;
    }
    return true;
}

bool sup_region_ok(const char *s, bool full)
{
    size_t n = s ? strlen(s) : 0;
    if (!n || n > 6 || (full && n != 6))
        return false;
    for (size_t i = 0; i < n; i++)
        if (!isdigit((unsigned char)s[i]))
            return false;
    return true;
}

/* ---------------------------------------------------------------- columns */

enum { EF_CODE, EF_NAME, EF_TYPE, EF_INDUSTRY, EF_REGION, EF_ADDRESS, EF_LEGAL_REP,
       EF_REGISTERED_ON, EF_STATUS, EF_RISK_TAGS, EF_LICENCES, EF_CLASS, EF_COUNT };
enum { IF_ID, IF_NAME, IF_DEPARTMENT, IF_REGION, IF_FIELDS, IF_ACTIVE, IF_CONFLICTS, IF_COUNT };
#define MAXF 12

typedef struct colspec {
    const char *name;
    const char *aliases; /* '|'-separated, compared without spaces, ASCII case folded */
    bool required;
} colspec;

static const colspec entity_cols[EF_COUNT] = {
    {"credit_code", "统一社会信用代码|社会信用代码|信用代码|code", true},
    {"name", "名称|企业名称|主体名称|市场主体名称", true},
    {"type", "类型|企业类型|主体类型", false},
    {"industry", "行业|所属行业|行业类别", false},
    {"region", "区划|行政区划|区划代码|行政区划代码|region_code", true},
    {"address", "地址|住所|经营场所|住所(经营场所)", false},
    {"legal_rep", "法定代表人|负责人|legal_representative|法定代表人(负责人)", false},
    {"registered_on", "成立日期|登记日期|注册日期|registration_date", false},
    {"status", "状态|登记状态|经营状态", false},
    {"risk_tags", "风险标签|风险", false},
    {"licences", "许可|许可证|行政许可|licenses", false},
    {"credit_class", "信用等级|信用分类|信用类别|信用风险分类", false},
};

static const colspec inspector_cols[IF_COUNT] = {
    {"id", "编号|执法证号|工号|人员编号|code", true},
    {"name", "姓名|名称", true},
    {"department", "部门|单位|所属部门|所属单位", false},
    {"region", "区划|行政区划|区划代码", false},
    {"fields", "领域|专业领域|执法领域|资质|qualifications", false},
    {"active", "在岗|状态|是否在岗", false},
    {"conflicts", "回避|回避企业|关联企业|利害关系企业", false},
};

/* The column for a header cell, or -1. */
static int col_find(const colspec *cols, int n, const char *h)
{
    char key[128];
    size_t k = 0;
    for (; *h && k + 1 < sizeof key; h++)
        if (*h != ' ' && *h != '\t')
            key[k++] = (char)tolower((unsigned char)*h);
    key[k] = 0;
    for (int i = 0; i < n; i++) {
        if (!strcmp(key, cols[i].name))
            return i;
        const char *a = cols[i].aliases;
        while (*a) {
            size_t l = strcspn(a, "|");
            if (l == k && !strncmp(a, key, l))
                return i;
            a += l;
            if (*a == '|')
                a++;
        }
    }
    return -1;
}

/* ---------------------------------------------------------------- report */

static void report_add(sup_import_report *rep, int64_t row, const char *field, const char *fmt,
                       ...) __attribute__((format(printf, 4, 5)));
static void report_add(sup_import_report *rep, int64_t row, const char *field, const char *fmt,
                       ...)
{
    rep->errors = xrealloc(rep->errors, (rep->nerrors + 1) * sizeof *rep->errors);
    sup_import_error *e = &rep->errors[rep->nerrors++];
    e->row = row;
    snprintf(e->field, sizeof e->field, "%s", field);
    va_list ap;
    va_start(ap, fmt);
    if (vasprintf(&e->message, fmt, ap) < 0)
        e->message = xstrdup("(out of memory)");
    va_end(ap);
}

void supervision_import_report_free(sup_import_report *rep)
{
    for (size_t i = 0; i < rep->nerrors; i++)
        free(rep->errors[i].message);
    free(rep->errors);
    memset(rep, 0, sizeof *rep);
}

/* ---------------------------------------------------------------- CSV */

/* Trim in place; NULL when empty. */
static char *trim(char *s, size_t n)
{
    while (n && (*s == ' ' || *s == '\t'))
        s++, n--;
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    s[n] = 0;
    return n ? s : NULL;
}

typedef struct irow {
    int64_t rowno;
    char *v[MAXF];
} irow;

typedef struct import_ctx {
    sup_dir dir;
    const colspec *cols;
    int ncols;
    bool present[MAXF];
    char *text;
    irow *rows;
    size_t nrows;
    sup_import_report *rep;
} import_ctx;

#define CSV_MAXCOLS 128

static void parse_csv(import_ctx *x, const char *data, size_t len)
{
    size_t tlen, bad = 0;
    nqi_error e = {0};
    if (standards_decode_text(data, len, &x->text, &tlen, &bad, &e)) {
        report_add(x->rep, 0, "encoding", "%s", e.message);
        return;
    }
    char *f[CSV_MAXCOLS];
    size_t fl[CSV_MAXCOLS], pos = 0;
    int nf, map[CSV_MAXCOLS], seen[MAXF];
    int rc = csv_record(x->text, tlen, &pos, f, fl, CSV_MAXCOLS, &nf);
    if (rc || nf > CSV_MAXCOLS) {
        report_add(x->rep, 0, "columns", "%s",
                   rc > 0   ? "the file is empty (no header row)"
                   : rc < 0 ? "unterminated quote in the header"
                            : "too many columns");
        return;
    }
    int ncols = nf;
    for (int i = 0; i < MAXF; i++)
        seen[i] = -1;
    for (int k = 0; k < nf; k++) {
        map[k] = col_find(x->cols, x->ncols, trim(f[k], fl[k]) ? f[k] : "");
        if (map[k] >= 0 && seen[map[k]] >= 0) {
            report_add(x->rep, 0, x->cols[map[k]].name, "column %d repeats column %d", k + 1,
                       seen[map[k]] + 1);
            map[k] = -1;
        } else if (map[k] >= 0) {
            seen[map[k]] = k;
            x->present[map[k]] = true;
        }
    }
    for (int i = 0; i < x->ncols; i++)
        if (x->cols[i].required && !x->present[i])
            report_add(x->rep, 0, x->cols[i].name, "missing required column %s",
                       x->cols[i].name);
    if (x->rep->nerrors)
        return;
    int64_t rowno = 0;
    size_t cap = 0;
    while ((rc = csv_record(x->text, tlen, &pos, f, fl, CSV_MAXCOLS, &nf)) == 0) {
        rowno++;
        if (nf == 1 && fl[0] == 0)
            continue;
        if (nf != ncols) {
            report_add(x->rep, rowno, "columns", "row has %d fields, the header has %d", nf,
                       ncols);
            continue;
        }
        if (x->nrows == cap) {
            cap = cap ? cap * 2 : 256;
            x->rows = xrealloc(x->rows, cap * sizeof *x->rows);
        }
        irow *r = &x->rows[x->nrows++];
        memset(r, 0, sizeof *r);
        r->rowno = rowno;
        for (int k = 0; k < nf; k++)
            if (map[k] >= 0)
                r->v[map[k]] = trim(f[k], fl[k]);
    }
    if (rc < 0)
        report_add(x->rep, rowno + 1, "columns", "unterminated quoted field");
}

/* ---------------------------------------------------------------- checks */

static bool text_ok(const char *s, size_t maxchars)
{
    if (!s)
        return true;
    size_t n = strlen(s);
    if (!utf8_valid(s, n))
        return false;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] < 0x20)
            return false;
    return utf8_count(s) <= maxchars;
}

static const char *status_of(const char *s)
{
    static const struct {
        const char *in, *out;
    } map[] = {{"active", "active"},   {"存续", "active"},       {"在业", "active"},
               {"开业", "active"},     {"正常", "active"},       {"revoked", "revoked"},
               {"吊销", "revoked"},    {"cancelled", "cancelled"}, {"注销", "cancelled"},
               {"moved", "moved"},     {"迁出", "moved"}};
    if (!s)
        return "active";
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (!strcasecmp(s, map[i].in))
            return map[i].out;
    return NULL;
}

static int str_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Normalise a list separated by ; ； 、 , ， into ';'-joined (or ','-joined
 * when comma) trimmed items, sorted and deduplicated when sort is set.
 * Returns NULL (and *bad the offending item) when an item fails ok(). */
static char *list_norm(const char *s, char sep, bool sort, bool commas, bool (*ok)(const char *),
                       char *bad, size_t badn)
{
    char *copy = xstrdup(s ? s : ""), *items[256];
    int n = 0;
    /* turn the other separators into ';' (commas only when they separate) */
    static const char *const seps[] = {"；", "、", "，", ","};
    for (size_t k = 0; k < (commas ? 4u : 1u); k++) {
        size_t l = strlen(seps[k]);
        for (char *p = strstr(copy, seps[k]); p; p = strstr(p, seps[k])) {
            *p = ';';
            memmove(p + 1, p + l, strlen(p + l) + 1);
        }
    }
    for (char *tok = strtok(copy, ";"); tok && n < 256; tok = strtok(NULL, ";")) {
        char *t = trim(tok, strlen(tok));
        if (!t)
            continue;
        if (ok && !ok(t)) {
            snprintf(bad, badn, "%s", t);
            free(copy);
            return NULL;
        }
        items[n++] = t;
    }
    if (sort)
        qsort(items, (size_t)n, sizeof *items, str_cmp);
    buf b;
    buf_init(&b, 0);
    buf_puts(&b, "");
    for (int i = 0; i < n; i++) {
        if (sort && i && !strcmp(items[i], items[i - 1]))
            continue;
        if (b.len)
            buf_append(&b, &sep, 1);
        buf_puts(&b, items[i]);
    }
    free(copy);
    return buf_steal(&b);
}

static bool field_item_ok(const char *s)
{
    return sup_attr_ok(s) && !strchr(s, ';');
}

static bool tag_ok(const char *s)
{
    return text_ok(s, 100);
}

/* Split a conflict entry "CODE", "CODE:reason", "CODE：reason" or
 * "CODE(reason)" into an upper-cased code (without spaces) and a reason. */
static void conflict_split(const char *e, char code[24], const char **reason)
{
    size_t k = 0;
    const char *p = e;
    for (; *p && k < 23; p++) {
        if (*p == ' ')
            continue;
        if (!isalnum((unsigned char)*p))
            break;
        code[k++] = (char)toupper((unsigned char)*p);
    }
    code[k] = 0;
    while (*p == ' ' || *p == ':' || *p == '(')
        p++;
    if (!strncmp(p, "：", 3) || !strncmp(p, "（", 3))
        p += 3;
    *reason = p;
}

static bool conflict_ok(const char *e)
{
    char code[24];
    const char *reason;
    conflict_split(e, code, &reason);
    return credit_code_valid(code) && text_ok(reason, 200);
}

/* Upper-case and drop spaces in place. */
static void code_fold(char *s)
{
    char *w = s;
    for (; *s; s++)
        if (*s != ' ')
            *w++ = (char)toupper((unsigned char)*s);
    *w = 0;
}

static int row_code_cmp(const void *a, const void *b)
{
    const irow *x = *(irow *const *)a, *y = *(irow *const *)b;
    int c = strcmp(x->v[0] ? x->v[0] : "", y->v[0] ? y->v[0] : "");
    return c ? c : (x->rowno > y->rowno) - (x->rowno < y->rowno);
}

/* Every row checked; rows with a problem are reported (several per row). */
static void check_rows(import_ctx *x)
{
    char bad[256];
    for (size_t i = 0; i < x->nrows; i++) {
        irow *r = &x->rows[i];
        int64_t n = r->rowno;
        if (x->dir == SUP_ENTITIES) {
            nqi_error e = {0};
            if (r->v[EF_CODE])
                code_fold(r->v[EF_CODE]);
            if (!r->v[EF_CODE])
                report_add(x->rep, n, "credit_code", "is required");
            else if (credit_code_validate(r->v[EF_CODE], "credit_code", &e))
                report_add(x->rep, n, "credit_code", "%s", e.fields[0].message);
            if (!r->v[EF_NAME] || !text_ok(r->v[EF_NAME], 200))
                report_add(x->rep, n, "name", "required, at most 200 characters");
            if (!sup_region_ok(r->v[EF_REGION], true))
                report_add(x->rep, n, "region", "a 6-digit administrative division code, not '%.40s'",
                           r->v[EF_REGION] ? r->v[EF_REGION] : "");
            if (r->v[EF_INDUSTRY] && (!sup_attr_ok(r->v[EF_INDUSTRY]) || strchr(r->v[EF_INDUSTRY], ';')))
                report_add(x->rep, n, "industry", "at most 64 bytes, without | , ;");
            static const int texts[] = {EF_TYPE, EF_ADDRESS, EF_LEGAL_REP};
            for (size_t k = 0; k < 3; k++)
                if (!text_ok(r->v[texts[k]], 200))
                    report_add(x->rep, n, x->cols[texts[k]].name, "at most 200 characters");
            char d[11];
            if (r->v[EF_REGISTERED_ON] && standards_date_parse(r->v[EF_REGISTERED_ON], d))
                report_add(x->rep, n, "registered_on", "'%.40s' is not a date (YYYY-MM-DD)",
                           r->v[EF_REGISTERED_ON]);
            if (!status_of(r->v[EF_STATUS]))
                report_add(x->rep, n, "status", "'%.40s': active|revoked|cancelled|moved (存续|吊销|注销|迁出)",
                           r->v[EF_STATUS]);
            const char *cl = r->v[EF_CLASS];
            if (cl && (strlen(cl) != 1 || !strchr("ABCDabcd", cl[0])))
                report_add(x->rep, n, "credit_class", "A, B, C or D, not '%.40s'", cl);
            for (int k = EF_RISK_TAGS; k <= EF_LICENCES; k++) {
                char *l = list_norm(r->v[k], ';', false, true, tag_ok, bad, sizeof bad);
                if (!l)
                    report_add(x->rep, n, x->cols[k].name, "bad item '%.60s'", bad);
                free(l);
            }
        } else {
            if (!r->v[IF_ID] || !sup_attr_ok(r->v[IF_ID]) || strchr(r->v[IF_ID], ' '))
                report_add(x->rep, n, "id", "required: 1-64 bytes, no spaces, | or ,");
            if (!r->v[IF_NAME] || !text_ok(r->v[IF_NAME], 50))
                report_add(x->rep, n, "name", "required, at most 50 characters");
            if (r->v[IF_DEPARTMENT] && !sup_attr_ok(r->v[IF_DEPARTMENT]))
                report_add(x->rep, n, "department", "at most 64 bytes, without | or ,");
            if (r->v[IF_REGION] && !sup_region_ok(r->v[IF_REGION], true))
                report_add(x->rep, n, "region", "a 6-digit administrative division code");
            char *l = list_norm(r->v[IF_FIELDS], ',', true, true, field_item_ok, bad, sizeof bad);
            if (!l)
                report_add(x->rep, n, "fields", "bad field '%.60s' (1-64 bytes, no | , ;)", bad);
            free(l);
            const char *a = r->v[IF_ACTIVE];
            static const char *const actv[] = {"1",  "0",  "true", "false", "yes", "no",
                                                "是", "否", "在岗", "离岗",  "停用"};
            bool aok = !a;
            for (size_t k = 0; a && k < sizeof actv / sizeof actv[0]; k++)
                aok |= !strcasecmp(a, actv[k]);
            if (!aok)
                report_add(x->rep, n, "active", "1/0, true/false, 是/否 or 在岗/离岗");
            l = list_norm(r->v[IF_CONFLICTS], ';', false, false, conflict_ok, bad, sizeof bad);
            if (!l) {
                char code[24];
                const char *reason;
                conflict_split(bad, code, &reason);
                nqi_error e = {0};
                if (credit_code_validate(code, "conflicts", &e))
                    report_add(x->rep, n, "conflicts", "'%.40s': %s", code, e.fields[0].message);
                else
                    report_add(x->rep, n, "conflicts", "reason of %s: at most 200 characters", code);
            }
            free(l);
        }
    }
    /* duplicates within the file: the later row is reported */
    if (!x->nrows)
        return;
    irow **v = xmalloc(x->nrows * sizeof *v);
    for (size_t i = 0; i < x->nrows; i++)
        v[i] = &x->rows[i];
    qsort(v, x->nrows, sizeof *v, row_code_cmp);
    for (size_t i = 1; i < x->nrows; i++)
        if (v[i]->v[0] && v[i - 1]->v[0] && !strcmp(v[i]->v[0], v[i - 1]->v[0]))
            report_add(x->rep, v[i]->rowno, x->cols[0].name, "duplicate of row %lld (%s)",
                       (long long)v[i - 1]->rowno, v[i]->v[0]);
    free(v);
}

/* ---------------------------------------------------------------- writing */

static int entity_tokens(irow *r, buf *tok)
{
    buf t;
    buf_init(&t, 0);
    const int f[] = {EF_NAME, EF_ADDRESS, EF_LEGAL_REP, EF_INDUSTRY, EF_TYPE};
    for (size_t i = 0; i < 5; i++)
        if (r->v[f[i]]) {
            buf_puts(&t, r->v[f[i]]);
            buf_puts(&t, " ");
        }
    tok->len = 0;
    if (tok->data)
        tok->data[0] = 0;
    int rc = t.len ? text_tokens(t.data, t.len, tok) : 0;
    buf_free(&t);
    if (!tok->data)
        buf_puts(tok, "");
    return rc;
}

/* Entities are written in batches of ENTITY_BATCH rows per multi-row upsert:
 * one statement per row made the 1M-row import take ~17 minutes on
 * PostgreSQL (two round trips a row) and ~3 on SQLite; batched, the server
 * does the same work in far fewer statements. */
#define ENTITY_BATCH 200
#define ENTITY_NP 15

/* Upsert rows [from, to). class_given: the file has a credit_class column
 * (new rows default to B; without the column the stored class is kept). */
static int write_entity_batch(store_conn *c, import_ctx *x, size_t from, size_t to,
                              bool class_given, int64_t now, nqi_error *err)
{
    size_t n = to - from;
    buf sql, tok;
    buf_init(&sql, 0);
    buf_init(&tok, 0);
    buf_puts(&sql, "INSERT INTO entities (credit_code, name, type, industry, region, address, "
                   "legal_rep, registered_on, status, risk_tags, licences, credit_class, "
                   "search_tokens, created_at, updated_at) VALUES ");
    for (size_t i = 0; i < n; i++)
        buf_puts(&sql, i ? ", (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, COALESCE(CAST(? AS TEXT), 'B'), ?, "
                           "?, ?)"
                         : "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, COALESCE(CAST(? AS TEXT), 'B'), ?, ?, "
                           "?)");
    buf_puts(&sql, " ON CONFLICT (credit_code) DO UPDATE SET name = excluded.name, type = "
                   "excluded.type, industry = excluded.industry, region = excluded.region, "
                   "address = excluded.address, legal_rep = excluded.legal_rep, registered_on = "
                   "excluded.registered_on, status = excluded.status, risk_tags = "
                   "excluded.risk_tags, licences = excluded.licences, search_tokens = "
                   "excluded.search_tokens, updated_at = excluded.updated_at");
    if (class_given)
        buf_puts(&sql, ", credit_class = excluded.credit_class");
    store_val *p = xcalloc(n * ENTITY_NP, sizeof *p);
    char **owned = xcalloc(n * 3, sizeof *owned); /* tokens, tags, licences per row */
    char (*dates)[11] = xcalloc(n, sizeof *dates), (*cls)[2] = xcalloc(n, sizeof *cls);
    int rc = 0;
    for (size_t i = 0; i < n && !rc; i++) {
        irow *r = &x->rows[from + i];
        char bad[8];
        if (entity_tokens(r, &tok)) {
            rc = nqi_error_set(err, NQI_EINVAL, "row %lld: text", (long long)r->rowno);
            break;
        }
        owned[3 * i] = xstrdup(tok.data);
        owned[3 * i + 1] = list_norm(r->v[EF_RISK_TAGS], ';', false, true, NULL, bad, sizeof bad);
        owned[3 * i + 2] = list_norm(r->v[EF_LICENCES], ';', false, true, NULL, bad, sizeof bad);
        if (r->v[EF_REGISTERED_ON])
            standards_date_parse(r->v[EF_REGISTERED_ON], dates[i]);
        if (class_given && r->v[EF_CLASS])
            cls[i][0] = (char)toupper((unsigned char)r->v[EF_CLASS][0]);
        store_val *v = p + i * ENTITY_NP;
        v[0] = SV_TEXT(r->v[EF_CODE]);
        v[1] = SV_TEXT(r->v[EF_NAME]);
        v[2] = SV_TEXT(r->v[EF_TYPE]);
        v[3] = SV_TEXT(r->v[EF_INDUSTRY]);
        v[4] = SV_TEXT(r->v[EF_REGION]);
        v[5] = SV_TEXT(r->v[EF_ADDRESS]);
        v[6] = SV_TEXT(r->v[EF_LEGAL_REP]);
        v[7] = SV_TEXT(dates[i][0] ? dates[i] : NULL);
        v[8] = SV_TEXT(status_of(r->v[EF_STATUS]));
        v[9] = SV_TEXT(owned[3 * i + 1]);
        v[10] = SV_TEXT(owned[3 * i + 2]);
        v[11] = SV_TEXT(cls[i][0] ? cls[i] : NULL);
        v[12] = SV_TEXT(owned[3 * i]);
        v[13] = SV_INT(now);
        v[14] = SV_INT(now);
    }
    if (!rc)
        rc = store_exec(c, sql.data, p, (int)(n * ENTITY_NP), NULL, err);
    for (size_t i = 0; i < n * 3; i++)
        free(owned[i]);
    free(owned);
    free(dates);
    free(cls);
    free(p);
    buf_free(&tok);
    buf_free(&sql);
    return rc;
}

/* All rows; inserted = the table's growth (codes are unique in the file, and
 * concurrent imports are serialized), updated = the rest. */
static int write_entities(store_conn *c, import_ctx *x, int64_t now, nqi_error *err)
{
    static const char count_sql[] = "SELECT COUNT(*) FROM entities";
    int64_t before = 0, after = 0;
    int rc = store_tx_lock(c, "entities.import", err);
    if (!rc)
        rc = store_query_int(c, count_sql, NULL, 0, &before, err);
    for (size_t i = 0; !rc && i < x->nrows; i += ENTITY_BATCH)
        rc = write_entity_batch(c, x, i, i + ENTITY_BATCH < x->nrows ? i + ENTITY_BATCH : x->nrows,
                                x->present[EF_CLASS], now, err);
    if (!rc)
        rc = store_query_int(c, count_sql, NULL, 0, &after, err);
    if (!rc) {
        x->rep->inserted = after - before;
        x->rep->updated = (int64_t)x->nrows - x->rep->inserted;
    }
    return rc;
}

static bool active_of(const char *a)
{
    if (!a)
        return true;
    return !(!strcmp(a, "0") || !strcasecmp(a, "false") || !strcasecmp(a, "no") ||
             !strcmp(a, "否") || !strcmp(a, "离岗") || !strcmp(a, "停用"));
}

static int write_inspector(store_conn *c, irow *r, bool conflicts_given, int64_t now,
                           bool *inserted, nqi_error *err)
{
    static const char sql[] =
        "INSERT INTO inspectors (code, name, department, region, fields, active, created_at, "
        "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (code) DO UPDATE SET name = "
        "excluded.name, department = excluded.department, region = excluded.region, fields = "
        "excluded.fields, active = excluded.active, updated_at = excluded.updated_at "
        "RETURNING id";
    static const char exists_sql[] = "SELECT COUNT(*) FROM inspectors WHERE code = ?";
    static const char del_sql[] = "DELETE FROM inspector_conflicts WHERE inspector_id = ?";
    static const char ins_sql[] = "INSERT INTO inspector_conflicts (inspector_id, credit_code, "
                                  "reason, declared_at) VALUES (?, ?, ?, ?) ON CONFLICT "
                                  "(inspector_id, credit_code) DO NOTHING";
    char bad[8];
    int64_t n = 0, id = 0;
    int rc = store_query_int(c, exists_sql, (store_val[]){SV_TEXT(r->v[IF_ID])}, 1, &n, err);
    if (rc)
        return rc;
    *inserted = n == 0;
    char *fields = list_norm(r->v[IF_FIELDS], ',', true, true, NULL, bad, sizeof bad);
    store_val p[] = {SV_TEXT(r->v[IF_ID]), SV_TEXT(r->v[IF_NAME]),
                     SV_TEXT(r->v[IF_DEPARTMENT] ? r->v[IF_DEPARTMENT] : ""),
                     SV_TEXT(r->v[IF_REGION] ? r->v[IF_REGION] : ""), SV_TEXT(fields),
                     SV_INT(active_of(r->v[IF_ACTIVE])), SV_INT(now), SV_INT(now)};
    rc = store_query_int(c, sql, p, 8, &id, err);
    free(fields);
    if (rc || !conflicts_given)
        return rc;
    if ((rc = store_exec(c, del_sql, (store_val[]){SV_INT(id)}, 1, NULL, err)))
        return rc;
    char *l = list_norm(r->v[IF_CONFLICTS], ';', false, false, NULL, bad, sizeof bad);
    char *save = NULL;
    for (char *e = strtok_r(l, ";", &save); e && !rc; e = strtok_r(NULL, ";", &save)) {
        char code[24];
        const char *reason;
        conflict_split(e, code, &reason);
        char *rs = xstrdup(reason);
        size_t rl = strlen(rs);
        if (rl && (rs[rl - 1] == ')'))
            rs[--rl] = 0;
        else if (rl >= 3 && !strcmp(rs + rl - 3, "）"))
            rs[rl - 3] = 0;
        store_val q[] = {SV_INT(id), SV_TEXT(code), SV_TEXT(rs), SV_INT(now)};
        rc = store_exec(c, ins_sql, q, 4, NULL, err);
        free(rs);
    }
    free(l);
    return rc;
}

static int write_all(import_ctx *x, store_conn *c, const http_principal *actor, nqi_error *err)
{
    int64_t now = now_ms();
    bool own = !store_in_tx(c);
    int rc = own ? store_begin(c, true, err) : 0;
    if (!rc && x->dir == SUP_ENTITIES)
        rc = write_entities(c, x, now, err);
    for (size_t i = 0; !rc && x->dir == SUP_INSPECTORS && i < x->nrows; i++) {
        bool ins = false;
        rc = write_inspector(c, &x->rows[i], x->present[IF_CONFLICTS], now, &ins, err);
        if (!rc && ins)
            x->rep->inserted++;
        else if (!rc)
            x->rep->updated++;
    }
    if (!rc) {
        json_t *after = json_pack("{s:I, s:I, s:I}", "rows", (json_int_t)x->rep->rows, "inserted",
                                  (json_int_t)x->rep->inserted, "updated",
                                  (json_int_t)x->rep->updated);
        const char *what = x->dir == SUP_ENTITIES ? "entities" : "inspectors";
        char action[32];
        snprintf(action, sizeof action, "%s.import", what);
        rc = audit_record(c, actor, action, what, "", NULL, after, err);
        json_decref(after);
    }
    return store_tx_end(c, own, rc, err);
}

int supervision_import(store_conn *c, const http_principal *actor, sup_dir dir, const char *data,
                       size_t len, bool dry_run, sup_import_report *rep, nqi_error *err)
{
    memset(rep, 0, sizeof *rep);
    import_ctx x = {.dir = dir,
                    .cols = dir == SUP_ENTITIES ? entity_cols : inspector_cols,
                    .ncols = dir == SUP_ENTITIES ? EF_COUNT : IF_COUNT,
                    .rep = rep};
    parse_csv(&x, data, len);
    if (!rep->nerrors)
        check_rows(&x);
    rep->rows = (int64_t)x.nrows;
    int rc = 0;
    if (rep->nerrors) {
        rc = nqi_error_set(err, NQI_EINVAL, "%zu problem%s in the file, nothing imported (first: row %lld, %s: %s)",
                           rep->nerrors, rep->nerrors == 1 ? "" : "s",
                           (long long)rep->errors[0].row, rep->errors[0].field,
                           rep->errors[0].message);
    } else if (!x.nrows) {
        report_add(rep, 0, "rows", "no data rows");
        rc = nqi_error_set(err, NQI_EINVAL, "the file has no data rows");
    } else if (!dry_run) {
        rc = write_all(&x, c, actor, err);
    }
    free(x.rows);
    free(x.text);
    return rc;
}

/* ---------------------------------------------------------------- entities */

static json_t *jstr_or_null(const char *s)
{
    return s && *s ? json_string(s) : json_null();
}

static json_t *list_json(const char *s)
{
    json_t *a = json_array();
    char *copy = xstrdup(s ? s : ""), *save = NULL;
    for (char *t = strtok_r(copy, ";", &save); t; t = strtok_r(NULL, ";", &save))
        json_array_append_new(a, json_string(t));
    free(copy);
    return a;
}

#define ENTITY_COLS                                                                          \
    "e.id, e.credit_code, e.name, e.type, e.industry, e.region, e.address, e.legal_rep, "    \
    "e.registered_on, e.status, e.risk_tags, e.licences, e.credit_class, e.updated_at"

static json_t *entity_json(store_rows *r, bool staff)
{
    char t[32];
    json_t *o = json_object();
    json_object_set_new(o, "credit_code", json_string(store_text(r, 1)));
    json_object_set_new(o, "name", json_string(store_text(r, 2)));
    json_object_set_new(o, "type", jstr_or_null(store_text(r, 3)));
    json_object_set_new(o, "industry", jstr_or_null(store_text(r, 4)));
    json_object_set_new(o, "region", json_string(store_text(r, 5)));
    json_object_set_new(o, "address", jstr_or_null(store_text(r, 6)));
    json_object_set_new(o, "legal_rep", jstr_or_null(store_text(r, 7)));
    json_object_set_new(o, "registered_on", jstr_or_null(store_text(r, 8)));
    json_object_set_new(o, "status", json_string(store_text(r, 9)));
    if (staff)
        json_object_set_new(o, "risk_tags", list_json(store_text(r, 10)));
    json_object_set_new(o, "licences", list_json(store_text(r, 11)));
    json_object_set_new(o, "credit_class", json_string(store_text(r, 12)));
    json_object_set_new(o, "updated_at", json_string(time_iso8601(store_int(r, 13), t, sizeof t)));
    return o;
}

/* A row of the staff list (store_page_json). */
static json_t *entity_staff_row(store_rows *r, void *ctx)
{
    return entity_json(r, true);
}

int supervision_entity_query_params(const char *(*get)(void *ctx, const char *name), void *ctx,
                                    sup_entity_query *p, nqi_error *err)
{
    memset(p, 0, sizeof *p);
    p->limit = 50;
    const char *v;
    p->q = (v = get(ctx, "q")) && *v ? v : NULL;
    if (p->q && utf8_count(p->q) > 100)
        nqi_error_field(err, NQI_EINVAL, "q", "at most 100 characters");
    p->region = (v = get(ctx, "region")) && *v ? v : NULL;
    if (p->region && !sup_region_ok(p->region, false))
        nqi_error_field(err, NQI_EINVAL, "region", "a division-code prefix: 1-6 digits");
    p->industry = (v = get(ctx, "industry")) && *v ? v : NULL;
    if (p->industry && strlen(p->industry) > 64)
        nqi_error_field(err, NQI_EINVAL, "industry", "at most 64 bytes");
    p->credit_class = (v = get(ctx, "credit_class")) && *v ? v : NULL;
    if (p->credit_class && (strlen(p->credit_class) != 1 || !strchr("ABCD", p->credit_class[0])))
        nqi_error_field(err, NQI_EINVAL, "credit_class", "A, B, C or D");
    p->status = (v = get(ctx, "status")) && *v ? v : NULL;
    if (p->status && (!status_of(p->status) || strcmp(status_of(p->status), p->status)))
        nqi_error_field(err, NQI_EINVAL, "status", "active|revoked|cancelled|moved");
    char *end;
    if ((v = get(ctx, "limit")) && *v) {
        long long l = strtoll(v, &end, 10);
        if (*end || l < 1 || l > 200)
            nqi_error_field(err, NQI_EINVAL, "limit", "an integer 1-200");
        else
            p->limit = l;
    }
    if ((v = get(ctx, "cursor")) && *v) {
        long long l = strtoll(v, &end, 10);
        if (*end || l < 0)
            nqi_error_field(err, NQI_EINVAL, "cursor", "not a cursor from next_cursor");
        else
            p->cursor = l;
    }
    return err->code;
}

/* A query that looks like (part of) a credit code: 4-18 letters/digits with
 * a digit and no lower-case-only word. */
static bool code_like(const char *q, char out[20])
{
    size_t n = strlen(q), k = 0;
    bool digit = false;
    if (n < 4 || n > 18)
        return false;
    for (size_t i = 0; i < n; i++) {
        if (!isalnum((unsigned char)q[i]))
            return false;
        digit |= isdigit((unsigned char)q[i]) != 0;
        out[k++] = (char)toupper((unsigned char)q[i]);
    }
    out[k] = 0;
    return digit;
}

int supervision_entity_search(store_conn *c, const sup_entity_query *p, json_t **out,
                              nqi_error *err)
{
    *out = NULL;
    bool pg = store_kind(store_conn_store(c)) == STORE_PG;
    buf sql, m;
    buf_init(&sql, 0);
    buf_init(&m, 4096);
    store_val v[10];
    int nv = 0, rc = 0;
    char code[20], prefix[24], like[24];
    buf_puts(&sql, "SELECT " ENTITY_COLS " FROM entities e");
    if (p->q && code_like(p->q, code)) {
        snprintf(prefix, sizeof prefix, "%s%%", code);
        buf_puts(&sql, " WHERE e.credit_code LIKE ?");
        v[nv++] = SV_TEXT(prefix);
    } else if (p->q) {
        rc = pg ? text_query_tsquery(p->q, strlen(p->q), &m) : text_query(p->q, strlen(p->q), &m);
        if (rc) {
            buf_free(&sql);
            buf_free(&m);
            return nqi_error_field(err, NQI_EINVAL, "q", "nothing searchable in '%.40s'", p->q);
        }
        if (pg)
            buf_puts(&sql, " WHERE e.search_tsv @@ to_tsquery('simple', ?)");
        else
            buf_puts(&sql, " JOIN (SELECT rowid AS fid FROM entities_fts WHERE entities_fts "
                           "MATCH ?) f ON f.fid = e.id WHERE 1 = 1");
        v[nv++] = SV_TEXT(m.data);
    } else {
        buf_puts(&sql, " WHERE 1 = 1");
    }
    if (p->region) {
        snprintf(like, sizeof like, "%s%%", p->region);
        buf_puts(&sql, " AND e.region LIKE ?");
        v[nv++] = SV_TEXT(like);
    }
    if (p->industry) {
        buf_puts(&sql, " AND e.industry = ?");
        v[nv++] = SV_TEXT(p->industry);
    }
    if (p->credit_class) {
        buf_puts(&sql, " AND e.credit_class = ?");
        v[nv++] = SV_TEXT(p->credit_class);
    }
    if (p->status) {
        buf_puts(&sql, " AND e.status = ?");
        v[nv++] = SV_TEXT(p->status);
    }
    buf_puts(&sql, " AND e.id > ? ORDER BY e.id LIMIT ?");
    v[nv++] = SV_INT(p->cursor);
    v[nv++] = SV_INT(p->limit + 1);
    store_rows *r;
    rc = store_query(c, sql.data, v, nv, &r, err);
    buf_free(&sql);
    buf_free(&m);
    if (rc)
        return rc;
    return store_page_json(r, p->limit, entity_staff_row, NULL, out, err);
}

int supervision_entity_get(store_conn *c, const char *credit_code, bool staff, json_t **out,
                           nqi_error *err)
{
    static const char sql[] = "SELECT " ENTITY_COLS " FROM entities e WHERE e.credit_code = ?";
    char code[24];
    *out = NULL;
    snprintf(code, sizeof code, "%s", credit_code ? credit_code : "");
    code_fold(code);
    store_rows *r;
    int rc = store_query(c, sql, (store_val[]){SV_TEXT(code)}, 1, &r, err);
    if (rc)
        return rc;
    rc = store_next(r);
    if (rc == 1)
        *out = entity_json(r, staff);
    else if (rc == 0)
        nqi_error_field(err, NQI_ENOTFOUND, "credit_code", "no market entity %.24s", code);
    else
        store_rows_error(r, err);
    store_rows_close(r);
    return *out ? 0 : err->code;
}

/* ---------------------------------------------------------------- inspectors */

/* An inspector without conflicts yet; row_id is the key to fetch them. */
static json_t *inspector_row(store_rows *r, void *ctx)
{
    json_t *fields = json_array();
    char *f = xstrdup(store_text(r, 5) ? store_text(r, 5) : ""), *save = NULL;
    for (char *t = strtok_r(f, ",", &save); t; t = strtok_r(NULL, ",", &save))
        json_array_append_new(fields, json_string(t));
    free(f);
    return json_pack("{s:I, s:s, s:s, s:s, s:s, s:o, s:b, s:[]}", "row_id",
                     (json_int_t)store_int(r, 0), "id", store_text(r, 1), "name", store_text(r, 2),
                     "department", store_text(r, 3), "region", store_text(r, 4), "fields", fields,
                     "active", store_int(r, 6) != 0, "conflicts");
}

int supervision_inspector_list(store_conn *c, int64_t limit, int64_t cursor, json_t **out,
                               nqi_error *err)
{
    static const char sql[] = "SELECT id, code, name, department, region, fields, active FROM "
                              "inspectors WHERE id > ? ORDER BY id LIMIT ?";
    static const char csql[] = "SELECT credit_code, reason, declared_at FROM inspector_conflicts "
                               "WHERE inspector_id = ? ORDER BY credit_code";
    *out = NULL;
    store_rows *r;
    int rc = store_query(c, sql, (store_val[]){SV_INT(cursor), SV_INT(limit + 1)}, 2, &r, err);
    if (rc)
        return rc;
    if ((rc = store_page_json(r, limit, inspector_row, NULL, out, err)))
        return rc;
    size_t i;
    json_t *it;
    json_array_foreach(json_object_get(*out, "items"), i, it)
    {
        if (rc)
            break;
        store_rows *q;
        int64_t id = json_integer_value(json_object_get(it, "row_id"));
        if ((rc = store_query(c, csql, (store_val[]){SV_INT(id)}, 1, &q, err)))
            break;
        json_t *cs = json_object_get(it, "conflicts");
        char t[32];
        while ((rc = store_next(q)) == 1)
            json_array_append_new(cs, json_pack("{s:s, s:s, s:s}", "credit_code",
                                                store_text(q, 0), "reason", store_text(q, 1),
                                                "declared_at",
                                                time_iso8601(store_int(q, 2), t, sizeof t)));
        rc = rc < 0 ? store_rows_error(q, err) : 0;
        store_rows_close(q);
        json_object_del(it, "row_id");
    }
    if (rc) {
        json_decref(*out);
        *out = NULL;
    }
    return rc;
}

/* ---------------------------------------------------------------- items */

static json_t *item_json(store_rows *r)
{
    char t[32];
    json_t *filter = json_loads(store_text(r, 8) ? store_text(r, 8) : "{}", 0, NULL);
    return json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:f, s:o, s:s}", "id",
                     (json_int_t)store_int(r, 0), "name", store_text(r, 1), "basis",
                     store_text(r, 2), "department", store_text(r, 3), "content",
                     store_text(r, 4), "method", store_text(r, 5), "kind", store_text(r, 6),
                     "default_proportion", (double)store_int(r, 7) / 10000.0, "filter",
                     filter ? filter : json_object(), "created_at",
                     time_iso8601(store_int(r, 9), t, sizeof t));
}

#define ITEM_COLS "id, name, basis, department, content, method, kind, default_ppm, filter, created_at"

int sup_filter_check(json_t *f, const char *field, nqi_error *err)
{
    static const char *const allowed[] = {"region", "industry", NULL};
    char name[160];
    if (!f || json_is_null(f))
        return 0;
    if (!json_is_object(f))
        return nqi_error_field(err, NQI_EINVAL, field, "an object {region?, industry?}");
    nqi_error e = {0};
    if (json_check_fields(f, allowed, &e)) {
        snprintf(name, sizeof name, "%s/%s", field, e.fields[0].field);
        return nqi_error_field(err, NQI_EINVAL, name, "unknown field");
    }
    json_t *r = json_object_get(f, "region"), *i = json_object_get(f, "industry");
    if (r && !json_is_null(r) && (!json_is_string(r) || !sup_region_ok(json_string_value(r), false))) {
        snprintf(name, sizeof name, "%s/region", field);
        nqi_error_field(err, NQI_EINVAL, name, "a division-code prefix: 1-6 digits");
    }
    if (i && !json_is_null(i) && (!json_is_string(i) || !sup_attr_ok(json_string_value(i)))) {
        snprintf(name, sizeof name, "%s/industry", field);
        nqi_error_field(err, NQI_EINVAL, name, "an industry (1-64 bytes, no | or ,)");
    }
    return err->code;
}

int supervision_item_create(store_conn *c, const http_principal *actor, json_t *in, json_t **out,
                            nqi_error *err)
{
    static const char *const allowed[] = {"name",   "basis", "department",         "content",
                                          "method", "kind",  "default_proportion", "filter",
                                          NULL};
    static const char sql[] = "INSERT INTO inspection_items (name, basis, department, content, "
                              "method, kind, default_ppm, filter, created_at, updated_at) VALUES "
                              "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id";
    static const char get_sql[] = "SELECT " ITEM_COLS " FROM inspection_items WHERE id = ?";
    const char *name = NULL, *basis = "", *dept = "", *content = "", *method = "",
               *kind = "general";
    *out = NULL;
    json_check_fields(in, allowed, err);
    json_get_str(in, "name", true, 200, &name, err);
    json_get_str(in, "basis", false, 1000, &basis, err);
    json_get_str(in, "department", false, 100, &dept, err);
    json_get_str(in, "content", false, 2000, &content, err);
    json_get_str(in, "method", false, 200, &method, err);
    json_get_str(in, "kind", false, 16, &kind, err);
    if (kind && strcmp(kind, "general") && strcmp(kind, "key"))
        nqi_error_field(err, NQI_EINVAL, "kind", "general (一般) or key (重点)");
    json_t *dp = json_object_get(in, "default_proportion");
    double pct = 0;
    if (dp && !json_is_null(dp)) {
        pct = json_is_number(dp) ? json_number_value(dp) : -1;
        if (!(pct >= 0 && pct <= 100))
            nqi_error_field(err, NQI_EINVAL, "default_proportion",
                            "a percentage between 0 and 100");
    }
    json_t *filter = json_object_get(in, "filter");
    sup_filter_check(filter, "filter", err);
    if (err->code)
        return err->code;
    char *fs = filter && json_is_object(filter)
                   ? json_dumps(filter, JSON_COMPACT | JSON_SORT_KEYS)
                   : xstrdup("{}");
    int64_t now = now_ms(), id = 0;
    bool own = !store_in_tx(c);
    int rc = own ? store_begin(c, true, err) : 0;
    store_val p[] = {SV_TEXT(name),   SV_TEXT(basis), SV_TEXT(dept),
                     SV_TEXT(content), SV_TEXT(method), SV_TEXT(kind),
                     SV_INT((int64_t)(pct * 10000.0 + 0.5)), SV_TEXT(fs), SV_INT(now), SV_INT(now)};
    if (!rc)
        rc = store_query_int(c, sql, p, 10, &id, err);
    free(fs);
    store_rows *r = NULL;
    if (!rc && !(rc = store_query(c, get_sql, (store_val[]){SV_INT(id)}, 1, &r, err))) {
        if (store_next(r) == 1)
            *out = item_json(r);
        store_rows_close(r);
        if (!*out)
            rc = nqi_error_set(err, NQI_EINTERNAL, "inspection item %lld vanished", (long long)id);
    }
    if (!rc) {
        char ids[24];
        snprintf(ids, sizeof ids, "%lld", (long long)id);
        rc = audit_record(c, actor, "inspection_item.create", "inspection_item", ids, NULL, *out,
                          err);
    }
    rc = store_tx_end(c, own, rc, err);
    if (rc) {
        json_decref(*out);
        *out = NULL;
    }
    return rc;
}

int supervision_item_list(store_conn *c, json_t **out, nqi_error *err)
{
    static const char sql[] = "SELECT " ITEM_COLS " FROM inspection_items ORDER BY id LIMIT 1000";
    store_rows *r;
    *out = NULL;
    int rc = store_query(c, sql, NULL, 0, &r, err);
    if (rc)
        return rc;
    json_t *items = json_array();
    while ((rc = store_next(r)) == 1)
        json_array_append_new(items, item_json(r));
    if (rc < 0) {
        rc = store_rows_error(r, err);
        store_rows_close(r);
        json_decref(items);
        return rc;
    }
    store_rows_close(r);
    *out = json_pack("{s:o, s:n}", "items", items, "next_cursor");
    return 0;
}
