"""``terang verify`` parsing in worker processes finds exactly what parsing in-process finds.

The verifier parses bundles and checks signatures in worker processes ahead of the replay
(``audit.parse_ahead``) and reads each full hash tile ahead on its fetch thread. Neither
may change a verdict: on an honest log the report is the same, and behind the service's
back a changed byte, a non-canonical entry, a forged signature or a changed stored tree
hash is reported as the same fault, at the same entry, as with no workers at all.
"""

from __future__ import annotations

import pickle
from collections.abc import Iterator
from dataclasses import asdict

import pytest
from conftest import Harness
from fastapi.testclient import TestClient
from log_surgery import behind_the_triggers
from nacl.signing import SigningKey
from sqlalchemy import text

from audit import remote
from audit.parse_ahead import as_parsed, parse_and_preverify
from audit.remote import VerifyReport, verify_log
from audit.verifier import LogFault
from ledger.keys import client_key_id
from ledger.limits import TILE_WIDTH
from ledger.statement import LoggedEntry, b64encode
from terang.app import all_kinds, create_app

ENTRIES_MIN = 3 * TILE_WIDTH + 40
"""Three full bundles and a partial one: several bundles are in flight at once."""


@pytest.fixture
def long_log(harness: Harness, monkeypatch: pytest.MonkeyPatch) -> Iterator[Harness]:
    """A log of four bundles whose keys are registered all along it (so some signatures
    are checked by a worker and some, of keys registered just before, by the replay)."""
    monkeypatch.setattr(remote, "PROCESS_ENTRIES_MIN", 0)  # workers even for a short log
    statements = []
    for n in range(ENTRIES_MIN // 2):
        vendor = SigningKey.generate()
        body = {"public_key": b64encode(bytes(vendor.verify_key)), "name": f"v{n}", "roles": []}
        vendor_id = client_key_id(vendor)
        statements += [
            harness.sign(harness.authority, "registry.key.registered", vendor_id, body),
            harness.sign(harness.authority, "registry.role.granted", vendor_id, {"role": "vendor"}),
        ]
    harness.ledger.append_direct(statements)
    harness.ledger.publisher.publish(force=True)
    yield harness


def verify(h: Harness, workers: int) -> VerifyReport:
    with TestClient(create_app(h.ledger)) as client:
        return verify_log(
            client, h.log_signer.verifier_key(), all_kinds(), h.ledger.limits, workers=workers
        )


def fault(h: Harness, workers: int) -> LogFault:
    with pytest.raises(LogFault) as caught:
        verify(h, workers)
    return caught.value


def entry_bytes(h: Harness, seq: int) -> bytes:
    with h.ledger.engine.connect() as conn:
        return bytes(
            conn.execute(
                text("SELECT entry_bytes FROM ledger_entries WHERE seq = :s"), {"s": seq}
            ).scalar_one()
        )


def replace_entry(h: Harness, seq: int, changed: bytes) -> None:
    behind_the_triggers(
        h, "UPDATE ledger_entries SET entry_bytes = :b WHERE seq = :s", b=changed, s=seq
    )


def same_fault(h: Harness) -> LogFault:
    """The fault with two workers, after checking it is the fault with none."""
    alone, in_workers = fault(h, 0), fault(h, 2)
    assert (in_workers.message, in_workers.details) == (alone.message, alone.details)
    return in_workers


def test_an_honest_log_gives_the_same_report_with_workers(long_log: Harness) -> None:
    alone, in_workers = verify(long_log, 0), verify(long_log, 2)
    assert long_log.ledger.size() >= ENTRIES_MIN
    assert asdict(in_workers) == asdict(alone)
    assert in_workers.tree_size == long_log.ledger.size()


def test_a_changed_byte_in_a_later_bundle_is_the_same_fault(long_log: Harness) -> None:
    seq = next(
        n for n in range(2 * TILE_WIDTH, 3 * TILE_WIDTH) if b'"role":"' in entry_bytes(long_log, n)
    )
    original = entry_bytes(long_log, seq)
    position = original.index(b'"role":"') + len(b'"role":"')
    replace_entry(
        long_log,
        seq,
        original[:position] + bytes([original[position] ^ 0x01]) + original[position + 1 :],
    )
    assert same_fault(long_log).details["seq"] == seq


def test_a_non_canonical_entry_is_the_same_parse_fault(long_log: Harness) -> None:
    seq = TILE_WIDTH + 3
    replace_entry(
        long_log, seq, entry_bytes(long_log, seq).replace(b'{"logged_at"', b'{ "logged_at"')
    )
    caught = same_fault(long_log)
    assert (caught.details["seq"], caught.details["fault"]) == (seq, "malformed")
    assert "does not parse" in caught.message


def test_a_forged_signature_is_the_same_fault(long_log: Harness) -> None:
    seq = 3 * TILE_WIDTH + 1
    original = entry_bytes(long_log, seq).decode()
    start = original.index('"signature":"') + len('"signature":"')
    replace_entry(
        long_log, seq, (original[:start] + "A" * 86 + "==" + original[start + 88 :]).encode()
    )
    caught = same_fault(long_log)
    assert (caught.details["seq"], caught.details["fault"]) == (seq, "bad_signature")


def test_a_changed_hash_tile_read_ahead_is_the_same_fault(long_log: Harness) -> None:
    behind_the_triggers(
        long_log,
        "UPDATE ledger_tree_nodes SET hash = :zero WHERE level = 0 AND idx = :index",
        zero=bytes(32),
        index=TILE_WIDTH + 5,
    )
    assert same_fault(long_log).details["fault"] == "bad_tile"


def test_a_workers_result_survives_the_trip_back_unchanged(long_log: Harness) -> None:
    """What a worker sends back is the strict parse's result, byte for byte, with its
    signature and text-rule passes remembered (so the replay does not redo them)."""
    bundle = [entry_bytes(long_log, seq) for seq in range(1, 40)]
    known = {
        client_key_id(long_log.authority): bytes(long_log.authority.verify_key),
    }
    results = parse_and_preverify(bundle, 1, long_log.ledger.limits, known, long_log.ledger.origin)
    travelled = pickle.loads(pickle.dumps(results))
    assert travelled == results
    for sent, entry in zip(bundle, as_parsed(travelled), strict=True):
        assert isinstance(entry, LoggedEntry)
        assert entry.entry_bytes() == sent
        assert entry.__dict__.get("_text_rule_passed") is True
    by_authority = [
        entry
        for entry in as_parsed(travelled)
        if isinstance(entry, LoggedEntry)
        and entry.signed.statement.signer == client_key_id(long_log.authority)
    ]
    assert by_authority
    assert all(entry.signed.__dict__.get("_verified_under") for entry in by_authority)
