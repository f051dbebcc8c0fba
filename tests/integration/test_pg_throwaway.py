"""The throwaway-PostgreSQL harness (scripts/pg_throwaway.py) really works.

Skip policy:
- TEST_DATABASE_URL set (a database is already provided), outside CI: skipped,
  with the reason in the report. In CI (CI=true) it still runs whenever the
  server binaries are present, because CI is where the harness must be proven.
- TERANG_TEST_POSTGRES=skip outside CI (scripts/test.sh sets it, loudly, when
  PostgreSQL cannot be started): skipped, with the reason.
- Otherwise it runs and fails if a cluster cannot be started.
In CI it is never skipped silently: if it cannot run, it fails, or (only when a
database is provided and no binaries exist) skips with a warning.
"""

from __future__ import annotations

import importlib.util
import os
import sys
import warnings
from pathlib import Path
from types import ModuleType

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "pg_throwaway.py"


def _truthy(value: str | None) -> bool:
    return (value or "").strip().lower() in {"1", "true", "yes", "on"}


def _load_harness() -> ModuleType:
    spec = importlib.util.spec_from_file_location("terang_pg_throwaway", SCRIPT)
    assert spec is not None and spec.loader is not None, SCRIPT
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses need the module registered
    spec.loader.exec_module(module)
    return module


def _skip_reason(harness: ModuleType) -> str | None:
    in_ci = _truthy(os.environ.get("CI"))
    provided = bool(os.environ.get("TEST_DATABASE_URL"))
    if not in_ci:
        if provided:
            return "TEST_DATABASE_URL is set: a PostgreSQL is already provided"
        if os.environ.get("TERANG_TEST_POSTGRES") == "skip":
            return "TERANG_TEST_POSTGRES=skip: PostgreSQL unavailable on this machine"
        return None
    if provided:
        try:
            harness.find_bindir()
        except harness.BinariesNotFoundError as exc:
            reason = f"CI: TEST_DATABASE_URL provided and no local PostgreSQL binaries ({exc})"
            warnings.warn(reason, stacklevel=2)
            return reason
    return None


@pytest.mark.postgres
def test_throwaway_cluster_starts_accepts_connections_and_stops() -> None:
    harness = _load_harness()
    reason = _skip_reason(harness)
    if reason is not None:
        pytest.skip(reason)

    psycopg2 = pytest.importorskip("psycopg2")

    with harness.start_cluster() as cluster:
        root = Path(cluster.root)
        pid = cluster.pid
        assert cluster.url.startswith("postgresql+psycopg2://postgres@127.0.0.1:")
        assert cluster.url.endswith("/terang_test")
        assert cluster.superuser_url.endswith("/postgres")
        assert root.is_dir()
        assert harness._pid_alive(pid)

        conn = psycopg2.connect(cluster.dsn)
        try:
            with conn.cursor() as cur:
                cur.execute(
                    "SELECT current_database(), current_user, "
                    "current_setting('server_encoding'), current_setting('fsync')"
                )
                assert cur.fetchone() == ("terang_test", "postgres", "UTF8", "off")
                cur.execute("CREATE TABLE t (x int)")
                cur.execute("INSERT INTO t VALUES (1)")
                cur.execute("SELECT sum(x) FROM t")
                assert cur.fetchone() == (1,)
            conn.commit()
        finally:
            conn.close()

    assert cluster.stopped
    assert not root.exists()
    assert not harness._pid_alive(pid)
    cluster.stop()  # idempotent
