/*
 * std_number_bench.c — throughput of std_number_parse on messy real numbers.
 *
 *   cc -std=gnu11 -O2 -Isrc -o build/std_number_bench bench/std_number_bench.c \
 *      src/standards/number.c src/core/err.c src/core/util.c && build/std_number_bench
 *
 * Prints parses per second over a mix of clean, full-width, lower-case,
 * em-dashed, dual-numbered and titled inputs (and a few errors).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "standards/number.h"

static const char *const inputs[] = {
    "GB/T 19580-2012",
    "gb/t19580—2012",
    "ＧＢ／Ｔ１９５８０－２０１２",
    "GB/T 19001-2016/ISO 9001:2015",
    "GB 50016—2014（2018年版）",
    "GB 2763-2021/XG1-2022",
    "DB11/T 1322-2016",
    "T/CECS 10001-2019",
    "Q/GDW 1168-2013",
    "JJF 1059.1-2012",
    "NB/SH/T 0882-2014",
    "GB 5749-85",
    "  《GB/T 17980.43-2000》 ",
    "JTG/T F50-2011",
    "GB/T 19580-201", /* error */
    "XYZ 12-2010",    /* error */
};

int main(int argc, char **argv)
{
    long rounds = argc > 1 ? atol(argv[1]) : 200000;
    size_t n_in = sizeof inputs / sizeof inputs[0];
    size_t lens[sizeof inputs / sizeof inputs[0]];
    for (size_t i = 0; i < n_in; i++)
        lens[i] = strlen(inputs[i]);
    std_number out;
    nqi_error err;
    long ok = 0, total = 0;
    int64_t t0 = mono_us();
    for (long r = 0; r < rounds; r++) {
        for (size_t i = 0; i < n_in; i++) {
            err.code = 0;
            err.nfields = 0;
            ok += std_number_parse(inputs[i], lens[i], &out, &err) == 0;
            total++;
        }
    }
    int64_t us = mono_us() - t0;
    printf("%ld parses (%ld ok) in %.3f s: %.0f parses/s, %.0f ns/parse\n", total, ok, us / 1e6,
           total / (us / 1e6), us * 1000.0 / total);
    return 0;
}
