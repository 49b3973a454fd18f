/*
 * epcis_parse.c — an EPCISDocument in, normalised events out. The JSON-LD
 * binding is read with jansson (duplicate keys refused); the XML binding is
 * first turned into the same JSON-LD shape by epcis_xml.c. Then the
 * document is checked (type, @context, epcisBody.eventList, the capture
 * limit) and each event is validated and normalised by epcis_validate.c.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "core/util.h"
#include "trace/epcis.h"
#include "trace/epcis_internal.h"

const char *const epcis_contexts[] = {
    "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld",
    "https://ref.gs1.org/standards/epcis/epcis-context.jsonld",
    "https://gs1.github.io/EPCIS/epcis-context.jsonld", /* the EPCIS 2.0 drafts */
    NULL};

/* Prefixes the EPCIS 2.0 context itself defines. */
static const struct {
    const char *prefix, *ns;
} builtin[] = {
    {"cbvmda", "urn:epcglobal:cbv:mda"},
    {"gs1", "https://gs1.org/voc/"},
    {"epcis", "https://ref.gs1.org/epcis/"},
    {"cbv", "https://ref.gs1.org/cbv/"},
    {NULL, NULL},
};

bool epcis_builtin_ns(const char *prefix)
{
    for (int i = 0; builtin[i].prefix; i++)
        if (!strcmp(builtin[i].prefix, prefix))
            return true;
    return false;
}

const char *epcis_ctx_ns(const json_t *ctx, const char *prefix)
{
    const char *ns = json_string_value(json_object_get(ctx, prefix));
    if (ns)
        return ns;
    for (int i = 0; builtin[i].prefix; i++)
        if (!strcmp(builtin[i].prefix, prefix))
            return builtin[i].ns;
    return NULL;
}

bool epcis_ctx_merge(json_t *ctx, const json_t *context)
{
    bool epcis = false;
    if (json_is_string(context)) {
        for (int i = 0; epcis_contexts[i]; i++)
            epcis |= !strcmp(json_string_value(context), epcis_contexts[i]);
        return epcis;
    }
    if (json_is_object(context)) {
        const char *k;
        json_t *v;
        json_object_foreach((json_t *)context, k, v) if (json_is_string(v) && k[0] != '@')
            json_object_set(ctx, k, v);
        return false;
    }
    size_t i;
    json_t *e;
    json_array_foreach(context, i, e) epcis |= epcis_ctx_merge(ctx, e);
    return epcis;
}

int epcis_strcmp_p(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Check and normalise one event of a document: its own @context adds to
 * the document's. */
static int check_one(json_t *raw, const json_t *doc_ctx, size_t index, const char *prefix,
                     json_t *errors, epcis_event *out)
{
    json_t *ectx = json_object_get(raw, "@context");
    if (!ectx)
        return epcis_event_check(raw, doc_ctx, index, prefix, errors, out);
    json_t *ctx = json_deep_copy(doc_ctx);
    epcis_ctx_merge(ctx, ectx);
    int rc = epcis_event_check(raw, ctx, index, prefix, errors, out);
    json_decref(ctx);
    return rc;
}

int epcis_doc_parse(const char *body, size_t len, epcis_format fmt, size_t max_events,
                    epcis_doc *out, nqi_error *err)
{
    memset(out, 0, sizeof *out);
    json_t *doc = NULL;
    int rc;
    if (fmt == EPCIS_XML)
        rc = epcis_xml_to_json(body, len, &doc, err);
    else
        rc = json_parse_body(body, len, true, &doc, err);
    if (rc)
        return rc;
    json_t *ctx = json_object();
    const char *type = json_string_value(json_object_get(doc, "type"));
    if (!type)
        type = json_string_value(json_object_get(doc, "isA"));
    json_t *context = json_object_get(doc, "@context");
    json_t *list = json_object_get(json_object_get(doc, "epcisBody"), "eventList");
    if (!type || strcmp(type, "EPCISDocument")) {
        rc = nqi_error_field(err, NQI_EINVAL, "type", "an EPCISDocument is expected (type: %s)",
                             type ? type : "missing");
    } else if (!context) {
        rc = nqi_error_field(err, NQI_EINVAL, "@context", "required: the EPCIS 2.0 context %s",
                             epcis_contexts[0]);
    } else if (!epcis_ctx_merge(ctx, context)) {
        rc = nqi_error_field(err, NQI_EINVAL, "@context",
                             "does not name the EPCIS 2.0 JSON-LD context (%s)", epcis_contexts[0]);
    } else if (!json_is_array(list)) {
        rc =
            nqi_error_field(err, NQI_EINVAL, "epcisBody/eventList", "required: an array of events");
    } else if (json_array_size(list) > max_events) {
        rc = nqi_error_field(err, NQI_ETOOBIG, "epcisBody/eventList",
                             "%zu events; this repository captures at most %zu per document "
                             "(GS1-EPCIS-Capture-Limit)",
                             json_array_size(list), max_events);
    } else if (!json_array_size(list)) {
        rc = nqi_error_field(err, NQI_EINVAL, "epcisBody/eventList", "no events");
    }
    if (rc) {
        json_decref(ctx);
        json_decref(doc);
        return rc;
    }
    out->total = json_array_size(list);
    out->ev = xcalloc(out->total, sizeof *out->ev);
    out->errors = json_array();
    for (size_t i = 0; i < out->total; i++) {
        char prefix[48];
        snprintf(prefix, sizeof prefix, "epcisBody/eventList/%zu/", i);
        if (!check_one(json_array_get(list, i), ctx, i, prefix, out->errors, &out->ev[out->n]))
            out->n++;
    }
    json_decref(ctx);
    json_decref(doc);
    return 0;
}

void epcis_doc_free(epcis_doc *d)
{
    if (!d)
        return;
    for (size_t i = 0; i < d->n; i++)
        epcis_event_clear(&d->ev[i]);
    free(d->ev);
    json_decref(d->errors);
    memset(d, 0, sizeof *d);
}

int epcis_event_parse_one(const char *body, size_t len, epcis_event *out, json_t *errors,
                          nqi_error *err)
{
    memset(out, 0, sizeof *out);
    json_t *raw;
    int rc = json_parse_body(body, len, true, &raw, err);
    if (rc)
        return rc;
    json_t *ctx = json_object();
    json_t *c = json_object_get(raw, "@context");
    if (c && !epcis_ctx_merge(ctx, c) && json_is_string(c)) {
        json_decref(ctx);
        json_decref(raw);
        return nqi_error_field(err, NQI_EINVAL, "@context",
                               "does not name the EPCIS 2.0 JSON-LD context (%s)",
                               epcis_contexts[0]);
    }
    rc = epcis_event_check(raw, ctx, 0, "", errors, out);
    json_decref(ctx);
    json_decref(raw);
    if (rc) {
        nqi_error_set(err, NQI_EINVAL, "invalid EPCIS event: %zu problem(s)",
                      json_array_size(errors));
        size_t i;
        json_t *e;
        json_array_foreach(errors, i, e)
        {
            if (i >= NQI_ERR_MAX_FIELDS)
                break;
            nqi_error_field(err, NQI_EINVAL, json_string_value(json_object_get(e, "field")), "%s",
                            json_string_value(json_object_get(e, "detail")));
        }
    }
    return rc;
}
