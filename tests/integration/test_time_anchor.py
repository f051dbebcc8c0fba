"""Deadlines anchored by the witnesses, not the operator's clock (issue 10, item 4b).

The attack: after a tender's deadline the operator sets the server clock back and
logs a bid; its ``logged_at`` is before the deadline, so the bid reducers accept it.
With a witness policy logged, the closing carries a checkpoint the witness quorum
cosigned at or before deadline + grace, and every bid at or past its tree size is
judged late (kept, never opened or evaluated), on the server and on replay alike.
The witness runs in-process (``witness.server`` behind a TestClient) on its own clock,
which the operator does not control. Both engines.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from conftest import ORIGIN, Harness
from fastapi.testclient import TestClient
from nacl.signing import SigningKey
from procurement_support import Scenario

from audit.remote import verify_log
from ledger.canonical import canonical_bytes as json_bytes
from ledger.errors import TerangError
from ledger.keys import client_key_id
from ledger.note import CosignatureSigner, Signature, add_signatures, generate_cosigner, split_note
from ledger.publisher import latest_checkpoint
from ledger.statement import b64encode
from ledger.time_anchor import WITNESS_POLICY_TYPE
from ledger.witnessing import WitnessEndpoint, WitnessSet
from procurement import lifecycle as lc
from procurement.closer import Closer
from terang.app import all_kinds, create_app
from witness.server import Witness, create_witness_app
from witness.store import WitnessStore

WITNESS_URL = "http://witness.test"
GRACE_S = 60


class TrueClock:
    """The witness's clock: real time as the world sees it, out of the operator's reach."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def posix(self) -> int:
        return int(self.now.timestamp())


@dataclass
class Rig:
    h: Harness
    s: Scenario
    true_time: TrueClock
    cosigner: CosignatureSigner
    witnesses: WitnessSet
    closer: SigningKey

    def cosign_latest(self) -> None:
        [result] = self.witnesses.collect()
        assert result.outcome == "cosigned", result

    def set_time(self, moment: datetime) -> None:
        """The true time and the (honest) server clock both move to ``moment``."""
        self.true_time.now = moment
        self.h.clock.now = moment

    def deadline(self) -> datetime:
        return datetime.fromisoformat(self.s.tender()["schedule"]["bid_deadline"][:-1] + "+00:00")

    def close_statement(self, body: dict[str, object]) -> object:
        return self.h.sign(self.closer, lc.CLOSED_TYPE, self.s.ocid, body)


def _witness_policy(h: Harness, cosigner: CosignatureSigner) -> None:
    body = {
        "log_verifier_key": h.log_signer.verifier_key(),
        "witnesses": [cosigner.verifier_key()],
        "quorum": 1,
        "grace_s": GRACE_S,
    }
    h.ledger.append_direct([h.sign(h.authority, WITNESS_POLICY_TYPE, "witness_policy", body)])


@pytest.fixture
def rig(harness: Harness, tmp_path: Path) -> Iterator[Rig]:
    h = harness
    true_time = TrueClock(h.clock())
    cosigner = generate_cosigner("witness.test/w1")
    store = WitnessStore.open(f"sqlite:///{tmp_path / 'witness.db'}")
    witness = Witness(cosigner, {ORIGIN: [h.log_signer.verifier()]}, store, clock=true_time.posix)
    client = TestClient(create_witness_app(witness), base_url=WITNESS_URL)
    witnesses = WitnessSet([WitnessEndpoint(cosigner.verifier(), WITNESS_URL)], client=client)
    witnesses.attach(h.ledger.engine, h.clock)
    s = Scenario.build(h, vendors=3)
    closer = h.register("terang closer", ["tender_closer"])
    try:
        yield Rig(h, s, true_time, cosigner, witnesses, closer)
    finally:
        client.close()
        store.close()


def verify(h: Harness) -> None:
    with TestClient(create_app(h.ledger)) as client:
        verify_log(client, h.log_signer.verifier_key(), all_kinds(), h.ledger.limits)


