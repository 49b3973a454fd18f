/*
 * test_text.c — core/text: folding, tokens, queries, the FTS5 tokenizer on
 * a real SQLite database, and ruby/chrome cleaning on the seed reports.
 * Run from the repository root (the seeds are ../shared/data/seeds/).
 */
#include <glob.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/err.h"
#include "core/text.h"
#include "core/util.h"

#define SEEDS "../shared/data/seeds/*.txt"

/* ---- helpers ---- */

static char *fold_str(const char *s)
{
    buf b;
    buf_init(&b, 0);
    assert_int_equal(text_fold(s, strlen(s), &b), 0);
    return buf_steal(&b);
}

static char *tokens_str(const char *s)
{
    buf b;
    buf_init(&b, 0);
    assert_int_equal(text_tokens(s, strlen(s), &b), 0);
    return buf_steal(&b);
}

static char *query_str(const char *s)
{
    buf b;
    buf_init(&b, 0);
    assert_int_equal(text_query(s, strlen(s), &b), 0);
    return buf_steal(&b);
}

static void assert_fold(const char *in, const char *want)
{
    char *got = fold_str(in);
    assert_string_equal(got, want);
    free(got);
}

/* Read every seed file; returns the count (0 if the seeds are absent). */
static int load_seeds(char **text, size_t *len, int max)
{
    glob_t g;
    int n = 0;
    if (glob(SEEDS, 0, NULL, &g))
        return 0;
    for (size_t i = 0; i < g.gl_pathc && n < max; i++) {
        assert_int_equal(file_read_all(g.gl_pathv[i], 0, &text[n], &len[n]), 0);
        n++;
    }
    globfree(&g);
    return n;
}

static void free_seeds(char **text, int n)
{
    for (int i = 0; i < n; i++)
        free(text[i]);
}

/* ---- folding ---- */

static void test_fold_width_and_case(void **state)
{
    /* Full-width letters, solidus, ideographic space and digits. */
    assert_fold("ＧＢ／Ｔ　１９５８０", "gb/t 19580");
    assert_fold("ＧＢ／Ｔ　１９５８０－２０１２", "gb/t 19580-2012");
    assert_fold("ISO 9001:2015", "iso 9001:2015");
    assert_fold("a\xC2\xA0"
                "b",
                "a b"); /* NBSP */
    /* Traditional -> Simplified, per character. */
    assert_fold("質量標準", "质量标准");
    assert_fold("河北召開深化質量強省和標準化戰略實施暨知識產權保護大會",
                "河北召开深化质量强省和标准化战略实施暨知识产权保护大会");
    /* Simplified untouched; full-width comma is NFKC-folded, CJK
     * punctuation (U+3002, U+300A) is not. */
    assert_fold("质量，标准。《中国质量报》", "质量,标准。《中国质量报》");
    assert_int_equal(text_fold_cp(0x8CEA /* 質 */), 0x8D28 /* 质 */);
    assert_int_equal(text_fold_cp(0x8D28), 0x8D28);
}

static void test_fold_appends_and_keeps_prefix(void **state)
{
    buf b;
    buf_init(&b, 0);
    buf_puts(&b, "x:");
    assert_int_equal(text_fold("Ａ質", strlen("Ａ質"), &b), 0);
    assert_string_equal(b.data, "x:a质");
    /* Invalid input leaves the buffer exactly as it was. */
    assert_int_equal(text_fold("ok\xC0\xAF", 4, &b), NQI_EINVAL);
    assert_string_equal(b.data, "x:a质");
    assert_int_equal(b.len, strlen("x:a质"));
    buf_free(&b);
}

static void test_fold_invalid_utf8(void **state)
{
    static const char *bad[] = {
        "\x80",             /* lone continuation */
        "\xC0\xAF",         /* overlong '/' */
        "\xE0\x80\xAF",     /* overlong */
        "\xED\xA0\x80",     /* surrogate U+D800 */
        "\xF4\x90\x80\x80", /* > U+10FFFF */
        "\xE8\xB4",         /* truncated 质 */
        "\xFF",
        "abc\xE8",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        buf b;
        buf_init(&b, 0);
        assert_int_equal(text_fold(bad[i], strlen(bad[i]), &b), NQI_EINVAL);
        assert_int_equal(b.len, 0);
        assert_int_equal(text_tokens(bad[i], strlen(bad[i]), &b), NQI_EINVAL);
        assert_int_equal(text_query(bad[i], strlen(bad[i]), &b), NQI_EINVAL);
        assert_int_equal(text_clean_web(bad[i], strlen(bad[i]), &b), NQI_EINVAL);
        assert_int_equal(b.len, 0);
        buf_free(&b);
    }
    /* Valid edge cases: U+10FFFF, 4-byte CJK Ext B. */
    assert_fold("\xF4\x8F\xBF\xBF", "\xF4\x8F\xBF\xBF");
    assert_fold("\xF0\xA0\x80\x80", "\xF0\xA0\x80\x80");
}

