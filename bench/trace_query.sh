#!/usr/bin/env bash
# trace_query.sh — the traceability read-path benchmark on SQLite and on a
# temporary PostgreSQL (scripts/pgtmp.sh). Usage: bench/trace_query.sh [LINEAGES]
# (default 18,000 lineages = ~1,000,000 events; e.g. 1000 for a quick look).
# NQI_BENCH_BASELINE=REV also measures src/trace/genealogy.c as of git REV
# (compiled against today's headers, linked ahead of libnqi.a) on the same
# databases: before/after in one run. Figures: docs/benchmarks.md.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-18000}
make -s build/libnqi.a
BASE=${NQI_BENCH_BASELINE:-}
build() { # OUT [extra sources]
    local out=$1
    shift
    cc -std=gnu11 -O2 -Wall -Wextra -Werror -Wno-unused-parameter -Isrc -Ibuild/gen \
       $(pkg-config --cflags libpq) -o "$out" bench/trace_query_bench.c "$@" build/libnqi.a \
       $(pkg-config --libs libmicrohttpd jansson sqlite3 libpq libsodium libxml-2.0) \
       -lxlsxwriter -lqrencode -lpng -lpthread -lm
}
TMP=$(mktemp -d /tmp/nqi-tqb.XXXXXX)
trap 'scripts/pgtmp.sh stop "$TMP/pg" >/dev/null 2>&1 || true; rm -rf "$TMP"' EXIT
build build/trace_query_bench
if [ -n "$BASE" ]; then
    git show "$BASE:src/trace/genealogy.c" >"$TMP/genealogy_base.c"
    build build/trace_query_bench_base -Isrc/trace "$TMP/genealogy_base.c"
fi
measure() { # DBURL
    echo "-- nproc $(nproc), load $(cut -d' ' -f1-3 /proc/loadavg), $(date -u +%H:%M) UTC"
    build/trace_query_bench run "$1" "$N"
    if [ -n "$BASE" ]; then
        echo "-- baseline: genealogy.c of $BASE, load $(cut -d' ' -f1-3 /proc/loadavg)"
        build/trace_query_bench_base run "$1" "$N"
        # the first pass after generating runs on colder caches: traces again, both warm
        echo "-- second pass, traces: current, load $(cut -d' ' -f1-3 /proc/loadavg)"
        build/trace_query_bench traces "$1" "$N"
        echo "-- second pass, traces: baseline, load $(cut -d' ' -f1-3 /proc/loadavg)"
        build/trace_query_bench_base traces "$1" "$N"
    fi
}
echo "== nproc $(nproc), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "== SQLite"
build/trace_query_bench gen "sqlite:$TMP/t.db" "$N"
measure "sqlite:$TMP/t.db"
echo "== PostgreSQL"
PG=$(scripts/pgtmp.sh start "$TMP/pg" | tail -n 1)
build/trace_query_bench gen "$PG" "$N"
measure "$PG"
