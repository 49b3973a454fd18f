/*
 * epcis_internal.h — shared by the epcis_*.c files only (not by the query
 * side): the checking context, the value normalisers of epcis_norm.c, the
 * @context prefix map and the CBV vocabularies.
 */
#ifndef NQI_TRACE_EPCIS_INTERNAL_H
#define NQI_TRACE_EPCIS_INTERNAL_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "trace/epcis.h"

#define EPCIS_MAX_ERRORS 10000 /* per-event errors kept for one job */
#define EPCIS_MAX_DEPTH 32     /* nesting of extension values / XML elements */

/* The EPCIS 2.0 JSON-LD contexts accepted in @context. */
extern const char *const epcis_contexts[];

typedef struct vocab {
    const char *urn;   /* urn:epcglobal:cbv:bizstep: */
    const char *web;   /* https://ref.gs1.org/cbv/BizStep- */
    const char *curie; /* cbv:BizStep- */
    const char *const *names;
    const char *what;
} vocab;
extern const vocab epcis_vocab_bizstep, epcis_vocab_disp, epcis_vocab_btt, epcis_vocab_sdt,
    epcis_vocab_er;

/* Checking context of one event. */
typedef struct chk {
    json_t *errors; /* where problems go ({index, field, detail}) */
    size_t index;
    const char *prefix; /* "epcisBody/eventList/3/" */
    const json_t *ctx;  /* declared prefixes {prefix: namespace} */
    json_t *used;       /* prefixes the event's extensions use */
    int nerr;
} chk;

void ck_bad(chk *k, const char *path, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
bool ck_tz_offset_ok(const char *s);
const char *ck_str_of(chk *k, json_t *v, const char *path);
bool ck_is_uri(const char *s);
json_t *ck_norm_id(chk *k, json_t *v, const char *path);
json_t *ck_norm_cbv(chk *k, json_t *jv, const char *path, const vocab *v);
json_t *ck_norm_time(chk *k, json_t *v, const char *path, int64_t *ms_out);
json_t *ck_norm_num(chk *k, json_t *v, const char *path, bool nonneg);
bool ck_ext_key(chk *k, const char *key, const char *path);
json_t *ck_ext_value(chk *k, json_t *v, const char *path, int depth);
void ck_extensions(chk *k, json_t *src, json_t *dst, const char *const *std, const char *base);
json_t *ck_id_list(chk *k, json_t *v, const char *name);
json_t *ck_quantity_list(chk *k, json_t *v, const char *name);
json_t *ck_typed_list(chk *k, json_t *v, const char *name, const char *item, const vocab *voc,
                      bool type_required);

/* An identifier string normalised (canonical when trace/gs1 reads it), or
 * NULL with the reason in why when it looks like a GS1 key but is wrong. */
json_t *epcis_norm_id_value(const char *s, char *why, size_t whylen);
/* A number (or numeric string) as a JSON integer when whole, else real;
 * NULL when not a finite number. */
json_t *epcis_norm_number(json_t *v);

/* Namespace of prefix in ctx, or of a built-in prefix (cbvmda, gs1,
 * epcis, cbv); NULL when undeclared. */
const char *epcis_ctx_ns(const json_t *ctx, const char *prefix);
bool epcis_builtin_ns(const char *prefix);
/* Add the prefix declarations of an @context value (string, object or
 * array of them) to ctx; returns true when an EPCIS 2.0 context URL is
 * among them. */
bool epcis_ctx_merge(json_t *ctx, const json_t *context);

int epcis_strcmp_p(const void *a, const void *b);

/* epcis_capture_run without the SQLite writer thread (capture.c). */
struct http_principal;
int epcis_capture_run_here(store_conn *c, const struct http_principal *actor,
                           const epcis_capture_in *in, epcis_doc *d, int64_t *job_id,
                           nqi_error *err); /* qsort over const char * */

/* The XML binding as the raw JSON-LD document epcis_doc_parse then reads
 * (epcis_xml.c). NQI_EBADREQ / NQI_EINVAL on document-level problems. */
int epcis_xml_to_json(const char *body, size_t len, json_t **out, nqi_error *err);

#endif
