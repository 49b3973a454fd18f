/*
 * test_epcis.c — the EPCIS 2.0 write path: the CBV 2.0 event hash against
 * GS1's reference implementation (RalphTro/epcis-event-hash-generator,
 * tests/examples/expected/CBV2.0: 18 events of all five types, JSON-LD and
 * XML), XML and JSON-LD normalising to the same text, the validation rules
 * with their field paths, the XML safety rules, and capture jobs against a
 * real SQLite file (rollback, proceed, duplicates, error declarations,
 * recovery of interrupted jobs).
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/http.h"
#include "core/util.h"
#include "fixture.h"
#include "trace/epcis.h"

#define DATA "tests/unit/data/epcis/"

static char *slurp(const char *name, size_t *len)
{
    char path[256], *b = NULL;
    snprintf(path, sizeof path, DATA "%s", name);
    if (file_read_all(path, 0, &b, len))
        fail_msg("cannot read %s (run from the repository root)", path);
    return b;
}

static void parse_file(const char *name, epcis_doc *d)
{
    size_t n;
    char *b = slurp(name, &n);
    nqi_error err = {0};
    int rc = epcis_doc_parse(b, n, strstr(name, ".xml") ? EPCIS_XML : EPCIS_JSON, 5000, d, &err);
    free(b);
    if (rc)
        fail_msg("%s: %s", name, err.message);
    if (json_array_size(d->errors)) {
        char *e = json_dumps(d->errors, 0);
        fail_msg("%s: %s", name, e);
    }
}

/* Every event's hash equals the reference's line for it. */
static void check_hashes(const char *doc, const char *const *want, size_t n)
{
    epcis_doc d;
    parse_file(doc, &d);
    assert_int_equal(d.n, n);
    for (size_t i = 0; i < n; i++) {
        char h[EPCIS_HASH_MAX];
        assert_int_equal(epcis_event_hash(d.ev[i].doc, h, NULL), 0);
        if (strcmp(h, want[i]))
            fail_msg("%s event %zu: %s, reference %s", doc, i, h, want[i]);
        assert_string_equal(d.ev[i].hash, want[i]);
    }
    epcis_doc_free(&d);
}

static void test_hash_shipping(void **state)
{
    static const char *const want[] = {
        "ni:///sha-256;2919bf0587534fef0e25eea97b5dda68f345e6bbf2c6b4cb27b2a52e0039272b?ver=CBV2.0",
        "ni:///"
        "sha-256;1d2ec4174d8f0b5988a44795b31a636e8bc7f88ebc4bdc0d35c14f215a842e80?ver=CBV2.0"};
    check_hashes("gs1_shipping_transporting.jsonld", want, 2);
    check_hashes("gs1_shipping_transporting.xml", want, 2);
    /* no eventID in the document: the hash becomes it */
    epcis_doc d;
    parse_file("gs1_shipping_transporting.jsonld", &d);
    assert_string_equal(d.ev[0].event_id, want[0]);
    assert_string_equal(json_string_value(json_object_get(d.ev[0].doc, "eventID")), want[0]);
    epcis_doc_free(&d);
}

static void test_hash_sensor_and_error_declaration(void **state)
{
    static const char *const sensor[] = {
        "ni:///"
        "sha-256;bea63f2741e3f4ae7cab8abba1be5bf172109f749bedaa7e8620fb9bd26847b5?ver=CBV2.0"};
    static const char *const decl[] = {
        "ni:///"
        "sha-256;e16ce101f3d7383612e00b74419b2d88f12baa6a124b0e390252d396687d5cf7?ver=CBV2.0"};
    check_hashes("gs1_sensor_data.jsonld", sensor, 1);
    check_hashes("gs1_error_declaration.jsonld", decl, 1);
    /* the prehash the reference publishes for the error-declaration event */
    epcis_doc d;
    parse_file("gs1_error_declaration.jsonld", &d);
    char h[EPCIS_HASH_MAX], *pre;
    epcis_event_hash(d.ev[0].doc, h, &pre);
    assert_string_equal(
        pre, "eventType=TransformationEventeventTime=2020-01-13T23:00:00.000ZeventTimeZoneOffset="
             "+01:00inputEPCListepc=https://id.gs1.org/01/04012345111118/21/987inputQuantityList"
             "quantityElementepcClass=https://id.gs1.org/01/04012345222227/10/87545GHGHoutputEPC"
             "Listepc=https://id.gs1.org/01/04012345333336/21/AGHFGoutputQuantityListquantity"
             "ElementepcClass=https://id.gs1.org/01/04012345444445quantity=452uom=KGMbizStep=https:"
             "//ref.gs1.org/cbv/BizStep-commissioningreadPointid=https://id.gs1.org/414/"
             "4012345000009");
    free(pre);
    assert_true(d.ev[0].error_declared);
    /* eventID as captured, not the hash */
    assert_string_equal(d.ev[0].event_id, "urn:uuid:374d95fc-9457-4a51-bd6a-0bba133845a8");
    epcis_doc_free(&d);
}