static void test_empty_input(void **state)
{
    buf b;
    buf_init(&b, 0);
    assert_int_equal(text_fold("", 0, &b), 0);
    assert_non_null(b.data);
    assert_string_equal(b.data, "");
    assert_int_equal(text_tokens("", 0, &b), 0);
    assert_int_equal(b.len, 0);
    assert_int_equal(text_tokens(" ，。!! ", strlen(" ，。!! "), &b), 0);
    assert_int_equal(b.len, 0);
    assert_int_equal(text_query("", 0, &b), NQI_EINVAL);
    assert_int_equal(text_query(NULL, 0, &b), NQI_EINVAL);
    assert_int_equal(text_query("  ，。 ", strlen("  ，。 "), &b), NQI_EINVAL);
    assert_int_equal(text_query_tsquery("", 0, &b), NQI_EINVAL);
    assert_int_equal(text_clean_web("", 0, &b), 0);
    assert_string_equal(b.data, "");
    buf_free(&b);
}

static void test_fold_seeds_idempotent(void **state)
{
    char *text[8];
    size_t len[8];
    int n = load_seeds(text, len, 8);
    if (!n)
        skip();
    for (int i = 0; i < n; i++) {
        buf a, b;
        buf_init(&a, 0);
        buf_init(&b, 0);
        buf plain;
        buf_init(&plain, 0);
        assert_int_equal(text_strip_ruby(text[i], len[i], &plain, NULL), 0);
        assert_int_equal(text_fold(plain.data, plain.len, &a), 0);
        assert_true(a.len <= plain.len);
        buf_free(&plain);
        assert_int_equal(text_fold(a.data, a.len, &b), 0);
        assert_int_equal(a.len, b.len);
        assert_memory_equal(a.data, b.data, a.len);
        /* Every seed mentions 质量 in some script; after folding, all are Simplified. */
        assert_non_null(strstr(a.data, "质量"));
        assert_null(strstr(a.data, "質量"));
        buf_free(&a);
        buf_free(&b);
    }
    free_seeds(text, n);
}

static void test_long_input(void **state)
{
    /* ~8 MB of mixed text through every function, and the buf limit. */
    const char *unit = "質(zhì)量強省 ＧＢ／Ｔ１９５８０ quality 标准化\n";
    size_t ul = strlen(unit), reps = 8u << 20;
    buf in, out;
    reps /= ul;
    buf_init(&in, 0);
    for (size_t i = 0; i < reps; i++)
        buf_append(&in, unit, ul);
    buf_init(&out, 0);
    assert_int_equal(text_fold(in.data, in.len, &out), 0);
    assert_true(out.len < in.len);
    assert_non_null(strstr(out.data + out.len - 80, "gb/t19580 quality"));
    out.len = 0;
    assert_int_equal(text_tokens(in.data, in.len, &out), 0);
    assert_true(out.len > in.len);
    out.len = 0;
    {
        size_t removed = 0;
        assert_int_equal(text_strip_ruby(in.data, in.len, &out, &removed), 0);
        assert_int_equal(removed, reps);
    }
    out.len = 0;
    /* A query longer than TEXT_QUERY_MAX terms is cut, not rejected. */
    assert_int_equal(text_query(in.data, in.len, &out), 0);
    {
        int ands = 0;
        for (const char *p = out.data; (p = strstr(p, " AND ")); p++)
            ands++;
        assert_true(ands <= TEXT_QUERY_MAX - 1);
        assert_true(ands >= 5);
    }
    buf_free(&out);
    /* The output limit is honoured and nothing partial is left behind. */
    buf_init(&out, 1000);
    assert_int_equal(text_fold(in.data, in.len, &out), NQI_ETOOBIG);
    assert_int_equal(out.len, 0);
    assert_int_equal(text_tokens(in.data, in.len, &out), NQI_ETOOBIG);
    assert_int_equal(out.len, 0);
    buf_free(&out);
    buf_free(&in);
}

/* ---- pinyin, tokens, queries ---- */

