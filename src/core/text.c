/*
 * text.c — folding, pinyin, the tokenizer scan, and search queries.
 * Tables come from build/gen/text_tables.c (scripts/gen_text_tables.c).
 * FTS5 glue is in text_fts.c, web-text cleaning in text_clean.c.
 */
#include "core/text.h"

#include <string.h>

#include "core/err.h"
#include "text_tables.h"

/* Restore a buf to an earlier length after a failed append sequence. */
static void buf_restore(buf *b, size_t old)
{
    b->len = old;
    if (b->data)
        b->data[old] = 0;
}

static inline size_t utf8_next(const unsigned char *p, size_t n, uint32_t *cp)
{
    unsigned c = p[0];
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    if (c < 0xC2 || c > 0xF4)
        return 0; /* continuation byte, overlong 2-byte lead, > U+10FFFF */
    if (c < 0xE0) {
        if (n < 2 || (p[1] & 0xC0) != 0x80)
            return 0;
        *cp = ((uint32_t)(c & 0x1F) << 6) | (p[1] & 0x3F);
        return 2;
    }
    if (c < 0xF0) {
        if (n < 3 || (p[1] & 0xC0) != 0x80 || (p[2] & 0xC0) != 0x80)
            return 0;
        if ((c == 0xE0 && p[1] < 0xA0) || (c == 0xED && p[1] > 0x9F))
            return 0; /* overlong, or UTF-16 surrogate */
        *cp = ((uint32_t)(c & 0x0F) << 12) | ((uint32_t)(p[1] & 0x3F) << 6) | (p[2] & 0x3F);
        return 3;
    }
    if (n < 4 || (p[1] & 0xC0) != 0x80 || (p[2] & 0xC0) != 0x80 || (p[3] & 0xC0) != 0x80)
        return 0;
    if ((c == 0xF0 && p[1] < 0x90) || (c == 0xF4 && p[1] > 0x8F))
        return 0; /* overlong, or > U+10FFFF */
    *cp = ((uint32_t)(c & 0x07) << 18) | ((uint32_t)(p[1] & 0x3F) << 12) |
          ((uint32_t)(p[2] & 0x3F) << 6) | (p[3] & 0x3F);
    return 4;
}

size_t text_utf8_next(const unsigned char *p, size_t n, uint32_t *cp)
{
    return utf8_next(p, n, cp);
}

