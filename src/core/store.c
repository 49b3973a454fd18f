/*
 * store.c — what both backends share: opening by URL, one connection per
 * thread, dispatch to store_sqlite.c / store_pg.c, the statement cache, the
 * migration runner, and the one-value query helpers. See store.h for the
 * contract and store_impl.h for the private structures.
 */
#define _GNU_SOURCE
#include "core/store.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/store_impl.h"
#include "core/util.h"

int store_fail(nqi_error *err, int code, const char *fmt, ...)
{
    if (!err)
        return code;
    if (!err->code) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->message, sizeof err->message, fmt, ap);
        va_end(ap);
        err->code = code;
    }
    return code;
}

/* ---- statement cache ---------------------------------------------------- */

static uint64_t fnv1a(const char *p, size_t n)
{
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)p[i];
        h *= 1099511628211ULL;
    }
    return h;
}

void *stmt_cache_get(stmt_cache *sc, const char *key, size_t keylen)
{
    if (!sc->nbuckets)
        return NULL;
    uint64_t h = fnv1a(key, keylen);
    for (stmt_cache_entry *e = sc->buckets[h % sc->nbuckets]; e; e = e->next)
        if (e->hash == h && e->keylen == keylen && memcmp(e->key, key, keylen) == 0)
            return e->val;
    return NULL;
}

static void stmt_cache_grow(stmt_cache *sc)
{
    size_t nb = sc->nbuckets ? sc->nbuckets * 2 : 64;
    stmt_cache_entry **b = xcalloc(nb, sizeof *b);
    for (size_t i = 0; i < sc->nbuckets; i++) {
        stmt_cache_entry *e = sc->buckets[i];
        while (e) {
            stmt_cache_entry *next = e->next;
            e->next = b[e->hash % nb];
            b[e->hash % nb] = e;
            e = next;
        }
    }
    free(sc->buckets);
    sc->buckets = b;
    sc->nbuckets = nb;
}

bool stmt_cache_put(stmt_cache *sc, const char *key, size_t keylen, void *val)
{
    if (sc->count >= STMT_CACHE_MAX)
        return false;
    if (sc->count >= sc->nbuckets)
        stmt_cache_grow(sc);
    stmt_cache_entry *e = xmalloc(sizeof *e);
    e->key = xstrndup(key, keylen);
    e->keylen = keylen;
    e->hash = fnv1a(key, keylen);
    e->val = val;
    e->next = sc->buckets[e->hash % sc->nbuckets];
    sc->buckets[e->hash % sc->nbuckets] = e;
    sc->count++;
    return true;
}

void stmt_cache_clear(stmt_cache *sc, void (*free_val)(void *val, void *arg), void *arg)
{
    for (size_t i = 0; i < sc->nbuckets; i++) {
        stmt_cache_entry *e = sc->buckets[i];
        while (e) {
            stmt_cache_entry *next = e->next;
            if (free_val)
                free_val(e->val, arg);
            free(e->key);
            free(e);
            e = next;
        }
    }
    free(sc->buckets);
    sc->buckets = NULL;
    sc->nbuckets = 0;
    sc->count = 0;
}

/* ---- URLs ---------------------------------------------------------------- */

static bool has_prefix(const char *s, const char *p)
{
    return strncmp(s, p, strlen(p)) == 0;
}

/* postgresql://user:secret@host/db?password=x → postgresql://user:***@host/db?password=*** */
char *store_redact_url(const char *url)
{
    buf b;
    buf_init(&b, 0);
    const char *p = url;
    const char *scheme = strstr(url, "://");
    if (scheme) {
        const char *auth = scheme + 3;
        size_t hostpart = strcspn(auth, "/?#");
        const char *at = memrchr(auth, '@', hostpart);
        const char *colon = at ? memchr(auth, ':', (size_t)(at - auth)) : NULL;
        if (colon) {
            buf_append(&b, url, (size_t)(colon + 1 - url));
            buf_puts(&b, "***");
            p = at;
        }
    }
    /* query parameter password=... (libpq accepts it in URIs and conninfo) */
    while (*p) {
        const char *q = strstr(p, "password=");
        if (!q) {
            buf_puts(&b, p);
            break;
        }
        bool param_start = q == url || q[-1] == '?' || q[-1] == '&' || q[-1] == ' ';
        buf_append(&b, p, (size_t)(q - p) + 9);
        p = q + 9;
        if (param_start) {
            buf_puts(&b, "***");
            p += strcspn(p, "& ");
        }
    }
    if (!b.data)
        buf_puts(&b, "");
    return buf_steal(&b);
}

