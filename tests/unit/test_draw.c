/*
 * test_draw.c — the verifiable draw (src/supervision/draw.c): the documented
 * test vector (docs/modules/draw.md, checked there against an independent
 * Python implementation), determinism, sensitivity, verification of
 * tampered records, team rules and conflicts, errors, recusal redraws, and a
 * chi-square uniformity test over 10,000 seeded draws.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "core/util.h"
#include "supervision/credit_code.h"
#include "supervision/draw.h"

#define PV "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"
#define T_COMMIT 1764000000000LL /* 2025-11-24T16:00:00.000Z */

/* A valid code: 8-character prefix, the serial in base 31, check character. */
static void make_code(char out[19], const char *prefix8, unsigned long serial)
{
    memcpy(out, prefix8, 8);
    for (int i = 16; i >= 8; i--) {
        out[i] = credit_code_charset[serial % 31];
        serial /= 31;
    }
    out[17] = credit_code_check_char(out);
    out[18] = '\0';
}

/* ---- the documented vector: 12 entities, 8 inspectors ---- */

typedef struct vec {
    char codes[12][19];
    draw_entity ents[12];
    char ids[8][16];
    draw_inspector insp[8];
    const char *conf1[1];
    draw_stratum strata[3];
    const char *directed[1];
    draw_params params;
    unsigned char seed[32];
    draw_pool *pool;
    draw_roster *roster;
} vec;

static const char *f_food[] = {"food"}, *f_both[] = {"food", "drug"};

static void vec_init(vec *v)
{
    static const char *strata[12] = {"A", "B", "C", "B", "A", "C", "B", "C", "B", "A", "C", "B"};
    memset(v, 0, sizeof *v);
    for (int i = 0; i < 12; i++) {
        make_code(v->codes[i], i % 2 ? "91350200" : "91350100", 1000 + 37 * (unsigned long)i);
        v->ents[i] = (draw_entity){v->codes[i], strata[i], i % 2 ? "350200" : "350100",
                                   i % 3 ? "food" : "drug"};
    }
    v->conf1[0] = v->codes[0];
    for (int i = 0; i < 8; i++) {
        snprintf(v->ids[i], sizeof v->ids[i], "I%02d", i + 1);
        v->insp[i] = (draw_inspector){v->ids[i], "福州市市场监管局", i % 2 ? "350200" : "350100",
                                      i % 2 ? f_food : f_both, i % 2 ? 1 : 2, i != 7,
                                      i == 0 ? v->conf1 : NULL, i == 0};
    }
    v->strata[0] = (draw_stratum){"A", 50};
    v->strata[1] = (draw_stratum){"B", 40};
    v->strata[2] = (draw_stratum){"C", 25};
    v->directed[0] = v->codes[7];
    v->params = (draw_params){v->strata, 3, v->directed, 1, 2, DRAW_RULE_LEAD, DRAW_RULE_NONE};
    for (int i = 0; i < 32; i++)
        v->seed[i] = (unsigned char)i;
}

static void vec_build(vec *v)
{
    nqi_error err;
    nqi_error_clear(&err);
    assert_int_equal(draw_pool_new(v->ents, 12, &v->pool, &err), 0);
    assert_int_equal(draw_roster_new(v->insp, 8, &v->roster, &err), 0);
}

static void vec_free(vec *v)
{
    draw_pool_free(v->pool);
    draw_roster_free(v->roster);
}

static draw_record *vec_draw(vec *v, const char *pv)
{
    nqi_error err;
    nqi_error_clear(&err);
    draw_record *rec = NULL;
    assert_int_equal(draw_commit("2025-FZ-001", &v->params, v->pool, v->roster, v->seed,
                                 T_COMMIT, &rec, &err),
                     0);
    assert_int_equal(draw_run(rec, v->pool, v->roster, v->seed, pv, T_COMMIT + 3600000, &err), 0);
    return rec;
}

static char *team_str(const draw_target *t)
{
    static char s[128];
    s[0] = '\0';
    for (int m = 0; m < t->nteam; m++)
        snprintf(s + strlen(s), sizeof s - strlen(s), "%s%s", m ? "," : "", t->team[m]);
    return s;
}

