#!/usr/bin/env bash
# Standards service benchmark (issue 3), 1,000,000-standard catalogue:
#   1. data: bench/gen_standards (1M rows, seed 1), bench/gen_refs.py (10,000 messy
#      references + answer key, seed 1), bench/gen_queries.py (1,000 mixed queries, seed 1)
#   2. import: `nqi init` on a fresh SQLite file, `nqi standards import` timed, 3 times
#      (NQI_BENCH_IMPORT_RUNS), each into a fresh file -> median; DB size
#   3. search: `nqi serve --quiet`; the 1,000 queries one after another over one keep-alive
#      connection (python3 http.client) -> p50/p90/p99/max, 3 passes (median pass by p99);
#      then wrk -t2 -c16 cycling through them -> queries/s, and the same wrk run against
#      nginx serving the 1,000 answers as static files (baseline in the same run)
#   4. validity: the 10,000 references as JSON lines to POST /api/v1/validity/check, 5 times;
#      server time from the access log (a second `nqi serve` without --quiet on the same file);
#      baseline in the same run: 10,000 `SELECT … WHERE number = ?` (python3 sqlite3, one
#      transaction) for the answer key's numbers
#   5. RSS (VmRSS idle, VmHWM peak) of each server
#   6. NQI_BENCH_PG=1: the same import + search + validity on a throw-away PostgreSQL
#      (scripts/pgtmp.sh; NQI_BENCH_PG_IMPORT_RUNS imports, default 1)
#
#   bench/standards.sh                   (NQI_BIN=path/to/nqi to use another binary;
#                                         NQI_BENCH_N=rows, default 1000000; NQI_BENCH_DIR=dir
#                                         to keep the work files; NQI_BENCH_PG=1 adds PostgreSQL,
#                                         NQI_BENCH_PG=only runs PostgreSQL alone;
#                                         NQI_BENCH_REUSE=1 with NQI_BENCH_DIR reuses its data)
# Prints Markdown tables for docs/benchmarks.md. Takes several minutes.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
nqi=$(realpath "${NQI_BIN:-build/nqi}")
n=${NQI_BENCH_N:-1000000}
wrk_secs=${NQI_BENCH_WRK_SECS:-15}
command -v wrk >/dev/null && command -v python3 >/dev/null && command -v nginx >/dev/null ||
    { echo "needs wrk, nginx and python3"; exit 1; }
import_runs=${NQI_BENCH_IMPORT_RUNS:-3}
search_passes=${NQI_BENCH_SEARCH_PASSES:-3}
[ -x "$nqi" ] || { echo "no $nqi (make first, or NQI_BIN=…)"; exit 1; }

if [ -n "${NQI_BENCH_DIR:-}" ]; then tmp=$NQI_BENCH_DIR; mkdir -p "$tmp"; keep=1; else
    tmp=$(mktemp -d /tmp/nqi-stdbench.XXXXXX); keep=0; fi
chmod 755 "$tmp"
pids=()
pgdir=
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
    [ -n "$pgdir" ] && "$root/scripts/pgtmp.sh" stop "$pgdir" >/dev/null 2>&1 || true
    [ "$keep" = 1 ] || rm -rf "$tmp"
}
trap cleanup EXIT
log() { echo "[$(date +%T)] $*" >&2; }
ms() { awk -v a="$1" 'BEGIN {printf "%.0f", a * 1000}'; }

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
log "load average before: $load_before; work dir $tmp; binary $nqi"

# ---- 1. data ----------------------------------------------------------------------------------
if [ -s "$tmp/std.csv" ] && [ -s "$tmp/queries.tsv" ] && [ "${NQI_BENCH_REUSE:-0}" = 1 ]; then
    log "reusing the data in $tmp (NQI_BENCH_REUSE=1)"
