"""The standalone verifier as a visitor uses it: saved once from one Terang server, opened
from ``file://``, and pointed at another log (another origin, another key), in Debian's
headless Chromium with the page's own Content-Security-Policy in force.

Every request the browser context makes is recorded: the page may load nothing and may ask
for nothing but the one URL typed into it. Tampering is done as a dishonest server or proxy
would, on the wire (``context.route``) or in the file handed to the page.
"""

from __future__ import annotations

import base64
import hashlib
import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from browser_harness import PortalServer
from playwright.sync_api import (
    Browser,
    BrowserContext,
    FilePayload,
    Page,
    Request,
    Route,
    expect,
)
from test_browser_a11y import IMPACTS_FAILING, VIEWPORTS, WCAG_TAGS, describe

from ledger.keys import load_client_key
from ledger.limits import Limits
from ledger.service import Ledger, Settings
from portal import standalone_verifier

OTHER_ORIGIN = "kota-lain.example/terang"
RESULT = "#verifier-result .verify-report"
SERVER_START_S_MAX = 30


@dataclass
class OtherLog:
    """A second, independent Terang service: its own origin, log key and data."""

    url: str
    ledger: Ledger

    def bundle_url(self, subject: str) -> str:
        return f"{self.url}/api/v1/records/{subject}/bundle"


@pytest.fixture(scope="module")
def other_log(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OtherLog]:
    import uvicorn
    from conftest import free_port

    from ledger.bootstrap import init_log
    from terang.app import all_kinds, create_app
    from terang.demo import load_demo

    root = tmp_path_factory.mktemp("other-log")
    settings = Settings(
        database_url=f"sqlite:///{root / 'terang.db'}",
        log_key_file=root / "keys" / "log.key",
        limits=Limits(checkpoint_interval_ms_min=0),
    )
    # The root authority key and the demo's keys live outside the log key's directory.
    authority = root / "offline-keys" / "authority.key"
    init_log(settings, all_kinds(), origin=OTHER_ORIGIN, authority_key_file=authority)
    ledger = Ledger(settings, all_kinds())
    try:
        load_demo(ledger, load_client_key(authority), root / "demo-keys")
        ledger.publisher.publish(force=True)
        port = free_port()
        server = uvicorn.Server(
            uvicorn.Config(create_app(ledger), host="127.0.0.1", port=port, log_level="warning")
        )
        thread = threading.Thread(target=server.run, name="other-log", daemon=True)
        thread.start()
        deadline = time.monotonic() + SERVER_START_S_MAX
        while not server.started:
            assert thread.is_alive() and time.monotonic() < deadline, "the server did not start"
            time.sleep(0.05)
        try:
            yield OtherLog(f"http://127.0.0.1:{port}", ledger)
        finally:
            server.should_exit = True
            thread.join(timeout=30)
    finally:
        ledger.close()


@pytest.fixture(scope="module")
def tender(other_log: OtherLog) -> str:
    """A tender of the other log whose bundle has the most signer registrations."""
    items = httpx.get(other_log.url + "/api/v1/procurement/tenders").json()["items"]

    def signers(ocid: str) -> int:
        return len(httpx.get(other_log.bundle_url(ocid)).json()["signer_registrations"])

    return str(max((t["ocid"] for t in items), key=signers))


@pytest.fixture(scope="module")
def saved_file(portal_server: PortalServer, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The file as a visitor saves it from the first server (portal_server)."""
    response = httpx.get(portal_server.url + standalone_verifier.DOWNLOAD_PATH)
    assert response.status_code == 200
    assert response.headers["content-disposition"].startswith("attachment")
    assert response.content == standalone_verifier.HTML_PATH.read_bytes()
    published = httpx.get(portal_server.url + standalone_verifier.HASH_PATH).text
    assert published == f"{hashlib.sha256(response.content).hexdigest()}  terang-verifier.html\n"
    path = tmp_path_factory.mktemp("download") / "terang-verifier.html"
    path.write_bytes(response.content)
    return path


@dataclass
class Visit:
    page: Page
    context: BrowserContext
    requests: list[str]
    console_errors: list[str]


@pytest.fixture
def visit(browser: Browser, saved_file: Path) -> Iterator[Visit]:
    """The saved file opened from disk; every request of the context recorded from the start."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    requests: list[str] = []
    context.on("request", lambda request: requests.append(request.url))
    page = context.new_page()
    errors: list[str] = []
    console: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda m: console.append(m.text) if m.type == "error" else None)
    page.goto(saved_file.as_uri())
    try:
        yield Visit(page, context, requests, console)
    finally:
        context.close()
    assert not errors, f"uncaught JavaScript errors on the page: {errors}"


