/*
 * public_reports.h — a read-only view of what supervision has made public
 * about one producer, for other modules (the consumer trace page): its
 * published inspection and spot-check results (inspection_publications,
 * the newest publication of each task/sample), its name in the enterprise
 * directory, and its current entries on the public credit lists (经营异常名录,
 * 严重违法失信名单). Nothing unpublished is read: results that were never
 * published, the credit class and score (public only to staff and the
 * enterprise itself, docs/modules/credit.md), list entries no longer current.
 *
 * Ownership: inputs are borrowed for the call; *out is a new reference the
 * caller owns. Reads only; no transaction needed.
 */
#ifndef NQI_PUBLIC_REPORTS_H
#define NQI_PUBLIC_REPORTS_H

#include <jansson.h>

#include "core/err.h"
#include "core/store.h"

typedef struct pubrep_filter {
    /* The product's name as the page shows it (may be NULL). A spot-check
     * sample concerns this product when its product name occurs in this
     * name or this name in its; samples of the producer's other products
     * are left out. NULL: every sample of the producer counts. */
    const char *product;
    /* The lot (AI 10). A sample whose batch equals it is marked "lot". */
    const char *lot;
    int limit; /* at most this many reports (1–50; 0 = 10) */
} pubrep_filter;

/* The public record of producer `credit_code`:
 * {credit_code, name (directory, else the newest publication's, else null),
 *  in_directory, lists:[{list: abnormal|serious, entered_on, authority}],
 *  reports:[{id, kind: spot_check|inspection, match: lot|product|enterprise,
 *            date, published_on, authority, lab, title, product,
 *            specification, batch, standards:[…], items:[…], ok,
 *            verdict_label, record_url, proof_url}]}
 * reports: matches of the lot first, then newest first. `standards` are the
 * standard numbers the sample was tested against (numbers only; measured
 * values stay with the published record's failed items). */
int pubrep_for_producer(store_conn *c, const char *credit_code, const pubrep_filter *f,
                        json_t **out, nqi_error *err);

/* The public title of an inspection by its source (draw, complaint, lead):
 * "“双随机、一公开”监督检查", "投诉举报核查", "案件线索核查". */
const char *pubrep_task_title(const char *source);

#endif
