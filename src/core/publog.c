/*
 * publog.c — the Merkle log of public records (RFC 6962/9162 hashing) with
 * Ed25519-signed tree heads: append, proofs, offline verification and the
 * public HTTP API. See audit.h and docs/modules/audit.md.
 *
 * Storage: publog_leaves(idx, kind, record_id, data, leaf_hash, at), one
 * signed publog_heads row per tree size, and in settings the key pair
 * (publog.sk, publog.pk, hex) and the frontier (publog.frontier:
 * "<size>:<hex>,<hex>,..." — the roots of the perfect subtrees the tree is
 * made of, largest first), so an append costs O(log n). Proofs read the
 * leaf hashes of the requested tree, O(n) hashing per proof; fine for the
 * sizes a bureau publishes (10^5 leaves: ~30 ms). A node cache table would
 * make proofs O(log n) when needed.
 *
 * Leaf data is the canonical JSON (sorted keys, compact) of
 * {"kind":..., "record":..., "record_id":...}, so a proof covers the kind
 * and id of the record as well as its content.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/audit.h"
#include "core/page.h"
#include "core/util.h"

#define CANON_FLAGS (JSON_SORT_KEYS | JSON_COMPACT | JSON_ENCODE_ANY)
#define LOG_VERSION "nqi-log-v1"

/* ---- pure Merkle functions (RFC 9162 section 2.1) ---- */

void merkle_leaf_hash(const void *data, size_t n, merkle_hash out)
{
    crypto_hash_sha256_state st;
    unsigned char z = 0;
    crypto_hash_sha256_init(&st);
    crypto_hash_sha256_update(&st, &z, 1);
    crypto_hash_sha256_update(&st, data, n);
    crypto_hash_sha256_final(&st, out);
}

void merkle_node_hash(const merkle_hash l, const merkle_hash r, merkle_hash out)
{
    unsigned char b[65];
    b[0] = 1;
    memcpy(b + 1, l, 32);
    memcpy(b + 33, r, 32);
    crypto_hash_sha256(out, b, sizeof b);
}

/* Largest power of two smaller than n (n >= 2). */
static size_t split_point(size_t n)
{
    size_t k = 1;
    while (k << 1 < n)
        k <<= 1;
    return k;
}

void merkle_root(const merkle_hash *d, size_t n, merkle_hash out)
{
    if (n == 0) {
        crypto_hash_sha256(out, (const unsigned char *)"", 0);
        return;
    }
    if (n == 1) {
        memcpy(out, d[0], 32);
        return;
    }
    size_t k = split_point(n);
    merkle_hash l, r;
    merkle_root(d, k, l);
    merkle_root(d + k, n - k, r);
    merkle_node_hash(l, r, out);
}

static void path_rec(const merkle_hash *d, size_t n, size_t m, merkle_hash *path, size_t *np)
{
    if (n <= 1)
        return;
    size_t k = split_point(n);
    if (m < k) {
        path_rec(d, k, m, path, np);
        merkle_root(d + k, n - k, path[(*np)++]);
    } else {
        path_rec(d + k, n - k, m - k, path, np);
        merkle_root(d, k, path[(*np)++]);
    }
}

size_t merkle_inclusion_path(const merkle_hash *leaves, size_t n, size_t m, merkle_hash *path)
{
    size_t np = 0;
    if (m < n)
        path_rec(leaves, n, m, path, &np);
    return np;
}

static void subproof(const merkle_hash *d, size_t n, size_t m, bool b, merkle_hash *p,
                     size_t *np)
{
    if (m == n) {
        if (!b)
            merkle_root(d, n, p[(*np)++]);
        return;
    }
    size_t k = split_point(n);
    if (m <= k) {
        subproof(d, k, m, b, p, np);
        merkle_root(d + k, n - k, p[(*np)++]);
    } else {
        subproof(d + k, n - k, m - k, false, p, np);
        merkle_root(d, k, p[(*np)++]);
    }
}

size_t merkle_consistency_proof(const merkle_hash *leaves, size_t n, size_t m, merkle_hash *proof)
{
    size_t np = 0;
    if (m > 0 && m < n)
        subproof(leaves, n, m, true, proof, &np);
    return np;
}

bool merkle_verify_inclusion(const merkle_hash leaf, uint64_t index, uint64_t size,
                             const merkle_hash *path, size_t npath, const merkle_hash root)
{
    if (index >= size)
        return false;
    uint64_t fn = index, sn = size - 1;
    merkle_hash r;
    memcpy(r, leaf, 32);
    for (size_t i = 0; i < npath; i++) {
        if (sn == 0)
            return false;
        if ((fn & 1) || fn == sn) {
            merkle_node_hash(path[i], r, r);
            if (!(fn & 1))
                while (!(fn & 1) && fn != 0) {
                    fn >>= 1;
                    sn >>= 1;
                }
        } else {
            merkle_node_hash(r, path[i], r);
        }
        fn >>= 1;
        sn >>= 1;
    }
    return sn == 0 && sodium_memcmp(r, root, 32) == 0;
}

