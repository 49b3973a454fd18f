/*
 * fixture.h — what the unit tests that touch a database, the file system or
 * a server share: a temporary directory, a fresh migrated store in one, and
 * a raw HTTP connection to a test server.
 *
 * Linked into every unit test: the Makefile builds each .c file in
 * tests/unit that is not a test (test_*.c) into an object linked with every
 * test, plain and ASan.
 * Include after <cmocka.h>. Every function here fails the calling test
 * (cmocka fail_msg) instead of returning an error: a fixture that cannot be
 * built is a failed test, not a skipped one.
 *
 * Temporary directories live under $NQI_TEST_TMP (scripts/test.sh sets it,
 * and removes it afterwards) or /tmp, named nqi-<name>-XXXXXX.
 */
#ifndef NQI_TEST_FIXTURE_H
#define NQI_TEST_FIXTURE_H

#include <stddef.h>
#include <stdint.h>

#include "core/store.h"

typedef struct test_db {
    char dir[256]; /* SQLite: the temporary directory; "" on PostgreSQL */
    store *st;
    store_conn *c; /* the calling thread's connection */
} test_db;

/* Create a fresh temporary directory nqi-<name>-XXXXXX; its path into out. */
void test_tmpdir(char *out, size_t n, const char *name);
/* Remove it and everything in it. */
void test_tmpdir_remove(const char *dir);

/* Open and migrate a fresh SQLite database (t.db in a new temporary
 * directory named after name). */
void test_db_open(test_db *db, const char *name);
/* The same on $NQI_TEST_PG_URL when it is set, else SQLite. The PostgreSQL
 * database is shared by all the tests of a run: the caller empties the
 * tables it fills. */
void test_db_open_any(test_db *db, const char *name);
/* Close the store and remove its directory. */
void test_db_close(test_db *db);

/* cmocka setup/teardown for tests whose whole fixture is one SQLite
 * database: *state becomes a test_db * (named after the test program). */
int test_db_setup(void **state);
int test_db_teardown(void **state);

/* Run one statement / a query of one integer; fail the test on error. */
void test_db_exec(const test_db *db, const char *sql);
int64_t test_db_int(const test_db *db, const char *sql);

/* ---- raw HTTP/1.1 for the server tests (test_http, test_auth) ---- */

/* A TCP connection to 127.0.0.1:port whose reads time out after
 * timeout_s seconds (a hung server fails the test instead of blocking). */
int test_http_connect(int port, int timeout_s);

/* The value of header name (case-insensitive) in a response head (status
 * line and headers, CRLF-separated), copied into out; NULL when absent. */
const char *test_http_header(const char *head, const char *name, char *out, size_t n);

#endif