static void test_vector(void **state)
{
    (void)state;
    vec v;
    vec_init(&v);
    vec_build(&v);
    size_t len;
    char *canon = draw_pool_canonical(v.pool, &len);
    assert_string_equal(canon, "913501000000001181|A|350100|drug\n"
                               "9135010000000013L8|C|350100|food\n"
                               "91350100000000161G|A|350100|food\n"
                               "9135010000000018DP|B|350100|drug\n"
                               "913501000000001ARY|B|350100|food\n"
                               "913501000000001D67|C|350100|food\n"
                               "9135020000000012ER|B|350200|food\n"
                               "9135020000000014T1|B|350200|drug\n"
                               "913502000000001779|C|350200|food\n"
                               "9135020000000019KG|C|350200|food\n"
                               "913502000000001C0Q|A|350200|drug\n"
                               "913502000000001EC0|B|350200|food\n");
    free(canon);
    assert_string_equal(draw_pool_hash(v.pool),
                        "10b883d1b56467f292346e8f7f83226f662cb54b3d54f2c86be176590834e789");
    canon = draw_roster_canonical(v.roster, NULL);
    assert_non_null(strstr(canon, "I01|福州市市场监管局|350100|1|drug,food|913501000000001181\n"
                                  "I02|福州市市场监管局|350200|1|food|\n"));
    assert_non_null(strstr(canon, "I08|福州市市场监管局|350200|0|food|\n"));
    free(canon);
    assert_string_equal(draw_roster_hash(v.roster),
                        "2e14dd415a6950ccfd1241bedf553d7d0b0ae8bb5db84f856bc672aeceee8d2d");

    draw_record *rec = vec_draw(&v, PV);
    assert_string_equal(draw_record_commitment(rec),
                        "3657142531b8b648dacd2f04f08608bb085607626b04edc8a67b2892075d782e");
    static const struct {
        const char *code, *stratum, *team;
        bool directed;
    } want[] = {
        {"913501000000001181", "A", "I07,I05", false},
        {"91350100000000161G", "A", "I05,I03", false},
        {"913501000000001D67", "C", "I03,I04", false},
        {"9135020000000012ER", "B", "I02,I03", false},
        {"9135020000000019KG", "C", "I04,I02", true},
        {"913502000000001EC0", "B", "I06,I07", false},
    };
    assert_int_equal(draw_record_ntargets(rec), 6);
    for (size_t i = 0; i < 6; i++) {
        const draw_target *t = draw_record_target(rec, i);
        assert_string_equal(t->credit_code, want[i].code);
        assert_string_equal(t->stratum, want[i].stratum);
        assert_int_equal(t->directed, want[i].directed);
        assert_string_equal(team_str(t), want[i].team);
    }
    nqi_error err;
    nqi_error_clear(&err);
    assert_int_equal(draw_redraw(rec, v.pool, v.roster, "913501000000001181", "I07",
                                 "申请回避：亲属关系", T_COMMIT + 7200000, &err),
                     0);
    const draw_redraw_event *ev = draw_record_redraw(rec, 0);
    assert_string_equal(ev->replacement, "I03");
    assert_string_equal(ev->reason_hash,
                        "b6b0861b749754265ebbf9c4e33e309b296d4c842adeec3cdd895824d00fa253");
    assert_string_equal(team_str(draw_record_find(rec, "913501000000001181")), "I03,I05");
    assert_int_equal(draw_verify(rec, v.pool, v.roster, &err), 0);
    draw_record_free(rec);
    vec_free(&v);
}

/* The stratum selection re-implemented from the specification with
 * randombytes_buf_deterministic, for a 50% draw of stratum B (5 entities,
 * none directed). */
static void test_spec_stream(void **state)
{
    (void)state;
    vec v;
    vec_init(&v);
    vec_build(&v);
    draw_record *rec = vec_draw(&v, PV);
    unsigned char pv[32], key[32], sub[32];
    hex_decode(PV, pv, 32);
    crypto_hash_sha256_state st;
    crypto_hash_sha256_init(&st);
    crypto_hash_sha256_update(&st, v.seed, 32);
    crypto_hash_sha256_update(&st, pv, 32);
    crypto_hash_sha256_update(&st, (const unsigned char *)"nqi-draw/v1", 11);
    crypto_hash_sha256_final(&st, key);
    unsigned char in[32 + 9];
    memcpy(in, key, 32);
    memcpy(in + 32, "stratum/B", 9);
    crypto_hash_sha256(sub, in, sizeof in);
    unsigned char bytes[1024];
    randombytes_buf_deterministic(bytes, sizeof bytes, sub);
    /* B in code order */
    const char *b[5] = {"9135010000000018DP", "913501000000001ARY", "9135020000000012ER",
                        "9135020000000014T1", "913502000000001EC0"};
    size_t pos = 0, n = 5, k = 2; /* ceil(5 * 400000 / 1e6) = 2 */
    for (size_t i = 0; i < k; i++) {
        uint64_t m = n - i, t = (0 - m) % m, x;
        do {
            x = 0;
            for (int j = 7; j >= 0; j--)
                x = x << 8 | bytes[pos + (size_t)j];
            pos += 8;
        } while (x < t);
        size_t j = i + (size_t)(x % m);
        const char *tmp = b[i];
        b[i] = b[j];
        b[j] = tmp;
    }
    for (size_t i = 0; i < k; i++) {
        const draw_target *t = draw_record_find(rec, b[i]);
        assert_non_null(t);
        assert_string_equal(t->stratum, "B");
    }
    draw_record_free(rec);
    vec_free(&v);
}

