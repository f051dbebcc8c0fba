"""Invariant 4 (crash at any instant leaves all of an entry or none) and one seq per entry
under concurrent writers, on both engines."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from conftest import Harness, make_harness
from nacl.signing import SigningKey
from sqlalchemy import text

from audit.verifier import LogReplayer
from ledger import merkle, storage
from ledger.keys import client_key_id
from ledger.publisher import latest_checkpoint
from ledger.signing import make_signed
from ledger.statement import b64encode
from terang.app import all_kinds

WRITER = Path(__file__).with_name("crash_writer.py")


def assert_log_is_whole(h: Harness) -> int:
    """Every entry replays, seqs are 0..n-1, and the stored tree is exactly theirs."""
    with h.ledger.engine.connect() as conn:
        rows = conn.execute(text("SELECT seq, entry_bytes FROM ledger_entries ORDER BY seq")).all()
        size = storage.tree_size(conn)
        node_count = conn.execute(text("SELECT count(*) FROM ledger_tree_nodes")).scalar_one()
        leaves = conn.execute(
            text("SELECT count(*) FROM ledger_tree_nodes WHERE level = 0")
        ).scalar_one()
        stored_root = merkle.root_hash(size, storage.fetch_nodes(conn, merkle.nodes_for_root(size)))
        checkpoint = latest_checkpoint(conn)
        projected = conn.execute(
            text("SELECT count(*) FROM projection_rows WHERE namespace = 'registry.key'")
        ).scalar_one()
    assert [int(r.seq) for r in rows] == list(range(size))
    replayer = LogReplayer(all_kinds(), h.ledger.limits, h.ledger.origin)
    for row in rows:
        replayer.feed(bytes(row.entry_bytes))
    assert replayer.root() == stored_root
    # A tree of n leaves has exactly 2n - popcount(n) perfect subtrees.
    assert leaves == size
    assert node_count == 2 * size - bin(size).count("1")
    # Projections hold exactly what the committed entries say: one key per registration.
    assert projected == len(replayer.state.documents) - 1  # minus the registry.meta document
    assert checkpoint is not None and checkpoint.size <= size
    return size


def test_kill_9_during_bulk_append_leaves_a_whole_log(harness: Harness, database_url: str) -> None:
    log_seed = bytes(harness.log_signer.signing_key).hex()
    authority_seed = bytes(harness.authority).hex()
    for attempt in range(3):
        process = subprocess.Popen(
            [sys.executable, str(WRITER), database_url, log_seed, authority_seed],
            stdout=subprocess.PIPE,
            text=True,
            env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
        )
        try:
            assert process.stdout is not None
            line = process.stdout.readline()  # at least one batch committed
            assert line.startswith("committed"), line
            # Then kill it at a random instant, most likely mid-transaction.
            time.sleep(random.uniform(0.05, 0.4))
            process.send_signal(signal.SIGKILL)
            process.wait(timeout=30)
        finally:
            if process.poll() is None:
                process.kill()
        size = assert_log_is_whole(harness)
        assert size > 1 + 200 * (attempt + 1) - 1
    # The service restarts and goes on from where the log is.
    harness.ledger.close()
    restarted = make_harness(
        database_url,
        log_signer=harness.log_signer,
        authority=harness.authority,
        clock=harness.clock,
    )
    try:
        before = restarted.ledger.size()
        restarted.register("after the crash", ["finance"])
        assert restarted.ledger.size() == before + 1
        assert restarted.ledger.publisher.publish(force=True) is not None
        assert_log_is_whole(restarted)
    finally:
        restarted.ledger.close()


def test_eight_concurrent_writers_get_no_duplicate_and_no_missing_seq(
    harness: Harness, database_url: str
) -> None:
    """Eight separate ledgers (own engine, own sequencer: like 8 processes) on one database."""
    writers = [
        make_harness(database_url, log_signer=harness.log_signer, authority=harness.authority)
        for _ in range(8)
    ]
    per_writer = 25
    receipts: list[list[int]] = [[] for _ in writers]
    errors: list[BaseException] = []

    def run(index: int) -> None:
        try:
            for _ in range(per_writer):
                key = SigningKey.generate()
                body = {
                    "public_key": b64encode(bytes(key.verify_key)),
                    "name": "v",
                    "roles": ["vendor"],
                }
                signed = make_signed(
                    harness.authority,
                    "registry.key.registered",
                    client_key_id(key),
                    body,
                    at=harness.clock(),
                    origin=harness.origin,
                )
                outcome = writers[index].ledger.append([signed])
                receipts[index].extend(r.seq for r in outcome.receipts)
        except BaseException as exc:
            errors.append(exc)

    try:
        start = harness.ledger.size()
        threads = [threading.Thread(target=run, args=(i,)) for i in range(len(writers))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        assert not errors, errors
        seqs = sorted(seq for got in receipts for seq in got)
        assert seqs == list(range(start, start + 8 * per_writer))
        assert_log_is_whole(harness)
    finally:
        for writer in writers:
            writer.ledger.close()
