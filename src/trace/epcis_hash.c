/*
 * epcis_hash.c — the CBV 2.0 EPCIS event hash ID (CBV 2.0 §8.9; GS1's
 * reference implementation: github.com/RalphTro/epcis-event-hash-generator)
 * over a normalised event (epcis.h).
 *
 * The pre-hash string concatenates, without separators, "key=value" pairs
 * in the canonical property order: eventType, eventTime, eventTimeZoneOffset,
 * epcList, parentID, inputEPCList, childEPCs, quantityList,
 * childQuantityList, inputQuantityList, outputEPCList, outputQuantityList,
 * action, transformationID, bizStep, disposition, persistentDisposition,
 * readPoint, bizLocation, bizTransactionList, sourceList, destinationList,
 * sensorElementList, ilmd, user extensions. Inside a list the items are
 * sorted (byte order); a typed item writes its type first; CBV values are
 * written as https://ref.gs1.org/cbv/… URIs, EPCs as canonical Digital Link
 * (which is what the normalised event already holds), times in UTC with
 * milliseconds, numbers without trailing zeros. eventID, recordTime,
 * certificationInfo and errorDeclaration are not part of the hash (an error
 * declaration names the same event). Extension keys are written
 * "{namespace}local" and sorted, nested values concatenated.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <math.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "trace/epcis.h"
#include "trace/epcis_internal.h"

/* A list of malloc'd strings, sorted and appended as one run. */
typedef struct slist {
    char **v;
    size_t n, cap;
} slist;

static void sl_add(slist *l, char *s)
{
    if (l->n == l->cap)
        l->v = xrealloc(l->v, (l->cap = l->cap ? l->cap * 2 : 8) * sizeof *l->v);
    l->v[l->n++] = s;
}

static void sl_flush(slist *l, buf *b)
{
    if (l->n > 1)
        qsort(l->v, l->n, sizeof *l->v, epcis_strcmp_p);
    for (size_t i = 0; i < l->n; i++) {
        buf_puts(b, l->v[i]);
        free(l->v[i]);
    }
    free(l->v);
    memset(l, 0, sizeof *l);
}

static void put_number(buf *b, double d)
{
    char tmp[40];
    if (d == floor(d) && fabs(d) < 1e16) {
        snprintf(tmp, sizeof tmp, "%.0f", d);
    } else {
        for (int p = 1; p <= 17; p++) {
            snprintf(tmp, sizeof tmp, "%.*g", p, d);
            if (strtod(tmp, NULL) == d)
                break;
        }
    }
    buf_puts(b, tmp);
}

/* A scalar as the algorithm writes it. key decides whether a string is a
 * time (its name contains "time" but not "offset"). */
static void put_scalar(buf *b, const char *key, const json_t *v)
{
    if (json_is_integer(v)) {
        buf_printf(b, "%lld", (long long)json_integer_value(v));
        return;
    }
    if (json_is_real(v)) {
        put_number(b, json_real_value(v));
        return;
    }
    if (json_is_true(v) || json_is_false(v)) {
        buf_puts(b, json_is_true(v) ? "true" : "false");
        return;
    }
    const char *s = json_string_value(v);
    if (!s)
        return;
    while (isspace((unsigned char)*s))
        s++;
    size_t n = strlen(s);
    while (n && isspace((unsigned char)s[n - 1]))
        n--;
    char *t = xstrndup(s, n);
    char lk[64];
    snprintf(lk, sizeof lk, "%s", key ? key : "");
    for (char *p = lk; *p; p++)
        *p = (char)tolower((unsigned char)*p);
    int64_t ms;
    json_t *num = NULL, *id = NULL;
    char why[8];
    if (!strncmp(t, "https://id.gs1.org/", 19)) {
        buf_puts(b, t); /* already canonical: the normalised event holds it so */
    } else if (strstr(lk, "time") && !strstr(lk, "offset") && !epcis_time_parse(t, &ms)) {
        char tb[32];
        epcis_time_format(ms, tb);
        buf_puts(b, tb);
    } else if (json_is_string(v) && (num = epcis_norm_number((json_t *)v)) &&
               strspn(t, "+-0123456789.eE") == n) {
        put_scalar(b, NULL, num);
    } else if ((id = epcis_norm_id_value(t, why, sizeof why))) {
        buf_puts(b, json_string_value(id));
    } else {
        buf_puts(b, t);
    }
    json_decref(num);
    json_decref(id);
    free(t);
}

