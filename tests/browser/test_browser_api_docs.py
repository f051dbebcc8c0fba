"""/docs renders Swagger UI in a real browser under its Content-Security-Policy (issue 10,
item 12): the policy lets the page's own files and start-up script run and nothing
else, so a policy too strict would show here as a blank page or a CSP report."""

from __future__ import annotations

from typing import TYPE_CHECKING

from browser_harness import PortalServer

if TYPE_CHECKING:
    from playwright.sync_api import ConsoleMessage, Page


def test_swagger_ui_runs_under_its_content_security_policy(
    page: Page, portal_server: PortalServer
) -> None:
    violations: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            violations.append(message.text)

    page.on("console", on_console)
    response = page.goto(portal_server.url + "/docs")
    assert response is not None
    assert "default-src 'none'" in response.headers["content-security-policy"]
    page.wait_for_selector(".swagger-ui .info .title", timeout=20_000)
    assert "Terang" in page.inner_text(".swagger-ui .info .title")
    page.wait_for_selector("#operations-ledger-append_statement", timeout=20_000)
    assert violations == []
