"""Contracts on both engines: PPK + vendor countersignature, amendments tied to the
budget, milestones, payment requests paid as budgeting payments; refusals log nothing."""

from __future__ import annotations

from typing import Any

from conftest import Harness
from log_checks import refused, replay_matches
from nacl.signing import SigningKey
from procurement_support import LINE, Scenario

from budgeting import reducers as budget
from budgeting import statements as st
from ledger.keys import client_key_id
from ledger.statement import SignedStatement
from procurement import client
from procurement import contracts as ct

ONE_RP = 100  # sen


def awarded(h: Harness) -> Scenario:
    """A tender awarded to vendor b at Rp 430 juta on a line of Rp 1 miliar."""
    s = Scenario.build(h, vendors=2)
    a, b = s.vendors
    allot = st.allotment(LINE, "ANGKAS-2026-1", [(3, 100_000_000_000)])
    h.ledger.append_direct([allot.sign(s.finance, at=h.clock(), origin=h.origin)])
    s.package()
    s.announce(days=10)
    s.bid(a, 46_000_000_000)
    s.bid(b, 43_000_000_000)
    h.clock.advance(10 * 86400)
    s.close()
    s.open()
    s.evaluate([(a, True, "85"), (b, True, "80")])
    s.announce_winner(b)
    h.clock.advance(5 * 86400)
    h.ledger.append_direct(s.award_statements("KONTRAK-1"))
    return s


MILESTONES = [
    client.milestone("Uang muka", 13_000_000_000, "2026-04-01"),
    client.milestone("Serah terima", 30_000_000_000, "2026-06-30"),
]


def contract_statement(
    s: Scenario, vendor: SigningKey, body: dict[str, Any] | None = None
) -> SignedStatement:
    terms = body or client.contract_body(
        "SPK-001/DINKES/2026", 43_000_000_000, "2026-03-20", "2026-06-30", MILESTONES
    )
    signature = client.countersign(vendor, ct.SIGNED, s.ocid, terms)
    return client.contract_statement(
        s.officer, s.ocid, terms, signature, at=s.log.clock(), origin=s.log.origin
    )


def contract(s: Scenario) -> dict[str, Any]:
    return s.read(ct.CONTRACT_NAMESPACE, s.ocid)


def pay(s: Scenario, request: int, posting_id: str) -> Any:
    doc = contract(s)
    commitments = {c: s.read(budget.NS_COMMITMENT, c) for c in doc["commitments"]}
    batch = client.payment_batch(
        s.officer,
        s.finance,
        doc,
        request,
        posting_id,
        commitments,
        at=s.log.clock(),
        origin=s.log.origin,
    )
    return s.log.ledger.append_direct(batch)


