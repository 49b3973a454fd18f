#!/usr/bin/env bash
# HTTP benchmark (issue 2): wrk against nqi's /api/v1/health and a small
# DB-backed JSON read (/api/v1/log/head: one indexed SELECT + JSON), side by
# side with Debian nginx serving a static file of the same size, same
# connections, same run. Also peak RSS of `nqi serve` idle and under load.
#   bench/http.sh [SECONDS] [CONNECTIONS]      (defaults 10 s, 64 connections)
# Prints a Markdown table for docs/benchmarks.md.
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-10}; conns=${2:-64}; threads=${NQI_THREADS:-8}
command -v wrk >/dev/null && command -v nginx >/dev/null || { echo "needs wrk and nginx (make deps)"; exit 1; }
tmp=$(mktemp -d /tmp/nqi-bench.XXXXXX); chmod 755 "$tmp"
pids=()
trap 'for p in "${pids[@]}"; do kill $p 2>/dev/null; done; wait 2>/dev/null; rm -rf "$tmp"' EXIT

export NQI_DB=sqlite:$tmp/bench.db
build/nqi init >/dev/null
build/nqi serve --listen 127.0.0.1:0 --quiet --threads "$threads" >"$tmp/serve.log" 2>&1 &
nqi_pid=$!; pids+=($nqi_pid)
for _ in $(seq 50); do url=$(grep -Eo 'http://127\.0\.0\.1:[0-9]+' "$tmp/serve.log" || true); [ -n "$url" ] && break; sleep 0.1; done
[ -n "$url" ] || { cat "$tmp/serve.log"; exit 1; }

# nginx serving a static copy of the DB-backed response, same size
mkdir -p "$tmp/www" "$tmp/nginx"
curl -s "$url/api/v1/log/head" >"$tmp/www/head.json"
size=$(stat -c %s "$tmp/www/head.json")
nport=$((20000 + RANDOM % 20000))
cat >"$tmp/nginx/nginx.conf" <<CONF
worker_processes auto;
pid $tmp/nginx/nginx.pid;
error_log $tmp/nginx/error.log;
events { worker_connections 4096; }
http {
  access_log off;
  default_type application/json;
  server { listen 127.0.0.1:$nport; root $tmp/www; }
}
CONF
nginx -p "$tmp/nginx" -c "$tmp/nginx/nginx.conf" -g 'daemon off;' &
pids+=($!)
sleep 0.5

rss_kb() { awk '/^VmRSS/ {print $2}' /proc/$nqi_pid/status; }
hwm_kb() { awk '/^VmHWM/ {print $2}' /proc/$nqi_pid/status; }
idle_rss=$(rss_kb)

run() { # name url -> "rps p99"
    local out; out=$(wrk -t2 -c"$conns" -d"${secs}s" --latency "$2")
    local rps p99
    rps=$(awk '/^Requests\/sec/ {print $2}' <<<"$out")
    p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
    echo "$rps $p99"
}
wrk -t2 -c"$conns" -d2s "$url/api/v1/log/head" >/dev/null   # warm-up
read -r n_rps n_p99 < <(run nginx "http://127.0.0.1:$nport/head.json")
read -r h_rps h_p99 < <(run health "$url/api/v1/health")
read -r d_rps d_p99 < <(run dbread "$url/api/v1/log/head")
load_hwm=$(hwm_kb)

ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.0f%%", 100 * a / b}'; }
cat <<MD
| target (${conns} connections, ${secs} s, wrk -t2) | requests/s | p99 latency | vs nginx |
|---|---:|---:|---:|
| nginx static file (${size} B) | $n_rps | $n_p99 | 100% |
| nqi GET /api/v1/health | $h_rps | $h_p99 | $(ratio "$h_rps" "$n_rps") |
| nqi GET /api/v1/log/head (SQLite read, ${size} B) | $d_rps | $d_p99 | $(ratio "$d_rps" "$n_rps") |

nqi serve RSS: idle $((idle_rss / 1024)) MiB, peak under load $((load_hwm / 1024)) MiB (--threads $threads).
MD
