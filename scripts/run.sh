#!/usr/bin/env bash
# `make run`: create the demo database on first run, then serve the portal.
set -euo pipefail
cd "$(dirname "$0")/.."
export NQI_DB=${NQI_DB:-sqlite:data/nqi.db}
export NQI_LISTEN=${NQI_LISTEN:-127.0.0.1:8080}
db_file=${NQI_DB#sqlite:}
if [[ $NQI_DB == sqlite:* && ! -f $db_file ]]; then
    echo "== creating $db_file with demo data"
    build/nqi init --demo
    echo
    echo "   Log in at http://$NQI_LISTEN/login as 'admin' with the password above."
else
    build/nqi init >/dev/null
    echo "   Log in at http://$NQI_LISTEN/login as 'admin' (the password was printed when"
    echo "   the database was created; set a new one with: build/nqi user passwd admin)."
fi
echo
exec build/nqi serve --listen "$NQI_LISTEN"