static void test_hash_various_types_json_and_xml(void **state)
{
    size_t n;
    char *text = slurp("gs1_various_event_types.hashes", &n);
    const char *want[16];
    size_t k = 0;
    for (char *p = strtok(text, "\n"); p && k < 16; p = strtok(NULL, "\n"))
        want[k++] = p;
    assert_int_equal(k, 13);
    check_hashes("gs1_various_event_types.jsonld", want, k);
    check_hashes("gs1_various_event_types.xml", want, k);
    free(text);
    /* the same events in the two bindings normalise to the same JSON text */
    epcis_doc a, b;
    parse_file("gs1_various_event_types.jsonld", &a);
    parse_file("gs1_various_event_types.xml", &b);
    for (size_t i = 0; i < a.n; i++) {
        char *x = json_dumps(a.ev[i].doc, JSON_COMPACT | JSON_PRESERVE_ORDER);
        char *y = json_dumps(b.ev[i].doc, JSON_COMPACT | JSON_PRESERVE_ORDER);
        assert_string_equal(x, y);
        free(x);
        free(y);
    }
    /* normalised values: canonical identifiers, bare CBV names, UTC times */
    const json_t *e0 = a.ev[0].doc;
    assert_string_equal(json_string_value(json_array_get(json_object_get(e0, "epcList"), 0)),
                        "https://id.gs1.org/00/052000011111111461");
    assert_string_equal(json_string_value(json_object_get(e0, "bizStep")), "departing");
    assert_string_equal(json_string_value(json_object_get(e0, "eventTime")),
                        "2019-10-21T10:00:30.000Z");
    /* a GDTI transformationID is written as Digital Link (AI 253) */
    assert_string_equal(json_string_value(json_object_get(a.ev[10].doc, "transformationID")),
                        "https://id.gs1.org/253/40123455555541234");
    epcis_doc_free(&a);
    epcis_doc_free(&b);
}

static void test_time(void **state)
{
    int64_t ms;
    char buf[32];
    assert_int_equal(epcis_time_parse("2022-02-16T12:50:00.000+01:00", &ms), 0);
    epcis_time_format(ms, buf);
    assert_string_equal(buf, "2022-02-16T11:50:00.000Z");
    /* fourth fractional digit rounds half up; missing milliseconds are zero */
    assert_int_equal(epcis_time_parse("2020-01-01T00:00:00.12351Z", &ms), 0);
    epcis_time_format(ms, buf);
    assert_string_equal(buf, "2020-01-01T00:00:00.124Z");
    assert_int_equal(epcis_time_parse("2019-12-31T23:59:59.9996-05:30", &ms), 0);
    epcis_time_format(ms, buf);
    assert_string_equal(buf, "2020-01-01T05:30:00.000Z");
    assert_int_equal(epcis_time_parse("1970-01-01T00:00:00Z", &ms), 0);
    assert_int_equal(ms, 0);
    /* no offset, bad dates, junk */
    assert_int_equal(epcis_time_parse("2022-02-16T12:50:00.000", &ms), -1);
    assert_int_equal(epcis_time_parse("2023-02-29T00:00:00Z", &ms), -1);
    assert_int_equal(epcis_time_parse("2022-02-16T12:50:00+15:00", &ms), -1);
    assert_int_equal(epcis_time_parse("2022-02-16 12:50:00Z", &ms), -1);
    assert_int_equal(epcis_time_parse("2022-02-16T12:50:00Zjunk", &ms), -1);
}

