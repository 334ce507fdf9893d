#!/usr/bin/env bash
# The embedded default, end to end: install, create empower.db (SQLite) with demo data, create an
# admin account for the panel, and serve the panel on http://127.0.0.1:8000.
#   bash scripts/quickstart.sh            # everything, then serve
#   bash scripts/quickstart.sh --no-serve # stop after loading the data
set -euo pipefail
source "$(dirname "$0")/_setup.sh"

fresh=0
[ -f empower.db ] || fresh=1
empower db upgrade
if [ "$fresh" = 1 ]; then
    empower demo --beneficiaries "${EMPOWER_DEMO_BENEFICIARIES:-2000}"
    password="$(python -c 'import secrets; print(secrets.token_urlsafe(12))')"
    if printf '%s\n' "$password" | empower admin create-user admin --role admin >/dev/null; then
        echo
        echo "Admin panel account:  admin / $password   (shown once; keep it)"
    fi
else
    echo "empower.db already exists: kept as it is (delete it to start again with fresh demo data)"
fi
empower stats
if [ "${1:-}" != "--no-serve" ]; then
    echo "Starting the admin panel on http://127.0.0.1:8000  (Ctrl-C to stop)"
    exec empower admin serve --host 127.0.0.1 --port 8000
fi
