/*
 * test_audit.c — core/audit's hash chain against a real SQLite file: the
 * canonical string is pinned by recomputing a record's hash here, then rows
 * are tampered with by raw SQL (as an attacker with database access would)
 * and audit_verify must name the record.
 */
#define _GNU_SOURCE
#include <pthread.h>
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
#include "core/auth.h"
#include "core/util.h"
#include "fixture.h"

typedef test_db fx; /* the whole fixture is the database (fixture.h) */

static http_principal actor(void)
{
    http_principal p = {.user_id = 7, .role = ROLE_INSPECTOR};
    snprintf(p.username, sizeof p.username, "li.ming");
    return p;
}

/* n records in one transaction each; entity ids "GB/T 19580-2012#k". */
static void add_records(fx *f, int n)
{
    http_principal p = actor();
    for (int i = 0; i < n; i++) {
        nqi_error err = {0};
        char id[64];
        snprintf(id, sizeof id, "GB/T 19580-2012#%d", i);
        json_t *before = i ? json_pack("{s:i}", "version", i) : NULL;
        json_t *after = json_pack("{s:i, s:s}", "version", i + 1, "title", "卓越绩效评价准则");
        assert_int_equal(store_begin(f->c, true, &err), 0);
        assert_int_equal(audit_record(f->c, &p, "standard.update", "standard", id, before, after,
                                      &err),
                         0);
        assert_int_equal(store_commit(f->c, &err), 0);
        json_decref(before);
        json_decref(after);
    }
}

static int verify(fx *f, int64_t *checked, char *msg, size_t n)
{
    nqi_error err = {0};
    int rc = audit_verify(f->c, checked, &err);
    snprintf(msg, n, "%s", err.message);
    return rc;
}

static void sha_hex(const char *s, char out[65])
{
    unsigned char h[32];
    crypto_hash_sha256(h, (const unsigned char *)s, strlen(s));
    hex_encode(h, 32, out);
}

static void test_canonical_hash(void **state)
{
    fx *f = *state;
    nqi_error err = {0};
    http_principal p = actor();
    /* Outside a transaction: refused, nothing written. */
    json_t *after = json_pack("{s:s, s:i}", "title", "质量|管理", "a", 1);
    assert_int_equal(audit_record(f->c, &p, "x", "y", "1", NULL, after, &err), NQI_EINTERNAL);

    assert_int_equal(store_begin(f->c, true, &err), 0);
    assert_int_equal(audit_record(f->c, &p, "std.create", "standard", "GB/T 1|2%", NULL, after,
                                  &err),
                     0);
    assert_int_equal(store_commit(f->c, &err), 0);
    json_decref(after);

    int64_t at = 0;
    assert_int_equal(store_query_int(f->c, "SELECT at FROM audit_log WHERE id = 1", NULL, 0, &at,
                                     &err),
                     0);
    char after_hash[65], want[65], canon[512], *got = NULL;
    /* Sorted keys, compact separators, UTF-8 as is. */
    sha_hex("{\"a\":1,\"title\":\"质量|管理\"}", after_hash);
    snprintf(canon, sizeof canon,
             "0000000000000000000000000000000000000000000000000000000000000000|1|%lld|7|li.ming|"
             "std.create|standard|GB/T 1%%7C2%%25||%s",
             (long long)at, after_hash);
    sha_hex(canon, want);
    assert_int_equal(store_query_text(f->c, "SELECT hash FROM audit_log WHERE id = 1", NULL, 0,
                                      &got, &err),
                     0);
    assert_string_equal(got, want);
    free(got);
    assert_int_equal(store_query_text(f->c, "SELECT after_hash FROM audit_log WHERE id = 1", NULL,
                                      0, &got, &err),
                     0);
    assert_string_equal(got, after_hash);
    free(got);

    int64_t n = 0;
    char msg[512];
    assert_int_equal(verify(f, &n, msg, sizeof msg), 0);
    assert_int_equal(n, 1);
}