bool merkle_verify_consistency(uint64_t first, uint64_t second, const merkle_hash first_root,
                               const merkle_hash second_root, const merkle_hash *proof,
                               size_t nproof)
{
    if (first == 0 || first > second)
        return false;
    if (first == second)
        return nproof == 0 && sodium_memcmp(first_root, second_root, 32) == 0;
    if (nproof == 0 || nproof + 1 > MERKLE_MAX_PATH)
        return false;
    merkle_hash p[MERKLE_MAX_PATH];
    size_t n = 0;
    if ((first & (first - 1)) == 0) /* a power of two: the old root is a node of the new tree */
        memcpy(p[n++], first_root, 32);
    memcpy(p + n, proof, nproof * 32);
    n += nproof;
    uint64_t fn = first - 1, sn = second - 1;
    while (fn & 1) {
        fn >>= 1;
        sn >>= 1;
    }
    merkle_hash fr, sr;
    memcpy(fr, p[0], 32);
    memcpy(sr, p[0], 32);
    for (size_t i = 1; i < n; i++) {
        if (sn == 0)
            return false;
        if ((fn & 1) || fn == sn) {
            merkle_node_hash(p[i], fr, fr);
            merkle_node_hash(p[i], sr, sr);
            if (!(fn & 1))
                while (!(fn & 1) && fn != 0) {
                    fn >>= 1;
                    sn >>= 1;
                }
        } else {
            merkle_node_hash(sr, p[i], sr);
        }
        fn >>= 1;
        sn >>= 1;
    }
    return sn == 0 && sodium_memcmp(fr, first_root, 32) == 0 &&
           sodium_memcmp(sr, second_root, 32) == 0;
}

char *publog_head_message(int64_t tree_size, const char *root_hex, int64_t at_ms)
{
    return xasprintf(LOG_VERSION "\n%lld\n%s\n%lld", (long long)tree_size, root_hex,
                     (long long)at_ms);
}

/* ---- settings and keys ---- */

static int setting_get(store_conn *c, const char *key, char **out, nqi_error *err)
{
    static const char sql[] = "SELECT value FROM settings WHERE key = ?";
    store_val p[] = {SV_TEXT(key)};
    *out = NULL;
    int rc = store_query_text(c, sql, p, 1, out, err);
    if (rc == NQI_ENOTFOUND) {
        nqi_error_clear(err);
        return 0;
    }
    return rc;
}

static int setting_put(store_conn *c, const char *key, const char *value, bool overwrite,
                       nqi_error *err)
{
    static const char sql_upsert[] = "INSERT INTO settings (key, value) VALUES (?, ?) "
                                     "ON CONFLICT (key) DO UPDATE SET value = excluded.value";
    static const char sql_keep[] =
        "INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING";
    store_val p[] = {SV_TEXT(key), SV_TEXT(value)};
    return store_exec(c, overwrite ? sql_upsert : sql_keep, p, 2, NULL, err);
}

/* Decode a public key given as hex (64 digits) or base64 (standard or
 * URL-safe, padded or not). */
static int pubkey_decode(const char *s, unsigned char pk[crypto_sign_PUBLICKEYBYTES])
{
    static const int variants[] = {sodium_base64_VARIANT_ORIGINAL,
                                   sodium_base64_VARIANT_ORIGINAL_NO_PADDING,
                                   sodium_base64_VARIANT_URLSAFE,
                                   sodium_base64_VARIANT_URLSAFE_NO_PADDING};
    size_t len;
    if (!s)
        return -1;
    while (*s == ' ' || *s == '\t')
        s++;
    char *t = xstrdup(s);
    for (size_t n = strlen(t); n && (t[n - 1] == '\n' || t[n - 1] == '\r' || t[n - 1] == ' ');)
        t[--n] = 0;
    int rc = -1;
    if (hex_decode(t, pk, crypto_sign_PUBLICKEYBYTES) == 0)
        rc = 0;
    for (size_t i = 0; rc && i < sizeof variants / sizeof variants[0]; i++)
        if (sodium_base642bin(pk, crypto_sign_PUBLICKEYBYTES, t, strlen(t), NULL, &len, NULL,
                              variants[i]) == 0 &&
            len == crypto_sign_PUBLICKEYBYTES)
            rc = 0;
    free(t);
    return rc;
}

typedef struct log_keys {
    unsigned char pk[crypto_sign_PUBLICKEYBYTES];
    unsigned char sk[crypto_sign_SECRETKEYBYTES];
    char pk_hex[2 * crypto_sign_PUBLICKEYBYTES + 1];
    bool have;
} log_keys;

static int keys_load(store_conn *c, log_keys *k, nqi_error *err)
{
    char *pk = NULL, *sk = NULL;
    memset(k, 0, sizeof *k);
    int rc = setting_get(c, "publog.pk", &pk, err);
    if (!rc)
        rc = setting_get(c, "publog.sk", &sk, err);
    if (!rc && pk && sk) {
        if (hex_decode(pk, k->pk, sizeof k->pk) || hex_decode(sk, k->sk, sizeof k->sk) ||
            memcmp(k->sk + 32, k->pk, 32))
            rc = nqi_error_set(err, NQI_EINTERNAL, "publog key pair in settings is corrupt");
        else {
            k->have = true;
            snprintf(k->pk_hex, sizeof k->pk_hex, "%s", pk);
        }
    } else if (!rc && (pk || sk)) {
        rc = nqi_error_set(err, NQI_EINTERNAL, "publog key pair in settings is incomplete");
    }
    if (sk)
        sodium_memzero(sk, strlen(sk));
    free(pk);
    free(sk);
    return rc;
}

