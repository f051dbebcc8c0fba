"""The portal's times in the region's zone and its short amounts (issue 13 item 7).

What a reader relies on: a time reads in the deployment's zone with its label (WIB,
WITA or WIT) and is dated by that zone, while the exact UTC instant stays in the page
(``<time datetime>`` and its title) and every API answer stays UTC; a short amount
(``Rp 814 jt``) holds its exact figure in the hover and in its ``value``. Run over the
demo kabupaten on both engines.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from conftest import Clock
from fastapi.testclient import TestClient
from portal_support import ENGINES, DemoSite, Element, demo_site, parse_html
from procurement_support import register_vendor

from ledger.keys import client_key_id
from ledger.service import Ledger
from portal import links
from procurement import reads
from terang.app import create_app

OFFSET_HOURS = {"WIB": 7, "WITA": 8, "WIT": 9}
"""The model the pages are checked against: Indonesia's zones have no daylight saving."""
MONTHS_ID = (
    "Januari", "Februari", "Maret", "April", "Mei", "Juni",
    "Juli", "Agustus", "September", "Oktober", "November", "Desember",
)  # fmt: skip
SHORT_AMOUNT = re.compile(r"^-?Rp \d{1,3}(,\d{1,2})?( (T|M|jt|rb))?$")


@pytest.fixture(scope="module", params=ENGINES)
def site(request: pytest.FixtureRequest, tmp_path_factory: Any) -> Iterator[DemoSite]:
    yield from demo_site(request, tmp_path_factory)


def zoned_client(site: DemoSite, zone: str | None) -> TestClient:
    """The portal over the demo's database, for a deployment set to ``zone`` (None: the
    default setting). A second ``Ledger`` over the same engine, never started or closed."""
    base = site.harness.ledger
    settings = base.settings if zone is None else replace(base.settings, time_zone=zone)
    ledger = Ledger(
        settings,
        base.kinds,
        engine=base.engine,
        clock=base.clock,
        log_signer=base.log_signer,
        migrate=False,
    )
    return TestClient(create_app(ledger))


def awarded_ocid(site: DemoSite) -> str:
    with site.harness.ledger.engine.connect() as conn:
        docs = reads.find_tenders(conn, reads.TenderFilter(), limit=10_000).items
    return next(d["ocid"] for d in docs if d.get("award"))


def html(client: TestClient, url: str) -> Element:
    client.cookies.clear()
    response = client.get(url)
    assert response.status_code == 200, (url, response.text[:300])
    return parse_html(response.text)


def local_text(iso: str, zone: str, *, with_clock: bool) -> str:
    """How a person in ``zone`` writes the instant ``iso`` in Indonesian."""
    local = datetime.fromisoformat(iso) + timedelta(hours=OFFSET_HOURS[zone])
    day = f"{local.day} {MONTHS_ID[local.month - 1]} {local.year}"
    return f"{day} {local.hour:02d}.{local.minute:02d} {zone}" if with_clock else day


@pytest.mark.parametrize("zone", ["WIB", "WITA", "WIT"])
def test_a_tender_page_shows_its_times_in_the_deployments_zone(site: DemoSite, zone: str) -> None:
    document = html(zoned_client(site, zone), f"/tender/{awarded_ocid(site)}")
    times = document.find_all("time")
    assert len(times) >= 4  # announced, clarification, deadline, award, entries
    for element in times:
        instant = element.attrs["datetime"]
        assert instant.endswith("Z"), instant  # the exact UTC instant, nothing lost
        assert element.attrs["title"] == instant
        with_clock = element.text.endswith(f" {zone}")
        assert element.text == local_text(instant, zone, with_clock=with_clock), instant
    labelled = [e for e in times if e.text.endswith(f" {zone}")]
    assert len(labelled) >= 3
    assert not any(e.text.endswith(" UTC") for e in times)


def test_the_default_zone_is_wib_and_the_api_and_ocds_stay_utc(site: DemoSite) -> None:
    ocid = awarded_ocid(site)
    default, eastern = zoned_client(site, None), zoned_client(site, "WIT")
    urls = [
        f"/api/v1/procurement/tenders/{ocid}",
        f"/api/v1/procurement/ocds/releases?year={site.year}",
    ]
    for url in urls:
        answer = default.get(url)
        assert answer.status_code == 200, (url, answer.text[:300])
        assert eastern.get(url).json() == answer.json(), url  # data does not follow the zone
    tender = default.get(urls[0]).json()["tender"]
    deadline = tender["schedule"]["bid_deadline"]
    assert deadline.endswith("Z")
    shown = [
        e
        for e in html(default, f"/tender/{ocid}").find_all("time")
        if e.attrs["datetime"] == deadline
    ]
    assert shown and shown[0].text == local_text(deadline, "WIB", with_clock=True)