static void test_pinyin(void **state)
{
    const char *py;
    assert_int_equal(text_pinyin(0x8D28 /* 质 */, &py), 0);
    assert_string_equal(py, "zhi");
    assert_int_equal(text_pinyin(0x8CEA /* 質 */, &py), 0);
    assert_string_equal(py, "zhi");
    assert_int_equal(text_pinyin(0x91CF /* 量 */, &py), 0);
    assert_string_equal(py, "liang");
    assert_int_equal(text_pinyin(0x7EFF /* 绿 */, &py), 0);
    assert_string_equal(py, "lv");
    assert_int_equal(text_pinyin('A', &py), NQI_ENOTFOUND);
    assert_null(py);
    assert_int_equal(text_pinyin(0x110000, &py), NQI_ENOTFOUND);
    assert_true(text_pinyin_is_syllable("zhuang", 6));
    assert_true(text_pinyin_is_syllable("a", 1));
    assert_false(text_pinyin_is_syllable("zhuangx", 7));
    assert_false(text_pinyin_is_syllable("china", 5));
}

static void test_tokens_format(void **state)
{
    char *t = tokens_str("質量標準 ＧＢ／Ｔ　１９５８０-2012，年");
    assert_string_equal(t, "质量 zhiliang 量标 liangbiao 标准 biaozhun 准 zhun "
                           "gb t 19580 2012 年 nian");
    free(t);
    t = tokens_str("GB19580iso9001");
    assert_string_equal(t, "gb 19580 iso 9001");
    free(t);
    t = tokens_str("2020年河北");
    assert_string_equal(t, "2020 年河 nianhe 河北 hebei 北 bei");
    free(t);
    /* Traditional and Simplified produce identical tokens. */
    char *a = tokens_str("中國質量(杭州)大會"), *b = tokens_str("中国质量(杭州)大会");
    assert_string_equal(a, b);
    free(a);
    free(b);
}

static void test_query_format(void **state)
{
    char *q = query_str("質量標準");
    assert_string_equal(q, "\"质量\" AND \"量标\" AND \"标准\"");
    free(q);
    q = query_str("质");
    assert_string_equal(q, "\"质\"*");
    free(q);
    q = query_str("  ZhiLiang "); /* two pinyin syllables: the exact token */
    assert_string_equal(q, "\"zhiliang\"");
    free(q);
    q = query_str("ＧＢ／Ｔ 1958");
    assert_string_equal(q, "\"gb\" AND \"t\" AND \"1958\"*");
    free(q);
    q = query_str("gb 质量 省");
    assert_string_equal(q, "\"gb\" AND \"质量\" AND \"省\"*");
    free(q);
    q = query_str("质量 质量"); /* repeats collapse */
    assert_string_equal(q, "\"质量\"");
    free(q);
    /* A user's quotes and FTS5 operators are just separators. */
    q = query_str("\"质量\" OR NEAR(x*");
    assert_string_equal(q, "\"质量\" AND \"or\" AND \"near\" AND \"x\"*");
    free(q);
    buf b;
    buf_init(&b, 0);
    assert_int_equal(text_query_tsquery("質量 gb", strlen("質量 gb"), &b), 0);
    assert_string_equal(b.data, "'质量' & 'gb':*");
    buf_free(&b);
}

static char *tsquery_str(const char *s)
{
    buf b;
    buf_init(&b, 0);
    assert_int_equal(text_query_tsquery(s, strlen(s), &b), 0);
    return buf_steal(&b);
}

static void assert_queries(const char *in, const char *fts5, const char *tsq)
{
    char *q = query_str(in), *t = tsquery_str(in);
    if (strcmp(q, fts5) || strcmp(t, tsq))
        fail_msg("%s: got [%s] [%s], want [%s] [%s]", in, q, t, fts5, tsq);
    free(q);
    free(t);
}