int publog_keys_init(store_conn *c, nqi_error *err)
{
    log_keys k;
    if (sodium_init() < 0)
        return nqi_error_set(err, NQI_EINTERNAL, "libsodium failed to initialise");
    bool own = !store_in_tx(c);
    int rc = own ? store_begin(c, true, err) : 0;
    if (!rc)
        rc = keys_load(c, &k, err);
    if (!rc && !k.have) {
        char pk_hex[65], sk_hex[129];
        crypto_sign_keypair(k.pk, k.sk);
        hex_encode(k.pk, sizeof k.pk, pk_hex);
        hex_encode(k.sk, sizeof k.sk, sk_hex);
        /* DO NOTHING on conflict: a concurrent first use keeps one pair. */
        rc = setting_put(c, "publog.sk", sk_hex, false, err);
        if (!rc)
            rc = setting_put(c, "publog.pk", pk_hex, false, err);
        sodium_memzero(sk_hex, sizeof sk_hex);
        if (!rc)
            rc = keys_load(c, &k, err);
        if (!rc && !k.have)
            rc = nqi_error_set(err, NQI_EINTERNAL, "publog key pair was not stored");
    }
    sodium_memzero(k.sk, sizeof k.sk);
    rc = store_tx_end(c, own, rc, err);
    return rc;
}

/* ---- the frontier ---- */

typedef struct frontier {
    int64_t size;
    int n;
    merkle_hash h[64];
} frontier;

static int frontier_parse(const char *s, frontier *f)
{
    char *end;
    memset(f, 0, sizeof *f);
    errno = 0;
    long long size = strtoll(s, &end, 10);
    if (errno || *end != ':' || size < 0)
        return -1;
    f->size = size;
    const char *p = end + 1;
    while (*p) {
        char hex[65];
        if (f->n == 64 || strlen(p) < 64)
            return -1;
        memcpy(hex, p, 64);
        hex[64] = 0;
        if (hex_decode(hex, f->h[f->n++], 32))
            return -1;
        p += 64;
        if (*p == ',')
            p++;
        else if (*p)
            return -1;
    }
    return f->n == __builtin_popcountll((unsigned long long)f->size) ? 0 : -1;
}

static char *frontier_format(const frontier *f)
{
    buf b;
    buf_init(&b, 0);
    buf_printf(&b, "%lld:", (long long)f->size);
    for (int i = 0; i < f->n; i++) {
        char hex[65];
        hex_encode(f->h[i], 32, hex);
        buf_printf(&b, "%s%s", i ? "," : "", hex);
    }
    return buf_steal(&b);
}

static void frontier_push(frontier *f, const merkle_hash leaf)
{
    merkle_hash cur;
    memcpy(cur, leaf, 32);
    for (int64_t m = f->size; m & 1; m >>= 1)
        merkle_node_hash(f->h[--f->n], cur, cur);
    memcpy(f->h[f->n++], cur, 32);
    f->size++;
}

static void frontier_root(const frontier *f, merkle_hash out)
{
    if (!f->n) {
        merkle_root(NULL, 0, out);
        return;
    }
    memcpy(out, f->h[f->n - 1], 32);
    for (int i = f->n - 2; i >= 0; i--)
        merkle_node_hash(f->h[i], out, out);
}

/* Leaf hashes [0, n) from the store; *out malloc'd. */
static int leaves_load(store_conn *c, int64_t n, merkle_hash **out, nqi_error *err)
{
    static const char sql[] = "SELECT idx, leaf_hash FROM publog_leaves WHERE idx < ? ORDER BY idx";
    store_rows *rows = NULL;
    merkle_hash *h = xcalloc(n ? (size_t)n : 1, sizeof *h);
    store_val p[] = {SV_INT(n)};
    int64_t i = 0;
    int step = 0, rc = store_query(c, sql, p, 1, &rows, err);
    if (rc) {
        free(h);
        return rc;
    }
    while (i < n && (step = store_next(rows)) == 1) {
        const char *hex = store_text(rows, 1);
        if (store_int(rows, 0) != i || !hex || hex_decode(hex, h[i], 32)) {
            rc = nqi_error_set(err, NQI_EINTERNAL, "public log leaf %lld missing or corrupt",
                               (long long)i);
            break;
        }
        i++;
    }
    store_rows_close(rows);
    if (!rc && step < 0)
        rc = nqi_error_set(err, NQI_EDB, "reading public log leaves failed");
    if (!rc && i != n)
        rc = nqi_error_set(err, NQI_EINTERNAL, "public log has %lld leaves, expected %lld",
                           (long long)i, (long long)n);
    if (rc) {
        free(h);
        return rc;
    }
    *out = h;
    return 0;
}