static char *rec_dump(const draw_record *rec)
{
    json_t *j = draw_record_to_json(rec);
    char *s = json_dumps(j, JSON_COMPACT);
    json_decref(j);
    return s;
}

static void test_determinism_and_sensitivity(void **state)
{
    (void)state;
    vec v;
    vec_init(&v);
    vec_build(&v);
    draw_record *a = vec_draw(&v, PV), *b = vec_draw(&v, PV);
    char *sa = rec_dump(a), *sb = rec_dump(b);
    assert_string_equal(sa, sb);
    free(sb);
    /* another public value: another selection or teams */
    draw_record *c = vec_draw(&v, "ff112233445566778899aabbccddeeff00112233445566778899aabbccddeeff");
    char *sc = rec_dump(c);
    assert_string_not_equal(strstr(sa, "\"targets\""), strstr(sc, "\"targets\""));
    free(sc);
    draw_record_free(c);
    /* another seed */
    v.seed[0] ^= 1;
    c = vec_draw(&v, PV);
    sc = rec_dump(c);
    assert_string_not_equal(strstr(sa, "\"targets\""), strstr(sc, "\"targets\""));
    assert_string_not_equal(draw_record_commitment(a), draw_record_commitment(c));
    free(sc);
    draw_record_free(c);
    /* one pool entry changed: another pool hash, and the old record fails */
    v.seed[0] ^= 1;
    vec w;
    vec_init(&w);
    w.ents[5].stratum = "A";
    vec_build(&w);
    assert_string_not_equal(draw_pool_hash(v.pool), draw_pool_hash(w.pool));
    w.ents[5].stratum = "C";
    w.ents[5].field = "drug";
    draw_pool_free(w.pool);
    nqi_error err;
    nqi_error_clear(&err);
    assert_int_equal(draw_pool_new(w.ents, 12, &w.pool, &err), 0);
    assert_string_not_equal(draw_pool_hash(v.pool), draw_pool_hash(w.pool));
    assert_int_equal(draw_verify(a, w.pool, v.roster, &err), NQI_ECONFLICT);
    assert_string_equal(err.fields[0].field, "pool_hash");
    assert_non_null(strstr(err.fields[0].message, "pool changed after the commitment"));
    /* the pool is hashed in code order: input order does not matter */
    draw_entity rev[12];
    for (int i = 0; i < 12; i++)
        rev[i] = v.ents[11 - i];
    draw_pool *pr;
    assert_int_equal(draw_pool_new(rev, 12, &pr, &err), 0);
    assert_string_equal(draw_pool_hash(pr), draw_pool_hash(v.pool));
    nqi_error_clear(&err);
    assert_int_equal(draw_verify(a, pr, v.roster, &err), 0);
    draw_pool_free(pr);
    free(sa);
    draw_record_free(a);
    draw_record_free(b);
    vec_free(&w);
    vec_free(&v);
}

/* Serialise, edit one thing, read back, verify. */
static int tampered(vec *v, const draw_record *rec, void (*edit)(json_t *), nqi_error *err)
{
    json_t *j = draw_record_to_json(rec);
    edit(j);
    draw_record *r2 = NULL;
    nqi_error_clear(err);
    assert_int_equal(draw_record_from_json(j, &r2, err), 0);
    json_decref(j);
    int rc = draw_verify(r2, v->pool, v->roster, err);
    draw_record_free(r2);
    return rc;
}

