"""Issue 17, item 5 (PostgreSQL part): point-in-time recovery restores, as documented.

The three marked blocks of docs/operating-postgresql.md ("Point-in-time recovery") run by
bash, unchanged, as the cluster's OS user, on a throwaway cluster of this test's own:

1. ``pitr-archive`` turns on WAL archiving (a restart);
2. ``pitr-base-backup`` takes a base backup WHILE a writer appends and publishes
   checkpoints; the writer goes on after it, publishing more;
3. ``pitr-restore`` restores twice, into new data directories:

   a. to the end of the archive: every receipt the writer got is in the log at its seq
      with its leaf hash, every entry is byte for byte the original's, the newest
      checkpoint is there, the rollback guard lets it write, and ``terang verify``
      passes, proving it consistent with a checkpoint published before the backup;
   b. to an LSN read in the middle of the load, just after a checkpoint was published
      (the writer paused for that instant only): the log is that checkpoint's prefix of
      the original (every entry byte-identical, no half-written one), ``terang verify``
      passes, and served with the state file holding the newer checkpoint it stays
      read-only (503 ``log_behind_published``).

      Why the pause: a copy restored to an arbitrary LSN may end past its newest
      checkpoint, and a held copy signs nothing, so ``terang verify`` rightly reports its
      uncovered projection rows (``projection_not_covered``). That case is real; the
      runbook says to catch such a copy up (``terang db catch-up``) or keep it for
      inspection only. This drill restores to a point an auditor can check.

With ``CI=true`` a cluster that cannot start is a failure, never a skip.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from conftest import TERANG, Harness, _cannot_start, free_port, make_harness, pg_throwaway
from doc_blocks import marked_block
from fastapi.testclient import TestClient
from nacl.signing import SigningKey
from sqlalchemy import create_engine, text

from audit.remote import StateFile as VerifyState
from ledger.checkpoint import Checkpoint
from ledger.keys import client_key_id
from ledger.merkle import leaf_hash
from ledger.publisher import PublishedCheckpoint
from ledger.sequencer import Receipt
from ledger.statement import SignedStatement, b64encode
from terang.app import create_app

pytestmark = [pytest.mark.postgres]

PAGE = "operating-postgresql.md"
PUBLISH_EVERY = 20
"""The writer publishes a checkpoint after every this many entries."""
ENTRIES_BEFORE_BACKUP = 60
ENTRIES_AFTER_BACKUP = 60
ENTRIES_AFTER_TARGET = 60
PHASE_S_MAX = 60.0
BLOCK_S_MAX = 120.0


def key_statement(h: Harness) -> SignedStatement:
    key = SigningKey.generate()
    body = {"public_key": b64encode(bytes(key.verify_key)), "name": "officer", "roles": []}
    return h.sign(h.authority, "registry.key.registered", client_key_id(key), body)


@dataclass
class Load:
    """One thread appending registrations (``ledger.append_direct``), publishing a
    checkpoint every ``PUBLISH_EVERY`` entries, keeping every receipt it got."""

    harness: Harness
    stop: threading.Event = field(default_factory=threading.Event)
    receipts: list[Receipt] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    gate: threading.Lock = field(default_factory=threading.Lock)
    """Held by the writer around each append and publish; ``paused`` takes it."""
    failure: list[BaseException] = field(default_factory=list)
    thread: threading.Thread | None = None

    def start(self) -> None:
        self.thread = threading.Thread(target=self._write, name="pitr-load", daemon=True)
        self.thread.start()

    def _write(self) -> None:
        try:
            while not self.stop.is_set():
                with self.gate:
                    receipts = self.harness.ledger.append_direct([key_statement(self.harness)])
                    with self.lock:
                        self.receipts.extend(receipts)
                        count = len(self.receipts)
                    if count % PUBLISH_EVERY == 0:
                        self.harness.ledger.publisher.publish(force=True)
        except BaseException as exc:  # surfaced by wait_for / finish
            self.failure.append(exc)

    @contextlib.contextmanager
    def paused(self) -> Iterator[None]:
        """No append or publish runs inside (the writer waits at its next one)."""
        with self.gate:
            yield

    def count(self) -> int:
        with self.lock:
            return len(self.receipts)

    def wait_for(self, more: int) -> None:
        target = self.count() + more
        deadline = time.monotonic() + PHASE_S_MAX
        while self.count() < target:
            assert not self.failure, f"the writer failed: {self.failure[0]!r}"
            assert time.monotonic() < deadline, f"only {self.count()} receipts"
            time.sleep(0.02)

    def finish(self) -> None:
        self.stop.set()
        if self.thread is not None:
            self.thread.join(timeout=PHASE_S_MAX)
            assert not self.thread.is_alive(), "the writer did not finish"
        assert not self.failure, f"the writer failed: {self.failure[0]!r}"


@dataclass
class Drill:
    """The cluster, a work directory its OS user owns, and the documented variables."""

    cluster: Any
    work: Path
    restored: list[Any] = field(default_factory=list)

    @property
    def archive(self) -> Path:
        return self.work / "archive"

    def own(self, path: Path) -> Path:
        """A new directory the server's OS user owns (it runs the blocks)."""
        path.mkdir(mode=0o700)
        run_as = self.cluster.run_as
        if run_as.name is not None:
            os.chown(path, run_as.uid, run_as.gid)
        return path

    def run(self, block: str, **variables: str) -> str:
        """Run a marked block of the page as the server's OS user, with ``variables``."""
        env = {
            "PATH": f"{self.cluster.bindir}:/usr/local/bin:/usr/bin:/bin",
            "LANG": "C",
            "LC_ALL": "C",
            "TZ": "UTC",
            "PGADMIN_URL": self.cluster.superuser_url.replace("+psycopg2", ""),
            "PGDATA": str(self.cluster.datadir),
            "WAL_ARCHIVE": str(self.archive),
            **variables,
        }
        # `env` inside the wrap: runuser/su reset PATH and friends on the way.
        argv = self.cluster.run_as.wrap(
            ["env", *(f"{k}={v}" for k, v in env.items()), "bash", "-c", marked_block(PAGE, block)]
        )
        done = subprocess.run(
            argv, cwd=self.work, capture_output=True, text=True, timeout=BLOCK_S_MAX, check=False
        )
        assert done.returncode == 0, f"{block}: {done.stdout}\n{done.stderr}"
        return done.stdout

    def sql(self, statement: str, url: str | None = None) -> Any:
        engine = create_engine(url or self.cluster.superuser_url, isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as conn:
                result = conn.execute(text(statement))
                return result.scalar() if result.returns_rows else None
        finally:
            engine.dispose()

    def restore(self, name: str, **target: str) -> str:
        """The pitr-restore block into ``<work>/<name>/data``; the restored server's URL."""
        harness = pg_throwaway()
        root = self.own(self.work / name)
        port = free_port()
        self.run(
            "pitr-restore",
            BASE_BACKUP=str(self.work / "base"),
            RESTORE_PGDATA=str(root / "data"),
            RESTORE_PORT=str(port),
            **target,
        )
        restored = harness.Cluster(
            root=root,
            port=port,
            pid=harness._postmaster_pid(root / "data"),
            bindir=self.cluster.bindir,
            run_as=self.cluster.run_as,
        )
        self.restored.append(restored)
        assert self.sql("SELECT pg_is_in_recovery()", restored.superuser_url) is False
        return str(restored.url)


@pytest.fixture
def drill() -> Iterator[Drill]:
    """A cluster of this test's own: archiving is turned on with a restart, and two
    restores run beside it."""
    if os.environ.get("TERANG_TEST_POSTGRES") == "skip" and os.environ.get("CI") != "true":
        pytest.skip("TERANG_TEST_POSTGRES=skip: no PostgreSQL on this machine")
    harness = pg_throwaway()
    try:
        cluster = harness.start_cluster()
    except Exception as exc:
        _cannot_start("PostgreSQL", exc)
    work = Path(tempfile.mkdtemp(prefix="terang-pitr-", dir=cluster.root.parent))
    made = Drill(cluster, work)
    try:
        os.chmod(work, 0o700)
        if cluster.run_as.name is not None:
            os.chown(work, cluster.run_as.uid, cluster.run_as.gid)
        made.own(made.archive)
        # The harness's start options (-c ...) do not travel with a base backup; what does
        # (postgresql.auto.conf) must let a restored copy start on this machine: a socket
        # directory its user may write, and the harness's disposable fsync=off.
        made.sql(f"ALTER SYSTEM SET unix_socket_directories = '{work}'")
        made.sql("ALTER SYSTEM SET fsync = off")
        yield made
    finally:
        for restored in made.restored:
            with contextlib.suppress(Exception):
                restored.stop()
        cluster.stop()
        shutil.rmtree(work, ignore_errors=True)


@contextlib.contextmanager
def serving(h: Harness) -> Iterator[str]:
    """The app over HTTP on a free port (uvicorn in a thread), for ``terang verify``."""
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(h.ledger), host="127.0.0.1", port=port, log_level="error")
    )
    thread = threading.Thread(target=server.run, name="pitr-serve", daemon=True)
    thread.start()
    try:
        started = time.monotonic()
        while not server.started:  # waiting for the port, not a timing assertion
            assert thread.is_alive() and time.monotonic() - started < 30, "did not start"
            time.sleep(0.05)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)