/* The frontier for a log of `size` leaves: from settings when it matches,
 * else rebuilt from the leaves (first use, or a restored backup). */
static int frontier_load(store_conn *c, int64_t size, frontier *f, nqi_error *err)
{
    char *s = NULL;
    int rc = setting_get(c, "publog.frontier", &s, err);
    if (rc)
        return rc;
    bool ok = s && frontier_parse(s, f) == 0 && f->size == size;
    free(s);
    if (ok)
        return 0;
    merkle_hash *h = NULL;
    rc = leaves_load(c, size, &h, err);
    if (rc)
        return rc;
    memset(f, 0, sizeof *f);
    for (int64_t i = 0; i < size; i++)
        frontier_push(f, h[i]);
    free(h);
    return 0;
}

/* ---- append ---- */

static int sign_head(const log_keys *k, int64_t size, const char *root_hex, int64_t at,
                     char sig_hex[129])
{
    unsigned char sig[crypto_sign_BYTES];
    char *msg = publog_head_message(size, root_hex, at);
    int rc = crypto_sign_detached(sig, NULL, (const unsigned char *)msg, strlen(msg), k->sk);
    free(msg);
    hex_encode(sig, sizeof sig, sig_hex);
    return rc;
}

static char *leaf_data(const char *kind, const char *record_id, const json_t *record)
{
    json_t *w = json_pack("{s:s, s:s, s:O}", "kind", kind, "record_id", record_id, "record",
                          (json_t *)record);
    char *s = w ? json_dumps(w, CANON_FLAGS) : NULL;
    json_decref(w);
    return s;
}

static int append_tx(store_conn *c, const char *data, const char *kind, const char *record_id,
                     int64_t *out_index, nqi_error *err)
{
    static const char sql_lock[] =
        "UPDATE settings SET value = value WHERE key = 'publog.frontier'";
    static const char sql_size[] = "SELECT COALESCE(MAX(idx) + 1, 0) FROM publog_leaves";
    static const char sql_leaf[] = "INSERT INTO publog_leaves (idx, kind, record_id, data, "
                                   "leaf_hash, at) VALUES (?, ?, ?, ?, ?, ?)";
    static const char sql_head[] =
        "INSERT INTO publog_heads (tree_size, root_hash, at, signature) VALUES (?, ?, ?, ?)";
    log_keys k;
    frontier f;
    int64_t size = 0, at = now_ms();
    merkle_hash lh, root;
    char lh_hex[65], root_hex[65], sig_hex[129];
    int rc = publog_keys_init(c, err);
    if (!rc)
        rc = keys_load(c, &k, err);
    if (!rc) /* PostgreSQL: serialise appenders on the frontier row */
        rc = store_exec(c, sql_lock, NULL, 0, NULL, err);
    if (!rc)
        rc = store_query_int(c, sql_size, NULL, 0, &size, err);
    if (!rc)
        rc = frontier_load(c, size, &f, err);
    if (rc)
        goto out;
    merkle_leaf_hash(data, strlen(data), lh);
    hex_encode(lh, 32, lh_hex);
    store_val lp[] = {SV_INT(size), SV_TEXT(kind),    SV_TEXT(record_id),
                      SV_TEXT(data), SV_TEXT(lh_hex), SV_INT(at)};
    rc = store_exec(c, sql_leaf, lp, 6, NULL, err);
    if (rc)
        goto out;
    frontier_push(&f, lh);
    frontier_root(&f, root);
    hex_encode(root, 32, root_hex);
    if (sign_head(&k, f.size, root_hex, at, sig_hex)) {
        rc = nqi_error_set(err, NQI_EINTERNAL, "signing the tree head failed");
        goto out;
    }
    store_val hp[] = {SV_INT(f.size), SV_TEXT(root_hex), SV_INT(at), SV_TEXT(sig_hex)};
    rc = store_exec(c, sql_head, hp, 4, NULL, err);
    if (!rc) {
        char *fs = frontier_format(&f);
        rc = setting_put(c, "publog.frontier", fs, true, err);
        free(fs);
    }
    if (!rc && out_index)
        *out_index = size;
out:
    sodium_memzero(k.sk, sizeof k.sk);
    return rc;
}

int publog_append(store_conn *c, const char *kind, const char *record_id, const json_t *record,
                  int64_t *out_index, nqi_error *err)
{
    if (!store_in_tx(c))
        return nqi_error_set(err, NQI_EINTERNAL, "publog_append called outside a transaction");
    if (!kind || !*kind || !record_id || !record)
        return nqi_error_set(err, NQI_EINTERNAL, "publog_append needs kind, record_id, record");
    /* appends take turns (PostgreSQL: the next index is MAX(idx) + 1, which
     * two concurrent transactions would otherwise both read) */
    int rc = store_tx_lock(c, "publog", err);
    if (rc)
        return rc;
    char *data = leaf_data(kind, record_id, record);
    if (!data)
        return nqi_error_set(err, NQI_EINTERNAL, "record cannot be serialised");
    rc = append_tx(c, data, kind, record_id, out_index, err);
    free(data);
    return rc;
}

