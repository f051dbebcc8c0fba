"""Perpres 46/2025 as a dated rule set, conflicts of interest and contracts against the
fiscal year (issue 16 items 9 and 2), on an in-memory log: each rule and each refusal."""

from __future__ import annotations

import copy
import json
from datetime import UTC, date, datetime, timedelta, timezone
from importlib import resources
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as hs
from nacl.public import PrivateKey
from nacl.signing import SigningKey
from procurement_support import (
    LINE,
    Member,
    MemoryLog,
    Scenario,
    register_key,
    vendor_body,
)

from budgeting import reducers as budgeting_reducers
from ledger.errors import InvariantBroken, TerangError
from ledger.keys import client_key_id
from ledger.service import default_kinds
from procurement import client
from procurement import contracts as ct
from procurement import kinds as procurement_kinds
from procurement.rules import CATEGORIES, RULES, RuleBook, parse_rule_set

OLD = "perpres-16-2018-amended-12-2021"
NEW = "perpres-46-2025"
JUTA = 100_000_000  # sen
DAY = timedelta(days=1)


def code_of(action: object) -> str:
    with pytest.raises(TerangError) as caught:
        action()  # type: ignore[operator]
    return caught.value.code


def raw_rule_set(name: str) -> dict[str, Any]:
    text = resources.files("procurement.rules").joinpath(f"{name}.json").read_text(encoding="utf-8")
    return json.loads(text)  # type: ignore[no-any-return]


# -- the rules data ------------------------------------------------------------------


def test_both_sets_ship_and_2025_takes_over_at_midnight_wib_on_30_april() -> None:
    assert [r.id for r in RULES.rule_sets] == [OLD, NEW]
    new = RULES.by_id(NEW)
    assert new.effective_from == date(2025, 4, 30)
    assert RULES.in_force(datetime(2025, 4, 29, 16, 59, 59, tzinfo=UTC)).id == OLD
    assert RULES.in_force(datetime(2025, 4, 29, 17, 0, tzinfo=UTC)).id == NEW  # 00:00 WIB
    assert RULES.in_force(datetime(2026, 12, 4, tzinfo=UTC)).id == NEW


def test_pengadaan_langsung_for_works_is_up_to_400_juta_from_2025_only() -> None:
    old, new = RULES.by_id(OLD), RULES.by_id(NEW)
    new.check_method("pengadaan_langsung", "works", 400 * JUTA, None)
    assert (
        code_of(lambda: new.check_method("pengadaan_langsung", "works", 400 * JUTA + 1, None))
        == "method_not_allowed"
    )
    assert (
        code_of(lambda: old.check_method("pengadaan_langsung", "works", 300 * JUTA, None))
        == "method_not_allowed"
    )
    # Goods, other services and consulting keep their ceilings.
    for category, ceiling in (("goods", 200), ("other_services", 200), ("consulting", 100)):
        new.check_method("pengadaan_langsung", category, ceiling * JUTA, None)
        assert (
            code_of(
                lambda c=category, top=ceiling: new.check_method(
                    "pengadaan_langsung", c, top * JUTA + 1, None
                )
            )
            == "method_not_allowed"
        )
    # Works between Rp 200 and 400 juta: either way (Terang's reading of the tender floor).
    assert new.methods_for("works", 300 * JUTA) == [
        "e_purchasing",
        "pengadaan_langsung",
        "penunjukan_langsung",
        "tender",
        "tender_cepat",
    ]
    assert new.methods_for("consulting", 150 * JUTA) == [
        "e_purchasing",
        "penunjukan_langsung",
        "seleksi",
    ]


def test_the_2025_set_turns_the_new_checks_on_and_the_2021_set_keeps_them_off() -> None:
    old, new = RULES.by_id(OLD), RULES.by_id(NEW)
    assert not old.conflict_of_interest_check and not old.contract_fiscal_year_check
    assert old.multi_year_approver_roles == frozenset()
    assert new.conflict_of_interest_check and new.contract_fiscal_year_check
    assert new.multi_year_approver_roles == frozenset({"head_of_region"})
    assert new.multi_year_dprd_agreement_required