static void test_query_pinyin(void **state)
{
    /* n > 2 syllables: overlapping two-syllable tokens ANDed; the last
     * pair is a prefix when the word is last (still typing), and the word
     * itself is an alternative (prefix when last). */
    assert_queries(
        "zhiliangguanli",
        "((\"zhiliang\" AND \"liangguan\" AND (\"guanli\" OR \"guanlia\" OR "
        "\"guanlian\" OR \"guanliang\" OR \"guanliao\" OR \"guanlie\" OR \"guanlin\" "
        "OR \"guanling\" OR \"guanliu\")) OR \"zhiliangguanli\"*)",
        "(('zhiliang' & 'liangguan' & ('guanli' | 'guanlia' | 'guanlian' | 'guanliang' | "
        "'guanliao' | 'guanlie' | 'guanlin' | 'guanling' | 'guanliu')) | "
        "'zhiliangguanli':*)");
    assert_queries("ZhiLiangGu",
                   "((\"zhiliang\" AND (\"lianggu\" OR \"lianggua\" OR \"liangguai\" OR "
                   "\"liangguan\" OR \"liangguang\" OR \"lianggui\" OR \"lianggun\" OR "
                   "\"liangguo\")) OR \"zhilianggu\"*)",
                   "(('zhiliang' & ('lianggu' | 'lianggua' | 'liangguai' | 'liangguan' | "
                   "'liangguang' | 'lianggui' | 'lianggun' | 'liangguo')) | 'zhilianggu':*)");
    assert_queries("zhiliangguanli gb",
                   "((\"zhiliang\" AND \"liangguan\" AND \"guanli\") OR \"zhiliangguanli\") "
                   "AND \"gb\"*",
                   "(('zhiliang' & 'liangguan' & 'guanli') | 'zhiliangguanli') & 'gb':*");
    /* Two syllables: exact, wherever the word is. */
    assert_queries("zhiliang", "\"zhiliang\"", "'zhiliang'");
    assert_queries("guifan jishu", "\"guifan\" AND \"jishu\"", "'guifan' & 'jishu'");
    /* Two syllables where pinyin would need an apostrophe (fang'an,
     * chang'e): could be English ("change"), keep the prefix. */
    assert_queries("change", "\"change\"*", "'change':*");
    assert_queries("fangan", "\"fangan\"*", "'fangan':*");
    /* One syllable (fewest syllables wins: xian, not xi an): prefix. */
    assert_queries("xian", "\"xian\"*", "'xian':*");
    assert_queries("dian", "\"dian\"*", "'dian':*");
    assert_queries("men", "\"men\"*", "'men':*");
    /* Not pinyin: unchanged. */
    assert_queries("gb", "\"gb\"*", "'gb':*");
    assert_queries("19580", "\"19580\"*", "'19580':*");
    assert_queries("quality", "\"quality\"*", "'quality':*");
    assert_queries("GB/T 1958", "\"gb\" AND \"t\" AND \"1958\"*", "'gb' & 't' & '1958':*");
    /* English that segments into 3+ syllables keeps its prefix through
     * the OR alternative. */
    assert_queries("manage",
                   "((\"mana\" AND (\"age\" OR \"agei\" OR \"agen\" OR \"ageng\")) "
                   "OR \"manage\"*)",
                   "(('mana' & ('age' | 'agei' | 'agen' | 'ageng')) | 'manage':*)");
    /* The budget: 30 x "gu" is 29 pairs + the word; the expansion of the
     * last "gu" (8 terms) would exceed TEXT_QUERY_MAX, so it is exact. */
    {
        char w[61] = "", *q;
        int pairs = 0;
        for (int i = 0; i < 30; i++)
            strcat(w, "gu");
        q = query_str(w);
        for (const char *p = q; (p = strstr(p, "\"gugu\"")); p++)
            pairs++;
        assert_int_equal(pairs, 29);
        assert_null(strstr(q, "gugua"));
        free(q);
    }
}

/* ---- FTS5 ---- */

static sqlite3 *open_db(void)
{
    sqlite3 *db;
    assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
    assert_int_equal(text_fts5_register(db), 0);
    return db;
}

static void exec(sqlite3 *db, const char *sql)
{
    char *err = NULL;
    int rc = sqlite3_exec(db, sql, NULL, NULL, &err);
    if (rc != SQLITE_OK)
        fail_msg("%s: %s", sql, err ? err : "?");
}

static void insert(sqlite3 *db, const char *table, sqlite3_int64 id, const char *body)
{
    sqlite3_stmt *st;
    char *sql = xasprintf("INSERT INTO %s(rowid, body) VALUES (?1, ?2)", table);
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_text(st, 2, body, -1, SQLITE_TRANSIENT);
    assert_int_equal(sqlite3_step(st), SQLITE_DONE);
    sqlite3_finalize(st);
    free(sql);
}

/* Run MATCH with a raw expression; returns the matching rowids as a
 * comma-separated string ("" for none), ascending. */
