/*
 * consumer_links.h — what the consumer trace page links to besides the
 * events themselves: the certificates the lot's public events carry
 * (EPCIS 2.0 certificationInfo, CBV cbvmda:certificationList in the ILMD),
 * the producer's published inspection and spot-check results and its
 * public credit page (supervision/public_reports.h), the public page of one
 * such result (/t/reports/{id}) and the same data as JSON
 * (/api/v1/trace/consumer-links). docs/modules/consumer-page.md.
 *
 * Ownership: inputs borrowed; json_t outputs are new references.
 */
#ifndef NQI_TRACE_CONSUMER_LINKS_H
#define NQI_TRACE_CONSUMER_LINKS_H

#include <jansson.h>

#include "core/http.h"
#include "core/store.h"
#include "core/util.h"
#include "trace/gs1.h"

/* consumer.c: HTML-escape s into b; the page's <head> and opening <body>. */
void consumer_esc(buf *b, const char *s);
void consumer_page_head(buf *b, const char *title);
/* consumer.c: the public backward trace of lot id (with documents);
 * NQI_ENOTFOUND (Chinese message) when it has no public event. */
int consumer_lot(store_conn *c, const gs1_id *id, json_t **graph, nqi_error *err);
/* consumer.c: the product name of the lot in graph (borrowed), or NULL. */
const char *consumer_product(const json_t *graph);

/* The certificates named by events (an array of EPCIS event documents):
 * [{uri?, link?, standard?, agency?, value?, identification?}], each once.
 * `link` is set only for http(s) URIs (others are shown, not linked). */
json_t *consumer_certificates(const json_t *docs);

/* The credit code of the lot's producer: the owner of the public event that
 * created the lot (output of a TransformationEvent, or an ObjectEvent ADD
 * naming it), else of the earliest public event naming it. code[0] = 0
 * when there is none. */
int consumer_producer(store_conn *c, const char *lot_canon, char code[24], nqi_error *err);

/* {certificates, producer: pubrep_for_producer(…) | null} for the lot whose
 * public backward trace is graph (trace_walk with docs); product = the
 * page's product name (may be NULL). */
int consumer_links(store_conn *c, const gs1_id *id, const json_t *graph, const char *product,
                   json_t **out, nqi_error *err);

/* The page sections (检验报告, 认证证书, 生产企业) of links into b. */
void consumer_links_html(buf *b, const json_t *links);

/* GET /t/reports/{id}, GET /api/v1/trace/consumer-links?id= (any role). */
void consumer_links_routes(http_server *s);

#endif
