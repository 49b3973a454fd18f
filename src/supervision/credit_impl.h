/*
 * credit_impl.h — shared by the quality-credit files (credit_date.c,
 * credit_rules.c, credit_classify.c, credit_lists.c, credit_repair.c,
 * credit_restrict.c, credit_export.c, credit_http.c, credit_demo.c), the
 * CLI (cli_credit.c) and tests/unit/test_credit.c. Other modules use
 * credit.h. The contract is docs/modules/credit.md.
 *
 * Ownership: inputs are borrowed; json_t outputs are new references owned
 * by the caller. Writes run in one write transaction with an audit record:
 * the caller's when one is open (demo data), else their own.
 */
#ifndef NQI_CREDIT_IMPL_H
#define NQI_CREDIT_IMPL_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/http.h"
#include "core/util.h"
#include "core/store.h"
#include "supervision/credit.h"

/* ---------------------------------------------------------------- dates */

/* Dates are 'YYYY-MM-DD' strings (11 bytes with the NUL). Periods follow
 * the Civil Code (民法典 第二百零一、二百零二条): the start day is not
 * counted; a period of n months ends on the corresponding day of the n-th
 * month, or on that month's last day when it has no such day. */
typedef char credit_date[11];

bool credit_date_valid(const char *s);              /* a real calendar date */
/* Last day of the period of `months` months starting after `start`. */
void credit_period_end(const char *start, int months, credit_date out);
/* The day after the period: the first day something becomes possible. */
void credit_possible_from(const char *start, int months, credit_date out);
void credit_date_add_days(const char *d, int days, credit_date out);
/* Today in China (UTC+8). */
void credit_today(credit_date out);
/* Whole years from `from` to `to` (anniversary based; 0 when to < from). */
int credit_years_between(const char *from, const char *to);

/* A date field of a request: required or optional 'YYYY-MM-DD', a real
 * date, not after today. Field errors name `field`. */
int credit_json_date(json_t *in, const char *field, bool required, const char *today,
                     const char **out, nqi_error *err);

/* ---------------------------------------------------------------- rules */

#define CREDIT_KIND_MAX 48
#define CREDIT_MAX_AGE 8
#define CREDIT_MAX_FACT_RULES 64
#define CREDIT_MAX_HARD 16

typedef struct credit_fact_rule {
    char kind[CREDIT_KIND_MAX];
    int points;        /* full points while within full_months */
    int full_months;
    int window_months; /* half points (toward zero) after full_months, 0 after window_months */
    int max_count;     /* 0 = no cap; otherwise the newest max_count facts count */
} credit_fact_rule;

typedef struct credit_hard_rule {
    char kind[CREDIT_KIND_MAX];
    char cls;          /* the class is at least this bad ('B'..'D') */
    int window_months; /* 0 = while the fact stands (not withdrawn) */
} credit_hard_rule;

typedef struct credit_rules {
    int64_t version;
    int base;
    int th_a, th_b, th_c; /* score >= th_a: A; >= th_b: B; >= th_c: C; else D */
    int nage;
    struct {
        int min_years, points;
    } age[CREDIT_MAX_AGE]; /* ascending min_years */
    int status_points[4];  /* active, revoked, cancelled, moved */
    int licence_points;    /* once, when the entity holds any licence */
    int risk_tag_points, risk_tag_max;
    int nfacts;
    credit_fact_rule facts[CREDIT_MAX_FACT_RULES];
    int nhard;
    credit_hard_rule hard[CREDIT_MAX_HARD];
} credit_rules;

/* Validate a rule set document (field errors "rules/facts/<kind>/points"...)
 * and fill r (version left 0). Must contain the two documented hard rules
 * (list.serious -> D, list.abnormal -> at least C). */
int credit_rules_parse(json_t *doc, credit_rules *r, nqi_error *err);
/* The active rule set; *doc (may be NULL) gets {version, rules, note,
 * active, created_by, created_at}. */
int credit_rules_active(store_conn *c, credit_rules *r, json_t **doc, nqi_error *err);
int credit_rules_get(store_conn *c, int64_t version, json_t **out, nqi_error *err);
/* {active, items:[{version, note, active, created_by, created_at}]} newest first. */
int credit_rules_list(store_conn *c, json_t **out, nqi_error *err);
/* in: {rules, note?, activate?: true}. A new version (activated unless
 * activate is false); audited. *out = the stored version. */
