/*
 * inspection_internal.h — shared by inspections.c, attachments.c,
 * spot_checks.c, publication.c and inspection_http.c only.
 */
#ifndef NQI_INSPECTION_INTERNAL_H
#define NQI_INSPECTION_INTERNAL_H

#include "supervision/inspection.h"

/* A date member of a request body: absent -> def (NULL def: required);
 * must parse, and not lie after today when !future. */
int insp_json_date(json_t *in, const char *key, const char *def, bool future, char out[11],
                   nqi_error *err);
/* The task's current state as served (full: with findings and attachments). */
int insp_task_json(store_conn *c, int64_t id, bool full, json_t **out, nqi_error *err);
/* Tasks or samples as rows for the dashboard and exports. */
bool insp_result_ok(const char *result);
/* Text of at most maxchars characters, valid UTF-8 (NULL is fine). */
bool insp_text_ok(const char *s, size_t maxchars);
/* Permission to change a task's record: a regulator/admin, or an inspector
 * on the task's team. NQI_EFORBIDDEN otherwise. */
int insp_may_record(store_conn *c, const http_principal *actor, int64_t task_id, nqi_error *err);
/* Recompute record_hash from the stored record and clear signatures (the
 * team confirmed another content). Only for status 'recorded'. */
int insp_task_rehash(store_conn *c, int64_t id, nqi_error *err);

/* One officer for credit_code: on the roster, active, no declared
 * conflict with it. Field error under `field` otherwise. */
int insp_officer_check(store_conn *c, const char *code, const char *credit_code,
                       const char *field, nqi_error *err);
/* Whether the inspector `code` is on task's team. */
bool insp_is_member(store_conn *c, int64_t task, const char *code);

/* Serialize writers of one record ("inspection_task", id) until the
 * transaction ends: PostgreSQL's READ COMMITTED lets two signers each see
 * the other's signature missing, and two publishers each see "completed".
 * Free on SQLite (BEGIN IMMEDIATE). */
int insp_lock(store_conn *c, const char *what, int64_t id, nqi_error *err);

#endif
