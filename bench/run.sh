#!/usr/bin/env bash
# `make bench`: run every benchmark in bench/ that has a runner, printing
# Markdown tables to paste into docs/benchmarks.md (with the date and machine).
set -euo pipefail
cd "$(dirname "$0")/.."
echo "# $(date -u +%F) on $(nproc) x $(lscpu | awk -F: '/Model name/ {gsub(/^ +/, "", $2); print $2}'), $(free -g | awk '/Mem:/ {print $2}') GiB"
for b in bench/http.sh bench/standards.sh bench/validity.sh; do
    [ -x "$b" ] || continue
    echo; echo "## $b"; "$b"
done
