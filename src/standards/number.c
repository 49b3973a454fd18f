/*
 * number.c — see number.h and docs/modules/standards-number.md.
 *
 * The parser walks the input once with a cursor that decodes UTF-8 and folds
 * each code point on the fly (full-width -> ASCII, every dash -> '-', every
 * space -> ' ', lower -> upper), so messy input needs no copy and no
 * allocation. Each piece of the grammar is one function that either matches
 * and advances the cursor, leaves it where it was, or fails with a message.
 */
#include "standards/number.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* ---------------------------------------------------------------- tables */

enum {
    C_NOSUFFIX = 1,  /* takes no /T or /Z (JJF, JJG, TSG, CECS) */
    C_ENG = 2,       /* engineering-construction series */
    C_LETTERNUM = 4, /* number may start with a letter: JTG D60, TSG Z6001 */
    C_SLASHPART = 8, /* number may carry "/n": JTG F80/1-2017 */
    C_COLON = 16,    /* year printed after ':' (CECS 28:2012) */
    C_HEAD = 32      /* may head a composite code (NB/SH) */
};

typedef struct code_entry {
    const char *code;
    const char *name;
    unsigned char tier;   /* std_tier */
    unsigned char nature; /* nature when no suffix is written */
    unsigned char flags;
} code_entry;

/* clang-format off */
#define NAT(c, n) {c, n, STD_TIER_NATIONAL, STD_NATURE_MANDATORY, 0}
#define IND(c, n) {c, n, STD_TIER_INDUSTRY, STD_NATURE_MANDATORY, 0}

/* Every code the parser knows, in one table (how to add one: see the doc).
 * Industry codes are those of the 行业标准代号 list kept by SAMR. */
static const code_entry codes[] = {
    NAT("GB", "国家标准"),
    NAT("GBZ", "国家职业卫生标准"),
    {"GBJ", "国家工程建设标准(旧)", STD_TIER_NATIONAL, STD_NATURE_MANDATORY, C_ENG},
    {"TJ", "国家基本建设标准(旧)", STD_TIER_NATIONAL, STD_NATURE_MANDATORY, C_ENG},
    {"JJF", "国家计量技术规范", STD_TIER_METROLOGY, STD_NATURE_NONE, C_NOSUFFIX},
    {"JJG", "国家计量检定规程", STD_TIER_METROLOGY, STD_NATURE_NONE, C_NOSUFFIX},
    {"TSG", "特种设备安全技术规范", STD_TIER_SAFETY_SPEC, STD_NATURE_MANDATORY,
     C_NOSUFFIX | C_LETTERNUM},
    {"CECS", "中国工程建设标准化协会标准", STD_TIER_GROUP, STD_NATURE_NONE,
     C_NOSUFFIX | C_ENG | C_COLON},
    {"JGJ", "建筑工程", STD_TIER_INDUSTRY, STD_NATURE_MANDATORY, C_ENG},
    {"CJJ", "城镇建设工程", STD_TIER_INDUSTRY, STD_NATURE_MANDATORY, C_ENG},
    {"JTG", "公路工程", STD_TIER_INDUSTRY, STD_NATURE_MANDATORY, C_ENG | C_LETTERNUM | C_SLASHPART},
    {"JTJ", "交通工程(旧)", STD_TIER_INDUSTRY, STD_NATURE_MANDATORY, C_ENG},
    {"NB", "能源", STD_TIER_INDUSTRY, STD_NATURE_MANDATORY, C_HEAD},
    IND("NB/SH", "能源(石油化工)"),
    IND("NB/SY", "能源(石油天然气)"),
    IND("AQ", "安全生产"), IND("BB", "包装"), IND("CB", "船舶"), IND("CH", "测绘"),
    IND("CJ", "城镇建设"), IND("CY", "新闻出版"), IND("DA", "档案"), IND("DB", "地震"),
    IND("DL", "电力"), IND("DZ", "地质矿产"), IND("EJ", "核工业"), IND("FZ", "纺织"),
    IND("GA", "公共安全"), IND("GH", "供销合作"), IND("GM", "密码"), IND("GY", "广播电影电视"),
    IND("HB", "航空"), IND("HG", "化工"), IND("HJ", "生态环境"), IND("HS", "海关"),
    IND("HY", "海洋"), IND("JB", "机械"), IND("JC", "建材"), IND("JG", "建筑工业"),
    IND("JR", "金融"), IND("JT", "交通"), IND("JY", "教育"), IND("KA", "矿山安全"),
    IND("LB", "旅游"), IND("LD", "劳动和劳动安全"), IND("LS", "粮食"), IND("LY", "林业"),
    IND("MH", "民用航空"), IND("MT", "煤炭"), IND("MZ", "民政"), IND("NY", "农业"),
    IND("QB", "轻工"), IND("QC", "汽车"), IND("QJ", "航天"), IND("QX", "气象"),
    IND("RB", "认证认可"), IND("SB", "国内贸易"), IND("SC", "水产"), IND("SF", "司法"),
    IND("SH", "石油化工"), IND("SJ", "电子"), IND("SL", "水利"), IND("SN", "出入境检验检疫"),
    IND("SW", "税务"), IND("SY", "石油天然气"), IND("TB", "铁路运输"), IND("TD", "土地管理"),
    IND("TY", "体育"), IND("WB", "物资管理"), IND("WH", "文化"), IND("WJ", "兵工民品"),
    IND("WM", "外经贸"), IND("WS", "卫生"), IND("WW", "文物保护"), IND("XB", "稀土"),
    IND("XF", "消防救援"), IND("YB", "黑色冶金"), IND("YC", "烟草"), IND("YD", "通信"),
    IND("YJ", "应急管理"), IND("YS", "有色金属"), IND("YY", "医药"), IND("YZ", "邮政"),
    IND("ZY", "中医药"),
};
/* clang-format on */

