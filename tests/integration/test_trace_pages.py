"""The trace (issue 15 item 7) on both engines: a budget line of the demo followed from its
DPA through the tender to its payments, and a planning proposal followed into the line
that funds it, through the API and the portal page.

What a reader relies on: every step is a real entry of the type it claims, in order,
each with its signer, amount and a bundle that proves that one entry; the proposal comes
before the money; pages never skip or repeat a step; unknown or malformed ids are a 4xx,
never a 500; the page reads in both languages and says the SPP/SPM/SP2D stages are not
logged; an operator who edits a row the trace reads is caught by the verifier.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from conftest import ORIGIN, Harness
from fastapi.testclient import TestClient
from log_surgery import behind_the_triggers
from planning_support import JUTA, PUSKESMAS, Kabupaten, the_story
from portal_support import ENGINES, DemoSite, demo_site, parse_html
from sqlalchemy import select

from audit import trace as trace_module
from audit.bundle import verify_record_bundle
from audit.remote import verify_log
from audit.verifier import LogFault
from budgeting import statements as budget
from ledger import storage
from portal import links
from procurement import reads
from procurement.contracts import CONTRACT_NAMESPACE
from procurement.lifecycle import TENDER_NAMESPACE
from terang.app import all_kinds, create_app

PROBLEM = "application/problem+json"
UNKNOWN_LINE = "2025:9.99.0.00.0.00.01.0000:-:4.1.01.01.01.0001:PAD"
"""Well formed, never posted."""


@pytest.fixture(scope="module", params=ENGINES)
def site(request: pytest.FixtureRequest, tmp_path_factory: Any) -> Iterator[DemoSite]:
    yield from demo_site(request, tmp_path_factory)


@pytest.fixture(scope="module")
def client(site: DemoSite) -> Iterator[TestClient]:
    with TestClient(create_app(site.harness.ledger)) as test_client:
        yield test_client


def demo_tender(site: DemoSite) -> tuple[dict[str, Any], dict[str, Any]]:
    """DEMO-001: tendered, awarded, contracted and paid (its advance) in the demo."""
    ocid = f"ocds-t3r4ng-{site.year}-DEMO-001"
    with site.harness.ledger.engine.connect() as conn:
        tender = reads.document(conn, TENDER_NAMESPACE, ocid)
        contract = reads.document(conn, CONTRACT_NAMESPACE, ocid)
    assert tender is not None and contract is not None
    return tender, contract


def all_steps(client: TestClient, url: str, limit: int = 100) -> list[dict[str, Any]]:
    steps: list[dict[str, Any]] = []
    after: str | None = None
    while True:
        params: dict[str, Any] = {"limit": limit} | ({} if after is None else {"after": after})
        response = client.get(url, params=params)
        assert response.status_code == 200, response.text
        page = response.json()
        steps += page["steps"]
        after = page["next_after"]
        if after is None:
            return steps


def test_a_demo_line_shows_every_step_from_dpa_to_payment_in_order(
    site: DemoSite, client: TestClient
) -> None:
    tender, contract = demo_tender(site)
    line = tender["budget_line"]
    steps = all_steps(client, f"/api/v1/trace/line/{line}")
    seqs = [step["seq"] for step in steps]
    assert seqs == sorted(set(seqs)), "one part, in seq order, each step once"
    by_seq = {step["seq"]: step for step in steps}
    # Every step is a real entry of the type and subject it says, read back on its own.
    for step in steps:
        entry = client.get(f"/api/v1/entries/{step['seq']}").json()
        assert step["type"] == logged_type(entry), step
        assert step["subject"] == logged_subject(entry), step
        assert step["signer_name"], step  # every signer is a registered key
    # The line's own history (the budgeting API's) is all there.
    history = client.get(f"/api/v1/budget/lines/{line}").json()["history"]
    assert set(history) <= set(seqs)
    # The tender's road, the award, the contract and the paid request, with their types.
    expected = {
        tender["seqs"]["package.created"]: "procurement.package.created",
        tender["seqs"]["tender.announced"]: "procurement.tender.announced",
        tender["seqs"]["tender.closed"]: "procurement.tender.closed",
        tender["seqs"]["tender.opened"]: "procurement.tender.opened",
        tender["seqs"]["tender.winner_announced"]: "procurement.tender.winner_announced",
        tender["award"]["seq"]: "procurement.tender.awarded",
        tender["award"]["commitment_seq"]: "budgeting.commitment.posted",
        contract["signed_seq"]: "procurement.contract.signed",
    }
    paid = [request for request in contract["requests"] if request["status"] == "paid"]
    assert paid, "the demo pays DEMO-001's advance"
    for request in paid:
        expected[request["requested_seq"]] = "procurement.contract.payment_requested"
        expected[request["decided_seq"]] = "procurement.contract.paid"
    for seq, statement_type in expected.items():
        assert by_seq[seq]["type"] == statement_type, (seq, statement_type)
    # In order: DPA, komponen, RUP, package, tender, award, contract, request, payment.
    first = {}
    for step in steps:
        if step["subject"] in (line, tender["ocid"], tender["rup_code"]):
            first.setdefault(step["stage"], step["seq"])
    road = ["appropriation", "komponen", "rup", "package", "tender", "award", "contract"]
    road += ["payment_request", "payment"]
    assert [first[stage] for stage in road] == sorted(first[stage] for stage in road)
    # Amounts in sen: the award's value and each payment's, as their documents say.
    assert by_seq[tender["award"]["seq"]]["amount_sen"] == tender["award"]["value_sen"]
    payments = [step for step in steps if step["type"] == "budgeting.payment.posted"]
    assert payments and all(step["amount_sen"] > 0 for step in payments)
    assert tender["ocid"] in client.get(f"/api/v1/trace/line/{line}").json()["tenders"]


def logged_type(entry: dict[str, Any]) -> str:
    return str(entry["entry"]["statement"]["type"])


def logged_subject(entry: dict[str, Any]) -> str:
    return str(entry["entry"]["statement"]["subject"])


def test_pages_never_skip_or_repeat_a_step(site: DemoSite, client: TestClient) -> None:
    line = demo_tender(site)[0]["budget_line"]
    whole = all_steps(client, f"/api/v1/trace/line/{line}", limit=100)
    paged = all_steps(client, f"/api/v1/trace/line/{line}", limit=7)
    assert [s["seq"] for s in paged] == [s["seq"] for s in whole]
    assert len(whole) > 7  # so the small pages really paged
    first = client.get(f"/api/v1/trace/line/{line}", params={"limit": 7}).json()
    assert first["steps_total"] == len(whole) and not first["truncated"]
    assert first["next_after"] == f"0:{first['steps'][-1]['seq']}"


def test_a_line_with_many_steps_is_bounded_and_says_so(
    site: DemoSite, client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The attack: a line with more steps (or tenders) than one request should collect.
    The bounds hold and ``truncated`` says a bound was hit (never a silent cut)."""
    line = demo_tender(site)[0]["budget_line"]
    whole = client.get(f"/api/v1/trace/line/{line}", params={"limit": 100}).json()
    assert not whole["truncated"] and len(whole["tenders"]) > 1
    monkeypatch.setattr(trace_module, "TRACE_STEPS_COLLECTED_MAX", 10)
    cut = client.get(f"/api/v1/trace/line/{line}", params={"limit": 100}).json()
    assert cut["truncated"] and cut["steps_total"] == 10 and len(cut["steps"]) == 10
    monkeypatch.setattr(trace_module, "TRACE_STEPS_COLLECTED_MAX", 5000)
    monkeypatch.setattr(trace_module, "TRACE_TENDERS_MAX", 1)
    one = client.get(f"/api/v1/trace/line/{line}", params={"limit": 100}).json()
    assert one["truncated"] and len(one["tenders"]) == 1