def _tender_with_a_back_dated_bid(rig: Rig) -> tuple[SigningKey, SigningKey, SigningKey]:
    """Two bids on time (cosigned before the deadline), one logged after the deadline
    on a server clock set back 15 minutes (its logged_at is before the deadline)."""
    h, s = rig.h, rig.s
    a, b, c = s.vendors
    _witness_policy(h, rig.cosigner)
    s.package()
    s.announce(days=10)
    s.bid(a, 46_000_000_000)
    s.bid(b, 44_000_000_000)
    rig.cosign_latest()  # the witness saw a and b before the deadline
    deadline = rig.deadline()
    rig.set_time(deadline + timedelta(minutes=3))
    h.clock.now = deadline - timedelta(minutes=12)  # the operator sets the clock back
    s.bid(c, 40_000_000_000)  # accepted: its logged_at is before the deadline
    assert s.bid_doc(c)["logged_at"] < s.tender()["schedule"]["bid_deadline"]
    rig.cosign_latest()  # the witness's timestamp is the true time: 3 min late
    rig.set_time(deadline + timedelta(minutes=4))
    return a, b, c


def test_a_back_dated_bid_outside_the_witnessed_window_is_judged_late(rig: Rig) -> None:
    h, s = rig.h, rig.s
    a, b, c = _tender_with_a_back_dated_bid(rig)
    assert Closer(h.ledger, rig.closer).close_due() == [s.ocid]
    tender = s.tender()
    assert tender["state"] == lc.CLOSED
    anchor = tender["time_anchor"]
    assert s.bid_doc(b)["seq"] < anchor["tree_size"] <= s.bid_doc(c)["seq"]
    assert all(t <= rig.deadline().timestamp() + GRACE_S for t in anchor["cosigned_at"])
    for member in s.members[:2]:
        s.release(member)
    late = s.bid_doc(c)
    assert (late["status"], late["validity"], late["opening"]) == ("late", "late", None)
    assert s.tender()["bids"]["active"] == 2 and s.tender()["bids"]["late"] == 1
    s.append(s.officer, lc.OPENED_TYPE, {})  # every bid is decided at the opening
    assert s.bid_doc(a)["opening"]["price_sen"] == 46_000_000_000
    assert s.bid_doc(c)["opening"] is None
    with pytest.raises(TerangError) as caught:
        s.evaluate([(c, True, "99")])
    assert caught.value.code == "bid_late"
    s.evaluate([(a, True, "85"), (b, True, "80")])
    s.announce_winner(b)  # the late bid, cheapest of all, was never in the running
    verify(h)  # the auditor's replay reaches the same judgement
    with TestClient(create_app(h.ledger)) as client:
        page = client.get(f"/tender/{s.ocid}?lang=en").text
    assert "the log&#39;s witnesses: 1 of 1" in page or "the log's witnesses: 1 of 1" in page
    assert f"Bids before entry {anchor['tree_size']} were cosigned" in page
    assert "late (outside the witnesses" in page


