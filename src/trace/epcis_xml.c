/*
 * epcis_xml.c — the EPCIS 2.0 XML binding (urn:epcglobal:epcis:xsd:2) read
 * with libxml2 and rewritten as the JSON-LD document of the JSON binding,
 * so that both go through the same validation and normalisation.
 *
 * Safety: no DTD at all (a document containing <!DOCTYPE is refused before
 * libxml2 sees it, and any DTD libxml2 found — say in a UTF-16 document —
 * is refused before a text node is read, so no entity is expanded or
 * fetched);
 * XML_PARSE_NONET; never XML_PARSE_NOENT, XML_PARSE_DTDLOAD or
 * XML_PARSE_HUGE (libxml2's own depth and size limits stay on); our walk
 * stops at EPCIS_MAX_DEPTH levels; the body size is capped by the route.
 *
 * Mapping: list elements become arrays (<epcList><epc>…</epc></epcList> →
 * "epcList": […]), typed items take their type attribute
 * (<source type="…">…</source> → {"type", "source"}), sensorMetadata and
 * sensorReport attributes become members, 1.x <extension>/<baseExtension>
 * wrappers are transparent, and elements in other namespaces become
 * "prefix:local" extension members with the prefix declared in @context
 * (a default namespace gets the prefix "ext1", "ext2", …).
 */
#define _GNU_SOURCE
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "trace/epcis.h"
#include "trace/epcis_internal.h"

#define EPCIS_XML_NS "urn:epcglobal:epcis:xsd:2"

typedef struct xconv {
    json_t *ctx; /* prefix -> namespace of extension elements */
    int nauto;
} xconv;

static bool is(const xmlNode *n, const char *name)
{
    return n->type == XML_ELEMENT_NODE && !n->ns && !strcmp((const char *)n->name, name);
}

static json_t *text_of(const xmlNode *n)
{
    xmlChar *c = xmlNodeGetContent(n);
    const char *s = c ? (const char *)c : "";
    while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
        s++;
    size_t len = strlen(s);
    while (len &&
           (s[len - 1] == ' ' || s[len - 1] == '\t' || s[len - 1] == '\r' || s[len - 1] == '\n'))
        len--;
    json_t *out = json_stringn(s, len);
    xmlFree(c);
    return out ? out : json_string("");
}

/* "prefix:local" for a namespaced node (declaring the prefix in x->ctx). */
static char *ext_key(xconv *x, const xmlNs *ns, const xmlChar *name)
{
    if (!ns)
        return xstrdup((const char *)name);
    const char *pre = (const char *)ns->prefix;
    char autop[16];
    if (!pre) {
        /* a default namespace: reuse the prefix given to it before */
        const char *k;
        json_t *v;
        pre = NULL;
        json_object_foreach(x->ctx, k, v) if (!strcmp(json_string_value(v), (const char *)ns->href))
        {
            pre = k;
            break;
        }
        if (!pre) {
            snprintf(autop, sizeof autop, "ext%d", ++x->nauto);
            pre = autop;
        }
    }
    json_object_set_new(x->ctx, pre, json_string((const char *)ns->href));
    return xasprintf("%s:%s", pre, (const char *)name);
}

static bool has_elements(const xmlNode *n)
{
    for (const xmlNode *c = n->children; c; c = c->next)
        if (c->type == XML_ELEMENT_NODE)
            return true;
    return false;
}

/* Put v under key; a repeated key becomes an array. Steals v. */
static void put(json_t *o, const char *key, json_t *v)
{
    json_t *old = json_object_get(o, key);
    if (!old) {
        json_object_set_new(o, key, v);
    } else if (json_is_array(old)) {
        json_array_append_new(old, v);
    } else {
        json_t *a = json_array();
        json_array_append(a, old);
        json_array_append_new(a, v);
        json_object_set_new(o, key, a);
    }
}

static json_t *ext_value(xconv *x, const xmlNode *n, int depth)
{
    if (!has_elements(n) || depth > EPCIS_MAX_DEPTH)
        return text_of(n);
    json_t *o = json_object();
    for (const xmlNode *c = n->children; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE)
            continue;
        char *k = ext_key(x, c->ns, c->name);
        put(o, k, ext_value(x, c, depth + 1));
        free(k);
    }
    return o;
}

/* Attributes as members (sensorMetadata, sensorReport). */
static json_t *attrs(xconv *x, const xmlNode *n)
{
    json_t *o = json_object();
    for (const xmlAttr *a = n->properties; a; a = a->next) {
        xmlChar *v = xmlNodeListGetString(n->doc, a->children, 1);
        char *k = ext_key(x, a->ns, a->name);
        json_object_set_new(o, k, json_string(v ? (const char *)v : ""));
        free(k);
        xmlFree(v);
    }
    return o;
}

