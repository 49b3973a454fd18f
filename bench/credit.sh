#!/bin/sh
# bench/credit.sh — 1M-entity directory import and full credit reclassification.
#
#   bench/credit.sh sqlite:/tmp/credit-bench.db [N] [FACTS]
#   bench/credit.sh postgresql://nqi@127.0.0.1:PORT/nqi [N] [FACTS]
#
# 1. build/gen_entities writes N synthetic entities (default 1,000,000) as the CSV of
#    `nqi directory import entities` and FACTS credit facts (default 300,000) as SQL;
# 2. `nqi init` on the database (it must be empty), then the timed CSV import;
# 3. the facts are loaded with sqlite3/psql (not timed: they stand for what inspections,
#    spot checks, penalties and lists recorded over the years);
# 4. `nqi credit classify --all` twice, timed: the first run inserts every classification,
#    the second rewrites them (the nightly case).
# Figures go to docs/benchmarks.md ("Supervision: credit classification"). Wall times on a
# shared machine mostly measure the neighbours: /usr/bin/time's user+sys CPU is printed too.
set -eu
DB=${1:?usage: bench/credit.sh DBURL [N] [FACTS]}
N=${2:-1000000}
FACTS=${3:-300000}
TMP=${TMPDIR:-/tmp}/nqi-credit-bench
mkdir -p "$TMP"
cd "$(dirname "$0")/.."
make -s build/nqi
cc -std=gnu11 -O2 -Isrc -o build/gen_entities bench/gen_entities.c src/supervision/credit_code.c src/core/err.c
[ -f "$TMP/entities-$N.csv" ] || build/gen_entities --n "$N" > "$TMP/entities-$N.csv"
build/gen_entities --n "$N" --facts "$FACTS" --sql > "$TMP/facts-$N-$FACTS.sql"
echo "nproc $(nproc), load: $(cut -d' ' -f1-3 /proc/loadavg)"
export NQI_DB="$DB"
build/nqi init >/dev/null
t() { /usr/bin/time -f "  wall %e s, user %U s, sys %S s, max RSS %M KB" "$@"; }
echo "import of $N entities (nqi directory import entities):"
t build/nqi directory import entities "$TMP/entities-$N.csv"
case "$DB" in
postgres*) psql -q "$DB" -f "$TMP/facts-$N-$FACTS.sql" >/dev/null ;;
*) sqlite3 "${DB#sqlite:}" < "$TMP/facts-$N-$FACTS.sql" ;;
esac
echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"
for run in first second; do
    echo "full reclassification ($run run):"
    t build/nqi credit classify --all
done
