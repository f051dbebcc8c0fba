"""The sequencer: the one writer that turns signed statements into log entries.

Life of a leaf (what each step guarantees):

0. ``Ledger.append`` admits the job first (``ledger.admission``: type, signer,
   signature, role, without the write lock), so what is refused there costs the
   sender, not the writers behind it in the queue.
1. ``submit(job)``: a job is one statement or one batch; a batch is atomic (all of
   it is logged or none). The job waits in a bounded queue (full: ``Unavailable``,
   503 + Retry-After). While the rollback guard holds (``ledger.rollback_guard``: this
   database is behind a checkpoint the log published), every job is refused here with
   503 ``log_behind_published``, and again before the transaction (``append_batch``).
2. The writer thread takes every waiting job (up to ``group_commit_statements_max``
   statements) and opens ONE database transaction holding the write lock
   (PostgreSQL advisory lock / SQLite ``BEGIN IMMEDIATE``), so several processes can
   share a database and still never assign a seq twice.
3. It reads the clock once, the head (size, last leaf hash and last ``logged_at``) and
   the Merkle frontier (O(log n) nodes); the batch's ``logged_at`` is
   ``max(clock, head's logged_at)``, so a clock set back stalls the log's time and
   never makes it run backwards (``replay.check_time_order``, which the verifier
   applies too). Then for each statement in order: idempotency (the same
   signer and nonce already logged: answer with the first receipt; a different
   statement under a used nonce: 409), clock skew, then ``replay.apply_entry``
   (type, signer, signature, role, reducer) on a staged overlay of the state.
   A rejected job discards its overlay and gives back its seqs. A reducer that raises
   anything but a ``TerangError`` rejects its own job only (``InvariantBroken``,
   logged as a bug): reducers touch only the in-memory overlay, so no SAVEPOINT is
   needed for that isolation, and the rest of the group commits.
4. Entries, new Merkle nodes and projection changes are inserted, and the
   transaction commits: the entry is now *sequenced and integrated*. A crash before
   the commit leaves none of it; after, all of it. On PostgreSQL with a synchronous
   standby the commit returns once the standby has it, so a receipt survives a
   failover. A group whose connection is lost mid-transaction (a killed or demoted
   primary) is tried once more on a fresh connection; it is idempotent by signer and
   nonce, so a COMMIT that did land before the loss is answered, not repeated.
5. The publisher may sign a checkpoint covering it (rate-limited): *published*.
   Receipts carry a tlog-proof once a checkpoint covers the entry.
"""

from __future__ import annotations

import json
import logging
import queue
import threading
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, select
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from ledger import merkle, storage
from ledger.authority import CLOCK_KEY, META_NAMESPACE, clock_is_simulated, key_document
from ledger.clock import Clock
from ledger.errors import (
    ClientError,
    Conflict,
    InvariantBroken,
    PayloadTooLarge,
    TerangError,
    Unavailable,
)
from ledger.kinds import KindRegistry
from ledger.limits import Limits
from ledger.replay import apply_entry, check_time_order, keys_to_prefetch
from ledger.state import Document, Overlay, State, copy_document
from ledger.statement import (
    ZERO_HASH,
    LoggedEntry,
    SignedStatement,
    b64decode_strict,
    format_time,
    parse_time,
)

if TYPE_CHECKING:
    from ledger.rollback_guard import RollbackGuard

log = logging.getLogger(__name__)


class NonceReused(Conflict):
    code = "nonce_reused"


class StatementsRefused(ClientError):
    """A job applied with ``every_refusal`` had refused statements; none of it was logged.

    ``refusals`` pairs each refused statement's index in the job with its error, in
    job order; ``details`` names the first (``statement_index``) and the count."""

    code = "statements_refused"

    def __init__(self, refusals: Sequence[tuple[int, TerangError]]) -> None:
        first_index, first = refusals[0]
        super().__init__(
            f"{len(refusals)} statement(s) of the job were refused, so none of it was"
            f" logged; the first, statement {first_index}: {first.code}: {first.message}",
            statement_index=first_index,
            refused_count=len(refusals),
        )
        self.refusals = list(refusals)


