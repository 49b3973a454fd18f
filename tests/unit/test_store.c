/*
 * test_store.c — core/store against a real SQLite file, and against
 * PostgreSQL when NQI_TEST_PG_URL is set (each test then works in a schema
 * of its own, dropped afterwards). The same test bodies run on both.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
/* cmocka.h needs the four headers above first */
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/store.h"
#include "core/store_impl.h"
#include "core/util.h"
#include "fixture.h"

typedef struct fx {
    store_kind_t kind;
    char *dir;    /* SQLite: temporary directory */
    char *schema; /* PostgreSQL: schema of this test */
    char *url;
    store *s;
    store_conn *c;
} fx;

#define FX(state) ((fx *)*(state))
#define NEED_STORE(f)                                                                              \
    do {                                                                                           \
        if (!(f)->s)                                                                               \
            skip();                                                                                \
    } while (0)

static int setup_sqlite(void **state)
{
    fx *f = xcalloc(1, sizeof *f);
    f->kind = STORE_SQLITE;
    f->dir = xcalloc(1, 256);
    test_tmpdir(f->dir, 256, "store");
    f->url = xasprintf("sqlite:%s/t.db", f->dir);
    nqi_error err;
    nqi_error_clear(&err);
    int rc = store_open(f->url, &f->s, &err);
    if (rc)
        print_error("store_open: %s\n", err.message);
    assert_int_equal(rc, 0);
    f->c = store_conn_thread(f->s, &err);
    assert_non_null(f->c);
    *state = f;
    return 0;
}

static int admin_exec(const char *url, const char *sql)
{
    store *s;
    nqi_error err;
    nqi_error_clear(&err);
    int rc = store_open(url, &s, &err);
    if (!rc) {
        rc = store_exec_script(store_conn_thread(s, &err), sql, &err);
        store_close(s);
    }
    if (rc)
        print_error("%s: %s\n", sql, err.message);
    return rc;
}

static int setup_pg(void **state)
{
    fx *f = xcalloc(1, sizeof *f);
    f->kind = STORE_PG;
    *state = f;
    const char *base = getenv("NQI_TEST_PG_URL");
    if (!base || !*base)
        return 0; /* tests skip */
    static int seq;
    f->schema = xasprintf("test_store_%d_%d", (int)getpid(), ++seq);
    char *sql =
        xasprintf("DROP SCHEMA IF EXISTS %s CASCADE; CREATE SCHEMA %s", f->schema, f->schema);
    int rc = admin_exec(base, sql);
    free(sql);
    assert_int_equal(rc, 0);
    f->url = xasprintf("%s%soptions=-csearch_path%%3D%s", base, strchr(base, '?') ? "&" : "?",
                       f->schema);
    nqi_error err;
    nqi_error_clear(&err);
    rc = store_open(f->url, &f->s, &err);
    if (rc)
        print_error("store_open: %s\n", err.message);
    assert_int_equal(rc, 0);
    f->c = store_conn_thread(f->s, &err);
    assert_non_null(f->c);
    return 0;
}

static int teardown(void **state)
{
    fx *f = *state;
    store_close(f->s);
    if (f->dir)
        test_tmpdir_remove(f->dir);
    if (f->schema) {
        char *sql = xasprintf("DROP SCHEMA %s CASCADE", f->schema);
        admin_exec(getenv("NQI_TEST_PG_URL"), sql);
        free(sql);
    }
    free(f->dir);
    free(f->schema);
    free(f->url);
    free(f);
    return 0;
}

static void migrate_ok(fx *f)
{
    nqi_error err;
    nqi_error_clear(&err);
    int applied = -1;
    int rc = store_migrate(f->s, &applied, &err);
    if (rc)
        print_error("migrate: %s\n", err.message);
    assert_int_equal(rc, 0);
}

static int64_t count_rows(fx *f, const char *sql)
{
    nqi_error err;
    nqi_error_clear(&err);
    int64_t n = -1;
    int rc = store_query_int(f->c, sql, NULL, 0, &n, &err);
    if (rc)
        print_error("%s: %s\n", sql, err.message);
    assert_int_equal(rc, 0);
    return n;
}

/* INSERT a user; returns the rc, *id the new id. */
static int add_user(fx *f, const char *name, int64_t *id, nqi_error *err)
{
    store_val p[5] = {SV_TEXT(name), SV_TEXT("管理员"), SV_TEXT("admin"), SV_TEXT("$argon2id$x"),
                      SV_INT(now_ms())};
    return store_query_int(f->c,
                           "INSERT INTO users (username, display_name, role, password_hash,"
                           " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
                           (store_val[]){p[0], p[1], p[2], p[3], p[4], p[4]}, 6, id, err);
}

