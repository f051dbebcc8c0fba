"""The workspace (``/kerja``) in Debian's Chromium: keys made in the browser sign what
the log accepts, and the private key never leaves the browser.

One story on a fresh log, each person in a browser context of their own (their own
IndexedDB):

* the root authority restores its key into the browser from a backup file written in
  Python (the backup format read across implementations);
* a deputy generates a key in the browser and downloads its backup (opened here in
  Python: it holds the very key whose id the page shows); the authority registers it
  and grants it the authority role, each statement reviewed in plain words first;
* the deputy's browser signs a registration the log accepts and PyNaCl verifies; in a
  new context, the deputy's key restored from the backup file signs again (it revokes
  a role); a statement the log refuses shows the log's reason;
* a vendor generates a key, self-registers, and sees its status and who activates it;
  after an officer activates it, it sees itself active;
* the authority revokes the deputy's key (a lost laptop): the page says so, and the
  log refuses what the key signs next;
* every request body any browser sent is inspected: none holds a private key, in any
  encoding; every write was ``{"statement", "signature"}`` to ``/api/v1/statements``;
* ``terang verify`` then passes on the resulting log;
* the pages pass axe (WCAG 2.1 A/AA, serious and critical) in both languages at a
  desktop and a phone width.

Screenshots of each step go to ``artifacts/screenshots/workspace-*.png`` (docs/workspace.md
shows some of them).
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

import httpx
import pytest
from browser_harness import _serve
from nacl.signing import SigningKey, VerifyKey
from playwright.sync_api import Browser, BrowserContext, Page, Request, expect
from workspace_support import json_values, read_backup, write_backup
from workspace_tour import (
    AXE_PATH,
    TIMEOUT_MS,
    VIEWPORTS,
    axe_failures,
    shot,
)

from ledger.authority import KEY_REGISTERED_TYPE
from ledger.canonical import canonical_bytes
from ledger.errors import ClientError
from ledger.keys import CLIENT_KEY_PREFIX, load_client_key
from ledger.limits import Limits
from ledger.service import Ledger, Settings
from ledger.statement import LoggedEntry, b64encode, key_id_of
from procurement.vendors import ACTIVATED

ORIGIN: Final = "kab-uji.example/terang"
PASSPHRASE: Final = "frasa sandi cadangan yang cukup panjang"


@dataclass
class Workspace:
    url: str
    ledger: Ledger
    authority: SigningKey
    root: Path
    sent: list[tuple[str, str, bytes]] = field(default_factory=list)
    """Every request any browser context sent: method, URL, body."""
    errors: list[str] = field(default_factory=list)


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workspace]:
    from ledger.bootstrap import init_log
    from terang.app import all_kinds, create_app

    root = tmp_path_factory.mktemp("workspace")
    settings = Settings(
        database_url=f"sqlite:///{root / 'terang.db'}",
        log_key_file=root / "keys" / "log.key",
        limits=Limits(checkpoint_interval_ms_min=0),
    )
    authority_file = root / "offline-keys" / "authority.key"
    init_log(settings, all_kinds(), origin=ORIGIN, authority_key_file=authority_file)
    ledger = Ledger(settings, all_kinds())
    try:
        url, server, thread = _serve(create_app(ledger))
        try:
            yield Workspace(url, ledger, load_client_key(authority_file), root)
        finally:
            server.should_exit = True
            thread.join(timeout=30)
    finally:
        ledger.close()


def person(browser: Browser, ws: Workspace, viewport: str = "desktop") -> BrowserContext:
    """A browser context of one person: its own IndexedDB; every request it sends recorded."""
    context = browser.new_context(
        viewport=VIEWPORTS[viewport], locale="id-ID", accept_downloads=True
    )
    context.set_default_timeout(TIMEOUT_MS)

    def record(request: Request) -> None:
        ws.sent.append((request.method, request.url, request.post_data_buffer or b""))

    context.on("request", record)
    context.on("page", lambda page: page.on("pageerror", lambda e: ws.errors.append(str(e))))
    return context


def open_page(page: Page, ws: Workspace, path: str) -> None:
    page.goto(ws.url + path)
    expect(page.locator("body")).to_have_attribute("data-ready", "true")


def restore(page: Page, ws: Workspace, backup_file: Path, passphrase: str = PASSPHRASE) -> str:
    open_page(page, ws, "/kerja")
    page.set_input_files("#restore-file", str(backup_file))
    page.fill("#restore-passphrase", passphrase)
    page.click("#restore-form button[type=submit]")
    expect(page.locator("#restored")).to_be_visible()
    return page.locator("#my-key-id").inner_text()


def generate(page: Page, ws: Workspace, name: str, backup_to: Path) -> tuple[str, str]:
    """A key made in the browser: its key id and public key as the page shows them."""
    open_page(page, ws, "/kerja")
    page.fill("#generate-name", name)
    page.fill("#generate-passphrase", PASSPHRASE)
    page.fill("#generate-passphrase-again", PASSPHRASE)
    with page.expect_download() as download:
        page.click("#generate-form button[type=submit]")
    download.value.save_as(backup_to)
    expect(page.locator("#generated")).to_be_visible()
    return page.locator("#my-key-id").inner_text(), page.locator("#my-public-key").inner_text()


def sign_form(page: Page, form: str, fill: dict[str, str], says: str) -> dict[str, Any]:
    """Fill ``form``, review what it will sign (its plain words must say ``says``), sign
    and send; the page's result element."""
    for selector, value in fill.items():
        if selector.startswith("check:"):
            page.check(selector[len("check:") :])
        elif selector.startswith("select:"):
            page.select_option(selector[len("select:") :], value)
        else:
            page.fill(selector, value)
    page.click(f"#{form} button[type=submit]")
    expect(page.locator("#review")).to_be_visible()
    expect(page.locator("#review-summary")).to_contain_text(says)
    fields = page.locator("#review-fields")
    expect(fields).to_contain_text(ORIGIN)  # the log the signature is for
    expect(fields).to_contain_text(re.compile(r"\d{1,2} \w+ \d{4} \d{2}\.\d{2} WIB"))
    raw = json.loads(page.locator("#review-raw").text_content() or "")
    page.click("#review-sign")
    result = page.locator("#result-accepted, #result-refused")
    expect(result).to_be_visible()
    return {
        "statement": raw,
        "seq": result.get_attribute("data-seq"),
        "code": result.get_attribute("data-code"),
        "text": result.inner_text(),
    }


