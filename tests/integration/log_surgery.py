"""What an operator with the database and the log key can do behind the service's back.

Tests of the verifier use these to play the attacker: SQL past the append-only
triggers, an entry appended or a whole history rewritten with every hash recomputed,
and a checkpoint over the result signed with the log's own key. Nothing here goes
through the service's checks; that is the point.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime

from conftest import Harness
from sqlalchemy import delete, select, text
from sqlalchemy.engine import Connection

from ledger import merkle, storage
from ledger.checkpoint import Checkpoint, sign_checkpoint
from ledger.statement import LoggedEntry, format_time


@contextmanager
def as_database_owner(harness: Harness) -> Iterator[Connection]:
    """A transaction of the database owner with the append-only triggers out of the way."""
    with harness.ledger.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SET LOCAL session_replication_role = replica"))
            yield conn
            return
        triggers = conn.execute(
            text("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'")
        ).all()
        for name, _ in triggers:
            conn.execute(text(f"DROP TRIGGER {name}"))
        yield conn
        for _, sql in triggers:
            conn.execute(text(sql))


def behind_the_triggers(harness: Harness, statement: str, **params: object) -> None:
    """Run SQL as the database owner with the append-only triggers out of the way."""
    with as_database_owner(harness) as conn:
        conn.execute(text(statement), params)


def stored_entries(h: Harness) -> list[LoggedEntry]:
    with h.ledger.engine.connect() as conn:
        rows = conn.execute(
            select(storage.entries.c.entry_bytes).order_by(storage.entries.c.seq)
        ).all()
    return [LoggedEntry.parse(bytes(row[0]), h.ledger.limits) for row in rows]


def _row(entry: LoggedEntry) -> dict[str, object]:
    statement = entry.signed.statement
    return {
        "seq": entry.seq,
        "leaf_hash": entry.leaf_hash(),
        "entry_bytes": entry.entry_bytes(),
        "statement_type": statement.type,
        "subject": statement.subject,
        "signer": statement.signer,
        "nonce": statement.nonce,
        "logged_at": entry.logged_at,
    }


def _publish(conn: Connection, h: Harness, size: int, root: bytes) -> str:
    note = sign_checkpoint(Checkpoint(h.ledger.origin, size, root), h.log_signer)
    conn.execute(
        storage.checkpoints.insert().values(
            tree_size=size, root_hash=root, note=note, published_at=format_time(datetime.now(UTC))
        )
    )
    return note


def rewrite_history(h: Harness, entries: Sequence[LoggedEntry]) -> str:
    """Replace the whole log by ``entries``, re-chained (each ``seq`` and ``prev``
    recomputed), with every Merkle node recomputed, all checkpoints and cosignatures
    dropped and ONE checkpoint over the result signed with the log key. Projections
    are left as they are. Returns the new signed checkpoint."""
    chained: list[LoggedEntry] = []
    prev = bytes(32)
    for seq, entry in enumerate(entries):
        entry = LoggedEntry(seq, entry.logged_at, prev, entry.signed, entry.version)
        chained.append(entry)
        prev = entry.leaf_hash()
    nodes = merkle.append_leaves(0, {}, [entry.leaf_hash() for entry in chained])
    root = merkle.root_hash(len(chained), dict(nodes))
    with as_database_owner(h) as conn:
        conn.execute(delete(storage.entries))
        conn.execute(delete(storage.tree_nodes))
        conn.execute(text("DELETE FROM ledger_cosignatures"))
        conn.execute(delete(storage.checkpoints))
        storage.insert_entries(conn, [_row(e) for e in chained])
        storage.insert_nodes(conn, nodes)
        return _publish(conn, h, len(chained), root)


def append_behind_the_back(h: Harness, entry: LoggedEntry) -> str:
    """Append ``entry`` (its seq and prev must be the next ones) with its Merkle nodes,
    and sign a checkpoint over it with the log key. Returns that checkpoint."""
    size = h.ledger.size()
    with h.ledger.engine.begin() as conn:
        frontier = storage.fetch_nodes(conn, merkle.nodes_for_root(size))
        new_nodes = merkle.append_leaves(size, frontier, [entry.leaf_hash()])
        storage.insert_entries(conn, [_row(entry)])
        storage.insert_nodes(conn, new_nodes)
        root = merkle.root_hash(size + 1, {**frontier, **dict(new_nodes)})
        return _publish(conn, h, size + 1, root)