def test_each_step_bundle_proves_that_one_entry(site: DemoSite, client: TestClient) -> None:
    tender, _ = demo_tender(site)
    steps = client.get(f"/api/v1/trace/line/{tender['budget_line']}?limit=100").json()["steps"]
    h = site.harness
    for step in (steps[0], next(s for s in steps if s["stage"] == "award"), steps[-1]):
        bundle = client.get(step["bundle_url"]).json()
        assert [item["seq"] for item in bundle["entries"]] == [step["seq"]]
        verified = verify_record_bundle(bundle, ORIGIN, h.log_signer.verifier(), h.ledger.limits)
        assert [e.seq for e in verified.entries] == [step["seq"]]  # raises on a failed check
    # A seq that is not about the subject is no bundle at all.
    wrong = client.get(links.bundle(tender["ocid"]) + f"?seq={steps[0]['seq']}")
    assert wrong.status_code == 404 and wrong.json()["code"] == "unknown_subject"


@pytest.mark.parametrize(
    ("url", "status", "code"),
    [
        (
            "/api/v1/trace/line/2025:9.99.0.00.0.00.01.0000:-:4.1.01.01.01.0001:PAD",
            404,
            "unknown_line",
        ),
        ("/api/v1/trace/line/not-a-line", 422, "bad_code"),
        ("/api/v1/trace/line/" + "9" * 20_000, 422, "invalid_request"),
        ("/api/v1/trace/proposal/NO-SUCH-PROPOSAL", 404, "unknown_proposal"),
        ("/api/v1/trace/proposal/%20bad", 422, "bad_field"),
        ("/api/v1/trace/proposal/" + "A" * 5000, 422, "invalid_request"),
    ],
)
def test_unknown_and_malformed_ids_are_problems_never_500(
    client: TestClient, url: str, status: int, code: str
) -> None:
    response = client.get(url)
    assert response.status_code == status, response.text[:300]
    assert response.headers["content-type"].startswith(PROBLEM)
    assert response.json()["code"] == code


