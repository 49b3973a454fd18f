/*
 * test_publog.c — the Merkle log of public records: the RFC 6962 test
 * vectors (roots of the first 1..8 leaves of the reference test data), a
 * hand-computed 3-leaf tree, every inclusion and consistency proof for
 * every tree size up to 50 through the store and the offline verifier, and
 * tampering with each part of a bundle.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <sodium.h>

#include "core/audit.h"
#include "core/util.h"
#include "fixture.h"

/* ---- pure Merkle functions ---- */

static const struct {
    const char *data;
    size_t len;
} rfc_leaves[] = {
    {"", 0},
    {"\x00", 1},
    {"\x10", 1},
    {"\x20\x21", 2},
    {"\x30\x31", 2},
    {"\x40\x41\x42\x43", 4},
    {"\x50\x51\x52\x53\x54\x55\x56\x57", 8},
    {"\x60\x61\x62\x63\x64\x65\x66\x67\x68\x69\x6a\x6b\x6c\x6d\x6e\x6f", 16},
};

/* Roots of the first n leaves, from the RFC 6962 reference tests
 * (certificate-transparency merkle_tree_test), re-derived with an
 * independent implementation. */
static const char *const rfc_roots[] = {
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
};

static void test_rfc6962_vectors(void **state)
{
    merkle_hash leaves[8], root;
    char hex[65];
    for (int i = 0; i < 8; i++)
        merkle_leaf_hash(rfc_leaves[i].data, rfc_leaves[i].len, leaves[i]);
    for (int n = 1; n <= 8; n++) {
        merkle_root(leaves, (size_t)n, root);
        hex_encode(root, 32, hex);
        assert_string_equal(hex, rfc_roots[n - 1]);
    }
    merkle_root(NULL, 0, root);
    hex_encode(root, 32, hex);
    assert_string_equal(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

static void test_three_leaves_by_hand(void **state)
{
    /* root = H(1 || H(1 || H(0||a) || H(0||b)) || H(0||c)) */
    unsigned char buf[65], a[32], b[32], c[32], ab[32], want[32];
    const char *d[3] = {"a", "b", "c"};
    unsigned char *lh[3] = {a, b, c};
    for (int i = 0; i < 3; i++) {
        buf[0] = 0;
        buf[1] = (unsigned char)d[i][0];
        crypto_hash_sha256(lh[i], buf, 2);
    }
    buf[0] = 1;
    memcpy(buf + 1, a, 32);
    memcpy(buf + 33, b, 32);
    crypto_hash_sha256(ab, buf, 65);
    memcpy(buf + 1, ab, 32);
    memcpy(buf + 33, c, 32);
    crypto_hash_sha256(want, buf, 65);

    merkle_hash leaves[3], root, path[MERKLE_MAX_PATH];
    for (int i = 0; i < 3; i++)
        merkle_leaf_hash(d[i], 1, leaves[i]);
    merkle_root(leaves, 3, root);
    assert_memory_equal(root, want, 32);
    /* Leaf 2's path is the single node H(a,b); leaf 0's is [b, c]. */
    assert_int_equal(merkle_inclusion_path(leaves, 3, 2, path), 1);
    assert_memory_equal(path[0], ab, 32);
    assert_int_equal(merkle_inclusion_path(leaves, 3, 0, path), 2);
    assert_memory_equal(path[0], b, 32);
    assert_memory_equal(path[1], c, 32);
    assert_true(merkle_verify_inclusion(leaves[0], 0, 3, path, 2, root));
    assert_false(merkle_verify_inclusion(leaves[0], 1, 3, path, 2, root));
    /* (Sizes 3 and 4 give leaf 0 paths of the same shape: the size is
     * bound by the signed head, not by the path.) A path too long for the
     * size fails. */
    assert_false(merkle_verify_inclusion(leaves[0], 0, 2, path, 2, root));
    assert_false(merkle_verify_inclusion(leaves[2], 0, 3, path, 2, root));
    assert_false(merkle_verify_inclusion(leaves[0], 3, 3, path, 2, root));
}

static void test_pure_proofs_all_sizes(void **state)
{
    enum { N = 70 };
    merkle_hash leaves[N], roots[N + 1], path[MERKLE_MAX_PATH];
    for (int i = 0; i < N; i++) {
        char d[24];
        snprintf(d, sizeof d, "leaf-%d", i);
        merkle_leaf_hash(d, strlen(d), leaves[i]);
    }
    for (int n = 0; n <= N; n++)
        merkle_root(leaves, (size_t)n, roots[n]);
    for (int n = 1; n <= N; n++) {
        for (int m = 0; m < n; m++) {
            size_t np = merkle_inclusion_path(leaves, (size_t)n, (size_t)m, path);
            assert_true(merkle_verify_inclusion(leaves[m], (uint64_t)m, (uint64_t)n, path, np,
                                                roots[n]));
            if (np) { /* a flipped bit anywhere fails */
                path[np / 2][7] ^= 0x20;
                assert_false(merkle_verify_inclusion(leaves[m], (uint64_t)m, (uint64_t)n, path,
                                                     np, roots[n]));
            }
            assert_false(merkle_verify_inclusion(leaves[(m + 1) % n], (uint64_t)m, (uint64_t)n,
                                                 path, np, roots[n]) &&
                         n > 1);
        }
        for (int m = 1; m <= n; m++) {
            size_t np = merkle_consistency_proof(leaves, (size_t)n, (size_t)m, path);
            assert_true(merkle_verify_consistency((uint64_t)m, (uint64_t)n, roots[m], roots[n],
                                                  path, np));
            if (m < n) {
                assert_false(merkle_verify_consistency((uint64_t)m, (uint64_t)n, roots[m - 1],
                                                       roots[n], path, np));
                path[0][0] ^= 1;
                assert_false(merkle_verify_consistency((uint64_t)m, (uint64_t)n, roots[m],
                                                       roots[n], path, np));
            }
        }
    }
}

/* ---- through the store ---- */

typedef test_db fx; /* the whole fixture is the database (fixture.h) */

static void append(fx *f, int i)
{
    nqi_error err = {0};
    char id[32];
    snprintf(id, sizeof id, "SC-2026-%04d", i);
    json_t *rec = json_pack("{s:s, s:s, s:s, s:i}", "enterprise", "福州某某食品有限公司",
                            "credit_code", "91350100M000100Y43", "result",
                            i % 3 ? "合格" : "不合格", "batch", i);
    int64_t idx = -1;
    assert_int_equal(store_begin(f->c, true, &err), 0);
    if (publog_append(f->c, "inspection.result", id, rec, &idx, &err))
        fail_msg("append %d: %s", i, err.message);
    assert_int_equal(store_commit(f->c, &err), 0);
    assert_int_equal(idx, i);
    json_decref(rec);
}

static char *head_key(fx *f)
{
    nqi_error err = {0};
    json_t *h = NULL;
    assert_int_equal(publog_head_json(f->c, &h, &err), 0);
    char *k = xstrdup(json_string_value(json_object_get(h, "public_key")));
    json_decref(h);
    return k;
}

static void test_empty_head(void **state)
{
    fx *f = *state;
    nqi_error err = {0};
    json_t *h = NULL;
    assert_int_equal(publog_head_json(f->c, &h, &err), 0);
    assert_int_equal(json_integer_value(json_object_get(h, "tree_size")), 0);
    assert_string_equal(json_string_value(json_object_get(h, "root_hash")),
                        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    assert_string_equal(json_string_value(json_object_get(h, "algorithm")), "ed25519");
    json_decref(h);
    /* Outside a transaction publog_append refuses. */
    json_t *rec = json_pack("{s:i}", "x", 1);
    int64_t idx;
    assert_int_equal(publog_append(f->c, "k", "1", rec, &idx, &err), NQI_EINTERNAL);
    json_decref(rec);
}

static void test_all_proofs(void **state)
{
    fx *f = *state;
    enum { N = 50 };
    for (int i = 0; i < N; i++) {
        append(f, i);
        if (i == 20) { /* a lost frontier is rebuilt from the leaves */
            nqi_error err = {0};
            assert_int_equal(store_exec(f->c, "DELETE FROM settings WHERE key = 'publog.frontier'",
                                        NULL, 0, NULL, &err),
                             0);
        }
    }
    char *key = head_key(f);
    nqi_error err = {0};
    json_t *h = NULL;
    assert_int_equal(publog_head_json(f->c, &h, &err), 0);
    assert_int_equal(json_integer_value(json_object_get(h, "tree_size")), N);
    json_decref(h);
    for (int n = 1; n <= N; n++) {
        for (int i = 0; i < n; i++) {
            json_t *b = NULL;
            nqi_error_clear(&err);
            if (publog_proof_json(f->c, i, n, &b, &err))
                fail_msg("proof %d in %d: %s", i, n, err.message);
            if (publog_verify_bundle(b, key, &err))
                fail_msg("verify %d in %d: %s", i, n, err.message);
            json_decref(b);
        }
        for (int m = 1; m <= n; m += (n > 10 ? 3 : 1)) {
            json_t *d = NULL;
            nqi_error_clear(&err);
            if (publog_consistency_json(f->c, m, n, &d, &err))
                fail_msg("consistency %d..%d: %s", m, n, err.message);
            if (publog_verify_consistency(d, key, &err))
                fail_msg("verify consistency %d..%d: %s", m, n, err.message);
            json_decref(d);
        }
    }
    /* Not there: 404s. */
    json_t *b = NULL;
    nqi_error_clear(&err);
    assert_int_equal(publog_proof_json(f->c, N, 0, &b, &err), NQI_ENOTFOUND);
    nqi_error_clear(&err);
    assert_int_equal(publog_proof_json(f->c, 0, N + 1, &b, &err), NQI_ENOTFOUND);
    free(key);
}

/* Tamper with one field of a fresh bundle; verification must fail naming
 * what. */
static void expect_fail(fx *f, const char *key, void (*mutate)(json_t *), const char *needle)
{
    json_t *b = NULL;
    nqi_error err = {0};
    assert_int_equal(publog_proof_json(f->c, 5, 9, &b, &err), 0);
    assert_int_equal(publog_verify_bundle(b, key, &err), 0);
    mutate(b);
    nqi_error_clear(&err);
    assert_int_not_equal(publog_verify_bundle(b, key, &err), 0);
    if (!strstr(err.message, needle))
        fail_msg("expected '%s' in: %s", needle, err.message);
    json_decref(b);
}

static void flip_hex(json_t *s)
{
    char *v = xstrdup(json_string_value(s));
    v[10] = v[10] == '0' ? '1' : '0';
    json_string_set(s, v);
    free(v);
}

static void m_data(json_t *b)
{
    json_t *leaf = json_object_get(b, "leaf");
    char *v = xstrdup(json_string_value(json_object_get(leaf, "data")));
    char *p = strstr(v, "\"batch\":5");
    assert_non_null(p);
    p[8] = '6';
    json_object_set_new(leaf, "data", json_string(v));
    free(v);
}
static void m_path(json_t *b)
{
    flip_hex(json_array_get(json_object_get(b, "audit_path"), 1));
}
static void m_path_short(json_t *b)
{
    json_array_remove(json_object_get(b, "audit_path"), 0);
}
static void m_index(json_t *b)
{
    json_object_set_new(json_object_get(b, "leaf"), "index", json_integer(4));
}
static void m_sig(json_t *b)
{
    flip_hex(json_object_get(json_object_get(b, "head"), "signature"));
}
static void m_time(json_t *b)
{
    json_t *h = json_object_get(b, "head");
    json_object_set_new(h, "timestamp_ms",
                        json_integer(json_integer_value(json_object_get(h, "timestamp_ms")) + 1));
}
static void m_root(json_t *b)
{
    flip_hex(json_object_get(b, "root_hash"));
}
static void m_kind(json_t *b)
{
    json_object_set_new(json_object_get(b, "leaf"), "record_id", json_string("SC-2026-0006"));
}

static void test_tamper(void **state)
{
    fx *f = *state;
    for (int i = 0; i < 12; i++)
        append(f, i);
    char *key = head_key(f);
    expect_fail(f, key, m_data, "inclusion proof failed");
    expect_fail(f, key, m_path, "inclusion proof failed");
    expect_fail(f, key, m_path_short, "inclusion proof failed");
    expect_fail(f, key, m_index, "inclusion proof failed");
    expect_fail(f, key, m_sig, "signature invalid");
    expect_fail(f, key, m_time, "signature invalid");
    expect_fail(f, key, m_root, "inclusion proof failed");
    expect_fail(f, key, m_kind, "do not match the leaf data");

    /* Another key (hex or base64) does not verify this log's heads. */
    unsigned char pk[32], sk[64];
    char other[65], b64[64];
    crypto_sign_keypair(pk, sk);
    hex_encode(pk, 32, other);
    json_t *b = NULL;
    nqi_error err = {0};
    assert_int_equal(publog_proof_json(f->c, 3, 0, &b, &err), 0);
    assert_int_not_equal(publog_verify_bundle(b, other, &err), 0);
    assert_non_null(strstr(err.message, "signature invalid"));
    nqi_error_clear(&err);
    assert_int_equal(publog_verify_bundle(b, "not-a-key", &err), NQI_EINVAL);
    /* The same key in base64 works; without a key the bundle's own is used. */
    unsigned char mine[32];
    assert_int_equal(hex_decode(key, mine, 32), 0);
    sodium_bin2base64(b64, sizeof b64, mine, 32, sodium_base64_VARIANT_ORIGINAL);
    nqi_error_clear(&err);
    assert_int_equal(publog_verify_bundle(b, b64, &err), 0);
    assert_int_equal(publog_verify_bundle(b, NULL, &err), 0);
    json_decref(b);

    /* A consistency document with a forged second head fails. */
    json_t *d = NULL;
    assert_int_equal(publog_consistency_json(f->c, 3, 12, &d, &err), 0);
    assert_int_equal(publog_verify_consistency(d, key, &err), 0);
    flip_hex(json_array_get(json_object_get(d, "proof"), 0));
    assert_int_not_equal(publog_verify_consistency(d, key, &err), 0);
    json_decref(d);

    /* The top-level sizes must be the signed heads' sizes: a document that
     * says 5..12 around a verified 3..12 proof is refused, not printed. */
    nqi_error_clear(&err);
    assert_int_equal(publog_consistency_json(f->c, 3, 12, &d, &err), 0);
    json_object_set_new(d, "first", json_integer(5));
    nqi_error_clear(&err);
    assert_int_equal(publog_verify_consistency(d, key, &err), NQI_ECONFLICT);
    assert_non_null(strstr(err.message, "\"first\""));
    json_object_set_new(d, "first", json_integer(3));
    json_object_set_new(d, "second", json_string("12"));
    nqi_error_clear(&err);
    assert_int_equal(publog_verify_consistency(d, key, &err), NQI_ECONFLICT);
    json_object_set_new(d, "second", json_integer(12));
    nqi_error_clear(&err);
    assert_int_equal(publog_verify_consistency(d, key, &err), 0);
    json_decref(d);
    free(key);
}

int main(void)
{
    if (sodium_init() < 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rfc6962_vectors),
        cmocka_unit_test(test_three_leaves_by_hand),
        cmocka_unit_test(test_pure_proofs_all_sizes),
        cmocka_unit_test_setup_teardown(test_empty_head, test_db_setup, test_db_teardown),
        cmocka_unit_test_setup_teardown(test_all_proofs, test_db_setup, test_db_teardown),
        cmocka_unit_test_setup_teardown(test_tamper, test_db_setup, test_db_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
