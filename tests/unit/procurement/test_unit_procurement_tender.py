"""The tender lifecycle on an in-memory log: the happy path and each refusal."""

from __future__ import annotations

from datetime import timedelta

import pytest
from procurement_support import HPS_SEN, OCID, MemoryLog, Scenario, iso, register_vendor

from ledger.errors import TerangError
from ledger.keys import client_key_id
from procurement import lifecycle as lc


def code_of(action: object) -> str:
    with pytest.raises(TerangError) as caught:
        action()  # type: ignore[operator]
    return caught.value.code


def full_to_winner(s: Scenario) -> None:
    s.package()
    s.announce()
    a, b, c = s.vendors
    s.bid(a, 45_000_000_000)
    s.bid(b, 38_000_000_000)
    s.bid(c, 52_000_000_000)  # above HPS
    s.close()
    s.open()
    s.evaluate([(a, True, "80"), (b, True, "75.5"), (c, False, "0")])
    s.announce_winner(b)


def test_happy_path_to_award_commits_the_budget() -> None:
    log = MemoryLog()
    s = Scenario.build(log)
    full_to_winner(s)
    tender = s.tender()
    assert tender["state"] == lc.WINNER_ANNOUNCED
    assert tender["winner"]["bidder"] == client_key_id(s.vendors[1])
    assert s.bid_doc(s.vendors[2])["validity"] == "above_hps"
    # Rp 380 juta is 76% of the HPS: under 80%, so a performance guarantee is flagged.
    assert s.bid_doc(s.vendors[1])["flags"] == ["performance_guarantee_required"]
    assert s.bid_doc(s.vendors[0])["flags"] == []
    assert s.bid_doc(s.vendors[0])["opening"]["price_sen"] == 45_000_000_000
    assert code_of(lambda: log.append(s.award_statements())) == "objection_period_open"
    log.clock.advance(5 * 86400)
    log.append(s.award_statements())
    tender = s.tender()
    assert tender["state"] == lc.AWARDED
    assert tender["award"]["value_sen"] == 38_000_000_000
    assert tender["award"]["performance_guarantee_required"] is True
    line = log.state.get("budgeting.line", tender["budget_line"])
    assert line is not None and line["committed_sen"] == 38_000_000_000


def test_award_over_available_budget_logs_nothing() -> None:
    log = MemoryLog()
    s = Scenario.build(log)
    full_to_winner(s)
    # Another commitment eats the line after the package was planned.
    from budgeting import statements as st

    other = st.commitment(
        tender_line(s), "LAIN-1", 70_000_000_000, log.clock().date(), "kontrak lain"
    )
    log.append([other.sign(s.finance, at=log.clock(), origin=log.origin)])
    log.clock.advance(5 * 86400)
    before = log.snapshot()
    size = len(log.entries)
    assert code_of(lambda: log.append(s.award_statements())) == "commitment_exceeds_available"
    assert log.snapshot() == before and len(log.entries) == size


def tender_line(s: Scenario) -> str:
    return str(s.tender()["budget_line"])


def test_award_without_its_commitment_is_refused() -> None:
    log = MemoryLog()
    s = Scenario.build(log)
    full_to_winner(s)
    log.clock.advance(5 * 86400)
    commitment, award = s.award_statements()
    assert code_of(lambda: log.append([award])) == "award_without_commitment"
    log.append([commitment])
    register_vendor(log, None, "CV Sela")  # any entry in between
    # Not adjacent any more: an award must come in the same batch, right after.
    assert code_of(lambda: log.append([award])) == "award_without_commitment"


def test_out_of_order_transitions_name_the_allowed_next_steps() -> None:
    log = MemoryLog()
    s = Scenario.build(log)
    s.package()
    with pytest.raises(TerangError) as caught:
        s.append(s.officer, "procurement.tender.closed", {})
    assert caught.value.code == "transition_not_allowed"
    assert caught.value.details["state"] == "planned"
    assert caught.value.details["allowed"] == [
        "procurement.tender.announced",
        "procurement.tender.cancelled",
    ]
    s.announce()
    with pytest.raises(TerangError) as opened:
        s.append(s.officer, "procurement.tender.opened", {})
    assert opened.value.code == "transition_not_allowed"
    assert "procurement.tender.closed" in opened.value.details["allowed"]