else
    cc -O2 -o "$tmp/gen_standards" bench/gen_standards.c -lm
    t0=$(date +%s.%N)
    "$tmp/gen_standards" --n "$n" --seed 1 --out "$tmp/std.csv"
    python3 bench/gen_refs.py --catalog "$tmp/std.csv" --n 10000 --seed 1 --out "$tmp/refs.txt" --expect "$tmp/key.tsv"
    python3 bench/gen_queries.py --catalog "$tmp/std.csv" --n 1000 --seed 1 --out "$tmp/queries.tsv"
    log "data generated in $(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN {printf "%.1f", b - a}') s"
fi
csv_mb=$(awk -v s="$(stat -c %s "$tmp/std.csv")" 'BEGIN {printf "%.0f", s / 1048576}')

# ---- helpers ------------------------------------------------------------------------------------
start_server() { # logfile [--quiet] -> sets url, srv_pid
    local lf=$1; shift
    "$nqi" serve --listen 127.0.0.1:0 "$@" >"$lf" 2>&1 &
    srv_pid=$!; pids+=("$srv_pid")
    url=
    for _ in $(seq 100); do
        url=$(grep -Eo 'http://127\.0\.0\.1:[0-9]+' "$lf" | head -1 || true)
        [ -n "$url" ] && break; sleep 0.1
    done
    [ -n "$url" ] || { cat "$lf"; exit 1; }
    sleep 0.3
}
stop_server() { kill "$srv_pid" 2>/dev/null || true; wait "$srv_pid" 2>/dev/null || true; }
rss_mb() { awk -v k="$2" '$1 == k":" {printf "%.0f", $2 / 1024}' "/proc/$1/status"; }
median() { sort -n | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }
field() { grep -Eo "(^| )$2=[^ ]+" <<<"$1" | head -1 | cut -d= -f2; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.1f×", a / b}'; }
pct() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.0f%%", 100 * a / b}'; }
goal() { awk -v a="$1" -v g="$2" 'BEGIN {print (a <= g) ? "met" : "**missed**"}'; }

# sequential latency: one keep-alive connection, each request timed; prints one line per pass.
# Pass 1's answers are saved under DIR/q/ (the nginx baseline serves them as static files).
cat >"$tmp/latency.py" <<'PY'
import http.client, json, math, os, sys, time, urllib.parse, collections
url, qfile, passes, perq, save = sys.argv[1], sys.argv[2], int(sys.argv[3]), open(sys.argv[4], "w"), sys.argv[5]
u = urllib.parse.urlsplit(url)
qs = [l.rstrip("\n").split("\t", 1) for l in open(qfile, encoding="utf-8")]
os.makedirs(f"{save}/q", exist_ok=True)
def pct(v, p):
    v = sorted(v); return v[max(0, math.ceil(p / 100 * len(v)) - 1)]  # nearest rank
conn = http.client.HTTPConnection(u.hostname, u.port)
for ps in range(1, passes + 1):
    lat, bycls, zero, bad, slow = [], collections.defaultdict(list), collections.Counter(), 0, []
    for k, (cls, q) in enumerate(qs):
        path = "/api/v1/standards?q=" + urllib.parse.quote(q, safe="")
        t = time.perf_counter()
        conn.request("GET", path)
        r = conn.getresponse()
        body = r.read()
        dt = (time.perf_counter() - t) * 1000
        lat.append(dt); bycls[cls].append(dt)
        if r.status != 200:
            bad += 1; continue
        total = json.loads(body).get("total", 0)
        if total == 0:
            zero[cls] += 1
        if ps == 1:  # per query: class, query, ms, total matches (latency grows with matches)
            perq.write(f"{cls}\t{q}\t{dt:.1f}\t{total}\n")
            open(f"{save}/q/{k:04d}.json", "wb").write(body)
        slow.append((dt, cls, q))
    cls_s = " ".join(f"{c}={pct(v,50):.1f}/{pct(v,99):.1f}/{max(v):.1f}/{zero[c]}" for c, v in sorted(bycls.items()))
    slow.sort(reverse=True)
    print(f"pass={ps} n={len(lat)} p50={pct(lat,50):.1f} p90={pct(lat,90):.1f} p99={pct(lat,99):.1f} "
          f"max={max(lat):.1f} mean={sum(lat)/len(lat):.1f} non200={bad} zero_hits={sum(zero.values())} "
          f"by_class(p50/p99/max/zero)[{cls_s}] slowest[{'; '.join(f'{c}:{q}={d:.0f}' for d, c, q in slow[:5])}]")
with open(f"{save}/paths.txt", "w") as o:
    for k in range(len(qs)):
        o.write(f"/q/{k:04d}.json\n")
PY

cat >"$tmp/queries.lua" <<'LUA'
-- cycles through the URL paths in the file given after `--`; each thread starts elsewhere
local paths, i = {}, 0
local counter = 0
function setup(thread) thread:set("tid", counter); counter = counter + 1 end
function init(args)
  for line in io.lines(args[1]) do paths[#paths + 1] = line end
  i = (tid or 0) * 499 % #paths
end
function request()
  i = i % #paths + 1
  return wrk.format("GET", paths[i])
end
LUA

wrk_run() { # out-file url paths-file
    wrk -t2 -c16 -d"${wrk_secs}s" --latency -s "$tmp/queries.lua" "$2" -- "$3" >"$1"
    cat "$1" >&2
}
wrk_field() { # file what
    case $2 in
    qps) awk '/^Requests\/sec/ {printf "%.0f", $2}' "$1" ;;
    p50) awk '$1 == "50%" {print $2}' "$1" ;;
    p99) awk '$1 == "99%" {print $2}' "$1" ;;
    non2xx) awk '/Non-2xx/ {n = $NF} END {print n + 0}' "$1" ;;
    timeouts) { grep -Eo 'timeout [0-9]+' "$1" || true; } | awk '{n = $2} END {print n + 0}' ;;
    esac
}

