/*
 * store_sqlite.c — the SQLite backend of store.h.
 *
 * One connection per thread, opened with SQLITE_OPEN_NOMUTEX (the
 * connection never crosses threads, so SQLite's own mutex is wasted work),
 * in WAL mode with synchronous=NORMAL and foreign keys on. Prepared
 * statements are cached per connection, keyed by SQL text, prepared with
 * SQLITE_PREPARE_PERSISTENT and reset + cleared after each use.
 *
 * Lock waits: a busy handler sleeps with back-off for up to 5 s (as
 * sqlite3_busy_timeout would) and counts each wait for store_stats. Writers
 * BEGIN IMMEDIATE: a deferred transaction that later writes fails at once
 * with SQLITE_BUSY when another connection committed in between, whatever
 * the timeout.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/store_impl.h"
#include "core/text.h" /* text_fts5_register: the `nqi` FTS5 tokenizer, on every connection */
#include "core/util.h"

#define SQ_BUSY_TIMEOUT_MS 5000

typedef struct sq_stmt {
    sqlite3_stmt *st;
    bool busy; /* held by open rows (a nested use of the same SQL prepares anew) */
} sq_stmt;

typedef struct sq_conn {
    store_conn base; /* first: a store_conn * is a sq_conn * */
    sqlite3 *db;
    stmt_cache cache; /* SQL text → sq_stmt */
} sq_conn;

typedef struct sq_rows {
    store_rows base; /* first */
    sqlite3_stmt *st;
    sq_stmt *cached; /* NULL: finalize on close */
    int first;       /* result of the step done by store_query; -1 once delivered */
    bool done;       /* stepping past SQLITE_DONE would re-run the statement */
} sq_rows;

/* ---- errors -------------------------------------------------------------- */

static int sq_code(int rc)
{
    switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        return NQI_EBUSY;
    case SQLITE_CONSTRAINT:
        return NQI_ECONFLICT;
    default:
        return NQI_EDB;
    }
}

static int sq_fail_msg(nqi_error *err, int rc, const char *msg)
{
    int code = sq_code(rc);
    if (code == NQI_ECONFLICT)
        return store_fail(err, code, "%s", msg);
    if (code == NQI_EBUSY)
        return store_fail(err, code, "database busy: %s", msg);
    return store_fail(err, code, "sqlite: %s", msg);
}

static int sq_fail(sq_conn *c, int rc, nqi_error *err)
{
    return sq_fail_msg(err, rc, sqlite3_errmsg(c->db));
}

/* ---- connections ---------------------------------------------------------- */

