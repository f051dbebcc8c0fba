"""Rebuilding the projections from the log (``terang rebuild-projections``).

Projections (``projection_rows``) are a deterministic function of the log (DESIGN,
invariant 8). When a release changes what a reducer writes, the rows the older code
wrote differ from what today's reducers make of the same entries, and ``terang
verify`` fails with ``projection_mismatch`` or ``projection_missing`` (a log written
before ef3f47d has no ``procurement.document`` rows); so does a row forged behind the
service's back. Replaying the log repairs both. Steps, each one raising before
anything is written:

1. the log's origin is read from its genesis (entry 0), so no key is needed;
2. WITHOUT any lock, every entry up to the size seen at the start is replayed through
   ``audit.verifier.LogReplayer``, the verifier's own replay (strict parse, seq, prev
   chain, format version, time order, type, signer, signature, role, the module's
   reducer), into a FRESH in-memory state: nothing of the old projections is read.
   The service keeps serving reads and writes meanwhile; entries it appends are
   replayed in further unlocked rounds while they keep coming
   (``CATCH_UP_ROUNDS_MAX``), so that little is left for step 3;
3. the sequencer's write lock is taken (``storage.take_write_lock``: SQLite ``BEGIN
   IMMEDIATE``, PostgreSQL ``pg_advisory_xact_lock(POSTGRES_SEQUENCER_LOCK_ID)``, the
   very calls the sequencer makes), the entries appended since are replayed, and in
   the SAME transaction every live row is compared with the rebuilt state and the
   difference written: rows the replay does not have are deleted, missing ones
   inserted, differing ones rewritten. The rebuild requests migrations left
   (``projection_rebuild_requests``) are deleted, and the transaction commits.

Why one transaction writing the difference, rather than a new table renamed into place:

* it is atomic on both engines with one code path. A reader's snapshot (SQLite WAL;
  PostgreSQL MVCC, each statement at READ COMMITTED) holds all of the old rows or all
  of the new, never an empty or half-swapped table; a crash before the commit leaves
  the old rows and the request standing, and the rebuild is simply run again;
* it needs only what the service role holds already on ``projection_rows`` (SELECT,
  INSERT, UPDATE, DELETE: migration 0001). ``ALTER TABLE ... RENAME`` needs the
  table's owner, and on PostgreSQL DROP and RENAME take an ACCESS EXCLUSIVE lock that
  queues behind every running read and blocks every later one: readers would stall,
  not just writers. SQLite would rewrite its schema under the readers' feet;
* on a healthy database the difference is small: writes are held for one scan of the
  table, compared row by row as text (the rebuilt documents are serialised before the
  lock is taken), and a few writes, not for rewriting every row. The pause grows with
  the number of rows, not of entries (``bench/results/rebuild.json``).

The fresh table is the replayed state itself, the same ``DictState`` the verifier
replays into: its memory grows with the number of documents, not with the log
(``bench/results/rebuild.json``).

Writes during a rebuild continue through step 2 (checked against the old rows, as
they would be without a rebuild) and PAUSE in step 3: the sequencer's next
transaction waits for the lock (SQLite: up to its busy timeout, 30 s; PostgreSQL: as
long as it takes) while requests wait in its bounded queue (full: 503 +
Retry-After). The report says how long (``write_pause_s``). An entry the service
appended during step 2 was checked against the old rows; if today's reducers refuse
it, the rebuild stops there and changes nothing (``rebuild_log_fault``), as ``terang
verify`` would.

A rebuilt row's ``updated_seq`` is the seq of the last entry that wrote the document
in the replay; the verifier compares a row with the replay right after that entry,
which is exactly the document written then. A row equal to the replay is left as it
is, and so is its ``updated_seq`` (the service's: the last entry of the batch that
wrote it, never below the last writer), unless that is not an entry below the size.

What is derived, and what is not:

* ``projection_rows`` is every module's reducer state (keys and roles, budget lines,
  tenders, bids, vendors, document references): the one derived table, rebuilt here;
* ``ledger_entries``, ``ledger_tree_nodes``, ``ledger_checkpoints`` and
  ``ledger_cosignatures`` are the log and the evidence about it (the tree nodes are a
  function of the entries, but append-only and checked by the verifier tile by tile):
  never written here;
* ``procurement_document_blobs`` holds the bytes people uploaded, which the log names
  only by hash: not derived, never written here;
* the portal's in-memory budget sums (``portal.budget_figures``) are cached by the
  fiscal year document's ``updated_seq``: a running ``terang serve`` may keep sums of
  the old rows until that year's next posting. Restart it after a rebuild that
  changed rows (the CLI says so).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import Engine, delete, inspect, select
from sqlalchemy.engine import Connection

from audit.limits import CATCH_UP_LOCKED_ENTRIES_MAX, CATCH_UP_ROUNDS_MAX, CHANGED_EXAMPLES_MAX
from audit.verifier import LogFault, LogReplayer
from ledger import storage
from ledger.errors import ClientError, TerangError, VerificationError
from ledger.kinds import KindRegistry
from ledger.limits import QUERY_KEYS_MAX, Limits
from ledger.state import DictState, Document, Key
from ledger.statement import LoggedEntry

ENTRIES_PER_READ = 1000
"""Entries read per query in the replay (each read in its own short transaction)."""

Progress = Callable[[int, int], None]
"""Called with (entries replayed, entries to replay) as the replay goes."""


class RebuildRefused(VerificationError):
    """The log does not replay under today's reducers: nothing was changed."""

    code = "rebuild_log_fault"


