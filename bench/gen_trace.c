/*
 * gen_trace.c — a synthetic food supply network as EPCIS 2.0 JSON-LD
 * capture documents, for the capture, query and trace benchmarks.
 *
 *   cc -O2 -o build/gen_trace bench/gen_trace.c          # C11 + libc only
 *   build/gen_trace --out /tmp/trace --events 1000000 --per-doc 500 --seed 1
 *
 * Writes DIR/doc-000001.jsonld … each an EPCISDocument of --per-doc events
 * (the last may be shorter), and DIR/manifest.txt (counts, seed, a few
 * identifiers to query). Same arguments, same bytes.
 *
 * The network: farms harvest lots (ObjectEvent ADD commissioning with a
 * quantityList of GTIN + lot), ship them to processors (shipping/receiving
 * with source and destination lists); processors run --xforms
 * TransformationEvents in series, each taking 1–3 input lots (recent farm
 * lots are reused, so one lot feeds many outputs: recall fan-out) into a
 * new output lot; packers aggregate the product lot on a pallet (SSCC,
 * AggregationEvent ADD packing with childQuantityList and case SGTINs);
 * the pallet goes packer → distributor → retailer (shipping/receiving with
 * owning_party/possessing_party/location, bizTransactionList po+desadv);
 * the retailer unpacks (AggregationEvent DELETE) and sells (retail_selling).
 *
 * Identifiers are GS1 keys with valid check digits under GS1 China company
 * prefixes (690xxxx/691xxxx): GTIN-13 as GTIN-14, GLN-13 (sgln URNs for
 * locations, pgln for parties), SSCC-18 (sscc URNs), lots. Roughly half of
 * the product identifiers are written as GS1 Digital Link and half as EPC
 * URNs, so capture exercises both forms. Times start 2026-01-05T06:00+08:00
 * and advance per chain; every event has eventTimeZoneOffset +08:00.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static uint64_t rng_state;
static uint64_t rnd(void) /* splitmix64 */
{
    uint64_t z = (rng_state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}
static int rn(int n) { return (int)(rnd() % (uint64_t)n); }

static int check_digit(const char *d, int n)
{
    int s = 0;
    for (int i = 0; i < n; i++)
        s += (d[n - 1 - i] - '0') * (i % 2 == 0 ? 3 : 1);
    return (10 - s % 10) % 10;
}

/* ---- parties ------------------------------------------------------------ */

enum { FARM, PROC, PACK, DIST, RETAIL, NKIND };
static const char *const kind_name[] = {"farm", "processor", "packer", "distributor", "retailer"};
typedef struct party {
    char gcp[8];  /* 7-digit company prefix */
    char gln[14]; /* the party's main GLN (location ref 00001) */
} party;
static party *parties[NKIND];
static int nparties[NKIND];

static void make_gln(const char *gcp, int loc, char out[14])
{
    snprintf(out, 14, "%s%05d", gcp, loc % 100000);
    out[12] = (char)('0' + check_digit(out, 12));
    out[13] = '\0';
}

static void init_parties(const int *counts)
{
    int serial = 1;
    for (int k = 0; k < NKIND; k++) {
        nparties[k] = counts[k];
        parties[k] = calloc((size_t)counts[k], sizeof(party));
        for (int i = 0; i < counts[k]; i++, serial++) {
            snprintf(parties[k][i].gcp, 8, "%s%04d", serial % 2 ? "690" : "691", serial % 10000);
            make_gln(parties[k][i].gcp, 1, parties[k][i].gln);
        }
    }
}

/* urn:epc:id:sgln:GCP.LOCREF.0 for a GLN-13 with a 7-digit prefix */
static void sgln(const char *gln, char *out, size_t n)
{
    snprintf(out, n, "urn:epc:id:sgln:%.7s.%.5s.0", gln, gln + 7);
}
static void pgln(const char *gln, char *out, size_t n)
{
    snprintf(out, n, "urn:epc:id:pgln:%.7s.%.5s", gln, gln + 7);
}

/* GTIN-14 of item reference ref (5 digits) under gcp */
static void gtin(const char *gcp, int ref, char out[15])
{
    snprintf(out, 15, "0%s%05d", gcp, ref % 100000);
    out[13] = (char)('0' + check_digit(out, 13));
    out[14] = '\0';
}

/* a lot class, as Digital Link or lgtin URN */
static void lot_id(const char *gt, const char *lot, int urn, char *out, size_t n)
{
    if (urn) /* GTIN-14 = indicator + GCP(7) + item ref(5) + check */
        snprintf(out, n, "urn:epc:class:lgtin:%.7s.%c%.5s.%s", gt + 1, gt[0], gt + 8, lot);
    else
        snprintf(out, n, "https://id.gs1.org/01/%s/10/%s", gt, lot);
}

static void sscc(const char *gcp, uint64_t serial, char *out, size_t n, char digits[19])
{
    char d[19];
    snprintf(d, sizeof d, "0%s%09" PRIu64, gcp, (uint64_t)(serial % 1000000000u));
    d[17] = (char)('0' + check_digit(d, 17));
    d[18] = '\0';
    memcpy(digits, d, 19);
    /* urn:epc:id:sscc:GCP.ExtensionDigit+SerialRef */
    snprintf(out, n, "urn:epc:id:sscc:%.7s.%c%.9s", d + 1, d[0], d + 8);
}

/* ---- output ------------------------------------------------------------- */

static const char *outdir;
static int per_doc, ndocs, in_doc, with_ids = 1;
static long long nevents, target;
static FILE *doc;
static int64_t clock_ms = 1767564000000ll; /* 2026-01-05T06:00:00+08:00 */

static void doc_close(void)
{
    if (!doc)
        return;
    fputs("\n]}}\n", doc);
    fclose(doc);
    doc = NULL;
}

static void fmt_time(int64_t ms, char *out)
{
    /* local time at +08:00 */
    int64_t t = ms / 1000 + 8 * 3600;
    int64_t days = t / 86400, rem = t % 86400;
    int64_t z = days + 719468, era = z / 146097, doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100), mp = (5 * doy + 2) / 153;
    int d = (int)(doy - (153 * mp + 2) / 5 + 1), m = (int)(mp < 10 ? mp + 3 : mp - 9);
    int y = (int)(yoe + era * 400 + (m <= 2));
    sprintf(out, "%04d-%02d-%02dT%02d:%02d:%02d.%03d+08:00", y, m, d, (int)(rem / 3600),
            (int)(rem / 60 % 60), (int)(rem % 60), (int)(ms % 1000));
}

