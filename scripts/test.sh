#!/usr/bin/env bash
# The whole test suite, against real parts: cmocka unit tests (plain and
# ASan+UBSan), API tests (node:test) against a real `nqi serve` on SQLite and
# on a temporary PostgreSQL cluster, and browser tests in headless Chromium.
# Ends with one line "N passed, N failed"; exits non-zero on any failure.
# While working on one module: NQI_TEST_ONLY=trace scripts/test.sh runs only
# the unit, API and browser test files whose names contain "trace".
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
TMP=$(mktemp -d /tmp/nqi-test.XXXXXX)
chmod 755 "$TMP"
export NQI_BIN=$ROOT/build/nqi
export NQI_PWHASH_FAST=1     # argon2id at minimum cost: tests create many users
export NQI_WEBHOOK_DENY=169.254.0.0/16  # webhook receivers in the tests listen on 127.0.0.1
export NQI_CREDIT_NIGHTLY_HOUR=off        # no nightly reclassification under the draw tests
PASS=0 FAIL=0
PIDS=()
PG_DIR=
ONLY=${NQI_TEST_ONLY:-}
only() { # only FILE...: the files whose basename contains $ONLY (all when unset)
    local f
    for f in "$@"; do [ -z "$ONLY" ] || [[ $(basename "$f") == *"$ONLY"* ]] && echo "$f"; done
}

cleanup() {
    for p in "${PIDS[@]+"${PIDS[@]}"}"; do kill "$p" 2>/dev/null; done
    wait 2>/dev/null
    [ -n "$PG_DIR" ] && scripts/pgtmp.sh stop "$PG_DIR" >/dev/null 2>&1
    rm -rf "$TMP"
}
trap cleanup EXIT

# add PASS/FAIL from a runner's log; $2 = kind (cmocka|tap); $3 = exit code
tally() {
    local log=$1 kind=$2 rc=$3 p=0 f=0
    if [ "$kind" = cmocka ]; then
        p=$(awk '/^\[  PASSED  \] [0-9]+/ {s += $4} END {print s + 0}' "$log")
        f=$(awk '/^\[  FAILED  \] [0-9]+ test/ {s += $4} END {print s + 0}' "$log")
    else
        p=$(awk '/^# pass [0-9]+/ {s += $3} END {print s + 0}' "$log")
        f=$(awk '/^# fail [0-9]+/ {s += $3} END {print s + 0}' "$log")
    fi
    p=${p:-0}; f=${f:-0}
    # a runner that crashed or failed without reporting a failure counts as one
    if [ "$rc" != 0 ] && [ "$f" = 0 ]; then f=1; echo "!! $log: exit $rc without a reported failure"; fi
    PASS=$((PASS + p)); FAIL=$((FAIL + f))
    printf '   %-40s %4d passed %4d failed\n' "$(basename "$log" .log)" "$p" "$f"
}

section() { printf '\n== %s\n' "$*"; }

