"""Contract completion (BAST after the last payment) and termination on both engines.

Either end releases what the contract's commitments still hold unpaid back to the
budget line in the same batch; after it nothing more is requested, paid or amended
(refused by the contract's state machine, naming what is allowed next); refusals log
nothing; OCDS shows the contract ``terminated`` with a ``contractTermination`` release;
replay reproduces every projection.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

import pytest
from conftest import Harness
from fastapi.testclient import TestClient
from log_checks import refused, replay_matches, row_counts
from ocds_checks import check_codelists, validator
from procurement_support import LINE, Scenario
from test_procurement_contracts import MILESTONES, awarded, contract, contract_statement, pay

from budgeting import reducers as budget
from budgeting import statements as st
from ledger.errors import TerangError
from ledger.statement import SignedStatement
from procurement import client
from procurement import contracts as ct
from procurement import lifecycle as lc
from terang.app import create_app

BUDGET_SEN = 100_000_000_000  # the line: Rp 1 miliar
BAST = {"name": "BAST-027/DINKES/2026.pdf", "sha256": hashlib.sha256(b"bast").hexdigest()}


def commitments(s: Scenario) -> dict[str, dict[str, Any]]:
    return {c: s.read(budget.NS_COMMITMENT, c) for c in contract(s)["commitments"]}


def not_allowed(h: Harness, action: Callable[[], object], status: str, allowed: list[str]) -> None:
    """Refused by the contract's state machine, naming its status and what may come next."""
    before = row_counts(h)
    with pytest.raises(TerangError) as caught:
        action()
    assert caught.value.code == "transition_not_allowed", caught.value.message
    details = caught.value.details
    assert (details["state"], details["allowed"]) == (status, allowed)
    assert row_counts(h) == before


def request(s: Scenario, number: int, milestone: int, amount_sen: int) -> SignedStatement:
    _a, b = s.vendors
    return client.payment_request(
        b, s.ocid, number, milestone, amount_sen, at=s.log.clock(), origin=s.log.origin
    )


def first_milestone_paid(h: Harness) -> Scenario:
    """An awarded tender whose contract (with vendor b) has its first milestone,
    Rp 130 juta, requested and paid (SP2D-1)."""
    s = awarded(h)
    _a, b = s.vendors
    h.ledger.append_direct([contract_statement(s, b)])
    h.ledger.append_direct([request(s, 1, 1, 13_000_000_000)])
    pay(s, 1, "SP2D-1")
    return s


def ocds_record(h: Harness, ocid: str) -> dict[str, Any]:
    with TestClient(create_app(h.ledger)) as http:
        package = http.get(f"/api/v1/procurement/ocds/records/{ocid}").json()
        listed = http.get("/api/v1/procurement/tenders", params={"state": "awarded"}).json()
        assert [t["contract_status"] for t in listed["items"]] == [contract_status(h, ocid)]
        detail = http.get(f"/api/v1/procurement/tenders/{ocid}/contract").json()
        assert detail["allowed_next"] == []
    validator("record-package-schema.json").validate(package)
    (record,) = package["records"]
    for release in [*record["releases"], record["compiledRelease"]]:
        validator("release-schema.json").validate(release)
        check_codelists(release)
    return dict(record)


def contract_status(h: Harness, ocid: str) -> str:
    from procurement.reads import document

    with h.ledger.engine.connect() as conn:
        tender = document(conn, lc.TENDER_NAMESPACE, ocid)
    assert tender is not None
    return str(tender["contract"]["status"])


