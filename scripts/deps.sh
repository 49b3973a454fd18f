#!/usr/bin/env bash
# Install what nqi needs and is missing: Debian packages (checked with
# dpkg first, so a second run does nothing) and the web UI's npm packages.
set -euo pipefail
cd "$(dirname "$0")/.."

pkgs=(build-essential pkg-config clang libclang-rt-14-dev
      libmicrohttpd-dev libjansson-dev libsqlite3-dev libpq-dev libsodium-dev
      libcmocka-dev libxlsxwriter-dev libqrencode-dev libpng-dev libxml2-dev libcurl4-openssl-dev
      libjemalloc-dev
      opencc unicode-data bzip2 sqlite3 curl fonts-noto-cjk zbar-tools
      postgresql chromium nodejs npm wrk nginx-light)
missing=()
for p in "${pkgs[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
# Node may come from outside Debian (e.g. a preinstalled node with npm): accept it.
if command -v node >/dev/null && command -v npm >/dev/null; then
    tmp=()
    for p in "${missing[@]}"; do [[ $p == nodejs || $p == npm ]] || tmp+=("$p"); done
    missing=("${tmp[@]+"${tmp[@]}"}")
fi
if ((${#missing[@]})); then
    echo "deps: installing ${missing[*]}"
    SUDO=; [ "$(id -u)" = 0 ] || SUDO=sudo
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
for d in web tests/e2e; do
    if [ -f $d/package.json ] && [ ! -d $d/node_modules ]; then
        echo "deps: npm ci ($d/)"
        (cd $d && npm ci --no-audit --no-fund --loglevel=error)
    fi
done
