/*
 * query.h — the read side of the EPCIS repository (issue 5): the standard
 * EPCIS 2.0 query compiled to one parameterised SQL statement over
 * epcis_events / epcis_event_ids (query.c), output in the GS1-EPC-Format the
 * client asked for, genealogy walks (genealogy.c), recall scope (recall.c),
 * regulatory exports (exports.c), the consumer page (consumer.c) and the
 * tables they export (sheet.c). docs/modules/trace.md is the contract.
 *
 * Ownership: functions that produce JSON return a new reference through
 * **out; strings through char ** are malloc'd and the caller frees them.
 * Inputs are borrowed. Nothing here keeps state between calls except the
 * subscription worker (query_sub.c), which owns its thread.
 */
#ifndef NQI_TRACE_QUERY_H
#define NQI_TRACE_QUERY_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/app.h"
#include "core/http.h"
#include "core/store.h"
#include "core/util.h"

/* ---------------------------------------------------------------- who sees what */

/* Which events a caller may read: staff everything, an enterprise its own
 * organisation's events plus those marked public, the public (consumer page)
 * public events only. */
typedef struct trace_vis {
    bool all;
    bool public_only;
    const char *org; /* credit code, when neither of the above */
} trace_vis;

trace_vis trace_vis_of(const http_principal *p);

/* ---------------------------------------------------------------- EPCIS query */

/* GS1-EPC-Format: how identifiers are written in the output. */
typedef enum epc_format {
    EPC_FMT_DL = 0,   /* Always_GS1_Digital_Link (default) */
    EPC_FMT_URN,      /* Always_EPC_URN (falls back to the Digital Link when the
                         company-prefix length is unknown) */
    EPC_FMT_ANY       /* No_Preference: as stored (canonical) */
} epc_format;

/* The header value (NULL = default); -1 for a value EPCIS does not define. */
int epc_format_parse(const char *header);
const char *epc_format_name(epc_format f);

/* A query parameter as received: name and value; list values are separated
 * by '|' (REST binding) — a JSON array in a named query becomes one. */
typedef struct epcis_param {
    const char *name, *value;
} epcis_param;

typedef struct epcis_query epcis_query; /* opaque, query.c */

/* Compile params into a query. Unknown parameters, bad values, unsupported
 * ones: NQI_EBADREQ (the EPCIS QueryParameterException, 400) with a field
 * error naming the parameter. paging: whether perPage / nextPageToken are
 * accepted (not inside a stored named query). */
int epcis_query_compile(const epcis_param *params, int n, const trace_vis *vis, bool paging,
                        epcis_query **out, nqi_error *err);
void epcis_query_free(epcis_query *q);
/* Add one more condition as a parameter (the resource paths:
 * /epcs/{epc}/events is MATCH_epc + the request's parameters). */
int epcis_query_add(epcis_query *q, const char *name, const char *value, nqi_error *err);

/* Run one page. *events gets the JSON array of events (identifiers in fmt),
 * *next_token the token of the next page or NULL. after_id >= 0 (-1: off) restricts to
 * events stored after that row (subscriptions), in row order; *last_id gets
 * the last row id returned (may be NULL). */
int epcis_query_run(store_conn *c, epcis_query *q, epc_format fmt, int64_t after_id,
                    json_t **events, char **next_token, int64_t *last_id, nqi_error *err);

/* {"@context", "type": "EPCISQueryDocument", ..., "epcisBody": {"queryResults":
 * {"queryName", "subscriptionID"?, "resultsBody": {"eventList": events}}}}.
 * Steals events. */
json_t *epcis_query_document(const char *query_name, const char *subscription_id,
                             json_t *events);

/* One stored event (doc column) as output: parsed, identifiers rewritten in
 * fmt, recordTime added. NULL when doc is not JSON (a store defect). */
json_t *epcis_event_out(const char *doc, int64_t record_time, epc_format fmt);