/* ---- tests ---------------------------------------------------------------- */

static void test_migrate_idempotent(void **state)
{
    fx *f = FX(state);
    NEED_STORE(f);
    nqi_error err;
    nqi_error_clear(&err);
    int applied = -1, dbv = -1, codev = -1;
    assert_int_equal(store_migrate(f->s, &applied, &err), 0);
    int embedded = f->kind == STORE_PG ? store_migrations_pg_count : store_migrations_sqlite_count;
    assert_true(embedded >= 1);
    assert_int_equal(applied, embedded);
    assert_int_equal(store_migrate(f->s, &applied, &err), 0);
    assert_int_equal(applied, 0);
    assert_int_equal(store_schema_version(f->s, &dbv, &codev, &err), 0);
    assert_int_equal(dbv, codev);
    assert_true(codev >= 1);
    assert_int_equal(count_rows(f, "SELECT COUNT(*) FROM schema_migrations"), embedded);
    /* the core tables are there */
    const char *tables[] = {"settings",   "users",          "sessions",
                            "api_tokens", "login_attempts", "audit_log",
                            "audit_head", "publog_leaves",  "publog_heads"};
    for (size_t i = 0; i < sizeof tables / sizeof tables[0]; i++) {
        char *sql = xasprintf("SELECT COUNT(*) FROM %s", tables[i]);
        assert_int_equal(count_rows(f, sql), 0);
        free(sql);
    }
}

static void test_schema_version_fresh(void **state)
{
    fx *f = FX(state);
    NEED_STORE(f);
    nqi_error err;
    nqi_error_clear(&err);
    int dbv = -1, codev = -1;
    assert_int_equal(store_schema_version(f->s, &dbv, &codev, &err), 0);
    assert_int_equal(dbv, 0);
    assert_true(codev >= 1);
}

static void test_params_roundtrip(void **state)
{
    fx *f = FX(state);
    NEED_STORE(f);
    nqi_error err;
    nqi_error_clear(&err);
    const char *ddl = f->kind == STORE_PG
                          ? "CREATE TABLE t_vals (id BIGSERIAL PRIMARY KEY, i BIGINT,"
                            " r DOUBLE PRECISION, s TEXT, z TEXT)"
                          : "CREATE TABLE t_vals (id INTEGER PRIMARY KEY, i BIGINT,"
                            " r DOUBLE PRECISION, s TEXT, z TEXT)";
    assert_int_equal(store_exec(f->c, ddl, NULL, 0, NULL, &err), 0);
    static const char INS[] = "INSERT INTO t_vals (i, r, s, z) VALUES (?, ?, ?, ?) RETURNING id";
    const char *cjk = "質量强省 GB/T 19580-2012 ＧＢ／Ｔ";
    struct {
        store_val p[4];
    } rows[] = {
        {{SV_INT(INT64_MAX), SV_REAL(3.25), SV_TEXT(cjk), SV_NULL}},
        {{SV_INT(INT64_MIN), SV_REAL(-1e300), SV_TEXTN("abcdef", 3), SV_TEXT(NULL)}},
        {{SV_INT(0), SV_NULL, SV_TEXT(""), SV_TEXT("it's ? here")}},
    };
    int64_t ids[3];
    for (int i = 0; i < 3; i++) {
        int rc = store_query_int(f->c, INS, rows[i].p, 4, &ids[i], &err);
        if (rc)
            print_error("insert: %s\n", err.message);
        assert_int_equal(rc, 0);
        assert_true(ids[i] > 0);
        if (i)
            assert_true(ids[i] > ids[i - 1]);
    }
    store_rows *r;
    store_val idp = SV_INT(ids[0]);
    assert_int_equal(store_query(f->c,
                                 "SELECT i, r, s, z, id FROM t_vals WHERE id >= ? ORDER BY id",
                                 &idp, 1, &r, &err),
                     0);
    assert_int_equal(store_ncols(r), 5);
    assert_string_equal(store_colname(r, 0), "i");
    assert_string_equal(store_colname(r, 4), "id");

    assert_int_equal(store_next(r), 1);
    assert_true(store_int(r, 0) == INT64_MAX);
    assert_true(store_real(r, 1) == 3.25);
    assert_string_equal(store_text(r, 2), cjk);
    assert_int_equal(store_textlen(r, 2), strlen(cjk));
    assert_true(store_isnull(r, 3));
    assert_null(store_text(r, 3));
    assert_false(store_isnull(r, 0));

    assert_int_equal(store_next(r), 1);
    assert_true(store_int(r, 0) == INT64_MIN);
    assert_true(store_real(r, 1) == -1e300);
    assert_string_equal(store_text(r, 2), "abc");
    assert_true(store_isnull(r, 3));

    assert_int_equal(store_next(r), 1);
    assert_int_equal(store_int(r, 0), 0);
    assert_true(store_isnull(r, 1));
    assert_non_null(store_text(r, 2));
    assert_string_equal(store_text(r, 2), "");
    assert_false(store_isnull(r, 2));
    assert_string_equal(store_text(r, 3), "it's ? here");
    assert_int_equal(store_int(r, 4), ids[2]);

    assert_int_equal(store_next(r), 0);
    assert_int_equal(store_next(r), 0); /* stays done; does not re-run */
    assert_int_equal(store_rows_error(r, &err), 0);
    store_rows_close(r);

    /* '?' inside quotes is not a placeholder; comparison with a text param */
    int64_t n = -1;
    store_val sp = SV_TEXT("it's ? here");
    assert_int_equal(store_query_int(f->c, "SELECT COUNT(*) FROM t_vals WHERE z = ? AND s <> '?'",
                                     &sp, 1, &n, &err),
                     0);
    assert_int_equal(n, 1);

    /* UPDATE reports changes */
    int64_t changes = -1;
    store_val up[2] = {SV_TEXT("x"), SV_INT(0)};
    assert_int_equal(
        store_exec(f->c, "UPDATE t_vals SET z = ? WHERE i <> ?", up, 2, &changes, &err), 0);
    assert_int_equal(changes, 2);
}

