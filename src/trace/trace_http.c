/*
 * trace_http.c — the routes of the traceability module (EPCIS capture and
 * query, trace, recall, consumer pages).
 */
#include "trace/trace.h"

const nqi_module trace_module = {.name = "trace"};