def test_completion_after_the_last_payment_releases_what_a_decrease_left(
    harness: Harness,
) -> None:
    h = harness
    s = first_milestone_paid(h)
    _a, b = s.vendors
    active_next = [ct.AMENDED, ct.PAYMENT_REJECTED, ct.PAID, ct.PAYMENT_REQUESTED]
    active_next = sorted([*active_next, ct.TERMINATED_TYPE])
    not_allowed(
        h,
        lambda: h.ledger.append_direct(
            client.completion_batch(
                s.officer,
                s.finance,
                contract(s),
                commitments(s),
                "BAST-1",
                "2026-06-30",
                posting_id="LEPAS-1",
                at=h.clock(),
                origin=h.origin,
            )
        ),
        "active",
        active_next,
    )
    # The work cost less: Rp 400 juta, not 430. The commitment keeps its 430 juta.
    less = [MILESTONES[0], client.milestone("Serah terima", 27_000_000_000, "2026-06-30")]
    body = client.amendment_body(1, 40_000_000_000, less, "volume berkurang")
    signature = client.countersign(b, ct.AMENDED, s.ocid, body)
    h.ledger.append_direct(
        client.amendment_batch(
            s.officer, s.finance, contract(s), body, signature, at=h.clock(), origin=h.origin
        )
    )
    h.ledger.append_direct([request(s, 2, 2, 27_000_000_000)])
    pay(s, 2, "SP2D-2")
    assert contract(s)["status"] == "paid" and contract_status(h, s.ocid) == "paid"
    not_allowed(
        h, lambda: h.ledger.append_direct([request(s, 3, 2, 1)]), "paid", [ct.COMPLETED_TYPE]
    )

    completed = h.sign(
        s.officer,
        ct.COMPLETED_TYPE,
        s.ocid,
        {"handover_reference": "BAST-027/DINKES/2026", "handover_date": "2026-06-30"},
    )
    refused(h, lambda: h.ledger.append_direct([completed]), "commitment_not_released")
    partial = st.release(LINE, "LEPAS-1", "KONTRAK-1", 1_000_000_000, "sebagian")
    with_partial = h.sign(
        s.officer,
        ct.COMPLETED_TYPE,
        s.ocid,
        {
            "handover_reference": "BAST-027/DINKES/2026",
            "handover_date": "2026-06-30",
            "releases": ["LEPAS-1"],
        },
    )
    refused(
        h,
        lambda: h.ledger.append_direct(
            [partial.sign(s.finance, at=h.clock(), origin=h.origin), with_partial]
        ),
        "commitment_not_released",
    )
    too_much = st.release(LINE, "LEPAS-1", "KONTRAK-1", 3_000_000_100, "terlalu banyak")
    refused(
        h,
        lambda: h.ledger.append_direct(
            [too_much.sign(s.finance, at=h.clock(), origin=h.origin), with_partial]
        ),
        "release_exceeds_commitment",
    )
    early = client.completion_batch(
        s.officer,
        s.finance,
        contract(s),
        commitments(s),
        "BAST-027",
        "2026-03-01",
        posting_id="LEPAS-1",
        at=h.clock(),
        origin=h.origin,
    )
    refused(h, lambda: h.ledger.append_direct(early), "bad_schedule")

    line_before = s.read(budget.NS_LINE, LINE)
    h.ledger.append_direct(
        client.completion_batch(
            s.officer,
            s.finance,
            contract(s),
            commitments(s),
            "BAST-027/DINKES/2026",
            "2026-06-30",
            posting_id="LEPAS-1",
            at=h.clock(),
            origin=h.origin,
            document=BAST,
        )
    )
    doc = contract(s)
    assert doc["status"] == "completed" and contract_status(h, s.ocid) == "completed"
    assert doc["released_sen"] == 3_000_000_000
    assert doc["ended"]["releases"] == ["LEPAS-1"]
    assert doc["ended"]["handover_reference"] == "BAST-027/DINKES/2026"
    line = s.read(budget.NS_LINE, LINE)
    assert line["committed_sen"] == line["paid_committed_sen"] == 40_000_000_000
    assert line["available_sen"] == line_before["available_sen"] + 3_000_000_000
    kontrak = s.read(budget.NS_COMMITMENT, "KONTRAK-1")
    assert (kontrak["amount_sen"], kontrak["released_sen"]) == (40_000_000_000, 3_000_000_000)
    # The BAST's bytes may now be stored like a tender document.
    assert s.read(lc.DOCUMENT_NAMESPACE, BAST["sha256"])["ocid"] == s.ocid

    # Nothing follows a completed contract.
    for late in (
        lambda: h.ledger.append_direct([request(s, 3, 2, 1)]),
        lambda: h.ledger.append_direct(
            client.termination_batch(
                s.officer,
                s.finance,
                contract(s),
                commitments(s),
                "x",
                "2026-07-01",
                posting_id="LEPAS-2",
                at=h.clock(),
                origin=h.origin,
            )
        ),
        lambda: h.ledger.append_direct([completed]),
    ):
        not_allowed(h, late, "completed", [])

    record = ocds_record(h, s.ocid)
    assert record["releases"][-1]["tag"] == ["contractTermination"]
    (section,) = record["compiledRelease"]["contracts"]
    assert section["status"] == "terminated"
    assert section["description"] == "Completed: handover (BAST) BAST-027/DINKES/2026 on 2026-06-30"
    assert section["documents"][0]["documentType"] == "completionCertificate"
    assert [m["status"] for m in section["milestones"]] == ["met", "met"]
    # The contract completion extension tells it apart from a termination: the day it
    # ended, how, and what it paid in all (here: everything).
    done = section["implementation"]
    assert done["endDate"] == "2026-06-30T00:00:00Z"
    assert done["endDateDetails"].startswith("Completed: handover (BAST)")
    assert done["finalValue"] == section["value"]
    replay_matches(h)