static void test_query_helpers(void **state)
{
    fx *f = FX(state);
    NEED_STORE(f);
    migrate_ok(f);
    nqi_error err;
    nqi_error_clear(&err);
    int64_t v = 7;
    store_val k = SV_TEXT("nope");
    assert_int_equal(
        store_query_int(f->c, "SELECT value FROM settings WHERE key = ?", &k, 1, &v, &err),
        NQI_ENOTFOUND);
    assert_int_equal(err.code, NQI_ENOTFOUND);

    store_val p[2] = {SV_TEXT("site.name"), SV_TEXT("浙江省市场监督管理局")};
    assert_int_equal(
        store_exec(f->c, "INSERT INTO settings (key, value) VALUES (?, ?)", p, 2, NULL, &err), 0);
    char *s = NULL;
    assert_int_equal(
        store_query_text(f->c, "SELECT value FROM settings WHERE key = ?", p, 1, &s, &err), 0);
    assert_string_equal(s, "浙江省市场监督管理局");
    free(s);
    s = (char *)"sentinel";
    assert_int_equal(
        store_query_text(f->c, "SELECT NULL FROM settings WHERE key = ?", p, 1, &s, &err), 0);
    assert_null(s);

    /* wrong number of parameters is a bug, reported as such */
    nqi_error_clear(&err);
    assert_int_equal(store_exec(f->c, "DELETE FROM settings WHERE key = ?", NULL, 0, NULL, &err),
                     NQI_EINTERNAL);
    /* a syntax error is a store error, naming the SQL */
    nqi_error_clear(&err);
    assert_int_equal(store_exec(f->c, "SELEC nothing", NULL, 0, NULL, &err), NQI_EDB);
    assert_non_null(strstr(err.message, "SELEC nothing"));
    /* booleans from comparisons read as 0/1 on both backends */
    v = -1;
    assert_int_equal(
        store_query_int(f->c, "SELECT EXISTS (SELECT 1 FROM settings)", NULL, 0, &v, &err), 0);
    assert_int_equal(v, 1);
}

static void test_nested_same_statement(void **state)
{
    fx *f = FX(state);
    NEED_STORE(f);
    migrate_ok(f);
    nqi_error err;
    nqi_error_clear(&err);
    for (int i = 0; i < 3; i++) {
        char key[16];
        snprintf(key, sizeof key, "k%d", i);
        store_val p[2] = {SV_TEXT(key), SV_TEXT("v")};
        assert_int_equal(
            store_exec(f->c, "INSERT INTO settings (key, value) VALUES (?, ?)", p, 2, NULL, &err),
            0);
    }
    static const char Q[] = "SELECT key FROM settings ORDER BY key";
    store_rows *outer, *inner;
    assert_int_equal(store_query(f->c, Q, NULL, 0, &outer, &err), 0);
    int n = 0;
    while (store_next(outer) == 1) {
        assert_int_equal(store_query(f->c, Q, NULL, 0, &inner, &err), 0);
        int m = 0;
        while (store_next(inner) == 1)
            m++;
        store_rows_close(inner);
        assert_int_equal(m, 3);
        n++;
    }
    store_rows_close(outer);
    assert_int_equal(n, 3);
}

