/*
 * query.c — the EPCIS 2.0 query (SimpleEventQuery) compiled to one
 * parameterised SELECT over epcis_events, with every identifier condition a
 * semi-join on epcis_event_ids (index (ident, role)), keyset paging and the
 * output in the client's GS1-EPC-Format.
 *
 * Parameter values are never spliced into SQL: each becomes a bound
 * parameter; only fixed fragments chosen by parameter name are appended.
 * Identifier values are canonicalised with trace/gs1 exactly as capture
 * stores them, so a query by EPC URN finds events captured with Digital Link.
 * Patterns (urn:epc:idpat:…) and a GTIN without lot/serial become prefix
 * ranges over the canonical Digital Link (ident >= p AND ident < p'), which
 * the (ident, role) index answers.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/json.h"
#include "core/util.h"
#include "trace/gs1.h"
#include "trace/query.h"

#define QUERY_MAX_PARAMS 512
#define PER_PAGE_DEFAULT 100
#define PER_PAGE_MAX 1000

struct epcis_query {
    buf where;
    store_val p[QUERY_MAX_PARAMS];
    char *owned[QUERY_MAX_PARAMS];
    int np, nowned;
    int order; /* 0 = row order (capture), 1 = eventTime, 2 = recordTime */
    bool desc, paging;
    int64_t per_page, count_limit, max_count;
    bool token;
    int64_t tok_n, tok_sort, tok_id;
    epcis_ext *ext; /* conditions on the stored document (query_ext.c) */
};

/* ---------------------------------------------------------------- visibility */

trace_vis trace_vis_of(const http_principal *p)
{
    trace_vis v = {0};
    if (p->role & ROLES_STAFF)
        v.all = true;
    else if (p->role == ROLE_ENTERPRISE && p->credit_code[0])
        v.org = p->credit_code;
    else
        v.public_only = true;
    return v;
}

/* ---------------------------------------------------------------- formats */

int epc_format_parse(const char *h)
{
    if (!h || !*h || !strcmp(h, "Always_GS1_Digital_Link"))
        return EPC_FMT_DL;
    if (!strcmp(h, "Always_EPC_URN"))
        return EPC_FMT_URN;
    if (!strcmp(h, "No_Preference"))
        return EPC_FMT_ANY;
    return -1;
}

const char *epc_format_name(epc_format f)
{
    return f == EPC_FMT_URN ? "Always_EPC_URN"
           : f == EPC_FMT_ANY ? "No_Preference"
                              : "Always_GS1_Digital_Link";
}

void cbv_bare(const char *v, char *out, size_t n)
{
    static const char *const urn[] = {"urn:epcglobal:cbv:bizstep:", "urn:epcglobal:cbv:disp:",
                                      "urn:epcglobal:cbv:er:", "urn:epcglobal:cbv:sdt:",
                                      "urn:epcglobal:cbv:btt:"};
    static const char *const web[] = {"BizStep-", "Disp-", "ER-", "SDT-", "BTT-"};
    const char *s = v;
    for (size_t i = 0; i < sizeof urn / sizeof urn[0]; i++) {
        size_t l = strlen(urn[i]);
        if (!strncmp(v, urn[i], l))
            s = v + l;
    }
    if (!strncmp(v, "https://ns.gs1.org/cbv/", 23))
        for (size_t i = 0; i < sizeof web / sizeof web[0]; i++) {
            size_t l = strlen(web[i]);
            if (!strncmp(v + 23, web[i], l))
                s = v + 23 + l;
        }
    snprintf(out, n, "%s", s);
}

int trace_canon(const char *in, const char *field, char *out, size_t n, nqi_error *err)
{
    nqi_error e = {0};
    gs1_id id;
    if (!gs1_parse(in, strlen(in), &id, &e)) {
        snprintf(out, n, "%s", id.canonical);
        return 0;
    }
    /* Not a GS1 / nqi identifier at all (another URN namespace, a web URI
     * that is no Digital Link): EPCIS allows any URI, kept as given. An EPC
     * URN or a recognisable key with a wrong part is an error. */
    const char *f = e.nfields ? e.fields[0].field : "id";
    bool ours = !strncasecmp(in, "urn:epc:", 8) || !strncasecmp(in, "urn:nqi:", 8);
    bool shape = !strcmp(f, "id") || !strcmp(f, "urn") || !strcmp(f, "path") ||
                 !strcmp(f, "element_string");
    if (!ours && shape && strlen(in) < n && *in) {
        snprintf(out, n, "%s", in);
        return 0;
    }
    return nqi_error_field(err, NQI_EBADREQ, field, "%s", e.message);
}