def test_contract_amendments_and_payments_on_both_engines(harness: Harness) -> None:
    h = harness
    s = awarded(h)
    a, b = s.vendors
    # The loser's countersignature, a value other than the award, bad milestones.
    refused(h, lambda: h.ledger.append_direct([contract_statement(s, a)]), "bad_vendor_signature")
    wrong = client.contract_body("SPK-1", 44_000_000_000, "2026-03-20", "2026-06-30", MILESTONES)
    refused(
        h,
        lambda: h.ledger.append_direct([contract_statement(s, b, wrong)]),
        "contract_value_mismatch",
    )
    short = client.contract_body(
        "SPK-1", 43_000_000_000, "2026-03-20", "2026-06-30", MILESTONES[:1]
    )
    refused(
        h, lambda: h.ledger.append_direct([contract_statement(s, b, short)]), "milestones_mismatch"
    )
    # A signature over other terms does not carry over.
    good = contract_statement(s, b)
    forged_body = {**good.statement.body, "end": "2026-12-31"}
    forged = h.sign(s.officer, ct.SIGNED, s.ocid, forged_body)
    refused(h, lambda: h.ledger.append_direct([forged]), "bad_vendor_signature")
    refused(
        h,
        lambda: h.ledger.append_direct(
            [client.payment_request(b, s.ocid, 1, 1, 1, at=h.clock(), origin=h.origin)]
        ),
        "unknown_contract",
    )
    h.ledger.append_direct([good])
    refused(h, lambda: h.ledger.append_direct([contract_statement(s, b)]), "contract_exists")
    doc = contract(s)
    assert doc["vendor"] == client_key_id(b) and doc["value_sen"] == 43_000_000_000
    assert doc["commitments"] == ["KONTRAK-1"]

    # Payment requests: only the vendor, never beyond the milestone.
    refused(
        h,
        lambda: h.ledger.append_direct(
            [client.payment_request(a, s.ocid, 1, 1, 13_000_000_000, at=h.clock(), origin=h.origin)]
        ),
        "not_contract_vendor",
    )
    refused(
        h,
        lambda: h.ledger.append_direct(
            [client.payment_request(b, s.ocid, 1, 1, 13_000_000_100, at=h.clock(), origin=h.origin)]
        ),
        "request_exceeds_milestone",
    )
    invoice = {"name": "Invoice uang muka", "sha256": "cd" * 32}
    h.ledger.append_direct(
        [
            client.payment_request(
                b, s.ocid, 1, 1, 13_000_000_000, at=h.clock(), origin=h.origin, invoice=invoice
            )
        ]
    )
    # A paid statement without its budgeting payment; a payment of another amount.
    paid_alone = h.sign(s.officer, ct.PAID, s.ocid, {"request": 1, "payments": ["SP2D-1"]})
    refused(h, lambda: h.ledger.append_direct([paid_alone]), "payment_without_posting")
    other = st.payment(LINE, "SP2D-X", 1_000_000, h.clock().date(), commitment="KONTRAK-1")
    paid_other = h.sign(s.officer, ct.PAID, s.ocid, {"request": 1, "payments": ["SP2D-X"]})
    refused(
        h,
        lambda: h.ledger.append_direct(
            [other.sign(s.finance, at=h.clock(), origin=h.origin), paid_other]
        ),
        "payment_mismatch",
    )
    pay(s, 1, "SP2D-1")
    refused(h, lambda: pay(s, 1, "SP2D-2"), "request_not_pending")
    line = s.read(budget.NS_LINE, LINE)
    assert line["realised_sen"] == 13_000_000_000
    assert line["paid_committed_sen"] == 13_000_000_000

    # An increase needs budget room: beyond the line it is refused, batch and all.
    bigger = [MILESTONES[0], client.milestone("Serah terima", 130_000_000_000, "2026-06-30")]
    too_big = client.amendment_body(
        1, 143_000_000_000, bigger, "tambah volume", commitment="KONTRAK-1-ADD-1"
    )
    signature = client.countersign(b, ct.AMENDED, s.ocid, too_big)
    refused(
        h,
        lambda: h.ledger.append_direct(
            client.amendment_batch(
                s.officer, s.finance, doc, too_big, signature, at=h.clock(), origin=h.origin
            )
        ),
        "commitment_exceeds_available",
    )
    # Without its commitment.
    plus = [MILESTONES[0], client.milestone("Serah terima", 35_000_000_000, "2026-07-31")]
    no_commitment = client.amendment_body(1, 48_000_000_000, plus, "tambah volume")
    signature = client.countersign(b, ct.AMENDED, s.ocid, no_commitment)
    refused(
        h,
        lambda: h.ledger.append_direct(
            client.amendment_batch(
                s.officer, s.finance, doc, no_commitment, signature, at=h.clock(), origin=h.origin
            )
        ),
        "amendment_without_commitment",
    )
    increase = client.amendment_body(
        1, 48_000_000_000, plus, "tambah volume", end="2026-07-31", commitment="KONTRAK-1-ADD-1"
    )
    signature = client.countersign(b, ct.AMENDED, s.ocid, increase)
    h.ledger.append_direct(
        client.amendment_batch(
            s.officer, s.finance, doc, increase, signature, at=h.clock(), origin=h.origin
        )
    )
    doc = contract(s)
    assert doc["value_sen"] == 48_000_000_000
    assert doc["commitments"] == ["KONTRAK-1", "KONTRAK-1-ADD-1"]
    assert s.read(budget.NS_LINE, LINE)["committed_sen"] == 48_000_000_000

    # A decrease below what was requested is refused; a decrease above it is logged.
    below = [client.milestone("Uang muka", 12_000_000_000, "2026-04-01"), plus[1]]
    body = client.amendment_body(2, 47_000_000_000, below, "kurang")
    signature = client.countersign(b, ct.AMENDED, s.ocid, body)
    refused(
        h,
        lambda: h.ledger.append_direct(
            client.amendment_batch(
                s.officer, s.finance, doc, body, signature, at=h.clock(), origin=h.origin
            )
        ),
        "milestone_below_requested",
    )
    less = [MILESTONES[0], client.milestone("Serah terima", 33_000_000_000, "2026-07-31")]
    body = client.amendment_body(2, 46_000_000_000, less, "volume berkurang")
    signature = client.countersign(b, ct.AMENDED, s.ocid, body)
    h.ledger.append_direct(
        client.amendment_batch(
            s.officer, s.finance, doc, body, signature, at=h.clock(), origin=h.origin
        )
    )
    doc = contract(s)
    assert doc["value_sen"] == 46_000_000_000
    assert [m["change_sen"] for m in doc["amendments"]] == [5_000_000_000, -2_000_000_000]

    # The final milestone: paid from the first commitment with room, up to the value.
    h.ledger.append_direct(
        [client.payment_request(b, s.ocid, 2, 2, 33_000_000_000, at=h.clock(), origin=h.origin)]
    )
    refused(
        h,
        lambda: h.ledger.append_direct(
            [client.payment_request(b, s.ocid, 3, 2, ONE_RP, at=h.clock(), origin=h.origin)]
        ),
        "request_exceeds_milestone",
    )
    pay(s, 2, "SP2D-2")
    doc = contract(s)
    assert doc["paid_sen"] == 46_000_000_000 and doc["status"] == "paid"
    # Rp 300 of the 330 juta from the award's commitment, Rp 30 juta from the amendment's.
    assert doc["requests"][1]["payment"] == ["SP2D-2", "SP2D-2-2"]
    assert s.read(budget.NS_COMMITMENT, "KONTRAK-1-ADD-1")["paid_sen"] == 3_000_000_000
    assert s.read(budget.NS_LINE, LINE)["realised_sen"] == 46_000_000_000
    replay_matches(h)


def test_rejected_request_frees_the_milestone(harness: Harness) -> None:
    h = harness
    s = awarded(h)
    _a, b = s.vendors
    h.ledger.append_direct([contract_statement(s, b)])
    h.ledger.append_direct(
        [client.payment_request(b, s.ocid, 1, 1, 13_000_000_000, at=h.clock(), origin=h.origin)]
    )
    reject = h.sign(
        s.officer, ct.PAYMENT_REJECTED, s.ocid, {"request": 1, "reason": "BAST belum ada"}
    )
    h.ledger.append_direct([reject])
    again = h.sign(s.officer, ct.PAYMENT_REJECTED, s.ocid, {"request": 1, "reason": "lagi"})
    refused(h, lambda: h.ledger.append_direct([again]), "request_not_pending")
    h.ledger.append_direct(
        [client.payment_request(b, s.ocid, 2, 1, 13_000_000_000, at=h.clock(), origin=h.origin)]
    )
    pay(s, 2, "SP2D-1")
    doc = contract(s)
    assert [r["status"] for r in doc["requests"]] == ["rejected", "paid"]
    assert doc["milestones"][0]["paid_sen"] == 13_000_000_000
    replay_matches(h)
