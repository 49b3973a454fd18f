/*
 * test_gs1.c — GS1 keys, EPC URNs and Digital Link URIs: check digits on
 * GS1's published example keys (computed here, not copied), the examples
 * of the EPC Tag Data Standard and GS1 Digital Link in every form, the
 * canonical form shared by all forms of one identifier, the Chinese
 * identifiers, and inputs that must be refused with a precise message.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "trace/gs1.h"

/* ---- check digits ------------------------------------------------------- */

typedef struct cd_row {
    const char *data; /* digits before the check digit */
    int check;
} cd_row;

/* Every check digit here was computed by hand (weights 3,1 from the right)
 * and agrees with the key as GS1 prints it. */
static const cd_row cd_rows[] = {
    {"0950600013435", 2},     /* GTIN 09506000134352, GS1 Digital Link examples */
    {"8061414112345", 8},     /* GTIN 80614141123458, TDS SGTIN example */
    {"0401234512345", 6},     /* GTIN 04012345123456, EPCIS LGTIN example */
    {"10614141234567890", 8}, /* SSCC 106141412345678908, TDS SSCC example */
    {"061414112345", 2},      /* GLN 0614141123452, TDS SGLN example */
    {"0061414112345", 2},     /* GRAI 00614141123452…, TDS GRAI example */
    {"06141411234567890", 2}, /* GSRN 061414112345678902, TDS GSRN example */
    {"9638507", 4},           /* GTIN-8 96385074, GS1 General Specifications */
    {"61414112345", 2},       /* GTIN-12 614141123452 */
    {"978030640615", 7},      /* GTIN-13 / ISBN 9780306406157 */
    {"690123456789", 2},      /* GTIN-13 6901234567892, the GS1 China sample */
    {"37610425002123456", 9}, /* SSCC 376104250021234569 */
    {"950600000000", 8},      /* GLN 9506000000008 */
    {"1061414107346", 4},     /* GTIN 10614141073464 */
    {"0", 0},
    {"5", 5}, /* 5*3 = 15 -> 5 */
};

static void test_check_digits(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof cd_rows / sizeof cd_rows[0]; i++) {
        int got = gs1_check_digit(cd_rows[i].data, strlen(cd_rows[i].data));
        if (got != cd_rows[i].check)
            fail_msg("%s: check digit %d, expected %d", cd_rows[i].data, got, cd_rows[i].check);
    }
    assert_int_equal(gs1_check_digit("12a4", 4), -1);
    assert_int_equal(gs1_check_digit("", 0), -1);
}

typedef struct gtin_row {
    const char *in, *gtin14; /* NULL: refused */
} gtin_row;

static const gtin_row gtin_rows[] = {
    {"96385074", "00000096385074"},
    {"614141123452", "00614141123452"},
    {"9780306406157", "09780306406157"},
    {"6901234567892", "06901234567892"},
    {"09506000134352", "09506000134352"},
    {"80614141123458", "80614141123458"},
    {"96385075", NULL},
    {"6901234567893", NULL},
    {"690123456789", NULL},
    {"0950600013435X", NULL},
    {"123456789012345", NULL},
};

static void test_gtin14(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof gtin_rows / sizeof gtin_rows[0]; i++) {
        char g[15];
        nqi_error err;
        nqi_error_clear(&err);
        int rc = gs1_gtin14(gtin_rows[i].in, strlen(gtin_rows[i].in), g, &err);
        if (gtin_rows[i].gtin14) {
            if (rc || strcmp(g, gtin_rows[i].gtin14))
                fail_msg("%s: rc %d '%s' (%s)", gtin_rows[i].in, rc, g, err.message);
        } else if (rc != NQI_EINVAL || strcmp(err.fields[0].field, "gtin")) {
            fail_msg("%s: expected an error on gtin, rc %d", gtin_rows[i].in, rc);
        }
    }
}

/* ---- canonical form of every accepted form ------------------------------- */

typedef struct canon_row {
    const char *in;
    const char *canonical;
    int kind; /* gs1_kind */
    int form; /* gs1_form */
} canon_row;

enum { U = GS1_FORM_URN, D = GS1_FORM_DL, E = GS1_FORM_ELEMENT, N = GS1_FORM_DIGITS };
#define GTIN GS1_KIND_GTIN

