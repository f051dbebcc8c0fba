"""Sealed bids in Debian's Chromium: a vendor seals and submits a bid in the browser,
committee members register their box keys and release their shares in the browser
(one member through the Python client, as the CLI does), and the opening reads the
typed price, the very price the Python client reads.

The story, on a fresh log whose clock the test moves (a tender's bid window is days):

* the officer, three committee members (k = 2) and three active vendors are set up in
  Python; two members and two vendors carry their keys into the browser as CLI key
  files;
* the two members make their X25519 box keys in the browser (WebCrypto,
  non-extractable) and register them; the third keeps its PyNaCl box key;
* the tender is announced; vendor A seals a bid in the browser (the price typed in
  rupiah and read back in words before signing), gets its tlog-proof receipt at once,
  replaces it with another price, and its page shows the bid; vendor B, a rogue one,
  seals in its browser and changes a commitment after sealing before signing; vendor
  C bids through the Python client;
* after the closing, each browser member opens its shares: the rogue bid's share does
  not check and is left out (and released anyway, the log refuses it:
  ``share_mismatch``); the third member releases with ``procurement.client``;
* the opening reads vendor A's second price and vendor C's, equal to what
  ``procurement.client.open_bid`` reads; the rogue bid is ``unopenable``;
* no request body before the opening held the price or the bid key (which the
  opening publishes), nor any private key; ``terang verify`` passes;
* axe is clean on the vendor's and the committee's pages at desktop and phone widths.
"""

from __future__ import annotations

import base64
import json
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Final

import httpx
import pytest
from browser_harness import _serve
from nacl.signing import SigningKey
from playwright.sync_api import Browser, BrowserContext, Page, Request, Route, expect
from procurement_support import Scenario
from workspace_tour import AXE_PATH, TIMEOUT_MS, VIEWPORTS, axe_failures, shot

from ledger.keys import CLIENT_KEY_PREFIX, client_key_id
from ledger.limits import Limits
from ledger.note import parse_verifier_key
from ledger.service import Ledger, Settings
from ledger.signing import make_signed
from ledger.statement import LoggedEntry, SignedStatement, b64encode
from ledger.tlog_proof import TlogProof, verify_tlog_proof
from procurement.client import open_bid, release_shares
from procurement.rules import RELEASE_WINDOW_HOURS_DEFAULT

ORIGIN: Final = "kab-uji.example/terang"
SKEW_S_MAX: Final = 40 * 24 * 3600
"""The browser signs with its real clock while the log's clock is moved past the bid
deadline (10 days) and the release window: the test log allows that much skew."""
TYPED_FIRST: Final = "812.000.000"
TYPED: Final = "Rp 814.750.000,50"
PRICE_SEN: Final = 81_475_000_050
PRICE_WORDS: Final = (
    "delapan ratus empat belas juta tujuh ratus lima puluh ribu rupiah lima puluh sen"
)
PYTHON_PRICE_SEN: Final = 47_000_000_000


class MovedClock:
    """The real time plus an offset the test moves."""

    def __init__(self) -> None:
        self.offset = timedelta(0)

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.offset

    def advance(self, seconds: float) -> None:
        self.offset += timedelta(seconds=seconds)


@dataclass
class Log:
    """What ``procurement_support.Scenario`` signs and appends through."""

    ledger: Ledger
    authority: SigningKey
    clock: MovedClock
    origin: str = ORIGIN

    def sign(
        self, key: SigningKey, statement_type: str, subject: str, body: dict[str, Any]
    ) -> SignedStatement:
        return make_signed(
            key, statement_type, subject, body, at=self.clock(), origin=self.origin,
            limits=self.ledger.limits,
        )  # fmt: skip


