"""The portal as a visitor uses it, in headless Chromium: click from the home page down to
a budget line and to a tender (once with the keyboard only), filter and page through the
tender list, download its CSV and the budget explorer's, switch the language.

What a page shows is checked against the JSON API (read with httpx, as any client
would): the figures of a budget line, the rows of a filtered tender list, the rows of
a downloaded CSV, a tender's timeline and its inclusion proofs.
"""

from __future__ import annotations

import csv
import io
import re
from typing import Any, Final
from urllib.parse import parse_qs, unquote, urlsplit

from browser_harness import PortalServer
from playwright.sync_api import Locator, Page, expect
from portal_tour import api, api_tenders, opd_of, sen, showcase_tender

from budgeting.money import format_amount
from portal.formatting import rupiah
from portal.i18n import CATALOGUE

ID: Final = CATALOGUE["id"]
EN: Final = CATALOGUE["en"]
TAB_PRESSES_MAX: Final = 60
"""A bound on Tab presses to reach a control: more would mean the focus order is broken."""
FOCUS_RING_CONTRAST_MIN: Final = 3.0
"""WCAG 2.1 SC 1.4.11: a focus indicator needs 3:1 against what surrounds it."""
PAGES_MAX: Final = 20
ROWS = "#tender-results tbody tr[data-ocid]"
AMOUNT_NAMES: Final = (
    "appropriated",
    "revised",
    "shifted",
    "budget",
    "committed",
    "paid_committed",
    "paid_uncommitted",
    "realised",
    "available",
    "allotted",
)
CONTENT_TYPES: Final = {
    "CSV": "text/csv",
    "XLSX": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ZIP": "application/zip",
    "JSON": "application/json",
    "OCDS JSON": "application/json",
}


# -- helpers ------------------------------------------------------------------------------