static void edit_none(json_t *j) { (void)j; }
static void edit_team(json_t *j)
{
    json_t *t = json_array_get(json_object_get(j, "targets"), 1);
    json_array_set_new(json_object_get(t, "team"), 1, json_string("I08"));
}
static void edit_seed(json_t *j)
{
    json_object_set_new(j, "seed", json_string(
        "100102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"));
}
static void edit_params(json_t *j)
{
    json_object_set_new(json_object_get(j, "params"), "team_size", json_integer(3));
}
static void edit_target(json_t *j)
{
    json_t *t = json_array_get(json_object_get(j, "targets"), 0);
    json_object_set_new(t, "credit_code", json_string("91350100M000100Y43"));
}
static void edit_pv(json_t *j)
{
    json_object_set_new(j, "public_value", json_string(
        "ff112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"));
}
static void edit_redraw(json_t *j)
{
    json_t *e = json_array_get(json_object_get(j, "redraws"), 0);
    json_object_set_new(e, "replacement", json_string("I01"));
}

static void test_verify_tampering(void **state)
{
    (void)state;
    vec v;
    vec_init(&v);
    vec_build(&v);
    draw_record *rec = vec_draw(&v, PV);
    nqi_error err;
    nqi_error_clear(&err);
    assert_int_equal(draw_redraw(rec, v.pool, v.roster, "913501000000001181", "I07", "回避",
                                 T_COMMIT + 7200000, &err),
                     0);
    assert_int_equal(tampered(&v, rec, edit_none, &err), 0);
    assert_int_equal(tampered(&v, rec, edit_team, &err), NQI_ECONFLICT);
    assert_string_equal(err.fields[0].field, "targets/91350100000000161G/team");
    assert_int_equal(tampered(&v, rec, edit_seed, &err), NQI_ECONFLICT);
    assert_string_equal(err.fields[0].field, "seed");
    assert_int_equal(tampered(&v, rec, edit_params, &err), NQI_ECONFLICT);
    assert_string_equal(err.fields[0].field, "commitment");
    assert_int_equal(tampered(&v, rec, edit_target, &err), NQI_ECONFLICT);
    assert_non_null(strstr(err.message, "strata/A"));
    assert_int_equal(tampered(&v, rec, edit_pv, &err), NQI_ECONFLICT);
    assert_int_equal(tampered(&v, rec, edit_redraw, &err), NQI_ECONFLICT);
    assert_string_equal(err.fields[0].field, "redraws/1");
    /* round trip is exact */
    json_t *j = draw_record_to_json(rec);
    draw_record *r2;
    assert_int_equal(draw_record_from_json(j, &r2, &err), 0);
    char *a = rec_dump(rec), *b = rec_dump(r2);
    assert_string_equal(a, b);
    free(a);
    free(b);
    json_decref(j);
    draw_record_free(r2);
    /* a committed record verifies its commitment only */
    draw_record *c;
    assert_int_equal(draw_commit("x", &v.params, v.pool, v.roster, v.seed, T_COMMIT, &c, &err), 0);
    assert_int_equal(draw_verify(c, v.pool, v.roster, &err), 0);
    draw_record_free(c);
    draw_record_free(rec);
    vec_free(&v);
}

/* ---- a larger pool for rules, conflicts and statistics ---- */

#define NE 200 /* 4 strata x 50 */
#define NI 24

typedef struct big {
    char codes[NE][19];
    draw_entity ents[NE];
    char ids[NI][16];
    const char *conf[NI][NE / 4];
    draw_inspector insp[NI];
    draw_pool *pool;
    draw_roster *roster;
} big;

static const char *regions[3] = {"350100", "350200", "350300"};

static void big_init(big *b, int conflicts_per_inspector)
{
    static const char *labels[4] = {"A", "B", "C", "D"};
    for (int i = 0; i < NE; i++) {
        make_code(b->codes[i], "91350100", 500000 + 7919 * (unsigned long)i);
        b->ents[i] = (draw_entity){b->codes[i], labels[i % 4], regions[i % 3],
                                   i % 2 ? "food" : "drug"};
    }
    for (int i = 0; i < NI; i++) {
        snprintf(b->ids[i], sizeof b->ids[i], "E%03d", i);
        for (int c = 0; c < conflicts_per_inspector; c++)
            b->conf[i][c] = b->codes[(i * 13 + c * 7) % NE];
        b->insp[i] = (draw_inspector){b->ids[i], "稽查局", regions[i % 3],
                                      i % 4 ? f_both : f_food, i % 4 ? 2 : 1, i % 11 != 5,
                                      b->conf[i], (size_t)conflicts_per_inspector};
    }
    nqi_error err;
    nqi_error_clear(&err);
    assert_int_equal(draw_pool_new(b->ents, NE, &b->pool, &err), 0);
    assert_int_equal(draw_roster_new(b->insp, NI, &b->roster, &err), 0);
}