/* Start an event: opens a document when needed, writes the common head. */
static FILE *ev_begin(const char *type, int64_t at)
{
    if (!doc || in_doc == per_doc) {
        doc_close();
        char path[4096];
        snprintf(path, sizeof path, "%s/doc-%06d.jsonld", outdir, ++ndocs);
        if (!(doc = fopen(path, "w"))) {
            perror(path);
            exit(1);
        }
        fprintf(doc,
                "{\"@context\":[\"https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld\"],"
                "\"type\":\"EPCISDocument\",\"schemaVersion\":\"2.0\","
                "\"creationDate\":\"2026-11-24T00:00:00.000Z\",\"epcisBody\":{\"eventList\":[\n");
        in_doc = 0;
    }
    char t[40];
    fmt_time(at, t);
    fprintf(doc, "%s{\"type\":\"%s\",\"eventTime\":\"%s\",\"eventTimeZoneOffset\":\"+08:00\"",
            in_doc ? ",\n" : "", type, t);
    if (with_ids) {
        uint64_t a = rnd(), b = rnd();
        fprintf(doc, ",\"eventID\":\"urn:uuid:%08x-%04x-4%03x-%04x-%012" PRIx64 "\"",
                (unsigned)(a >> 32), (unsigned)(a >> 16) & 0xffff, (unsigned)a & 0xfff,
                (unsigned)(0x8000 | (b >> 48 & 0x3fff)), (uint64_t)(b & 0xffffffffffffu));
    }
    in_doc++;
    nevents++;
    return doc;
}

static void loc_fields(FILE *f, const char *gln)
{
    char u[64];
    sgln(gln, u, sizeof u);
    fprintf(f, ",\"readPoint\":{\"id\":\"%s\"},\"bizLocation\":{\"id\":\"%s\"}", u, u);
}

/* shipping from a to b, then receiving at b, of either an SSCC (epc) or a
 * lot class (qty > 0) */
static void ship(const party *a, const party *b, const char *epc, const char *cls, int qty,
                 const char *uom, int64_t at, uint64_t order)
{
    char pa[64], pb[64], la[64], lb[64];
    pgln(a->gln, pa, sizeof pa);
    pgln(b->gln, pb, sizeof pb);
    sgln(a->gln, la, sizeof la);
    sgln(b->gln, lb, sizeof lb);
    for (int step = 0; step < 2 && nevents < target; step++) {
        FILE *f = ev_begin("ObjectEvent", at + step * 6 * 3600000ll);
        if (epc)
            fprintf(f, ",\"epcList\":[\"%s\"]", epc);
        else
            fprintf(f, ",\"quantityList\":[{\"epcClass\":\"%s\",\"quantity\":%d,\"uom\":\"%s\"}]",
                    cls, qty, uom);
        fprintf(f, ",\"action\":\"OBSERVE\",\"bizStep\":\"%s\",\"disposition\":\"%s\"",
                step ? "receiving" : "shipping", step ? "in_progress" : "in_transit");
        loc_fields(f, step ? b->gln : a->gln);
        fprintf(f,
                ",\"bizTransactionList\":[{\"type\":\"po\",\"bizTransaction\":\"urn:epcglobal:cbv:bt:"
                "%s:PO%" PRIu64 "\"},{\"type\":\"desadv\",\"bizTransaction\":\"urn:epcglobal:cbv:bt:"
                "%s:DN%" PRIu64 "\"}]",
                b->gln, order, a->gln, order);
        fprintf(f,
                ",\"sourceList\":[{\"type\":\"owning_party\",\"source\":\"%s\"},{\"type\":"
                "\"location\",\"source\":\"%s\"}],\"destinationList\":[{\"type\":\"owning_party\","
                "\"destination\":\"%s\"},{\"type\":\"location\",\"destination\":\"%s\"}]}",
                pa, la, pb, lb);
    }
}

