/*
 * epcis_validate.c — the EPCIS 2.0 rules for one event, applied while the
 * event is rebuilt in its normalised form (epcis.h): which fields each
 * event type has and needs, action values, eventTime and its offset,
 * readPoint / bizLocation, persistentDisposition, sensor elements and
 * reports, error declarations, extensions. Values are checked and
 * normalised by epcis_norm.c. Every problem is reported, not only the
 * first, each with the field path.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "trace/epcis.h"
#include "trace/epcis_internal.h"

typedef enum { T_OBJECT, T_AGGREGATION, T_TRANSACTION, T_TRANSFORMATION, T_ASSOCIATION } etype;

static const char *const type_names[] = {"ObjectEvent",      "AggregationEvent",
                                         "TransactionEvent", "TransformationEvent",
                                         "AssociationEvent", NULL};

/* Fields per type; the order is the normalised output order (EPCIS order). */
enum {
    F_OBJ = 1 << T_OBJECT,
    F_AGG = 1 << T_AGGREGATION,
    F_TXN = 1 << T_TRANSACTION,
    F_XFM = 1 << T_TRANSFORMATION,
    F_ASC = 1 << T_ASSOCIATION,
    F_ALL = 31
};

typedef enum {
    K_STR,  /* plain string */
    K_URI,  /* eventID, transformationID: a URI kept as is */
    K_TIME, /* eventTime */
    K_TZ,   /* eventTimeZoneOffset */
    K_ID,   /* parentID */
    K_IDS,  /* epcList … */
    K_QTY,  /* quantityList … */
    K_ACTION,
    K_CBV,     /* bizStep, disposition */
    K_LOC,     /* readPoint, bizLocation */
    K_PDISP,   /* persistentDisposition */
    K_TYPED,   /* bizTransactionList, sourceList, destinationList */
    K_SENSORS, /* sensorElementList */
    K_ERRDECL, /* errorDeclaration */
    K_CERT,    /* certificationInfo */
    K_ILMD,
    K_SKIP /* recordTime: set by the repository */
} kind;

typedef struct field {
    const char *name;
    kind k;
    int types;
    const void *arg; /* vocab, or the item name of a typed list */
} field;

static const field fields[] = {
    {"eventTime", K_TIME, F_ALL, NULL},
    {"eventTimeZoneOffset", K_TZ, F_ALL, NULL},
    {"eventID", K_URI, F_ALL, NULL},
    {"recordTime", K_SKIP, F_ALL, NULL},
    {"certificationInfo", K_CERT, F_ALL, NULL},
    {"errorDeclaration", K_ERRDECL, F_ALL, NULL},
    {"parentID", K_ID, F_AGG | F_TXN | F_ASC, NULL},
    {"epcList", K_IDS, F_OBJ | F_TXN, NULL},
    {"childEPCs", K_IDS, F_AGG | F_ASC, NULL},
    {"inputEPCList", K_IDS, F_XFM, NULL},
    {"quantityList", K_QTY, F_OBJ | F_TXN, NULL},
    {"childQuantityList", K_QTY, F_AGG | F_ASC, NULL},
    {"inputQuantityList", K_QTY, F_XFM, NULL},
    {"outputEPCList", K_IDS, F_XFM, NULL},
    {"outputQuantityList", K_QTY, F_XFM, NULL},
    {"action", K_ACTION, F_OBJ | F_AGG | F_TXN | F_ASC, NULL},
    {"transformationID", K_ID, F_XFM, NULL},
    {"bizStep", K_CBV, F_ALL, &epcis_vocab_bizstep},
    {"disposition", K_CBV, F_ALL, &epcis_vocab_disp},
    {"persistentDisposition", K_PDISP, F_ALL, NULL},
    {"readPoint", K_LOC, F_ALL, NULL},
    {"bizLocation", K_LOC, F_ALL, NULL},
    {"bizTransactionList", K_TYPED, F_ALL, "bizTransaction"},
    {"sourceList", K_TYPED, F_ALL, "source"},
    {"destinationList", K_TYPED, F_ALL, "destination"},
    {"sensorElementList", K_SENSORS, F_ALL, NULL},
    {"ilmd", K_ILMD, F_OBJ | F_XFM, NULL},
    {NULL, 0, 0, NULL},
};

