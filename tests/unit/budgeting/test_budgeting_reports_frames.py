"""Reports without a database: percentages from integers, hierarchy sums over a frame of
line records, the CSV/XLSX round trip of a report, and the OFDP descriptor's shape."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pandas as pd  # type: ignore[import-untyped]
import pytest
from hypothesis import given
from hypothesis import strategies as strategies

from budgeting import fiscal_data_package, reports
from budgeting.limits import AMOUNT_SEN_MAX
from budgeting.reports import LraBy, MonthlyBy, Report, percent


@given(
    strategies.integers(min_value=-AMOUNT_SEN_MAX, max_value=AMOUNT_SEN_MAX),
    strategies.integers(min_value=1, max_value=AMOUNT_SEN_MAX),
)
def test_percent_is_the_exact_quotient_rounded_half_up(numerator: int, denominator: int) -> None:
    exact = (Decimal(abs(numerator)) * 100 / Decimal(denominator)).quantize(
        Decimal("0.01"), rounding=ROUND_HALF_UP
    )
    expected = ("-" if numerator < 0 and exact else "") + str(exact)
    assert percent(numerator, denominator) == expected


def test_percent_edges() -> None:
    assert percent(1, 3) == "33.33"
    assert percent(2, 3) == "66.67"
    assert percent(1, 200) == "0.50"
    assert percent(1, 20_001) == "0.00"
    assert percent(5, 0) == ""  # no budget: absorption is undefined, not 0 or infinity


def record(line: str, **amounts: int) -> dict[str, Any]:
    year, opd, sub, account, funding = line.split(":")
    sub_parts = sub.split(".")
    account_parts = account.split(".")
    out: dict[str, Any] = {
        "line_id": line,
        "year": int(year),
        "opd": opd,
        "urusan": None if sub == "-" else sub_parts[0],
        "bidang_urusan": None if sub == "-" else ".".join(sub_parts[:2]),
        "program": None if sub == "-" else ".".join(sub_parts[:3]),
        "kegiatan": None if sub == "-" else ".".join(sub_parts[:5]),
        "sub_kegiatan": None if sub == "-" else sub,
        "account": account,
        "akun": account_parts[0],
        "kelompok": ".".join(account_parts[:2]),
        "jenis": ".".join(account_parts[:3]),
        "objek": ".".join(account_parts[:4]),
        "rincian_objek": ".".join(account_parts[:5]),
        "group": "belanja" if account.startswith("5") else "pendapatan",
        "funding_source": funding,
    }
    for field in reports.LINE_AMOUNTS:
        out[field] = amounts.get(field.removesuffix("_sen"), 0)
    for month in range(1, 13):
        out[f"allotted_m{month:02d}"] = amounts.get("allotted", 0) if month == 1 else 0
        out[f"realised_m{month:02d}"] = amounts.get("realised", 0) if month == 2 else 0
    return out


LINES = [
    record("2026:1.02.0.00.0.00.01.0000:1.02.02.2.01.0001:5.1.02.01.01.0001:DAU",
           appropriated=1000, revised=-100, realised=300, committed=500, allotted=900),
    record("2026:1.02.0.00.0.00.01.0000:1.02.02.2.01.0002:5.1.02.01.01.0002:DAU",
           appropriated=2000, shifted=50, realised=1),
    record("2026:1.03.0.00.0.00.01.0000:1.03.10.2.01.0022:5.2.04.01.01.0003:DAU",
           appropriated=7000, realised=7000, allotted=7000),
    record("2026:1.02.0.00.0.00.01.0000:-:4.1.02.01.01.0001:PAD",
           appropriated=555, realised=600),
]  # fmt: skip


def frame() -> pd.DataFrame:
    return reports._line_frame(LINES)


def test_lra_by_programme_sums_every_level_and_leaves_out_lines_without_sub_kegiatan() -> None:
    out = reports.lra_from_lines(frame(), {"programme": {"1": "Urusan Wajib"}}, LraBy.PROGRAM)
    rows = {(r["level"], r["code"]): r for r in out.to_dict(orient="records")}
    assert rows[("urusan", "1")]["budget_sen"] == 1000 - 100 + 2000 + 50 + 7000
    assert rows[("urusan", "1")]["name"] == "Urusan Wajib"
    assert rows[("bidang_urusan", "1.02")]["realised_sen"] == 301
    assert rows[("sub_kegiatan", "1.03.10.2.01.0022")]["remaining_sen"] == 0
    assert all(r["group"] == "belanja" for r in rows.values())  # revenue has no programme
    codes = list(out["code"])
    assert codes == sorted(codes)  # parents before children


def test_lra_keeps_budget_groups_apart() -> None:
    out = reports.lra_from_lines(frame(), {}, LraBy.OPD)
    rows = [(r["group"], r["code"], r["realised_sen"]) for r in out.to_dict(orient="records")]
    assert rows == [
        ("pendapatan", "1.02.0.00.0.00.01.0000", 600),
        ("belanja", "1.02.0.00.0.00.01.0000", 301),
        ("belanja", "1.03.0.00.0.00.01.0000", 7000),
    ]
    assert out["realised_sen"].dtype == "int64"


def test_monthly_is_cumulative_per_group() -> None:
    out = reports.monthly_from_lines(frame(), {}, MonthlyBy.TOTAL)
    belanja = out[out["group"] == "belanja"].to_dict(orient="records")
    assert [r["month"] for r in belanja] == [f"{m:02d}" for m in range(1, 13)]
    assert belanja[0]["allotted_sen"] == 7900
    assert belanja[1]["realised_cumulative_sen"] == 7301
    assert belanja[11]["allotted_cumulative_sen"] == 7900


def report(frame_: pd.DataFrame) -> Report:
    return Report(
        kind="lra", year=2026, by="opd", tree_size=42, checkpoint_note=None,
        latest_checkpoint_size=40, frame=frame_, key_columns=("group", "level", "code", "name"),
        amount_columns=reports.LRA_AMOUNTS,
        percent=("absorption_pct", "realised_sen", "budget_sen"),
    )  # fmt: skip


def test_csv_and_xlsx_round_trip_exactly() -> None:
    lra = report(reports.lra_from_lines(frame(), {"opd": {"1.02.0.00.0.00.01.0000": "Dinkes"}},
                                        LraBy.OPD))  # fmt: skip
    table = lra.output_frame()
    assert reports.read_csv_bytes(reports.to_csv_bytes(lra)).equals(table)
    assert reports.read_xlsx_bytes(reports.to_xlsx_bytes(lra), "lra").equals(table)
    document = lra.as_json()
    assert document["tree_size"] == 42
    assert document["rows"][0]["realised"] == "6.00"
    assert document["rows"][0]["absorption_pct"] == "108.11"


def test_an_empty_year_gives_empty_reports_with_the_columns() -> None:
    empty = reports._line_frame([])
    lra = report(reports.lra_from_lines(empty, {}, LraBy.ACCOUNT))
    assert lra.as_json()["rows"] == []
    assert list(reports.monthly_from_lines(empty, {}, MonthlyBy.OPD).columns)[:3] == [
        "group", "opd", "opd_name",
    ]  # fmt: skip


@pytest.mark.parametrize("year", [2026, 2099])
def test_ofdp_descriptor_names_fields_and_model_sources(year: int) -> None:
    descriptor = fiscal_data_package.descriptor(year, 10, None)
    (resource,) = descriptor["resources"]
    fields = {f["name"]: f for f in resource["schema"]["fields"]}
    for measure in descriptor["model"]["measures"].values():
        assert fields[measure["source"]]["type"] == "number"
        assert measure["currency"] == "IDR"
    for dimension in descriptor["model"]["dimensions"].values():
        for attribute in dimension["attributes"].values():
            assert attribute["source"] in fields
    assert descriptor["fiscalPeriod"] == {"start": f"{year}-01-01", "end": f"{year}-12-31"}


def test_xlsx_amounts_are_number_cells_and_codes_stay_text() -> None:
    """A reader sums the workbook's amounts without converting them (issue 13 item 7)."""
    import io

    from openpyxl import load_workbook

    lra = report(reports.lra_from_lines(frame(), {"opd": {"1.02.0.00.0.00.01.0000": "Dinkes"}},
                                        LraBy.OPD))  # fmt: skip
    table = lra.output_frame()
    sheet = load_workbook(io.BytesIO(reports.to_xlsx_bytes(lra)))["lra"]
    header = [cell.value for cell in sheet[1]]
    amounts = [c.removesuffix("_sen") for c in reports.LRA_AMOUNTS]
    for row_index, row in enumerate(sheet.iter_rows(min_row=2)):
        for name, cell in zip(header, row, strict=True):
            expected = table[name].iloc[row_index]
            if name in amounts:
                assert cell.data_type == "n", (name, cell.value)
                assert cell.number_format == "#,##0.00"
                assert Decimal(str(cell.value)) == Decimal(expected)
            elif expected:
                assert cell.data_type == "s", (name, cell.value)  # codes keep leading zeros
                assert cell.value == expected


@pytest.mark.parametrize("amount", ["90071992547409.91", "-1500000.00", "0.05", "2990000000000.00"])
def test_an_xlsx_amount_cell_holds_the_exact_decimal(amount: str) -> None:
    """The file carries the figure the CSV carries, digit for digit (no float on the way);
    how many digits a spreadsheet then computes with is the program's business."""
    import io
    import re
    import zipfile

    from openpyxl import Workbook

    from budgeting.spreadsheet import amounts_as_numbers

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["code", "budget"])
    sheet.append(["5.1.02", amount])
    amounts_as_numbers(sheet, ["budget"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    xml = zipfile.ZipFile(io.BytesIO(buffer.getvalue())).read("xl/worksheets/sheet1.xml")
    written = re.search(rb'<c r="B2"[^>]* t="n"><v>([^<]+)</v>', xml)
    assert written is not None
    assert Decimal(written[1].decode()) == Decimal(amount)  # the exact figure, no float
    with pytest.raises(ArithmeticError):  # a non-number is refused, never written as text
        sheet.append(["5.1.03", "Rp 5"])
        amounts_as_numbers(sheet, ["budget"])
