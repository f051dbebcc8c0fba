"""``terang rebuild-projections`` (issue 17, item 1): an upgrade that changes what reducers
write, forged rows, and a rebuild while the service reads and writes, on both engines.

The old database is ``tests/data/pre_document_refs`` (README there): written by the
code of the commit before announcements noted their documents, so today's replay has a
``procurement.document`` row its projections lack.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import pytest
from conftest import REPO, TERANG, Harness, run, serving
from fastapi.testclient import TestClient
from log_surgery import append_behind_the_back, behind_the_triggers
from nacl.signing import SigningKey
from sqlalchemy import Engine, text
from sqlalchemy.engine import Connection

from audit.rebuild import RebuildRefused, rebuild_projections
from audit.remote import VerifyReport, verify_log
from audit.verifier import LogFault
from ledger import migrations, storage
from ledger.keys import client_key_id
from ledger.service import Ledger, Settings
from ledger.statement import LoggedEntry, format_time
from terang.app import all_kinds, create_app

FIXTURE = REPO / "tests" / "data" / "pre_document_refs"
DOCUMENT_ROW = ("procurement.document", "ab" * 32)
"""The row today's announcement reducer writes and the old code did not."""
REDFLAG_ROW = ("redflags.flag", "ocds-t3r4ng-2026-0001|R003")
"""The red flag the fixture's announcement raises (10 days, under R003's 15; 0006)."""
TENDER_ROW = ("procurement.tender", "ocds-t3r4ng-2026-0001")
"""The row whose ``rule_set`` the Perpres 46/2025 set changes (0008): the fixture's tender
is of 2026, judged under the 2025 rules since this release."""
REQUESTS = [
    "0005_projection_rebuild_requests",
    "0006_redflags_projection",
    "0007_redflags_r025",
    "0008_procurement_rules_2025",
    "0009_redflags_r048",
]
NOT_DERIVED = (
    ("ledger_entries", "seq"),
    ("ledger_tree_nodes", "level, idx"),
    ("ledger_checkpoints", "tree_size"),
    ("ledger_cosignatures", "witness_key, tree_size"),
    ("procurement_document_blobs", "sha256"),
)


def not_derived_digest(engine: Engine) -> str:
    """SHA-256 over every row of the tables a rebuild must never write."""
    digest = hashlib.sha256()
    with engine.connect() as conn:
        for table, order in NOT_DERIVED:
            digest.update(table.encode())
            for row in conn.execute(text(f"SELECT * FROM {table} ORDER BY {order}")):
                digest.update(
                    repr(tuple(bytes(v) if isinstance(v, memoryview) else v for v in row)).encode()
                )
    return digest.hexdigest()


def projection_rows(engine: Engine) -> dict[tuple[str, str], tuple[str, int]]:
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT namespace, key, value, updated_seq FROM projection_rows"))
        return {(r.namespace, r.key): (r.value, int(r.updated_seq)) for r in rows}


def verify_ledger(ledger: Ledger) -> VerifyReport:
    """What ``terang verify`` checks, against this ledger's read API in-process."""
    with TestClient(create_app(ledger)) as client:
        return verify_log(client, ledger.verifier_key(), all_kinds(), ledger.limits)


def old_database(directory: Path) -> tuple[str, Settings]:
    """A copy of the fixture in ``directory``, its log key at keys/log.key (0600)."""
    shutil.copy(FIXTURE / "terang.db", directory / "terang.db")
    (directory / "keys").mkdir()
    key = directory / "keys" / "log.key"
    shutil.copy(FIXTURE / "log.key", key)
    key.chmod(0o600)
    url = f"sqlite:///{directory / 'terang.db'}"
    return url, Settings(database_url=url, log_key_file=key)


def cli_env(database_url: str) -> dict[str, str]:
    return {
        **os.environ,
        "TERANG_DATABASE_URL": database_url,
        "PYTHONPATH": os.pathsep.join(sys.path),
    }


# -- an older commit's database ------------------------------------------------------


