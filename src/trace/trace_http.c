/*
 * trace_http.c — the routes of the traceability module (EPCIS capture and
 * query, trace, recall, consumer pages).
 */
#include "trace/query.h"
#include "trace/trace.h"

static void trace_routes(http_server *s)
{
    trace_query_routes(s);
}

const nqi_module trace_module = {.name = "trace",
                                 .routes = trace_routes,
                                 .demo = trace_demo,
                                 .start = trace_sub_start,
                                 .stop = trace_sub_stop};