int credit_rules_create(store_conn *c, const http_principal *actor, json_t *in, json_t **out,
                        nqi_error *err);
int credit_rules_activate(store_conn *c, const http_principal *actor, int64_t version,
                          json_t **out, nqi_error *err);

/* ---------------------------------------------------------------- scoring */

typedef struct credit_entity {
    const char *credit_code, *registered_on, *status, *licences, *risk_tags;
    int64_t id;     /* entities.id (0 in pure scoring) */
    /* runs only: the stored result before this run, to write what changed */
    char old_class;      /* entities.credit_class */
    char old_digest[17]; /* credit_classifications.digest ("" when none) */
    int64_t old_version; /* credit_classifications.rule_version */
} credit_entity;

typedef struct credit_fact_row {
    int64_t id;
    const char *kind, *occurred_on, *source, *ref, *detail;
} credit_fact_row;

typedef struct credit_result {
    char cls, by_score;
    int score;
    json_t *explanation; /* when asked for; owned by the caller */
} credit_result;

/* Score one entity at as_of. facts: its standing (not withdrawn) facts in
 * any order (sorted here, newest first). Pure: no store access. */
void credit_score(const credit_rules *r, const credit_entity *e, credit_fact_row *facts,
                  size_t nfacts, const char *as_of, bool explain, credit_result *out);

/* The standing facts a full run can weigh, in memory, sorted by credit code
 * (credit_factset.c). */
typedef struct credit_fact_item {
    const char *code;
    credit_fact_row f;
} credit_fact_item;
typedef struct credit_factset {
    credit_fact_item *items;
    size_t n;
    buf arena;
} credit_factset;
int credit_factset_load(store_conn *c, const credit_rules *r, const char *as_of,
                        credit_factset *fs, nqi_error *err);
/* The facts of one code: items[*first .. *first + return value). */
size_t credit_factset_find(const credit_factset *fs, const char *code, size_t *first);
void credit_factset_free(credit_factset *fs);

/* Recompute every entity (pages of `page` entities ordered by credit code,
 * one write transaction per page, or all in the caller's open transaction).
 * Runs credit_lists_sweep first. trigger: demand|nightly|cli; nightly_day
 * (may be NULL) claims the day, NQI_ECONFLICT when another run has it.
 * *out = the run {id, rule_version, as_of, entities, changed, counts,
 * seconds}. */
int credit_classify_all(store_conn *c, const http_principal *actor, const char *trigger,
                        const char *as_of, const char *nightly_day, json_t **out,
                        nqi_error *err);
/* Reclassify the listed codes (each must be a known entity), one
 * transaction. *out = {items:[{credit_code, credit_class, score}]}. */
int credit_classify_codes(store_conn *c, const http_principal *actor, json_t *codes,
                          json_t **out, nqi_error *err);
/* Distribution {counts:{A,B,C,D}, total, classified, last_run, rule_version}. */
int credit_overview(store_conn *c, json_t **out, nqi_error *err);

/* ---------------------------------------------------------------- lists */

typedef enum credit_list { CREDIT_ABNORMAL = 1, CREDIT_SERIOUS = 2 } credit_list;
const char *credit_list_name(credit_list l); /* "abnormal" / "serious" */

/* Enter an entity on a list. in: {credit_code, grounds, entered_on,
 * legal_basis, decision_no, authority} (legal_basis and decision_no
 * required for serious). Fact list.<name>, Merkle leaf, audit. */
int credit_list_enter(store_conn *c, const http_principal *actor, credit_list l, json_t *in,
                      const char *today, json_t **out, nqi_error *err);
/* Remove an entry. in: {reason, removed_on?, note?, pledge?} — abnormal:
 * fixed|revoked; serious: early (1 year, conditions) | revoked. */
int credit_list_remove(store_conn *c, const http_principal *actor, credit_list l, int64_t id,
                       json_t *in, const char *today, json_t **out, nqi_error *err);
/* End entries whose time is up at `today`: serious entries past expires_on
 * (expired) and abnormal entries still listed after 3 years (moved to the
 * serious list). Own transaction unless one is open. */
int credit_lists_sweep(store_conn *c, const http_principal *actor, const char *today,
                       int64_t *ended, nqi_error *err);

typedef struct credit_list_query {
    credit_list list;
    const char *q;      /* credit-code prefix or name words */
    const char *region; /* division-code prefix */
    const char *status; /* current|removed|all */
    const char *from, *to; /* entered_on range */
    int64_t limit, cursor;
    bool staff;
} credit_list_query;
int credit_list_search(store_conn *c, const credit_list_query *q, const char *today,
                       json_t **out, nqi_error *err);