static void test_unique_conflict(void **state)
{
    fx *f = FX(state);
    NEED_STORE(f);
    migrate_ok(f);
    nqi_error err;
    nqi_error_clear(&err);
    int64_t a = 0, b = 0, c = 0;
    assert_int_equal(add_user(f, "zhangsan", &a, &err), 0);
    assert_int_equal(add_user(f, "lisi", &b, &err), 0);
    assert_true(a > 0 && b > a);
    int rc = add_user(f, "zhangsan", &c, &err);
    assert_int_equal(rc, NQI_ECONFLICT);
    assert_int_equal(err.code, NQI_ECONFLICT);
    assert_non_null(strstr(err.message, "username"));
    /* a foreign key violation is a conflict as well */
    nqi_error_clear(&err);
    store_val p[5] = {SV_TEXT("h"), SV_INT(999999), SV_TEXT("c"), SV_INT(1), SV_INT(2)};
    assert_int_equal(store_exec(f->c,
                                "INSERT INTO sessions (id_hash, user_id, csrf, created_at,"
                                " expires_at) VALUES (?, ?, ?, ?, ?)",
                                p, 5, NULL, &err),
                     NQI_ECONFLICT);
    assert_int_equal(count_rows(f, "SELECT COUNT(*) FROM users"), 2);
}

static void test_rollback(void **state)
{
    fx *f = FX(state);
    NEED_STORE(f);
    migrate_ok(f);
    nqi_error err;
    nqi_error_clear(&err);
    int64_t id;
    assert_false(store_in_tx(f->c));
    store_rollback(f->c); /* harmless without a transaction */
    assert_int_equal(store_begin(f->c, true, &err), 0);
    assert_true(store_in_tx(f->c));
    assert_int_equal(store_begin(f->c, true, &err), NQI_EINTERNAL);
    nqi_error_clear(&err);
    assert_int_equal(add_user(f, "wangwu", &id, &err), 0);
    assert_int_equal(add_user(f, "wangwu", &id, &err), NQI_ECONFLICT); /* fails inside the tx */
    nqi_error_clear(&err);
    store_rollback(f->c);
    assert_false(store_in_tx(f->c));
    assert_int_equal(count_rows(f, "SELECT COUNT(*) FROM users"), 0);

    /* the connection is fine afterwards: a committed transaction sticks */
    assert_int_equal(store_begin(f->c, true, &err), 0);
    assert_int_equal(add_user(f, "wangwu", &id, &err), 0);
    assert_int_equal(store_commit(f->c, &err), 0);
    assert_false(store_in_tx(f->c));
    assert_int_equal(count_rows(f, "SELECT COUNT(*) FROM users"), 1);

    /* read transaction */
    assert_int_equal(store_begin(f->c, false, &err), 0);
    assert_int_equal(count_rows(f, "SELECT COUNT(*) FROM users"), 1);
    assert_int_equal(store_commit(f->c, &err), 0);
    assert_int_equal(store_commit(f->c, &err), NQI_EINTERNAL);

    /* PostgreSQL: a failed statement aborts the transaction; COMMIT then
     * rolls back, and store_commit says so */
    if (f->kind == STORE_PG) {
        nqi_error_clear(&err);
        assert_int_equal(store_begin(f->c, true, &err), 0);
        assert_int_equal(add_user(f, "zhaoliu", &id, &err), 0);
        assert_int_equal(add_user(f, "wangwu", &id, &err), NQI_ECONFLICT);
        nqi_error_clear(&err);
        assert_int_equal(store_commit(f->c, &err), NQI_EDB);
        assert_false(store_in_tx(f->c));
        assert_int_equal(count_rows(f, "SELECT COUNT(*) FROM users"), 1);
    }

    /* the documented way to test a parameter for NULL works on both */
    int64_t v = -1;
    store_val np[2] = {SV_TEXT(NULL), SV_TEXT("wangwu")};
    nqi_error_clear(&err);
    assert_int_equal(store_query_int(f->c,
                                     "SELECT COUNT(*) FROM users WHERE CAST(? AS TEXT) IS NULL"
                                     " AND username = ?",
                                     np, 2, &v, &err),
                     0);
    assert_int_equal(v, 1);

    /* store_tx_lock outside a transaction is a bug */
    nqi_error_clear(&err);
    assert_int_equal(store_tx_lock(f->c, "x", &err), NQI_EINTERNAL);
}

/* store_tx_begin/end: a write runs in its own transaction, or joins the
 * caller's and leaves ending it to the caller. */
