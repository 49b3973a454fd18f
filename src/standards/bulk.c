/*
 * bulk.c — large catalogue imports without per-row index maintenance.
 *
 * Inserting a million rows one B-tree (or GIN) entry at a time into five
 * secondary indexes and the full-text index costs more than everything
 * else in the import: the entries arrive in file order, so every insert
 * touches a random page, and on SQLite the dirty pages overflow the page
 * cache and are written to the WAL again and again. Building an index
 * afterwards sorts once instead. So, inside the import's own transaction:
 *
 *   - SQLite, at least STD_BULK_MIN new rows: the FTS5 AFTER INSERT trigger
 *     is dropped and the new rows are indexed by one INSERT ... SELECT under
 *     a big FTS5 hash (few, large segments), then the trigger is recreated
 *     from its own stored SQL;
 *   - both backends, at least STD_BULK_MIN new rows and more new rows than
 *     the catalogue already holds: the secondary indexes of `standards` (not
 *     the primary key or UNIQUE ones, which the import itself relies on) are
 *     dropped and recreated from their own definitions — PostgreSQL's GIN
 *     full-text index included.
 *
 * All of it commits or rolls back with the import: a failed import leaves
 * the schema exactly as it was. Only definitions read from the database are
 * replayed, so a schema this code does not know keeps its indexes (anything
 * not found is simply not dropped).
 *
 * PostgreSQL: DROP INDEX takes an exclusive lock on `standards` until the
 * import commits, so readers wait for it; that is why it is reserved for a
 * (nearly) empty catalogue, where there is little to read.
 */
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "standards/internal.h"

int64_t std_bulk_min = STD_BULK_MIN;

static void add_restore(std_bulk *b, char *sql)
{
    b->restore = xrealloc(b->restore, (b->nrestore + 1) * sizeof *b->restore);
    b->restore[b->nrestore++] = sql;
}

/* Secondary indexes of standards: (name, definition) rows. */
static const char sql_indexes_sqlite[] =
    "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'standards' "
    "AND sql IS NOT NULL AND sql NOT LIKE 'CREATE UNIQUE%' ORDER BY name";
static const char sql_indexes_pg[] =
    "SELECT c.relname, pg_get_indexdef(i.indexrelid) FROM pg_index i "
    "JOIN pg_class c ON c.oid = i.indexrelid "
    "WHERE i.indrelid = 'standards'::regclass AND NOT i.indisunique AND NOT i.indisprimary "
    "ORDER BY c.relname";

static int drop_indexes(store_conn *c, std_bulk *b, bool sqlite, nqi_error *err)
{
    store_rows *q;
    int rc = store_query(c, sqlite ? sql_indexes_sqlite : sql_indexes_pg, NULL, 0, &q, err);
    if (rc)
        return rc;
    size_t n = 0;
    char **names = NULL;
    while ((rc = store_next(q)) == 1) {
        names = xrealloc(names, (n + 1) * sizeof *names);
        names[n++] = xstrdup(store_text(q, 0));
        add_restore(b, xstrdup(store_text(q, 1)));
    }
    if (rc < 0)
        rc = store_rows_error(q, err);
    store_rows_close(q);
    for (size_t i = 0; !rc && i < n; i++) {
        /* names come from the catalogue, not from user input */
        char *drop = xasprintf("DROP INDEX \"%s\"", names[i]);
        rc = store_exec(c, drop, NULL, 0, NULL, err);
        free(drop);
    }
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    return rc;
}

int std_bulk_begin(store_conn *c, int64_t new_rows, std_bulk *b, nqi_error *err)
{
    static const char trig[] =
        "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = 'standards_fts_ai'";
    memset(b, 0, sizeof *b);
    if (new_rows < std_bulk_min)
        return 0;
    bool sqlite = store_kind(store_conn_store(c)) == STORE_SQLITE;
    int64_t have = 0;
    int rc = store_query_int(c, "SELECT COALESCE(MAX(id), 0) FROM standards", NULL, 0,
                             &b->max_id, err);
    if (!rc)
        rc = store_query_int(c, "SELECT COUNT(*) FROM standards", NULL, 0, &have, err);
    if (!rc && have < new_rows)
        rc = drop_indexes(c, b, sqlite, err);
    if (rc || !sqlite)
        return rc;
    char *sql = NULL;
    rc = store_query_text(c, trig, NULL, 0, &sql, err);
    if (rc == NQI_ENOTFOUND) { /* not the schema this code knows: stay on the trigger */
        nqi_error_clear(err);
        return 0;
    }
    if (!rc)
        rc = store_exec(c, "DROP TRIGGER standards_fts_ai", NULL, 0, NULL, err);
    if (rc) {
        free(sql);
        return rc;
    }
    b->trigger_sql = sql;
    return 0;
}

int std_bulk_end(store_conn *c, std_bulk *b, int rc, nqi_error *err)
{
    /* 256 MiB: a million rows' terms fit, so the new rows make one segment
     * (8 MiB was 2 s faster but left 11 segments for every search to merge) */
    if (!rc && b->trigger_sql)
        rc = store_exec(c, "INSERT INTO standards_fts(standards_fts, rank) "
                           "VALUES ('hashsize', 268435456)", NULL, 0, NULL, err);
    if (!rc && b->trigger_sql)
        rc = store_exec(c, "INSERT INTO standards_fts(rowid, search_tokens) "
                           "SELECT id, search_tokens FROM standards WHERE id > ?",
                        (store_val[]){SV_INT(b->max_id)}, 1, NULL, err);
    if (!rc && b->trigger_sql)
        rc = store_exec(c, "INSERT INTO standards_fts(standards_fts, rank) "
                           "VALUES ('hashsize', 1048576)", NULL, 0, NULL, err);
    if (!rc && b->trigger_sql)
        rc = store_exec_script(c, b->trigger_sql, err);
    std_trace("fts");
    /* PostgreSQL builds a GIN index much faster with room to sort (the
     * default is 64 MB); for this transaction only */
    if (!rc && b->nrestore && store_kind(store_conn_store(c)) == STORE_PG)
        rc = store_exec(c, "SET LOCAL maintenance_work_mem = '512MB'", NULL, 0, NULL, err);
    for (size_t i = 0; !rc && i < b->nrestore; i++)
        rc = store_exec_script(c, b->restore[i], err);
    for (size_t i = 0; i < b->nrestore; i++)
        free(b->restore[i]);
    free(b->restore);
    free(b->trigger_sql);
    memset(b, 0, sizeof *b);
    return rc; /* on error the caller rolls back, which restores what was dropped */
}
