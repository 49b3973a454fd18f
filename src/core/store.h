/*
 * store.h — one interface over two backends: SQLite (embedded, default) and
 * PostgreSQL (libpq). Domain code writes SQL once, with `?` placeholders;
 * the PostgreSQL backend rewrites them to $1..$n. Keep SQL to the common
 * dialect: INSERT ... RETURNING, ON CONFLICT, CASE, COALESCE; no AUTOINCREMENT
 * tricks and no backend functions in domain SQL (pass times from C).
 *
 * Types in the schema: integers are BIGINT (epoch milliseconds for times,
 * 0/1 for booleans), text is TEXT (hashes as lower-case hex). Results come
 * back through store_int/store_text whatever the backend.
 *
 * Ownership: a store owns its connections; store_conn_thread returns the
 * calling thread's connection (created lazily, closed by store_close).
 * store_rows is owned by the caller until store_rows_close; a string from
 * store_text is valid until the next store_next or store_rows_close.
 * Parameters are borrowed for the duration of the call.
 *
 * Transactions: store_begin(c, true, ...) takes the write lock at once
 * (SQLite BEGIN IMMEDIATE) because a deferred transaction that upgrades to a
 * write fails with "database is locked" ignoring the busy timeout.
 */
#ifndef NQI_STORE_H
#define NQI_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

typedef struct store store;
typedef struct store_conn store_conn;
typedef struct store_rows store_rows;

typedef enum { STORE_SQLITE = 1, STORE_PG = 2 } store_kind_t;

enum { SV_NULL_T = 0, SV_INT_T, SV_REAL_T, SV_TEXT_T };
typedef struct store_val {
    int type;
    int64_t i;
    double d;
    const char *s; /* SV_TEXT_T: borrowed; n == (size_t)-1 means NUL-terminated */
    size_t n;
} store_val;

#define SV_NULL ((store_val){.type = SV_NULL_T})
#define SV_INT(x) ((store_val){.type = SV_INT_T, .i = (int64_t)(x)})
#define SV_REAL(x) ((store_val){.type = SV_REAL_T, .d = (double)(x)})
/* SV_TEXT(NULL) binds SQL NULL: backends treat SV_TEXT_T with s == NULL as NULL. */
#define SV_TEXT(x) ((store_val){.type = SV_TEXT_T, .s = (x), .n = (size_t)-1})
#define SV_TEXTN(x, len) ((store_val){.type = SV_TEXT_T, .s = (x), .n = (len)})

/* url: "sqlite:PATH", "postgresql://..." / "postgres://...", or a bare path
 * (SQLite). Opening does not migrate; see store_migrate. */
int store_open(const char *url, store **out, nqi_error *err);
void store_close(store *s);
store_kind_t store_kind(const store *s);
const char *store_url_redacted(const store *s); /* for logs: password hidden */
/* A database URL as it may be shown (logs, error messages): the password,
 * in the userinfo or as a password= parameter, becomes "***". Caller frees. */
char *store_redact_url(const char *url);

/* The calling thread's connection; NULL (and err filled) on failure. */
store_conn *store_conn_thread(store *s, nqi_error *err);
store *store_conn_store(store_conn *c);

int store_begin(store_conn *c, bool write, nqi_error *err);
int store_commit(store_conn *c, nqi_error *err);
void store_rollback(store_conn *c); /* safe to call when no transaction is open */
bool store_in_tx(store_conn *c);

/* Run one statement; *changes (may be NULL) gets the affected row count. */
int store_exec(store_conn *c, const char *sql, const store_val *params, int nparams,
               int64_t *changes, nqi_error *err);
/* Run a query; iterate with store_next. */
int store_query(store_conn *c, const char *sql, const store_val *params, int nparams,
                store_rows **out, nqi_error *err);
int store_next(store_rows *r); /* 1 = row, 0 = done, <0 = error */
int store_ncols(store_rows *r);
const char *store_colname(store_rows *r, int col);
bool store_isnull(store_rows *r, int col);
int64_t store_int(store_rows *r, int col);
double store_real(store_rows *r, int col);
const char *store_text(store_rows *r, int col); /* NULL when SQL NULL */
size_t store_textlen(store_rows *r, int col);
void store_rows_close(store_rows *r);
/* After store_next returned <0: copy its error into err and return its code
 * (0 when the last store_next did not fail). */
int store_rows_error(store_rows *r, nqi_error *err);

/* First column of the first row as an integer; NQI_ENOTFOUND if no row. */
int store_query_int(store_conn *c, const char *sql, const store_val *params, int nparams,
                    int64_t *out, nqi_error *err);
/* First column of the first row as a malloc'd string (NULL for SQL NULL). */
int store_query_text(store_conn *c, const char *sql, const store_val *params, int nparams,
                     char **out, nqi_error *err);

/* Serialize writers on `name` until the current write transaction ends.
 * PostgreSQL (READ COMMITTED lets writers run side by side):
 * pg_advisory_xact_lock on a 64-bit hash of name. SQLite: nothing to do,
 * BEGIN IMMEDIATE already holds the single writer lock. Use it before a
 * read-modify-write of shared state (audit chain head, Merkle log size,
 * counters). Must be inside a transaction (NQI_EINTERNAL otherwise). */
int store_tx_lock(store_conn *c, const char *name, nqi_error *err);

/* A write that joins the caller's transaction or runs in its own:
 *   bool own; int rc = store_tx_begin(c, &own, err);  ...  return store_tx_end(c, own, rc, err);
 * store_tx_begin opens a write transaction unless one is open (*own says
 * which). store_tx_end ends only a transaction of our own: commit when rc is
 * 0, roll back otherwise (also when the commit fails); a caller's
 * transaction is the caller's to end. Returns rc, or the commit's error. */
int store_tx_begin(store_conn *c, bool *own, nqi_error *err);
int store_tx_end(store_conn *c, bool own, int rc, nqi_error *err);

/* Several statements separated by ';' (migrations). No parameters. */
int store_exec_script(store_conn *c, const char *sql, nqi_error *err);

/* Migrations: embedded scripts (db/migrations/{sqlite,pg}/NNNN_name.sql),
 * applied in order inside one transaction each, recorded in
 * schema_migrations. Refuses (NQI_ESCHEMA) a database newer than the binary. */
int store_migrate(store *s, int *applied, nqi_error *err);
int store_schema_version(store *s, int *db_version, int *code_version, nqi_error *err);

/* SQLite only: online backup to dest path. PostgreSQL: NQI_EINVAL with a
 * message pointing to pg_dump. */
int store_backup(store *s, const char *dest_path, nqi_error *err);

/* SQLite only (a no-op on PostgreSQL): WAL checkpoints of connections
 * opened from now on run on a background thread instead of inside the
 * commit that fills the WAL (store_sqlite.c says why). For `nqi serve`. */
int store_sqlite_checkpointer_start(store *s, nqi_error *err);

/* Pool / connection figures for /metrics. */
void store_stats(store *s, int *open_conns, int64_t *queries, int64_t *busy_retries);

#endif