/* A document around one event (JSON text). */
static char *doc1(const char *event)
{
    return xasprintf("{\"@context\":[\"https://ref.gs1.org/standards/epcis/2.0.0/"
                     "epcis-context.jsonld\",{\"ex\":\"https://ns.example.com/epcis/\"}],"
                     "\"type\":\"EPCISDocument\",\"schemaVersion\":\"2.0\","
                     "\"creationDate\":\"2024-03-01T08:00:00Z\",\"epcisBody\":{\"eventList\":["
                     "{\"type\":\"ObjectEvent\",\"eventTime\":\"2024-03-01T08:30:00.000+08:00\","
                     "\"eventTimeZoneOffset\":\"+08:00\",\"action\":\"OBSERVE\","
                     "\"epcList\":[\"urn:epc:id:sgtin:0614141.107346.2018\"]},%s]}}",
                     event);
}

/* Parse a one-extra-event document; the second event (index 1) must fail
 * with field epcisBody/eventList/1/<field> and a detail containing what. */
static void expect_error(const char *event, const char *field, const char *what)
{
    char *text = doc1(event);
    epcis_doc d;
    nqi_error err = {0};
    int rc = epcis_doc_parse(text, strlen(text), EPCIS_JSON, 100, &d, &err);
    free(text);
    if (rc)
        fail_msg("document rejected: %s", err.message);
    assert_int_equal(d.total, 2);
    assert_int_equal(d.n, 1); /* the first, valid event is kept */
    char want[160];
    snprintf(want, sizeof want, "epcisBody/eventList/1/%s", field);
    size_t i;
    json_t *e;
    bool found = false;
    json_array_foreach(d.errors, i, e)
    {
        assert_int_equal(json_integer_value(json_object_get(e, "index")), 1);
        if (!strcmp(json_string_value(json_object_get(e, "field")), want) &&
            strstr(json_string_value(json_object_get(e, "detail")), what))
            found = true;
    }
    if (!found) {
        char *s = json_dumps(d.errors, 0);
        fail_msg("no error %s ~ '%s' in %s", want, what, s);
    }
    epcis_doc_free(&d);
}

#define EV(rest)                                                                                   \
    "{\"type\":\"ObjectEvent\",\"eventTime\":\"2024-03-01T09:00:00+08:00\","                       \
    "\"eventTimeZoneOffset\":\"+08:00\"," rest "}"

