/*
 * inspection.h — inspections and product spot checks (issue 4, third
 * slice): the working-day calendar, inspection tasks (from a draw or from a
 * complaint/lead) with teams, on-site records, signatures and attachments,
 * 产品质量监督抽查 with samples, test items and re-checks, and the publication
 * of results on the public portal (Merkle log) within 20 working days.
 * docs/modules/inspection.md is the API contract.
 *
 * Ownership (whole header): inputs are borrowed for the call; json_t
 * outputs are new references owned by the caller; *data outputs are
 * malloc'd. Writes run in one write transaction (their own, or the caller's
 * when one is open: demo data) with an audit_record; a failed write writes
 * nothing. Results that become final record a credit fact (credit.h) in the
 * same transaction.
 */
#ifndef NQI_INSPECTION_H
#define NQI_INSPECTION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "core/app.h"
#include "core/err.h"
#include "core/http.h"
#include "core/store.h"
#include "supervision/supervision.h"
#include "supervision/workday.h"

extern const nqi_module inspection_module;

/* Working days given for publication of a final result (the national rule). */
#define INSP_PUBLISH_WORKING_DAYS 20
/* Attachment size cap. */
#define INSP_ATTACHMENT_MAX ((size_t)10 * 1024 * 1024)

/* ---------------------------------------------------------------- calendar.c */

/* Today in China (UTC+8) as 'YYYY-MM-DD'.
 */
void insp_today(char out[11]);
/* The stored exceptions (work_calendar) as a workday_cal. */
int calendar_load(store_conn *c, workday_cal *out, nqi_error *err);
/* out = the n-th working day after from ('YYYY-MM-DD'), with the stored
 * calendar. field names the parameter in errors. */
int calendar_deadline(store_conn *c, const char *from, int n, const char *field, char out[11],
                      nqi_error *err);
/* {items:[{date, kind, name, weekday}], next_cursor:null}; year 0 = all. */
int calendar_list(store_conn *c, int year, json_t **out, nqi_error *err);
/* Insert or replace one day: kind "holiday" | "workday". */
int calendar_put(store_conn *c, const http_principal *actor, const char *day, const char *kind,
                 const char *name, json_t **out, nqi_error *err);
int calendar_delete(store_conn *c, const http_principal *actor, const char *day, nqi_error *err);
/* CSV date,kind,name (Chinese headers 日期,类型,名称; kinds holiday/workday,
 * 放假/休, 上班/班), UTF-8 or GB18030, all or nothing, upsert by date. */
int calendar_import(store_conn *c, const http_principal *actor, const char *data, size_t len,
                    bool dry_run, sup_import_report *rep, nqi_error *err);

/* ---------------------------------------------------------------- inspections.c */

/* The inspector code a principal acts as: role inspector, account name
 * (username, or the token's name) equal to an inspectors.code, ASCII case
 * ignored. false for other roles or no such inspector. */
bool insp_actor_inspector(store_conn *c, const http_principal *a, char code[65]);

/* One task per drawn target of a revealed draw that has none yet.
 * in: {working_days?: 1-120 (default 20), assigned_on?: date (default
 * today)}. *out = {draw_id, created, existing, items:[task]}. */
int insp_tasks_from_draw(store_conn *c, const http_principal *actor, const char *draw_uid,
                         json_t *in, json_t **out, nqi_error *err);
/* A task from a complaint or lead: {source: complaint|lead, reason,
 * credit_code, item_ids:[…], team:[codes ≥ 2], working_days?, assigned_on?}. */
int insp_task_create(store_conn *c, const http_principal *actor, json_t *in, json_t **out,
                     nqi_error *err);
int insp_task_get(store_conn *c, int64_t id, json_t **out, nqi_error *err);
/* The on-site record {inspected_on, result, summary?, findings:[{item_id,
 * conforms, finding}]}; status assigned|recorded -> recorded; clears the
 * signatures (they confirmed another content). Team members (inspector
 * role) or regulators/admins. */
int insp_task_record(store_conn *c, const http_principal *actor, int64_t id, json_t *in,
                     json_t **out, nqi_error *err);
/* A team member confirms record_hash; the last signature completes the
 * task (final result, credit fact, publication deadline). inspector_code:
 * who signs (the handler passes insp_actor_inspector's answer). */
