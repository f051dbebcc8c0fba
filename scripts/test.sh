#!/usr/bin/env bash
# Terang's full check: venv + install, lint, type-check, architecture, tests.
#
#   bash scripts/test.sh [PYTEST ARGS...]     (from the repo root; CI runs .ci/run)
#
# Tests run on SQLite and on a real PostgreSQL. If TEST_DATABASE_URL is unset, a
# throwaway PostgreSQL cluster is started (scripts/pg_throwaway.py, stdlib only),
# exported as TEST_DATABASE_URL, and destroyed on exit. If PostgreSQL cannot be
# started:
#   - CI=true: the run fails (exit 1);
#   - otherwise: a loud warning, and the tests run with TERANG_TEST_POSTGRES=skip
#     (the conftest reports every PostgreSQL test as skipped, with the reason).
#
# Environment knobs (for local iteration; CI sets none of the TERANG_SKIP_*):
#   PYTHON=python3            interpreter used to create .venv and run pg_throwaway.py
#   TEST_DATABASE_URL=...     use this PostgreSQL instead of a throwaway cluster
#   PG_BIN=/path/to/bin       PostgreSQL server binaries for the throwaway cluster
#   TERANG_SKIP_INSTALL=1     do not (re)run the pip installs (the lock, then -e '.[dev]')
#   TERANG_SKIP_LINT=1        skip `ruff check` and `ruff format --check`
#   TERANG_SKIP_TYPECHECK=1   skip mypy
#   TERANG_SKIP_ARCH=1        skip lint-imports (import-linter layer contract)
#   TERANG_SKIP_PG=1          do not start PostgreSQL; run with TERANG_TEST_POSTGRES=skip
#                             (refused when CI=true)
#   TERANG_SKIP_TESTS=1       skip pytest (checks only)
#   TERANG_TEST_WORKERS=2     pytest-xdist workers (0: no workers, one process; for -x, pdb)
#   TERANG_CHROMIUM=/path     the Chromium the browser tests drive (default /usr/bin/chromium)
#   TERANG_SKIP_BROWSER=1     do not install Chromium; run with TERANG_TEST_BROWSER=skip
#                             (refused when CI=true)
#   TERANG_APT_DRY_RUN=1      print the apt-get commands instead of running them
#   TERANG_SKIP_AXE=1         do not install axe-core; run with TERANG_TEST_AXE=skip
#                             (refused when CI=true)
#   TERANG_NGINX=/path        the nginx the static tiles tests run (default /usr/sbin/nginx)
#   TERANG_SKIP_NGINX=1       do not install nginx; run with TERANG_TEST_NGINX=skip
#                             (refused when CI=true)
#   PG_AUTOCTL=/path          the pg_autoctl the HA failover test drives (default /usr/bin/pg_autoctl)
#   TERANG_SKIP_HA=1          do not install pg_auto_failover; run with TERANG_TEST_HA=skip
#                             (refused when CI=true)
#
# Browser tests (tests/browser) drive Debian's `chromium` with Playwright; the browser is
# never downloaded (`playwright install` fails on these machines). If TERANG_CHROMIUM is
# missing it is installed with apt-get (as root). If that is not possible:
#   - CI=true: the run fails (exit 1);
#   - otherwise: a loud warning, and the tests run with TERANG_TEST_BROWSER=skip (the
#     browser tests are reported as skipped, with the reason).
# The accessibility audit (tests/browser/test_browser_a11y.py) runs axe-core, pinned in
# tests/browser/package.json and package-lock.json, installed from the npm registry with
# `npm ci --prefix tests/browser` (npm from Debian's package, installed with apt-get as
# root when missing). If that is not possible: CI=true fails; otherwise a loud warning,
# and the audit runs with TERANG_TEST_AXE=skip (reported as skipped, with the reason).
# The static tiles tests (tests/e2e/test_static_tiles_nginx.py) serve `terang publish-tiles`
# output with Debian's `nginx`, run by the test itself (own config, loopback port); a
# missing nginx is installed with apt-get (as root). If that is not possible: CI=true
# fails; otherwise a loud warning, and the tests run with TERANG_TEST_NGINX=skip.
#
# Exit status: the first failing step's status; otherwise pytest's status
# (pytest's 5, "no tests collected", is reported as a failure, not success).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

PYTHON=${PYTHON:-python3}
VENV=.venv

is_true() {
    case "${1:-}" in
        1 | true | TRUE | True | yes | YES | on | ON) return 0 ;;
        *) return 1 ;;
    esac
}

step() { printf '\n==> %s\n' "$*"; }
skipped() { printf '\n==> %s: SKIPPED (%s)\n' "$1" "$2"; }

