"""Publication: signing checkpoints over the integrated tree, rate-limited, all kept.

A checkpoint is signed over (origin, size, root) where the root is computed from
O(log n) stored perfect-subtree nodes. Every checkpoint is inserted into the
append-only ``ledger_checkpoints`` table, so the full history of what the log
claimed is kept and any two can be checked for consistency.

Guarantee: once ``publish`` returns a checkpoint of size n, every entry below n is
*published*: a tlog-proof for it can be served from then on.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import Engine, func, select
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from ledger import log_keys, merkle, storage
from ledger.checkpoint import Checkpoint, sign_checkpoint
from ledger.clock import Clock
from ledger.errors import BadSetting
from ledger.note import Signer, sign_note
from ledger.statement import format_time

if TYPE_CHECKING:
    from ledger.rollback_guard import RollbackGuard

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PublishedCheckpoint:
    size: int
    root_hash: bytes
    note: str


def latest_checkpoint(conn: Connection) -> PublishedCheckpoint | None:
    c = storage.checkpoints.c
    size = conn.execute(select(func.max(c.tree_size))).scalar()
    if size is None:
        return None
    return checkpoint_at(conn, int(size))


def checkpoint_at(conn: Connection, size: int) -> PublishedCheckpoint | None:
    c = storage.checkpoints.c
    row = conn.execute(select(c.tree_size, c.root_hash, c.note).where(c.tree_size == size)).first()
    if row is None:
        return None
    return PublishedCheckpoint(int(row.tree_size), bytes(row.root_hash), row.note)


def checkpoint_covering(conn: Connection, seq: int) -> PublishedCheckpoint | None:
    """The latest checkpoint that includes entry ``seq``."""
    latest = latest_checkpoint(conn)
    if latest is None or latest.size <= seq:
        return None
    return latest


def stored_rotations(conn: Connection) -> list[log_keys.Rotation]:
    """The rotations in the database's projection (one small read)."""
    c = storage.projection_rows.c
    value = conn.execute(
        select(c.value).where(
            c.namespace == log_keys.META_NAMESPACE, c.key == log_keys.LOG_KEYS_KEY
        )
    ).scalar()
    return [] if value is None else log_keys.rotations_from_document(json.loads(value))


def key_history(conn: Connection, held_size: int, genesis_key: str) -> list[dict[str, object]]:
    """Which key signs which tree sizes (``ledger.log_keys``), with each hand-over
    checkpoint published within ``held_size``: what ``GET /log/key-history`` answers and
    ``terang publish-tiles`` writes as ``key-history``. ``genesis_key``: the log's first
    key, named when the log never rotated."""
    rotations = stored_rotations(conn)
    first = rotations[0].previous.verifier_key() if rotations else genesis_key
    history: list[dict[str, object]] = [
        {"verifier_key": first, "from_size": 0, "rotation_seq": None, "handover_checkpoint": None}
    ]
    c = storage.checkpoints.c
    for rotation in rotations:
        note = conn.execute(
            select(c.note)
            .where(c.tree_size > rotation.seq, c.tree_size <= held_size)
            .order_by(c.tree_size)
            .limit(1)
        ).scalar()
        history.append(
            {
                "verifier_key": rotation.new.verifier_key(),
                "from_size": rotation.from_size,
                "rotation_seq": rotation.seq,
                "handover_checkpoint": note,
            }
        )
    return history


class LogKeyNotHeld(BadSetting):
    """The key in force for the next checkpoint (after a rotation) is not configured."""

    code = "log_key_not_held"


def checkpoint_signers(
    keys: dict[str, Signer],
    signer: Signer,
    rotations: list[log_keys.Rotation],
    size: int,
    latest_size: int,
) -> list[Signer]:
    """Who signs the checkpoint of ``size`` (``ledger.log_keys``): the key in force,
    and the previous one too on a hand-over. No rotation: ``signer`` alone."""
    if not rotations:
        return [signer]
    genesis = rotations[0].previous.verifier_key()
    needed = [log_keys.key_in_force(genesis, rotations, size)]
    handover = log_keys.handover_rotation(rotations, size, latest_size)
    if handover is not None:
        needed.append(handover.previous.verifier_key())
    missing = [vkey for vkey in needed if vkey not in keys]
    if missing:
        raise LogKeyNotHeld(
            f"the checkpoint of size {size} must be signed by {', '.join(missing)}, which "
            "this service does not hold: set TERANG_LOG_KEY_FILE (and, until the "
            "hand-over checkpoint is published, TERANG_NEXT_LOG_KEY_FILE) to the log's "
            'key files (docs/runbook.md, "Rotate the log key")',
            missing=missing,
        )
    return [keys[vkey] for vkey in needed]