def test_late_bid_refused_even_before_the_closing_entry() -> None:
    log = MemoryLog()
    s = Scenario.build(log)
    s.package()
    s.announce()
    s.bid(s.vendors[0], 40_000_000_000)
    log.clock.advance(10 * 86400)  # exactly the deadline: too late
    assert s.tender()["state"] == lc.ACTIVE
    assert code_of(lambda: s.bid(s.vendors[1], 41_000_000_000)) == "bid_deadline_passed"
    assert (
        code_of(lambda: s.append(s.vendors[0], "procurement.bid.withdrawn", {}))
        == "bid_deadline_passed"
    )
    s.close()
    assert code_of(lambda: s.bid(s.vendors[1], 41_000_000_000)) == "transition_not_allowed"


def test_closing_before_the_deadline_refused() -> None:
    log = MemoryLog()
    s = Scenario.build(log)
    s.package()
    s.announce()
    assert (
        code_of(lambda: s.append(s.officer, "procurement.tender.closed", {}))
        == "deadline_not_reached"
    )


def test_replace_and_withdraw_until_closing() -> None:
    log = MemoryLog()
    s = Scenario.build(log)
    s.package()
    s.announce()
    a, b, _ = s.vendors
    s.bid(a, 40_000_000_000)
    assert code_of(lambda: s.bid(a, 39_000_000_000)) == "bid_exists"
    s.bid(a, 39_000_000_000, replace=True)
    assert s.bid_doc(a)["version"] == 2
    assert code_of(lambda: s.bid(b, 1, replace=True)) == "unknown_bid"
    s.bid(b, 42_000_000_000)
    s.append(b, "procurement.bid.withdrawn", {})
    assert s.tender()["bids"]["active"] == 1
    s.close()
    s.open()
    assert s.bid_doc(a)["opening"]["price_sen"] == 39_000_000_000
    assert s.bid_doc(b)["opening"] is None


def test_addendum_after_bids_requires_reconfirmation_and_extends_deadline() -> None:
    log = MemoryLog()
    s = Scenario.build(log)
    s.package()
    s.announce(days=10)
    a, b, c = s.vendors
    s.bid(a, 40_000_000_000)
    s.bid(b, 41_000_000_000)
    log.clock.advance(9 * 86400)  # one day before the deadline
    s.append(
        s.officer,
        "procurement.tender.amended",
        {"addendum": 1, "description": "spesifikasi diperbarui"},
    )
    tender = s.tender()
    assert tender["addenda_log"][0]["deadline_extended_by_rule"] is True
    assert tender["schedule"]["bid_deadline"] == iso(log.clock() + timedelta(days=3))
    assert code_of(lambda: s.bid(c, 40_500_000_000)) == "stale_addendum"
    s.bid(c, 40_500_000_000, addendum=1)
    s.append(a, "procurement.bid.confirmed", {"addendum": 1})
    assert code_of(lambda: s.append(a, "procurement.bid.confirmed", {"addendum": 1})) == (
        "nothing_to_confirm"
    )
    s.close()
    s.open()
    assert s.bid_doc(a)["validity"] == "valid"
    assert s.bid_doc(b)["validity"] == "not_reconfirmed"
    assert code_of(lambda: s.evaluate([(b, True, "90")])) == "invalid_bid_cannot_pass"


def test_package_method_rules() -> None:
    log = MemoryLog()
    s = Scenario.build(log)
    assert code_of(lambda: s.package(hps_sen=HPS_SEN, method="pengadaan_langsung")) == (
        "method_not_allowed"
    )
    assert code_of(lambda: s.package(hps_sen=10_000_000_000, method="tender")) == (
        "method_not_allowed"
    )
    assert code_of(lambda: s.package(method="seleksi")) == "method_not_allowed"
    assert code_of(lambda: s.package(method="penunjukan_langsung")) == "justification_required"
    assert code_of(lambda: s.package(hps_sen=200_000_000_000)) == "hps_above_available"
    s.package(hps_sen=20_000_000_000, method="pengadaan_langsung")  # exactly Rp 200 juta
    assert s.tender()["rule_set"] == "perpres-46-2025"


