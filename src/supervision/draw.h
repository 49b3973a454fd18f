/*
 * draw.h — the verifiable 双随机 draw: which enterprises are inspected, and by
 * which inspectors, decided by a public, re-implementable algorithm that
 * anyone can re-run (docs/modules/draw.md is the specification; keep the two
 * in step).
 *
 * Protocol:
 *   1. draw_pool_new / draw_roster_new: validate, sort canonically and hash
 *      (BLAKE2b-256, `b2sum -l 256` of the canonical text) the entity pool
 *      and the inspector roster.
 *   2. draw_commit: bind draw id, SHA-256(secret seed), both hashes, the
 *      parameters and the commit time into a commitment, published at once.
 *   3. draw_run: once a public value P exists that nobody knew at commit time
 *      (e.g. a Merkle log head signed after the commitment), draw targets and
 *      teams from key = SHA-256(seed || P || "nqi-draw/v1"). The seed is then
 *      part of the record (revealed).
 *   4. draw_redraw: an inspector recuses after the draw; a replacement is
 *      drawn and appended as an event (append-only; the old team stays in the
 *      event history).
 *   5. draw_verify: recompute everything from the record, the pool and the
 *      roster and say what differs.
 *
 * Ownership (the one rule for this header):
 *   - draw_pool_new and draw_roster_new BORROW the caller's arrays and every
 *     string they point to: keep them alive and unchanged until the pool or
 *     roster is freed (no copy of a million codes is made).
 *   - Everything else the library returns (draw_pool, draw_roster,
 *     draw_record, strings and views obtained from them) is owned by the
 *     returned object and lives until its _free function; a draw_record
 *     copies whatever it keeps from its inputs.
 *   - Functions that take a draw_params read it only during the call.
 *   - On error nothing is returned (*out is NULL) and a record passed in is
 *     left exactly as it was: a failed draw draws nothing.
 *
 * Thread safety: objects are immutable after construction except a record
 * during draw_run/draw_redraw; distinct objects may be used from distinct
 * threads. Functions call sodium_init() themselves.
 */
#ifndef NQI_SUPERVISION_DRAW_H
#define NQI_SUPERVISION_DRAW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "core/err.h"

#define DRAW_FORMAT "nqi-draw/v1"
#define DRAW_SEED_BYTES 32
#define DRAW_HASH_HEX 65      /* 64 hex characters + NUL */
#define DRAW_TEAM_MAX 16
#define DRAW_STRATA_MAX 64

/* An enterprise in the pool. credit_code: 18 characters, GB 32100.
 * stratum: label of its stratum (the credit class "A".."D", ...), 1-32 of
 * [A-Za-z0-9_.-]. region, field: optional (NULL or "" = none) attributes the
 * team rules compare with inspectors'; at most 64 bytes, UTF-8, no control
 * characters, no '|' or ','. */
typedef struct draw_entity {
    const char *credit_code;
    const char *stratum;
    const char *region;
    const char *field;
} draw_entity;

/* An inspector (执法检查人员). id: unique, 1-64 bytes, same characters as
 * region. conflicts: credit codes of enterprises this officer must never
 * inspect (关联/回避), declared before the draw. */
typedef struct draw_inspector {
    const char *id;
    const char *department;
    const char *region;
    const char *const *fields;
    size_t nfields;
    bool active;
    const char *const *conflicts;
    size_t nconflicts;
} draw_inspector;

/* Share of a stratum to inspect, in percent (0-100; 3.0 = 3%). It is kept as
 * an integer number of parts per million, round(percent * 10000); the stratum
 * of n eligible entities yields k = min(n, ceil(n * ppm / 1e6)) targets, so
 * every non-empty stratum with a non-zero share gives at least one. */
typedef struct draw_stratum {
    const char *label;
    double percent;
} draw_stratum;

/* A team rule on one attribute (region or field) of target and inspector. */
typedef enum draw_rule {
    DRAW_RULE_NONE = 0, /* not compared */
    DRAW_RULE_LEAD = 1, /* the team lead (first member) matches the target */
    DRAW_RULE_ALL = 2   /* every member matches the target */
} draw_rule;

typedef struct draw_params {
    const draw_stratum *strata; /* every stratum label present in the pool */
    size_t nstrata;
    const char *const *directed; /* 定向: codes always inspected (must be in the pool) */
    size_t ndirected;
    int team_size;               /* 2..DRAW_TEAM_MAX */
    draw_rule region_rule;       /* inspector.region == entity.region */
    draw_rule field_rule;        /* entity.field is one of inspector.fields */
} draw_params;

typedef struct draw_pool draw_pool;
typedef struct draw_roster draw_roster;
typedef struct draw_record draw_record;

/* ---- pool and roster ---- */

/* Validate, sort by credit code and hash n entities (1,000,000 in about
 * 0.4 s of CPU; see docs/modules/draw.md). Errors (NQI_EINVAL,
 * fields named by the caller's index): "pool/<i>/credit_code" (invalid, or
 * duplicate of an earlier index), "pool/<i>/stratum", "pool/<i>/region",
 * "pool/<i>/field". */
int draw_pool_new(const draw_entity *ents, size_t n, draw_pool **out, nqi_error *err);
void draw_pool_free(draw_pool *p);
size_t draw_pool_size(const draw_pool *p);
const char *draw_pool_hash(const draw_pool *p); /* 64 hex */