@pytest.mark.parametrize(
    "query",
    ["limit=0", "limit=101", "after=-1:5", "after=0:99999999999999999999", "after=x", "after=01:2"],
)
def test_bad_page_parameters_are_422(site: DemoSite, client: TestClient, query: str) -> None:
    line = demo_tender(site)[0]["budget_line"]
    response = client.get(f"/api/v1/trace/line/{line}?{query}")
    assert response.status_code == 422 and response.json()["code"] == "invalid_request"


def test_the_page_renders_the_timeline_in_both_languages(
    site: DemoSite, client: TestClient
) -> None:
    tender, _ = demo_tender(site)
    line = tender["budget_line"]
    api = client.get(f"/api/v1/trace/line/{line}").json()
    client.cookies.clear()
    indonesian = client.get(links.trace_line(line))
    assert indonesian.status_code == 200
    assert indonesian.headers["content-language"] == "id"
    doc = parse_html(indonesian.text)
    assert "Jejak baris anggaran" in doc.find_all("h1")[0].text
    shown = doc.find_all("li", **{"class": "trace-step"})
    assert [int(li.attrs["data-seq"]) for li in shown] == [s["seq"] for s in api["steps"]]
    for li, step in zip(shown, api["steps"], strict=True):
        (button,) = li.find_all("button")
        assert button.attrs["data-bundle-url"] == step["bundle_url"]
        assert doc.by_id(button.attrs["data-result"]).attrs["role"] == "status"
        assert li.attrs["data-type"] == step["type"]
    assert "SPP → SPM → SP2D" in doc.by_id("trace-payment-chain").text
    assert "Rp " in indonesian.text and "WIB" in indonesian.text  # rupiah, region zone
    assert f'href="{links.tender(tender["ocid"])}"' in indonesian.text
    assert "verify.js" in indonesian.text and "<script>" not in indonesian.text
    english = client.get(links.trace_line(line), params={"lang": "en"})
    assert english.headers["content-language"] == "en"
    assert "Trace of budget line" in english.text
    assert "not recorded by this log yet" in english.text
    # The way in: the line's page links its trace; the next page continues it.
    client.cookies.clear()
    assert f'href="{links.trace_line(line)}"' in client.get(links.line(line)).text
    if api["next_after"]:
        more = client.get(links.trace_line(line), params={"after": api["next_after"]}).text
        assert f'id="step-{api["steps"][-1]["seq"]}"' not in more


def test_the_page_answers_html_errors_for_unknown_or_bad_ids(client: TestClient) -> None:
    client.cookies.clear()
    for url in (
        links.trace_line(UNKNOWN_LINE),
        "/jejak/baris/not-a-line",
        links.trace_proposal("NO-SUCH"),
        "/jejak/usulan/%20bad",
    ):
        response = client.get(url)
        assert response.status_code == 404, url
        assert response.headers["content-type"].startswith("text/html")
    bad = client.get("/jejak/baris/x?after=nope")
    assert bad.status_code in (400, 404) and bad.headers["content-type"].startswith("text/html")


# -- a proposal followed into the line that funds it (planning's kabupaten) ------------


@pytest.fixture
def funded(harness: Harness) -> tuple[Kabupaten, dict[str, int]]:
    kab = Kabupaten(harness)
    seqs = the_story(kab)
    day = date(2026, 3, 2)
    seqs["allot"] = kab.do(kab.finance, budget.allotment(PUSKESMAS, "SPD-1", [(3, 900 * JUTA)]))
    seqs["commit"] = kab.do(
        kab.finance, budget.commitment(PUSKESMAS, "KONTRAK-1", 800 * JUTA, day, "SPK-1/2026")
    )
    seqs["pay"] = kab.do(
        kab.finance,
        budget.payment(PUSKESMAS, "SP2D-1", 240 * JUTA, day, commitment="KONTRAK-1"),
    )
    harness.ledger.publisher.publish(force=True)
    return kab, seqs


