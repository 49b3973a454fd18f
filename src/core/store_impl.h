/*
 * store_impl.h — private to src/core/store*.c (and tests/unit/test_store.c).
 *
 * store.c holds what both backends share: URL parsing, the per-thread
 * connection registry, dispatch through a backend vtable, the statement
 * cache, the migration runner and the small helpers (store_query_int...).
 * store_sqlite.c and store_pg.c each fill one store_backend.
 *
 * Connection ownership: every store_conn is on its store's list (guarded by
 * store->mu) from creation until it is closed, either by the owning thread's
 * exit (pthread key destructor) or by store_close. A connection is used only
 * by the thread that created it, so nothing inside a connection is locked.
 */
#ifndef NQI_STORE_IMPL_H
#define NQI_STORE_IMPL_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/store.h"

/* One embedded migration (generated into build/gen/migrations.c). */
typedef struct store_migration {
    int64_t version;
    const char *name;
    const char *sql;
} store_migration;

extern const store_migration store_migrations_sqlite[];
extern const int store_migrations_sqlite_count;
extern const store_migration store_migrations_pg[];
extern const int store_migrations_pg_count;

/* String-keyed map from SQL text to a backend statement handle. */
typedef struct stmt_cache_entry {
    char *key;
    size_t keylen;
    uint64_t hash;
    void *val;
    struct stmt_cache_entry *next;
} stmt_cache_entry;

typedef struct stmt_cache {
    stmt_cache_entry **buckets;
    size_t nbuckets;
    size_t count;
} stmt_cache;

/* Past this many entries new statements are run uncached (prepared and
 * finalized per call): domain SQL is a bounded set of static strings, so
 * reaching the cap means someone is building SQL text at run time. */
#define STMT_CACHE_MAX 1024

void *stmt_cache_get(stmt_cache *sc, const char *key, size_t keylen);
/* Returns false (and stores nothing) when the cache is full. The key is copied. */
bool stmt_cache_put(stmt_cache *sc, const char *key, size_t keylen, void *val);
/* Calls free_val on each value, then empties the cache (reusable). */
void stmt_cache_clear(stmt_cache *sc, void (*free_val)(void *val, void *arg), void *arg);

typedef struct store_backend store_backend;

struct store_conn {
    store *st;
    store_conn *next; /* on st->conns */
    bool in_tx;
};

struct store_rows {
    const store_backend *be;
    store_conn *conn;
    int err_code; /* from the last failed store_next */
    char err_msg[256];
};

struct store_backend {
    const char *name;
    /* open a connection for the calling thread; *out embeds a store_conn first */
    int (*conn_open)(store *s, store_conn **out, nqi_error *err);
    void (*conn_close)(store_conn *c);
    int (*begin)(store_conn *c, bool write, nqi_error *err);
    int (*commit)(store_conn *c, nqi_error *err);
    void (*rollback)(store_conn *c);
    int (*exec)(store_conn *c, const char *sql, const store_val *p, int np, int64_t *changes,
                nqi_error *err);
    int (*query)(store_conn *c, const char *sql, const store_val *p, int np, store_rows **out,
                 nqi_error *err);
    int (*next)(store_rows *r);
    int (*ncols)(store_rows *r);
    const char *(*colname)(store_rows *r, int col);
    bool (*isnull)(store_rows *r, int col);
    int64_t (*col_int)(store_rows *r, int col);
    double (*col_real)(store_rows *r, int col);
    const char *(*col_text)(store_rows *r, int col);
    size_t (*col_textlen)(store_rows *r, int col);
    void (*rows_close)(store_rows *r);
    int (*exec_script)(store_conn *c, const char *sql, nqi_error *err);
    int (*table_exists)(store_conn *c, const char *table, bool *out, nqi_error *err);
    int (*tx_lock)(store_conn *c, int64_t key, nqi_error *err);
    int (*backup)(store *s, const char *dest, nqi_error *err);
};

extern const store_backend store_sqlite_backend;
extern const store_backend store_pg_backend;

struct store {
    store_kind_t kind;
    const store_backend *be;
    char *url;          /* as given */
    char *url_redacted; /* password replaced by "***" */
    char *target;       /* SQLite: file path; PostgreSQL: conninfo URL */
    pthread_key_t key;  /* the calling thread's store_conn */
    pthread_mutex_t mu; /* guards conns, nconns */
    store_conn *conns;
    int nconns;
    int64_t queries;      /* statements run (atomic) */
    int64_t busy_retries; /* lock waits (SQLite busy handler calls) or serialization retries */
};

/* Counters, updated without the mutex. */
static inline void store_count_query(store *s)
{
    __atomic_fetch_add(&s->queries, 1, __ATOMIC_RELAXED);
}
static inline void store_count_busy(store *s)
{
    __atomic_fetch_add(&s->busy_retries, 1, __ATOMIC_RELAXED);
}

/* Record an error and return code (nqi_error_set returns the first code
 * recorded, which hides ours when the caller reuses an error record). */
int store_fail(nqi_error *err, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Text of a parameter: pointer and length (handles n == (size_t)-1). */
static inline size_t store_val_len(const store_val *v)
{
    return v->n == (size_t)-1 ? __builtin_strlen(v->s) : v->n;
}
/* SV_TEXT(NULL) is SQL NULL. */
static inline bool store_val_is_null(const store_val *v)
{
    return v->type == SV_NULL_T || (v->type == SV_TEXT_T && !v->s);
}

/* URL helpers (store.c). Caller frees. */
char *store_redact_url(const char *url);

/* PostgreSQL: `?` → `$n` outside quotes and comments; *nparams gets n.
 * Caller frees. (store_pg.c; exposed for tests.) */
char *store_pg_rewrite(const char *sql, int *nparams);

#endif