def test_an_instant_late_in_the_utc_day_is_dated_the_next_local_day(site: DemoSite) -> None:
    clock = site.harness.clock
    assert isinstance(clock, Clock)
    # 20:30 UTC, after every demo entry: 03:30, 04:30 or 05:30 of the next day locally.
    clock.now = (clock.now + timedelta(days=1)).replace(hour=20, minute=30, second=0)
    key = register_vendor(site.harness, None, "CV Senja Abadi")
    url = links.vendor(client_key_id(key))
    for zone in OFFSET_HOURS:
        document = html(zoned_client(site, zone), url)
        late = [
            e for e in document.find_all("time") if e.attrs["datetime"].endswith("T20:30:00.000Z")
        ]
        assert late  # the registration date, and its entry in the timeline
        for element in late:
            expected = local_text(element.attrs["datetime"], zone, with_clock=True)
            assert element.text == expected
            assert not expected.startswith(f"{clock.now.day} ")  # the local day, not UTC's


def exact_indonesian(value: str) -> str:
    """The exact figure a reader expects for the API's decimal string ``value``."""
    amount = Decimal(value)
    whole, cents = f"{abs(amount):.2f}".split(".")
    grouped = f"{int(whole):,}".replace(",", ".")
    return f"{'-' if amount < 0 else ''}Rp {grouped},{cents}"


@pytest.mark.parametrize(
    "url", ["/", "/tender", "/anggaran", "/anggaran?opd=1.02.0.00.0.00.01.0000"]
)
def test_a_short_amount_holds_the_exact_figure_in_its_hover(site: DemoSite, url: str) -> None:
    document = html(zoned_client(site, None), url)
    short = [e for e in document.find_all("data") if "amount-short" in e.attrs.get("class", "")]
    assert short, url
    for element in short:
        assert SHORT_AMOUNT.fullmatch(element.text), element.text
        assert element.attrs["title"] == exact_indonesian(element.attrs["value"])
        # the short figure is the exact one rounded to at most 3 significant digits
        figure, _, suffix = element.text.removeprefix("Rp ").partition(" ")
        unit = {"T": 10**12, "M": 10**9, "jt": 10**6, "rb": 10**3, "": 1}[suffix]
        shown = Decimal(figure.replace(".", "").replace(",", ".")) * unit
        exact = Decimal(element.attrs["value"])
        assert abs(shown - exact) <= abs(exact) * Decimal("0.005"), (element.text, exact)


def test_monthly_tables_budget_lines_and_tenders_keep_exact_figures(site: DemoSite) -> None:
    client = zoned_client(site, None)
    with site.harness.ledger.engine.connect() as conn:
        docs = reads.find_tenders(conn, reads.TenderFilter(), limit=10_000).items
    line_id = next(d["budget_line"] for d in docs if d.get("award"))
    tables = [
        html(client, "/anggaran").find_all("table", **{"class": "monthly-table"})[0],
        html(client, links.line(line_id)).by_id("line-amounts"),
        html(client, f"/tender/{awarded_ocid(site)}"),  # HPS, bids, award, contract
    ]
    for table in tables:
        amounts = [e for e in table.find_all("data") if "amount" in e.attrs.get("class", "")]
        assert amounts
        for element in amounts:
            assert "amount-short" not in element.attrs["class"]
            assert element.text == exact_indonesian(element.attrs["value"])


def test_the_tender_workbook_has_numeric_amounts_and_the_csv_exact_strings(
    site: DemoSite,
) -> None:
    import csv
    import io

    from openpyxl import load_workbook

    client = zoned_client(site, None)
    rows = list(csv.DictReader(io.StringIO(client.get("/tender.csv").text)))
    assert rows and all(re.fullmatch(r"-?\d+\.\d{2}", row["hps"]) for row in rows)
    sheet = load_workbook(io.BytesIO(client.get("/tender.xlsx").content))["tenders"]
    header = [cell.value for cell in sheet[1]]
    column = header.index("hps")
    cells = [row[column] for row in sheet.iter_rows(min_row=2)]
    assert len(cells) == len(rows)
    for cell, row in zip(cells, rows, strict=True):
        assert cell.data_type == "n" and cell.number_format == "#,##0.00", cell.value
        assert Decimal(str(cell.value)) == Decimal(row["hps"])
    ocids = [row[header.index("ocid")] for row in sheet.iter_rows(min_row=2)]
    assert all(c.data_type == "s" for c in ocids)
    assert [c.value for c in ocids] == [row["ocid"] for row in rows]


def test_the_charts_scale_is_short_with_the_exact_figure_in_its_title(site: DemoSite) -> None:
    document = html(zoned_client(site, None), "/anggaran")
    [scale] = document.find_all("text", **{"class": "scale"})
    [title] = scale.find_all("title")
    assert SHORT_AMOUNT.fullmatch(scale.text.removeprefix(title.text).strip()), scale.text
    assert re.fullmatch(r"Rp \d{1,3}(\.\d{3})*,\d{2}", title.text), title.text