/* ---- reading heads and proofs ---- */

typedef struct head_row {
    int64_t size, at;
    char root[65], sig[129];
} head_row;

/* tree_size 0: the newest head. NQI_ENOTFOUND when there is none. */
static int head_get(store_conn *c, int64_t tree_size, head_row *h, nqi_error *err)
{
    static const char sql_size[] =
        "SELECT tree_size, root_hash, at, signature FROM publog_heads WHERE tree_size = ?";
    static const char sql_last[] = "SELECT tree_size, root_hash, at, signature FROM publog_heads "
                                   "ORDER BY tree_size DESC LIMIT 1";
    store_rows *rows = NULL;
    store_val p[] = {SV_INT(tree_size)};
    int rc = tree_size ? store_query(c, sql_size, p, 1, &rows, err)
                       : store_query(c, sql_last, NULL, 0, &rows, err);
    if (rc)
        return rc;
    rc = store_next(rows);
    if (rc == 1) {
        h->size = store_int(rows, 0);
        h->at = store_int(rows, 2);
        snprintf(h->root, sizeof h->root, "%s", store_text(rows, 1) ? store_text(rows, 1) : "");
        snprintf(h->sig, sizeof h->sig, "%s", store_text(rows, 3) ? store_text(rows, 3) : "");
        rc = 0;
    } else if (rc == 0) {
        rc = tree_size ? nqi_error_set(err, NQI_ENOTFOUND, "no signed tree head of size %lld",
                                       (long long)tree_size)
                       : nqi_error_set(err, NQI_ENOTFOUND, "the public log is empty");
    } else {
        rc = nqi_error_set(err, NQI_EDB, "reading tree heads failed");
    }
    store_rows_close(rows);
    return rc;
}

static json_t *head_json(const head_row *h, bool full, const char *pk_hex)
{
    char t[32];
    json_t *o = json_pack("{s:I, s:s, s:I, s:s, s:s}", "tree_size", (json_int_t)h->size,
                          "root_hash", h->root, "timestamp_ms", (json_int_t)h->at, "timestamp",
                          time_iso8601(h->at, t, sizeof t), "signature", h->sig);
    if (full) {
        json_object_set_new(o, "public_key", json_string(pk_hex));
        json_object_set_new(o, "algorithm", json_string("ed25519"));
        json_object_set_new(o, "version", json_string(LOG_VERSION));
    }
    return o;
}

int publog_head_json(store_conn *c, json_t **out, nqi_error *err)
{
    head_row h = {0};
    log_keys k;
    int rc = head_get(c, 0, &h, err);
    if (rc == NQI_ENOTFOUND) { /* empty log: a fresh head of size 0 */
        nqi_error_clear(err);
        merkle_hash root;
        merkle_root(NULL, 0, root);
        hex_encode(root, 32, h.root);
        h.at = now_ms();
        rc = publog_keys_init(c, err);
        if (!rc)
            rc = keys_load(c, &k, err);
        if (!rc && sign_head(&k, 0, h.root, h.at, h.sig))
            rc = nqi_error_set(err, NQI_EINTERNAL, "signing the tree head failed");
    } else if (!rc) {
        rc = keys_load(c, &k, err);
    }
    if (!rc && !k.have)
        rc = nqi_error_set(err, NQI_EINTERNAL, "publog key pair missing");
    if (!rc)
        *out = head_json(&h, true, k.pk_hex);
    sodium_memzero(k.sk, sizeof k.sk);
    return rc;
}

static json_t *hash_array(const merkle_hash *h, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++) {
        char hex[65];
        hex_encode(h[i], 32, hex);
        json_array_append_new(a, json_string(hex));
    }
    return a;
}