static const canon_row canon_rows[] = {
    /* TDS SGTIN example in each form */
    {"urn:epc:id:sgtin:0614141.812345.6789", "https://id.gs1.org/01/80614141123458/21/6789", GTIN,
     U},
    {"https://id.gs1.org/01/80614141123458/21/6789", "https://id.gs1.org/01/80614141123458/21/6789",
     GTIN, D},
    {"(01)80614141123458(21)6789", "https://id.gs1.org/01/80614141123458/21/6789", GTIN, E},
    {"0180614141123458216789", "https://id.gs1.org/01/80614141123458/21/6789", GTIN, E},
    {"01806141411234581012 216789", "https://id.gs1.org/01/80614141123458/21/6789", GTIN, E},
    {"]d201806141411234581012\x1d"
     "216789",
     "https://id.gs1.org/01/80614141123458/21/6789", GTIN, E},
    {"]C10180614141123458\x1d"
     "216789\x1d",
     "https://id.gs1.org/01/80614141123458/21/6789", GTIN, E},
    {"URN:EPC:ID:SGTIN:0614141.812345.6789", "https://id.gs1.org/01/80614141123458/21/6789", GTIN,
     U},
    {"  urn:epc:id:sgtin:0614141.812345.6789\n", "https://id.gs1.org/01/80614141123458/21/6789",
     GTIN, U},
    /* the same SGTIN, GCP split differently: same key, same canonical */
    {"urn:epc:id:sgtin:06141411.82345.6789", "https://id.gs1.org/01/80614141123458/21/6789", GTIN,
     U},
    /* GS1 Digital Link examples: lot and serial, a query string, other hosts, a stem */
    {"https://example.com/01/09506000134352/10/ABC1/21/12345?17=180426",
     "https://id.gs1.org/01/09506000134352/21/12345", GTIN, D},
    {"https://id.gs1.org/01/09506000134352/10/ABC1", "https://id.gs1.org/01/09506000134352/10/ABC1",
     GTIN, D},
    {"https://id.gs1.org/01/09506000134352", "https://id.gs1.org/01/09506000134352", GTIN, D},
    {"http://Example.COM:8080/some/stem/01/09506000134352#frag",
     "https://id.gs1.org/01/09506000134352", GTIN, D},
    {"/t/01/09506000134352/10/ABC1", "https://id.gs1.org/01/09506000134352/10/ABC1", GTIN, D},
    {"/01/9506000134352", "https://id.gs1.org/01/09506000134352", GTIN, D},
    {"/01/09506000134352/", "https://id.gs1.org/01/09506000134352", GTIN, D},
    {"/01/09506000134352/22/2A/10/ABC1", "https://id.gs1.org/01/09506000134352/22/2A/10/ABC1", GTIN,
     D},
    {"/01/09506000134352/22/2A/10/ABC1/21/XYZ", "https://id.gs1.org/01/09506000134352/21/XYZ", GTIN,
     D},
    /* percent-encoding: decoded, then every non-unreserved byte re-encoded */
    {"/01/09506000134352/21/A%2fB", "https://id.gs1.org/01/09506000134352/21/A%2FB", GTIN, D},
    {"/01/09506000134352/21/A!B", "https://id.gs1.org/01/09506000134352/21/A%21B", GTIN, D},
    {"urn:epc:id:sgtin:9506000.013435.A%2FB", "https://id.gs1.org/01/09506000134352/21/A%2FB", GTIN,
     U},
    {"urn:epc:id:sgtin:9506000.013435.A%21B", "https://id.gs1.org/01/09506000134352/21/A%21B", GTIN,
     U},
    {"urn:epc:id:sgtin:9506000.013435.a.b-c_d", "https://id.gs1.org/01/09506000134352/21/a.b-c_d",
     GTIN, U},
    {"(01)09506000134352(21)A/B", "https://id.gs1.org/01/09506000134352/21/A%2FB", GTIN, E},
    /* class level: LGTIN (EPCIS example) and a GTIN class pattern */
    {"urn:epc:class:lgtin:4012345.012345.998877", "https://id.gs1.org/01/04012345123456/10/998877",
     GTIN, U},
    {"(01)04012345123456(10)998877", "https://id.gs1.org/01/04012345123456/10/998877", GTIN, E},
    {"urn:epc:idpat:sgtin:4012345.012345.*", "https://id.gs1.org/01/04012345123456", GTIN, U},
    /* element strings carry data attributes: checked, ignored */
    {"(01)09506000134352(17)201231(10)ABC1", "https://id.gs1.org/01/09506000134352/10/ABC1", GTIN,
     E},
    {"010950600013435217201231"
     "10ABC1",
     "https://id.gs1.org/01/09506000134352/10/ABC1", GTIN, E},
    {"(01)09506000134352(3103)000189", "https://id.gs1.org/01/09506000134352", GTIN, E},
    /* bare GTINs */
    {"6901234567892", "https://id.gs1.org/01/06901234567892", GTIN, N},
    {"96385074", "https://id.gs1.org/01/00000096385074", GTIN, N},
    {"614141123452", "https://id.gs1.org/01/00614141123452", GTIN, N},
    {"09506000134352", "https://id.gs1.org/01/09506000134352", GTIN, N},
    /* SSCC */
    {"urn:epc:id:sscc:0614141.1234567890", "https://id.gs1.org/00/106141412345678908",
     GS1_KIND_SSCC, U},
    {"(00)106141412345678908", "https://id.gs1.org/00/106141412345678908", GS1_KIND_SSCC, E},
    {"https://id.gs1.org/00/106141412345678908", "https://id.gs1.org/00/106141412345678908",
     GS1_KIND_SSCC, D},
    {"106141412345678908", "https://id.gs1.org/00/106141412345678908", GS1_KIND_SSCC, N},
    /* SGLN: extension "0" is no extension */
    {"urn:epc:id:sgln:0614141.12345.400", "https://id.gs1.org/414/0614141123452/254/400",
     GS1_KIND_GLN, U},
    {"urn:epc:id:sgln:0614141.12345.0", "https://id.gs1.org/414/0614141123452", GS1_KIND_GLN, U},
    {"/414/0614141123452/254/400", "https://id.gs1.org/414/0614141123452/254/400", GS1_KIND_GLN, D},
    {"(414)0614141123452(254)400", "https://id.gs1.org/414/0614141123452/254/400", GS1_KIND_GLN, E},
    {"(414)9506000000008", "https://id.gs1.org/414/9506000000008", GS1_KIND_GLN, E},
    {"urn:epc:id:pgln:0614141.12345", "https://id.gs1.org/417/0614141123452", GS1_KIND_PGLN, U},
    /* GRAI, GIAI, GSRN */
    {"urn:epc:id:grai:0614141.12345.400", "https://id.gs1.org/8003/00614141123452400",
     GS1_KIND_GRAI, U},
    {"(8003)00614141123452400", "https://id.gs1.org/8003/00614141123452400", GS1_KIND_GRAI, E},
    {"/8003/00614141123452", "https://id.gs1.org/8003/00614141123452", GS1_KIND_GRAI, D},
    {"urn:epc:idpat:grai:0614141.12345.*", "https://id.gs1.org/8003/00614141123452", GS1_KIND_GRAI,
     U},
    {"urn:epc:id:giai:0614141.12345400", "https://id.gs1.org/8004/061414112345400", GS1_KIND_GIAI,
     U},
    {"/8004/061414112345400", "https://id.gs1.org/8004/061414112345400", GS1_KIND_GIAI, D},
    {"urn:epc:id:giai:0614141.A%2FB", "https://id.gs1.org/8004/0614141A%2FB", GS1_KIND_GIAI, U},
    {"urn:epc:id:gsrn:0614141.1234567890", "https://id.gs1.org/8018/061414112345678902",
     GS1_KIND_GSRN, U},
    {"(8018)061414112345678902", "https://id.gs1.org/8018/061414112345678902", GS1_KIND_GSRN, E},
    /* patterns naming no single key stay URNs */
    {"urn:epc:idpat:sgtin:0614141.*.*", "urn:epc:idpat:sgtin:0614141.*.*", GS1_KIND_PATTERN, U},
    {"urn:epc:idpat:SGTIN:*.*.*", "urn:epc:idpat:sgtin:*.*.*", GS1_KIND_PATTERN, U},
    {"urn:epc:idpat:sgln:0614141.12345.*", "urn:epc:idpat:sgln:0614141.12345.*", GS1_KIND_PATTERN,
     U},
    {"urn:epc:idpat:sscc:0614141.*", "urn:epc:idpat:sscc:0614141.*", GS1_KIND_PATTERN, U},
    /* Chinese identifiers */
    {"urn:nqi:dtc:81234567890123456789", "urn:nqi:dtc:81234567890123456789", GS1_KIND_CN_DRUG, U},
    {"URN:NQI:DTC:81234567890123456789", "urn:nqi:dtc:81234567890123456789", GS1_KIND_CN_DRUG, U},
    {"urn:nqi:sec:215010890201500098", "urn:nqi:sec:215010890201500098", GS1_KIND_CN_SEC, U},
    {"urn:nqi:sec:31102301020180a001", "urn:nqi:sec:31102301020180A001", GS1_KIND_CN_SEC, U},
};

