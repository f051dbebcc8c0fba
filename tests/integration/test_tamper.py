"""Tampering behind the service's back (as a superuser, past the triggers) is caught.

The auditor's check reads only the public API (checkpoint + entry bundles) and a
verifier key it got out of band, and must name the entry that was changed.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import Harness
from fastapi.testclient import TestClient
from log_surgery import behind_the_triggers
from sqlalchemy import text

from audit.remote import StateFile, VerifyReport, verify_log
from audit.verifier import LogFault
from ledger.errors import VerificationError
from ledger.keys import client_key_id
from terang.app import all_kinds, create_app


@pytest.fixture
def busy_log(harness: Harness) -> Iterator[Harness]:
    """A log of a few hundred entries (more than one entry bundle) with a checkpoint."""
    keys = [harness.register(f"officer {i}", ["finance"]) for i in range(5)]
    statements = [
        harness.sign(harness.authority, "registry.role.granted", client_key_id(key), {"role": role})
        for key in keys
        for role in ("auditor", "vendor", "committee_member")
    ]
    harness.ledger.append_direct(statements)
    for i in range(260):
        harness.register(f"vendor {i}", ["vendor"])
    harness.ledger.publisher.publish(force=True)
    yield harness


def verify(h: Harness, state: StateFile | None = None) -> VerifyReport:
    with TestClient(create_app(h.ledger)) as client:
        return verify_log(
            client, h.log_signer.verifier_key(), all_kinds(), h.ledger.limits, state=state
        )


def entry_bytes(h: Harness, seq: int) -> bytes:
    with h.ledger.engine.connect() as conn:
        return bytes(
            conn.execute(
                text("SELECT entry_bytes FROM ledger_entries WHERE seq = :s"), {"s": seq}
            ).scalar_one()
        )


def test_untouched_log_verifies(busy_log: Harness) -> None:
    verify(busy_log)


def test_one_changed_byte_is_caught_and_named(busy_log: Harness) -> None:
    seq = 10  # a role grant (entries 6..20)
    original = entry_bytes(busy_log, seq)
    # Change one character inside the signed statement (a role name's letter).
    position = original.index(b'"role":"') + len(b'"role":"')
    changed = original[:position] + bytes([original[position] ^ 0x01]) + original[position + 1 :]
    behind_the_triggers(
        busy_log, "UPDATE ledger_entries SET entry_bytes = :b WHERE seq = :s", b=changed, s=seq
    )
    with pytest.raises(LogFault) as caught:
        verify(busy_log)
    assert caught.value.details["seq"] == seq
    assert f"entry {seq}" in caught.value.message


def test_a_removed_entry_is_caught(busy_log: Harness) -> None:
    seq = 40
    behind_the_triggers(busy_log, "DELETE FROM ledger_entries WHERE seq = :s", s=seq)
    with pytest.raises(VerificationError):
        verify(busy_log)


def test_swapped_entries_are_caught_at_the_first(busy_log: Harness) -> None:
    a, b = entry_bytes(busy_log, 50), entry_bytes(busy_log, 51)
    behind_the_triggers(
        busy_log, "UPDATE ledger_entries SET entry_bytes = :b WHERE seq = :s", b=b, s=50
    )
    behind_the_triggers(
        busy_log, "UPDATE ledger_entries SET entry_bytes = :b WHERE seq = :s", b=a, s=51
    )
    with pytest.raises(LogFault) as caught:
        verify(busy_log)
    assert caught.value.details["seq"] == 50
    assert caught.value.details["fault"] == "seq_mismatch"


def test_a_replaced_signature_is_caught(busy_log: Harness) -> None:
    seq = 120
    original = entry_bytes(busy_log, seq).decode()
    start = original.index('"signature":"') + len('"signature":"')
    forged_signature = "A" * 86 + "=="
    changed = original[:start] + forged_signature + original[start + 88 :]
    behind_the_triggers(
        busy_log,
        "UPDATE ledger_entries SET entry_bytes = :b WHERE seq = :s",
        b=changed.encode(),
        s=seq,
    )
    with pytest.raises(LogFault) as caught:
        verify(busy_log)
    assert caught.value.details["seq"] == seq
    assert caught.value.details["fault"] == "bad_signature"


def test_a_changed_last_entry_is_caught_by_the_checkpoint_root(busy_log: Harness) -> None:
    """The last entry has no successor whose prev would expose it: the root does."""
    seq = busy_log.ledger.size() - 1
    original = entry_bytes(busy_log, seq)
    changed = original.replace(b'"logged_at":"2026', b'"logged_at":"2027', 1)
    behind_the_triggers(
        busy_log, "UPDATE ledger_entries SET entry_bytes = :b WHERE seq = :s", b=changed, s=seq
    )
    with pytest.raises(LogFault) as caught:
        verify(busy_log)
    assert caught.value.details["fault"] == "root_mismatch"


def test_a_checkpoint_signed_by_another_key_is_refused(busy_log: Harness) -> None:
    from ledger.checkpoint import Checkpoint, sign_checkpoint
    from ledger.note import generate_signer

    size = busy_log.ledger.size()
    forged = sign_checkpoint(
        Checkpoint("terang.test/log", size, bytes(32)), generate_signer("terang.test/log")
    )
    behind_the_triggers(
        busy_log, "UPDATE ledger_checkpoints SET note = :n WHERE tree_size = :s", n=forged, s=size
    )
    with pytest.raises(VerificationError):
        verify(busy_log)


def test_a_bumped_projection_row_is_caught(busy_log: Harness) -> None:
    """A projection changed behind the service (a role added to a key) fails the replay check."""
    with busy_log.ledger.engine.connect() as conn:
        key, value = conn.execute(
            text(
                "SELECT key, value FROM projection_rows "
                "WHERE namespace = 'registry.key' ORDER BY key"
            )
        ).first()  # type: ignore[misc]
    bumped = value.replace('"roles":[', '"roles":["authority",', 1)
    assert bumped != value
    behind_the_triggers(
        busy_log, "UPDATE projection_rows SET value = :v WHERE key = :k", v=bumped, k=key
    )
    with pytest.raises(LogFault) as caught:
        verify(busy_log)
    assert caught.value.details["fault"] == "projection_mismatch"
    assert caught.value.details["key"] == key


@pytest.mark.parametrize(("level", "index"), [(0, 3), (8, 0)], ids=["leaf", "level-8"])
def test_a_changed_stored_tree_hash_is_caught(
    busy_log: Harness, tmp_path: Path, level: int, index: int
) -> None:
    """Stored hashes at tile levels (tree levels 0, 8, ...) are served as tlog tiles, which
    the verifier recomputes from the entries. (Hashes between tile levels only feed the
    JSON proofs, which a client checks against a signed root anyway.)"""
    state = StateFile(tmp_path / "state.json")
    verify(busy_log, state)
    behind_the_triggers(
        busy_log,
        "UPDATE ledger_tree_nodes SET hash = :zero WHERE level = :level AND idx = :index",
        zero=bytes(32),
        level=level,
        index=index,
    )
    with pytest.raises(LogFault) as caught:
        verify(busy_log, state)
    assert caught.value.details["fault"] == "bad_tile"


def test_a_checkpoint_resigned_over_a_forked_history_is_caught(
    busy_log: Harness, tmp_path: Path
) -> None:
    """The log key signs a bigger checkpoint whose tree does not extend the verified one."""
    from ledger.checkpoint import Checkpoint, sign_checkpoint

    state = StateFile(tmp_path / "state.json")
    first = verify(busy_log, state)
    size = first.tree_size + 1
    forked_root = bytes(range(32))
    forged = sign_checkpoint(Checkpoint("terang.test/log", size, forked_root), busy_log.log_signer)
    busy_log.register("one more", ["vendor"])  # publishes the honest checkpoint of `size`
    behind_the_triggers(
        busy_log,
        "UPDATE ledger_checkpoints SET note = :n, root_hash = :r WHERE tree_size = :s",
        n=forged,
        r=forked_root,
        s=size,
    )
    with pytest.raises(LogFault) as caught:
        verify(busy_log, state)
    assert caught.value.details["fault"] == "inconsistent"
    assert caught.value.details["previous_checkpoint"] == first.checkpoint


def test_a_rewritten_history_is_caught_against_the_state_file(
    busy_log: Harness, tmp_path: Path
) -> None:
    """Entries already verified are changed and every hash recomputed: the old root exposes it."""
    state = StateFile(tmp_path / "state.json")
    verify(busy_log, state)
    seq = busy_log.ledger.size() - 1
    original = entry_bytes(busy_log, seq)
    behind_the_triggers(
        busy_log,
        "UPDATE ledger_entries SET entry_bytes = :b WHERE seq = :s",
        b=original.replace(b'"logged_at":"2026', b'"logged_at":"2027', 1),
        s=seq,
    )
    with pytest.raises(LogFault) as caught:
        verify(busy_log, state)
    assert caught.value.details["fault"] in {"history_rewritten", "root_mismatch"}


def test_record_bundle_verifies_alone_and_fails_when_tampered(busy_log: Harness) -> None:
    from audit.bundle import verify_record_bundle
    from ledger.errors import TerangError

    officer_key = client_key_id(busy_log.keys["officer 0"])
    with TestClient(create_app(busy_log.ledger)) as client:
        bundle = client.get(f"/api/v1/records/{officer_key}/bundle").json()
    verifier = busy_log.log_signer.verifier()
    record = verify_record_bundle(bundle, "terang.test/log", verifier, busy_log.ledger.limits)
    assert [e.signed.statement.type for e in record.entries] == [
        "registry.key.registered",
        "registry.role.granted",
        "registry.role.granted",
        "registry.role.granted",
    ]
    tampered = json.loads(json.dumps(bundle))
    raw = base64.b64decode(tampered["entries"][1]["entry_bytes_b64"])
    tampered["entries"][1]["entry_bytes_b64"] = base64.b64encode(
        raw.replace(b"auditor", b"auditer")
    ).decode()
    with pytest.raises(TerangError):
        verify_record_bundle(tampered, "terang.test/log", verifier, busy_log.ledger.limits)


def test_a_policy_quorum_is_enforced_on_the_live_checkpoint(busy_log: Harness) -> None:
    from audit.policy import parse_policy
    from ledger.errors import SignatureError
    from ledger.note import generate_cosigner

    log_line = f"log {busy_log.log_signer.verifier_key()}\n"
    witness = generate_cosigner("witness.example")
    with TestClient(create_app(busy_log.ledger)) as client:
        lenient = parse_policy((log_line + "quorum none\n").encode())
        report = verify_log(client, None, all_kinds(), busy_log.ledger.limits, policy=lenient)
        assert report.tree_size == busy_log.ledger.size()
        strict = parse_policy(
            (log_line + f"witness w {witness.verifier_key()}\nquorum w\n").encode()
        )
        with pytest.raises(SignatureError) as caught:
            verify_log(client, None, all_kinds(), busy_log.ledger.limits, policy=strict)
    assert caught.value.code == "quorum_not_met"