int publog_proof_json(store_conn *c, int64_t index, int64_t tree_size, json_t **out,
                      nqi_error *err)
{
    static const char sql_leaf[] =
        "SELECT kind, record_id, data FROM publog_leaves WHERE idx = ?";
    head_row h;
    log_keys k;
    store_rows *rows = NULL;
    merkle_hash *leaves = NULL, path[MERKLE_MAX_PATH], root;
    json_t *leaf = NULL;
    if (index < 0 || tree_size < 0)
        return nqi_error_set(err, NQI_EINVAL, "index and tree_size must not be negative");
    int rc = head_get(c, tree_size, &h, err);
    if (rc)
        return rc;
    if (index >= h.size)
        return nqi_error_set(err, NQI_ENOTFOUND, "leaf %lld is not in the tree of size %lld",
                             (long long)index, (long long)h.size);
    store_val p[] = {SV_INT(index)};
    rc = store_query(c, sql_leaf, p, 1, &rows, err);
    if (rc)
        return rc;
    if (store_next(rows) == 1)
        leaf = json_pack("{s:I, s:s, s:s, s:s}", "index", (json_int_t)index, "kind",
                         store_text(rows, 0), "record_id", store_text(rows, 1), "data",
                         store_text(rows, 2));
    store_rows_close(rows);
    if (!leaf)
        return nqi_error_set(err, NQI_ENOTFOUND, "leaf %lld not found", (long long)index);
    rc = keys_load(c, &k, err);
    if (!rc && !k.have)
        rc = nqi_error_set(err, NQI_EINTERNAL, "publog key pair missing");
    if (!rc)
        rc = leaves_load(c, h.size, &leaves, err);
    sodium_memzero(k.sk, sizeof k.sk);
    if (rc) {
        json_decref(leaf);
        return rc;
    }
    size_t np = merkle_inclusion_path(leaves, (size_t)h.size, (size_t)index, path);
    merkle_root(leaves, (size_t)h.size, root);
    free(leaves);
    char root_hex[65];
    hex_encode(root, 32, root_hex);
    if (strcmp(root_hex, h.root)) {
        json_decref(leaf);
        return nqi_error_set(err, NQI_EINTERNAL,
                             "stored head %lld does not match the stored leaves",
                             (long long)h.size);
    }
    *out = json_pack("{s:o, s:I, s:s, s:o, s:o, s:s, s:s, s:s}", "leaf", leaf, "tree_size",
                     (json_int_t)h.size, "root_hash", h.root, "audit_path", hash_array(path, np),
                     "head", head_json(&h, false, NULL), "public_key", k.pk_hex, "algorithm",
                     "ed25519", "version", LOG_VERSION);
    return 0;
}

int publog_consistency_json(store_conn *c, int64_t first, int64_t second, json_t **out,
                            nqi_error *err)
{
    head_row h1, h2;
    log_keys k;
    merkle_hash *leaves = NULL, proof[MERKLE_MAX_PATH];
    if (first < 1)
        nqi_error_field(err, NQI_EINVAL, "first", "must be at least 1");
    if (second < first)
        nqi_error_field(err, NQI_EINVAL, "second", "must be at least first");
    if (err && err->code)
        return err->code;
    int rc = head_get(c, first, &h1, err);
    if (!rc)
        rc = head_get(c, second, &h2, err);
    if (!rc)
        rc = keys_load(c, &k, err);
    if (!rc)
        rc = leaves_load(c, second, &leaves, err);
    sodium_memzero(k.sk, sizeof k.sk);
    if (rc)
        return rc;
    size_t np = merkle_consistency_proof(leaves, (size_t)second, (size_t)first, proof);
    free(leaves);
    *out = json_pack("{s:I, s:I, s:o, s:o, s:o, s:s, s:s, s:s}", "first", (json_int_t)first,
                     "second", (json_int_t)second, "proof", hash_array(proof, np), "first_head",
                     head_json(&h1, false, NULL), "second_head", head_json(&h2, false, NULL),
                     "public_key", k.pk_hex, "algorithm", "ed25519", "version", LOG_VERSION);
    return 0;
}

/* ---- offline verification ---- */

static int hex32(const json_t *v, merkle_hash out)
{
    return json_is_string(v) ? hex_decode(json_string_value(v), out, 32) : -1;
}

static int get_head(const json_t *o, int64_t *size, merkle_hash root, int64_t *at,
                    unsigned char sig[crypto_sign_BYTES])
{
    json_t *s = json_object_get(o, "tree_size"), *t = json_object_get(o, "timestamp_ms");
    json_t *g = json_object_get(o, "signature");
    if (!json_is_integer(s) || !json_is_integer(t) || hex32(json_object_get(o, "root_hash"), root) ||
        !json_is_string(g) || hex_decode(json_string_value(g), sig, crypto_sign_BYTES))
        return -1;
    *size = json_integer_value(s);
    *at = json_integer_value(t);
    return 0;
}

static bool head_signed(int64_t size, const merkle_hash root, int64_t at,
                        const unsigned char *sig, const unsigned char *pk)
{
    char root_hex[65];
    hex_encode(root, 32, root_hex);
    char *msg = publog_head_message(size, root_hex, at);
    bool ok = crypto_sign_verify_detached(sig, (const unsigned char *)msg, strlen(msg), pk) == 0;
    free(msg);
    return ok;
}

static int path_get(const json_t *a, merkle_hash *path, size_t *n)
{
    if (!json_is_array(a) || json_array_size(a) >= MERKLE_MAX_PATH)
        return -1;
    *n = json_array_size(a);
    for (size_t i = 0; i < *n; i++)
        if (hex32(json_array_get(a, i), path[i]))
            return -1;
    return 0;
}

static int key_get(const json_t *doc, const char *pubkey, unsigned char *pk, nqi_error *err)
{
    const char *k = pubkey ? pubkey : json_string_value(json_object_get(doc, "public_key"));
    if (!k)
        return nqi_error_set(err, NQI_EINVAL, "no public key given and none in the document");
    if (pubkey_decode(k, pk))
        return nqi_error_set(err, NQI_EINVAL, "public key is not 32 bytes of hex or base64");
    return 0;
}

