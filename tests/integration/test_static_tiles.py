"""``terang publish-tiles``: the tlog-tiles tree as files, and the verifier and monitor
reading it as a static mirror (``tiles_only``).

The mirror is served here by an in-process stand-in for a static web server (files
under ``/log/``, 404 for anything else, never a dot-file): a plain file server is all
a mirror is. The same tree served by a real nginx is tests/e2e/test_static_tiles_nginx.py.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from conftest import Harness, make_harness
from fastapi.testclient import TestClient
from mirror_support import mirror
from nacl.signing import SigningKey

from audit import static_tiles
from audit.monitor import FollowedLog, Inconsistent, Monitor
from audit.remote import StateFile, VerifyReport, verify_log
from audit.verifier import LogFault
from ledger import files, tiles
from ledger.keys import client_key_id
from ledger.note import Verifier, parse_verifier_key
from ledger.statement import b64encode
from terang.app import all_kinds, create_app


def grow(h: Harness, count: int) -> None:
    """``count`` more entries (key registrations, one batch)."""
    statements = []
    for i in range(count):
        key = SigningKey.generate()
        body = {"public_key": b64encode(bytes(key.verify_key)), "name": f"v{i}", "roles": []}
        statements.append(h.sign(h.authority, "registry.key.registered", client_key_id(key), body))
    h.ledger.append_direct(statements)
    h.ledger.publisher.publish(force=True)


def verify_mirror(
    h: Harness, directory: Path, state: StateFile | None = None, **overrides: bytes | None
) -> VerifyReport:
    with mirror(directory, {k.replace("__", "/"): v for k, v in overrides.items()}) as client:
        return verify_log(
            client,
            h.log_signer.verifier_key(),
            all_kinds(),
            h.ledger.limits,
            state=state,
            tiles_only=True,
        )


def tile_paths(size: int) -> list[str]:
    paths = []
    for level, index, width in tiles.tiles_for_size(size):
        paths.append(tiles.tile_path(level, index, width))
        if level == 0:
            paths.append(tiles.entries_path(index, width))
    return paths


def test_the_files_are_what_the_log_api_serves_and_verify(harness: Harness, tmp_path: Path) -> None:
    grow(harness, 600)  # 601+ entries: full tiles, a partial tile, a level-1 tile
    out = tmp_path / "tiles"
    report = static_tiles.publish_once(harness.ledger.engine, out)
    size = harness.ledger.size()
    assert report.tree_size == size and report.files_written[-1] == "checkpoint"
    with TestClient(create_app(harness.ledger)) as api:
        for path in ["checkpoint", *tile_paths(size)]:
            served = api.get(f"/log/{path}")
            assert served.status_code == 200, path
            assert (out / path).read_bytes() == served.content, path
            assert (out / path).stat().st_mode & 0o444 == 0o444  # readable by the web server
    verified = verify_mirror(harness, out)
    assert verified.tree_size == size
    assert verified.projections_compared == 0
    assert verified.projections_not_checked is not None
    assert "publishes no projections" in verified.projections_not_checked


def test_a_rerun_writes_only_what_is_new_and_never_rewrites_a_full_tile(
    harness: Harness, tmp_path: Path
) -> None:
    out = tmp_path / "tiles"
    grow(harness, 300)
    first = static_tiles.publish_once(harness.ledger.engine, out)
    full_tiles = {
        p: (out / p).stat() for p in first.files_written if p.startswith("tile/") and ".p/" not in p
    }
    state = StateFile(tmp_path / "verify-state.json")
    verify_mirror(harness, out, state)

    again = static_tiles.publish_once(harness.ledger.engine, out)
    assert again.files_written == [] and not again.checkpoint_written

    old_partials = [p for p in first.files_written if ".p/" in p]
    grow(harness, 300)
    second = static_tiles.publish_once(harness.ledger.engine, out)
    assert second.previous_size == first.tree_size
    assert not set(second.files_written) & set(full_tiles), "a full tile was rewritten"
    assert second.files_written[-1] == "checkpoint"
    for path, before in full_tiles.items():
        after = (out / path).stat()
        assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns), path
    # The level-0 partial tile of the first size is superseded by a full tile now: gone.
    superseded = [p for p in old_partials if p.startswith(("tile/0/", "tile/entries/"))]
    assert superseded and second.partial_tiles_removed >= len(superseded)
    assert not any((out / p).exists() for p in superseded)
    # The next verification proves the new checkpoint consistent with the one verified
    # before, with a proof built from the mirror's hash tiles.
    assert verify_mirror(harness, out, state).previous_size == first.tree_size


def test_the_checkpoint_is_written_last_and_a_crash_leaves_the_old_one(
    harness: Harness, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "tiles"
    grow(harness, 100)
    static_tiles.publish_once(harness.ledger.engine, out)
    old_checkpoint = (out / "checkpoint").read_bytes()
    grow(harness, 700)

    # A crash (here: an error) after some of the new tiles: nothing else changes.
    real_write = static_tiles.write_file_atomically
    writes: list[Path] = []

    def crashing_write(path: Path, data: bytes) -> None:
        if len(writes) == 5:
            raise OSError("disk gone")
        writes.append(path)
        real_write(path, data)

    monkeypatch.setattr(static_tiles, "write_file_atomically", crashing_write)
    with pytest.raises(static_tiles.PublishFailed):
        static_tiles.publish_once(harness.ledger.engine, out)
    assert (out / "checkpoint").read_bytes() == old_checkpoint
    assert verify_mirror(harness, out).tree_size == 101  # the old checkpoint still verifies

    # The rerun: every tile the new checkpoint needs is in place when it is renamed.
    monkeypatch.setattr(static_tiles, "write_file_atomically", real_write)
    real_replace = os.replace
    size = harness.ledger.size()
    checked: list[bool] = []

    def watching_replace(source: str | Path, destination: str | Path) -> None:
        if Path(destination).name == "checkpoint":
            missing = [p for p in tile_paths(size) if not (out / p).is_file()]
            assert missing == [], f"checkpoint renamed before {missing[:3]}"
            checked.append(True)
        real_replace(source, destination)

    monkeypatch.setattr(files.os, "replace", watching_replace)
    rerun = static_tiles.publish_once(harness.ledger.engine, out)
    assert checked == [True]
    assert not {str(p.relative_to(out)) for p in writes} & set(rerun.files_written)
    assert not list(out.rglob(".terang-*")), "a temporary file was left behind"
    # No partial tile outlives its full tile, also one the crashed run wrote.
    assert not [p for p in tile_paths(size) if ".p/" not in p and (out / f"{p}.p").exists()]
    assert verify_mirror(harness, out).tree_size == size


def test_following_publishes_each_new_checkpoint_until_stopped(
    harness: Harness, tmp_path: Path
) -> None:
    out = tmp_path / "tiles"
    stop = threading.Event()
    reports: list[static_tiles.PublishReport] = []
    follower = threading.Thread(
        target=static_tiles.follow,
        args=(harness.ledger.engine, out, 0.02, stop),
        kwargs={"on_report": reports.append},
    )
    follower.start()
    try:
        for _ in range(3):
            grow(harness, 150)
            size = harness.ledger.size()
            deadline = time.monotonic() + 20
            while not reports or reports[-1].tree_size != size:
                assert time.monotonic() < deadline, "the follower did not publish"
                time.sleep(0.01)
    finally:
        stop.set()
        follower.join(timeout=20)
    assert not follower.is_alive()
    assert len({r.tree_size for r in reports}) >= 3
    assert all(r.checkpoint_written for r in reports)  # only publishes that wrote one
    assert verify_mirror(harness, out).tree_size == harness.ledger.size()


def test_a_reader_of_the_older_checkpoint_falls_back_to_full_tiles(
    harness: Harness, tmp_path: Path
) -> None:
    out = tmp_path / "tiles"
    grow(harness, 99)  # 100 entries: only partial tiles
    static_tiles.publish_once(harness.ledger.engine, out)
    older = (out / "checkpoint").read_bytes()
    grow(harness, 400)
    assert static_tiles.publish_once(harness.ledger.engine, out).partial_tiles_removed > 0
    assert not (out / "tile/entries/000.p/100").exists()
    # A reader (or a cache) still holding the older checkpoint reads the full tiles.
    assert verify_mirror(harness, out, checkpoint=older).tree_size == 100


def test_tampered_mirror_files_are_named(harness: Harness, tmp_path: Path) -> None:
    out = tmp_path / "tiles"
    grow(harness, 300)
    static_tiles.publish_once(harness.ledger.engine, out)
    state = StateFile(tmp_path / "state.json")
    verify_mirror(harness, out, state)
    grow(harness, 300)
    static_tiles.publish_once(harness.ledger.engine, out)

    tile = bytearray((out / "tile/0/001").read_bytes())
    tile[100] ^= 1
    # Read with a state file, the consistency proof is built from the tiles first: a bad
    # tile is the mirror's fault (bad_tile), not evidence of two histories.
    with pytest.raises(LogFault) as caught:
        verify_mirror(harness, out, StateFile(state.path), tile__0__001=bytes(tile))
    assert caught.value.details["fault"] == "bad_tile"
    with pytest.raises(LogFault) as caught:
        verify_mirror(harness, out, tile__0__001=bytes(tile))
    assert caught.value.details["fault"] == "bad_tile"
    with pytest.raises(LogFault) as caught:
        verify_mirror(harness, out, tile__entries__001=None)
    assert caught.value.details["fault"] == "missing_entries"
    assert caught.value.details["seq"] == 256


def test_a_directory_that_cannot_be_written_is_an_error_not_a_traceback(
    harness: Harness, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    not_a_directory = tmp_path / "file"
    not_a_directory.write_text("x")
    with pytest.raises(static_tiles.PublishFailed) as caught:
        static_tiles.publish_once(harness.ledger.engine, not_a_directory)
    assert caught.value.code == "publish_failed"
    out = tmp_path / "tiles"
    static_tiles.publish_once(harness.ledger.engine, out)
    before = (out / "checkpoint").read_bytes()
    grow(harness, 10)

    def disk_full(*_: object, **__: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(files.os, "fsync", disk_full)
    with pytest.raises(static_tiles.PublishFailed) as caught:
        static_tiles.publish_once(harness.ledger.engine, out)
    assert "No space left" in caught.value.message
    assert (out / "checkpoint").read_bytes() == before  # the published mirror is intact
    assert not list(out.rglob(".terang-*"))


def _sqlite_harness(tmp_path: Path, name: str, **kwargs: object) -> Harness:
    return make_harness(f"sqlite:///{tmp_path / name}.db", **kwargs)  # type: ignore[arg-type]


def test_publishing_over_another_or_newer_history_is_refused(tmp_path: Path) -> None:
    out = tmp_path / "tiles"
    a = _sqlite_harness(tmp_path, "a")
    older = _sqlite_harness(tmp_path, "older", log_signer=a.log_signer, authority=a.authority)
    try:
        grow(a, 50)
        grow(older, 10)
        static_tiles.publish_once(a.ledger.engine, out)
        before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
        # Same log key and origin, fewer entries: a restored older backup, say.
        with pytest.raises(static_tiles.MirrorDiverged) as caught:
            static_tiles.publish_once(older.ledger.engine, out)
        assert caught.value.code == "mirror_diverged"
        assert "newer than this database" in caught.value.message
        # Same log key, more entries, but another history at the published size.
        grow(older, 100)
        with pytest.raises(static_tiles.MirrorDiverged) as caught:
            static_tiles.publish_once(older.ledger.engine, out)
        assert "two histories" in caught.value.message
        assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
    finally:
        a.ledger.close()
        older.ledger.close()


def _followed(h: Harness) -> FollowedLog:
    verifier = parse_verifier_key(h.log_signer.verifier_key())
    assert isinstance(verifier, Verifier)
    return FollowedLog("http://mirror", verifier, tiles_only=True)


def test_monitor_follows_a_mirror_and_tells_bad_tiles_from_a_fork(tmp_path: Path) -> None:
    honest = _sqlite_harness(tmp_path, "honest")
    fork = _sqlite_harness(
        tmp_path, "fork", log_signer=honest.log_signer, authority=honest.authority
    )
    out, forked_out = tmp_path / "tiles", tmp_path / "forked"
    served: dict[str, Callable[[], httpx.Client]] = {"now": lambda: mirror(out)}
    try:
        grow(honest, 300)
        static_tiles.publish_once(honest.ledger.engine, out)
        with Monitor(
            [_followed(honest)],
            state_path=tmp_path / "monitor.json",
            client_factory=lambda _: served["now"](),
        ) as monitor:
            assert [r.status for r in monitor.poll_once()] == ["new"]
            grow(honest, 300)
            static_tiles.publish_once(honest.ledger.engine, out)
            # The monitor's clients are cached per URL: a new monitor per mirror view.
        with Monitor(
            [_followed(honest)],
            state_path=tmp_path / "monitor.json",
            client_factory=lambda _: served["now"](),
        ) as monitor:
            assert [r.status for r in monitor.poll_once()] == ["new"]  # proof from tiles

        grow(honest, 10)
        static_tiles.publish_once(honest.ledger.engine, out)
        size = honest.ledger.size()
        partial = tiles.tile_path(0, size // 256, size % 256)  # the proof's newest nodes
        tile = bytearray((out / partial).read_bytes())
        tile[-1] ^= 1
        served["now"] = lambda: mirror(out, {partial: bytes(tile)})
        with Monitor(
            [_followed(honest)],
            state_path=tmp_path / "monitor.json",
            client_factory=lambda _: served["now"](),
        ) as monitor:
            (result,) = monitor.poll_once()
            assert result.status == "unavailable" and "wrong tiles" in result.detail

        # The same log key signing another history: its own tiles are consistent with
        # its own checkpoint, not with the one the monitor verified: an alarm.
        grow(fork, 1000)
        static_tiles.publish_once(fork.ledger.engine, forked_out)
        served["now"] = lambda: mirror(forked_out)
        with Monitor(
            [_followed(honest)],
            state_path=tmp_path / "monitor.json",
            client_factory=lambda _: served["now"](),
        ) as monitor:
            with pytest.raises(Inconsistent) as alarm:
                monitor.poll_once()
            assert "hash tiles" in alarm.value.evidence["consistency_proof"]["source"]
    finally:
        honest.ledger.close()
        fork.ledger.close()