static void kv(buf *b, const char *key, const json_t *v)
{
    if (!v)
        return;
    buf_puts(b, key);
    buf_puts(b, "=");
    put_scalar(b, key, v);
}

/* A standard field whose normalised value is already what the algorithm
 * writes (times in UTC, canonical identifiers, validated codes): no
 * second canonicalisation. */
static void kv_raw(buf *b, const char *key, const json_t *v)
{
    if (json_is_string(v))
        buf_printf(b, "%s=%s", key, json_string_value(v));
    else
        kv(b, key, v);
}

/* A CBV value: bare names become their Web URI. */
static void kv_cbv(buf *b, const char *key, const json_t *v, const char *web)
{
    const char *s = json_string_value(v);
    if (!s)
        return;
    buf_printf(b, "%s=%s%s", key, strchr(s, ':') ? "" : web, s);
}

/* ---- extensions --------------------------------------------------------- */

typedef struct hctx {
    json_t *ns; /* prefix -> namespace */
} hctx;

static void ext_name(buf *b, const hctx *h, const char *key)
{
    const char *c = strchr(key, ':');
    if (c && c != key) {
        char pre[64];
        size_t pn = (size_t)(c - key);
        if (pn < sizeof pre) {
            memcpy(pre, key, pn);
            pre[pn] = '\0';
            const char *ns = epcis_ctx_ns(h->ns, pre);
            if (ns) {
                buf_printf(b, "{%s}%s", ns, c + 1);
                return;
            }
        }
    }
    buf_puts(b, key);
}

static void ext_items(slist *out, const hctx *h, const char *key, const json_t *v, int depth);

/* The items of an object's members, sorted, appended to b. */
static void ext_members(buf *b, const hctx *h, const json_t *obj, const char *const *skip,
                        int depth)
{
    slist l = {0};
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)obj, key, v)
    {
        bool sk = false;
        for (int i = 0; skip && skip[i] && !sk; i++)
            sk = !strcmp(skip[i], key);
        if (!sk)
            ext_items(&l, h, key, v, depth);
    }
    sl_flush(&l, b);
}

static void ext_items(slist *out, const hctx *h, const char *key, const json_t *v, int depth)
{
    if (depth > EPCIS_MAX_DEPTH)
        return;
    if (json_is_array(v)) {
        size_t i;
        json_t *e;
        json_array_foreach(v, i, e) ext_items(out, h, key, e, depth + 1);
        return;
    }
    buf b;
    buf_init(&b, 0);
    ext_name(&b, h, key);
    if (json_is_object(v)) {
        ext_members(&b, h, v, NULL, depth + 1);
    } else if (!json_is_null(v)) {
        const char *c = strchr(key, ':');
        buf d;
        buf_init(&d, 0);
        put_scalar(&d, c ? c + 1 : key, v);
        if (d.len)
            buf_printf(&b, "=%s", d.data);
        buf_free(&d);
    }
    sl_add(out, b.data ? buf_steal(&b) : xstrdup(""));
}

/* ---- standard parts ----------------------------------------------------- */

static void id_list(buf *b, const json_t *ev, const char *name)
{
    const json_t *l = json_object_get(ev, name);
    if (!json_array_size(l))
        return;
    buf_puts(b, name);
    slist s = {0};
    size_t i;
    json_t *e;
    json_array_foreach(l, i, e) sl_add(&s, xasprintf("epc=%s", json_string_value(e)));
    sl_flush(&s, b);
}

