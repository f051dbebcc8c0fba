"""The read side: the one engine the public read API and the portal read from.

With ``TERANG_READ_DATABASE_URL`` set, public reads go to that engine, normally a
PostgreSQL streaming replica (a hot standby fed by the primary's WAL), while writes,
admission, the sequencer, the publisher, the witness client, the tender closer,
``/readyz`` and ``/metrics`` (which also reports the replica's lag) stay on the primary
(``Ledger.engine``). Unset, the read side is the primary itself. The replica is an
existing engine's own machinery (``pg_basebackup -R``, streaming replication); nothing
here copies data.

Rules every public read follows (``ReadSide.snapshot`` and ``ReadSnapshot``):

1. One snapshot per read: REPEATABLE READ on PostgreSQL (allowed on a hot standby,
   which is read-only by itself), a read transaction on SQLite (WAL); the held tree
   size is read first. Projection rows commit with the entries that write them, so
   every row read is the result of exactly the first ``tree_size`` entries.
2. That tree size is what the response reflects: the composition root's
   ``TreeSizeHeader`` sends it as ``X-Terang-Tree-Size`` (the smallest, if a request took
   more than one snapshot), and JSON bodies with a ``tree_size`` field carry the same
   number.
3. A checkpoint served is the newest with ``tree_size <=`` the held size
   (``held_checkpoint``). On a physical replica this holds by construction (WAL replays
   a checkpoint's commit after its entries'), so the filter costs nothing there; it
   keeps the rule true for any replica that is not a byte-for-byte WAL copy, and
   against a checkpoint row planted ahead of the entries.
4. Nothing beyond the held size is served: tiles and bundles past it are ``no_tile``
   (404); a proof or tree size past it is, on a replica, 409
   ``tree_size_not_replicated`` (the primary may hold it: retry, or ask the primary),
   and on the primary the usual 422 ``tree_size_out_of_range``.

Nothing here opens a second engine on its own: ``Ledger`` builds the read engine from
``Settings.read_database_url`` and hands it in.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import Engine, func, select
from sqlalchemy.engine import Connection
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ledger import storage
from ledger.clock import Clock
from ledger.errors import Conflict, NotFound
from ledger.limits import Limits
from ledger.publisher import PublishedCheckpoint, checkpoint_at
from ledger.statement import LoggedEntry

TREE_SIZE_HEADER = "X-Terang-Tree-Size"
"""The one name for it (RFC 6648 retired "X-", but downloads carried this name first)."""
# Where a request's snapshots leave their tree size for TreeSizeHeader: the ASGI
# scope's "state" dict, which Starlette's ``request.state`` reads and writes.
TREE_SIZE_STATE = "terang_tree_size"


class HasState(Protocol):
    """What ``snapshot`` needs of a request: Starlette's ``request.state``."""

    @property
    def state(self) -> Any: ...


@dataclass(frozen=True)
class ReadSnapshot:
    """One consistent read and the tree size it reflects (rule 1)."""

    conn: Connection
    tree_size: int
    replica: bool = False
    """Whether the read engine is a replica (rule 4 decides the code with it)."""

    def held_checkpoint(self) -> PublishedCheckpoint | None:
        """The newest checkpoint this snapshot holds the tree for (rule 3)."""
        c = storage.checkpoints.c
        size = self.conn.execute(
            select(func.max(c.tree_size)).where(c.tree_size <= self.tree_size)
        ).scalar()
        return None if size is None else checkpoint_at(self.conn, int(size))

    def require_held(self, tree_size: int) -> None:
        """Refuse a tree size beyond what a replica holds (rule 4).

        On the primary the proof functions' own check answers (422
        ``tree_size_out_of_range``): the primary is the whole log.
        """
        if self.replica and tree_size > self.tree_size:
            raise Conflict(
                f"this read replica holds {self.tree_size} entries, not yet {tree_size}; "
                "the primary may hold it: retry shortly or ask the primary",
                code="tree_size_not_replicated",
                held_size=self.tree_size,
            )


