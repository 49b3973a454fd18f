/*
 * inspection_http.c — the routes of inspections and product spot checks.
 */
#include "core/app.h"

const nqi_module inspection_module = {.name = "inspection"};