def test_every_2025_figure_names_its_source_and_secondary_ones_say_so() -> None:
    raw = raw_rule_set(NEW)
    sources = dict(RULES.by_id(NEW).sources)
    for method, spec in raw["methods"].items():
        for bound in ("value_max_sen", "value_min_exclusive_sen"):
            for category in spec[bound]:
                named = f"methods.{method}.{bound}.{category}" in sources
                assert named or f"methods.{method}.{bound}" in sources, (method, bound, category)
    for figure in (
        "effective_from",
        "conflict_of_interest_check",
        "contract_fiscal_year_check",
        "multi_year_approver_roles",
        "bid_window_days_min",
        "objection_days_default",
        "objection_answer_days",
        "addendum_remaining_days_min",
        "performance_guarantee_below_hps_percent",
    ):
        assert figure in sources, figure
    assert "Secondary" in sources["methods.pengadaan_langsung.value_max_sen.works"]
    assert "not checked against the official text" in raw["source"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"sources": {"effective_from": ""}}, "sources"),
        ({"sources": ["effective_from"]}, "sources"),
        ({"multi_year_approver_roles": ["bupati"]}, "multi_year_approver_roles"),
        ({"contract_fiscal_year_check": "yes"}, "contract_fiscal_year_check"),
        ({"conflict_of_interest_check": 1}, "conflict_of_interest_check"),
    ],
)
def test_a_bad_rule_set_file_is_a_bug(change: dict[str, Any], message: str) -> None:
    raw = {**raw_rule_set(NEW), **change}
    with pytest.raises(InvariantBroken, match=message):
        parse_rule_set(raw)


@given(
    category=hs.sampled_from(CATEGORIES),
    value=hs.integers(min_value=1, max_value=10**15),
)
def test_the_2025_set_allows_every_method_the_2021_set_allowed(category: str, value: int) -> None:
    """So a log written under the 2021 thresholds replays under either set's figures."""
    old, new = RULES.by_id(OLD), RULES.by_id(NEW)
    assert set(old.methods_for(category, value)) <= set(new.methods_for(category, value))


ZONES = [timezone(timedelta(hours=h)) for h in (7, 8, 9)]  # WIB, WITA, WIT


@given(
    moment=hs.datetimes(
        min_value=datetime(2024, 12, 30), max_value=datetime(2027, 1, 2), timezones=hs.just(UTC)
    ),
    year=hs.integers(min_value=2025, max_value=2026),
)
def test_signed_within_year_is_true_where_some_indonesian_zone_says_so(
    moment: datetime, year: int
) -> None:
    expected = any(moment.astimezone(zone).year == year for zone in ZONES)
    assert ct.signed_within_year(moment, year) == expected


# -- a tender judged under the set in force at its announcement ----------------------


def book_log(book: RuleBook) -> MemoryLog:
    registry = default_kinds()
    budgeting_reducers.register(registry)
    procurement_kinds.register(registry, book)
    return MemoryLog(kinds=registry)


def test_a_package_planned_before_a_new_set_is_judged_under_it_when_announced() -> None:
    old = RULES.by_id(OLD)
    later = raw_rule_set(NEW)
    later.update(id="test-later", effective_from="2026-03-05")
    stricter = copy.deepcopy(later)
    stricter["methods"]["tender"]["value_min_exclusive_sen"]["goods"] = "60000000000"
    for raw, allowed in ((later, True), (stricter, False)):
        log = book_log(RuleBook([old, parse_rule_set(raw)]))
        s = Scenario.build(log)
        s.package()  # 2 March 2026: the old set
        assert s.tender()["rule_set"] == OLD
        log.clock.advance(5 * 86400)
        if not allowed:  # Rp 500 juta goods is no tender under the stricter set
            assert code_of(s.announce) == "method_not_allowed"
            continue
        s.announce()
        assert s.tender()["rule_set"] == "test-later"
        assert s.tender()["planned_rule_set"] == OLD


# -- conflicts of interest ------------------------------------------------------------


def vendor_with_key(s: Scenario, key: SigningKey, name: str, npwp: str) -> None:
    """``key`` (already registered) gets the vendor role and registers a company."""
    vendor_id = client_key_id(key)
    log = s.log
    log.append([log.sign(log.authority, "registry.role.granted", vendor_id, {"role": "vendor"})])
    log.append(
        [log.sign(key, "procurement.vendor.registered", vendor_id, vendor_body(key, name, npwp))]
    )
    log.append([log.sign(s.officer, "procurement.vendor.activated", vendor_id, {})])


def test_a_committee_member_cannot_bid_on_its_tender() -> None:
    s = Scenario.build(MemoryLog())
    member = s.members[0]
    vendor_with_key(s, member.key, "CV Milik Anggota Pokja", "019876543210000")
    s.package()
    s.announce()
    with pytest.raises(TerangError) as caught:
        s.bid(member.key, 40_000_000_000)
    assert caught.value.code == "conflict_of_interest"
    assert caught.value.details["conflict"] == "committee_member_bids"
    assert caught.value.details["party"] == member.key_id
    s.bid(s.vendors[0], 40_000_000_000)  # an honest vendor still bids


