"""Procurement on both engines: a full tender, every refusal logs nothing, replay agrees."""

from __future__ import annotations

import base64

from conftest import Harness
from log_checks import refused, replay_matches
from nacl.signing import SigningKey
from procurement_support import Scenario, register_vendor

from ledger.keys import client_key_id
from ledger.statement import b64encode, format_time
from procurement import client
from procurement import lifecycle as lc
from procurement.closer import Closer


def test_full_tender_on_both_engines(harness: Harness) -> None:
    h = harness
    s = Scenario.build(h, vendors=4)
    a, b, c, d = s.vendors
    s.package()
    s.announce(days=10)
    s.append(a, "procurement.tender.question_asked", {"question": "Merek apa yang setara?"})
    s.append(s.officer, "procurement.tender.question_answered", {"question": 1, "answer": "Bebas"})
    s.bid(a, 46_000_000_000)
    s.bid(b, 44_000_000_000)
    s.bid(b, 43_000_000_000, replace=True)
    s.bid(c, 45_000_000_000)
    s.append(c, "procurement.bid.withdrawn", {})
    h.clock.advance(10 * 86400)
    # The deadline passed and no closing entry yet: a late bid is still refused.
    assert s.tender()["state"] == lc.ACTIVE
    refused(h, lambda: s.bid(d, 40_000_000_000), "bid_deadline_passed")
    closer = Closer(h.ledger, s.officer)
    assert closer.close_due() == [s.ocid]
    assert closer.close_due() == []
    assert s.tender()["state"] == lc.CLOSED
    refused(h, lambda: s.bid(d, 40_000_000_000), "transition_not_allowed")
    s.release(s.members[0])
    refused(h, lambda: s.append(s.officer, "procurement.tender.opened", {}), "not_enough_releases")
    assert s.bid_doc(a)["opening"] is None
    s.release(s.members[1])
    s.append(s.officer, "procurement.tender.opened", {})
    assert s.bid_doc(b)["opening"]["price_sen"] == 43_000_000_000
    # Anyone can reopen a bid from the public projection and check it.
    assert client.open_bid(s.bid_doc(a), 2).price_sen == 46_000_000_000
    s.evaluate([(a, True, "85"), (b, True, "80")])
    s.announce_winner(b)
    s.append(a, "procurement.tender.objection_filed", {"objection": "harga b terlalu rendah"})
    s.append(
        s.officer,
        "procurement.tender.objection_answered",
        {"objection": 1, "outcome": "rejected", "answer": "harga wajar, sudah diklarifikasi"},
    )
    h.clock.advance(5 * 86400)
    h.ledger.append_direct(s.award_statements())
    tender = s.tender()
    assert tender["state"] == lc.AWARDED
    line = s.read("budgeting.line", tender["budget_line"])
    assert line["committed_sen"] == 43_000_000_000
    assert s.read("procurement.vendor", client_key_id(b))["awards_won"] == 1
    replay_matches(h)


def test_refusals_log_nothing_on_both_engines(harness: Harness) -> None:
    h = harness
    s = Scenario.build(h, vendors=3)
    a, b, c = s.vendors
    refused(h, lambda: s.package(method="pengadaan_langsung"), "method_not_allowed")
    refused(h, lambda: s.package(hps_sen=200_000_000_000), "hps_above_available")
    s.package()
    refused(
        h, lambda: s.append(s.officer, "procurement.tender.closed", {}), "transition_not_allowed"
    )
    roster = [
        {"key_id": m.key_id, "x25519_public_key": b64encode(bytes(m.box_key.public_key))}
        for m in s.members
    ]
    early = client.seal_bid(s.ocid, client_key_id(a), 1, roster, 2)
    refused(
        h, lambda: s.append(a, "procurement.bid.submitted", early.body), "transition_not_allowed"
    )
    s.announce()
    # A vendor that is not active, and one that is blacklisted.
    inactive = register_vendor(h, None, "CV Belum Aktif")
    s.vendors.append(inactive)
    refused(h, lambda: s.bid(inactive, 40_000_000_000), "vendor_not_eligible")
    h.ledger.append_direct(
        [
            h.sign(
                s.officer,
                "procurement.vendor.sanctioned",
                client_key_id(c),
                {
                    "kind": "blacklist",
                    "reason": "wanprestasi",
                    "start": format_time(h.clock()),
                    "end": format_time(h.clock().replace(year=2027)),
                },
            )
        ]
    )
    refused(h, lambda: s.bid(c, 40_000_000_000), "vendor_not_eligible")
    s.bid(a, 40_000_000_000)
    s.bid(b, 48_000_000_000)
    # Opening (a share release) before the closing.
    refused(h, lambda: s.release(s.members[0]), "transition_not_allowed")
    # A tampered ciphertext.
    sealed = client.seal_bid(s.ocid, client_key_id(a), 1, s.tender()["committee"]["members"], 2)
    raw = bytearray(base64.b64decode(sealed.body["ciphertext"]))
    raw[-1] ^= 1
    tampered = {**sealed.body, "ciphertext": b64encode(bytes(raw))}
    refused(
        h,
        lambda: s.append(a, "procurement.bid.replaced", tampered),
        "ciphertext_hash_mismatch",
    )
    s.close()
    refused(h, lambda: s.bid(b, 1, replace=True), "transition_not_allowed")
    refused(h, lambda: s.append(a, "procurement.bid.withdrawn", {}), "transition_not_allowed")
    wrong_share = {"shares": [{"bidder": client_key_id(a), "share": b64encode(bytes(32))}]}
    refused(
        h,
        lambda: s.append(s.members[0].key, "procurement.tender.shares_released", wrong_share),
        "share_mismatch",
    )
    s.release(s.members[0])
    refused(h, lambda: s.append(s.officer, "procurement.tender.opened", {}), "not_enough_releases")
    s.release(s.members[2])
    s.append(s.officer, "procurement.tender.opened", {})
    refused(h, lambda: s.announce_winner(a), "evaluation_incomplete")
    s.evaluate([(a, True, "80"), (b, True, "80")])
    refused(h, lambda: s.announce_winner(b), "not_best_bid")
    s.announce_winner(a)
    h.clock.advance(5 * 86400)
    # Meanwhile the line was committed elsewhere: the award would overspend it.
    from budgeting import statements as st

    other = st.commitment(
        s.tender()["budget_line"], "LAIN-1", 70_000_000_000, h.clock().date(), "kontrak lain"
    )
    h.ledger.append_direct([other.sign(s.finance, at=h.clock(), origin=h.origin)])
    refused(
        h,
        lambda: h.ledger.append_direct(s.award_statements()),
        "commitment_exceeds_available",
    )
    _commitment, award = s.award_statements("KONTRAK-2")
    refused(h, lambda: h.ledger.append_direct([award]), "award_without_commitment")
    stranger = SigningKey.generate()
    refused(
        h,
        lambda: h.ledger.append_direct(
            [h.sign(stranger, "procurement.tender.cancelled", s.ocid, {"reason": "x"})]
        ),
        "unknown_signer",
    )
    replay_matches(h)
