"""Appending on both engines: receipts, idempotency, authority, rejection leaves nothing."""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import ORIGIN, Harness, make_harness
from nacl.signing import SigningKey
from sqlalchemy import func, select

from ledger import merkle, storage
from ledger.errors import ClientError, Conflict, Forbidden, SignatureError, TerangError
from ledger.keys import client_key_id
from ledger.limits import Limits
from ledger.note import Verifier
from ledger.statement import SignedStatement, b64encode
from ledger.tlog_proof import TlogProof, verify_tlog_proof


def row_counts(h: Harness) -> tuple[int, int, int]:
    with h.ledger.engine.connect() as conn:
        entries = conn.execute(select(func.count()).select_from(storage.entries)).scalar_one()
        nodes = conn.execute(select(func.count()).select_from(storage.tree_nodes)).scalar_one()
        projections = conn.execute(
            select(func.count()).select_from(storage.projection_rows)
        ).scalar_one()
    return entries, nodes, projections


def grant(h: Harness, key: SigningKey, role: str, nonce: str | None = None) -> SignedStatement:
    return h.sign(
        h.authority, "registry.role.granted", client_key_id(key), {"role": role}, nonce=nonce
    )


def test_genesis_then_appends_get_consecutive_seqs_and_chain(harness: Harness) -> None:
    officer = harness.register("officer", ["finance"])
    receipts = harness.ledger.append_direct(
        [grant(harness, officer, "auditor"), grant(harness, officer, "vendor")]
    )
    assert [r.seq for r in receipts] == [2, 3]
    entries = [harness.ledger.entry(seq) for seq in range(4)]
    assert entries[0].prev == bytes(32)
    for before, after in itertools.pairwise(entries):
        assert after.prev == before.leaf_hash()


def test_receipt_carries_a_tlog_proof_that_verifies_offline(harness: Harness) -> None:
    officer = SigningKey.generate()
    body = {"public_key": b64encode(bytes(officer.verify_key)), "name": "x", "roles": ["finance"]}
    outcome = harness.ledger.append(
        [harness.sign(harness.authority, "registry.key.registered", client_key_id(officer), body)]
    )
    (receipt,) = outcome.receipts
    proof = TlogProof.parse(outcome.proofs[receipt.seq])
    assert proof.index == receipt.seq
    verifier = Verifier.from_public_key(ORIGIN, harness.log_signer.public_key)
    verify_tlog_proof(proof, receipt.leaf_hash, ORIGIN, verifier)
    with pytest.raises(TerangError):
        verify_tlog_proof(proof, merkle.leaf_hash(b"other"), ORIGIN, verifier)


def test_same_signed_statement_twice_is_logged_once(harness: Harness) -> None:
    officer = harness.register("officer", ["finance"])
    statement = grant(harness, officer, "auditor")
    first = harness.ledger.append([statement]).receipts[0]
    before = row_counts(harness)
    again = harness.ledger.append([statement]).receipts[0]
    assert again.duplicate and not first.duplicate
    assert (again.seq, again.leaf_hash, again.logged_at) == (
        first.seq,
        first.leaf_hash,
        first.logged_at,
    )
    assert row_counts(harness) == before


def test_duplicate_inside_one_batch_is_logged_once(harness: Harness) -> None:
    officer = harness.register("officer", ["finance"])
    statement = grant(harness, officer, "auditor")
    receipts = harness.ledger.append_direct([statement, statement])
    assert receipts[0].seq == receipts[1].seq
    assert receipts[1].duplicate


def test_reused_nonce_with_different_statement_is_409_and_logs_nothing(harness: Harness) -> None:
    officer = harness.register("officer", ["finance"])
    harness.ledger.append([grant(harness, officer, "auditor", nonce="same-nonce-123456")])
    before = row_counts(harness)
    with pytest.raises(Conflict) as caught:
        harness.ledger.append([grant(harness, officer, "vendor", nonce="same-nonce-123456")])
    assert caught.value.code == "nonce_reused"
    assert row_counts(harness) == before


def test_unregistered_signer_is_refused_and_nothing_logged(harness: Harness) -> None:
    stranger = SigningKey.generate()
    before = row_counts(harness)
    with pytest.raises(Forbidden) as caught:
        harness.ledger.append(
            [
                harness.sign(
                    stranger, "registry.role.granted", client_key_id(stranger), {"role": "finance"}
                )
            ]
        )
    assert caught.value.code == "unknown_signer"
    assert row_counts(harness) == before