def test_the_ppk_cannot_bid_on_its_own_package() -> None:
    s = Scenario.build(MemoryLog())
    vendor_with_key(s, s.officer, "CV Milik PPK", "019876543210001")
    s.package()
    s.announce()
    with pytest.raises(TerangError) as caught:
        s.bid(s.officer, 40_000_000_000)
    assert caught.value.code == "conflict_of_interest"
    assert caught.value.details["conflict"] == "ppk_bids"


def test_the_ppk_cannot_sit_on_the_committee_of_its_own_package() -> None:
    log = MemoryLog()
    s = Scenario.build(log)
    box = PrivateKey.generate()
    ppk = register_key(
        log, log.authority, "ppk-pokja", ["procurement_officer", "committee_member"], box
    )
    s.officer = ppk
    s.package()
    s.members = [Member(ppk, box), *s.members[1:]]
    with pytest.raises(TerangError) as caught:
        s.announce()
    assert caught.value.code == "conflict_of_interest"
    assert caught.value.details["conflict"] == "ppk_on_committee"


def test_under_the_2021_set_a_member_bid_is_still_accepted_so_old_logs_replay() -> None:
    log = book_log(RuleBook([RULES.by_id(OLD)]))
    s = Scenario.build(log)
    vendor_with_key(s, s.members[0].key, "CV Lama", "019876543210002")
    s.package()
    s.announce()
    s.bid(s.members[0].key, 40_000_000_000)
    assert s.bid_doc(s.members[0].key)["status"] == "submitted"


# -- contracts against the fiscal year ------------------------------------------------


def awarded(log: MemoryLog | None = None) -> Scenario:
    s = Scenario.build(log or MemoryLog(), vendors=2)
    a, b = s.vendors
    s.package()
    s.announce(days=10)
    s.bid(a, 46_000_000_000)
    s.bid(b, 43_000_000_000)
    s.close()
    s.open()
    s.evaluate([(a, True, "85"), (b, True, "80")])
    s.announce_winner(b)
    s.log.clock.advance(5 * 86400)
    s.log.append(s.award_statements("KONTRAK-1"))
    return s


def terms(start: str = "2026-03-20", end: str = "2026-06-30") -> dict[str, Any]:
    return client.contract_body(
        "SPK-001/2026",
        43_000_000_000,
        start,
        end,
        [client.milestone("Serah terima", 43_000_000_000, end)],
    )


def sign_contract(s: Scenario, body: dict[str, Any], *, signer: SigningKey | None = None) -> Any:
    winner = s.vendors[1]
    signature = client.countersign(winner, ct.SIGNED, s.ocid, body)
    full = {**body, "vendor_signature": signature}
    return s.log.append([s.log.sign(signer or s.officer, ct.SIGNED, s.ocid, full)])


def head_of_region(s: Scenario) -> SigningKey:
    return register_key(s.log, s.log.authority, "Bupati Contoh", ["head_of_region"])


def test_a_contract_running_past_the_fiscal_year_is_refused() -> None:
    s = awarded()
    with pytest.raises(TerangError) as caught:
        sign_contract(s, terms(end="2027-01-31"))
    assert caught.value.code == "contract_period_outside_fiscal_year"
    assert caught.value.details["fiscal_year"] == 2026
    assert code_of(lambda: sign_contract(s, terms(start="2025-12-20"))) == (
        "contract_period_outside_fiscal_year"
    )
    sign_contract(s, terms(end="2026-12-31"))  # the last day of the year is inside it


def test_a_contract_signed_after_the_fiscal_year_is_refused() -> None:
    s = awarded()
    # 31 December 23:30 WIB: still the fiscal year in WIB, so accepted anywhere.
    s.log.clock.now = datetime(2026, 12, 31, 16, 30, tzinfo=UTC)
    late = awarded()
    late.log.clock.now = datetime(2026, 12, 31, 17, 0, tzinfo=UTC)  # 1 January 00:00 WIB
    with pytest.raises(TerangError) as caught:
        sign_contract(late, terms(end="2026-12-31"))
    assert caught.value.code == "contract_signed_outside_fiscal_year"
    sign_contract(s, terms(end="2026-12-31"))