static const char *const loc_std[] = {"id", NULL};

static json_t *location(chk *k, json_t *v, const char *name)
{
    char path[64];
    if (!json_is_object(v)) {
        ck_bad(k, name, "must be an object {\"id\": URI}");
        return NULL;
    }
    json_t *o = json_object(), *id = json_object_get(v, "id");
    snprintf(path, sizeof path, "%s/id", name);
    if (!id)
        ck_bad(k, path, "required");
    else if ((id = ck_norm_id(k, id, path)))
        json_object_set_new(o, "id", id);
    snprintf(path, sizeof path, "%s/", name);
    ck_extensions(k, v, o, loc_std, path);
    return o;
}

static json_t *pdisp(chk *k, json_t *v, const char *name)
{
    static const char *const std[] = {"set", "unset", NULL};
    if (!json_is_object(v)) {
        ck_bad(k, name, "must be an object {set, unset}");
        return NULL;
    }
    json_t *o = json_object();
    for (int s = 0; std[s]; s++) {
        json_t *l = json_object_get(v, std[s]);
        char path[64];
        snprintf(path, sizeof path, "%s/%s", name, std[s]);
        if (!l)
            continue;
        if (!json_is_array(l)) {
            ck_bad(k, path, "must be an array of dispositions");
            continue;
        }
        json_t *out = json_array();
        size_t i;
        json_t *e;
        json_array_foreach(l, i, e)
        {
            char p2[128];
            snprintf(p2, sizeof p2, "%s/%zu", path, i);
            json_t *x = ck_norm_cbv(k, e, p2, &epcis_vocab_disp);
            if (x)
                json_array_append_new(out, x);
        }
        json_object_set_new(o, std[s], out);
    }
    if (!json_object_size(o))
        ck_bad(k, name, "needs set or unset");
    char base[64];
    snprintf(base, sizeof base, "%s/", name);
    ck_extensions(k, v, o, std, base);
    return o;
}

static json_t *errdecl(chk *k, json_t *v)
{
    static const char *const std[] = {"declarationTime", "reason", "correctiveEventIDs", NULL};
    const char *name = "errorDeclaration";
    if (!json_is_object(v)) {
        ck_bad(k, name, "must be an object {declarationTime, reason, correctiveEventIDs}");
        return NULL;
    }
    json_t *o = json_object(), *t = json_object_get(v, "declarationTime"),
           *r = json_object_get(v, "reason"), *c = json_object_get(v, "correctiveEventIDs");
    if (!t)
        ck_bad(k, "errorDeclaration/declarationTime", "required");
    else if ((t = ck_norm_time(k, t, "errorDeclaration/declarationTime", NULL)))
        json_object_set_new(o, "declarationTime", t);
    if (r && (r = ck_norm_cbv(k, r, "errorDeclaration/reason", &epcis_vocab_er)))
        json_object_set_new(o, "reason", r);
    if (c) {
        if (!json_is_array(c)) {
            ck_bad(k, "errorDeclaration/correctiveEventIDs", "must be an array of event IDs");
        } else {
            json_t *out = json_array();
            size_t i;
            json_t *e;
            json_array_foreach(c, i, e)
            {
                char path[80];
                snprintf(path, sizeof path, "errorDeclaration/correctiveEventIDs/%zu", i);
                const char *s = ck_str_of(k, e, path);
                if (s && !ck_is_uri(s))
                    ck_bad(k, path, "an event ID is a URI");
                else if (s)
                    json_array_append_new(out, json_string(s));
            }
            json_object_set_new(o, "correctiveEventIDs", out);
        }
    }
    ck_extensions(k, v, o, std, "errorDeclaration/");
    return o;
}

/* ---- sensors ------------------------------------------------------------ */

enum { S_TIME, S_ID, S_URI, S_NUM, S_STR, S_BOOL, S_HEX, S_TYPE, S_EXC };
typedef struct sfield {
    const char *name;
    int k;
} sfield;

