"""A witness test: the log shows the witness a forked checkpoint; the witness refuses and
the monitor reports the fork with evidence. The honest log runs on both engines; the
fork (same log key, another history) is an attacker's SQLite copy."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from conftest import ORIGIN, Harness, make_harness
from fastapi import FastAPI
from fastapi.testclient import TestClient
from nacl.signing import SigningKey
from witness_support import add_checkpoint_body

from audit.monitor import (
    FollowedLog,
    Inconsistent,
    Monitor,
    SplitView,
    WitnessView,
    write_evidence,
)
from ledger import proofs
from ledger.checkpoint import Checkpoint, open_checkpoint_note, sign_checkpoint
from ledger.errors import ClientError, ProofError
from ledger.keys import client_key_id
from ledger.merkle import verify_consistency
from ledger.note import b64decode_strict, generate_cosigner, generate_signer, split_note
from ledger.statement import b64encode
from ledger.witnessing import WitnessEndpoint, WitnessSet
from terang.app import create_app
from witness.server import NotConsistent, Witness, create_witness_app
from witness.store import SizeMismatch, WitnessStore, origin_hash

LOG_URL = "http://log.test"
FORK_URL = "http://fork.test"
WITNESS_URL = "http://witness.test"


def grow(h: Harness, count: int) -> None:
    for _ in range(count):
        key = SigningKey.generate()
        body = {"public_key": b64encode(bytes(key.verify_key)), "name": "v", "roles": []}
        h.ledger.append_direct(
            [h.sign(h.authority, "registry.key.registered", client_key_id(key), body)]
        )


def clients(apps: dict[str, FastAPI]) -> Callable[[str], httpx.Client]:
    def factory(base_url: str) -> httpx.Client:
        return TestClient(apps[base_url], base_url=base_url)

    return factory


@pytest.fixture
def fork(harness: Harness, tmp_path: Path) -> Iterator[Harness]:
    """Another history signed with the SAME log key (a stolen or misused key)."""
    h = make_harness(f"sqlite:///{tmp_path / 'fork.db'}", log_signer=harness.log_signer)
    try:
        yield h
    finally:
        h.ledger.close()


def test_forked_checkpoint_is_refused_by_the_witness_and_reported_by_the_monitor(
    harness: Harness, fork: Harness, tmp_path: Path
) -> None:
    log_key = harness.log_signer.verifier()
    cosigner = generate_cosigner("witness.test/w1")
    store = WitnessStore.open(f"sqlite:///{tmp_path / 'witness.db'}")
    witness = Witness(cosigner, {ORIGIN: [log_key]}, store)
    witness_app = create_witness_app(witness)
    apps = {
        LOG_URL: create_app(harness.ledger),
        FORK_URL: create_app(fork.ledger),
        WITNESS_URL: witness_app,
    }

    # 1. The honest log grows to n = 5 and the witness cosigns it.
    grow(harness, 4)
    n = harness.ledger.size()
    assert n == 5
    honest = WitnessSet(
        [WitnessEndpoint(cosigner.verifier(), WITNESS_URL)],
        client=TestClient(witness_app, base_url=WITNESS_URL),
    )
    honest.attach(harness.ledger.engine)
    [result] = honest.collect()
    assert (result.outcome, result.tree_size) == ("cosigned", n)
    cosigned = TestClient(witness_app).get(f"/{origin_hash(ORIGIN)}/checkpoint").text
    honest_cp, _ = open_checkpoint_note(
        cosigned, ORIGIN, log_key, witnesses=[cosigner.verifier()], min_witnesses=1
    )

    # 2. The fork has the same size and another root, signed by the same key.
    grow(fork, n - 1)
    forked = fork.ledger.latest_checkpoint()
    assert forked is not None and forked.size == n
    forked_cp, _ = open_checkpoint_note(forked.note, ORIGIN, log_key)  # a valid signature!
    assert forked_cp.root_hash != honest_cp.root_hash

    # 3. Shown to the witness, the fork is refused: 422 with the right old size, 409
    #    with any other, and the witness keeps the validly signed refusal as evidence.
    with pytest.raises(NotConsistent):
        witness.add_checkpoint(add_checkpoint_body(n, [], forked.note))
    with pytest.raises(SizeMismatch):
        witness.add_checkpoint(add_checkpoint_body(0, [], forked.note))
    response = TestClient(witness_app).post(
        "/add-checkpoint", content=add_checkpoint_body(n, [], forked.note)
    )
    assert response.status_code == 422
    assert {r.root_hash for r in store.refusals(ORIGIN)} == {forked_cp.root_hash}
    latest = store.latest(ORIGIN)
    assert latest is not None and latest.root_hash == honest_cp.root_hash

    # The fork's own collector gets nothing either (409, then 422 on retry).
    misled = WitnessSet(
        [WitnessEndpoint(cosigner.verifier(), WITNESS_URL)],
        client=TestClient(witness_app, base_url=WITNESS_URL),
    )
    misled.attach(fork.ledger.engine)
    [result] = misled.collect()
    assert result.outcome == "failed" and "422" in result.detail

    # 4. The monitor follows the honest log, then is shown the checkpoint the witness
    #    cosigned and the fork: SplitView, with both signed notes as evidence.
    state = tmp_path / "monitor.json"
    followed = FollowedLog(LOG_URL, log_key)
    with Monitor([followed], state_path=state, client_factory=clients(apps)) as monitor:
        [seen] = monitor.poll_once()
        assert (seen.status, seen.tree_size) == ("new", n)
        with pytest.raises(SplitView) as alarm:
            monitor.check_notes(
                followed, [(f"{WITNESS_URL} (cosigned)", cosigned), ("fork", forked.note)]
            )
    assert not isinstance(alarm.value, Inconsistent)
    evidence_file = write_evidence(tmp_path / "evidence.json", alarm.value)
    evidence = json.loads(evidence_file.read_text())
    assert evidence["alarm"] == "split_view"
    assert evidence["origin"] == ORIGIN
    assert evidence["log_verifier_key"] == log_key.verifier_key()
    notes = [c["note"] for c in evidence["checkpoints"]]
    assert set(notes) == {cosigned, forked.note}
    opened = [open_checkpoint_note(note, ORIGIN, log_key)[0] for note in notes]
    assert opened[0].size == opened[1].size and opened[0].root_hash != opened[1].root_hash
    # The state still holds the honest checkpoint, never the fork.
    kept = json.loads(state.read_text())["logs"][ORIGIN]
    assert kept["tree_size"] == n and b64decode_strict(kept["root_hash"]) == honest_cp.root_hash

    # 5. A monitor that reads the fork's server and the witness sees the split itself.
    with (
        Monitor(
            [FollowedLog(FORK_URL, log_key)],
            witnesses=[WitnessView(WITNESS_URL, cosigner.verifier())],
            client_factory=clients(apps),
        ) as watcher,
        pytest.raises(SplitView) as alarm,
    ):
        watcher.poll_once()
    assert {c["source"] for c in alarm.value.evidence["checkpoints"]} == {
        f"{FORK_URL}/log/checkpoint",
        f"{WITNESS_URL}/{origin_hash(ORIGIN)}/checkpoint",
    }

    # 6. Rewritten history: the log's server now serves the fork, grown past n. The
    #    monitor's state (honest n) and the fork's checkpoint have no consistency proof.
    grow(fork, 3)
    rewritten = fork.ledger.latest_checkpoint()
    assert rewritten is not None and rewritten.size == n + 3
    with pytest.raises(NotConsistent):
        witness.add_checkpoint(add_checkpoint_body(n, _fork_proof(fork, n, n + 3), rewritten.note))
    swapped = {**apps, LOG_URL: apps[FORK_URL]}
    with (
        Monitor([followed], state_path=state, client_factory=clients(swapped)) as monitor,
        pytest.raises(Inconsistent) as alarm,
    ):
        monitor.poll_once()
    evidence = alarm.value.evidence
    assert evidence["alarm"] == "inconsistent"
    assert [c["tree_size"] for c in evidence["checkpoints"]] == [n, n + 3]
    # The honest note is the one the monitor kept: served by the log, with the cosignature.
    assert [c["note"] for c in evidence["checkpoints"]] == [cosigned, rewritten.note]
    failed = evidence["consistency_proof"]
    assert (failed["first"], failed["second"]) == (n, n + 3) and failed["error"]
    with pytest.raises(ProofError):  # anyone can re-check the failed proof
        verify_consistency(
            n,
            n + 3,
            [b64decode_strict(h) for h in failed["proof"]],
            honest_cp.root_hash,
            Checkpoint.parse(split_note(rewritten.note).text).root_hash,
        )
    store.close()


def _fork_proof(fork: Harness, old: int, new: int) -> list[bytes]:
    with fork.ledger.engine.connect() as conn:
        return proofs.consistency(conn, old, new)


def test_monitor_accepts_growth_and_older_consistent_checkpoints(
    harness: Harness, tmp_path: Path
) -> None:
    log_key = harness.log_signer.verifier()
    apps = {LOG_URL: create_app(harness.ledger)}
    followed = FollowedLog(LOG_URL, log_key)
    state = tmp_path / "state" / "monitor.json"
    first = harness.ledger.latest_checkpoint()
    assert first is not None
    with Monitor([followed], state_path=state, client_factory=clients(apps)) as monitor:
        assert [r.status for r in monitor.poll_once()] == ["new"]
        assert [r.status for r in monitor.poll_once()] == ["same"]
        grow(harness, 6)
        assert [(r.status, r.tree_size) for r in monitor.poll_once()] == [("new", 7)]
        # A stale (older) checkpoint from elsewhere is fine if it is consistent.
        [older] = monitor.check_notes(followed, [("cache", first.note)])
        assert (older.status, older.tree_size) == ("older", 1)
    # A fresh monitor resumes from the state file.
    with Monitor([followed], state_path=state, client_factory=clients(apps)) as again:
        assert again.state.latest[ORIGIN].checkpoint.size == 7
        assert [r.status for r in again.poll_once()] == ["same"]
    assert not list(state.parent.glob(".*.tmp"))  # atomic writes leave no temporaries


def test_monitor_refuses_a_tampered_state_file_and_unsigned_checkpoints(
    harness: Harness, tmp_path: Path
) -> None:
    log_key = harness.log_signer.verifier()
    apps = {LOG_URL: create_app(harness.ledger)}
    followed = FollowedLog(LOG_URL, log_key)
    state = tmp_path / "monitor.json"
    with Monitor([followed], state_path=state, client_factory=clients(apps)) as monitor:
        monitor.poll_once()
        # A checkpoint signed by another key is not evidence of anything: unavailable.
        impostor = make_harness(f"sqlite:///{tmp_path / 'other.db'}")
        try:
            other = {LOG_URL: create_app(impostor.ledger)}
            with Monitor([followed], client_factory=clients(other)) as fooled:
                [result] = fooled.poll_once()
                assert result.status == "unavailable"
        finally:
            impostor.ledger.close()
    doc = json.loads(state.read_text())
    good = doc["logs"][ORIGIN]["note"]
    fake = sign_checkpoint(Checkpoint(ORIGIN, 99, b"\x07" * 32), generate_signer(ORIGIN))
    doc["logs"][ORIGIN]["note"] = fake
    state.write_text(json.dumps(doc))
    with pytest.raises(ClientError, match="does not verify"):
        Monitor([followed], state_path=state, client_factory=clients(apps))
    doc["logs"][ORIGIN]["note"] = good
    state.write_text(json.dumps(doc))
    Monitor([followed], state_path=state, client_factory=clients(apps)).close()
