/*
 * store_pg.c — the PostgreSQL backend of store.h, over libpq.
 *
 * One connection per thread. Domain SQL uses `?`; it is rewritten to $1..$n
 * once per connection and prepared as a named statement (PQprepare), then
 * run with PQexecPrepared in text format. Parameter types are declared for
 * integers (int8) and reals (float8) and left to the server to infer for
 * text and NULL, so the cache key is the SQL text plus that type signature.
 *
 * Write transactions are READ COMMITTED: writers do not block each other on
 * BEGIN as in SQLite, so read-modify-write of shared state takes
 * store_tx_lock (an advisory transaction lock) first. Read transactions are
 * REPEATABLE READ READ ONLY: one snapshot for all their statements, as a
 * SQLite read transaction has, so a reader comparing two tables (the audit
 * head and the log) never sees a writer's commit between them.
 *
 * A connection that dropped is reset once before the next transaction (or
 * the next statement outside one); its prepared statements are gone then,
 * so the cache is emptied with it.
 */
#define _GNU_SOURCE
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/store_impl.h"
#include "core/util.h"

#define PG_INT8OID 20
#define PG_FLOAT8OID 701

typedef struct pg_stmt {
    char name[24];
    int nparams;
} pg_stmt;

typedef struct pg_conn {
    store_conn base; /* first: a store_conn * is a pg_conn * */
    PGconn *pg;
    stmt_cache cache; /* type signature + '\x01' + SQL → pg_stmt */
    unsigned next_id;
} pg_conn;

typedef struct pg_rows {
    store_rows base; /* first */
    PGresult *res;
    int row; /* current row; -1 before the first store_next */
    int nrows;
} pg_rows;

/* ---- placeholders ------------------------------------------------------------ */

/* Copy from p up to and including the closing delimiter `end` (or the end
 * of the string); returns the position after it. */
static const char *copy_until(buf *b, const char *p, const char *end)
{
    const char *q = strstr(p, end);
    q = q ? q + strlen(end) : p + strlen(p);
    buf_append(b, p, (size_t)(q - p));
    return q;
}

char *store_pg_rewrite(const char *sql, int *nparams)
{
    buf b;
    buf_init(&b, 0);
    int n = 0;
    const char *p = sql;
    while (*p) {
        char ch = *p;
        if (ch == '\'' || ch == '"') {
            char end[2] = {ch, 0};
            buf_append(&b, p, 1);
            p = copy_until(&b, p + 1, end);
        } else if (ch == '-' && p[1] == '-') {
            p = copy_until(&b, p, "\n");
        } else if (ch == '/' && p[1] == '*') {
            buf_append(&b, p, 2);
            p = copy_until(&b, p + 2, "*/");
        } else if (ch == '$' && (p[1] == '$' || p[1] == '_' || (p[1] >= 'A' && p[1] <= 'Z') ||
                                 (p[1] >= 'a' && p[1] <= 'z'))) {
            /* dollar quoting: $tag$ ... $tag$ */
            size_t t = 1;
            while (p[t] == '_' || (p[t] >= 'A' && p[t] <= 'Z') || (p[t] >= 'a' && p[t] <= 'z') ||
                   (p[t] >= '0' && p[t] <= '9'))
                t++;
            if (p[t] != '$') {
                buf_append(&b, p, t);
                p += t;
                continue;
            }
            char *tag = xstrndup(p, t + 1);
            buf_append(&b, p, t + 1);
            p = copy_until(&b, p + t + 1, tag);
            free(tag);
        } else if (ch == '?') {
            buf_printf(&b, "$%d", ++n);
            p++;
        } else {
            buf_append(&b, p, 1);
            p++;
        }
    }
    if (!b.data)
        buf_puts(&b, "");
    *nparams = n;
    return buf_steal(&b);
}

/* ---- errors --------------------------------------------------------------------- */

/* libpq messages end in "\n" and may span lines: one line for logs. */
static void one_line(char *s)
{
    for (char *p = s; *p; p++)
        if (*p == '\n' || *p == '\r')
            *p = ' ';
    size_t n = strlen(s);
    while (n && s[n - 1] == ' ')
        s[--n] = 0;
}

