"""The procurement plan (RUP): publishing, revising, withdrawing, and a package citing it.

Each refusal logs nothing; a replay of the log projects the same documents."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from procurement_support import HPS_SEN, LINE, MemoryLog, Scenario

from audit.verifier import LogReplayer
from budgeting import reducers as budgeting_reducers
from budgeting import statements as bst
from budgeting.money import format_amount
from ledger.errors import TerangError
from ledger.service import default_kinds
from procurement import kinds as procurement_kinds
from procurement import rup
from procurement.rules import RULES, RuleBook

CODE = "41234567"
OPD = LINE.split(":")[1]


def item_body(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "opd": OPD,
        "budget_line": LINE,
        "fiscal_year": 2026,
        "name": "Pengadaan alat kesehatan puskesmas",
        "value": format_amount(60_000_000_000),
        "procurement_type": "penyedia",
        "category": "goods",
        "method": "tender",
        "pdn": True,
        "umk": False,
        "selection_start": "2026-03",
        "contract_start": "2026-05",
    }
    body.update(changes)
    return {k: v for k, v in body.items() if v is not None}


def publish(s: Scenario, code: str = CODE, **changes: Any) -> None:
    s.log.append([s.log.sign(s.officer, rup.PUBLISHED, code, item_body(**changes))])


def step(s: Scenario, kind: str, body: dict[str, Any], code: str = CODE) -> None:
    s.log.append([s.log.sign(s.officer, kind, code, body)])


def revision(**changes: Any) -> dict[str, Any]:
    body = item_body(**changes)
    for field in ("opd", "budget_line", "fiscal_year"):
        body.pop(field)
    return {**body, "reason": "Hasil reviu APIP"}


def package(s: Scenario, code: str | None = CODE, hps_sen: int = HPS_SEN, **changes: Any) -> None:
    body: dict[str, Any] = {
        "title": "Pengadaan alat kesehatan puskesmas",
        "budget_line": LINE,
        "category": "goods",
        "hps": format_amount(hps_sen),
        "method": "tender",
        **({"rup_code": code} if code is not None else {}),
    }
    body.update(changes)
    s.append(s.officer, "procurement.package.created", body)


def refused(s: Scenario, action: Any) -> str:
    before = s.log.snapshot()
    size = len(s.log.entries)
    with pytest.raises(TerangError) as caught:
        action()
    assert s.log.snapshot() == before and len(s.log.entries) == size
    return caught.value.code


def replay_agrees(s: Scenario) -> None:
    replayer = LogReplayer(s.log.kinds, s.log.limits, s.log.origin)
    for entry in s.log.entries:
        replayer.feed(entry.entry_bytes())
    assert dict(replayer.state.items()) == dict(s.log.state.items())


def rup_doc(s: Scenario, code: str = CODE) -> dict[str, Any]:
    return s.read(rup.RUP_NAMESPACE, code)


def test_a_published_item_is_cited_by_its_package_and_kept_as_cited() -> None:
    s = Scenario.build(MemoryLog())
    publish(s)
    package(s)
    tender = s.tender()
    assert tender["rup"]["code"] == CODE
    assert tender["rup"]["value_sen"] == 60_000_000_000
    assert tender["rup"]["revision"] == 0
    doc = rup_doc(s)
    assert doc["packages"] == [s.ocid] and doc["opd"] == OPD and doc["year"] == 2026
    # A revision that keeps the package's terms is fine; the package keeps what it cited.
    step(s, rup.REVISED, revision(value=format_amount(55_000_000_000)))
    assert rup_doc(s)["revision"] == 1 and rup_doc(s)["value_sen"] == 55_000_000_000
    assert s.tender()["rup"]["value_sen"] == 60_000_000_000
    replay_agrees(s)


def test_every_refusal_of_a_citation_logs_nothing() -> None:
    s = Scenario.build(MemoryLog())
    publish(s)
    publish(s, "SWA-1", procurement_type="swakelola", method=None)
    publish(s, "RUP-SMALL", value=format_amount(30_000_000_000))
    assert refused(s, lambda: package(s, "SWA-1")) == "rup_swakelola"
    assert refused(s, lambda: package(s, category="works")) in {
        "rup_mismatch",
        "method_not_allowed",
    }
    assert refused(s, lambda: package(s, method="seleksi")) in {
        "rup_mismatch",
        "method_not_allowed",
    }
    assert refused(s, lambda: package(s, "RUP-SMALL")) == "hps_above_rup"
    # The demo's labels: a code no item was published under is kept, unchecked.
    package(s, "RUP-LABEL")
    assert "rup" not in s.tender()


def test_a_package_on_another_line_is_a_mismatch() -> None:
    s = Scenario.build(MemoryLog())
    other = LINE.replace(":DAU", ":PAD")
    posts = [
        bst.structure("funding_source", "PAD", "Pendapatan Asli Daerah"),
        bst.appropriation(other, "DPA-2026-0002", 100_000_000_000),
    ]
    s.log.append([p.sign(s.finance, at=s.log.clock(), origin=s.log.origin) for p in posts])
    publish(s, "RUP-PAD", budget_line=other)
    with pytest.raises(TerangError) as caught:
        package(s, "RUP-PAD")
    assert caught.value.code == "rup_mismatch"
    assert caught.value.details["field"] == "budget_line"


def test_withdrawn_and_revised_items() -> None:
    s = Scenario.build(MemoryLog())
    publish(s)
    assert refused(s, lambda: publish(s)) == "rup_exists"
    assert refused(s, lambda: step(s, rup.REVISED, revision())) == "rup_unchanged"
    step(s, rup.WITHDRAWN, {"reason": "Kegiatan ditunda"})
    assert rup_doc(s)["state"] == "withdrawn"
    assert refused(s, lambda: package(s)) == "rup_withdrawn"
    assert refused(s, lambda: step(s, rup.WITHDRAWN, {"reason": "lagi"})) == "rup_withdrawn"
    assert refused(s, lambda: step(s, rup.REVISED, revision(name="X"))) == "rup_withdrawn"
    assert refused(s, lambda: step(s, rup.REVISED, revision(), "NOPE")) == "unknown_rup"
    assert [h["type"] for h in rup_doc(s)["history"]] == ["published", "withdrawn"]
    replay_agrees(s)


def test_a_cited_item_cannot_be_withdrawn_nor_revised_away_from_its_package() -> None:
    s = Scenario.build(MemoryLog())
    publish(s)
    package(s)
    assert refused(s, lambda: step(s, rup.WITHDRAWN, {"reason": "x"})) == "rup_cited"
    below = revision(value=format_amount(HPS_SEN - 100))
    assert refused(s, lambda: step(s, rup.REVISED, below)) == "rup_cited"
    works = revision(category="works")
    assert refused(s, lambda: step(s, rup.REVISED, works)) == "rup_cited"


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"opd": "9.99.0.00.0.00.01.0000"}, "bad_field"),
        ({"fiscal_year": 2027}, "bad_field"),
        ({"contract_start": "2027-01"}, "bad_field"),
        ({"selection_start": "2024-12"}, "bad_field"),
        ({"selection_start": "2026-06"}, "bad_field"),
        ({"selection_start": "2026-13"}, "bad_field"),
        ({"value": "-1"}, "bad_amount"),
        ({"pdn": "ya"}, "bad_field"),
        ({"procurement_type": "hibah"}, "bad_choice"),
        ({"method": None}, "bad_choice"),
        ({"procurement_type": "swakelola"}, "bad_field"),
        ({"extra": 1}, "unknown_field"),
        ({"name": None}, "missing_field"),
        ({"method": "pengadaan_langsung"}, "method_not_allowed"),
    ],
)
def test_bad_items_are_refused(changes: dict[str, Any], code: str) -> None:
    s = Scenario.build(MemoryLog())
    assert refused(s, lambda: publish(s, **changes)) == code


def test_an_unknown_line_and_a_bad_subject_are_refused() -> None:
    s = Scenario.build(MemoryLog())
    other = LINE.replace(":DAU", ":DAK")
    assert refused(s, lambda: publish(s, budget_line=other)) == "unknown_budget_line"
    assert refused(s, lambda: publish(s, "bad code")) in {"bad_subject", "bad_field"}
    assert refused(s, lambda: publish(s, "x" * 65)) == "bad_subject"


def test_a_rule_set_requiring_rup_refuses_a_package_without_one() -> None:
    required = [replace(r, rup_required=True) for r in RULES.rule_sets]
    registry = default_kinds()
    budgeting_reducers.register(registry)
    procurement_kinds.register(registry, RuleBook(required))
    log = MemoryLog(kinds=registry)
    s = Scenario.build(log)
    assert refused(s, lambda: package(s, None)) == "rup_required"
    assert refused(s, lambda: package(s, "RUP-LABEL")) == "unknown_rup"
    publish(s)
    package(s)
    replay_agrees(s)


@settings(max_examples=40, deadline=None)
@given(
    hps=st.integers(min_value=1, max_value=90_000_000_000),
    value=st.integers(min_value=1, max_value=90_000_000_000),
)
def test_a_package_is_accepted_exactly_when_its_hps_is_within_the_rup_value(
    hps: int, value: int
) -> None:
    s = Scenario.build(MemoryLog(), vendors=0)
    try:
        publish(s, value=format_amount(value))
    except TerangError as error:  # the method's own bounds at this value
        assert error.code == "method_not_allowed"
        return
    try:
        package(s, hps_sen=hps)
    except TerangError as error:
        assert error.code in {"hps_above_rup", "method_not_allowed"}
        assert error.code != "hps_above_rup" or hps > value
        return
    assert hps <= value
    assert rup.item_at(rup_doc(s), len(s.log.entries))["value_sen"] == value