static void test_tx_join_or_own(void **state)
{
    fx *f = FX(state);
    NEED_STORE(f);
    migrate_ok(f);
    nqi_error err;
    nqi_error_clear(&err);
    int64_t id;
    bool own = false;
    /* alone: its own transaction, committed on success */
    assert_int_equal(store_tx_begin(f->c, &own, &err), 0);
    assert_true(own);
    assert_true(store_in_tx(f->c));
    assert_int_equal(add_user(f, "sunqi", &id, &err), 0);
    assert_int_equal(store_tx_end(f->c, own, 0, &err), 0);
    assert_false(store_in_tx(f->c));
    assert_int_equal(count_rows(f, "SELECT COUNT(*) FROM users"), 1);
    /* alone, failing: rolled back, the failure passed on */
    assert_int_equal(store_tx_begin(f->c, &own, &err), 0);
    assert_int_equal(add_user(f, "zhouba", &id, &err), 0);
    assert_int_equal(store_tx_end(f->c, own, NQI_EINVAL, &err), NQI_EINVAL);
    assert_false(store_in_tx(f->c));
    assert_int_equal(count_rows(f, "SELECT COUNT(*) FROM users"), 1);
    /* inside the caller's transaction: neither committed nor rolled back */
    assert_int_equal(store_begin(f->c, true, &err), 0);
    assert_int_equal(store_tx_begin(f->c, &own, &err), 0);
    assert_false(own);
    assert_int_equal(add_user(f, "wujiu", &id, &err), 0);
    assert_int_equal(store_tx_end(f->c, own, NQI_EINVAL, &err), NQI_EINVAL);
    assert_true(store_in_tx(f->c));
    assert_int_equal(count_rows(f, "SELECT COUNT(*) FROM users"), 2);
    store_rollback(f->c);
    assert_int_equal(count_rows(f, "SELECT COUNT(*) FROM users"), 1);
}

static void test_newer_schema_refused(void **state)
{
    fx *f = FX(state);
    NEED_STORE(f);
    migrate_ok(f);
    nqi_error err;
    nqi_error_clear(&err);
    store_val p[3] = {SV_INT(99999), SV_TEXT("from_the_future"), SV_INT(now_ms())};
    assert_int_equal(store_exec(f->c,
                                "INSERT INTO schema_migrations (version, name, applied_at)"
                                " VALUES (?, ?, ?)",
                                p, 3, NULL, &err),
                     0);
    int applied = -1;
    assert_int_equal(store_migrate(f->s, &applied, &err), NQI_ESCHEMA);
    assert_int_equal(err.code, NQI_ESCHEMA);
    assert_non_null(strstr(err.message, "99999"));
    assert_int_equal(applied, 0);
    assert_false(store_in_tx(f->c));
    int dbv, codev;
    nqi_error_clear(&err);
    assert_int_equal(store_schema_version(f->s, &dbv, &codev, &err), 0);
    assert_int_equal(dbv, 99999);
    assert_true(codev < dbv);
}

/* ---- two writers ------------------------------------------------------------ */

#define WRITER_TXS 100

typedef struct writer {
    store *s;
    int id;
    int failures;
    char msg[512];
} writer;

/* Each transaction reads a counter, then writes it back incremented and adds
 * a row: the read-then-write that fails with "database is locked" under a
 * deferred BEGIN, and loses updates on PostgreSQL without store_tx_lock. */
static void *writer_main(void *arg)
{
    writer *w = arg;
    nqi_error err;
    nqi_error_clear(&err);
    store_conn *c = store_conn_thread(w->s, &err);
    for (int i = 0; c && i < WRITER_TXS; i++) {
        nqi_error_clear(&err);
        int64_t v = 0, id = 0;
        store_val key = SV_TEXT("counter");
        int rc = store_begin(c, true, &err);
        if (!rc)
            rc = store_tx_lock(c, "test.counter", &err);
        if (!rc)
            rc = store_query_int(c, "SELECT CAST(value AS BIGINT) FROM settings WHERE key = ?",
                                 &key, 1, &v, &err);
        char next[24];
        snprintf(next, sizeof next, "%lld", (long long)v + 1);
        store_val up[2] = {SV_TEXT(next), SV_TEXT("counter")};
        if (!rc)
            rc = store_exec(c, "UPDATE settings SET value = ? WHERE key = ?", up, 2, NULL, &err);
        char user[32];
        snprintf(user, sizeof user, "w%d_%d", w->id, i);
        store_val p[6] = {SV_TEXT(user), SV_TEXT(NULL),    SV_TEXT("inspector"),
                          SV_TEXT("h"),  SV_INT(now_ms()), SV_INT(now_ms())};
        if (!rc)
            rc = store_query_int(c,
                                 "INSERT INTO users (username, display_name, role, password_hash,"
                                 " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
                                 p, 6, &id, &err);
        if (!rc)
            rc = store_commit(c, &err);
        if (rc) {
            store_rollback(c);
            if (!w->failures++)
                snprintf(w->msg, sizeof w->msg, "%s", err.message);
        }
    }
    if (!c) {
        w->failures++;
        snprintf(w->msg, sizeof w->msg, "%s", err.message);
    }
    return NULL; /* the thread's connection closes as it exits */
}

