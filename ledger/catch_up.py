"""Bring back what a restored database lacks from a mirror of the published log.

A database behind a published checkpoint (``ledger.rollback_guard``) can be brought up to
it from any copy of the published log: the entries are public, and the log's own signed
checkpoint says exactly which ones they are. ``catch_up`` appends them as they were logged
(same seq, time and ``prev``), never as new entries.

Rules, in the order applied (the first failure refuses the whole run, nothing written):

1. The mirror's ``checkpoint`` counts only when signed by this log's key for its origin.
   A checkpoint no larger than the local tree needs nothing appended; its root must still
   equal the local root at its size.
2. Entries ``local size .. n-1`` are read from the mirror's entry bundles
   (c2sp.org/tlog-tiles ``tile/entries/<N>[.p/<W>]``; a missing partial bundle is read
   from the full one). At most ``CATCH_UP_ENTRIES_MAX`` in one run: they are held in
   memory and written in one transaction.
3. Before anything is written: each entry parses strictly, carries the expected seq, and
   its ``prev`` is the leaf hash of the entry before; the local tree extended by their
   leaf hashes has the checkpoint's root. So they are exactly the entries the log signed.
4. Then in ONE write transaction holding the write lock, with the local size read again
   (a writer that got in meanwhile refuses the run): each entry is replayed as the
   sequencer applied it (``replay.check_time_order``, ``replay.apply_entry``: signer,
   role, signature, reducer) on the stored projections; the entries, their Merkle nodes,
   the projection changes and the checkpoint (its log signature only) are inserted.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from ledger import merkle, storage
from ledger.authority import CLOCK_KEY, META_NAMESPACE, clock_is_simulated
from ledger.checkpoint import Checkpoint, open_checkpoint_note
from ledger.errors import ClientError, TerangError
from ledger.limits import (
    CATCH_UP_ENTRIES_MAX,
    ENTRY_BUNDLE_BYTES_MAX,
    TILE_WIDTH,
)
from ledger.note import Note
from ledger.replay import apply_entry, check_time_order, keys_to_prefetch
from ledger.rollback_guard import Mirror
from ledger.sequencer import StoredState
from ledger.service import Ledger
from ledger.state import Overlay
from ledger.statement import ZERO_HASH, LoggedEntry, format_time
from ledger.tiles import decode_entry_bundle, entries_path


class CatchUpRefused(ClientError):
    """The mirror cannot bring this database up to its checkpoint; nothing was written."""

    code = "catch_up_refused"


@dataclass(frozen=True)
class CatchUpResult:
    source: str
    from_size: int
    to_size: int


def _bundle(mirror: Mirror, index: int, width: int | None) -> list[bytes]:
    data = mirror.get(entries_path(index, width), ENTRY_BUNDLE_BYTES_MAX)
    if data is None and width is not None:
        full = mirror.get(entries_path(index), ENTRY_BUNDLE_BYTES_MAX)
        return decode_entry_bundle(full, TILE_WIDTH)[:width] if full is not None else []
    if data is None:
        raise CatchUpRefused(f"{mirror.name} has no entry bundle {entries_path(index, width)}")
    return decode_entry_bundle(data, width or TILE_WIDTH)


def fetch_entries(mirror: Mirror, start: int, end: int) -> list[bytes]:
    """Entries ``start .. end-1`` from the mirror's entry bundles (rule 2)."""
    found: list[bytes] = []
    for index in range(start // TILE_WIDTH, (end - 1) // TILE_WIDTH + 1):
        width = None if (index + 1) * TILE_WIDTH <= end else end % TILE_WIDTH
        bundle = _bundle(mirror, index, width)
        if len(bundle) != (width or TILE_WIDTH):
            raise CatchUpRefused(f"{mirror.name}: entry bundle {index} is incomplete")
        first = index * TILE_WIDTH
        found.extend(bundle[max(start - first, 0) : end - first])
    return found


def catch_up(ledger: Ledger, mirror: Mirror) -> CatchUpResult:
    """Append the entries the mirror's checkpoint covers and this database lacks."""
    raw = mirror.note()
    if raw is None:
        raise CatchUpRefused(f"{mirror.name} has no checkpoint")
    opened = None
    error: TerangError | None = None
    for signer in ledger.log_keys.values():  # rule 1; across a rotation, either key
        try:
            opened = open_checkpoint_note(raw, ledger.origin, signer.verifier())
            break
        except TerangError as exc:
            error = error or exc
    if opened is None:
        detail = "" if error is None else f" ({error.message})"
        raise CatchUpRefused(f"{mirror.name}: its checkpoint is not signed by this log{detail}")
    checkpoint, note = opened
    local = ledger.size()
    with ledger.engine.connect() as conn:
        if checkpoint.size <= local:
            root = merkle.root_hash(
                checkpoint.size, storage.fetch_nodes(conn, merkle.nodes_for_root(checkpoint.size))
            )
            if root != checkpoint.root_hash:
                raise CatchUpRefused(
                    f"{mirror.name}: its checkpoint of size {checkpoint.size} has another root "
                    "than this database; there is nothing a catch-up can repair"
                )
            return CatchUpResult(mirror.name, local, local)
        frontier = storage.fetch_nodes(conn, merkle.nodes_for_root(local))
        head = storage.head_at(conn, local - 1) if local > 0 else None
    missing = checkpoint.size - local
    if missing > CATCH_UP_ENTRIES_MAX:
        raise CatchUpRefused(
            f"{missing} entries are missing, more than one run appends "
            f"({CATCH_UP_ENTRIES_MAX}); recover the database itself (point-in-time recovery)"
        )
    entries = _verified_entries(ledger, mirror, checkpoint, local, frontier, head)
    log_only = Note(note.text, (next(v.signature for v in note.verified),)).to_text()
    previous_logged_at = head[1] if head is not None else None
    _append_verified(ledger, checkpoint, log_only, local, previous_logged_at, entries)
    return CatchUpResult(mirror.name, local, checkpoint.size)


def _verified_entries(
    ledger: Ledger,
    mirror: Mirror,
    checkpoint: Checkpoint,
    local: int,
    frontier: dict[merkle.NodeId, bytes],
    head: tuple[bytes, str] | None,
) -> list[tuple[LoggedEntry, bytes]]:
    """Rule 3: the entries, proven to be the ones the checkpoint covers."""
    prev = head[0] if head is not None else ZERO_HASH
    entries: list[tuple[LoggedEntry, bytes]] = []
    leaves: list[bytes] = []
    for offset, entry_bytes in enumerate(fetch_entries(mirror, local, checkpoint.size)):
        seq = local + offset
        try:
            entry = LoggedEntry.parse(entry_bytes, ledger.limits)
        except TerangError as exc:
            raise CatchUpRefused(
                f"{mirror.name}: entry {seq} does not parse: {exc.message}"
            ) from exc
        if entry.seq != seq or entry.prev != prev:
            raise CatchUpRefused(f"{mirror.name}: entry {seq} is not the next link of the chain")
        prev = merkle.leaf_hash(entry_bytes)
        leaves.append(prev)
        entries.append((entry, entry_bytes))
    nodes = dict(frontier)
    nodes.update(merkle.append_leaves(local, frontier, leaves))
    if merkle.root_hash(checkpoint.size, nodes) != checkpoint.root_hash:
        raise CatchUpRefused(
            f"{mirror.name}: its entries do not hash to its checkpoint's root; nothing written"
        )
    return entries


def _append_verified(
    ledger: Ledger,
    checkpoint: Checkpoint,
    note: str,
    local: int,
    previous: str | None,
    entries: Sequence[tuple[LoggedEntry, bytes]],
) -> None:
    """Rule 4: replay and insert, all in one transaction."""
    write = ledger.engine.connect().execution_options(**{storage.WRITE_LOCK_OPTION: True})
    with write as conn, conn.begin():
        storage.take_write_lock(conn)
        if storage.tree_size(conn) != local:
            raise CatchUpRefused("the log grew while the mirror was read; nothing written")
        state = StoredState(conn)
        overlay = Overlay(state)
        state.prefetch(
            [
                (META_NAMESPACE, CLOCK_KEY),
                *(
                    k
                    for e, _ in entries
                    for k in keys_to_prefetch(ledger.kinds, e.signed.statement)
                ),
            ]
        )
        previous = storage.head_at(conn, local - 1)[1] if local > 0 else None  # type: ignore[index]
        rows: list[dict[str, Any]] = []
        for entry, entry_bytes in entries:
            try:
                check_time_order(previous, entry, simulated=clock_is_simulated(overlay))
                apply_entry(overlay, ledger.kinds, entry, origin=ledger.origin)
            except TerangError as exc:
                raise CatchUpRefused(
                    f"entry {entry.seq} does not replay ({exc.code}: {exc.message}); "
                    "nothing written"
                ) from exc
            previous = entry.logged_at
            statement = entry.signed.statement
            rows.append(
                {
                    "seq": entry.seq,
                    "leaf_hash": merkle.leaf_hash(entry_bytes),
                    "entry_bytes": entry_bytes,
                    "statement_type": statement.type,
                    "subject": statement.subject,
                    "signer": statement.signer,
                    "nonce": statement.nonce,
                    "logged_at": entry.logged_at,
                }
            )
        storage.insert_entries(conn, rows)
        frontier = storage.fetch_nodes(conn, merkle.nodes_for_root(local))
        storage.insert_nodes(
            conn, merkle.append_leaves(local, frontier, [row["leaf_hash"] for row in rows])
        )
        overlay.commit()
        state.flush(checkpoint.size - 1)
        exists = conn.execute(
            select(storage.checkpoints.c.tree_size).where(
                storage.checkpoints.c.tree_size == checkpoint.size
            )
        ).first()
        if exists is None:
            conn.execute(
                storage.checkpoints.insert().values(
                    tree_size=checkpoint.size,
                    root_hash=checkpoint.root_hash,
                    note=note,
                    published_at=format_time(ledger.clock()),
                )
            )
