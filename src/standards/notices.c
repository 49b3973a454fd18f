/*
 * notices.c — publication notices (标准发布公告): a notice lists standards
 * published, replacing others, or withdrawn. Entering one applies its items
 * to the catalogue through standards_import (JSON rows built here) in the
 * same write transaction as the notice rows, the audit record and the
 * tracking fan-out: all of it commits, or nothing does.
 *
 * Rows for standards already in the catalogue are built from the stored
 * record with the item's fields laid over it, because the import treats a
 * column present in the file as "set to this value" for every row: a row
 * that left a column out would clear it.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/audit.h"
#include "core/page.h"
#include "core/json.h"
#include "core/util.h"
#include "standards/number.h"
#include "standards/standards.h"
#include "standards/tracking.h"

#define NOTICE_ITEMS_MAX 5000

/* Catalogue columns an item may set (strings), in SELECT order after number. */
static const char *const cat_fields[] = {
    "title_zh", "title_en", "status",  "issued_on", "implemented_on", "withdrawn_on",
    "ics",      "ccs",      "department", "committee", "issuer",      "drafters",
    "adopted",  "adoption_degree", "scope"};
#define NCAT ((int)(sizeof cat_fields / sizeof cat_fields[0]))
enum { F_STATUS = 2, F_ISSUED = 3, F_IMPL = 4, F_WITHDRAWN = 5, F_ISSUER = 10 };

static const char *const actions[] = {"publish", "replace", "withdraw"};

static int action_index(const char *a)
{
    for (int i = 0; a && i < 3; i++)
        if (!strcmp(a, actions[i]))
            return i;
    return -1;
}

typedef struct item {
    int action;
    std_number num;
    bool parsed;
    int64_t existing; /* standards.id, 0 when new */
} item;

/* A string or array of strings -> "a;b" (malloc'd); NULL when absent. -1 on
 * a wrong type. */
static int join_list(json_t *v, char **out)
{
    *out = NULL;
    if (!v || json_is_null(v))
        return 0;
    if (json_is_string(v)) {
        *out = xstrdup(json_string_value(v));
        return 0;
    }
    if (!json_is_array(v))
        return -1;
    buf b;
    buf_init(&b, 0);
    size_t i;
    json_t *e;
    json_array_foreach(v, i, e)
    {
        if (!json_is_string(e)) {
            buf_free(&b);
            return -1;
        }
        buf_printf(&b, "%s%s", i ? ";" : "", json_string_value(e));
    }
    *out = b.len ? buf_steal(&b) : NULL;
    buf_free(&b);
    return 0;
}

static bool item_key_allowed(const char *k)
{
    if (!strcmp(k, "action") || !strcmp(k, "number") || !strcmp(k, "replaces") ||
        !strcmp(k, "amendments"))
        return true;
    for (int i = 0; i < NCAT; i++)
        if (!strcmp(k, cat_fields[i]))
            return true;
    return false;
}