char *trace_id_format(const char *canonical, epc_format fmt)
{
    gs1_id id;
    nqi_error e = {0};
    char out[GS1_CANON_MAX * 2];
    if (fmt == EPC_FMT_ANY || gs1_parse(canonical, strlen(canonical), &id, &e))
        return xstrdup(canonical);
    if (fmt == EPC_FMT_URN && !gs1_to_urn(&id, 0, out, sizeof out, &e))
        return xstrdup(out);
    return xstrdup(id.canonical);
}

char *trace_time_local(int64_t ms, const char *tz, char *buf, size_t n)
{
    int sign = 0, oh = 0, om = 0;
    if (tz && (tz[0] == '+' || tz[0] == '-') && sscanf(tz + 1, "%2d:%2d", &oh, &om) == 2)
        sign = tz[0] == '-' ? -1 : 1;
    int64_t off = sign * ((int64_t)oh * 3600000 + (int64_t)om * 60000);
    time_iso8601(ms + off, buf, n);
    size_t l = strlen(buf);
    if (sign && l > 0)
        snprintf(buf + l - 1, n - (l - 1), "%s", tz); /* replace the Z */
    return buf;
}

/* ---------------------------------------------------------------- output */

/* Rewrite obj[key] (a string) in fmt. */
static void fmt_key(json_t *obj, const char *key, epc_format fmt)
{
    const char *s = json_string_value(json_object_get(obj, key));
    if (!s)
        return;
    char *v = trace_id_format(s, fmt);
    json_object_set_new(obj, key, json_string(v));
    free(v);
}

/* Rewrite every string of array obj[key], or obj[key][i][sub] when sub. */
static void fmt_list(json_t *obj, const char *key, const char *sub, epc_format fmt)
{
    json_t *a = json_object_get(obj, key), *v;
    size_t i;
    json_array_foreach(a, i, v)
    {
        if (sub) {
            fmt_key(v, sub, fmt);
        } else if (json_is_string(v)) {
            char *s = trace_id_format(json_string_value(v), fmt);
            json_array_set_new(a, i, json_string(s));
            free(s);
        }
    }
}

json_t *epcis_event_out(const char *doc, int64_t record_time, epc_format fmt)
{
    json_t *ev = json_loads(doc, 0, NULL);
    if (!json_is_object(ev)) {
        json_decref(ev);
        return NULL;
    }
    if (!json_object_get(ev, "recordTime")) {
        char t[32];
        json_object_set_new(ev, "recordTime", json_string(time_iso8601(record_time, t, sizeof t)));
    }
    if (fmt == EPC_FMT_ANY)
        return ev;
    static const char *const lists[] = {"epcList", "childEPCs", "inputEPCList", "outputEPCList"};
    for (size_t i = 0; i < sizeof lists / sizeof lists[0]; i++)
        fmt_list(ev, lists[i], NULL, fmt);
    static const char *const qlists[] = {"quantityList", "childQuantityList",
                                         "inputQuantityList", "outputQuantityList"};
    for (size_t i = 0; i < sizeof qlists / sizeof qlists[0]; i++)
        fmt_list(ev, qlists[i], "epcClass", fmt);
    fmt_key(ev, "parentID", fmt);
    fmt_key(json_object_get(ev, "readPoint"), "id", fmt);
    fmt_key(json_object_get(ev, "bizLocation"), "id", fmt);
    fmt_list(ev, "sourceList", "source", fmt);
    fmt_list(ev, "destinationList", "destination", fmt);
    return ev;
}

