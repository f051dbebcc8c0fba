"""``terang publish-tiles DIR``: the log's C2SP tlog-tiles tree as static files.

DIR then holds exactly what ``/log`` serves for the tlog-tiles paths (SPEC:
c2sp.org/tlog-tiles): ``checkpoint``, ``tile/<L>/<N>[.p/<W>]`` and
``tile/entries/<N>[.p/<W>]``, so any web server, object store or CDN serving DIR
under ``<base>/log/`` is a read API for ``terang verify --tiles-only`` and
``terang monitor --tiles-only`` (docs/operating.md, "Static tiles").

Life of a publish (``publish_once``), in this order:

1. read the latest checkpoint from the database (with the witness cosignatures
   it has collected) and the checkpoint DIR already holds, if any;
2. refuse (``MirrorDiverged``, nothing written) when DIR's checkpoint is of another
   origin, is larger than the database's, or has a root other than the database's
   checkpoint at its size: a restored older database or another log's database
   would otherwise overwrite a published history with a fork;
3. write every tile and entry bundle the new checkpoint needs that DIR does not
   hold: each file goes to a temporary name in its directory, is fsynced, renamed
   into place, and its directory fsynced. Full tiles never change, so an existing
   one is never rewritten (a rerun writes only what is new, and a rerun after a
   crash only what that crash left unwritten); a partial tile of a given width
   never changes either, so it too is written once;
   Once the log has rotated its key (``ledger.log_keys``), ``key-history`` (what
   ``GET /log/key-history`` answers, hand-over checkpoints included) is rewritten
   here too, before the checkpoint the new key signed;
4. write ``checkpoint`` the same way, LAST: a reader that sees a checkpoint finds
   every tile it needs, at every instant (a crash before this step leaves the old
   checkpoint, whose tiles are all still there);
5. only then delete the partial tiles that a full tile written in step 3
   supersedes (SPEC: tlog-tiles "MAY delete any partial tile once the
   corresponding full tile is available"; a reader still holding the older
   checkpoint falls back to the full tile, as ``audit.remote`` does).

The database is only read. Memory holds one tile at a time.
"""

from __future__ import annotations

import contextlib
import json
import shutil
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import InterfaceError, OperationalError

from audit.limits import CHECKPOINT_FILE_BYTES_MAX
from ledger import merkle, storage, tiles, witnessing
from ledger.checkpoint import Checkpoint
from ledger.errors import ClientError, DatabaseUnavailable, InvariantBroken, TerangError
from ledger.files import write_atomically
from ledger.limits import TILE_HEIGHT, TILE_WIDTH
from ledger.note import split_note
from ledger.publisher import checkpoint_at, key_history, latest_checkpoint, stored_rotations

CHECKPOINT_FILE = "checkpoint"
KEY_HISTORY_FILE = "key-history"
"""Which log key signs which sizes, as ``GET /log/key-history`` answers (``ledger.log_keys``);
written only once the log has rotated its key, rewritten before each checkpoint."""
FOLLOW_INTERVAL_S_DEFAULT = 2.0
TEMPORARY_PREFIX = ".terang-"
"""Temporary files start with a dot: the example nginx configuration never serves them."""


class MirrorDiverged(ClientError):
    """DIR holds a checkpoint this database cannot extend: publishing would fork it."""

    http_status = 409
    code = "mirror_diverged"


class PublishFailed(TerangError):
    """DIR could not be written (no space, no permission, not a directory): nothing that
    was published is damaged (every file is renamed whole, the checkpoint last)."""

    http_status = 503
    code = "publish_failed"


@dataclass
class PublishReport:
    tree_size: int
    previous_size: int | None
    """The size of the checkpoint DIR held before, None if it held none."""
    files_written: list[str] = field(default_factory=list)
    """Paths relative to DIR, in the order they were renamed into place."""
    partial_tiles_removed: int = 0
    checkpoint_written: bool = False
    """False when DIR already held this very checkpoint note (nothing to do)."""


def write_file_atomically(path: Path, data: bytes) -> None:
    """``data`` at ``path``, readable by the web server; a reader sees the old file or the
    whole new one, never a part; a crash may leave a stray temporary file, removed by the
    next run (``_remove_stray_temporaries``)."""
    write_atomically(path, data, mode=0o644, prefix=TEMPORARY_PREFIX)


