/*
 * text.h — Chinese text for search: folding, tokens, FTS5 tokenizer, and
 * cleaning of imported web text. See docs/modules/text.md.
 *
 * Ownership: every function reads (in, len) — a byte slice, not required to
 * be NUL-terminated, never modified or retained — and APPENDS its result to
 * the caller's buf (which the caller initialised and later frees). On error
 * nothing is appended (out->len is restored). Strings returned through
 * `const char **` point into static tables: never free them.
 *
 * Errors: NQI_EINVAL for invalid UTF-8 (or, for text_query, a query with no
 * searchable token); NQI_ETOOBIG when out's limit would be exceeded;
 * NQI_EDB from text_fts5_register.
 *
 * Folding (text_fold): per code point, one code point to one code point:
 *   Traditional -> Simplified (OpenCC TSCharacters, first candidate),
 *   full-width ASCII U+FF01-FF5E -> ASCII, U+3000/U+00A0/U+2000-200A -> ' ',
 *   ASCII upper -> lower. "ＧＢ／Ｔ　１９５８０" -> "gb/t 19580".
 *   The folded text is never longer (in bytes) than the input.
 *
 * Token format (text_tokens, and what the `nqi` FTS5 tokenizer indexes):
 *   - CJK run of n >= 2 chars: n-1 overlapping bigrams, each followed by its
 *     pinyin (syllables concatenated: 质量 -> "zhiliang"), then the run's last
 *     character as a unigram with its pinyin (so every character starts some
 *     token and a one-character prefix query finds it);
 *   - a lone CJK char (n == 1): unigram + its pinyin;
 *   - ASCII words: maximal runs of [a-z] or of [0-9] after folding (letters
 *     and digits split: "gb19580" -> "gb 19580"); anything else separates,
 *     so "GB/T 19580-2012" -> "gb t 19580 2012";
 *   - tokens separated by one space. Pinyin is omitted for a CJK token when
 *     any of its characters has no Unihan reading. Words longer than
 *     TEXT_WORD_MAX bytes are cut at TEXT_WORD_MAX.
 *   Non-ASCII, non-CJK letters (Latin accents, kana, Greek...) separate.
 */
#ifndef NQI_TEXT_H
#define NQI_TEXT_H

#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

#include "core/util.h"

#define TEXT_WORD_MAX 64  /* bytes; longer ASCII words are truncated */
#define TEXT_QUERY_MAX 32 /* terms written to a query; further terms are ignored */

/* Fold for search (see above). Invalid UTF-8 -> NQI_EINVAL. */
int text_fold(const char *in, size_t len, buf *out);

/* Plain ASCII pinyin (first Unihan kMandarin reading, tones stripped,
 * ü written "v") of a code point: 0 and *out set, or NQI_ENOTFOUND and
 * *out = NULL. Works for Traditional and Simplified characters alike. */
int text_pinyin(uint32_t cp, const char **out);

/* 1 if s[0..n) (ASCII, lower case) is a known pinyin syllable ("zhi"). */
int text_pinyin_is_syllable(const char *s, size_t n);

/* 1 if cp is a CJK ideograph (the characters that form bigrams). */
int text_is_cjk(uint32_t cp);

/* Canonical pre-tokenized string, identical for SQLite and PostgreSQL
 * (store it in a tsvector with the `simple` configuration). Fold first,
 * then the token format above. Empty / token-free input appends nothing. */
int text_tokens(const char *in, size_t len, buf *out);

/* A user's search-box text -> FTS5 MATCH expression for a column indexed
 * with tokenize='nqi': every query token quoted and ANDed:
 *   "質量標準"        -> "质量" AND "量标" AND "标准"
 *   "质"              -> "质"*            (lone CJK char: prefix)
 *   "GB/T 1958"       -> "gb" AND "t" AND "1958"*  (last word: prefix)
 *   "zhiliang"        -> "zhiliang"       (two pinyin syllables: exact)
 *   "zhiliangguanli"  -> (("zhiliang" AND "liangguan" AND ("guanli" OR
 *                        "guanlia" OR ... "guanliu")) OR "zhiliangguanli"*)
 * Pinyin words: an ASCII-letter word that segments completely into known
 * syllables (fewest syllables, ties to the longer first syllable: "xian"
 * is one syllable, "fangan" is fang+an; vowel-less m/n/hm/ng not used):
 *   1 syllable    -> as any word (prefix when last);
 *   2 syllables   -> the exact token; but when last and the second
 *                    syllable starts with a/e/o (pinyin's apostrophe case,
 *                    likely English: "change") -> prefix as before;
 *   n > 2         -> the n-1 overlapping two-syllable tokens ANDed, OR the
 *                    word itself (prefix when last, so a superset of the old
 *                    result); when last, the final pair is expanded to every
 *                    syllable starting with the typed one (gu -> gu, gua,
 *                    guai, guan, ...) as exact terms ORed (type-ahead without
 *                    FTS5's slow prefix merge), unless that exceeds the budget.
 * Words that do not segment ("gb", "quality", "19580") are unchanged.
 * No pinyin or trailing unigrams are generated for the query (they are
 * only in the index). At most TEXT_QUERY_MAX terms in the output (every
 * written term counts; a pinyin word that does not fit falls back to one
 * term). Empty, invalid UTF-8, or no searchable token -> NQI_EINVAL. */
