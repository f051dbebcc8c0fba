"""The workspace's vendor page on the demo kabupaten: open tenders, and their documents
downloaded with the SHA-256 checked in the browser against the hash the log holds.

Apart from test_browser_workspace.py because it needs the demo (``portal_server``,
shared with the portal's browser tests), not a fresh log.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from browser_harness import PortalServer
from playwright.sync_api import Browser, Route, expect
from workspace_tour import AXE_PATH, TIMEOUT_MS, VIEWPORTS, axe_failures, shot


def test_a_vendor_downloads_tender_documents_checked_against_the_log(
    axe_script: Path, browser: Browser, portal_server: PortalServer
) -> None:
    # The demo kabupaten has an open tender with its documents stored.
    context = browser.new_context(viewport=VIEWPORTS["desktop"], accept_downloads=True)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        page.goto(portal_server.url + "/kerja/penyedia")
        expect(page.locator("body")).to_have_attribute("data-ready", "true")
        button = page.locator("button[data-document]").first
        expected = button.get_attribute("data-document")
        status = page.locator("#" + str(button.get_attribute("aria-describedby")))
        button.click()
        expect(status).to_have_attribute("data-check", "ok")
        with page.expect_download() as download:
            status.locator("a").click()
        saved = Path(download.value.path())
        assert hashlib.sha256(saved.read_bytes()).hexdigest() == expected
        shot(page, "09-document-checked")
        context.route(
            portal_server.url + AXE_PATH,
            lambda route: route.fulfill(path=str(axe_script), content_type="text/javascript"),
        )
        failing = axe_failures(page, portal_server.url, "/kerja/penyedia with open tenders")
        assert not failing, "\n".join(failing)

        # A server (or anyone on the way) serving other bytes is caught before saving.
        def altered(route: Route) -> None:
            route.fulfill(
                status=200,
                body=b"not the announced document",
                content_type="application/octet-stream",
            )

        context.route("**/api/v1/procurement/documents/**", altered)
        page.reload()
        expect(page.locator("body")).to_have_attribute("data-ready", "true")
        page.locator("button[data-document]").first.click()
        expect(status).to_have_attribute("data-check", "mismatch")
        assert status.locator("a").count() == 0  # nothing offered to save
        expect(status).to_contain_text("TIDAK cocok")
    finally:
        context.close()
    assert not errors, errors