@dataclass
class World:
    url: str
    log: Log
    root: Path
    sent: list[tuple[str, str, bytes]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    from ledger.bootstrap import init_log
    from ledger.keys import load_client_key
    from terang.app import all_kinds, create_app

    root = tmp_path_factory.mktemp("bids")
    settings = Settings(
        database_url=f"sqlite:///{root / 'terang.db'}",
        log_key_file=root / "keys" / "log.key",
        limits=Limits(checkpoint_interval_ms_min=0, clock_skew_s_max=SKEW_S_MAX),
    )
    authority_file = root / "offline-keys" / "authority.key"
    init_log(settings, all_kinds(), origin=ORIGIN, authority_key_file=authority_file)
    clock = MovedClock()
    ledger = Ledger(settings, all_kinds(), clock=clock)
    try:
        url, server, thread = _serve(create_app(ledger))
        try:
            yield World(url, Log(ledger, load_client_key(authority_file), clock), root)
        finally:
            server.should_exit = True
            thread.join(timeout=30)
    finally:
        ledger.close()


def person(browser: Browser, w: World, viewport: str = "desktop") -> BrowserContext:
    context = browser.new_context(
        viewport=VIEWPORTS[viewport], locale="id-ID", accept_downloads=True
    )
    context.set_default_timeout(TIMEOUT_MS)

    def record(request: Request) -> None:
        w.sent.append((request.method, request.url, request.post_data_buffer or b""))

    context.on("request", record)
    context.on("page", lambda page: page.on("pageerror", lambda e: w.errors.append(str(e))))
    return context


def open_page(page: Page, w: World, path: str) -> None:
    page.goto(w.url + path)
    expect(page.locator("body")).to_have_attribute("data-ready", "true")


def carry_key(page: Page, w: World, key: SigningKey, name: str) -> None:
    """A CLI key file restored into this browser (kept non-extractable there)."""
    path = w.root / f"{name}.key"
    path.write_text(CLIENT_KEY_PREFIX + b64encode(bytes(key)) + "\n")
    open_page(page, w, "/kerja")
    page.set_input_files("#restore-file", str(path))
    page.click("#restore-form button[type=submit]")
    expect(page.locator("#restored")).to_be_visible()
    assert page.locator("#my-key-id").inner_text() == client_key_id(key)


def review_and_sign(page: Page, form: str, says: str) -> dict[str, Any]:
    page.click(f"#{form} button[type=submit]")
    expect(page.locator("#review")).to_be_visible()
    expect(page.locator("#review-summary")).to_contain_text(says)
    raw = json.loads(page.locator("#review-raw").text_content() or "")
    page.click("#review-sign")
    result = page.locator("#result-accepted, #result-refused")
    expect(result).to_be_visible()
    return {"statement": raw, "seq": result.get_attribute("data-seq"),
            "code": result.get_attribute("data-code"), "text": result.inner_text()}  # fmt: skip


def serve_axe(axe_script: Path) -> Callable[[Route], None]:
    return lambda route: route.fulfill(path=str(axe_script), content_type="text/javascript")


def bid_form_of(page: Page, ocid: str) -> str:
    return str(
        page.locator(
            f'.ws-bid[data-ocid="{ocid}"] form[data-statement="procurement.bid.submitted"]'
        ).get_attribute("id")
    )


def test_a_bid_sealed_in_the_browser_opens_to_the_typed_price(
    axe_script: Path, browser: Browser, world: World
) -> None:
    w = world
    s = Scenario.build(w.log, vendors=3, threshold=2)  # type: ignore[arg-type]
    s.package()
    member_pages: list[Page] = []
    contexts: list[BrowserContext] = []

    # -- two members make and register their box keys in the browser -----------------
    for index in (0, 1):
        context = person(browser, w)
        contexts.append(context)
        page = context.new_page()
        carry_key(page, w, s.members[index].key, f"member-{index}")
        open_page(page, w, "/kerja/panitia")
        done = review_and_sign(page, "box-form", "X25519")
        assert done["seq"] is not None, done["text"]
        box_public = done["statement"]["body"]["x25519_public_key"]
        assert box_public != b64encode(bytes(s.members[index].box_key.public_key))
        open_page(page, w, "/kerja/panitia")
        expect(page.locator("#box-registered")).to_have_attribute("data-public", box_public)
        kept = page.evaluate(
            """async (id) => (await TerangKeys.loadBoxes(id)).map((b) => ({
                 extractable: b.privateKey.extractable, algorithm: b.privateKey.algorithm.name,
                 usages: b.privateKey.usages}))""",
            s.members[index].key_id,
        )
        assert kept == [{"extractable": False, "algorithm": "X25519", "usages": ["deriveBits"]}]
        member_pages.append(page)
    shot(member_pages[0], "11-box-key-registered")

    s.announce()
    tender = s.tender()
    roster = [m["x25519_public_key"] for m in tender["committee"]["members"]]
    assert roster[2] == b64encode(bytes(s.members[2].box_key.public_key))  # the Python one

    # -- vendor A seals in the browser, then replaces its bid ---------------------------
    vendor_ctx = person(browser, w)
    contexts.append(vendor_ctx)
    vendor = vendor_ctx.new_page()
    carry_key(vendor, w, s.vendors[0], "vendor-a")
    open_page(vendor, w, "/kerja/penyedia")
    status = vendor.locator(f'.ws-bid[data-ocid="{s.ocid}"] .ws-bid-status')
    expect(status).to_have_attribute("data-bid", "none")
    form = bid_form_of(vendor, s.ocid)
    vendor.fill(f"#{form} input[name=price]", "814.000.000,505")  # three decimals: refused
    vendor.click(f"#{form} button[type=submit]")
    expect(vendor.locator("#result-invalid")).to_contain_text("Harga tidak terbaca")
    vendor.fill(f"#{form} input[name=price]", TYPED_FIRST)
    with vendor.expect_download() as first_receipt:
        first = review_and_sign(
            vendor, form, "Rp 812.000.000,00 — delapan ratus dua belas juta rupiah"
        )
    assert first["seq"] is not None, first["text"]
    assert first["statement"]["type"] == "procurement.bid.submitted"
    # The receipt is the log's tlog-proof of that very entry, verifiable offline.
    assert first_receipt.value.suggested_filename == f"entry-{first['seq']}.tlog-proof"
    proof = TlogProof.parse(Path(first_receipt.value.path()).read_text())
    entry_json = httpx.get(f"{w.url}/api/v1/entries/{first['seq']}", timeout=30).json()
    logged = LoggedEntry.parse(base64.b64decode(entry_json["entry_bytes_b64"]), Limits())
    assert logged.signed.statement.type == "procurement.bid.submitted"
    leaf = logged.leaf_hash()
    verify_tlog_proof(proof, leaf, ORIGIN, parse_verifier_key(w.log.ledger.verifier_key()))
    assert proof.index == int(first["seq"])
    open_page(vendor, w, "/kerja/penyedia")
    expect(status).to_have_attribute("data-bid", "submitted")
    vendor.fill(f"#{form} input[name=price]", "813.000.000")
    with vendor.expect_download():
        replaced = review_and_sign(vendor, form, "MENGGANTI")
    assert replaced["statement"]["type"] == "procurement.bid.replaced", replaced
    open_page(vendor, w, "/kerja/penyedia")
    expect(status).to_contain_text("versi 2")
    withdraw = f'.ws-bid[data-ocid="{s.ocid}"] form[data-statement="procurement.bid.withdrawn"]'
    withdraw_form = str(vendor.locator(withdraw).get_attribute("id"))
    with vendor.expect_download():
        withdrawn = review_and_sign(vendor, withdraw_form, "MENARIK")
    assert withdrawn["statement"]["type"] == "procurement.bid.withdrawn"
    assert withdrawn["statement"]["body"] == {}
    open_page(vendor, w, "/kerja/penyedia")
    expect(status).to_have_attribute("data-bid", "withdrawn")
    expect(vendor.locator(withdraw)).to_be_hidden()
    vendor.fill(f"#{form} input[name=price]", TYPED)
    with vendor.expect_download():
        replaced = review_and_sign(vendor, form, PRICE_WORDS)
    assert replaced["statement"]["type"] == "procurement.bid.submitted", replaced
    shot(vendor, "12-bid-sealed")
    body = replaced["statement"]["body"]
    assert body["v"] == 2 and len(body["commitments"]) == 2 and body["addendum"] == 0
    assert [x["member"] for x in body["shares"]] == [m.key_id for m in s.members]
    open_page(vendor, w, "/kerja/penyedia")
    expect(status).to_contain_text("versi 3")

    # -- axe on the vendor's page with the tender open and a bid's review shown ---------
    failing: list[str] = []
    for size in ("desktop", "phone"):
        context = person(browser, w, size)
        contexts.append(context)
        context.route(w.url + AXE_PATH, serve_axe(axe_script))
        page = context.new_page()
        carry_key(page, w, s.vendors[0], f"a11y-vendor-{size}")
        open_page(page, w, "/kerja/penyedia")
        page.fill(f"#{form} input[name=price]", "450.000.000")
        page.click(f"#{form} button[type=submit]")
        expect(page.locator("#review-fields")).to_contain_text("empat ratus lima puluh juta rupiah")
        failing += axe_failures(page, w.url, f"/kerja/penyedia {size}")
        shot(page, f"a11y-{size}-kerja-penyedia-bid")
        page.click("#review-cancel")  # nothing signed

    # -- vendor B (rogue) changes a commitment after sealing, in its own browser ---------
    rogue_ctx = person(browser, w)
    contexts.append(rogue_ctx)
    rogue = rogue_ctx.new_page()
    carry_key(rogue, w, s.vendors[1], "vendor-b")
    open_page(rogue, w, "/kerja/penyedia")
    answer = rogue.evaluate(
        """async ([ocid, origin]) => {
          const kept = await TerangKeys.load();
          const tender = (await (await fetch("/api/v1/procurement/tenders/" + ocid)).json()).tender;
          const made = TerangSealed.sealBid({ocid, bidder: kept.keyId, priceSen: 1000n,
            committee: tender.committee.members, threshold: tender.committee.threshold});
          const other = TerangSealed.deal(2, 3);
          made.body.commitments[0] = TerangSealed.b64(other.commitments[0]);
          const statement = {type: "procurement.bid.submitted", subject: ocid, signer: kept.keyId,
            time: new Date().toISOString(), nonce: TerangKeys.nonce(), body: made.body};
          const signed = await TerangKeys.sign(kept.privateKey, origin, statement);
          const r = await fetch("/api/v1/statements", {method: "POST",
            headers: {"Content-Type": "application/json"}, body: JSON.stringify(signed)});
          return r.status;
        }""",
        [s.ocid, ORIGIN],
    )
    assert answer == 201  # a point is a point: the log cannot tell until a release

    # -- vendor C bids through the Python client ----------------------------------------
    s.bid(s.vendors[2], PYTHON_PRICE_SEN)

    # -- the closing; the browser members release; the third through Python -------------
    w.log.clock.advance(11 * 24 * 3600)
    s.append(s.officer, "procurement.tender.closed", {})
    rogue_id = client_key_id(s.vendors[1])
    for index, page in enumerate(member_pages):
        open_page(page, w, "/kerja/panitia")
        article = page.locator(f'.ws-committee-tender[data-ocid="{s.ocid}"]')
        expect(article).to_contain_text(f"urutan {index + 1}")
        release_form = str(article.locator("form").get_attribute("id"))
        page.click(f"#{release_form} button[type=submit]")
        expect(page.locator("#review-fields")).to_contain_text(rogue_id[:16])  # left out
        expect(page.locator("#review-summary")).to_contain_text("2 penawaran")
        raw = json.loads(page.locator("#review-raw").text_content() or "")
        released = {r["bidder"] for r in raw["body"]["shares"]}
        assert released == {client_key_id(s.vendors[0]), client_key_id(s.vendors[2])}
        if index == 0:
            shot(page, "13-release-reviewed")
        page.click("#review-sign")
        expect(page.locator("#result-accepted")).to_be_visible()
        open_page(page, w, "/kerja/panitia")
        expect(article).to_contain_text("sudah melepaskan")
        # Releasing the rogue bid's share anyway: the log checks it against the
        # commitments the vendor signed and refuses it.
        code = page.evaluate(
            """async ([ocid, rogue, me, origin]) => {
              const kept = await TerangKeys.load();
              const path = "/api/v1/procurement/tenders/" + ocid;
              const tender = (await (await fetch(path)).json()).tender;
              const mine = tender.committee.members.find((m) => m.key_id === me);
              const box = (await TerangKeys.loadBoxes(me))
                .find((b) => b.publicKey === mine.x25519_public_key);
              const bids = (await (await fetch(path + "/bids")).json()).items;
              const bid = bids.find((b) => b.bidder === rogue);
              const x = bid.shares.findIndex((s) => s.member === me);
              const S = TerangSealed;
              const share = await S.openSealed(box.privateKey, S.unb64(box.publicKey),
                S.unb64(bid.shares[x].sealed));
              const statement = {type: "procurement.tender.shares_released", subject: ocid,
                signer: me, time: new Date().toISOString(), nonce: TerangKeys.nonce(),
                body: {shares: [{bidder: rogue, share: TerangSealed.b64(share)}]}};
              const r = await fetch("/api/v1/statements", {method: "POST",
                headers: {"Content-Type": "application/json"},
                body: JSON.stringify(await TerangKeys.sign(kept.privateKey, origin, statement))});
              return (await r.json()).code;
            }""",
            [s.ocid, rogue_id, s.members[index].key_id, ORIGIN],
        )
        assert code == "share_mismatch"
    bids = [s.bid_doc(v) for v in s.vendors]
    releases, bad = release_shares(s.members[2].key_id, s.members[2].box_key, s.ocid, bids)
    assert bad == [rogue_id]
    s.append(s.members[2].key, "procurement.tender.shares_released", {"shares": releases})
    before_opening = len(w.sent)

    # -- the opening (after the release window: the rogue bid never gets k shares) --------
    w.log.clock.advance(RELEASE_WINDOW_HOURS_DEFAULT * 3600)
    s.append(s.officer, "procurement.tender.opened", {})
    a, rogue_bid, c = (s.bid_doc(v) for v in s.vendors)
    assert a["opening"]["result"] == "opened" and a["opening"]["price_sen"] == PRICE_SEN
    assert open_bid(a, 2).price_sen == PRICE_SEN
    assert c["opening"]["price_sen"] == PYTHON_PRICE_SEN == open_bid(c, 2).price_sen
    assert rogue_bid["opening"]["result"] == "unopenable"

    # -- what the server received before the opening --------------------------------------
    bid_key = base64.b64decode(a["opening"]["key"])
    first_key_hint = b"81200000000"
    secrets = [
        b"814750000", b"81475000050", b"814.750.000", first_key_hint, b"812000000",
        b"813000000",
        bid_key, base64.b64encode(bid_key), bid_key.hex().encode(),
    ]  # fmt: skip
    for key in [*(m.key for m in s.members), *s.vendors]:
        seed = bytes(key)
        secrets += [
            base64.b64encode(seed),
            seed.hex().encode(),
            base64.urlsafe_b64encode(seed).rstrip(b"="),
        ]
    for method, url, sent in w.sent[:before_opening]:
        assert not any(secret in sent or secret in url.encode() for secret in secrets), url
        if method != "GET":
            assert (method, url) == ("POST", w.url + "/api/v1/statements"), url
            assert set(json.loads(sent)) == {"statement", "signature"}
    assert not w.errors, w.errors

    # -- axe on the committee's page at both widths ---------------------------------------
    for size in ("desktop", "phone"):
        context = person(browser, w, size)
        contexts.append(context)
        context.route(w.url + AXE_PATH, serve_axe(axe_script))
        page = context.new_page()
        carry_key(page, w, s.members[0].key, f"a11y-{size}")
        open_page(page, w, "/kerja/panitia")
        failing += axe_failures(page, w.url, f"/kerja/panitia {size}")
        shot(page, f"a11y-{size}-kerja-panitia-member")
    for context in contexts:
        context.close()
    assert not failing, "\n".join(failing)

    # -- and the log verifies as an outsider verifies it -----------------------------------
    w.log.ledger.publisher.publish(force=True)
    done = subprocess.run(
        [str(Path(sys.executable).parent / "terang"), "verify", w.url,
         "--key", w.log.ledger.verifier_key(), "--state", str(w.root / "verify-state.json")],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr


def test_prices_read_and_spelled_as_a_person_writes_them(browser: Browser, world: World) -> None:
    context = person(browser, world)
    page = context.new_page()
    try:
        open_page(page, world, "/kerja/penyedia")
        got = page.evaluate(
            """(cases) => cases.map((t) => { try { return String(TerangWorkspace.parsePrice(t)); }
                                              catch (e) { return "refused"; } })""",
            ["814.000.000", "Rp 814.000.000,50", "814000000", "1,5", "0", "814.000.000,505",
             "814,000,000.50", "90.071.992.547.409,91", "90.071.992.547.409,92", "12.34.567"],
        )  # fmt: skip
        assert got == ["81400000000", "81400000050", "81400000000", "150", "refused", "refused",
                       "refused", "9007199254740991", "refused", "refused"]  # fmt: skip
        words = page.evaluate(
            "(cases) => cases.map((c) => TerangWorkspace.spell(BigInt(c)))",
            ["100", "1100", "1000000", "11100000000", "100000001", "9007199254740991"],
        )
        assert words == [
            "satu rupiah",
            "sebelas rupiah",
            "sepuluh ribu rupiah",
            "seratus sebelas juta rupiah",
            "satu juta rupiah satu sen",
            "sembilan puluh triliun tujuh puluh satu miliar sembilan ratus sembilan puluh dua "
            "juta lima ratus empat puluh tujuh ribu empat ratus sembilan rupiah sembilan puluh "
            "satu sen",
        ]
        open_page(page, world, "/kerja/penyedia?lang=en")
        got = page.evaluate(
            """(cases) => cases.map((t) => { try { return String(TerangWorkspace.parsePrice(t)); }
                                              catch (e) { return "refused"; } })""",
            ["814,000,000.50", "IDR 1,000", "814.000.000", "814,000,000,50"],
        )
        assert got == ["81400000050", "100000", "refused", "refused"]
        words = page.evaluate(
            "(cases) => cases.map((c) => TerangWorkspace.spell(BigInt(c)))",
            ["81475000050", "1100"],
        )
        assert words == [
            "eight hundred fourteen million seven hundred fifty thousand rupiah and fifty sen",
            "eleven rupiah",
        ]
    finally:
        context.close()