def _remove_stray_temporaries(directory: Path) -> None:
    """Temporary files an interrupted run left (never a served name: they start with a dot)."""
    for stray in directory.rglob(TEMPORARY_PREFIX + "*.tmp"):
        with contextlib.suppress(FileNotFoundError):
            stray.unlink()


def _held_checkpoint(directory: Path) -> tuple[Checkpoint, str] | None:
    path = directory / CHECKPOINT_FILE
    if not path.exists():
        return None
    data = path.read_bytes()
    try:
        if len(data) > CHECKPOINT_FILE_BYTES_MAX:
            raise ClientError("too large to be a checkpoint")
        note = data.decode("utf-8")
        return Checkpoint.parse(split_note(note).text), note
    except (UnicodeDecodeError, TerangError) as exc:
        detail = exc.message if isinstance(exc, TerangError) else str(exc)
        raise MirrorDiverged(
            f"{path} is not a checkpoint ({detail}); refusing to publish over it",
            path=str(path),
        ) from exc


def _check_extends(
    conn: Connection, held: Checkpoint, origin: str, size: int, directory: Path
) -> None:
    """Step 2: DIR's checkpoint is one this database published, at or below its size."""
    if held.origin != origin:
        raise MirrorDiverged(
            f"{directory} holds tiles of the log {held.origin!r}, this database is {origin!r}",
            held_origin=held.origin,
        )
    if held.size > size:
        raise MirrorDiverged(
            f"{directory} holds a checkpoint of size {held.size}, newer than this "
            f"database's latest ({size}): is this a restored older database? Publishing "
            "would fork the published log (docs/operating.md, Backups)",
            held_size=held.size,
            database_size=size,
        )
    ours = checkpoint_at(conn, held.size)
    if ours is None or ours.root_hash != held.root_hash:
        raise MirrorDiverged(
            f"{directory} holds a checkpoint of size {held.size} whose root is not this "
            "database's root at that size: two histories; refusing to publish",
            held_size=held.size,
        )


def _entry_bundle(conn: Connection, index: int, width: int | None) -> bytes:
    e = storage.entries.c
    first = index * TILE_WIDTH
    count = width or TILE_WIDTH
    rows = conn.execute(
        select(e.entry_bytes).where(e.seq >= first, e.seq < first + count).order_by(e.seq)
    ).all()
    if len(rows) != count:
        raise InvariantBroken(
            f"entries {first}..{first + count - 1} are covered by a checkpoint but "
            f"{count - len(rows)} of them are not stored",
            first=first,
        )
    return tiles.encode_entry_bundle([bytes(r[0]) for r in rows])


def _hash_tile(conn: Connection, level: int, index: int, width: int | None) -> bytes:
    count = width or TILE_WIDTH
    tree_level, start, end = merkle.tile_node_range(level, index, count)
    n = storage.tree_nodes.c
    rows = conn.execute(
        select(n.hash).where(n.level == tree_level, n.idx >= start, n.idx < end).order_by(n.idx)
    ).all()
    if len(rows) != count:
        raise InvariantBroken(
            f"hash tile {level}/{index} of width {count}: {count - len(rows)} nodes are missing",
            level=level,
            index=index,
        )
    return b"".join(bytes(r[0]) for r in rows)


def _new_tiles(previous_size: int, size: int) -> list[tuple[int | None, int, int | None]]:
    """(level or None for bundles, index, width) of the tiles a tree of ``size`` has that
    one of ``previous_size`` may lack: full tiles from the previous size's first
    missing one on, and this size's partial tiles. Bundles first, then level by level."""
    out: list[tuple[int | None, int, int | None]] = []
    level = 0
    while size >> (TILE_HEIGHT * level) > 0:
        shift = TILE_HEIGHT * (level + 1)
        for index in range(previous_size >> shift, size >> shift):
            out.append((level, index, None))
        width = tiles.partial_tile_width(level, size)
        if width:
            out.append((level, size >> shift, width))
        level += 1
    bundles = [(None, index, width) for lvl, index, width in out if lvl == 0]
    return bundles + out


