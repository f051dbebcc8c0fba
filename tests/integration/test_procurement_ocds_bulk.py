"""Bulk OCDS packages for a fiscal year, and the contract in OCDS, on both engines.

The demo's tenders (every state, a contract with a paid advance) are exported through
``/api/v1/procurement/ocds/{releases,records}?year=``, page by page, and every
package, release and compiled release is validated against the OCDS 1.1 schema and
codelists.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from conftest import Harness
from fastapi.testclient import TestClient
from ocds_checks import check_codelists, codes, validator

from terang.app import create_app
from terang.demo import load_demo


def pages(client: TestClient, kind: str, year: int, limit: int) -> list[dict[str, Any]]:
    found = []
    after = ""
    while True:
        response = client.get(
            f"/api/v1/procurement/ocds/{kind}",
            params={"year": year, "after": after, "limit": limit},
        )
        assert response.status_code == 200, response.text
        page = response.json()
        found.append(page)
        following = page.get("links", {}).get("next")
        if following is None:
            assert "Link" not in response.headers
            return found
        assert response.headers["Link"] == f'<{following}>; rel="next"'
        after = following.rsplit("after=", 1)[1]


def test_bulk_packages_for_a_year(harness: Harness, tmp_path: Path) -> None:
    h = harness
    summary = load_demo(h.ledger, h.authority, tmp_path / "demo-keys")
    year = summary["budget_year"]
    ocids = sorted(summary["procurement_tenders"])
    with TestClient(create_app(h.ledger)) as client:
        record_pages = pages(client, "records", year, 2)
        release_pages = pages(client, "releases", year, 2)
        assert len(record_pages) >= 3
        for package in record_pages:
            validator("record-package-schema.json").validate(package)
        for package in release_pages:
            validator("release-package-schema.json").validate(package)
        records = [r for p in record_pages for r in p["records"]]
        assert [r["ocid"] for r in records] == ocids
        releases = [r for p in release_pages for r in p["releases"]]
        assert len(releases) == sum(len(r["releases"]) for r in records)
        for release in [*releases, *(r["compiledRelease"] for r in records)]:
            validator("release-schema.json").validate(release)
            check_codelists(release)
            for contract in release.get("contracts", []):
                assert contract.get("status", "active") in codes("contractStatus")
                for milestone in contract.get("milestones", []):
                    assert milestone.get("status", "met") in codes("milestoneStatus")
                    assert milestone.get("type", "payment") in codes("milestoneType")
        # The awarded tender's record carries its contract and the paid advance.
        awarded = next(r for r in records if r["ocid"].endswith("DEMO-001"))
        tags = [tag for release in awarded["releases"] for tag in release["tag"]]
        assert {"contract", "implementation"} <= set(tags)
        contract = awarded["compiledRelease"]["contracts"][0]
        assert contract["awardID"] == awarded["compiledRelease"]["awards"][0]["id"]
        (payment,) = contract["implementation"]["transactions"]
        assert [m["status"] for m in contract["milestones"]] == ["met", "scheduled"]
        detail = client.get(f"/api/v1/procurement/tenders/{awarded['ocid']}/contract").json()
        assert payment["value"]["amount"] * 100 == detail["contract"]["paid_sen"]
        # Another year has nothing; a missing contract is a 404 problem.
        for kind in ("records", "releases"):
            empty = client.get(f"/api/v1/procurement/ocds/{kind}", params={"year": year - 5})
            assert empty.status_code == 404
            assert empty.headers["content-type"] == "application/problem+json"
            assert empty.json()["code"] == "no_ocds_data"
        missing = client.get(f"/api/v1/procurement/tenders/{ocids[1]}/contract")
        assert missing.status_code == 404 and missing.json()["code"] == "unknown_contract"
        assert client.get("/api/v1/procurement/ocds/releases").status_code == 422