class RebuildNoSchema(ClientError):
    """The database holds no Terang log at all: nothing was changed."""

    code = "rebuild_no_schema"


class RebuildEmptyLog(TerangError):
    """There is no genesis to replay from: nothing was changed."""

    http_status = 409
    code = "rebuild_empty_log"


@dataclass(frozen=True)
class RebuildReport:
    origin: str
    tree_size: int
    """The log size the projections reflect at the commit."""
    rows_before: int
    rows_after: int
    inserted: int
    updated: int
    deleted: int
    unchanged: int
    entries_replayed_locked: int
    """Entries appended during the unlocked replay, replayed under the write lock."""
    replay_s: float
    """Wall time of the unlocked replay (writes flowing)."""
    write_pause_s: float
    """How long the write lock was held: writes paused for this long."""
    total_s: float
    requests_cleared: list[str]
    """Revisions whose rebuild requests this rebuild fulfilled (and deleted)."""
    changed_examples: list[str]
    """Up to ``CHANGED_EXAMPLES_MAX`` changed rows as ``inserted namespace/key`` etc."""
    dry_run: bool

    @property
    def changed(self) -> int:
        return self.inserted + self.updated + self.deleted

    def to_json(self) -> dict[str, object]:
        return {
            "ok": True,
            "dry_run": self.dry_run,
            "origin": self.origin,
            "tree_size": self.tree_size,
            "rows_before": self.rows_before,
            "rows_after": self.rows_after,
            "inserted": self.inserted,
            "updated": self.updated,
            "deleted": self.deleted,
            "unchanged": self.unchanged,
            "changed_examples": self.changed_examples,
            "entries_replayed_locked": self.entries_replayed_locked,
            "replay_s": round(self.replay_s, 3),
            "write_pause_s": round(self.write_pause_s, 3),
            "seconds": round(self.total_s, 3),
            "entries_per_second": round(self.tree_size / max(self.total_s, 1e-6)),
            "requests_cleared": self.requests_cleared,
        }


class _WriterTrackingState(DictState):
    """The replay's state, remembering which entry last wrote each document, and each
    document's row text once ``serialise_pending`` has run."""

    def __init__(self) -> None:
        super().__init__()
        self.seq = -1
        """The entry being replayed (set before each one is fed)."""
        self.written_by: dict[Key, int] = {}
        self.row_text: dict[Key, str] = {}
        """``value`` as the sequencer would store it, for documents not written since."""
        self._unserialised: set[Key] = set()

    def put(self, namespace: str, key: str, value: Document) -> None:
        super().put(namespace, key, value)
        self.written_by[(namespace, key)] = self.seq
        self._unserialised.add((namespace, key))

    def serialise_pending(self) -> None:
        """Serialise the documents written since the last call. Run once before the
        write lock is taken, so under it only the catch-up's documents are serialised
        (measured: serialising was most of the comparison's cost)."""
        for key in self._unserialised:
            # The bytes the sequencer writes (``StoredState.flush``), so an equal row
            # compares equal as text and is left alone.
            self.row_text[key] = json.dumps(
                self.documents[key], sort_keys=True, separators=(",", ":")
            )
        self._unserialised = set()


