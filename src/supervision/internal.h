/*
 * internal.h — shared by the files of src/supervision/ (directory.c,
 * draws.c, supervision_http.c, inspection_http.c) and
 * tests/unit/test_supervision.c; other
 * modules use supervision.h.
 */
#ifndef NQI_SUPERVISION_INTERNAL_H
#define NQI_SUPERVISION_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "core/http.h"

/* The actor's name as stored in created_by / draw_events.actor. */
void sup_actor_name(const http_principal *a, char *out, size_t n);

/* True for a draw attribute (region, industry, department, inspector id,
 * field): 1..64 bytes, valid UTF-8, no control characters, no '|' or ','
 * (the separators of the canonical pool and roster texts). */
bool sup_attr_ok(const char *s);

/* True for a division code or prefix: 1..6 ASCII digits (exactly 6 when
 * full is set). */
bool sup_region_ok(const char *s, bool full);

/* Validate a pool filter {region?, industry?}; field errors are named
 * "<field>/region" ... */
#include <jansson.h>
int sup_filter_check(json_t *f, const char *field, nqi_error *err);

/* ---- CSV imports over HTTP (supervision_http.c) ---- */

struct sup_import_report;
/* The domain call behind sup_http_import (supervision_import,
 * calendar_import): all or nothing, rejected rows in rep. */
typedef int (*sup_import_fn)(store_conn *c, const http_principal *actor, const char *data,
                             size_t len, bool dry_run, void *ctx, struct sup_import_report *rep,
                             nqi_error *err);

/* POST of a CSV file (text/csv, application/csv or text/plain; UTF-8 or
 * GB18030; ?dry_run=1): 415 for another type, 400 for an empty body, 422
 * naming every rejected row, else 200 {rows, inserted, updated, dry_run}. */
void sup_http_import(http_req *r, http_resp *w, sup_import_fn fn, void *ctx);

#endif