static void test_canonical(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof canon_rows / sizeof canon_rows[0]; i++) {
        const canon_row *r = &canon_rows[i];
        gs1_id id;
        nqi_error err;
        nqi_error_clear(&err);
        int rc = gs1_parse(r->in, strlen(r->in), &id, &err);
        if (rc)
            fail_msg("row %zu '%s': %s", i, r->in, err.message);
        if (strcmp(id.canonical, r->canonical))
            fail_msg("row %zu '%s': canonical '%s', expected '%s'", i, r->in, id.canonical,
                     r->canonical);
        if ((int)id.kind != r->kind || (int)id.form != r->form)
            fail_msg("row %zu '%s': kind %s form %d", i, r->in, gs1_kind_name(id.kind), id.form);
        /* idempotent */
        char again[GS1_CANON_MAX];
        nqi_error_clear(&err);
        if (gs1_canonical(id.canonical, strlen(id.canonical), again, sizeof again, &err) ||
            strcmp(again, id.canonical))
            fail_msg("row %zu: canonical of '%s' is '%s' (%s)", i, id.canonical, again,
                     err.message);
    }
}

/* The promise: a query by URN finds events captured with Digital
 * Link and vice versa — one identifier, three spellings, one string. */
static void test_same_identifier_three_forms(void **state)
{
    (void)state;
    static const char *const groups[][3] = {
        {"urn:epc:id:sgtin:0614141.812345.6789", "https://id.gs1.org/01/80614141123458/21/6789",
         "(01)80614141123458(21)6789"},
        {"urn:epc:class:lgtin:4012345.012345.998877",
         "https://x.example/t/01/04012345123456/10/998877",
         "0104012345123456"
         "10998877"},
        {"urn:epc:id:sscc:0614141.1234567890", "/00/106141412345678908", "(00)106141412345678908"},
        {"urn:epc:id:sgln:0614141.12345.400", "https://id.gs1.org/414/0614141123452/254/400",
         "(414)0614141123452(254)400"},
        {"urn:epc:idpat:sgtin:9506000.013435.*", "https://id.gs1.org/01/9506000134352",
         "09506000134352"},
    };
    for (size_t g = 0; g < sizeof groups / sizeof groups[0]; g++) {
        char c[3][GS1_CANON_MAX];
        for (int k = 0; k < 3; k++) {
            nqi_error err;
            nqi_error_clear(&err);
            if (gs1_canonical(groups[g][k], strlen(groups[g][k]), c[k], sizeof c[k], &err))
                fail_msg("'%s': %s", groups[g][k], err.message);
        }
        assert_string_equal(c[0], c[1]);
        assert_string_equal(c[0], c[2]);
    }
}

