/*
 * gen_entities.c — a market-entity directory of N synthetic enterprises as
 * the CSV `nqi directory import entities` takes (Chinese headers, UTF-8),
 * and optionally the SQL of M credit facts about them (for the credit
 * classification benchmark). Deterministic: same arguments, same bytes.
 *
 *   cc -std=gnu11 -O2 -Isrc -o build/gen_entities bench/gen_entities.c \
 *      src/supervision/credit_code.c src/core/err.c
 *   build/gen_entities --n 1000000 > /tmp/entities.csv
 *   build/gen_entities --n 1000000 --facts 300000 --sql > /tmp/facts.sql
 *
 * Entities: 40 districts of 福建 (3501xx..3540xx), 8 industries (food and
 * drugs among them), registration dates 1995–2026, ~2% revoked/cancelled,
 * ~5% with a risk tag, ~30% with a licence. Codes: 91 + region + random
 * 9-character organisation code + GB 32100 check character, unique.
 * Facts (--sql): kinds in the proportions a province sees (inspection
 * results, spot checks, penalties, list entries, complaints), dated over the
 * last 4 years before --as-of (default 2026-11-24), on random entities.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "supervision/credit_code.h"

static unsigned long long rng = 88172645463325252ULL;
static unsigned long long next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

/* Code i: deterministic from the seed stream; uniqueness from i in the
 * organisation code's first 5 characters (31^5 > 28M). */
static void code_of(unsigned long long i, char out[19])
{
    unsigned long long s = i * 2654435761ULL + 12345;
    int region = (int)(s % 40);
    snprintf(out, 19, "9135%02d00", region + 1);
    unsigned long long v = i;
    for (int j = 12; j >= 8; j--, v /= 31)
        out[j] = credit_code_charset[v % 31];
    for (int j = 13; j < 17; j++)
        out[j] = credit_code_charset[(s >> (j * 3)) % 31];
    out[17] = credit_code_check_char(out);
    out[18] = 0;
}

static const char *const industries[8] = {"食品生产", "食品销售", "药品零售", "医疗器械",
                                          "化妆品",   "特种设备", "工业产品", "计量器具"};
static const char *const words[16] = {"闽江", "榕城", "鼓山", "左海", "于山", "乌山",
                                      "屏山", "西湖", "温泉", "金山", "海峡", "东南",
                                      "武夷", "清源", "鹭岛", "太姥"};
static const char *const kinds[6] = {"有限公司", "有限责任公司", "股份有限公司", "商行",
                                     "个体工商户", "合伙企业"};

static void entities(unsigned long long n)
{
    puts("统一社会信用代码,企业名称,企业类型,行业,区划代码,住所,法定代表人,成立日期,登记状态,"
         "风险标签,许可证");
    for (unsigned long long i = 0; i < n; i++) {
        char code[19];
        code_of(i, code);
        unsigned long long r = next();
        int y = 1995 + (int)(r % 32), m = 1 + (int)((r >> 8) % 12), d = 1 + (int)((r >> 16) % 28);
        int st = (int)((r >> 24) % 100);
        printf("%s,福建%s%s%llu号%s,%s,%s,%.6s,福建省某市%s路%llu号,%s,%04d-%02d-%02d,%s,%s,%s\n",
               code, words[r % 16], words[(r >> 4) % 16], i, kinds[(r >> 32) % 4], kinds[(r >> 36) % 6],
               industries[(r >> 40) % 8], code + 2, words[(r >> 44) % 16], (r >> 48) % 999 + 1,
               (r >> 52) % 2 ? "陈志强" : "林美华", y, m, d,
               st < 1 ? "吊销" : st < 2 ? "注销" : "存续", (r >> 56) % 20 == 0 ? "投诉较多" : "",
               (r >> 58) % 10 < 3 ? "SC10335010200" : "");
    }
}

static void facts(unsigned long long n, unsigned long long nfacts, const char *as_of)
{
    static const struct {
        const char *kind;
        int weight;
    } mix[] = {{"inspection.normal", 30}, {"inspection.ordered_to_correct", 10},
               {"inspection.unreachable", 5}, {"inspection.not_published", 5},
               {"spot_check.pass", 20},   {"spot_check.fail", 6},
               {"penalty.low", 8},        {"penalty.high", 4},
               {"complaint", 10},         {"list.abnormal", 2}};
    int total = 0;
    for (size_t k = 0; k < sizeof mix / sizeof mix[0]; k++)
        total += mix[k].weight;
    int ay = atoi(as_of);
    puts("BEGIN;");
    for (unsigned long long i = 0; i < nfacts; i++) {
        if (i % 500 == 0)
            printf("%sINSERT INTO credit_facts (credit_code, kind, occurred_on, source, ref, detail, "
                   "created_at) VALUES\n",
                   i ? ";\n" : "");
        unsigned long long r = next();
        char code[19];
        code_of(r % n, code);
        int w = (int)((r >> 24) % (unsigned)total), k = 0;
        while (w >= mix[k].weight)
            w -= mix[k++].weight;
        printf("%s('%s','%s','%04d-%02d-%02d','bench','%llu','',0)", i % 500 ? ",\n" : "", code,
               mix[k].kind, ay - 4 + (int)((r >> 32) % 4), 1 + (int)((r >> 40) % 12),
               1 + (int)((r >> 48) % 28), i);
    }
    puts(";\nCOMMIT;");
}

int main(int argc, char **argv)
{
    unsigned long long n = 1000000, nf = 0;
    const char *as_of = "2026-11-24";
    int sql = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--n") && i + 1 < argc)
            n = strtoull(argv[++i], NULL, 10);
        else if (!strcmp(argv[i], "--facts") && i + 1 < argc)
            nf = strtoull(argv[++i], NULL, 10);
        else if (!strcmp(argv[i], "--as-of") && i + 1 < argc)
            as_of = argv[++i];
        else if (!strcmp(argv[i], "--sql"))
            sql = 1;
        else {
            fprintf(stderr, "usage: gen_entities [--n N] [--facts M --sql] [--as-of DATE]\n");
            return 2;
        }
    }
    if (sql)
        facts(n, nf, as_of);
    else
        entities(n);
    return 0;
}
