"""`terang --help` and the client commands start without the server's layers.

A vendor bidding from a laptop or a finance officer's script runs `terang` many times;
each call used to import SQLAlchemy, alembic, FastAPI and the whole service (about 2 s of
CPU) before doing anything. The command line now imports those inside the commands that
need them (terang/cli.py). These tests run a fresh interpreter, as a user's shell does,
and look at what it loaded; bench/bench_cli_start.py measures the time.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

SERVER_LAYERS = ("sqlalchemy", "alembic", "fastapi", "starlette", "uvicorn", "pandas", "jinja2")
"""What only a command that opens a database or serves HTTP needs."""


def loaded_after(argv: list[str], cwd: Path) -> tuple[list[str], str]:
    """Run ``terang ARGV`` in a fresh interpreter; return the server layers it loaded, and
    what it printed."""
    probe = (
        "import json, sys\n"
        "from terang.cli import app\n"
        "try:\n"
        f"    app({argv!r}, standalone_mode=False)\n"
        "finally:\n"
        f"    layers = {SERVER_LAYERS!r}\n"
        "    print(json.dumps([m for m in layers if m in sys.modules]), file=sys.stderr)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return json.loads(result.stderr.strip().splitlines()[-1]), result.stdout


@pytest.mark.parametrize(
    "argv",
    [
        ["--help"],
        ["submit", "--help"],
        ["vendor", "bid", "--help"],
        ["committee", "release", "--help"],
        ["officer", "announce", "--help"],
        ["verify", "--help"],
        ["witness", "serve", "--help"],
        ["serve", "--help"],
    ],
)
def test_help_loads_no_server_layer(argv: list[str], tmp_path: Path) -> None:
    loaded, printed = loaded_after(argv, tmp_path)
    assert loaded == []
    assert "Usage:" in printed


def test_a_client_command_runs_without_the_server_layers(tmp_path: Path) -> None:
    loaded, printed = loaded_after(["keygen", "--out", str(tmp_path / "me.key")], tmp_path)
    assert loaded == []
    assert json.loads(printed)["key_id"]
    assert (tmp_path / "me.key").stat().st_mode & 0o777 == 0o600
    loaded, printed = loaded_after(["keyinfo", str(tmp_path / "me.key")], tmp_path)
    assert loaded == [] and json.loads(printed)["kind"] == "client"


def test_a_database_command_still_loads_what_it_needs(tmp_path: Path) -> None:
    """Not vacuous: the probe sees the layers when a command does use them."""
    loaded, printed = loaded_after(["db", "upgrade", "--db", "sqlite:///./t.db"], tmp_path)
    assert {"sqlalchemy", "alembic"} <= set(loaded)
    assert "schema at" in printed