static void test_chain_ok_and_rollback(void **state)
{
    fx *f = *state;
    int64_t n = -1;
    char msg[512];
    assert_int_equal(verify(f, &n, msg, sizeof msg), 0); /* empty log */
    assert_int_equal(n, 0);
    add_records(f, 20);
    assert_int_equal(verify(f, &n, msg, sizeof msg), 0);
    assert_int_equal(n, 20);

    /* A rolled-back write leaves no record and the chain intact. */
    nqi_error err = {0};
    http_principal p = actor();
    assert_int_equal(store_begin(f->c, true, &err), 0);
    assert_int_equal(audit_record(f->c, &p, "x", "y", "z", NULL, NULL, &err), 0);
    store_rollback(f->c);
    assert_int_equal(verify(f, &n, msg, sizeof msg), 0);
    assert_int_equal(n, 20);
    add_records(f, 1);
    assert_int_equal(verify(f, &n, msg, sizeof msg), 0);
    assert_int_equal(n, 21);
    /* Each record's prev_hash is the previous record's hash. */
    int64_t bad = -1;
    assert_int_equal(store_query_int(f->c,
                                     "SELECT COUNT(*) FROM audit_log a JOIN audit_log b "
                                     "ON b.id = a.id + 1 WHERE b.prev_hash <> a.hash",
                                     NULL, 0, &bad, &err),
                     0);
    assert_int_equal(bad, 0);
}

static void test_tamper_action(void **state)
{
    fx *f = *state;
    int64_t n;
    char msg[512];
    add_records(f, 20);
    test_db_exec(f, "UPDATE audit_log SET action = 'standard.delete' WHERE id = 17");
    assert_int_equal(verify(f, &n, msg, sizeof msg), NQI_ECONFLICT);
    assert_string_equal(msg, "audit record 17: hash mismatch (row changed)");
    assert_int_equal(n, 16);
}

static void test_tamper_after_json(void **state)
{
    fx *f = *state;
    int64_t n;
    char msg[512];
    add_records(f, 5);
    test_db_exec(f, "UPDATE audit_log SET after_json = '{\"version\":99}' WHERE id = 2");
    assert_int_equal(verify(f, &n, msg, sizeof msg), NQI_ECONFLICT);
    assert_non_null(strstr(msg, "audit record 2:"));
}

static void test_rehashed_row_breaks_link(void **state)
{
    fx *f = *state;
    int64_t n;
    char msg[512];
    add_records(f, 5);
    /* Even a forger who rewrites a row's own hash breaks the next link. */
    test_db_exec(
        f, "UPDATE audit_log SET hash = (SELECT hash FROM audit_log WHERE id = 1) WHERE id = 3");
    assert_int_equal(verify(f, &n, msg, sizeof msg), NQI_ECONFLICT);
    assert_non_null(strstr(msg, "audit record 3"));
}

static void test_delete_middle(void **state)
{
    fx *f = *state;
    int64_t n;
    char msg[512];
    add_records(f, 20);
    test_db_exec(f, "DELETE FROM audit_log WHERE id = 18");
    assert_int_equal(verify(f, &n, msg, sizeof msg), NQI_ECONFLICT);
    assert_string_equal(msg, "audit record 18 missing (chain broken)");
}

static void test_delete_last(void **state)
{
    fx *f = *state;
    int64_t n;
    char msg[512];
    add_records(f, 20);
    test_db_exec(f, "DELETE FROM audit_log WHERE id >= 19");
    assert_int_equal(verify(f, &n, msg, sizeof msg), NQI_ECONFLICT);
    assert_non_null(strstr(msg, "audit record 19 missing"));
    /* Cutting the head as well is noticed too. */
    test_db_exec(f, "DELETE FROM audit_head");
    assert_int_equal(verify(f, &n, msg, sizeof msg), NQI_ECONFLICT);
    assert_non_null(strstr(msg, "audit head missing"));
}

static void test_head_tampered(void **state)
{
    fx *f = *state;
    int64_t n;
    char msg[512];
    add_records(f, 3);
    test_db_exec(f, "UPDATE audit_head SET count = 2");
    assert_int_equal(verify(f, &n, msg, sizeof msg), NQI_ECONFLICT);
    assert_non_null(strstr(msg, "audit head"));
}

