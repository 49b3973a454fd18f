/*
 * gs1.h — GS1 identification keys (GTIN, SSCC, GLN, GRAI, GIAI, GSRN) and
 * the Chinese identifiers the trace module accepts beside them, in every
 * form they arrive in: EPC URNs (TDS 2.x), GS1 Digital Link URIs (DL 1.x),
 * GS1 element strings ("(01)09506000134352(21)ABC", scanner output with
 * GS separators) and bare key digits. See docs/modules/gs1.md for the
 * grammar, the canonical form and what is uncertain.
 *
 * One identifier, one canonical string: gs1_canonical turns any accepted
 * form into the canonical GS1 Digital Link URI on id.gs1.org with only the
 * key and the key qualifiers that make up the identity
 *     https://id.gs1.org/01/80614141123458/21/6789      (SGTIN)
 *     https://id.gs1.org/01/04012345123456/10/998877    (LGTIN class)
 *     https://id.gs1.org/01/09506000134352              (GTIN class)
 * so an EPCIS query by URN finds events captured with Digital Link and
 * vice versa. The canonical form does not depend on the GS1 Company Prefix
 * length; only gs1_to_urn needs it (table in gcp_table.c, or explicit).
 * EPC patterns that name no single key (urn:epc:idpat:sgtin:0614141.*.*)
 * keep their normalised URN as canonical form; the Chinese codes are
 * urn:nqi:dtc:<20 digits> (药品追溯码) and urn:nqi:sec:<18 chars> (特种设备代码).
 *
 * Ownership: parsers read (in, len) — not required to be NUL-terminated,
 * never modified or retained — and fill caller memory (gs1_id is fixed
 * arrays; output strings go to a caller buffer of the stated size).
 * Nothing is allocated except by gs1_gcp_table_load (see there).
 * Everything is reentrant; the GCP table is read-only after start-up.
 *
 * Errors: NQI_EINVAL with one field error naming the part that was wrong
 * ("gtin", "sscc", "gln", "grai", "giai", "gsrn", "lot", "serial",
 * "extension", "cpv", "path", "urn", "element_string", "id", "gcp_length")
 * and a message that says what ("check digit of GTIN 09506000134353 should
 * be 2, not 3", "AI 21 comes before AI 10 in the Digital Link path; the
 * order after 01 is 22, 10, 21"). NQI_ETOOBIG when an output buffer is too
 * small. On error *out is zeroed.
 */
#ifndef NQI_TRACE_GS1_H
#define NQI_TRACE_GS1_H

#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"

/* Longest canonical string plus NUL: a GIAI of 30 characters all
 * percent-encoded is 19 + 6 + 90 = 115; a GTIN with CPV and lot is 178. */
#define GS1_CANON_MAX 192
/* Longest input accepted by the parsers (a Digital Link with query). */
#define GS1_INPUT_MAX 2048

typedef enum gs1_kind {
    GS1_KIND_NONE = 0,
    GS1_KIND_GTIN,    /* AI 01; with lot (AI 10), serial (AI 21), CPV (AI 22) */
    GS1_KIND_SSCC,    /* AI 00 */
    GS1_KIND_GLN,     /* AI 414 physical location, optional extension AI 254 */
    GS1_KIND_PGLN,    /* AI 417 party GLN */
    GS1_KIND_GRAI,    /* AI 8003: 14 digits (leading 0) + optional serial */
    GS1_KIND_GIAI,    /* AI 8004 */
    GS1_KIND_GSRN,    /* AI 8018 */
    GS1_KIND_PATTERN, /* urn:epc:idpat:… naming no single key */
    GS1_KIND_CN_DRUG, /* 药品追溯码, urn:nqi:dtc: */
    GS1_KIND_CN_SEC   /* 特种设备代码, urn:nqi:sec: */
} gs1_kind;

/* The form the input was written in. */
typedef enum gs1_form {
    GS1_FORM_NONE = 0,
    GS1_FORM_URN,     /* urn:epc:id / urn:epc:class / urn:epc:idpat / urn:nqi */
    GS1_FORM_DL,      /* https://host/…/01/…, or a bare path "/01/…" */
    GS1_FORM_ELEMENT, /* (01)…(21)…, or unbracketed with GS/space separators */
    GS1_FORM_DIGITS   /* a bare GTIN-8/12/13/14 or SSCC-18 */
} gs1_form;

