"""Issue 17, item 5 (SQLite part): an online backup taken under a write load restores.

A writer keeps appending while ``terang db backup`` copies the live file. The copy must
be a consistent prefix of the log (every entry byte for byte what the live log holds at
that seq, no half-written entry), at least as long as the log was when the backup
started, and it must open as a ledger again. The refusals say what to do instead.
"""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

import pytest
from conftest import make_harness

from ledger.backup import backup_sqlite
from ledger.errors import ClientError, Conflict


def test_backup_under_load_is_a_consistent_prefix_that_opens(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'terang.db'}"
    harness = make_harness(url)
    stop = threading.Event()

    def write_load() -> None:
        n = 0
        while not stop.is_set() and n < 400:
            harness.register(f"officer-{n}", ["procurement_officer"])
            n += 1

    writer = threading.Thread(target=write_load)
    try:
        writer.start()
        while harness.ledger.size() < 20:
            stop.wait(0.01)
        size_at_start = harness.ledger.size()
        backup = backup_sqlite(url, tmp_path / "backup.db")
        stop.set()
        writer.join()
        assert backup.size_bytes > 0
        assert not (tmp_path / "backup.db.partial").exists()

        restored = make_harness(
            f"sqlite:///{backup.path}", log_signer=harness.log_signer, genesis=False
        )
        try:
            restored_size = restored.ledger.size()
            assert size_at_start <= restored_size <= harness.ledger.size()
            for seq in range(restored_size):
                assert restored.ledger.entry(seq) == harness.ledger.entry(seq)
        finally:
            restored.ledger.close()
    finally:
        stop.set()
        writer.join()
        harness.ledger.close()


def test_backup_refuses_to_overwrite_and_points_postgres_elsewhere(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'terang.db'}"
    make_harness(url).ledger.close()
    (tmp_path / "taken.db").write_bytes(b"keep me")
    with pytest.raises(Conflict) as exists:
        backup_sqlite(url, tmp_path / "taken.db")
    assert exists.value.code == "backup_exists"
    assert (tmp_path / "taken.db").read_bytes() == b"keep me"
    with pytest.raises(ClientError) as engine:
        backup_sqlite("postgresql+psycopg2://u@h/db", tmp_path / "x.db")
    assert engine.value.code == "backup_engine_unsupported"
    assert "pg_dump" in engine.value.message


def test_cli_backup_prints_where_and_refuses_with_a_code(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from terang.cli import app

    url = f"sqlite:///{tmp_path / 'terang.db'}"
    make_harness(url).ledger.close()
    runner = CliRunner()
    done = runner.invoke(app, ["db", "backup", str(tmp_path / "b.db"), "--db", url])
    assert done.exit_code == 0, done.output
    assert "backed up to" in done.output and (tmp_path / "b.db").exists()
    again = subprocess.run(
        [sys.executable, "-m", "terang.cli", "db", "backup", str(tmp_path / "b.db"), "--db", url],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert again.returncode == 1
    assert "error[backup_exists]" in again.stderr