json_t *epcis_query_document(const char *query_name, const char *subscription_id,
                             json_t *events)
{
    char t[32];
    json_t *qr = json_pack("{s:s, s:{s:o}}", "queryName", query_name ? query_name : "SimpleEventQuery",
                           "resultsBody", "eventList", events);
    if (subscription_id)
        json_object_set_new(qr, "subscriptionID", json_string(subscription_id));
    return json_pack("{s:[s], s:s, s:s, s:s, s:{s:o}}", "@context",
                     "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", "type",
                     "EPCISQueryDocument", "schemaVersion", "2.0", "creationDate",
                     time_iso8601(now_ms(), t, sizeof t), "epcisBody", "queryResults", qr);
}

/* ---------------------------------------------------------------- compiling */

static int bind_text(epcis_query *q, const char *s)
{
    if (q->np >= QUERY_MAX_PARAMS || q->nowned >= QUERY_MAX_PARAMS)
        return -1;
    char *c = xstrdup(s);
    q->owned[q->nowned++] = c;
    q->p[q->np++] = SV_TEXT(c);
    return 0;
}

static int bind_int(epcis_query *q, int64_t v)
{
    if (q->np >= QUERY_MAX_PARAMS)
        return -1;
    q->p[q->np++] = SV_INT(v);
    return 0;
}

static int too_many(const char *name, nqi_error *err)
{
    return nqi_error_field(err, NQI_EBADREQ, name, "too many values in this query");
}

/* Split a '|' list into values; calls fn for each non-empty one. */
typedef int (*value_fn)(epcis_query *q, const char *name, const char *v, void *ctx,
                        nqi_error *err);

static int each_value(epcis_query *q, const char *name, const char *list, value_fn fn, void *ctx,
                      nqi_error *err)
{
    const char *p = list;
    int n = 0;
    while (*p) {
        size_t l = strcspn(p, "|");
        if (l) {
            char *v = xstrndup(p, l);
            int rc = fn(q, name, v, ctx, err);
            free(v);
            if (rc)
                return rc;
            n++;
        }
        p += l;
        if (*p == '|')
            p++;
    }
    if (!n)
        return nqi_error_field(err, NQI_EBADREQ, name, "needs at least one value");
    return 0;
}

/* "col IN (?, ?, …)" over transformed values. */
typedef enum { V_PLAIN, V_CBV, V_ID } vkind;

static int in_value(epcis_query *q, const char *name, const char *v, void *ctx, nqi_error *err)
{
    vkind k = *(vkind *)ctx;
    char out[GS1_INPUT_MAX + 1];
    if (k == V_CBV)
        cbv_bare(v, out, sizeof out);
    else if (k == V_ID) {
        if (trace_canon(v, name, out, sizeof out, err))
            return err->code;
    } else
        snprintf(out, sizeof out, "%s", v);
    buf_puts(&q->where, q->where.data[q->where.len - 1] == '(' ? "?" : ", ?");
    return bind_text(q, out) ? too_many(name, err) : 0;
}

static int cond_in(epcis_query *q, const char *name, const char *col, const char *list, vkind k,
                   nqi_error *err)
{
    buf_printf(&q->where, " AND %s IN (", col);
    int rc = each_value(q, name, list, in_value, &k, err);
    buf_puts(&q->where, ")");
    return rc;
}

/* Upper bound of the prefix range: the prefix with its last byte + 1. */
static void range(epcis_query *q, const char *prefix)
{
    char *hi = xstrdup(prefix);
    hi[strlen(hi) - 1]++;
    buf_puts(&q->where, "(i.ident >= ? AND i.ident < ?)");
    bind_text(q, prefix);
    bind_text(q, hi);
    free(hi);
}