static char *match_raw(sqlite3 *db, const char *table, const char *expr)
{
    sqlite3_stmt *st;
    buf out;
    char *sql = xasprintf("SELECT rowid FROM %s WHERE %s MATCH ?1 ORDER BY rowid", table, table);
    buf_init(&out, 0);
    buf_append(&out, "", 0);
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        fail_msg("prepare: %s", sqlite3_errmsg(db));
    sqlite3_bind_text(st, 1, expr, -1, SQLITE_TRANSIENT);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        buf_printf(&out, "%s%lld", out.len ? "," : "", (long long)sqlite3_column_int64(st, 0));
    if (rc != SQLITE_DONE)
        fail_msg("MATCH %s: %s", expr, sqlite3_errmsg(db));
    sqlite3_finalize(st);
    free(sql);
    return buf_steal(&out);
}

/* MATCH with text_query(user_text). */
static void assert_finds(sqlite3 *db, const char *table, const char *user, const char *want)
{
    char *q = query_str(user), *got = match_raw(db, table, q);
    if (strcmp(got, want))
        fail_msg("query %s (%s) on %s: got [%s], want [%s]", user, q, table, got, want);
    free(q);
    free(got);
}

/* Seed-derived sentences: row 1 Traditional (seed 000's headline after
 * ruby stripping), row 2 Simplified (seed 001), row 3 about GB/T 19580. */
static const char *ROW1 = "河北召開深化質量強省和標準化戰略實施暨知識產權保護大會";
static const char *ROW2 =
    "河北省召开推进质量强省和标准化战略大会，通报2017年度市级政府质量工作考核结果";
static const char *ROW3 = "会议依据ＧＢ／Ｔ　１９５８０—2012《卓越绩效评价准则》评审政府质量奖";

static void check_common_queries(sqlite3 *db, const char *t)
{
    /* 質量 / 质量 / zhiliang all find the same documents. */
    assert_finds(db, t, "質量", "1,2,3");
    assert_finds(db, t, "质量", "1,2,3");
    assert_finds(db, t, "zhiliang", "1,2,3");
    assert_finds(db, t, "ZHILIANG", "1,2,3");
    /* Two-character words, both scripts. */
    assert_finds(db, t, "标准", "1,2");
    assert_finds(db, t, "標準", "1,2");
    assert_finds(db, t, "准则", "3");
    assert_finds(db, t, "知识产权", "1");
    assert_finds(db, t, "考核结果", "2");
    assert_finds(db, t, "卓越績效", "3");
    /* One character: prefix. 暨 occurs only in row 1. */
    assert_finds(db, t, "暨", "1");
    assert_finds(db, t, "質", "1,2,3");
    /* Standard numbers, any width, with or without separators. */
    assert_finds(db, t, "GB/T 19580", "3");
    assert_finds(db, t, "gb19580-2012", "3");
    assert_finds(db, t, "ＧＢ／Ｔ　１９５", "3");
    /* Pinyin prefix: "zhuo" -> zhuoyue. */
    assert_finds(db, t, "zhuo", "3");
    /* Things that are not there. */
    assert_finds(db, t, "食品安全", "");
    assert_finds(db, t, "汽", "");
    assert_finds(db, t, "gb 19581", "");
    assert_finds(db, t, "quality", "");
}