# nginx serving directory $1 on a free port -> sets ng_url, ng_pid
start_nginx() {
    local www=$1 port=$((20000 + RANDOM % 20000))
    mkdir -p "$tmp/nginx"
    cat >"$tmp/nginx/nginx.conf" <<CONF
worker_processes auto;
pid $tmp/nginx/nginx.pid;
error_log $tmp/nginx/error.log;
events { worker_connections 4096; }
http {
  access_log off;
  default_type application/json;
  server { listen 127.0.0.1:$port; root $www; }
}
CONF
    nginx -p "$tmp/nginx" -c "$tmp/nginx/nginx.conf" -g 'daemon off;' &
    ng_pid=$!; pids+=("$ng_pid")
    ng_url=http://127.0.0.1:$port
    sleep 0.5
}

# search on the current NQI_DB: latency passes, wrk, nginx baseline, RSS -> sets s_*
search_bench() {
    local label=$1
    start_server "$tmp/serve-$label.log" --quiet
    s_idle=$(rss_mb "$srv_pid" VmRSS)
    log "$label: search latency, $search_passes sequential passes of 1,000 queries"
    python3 "$tmp/latency.py" "$url" "$tmp/queries.tsv" "$search_passes" \
        "$tmp/latency-$label-queries.tsv" "$tmp/www-$label" >"$tmp/latency-$label.txt"
    cat "$tmp/latency-$label.txt" >&2
    # the pass with the median p99 (all passes are printed as well)
    s_lat=$(awk '{for (i = 1; i <= NF; i++) if ($i ~ /^p99=/) {split($i, a, "="); print a[2] "\t" $0}}' \
        "$tmp/latency-$label.txt" | sort -n | awk -F'\t' '{l[NR] = $2} END {print l[int((NR + 1) / 2)]}')
    s_passes=$(awk '{printf "%s%s", (NR > 1 ? "; " : ""), $2 " " $3 " " $5}' "$tmp/latency-$label.txt" |
        sed 's/n=1000 //g')
    log "$label: wrk -t2 -c16 -d${wrk_secs}s, nqi"
    wrk_run "$tmp/wrk-$label.txt" "$url" "$tmp/paths.txt"
    s_peak=$(rss_mb "$srv_pid" VmHWM)
    stop_server
    log "$label: the same wrk run against nginx serving the 1,000 answers as static files"
    start_nginx "$tmp/www-$label"
    wrk_run "$tmp/wrk-$label-nginx.txt" "$ng_url" "$tmp/www-$label/paths.txt"
    kill "$ng_pid" 2>/dev/null || true; wait "$ng_pid" 2>/dev/null || true
    s_qps=$(wrk_field "$tmp/wrk-$label.txt" qps)
    s_wrk_p50=$(wrk_field "$tmp/wrk-$label.txt" p50)
    s_wrk_p99=$(wrk_field "$tmp/wrk-$label.txt" p99)
    s_non2xx=$(wrk_field "$tmp/wrk-$label.txt" non2xx)
    s_timeouts=$(wrk_field "$tmp/wrk-$label.txt" timeouts)
    s_ng_qps=$(wrk_field "$tmp/wrk-$label-nginx.txt" qps)
    s_ng_p99=$(wrk_field "$tmp/wrk-$label-nginx.txt" p99)
    s_bytes=$(du -sb "$tmp/www-$label/q" | awk '{printf "%.0f", $1 / 1000}')
}

