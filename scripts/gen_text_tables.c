/*
 * gen_text_tables — build-time generator for core/text's lookup tables.
 *
 *   gen_text_tables TSCharacters.txt Unihan_Readings.txt out.c out.h
 *
 * TSCharacters.txt is OpenCC's Traditional->Simplified character dictionary
 * in text form ("長\t长", "阪\t阪 坂": key, TAB, space-separated candidates;
 * we take the first candidate). Unihan_Readings.txt is the decompressed
 * Unicode Unihan file; we read kMandarin (first reading per code point) and
 * strip tone marks to plain ASCII (ü -> v, as typed on pinyin keyboards).
 *
 * Output: two-level page tables indexed by code point (page = cp >> 8):
 *   text_fold_idx/text_fold_pages  cp -> folded cp (0 = unchanged)
 *   text_py_idx/text_py_pages      cp -> syllable id (0 = none) into
 *   text_py_syl                    sorted ASCII syllables, id 1..n; this is
 *                                  every syllable of every kMandarin reading,
 *                                  so it doubles as the "is this pinyin" set.
 * The fold table also carries the width folding (full-width ASCII
 * U+FF01-FF5E, ideographic and other spaces) and ASCII lower-casing, so the
 * runtime does one lookup per code point.
 *
 * Invariants the runtime relies on, enforced here:
 *   - a folded code point never needs more UTF-8 bytes than the original
 *     (mappings that would grow, e.g. rare BMP characters whose simplified
 *     form lives in CJK Extension B+, are dropped), so folding can run in
 *     place;
 *   - folding is idempotent (chains A->B->C are resolved to A->C).
 * Only libc; compiled and run by mk/text.mk.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAXCP 0x110000
#define NPAGES (MAXCP >> 8)

static uint32_t *fold;  /* [MAXCP] */
static uint16_t *pyid;  /* [MAXCP], index into syl[] + 1 after sorting */
static char **syl;
static size_t nsyl, capsyl;

static void die(const char *msg, const char *arg)
{
    fprintf(stderr, "gen_text_tables: %s%s%s\n", msg, arg ? ": " : "", arg ? arg : "");
    exit(1);
}

/* Decode one UTF-8 sequence (input is trusted data files; minimal checks). */
static int utf8_dec(const unsigned char **pp, uint32_t *cp)
{
    const unsigned char *p = *pp;
    if (p[0] < 0x80) { *cp = p[0]; *pp = p + 1; return 0; }
    if ((p[0] & 0xE0) == 0xC0 && p[1]) { *cp = ((uint32_t)(p[0] & 0x1F) << 6) | (p[1] & 0x3F); *pp = p + 2; return 0; }
    if ((p[0] & 0xF0) == 0xE0 && p[1] && p[2]) {
        *cp = ((uint32_t)(p[0] & 0x0F) << 12) | ((uint32_t)(p[1] & 0x3F) << 6) | (p[2] & 0x3F);
        *pp = p + 3; return 0;
    }
    if ((p[0] & 0xF8) == 0xF0 && p[1] && p[2] && p[3]) {
        *cp = ((uint32_t)(p[0] & 0x07) << 18) | ((uint32_t)(p[1] & 0x3F) << 12) |
              ((uint32_t)(p[2] & 0x3F) << 6) | (p[3] & 0x3F);
        *pp = p + 4; return 0;
    }
    return -1;
}

static int utf8_len(uint32_t cp)
{
    return cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
}

static void load_ts(const char *path)
{
    FILE *f = fopen(path, "r");
    char line[4096];
    size_t n = 0, grown = 0;
    if (!f) die("cannot open", path);
    while (fgets(line, sizeof line, f)) {
        const unsigned char *p = (const unsigned char *)line;
        uint32_t from, to;
        if (utf8_dec(&p, &from) || *p != '\t') continue;
        p++;
        if (utf8_dec(&p, &to)) continue;
        if (*p != ' ' && *p != '\n' && *p != '\r' && *p != 0) continue; /* multi-char: skip */
        if (from >= MAXCP || to >= MAXCP || from == to) continue;
        if (utf8_len(to) > utf8_len(from)) { grown++; continue; }
        fold[from] = to;
        n++;
    }
    fclose(f);
    if (n < 2000) die("too few Traditional->Simplified entries in", path);
    fprintf(stderr, "gen_text_tables: %zu T->S mappings (%zu dropped: would grow UTF-8)\n", n, grown);
}

