"""``terang budget-import`` on SQLite and PostgreSQL: a bad file prints every bad row
and exits 1 with nothing logged; --dry-run logs nothing; a good file is logged once."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import Harness
from typer.testing import CliRunner

from budgeting.importer import example_records, write_table
from ledger.keys import client_key_id, generate_client_key
from ledger.statement import b64encode
from terang.cli import app

YEAR = 2026


@pytest.fixture
def key_file(harness: Harness, tmp_path: Path) -> Path:
    path = tmp_path / "bpkad.key"
    key = generate_client_key(path)
    body = {"public_key": b64encode(bytes(key.verify_key)), "name": "BPKAD", "roles": ["finance"]}
    harness.ledger.append_direct(
        [harness.sign(harness.authority, "registry.key.registered", client_key_id(key), body)]
    )
    return path


def run(harness: Harness, *args: str) -> tuple[int, str, str]:
    runner = CliRunner()
    env = {"TERANG_LOG_KEY": harness.log_signer.private_key()}
    result = runner.invoke(
        app, ["budget-import", *args, "--db", harness.ledger.settings.database_url,
              "--no-progress"],
        env=env,
    )  # fmt: skip
    return result.exit_code, result.stdout, result.stderr


def test_cli_reports_bad_rows_then_imports_once(
    harness: Harness, key_file: Path, tmp_path: Path
) -> None:
    records = example_records(YEAR, 8)
    records[2]["amount"] = "12.345"
    records[6]["funding_source"] = "dau"
    bad = tmp_path / "bad.csv"
    write_table(records, bad)
    size = harness.ledger.size()
    code, _, stderr = run(harness, str(bad), "--key", str(key_file))
    assert code != 0
    assert "line 4: amount:" in stderr and "line 8: funding_source:" in stderr
    assert harness.ledger.size() == size

    good = tmp_path / "good.xlsx"
    write_table(example_records(YEAR, 8), good)
    code, stdout, _ = run(harness, str(good), "--key", str(key_file), "--dry-run")
    assert code == 0, stdout
    assert json.loads(stdout)["dry_run"] is True
    assert harness.ledger.size() == size

    code, stdout, _ = run(harness, str(good), "--key", str(key_file))
    assert code == 0, stdout
    first = json.loads(stdout)
    assert first["statements_posted"] > 16
    assert harness.ledger.size() == first["tree_size"]
    code, stdout, _ = run(harness, str(good), "--key", str(key_file))
    assert code == 0 and json.loads(stdout)["statements_posted"] == 0
    assert harness.ledger.size() == first["tree_size"]