/* A head seeded before any record (last_id 0, the genesis hash, count 0)
 * is an empty chain: it verifies, and the first record follows it. */
static void test_seeded_head(void **state)
{
    fx *f = *state;
    int64_t n = -1;
    char msg[512];
    test_db_exec(f, "INSERT INTO audit_head (id, last_id, last_hash, count) VALUES (1, 0, "
                    "'0000000000000000000000000000000000000000000000000000000000000000', 0)");
    assert_int_equal(verify(f, &n, msg, sizeof msg), 0);
    assert_int_equal(n, 0);
    add_records(f, 2);
    assert_int_equal(verify(f, &n, msg, sizeof msg), 0);
    assert_int_equal(n, 2);
}

/* ---- PostgreSQL (NQI_TEST_PG_URL): verify under concurrent writes ---- */

static void *one_write(void *arg)
{
    test_db *g = arg;
    nqi_error err = {0};
    store_conn *c = store_conn_thread(g->st, &err);
    http_principal p = actor();
    if (!c || store_begin(c, true, &err) ||
        audit_record(c, &p, "standard.update", "standard", "x", NULL, NULL, &err) ||
        store_commit(c, &err))
        fprintf(stderr, "writer: %s\n", err.message);
    return NULL;
}

/* A read transaction is one snapshot on PostgreSQL too (REPEATABLE READ):
 * audit_verify reads the head, then the log; a writer committing between
 * the two must not make them disagree (READ COMMITTED took a snapshot per
 * statement and reported a broken chain). */
static void test_pg_read_snapshot(void **state)
{
    const char *url = getenv("NQI_TEST_PG_URL");
    if (!url || !*url)
        skip();
    test_db g;
    test_db_open_any(&g, "audit"); /* NQI_TEST_PG_URL is set: PostgreSQL */
    store_conn *c = g.c;
    nqi_error err = {0};
    pthread_t t;
    pthread_create(&t, NULL, one_write, &g); /* the log is not empty */
    pthread_join(t, NULL);
    int64_t before = -1, after = -2;
    assert_int_equal(store_begin(c, false, &err), 0);
    assert_int_equal(store_query_int(c, "SELECT COUNT(*) FROM audit_log", NULL, 0, &before, &err),
                     0);
    pthread_create(&t, NULL, one_write, &g); /* commits while we read */
    pthread_join(t, NULL);
    assert_int_equal(store_query_int(c, "SELECT COUNT(*) FROM audit_log", NULL, 0, &after, &err),
                     0);
    assert_int_equal(before, after);
    /* and it is read-only: a write in it is a bug, and fails loudly */
    assert_int_not_equal(store_exec(c, "DELETE FROM audit_log", NULL, 0, NULL, &err), 0);
    store_rollback(c);
    int64_t n = 0;
    nqi_error_clear(&err);
    assert_int_equal(audit_verify(c, &n, &err), 0);
    assert_true(n >= 2);
    test_db_close(&g);
}

int main(void)
{
    setenv("NQI_PWHASH_FAST", "1", 1);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_canonical_hash, test_db_setup, test_db_teardown),
        cmocka_unit_test_setup_teardown(test_chain_ok_and_rollback, test_db_setup,
                                        test_db_teardown),
        cmocka_unit_test_setup_teardown(test_tamper_action, test_db_setup, test_db_teardown),
        cmocka_unit_test_setup_teardown(test_tamper_after_json, test_db_setup, test_db_teardown),
        cmocka_unit_test_setup_teardown(test_rehashed_row_breaks_link, test_db_setup,
                                        test_db_teardown),
        cmocka_unit_test_setup_teardown(test_delete_middle, test_db_setup, test_db_teardown),
        cmocka_unit_test_setup_teardown(test_delete_last, test_db_setup, test_db_teardown),
        cmocka_unit_test_setup_teardown(test_head_tampered, test_db_setup, test_db_teardown),
        cmocka_unit_test_setup_teardown(test_seeded_head, test_db_setup, test_db_teardown),
        cmocka_unit_test(test_pg_read_snapshot),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
