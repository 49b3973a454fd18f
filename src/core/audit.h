/*
 * audit.h — the append-only, hash-chained audit log, and the Merkle log of
 * public records with Ed25519-signed tree heads.
 *
 * Every write in nqi calls audit_record inside its own transaction, so the
 * record commits or rolls back with the change it describes. Each record's
 * hash = SHA-256 over its canonical fields and the previous record's hash;
 * audit_verify walks the chain and names the first record that does not fit.
 *
 * The Merkle log (RFC 6962 hashing: leaf = H(0x00||data), node =
 * H(0x01||l||r)) holds public records: inspection results, credit lists,
 * validity reports... publog_append adds one inside the caller's
 * transaction. Tree heads are signed with the server's Ed25519 key, which
 * lives in the store (the server keeps no state outside the store).
 */
#ifndef NQI_AUDIT_H
#define NQI_AUDIT_H

#include <jansson.h>
#include <stdint.h>

#include "core/app.h"
#include "core/err.h"
#include "core/http.h"
#include "core/store.h"

extern const nqi_module audit_module;

/* before/after: JSON of the entity (may be NULL); only their SHA-256 hashes
 * are chained, the "after" JSON is stored for the audit page. Borrowed. */
int audit_record(store_conn *c, const http_principal *actor, const char *action,
                 const char *entity, const char *entity_id, const json_t *before,
                 const json_t *after, nqi_error *err);

/* Verify the whole chain. On tampering returns NQI_ECONFLICT and names the
 * first bad record id in err->message; *checked gets the count verified. */
int audit_verify(store_conn *c, int64_t *checked, nqi_error *err);

/* Append a public record (canonical JSON of `record`, borrowed) to the
 * Merkle log; *out_index gets its leaf index. */
int publog_append(store_conn *c, const char *kind, const char *record_id, const json_t *record,
                  int64_t *out_index, nqi_error *err);

/* Ensure the signing key exists (created on first use). */
int publog_keys_init(store_conn *c, nqi_error *err);

/* Offline verification of a proof bundle (the JSON served by
 * GET /api/v1/log/proof/{index}) with only a public key (base64 or hex).
 * Returns 0 when the leaf is included in a correctly signed tree head. */
int publog_verify_bundle(const json_t *bundle, const char *pubkey, nqi_error *err);

#endif