/* Structural checks of item i; field errors name items/i/<field>. */
static void item_check(store_conn *c, json_t *o, size_t i, item *it, nqi_error *err)
{
    char f[96];
    memset(it, 0, sizeof *it);
    it->action = -1;
    if (!json_is_object(o)) {
        snprintf(f, sizeof f, "items/%zu", i);
        nqi_error_field(err, NQI_EINVAL, f, "must be an object");
        return;
    }
    const char *k;
    json_t *v;
    json_object_foreach(o, k, v)
    {
        snprintf(f, sizeof f, "items/%zu/%.60s", i, k);
        if (!item_key_allowed(k))
            nqi_error_field(err, NQI_EINVAL, f, "unknown field");
        else if (strcmp(k, "replaces") && strcmp(k, "amendments") && !json_is_string(v) &&
                 !json_is_null(v))
            nqi_error_field(err, NQI_EINVAL, f, "must be a string");
    }
    const char *a = json_string_value(json_object_get(o, "action"));
    snprintf(f, sizeof f, "items/%zu/action", i);
    it->action = action_index(a);
    if (it->action < 0)
        nqi_error_field(err, NQI_EINVAL, f, "must be publish, replace or withdraw");
    const char *num = json_string_value(json_object_get(o, "number"));
    snprintf(f, sizeof f, "items/%zu/number", i);
    nqi_error e = {0};
    if (!num || !*num) {
        nqi_error_field(err, NQI_EINVAL, f, "required");
    } else if (std_number_parse_ex(num, strlen(num), STD_PARSE_LENIENT, &it->num, &e)) {
        nqi_error_field(err, NQI_EINVAL, f, "%s", e.message);
    } else if (!it->num.year) {
        nqi_error_field(err, NQI_EINVAL, f, "'%s' needs a year to name one edition", num);
    } else {
        it->parsed = true;
        standards_record rec;
        nqi_error_clear(&e);
        int rc = standards_lookup(c, &it->num, NULL, &rec, &e);
        if (!rc) {
            it->existing = rec.id;
            standards_record_free(&rec);
        } else if (rc != NQI_ENOTFOUND) {
            nqi_error_field(err, rc, f, "%s", e.message);
        } else if (it->action == 2) {
            nqi_error_field(err, NQI_EINVAL, f, "%s is not in the catalogue: nothing to withdraw",
                            it->num.canonical);
        }
    }
    char *rep = NULL;
    snprintf(f, sizeof f, "items/%zu/replaces", i);
    if (join_list(json_object_get(o, "replaces"), &rep))
        nqi_error_field(err, NQI_EINVAL, f, "must be a standard number or an array of them");
    else if (it->action == 1 && !rep)
        nqi_error_field(err, NQI_EINVAL, f, "required for action replace");
    free(rep);
    snprintf(f, sizeof f, "items/%zu/amendments", i);
    if (join_list(json_object_get(o, "amendments"), &rep))
        nqi_error_field(err, NQI_EINVAL, f, "must be a string or an array of strings");
    free(rep);
}

/* The stored record of id as {field: value|null} over number + cat_fields. */
static int stored_row(store_conn *c, int64_t id, json_t **out, nqi_error *err)
{
    static const char sql[] =
        "SELECT number, title_zh, title_en, status, issued_on, implemented_on, withdrawn_on, "
        "ics, ccs, department, committee, issuer, drafters, adopted, adoption_degree, scope "
        "FROM standards WHERE id = ?";
    store_rows *r;
    int rc = store_query(c, sql, (store_val[]){SV_INT(id)}, 1, &r, err);
    if (rc)
        return rc;
    rc = store_next(r);
    if (rc == 1) {
        json_t *o = json_object();
        json_object_set_new(o, "number", json_string(store_text(r, 0)));
        for (int i = 0; i < NCAT; i++) {
            const char *v = store_text(r, i + 1);
            json_object_set_new(o, cat_fields[i], v ? json_string(v) : json_null());
        }
        *out = o;
        rc = 0;
    } else {
        rc = rc < 0 ? store_rows_error(r, err)
                    : nqi_error_set(err, NQI_ENOTFOUND, "standard %lld vanished", (long long)id);
    }
    store_rows_close(r);
    return rc;
}

static bool has_str(json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));
    return s && *s;
}

/* The import row for item o. */
static int item_row(store_conn *c, json_t *o, const item *it, const char *issued_on,
                    const char *issuer, json_t **out, nqi_error *err)
{
    json_t *row = NULL;
    int rc = 0;
    if (it->existing) {
        rc = stored_row(c, it->existing, &row, err);
        if (rc)
            return rc;
    } else {
        row = json_object();
        json_object_set_new(row, "number", json_string(json_string_value(
                                               json_object_get(o, "number"))));
        for (int i = 0; i < NCAT; i++)
            json_object_set_new(row, cat_fields[i], json_null());
    }
    for (int i = 0; i < NCAT; i++)
        if (has_str(o, cat_fields[i]))
            json_object_set(row, cat_fields[i], json_object_get(o, cat_fields[i]));
    /* status: explicit, else kept for an edition whose dates do not move,
     * else derived by the import from the dates */
    bool dates = has_str(o, "implemented_on") || has_str(o, "withdrawn_on") || it->action == 2;
    if (!has_str(o, "status") && (!it->existing || dates))
        json_object_set_new(row, "status", json_null());
    if (it->action == 2) {
        if (!has_str(o, "withdrawn_on") && !has_str(row, "withdrawn_on"))
            json_object_set_new(row, "withdrawn_on", json_string(issued_on));
    } else {
        if (!has_str(row, "issued_on"))
            json_object_set_new(row, "issued_on", json_string(issued_on));
        if (!has_str(row, "issuer"))
            json_object_set_new(row, "issuer", json_string(issuer));
    }
    char *s = NULL;
    join_list(json_object_get(o, "replaces"), &s);
    if (s)
        json_object_set_new(row, "replaces", json_string(s));
    free(s);
    join_list(json_object_get(o, "amendments"), &s);
    if (s)
        json_object_set_new(row, "amendments", json_string(s));
    free(s);
    *out = row;
    return 0;
}

