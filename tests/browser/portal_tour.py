"""What the portal's browser tests share: the JSON API reads they compare the pages
against, and the tour of the portal's main pages (one of each kind, on the demo data).

Not a test module (no ``test_`` prefix): ``tests/browser/`` is on ``sys.path`` while
its tests run, so they import it as ``portal_tour``.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Final
from urllib.parse import urlencode

import httpx
from browser_harness import PortalServer
from playwright.sync_api import Browser, BrowserContext, Page

API_TIMEOUT_S: Final = 60
API_PAGE_ITEMS: Final = 100
API_PAGES_MAX: Final = 100
"""A bound on the pages a test walks through the API (10,000 tenders; the demo has 43)."""
DESKTOP: Final = {"width": 1280, "height": 900}
PHONE: Final = {"width": 360, "height": 740}
NO_SUCH_TENDER: Final = "ocds-t3r4ng-2025-NOTHING-HERE"


def api(server: PortalServer, path: str, **query: Any) -> Any:
    """GET the JSON API, as any other client would (not through the browser)."""
    response = httpx.get(server.url + path, params=query, timeout=API_TIMEOUT_S)
    assert response.status_code == 200, f"{path}: {response.status_code} {response.text}"
    return response.json()


def api_tenders(server: PortalServer, **query: Any) -> list[dict[str, Any]]:
    """Every tender summary the API lists for ``query``, in ocid order, all pages."""
    found: list[dict[str, Any]] = []
    after = ""
    for _ in range(API_PAGES_MAX):
        page = api(
            server, "/api/v1/procurement/tenders", limit=API_PAGE_ITEMS, after=after, **query
        )
        found += page["items"]
        if page["next_after"] is None:
            return found
        after = page["next_after"]
    raise AssertionError(f"more than {API_PAGES_MAX} pages of tenders")


def sen(decimal_text: str) -> int:
    """The API's decimal rupiah string ("511000000.00") in sen."""
    value = Decimal(decimal_text) * 100
    assert value == value.to_integral_value(), decimal_text
    return int(value)


def opd_of(budget_line: str) -> str:
    """A budget line id is year:OPD:sub kegiatan:account:funding source."""
    return budget_line.split(":")[1]


def showcase_tender(server: PortalServer) -> dict[str, Any]:
    """The demo tender that shows the most on its page: awarded, with a contract, most bids."""
    tenders = api_tenders(server)
    assert tenders, "the demo has tenders"
    return max(
        tenders,
        key=lambda t: (
            t["state"] == "awarded",
            t.get("contract_status") is not None,
            t["bids_active"],
        ),
    )


@dataclass(frozen=True)
class Stop:
    """One page of the tour: ``name`` goes into screenshot names, ``status`` is expected."""

    name: str
    path: str
    status: int = 200


def tour(server: PortalServer) -> list[Stop]:
    """The main pages: home, every level of the budget explorer down to a budget line,
    that line's trace, the tender list (with results and empty), a tender, vendors, red
    flags, the planning proposals, the verify page, a 404."""
    tender = showcase_tender(server)
    line = tender["budget_line"]
    year, opd, sub_kegiatan = line.split(":")[:3]
    parts = sub_kegiatan.split(".")  # 1.01.01.2.02.0001: program 1.01.01, kegiatan 1.01.01.2.02
    programme, kegiatan = ".".join(parts[:3]), ".".join(parts[:5])
    vendors = api(server, "/api/v1/procurement/vendors")["items"]
    vendor = max(vendors, key=lambda v: v["bids_submitted"])

    def explorer(**query: str) -> str:
        return "/anggaran?" + urlencode({"year": year, **query})

    return [
        Stop("home", "/"),
        Stop("budget-year", explorer()),
        Stop("budget-opd", explorer(opd=opd)),
        Stop("budget-program", explorer(opd=opd, programme=programme)),
        Stop("budget-kegiatan", explorer(opd=opd, programme=kegiatan)),
        Stop("budget-sub-kegiatan", explorer(opd=opd, programme=sub_kegiatan)),
        Stop("budget-line", f"/anggaran/baris/{line}"),
        Stop("trace", f"/jejak/baris/{line}"),
        Stop("tenders", "/tender"),
        Stop("tenders-empty", "/tender?q=no-such-tender-anywhere"),
        Stop("tender", f"/tender/{tender['ocid']}"),
        Stop("vendors", "/penyedia"),
        Stop("vendor", f"/penyedia/{vendor['vendor_id']}"),
        Stop("redflags", "/tanda-peringatan"),
        Stop("planning", "/perencanaan"),
        Stop("verify", "/verifikasi"),
        Stop("not-found", f"/tender/{NO_SUCH_TENDER}", status=404),
    ]


def visit(page: Page, server: PortalServer, stop: Stop) -> None:
    response = page.goto(server.url + stop.path)
    assert response is not None
    assert response.status == stop.status, f"{stop.path}: HTTP {response.status}"


def new_context(browser: Browser, viewport: dict[str, int]) -> BrowserContext:
    """A phone is a touch screen that honours ``<meta name=viewport>``; a desktop is not.
    The browser asks for English (``Accept-Language``): the portal ignores it on purpose."""
    phone = viewport["width"] < DESKTOP["width"]
    return browser.new_context(
        viewport={"width": viewport["width"], "height": viewport["height"]},
        is_mobile=phone,
        has_touch=phone,
        locale="en-GB",
    )
