"""Sealed bids: the crypto helpers and the opening rules, on an in-memory log."""

from __future__ import annotations

import base64
import hashlib
import itertools
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from nacl.public import PrivateKey
from procurement_support import MemoryLog, Scenario

from ledger.errors import ClientError, TerangError
from ledger.keys import client_key_id
from ledger.statement import b64encode
from procurement import client, sealed
from procurement.errors import OpeningFailed
from procurement.rules import RULES, RuleBook, parse_rule_set
from procurement.sealed import Share


def committee(n: int) -> tuple[list[PrivateKey], list[dict[str, str]]]:
    keys = [PrivateKey.generate() for _ in range(n)]
    return keys, [
        {"key_id": f"{i:064x}", "x25519_public_key": b64encode(bytes(k.public_key))}
        for i, k in enumerate(keys)
    ]


@settings(max_examples=20, deadline=None)
@given(st.integers(2, 5), st.integers(0, 3), st.integers(1, 10**15))
def test_any_k_shares_open_and_k_minus_1_do_not(k: int, extra: int, price_sen: int) -> None:
    n = k + extra
    box_keys, members = committee(n)
    sealed_bid = client.seal_bid("ocds-abcdef-1", "b" * 64, price_sen, members, k)
    assert sealed_bid.body["v"] == sealed.BID_FORMAT_FELDMAN
    bid = {
        "ocid": "ocds-abcdef-1",
        "bidder": "b" * 64,
        "status": "submitted",
        "released": {},
        **sealed_bid.body,
    }
    opened = []
    for member, box_key in zip(members, box_keys, strict=True):
        releases, bad = client.release_shares(member["key_id"], box_key, bid["ocid"], [bid])
        assert not bad
        opened.append((member["key_id"], releases[0]["share"]))
    for subset in itertools.islice(itertools.combinations(opened, k), 5):
        envelope = client.open_bid({**bid, "released": dict(subset)}, k)
        assert envelope.price_sen == price_sen
    for subset in itertools.islice(itertools.combinations(opened, k - 1), 3):
        with pytest.raises(OpeningFailed) as caught:
            client.open_bid({**bid, "released": dict(subset)}, k)
        assert caught.value.reason == "not_enough_shares"
        # And even forcing Lagrange over k-1 shares gives a key that opens nothing.
        shares = [Share(int(member, 16) + 1, base64.b64decode(text)) for member, text in subset]
        forced = sealed.bid_key_from_secret(sealed.combine_secret(shares, k - 1))
        with pytest.raises(OpeningFailed):
            sealed.decrypt(forced, base64.b64decode(bid["ciphertext"]))


@settings(max_examples=25, deadline=None)
@given(st.integers(2, 6), st.integers(0, 3), st.data())
def test_feldman_any_k_valid_shares_give_one_secret(
    k: int, extra: int, data: st.DataObject
) -> None:
    """Split, verify, combine: every share checks, and every k of them interpolate a_0."""
    n = k + extra
    dealing = sealed.deal(k, n)
    assert len(dealing.commitments) == k
    assert all(sealed.verify_share(share, dealing.commitments) for share in dealing.shares)
    subsets = list(itertools.combinations(dealing.shares, k))
    for subset in data.draw(st.lists(st.sampled_from(subsets), min_size=1, max_size=4)):
        assert sealed.combine_secret(list(subset), k) == dealing.secret
    key = sealed.bid_key_from_secret(dealing.secret)
    assert len(key) == sealed.KEY_BYTES and key != dealing.secret


@settings(max_examples=25, deadline=None)
@given(st.integers(2, 5), st.integers(0, 3), st.integers(1, sealed.GROUP_ORDER - 1), st.data())
def test_feldman_a_share_off_the_polynomial_is_detected(
    k: int, extra: int, delta: int, data: st.DataObject
) -> None:
    """The vendor's trick: one member's share moved off the polynomial by any delta."""
    dealing = sealed.deal(k, k + extra)
    index = data.draw(st.integers(0, k + extra - 1))
    good = dealing.shares[index]
    y = int.from_bytes(good.y, "little")
    moved = Share(good.x, sealed.scalar_bytes(y + delta))
    assert not sealed.verify_share(moved, dealing.commitments)
    # Nor does the right value under another x, nor a non-canonical encoding of it.
    other_x = good.x % (k + extra) + 1
    if other_x != good.x:
        assert not sealed.verify_share(Share(other_x, good.y), dealing.commitments)
    non_canonical = (y + sealed.GROUP_ORDER).to_bytes(32, "little")
    assert not sealed.verify_share(Share(good.x, non_canonical), dealing.commitments)


def test_feldman_refuses_bad_commitments() -> None:
    dealing = sealed.deal(2, 3)
    identity = bytes([1]) + bytes(31)
    share = dealing.shares[0]
    assert not sealed.is_commitment(identity)
    assert not sealed.verify_share(share, [identity, dealing.commitments[1]])
    assert not sealed.verify_share(share, [bytes(32), dealing.commitments[1]])
    assert not sealed.verify_share(Share(1, bytes(32)), dealing.commitments)


