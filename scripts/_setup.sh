# Sourced by quickstart.sh and test.sh: make .venv and install the project with its extras.
# Everything the project needs comes from package registries (PyPI, npm); nothing is vendored.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PYTHON="${PYTHON:-python3}"
if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
    echo "empower needs Python 3.11 or newer (found: $("$PYTHON" --version 2>&1))" >&2
    exit 2
fi
if [ ! -x .venv/bin/python ]; then
    echo "==> creating .venv"
    "$PYTHON" -m venv .venv
fi
stamp=".venv/.installed-$(cat pyproject.toml package-lock.json 2>/dev/null | sha1sum | cut -c1-12)"
if [ ! -f "$stamp" ]; then
    echo "==> installing empower and its dependencies into .venv (first run takes a few minutes)"
    .venv/bin/python -m pip install --quiet --upgrade pip
    .venv/bin/python -m pip install --quiet -e ".[dev]"
    if [ -f package-lock.json ]; then
        echo "==> installing the panel's pinned front-end assets (npm ci)"
        npm ci --omit=dev --no-audit --no-fund --loglevel=error
    fi
    rm -f .venv/.installed-*
    touch "$stamp"
fi
export PATH="$ROOT/.venv/bin:$PATH"
