#!/usr/bin/env bash
# trace_query_ext.sh — latency of the query parameters answered from the stored
# event document (src/trace/query_ext.c) against an indexed baseline, through
# a real `nqi serve`, on SQLite and on a temporary PostgreSQL. The repository is
# bench/trace_query_bench's supply network (LINEAGES x 56 events, default 1,800
# = ~104,000 events; its documents carry no ILMD or sensor data, so the
# document conditions scan and match nothing — the cost of the scan is the
# figure). Median of 7 requests per query. Usage: bench/trace_query_ext.sh [LINEAGES]
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-1800}
make -s build/nqi build/libnqi.a
cc -std=gnu11 -O2 -Wall -Wextra -Werror -Wno-unused-parameter -Isrc -Ibuild/gen \
   $(pkg-config --cflags libpq) -o build/trace_query_bench bench/trace_query_bench.c build/libnqi.a \
   $(pkg-config --libs libmicrohttpd jansson sqlite3 libpq libsodium libxml-2.0 libcurl) \
   -lxlsxwriter -lqrencode -lpng -lpthread -lm
TMP=$(mktemp -d /tmp/nqi-tqx.XXXXXX)
PID=
trap '[ -n "$PID" ] && kill $PID; scripts/pgtmp.sh stop "$TMP/pg" >/dev/null 2>&1 || true; rm -rf "$TMP"' EXIT

W='GE_eventTime=2026-09-25T00:00:00Z&LT_eventTime=2026-09-26T00:00:00Z&EQ_bizStep=shipping&perPage=100'
measure() { # DBURL
    local db=$1 tok url
    tok=$(NQI_DB=$db build/nqi token add --role admin bench | tail -n 1)
    NQI_DB=$db NQI_TRACE_SUB_POLL_MS=600000 build/nqi serve --listen 127.0.0.1:0 --quiet >"$TMP/serve.out" 2>&1 &
    PID=$!
    for _ in $(seq 100); do grep -q http "$TMP/serve.out" && break; sleep 0.1; done
    url=$(grep -o 'http://127.0.0.1:[0-9]*' "$TMP/serve.out" | head -n 1)
    q() { # label query
        local ts=() n
        for _ in 1 2 3 4 5 6 7; do
            ts+=("$(curl -s -o "$TMP/out.json" -w '%{time_total}' -H "Authorization: Bearer $tok" "$url/api/v1/epcis/events?$2")")
        done
        n=$(python3 -c "import json,sys;print(len(json.load(open(sys.argv[1]))['epcisBody']['queryResults']['resultsBody']['eventList']))" "$TMP/out.json")
        printf '%-62s %8.1f ms  %3s events\n' "$1" "$(printf '%s\n' "${ts[@]}" | sort -n | sed -n 4p | awk '{print $1*1000}')" "$n"
    }
    echo "   load $(cut -d' ' -f1-3 /proc/loadavg)"
    q "A  EQ_bizStep=shipping, one day (baseline, indexed)" "$W"
    q "B  A + EQ_ILMD_cbvmda:countryOfOrigin=CN" "$W&EQ_ILMD_cbvmda%3AcountryOfOrigin=CN"
    q "C  A + GT_value_CEL=8" "$W&GT_value_CEL=8"
    q "D  GT_value_CEL=8 alone (every document)" "GT_value_CEL=8&perPage=100"
    q "E  EQ_ILMD_cbvmda:countryOfOrigin=CN alone (every document)" "EQ_ILMD_cbvmda%3AcountryOfOrigin=CN&perPage=100"
    q "F  EQ_INNER_ILMD_ex:field=north alone (every document)" "EQ_INNER_ILMD_ex%3Afield=north&perPage=100"
    kill $PID
    wait $PID 2>/dev/null || true
    PID=
}
echo "== nproc $(nproc), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "== SQLite"
build/trace_query_bench gen "sqlite:$TMP/t.db" "$N"
measure "sqlite:$TMP/t.db"
echo "== PostgreSQL"
PG=$(scripts/pgtmp.sh start "$TMP/pg" | tail -n 1)
build/trace_query_bench gen "$PG" "$N"
psql -q "$PG" -c ANALYZE
measure "$PG"
