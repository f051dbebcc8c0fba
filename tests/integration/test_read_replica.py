"""The read side on a real PostgreSQL streaming replica (issue 17, item 3).

``terang serve`` runs with ``TERANG_DATABASE_URL`` on a throwaway primary and
``TERANG_READ_DATABASE_URL`` on a hot standby made from it with ``pg_basebackup -R``
(conftest ``streaming_replica``; with CI=true a replica that will not start fails the
test). Writes go through the served API (a hot standby refuses writes, so a receipt
proves they reached the primary); reads come from the replica. Then the replica's replay
is paused while the primary takes more entries and publishes newer checkpoints: the read
side must keep serving a checkpoint whose tree it holds, tiles that verify against it,
and the lagging size in ``X-Terang-Tree-Size``; a proof beyond it is a 409 problem, not
a 500. Resumed, it catches up.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from conftest import TERANG, Clock, Harness, StreamingPair, make_harness, serving
from nacl.signing import SigningKey
from sqlalchemy import create_engine, func, select

from ledger import merkle, storage, tiles
from ledger.checkpoint import Checkpoint
from ledger.keys import client_key_id
from ledger.limits import TILE_WIDTH
from ledger.note import open_note, parse_verifier_key, split_note
from ledger.reads import TREE_SIZE_HEADER
from ledger.statement import b64encode

pytestmark = pytest.mark.timeout(240)

BATCH_STATEMENTS = 100
REPLAY_WAIT_S_MAX = 20.0


def _register_batch(harness: Harness, url: str, count: int) -> list[int]:
    """``count`` key registrations in one signed batch, posted to the served API."""
    statements = []
    for _ in range(count):
        key = SigningKey.generate()
        body = {"public_key": b64encode(bytes(key.verify_key)), "name": "reader", "roles": []}
        statements.append(
            harness.sign(
                harness.authority, "registry.key.registered", client_key_id(key), body
            ).to_json()
        )
    response = httpx.post(
        url + "/api/v1/statements/batch", json={"statements": statements}, timeout=60
    )
    assert response.status_code == 201, response.text[:500]
    return [int(r["seq"]) for r in response.json()["receipts"]]


def _checkpoint(url: str, vkey: str) -> tuple[Checkpoint, int]:
    """The read side's checkpoint (its signature checked) and the size its header says."""
    response = httpx.get(url + "/log/checkpoint")
    assert response.status_code == 200, response.text[:500]
    note = open_note(response.text, [parse_verifier_key(vkey)])
    return Checkpoint.parse(note.text), int(response.headers[TREE_SIZE_HEADER])


def _wait_for_size(url: str, vkey: str, size: int) -> Checkpoint:
    deadline = time.monotonic() + REPLAY_WAIT_S_MAX
    while True:
        checkpoint, _ = _checkpoint(url, vkey)
        if checkpoint.size == size:
            return checkpoint
        assert time.monotonic() < deadline, f"read side stuck at {checkpoint.size}, want {size}"
        time.sleep(0.1)


def _verify_tiles(url: str, checkpoint: Checkpoint) -> None:
    """Every tile and bundle of the checkpoint's tree is served and agrees with its root."""
    leaves: list[bytes] = []
    tiled: dict[int, list[bytes]] = {}
    for level, index, width in tiles.tiles_for_size(checkpoint.size):
        tile = httpx.get(f"{url}/log/{tiles.tile_path(level, index, width)}")
        assert tile.status_code == 200, tile.text
        tiled.setdefault(level, []).extend(
            tile.content[i : i + 32] for i in range(0, len(tile.content), 32)
        )
        if level == 0:
            bundle = httpx.get(f"{url}/log/{tiles.entries_path(index, width)}")
            assert bundle.status_code == 200, bundle.text
            leaves.extend(merkle.leaf_hash(e) for e in tiles.decode_entry_bundle(bundle.content))
    assert tiled[0] == leaves and len(leaves) == checkpoint.size
    # A hash at tile level L is the subtree of 256^L leaves it stands for (tlog-tiles).
    for level, hashes in tiled.items():
        span = TILE_WIDTH**level
        assert hashes == [
            merkle.root_from_leaf_hashes(leaves[k * span : (k + 1) * span])
            for k in range(len(hashes))
        ]
    assert merkle.root_from_leaf_hashes(leaves) == checkpoint.root_hash


def _primary_checkpoint_size(database_url: str) -> int:
    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            return int(conn.execute(select(func.max(storage.checkpoints.c.tree_size))).scalar())
    finally:
        engine.dispose()