/* Same for inspectors: "inspectors/<i>/id" (bad or duplicate),
 * "inspectors/<i>/department", ".../region", ".../fields/<j>",
 * ".../conflicts/<j>" (not a valid credit code). */
int draw_roster_new(const draw_inspector *insp, size_t n, draw_roster **out, nqi_error *err);
void draw_roster_free(draw_roster *r);
size_t draw_roster_size(const draw_roster *r);
const char *draw_roster_hash(const draw_roster *r);

/* The canonical serialisations that are hashed (for publication next to the
 * commitment, and for re-implementers). Caller frees. */
char *draw_pool_canonical(const draw_pool *p, size_t *len);
char *draw_roster_canonical(const draw_roster *r, size_t *len);

/* ---- the draw ---- */

/* Check params against pool and roster and create a committed record.
 * draw_id: 1-64 of [A-Za-z0-9_.:-]. seed: 32 secret random bytes the caller
 * keeps until draw_run (e.g. from randombytes_buf). committed_ms: Unix ms.
 * Errors: "strata/<label>/proportion" outside 0-100 or not finite,
 * "strata/<label>" duplicate or missing for a stratum in the pool,
 * "directed/<i>" invalid, duplicate or not in the pool, "team_size",
 * "draw_id". */
int draw_commit(const char *draw_id, const draw_params *params, const draw_pool *pool,
                const draw_roster *roster, const unsigned char seed[DRAW_SEED_BYTES],
                int64_t committed_ms, draw_record **out, nqi_error *err);

/* Draw targets and teams. public_value: 64 hex characters (32 bytes) fixed
 * after the commitment. Errors: NQI_ECONFLICT "pool_hash"/"roster_hash"
 * ("pool changed after the commitment"), "seed" (does not match seed_hash),
 * record already drawn; NQI_EINVAL "public_value", and
 * "targets/<code>/team" when a team cannot be formed (the message names the
 * target and the number of eligible officers). On error rec is unchanged. */
int draw_run(draw_record *rec, const draw_pool *pool, const draw_roster *roster,
             const unsigned char seed[DRAW_SEED_BYTES], const char *public_value,
             int64_t drawn_ms, nqi_error *err);

/* Inspector `inspector_id` recuses from target `credit_code` for `reason`
 * (required, UTF-8, at most 500 bytes): draw a replacement and append the
 * event. Errors: NQI_ENOTFOUND target not drawn / inspector not on its team;
 * NQI_EINVAL "reason", or no eligible replacement (nothing changes);
 * NQI_ECONFLICT record not drawn or pool/roster changed. */
int draw_redraw(draw_record *rec, const draw_pool *pool, const draw_roster *roster,
                const char *credit_code, const char *inspector_id, const char *reason,
                int64_t at_ms, nqi_error *err);

/* Recompute the record from pool and roster. 0 when everything matches;
 * NQI_ECONFLICT with one field error per finding otherwise:
 *   "commitment"   the commitment is not the hash of the committed values
 *   "seed"         the revealed seed does not hash to seed_hash
 *   "pool_hash"    pool changed after the commitment (then selections are
 *                  not recomputed); "roster_hash" likewise
 *   "strata/<label>"      selection in that stratum differs (counts named)
 *   "targets/<code>/team" a team differs
 *   "redraws/<n>"         a redraw event does not recompute
 * For a record that is only committed, the commitment and the two hashes are
 * all there is to check: 0 when they match. */
int draw_verify(const draw_record *rec, const draw_pool *pool, const draw_roster *roster,
                nqi_error *err);

void draw_record_free(draw_record *rec);

/* ---- reading a record ---- */

typedef enum draw_state { DRAW_COMMITTED = 1, DRAW_DRAWN = 2 } draw_state;

/* One inspected enterprise. Targets are in credit-code order; team[0] is the
 * lead; team reflects every redraw so far. */
typedef struct draw_target {
    const char *credit_code;
    const char *stratum;
    bool directed;
    int nteam;
    const char *team[DRAW_TEAM_MAX];
} draw_target;

typedef struct draw_redraw_event {
    int seq; /* 1, 2, ... in order of recording */
    const char *credit_code;
    const char *recused;
    const char *replacement;
    const char *reason;
    const char *reason_hash; /* SHA-256(reason) hex */
    const char *at;          /* ISO 8601 */
} draw_redraw_event;

draw_state draw_record_state(const draw_record *rec);
const char *draw_record_id(const draw_record *rec);
const char *draw_record_commitment(const draw_record *rec);
size_t draw_record_ntargets(const draw_record *rec);
const draw_target *draw_record_target(const draw_record *rec, size_t i);
const draw_target *draw_record_find(const draw_record *rec, const char *credit_code);
size_t draw_record_nredraws(const draw_record *rec);
const draw_redraw_event *draw_record_redraw(const draw_record *rec, size_t i);

/* The self-contained record (format in docs/modules/draw.md): commitment,
 * committed values, and once drawn P, the seed, per-stratum counts, targets
 * and redraws. New reference. */
json_t *draw_record_to_json(const draw_record *rec);

/* Read a record back (e.g. for `nqi draw verify FILE`). Structural errors
 * are NQI_EINVAL naming the field; whether it is *true* is draw_verify's job. */
int draw_record_from_json(const json_t *j, draw_record **out, nqi_error *err);

#endif
