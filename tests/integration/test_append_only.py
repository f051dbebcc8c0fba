"""Invariant 1: nothing logged is ever updated or deleted, enforced by the database."""

from __future__ import annotations

import uuid

import pytest
from conftest import Harness
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from ledger.keys import client_key_id
from ledger.limits import Limits
from ledger.service import Ledger, Settings
from ledger.storage import LEDGER_TABLES
from terang.app import all_kinds

CHANGES = {
    "ledger_entries": (
        "UPDATE ledger_entries SET nonce = 'x' WHERE seq = 0",
        "DELETE FROM ledger_entries",
    ),
    "ledger_tree_nodes": (
        "UPDATE ledger_tree_nodes SET idx = idx + 1000",
        "DELETE FROM ledger_tree_nodes",
    ),
    "ledger_checkpoints": (
        "UPDATE ledger_checkpoints SET note = 'x'",
        "DELETE FROM ledger_checkpoints",
    ),
}


@pytest.mark.parametrize("table", LEDGER_TABLES)
@pytest.mark.parametrize("action", [0, 1], ids=["update", "delete"])
def test_database_refuses_update_and_delete(harness: Harness, table: str, action: int) -> None:
    statement = CHANGES[table][action]
    with pytest.raises(DBAPIError, match="append-only"), harness.ledger.engine.begin() as conn:
        conn.execute(text(statement))
    with harness.ledger.engine.connect() as conn:
        assert conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one() > 0


def test_postgres_refuses_truncate(postgres_harness: Harness) -> None:
    """TRUNCATE exists only on PostgreSQL (SQLite has DELETE, tested above)."""
    for table in LEDGER_TABLES:
        with (
            pytest.raises(DBAPIError, match="append-only"),
            postgres_harness.ledger.engine.begin() as conn,
        ):
            conn.execute(text(f"TRUNCATE {table}"))


def test_postgres_service_role_has_no_update_delete_truncate_grants(
    postgres_harness: Harness,
) -> None:
    """The service connects as a member of terang_appender: it can append, not rewrite.

    Even with the triggers gone (a superuser could drop them), the role itself lacks
    the privilege, so the refusal comes from the grant system.
    """
    harness = postgres_harness
    engine = harness.ledger.engine
    role = "app_" + uuid.uuid4().hex[:10]
    with engine.begin() as conn:
        conn.execute(text(f"CREATE ROLE {role} LOGIN IN ROLE terang_appender"))
    url = make_url(engine.url.render_as_string(hide_password=False)).set(username=role)
    app_url = url.render_as_string(hide_password=False)
    try:
        # The service runs as that role end to end: appends, projections, checkpoints.
        ledger = Ledger(
            Settings(database_url=app_url, limits=Limits(checkpoint_interval_ms_min=0)),
            all_kinds(),
            clock=harness.clock,
            log_signer=harness.log_signer,
        )
        try:
            officer = harness.register("officer", ["finance"])
            receipts = ledger.append_direct(
                [
                    harness.sign(
                        harness.authority,
                        "registry.role.granted",
                        client_key_id(officer),
                        {"role": "auditor"},
                    )
                ]
            )
            assert receipts[0].seq == ledger.size() - 1
            assert ledger.publisher.publish(force=True) is not None
        finally:
            ledger.close()
        restricted = create_engine(app_url)
        with engine.begin() as conn:  # as the owner: take the triggers away
            for table in LEDGER_TABLES:
                conn.execute(text(f"ALTER TABLE {table} DISABLE TRIGGER USER"))
        try:
            for table in LEDGER_TABLES:
                for statement in (*CHANGES[table], f"TRUNCATE {table}"):
                    with (
                        pytest.raises(DBAPIError, match="permission denied"),
                        restricted.begin() as conn,
                    ):
                        conn.execute(text(statement))
        finally:
            with engine.begin() as conn:
                for table in LEDGER_TABLES:
                    conn.execute(text(f"ALTER TABLE {table} ENABLE TRIGGER USER"))
            restricted.dispose()
    finally:
        with engine.begin() as conn:
            conn.execute(text(f"DROP OWNED BY {role}"))
            conn.execute(text(f"DROP ROLE {role}"))
