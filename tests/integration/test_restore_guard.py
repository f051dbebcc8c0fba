"""Issue 17, item 7: a restore never forks the log.

Tried as an operator would: the log is backed up (``backup_sqlite``), goes on writing and
publishing checkpoints (kept in the state file, copied to a mirror, cosigned by a
witness), and then the older backup is restored and served with the same log key. It must
stay read-only and say why: writes answer 503 ``log_behind_published`` naming the source
and both sizes, ``/readyz`` is red with the same, the start logs it at ERROR, the
publisher signs nothing, reads go on, and nothing is appended. Restoring the newer backup,
or catching up from the published tiles, resolves it; the unsafe override is logged. A
forged state file is ignored, and a tampered or foreign mirror refused.
"""

from __future__ import annotations

import logging
import shutil
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import ORIGIN, Harness, make_harness
from fastapi.testclient import TestClient
from nacl.signing import SigningKey
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from ledger import storage
from ledger.backup import backup_sqlite
from ledger.catch_up import CatchUpRefused, catch_up
from ledger.checkpoint import Checkpoint, sign_checkpoint
from ledger.errors import LogBehindPublished
from ledger.keys import client_key_id
from ledger.limits import TILE_WIDTH, Limits
from ledger.note import generate_cosigner, generate_signer
from ledger.rollback_guard import Mirror, Source
from ledger.service import Ledger, Settings
from ledger.statement import SignedStatement, b64encode
from ledger.tiles import decode_entry_bundle, encode_entry_bundle, entries_path
from ledger.witnessing import WitnessEndpoint, WitnessSet
from terang.app import all_kinds, create_app
from witness.server import Witness, create_witness_app
from witness.store import WitnessStore

GUARD_LOGGER = "ledger.rollback_guard"


def key_statement(h: Harness) -> SignedStatement:
    key = SigningKey.generate()
    body = {"public_key": b64encode(bytes(key.verify_key)), "name": "officer", "roles": []}
    return h.sign(h.authority, "registry.key.registered", client_key_id(key), body)


def grow(h: Harness, count: int) -> None:
    for _ in range(count):
        h.ledger.append_direct([key_statement(h)])
    h.ledger.publisher.publish(force=True)


def checkpoint_rows(url: str) -> int:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(storage.checkpoints)).scalar())
    finally:
        engine.dispose()


@dataclass
class Restore:
    """A live log that went on after its backup, and that backup."""

    live: Harness
    live_url: str
    backup: Path
    backup_size: int
    state_file: Path
    tmp: Path

    def restore(self, name: str = "restored.db") -> str:
        """Put a copy of the old backup in place, as an operator restoring would."""
        target = self.tmp / name
        shutil.copyfile(self.backup, target)
        return f"sqlite:///{target}"

    def serve(
        self,
        url: str,
        *,
        state_file: Path | None = None,
        mirrors: str = "",
        unsafe_ignore_published: bool = False,
        guard_recheck_s: int = 0,
    ) -> Harness:
        """The restored database opened with the same log key, started as serve does."""
        h = make_harness(
            url,
            log_signer=self.live.log_signer,
            authority=self.live.authority,
            clock=self.live.clock,
            genesis=False,
            state_file=state_file,
            mirrors=mirrors,
            unsafe_ignore_published=unsafe_ignore_published,
            guard_recheck_s=guard_recheck_s,
        )
        h.ledger.start()
        return h


@pytest.fixture
def published(tmp_path: Path) -> Iterator[Restore]:
    url = f"sqlite:///{tmp_path / 'terang.db'}"
    state_file = tmp_path / "keys" / "log.checkpoint"
    live = make_harness(url, state_file=state_file)
    grow(live, 2)
    backup = backup_sqlite(url, tmp_path / "backup.db")
    backup_size = live.ledger.size()
    grow(live, 3)  # published after the backup: the state file now says size 6
    try:
        yield Restore(live, url, backup.path, backup_size, state_file, tmp_path)
    finally:
        live.ledger.close()