static void big_free(big *b)
{
    draw_pool_free(b->pool);
    draw_roster_free(b->roster);
}

static const draw_inspector *insp_by_id(const big *b, const char *id)
{
    for (int i = 0; i < NI; i++)
        if (strcmp(b->ids[i], id) == 0)
            return &b->insp[i];
    return NULL;
}

static const draw_entity *ent_by_code(const big *b, const char *code)
{
    for (int i = 0; i < NE; i++)
        if (strcmp(b->codes[i], code) == 0)
            return &b->ents[i];
    return NULL;
}

static void pv_of(unsigned n, char out[65])
{
    unsigned char d[32];
    crypto_hash_sha256(d, (const unsigned char *)&n, sizeof n);
    hex_encode(d, 32, out);
}

static void test_rules_and_conflicts(void **state)
{
    (void)state;
    big *b = calloc(1, sizeof *b);
    big_init(b, 20);
    draw_stratum st[4] = {{"A", 20}, {"B", 20}, {"C", 20}, {"D", 20}};
    draw_params pp = {st, 4, NULL, 0, 3, DRAW_RULE_LEAD, DRAW_RULE_ALL};
    unsigned char seed[32] = {7};
    nqi_error err;
    int checked = 0;
    for (unsigned r = 0; r < 40; r++) {
        char pv[65];
        pv_of(r, pv);
        draw_record *rec;
        nqi_error_clear(&err);
        assert_int_equal(draw_commit("rules", &pp, b->pool, b->roster, seed, T_COMMIT, &rec, &err), 0);
        assert_int_equal(draw_run(rec, b->pool, b->roster, seed, pv, T_COMMIT, &err), 0);
        assert_int_equal(draw_record_ntargets(rec), 40); /* 4 x ceil(50 * 0.2) */
        for (size_t i = 0; i < draw_record_ntargets(rec); i++) {
            const draw_target *t = draw_record_target(rec, i);
            const draw_entity *e = ent_by_code(b, t->credit_code);
            assert_int_equal(t->nteam, 3);
            for (int m = 0; m < t->nteam; m++) {
                const draw_inspector *in = insp_by_id(b, t->team[m]);
                assert_true(in->active);
                for (size_t c = 0; c < in->nconflicts; c++)
                    assert_string_not_equal(in->conflicts[c], t->credit_code);
                bool has = false;
                for (size_t f = 0; f < in->nfields; f++)
                    has |= strcmp(in->fields[f], e->field) == 0;
                assert_true(has); /* field rule: all */
                for (int o = 0; o < m; o++)
                    assert_string_not_equal(t->team[o], t->team[m]);
                checked++;
            }
            assert_string_equal(insp_by_id(b, t->team[0])->region, e->region); /* lead rule */
        }
        assert_int_equal(draw_verify(rec, b->pool, b->roster, &err), 0);
        draw_record_free(rec);
    }
    assert_int_equal(checked, 40 * 40 * 3);
    big_free(b);
    free(b);
}

