#!/usr/bin/env bash
# Build each tests/fuzz/*.c as a libFuzzer target (clang, ASan+UBSan) linked
# with the project's core sources, and run it for FUZZ_SECONDS (default 60).
set -euo pipefail
cd "$(dirname "$0")/.."
make --no-print-directory all >/dev/null   # generated sources in build/gen
secs=${FUZZ_SECONDS:-60}
out=build/fuzz
mkdir -p "$out/obj"
flags="-std=gnu11 -g -O1 -Isrc -Ibuild/gen $(pkg-config --cflags libmicrohttpd jansson sqlite3 libpq libsodium libxml-2.0) -fsanitize=fuzzer-no-link,address,undefined"
libs="$(pkg-config --libs libmicrohttpd jansson sqlite3 libpq libsodium libxml-2.0) -lxlsxwriter -lqrencode -lpng -lpthread -lm"
objs=()
for src in $(find src -name '*.c' ! -name main.c) build/gen/*.c; do
    o=$out/obj/$(echo "$src" | tr / _).o
    [ "$o" -nt "$src" ] || clang $flags -w -c -o "$o" "$src"
    objs+=("$o")
done
status=0
for t in tests/fuzz/fuzz_*.c; do
    name=$(basename "$t" .c)
    clang $flags -fsanitize=fuzzer -o "$out/$name" "$t" "${objs[@]}" $libs
    mkdir -p "$out/corpus-$name"
    echo "== $name for ${secs}s"
    if ! "$out/$name" -max_total_time="$secs" -rss_limit_mb=2048 -print_final_stats=0 \
            "$out/corpus-$name" 2>"$out/$name.log"; then
        status=1; tail -n 40 "$out/$name.log"
    else
        grep -E '^#[0-9]+.*DONE|Done [0-9]+ runs' "$out/$name.log" | tail -n 1
    fi
done
exit $status