# validity on the current NQI_DB: 5 POSTs, server time from the access log -> sets v_*
validity_bench() {
    local label=$1
    log "$label: validity, 5 x POST /api/v1/validity/check (10,000 lines), access log on"
    start_server "$tmp/serve-validity-$label.log"
    v_idle=$(rss_mb "$srv_pid" VmRSS)
    : >"$tmp/validity-$label-client.txt"
    for i in 1 2 3 4 5; do
        curl -s -o "$tmp/validity-$label-$i.json" -w '%{http_code} %{time_total} %{size_download}\n' \
            -H 'Content-Type: application/json' --data-binary "@$tmp/validity.json" \
            "$url/api/v1/validity/check" >>"$tmp/validity-$label-client.txt"
    done
    v_peak=$(rss_mb "$srv_pid" VmHWM)
    stop_server
    cat "$tmp/validity-$label-client.txt" >&2
    grep 'POST /api/v1/validity/check' "$tmp/serve-validity-$label.log" | grep -Eo '[0-9.]+ms$' |
        tr -d ms >"$tmp/validity-$label-server.txt"
    [ "$(wc -l <"$tmp/validity-$label-server.txt")" = 5 ] ||
        { echo "expected 5 access-log lines:"; cat "$tmp/serve-validity-$label.log"; exit 1; }
    v_series=$(paste -sd' ' "$tmp/validity-$label-server.txt")
    v_med=$(median <"$tmp/validity-$label-server.txt")
    v_best=$(sort -n "$tmp/validity-$label-server.txt" | head -1)
    c_series=$(awk '{printf "%s%.0f", (NR > 1 ? " " : ""), $2 * 1000}' "$tmp/validity-$label-client.txt")
    c_med=$(awk '{printf "%.0f\n", $2 * 1000}' "$tmp/validity-$label-client.txt" | median)
    v_status=$(awk '{print $1}' "$tmp/validity-$label-client.txt" | sort -u | paste -sd,)
    v_bytes=$(awk 'NR == 1 {printf "%.1f", $3 / 1048576}' "$tmp/validity-$label-client.txt")
    v_summary=$(python3 -c "import json,sys; print(json.dumps(json.load(open(sys.argv[1]))['summary'], separators=(',', ':')))" "$tmp/validity-$label-1.json")
    # answers vs the generator's key: a dated expected number must come back as that edition
    v_agree=$(python3 - "$tmp/validity-$label-1.json" "$tmp/key.tsv" <<'PY'
import collections, csv, json, re, sys
items = {it["line"]: it for it in json.load(open(sys.argv[1]))["items"]}
ok = tot = 0
miss = collections.Counter()
for row in csv.DictReader(open(sys.argv[2], encoding="utf-8"), delimiter="\t"):
    if row["kind"] in ("garbage", "unknown") or not re.search(r"[-:]\d{4}$", row["expected"]):
        continue
    tot += 1
    it = items.get(int(row["line"]))
    if it and it["number"] == row["expected"]:
        ok += 1
    else:
        miss[row["kind"]] += 1
print(f"{ok}/{tot}" + (" (others by kind: " + ", ".join(f"{k} {v}" for k, v in miss.most_common()) + ")" if miss else ""))
PY
)
}