static json_t *list_of(const xmlNode *n, const char *item)
{
    json_t *a = json_array();
    for (const xmlNode *c = n->children; c; c = c->next)
        if (is(c, item))
            json_array_append_new(a, text_of(c));
    return a;
}

static json_t *typed_list(const xmlNode *n, const char *item)
{
    json_t *a = json_array();
    for (const xmlNode *c = n->children; c; c = c->next) {
        if (!is(c, item))
            continue;
        json_t *o = json_object();
        xmlChar *t = xmlGetNoNsProp(c, (const xmlChar *)"type");
        if (t)
            json_object_set_new(o, "type", json_string((const char *)t));
        xmlFree(t);
        json_object_set_new(o, item, text_of(c));
        json_array_append_new(a, o);
    }
    return a;
}

static json_t *object_of(xconv *x, const xmlNode *n, int depth);

static json_t *quantity_list(xconv *x, const xmlNode *n)
{
    json_t *a = json_array();
    for (const xmlNode *c = n->children; c; c = c->next)
        if (is(c, "quantityElement"))
            json_array_append_new(a, object_of(x, c, 1));
    return a;
}

static json_t *sensor_list(xconv *x, const xmlNode *n)
{
    json_t *a = json_array();
    for (const xmlNode *c = n->children; c; c = c->next) {
        if (!is(c, "sensorElement"))
            continue;
        json_t *o = json_object(), *reports = json_array();
        for (const xmlNode *s = c->children; s; s = s->next) {
            if (s->type != XML_ELEMENT_NODE)
                continue;
            if (is(s, "sensorMetadata")) {
                json_object_set_new(o, "sensorMetadata", attrs(x, s));
            } else if (is(s, "sensorReport")) {
                json_array_append_new(reports, attrs(x, s));
            } else {
                char *k = ext_key(x, s->ns, s->name);
                put(o, k, ext_value(x, s, 1));
                free(k);
            }
        }
        json_object_set_new(o, "sensorReport", reports);
        json_array_append_new(a, o);
    }
    return a;
}

/* The members of an event (or of an event part) from its child elements. */
static void members(xconv *x, const xmlNode *n, json_t *o, int depth)
{
    for (const xmlNode *c = n->children; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE)
            continue;
        const char *name = (const char *)c->name;
        if (c->ns) {
            char *k = ext_key(x, c->ns, c->name);
            put(o, k, ext_value(x, c, depth + 1));
            free(k);
        } else if ((!strcmp(name, "extension") || !strcmp(name, "baseExtension")) &&
                   depth < EPCIS_MAX_DEPTH) {
            members(x, c, o, depth + 1); /* EPCIS 1.x wrappers */
        } else if (!strcmp(name, "epcList") || !strcmp(name, "childEPCs") ||
                   !strcmp(name, "inputEPCList") || !strcmp(name, "outputEPCList")) {
            json_object_set_new(o, name, list_of(c, "epc"));
        } else if (strstr(name, "uantityList")) {
            json_object_set_new(o, name, quantity_list(x, c));
        } else if (!strcmp(name, "bizTransactionList")) {
            json_object_set_new(o, name, typed_list(c, "bizTransaction"));
        } else if (!strcmp(name, "sourceList")) {
            json_object_set_new(o, name, typed_list(c, "source"));
        } else if (!strcmp(name, "destinationList")) {
            json_object_set_new(o, name, typed_list(c, "destination"));
        } else if (!strcmp(name, "sensorElementList")) {
            json_object_set_new(o, name, sensor_list(x, c));
        } else if (!strcmp(name, "correctiveEventIDs")) {
            json_object_set_new(o, name, list_of(c, "correctiveEventID"));
        } else if (!strcmp(name, "set") || !strcmp(name, "unset")) {
            json_t *l = json_object_get(o, name);
            if (!l)
                json_object_set_new(o, name, l = json_array());
            json_array_append_new(l, text_of(c));
        } else if (!strcmp(name, "readPoint") || !strcmp(name, "bizLocation") ||
                   !strcmp(name, "errorDeclaration") || !strcmp(name, "persistentDisposition") ||
                   !strcmp(name, "ilmd") || has_elements(c)) {
            json_object_set_new(o, name, object_of(x, c, depth + 1));
        } else {
            put(o, name, text_of(c));
        }
    }
}