def test_an_anchor_with_a_too_late_or_forged_cosignature_is_refused(rig: Rig) -> None:
    h = rig.h
    _tender_with_a_back_dated_bid(rig)
    with h.ledger.engine.connect() as conn:
        checkpoint = latest_checkpoint(conn)
    assert checkpoint is not None
    from ledger.witnessing import cosigned_note

    with h.ledger.engine.connect() as conn:
        too_late = cosigned_note(conn, checkpoint)  # cosigned 3 minutes after the deadline
    size = h.ledger.size()

    def refused(body: dict[str, object], code: str) -> None:
        with pytest.raises(TerangError) as caught:
            h.ledger.append_direct([rig.close_statement(body)])  # type: ignore[list-item]
        assert caught.value.code == code, caught.value.message
        assert h.ledger.size() == size

    refused({"time_anchor": too_late}, "time_anchor_too_late")
    refused({}, "time_anchor_required")
    # A cosignature line under the witness's name and key id with other bytes.
    note = split_note(too_late)
    line = next(sig for sig in note.signatures if sig.name == rig.cosigner.name)
    forged = Signature(line.name, line.key_id, bytes(8) + bytes(64))
    refused({"time_anchor": add_signatures(too_late, [forged])}, "time_anchor_refused")
    # Cosigned by a witness the policy does not list: the quorum is not met.
    stranger = generate_cosigner("witness.test/stranger")
    timestamp = int(rig.deadline().timestamp())
    own = add_signatures(checkpoint.note, [stranger.cosign(note.text, timestamp)])
    refused({"time_anchor": own}, "time_anchor_quorum_not_met")
    # Not signed by this log: another key with the log's name.
    from ledger.note import generate_signer

    impostor = generate_signer(ORIGIN)
    witnessed = rig.cosigner.cosign(note.text, timestamp)
    fake = add_signatures(note.text + "\n" + impostor.sign(note.text).line, [witnessed])
    refused({"time_anchor": fake}, "time_anchor_refused")


def test_without_a_witness_policy_closing_carries_no_anchor(harness: Harness) -> None:
    """As before issue 10: the deadline rests on logged_at alone, and the closing says so
    by carrying no anchor; one offered anyway is refused."""
    h = harness
    s = Scenario.build(h, vendors=2)
    closer = h.register("terang closer", ["tender_closer"])
    s.package()
    s.announce(days=10)
    s.bid(s.vendors[0], 46_000_000_000)
    h.clock.advance(10 * 86400)
    with h.ledger.engine.connect() as conn:
        checkpoint = latest_checkpoint(conn)
    assert checkpoint is not None
    with pytest.raises(TerangError) as caught:
        h.ledger.append_direct(
            [h.sign(closer, lc.CLOSED_TYPE, s.ocid, {"time_anchor": checkpoint.note})]
        )
    assert caught.value.code == "no_witness_policy"
    assert Closer(h.ledger, closer).close_due() == [s.ocid]
    assert "time_anchor" not in s.tender()
    assert client_key_id(s.vendors[0])  # the bid stays as it was: judged by logged_at
    assert s.bid_doc(s.vendors[0])["status"] == "submitted"
    with TestClient(create_app(h.ledger)) as client:
        page = client.get(f"/tender/{s.ocid}?lang=en").text
    assert "the operator alone: this log has no witness policy" in page


def test_a_vendor_receipt_proves_its_bid_on_time_with_the_witnesses(rig: Rig) -> None:
    """``GET /api/v1/entries/{seq}/tlog-proof?witnessed=earliest``: the proof of an on-time
    bid lies in a checkpoint the quorum cosigned by deadline + grace (what the vendor
    shows in an objection); the back-dated bid's earliest witnessed checkpoint is too late."""
    from ledger import merkle
    from ledger.time_anchor import TimeAnchorRefused, WitnessPolicy, check_anchor
    from ledger.tlog_proof import TlogProof, verify_tlog_proof

    h, s = rig.h, rig.s
    a, _b, c = _tender_with_a_back_dated_bid(rig)
    policy = WitnessPolicy.from_document(s.read("registry.meta", "witness_policy"))
    not_after = int(rig.deadline().timestamp()) + GRACE_S
    with TestClient(create_app(h.ledger)) as client:
        for vendor, on_time in ((a, True), (c, False)):
            seq = s.bid_doc(vendor)["seq"]
            response = client.get(f"/api/v1/entries/{seq}/tlog-proof?witnessed=earliest")
            assert response.status_code == 200, response.text
            proof = TlogProof.parse(response.text)
            leaf = merkle.leaf_hash(h.ledger.entry(seq).entry_bytes())
            verify_tlog_proof(proof, leaf, ORIGIN, h.log_signer.verifier())
            if on_time:
                assert check_anchor(policy, proof.checkpoint_note, not_after).tree_size > seq
            else:
                with pytest.raises(TimeAnchorRefused) as caught:
                    check_anchor(policy, proof.checkpoint_note, not_after)
                assert caught.value.code == "time_anchor_too_late"
        receipt = client.post(
            "/api/v1/statements",
            content=json_bytes(
                h.sign(
                    h.authority, "registry.role.granted", client_key_id(a), {"role": "auditor"}
                ).to_json()
            ),
        )
        assert receipt.status_code == 201, receipt.text
        assert receipt.json()["time_vouched_by"] == "witnesses"