# --- PostgreSQL (temporary cluster) --------------------------------------
section "PostgreSQL: temporary cluster"
PG_DIR=$TMP/pg
PG_URL=$(scripts/pgtmp.sh start "$PG_DIR" | tail -n 1)
if [[ $PG_URL != postgresql://* ]]; then
    echo "!! could not start PostgreSQL"; FAIL=$((FAIL + 1)); PG_URL=
else
    echo "   $PG_URL"
fi
pg_db() { # create a fresh database and print its URL
    local name=$1
    psql -q "$PG_URL" -c "DROP DATABASE IF EXISTS $name" -c "CREATE DATABASE $name" >/dev/null && echo "${PG_URL%/*}/$name"
}

# --- unit tests ------------------------------------------------------------
section "unit tests (cmocka), plain and ASan+UBSan"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
for kind in tests tests-asan; do
    for t in $(only build/$kind/test_*); do
        [ -x "$t" ] || continue
        log=$TMP/$kind-$(basename "$t").log
        NQI_TEST_PG_URL=${PG_URL:+$(pg_db "u_$(basename "$t")")} NQI_TEST_TMP=$TMP "$t" >"$log" 2>&1
        rc=$?
        tally "$log" cmocka $rc
        [ $rc = 0 ] || tail -n 40 "$log"
    done
done

# --- a server on a database ------------------------------------------------
# start_server NAME DBURL [extra serve args] -> sets SERVER_URL, SERVER_PID
start_server() {
    local name=$1 db=$2; shift 2
    local log=$TMP/server-$name.log
    NQI_DB=$db "$NQI_BIN" init >"$TMP/init-$name.log" 2>&1 || { cat "$TMP/init-$name.log"; return 1; }
    NQI_DB=$db "$NQI_BIN" user add --role admin --password 'Admin-pass-123' tester >/dev/null 2>&1 || return 1
    ADMIN_TOKEN=$(NQI_DB=$db "$NQI_BIN" token add --role admin "ci-$name" 2>/dev/null | tail -n 1)
    NQI_DB=$db "$NQI_BIN" serve --listen 127.0.0.1:0 "$@" >"$log" 2>"$log.err" &
    SERVER_PID=$!
    PIDS+=("$SERVER_PID")
    for _ in $(seq 100); do
        SERVER_URL=$(grep -Eo 'http://127\.0\.0\.1:[0-9]+' "$log" | head -n 1)
        [ -n "$SERVER_URL" ] && return 0
        kill -0 "$SERVER_PID" 2>/dev/null || break
        sleep 0.1
    done
    echo "!! server $name did not start"; cat "$log" "$log.err"; return 1
}

stop_server() { # SIGTERM, and the server must exit 0 (graceful shutdown)
    kill -TERM "$SERVER_PID"; wait "$SERVER_PID"; local rc=$?
    if [ $rc = 0 ]; then PASS=$((PASS + 1)); else FAIL=$((FAIL + 1)); echo "!! server exit $rc after SIGTERM"; fi
}

run_node() { # run_node NAME DIR-or-files... (env passed through)
    local name=$1; shift
    [ $# -gt 0 ] || return 0
    local log=$TMP/$name.log
    node --test --test-reporter=tap --test-concurrency=1 "$@" >"$log" 2>&1
    local rc=$?
    tally "$log" tap $rc
    [ $rc = 0 ] || grep -E -B2 -A25 '^not ok|^\s+not ok' "$log" | head -n 150
}

api_suite() { # api_suite NAME DBURL
    local name=$1 db=$2
    section "API tests on $name"
    if start_server "$name" "$db" --quiet; then
        NQI_URL=$SERVER_URL NQI_DB=$db NQI_ADMIN_TOKEN=$ADMIN_TOKEN NQI_ADMIN_USER=tester \
            NQI_ADMIN_PASSWORD='Admin-pass-123' NQI_BACKEND=$name NQI_TEST_TMP=$TMP \
            run_node "api-$name" $(only tests/api/*.test.mjs)
        stop_server
    else
        FAIL=$((FAIL + 1))
    fi
}

api_suite sqlite "sqlite:$TMP/api.db"
if [ -n "$PG_URL" ]; then api_suite postgresql "$(pg_db api)"; fi

# --- browser tests -----------------------------------------------------------
section "browser tests (headless Chromium)"
if ls tests/e2e/*.test.mjs >/dev/null 2>&1; then
    if start_server e2e "sqlite:$TMP/e2e.db" --static web/dist --quiet; then
        NQI_URL=$SERVER_URL NQI_DB="sqlite:$TMP/e2e.db" NQI_ADMIN_USER=tester \
            NQI_ADMIN_PASSWORD='Admin-pass-123' NQI_ADMIN_TOKEN=$ADMIN_TOKEN NQI_TEST_TMP=$TMP \
            run_node e2e $(only tests/e2e/*.test.mjs)
        stop_server
    else
        FAIL=$((FAIL + 1))
    fi
fi

echo
echo "$PASS passed, $FAIL failed"
[ "$FAIL" = 0 ]
