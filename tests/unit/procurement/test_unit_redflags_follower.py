"""The red flag follower on an in-memory log: crafted tenders through procurement's real
reducers raise the flags they should, at the entries they should, and replaying the
same entries into a fresh state gives the same flags."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from procurement_support import HPS_SEN, LINE, MemoryLog, Scenario

from ledger.errors import InvariantBroken
from ledger.keys import client_key_id
from ledger.kinds import KindRegistry, Rejected, StatementKind
from ledger.replay import apply_entry
from ledger.state import DictState, State
from ledger.statement import LoggedEntry
from redflags import rules
from redflags.reducer import FLAG_NAMESPACE, TALLY_NAMESPACE


def flags(log: MemoryLog, ocid: str | None = None) -> dict[str, dict[str, Any]]:
    return {
        key: doc
        for (namespace, key), doc in log.state.items()
        if namespace == FLAG_NAMESPACE and (ocid is None or doc["ocid"] == ocid)
    }


def raised(log: MemoryLog, ocid: str) -> set[str]:
    return {d["rule"] for d in flags(log, ocid).values() if d["status"] == "raised"}


def replayed(log: MemoryLog) -> dict[tuple[str, str], Any]:
    state = DictState()
    for entry in log.entries:
        apply_entry(state, log.kinds, entry, origin=log.origin)
    return dict(state.items())


def test_a_follower_runs_after_the_owner_and_may_not_refuse() -> None:
    seen: list[str] = []

    def owner(state: State, entry: LoggedEntry) -> None:
        seen.append("owner")

    def follower(state: State, entry: LoggedEntry) -> None:
        seen.append("follower")
        raise Rejected("a read model has no say", code="nope")

    registry = KindRegistry([StatementKind("x.y", frozenset({"auditor"}), owner)])
    registry.follow(["x.y"], follower, name="test")
    with pytest.raises(InvariantBroken) as caught:
        registry.get("x.y").reduce(DictState(), SimpleNamespace(seq=7))  # type: ignore[arg-type]
    assert seen == ["owner", "follower"]
    assert "follower test refused x.y at seq 7" in caught.value.message


def test_disqualifications_around_the_winner_raise_r028_r035_r036_and_r003() -> None:
    log = MemoryLog()
    s = Scenario.build(log)
    a, b, c = s.vendors
    s.package()
    s.announce(days=10)  # under the 15 days of R003's minimum for a tender
    assert raised(log, s.ocid) == {"R003"}
    r003 = flags(log, s.ocid)[f"{s.ocid}|R003"]
    assert r003["inputs"]["period_days"] == "10.00" and r003["thresholds"]["minimum_days"] == 15
    assert r003["seqs"] == [s.tender()["seqs"]["tender.announced"]]
    s.bid(a, 45_000_000_000)
    s.bid(b, 40_000_000_000)
    s.bid(c, 45_000_000_000)  # the same price as a
    s.close()
    s.open()
    assert raised(log, s.ocid) == {"R003", "R028"}
    s.evaluate([(a, True, "80"), (b, False, "0"), (c, False, "0")])
    s.announce_winner(a)
    assert raised(log, s.ocid) == {"R003", "R028"}  # a pending award is not judged
    log.clock.advance(5 * 86400)
    log.append(s.award_statements())
    found = raised(log, s.ocid)
    # The vendors registered moments before the announcement: RI-NEW-WINNER too.
    assert found == {"R003", "R028", "R035", "R036", "RI-NEW-WINNER"}
    docs = flags(log, s.ocid)
    award_seq = s.tender()["award"]["seq"]
    assert docs[f"{s.ocid}|R035"]["value"] == "2"
    assert docs[f"{s.ocid}|R035"]["vendors"] == sorted(client_key_id(v) for v in (a, b, c))
    assert docs[f"{s.ocid}|R036"]["vendors"] == [client_key_id(b)]
    assert award_seq in docs[f"{s.ocid}|R036"]["seqs"]
    assert docs[f"{s.ocid}|R028"]["vendors"] == sorted([client_key_id(a), client_key_id(c)])
    assert all(
        d["rule_version"] == rules.RULES_VERSION == "3" and d["changed_seq"] >= d["raised_seq"]
        for d in docs.values()
    )
    # R003 was not rewritten by the later entries: it did not change.
    assert docs[f"{s.ocid}|R003"]["changed_seq"] == r003["changed_seq"]
    # R038: the OPD saw 1 process (below Cardinal's minimum of 2), each bidder 1 bid.
    tally = log.state.get(TALLY_NAMESPACE, "r038|opd:1.02.0.00.0.00.01.0000")
    assert tally is not None and (tally["submitted"], tally["disqualified"]) == (3, 2)
    assert replayed(log) == dict(log.state.items())


def test_a_single_bid_and_a_close_second() -> None:
    log = MemoryLog()
    s = Scenario.build(log)
    a, b, _ = s.vendors
    s.package()
    s.announce(days=20)
    s.bid(a, 45_000_000_000)
    s.bid(b, 45_000_000_000 + 45_000_000_000 * 2 // 100)  # exactly 2% above
    s.close()
    assert "R018" not in raised(log, s.ocid)
    s.open()
    s.evaluate([(a, True, "80"), (b, True, "80")])
    s.announce_winner(a)
    log.clock.advance(5 * 86400)
    log.append(s.award_statements())
    assert raised(log, s.ocid) == {"R024", "RI-NEW-WINNER"}
    assert flags(log, s.ocid)[f"{s.ocid}|R024"]["value"] == "0.0200"

    first = s.ocid
    s.ocid = "ocds-t3r4ng-2026-0002"
    s.package()
    s.announce(days=20)
    s.bid(s.vendors[2], 45_000_000_000)
    s.close()
    assert raised(log, s.ocid) == {"R018"}
    assert raised(log, first) == {"R024", "RI-NEW-WINNER"}
    assert replayed(log) == dict(log.state.items())


def test_split_pengadaan_langsung_packages_on_one_account() -> None:
    log = MemoryLog()
    s = Scenario.build(log)
    ocids = []
    for number, hps in enumerate((12_000_000_000, 11_000_000_000, 4_000_000_000), start=1):
        s.ocid = f"ocds-t3r4ng-2026-{number:04d}"
        ocids.append(s.ocid)
        s.package(hps_sen=hps, method="pengadaan_langsung")
        log.clock.advance(3 * 86400)
    # Rp 120 jt + Rp 110 jt: both at least half the Rp 200 jt ceiling, together above it.
    first, second, small = ocids
    assert raised(log, first) == raised(log, second) == {"RI-SPLIT"}
    assert raised(log, small) == set()
    flag = flags(log, first)[f"{first}|RI-SPLIT"]
    assert [p["ocid"] for p in flag["inputs"]["packages"]] == [first, second]
    assert flag["inputs"]["ceiling"] == "200000000"
    assert flag["opd"] == LINE.split(":")[1]
    assert replayed(log) == dict(log.state.items())


def test_repeat_winner_and_new_winner_from_the_third_award() -> None:
    log = MemoryLog()
    s = Scenario.build(log, budget_sen=400_000_000_000)
    log.clock.advance(40 * 86400)  # the three vendors are no longer new
    for number in range(1, 4):
        s.ocid = f"ocds-t3r4ng-2026-{number:04d}"
        a, b, _ = s.vendors
        s.package(hps_sen=HPS_SEN)
        s.announce(days=20)
        s.bid(a, 40_000_000_000)
        s.bid(b, 44_000_000_000)
        s.close()
        s.open()
        s.evaluate([(a, True, "80"), (b, True, "80")])
        s.announce_winner(a)
        log.clock.advance(5 * 86400)
        log.append(s.award_statements(posting_id=f"KONTRAK-2026-{number:04d}"))
    assert "RI-REPEAT-WINNER" not in raised(log, "ocds-t3r4ng-2026-0002")
    third = flags(log, "ocds-t3r4ng-2026-0003")["ocds-t3r4ng-2026-0003|RI-REPEAT-WINNER"]
    assert third["value"] == "3" and third["inputs"]["ocids"][-1] == "ocds-t3r4ng-2026-0003"
    assert all("RI-NEW-WINNER" not in raised(log, f"ocds-t3r4ng-2026-{n:04d}") for n in (1, 2, 3))
    assert replayed(log) == dict(log.state.items())


def test_r025_flags_the_vendor_whose_valid_bids_never_win_and_clears_when_it_wins() -> None:
    """Vendor c bids validly in every tender and loses each; with the top-tenderer
    minimum at 3 (a test threshold), c is flagged at the third award and not before;
    a and b share the wins (ratio 1/2 or more) and are not. When c wins the fourth,
    its ratio (1/4) passes the test's fence of 0 and the flag is cleared, not deleted."""
    from fractions import Fraction

    from budgeting import reducers as budgeting_reducers
    from ledger.service import default_kinds
    from procurement import kinds as procurement_kinds
    from redflags.reducer import FOLLOWED_TYPES, make_follower
    from redflags.rules import Thresholds

    th = Thresholds(r025_valid_bids_min=3, r025_ratio_max=Fraction(0))
    registry = default_kinds()  # terang.app.all_kinds, with the test's thresholds
    budgeting_reducers.register(registry)
    procurement_kinds.register(registry)
    registry.follow(FOLLOWED_TYPES, make_follower(th), name="redflags")
    log = MemoryLog(kinds=registry)
    s = Scenario.build(log, budget_sen=500_000_000_000)
    log.clock.advance(40 * 86400)
    a, b, c = s.vendors
    c_key = f"vendor:{client_key_id(c)}|R025"
    for number, winner in enumerate((a, b, a, c), start=1):
        s.ocid = f"ocds-t3r4ng-2026-{number:04d}"
        s.package(hps_sen=HPS_SEN)
        s.announce(days=20)
        for vendor, price in ((a, 40_000_000_000), (b, 41_000_000_000), (c, 42_000_000_000)):
            s.bid(vendor, price if vendor is not winner else 39_000_000_000)
        s.close()
        s.open()
        s.evaluate([(a, True, "80"), (b, True, "80"), (c, True, "80")])
        s.announce_winner(winner)
        log.clock.advance(5 * 86400)
        log.append(s.award_statements(posting_id=f"KONTRAK-2026-{number:04d}"))
        found = flags(log).get(c_key)
        if number < 3:
            assert found is None
        elif number == 3:
            assert found is not None and found["status"] == "raised"
            assert found["value"] == "0.0000" and found["vendors"] == [client_key_id(c)]
            assert found["inputs"]["valid_bids"] == 3 and found["inputs"]["winning_bids"] == 0
            assert found["thresholds"] == {"r025_valid_bids_min": 3, "r025_ratio_max": "0.0000"}
    assert found is not None and found["status"] == "cleared"
    assert all(flags(log).get(f"vendor:{client_key_id(v)}|R025") is None for v in (a, b))
    tally = log.state.get(TALLY_NAMESPACE, f"r025|vendor:{client_key_id(c)}")
    assert tally is not None and (tally["valid"], tally["won"]) == (4, 1)
    assert replayed(log) == dict(log.state.items())