typedef struct gs1_id {
    gs1_kind kind;
    gs1_form form;
    char key[32];    /* GTIN-14, SSCC-18, GLN-13, GRAI-14 (without serial),
                        GIAI (≤30), GSRN-18; the Chinese code; for a pattern
                        the company prefix (or "" for a full wildcard) */
    char cpv[21];    /* AI 22, "" when absent */
    char lot[21];    /* AI 10 */
    char serial[21]; /* AI 21 (≤20), or the GRAI serial (≤16) */
    char ext[21];    /* AI 254 GLN extension; "" = none (URN extension "0") */
    int gcp_len;     /* company-prefix length when the input said it (a URN),
                        else 0 */
    char canonical[GS1_CANON_MAX];
} gs1_id;

/* Mod-10 check digit (weights 3,1,3,… from the rightmost data digit) of
 * digits[0..n). Returns 0–9, or -1 when a byte is not a digit or n == 0. */
int gs1_check_digit(const char *digits, size_t n);

/* Normalise a GTIN-8/12/13/14 (digits only) to GTIN-14 in out[15], checking
 * the check digit. Errors on field "gtin". */
int gs1_gtin14(const char *in, size_t len, char out[15], nqi_error *err);

/* Parse any accepted form (see the module doc) into *out, including
 * out->canonical. */
int gs1_parse(const char *in, size_t len, gs1_id *out, nqi_error *err);

/* gs1_parse and copy the canonical string into out[0..n). */
int gs1_canonical(const char *in, size_t len, char *out, size_t n, nqi_error *err);

/* Digital Link URI of id. base is the scheme+host (+ optional path stem,
 * no trailing slash), NULL for "https://id.gs1.org"; "" gives a bare path
 * "/01/…". With GS1_DL_FULL the lot and CPV are kept beside a serial (the
 * full path a label would carry); without it the output is the identity
 * (canonical when base is NULL). Chinese codes and patterns have no
 * Digital Link: NQI_EINVAL on field "id". */
enum { GS1_DL_FULL = 1u << 0 };
int gs1_to_dl(const gs1_id *id, const char *base, unsigned flags, char *out, size_t n,
              nqi_error *err);

/* EPC URN of id: sgtin (GTIN+serial), lgtin class (GTIN+lot), idpat sgtin
 * CP.IR.* (GTIN alone), sscc, sgln (extension "0" when none), pgln, grai
 * (idpat CP.AT.* when no serial), giai, gsrn; patterns and Chinese codes
 * return their canonical URN. gcp_len: 6–12 to override, 0 to take it from
 * id->gcp_len or else the GCP table; unknown -> NQI_EINVAL on
 * "gcp_length". A CPV (AI 22) has no EPC form: error on "cpv". */
int gs1_to_urn(const gs1_id *id, int gcp_len, char *out, size_t n, nqi_error *err);

/* Company-prefix length for a key whose company prefix starts at
 * digits[0] (GTIN-14 from position 1, SSCC from 1, GLN/GSRN/GIAI from 0,
 * GRAI from 1): the longest matching prefix of the table, or 0 when the
 * table does not know it. n is the number of digits available. */
int gs1_gcp_length(const char *digits, size_t n);

/* Replace the built-in GCP table with text in either of two formats:
 * lines "prefix<TAB or space>length" (# comments), or GS1's
 * gcpprefixformatlist.xml (<entry prefix="…" gcpLength="…"/>). Call at
 * start-up, before threads use the table; the table is owned by this
 * module (the previous loaded one is freed). Returns the number of entries
 * through *count. Errors on field "gcp_table" with the line number. */
int gs1_gcp_table_load(const char *text, size_t len, size_t *count, nqi_error *err);
/* Go back to the built-in table (frees a loaded one). */
void gs1_gcp_table_reset(void);

/* "gtin", "sscc", "gln", "pgln", "grai", "giai", "gsrn", "pattern",
 * "cn_drug", "cn_sec"; "none". Stable names for JSON. */
const char *gs1_kind_name(gs1_kind k);

#endif