static const sfield meta_fields[] = {{"time", S_TIME},
                                     {"startTime", S_TIME},
                                     {"endTime", S_TIME},
                                     {"deviceID", S_ID},
                                     {"deviceMetadata", S_ID},
                                     {"rawData", S_ID},
                                     {"dataProcessingMethod", S_ID},
                                     {"bizRules", S_ID},
                                     {NULL, 0}};
static const sfield report_fields[] = {{"type", S_TYPE},
                                       {"exception", S_EXC},
                                       {"deviceID", S_ID},
                                       {"deviceMetadata", S_ID},
                                       {"rawData", S_ID},
                                       {"dataProcessingMethod", S_ID},
                                       {"time", S_TIME},
                                       {"microorganism", S_URI},
                                       {"chemicalSubstance", S_URI},
                                       {"value", S_NUM},
                                       {"component", S_STR},
                                       {"stringValue", S_STR},
                                       {"booleanValue", S_BOOL},
                                       {"hexBinaryValue", S_HEX},
                                       {"uriValue", S_URI},
                                       {"minValue", S_NUM},
                                       {"maxValue", S_NUM},
                                       {"meanValue", S_NUM},
                                       {"sDev", S_NUM},
                                       {"percRank", S_NUM},
                                       {"percValue", S_NUM},
                                       {"uom", S_STR},
                                       {"coordinateReferenceSystem", S_URI},
                                       {NULL, 0}};