/* Copy the import's row errors to err as items/<row-1>/<field>. */
static void import_errors(const std_import_report *rep, nqi_error *err)
{
    nqi_error_clear(err);
    for (size_t i = 0; i < rep->nerrors; i++) {
        char f[96];
        const std_import_error *e = &rep->errors[i];
        if (e->row > 0)
            snprintf(f, sizeof f, "items/%lld/%s", (long long)(e->row - 1), e->field);
        else
            snprintf(f, sizeof f, "items");
        nqi_error_field(err, NQI_EINVAL, f, "%s", e->message);
    }
    if (rep->nerrors > NQI_ERR_MAX_FIELDS)
        snprintf(err->message, sizeof err->message, "%zu item errors: nothing applied",
                 rep->nerrors);
}

static int check_head(json_t *body, const char **issuer, const char **no, char issued[11],
                      const char **title, const char **url, json_t **items, nqi_error *err)
{
    static const char *const allowed[] = {"issuer", "notice_no", "issued_on", "title",
                                          "url",    "items",     NULL};
    const char *d = NULL;
    json_check_fields(body, allowed, err);
    json_get_str(body, "issuer", true, 100, issuer, err);
    json_get_str(body, "notice_no", true, 64, no, err);
    json_get_str(body, "title", true, 300, title, err);
    if (!json_get_str(body, "url", false, 500, url, err) && *url && **url &&
        strncmp(*url, "http://", 7) && strncmp(*url, "https://", 8))
        nqi_error_field(err, NQI_EINVAL, "url", "must be an http:// or https:// link");
    if (!json_get_str(body, "issued_on", true, 32, &d, err) && d &&
        standards_date_parse(d, issued))
        nqi_error_field(err, NQI_EINVAL, "issued_on", "'%s' is not a date (YYYY-MM-DD)", d);
    *items = json_object_get(body, "items");
    if (!json_is_array(*items) || !json_array_size(*items))
        nqi_error_field(err, NQI_EINVAL, "items", "a non-empty array of items is required");
    else if (json_array_size(*items) > NOTICE_ITEMS_MAX)
        nqi_error_field(err, NQI_EINVAL, "items", "at most %d items", NOTICE_ITEMS_MAX);
    if (*issuer && !**issuer)
        nqi_error_field(err, NQI_EINVAL, "issuer", "required");
    if (*no && !**no)
        nqi_error_field(err, NQI_EINVAL, "notice_no", "required");
    if (*title && !**title)
        nqi_error_field(err, NQI_EINVAL, "title", "required");
    return err->code;
}

static int insert_items(store_conn *c, int64_t id, json_t *items, const item *its,
                        nqi_error *err)
{
    static const char ins[] = "INSERT INTO notice_items (notice_id, seq, action, number, "
                              "title_zh, item) VALUES (?, ?, ?, ?, ?, ?)";
    int rc = 0;
    for (size_t i = 0; !rc && i < json_array_size(items); i++) {
        standards_record rec;
        rc = standards_lookup(c, &its[i].num, NULL, &rec, err);
        if (rc)
            break;
        char *js = json_dump_compact(json_array_get(items, i));
        store_val p[] = {SV_INT(id),
                         SV_INT((int64_t)i),
                         SV_TEXT(actions[its[i].action]),
                         SV_TEXT(rec.number),
                         SV_TEXT(rec.title_zh),
                         SV_TEXT(js)};
        rc = store_exec(c, ins, p, 6, NULL, err);
        free(js);
        standards_record_free(&rec);
    }
    return rc;
}