/* ---- conversions ------------------------------------------------------- */

typedef struct urn_row {
    const char *in;
    int gcp_len; /* 0: from the input or the table */
    const char *urn;
} urn_row;

static const urn_row urn_rows[] = {
    {"https://id.gs1.org/01/80614141123458/21/6789", 0, "urn:epc:id:sgtin:0614141.812345.6789"},
    {"https://id.gs1.org/01/04012345123456/10/998877", 0,
     "urn:epc:class:lgtin:4012345.012345.998877"},
    {"https://id.gs1.org/01/04012345123456", 0, "urn:epc:idpat:sgtin:4012345.012345.*"},
    {"/01/09506000134352/10/ABC1/21/12345", 0, "urn:epc:id:sgtin:9506000.013435.12345"},
    {"/00/106141412345678908", 0, "urn:epc:id:sscc:0614141.1234567890"},
    {"/414/0614141123452/254/400", 0, "urn:epc:id:sgln:0614141.12345.400"},
    {"/414/0614141123452", 0, "urn:epc:id:sgln:0614141.12345.0"},
    {"/417/0614141123452", 0, "urn:epc:id:pgln:0614141.12345"},
    {"/8003/00614141123452400", 0, "urn:epc:id:grai:0614141.12345.400"},
    {"/8003/00614141123452", 0, "urn:epc:idpat:grai:0614141.12345.*"},
    {"/8004/061414112345400", 0, "urn:epc:id:giai:0614141.12345400"},
    {"/8018/061414112345678902", 0, "urn:epc:id:gsrn:0614141.1234567890"},
    {"/01/09506000134352/21/A%2FB%25%26%3C%3E%3F%22", 0,
     "urn:epc:id:sgtin:9506000.013435.A%2FB%25%26%3C%3E%3F%22"},
    {"/01/09506000134352/21/a!'()*+,-.:;=_", 0, "urn:epc:id:sgtin:9506000.013435.a!'()*+,-.:;=_"},
    /* GS1 China: 690/691 -> 7-digit, 692/693 -> 8-digit company prefix */
    {"6901234567892", 0, "urn:epc:idpat:sgtin:6901234.056789.*"},
    {"6921234567890", 0, "urn:epc:idpat:sgtin:69212345.06789.*"},
    {"(01)06931234567899(21)0001", 0, "urn:epc:id:sgtin:69312345.06789.0001"},
    /* explicit length wins over the table and over the URN's own split */
    {"/01/80614141123458/21/6789", 8, "urn:epc:id:sgtin:06141411.82345.6789"},
    {"urn:epc:id:sgtin:06141411.82345.6789", 0, "urn:epc:id:sgtin:06141411.82345.6789"},
    {"urn:epc:id:sgtin:06141411.82345.6789", 7, "urn:epc:id:sgtin:0614141.812345.6789"},
    {"/01/05012345678900", 12, "urn:epc:idpat:sgtin:501234567890.0.*"},
    {"(01)09506000134352(21)*", 0, "urn:epc:id:sgtin:9506000.013435.%2A"}, /* not a wildcard */
    {"(01)09506000134352(21)A*", 0, "urn:epc:id:sgtin:9506000.013435.A*"},
    {"urn:nqi:dtc:81234567890123456789", 0, "urn:nqi:dtc:81234567890123456789"},
    {"urn:epc:idpat:sgtin:0614141.*.*", 0, "urn:epc:idpat:sgtin:0614141.*.*"},
};