static json_t *sensor_value(chk *k, json_t *v, int kind, const char *path)
{
    const char *s;
    switch (kind) {
    case S_TIME:
        return ck_norm_time(k, v, path, NULL);
    case S_ID:
        return ck_norm_id(k, v, path);
    case S_NUM:
        return ck_norm_num(k, v, path, false);
    case S_BOOL:
        if (json_is_boolean(v))
            return json_incref(v);
        if (json_is_string(v) &&
            (!strcmp(json_string_value(v), "true") || !strcmp(json_string_value(v), "false")))
            return json_boolean(!strcmp(json_string_value(v), "true"));
        ck_bad(k, path, "must be true or false");
        return NULL;
    case S_HEX:
        if ((s = ck_str_of(k, v, path)) &&
            (strlen(s) % 2 || strspn(s, "0123456789abcdefABCDEF") != strlen(s))) {
            ck_bad(k, path, "must be hexadecimal octets");
            return NULL;
        }
        return s ? json_string(s) : NULL;
    case S_URI:
        if ((s = ck_str_of(k, v, path)) && !ck_is_uri(s)) {
            ck_bad(k, path, "must be a URI");
            return NULL;
        }
        return s ? json_string(s) : NULL;
    case S_EXC:
        if ((s = ck_str_of(k, v, path)) && strcmp(s, "ALARM_CONDITION") &&
            strcmp(s, "ERROR_CONDITION")) {
            ck_bad(k, path, "must be ALARM_CONDITION or ERROR_CONDITION");
            return NULL;
        }
        return s ? json_string(s) : NULL;
    case S_TYPE:
        /* a GS1 Web Vocabulary measurement type: bare name in the
         * normalised form ("gs1:Temperature" -> "Temperature") */
        if (!(s = ck_str_of(k, v, path)))
            return NULL;
        if (!strncmp(s, "gs1:", 4))
            s += 4;
        else if (!strncmp(s, "https://gs1.org/voc/", 20))
            s += 20;
        if (!*s ||
            (!ck_is_uri(s) &&
             strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz") != strlen(s))) {
            ck_bad(k, path, "'%.40s' is neither a GS1 measurement type nor a URI", s);
            return NULL;
        }
        return json_string(s);
    default:
        return (s = ck_str_of(k, v, path)) ? json_string(s) : NULL;
    }
}

static json_t *sensor_obj(chk *k, json_t *v, const sfield *f, const char *base)
{
    const char *std[32];
    int n = 0;
    json_t *o = json_object();
    for (; f->name; f++) {
        std[n++] = f->name;
        json_t *x = json_object_get(v, f->name);
        if (!x)
            continue;
        char path[128];
        snprintf(path, sizeof path, "%s%s", base, f->name);
        if ((x = sensor_value(k, x, f->k, path)))
            json_object_set_new(o, f->name, x);
    }
    std[n] = NULL;
    ck_extensions(k, v, o, std, base);
    return o;
}

static json_t *sensors(chk *k, json_t *v)
{
    static const char *const std[] = {"sensorMetadata", "sensorReport", NULL};
    static const char *const numeric[] = {"value", "minValue",  "maxValue", "meanValue",
                                          "sDev",  "percValue", NULL};
    if (!json_is_array(v)) {
        ck_bad(k, "sensorElementList", "must be an array of sensor elements");
        return NULL;
    }
    json_t *out = json_array();
    size_t i;
    json_t *e;
    json_array_foreach(v, i, e)
    {
        char base[64], path[96];
        snprintf(base, sizeof base, "sensorElementList/%zu/", i);
        if (!json_is_object(e)) {
            snprintf(path, sizeof path, "sensorElementList/%zu", i);
            ck_bad(k, path, "must be an object {sensorMetadata, sensorReport}");
            continue;
        }
        json_t *o = json_object(), *m = json_object_get(e, "sensorMetadata"),
               *r = json_object_get(e, "sensorReport");
        if (m) {
            snprintf(path, sizeof path, "%ssensorMetadata/", base);
            if (!json_is_object(m))
                ck_bad(k, path, "must be an object");
            else
                json_object_set_new(o, "sensorMetadata", sensor_obj(k, m, meta_fields, path));
        }
        snprintf(path, sizeof path, "%ssensorReport", base);
        if (!json_is_array(r) || !json_array_size(r)) {
            ck_bad(k, path, "required: a non-empty array of sensor reports");
        } else {
            json_t *rs = json_array();
            size_t j;
            json_t *rep;
            json_array_foreach(r, j, rep)
            {
                char rb[128];
                snprintf(rb, sizeof rb, "%ssensorReport/%zu/", base, j);
                if (!json_is_object(rep)) {
                    ck_bad(k, rb, "must be an object");
                    continue;
                }
                json_t *x = sensor_obj(k, rep, report_fields, rb);
                if (!json_object_get(x, "type") && !json_object_get(x, "exception") &&
                    !json_object_get(rep, "type"))
                    ck_bad(k, rb, "a sensor report needs a type (or an exception)");
                bool has_num = false;
                for (int q = 0; numeric[q]; q++)
                    has_num |= json_object_get(rep, numeric[q]) != NULL;
                if (json_object_get(rep, "uom") && !has_num) {
                    char up[160];
                    snprintf(up, sizeof up, "%suom", rb);
                    ck_bad(k, up, "a unit of measure needs a numeric value");
                }
                json_array_append_new(rs, x);
            }
            json_object_set_new(o, "sensorReport", rs);
        }
        ck_extensions(k, e, o, std, base);
        json_array_append_new(out, o);
    }
    return out;
}

/* ---- the event ---------------------------------------------------------- */

/* certificationInfo (EPCIS 2.0 JSON schema): a URI, or an array of URIs
 * (the XML binding repeats the element). Each must be a URI: the consumer
 * page links to them. */
static json_t *cert_info(chk *k, json_t *v, const char *name)
{
    if (json_is_string(v)) {
        const char *s = ck_str_of(k, v, name);
        if (s && ck_is_uri(s))
            return json_incref(v);
        if (s)
            ck_bad(k, name, "must be a URI (e.g. https://…) or an array of URIs");
        return NULL;
    }
    if (!json_is_array(v)) {
        ck_bad(k, name, "must be a URI or an array of URIs");
        return NULL;
    }
    bool ok = true;
    size_t i;
    json_t *e;
    json_array_foreach(v, i, e)
    {
        char path[64];
        snprintf(path, sizeof path, "%s/%zu", name, i);
        const char *s = ck_str_of(k, e, path);
        if (s && !ck_is_uri(s))
            ck_bad(k, path, "must be a URI (e.g. https://…)");
        ok = ok && s && ck_is_uri(s);
    }
    return ok ? json_incref(v) : NULL;
}

static json_t *field_value(chk *k, const field *f, json_t *v, epcis_event *out)
{
    const char *s;
    switch (f->k) {
    case K_TIME:
        return ck_norm_time(k, v, f->name, &out->event_time);
    case K_TZ:
        if ((s = ck_str_of(k, v, f->name)) && !ck_tz_offset_ok(s)) {
            ck_bad(k, f->name, "'%.20s' is not a time-zone offset like +08:00 or -05:00", s);
            return NULL;
        }
        return s ? json_string(s) : NULL;
    case K_URI:
        if ((s = ck_str_of(k, v, f->name)) && !ck_is_uri(s)) {
            ck_bad(k, f->name, "must be a URI (e.g. urn:uuid:…)");
            return NULL;
        }
        return s ? json_string(s) : NULL;
    case K_ID:
        return ck_norm_id(k, v, f->name);
    case K_IDS:
        return ck_id_list(k, v, f->name);
    case K_QTY:
        return ck_quantity_list(k, v, f->name);
    case K_ACTION:
        if ((s = ck_str_of(k, v, f->name)) && strcmp(s, "ADD") && strcmp(s, "OBSERVE") &&
            strcmp(s, "DELETE")) {
            ck_bad(k, f->name, "'%.20s' is not ADD, OBSERVE or DELETE", s);
            return NULL;
        }
        return s ? json_string(s) : NULL;
    case K_CBV:
        return ck_norm_cbv(k, v, f->name, f->arg);
    case K_LOC:
        return location(k, v, f->name);
    case K_PDISP:
        return pdisp(k, v, f->name);
    case K_TYPED:
        return ck_typed_list(k, v, f->name, f->arg,
                             strcmp(f->name, "bizTransactionList") ? &epcis_vocab_sdt
                                                                   : &epcis_vocab_btt,
                             strcmp(f->name, "bizTransactionList") != 0);
    case K_SENSORS:
        return sensors(k, v);
    case K_ERRDECL:
        out->error_declared = true;
        return errdecl(k, v);
    case K_CERT:
        return cert_info(k, v, f->name);
    case K_ILMD:
        if (!json_is_object(v)) {
            ck_bad(k, f->name, "must be an object of extension fields");
            return NULL;
        } else {
            static const char *const none[] = {NULL};
            json_t *o = json_object();
            ck_extensions(k, v, o, none, "ilmd/");
            return o;
        }
    default:
        return NULL;
    }
}

static bool nonempty(json_t *ev, const char *a, const char *b)
{
    return json_array_size(json_object_get(ev, a)) ||
           (b && json_array_size(json_object_get(ev, b)));
}

/* Structural rules that need several fields (after normalisation). */
static void rules(chk *k, etype t, json_t *o, json_t *raw)
{
    const char *action = json_string_value(json_object_get(o, "action"));
    bool del = action && !strcmp(action, "DELETE");
    if (!json_object_get(raw, "eventTime"))
        ck_bad(k, "eventTime", "required");
    if (!json_object_get(raw, "eventTimeZoneOffset"))
        ck_bad(k, "eventTimeZoneOffset", "required");
    if (t != T_TRANSFORMATION && !json_object_get(raw, "action"))
        ck_bad(k, "action", "required (ADD, OBSERVE or DELETE)");
    switch (t) {
    case T_OBJECT:
        if (!nonempty(raw, "epcList", "quantityList"))
            ck_bad(k, "epcList", "an ObjectEvent needs epcList or quantityList");
        break;
    case T_TRANSACTION:
        if (!nonempty(raw, "epcList", "quantityList"))
            ck_bad(k, "epcList", "a TransactionEvent needs epcList or quantityList");
        if (!nonempty(raw, "bizTransactionList", NULL))
            ck_bad(k, "bizTransactionList",
                   "a TransactionEvent needs at least one business transaction");
        break;
    case T_AGGREGATION:
    case T_ASSOCIATION:
        if (!json_object_get(raw, "parentID") &&
            (t == T_ASSOCIATION || (action && strcmp(action, "OBSERVE"))))
            ck_bad(k, "parentID", "required for %s",
                   t == T_ASSOCIATION ? "an AssociationEvent" : "action ADD and DELETE");
        if (!del && !nonempty(raw, "childEPCs", "childQuantityList"))
            ck_bad(k, "childEPCs",
                   "needs childEPCs or childQuantityList (unless action is DELETE)");
        break;
    case T_TRANSFORMATION: {
        bool in = nonempty(raw, "inputEPCList", "inputQuantityList"),
             outp = nonempty(raw, "outputEPCList", "outputQuantityList");
        if (json_object_get(raw, "transformationID") ? !(in || outp) : !(in && outp))
            ck_bad(k, in ? "outputEPCList" : "inputEPCList",
                   "a TransformationEvent needs inputs and outputs (or a transformationID and "
                   "either)");
        break;
    }
    }
}

int epcis_event_check(json_t *raw, const json_t *ctx, size_t index, const char *prefix,
                      json_t *errors, epcis_event *out)
{
    memset(out, 0, sizeof *out);
    out->index = index;
    chk k = {.errors = errors, .index = index, .prefix = prefix, .ctx = ctx, .used = json_object()};
    if (!json_is_object(raw)) {
        ck_bad(&k, "", "an event is a JSON object");
        json_decref(k.used);
        return NQI_EINVAL;
    }
    json_t *ty = json_object_get(raw, "type");
    if (!ty)
        ty = json_object_get(raw, "isA"); /* EPCIS 2.0 drafts */
    const char *tn = json_string_value(ty);
    int t = -1;
    for (int i = 0; tn && type_names[i]; i++)
        if (!strcmp(tn, type_names[i]))
            t = i;
    if (t < 0) {
        ck_bad(&k, "type",
               tn ? "unknown event type '%.40s' (ObjectEvent, AggregationEvent, TransactionEvent, "
                    "TransformationEvent or AssociationEvent)"
                  : "required%.0s: the event type",
               tn ? tn : "");
        json_decref(k.used);
        return NQI_EINVAL;
    }
    json_t *o = json_object();
    json_object_set_new(o, "type", json_string(type_names[t]));
    const char *std[64];
    int ns = 0;
    std[ns++] = "type";
    std[ns++] = "isA";
    std[ns++] = "@context";
    for (const field *f = fields; f->name; f++) {
        std[ns++] = f->name;
        json_t *v = json_object_get(raw, f->name);
        if (!v || f->k == K_SKIP)
            continue;
        if (!(f->types & (1 << t))) {
            ck_bad(&k, f->name, "not a field of %s", type_names[t]);
            continue;
        }
        json_t *x = field_value(&k, f, v, out);
        if (x)
            json_object_set_new(o, f->name, x);
    }
    std[ns] = NULL;
    rules(&k, t, o, raw);
    ck_extensions(&k, raw, o, std, "");
    if (json_object_size(k.used)) {
        json_t *c = json_array();
        json_array_append(c, k.used);
        json_object_set_new(o, "@context", c);
    }
    json_decref(k.used);
    if (k.nerr) {
        json_decref(o);
        return NQI_EINVAL;
    }
    /* The hash identifies the event; it also fills eventID when absent. */
    epcis_event_hash(o, out->hash, NULL);
    const char *id = json_string_value(json_object_get(o, "eventID"));
    if (!id) {
        /* the computed eventID takes its standard place (after
         * eventTimeZoneOffset), so a normalised event normalises to itself */
        json_t *n = json_object();
        const char *key;
        json_t *v;
        json_object_foreach(o, key, v)
        {
            json_object_set(n, key, v);
            if (!strcmp(key, "eventTimeZoneOffset"))
                json_object_set_new(n, "eventID", json_string(out->hash));
        }
        if (!json_object_get(n, "eventID"))
            json_object_set_new(n, "eventID", json_string(out->hash));
        json_decref(o);
        o = n;
        id = out->hash;
    }
    out->doc = o;
    out->event_id = xstrdup(id);
    out->type = type_names[t];
    return 0;
}

void epcis_event_clear(epcis_event *e)
{
    if (!e)
        return;
    json_decref(e->doc);
    free(e->event_id);
    free(e->json);
    memset(e, 0, sizeof *e);
}