def test_an_older_backup_served_stays_read_only_and_says_why(
    published: Restore, caplog: pytest.LogCaptureFixture
) -> None:
    live_size = published.live.ledger.size()
    assert (published.backup_size, live_size) == (3, 6)
    assert f"\n{live_size}\n" in published.state_file.read_text()  # every checkpoint kept

    url = published.restore()
    checkpoints_before = checkpoint_rows(url)
    with caplog.at_level(logging.WARNING, logger=GUARD_LOGGER):
        restored = published.serve(url, state_file=published.state_file)
    try:
        errors = [
            r for r in caplog.records if r.name == GUARD_LOGGER and r.levelno == logging.ERROR
        ]
        assert len(errors) == 1 and "log_behind_published" in errors[0].getMessage()
        assert "size 6" in errors[0].getMessage() and "only 3" in errors[0].getMessage()

        with TestClient(create_app(restored.ledger)) as client:
            write = client.post("/api/v1/statements", json=key_statement(restored).to_json())
            assert write.status_code == 503
            assert write.headers["content-type"] == "application/problem+json"
            assert int(write.headers["retry-after"]) >= 1
            problem = write.json()
            assert problem["code"] == "log_behind_published"
            assert problem["details"]["source"] == f"state file {published.state_file}"
            assert (problem["details"]["source_size"], problem["details"]["local_size"]) == (6, 3)
            assert "restore a newer backup" in problem["details"]["action"]
            batch = client.post(
                "/api/v1/statements/batch", json={"statements": [key_statement(restored).to_json()]}
            )
            assert batch.status_code == 503 and batch.json()["code"] == "log_behind_published"

            ready = client.get("/readyz")
            assert ready.status_code == 503
            checks = ready.json()["details"]["checks"]
            assert checks["not_behind_published"] is False
            assert checks["rollback_guard"]["findings"] == [
                {
                    "kind": "behind",
                    "source": f"state file {published.state_file}",
                    "source_size": 6,
                    "local_size": 3,
                }
            ]
            assert "log_behind_published" not in ready.json()["detail"]  # says it in words
            assert "holds a checkpoint of size 6" in ready.json()["detail"]

            # Reads keep working.
            assert client.get("/log/checkpoint").text.split("\n")[1] == "3"
            assert client.get("/api/v1/entries/2").status_code == 200

        # Nothing was appended, and no checkpoint was signed, by any path.
        with pytest.raises(LogBehindPublished):
            restored.ledger.append_direct([key_statement(restored)])
        assert restored.ledger.publisher.publish(force=True) is None
        assert restored.ledger.size() == 3
        assert checkpoint_rows(url) == checkpoints_before
        assert f"\n{live_size}\n" in published.state_file.read_text()  # not overwritten
    finally:
        restored.ledger.close()

    # Resolved: the newer backup is restored (here: the live database, copied), and the
    # service writes again.
    published.live.ledger.close()
    newer = published.tmp / "newer.db"
    backup_sqlite(published.live_url, newer)
    again = published.serve(f"sqlite:///{newer}", state_file=published.state_file)
    try:
        assert again.ledger.guard is not None and again.ledger.guard.finding is None
        with TestClient(create_app(again.ledger)) as client:
            write = client.post("/api/v1/statements", json=key_statement(again).to_json())
            assert write.status_code == 201, write.text
            assert client.get("/readyz").json()["checks"]["not_behind_published"] is True
        assert again.ledger.size() == live_size + 1
    finally:
        again.ledger.close()


def test_a_mirror_ahead_holds_and_a_forked_restore_disagrees(
    published: Restore, caplog: pytest.LogCaptureFixture
) -> None:
    mirror = published.tmp / "tiles"
    mirror.mkdir()
    newest = published.live.ledger.latest_checkpoint()
    assert newest is not None
    (mirror / "checkpoint").write_text(newest.note)  # what publish-tiles serves

    url = published.restore()
    restored = published.serve(url, mirrors=str(mirror))  # no state file at all
    try:
        finding = restored.ledger.guard.finding if restored.ledger.guard else None
        assert finding is not None and finding.source == f"mirror {mirror}"
        assert (finding.kind, finding.source_size, finding.local_size) == ("behind", 6, 3)
    finally:
        restored.ledger.close()

    # The operator overrides (logged at ERROR, with the risk) and writes past the mirror's
    # size: the log is now forked, and the next start without the override says so.
    with caplog.at_level(logging.ERROR, logger=GUARD_LOGGER):
        forked = published.serve(url, mirrors=str(mirror), unsafe_ignore_published=True)
    try:
        assert any("IGNORED by the unsafe override" in r.getMessage() for r in caplog.records)
        assert any("forks the log" in r.getMessage() for r in caplog.records)
        grow(forked, 4)
        assert forked.ledger.size() == 7
    finally:
        forked.ledger.close()
    again = published.serve(url, mirrors=str(mirror))
    try:
        finding = again.ledger.guard.finding if again.ledger.guard else None
        assert finding is not None
        assert (finding.kind, finding.source_size, finding.local_size) == ("disagrees", 6, 7)
        assert finding.error().code == "log_disagrees_with_published"
    finally:
        again.ledger.close()