/* ---- open / close / per-thread connections ------------------------------ */

/* pthread key destructor: the owning thread exits; its connection goes. */
static void conn_thread_exit(void *v)
{
    store_conn *c = v;
    store *s = c->st;
    pthread_mutex_lock(&s->mu);
    for (store_conn **pp = &s->conns; *pp; pp = &(*pp)->next)
        if (*pp == c) {
            *pp = c->next;
            s->nconns--;
            break;
        }
    pthread_mutex_unlock(&s->mu);
    if (c->in_tx)
        s->be->rollback(c);
    s->be->conn_close(c);
}

int store_open(const char *url, store **out, nqi_error *err)
{
    *out = NULL;
    if (!url || !*url)
        return store_fail(err, NQI_EINVAL, "store: empty database URL");
    store_kind_t kind;
    const char *target = url;
    if (has_prefix(url, "postgresql://") || has_prefix(url, "postgres://")) {
        kind = STORE_PG;
    } else {
        kind = STORE_SQLITE;
        if (has_prefix(url, "sqlite:")) {
            target = url + 7;
            if (has_prefix(target, "//"))
                target += 2;
        }
        if (!*target)
            return store_fail(err, NQI_EINVAL, "store: no SQLite file path in \"%s\"", url);
        if (strcmp(target, ":memory:") == 0 || has_prefix(target, "file:"))
            return store_fail(err, NQI_EINVAL,
                              "store: \"%s\": use a file path (each thread opens its own "
                              "connection, so an in-memory database would not be shared)",
                              url);
    }
    store *s = xcalloc(1, sizeof *s);
    s->kind = kind;
    s->be = kind == STORE_PG ? &store_pg_backend : &store_sqlite_backend;
    s->url = xstrdup(url);
    s->url_redacted = store_redact_url(url);
    s->target = xstrdup(target);
    pthread_mutex_init(&s->mu, NULL);
    if (pthread_key_create(&s->key, conn_thread_exit) != 0) {
        pthread_mutex_destroy(&s->mu);
        free(s->url);
        free(s->url_redacted);
        free(s->target);
        free(s);
        return store_fail(err, NQI_EINTERNAL, "store: out of thread-local keys");
    }
    /* Connect now so a bad URL, a missing server or an unwritable file is
     * reported by open, not by the first request. */
    if (!store_conn_thread(s, err)) {
        int code = err && err->code ? err->code : NQI_EDB;
        store_close(s);
        return code;
    }
    *out = s;
    return 0;
}

/* Closes every connection. Call once no other thread uses the store. */
void store_close(store *s)
{
    if (!s)
        return;
    pthread_mutex_lock(&s->mu);
    store_conn *c = s->conns;
    s->conns = NULL;
    s->nconns = 0;
    pthread_mutex_unlock(&s->mu);
    pthread_setspecific(s->key, NULL);
    pthread_key_delete(s->key); /* no destructor runs for this key from now on */
    while (c) {
        store_conn *next = c->next;
        if (c->in_tx)
            s->be->rollback(c);
        s->be->conn_close(c);
        c = next;
    }
    pthread_mutex_destroy(&s->mu);
    free(s->url);
    free(s->url_redacted);
    free(s->target);
    free(s);
}

store_kind_t store_kind(const store *s)
{
    return s->kind;
}

const char *store_url_redacted(const store *s)
{
    return s->url_redacted;
}

store_conn *store_conn_thread(store *s, nqi_error *err)
{
    store_conn *c = pthread_getspecific(s->key);
    if (c)
        return c;
    if (s->be->conn_open(s, &c, err) != 0)
        return NULL;
    c->st = s;
    c->in_tx = false;
    pthread_mutex_lock(&s->mu);
    c->next = s->conns;
    s->conns = c;
    s->nconns++;
    pthread_mutex_unlock(&s->mu);
    pthread_setspecific(s->key, c);
    return c;
}

store *store_conn_store(store_conn *c)
{
    return c->st;
}

/* ---- transactions and statements ---------------------------------------- */

int store_begin(store_conn *c, bool write, nqi_error *err)
{
    if (c->in_tx)
        return store_fail(err, NQI_EINTERNAL, "store: transaction already open");
    int rc = c->st->be->begin(c, write, err);
    if (rc == 0)
        c->in_tx = true;
    return rc;
}

int store_commit(store_conn *c, nqi_error *err)
{
    if (!c->in_tx)
        return store_fail(err, NQI_EINTERNAL, "store: commit without a transaction");
    int rc = c->st->be->commit(c, err); /* rolls back itself when COMMIT fails */
    c->in_tx = false;
    return rc;
}

