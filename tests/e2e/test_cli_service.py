"""The stable names, end to end: `terang init/demo/serve/info`, client commands, and an
auditor's check of the running service over real HTTP, on both engines."""

from __future__ import annotations

import hashlib
import json
import subprocess
import time
from pathlib import Path

import httpx
from conftest import TERANG, run

from audit.remote import verify_log
from ledger.limits import Limits
from ledger.tlog_proof import TlogProof
from terang.app import all_kinds


def test_cli_and_service_work_as_documented(service: tuple[str, Path, dict[str, str]]) -> None:
    url, cwd, env = service
    info = json.loads(run(cwd, env, "info"))
    assert info["origin"] == "kab-contoh.example/terang"
    assert info["verifier_key"] == httpx.get(url + "/log/verifier-key").text.strip()
    assert info["tree_size"] >= 9  # genesis + demo people
    # The release's standalone verifier: the hash info prints is the file the service serves.
    download = httpx.get(url + "/verifikasi/terang-verifier.html").content
    assert info["verifier_html_sha256"] == hashlib.sha256(download).hexdigest()
    assert httpx.get(url + "/log/verifier-html.sha256").text.split() == [
        info["verifier_html_sha256"],
        "terang-verifier.html",
    ]
    assert len(info["verifier_verify_js_sha256"]) == 64

    new_key = json.loads(run(cwd, env, "keygen", "--out", str(cwd / "keys" / "new.key")))
    assert (cwd / "keys" / "new.key").stat().st_mode & 0o777 == 0o600
    receipt = json.loads(
        run(
            cwd,
            env,
            "register-key",
            "--public-key",
            new_key["public_key"],
            "--name",
            "Bendahara",
            "--role",
            "finance",
        )
    )
    assert receipt["duplicate"] is False
    grant = json.loads(
        run(
            cwd,
            env,
            "submit",
            "--type",
            "registry.role.granted",
            "--subject",
            new_key["key_id"],
            "--body",
            '{"role": "auditor"}',
        )
    )
    assert grant["seq"] == receipt["seq"] + 1
    time.sleep(0.3)  # let the rate-limited publisher cover the entry
    text = run(cwd, env, "proof", str(grant["seq"]))
    assert TlogProof.parse(text).index == grant["seq"]

    # The authority's own commands: a role granted and revoked, then the key revoked (a
    # lost laptop): the key signs nothing more, and a refusal says who unblocks it.
    new_key_file = str(cwd / "keys" / "new.key")
    assert json.loads(run(cwd, env, "keyinfo", new_key_file))["key_id"] == new_key["key_id"]
    run(cwd, env, "grant-role", new_key["key_id"], "--role", "procurement_officer")
    run(cwd, env, "revoke-role", new_key["key_id"], "--role", "procurement_officer")
    unblock = subprocess.run(
        [*TERANG, "officer", "activate-vendor", "ab" * 32, "--key", new_key_file, "--url", url],
        cwd=cwd, env=env, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert unblock.returncode == 1 and "error[missing_role]" in unblock.stderr
    assert "terang grant-role" in unblock.stderr  # who can unblock it, and how
    revoked = json.loads(
        run(cwd, env, "revoke-key", new_key["key_id"], "--reason", "laptop hilang")
    )
    again = subprocess.run(
        [*TERANG, "submit", "--type", "registry.role.granted", "--subject", new_key["key_id"],
         "--body", '{"role": "auditor"}', "--key", new_key_file],
        cwd=cwd, env=env, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert again.returncode == 1 and "error[revoked_signer]" in again.stderr
    assert "registers the holder's new key" in again.stderr

    # An auditor, with the key from `terang info` (out of band), checks everything.
    with httpx.Client(base_url=url) as client:
        report = verify_log(client, info["verifier_key"], all_kinds(), Limits())
    assert report.tree_size >= revoked["seq"] + 1


def test_cli_errors_are_one_line_with_a_code(service: tuple[str, Path, dict[str, str]]) -> None:
    _, cwd, env = service
    result = subprocess.run(
        [
            *TERANG,
            "submit",
            "--type",
            "registry.role.granted",
            "--subject",
            "x",
            "--body",
            "{not json",
        ],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 1
    assert "error[bad_json]" in result.stderr


def test_terang_verify_exit_codes(service: tuple[str, Path, dict[str, str]]) -> None:
    url, cwd, env = service
    vkey = json.loads(run(cwd, env, "info"))["verifier_key"]
    state = str(cwd / "verify-state.json")
    report = json.loads(
        run(cwd, env, "verify", url, "--key", vkey, "--state", state, "--no-progress")
    )
    assert report["ok"] is True and report["consistent_with_size"] is None
    # Again, with the progress bar (the default) drawn on stderr.
    again = json.loads(run(cwd, env, "verify", url, "--key", vkey, "--state", state))
    assert again["consistent_with_size"] == report["tree_size"]
    record = json.loads(
        run(cwd, env, "verify", url, "--key", vkey, "--record", "genesis", "--no-progress")
    )
    assert record["ok"] is True and record["entries"] == [0]

    wrong = run(
        cwd,
        env,
        "keygen",
        "--out",
        str(cwd / "wrong.key"),
        "--log-origin",
        "kab-contoh.example/terang",
    )
    result = subprocess.run(
        [*TERANG, "verify", url, "--key", wrong.strip(), "--state", state, "--no-progress"],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 1
    assert "error[" in result.stderr

    result = subprocess.run(
        [*TERANG, "verify", "http://127.0.0.1:9", "--key", vkey, "--no-progress"],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 2
