"""Verify in the browser, as a visitor does it: press Verify on a record page, or drop a
downloaded bundle or receipt on /verifikasi, in headless Chromium.

The record page is the portal's tender page; the tamper tests rewrite the bundle the
page receives with ``page.route``, as a dishonest server or a proxy could.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from browser_harness import PortalServer
from playwright.sync_api import FilePayload, Page, Route, expect

from ledger.note import generate_signer
from ledger.publisher import latest_checkpoint
from portal import standalone_verifier

BUNDLE_ROUTE = "**/api/v1/records/**/bundle"
RESULT = "#verify-result .verify-report"


@pytest.fixture(scope="module")
def record_page(portal_server: PortalServer) -> Callable[[str], str]:
    """The portal's tender page (portal/pages_tenders.py), in English."""
    return lambda ocid: f"{portal_server.url}/tender/{ocid}?lang=en"


@pytest.fixture(scope="module")
def tender(portal_server: PortalServer) -> str:
    """A demo tender's ocid, the one whose record has the most signers (committee,
    vendors, the procurement officer): every kind of entry a bundle can hold."""
    tenders = httpx.get(portal_server.url + "/api/v1/procurement/tenders").json()["items"]
    assert tenders, "the demo has tenders"

    def signers(ocid: str) -> int:
        bundle = httpx.get(f"{portal_server.url}/api/v1/records/{ocid}/bundle").json()
        return len(bundle["signer_registrations"])

    return str(max((t["ocid"] for t in tenders), key=signers))


def checks(page: Page) -> dict[str, list[str]]:
    """The rendered result: check id -> texts of its list items, ✓/✗/– first."""
    found: dict[str, list[str]] = {}
    for item in page.locator(f"{RESULT} li").all():
        found.setdefault(item.get_attribute("data-check") or "", []).append(item.inner_text())
    return found


def press_verify(page: Page) -> dict[str, list[str]]:
    page.get_by_role("button", name="Verify in the browser").click()
    expect(page.locator(RESULT)).to_have_count(1)
    return checks(page)


def test_verify_succeeds_on_a_record_page(
    page: Page, portal_server: PortalServer, record_page: Callable[[str], str], tender: str
) -> None:
    page.goto(record_page(tender))
    found = press_verify(page)
    report = page.locator(RESULT)
    expect(report).to_have_attribute("data-ok", "true")
    expect(report.locator(".verify-headline")).to_contain_text("✓ Verified")

    with portal_server.ledger.engine.connect() as conn:
        published = latest_checkpoint(conn)
    assert published is not None
    # What it verified against: this log's origin, size and root, and the key it trusted.
    expect(report.locator(".verify-checkpoint")).to_contain_text(portal_server.ledger.origin)
    expect(report.locator(".verify-root")).to_have_text(published.root_hash.hex())
    expect(report.locator(".verify-checkpoint")).to_contain_text(str(published.size))
    expect(report.locator(".verify-checkpoint")).to_contain_text(
        portal_server.ledger.verifier_key()
    )
    bundle = httpx.get(f"{portal_server.url}/api/v1/records/{tender}/bundle").json()
    entries = len(bundle["entries"])
    registrations = len(bundle["signer_registrations"])
    assert found["checkpoint"][0].startswith("✓")
    assert found["witness"] == [found["witness"][0]] and "witness.test/w1" in found["witness"][0]
    assert f"{entries + registrations} entries are in the checkpoint" in found["inclusion"][0]
    assert f"{entries} statement signatures" in found["signature"][0]
    assert f"{entries} entries are about {tender}" in found["subject"][0]
    assert not any(text.startswith("✗") for texts in found.values() for text in texts)


def test_verify_says_which_verifier_ran(
    page: Page, portal_server: PortalServer, record_page: Callable[[str], str], tender: str
) -> None:
    # The hash of the verify.js that ran, computed in the page, beside the published hashes of
    # the standalone verifier and of the verify.js it embeds: equal on an honest server.
    page.goto(record_page(tender))
    press_verify(page)
    ran = page.locator("#verify-result .verify-identity-ran")
    verify_js = hashlib.sha256(standalone_verifier.VERIFY_JS.read_bytes()).hexdigest()
    expect(ran).to_have_attribute("data-sha256", verify_js)
    expect(ran).to_contain_text(verify_js)
    standalone = page.locator("#verify-result .verify-identity-standalone")
    published = standalone_verifier.published()
    expect(standalone).to_have_attribute("data-html-sha256", published.html_sha256)
    expect(standalone).to_contain_text(published.html_sha256)
    expect(standalone).to_contain_text("That is the code that just ran here.")