int credit_list_get(store_conn *c, credit_list l, int64_t id, json_t **out, nqi_error *err);

/* End a current entry inside the caller's transaction: removed_on, reason
 * (fixed|early|expired|moved|revoked|repaired), fact withdrawn, Merkle
 * leaf, audit, reclassification. *out (may be NULL) = the entry after. */
int credit_list_end(store_conn *c, const http_principal *actor, credit_list l, int64_t id,
                    const char *code, const char *removed_on, const char *reason,
                    const char *note, json_t **out, nqi_error *err);

/* Append a public credit record to the Merkle log as a digest {id,
 * credit_code, record_sha256} (the text stays public only during its
 * publicity; the digest proves it was not changed). */
int credit_publish(store_conn *c, const char *kind, int64_t id, const json_t *record,
                   int64_t *idx, nqi_error *err);

/* ---------------------------------------------------------------- penalties */

int credit_penalty_get(store_conn *c, int64_t id, json_t **out, nqi_error *err);
/* End a penalty's publicity early (approved repair) in the caller's
 * transaction; withdraws its fact, Merkle leaf credit.penalty.end. */
int credit_penalty_end(store_conn *c, int64_t id, const char *on, const char *reason,
                       nqi_error *err);


/* in: {credit_code, decision_no, kind, amount_yuan?, decided_on,
 * legal_basis, summary?, authority?}. Severity and publicity end from the
 * rules in docs/modules/credit.md. Fact penalty.low|high, Merkle leaf. */
int credit_penalty_create(store_conn *c, const http_principal *actor, json_t *in,
                          const char *today, json_t **out, nqi_error *err);
typedef struct credit_penalty_query {
    const char *credit_code, *region, *severity, *status; /* status: public|all */
    int64_t limit, cursor;
    bool staff;
} credit_penalty_query;
int credit_penalty_search(store_conn *c, const credit_penalty_query *q, const char *today,
                          json_t **out, nqi_error *err);

/* ---------------------------------------------------------------- repairs */

/* in: {target_kind: penalty|abnormal|serious, target_id, reason, pledge,
 * measures?}. Enterprise actors only for their own code. Eligibility dates
 * enforced (field target_id, message naming the date). */
int credit_repair_create(store_conn *c, const http_principal *actor, json_t *in,
                         const char *today, json_t **out, nqi_error *err);
/* in: {decision: approve|reject, note?}. approve: the fact is withdrawn and
 * the publicity or list entry ends (reason repaired). */
int credit_repair_decide(store_conn *c, const http_principal *actor, int64_t id, json_t *in,
                         const char *today, json_t **out, nqi_error *err);
typedef struct credit_repair_query {
    const char *credit_code, *status;
    int64_t limit, cursor;
} credit_repair_query;
int credit_repair_search(store_conn *c, const credit_repair_query *q, json_t **out,
                         nqi_error *err);

/* ---------------------------------------------------------------- pages */

/* The credit page of one entity. staff (or the enterprise itself) also see
 * class, score, explanation, history and repairs; the public sees current
 * list entries and penalties in publicity. */
int credit_page(store_conn *c, const char *credit_code, bool full, const char *today,
                json_t **out, nqi_error *err);
/* Manual fact (complaints, dynamic information): in {credit_code, kind,
 * occurred_on, detail?, ref?}. Reclassifies the entity. */
int credit_fact_record(store_conn *c, const http_principal *actor, json_t *in,
                       const char *today, json_t **out, nqi_error *err);

/* .xlsx of a list (items as returned by the searches): columns given as
 * {key, header} pairs. *out malloc'd. */
typedef struct credit_col {
    const char *key, *header;
} credit_col;
int credit_xlsx(const char *sheet, const credit_col *cols, int ncols, json_t *items, char **out,
                size_t *len, nqi_error *err);

/* ---------------------------------------------------------------- helpers */

/* Own a write transaction unless the caller has one open; end it. */
/* The entity must exist: NQI_ENOTFOUND on field credit_code otherwise. */
int credit_entity_check(store_conn *c, const char *credit_code, nqi_error *err);
/* Does the industry fall under food, drugs or special equipment (1-year
 * repair wait)? */
bool credit_long_wait_industry(const char *industry);

#endif