def test_signer_without_the_role_is_refused_and_nothing_logged(harness: Harness) -> None:
    finance = harness.register("finance", ["finance"])
    before = row_counts(harness)
    with pytest.raises(Forbidden) as caught:
        harness.ledger.append(
            [
                harness.sign(
                    finance, "registry.role.granted", client_key_id(finance), {"role": "authority"}
                )
            ]
        )
    assert caught.value.code == "missing_role"
    assert row_counts(harness) == before


def test_bad_signature_is_refused_and_nothing_logged(harness: Harness) -> None:
    officer = harness.register("officer", ["finance"])
    good = grant(harness, officer, "auditor")
    forged = SignedStatement(good.statement, bytes(64))
    before = row_counts(harness)
    with pytest.raises(SignatureError):
        harness.ledger.append([forged])
    assert row_counts(harness) == before


def test_revoked_key_signs_nothing_more(harness: Harness) -> None:
    second = harness.register("second authority", ["authority"])
    harness.ledger.append(
        [
            harness.sign(
                harness.authority,
                "registry.key.revoked",
                client_key_id(second),
                {"reason": "lost laptop"},
            )
        ]
    )
    victim = harness.register("victim", ["finance"])
    with pytest.raises(Forbidden) as caught:
        harness.ledger.append(
            [
                harness.sign(
                    second, "registry.role.granted", client_key_id(victim), {"role": "auditor"}
                )
            ]
        )
    assert caught.value.code == "revoked_signer"


def test_last_authority_cannot_be_revoked(harness: Harness) -> None:
    with pytest.raises(Conflict) as caught:
        harness.ledger.append(
            [
                harness.sign(
                    harness.authority,
                    "registry.role.revoked",
                    client_key_id(harness.authority),
                    {"role": "authority"},
                )
            ]
        )
    assert caught.value.code == "last_authority"


def test_a_rejected_statement_in_a_batch_rejects_the_whole_batch(harness: Harness) -> None:
    officer = harness.register("officer", ["finance"])
    before = row_counts(harness)
    with pytest.raises(Conflict) as caught:
        harness.ledger.append(
            [grant(harness, officer, "auditor"), grant(harness, officer, "finance")]  # already held
        )
    assert caught.value.details["statement_index"] == 1
    assert row_counts(harness) == before


def test_group_commit_isolates_jobs(harness: Harness) -> None:
    """In one transaction, a rejected job leaves the accepted ones intact."""
    officer = harness.register("officer", ["finance"])
    stranger = SigningKey.generate()
    results = harness.ledger.sequencer.append_batch(
        [
            [grant(harness, officer, "auditor")],
            [
                harness.sign(
                    stranger, "registry.role.granted", client_key_id(officer), {"role": "vendor"}
                )
            ],
            [grant(harness, officer, "vendor")],
        ]
    )
    assert isinstance(results[0], list) and isinstance(results[2], list)
    assert isinstance(results[1], TerangError)
    assert results[2][0].seq == results[0][0].seq + 1


def test_every_refusal_names_each_refused_statement_and_logs_none_of_the_job(
    harness: Harness,
) -> None:
    """``every_refusal``: statements 1 and 3 (signed by an unknown key; an officer
    granting itself a role it may not grant) are each set aside and reported; the good
    ones around them are applied in order, but the job is rejected whole. Without
    ``every_refusal`` the job stops at statement 1."""
    from ledger.sequencer import StatementsRefused

    officer = harness.register("officer", ["finance"])
    stranger = SigningKey.generate()

    def job() -> list[SignedStatement]:
        return [
            grant(harness, officer, "auditor"),
            harness.sign(
                stranger, "registry.role.granted", client_key_id(officer), {"role": "vendor"}
            ),
            grant(harness, officer, "vendor"),
            harness.sign(
                officer, "registry.role.granted", client_key_id(officer), {"role": "authority"}
            ),
        ]

    size = harness.ledger.size()
    (every,) = harness.ledger.sequencer.append_batch([job()], every_refusal=True)
    assert isinstance(every, StatementsRefused)
    assert [index for index, _ in every.refusals] == [1, 3]
    assert [error.code for _, error in every.refusals] == ["unknown_signer", "missing_role"]
    assert every.details == {"statement_index": 1, "refused_count": 2}
    assert harness.ledger.size() == size
    (first,) = harness.ledger.sequencer.append_batch([job()])
    assert isinstance(first, TerangError) and not isinstance(first, StatementsRefused)
    assert first.code == "unknown_signer" and first.details["statement_index"] == 1
    good = [s for i, s in enumerate(job()) if i in (0, 2)]
    (accepted,) = harness.ledger.sequencer.append_batch([good], every_refusal=True)
    assert isinstance(accepted, list) and [r.seq for r in accepted] == [size, size + 1]


