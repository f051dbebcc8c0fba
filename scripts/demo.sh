#!/usr/bin/env bash
# Set up Terang and serve it with demo data on the embedded default (SQLite).
#
#   bash scripts/demo.sh            # then open http://127.0.0.1:8000/
#
# Creates .venv (if missing), installs Terang into it, runs `terang init --witness`
# (schema, log key and a local witness key in keys/, genesis, the witness policy naming
# the witness; the root authority key in offline-keys/, to move off the host) and
# `terang demo` (demo data; DEMO-only keys in demo-keys/, the demo Pokja's box keys
# included, so the demo tenders are not sealed against this machine's operator), then
# starts the local witness (`terang witness serve`, stopped when this script ends) and
# `terang serve` (which reads keys/log.key only), which asks the witness to cosign every
# checkpoint (TERANG_WITNESSES) and closes tenders with the demo's closer key (role
# tender_closer). Setup steps are idempotent: running this again keeps the same log and
# keys.
# Environment: TERANG_DATABASE_URL (default sqlite:///./terang.db), TERANG_HOST
# (default 127.0.0.1), TERANG_PORT (default 8000), TERANG_WITNESS_PORT (default 8001),
# PYTHON (default python3).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

PYTHON=${PYTHON:-python3}
if [[ ! -x .venv/bin/python ]] || ! .venv/bin/python -m pip --version >/dev/null 2>&1; then
    "$PYTHON" -m venv .venv
fi
# The versions production installs (deploy/requirements.lock, hash-checked), then Terang.
.venv/bin/python -m pip install --quiet --disable-pip-version-check --require-hashes \
    -r deploy/requirements.lock
.venv/bin/python -m pip install --quiet --disable-pip-version-check -e .
init=$(.venv/bin/terang init --witness)
echo "$init"
field() { .venv/bin/python -c 'import json, sys; print(json.loads(sys.argv[1])[sys.argv[2]])' "$init" "$1"; }
log_key=$(field verifier_key)
witness_key=$(field witness_verifier_key)
.venv/bin/terang demo

witness_port=${TERANG_WITNESS_PORT:-8001}
.venv/bin/terang witness serve --key keys/witness.key --log "$log_key" \
    --db sqlite:///./witness.db --host 127.0.0.1 --port "$witness_port" &
witness_pid=$!
trap 'kill "$witness_pid" 2>/dev/null || true' EXIT

export TERANG_WITNESSES="$witness_key=http://127.0.0.1:$witness_port"
# The demo's closer key (role tender_closer: it may sign tender closings and nothing
# else) lets the service close each tender at its deadline.
export TERANG_PROCUREMENT_KEY_FILE=${TERANG_PROCUREMENT_KEY_FILE:-demo-keys/DEMO-closer.key}
.venv/bin/terang serve --host "${TERANG_HOST:-127.0.0.1}" --port "${TERANG_PORT:-8000}"