def test_without_a_witness_policy_receipts_say_the_operator_alone_vouches(
    harness: Harness,
) -> None:
    h = harness
    key = SigningKey.generate()
    body = {"public_key": b64encode(bytes(key.verify_key)), "name": "x", "roles": []}
    with TestClient(create_app(h.ledger)) as client:
        receipt = client.post(
            "/api/v1/statements",
            content=json_bytes(
                h.sign(h.authority, "registry.key.registered", client_key_id(key), body).to_json()
            ),
        )
        assert receipt.status_code == 201, receipt.text
        assert receipt.json()["time_vouched_by"] == "operator"
        refused = client.get(
            f"/api/v1/entries/{receipt.json()['seq']}/tlog-proof?witnessed=earliest"
        )
    assert refused.status_code == 409
    assert refused.json()["code"] == "no_witness_policy"


def test_an_anchor_that_is_not_a_tree_head_of_this_log_fails_verify(rig: Rig) -> None:
    """The operator signs a checkpoint over a tree of its choosing and a colluding witness
    cosigns it in time: the reducer cannot see the tree and accepts it, but the auditor's
    replay shows it is no tree head of this log (no consistency proof to the log)."""
    from audit.verifier import LogFault
    from ledger.checkpoint import Checkpoint, sign_checkpoint

    h, s = rig.h, rig.s
    _witness_policy(h, rig.cosigner)
    s.package()
    s.announce(days=10)
    s.bid(s.vendors[0], 46_000_000_000)
    deadline = rig.deadline()
    rig.set_time(deadline + timedelta(minutes=2))
    forged = sign_checkpoint(Checkpoint(ORIGIN, h.ledger.size(), bytes(32)), h.log_signer)
    cosignature = rig.cosigner.cosign(split_note(forged).text, int(deadline.timestamp()))
    anchor = add_signatures(forged, [cosignature])
    h.ledger.append_direct([rig.close_statement({"time_anchor": anchor})])  # type: ignore[list-item]
    with pytest.raises(LogFault) as caught:
        verify(h)
    assert caught.value.details["fault"] == "time_anchor_not_in_log"
    assert caught.value.details["ocid"] == s.ocid


def test_only_the_authority_sets_the_witness_policy_or_declares_a_simulated_clock(
    harness: Harness,
) -> None:
    """A rogue officer (or the closer key on the server) cannot drop the anchor rule by
    logging a policy of its own witnesses, nor switch the time-order rule off: both are
    authority statements, refused with ``missing_role`` and nothing logged."""
    from ledger.authority import CLOCK_SIMULATED_TYPE

    h = harness
    own_witness = generate_cosigner("rogue.example/w")
    body = {
        "log_verifier_key": h.log_signer.verifier_key(),
        "witnesses": [own_witness.verifier_key()],
        "quorum": 1,
    }
    for label, roles in (("officer", ["procurement_officer"]), ("closer", ["tender_closer"])):
        rogue = h.register(f"rogue {label}", roles)
        size = h.ledger.size()
        for statement in (
            h.sign(rogue, WITNESS_POLICY_TYPE, "witness_policy", body),
            h.sign(rogue, CLOCK_SIMULATED_TYPE, "clock", {"reason": "hide a back-dated bid"}),
        ):
            with pytest.raises(TerangError) as caught:
                h.ledger.append_direct([statement])
            assert caught.value.code == "missing_role", statement.statement.type
        assert h.ledger.size() == size
