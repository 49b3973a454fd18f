/*
 * epcis.h — the EPCIS 2.0 event model of the trace module: parse an
 * EPCISDocument (JSON-LD or XML binding), validate and normalise each
 * event, compute its CBV 2.0 event hash, store it. Capture jobs and their
 * HTTP routes (capture.c, capture_http.c) are built on this; the query side
 * reads what epcis_event_store wrote. docs/modules/epcis.md is the contract.
 *
 * The normalised event is a JSON-LD object in which
 *   - every identifier (epcList, parentID, epcClass, readPoint id, source,
 *     destination, bizTransaction, sensor deviceID…) that trace/gs1 can read
 *     is in its canonical form (gs1_canonical); other URIs are kept trimmed;
 *   - CBV values (bizStep, disposition, persistentDisposition, source/
 *     destination/bizTransaction type, error reason) are bare CBV 2.0 names
 *     ("shipping"); values outside CBV keep their URI;
 *   - times are UTC with 3 fractional digits ("2022-02-16T11:50:00.000Z");
 *     eventTimeZoneOffset keeps the captured offset;
 *   - quantities and sensor values are JSON numbers (integers when whole);
 *   - keys come in one fixed order (standard fields in EPCIS order, then
 *     extension fields sorted), extension fields keep "prefix:local" keys
 *     and the event carries "@context": [{prefix: namespace}] for them;
 *   - "eventID" is present: as captured, or the event hash when absent.
 * The same event captured as XML and as JSON-LD normalises to the same
 * JSON text (when both use the same namespace prefixes) and always to the
 * same hash.
 *
 * Ownership: epcis_doc_parse fills an epcis_doc the caller frees with
 * epcis_doc_free (it owns every json_t inside). Functions taking a json_t
 * borrow it. Strings in epcis_event are owned by the event.
 */
#ifndef NQI_TRACE_EPCIS_H
#define NQI_TRACE_EPCIS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "core/store.h"

/* "ni:///sha-256;" + 64 hex + "?ver=CBV2.0" + NUL */
#define EPCIS_HASH_MAX 96
/* Default capture limits (advertised by OPTIONS /api/v1/epcis/capture;
 * NQI_EPCIS_CAPTURE_LIMIT / NQI_EPCIS_CAPTURE_SIZE_LIMIT override). */
#define EPCIS_CAPTURE_LIMIT_DEFAULT 5000
#define EPCIS_CAPTURE_SIZE_DEFAULT (16u * 1024 * 1024)

typedef enum epcis_format { EPCIS_JSON = 1, EPCIS_XML = 2 } epcis_format;

typedef struct epcis_event {
    size_t index;   /* position in the document's eventList */
    json_t *doc;    /* the normalised event (owned) */
    char *event_id; /* doc's eventID (owned) */
    char hash[EPCIS_HASH_MAX];
    const char *type;    /* points into doc */
    int64_t event_time;  /* Unix ms, UTC */
    bool error_declared; /* carries an errorDeclaration */
    char *json;          /* doc serialised without recordTime (owned), set by
                            epcis_events_prepare; NULL until then */
} epcis_event;

typedef struct epcis_doc {
    size_t total; /* events in the document */
    size_t n;     /* valid events, in document order */
    epcis_event *ev;
    json_t *errors; /* [{index, field, detail}] of invalid events */
} epcis_doc;

/* Parse a whole EPCISDocument. Document-level problems fail the call:
 * NQI_EBADREQ (malformed JSON/XML, a DTD), NQI_EINVAL (not an
 * EPCISDocument, missing or wrong @context / XML namespace, no eventList),
 * NQI_ETOOBIG (more than max_events events). Event-level problems do not:
 * the event is left out of out->ev and every problem is listed in
 * out->errors with the field as "epcisBody/eventList/<i>/<field>". */
int epcis_doc_parse(const char *body, size_t len, epcis_format fmt, size_t max_events,
                    epcis_doc *out, nqi_error *err);
void epcis_doc_free(epcis_doc *d);

/* One event as sent to POST /api/v1/epcis/events (JSON-LD; an "@context"
 * of its own is optional there). Errors name the field without prefix;
 * all of them are appended to *errors as for a document. Returns
 * NQI_EINVAL when the event is invalid. */
int epcis_event_parse_one(const char *body, size_t len, epcis_event *out, json_t *errors,
                          nqi_error *err);
void epcis_event_clear(epcis_event *e);