static void test_two_writers(void **state)
{
    fx *f = FX(state);
    NEED_STORE(f);
    migrate_ok(f);
    nqi_error err;
    nqi_error_clear(&err);
    store_val p[2] = {SV_TEXT("counter"), SV_TEXT("0")};
    assert_int_equal(
        store_exec(f->c, "INSERT INTO settings (key, value) VALUES (?, ?)", p, 2, NULL, &err), 0);
    writer w[2] = {{.s = f->s, .id = 1}, {.s = f->s, .id = 2}};
    pthread_t t[2];
    for (int i = 0; i < 2; i++)
        assert_int_equal(pthread_create(&t[i], NULL, writer_main, &w[i]), 0);
    for (int i = 0; i < 2; i++)
        assert_int_equal(pthread_join(t[i], NULL), 0);
    for (int i = 0; i < 2; i++) {
        if (w[i].failures)
            print_error("writer %d: %d failures, first: %s\n", i + 1, w[i].failures, w[i].msg);
        assert_int_equal(w[i].failures, 0);
    }
    assert_int_equal(count_rows(f, "SELECT COUNT(*) FROM users"), 2 * WRITER_TXS);
    char *v = NULL;
    assert_int_equal(
        store_query_text(f->c, "SELECT value FROM settings WHERE key = ?", p, 1, &v, &err), 0);
    assert_string_equal(v, "200");
    free(v);
    int open = -1;
    int64_t queries = -1, busy = -1;
    store_stats(f->s, &open, &queries, &busy);
    assert_int_equal(open, 1); /* the writers' connections closed with their threads */
    assert_true(queries >= 2 * WRITER_TXS * 3);
    assert_true(busy >= 0);
}

typedef struct migrator {
    store *s;
    int applied, rc;
    char msg[512];
} migrator;

static void *migrator_main(void *arg)
{
    migrator *m = arg;
    nqi_error err;
    nqi_error_clear(&err);
    m->rc = store_migrate(m->s, &m->applied, &err);
    snprintf(m->msg, sizeof m->msg, "%s", err.message);
    return NULL;
}

/* Two servers starting at once on a fresh database: each migration is
 * applied exactly once. */
static void test_concurrent_migrate(void **state)
{
    fx *f = FX(state);
    NEED_STORE(f);
    migrator m[3] = {{.s = f->s}, {.s = f->s}, {.s = f->s}};
    pthread_t t[3];
    for (int i = 0; i < 3; i++)
        assert_int_equal(pthread_create(&t[i], NULL, migrator_main, &m[i]), 0);
    int total = 0;
    for (int i = 0; i < 3; i++) {
        assert_int_equal(pthread_join(t[i], NULL), 0);
        if (m[i].rc)
            print_error("migrate %d: %s\n", i, m[i].msg);
        assert_int_equal(m[i].rc, 0);
        total += m[i].applied;
    }
    int embedded = f->kind == STORE_PG ? store_migrations_pg_count : store_migrations_sqlite_count;
    assert_int_equal(total, embedded);
    assert_int_equal(count_rows(f, "SELECT COUNT(*) FROM schema_migrations"), embedded);
}

