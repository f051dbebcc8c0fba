"""Issue 17, item 7, as an operator meets it: `terang serve` on a restored older backup.

`terang init` keeps every checkpoint it signs in the default state file beside the log key
(keys/log.checkpoint). The operator backs up, the service takes more writes, and then the
old backup is put back in place of the database and served. The real process must stay
read-only and say so: the CLI write fails at once with error[log_behind_published] (the
client does not wait out a hold only the operator can lift), /readyz is 503, the service
log has an ERROR line, reads work. Putting the newer backup back resolves it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import httpx
from conftest import TERANG, run, serving
from nacl.signing import SigningKey
from sqlalchemy import create_engine, func, select

from ledger import storage
from ledger.backup import backup_sqlite
from ledger.clock import utc_now
from ledger.defaults import DEFAULT_AUTHORITY_KEY_FILE
from ledger.keys import client_key_id, load_client_key
from ledger.signing import make_signed
from ledger.statement import b64encode

ORIGIN = "kab-contoh.example/terang"


def register(cwd: Path, url: str, name: str) -> httpx.Response:
    """The root authority registers a new key, signed here as `terang register-key` does."""
    key = SigningKey.generate()
    signed = make_signed(
        load_client_key(cwd / DEFAULT_AUTHORITY_KEY_FILE),
        "registry.key.registered",
        client_key_id(key),
        {"public_key": b64encode(bytes(key.verify_key)), "name": name, "roles": []},
        at=utc_now(),
        origin=ORIGIN,
    )
    return httpx.post(url + "/api/v1/statements", json=signed.to_json(), timeout=30)


def register_with_cli(cwd: Path, env: dict[str, str], url: str) -> subprocess.CompletedProcess[str]:
    key = SigningKey.generate()
    return subprocess.run(
        [
            *TERANG,
            "register-key",
            "--public-key",
            b64encode(bytes(key.verify_key)),
            "--name",
            "c",
            "--url",
            url,
        ],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def put_in_place(cwd: Path, copy: Path) -> None:
    for stale in cwd.glob("terang.db*"):
        stale.unlink()
    shutil.copyfile(copy, cwd / "terang.db")


def entries(db: str) -> int:
    engine = create_engine(db)
    try:
        with engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(storage.entries)).scalar())
    finally:
        engine.dispose()


def state_size(cwd: Path) -> int:
    return int((cwd / "keys" / "log.checkpoint").read_text().split("\n")[1])


def test_serving_an_older_backup_is_read_only_until_the_newer_one_is_back(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'terang.db'}"
    env = {
        **os.environ,
        "TERANG_DATABASE_URL": db,
        "PYTHONPATH": os.pathsep.join(sys.path),
    }
    env.pop("TERANG_LOG_STATE_FILE", None)
    env.pop("TERANG_UNSAFE_IGNORE_PUBLISHED", None)
    run(tmp_path, env, "init", "--origin", ORIGIN)
    assert state_size(tmp_path) == 1  # the genesis checkpoint, kept beside the key
    backup_sqlite(db, tmp_path / "old.db")

    log: list[str] = []
    with serving(tmp_path, env, log=log) as url:
        for name in ("a", "b"):
            assert register(tmp_path, url, name).status_code == 201
        deadline = time.monotonic() + 10
        while state_size(tmp_path) < 3:  # the ticker publishes within about a second
            assert time.monotonic() < deadline, "no checkpoint of size 3 was published"
            time.sleep(0.1)
    backup_sqlite(db, tmp_path / "newer.db")

    put_in_place(tmp_path, tmp_path / "old.db")  # the operator restores the older backup
    log.clear()
    with serving(tmp_path, env, log=log) as url:
        started = time.monotonic()
        refused = register_with_cli(tmp_path, env, url)
        assert time.monotonic() - started < 15  # refused at once, not waited out
        assert refused.returncode == 1
        assert "error[log_behind_published]" in refused.stderr
        assert "size 3" in refused.stderr and "only 1" in refused.stderr

        ready = httpx.get(url + "/readyz")
        assert ready.status_code == 503
        assert ready.json()["details"]["checks"]["not_behind_published"] is False
        checkpoint = httpx.get(url + "/log/checkpoint")  # reads work
        assert checkpoint.status_code == 200 and checkpoint.text.split("\n")[1] == "1"
        assert httpx.get(url + "/api/v1/entries/0").status_code == 200
        problem = register(tmp_path, url, "c")
        assert problem.status_code == 503 and problem.json()["code"] == "log_behind_published"
    stderr = log[0]
    assert "ERROR ledger.rollback_guard: log_behind_published" in stderr, stderr
    assert "READ-ONLY [log_behind_published]" in stderr
    assert entries(db) == 1  # nothing appended
    assert state_size(tmp_path) == 3  # and the published size is still on record

    put_in_place(tmp_path, tmp_path / "newer.db")  # resolved: the newer backup is back
    log.clear()
    with serving(tmp_path, env, log=log) as url:
        assert httpx.get(url + "/readyz").status_code == 200
        assert register(tmp_path, url, "d").status_code == 201
    assert "rollback_guard" not in log[0]
