"""How driver errors reach the HTTP layer: a full disk is told apart, and the bulk path's
own driver calls raise what SQLAlchemy would (so the app's handlers see them)."""

from __future__ import annotations

import sqlite3

import psycopg2
import pytest
from conftest import Harness
from sqlalchemy.exc import IntegrityError

from ledger import storage


def test_a_full_disk_is_recognised_on_both_engines_and_nothing_else_is() -> None:
    full_sqlite = sqlite3.OperationalError("database or disk is full")
    full_sqlite.sqlite_errorcode = sqlite3.SQLITE_FULL
    locked_sqlite = sqlite3.OperationalError("database is locked")
    locked_sqlite.sqlite_errorcode = sqlite3.SQLITE_BUSY
    assert storage.is_storage_full(full_sqlite)
    assert not storage.is_storage_full(locked_sqlite)
    assert not storage.is_storage_full(None)
    assert psycopg2.errors.lookup(storage.POSTGRES_DISK_FULL) is psycopg2.errors.DiskFull


def test_a_driver_error_in_the_bulk_insert_is_raised_as_sqlalchemys(harness: Harness) -> None:
    """``bulk_insert`` calls psycopg2's ``execute_values`` past SQLAlchemy: its errors
    must still arrive as SQLAlchemy's (a DBAPIError carrying the driver's), or the app
    answers 500 where it should push back (a full tablespace did, before)."""
    with harness.ledger.engine.connect() as conn, conn.begin():
        leaf = storage.fetch_nodes(conn, [(0, 0)])[(0, 0)]
        with pytest.raises(IntegrityError) as raised:
            # Node (0, 0) exists (the genesis): a second one breaks the primary key.
            storage.bulk_insert(conn, "ledger_tree_nodes", ("level", "idx", "hash"), [(0, 0, leaf)])
        conn.rollback()
    assert raised.value.orig is not None