static void test_to_urn(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof urn_rows / sizeof urn_rows[0]; i++) {
        const urn_row *r = &urn_rows[i];
        gs1_id id;
        nqi_error err;
        nqi_error_clear(&err);
        if (gs1_parse(r->in, strlen(r->in), &id, &err))
            fail_msg("'%s': %s", r->in, err.message);
        char urn[256];
        if (gs1_to_urn(&id, r->gcp_len, urn, sizeof urn, &err))
            fail_msg("'%s' -> urn: %s", r->in, err.message);
        if (strcmp(urn, r->urn))
            fail_msg("'%s' -> '%s', expected '%s'", r->in, urn, r->urn);
        /* and back: the URN has the same canonical form */
        gs1_id back;
        if (gs1_parse(urn, strlen(urn), &back, &err))
            fail_msg("'%s': %s", urn, err.message);
        assert_string_equal(back.canonical, id.canonical);
    }
}

typedef struct dl_row {
    const char *in, *base;
    unsigned flags;
    const char *dl;
} dl_row;

static const dl_row dl_rows[] = {
    {"urn:epc:id:sgtin:0614141.812345.6789", NULL, 0,
     "https://id.gs1.org/01/80614141123458/21/6789"},
    {"urn:epc:id:sgtin:0614141.812345.6789", "", 0, "/01/80614141123458/21/6789"},
    {"urn:epc:id:sgtin:0614141.812345.6789", "https://nqi.example.cn/t", 0,
     "https://nqi.example.cn/t/01/80614141123458/21/6789"},
    {"(01)09506000134352(22)2A(10)ABC1(21)XYZ", NULL, GS1_DL_FULL,
     "https://id.gs1.org/01/09506000134352/22/2A/10/ABC1/21/XYZ"},
    {"(01)09506000134352(10)ABC1(21)XYZ", NULL, 0, "https://id.gs1.org/01/09506000134352/21/XYZ"},
    {"urn:epc:class:lgtin:4012345.012345.998877", "", 0, "/01/04012345123456/10/998877"},
    {"urn:epc:id:sscc:0614141.1234567890", NULL, 0, "https://id.gs1.org/00/106141412345678908"},
    {"urn:epc:id:sgln:0614141.12345.400", "", 0, "/414/0614141123452/254/400"},
    {"urn:epc:id:grai:0614141.12345.A%2FB", "", 0, "/8003/00614141123452A%2FB"},
};

static void test_to_dl(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof dl_rows / sizeof dl_rows[0]; i++) {
        const dl_row *r = &dl_rows[i];
        gs1_id id;
        nqi_error err;
        nqi_error_clear(&err);
        if (gs1_parse(r->in, strlen(r->in), &id, &err))
            fail_msg("'%s': %s", r->in, err.message);
        char dl[256];
        if (gs1_to_dl(&id, r->base, r->flags, dl, sizeof dl, &err))
            fail_msg("'%s' -> dl: %s", r->in, err.message);
        if (strcmp(dl, r->dl))
            fail_msg("'%s' -> '%s', expected '%s'", r->in, dl, r->dl);
    }
    /* the full form keeps the lot when parsed back */
    gs1_id id;
    nqi_error err;
    nqi_error_clear(&err);
    const char *in = "/01/09506000134352/10/ABC1/21/XYZ";
    assert_int_equal(gs1_parse(in, strlen(in), &id, &err), 0);
    assert_string_equal(id.lot, "ABC1");
    assert_string_equal(id.serial, "XYZ");
    assert_string_equal(id.key, "09506000134352");
}