@dataclass
class _Replay:
    replayer: LogReplayer
    state: _WriterTrackingState
    on_progress: Progress | None
    target: int = 0
    """The size the replay is heading for (the progress callback's total)."""

    def run_to(self, conn: Connection, size: int) -> int:
        """Replay entries ``replayer.size`` .. ``size - 1`` read through ``conn``."""
        start = self.replayer.size
        e = storage.entries.c
        while self.replayer.size < size:
            stop = min(size, self.replayer.size + ENTRIES_PER_READ)
            rows = conn.execute(
                select(e.seq, e.entry_bytes)
                .where(e.seq >= self.replayer.size, e.seq < stop)
                .order_by(e.seq)
            ).all()
            if len(rows) != stop - self.replayer.size:
                raise RebuildRefused(
                    f"entries {self.replayer.size}..{stop - 1} are not all stored (found "
                    f"{len(rows)}): the log has a gap; nothing was changed",
                    seq=self.replayer.size,
                )
            for seq, entry_bytes in rows:
                self.state.seq = int(seq)
                try:
                    self.replayer.feed(bytes(entry_bytes))
                except LogFault as fault:
                    raise RebuildRefused(
                        f"the log does not replay under this release's reducers: "
                        f"{fault.message}; nothing was changed (run terang verify for the "
                        "full report)",
                        seq=fault.details.get("seq", int(seq)),
                        fault=fault.details.get("fault", fault.code),
                    ) from fault
            self.replayer.take_full_tiles()  # tiles are the verifier's; drop them here
            self._progress()
        return self.replayer.size - start

    def _progress(self) -> None:
        if self.on_progress is not None:
            self.on_progress(self.replayer.size, self.target)


def log_origin(engine: Engine, limits: Limits) -> str:
    """The origin named by the log's genesis (entry 0)."""
    e = storage.entries.c
    with engine.connect() as conn:
        if not inspect(conn).has_table(storage.entries.name):
            raise RebuildNoSchema(
                "this database has no Terang schema (no ledger_entries table): is --db the "
                "right database? (terang init sets one up)"
            )
        raw = conn.execute(select(e.entry_bytes).where(e.seq == 0)).scalar()
    if raw is None:
        raise RebuildEmptyLog(
            "the log has no entries: there is nothing to rebuild (terang init writes the genesis)"
        )
    try:
        genesis = LoggedEntry.parse(bytes(raw), limits)
    except TerangError as exc:
        raise RebuildRefused(
            f"entry 0 does not parse: {exc.message}; nothing was changed", seq=0
        ) from exc
    origin = genesis.signed.statement.body.get("origin")
    if not isinstance(origin, str) or not origin:
        raise RebuildRefused("the genesis names no origin; nothing was changed", seq=0)
    return origin


