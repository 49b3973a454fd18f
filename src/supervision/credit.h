/*
 * credit.h — quality-credit facts (质量信用), the contract between the modules
 * that learn about an enterprise and the classifier that weighs it.
 *
 * A fact is (credit_code, kind, occurred_on, source, ref, detail). Kinds are
 * dotted words; the classifier's rule set (docs/modules/credit.md) gives
 * each kind its weight, so a module adding a new kind changes no code here.
 * Kinds in use:
 *   inspection.normal, inspection.not_published, inspection.false_info,
 *   inspection.unreachable, inspection.ordered_to_correct, inspection.refused
 *   spot_check.pass, spot_check.fail, spot_check.recheck_fail
 *   penalty.low, penalty.high           (administrative penalties)
 *   list.abnormal, list.serious         (经营异常名录 / 严重违法失信名单)
 *   complaint                           (substantiated complaints)
 *
 * Recording is idempotent on (source, ref, kind): recording the same fact
 * again updates its date and detail and clears a withdrawal. Both calls run
 * inside the caller's open write transaction (they do not begin or commit),
 * so a fact is written together with the record it comes from, or not at all.
 */
#ifndef NQI_CREDIT_H
#define NQI_CREDIT_H

#include "core/err.h"
#include "core/store.h"

/* occurred_on: 'YYYY-MM-DD'. detail may be NULL. credit_code must be a valid
 * code (NQI_EINVAL naming field "credit_code" otherwise); kind must be
 * non-empty. */
int credit_fact_add(store_conn *c, const char *credit_code, const char *kind,
                    const char *occurred_on, const char *source, const char *ref,
                    const char *detail, nqi_error *err);

/* Mark the facts of (source, ref) withdrawn (a revoked decision, a repaired
 * record). Not an error when there are none. */
int credit_fact_withdraw(store_conn *c, const char *source, const char *ref, nqi_error *err);

/* ---- Added by the classifier (credit_classify.c, credit_restrict.c);
 * docs/modules/credit.md is the contract. ---- */

#include <jansson.h>

/* Recompute one entity's class now (after a write that added or withdrew
 * its facts), inside the caller's open write transaction: updates
 * credit_classifications and entities.credit_class. An unknown entity is
 * not an error (nothing to classify). */
int credit_reclassify(store_conn *c, const char *credit_code, nqi_error *err);

/* Joint punishment (一处失信、处处受制): may this enterprise be granted
 * `purpose` (award, front_runner, procurement, subsidy, honour)? *out (new
 * reference): {credit_code, purpose, known, credit_class, restricted,
 * restrictions:[{measure, reason, legal_basis, source:{kind, id}, until}]}.
 * An unknown purpose or an invalid code: NQI_EINVAL naming "purpose" /
 * "credit_code". Reads only; works inside or outside a transaction. */
int credit_restrictions(store_conn *c, const char *credit_code, const char *purpose,
                        json_t **out, nqi_error *err);

#endif
