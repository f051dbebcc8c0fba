"""Terang's OCDS is true in time, checked with the OCDS community's own tools (issue 13).

On the demo (every tender state, an upheld objection, failed evaluations, contracts
paid, completed and terminated), on both engines:

* ocdsmerge (the reference merge) compiles every tender's releases into exactly
  Terang's ``compiledRelease`` (only the compiled ``id`` differs by design);
* libcoveocds (the data review tool behind the OCDS Data Review Tool) finds zero
  validation errors in every bulk page and in per-tender packages, offline;
* the versioned release shows each field changing at the entry that changed it: the
  tender's status exactly at the entries of the state machine's steps, ``hasEnquiries``
  at the first question, an award cancelled at the reopening after an upheld objection
  with the next one beside it, the contract's end at the ending entry;
* bids that failed evaluation are ``disqualified`` and counted in ``disqualifiedBids``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from conftest import Harness
from fastapi.testclient import TestClient
from ocds_support import cove_errors, merger

from procurement import lifecycle as lc
from procurement import ocds
from terang.app import create_app
from terang.demo import load_demo

API = "/api/v1/procurement"
STATUS_AFTER = {
    lc.PACKAGE_CREATED: "planning",
    lc.ANNOUNCED: "active",
    lc.AWARDED_TYPE: "complete",
    lc.CANCELLED_TYPE: "cancelled",
    lc.FAILED_TYPE: "unsuccessful",
}
"""The tender steps that change ``tender.status`` (closing .. winner stay ``active``)."""


def bulk_pages(client: TestClient, kind: str, year: int, limit: int) -> list[dict[str, Any]]:
    pages = []
    url: str | None = f"{API}/ocds/{kind}?year={year}&limit={limit}"
    while url is not None:
        response = client.get(url)
        assert response.status_code == 200, response.text
        pages.append(response.json())
        url = pages[-1].get("links", {}).get("next")
    return pages


def entry_types(client: TestClient, ocid: str) -> dict[int, str]:
    items = client.get("/api/v1/entries", params={"subject": ocid, "limit": 1000}).json()["items"]
    return {item["seq"]: item["entry"]["statement"]["type"] for item in items}


def seq_of(release_id: str) -> int:
    return int(release_id.rsplit("-", 1)[1])


def versions(versioned: dict[str, Any], *path: str) -> list[tuple[int, Any]]:
    """(seq, value) of each version of a field of a versioned release."""
    node: Any = versioned
    for part in path:
        node = node[part]
    return [(seq_of(v["releaseID"]), v["value"]) for v in node]


def test_demo_ocds_is_true_in_time(harness: Harness, tmp_path: Path) -> None:
    h = harness
    summary = load_demo(h.ledger, h.authority, tmp_path / "demo-keys")
    year = summary["budget_year"]
    with TestClient(create_app(h.ledger)) as client:
        record_pages = bulk_pages(client, "records", year, 20)
        release_pages = bulk_pages(client, "releases", year, 20)
        assert len(record_pages) >= 2 and len(record_pages) == len(release_pages)
        for page in [*record_pages, *release_pages]:
            errors, unfetched = cove_errors(page)
            assert errors == []
            assert set(unfetched) <= set(ocds.EXTENSIONS)  # offline: not fetched
        records = {r["ocid"]: r for page in record_pages for r in page["records"]}
        assert sorted(records) == sorted(summary["procurement_tenders"])
        types = {ocid: entry_types(client, ocid) for ocid in records}
        for ocid in ("ocds-t3r4ng-2025-DEMO-011", "ocds-t3r4ng-2025-DEMO-035"):
            for kind in ("records", "releases"):
                errors, _ = cove_errors(client.get(f"{API}/ocds/{kind}/{ocid}").json())
                assert errors == [], (ocid, kind)

    merge = merger()
    for ocid, record in records.items():
        compiled = merge.create_compiled_release(record["releases"])
        mine = dict(record["compiledRelease"])
        del compiled["id"], mine["id"]
        assert compiled == mine, ocid
        # One release per entry, in seq order.
        assert [seq_of(r["id"]) for r in record["releases"]] == sorted(types[ocid])
        versioned = merge.create_versioned_release(record["releases"])
        expected = [(seq, STATUS_AFTER[t]) for seq, t in types[ocid].items() if t in STATUS_AFTER]
        assert versions(versioned, "tender", "status") == expected, ocid
        questions = [seq for seq, t in types[ocid].items() if t == lc.QUESTION_ASKED]
        if "hasEnquiries" in versioned["tender"]:
            enquiries = versions(versioned, "tender", "hasEnquiries")
            assert enquiries[0][1] is False
            assert [s for s, v in enquiries if v] == questions[:1], ocid
        ending = [
            s
            for s, t in types[ocid].items()
            if t in (ocds.CONTRACT_COMPLETED, ocds.CONTRACT_TERMINATED)
        ]
        for contract in versioned.get("contracts", []):
            # The BAST or the termination is told from its entry on, never before.
            told = (
                [s for s, _ in versions(contract, "description")]
                if "description" in contract
                else []
            )
            assert told == ending, ocid

    # Tender 011: the first winner's award, cancelled after the upheld objection, stays
    # beside the second one, which is awarded and contracted.
    upheld = records["ocds-t3r4ng-2025-DEMO-011"]
    t011 = types["ocds-t3r4ng-2025-DEMO-011"]
    awards = upheld["compiledRelease"]["awards"]
    assert [a["status"] for a in awards] == ["cancelled", "active"]
    assert awards[0]["suppliers"] != awards[1]["suppliers"]
    assert upheld["compiledRelease"]["contracts"][0]["awardID"] == awards[1]["id"]
    versioned = merge.create_versioned_release(upheld["releases"])
    first, second = versioned["awards"]
    announced = [s for s, t in t011.items() if t == lc.WINNER_ANNOUNCED_TYPE]
    reopened = [s for s, t in t011.items() if t in (lc.EVALUATION_REOPENED, lc.RELEASE_REOPENED)]
    awarded = [s for s, t in t011.items() if t == lc.AWARDED_TYPE]
    assert versions(first, "status") == [(announced[0], "pending"), (reopened[0], "cancelled")]
    assert versions(second, "status") == [(announced[1], "pending"), (awarded[0], "active")]

    # Tender 035: every bid failed evaluation; the tender failed.
    failed = records["ocds-t3r4ng-2025-DEMO-035"]["compiledRelease"]
    assert failed["tender"]["status"] == "unsuccessful"
    assert [d["status"] for d in failed["bids"]["details"]] == ["disqualified"] * 3
    statistics = {s["measure"]: s["value"] for s in failed["bids"]["statistics"]}
    assert statistics == {"bids": 3, "validBids": 0, "disqualifiedBids": 3}
    assert "awards" not in failed