void store_rollback(store_conn *c)
{
    if (!c)
        return;
    if (c->in_tx)
        c->st->be->rollback(c);
    c->in_tx = false;
}

bool store_in_tx(store_conn *c)
{
    return c->in_tx;
}

int store_exec(store_conn *c, const char *sql, const store_val *params, int nparams,
               int64_t *changes, nqi_error *err)
{
    if (changes)
        *changes = 0;
    store_count_query(c->st);
    return c->st->be->exec(c, sql, params, nparams, changes, err);
}

int store_query(store_conn *c, const char *sql, const store_val *params, int nparams,
                store_rows **out, nqi_error *err)
{
    *out = NULL;
    store_count_query(c->st);
    int rc = c->st->be->query(c, sql, params, nparams, out, err);
    if (rc == 0) {
        (*out)->be = c->st->be;
        (*out)->conn = c;
    }
    return rc;
}

int store_next(store_rows *r)
{
    r->err_code = 0;
    r->err_msg[0] = 0;
    return r->be->next(r);
}

int store_ncols(store_rows *r)
{
    return r->be->ncols(r);
}

const char *store_colname(store_rows *r, int col)
{
    return r->be->colname(r, col);
}

bool store_isnull(store_rows *r, int col)
{
    return r->be->isnull(r, col);
}

int64_t store_int(store_rows *r, int col)
{
    return r->be->col_int(r, col);
}

double store_real(store_rows *r, int col)
{
    return r->be->col_real(r, col);
}

const char *store_text(store_rows *r, int col)
{
    return r->be->col_text(r, col);
}

size_t store_textlen(store_rows *r, int col)
{
    return r->be->col_textlen(r, col);
}

void store_rows_close(store_rows *r)
{
    if (r)
        r->be->rows_close(r);
}

int store_rows_error(store_rows *r, nqi_error *err)
{
    if (!r->err_code)
        return 0;
    return store_fail(err, r->err_code, "%s", r->err_msg);
}

/* Run a query and position on its first row; NQI_ENOTFOUND when empty. */
static int query_first(store_conn *c, const char *sql, const store_val *params, int nparams,
                       store_rows **out, nqi_error *err)
{
    int rc = store_query(c, sql, params, nparams, out, err);
    if (rc)
        return rc;
    int n = store_next(*out);
    if (n == 1)
        return 0;
    rc = n == 0 ? store_fail(err, NQI_ENOTFOUND, "no row") : store_rows_error(*out, err);
    store_rows_close(*out);
    *out = NULL;
    return rc;
}

int store_query_int(store_conn *c, const char *sql, const store_val *params, int nparams,
                    int64_t *out, nqi_error *err)
{
    store_rows *r;
    int rc = query_first(c, sql, params, nparams, &r, err);
    if (rc)
        return rc;
    *out = store_int(r, 0);
    store_rows_close(r);
    return 0;
}

int store_query_text(store_conn *c, const char *sql, const store_val *params, int nparams,
                     char **out, nqi_error *err)
{
    *out = NULL;
    store_rows *r;
    int rc = query_first(c, sql, params, nparams, &r, err);
    if (rc)
        return rc;
    const char *t = store_text(r, 0);
    if (t)
        *out = xstrndup(t, store_textlen(r, 0));
    store_rows_close(r);
    return 0;
}

int store_exec_script(store_conn *c, const char *sql, nqi_error *err)
{
    store_count_query(c->st);
    return c->st->be->exec_script(c, sql, err);
}

int store_tx_lock(store_conn *c, const char *name, nqi_error *err)
{
    if (!c->in_tx)
        return store_fail(err, NQI_EINTERNAL, "store: store_tx_lock(\"%s\") outside a transaction",
                          name);
    return c->st->be->tx_lock(c, (int64_t)fnv1a(name, strlen(name)), err);
}

int store_tx_begin(store_conn *c, bool *own, nqi_error *err)
{
    *own = !store_in_tx(c);
    return *own ? store_begin(c, true, err) : 0;
}

int store_tx_end(store_conn *c, bool own, int rc, nqi_error *err)
{
    if (!own)
        return rc;
    if (!rc)
        rc = store_commit(c, err);
    if (rc)
        store_rollback(c); /* safe when the failed commit already ended it */
    return rc;
}

/* ---- migrations ---------------------------------------------------------- */

static const store_migration *migrations_for(store *s, int *n)
{
    if (s->kind == STORE_PG) {
        *n = store_migrations_pg_count;
        return store_migrations_pg;
    }
    *n = store_migrations_sqlite_count;
    return store_migrations_sqlite;
}

