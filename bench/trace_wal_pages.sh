#!/usr/bin/env bash
# Which B-trees one EPCIS capture dirties on SQLite (issue 5, capture
# throughput): captures PRELOAD 500-event documents (bench/gen_trace.c) into
# a fresh database, checkpoints, holds a reader open so the next commit's
# WAL frames stay in the WAL, captures one more document and maps each WAL
# frame's page number to its table or index (dbstat). Deterministic: the
# counts do not depend on the machine's load.
#   bench/trace_wal_pages.sh [PRELOAD]      default 100 (50,000 events)
set -euo pipefail
cd "$(dirname "$0")/.."
pre=${1:-100}
tmp=$(mktemp -d /tmp/nqi-wal.XXXXXX)
trap 'kill $hold 2>/dev/null || true; rm -rf "$tmp"' EXIT
hold=
make --no-print-directory build/nqi build/gen_trace build/bench/trace_capture_bench >/dev/null
build/gen_trace --out "$tmp/docs" --events $(((pre + 1) * 500)) --per-doc 500 --seed 1 >/dev/null
db=$tmp/w.db
NQI_DB=sqlite:$db build/nqi migrate >/dev/null
build/bench/trace_capture_bench sqlite:$db $(ls "$tmp"/docs/doc-*.jsonld | head -n "$pre") >/dev/null
sqlite3 "$db" "PRAGMA wal_checkpoint(TRUNCATE);" >/dev/null
(echo "BEGIN; SELECT count(*) FROM sqlite_schema;"; sleep 60) | sqlite3 "$db" >/dev/null &
hold=$!
sleep 0.5
build/bench/trace_capture_bench sqlite:$db $(ls "$tmp"/docs/doc-*.jsonld | sed -n "$((pre + 1))p") >/dev/null
python3 - "$db" <<'PY'
import collections, sqlite3, struct, sys
db = sys.argv[1]
w = open(db + '-wal', 'rb').read()
ps = struct.unpack('>I', w[8:12])[0]
pages, off = set(), 32
while off + 24 + ps <= len(w):
    pages.add(struct.unpack('>I', w[off:off + 4])[0])
    off += 24 + ps
names = dict(sqlite3.connect(db).execute('SELECT pageno, name FROM dbstat'))
count = collections.Counter(names.get(p, '?') for p in pages)
print(f'| b-tree | pages dirtied by one 500-event capture (of {len(pages)}) |')
print('|---|---:|')
for name, n in count.most_common():
    print(f'| {name} | {n} |')
PY