/* One identifier or pattern of a MATCH_ parameter, as an OR term. */
static int match_value(epcis_query *q, const char *name, const char *v, void *ctx,
                       nqi_error *err)
{
    int *first = ctx;
    char canon[GS1_INPUT_MAX + 1];
    if (trace_canon(v, name, canon, sizeof canon, err))
        return err->code;
    if (q->np + 20 >= QUERY_MAX_PARAMS)
        return too_many(name, err);
    buf_puts(&q->where, *first ? "" : " OR ");
    *first = 0;
    gs1_id id;
    nqi_error e = {0};
    bool parsed = !gs1_parse(canon, strlen(canon), &id, &e);
    if (parsed && id.kind == GS1_KIND_GTIN && !id.lot[0] && !id.serial[0] && !id.cpv[0]) {
        /* a GTIN alone: the class itself and every lot / serial of it */
        char pre[sizeof canon + 2];
        snprintf(pre, sizeof pre, "%s/", canon);
        buf_puts(&q->where, "i.ident = ? OR ");
        bind_text(q, canon);
        range(q, pre);
        return 0;
    }
    if (parsed && id.kind == GS1_KIND_PATTERN) {
        /* urn:epc:idpat:<scheme>:CP.*… — every key of that company prefix */
        static const struct {
            const char *scheme, *dl;
            bool lead; /* a leading indicator / extension digit precedes CP */
        } pats[] = {{"sgtin", "01/", true},      {"lgtin", "01/", true},
                    {"sscc", "00/", true},       {"sgln", "414/", false},
                    {"pgln", "417/", false},     {"grai", "8003/0", false},
                    {"giai", "8004/", false},    {"gsrn", "8018/", false}};
        const char *sch = canon + strlen("urn:epc:idpat:");
        for (size_t i = 0; i < sizeof pats / sizeof pats[0]; i++) {
            size_t l = strlen(pats[i].scheme);
            if (strncmp(sch, pats[i].scheme, l) || sch[l] != ':')
                continue;
            char pre[GS1_INPUT_MAX + 64];
            buf_puts(&q->where, "(");
            for (int d = 0; d < (pats[i].lead && id.key[0] ? 10 : 1); d++) {
                if (d)
                    buf_puts(&q->where, " OR ");
                if (pats[i].lead && id.key[0])
                    snprintf(pre, sizeof pre, "https://id.gs1.org/%s%d%s", pats[i].dl, d, id.key);
                else
                    snprintf(pre, sizeof pre, "https://id.gs1.org/%s%s", pats[i].dl, id.key);
                range(q, pre);
            }
            buf_puts(&q->where, ")");
            return 0;
        }
        return nqi_error_field(err, NQI_EBADREQ, name, "pattern %s is not supported", v);
    }
    buf_puts(&q->where, "i.ident = ?");
    bind_text(q, canon);
    return 0;
}

/* e.id IN (SELECT i.event FROM epcis_event_ids i WHERE role IN … AND (…)) */
static int cond_match(epcis_query *q, const char *name, const char *roles, int is_class,
                      const char *list, nqi_error *err)
{
    buf_printf(&q->where,
               " AND e.id IN (SELECT i.event FROM epcis_event_ids i WHERE i.role IN (%s)%s AND (",
               roles, is_class < 0 ? "" : is_class ? " AND i.is_class = 1" : " AND i.is_class = 0");
    int first = 1;
    int rc = each_value(q, name, list, match_value, &first, err);
    buf_puts(&q->where, "))");
    return rc;
}

static int cond_time(epcis_query *q, const char *name, const char *col, const char *op,
                     const char *v, nqi_error *err)
{
    int64_t ms;
    if (time_parse_iso8601(v, &ms))
        return nqi_error_field(err, NQI_EBADREQ, name,
                               "an ISO 8601 date-time with offset, e.g. 2026-10-01T08:00:00+08:00");
    buf_printf(&q->where, " AND %s %s ?", col, op);
    return bind_int(q, ms) ? too_many(name, err) : 0;
}