static int pg_fail_conn(pg_conn *c, nqi_error *err, const char *what)
{
    char msg[400];
    snprintf(msg, sizeof msg, "%s", PQerrorMessage(c->pg));
    one_line(msg);
    return store_fail(err, NQI_EDB, "postgresql: %s: %s", what, msg);
}

/* Map a failed result (or none) to an nqi code. Takes no ownership of res. */
static int pg_fail(pg_conn *c, const PGresult *res, nqi_error *err)
{
    if (!res || PQstatus(c->pg) != CONNECTION_OK)
        return pg_fail_conn(c, err, "connection lost");
    const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
    const char *prim = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
    const char *detail = PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL);
    char msg[400];
    if (prim)
        snprintf(msg, sizeof msg, "%s%s%s", prim, detail ? " — " : "", detail ? detail : "");
    else
        snprintf(msg, sizeof msg, "%s", PQresultErrorMessage(res));
    one_line(msg);
    if (!state)
        state = "";
    if (strncmp(state, "23", 2) == 0) /* integrity constraint violation */
        return store_fail(err, NQI_ECONFLICT, "%s", msg);
    if (!strcmp(state, "40001") || !strcmp(state, "40P01") || !strcmp(state, "55P03")) {
        store_count_busy(c->base.st);
        return store_fail(err, NQI_EBUSY, "database busy: %s", msg);
    }
    if (strncmp(state, "08", 2) == 0)
        return store_fail(err, NQI_EDB, "postgresql: connection problem: %s", msg);
    return store_fail(err, NQI_EDB, "postgresql: %s [%s]", msg, state);
}

static bool res_ok(const PGresult *res)
{
    ExecStatusType st = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
    return st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK || st == PGRES_EMPTY_QUERY;
}

/* ---- connections ------------------------------------------------------------------ */

static void quiet_notices(void *arg, const char *message)
{
    /* "relation ... already exists, skipping" and the like: not for logs */
}

static void pg_stmt_free(void *val, void *arg)
{
    free(val);
}

static void pg_conn_close(store_conn *sc)
{
    pg_conn *c = (pg_conn *)sc;
    stmt_cache_clear(&c->cache, pg_stmt_free, NULL);
    PQfinish(c->pg);
    free(c);
}

static int pg_conn_open(store *s, store_conn **out, nqi_error *err)
{
    *out = NULL;
    /* defaults first: settings in the URL override them */
    const char *kw[] = {"connect_timeout", "application_name", "client_encoding", "dbname", NULL};
    const char *val[] = {"10", "nqi", "UTF8", s->target, NULL};
    PGconn *pg = PQconnectdbParams(kw, val, 1);
    if (!pg)
        return store_fail(err, NQI_EDB, "postgresql: out of memory connecting");
    if (PQstatus(pg) != CONNECTION_OK) {
        char msg[400];
        snprintf(msg, sizeof msg, "%s", PQerrorMessage(pg));
        one_line(msg);
        PQfinish(pg);
        return store_fail(err, NQI_EDB, "postgresql: cannot connect to %s: %s", s->url_redacted,
                          msg);
    }
    PQsetNoticeProcessor(pg, quiet_notices, NULL);
    pg_conn *c = xcalloc(1, sizeof *c);
    c->pg = pg;
    *out = &c->base;
    return 0;
}

/* Before work outside a transaction: reset a dropped connection, once. */
static int pg_ensure(pg_conn *c, nqi_error *err)
{
    if (PQstatus(c->pg) == CONNECTION_OK)
        return 0;
    if (c->base.in_tx)
        return pg_fail_conn(c, err, "connection lost inside a transaction");
    stmt_cache_clear(&c->cache, pg_stmt_free, NULL); /* the server forgot them */
    PQreset(c->pg);
    if (PQstatus(c->pg) != CONNECTION_OK) {
        char what[300];
        snprintf(what, sizeof what, "connection to %s lost, reconnecting failed",
                 c->base.st->url_redacted);
        return pg_fail_conn(c, err, what);
    }
    PQsetNoticeProcessor(c->pg, quiet_notices, NULL);
    return 0;
}

/* ---- statements -------------------------------------------------------------------- */

static char param_sig(const store_val *v)
{
    if (store_val_is_null(v))
        return 'u';
    return v->type == SV_INT_T ? 'i' : v->type == SV_REAL_T ? 'r' : 'u';
}

