/*
 * text_fold_bench — throughput of text_fold and text_tokens on the seed
 * reports repeated to ~50 MB. Build and run from the repo root:
 *   make build/bench/text_fold_bench && build/bench/text_fold_bench [seed files...]
 * With no arguments it reads the .txt files in ../shared/data/seeds/.
 */
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>

#include "core/text.h"
#include "core/util.h"

#define TARGET (50u << 20)

static double mbps(size_t bytes, int64_t us)
{
    return us > 0 ? (double)bytes / (double)us : 0.0; /* bytes/us == MB/s */
}

int main(int argc, char **argv)
{
    glob_t g = {0};
    buf seed, big, out;
    char **files = argv + 1;
    size_t nfiles = (size_t)argc - 1;
    int64_t t0;
    buf_init(&seed, 0);
    if (!nfiles) {
        if (glob("../shared/data/seeds/*.txt", 0, NULL, &g)) {
            fprintf(stderr, "no seed files\n");
            return 1;
        }
        files = g.gl_pathv;
        nfiles = g.gl_pathc;
    }
    for (size_t i = 0; i < nfiles; i++) {
        char *d;
        size_t n;
        if (file_read_all(files[i], 0, &d, &n)) {
            fprintf(stderr, "cannot read %s\n", files[i]);
            return 1;
        }
        buf_append(&seed, d, n);
        free(d);
    }
    buf_init(&big, 0);
    while (big.len < TARGET)
        buf_append(&big, seed.data, seed.len);
    buf_init(&out, 0);
    text_fold(big.data, big.len, &out); /* warm up, size the buffer */
    for (int round = 0; round < 3; round++) {
        out.len = 0;
        t0 = mono_us();
        if (text_fold(big.data, big.len, &out)) {
            fprintf(stderr, "text_fold failed\n");
            return 1;
        }
        printf("text_fold:   %6.1f MB in %7.1f ms = %6.0f MB/s\n", big.len / 1e6,
               (mono_us() - t0) / 1e3, mbps(big.len, mono_us() - t0));
    }
    /* Tokens and cleaning run per document, as the importer and the FTS5
     * tokenizer do: the seed text over and over into a reused buffer. */
    {
        size_t done = 0, outlen = 0;
        t0 = mono_us();
        while (done < TARGET) {
            out.len = 0;
            if (text_tokens(seed.data, seed.len, &out)) {
                fprintf(stderr, "text_tokens failed\n");
                return 1;
            }
            outlen = out.len;
            done += seed.len;
        }
        printf("text_tokens: %6.1f MB in %7.1f ms = %6.0f MB/s (%.1f bytes of tokens per input "
               "byte)\n",
               done / 1e6, (mono_us() - t0) / 1e3, mbps(done, mono_us() - t0),
               (double)outlen / seed.len);
        done = 0;
        t0 = mono_us();
        while (done < TARGET) {
            out.len = 0;
            text_clean_web(seed.data, seed.len, &out);
            done += seed.len;
        }
        printf("text_clean_web: %6.1f MB in %7.1f ms = %6.0f MB/s\n", done / 1e6,
               (mono_us() - t0) / 1e3, mbps(done, mono_us() - t0));
    }
    buf_free(&seed);
    buf_free(&big);
    buf_free(&out);
    if (g.gl_pathv)
        globfree(&g);
    return 0;
}
