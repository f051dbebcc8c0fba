"""A trace step's Verify in the browser (issue 15 item 7): each step checks its own
one-entry record bundle with verify.js, then that the bundle holds that very step.

A dishonest server (``page.route``) that answers one step's bundle with another entry's
perfectly valid bundle, or with a tampered one, must get a failure, never a pass.
"""

from __future__ import annotations

import base64
import json
from typing import Any

import httpx
import pytest
from browser_harness import PortalServer
from playwright.sync_api import Page, Route, expect


@pytest.fixture(scope="module")
def trace(portal_server: PortalServer) -> dict[str, Any]:
    """The API's trace of the budget line of the demo's first tender (DPA to payment)."""
    tenders = httpx.get(portal_server.url + "/api/v1/procurement/tenders").json()["items"]
    line = next(t for t in tenders if t["ocid"].endswith("DEMO-001"))["budget_line"]
    found: dict[str, Any] = httpx.get(
        f"{portal_server.url}/api/v1/trace/line/{line}", params={"limit": 100}
    ).json()
    found["line"] = line
    return found


def step_of(trace: dict[str, Any], stage: str) -> dict[str, Any]:
    return next(s for s in trace["steps"] if s["stage"] == stage)


def open_trace(page: Page, server: PortalServer, trace: dict[str, Any]) -> None:
    page.goto(f"{server.url}/jejak/baris/{trace['line']}?lang=en")


def press(page: Page, seq: int) -> Any:
    step = page.locator(f"#step-{seq}")
    step.locator("button.trace-verify").click()
    report = step.locator(".verify-result .verify-report")
    expect(report).to_have_count(1)
    return report


@pytest.mark.parametrize("stage", ["appropriation", "award", "contract", "payment"])
def test_a_step_verifies_on_its_own(
    page: Page, portal_server: PortalServer, trace: dict[str, Any], stage: str
) -> None:
    open_trace(page, portal_server, trace)
    step = step_of(trace, stage)
    report = press(page, step["seq"])
    expect(report).to_have_attribute("data-ok", "true")
    expect(report.locator('[data-check="trace_seq"]')).to_contain_text(f"Entry {step['seq']}")
    expect(report.locator('[data-check="signature"]')).to_have_count(1)


def test_another_entrys_valid_bundle_is_a_failure(
    page: Page, portal_server: PortalServer, trace: dict[str, Any]
) -> None:
    """Same subject, valid proofs and signatures: only the seq check can catch it."""
    award, contract = step_of(trace, "award"), step_of(trace, "contract")
    assert award["subject"] == contract["subject"]
    other = httpx.get(portal_server.url + contract["bundle_url"]).text

    def swap(route: Route) -> None:
        route.fulfill(body=other, content_type="application/json")

    page.route(f"**{award['bundle_url'].split('?')[0]}?seq={award['seq']}", swap)
    open_trace(page, portal_server, trace)
    report = press(page, award["seq"])
    expect(report).to_have_attribute("data-ok", "false")
    expect(report.locator('.verify-check-fail[data-check="trace_seq"]')).to_have_count(1)


def test_a_tampered_bundle_is_a_failure(
    page: Page, portal_server: PortalServer, trace: dict[str, Any]
) -> None:
    payment = step_of(trace, "payment")
    bundle = httpx.get(portal_server.url + payment["bundle_url"]).json()
    entry = json.loads(base64.b64decode(bundle["entries"][0]["entry_bytes_b64"]))
    entry["statement"]["body"]["amount"] = "1.00"  # the money changed on the way
    bundle["entries"][0]["entry_bytes_b64"] = base64.b64encode(
        json.dumps(entry, sort_keys=True, separators=(",", ":")).encode()
    ).decode()

    def tamper(route: Route) -> None:
        route.fulfill(body=json.dumps(bundle), content_type="application/json")

    page.route(f"**/bundle?seq={payment['seq']}", tamper)
    open_trace(page, portal_server, trace)
    report = press(page, payment["seq"])
    expect(report).to_have_attribute("data-ok", "false")
    expect(report.locator('[data-check="inclusion"].verify-check-fail')).to_have_count(1)