in_ci=false
if is_true "${CI:-}"; then in_ci=true; fi

# ---------------------------------------------------------------- venv + install
if [[ ! -x $VENV/bin/python ]] || ! "$VENV/bin/python" -m pip --version >/dev/null 2>&1; then
    step "creating $VENV with $PYTHON"
    if ! "$PYTHON" -m venv "$VENV"; then
        echo "error: '$PYTHON -m venv $VENV' failed (Debian: apt-get install python3-venv)" >&2
        exit 1
    fi
fi

if is_true "${TERANG_SKIP_INSTALL:-}"; then
    skipped "pip install -e '.[dev]'" "TERANG_SKIP_INSTALL"
else
    # The service's dependencies at the versions production installs (hash-checked), then
    # the project and its dev tools; pip keeps the locked versions that already satisfy it.
    step "pip install -r deploy/requirements.lock, then -e '.[dev]'"
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --require-hashes \
        -r deploy/requirements.lock
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -e '.[dev]'
fi

# ---------------------------------------------------------------- Chromium (browser tests)
CHROMIUM=${TERANG_CHROMIUM:-/usr/bin/chromium}

browser_unavailable() {
    local why=$1
    if $in_ci; then
        {
            echo
            echo "error: Chromium is required in CI (CI=true) for the browser tests but $why."
            echo "       Install Debian's package (apt-get install chromium) or set TERANG_CHROMIUM."
        } >&2
        exit 1
    fi
    {
        echo
        echo "###########################################################################"
        echo "# WARNING: $why."
        echo "# Browser tests will be SKIPPED (TERANG_TEST_BROWSER=skip)."
        echo "# This run does NOT cover the pages in a browser; CI will. Install Debian's"
        echo "# chromium (apt-get install chromium) or set TERANG_CHROMIUM to run them."
        echo "###########################################################################"
        echo
    } >&2
    export TERANG_TEST_BROWSER=skip
    export TERANG_TEST_BROWSER_REASON="$why"
}

apt() {
    echo "+ $*"
    if is_true "${TERANG_APT_DRY_RUN:-}"; then
        echo "  (TERANG_APT_DRY_RUN: not run)"
        return 0
    fi
    "$@"
}

if [[ -x $CHROMIUM ]]; then
    # Debian's wrapper script prints a harmless shell warning on stderr: keep it out.
    step "Chromium for the browser tests: $("$CHROMIUM" --version 2>/dev/null || echo "$CHROMIUM")"
elif is_true "${TERANG_SKIP_BROWSER:-}"; then
    browser_unavailable "TERANG_SKIP_BROWSER is set"
elif [[ $(id -u) -ne 0 ]] || ! command -v apt-get >/dev/null 2>&1; then
    browser_unavailable "$CHROMIUM is missing and apt-get cannot install it here (needs root on Debian)"
else
    step "installing Debian's chromium for the browser tests ($CHROMIUM is missing)"
    if apt apt-get update -qq &&
        apt env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium &&
        [[ -x $CHROMIUM ]]; then
        echo "installed: $("$CHROMIUM" --version 2>/dev/null || echo "$CHROMIUM")"
    else
        browser_unavailable "$CHROMIUM is missing and 'apt-get install chromium' did not provide it"
    fi
fi

# ---------------------------------------------------------------- nginx (static tiles mirror)
NGINX=${TERANG_NGINX:-/usr/sbin/nginx}

nginx_unavailable() {
    local why=$1
    if $in_ci; then
        {
            echo
            echo "error: nginx is required in CI (CI=true) for the static tiles tests but $why."
            echo "       Install Debian's package (apt-get install nginx) or set TERANG_NGINX."
        } >&2
        exit 1
    fi
    {
        echo
        echo "###########################################################################"
        echo "# WARNING: $why."
        echo "# The static tiles mirror tests will be SKIPPED (TERANG_TEST_NGINX=skip)."
        echo "# This run does NOT check terang verify against nginx; CI will. Install"
        echo "# Debian's nginx (apt-get install nginx) or set TERANG_NGINX to run them."
        echo "###########################################################################"
        echo
    } >&2
    export TERANG_TEST_NGINX=skip
    export TERANG_TEST_NGINX_REASON="$why"
}

if [[ -x $NGINX ]]; then
    step "nginx for the static tiles tests: $("$NGINX" -v 2>&1 || echo "$NGINX")"
elif is_true "${TERANG_SKIP_NGINX:-}"; then
    nginx_unavailable "TERANG_SKIP_NGINX is set"
