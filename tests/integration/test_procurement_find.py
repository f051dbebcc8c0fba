"""The portal's filtered lists (``procurement.reads.find_tenders``/``find_vendors``) on
both engines: each filter returns exactly the matching documents, pages join up with
nothing lost or repeated, and a page examines no more than its window of rows."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from conftest import Harness
from portal_support import ENGINES, DemoSite, demo_site
from sqlalchemy import select

from ledger import storage
from procurement import lifecycle as lc
from procurement import reads
from procurement.vendors import VENDOR_NAMESPACE


@pytest.fixture(scope="module", params=ENGINES)
def demo(request: pytest.FixtureRequest, tmp_path_factory: Any) -> Iterator[DemoSite]:
    yield from demo_site(request, tmp_path_factory)


def all_docs(h: Harness, namespace: str) -> list[dict[str, Any]]:
    p = storage.projection_rows.c
    with h.ledger.engine.connect() as conn:
        rows = conn.execute(select(p.value).where(p.namespace == namespace).order_by(p.key)).all()
    return [json.loads(value) for (value,) in rows]


def every_page(
    h: Harness, wanted: reads.TenderFilter, limit: int, window: int = 5000
) -> list[list[str]]:
    pages: list[list[str]] = []
    after = ""
    with h.ledger.engine.connect() as conn:
        while True:
            page = reads.find_tenders(conn, wanted, after=after, limit=limit, window=window)
            pages.append([doc["ocid"] for doc in page.items])
            if page.next_after is None:
                return pages
            assert page.next_after > after  # always moves on
            after = page.next_after


def test_pages_join_up_in_ocid_order(demo: DemoSite) -> None:
    tenders = [doc["ocid"] for doc in all_docs(demo.harness, lc.TENDER_NAMESPACE)]
    assert len(tenders) >= 6
    limit = 4 if len(tenders) % 4 else 5  # a short last page
    pages = every_page(demo.harness, reads.TenderFilter(), limit=limit)
    assert [ocid for page in pages for ocid in page] == tenders
    assert all(len(page) == limit for page in pages[:-1]) and 0 < len(pages[-1]) < limit
    halves = every_page(demo.harness, reads.TenderFilter(), limit=len(tenders) // 2 + 1)
    assert len(halves) == 2
    exact = every_page(demo.harness, reads.TenderFilter(), limit=len(tenders))
    assert exact == [tenders]  # a full last page says nothing follows


def test_each_filter_returns_exactly_the_matching_tenders(demo: DemoSite) -> None:
    docs = all_docs(demo.harness, lc.TENDER_NAMESPACE)
    opd = docs[1]["budget_line"].split(":")[1]
    cases: list[tuple[reads.TenderFilter, Any]] = [
        (reads.TenderFilter(state="active"), lambda d: d["state"] == "active"),
        (reads.TenderFilter(state="awarded"), lambda d: d["state"] == "awarded"),
        (reads.TenderFilter(method="tender"), lambda d: d["method"] == "tender"),
        (reads.TenderFilter(category="works"), lambda d: d["category"] == "works"),
        (reads.TenderFilter(category="goods"), lambda d: d["category"] == "goods"),
        (reads.TenderFilter(year=demo.year), lambda d: d["year"] == demo.year),
        (reads.TenderFilter(year=demo.year + 1), lambda d: False),
        (reads.TenderFilter(opd=opd), lambda d: d["budget_line"].split(":")[1] == opd),
        (
            reads.TenderFilter(hps_min_sen=docs[2]["hps_sen"]),
            lambda d: d["hps_sen"] >= docs[2]["hps_sen"],
        ),
        (
            reads.TenderFilter(hps_max_sen=docs[2]["hps_sen"]),
            lambda d: d["hps_sen"] <= docs[2]["hps_sen"],
        ),
        (reads.TenderFilter(text="PUSKESMAS"), lambda d: "puskesmas" in d["title"].lower()),
        (reads.TenderFilter(text="demo-00"), lambda d: "demo-00" in d["ocid"].lower()),
        (reads.TenderFilter(text="%"), lambda d: "%" in d["title"] + d["ocid"]),
        (
            reads.TenderFilter(state="active", opd=opd),
            lambda d: d["state"] == "active" and d["budget_line"].split(":")[1] == opd,
        ),
    ]
    for wanted, matches in cases:
        expected = [d["ocid"] for d in docs if matches(d)]
        found = [ocid for page in every_page(demo.harness, wanted, limit=2) for ocid in page]
        assert found == expected, wanted
    assert any(every_page(demo.harness, c[0], 2) != [[]] for c in cases)  # not all empty


def test_a_page_examines_at_most_its_window(demo: DemoSite) -> None:
    tenders = [doc["ocid"] for doc in all_docs(demo.harness, lc.TENDER_NAMESPACE)]
    with demo.harness.ledger.engine.connect() as conn:
        first = reads.find_tenders(conn, reads.TenderFilter(), limit=10, window=2)
        assert [d["ocid"] for d in first.items] == tenders[:2]
        assert first.window_ended and first.next_after == tenders[1]
        # a filter matching nothing in the window: an empty page that still moves on
        active = reads.find_tenders(conn, reads.TenderFilter(state="active"), limit=10, window=1)
    assert active.window_ended and active.next_after == tenders[0]
    pages = every_page(demo.harness, reads.TenderFilter(state="active"), limit=10, window=1)
    assert len(pages) == len(tenders)  # one window of one row per page
    assert [ocid for page in pages for ocid in page] == [
        d["ocid"] for d in all_docs(demo.harness, lc.TENDER_NAMESPACE) if d["state"] == "active"
    ]


def test_vendors_by_status_and_text(demo: DemoSite) -> None:
    docs = all_docs(demo.harness, VENDOR_NAMESPACE)
    with demo.harness.ledger.engine.connect() as conn:
        everyone = reads.find_vendors(conn, reads.VendorFilter(), limit=2)
        rest = reads.find_vendors(conn, reads.VendorFilter(), after=everyone.next_after or "")
        active = reads.find_vendors(conn, reads.VendorFilter(status="active"))
        registered = reads.find_vendors(conn, reads.VendorFilter(status="registered"))
        by_name = reads.find_vendors(conn, reads.VendorFilter(text="sinar TERANG"))
        by_npwp = reads.find_vendors(conn, reads.VendorFilter(text=docs[0]["npwp"]))
    assert [d["vendor_id"] for d in everyone.items + rest.items] == [d["vendor_id"] for d in docs]
    assert len(everyone.items) == 2 and rest.next_after is None
    assert [d["vendor_id"] for d in active.items] == [
        d["vendor_id"] for d in docs if d["status"] == "active"
    ]
    assert [d["vendor_id"] for d in registered.items] == [
        d["vendor_id"] for d in docs if d["status"] == "registered"
    ]
    assert [d["name"] for d in by_name.items] == ["PT Sinar Terang Abadi"]
    assert [d["npwp"] for d in by_npwp.items] == [docs[0]["npwp"]]


def test_stored_documents_are_written_as_the_prefilters_expect(demo: DemoSite) -> None:
    """The raw-text prefilters assume the sequencer's serialisation; if it changed, they
    would silently drop matches, so check it on what the sequencer really stored."""
    p = storage.projection_rows.c
    with demo.harness.ledger.engine.connect() as conn:
        rows = conn.execute(
            select(p.value).where(p.namespace.in_([lc.TENDER_NAMESPACE, VENDOR_NAMESPACE]))
        ).all()
    assert len(rows) >= 9
    for (value,) in rows:
        assert reads.projection_json(json.loads(value)) == value


def _tender(ocid: str, title: str, hps_sen: int) -> dict[str, Any]:
    return {
        "ocid": ocid,
        "title": title,
        "state": "active",
        "method": "tender",
        "category": "works",
        "year": 2026,
        "budget_line": "2026:1.02.0.00.0.00.01.0000:1.02.02.2.01.0001:5.1.02.01.01.0024:DAU",
        "hps_sen": hps_sen,
    }


def test_text_folds_ascii_case_only_the_same_on_both_engines(harness: Harness) -> None:
    """PostgreSQL's lower() folds É to é, SQLite's does not: the re-check makes both
    answer the same (ASCII letters only), and LIKE's wildcards in the text are literal."""
    docs = [
        _tender("ocds-abc123-1", "Jalan ÉKA", 10**12),
        _tender("ocds-abc123-2", "Jalan éKA", 10**12),
        _tender("ocds-abc123-3", "Pipa 100% baru", 2**53 - 1),
        _tender("ocds-abc123-4", "Pipa 1000 meter_baru", 1),
    ]
    with harness.ledger.engine.begin() as conn:
        storage.upsert_projection(
            conn,
            {(lc.TENDER_NAMESPACE, d["ocid"]): reads.projection_json(d) for d in docs},
            seq=0,
        )

    def find(**wanted: Any) -> list[str]:
        with harness.ledger.engine.connect() as conn:
            page = reads.find_tenders(conn, reads.TenderFilter(**wanted), limit=10)
        return [d["ocid"][-1] for d in page.items]

    assert find(text="éka") == ["2"]
    assert find(text="ÉKA") == ["1"]
    assert find(text="jalan") == ["1", "2"]
    assert find(text="100%") == ["3"]
    assert find(text="r_b") == ["4"]
    assert find(text='"state"') == []  # a field name is not text of the title
    assert find(hps_min_sen=2**53 - 1) == ["3"]  # bigger than a 32-bit integer
    assert find(hps_max_sen=1) == ["4"]
