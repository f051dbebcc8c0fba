"""No silent truncation in procurement reads, on both engines, with small page sizes.

A tender's bids are read in keyset pages (``GET /tenders/{ocid}/bids``: ``after`` +
``limit``, ``next_after``); the client follows the pages (``procurement.client.iter_bids``),
so ``terang committee release`` and the public opening see every bid however many there
are; the portal's tender page pages its bids with a visible link; an OCDS record cut at
its bound says so; the vendor list and the closer go past the scan bound. Each bound is
made small here (monkeypatched) so a handful of bids stands for more than a page.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import Harness
from fastapi.testclient import TestClient
from portal_support import parse_html
from procurement_support import Scenario, register_vendor
from typer.testing import CliRunner

from ledger.client import LedgerClient
from ledger.errors import InvariantBroken
from ledger.keys import CLIENT_KEY_PREFIX, client_key_id, write_secret_file
from ledger.statement import b64encode
from portal import pages_tenders
from procurement import client as pc
from procurement import lifecycle as lc
from procurement import reads
from procurement import router as procurement_router
from procurement.closer import Closer
from procurement.limits import BIDS_PAGE_ITEMS_MAX
from terang import cli_procurement
from terang.app import create_app
from terang.cli import app

API = "/api/v1/procurement"
BIDDERS = 5
PRICES_SEN = [45_000_000_000 - i * 1_000_000_000 for i in range(BIDDERS)]


def closed_tender(h: Harness, vendors: int = BIDDERS) -> Scenario:
    s = Scenario.build(h, vendors=vendors)
    s.package()
    s.announce()
    for vendor, price in zip(s.vendors, PRICES_SEN, strict=False):
        s.bid(vendor, price)
    s.close()
    return s


def bidder_ids(s: Scenario) -> list[str]:
    return sorted(client_key_id(v) for v in s.vendors)


@pytest.fixture
def http(harness: Harness) -> Iterator[TestClient]:
    with TestClient(create_app(harness.ledger)) as client:
        yield client


def pages(http: TestClient, ocid: str, limit: int) -> list[dict[str, Any]]:
    found = []
    after = ""
    while True:
        response = http.get(f"{API}/tenders/{ocid}/bids", params={"after": after, "limit": limit})
        assert response.status_code == 200, response.text
        found.append(response.json())
        if found[-1]["next_after"] is None:
            return found
        after = found[-1]["next_after"]


def test_bids_come_back_across_pages_in_bidder_order(harness: Harness, http: TestClient) -> None:
    s = closed_tender(harness)
    everyone = bidder_ids(s)
    paged = pages(http, s.ocid, 2)
    assert [len(p["items"]) for p in paged] == [2, 2, 1]
    assert [b["bidder"] for p in paged for b in p["items"]] == everyone
    assert [p["next_after"] for p in paged] == [everyone[1], everyone[3], None]
    assert all(p["tree_size"] == harness.ledger.size() for p in paged)
    # A list that ends on a full page ends there: no empty page after it.
    exact = pages(http, s.ocid, BIDDERS)
    assert len(exact) == 1 and [b["bidder"] for b in exact[0]["items"]] == everyone
    default = http.get(f"{API}/tenders/{s.ocid}/bids").json()
    assert [b["bidder"] for b in default["items"]] == everyone and default["next_after"] is None
    for after in (everyone[-1], "f" * 64):
        tail = http.get(f"{API}/tenders/{s.ocid}/bids", params={"after": after}).json()
        assert tail["items"] == [] and tail["next_after"] is None
    # The reads underneath: a fixed-bound read refuses rather than cuts.
    with harness.ledger.engine.connect() as conn:
        walked = list(reads.iter_prefixed(conn, lc.BID_NAMESPACE, s.ocid + "|", chunk=2))
        assert [b["bidder"] for b in walked] == everyone
        with pytest.raises(InvariantBroken):
            reads.prefixed(conn, lc.BID_NAMESPACE, s.ocid + "|", limit=BIDDERS - 1)
        assert len(reads.prefixed(conn, lc.BID_NAMESPACE, s.ocid + "|", limit=BIDDERS)) == BIDDERS


@pytest.mark.parametrize(
    "params",
    [
        {"after": "zz"},
        {"after": "A" * 64},
        {"after": "0" * 63},
        {"after": "0" * 65},
        {"limit": 0},
        {"limit": BIDS_PAGE_ITEMS_MAX + 1},
        {"limit": "ten"},
    ],
)
def test_bad_cursor_or_limit_is_a_problem(
    harness: Harness, http: TestClient, params: dict[str, Any]
) -> None:
    s = closed_tender(harness, vendors=1)
    response = http.get(f"{API}/tenders/{s.ocid}/bids", params=params)
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["code"] == "invalid_request"


def test_unknown_tender_bids_is_a_problem(harness: Harness, http: TestClient) -> None:
    response = http.get(f"{API}/tenders/ocds-t3r4ng-none/bids")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["code"] == "unknown_tender"


class InProcessClient(LedgerClient):
    def __init__(self, http: TestClient) -> None:
        self.http = http
        self._sleep = lambda _seconds: None  # push back is not waited for in process

    def close(self) -> None:  # the test owns the TestClient
        pass


def test_release_and_opening_see_every_bid_past_one_page(
    harness: Harness, http: TestClient, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    h = harness
    s = closed_tender(h)
    monkeypatch.setattr(pc, "BIDS_PAGE_ITEMS", 2)  # 5 bids: three pages
    monkeypatch.setattr(cli_procurement, "connect", lambda _url: InProcessClient(http))
    monkeypatch.setattr(cli_procurement, "utc_now", h.clock)
    requested: list[str] = []
    send = http.request  # every LedgerClient call goes through request (and its resends)

    def counting_request(method: str, url: Any, **kwargs: Any) -> Any:
        if method == "GET" and str(url).endswith("/bids"):
            requested.append(str(kwargs.get("params", {}).get("after", "")))
        return send(method, url, **kwargs)

    monkeypatch.setattr(http, "request", counting_request)
    runner = CliRunner()

    def cli(*args: str) -> Any:
        result = runner.invoke(app, list(args), catch_exceptions=False)
        assert result.exit_code == 0, result.output
        return json.loads(result.output)

    key_files = []
    for i, member in enumerate(s.members[: s.threshold]):
        key_file, box_file = tmp_path / f"member{i}.key", tmp_path / f"member{i}.box"
        write_secret_file(key_file, CLIENT_KEY_PREFIX + b64encode(bytes(member.key)))
        cli_procurement.write_box_key(box_file, member.box_key)
        key_files.append(key_file)
        h.clock.advance(60)
        out = cli(
            "committee", "release", "--ocid", s.ocid, "--key", str(key_file),
            "--box-key", str(box_file),
        )  # fmt: skip
        assert out["released"] == BIDDERS and out["unopenable_for_me"] == []
    assert len(requested) == s.threshold * 3  # every page, by each member
    cli("committee", "open", "--ocid", s.ocid, "--key", str(key_files[0]))
    assert s.tender()["state"] == lc.OPENED
    opening = cli("vendor", "opening", "--ocid", s.ocid)
    prices = {client_key_id(v): p for v, p in zip(s.vendors, PRICES_SEN, strict=True)}
    assert {b["bidder"]: b["reopened_price_sen"] for b in opening["bids"]} == prices
    assert {b["bidder"]: b["price_sen"] for b in opening["bids"]} == prices
    # The iterator itself, against the service's pages.
    walked = list(pc.iter_bids(InProcessClient(http), s.ocid, page_items=1))
    assert [b["bidder"] for b in walked] == bidder_ids(s)


def test_portal_tender_page_pages_its_bids_visibly(
    harness: Harness, http: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    s = closed_tender(harness)
    s.open()
    url = f"/tender/{s.ocid}?lang=en"
    whole = parse_html(http.get(url).text)
    assert len(whole.by_id("tender-bids").find_all("tr")) == BIDDERS + 1  # + the header
    assert not whole.find_all(id="tender-bids-paged")
    monkeypatch.setattr(pages_tenders, "BIDS_PAGE_ITEMS", 2)
    shown: list[str] = []
    visited = 0
    while True:
        response = http.get(url)
        assert response.status_code == 200
        document = parse_html(response.text)
        rows = [r for r in document.by_id("tender-bids").find_all("tr") if "data-bidder" in r.attrs]
        assert 1 <= len(rows) <= 2
        shown += [r.attrs["data-bidder"] for r in rows]
        assert f"{len(rows)} on this page" in document.by_id("tender-bids-paged").text
        nav = document.by_id("tender-bids-pages")
        assert bool(nav.find_all("a", rel="first")) == (visited > 0)
        visited += 1
        following = nav.find_all("a", rel="next")
        if not following:
            break
        url = following[0].attrs["href"].split("#")[0]
    assert visited == 3 and sorted(shown) == bidder_ids(s) and len(shown) == BIDDERS
    bad = http.get(f"/tender/{s.ocid}", params={"bids_after": "nope"})
    assert bad.status_code == 400


def test_ocds_record_says_when_it_is_cut(
    harness: Harness, http: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    s = closed_tender(harness)
    s.open()
    cut_header = "X-Terang-Truncated"
    for path in (f"{API}/ocds/records/{s.ocid}", f"{API}/ocds/releases/{s.ocid}"):
        assert http.get(path).headers[cut_header] == "false"
    year = {"year": 2026}
    assert "X-Terang-Truncated-Ocids" not in http.get(f"{API}/ocds/records", params=year).headers
    entries = len(http.get("/api/v1/entries", params={"subject": s.ocid}).json()["items"])
    monkeypatch.setattr(procurement_router, "RECORD_ENTRIES_MAX", entries - 1)
    cut = http.get(f"{API}/ocds/releases/{s.ocid}")
    assert cut.headers[cut_header] == "true" and len(cut.json()["releases"]) == entries - 1
    bulk = http.get(f"{API}/ocds/releases", params=year)
    assert bulk.headers["X-Terang-Truncated-Ocids"] == s.ocid
    monkeypatch.setattr(procurement_router, "RECORD_ENTRIES_MAX", entries)
    assert http.get(f"{API}/ocds/releases/{s.ocid}").headers[cut_header] == "false"


def test_tender_timeline_says_where_it_continues(
    harness: Harness, http: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    s = closed_tender(harness, vendors=2)
    whole = http.get(f"{API}/tenders/{s.ocid}").json()
    assert whole["timeline_truncated"] is False and whole["timeline_next_after_seq"] is None
    monkeypatch.setattr(procurement_router, "TIMELINE_ITEMS_MAX", 2)
    cut = http.get(f"{API}/tenders/{s.ocid}").json()
    assert cut["timeline_truncated"] is True
    assert cut["timeline_next_after_seq"] == cut["timeline"][-1]["seq"]
    rest = http.get(
        "/api/v1/entries", params={"subject": s.ocid, "after_seq": cut["timeline_next_after_seq"]}
    ).json()["items"]
    assert [e["seq"] for e in cut["timeline"]] + [e["seq"] for e in rest] == [
        e["seq"] for e in whole["timeline"]
    ]


def test_filtered_vendor_list_pages_past_the_scan_bound(
    harness: Harness, http: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    h = harness
    Scenario.build(h, vendors=4)  # four active vendors
    registered = {client_key_id(register_vendor(h, None, f"CV Baru {i}")) for i in range(3)}
    monkeypatch.setattr(reads, "SCAN_ROWS_MAX", 2)
    found: list[str] = []
    short_with_more = 0
    after = ""
    while True:
        page = http.get(
            f"{API}/vendors", params={"status": "registered", "after": after, "limit": 10}
        ).json()
        found += [v["vendor_id"] for v in page["items"]]
        if page["next_after"] is None:
            break
        short_with_more += len(page["items"]) < 10
        after = page["next_after"]
    assert sorted(found) == sorted(registered) and short_with_more >= 1


def test_closer_reaches_every_tender_past_one_window(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    h = harness
    s = Scenario.build(h, vendors=1, budget_sen=1_000_000_000_000)
    tenders = [dataclasses.replace(s, ocid=f"{s.ocid}-{i}") for i in range(3)]
    for t in tenders:
        t.package()
        t.announce(days=10)
    find = reads.find_tenders

    def one_row_windows(conn: Any, wanted: reads.TenderFilter, **kwargs: Any) -> Any:
        return find(conn, wanted, **{**kwargs, "window": 1})

    monkeypatch.setattr(reads, "find_tenders", one_row_windows)
    monkeypatch.setattr(reads, "SCAN_ROWS_MAX", 1)  # the closer once stopped at this bound
    h.clock.advance(11 * 86400)
    closer = Closer(h.ledger, s.officer)
    assert closer.close_due() == sorted(t.ocid for t in tenders)
    assert closer.close_due() == []