elif [[ $(id -u) -ne 0 ]] || ! command -v apt-get >/dev/null 2>&1; then
    nginx_unavailable "$NGINX is missing and apt-get cannot install it here (needs root on Debian)"
else
    # The tests run their own nginx on a loopback port; Debian's package does not start
    # a service where policy-rc.d forbids it (containers), and the tests never use one.
    step "installing Debian's nginx for the static tiles tests ($NGINX is missing)"
    if apt apt-get update -qq &&
        apt env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nginx &&
        [[ -x $NGINX ]]; then
        echo "installed: $("$NGINX" -v 2>&1 || echo "$NGINX")"
    else
        nginx_unavailable "$NGINX is missing and 'apt-get install nginx' did not provide it"
    fi
fi
if [[ -n ${TERANG_NGINX:-} ]]; then export TERANG_NGINX; fi

# ---------------------------------------------------------------- pg_auto_failover (HA tests)
# tests/integration/test_ha_failover.py starts its own throwaway formation (a monitor, a
# primary and a synchronous secondary; scripts/pg_ha_formation.py) with Debian's
# pg_auto_failover. Missing and not installable: CI=true fails; otherwise a loud warning
# and the HA test runs with TERANG_TEST_HA=skip (reported as skipped, with the reason).
PG_AUTOCTL=${PG_AUTOCTL:-/usr/bin/pg_autoctl}
HA_EXTENSION=/usr/share/postgresql/15/extension/pgautofailover.control

ha_unavailable() {
    local why=$1
    if $in_ci; then
        {
            echo
            echo "error: pg_auto_failover is required in CI (CI=true) for the HA tests but $why."
            echo "       Install Debian's packages: apt-get install postgresql-15-auto-failover pg-auto-failover-cli"
        } >&2
        exit 1
    fi
    {
        echo
        echo "###########################################################################"
        echo "# WARNING: $why."
        echo "# The failover test will be SKIPPED (TERANG_TEST_HA=skip)."
        echo "# This run does NOT cover PostgreSQL failover; CI will. Install"
        echo "# postgresql-15-auto-failover and pg-auto-failover-cli to run it."
        echo "###########################################################################"
        echo
    } >&2
    export TERANG_TEST_HA=skip
    export TERANG_TEST_HA_REASON="$why"
}

if [[ -x $PG_AUTOCTL && -f $HA_EXTENSION ]]; then
    step "pg_auto_failover for the HA tests: $("$PG_AUTOCTL" --version 2>/dev/null | head -n 1)"
elif is_true "${TERANG_SKIP_HA:-}"; then
    ha_unavailable "TERANG_SKIP_HA is set"
elif [[ $(id -u) -ne 0 ]] || ! command -v apt-get >/dev/null 2>&1; then
    ha_unavailable "pg_auto_failover is missing and apt-get cannot install it here (needs root on Debian)"
else
    step "installing Debian's pg_auto_failover for the HA tests ($PG_AUTOCTL or $HA_EXTENSION is missing)"
    if apt apt-get update -qq &&
        apt env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
            postgresql-15-auto-failover pg-auto-failover-cli &&
        [[ -x $PG_AUTOCTL && -f $HA_EXTENSION ]]; then
        echo "installed: $("$PG_AUTOCTL" --version 2>/dev/null | head -n 1)"
    else
        ha_unavailable "pg_auto_failover is missing and 'apt-get install postgresql-15-auto-failover pg-auto-failover-cli' did not provide it"
    fi
fi
export PG_AUTOCTL

# ---------------------------------------------------------------- axe-core (accessibility audit)
axe_unavailable() {
    local why=$1
    if $in_ci; then
        {
            echo
            echo "error: axe-core is required in CI (CI=true) for the accessibility audit but $why."
            echo "       Install Debian's npm (apt-get install npm) and run: npm ci --prefix tests/browser"
        } >&2
        exit 1
    fi
    {
        echo
        echo "###########################################################################"
        echo "# WARNING: $why."
        echo "# The accessibility audit will be SKIPPED (TERANG_TEST_AXE=skip)."
        echo "# This run does NOT check the pages with axe-core; CI will. Install npm"
        echo "# (apt-get install npm) and run: npm ci --prefix tests/browser"
        echo "###########################################################################"
        echo
    } >&2
    export TERANG_TEST_AXE=skip
    export TERANG_TEST_AXE_REASON="$why"
}

if is_true "${TERANG_SKIP_AXE:-}"; then
    axe_unavailable "TERANG_SKIP_AXE is set"