/* Validate and normalise one raw JSON-LD event (epcis_validate.c). ctx maps
 * declared prefixes to namespaces (the document's and the event's
 * @context). Problems are appended to errors as {index, field, detail},
 * field = prefix + path. On success *out is the normalised event. */
int epcis_event_check(json_t *raw, const json_t *ctx, size_t index, const char *prefix,
                      json_t *errors, epcis_event *out);

/* The CBV 2.0 event hash of a normalised event: "ni:///sha-256;<hex>?ver=CBV2.0".
 * prehash (may be NULL) gets the malloc'd pre-hash string. */
int epcis_event_hash(const json_t *ev, char out[EPCIS_HASH_MAX], char **prehash);

/* Parse an xsd:dateTime with offset into Unix ms (rounded to ms); -1 when
 * malformed or without offset. */
int epcis_time_parse(const char *s, int64_t *ms);
/* Unix ms as "YYYY-MM-DDTHH:MM:SS.mmmZ" (buf >= 32). */
void epcis_time_format(int64_t ms, char *buf);

/* Store one valid event with its identifier rows inside the caller's write
 * transaction (epcis_store.c). *row_id gets epcis_events.id. A second
 * capture of the same eventID (or hash) is NQI_ECONFLICT without touching
 * the transaction (so proceed-mode capture can go on, also on PostgreSQL);
 * an event carrying an errorDeclaration for a stored event with the same
 * hash marks that event instead. */
int epcis_event_store(store_conn *c, const epcis_event *e, const char *owner_org, int64_t job,
                      int64_t record_time, int64_t *row_id, nqi_error *err);

/* Store a document's valid events in order, inside the caller's write
 * transaction, with multi-row INSERTs (EVENTS_PER_STMT events, identifier
 * rows 100 at a time: a few statements per document, which is what makes
 * PostgreSQL usable). An event already captured (also earlier in the same
 * document) is reported through on_conflict and skipped; *stored counts
 * the others. Returns a store error only (the transaction is then dead). */
typedef void (*epcis_conflict_fn)(void *ctx, const epcis_event *e, const char *message);
int epcis_events_store(store_conn *c, const epcis_event *ev, size_t n, const char *owner_org,
                       int64_t job, int64_t record_time, epcis_conflict_fn on_conflict, void *ctx,
                       size_t *stored, nqi_error *err);

/* The part of storing that needs no database (serialising each event),
 * done on the caller's thread so the one SQLite writer does only database
 * work. Optional: epcis_events_store serialises what is not prepared. */
void epcis_events_prepare(epcis_doc *d);

/* HTTP routes of the capture side (capture_http.c); called from
 * trace_module's routes. */
struct http_server;
void epcis_capture_routes(struct http_server *s);

/* The trace module's start hook: fail capture jobs an earlier process left
 * 'running' (see epcis_capture_recover). */
struct nqi_app;
int epcis_capture_start(struct nqi_app *app, nqi_error *err);

/* Capture jobs (capture.c). */
typedef struct epcis_capture_in {
    const char *owner_org; /* may be NULL */
    int64_t created_by;
    bool proceed; /* GS1-Capture-Error-Behaviour: proceed */
} epcis_capture_in;

/* Run a whole capture of a parsed document as a job: the job row is
 * committed as 'running' first, then the events and the final status are
 * committed in one transaction. *job_id is set as soon as the job exists
 * (also when the capture fails later). */
struct http_principal;
int epcis_capture_run(store_conn *c, const struct http_principal *actor, const epcis_capture_in *in,
                      epcis_doc *d, int64_t *job_id, nqi_error *err);
/* On SQLite, run captures on one writer thread from now on (capture_writer.c;
 * called by the start hook of `nqi serve`). No-op on PostgreSQL. */
int epcis_capture_writer_start(store *st, nqi_error *err);
/* The job as JSON {id, status, behaviour, event_count, captured, errors,
 * created_at, finished_at, owner_org}. org != NULL restricts to that
 * owner (NQI_ENOTFOUND otherwise). */
int epcis_capture_job_json(store_conn *c, int64_t id, const char *org, json_t **out,
                           nqi_error *err);
int epcis_capture_job_list(store_conn *c, const char *org, int64_t limit, int64_t cursor,
                           json_t **out, nqi_error *err);
/* Mark 'running' jobs created before `before` (Unix ms) as failed
 * ("interrupted"). Called by the trace module's start hook. */
int epcis_capture_recover(store_conn *c, int64_t before, int64_t *marked, nqi_error *err);

#endif