static void add_width_folds(void)
{
    uint32_t c;
    for (c = 'A'; c <= 'Z'; c++) fold[c] = c + 32;
    for (c = 0xFF01; c <= 0xFF5E; c++) {
        uint32_t a = c - 0xFEE0;
        fold[c] = (a >= 'A' && a <= 'Z') ? a + 32 : a;
    }
    fold[0x3000] = ' ';  /* ideographic space */
    fold[0x00A0] = ' ';  /* no-break space (web text is full of them) */
    for (c = 0x2000; c <= 0x200A; c++) fold[c] = ' ';
    fold[0x202F] = ' ';
    fold[0x205F] = ' ';
}

/* Resolve chains so that fold(fold(x)) == fold(x); drop cycles. */
static void resolve_chains(void)
{
    for (uint32_t c = 0; c < MAXCP; c++) {
        uint32_t t = fold[c];
        int steps = 0;
        if (!t) continue;
        while (fold[t] && fold[t] != t && steps < 8) { t = fold[t]; steps++; }
        if (steps >= 8 || t == c || utf8_len(t) > utf8_len(c)) fold[c] = 0;
        else fold[c] = t;
    }
}

static int syl_index(const char *s)
{
    for (size_t i = 0; i < nsyl; i++)
        if (!strcmp(syl[i], s)) return (int)i;
    if (nsyl == capsyl) {
        capsyl = capsyl ? capsyl * 2 : 512;
        syl = realloc(syl, capsyl * sizeof *syl);
        if (!syl) die("out of memory", NULL);
    }
    syl[nsyl] = strdup(s);
    if (!syl[nsyl]) die("out of memory", NULL);
    return (int)nsyl++;
}

/* Tone-marked pinyin syllable -> plain ASCII; 0 ok, -1 if not pinyin. */
static int strip_tone(const unsigned char *p, const unsigned char *end, char *out, size_t cap)
{
    size_t n = 0;
    while (p < end) {
        uint32_t c;
        char a = 0;
        if (utf8_dec(&p, &c)) return -1;
        if (c >= 'a' && c <= 'z') a = (char)c;
        else if (c >= 0x300 && c <= 0x36F) continue; /* combining mark */
        else switch (c) {
            case 0x101: case 0xE1: case 0x1CE: case 0xE0: a = 'a'; break;
            case 0x113: case 0xE9: case 0x11B: case 0xE8: case 0xEA: a = 'e'; break;
            case 0x12B: case 0xED: case 0x1D0: case 0xEC: a = 'i'; break;
            case 0x14D: case 0xF3: case 0x1D2: case 0xF2: a = 'o'; break;
            case 0x16B: case 0xFA: case 0x1D4: case 0xF9: a = 'u'; break;
            case 0xFC: case 0x1D6: case 0x1D8: case 0x1DA: case 0x1DC: a = 'v'; break;
            case 0x144: case 0x148: case 0x1F9: a = 'n'; break;
            case 0x1E3F: a = 'm'; break;
            default: return -1;
        }
        if (n + 1 >= cap) return -1;
        out[n++] = a;
    }
    out[n] = 0;
    return n ? 0 : -1;
}

static void load_unihan(const char *path)
{
    FILE *f = fopen(path, "r");
    char line[4096];
    size_t n = 0;
    if (!f) die("cannot open", path);
    while (fgets(line, sizeof line, f)) {
        unsigned long cp;
        char *tab, *val, *end;
        int first = 1;
        if (strncmp(line, "U+", 2)) continue;
        cp = strtoul(line + 2, &tab, 16);
        if (strncmp(tab, "\tkMandarin\t", 11) || cp >= MAXCP) continue;
        val = tab + 11;
        end = val + strcspn(val, "\r\n");
        *end = 0;
        while (*val) {
            char *sp = strchr(val, ' ');
            char ascii[16];
            if (!sp) sp = val + strlen(val);
            if (!strip_tone((const unsigned char *)val, (const unsigned char *)sp, ascii, sizeof ascii)) {
                int id = syl_index(ascii);
                if (first) { pyid[cp] = (uint16_t)(id + 1); n++; }
                first = 0;
            }
            val = *sp ? sp + 1 : sp;
        }
    }
    fclose(f);
    if (n < 20000) die("too few kMandarin readings in", path);
    fprintf(stderr, "gen_text_tables: %zu code points with pinyin, %zu syllables\n", n, nsyl);
}

