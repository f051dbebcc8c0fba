"""The procurement plan (RUP) on both engines (issue 16 item 1): a published item is
cited by its package, its OCDS ``planning`` is the item as the package cited it (true in
time: a later revision does not reach back) and libcoveocds finds no error; a package
above its item's value is refused and changes nothing; replay equals the live state; and
a rogue operator who writes that package into the database behind the service's back is
caught by ``terang verify``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from conftest import Harness
from fastapi.testclient import TestClient
from log_checks import refused, replay_matches
from log_surgery import append_behind_the_back, stored_entries
from ocds_support import cove_errors, merger
from procurement_support import HPS_SEN, LINE, Scenario

from audit.remote import VerifyReport, verify_log
from audit.verifier import LogFault
from budgeting.money import format_amount
from ledger.statement import LoggedEntry, SignedStatement, format_time
from procurement import rup
from terang.app import all_kinds, create_app
from terang.demo import load_demo

API = "/api/v1/procurement"
CODE = "41234567"
VALUE_SEN = 60_000_000_000


def verify(h: Harness) -> VerifyReport:
    with TestClient(create_app(h.ledger)) as http:
        return verify_log(http, h.log_signer.verifier_key(), all_kinds(), h.ledger.limits)


def item(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "opd": LINE.split(":")[1],
        "budget_line": LINE,
        "fiscal_year": 2026,
        "name": "Pengadaan alat kesehatan puskesmas",
        "value": format_amount(VALUE_SEN),
        "procurement_type": "penyedia",
        "category": "goods",
        "method": "tender",
        "pdn": True,
        "umk": True,
        "selection_start": "2026-03",
        "contract_start": "2026-05",
        **changes,
    }
    return body


def package_statement(s: Scenario, hps_sen: int) -> SignedStatement:
    body = {
        "title": "Pengadaan alat kesehatan puskesmas",
        "budget_line": LINE,
        "category": "goods",
        "hps": format_amount(hps_sen),
        "method": "tender",
        "rup_code": CODE,
    }
    return s.sign(s.officer, "procurement.package.created", body)


def published(h: Harness) -> Scenario:
    s = Scenario.build(h, vendors=1)
    h.ledger.append_direct([h.sign(s.officer, rup.PUBLISHED, CODE, item())])
    return s


def test_the_package_cites_its_rup_item_and_the_ocds_planning_is_true_in_time(
    harness: Harness,
) -> None:
    h = harness
    s = published(h)
    refused(
        h, lambda: h.ledger.append_direct([package_statement(s, VALUE_SEN + 1)]), "hps_above_rup"
    )
    h.ledger.append_direct([package_statement(s, HPS_SEN)])
    revised = {k: v for k, v in item(value=format_amount(55_000_000_000)).items()}
    for field in ("opd", "budget_line", "fiscal_year"):
        revised.pop(field)
    revised["reason"] = "Efisiensi anggaran"
    h.ledger.append_direct([h.sign(s.officer, rup.REVISED, CODE, revised)])
    s.announce()
    replay_matches(h)
    with TestClient(create_app(h.ledger)) as client:
        response = client.get(f"{API}/ocds/records/{s.ocid}")
        assert response.status_code == 200, response.text
        package = response.json()
        errors, _ = cove_errors(package)
        assert errors == []
        record = package["records"][0]
        first = record["releases"][0]
        planning = first["planning"]
        # As cited: the value of revision 0 (Rp 600 juta), not the later Rp 550 juta.
        assert planning["budget"]["amount"] == {"amount": 600_000_000, "currency": "IDR"}
        assert "RUP 41234567" in planning["rationale"] and "PDN" in planning["rationale"]
        assert [m["dueDate"] for m in planning["milestones"]] == [
            "2026-03-01T00:00:00Z",
            "2026-05-01T00:00:00Z",
        ]
        assert {m["type"] for m in planning["milestones"]} == {"preProcurement", "approval"}
        compiled = merger().create_compiled_release(record["releases"])
        assert compiled["planning"] == record["compiledRelease"]["planning"]
        assert record["compiledRelease"]["planning"]["budget"]["amount"]["amount"] == 600_000_000
    verify(h)


def test_a_package_above_its_rup_value_written_behind_the_back_is_caught(
    harness: Harness,
) -> None:
    h = harness
    s = published(h)
    over = package_statement(s, VALUE_SEN + 100)
    refused(h, lambda: h.ledger.append_direct([over]), "hps_above_rup")
    verify(h)  # honest so far
    last = stored_entries(h)[-1]
    entry = LoggedEntry(last.seq + 1, format_time(h.clock()), last.leaf_hash(), over, last.version)
    append_behind_the_back(h, entry)
    with pytest.raises(LogFault) as caught:
        verify(h)
    assert caught.value.details["fault"] == "hps_above_rup"
    assert caught.value.details["seq"] == entry.seq


def test_the_read_api_lists_an_opds_plan_and_shows_an_item_with_its_history(
    harness: Harness,
) -> None:
    h = harness
    s = published(h)
    opd = LINE.split(":")[1]
    second = item(name="Jasa kebersihan puskesmas", category="other_services", umk=False)
    h.ledger.append_direct([h.sign(s.officer, rup.PUBLISHED, "41234568", second)])
    h.ledger.append_direct([package_statement(s, HPS_SEN)])
    withdrawn = {"reason": "Digabung dengan paket lain"}
    h.ledger.append_direct([h.sign(s.officer, rup.WITHDRAWN, "41234568", withdrawn)])
    with TestClient(create_app(h.ledger)) as client:
        page = client.get(f"{API}/rup", params={"opd": opd, "year": 2026, "limit": 1}).json()
        assert [i["code"] for i in page["items"]] == [CODE]
        assert page["items"][0]["value"] == "600000000.00"
        assert "history" not in page["items"][0]
        rest = client.get(f"{API}/rup", params={"opd": opd, "after": page["next_after"]}).json()
        assert [(i["code"], i["state"]) for i in rest["items"]] == [("41234568", "withdrawn")]
        assert rest["next_after"] is None
        assert client.get(f"{API}/rup", params={"year": 2027}).json()["items"] == []
        assert client.get(f"{API}/rup", params={"limit": 0}).status_code == 422
        shown = client.get(f"{API}/rup/{CODE}").json()
        assert [p["ocid"] for p in shown["packages"]] == [s.ocid]
        assert [e["type"] for e in shown["entries"]] == [rup.PUBLISHED]
        assert shown["rup"]["history"][0]["item"]["value"] == "600000000.00"
        gone = client.get(f"{API}/rup/41234568").json()
        assert [e["type"] for e in gone["entries"]] == [rup.PUBLISHED, rup.WITHDRAWN]
        assert gone["rup"]["withdrawn"]["reason"] == withdrawn["reason"]
        missing = client.get(f"{API}/rup/NOPE")
        assert missing.status_code == 404 and missing.json()["code"] == "unknown_rup"
        assert client.get(f"{API}/rup/bad%20code").status_code == 422


def test_every_demo_package_cites_a_published_rup_item(harness: Harness, tmp_path: Path) -> None:
    h = harness
    summary = load_demo(h.ledger, h.authority, tmp_path / "demo-keys")
    with TestClient(create_app(h.ledger)) as client:
        planned = client.get(f"{API}/rup", params={"year": summary["budget_year"]}).json()
        codes = {i["code"]: i for i in planned["items"]}
        assert planned["next_after"] is None
        for ocid in summary["procurement_tenders"]:
            tender = client.get(f"{API}/tenders/{ocid}").json()["tender"]
            item = codes[tender["rup_code"]]
            assert tender["rup"]["code"] == item["code"] and ocid in item["packages"]
            assert tender["hps_sen"] <= tender["rup"]["value_sen"]
        assert len(codes) == len(summary["procurement_tenders"])
    replay_matches(h)
