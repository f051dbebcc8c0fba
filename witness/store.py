"""The witness's own small database: the latest cosigned checkpoint of each log.

A witness is a separate product from the log it watches (usually run by someone
else, on another machine), so it has its own database, by default a SQLite file,
any SQLAlchemy URL allowed. Its schema is two tables created by
``metadata.create_all`` rather than alembic migrations: the witness has no history of
schema changes to replay, nothing else shares the database, and ``create_all`` is
idempotent. Should the schema ever change, add alembic then.

* ``witness_checkpoints``: one row per log (keyed by the SHA-256 of its origin, as in
  the tlog-witness monitoring path), updated in place: the latest checkpoint the
  witness cosigned, as a note carrying the log signature(s) it verified and its own
  cosignature.
* ``witness_refusals``: requests with a valid log signature that the witness refused
  for inconsistency (422), or that showed a checkpoint of the stored size with
  another root. Each is evidence of log misbehaviour (SPEC: tlog-witness: the
  witness MAY log such requests), kept append-only by convention.

The one operation that matters is ``update``: compare the client's ``old`` size with
the stored size and store the new checkpoint in ONE transaction that holds a write
lock for that log, so two concurrent add-checkpoint calls can never both win
(SPEC: tlog-witness, the race in "add-checkpoint").
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import (
    BigInteger,
    Column,
    Engine,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    insert,
    select,
    text,
    update,
)
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from ledger import storage
from ledger.defaults import DEFAULT_WITNESS_DATABASE_URL
from ledger.errors import Conflict

metadata = MetaData()

checkpoints = Table(
    "witness_checkpoints",
    metadata,
    Column("origin_hash", String(64), primary_key=True),
    Column("origin", Text, nullable=False),
    Column("tree_size", BigInteger, nullable=False),
    Column("root_hash", LargeBinary(32), nullable=False),
    Column("note", Text, nullable=False),
    Column("updated_at", BigInteger, nullable=False),
)

refusals = Table(
    "witness_refusals",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("origin_hash", String(64), nullable=False, index=True),
    Column("old_size", BigInteger, nullable=False),
    Column("tree_size", BigInteger, nullable=False),
    Column("root_hash", LargeBinary(32), nullable=False),
    Column("reason", Text, nullable=False),
    Column("request", Text, nullable=False),
    Column("received_at", BigInteger, nullable=False),
)


def origin_hash(origin: str) -> str:
    """SPEC: tlog-witness: SHA-256 of the origin, lowercase hex."""
    return hashlib.sha256(origin.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class StoredCheckpoint:
    origin: str
    size: int
    root_hash: bytes
    note: str
    updated_at: int


@dataclass(frozen=True)
class Refusal:
    origin_hash: str
    old_size: int
    tree_size: int
    root_hash: bytes
    reason: str
    request: str
    received_at: int


class SizeMismatch(Conflict):
    """The client's ``old`` is not the stored size (HTTP 409 with ``latest_size``)."""

    code = "old_size_mismatch"

    def __init__(self, latest_size: int) -> None:
        super().__init__(
            f"old size does not match the latest cosigned size {latest_size}",
            latest_size=latest_size,
        )
        self.latest_size = latest_size


def _advisory_key(ohash: str) -> int:
    """A signed 64-bit PostgreSQL advisory lock key for one log (domain-separated)."""
    digest = hashlib.sha256(b"terang-witness\n" + bytes.fromhex(ohash)).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


class WitnessStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @classmethod
    def open(cls, url: str = DEFAULT_WITNESS_DATABASE_URL) -> WitnessStore:
        """Connect and create the tables if they are missing (idempotent)."""
        engine = storage.make_engine(url)
        metadata.create_all(engine)
        return cls(engine)

    def close(self) -> None:
        self.engine.dispose()

    def latest(self, origin: str) -> StoredCheckpoint | None:
        with self.engine.connect() as conn:
            return _read(conn, origin_hash(origin))

    def latest_by_hash(self, ohash: str) -> StoredCheckpoint | None:
        with self.engine.connect() as conn:
            return _read(conn, ohash)

    def update(
        self,
        origin: str,
        old_size: int,
        make: Callable[[StoredCheckpoint | None], StoredCheckpoint],
    ) -> StoredCheckpoint:
        """Atomic compare-and-swap of a log's latest checkpoint.

        In one transaction holding the write lock for this log: read the stored
        checkpoint; unless its size (0 when none) equals ``old_size`` raise
        ``SizeMismatch``; else call ``make(stored)``, which checks consistency and
        cosigns (raising to refuse: nothing is written), and store its result.

        Locks: SQLite takes the database write lock at BEGIN (``BEGIN IMMEDIATE``);
        PostgreSQL takes a transaction-scoped advisory lock on the origin, which also
        covers the first insert, when there is no row to lock; other databases get
        ``SELECT ... FOR UPDATE`` and the primary key for the first insert.
        """
        ohash = origin_hash(origin)
        write = self.engine.connect().execution_options(**{storage.WRITE_LOCK_OPTION: True})
        try:
            with write as conn, conn.begin():
                if conn.dialect.name == "postgresql":
                    conn.execute(
                        text("SELECT pg_advisory_xact_lock(:key)"), {"key": _advisory_key(ohash)}
                    )
                current = _read(conn, ohash, for_update=True)
                current_size = 0 if current is None else current.size
                if old_size != current_size:
                    raise SizeMismatch(current_size)
                new = make(current)
                values = {
                    "origin": origin,
                    "tree_size": new.size,
                    "root_hash": new.root_hash,
                    "note": new.note,
                    "updated_at": new.updated_at,
                }
                if current is None:
                    conn.execute(insert(checkpoints).values(origin_hash=ohash, **values))
                else:
                    conn.execute(
                        update(checkpoints).where(checkpoints.c.origin_hash == ohash).values(values)
                    )
        except IntegrityError:
            # Only without a real lock (not SQLite or PostgreSQL): a concurrent first
            # insert for this log won; this request lost the race.
            latest = self.latest(origin)
            raise SizeMismatch(0 if latest is None else latest.size) from None
        return new

    def record_refusal(self, refusal: Refusal) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                insert(refusals).values(
                    origin_hash=refusal.origin_hash,
                    old_size=refusal.old_size,
                    tree_size=refusal.tree_size,
                    root_hash=refusal.root_hash,
                    reason=refusal.reason,
                    request=refusal.request,
                    received_at=refusal.received_at,
                )
            )

    def refusals(self, origin: str) -> list[Refusal]:
        r = refusals.c
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(refusals).where(r.origin_hash == origin_hash(origin)).order_by(r.id)
            ).all()
        return [
            Refusal(
                row.origin_hash,
                int(row.old_size),
                int(row.tree_size),
                bytes(row.root_hash),
                row.reason,
                row.request,
                int(row.received_at),
            )
            for row in rows
        ]


def _read(conn: Connection, ohash: str, *, for_update: bool = False) -> StoredCheckpoint | None:
    c = checkpoints.c
    query = select(c.origin, c.tree_size, c.root_hash, c.note, c.updated_at).where(
        c.origin_hash == ohash
    )
    if for_update and conn.dialect.name not in ("sqlite", "postgresql"):
        query = query.with_for_update()
    row = conn.execute(query).first()
    if row is None:
        return None
    return StoredCheckpoint(
        row.origin, int(row.tree_size), bytes(row.root_hash), row.note, int(row.updated_at)
    )
