"""Issue 17, item 8: ``terang serve`` started before its database waits and says so.

On a reboot or a failover the service often starts before PostgreSQL accepts
connections. It must not exit with a traceback (leaving the restart to luck): it
reports each try, serves once the database answers, and gives up with a clear
``error[database_unavailable]`` after ``--db-wait`` seconds.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from conftest import TERANG, free_port, run
from outage_support import set_outage
from sqlalchemy import create_engine

from ledger.db_wait import wait_for_database
from ledger.errors import DatabaseUnavailable


def test_waits_with_a_line_per_try_then_gives_up_clearly() -> None:
    port = free_port()  # nothing listens there
    engine = create_engine(f"postgresql+psycopg2://terang:s3cret@127.0.0.1:{port}/terang")
    now = [0.0]
    pauses: list[float] = []

    def sleep(seconds: float) -> None:
        pauses.append(seconds)
        now[0] += seconds

    lines: list[str] = []
    with pytest.raises(DatabaseUnavailable) as caught:
        wait_for_database(engine, 6.0, report=lines.append, sleep=sleep, clock=lambda: now[0])
    assert pauses == [0.5, 1.0, 2.0, 2.5]  # backoff, cut to what is left of the wait
    assert len(lines) == len(pauses)
    assert all(f"127.0.0.1:{port}" in line and "next try in" in line for line in lines)
    message = caught.value.message
    assert "waited 6 s" in message and "TERANG_DATABASE_URL" in message
    assert "s3cret" not in message + "".join(lines)  # the password is never shown


def test_an_sqlite_file_that_cannot_open_is_reported_at_once(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path}/missing-dir/terang.db")
    lines: list[str] = []
    with pytest.raises(DatabaseUnavailable, match="unable to open database file"):
        wait_for_database(engine, 60.0, report=lines.append, sleep=pytest.fail)
    assert lines == []


def _read_until(stream: object, needle: str, timeout_s: float) -> str:
    """Lines from ``stream`` until one contains ``needle`` (the server's stderr)."""
    seen = ""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        line = stream.readline()  # type: ignore[attr-defined]
        seen += line
        if needle in line:
            return seen
        if not line:
            time.sleep(0.05)
    raise AssertionError(f"no {needle!r} in the server's output: {seen}")


def test_serve_started_while_postgres_refuses_waits_then_serves(
    tmp_path: Path, postgres_database_url: str
) -> None:
    env = {
        **os.environ,
        "TERANG_DATABASE_URL": postgres_database_url,
        "PYTHONPATH": os.pathsep.join(sys.path),
    }
    run(tmp_path, env, "init", "--origin", "kab-contoh.example/terang")
    set_outage(postgres_database_url, down=True)
    port = free_port()
    server = subprocess.Popen(
        [*TERANG, "serve", "--port", str(port), "--db-wait", "60"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stderr is not None
        waited = _read_until(server.stderr, "waiting for the database", 30)
        assert "Traceback" not in waited
        assert server.poll() is None
        set_outage(postgres_database_url, down=False)
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/log/checkpoint").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert server.poll() is None, server.stderr.read()
            assert time.monotonic() < deadline, "serve did not come up after the database did"
            time.sleep(0.2)
    finally:
        set_outage(postgres_database_url, down=False)
        server.terminate()
        server.wait(timeout=30)


def test_serve_gives_up_after_db_wait_with_a_clear_error(
    tmp_path: Path, postgres_database_url: str
) -> None:
    env = {
        **os.environ,
        "TERANG_DATABASE_URL": postgres_database_url,
        "PYTHONPATH": os.pathsep.join(sys.path),
    }
    run(tmp_path, env, "init", "--origin", "kab-contoh.example/terang")
    set_outage(postgres_database_url, down=True)
    try:
        result = subprocess.run(
            [*TERANG, "serve", "--port", str(free_port()), "--db-wait", "1"],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    finally:
        set_outage(postgres_database_url, down=False)
    assert result.returncode == 1
    assert "error[database_unavailable]" in result.stderr
    assert "waited 1 s" in result.stderr
    assert "Traceback" not in result.stderr
