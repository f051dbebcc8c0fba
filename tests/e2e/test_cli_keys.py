"""Keys on the server (issue 10, item 7), end to end with the real CLI, on both engines.

The attack: `terang init` left the root authority key in `keys/` beside the log key,
and the demo kept every Pokja box key there too, so whoever held the server held the
authority and could open the demo's sealed bids. Now the authority key is written
outside the service's key directory (or printed once), init says where it went,
`terang serve` runs with no authority key on disk, and the demo's keys live in
`demo-keys/` under names that say DEMO.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import httpx
from conftest import TERANG, run, serving


def _env(database_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TERANG_")}
    return {**env, "TERANG_DATABASE_URL": database_url, "PYTHONPATH": os.pathsep.join(sys.path)}


def _terang(cwd: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*TERANG, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120, check=False
    )


def _key_files(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*.key"))


def test_init_refuses_the_authority_key_beside_the_log_key(
    tmp_path: Path, database_url: str
) -> None:
    env = _env(database_url)
    refused = _terang(tmp_path, env, "init", "--authority-key-out", "keys/authority.key")
    assert refused.returncode == 1, refused.stdout
    assert "error[authority_key_beside_log_key]" in refused.stderr
    # Refused before anything was made: no key at all, and no genesis (init still works after).
    assert _key_files(tmp_path) == []
    done = json.loads(run(tmp_path, env, "init"))
    assert done["created_genesis"] is True


def test_init_default_writes_the_authority_key_outside_keys_and_says_so(
    tmp_path: Path, database_url: str
) -> None:
    env = _env(database_url)
    done = _terang(tmp_path, env, "init")
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["created_authority_key"] is True
    assert out["authority_key_file"] == "offline-keys/authority.key"
    assert "offline-keys/authority.key" in done.stderr and "Move it off" in done.stderr
    assert _key_files(tmp_path) == ["keys/log.key", "offline-keys/authority.key"]
    key = tmp_path / "offline-keys" / "authority.key"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    # The old layout (an authority key in keys/) is named and shamed on every init and serve.
    (tmp_path / "keys" / "authority.key").write_bytes(key.read_bytes())
    (tmp_path / "keys" / "authority.key").chmod(0o600)
    again = _terang(tmp_path, env, "init")
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout)["created_authority_key"] is False
    assert "WARNING" in again.stderr and "keys/authority.key" in again.stderr


def test_init_can_print_the_authority_key_once_and_store_it_nowhere(
    tmp_path: Path, database_url: str
) -> None:
    env = _env(database_url)
    done = _terang(tmp_path, env, "init", "--authority-key-out", "-")
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["authority_key"].startswith("terang-ed25519-seed:")
    assert "printed once" in done.stderr
    assert _key_files(tmp_path) == ["keys/log.key"]
    # Printed once: a second init has no key to print (the genesis is logged).
    assert "authority_key" not in json.loads(run(tmp_path, env, "init", "--authority-key-out", "-"))


def test_serve_runs_with_no_authority_key_on_disk(tmp_path: Path, database_url: str) -> None:
    env = _env(database_url)
    offline = tmp_path / "usb-stick" / "root.key"
    out = json.loads(run(tmp_path, env, "init", "--authority-key-out", str(offline)))
    assert out["authority_key_file"] == str(offline)
    offline.unlink()  # the operator moved it off the host
    assert _key_files(tmp_path) == ["keys/log.key"]
    # init stays idempotent without it: the genesis is logged, the key is not needed again.
    assert json.loads(run(tmp_path, env, "init"))["created_genesis"] is False
    assert _key_files(tmp_path) == ["keys/log.key"]
    with serving(tmp_path, env) as url:
        checkpoint = httpx.get(url + "/log/checkpoint").text
        assert checkpoint.startswith(out["verifier_key"].split("+")[0] + "\n")
    assert _key_files(tmp_path) == ["keys/log.key"]
