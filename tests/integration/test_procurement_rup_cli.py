"""``terang officer rup ...``: the officer publishes, revises and withdraws RUP items from
the command line, on both engines: the value typed in rupiah is signed as the same sen,
the OPD and fiscal year are the budget line's, a revision changes only the options given,
and a refusal (a package above its item's value, an item withdrawn while cited) changes
nothing."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import Harness
from procurement_support import LINE, InProcessCli, Scenario, cli_against, key_file, refused

from procurement import rup

CODE = "41234567"


@pytest.fixture
def cli(harness: Harness, monkeypatch: pytest.MonkeyPatch) -> Iterator[InProcessCli]:
    with cli_against(harness, monkeypatch) as invoke:
        yield invoke


def test_the_officer_publishes_revises_and_withdraws_rup_items(
    harness: Harness, cli: InProcessCli, tmp_path: Path
) -> None:
    h = harness
    s = Scenario.build(h, vendors=0)
    officer = key_file(tmp_path / "officer.key", s.officer)
    made = cli(
        "officer", "rup", "publish", CODE, "--budget-line", LINE,
        "--name", "Pengadaan alat kesehatan puskesmas", "--value", "Rp 600.000.000,00",
        "--category", "goods", "--method", "tender", "--pdn", "--no-umk",
        "--selection-start", "2026-03", "--contract-start", "2026-05", "--key", officer,
    )  # fmt: skip
    assert made.exit_code == 0, made.output
    assert "Rp 600.000.000,00" in made.output
    doc = s.read(rup.RUP_NAMESPACE, CODE)
    assert doc["value_sen"] == 60_000_000_000 and doc["opd"] == LINE.split(":")[1]
    assert doc["year"] == 2026 and doc["pdn"] is True and doc["umk"] is False

    revised = cli(
        "officer", "rup", "revise", CODE, "--value", "550000000.00", "--umk",
        "--reason", "Hasil reviu APIP", "--key", officer,
    )  # fmt: skip
    assert revised.exit_code == 0, revised.output
    doc = s.read(rup.RUP_NAMESPACE, CODE)
    assert (doc["revision"], doc["value_sen"], doc["umk"]) == (1, 55_000_000_000, True)
    assert doc["name"] == "Pengadaan alat kesehatan puskesmas"

    over = cli(
        "officer", "package", "--ocid", s.ocid, "--title", "Alat kesehatan",
        "--budget-line", LINE, "--category", "goods", "--hps", "Rp 560.000.000,00",
        "--method", "tender", "--rup-code", CODE, "--key", officer,
    )  # fmt: skip
    assert refused(over) == "hps_above_rup"
    made = cli(
        "officer", "package", "--ocid", s.ocid, "--title", "Alat kesehatan",
        "--budget-line", LINE, "--category", "goods", "--hps", "Rp 500.000.000,00",
        "--method", "tender", "--rup-code", CODE, "--key", officer,
    )  # fmt: skip
    assert made.exit_code == 0, made.output
    assert s.tender()["rup"]["revision"] == 1

    cited = cli("officer", "rup", "withdraw", CODE, "--reason", "Ditunda", "--key", officer)
    assert refused(cited) == "rup_cited"
    swakelola = cli(
        "officer", "rup", "publish", "SWA-2026-1", "--budget-line", LINE, "--type", "swakelola",
        "--name", "Pelatihan kader posyandu", "--value", "Rp 50.000.000,00",
        "--category", "other_services", "--no-pdn", "--no-umk",
        "--selection-start", "2026-02", "--contract-start", "2026-03", "--key", officer,
    )  # fmt: skip
    assert swakelola.exit_code == 0, swakelola.output
    assert s.read(rup.RUP_NAMESPACE, "SWA-2026-1")["method"] is None
    gone = cli("officer", "rup", "withdraw", "SWA-2026-1", "--reason", "Batal", "--key", officer)
    assert gone.exit_code == 0, gone.output
    assert s.read(rup.RUP_NAMESPACE, "SWA-2026-1")["state"] == "withdrawn"
    missing = cli("officer", "rup", "publish", "X-1", "--budget-line", LINE, "--key", officer)
    assert refused(missing) == "missing_field"
