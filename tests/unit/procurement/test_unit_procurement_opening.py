"""Issue 10, items 1-3: attacks on the opening, each acted out as the attacker would.

1. A rogue committee member (or officer) logs ``opened`` once a friend's bid has k
   releases, so the competitors' bids stay sealed for ever: refused until every bid has
   k releases or the release window is over; then the members who did not release are
   listed, and an upheld objection lets the missing releases in.
2. Legacy format-1 bids still submit, open and replay (existing logs verify).
3. Poison envelopes (4,000 and 40 deep, huge numbers, wrong types, not JSON) are judged
   ``bad_envelope`` at the opening and never block the other bids.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import Any

import pytest
from procurement_support import Member, MemoryLog, Scenario, format_2_body, poison_body

from audit.verifier import LogReplayer
from ledger.canonical import canonical_bytes
from ledger.errors import TerangError
from ledger.keys import client_key_id
from ledger.statement import b64decode_strict, b64encode, parse_time
from procurement import client, sealed
from procurement.limits import CIPHERTEXT_BYTES_MAX
from procurement.rules import RELEASE_WINDOW_HOURS_DEFAULT

FRIEND_PRICE = 49_000_000_000  # the dearest bid, the rogue's friend
PRICES = (FRIEND_PRICE, 41_000_000_000, 45_000_000_000)


def code_of(action: object) -> str:
    with pytest.raises(TerangError) as caught:
        action()  # type: ignore[operator]
    return caught.value.code


def tender_with_bids(prices: tuple[int, ...] = PRICES) -> Scenario:
    s = Scenario.build(MemoryLog(), vendors=len(prices))
    s.package()
    s.announce()
    for vendor, price in zip(s.vendors, prices, strict=True):
        s.bid(vendor, price)
    s.close()
    return s


def release_only(s: Scenario, member: Member, vendors: list[Any]) -> None:
    s.release(member, vendors)


def opened(s: Scenario, signer: Any | None = None) -> None:
    s.append(signer or s.officer, "procurement.tender.opened", {})


def replay_agrees(s: Scenario) -> None:
    replayer = LogReplayer(s.log.kinds, s.log.limits, s.log.origin)
    for entry in s.log.entries:
        replayer.feed(entry.entry_bytes())
    assert dict(replayer.state.items()) == dict(s.log.state.items())


def test_a_rogue_member_cannot_cut_off_the_competitors() -> None:
    s = tender_with_bids()
    friend, *competitors = s.vendors
    honest, rogue, late = s.members
    s.release(honest)
    # The rogue reads every bid offline from the honest member's public shares plus its
    # own (k = 2): reading after the closing cannot be prevented, cutting off can.
    for vendor, price in zip(s.vendors, PRICES, strict=True):
        bid = s.bid_doc(vendor)
        mine, _ = client.release_shares(rogue.key_id, rogue.box_key, s.ocid, [bid])
        both = {**bid["released"], rogue.key_id: mine[0]["share"]}
        assert client.open_bid({**bid, "released": both}, 2).price_sen == price
    release_only(s, rogue, [friend])
    assert code_of(lambda: opened(s, rogue.key)) == "not_enough_releases"
    assert all(s.bid_doc(v)["opening"] is None for v in s.vendors)
    s.release(late)
    opened(s, rogue.key)
    assert [s.bid_doc(v)["opening"]["price_sen"] for v in s.vendors] == list(PRICES)
    assert all(s.bid_doc(v)["validity"] == "valid" for v in competitors)
    assert s.tender()["opening"]["unopened"] == []
    replay_agrees(s)


def test_a_rogue_officer_cannot_open_between_release_batches() -> None:
    s = tender_with_bids()
    friend, *competitors = s.vendors
    first, second, _ = s.members
    release_only(s, first, [friend])
    release_only(s, second, [friend])
    # k members have released something: today's rule let the officer open here.
    assert len(s.tender()["released_by"]) == s.threshold
    assert code_of(lambda: opened(s)) == "not_enough_releases"
    release_only(s, first, competitors)
    assert code_of(lambda: opened(s)) == "not_enough_releases"
    release_only(s, second, competitors)
    opened(s)
    assert s.tender()["bids"] == {"active": 3, "ever": 3, "opened": 3, "unopenable": 0}
    s.evaluate([(v, True, "80") for v in s.vendors])
    # The cheapest bid wins, not the friend's.
    assert s.tender()["evaluation"]["best"]["bidder"] == client_key_id(competitors[0])


def test_after_the_window_the_opening_lists_who_did_not_release_and_objection_reopens() -> None:
    s = tender_with_bids()
    friend, cheapest, third = s.vendors
    honest, rogue, absent = s.members
    s.release(honest)
    release_only(s, rogue, [friend])
    assert code_of(lambda: opened(s)) == "not_enough_releases"
    s.log.clock.advance(RELEASE_WINDOW_HOURS_DEFAULT * 3600 - 1)
    assert code_of(lambda: opened(s)) == "not_enough_releases"
    s.log.clock.advance(1)
    opened(s)
    for vendor in (cheapest, third):
        bid = s.bid_doc(vendor)
        assert bid["validity"] == "unopenable"
        assert bid["opening"]["reason"] == "not_enough_shares"
        assert bid["opening"]["missing_members"] == [rogue.key_id, absent.key_id]
    tender = s.tender()
    assert tender["opening"]["unopened"] == [
        {"bidder": client_key_id(v), "missing_members": [rogue.key_id, absent.key_id]}
        for v in (cheapest, third)
    ]
    assert tender["bids"]["opened"] == 1 and tender["bids"]["unopenable"] == 2
    # No reopening without an upheld objection.
    reopen = {"reason": "sanggah diterima: penawaran belum dibuka"}
    assert code_of(lambda: s.append(s.officer, "procurement.tender.release_reopened", reopen)) == (
        "transition_not_allowed"
    )
    s.evaluate([(friend, True, "80"), (cheapest, False, "0"), (third, False, "0")])
    s.announce_winner(friend)
    assert code_of(lambda: s.append(s.officer, "procurement.tender.release_reopened", reopen)) == (
        "no_upheld_objection"
    )
    s.append(cheapest, "procurement.tender.objection_filed", {"objection": "belum dibuka"})
    s.append(
        s.officer,
        "procurement.tender.objection_answered",
        {"objection": 1, "outcome": "upheld", "answer": "diterima"},
    )
    s.append(s.officer, "procurement.tender.release_reopened", reopen)
    tender = s.tender()
    assert tender["state"] == "opening" and tender["winner"] is None
    # Releases continue; the opening waits for them (a new window from the reopening).
    assert code_of(lambda: opened(s)) == "not_enough_releases"
    s.release(absent)
    opened(s)
    assert [s.bid_doc(v)["opening"]["price_sen"] for v in s.vendors] == list(PRICES)
    assert s.tender()["opening"]["unopened"] == []
    assert s.tender()["evaluation"]["round"] == 1
    s.evaluate([(v, True, "80") for v in s.vendors])
    s.announce_winner(cheapest)
    replay_agrees(s)


def test_with_no_release_at_all_the_opening_waits_for_the_window() -> None:
    s = tender_with_bids()
    assert code_of(lambda: opened(s)) == "not_enough_releases"
    s.log.clock.advance(RELEASE_WINDOW_HOURS_DEFAULT * 3600)
    opened(s)
    members = [m.key_id for m in s.members]
    assert [u["missing_members"] for u in s.tender()["opening"]["unopened"]] == [members] * 3


def test_release_reopened_needs_a_bid_left_unopened() -> None:
    s = tender_with_bids()
    s.open()
    s.evaluate([(v, True, "80") for v in s.vendors])
    s.announce_winner(s.vendors[1])
    s.append(s.vendors[0], "procurement.tender.objection_filed", {"objection": "keberatan"})
    s.append(
        s.officer,
        "procurement.tender.objection_answered",
        {"objection": 1, "outcome": "upheld", "answer": "diterima"},
    )
    body = {"reason": "buka lagi"}
    assert code_of(lambda: s.append(s.officer, "procurement.tender.release_reopened", body)) == (
        "nothing_to_release"
    )


# -- legacy format 1 --------------------------------------------------------------


def seal_bid_format_1(
    ocid: str, bidder: str, price_sen: int, committee: list[dict[str, str]], threshold: int
) -> dict[str, Any]:
    """A bid body exactly as clients sealed it before format 2 (Shamir over GF(2^128))."""
    envelope = sealed.envelope_bytes(ocid, bidder, price_sen, [], sealed.new_salt(), version=1)
    key = sealed.new_key()
    ciphertext = sealed.encrypt(key, envelope)
    shares = sealed.split_key(key, threshold, len(committee))
    return {
        "ciphertext": b64encode(ciphertext),
        "ciphertext_sha256": hashlib.sha256(ciphertext).hexdigest(),
        "content_sha256": hashlib.sha256(envelope).hexdigest(),
        "addendum": 0,
        "shares": [
            {
                "member": member["key_id"],
                "sealed": b64encode(
                    sealed.seal_share(
                        b64decode_strict(member["x25519_public_key"], field="box key"), share
                    )
                ),
                "commitment": sealed.share_commitment(ocid, bidder, member["key_id"], share),
            }
            for member, share in zip(committee, shares, strict=True)
        ],
    }


def test_format_1_bids_still_submit_open_and_replay() -> None:
    s = Scenario.build(MemoryLog(), vendors=2)
    s.package()
    s.announce()
    legacy, current = s.vendors
    members = s.tender()["committee"]["members"]
    body = seal_bid_format_1(s.ocid, client_key_id(legacy), 42_000_000_000, members, 2)
    s.append(legacy, "procurement.bid.submitted", body)
    s.bid(current, 43_000_000_000)
    assert s.bid_doc(legacy)["format"] == 1 and s.bid_doc(current)["format"] == 2
    s.close()
    s.open()
    assert s.bid_doc(legacy)["opening"]["price_sen"] == 42_000_000_000
    assert s.bid_doc(current)["opening"]["price_sen"] == 43_000_000_000
    assert client.open_bid(s.bid_doc(legacy), 2).price_sen == 42_000_000_000
    replay_agrees(s)


def test_format_2_bid_with_a_commitment_off_the_group_or_count_is_refused() -> None:
    s = Scenario.build(MemoryLog(), vendors=1)
    s.package()
    s.announce()
    vendor = s.vendors[0]
    tender = s.tender()
    bid = client.seal_bid(
        s.ocid, client_key_id(vendor), 4, tender["committee"]["members"], s.threshold
    )
    identity = b64encode(bytes([1]) + bytes(31))
    bad_point = {**bid.body, "commitments": [identity, *bid.body["commitments"][1:]]}
    assert code_of(lambda: s.append(vendor, "procurement.bid.submitted", bad_point)) == (
        "bad_commitment"
    )
    extra = {**bid.body, "commitments": [*bid.body["commitments"], bid.body["commitments"][0]]}
    assert code_of(lambda: s.append(vendor, "procurement.bid.submitted", extra)) == (
        "commitments_not_for_threshold"
    )


def test_a_share_off_the_polynomial_is_refused_at_release() -> None:
    """The vendor's trick against format 1: a member's share off the polynomial. In
    format 2 the released share fails the public Feldman check and is refused."""
    s = Scenario.build(MemoryLog(), vendors=1)
    s.package()
    s.announce()
    vendor = s.vendors[0]
    members = s.tender()["committee"]["members"]
    dealing = sealed.deal(s.threshold, len(members))
    off = sealed.Share(3, sealed.scalar_bytes(int.from_bytes(dealing.shares[2].y, "little") + 1))
    shares = [*dealing.shares[:2], off]
    s.append(vendor, "procurement.bid.submitted", format_2_body(s, dealing, shares, b"{}"))
    s.close()
    bid = s.bid_doc(vendor)
    last = s.members[2]
    releases, bad = client.release_shares(last.key_id, last.box_key, s.ocid, [bid])
    assert releases == [] and bad == [client_key_id(vendor)]
    forced = {"shares": [{"bidder": client_key_id(vendor), "share": b64encode(off.y)}]}
    assert code_of(lambda: s.append(last.key, "procurement.tender.shares_released", forced)) == (
        "share_mismatch"
    )


# -- poison envelopes ---------------------------------------------------------------


def envelope_with(s: Scenario, vendor: Any, **changes: Any) -> bytes:
    value = {
        "v": 2,
        "ocid": s.ocid,
        "bidder": client_key_id(vendor),
        "price": "100.00",
        "documents": [],
        "salt": b64encode(bytes(32)),
        **changes,
    }
    return canonical_bytes(value)


def nested(depth: int) -> Any:
    value: Any = []
    for _ in range(depth - 1):
        value = [value]
    return value


POISONS = {
    "deep_4000": lambda s, v: b"[" * 4000 + b"]" * 4000,
    "deep_40": lambda s, v: envelope_with(s, v).replace(
        b'"documents":[]', b'"documents":' + b"[" * 40 + b"]" * 40
    ),
    "huge_number": lambda s, v: envelope_with(s, v).replace(b'"v":2', b'"v":' + b"9" * 5000),
    "wrong_types": lambda s, v: envelope_with(s, v, price=["100.00"], documents={"a": 1}),
    "document_name_not_string": lambda s, v: envelope_with(
        s, v, documents=[{"name": 7, "sha256": "ab" * 32}]
    ),
    "version_not_integer": lambda s, v: envelope_with(s, v, v="2"),
    "not_json": lambda s, v: b"\xff\xfe not json",
    "not_an_object": lambda s, v: b"[]",
}


@pytest.mark.parametrize("poison", sorted(POISONS))
def test_a_poison_envelope_is_bad_envelope_and_never_blocks_the_others(poison: str) -> None:
    s = Scenario.build(MemoryLog(), vendors=3)
    s.package()
    s.announce()
    poisoner, honest, other = s.vendors
    plaintext = POISONS[poison](s, poisoner)
    assert len(plaintext) <= CIPHERTEXT_BYTES_MAX - 40
    s.append(poisoner, "procurement.bid.submitted", poison_body(s, plaintext))
    s.bid(honest, 44_000_000_000)
    s.bid(other, 46_000_000_000)
    s.close()
    s.open()
    poisoned = s.bid_doc(poisoner)
    assert poisoned["opening"]["reason"] == "bad_envelope", poisoned["opening"]
    assert poisoned["validity"] == "unopenable"
    assert s.bid_doc(honest)["opening"]["price_sen"] == 44_000_000_000
    assert s.bid_doc(other)["opening"]["price_sen"] == 46_000_000_000
    replay_agrees(s)


def test_the_release_window_is_a_dated_rule_with_a_default() -> None:
    from procurement.rules import RULES

    assert RULES.rule_sets[0].release_window_hours == RELEASE_WINDOW_HOURS_DEFAULT == 24
    s = tender_with_bids()
    s.release(s.members[0])
    s.log.clock.advance(RELEASE_WINDOW_HOURS_DEFAULT * 3600)
    opened(s)
    end = s.tender()["opening"]["release_window_end"]
    closed_at = s.tender()["closed_at"]
    assert parse_time(end) - parse_time(closed_at) == timedelta(hours=24)