# n imports of the CSV, each into a fresh database (fresh_db resets it) -> sets imp_*
import_bench() { # label runs
    local label=$1 runs=$2
    : >"$tmp/import-$label.times"
    for r in $(seq "$runs"); do
        fresh_db
        "$nqi" init >/dev/null 2>&1
        log "$label: import $r/$runs of $n rows (load $(cut -d' ' -f1 /proc/loadavg))"
        NQI_STD_TRACE=1 /usr/bin/time -f '%e %U %S %M' -o "$tmp/import.time" \
            "$nqi" standards import "$tmp/std.csv" >"$tmp/import-$label-$r.out" 2>&1
        cat "$tmp/import-$label-$r.out" >&2
        echo "$(cat "$tmp/import.time") $(cut -d' ' -f1 /proc/loadavg)" >>"$tmp/import-$label.times"
    done
    # the run with the median wall time
    read -r imp_wall imp_user imp_sys imp_rss imp_load < <(sort -n "$tmp/import-$label.times" |
        awk '{l[NR] = $0} END {print l[int((NR + 1) / 2)]}')
    imp_series=$(awk '{printf "%s%s", (NR > 1 ? ", " : ""), $1}' "$tmp/import-$label.times")
    imp_loads=$(awk '{printf "%s%s", (NR > 1 ? ", " : ""), $5}' "$tmp/import-$label.times")
}

# the 1,000 queries as URL paths (for wrk) and the validity body
python3 - "$tmp" <<'PY'
import json, sys, urllib.parse
d = sys.argv[1]
with open(f"{d}/queries.tsv", encoding="utf-8") as f, open(f"{d}/paths.txt", "w") as o:
    for line in f:
        q = line.rstrip("\n").split("\t", 1)[1]
        o.write("/api/v1/standards?q=" + urllib.parse.quote(q, safe="") + "\n")
with open(f"{d}/refs.txt", encoding="utf-8") as f:
    lines = f.read().split("\n")
if lines and lines[-1] == "":
    lines.pop()
with open(f"{d}/validity.json", "w", encoding="utf-8") as o:
    json.dump({"as_of": "2026-11-24", "lines": lines}, o, ensure_ascii=False)
PY
csv_mb=$(awk -v s="$(stat -c %s "$tmp/std.csv")" 'BEGIN {printf "%.0f", s / 1048576}')
machine="$(nproc) × $(lscpu | awk -F: '/Model name/ {gsub(/^ +/, "", $2); print $2}'), $(free -g | awk '/Mem:/ {print $2}') GiB, $(. /etc/os-release; echo "$PRETTY_NAME")"

search_rows() { # label -> Markdown rows of the search part
    cat <<MD
| search, 1,000 queries sequential, median of $search_passes passes by p99: p50 / p90 / p99 / max | $(field "$s_lat" p50) / $(field "$s_lat" p90) / $(field "$s_lat" p99) / $(field "$s_lat" max) ms | p99 ≤ 20 ms | $(goal "$(field "$s_lat" p99)" 20) |
| search, every pass (p50 p90 p99, ms) | ${s_passes} | | |
| search throughput, wrk -t2 -c16 -d${wrk_secs}s cycling the 1,000 queries | ${s_qps} queries/s (wrk p50 ${s_wrk_p50}, p99 ${s_wrk_p99}; non-2xx ${s_non2xx}; wrk timeouts ${s_timeouts}) | | |
| baseline: nginx serving the same 1,000 answers as static files (${s_bytes} kB), same wrk run | ${s_ng_qps} requests/s (p99 ${s_ng_p99}) | | |
| nqi search / nginx static | $(pct "$s_qps" "$s_ng_qps") of nginx's requests/s | | |
MD
}