static int cmpstr(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Renumber syllable ids so that syl[] is sorted (bsearch at runtime). */
static void sort_syllables(void)
{
    char **sorted = malloc(nsyl * sizeof *sorted);
    uint16_t *remap = malloc((nsyl + 1) * sizeof *remap);
    if (!sorted || !remap) die("out of memory", NULL);
    memcpy(sorted, syl, nsyl * sizeof *sorted);
    qsort(sorted, nsyl, sizeof *sorted, cmpstr);
    remap[0] = 0;
    for (size_t i = 0; i < nsyl; i++) {
        char **hit = bsearch(&syl[i], sorted, nsyl, sizeof *sorted, cmpstr);
        remap[i + 1] = (uint16_t)(hit - sorted + 1);
    }
    for (uint32_t c = 0; c < MAXCP; c++) pyid[c] = remap[pyid[c]];
    free(syl);
    syl = sorted;
    free(remap);
}

static void emit_u32_pages(FILE *o, const char *name, const uint32_t *t)
{
    int np = 1;
    fprintf(o, "const uint32_t %s_pages[][256] = {\n  {0},\n", name);
    static uint16_t idx[NPAGES];
    for (int pg = 0; pg < NPAGES; pg++) {
        int any = 0;
        for (int i = 0; i < 256 && !any; i++) any = t[pg * 256 + i] != 0;
        if (!any) { idx[pg] = 0; continue; }
        idx[pg] = (uint16_t)np++;
        fprintf(o, "  { /* U+%04X */", pg << 8);
        for (int i = 0; i < 256; i++) fprintf(o, "%s%u,", i % 16 ? "" : "\n   ", t[pg * 256 + i]);
        fprintf(o, "\n  },\n");
    }
    fprintf(o, "};\nconst uint16_t %s_idx[%d] = {", name, NPAGES);
    for (int pg = 0; pg < NPAGES; pg++) fprintf(o, "%s%u,", pg % 32 ? "" : "\n  ", idx[pg]);
    fprintf(o, "\n};\n\n");
}

static void emit_u16_pages(FILE *o, const char *name, const uint16_t *t)
{
    int np = 1;
    static uint16_t idx[NPAGES];
    fprintf(o, "const uint16_t %s_pages[][256] = {\n  {0},\n", name);
    for (int pg = 0; pg < NPAGES; pg++) {
        int any = 0;
        for (int i = 0; i < 256 && !any; i++) any = t[pg * 256 + i] != 0;
        if (!any) { idx[pg] = 0; continue; }
        idx[pg] = (uint16_t)np++;
        fprintf(o, "  { /* U+%04X */", pg << 8);
        for (int i = 0; i < 256; i++) fprintf(o, "%s%u,", i % 16 ? "" : "\n   ", t[pg * 256 + i]);
        fprintf(o, "\n  },\n");
    }
    fprintf(o, "};\nconst uint16_t %s_idx[%d] = {", name, NPAGES);
    for (int pg = 0; pg < NPAGES; pg++) fprintf(o, "%s%u,", pg % 32 ? "" : "\n  ", idx[pg]);
    fprintf(o, "\n};\n\n");
}

int main(int argc, char **argv)
{
    FILE *o, *h;
    if (argc != 5) die("usage: gen_text_tables TSCharacters.txt Unihan_Readings.txt out.c out.h", NULL);
    fold = calloc(MAXCP, sizeof *fold);
    pyid = calloc(MAXCP, sizeof *pyid);
    if (!fold || !pyid) die("out of memory", NULL);
    load_ts(argv[1]);
    add_width_folds();
    resolve_chains();
    load_unihan(argv[2]);
    sort_syllables();

    h = fopen(argv[4], "w");
    if (!h) die("cannot write", argv[4]);
    fprintf(h, "/* Generated by scripts/gen_text_tables.c — do not edit. */\n"
               "#ifndef NQI_TEXT_TABLES_H\n#define NQI_TEXT_TABLES_H\n#include <stdint.h>\n"
               "#define TEXT_NPAGES %d\n"
               "extern const uint16_t text_fold_idx[TEXT_NPAGES];\n"
               "extern const uint32_t text_fold_pages[][256];\n"
               "extern const uint16_t text_py_idx[TEXT_NPAGES];\n"
               "extern const uint16_t text_py_pages[][256];\n"
               "extern const char *const text_py_syl[]; /* [0] unused; sorted 1..n */\n"
               "extern const unsigned text_py_nsyl;\n"
               "#endif\n", NPAGES);
    if (fclose(h)) die("write failed", argv[4]);

    o = fopen(argv[3], "w");
    if (!o) die("cannot write", argv[3]);
    fprintf(o, "/* Generated by scripts/gen_text_tables.c from OpenCC TSCharacters and\n"
               " * Unihan kMandarin — do not edit. */\n#include \"text_tables.h\"\n\n");
    emit_u32_pages(o, "text_fold", fold);
    emit_u16_pages(o, "text_py", pyid);
    fprintf(o, "const char *const text_py_syl[] = {\n  0,");
    for (size_t i = 0; i < nsyl; i++) fprintf(o, "%s\"%s\",", i % 10 ? " " : "\n  ", syl[i]);
    fprintf(o, "\n};\nconst unsigned text_py_nsyl = %zu;\n", nsyl);
    if (fclose(o)) die("write failed", argv[3]);
    return 0;
}