def test_a_swapped_verify_js_shows_a_different_hash(
    page: Page, portal_server: PortalServer, record_page: Callable[[str], str], tender: str
) -> None:
    # A server that serves other verifier code (here: one comment more) cannot make the page
    # show the published hash for it unless it also lies in the code it serves; an honest page
    # with drifted code says so.
    swapped = standalone_verifier.VERIFY_JS.read_bytes() + b"// swapped\n"

    def serve_swapped(route: Route) -> None:
        route.fulfill(body=swapped, content_type="text/javascript; charset=utf-8")

    page.route("**/static/verify.js*", serve_swapped)
    page.goto(record_page(tender))
    press_verify(page)
    ran = page.locator("#verify-result .verify-identity-ran")
    expect(ran).to_have_attribute("data-sha256", hashlib.sha256(swapped).hexdigest())
    expect(page.locator("#verify-result .verify-identity-standalone")).to_contain_text(
        "WARNING: that code DIFFERS"
    )


def test_verify_succeeds_on_vendor_and_budget_line_pages(
    page: Page, portal_server: PortalServer, tender: str
) -> None:
    # A vendor's record is signed by its own key (a self-registration); a budget line's by
    # the finance office: the other record pages, and the other kinds of signer.
    vendor = httpx.get(portal_server.url + "/api/v1/procurement/vendors").json()["items"][0]
    doc = httpx.get(f"{portal_server.url}/api/v1/procurement/tenders/{tender}").json()["tender"]
    for path in (f"/penyedia/{vendor['vendor_id']}", f"/anggaran/baris/{doc['budget_line']}"):
        page.goto(f"{portal_server.url}{path}?lang=en")
        press_verify(page)
        expect(page.locator(RESULT)).to_have_attribute("data-ok", "true")