class Publisher:
    def __init__(
        self,
        engine: Engine,
        signer: Signer,
        origin: str,
        clock: Clock,
        interval_ms_min: int,
        keys: dict[str, Signer] | None = None,
    ) -> None:
        self.engine = engine
        self.signer = signer
        self.keys = keys if keys is not None else {signer.verifier_key(): signer}
        """Every log key this service holds, by verifier key (``ledger.log_keys``)."""
        self.origin = origin
        self.clock = clock
        self.interval_s_min = interval_ms_min / 1000
        self._last_publish_monotonic = 0.0
        self._lock = threading.Lock()
        self.published_size = 0
        """The largest checkpoint size this process has published or seen (a lower bound
        when other processes publish too): lets a receipt skip the database when no
        checkpoint can cover its entry yet."""
        self.after_publish: Callable[[PublishedCheckpoint], object] | None = None
        """Called with each newly signed checkpoint (witnessing); must not block."""
        self.guard: RollbackGuard | None = None
        """While it holds (``ledger.rollback_guard``), nothing is signed; each newly
        signed checkpoint is kept in its state file before any witness hears of it."""

    def run_until(self, stop: threading.Event) -> None:
        """Publish every ``interval`` while entries are waiting: the batch that was
        rate-limited still gets its checkpoint, at most one interval later."""
        while not stop.wait(max(self.interval_s_min, 0.05)):
            try:
                self.publish()
            except Exception as error:  # a failed tick is retried at the next one
                if storage.database_unavailable(error):
                    # A restart or a failover: push back, not a bug. One line, no trace.
                    log.warning(
                        "publishing a checkpoint: the database is out of reach (%s)",
                        type(error).__name__,
                    )
                else:
                    log.exception("publishing a checkpoint failed")

    def publish(self, *, force: bool = False) -> PublishedCheckpoint | None:
        """Sign a checkpoint for the current size, unless rate-limited or unchanged, or
        held by the rollback guard (then None: a database behind a checkpoint this key
        already signed must not sign another)."""
        if self.guard is not None and self.guard.finding is not None:
            return None
        with self._lock:
            if not force and time.monotonic() - self._last_publish_monotonic < self.interval_s_min:
                return None
            try:
                with self.engine.begin() as conn:
                    size = storage.tree_size(conn)
                    latest = latest_checkpoint(conn)
                    if latest is not None and latest.size >= size:
                        self.published_size = max(self.published_size, latest.size)
                        return latest
                    nodes = storage.fetch_nodes(conn, merkle.nodes_for_root(size))
                    root = merkle.root_hash(size, nodes)
                    checkpoint = Checkpoint(self.origin, size, root)
                    rotations = stored_rotations(conn)
                    if rotations:
                        signers = checkpoint_signers(
                            self.keys,
                            self.signer,
                            rotations,
                            size,
                            0 if latest is None else latest.size,
                        )
                        note = sign_note(checkpoint.to_text(), signers)
                    else:  # byte-identical to a log that never rotated
                        note = sign_checkpoint(checkpoint, self.signer)
                    conn.execute(
                        storage.checkpoints.insert().values(
                            tree_size=size,
                            root_hash=root,
                            note=note,
                            published_at=format_time(self.clock()),
                        )
                    )
            except IntegrityError:
                # Another process published this size first; its note is as good.
                with self.engine.connect() as again:
                    return checkpoint_at(again, size)
            self._last_publish_monotonic = time.monotonic()
            self.published_size = max(self.published_size, size)
            published = PublishedCheckpoint(size, root, note)
            if self.guard is not None:
                # After the commit, so the file is never ahead of the database.
                self.guard.save(note)
            if self.after_publish is not None:
                try:
                    self.after_publish(published)
                except Exception:  # a hook never fails a publication
                    log.exception("the after-publish hook failed")
            return published
