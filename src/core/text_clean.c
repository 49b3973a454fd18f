/*
 * text_clean.c — cleaning of imported web news text: inline pinyin ruby
 * ("質(zhì)量") and page chrome (location bars, menus, related-news lists).
 * Rules were derived from the seed reports in ../shared/data/seeds/ and are
 * deliberately conservative: a line is dropped only when it matches a
 * chrome pattern, never for being short alone (except in the menu block
 * before the article body starts).
 */
#include "core/text.h"

#include <string.h>

#include "core/err.h"

/* ---- ruby ---- */

/* One pinyin letter (ASCII a-z or a tone-marked vowel) -> ASCII; sets
 * *tone for tone marks. 0 when cp is not a pinyin letter. Mirrors
 * strip_tone() in scripts/gen_text_tables.c. */
static char pinyin_letter(uint32_t cp, int *tone)
{
    if (cp >= 'a' && cp <= 'z')
        return (char)cp;
    *tone = 1;
    switch (cp) {
    case 0x101:
    case 0xE1:
    case 0x1CE:
    case 0xE0:
        return 'a';
    case 0x113:
    case 0xE9:
    case 0x11B:
    case 0xE8:
    case 0xEA:
        return 'e';
    case 0x12B:
    case 0xED:
    case 0x1D0:
    case 0xEC:
        return 'i';
    case 0x14D:
    case 0xF3:
    case 0x1D2:
    case 0xF2:
        return 'o';
    case 0x16B:
    case 0xFA:
    case 0x1D4:
    case 0xF9:
        return 'u';
    case 0xFC:
        *tone = 0;
        return 'v';
    case 0x1D6:
    case 0x1D8:
    case 0x1DA:
    case 0x1DC:
        return 'v';
    case 0x144:
    case 0x148:
    case 0x1F9:
        return 'n';
    case 0x1E3F:
        return 'm';
    default:
        return 0;
    }
}

/* If p[0..n) starts with a ruby annotation for the CJK char prev — "(" or
 * "（", one pinyin syllable, ")" or "）" — return its byte length, else 0. */
static size_t ruby_len(const unsigned char *p, size_t n, uint32_t prev)
{
    char ascii[8];
    size_t i, k, na = 0;
    uint32_t cp;
    int tone = 0;
    k = text_utf8_next(p, n, &cp);
    if (!k || (cp != '(' && cp != 0xFF08))
        return 0;
    for (i = k; i < n;) {
        char a;
        int t = 0;
        k = text_utf8_next(p + i, n - i, &cp);
        if (!k)
            return 0;
        i += k;
        if (cp == ')' || cp == 0xFF09)
            break;
        a = pinyin_letter(cp, &t);
        if (!a || na + 1 >= sizeof ascii)
            return 0;
        tone |= t;
        ascii[na++] = a;
    }
    if (!na || (cp != ')' && cp != 0xFF09))
        return 0;
    ascii[na] = 0;
    if (tone)
        return text_pinyin_is_syllable(ascii, na) ? i : 0;
    /* Plain ASCII: only when it is this character's own reading, so that
     * list markers like "条款(a)" are kept. */
    {
        const char *py;
        if (text_pinyin(prev, &py) || strcmp(py, ascii))
            return 0;
    }
    return i;
}

int text_strip_ruby(const char *in, size_t len, buf *out, size_t *nremoved)
{
    const unsigned char *p = (const unsigned char *)in;
    size_t old = out->len, i = 0, seg = 0, count = 0;
    uint32_t prev = 0;
    int bad = 0;
    if (nremoved)
        *nremoved = 0;
    if (!len)
        return buf_append(out, "", 0) ? NQI_ETOOBIG : 0;
    while (i < len) {
        uint32_t cp;
        size_t k = text_utf8_next(p + i, len - i, &cp), r;
        if (!k) {
            out->len = old;
            if (out->data)
                out->data[old] = 0;
            return NQI_EINVAL;
        }
        if ((cp == '(' || cp == 0xFF08) && text_is_cjk(prev) &&
            (r = ruby_len(p + i, len - i, prev))) {
            bad |= buf_append(out, p + seg, i - seg);
            i += r;
            seg = i;
            count++;
            continue; /* prev stays: "質(zhì)量" continues after 質 */
        }
        prev = cp;
        i += k;
    }
    bad |= buf_append(out, p + seg, len - seg);
    if (bad) {
        out->len = old;
        if (out->data)
            out->data[old] = 0;
        return NQI_ETOOBIG;
    }
    if (nremoved)
        *nremoved = count;
    return 0;
}

/* ---- page chrome ---- */

static int starts(const char *s, size_t n, const char *lit)
{
    size_t m = strlen(lit);
    return n >= m && !memcmp(s, lit, m);
}

static int contains(const char *s, size_t n, const char *lit)
{
    size_t m = strlen(lit);
    for (size_t i = 0; i + m <= n; i++)
        if (!memcmp(s + i, lit, m))
            return 1;
    return 0;
}

static int equals(const char *s, size_t n, const char *lit)
{
    return strlen(lit) == n && !memcmp(s, lit, n);
}

/* Facts about one folded, trimmed line. */
typedef struct line_info {
    const char *s; /* folded, leading/trailing spaces trimmed */
    size_t n;
    size_t ncp;   /* code points */
    int indented; /* the raw line began with white space */
    int has_word; /* any [a-z0-9] or CJK */
    int sentence; /* has sentence punctuation */
} line_info;