static Oid sig_oid(char s)
{
    return s == 'i' ? PG_INT8OID : s == 'r' ? PG_FLOAT8OID : 0;
}

static bool stale_statement(const PGresult *res)
{
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    return state && (!strcmp(state, "0A000") || !strcmp(state, "26000"));
}

/* Drop (if the server still has it) and prepare ps again from sql. */
static int pg_reprepare(pg_conn *c, pg_stmt *ps, const char *sql, const Oid *types,
                        nqi_error *err)
{
    int n;
    char *rewritten = store_pg_rewrite(sql, &n);
    char *dealloc = xasprintf("DEALLOCATE %s", ps->name);
    PQclear(PQexec(c->pg, dealloc)); /* 26000 when it is gone: fine */
    free(dealloc);
    PGresult *res = PQprepare(c->pg, ps->name, rewritten, ps->nparams, types);
    int rc = 0;
    if (!res || PQresultStatus(res) != PGRES_COMMAND_OK) {
        nqi_error e;
        nqi_error_clear(&e);
        rc = pg_fail(c, res, &e);
        store_fail(err, rc, "%s in \"%.120s\"", e.message, sql);
    }
    PQclear(res);
    free(rewritten);
    return rc;
}

/* Run sql with parameters; *out gets a successful result (caller PQclears). */
static int pg_run(pg_conn *c, const char *sql, const store_val *p, int np, PGresult **out,
                  nqi_error *err)
{
    *out = NULL;
    int rc = c->base.in_tx ? 0 : pg_ensure(c, err);
    if (rc)
        return rc;
    for (int i = 0; i < np; i++)
        if (p[i].type < SV_NULL_T || p[i].type > SV_TEXT_T)
            return store_fail(err, NQI_EINTERNAL, "store: parameter %d has unknown type %d", i + 1,
                              p[i].type);

    /* cache key: one signature character per parameter, \x01, SQL */
    size_t sqllen = strlen(sql);
    char *key = xmalloc((size_t)np + 1 + sqllen + 1);
    for (int i = 0; i < np; i++)
        key[i] = param_sig(&p[i]);
    key[np] = '\x01';
    memcpy(key + np + 1, sql, sqllen + 1);
    size_t keylen = (size_t)np + 1 + sqllen;

    Oid *types = xcalloc((size_t)np + 1, sizeof *types);
    for (int i = 0; i < np; i++)
        types[i] = sig_oid(key[i]);
    char **vals = xcalloc((size_t)np + 1, sizeof *vals);
    char *owned = xcalloc((size_t)np + 1, 1); /* vals[i] was malloc'd */
    PGresult *res = NULL;

    pg_stmt *ps = stmt_cache_get(&c->cache, key, keylen);
    char *rewritten = NULL;
    if (!ps) {
        int n;
        rewritten = store_pg_rewrite(sql, &n);
        if (n != np) {
            rc = store_fail(err, NQI_EINTERNAL, "store: \"%.120s\" takes %d parameters, %d given",
                            sql, n, np);
            goto out;
        }
        if (c->cache.count < STMT_CACHE_MAX) {
            ps = xcalloc(1, sizeof *ps);
            snprintf(ps->name, sizeof ps->name, "nqi_%u", ++c->next_id);
            ps->nparams = np;
            res = PQprepare(c->pg, ps->name, rewritten, np, types);
            if (!res || PQresultStatus(res) != PGRES_COMMAND_OK) {
                nqi_error e;
                nqi_error_clear(&e);
                rc = pg_fail(c, res, &e);
                store_fail(err, rc, "%s in \"%.120s\"", e.message, sql);
                free(ps);
                ps = NULL;
                goto out;
            }
            PQclear(res);
            res = NULL;
            stmt_cache_put(&c->cache, key, keylen, ps);
        }
    }

    for (int i = 0; i < np; i++) {
        if (store_val_is_null(&p[i]))
            continue;
        if (p[i].type == SV_INT_T) {
            vals[i] = xasprintf("%lld", (long long)p[i].i);
            owned[i] = 1;
        } else if (p[i].type == SV_REAL_T) {
            vals[i] = xasprintf("%.17g", p[i].d);
            owned[i] = 1;
        } else if (p[i].n == (size_t)-1) {
            vals[i] = (char *)p[i].s;
        } else {
            vals[i] = xstrndup(p[i].s, p[i].n); /* text format wants NUL-terminated */
            owned[i] = 1;
        }
    }
    if (ps)
        res = PQexecPrepared(c->pg, ps->name, np, (const char *const *)vals, NULL, NULL, 0);
    else
        res = PQexecParams(c->pg, rewritten, np, types, (const char *const *)vals, NULL, NULL, 0);
    if (ps && !res_ok(res) && !c->base.in_tx && stale_statement(res)) {
        /* Another server changed the schema under our cached plan (0A000
         * "cached plan must not change result type"), or the statement is
         * gone (26000, e.g. DISCARD ALL by a pooler). Outside a transaction
         * nothing was aborted: prepare it again under the same name and run
         * it once more. Inside one the transaction is already aborted; the
         * error goes to the caller. */
        PQclear(res);
        res = NULL;
        rc = pg_reprepare(c, ps, sql, types, err);
        if (rc)
            goto out;
        res = PQexecPrepared(c->pg, ps->name, np, (const char *const *)vals, NULL, NULL, 0);
    }
    if (!res_ok(res)) {
        rc = pg_fail(c, res, err);
        goto out;
    }
    *out = res;
    res = NULL;
out:
    PQclear(res);
    for (int i = 0; i < np; i++)
        if (owned[i])
            free(vals[i]);
    free(owned);
    free(vals);
    free(types);
    free(rewritten);
    free(key);
    return rc;
}