static void qty_list(buf *b, const json_t *ev, const char *name)
{
    const json_t *l = json_object_get(ev, name);
    if (!json_array_size(l))
        return;
    buf_puts(b, name);
    slist s = {0};
    size_t i;
    json_t *e;
    json_array_foreach(l, i, e)
    {
        buf q;
        buf_init(&q, 0);
        buf_puts(&q, "quantityElement");
        kv_raw(&q, "epcClass", json_object_get(e, "epcClass"));
        kv(&q, "quantity", json_object_get(e, "quantity"));
        kv_raw(&q, "uom", json_object_get(e, "uom"));
        sl_add(&s, buf_steal(&q));
    }
    sl_flush(&s, b);
}

static void typed_list(buf *b, const json_t *ev, const char *name, const char *item,
                       const char *web)
{
    const json_t *l = json_object_get(ev, name);
    if (!json_array_size(l))
        return;
    buf_puts(b, name);
    slist s = {0};
    size_t i;
    json_t *e;
    json_array_foreach(l, i, e)
    {
        buf q;
        buf_init(&q, 0);
        kv_cbv(&q, "type", json_object_get(e, "type"), web);
        kv_raw(&q, item, json_object_get(e, item));
        sl_add(&s, q.data ? buf_steal(&q) : xstrdup(""));
    }
    sl_flush(&s, b);
}

static void location(buf *b, const hctx *h, const json_t *ev, const char *name)
{
    static const char *const skip[] = {"id", NULL};
    const json_t *o = json_object_get(ev, name);
    if (!o)
        return;
    buf_puts(b, name);
    kv_raw(b, "id", json_object_get(o, "id"));
    ext_members(b, h, o, skip, 0);
}

static const char *const meta_order[] = {"time",
                                         "startTime",
                                         "endTime",
                                         "deviceID",
                                         "deviceMetadata",
                                         "rawData",
                                         "dataProcessingMethod",
                                         "bizRules",
                                         NULL};
static const char *const report_order[] = {"type",
                                           "exception",
                                           "deviceID",
                                           "deviceMetadata",
                                           "rawData",
                                           "dataProcessingMethod",
                                           "time",
                                           "microorganism",
                                           "chemicalSubstance",
                                           "value",
                                           "component",
                                           "stringValue",
                                           "booleanValue",
                                           "hexBinaryValue",
                                           "uriValue",
                                           "minValue",
                                           "maxValue",
                                           "meanValue",
                                           "sDev",
                                           "percRank",
                                           "percValue",
                                           "uom",
                                           "coordinateReferenceSystem",
                                           NULL};

static void sensor_part(buf *b, const hctx *h, const char *name, const json_t *o,
                        const char *const *order)
{
    buf_puts(b, name);
    for (int i = 0; order[i]; i++) {
        const json_t *v = json_object_get(o, order[i]);
        if (v && !strcmp(order[i], "type") && json_is_string(v) &&
            !strchr(json_string_value(v), ':'))
            buf_printf(b, "type=https://ref.gs1.org/voc/%s", json_string_value(v));
        else
            kv(b, order[i], v);
    }
    ext_members(b, h, o, order, 0);
}

static void sensors(buf *b, const hctx *h, const json_t *ev)
{
    static const char *const skip[] = {"sensorMetadata", "sensorReport", NULL};
    const json_t *l = json_object_get(ev, "sensorElementList");
    if (!json_array_size(l))
        return;
    slist s = {0};
    size_t i;
    json_t *e;
    json_array_foreach(l, i, e)
    {
        buf q;
        buf_init(&q, 0);
        buf_puts(&q, "sensorElement");
        const json_t *m = json_object_get(e, "sensorMetadata");
        if (m)
            sensor_part(&q, h, "sensorMetadata", m, meta_order);
        slist r = {0};
        size_t j;
        json_t *rep;
        json_array_foreach(json_object_get(e, "sensorReport"), j, rep)
        {
            buf x;
            buf_init(&x, 0);
            sensor_part(&x, h, "sensorReport", rep, report_order);
            sl_add(&r, buf_steal(&x));
        }
        sl_flush(&r, &q);
        ext_members(&q, h, e, skip, 0);
        sl_add(&s, buf_steal(&q));
    }
    sl_flush(&s, b);
}

