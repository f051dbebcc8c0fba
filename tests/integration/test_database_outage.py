"""Issue 17, item 8: a database outage is push back, not a bug.

The operator restarts PostgreSQL, or its postmaster dies: until it is back, readers must
get 503 ``database_unavailable`` with ``Retry-After`` (a client retries), never 500
``invariant_broken`` (which alerts page someone on), and the service must answer again by
itself once the database is back. The outage is real: the test's database refuses new
connections and every open one is terminated by the server, as a restart does.
"""

from __future__ import annotations

import logging
import random
import uuid
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import fault_trials
import pytest
from conftest import Harness
from fastapi.testclient import TestClient
from nacl.signing import SigningKey
from outage_support import set_outage
from sqlalchemy import create_engine, make_url, text
from sqlalchemy.pool import NullPool

from ledger import storage
from ledger.keys import client_key_id
from ledger.statement import b64encode
from terang.app import create_app

READS = ("/api/v1/entries/0", "/api/v1/checkpoints")


def test_reads_get_503_while_the_database_is_down_and_recover_after(
    postgres_harness: Harness, postgres_database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    with TestClient(create_app(postgres_harness.ledger), raise_server_exceptions=False) as client:
        before = {path: client.get(path) for path in READS}
        assert all(response.status_code == 200 for response in before.values())

        set_outage(postgres_database_url, down=True)
        try:
            with caplog.at_level(logging.WARNING, logger="terang"):
                for path in READS:
                    response = client.get(path)
                    assert response.status_code == 503, (path, response.text)
                    assert response.headers["content-type"].startswith("application/problem+json")
                    assert response.json()["code"] == "database_unavailable"
                    assert int(response.headers["Retry-After"]) >= 1
            assert "invariant broken" not in caplog.text
            assert "push back: database_unavailable" in caplog.text
        finally:
            set_outage(postgres_database_url, down=False)

        for path in READS:
            again = client.get(path)
            assert again.status_code == 200, (path, again.text)
            assert again.json() == before[path].json()


def test_readyz_goes_red_while_the_database_is_down_and_back_after(
    postgres_harness: Harness, postgres_database_url: str
) -> None:
    """Issue 17, item 9: a load balancer's probe follows the database and the writer."""
    with TestClient(create_app(postgres_harness.ledger), raise_server_exceptions=False) as client:
        idle = client.get("/readyz")  # nothing started the writer or the ticker yet
        assert idle.status_code == 503
        assert idle.json()["code"] == "not_ready"
        assert idle.json()["details"]["checks"]["sequencer"] is False

        postgres_harness.ledger.start()
        ready = client.get("/readyz")
        assert ready.status_code == 200, ready.text
        assert ready.json()["checks"]["tree_size"] == postgres_harness.ledger.size()

        set_outage(postgres_database_url, down=True)
        try:
            down = client.get("/readyz")
            assert down.status_code == 503
            assert down.json()["details"]["checks"]["database"] is False
            assert client.get("/healthz").json() == {"status": "alive"}
        finally:
            set_outage(postgres_database_url, down=False)
        assert client.get("/readyz").status_code == 200


def test_a_write_refused_during_the_outage_is_logged_once_when_retried(
    postgres_harness: Harness, postgres_database_url: str
) -> None:
    """The client retries the same signed statement (same signer and nonce) after a 503:
    it is logged exactly once, and the outage left no half-written entry behind."""
    postgres_harness.ledger.start()
    newcomer = SigningKey.generate()
    statement = postgres_harness.sign(
        postgres_harness.authority,
        "registry.key.registered",
        client_key_id(newcomer),
        {"public_key": b64encode(bytes(newcomer.verify_key)), "name": "newcomer", "roles": []},
    )
    with TestClient(create_app(postgres_harness.ledger), raise_server_exceptions=False) as client:
        size_before = postgres_harness.ledger.size()
        set_outage(postgres_database_url, down=True)
        try:
            refused = client.post("/api/v1/statements", json=statement.to_json())
            assert refused.status_code == 503, refused.text
            assert refused.json()["code"] == "database_unavailable"
        finally:
            set_outage(postgres_database_url, down=False)
        assert postgres_harness.ledger.size() == size_before

        first = client.post("/api/v1/statements", json=statement.to_json())
        again = client.post("/api/v1/statements", json=statement.to_json())
        assert first.status_code == 201, first.text
        assert again.status_code in (200, 201), again.text
        assert again.json()["seq"] == first.json()["seq"]
        assert postgres_harness.ledger.size() == size_before + 1


def test_an_exhausted_connection_pool_is_push_back_not_a_bug(
    postgres_harness: Harness, postgres_database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    """Every pooled connection busy past ``pool_timeout`` is load: 503, not 500."""
    from ledger import storage
    from ledger.service import Ledger, Settings
    from terang.app import all_kinds

    engine = storage.make_engine(
        postgres_database_url, pool_size=1, max_overflow=0, pool_timeout=0.2
    )
    ledger = Ledger(
        Settings(database_url=postgres_database_url),
        all_kinds(),
        engine=engine,
        log_signer=postgres_harness.log_signer,
    )
    try:
        with TestClient(create_app(ledger), raise_server_exceptions=False) as client:
            with engine.connect(), caplog.at_level(logging.WARNING, logger="terang"):
                busy = client.get("/api/v1/entries/0")
            assert busy.status_code == 503, busy.text
            assert busy.json()["code"] == "database_unavailable"
            assert "connection" in busy.json()["detail"]
            assert "invariant broken" not in caplog.text
            assert client.get("/api/v1/entries/0").status_code == 200
    finally:
        ledger.close()


def test_metrics_still_answer_and_say_the_database_is_down(
    postgres_harness: Harness, postgres_database_url: str
) -> None:
    """A scrape during an outage is the operator's evidence, so it must not fail itself."""
    with TestClient(create_app(postgres_harness.ledger), raise_server_exceptions=False) as client:
        set_outage(postgres_database_url, down=True)
        try:
            down = client.get("/metrics")
        finally:
            set_outage(postgres_database_url, down=False)
        up = client.get("/metrics")
    assert down.status_code == 200
    assert "terang_database_up 0.0" in down.text
    assert "terang_tree_size" not in down.text
    assert "terang_database_up 1.0" in up.text


@pytest.fixture
def restartable_database(postgres_cluster: Any) -> Iterator[str]:
    """A fresh database on a cluster of this test's own, which it may restart."""
    name = "restart_" + uuid.uuid4().hex[:12]
    # No pool: the test restarts the server, which drops every pooled connection.
    admin = create_engine(
        postgres_cluster.superuser_url, isolation_level="AUTOCOMMIT", poolclass=NullPool
    )
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        yield (
            make_url(postgres_cluster.url).set(database=name).render_as_string(hide_password=False)
        )
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


def test_postgres_restarted_under_load_is_only_push_back_and_loses_no_receipt(
    postgres_cluster: Any, restartable_database: str, tmp_path: Path
) -> None:
    """A real restart, not a refused connection: ``pg_ctl restart -m fast`` (open
    transactions rolled back) and ``-m immediate`` (every server process killed, crash
    recovery), each under single and batch writers on a running ``terang serve``
    (bench/fault_trials.py). The clients see 201/200 and 503 push back only, which their
    client waits out; the service never exits; every receipt is in the log afterwards,
    the log is whole, and ``terang verify`` passes after each restart."""
    deployment = fault_trials.prepare(tmp_path / "log", restartable_database)
    results = fault_trials.postgres_restart_trials(
        deployment, postgres_cluster, ["fast", "immediate"], seed=random.randrange(2**32)
    )
    assert [r.summary() for r in results if not r.passed] == []
    assert all(r.verified for r in results)
    seen = Counter[str]()
    for result in results:
        seen.update(result.seen)
    assert set(seen) <= {"200", "201", "503"}, seen  # never a 500, never a lost connection
    assert seen["503"] >= 1, seen  # the outage was felt, as push back
    assert not any(r.refusals for r in results), [r.refusals for r in results]


def test_our_sessions_commit_synchronously_on_a_server_set_to_off(
    postgres_cluster: Any, restartable_database: str
) -> None:
    """The throwaway server runs with ``synchronous_commit=off`` (a commit acknowledged
    before its WAL is written); Terang's sessions override it, or an immediate restart
    would lose acknowledged entries and re-use their seqs (what the trial above found)."""
    plain = create_engine(restartable_database)
    terang = storage.make_engine(restartable_database)
    try:
        with plain.connect() as conn:
            assert conn.exec_driver_sql("SHOW synchronous_commit").scalar() == "off"
        with terang.connect() as conn:
            assert conn.exec_driver_sql("SHOW synchronous_commit").scalar() == "on"
    finally:
        plain.dispose()
        terang.dispose()