static int64_t code_version(store *s)
{
    int n;
    const store_migration *m = migrations_for(s, &n);
    return n ? m[n - 1].version : 0;
}

static const char SQL_CREATE_MIGRATIONS[] =
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    " version BIGINT PRIMARY KEY, name TEXT, applied_at BIGINT)";
static const char SQL_MAX_VERSION[] = "SELECT COALESCE(MAX(version), 0) FROM schema_migrations";
static const char SQL_HAS_VERSION[] = "SELECT COUNT(*) FROM schema_migrations WHERE version = ?";
static const char SQL_RECORD_VERSION[] =
    "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)";

/* Inside the open write transaction: apply the first embedded migration the
 * database lacks. *done = true when there was none. */
static int migrate_step(store_conn *c, bool *done, nqi_error *err)
{
    store *s = c->st;
    int n;
    const store_migration *m = migrations_for(s, &n);
    int rc = store_tx_lock(c, "nqi.schema_migrations", err);
    if (!rc)
        rc = store_exec(c, SQL_CREATE_MIGRATIONS, NULL, 0, NULL, err);
    int64_t dbv = 0;
    if (!rc)
        rc = store_query_int(c, SQL_MAX_VERSION, NULL, 0, &dbv, err);
    if (rc)
        return rc;
    if (dbv > code_version(s))
        return store_fail(err, NQI_ESCHEMA,
                          "database schema version %lld is newer than this binary's %lld: "
                          "run a newer nqi (refusing to touch the database)",
                          (long long)dbv, (long long)code_version(s));
    *done = true;
    for (int i = 0; i < n; i++) {
        int64_t have = 0;
        store_val v = SV_INT(m[i].version);
        rc = store_query_int(c, SQL_HAS_VERSION, &v, 1, &have, err);
        if (rc)
            return rc;
        if (have)
            continue;
        *done = false;
        nqi_error e2;
        nqi_error_clear(&e2);
        rc = store_exec_script(c, m[i].sql, &e2);
        if (rc)
            return store_fail(err, rc, "migration %04lld_%s: %s", (long long)m[i].version,
                              m[i].name, e2.message);
        store_val p[3] = {SV_INT(m[i].version), SV_TEXT(m[i].name), SV_INT(now_ms())};
        return store_exec(c, SQL_RECORD_VERSION, p, 3, NULL, err);
    }
    return 0;
}

int store_migrate(store *s, int *applied, nqi_error *err)
{
    if (applied)
        *applied = 0;
    store_conn *c = store_conn_thread(s, err);
    if (!c)
        return err && err->code ? err->code : NQI_EDB;
    for (;;) {
        int rc = store_begin(c, true, err);
        if (rc)
            return rc;
        bool done = false;
        rc = migrate_step(c, &done, err);
        if (rc) {
            store_rollback(c);
            return rc;
        }
        /* when done, this commits only schema_migrations itself (new database) */
        rc = store_commit(c, err);
        if (rc || done)
            return rc;
        if (applied)
            (*applied)++;
    }
}

int store_schema_version(store *s, int *db_version, int *code_ver, nqi_error *err)
{
    *db_version = 0;
    *code_ver = (int)code_version(s);
    store_conn *c = store_conn_thread(s, err);
    if (!c)
        return err && err->code ? err->code : NQI_EDB;
    bool exists = false;
    int rc = s->be->table_exists(c, "schema_migrations", &exists, err);
    if (rc || !exists)
        return rc;
    int64_t v = 0;
    rc = store_query_int(c, SQL_MAX_VERSION, NULL, 0, &v, err);
    if (!rc)
        *db_version = (int)v;
    return rc;
}

/* ---- backup and figures ---------------------------------------------------- */

int store_backup(store *s, const char *dest_path, nqi_error *err)
{
    if (!dest_path || !*dest_path)
        return store_fail(err, NQI_EINVAL, "backup: no destination path");
    return s->be->backup(s, dest_path, err);
}

void store_stats(store *s, int *open_conns, int64_t *queries, int64_t *busy_retries)
{
    if (open_conns) {
        pthread_mutex_lock(&s->mu);
        *open_conns = s->nconns;
        pthread_mutex_unlock(&s->mu);
    }
    if (queries)
        *queries = __atomic_load_n(&s->queries, __ATOMIC_RELAXED);
    if (busy_retries)
        *busy_retries = __atomic_load_n(&s->busy_retries, __ATOMIC_RELAXED);
}