int insp_task_sign(store_conn *c, const http_principal *actor, int64_t id,
                   const char *inspector_code, const char *record_hash, json_t **out,
                   nqi_error *err);
/* Recusal of a member: a draw task gets a recorded redraw from the draw's
 * committed roster (supervision_draw_redraw); a complaint/lead task takes
 * `replacement` (checked as at creation). Before completion only. */
int insp_task_recuse(store_conn *c, const http_principal *actor, int64_t id, const char *inspector,
                     const char *reason, const char *replacement, json_t **out, nqi_error *err);

typedef struct insp_query {
    const char *status, *region, *source, *from, *to, *credit_code, *draw;
    int64_t item;
    bool overdue;
    const char *member; /* an inspector code: tasks of that member only */
    int64_t limit, cursor;
} insp_query;
int insp_task_list(store_conn *c, const insp_query *q, json_t **out, nqi_error *err);

/* Attachments (pdf, jpeg, png; content checked by signature bytes). */
int insp_attachment_add(store_conn *c, const http_principal *actor, int64_t task_id,
                        const char *name, const char *content_type, const char *data, size_t len,
                        json_t **out, nqi_error *err);
int insp_attachment_get(store_conn *c, int64_t task_id, int64_t id, char **data, size_t *len,
                        char **content_type, char **name, nqi_error *err);

/* ---------------------------------------------------------------- spot_checks.c */

int spot_check_create(store_conn *c, const http_principal *actor, json_t *in, json_t **out,
                      nqi_error *err);
int spot_check_list(store_conn *c, int64_t limit, int64_t cursor, json_t **out, nqi_error *err);
int spot_check_get(store_conn *c, int64_t id, json_t **out, nqi_error *err);
int spot_sample_add(store_conn *c, const http_principal *actor, int64_t check_id, json_t *in,
                    json_t **out, nqi_error *err);
int spot_sample_get(store_conn *c, int64_t id, json_t **out, nqi_error *err);
/* Test results (recheck false: sampled -> tested) or the re-check of a
 * failed sample (tested -> rechecked): {tested_on, items:[{item, standard,
 * requirement?, measured?, pass}], correction_working_days?}. */
int spot_sample_results(store_conn *c, const http_principal *actor, int64_t id, bool recheck,
                        json_t *in, json_t **out, nqi_error *err);
typedef struct spot_query {
    const char *status, *verdict, *producer;
    int64_t check;
    bool overdue;
    int64_t limit, cursor;
} spot_query;
int spot_sample_list(store_conn *c, const spot_query *q, json_t **out, nqi_error *err);

/* ---------------------------------------------------------------- publication.c */

typedef enum insp_kind { INSP_TASK = 1, INSP_SAMPLE = 2 } insp_kind;
/* Publish a final result: the public record goes to the Merkle log
 * ("inspection.result" / "spot_check.result") and inspection_publications. */
int insp_publish(store_conn *c, const http_principal *actor, insp_kind kind, int64_t id,
                 json_t **out, nqi_error *err);
/* Public list {items, next_cursor}: kind?, credit_code?, region?. */
int insp_public_list(store_conn *c, const char *kind, const char *credit_code, const char *region,
                     int64_t limit, int64_t cursor, json_t **out, nqi_error *err);
int insp_public_get(store_conn *c, int64_t id, json_t **out, nqi_error *err);
/* Counts by status and the overdue list (tasks past their deadline, final
 * results unpublished past the publication deadline). */
int insp_dashboard(store_conn *c, json_t **out, nqi_error *err);

/* Labels used in public records and exports. */
const char *insp_result_label(const char *result); /* "发现问题已责令改正" */

/* ---------------------------------------------------------------- xlsx */

/* A sheet from a header row and rows of JSON values (strings, integers,
 * booleans, null). *out malloc'd. */
int insp_xlsx(const char *sheet, const char *const *heads, size_t ncols, const json_t *rows,
              char **out, size_t *len, nqi_error *err);

/* ---------------------------------------------------------------- module */

void inspection_routes(http_server *s);
int inspection_demo(nqi_app *app, store_conn *c, nqi_error *err);

#endif
