/*
 * supervision.h — market supervision, first slice (issue 4): the directories
 * (market entities, inspectors with declared conflicts, inspection items) and
 * verifiable 双随机 draws stored in the database on top of draw.h.
 * docs/modules/supervision.md is the API contract.
 *
 * Ownership (whole header): inputs are borrowed for the call; json_t outputs
 * are new references owned by the caller (json_decref); import reports are
 * freed with supervision_import_report_free.
 *
 * Writes: each runs in one write transaction (its own, or the caller's when
 * one is open: demo data) with an audit_record; draws also append to the
 * Merkle log ("draw.commitment" at commit, "draw.result" at reveal and at
 * each redraw after it). A failed write writes nothing.
 *
 * Secrecy: a draw's seed is generated server-side (randombytes_buf) and kept
 * in draws.seed; nothing this header returns contains it before the draw is
 * revealed (the audit record and the log leaf of the commitment neither).
 */
#ifndef NQI_SUPERVISION_H
#define NQI_SUPERVISION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "core/app.h"
#include "core/err.h"
#include "core/http.h"
#include "core/store.h"

extern const nqi_module supervision_module;

/* ---------------------------------------------------------------- import */

typedef enum sup_dir { SUP_ENTITIES = 1, SUP_INSPECTORS = 2 } sup_dir;

typedef struct sup_import_error {
    int64_t row;     /* 1-based data row; 0 = header / whole file */
    char field[32];  /* English column name ("credit_code"), or "columns"/"encoding" */
    char *message;   /* malloc'd */
} sup_import_error;

typedef struct sup_import_report {
    int64_t rows, inserted, updated;
    size_t nerrors;
    sup_import_error *errors;
} sup_import_report;

/* Import a CSV file (UTF-8 or GB18030, detected; headers in English or
 * Chinese, see the doc) into a directory, all or nothing: upsert by
 * credit_code (entities) or id (inspectors). One audit record per import.
 * Rejected rows: NQI_EINVAL, rep->errors filled, nothing written. */
int supervision_import(store_conn *c, const http_principal *actor, sup_dir dir, const char *data,
                       size_t len, bool dry_run, sup_import_report *rep, nqi_error *err);
void supervision_import_report_free(sup_import_report *rep);

/* ---------------------------------------------------------------- reading */

typedef struct sup_entity_query {
    const char *q;            /* name/address words (Simplified, Traditional, pinyin) or a code prefix */
    const char *region;       /* division-code prefix ("3501") */
    const char *industry;     /* exact */
    const char *credit_class; /* A-D */
    const char *status;       /* active|revoked|cancelled|moved */
    int64_t limit;            /* 1..200 */
    int64_t cursor;           /* id of the last row of the previous page; 0 = first page */
} sup_entity_query;

/* Validate query parameters (get(ctx, name) gives each; strings borrowed). */
int supervision_entity_query_params(const char *(*get)(void *ctx, const char *name), void *ctx,
                                    sup_entity_query *p, nqi_error *err);
/* {items:[entity], next_cursor} (staff view: with risk_tags). */
int supervision_entity_search(store_conn *c, const sup_entity_query *p, json_t **out,
                              nqi_error *err);
/* One entity by credit code. staff = false: the public page (no risk tags).
 * NQI_ENOTFOUND (field credit_code). */
int supervision_entity_get(store_conn *c, const char *credit_code, bool staff, json_t **out,
                           nqi_error *err);
/* {items:[inspector with conflicts], next_cursor}; staff only. */
int supervision_inspector_list(store_conn *c, int64_t limit, int64_t cursor, json_t **out,
                               nqi_error *err);

/* Inspection items (随机抽查事项清单). in: {name, basis?, department?, content?,
 * method?, kind: general|key, default_proportion: 0-100, filter?: {region?,
 * industry?}}. *out = the stored item. */
int supervision_item_create(store_conn *c, const http_principal *actor, json_t *in, json_t **out,
                            nqi_error *err);
int supervision_item_list(store_conn *c, json_t **out, nqi_error *err);

/* ---------------------------------------------------------------- draws */

/* Plan + commit. plan: {name, item_ids:[…], filter?:{region?, industry?},
 * strata?:{A:1, B:2, C:10, D:30} (percent; default: the items' largest
 * default proportion for every class), directed?:[codes], team_size,
 * region_rule?, field_rule? (none|lead|all)}. seed: 32 bytes, NULL = fresh
 * from randombytes_buf (tests pass a fixed one). Builds the pool (active
 * entities matching the filter, stratum = credit_class, field = industry)
 * and roster (inspectors of the filter's region, with conflicts), refuses a
 * plan whose teams could not all be formed (every non-zero stratum drawn at
 * 100% in a trial: field "targets/<code>/team"), stores the committed draw
 * and publishes the commitment. *out = the draw as staff see it. */
int supervision_draw_create(store_conn *c, const http_principal *actor, json_t *plan,
                            const unsigned char *seed, json_t **out, nqi_error *err);
/* committed -> drawn. public_value: 64 hex, NULL = the root hash of the
 * newest signed Merkle-log head (which includes the commitment). The pool
 * and roster are rebuilt from the directory and must hash as committed
 * (NQI_ECONFLICT "pool changed after the commitment", nothing drawn). */
int supervision_draw_run(store_conn *c, const http_principal *actor, const char *uid,
                         const char *public_value, json_t **out, nqi_error *err);
/* drawn -> revealed: the seed becomes public; the record goes to the log. */
int supervision_draw_reveal(store_conn *c, const http_principal *actor, const char *uid,
                            json_t **out, nqi_error *err);
/* A recusal on a drawn or revealed draw (append-only event). */
int supervision_draw_redraw(store_conn *c, const http_principal *actor, const char *uid,
                            const char *target, const char *inspector_id, const char *reason,
                            json_t **out, nqi_error *err);

/* {items:[summary], next_cursor}, newest first. */
int supervision_draw_list(store_conn *c, int64_t limit, int64_t cursor, json_t **out,
                          nqi_error *err);
/* One draw. staff: targets are shown once drawn (the public sees them once
 * revealed). The seed is shown only when revealed. */
int supervision_draw_get(store_conn *c, const char *uid, bool staff, json_t **out,
                         nqi_error *err);
/* The self-contained bundle (format "nqi-draw-bundle/v1", see the doc):
 * {format, draw_id, name, status, record, pool, roster, public_value_source,
 * log}. Before reveal the record is the committed one (no seed, no result). */
int supervision_draw_bundle(store_conn *c, const char *uid, json_t **out, nqi_error *err);
/* Verify a bundle offline: {verified, complete, checks:[{name, ok, message}],
 * details}. Returns 0 whenever a report could be made (verified may be
 * false); NQI_EINVAL when bundle is not a bundle at all. */
int supervision_bundle_verify(const json_t *bundle, json_t **report, nqi_error *err);
/* supervision_bundle_verify of the stored bundle plus a "directory" check:
 * the pool rebuilt from today's directory must still hash as committed. */
int supervision_draw_verification(store_conn *c, const char *uid, json_t **out, nqi_error *err);

/* ---------------------------------------------------------------- module */

void supervision_routes(http_server *s);
/* ~200 synthetic entities (valid credit codes), 12 inspectors, 3 items and
 * one revealed draw, inside the caller's write transaction. */
int supervision_demo(nqi_app *app, store_conn *c, nqi_error *err);

#endif