else
    if ! command -v npm >/dev/null 2>&1 && [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
        step "installing Debian's npm for the accessibility audit (npm is missing)"
        apt apt-get update -qq &&
            apt env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends npm ||
            true
    fi
    if ! command -v npm >/dev/null 2>&1; then
        axe_unavailable "npm is missing and apt-get cannot install it here (needs root on Debian)"
    else
        step "npm ci --prefix tests/browser (axe-core for the accessibility audit)"
        if ! npm ci --prefix tests/browser --ignore-scripts --no-audit --no-fund; then
            axe_unavailable "'npm ci --prefix tests/browser' failed (see above)"
        fi
    fi
fi

# ---------------------------------------------------------------- static checks
if is_true "${TERANG_SKIP_LINT:-}"; then
    skipped "ruff" "TERANG_SKIP_LINT"
else
    step "ruff check ."
    "$VENV/bin/ruff" check .
    step "ruff format --check ."
    "$VENV/bin/ruff" format --check .
fi

if is_true "${TERANG_SKIP_TYPECHECK:-}"; then
    skipped "mypy" "TERANG_SKIP_TYPECHECK"
else
    step "mypy"
    "$VENV/bin/mypy"
fi

if is_true "${TERANG_SKIP_ARCH:-}"; then
    skipped "lint-imports" "TERANG_SKIP_ARCH"
else
    step "lint-imports"
    "$VENV/bin/lint-imports"
fi

if is_true "${TERANG_SKIP_TESTS:-}"; then
    skipped "pytest" "TERANG_SKIP_TESTS"
    exit 0
fi

# ---------------------------------------------------------------- PostgreSQL
pg_state=""
stop_pg() {
    local rc=$?
    if [[ -n $pg_state ]]; then
        if [[ -s $pg_state ]]; then
            echo "==> stopping throwaway PostgreSQL" >&2
            "$PYTHON" scripts/pg_throwaway.py stop --state "$pg_state" ||
                echo "warning: could not stop the throwaway PostgreSQL (state: $pg_state)" >&2
        fi
        rm -f "$pg_state" "$pg_state.tmp"
    fi
    exit "$rc"
}
trap stop_pg EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

pg_unavailable() {
    local why=$1
    if $in_ci; then
        {
            echo
            echo "error: PostgreSQL is required in CI (CI=true) but $why."
            echo "       Install the server (apt-get install postgresql-15), set PG_BIN,"
            echo "       or provide TEST_DATABASE_URL."
        } >&2
        exit 1
    fi
    {
        echo
        echo "###########################################################################"
        echo "# WARNING: $why."
        echo "# PostgreSQL tests will be SKIPPED (TERANG_TEST_POSTGRES=skip)."
        echo "# This run does NOT cover PostgreSQL; CI will. Install postgresql-15, set"
        echo "# PG_BIN, or set TEST_DATABASE_URL to run them."
        echo "###########################################################################"
        echo
    } >&2
    export TERANG_TEST_POSTGRES=skip
    unset TEST_DATABASE_URL
}

if [[ -n ${TEST_DATABASE_URL:-} ]]; then
    step "PostgreSQL: using the provided TEST_DATABASE_URL"
elif is_true "${TERANG_SKIP_PG:-}"; then
    pg_unavailable "TERANG_SKIP_PG is set"
else
    step "starting a throwaway PostgreSQL cluster"
    pg_state=$(mktemp "${TMPDIR:-/tmp}/terang-pg-state.XXXXXX")
    if pg_url=$("$PYTHON" scripts/pg_throwaway.py start --state "$pg_state"); then
        export TEST_DATABASE_URL=$pg_url
        echo "TEST_DATABASE_URL=$TEST_DATABASE_URL"
    else
        pg_rc=$?
        pg_unavailable "the throwaway PostgreSQL cluster could not be started (exit $pg_rc, see above)"
    fi
fi

# ---------------------------------------------------------------- tests
step "pytest $*"
set +e
# --durations: the slowest tests are named in every run, so a suite that grows slower
# shows where (the whole command must stay well under CI's time limit).
# Two workers (pytest-xdist), one test file per worker at a time (--dist loadfile keeps
# a module's shared fixtures, such as a served demo, in one process): the suite is mostly
# waiting on servers, subprocesses and databases, so two workers on two cores take about
# 19 minutes where one took 30. TERANG_TEST_WORKERS=0 runs in this process (pdb, -x).
workers=${TERANG_TEST_WORKERS:-2}
parallel=()
if [[ $workers != 0 ]]; then parallel=(-n "$workers" --dist loadfile); fi
"$VENV/bin/pytest" --durations=30 "${parallel[@]}" "$@"
rc=$?
set -e
if [[ $rc -eq 5 ]]; then
    echo "error: pytest collected no tests (exit 5); treating as failure" >&2
fi
exit "$rc"