static void test_validation(void **state)
{
    expect_error("{\"type\":\"MoveEvent\",\"eventTime\":\"2024-03-01T09:00:00Z\"}", "type",
                 "unknown event type 'MoveEvent'");
    /* check digit of the GTIN inside the Digital Link: 09506000134352 is right */
    expect_error(
        EV("\"action\":\"OBSERVE\",\"epcList\":[\"https://id.gs1.org/01/09506000134353/21/1\"]"),
        "epcList/0", "check digit");
    /* AIs out of order in a Digital Link */
    expect_error(
        EV("\"action\":\"OBSERVE\",\"epcList\":[\"https://example.com/21/1/01/09506000134352\"]"),
        "epcList/0", "");
    expect_error("{\"type\":\"ObjectEvent\",\"eventTime\":\"2024-03-01T09:00:00\","
                 "\"eventTimeZoneOffset\":\"+08:00\",\"action\":\"ADD\","
                 "\"epcList\":[\"urn:epc:id:sgtin:0614141.107346.2019\"]}",
                 "eventTime", "time-zone offset");
    expect_error(EV("\"action\":\"MOVE\",\"epcList\":[\"urn:epc:id:sgtin:0614141.107346.1\"]"),
                 "action", "not ADD, OBSERVE or DELETE");
    expect_error(EV("\"epcList\":[\"urn:epc:id:sgtin:0614141.107346.1\"]"), "action", "required");
    expect_error("{\"type\":\"ObjectEvent\",\"eventTime\":\"2024-03-01T09:00:00Z\","
                 "\"eventTimeZoneOffset\":\"8:00\",\"action\":\"ADD\","
                 "\"epcList\":[\"urn:epc:id:sgtin:0614141.107346.3\"]}",
                 "eventTimeZoneOffset", "not a time-zone offset");
    expect_error(EV("\"action\":\"ADD\",\"quantityList\":[{\"epcClass\":\"urn:epc:class:lgtin:"
                    "4012345.012345.998877\",\"uom\":\"KGM\"}]"),
                 "quantityList/0/uom", "needs a quantity");
    expect_error(EV("\"action\":\"ADD\",\"quantityList\":[{\"epcClass\":\"urn:epc:class:lgtin:"
                    "4012345.012345.998877\",\"quantity\":\"lots\"}]"),
                 "quantityList/0/quantity", "must be a number");
    expect_error(EV("\"action\":\"ADD\""), "epcList", "needs epcList or quantityList");
    expect_error(EV("\"action\":\"ADD\",\"epcList\":[\"urn:epc:id:sgtin:0614141.107346.4\"],"
                    "\"bizStep\":\"teleporting\""),
                 "bizStep", "neither a CBV 2.0 business step");
    expect_error(
        EV("\"action\":\"ADD\",\"epcList\":[\"urn:epc:id:sgtin:0614141.107346.4\"],"
           "\"sensorElementList\":[{\"sensorMetadata\":{\"time\":\"2024-03-01T09:00:00Z\"}}]"),
        "sensorElementList/0/sensorReport", "non-empty array");
    expect_error(EV("\"action\":\"ADD\",\"epcList\":[\"urn:epc:id:sgtin:0614141.107346.4\"],"
                    "\"sensorElementList\":[{\"sensorReport\":[{\"type\":\"Temperature\","
                    "\"uom\":\"CEL\"}]}]"),
                 "sensorElementList/0/sensorReport/0/uom", "needs a numeric value");
    expect_error(EV("\"action\":\"ADD\",\"epcList\":[\"urn:epc:id:sgtin:0614141.107346.4\"],"
                    "\"errorDeclaration\":{\"reason\":\"incorrect_data\"}"),
                 "errorDeclaration/declarationTime", "required");
    expect_error(EV("\"action\":\"ADD\",\"epcList\":[\"urn:epc:id:sgtin:0614141.107346.4\"],"
                    "\"foo:bar\":\"1\""),
                 "foo:bar", "prefix 'foo' is not declared");
    expect_error(EV("\"action\":\"ADD\",\"epcList\":[\"urn:epc:id:sgtin:0614141.107346.4\"],"
                    "\"colour\":\"red\""),
                 "colour", "unknown field");
    expect_error(EV("\"action\":\"ADD\",\"epcList\":[\"urn:epc:id:sgtin:0614141.107346.4\"],"
                    "\"sourceList\":[{\"source\":\"urn:epc:id:pgln:4012345.00000\"}]"),
                 "sourceList/0/type", "required");
    expect_error("{\"type\":\"TransactionEvent\",\"eventTime\":\"2024-03-01T09:00:00Z\","
                 "\"eventTimeZoneOffset\":\"+00:00\",\"action\":\"ADD\","
                 "\"epcList\":[\"urn:epc:id:sgtin:0614141.107346.5\"]}",
                 "bizTransactionList", "at least one business transaction");
    expect_error("{\"type\":\"AggregationEvent\",\"eventTime\":\"2024-03-01T09:00:00Z\","
                 "\"eventTimeZoneOffset\":\"+00:00\",\"action\":\"ADD\","
                 "\"childEPCs\":[\"urn:epc:id:sgtin:0614141.107346.5\"]}",
                 "parentID", "required");
    expect_error("{\"type\":\"TransformationEvent\",\"eventTime\":\"2024-03-01T09:00:00Z\","
                 "\"eventTimeZoneOffset\":\"+00:00\","
                 "\"inputEPCList\":[\"urn:epc:id:sgtin:0614141.107346.5\"]}",
                 "outputEPCList", "needs inputs and outputs");
    expect_error("{\"type\":\"TransformationEvent\",\"eventTime\":\"2024-03-01T09:00:00Z\","
                 "\"eventTimeZoneOffset\":\"+00:00\",\"action\":\"ADD\","
                 "\"inputEPCList\":[\"urn:epc:id:sgtin:0614141.107346.5\"],"
                 "\"outputEPCList\":[\"urn:epc:id:sgtin:0614141.107346.6\"]}",
                 "action", "not a field of TransformationEvent");
    /* several problems in one event are all reported */
    char *text = doc1(EV("\"action\":\"JUMP\",\"bizStep\":\"teleporting\""));
    epcis_doc d;
    nqi_error err = {0};
    assert_int_equal(epcis_doc_parse(text, strlen(text), EPCIS_JSON, 100, &d, &err), 0);
    assert_true(json_array_size(d.errors) >= 3);
    epcis_doc_free(&d);
    free(text);
}

