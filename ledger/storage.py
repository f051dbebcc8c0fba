"""Tables and engines. The schema itself is created only by alembic migrations.

Ledger tables (append-only; the database refuses UPDATE, DELETE and TRUNCATE on
them through triggers, and on PostgreSQL the service role has no such grants):

* ``ledger_entries``: one row per logged entry, keyed by ``seq``; the entry bytes
  are exactly what the Merkle leaf hashes.
* ``ledger_tree_nodes``: the hash of every perfect subtree ``(level, idx)``; the root
  at any size and any proof need O(log n) of them, and a tlog tile at tile level L is
  the run of nodes at tree level 8L.
* ``ledger_checkpoints``: every signed checkpoint the log published.

``projection_rows`` is not a ledger table: it holds reducer state (balances,
registry) and is rebuilt by replay (``audit.rebuild``, ``terang rebuild-projections``),
so it may be updated. ``projection_rebuild_requests`` holds the rebuilds migrations
asked for (``ledger.migrations.request_projection_rebuild``) until one is done.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any, TypeVar

from sqlalchemy import (
    BigInteger,
    Column,
    Engine,
    Index,
    LargeBinary,
    MetaData,
    PrimaryKeyConstraint,
    SmallInteger,
    String,
    Table,
    Text,
    UniqueConstraint,
    and_,
    create_engine,
    event,
    or_,
    select,
)
from sqlalchemy.engine import Connection, ExceptionContext
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError, StatementError

from ledger.limits import QUERY_KEYS_MAX
from ledger.merkle import NodeId

metadata = MetaData()

entries = Table(
    "ledger_entries",
    metadata,
    Column("seq", BigInteger, primary_key=True, autoincrement=False),
    Column("leaf_hash", LargeBinary(32), nullable=False, unique=True),
    Column("entry_bytes", LargeBinary, nullable=False),
    Column("statement_type", String(64), nullable=False),
    Column("subject", String(128), nullable=False),
    Column("signer", String(64), nullable=False),
    Column("nonce", String(64), nullable=False),
    Column("logged_at", String(32), nullable=False),
    UniqueConstraint("signer", "nonce", name="uq_ledger_entries_signer_nonce"),
    Index("ix_ledger_entries_subject_seq", "subject", "seq"),
    Index("ix_ledger_entries_type_seq", "statement_type", "seq"),
    Index("ix_ledger_entries_signer_seq", "signer", "seq"),  # migration 0004
)

tree_nodes = Table(
    "ledger_tree_nodes",
    metadata,
    Column("level", SmallInteger, nullable=False),
    Column("idx", BigInteger, nullable=False),
    Column("hash", LargeBinary(32), nullable=False),
    PrimaryKeyConstraint("level", "idx", name="pk_ledger_tree_nodes"),
)

checkpoints = Table(
    "ledger_checkpoints",
    metadata,
    Column("tree_size", BigInteger, primary_key=True, autoincrement=False),
    Column("root_hash", LargeBinary(32), nullable=False),
    Column("note", Text, nullable=False),
    Column("published_at", String(32), nullable=False),
)

projection_rows = Table(
    "projection_rows",
    metadata,
    Column("namespace", String(64), nullable=False),
    Column("key", String(256), nullable=False),
    Column("value", Text, nullable=False),
    Column("updated_seq", BigInteger, nullable=False),
    PrimaryKeyConstraint("namespace", "key", name="pk_projection_rows"),
)

# PostgreSQL connection pool per process (Settings: TERANG_DB_POOL_SIZE and
# TERANG_DB_MAX_OVERFLOW). The writer holds one connection, the publisher one, and each
# concurrent read one while it runs; sizing advice in docs/operating-postgresql.md.
POOL_SIZE_DEFAULT = 10
MAX_OVERFLOW_DEFAULT = 20

projection_rebuild_requests = Table(
    "projection_rebuild_requests",  # migration 0005
    metadata,
    Column("revision", String(64), nullable=False),
    Column("reason", Text, nullable=False),
    Column("requested_at", String(32), nullable=False),
    PrimaryKeyConstraint("revision", name="pk_projection_rebuild_requests"),
)

# Rows per INSERT statement on PostgreSQL (psycopg2 execute_values page size).
BULK_ROWS_PER_STATEMENT = 1000

LEDGER_TABLES = ("ledger_entries", "ledger_tree_nodes", "ledger_checkpoints")

WRITE_LOCK_OPTION = "terang_write_lock"
# Any constant works: it names the one advisory lock the sequencer holds (PostgreSQL).
POSTGRES_SEQUENCER_LOCK_ID = 0x7465_7261_6E67


def make_engine(url: str, **kwargs: Any) -> Engine:
    """An engine with the settings the ledger relies on for each backend.

    SQLite: WAL (readers never block the writer), a busy timeout, foreign keys, and
    ``BEGIN IMMEDIATE`` for write transactions so two writers serialise at BEGIN
    rather than failing at COMMIT. PostgreSQL: pre-ping (a pooled connection to a primary
    that died is replaced at checkout), a modest pool, the errors of a node that is no
    longer the primary counted as a lost connection (``POSTGRES_LOST_PRIMARY_CODES``), and
    ``synchronous_commit`` never ``off`` for our sessions (an acknowledged commit is on disk).
    """
    if url.startswith("sqlite"):
        engine = create_engine(url, **kwargs)

        @event.listens_for(engine, "connect")
        def _sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
            # Take transaction control from pysqlite so BEGIN is ours to emit.
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            # FULL: a committed batch survives power loss. With NORMAL, WAL may roll back
            # a commit whose checkpoint was already served: the log would then re-use
            # those seqs, a fork. Group commit amortises the extra fsync.
            cursor.execute("PRAGMA synchronous=FULL")
            # REPLACE deletes the row it replaces; only with recursive triggers does
            # that delete meet the append-only trigger.
            cursor.execute("PRAGMA recursive_triggers=ON")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn: Connection) -> None:
            write = conn.get_execution_options().get(WRITE_LOCK_OPTION, False)
            conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

        return engine
    kwargs.setdefault("pool_pre_ping", True)
    kwargs.setdefault("pool_size", POOL_SIZE_DEFAULT)
    kwargs.setdefault("max_overflow", MAX_OVERFLOW_DEFAULT)
    engine = create_engine(url, **kwargs)

    @event.listens_for(engine, "handle_error")
    def _postgres_error(context: ExceptionContext) -> None:
        # A connection that now lands on a standby (a node pg_auto_failover is demoting,
        # or one it set read-only while promoting) is as good as lost for the writer:
        # treat it as a disconnect, so SQLAlchemy drops it and the pool, the next
        # checkout reconnects through the multi-host URL (target_session_attrs=read-write)
        # and the HTTP layer answers 503 database_unavailable instead of a 500.
        if getattr(context.original_exception, "pgcode", None) in POSTGRES_LOST_PRIMARY_CODES:
            context.is_disconnect = True

    @event.listens_for(engine, "connect")
    def _postgres_connect(dbapi_connection: Any, _record: Any) -> None:
        # A receipt promises its entry survives a crash. With synchronous_commit=off the
        # server acknowledges a commit before its WAL is written: a crash (an immediate
        # shutdown, a killed postmaster) then loses the last acknowledged batches, and
        # the log re-uses their seqs for other entries, a fork of every checkpoint that
        # covered them (fault trials: `pg_ctl restart -m immediate` lost 10 receipts).
        # So a server (or role) set to `off` is overridden for our sessions, as SQLite's
        # synchronous=FULL is above; `local`, `remote_write`, `on` and `remote_apply` are
        # the operator's choice and kept.
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("SHOW synchronous_commit")
            (level,) = cursor.fetchone()
            if level == "off":
                cursor.execute("SET synchronous_commit TO on")
        finally:
            cursor.close()
        # SET is transactional: commit it, or the pool's rollback would undo it.
        dbapi_connection.commit()

    return engine


POSTGRES_LOST_PRIMARY_CODES = frozenset(
    {
        "25006",  # read_only_sql_transaction: this node is (now) a standby
        "57P01",  # admin_shutdown: the server is stopping (a demotion, a restart)
        "57P02",  # crash_shutdown: another backend crashed, the server is resetting
        "57P03",  # cannot_connect_now: the server is starting or stopping
    }
)
"""SQLSTATEs after which the connection no longer reaches a writable primary."""


def database_unavailable(error: BaseException) -> bool:
    """Whether ``error`` says the database is out of reach (push back), not a bug.

    A refused or dropped connection (``OperationalError``, ``InterfaceError``), or any
    error after which SQLAlchemy dropped the connection as lost (which includes a node
    that is no longer the primary, ``POSTGRES_LOST_PRIMARY_CODES``). A constraint or a
    bad statement is none of these: that is a bug, and is reported as one.
    """
    if isinstance(error, OperationalError | InterfaceError):
        return True
    return isinstance(error, DBAPIError) and error.connection_invalidated


SQLITE_FULL = 13
"""SQLite's result code for "database or disk is full" (sqlite3.h; the ``sqlite_errorcode``
of the driver's exception, Python 3.11+)."""
POSTGRES_DISK_FULL = "53100"
"""PostgreSQL's SQLSTATE ``disk_full`` ("could not extend file ...: No space left on
device"), class 53 (insufficient resources)."""