def _flip_entry_byte(bundle: dict[str, Any]) -> int:
    item = bundle["entries"][0]
    data = bytearray(base64.b64decode(item["entry_bytes_b64"]))
    data[len(data) // 2] ^= 0x01
    item["entry_bytes_b64"] = base64.b64encode(bytes(data)).decode("ascii")
    return int(item["seq"])


def _flip_inclusion(bundle: dict[str, Any]) -> int:
    item = bundle["entries"][-1]
    first = item["inclusion"][0]
    item["inclusion"][0] = ("0" if first[0] != "0" else "1") + first[1:]
    return int(item["seq"])


def _flip_note_line(bundle: dict[str, Any], line: int) -> None:
    lines = bundle["checkpoint"].split("\n")
    head, _, last = lines[line].rpartition(" ")
    raw = bytearray(base64.b64decode(last))
    raw[-1] ^= 0x01
    lines[line] = (head + " " if head else "") + base64.b64encode(bytes(raw)).decode("ascii")
    bundle["checkpoint"] = "\n".join(lines)


def _flip_root(bundle: dict[str, Any]) -> None:
    _flip_note_line(bundle, 2)


def _flip_log_signature(bundle: dict[str, Any]) -> None:
    _flip_note_line(bundle, 4)


def _flip_witness_signature(bundle: dict[str, Any]) -> None:
    _flip_note_line(bundle, 5)


def _swap_subject(other: dict[str, Any]) -> Callable[[dict[str, Any]], int]:
    def swap(bundle: dict[str, Any]) -> int:
        # An entry of another record, with its valid proof to the same checkpoint.
        bundle["entries"][0] = other["entries"][0]
        return int(other["entries"][0]["seq"])

    return swap


def _drop_registrations(bundle: dict[str, Any]) -> int:
    bundle["signer_registrations"] = []
    return int(bundle["entries"][0]["seq"])


TAMPERS: list[tuple[str, str, str]] = [
    # (name, the failing check, what its text must say)
    ("entry byte", "inclusion", "the inclusion proof leads to root"),
    ("inclusion path", "inclusion", "not the checkpoint's"),
    ("checkpoint root", "checkpoint", "signature by kab-contoh.example/terang does not verify"),
    ("log signature", "checkpoint", "signature by kab-contoh.example/terang does not verify"),
    ("witness cosignature", "witness", "cosignature by witness.test/w1 does not verify"),
    ("entry of another record", "subject", "is about"),
    ("signer registrations removed", "signature", "does not show the registration"),
]


@pytest.mark.parametrize(("tamper", "check", "reason"), TAMPERS, ids=[t[0] for t in TAMPERS])
def test_a_tampered_bundle_fails_with_the_reason(
    page: Page,
    portal_server: PortalServer,
    record_page: Callable[[str], str],
    tender: str,
    tamper: str,
    check: str,
    reason: str,
) -> None:
    other = httpx.get(f"{portal_server.url}/api/v1/records/genesis/bundle").json()
    edits: dict[str, Callable[[dict[str, Any]], int | None]] = {
        "entry byte": _flip_entry_byte,
        "inclusion path": _flip_inclusion,
        "checkpoint root": _flip_root,
        "log signature": _flip_log_signature,
        "witness cosignature": _flip_witness_signature,
        "entry of another record": _swap_subject(other),
        "signer registrations removed": _drop_registrations,
    }
    seen: dict[str, int | None] = {}

    def serve_tampered(route: Route) -> None:
        response = route.fetch()
        bundle = response.json()
        seen["seq"] = edits[tamper](bundle)
        route.fulfill(response=response, body=json.dumps(bundle))

    page.route(BUNDLE_ROUTE, serve_tampered)
    page.goto(record_page(tender))
    found = press_verify(page)
    report = page.locator(RESULT)
    expect(report).to_have_attribute("data-ok", "false")
    expect(report.locator(".verify-headline")).to_contain_text("✗ Verification FAILED")
    failed = [text for texts in found.values() for text in texts if text.startswith("✗")]
    assert len(failed) == 1, found
    assert found[check][-1] == failed[0]
    assert reason in failed[0]
    if seen.get("seq") is not None:
        assert f"entry {seen['seq']}" in failed[0]
    # Checks that ran before the failure are still shown as passed.
    assert found["log_key"][0].startswith("✓")


# ---------------------------------------------------------------- the drop page, offline


@pytest.fixture
def drop_page(page: Page, portal_server: PortalServer) -> Iterator[tuple[Page, list[str]]]:
    """/verifikasi, loaded; then the browser goes offline and every request is recorded."""
    page.goto(portal_server.url + "/verifikasi?lang=en")
    page.wait_for_load_state("networkidle")
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.context.set_offline(True)
    yield page, requests
    page.context.set_offline(False)


def drop(page: Page, name: str, content: bytes) -> None:
    payload: FilePayload = {"name": name, "mimeType": "application/octet-stream", "buffer": content}
    page.get_by_label("Proof file", exact=True).set_input_files(files=[payload])


def _receipt(portal_server: PortalServer, seq: int) -> dict[str, Any]:
    """A receipt as the write API returns it (ledger/api.py ReceiptPublic), from reads."""
    items = httpx.get(
        portal_server.url + "/api/v1/entries", params={"after_seq": seq - 1, "limit": 1}
    ).json()["items"]
    proof = httpx.get(f"{portal_server.url}/api/v1/entries/{seq}/tlog-proof")
    assert proof.status_code == 200
    return {
        "seq": seq,
        "leaf_hash": items[0]["leaf_hash"],
        "logged_at": items[0]["entry"]["logged_at"],
        "duplicate": False,
        "tlog_proof": proof.text,
    }


def test_drop_page_verifies_a_bundle_offline(
    drop_page: tuple[Page, list[str]], portal_server: PortalServer, tender: str
) -> None:
    page, requests = drop_page
    expect(page.get_by_label("Log verifier key")).to_have_value(portal_server.ledger.verifier_key())
    bundle = httpx.get(f"{portal_server.url}/api/v1/records/{tender}/bundle").content
    drop(page, "record.json", bundle)
    report = page.locator(RESULT)
    expect(report).to_have_attribute("data-ok", "true")
    assert "witness.test/w1" in checks(page)["witness"][0]
    assert requests == []


def test_drop_page_verifies_receipts_offline(
    drop_page: tuple[Page, list[str]], portal_server: PortalServer
) -> None:
    page, requests = drop_page
    receipt = _receipt(portal_server, 3)
    drop(page, "receipt.json", json.dumps(receipt).encode())
    expect(page.locator(RESULT)).to_have_attribute("data-ok", "true")
    assert "Entry 3 is in the checkpoint's Merkle tree" in checks(page)["receipt_inclusion"][0]

    # A batch of receipts (POST /api/v1/statements/batch): one report each.
    batch = {"receipts": [_receipt(portal_server, 5), _receipt(portal_server, 8)]}
    drop(page, "batch.json", json.dumps(batch).encode())
    expect(page.locator(RESULT)).to_have_count(2)
    for report in page.locator(RESULT).all():
        expect(report).to_have_attribute("data-ok", "true")

    # A bare .tlog-proof needs the leaf hash of the entry the visitor holds.
    page.get_by_label("Entry leaf hash (hex), only for a bare .tlog-proof file").fill(
        receipt["leaf_hash"]
    )
    drop(page, "entry-3.tlog-proof", receipt["tlog_proof"].encode())
    # The batch's two verdicts are gone: only the new file's one stands.
    expect(page.locator(RESULT)).to_have_count(1)
    expect(page.locator(RESULT)).to_have_attribute("data-ok", "true")
    assert requests == []


def test_drop_page_verifies_a_cosigned_checkpoint_offline(
    drop_page: tuple[Page, list[str]], portal_server: PortalServer
) -> None:
    page, requests = drop_page
    checkpoint = httpx.get(portal_server.url + "/log/checkpoint").content
    drop(page, "checkpoint.txt", checkpoint)
    expect(page.locator(RESULT)).to_have_attribute("data-ok", "true")
    expect(page.locator(f"{RESULT} .verify-headline")).to_contain_text("this checkpoint is signed")
    assert "witness.test/w1" in checks(page)["witness"][0]
    # Its root changed: the log's signature no longer covers it.
    lines = checkpoint.decode().split("\n")
    lines[2] = ("A" if lines[2][0] != "A" else "B") + lines[2][1:]
    drop(page, "checkpoint.txt", "\n".join(lines).encode())
    expect(page.locator(RESULT)).to_have_attribute("data-ok", "false")
    assert checks(page)["checkpoint"][-1].startswith("✗")
    assert requests == []


SLOW_RECORD_FILE = """() => {
  const read = Blob.prototype.arrayBuffer;
  File.prototype.arrayBuffer = function () {
    const bytes = read.call(this);
    if (this.name !== "record.json") return bytes;
    return bytes.then((b) => new Promise((done) => setTimeout(() => done(b), 1000)));
  };
}"""


def test_drop_page_shows_only_the_newest_files_verdict(
    drop_page: tuple[Page, list[str]], portal_server: PortalServer, tender: str
) -> None:
    """A visitor drops a big record bundle and, before it is checked, a forged checkpoint.
    The bundle's slower "Verified" must never paint over the checkpoint's failure: the
    verdict on screen is always the last file's."""
    page, requests = drop_page
    bundle = httpx.get(f"{portal_server.url}/api/v1/records/{tender}/bundle").content
    lines = httpx.get(portal_server.url + "/log/checkpoint").text.split("\n")
    lines[2] = ("A" if lines[2][0] != "A" else "B") + lines[2][1:]
    # A slow disk: the bundle takes a second to read, so its check ends after the other's.
    page.evaluate(SLOW_RECORD_FILE)
    drop(page, "record.json", bundle)
    drop(page, "checkpoint.txt", "\n".join(lines).encode())
    expect(page.locator(RESULT)).to_have_attribute("data-ok", "false")
    page.wait_for_timeout(2000)  # the bundle's read and check are over by now
    expect(page.locator(RESULT)).to_have_count(1)
    expect(page.locator(RESULT)).to_have_attribute("data-ok", "false")
    assert set(checks(page)) >= {"checkpoint"} and "inclusion" not in checks(page)
    assert requests == []


def test_drop_page_rejects_a_tampered_file(
    drop_page: tuple[Page, list[str]], portal_server: PortalServer, tender: str
) -> None:
    page, requests = drop_page
    bundle = httpx.get(f"{portal_server.url}/api/v1/records/{tender}/bundle").json()
    seq = _flip_entry_byte(bundle)
    drop(page, "record.json", json.dumps(bundle).encode())
    expect(page.locator(RESULT)).to_have_attribute("data-ok", "false")
    failure = checks(page)["inclusion"][-1]
    assert failure.startswith("✗") and f"entry {seq}" in failure

    receipt = _receipt(portal_server, 3)
    receipt["leaf_hash"] = _receipt(portal_server, 4)["leaf_hash"]  # another entry's hash
    drop(page, "receipt.json", json.dumps(receipt).encode())
    expect(page.locator(RESULT)).to_have_attribute("data-ok", "false")
    assert checks(page)["inclusion"][-1].startswith("✗")
    assert requests == []


def test_drop_page_rejects_a_wrong_verifier_key(
    drop_page: tuple[Page, list[str]], portal_server: PortalServer, tender: str
) -> None:
    page, requests = drop_page
    bundle = httpx.get(f"{portal_server.url}/api/v1/records/{tender}/bundle").content
    # Another key under this log's very name: an impostor's checkpoint would carry it.
    impostor = generate_signer(portal_server.ledger.origin).verifier_key()
    key_field = page.get_by_label("Log verifier key")
    key_field.fill(impostor)
    drop(page, "record.json", bundle)
    expect(page.locator(RESULT)).to_have_attribute("data-ok", "false")
    failure = checks(page)["checkpoint"][-1]
    assert failure.startswith("✗") and "not signed by the log key" in failure
    expect(page.locator(f"{RESULT} .verify-checkpoint")).to_have_count(0)

    # A mistyped key is refused as a key, before anything is checked against it.
    key_field.fill(portal_server.ledger.verifier_key()[:-2] + "AA")
    page.get_by_role("button", name="Verify", exact=True).click()
    expect(page.locator(f"{RESULT} li[data-check=log_key]")).to_contain_text("✗")

    # The right key, pasted back, verifies the same file.
    key_field.fill(portal_server.ledger.verifier_key())
    page.get_by_role("button", name="Verify", exact=True).click()
    expect(page.locator(RESULT)).to_have_attribute("data-ok", "true")
    assert requests == []