/* Sleep with back-off (SQLite's default schedule), give up after 5 s. */
static int sq_busy_handler(void *arg, int count)
{
    static const int delays[] = {1, 2, 5, 10, 15, 20, 25, 25, 25, 50, 50, 100};
    static const int totals[] = {0, 1, 3, 8, 18, 33, 53, 78, 103, 128, 178, 228};
    const int n = (int)(sizeof delays / sizeof delays[0]);
    int delay, prior;
    if (count < n) {
        delay = delays[count];
        prior = totals[count];
    } else {
        delay = delays[n - 1];
        prior = totals[n - 1] + (count - (n - 1)) * delay;
    }
    if (prior + delay > SQ_BUSY_TIMEOUT_MS) {
        delay = SQ_BUSY_TIMEOUT_MS - prior;
        if (delay <= 0)
            return 0;
    }
    store_count_busy(arg);
    struct timespec ts = {delay / 1000, (long)(delay % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
    return 1;
}

static void sq_stmt_free(void *val, void *arg)
{
    sq_stmt *cs = val;
    sqlite3_finalize(cs->st);
    free(cs);
}

static void sq_conn_close(store_conn *sc)
{
    sq_conn *c = (sq_conn *)sc;
    stmt_cache_clear(&c->cache, sq_stmt_free, NULL);
    sqlite3_close_v2(c->db);
    free(c);
}

/* ---- checkpoints off the committing thread ------------------------------
 * A WAL checkpoint copies committed pages back into the database file. By
 * default SQLite runs it inside the commit that crosses wal_autocheckpoint,
 * on the committing thread: for the EPCIS capture writer that was ~20% of
 * its time (docs/benchmarks.md, "Traceability: capture"). Under `nqi serve`
 * (store_sqlite_checkpointer_start) connections opened afterwards get a WAL
 * hook instead, which only wakes one checkpointer thread with a connection
 * of its own; it runs PASSIVE checkpoints, which never block readers or the
 * writer (the writer restarts the WAL once everything is copied back, and
 * truncates it itself past SQ_CKPT_LIMIT, see sq_wal_hook). The
 * thread lives until the process exits, like the capture writer; it holds
 * its own sqlite3 handle and a copy of the path, nothing of the store. */
#define SQ_CKPT_PAGES 20000  /* WAL pages that wake the checkpointer (~80 MiB) */
#define SQ_CKPT_LIMIT 100000 /* WAL pages at which the committer truncates it (~400 MiB) */

static struct {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool on;    /* connections opened from now on use the hook */
    bool due;   /* a commit left SQ_CKPT_PAGES or more in the WAL */
    char *path; /* the database the checkpointer serves */
} sq_ckpt = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, false, false, NULL};

static int sq_wal_hook(void *arg, sqlite3 *db, const char *name, int pages)
{
    /* A writer that never pauses leaves no moment at which every frame is
     * copied back, so the WAL would only grow (11 GB in a 1M-event capture):
     * past the limit the committing connection — the writer, between its
     * transactions — finishes the checkpoint itself and truncates the WAL.
     * The background thread has copied most frames by then. */
    if (pages >= SQ_CKPT_LIMIT)
        sqlite3_wal_checkpoint_v2(db, name, SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL);
    else if (pages >= SQ_CKPT_PAGES) {
        pthread_mutex_lock(&sq_ckpt.mu);
        sq_ckpt.due = true;
        pthread_cond_signal(&sq_ckpt.cv);
        pthread_mutex_unlock(&sq_ckpt.mu);
    }
    return SQLITE_OK;
}

static void *sq_checkpointer(void *arg)
{
    sqlite3 *db = arg;
    for (;;) {
        pthread_mutex_lock(&sq_ckpt.mu);
        while (!sq_ckpt.due)
            pthread_cond_wait(&sq_ckpt.cv, &sq_ckpt.mu);
        sq_ckpt.due = false;
        pthread_mutex_unlock(&sq_ckpt.mu);
        int log = 0, done = 0;
        /* SQLITE_BUSY only when another checkpoint runs: the next wake retries */
        sqlite3_wal_checkpoint_v2(db, NULL, SQLITE_CHECKPOINT_PASSIVE, &log, &done);
    }
    return NULL;
}

int store_sqlite_checkpointer_start(store *s, nqi_error *err)
{
    if (s->kind != STORE_SQLITE)
        return 0;
    pthread_mutex_lock(&sq_ckpt.mu);
    bool running = sq_ckpt.on;
    pthread_mutex_unlock(&sq_ckpt.mu);
    if (running)
        return strcmp(sq_ckpt.path, s->target)
                   ? store_fail(err, NQI_EINTERNAL, "checkpointer: already serving %s",
                                sq_ckpt.path)
                   : 0;
    sqlite3 *db = NULL;
    int rc = sqlite3_open_v2(s->target, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_busy_timeout(db, 100);
        rc = sqlite3_exec(db, "PRAGMA synchronous=NORMAL; PRAGMA mmap_size=268435456", NULL,
                          NULL, NULL);
    }
    pthread_t t;
    pthread_attr_t a;
    pthread_attr_init(&a);
    pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
    if (rc == SQLITE_OK && pthread_create(&t, &a, sq_checkpointer, db))
        rc = SQLITE_ERROR;
    pthread_attr_destroy(&a);
    if (rc != SQLITE_OK) {
        int r = store_fail(err, NQI_EDB, "checkpointer: cannot start on %s: %s", s->target,
                           db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
        sqlite3_close_v2(db);
        return r;
    }
    pthread_mutex_lock(&sq_ckpt.mu);
    sq_ckpt.path = xstrdup(s->target);
    sq_ckpt.on = true;
    pthread_mutex_unlock(&sq_ckpt.mu);
    return 0;
}

/* Process-wide SQLite configuration, before the library initialises:
 * no memory statistics (nqi never reads them, and keeping them takes a
 * global mutex on every allocation — ~2% of the capture writer's profile). */
static void sq_configure(void)
{
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

static int sq_conn_open(store *s, store_conn **out, nqi_error *err)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, sq_configure);
    *out = NULL;
    if (!sqlite3_threadsafe())
        return store_fail(err, NQI_EINTERNAL, "sqlite: library built without thread support");
    sqlite3 *db = NULL;
    int rc = sqlite3_open_v2(
        s->target, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc != SQLITE_OK) {
        rc = store_fail(err, NQI_EDB, "sqlite: cannot open %s: %s", s->target,
                        db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
        sqlite3_close_v2(db);
        return rc;
    }
    sqlite3_extended_result_codes(db, 1);
    sqlite3_busy_handler(db, sq_busy_handler, s);
    /* Connection settings, measured in docs/benchmarks.md ("Traceability:
     * capture", "Standards service"):
     *  - WAL with synchronous=NORMAL: readers never wait for the writer; a
     *    commit is durable against a crash of nqi (not of the machine)
     *    until the next checkpoint's fsync.
     *  - temp_store=MEMORY: statement journals (every multi-row INSERT under
     *    a foreign key opens one) stay off /var/tmp (18 pwrite per event).
     *  - cache_size: up to NQI_SQLITE_CACHE_MB (default 64) MiB of pages per
     *    connection, taken only as pages are read; a 500-event capture's
     *    index pages fit, so nothing spills into the WAL mid-transaction,
     *    and search keeps its index pages between requests.
     *  - mmap_size 256 MiB: pages beyond the cache are read from the OS
     *    page cache without a copy, shared by every connection.
     *  - wal_autocheckpoint 20000 pages: fewer, larger checkpoints (a page
     *    written by several commits is copied back once); the default 1000
     *    was 13% of the capture profile. */
    char pragmas[320];
    const char *mb = getenv("NQI_SQLITE_CACHE_MB");
    long cache_mb = mb && *mb ? strtol(mb, NULL, 10) : 64;
    if (cache_mb < 2 || cache_mb > 65536)
        cache_mb = 64;
    snprintf(pragmas, sizeof pragmas,
             "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; "
             "PRAGMA temp_store=MEMORY; PRAGMA cache_size=-%ld; PRAGMA mmap_size=268435456; "
             "PRAGMA wal_autocheckpoint=20000",
             cache_mb * 1024);
    char *msg = NULL;
    rc = sqlite3_exec(db, pragmas, NULL, NULL, &msg);
    if (rc != SQLITE_OK) {
        rc = store_fail(err, sq_code(rc), "sqlite: cannot set up %s: %s", s->target,
                        msg ? msg : sqlite3_errstr(rc));
        sqlite3_free(msg);
        sqlite3_close_v2(db);
        return rc;
    }
    pthread_mutex_lock(&sq_ckpt.mu);
    bool hook = sq_ckpt.on && !strcmp(sq_ckpt.path, s->target);
    pthread_mutex_unlock(&sq_ckpt.mu);
    if (hook) /* replaces the inline auto-checkpoint */
        sqlite3_wal_hook(db, sq_wal_hook, NULL);
    if (text_fts5_register(db) != 0) {
        rc = store_fail(err, NQI_EDB, "sqlite: cannot register the FTS5 tokenizer: %s",
                        sqlite3_errmsg(db));
        sqlite3_close_v2(db);
        return rc;
    }
    sq_conn *c = xcalloc(1, sizeof *c);
    c->db = db;
    *out = &c->base;
    return 0;
}

/* ---- statements ------------------------------------------------------------ */

/* A prepared statement for sql: from the cache when free, else prepared
 * (and cached if it was not). *cached is NULL for a one-off statement. */
static int sq_acquire(sq_conn *c, const char *sql, sqlite3_stmt **out, sq_stmt **cached,
                      nqi_error *err)
{
    size_t n = strlen(sql);
    sq_stmt *cs = stmt_cache_get(&c->cache, sql, n);
    if (cs && !cs->busy) {
        cs->busy = true;
        *out = cs->st;
        *cached = cs;
        return 0;
    }
    sqlite3_stmt *st = NULL;
    const char *tail = NULL;
    int rc =
        sqlite3_prepare_v3(c->db, sql, (int)n + 1, cs ? 0 : SQLITE_PREPARE_PERSISTENT, &st, &tail);
    if (rc != SQLITE_OK) {
        int code = sq_code(rc);
        return store_fail(err, code == NQI_ECONFLICT ? NQI_EDB : code, "sqlite: %s in \"%.120s\"",
                          sqlite3_errmsg(c->db), sql);
    }
    if (!st)
        return store_fail(err, NQI_EINTERNAL, "store: empty SQL statement");
    if (tail && *tail) {
        /* only whitespace, ';' and comments may follow the statement */
        sqlite3_stmt *more = NULL;
        sqlite3_prepare_v2(c->db, tail, -1, &more, NULL);
        if (more) {
            sqlite3_finalize(more);
            sqlite3_finalize(st);
            return store_fail(err, NQI_EINTERNAL,
                              "store: several statements in \"%.120s\" (use store_exec_script)",
                              sql);
        }
    }
    *out = st;
    *cached = NULL;
    if (!cs) {
        cs = xmalloc(sizeof *cs);
        cs->st = st;
        cs->busy = true;
        if (stmt_cache_put(&c->cache, sql, n, cs))
            *cached = cs;
        else
            free(cs);
    }
    return 0;
}

static void sq_release(sqlite3_stmt *st, sq_stmt *cached)
{
    if (cached) {
        sqlite3_reset(st);
        sqlite3_clear_bindings(st);
        cached->busy = false;
    } else {
        sqlite3_finalize(st);
    }
}

/* transient: copy text (rows outlive the call; parameters are borrowed only
 * for its duration). */
static int sq_bind(sq_conn *c, sqlite3_stmt *st, const store_val *p, int np, bool transient,
                   nqi_error *err)
{
    int want = sqlite3_bind_parameter_count(st);
    if (want != np)
        return store_fail(err, NQI_EINTERNAL, "store: \"%.120s\" takes %d parameters, %d given",
                          sqlite3_sql(st), want, np);
    for (int i = 0; i < np; i++) {
        int rc;
        if (store_val_is_null(&p[i]))
            rc = sqlite3_bind_null(st, i + 1);
        else if (p[i].type == SV_INT_T)
            rc = sqlite3_bind_int64(st, i + 1, p[i].i);
        else if (p[i].type == SV_REAL_T)
            rc = sqlite3_bind_double(st, i + 1, p[i].d);
        else if (p[i].type == SV_TEXT_T)
            rc = sqlite3_bind_text64(st, i + 1, p[i].s, store_val_len(&p[i]),
                                     transient ? SQLITE_TRANSIENT : SQLITE_STATIC, SQLITE_UTF8);
        else
            return store_fail(err, NQI_EINTERNAL, "store: parameter %d has unknown type %d", i + 1,
                              p[i].type);
        if (rc != SQLITE_OK)
            return sq_fail(c, rc, err);
    }
    return 0;
}

static int sq_exec(store_conn *sc, const char *sql, const store_val *p, int np, int64_t *changes,
                   nqi_error *err)
{
    sq_conn *c = (sq_conn *)sc;
    sqlite3_stmt *st;
    sq_stmt *cached;
    int rc = sq_acquire(c, sql, &st, &cached, err);
    if (rc)
        return rc;
    rc = sq_bind(c, st, p, np, false, err);
    if (!rc) {
        int s;
        while ((s = sqlite3_step(st)) == SQLITE_ROW)
            ;
        if (s == SQLITE_DONE) {
            if (changes)
                *changes = sqlite3_changes64(c->db);
        } else {
            rc = sq_fail(c, s, err);
        }
    }
    sq_release(st, cached);
    return rc;
}

static int sq_query(store_conn *sc, const char *sql, const store_val *p, int np, store_rows **out,
                    nqi_error *err)
{
    sq_conn *c = (sq_conn *)sc;
    sqlite3_stmt *st;
    sq_stmt *cached;
    int rc = sq_acquire(c, sql, &st, &cached, err);
    if (rc)
        return rc;
    rc = sq_bind(c, st, p, np, true, err);
    if (rc) {
        sq_release(st, cached);
        return rc;
    }
    /* Step once now, so that a failing INSERT ... RETURNING (a UNIQUE
     * violation, say) is reported here with its message, as on PostgreSQL. */
    int s = sqlite3_step(st);
    if (s != SQLITE_ROW && s != SQLITE_DONE) {
        rc = sq_fail(c, s, err);
        sq_release(st, cached);
        return rc;
    }
    sq_rows *r = xcalloc(1, sizeof *r);
    r->st = st;
    r->cached = cached;
    r->first = s == SQLITE_ROW ? 1 : 0;
    *out = &r->base;
    return 0;
}

static int sq_next(store_rows *sr)
{
    sq_rows *r = (sq_rows *)sr;
    if (r->first >= 0) {
        int f = r->first;
        r->first = -1;
        r->done = f == 0;
        return f;
    }
    if (r->done)
        return 0;
    int s = sqlite3_step(r->st);
    if (s == SQLITE_ROW)
        return 1;
    r->done = true;
    if (s == SQLITE_DONE)
        return 0;
    sqlite3 *db = sqlite3_db_handle(r->st);
    r->base.err_code = sq_code(s);
    snprintf(r->base.err_msg, sizeof r->base.err_msg, "sqlite: %s", sqlite3_errmsg(db));
    return r->base.err_code;
}

static int sq_ncols(store_rows *r)
{
    return sqlite3_column_count(((sq_rows *)r)->st);
}

static const char *sq_colname(store_rows *r, int col)
{
    return sqlite3_column_name(((sq_rows *)r)->st, col);
}

static bool sq_isnull(store_rows *r, int col)
{
    return sqlite3_column_type(((sq_rows *)r)->st, col) == SQLITE_NULL;
}

static int64_t sq_int(store_rows *r, int col)
{
    return sqlite3_column_int64(((sq_rows *)r)->st, col);
}

static double sq_real(store_rows *r, int col)
{
    return sqlite3_column_double(((sq_rows *)r)->st, col);
}

static const char *sq_text(store_rows *r, int col)
{
    return (const char *)sqlite3_column_text(((sq_rows *)r)->st, col);
}

static size_t sq_textlen(store_rows *r, int col)
{
    sqlite3_stmt *st = ((sq_rows *)r)->st;
    sqlite3_column_text(st, col); /* convert first, then measure (SQLite's rule) */
    return (size_t)sqlite3_column_bytes(st, col);
}

static void sq_rows_close(store_rows *sr)
{
    sq_rows *r = (sq_rows *)sr;
    sq_release(r->st, r->cached);
    free(r);
}

/* ---- transactions ----------------------------------------------------------- */

static int sq_begin(store_conn *c, bool write, nqi_error *err)
{
    return sq_exec(c, write ? "BEGIN IMMEDIATE" : "BEGIN", NULL, 0, NULL, err);
}

static void sq_rollback(store_conn *sc)
{
    sq_conn *c = (sq_conn *)sc;
    if (!sqlite3_get_autocommit(c->db)) /* SQLite may have rolled back already */
        sq_exec(sc, "ROLLBACK", NULL, 0, NULL, NULL);
}

static int sq_commit(store_conn *sc, nqi_error *err)
{
    int rc = sq_exec(sc, "COMMIT", NULL, 0, NULL, err);
    if (rc)
        sq_rollback(sc);
    return rc;
}

static int sq_exec_script(store_conn *sc, const char *sql, nqi_error *err)
{
    sq_conn *c = (sq_conn *)sc;
    char *msg = NULL;
    int rc = sqlite3_exec(c->db, sql, NULL, NULL, &msg);
    if (rc == SQLITE_OK)
        return 0;
    rc = sq_fail_msg(err, rc, msg ? msg : sqlite3_errmsg(c->db));
    sqlite3_free(msg);
    return rc;
}

static int sq_table_exists(store_conn *c, const char *table, bool *out, nqi_error *err)
{
    int64_t n = 0;
    store_val v = SV_TEXT(table);
    int rc = store_query_int(
        c, "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = ?", &v, 1, &n, err);
    *out = n > 0;
    return rc;
}

/* BEGIN IMMEDIATE already made this connection the only writer. */
static int sq_tx_lock(store_conn *c, int64_t key, nqi_error *err)
{
    return 0;
}

/* ---- backup --------------------------------------------------------------- */

static int sq_backup_copy(sq_conn *c, const char *dest, nqi_error *err)
{
    sqlite3 *dst = NULL;
    int rc = sqlite3_open_v2(dest, &dst, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc != SQLITE_OK) {
        rc = store_fail(err, NQI_EIO, "backup: cannot open %s: %s", dest,
                        dst ? sqlite3_errmsg(dst) : sqlite3_errstr(rc));
        sqlite3_close_v2(dst);
        return rc;
    }
    sqlite3_backup *b = sqlite3_backup_init(dst, "main", c->db, "main");
    if (!b) {
        rc = store_fail(err, NQI_EDB, "backup: %s", sqlite3_errmsg(dst));
        sqlite3_close_v2(dst);
        return rc;
    }
    int s, tries = 0;
    /* In WAL mode the copy only reads, so busy means a checkpoint or a
     * recovery is running; wait a little, up to the usual 5 s. */
    while ((s = sqlite3_backup_step(b, -1)) == SQLITE_BUSY || s == SQLITE_LOCKED) {
        if (++tries > SQ_BUSY_TIMEOUT_MS / 50)
            break;
        store_count_busy(c->base.st);
        sqlite3_sleep(50);
    }
    sqlite3_backup_finish(b);
    if (s != SQLITE_DONE)
        rc = sq_fail_msg(err, s, sqlite3_errmsg(dst));
    else
        rc = 0;
    sqlite3_close_v2(dst);
    return rc;
}

static int sq_backup(store *s, const char *dest, nqi_error *err)
{
    sq_conn *c = (sq_conn *)store_conn_thread(s, err);
    if (!c)
        return err && err->code ? err->code : NQI_EDB;
    if (c->base.in_tx)
        return store_fail(err, NQI_EINTERNAL, "backup: not inside a transaction");
    /* O_EXCL claims the name: never overwrite, even racing another backup */
    int fd = open(dest, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
        if (errno == EEXIST)
            return store_fail(err, NQI_ECONFLICT, "backup: %s already exists; not overwriting",
                              dest);
        return store_fail(err, NQI_EIO, "backup: cannot create %s: %s", dest, strerror(errno));
    }
    close(fd);
    int rc = sq_backup_copy(c, dest, err);
    if (rc)
        unlink(dest);
    return rc;
}

const store_backend store_sqlite_backend = {
    .name = "sqlite",
    .conn_open = sq_conn_open,
    .conn_close = sq_conn_close,
    .begin = sq_begin,
    .commit = sq_commit,
    .rollback = sq_rollback,
    .exec = sq_exec,
    .query = sq_query,
    .next = sq_next,
    .ncols = sq_ncols,
    .colname = sq_colname,
    .isnull = sq_isnull,
    .col_int = sq_int,
    .col_real = sq_real,
    .col_text = sq_text,
    .col_textlen = sq_textlen,
    .rows_close = sq_rows_close,
    .exec_script = sq_exec_script,
    .table_exists = sq_table_exists,
    .tx_lock = sq_tx_lock,
    .backup = sq_backup,
};