def test_a_multi_year_contract_needs_its_approval_by_a_head_of_region() -> None:
    s = awarded()
    bupati = head_of_region(s)
    body = terms(end="2027-06-30")
    approval = client.multi_year_approval(
        bupati, s.ocid, LINE, body, "Keputusan Bupati 900/12/2026", "Nota Kesepakatan DPRD 5/2026"
    )
    # Signed by a key without the role: refused.
    stranger = register_key(s.log, s.log.authority, "Sekda", ["finance"])
    wrong_role = client.multi_year_approval(
        stranger, s.ocid, LINE, body, "Keputusan 1", "Nota Kesepakatan DPRD 5/2026"
    )
    with pytest.raises(TerangError) as caught:
        sign_contract(s, {**body, "multi_year": wrong_role})
    assert caught.value.code == "multi_year_approver_not_allowed"
    assert caught.value.details["allowed_roles"] == ["head_of_region"]
    # Without the DPRD's agreement: refused.
    no_dprd = client.multi_year_approval(bupati, s.ocid, LINE, body, "Keputusan Bupati 900/12/2026")
    assert code_of(lambda: sign_contract(s, {**body, "multi_year": no_dprd})) == (
        "bad_multi_year_approval"
    )
    # An approval of another period does not carry over.
    other = client.multi_year_approval(
        bupati, s.ocid, LINE, terms(end="2028-06-30"), "Keputusan", "Nota Kesepakatan DPRD"
    )
    assert code_of(lambda: sign_contract(s, {**body, "multi_year": other})) == (
        "bad_multi_year_approval"
    )
    # A multi-year approval on a contract that ends within the year: not a multi-year one.
    short = terms(end="2026-11-30")
    within = client.multi_year_approval(bupati, s.ocid, LINE, short, "Keputusan", "Nota")
    assert code_of(lambda: sign_contract(s, {**short, "multi_year": within})) == (
        "bad_multi_year_approval"
    )
    # Longer than five fiscal years.
    long = terms(end="2031-06-30")
    too_long = client.multi_year_approval(bupati, s.ocid, LINE, long, "Keputusan", "Nota")
    assert code_of(lambda: sign_contract(s, {**long, "multi_year": too_long})) == (
        "bad_multi_year_approval"
    )
    sign_contract(s, {**body, "multi_year": approval})
    contract = s.read(ct.CONTRACT_NAMESPACE, s.ocid)
    assert contract["multi_year"] == {
        "approval": "Keputusan Bupati 900/12/2026",
        "dprd_agreement": "Nota Kesepakatan DPRD 5/2026",
        "approver": client_key_id(bupati),
        "years": [2026, 2027],
    }


def test_an_amendment_may_not_move_the_end_past_the_last_year() -> None:
    s = awarded()
    sign_contract(s, terms())
    body = client.amendment_body(
        1,
        43_000_000_000,
        [client.milestone("Serah terima", 43_000_000_000, "2027-01-15")],
        "perpanjangan waktu",
        end="2027-01-15",
    )
    signature = client.countersign(s.vendors[1], ct.AMENDED, s.ocid, body)
    full = {**body, "vendor_signature": signature}
    with pytest.raises(TerangError) as caught:
        s.log.append([s.log.sign(s.officer, ct.AMENDED, s.ocid, full)])
    assert caught.value.code == "contract_period_outside_fiscal_year"


def test_a_committee_member_or_the_winner_cannot_sign_the_contract_as_ppk() -> None:
    s = awarded()
    member = s.members[0]
    s.log.append(
        [
            s.log.sign(
                s.log.authority,
                "registry.role.granted",
                member.key_id,
                {"role": "procurement_officer"},
            )
        ]
    )
    with pytest.raises(TerangError) as caught:
        sign_contract(s, terms(), signer=member.key)
    assert caught.value.code == "conflict_of_interest"
    assert caught.value.details["conflict"] == "ppk_on_committee"
    winner = s.vendors[1]
    s.log.append(
        [
            s.log.sign(
                s.log.authority,
                "registry.role.granted",
                client_key_id(winner),
                {"role": "procurement_officer"},
            )
        ]
    )
    with pytest.raises(TerangError) as caught:
        sign_contract(s, terms(), signer=winner)
    assert caught.value.details["conflict"] == "ppk_is_winner"


def test_under_the_2021_set_no_fiscal_year_check_and_no_multi_year_field() -> None:
    log = book_log(RuleBook([RULES.by_id(OLD)]))
    s = awarded(log)
    bupati = head_of_region(s)
    body = terms(end="2027-06-30")
    approval = client.multi_year_approval(bupati, s.ocid, LINE, body, "Keputusan", "Nota")
    assert code_of(lambda: sign_contract(s, {**body, "multi_year": approval})) == (
        "bad_multi_year_approval"
    )
    sign_contract(s, body)  # accepted as it was before the 2025 rules


def test_a_malformed_multi_year_approval_is_a_422_before_any_rule() -> None:
    s = awarded()
    body = terms(end="2027-06-30")
    for bad, code in (
        ("yes", "bad_field"),
        ({"approval": "Keputusan", "approver": "ab" * 32}, "missing_field"),
        (
            {"approval": "K", "approver": "ab" * 32, "approver_signature": "AA==", "x": 1},
            "unknown_field",
        ),
    ):
        with pytest.raises(TerangError) as caught:
            sign_contract(s, {**body, "multi_year": bad})
        assert caught.value.code == code
        assert caught.value.http_status == 422