/* Encode cp (valid scalar value) at p; returns the byte count. */
static size_t utf8_put(unsigned char *p, uint32_t cp)
{
    if (cp < 0x80) {
        p[0] = (unsigned char)cp;
        return 1;
    }
    if (cp < 0x800) {
        p[0] = (unsigned char)(0xC0 | (cp >> 6));
        p[1] = (unsigned char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        p[0] = (unsigned char)(0xE0 | (cp >> 12));
        p[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
        p[2] = (unsigned char)(0x80 | (cp & 0x3F));
        return 3;
    }
    p[0] = (unsigned char)(0xF0 | (cp >> 18));
    p[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
    p[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
    p[3] = (unsigned char)(0x80 | (cp & 0x3F));
    return 4;
}

static inline uint32_t fold_cp(uint32_t cp)
{
    uint32_t t = text_fold_pages[text_fold_idx[cp >> 8]][cp & 0xFF];
    return t ? t : cp;
}

uint32_t text_fold_cp(uint32_t cp)
{
    return cp < 0x110000 ? fold_cp(cp) : cp;
}

int text_pinyin(uint32_t cp, const char **out)
{
    unsigned id = cp < 0x110000 ? text_py_pages[text_py_idx[cp >> 8]][cp & 0xFF] : 0;
    *out = id ? text_py_syl[id] : NULL;
    return id ? 0 : NQI_ENOTFOUND;
}

int text_pinyin_is_syllable(const char *s, size_t n)
{
    unsigned lo = 1, hi = text_py_nsyl; /* ids 1..n, sorted */
    while (lo <= hi) {
        unsigned mid = lo + (hi - lo) / 2;
        const char *t = text_py_syl[mid];
        int c = strncmp(t, s, n);
        if (c == 0)
            c = t[n] ? 1 : 0;
        if (c == 0)
            return 1;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid - 1;
    }
    return 0;
}

int text_is_cjk(uint32_t cp)
{
    return (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF) ||
           (cp >= 0x20000 && cp <= 0x323AF) || (cp >= 0xF900 && cp <= 0xFAFF) || cp == 0x3007;
}

/* ---- text_fold ---- */

/* Folding never lengthens the UTF-8 (gen_text_tables guarantees it), so we
 * copy the input into out and fold it in place: the write cursor never
 * passes the read cursor. */
int text_fold(const char *in, size_t len, buf *out)
{
    size_t old = out->len, r = 0, w = 0;
    unsigned char *p;
    if (buf_append(out, len ? in : "", len))
        return NQI_ETOOBIG;
    p = (unsigned char *)out->data + old;
    while (r < len) {
        uint32_t cp, f;
        size_t k;
        while (r < len && p[r] < 0x80) {
            unsigned char c = p[r++];
            p[w++] = (unsigned char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
        }
        if (r >= len)
            break;
        k = utf8_next(p + r, len - r, &cp);
        if (!k) {
            buf_restore(out, old);
            return NQI_EINVAL;
        }
        f = fold_cp(cp);
        if (f != cp) {
            w += utf8_put(p + w, f);
        } else if (w == r) {
            w += k; /* unchanged and nothing shifted yet: no copy */
        } else {
            for (size_t j = 0; j < k; j++)
                p[w + j] = p[r + j];
            w += k;
        }
        r += k;
    }
    buf_restore(out, old + w);
    return 0;
}

/* ---- the scan: fold + tokens in one pass, offsets into the input ---- */

typedef struct scan {
    int flags;
    text_emit_fn emit;
    void *ctx;
    char word[TEXT_WORD_MAX];
    size_t wlen, wstart, wend;
    int wclass;    /* 1 letters, 2 digits */
    uint32_t prev; /* last CJK char of the current run */
    size_t pstart, pend;
    size_t run; /* CJK run length so far */
} scan;

static int flush_word(scan *s)
{
    int rc = 0;
    if (s->wlen)
        rc = s->emit(s->ctx, TEXT_TOK_WORD, 0, s->word, s->wlen, s->wstart, s->wend);
    s->wlen = 0;
    return rc;
}

/* Emit the pinyin of a 1- or 2-char CJK token as a colocated synonym. */
static int emit_pinyin(scan *s, uint32_t a, uint32_t b, size_t start, size_t end)
{
    const char *pa, *pb = "";
    char tok[32];
    size_t na, nb;
    if (s->flags & TEXT_SCAN_QUERY)
        return 0;
    if (text_pinyin(a, &pa) || (b && text_pinyin(b, &pb)))
        return 0;
    na = strlen(pa);
    nb = strlen(pb);
    if (na + nb > sizeof tok)
        return 0;
    memcpy(tok, pa, na);
    memcpy(tok + na, pb, nb);
    return s->emit(s->ctx, TEXT_TOK_PINYIN, 1, tok, na + nb, start, end);
}

static int flush_run(scan *s)
{
    unsigned char tok[4];
    size_t n;
    int rc = 0;
    if (s->run == 1 || (s->run > 1 && !(s->flags & TEXT_SCAN_QUERY))) {
        int kind = s->run == 1 ? TEXT_TOK_UNIGRAM : TEXT_TOK_TAIL;
        n = utf8_put(tok, s->prev);
        rc = s->emit(s->ctx, kind, kind == TEXT_TOK_TAIL, (const char *)tok, n, s->pstart, s->pend);
        if (!rc)
            rc = emit_pinyin(s, s->prev, 0, s->pstart, s->pend);
    }
    s->run = 0;
    return rc;
}

static int scan_cp(scan *s, uint32_t c, size_t start, size_t end)
{
    int rc = 0;
    int cls = (c >= 'a' && c <= 'z') ? 1 : (c >= '0' && c <= '9') ? 2 : 0;
    if (cls) {
        if (s->run && (rc = flush_run(s)))
            return rc;
        if (s->wlen && s->wclass != cls && (rc = flush_word(s)))
            return rc;
        if (!s->wlen) {
            s->wstart = start;
            s->wclass = cls;
        }
        if (s->wlen < sizeof s->word)
            s->word[s->wlen++] = (char)c;
        s->wend = end;
        return 0;
    }
    if ((rc = flush_word(s)))
        return rc;
    if (!text_is_cjk(c))
        return flush_run(s);
    if (s->run) {
        unsigned char tok[8];
        size_t n = utf8_put(tok, s->prev);
        n += utf8_put(tok + n, c);
        rc = s->emit(s->ctx, TEXT_TOK_BIGRAM, 0, (const char *)tok, n, s->pstart, end);
        if (!rc)
            rc = emit_pinyin(s, s->prev, c, s->pstart, end);
        if (rc)
            return rc;
    }
    s->prev = c;
    s->pstart = start;
    s->pend = end;
    s->run++;
    return 0;
}

int text_scan(const char *in, size_t len, int flags, text_emit_fn emit, void *ctx)
{
    const unsigned char *p = (const unsigned char *)in;
    size_t i = 0;
    int rc = 0;
    scan s;
    memset(&s, 0, sizeof s);
    s.flags = flags;
    s.emit = emit;
    s.ctx = ctx;
    while (i < len && !rc) {
        uint32_t cp;
        size_t k = utf8_next(p + i, len - i, &cp);
        if (!k) {
            if (!(flags & TEXT_SCAN_LENIENT))
                return NQI_EINVAL;
            rc = scan_cp(&s, ' ', i, i + 1); /* a separator */
            i++;
            continue;
        }
        rc = scan_cp(&s, fold_cp(cp), i, i + k);
        i += k;
    }
    if (!rc)
        rc = flush_word(&s);
    if (!rc)
        rc = flush_run(&s);
    return rc;
}

/* ---- text_tokens ---- */

typedef struct tokens_ctx {
    buf *b;
    size_t start; /* where this call's output begins */
} tokens_ctx;

static int tokens_emit(void *ctx, int kind, int colocated, const char *tok, size_t n, size_t start,
                       size_t end)
{
    tokens_ctx *t = ctx;
    char one[TEXT_WORD_MAX + 1];
    int first = t->b->len == t->start;
    if (n > TEXT_WORD_MAX) /* cannot happen: words are capped, CJK/pinyin short */
        return NQI_EINTERNAL;
    /* One append per token: " tok" (no leading space for the first). */
    one[0] = ' ';
    memcpy(one + 1, tok, n);
    return buf_append(t->b, first ? one + 1 : one, first ? n : n + 1) ? NQI_ETOOBIG : 0;
}

int text_tokens(const char *in, size_t len, buf *out)
{
    tokens_ctx t = {out, out->len};
    int rc = text_scan(len ? in : "", len, 0, tokens_emit, &t);
    if (rc)
        buf_restore(out, t.start);
    return rc;
}

/* ---- queries ---- */

typedef struct qterm {
    char tok[TEXT_WORD_MAX];
    size_t n;
    int kind;
} qterm;

typedef struct qstate {
    qterm t[TEXT_QUERY_MAX];
    int n;
    int truncated;
} qstate;

static int query_emit(void *ctx, int kind, int colocated, const char *tok, size_t n, size_t start,
                      size_t end)
{
    qstate *q = ctx;
    for (int i = 0; i < q->n; i++)
        if (q->t[i].n == n && !memcmp(q->t[i].tok, tok, n)) {
            /* A repeat; keep the later position for the "last word" rule. */
            qterm dup = q->t[i];
            memmove(&q->t[i], &q->t[i + 1], (size_t)(q->n - i - 1) * sizeof dup);
            q->t[q->n - 1] = dup;
            return 0;
        }
    if (q->n == TEXT_QUERY_MAX) {
        q->truncated = 1;
        return 0;
    }
    memcpy(q->t[q->n].tok, tok, n);
    q->t[q->n].n = n;
    q->t[q->n].kind = kind;
    q->n++;
    return 0;
}

/* Parse a query into terms; returns NQI_EINVAL when there is nothing to
 * search for. Prefix rules are in query_write(). */
static int query_terms(const char *in, size_t len, qstate *q)
{
    int rc;
    memset(q, 0, sizeof *q);
    if (!in || !len)
        return NQI_EINVAL;
    rc = text_scan(in, len, TEXT_SCAN_QUERY, query_emit, q);
    if (rc)
        return rc;
    return q->n ? 0 : NQI_EINVAL;
}

/* ---- pinyin words in queries ---- */

#define PY_SYL_MAX 6 /* longest syllable: "zhuang" */

/* Syllables usable for segmentation: known, and containing a vowel (the
 * consonant-only interjections m, n, hm, ng, hng would split "gn"-like
 * English into nonsense). */
static int seg_syllable(const char *s, size_t n)
{
    int vowel = 0;
    for (size_t i = 0; i < n; i++)
        vowel |=
            s[i] == 'a' || s[i] == 'e' || s[i] == 'i' || s[i] == 'o' || s[i] == 'u' || s[i] == 'v';
    return vowel && text_pinyin_is_syllable(s, n);
}

/* Segment w[0..n) ([a-z]) into pinyin syllables: fewest syllables, ties
 * broken by the longer syllable first (dynamic programming from the end).
 * "xian" -> xian (not xi an), "fangan" -> fang an. Fills cut[0..k] with
 * syllable boundaries (cut[0] = 0, cut[k] = n) and returns k, or 0 when
 * the word does not segment completely. */
static int pinyin_segment(const char *w, size_t n, unsigned char cut[TEXT_WORD_MAX + 1])
{
    unsigned char cnt[TEXT_WORD_MAX + 1], len[TEXT_WORD_MAX + 1];
    int k = 0;
    if (!n || n > TEXT_WORD_MAX)
        return 0;
    cnt[n] = 0;
    for (size_t i = n; i-- > 0;) {
        cnt[i] = 0xFF;
        for (size_t l = PY_SYL_MAX; l >= 1; l--) {
            if (i + l > n || cnt[i + l] == 0xFF || !seg_syllable(w + i, l))
                continue;
            if (cnt[i + l] + 1 < cnt[i]) { /* strict: the longer l wins ties */
                cnt[i] = (unsigned char)(cnt[i + l] + 1);
                len[i] = (unsigned char)l;
            }
        }
    }
    if (cnt[0] == 0xFF)
        return 0;
    cut[0] = 0;
    for (size_t i = 0; i < n; i += len[i])
        cut[++k] = (unsigned char)(i + len[i]);
    return k;
}

/* The known syllables that start with s[0..n) (a syllable), s itself
 * first, for the type-ahead expansion of a last syllable: "gu" -> gu gua
 * guai guan guang gui gun guo. Stores up to 64 static strings in out (may
 * be NULL) and returns the count. */
static int syllable_extensions(const char *s, size_t n, const char **out)
{
    int c = 1; /* out[0] = s's own table entry */
    for (unsigned i = 1; i <= text_py_nsyl && c < 64; i++) {
        const char *t = text_py_syl[i];
        if (strncmp(t, s, n) || !seg_syllable(t, strlen(t)))
            continue;
        if (!t[n]) {
            if (out)
                out[0] = t;
        } else {
            if (out)
                out[c] = t;
            c++;
        }
    }
    return c;
}

/* A syllable pinyin writes after an apostrophe (xi'an): starts with a vowel. */
static int vowel_initial(char c)
{
    return c == 'a' || c == 'e' || c == 'o';
}

/* Output syntax of the two query languages. */
typedef struct qsyn {
    const char *and_, *or_, *q, *prefix_end; /* " AND ", " OR ", "\"", "\"*" */
} qsyn;

static const qsyn SYN_FTS5 = {" AND ", " OR ", "\"", "\"*"};
static const qsyn SYN_TSQ = {" & ", " | ", "'", "':*"};

static int put_term(buf *out, const qsyn *y, const char *t, size_t n, int prefix)
{
    int bad = buf_append(out, y->q, strlen(y->q));
    bad |= buf_append(out, t, n); /* [a-z0-9] or CJK: never a quote */
    bad |= prefix ? buf_append(out, y->prefix_end, strlen(y->prefix_end))
                  : buf_append(out, y->q, strlen(y->q));
    return bad;
}

/* Write the query. Pinyin words (see text.h) expand into several terms;
 * every written term counts against TEXT_QUERY_MAX. */
static int query_write(const qstate *q, const qsyn *y, buf *out)
{
    int used = 0, bad = 0;
    /* FTS5 and tsquery both bind AND tighter than OR; groups are parenthesised. */
    for (int i = 0; i < q->n && !bad; i++) {
        const qterm *t = &q->t[i];
        int last = i == q->n - 1 && !q->truncated, prefix = 0, k = 0;
        unsigned char cut[TEXT_WORD_MAX + 1];
        if (used == TEXT_QUERY_MAX)
            break;
        if (t->kind == TEXT_TOK_WORD && t->tok[0] >= 'a')
            k = pinyin_segment(t->tok, t->n, cut);
        if (i)
            bad |= buf_append(out, y->and_, strlen(y->and_));
        if (k == 2 && !(last && vowel_initial(t->tok[cut[1]]))) {
            /* Two syllables: exactly the bigram pinyin token. */
            bad |= put_term(out, y, t->tok, t->n, 0);
            used++;
        } else if (k >= 3 && used + k <= TEXT_QUERY_MAX) {
            /* Overlapping two-syllable tokens ANDed, OR the word itself
             * (prefix when last: a superset of today's result). */
            bad |= buf_append(out, "((", 2);
            int ext =
                last ? syllable_extensions(t->tok + cut[k - 1], cut[k] - cut[k - 1], NULL) : 1;
            if (used + k - 1 + ext > TEXT_QUERY_MAX)
                ext = 1; /* no room: the last pair exact */
            for (int j = 0; j + 2 < k; j++) {
                bad |= put_term(out, y, t->tok + cut[j], (size_t)(cut[j + 2] - cut[j]), 0);
                bad |= buf_append(out, y->and_, strlen(y->and_));
            }
            if (ext == 1) {
                bad |= put_term(out, y, t->tok + cut[k - 2], (size_t)(cut[k] - cut[k - 2]), 0);
            } else {
                /* Still typing: the last syllable or any syllable it starts
                 * (gu -> gu, gua, guai, guan, ...), each as an exact pair. */
                const char *ext_syl[64];
                char pair[2 * PY_SYL_MAX];
                size_t n1 = cut[k - 1] - cut[k - 2];
                syllable_extensions(t->tok + cut[k - 1], cut[k] - cut[k - 1], ext_syl);
                memcpy(pair, t->tok + cut[k - 2], n1);
                bad |= buf_append(out, "(", 1);
                for (int e = 0; e < ext; e++) {
                    size_t n2 = strlen(ext_syl[e]);
                    if (e)
                        bad |= buf_append(out, y->or_, strlen(y->or_));
                    memcpy(pair + n1, ext_syl[e], n2);
                    bad |= put_term(out, y, pair, n1 + n2, 0);
                }
                bad |= buf_append(out, ")", 1);
            }
            bad |= buf_append(out, ")", 1);
            bad |= buf_append(out, y->or_, strlen(y->or_));
            bad |= put_term(out, y, t->tok, t->n, last);
            bad |= buf_append(out, ")", 1);
            used += k - 1 + ext;
        } else {
            /* Not pinyin (or one syllable, or a likely English word, or
             * too many terms): as before, prefix when last. */
            prefix = t->kind == TEXT_TOK_UNIGRAM || (t->kind == TEXT_TOK_WORD && last);
            bad |= put_term(out, y, t->tok, t->n, prefix);
            used++;
        }
    }
    return bad;
}

int text_query(const char *in, size_t len, buf *out)
{
    size_t old = out->len;
    qstate q;
    int rc = query_terms(in, len, &q);
    if (rc)
        return rc;
    if (query_write(&q, &SYN_FTS5, out)) {
        buf_restore(out, old);
        return NQI_ETOOBIG;
    }
    return 0;
}

int text_query_tsquery(const char *in, size_t len, buf *out)
{
    size_t old = out->len;
    qstate q;
    int rc = query_terms(in, len, &q);
    if (rc)
        return rc;
    if (query_write(&q, &SYN_TSQ, out)) {
        buf_restore(out, old);
        return NQI_ETOOBIG;
    }
    return 0;
}