static void expect_doc_error(const char *text, epcis_format fmt, int code, const char *field,
                             const char *what)
{
    epcis_doc d;
    nqi_error err = {0};
    int rc = epcis_doc_parse(text, strlen(text), fmt, 3, &d, &err);
    assert_int_equal(rc, code);
    assert_true(err.nfields >= 1);
    assert_string_equal(err.fields[0].field, field);
    if (!strstr(err.fields[0].message, what))
        fail_msg("'%s' does not mention '%s'", err.fields[0].message, what);
}

static void test_document_errors(void **state)
{
    expect_doc_error("{\"type\":\"EPCISDocument\",", EPCIS_JSON, NQI_EBADREQ, "body", "");
    expect_doc_error("{\"@context\":\"https://example.com/ctx.jsonld\",\"type\":\"EPCISDocument\","
                     "\"epcisBody\":{\"eventList\":[]}}",
                     EPCIS_JSON, NQI_EINVAL, "@context", "EPCIS 2.0");
    expect_doc_error("{\"type\":\"EPCISDocument\",\"epcisBody\":{\"eventList\":[]}}", EPCIS_JSON,
                     NQI_EINVAL, "@context", "required");
    expect_doc_error("{\"@context\":\"https://ref.gs1.org/standards/epcis/epcis-context.jsonld\","
                     "\"type\":\"EPCISQueryDocument\"}",
                     EPCIS_JSON, NQI_EINVAL, "type", "EPCISDocument");
    /* over the capture limit (3 here): 413 before any event is looked at */
    expect_doc_error("{\"@context\":\"https://ref.gs1.org/standards/epcis/epcis-context.jsonld\","
                     "\"type\":\"EPCISDocument\",\"epcisBody\":{\"eventList\":[{},{},{},{}]}}",
                     EPCIS_JSON, NQI_ETOOBIG, "epcisBody/eventList", "at most 3");
    /* XML: malformed, wrong namespace, and any DTD (billion laughs) refused */
    expect_doc_error("<epcis:EPCISDocument xmlns:epcis=\"urn:epcglobal:epcis:xsd:2\"><EPCISBody>",
                     EPCIS_XML, NQI_EBADREQ, "body", "malformed XML");
    expect_doc_error("<epcis:EPCISDocument xmlns:epcis=\"urn:epcglobal:epcis:xsd:1\"><EPCISBody>"
                     "<EventList/></EPCISBody></epcis:EPCISDocument>",
                     EPCIS_XML, NQI_EINVAL, "@context", "urn:epcglobal:epcis:xsd:2");
    expect_doc_error("<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\"><!ENTITY lol2 "
                     "\"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">]>"
                     "<epcis:EPCISDocument xmlns:epcis=\"urn:epcglobal:epcis:xsd:2\"><EPCISBody>"
                     "<EventList><ObjectEvent><eventTime>&lol2;</eventTime></ObjectEvent>"
                     "</EventList></EPCISBody></epcis:EPCISDocument>",
                     EPCIS_XML, NQI_EBADREQ, "body", "DTD");
    /* the byte scan cannot see a UTF-16 DTD; the parsed document's is refused */
    {
        static const char x8[] =
            "<?xml version=\"1.0\" encoding=\"UTF-16\"?><!DOCTYPE d [<!ENTITY a "
            "\"aaaa\">]><epcis:EPCISDocument xmlns:epcis=\"urn:epcglobal:epcis:"
            "xsd:2\"><EPCISBody><EventList/></EPCISBody></epcis:EPCISDocument>";
        char x16[2 * sizeof x8 + 2];
        size_t n = 0;
        x16[n++] = (char)0xFF; /* UTF-16LE byte-order mark */
        x16[n++] = (char)0xFE;
        for (size_t i = 0; i + 1 < sizeof x8; i++) {
            x16[n++] = x8[i];
            x16[n++] = 0;
        }
        epcis_doc d;
        nqi_error err = {0};
        assert_int_equal(epcis_doc_parse(x16, n, EPCIS_XML, 3, &d, &err), NQI_EBADREQ);
        assert_non_null(strstr(err.fields[0].message, "DTD"));
    }
    /* external entities never load: there is no DTD to declare them */
    expect_doc_error("<!DOCTYPE x [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]><x>&xxe;</x>",
                     EPCIS_XML, NQI_EBADREQ, "body", "DTD");
}