def test_the_override_keeps_the_overridden_checkpoint_aside(published: Restore) -> None:
    newer_note = published.state_file.read_text()
    restored = published.serve(
        published.restore(), state_file=published.state_file, unsafe_ignore_published=True
    )
    try:
        assert restored.ledger.guard is not None and restored.ledger.guard.finding is None
        assert restored.ledger.guard.status()["unsafe_override"] is True
        grow(restored, 1)
        assert restored.ledger.size() == 4
    finally:
        restored.ledger.close()
    aside = published.state_file.with_name("log.checkpoint.before-override")
    assert aside.read_text() == newer_note  # evidence of what had been published
    assert "\n4\n" in published.state_file.read_text()


def test_a_witness_that_cosigned_a_newer_checkpoint_holds_the_restore(
    published: Restore,
) -> None:
    cosigner = generate_cosigner("witness.test/w1")
    store = WitnessStore.open(f"sqlite:///{published.tmp / 'witness.db'}")
    witness = Witness(cosigner, {ORIGIN: [published.live.log_signer.verifier()]}, store)
    client = TestClient(create_witness_app(witness), base_url="http://witness.test")
    endpoint = WitnessEndpoint(cosigner.verifier(), "http://witness.test")
    try:
        live = Ledger(
            Settings(database_url=published.live_url, limits=Limits(checkpoint_interval_ms_min=0)),
            all_kinds(),
            clock=published.live.clock,
            log_signer=published.live.log_signer,
            witnesses=WitnessSet([endpoint], client=client),
        )
        assert live.witnesses is not None
        [result] = live.witnesses.collect()
        assert (result.outcome, result.tree_size) == ("cosigned", 6)
        live.close()

        restored = Ledger(
            Settings(database_url=published.restore(), limits=Limits()),
            all_kinds(),
            log_signer=published.live.log_signer,
            witnesses=WitnessSet([endpoint], client=client),
        )
        try:
            restored.start()
            finding = restored.guard.finding if restored.guard else None
            assert finding is not None and finding.source == "witness http://witness.test"
            assert (finding.kind, finding.source_size, finding.local_size) == ("behind", 6, 3)
            with pytest.raises(LogBehindPublished):
                restored.append([key_statement(published.live)])
            assert restored.size() == 3
        finally:
            restored.close()
    finally:
        client.close()
        store.close()


def test_a_forged_state_file_is_ignored_with_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Attack: someone who can write the state file (not the log key) tries to hold the
    writer with a huge size; or tries to pass off another log's checkpoint."""
    url = f"sqlite:///{tmp_path / 'terang.db'}"
    state_file = tmp_path / "log.checkpoint"
    live = make_harness(url, state_file=state_file)
    live.ledger.close()
    impostor = generate_signer(ORIGIN)  # the same origin name, another key
    forged = sign_checkpoint(Checkpoint(ORIGIN, 1_000_000, b"\x11" * 32), impostor)
    for text_ in (forged, "garbage\n"):
        state_file.write_text(text_)
        caplog.clear()
        with caplog.at_level(logging.WARNING, logger=GUARD_LOGGER):
            again = make_harness(
                url,
                log_signer=live.log_signer,
                authority=live.authority,
                genesis=False,
                state_file=state_file,
            )
            again.ledger.start()
        try:
            assert again.ledger.guard is not None and again.ledger.guard.finding is None
            warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
            assert any(
                f"state file {state_file} holds no checkpoint signed by this log" in w
                for w in warnings
            ), warnings
            assert again.ledger.guard.status()["sources"][0]["status"] == "ignored"
            grow(again, 1)  # writes go on
            # ... and the file is the log's own again.
            newest = again.ledger.latest_checkpoint()
            assert newest is not None and state_file.read_text() == newest.note
        finally:
            again.ledger.close()


