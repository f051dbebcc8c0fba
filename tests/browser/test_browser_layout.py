"""Every main page of the portal at a desktop width and at a phone width: a screenshot of
each saved as an artefact, no horizontal scrolling on a phone, and no request to anyone
but the portal itself.

Screenshots land in the harness's directory (``artifacts/screenshots/``, or
``$TERANG_ARTIFACTS_DIR/screenshots/``) as ``portal-<page>-<desktop|phone>.png``.
"""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from browser_harness import SCREENSHOTS, PortalServer
from playwright.sync_api import Browser, ConsoleMessage, Page, Request, expect
from portal_tour import DESKTOP, PHONE, Stop, new_context, tour, visit

VIEWPORTS = {"desktop": DESKTOP, "phone": PHONE}


@pytest.fixture(scope="module")
def stops(portal_server: PortalServer) -> list[Stop]:
    return tour(portal_server)


@pytest.fixture(params=sorted(VIEWPORTS))
def sized_page(browser: Browser, request: pytest.FixtureRequest) -> Iterator[tuple[str, Page]]:
    context = new_context(browser, VIEWPORTS[request.param])
    try:
        yield request.param, context.new_page()
    finally:
        context.close()


def origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def test_main_pages_fit_the_screen_and_load_only_from_the_portal(
    sized_page: tuple[str, Page], portal_server: PortalServer, stops: list[Stop]
) -> None:
    viewport, page = sized_page
    requested: list[str] = []
    errors: list[str] = []
    console: list[tuple[str, str]] = []
    page.on("request", lambda r: requested.append(r.url))
    page.on("pageerror", lambda error: errors.append(str(error)))
    current = {"stop": ""}

    def on_console(message: ConsoleMessage) -> None:
        # A CSP violation (an asset the page may not load) is reported here, as an error.
        if message.type == "error":
            console.append((current["stop"], message.text))

    page.on("console", on_console)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    too_wide: dict[str, tuple[int, int]] = {}
    for stop in stops:
        current["stop"] = stop.name
        visit(page, portal_server, stop)
        expect(page.locator("h1")).to_have_count(1)
        scroll_width, inner_width = page.evaluate(
            "() => [document.scrollingElement.scrollWidth, window.innerWidth]"
        )
        # The phone honours <meta name=viewport content="width=device-width">: without
        # it the page would be laid out 980 px wide and shrunk, and "fit" would mean nothing.
        assert inner_width == VIEWPORTS[viewport]["width"], (stop.path, inner_width)
        if scroll_width > inner_width:
            too_wide[stop.path] = (scroll_width, inner_width)
        shot = SCREENSHOTS / f"portal-{stop.name}-{viewport}.png"
        page.screenshot(path=str(shot), full_page=True)
        print(f"screenshot: {shot}")
    # Verifying in the browser fetches the record's bundle: from the portal too.
    current["stop"] = "tender"
    visit(page, portal_server, next(s for s in stops if s.name == "tender"))
    page.locator("#verify-button").click()
    expect(page.locator("#verify-result .verify-report")).to_have_attribute("data-ok", "true")
    page.screenshot(path=str(SCREENSHOTS / f"portal-tender-verified-{viewport}.png"))

    assert not too_wide, (
        f"pages wider than the {viewport} screen (scrollWidth, innerWidth): {too_wide}"
    )
    assert not errors, f"uncaught JavaScript errors: {errors}"
    # The 404 page's own status is logged by Chromium as a failed load; nothing else may be.
    unexpected = [
        (name, text) for name, text in console if not (name == "not-found" and "404" in text)
    ]
    assert not unexpected, f"console errors (CSP violations, failed loads): {unexpected}"
    assert requested, "no request was recorded"
    elsewhere = sorted({url for url in requested if origin(url) != portal_server.url})
    assert not elsewhere, f"requests to anyone but the portal: {elsewhere}"


def test_every_request_is_recorded(page: Page, portal_server: PortalServer) -> None:
    # The recorder above sees the stylesheet and the verifier's script, not only the
    # navigations: otherwise "no third-party request" would hold vacuously.
    seen: list[Request] = []
    page.on("request", lambda r: seen.append(r))
    page.goto(portal_server.url + "/verifikasi")
    kinds = {(r.resource_type, urlsplit(r.url).path) for r in seen}
    assert ("document", "/verifikasi") in kinds
    assert ("stylesheet", "/static/site.css") in kinds
    assert ("script", "/static/verify.js") in kinds