static const code_entry *code_find(const char *code)
{
    for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++)
        if (!strcmp(codes[i].code, code))
            return &codes[i];
    return NULL;
}

const char *std_code_name(const char *code)
{
    const code_entry *e = code ? code_find(code) : NULL;
    return e ? e->name : NULL;
}

/* Province-level administrative division codes (GB/T 2260, first two
 * digits) that issue DB local standards. */
static const struct {
    char code[3];
    const char *name;
} provinces[] = {
    {"11", "北京"}, {"12", "天津"}, {"13", "河北"},   {"14", "山西"}, {"15", "内蒙古"},
    {"21", "辽宁"}, {"22", "吉林"}, {"23", "黑龙江"}, {"31", "上海"}, {"32", "江苏"},
    {"33", "浙江"}, {"34", "安徽"}, {"35", "福建"},   {"36", "江西"}, {"37", "山东"},
    {"41", "河南"}, {"42", "湖北"}, {"43", "湖南"},   {"44", "广东"}, {"45", "广西"},
    {"46", "海南"}, {"50", "重庆"}, {"51", "四川"},   {"52", "贵州"}, {"53", "云南"},
    {"54", "西藏"}, {"61", "陕西"}, {"62", "甘肃"},   {"63", "青海"}, {"64", "宁夏"},
    {"65", "新疆"},
};

static const char *province_name(const char *two)
{
    for (size_t i = 0; i < sizeof provinces / sizeof provinces[0]; i++)
        if (provinces[i].code[0] == two[0] && provinces[i].code[1] == two[1])
            return provinces[i].name;
    return NULL;
}

/* International bodies whose standards a GB may adopt identically and so
 * carry as a dual number ("GB/T 19001-2016/ISO 9001:2015"). */
static const char *const intl_orgs[] = {"ISO", "IEC", "ITU", "OIML", "CISPR", "IEEE"};

const char *std_tier_name(std_tier t)
{
    static const char *const names[] = {"unknown", "national",   "industry",  "local",
                                        "group",   "enterprise", "metrology", "safety_spec"};
    return (unsigned)t < sizeof names / sizeof names[0] ? names[t] : "unknown";
}

const char *std_nature_name(std_nature n)
{
    static const char *const names[] = {"none", "mandatory", "recommended", "guidance"};
    return (unsigned)n < sizeof names / sizeof names[0] ? names[n] : "none";
}

/* ---------------------------------------------------------------- cursor */

#define CP_END (-1)
#define CP_BAD 0x110000 /* an invalid UTF-8 byte */

typedef struct parser {
    const unsigned char *s;
    size_t len, pos;
    unsigned flags;
    std_number *out;
    nqi_error *err;
    const code_entry *ce; /* NULL for local, T/, Q/ and lenient unknown codes */
    size_t span_start;    /* where the number starts (after quotes, spaces) */
} parser;

