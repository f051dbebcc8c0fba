"""docs/examples/verify_log.py, written from the specs with hashlib and PyNaCl only,
accepts a real running log, and refuses a wrong key: what docs/verifying.md shows."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from conftest import run

SCRIPT = Path(__file__).resolve().parents[2] / "docs" / "examples" / "verify_log.py"


def test_the_documented_script_verifies_the_running_log(
    service: tuple[str, Path, dict[str, str]],
) -> None:
    url, cwd, env = service
    vkey = json.loads(run(cwd, env, "info"))["verifier_key"]
    result = subprocess.run(
        [sys.executable, str(SCRIPT), url, vkey],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "verified" in result.stdout

    other = run(cwd, env, "keygen", "--out", str(cwd / "other.key"), "--log-origin", "x").strip()
    result = subprocess.run(
        [sys.executable, str(SCRIPT), url, other],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode != 0