/* ---- the network -------------------------------------------------------- */

#define RING 64
typedef struct lot {
    char id[128];
    int farm;
} lot;
static lot ring[RING];
static int nring;

static void harvest(int64_t at, long long chain)
{
    int fi = rn(nparties[FARM]);
    const party *fm = &parties[FARM][fi];
    char gt[15], lt[24];
    gtin(fm->gcp, 100 + rn(8), gt); /* a farm grows a handful of products */
    snprintf(lt, sizeof lt, "H%06lld", chain % 1000000);
    lot *l = &ring[nring++ % RING];
    lot_id(gt, lt, (int)(rnd() & 1), l->id, sizeof l->id);
    l->farm = fi;
    int kg = 500 + rn(4500);
    FILE *f = ev_begin("ObjectEvent", at);
    fprintf(f,
            ",\"quantityList\":[{\"epcClass\":\"%s\",\"quantity\":%d,\"uom\":\"KGM\"}],"
            "\"action\":\"ADD\",\"bizStep\":\"commissioning\",\"disposition\":\"active\"",
            l->id, kg);
    loc_fields(f, fm->gln);
    fputs("}", f);
    ship(fm, &parties[PROC][rn(nparties[PROC])], NULL, l->id, kg, "KGM", at + 3600000, chain);
}

static void chain(long long c, int xforms)
{
    int64_t at = clock_ms;
    clock_ms += 60000 + rn(240000); /* chains start 1–5 minutes apart */
    if (!nring || rn(3) == 0)
        harvest(at, c);
    const party *pr = &parties[PROC][rn(nparties[PROC])];
    char prev[RING][128];
    int nprev = 1 + rn(nring < 3 ? nring : 3);
    for (int i = 0; i < nprev; i++)
        snprintf(prev[i], sizeof prev[i], "%s", ring[(nring - 1 - rn(nring < RING ? nring : RING) + RING) % RING].id);
    char out[128] = "";
    int64_t t = at + 24 * 3600000ll;
    for (int x = 0; x < xforms && nevents < target; x++, t += 4 * 3600000ll) {
        char gt[15], lt[24];
        gtin(pr->gcp, 200 + x * 10 + rn(10), gt);
        snprintf(lt, sizeof lt, "P%lld%c", c, 'A' + x);
        lot_id(gt, lt, (int)(rnd() & 1), out, sizeof out);
        FILE *f = ev_begin("TransformationEvent", t);
        fputs(",\"inputQuantityList\":[", f);
        for (int i = 0; i < nprev; i++)
            fprintf(f, "%s{\"epcClass\":\"%s\",\"quantity\":%d,\"uom\":\"KGM\"}", i ? "," : "",
                    prev[i], 50 + rn(400));
        fprintf(f,
                "],\"outputQuantityList\":[{\"epcClass\":\"%s\",\"quantity\":%d,\"uom\":\"KGM\"}],"
                "\"bizStep\":\"commissioning\",\"disposition\":\"active\"",
                out, 40 + rn(300));
        loc_fields(f, pr->gln);
        fputs("}", f);
        snprintf(prev[0], sizeof prev[0], "%s", out);
        nprev = 1;
    }
    /* packing at a packer: the product lot onto a pallet */
    const party *pk = &parties[PACK][rn(nparties[PACK])];
    ship(pr, pk, NULL, out, 100, "KGM", t, (uint64_t)c * 10 + 1);
    t += 12 * 3600000ll;
    char ss[64], ssd[19];
    sscc(pk->gcp, (uint64_t)c, ss, sizeof ss, ssd);
    if (nevents < target) {
        FILE *f = ev_begin("AggregationEvent", t);
        char cgt[15];
        gtin(pk->gcp, 300 + rn(20), cgt);
        fprintf(f, ",\"parentID\":\"%s\",\"childEPCs\":[", ss);
        for (int i = 0; i < 4; i++)
            fprintf(f, "%s\"https://id.gs1.org/01/%s/21/%lld%d\"", i ? "," : "", cgt, c, i);
        fprintf(f,
                "],\"childQuantityList\":[{\"epcClass\":\"%s\",\"quantity\":%d,\"uom\":\"KGM\"}],"
                "\"action\":\"ADD\",\"bizStep\":\"packing\",\"disposition\":\"container_closed\"",
                out, 20 + rn(80));
        loc_fields(f, pk->gln);
        fputs("}", f);
    }
    const party *ds = &parties[DIST][rn(nparties[DIST])];
    const party *rt = &parties[RETAIL][rn(nparties[RETAIL])];
    ship(pk, ds, ss, NULL, 0, NULL, t + 3600000, (uint64_t)c * 10 + 2);
    ship(ds, rt, ss, NULL, 0, NULL, t + 30 * 3600000ll, (uint64_t)c * 10 + 3);
    t += 60 * 3600000ll;
    if (nevents < target) {
        FILE *f = ev_begin("AggregationEvent", t);
        fprintf(f, ",\"parentID\":\"%s\",\"action\":\"DELETE\",\"bizStep\":\"unpacking\"", ss);
        loc_fields(f, rt->gln);
        fputs("}", f);
    }
    if (nevents < target) {
        FILE *f = ev_begin("ObjectEvent", t + 5 * 3600000ll);
        fprintf(f,
                ",\"quantityList\":[{\"epcClass\":\"%s\",\"quantity\":%d,\"uom\":\"KGM\"}],"
                "\"action\":\"OBSERVE\",\"bizStep\":\"retail_selling\",\"disposition\":"
                "\"retail_sold\"",
                out, 1 + rn(20));
        loc_fields(f, rt->gln);
        fputs("}", f);
    }
}