validity_rows() {
    cat <<MD
| validity check, 10,000 references, server time (access log), 5 runs | median ${v_med} ms, best ${v_best} ms (${v_series}) | ≤ 300 ms | $(goal "$v_med" 300) (median), $(goal "$v_best" 300) (best) |
| validity check, client wall time (curl) | median ${c_med} ms (${c_series}); HTTP ${v_status}, ${v_bytes} MiB answer | | |
MD
}

if [ "${NQI_BENCH_PG:-0}" != only ]; then
# ---- 2. import (SQLite) -------------------------------------------------------------------------
export NQI_DB=sqlite:$tmp/std.db
fresh_db() { rm -f "$tmp/std.db" "$tmp/std.db-wal" "$tmp/std.db-shm"; }
import_bench sqlite "$import_runs"
# checkpoint the WAL so the file size is the database's
python3 -c "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute('PRAGMA wal_checkpoint(TRUNCATE)'); c.close()" "$tmp/std.db"
db_mb=$(awk -v s="$(stat -c %s "$tmp/std.db")" 'BEGIN {printf "%.0f", s / 1048576}')
rows=$(sqlite3 "$tmp/std.db" 'SELECT count(*) FROM standards')
log "import: median ${imp_wall}s wall (${imp_series}), DB ${db_mb} MiB, $rows rows"

# ---- 3. search (SQLite) -------------------------------------------------------------------------
search_bench sqlite
sq_rows=$(search_rows)
lat=$s_lat; sq_idle=$s_idle; sq_peak=$s_peak

# ---- 4. validity (SQLite) -----------------------------------------------------------------------
validity_bench sqlite
log "baseline: 10,000 indexed lookups in SQLite (python3 sqlite3), 5 runs"
python3 - "$tmp/std.db" "$tmp/key.tsv" >"$tmp/baseline.txt" <<'PY'
import csv, sqlite3, sys, time
db = sqlite3.connect(sys.argv[1], isolation_level=None)
keys = [r["expected"] or r["input"] for r in csv.DictReader(open(sys.argv[2], encoding="utf-8"), delimiter="\t")]
sql = ("SELECT id, number, title_zh, status, implemented_on, withdrawn_on FROM standards WHERE number = ?")
for _ in range(5):
    t = time.perf_counter()
    db.execute("BEGIN")
    hits = 0
    for k in keys:
        hits += db.execute(sql, (k,)).fetchone() is not None
    db.execute("COMMIT")
    print(f"{(time.perf_counter() - t) * 1000:.1f} {len(keys)} {hits}")
PY
cat "$tmp/baseline.txt" >&2
b_series=$(awk '{printf "%s%s", (NR > 1 ? " " : ""), $1}' "$tmp/baseline.txt")
b_med=$(awk '{print $1}' "$tmp/baseline.txt" | median); b_best=$(awk '{print $1}' "$tmp/baseline.txt" | sort -n | head -1)
b_hits=$(awk 'NR == 1 {print $3 "/" $2}' "$tmp/baseline.txt")
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