static void test_errors(void **state)
{
    (void)state;
    vec v;
    vec_init(&v);
    vec_build(&v);
    nqi_error err;
    draw_record *rec;
    /* proportions */
    double bad[3] = {100.5, -1, 0.0 / 0.0};
    for (int i = 0; i < 3; i++) {
        v.strata[1].percent = bad[i];
        nqi_error_clear(&err);
        assert_int_equal(draw_commit("d", &v.params, v.pool, v.roster, v.seed, 0, &rec, &err),
                         NQI_EINVAL);
        assert_null(rec);
        assert_string_equal(err.fields[0].field, "strata/B/proportion");
    }
    v.strata[1].percent = 40;
    /* a stratum of the pool without a proportion */
    v.params.nstrata = 2;
    nqi_error_clear(&err);
    assert_int_equal(draw_commit("d", &v.params, v.pool, v.roster, v.seed, 0, &rec, &err), NQI_EINVAL);
    assert_string_equal(err.fields[0].field, "strata/C");
    v.params.nstrata = 3;
    /* directed: invalid, not in the pool */
    const char *dir[2] = {"91350100M000100Y44", "91350100M000100Y43"};
    v.params.directed = dir;
    v.params.ndirected = 2;
    nqi_error_clear(&err);
    assert_int_equal(draw_commit("d", &v.params, v.pool, v.roster, v.seed, 0, &rec, &err), NQI_EINVAL);
    assert_string_equal(err.fields[0].field, "directed/0");
    assert_string_equal(err.fields[1].field, "directed/1");
    assert_non_null(strstr(err.fields[1].message, "not in the pool"));
    v.params.directed = v.directed;
    v.params.ndirected = 1;
    v.params.team_size = 1;
    nqi_error_clear(&err);
    assert_int_equal(draw_commit("d", &v.params, v.pool, v.roster, v.seed, 0, &rec, &err), NQI_EINVAL);
    assert_string_equal(err.fields[0].field, "team_size");
    v.params.team_size = 2;
    /* invalid and duplicate codes in the pool */
    draw_pool *p;
    v.ents[3].credit_code = "9135010000000018DQ";
    nqi_error_clear(&err);
    assert_int_equal(draw_pool_new(v.ents, 12, &p, &err), NQI_EINVAL);
    assert_null(p);
    assert_string_equal(err.fields[0].field, "pool/3/credit_code");
    v.ents[3].credit_code = v.codes[9];
    nqi_error_clear(&err);
    assert_int_equal(draw_pool_new(v.ents, 12, &p, &err), NQI_EINVAL);
    assert_string_equal(err.fields[0].field, "pool/9/credit_code");
    assert_non_null(strstr(err.fields[0].message, "duplicate of pool/3"));
    v.ents[3].credit_code = v.codes[3];
    v.ents[4].stratum = "A|B";
    nqi_error_clear(&err);
    assert_int_equal(draw_pool_new(v.ents, 12, &p, &err), NQI_EINVAL);
    assert_string_equal(err.fields[0].field, "pool/4/stratum");
    v.ents[4].stratum = "A";
    /* roster: duplicate id, invalid conflict */
    draw_roster *r;
    v.insp[3].id = "I02";
    nqi_error_clear(&err);
    assert_int_equal(draw_roster_new(v.insp, 8, &r, &err), NQI_EINVAL);
    assert_string_equal(err.fields[0].field, "inspectors/3/id");
    v.insp[3].id = v.ids[3];
    const char *badconf[1] = {"91350100M000100Y4"};
    v.insp[2].conflicts = badconf;
    v.insp[2].nconflicts = 1;
    nqi_error_clear(&err);
    assert_int_equal(draw_roster_new(v.insp, 8, &r, &err), NQI_EINVAL);
    assert_string_equal(err.fields[0].field, "inspectors/2/conflicts/0");
    v.insp[2].conflicts = NULL;
    v.insp[2].nconflicts = 0;
    /* team cannot be formed: region rule "all" leaves 3 active officers in
     * 350200 (I08 inactive); team of 4 */
    v.params.region_rule = DRAW_RULE_ALL;
    v.params.team_size = 4;
    nqi_error_clear(&err);
    assert_int_equal(draw_commit("d", &v.params, v.pool, v.roster, v.seed, T_COMMIT, &rec, &err), 0);
    assert_int_equal(draw_run(rec, v.pool, v.roster, v.seed, PV, T_COMMIT, &err), NQI_EINVAL);
    assert_non_null(strstr(err.fields[0].field, "/team"));
    assert_non_null(strstr(err.message, "team cannot be formed"));
    assert_non_null(strstr(err.message, "3 eligible officers"));
    assert_int_equal(draw_record_state(rec), DRAW_COMMITTED);
    assert_int_equal(draw_record_ntargets(rec), 0);
    draw_record_free(rec);
    v.params.region_rule = DRAW_RULE_LEAD;
    v.params.team_size = 2;
    /* pool changed after the commitment; wrong seed; bad P; drawn twice */
    assert_int_equal(draw_commit("d", &v.params, v.pool, v.roster, v.seed, T_COMMIT, &rec, &err), 0);
    v.ents[0].region = "350200";
    nqi_error_clear(&err);
    assert_int_equal(draw_pool_new(v.ents, 12, &p, &err), 0);
    assert_int_equal(draw_run(rec, p, v.roster, v.seed, PV, T_COMMIT, &err), NQI_ECONFLICT);
    assert_string_equal(err.fields[0].field, "pool_hash");
    assert_non_null(strstr(err.message, "pool changed after the commitment"));
    assert_int_equal(draw_record_ntargets(rec), 0);
    draw_pool_free(p);
    unsigned char other[32] = {1};
    nqi_error_clear(&err);
    assert_int_equal(draw_run(rec, v.pool, v.roster, other, PV, T_COMMIT, &err), NQI_ECONFLICT);
    assert_string_equal(err.fields[0].field, "seed");
    nqi_error_clear(&err);
    assert_int_equal(draw_run(rec, v.pool, v.roster, v.seed, "00zz", T_COMMIT, &err), NQI_EINVAL);
    assert_string_equal(err.fields[0].field, "public_value");
    assert_int_equal(draw_record_state(rec), DRAW_COMMITTED);
    assert_int_equal(draw_run(rec, v.pool, v.roster, v.seed, PV, T_COMMIT, &err), 0);
    nqi_error_clear(&err);
    assert_int_equal(draw_run(rec, v.pool, v.roster, v.seed, PV, T_COMMIT, &err), NQI_ECONFLICT);
    draw_record_free(rec);
    vec_free(&v);
}

