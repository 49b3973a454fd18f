/*
 * credit_http.c — the routes of quality-credit classification, lists,
 * penalty publicity and credit repair.
 */
#include "core/app.h"

const nqi_module credit_module = {.name = "credit"};
