"""`terang witness keygen/serve` and `terang monitor` over real HTTP, with `terang serve`
collecting cosignatures from TERANG_WITNESSES, on both engines."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from ledger.checkpoint import Checkpoint, open_checkpoint_note, sign_checkpoint
from ledger.note import Signer, parse_private_key, parse_verifier_key, split_note
from witness.store import origin_hash

TERANG = [sys.executable, "-m", "terang.cli"]
ORIGIN = "kab-contoh.example/terang"


def run(
    cwd: Path, env: dict[str, str], *args: str, expect: int = 0
) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [*TERANG, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == expect, f"terang {' '.join(args)}: {result.stdout}{result.stderr}"
    return result


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start(cwd: Path, env: dict[str, str], args: list[str], ready: str) -> subprocess.Popen[str]:
    process = subprocess.Popen(
        [*TERANG, *args],
        cwd=cwd,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 30
    while True:
        try:
            if httpx.get(ready).status_code < 500:
                return process
        except httpx.TransportError:
            pass
        if process.poll() is not None:
            raise AssertionError(process.stderr.read() if process.stderr else "exited")
        assert time.monotonic() < deadline, f"{args[0]} did not start"
        time.sleep(0.2)


def stop(process: subprocess.Popen[str]) -> None:
    process.terminate()
    process.wait(timeout=30)


def test_witness_serve_log_collects_and_monitor_alarms(tmp_path: Path, database_url: str) -> None:
    env = {
        **os.environ,
        "TERANG_DATABASE_URL": database_url,
        "PYTHONPATH": os.pathsep.join(sys.path),
    }
    env.pop("TERANG_WITNESSES", None)
    run(tmp_path, env, "init", "--origin", ORIGIN)
    log_vkey = json.loads(run(tmp_path, env, "info").stdout)["verifier_key"]

    # The witness: its key is made on its machine; only the verifier key is printed.
    witness_dir = tmp_path / "witness"
    witness_dir.mkdir()
    key_file = witness_dir / "witness.key"
    witness_vkey = run(
        witness_dir, env, "witness", "keygen", "--name", "witness.test/w1", "--out", str(key_file)
    ).stdout.strip()
    assert key_file.stat().st_mode & 0o777 == 0o600
    assert "PRIVATE" not in witness_vkey and parse_verifier_key(witness_vkey).name == (
        "witness.test/w1"
    )
    run(witness_dir, env, "witness", "keygen", "--name", "x", "--out", str(key_file), expect=1)

    witness_port, log_port = free_port(), free_port()
    witness_url = f"http://127.0.0.1:{witness_port}"
    log_url = f"http://127.0.0.1:{log_port}"
    witness = start(
        witness_dir,
        {
            **env,
            "TERANG_WITNESS_KEY_FILE": str(key_file),
            "TERANG_WITNESS_LOGS": log_vkey,
            "TERANG_WITNESS_DATABASE_URL": f"sqlite:///{witness_dir / 'witness.db'}",
        },
        ["witness", "serve", "--port", str(witness_port)],
        witness_url + "/",
    )
    try:
        server = start(
            tmp_path,
            {**env, "TERANG_WITNESSES": f"{witness_vkey}={witness_url}"},
            ["serve", "--port", str(log_port)],
            log_url + "/log/checkpoint",
        )
        try:
            # `terang serve` collects the witness's cosignature in the background.
            log_key = parse_verifier_key(log_vkey)
            witness_key = parse_verifier_key(witness_vkey)
            deadline = time.monotonic() + 30
            while True:
                note = httpx.get(log_url + "/log/checkpoint").text
                if "witness.test/w1" in note:
                    break
                assert time.monotonic() < deadline, "no cosignature on /log/checkpoint"
                time.sleep(0.2)
            cp, _ = open_checkpoint_note(
                note, ORIGIN, log_key, witnesses=[witness_key], min_witnesses=1
            )
            viewed = httpx.get(f"{witness_url}/{origin_hash(ORIGIN)}/checkpoint").text
            assert open_checkpoint_note(viewed, ORIGIN, log_key)[0] == cp

            # The monitor: all consistent, with the witness's view, exit 0.
            state = tmp_path / "monitor.json"
            monitor_env = {**env, "TERANG_MONITOR_STATE": str(state)}
            result = run(
                tmp_path,
                monitor_env,
                "monitor",
                "--url",
                log_url,
                "--key",
                log_vkey,
                "--witness",
                f"{witness_vkey}={witness_url}",
                "--once",
            )
            statuses = [json.loads(line)["status"] for line in result.stdout.splitlines()]
            assert statuses == ["new", "same"]
            assert json.loads(state.read_text())["logs"][ORIGIN]["tree_size"] == cp.size

            # Someone holding the log key signs another root at the same size: shown to
            # the monitor (say, a user's copy), it is a split view: exit 3 and evidence.
            signer = parse_private_key((tmp_path / "keys" / "log.key").read_text().strip())
            assert isinstance(signer, Signer)
            fork = tmp_path / "fork.checkpoint"
            fork.write_text(sign_checkpoint(Checkpoint(ORIGIN, cp.size, b"\x42" * 32), signer))
            evidence = tmp_path / "evidence.json"
            alarm = run(
                tmp_path,
                monitor_env,
                "monitor",
                "--url",
                log_url,
                "--key",
                log_vkey,
                "--checkpoint",
                str(fork),
                "--evidence",
                str(evidence),
                "--once",
                expect=3,
            )
            assert "ALARM[split_view]" in alarm.stderr
            doc = json.loads(evidence.read_text())
            assert doc["alarm"] == "split_view"
            roots = {
                Checkpoint.parse(split_note(c["note"]).text).root_hash for c in doc["checkpoints"]
            }
            assert roots == {cp.root_hash, b"\x42" * 32}

            # The witness refuses the same fork.
            body = f"old {cp.size}\n\n{fork.read_text()}".encode()
            refused = httpx.post(witness_url + "/add-checkpoint", content=body)
            assert refused.status_code == 422
        finally:
            stop(server)
    finally:
        stop(witness)

    # An unreachable log with --once is exit 2 (as `terang verify`), not an alarm.
    run(
        tmp_path,
        env,
        "monitor",
        "--url",
        "http://127.0.0.1:9",
        "--key",
        log_vkey,
        "--state",
        str(tmp_path / "other.json"),
        "--once",
        expect=2,
    )