class ClockSkew(ClientError):
    code = "clock_skew"


@dataclass(frozen=True)
class Receipt:
    """What the log promises about one statement once its transaction committed."""

    seq: int
    leaf_hash: bytes
    logged_at: str
    duplicate: bool


class StoredState:
    """``State`` over ``projection_rows`` inside the writer's transaction."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.cache: dict[tuple[str, str], Document | None] = {}
        self.dirty: dict[tuple[str, str], Document] = {}
        # One lookup per reducer miss is the hot path of a batch: plain driver SQL
        # skips SQLAlchemy's expression building (measured ~3x faster per lookup).
        mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
        self._lookup_sql = (
            f"SELECT value FROM projection_rows WHERE namespace = {mark} AND key = {mark}"  # noqa: S608 (placeholders only)
        )

    def prefetch(self, keys: Iterable[tuple[str, str]]) -> None:
        """Load many documents in a few queries (absent ones are cached as absent)."""
        wanted = sorted({k for k in keys if k not in self.cache})
        p = storage.projection_rows.c
        for chunk in storage.in_chunks(wanted):
            for key in chunk:
                self.cache[key] = None
            rows = self.conn.execute(
                select(p.namespace, p.key, p.value).where(
                    storage.pairs_condition(p.namespace, p.key, chunk)
                )
            )
            for namespace, key, value in rows:
                self.cache[(namespace, key)] = json.loads(value)

    def get(self, namespace: str, key: str) -> Document | None:
        cache_key = (namespace, key)
        if cache_key not in self.cache:
            raw = self.conn.exec_driver_sql(self._lookup_sql, (namespace, key)).scalar()
            self.cache[cache_key] = None if raw is None else json.loads(raw)
        found = self.cache[cache_key]
        return None if found is None else copy_document(found)

    def put(self, namespace: str, key: str, value: Document) -> None:
        self.cache[(namespace, key)] = value
        self.dirty[(namespace, key)] = value

    def flush(self, seq: int) -> None:
        storage.upsert_projection(
            self.conn,
            {
                k: json.dumps(v, sort_keys=True, separators=(",", ":"))
                for k, v in self.dirty.items()
            },
            seq,
        )
        self.dirty = {}


@dataclass
class _Job:
    statements: Sequence[SignedStatement]
    future: Future[list[Receipt]]


def _existing_receipts(
    conn: Connection, statements: Sequence[SignedStatement]
) -> dict[tuple[str, str], tuple[Receipt, bytes]]:
    """Receipts (and entry bytes) already logged under any (signer, nonce) of these."""
    pairs = sorted({(s.statement.signer, s.statement.nonce) for s in statements})
    found: dict[tuple[str, str], tuple[Receipt, bytes]] = {}
    e = storage.entries.c
    for chunk in storage.in_chunks(pairs):
        rows = conn.execute(
            select(e.signer, e.nonce, e.seq, e.leaf_hash, e.logged_at, e.entry_bytes).where(
                storage.pairs_condition(e.signer, e.nonce, chunk)
            )
        )
        for signer, nonce, seq, leaf, logged_at, entry_bytes in rows:
            found[(signer, nonce)] = (
                Receipt(int(seq), bytes(leaf), logged_at, duplicate=True),
                bytes(entry_bytes),
            )
    return found


class Sequencer:
    def __init__(
        self,
        engine: Engine,
        kinds: KindRegistry,
        limits: Limits,
        clock: Clock,
        after_commit: Callable[[], object] | None = None,
        *,
        origin: str,
    ) -> None:
        self.engine = engine
        self.origin = origin
        """The log's origin: every signature is checked as made for this log."""
        self.kinds = kinds
        self.limits = limits
        self.clock = clock
        self.after_commit = after_commit
        self.on_batch: Callable[[int, int], object] | None = None
        """Told ``(statements, jobs)`` of each committed batch (terang.metrics)."""
        self._queue: queue.Queue[_Job | None] = queue.Queue(maxsize=limits.queue_jobs_max)
        self.guard: RollbackGuard | None = None
        """While it holds (``ledger.rollback_guard``), every job is refused with its 503
        before anything is read or written: this database is behind a published
        checkpoint, and a new entry would fork the log."""
        self._thread: threading.Thread | None = None

    # -- the synchronous core -------------------------------------------------------

    def append_batch(
        self, jobs: Sequence[Sequence[SignedStatement]], *, every_refusal: bool = False
    ) -> list[list[Receipt] | TerangError]:
        """Log several jobs in ONE transaction; each job is atomic on its own.

        Returns, per job, its receipts or the error that rejected it (nothing of a
        rejected job is logged). Used by the writer thread and by bulk tools.

        A job is refused at its first refused statement, unless ``every_refusal``: then
        each statement is applied on its own overlay, a refused one is set aside and the
        rest go on over what was accepted before it, and a job with any refusal is
        rejected with ``StatementsRefused`` naming every one. A bulk load (the DPA
        import) uses it to report every bad row from the one run of the reducers that
        also logs the good file, instead of a dry run first and the real run after.
        """
        if self.guard is not None:
            self.guard.refuse_if_held()
        results: list[list[Receipt] | TerangError] = []
        write = self.engine.connect().execution_options(**{storage.WRITE_LOCK_OPTION: True})
        with write as conn, conn.begin():
            storage.take_write_lock(conn)
            results = self._append_locked(conn, jobs, every_refusal=every_refusal)
        if self.after_commit is not None and any(isinstance(r, list) for r in results):
            try:
                self.after_commit()
            except Exception:  # publication is retried by the next batch or tick
                log.exception("publishing a checkpoint after commit failed")
        return results

    def _append_locked(
        self,
        conn: Connection,
        jobs: Sequence[Sequence[SignedStatement]],
        *,
        every_refusal: bool = False,
    ) -> list[list[Receipt] | TerangError]:
        clock_now = self.clock()
        now = clock_now
        size = storage.tree_size(conn)
        state = StoredState(conn)
        batch_state = Overlay(state)
        all_statements = [s for job in jobs for s in job]
        existing = _existing_receipts(conn, all_statements)
        state.prefetch(
            [
                (META_NAMESPACE, CLOCK_KEY),
                *(key for s in all_statements for key in keys_to_prefetch(self.kinds, s.statement)),
            ]
        )
        simulated = clock_is_simulated(state)
        prev = ZERO_HASH
        head_logged_at: str | None = None
        if size > 0:
            head = storage.head_at(conn, size - 1)
            if head is None:
                raise InvariantBroken(f"the log's head entry {size - 1} has no row")
            prev, head_logged_at = head
            if not simulated:
                # The log's time never goes back: a clock set back stalls it instead.
                now = max(now, parse_time(head_logged_at, field="logged_at"))
        logged_at = format_time(now)
        pending_by_nonce: dict[tuple[str, str], tuple[Receipt, bytes]] = {}
        new_rows: list[dict[str, Any]] = []
        results: list[list[Receipt] | TerangError] = []

        for job in jobs:
            job_state = Overlay(batch_state)
            job_receipts: list[Receipt] = []
            job_rows: list[dict[str, Any]] = []
            job_nonces: dict[tuple[str, str], tuple[Receipt, bytes]] = {}
            next_seq = size + len(new_rows)
            next_prev = new_rows[-1]["leaf_hash"] if new_rows else prev
            refusals: list[tuple[int, TerangError]] = []
            try:
                for index, signed in enumerate(job):
                    statement = signed.statement
                    nonce_key = (statement.signer, statement.nonce)
                    # With every_refusal, a statement's writes are staged on their own
                    # overlay, so a refused one leaves nothing for the ones after it.
                    target = Overlay(job_state) if every_refusal else job_state
                    try:
                        earlier = (
                            existing.get(nonce_key)
                            or pending_by_nonce.get(nonce_key)
                            or job_nonces.get(nonce_key)
                        )
                        if earlier is not None:
                            job_receipts.append(self._idempotent(earlier, signed, job_state))
                            continue
                        # Skew is judged against the clock as read (the client's view of now).
                        self._check_clock(statement.time, clock_now)
                        entry = LoggedEntry(next_seq, logged_at, next_prev, signed)
                        check_time_order(head_logged_at, entry, simulated=simulated)
                        entry_bytes = entry.entry_bytes()
                        if len(entry_bytes) > self.limits.entry_bytes_max:
                            raise PayloadTooLarge(
                                f"entry would be {len(entry_bytes)} bytes; the limit is "
                                f"{self.limits.entry_bytes_max}",
                                code="entry_too_large",
                            )
                        apply_entry(target, self.kinds, entry, origin=self.origin)
                    except TerangError as refused:
                        refused.details.setdefault("statement_index", index)
                        if not every_refusal:
                            raise
                        refusals.append((index, refused))
                        continue
                    if target is not job_state:
                        target.commit()
                    leaf = merkle.leaf_hash(entry_bytes)
                    receipt = Receipt(next_seq, leaf, logged_at, duplicate=False)
                    job_receipts.append(receipt)
                    job_nonces[nonce_key] = (receipt, entry_bytes)
                    job_rows.append(
                        {
                            "seq": next_seq,
                            "leaf_hash": leaf,
                            "entry_bytes": entry_bytes,
                            "statement_type": statement.type,
                            "subject": statement.subject,
                            "signer": statement.signer,
                            "nonce": statement.nonce,
                            "logged_at": logged_at,
                        }
                    )
                    next_seq += 1
                    next_prev = leaf
                if refusals:
                    raise StatementsRefused(refusals)
            except TerangError as error:
                error.details.setdefault("statement_index", len(job_receipts))
                results.append(error)
                continue
            except SQLAlchemyError:
                raise  # the database failed: the whole transaction is lost, not one job
            except Exception as exc:
                # A reducer raised something it should never raise (a bug, or input a
                # reducer failed to refuse). Reducers write only to ``job_state``, an
                # in-memory overlay, and nothing reaches the database before the loop
                # ends; so discarding the overlay isolates the fault to this job, and the
                # other jobs of the group still commit. It is logged as a bug.
                log.exception("a reducer raised %s: job rejected as a broken invariant", exc)
                results.append(
                    InvariantBroken(
                        f"applying statement {len(job_receipts)} of this job failed"
                        f" unexpectedly ({type(exc).__name__}); nothing of it was logged",
                        statement_index=len(job_receipts),
                    )
                )
                continue
            job_state.commit()
            pending_by_nonce.update(job_nonces)
            new_rows.extend(job_rows)
            results.append(job_receipts)

        if new_rows:
            storage.insert_entries(conn, new_rows)
            frontier = storage.fetch_nodes(conn, merkle.nodes_for_root(size))
            leaves = [row["leaf_hash"] for row in new_rows]
            storage.insert_nodes(
                conn,
                merkle.append_leaves(size, frontier, leaves),
            )
            batch_state.commit()
            state.flush(size + len(new_rows) - 1)
        return results

    def _idempotent(
        self, earlier: tuple[Receipt, bytes], signed: SignedStatement, state: State
    ) -> Receipt:
        """The first receipt for a repeat; 409 for a different statement under a used nonce.

        Either answer is given only to a correctly signed request, so nobody can learn
        whether a nonce was used, or get a receipt, without the signer's key.
        """
        receipt, entry_bytes = earlier
        logged = LoggedEntry.parse(entry_bytes, self.limits)
        if logged.signed.signature != signed.signature:
            signer = key_document(state, signed.statement.signer)
            if signer is None:
                raise InvariantBroken("a logged statement's signer is not in the registry")
            signed.verify(
                b64decode_strict(signer["public_key"], field="public_key"), origin=self.origin
            )
        if logged.signed.statement.canonical() != signed.statement.canonical():
            raise NonceReused(
                f"nonce {signed.statement.nonce!r} was already used by this signer for a "
                f"different statement (seq {receipt.seq})",
                seq=receipt.seq,
            )
        return replace(receipt, duplicate=True)

    def _check_clock(self, client_time: str, now: datetime) -> None:
        skew_s = abs((parse_time(client_time) - now).total_seconds())
        if skew_s > self.limits.clock_skew_s_max:
            raise ClockSkew(
                f"statement time {client_time} is {skew_s:.0f} s from the log's clock "
                f"{format_time(now)}; the window is ±{self.limits.clock_skew_s_max} s",
                skew_s=int(skew_s),
                window_s=self.limits.clock_skew_s_max,
            )

    # -- the writer thread (group commit) -------------------------------------------

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="terang-sequencer", daemon=True)
            self._thread.start()

    @property
    def running(self) -> bool:
        """Whether the writer thread is alive (``/readyz``): a dead writer takes no writes."""
        return self._thread is not None and self._thread.is_alive()

    @property
    def queue_jobs(self) -> int:
        """Jobs waiting for the writer now (approximate, as ``Queue.qsize`` is)."""
        return self._queue.qsize()

    def stop(self) -> None:
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join(timeout=30)
            self._thread = None

    def submit(self, statements: Sequence[SignedStatement]) -> Future[list[Receipt]]:
        """Queue one atomic job; the future resolves after its transaction commits."""
        if len(statements) > self.limits.batch_statements_max:
            raise PayloadTooLarge(
                f"a batch holds at most {self.limits.batch_statements_max} statements",
                code="batch_too_large",
            )
        if self.guard is not None:
            self.guard.refuse_if_held()  # at once, not after a wait in the queue
        future: Future[list[Receipt]] = Future()
        try:
            self._queue.put_nowait(_Job(statements, future))
        except queue.Full as exc:
            raise Unavailable("the sequencer queue is full", retry_after_s=1) from exc
        if self._thread is None:
            self.start()
        return future

    def _run(self) -> None:
        while True:
            first = self._queue.get()
            if first is None:
                return
            jobs = [first]
            count = len(first.statements)
            stop = False
            while count < self.limits.group_commit_statements_max:
                try:
                    more = self._queue.get_nowait()
                except queue.Empty:
                    break
                if more is None:
                    stop = True
                    break
                jobs.append(more)
                count += len(more.statements)
            self._process(jobs)
            if stop:
                return

    def _process(self, jobs: list[_Job]) -> None:
        statements = [job.statements for job in jobs]
        try:
            try:
                results = self.append_batch(statements)
            except DBAPIError as lost:
                if not lost.connection_invalidated:
                    raise
                # The connection died under the transaction (the primary was killed or
                # demoted, a failover): SQLAlchemy has dropped it and invalidated the pool.
                # Try the group ONCE more on a fresh connection, which the multi-host URL
                # takes to whichever node is now the writable primary. Safe even if the
                # lost COMMIT did reach the database: every statement is looked up by
                # signer and nonce first, so it is answered with its first receipt, never
                # logged twice. While no primary is reachable the retry fails fast too,
                # and each job's client gets 503 database_unavailable and resends.
                log.warning("append transaction lost its connection (%s); retrying once", lost)
                results = self.append_batch(statements)
        except Exception as exc:
            # The whole transaction failed: nothing of it was logged, or (a COMMIT whose
            # answer was lost) all of it was, and a resend is answered with its receipt.
            if storage.database_unavailable(exc):
                log.warning("append transaction: the database is out of reach (%s)", exc)
            else:
                log.exception("append transaction failed")
            for job in jobs:
                job.future.set_exception(exc)
            return
        for job, result in zip(jobs, results, strict=True):
            if isinstance(result, list):
                job.future.set_result(result)
            else:
                job.future.set_exception(result)
        if self.on_batch is not None:
            self.on_batch(sum(len(job.statements) for job in jobs), len(jobs))