/* The leaf's kind and record_id must be the ones inside its data. */
static bool leaf_fields_match(const json_t *leaf, const char *data)
{
    json_t *d = json_loads(data, 0, NULL);
    bool ok = true;
    static const char *const keys[] = {"kind", "record_id"};
    for (size_t i = 0; i < 2; i++) {
        json_t *in_leaf = json_object_get(leaf, keys[i]);
        if (!in_leaf)
            continue;
        json_t *in_data = d ? json_object_get(d, keys[i]) : NULL;
        if (!in_data || !json_equal(in_leaf, in_data))
            ok = false;
    }
    json_decref(d);
    return ok;
}

int publog_verify_bundle(const json_t *b, const char *pubkey, nqi_error *err)
{
    unsigned char pk[crypto_sign_PUBLICKEYBYTES], sig[crypto_sign_BYTES];
    merkle_hash root, hroot, lh, path[MERKLE_MAX_PATH];
    int64_t hsize, at;
    size_t np;
    if (sodium_init() < 0)
        return nqi_error_set(err, NQI_EINTERNAL, "libsodium failed to initialise");
    if (!json_is_object(b))
        return nqi_error_set(err, NQI_EINVAL, "bundle: not a JSON object");
    json_t *leaf = json_object_get(b, "leaf"), *size = json_object_get(b, "tree_size");
    json_t *index = json_object_get(leaf, "index");
    const char *data = json_string_value(json_object_get(leaf, "data"));
    if (!json_is_object(leaf) || !json_is_integer(index) || !data)
        return nqi_error_set(err, NQI_EINVAL, "bundle: leaf.index or leaf.data missing");
    if (!json_is_integer(size) || hex32(json_object_get(b, "root_hash"), root))
        return nqi_error_set(err, NQI_EINVAL, "bundle: tree_size or root_hash missing");
    if (path_get(json_object_get(b, "audit_path"), path, &np))
        return nqi_error_set(err, NQI_EINVAL, "bundle: audit_path malformed");
    if (get_head(json_object_get(b, "head"), &hsize, hroot, &at, sig))
        return nqi_error_set(err, NQI_EINVAL, "bundle: head malformed");
    if (key_get(b, pubkey, pk, err))
        return err ? err->code : NQI_EINVAL;
    int64_t i = json_integer_value(index), n = json_integer_value(size);
    if (!leaf_fields_match(leaf, data))
        return nqi_error_set(err, NQI_ECONFLICT,
                             "leaf %lld: kind/record_id do not match the leaf data", (long long)i);
    merkle_leaf_hash(data, strlen(data), lh);
    if (i < 0 || n < 1 ||
        !merkle_verify_inclusion(lh, (uint64_t)i, (uint64_t)n, path, np, root))
        return nqi_error_set(err, NQI_ECONFLICT,
                             "inclusion proof failed: leaf %lld and its audit path do not lead "
                             "to the root of the tree of size %lld",
                             (long long)i, (long long)n);
    if (hsize != n || sodium_memcmp(hroot, root, 32))
        return nqi_error_set(err, NQI_ECONFLICT,
                             "signed head (size %lld) is not the proof's tree (size %lld)",
                             (long long)hsize, (long long)n);
    if (!head_signed(hsize, hroot, at, sig, pk))
        return nqi_error_set(err, NQI_ECONFLICT,
                             "signature invalid: tree head of size %lld was not signed by this "
                             "key",
                             (long long)hsize);
    return 0;
}

int publog_verify_consistency(const json_t *doc, const char *pubkey, nqi_error *err)
{
    unsigned char pk[crypto_sign_PUBLICKEYBYTES], sig1[crypto_sign_BYTES], sig2[crypto_sign_BYTES];
    merkle_hash r1, r2, proof[MERKLE_MAX_PATH];
    int64_t s1, s2, at1, at2;
    size_t np;
    if (sodium_init() < 0)
        return nqi_error_set(err, NQI_EINTERNAL, "libsodium failed to initialise");
    if (!json_is_object(doc) || get_head(json_object_get(doc, "first_head"), &s1, r1, &at1, sig1) ||
        get_head(json_object_get(doc, "second_head"), &s2, r2, &at2, sig2))
        return nqi_error_set(err, NQI_EINVAL, "consistency: first_head/second_head malformed");
    if (path_get(json_object_get(doc, "proof"), proof, &np))
        return nqi_error_set(err, NQI_EINVAL, "consistency: proof malformed");
    /* The top-level sizes are what a reader sees first: they must be the
     * sizes the signed heads (which are what gets verified) say. */
    static const char *const size_keys[2] = {"first", "second"};
    const int64_t head_sizes[2] = {s1, s2};
    for (int i = 0; i < 2; i++) {
        json_t *v = json_object_get(doc, size_keys[i]);
        if (v && (!json_is_integer(v) || json_integer_value(v) != head_sizes[i]))
            return nqi_error_set(err, NQI_ECONFLICT,
                                 "consistency: \"%s\" does not match %s_head.tree_size (%lld)",
                                 size_keys[i], size_keys[i], (long long)head_sizes[i]);
    }
    if (key_get(doc, pubkey, pk, err))
        return err ? err->code : NQI_EINVAL;
    if (!head_signed(s1, r1, at1, sig1, pk))
        return nqi_error_set(err, NQI_ECONFLICT, "signature invalid on the head of size %lld",
                             (long long)s1);
    if (!head_signed(s2, r2, at2, sig2, pk))
        return nqi_error_set(err, NQI_ECONFLICT, "signature invalid on the head of size %lld",
                             (long long)s2);
    if (s1 < 1 || s2 < s1 ||
        !merkle_verify_consistency((uint64_t)s1, (uint64_t)s2, r1, r2, proof, np))
        return nqi_error_set(err, NQI_ECONFLICT,
                             "consistency proof failed: the tree of size %lld is not a prefix of "
                             "the tree of size %lld",
                             (long long)s1, (long long)s2);
    return 0;
}