/* ---- errors --------------------------------------------------------------- */

typedef struct err_row {
    const char *in;
    const char *field;
    const char *msg; /* fragment of the field message */
} err_row;

static const err_row err_rows[] = {
    {"", "id", "empty identifier"},
    {"   ", "id", "empty identifier"},
    {"hello", "id", "not a GS1 identifier"},
    /* bad check digits, with the expected digit */
    {"09506000134353", "gtin", "should be 2, not 3"},
    {"https://id.gs1.org/01/09506000134353", "gtin", "should be 2, not 3"},
    {"(01)80614141123459(21)6789", "gtin", "should be 8, not 9"},
    {"6901234567893", "gtin", "should be 2, not 3"},
    {"(00)106141412345678907", "sscc", "should be 8, not 7"},
    {"/414/0614141123453", "gln", "should be 2, not 3"},
    {"(414)9506000000005", "gln", "should be 8, not 5"},
    {"/8003/00614141123453400", "grai", "should be 2, not 3"},
    {"/8003/10614141123459", "grai", "must start with 0"},
    {"(8018)061414112345678903", "gsrn", "should be 2, not 3"},
    /* Digital Link order and AIs */
    {"https://id.gs1.org/01/09506000134352/21/XYZ/10/ABC1", "path",
     "AI 21 comes before AI 10 in the Digital Link path; the order after 01 is 22, 10, 21"},
    {"/01/09506000134352/10/ABC1/22/2A", "path", "AI 10 comes before AI 22"},
    {"/10/ABC1/01/09506000134352", "path", "AI 10 comes before the primary key 01"},
    {"/01/09506000134352/10/A/10/B", "path", "AI 10 appears twice"},
    {"/01/09506000134352/99/X", "path", "unknown AI '99' in Digital Link path"},
    {"/01/09506000134352/254/X", "path", "AI 254 is not a key qualifier of AI 01"},
    {"/414/0614141123452/21/X", "path", "AI 21 is not a key qualifier of AI 414"},
    {"/253/1234", "path", "GS1 key AI 253 (GDTI) is not supported"},
    {"/foo/bar", "path", "is not an AI"},
    {"/01/09506000134352/10", "path", "is not an AI"},
    {"/10/ABC", "path", "no GS1 primary key"},
    {"https://id.gs1.org", "path", "has no path"},
    {"/01//09506000134352", "path", "empty segment"},
    {"/01/09506000134", "gtin", "has 11 digits"},
    {"/01/0950600013435", "gtin", "should be 9, not 5"},
    {"/01/09506000134352/21/A%2", "serial", "bad percent-encoding"},
    /* lot and serial content */
    {"/01/09506000134352/10/ABCDEFGHIJKLMNOPQRSTU", "lot", "at most 20"},
    {"(01)09506000134352(10)ABCDEFGHIJKLMNOPQRSTU", "lot", "at most 20"},
    {"/01/09506000134352/21/AB%20C", "serial", "outside the GS1 character set 82"},
    {"/01/09506000134352/21/A~B", "serial", "character '~' at position 2"},
    {"/01/09506000134352/21/%E4%B8%AD", "serial", "outside the GS1 character set 82"},
    {"urn:epc:id:sgtin:0614141.812345.A/B", "serial", "must be written %2F"},
    {"urn:epc:id:sgtin:0614141.812345.A%20B", "serial", "not a GS1 set-82 character"},
    {"urn:epc:id:sgtin:0614141.812345.", "serial", "empty serial"},
    {"urn:epc:id:grai:0614141.12345.ABCDEFGHIJKLMNOPQ", "serial", "at most 16"},
    /* URN structure */
    {"urn:epc:id:sgtin:0614141.81234.6789", "gtin", "12 digits together; sgtin needs 13"},
    {"urn:epc:id:sgtin:06141.8123456.6789", "gtin", "must be 6-12 digits"},
    {"urn:epc:id:sgtin:0614141812345", "urn", "needs 3 dot-separated components"},
    {"urn:epc:id:sgtin:0614141.*.*", "urn", "only in urn:epc:idpat"},
    {"urn:epc:idpat:sgtin:0614141.*.6789", "urn", "after a '*' must be '*'"},
    {"urn:epc:id:gdti:0614141.12345.400", "urn", "unsupported EPC scheme"},
    {"urn:epc:class:sgtin:0614141.812345.1", "urn", "unsupported EPC scheme"},
    {"urn:epc:tag:sgtin-96:3.0614141.812345.6789", "urn", "unknown EPC URN type"},
    {"urn:isbn:9780306406157", "urn", "expected urn:epc"},
    {"urn:epc:id:giai:0614141.", "giai", "1-23 characters"},
    /* element strings */
    {"(01)09506000134352(01)09506000134352", "element_string", "appears twice"},
    {"(01)09506000134352(00)106141412345678908", "element_string", "more than one GS1 key"},
    {"(10)ABC", "element_string", "no GS1 key"},
    {"(414)0614141123452(21)X", "element_string", "qualify a GTIN"},
    {"(01)09506000134352(99)X", "element_string", "unknown or unsupported AI (99)"},
    {"(01)0950600013435", "element_string", "must have 14 characters"},
    {"01095060001343529912", "element_string", "unknown or unsupported AI"},
    /* Chinese identifiers */
    {"urn:nqi:dtc:8123456789012345678", "id", "must be 20 digits"},
    {"urn:nqi:dtc:8123456789012345678X", "id", "must be 20 digits"},
    {"urn:nqi:sec:21501089020150009", "id", "must have 18 characters"},
    {"urn:nqi:sec:015010890201500098", "id", "not starting with 0"},
    {"urn:nqi:sec:215010890180000098", "id", "year of manufacture 1800"},
    {"urn:nqi:sec:21501089020150009-", "id", "digits or capital letters"},
};