static void test_fts5_tokenizer(void **state)
{
    sqlite3 *db = open_db();
    exec(db, "CREATE VIRTUAL TABLE d USING fts5(body, tokenize='nqi')");
    insert(db, "d", 1, ROW1);
    insert(db, "d", 2, ROW2);
    insert(db, "d", 3, ROW3);
    check_common_queries(db, "d");

    /* 會 is the last character of row 1's run (大會): found through the
     * tail unigram; in row 2/3 会 starts a bigram (会，/ 会议). */
    assert_finds(db, "d", "會", "1,2,3");
    assert_finds(db, "d", "会", "1,2,3");
    /* Phrases work because pinyin/tails are colocated: 标准化战略 is
     * contiguous in rows 1 and 2; 质量标准 is not contiguous anywhere. */
    char *got = match_raw(db, "d", "\"标准化战略\"");
    assert_string_equal(got, "1,2");
    free(got);
    got = match_raw(db, "d", "\"質量標準\"");
    assert_string_equal(got, "");
    free(got);
    /* Hand-written MATCH with Traditional input is folded too. */
    got = match_raw(db, "d", "強省 AND 戰略");
    assert_string_equal(got, "1,2");
    free(got);

    /* highlight() offsets point into the ORIGINAL (Traditional) text. */
    sqlite3_stmt *st;
    char *q = query_str("质量");
    assert_int_equal(sqlite3_prepare_v2(db,
                                        "SELECT highlight(d, 0, '[', ']') FROM d WHERE d MATCH ?1 "
                                        "AND rowid = 1",
                                        -1, &st, NULL),
                     SQLITE_OK);
    sqlite3_bind_text(st, 1, q, -1, SQLITE_TRANSIENT);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(st, 0),
                        "河北召開深化[質量]強省和標準化戰略實施暨知識產權保護大會");
    sqlite3_finalize(st);
    free(q);
    q = query_str("gb/t");
    assert_int_equal(sqlite3_prepare_v2(db,
                                        "SELECT highlight(d, 0, '[', ']') FROM d WHERE d MATCH ?1",
                                        -1, &st, NULL),
                     SQLITE_OK);
    sqlite3_bind_text(st, 1, q, -1, SQLITE_TRANSIENT);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_non_null(
        strstr((const char *)sqlite3_column_text(st, 0), "依据[ＧＢ]／[Ｔ]　１９５８０"));
    sqlite3_finalize(st);
    free(q);

    /* Unknown tokenizer argument is an error, not silently ignored. */
    assert_int_not_equal(sqlite3_exec(db, "CREATE VIRTUAL TABLE e USING fts5(b, tokenize='nqi x')",
                                      NULL, NULL, NULL),
                         SQLITE_OK);
    /* Invalid UTF-8 in a document does not break indexing. */
    insert(db, "d", 4, "质量\xFF\xFE标准");
    got = match_raw(db, "d", "\"标准\" AND \"质量\"");
    assert_string_equal(got, "1,2,4");
    free(got);
    got = match_raw(db, "d", "\"量标\""); /* no bigram across the bad bytes */
    assert_string_equal(got, "");
    free(got);
    sqlite3_close(db);
}

static void test_fts5_pretokenized(void **state)
{
    /* The same text_tokens string the PostgreSQL backend stores. */
    sqlite3 *db = open_db();
    const char *rows[] = {ROW1, ROW2, ROW3};
    exec(db, "CREATE VIRTUAL TABLE p USING fts5(body, tokenize='nqi pretokenized')");
    for (int i = 0; i < 3; i++) {
        char *t = tokens_str(rows[i]);
        insert(db, "p", i + 1, t);
        free(t);
    }
    check_common_queries(db, "p");
    sqlite3_close(db);
}

static void test_fts5_pinyin(void **state)
{
    static const char *rows[] = {
        "质量管理体系要求",          /* 1 */
        "質量管理規範",              /* 2 Traditional */
        "质量 管理",                 /* 3 not contiguous: no liangguan */
        "Quality management system", /* 4 */
        "Diane report",              /* 5 */
        "电网调度",                  /* 6 dianwang */
        "made in china",             /* 7 */
        "GB/T 19580 卓越绩效",       /* 8 */
    };
    for (int mode = 0; mode < 2; mode++) {
        sqlite3 *db = open_db();
        exec(db, mode ? "CREATE VIRTUAL TABLE y USING fts5(body, tokenize='nqi pretokenized')"
                      : "CREATE VIRTUAL TABLE y USING fts5(body, tokenize='nqi')");
        for (int i = 0; i < (int)(sizeof rows / sizeof rows[0]); i++) {
            char *t = mode ? tokens_str(rows[i]) : NULL;
            insert(db, "y", i + 1, mode ? t : rows[i]);
            free(t);
        }
        assert_finds(db, "y", "zhiliangguanli", "1,2");
        assert_finds(db, "y", "ZHILIANGGUANLI", "1,2");
        assert_finds(db, "y", "zhilianggu", "1,2"); /* still typing */
        assert_finds(db, "y", "zhiliangguanlitixi", "1");
        assert_finds(db, "y", "zhiliang", "1,2,3");
        assert_finds(db, "y", "guanli", "1,2,3");
        assert_finds(db, "y", "zhiliangguanli 2", ""); /* ANDed with other words */
        assert_finds(db, "y", "zhiliangguanli guifan", "2");
        assert_finds(db, "y", "manage", "4");
        assert_finds(db, "y", "management", "4");
        assert_finds(db, "y", "dian", "5,6");
        assert_finds(db, "y", "china", "7");
        assert_finds(db, "y", "gb", "8");
        assert_finds(db, "y", "19580", "8");
        assert_finds(db, "y", "zhuoyuejixiao", "8");
        sqlite3_close(db);
    }
}

