"""Budgeting over HTTP, as a client sees it: signed postings to /api/v1/statements,
refusals as problem documents, and the /api/v1/budget read endpoints (both engines)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from conftest import Harness
from fastapi.testclient import TestClient
from nacl.signing import SigningKey

from budgeting import statements as st
from budgeting.demo import structure_postings
from budgeting.postings import post_postings
from terang.app import create_app

YEAR = 2026
JUTA = 1_000_000 * 100
DINKES = "1.02.0.00.0.00.01.0000"
PUSKESMAS = f"{YEAR}:{DINKES}:1.02.02.2.01.0003:5.2.03.01.01.0007:DAK-FISIK"
ALKES = f"{YEAR}:{DINKES}:1.02.02.2.01.0014:5.2.02.07.01.0001:DAK-FISIK"
JALAN = f"{YEAR}:1.03.0.00.0.00.01.0000:1.03.10.2.01.0022:5.2.04.01.01.0003:DAU"
REKLAME = f"{YEAR}:5.02.0.00.0.00.01.0000:-:4.1.01.09.01.0001:PAD"


DOC = Path(__file__).resolve().parents[2] / "docs" / "budgeting.md"


def documented_line_example() -> dict[str, object]:
    """The JSON block the docs present as this test's recorded line detail."""
    text = DOC.read_text("utf-8")
    start = text.index("(recorded from that test's")
    block = text[text.index("```json\n", start) + len("```json\n") :]
    result: dict[str, object] = json.loads(block[: block.index("\n```")])
    return result


@pytest.fixture
def finance(harness: Harness) -> SigningKey:
    key = harness.register("bpkad", ["finance"])
    post_postings(harness.ledger, key, structure_postings(YEAR))
    return key


@pytest.fixture
def client(harness: Harness) -> Iterator[TestClient]:
    with TestClient(create_app(harness.ledger)) as test_client:
        yield test_client


def send(
    client: TestClient, harness: Harness, key: SigningKey, posting: st.Posting
) -> dict[str, object]:
    signed = posting.sign(
        key, at=harness.clock(), origin=harness.origin, limits=harness.ledger.limits
    )
    response = client.post("/api/v1/statements", json=signed.to_json())
    result: dict[str, object] = response.json()
    result["status"] = response.status_code
    return result


def book_year(client: TestClient, harness: Harness, key: SigningKey) -> dict[str, int]:
    seqs: dict[str, int] = {}
    for posting in (
        st.appropriation(PUSKESMAS, "DPA-1", 2_000 * JUTA, description="Puskesmas Sukamaju"),
        st.appropriation(ALKES, "DPA-2", 500 * JUTA),
        st.appropriation(JALAN, "DPA-3", 3_000 * JUTA),
        st.appropriation(REKLAME, "DPA-4", 700 * JUTA),
        st.allotment(PUSKESMAS, "AK-1", [(1, 400 * JUTA), (2, 600 * JUTA), (7, 1_000 * JUTA)]),
        st.commitment(
            PUSKESMAS,
            "SPK-1",
            1_850 * JUTA,
            date(YEAR, 1, 20),
            "SPK/001/1.02/2026",
            vendor="CV Maju Jaya Konstruksi",
        ),
        st.payment(PUSKESMAS, "SP2D-1", 370 * JUTA, date(YEAR, 2, 10), commitment="SPK-1"),
        st.shift("PG-1", [(ALKES, -50 * JUTA), (PUSKESMAS, 50 * JUTA)]),
        st.payment(REKLAME, "STS-1", 55 * JUTA, date(YEAR, 2, 28)),
    ):
        receipt = send(client, harness, key, posting)
        assert receipt["status"] == 201, receipt
        seqs[posting.key] = int(receipt["seq"])  # type: ignore[call-overload]
    return seqs


def test_refusals_are_problem_documents_naming_line_amounts_and_shortfall(
    harness: Harness, client: TestClient, finance: SigningKey
) -> None:
    book_year(client, harness, finance)
    size = harness.ledger.size()
    response = send(
        client,
        harness,
        finance,
        st.payment(PUSKESMAS, "SP2D-2", 631 * JUTA, date(YEAR, 2, 11), commitment="SPK-1"),
    )
    assert response["status"] == 409 and response["code"] == "payment_exceeds_allotment"
    assert PUSKESMAS in str(response["detail"]) and "1000000000.00" in str(response["detail"])
    assert response["details"]["shortfall"] == "1000000.00"  # type: ignore[index]
    assert response["type"] == "https://terang.dev/problems/payment-exceeds-allotment"
    bad = send(
        client,
        harness,
        finance,
        st.Posting(st.APPROPRIATION, PUSKESMAS, {"posting_id": "D", "amount": "1e9"}),
    )
    assert (bad["status"], bad["code"]) == (422, "bad_amount")
    assert harness.ledger.size() == size


