"""``terang officer award`` / ``pay`` and ``terang finance sign-batch``: the two-key
batches without either key leaving its owner's machine, on both engines.

The officer's command signs its own statement and writes finance's as templates; the
finance command shows them in rupiah, signs them and submits the whole batch. Attacks:
a batch file changed after the officer signed, one asking finance to sign something
that is not a budgeting posting, one for another log, and one submitted too late.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import Harness
from procurement_support import InProcessCli, Scenario, cli_against, key_file, refused

DAY = 86_400


@pytest.fixture
def cli(harness: Harness, monkeypatch: pytest.MonkeyPatch) -> Iterator[InProcessCli]:
    with cli_against(harness, monkeypatch) as invoke:
        yield invoke


def awarded_winner_scenario(h: Harness) -> Scenario:
    """A tender whose winner is announced and whose masa sanggah is over."""
    s = Scenario.build(h, vendors=2, budget_sen=500_000_000_000)
    a, b = s.vendors
    s.package()
    s.announce(days=10)
    s.bid(a, 40_000_000_000)
    s.bid(b, 42_000_000_000)
    h.clock.advance(10 * DAY)
    s.close()
    s.open()
    s.evaluate([(a, True, "85"), (b, True, "80")])
    s.announce_winner(a)
    h.clock.advance(5 * DAY)
    return s


def test_the_officer_prepares_the_award_and_finance_signs_and_submits_it(
    harness: Harness, cli: InProcessCli, tmp_path: Path
) -> None:
    h = harness
    s = awarded_winner_scenario(h)
    officer = key_file(tmp_path / "officer.key", s.officer)
    finance = key_file(tmp_path / "finance.key", s.finance)
    batch = tmp_path / "award.batch.json"
    prepared = cli(
        "officer", "award", "--ocid", s.ocid, "--posting-id", "KONTRAK-2026-0001",
        "--key", officer, "--out", str(batch),
    )  # fmt: skip
    assert prepared.exit_code == 0, prepared.output
    written = json.loads(batch.read_text())
    assert [i.get("sign_as") for i in written["items"]] == ["finance", None]
    assert "signature" not in json.dumps(written["items"][0])  # finance's part is unsigned
    size = h.ledger.size()
    assert s.tender()["state"] != "awarded"
    done = cli("finance", "sign-batch", str(batch), "--key", finance, "--yes")
    assert done.exit_code == 0, done.output
    assert "budgeting.commitment.posted" in done.output
    assert "Rp 400.000.000,00" in done.output  # what finance signs, as a person reads it
    assert s.tender()["state"] == "awarded"
    assert h.ledger.size() == size + 2


def test_finance_signs_nothing_when_asked_no_or_when_the_file_was_changed(
    harness: Harness, cli: InProcessCli, tmp_path: Path
) -> None:
    h = harness
    s = awarded_winner_scenario(h)
    officer = key_file(tmp_path / "officer.key", s.officer)
    finance = key_file(tmp_path / "finance.key", s.finance)
    batch = tmp_path / "award.batch.json"
    cli(
        "officer", "award", "--ocid", s.ocid, "--posting-id", "KONTRAK-2026-0001",
        "--key", officer, "--out", str(batch),
    )  # fmt: skip
    size = h.ledger.size()
    declined = cli("finance", "sign-batch", str(batch), "--key", finance, answer="n\n")
    assert declined.exit_code != 0 and h.ledger.size() == size
    # The officer's signed award, changed after signing (a lower value): the log refuses
    # the whole batch, so finance's commitment is not logged either.
    written = json.loads(batch.read_text())
    written["items"][1]["signed"]["statement"]["body"]["value"] = "1.00"
    batch.write_text(json.dumps(written))
    forged = cli("finance", "sign-batch", str(batch), "--key", finance, "--yes")
    assert refused(forged) == "bad_signature"
    assert h.ledger.size() == size
    # A file asking finance to sign something that is not a budgeting posting.
    written["items"][0]["type"] = "registry.role.granted"
    batch.write_text(json.dumps(written))
    foreign = cli("finance", "sign-batch", str(batch), "--key", finance, "--yes")
    assert refused(foreign) == "bad_batch_file"
    assert h.ledger.size() == size


def test_a_late_batch_and_one_for_another_log_are_refused_before_signing(
    harness: Harness, cli: InProcessCli, tmp_path: Path
) -> None:
    h = harness
    s = awarded_winner_scenario(h)
    officer = key_file(tmp_path / "officer.key", s.officer)
    finance = key_file(tmp_path / "finance.key", s.finance)
    batch = tmp_path / "award.batch.json"
    cli(
        "officer", "award", "--ocid", s.ocid, "--posting-id", "KONTRAK-2026-0001",
        "--key", officer, "--out", str(batch),
    )  # fmt: skip
    size = h.ledger.size()
    written = json.loads(batch.read_text())
    other = dict(written, origin="another.example/log")
    batch.write_text(json.dumps(other))
    wrong_log = cli("finance", "sign-batch", str(batch), "--key", finance, "--yes")
    assert refused(wrong_log) == "bad_batch_file"
    batch.write_text(json.dumps(written))
    h.clock.advance(h.ledger.limits.clock_skew_s_max)
    late = cli("finance", "sign-batch", str(batch), "--key", finance, "--yes")
    assert refused(late) == "batch_file_expired"
    assert "Ask the procurement officer to prepare it again" in str(late.exception)
    assert h.ledger.size() == size


def test_a_payment_request_is_paid_through_the_officer_and_finance_commands(
    harness: Harness, cli: InProcessCli, tmp_path: Path
) -> None:
    from procurement_support import LINE

    from budgeting import statements as st
    from procurement import client
    from procurement import contracts as ct

    h = harness
    s = awarded_winner_scenario(h)
    a = s.vendors[0]
    allot = st.allotment(LINE, "ANGKAS-2026-1", [(3, 100_000_000_000)])
    h.ledger.append_direct([allot.sign(s.finance, at=h.clock(), origin=h.origin)])
    officer = key_file(tmp_path / "officer.key", s.officer)
    finance = key_file(tmp_path / "finance.key", s.finance)
    award = tmp_path / "award.batch.json"
    cli(
        "officer", "award", "--ocid", s.ocid, "--posting-id", "KONTRAK-2026-0001",
        "--key", officer, "--out", str(award),
    )  # fmt: skip
    assert cli("finance", "sign-batch", str(award), "--key", finance, "--yes").exit_code == 0
    terms = client.contract_body(
        "SPK-001/DINKES/2026",
        40_000_000_000,
        "2026-03-20",
        "2026-06-30",
        [client.milestone("Serah terima", 40_000_000_000, "2026-06-30")],
    )
    signature = client.countersign(a, ct.SIGNED, s.ocid, terms)
    h.ledger.append_direct(
        [
            client.contract_statement(
                s.officer, s.ocid, terms, signature, at=h.clock(), origin=h.origin
            )
        ]
    )
    h.ledger.append_direct(
        [client.payment_request(a, s.ocid, 1, 1, 40_000_000_000, at=h.clock(), origin=h.origin)]
    )
    payment = tmp_path / "payment.batch.json"
    prepared = cli(
        "officer", "pay", "--ocid", s.ocid, "--request", "1", "--posting-id", "SP2D-2026-0001",
        "--key", officer, "--out", str(payment),
    )  # fmt: skip
    assert prepared.exit_code == 0, prepared.output
    paid = cli("finance", "sign-batch", str(payment), "--key", finance, "--yes")
    assert paid.exit_code == 0, paid.output
    assert "budgeting.payment.posted" in paid.output and "Rp 400.000.000,00" in paid.output
    contract = s.read(ct.CONTRACT_NAMESPACE, s.ocid)
    assert contract["paid_sen"] == 40_000_000_000
    assert [r["status"] for r in contract["requests"]] == ["paid"]