static void usage(void)
{
    fputs("usage: gen_trace --out DIR [--events N (1000000)] [--per-doc N (500)] [--seed N (1)]\n"
          "                 [--xforms N (2)] [--farms N (200)] [--processors N (20)]\n"
          "                 [--packers N (10)] [--distributors N (10)] [--retailers N (200)]\n"
          "                 [--no-event-ids]\n",
          stderr);
    exit(2);
}

int main(int argc, char **argv)
{
    long long seed = 1;
    int xforms = 2, counts[NKIND] = {200, 20, 10, 10, 200};
    target = 1000000;
    per_doc = 500;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--no-event-ids")) {
            with_ids = 0;
            continue;
        }
        if (!v)
            usage();
        i++;
        if (!strcmp(a, "--out"))
            outdir = v;
        else if (!strcmp(a, "--events"))
            target = atoll(v);
        else if (!strcmp(a, "--per-doc"))
            per_doc = atoi(v);
        else if (!strcmp(a, "--seed"))
            seed = atoll(v);
        else if (!strcmp(a, "--xforms"))
            xforms = atoi(v);
        else if (!strcmp(a, "--farms"))
            counts[FARM] = atoi(v);
        else if (!strcmp(a, "--processors"))
            counts[PROC] = atoi(v);
        else if (!strcmp(a, "--packers"))
            counts[PACK] = atoi(v);
        else if (!strcmp(a, "--distributors"))
            counts[DIST] = atoi(v);
        else if (!strcmp(a, "--retailers"))
            counts[RETAIL] = atoi(v);
        else
            usage();
    }
    for (int k = 0; k < NKIND; k++)
        if (counts[k] < 1 || counts[k] > 4000)
            usage();
    if (!outdir || target < 1 || per_doc < 1 || xforms < 1 || xforms > 8)
        usage();
    if (mkdir(outdir, 0755) && errno != EEXIST) {
        perror(outdir);
        return 1;
    }
    rng_state = (uint64_t)seed;
    init_parties(counts);
    long long chains = 0;
    while (nevents < target)
        chain(chains++, xforms);
    doc_close();
    char path[4096];
    snprintf(path, sizeof path, "%s/manifest.txt", outdir);
    FILE *m = fopen(path, "w");
    if (!m) {
        perror(path);
        return 1;
    }
    fprintf(m, "events %lld\ndocuments %d\nper_doc %d\nseed %lld\nchains %lld\nxforms %d\n",
            nevents, ndocs, per_doc, seed, chains, xforms);
    for (int k = 0; k < NKIND; k++)
        fprintf(m, "%s %d first_gln %s\n", kind_name[k], nparties[k], parties[k][0].gln);
    fprintf(m, "last_lot %s\n", ring[(nring - 1) % RING].id);
    fclose(m);
    printf("%lld events in %d documents under %s\n", nevents, ndocs, outdir);
    return 0;
}
