#!/usr/bin/env bash
# Build the web UI into web/dist when its sources are newer than the build.
set -euo pipefail
cd "$(dirname "$0")/../web"
[ -f package.json ] || exit 0
[ -d node_modules ] || npm ci --no-audit --no-fund --loglevel=error
if [ -f dist/index.html ] && [ -z "$(find src index.html vite.config.* package.json -newer dist/index.html 2>/dev/null | head -1)" ]; then
    exit 0
fi
npx vite build --logLevel warn
