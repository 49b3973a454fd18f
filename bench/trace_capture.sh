#!/usr/bin/env bash
# EPCIS capture throughput via HTTP (issue 5): POST /api/v1/epcis/capture of
# generated 500-event JSON-LD documents (bench/gen_trace.c) by C concurrent
# clients (bench/trace_capture_client.mjs, keep-alive), against a fresh
# database; every job must end 'success' with the whole document stored.
#   bench/trace_capture.sh [sqlite|pg] [EVENTS] [CLIENTS] [PER_DOC]
#       defaults: sqlite 100000 2 500
# PostgreSQL runs on a temporary cluster (scripts/pgtmp.sh). Prints one
# Markdown table row for docs/benchmarks.md ("Traceability: capture").
set -euo pipefail
cd "$(dirname "$0")/.."
backend=${1:-sqlite}; events=${2:-100000}; clients=${3:-2}; per_doc=${4:-500}
threads=${NQI_THREADS:-4}
tmp=$(mktemp -d /tmp/nqi-trace-bench.XXXXXX); chmod 755 "$tmp"
pid=
cleanup() {
    [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
    [ "$backend" = pg ] && scripts/pgtmp.sh stop "$tmp/pg" >/dev/null 2>&1
    rm -rf "$tmp"
}
trap cleanup EXIT

make --no-print-directory build/nqi build/gen_trace build/bench/trace_capture_bench >/dev/null
build/gen_trace --out "$tmp/docs" --events "$events" --per-doc "$per_doc" --seed 1 >/dev/null
bytes=$(cat "$tmp"/docs/doc-*.jsonld | wc -c)

if [ "$backend" = pg ]; then
    export NQI_DB=$(scripts/pgtmp.sh start "$tmp/pg" | tail -n 1)
else
    export NQI_DB=sqlite:$tmp/bench.db
fi
# baseline, same run: in process (no HTTP), one thread, its own fresh database
if [ "$backend" = pg ]; then base_db=$(scripts/pgtmp.sh start "$tmp/pgb" | tail -n 1); else base_db=sqlite:$tmp/base.db; fi
base=$(build/bench/trace_capture_bench "$base_db" "$tmp"/docs/doc-*.jsonld)
[ "$backend" = pg ] && scripts/pgtmp.sh stop "$tmp/pgb" >/dev/null 2>&1
build/nqi init >/dev/null 2>&1
token=$(build/nqi token add --role enterprise --org 91110000802100433B bench | tail -n 1)
build/nqi serve --listen 127.0.0.1:0 --quiet --threads "$threads" >"$tmp/serve.log" 2>&1 &
pid=$!
url=
for _ in $(seq 100); do url=$(grep -Eo 'http://127\.0\.0\.1:[0-9]+' "$tmp/serve.log" || true); [ -n "$url" ] && break; sleep 0.1; done
[ -n "$url" ] || { cat "$tmp/serve.log"; exit 1; }

cpu0=$(awk '{print $14 + $15}' /proc/$pid/stat)
out=$(node bench/trace_capture_client.mjs "$url" "$token" "$tmp/docs" "$clients")
cpu1=$(awk '{print $14 + $15}' /proc/$pid/stat)
j() { echo "$out" | grep -o "\"$1\":[0-9.]*" | cut -d: -f2; }
mb=$(awk -v b="$bytes" -v s="$(j seconds)" 'BEGIN {printf "%.1f", b / s / 1048576}')
tick=$(getconf CLK_TCK)
srv_us=$(awk -v a="$cpu0" -v b="$cpu1" -v t="$tick" -v n="$(j events)" 'BEGIN {printf "%.0f", (b - a) / t * 1e6 / n}')
b() { echo "$base" | grep -o "\"$1\":[0-9.]*" | cut -d: -f2; }
# backend | events | per doc | clients | HTTP wall | HTTP events/s | MiB/s | p50/p99 per document |
# server CPU µs/event | baseline in-process events/s (parse µs + store µs per event) | load
printf '| %s | %s | %s | %s | %s s | **%s** | %s | %s / %s ms | %s µs | %s (%s + %s µs) | %s |\n' \
    "$backend" "$(j events)" "$per_doc" "$clients" "$(j seconds)" "$(j events_per_s)" "$mb" \
    "$(j p50_ms)" "$(j p99_ms)" "$srv_us" "$(b events_per_s)" "$(b parse_us)" "$(b store_us)" \
    "$(cut -d' ' -f1-3 /proc/loadavg)"