def test_postgresql_restore_of_an_older_snapshot_is_held(
    postgres_database_url: str, tmp_path: Path
) -> None:
    """The same on PostgreSQL: the "backup" is a snapshot database (CREATE DATABASE ...
    TEMPLATE), restored by serving it with the same log key and state file."""
    state_file = tmp_path / "log.checkpoint"
    live = make_harness(postgres_database_url, state_file=state_file)
    snapshot = "snap_" + uuid.uuid4().hex[:12]
    admin = create_engine(
        make_url(postgres_database_url).set(database="postgres"), isolation_level="AUTOCOMMIT"
    )
    source = make_url(postgres_database_url).database
    try:
        grow(live, 2)
        live.ledger.engine.dispose()  # a template database must have no open sessions
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{snapshot}" TEMPLATE "{source}"'))
        grow(live, 3)
        restored_url = (
            make_url(postgres_database_url)
            .set(database=snapshot)
            .render_as_string(hide_password=False)
        )
        restored = make_harness(
            restored_url, log_signer=live.log_signer, genesis=False, state_file=state_file
        )
        try:
            restored.ledger.start()
            with TestClient(create_app(restored.ledger)) as client:
                write = client.post("/api/v1/statements", json=key_statement(live).to_json())
                assert write.status_code == 503
                assert write.json()["details"]["source_size"] == 6
                assert write.json()["details"]["local_size"] == 3
                assert client.get("/readyz").status_code == 503
                assert client.get("/api/v1/entries/0").status_code == 200
            assert restored.ledger.size() == 3
        finally:
            restored.ledger.close()
    finally:
        live.ledger.close()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{snapshot}" WITH (FORCE)'))
        admin.dispose()


