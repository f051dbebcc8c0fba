"""The workspace's pages (``/kerja``), on both engines, through HTTP.

What a person relies on: the pages answer in Indonesian by default and in English on
request (the portal's cookie); they carry the portal's CSP and run no inline script
(their scripts are files of this origin; the page's data is an inert JSON element);
they give the scripts the log's real origin, which every signature covers; the
authority's page lists every registered key with its roles and revocation as the
registry says; the vendor's page names who can activate a vendor. And the server
never asks for a secret: no page has a password field outside the backup forms, none
posts a form to the server.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from conftest import Harness
from fastapi.testclient import TestClient
from nacl.signing import SigningKey
from portal_support import parse_html
from procurement_support import Scenario

from ledger.authority import KEY_REVOKED_TYPE, ROLE_GRANTED_TYPE
from ledger.keys import client_key_id
from ledger.statement import b64encode
from procurement.vendors import ACTIVATED, REGISTERED
from terang.app import create_app
from workspace.i18n import CATALOGUE
from workspace.limits import BACKUP_PBKDF2_ITERATIONS_MIN
from workspace.rendering import STATIC

PAGES = ("/kerja", "/kerja/otoritas", "/kerja/pejabat", "/kerja/penyedia", "/kerja/panitia")


@pytest.fixture
def client(harness: Harness) -> Iterator[TestClient]:
    with TestClient(create_app(harness.ledger)) as test_client:
        yield test_client


def config_of(html: str) -> dict:  # type: ignore[type-arg]
    scripts = [s for s in parse_html(html).find_all("script") if s.attrs.get("type")]
    (data,) = scripts
    assert data.attrs == {"type": "application/json", "id": "workspace-config"}
    return json.loads(data.text)


def test_the_catalogues_have_the_same_keys() -> None:
    assert set(CATALOGUE["id"]) == set(CATALOGUE["en"])


@pytest.mark.parametrize("path", PAGES)
def test_pages_answer_in_both_languages_with_the_portals_csp(
    client: TestClient, harness: Harness, path: str
) -> None:
    page = client.get(path)
    assert page.status_code == 200
    assert page.headers["content-language"] == "id"
    csp = page.headers["content-security-policy"]
    assert "default-src 'self'" in csp and "unsafe-inline" not in csp
    assert page.headers["cache-control"] == "no-cache"
    html = parse_html(page.text)
    assert html.find_all("html")[0].attrs["lang"] == "id"
    assert len(html.find_all("h1")) == 1 and len(html.find_all("main")) == 1
    for script in html.find_all("script"):
        # a file of this origin, or inert JSON: nothing inline runs
        assert script.attrs.get("src", "").startswith("/kerja/static/") or (
            script.attrs.get("type") == "application/json"
        )
    assert "style=" not in page.text
    for form in html.find_all("form"):
        assert "action" not in form.attrs and "method" not in form.attrs  # never posted
        # Until the script handles the form, it cannot be sent at all: a form without a
        # script would go to the server as a query string, passphrase and all.
        (button,) = [b for b in form.find_all("button") if b.attrs.get("type") == "submit"]
        assert "disabled" in button.attrs and "data-needs-script" in button.attrs
    passwords = [i.attrs["id"] for i in html.find_all("input") if i.attrs.get("type") == "password"]
    assert set(passwords) <= {
        "generate-passphrase",
        "generate-passphrase-again",
        "restore-passphrase",
    }
    config = config_of(page.text)
    assert config["origin"] == harness.ledger.origin
    assert config["zone"] == "WIB" and config["zone_offset_minutes"] == 7 * 60
    assert config["backup"]["iterations"] == BACKUP_PBKDF2_ITERATIONS_MIN >= 600_000
    english = client.get(path, params={"lang": "en"})
    assert english.headers["content-language"] == "en"
    assert config_of(english.text)["messages"]["js.accepted"].startswith("Accepted")
    assert client.get(path).headers["content-language"] == "en"  # the cookie keeps it


def test_every_script_the_pages_load_is_served(client: TestClient) -> None:
    html = parse_html(client.get("/kerja").text)
    sources = [s.attrs["src"] for s in html.find_all("script") if "src" in s.attrs]
    sources += [
        s.attrs["href"] for s in html.find_all("link") if s.attrs.get("rel") == "stylesheet"
    ]
    assert {src.split("?")[0].rsplit("/", 1)[1] for src in sources} >= {
        "canonical.js",
        "keys.js",
        "workspace.js",
        "workspace.css",
        "site.css",
    }
    for src in sources:
        answer = client.get(src)
        assert answer.status_code == 200, src
        assert "immutable" in answer.headers["cache-control"]
    assert {p.name for p in STATIC.iterdir()} == {
        "canonical.js",
        "keys.js",
        "sealed.js",
        "workspace.js",
        "workspace.css",
        "vendor",
    }
    # Third-party code: only the bundle the build script makes, with its licence.
    assert {p.name for p in (STATIC / "vendor").iterdir()} == {"noble.js", "LICENSE", "SOURCE.md"}


def test_the_authority_page_shows_who_holds_which_role(
    client: TestClient, harness: Harness
) -> None:
    officer = harness.register("PPK Dinas PU", ["procurement_officer"])
    lost = harness.register("Bendahara (laptop hilang)", ["finance"])
    harness.ledger.append_direct(
        [
            harness.sign(
                harness.authority, ROLE_GRANTED_TYPE, client_key_id(officer), {"role": "auditor"}
            ),
            harness.sign(
                harness.authority, KEY_REVOKED_TYPE, client_key_id(lost), {"reason": "hilang"}
            ),
        ]
    )
    html = parse_html(client.get("/kerja/otoritas", params={"lang": "en"}).text)
    rows = {row.attrs["data-key-id"]: row for row in html.by_id("holders").find_all("tr")[1:]}
    assert set(rows) == {
        client_key_id(harness.authority),
        client_key_id(officer),
        client_key_id(lost),
    }
    assert rows[client_key_id(officer)].attrs["data-roles"] == "auditor procurement_officer"
    assert rows[client_key_id(officer)].attrs["data-revoked"] == "false"
    assert rows[client_key_id(lost)].attrs["data-revoked"] == "true"
    assert "revoked (entry" in rows[client_key_id(lost)].text
    assert "PPK Dinas PU" in rows[client_key_id(officer)].text
    by_role = {
        dd.attrs["data-role"]: dd.attrs["data-holders"].split() for dd in html.find_all("dd")
    }
    assert by_role["authority"] == [client_key_id(harness.authority)]
    assert by_role["auditor"] == by_role["procurement_officer"] == [client_key_id(officer)]
    assert by_role["finance"] == []  # its only holder's key was revoked
    assert "nobody" in html.by_id("by-role").text
    forms = {f.attrs["id"]: f.attrs.get("data-statement") for f in html.find_all("form")}
    assert forms == {
        "register-key-form": "registry.key.registered",
        "grant-role-form": "registry.role.granted",
        "revoke-role-form": "registry.role.revoked",
        "revoke-key-form": "registry.key.revoked",
    }


def test_the_vendor_page_names_who_activates(client: TestClient, harness: Harness) -> None:
    page = parse_html(client.get("/kerja/penyedia").text)
    assert page.by_id("activators").text.strip().startswith("Belum ada kunci")
    officer = harness.register("UKPBJ Kabupaten", ["procurement_officer"])
    vendor = harness.register("not an officer", ["vendor"])
    page = parse_html(client.get("/kerja/penyedia").text)
    named = [li.attrs["data-key-id"] for li in page.by_id("activators").find_all("li")]
    assert named == [client_key_id(officer)]
    assert client_key_id(vendor) not in named
    form = page.by_id("vendor-register-form")
    assert form.attrs["data-statement"] == REGISTERED
    assert [o.attrs["value"] for o in form.find_all("select")[0].find_all("option")] == [
        "mikro",
        "kecil",
        "menengah",
        "besar",
    ]
    assert b64encode(bytes(vendor.verify_key)) not in form.text


def test_the_officer_page_lists_vendors_waiting_for_activation(
    client: TestClient, harness: Harness
) -> None:
    page = parse_html(client.get("/kerja/pejabat").text)
    assert page.by_id("no-waiting").text.startswith("Tidak ada penyedia")
    officer = harness.register("UKPBJ Kabupaten", ["procurement_officer"])
    waiting, activated = SigningKey.generate(), SigningKey.generate()
    for key, npwp in ((waiting, "012345678901000"), (activated, "0123456789012345")):
        body = {
            "public_key": b64encode(bytes(key.verify_key)),
            "name": f"CV {npwp}",
            "npwp": npwp,
            "address": "Jl. Merdeka 1",
            "qualification": "kecil",
        }
        harness.ledger.append_direct([harness.sign(key, REGISTERED, client_key_id(key), body)])
    harness.ledger.append_direct([harness.sign(officer, ACTIVATED, client_key_id(activated), {})])
    page = parse_html(client.get("/kerja/pejabat").text)
    listed = [a.attrs["data-vendor-id"] for a in page.find_all("article")]
    assert listed == [client_key_id(waiting)]
    (form,) = page.find_all("form")
    assert form.attrs["data-statement"] == ACTIVATED
    assert form.attrs["data-name"] == "CV 012345678901000"
    (subject,) = [i for i in form.find_all("input") if i.attrs.get("name") == "subject"]
    assert subject.attrs == {"type": "hidden", "name": "subject", "value": client_key_id(waiting)}
    assert "01.234.567.8-901.000" in page.by_id("main").text  # the NPWP as usually written


def test_the_vendor_page_offers_a_sealed_bid_for_each_open_tender(
    client: TestClient, harness: Harness
) -> None:
    s = Scenario.build(harness, vendors=1)
    s.package()
    s.announce()
    page = client.get("/kerja/penyedia")
    html = parse_html(page.text)
    (bid,) = html.find_all("div", **{"class": "ws-bid"})
    assert bid.attrs["data-ocid"] == s.ocid
    forms = {f.attrs["data-statement"]: f for f in bid.find_all("form")}
    assert set(forms) == {"procurement.bid.submitted", "procurement.bid.withdrawn"}
    assert {f.attrs["data-ocid"] for f in forms.values()} == {s.ocid}
    price = forms["procurement.bid.submitted"].find_all("input")[0]
    assert price.attrs["name"] == "price" and "type" not in price.attrs  # typed as written
    # The sealing scripts are served from this origin, the vendored bundle first.
    sources = [x.attrs["src"].split("?")[0] for x in html.find_all("script") if "src" in x.attrs]
    assert sources.index("/kerja/static/vendor/noble.js") < sources.index("/kerja/static/sealed.js")
    for src in sources:
        assert client.get(src).status_code == 200
    # The title is the page's own, not its content.
    assert "<section" not in page.text.split("</title>")[0]


def test_the_committee_page_lists_tenders_with_their_committees(
    client: TestClient, harness: Harness
) -> None:
    html = parse_html(client.get("/kerja/panitia").text)
    assert html.by_id("no-committee-tenders").text.startswith("Tidak ada tender")
    assert html.by_id("box-form").attrs["data-statement"] == "procurement.member.box_key_registered"
    s = Scenario.build(harness, vendors=1)
    s.package()
    s.announce()

    def listed() -> list[tuple[str, str, list[str], int]]:
        page = parse_html(client.get("/kerja/panitia").text)
        return [
            (a.attrs["data-ocid"], a.attrs["data-state"], a.attrs["data-members"].split(),
             len(a.find_all("form", **{"data-statement": "procurement.tender.shares_released"})))
            for a in page.find_all("article")
        ]  # fmt: skip

    members = [m.key_id for m in s.members]
    # While bids come in there is nothing to release: no release form yet.
    assert listed() == [(s.ocid, "active", members, 0)]
    s.bid(s.vendors[0], 40_000_000_000)
    s.close()
    assert listed() == [(s.ocid, "closed", members, 1)]
    s.release(s.members[1])
    page = parse_html(client.get("/kerja/panitia").text)
    (article,) = page.find_all("article")
    assert article.attrs["data-state"] == "opening"
    assert article.attrs["data-released"].split() == [s.members[1].key_id]