static void test_errors(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof err_rows / sizeof err_rows[0]; i++) {
        const err_row *r = &err_rows[i];
        gs1_id id;
        memset(&id, 0x55, sizeof id);
        nqi_error err;
        nqi_error_clear(&err);
        int rc = gs1_parse(r->in, strlen(r->in), &id, &err);
        if (rc != NQI_EINVAL)
            fail_msg("'%s': rc %d, canonical '%s'", r->in, rc, rc ? "" : id.canonical);
        if (err.nfields != 1 || strcmp(err.fields[0].field, r->field) ||
            !strstr(err.fields[0].message, r->msg))
            fail_msg("'%s': field '%s' message '%s'; expected '%s' containing '%s'", r->in,
                     err.fields[0].field, err.fields[0].message, r->field, r->msg);
        assert_int_equal(id.kind, GS1_KIND_NONE);
        assert_string_equal(id.canonical, "");
    }
}

/* ---- conversion errors, buffers, the GCP table ---------------------------- */

static void test_conversion_errors(void **state)
{
    (void)state;
    gs1_id id;
    nqi_error err;
    char out[256];

    /* a company prefix the table does not know */
    nqi_error_clear(&err);
    assert_int_equal(gs1_parse("/01/05012345678900", 18, &id, &err), 0);
    assert_int_equal(gs1_to_urn(&id, 0, out, sizeof out, &err), NQI_EINVAL);
    assert_string_equal(err.fields[0].field, "gcp_length");
    assert_non_null(strstr(err.fields[0].message, "not in the GCP table"));
    nqi_error_clear(&err);
    assert_int_equal(gs1_to_urn(&id, 5, out, sizeof out, &err), NQI_EINVAL);
    assert_string_equal(err.fields[0].field, "gcp_length");
    nqi_error_clear(&err);
    assert_int_equal(gs1_to_urn(&id, 7, out, sizeof out, &err), 0);
    assert_string_equal(out, "urn:epc:idpat:sgtin:5012345.067890.*");

    /* CPV has no EPC form */
    const char *cpv = "/01/09506000134352/22/2A";
    nqi_error_clear(&err);
    assert_int_equal(gs1_parse(cpv, strlen(cpv), &id, &err), 0);
    assert_int_equal(gs1_to_urn(&id, 0, out, sizeof out, &err), NQI_EINVAL);
    assert_string_equal(err.fields[0].field, "cpv");

    /* Chinese codes and patterns have no Digital Link */
    const char *dtc = "urn:nqi:dtc:81234567890123456789";
    nqi_error_clear(&err);
    assert_int_equal(gs1_parse(dtc, strlen(dtc), &id, &err), 0);
    assert_int_equal(gs1_to_dl(&id, NULL, 0, out, sizeof out, &err), NQI_EINVAL);

    /* output buffer too small */
    const char *s = "urn:epc:id:sgtin:0614141.812345.6789";
    nqi_error_clear(&err);
    assert_int_equal(gs1_canonical(s, strlen(s), out, 20, &err), NQI_ETOOBIG);
    assert_string_equal(out, "");
    nqi_error_clear(&err);
    assert_int_equal(gs1_parse(s, strlen(s), &id, &err), 0);
    assert_int_equal(gs1_to_urn(&id, 0, out, 10, &err), NQI_ETOOBIG);
    nqi_error_clear(&err);
    assert_int_equal(gs1_to_urn(&id, 0, out, 37, &err), 0); /* exactly fits */
    assert_string_equal(out, s);

    /* input not NUL-terminated: only len bytes are read */
    char buf[64];
    memcpy(buf, "09506000134352XXXX", 18);
    nqi_error_clear(&err);
    assert_int_equal(gs1_canonical(buf, 14, out, sizeof out, &err), 0);
    assert_string_equal(out, "https://id.gs1.org/01/09506000134352");
    /* an embedded NUL is refused */
    nqi_error_clear(&err);
    assert_int_equal(gs1_canonical("0950600013\0"
                                   "4352",
                                   15, out, sizeof out, &err),
                     NQI_EINVAL);
}