int notices_create(store_conn *c, const http_principal *actor, json_t *body, json_t **out,
                   nqi_error *err)
{
    static const char ins[] =
        "INSERT INTO notices (issuer, notice_no, issued_on, title, url, published, replaced, "
        "withdrawn, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id";
    const char *issuer = NULL, *no = NULL, *title = NULL, *url = NULL;
    char issued[11] = "";
    json_t *items = NULL, *rows = NULL;
    item *its = NULL;
    int64_t id = 0, events = 0, cnt[3] = {0, 0, 0};
    std_import_report rep = {0};
    *out = NULL;
    if (check_head(body, &issuer, &no, issued, &title, &url, &items, err))
        return err->code;
    bool own = !store_in_tx(c);
    int rc = own ? store_begin(c, true, err) : 0;
    /* one catalogue writer at a time (PostgreSQL; SQLite already is) */
    if (!rc)
        rc = store_tx_lock(c, "standards.import", err);
    int64_t dup = 0;
    nqi_error e = {0};
    if (!rc) {
        int q = store_query_int(c, "SELECT id FROM notices WHERE issuer = ? AND notice_no = ?",
                                (store_val[]){SV_TEXT(issuer), SV_TEXT(no)}, 2, &dup, &e);
        if (!q)
            rc = nqi_error_set(err, NQI_ECONFLICT, "notice %s of %s exists already (id %lld)",
                               no, issuer, (long long)dup);
        else if (q != NQI_ENOTFOUND)
            rc = q, *err = e;
    }
    size_t n = json_array_size(items);
    if (!rc) {
        its = xcalloc(n, sizeof *its);
        for (size_t i = 0; i < n; i++) {
            item_check(c, json_array_get(items, i), i, &its[i], err);
            if (its[i].action >= 0)
                cnt[its[i].action]++;
        }
        rc = err->code;
    }
    if (!rc) {
        rows = json_array();
        for (size_t i = 0; !rc && i < n; i++) {
            json_t *row = NULL;
            rc = item_row(c, json_array_get(items, i), &its[i], issued, issuer, &row, err);
            if (!rc)
                json_array_append_new(rows, row);
        }
    }
    char creator[80];
    if (actor->username[0])
        snprintf(creator, sizeof creator, "%s", actor->username);
    else
        snprintf(creator, sizeof creator, "token:%lld", (long long)actor->token_id);
    if (!rc) {
        store_val p[] = {SV_TEXT(issuer), SV_TEXT(no),     SV_TEXT(issued),  SV_TEXT(title),
                         SV_TEXT(url && *url ? url : NULL), SV_INT(cnt[0]), SV_INT(cnt[1]),
                         SV_INT(cnt[2]),  SV_TEXT(creator), SV_INT(now_ms())};
        rc = store_query_int(c, ins, p, 10, &id, err);
    }
    if (!rc) {
        char *data = json_dump_compact(rows);
        char source[40];
        snprintf(source, sizeof source, "notice:%lld", (long long)id);
        std_import_opts opts = {.source = source};
        rc = standards_import(c, actor, data, strlen(data), STD_FMT_JSON, &opts, &rep, err);
        if (rc && rep.nerrors)
            import_errors(&rep, err);
        free(data);
    }
    if (!rc)
        rc = insert_items(c, id, items, its, err);
    json_t *counts = json_pack("{s:I, s:I, s:I}", "publish", (json_int_t)cnt[0], "replace",
                               (json_int_t)cnt[1], "withdraw", (json_int_t)cnt[2]);
    if (!rc) {
        char ids[24];
        snprintf(ids, sizeof ids, "%lld", (long long)id);
        json_t *after = json_pack("{s:I, s:s, s:s, s:s, s:s, s:O}", "id", (json_int_t)id,
                                  "issuer", issuer, "notice_no", no, "issued_on", issued, "title",
                                  title, "counts", counts);
        rc = audit_record(c, actor, "notices.create", "notice", ids, NULL, after, err);
        json_decref(after);
    }
    if (!rc)
        rc = tracking_fanout(c, &events, err);
    rc = store_tx_end(c, own, rc, err);
    if (!rc)
        *out = json_pack("{s:I, s:s, s:s, s:s, s:s, s:O, s:I, s:I, s:I, s:I}", "id",
                         (json_int_t)id, "issuer", issuer, "notice_no", no, "issued_on", issued,
                         "title", title, "counts", counts, "inserted", (json_int_t)rep.inserted,
                         "updated", (json_int_t)rep.updated, "unchanged",
                         (json_int_t)rep.unchanged, "events", (json_int_t)events);
    json_decref(counts);
    json_decref(rows);
    free(its);
    standards_import_report_free(&rep);
    return rc;
}

