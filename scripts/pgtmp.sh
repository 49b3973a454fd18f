#!/usr/bin/env bash
# pgtmp.sh — a throw-away PostgreSQL cluster for tests.
#
#   scripts/pgtmp.sh start DIR   create a cluster in DIR, start it on a free
#                                port (127.0.0.1 and a socket in DIR), create
#                                database nqi; the last line of stdout is
#                                postgresql://nqi@127.0.0.1:PORT/nqi
#   scripts/pgtmp.sh stop DIR    stop it and remove DIR
#
# initdb and pg_ctl refuse to run as root: as root (CI) the cluster belongs
# to the `postgres` user and the tools run under `runuser -u postgres`; as
# any other user they run directly. Authentication is `trust` for user nqi,
# fsync is off: for tests only.
set -euo pipefail

die() { echo "pgtmp: $*" >&2; exit 1; }

[ $# = 2 ] || die "usage: $0 start|stop DIR"
cmd=$1
DIR=$(realpath -m -- "$2")
MARK=$DIR/.pgtmp
cd /   # the postgres user may not be able to read the caller's directory

bindir() {
    local d
    for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
        [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ] && { echo "$d"; return; }
    done
    d=$(dirname "$(command -v initdb 2>/dev/null || echo /nonexistent/initdb)")
    [ -x "$d/initdb" ] || die "initdb not found (install postgresql)"
    echo "$d"
}
BIN=$(bindir)

if [ "$(id -u)" = 0 ]; then
    getent passwd postgres >/dev/null || die "running as root needs a 'postgres' user"
    command -v runuser >/dev/null || die "running as root needs runuser (util-linux)"
    as_owner() { runuser -u postgres -- "$@"; }
    OWNER=postgres
else
    as_owner() { "$@"; }
    OWNER=$(id -un)
fi

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

free_port() {
    local p
    for _ in $(seq 50); do
        p=$((20000 + RANDOM % 40000))
        port_in_use "$p" || { echo "$p"; return; }
    done
    die "no free port found"
}

# Give the owner a way down to DIR: each parent needs search (x) permission.
open_path() {
    [ "$OWNER" = postgres ] || return 0
    local d=$DIR
    while [ "$d" != / ]; do
        d=$(dirname "$d")
        if ! runuser -u postgres -- test -x "$d"; then
            echo "pgtmp: chmod o+x $d (so the postgres user can reach $DIR)" >&2
            chmod o+x "$d"
        fi
    done
}

start() {
    [ -e "$DIR/data" ] && die "$DIR/data exists; stop the old cluster first"
    mkdir -p "$DIR"
    touch "$MARK"
    open_path
    [ "$OWNER" = postgres ] && chown -R postgres: "$DIR"
    chmod 700 "$DIR"
    as_owner "$BIN/initdb" -D "$DIR/data" -A trust -U nqi -E UTF8 --locale=C -N \
        >"$DIR/initdb.log" 2>&1 || { cat "$DIR/initdb.log" >&2; die "initdb failed"; }
    local port tries=0
    while :; do
        port=$(free_port)
        if as_owner "$BIN/pg_ctl" -D "$DIR/data" -l "$DIR/server.log" -w -t 30 \
            -o "-p $port -k $DIR -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off -c synchronous_commit=off" \
            start >/dev/null; then
            break
        fi
        tries=$((tries + 1))
        # lost a race for the port? try another; otherwise show why
        if [ $tries -ge 5 ] || ! grep -q "already in use" "$DIR/server.log" 2>/dev/null; then
            tail -n 20 "$DIR/server.log" >&2 || true
            die "pg_ctl start failed"
        fi
    done
    echo "$port" >"$DIR/port"
    "$BIN/psql" -q -X -h 127.0.0.1 -p "$port" -U nqi -d postgres -c "CREATE DATABASE nqi" >/dev/null \
        || die "could not create database nqi"
    echo "postgresql://nqi@127.0.0.1:$port/nqi"
}

stop() {
    [ -d "$DIR" ] || return 0
    [ -f "$MARK" ] || die "$DIR was not made by pgtmp.sh; not removing it"
    if [ -f "$DIR/data/postmaster.pid" ]; then
        as_owner "$BIN/pg_ctl" -D "$DIR/data" -m fast -w -t 30 stop >/dev/null 2>&1 \
            || as_owner "$BIN/pg_ctl" -D "$DIR/data" -m immediate -w stop >/dev/null 2>&1 || true
    fi
    rm -rf -- "$DIR"
}

case $cmd in
start) start ;;
stop) stop ;;
*) die "usage: $0 start|stop DIR" ;;
esac
