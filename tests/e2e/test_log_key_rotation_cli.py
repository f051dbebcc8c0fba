"""Issue 17 item 9, end to end as the runbook says (docs/runbook.md, "Rotate the log
key"), on both engines: a real `terang serve` over the demo, `terang keygen
--log-origin`, `TERANG_NEXT_LOG_KEY_FILE`, `terang rotate-log-key`, more entries, then
`terang verify` given only the genesis key passes, and a restart (restore guard state
file signed by the new key) still serves."""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path

import httpx
import pytest
from conftest import TERANG, DemoSetup, _cli_env, _copy_demo, _demo_setup, run, serving

from ledger.note import split_note

# The demo set-up (once per engine), three service starts and a full verify.
pytestmark = pytest.mark.timeout(900)


def _wait_for_size(url: str, size: int) -> str:
    deadline = time.monotonic() + 30
    while True:
        note = httpx.get(url + "/log/checkpoint").text
        if int(note.split("\n")[1]) >= size:
            return note
        assert time.monotonic() < deadline, "no checkpoint covered the rotation"
        time.sleep(0.2)


def test_rotate_the_log_key_as_the_runbook_says(
    tmp_path: Path,
    database_url: str,
    demo_setups: dict[str, DemoSetup],
    request: pytest.FixtureRequest,
) -> None:
    engine = "sqlite" if database_url.startswith("sqlite") else "postgresql"
    _copy_demo(_demo_setup(engine, demo_setups, request), tmp_path, database_url)
    cwd, env = tmp_path, _cli_env(database_url)
    info = json.loads(run(cwd, env, "info"))
    genesis_vkey, origin = info["verifier_key"], info["origin"]

    # Without the next key configured, the service refuses and says what to do.
    run(cwd, env, "keygen", "--log-origin", origin, "--out", "keys/log-next.key")
    with serving(cwd, env) as url:
        refused = subprocess.run(
            [*TERANG, "rotate-log-key", "--new-key", "keys/log-next.key", "--url", url],
            cwd=cwd,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert refused.returncode != 0
        assert "next_log_key_not_configured" in refused.stderr
        assert "TERANG_NEXT_LOG_KEY_FILE" in refused.stderr

    rotating = {**env, "TERANG_NEXT_LOG_KEY_FILE": "keys/log-next.key"}
    with serving(cwd, rotating) as url:
        receipt = json.loads(
            run(
                cwd,
                rotating,
                "rotate-log-key",
                "--new-key",
                "keys/log-next.key",
                "--key",
                "offline-keys/authority.key",
                "--url",
                url,
            )
        )
        seq = receipt["seq"]
        _wait_for_size(url, seq + 1)
        history = httpx.get(url + "/log/key-history").json()["keys"]
        assert len(history) == 2 and history[0]["verifier_key"] == genesis_vkey
        new_vkey = history[-1]["verifier_key"]
        assert (history[-1]["rotation_seq"], history[-1]["from_size"]) == (seq, seq + 1)
        assert history[-1]["handover_checkpoint"] is not None
        assert httpx.get(url + "/log/verifier-key").text.strip() == new_vkey

        # Log more under the new key, then verify with the genesis key only.
        key = json.loads(run(cwd, rotating, "keygen", "--out", str(cwd / "keys" / "x.key")))
        run(
            cwd,
            rotating,
            "register-key",
            "--public-key",
            key["public_key"],
            "--name",
            "after the rotation",
            "--key",
            "offline-keys/authority.key",
            "--url",
            url,
        )
        note = _wait_for_size(url, seq + 2)
        log_lines = {s.key_id.hex() for s in split_note(note).signatures if s.name == origin}
        assert log_lines == {new_vkey.split("+")[1]}  # after the hand-over: the new key only
        state = str(cwd / "verify-state.json")
        report = json.loads(
            run(
                cwd,
                rotating,
                "verify",
                url,
                "--key",
                genesis_vkey,
                "--state",
                state,
                "--no-progress",
            )
        )
        assert report["ok"] is True and report["tree_size"] >= seq + 2

    # Restarted with both keys: the restore guard reads its state file (now signed by
    # the new key) and the service serves and writes again.
    with serving(cwd, rotating) as url:
        assert httpx.get(url + "/readyz").status_code == 200