/* ---------------------------------------------------------------- reading */

#define NOTICE_COLS                                                                            \
    "id, issuer, notice_no, issued_on, title, url, published, replaced, withdrawn, "          \
    "created_by, created_at"

static json_t *notice_json(store_rows *r)
{
    char t[32], link[40];
    int64_t id = store_int(r, 0);
    snprintf(link, sizeof link, "/notices/%lld", (long long)id);
    return json_pack("{s:I, s:s, s:s, s:s, s:s, s:s?, s:{s:I, s:I, s:I}, s:s, s:s, s:s}", "id",
                     (json_int_t)id, "issuer", store_text(r, 1), "notice_no", store_text(r, 2),
                     "issued_on", store_text(r, 3), "title", store_text(r, 4), "url",
                     store_text(r, 5), "counts", "publish", (json_int_t)store_int(r, 6),
                     "replace", (json_int_t)store_int(r, 7), "withdraw",
                     (json_int_t)store_int(r, 8), "created_by", store_text(r, 9), "created_at",
                     time_iso8601(store_int(r, 10), t, sizeof t), "link", link);
}

static json_t *notice_row(store_rows *r, void *ctx)
{
    return notice_json(r);
}

int notices_list(store_conn *c, int64_t limit, int64_t cursor, json_t **out, nqi_error *err)
{
    static const char sql[] = "SELECT " NOTICE_COLS " FROM notices WHERE (? = 0 OR id < ?) "
                              "ORDER BY id DESC LIMIT ?";
    store_rows *r;
    *out = NULL;
    int rc = store_query(c, sql, (store_val[]){SV_INT(cursor), SV_INT(cursor), SV_INT(limit + 1)},
                         3, &r, err);
    return rc ? rc : store_page_json(r, limit, notice_row, NULL, out, err);
}

int notices_get(store_conn *c, int64_t id, json_t **out, nqi_error *err)
{
    static const char sql[] = "SELECT " NOTICE_COLS " FROM notices WHERE id = ?";
    static const char sql_items[] = "SELECT seq, action, number, title_zh, item FROM "
                                    "notice_items WHERE notice_id = ? ORDER BY seq";
    store_rows *r;
    *out = NULL;
    int rc = store_query(c, sql, (store_val[]){SV_INT(id)}, 1, &r, err);
    if (rc)
        return rc;
    json_t *o = NULL;
    rc = store_next(r);
    if (rc == 1)
        o = notice_json(r);
    rc = rc < 0 ? store_rows_error(r, err) : 0;
    store_rows_close(r);
    if (!rc && !o)
        rc = nqi_error_set(err, NQI_ENOTFOUND, "notice %lld not found", (long long)id);
    if (rc)
        return rc;
    rc = store_query(c, sql_items, (store_val[]){SV_INT(id)}, 1, &r, err);
    if (rc) {
        json_decref(o);
        return rc;
    }
    json_t *items = json_array();
    while ((rc = store_next(r)) == 1) {
        json_t *it = json_loads(store_text(r, 4), 0, NULL);
        if (!json_is_object(it)) {
            json_decref(it);
            it = json_object();
        }
        json_object_set_new(it, "seq", json_integer(store_int(r, 0)));
        json_object_set_new(it, "action", json_string(store_text(r, 1)));
        json_object_set_new(it, "number", json_string(store_text(r, 2)));
        const char *t = store_text(r, 3);
        json_object_set_new(it, "title_zh", t ? json_string(t) : json_null());
        json_array_append_new(items, it);
    }
    rc = rc < 0 ? store_rows_error(r, err) : 0;
    store_rows_close(r);
    if (rc) {
        json_decref(o);
        json_decref(items);
        return rc;
    }
    json_object_set_new(o, "items", items);
    *out = o;
    return 0;
}