def _relative_path(level: int | None, index: int, width: int | None) -> str:
    return (
        tiles.entries_path(index, width) if level is None else tiles.tile_path(level, index, width)
    )


def publish_once(engine: Engine, directory: Path) -> PublishReport:
    """Publish the database's latest checkpoint and its tiles into ``directory``.

    Raises ``MirrorDiverged`` (step 2), ``PublishFailed`` when the directory cannot be
    written, and ``ClientError`` ``no_checkpoint`` when the log has published none yet.
    """
    try:
        return _publish(engine, directory)
    except OSError as exc:
        raise PublishFailed(f"cannot write {directory}: {exc}", path=str(directory)) from exc


def _publish(engine: Engine, directory: Path) -> PublishReport:
    if directory.exists() and not directory.is_dir():
        raise PublishFailed(f"{directory} is not a directory", path=str(directory))
    directory.mkdir(parents=True, exist_ok=True)
    _remove_stray_temporaries(directory)
    held = _held_checkpoint(directory)
    with engine.connect() as conn:
        latest = latest_checkpoint(conn)
        if latest is None:
            raise ClientError("the log has not published a checkpoint yet", code="no_checkpoint")
        note = witnessing.cosigned_note(conn, latest)
        origin = Checkpoint.parse(split_note(note).text).origin
        previous_size = None
        if held is not None:
            _check_extends(conn, held[0], origin, latest.size, directory)
            previous_size = held[0].size
        report = PublishReport(latest.size, previous_size)
        if held is not None and held[1] == note:
            return report
        rotations = stored_rotations(conn)
        superseded: list[Path] = []
        for level, index, width in _new_tiles(previous_size or 0, latest.size):
            relative = _relative_path(level, index, width)
            path = directory / relative
            if width is None:
                # Its partial tiles go in step 5, also when an interrupted run wrote it.
                superseded.append(path.with_name(path.name + ".p"))
            if path.exists():
                continue  # written once: by an earlier run, or one a crash interrupted
            data = (
                _entry_bundle(conn, index, width)
                if level is None
                else _hash_tile(conn, level, index, width)
            )
            write_file_atomically(path, data)
            report.files_written.append(relative)
        if rotations:
            # Step 3b: the key history, before the checkpoint a rotated key signed (a
            # reader holding only the genesis key follows the rotation from it).
            genesis_key = rotations[0].previous.verifier_key()
            history = {"origin": origin, "keys": key_history(conn, latest.size, genesis_key)}
            write_file_atomically(
                directory / KEY_HISTORY_FILE, json.dumps(history, indent=1).encode("utf-8")
            )
            report.files_written.append(KEY_HISTORY_FILE)
    # Step 4: the checkpoint last, once every tile it needs is durable.
    write_file_atomically(directory / CHECKPOINT_FILE, note.encode("utf-8"))
    report.files_written.append(CHECKPOINT_FILE)
    report.checkpoint_written = True
    # Step 5: partial tiles a full tile now stands for.
    for partials in superseded:
        if partials.is_dir():
            report.partial_tiles_removed += sum(1 for p in partials.iterdir() if p.is_file())
            shutil.rmtree(partials, ignore_errors=True)
    return report


def follow(
    engine: Engine,
    directory: Path,
    interval_s: float,
    stop: threading.Event,
    on_report: Callable[[PublishReport], None] | None = None,
    on_error: Callable[[TerangError], None] | None = None,
) -> None:
    """Publish every ``interval_s`` until ``stop`` is set (between publishes, never in one).

    A checkpoint not published yet, a database briefly unavailable or a directory that
    cannot be written now (a full disk) is waited out (``on_error`` hears of it);
    ``MirrorDiverged`` ends the loop: it needs an operator.
    """
    while not stop.is_set():
        try:
            try:
                report = publish_once(engine, directory)
            except (OperationalError, InterfaceError) as exc:
                raise DatabaseUnavailable(f"the database cannot be reached: {exc}") from exc
        except MirrorDiverged:
            raise
        except (DatabaseUnavailable, PublishFailed, ClientError) as error:
            if on_error is not None:
                on_error(error)
        else:
            if on_report is not None and report.checkpoint_written:
                on_report(report)
        stop.wait(interval_s)