/* An identifier from a URL or parameter in canonical form (trace/gs1.h);
 * a value that is not a GS1 / nqi identifier at all is kept as given (EPCIS
 * allows any URI). A GS1 identifier that is wrong (check digit, AI order)
 * is an error on field. */
int trace_canon(const char *in, const char *field, char *out, size_t n, nqi_error *err);
/* id written in fmt (canonical in, malloc'd out). */
char *trace_id_format(const char *canonical, epc_format fmt);

/* A CBV value's bare name: "urn:epcglobal:cbv:bizstep:shipping",
 * "https://ns.gs1.org/cbv/BizStep-shipping" and "shipping" are all
 * "shipping". Other URIs are returned whole. Writes into out. */
void cbv_bare(const char *v, char *out, size_t n);

/* The parameters answered from the stored document (query_ext.c):
 * extension / ILMD / sensor fields. epcis_ext_compile returns 1 when name is
 * none of them, 0 when added, the error code otherwise; the condition is
 * kept in both SQL dialects and epcis_ext_where hands out the one of kind
 * (" AND (…)" fragments; "" when x is NULL) and its parameters. */
typedef struct epcis_ext epcis_ext;
int epcis_ext_compile(epcis_ext **x, const char *name, const char *value, nqi_error *err);
void epcis_ext_where(const epcis_ext *x, store_kind_t kind, const char **sql,
                     const store_val **params, int *n);
void epcis_ext_free(epcis_ext *x);

/* ---------------------------------------------------------------- schedules */

/* A QuerySchedule (query_sched.c): per field (0 second, 1 minute, 2 hour,
 * 3 dayOfMonth, 4 month, 5 dayOfWeek) the allowed values as bits; a field
 * not in `given` matches every value. */
typedef struct epcis_schedule {
    uint64_t bits[6];
    unsigned given;
} epcis_schedule;

/* Parse the `schedule` object; errors are NQI_EINVAL on "schedule.<field>"
 * (a schedule no date can match is an error on schedule.dayOfMonth). */
int epcis_schedule_parse(const json_t *obj, epcis_schedule *s, nqi_error *err);
/* The first run time (Unix ms, whole second) strictly after after_ms, the
 * fields read at UTC offset offset_s; -1 when no time ever matches. */
int64_t epcis_schedule_next(const epcis_schedule *s, int64_t after_ms, int offset_s);

/* ---------------------------------------------------------------- genealogy */

typedef enum { TRACE_BACKWARD = 0, TRACE_FORWARD = 1 } trace_dir;

typedef struct trace_opts {
    trace_dir dir;
    const char *const *ids; /* canonical identifiers to start from */
    int nids;
    int max_depth;          /* hops between identifiers (1..64) */
    int64_t from_ms, to_ms; /* time window, INT64_MIN / INT64_MAX for none */
    trace_vis vis;
    epc_format fmt;
    bool with_docs;         /* include the events' documents in "events" */
    bool no_edges;          /* leave "edges" empty (recall does not show them) */
} trace_opts;

/* The walk: {"direction", "start", "nodes", "edges", "events", "items",
 * "truncated"}. See genealogy.c for the rules. */
int trace_walk(store_conn *c, const trace_opts *o, json_t **out, nqi_error *err);

/* Recall scope of suspect lots (canonical ids): {"suspects", "lots",
 * "containers", "locations", "parties", "events", "counts"}. */
int trace_recall(store_conn *c, const char *const *ids, int nids, const trace_vis *vis,
                 int64_t from_ms, json_t **out, nqi_error *err);
/* The scope as a table file; format "xlsx" or "csv". */
int trace_recall_file(const json_t *scope, const char *format, char **out, size_t *len,
                      nqi_error *err);

/* ---------------------------------------------------------------- exports */

/* FSMA 204 sortable spreadsheet: one row per critical tracking event for a
 * product (GTIN, canonical) in [from, to). */