def test_termination_releases_the_unpaid_rest_and_stops_every_payment(harness: Harness) -> None:
    h = harness
    s = first_milestone_paid(h)
    h.ledger.append_direct([request(s, 2, 2, 10_000_000_000)])
    reason = "Wanprestasi: progres fisik 20% pada minggu ke-10, teguran ketiga tidak diindahkan"

    def terminate(posting_id: str = "LEPAS-1") -> list[SignedStatement]:
        return client.termination_batch(
            s.officer,
            s.finance,
            contract(s),
            commitments(s),
            reason,
            "2026-05-15",
            posting_id=posting_id,
            at=h.clock(),
            origin=h.origin,
        )

    refused(h, lambda: h.ledger.append_direct(terminate()), "payment_request_pending")
    rejection = {"request": 2, "reason": "Progres tidak sesuai"}
    h.ledger.append_direct([h.sign(s.officer, ct.PAYMENT_REJECTED, s.ocid, rejection)])
    bare = h.sign(s.officer, ct.TERMINATED_TYPE, s.ocid, {"reason": reason, "date": "2026-05-15"})
    refused(h, lambda: h.ledger.append_direct([bare]), "commitment_not_released")
    # A release logged earlier, with another entry since, is not "just before" it.
    alone = st.release(LINE, "LEPAS-0", "KONTRAK-1", 1_000_000_000, "koreksi")
    h.ledger.append_direct([alone.sign(s.finance, at=h.clock(), origin=h.origin)])
    h.register("inspektorat", ["auditor"])
    naming_it = h.sign(
        s.officer,
        ct.TERMINATED_TYPE,
        s.ocid,
        {"reason": reason, "date": "2026-05-15", "releases": ["LEPAS-0"]},
    )
    refused(h, lambda: h.ledger.append_direct([naming_it]), "release_without_posting")
    refused(h, lambda: h.ledger.append_direct([bare]), "commitment_not_released")

    h.ledger.append_direct(terminate())
    doc = contract(s)
    assert doc["status"] == "terminated" and contract_status(h, s.ocid) == "terminated"
    assert doc["ended"]["reason"] == reason and doc["released_sen"] == 29_000_000_000
    line = s.read(budget.NS_LINE, LINE)
    assert line["committed_sen"] == line["realised_sen"] == 13_000_000_000
    assert line["available_sen"] == BUDGET_SEN - 13_000_000_000
    kontrak = s.read(budget.NS_COMMITMENT, "KONTRAK-1")
    assert kontrak["amount_sen"] == kontrak["paid_sen"] == 13_000_000_000

    # No payment after termination, by either path; nothing else either.
    not_allowed(h, lambda: h.ledger.append_direct([request(s, 3, 2, 1)]), "terminated", [])
    again = st.payment(LINE, "SP2D-9", 1_000_000, h.clock().date(), commitment="KONTRAK-1")
    paid_again = h.sign(s.officer, ct.PAID, s.ocid, {"request": 1, "payments": ["SP2D-9"]})
    refused(
        h,
        lambda: h.ledger.append_direct(
            [again.sign(s.finance, at=h.clock(), origin=h.origin), paid_again]
        ),
        "payment_exceeds_commitment",  # budgeting refuses first: nothing is left committed
    )
    not_allowed(
        h,
        lambda: h.ledger.append_direct(
            [h.sign(s.officer, ct.PAID, s.ocid, {"request": 1, "payments": ["SP2D-1"]})]
        ),
        "terminated",
        [],
    )
    not_allowed(h, lambda: h.ledger.append_direct(terminate("LEPAS-2")), "terminated", [])

    record = ocds_record(h, s.ocid)
    assert record["releases"][-1]["tag"] == ["contractTermination"]
    (section,) = record["compiledRelease"]["contracts"]
    assert section["status"] == "terminated"
    assert section["description"] == f"Terminated on 2026-05-15: {reason}"
    assert [m["status"] for m in section["milestones"]] == ["met", "notMet"]
    ended = section["implementation"]
    assert ended["endDate"] == "2026-05-15T00:00:00Z"
    assert ended["endDateDetails"] == section["description"]
    assert ended["finalValue"] == {"amount": 130_000_000, "currency": "IDR"}  # milestone 1 only
    replay_matches(h)