static void test_gcp_table(void **state)
{
    (void)state;
    /* built-in */
    assert_int_equal(gs1_gcp_length("0614141123452", 13), 7);
    assert_int_equal(gs1_gcp_length("6901234567892", 13), 7);
    assert_int_equal(gs1_gcp_length("6931234567899", 13), 8);
    assert_int_equal(gs1_gcp_length("5012345678900", 13), 0);
    assert_int_equal(gs1_gcp_length("690", 3), 0); /* longer than the digits given */

    nqi_error err;
    size_t n = 0;
    static const char tsv[] = "# prefix length\n501234\t7\n50123456 9\n\n0614141 7\r\n";
    nqi_error_clear(&err);
    assert_int_equal(gs1_gcp_table_load(tsv, strlen(tsv), &n, &err), 0);
    assert_int_equal(n, 3);
    assert_int_equal(gs1_gcp_length("5012340000000", 13), 7);
    assert_int_equal(gs1_gcp_length("5012345678900", 13), 9);
    assert_int_equal(gs1_gcp_length("5012345600000", 13), 9); /* longest prefix wins */
    assert_int_equal(gs1_gcp_length("6901234567892", 13), 0); /* built-in replaced */

    static const char xml[] = "<?xml version=\"1.0\"?>\n<GCPPrefixFormatList>\n"
                              "  <entry prefix=\"690\" gcpLength=\"7\"/>\n"
                              "  <entry prefix=\"6901\" gcpLength=\"9\" />\n"
                              "</GCPPrefixFormatList>\n";
    nqi_error_clear(&err);
    assert_int_equal(gs1_gcp_table_load(xml, strlen(xml), &n, &err), 0);
    assert_int_equal(n, 2);
    assert_int_equal(gs1_gcp_length("6901234567892", 13), 9);
    assert_int_equal(gs1_gcp_length("6902234567892", 13), 7);

    static const char bad[] = "690 7\n69x 8\n";
    nqi_error_clear(&err);
    assert_int_equal(gs1_gcp_table_load(bad, strlen(bad), &n, &err), NQI_EINVAL);
    assert_string_equal(err.fields[0].field, "gcp_table");
    assert_non_null(strstr(err.fields[0].message, "line 2"));
    assert_int_equal(gs1_gcp_length("6901234567892", 13), 9); /* previous table kept */
    static const char clash[] = "690 7\n690 8\n";
    nqi_error_clear(&err);
    assert_int_equal(gs1_gcp_table_load(clash, strlen(clash), &n, &err), NQI_EINVAL);
    static const char shortlen[] = "6901234567 7\n";
    nqi_error_clear(&err);
    assert_int_equal(gs1_gcp_table_load(shortlen, strlen(shortlen), &n, &err), NQI_EINVAL);

    gs1_gcp_table_reset();
    assert_int_equal(gs1_gcp_length("6901234567892", 13), 7);
}

static void test_kind_names(void **state)
{
    (void)state;
    assert_string_equal(gs1_kind_name(GS1_KIND_GTIN), "gtin");
    assert_string_equal(gs1_kind_name(GS1_KIND_CN_DRUG), "cn_drug");
    assert_string_equal(gs1_kind_name(GS1_KIND_CN_SEC), "cn_sec");
    assert_string_equal(gs1_kind_name((gs1_kind)99), "none");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_check_digits), cmocka_unit_test(test_gtin14),
        cmocka_unit_test(test_canonical),    cmocka_unit_test(test_same_identifier_three_forms),
        cmocka_unit_test(test_to_urn),       cmocka_unit_test(test_to_dl),
        cmocka_unit_test(test_errors),       cmocka_unit_test(test_conversion_errors),
        cmocka_unit_test(test_gcp_table),    cmocka_unit_test(test_kind_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