def entry(ws: Workspace, seq: int) -> LoggedEntry:
    got = httpx.get(f"{ws.url}/api/v1/entries/{seq}", timeout=30).json()
    return LoggedEntry.parse(base64.b64decode(got["entry_bytes_b64"]), Limits())


def verify_with_pynacl(ws: Workspace, seq: int, public_key_b64: str) -> LoggedEntry:
    logged = entry(ws, seq)
    message = logged.signed.statement.signing_message(origin=ORIGIN)
    VerifyKey(base64.b64decode(public_key_b64)).verify(message, logged.signed.signature)
    return logged


def secret_spellings(key: SigningKey) -> list[bytes]:
    """Every way a script could write a seed into a request body."""
    seed = bytes(key)
    b64 = base64.b64encode(seed)
    return [
        seed,
        b64,
        b64.rstrip(b"="),
        base64.urlsafe_b64encode(seed).rstrip(b"="),
        seed.hex().encode(),
        seed.hex().upper().encode(),
        json.dumps(list(seed)).encode(),
        json.dumps(list(seed)).replace(" ", "").encode(),
    ]


def test_keys_made_in_the_browser_sign_what_the_log_accepts(
    browser: Browser, workspace: Workspace
) -> None:
    ws = workspace
    root_id = key_id_of(bytes(ws.authority.verify_key))
    root_backup = ws.root / "root.terang-key.json"
    root_backup.write_text(json.dumps(write_backup(ws.authority, "Otoritas induk", PASSPHRASE)))

    # -- the root authority restores its key (a backup written in Python) -----------------
    authority_ctx = person(browser, ws)
    auth = authority_ctx.new_page()
    assert restore(auth, ws, root_backup) == root_id
    expect(auth.locator("#my-key-registry")).to_have_attribute("data-roles", "authority")
    shot(auth, "01-restored")

    # -- a deputy makes a key in the browser ---------------------------------------------
    deputy_ctx = person(browser, ws)
    deputy = deputy_ctx.new_page()
    deputy_backup = ws.root / "deputy.terang-key.json"
    deputy_id, deputy_public = generate(
        deputy, ws, "Wakil Otoritas — Sekretariat Daerah", deputy_backup
    )
    assert deputy_id == hashlib.sha256(base64.b64decode(deputy_public)).hexdigest()
    deputy_key = read_backup(json.loads(deputy_backup.read_text()), PASSPHRASE)
    assert key_id_of(bytes(deputy_key.verify_key)) == deputy_id
    expect(deputy.locator("#my-key-registry")).to_contain_text("Belum terdaftar")
    shot(deputy, "02-generated")

    # -- the authority registers it, then grants it a role -------------------------------
    open_page(auth, ws, "/kerja/otoritas")
    registered = sign_form(
        auth,
        "register-key-form",
        {
            "#register-public-key": deputy_public,
            "#register-name": "Wakil Otoritas — Sekretariat Daerah",
            "check:#register-role-finance": "",
        },
        says="Wakil Otoritas — Sekretariat Daerah",
    )
    assert registered["seq"] is not None, registered["text"]
    assert registered["statement"]["type"] == KEY_REGISTERED_TYPE
    assert registered["statement"]["subject"] == deputy_id
    assert registered["statement"]["body"]["roles"] == ["finance"]
    verify_with_pynacl(ws, int(registered["seq"]), b64encode(bytes(ws.authority.verify_key)))
    open_page(auth, ws, "/kerja/otoritas")
    granted = sign_form(
        auth,
        "grant-role-form",
        {"#grant-key-id": deputy_id, "select:#grant-role": "authority"},
        says="Otoritas",
    )
    assert granted["seq"] is not None, granted["text"]
    shot(auth, "03-granted")
    # The log refuses a role already held: the page says why, in the log's words.
    open_page(auth, ws, "/kerja/otoritas")
    again = sign_form(
        auth,
        "grant-role-form",
        {"#grant-key-id": deputy_id, "select:#grant-role": "authority"},
        says="",
    )
    assert again["seq"] is None and again["code"] == "role_held", again
    # A public key that is not one is caught in the browser: nothing is signed or sent.
    open_page(auth, ws, "/kerja/otoritas")
    auth.fill("#register-public-key", "bukan-kunci")
    auth.fill("#register-name", "Salah ketik")
    auth.click("#register-key-form button[type=submit]")
    expect(auth.locator("#result-invalid")).to_contain_text("base64")
    expect(auth.locator("#review")).to_be_hidden()
    open_page(auth, ws, "/kerja/otoritas")
    row = auth.locator(f'#holders tr[data-key-id="{deputy_id}"]')
    expect(row).to_have_attribute("data-roles", "authority finance")
    shot(auth, "04-holders")

    # -- the deputy's browser signs; PyNaCl verifies ---------------------------------------
    officer_ctx = person(browser, ws)
    officer = officer_ctx.new_page()
    officer_backup = ws.root / "officer.terang-key.json"
    officer_id, officer_public = generate(officer, ws, "PPK Dinas PUPR", officer_backup)
    open_page(deputy, ws, "/kerja/otoritas")
    expect(deputy.locator("#my-key-registry")).to_have_attribute("data-roles", "authority finance")
    by_deputy = sign_form(
        deputy,
        "register-key-form",
        {
            "#register-public-key": officer_public,
            "#register-name": "PPK Dinas PUPR",
            "check:#register-role-procurement_officer": "",
        },
        says="PPK Dinas PUPR",
    )
    assert by_deputy["seq"] is not None, by_deputy["text"]
    logged = verify_with_pynacl(ws, int(by_deputy["seq"]), deputy_public)
    assert logged.signed.statement.signer == deputy_id

    # -- the deputy's key, restored from its backup in a new browser, signs again ----------
    restored_ctx = person(browser, ws)
    restored = restored_ctx.new_page()
    assert restore(restored, ws, deputy_backup) == deputy_id
    open_page(restored, ws, "/kerja/otoritas")
    revoked = sign_form(
        restored,
        "revoke-role-form",
        {"#revoke-role-key-id": deputy_id, "select:#revoke-role": "finance"},
        says="Keuangan",
    )
    assert revoked["seq"] is not None, revoked["text"]
    verify_with_pynacl(ws, int(revoked["seq"]), deputy_public)
    open_page(restored, ws, "/kerja/otoritas")
    expect(restored.locator(f'#holders tr[data-key-id="{deputy_id}"]')).to_have_attribute(
        "data-roles", "authority"
    )
    shot(restored, "05-revoked-role")

    # -- a vendor registers itself and sees who activates it -------------------------------
    vendor_ctx = person(browser, ws)
    vendor = vendor_ctx.new_page()
    vendor_backup = ws.root / "vendor.terang-key.json"
    vendor_id, vendor_public = generate(vendor, ws, "CV Sinar Ñusantara", vendor_backup)
    open_page(vendor, ws, "/kerja/penyedia")
    expect(vendor.locator("#vendor-status")).to_have_attribute("data-status", "none")
    expect(vendor.locator(f'#activators li[data-key-id="{officer_id}"]')).to_be_visible()
    registration = sign_form(
        vendor,
        "vendor-register-form",
        {
            "#vendor-name": "CV Sinar Ñusantara",
            "#vendor-npwp": "01.234.567.8-901.000",
            "#vendor-address": "Jl. Merdeka No. 17, Kota Uji",
            "select:#vendor-qualification": "kecil",
        },
        says="CV Sinar Ñusantara",
    )
    assert registration["seq"] is not None, registration["text"]
    verify_with_pynacl(ws, int(registration["seq"]), vendor_public)
    expect(vendor.locator("#vendor-status")).to_have_attribute("data-status", "registered")
    expect(vendor.locator("#vendor-status")).to_contain_text("procurement_officer")
    expect(vendor.locator("#vendor-status")).to_contain_text("NPWP 01.234.567.8-901.000")
    expect(vendor.locator("#vendor-name")).to_have_value("")  # the form is done with
    shot(vendor, "06-vendor-registered")
    # -- the officer activates it, in its own browser ---------------------------------------
    open_page(officer, ws, "/kerja/pejabat")
    expect(officer.locator(f'article[data-vendor-id="{vendor_id}"]')).to_be_visible()
    activation = sign_form(
        officer,
        "activate-form-1",
        {"#activate-note-1": "Akta dan NIB diperiksa, berkas 12/2026"},
        says="CV Sinar Ñusantara",
    )
    assert activation["seq"] is not None, activation["text"]
    assert activation["statement"]["type"] == ACTIVATED
    assert activation["statement"]["subject"] == vendor_id
    verify_with_pynacl(ws, int(activation["seq"]), officer_public)
    shot(officer, "07-officer-activated")
    open_page(vendor, ws, "/kerja/penyedia")
    expect(vendor.locator("#vendor-status")).to_have_attribute("data-status", "active")
    shot(vendor, "08-vendor-active")

    # -- a lost key: the authority revokes it, and it signs nothing more ------------------
    open_page(auth, ws, "/kerja/otoritas")
    key_revoked = sign_form(
        auth,
        "revoke-key-form",
        {"#revoke-key-id": deputy_id, "#revoke-key-reason": "laptop hilang, dilaporkan hari ini"},
        says="laptop hilang",
    )
    assert key_revoked["seq"] is not None, key_revoked["text"]
    open_page(restored, ws, "/kerja/otoritas")
    expect(restored.locator("#my-key-registry")).to_contain_text("DICABUT")
    refused = sign_form(
        restored,
        "grant-role-form",
        {"#grant-key-id": officer_id, "select:#grant-role": "auditor"},
        says="Auditor",
    )
    assert refused["seq"] is None and refused["code"] == "revoked_signer", refused
    shot(restored, "10-revoked-key-refused")

    # -- no request any browser sent held a private key -------------------------------------
    vendor_key = read_backup(json.loads(vendor_backup.read_text()), PASSPHRASE)
    officer_key = read_backup(json.loads(officer_backup.read_text()), PASSPHRASE)
    keys = (ws.authority, deputy_key, vendor_key, officer_key)
    secrets = [s for key in keys for s in secret_spellings(key)]
    # nor the passphrase, nor a backup file (its key can be guessed at offline)
    secrets.append(PASSPHRASE.encode())
    for backup in (root_backup, deputy_backup, vendor_backup, officer_backup):
        secrets.append(json.loads(backup.read_text())["ciphertext"].encode())
    assert len(ws.sent) > 20
    for method, url, body in ws.sent:
        assert not any(secret in body or secret in url.encode() for secret in secrets), url
        if method != "GET":
            assert (method, url) == ("POST", ws.url + "/api/v1/statements"), url
            assert set(json.loads(body)) == {"statement", "signature"}
    writes = [body for method, _, body in ws.sent if method == "POST"]
    # three by the root, two by the deputy and two refused, the vendor's, the officer's
    assert len(writes) == 9
    assert not ws.errors, ws.errors
    for context in (authority_ctx, deputy_ctx, restored_ctx, vendor_ctx, officer_ctx):
        context.close()

    # -- and the log verifies as an outsider verifies it -----------------------------------
    ws.ledger.publisher.publish(force=True)
    done = subprocess.run(
        [
            str(Path(sys.executable).parent / "terang"),
            "verify",
            ws.url,
            "--key",
            ws.ledger.verifier_key(),
            "--state",
            str(ws.root / "verify-state.json"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_browser_keeps_its_key_non_extractable(browser: Browser, workspace: Workspace) -> None:
    context = person(browser, workspace)
    page = context.new_page()
    try:
        generate(page, workspace, "Uji", workspace.root / "extractable.terang-key.json")
        kept = page.evaluate(
            """async () => {
              const kept = await TerangKeys.load();
              let exported = "refused";
              try { await crypto.subtle.exportKey("jwk", kept.privateKey); exported = "exported"; }
              catch (e) {}
              return {extractable: kept.privateKey.extractable, exported,
                      type: kept.privateKey.type, algorithm: kept.privateKey.algorithm.name};
            }"""
        )
        assert kept == {
            "extractable": False,
            "exported": "refused",
            "type": "private",
            "algorithm": "Ed25519",
        }
        # A wrong passphrase restores nothing, and says so.
        page.set_input_files("#restore-file", str(workspace.root / "extractable.terang-key.json"))
        page.fill("#restore-passphrase", "not the passphrase at all")
        page.click("#restore-form button[type=submit]")
        expect(page.locator("#restore-status")).to_contain_text("frasa sandi salah")
        # Forgetting removes the key from this browser (its backup still restores it).
        page.click("#forget-button")
        expect(page.locator("#key-status")).to_contain_text("Belum ada kunci")
        assert page.evaluate("async () => (await TerangKeys.load()) === undefined")
        # A terang CLI key file opens here too, as the same key, kept non-extractable.
        cli_key = SigningKey.generate()
        key_file = workspace.root / "cli.key"
        key_file.write_text(CLIENT_KEY_PREFIX + b64encode(bytes(cli_key)) + "\n")
        page.fill("#restore-passphrase", "")
        assert restore(page, workspace, key_file, passphrase="") == key_id_of(
            bytes(cli_key.verify_key)
        )
        assert (
            page.evaluate("async () => (await TerangKeys.load()).privateKey.extractable") is False
        )
    finally:
        context.close()


AUDITS: Final = [(lang, size) for lang in ("id", "en") for size in VIEWPORTS]


@pytest.mark.parametrize(("lang", "size"), AUDITS, ids=[f"{lang}-{size}" for lang, size in AUDITS])
def test_the_workspace_passes_axe(
    axe_script: Path, browser: Browser, workspace: Workspace, lang: str, size: str
) -> None:
    context = person(browser, workspace, size)
    context.add_cookies([{"name": "terang_lang", "value": lang, "url": workspace.url}])
    context.route(
        workspace.url + AXE_PATH,
        lambda route: route.fulfill(path=str(axe_script), content_type="text/javascript"),
    )
    page = context.new_page()
    failing: list[str] = []
    try:
        generate(
            page, workspace, "Pemeriksa aksesibilitas", workspace.root / f"a11y-{lang}-{size}.json"
        )
        for path in (
            "/kerja",
            "/kerja/otoritas",
            "/kerja/pejabat",
            "/kerja/penyedia",
            "/kerja/panitia",
        ):
            open_page(page, workspace, path)
            expect(page.locator("html")).to_have_attribute("lang", lang)
            if path == "/kerja/otoritas":  # with the review of a statement shown
                page.fill("#revoke-key-id", "0" * 64)
                page.fill("#revoke-key-reason", "uji")
                page.click("#revoke-key-form button[type=submit]")
                expect(page.locator("#review")).to_be_visible()
            failing += axe_failures(page, workspace.url, path)
            if lang == "id":
                shot(page, f"a11y-{size}-{path.strip('/').replace('/', '-')}")
    finally:
        context.close()
    assert not failing, "accessibility violations:\n" + "\n".join(failing)
    assert not workspace.errors, workspace.errors


AMOUNTS_SEN: Final = [
    0,
    1,
    99,
    100,
    81_400_000_000,
    -81_400_000_000,
    123_456_789_012_345,
    2**53 - 1,
]
TIMES: Final = [
    "2026-12-04T12:00:00.000Z",
    "2026-12-31T17:30:00.000Z",  # the next day and year in WIB
    "2025-03-12T20:00:00.000Z",
    "2026-01-01T00:59:59.999Z",
]


@pytest.mark.parametrize("lang", ["id", "en"])
def test_amounts_and_times_read_as_on_the_portal(
    browser: Browser, workspace: Workspace, lang: str
) -> None:
    from portal.formatting import moment, rupiah
    from procurement.npwp import display as npwp_display

    context = person(browser, workspace)
    page = context.new_page()
    try:
        open_page(page, workspace, f"/kerja/penyedia?lang={lang}")
        got = page.evaluate(
            """([amounts, times]) => ({
              amounts: amounts.map((sen) => TerangWorkspace.rupiah(sen)),
              times: times.map((time) => TerangWorkspace.moment(time)),
              npwp: ["012345678901000", "0123456789012345"].map(TerangWorkspace.npwp),
            })""",
            [AMOUNTS_SEN, TIMES],
        )
    finally:
        context.close()
    assert got["amounts"] == [rupiah(sen, lang) for sen in AMOUNTS_SEN]
    assert got["times"] == [moment(time, lang, "WIB") for time in TIMES]
    if lang == "id":
        assert got["amounts"][4] == "Rp 814.000.000,00"
    assert got["npwp"] == [npwp_display("012345678901000"), npwp_display("0123456789012345")]


def test_chromium_writes_the_ledgers_canonical_bytes(
    browser: Browser, workspace: Workspace
) -> None:
    # The Node test runs many more values; this holds the browser's own engine to them too.
    values = [*json_values(300, seed=12), 2**53, 0.5]
    context = person(browser, workspace)
    page = context.new_page()
    try:
        open_page(page, workspace, "/kerja")
        got = page.evaluate(
            """values => values.map((value) => {
              try {
                return Array.from(TerangCanonical.canonicalBytes(value),
                  (b) => b.toString(16).padStart(2, "0")).join("");
              } catch (e) { return "error:" + e.code; }
            })""",
            values,
        )
    finally:
        context.close()
    expected = []
    for value in values:
        try:
            expected.append(canonical_bytes(value).hex())
        except ClientError as exc:
            expected.append("error:" + exc.code)
    assert got == expected
    assert expected[-2:] == ["error:integer_out_of_range", "error:float_not_allowed"]


def test_without_the_script_no_form_can_send_a_passphrase(
    browser: Browser, workspace: Workspace
) -> None:
    context = browser.new_context(java_script_enabled=False)
    context.set_default_timeout(TIMEOUT_MS)
    sent: list[str] = []
    context.on("request", lambda request: sent.append(request.url))
    page = context.new_page()
    try:
        page.goto(workspace.url + "/kerja")
        expect(page.locator("noscript, .notice").first).to_be_attached()
        expect(page.locator("#generate-form button[type=submit]")).to_be_disabled()
        page.fill("#generate-name", "Tanpa skrip")
        page.fill("#generate-passphrase", "rahasia sekali jangan dikirim")
        page.fill("#generate-passphrase-again", "rahasia sekali jangan dikirim")
        page.press("#generate-passphrase-again", "Enter")  # implicit submission
        page.wait_for_timeout(300)
    finally:
        context.close()
    assert not any("rahasia" in url or "passphrase" in url for url in sent), sent
