/*
 * trace_http.c — the routes of the traceability module (EPCIS capture and
 * query, trace, recall, consumer pages).
 */
#include "trace/epcis.h"
#include "trace/trace.h"

static void trace_routes(http_server *s)
{
    epcis_capture_routes(s);
}

const nqi_module trace_module = {
    .name = "trace", .routes = trace_routes, .start = epcis_capture_start};
