/*
 * draw_bench.c — the 双随机 draw at province scale: 1,000,000 synthetic
 * enterprises (credit classes A/B/C/D, 40 regions, 8 fields) and 2,000
 * inspectors; a stratified draw of about 3% with teams of 2 (lead from the
 * target's region, every member qualified for its field), then its
 * verification from scratch (pool and roster re-hashed, everything
 * recomputed), as `nqi draw verify` would do.
 *
 *   cc -std=gnu11 -O2 -Isrc -o build/draw_bench bench/draw_bench.c \
 *      src/supervision/draw.c src/supervision/credit_code.c src/core/err.c \
 *      src/core/util.c -lsodium -ljansson -lm && build/draw_bench [entities] [inspectors]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "core/util.h"
#include "supervision/credit_code.h"
#include "supervision/draw.h"

static uint64_t rng = 88172645463325252ULL; /* xorshift64: reproducible input */
static uint64_t next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

/* CPU time of this process: on a shared machine wall time mostly measures the neighbours */
static double cpu_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static const char *fields[8] = {"food", "drug", "device", "cosmetic", "special_equipment",
                                "industrial_product", "metrology", "advertising"};

int main(int argc, char **argv)
{
    size_t ne = argc > 1 ? (size_t)atol(argv[1]) : 1000000;
    size_t ni = argc > 2 ? (size_t)atol(argv[2]) : 2000;
    char regions[40][8];
    for (int r = 0; r < 40; r++)
        snprintf(regions[r], sizeof regions[r], "35%02d00", r + 1);
    /* entities: 91 + region + random 9-character organisation code + check */
    char(*codes)[19] = malloc(ne * sizeof *codes);
    draw_entity *ents = malloc(ne * sizeof *ents);
    static const char *cls[4] = {"A", "B", "C", "D"};
    for (size_t i = 0; i < ne; i++) {
        int r = (int)(next() % 40);
        memcpy(codes[i], "91", 2);
        memcpy(codes[i] + 2, regions[r], 6);
        for (int j = 8; j < 17; j++)
            codes[i][j] = credit_code_charset[next() % 31];
        codes[i][17] = credit_code_check_char(codes[i]);
        codes[i][18] = '\0';
        uint64_t c = next() % 100; /* A 30%, B 50%, C 15%, D 5% */
        ents[i] = (draw_entity){codes[i], cls[c < 30 ? 0 : c < 80 ? 1 : c < 95 ? 2 : 3],
                                regions[r], fields[next() % 8]};
    }
    /* inspectors: 50 per region, 3 fields each, 5% inactive, 5 conflicts */
    char(*ids)[24] = malloc(ni * sizeof *ids);
    const char *(*ifields)[3] = malloc(ni * sizeof *ifields);
    const char *(*iconf)[5] = malloc(ni * sizeof *iconf);
    draw_inspector *insp = malloc(ni * sizeof *insp);
    for (size_t i = 0; i < ni; i++) {
        snprintf(ids[i], sizeof ids[i], "ZF%06zu", i);
        int f = (int)(next() % 8);
        ifields[i][0] = fields[f];
        ifields[i][1] = fields[(f + 1) % 8];
        ifields[i][2] = fields[(f + 3) % 8];
        for (int c = 0; c < 5; c++)
            iconf[i][c] = codes[next() % ne];
        insp[i] = (draw_inspector){ids[i], "市场监督管理局执法稽查", regions[i % 40], ifields[i], 3,
                                   next() % 20 != 0, iconf[i], 5};
    }
    nqi_error err;
    nqi_error_clear(&err);
    draw_stratum st[4] = {{"A", 1}, {"B", 2}, {"C", 5}, {"D", 20}};
    draw_params pp = {st, 4, NULL, 0, 2, DRAW_RULE_LEAD, DRAW_RULE_ALL};
    unsigned char seed[32];
    if (sodium_init() < 0)
        return 1;
    randombytes_buf(seed, sizeof seed);
    const char *pv = "6a09e667f3bcc908bb67ae8584caa73b3c6ef372fe94f82ba54ff53a5f1d36f1";

    double c0 = cpu_ms();
    int64_t t0 = mono_us();
    draw_pool *pool;
    draw_roster *roster;
    draw_record *rec;
    if (draw_pool_new(ents, ne, &pool, &err)) {
        fprintf(stderr, "pool: %s\n", err.message); /* a duplicate code: rerun with another size */
        return 1;
    }
    int64_t t1 = mono_us();
    double c1 = cpu_ms();
    if (draw_roster_new(insp, ni, &roster, &err) ||
        draw_commit("bench", &pp, pool, roster, seed, now_ms(), &rec, &err)) {
        fprintf(stderr, "%s\n", err.message);
        return 1;
    }
    int64_t t2 = mono_us();
    if (draw_run(rec, pool, roster, seed, pv, now_ms(), &err)) {
        fprintf(stderr, "run: %s\n", err.message);
        return 1;
    }
    int64_t t3 = mono_us();
    double c3 = cpu_ms();
    json_t *j = draw_record_to_json(rec);
    char *text = json_dumps(j, JSON_COMPACT);
    json_decref(j);
    int64_t t4 = mono_us();
    size_t ntargets = draw_record_ntargets(rec);
    draw_record_free(rec);
    draw_pool_free(pool);
    draw_roster_free(roster);

    /* verification from scratch: parse the record, re-hash, recompute */
    int64_t v0 = mono_us();
    double cv0 = cpu_ms();
    json_t *jr = json_loads(text, 0, NULL);
    draw_record *r2;
    if (!jr || draw_record_from_json(jr, &r2, &err)) {
        fprintf(stderr, "record: %s\n", err.message);
        return 1;
    }
    json_decref(jr);
    int64_t v1 = mono_us();
    double cv1 = cpu_ms();
    if (draw_pool_new(ents, ne, &pool, &err) || draw_roster_new(insp, ni, &roster, &err))
        return 1;
    int64_t v2 = mono_us();
    int rc = draw_verify(r2, pool, roster, &err);
    int64_t v3 = mono_us();
    double cv3 = cpu_ms();

    printf("entities %zu, inspectors %zu, targets %zu (%.2f%%), team size 2, record %zu bytes\n",
           ne, ni, ntargets, 100.0 * ntargets / ne, strlen(text));
    printf("draw:   pool validate+sort+hash %6.1f ms | roster+commit %5.1f ms | draw+teams %6.1f "
           "ms | total %6.1f ms (+ record JSON %5.1f ms)\n",
           (t1 - t0) / 1e3, (t2 - t1) / 1e3, (t3 - t2) / 1e3, (t3 - t0) / 1e3, (t4 - t3) / 1e3);
    printf("verify: record parse %6.1f ms | pool+roster %6.1f ms | recompute %6.1f ms | total "
           "%6.1f ms: %s\n",
           (v1 - v0) / 1e3, (v2 - v1) / 1e3, (v3 - v2) / 1e3, (v3 - v0) / 1e3,
           rc ? err.message : "verified");
    printf("cpu:    draw %.1f ms (pool %.1f) | verify %.1f ms (without record parse %.1f)\n",
           c3 - c0, c1 - c0, cv3 - cv0, cv3 - cv1);
    free(text);
    draw_record_free(r2);
    draw_pool_free(pool);
    draw_roster_free(roster);
    free(codes);
    free(ents);
    free(ids);
    free(ifields);
    free(iconf);
    free(insp);
    return rc ? 1 : 0;
}