static void test_rounding_and_directed(void **state)
{
    (void)state;
    big *b = calloc(1, sizeof *b);
    big_init(b, 0);
    /* 50 per stratum: 3% -> ceil(1.5) = 2; 0.01% -> 1; 0 -> 0; 100 -> all but directed */
    draw_stratum st[4] = {{"A", 3}, {"B", 0.01}, {"C", 0}, {"D", 100}};
    const char *dir[2] = {b->codes[2], b->codes[3]}; /* strata C and D */
    draw_params pp = {st, 4, dir, 2, 2, DRAW_RULE_NONE, DRAW_RULE_NONE};
    unsigned char seed[32] = {9};
    nqi_error err;
    nqi_error_clear(&err);
    draw_record *rec;
    assert_int_equal(draw_commit("r", &pp, b->pool, b->roster, seed, 0, &rec, &err), 0);
    assert_int_equal(draw_run(rec, b->pool, b->roster, seed, PV, 0, &err), 0);
    int count[4] = {0}, ndir = 0;
    for (size_t i = 0; i < draw_record_ntargets(rec); i++) {
        const draw_target *t = draw_record_target(rec, i);
        count[t->stratum[0] - 'A']++;
        ndir += t->directed;
        if (i)
            assert_true(strcmp(draw_record_target(rec, i - 1)->credit_code, t->credit_code) < 0);
    }
    assert_int_equal(count[0], 2);
    assert_int_equal(count[1], 1);
    assert_int_equal(count[2], 1);  /* the directed one */
    assert_int_equal(count[3], 50); /* 49 drawn + 1 directed */
    assert_int_equal(ndir, 2);
    assert_true(draw_record_find(rec, b->codes[2])->directed);
    json_t *j = draw_record_to_json(rec);
    json_t *sd = json_array_get(json_object_get(j, "strata"), 3);
    assert_int_equal(json_integer_value(json_object_get(sd, "population")), 49);
    assert_int_equal(json_integer_value(json_object_get(sd, "selected")), 49);
    json_decref(j);
    draw_record_free(rec);
    big_free(b);
    free(b);
}