/* ---- HTTP (public) ---- */

static bool query_i64(http_req *r, const char *name, int64_t *out, int64_t min, int64_t max,
                      nqi_error *err)
{
    const char *s = http_query(r, name);
    char *end;
    if (!s || !*s)
        return false;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || *end || v < min || v > max)
        nqi_error_field(err, NQI_EINVAL, name, "must be an integer from %lld to %lld",
                        (long long)min, (long long)max);
    else
        *out = v;
    return true;
}

static void h_head(http_req *r, http_resp *w)
{
    nqi_error err = {0};
    json_t *out = NULL;
    if (publog_head_json(r->db, &out, &err))
        http_resp_problem(w, r, &err);
    else
        http_resp_json(w, 200, out);
}

static json_t *leaf_row_json(store_rows *rows, void *ctx)
{
    (void)ctx;
    char t[32];
    return json_pack("{s:I, s:s, s:s, s:s, s:s, s:s}", "index", (json_int_t)store_int(rows, 0),
                     "kind", store_text(rows, 1), "record_id", store_text(rows, 2), "data",
                     store_text(rows, 3), "leaf_hash", store_text(rows, 4), "timestamp",
                     time_iso8601(store_int(rows, 5), t, sizeof t));
}

/* ?start=N lists from leaf N; ?cursor= is the next_cursor of the previous
 * page (the last index it returned). */
static void h_entries(http_req *r, http_resp *w)
{
    static const char sql[] = "SELECT idx, kind, record_id, data, leaf_hash, at "
                              "FROM publog_leaves WHERE idx >= ? ORDER BY idx LIMIT ?";
    nqi_error err = {0};
    int64_t start = 0, cursor = -1, limit = 100;
    store_rows *rows = NULL;
    json_t *page = NULL;
    query_i64(r, "cursor", &cursor, 0, INT64_MAX - 1, &err);
    query_i64(r, "start", &start, 0, INT64_MAX, &err);
    query_i64(r, "limit", &limit, 1, 1000, &err);
    if (cursor >= 0)
        start = cursor + 1;
    store_val p[] = {SV_INT(start), SV_INT(limit + 1)};
    if (err.code || store_query(r->db, sql, p, 2, &rows, &err) ||
        store_page_json(rows, limit, leaf_row_json, NULL, &page, &err)) {
        http_resp_problem(w, r, &err);
        return;
    }
    http_resp_json(w, 200, page);
}

static void h_proof(http_req *r, http_resp *w)
{
    nqi_error err = {0};
    int64_t index = -1, size = 0;
    const char *s = http_param(r, "index");
    char *end;
    json_t *out = NULL;
    errno = 0;
    if (s && *s)
        index = strtoll(s, &end, 10);
    if (!s || !*s || errno || *end || index < 0) {
        http_resp_error(w, r, NQI_ENOTFOUND, "leaf '%s' not found", s ? s : "");
        return;
    }
    query_i64(r, "tree_size", &size, 1, INT64_MAX, &err);
    if (err.code || publog_proof_json(r->db, index, size, &out, &err))
        http_resp_problem(w, r, &err);
    else
        http_resp_json(w, 200, out);
}

static void h_consistency(http_req *r, http_resp *w)
{
    nqi_error err = {0};
    int64_t first = 0, second = 0;
    json_t *out = NULL;
    if (!query_i64(r, "first", &first, 1, INT64_MAX, &err))
        nqi_error_field(&err, NQI_EINVAL, "first", "required");
    if (!query_i64(r, "second", &second, 1, INT64_MAX, &err))
        nqi_error_field(&err, NQI_EINVAL, "second", "required");
    if (err.code || publog_consistency_json(r->db, first, second, &out, &err))
        http_resp_problem(w, r, &err);
    else
        http_resp_json(w, 200, out);
}

void publog_routes(http_server *s)
{
    http_route(s, "GET", "/api/v1/log/head", ROLES_ANY, h_head, 0,
               "the newest signed tree head of the public-record log");
    http_route(s, "GET", "/api/v1/log/entries", ROLES_ANY, h_entries, 0,
               "public-record log entries (start, limit)");
    http_route(s, "GET", "/api/v1/log/proof/{index}", ROLES_ANY, h_proof, 0,
               "inclusion proof bundle for a leaf (verify offline with nqi verify)");
    http_route(s, "GET", "/api/v1/log/consistency", ROLES_ANY, h_consistency, 0,
               "consistency proof between two signed tree heads");
}