static int pg_exec(store_conn *sc, const char *sql, const store_val *p, int np, int64_t *changes,
                   nqi_error *err)
{
    PGresult *res;
    int rc = pg_run((pg_conn *)sc, sql, p, np, &res, err);
    if (rc)
        return rc;
    if (changes)
        *changes = strtoll(PQcmdTuples(res), NULL, 10);
    PQclear(res);
    return 0;
}

static int pg_query(store_conn *sc, const char *sql, const store_val *p, int np, store_rows **out,
                    nqi_error *err)
{
    PGresult *res;
    int rc = pg_run((pg_conn *)sc, sql, p, np, &res, err);
    if (rc)
        return rc;
    pg_rows *r = xcalloc(1, sizeof *r);
    r->res = res;
    r->row = -1;
    r->nrows = PQntuples(res);
    *out = &r->base;
    return 0;
}

static int pg_next(store_rows *sr)
{
    pg_rows *r = (pg_rows *)sr;
    if (r->row + 1 < r->nrows) {
        r->row++;
        return 1;
    }
    r->row = r->nrows;
    return 0;
}

static int pg_ncols(store_rows *r)
{
    return PQnfields(((pg_rows *)r)->res);
}

static const char *pg_colname(store_rows *r, int col)
{
    return PQfname(((pg_rows *)r)->res, col);
}

static bool pg_isnull(store_rows *sr, int col)
{
    pg_rows *r = (pg_rows *)sr;
    if (r->row < 0 || r->row >= r->nrows || col < 0 || col >= PQnfields(r->res))
        return true;
    return PQgetisnull(r->res, r->row, col);
}

static const char *pg_text(store_rows *sr, int col)
{
    pg_rows *r = (pg_rows *)sr;
    if (pg_isnull(sr, col))
        return NULL;
    return PQgetvalue(r->res, r->row, col);
}

static size_t pg_textlen(store_rows *sr, int col)
{
    pg_rows *r = (pg_rows *)sr;
    if (pg_isnull(sr, col))
        return 0;
    return (size_t)PQgetlength(r->res, r->row, col);
}

/* Integers come back as text; booleans (EXISTS, comparisons) as t/f. */
static int64_t pg_int(store_rows *r, int col)
{
    const char *v = pg_text(r, col);
    if (!v)
        return 0;
    if (v[0] == 't' && !v[1])
        return 1;
    if (v[0] == 'f' && !v[1])
        return 0;
    if (strpbrk(v, ".eE")) /* numeric or float: truncate, as SQLite does */
        return (int64_t)strtod(v, NULL);
    return strtoll(v, NULL, 10);
}

static double pg_real(store_rows *r, int col)
{
    const char *v = pg_text(r, col);
    return v ? strtod(v, NULL) : 0.0;
}