def is_storage_full(driver_error: BaseException | None) -> bool:
    """Whether a driver exception says the database's disk (or its size cap) is full.

    SQLite: ``SQLITE_FULL`` (also raised when ``PRAGMA max_page_count`` is reached).
    PostgreSQL: SQLSTATE 53100. Either engine rolls the failed statement's transaction
    back, so the caller may retry it once space is freed.
    """
    if getattr(driver_error, "sqlite_errorcode", None) == SQLITE_FULL:
        return True
    return getattr(driver_error, "pgcode", None) == POSTGRES_DISK_FULL


def take_write_lock(conn: Connection) -> None:
    """Serialise writers across processes for the rest of this transaction."""
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({POSTGRES_SEQUENCER_LOCK_ID})")
    # SQLite: BEGIN IMMEDIATE (see make_engine) already holds the database write lock.


def tree_size(conn: Connection) -> int:
    """Entries in the log: max(seq)+1, an O(log n) index lookup."""
    from sqlalchemy import func

    last = conn.execute(select(func.max(entries.c.seq))).scalar()
    return 0 if last is None else int(last) + 1


_K = TypeVar("_K")


def in_chunks(keys: Sequence[_K]) -> Iterator[Sequence[_K]]:
    """``keys`` in slices of at most ``QUERY_KEYS_MAX``: one lookup query each."""
    for start in range(0, len(keys), QUERY_KEYS_MAX):
        yield keys[start : start + QUERY_KEYS_MAX]