def test_lines_list_filters_and_pages(
    harness: Harness, client: TestClient, finance: SigningKey
) -> None:
    book_year(client, harness, finance)
    page = client.get("/api/v1/budget/lines", params={"year": YEAR}).json()
    assert [item["line_id"] for item in page["items"]] == sorted([PUSKESMAS, ALKES, JALAN, REKLAME])
    assert page["tree_size"] == harness.ledger.size() and page["next_after"] is None
    dinkes = client.get("/api/v1/budget/lines", params={"opd": DINKES}).json()["items"]
    assert {item["line_id"] for item in dinkes} == {PUSKESMAS, ALKES}
    modal = client.get("/api/v1/budget/lines", params={"account": "5.2.03"}).json()["items"]
    assert [item["line_id"] for item in modal] == [PUSKESMAS]
    belanja = client.get("/api/v1/budget/lines", params={"account": "5"}).json()["items"]
    assert len(belanja) == 3
    programme = client.get("/api/v1/budget/lines", params={"programme": "1.02.02.2.01"}).json()
    assert len(programme["items"]) == 2
    first = client.get("/api/v1/budget/lines", params={"limit": 3}).json()
    assert len(first["items"]) == 3 and first["next_after"] == first["items"][-1]["line_id"]
    rest = client.get(
        "/api/v1/budget/lines", params={"limit": 3, "after": first["next_after"]}
    ).json()
    assert len(rest["items"]) == 1 and rest["next_after"] is None
    bad = client.get("/api/v1/budget/lines", params={"account": "5.1.2"})
    assert bad.status_code == 422 and bad.json()["details"]["part"] == "jenis"
    assert client.get("/api/v1/budget/lines", params={"year": 1999}).status_code == 422


def test_line_detail_has_amounts_months_and_history(
    harness: Harness, client: TestClient, finance: SigningKey
) -> None:
    seqs = book_year(client, harness, finance)
    response = client.get(f"/api/v1/budget/lines/{PUSKESMAS}")
    assert response.status_code == 200, response.text
    detail = response.json()
    amounts = detail["line"]["amounts"]
    assert amounts == {
        "appropriated": "2000000000.00",
        "revised": "0.00",
        "shifted": "50000000.00",
        "budget": "2050000000.00",
        "committed": "1850000000.00",
        "paid_committed": "370000000.00",
        "paid_uncommitted": "0.00",
        "realised": "370000000.00",
        "available": "200000000.00",
        "allotted": "2000000000.00",
    }
    assert detail["line"]["realised_by_month"][1] == "370000000.00"
    assert detail["line"]["description"] == "Puskesmas Sukamaju"
    assert detail["history"] == sorted(
        seqs[key] for key in ("DPA-1", "AK-1", "SPK-1", "SP2D-1", "PG-1")
    )
    assert detail["tree_size"] == harness.ledger.size()
    assert detail == documented_line_example()  # docs/budgeting.md shows this very answer
    missing = client.get(f"/api/v1/budget/lines/{PUSKESMAS.replace('DAK-FISIK', 'DAU')}")
    assert (missing.status_code, missing.json()["code"]) == (404, "unknown_line")
    malformed = client.get("/api/v1/budget/lines/2026:x")
    assert (malformed.status_code, malformed.json()["code"]) == (422, "bad_code")


def test_summary_structure_and_commitment(
    harness: Harness, client: TestClient, finance: SigningKey
) -> None:
    book_year(client, harness, finance)
    summary = client.get("/api/v1/budget/summary", params={"year": YEAR}).json()
    assert summary["line_count"] == 4
    assert summary["totals"]["belanja"]["budget"] == "5500000000.00"
    assert summary["totals"]["pendapatan"]["realised"] == "55000000.00"
    assert summary["surplus_deficit"] == "-4800000000.00"
    assert summary["tree_size"] == harness.ledger.size()
    assert client.get("/api/v1/budget/summary", params={"year": 2030}).status_code == 404
    opds = client.get("/api/v1/budget/structure/opd", params={"limit": 5}).json()
    assert opds["items"][0]["code"] == "1.01.0.00.0.00.01.0000" and opds["next_after"]
    unit = client.get("/api/v1/budget/structure/opd", params={"after": DINKES, "limit": 1}).json()[
        "items"
    ][0]
    assert unit["parent"] == DINKES
    assert client.get("/api/v1/budget/structure/sector").status_code == 422
    commitment = client.get("/api/v1/budget/commitments/SPK-1").json()
    assert (commitment["amount"], commitment["paid"], commitment["remaining"]) == (
        "1850000000.00",
        "370000000.00",
        "1480000000.00",
    )
    assert commitment["vendor"] == "CV Maju Jaya Konstruksi"
    assert client.get("/api/v1/budget/commitments/SPK-404").status_code == 404


def test_openapi_describes_the_budget_endpoints(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    operations = {op["operationId"] for path in spec["paths"].values() for op in path.values()}
    assert {
        "list_budget_lines",
        "get_budget_line",
        "get_budget_summary",
        "list_budget_structure",
        "get_budget_commitment",
        "get_budget_line_komponen",
        "list_komponen_above_standard",
        "get_budget_price_list",
    } <= operations
    amounts = spec["components"]["schemas"]["AmountsPublic"]["properties"]
    assert amounts["available"]["pattern"].startswith("^-?")
    assert "decimal string" in amounts["budget"]["description"]