def test_an_old_database_fails_verify_after_the_upgrade_until_rebuilt(tmp_path: Path) -> None:
    url, settings = old_database(tmp_path)
    ledger = Ledger(settings, all_kinds())  # runs the alembic upgrade, as serve does
    try:
        assert migrations.current_revision(ledger.engine) == migrations.head_revision()
        assert [r for r, _ in migrations.pending_projection_rebuilds(ledger.engine)] == REQUESTS
        with pytest.raises(LogFault) as caught:
            verify_ledger(ledger)
        # The first row verify meets changed is the tender (its rule set, 0008); the
        # announcement's document row is missing (0003) further on.
        assert caught.value.details["fault"] == "projection_mismatch"
        assert (caught.value.details["namespace"], caught.value.details["key"]) == TENDER_ROW
        before = not_derived_digest(ledger.engine)

        done = subprocess.run(
            [*TERANG, "rebuild-projections"],
            cwd=tmp_path,
            env=cli_env(url),
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

        assert done.returncode == 0, done.stderr
        assert "rebuild-projections: 27/27 entries replayed (100%)" in done.stderr  # progress
        assert "3 rows changed" in done.stderr
        report = json.loads(done.stdout)
        assert (report["inserted"], report["updated"], report["deleted"]) == (2, 1, 0)
        assert sorted(report["changed_examples"]) == [
            f"inserted {DOCUMENT_ROW[0]}/{DOCUMENT_ROW[1]}",
            f"inserted {REDFLAG_ROW[0]}/{REDFLAG_ROW[1]}",
            f"updated {TENDER_ROW[0]}/{TENDER_ROW[1]}",
        ]
        assert report["requests_cleared"] == REQUESTS
        assert report["tree_size"] == ledger.size() == 27
        assert migrations.pending_projection_rebuilds(ledger.engine) == []
        assert not_derived_digest(ledger.engine) == before
        assert verify_ledger(ledger).projections_compared == report["rows_after"]
    finally:
        ledger.close()


def test_the_old_log_copied_into_postgresql_upgrades_and_rebuilds(
    tmp_path: Path, postgres_database_url: str
) -> None:
    """The same old log on PostgreSQL: its rows copied into the schema of its release
    (0002), then the upgrade, the failing verify and the rebuild as on SQLite."""
    _, settings = old_database(tmp_path)
    old = storage.make_engine(settings.database_url)
    engine = storage.make_engine(postgres_database_url)
    try:
        migrations.upgrade(engine, "0002_cosignatures")
        with old.connect() as source, engine.begin() as target:
            for table in (
                "ledger_entries",
                "ledger_tree_nodes",
                "ledger_checkpoints",
                "projection_rows",
            ):
                rows = [
                    tuple(bytes(v) if isinstance(v, memoryview) else v for v in r)
                    for r in source.execute(text(f"SELECT * FROM {table}"))
                ]
                columns = list(source.execute(text(f"SELECT * FROM {table} LIMIT 0")).keys())
                storage.bulk_insert(target, table, columns, rows)
    finally:
        old.dispose()
        engine.dispose()
    ledger = Ledger(
        Settings(database_url=postgres_database_url, log_key_file=settings.log_key_file),
        all_kinds(),
    )
    try:
        with pytest.raises(LogFault) as caught:
            verify_ledger(ledger)
        assert caught.value.details["fault"] == "projection_mismatch"
        before = not_derived_digest(ledger.engine)
        report = rebuild_projections(ledger.engine, all_kinds(), ledger.limits)
        assert (report.inserted, report.updated, report.deleted) == (2, 1, 0)
        assert report.requests_cleared == REQUESTS
        assert not_derived_digest(ledger.engine) == before
        verify_ledger(ledger)
    finally:
        ledger.close()


def test_db_upgrade_runs_the_rebuild_and_terang_verify_passes(tmp_path: Path) -> None:
    """The operator's path: `terang db upgrade`, `terang serve`, `terang verify URL`."""
    url, settings = old_database(tmp_path)
    env = cli_env(url)
    upgraded = run(tmp_path, env, "db", "upgrade")
    assert "schema at 0009_redflags_r048" in upgraded
    assert "projections rebuilt at tree size 27: 2 inserted, 1 updated, 0 deleted" in upgraded
    again = run(tmp_path, env, "db", "upgrade")  # the request was cleared: no second rebuild
    assert "rebuilt" not in again
    with serving(tmp_path, env) as service_url:
        verified = subprocess.run(
            [
                *TERANG,
                "verify",
                service_url,
                "--key",
                _verifier_key(settings),
                "--no-progress",
                "--state",
                str(tmp_path / "verify-state.json"),
            ],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    assert verified.returncode == 0, verified.stderr
    assert json.loads(verified.stdout)["ok"] is True


def test_serve_rebuilds_before_serving_when_a_migration_asked(tmp_path: Path) -> None:
    url, _ = old_database(tmp_path)
    env = cli_env(url)
    run(tmp_path, env, "db", "upgrade", "--no-rebuild")  # the request stays standing
    engine = storage.make_engine(url)
    try:
        assert migrations.pending_projection_rebuilds(engine) != []
        with serving(tmp_path, env):
            assert DOCUMENT_ROW in projection_rows(engine)
            assert REDFLAG_ROW in projection_rows(engine)
            assert migrations.pending_projection_rebuilds(engine) == []
    finally:
        engine.dispose()


def _verifier_key(settings: Settings) -> str:
    return settings.load_log_signer().verifier_key()


def test_a_new_log_has_no_rebuild_request_and_a_request_is_kept_once(harness: Harness) -> None:
    engine = harness.ledger.engine
    assert migrations.pending_projection_rebuilds(engine) == []
    with engine.begin() as conn:
        assert migrations.request_projection_rebuild(conn, "0099_example", "first") is True
        assert migrations.request_projection_rebuild(conn, "0099_example", "again") is False
    assert migrations.pending_projection_rebuilds(engine) == [("0099_example", "first")]
    report = rebuild_projections(engine, all_kinds(), harness.ledger.limits)
    assert report.requests_cleared == ["0099_example"] and report.changed == 0
    assert migrations.pending_projection_rebuilds(engine) == []


# -- forged rows, on both engines ----------------------------------------------------


@pytest.fixture
def log(harness: Harness) -> Harness:
    harness.register("officer", ["finance"])
    harness.register("vendor", ["vendor"])
    harness.register("auditor", ["auditor"])
    harness.ledger.publisher.publish(force=True)
    return harness


def key_row(h: Harness, label: str) -> tuple[str, dict[str, Any]]:
    key = client_key_id(h.keys[label])
    value, _ = projection_rows(h.ledger.engine)[("registry.key", key)]
    return key, json.loads(value)


def test_forged_rows_are_repaired_and_the_log_is_never_written(log: Harness) -> None:
    h = log
    engine = h.ledger.engine
    honest = projection_rows(engine)
    officer, officer_doc = key_row(h, "officer")
    vendor, _ = key_row(h, "vendor")
    auditor, _ = key_row(h, "auditor")
    canonical = json.dumps(
        {**officer_doc, "roles": ["authority", "finance"]}, sort_keys=True, separators=(",", ":")
    )
    behind_the_triggers(
        h,
        "UPDATE projection_rows SET value = :v WHERE namespace = 'registry.key' AND key = :k",
        v=canonical,
        k=officer,
    )
    behind_the_triggers(
        h, "DELETE FROM projection_rows WHERE namespace = 'registry.key' AND key = :k", k=vendor
    )
    behind_the_triggers(
        h,
        "INSERT INTO projection_rows (namespace, key, value, updated_seq) "
        "VALUES ('registry.key', 'forged', '{}', 1)",
    )
    # Equal value, but claiming an entry the log does not have.
    behind_the_triggers(
        h,
        "UPDATE projection_rows SET updated_seq = 1000000 "
        "WHERE namespace = 'registry.key' AND key = :k",
        k=auditor,
    )
    with pytest.raises(LogFault):
        verify_ledger(h.ledger)
    before = not_derived_digest(engine)

    progress: list[tuple[int, int]] = []
    report = rebuild_projections(
        engine, all_kinds(), h.ledger.limits, on_progress=lambda *p: progress.append(p)
    )

    assert progress[-1] == (h.ledger.size(), h.ledger.size())  # entries done / total
    assert (report.inserted, report.updated, report.deleted) == (1, 2, 1)
    assert "deleted registry.key/forged" in report.changed_examples
    assert report.tree_size == h.ledger.size()
    assert not_derived_digest(engine) == before  # the log, nodes, checkpoints: untouched
    rebuilt = projection_rows(engine)
    assert {k: v[0] for k, v in rebuilt.items()} == {k: v[0] for k, v in honest.items()}
    assert rebuilt[("registry.key", auditor)][1] < h.ledger.size()
    verify_ledger(h.ledger)
    again = rebuild_projections(engine, all_kinds(), h.ledger.limits)
    assert again.changed == 0 and again.unchanged == len(rebuilt)


def test_a_dry_run_reports_and_changes_nothing(log: Harness) -> None:
    officer, _ = key_row(log, "officer")
    behind_the_triggers(
        log,
        "UPDATE projection_rows SET value = '{}' WHERE namespace = 'registry.key' AND key = :k",
        k=officer,
    )
    before = projection_rows(log.ledger.engine)
    report = rebuild_projections(log.ledger.engine, all_kinds(), log.ledger.limits, dry_run=True)
    assert report.updated == 1 and report.dry_run
    assert projection_rows(log.ledger.engine) == before


def test_a_log_that_does_not_replay_is_refused_and_nothing_changes(log: Harness) -> None:
    """An entry written behind the sequencer (signed by a key nobody registered): the
    rebuild stops there, as verify does, and leaves every row as it was."""
    h = log
    officer, _ = key_row(h, "officer")
    behind_the_triggers(
        h,
        "UPDATE projection_rows SET value = '{}' WHERE namespace = 'registry.key' AND key = :k",
        k=officer,
    )
    size = h.ledger.size()
    with h.ledger.engine.connect() as conn:
        head = storage.head_at(conn, size - 1)
    assert head is not None
    stranger = SigningKey.generate()
    signed = h.sign(stranger, "registry.role.granted", officer, {"role": "authority"})
    append_behind_the_back(h, LoggedEntry(size, format_time(h.clock()), head[0], signed))
    before = projection_rows(h.ledger.engine)
    with pytest.raises(RebuildRefused) as caught:
        rebuild_projections(h.ledger.engine, all_kinds(), h.ledger.limits)
    assert caught.value.details["seq"] == size
    assert caught.value.details["fault"] == "unknown_signer"
    assert "nothing was changed" in caught.value.message
    assert projection_rows(h.ledger.engine) == before


def test_the_service_role_may_rebuild_on_postgresql(postgres_harness: Harness) -> None:
    """A login in terang_appender (what `terang serve` runs as) rebuilds: the swap needs
    no DDL and no ownership, only the grants 0001 and 0005 give it."""
    h = postgres_harness
    h.register("officer", ["finance"])
    officer, _ = key_row(h, "officer")
    behind_the_triggers(
        h,
        "UPDATE projection_rows SET value = '{}' WHERE namespace = 'registry.key' AND key = :k",
        k=officer,
    )
    role = "app_" + uuid.uuid4().hex[:10]
    with h.ledger.engine.begin() as conn:
        conn.execute(text(f"CREATE ROLE {role} LOGIN IN ROLE terang_appender"))
        migrations.request_projection_rebuild(conn, "test_request", "a test asks")
    url = h.ledger.engine.url.set(username=role).render_as_string(hide_password=False)
    engine = storage.make_engine(url)
    try:
        report = rebuild_projections(engine, all_kinds(), h.ledger.limits)
    finally:
        engine.dispose()
        with h.ledger.engine.begin() as conn:
            conn.execute(text(f"DROP ROLE {role}"))
    assert report.updated == 1 and report.requests_cleared == ["test_request"]
    verify_ledger(h.ledger)


# -- while the service reads and writes ----------------------------------------------


def test_readers_see_all_old_rows_or_all_new_never_a_half_swap(log: Harness) -> None:
    """Every row forged, so the rebuild rewrites all of them: a reader in the middle of
    the swap transaction, and readers polling throughout, see the old table whole or
    the new table whole, never an empty or mixed one."""
    h = log
    engine = h.ledger.engine
    rows = len(projection_rows(engine))
    forged_value = '{"forged":true}'
    behind_the_triggers(h, "UPDATE projection_rows SET value = :v", v=forged_value)

    def census(conn: Connection) -> tuple[int, int]:
        total, forged = conn.execute(
            text(
                "SELECT count(*), sum(CASE WHEN value = :forged THEN 1 ELSE 0 END) "
                "FROM projection_rows"
            ),
            {"forged": forged_value},
        ).one()
        return int(total), int(forged or 0)

    seen: list[tuple[int, int]] = []
    served: list[tuple[int, int, int]] = []
    stop = threading.Event()

    def poll() -> None:
        while not stop.is_set():
            with engine.connect() as conn:
                seen.append(census(conn))

    def poll_the_read_api() -> None:
        with TestClient(create_app(h.ledger)) as client:
            while not stop.is_set():
                answer = client.get("/api/v1/projections", params={"limit": 1000})
                items = answer.json()["items"] if answer.status_code == 200 else []
                forged = sum(1 for item in items if item["value"] == {"forged": True})
                served.append((answer.status_code, len(items), forged))

    mid_swap: list[tuple[int, int]] = []

    def before_commit(_swap: Connection) -> None:
        with engine.connect() as other:  # another connection, as a reader would be
            mid_swap.append(census(other))
        time.sleep(0.3)  # let the pollers read while every row is rewritten, uncommitted

    def wait_for_answers() -> None:
        """Until each poller has read once more (not a fixed sleep: a loaded machine
        starts the app's client slower than any sleep would allow)."""
        seen_before, served_before = len(seen), len(served)
        deadline = time.monotonic() + 30
        while (len(seen) <= seen_before or len(served) <= served_before) and (
            time.monotonic() < deadline
        ):
            time.sleep(0.01)

    pollers = [threading.Thread(target=poll), threading.Thread(target=poll_the_read_api)]
    for poller in pollers:
        poller.start()
    try:
        wait_for_answers()  # the read API answers before the rebuild starts, too
        report = rebuild_projections(
            engine, all_kinds(), h.ledger.limits, before_commit=before_commit
        )
        wait_for_answers()  # and after it
    finally:
        stop.set()
        for poller in pollers:
            poller.join()
    assert report.updated == rows
    assert mid_swap == [(rows, rows)]  # the uncommitted swap is invisible: all old rows
    assert seen and set(seen) <= {(rows, rows), (rows, 0)}, set(seen)
    # Through the public read API: always 200, the whole table, all old or all new.
    assert served and set(served) <= {(200, rows, rows), (200, rows, 0)}, set(served)
    assert served[0][2] == rows and served[-1][2] == 0
    with engine.connect() as conn:
        assert census(conn) == (rows, 0)


def test_writes_during_the_replay_are_caught_up_and_writes_during_the_swap_wait(
    log: Harness,
) -> None:
    h = log
    engine = h.ledger.engine
    appended: list[int] = []

    def write_during_replay(done: int, total: int) -> None:
        if not appended:  # the service appends while the unlocked replay runs
            h.register("late1", ["vendor"])
            appended.append(h.ledger.size())

    waiting: dict[str, Any] = {}

    def write_during_swap(_conn: Connection) -> None:
        def write() -> None:
            waiting["receipt"] = h.register("late2", ["vendor"])
            waiting["done_at"] = time.monotonic()

        waiting["thread"] = threading.Thread(target=write)
        waiting["thread"].start()
        time.sleep(0.5)
        waiting["still_waiting"] = waiting["thread"].is_alive()
        waiting["committed_at"] = time.monotonic()

    report = rebuild_projections(
        engine,
        all_kinds(),
        h.ledger.limits,
        on_progress=write_during_replay,
        before_commit=write_during_swap,
    )
    waiting["thread"].join(timeout=30)
    assert appended and report.entries_replayed_locked == 1
    assert report.tree_size == appended[0]
    assert waiting["still_waiting"] is True  # the writer paused on the sequencer's lock
    assert waiting["done_at"] >= waiting["committed_at"]
    assert report.write_pause_s >= 0.5
    assert h.ledger.size() == report.tree_size + 1  # then it was logged, once
    h.ledger.publisher.publish(force=True)
    verify_ledger(h.ledger)


# -- the CLI's errors ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("setup", "code"),
    [
        ("missing", "rebuild_no_database"),
        ("empty_file", "rebuild_no_schema"),
        ("empty_log", "rebuild_empty_log"),
    ],
)
def test_cli_errors_are_clear_and_change_nothing(tmp_path: Path, setup: str, code: str) -> None:
    db = tmp_path / "terang.db"
    if setup == "empty_file":
        db.touch()
    if setup == "empty_log":
        migrations.upgrade(storage.make_engine(f"sqlite:///{db}"))
    result = subprocess.run(
        [*TERANG, "rebuild-projections", "--db", f"sqlite:///{db}"],
        cwd=tmp_path,
        env=cli_env(f"sqlite:///{db}"),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 1
    assert f"error[{code}]" in result.stderr and "Traceback" not in result.stderr
    assert db.exists() == (setup != "missing")  # a mistyped path creates no file
