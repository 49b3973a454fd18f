/*
 * trace.h — traceability (issue 5): a GS1 EPCIS 2.0 repository (capture,
 * query), genealogy and recall scope, consumer trace pages and regulatory
 * exports. Identifiers: trace/gs1.h. docs/modules/trace.md is the contract.
 */
#ifndef NQI_TRACE_H
#define NQI_TRACE_H

#include "core/app.h"

extern const nqi_module trace_module;

/* POST /api/v1/trace/publish (publish.c): owners mark events public. */
void trace_publish_routes(http_server *s);

#endif