static void pdisp(buf *b, const json_t *ev)
{
    const json_t *o = json_object_get(ev, "persistentDisposition");
    if (!o)
        return;
    buf_puts(b, "persistentDisposition");
    static const char *const parts[] = {"set", "unset", NULL};
    for (int p = 0; parts[p]; p++) {
        slist s = {0};
        size_t i;
        json_t *e;
        json_array_foreach(json_object_get(o, parts[p]), i, e)
        {
            buf q;
            buf_init(&q, 0);
            kv_cbv(&q, parts[p], e, epcis_vocab_disp.web);
            sl_add(&s, buf_steal(&q));
        }
        sl_flush(&s, b);
    }
}

/* Event members that are standard (written above) or not hashed. */
static const char *const not_ext[] = {"type",
                                      "@context",
                                      "eventTime",
                                      "eventTimeZoneOffset",
                                      "eventID",
                                      "recordTime",
                                      "certificationInfo",
                                      "errorDeclaration",
                                      "epcList",
                                      "parentID",
                                      "inputEPCList",
                                      "childEPCs",
                                      "quantityList",
                                      "childQuantityList",
                                      "inputQuantityList",
                                      "outputEPCList",
                                      "outputQuantityList",
                                      "action",
                                      "transformationID",
                                      "bizStep",
                                      "disposition",
                                      "persistentDisposition",
                                      "readPoint",
                                      "bizLocation",
                                      "bizTransactionList",
                                      "sourceList",
                                      "destinationList",
                                      "sensorElementList",
                                      "ilmd",
                                      NULL};

int epcis_event_hash(const json_t *ev, char out[EPCIS_HASH_MAX], char **prehash)
{
    hctx h = {.ns = json_object()};
    size_t i;
    json_t *c;
    json_array_foreach(json_object_get(ev, "@context"), i, c)
    {
        if (json_is_object(c))
            json_object_update(h.ns, c);
    }
    buf b;
    buf_init(&b, 0);
    buf_printf(&b, "eventType=%s", json_string_value(json_object_get(ev, "type")));
    kv_raw(&b, "eventTime", json_object_get(ev, "eventTime"));
    kv_raw(&b, "eventTimeZoneOffset", json_object_get(ev, "eventTimeZoneOffset"));
    id_list(&b, ev, "epcList");
    kv_raw(&b, "parentID", json_object_get(ev, "parentID"));
    id_list(&b, ev, "inputEPCList");
    id_list(&b, ev, "childEPCs");
    qty_list(&b, ev, "quantityList");
    qty_list(&b, ev, "childQuantityList");
    qty_list(&b, ev, "inputQuantityList");
    id_list(&b, ev, "outputEPCList");
    qty_list(&b, ev, "outputQuantityList");
    kv_raw(&b, "action", json_object_get(ev, "action"));
    kv_raw(&b, "transformationID", json_object_get(ev, "transformationID"));
    kv_cbv(&b, "bizStep", json_object_get(ev, "bizStep"), epcis_vocab_bizstep.web);
    kv_cbv(&b, "disposition", json_object_get(ev, "disposition"), epcis_vocab_disp.web);
    pdisp(&b, ev);
    location(&b, &h, ev, "readPoint");
    location(&b, &h, ev, "bizLocation");
    typed_list(&b, ev, "bizTransactionList", "bizTransaction", epcis_vocab_btt.web);
    typed_list(&b, ev, "sourceList", "source", epcis_vocab_sdt.web);
    typed_list(&b, ev, "destinationList", "destination", epcis_vocab_sdt.web);
    sensors(&b, &h, ev);
    const json_t *ilmd = json_object_get(ev, "ilmd");
    if (json_object_size(ilmd)) {
        buf_puts(&b, "ilmd");
        ext_members(&b, &h, ilmd, NULL, 0);
    }
    ext_members(&b, &h, ev, not_ext, 0);
    json_decref(h.ns);

    unsigned char d[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(d, (const unsigned char *)b.data, b.len);
    char hex[2 * crypto_hash_sha256_BYTES + 1];
    hex_encode(d, sizeof d, hex);
    snprintf(out, EPCIS_HASH_MAX, "ni:///sha-256;%s?ver=CBV2.0", hex);
    if (prehash)
        *prehash = buf_steal(&b);
    else
        buf_free(&b);
    return 0;
}
