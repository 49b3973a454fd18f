/*
 * trace_http.c — the routes of the traceability module (EPCIS capture and
 * query, trace, recall, consumer pages).
 */
#include "trace/epcis.h"
#include "trace/query.h"
#include "trace/trace.h"

static void trace_routes(http_server *s)
{
    epcis_capture_routes(s);
    trace_query_routes(s);
    trace_publish_routes(s);
}

/* Capture recovery (interrupted jobs marked failed) before the subscription
 * worker starts delivering. */
static int trace_start(nqi_app *app, nqi_error *err)
{
    int rc = epcis_capture_start(app, err);
    return rc ? rc : trace_sub_start(app, err);
}

const nqi_module trace_module = {.name = "trace",
                                 .routes = trace_routes,
                                 .demo = trace_demo,
                                 .start = trace_start,
                                 .stop = trace_sub_stop};