/* Decode the code point at s[at]; *n = its length (1 for an invalid byte). */
static int32_t utf8_at(const unsigned char *s, size_t len, size_t at, size_t *n)
{
    unsigned c = s[at];
    *n = 1;
    if (c < 0x80)
        return (int32_t)c;
    int k;
    uint32_t cp, min;
    if (c >= 0xC2 && c <= 0xDF)
        k = 1, cp = c & 0x1F, min = 0x80;
    else if (c >= 0xE0 && c <= 0xEF)
        k = 2, cp = c & 0x0F, min = 0x800;
    else if (c >= 0xF0 && c <= 0xF4)
        k = 3, cp = c & 0x07, min = 0x10000;
    else
        return CP_BAD;
    if (at + (size_t)k >= len)
        return CP_BAD;
    for (int i = 1; i <= k; i++) {
        unsigned cc = s[at + (size_t)i];
        if ((cc & 0xC0) != 0x80)
            return CP_BAD;
        cp = (cp << 6) | (cc & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return CP_BAD;
    *n = (size_t)k + 1;
    return (int32_t)cp;
}

/* The fold the grammar sees: one code point to one. */
static int32_t fold(int32_t cp)
{
    if (cp < 0x80) {
        if (cp >= 'a' && cp <= 'z')
            return cp - 32;
        if (cp == '\t' || cp == '\n' || cp == '\r' || cp == '\v' || cp == '\f')
            return ' ';
        if (cp == '\\')
            return '/';
        return cp;
    }
    if (cp >= 0xFF01 && cp <= 0xFF5E) /* full-width ASCII */
        return fold(cp - 0xFEE0);
    switch (cp) {
    case 0xA0:
    case 0x3000:
    case 0x202F:
    case 0x205F:
    case 0xFEFF:
        return ' ';
    case 0x2010:
    case 0x2011:
    case 0x2012:
    case 0x2013:
    case 0x2014:
    case 0x2015:
    case 0x2212:
    case 0xFE58:
    case 0xFE63:
    case 0x30FC:
    case 0x2E3A:
    case 0x2E3B:
        return '-';
    case 0x2215:
    case 0x2044:
    case 0xFF3C:
        return '/';
    case 0x3010: /* 【 】 around edition notes */
        return '[';
    case 0x3011:
        return ']';
    }
    if (cp >= 0x2000 && cp <= 0x200A)
        return ' ';
    return cp;
}

static int32_t peek_at(const parser *p, size_t at, size_t *n)
{
    if (at >= p->len) {
        *n = 0;
        return CP_END;
    }
    return fold(utf8_at(p->s, p->len, at, n));
}

static int32_t peek(const parser *p)
{
    size_t n;
    return peek_at(p, p->pos, &n);
}

/* The code point after the current one. */
static int32_t peek2(const parser *p)
{
    size_t n, m;
    peek_at(p, p->pos, &n);
    return n ? peek_at(p, p->pos + n, &m) : CP_END;
}

static void adv(parser *p)
{
    size_t n;
    peek_at(p, p->pos, &n);
    p->pos += n;
}

static bool is_upper(int32_t c)
{
    return c >= 'A' && c <= 'Z';
}

static bool is_digit(int32_t c)
{
    return c >= '0' && c <= '9';
}

static size_t skip_ws(parser *p)
{
    size_t k = 0;
    while (peek(p) == ' ')
        adv(p), k++;
    return k;
}

/* Read a run of folded upper-case letters (or digits) into buf (NUL-
 * terminated, truncated to cap-1); returns the full run length. */
static size_t read_run(parser *p, bool (*cls)(int32_t), char *buf, size_t cap)
{
    size_t k = 0;
    int32_t c;
    while (cls(c = peek(p))) {
        if (k + 1 < cap)
            buf[k] = (char)c;
        k++;
        adv(p);
    }
    buf[k < cap ? k : cap - 1] = 0;
    return k;
}

static int atoi_n(const char *s, size_t n)
{
    int v = 0;
    for (size_t i = 0; i < n; i++)
        v = v * 10 + (s[i] - '0');
    return v;
}

/* dst = the concatenation of the NULL-terminated list of strings, cut to
 * cap-1 bytes; false when cut. (snprintf was half the parse time.) */
static bool join(char *dst, size_t cap, ...) __attribute__((sentinel));
static bool join(char *dst, size_t cap, ...)
{
    va_list ap;
    va_start(ap, cap);
    size_t k = 0;
    bool fits = true;
    for (const char *s; (s = va_arg(ap, const char *));) {
        size_t n = strlen(s);
        if (k + n >= cap)
            n = cap - 1 - k, fits = false;
        memcpy(dst + k, s, n);
        k += n;
    }
    va_end(ap);
    dst[k] = 0;
    return fits;
}

/* ---------------------------------------------------------------- errors */

/* A printable excerpt of the ORIGINAL input from byte `at`: at most ~24
 * bytes of whole, valid, non-control code points, "..." when cut. */
static void excerpt(const parser *p, size_t at, char *buf, size_t cap)
{
    size_t k = 0, n;
    while (at < p->len) {
        int32_t cp = utf8_at(p->s, p->len, at, &n);
        if (cp == CP_BAD || cp < 0x20 || cp == 0x7F || k + n + 4 > cap || k >= 24)
            break;
        memcpy(buf + k, p->s + at, n);
        k += n, at += n;
    }
    if (at < p->len && k + 4 <= cap)
        memcpy(buf + k, "...", 3), k += 3;
    buf[k] = 0;
}

static int fail(parser *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(parser *p, const char *fmt, ...)
{
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return nqi_error_field(p->err, NQI_EINVAL, "number", "%s", msg);
}

/* ---------------------------------------------------------------- prefix */

static bool is_open_quote(int32_t c)
{
    return c == '"' || c == '\'' || c == '`' || c == '[' || c == '<' || c == 0x201C ||
           c == 0x201E || c == 0x2018 || c == 0x201A || c == 0x300A || c == 0x3008 || c == 0x300C ||
           c == 0x300E;
}

static bool is_close_punct(int32_t c)
{
    return c == '"' || c == '\'' || c == '`' || c == ']' || c == '>' || c == 0x201D ||
           c == 0x2019 || c == 0x300B || c == 0x3009 || c == 0x300D || c == 0x300F || c == ',' ||
           c == ';' || c == '.' || c == 0x3002 || c == 0x3001;
}

/* Optional nature suffix after a code: "/T", "/Z", " T", "-T"; a bare "/"
 * is a separator. Returns 0 or an error. */
static int parse_suffix(parser *p, const char *code)
{
    std_number *o = p->out;
    size_t save = p->pos;
    size_t ws = skip_ws(p);
    int32_t c = peek(p);
    bool letter_num = p->ce && (p->ce->flags & C_LETTERNUM);
    int32_t sfx = 0;
    if (c == '/') {
        while (peek(p) == '/' || peek(p) == ' ')
            adv(p);
        if (is_upper(peek(p))) {
            size_t at = p->pos;
            char w[8];
            size_t n = read_run(p, is_upper, w, sizeof w);
            if (n == 1 && (w[0] == 'T' || w[0] == 'Z'))
                sfx = w[0];
            else if (letter_num && n == 1 && is_digit(peek(p)))
                p->pos = at; /* "TSG/ Z6001": a number letter */
            else
                return fail(p, "unknown suffix '/%s%s' after '%s' (expected /T or /Z)", w,
                            n >= sizeof w ? "..." : "", code);
        }
    } else if ((c == 'T' || c == 'Z') && (ws > 0 || o->tier == STD_TIER_LOCAL)) {
        int32_t d = peek2(p);
        if (!is_upper(d) && !(letter_num && is_digit(d)))
            sfx = c, adv(p);
        else
            p->pos = save;
    } else if (c == '-') {
        adv(p);
        skip_ws(p);
        c = peek(p);
        if ((c == 'T' || c == 'Z') && !is_upper(peek2(p)) && !(letter_num && is_digit(peek2(p))))
            sfx = c, adv(p);
        else
            p->pos = save;
    } else {
        p->pos = save;
    }
    if (!sfx)
        return 0;
    if (p->ce && (p->ce->flags & C_NOSUFFIX))
        return fail(p, "'%s' takes no /T or /Z suffix", code);
    o->nature = sfx == 'T' ? STD_NATURE_RECOMMENDED : STD_NATURE_GUIDANCE;
    return 0;
}

static void set_code(parser *p, const code_entry *e)
{
    std_number *o = p->out;
    p->ce = e;
    join(o->code, sizeof o->code, e->code, NULL);
    o->code_name = e->name;
    o->tier = (std_tier)e->tier;
    o->nature = (std_nature)e->nature;
    o->engineering = e->flags & C_ENG;
    o->known_code = true;
}

/* "DB"/"DBS" followed by a region: DB11, DB3301, DB 11/T. Returns 1 when
 * the digits are a region, 0 when they are not (earthquake "DB 15-2009"),
 * or an error. */
static int parse_region(parser *p, const char *w)
{
    std_number *o = p->out;
    size_t save = p->pos;
    size_t ws = skip_ws(p);
    char d[16];
    size_t n = read_run(p, is_digit, d, sizeof d);
    if (n) {
        size_t after = p->pos;
        size_t ws2 = skip_ws(p);
        int32_t c = peek(p);
        if (c == '/') { /* "DB 11/T", "DB 11/ 501"; not "DB 15/XG1" (earthquake) */
            while (peek(p) == '/' || peek(p) == ' ')
                adv(p);
            c = peek(p);
            ws2 = 1;
        }
        bool region =
            ws == 0 || ((c == 'T' || c == 'Z') && !is_upper(peek2(p))) || (is_digit(c) && ws2 > 0);
        p->pos = after;
        if (region) {
            if (n != 2 && n != 4)
                return fail(p,
                            "local standard code '%s%s%s' needs a 2-digit province or "
                            "4-digit city code",
                            w, d, n >= sizeof d ? "..." : "");
            const char *prov = province_name(d);
            if (!prov)
                return fail(p, "unknown province code '%.2s' in '%s%s'", d, w, d);
            snprintf(o->code, sizeof o->code, "%.3s%.4s", w, d);
            snprintf(o->region, sizeof o->region, "%.4s", d);
            o->code_name = prov;
            o->tier = STD_TIER_LOCAL;
            o->nature = STD_NATURE_MANDATORY;
            o->known_code = true;
            return 1;
        }
    }
    p->pos = save;
    if (!strcmp(w, "DBS"))
        return fail(p, "local standard code 'DBS' needs a 2-digit province or 4-digit city code");
    return 0;
}

/* T/ORG or Q/ORG. The org is a run of letters and digits; trailing digits
 * glued to letters are the number ("T/CECS10001"). An all-digit enterprise
 * org (a region code) may be followed by a letter part: "Q/320582 ABC". */
static int parse_org(parser *p, bool enterprise)
{
    std_number *o = p->out;
    const char *lead = enterprise ? "Q/" : "T/";
    size_t save = p->pos;
    size_t ws = skip_ws(p);
    bool slash = false;
    while (peek(p) == '/' || peek(p) == ' ')
        slash |= peek(p) == '/', adv(p);
    if (!slash && !ws) {
        p->pos = save;
        return fail(p, "unknown standard code '%c'", enterprise ? 'Q' : 'T');
    }
    char r[24];
    size_t k = 0, last_letter = 0, start = p->pos;
    int32_t c;
    while (is_upper(c = peek(p)) || is_digit(c)) {
        if (k + 1 >= sizeof r)
            return fail(p, "organisation code after '%s' is too long", lead);
        r[k++] = (char)c;
        if (is_upper(c))
            last_letter = k;
        adv(p);
    }
    r[k] = 0;
    if (last_letter && last_letter < k) { /* "CECS10001": give the digits back */
        r[last_letter] = 0;
        p->pos = start; /* one code point per org char (maybe full-width) */
        for (size_t i = 0; i < last_letter; i++)
            adv(p);
        k = last_letter;
    }
    if (!k || (!enterprise && !last_letter))
        return fail(p, "missing organisation code after '%s'", lead);
    if (enterprise && !last_letter) { /* region digits, maybe then letters */
        size_t at = p->pos;
        skip_ws(p);
        char w[12];
        size_t n = read_run(p, is_upper, w, sizeof w);
        if (n && n < sizeof w && k + 1 + n < sizeof r) {
            snprintf(r + k, sizeof r - k, " %s", w);
            k += 1 + n;
        } else {
            p->pos = at;
        }
    }
    snprintf(o->code, sizeof o->code, "%s", r);
    o->code_name = enterprise ? "企业标准" : "团体标准";
    o->tier = enterprise ? STD_TIER_ENTERPRISE : STD_TIER_GROUP;
    o->nature = STD_NATURE_NONE;
    o->known_code = true;
    snprintf(o->prefix, sizeof o->prefix, "%s%s", lead, r);
    return 0;
}

/* Whether a digit follows, past spaces, slashes, dashes and letters: tells
 * "XYZ 12-2010" (an unknown code) from "hello world" (not a number). */
static bool digit_follows(const parser *p)
{
    size_t at = p->pos, n;
    int32_t c;
    while ((c = peek_at(p, at, &n)) == ' ' || c == '/' || c == '-' || is_upper(c))
        at += n;
    return is_digit(c);
}

/* A table code, possibly with the nature letter glued on ("GBT", "QBT") or
 * a composite tail ("NB/SH"). */
static int parse_table_code(parser *p, const char *w, size_t n)
{
    std_number *o = p->out;
    const code_entry *e = n < 16 ? code_find(w) : NULL; /* w holds 15 letters */
    int32_t glued = 0;
    if (!e && n >= 3 && n < 16 && (w[n - 1] == 'T' || w[n - 1] == 'Z')) {
        char base[16];
        snprintf(base, sizeof base, "%.*s", (int)(n - 1), w);
        e = code_find(base);
        if (e && !(e->flags & C_NOSUFFIX))
            glued = w[n - 1];
        else
            e = NULL;
    }
    if (!e) {
        bool ok = (p->flags & STD_PARSE_LENIENT) && n >= 2 && n <= 6;
        if (!ok && !digit_follows(p)) {
            char ex[64];
            excerpt(p, p->span_start, ex, sizeof ex);
            return fail(p, "nothing that looks like a standard number in '%s'", ex);
        }
        if (!ok)
            return fail(p, "unknown standard code '%s%s'", w, n >= 16 ? "..." : "");
        snprintf(o->code, sizeof o->code, "%s", w);
        o->code_name = "未列入代号表";
        o->tier = STD_TIER_INDUSTRY;
        o->nature = STD_NATURE_MANDATORY;
        o->known_code = false;
    } else {
        set_code(p, e);
    }
    if (e && (e->flags & C_HEAD) && !glued) { /* composite: NB/SH, NB/SHT */
        size_t save = p->pos;
        skip_ws(p);
        if (peek(p) == '/') {
            while (peek(p) == '/' || peek(p) == ' ')
                adv(p);
            char w2[16];
            size_t n2 = read_run(p, is_upper, w2, sizeof w2);
            if (n2 >= sizeof w2)
                return fail(p, "unknown standard code '%s/%s...'", w, w2);
            if (n2 >= 2) {
                char comp[40];
                snprintf(comp, sizeof comp, "%s/%s", w, w2);
                const code_entry *c2 = code_find(comp);
                if (!c2 && (w2[n2 - 1] == 'T' || w2[n2 - 1] == 'Z')) {
                    comp[strlen(comp) - 1] = 0;
                    if ((c2 = code_find(comp)))
                        glued = w2[n2 - 1];
                }
                if (!c2)
                    return fail(p, "unknown standard code '%s'", comp);
                set_code(p, c2);
                save = p->pos;
            }
        }
        p->pos = save;
    }
    if (glued) {
        o->nature = glued == 'T' ? STD_NATURE_RECOMMENDED : STD_NATURE_GUIDANCE;
        return 0;
    }
    return parse_suffix(p, o->code);
}

/* PREFIX for table and local codes (parse_org builds T/ and Q/). */
static void build_prefix(std_number *o)
{
    const char *sfx = o->nature == STD_NATURE_RECOMMENDED ? "/T"
                      : o->nature == STD_NATURE_GUIDANCE  ? "/Z"
                      : o->tier == STD_TIER_LOCAL         ? "/"
                                                          : "";
    join(o->prefix, sizeof o->prefix, o->code, sfx, NULL);
}

static int parse_prefix(parser *p)
{
    std_number *o = p->out;
    char w[16];
    size_t at = p->pos;
    size_t n = read_run(p, is_upper, w, sizeof w);
    if (!n) {
        char ex[64];
        excerpt(p, at, ex, sizeof ex);
        if (is_digit(peek(p)))
            return fail(p, "missing standard code (such as GB/T) before '%s'", ex);
        if (peek(p) == CP_BAD)
            return fail(p, "invalid UTF-8 at byte %zu", p->pos);
        return fail(p, "nothing that looks like a standard number in '%s'", ex);
    }
    int rc;
    if (!strcmp(w, "T") || !strcmp(w, "Q"))
        return parse_org(p, w[0] == 'Q');
    if (!strcmp(w, "DB") || !strcmp(w, "DBS")) {
        rc = parse_region(p, w);
        if (rc < 0)
            return rc;
        if (rc == 1) {
            rc = parse_suffix(p, o->code);
            if (!rc)
                build_prefix(o);
            return rc;
        }
    }
    rc = parse_table_code(p, w, n);
    if (!rc)
        build_prefix(o);
    return rc;
}

/* ---------------------------------------------------------------- body */

static bool year_like(const char *d, size_t n)
{
    if (n != 4)
        return false;
    int y = atoi_n(d, n);
    return y >= 1950 && y <= 2099;
}

/* Check and expand a year of n digits; 0 or an error. */
static int make_year(parser *p, const char *d, size_t n, const char *what, int *out)
{
    if (n != 2 && n != 4)
        return fail(p, "%s '%s%s' must have 2 or 4 digits", what, d, n > 15 ? "..." : "");
    int y = atoi_n(d, n);
    if (n == 2) {
        if (y < 50)
            return fail(p,
                        "%s '%s' would mean 19%s, before Chinese standards existed; "
                        "write the year in full",
                        what, d, d);
        y += 1900;
    } else if (y < 1950 || y > 2099) {
        return fail(p, "%s '%s' is out of range (1950-2099)", what, d);
    }
    *out = y;
    return 0;
}

static int append(parser *p, char *dst, size_t cap, const char *src, const char *what)
{
    size_t a = strlen(dst), b = strlen(src);
    if (a + b + 1 > cap)
        return fail(p, "%s '%s%s...' is too long", what, dst, src);
    memcpy(dst + a, src, b + 1);
    return 0;
}

/* NUMBER [.part]* [/n] [S], and a year written as ".yyyy" (GB/T 19580.2012). */
static int parse_body(parser *p)
{
    std_number *o = p->out;
    int32_t c;
    while ((c = peek(p)) == ' ' || c == '/' || c == '-')
        adv(p);
    char d[16], seg[20];
    bool letter = p->ce && (p->ce->flags & C_LETTERNUM) && is_upper(peek(p)) && is_digit(peek2(p));
    if (letter) {
        seg[0] = (char)peek(p), seg[1] = 0;
        adv(p);
        append(p, o->number, sizeof o->number, seg, "standard number");
    }
    size_t n = read_run(p, is_digit, d, sizeof d);
    if (!n)
        return fail(p, "missing standard number after '%s'", o->prefix);
    if (n >= sizeof d)
        return fail(p, "standard number '%s...' is too long", d);
    if (append(p, o->number, sizeof o->number, d, "standard number"))
        return NQI_EINVAL;
    while (peek(p) == '.' && is_digit(peek2(p))) {
        adv(p);
        n = read_run(p, is_digit, d, sizeof d);
        if (n >= sizeof d)
            return fail(p, "part number '%s...' is too long", d);
        size_t after = p->pos;
        bool more = peek(p) == '.' && is_digit(peek2(p));
        skip_ws(p);
        c = peek(p);
        p->pos = after;
        more |= c == '-' || c == ':';
        if (year_like(d, n) && !more) { /* ".2012" as the year */
            o->year = atoi_n(d, n);
            break;
        }
        snprintf(seg, sizeof seg, ".%s", d);
        if (append(p, o->number, sizeof o->number, seg, "standard number"))
            return NQI_EINVAL;
    }
    if (p->ce && (p->ce->flags & C_SLASHPART) && peek(p) == '/' && is_digit(peek2(p))) {
        adv(p);
        n = read_run(p, is_digit, d, sizeof d);
        snprintf(seg, sizeof seg, "/%.8s", d);
        if (n > 8 || append(p, o->number, sizeof o->number, seg, "standard number"))
            return fail(p, "part '/%s' of the standard number is too long", d);
    }
    if (o->tier == STD_TIER_ENTERPRISE && peek(p) == 'S' && !is_upper(peek2(p))) {
        adv(p); /* Q/... 0001S: enterprise food-safety standard */
        if (append(p, o->number, sizeof o->number, "S", "standard number"))
            return NQI_EINVAL;
    }
    if (o->code[0] && !strcmp(o->code, "GB") && o->number[0] == '5' &&
        strspn(o->number, "0123456789") == 5)
        o->engineering = true; /* GB 50016, GB/T 50378, GB 55031 */
    return 0;
}

/* [-|—|:] YEAR, or " yyyy" after a space. */
static int parse_year(parser *p)
{
    std_number *o = p->out;
    if (o->year)
        return 0;
    size_t save = p->pos;
    size_t ws = skip_ws(p);
    int32_t c = peek(p);
    char d[16];
    if (c == '-' || c == ':') {
        while ((c = peek(p)) == '-' || c == ':' || c == ' ')
            adv(p);
        size_t n = read_run(p, is_digit, d, sizeof d);
        if (!n)
            return fail(p, "missing year after '%s-'", o->key);
        return make_year(p, d, n, "year", &o->year);
    }
    if (ws && is_digit(c)) {
        size_t n = read_run(p, is_digit, d, sizeof d);
        c = peek(p);
        if (year_like(d, n) && c != '.' && c != '/' && c != ':') {
            o->year = atoi_n(d, n);
            return 0;
        }
    }
    p->pos = save;
    return 0;
}

/* [/]XGn[-yyyy]: 修改单. Returns 1 matched, 0 not there, or an error. */
static int parse_amendment(parser *p)
{
    std_number *o = p->out;
    size_t save = p->pos;
    skip_ws(p);
    while (peek(p) == '/' || peek(p) == ' ')
        adv(p);
    if (peek(p) != 'X' || peek2(p) != 'G') {
        p->pos = save;
        return 0;
    }
    adv(p), adv(p);
    char d[16];
    size_t n = read_run(p, is_digit, d, sizeof d);
    if (!n || n > 2)
        return fail(p, "amendment 'XG%s' needs a number of 1 or 2 digits, as in /XG1-2022", d);
    o->amendment_no = atoi_n(d, n);
    if (!o->amendment_no)
        return fail(p, "amendment number must not be 0");
    size_t at = p->pos;
    skip_ws(p);
    if (peek(p) == '-' || peek(p) == ':') {
        while (peek(p) == '-' || peek(p) == ':' || peek(p) == ' ')
            adv(p);
        n = read_run(p, is_digit, d, sizeof d);
        if (!n)
            return fail(p, "missing year after amendment 'XG%d-'", o->amendment_no);
        if (make_year(p, d, n, "amendment year", &o->amendment_year))
            return NQI_EINVAL;
        snprintf(o->amendment, sizeof o->amendment, "XG%d-%04d", o->amendment_no,
                 o->amendment_year);
    } else {
        p->pos = at;
        snprintf(o->amendment, sizeof o->amendment, "XG%d", o->amendment_no);
    }
    return 1;
}

/* "(2018年版)", "（2018 年版）", "[2018版]". 1 matched, 0 not. */
static int parse_edition(parser *p)
{
    std_number *o = p->out;
    size_t save = p->pos;
    skip_ws(p);
    int32_t c = peek(p);
    if (c != '(' && c != '[') {
        p->pos = save;
        return 0;
    }
    adv(p);
    skip_ws(p);
    char d[16];
    size_t n = read_run(p, is_digit, d, sizeof d);
    skip_ws(p);
    if (peek(p) == 0x5E74) /* 年 */
        adv(p), skip_ws(p);
    bool ok = year_like(d, n) && peek(p) == 0x7248; /* 版 */
    if (ok) {
        adv(p), skip_ws(p);
        c = peek(p);
        ok = c == ')' || c == ']';
    }
    if (!ok) {
        p->pos = save;
        return 0;
    }
    adv(p);
    o->edition_year = atoi_n(d, n);
    snprintf(o->edition_note, sizeof o->edition_note, "%d年版", o->edition_year);
    return 1;
}

static bool is_intl_org(const char *w)
{
    for (size_t i = 0; i < sizeof intl_orgs / sizeof intl_orgs[0]; i++)
        if (!strcmp(intl_orgs[i], w))
            return true;
    return false;
}

/* Append src to dst (cap bytes); false when it does not fit. */
static bool cat(char *dst, size_t cap, const char *src)
{
    size_t a = strlen(dst), b = strlen(src);
    if (a + b + 1 > cap)
        return false;
    memcpy(dst + a, src, b + 1);
    return true;
}

/* An international standard id into b[cap]:
 *   ORG[/ORG...][-T] [TS|TR|PAS|Guide|ISP|IWA] [L.]N[-n|.n]*[:yyyy[+Ax:yyyy]*]
 * 1 matched; 0 no international org here (cursor restored); -1 the org
 * matched but the rest did not (why[] says what; cursor not restored). */
static int parse_intl(parser *p, char *b, size_t cap, char *why, size_t whycap)
{
    static const char *const kinds[] = {"TS", "TR", "PAS", "GUIDE", "ISP", "IWA"};
    size_t save = p->pos;
    char w[16], d[16], seg[24];
    size_t n = read_run(p, is_upper, w, sizeof w);
    if (!n || n >= sizeof w || !is_intl_org(w)) {
        p->pos = save;
        return 0;
    }
    snprintf(b, cap, "%s", w);
    for (;;) { /* ISO/IEC, ISO/TS, ITU-T */
        int32_t c = peek(p);
        if (!((c == '/' || (c == '-' && !strcmp(w, "ITU"))) && is_upper(peek2(p))))
            break;
        adv(p);
        n = read_run(p, is_upper, w, sizeof w);
        snprintf(seg, sizeof seg, "%c%s", (char)c, w);
        if (n >= sizeof w || !cat(b, cap, seg))
            goto too_long;
    }
    skip_ws(p);
    size_t at = p->pos;
    n = read_run(p, is_upper, w, sizeof w);
    bool kind = false;
    for (size_t i = 0; n && i < sizeof kinds / sizeof kinds[0]; i++)
        kind |= !strcmp(w, kinds[i]);
    if (kind) {
        snprintf(seg, sizeof seg, " %s", strcmp(w, "GUIDE") ? w : "Guide");
        if (!cat(b, cap, seg))
            goto too_long;
        skip_ws(p);
    } else {
        p->pos = at;
    }
    if (!cat(b, cap, " "))
        goto too_long;
    if (is_upper(peek(p)) && peek2(p) == '.') { /* ITU-T G.711 */
        snprintf(seg, sizeof seg, "%c.", (char)peek(p));
        adv(p), adv(p);
        if (!cat(b, cap, seg))
            goto too_long;
    }
    n = read_run(p, is_digit, d, sizeof d);
    if (!n) {
        snprintf(why, whycap, "missing number in dual number '%.40s'", b);
        return -1;
    }
    for (;;) {
        if (n >= sizeof d || !cat(b, cap, d))
            goto too_long;
        int32_t c = peek(p);
        if (!((c == '-' || c == '.') && is_digit(peek2(p))))
            break;
        adv(p);
        seg[0] = (char)c, seg[1] = 0;
        if (!cat(b, cap, seg))
            goto too_long;
        n = read_run(p, is_digit, d, sizeof d);
    }
    for (bool first = true;; first = false) {
        if (first && peek(p) == ':') {
            adv(p);
        } else if (!first && peek(p) == '+' && is_upper(peek2(p))) { /* +A1:2013 */
            adv(p);
            n = read_run(p, is_upper, w, sizeof w);
            size_t m = read_run(p, is_digit, d, sizeof d);
            if (n > 4 || !m || m > 3 || peek(p) != ':') {
                snprintf(why, whycap, "amendment of dual number '%.40s' not understood", b);
                return -1;
            }
            snprintf(seg, sizeof seg, "+%.4s%.3s", w, d);
            if (!cat(b, cap, seg))
                goto too_long;
            adv(p);
        } else {
            break;
        }
        n = read_run(p, is_digit, d, sizeof d);
        if (!year_like(d, n)) {
            snprintf(why, whycap, "year in dual number '%.40s' must have 4 digits (1950-2099)", b);
            return -1;
        }
        snprintf(seg, sizeof seg, ":%s", d);
        if (!cat(b, cap, seg))
            goto too_long;
    }
    return 1;
too_long:
    snprintf(why, whycap, "dual number '%.40s...' is too long", b);
    return -1;
}

/* "/ISO 9001:2015", " idt ISO 9001:2015", "(idt ISO 9001:2015)" and
 * "(ISO 9001:2015, IDT)" into o->dual. 1 matched, 0 not there, or an error.
 * Only identical adoption (IDT) gives a dual number; "MOD ISO ..." is left
 * for the caller (an error, or the title in STD_PARSE_PREFIX mode). */
static int parse_dual(parser *p)
{
    std_number *o = p->out;
    char why[160] = "";
    size_t save = p->pos;
    skip_ws(p);
    int32_t c = peek(p);
    int rc;
    if (c == '/') {
        while (peek(p) == '/' || peek(p) == ' ')
            adv(p);
        rc = parse_intl(p, o->dual, sizeof o->dual, why, sizeof why);
        if (rc < 0)
            return fail(p, "%s", why);
        if (rc == 0 && peek(p) == 'X' && peek2(p) == 'G')
            return fail(p, "only one amendment (XG) per number; list each amendment on its own");
        if (rc == 0 && !(p->flags & STD_PARSE_PREFIX)) {
            char ex[64];
            excerpt(p, p->pos, ex, sizeof ex);
            return fail(p,
                        "after '/' expected an amendment (XG1-2022) or an international "
                        "standard (ISO 9001:2015), not '%s'",
                        ex);
        }
    } else {
        bool paren = c == '(';
        if (paren)
            adv(p), skip_ws(p);
        char w[8];
        size_t at = p->pos;
        size_t n = read_run(p, is_upper, w, sizeof w);
        bool idt = n == 3 && !strcmp(w, "IDT");
        if (idt)
            skip_ws(p);
        else
            p->pos = at;
        rc = idt || paren ? parse_intl(p, o->dual, sizeof o->dual, why, sizeof why) : 0;
        if (rc < 0 && idt)
            return fail(p, "%s", why);
        if (rc == 1 && !idt) { /* (ISO 9001:2015, IDT) */
            skip_ws(p);
            if (peek(p) == ',')
                adv(p), skip_ws(p);
            n = read_run(p, is_upper, w, sizeof w);
            rc = n == 3 && !strcmp(w, "IDT");
        }
        if (rc == 1 && paren) {
            skip_ws(p);
            rc = peek(p) == ')';
            if (rc)
                adv(p);
        }
    }
    if (rc != 1) {
        o->dual[0] = 0;
        p->pos = save;
        return 0;
    }
    return 1;
}

/* ---------------------------------------------------------------- driver */

/* canonical, key and family from the parts. */
static int build_canonical(parser *p)
{
    std_number *o = p->out;
    char year[6] = "", amend[32] = "", ed[40] = "", dual[72] = "";
    if (o->year) {
        year[0] = p->ce && (p->ce->flags & C_COLON) ? ':' : '-';
        for (int i = 4, y = o->year; i >= 1; i--, y /= 10)
            year[i] = (char)('0' + y % 10);
        year[5] = 0;
    }
    if (o->amendment[0])
        join(amend, sizeof amend, "/", o->amendment, NULL);
    if (o->edition_note[0])
        join(ed, sizeof ed, "(", o->edition_note, ")", NULL);
    if (o->dual[0])
        join(dual, sizeof dual, "/", o->dual, NULL);
    join(o->key, sizeof o->key, o->prefix, " ", o->number, NULL);
    if ((o->tier == STD_TIER_GROUP && !p->ce) || o->tier == STD_TIER_ENTERPRISE)
        join(o->family, sizeof o->family, o->key, NULL); /* T/ORG, Q/ORG: no nature */
    else
        join(o->family, sizeof o->family, o->code, " ", o->number, NULL);
    if (!join(o->canonical, sizeof o->canonical, o->key, year, amend, ed, dual, NULL))
        return fail(p, "standard number is too long");
    return 0;
}

static int parse_tail(parser *p)
{
    int rc;
    bool amend = false, ed = false, dual = false;
    for (;;) {
        if (!amend && (rc = parse_amendment(p)) != 0) {
            if (rc < 0)
                return rc;
            amend = true;
        } else if (!ed && (rc = parse_edition(p)) != 0) {
            ed = true;
        } else if (!dual && (rc = parse_dual(p)) != 0) {
            if (rc < 0)
                return rc;
            dual = true;
        } else {
            return 0;
        }
    }
}

static int run(parser *p)
{
    std_number *o = p->out;
    int32_t c;
    while ((c = peek(p)) == ' ' || is_open_quote(c))
        adv(p);
    size_t at = p->pos, n;
    while ((c = peek_at(p, at, &n)) == ' ' || is_close_punct(c))
        at += n;
    if (c == CP_END)
        return fail(p, "empty standard number");
    o->span_off = p->span_start = p->pos;
    int rc = parse_prefix(p);
    if (!rc)
        rc = parse_body(p);
    if (!rc) {
        join(o->key, sizeof o->key, o->prefix, " ", o->number, NULL);
        rc = parse_year(p);
    }
    if (!rc)
        rc = parse_tail(p);
    if (!rc)
        rc = build_canonical(p);
    if (rc)
        return rc;
    o->span_len = p->pos - o->span_off;
    o->exact = o->span_len == strlen(o->canonical) &&
               !memcmp(p->s + o->span_off, o->canonical, o->span_len);
    while ((c = peek(p)) == ' ' || is_close_punct(c))
        adv(p);
    if (p->flags & STD_PARSE_PREFIX) {
        o->rest = p->pos;
        return 0;
    }
    if (c != CP_END) {
        if (c == CP_BAD)
            return fail(p, "invalid UTF-8 at byte %zu", p->pos);
        char ex[64];
        excerpt(p, p->pos, ex, sizeof ex);
        return fail(p, "unexpected '%s' after '%s'", ex, o->canonical);
    }
    o->rest = p->len;
    return 0;
}

int std_number_parse_ex(const char *in, size_t len, unsigned flags, std_number *out, nqi_error *err)
{
    memset(out, 0, sizeof *out);
    parser p = {(const unsigned char *)(in ? in : ""), in ? len : 0, 0, flags, out, err, NULL, 0};
    int rc = run(&p);
    if (rc) {
        memset(out, 0, sizeof *out);
        out->rest = p.pos;
        return NQI_EINVAL;
    }
    return 0;
}

int std_number_parse(const char *in, size_t len, std_number *out, nqi_error *err)
{
    return std_number_parse_ex(in, len, 0, out, err);
}