cat <<MD
Catalogue: $rows standards (\`gen_standards --n $n --seed 1\`, ${csv_mb} MB CSV). SQLite $(sqlite3 --version | cut -d' ' -f1), \`$nqi\`.
Machine: ${machine}. Load average (1/5/15 min): before $load_before, after $load_after;
1-min load at the start of each import: ${imp_loads}.

| what | figure | goal | |
|---|---:|---:|---|
| \`nqi standards import\` (index included), median of ${import_runs} runs, each into a fresh file | **${imp_wall} s** wall (runs: ${imp_series} s; the median run: ${imp_user} s user + ${imp_sys} s sys CPU, peak RSS $((imp_rss / 1024)) MiB) | ≤ 60 s | $(goal "$imp_wall" 60) |
| DB file after import (WAL checkpointed) | ${db_mb} MiB | | |
${sq_rows}
$(validity_rows)
| baseline: 10,000 \`SELECT … WHERE number = ?\`, python3 sqlite3, one transaction, 5 runs | median ${b_med} ms, best ${b_best} ms (${b_series}); ${b_hits} found | | |
| nqi validity / baseline | $(ratio "$v_med" "$b_med") (medians), $(ratio "$v_best" "$b_best") (best) | | |
| \`nqi serve\` RSS, search server | idle ${sq_idle} MiB, peak ${sq_peak} MiB | | |
| \`nqi serve\` RSS, validity server | idle ${v_idle} MiB, peak ${v_peak} MiB | | |

Search by query class, median pass (p50 / p99 / max ms / queries with no hit):
$(grep -Eo 'by_class[^]]*' <<<"$lat" | sed 's/^by_class(p50\/p99\/max\/zero)\[//' | tr ' ' '\n' | sed 's/^/- /')

Slowest queries, median pass: $(grep -Eo 'slowest\[[^]]*' <<<"$lat" | sed 's/^slowest\[//').
Pass 1 by number of matches (\`total\`): $(sort -t$'\t' -k4,4n "$tmp/latency-sqlite-queries.tsv" | awk -F'\t' '{b = $4 < 1000 ? "<1k" : $4 < 10000 ? "1k-10k" : $4 < 100000 ? "10k-100k" : ">=100k"; n[b]++; s[b] += $3} END {for (k in n) printf "%s: %d queries, mean %.0f ms; ", k, n[k], s[k] / n[k]}').
Validity summary: \`${v_summary}\`; dated references resolved to the generator's expected edition: ${v_agree}.
MD

fi

# ---- 6. PostgreSQL (optional) -------------------------------------------------------------------
if [ "${NQI_BENCH_PG:-0}" = 1 ] || [ "${NQI_BENCH_PG:-0}" = only ]; then
    pgdir=$tmp/pg
    pgurl=$("$root/scripts/pgtmp.sh" start "$pgdir" | tail -1)
    export NQI_DB=$pgurl
    fresh_db() { psql -q "$pgurl" -c 'DROP SCHEMA public CASCADE; CREATE SCHEMA public' >/dev/null 2>&1; }
    pg_load_before=$(cut -d' ' -f1-3 /proc/loadavg)
    import_bench pg "${NQI_BENCH_PG_IMPORT_RUNS:-1}"
    pg_mb=$(psql "$pgurl" -Atc "SELECT pg_database_size(current_database()) / 1048576")
    psql -q "$pgurl" -c 'VACUUM ANALYZE' >/dev/null
    search_bench pg
    pg_search_rows=$(search_rows)
    plat=$s_lat
    validity_bench pg
    cat <<MD

PostgreSQL $(psql "$pgurl" -Atc 'SHOW server_version' | cut -d' ' -f1) (scripts/pgtmp.sh: fsync off, default settings otherwise), same catalogue, queries and references; \`VACUUM ANALYZE\` after the import.
Load average before: $pg_load_before; 1-min load at the start of each import: ${imp_loads}.

| what | figure | goal | |
|---|---:|---:|---|
| \`nqi standards import\`, ${NQI_BENCH_PG_IMPORT_RUNS:-1} run(s), median | **${imp_wall} s** wall (runs: ${imp_series} s; nqi ${imp_user} s user + ${imp_sys} s sys, peak RSS $((imp_rss / 1024)) MiB) | ≤ 60 s | $(goal "$imp_wall" 60) |
| database size | ${pg_mb} MiB | | |
${pg_search_rows}
$(validity_rows)
| \`nqi serve\` RSS, search / validity server | idle ${s_idle} / ${v_idle} MiB, peak ${s_peak} / ${v_peak} MiB | | |

By query class, median pass: $(grep -Eo 'by_class[^]]*' <<<"$plat" | sed 's/^by_class(p50\/p99\/max\/zero)\[//').
Slowest: $(grep -Eo 'slowest\[[^]]*' <<<"$plat" | sed 's/^slowest\[//').
Validity summary: \`${v_summary}\`; expected editions: ${v_agree}.
Load average after: $(cut -d' ' -f1-3 /proc/loadavg).
MD
fi
