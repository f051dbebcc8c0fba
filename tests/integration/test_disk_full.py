"""Issue 17, item 6: the database's disk fills up under writes.

A real small filesystem (a tmpfs with ``size=``; mounting needs root) holds the database:
the SQLite file itself, or a PostgreSQL tablespace holding the log's database (the
server's WAL stays on its own disk, so the server keeps running, as when a data volume
fills). The writers go on until the disk is full. Then, as a client sees it: 503
``storage_full`` with ``Retry-After`` (never 500), reads still served, nothing already
acknowledged lost and nothing half-written (the harness's ``check_log``). Once the
ballast file is deleted (the operator frees space), the refused statement retried is
logged once, writes resume, and ``terang verify`` passes.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import fault_trials
import pytest

pytestmark = [pytest.mark.slow, pytest.mark.timeout(300)]

FILESYSTEM_MIB = 24
"""Room for an empty PostgreSQL database (its template copy is about 8 MiB) and more."""
HEADROOM_BYTES = 512 * 1024
"""Left free by the ballast: a few hundred entries before the disk is full."""


@pytest.fixture
def small_filesystem() -> Iterator[Path]:
    if not fault_trials.can_mount():
        if os.environ.get("CI", "").lower() in {"1", "true", "yes", "on"}:
            pytest.fail("CI=true: the disk-full test must mount a small tmpfs (as root)")
        pytest.skip("cannot mount a small tmpfs here (needs root with CAP_SYS_ADMIN)")
    # Not under tmp_path: pytest makes that 0700 for root, and PostgreSQL's server user
    # must reach its tablespace.
    mount_point = Path(tempfile.mkdtemp(prefix="terang-small-"))
    mount_point.chmod(0o755)
    try:
        with fault_trials.small_filesystem(mount_point, FILESYSTEM_MIB) as mounted:
            yield mounted
    finally:
        mount_point.rmdir()


@contextlib.contextmanager
def database_on(engine: str, filesystem: Path, request: pytest.FixtureRequest) -> Iterator[str]:
    if engine == "sqlite":
        yield f"sqlite:///{filesystem / 'terang.db'}"
        return
    cluster: Any = request.getfixturevalue("postgres_cluster")
    with fault_trials.postgres_database_on(cluster, filesystem) as url:
        yield url


@pytest.mark.parametrize("engine", ["sqlite", "postgresql"])
def test_a_full_disk_answers_503_storage_full_and_loses_nothing(
    engine: str, small_filesystem: Path, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    with database_on(engine, small_filesystem, request) as database_url:
        deployment = fault_trials.prepare(tmp_path / "log", database_url)
        with fault_trials.serving(deployment) as service:
            result = fault_trials.disk_full_trial(
                deployment, service, small_filesystem, headroom_bytes=HEADROOM_BYTES
            )
            service_log = service.log_tail(200)
    assert result.problems == [], result.summary()
    assert result.acknowledged_before_full > 0
    assert (result.refused_status, result.refused_code) == (503, "storage_full")
    assert result.retry_after == "30"
    assert result.reads_while_full == 200
    assert result.refused_statement_logged_once
    assert result.acknowledged_after_freeing == 100
    assert result.verified
    # The operator reads why in the service log, and no alert on bugs fired.
    assert "storage full: storage_full" in service_log
    assert "invariant broken" not in service_log
