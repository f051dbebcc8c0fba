"""``terang officer ...``: a whole tender run by the officer from the command line, on both
engines, with nobody writing JSON by hand.

What the officer relies on: amounts typed as rupiah are signed as the same sen; times
typed in the region's zone are signed as the same UTC instant; what is about to be
signed is told back in rupiah and local time; the documents named are the files' own
hashes, stored once the entry is logged; a mistake typed (an ambiguous amount, a day
without its hour, a bad results file, milestones that do not add up) is refused before
anything is signed, and the log is unchanged.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from conftest import Harness
from procurement_support import (
    LINE,
    InProcessCli,
    Scenario,
    cli_against,
    key_file,
    refused,
    register_vendor,
)

from budgeting import statements as st
from ledger.keys import client_key_id
from ledger.region_time import zone_info
from ledger.statement import format_time
from procurement import client
from procurement import contracts as ct
from procurement import lifecycle as lc

DAY = 86_400


@pytest.fixture
def cli(harness: Harness, monkeypatch: pytest.MonkeyPatch) -> Iterator[InProcessCli]:
    with cli_against(harness, monkeypatch) as invoke:
        yield invoke


def local(h: Harness, days: float, zone: str) -> tuple[str, str]:
    """A time ``days`` from now as a person in ``zone`` types it, and its UTC wire form."""
    moment = (h.clock() + timedelta(days=days)).astimezone(zone_info(zone))
    moment = moment.replace(second=0, microsecond=0)
    return f"{moment:%Y-%m-%d %H:%M}", format_time(moment)


def test_the_officer_runs_a_tender_from_package_to_handover(
    harness: Harness, cli: InProcessCli, tmp_path: Path
) -> None:
    h = harness
    s = Scenario.build(h, vendors=2, budget_sen=500_000_000_000)
    a, b = s.vendors
    officer = key_file(tmp_path / "officer.key", s.officer)
    finance = key_file(tmp_path / "finance.key", s.finance)

    newcomer = register_vendor(h, None, "CV Pendatang Baru")
    activated = cli("officer", "activate-vendor", client_key_id(newcomer), "--key", officer)
    assert activated.exit_code == 0, activated.output
    assert s.read("procurement.vendor", client_key_id(newcomer))["status"] == "active"

    made = cli(
        "officer", "package", "--ocid", s.ocid, "--title", "Pengadaan alat kesehatan",
        "--budget-line", LINE, "--category", "goods", "--hps", "Rp 500.000.000,00",
        "--method", "tender", "--key", officer,
    )  # fmt: skip
    assert made.exit_code == 0, made.output
    assert "HPS Rp 500.000.000,00" in made.output
    assert s.tender()["hps_sen"] == 50_000_000_000

    document = tmp_path / "dokumen-pemilihan.pdf"
    document.write_bytes(b"%PDF-1.7 dokumen pemilihan alat kesehatan")
    clarification_typed, clarification_utc = local(h, 3, "WIB")
    deadline_typed, deadline_utc = local(h, 10, "WITA")
    announced = cli(
        "officer", "announce", "--ocid", s.ocid, "--file", str(document),
        "--clarification-end", clarification_typed,
        "--bid-deadline", deadline_typed + " WITA",
        *[arg for m in s.members for arg in ("--member", m.key_id)],
        "--threshold", "2", "--key", officer,
    )  # fmt: skip
    assert announced.exit_code == 0, announced.output
    schedule = s.tender()["schedule"]
    assert schedule["clarification_end"][:16] == clarification_utc[:16]
    assert schedule["bid_deadline"][:16] == deadline_utc[:16]
    assert f"{clarification_typed} WIB" in announced.output  # told back in the region's zone
    digest = hashlib.sha256(document.read_bytes()).hexdigest()
    stored = cli.http.get(f"/api/v1/procurement/documents/{digest}")
    assert stored.status_code == 200 and stored.content == document.read_bytes()

    s.append(a, lc.QUESTION_ASKED, {"question": "Apakah boleh merek lain yang setara?"})
    answered = cli(
        "officer", "answer", "--ocid", s.ocid, "--question", "1",
        "--answer", "Boleh, dengan spesifikasi setara.", "--key", officer,
    )  # fmt: skip
    assert answered.exit_code == 0, answered.output
    later_typed, later_utc = local(h, 12, "WIB")
    amended = cli(
        "officer", "addendum", "--ocid", s.ocid, "--description", "Jadwal diperpanjang",
        "--bid-deadline", later_typed, "--key", officer,
    )  # fmt: skip
    assert amended.exit_code == 0, amended.output
    assert s.tender()["addenda"] == 1
    assert s.tender()["schedule"]["bid_deadline"][:16] == later_utc[:16]

    s.bid(a, 40_000_000_000, addendum=1)
    s.bid(b, 42_000_000_000, addendum=1)
    h.clock.advance(13 * DAY)
    assert cli("officer", "close", "--ocid", s.ocid, "--key", officer).exit_code == 0
    for member in s.members[:2]:
        s.release(member)
    s.append(s.officer, lc.OPENED_TYPE, {})
    results = tmp_path / "hasil.csv"
    results.write_text(
        "bidder,passed,score,reasons\n"
        f"{client_key_id(a)},ya,85,memenuhi syarat\n"
        f"{client_key_id(b)},ya,80,memenuhi syarat\n",
        encoding="utf-8",
    )
    evaluated = cli(
        "officer", "evaluate", "--ocid", s.ocid, "--results", str(results), "--key", officer
    )
    assert evaluated.exit_code == 0, evaluated.output
    winner = cli(
        "officer", "winner", "--ocid", s.ocid, "--winner", client_key_id(a), "--key", officer
    )
    assert winner.exit_code == 0, winner.output
    assert s.tender()["state"] == "winner_announced"
    h.clock.advance(5 * DAY)

    award = tmp_path / "award.batch.json"
    cli(
        "officer", "award", "--ocid", s.ocid, "--posting-id", "KONTRAK-2026-0001",
        "--key", officer, "--out", str(award),
    )  # fmt: skip
    assert cli("finance", "sign-batch", str(award), "--key", finance, "--yes").exit_code == 0

    terms = tmp_path / "kontrak.json"
    uneven = cli(
        "officer", "contract-terms", "--ocid", s.ocid, "--contract", "SPK-001/DINKES/2026",
        "--start", "2026-04-01", "--end", "2026-06-30",
        "--milestone", "Serah terima=Rp 300.000.000@2026-06-30", "--out", str(terms),
    )  # fmt: skip
    assert refused(uneven) == "bad_milestones"
    written = cli(
        "officer", "contract-terms", "--ocid", s.ocid, "--contract", "SPK-001/DINKES/2026",
        "--start", "2026-04-01", "--end", "2026-06-30",
        "--milestone", "Uang muka=Rp 100.000.000@2026-04-15",
        "--milestone", "Serah terima=300000000.00@2026-06-30", "--out", str(terms),
    )  # fmt: skip
    assert written.exit_code == 0, written.output
    assert "Rp 400.000.000,00" in written.output
    vendor_key = key_file(tmp_path / "vendor.key", a)
    countersigned = cli(
        "vendor", "countersign", "--ocid", s.ocid, "--terms", str(terms), "--key", vendor_key
    )
    assert countersigned.exit_code == 0, countersigned.output
    signature = countersigned.stdout.split('"vendor_signature": "')[1].split('"')[0]
    signed = cli(
        "officer", "contract", "--ocid", s.ocid, "--terms", str(terms),
        "--vendor-signature", signature, "--key", officer,
    )  # fmt: skip
    assert signed.exit_code == 0, signed.output
    contract = s.read(ct.CONTRACT_NAMESPACE, s.ocid)
    assert contract["value_sen"] == 40_000_000_000 and contract["status"] == "active"

    allot = st.allotment(LINE, "ANGKAS-2026-1", [(3, 100_000_000_000)])
    h.ledger.append_direct([allot.sign(s.finance, at=h.clock(), origin=h.origin)])
    for request, (milestone, amount) in enumerate([(1, 10_000_000_000), (2, 30_000_000_000)], 1):
        h.ledger.append_direct(
            [
                client.payment_request(
                    a, s.ocid, request, milestone, amount, at=h.clock(), origin=h.origin
                )
            ]
        )
        payment = tmp_path / f"payment-{request}.batch.json"
        cli(
            "officer", "pay", "--ocid", s.ocid, "--request", str(request),
            "--posting-id", f"SP2D-2026-000{request}", "--key", officer, "--out", str(payment),
        )  # fmt: skip
        paid = cli("finance", "sign-batch", str(payment), "--key", finance, "--yes")
        assert paid.exit_code == 0, paid.output
    bast = tmp_path / "bast.pdf"
    bast.write_bytes(b"%PDF-1.7 berita acara serah terima")
    handed_over = cli(
        "officer", "handover", "--ocid", s.ocid, "--reference", "BAST-001/DINKES/2026",
        "--date", "2026-06-30", "--file", str(bast), "--key", officer,
    )  # fmt: skip
    assert handed_over.exit_code == 0, handed_over.output
    assert s.read(ct.CONTRACT_NAMESPACE, s.ocid)["status"] == "completed"
    digest = hashlib.sha256(bast.read_bytes()).hexdigest()
    assert cli.http.get(f"/api/v1/procurement/documents/{digest}").content == bast.read_bytes()


def test_typing_mistakes_are_refused_before_anything_is_signed(
    harness: Harness, cli: InProcessCli, tmp_path: Path
) -> None:
    h = harness
    s = Scenario.build(h, vendors=1, budget_sen=500_000_000_000)
    officer = key_file(tmp_path / "officer.key", s.officer)
    size = h.ledger.size()
    package = (
        "officer", "package", "--ocid", s.ocid, "--title", "Pengadaan",
        "--budget-line", LINE, "--category", "goods", "--method", "tender", "--key", officer,
    )  # fmt: skip
    ambiguous = cli(*package, "--hps", "500.000.000")
    assert refused(ambiguous) == "bad_amount"
    assert "Rp 500.000.000" in str(ambiguous.exception)  # says how to write it
    assert h.ledger.size() == size

    assert cli(*package, "--hps", "Rp 500.000.000").exit_code == 0
    size = h.ledger.size()
    no_hour = cli(
        "officer", "announce", "--ocid", s.ocid, "--document", "Dokumen=" + "ab" * 32,
        "--clarification-end", "2026-04-01", "--bid-deadline", "2026-04-10 14:00",
        "--member", s.members[0].key_id, "--threshold", "1", "--key", officer,
    )  # fmt: skip
    assert refused(no_hour) == "bad_time"
    assert "2026-12-10 14:00" in str(no_hour.exception)  # an example of what is accepted
    results = tmp_path / "hasil.csv"
    results.write_text("bidder,passed\nabc,mungkin\n", encoding="utf-8")
    bad_rows = cli(
        "officer", "evaluate", "--ocid", s.ocid, "--results", str(results), "--key", officer
    )
    assert refused(bad_rows) == "bad_results" and "line 2" in str(bad_rows.exception)
    assert h.ledger.size() == size
    cancelled = cli(
        "officer", "cancel", "--ocid", s.ocid, "--reason", "Anggaran direvisi", "--key", officer
    )
    assert cancelled.exit_code == 0, cancelled.output
    assert f"Cancelling {s.ocid}: Anggaran direvisi" in cancelled.output
    assert s.tender()["state"] == "cancelled"


def test_the_log_still_decides_who_may_sign_an_officer_step(
    harness: Harness, cli: InProcessCli, tmp_path: Path
) -> None:
    """The CLI is a convenience, not an authority: a vendor's key running an officer
    command is refused by the log, and nothing is logged."""
    h = harness
    s = Scenario.build(h, vendors=1, budget_sen=500_000_000_000)
    vendor = key_file(tmp_path / "vendor.key", s.vendors[0])
    size = h.ledger.size()
    made = cli(
        "officer", "package", "--ocid", s.ocid, "--title", "Paket titipan",
        "--budget-line", LINE, "--category", "goods", "--hps", "Rp 100.000.000",
        "--method", "tender", "--key", vendor,
    )  # fmt: skip
    assert refused(made) == "missing_role"
    assert h.ledger.size() == size


def test_the_officer_lists_the_package_items_from_a_file(
    harness: Harness, cli: InProcessCli, tmp_path: Path
) -> None:
    """``--items FILE`` puts the file's items in the statement; a file that is not a JSON
    list is refused before anything is signed, and a bad item by the log (422, nothing
    logged), naming the item's field."""
    h = harness
    s = Scenario.build(h, vendors=1, budget_sen=500_000_000_000)
    officer = key_file(tmp_path / "officer.key", s.officer)
    package = (
        "officer", "package", "--ocid", s.ocid, "--title", "Pengadaan alat kesehatan",
        "--budget-line", LINE, "--category", "goods", "--hps", "Rp 500.000.000",
        "--method", "tender", "--key", officer,
    )  # fmt: skip
    item = {
        "id": "1",
        "description": "Tensimeter digital",
        "classification": {"scheme": "KBLI", "id": "46693", "description": "Perdagangan alkes"},
        "quantity": 20,
        "unit": "unit",
    }
    size = h.ledger.size()
    not_a_list = tmp_path / "objek.json"
    not_a_list.write_text(json.dumps(item), encoding="utf-8")
    assert refused(cli(*package, "--items", str(not_a_list))) == "bad_items_file"
    bad_code = tmp_path / "salah.json"
    bad_code.write_text(
        json.dumps([{**item, "classification": {**item["classification"], "id": "4669"}}]),
        encoding="utf-8",
    )
    wrong = cli(*package, "--items", str(bad_code))
    assert refused(wrong) == "bad_field"
    assert "items[0].classification.id" in str(wrong.exception)
    assert h.ledger.size() == size
    good = tmp_path / "barang.json"
    good.write_text(json.dumps([item]), encoding="utf-8")
    made = cli(*package, "--items", str(good))
    assert made.exit_code == 0, made.output
    assert "1 item(s) from barang.json" in made.output
    assert s.tender()["items"][0]["classification"]["id"] == "46693"
