#!/usr/bin/env bash
# Set up Terang and serve it with demo data on the embedded default (SQLite).
#
#   bash scripts/demo.sh            # then open http://127.0.0.1:8000/
#
# Creates .venv (if missing), installs Terang into it, runs `terang init` (schema,
# log key, genesis) and `terang demo` (demo data), then `terang serve`. Both setup
# steps are idempotent: running this again keeps the same log and keys.
# Environment: TERANG_DATABASE_URL (default sqlite:///./terang.db), TERANG_HOST
# (default 127.0.0.1), TERANG_PORT (default 8000), PYTHON (default python3).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

PYTHON=${PYTHON:-python3}
if [[ ! -x .venv/bin/python ]] || ! .venv/bin/python -m pip --version >/dev/null 2>&1; then
    "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --disable-pip-version-check -e .
.venv/bin/terang init
.venv/bin/terang demo
# The demo's closer key (role tender_closer: it may sign tender closings and nothing
# else) lets the service close each tender at its deadline.
export TERANG_PROCUREMENT_KEY_FILE=${TERANG_PROCUREMENT_KEY_FILE:-keys/closer.key}
exec .venv/bin/terang serve --host "${TERANG_HOST:-127.0.0.1}" --port "${TERANG_PORT:-8000}"
