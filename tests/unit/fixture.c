/*
 * fixture.c — temporary directories and databases for the unit tests (see
 * fixture.h).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/util.h"
#include "fixture.h"

void test_tmpdir(char *out, size_t n, const char *name)
{
    const char *tmp = getenv("NQI_TEST_TMP");
    if ((size_t)snprintf(out, n, "%s/nqi-%s-XXXXXX", tmp && *tmp ? tmp : "/tmp", name) >= n)
        fail_msg("temporary directory name too long for %s", name);
    if (!mkdtemp(out))
        fail_msg("mkdtemp %s: %s", out, strerror(errno));
}

void test_tmpdir_remove(const char *dir)
{
    char *cmd = xasprintf("rm -rf '%s'", dir);
    int rc = system(cmd);
    free(cmd);
    if (rc)
        fail_msg("cannot remove %s", dir);
}

/* Open url, migrate, take this thread's connection. */
static void open_url(test_db *db, const char *url)
{
    nqi_error err = {0};
    int applied = 0;
    if (store_open(url, &db->st, &err))
        fail_msg("store_open: %s", err.message);
    if (store_migrate(db->st, &applied, &err))
        fail_msg("migrate: %s", err.message);
    db->c = store_conn_thread(db->st, &err);
    if (!db->c)
        fail_msg("connection: %s", err.message);
}

void test_db_open(test_db *db, const char *name)
{
    memset(db, 0, sizeof *db);
    test_tmpdir(db->dir, sizeof db->dir, name);
    char *url = xasprintf("sqlite:%s/t.db", db->dir);
    open_url(db, url);
    free(url);
}

void test_db_open_any(test_db *db, const char *name)
{
    const char *pg = getenv("NQI_TEST_PG_URL");
    if (!pg || !*pg) {
        test_db_open(db, name);
        return;
    }
    memset(db, 0, sizeof *db);
    open_url(db, pg);
}

void test_db_close(test_db *db)
{
    store_close(db->st);
    db->st = NULL;
    db->c = NULL;
    if (db->dir[0])
        test_tmpdir_remove(db->dir);
    db->dir[0] = 0;
}

int test_db_setup(void **state)
{
    test_db *db = xcalloc(1, sizeof *db);
    test_db_open(db, program_invocation_short_name);
    *state = db;
    return 0;
}

int test_db_teardown(void **state)
{
    test_db *db = *state;
    test_db_close(db);
    free(db);
    return 0;
}

void test_db_exec(const test_db *db, const char *sql)
{
    nqi_error err = {0};
    if (store_exec(db->c, sql, NULL, 0, NULL, &err))
        fail_msg("%s: %s", sql, err.message);
}

int64_t test_db_int(const test_db *db, const char *sql)
{
    int64_t n = -1;
    nqi_error err = {0};
    if (store_query_int(db->c, sql, NULL, 0, &n, &err))
        fail_msg("%s: %s", sql, err.message);
    return n;
}

int test_http_connect(int port, int timeout_s)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        fail_msg("socket: %s", strerror(errno));
    struct timeval tv = {timeout_s, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
    if (connect(fd, (struct sockaddr *)&a, sizeof a)) {
        int e = errno;
        close(fd);
        fail_msg("connect to 127.0.0.1:%d: %s", port, strerror(e));
    }
    return fd;
}

const char *test_http_header(const char *head, const char *name, char *out, size_t n)
{
    size_t nl = strlen(name);
    for (const char *p = strstr(head, "\r\n"); p && p[2]; p = strstr(p + 2, "\r\n")) {
        const char *line = p + 2;
        if (!strncasecmp(line, name, nl) && line[nl] == ':') {
            const char *v = line + nl + 1;
            while (*v == ' ')
                v++;
            const char *e = strstr(v, "\r\n");
            size_t l = e ? (size_t)(e - v) : strlen(v);
            if (l >= n)
                l = n - 1;
            memcpy(out, v, l);
            out[l] = 0;
            return out;
        }
    }
    return NULL;
}