def test_objections_block_award_until_answered_and_upheld_reopens() -> None:
    log = MemoryLog()
    s = Scenario.build(log)
    full_to_winner(s)
    a, b, _ = s.vendors
    s.append(a, "procurement.tender.objection_filed", {"objection": "harga b tidak wajar"})
    log.clock.advance(5 * 86400)
    assert (
        code_of(lambda: s.append(a, "procurement.tender.objection_filed", {"objection": "lagi"}))
        == "objection_period_closed"
    )
    assert code_of(lambda: log.append(s.award_statements())) == "objection_unanswered"
    s.append(
        s.officer,
        "procurement.tender.objection_answered",
        {"objection": 1, "outcome": "upheld", "answer": "dievaluasi ulang"},
    )
    assert code_of(lambda: log.append(s.award_statements())) == "objection_upheld"
    s.append(s.officer, "procurement.tender.evaluation_reopened", {"reason": "sanggah diterima"})
    assert s.tender()["state"] == lc.OPENED
    s.evaluate([(a, True, "80"), (b, False, "0"), (s.vendors[2], False, "0")])
    assert code_of(lambda: s.announce_winner(b)) == "not_best_bid"
    s.announce_winner(a)
    log.clock.advance(5 * 86400)
    log.append(s.award_statements("KONTRAK-2026-0002"))
    assert s.tender()["award"]["winner"] == client_key_id(a)


def test_cancel_and_fail() -> None:
    log = MemoryLog()
    s = Scenario.build(log)
    s.package()
    s.append(s.officer, "procurement.tender.cancelled", {"reason": "anggaran dialihkan"})
    assert s.tender()["state"] == lc.CANCELLED
    assert code_of(lambda: s.announce()) == "transition_not_allowed"
    assert (
        code_of(lambda: s.append(s.officer, "procurement.tender.failed", {"reason": "x"}))
        == "transition_not_allowed"
    )


def test_ocid_subject_checked() -> None:
    log = MemoryLog()
    s = Scenario.build(log)
    s.ocid = "not-an-ocid"
    assert code_of(lambda: s.package()) == "bad_subject"
    assert OCID.startswith("ocds-")


def kbli(number: int = 1, code: str = "46693", **over: object) -> dict[str, object]:
    item: dict[str, object] = {
        "id": str(number),
        "description": "Tensimeter digital",
        "classification": {"scheme": "KBLI", "id": code, "description": "Perdagangan alkes"},
        "quantity": 20,
        "unit": "unit",
    }
    item.update(over)
    return item


def test_package_items_are_kept_with_their_kbli_classification() -> None:
    log = MemoryLog()
    s = Scenario.build(log)
    s.package(items=[kbli(1), kbli(2, "31001", unit_value="1250000.50")])
    items = s.tender()["items"]
    assert [i["classification"]["id"] for i in items] == ["46693", "31001"]
    assert "unit_value_sen" not in items[0] and items[1]["unit_value_sen"] == 125_000_050
    assert items[1]["quantity"] == 20 and items[1]["unit"] == "unit"


def test_a_package_without_items_has_no_items_key() -> None:
    """What the reducer wrote before items existed: replaying an old package gives it."""
    log = MemoryLog()
    s = Scenario.build(log)
    s.package()
    assert "items" not in s.tender()


@pytest.mark.parametrize(
    ("items", "field"),
    [
        ([], "body.items"),
        ([kbli(n) for n in range(13)], "body.items"),  # PACKAGE_ITEMS_MAX is 12
        ([kbli(code="4669")], "body.items[0].classification.id"),
        ([kbli(code="4669A")], "body.items[0].classification.id"),
        ([kbli(1), kbli(2, code="466931")], "body.items[1].classification.id"),
        (
            [kbli(classification={"scheme": "CPV", "id": "33100000", "description": "x"})],
            "body.items[0].classification.scheme",
        ),
        ([kbli(quantity=0)], "body.items[0].quantity"),
        ([kbli(quantity=True)], "body.items[0].quantity"),
        ([kbli(quantity="5")], "body.items[0].quantity"),
        ([kbli(1), kbli(1)], "body.items[1].id"),
        ([kbli(description=" padded")], "body.items[0].description"),
        ([kbli(description="x" * 161)], "body.items[0].description"),
        ([kbli(unit_value="0")], "body.items[0].unit_value"),
        ([kbli(colour="red")], "body.items[0]"),
        (["not an object"], "body.items[0]"),
    ],
)
def test_bad_items_are_refused_naming_the_field_and_log_nothing(
    items: list[object], field: str
) -> None:
    log = MemoryLog()
    s = Scenario.build(log)
    before = len(log.entries)
    with pytest.raises(TerangError) as caught:
        s.package(items=items)  # type: ignore[arg-type]
    assert caught.value.http_status == 422, caught.value
    assert caught.value.details.get("field") == field, caught.value.details
    assert len(log.entries) == before
    assert log.state.get(lc.TENDER_NAMESPACE, s.ocid) is None