static void test_backup(void **state)
{
    fx *f = FX(state);
    NEED_STORE(f);
    migrate_ok(f);
    nqi_error err;
    nqi_error_clear(&err);
    int64_t id;
    if (f->kind == STORE_PG) {
        assert_int_equal(store_backup(f->s, "/tmp/never-written.db", &err), NQI_EINVAL);
        assert_non_null(strstr(err.message, "pg_dump"));
        return;
    }
    assert_int_equal(add_user(f, "备份用户", &id, &err), 0);
    assert_int_equal(add_user(f, "second", &id, &err), 0);
    char *dest = xasprintf("%s/backup.db", f->dir);
    int rc = store_backup(f->s, dest, &err);
    if (rc)
        print_error("backup: %s\n", err.message);
    assert_int_equal(rc, 0);
    struct stat st;
    assert_int_equal(stat(dest, &st), 0);
    assert_int_equal(st.st_mode & 077, 0); /* password hashes inside: owner only */

    nqi_error_clear(&err);
    assert_int_equal(store_backup(f->s, dest, &err), NQI_ECONFLICT);

    store *b;
    nqi_error_clear(&err);
    assert_int_equal(store_open(dest, &b, &err), 0);
    store_conn *bc = store_conn_thread(b, &err);
    int64_t n = -1;
    assert_int_equal(store_query_int(bc, "SELECT COUNT(*) FROM users", NULL, 0, &n, &err), 0);
    assert_int_equal(n, 2);
    char *name = NULL;
    assert_int_equal(store_query_text(bc, "SELECT username FROM users ORDER BY id LIMIT 1", NULL, 0,
                                      &name, &err),
                     0);
    assert_string_equal(name, "备份用户");
    free(name);
    int dbv, codev;
    assert_int_equal(store_schema_version(b, &dbv, &codev, &err), 0);
    assert_int_equal(dbv, codev);
    store_close(b);
    free(dest);
}

/* SQLite: every connection has core/text's `nqi` FTS5 tokenizer, so a
 * two-character word (the common Chinese query) is found. */
static void test_sqlite_fts_tokenizer(void **state)
{
    fx *f = FX(state);
    NEED_STORE(f);
    nqi_error err;
    nqi_error_clear(&err);
    int rc = store_exec(f->c, "CREATE VIRTUAL TABLE docs USING fts5(body, tokenize = 'nqi')", NULL,
                        0, NULL, &err);
    if (rc)
        print_error("fts5: %s\n", err.message);
    assert_int_equal(rc, 0);
    store_val d = SV_TEXT("加快建设质量强省和标准化战略");
    assert_int_equal(store_exec(f->c, "INSERT INTO docs (body) VALUES (?)", &d, 1, NULL, &err), 0);
    int64_t n = -1;
    store_val q = SV_TEXT("质量");
    assert_int_equal(
        store_query_int(f->c, "SELECT COUNT(*) FROM docs WHERE docs MATCH ?", &q, 1, &n, &err), 0);
    assert_int_equal(n, 1);
}

/* PostgreSQL: a connection killed while idle (server restart, idle timeout)
 * is re-established by the next store_begin. */
static void test_pg_reconnect(void **state)
{
    fx *f = FX(state);
    NEED_STORE(f);
    if (f->kind != STORE_PG)
        skip();
    migrate_ok(f);
    nqi_error err;
    nqi_error_clear(&err);
    int64_t pid = 0;
    assert_int_equal(store_query_int(f->c, "SELECT pg_backend_pid()", NULL, 0, &pid, &err), 0);
    char *sql = xasprintf("SELECT pg_terminate_backend(%lld)", (long long)pid);
    assert_int_equal(admin_exec(f->url, sql), 0);
    free(sql);
    usleep(100 * 1000);
    int rc = store_begin(f->c, true, &err);
    if (rc)
        print_error("begin after terminate: %s\n", err.message);
    assert_int_equal(rc, 0);
    int64_t id;
    assert_int_equal(add_user(f, "reconnected", &id, &err), 0);
    assert_int_equal(store_commit(f->c, &err), 0);
    int64_t pid2 = 0;
    assert_int_equal(store_query_int(f->c, "SELECT pg_backend_pid()", NULL, 0, &pid2, &err), 0);
    assert_true(pid2 != pid);
    assert_int_equal(count_rows(f, "SELECT COUNT(*) FROM users"), 1);
}

/* ---- no database needed ----------------------------------------------------- */