/* A class entry with that quantity; uom (EQ_quantity_KGM) also its unit. */
static int cond_quantity(epcis_query *q, const char *name, const char *op, const char *uom,
                         const char *v, nqi_error *err)
{
    char *end;
    double d = strtod(v, &end);
    if (!*v || *end)
        return nqi_error_field(err, NQI_EBADREQ, name, "a number");
    if (uom && (strlen(uom) < 2 || strlen(uom) > 4 ||
                strspn(uom, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") != strlen(uom)))
        return nqi_error_field(err, NQI_EBADREQ, name,
                               "the unit is a UN/ECE Rec 20 code such as KGM");
    buf_printf(&q->where,
               " AND EXISTS (SELECT 1 FROM epcis_event_ids qn WHERE qn.event = e.id AND "
               "qn.is_class = 1 AND qn.quantity %s ?%s)",
               op, uom ? " AND qn.uom = ?" : "");
    if (q->np + 2 >= QUERY_MAX_PARAMS)
        return too_many(name, err);
    q->p[q->np++] = SV_REAL(d);
    return uom ? bind_text(q, uom) : 0;
}

static int check_enum(epcis_query *q, const char *name, const char *v, void *ctx, nqi_error *err)
{
    for (const char *const *a = ctx; *a; a++)
        if (!strcmp(v, *a))
            return 0;
    return nqi_error_field(err, NQI_EBADREQ, name, "'%s' is not one of the allowed values", v);
}

static int corrective_value(epcis_query *q, const char *name, const char *v, void *ctx,
                            nqi_error *err)
{
    buf b;
    buf_init(&b, 0);
    buf_puts(&b, "%\"");
    for (const char *p = v; *p; p++) {
        if (*p == '%' || *p == '_' || *p == '\\')
            buf_puts(&b, "\\");
        buf_append(&b, p, 1);
    }
    buf_puts(&b, "\"%");
    buf_puts(&q->where, q->where.data[q->where.len - 1] == '(' ? "" : " OR ");
    buf_puts(&q->where, "e.corrective_ids LIKE ? ESCAPE '\\'");
    int rc = bind_text(q, b.data);
    buf_free(&b);
    return rc ? too_many(name, err) : 0;
}

static int int_param(const char *name, const char *v, int64_t min, int64_t max, int64_t *out,
                     nqi_error *err)
{
    if (!str_to_i64(v, out) || *out < min || *out > max)
        return nqi_error_field(err, NQI_EBADREQ, name, "an integer %lld-%lld", (long long)min,
                               (long long)max);
    return 0;
}

/* nextPageToken: "<returned>.<sort value>.<row id>" (decimal). */
static int parse_token(epcis_query *q, const char *v, nqi_error *err)
{
    long long n, s, id;
    int used = 0;
    if (sscanf(v, "%lld.%lld.%lld%n", &n, &s, &id, &used) != 3 || v[used] || n < 0 || id < 0)
        return nqi_error_field(err, NQI_EBADREQ, "nextPageToken",
                               "not a token this server issued");
    q->token = true;
    q->tok_n = n;
    q->tok_sort = s;
    q->tok_id = id;
    return 0;
}

static const char *const event_types[] = {"ObjectEvent", "AggregationEvent", "TransactionEvent",
                                          "TransformationEvent", "AssociationEvent", NULL};
static const char *const actions[] = {"ADD", "OBSERVE", "DELETE", NULL};

static bool prefixed(const char *name, const char *pre, const char **rest)
{
    size_t l = strlen(pre);
    if (strncmp(name, pre, l) || !name[l])
        return false;
    *rest = name + l;
    return true;
}

/* One parameter. */
static int compile_one(epcis_query *q, const char *n, const char *v, nqi_error *err)
{
    static const struct {
        const char *name, *roles;
        int is_class;
    } matches[] = {
        {"MATCH_epc", "'epc', 'child'", 0},
        {"MATCH_parentID", "'parent'", -1},
        {"MATCH_inputEPC", "'input'", 0},
        {"MATCH_outputEPC", "'output'", 0},
        {"MATCH_anyEPC", "'epc', 'child', 'parent', 'input', 'output'", 0},
        {"MATCH_epcClass", "'epc', 'child'", 1},
        {"MATCH_inputEPCClass", "'input'", 1},
        {"MATCH_outputEPCClass", "'output'", 1},
        {"MATCH_anyEPCClass", "'epc', 'child', 'input', 'output'", 1},
    };
    static const struct {
        const char *name, *col, *op;
    } times[] = {
        {"GE_eventTime", "e.event_time", ">="},
        {"LT_eventTime", "e.event_time", "<"},
        {"GE_recordTime", "e.record_time", ">="},
        {"LT_recordTime", "e.record_time", "<"},
        {"GE_errorDeclarationTime", "e.error_declared_at", ">="},
        {"LT_errorDeclarationTime", "e.error_declared_at", "<"},
    };
    static const struct {
        const char *name, *op;
    } qty[] = {{"EQ_quantity", "="}, {"GT_quantity", ">"}, {"GE_quantity", ">="},
               {"LT_quantity", "<"}, {"LE_quantity", "<="}};
    const char *rest;
    for (size_t i = 0; i < sizeof matches / sizeof matches[0]; i++)
        if (!strcmp(n, matches[i].name))
            return cond_match(q, n, matches[i].roles, matches[i].is_class, v, err);
    for (size_t i = 0; i < sizeof times / sizeof times[0]; i++)
        if (!strcmp(n, times[i].name))
            return cond_time(q, n, times[i].col, times[i].op, v, err);
    for (size_t i = 0; i < sizeof qty / sizeof qty[0]; i++)
        if (!strcmp(n, qty[i].name) || (prefixed(n, qty[i].name, &rest) && rest[0] == '_'))
            return cond_quantity(q, n, qty[i].op, strcmp(n, qty[i].name) ? rest + 1 : NULL, v,
                                 err);
    if (!strcmp(n, "eventType"))
        return each_value(q, n, v, check_enum, (void *)event_types, err)
                   ? err->code
                   : cond_in(q, n, "e.event_type", v, V_PLAIN, err);
    if (!strcmp(n, "EQ_action"))
        return each_value(q, n, v, check_enum, (void *)actions, err)
                   ? err->code
                   : cond_in(q, n, "e.action", v, V_PLAIN, err);
    if (!strcmp(n, "EQ_bizStep"))
        return cond_in(q, n, "e.biz_step", v, V_CBV, err);
    if (!strcmp(n, "EQ_disposition"))
        return cond_in(q, n, "e.disposition", v, V_CBV, err);
    if (!strcmp(n, "EQ_errorReason"))
        return cond_in(q, n, "e.error_reason", v, V_CBV, err);
    if (!strcmp(n, "EQ_readPoint"))
        return cond_in(q, n, "e.read_point", v, V_ID, err);
    if (!strcmp(n, "EQ_bizLocation"))
        return cond_in(q, n, "e.biz_location", v, V_ID, err);
    if (!strcmp(n, "WD_readPoint") || !strcmp(n, "WD_bizLocation")) {
        /* No location master data: a location's descendants are its
         * sub-locations by GLN extension (414/G/254/x under 414/G). */
        const char *col = n[3] == 'r' ? "e.read_point" : "e.biz_location";
        buf_printf(&q->where, " AND (%s IN (", col);
        vkind k = V_ID;
        int rc = each_value(q, n, v, in_value, &k, err);
        buf_puts(&q->where, ")");
        for (const char *p = v; !rc && *p;) {
            size_t l = strcspn(p, "|");
            char *one = xstrndup(p, l), canon[GS1_INPUT_MAX + 1];
            if (l && !trace_canon(one, n, canon, sizeof canon, err)) {
                char pre[GS1_INPUT_MAX + 8];
                snprintf(pre, sizeof pre, "%s/254/", canon);
                buf_printf(&q->where, " OR (%s >= ? AND %s < ?)", col, col);
                char *hi = xstrdup(pre);
                hi[strlen(hi) - 1]++;
                rc = bind_text(q, pre) || bind_text(q, hi) ? too_many(n, err) : 0;
                free(hi);
            } else if (l) {
                rc = err->code;
            }
            free(one);
            p += l + (p[l] == '|');
        }
        buf_puts(&q->where, ")");
        return rc;
    }
    if (!strcmp(n, "EQ_transformationID"))
        return cond_in(q, n, "e.transformation_id", v, V_PLAIN, err);
    if (!strcmp(n, "EQ_eventID"))
        return cond_in(q, n, "e.event_id", v, V_PLAIN, err);
    if (!strcmp(n, "EXISTS_errorDeclaration")) {
        buf_puts(&q->where, " AND e.error_declared_at IS NOT NULL");
        return 0;
    }
    if (!strcmp(n, "EQ_correctiveEventID")) {
        buf_puts(&q->where, " AND (");
        int rc = each_value(q, n, v, corrective_value, NULL, err);
        buf_puts(&q->where, ")");
        return rc;
    }
    if (prefixed(n, "EQ_source_", &rest) || prefixed(n, "EQ_destination_", &rest) ||
        prefixed(n, "EQ_bizTransaction_", &rest)) {
        char role[128], type[96];
        cbv_bare(rest, type, sizeof type);
        snprintf(role, sizeof role, "%s:%s",
                 n[3] == 's' ? "source" : n[3] == 'd' ? "destination" : "biz_transaction", type);
        buf_puts(&q->where, " AND e.id IN (SELECT i.event FROM epcis_event_ids i WHERE i.role = ?");
        bind_text(q, role);
        buf_puts(&q->where, " AND i.ident IN (");
        vkind k = V_ID;
        int rc = each_value(q, n, v, in_value, &k, err);
        buf_puts(&q->where, "))");
        return rc;
    }
    if (!strcmp(n, "orderBy")) {
        if (!strcmp(v, "eventTime"))
            q->order = 1;
        else if (!strcmp(v, "recordTime"))
            q->order = 2;
        else
            return nqi_error_field(err, NQI_EBADREQ, n, "eventTime or recordTime");
        return 0;
    }
    if (!strcmp(n, "orderDirection")) {
        if (strcmp(v, "ASC") && strcmp(v, "DESC"))
            return nqi_error_field(err, NQI_EBADREQ, n, "ASC or DESC");
        q->desc = !strcmp(v, "DESC");
        return 0;
    }
    if (!strcmp(n, "eventCountLimit"))
        return int_param(n, v, 1, INT64_MAX, &q->count_limit, err);
    if (!strcmp(n, "maxEventCount"))
        return int_param(n, v, 1, INT64_MAX, &q->max_count, err);
    if (q->paging && !strcmp(n, "perPage"))
        return int_param(n, v, 1, PER_PAGE_MAX, &q->per_page, err);
    if (q->paging && !strcmp(n, "nextPageToken"))
        return parse_token(q, v, err);
    int xr = epcis_ext_compile(&q->ext, n, v, err);
    if (xr <= 0)
        return xr;
    if (strstr(n, "HASATTR_") || strstr(n, "EQ_ATTR_")) /* master data: none kept */
        return nqi_error_field(err, NQI_EBADREQ, n,
                               "this query parameter is not supported by this repository");
    return nqi_error_field(err, NQI_EBADREQ, n, "unknown query parameter");
}

int epcis_query_add(epcis_query *q, const char *name, const char *value, nqi_error *err)
{
    if (!value)
        value = "";
    return compile_one(q, name, value, err);
}

int epcis_query_compile(const epcis_param *params, int n, const trace_vis *vis, bool paging,
                        epcis_query **out, nqi_error *err)
{
    epcis_query *q = xcalloc(1, sizeof *q);
    buf_init(&q->where, 0);
    buf_puts(&q->where, "1 = 1");
    q->paging = paging;
    q->per_page = PER_PAGE_DEFAULT;
    q->desc = false;
    bool dir_given = false;
    if (vis->public_only) {
        buf_puts(&q->where, " AND e.public = 1");
    } else if (!vis->all) {
        buf_puts(&q->where, " AND (e.public = 1 OR e.owner_org = ?)");
        bind_text(q, vis->org ? vis->org : "");
    }
    int rc = 0;
    for (int i = 0; i < n; i++) {
        if (!strcmp(params[i].name, "orderDirection"))
            dir_given = true;
        if (compile_one(q, params[i].name, params[i].value ? params[i].value : "", err))
            rc = err->code;
    }
    /* EPCIS: orderDirection defaults to DESC when orderBy is given */
    if (!dir_given && q->order)
        q->desc = true;
    if (rc) {
        epcis_query_free(q);
        *out = NULL;
        return rc;
    }
    *out = q;
    return 0;
}

void epcis_query_free(epcis_query *q)
{
    if (!q)
        return;
    for (int i = 0; i < q->nowned; i++)
        free(q->owned[i]);
    buf_free(&q->where);
    epcis_ext_free(q->ext);
    free(q);
}

/* ---------------------------------------------------------------- running */

static const char *order_col(const epcis_query *q)
{
    return q->order == 1 ? "e.event_time" : q->order == 2 ? "e.record_time" : "e.id";
}

int epcis_query_run(store_conn *c, epcis_query *q, epc_format fmt, int64_t after_id,
                    json_t **events, char **next_token, int64_t *last_id, nqi_error *err)
{
    *events = NULL;
    if (next_token)
        *next_token = NULL;
    if (last_id)
        *last_id = 0;
    const char *xsql;
    const store_val *xp;
    int xn;
    epcis_ext_where(q->ext, store_kind(store_conn_store(c)), &xsql, &xp, &xn);
    store_val *p = xmalloc((size_t)(q->np + xn + 8) * sizeof *p);
    memcpy(p, q->p, (size_t)q->np * sizeof *p);
    if (xn)
        memcpy(p + q->np, xp, (size_t)xn * sizeof *p);
    int np = q->np + xn;
    if (q->max_count && !q->token && after_id < 0) {
        char *sql = xasprintf("SELECT COUNT(*) FROM epcis_events e WHERE %s%s", q->where.data, xsql);
        int64_t cnt = 0;
        int rc = store_query_int(c, sql, p, np, &cnt, err);
        free(sql);
        if (!rc && cnt > q->max_count)
            rc = nqi_error_field(err, NQI_ETOOBIG, "maxEventCount",
                                 "%lld events match, more than maxEventCount %lld",
                                 (long long)cnt, (long long)q->max_count);
        if (rc) {
            free(p);
            return rc;
        }
    }
    const char *col = order_col(q);
    bool desc = q->desc && after_id < 0;
    buf sql;
    buf_init(&sql, 0);
    buf_printf(&sql,
               "SELECT e.id, %s, e.record_time, e.doc FROM epcis_events e WHERE %s%s", col,
               q->where.data, xsql);
    if (after_id >= 0) {
        buf_puts(&sql, " AND e.id > ? ORDER BY e.id");
        p[np++] = SV_INT(after_id);
    } else {
        if (q->token) {
            const char *op = desc ? "<" : ">";
            if (q->order)
                buf_printf(&sql, " AND (%s %s ? OR (%s = ? AND e.id %s ?))", col, op, col, op);
            else
                buf_printf(&sql, " AND e.id %s ?", op);
            if (q->order) {
                p[np++] = SV_INT(q->tok_sort);
                p[np++] = SV_INT(q->tok_sort);
            }
            p[np++] = SV_INT(q->tok_id);
        }
        if (q->order)
            buf_printf(&sql, " ORDER BY %s %s, e.id %s", col, desc ? "DESC" : "ASC",
                       desc ? "DESC" : "ASC");
        else
            buf_printf(&sql, " ORDER BY e.id %s", desc ? "DESC" : "ASC");
    }
    int64_t done = q->token ? q->tok_n : 0, limit = q->per_page;
    if (q->count_limit && q->count_limit - done < limit)
        limit = q->count_limit - done;
    if (limit <= 0) {
        buf_free(&sql);
        free(p);
        *events = json_array();
        return 0;
    }
    buf_puts(&sql, " LIMIT ?");
    p[np++] = SV_INT(limit + 1);
    store_rows *r;
    int rc = store_query(c, sql.data, p, np, &r, err);
    buf_free(&sql);
    free(p);
    if (rc)
        return rc;
    json_t *arr = json_array();
    int64_t got = 0, lsort = 0, lid = 0;
    bool more = false;
    while ((rc = store_next(r)) == 1) {
        if (got == limit) {
            more = true;
            break;
        }
        json_t *ev = epcis_event_out(store_text(r, 3), store_int(r, 2), fmt);
        if (!ev) {
            rc = nqi_error_set(err, NQI_EINTERNAL, "stored event %lld is not JSON",
                               (long long)store_int(r, 0));
            break;
        }
        json_array_append_new(arr, ev);
        lid = store_int(r, 0);
        lsort = store_int(r, 1);
        got++;
    }
    rc = rc < 0 ? store_rows_error(r, err) : rc == 1 && !more ? rc : 0;
    store_rows_close(r);
    if (rc) {
        json_decref(arr);
        return rc;
    }
    if (q->count_limit && done + got >= q->count_limit)
        more = false; /* eventCountLimit reached: no next page */
    if (more && next_token)
        *next_token = xasprintf("%lld.%lld.%lld", (long long)(done + got), (long long)lsort,
                                (long long)lid);
    if (last_id)
        *last_id = lid;
    *events = arr;
    return 0;
}