def entry_at(conn: Connection, seq: int, limits: Limits) -> LoggedEntry:
    """Entry ``seq`` as logged, or ``unknown_seq`` (404)."""
    raw = conn.execute(
        select(storage.entries.c.entry_bytes).where(storage.entries.c.seq == seq)
    ).scalar()
    if raw is None:
        raise NotFound(f"no entry with seq {seq}", code="unknown_seq")
    return LoggedEntry.parse(bytes(raw), limits)


@contextmanager
def snapshot_of(engine: Engine, *, replica: bool = False) -> Iterator[ReadSnapshot]:
    """One consistent read transaction on ``engine`` and the tree size it sees."""
    conn = engine.connect()
    try:
        if conn.dialect.name == "postgresql":
            # REPEATABLE READ: every statement sees the first one's snapshot, so the size
            # read first bounds every row read after it. Not ``postgresql_readonly``:
            # SQLAlchemy resets it on the pooled connection to an explicit read-write,
            # and psycopg2 then begins that connection's next transaction READ WRITE,
            # which a hot standby refuses (found by test_read_replica's metrics scrape).
            conn = conn.execution_options(isolation_level="REPEATABLE READ")
        # SQLite (WAL): a read transaction sees the database as of its first read.
        with conn.begin():
            yield ReadSnapshot(conn, storage.tree_size(conn), replica)
    finally:
        conn.close()


class ReadSide:
    """The engine public reads use: a replica's, or the primary's (module docstring)."""

    def __init__(self, engine: Engine, *, replica: bool) -> None:
        self.engine = engine
        self.replica = replica

    @contextmanager
    def snapshot(self, request: HasState | None = None) -> Iterator[ReadSnapshot]:
        """A snapshot of the read engine; its tree size goes on ``request``'s response."""
        with snapshot_of(self.engine, replica=self.replica) as snap:
            if request is not None:
                record_tree_size(request, snap.tree_size)
            yield snap

    def size(self) -> int:
        """Entries the read engine holds (what a replica has replayed)."""
        with self.engine.connect() as conn:
            return storage.tree_size(conn)


class PublicLog(Protocol):
    """The service as a read room sees it (``ledger.service.Ledger`` is one).

    The portal and the other read rooms take this, never ``Ledger`` itself, so that
    nothing they import reaches the writer (the sequencer, admission, the clients): what
    they can reach is what they can show.
    """

    @property
    def reads(self) -> ReadSide:
        """The one engine public reads go to (a replica when configured)."""
        ...

    @property
    def clock(self) -> Clock:
        """The ledger's one clock (a simulated one in tests and the demo)."""
        ...

    @property
    def time_zone(self) -> str:
        """The region's zone, WIB, WITA or WIT, in which pages show times."""
        ...

    def verifier_key(self) -> str:
        """The log's checkpoint verifier key (C2SP signed-note vkey)."""
        ...

    def witness_keys(self) -> list[str]:
        """The verifier keys of the witnesses asked to cosign (none: empty)."""
        ...


def record_tree_size(request: HasState, tree_size: int) -> None:
    """Note the size a response reflects; the smallest wins (rule 2)."""
    earlier = getattr(request.state, TREE_SIZE_STATE, None)
    if earlier is None or tree_size < earlier:
        setattr(request.state, TREE_SIZE_STATE, tree_size)


class TreeSizeHeader:
    """ASGI middleware: ``X-Terang-Tree-Size: N`` on every response a snapshot fed."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        # The same dict ``request.state`` writes to further in (Starlette's HTTPConnection).
        state: dict[str, Any] = scope.setdefault("state", {})

        async def send_with_size(message: Message) -> None:
            if message["type"] == "http.response.start":
                size = state.get(TREE_SIZE_STATE)
                if size is not None:
                    MutableHeaders(scope=message)[TREE_SIZE_HEADER] = str(size)
            await send(message)

        await self.app(scope, receive, send_with_size)
