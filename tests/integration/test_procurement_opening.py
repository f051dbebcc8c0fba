"""Issue 10, items 1-3 on both engines: attacks on the opening and on group commit.

Each test acts as the attacker would (a committee member or officer with its own key,
a vendor sealing what it likes) or goes behind the service's back (a reducer that
raises what it never should), and checks that a refusal logs nothing.
"""

from __future__ import annotations

from typing import Any

from conftest import Harness
from fastapi.testclient import TestClient
from log_checks import refused, replay_matches
from nacl.signing import SigningKey
from procurement_support import Scenario, fresh_npwp, poison_body, vendor_body

from ledger.errors import InvariantBroken, TerangError
from ledger.keys import client_key_id
from ledger.kinds import KindRegistry, StatementKind
from ledger.sequencer import Receipt, Sequencer
from ledger.state import State
from ledger.statement import LoggedEntry
from procurement import client
from procurement.rules import RELEASE_WINDOW_HOURS_DEFAULT
from terang.app import all_kinds, create_app

PRICES = (49_000_000_000, 41_000_000_000, 45_000_000_000)


def tender_with_bids(h: Harness, prices: tuple[int, ...] = PRICES) -> Scenario:
    s = Scenario.build(h, vendors=len(prices))
    s.package()
    s.announce()
    for vendor, price in zip(s.vendors, prices, strict=True):
        s.bid(vendor, price)
    s.close()
    return s


def opened(s: Scenario, signer: SigningKey) -> Any:
    return s.append(signer, "procurement.tender.opened", {})


def test_rogue_member_and_rogue_officer_cannot_cut_off_bids(harness: Harness) -> None:
    h = harness
    s = tender_with_bids(h)
    friend, *competitors = s.vendors
    first, rogue, third = s.members
    s.release(first, [friend])
    s.release(rogue, [friend])
    # The friend's bid has k releases; the competitors' have one or none.
    refused(h, lambda: opened(s, rogue.key), "not_enough_releases")
    refused(h, lambda: opened(s, s.officer), "not_enough_releases")
    s.release(first, competitors)
    refused(h, lambda: opened(s, s.officer), "not_enough_releases")
    s.release(third, competitors)
    opened(s, s.officer)
    assert [s.bid_doc(v)["opening"]["price_sen"] for v in s.vendors] == list(PRICES)
    replay_matches(h)


def test_window_lists_who_did_not_release_and_reopen_lets_them_in(harness: Harness) -> None:
    h = harness
    s = tender_with_bids(h)
    friend, cheapest, third = s.vendors
    honest, rogue, absent = s.members
    s.release(honest)
    s.release(rogue, [friend])
    h.clock.advance(RELEASE_WINDOW_HOURS_DEFAULT * 3600 - 1)
    refused(h, lambda: opened(s, s.officer), "not_enough_releases")
    h.clock.advance(1)
    opened(s, s.officer)
    unopened = s.tender()["opening"]["unopened"]
    assert unopened == [
        {"bidder": client_key_id(v), "missing_members": [rogue.key_id, absent.key_id]}
        for v in (cheapest, third)
    ]
    # The public read API shows the same list on the tender, and the portal's tender
    # page names the members who did not release, on each bid left unopened.
    with TestClient(create_app(h.ledger)) as http:
        public = http.get(f"/api/v1/procurement/tenders/{s.ocid}").json()["tender"]
        html = http.get(f"/tender/{s.ocid}?lang=en").text
    assert public["opening"]["unopened"] == unopened
    assert html.count("not released by") == 2
    assert html.count(f'title="{absent.key_id}"') == 2
    s.evaluate([(friend, True, "80"), (cheapest, False, "0"), (third, False, "0")])
    s.announce_winner(friend)
    s.append(cheapest, "procurement.tender.objection_filed", {"objection": "belum dibuka"})
    s.append(
        s.officer,
        "procurement.tender.objection_answered",
        {"objection": 1, "outcome": "upheld", "answer": "diterima"},
    )
    s.append(s.officer, "procurement.tender.release_reopened", {"reason": "sanggah diterima"})
    refused(h, lambda: opened(s, s.officer), "not_enough_releases")
    s.release(absent)
    opened(s, s.officer)
    assert s.tender()["opening"]["unopened"] == []
    s.evaluate([(v, True, "80") for v in s.vendors])
    s.announce_winner(cheapest)
    replay_matches(h)


def honest_registration(h: Harness) -> Any:
    vendor = SigningKey.generate()
    body = vendor_body(vendor, "CV Jujur", fresh_npwp())
    return h.sign(vendor, "procurement.vendor.registered", client_key_id(vendor), body)


def landed(result: list[Receipt] | TerangError) -> bool:
    return isinstance(result, list) and not result[0].duplicate


def test_poison_envelopes_are_bad_envelope_and_honest_group_writes_land(harness: Harness) -> None:
    h = harness
    s = Scenario.build(h, vendors=3)
    s.package()
    s.announce()
    deep, shallow, honest = s.vendors
    deep_40 = (
        b'{"bidder":"'
        + client_key_id(shallow).encode()
        + b'","documents":'
        + b"[" * 40
        + b"]" * 40
        + b',"ocid":"'
        + s.ocid.encode()
        + b'","price":"1.00","salt":"","v":2}'
    )
    s.append(deep, "procurement.bid.submitted", poison_body(s, b"[" * 4000 + b"]" * 4000))
    s.append(shallow, "procurement.bid.submitted", poison_body(s, deep_40))
    s.bid(honest, 44_000_000_000)
    s.close()
    sequencer = h.ledger.sequencer
    for member in s.members[: s.threshold]:
        bids = [s.bid_doc(v) for v in s.vendors]
        releases, bad = client.release_shares(member.key_id, member.box_key, s.ocid, bids)
        assert bad == []
        release = s.sign(member.key, "procurement.tender.shares_released", {"shares": releases})
        # The k-th release used to open the poison bid right here and fail the group.
        results = sequencer.append_batch([[release], [honest_registration(h)]])
        assert all(landed(r) for r in results), results
    results = sequencer.append_batch(
        [[s.sign(s.officer, "procurement.tender.opened", {})], [honest_registration(h)]]
    )
    assert all(landed(r) for r in results), results
    assert s.bid_doc(deep)["opening"]["reason"] == "bad_envelope"
    assert s.bid_doc(shallow)["opening"]["reason"] == "bad_envelope"
    assert s.bid_doc(honest)["opening"]["price_sen"] == 44_000_000_000
    replay_matches(h)


BOOM = "test.reducer_bug"


def _reduce_boom(state: State, entry: LoggedEntry) -> None:
    raise RecursionError("a reducer bug the service never saw coming")


def test_a_reducer_bug_rejects_its_own_job_only(harness: Harness) -> None:
    """Behind the service's back: a kind whose reducer raises what no reducer should."""
    h = harness
    registry = all_kinds()
    kinds = KindRegistry(registry.get(t) for t in registry.types())
    kinds.register(StatementKind(BOOM, frozenset({"authority"}), _reduce_boom, "a bug"))
    sequencer = Sequencer(h.ledger.engine, kinds, h.ledger.limits, h.clock, origin=h.ledger.origin)
    size = h.ledger.size()
    poison = h.sign(h.authority, BOOM, "x", {})
    first, second = honest_registration(h), honest_registration(h)
    results = sequencer.append_batch([[first], [poison], [second]])
    assert landed(results[0]) and landed(results[2])
    assert isinstance(results[1], InvariantBroken)
    assert results[1].details["statement_index"] == 0
    assert h.ledger.size() == size + 2
