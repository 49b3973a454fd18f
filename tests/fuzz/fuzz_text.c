/*
 * fuzz_text.c — libFuzzer target for core/text.
 * Built by scripts/fuzz.sh with clang -fsanitize=fuzzer,address,undefined
 * against the generated tables and the core objects (needs -lsqlite3).
 *
 * Besides "does not crash", it checks invariants a broken implementation
 * would violate: folding never grows the text and is idempotent; tokens are
 * single-space separated; a failed call leaves the output untouched; the
 * FTS5 tokenizer indexes and queries arbitrary bytes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/text.h"

#define CHECK(x)                                                                                   \
    do {                                                                                           \
        if (!(x))                                                                                  \
            __builtin_trap();                                                                      \
    } while (0)

static sqlite3 *db;
static sqlite3_stmt *ins, *qry;

static void fts_setup(void)
{
    if (db)
        return;
    CHECK(sqlite3_open(":memory:", &db) == SQLITE_OK);
    CHECK(text_fts5_register(db) == 0);
    CHECK(sqlite3_exec(db, "CREATE VIRTUAL TABLE f USING fts5(body, tokenize='nqi')", 0, 0, 0) ==
          SQLITE_OK);
    CHECK(sqlite3_prepare_v2(db, "INSERT INTO f(body) VALUES (?1)", -1, &ins, 0) == SQLITE_OK);
    CHECK(sqlite3_prepare_v2(db, "SELECT highlight(f, 0, '[', ']') FROM f WHERE f MATCH ?1", -1,
                             &qry, 0) == SQLITE_OK);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *in = (const char *)data;
    buf a, b;
    size_t n;
    int rc;

    buf_init(&a, 0);
    buf_init(&b, 0);
    buf_puts(&a, "keep");
    rc = text_fold(in, size, &a);
    CHECK(rc == 0 || rc == NQI_EINVAL);
    if (rc) {
        CHECK(a.len == 4 && !strcmp(a.data, "keep"));
    } else {
        CHECK(a.len - 4 <= size);
        CHECK(text_fold(a.data + 4, a.len - 4, &b) == 0);
        CHECK(b.len == a.len - 4 && !memcmp(b.data, a.data + 4, b.len));
    }
    b.len = 0;
    rc = text_tokens(in, size, &b);
    CHECK(rc == 0 || rc == NQI_EINVAL);
    if (!rc && b.len) {
        CHECK(b.data[0] != ' ' && b.data[b.len - 1] != ' ' && !strstr(b.data, "  "));
    }
    b.len = 0;
    rc = text_query(in, size, &b);
    CHECK(rc == 0 || rc == NQI_EINVAL);
    CHECK(rc == 0 || b.len == 0);
    b.len = 0;
    rc = text_query_tsquery(in, size, &b);
    CHECK(rc == 0 || rc == NQI_EINVAL);
    b.len = 0;
    rc = text_strip_ruby(in, size, &b, &n);
    CHECK(rc == 0 || rc == NQI_EINVAL);
    CHECK(rc || b.len <= size);
    b.len = 0;
    rc = text_clean_web(in, size, &b);
    CHECK(rc == 0 || rc == NQI_EINVAL);

    /* FTS5: index the raw bytes, query with text_query output if any. */
    if (size < 4096) {
        fts_setup();
        sqlite3_bind_text(ins, 1, in, (int)size, SQLITE_STATIC);
        CHECK(sqlite3_step(ins) == SQLITE_DONE);
        sqlite3_reset(ins);
        b.len = 0;
        if (text_query(in, size, &b) == 0) {
            int found = 0;
            sqlite3_bind_text(qry, 1, b.data, (int)b.len, SQLITE_STATIC);
            while ((rc = sqlite3_step(qry)) == SQLITE_ROW)
                found = 1;
            CHECK(rc == SQLITE_DONE);
            /* The document just inserted contains every query term. */
            CHECK(found);
            sqlite3_reset(qry);
        }
        if (sqlite3_total_changes(db) > 2000)
            sqlite3_exec(db, "DELETE FROM f", 0, 0, 0);
    }
    buf_free(&a);
    buf_free(&b);
    return 0;
}