@pytest.fixture
def replica_service(
    streaming_replica: StreamingPair, tmp_path: Path
) -> Iterator[tuple[str, Harness, StreamingPair]]:
    """``terang serve`` writing to the primary and reading from the replica."""
    # The served app checks statement times against the real clock.
    harness = make_harness(
        streaming_replica.primary.url, clock=Clock(datetime.now(UTC).replace(microsecond=0))
    )
    harness.ledger.close()  # from here on, the served app is the only writer
    env = {
        **os.environ,
        "TERANG_DATABASE_URL": streaming_replica.primary.url,
        "TERANG_READ_DATABASE_URL": streaming_replica.standby.url,
        "TERANG_LOG_KEY": harness.log_signer.private_key(),
        "TERANG_CHECKPOINT_INTERVAL_MS_MIN": "0",
        "PYTHONPATH": os.pathsep.join(sys.path),
    }
    with serving(tmp_path, env) as url:
        yield url, harness, streaming_replica


def test_lagging_replica_serves_only_what_it_holds(
    replica_service: tuple[str, Harness, StreamingPair], tmp_path: Path
) -> None:
    url, harness, pair = replica_service
    vkey = harness.log_signer.verifier_key()

    # Writes reach the primary; reads eventually reflect them.
    seqs = [s for _ in range(3) for s in _register_batch(harness, url, BATCH_STATEMENTS)]
    held = seqs[-1] + 1
    assert held == 1 + 3 * BATCH_STATEMENTS  # genesis, then the batches
    checkpoint = _wait_for_size(url, vkey, held)
    _verify_tiles(url, checkpoint)

    # The replica stops replaying; the primary goes on and publishes newer checkpoints.
    pair.on_standby("SELECT pg_wal_replay_pause()")
    deadline = time.monotonic() + REPLAY_WAIT_S_MAX
    while pair.on_standby("SELECT pg_get_wal_replay_pause_state()") != "paused":
        assert time.monotonic() < deadline, "replay did not pause"
        time.sleep(0.05)
    lagging, header = _checkpoint(url, vkey)
    assert lagging.size == header == held  # nothing was written since
    more = [s for _ in range(2) for s in _register_batch(harness, url, BATCH_STATEMENTS)]
    ahead = more[-1] + 1
    deadline = time.monotonic() + REPLAY_WAIT_S_MAX
    while _primary_checkpoint_size(pair.primary.url) != ahead:
        assert time.monotonic() < deadline, "the primary did not publish"
        time.sleep(0.05)

    # The read side stays at what the replica holds, and says so.
    still, header = _checkpoint(url, vkey)
    assert still == lagging and header == held
    _verify_tiles(url, still)
    entries = httpx.get(url + "/api/v1/entries", params={"after_seq": held - 5})
    assert entries.json()["tree_size"] == held == int(entries.headers[TREE_SIZE_HEADER])
    assert [e["seq"] for e in entries.json()["items"]] == list(range(held - 4, held))
    # The first full bundle the primary has but the replica does not: no such tile yet.
    beyond = httpx.get(f"{url}/log/{tiles.entries_path(1)}")
    assert beyond.status_code == 404 and beyond.json()["code"] == "no_tile"
    for path, params in (
        ("/api/v1/proofs/inclusion", {"seq": 1, "tree_size": ahead}),
        ("/api/v1/proofs/consistency", {"first": held, "second": ahead}),
        ("/api/v1/entries/1/tlog-proof", {"tree_size": ahead}),
    ):
        refused = httpx.get(url + path, params=params)
        assert refused.status_code == 409, (path, refused.text)
        assert refused.headers["content-type"].startswith("application/problem+json")
        assert refused.json()["code"] == "tree_size_not_replicated"
        assert refused.json()["details"]["held_size"] == held
    # The operator sees the lag in Terang's units.
    gauges = dict(
        line.split(" ")
        for line in httpx.get(url + "/metrics").text.splitlines()
        if line.startswith("terang_read_side_")
    )
    assert float(gauges["terang_read_side_up"]) == 1, gauges
    assert float(gauges["terang_read_side_tree_size"]) == held
    assert float(gauges["terang_read_side_entries_behind"]) == ahead - held
    # The auditor's own tool accepts the lagging read side as a whole log.
    verified = _run_verify(url, vkey, tmp_path)
    assert verified.returncode == 0, verified.stdout + verified.stderr

    # Resumed, the replica catches up, and the two checkpoints are consistent.
    pair.on_standby("SELECT pg_wal_replay_resume()")
    caught_up = _wait_for_size(url, vkey, ahead)
    _verify_tiles(url, caught_up)
    proof = httpx.get(url + "/api/v1/proofs/consistency", params={"first": held, "second": ahead})
    assert int(proof.headers[TREE_SIZE_HEADER]) == ahead
    merkle.verify_consistency(
        held,
        ahead,
        [bytes.fromhex(h) for h in proof.json()["proof"]],
        lagging.root_hash,
        caught_up.root_hash,
    )
    assert split_note(httpx.get(url + "/log/checkpoint").text).text == caught_up.to_text()


def _run_verify(url: str, vkey: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            *TERANG,
            "verify",
            url,
            "--key",
            vkey,
            "--state",
            str(tmp_path / "state.json"),
            "--no-progress",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
    )