def test_a_proposal_shows_its_steps_then_its_lines(
    funded: tuple[Kabupaten, dict[str, int]],
) -> None:
    kab, seqs = funded
    client = TestClient(create_app(kab.h.ledger))
    trace = client.get("/api/v1/trace/proposal/MUS-2026-0001?limit=100").json()
    assert trace["parts"] == ["MUS-2026-0001", PUSKESMAS]
    steps = trace["steps"]
    proposal_part = [s for s in steps if s["part"] == 0]
    line_part = [s for s in steps if s["part"] == 1]
    assert steps == proposal_part + line_part, "the proposal before the money"
    assert [s["seq"] for s in proposal_part] == [
        seqs[name] for name in ("cibiru", "merge2", "merge3", "kec", "kab", "rkpd", "link")
    ]
    assert [s["stage"] for s in proposal_part] == [
        "proposal", "forum_decision", "forum_decision", "forum_decision", "forum_decision",
        "rkpd", "funding_link",
    ]  # fmt: skip
    assert [s["stage"] for s in line_part] == [
        "appropriation",
        "allotment",
        "commitment",
        "payment",
    ]
    assert line_part[-1]["seq"] == seqs["pay"] and line_part[-1]["amount_sen"] == 240 * JUTA
    assert line_part[0]["seq"] < proposal_part[0]["seq"]  # the DPA was logged first
    paged = all_steps(client, "/api/v1/trace/proposal/MUS-2026-0001", limit=3)
    assert [(s["part"], s["seq"]) for s in paged] == [(s["part"], s["seq"]) for s in steps]
    for s in (proposal_part[0], line_part[-1]):
        bundle = client.get(s["bundle_url"]).json()
        verify_record_bundle(bundle, ORIGIN, kab.h.log_signer.verifier(), kab.h.ledger.limits)
    # The page: Indonesian first, the proposal's page links it, English on request.
    page = client.get(links.trace_proposal("MUS-2026-0001"))
    assert page.status_code == 200 and "Jejak usulan MUS-2026-0001" in page.text
    doc = parse_html(page.text)
    parts = doc.find_all("section", **{"class": "trace-part"})
    assert [p.attrs["data-part"] for p in parts] == ["0", "1"]
    assert (
        f'href="{links.trace_proposal("MUS-2026-0001")}"'
        in client.get(links.proposal("MUS-2026-0001")).text
    )
    assert (
        "Trace of proposal" in client.get(links.trace_proposal("MUS-2026-0001") + "?lang=en").text
    )


@pytest.mark.parametrize(
    ("namespace", "key", "field", "forged"),
    [
        # the money hidden: the proposal no longer names the line that funds it
        ("planning.proposal", "MUS-2026-0001", "funding_lines", []),
        # a step hidden: the proposal's RKPD decision and funding link dropped
        ("planning.proposal", "MUS-2026-0001", "steps", "first three"),
        # a step added: another line's entry claimed as a pergeseran of this line
        ("budgeting.line", PUSKESMAS, "shift_seqs", [0]),
    ],
)
def test_a_rogue_operator_who_edits_a_row_the_trace_reads_is_caught(
    funded: tuple[Kabupaten, dict[str, int]],
    namespace: str,
    key: str,
    field: str,
    forged: Any,
) -> None:
    """The trace takes which seqs to show from the projections (rule 1 of audit.trace):
    an operator editing those rows changes the trace the portal serves, and the
    verifier's replay must name the row. (Every other projection row the trace reads,
    tenders, RUP items and contracts, is compared the same way:
    tests/integration/test_forged_projections.py.)"""
    kab, _ = funded
    h = kab.h
    url = "/api/v1/trace/proposal/MUS-2026-0001?limit=100"
    before = TestClient(create_app(h.ledger)).get(url).json()
    p = storage.projection_rows.c
    with h.ledger.engine.connect() as conn:
        value = conn.execute(
            select(p.value).where(p.namespace == namespace, p.key == key)
        ).scalar_one()
    doc = json.loads(value)
    doc[field] = doc[field][:3] if forged == "first three" else forged
    behind_the_triggers(
        h,
        "UPDATE projection_rows SET value = :v WHERE namespace = :n AND key = :k",
        v=json.dumps(doc, sort_keys=True, separators=(",", ":")),
        n=namespace,
        k=key,
    )
    after = TestClient(create_app(h.ledger)).get(url).json()
    assert [s["seq"] for s in after["steps"]] != [s["seq"] for s in before["steps"]]
    with TestClient(create_app(h.ledger)) as client, pytest.raises(LogFault) as caught:
        verify_log(client, h.log_signer.verifier_key(), all_kinds(), h.ledger.limits)
    assert caught.value.details["fault"] == "projection_mismatch"
    assert caught.value.details["key"] == key