static void test_recusal(void **state)
{
    (void)state;
    vec v;
    vec_init(&v);
    vec_build(&v);
    draw_record *rec = vec_draw(&v, PV);
    nqi_error err;
    const char *code = "9135020000000012ER"; /* region 350200, team I02,I03 */
    /* lead recuses: replacement from 350200 (lead rule), active, not I02 */
    nqi_error_clear(&err);
    assert_int_equal(draw_redraw(rec, v.pool, v.roster, code, "I02", "与企业负责人系亲属",
                                 T_COMMIT, &err),
                     0);
    const draw_target *t = draw_record_find(rec, code);
    assert_string_not_equal(t->team[0], "I02");
    assert_string_not_equal(t->team[0], "I08");
    const char *r1 = draw_record_redraw(rec, 0)->replacement;
    assert_string_equal(t->team[0], r1);
    assert_true(!strcmp(r1, "I04") || !strcmp(r1, "I06"));
    /* the replacement recuses too: the other 350200 officer */
    assert_int_equal(draw_redraw(rec, v.pool, v.roster, code, r1, "曾在该企业任职", T_COMMIT, &err), 0);
    const char *r2 = draw_record_redraw(rec, 1)->replacement;
    assert_true((!strcmp(r1, "I04") && !strcmp(r2, "I06")) || (!strcmp(r1, "I06") && !strcmp(r2, "I04")));
    /* and again: no 350200 officer left (I02, r1 recused; I08 inactive) */
    nqi_error_clear(&err);
    assert_int_equal(draw_redraw(rec, v.pool, v.roster, code, r2, "x", T_COMMIT, &err), NQI_EINVAL);
    assert_non_null(strstr(err.message, "no eligible replacement"));
    assert_int_equal(draw_record_nredraws(rec), 2);
    assert_string_equal(draw_record_find(rec, code)->team[0], r2);
    /* not on the team, not a target, no reason */
    nqi_error_clear(&err);
    assert_int_equal(draw_redraw(rec, v.pool, v.roster, code, "I07", "x", T_COMMIT, &err), NQI_ENOTFOUND);
    nqi_error_clear(&err);
    assert_int_equal(draw_redraw(rec, v.pool, v.roster, "91350100M000100Y43", "I07", "x", T_COMMIT, &err),
                     NQI_ENOTFOUND);
    nqi_error_clear(&err);
    assert_int_equal(draw_redraw(rec, v.pool, v.roster, code, r2, "", T_COMMIT, &err), NQI_EINVAL);
    assert_string_equal(err.fields[0].field, "reason");
    nqi_error_clear(&err);
    assert_int_equal(draw_verify(rec, v.pool, v.roster, &err), 0);
    draw_record_free(rec);
    vec_free(&v);
}

/* 10,000 draws (P = SHA-256 of the draw number) over 4 strata of 50: per
 * stratum, how often each entity is selected. A k-of-n draw gives counts
 * whose Pearson statistic, scaled by (n-1)/(n-k) for sampling without
 * replacement, is chi-square with n-1 = 49 degrees of freedom. Critical
 * values at p = 0.001: 85.351 (upper), 23.983 (lower: too even is as
 * suspicious as too uneven). */
static void test_chi_square(void **state)
{
    (void)state;
    big *b = calloc(1, sizeof *b);
    big_init(b, 0);
    draw_stratum st[4] = {{"A", 2}, {"B", 10}, {"C", 20}, {"D", 30}}; /* k = 1, 5, 10, 15 */
    draw_params pp = {st, 4, NULL, 0, 2, DRAW_RULE_NONE, DRAW_RULE_NONE};
    static unsigned counts[NE];
    memset(counts, 0, sizeof counts);
    unsigned char seed[32] = {42};
    const int draws = 10000;
    for (int r = 0; r < draws; r++) {
        char pv[65];
        pv_of((unsigned)r, pv);
        nqi_error err;
        nqi_error_clear(&err);
        draw_record *rec;
        assert_int_equal(draw_commit("chi", &pp, b->pool, b->roster, seed, 0, &rec, &err), 0);
        assert_int_equal(draw_run(rec, b->pool, b->roster, seed, pv, 0, &err), 0);
        for (size_t i = 0; i < draw_record_ntargets(rec); i++) {
            const char *code = draw_record_target(rec, i)->credit_code;
            for (int e = 0; e < NE; e++)
                if (strcmp(b->codes[e], code) == 0)
                    counts[e]++;
        }
        draw_record_free(rec);
    }
    const int k[4] = {1, 5, 10, 15}, n = 50;
    for (int s = 0; s < 4; s++) {
        double expect = (double)draws * k[s] / n, x2 = 0;
        for (int e = s; e < NE; e += 4)
            x2 += (counts[e] - expect) * (counts[e] - expect) / expect;
        x2 *= (double)(n - 1) / (n - k[s]);
        print_message("stratum %c: k=%d, chi-square %.2f (df 49)\n", 'A' + s, k[s], x2);
        assert_true(x2 < 85.351);
        assert_true(x2 > 23.983);
    }
    big_free(b);
    free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_vector),
        cmocka_unit_test(test_spec_stream),
        cmocka_unit_test(test_determinism_and_sensitivity),
        cmocka_unit_test(test_verify_tampering),
        cmocka_unit_test(test_rules_and_conflicts),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_rounding_and_directed),
        cmocka_unit_test(test_recusal),
        cmocka_unit_test(test_chi_square),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
