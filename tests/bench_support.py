"""What the benches' smoke tests share: run a bench script as a user does, on each engine.

Each smoke test runs its bench at its tiniest size so the bench cannot rot; it checks
the figures are there and positive, never how fast they are (that is the bench's job,
on a quiet machine).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[1]


def positive(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and value > 0


@pytest.fixture(params=["sqlite", "postgresql"])
def engine_args(request: pytest.FixtureRequest) -> list[str]:
    """The bench's engine flags: SQLite, or PostgreSQL on the test server."""
    if request.param == "sqlite":
        return ["--engines", "sqlite"]
    server = request.getfixturevalue("postgres_server_url")
    return ["--engines", "postgresql", "--pg-url", server]


def run_bench(script: str, args: list[str], *, timeout_s: float) -> None:
    """Run ``bench/<script>`` in a fresh interpreter, without the tests' TERANG_* settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TERANG_")}
    done = subprocess.run(
        [sys.executable, str(REPO / "bench" / script), *args],
        capture_output=True,
        text=True,
        timeout=timeout_s,
        env=env,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