/* ---- capture jobs against SQLite ---------------------------------------- */

typedef test_db fx; /* the whole fixture is the database (fixture.h) */

static json_t *capture(fx *f, const char *text, epcis_format fmt, bool proceed, int64_t *job)
{
    epcis_doc d;
    nqi_error err = {0};
    http_principal p = {.user_id = 1, .role = ROLE_ENTERPRISE};
    snprintf(p.username, sizeof p.username, "factory");
    snprintf(p.credit_code, sizeof p.credit_code, "91110000802100433B");
    if (epcis_doc_parse(text, strlen(text), fmt, 5000, &d, &err))
        fail_msg("parse: %s", err.message);
    epcis_capture_in in = {.owner_org = p.credit_code, .created_by = 1, .proceed = proceed};
    if (epcis_capture_run(f->c, &p, &in, &d, job, &err))
        fail_msg("capture: %s", err.message);
    epcis_doc_free(&d);
    json_t *out;
    if (epcis_capture_job_json(f->c, *job, NULL, &out, &err))
        fail_msg("job: %s", err.message);
    return out;
}

static void test_capture_rollback_and_proceed(void **state)
{
    fx *f = *state;
    size_t n;
    char *text = slurp("gs1_various_event_types.jsonld", &n);
    int64_t job;
    json_t *j = capture(f, text, EPCIS_JSON, false, &job);
    assert_string_equal(json_string_value(json_object_get(j, "status")), "success");
    assert_int_equal(json_integer_value(json_object_get(j, "captured")), 13);
    json_decref(j);
    assert_int_equal(test_db_int(f, "SELECT COUNT(*) FROM epcis_events"), 13);
    /* identifiers by role: 4 children, parent, 2 sources/4 destinations … */
    assert_int_equal(test_db_int(f, "SELECT COUNT(*) FROM epcis_event_ids WHERE role = 'child'"),
                     9);
    assert_int_equal(test_db_int(f, "SELECT COUNT(*) FROM epcis_event_ids WHERE role = "
                                    "'destination:location' AND ident = "
                                    "'https://id.gs1.org/414/4012345000122'"),
                     2);
    assert_int_equal(test_db_int(f, "SELECT COUNT(*) FROM epcis_event_ids WHERE is_class = 1 AND "
                                    "quantity = 2030 AND uom = 'KGM'"),
                     1);
    assert_int_equal(test_db_int(f, "SELECT COUNT(*) FROM epcis_events WHERE owner_org = "
                                    "'91110000802100433B' AND capture_job IS NOT NULL"),
                     13);
    /* the same document again (JSON or XML): every event is a duplicate;
     * rollback stores nothing and names the indexes */
    char *xml = slurp("gs1_various_event_types.xml", &n);
    j = capture(f, xml, EPCIS_XML, false, &job);
    assert_string_equal(json_string_value(json_object_get(j, "status")), "failed");
    assert_int_equal(json_integer_value(json_object_get(j, "captured")), 0);
    json_t *e0 = json_array_get(json_object_get(j, "errors"), 0);
    assert_string_equal(json_string_value(json_object_get(e0, "field")),
                        "epcisBody/eventList/0/eventID");
    assert_non_null(strstr(json_string_value(json_object_get(e0, "detail")), "already captured"));
    json_decref(j);
    assert_int_equal(test_db_int(f, "SELECT COUNT(*) FROM epcis_events"), 13);
    /* a new event plus an invalid one: rollback stores neither … */
    char *mixed =
        doc1(EV("\"action\":\"MOVE\",\"epcList\":[\"urn:epc:id:sgtin:0614141.107346.1\"]"));
    j = capture(f, mixed, EPCIS_JSON, false, &job);
    assert_string_equal(json_string_value(json_object_get(j, "status")), "failed");
    assert_int_equal(test_db_int(f, "SELECT COUNT(*) FROM epcis_events"), 13);
    json_decref(j);
    /* … proceed stores the valid one and reports the other */
    j = capture(f, mixed, EPCIS_JSON, true, &job);
    assert_string_equal(json_string_value(json_object_get(j, "captureErrorBehaviour")), "proceed");
    assert_int_equal(json_integer_value(json_object_get(j, "captured")), 1);
    assert_int_equal(json_array_size(json_object_get(j, "errors")), 1);
    json_decref(j);
    assert_int_equal(test_db_int(f, "SELECT COUNT(*) FROM epcis_events"), 14);
    /* every job left an audit record */
    assert_int_equal(
        test_db_int(f, "SELECT COUNT(*) FROM audit_log WHERE action = 'epcis.capture'"), 4);
    free(mixed);
    free(xml);
    free(text);
}