def pairs_condition(first: Any, second: Any, pairs: Iterable[tuple[Any, Any]]) -> Any:
    """``(first, second) IN pairs`` written as ``(first = a AND second IN (...)) OR ...``.

    SQLite does not use a two-column index for a row-value IN list and scans the
    table (measured: 32 ms per proof at 100,000 entries); this form uses the index on
    both engines.
    """
    grouped: dict[Any, list[Any]] = {}
    for a, b in pairs:
        grouped.setdefault(a, []).append(b)
    return or_(*(and_(first == a, second.in_(bs)) for a, bs in sorted(grouped.items())))


def fetch_nodes(conn: Connection, node_ids: Iterable[NodeId]) -> dict[NodeId, bytes]:
    """Fetch the named perfect-subtree hashes, one query per ``QUERY_KEYS_MAX`` nodes."""
    wanted = sorted(set(node_ids))
    if not wanted:
        return {}
    found: dict[NodeId, bytes] = {}
    n = tree_nodes.c
    for chunk in in_chunks(wanted):
        rows = conn.execute(
            select(n.level, n.idx, n.hash).where(pairs_condition(n.level, n.idx, chunk))
        )
        for level, idx, hash_ in rows:
            found[(int(level), int(idx))] = bytes(hash_)
    return found


def insert_nodes(conn: Connection, nodes: Iterable[tuple[NodeId, bytes]]) -> None:
    bulk_insert(
        conn, "ledger_tree_nodes", ("level", "idx", "hash"), [(lv, i, h) for (lv, i), h in nodes]
    )


