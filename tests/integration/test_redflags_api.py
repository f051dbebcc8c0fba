"""Red flags on the demo kabupaten, on both engines: the flags a reader would expect,
the read model after live appends equal to a replay of the log, and the API (filters,
pages, CSV, problems on bad input)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from log_checks import replay_matches
from log_surgery import behind_the_triggers
from portal_support import ENGINES, DemoSite, demo_site
from sqlalchemy import text

from audit.remote import verify_log
from audit.verifier import LogFault
from procurement import lifecycle as lc
from procurement.reads import document, iter_prefixed
from redflags import rules
from redflags.reads import CSV_COLUMNS
from redflags.reducer import TALLY_NAMESPACE
from terang.app import all_kinds, create_app


@pytest.fixture(scope="module", params=ENGINES)
def site(request: pytest.FixtureRequest, tmp_path_factory: Any) -> Iterator[DemoSite]:
    yield from demo_site(request, tmp_path_factory)


@pytest.fixture(scope="module")
def client(site: DemoSite) -> Iterator[TestClient]:
    with TestClient(create_app(site.harness.ledger)) as test_client:
        yield test_client


def ocid(site: DemoSite, number: int) -> str:
    return f"ocds-t3r4ng-{site.year}-DEMO-{number:03d}"


def all_flags(client: TestClient, **params: Any) -> list[dict[str, Any]]:
    """Every page of a list, walking ``next_after`` with small pages."""
    found: list[dict[str, Any]] = []
    after = ""
    while True:
        response = client.get("/api/v1/redflags", params={**params, "after": after, "limit": 7})
        assert response.status_code == 200, response.text
        body = response.json()
        found += body["items"]
        if body["next_after"] is None:
            return found
        after = body["next_after"]


def test_live_flags_equal_the_replay_of_the_log(site: DemoSite) -> None:
    # Every projection row, red flags and their tallies included, as a replay makes them.
    replay_matches(site.harness)


def test_the_demo_raises_the_flags_a_reader_would_expect(
    site: DemoSite, client: TestClient
) -> None:
    flags = all_flags(client)
    by_tender: dict[str, set[str]] = {}
    for flag in flags:
        by_tender.setdefault(flag["ocid"] or flag["key"], set()).add(flag["rule"])
    # 011: the first winner's bid (the lowest) was struck out after an upheld objection.
    assert "R036" in by_tender[ocid(site, 11)]
    # 014: two vendors bid exactly the same price; the second is 0% above the winner.
    assert {"R028", "R024"} <= by_tender[ocid(site, 14)]
    # 027: the runner-up is 1.4% above the winner, where the demo's norm is 2-4%.
    assert "R024" in by_tender[ocid(site, 27)]
    # 036: a tender that drew a single bid (it then failed).
    assert "R018" in by_tender[ocid(site, 36)]
    # Vendors registered in January won the first tenders of the year.
    assert "RI-NEW-WINNER" in by_tender[ocid(site, 7)]
    # Cardinal's default R003 (15 days) flags the demo's 10-12 day tender windows.
    assert "R003" in by_tender[ocid(site, 1)]
    # Nothing a reader would not expect: no split, no repeat winner, no late winner.
    rules_seen = {flag["rule"] for flag in flags}
    assert rules_seen.isdisjoint({"R030", "RI-SPLIT", "RI-REPEAT-WINNER", "R058", "R048"})
    # R048: every winner's awarded items were counted (the demo's packages list KBLI
    # items), and no demo vendor supplies 9 divisions (Cardinal's worked example fence).
    with site.harness.ledger.engine.connect() as conn:
        tallies = list(iter_prefixed(conn, TALLY_NAMESPACE, "r048|vendor:"))
    assert tallies, "the demo's awards reached R048's tallies"
    varieties = [len(t["divisions"]) for t in tallies]
    assert 1 <= max(varieties) < rules.THRESHOLDS.r048_variety_min, varieties
    # Each flag names its rule version, figures, thresholds and the entries behind it,
    # and those entries are about its tender.
    with site.harness.ledger.engine.connect() as conn:
        for flag in flags:
            assert flag["rule_version"] == "3" and flag["status"] == "raised"
            assert flag["seqs"] and flag["raised_seq"] <= flag["changed_seq"]
            if flag["ocid"] is not None:
                tender = document(conn, lc.TENDER_NAMESPACE, flag["ocid"])
                assert tender is not None and flag["title"] == tender["title"]
                assert max(flag["seqs"]) <= flag["changed_seq"]


def test_filters_select_exactly_the_matching_flags(site: DemoSite, client: TestClient) -> None:
    flags = all_flags(client, status="any")
    assert {f["status"] for f in flags} <= {"raised", "cleared"}
    # R038's ratios move as tenders end: raised early in the year, cleared later, kept.
    cleared = [f for f in flags if f["status"] == "cleared"]
    assert cleared and all(f["rule"] == "R038" for f in cleared)
    assert all(f["raised_seq"] < f["cleared_seq"] == f["changed_seq"] for f in cleared)
    assert all_flags(client, status="cleared") == cleared
    for rule in ("R003", "R036"):
        assert all_flags(client, rule=rule) == [
            f for f in flags if f["rule"] == rule and f["status"] == "raised"
        ]
    first = ocid(site, 1)
    assert all_flags(client, ocid=first, status="any") == [f for f in flags if f["ocid"] == first]
    vendor = next(f["vendors"][0] for f in flags if f["vendors"])
    assert all_flags(client, vendor=vendor, status="any") == [
        f for f in flags if vendor in f["vendors"]
    ]
    opd = next(f["opd"] for f in flags if f["opd"])
    assert all_flags(client, opd=opd, status="any", year=site.year) == [
        f for f in flags if f["opd"] == opd and f["year"] == site.year
    ]


def test_csv_download_carries_every_column(client: TestClient) -> None:
    response = client.get("/api/v1/redflags.csv", params={"rule": "R036"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    assert int(response.headers["x-terang-tree-size"]) > 0
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert rows and tuple(rows[0]) == CSV_COLUMNS
    assert {r["rule"] for r in rows} == {"R036"} and all(r["seqs"] for r in rows)


@pytest.mark.parametrize(
    "query",
    [
        "rule=R999",
        "ocid=not-an-ocid",
        "vendor=ABC",
        "status=withdrawn",
        "limit=0",
        "limit=100000",
        "year=1900",
    ],
)
def test_bad_input_is_a_problem(client: TestClient, query: str) -> None:
    response = client.get(f"/api/v1/redflags?{query}")
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["code"] == "invalid_request"


def test_the_rule_catalogue(client: TestClient) -> None:
    body = client.get("/api/v1/redflags/rules").json()
    ids = {r["id"] for r in body["rules"]}
    assert {"R003", "R018", "R024", "R028", "R030", "R035", "R036", "R038", "R058"} <= ids
    assert body["thresholds"]["r024_difference_max"] == "0.0200"
    assert body["periods"][0]["minimum_days"] == {"tender": 15, "tender_cepat": 15}


def test_a_flag_a_rogue_operator_clears_is_caught_by_verify(site: DemoSite) -> None:
    """The attack a flag invites: the operator, holding the database, marks a raised flag
    cleared behind the service's back (the API then serves it as cleared). The protocol
    cannot stop that write, so ``terang verify`` must: its replay raises the flag again
    and names the forged row. Last in this module; the row is put back afterwards."""
    h = site.harness
    h.ledger.publisher.publish(force=True)
    with h.ledger.engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT key, value FROM projection_rows "
                "WHERE namespace = 'redflags.flag' ORDER BY key"
            )
        ).all()
    key, value = next((k, v) for k, v in rows if json.loads(v)["status"] == "raised")
    forged = json.dumps(
        {**json.loads(value), "status": "cleared"}, sort_keys=True, separators=(",", ":")
    )
    update = "UPDATE projection_rows SET value = :v WHERE namespace = 'redflags.flag' AND key = :k"
    behind_the_triggers(h, update, v=forged, k=key)
    try:
        with TestClient(create_app(h.ledger)) as client, pytest.raises(LogFault) as caught:
            verify_log(client, h.log_signer.verifier_key(), all_kinds(), h.ledger.limits)
        assert caught.value.details["fault"] == "projection_mismatch"
        assert (caught.value.details["namespace"], caught.value.details["key"]) == (
            "redflags.flag",
            key,
        )
    finally:
        behind_the_triggers(h, update, v=value, k=key)