def kbli_item(number: int, code: str) -> dict[str, Any]:
    return {
        "id": str(number),
        "description": f"Barang {code}",
        "classification": {"scheme": "KBLI", "id": code, "description": f"KBLI {code}"},
        "quantity": 10,
        "unit": "unit",
    }


def test_r048_flags_the_supplier_whose_awards_reach_the_variety_and_not_one_less() -> None:
    """Vendor a wins three packages; with the variety minimum at 4 (a test threshold),
    after the second award its items span 3 KBLI divisions (41, 46 twice: 46511 and
    46693 are one division, 31) and it is not flagged; the third award brings division
    56 and raises R048 on a, naming the award and package entries of each division's
    first award. Packages without items add nothing. Replay gives the same rows."""
    from budgeting import reducers as budgeting_reducers
    from ledger.service import default_kinds
    from procurement import kinds as procurement_kinds
    from redflags.reducer import FOLLOWED_TYPES, make_follower
    from redflags.rules import Thresholds

    th = Thresholds(r048_variety_min=4)
    registry = default_kinds()
    budgeting_reducers.register(registry)
    procurement_kinds.register(registry)
    registry.follow(FOLLOWED_TYPES, make_follower(th), name="redflags")
    log = MemoryLog(kinds=registry)
    s = Scenario.build(log, budget_sen=500_000_000_000)
    log.clock.advance(40 * 86400)
    a, b, _ = s.vendors
    key = f"vendor:{client_key_id(a)}|R048"
    plans: list[list[dict[str, Any]] | None] = [
        [kbli_item(1, "41015"), kbli_item(2, "46511")],
        [kbli_item(1, "46693"), kbli_item(2, "31001")],
        None,
        [kbli_item(1, "56210")],
    ]
    package_seqs = []
    award_seqs = []
    for number, items in enumerate(plans, start=1):
        s.ocid = f"ocds-t3r4ng-2026-{number:04d}"
        s.package(hps_sen=HPS_SEN, items=items)
        package_seqs.append(log.entries[-1].seq)
        s.announce(days=20)
        s.bid(a, 40_000_000_000)
        s.bid(b, 43_000_000_000)
        s.close()
        s.open()
        s.evaluate([(a, True, "80"), (b, True, "80")])
        s.announce_winner(a)
        log.clock.advance(5 * 86400)
        log.append(s.award_statements(posting_id=f"KONTRAK-2026-{number:04d}"))
        award_seqs.append(next(e.seq for e in log.entries if _is_award(e, s.ocid)))
        if number < 4:
            assert flags(log).get(key) is None, number
    found = flags(log)[key]
    assert found["status"] == "raised" and found["value"] == "4"
    assert found["vendors"] == [client_key_id(a)] and found["ocid"] is None
    assert found["thresholds"] == {"r048_variety_min": 4, "r048_digits": 2}
    assert found["inputs"]["awards_with_items"] == 3
    assert [c["division"] for c in found["inputs"]["classifications"]] == ["31", "41", "46", "56"]
    assert found["seqs"] == sorted(
        {package_seqs[0], award_seqs[0], package_seqs[1], award_seqs[1]}
        | {package_seqs[3], award_seqs[3]}
    )
    assert found["raised_seq"] == award_seqs[3]
    assert flags(log).get(f"vendor:{client_key_id(b)}|R048") is None
    assert log.state.get(TALLY_NAMESPACE, f"r048|vendor:{client_key_id(b)}") is None
    assert replayed(log) == dict(log.state.items())


def test_packages_without_items_write_no_r048_rows() -> None:
    """A log of packages without items (every log before items existed) has no R048
    tally or flag: its replay is the rows it had."""
    log = MemoryLog()
    s = Scenario.build(log)
    a, b, _ = s.vendors
    log.clock.advance(40 * 86400)
    s.package()
    s.announce(days=20)
    s.bid(a, 40_000_000_000)
    s.bid(b, 43_000_000_000)
    s.close()
    s.open()
    s.evaluate([(a, True, "80"), (b, True, "80")])
    s.announce_winner(a)
    log.clock.advance(5 * 86400)
    log.append(s.award_statements())
    assert s.tender()["state"] == "awarded" and "items" not in s.tender()
    assert not [k for (ns, k), _ in log.state.items() if ns == TALLY_NAMESPACE and "r048" in k]
    assert not [k for k in flags(log) if k.endswith("|R048")]


def _is_award(entry: LoggedEntry, ocid: str) -> bool:
    statement = entry.signed.statement
    return statement.type == "procurement.tender.awarded" and statement.subject == ocid
