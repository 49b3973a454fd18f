/*
 * number.h — Chinese standard numbers (标准编号): parse, normalise, split.
 * See docs/modules/standards-number.md for the grammar, the code table and
 * the decisions behind the canonical form.
 *
 * Ownership: std_number_parse reads (in, len) — a byte slice, not required
 * to be NUL-terminated, never modified or retained — and fills the caller's
 * std_number, which is plain memory (fixed arrays, nothing to free). The only
 * pointer it stores, code_name, points into a static table: never free it.
 * Nothing is allocated; the parser is pure, reentrant and thread-safe.
 *
 * Errors: NQI_EINVAL with a field error on "number" and a message that says
 * what was wrong ("unknown standard code 'XYZ'", "year '201' must have 2 or
 * 4 digits", ...). On error *out is zeroed except rest, which holds the byte
 * offset where parsing stopped (useful for pointing at the problem).
 *
 * Canonical form (out->canonical), built from the parts, ASCII except the
 * edition note:
 *     PREFIX ' ' NUMBER [SEP YEAR] ['/XG' n ['-' yyyy]] ['(' yyyy '年版)'] ['/' DUAL]
 *   PREFIX  GB  GB/T  GB/Z  GBZ  GBZ/T  GBJ  QB/T  NB/SH/T  JJF  TSG  CECS
 *           DB11/T  DB11/ (mandatory local, as printed)  DBS44/ (food safety)
 *           DB/T (earthquake industry)  T/CECS  Q/GDW  Q/320582 ABC
 *   SEP     '-' (':' for CECS, whose standards print "CECS 28:2012")
 *   YEAR    always four digits: "GB 5749-85" becomes "GB 5749-1985"
 *   e.g.  "GB/T 19580-2012"  "GB 2763-2021/XG1-2022"  "GB 50016-2014(2018年版)"
 *         "GB/T 19001-2016/ISO 9001:2015"  "DB11/T 1322-2016"  "JTG/T F50-2011"
 * Parsing a canonical form gives the same canonical form (the fuzz target
 * checks this).
 *
 * Year-less references ("GB/T 19580") parse with year == 0: the catalogue
 * resolves them to the current edition; this parser knows no catalogue.
 */
#ifndef NQI_STD_NUMBER_H
#define NQI_STD_NUMBER_H

#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"

/* Who issues it (标准层级). 0 is never returned on success. */
typedef enum std_tier {
    STD_TIER_NATIONAL = 1, /* GB GB/T GB/Z GBZ GBJ TJ: 国家标准 */
    STD_TIER_INDUSTRY,     /* QB/T NB/SH/T JGJ CJJ JTG DB/T ...: 行业标准 */
    STD_TIER_LOCAL,        /* DBnn DBnnnn DBSnn: 地方标准 */
    STD_TIER_GROUP,        /* T/ORG, and CECS (association, 协会标准): 团体标准 */
    STD_TIER_ENTERPRISE,   /* Q/ORG: 企业标准 */
    STD_TIER_METROLOGY,    /* JJF JJG: 国家计量技术规范 / 计量检定规程 */
    STD_TIER_SAFETY_SPEC   /* TSG: 特种设备安全技术规范 */
} std_tier;

/* What the printed suffix says (性质). It reflects the number as written,
 * not a legal determination (legacy mandatory industry standards stay "GB"-
 * like mandatory in print even where the 2017 law made them recommended). */
typedef enum std_nature {
    STD_NATURE_NONE = 0,    /* no such suffix exists: T/, Q/, JJF, JJG, CECS */
    STD_NATURE_MANDATORY,   /* no suffix: GB, YY, DB11/, TSG */
    STD_NATURE_RECOMMENDED, /* /T */
    STD_NATURE_GUIDANCE     /* /Z: 指导性技术文件 */
} std_nature;

typedef struct std_number {
    char canonical[160];   /* "GB/T 19001-2016/ISO 9001:2015" */
    char key[80];          /* PREFIX ' ' NUMBER: "GB/T 19580" — edition-chain key */
    char family[80];       /* CODE ' ' NUMBER, nature dropped: "GB 19580"; finds
                              GB 1234-1990 -> GB/T 1234-2008 conversions */
    char prefix[32];       /* "GB/T", "NB/SH/T", "DB11/T", "DB11/", "T/CECS" */
    char code[24];         /* "GB", "NB/SH", "DB11", "CECS" (org for T/ and Q/) */
    const char *code_name; /* static: "轻工", "北京", "团体标准", never NULL on success */
    std_tier tier;
    std_nature nature;
    bool engineering;      /* 工程建设标准: GBJ JGJ CJJ JTG JTJ TJ CECS, GB(/T) 50000-59999 */
    bool known_code;       /* false only with STD_PARSE_LENIENT and an unlisted code */
    bool exact;            /* the input span was already byte-for-byte canonical */
    char number[32];       /* "19580", "17980.43", "F80/1", "0001S" */
    int year;              /* 2012; 0 when absent (year-less reference) */
    char amendment[24];    /* "XG1-2022" or "" */
    int amendment_no;      /* 1; 0 when none */
    int amendment_year;    /* 2022; 0 when none or not given */
    char edition_note[32]; /* "2018年版" or "" */
    int edition_year;      /* 2018; 0 when none */
    char dual[64];         /* "ISO 9001:2015" (identical adoption) or "" */
    char region[8];        /* "11" for DB11, "3301" for DB3301, else "" */
    size_t span_off;       /* bytes of input the number occupies: [span_off, */
    size_t span_len;       /*   span_off + span_len), quotes and spaces excluded */
    size_t rest;           /* byte offset of what follows (a title), spaces
                              skipped; == len when nothing follows */
} std_number;

/* Flags for std_number_parse_ex. */
enum {
    /* Accept text after the number (the "number title" lines of a validity-
     * confirmation list): out->rest says where the title starts. Without
     * it, anything after the number other than spaces, closing quotes and
     * one trailing , ; 。 is an error. */
    STD_PARSE_PREFIX = 1u << 0,
    /* Accept an unlisted all-letter code of 2-6 letters as an industry
     * standard (known_code = false) instead of failing. */
    STD_PARSE_LENIENT = 1u << 1
};

/* Parse the whole of in[0..len) as one standard number; strict about the
 * code table and about trailing text. 0 or NQI_EINVAL (err filled). */
int std_number_parse(const char *in, size_t len, std_number *out, nqi_error *err);

/* Same with STD_PARSE_* flags. */
int std_number_parse_ex(const char *in, size_t len, unsigned flags, std_number *out,
                        nqi_error *err);

/* "national", "industry", ... (stable, for JSON); "unknown" for anything else. */
const char *std_tier_name(std_tier t);
/* "mandatory", "recommended", "guidance", "none". */
const char *std_nature_name(std_nature n);

/* Look up a code of the table ("QB", "NB/SH", "JJF"): its Chinese name, or
 * NULL when the code is not listed. Local (DBnn), T/ and Q/ are not in it. */
const char *std_code_name(const char *code);

#endif