int trace_fsma204(store_conn *c, const char *gtin_canon, int64_t from_ms, int64_t to_ms,
                  const trace_vis *vis, const char *format, char **out, size_t *len,
                  nqi_error *err);
/* Per-lot trace report (GB/T 38155 terms / GB/T 38158): JSON. */
int trace_lot_report(store_conn *c, const char *lot_canon, const trace_vis *vis, json_t **out,
                     nqi_error *err);
int trace_lot_report_xlsx(const json_t *report, char **out, size_t *len, nqi_error *err);

/* ---------------------------------------------------------------- tables */

/* A table written as CSV (UTF-8 with BOM, RFC 4180, formula-guarded) or
 * xlsx (bold header, frozen, autofilter). rows: JSON array of arrays of
 * strings / numbers / null. title names the sheet. */
int trace_sheet(const char *title, const char *const *heads, int ncols, const json_t *rows,
                const char *format, char **out, size_t *len, nqi_error *err);
/* Several sheets in one workbook: sheets is [{title, heads:[…], rows:[[…]]}]. */
int trace_workbook(const json_t *sheets, char **out, size_t *len, nqi_error *err);

/* ---------------------------------------------------------------- wiring */

void trace_query_routes(http_server *s);          /* query_http.c */
void trace_consumer_routes(http_server *s);       /* consumer.c */
/* The consumer page of a Digital Link path "/01/{gtin}/10/{lot}" (public
 * events only). NQI_ENOTFOUND (Chinese message) for a bad key or no public
 * event. *html is malloc'd. */
int trace_consumer_html(store_conn *c, const char *path, char **html, size_t *len,
                        nqi_error *err);
int trace_demo(nqi_app *app, store_conn *c, nqi_error *err); /* trace_demo.c */
void trace_sub_routes(http_server *s);            /* query_sub.c */
/* A stored named query (JSON object of parameters) compiled for vis. */
int trace_query_stored(const char *json, const trace_vis *vis, epcis_query **q, nqi_error *err);
/* The UTC offset (seconds) schedules are read at: NQI_TRACE_SCHEDULE_OFFSET
 * ("+08:00"); 0 (UTC) when unset or malformed. */
int trace_schedule_offset(void);
/* The delivery worker (query_deliver.c). */
int trace_sub_start(nqi_app *app, nqi_error *err);
void trace_sub_stop(nqi_app *app);
/* One pass of subscription delivery (also called by tests): *sent gets the
 * number of documents acknowledged. */
int trace_sub_run(store_conn *c, int *sent, nqi_error *err);

/* ---------------------------------------------------------------- fixtures */

/* An event written straight into epcis_events / epcis_event_ids, for the
 * demo supply chain, tests and benchmarks (the capture path validates and
 * hashes; this does not). ids: role as in 0011_trace.sql, canonical ident,
 * qty > 0 for a class (quantity) entry. extra: a JSON object whose members
 * are added to the document (ilmd, extensions). event_hash is
 * "demo:sha-256;<hex of the document>" — not a CBV 2.0 event hash. */
typedef struct tfx_id {
    const char *role, *ident;
    double qty;
    const char *uom;
} tfx_id;

#define TFX_MAX_IDS 12
typedef struct tfx_event {
    const char *event_id, *type, *action, *time; /* time: ISO 8601 with offset */
    const char *step, *disp, *loc, *rp, *xform, *owner;
    int pub;
    tfx_id ids[TFX_MAX_IDS];
    const char *extra;
    const char *error_at, *error_reason, *corrective; /* corrective: one event id */
} tfx_event;

int trace_fixture_insert(store_conn *c, const tfx_event *ev, int64_t *row, nqi_error *err);

/* A CBV business step in Chinese ("shipping" -> "发货"); the input when unknown. */
const char *trace_step_zh(const char *step);

/* Milliseconds as ISO 8601 in the event's own offset ("+08:00"). */
char *trace_time_local(int64_t ms, const char *tz, char *buf, size_t n);

#endif