static void test_pg_rewrite(void **state)
{
    struct {
        const char *in, *out;
        int n;
    } cases[] = {
        {"SELECT 1", "SELECT 1", 0},
        {"SELECT * FROM t WHERE a = ? AND b = ?", "SELECT * FROM t WHERE a = $1 AND b = $2", 2},
        {"SELECT '?', ? FROM t", "SELECT '?', $1 FROM t", 1},
        {"SELECT 'it''s ?', ?", "SELECT 'it''s ?', $1", 1},
        {"SELECT \"odd?col\" FROM t WHERE x = ?", "SELECT \"odd?col\" FROM t WHERE x = $1", 1},
        {"SELECT ? -- why?\n, ?", "SELECT $1 -- why?\n, $2", 2},
        {"SELECT /* ? */ ?", "SELECT /* ? */ $1", 1},
        {"SELECT $$a?b$$, ?", "SELECT $$a?b$$, $1", 1},
        {"SELECT $q$a?b$q$, ?", "SELECT $q$a?b$q$, $1", 1},
        {"INSERT INTO t VALUES (?,?,?,?,?,?,?,?,?,?)",
         "INSERT INTO t VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10)", 10},
        {"SELECT 'unterminated ?", "SELECT 'unterminated ?", 0},
        {"", "", 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int n = -1;
        char *out = store_pg_rewrite(cases[i].in, &n);
        assert_string_equal(out, cases[i].out);
        assert_int_equal(n, cases[i].n);
        free(out);
    }
}

static void test_redact(void **state)
{
    struct {
        const char *in, *out;
    } cases[] = {
        {"postgresql://nqi:s3cret@db.example:5432/nqi", "postgresql://nqi:***@db.example:5432/nqi"},
        {"postgresql://nqi@127.0.0.1:5432/nqi", "postgresql://nqi@127.0.0.1:5432/nqi"},
        {"postgres://u:p%40ss@h/d?sslmode=require", "postgres://u:***@h/d?sslmode=require"},
        {"postgresql://h/d?user=u&password=x&sslmode=off",
         "postgresql://h/d?user=u&password=***&sslmode=off"},
        {"sqlite:/var/lib/nqi/nqi.db", "sqlite:/var/lib/nqi/nqi.db"},
        {"/tmp/x.db", "/tmp/x.db"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *out = store_redact_url(cases[i].in);
        assert_string_equal(out, cases[i].out);
        free(out);
    }
}

static void test_open_errors(void **state)
{
    store *s = (store *)1;
    nqi_error err;
    nqi_error_clear(&err);
    assert_int_equal(store_open("", &s, &err), NQI_EINVAL);
    assert_null(s);
    nqi_error_clear(&err);
    assert_int_equal(store_open("sqlite::memory:", &s, &err), NQI_EINVAL);
    nqi_error_clear(&err);
    assert_int_equal(store_open("sqlite:/nonexistent-dir/x/y.db", &s, &err), NQI_EDB);
    assert_non_null(strstr(err.message, "/nonexistent-dir/x/y.db"));
    /* nothing listens on port 1: a clear message, and no password in it */
    nqi_error_clear(&err);
    assert_int_equal(
        store_open("postgresql://nqi:hunter2@127.0.0.1:1/nqi?connect_timeout=2", &s, &err),
        NQI_EDB);
    assert_non_null(strstr(err.message, "cannot connect"));
    assert_null(strstr(err.message, "hunter2"));
}

static void test_url_forms(void **state)
{
    char dir[256];
    test_tmpdir(dir, sizeof dir, "store-url");
    char *forms[] = {xasprintf("%s/a.db", dir), xasprintf("sqlite:%s/b.db", dir),
                     xasprintf("sqlite://%s/c.db", dir)};
    const char *files[] = {"a.db", "b.db", "c.db"};
    for (int i = 0; i < 3; i++) {
        store *s;
        nqi_error err;
        nqi_error_clear(&err);
        assert_int_equal(store_open(forms[i], &s, &err), 0);
        assert_int_equal(store_kind(s), STORE_SQLITE);
        assert_string_equal(store_url_redacted(s), forms[i]);
        assert_ptr_equal(store_conn_store(store_conn_thread(s, &err)), s);
        store_close(s);
        char *path = xasprintf("%s/%s", dir, files[i]);
        assert_int_equal(access(path, F_OK), 0);
        unlink(path);
        free(path);
        free(forms[i]);
    }
    assert_int_equal(rmdir(dir), 0);
}

#define BOTH(t)                                                                                    \
    {"sqlite: " #t, t, setup_sqlite, teardown, NULL},                                              \
    {                                                                                              \
        "postgresql: " #t, t, setup_pg, teardown, NULL                                             \
    }

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pg_rewrite),
        cmocka_unit_test(test_redact),
        cmocka_unit_test(test_open_errors),
        cmocka_unit_test(test_url_forms),
        BOTH(test_schema_version_fresh),
        BOTH(test_migrate_idempotent),
        BOTH(test_params_roundtrip),
        BOTH(test_query_helpers),
        BOTH(test_nested_same_statement),
        BOTH(test_unique_conflict),
        BOTH(test_rollback),
        BOTH(test_tx_join_or_own),
        BOTH(test_newer_schema_refused),
        BOTH(test_two_writers),
        BOTH(test_concurrent_migrate),
        BOTH(test_backup),
        {"sqlite: test_sqlite_fts_tokenizer", test_sqlite_fts_tokenizer, setup_sqlite, teardown,
         NULL},
        {"postgresql: test_pg_reconnect", test_pg_reconnect, setup_pg, teardown, NULL},
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