static json_t *object_of(xconv *x, const xmlNode *n, int depth)
{
    json_t *o = json_object();
    if (depth <= EPCIS_MAX_DEPTH)
        members(x, n, o, depth);
    return o;
}

static void events_of(xconv *x, const xmlNode *list, json_t *out, int depth)
{
    for (const xmlNode *c = list->children; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE)
            continue;
        if (is(c, "extension") && depth < 4) {
            events_of(x, c, out, depth + 1); /* 1.x: TransformationEvent inside <extension> */
            continue;
        }
        json_t *ev = json_object();
        json_object_set_new(ev, "type", json_string((const char *)c->name));
        members(x, c, ev, 1);
        json_array_append_new(out, ev);
    }
}

static const xmlNode *child(const xmlNode *n, const char *name)
{
    for (const xmlNode *c = n ? n->children : NULL; c; c = c->next)
        if (is(c, name))
            return c;
    return NULL;
}

static pthread_once_t xml_once = PTHREAD_ONCE_INIT;
static void xml_init(void)
{
    xmlInitParser();
}

int epcis_xml_to_json(const char *body, size_t len, json_t **out, nqi_error *err)
{
    *out = NULL;
    if (len > INT32_MAX)
        return nqi_error_field(err, NQI_ETOOBIG, "body", "document too large");
    if (memmem(body, len, "<!DOCTYPE", 9) || memmem(body, len, "<!ENTITY", 8))
        return nqi_error_field(err, NQI_EBADREQ, "body",
                               "a DTD (<!DOCTYPE / <!ENTITY) is not accepted in an EPCIS document");
    pthread_once(&xml_once, xml_init);
    xmlParserCtxtPtr pc = xmlNewParserCtxt();
    if (!pc)
        return nqi_error_set(err, NQI_EINTERNAL, "libxml2: no parser context");
    xmlDocPtr doc = xmlCtxtReadMemory(pc, body, (int)len, NULL, NULL,
                                      XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    if (!doc) {
        const xmlError *e = xmlCtxtGetLastError(pc);
        char msg[300];
        snprintf(msg, sizeof msg, "%s", e && e->message ? e->message : "not well-formed");
        size_t ml = strlen(msg);
        while (ml && (msg[ml - 1] == '\n' || msg[ml - 1] == ' '))
            msg[--ml] = '\0';
        int line = e ? e->line : 0, col = e ? e->int2 : 0;
        xmlFreeParserCtxt(pc);
        return nqi_error_field(err, NQI_EBADREQ, "body", "malformed XML at line %d, column %d: %s",
                               line, col, msg);
    }
    xmlFreeParserCtxt(pc);
    int rc = 0;
    const xmlNode *root = xmlDocGetRootElement(doc);
    if (doc->intSubset || doc->extSubset) {
        /* a DTD the byte scan above missed (e.g. a UTF-16 document): its
         * entities were not substituted while parsing, but reading text
         * through them would expand them */
        rc = nqi_error_field(err, NQI_EBADREQ, "body",
                             "a DTD (<!DOCTYPE / <!ENTITY) is not accepted in an EPCIS document");
    } else if (!root || strcmp((const char *)root->name, "EPCISDocument")) {
        rc = nqi_error_field(err, NQI_EINVAL, "type", "the root element must be EPCISDocument");
    } else if (!root->ns || strcmp((const char *)root->ns->href, EPCIS_XML_NS)) {
        rc = nqi_error_field(err, NQI_EINVAL, "@context",
                             "EPCISDocument is in namespace '%.80s'; EPCIS 2.0 is '%s'",
                             root->ns ? (const char *)root->ns->href : "(none)", EPCIS_XML_NS);
    }
    const xmlNode *list = child(child(root, "EPCISBody"), "EventList");
    if (!rc && !list)
        rc = nqi_error_field(err, NQI_EINVAL, "epcisBody/eventList",
                             "required: EPCISBody/EventList");
    if (rc) {
        xmlFreeDoc(doc);
        return rc;
    }
    xconv x = {.ctx = json_object()};
    json_t *events = json_array();
    events_of(&x, list, events, 0);
    json_t *ctx = json_array();
    json_array_append_new(ctx, json_string(epcis_contexts[0]));
    json_array_append_new(ctx, x.ctx);
    *out = json_pack("{s:o, s:s, s:{s:o}}", "@context", ctx, "type", "EPCISDocument", "epcisBody",
                     "eventList", events);
    xmlFreeDoc(doc);
    return 0;
}
