"""Issue 17, items 2 and 8: a primary that is lost under a write is push back, not a bug.

Behind the service's back, on a real PostgreSQL, the two things a failover does to the
writer's connection:

1. The connection dies under the transaction (the primary was killed, or demoted and
   restarted): the sequencer tries the group once more on a fresh connection, so the
   write succeeds with no error at all, and it is logged once.
2. The connection lands on a node that is read-only (pg_auto_failover sets
   ``default_transaction_read_only`` while it promotes or demotes a node), whose first
   write fails with SQLSTATE 25006: that must answer 503 ``database_unavailable`` (never
   500 ``invariant_broken``) and drop the connections, so that once the database takes
   writes again the next write gets a fresh one and succeeds with no restart.
"""

from __future__ import annotations

import logging

import pytest
from conftest import Harness
from fastapi.testclient import TestClient
from nacl.signing import SigningKey
from sqlalchemy import Engine, create_engine, event, make_url, text

from ledger.keys import client_key_id
from ledger.statement import SignedStatement, b64encode
from terang.app import create_app


def set_read_only(database_url: str, *, read_only: bool) -> None:
    name = make_url(database_url).database
    admin = create_engine(
        make_url(database_url).set(database="postgres"), isolation_level="AUTOCOMMIT"
    )
    try:
        with admin.connect() as conn:
            if read_only:
                conn.execute(
                    text(f'ALTER DATABASE "{name}" SET default_transaction_read_only = on')
                )
                conn.execute(
                    text(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"
                    ),
                    {"n": name},
                )
            else:
                conn.execute(text(f'ALTER DATABASE "{name}" RESET default_transaction_read_only'))
    finally:
        admin.dispose()


def test_a_write_whose_connection_dies_under_it_is_retried_and_logged_once(
    postgres_harness: Harness, postgres_database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    postgres_harness.ledger.start()
    statement = registration(postgres_harness)
    admin = create_engine(
        make_url(postgres_database_url).set(database="postgres"), isolation_level="AUTOCOMMIT"
    )
    killed: list[int] = []

    def kill_the_writers_backend(conn: object, cursor: object, statement: str, *_: object) -> None:
        # The first write transaction's lock statement: end its backend from outside, as
        # a dying primary does, so the statement runs on a dead connection.
        if "pg_advisory_xact_lock" in statement and not killed:
            pid = cursor.connection.info.backend_pid
            with admin.connect() as other:
                other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
            killed.append(pid)

    engine: Engine = postgres_harness.ledger.engine
    event.listen(engine, "before_cursor_execute", kill_the_writers_backend)
    try:
        with TestClient(
            create_app(postgres_harness.ledger), raise_server_exceptions=False
        ) as client:
            size_before = postgres_harness.ledger.size()
            with caplog.at_level(logging.WARNING):
                logged = client.post("/api/v1/statements", json=statement.to_json())
            assert killed, "the writer's connection was not killed"
            assert logged.status_code == 201, logged.text  # no error reached the client
            assert "retrying once" in caplog.text
            assert "invariant broken" not in caplog.text
            again = client.post("/api/v1/statements", json=statement.to_json())
            assert again.json()["seq"] == logged.json()["seq"]
            assert postgres_harness.ledger.size() == size_before + 1
    finally:
        event.remove(engine, "before_cursor_execute", kill_the_writers_backend)
        admin.dispose()


def registration(harness: Harness) -> SignedStatement:
    newcomer = SigningKey.generate()
    return harness.sign(
        harness.authority,
        "registry.key.registered",
        client_key_id(newcomer),
        {"public_key": b64encode(bytes(newcomer.verify_key)), "name": "newcomer", "roles": []},
    )


def test_a_write_to_a_read_only_database_is_503_and_succeeds_once_it_is_writable(
    postgres_harness: Harness, postgres_database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    postgres_harness.ledger.start()
    statement = registration(postgres_harness)
    with TestClient(create_app(postgres_harness.ledger), raise_server_exceptions=False) as client:
        size_before = postgres_harness.ledger.size()
        set_read_only(postgres_database_url, read_only=True)
        try:
            refused = client.post("/api/v1/statements", json=statement.to_json())
            assert refused.status_code == 503, refused.text
            assert refused.json()["code"] == "database_unavailable"
            assert int(refused.headers["Retry-After"]) >= 1
            assert "invariant broken" not in caplog.text
        finally:
            set_read_only(postgres_database_url, read_only=False)
        assert postgres_harness.ledger.size() == size_before

        # The read-only connections were dropped with the failed write, so the pool
        # reconnects: the same statement is now logged, once.
        first = client.post("/api/v1/statements", json=statement.to_json())
        assert first.status_code == 201, first.text
        again = client.post("/api/v1/statements", json=statement.to_json())
        assert again.json()["seq"] == first.json()["seq"]
        assert postgres_harness.ledger.size() == size_before + 1
