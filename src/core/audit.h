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

/* ---- Added by the implementation: the log's HTTP routes, JSON documents
 * and the pure RFC 9162 Merkle functions (used by nqi verify and tests). */

#include <stdbool.h>
#include <stddef.h>

/* GET /api/v1/log/{head,entries,proof/{index},consistency} (registered by
 * audit_module). */
void publog_routes(http_server *s);

/* The newest signed tree head as served by GET /api/v1/log/head. An empty
 * log gets a freshly signed head of size 0 (the key is created if needed). */
int publog_head_json(store_conn *c, json_t **out, nqi_error *err);
/* The inclusion-proof bundle for leaf `index` in the signed tree of
 * `tree_size` (0 = the newest). NQI_ENOTFOUND when either does not exist. */
int publog_proof_json(store_conn *c, int64_t index, int64_t tree_size, json_t **out,
                      nqi_error *err);
/* {first, second, proof, first_head, second_head, public_key}. */
int publog_consistency_json(store_conn *c, int64_t first, int64_t second, json_t **out,
                            nqi_error *err);
/* Offline check of a consistency document: both heads' signatures and the
 * RFC 9162 consistency proof between them. */
int publog_verify_consistency(const json_t *doc, const char *pubkey, nqi_error *err);

/* The signed message for a tree head: "nqi-log-v1\n<size>\n<root_hex>\n<at_ms>". */
char *publog_head_message(int64_t tree_size, const char *root_hex, int64_t at_ms);

typedef unsigned char merkle_hash[32];
#define MERKLE_MAX_PATH 130

void merkle_leaf_hash(const void *data, size_t n, merkle_hash out);         /* H(0x00||d) */
void merkle_node_hash(const merkle_hash l, const merkle_hash r, merkle_hash out); /* H(0x01||l||r) */
/* MTH over n leaf hashes (n == 0: SHA-256 of the empty string). */
void merkle_root(const merkle_hash *leaves, size_t n, merkle_hash out);
/* PATH(m, D[n]) and PROOF(m, D[n]) of RFC 9162 2.1.3.1 / 2.1.4.1; return
 * the number of hashes written to path (room for MERKLE_MAX_PATH). */
size_t merkle_inclusion_path(const merkle_hash *leaves, size_t n, size_t m, merkle_hash *path);
size_t merkle_consistency_proof(const merkle_hash *leaves, size_t n, size_t m, merkle_hash *proof);
/* The verification algorithms of RFC 9162 2.1.3.2 / 2.1.4.2. */
bool merkle_verify_inclusion(const merkle_hash leaf, uint64_t index, uint64_t size,
                             const merkle_hash *path, size_t npath, const merkle_hash root);
bool merkle_verify_consistency(uint64_t first, uint64_t second, const merkle_hash first_root,
                               const merkle_hash second_root, const merkle_hash *proof,
                               size_t nproof);

#endif