def rebuild_projections(
    engine: Engine,
    kinds: KindRegistry,
    limits: Limits,
    *,
    dry_run: bool = False,
    on_progress: Progress | None = None,
    before_commit: Callable[[Connection], object] | None = None,
) -> RebuildReport:
    """Replay the log into fresh projections and swap them in (module docstring).

    ``dry_run``: compute and report the difference under the lock, write nothing.
    ``before_commit``: called inside the swap transaction after every write, just
    before the commit (tests use it to read from another connection mid-swap).
    """
    started = time.monotonic()
    origin = log_origin(engine, limits)
    state = _WriterTrackingState()
    replay = _Replay(LogReplayer(kinds, limits, origin, state=state), state, on_progress)
    # Step 2: unlocked rounds, each to the size seen as it starts, while entries come in.
    size = _size(engine)
    for _round in range(1 + CATCH_UP_ROUNDS_MAX):
        replay.target = size
        while replay.replayer.size < size:
            # One short read transaction per page: a long one would hold back SQLite's
            # WAL checkpoints and PostgreSQL's vacuum for the whole replay.
            with engine.connect() as conn:
                replay.run_to(conn, min(size, replay.replayer.size + ENTRIES_PER_READ))
        size = _size(engine)
        if size - replay.replayer.size <= CATCH_UP_LOCKED_ENTRIES_MAX:
            break
    state.serialise_pending()
    replay_s = time.monotonic() - started
    # Step 3: under the sequencer's write lock.
    write = engine.connect().execution_options(**{storage.WRITE_LOCK_OPTION: True})
    with write as conn:
        transaction = conn.begin()
        try:
            storage.take_write_lock(conn)
            locked_at = time.monotonic()
            size = replay.target = storage.tree_size(conn)
            locked_entries = replay.run_to(conn, size)
            state.serialise_pending()
            swap = _difference(conn, state)
            requests = _requests(conn)
            if not dry_run:
                _write(conn, swap, state)
                if requests:
                    conn.execute(delete(storage.projection_rebuild_requests))
            if before_commit is not None:
                before_commit(conn)
        except BaseException:
            transaction.rollback()
            raise
        if dry_run:
            transaction.rollback()
        else:
            transaction.commit()
        write_pause_s = time.monotonic() - locked_at
    return RebuildReport(
        origin=origin,
        tree_size=size,
        rows_before=swap.rows_before,
        rows_after=len(state.documents),
        inserted=len(swap.inserted),
        updated=len(swap.updated),
        deleted=len(swap.deleted),
        unchanged=swap.unchanged,
        entries_replayed_locked=locked_entries,
        replay_s=replay_s,
        write_pause_s=write_pause_s,
        total_s=time.monotonic() - started,
        requests_cleared=[] if dry_run else requests,
        changed_examples=swap.examples(),
        dry_run=dry_run,
    )


@dataclass
class _Swap:
    rows_before: int = 0
    unchanged: int = 0
    inserted: list[Key] = field(default_factory=list)
    updated: list[Key] = field(default_factory=list)
    deleted: list[Key] = field(default_factory=list)

    def examples(self) -> list[str]:
        named = [
            *(f"deleted {ns}/{key}" for ns, key in self.deleted),
            *(f"inserted {ns}/{key}" for ns, key in self.inserted),
            *(f"updated {ns}/{key}" for ns, key in self.updated),
        ]
        return named[:CHANGED_EXAMPLES_MAX]


def _difference(conn: Connection, state: _WriterTrackingState) -> _Swap:
    """Compare every live row with the rebuilt state (one scan of the table)."""
    swap = _Swap()
    size = storage.tree_size(conn)
    p = storage.projection_rows.c
    seen: set[Key] = set()
    for namespace, key, value, updated_seq in conn.execute(
        select(p.namespace, p.key, p.value, p.updated_seq)
    ):
        swap.rows_before += 1
        row_key = (str(namespace), str(key))
        seen.add(row_key)
        rebuilt = state.row_text.get(row_key)
        if rebuilt is None:
            swap.deleted.append(row_key)
        elif value == rebuilt and (state.written_by[row_key] <= int(updated_seq) < size):
            swap.unchanged += 1
        else:
            swap.updated.append(row_key)
    swap.inserted = sorted(set(state.documents) - seen)
    swap.deleted.sort()
    swap.updated.sort()
    return swap


def _write(conn: Connection, swap: _Swap, state: _WriterTrackingState) -> None:
    p = storage.projection_rows.c
    for start in range(0, len(swap.deleted), QUERY_KEYS_MAX):
        chunk = swap.deleted[start : start + QUERY_KEYS_MAX]
        conn.execute(
            delete(storage.projection_rows).where(
                storage.pairs_condition(p.namespace, p.key, chunk)
            )
        )
    storage.upsert_projection_rows(
        conn,
        [
            (namespace, key, state.row_text[(namespace, key)], state.written_by[(namespace, key)])
            for namespace, key in [*swap.inserted, *swap.updated]
        ],
    )


def _size(engine: Engine) -> int:
    with engine.connect() as conn:
        return storage.tree_size(conn)


def _requests(conn: Connection) -> list[str]:
    """Revisions with a standing rebuild request (none on a schema before 0005)."""
    requests = storage.projection_rebuild_requests
    if not inspect(conn).has_table(requests.name):
        return []
    return [
        str(revision)
        for (revision,) in conn.execute(select(requests.c.revision).order_by(requests.c.revision))
    ]
