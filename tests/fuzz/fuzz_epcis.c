/*
 * fuzz_epcis.c — libFuzzer target for the EPCIS capture parser
 * (epcis_doc_parse, both bindings) and the event hash.
 *
 * The first byte picks the binding (even: JSON-LD, odd: XML). Invariants
 * (abort() when violated):
 *  - the result is 0 or one of NQI_EBADREQ / NQI_EINVAL / NQI_ETOOBIG with a
 *    message;
 *  - on success every event is either valid (in d.ev) or has at least one
 *    error naming its index: n + (events with errors) == total;
 *  - a valid event has an eventID and a hash "ni:///sha-256;<64 hex>?ver=
 *    CBV2.0", and hashing its normalised form again gives the same hash
 *    (normalisation is stable);
 *  - re-parsing the normalised event (as a one-event JSON-LD document)
 *    yields the identical normalised text (normalise(normalise(x)) ==
 *    normalise(x)).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "trace/epcis.h"

static void check_event(const epcis_event *e)
{
    char h[EPCIS_HASH_MAX];
    if (!e->event_id || strncmp(e->hash, "ni:///sha-256;", 14) || strlen(e->hash) != 14 + 64 + 11)
        abort();
    epcis_event_hash(e->doc, h, NULL);
    if (strcmp(h, e->hash))
        abort();
    /* normalising the normalised event changes nothing */
    json_t *copy = json_deep_copy(e->doc);
    json_object_del(copy, "recordTime");
    char *one = json_dumps(copy, JSON_COMPACT | JSON_PRESERVE_ORDER);
    char *doc = NULL;
    size_t n = strlen(one) + 200;
    doc = malloc(n);
    snprintf(doc, n,
             "{\"@context\":\"https://ref.gs1.org/standards/epcis/epcis-context.jsonld\","
             "\"type\":\"EPCISDocument\",\"epcisBody\":{\"eventList\":[%s]}}",
             one);
    epcis_doc d;
    nqi_error err = {0};
    if (epcis_doc_parse(doc, strlen(doc), EPCIS_JSON, 10, &d, &err) || d.n != 1)
        abort();
    char *again = json_dumps(d.ev[0].doc, JSON_COMPACT | JSON_PRESERVE_ORDER);
    if (strcmp(again, one) || strcmp(d.ev[0].hash, e->hash))
        abort();
    free(again);
    epcis_doc_free(&d);
    free(doc);
    free(one);
    json_decref(copy);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!size || size > 1 << 16)
        return 0;
    epcis_format fmt = data[0] & 1 ? EPCIS_XML : EPCIS_JSON;
    epcis_doc d;
    nqi_error err = {0};
    int rc = epcis_doc_parse((const char *)data + 1, size - 1, fmt, 100, &d, &err);
    if (rc) {
        if ((rc != NQI_EBADREQ && rc != NQI_EINVAL && rc != NQI_ETOOBIG) || !err.message[0])
            abort();
        return 0;
    }
    size_t bad = 0, last = (size_t)-1;
    size_t i;
    json_t *e;
    json_array_foreach(d.errors, i, e)
    {
        size_t idx = (size_t)json_integer_value(json_object_get(e, "index"));
        if (idx >= d.total)
            abort();
        if (idx != last)
            bad++;
        last = idx;
    }
    if (d.n + bad != d.total && json_array_size(d.errors) < 10000)
        abort();
    for (size_t k = 0; k < d.n; k++)
        check_event(&d.ev[k]);
    epcis_doc_free(&d);
    return 0;
}