static void pg_rows_close(store_rows *sr)
{
    pg_rows *r = (pg_rows *)sr;
    PQclear(r->res);
    free(r);
}

/* ---- transactions -------------------------------------------------------------------- */

static int pg_simple(pg_conn *c, const char *sql, nqi_error *err)
{
    PGresult *res = PQexec(c->pg, sql);
    int rc = res_ok(res) ? 0 : pg_fail(c, res, err);
    PQclear(res);
    return rc;
}

static int pg_begin(store_conn *sc, bool write, nqi_error *err)
{
    pg_conn *c = (pg_conn *)sc;
    const char *BEGIN = write ? "BEGIN ISOLATION LEVEL READ COMMITTED"
                              : "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY";
    int rc = pg_ensure(c, err);
    if (rc)
        return rc;
    nqi_error e1;
    nqi_error_clear(&e1);
    rc = pg_simple(c, BEGIN, &e1);
    if (rc && PQstatus(c->pg) != CONNECTION_OK) {
        /* dropped while idle (server restart, idle timeout): BEGIN had no
         * effect, so reconnect and try once more */
        rc = pg_ensure(c, err);
        if (!rc)
            rc = pg_simple(c, BEGIN, err);
        return rc;
    }
    if (rc)
        return store_fail(err, rc, "%s", e1.message);
    return 0;
}

static void pg_rollback(store_conn *sc)
{
    pg_conn *c = (pg_conn *)sc;
    if (PQstatus(c->pg) != CONNECTION_OK || PQtransactionStatus(c->pg) == PQTRANS_IDLE)
        return;
    PQclear(PQexec(c->pg, "ROLLBACK"));
}

static int pg_commit(store_conn *sc, nqi_error *err)
{
    pg_conn *c = (pg_conn *)sc;
    PGresult *res = PQexec(c->pg, "COMMIT");
    int rc = 0;
    if (!res_ok(res))
        rc = pg_fail(c, res, err);
    else if (strcmp(PQcmdStatus(res), "ROLLBACK") == 0) /* COMMIT of an aborted transaction */
        rc = store_fail(err, NQI_EDB,
                        "postgresql: transaction rolled back (a statement in it had failed)");
    PQclear(res);
    if (rc)
        pg_rollback(sc);
    return rc;
}

static int pg_exec_script(store_conn *sc, const char *sql, nqi_error *err)
{
    pg_conn *c = (pg_conn *)sc;
    int rc = c->base.in_tx ? 0 : pg_ensure(c, err);
    return rc ? rc : pg_simple(c, sql, err);
}

static int pg_table_exists(store_conn *c, const char *table, bool *out, nqi_error *err)
{
    int64_t n = 0;
    store_val v = SV_TEXT(table);
    int rc = store_query_int(c,
                             "SELECT COUNT(*) FROM pg_catalog.pg_tables"
                             " WHERE schemaname = current_schema() AND tablename = ?",
                             &v, 1, &n, err);
    *out = n > 0;
    return rc;
}

static int pg_tx_lock(store_conn *c, int64_t key, nqi_error *err)
{
    store_val v = SV_INT(key);
    return store_exec(c, "SELECT pg_advisory_xact_lock(?)", &v, 1, NULL, err);
}

static int pg_backup(store *s, const char *dest, nqi_error *err)
{
    return store_fail(err, NQI_EINVAL,
                      "backup: a PostgreSQL database is backed up with pg_dump, "
                      "e.g. pg_dump -Fc -f nqi.dump '%s'",
                      s->url_redacted);
}

const store_backend store_pg_backend = {
    .name = "postgresql",
    .conn_open = pg_conn_open,
    .conn_close = pg_conn_close,
    .begin = pg_begin,
    .commit = pg_commit,
    .rollback = pg_rollback,
    .exec = pg_exec,
    .query = pg_query,
    .next = pg_next,
    .ncols = pg_ncols,
    .colname = pg_colname,
    .isnull = pg_isnull,
    .col_int = pg_int,
    .col_real = pg_real,
    .col_text = pg_text,
    .col_textlen = pg_textlen,
    .rows_close = pg_rows_close,
    .exec_script = pg_exec_script,
    .table_exists = pg_table_exists,
    .tx_lock = pg_tx_lock,
    .backup = pg_backup,
};
