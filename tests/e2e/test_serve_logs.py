"""``terang serve --log-format json`` (issue 17, item 9): every stderr line is a JSON object.

A log shipper indexes fields instead of parsing prose, so one stray text line (a banner,
a warning, uvicorn's own start-up lines) breaks it: the test reads every line.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import httpx
from conftest import TERANG, run, serving


def test_json_logs_cover_terang_and_uvicorn_lines(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "TERANG_DATABASE_URL": f"sqlite:///{tmp_path / 'terang.db'}",
        "PYTHONPATH": os.pathsep.join(sys.path),
    }
    run(tmp_path, env, "init", "--origin", "kab-contoh.example/terang")
    log: list[str] = []
    options = ("--log-format", "json", "--log-level", "info")
    with serving(tmp_path, env, *options, log=log, stop_signal=signal.SIGINT) as base:
        assert httpx.get(base + "/api/v1/entries/999").status_code == 404
    [stderr] = log

    lines = [line for line in stderr.splitlines() if line.strip()]
    records = [json.loads(line) for line in lines]  # each line parses, or the test fails here
    assert all({"time", "level", "logger", "message"} <= record.keys() for record in records)
    assert all(record["time"].endswith(("Z", "+00:00")) for record in records)
    assert "\x1b" not in stderr  # no terminal colours in a machine's log
    messages = [record["message"] for record in records]
    assert any(m.startswith("Terang serving kab-contoh.example/terang") for m in messages)
    [access] = [r for r in records if r.get("path") == "/api/v1/entries/999"]
    assert access["logger"] == "uvicorn.access"
    assert (access["method"], access["status"], access["level"]) == ("GET", 404, "INFO")


def test_a_bad_log_format_is_named(tmp_path: Path) -> None:
    env = {**os.environ, "TERANG_DATABASE_URL": f"sqlite:///{tmp_path / 'terang.db'}"}
    result = subprocess.run(
        [*TERANG, "serve", "--log-format", "xml"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 1
    assert "error[bad_setting]: the log format must be one of text, json" in result.stderr