def test_format_1_combination_does_not_depend_on_which_shares() -> None:
    """Legacy Shamir shares: a share off the polynomial makes the bid inconsistent,
    whichever k members released, instead of a key that depends on who released."""
    key = sealed.new_key()
    shares = sealed.split_key(key, 2, 3)
    assert sealed.combine_consistent(shares, 2) == key
    assert sealed.combine_consistent(shares[1:], 2) == key
    off = [shares[0], shares[1], Share(3, bytes(b ^ 1 for b in shares[2].y))]
    with pytest.raises(OpeningFailed) as caught:
        sealed.combine_consistent(off, 2)
    assert caught.value.reason == "inconsistent_shares"


def test_a_sealed_share_opens_only_with_its_member_key() -> None:
    box_keys, members = committee(3)
    sealed_bid = client.seal_bid("ocds-abcdef-1", "b" * 64, 100, members, 2)
    first = base64.b64decode(sealed_bid.body["shares"][0]["sealed"])
    assert len(sealed.open_sealed_share(box_keys[0], first)) == sealed.SHARE_BYTES
    for wrong in (box_keys[1], PrivateKey.generate()):
        with pytest.raises(ClientError):
            sealed.open_sealed_share(wrong, first)


def test_envelope_binding_and_hash_checks() -> None:
    key = sealed.new_key()
    envelope = sealed.envelope_bytes("ocds-abcdef-1", "b" * 64, 500, [], sealed.new_salt())
    ciphertext = sealed.encrypt(key, envelope)
    digest = hashlib.sha256(envelope).hexdigest()
    opened = sealed.open_envelope(key, ciphertext, digest, "ocds-abcdef-1", "b" * 64, version=2)
    assert opened.price_sen == 500
    with pytest.raises(OpeningFailed) as wrong_version:
        sealed.open_envelope(key, ciphertext, digest, "ocds-abcdef-1", "b" * 64, version=1)
    assert wrong_version.value.reason == "bad_envelope"
    reasons = []
    for args in [
        (key, ciphertext, "0" * 64, "ocds-abcdef-1", "b" * 64),
        (key, ciphertext, digest, "ocds-abcdef-2", "b" * 64),
        (key, ciphertext[:-1] + bytes([ciphertext[-1] ^ 1]), digest, "ocds-abcdef-1", "b" * 64),
        (sealed.new_key(), ciphertext, digest, "ocds-abcdef-1", "b" * 64),
    ]:
        with pytest.raises(OpeningFailed) as caught:
            sealed.open_envelope(*args, version=2)
        reasons.append(caught.value.reason)
    assert reasons == [
        "content_mismatch",
        "wrong_binding",
        "decryption_failed",
        "decryption_failed",
    ]


def code_of(action: object) -> str:
    with pytest.raises(TerangError) as caught:
        action()  # type: ignore[operator]
    return caught.value.code


def test_no_share_release_before_closing() -> None:
    log = MemoryLog()
    s = Scenario.build(log)
    s.package()
    s.announce()
    s.bid(s.vendors[0], 40_000_000_000)
    assert code_of(lambda: s.release(s.members[0])) == "transition_not_allowed"
    assert s.bid_doc(s.vendors[0])["released"] == {}


def test_k_minus_1_releases_open_nothing_and_opening_is_refused() -> None:
    log = MemoryLog()
    s = Scenario.build(log)
    s.package()
    s.announce()
    s.bid(s.vendors[0], 40_000_000_000)
    s.close()
    s.release(s.members[0])
    bid = s.bid_doc(s.vendors[0])
    assert bid["opening"] is None and bid["validity"] == "sealed"
    assert len(bid["released"]) == 1
    assert code_of(lambda: s.append(s.officer, "procurement.tender.opened", {})) == (
        "not_enough_releases"
    )
    member = s.members[0]
    fresh = {**s.bid_doc(s.vendors[0]), "released": {}}
    again, _ = client.release_shares(member.key_id, member.box_key, s.ocid, [fresh])
    assert (
        code_of(
            lambda: s.append(member.key, "procurement.tender.shares_released", {"shares": again})
        )
        == "share_already_released"
    )
    s.release(s.members[2])
    # k releases decide nothing by themselves: the opening entry decides every bid.
    assert s.bid_doc(s.vendors[0])["opening"] is None
    s.append(s.officer, "procurement.tender.opened", {})
    assert s.bid_doc(s.vendors[0])["opening"]["price_sen"] == 40_000_000_000


def test_wrong_share_and_outsider_release_refused() -> None:
    log = MemoryLog()
    s = Scenario.build(log)
    s.package()
    s.announce()
    s.bid(s.vendors[0], 40_000_000_000)
    s.close()
    bidder = client_key_id(s.vendors[0])
    wrong = {"shares": [{"bidder": bidder, "share": b64encode(bytes(32))}]}
    assert (
        code_of(lambda: s.append(s.members[0].key, "procurement.tender.shares_released", wrong))
        == "share_mismatch"
    )
    from procurement_support import register_member

    outsider = register_member(log, log.authority, "bukan-anggota")
    assert (
        code_of(lambda: s.append(outsider.key, "procurement.tender.shares_released", wrong))
        == "not_committee_member"
    )