static void line_scan(const char *f, size_t n, line_info *li)
{
    const unsigned char *p;
    size_t i = 0;
    memset(li, 0, sizeof *li);
    li->indented = n && (f[0] == ' ' || f[0] == '\t');
    while (n && (f[0] == ' ' || f[0] == '\t')) {
        f++;
        n--;
    }
    while (n && (f[n - 1] == ' ' || f[n - 1] == '\t' || f[n - 1] == '\r'))
        n--;
    li->s = f;
    li->n = n;
    p = (const unsigned char *)f;
    while (i < n) {
        uint32_t cp;
        size_t k = text_utf8_next(p + i, n - i, &cp);
        if (!k)
            k = 1, cp = 0;
        i += k;
        li->ncp++;
        if ((cp >= 'a' && cp <= 'z') || (cp >= '0' && cp <= '9') || text_is_cjk(cp))
            li->has_word = 1;
        if (cp == 0x3002 || cp == 0xFF0C || cp == ',' || cp == 0xFF1B || cp == ';' ||
            cp == 0xFF01 || cp == '!' || cp == 0xFF1F || cp == '?')
            li->sentence = 1;
    }
}

/* "共3页" pager. */
static int is_pager(const line_info *li)
{
    size_t i = 3;
    if (!starts(li->s, li->n, "共"))
        return 0;
    while (i < li->n && li->s[i] >= '0' && li->s[i] <= '9')
        i++;
    return i > 3 && starts(li->s + i, li->n - i, "页");
}

static int is_list_heading(const line_info *li)
{
    static const char *const h[] = {"相关新闻", "推荐阅读", "相关阅读", "相关文章",
                                    "延伸阅读", "相关链接", "热点新闻", "猜你喜欢"};
    for (size_t i = 0; i < sizeof h / sizeof h[0]; i++)
        if (equals(li->s, li->n, h[i]))
            return 1;
    return 0;
}

static int is_bullet(const line_info *li)
{
    return starts(li->s, li->n, "-") || starts(li->s, li->n, "·") || starts(li->s, li->n, "•");
}

static int is_chrome_line(const line_info *li)
{
    static const char *const exact[] = {"分享让更多人看到", "分享到:",  "分享到：", "打印本页",
                                        "关闭窗口",         "返回顶部", "【打印】", "【关闭】"};
    if (contains(li->s, li->n, "您当前位置") || contains(li->s, li->n, "您现在的位置") ||
        contains(li->s, li->n, "当前位置:") || contains(li->s, li->n, "当前位置："))
        return 1;
    if (starts(li->s, li->n, "文章来源") || starts(li->s, li->n, "发布时间") || is_pager(li))
        return 1;
    if (starts(li->s, li->n, "上一篇") || starts(li->s, li->n, "下一篇"))
        return 1;
    for (size_t i = 0; i < sizeof exact / sizeof exact[0]; i++)
        if (equals(li->s, li->n, exact[i]))
            return 1;
    return li->n && !li->has_word; /* punctuation-only, e.g. a stray "?" */
}

/* Append raw line l[0..n) without trailing white space (ASCII, U+00A0,
 * U+3000) and a newline. */
static int put_line(buf *out, const char *l, size_t n)
{
    for (;;) {
        if (n && (l[n - 1] == ' ' || l[n - 1] == '\t' || l[n - 1] == '\r'))
            n--;
        else if (n >= 2 && (unsigned char)l[n - 2] == 0xC2 && (unsigned char)l[n - 1] == 0xA0)
            n -= 2;
        else if (n >= 3 && !memcmp(l + n - 3, "\xE3\x80\x80", 3))
            n -= 3;
        else
            break;
    }
    if (buf_append(out, l, n) || buf_append(out, "\n", 1))
        return NQI_ETOOBIG;
    return 0;
}

int text_clean_web(const char *in, size_t len, buf *out)
{
    size_t old = out->len, pos = 0;
    buf text, fl;
    int rc, in_list = 0, body = 0, blank_pending = 0, any = 0;
    buf_init(&text, 0);
    buf_init(&fl, 0);
    rc = text_strip_ruby(len ? in : "", len, &text, NULL);
    while (!rc && pos < text.len) {
        const char *l = text.data + pos;
        const char *nl = memchr(l, '\n', text.len - pos);
        size_t n = nl ? (size_t)(nl - l) : text.len - pos;
        line_info li;
        int drop;
        pos += n + 1;
        fl.len = 0;
        if ((rc = text_fold(l, n, &fl)))
            break;
        line_scan(fl.data, fl.len, &li);
        if (!li.n) { /* blank: keep one, but not at the start */
            blank_pending = any;
            continue;
        }
        if (!body && (li.ncp >= 40 || contains(li.s, li.n, "。")))
            body = 1;
        if (in_list && !is_bullet(&li))
            in_list = 0;
        drop = in_list || is_chrome_line(&li);
        if (is_list_heading(&li))
            drop = in_list = 1;
        /* Menu block before the article: "· 标准查询", " 联系我们". */
        if (!body && (starts(li.s, li.n, "·") || (li.indented && li.ncp <= 12 && !li.sentence)))
            drop = 1;
        if (drop)
            continue;
        if (blank_pending && (rc = buf_append(out, "\n", 1) ? NQI_ETOOBIG : 0))
            break;
        blank_pending = 0;
        any = 1;
        rc = put_line(out, l, n);
    }
    buf_free(&text);
    buf_free(&fl);
    if (rc) {
        out->len = old;
        if (out->data)
            out->data[old] = 0;
    } else if (!out->data) {
        rc = buf_append(out, "", 0) ? NQI_ETOOBIG : 0;
    }
    return rc;
}