def write_mirror(live: Ledger, directory: Path) -> None:
    """What a static tiles publisher leaves: the checkpoint and the entry bundles."""
    newest = live.latest_checkpoint()
    assert newest is not None
    (directory / "tile" / "entries").mkdir(parents=True)
    (directory / "checkpoint").write_text(newest.note)
    entries = [live.entry(seq).entry_bytes() for seq in range(newest.size)]
    for index in range(0, len(entries), TILE_WIDTH):
        chunk = entries[index : index + TILE_WIDTH]
        width = None if len(chunk) == TILE_WIDTH else len(chunk)
        path = directory / entries_path(index // TILE_WIDTH, width)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(encode_entry_bundle(chunk))


def projection(url: str) -> list[tuple[str, str, str]]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            p = storage.projection_rows.c
            rows = conn.execute(select(p.namespace, p.key, p.value).order_by(p.namespace, p.key))
            return [(r.namespace, r.key, r.value) for r in rows]
    finally:
        engine.dispose()


def test_catch_up_from_the_published_tiles_resolves_the_restore(published: Restore) -> None:
    url = published.restore()
    held = published.serve(url, state_file=published.state_file)
    assert held.ledger.guard is not None and held.ledger.guard.finding is not None
    # The live service's own read API is a mirror: /log/checkpoint and /log/tile/entries.
    with TestClient(create_app(published.live.ledger)) as live_api:
        result = catch_up(held.ledger, Mirror("http://testserver/log", live_api))
    held.ledger.close()
    assert (result.from_size, result.to_size) == (3, 6)
    assert projection(url) == projection(published.live_url)  # replayed, not copied
    caught_up = published.serve(url, state_file=published.state_file)
    try:
        assert caught_up.ledger.guard is not None and caught_up.ledger.guard.finding is None
        for seq in range(6):
            assert caught_up.ledger.entry(seq) == published.live.ledger.entry(seq)
        grow(caught_up, 1)  # writes again, as entry 6
        assert caught_up.ledger.size() == 7
    finally:
        caught_up.ledger.close()


def test_catch_up_refuses_a_tampered_or_foreign_mirror(published: Restore) -> None:
    url = published.restore()
    mirror = published.tmp / "tiles"
    write_mirror(published.live.ledger, mirror)
    bundle_path = mirror / entries_path(0, 6)
    genuine = decode_entry_bundle(bundle_path.read_bytes(), 6)
    restored = published.serve(url, state_file=published.state_file)
    try:
        # One byte of entry 4 changed: entry 5's prev no longer links to it. One byte of
        # the last entry changed: nothing links to it, but the root no longer matches.
        for seq, why in ((4, "not the next link of the chain"), (5, "do not hash to")):
            entries = list(genuine)
            entries[seq] = entries[seq].replace(b'"officer"', b'"0fficer"')
            bundle_path.write_bytes(encode_entry_bundle(entries))
            with pytest.raises(CatchUpRefused) as tampered:
                catch_up(restored.ledger, Mirror(str(mirror)))
            assert why in tampered.value.message
            assert restored.ledger.size() == 3  # nothing written
        bundle_path.write_bytes(encode_entry_bundle(genuine))

        impostor = generate_signer(ORIGIN)
        (mirror / "checkpoint").write_text(
            sign_checkpoint(Checkpoint(ORIGIN, 6, b"\x22" * 32), impostor)
        )
        with pytest.raises(CatchUpRefused) as foreign:
            catch_up(restored.ledger, Mirror(str(mirror)))
        assert "not signed by this log" in foreign.value.message
        assert restored.ledger.size() == 3
    finally:
        restored.ledger.close()


def test_terang_db_catch_up_says_what_it_appended(published: Restore) -> None:
    from typer.testing import CliRunner

    from terang.cli import app

    url = published.restore()
    mirror = published.tmp / "tiles"
    write_mirror(published.live.ledger, mirror)
    runner = CliRunner()
    env = {"TERANG_LOG_KEY": published.live.log_signer.private_key()}
    done = runner.invoke(app, ["db", "catch-up", "--from", str(mirror), "--db", url], env=env)
    assert done.exit_code == 0, done.output
    assert f"appended entries 3..5 from mirror {mirror}; the log holds 6 entries" in done.output
    again = runner.invoke(app, ["db", "catch-up", "--from", str(mirror), "--db", url], env=env)
    assert again.exit_code == 0 and "nothing to catch up" in again.output
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            newest = conn.execute(select(func.max(storage.checkpoints.c.tree_size))).scalar()
    finally:
        engine.dispose()
    assert newest == 6  # the mirror's checkpoint, now the database's own too


def wait_for(condition: Callable[[], bool], timeout_s: float = 15.0) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


def test_a_second_writer_under_the_same_key_is_held_while_it_runs(
    published: Restore, caplog: pytest.LogCaptureFixture
) -> None:
    """Rule 6: an up-to-date copy of the database started beside the live log (a standby
    promoted while the old primary still writes, a test copy under the production key)
    passes the start check; once the live log publishes past it, the copy holds itself
    within one recheck instead of forking the log until its next restart."""
    twin_path = backup_sqlite(published.live_url, published.tmp / "twin.db").path
    twin = published.serve(
        f"sqlite:///{twin_path}", state_file=published.state_file, guard_recheck_s=1
    )
    try:
        assert twin.ledger.guard is not None and twin.ledger.guard.finding is None
        twin_size = twin.ledger.size()
        with caplog.at_level(logging.ERROR, logger=GUARD_LOGGER):
            grow(published.live, 2)  # the live log publishes size 8 to the shared state file
            assert wait_for(
                lambda: twin.ledger.guard is not None and twin.ledger.guard.finding is not None
            )
        finding = twin.ledger.guard.finding
        assert finding is not None
        assert (finding.kind, finding.source_size, finding.local_size) == (
            "behind",
            twin_size + 2,
            twin_size,
        )
        assert any("while it runs" in r.getMessage() for r in caplog.records)
        with pytest.raises(LogBehindPublished):
            twin.ledger.append([key_statement(twin)])
        assert twin.ledger.size() == twin_size
        assert twin.ledger.publisher.publish(force=True) is None

        # The source going quiet does not free the writer: the hold lasts until a restart.
        published.state_file.unlink()
        report = twin.ledger.guard.recheck()
        assert report.sources[0]["status"] == "empty"
        assert twin.ledger.guard.finding == finding
    finally:
        twin.ledger.close()


def test_a_slow_source_never_delays_a_write_asking_whether_it_is_held(
    published: Restore,
) -> None:
    """The recheck reads its sources outside the guard's lock: while a witness takes its
    time, every write's ``refuse_if_held`` answers at once from the last report."""
    guard = published.live.ledger.guard
    assert guard is not None and guard.finding is None
    entered, release = threading.Event(), threading.Event()

    def slow_read() -> str | None:
        entered.set()
        release.wait(30)
        return None

    guard.sources = (*guard.sources, Source("witness slow.example", slow_read))
    checking = threading.Thread(target=guard.recheck)
    checking.start()
    try:
        assert entered.wait(10)
        asked = threading.Thread(target=guard.refuse_if_held)
        asked.start()
        asked.join(timeout=5)
        assert not asked.is_alive(), "refuse_if_held waited for the slow source"
        published.live.ledger.append_direct([key_statement(published.live)])
    finally:
        release.set()
        checking.join(timeout=10)
    assert guard.finding is None