def verify(h: Harness, held: PublishedCheckpoint, tmp_path: Path) -> dict[str, Any]:
    """``terang verify`` against the served log, its state holding ``held``: the
    checkpoint an auditor saved before the loss, which the log must be consistent with."""
    state = tmp_path / f"verify-state-{uuid_hex()}.json"
    VerifyState(state).save(h.origin, Checkpoint(h.origin, held.size, held.root_hash), held.note)
    with serving(h) as url:
        done = subprocess.run(
            [
                *TERANG,
                "verify",
                url,
                "--key",
                h.ledger.verifier_key(),
                "--no-progress",
                "--state",
                str(state),
            ],
            cwd=tmp_path,
            env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    assert done.returncode == 0, done.stderr
    report: dict[str, Any] = json.loads(done.stdout)
    assert report["ok"] is True and report["consistent_with_size"] == held.size
    return report


def uuid_hex() -> str:
    return os.urandom(6).hex()


def test_point_in_time_recovery_as_documented(drill: Drill, tmp_path: Path) -> None:
    state_file = tmp_path / "keys" / "log.checkpoint"
    live = make_harness(drill.cluster.url, state_file=state_file)
    load = Load(live)
    try:
        drill.run("pitr-archive")
        drill.cluster.pid = pg_throwaway()._postmaster_pid(drill.cluster.datadir)  # restarted
        assert drill.sql("SHOW archive_mode") == "on"

        load.start()
        load.wait_for(ENTRIES_BEFORE_BACKUP)
        held = live.ledger.latest_checkpoint()  # published before the backup
        assert held is not None and held.size > 1
        during = load.count()
        drill.run("pitr-base-backup", BASE_BACKUP=str(drill.work / "base"))
        assert load.count() > during, "the base backup was not taken under load"
        load.wait_for(ENTRIES_AFTER_BACKUP)

        with load.paused():  # the target: everything so far, covered by a checkpoint
            target = live.ledger.publisher.publish(force=True)
            target_lsn = str(drill.sql("SELECT pg_current_wal_lsn()"))
        assert target is not None and target.size == live.ledger.size() > held.size
        load.wait_for(ENTRIES_AFTER_TARGET)
        load.finish()
        live.ledger.publisher.publish(force=True)
        newest = live.ledger.latest_checkpoint()
        assert newest is not None and newest.size == live.ledger.size() > target.size
        assert f"\n{newest.size}\n" in state_file.read_text()  # what serve would keep

        # A drill's last step on the primary: close the segment being written so the last
        # writes reach the archive (the doc says so), and wait until they have.
        segment = drill.sql("SELECT pg_walfile_name(pg_switch_wal())")
        deadline = time.monotonic() + PHASE_S_MAX
        while not (drill.archive / segment).exists():
            assert time.monotonic() < deadline, f"{segment} never reached the archive"
            time.sleep(0.1)
        assert not list(drill.archive.glob("*.part"))

        original = [live.ledger.entry(seq) for seq in range(newest.size)]

        # b. to an LSN in the middle: a prefix, held read-only by the newer checkpoint.
        mid_url = drill.restore("mid", RESTORE_TARGET_LSN=target_lsn)
        mid = make_harness(
            mid_url,
            log_signer=live.log_signer,
            authority=live.authority,
            clock=live.clock,
            genesis=False,
            state_file=state_file,
        )
        try:
            size = mid.ledger.size()
            assert size == target.size < newest.size
            for seq in range(size):
                assert mid.ledger.entry(seq) == original[seq]
            assert mid.ledger.latest_checkpoint() == target
            mid.ledger.start()
            with TestClient(create_app(mid.ledger)) as client:
                write = client.post("/api/v1/statements", json=key_statement(mid).to_json())
                assert write.status_code == 503, write.text
                problem = write.json()
                assert problem["code"] == "log_behind_published"
                assert problem["details"]["source"] == f"state file {state_file}"
                assert problem["details"]["source_size"] == newest.size
                assert problem["details"]["local_size"] == size
                assert client.get("/readyz").status_code == 503
            verify(mid, held, tmp_path)
            assert mid.ledger.size() == size  # nothing appended by any path
        finally:
            mid.ledger.close()

        # a. to the end of the archive: everything, and a writer again.
        end_url = drill.restore("end")
        end = make_harness(
            end_url,
            log_signer=live.log_signer,
            authority=live.authority,
            clock=live.clock,
            genesis=False,
            state_file=state_file,
        )
        try:
            assert end.ledger.size() == newest.size
            for seq in range(newest.size):
                assert end.ledger.entry(seq) == original[seq]
            for receipt in load.receipts:
                assert leaf_hash(end.ledger.entry(receipt.seq).entry_bytes()) == receipt.leaf_hash
            assert end.ledger.latest_checkpoint() == newest
            end.ledger.start()
            assert end.ledger.guard is not None and end.ledger.guard.finding is None
            report = verify(end, held, tmp_path)
            assert report["tree_size"] == newest.size
        finally:
            end.ledger.close()
    finally:
        load.stop.set()
        live.ledger.close()
