"""The procurement read API on both engines, and OCDS output validated against the schema."""

from __future__ import annotations

from conftest import Harness
from fastapi.testclient import TestClient
from ocds_checks import check_codelists, codes, validator
from procurement_support import Scenario

from ledger.keys import client_key_id
from procurement import ocds
from terang.app import create_app


def run_tender(h: Harness) -> Scenario:
    s = Scenario.build(h, vendors=3)
    a, b, c = s.vendors
    s.package()
    s.announce()
    s.bid(a, 45_000_000_000)
    s.bid(b, 43_000_050_050)  # sen that are not whole rupiah
    s.bid(c, 41_000_000_000)
    s.append(c, "procurement.bid.withdrawn", {})
    s.close()
    s.open()
    s.evaluate([(a, True, "80"), (b, True, "80")])
    s.announce_winner(b)
    h.clock.advance(5 * 86400)
    h.ledger.append_direct(s.award_statements())
    return s


def test_read_api_and_ocds_validate(harness: Harness) -> None:
    h = harness
    s = run_tender(h)
    with TestClient(create_app(h.ledger)) as client:
        listed = client.get("/api/v1/procurement/tenders", params={"state": "awarded"}).json()
        assert [t["ocid"] for t in listed["items"]] == [s.ocid]
        assert listed["tree_size"] == h.ledger.size()
        assert listed["items"][0]["hps"] == "500000000.00"
        assert (
            client.get("/api/v1/procurement/tenders", params={"state": "active"}).json()["items"]
            == []
        )
        assert (
            client.get("/api/v1/procurement/tenders", params={"state": "nope"}).status_code == 422
        )
        detail = client.get(f"/api/v1/procurement/tenders/{s.ocid}").json()
        assert detail["tender"]["state"] == "awarded"
        assert detail["allowed_next"] == []
        seqs = [e["seq"] for e in detail["timeline"]]
        assert seqs == sorted(seqs) and len(seqs) == len(set(seqs))
        assert detail["timeline"][0]["type"] == "procurement.package.created"
        assert detail["timeline"][-1]["type"] == "procurement.tender.awarded"
        bids = client.get(f"/api/v1/procurement/tenders/{s.ocid}/bids").json()["items"]
        assert {b["validity"] for b in bids} == {"valid", "sealed"}
        missing = client.get("/api/v1/procurement/tenders/ocds-t3r4ng-none")
        assert missing.status_code == 404 and missing.json()["code"] == "unknown_tender"
        records = client.get(f"/api/v1/procurement/ocds/records/{s.ocid}")
        releases = client.get(f"/api/v1/procurement/ocds/releases/{s.ocid}")
    record_package = records.json()
    release_package = releases.json()
    assert int(records.headers["X-Terang-Tree-Size"]) == h.ledger.size()
    assert records.headers["X-Terang-Truncated"] == "false"
    assert record_package["uri"].startswith("http") and record_package["license"]
    assert release_package["publicationPolicy"].endswith("/ocds/publication-policy")
    validator("record-package-schema.json").validate(record_package)
    validator("release-package-schema.json").validate(release_package)
    record = record_package["records"][0]
    for release in [*record["releases"], record["compiledRelease"]]:
        validator("release-schema.json").validate(release)
        check_codelists(release)
    tags = [r["tag"][0] for r in release_package["releases"]]
    assert tags[0] == "planning" and "tender" in tags and tags[-1] == "awardUpdate"
    assert len({r["id"] for r in release_package["releases"]}) == len(tags)
    compiled = record["compiledRelease"]
    assert compiled["tender"]["status"] == "complete"
    assert compiled["awards"][0]["value"] == {"amount": 430000500.5, "currency": "IDR"}
    assert compiled["awards"][0]["suppliers"][0]["id"] == client_key_id(s.vendors[1])
    statuses = {d["tenderers"][0]["id"]: d["status"] for d in compiled["bids"]["details"]}
    assert statuses[client_key_id(s.vendors[2])] == "withdrawn"
    assert ocds.codelist("releaseTag") == codes("releaseTag")


def test_schema_validation_catches_a_bad_release() -> None:
    import pytest
    from jsonschema import ValidationError

    bad = {"ocid": "ocds-t3r4ng-1", "id": "1", "date": "2026-03-02T01:00:00Z", "tag": ["nope"]}
    with pytest.raises(ValidationError):
        validator("release-schema.json").validate(bad)
    with pytest.raises(ValidationError):
        validator("release-package-schema.json").validate({"releases": [bad]})