static void test_error_declaration_marks_event(void **state)
{
    fx *f = *state;
    static const char base[] =
        "{\"@context\":\"https://ref.gs1.org/standards/epcis/epcis-context.jsonld\","
        "\"type\":\"EPCISDocument\",\"epcisBody\":{\"eventList\":[{\"type\":\"ObjectEvent\","
        "\"eventTime\":\"2024-03-01T09:00:00+08:00\",\"eventTimeZoneOffset\":\"+08:00\","
        "\"action\":\"OBSERVE\",\"bizStep\":\"shipping\","
        "\"epcList\":[\"https://id.gs1.org/01/09506000134352/21/7\"]%s}]}}";
    char *orig = xasprintf(base, "");
    char *decl = xasprintf(base, ",\"errorDeclaration\":{\"declarationTime\":"
                                 "\"2024-03-02T10:00:00+08:00\",\"reason\":\"did_not_occur\"}");
    int64_t job;
    json_decref(capture(f, orig, EPCIS_JSON, false, &job));
    json_t *j = capture(f, decl, EPCIS_JSON, false, &job);
    assert_string_equal(json_string_value(json_object_get(j, "status")), "success");
    json_decref(j);
    /* one event, now declared erroneous (no second row) */
    assert_int_equal(test_db_int(f, "SELECT COUNT(*) FROM epcis_events"), 1);
    assert_int_equal(test_db_int(f, "SELECT COUNT(*) FROM epcis_events WHERE error_reason = "
                                    "'did_not_occur' AND error_declared_at IS NOT NULL"),
                     1);
    assert_int_equal(test_db_int(f, "SELECT COUNT(*) FROM epcis_event_ids"), 1);
    /* declaring it twice is a conflict */
    j = capture(f, decl, EPCIS_JSON, false, &job);
    assert_string_equal(json_string_value(json_object_get(j, "status")), "failed");
    json_decref(j);
    free(orig);
    free(decl);
}

static void test_recover_interrupted(void **state)
{
    fx *f = *state;
    nqi_error err = {0};
    /* a job left 'running' by a process that died */
    assert_int_equal(store_exec(f->c,
                                "INSERT INTO epcis_capture_jobs (behaviour, status, event_count, "
                                "created_at) VALUES ('rollback', 'running', 500, 1000)",
                                NULL, 0, NULL, &err),
                     0);
    int64_t marked = -1;
    assert_int_equal(epcis_capture_recover(f->c, now_ms(), &marked, &err), 0);
    assert_int_equal(marked, 1);
    assert_int_equal(
        test_db_int(f, "SELECT COUNT(*) FROM epcis_capture_jobs WHERE status = 'running'"), 0);
    json_t *list;
    assert_int_equal(epcis_capture_job_list(f->c, NULL, 10, 0, &list, &err), 0);
    json_t *e = json_array_get(
        json_object_get(json_array_get(json_object_get(list, "items"), 0), "errors"), 0);
    assert_non_null(strstr(json_string_value(json_object_get(e, "detail")), "interrupted"));
    json_decref(list);
    /* a job of this process (created after the cut-off) is left alone */
    assert_int_equal(epcis_capture_recover(f->c, 500, &marked, &err), 0);
    assert_int_equal(marked, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hash_shipping),
        cmocka_unit_test(test_hash_sensor_and_error_declaration),
        cmocka_unit_test(test_hash_various_types_json_and_xml),
        cmocka_unit_test(test_time),
        cmocka_unit_test(test_validation),
        cmocka_unit_test(test_document_errors),
        cmocka_unit_test_setup_teardown(test_capture_rollback_and_proceed, test_db_setup,
                                        test_db_teardown),
        cmocka_unit_test_setup_teardown(test_error_declaration_marks_event, test_db_setup,
                                        test_db_teardown),
        cmocka_unit_test_setup_teardown(test_recover_interrupted, test_db_setup, test_db_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