int text_query(const char *in, size_t len, buf *out);

/* The same query as a PostgreSQL to_tsquery('simple', ...) expression over
 * text_tokens output: '质量' & '量标' & 'gb':* , pinyin groups with | and
 * parentheses. Same rules and errors. */
int text_query_tsquery(const char *in, size_t len, buf *out);

/* Register the FTS5 tokenizer "nqi" on db (call on every connection).
 *   tokenize='nqi'              fold + token format above, with byte
 *                               offsets into the ORIGINAL text (highlight()
 *                               and snippet() work on the stored column);
 *                               pinyin and trailing unigrams are emitted as
 *                               FTS5_TOKEN_COLOCATED synonyms, so bigram
 *                               positions stay consecutive and phrase
 *                               queries ("质量标准") work. Invalid UTF-8
 *                               bytes are treated as separators.
 *   tokenize='nqi pretokenized' for a column that already holds
 *                               text_tokens output: documents are split on
 *                               spaces only, each token indexed as is.
 * In both modes query strings are folded and tokenized without synonyms, so
 * text_query output works against either. 0 or NQI_EDB. */
int text_fts5_register(sqlite3 *db);

/* Remove inline pinyin ruby: a '(' or '（' immediately after a CJK char,
 * holding one pinyin syllable, closed by ')' or '）' — "質(zhì)量" -> "質量".
 * A syllable with tone marks must be a known syllable; a plain ASCII one
 * must equal the preceding character's reading (so "条款(a)" survives).
 * Genuine parentheses ("(記者 徐東周)", "中國質量(杭州)大會") are kept.
 * *nremoved (may be NULL) receives the number of annotations removed. */
int text_strip_ruby(const char *in, size_t len, buf *out, size_t *nremoved);

/* Clean imported web news text: text_strip_ruby, then drop page chrome
 * lines (location bars "您当前位置"/"您现在的位置", "相关新闻"/"推荐阅读"
 * headings and the "- " link lists under them, "· " menu items, short
 * indented menu lines, pagers "共1页", "分享让更多人看到", "文章来源:..."
 * metadata, punctuation-only lines), trim trailing blanks, collapse blank
 * lines. Matching is done on folded text, so Traditional and Simplified
 * chrome are both recognised; the output keeps the original characters. */
int text_clean_web(const char *in, size_t len, buf *out);

/* ---- Low level, shared by text.c, text_fts.c, text_clean.c and tests ---- */

/* Decode one UTF-8 code point from p[0..n): returns its byte length (1-4)
 * and sets *cp, or 0 for an invalid/truncated/overlong/surrogate sequence. */
size_t text_utf8_next(const unsigned char *p, size_t n, uint32_t *cp);

/* The folded form of one code point (identity when no rule applies). */
uint32_t text_fold_cp(uint32_t cp);

/* Token kinds passed to a text_scan callback. */
enum {
    TEXT_TOK_WORD = 1,    /* ASCII word ([a-z]+ or [0-9]+) */
    TEXT_TOK_BIGRAM = 2,  /* two CJK chars */
    TEXT_TOK_UNIGRAM = 3, /* a lone CJK char (run of one) */
    TEXT_TOK_TAIL = 4,    /* last char of a CJK run >= 2 (document only) */
    TEXT_TOK_PINYIN = 5   /* pinyin of the token before it (document only) */
};

/* Scan flags. */
enum {
    TEXT_SCAN_QUERY = 1,  /* no pinyin, no tail unigrams */
    TEXT_SCAN_LENIENT = 2 /* invalid UTF-8 bytes separate tokens, no error */
};

/* Called for each token: tok[0..n) is folded UTF-8 (not NUL-terminated),
 * [start, end) its byte range in the scanned input, colocated != 0 when it
 * shares the position of the token before (TAIL and PINYIN). A nonzero
 * return stops the scan and is returned by text_scan. */
typedef int (*text_emit_fn)(void *ctx, int kind, int colocated, const char *tok, size_t n,
                            size_t start, size_t end);

/* Fold and tokenize in[0..len) in one pass (the token format above),
 * calling emit per token. 0, NQI_EINVAL (invalid UTF-8 without
 * TEXT_SCAN_LENIENT), or the first nonzero emit return. */
int text_scan(const char *in, size_t len, int flags, text_emit_fn emit, void *ctx);

#endif
