"""R048 (heterogeneous supplier) on both engines: a package whose items span nine KBLI
divisions raises R048 on its winner at the award, served by the API like the other
vendor flags; and an operator who edits or forges an R048 row behind the service's back
is caught by ``terang verify`` (projection_mismatch, naming the row)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from conftest import Harness
from fastapi.testclient import TestClient
from log_checks import replay_matches
from log_surgery import behind_the_triggers
from procurement_support import Scenario
from sqlalchemy import text

from audit.remote import verify_log
from audit.verifier import LogFault
from ledger.keys import client_key_id
from terang.app import all_kinds, create_app

NINE_DIVISIONS = ("10792", "18111", "31001", "41015", "42101", "45101", "46511", "56210", "81210")
"""Bakery, printing, furniture, buildings, roads, cars, computers, catering, cleaning."""


def kbli_items(codes: tuple[str, ...]) -> list[dict[str, Any]]:
    return [
        {
            "id": str(number),
            "description": f"Barang golongan {code[:2]}",
            "classification": {"scheme": "KBLI", "id": code, "description": f"KBLI {code}"},
            "quantity": 5,
            "unit": "paket",
        }
        for number, code in enumerate(codes, start=1)
    ]


def award_with_items(h: Harness, codes: tuple[str, ...]) -> Scenario:
    s = Scenario.build(h, vendors=2, budget_sen=500_000_000_000)
    h.clock.advance(40 * 86400)
    a, b = s.vendors
    s.package(items=kbli_items(codes))
    s.announce(days=20)
    s.bid(a, 40_000_000_000)
    s.bid(b, 43_000_000_000)
    h.clock.advance(20 * 86400)
    s.append(s.officer, "procurement.tender.closed", {})
    s.release(s.members[0])
    s.release(s.members[1])
    s.append(s.officer, "procurement.tender.opened", {})
    s.evaluate([(a, True, "80"), (b, True, "80")])
    s.announce_winner(a)
    h.clock.advance(5 * 86400)
    h.ledger.append_direct(s.award_statements())
    return s


def flag_rows(h: Harness) -> dict[str, str]:
    with h.ledger.engine.connect() as conn:
        rows = conn.execute(
            text("SELECT key, value FROM projection_rows WHERE namespace = 'redflags.flag'")
        ).all()
    return {str(k): str(v) for k, v in rows}


def verify_fault(h: Harness) -> dict[str, Any]:
    h.ledger.publisher.publish(force=True)
    with TestClient(create_app(h.ledger)) as client, pytest.raises(LogFault) as caught:
        verify_log(client, h.log_signer.verifier_key(), all_kinds(), h.ledger.limits)
    return dict(caught.value.details)


def test_nine_divisions_in_one_award_raise_r048_on_the_winner(harness: Harness) -> None:
    h = harness
    s = award_with_items(h, NINE_DIVISIONS)
    a, b = (client_key_id(v) for v in s.vendors)
    with TestClient(create_app(h.ledger)) as client:
        body = client.get("/api/v1/redflags", params={"rule": "R048"}).json()
        (flag,) = body["items"]
        assert flag["key"] == f"vendor:{a}|R048" and flag["vendors"] == [a]
        assert flag["value"] == "9" and flag["inputs"]["variety"] == 9
        assert [c["division"] for c in flag["inputs"]["classifications"]] == [
            c[:2] for c in NINE_DIVISIONS
        ]
        assert flag["thresholds"] == {"r048_variety_min": 9, "r048_digits": 2}
        entries = client.get("/api/v1/entries", params={"subject": s.ocid}).json()["items"]
        types = {e["seq"]: e["entry"]["statement"]["type"] for e in entries}
        # The entries behind it: the package that lists the items, and the award.
        assert [types[seq] for seq in flag["seqs"]] == [
            "procurement.package.created",
            "procurement.tender.awarded",
        ]
        by_vendor = client.get("/api/v1/redflags", params={"vendor": a}).json()["items"]
        assert "R048" in {f["rule"] for f in by_vendor}
        loser = client.get("/api/v1/redflags", params={"vendor": b}).json()["items"]
        assert "R048" not in {f["rule"] for f in loser}
        csv_text = client.get("/api/v1/redflags.csv", params={"rule": "R048"}).text
        assert f"vendor:{a}|R048" in csv_text
        page = client.get("/tanda-peringatan", params={"rule": "R048"})
        assert page.status_code == 200 and "R048" in page.text
        assert "Penyedia dengan jenis barang/jasa sangat beragam" in page.text
        vendor_page = client.get(f"/penyedia/{a}")
        assert vendor_page.status_code == 200
        assert "Penyedia dengan jenis barang/jasa sangat beragam" in vendor_page.text
        tender_page = client.get(f"/tender/{s.ocid}")
        assert tender_page.status_code == 200
        assert 'id="tender-items"' in tender_page.text and "<code>56210</code>" in tender_page.text
        rules_body = client.get("/api/v1/redflags/rules").json()
        assert "R048" in {r["id"] for r in rules_body["rules"]}
        assert rules_body["thresholds"]["r048_variety_min"] == 9
    replay_matches(h)


def test_eight_divisions_miss_r048(harness: Harness) -> None:
    h = harness
    award_with_items(h, (*NINE_DIVISIONS[:8], "10799"))  # 10799 is division 10 again
    assert not [k for k in flag_rows(h) if k.endswith("|R048")]
    replay_matches(h)


def test_an_edited_or_forged_r048_row_is_caught_by_verify(harness: Harness) -> None:
    """Two attacks of a rogue operator holding the database: hiding a supplier's R048
    (the flag edited to cleared, a lower variety) and smearing another (an R048 flag
    inserted for the losing vendor). Each is a projection row the replay does not make:
    ``terang verify`` names it (``projection_mismatch`` for the edited value,
    ``projection_unknown`` for the row no replay writes). Each is put back before the
    next, and verify passes again."""
    h = harness
    s = award_with_items(h, NINE_DIVISIONS)
    a, b = (client_key_id(v) for v in s.vendors)
    key = f"vendor:{a}|R048"
    value = flag_rows(h)[key]
    update = "UPDATE projection_rows SET value = :v WHERE namespace = 'redflags.flag' AND key = :k"
    hidden = {**json.loads(value), "status": "cleared", "value": "3"}
    behind_the_triggers(h, update, v=json.dumps(hidden, sort_keys=True), k=key)
    try:
        fault = verify_fault(h)
        assert fault["fault"] == "projection_mismatch"
        assert (fault["namespace"], fault["key"]) == ("redflags.flag", key)
    finally:
        behind_the_triggers(h, update, v=value, k=key)

    smear_key = f"vendor:{b}|R048"
    smear = {**json.loads(value), "key": smear_key, "vendors": [b]}
    insert = (
        "INSERT INTO projection_rows (namespace, key, value, updated_seq) "
        "VALUES ('redflags.flag', :k, :v, 1)"
    )
    behind_the_triggers(h, insert, k=smear_key, v=json.dumps(smear, sort_keys=True))
    try:
        fault = verify_fault(h)
        assert fault["fault"] == "projection_unknown"
        assert (fault["namespace"], fault["key"]) == ("redflags.flag", smear_key)
    finally:
        behind_the_triggers(
            h,
            "DELETE FROM projection_rows WHERE namespace = 'redflags.flag' AND key = :k",
            k=smear_key,
        )
    h.ledger.publisher.publish(force=True)
    with TestClient(create_app(h.ledger)) as client:
        verify_log(client, h.log_signer.verifier_key(), all_kinds(), h.ledger.limits)


def test_a_tally_shrunk_behind_the_service_is_caught_by_verify(harness: Harness) -> None:
    """The quieter attack: leave the flags alone and shrink a supplier's R048 tally (its
    divisions), so that later awards never reach the threshold. The tally is a
    projection row like the flags: ``terang verify`` names it."""
    h = harness
    s = award_with_items(h, NINE_DIVISIONS[:3])
    a = client_key_id(s.vendors[0])
    key = f"r048|vendor:{a}"
    with h.ledger.engine.connect() as conn:
        value = conn.execute(
            text(
                "SELECT value FROM projection_rows WHERE namespace = 'redflags.tally' AND key = :k"
            ),
            {"k": key},
        ).scalar_one()
    tally = json.loads(value)
    assert sorted(tally["divisions"]) == ["10", "18", "31"]
    shrunk = {**tally, "divisions": {}}
    update = "UPDATE projection_rows SET value = :v WHERE namespace = 'redflags.tally' AND key = :k"
    behind_the_triggers(h, update, v=json.dumps(shrunk, sort_keys=True), k=key)
    try:
        fault = verify_fault(h)
        assert fault["fault"] == "projection_mismatch"
        assert (fault["namespace"], fault["key"]) == ("redflags.tally", key)
    finally:
        behind_the_triggers(h, update, v=value, k=key)