/* ---- ruby and chrome ---- */

static char *strip(const char *s, size_t *n)
{
    buf b;
    buf_init(&b, 0);
    assert_int_equal(text_strip_ruby(s, strlen(s), &b, n), 0);
    return buf_steal(&b);
}

static void assert_strip(const char *in, const char *want, size_t nwant)
{
    size_t n = 99;
    char *got = strip(in, &n);
    assert_string_equal(got, want);
    assert_int_equal(n, nwant);
    free(got);
}

static void test_ruby_rules(void **state)
{
    assert_strip("質(zhì)量", "質量", 1);
    assert_strip("標(biāo)準(zhǔn)化", "標準化", 2);
    assert_strip("質（zhì）量", "質量", 1); /* full-width parens */
    assert_strip("質(zhi)量", "質量", 1);   /* plain = own reading */
    assert_strip("條款(a)", "條款(a)", 0);  /* plain, not its reading */
    assert_strip("中國質量(杭州)大會", "中國質量(杭州)大會", 0);
    assert_strip("本報訊 (記者 徐東周)為", "本報訊 (記者 徐東周)為", 0);
    assert_strip("市(州)、縣", "市(州)、縣", 0);
    assert_strip("中國(China)", "中國(China)", 0); /* not a syllable */
    assert_strip("abc(zhì)", "abc(zhì)", 0);       /* not after CJK */
    assert_strip("質(zhì", "質(zhì", 0);           /* unclosed */
    assert_strip("區(qū)縣(自治縣、高新區(qū))", "區縣(自治縣、高新區)", 2);
}

static int count_substr(const char *s, const char *sub)
{
    int n = 0;
    for (const char *p = s; (p = strstr(p, sub)); p += strlen(sub))
        n++;
    return n;
}

static void test_ruby_seeds(void **state)
{
    char *text[8];
    size_t len[8], total = 0;
    int n = load_seeds(text, len, 8);
    if (!n)
        skip();
    assert_int_equal(n, 5);
    for (int i = 0; i < n; i++) {
        buf b, again;
        size_t removed, left;
        buf_init(&b, 0);
        buf_init(&again, 0);
        assert_int_equal(text_strip_ruby(text[i], len[i], &b, &removed), 0);
        total += removed;
        /* Idempotent: nothing left to strip. */
        assert_int_equal(text_strip_ruby(b.data, b.len, &again, &left), 0);
        assert_int_equal(left, 0);
        assert_null(strstr(b.data, "(zhì)"));
        /* Each parenthesis the stripper kept is a genuine one. */
        assert_int_equal(count_substr(b.data, "("), count_substr(text[i], "(") - (int)removed);
        buf_free(&b);
        buf_free(&again);
    }
    /* DESIGN.md's figure, confirmed by counting "(<pinyin>)" after a CJK
     * character in the five files (187+0+366+235+259). */
    assert_int_equal(total, 1047);
    free_seeds(text, n);
}

static char *clean_seed(char **text, size_t *len, int n, const char *needle)
{
    for (int i = 0; i < n; i++)
        if (strstr(text[i], needle)) {
            buf b;
            buf_init(&b, 0);
            assert_int_equal(text_clean_web(text[i], len[i], &b), 0);
            return buf_steal(&b);
        }
    fail_msg("no seed contains %s", needle);
    return NULL;
}

