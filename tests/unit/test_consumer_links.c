/*
 * test_consumer_links.c — certificates on the consumer trace page: capture
 * takes certificationInfo in the shapes of the EPCIS 2.0 JSON schema (a URI
 * or an array of URIs) and CBV 2.0 cbvmda:certificationList in the ILMD,
 * refuses what is not a URI with the element's path, and
 * consumer_certificates collects them from stored event documents once
 * each, linking only web URIs.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/util.h"
#include "trace/consumer_links.h"
#include "trace/epcis.h"

/* A document with one ObjectEvent carrying `extra` (JSON members). */
static int parse(const char *extra, epcis_doc *d)
{
    char *text = xasprintf(
        "{\"@context\":[\"https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld\"],"
        "\"type\":\"EPCISDocument\",\"schemaVersion\":\"2.0\","
        "\"creationDate\":\"2026-10-03T08:00:00+08:00\",\"epcisBody\":{\"eventList\":["
        "{\"type\":\"ObjectEvent\",\"eventTime\":\"2026-10-03T08:30:00.000+08:00\","
        "\"eventTimeZoneOffset\":\"+08:00\",\"action\":\"ADD\",\"bizStep\":\"commissioning\","
        "\"quantityList\":[{\"epcClass\":\"https://id.gs1.org/01/09506000134352/10/DHX261003\","
        "\"quantity\":2730,\"uom\":\"EA\"}]%s]}}",
        extra);
    nqi_error err = {0};
    int rc = epcis_doc_parse(text, strlen(text), EPCIS_JSON, 10, d, &err);
    free(text);
    if (rc)
        fail_msg("document rejected: %s", err.message);
    return (int)d->n;
}

static bool has_error(const epcis_doc *d, const char *field)
{
    size_t i;
    json_t *e;
    json_array_foreach(d->errors, i, e)
    {
        char want[128];
        snprintf(want, sizeof want, "epcisBody/eventList/0/%s", field);
        if (!strcmp(json_string_value(json_object_get(e, "field")), want))
            return true;
    }
    return false;
}

static void test_capture_accepts_standard_shapes(void **state)
{
    epcis_doc d;
    /* one URI */
    assert_int_equal(parse(",\"certificationInfo\":\"https://cx.cnca.cn/cert/010OP2600123\"}", &d),
                     1);
    assert_string_equal(json_string_value(json_object_get(d.ev[0].doc, "certificationInfo")),
                        "https://cx.cnca.cn/cert/010OP2600123");
    epcis_doc_free(&d);
    /* an array of URIs, and a certification list in the ILMD */
    assert_int_equal(
        parse(",\"certificationInfo\":[\"https://cx.cnca.cn/cert/1\",\"urn:example:cert:2\"],"
              "\"ilmd\":{\"cbvmda:certificationList\":{\"certification\":[{"
              "\"certificationStandard\":\"GB/T 19630-2019\",\"certificationAgency\":"
              "\"中绿华夏有机产品认证中心\",\"certificationIdentification\":\"010OP2600123\"}]}}}",
              &d),
        1);
    assert_int_equal(json_array_size(json_object_get(d.ev[0].doc, "certificationInfo")), 2);
    assert_non_null(
        json_object_get(json_object_get(d.ev[0].doc, "ilmd"), "cbvmda:certificationList"));
    epcis_doc_free(&d);
}

static void test_capture_refuses_non_uris(void **state)
{
    epcis_doc d;
    assert_int_equal(parse(",\"certificationInfo\":\"有机产品证书\"}", &d), 0);
    assert_true(has_error(&d, "certificationInfo"));
    epcis_doc_free(&d);
    assert_int_equal(
        parse(",\"certificationInfo\":[\"https://cx.cnca.cn/cert/1\",\"010OP2600123\"]}", &d), 0);
    assert_true(has_error(&d, "certificationInfo/1"));
    assert_false(has_error(&d, "certificationInfo/0"));
    epcis_doc_free(&d);
    assert_int_equal(parse(",\"certificationInfo\":{\"id\":\"https://x.example/1\"}}", &d), 0);
    assert_true(has_error(&d, "certificationInfo"));
    epcis_doc_free(&d);
}

static void test_collect(void **state)
{
    json_error_t je;
    json_t *docs = json_loads(
        "[{\"certificationInfo\":\"https://cx.cnca.cn/cert/1\"},"
        " {\"certificationInfo\":[\"https://cx.cnca.cn/cert/1\",\"urn:example:cert:2\"]},"
        " {\"ilmd\":{\"cbvmda:certificationList\":{\"certification\":{"
        "   \"gs1:certificationStandard\":\"NY/T 419-2021\",\"certificationAgency\":"
        "   \"中国绿色食品发展中心\",\"certificationValue\":\"绿色食品A级\","
        "   \"certificationIdentification\":\"LB-18-26100123456A\"}}}},"
        " {\"ilmd\":{\"cbvmda:certificationList\":[{\"certificationStandard\":"
        "   \"GB/T 19630-2019\",\"certificationInfo\":\"javascript:alert(1)\"}]}},"
        " {\"certificationInfo\":42}, {\"ilmd\":{}}]",
        0, &je);
    assert_non_null(docs);
    json_t *c = consumer_certificates(docs);
    assert_int_equal(json_array_size(c), 4); /* cert/1 once */
    json_t *a = json_array_get(c, 0), *b = json_array_get(c, 1), *g = json_array_get(c, 2),
           *o = json_array_get(c, 3);
    assert_string_equal(json_string_value(json_object_get(a, "link")), "https://cx.cnca.cn/cert/1");
    assert_string_equal(json_string_value(json_object_get(b, "uri")), "urn:example:cert:2");
    assert_null(json_object_get(b, "link")); /* shown, not linked */
    assert_string_equal(json_string_value(json_object_get(g, "standard")), "NY/T 419-2021");
    assert_string_equal(json_string_value(json_object_get(g, "agency")), "中国绿色食品发展中心");
    assert_string_equal(json_string_value(json_object_get(g, "value")), "绿色食品A级");
    assert_string_equal(json_string_value(json_object_get(g, "identification")),
                        "LB-18-26100123456A");
    assert_string_equal(json_string_value(json_object_get(o, "standard")), "GB/T 19630-2019");
    assert_null(json_object_get(o, "link")); /* a javascript: URI is never a link */
    json_decref(c);
    json_decref(docs);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_capture_accepts_standard_shapes),
        cmocka_unit_test(test_capture_refuses_non_uris),
        cmocka_unit_test(test_collect),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
