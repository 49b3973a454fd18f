#!/usr/bin/env bash
# trace_query.sh — the traceability read-path benchmark on SQLite and on a
# temporary PostgreSQL (scripts/pgtmp.sh). Usage: bench/trace_query.sh [LINEAGES]
# (default 18,000 lineages = ~1,000,000 events). Figures: docs/benchmarks.md.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-18000}
make -s build/libnqi.a
cc -std=gnu11 -O2 -Wall -Wextra -Werror -Wno-unused-parameter -Isrc -Ibuild/gen \
   $(pkg-config --cflags libpq) -o build/trace_query_bench bench/trace_query_bench.c build/libnqi.a \
   $(pkg-config --libs libmicrohttpd jansson sqlite3 libpq libsodium libxml-2.0) \
   -lxlsxwriter -lqrencode -lpng -lpthread -lm
TMP=$(mktemp -d /tmp/nqi-tqb.XXXXXX)
trap 'scripts/pgtmp.sh stop "$TMP/pg" >/dev/null 2>&1 || true; rm -rf "$TMP"' EXIT
echo "== nproc $(nproc), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "== SQLite"
build/trace_query_bench gen "sqlite:$TMP/t.db" "$N"
build/trace_query_bench run "sqlite:$TMP/t.db" "$N"
echo "== PostgreSQL"
PG=$(scripts/pgtmp.sh start "$TMP/pg" | tail -n 1)
build/trace_query_bench gen "$PG" "$N"
build/trace_query_bench run "$PG" "$N"