def checks(page: Page) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for item in page.locator(f"{RESULT} li").all():
        found.setdefault(item.get_attribute("data-check") or "", []).append(item.inner_text())
    return found


def to_english(page: Page) -> None:
    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")


def fetch_and_verify(page: Page, key: str, url: str) -> None:
    page.get_by_label("Log verifier key").fill(key)
    page.get_by_label("Or an address (URL) to download").fill(url)
    page.get_by_role("button", name="Download and verify").click()
    expect(page.locator(RESULT)).to_have_count(1)


def flip_entry_byte(bundle: dict[str, Any]) -> int:
    item = bundle["entries"][0]
    data = bytearray(base64.b64decode(item["entry_bytes_b64"]))
    data[len(data) // 2] ^= 0x01
    item["entry_bytes_b64"] = base64.b64encode(bytes(data)).decode("ascii")
    return int(item["seq"])


def test_the_saved_file_verifies_another_logs_bundle_and_asks_only_that_url(
    visit: Visit, saved_file: Path, portal_server: PortalServer, other_log: OtherLog, tender: str
) -> None:
    page = visit.page
    # Bahasa Indonesia first, in the file as saved.
    expect(page.locator("html")).to_have_attribute("lang", "id")
    expect(page.locator("h1")).to_have_text("Verifikator mandiri Terang")
    to_english(page)
    expect(page.locator("h1")).to_have_text("Terang standalone verifier")
    assert other_log.ledger.verifier_key() != portal_server.ledger.verifier_key()

    url = other_log.bundle_url(tender)
    fetch_and_verify(page, other_log.ledger.verifier_key(), url)
    report = page.locator(RESULT)
    expect(report).to_have_attribute("data-ok", "true")
    expect(report.locator(".verify-checkpoint")).to_contain_text(OTHER_ORIGIN)
    bundle = httpx.get(url).json()
    found = checks(page)
    assert f"{len(bundle['entries'])} statement signatures" in found["signature"][0]
    assert not any(text.startswith("✗") for texts in found.values() for text in texts)
    expect(page.locator(".verifier-source")).to_contain_text(url)
    # The file itself, then the one URL typed: nothing else, not even a favicon.
    assert visit.requests == [saved_file.as_uri(), url]
    assert visit.console_errors == []


def test_the_saved_file_refuses_a_tampered_bundle_and_the_wrong_key(
    visit: Visit, portal_server: PortalServer, other_log: OtherLog, tender: str
) -> None:
    page = visit.page
    to_english(page)
    url = other_log.bundle_url(tender)
    seen: dict[str, int] = {}

    def tampered(route: Route) -> None:
        response = route.fetch()
        bundle = response.json()
        seen["seq"] = flip_entry_byte(bundle)
        route.fulfill(response=response, body=json.dumps(bundle))

    visit.context.route(url, tampered)
    fetch_and_verify(page, other_log.ledger.verifier_key(), url)
    expect(page.locator(RESULT)).to_have_attribute("data-ok", "false")
    failure = checks(page)["inclusion"][-1]
    assert failure.startswith("✗") and f"entry {seen['seq']}" in failure
    visit.context.unroute(url)

    # The untouched bundle, checked against the key of the server the file came from.
    fetch_and_verify(page, portal_server.ledger.verifier_key(), url)
    expect(page.locator(RESULT)).to_have_attribute("data-ok", "false")
    assert "not signed by the log key" in checks(page)["checkpoint"][-1]

    # A tampered file picked from disk, with the right key: refused, and nothing fetched.
    before = list(visit.requests)
    bundle = httpx.get(url).json()
    seq = flip_entry_byte(bundle)
    page.get_by_label("Log verifier key").fill(other_log.ledger.verifier_key())
    payload: FilePayload = {
        "name": "record.json",
        "mimeType": "application/json",
        "buffer": json.dumps(bundle).encode(),
    }
    page.get_by_label("Proof file", exact=True).set_input_files(files=[payload])
    expect(page.locator(RESULT)).to_have_attribute("data-ok", "false")
    assert f"entry {seq}" in checks(page)["inclusion"][-1]
    assert visit.requests == before


def test_pasted_checkpoint_and_receipt_verify_offline(
    visit: Visit, saved_file: Path, other_log: OtherLog
) -> None:
    page = visit.page
    to_english(page)
    visit.context.set_offline(True)
    key = other_log.ledger.verifier_key()
    page.get_by_label("Log verifier key").fill(key)
    checkpoint = httpx.get(other_log.url + "/log/checkpoint").text
    page.get_by_label("Or paste its text").fill(checkpoint)
    page.get_by_role("button", name="Verify the text").click()
    expect(page.locator(RESULT)).to_have_attribute("data-ok", "true")
    expect(page.locator(f"{RESULT} .verify-headline")).to_contain_text("this checkpoint is signed")

    proof = httpx.get(other_log.url + "/api/v1/entries/3/tlog-proof").text
    entry = httpx.get(other_log.url + "/api/v1/entries", params={"after_seq": 2, "limit": 1})
    receipt = {"seq": 3, "leaf_hash": entry.json()["items"][0]["leaf_hash"], "tlog_proof": proof}
    page.get_by_label("Or paste its text").fill(json.dumps(receipt))
    page.get_by_role("button", name="Verify the text").click()
    expect(page.locator(RESULT)).to_have_attribute("data-ok", "true")
    assert "Entry 3 is in the checkpoint's Merkle tree" in checks(page)["receipt_inclusion"][0]

    # A checkpoint with one byte of its root changed no longer verifies.
    lines = checkpoint.split("\n")
    lines[2] = ("A" if lines[2][0] != "A" else "B") + lines[2][1:]
    page.get_by_label("Or paste its text").fill("\n".join(lines))
    page.get_by_role("button", name="Verify the text").click()
    expect(page.locator(RESULT)).to_have_attribute("data-ok", "false")
    assert visit.requests == [saved_file.as_uri()]


SLOW_NETWORK = """() => {
  const get = globalThis.fetch;
  globalThis.fetch = (...args) =>
    new Promise((done) => setTimeout(done, 1000)).then(() => get(...args));
}"""


def test_a_slow_download_never_paints_over_a_later_check(
    visit: Visit, other_log: OtherLog, tender: str
) -> None:
    """A visitor starts a download, then pastes a forged checkpoint and checks that first.
    When the (good) download ends, its "Verified" must not replace the forgery's failure."""
    page = visit.page
    to_english(page)
    page.evaluate(SLOW_NETWORK)
    page.get_by_label("Log verifier key").fill(other_log.ledger.verifier_key())
    page.get_by_label("Or an address (URL) to download").fill(other_log.bundle_url(tender))
    page.get_by_role("button", name="Download and verify").click()
    lines = httpx.get(other_log.url + "/log/checkpoint").text.split("\n")
    lines[2] = ("A" if lines[2][0] != "A" else "B") + lines[2][1:]
    page.get_by_label("Or paste its text").fill("\n".join(lines))
    page.get_by_role("button", name="Verify the text").click()
    expect(page.locator(RESULT)).to_have_attribute("data-ok", "false")
    page.wait_for_timeout(2500)  # the download and its check are over by now
    expect(page.locator(RESULT)).to_have_count(1)
    expect(page.locator(RESULT)).to_have_attribute("data-ok", "false")
    expect(page.locator(".verifier-source")).to_have_text("Pasted text")
    expect(page.locator("#verifier-result")).not_to_have_attribute("aria-busy", "true")


def test_a_cosigned_checkpoint_verifies_with_its_witness_key(
    visit: Visit, saved_file: Path, portal_server: PortalServer
) -> None:
    # The first server's checkpoint carries a witness cosignature: a note of several lines.
    page = visit.page
    to_english(page)
    page.get_by_label("Log verifier key").fill(portal_server.ledger.verifier_key())
    page.get_by_label("Witness keys (one per line, optional)").fill(
        portal_server.witness.verifier().verifier_key()
    )
    note = portal_server.latest_note()
    cosigned = httpx.get(portal_server.url + "/log/checkpoint").text
    assert cosigned.startswith(note.split("\n\n")[0]) and cosigned.count("\n\u2014 ") == 2
    page.get_by_label("Or paste its text").fill(cosigned)
    page.get_by_role("button", name="Verify the text").click()
    expect(page.locator(RESULT)).to_have_attribute("data-ok", "true")
    assert "witness.test/w1" in checks(page)["witness"][0]
    assert visit.requests == [saved_file.as_uri()]


def test_the_policy_blocks_any_other_load(
    visit: Visit, saved_file: Path, portal_server: PortalServer
) -> None:
    # Not vacuous: what a swapped-in or injected piece of code would try is refused by the
    # browser itself, before any request is made.
    page = visit.page
    blocked: dict[str, str] = {}

    def failed(request: Request) -> None:
        blocked[request.url] = request.failure or ""

    visit.context.on("requestfailed", failed)
    outcome = page.evaluate(
        """async (server) => {
            const violations = [];
            document.addEventListener("securitypolicyviolation", (e) =>
                violations.push(e.violatedDirective));
            const inline = document.createElement("script");
            inline.textContent = "window.injected = true;";
            document.body.append(inline);
            const external = document.createElement("script");
            external.src = server + "/static/verify.js";
            document.body.append(external);
            const image = new Image();
            image.src = server + "/static/favicon.svg";
            document.body.append(image);
            await new Promise((resolve) => setTimeout(resolve, 500));
            return { injected: window.injected === true, violations };
        }""",
        portal_server.url,
    )
    assert outcome["injected"] is False
    assert {"script-src-elem", "img-src"} <= set(outcome["violations"])
    # Chromium reports the attempts as requests, each failed by the policy before it left.
    attempts = [portal_server.url + "/static/verify.js", portal_server.url + "/static/favicon.svg"]
    assert sorted(visit.requests) == sorted([saved_file.as_uri(), *attempts])
    assert blocked == {url: "csp" for url in attempts}


def test_the_language_switch_changes_the_result_too(visit: Visit, other_log: OtherLog) -> None:
    page = visit.page
    page.get_by_label("Kunci verifikasi log").fill(other_log.ledger.verifier_key())
    page.get_by_label("Atau tempel teksnya").fill(httpx.get(other_log.url + "/log/checkpoint").text)
    page.get_by_role("button", name="Verifikasi teks").click()
    headline = page.locator(f"{RESULT} .verify-headline")
    expect(headline).to_contain_text("Terverifikasi")
    to_english(page)
    expect(headline).to_contain_text("Verified")
    page.get_by_role("button", name="Bahasa Indonesia").click()
    expect(page.locator("html")).to_have_attribute("lang", "id")
    expect(headline).to_contain_text("Terverifikasi")


# ---------------------------------------------------------------- accessibility (axe-core)


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_the_standalone_page_passes_axe_in_both_languages(
    axe_script: Path, browser: Browser, saved_file: Path, other_log: OtherLog, size: str
) -> None:
    # The portal's bar (tests/browser/test_browser_a11y.py): WCAG 2.1 A/AA, no serious or
    # critical violation, before and after a result is shown. axe is injected by the test,
    # so this context alone bypasses the page's CSP (the other tests run with it in force).
    width, height = VIEWPORTS[size]["width"], VIEWPORTS[size]["height"]
    context = browser.new_context(viewport={"width": width, "height": height}, bypass_csp=True)
    try:
        page = context.new_page()
        page.goto(saved_file.as_uri())
        page.add_script_tag(path=str(axe_script))

        def failing(where: str) -> list[str]:
            found: list[dict[str, Any]] = page.evaluate(
                """tags => axe.run(document, {
                    runOnly: {type: "tag", values: tags}, resultTypes: ["violations"],
                }).then((r) => r.violations)""",
                list(WCAG_TAGS),
            )
            return [describe(where, v) for v in found if v["impact"] in IMPACTS_FAILING]

        problems = failing("id")
        page.get_by_label("Kunci verifikasi log").fill(other_log.ledger.verifier_key())
        page.get_by_label("Atau tempel teksnya").fill(
            httpx.get(other_log.url + "/log/checkpoint").text
        )
        page.get_by_role("button", name="Verifikasi teks").click()
        expect(page.locator(RESULT)).to_have_attribute("data-ok", "true")
        problems += failing("id, after a result")
        to_english(page)
        problems += failing("en, after a result")
        assert not problems, "accessibility violations (serious or critical):\n" + "\n".join(
            problems
        )
    finally:
        context.close()