def query_of(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


def luminance(css_colour: str) -> float:
    """WCAG relative luminance of an ``rgb(r, g, b)`` colour."""
    channels = [int(c) / 255 for c in re.findall(r"[0-9]+", css_colour)[:3]]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def assert_focus_visible(page: Page) -> dict[str, Any]:
    """The focused element shows a focus ring that contrasts with the page, on screen."""
    focused: dict[str, Any] = page.evaluate(
        """() => {
            const e = document.activeElement, s = getComputedStyle(e);
            const r = e.getBoundingClientRect();
            return {tag: e.tagName, id: e.id, href: e.getAttribute("href"),
                    text: e.textContent.trim(), style: s.outlineStyle,
                    width: parseFloat(s.outlineWidth), colour: s.outlineColor,
                    background: getComputedStyle(document.body).backgroundColor,
                    // Layout is in fractional pixels: an element scrolled into view may
                    // end a fraction past the edge (900.17 of 900), which no one sees.
                    onScreen: r.width > 0 && r.height > 0 && r.left > -1 && r.top > -1
                              && r.right < innerWidth + 1 && r.bottom < innerHeight + 1,
                    rect: [r.left, r.top, r.right, r.bottom, innerWidth, innerHeight]};
        }"""
    )
    assert focused["tag"] != "BODY", "nothing has the focus"
    where = f"{focused['tag']}#{focused['id']} {focused['href']!r}"
    assert focused["style"] not in ("none", "hidden") and focused["width"] >= 2, (
        f"no visible focus ring on {where}: {focused}"
    )
    ring = contrast(focused["colour"], focused["background"])
    assert ring >= FOCUS_RING_CONTRAST_MIN, f"focus ring on {where}: contrast {ring:.2f}"
    assert focused["onScreen"], f"the focused element is off screen: {where} {focused['rect']}"
    return focused


def tab_to(page: Page, selector: str) -> None:
    """Press Tab until ``selector`` has the focus, checking the ring at every stop."""
    for _ in range(TAB_PRESSES_MAX):
        page.keyboard.press("Tab")
        assert_focus_visible(page)
        if page.evaluate("s => document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"{TAB_PRESSES_MAX} Tab presses did not reach {selector}")


def shown_tenders(page: Page) -> list[tuple[str, str, int]]:
    """The tender list's rows: (ocid, title, HPS in sen)."""
    rows = []
    for row in page.locator(ROWS).all():
        rows.append(
            (
                row.get_attribute("data-ocid") or "",
                row.locator("td").first.get_by_role("link").inner_text(),
                sen(row.locator("data.amount").get_attribute("value") or ""),
            )
        )
    return rows


def as_rows(tenders: list[dict[str, Any]]) -> list[tuple[str, str, int]]:
    return [(t["ocid"], t["title"], sen(t["hps"])) for t in tenders]


def matching(tenders: list[dict[str, Any]], wanted: dict[str, str]) -> list[dict[str, Any]]:
    """The API's tenders filtered as the list's form asks (docs/portal.md): fields equal,
    the OPD of the budget line, HPS within whole-rupiah bounds, text in title or ocid
    (ASCII case ignored)."""

    def keep(t: dict[str, Any]) -> bool:
        for name in ("state", "method", "category"):
            if name in wanted and t[name] != wanted[name]:
                return False
        if "year" in wanted and t["year"] != int(wanted["year"]):
            return False
        if "opd" in wanted and opd_of(t["budget_line"]) != wanted["opd"]:
            return False
        if "value_min" in wanted and sen(t["hps"]) < int(wanted["value_min"]) * 100:
            return False
        if "value_max" in wanted and sen(t["hps"]) > int(wanted["value_max"]) * 100:
            return False
        needle = wanted.get("q", "").lower()
        return not needle or needle in t["title"].lower() or needle in t["ocid"].lower()

    return [t for t in tenders if keep(t)]


FORM_FIELDS: Final = {
    "q": "#f-q",
    "state": "#f-state",
    "opd": "#f-opd",
    "method": "#f-method",
    "category": "#f-category",
    "year": "#f-year",
    "value_min": "#f-value-min",
    "value_max": "#f-value-max",
    "limit": "#f-limit",
}
TEXT_FIELDS: Final = ("q", "value_min", "value_max")


def submit_filters(page: Page, wanted: dict[str, str]) -> None:
    """Fill the tender list's form as a visitor does and press Search."""
    for name, selector in FORM_FIELDS.items():
        if name in TEXT_FIELDS:
            page.fill(selector, wanted.get(name, ""))
        elif name in wanted:
            page.select_option(selector, wanted[name])
    with page.expect_navigation():
        page.locator("form.filters").get_by_role("button", name=ID["form.search"]).click()


def follow(page: Page, link: Locator) -> None:
    with page.expect_navigation():
        link.click()


# -- navigation ---------------------------------------------------------------------------


def test_click_from_home_down_to_a_budget_line(page: Page, portal_server: PortalServer) -> None:
    page.goto(portal_server.url + "/")
    follow(page, page.get_by_role("link", name=ID["home.explore"]))
    assert urlsplit(page.url).path == "/anggaran"
    expect(page.locator("nav.breadcrumb [aria-current=page]")).to_have_count(1)

    # The year's OPDs, an OPD's programs, a program's kegiatan, a kegiatan's sub kegiatan.
    for level, parameter in (
        ("opd", "opd"),
        ("program", "programme"),
        ("kegiatan", "programme"),
        ("sub kegiatan", "programme"),
    ):
        row = page.locator("#lra-rows tbody tr[data-code]").first
        code = row.get_attribute("data-code")
        follow(page, row.get_by_role("link"))
        assert query_of(page.url).get(parameter) == code, (level, page.url)
        current = page.locator("nav.breadcrumb [aria-current=page]")
        expect(current).to_have_count(1)
        if parameter == "programme":
            expect(current).to_contain_text(str(code))
            expect(page.locator("h1")).to_contain_text(str(code))

    line_row = page.locator("#budget-lines tbody tr[data-line]").first
    line_id = line_row.get_attribute("data-line") or ""
    line = api(portal_server, f"/api/v1/budget/lines/{line_id}")["line"]
    amounts = line["amounts"]
    # The sub kegiatan's list shows the line's budget and realisation as the API has them.
    shown = line_row.locator("data.amount")
    expect(shown.nth(0)).to_have_attribute("value", amounts["budget"])
    expect(shown.nth(1)).to_have_attribute("value", amounts["realised"])

    follow(page, line_row.get_by_role("link"))
    assert unquote(urlsplit(page.url).path) == f"/anggaran/baris/{line_id}"
    expect(page.locator("nav.breadcrumb [aria-current=page]")).to_have_text(line["account"])
    for name in AMOUNT_NAMES:
        figure = page.locator(f"#line-amounts tr[data-amount={name}] data.amount")
        expect(figure).to_have_attribute("value", amounts[name])
        expect(figure).to_have_text(rupiah(sen(amounts[name]), "id"))


def test_keyboard_only_from_home_to_a_tender_and_its_proofs(
    page: Page, portal_server: PortalServer
) -> None:
    page.goto(portal_server.url + "/")
    # The first Tab lands on the skip link, which shows itself when focused.
    page.keyboard.press("Tab")
    assert assert_focus_visible(page)["text"] == ID["nav.skip"]
    tab_to(page, 'header.site nav a[href="/tender"]')
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert urlsplit(page.url).path == "/tender"

    # Skip the header, type a search word, submit with Enter.
    page.keyboard.press("Tab")
    assert assert_focus_visible(page)["text"] == ID["nav.skip"]
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    assert assert_focus_visible(page)["id"] == "f-q"
    tender = showcase_tender(portal_server)
    word = max(re.findall(r"[A-Za-z]+", tender["title"]), key=len).upper()
    page.keyboard.type(word)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert query_of(page.url) == {"q": word, "limit": "25"}  # the form sends its page size
    wanted = matching(api_tenders(portal_server), {"q": word})
    assert tender["ocid"] in [t["ocid"] for t in wanted]
    assert shown_tenders(page) == as_rows(wanted)

    tab_to(page, f'{ROWS}[data-ocid="{wanted[0]["ocid"]}"] a')
    with page.expect_navigation():
        page.keyboard.press("Enter")
    ocid = wanted[0]["ocid"]
    assert urlsplit(page.url).path == f"/tender/{ocid}"
    expect(page.locator("h1")).to_have_text(wanted[0]["title"])

    # The timeline: the API's entries about the tender, by seq, each with its proof.
    timeline = api(portal_server, f"/api/v1/procurement/tenders/{ocid}")["timeline"]
    rows = page.locator("table.timeline tbody tr")
    seqs = [int((row.get_attribute("id") or "").removeprefix("seq-")) for row in rows.all()]
    assert seqs == [entry["seq"] for entry in timeline][: len(seqs)] and seqs
    for seq, row in zip(seqs, rows.all(), strict=True):
        expect(row.locator("td").first).to_contain_text(str(seq))
        proof_link = row.get_by_role("link", name=f"{ID['entry.proof_link']} {seq}")
        href = proof_link.get_attribute("href") or ""
        assert href == f"/api/v1/proofs/inclusion?seq={seq}"
        response = page.request.get(portal_server.url + href)
        assert response.status == 200, (href, response.status)
        assert response.json()["seq"] == seq

    # A visitor following the last proof link gets the proof itself.
    tab_to(page, f"#seq-{seqs[-1]} a[href*=proofs]")
    with page.expect_response(lambda r: "/api/v1/proofs/inclusion" in r.url) as answer:
        page.keyboard.press("Enter")
    assert answer.value.status == 200 and answer.value.json()["seq"] == seqs[-1]


# -- the tender list ----------------------------------------------------------------------


def test_filter_the_tender_list(page: Page, portal_server: PortalServer) -> None:
    tenders = api_tenders(portal_server)
    target = showcase_tender(portal_server)
    hps_rupiah = sen(target["hps"]) // 100
    page.goto(portal_server.url + "/tender")
    assert shown_tenders(page) == as_rows(tenders[:25])  # the default page size

    # One more filter at a time; the target tender matches them all.
    steps = (
        ("state", target["state"]),
        ("category", target["category"]),
        ("method", target["method"]),
        ("year", str(target["year"])),
        ("opd", opd_of(target["budget_line"])),
        ("value_min", str(hps_rupiah // 2)),
        ("value_max", str(hps_rupiah)),  # inclusive: the target sits on the bound
        ("q", target["title"].split()[0].lower()),
    )
    wanted: dict[str, str] = {}
    counts = []
    for name, value in steps:
        wanted[name] = value
        submit_filters(page, wanted)
        assert query_of(page.url) == {**wanted, "limit": "25"}
        expected = matching(tenders, wanted)
        assert target["ocid"] in [t["ocid"] for t in expected]
        assert shown_tenders(page) == as_rows(expected), wanted
        counts.append(len(expected))
        # The form shows what was asked.
        for field, asked in wanted.items():
            expect(page.locator(FORM_FIELDS[field])).to_have_value(asked)
    assert counts[0] < len(tenders) and counts[-1] < counts[0], counts  # filters filtered
    expect(page.locator("#no-results")).to_have_count(0)


def test_an_impossible_filter_shows_the_empty_state(
    page: Page, portal_server: PortalServer
) -> None:
    page.goto(portal_server.url + "/tender")
    submit_filters(page, {"q": "no tender is called this", "state": "planned"})
    expect(page.locator("#no-results")).to_have_text(ID["tenders.none"])
    expect(page.locator("#tender-results")).to_have_count(0)
    expect(page.locator("nav.pagination")).to_have_count(0)
    # Reset clears every filter.
    follow(page, page.locator("form.filters").get_by_role("link", name=ID["form.reset"]))
    assert query_of(page.url) == {}
    expect(page.locator(ROWS)).to_have_count(min(25, len(api_tenders(portal_server))))


def test_page_through_the_tender_list(page: Page, portal_server: PortalServer) -> None:
    tenders = api_tenders(portal_server)
    assert len(tenders) > 20, "the demo has enough tenders for three pages of 10"
    page.goto(portal_server.url + "/tender")
    submit_filters(page, {"limit": "10"})
    pages = [shown_tenders(page)]
    for _ in range(PAGES_MAX):
        following = page.locator("nav.pagination a[rel=next]")
        if following.count() == 0:
            break
        follow(page, following)
        assert query_of(page.url)["limit"] == "10"
        pages.append(shown_tenders(page))
    assert [len(p) for p in pages[:-1]] == [10] * (len(pages) - 1) and 0 < len(pages[-1]) <= 10
    assert [row for p in pages for row in p] == as_rows(tenders)

    # Previous (the browser's Back) and the first page.
    page.go_back()
    assert shown_tenders(page) == pages[-2]
    follow(page, page.locator("nav.pagination a[rel=first]"))
    assert shown_tenders(page) == pages[0]
    assert "after" not in query_of(page.url)


# -- downloads ----------------------------------------------------------------------------


def download_text(page: Page, link: Locator) -> tuple[str, str]:
    with page.expect_download() as info:
        link.click()
    download = info.value
    with open(download.path(), encoding="utf-8", newline="") as handle:
        return download.suggested_filename, handle.read()


def test_tender_csv_download_has_the_api_rows(page: Page, portal_server: PortalServer) -> None:
    target = showcase_tender(portal_server)
    wanted = {"state": target["state"], "category": target["category"]}
    page.goto(portal_server.url + "/tender")
    submit_filters(page, wanted)
    link = page.locator("section.downloads").get_by_role(
        "link", name=f"{ID['downloads.tenders']} CSV"
    )
    name, text = download_text(page, link)
    assert name == "terang-tenders.csv"
    rows = list(csv.DictReader(io.StringIO(text)))
    expected = matching(api_tenders(portal_server, **wanted), wanted)
    assert len(rows) == len(expected) > 0
    assert any(row["contract_value"] for row in rows)  # the showcase tender's contract
    for row, tender in zip(rows, expected, strict=True):
        contract = (
            api(portal_server, f"/api/v1/procurement/tenders/{tender['ocid']}/contract")
            if tender["contract_status"]
            else None
        )
        winner = tender["winner"]
        vendor = api(portal_server, f"/api/v1/procurement/vendors/{winner}") if winner else None
        assert row == {
            "ocid": tender["ocid"],
            "title": tender["title"],
            "state": tender["state"],
            "method": tender["method"],
            "category": tender["category"],
            "year": str(tender["year"]),
            "opd": opd_of(tender["budget_line"]),
            "budget_line": tender["budget_line"],
            "hps": tender["hps"],
            "bid_deadline": tender["bid_deadline"] or "",
            "bids_active": str(tender["bids_active"]),
            "winner": winner or "",
            "winner_name": vendor["vendor"]["name"] if vendor else "",
            "award_value": tender["award_value"] or "",
            "contract_value": format_amount(contract["contract"]["value_sen"]) if contract else "",
            "contract_status": tender["contract_status"] or "",
            "last_seq": str(tender["last_seq"]),
        }
    # What the page lists is what the file holds (the first page of it).
    assert [r[0] for r in shown_tenders(page)] == [r["ocid"] for r in rows][:25]


def test_budget_explorer_csv_download_has_the_api_rows(
    page: Page, portal_server: PortalServer
) -> None:
    page.goto(portal_server.url + "/anggaran")
    link = page.locator("section.downloads").get_by_role(
        "link", name=f"{ID['downloads.lra_opd']} CSV"
    )
    year = query_of(link.get_attribute("href") or "")["year"]
    _, text = download_text(page, link)
    rows = list(csv.DictReader(io.StringIO(text)))
    report = api(portal_server, "/api/v1/budget/reports/lra", year=year, by="opd")
    assert rows and rows == [{k: str(v) for k, v in r.items()} for r in report["rows"]]
    # The explorer's OPD rows are the report's belanja rows, figure for figure.
    spending = {r["code"]: r for r in rows if r["group"] == "belanja" and r["level"] == "opd"}
    shown = page.locator("#lra-rows tbody tr[data-code]")
    assert sorted(row.get_attribute("data-code") or "" for row in shown.all()) == sorted(spending)
    for row in shown.all():
        report_row = spending[row.get_attribute("data-code") or ""]
        figures = [f.get_attribute("value") for f in row.locator("data.amount").all()]
        assert figures == [report_row["budget"], report_row["committed"], report_row["realised"]]
        expect(row.locator("data.pct")).to_have_attribute("value", report_row["absorption_pct"])


def test_download_links_answer_with_their_type(page: Page, portal_server: PortalServer) -> None:
    tender = showcase_tender(portal_server)["ocid"]
    checked = 0
    for path in ("/tender", "/anggaran", "/penyedia", "/tanda-peringatan", f"/tender/{tender}"):
        page.goto(portal_server.url + path)
        items = page.locator("section.downloads li").all()
        assert items, path
        for item in items:
            href = item.get_by_role("link").get_attribute("href") or ""
            kind = item.locator(".kind").inner_text().strip("()")
            response = page.request.get(portal_server.url + href)
            assert response.status == 200, (path, href, response.status)
            media_type = response.headers["content-type"].split(";")[0]
            assert media_type == CONTENT_TYPES[kind], (path, href, kind, media_type)
            assert response.body(), href
            checked += 1
    assert checked >= 10


# -- languages ----------------------------------------------------------------------------


def test_switch_the_language_and_back(page: Page, portal_server: PortalServer) -> None:
    # The browser asks for English (Accept-Language: en-GB); the portal starts in Indonesian.
    page.goto(portal_server.url + "/")
    html = page.locator("html")
    nav = page.locator("header.site nav")
    expect(html).to_have_attribute("lang", "id")
    expect(page.locator("h1")).to_have_text(ID["home.title"])
    expect(nav.get_by_role("link", name=ID["nav.budget"], exact=True)).to_be_visible()

    switch = page.locator("header.site a.lang")
    expect(switch).to_have_text(ID["lang.switch"])
    expect(switch).to_have_attribute("lang", "en")
    follow(page, switch)
    expect(html).to_have_attribute("lang", "en")
    expect(page.locator("h1")).to_have_text(EN["home.title"])
    expect(nav.get_by_role("link", name=EN["nav.budget"], exact=True)).to_be_visible()
    assert {c["name"]: c["value"] for c in page.context.cookies()}.get("terang_lang") == "en"

    # The choice sticks: the header's links carry no lang parameter.
    follow(page, nav.get_by_role("link", name=EN["nav.tenders"], exact=True))
    assert "lang" not in query_of(page.url)
    expect(html).to_have_attribute("lang", "en")
    expect(page.locator("h1")).to_have_text(EN["tenders.title"])
    expect(page.locator("label[for=f-state]")).to_have_text(EN["tenders.state"])

    follow(page, switch)
    expect(html).to_have_attribute("lang", "id")
    expect(page.locator("h1")).to_have_text(ID["tenders.title"])
    expect(page.locator("label[for=f-state]")).to_have_text(ID["tenders.state"])
    follow(page, nav.get_by_role("link", name=ID["nav.home"], exact=True))
    expect(html).to_have_attribute("lang", "id")
    expect(page.locator("h1")).to_have_text(ID["home.title"])