static void test_clean_web_seeds(void **state)
{
    char *text[8], *c;
    size_t len[8];
    int n = load_seeds(text, len, 8);
    if (!n)
        skip();

    /* 000: Traditional, ruby, location bar at the end. */
    c = clean_seed(text, len, n, "徐東周");
    assert_non_null(strstr(c, "本報訊 (記者 徐東周)為深入學習貫徹"));
    assert_non_null(strstr(c, "中國質量(杭州)大會"));
    assert_non_null(strstr(c, "《中國質量報》\n"));
    assert_null(strstr(c, "位置"));
    assert_null(strstr(c, "(zh"));
    assert_int_equal(strncmp(c, "河北召開深化質量強省和標準化戰略實施暨知識產權保護大會\n", 81), 0);
    free(c);

    /* 001: Simplified, menu block, metadata and pager. */
    c = clean_seed(text, len, n, "宋方义");
    assert_null(strstr(c, "您现在的位置"));
    assert_null(strstr(c, "咨询服务"));
    assert_null(strstr(c, "标准查询"));
    assert_null(strstr(c, "联系我们"));
    assert_null(strstr(c, "文章来源"));
    assert_null(strstr(c, "共1页"));
    assert_null(strstr(c, "\n\n\n"));
    assert_int_equal(strncmp(c, "河北省召开推进质量强省和标准化战略大会\n", 58), 0);
    assert_non_null(strstr(c, "县(市、区)党委"));
    assert_non_null(strstr(c, "《中国质量报》\n"));
    free(c);

    /* 003: share bar, recommended and related-news lists. */
    c = clean_seed(text, len, n, "付兆颯");
    assert_null(strstr(c, "相關"));
    assert_null(strstr(c, "推薦閱讀"));
    assert_null(strstr(c, "分享"));
    assert_null(strstr(c, "\n- "));
    assert_null(strstr(c, "許昆林"));
    assert_non_null(strstr(c, "人民網石家莊12月22日電 (付兆颯)重點區域"));
    assert_non_null(strstr(c, "輻射延展上下游配套企業"));
    free(c);

    /* 004: genuine parentheses kept, stray "?" line dropped. */
    c = clean_seed(text, len, n, "秦 榮");
    assert_non_null(strstr(c, "市(州)、縣政府"));
    assert_non_null(strstr(c, "亞洲硅業(青海)有限公司"));
    assert_int_equal(c[strlen(c) - 1], '\n');
    assert_null(strstr(c, "?"));
    free(c);

    /* 002: no chrome at all; only ruby goes. */
    c = clean_seed(text, len, n, "熊鴻");
    assert_non_null(strstr(c, "(自治縣、高新區及大龍開發區)"));
    assert_non_null(strstr(c, "(征求意見稿)"));
    free(c);
    free_seeds(text, n);
}

/* ---- robustness ---- */

static void test_random_bytes(void **state)
{
    /* Cheap in-process fuzzing (the real target is tests/fuzz/fuzz_text.c):
     * random bytes biased towards UTF-8 lead/continuation bytes. */
    static const unsigned char pool[] = {'a',  'Z',  '0',  ' ',  '(',  ')',  '\n', '-',
                                         0x80, 0xBF, 0xC2, 0xE3, 0xE8, 0xED, 0xEF, 0xF0,
                                         0xF4, 0xFF, 0x88, 0xA0, 0xB4, 0xA8};
    unsigned seed = 12345;
    sqlite3 *db = open_db();
    exec(db, "CREATE VIRTUAL TABLE r USING fts5(body, tokenize='nqi')");
    for (int iter = 0; iter < 3000; iter++) {
        unsigned char in[64];
        size_t n = (size_t)(iter % 64);
        buf b;
        for (size_t i = 0; i < n; i++) {
            seed = seed * 1103515245u + 12345u;
            in[i] = pool[(seed >> 16) % sizeof pool];
        }
        buf_init(&b, 0);
        int r1 = text_fold((const char *)in, n, &b);
        assert_true(r1 == 0 || r1 == NQI_EINVAL);
        text_tokens((const char *)in, n, &b);
        text_query((const char *)in, n, &b);
        text_query_tsquery((const char *)in, n, &b);
        text_clean_web((const char *)in, n, &b);
        buf_free(&b);
        sqlite3_stmt *st;
        assert_int_equal(sqlite3_prepare_v2(db, "INSERT INTO r(body) VALUES (?1)", -1, &st, NULL),
                         SQLITE_OK);
        sqlite3_bind_text(st, 1, (const char *)in, (int)n, SQLITE_TRANSIENT);
        assert_int_equal(sqlite3_step(st), SQLITE_DONE);
        sqlite3_finalize(st);
    }
    sqlite3_close(db);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fold_width_and_case),
        cmocka_unit_test(test_fold_appends_and_keeps_prefix),
        cmocka_unit_test(test_fold_invalid_utf8),
        cmocka_unit_test(test_empty_input),
        cmocka_unit_test(test_fold_seeds_idempotent),
        cmocka_unit_test(test_long_input),
        cmocka_unit_test(test_pinyin),
        cmocka_unit_test(test_tokens_format),
        cmocka_unit_test(test_query_format),
        cmocka_unit_test(test_query_pinyin),
        cmocka_unit_test(test_fts5_pinyin),
        cmocka_unit_test(test_fts5_tokenizer),
        cmocka_unit_test(test_fts5_pretokenized),
        cmocka_unit_test(test_ruby_rules),
        cmocka_unit_test(test_ruby_seeds),
        cmocka_unit_test(test_clean_web_seeds),
        cmocka_unit_test(test_random_bytes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