def test_clock_skew_window(harness: Harness) -> None:
    officer = harness.register("officer", ["finance"])
    statement = grant(harness, officer, "auditor")
    harness.clock.advance(harness.ledger.limits.clock_skew_s_max + 1)
    with pytest.raises(ClientError) as caught:
        harness.ledger.append([statement])
    assert caught.value.code == "clock_skew"


def test_unknown_statement_type_is_refused(harness: Harness) -> None:
    with pytest.raises(ClientError) as caught:
        harness.ledger.append([harness.sign(harness.authority, "nothing.such.type", "x", {})])
    assert caught.value.code == "unknown_statement_type"


def test_second_genesis_is_refused(harness: Harness) -> None:
    with pytest.raises(Conflict) as caught:
        harness.ledger.append([harness.sign(harness.authority, "ledger.genesis", "genesis", {})])
    assert caught.value.code == "genesis_position"


def test_stored_nodes_give_the_reference_root(harness: Harness) -> None:
    officer = harness.register("officer", ["finance"])
    for role in ("auditor", "vendor", "committee_member"):
        harness.ledger.append_direct([grant(harness, officer, role)])
    size = harness.ledger.size()
    leaves = [harness.ledger.entry(seq).leaf_hash() for seq in range(size)]
    checkpoint = harness.ledger.publisher.publish(force=True)
    assert checkpoint is not None and checkpoint.size == size
    assert checkpoint.root_hash == merkle.root_from_leaf_hashes(leaves)


def test_rate_limited_entries_are_published_by_the_ticker(
    harness_factory: Callable[..., Harness],
) -> None:
    """A batch that came too soon after a checkpoint is covered at most an interval later."""
    h = harness_factory(limits=Limits(checkpoint_interval_ms_min=300))
    h.ledger.start()
    officer = h.register("officer", ["finance"])
    outcome = h.ledger.append([grant(h, officer, "auditor")])
    (receipt,) = outcome.receipts
    deadline = time.monotonic() + 5
    while (checkpoint := h.ledger.latest_checkpoint()) is None or checkpoint.size <= receipt.seq:
        assert time.monotonic() < deadline, "no checkpoint covered the entry"
        time.sleep(0.05)
    assert h.ledger.proofs_for([receipt.seq])[receipt.seq].startswith("c2sp.org/tlog-proof@v1\n")


def test_a_repeat_with_a_forged_signature_gets_no_receipt(harness: Harness) -> None:
    """Idempotency answers only the signer: a bad signature is refused, not echoed."""
    officer = harness.register("officer", ["finance"])
    statement = grant(harness, officer, "auditor")
    harness.ledger.append([statement])
    with pytest.raises(SignatureError):
        harness.ledger.append([SignedStatement(statement.statement, bytes(64))])
    reused = grant(harness, officer, "vendor", nonce=statement.statement.nonce)
    with pytest.raises(SignatureError):
        harness.ledger.append([SignedStatement(reused.statement, bytes(64))])


def test_sqlite_insert_or_replace_cannot_overwrite_ledger_rows(tmp_path: Path) -> None:
    """REPLACE is SQLite's own (PostgreSQL has no such statement), so SQLite only."""
    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError

    h = make_harness(f"sqlite:///{tmp_path / 'replace.db'}")
    try:
        with pytest.raises(DBAPIError, match="append-only"), h.ledger.engine.begin() as conn:
            conn.execute(
                text("INSERT OR REPLACE INTO ledger_tree_nodes VALUES (0, 0, :h)"), {"h": bytes(32)}
            )
    finally:
        h.ledger.close()


def test_a_genesis_must_name_this_logs_key(database_url: str) -> None:
    """Genesis naming another checkpoint key would send auditors to the wrong key."""
    from ledger.note import generate_signer

    h = make_harness(database_url, genesis=False)
    try:
        impostor = generate_signer(ORIGIN).verifier_key()
        body = {
            "origin": ORIGIN,
            "log_verifier_key": impostor,
            "authorities": [
                {"name": "root", "public_key": b64encode(bytes(h.authority.verify_key))}
            ],
        }
        with pytest.raises(ClientError) as caught:
            h.ledger.append_direct([h.sign(h.authority, "ledger.genesis", "genesis", body)])
        assert caught.value.code == "genesis_mismatch"
        assert h.ledger.size() == 0
    finally:
        h.ledger.close()