def test_tampered_ciphertext_refused_at_submission() -> None:
    log = MemoryLog()
    s = Scenario.build(log)
    s.package()
    s.announce()
    tender = s.tender()
    vendor = s.vendors[0]
    bid = client.seal_bid(s.ocid, client_key_id(vendor), 4, tender["committee"]["members"], 2)
    raw = bytearray(base64.b64decode(bid.body["ciphertext"]))
    raw[30] ^= 1
    body = {**bid.body, "ciphertext": b64encode(bytes(raw))}
    assert code_of(lambda: s.append(vendor, "procurement.bid.submitted", body)) == (
        "ciphertext_hash_mismatch"
    )


def test_bid_whose_shares_or_hash_do_not_open_it_is_shown_unopenable() -> None:
    log = MemoryLog()
    s = Scenario.build(log)
    s.package()
    s.announce()
    tender = s.tender()
    members = tender["committee"]["members"]
    a, b, c = s.vendors
    # a: ciphertext re-encrypted under another key, hash updated: decryption fails.
    good = client.seal_bid(s.ocid, client_key_id(a), 40_000_000_000, members, 2)
    other = sealed.encrypt(sealed.new_key(), good.envelope)
    body_a = {
        **good.body,
        "ciphertext": b64encode(other),
        "ciphertext_sha256": hashlib.sha256(other).hexdigest(),
    }
    s.append(a, "procurement.bid.submitted", body_a)
    # b: the logged content hash is not the envelope's.
    sealed_b = client.seal_bid(s.ocid, client_key_id(b), 41_000_000_000, members, 2)
    s.append(b, "procurement.bid.submitted", {**sealed_b.body, "content_sha256": "0" * 64})
    # c: a bid sealed for another tender (binding): its shares check (Feldman
    # commitments bind the polynomial, the envelope binds the tender), so it opens and
    # is judged wrong_binding.
    sealed_c = client.seal_bid("ocds-t3r4ng-other", client_key_id(c), 1, members, 2)
    s.append(c, "procurement.bid.submitted", sealed_c.body)
    s.close()
    for member in s.members[:2]:
        from procurement.client import release_shares

        bids = [s.bid_doc(v) for v in s.vendors]
        releases, bad = release_shares(member.key_id, member.box_key, s.ocid, bids)
        assert bad == []
        s.append(member.key, "procurement.tender.shares_released", {"shares": releases})
    assert s.bid_doc(a)["opening"] is None
    s.append(s.officer, "procurement.tender.opened", {})
    assert s.bid_doc(a)["opening"]["reason"] == "decryption_failed"
    assert s.bid_doc(a)["validity"] == "unopenable"
    assert s.bid_doc(b)["opening"]["reason"] == "content_mismatch"
    assert s.bid_doc(c)["opening"]["reason"] == "wrong_binding"
    assert s.tender()["bids"] == {"active": 3, "ever": 3, "opened": 0, "unopenable": 3}
    assert code_of(lambda: s.evaluate([(a, True, "90")])) == "invalid_bid_cannot_pass"
    assert code_of(lambda: s.evaluate([(c, True, "90")])) == "invalid_bid_cannot_pass"
    s.evaluate([(a, False, "0"), (b, False, "0"), (c, False, "0")])
    assert code_of(lambda: s.announce_winner(a)) == "no_passing_bid"
    s.append(s.officer, "procurement.tender.failed", {"reason": "tidak ada penawaran sah"})


def test_a_later_rule_set_applies_from_its_date_only() -> None:
    base = RULES.rule_sets[0]
    raw = {
        "id": "test-later-amendment",
        "effective_from": "2026-03-03",
        "methods": {
            "pengadaan_langsung": {
                "categories": ["goods"],
                "value_max_sen": {"goods": "40000000000"},
                "value_min_exclusive_sen": {},
                "justification_required": False,
                "competitive": True,
            }
        },
        "bid_window_days_min": {},
        "objection_days_default": 5,
        "objection_answer_days": 3,
        "addendum_remaining_days_min": 3,
        "performance_guarantee_below_hps_percent": 80,
    }
    book = RuleBook([base, parse_rule_set(raw)])
    from datetime import UTC, datetime

    before = datetime(2026, 3, 2, 16, 59, tzinfo=UTC)  # 23:59 WIB on 2 March
    after = datetime(2026, 3, 2, 17, 0, tzinfo=UTC)  # 00:00 WIB on 3 March
    assert book.in_force(before).id == base.id
    assert book.in_force(after).id == "test-later-amendment"
    book.in_force(after).check_method("pengadaan_langsung", "goods", 30_000_000_000, None)
    with pytest.raises(TerangError) as caught:
        book.in_force(before).check_method("pengadaan_langsung", "goods", 30_000_000_000, None)
    assert caught.value.code == "method_not_allowed"
    with pytest.raises(TerangError):
        RuleBook([base]).in_force(datetime(2020, 1, 1, tzinfo=UTC))
    assert base.effective_from == date(2021, 2, 2)
