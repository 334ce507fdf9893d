#!/usr/bin/env bash
# Install the project into .venv and run the whole test suite: the command CI runs.
# On SQLite by default; set EMPOWER_TEST_DATABASE_URL / EMPOWER_TEST_REDIS_URL to run the
# integration tests against PostgreSQL and Redis too. Extra arguments go to pytest.
set -euo pipefail
source "$(dirname "$0")/_setup.sh"
exec python -m pytest "$@"