def bulk_insert(
    conn: Connection,
    table: str,
    columns: Sequence[str],
    rows: Sequence[tuple[Any, ...]],
    *,
    suffix: str = "",
) -> None:
    """Insert many rows through the driver's fastest path, inside ``conn``'s transaction.

    The hot path of every batch. SQLAlchemy's multi-row compilation costs more CPU
    than the database's own work at a thousand rows (measured), so this goes to the
    driver: psycopg2's ``execute_values`` (one statement per page) or sqlite3's
    ``executemany`` (in-process). ``table``, ``columns`` and ``suffix`` are constants
    of this module, never user input.
    """
    if not rows:
        return
    names = ", ".join(columns)
    if conn.dialect.name == "postgresql":
        import psycopg2
        from psycopg2.extras import execute_values

        sql = f"INSERT INTO {table} ({names}) VALUES %s {suffix}"  # noqa: S608
        cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        try:
            execute_values(cursor, sql, rows, page_size=BULK_ROWS_PER_STATEMENT)
        except psycopg2.Error as error:
            raise _driver_error(conn, sql, error) from error
        finally:
            with contextlib.suppress(psycopg2.Error):  # a lost connection's cursor
                cursor.close()
        return
    marks = ", ".join("?" for _ in columns)
    conn.exec_driver_sql(f"INSERT INTO {table} ({names}) VALUES ({marks}) {suffix}", list(rows))  # noqa: S608


def _driver_error(conn: Connection, statement: str, error: Exception) -> StatementError:
    """What SQLAlchemy would have raised for ``error`` had it run the statement itself.

    ``bulk_insert`` goes to the driver directly, past SQLAlchemy's error handling, so a
    connection lost there (a killed primary) or landed on a read-only node would reach
    the HTTP layer as a bare driver error, a 500. Here it gets the same treatment as
    anywhere else: wrapped as ``DBAPIError``, and when the connection is lost, the
    connection invalidated and the pool renewed (its other connections went to the same
    dead or read-only node), so ``database_unavailable`` holds and the next checkout
    reconnects through the URL.
    """
    import psycopg2

    dbapi_connection = conn.connection.dbapi_connection
    lost = getattr(error, "pgcode", None) in POSTGRES_LOST_PRIMARY_CODES or (
        conn.dialect.is_disconnect(error, dbapi_connection, None)  # type: ignore[arg-type]
    )
    if lost:
        conn.invalidate(error)
        conn.engine.dispose()
    return DBAPIError.instance(
        statement,
        None,
        error,
        psycopg2.Error,
        connection_invalidated=lost,
        dialect=conn.dialect,
    )


def leaf_hash_at(conn: Connection, seq: int) -> bytes | None:
    value = conn.execute(select(entries.c.leaf_hash).where(entries.c.seq == seq)).scalar()
    return None if value is None else bytes(value)


def head_at(conn: Connection, seq: int) -> tuple[bytes, str] | None:
    """Leaf hash and ``logged_at`` of entry ``seq`` (the sequencer's head), or None."""
    row = conn.execute(
        select(entries.c.leaf_hash, entries.c.logged_at).where(entries.c.seq == seq)
    ).first()
    return None if row is None else (bytes(row.leaf_hash), str(row.logged_at))


def upsert_projection(conn: Connection, changes: Mapping[tuple[str, str], str], seq: int) -> None:
    """Write reducer state: insert, or replace on (namespace, key) (both engines)."""
    upsert_projection_rows(conn, [(ns, key, value, seq) for (ns, key), value in changes.items()])


def upsert_projection_rows(conn: Connection, rows: Sequence[tuple[str, str, str, int]]) -> None:
    """Insert or replace ``(namespace, key, value, updated_seq)`` rows (both engines)."""
    bulk_insert(
        conn,
        "projection_rows",
        ("namespace", "key", "value", "updated_seq"),
        rows,
        suffix="ON CONFLICT (namespace, key) DO UPDATE SET "
        "value = excluded.value, updated_seq = excluded.updated_seq",
    )


ENTRY_COLUMNS = (
    "seq",
    "leaf_hash",
    "entry_bytes",
    "statement_type",
    "subject",
    "signer",
    "nonce",
    "logged_at",
)


def insert_entries(conn: Connection, rows: Sequence[dict[str, Any]]) -> None:
    bulk_insert(
        conn, "ledger_entries", ENTRY_COLUMNS, [tuple(r[c] for c in ENTRY_COLUMNS) for r in rows]
    )
