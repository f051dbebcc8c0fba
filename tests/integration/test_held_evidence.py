"""A rewritten history is caught by the evidence auditors hold (issue 10, 6a).

The operator rewrites the log behind the service's back (here: one entry's logging
time moved by half a second, every later ``prev``, every hash recomputed) and signs
a checkpoint over it with the log key. Nothing in the rewritten log is inconsistent,
so a fresh auditor passes it, and so does one whose state file predates the rewrite
only if the rewrite lies beyond it. A receipt or checkpoint signed before the rewrite
contradicts it: ``terang verify --evidence`` must fail, naming the file.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path

import pytest
from conftest import Harness
from fastapi.testclient import TestClient
from log_surgery import rewrite_history, stored_entries

from audit.evidence import EvidenceError
from audit.remote import StateFile, VerifyReport, verify_log
from audit.verifier import LogFault
from ledger.statement import LoggedEntry, format_time, parse_time
from terang.app import all_kinds, create_app
from terang.cli_verify import _read_evidence


def verify(
    h: Harness,
    evidence: Sequence[tuple[str, bytes]] = (),
    state: StateFile | None = None,
) -> VerifyReport:
    with TestClient(create_app(h.ledger)) as client:
        return verify_log(
            client,
            h.log_signer.verifier_key(),
            all_kinds(),
            h.ledger.limits,
            evidence=evidence,
            state=state,
        )


@pytest.fixture
def log(harness: Harness) -> Harness:
    """Twelve registrations, a second apart, each covered by its own checkpoint."""
    for i in range(12):
        harness.clock.advance(1)
        harness.register(f"vendor {i}", ["vendor"])
    return harness


def receipt_of(h: Harness, seq: int) -> tuple[str, bytes]:
    """What a vendor keeps: the .tlog-proof of its entry, as the log served it."""
    with TestClient(create_app(h.ledger)) as client:
        response = client.get(f"/api/v1/entries/{seq}/tlog-proof")
    assert response.status_code == 200
    return (f"entry-{seq}.tlog-proof", response.content)


def json_receipt_of(h: Harness, seq: int) -> tuple[str, bytes]:
    """The write API's JSON receipt of an entry (seq, leaf hash, tlog-proof)."""
    entry = stored_entries(h)[seq]
    receipt = {
        "seq": seq,
        "leaf_hash": entry.leaf_hash().hex(),
        "logged_at": entry.logged_at,
        "duplicate": False,
        "tlog_proof": receipt_of(h, seq)[1].decode(),
    }
    return (f"receipt-{seq}.json", json.dumps(receipt).encode())


def checkpoint_of(h: Harness) -> tuple[str, bytes]:
    with TestClient(create_app(h.ledger)) as client:
        note = client.get("/log/checkpoint").content
    return ("checkpoint.txt", note)


def rewrite_time_of(h: Harness, seq: int) -> None:
    """Move entry ``seq``'s logging time half a second later (still between its
    neighbours) and rewrite everything after it, re-signed with the log key."""
    entries = stored_entries(h)
    moved = entries[seq]
    later = format_time(parse_time(moved.logged_at, field="logged_at") + timedelta(seconds=0.5))
    entries[seq] = LoggedEntry(moved.seq, later, moved.prev, moved.signed, moved.version)
    rewrite_history(h, entries)


def test_an_honest_log_passes_with_the_same_evidence(log: Harness) -> None:
    held = [receipt_of(log, 5), json_receipt_of(log, 7), checkpoint_of(log)]
    report = verify(log, held)
    assert report.evidence_checked == 3


def test_the_rewrite_passes_a_fresh_auditor(log: Harness) -> None:
    """Why evidence is needed: without it, nothing shows the rewrite."""
    rewrite_time_of(log, 6)
    assert verify(log).tree_size == log.ledger.size()


def test_a_held_receipt_catches_the_rewrite(log: Harness) -> None:
    held = receipt_of(log, 8)
    rewrite_time_of(log, 6)
    with pytest.raises(LogFault) as caught:
        verify(log, [held])
    assert caught.value.details["fault"] == "checkpoint_contradicted"
    assert caught.value.details["evidence"] == held[0]
    assert held[0] in caught.value.message


def test_a_held_json_receipt_names_the_replaced_entry(log: Harness) -> None:
    held = json_receipt_of(log, 6)
    rewrite_time_of(log, 6)
    with pytest.raises(LogFault) as caught:
        verify(log, [held])
    assert caught.value.details["fault"] == "receipt_contradicted"
    assert caught.value.details["seq"] == 6


def test_a_held_checkpoint_catches_the_rewrite(log: Harness) -> None:
    held = checkpoint_of(log)
    rewrite_time_of(log, 6)
    with pytest.raises(LogFault) as caught:
        verify(log, [held])
    assert caught.value.details["fault"] == "checkpoint_contradicted"
    assert caught.value.details["evidence"] == "checkpoint.txt"


def test_a_held_checkpoint_larger_than_the_served_log_is_a_fault(log: Harness) -> None:
    held = checkpoint_of(log)
    rewrite_history(log, stored_entries(log)[:-3])  # history cut short and re-signed
    with pytest.raises(LogFault) as caught:
        verify(log, [held])
    assert caught.value.details["fault"] == "checkpoint_beyond_log"
    assert caught.value.details["served_size"] == log.ledger.size()


def test_a_state_file_misses_a_rewrite_beyond_it_and_a_receipt_does_not(
    log: Harness, tmp_path: Path
) -> None:
    state = StateFile(tmp_path / "state.json")
    verify(log, state=state)  # the auditor last verified at this size
    log.clock.advance(1)
    log.register("late vendor", ["vendor"])
    log.clock.advance(1)
    log.register("later vendor", ["vendor"])
    size = log.ledger.size()
    held = receipt_of(log, size - 1)
    rewrite_time_of(log, size - 2)  # beyond what the state file covers
    verify(log, state=StateFile(tmp_path / "state.json"))  # passes: the gap 6a closes
    with pytest.raises(LogFault) as caught:
        verify(log, [held], state=StateFile(tmp_path / "state.json"))
    assert caught.value.details["fault"] == "checkpoint_contradicted"


def test_evidence_of_another_log_or_not_signed_by_it_is_refused(log: Harness) -> None:
    name, note = checkpoint_of(log)
    with pytest.raises(EvidenceError) as caught:
        verify(log, [(name, note.replace(b"terang.test/log", b"terang.test/other", 1))])
    assert caught.value.code == "bad_evidence"
    assert name in caught.value.message
    with pytest.raises(EvidenceError):
        verify(log, [("junk.txt", b"not a checkpoint\n")])


def test_a_directory_of_evidence_is_read_recursively(log: Harness, tmp_path: Path) -> None:
    folder = tmp_path / "held"
    (folder / "vendor" / "2026").mkdir(parents=True)
    for name, data in (receipt_of(log, 3), json_receipt_of(log, 4)):
        (folder / "vendor" / "2026" / name).write_bytes(data)
    (folder / "checkpoint.txt").write_bytes(checkpoint_of(log)[1])
    held = _read_evidence([folder])
    assert len(held) == 3
    assert verify(log, held).evidence_checked == 3
