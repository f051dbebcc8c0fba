"""Issue 17, items 2 and 8: a database that turned read-only is push back, not a bug.

pg_auto_failover turns a node read-only while it promotes or demotes it
(``default_transaction_read_only``); a connection that lands there gets SQLSTATE 25006
on its first write. That must answer 503 ``database_unavailable`` (never 500
``invariant_broken``), log nothing, and drop the connection, so that once the database
takes writes again the next write gets a fresh one and succeeds with no restart. Done
behind the service's back, on a real PostgreSQL: the database is set read-only for new
sessions and its open ones are ended, as the failover's restart does.
"""

from __future__ import annotations

import pytest
from conftest import Harness
from fastapi.testclient import TestClient
from nacl.signing import SigningKey
from sqlalchemy import create_engine, make_url, text

from ledger.keys import client_key_id
from ledger.statement import b64encode
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


def test_a_write_to_a_read_only_database_is_503_and_succeeds_once_it_is_writable(
    postgres_harness: Harness, postgres_database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
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
