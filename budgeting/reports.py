"""Reports over the budgeting projection (pandas): the LRA and the monthly cash report.

* **LRA** (Laporan Realisasi Anggaran, budget realisation report) for one fiscal year,
  by OPD, by the programme hierarchy (urusan → bidang urusan → program → kegiatan →
  sub kegiatan; belanja lines only, the others have no sub kegiatan) or by the
  account hierarchy (akun → kelompok → jenis → objek → rincian objek → sub rincian
  objek). Each row: appropriation (APBD murni), revisions (APBD perubahan),
  pergeseran, budget, commitments, realisation, remaining (budget - realisation)
  and absorption % (realisation / budget).
* **Monthly**: per month, the cash plan (anggaran kas allotments) and realisation
  (payments, or receipts on revenue lines, by value month), each also cumulative,
  and realisation as a % of the cumulative cash plan.

Invariants:

1. Money is integer sen in the frames (``int64`` columns named ``*_sen``); it leaves
   only as decimal strings (``money.format_amount``). Never a float: percentages are
   computed from integers and rounded half up to two places, as decimal strings.
2. Rows are kept apart by budget group (pendapatan, belanja, penerimaan and
   pengeluaran pembiayaan): adding revenue to spending means nothing.
3. Every report carries ``tree_size``, the log size its figures were read at
   (``read_models.snapshot``): replaying that many entries reproduces every figure;
   and the latest signed checkpoint if it covers exactly that size (else null, with
   the size of the latest checkpoint, which a later one will cover).
4. The per-level totals are sums of the line rows: the top level of each hierarchy
   sums to the same totals as the fiscal year's document.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from operator import attrgetter
from typing import Any

import pandas as pd
from sqlalchemy import Engine

from budgeting.codes import AccountGroup
from budgeting.money import format_amount
from budgeting.read_models import LineRow, iter_line_rows, snapshot, structure_names
from budgeting.spreadsheet import amounts_as_numbers, cell_text, neutralise_frame
from ledger.publisher import latest_checkpoint

MONTHS = 12
GROUP_ORDER = {group.value: index for index, group in enumerate(AccountGroup)}


class LraBy(StrEnum):
    OPD = "opd"
    PROGRAM = "program"
    ACCOUNT = "account"


class MonthlyBy(StrEnum):
    TOTAL = "total"
    OPD = "opd"


# (level name, LineRow column holding that level's code, structure kind for its name)
LEVELS: dict[LraBy, tuple[tuple[str, str, str], ...]] = {
    LraBy.OPD: (("opd", "opd", "opd"),),
    LraBy.PROGRAM: (
        ("urusan", "urusan", "programme"),
        ("bidang_urusan", "bidang_urusan", "programme"),
        ("program", "program", "programme"),
        ("kegiatan", "kegiatan", "programme"),
        ("sub_kegiatan", "sub_kegiatan", "programme"),
    ),
    LraBy.ACCOUNT: (
        ("akun", "akun", "account"),
        ("kelompok", "kelompok", "account"),
        ("jenis", "jenis", "account"),
        ("objek", "objek", "account"),
        ("rincian_objek", "rincian_objek", "account"),
        ("sub_rincian_objek", "account", "account"),
    ),
}

LINE_AMOUNTS = ("appropriated_sen", "revised_sen", "shifted_sen", "committed_sen", "realised_sen")
LRA_AMOUNTS = (
    "appropriated_sen",
    "revised_sen",
    "shifted_sen",
    "budget_sen",
    "committed_sen",
    "realised_sen",
    "remaining_sen",
)
MONTHLY_AMOUNTS = (
    "allotted_sen",
    "realised_sen",
    "allotted_cumulative_sen",
    "realised_cumulative_sen",
)


@dataclass(frozen=True)
class Report:
    """A computed report: the frame (sen as int64) and where in the log it stands."""

    kind: str
    year: int
    by: str
    tree_size: int
    checkpoint_note: str | None
    """The signed checkpoint of exactly ``tree_size`` entries, if published."""
    latest_checkpoint_size: int | None
    frame: pd.DataFrame
    key_columns: tuple[str, ...]
    amount_columns: tuple[str, ...]
    percent: tuple[str, str, str]
    """(output column, numerator column, denominator column)."""

    @property
    def name(self) -> str:
        return f"{self.kind}-{self.year}-by-{self.by}"

    def output_frame(self) -> pd.DataFrame:
        """Amounts as decimal strings (``_sen`` dropped from the names), the percentage
        as a two-place decimal string, codes and names as text: the CSV/XLSX table."""
        out = self.frame[list(self.key_columns)].copy()
        for column in self.amount_columns:
            out[column.removesuffix("_sen")] = [
                format_amount(int(v)) for v in self.frame[column].tolist()
            ]
        name, numerator, denominator = self.percent
        out[name] = [
            percent(int(n), int(d))
            for n, d in zip(
                self.frame[numerator].tolist(), self.frame[denominator].tolist(), strict=True
            )
        ]
        return out.fillna("").astype(str) if len(out) else out.astype(str)

    def as_json(self) -> dict[str, Any]:
        table = self.output_frame()
        rows = table.to_dict(orient="records")
        name = self.percent[0]
        for row in rows:
            if row[name] == "":
                row[name] = None
        return {
            "report": self.kind,
            "year": self.year,
            "by": self.by,
            "tree_size": self.tree_size,
            "checkpoint": self.checkpoint_note,
            "latest_checkpoint_size": self.latest_checkpoint_size,
            "currency": "IDR",
            "columns": list(table.columns),
            "rows": rows,
        }


def percent(numerator: int, denominator: int) -> str:
    """``numerator / denominator`` in percent, two places, rounded half away from zero;
    ``""`` when the denominator is not positive (no budget: absorption is undefined)."""
    if denominator <= 0:
        return ""
    scaled = abs(numerator) * 10_000 * 2 + denominator
    hundredths = scaled // (2 * denominator)
    sign = "-" if numerator < 0 and hundredths else ""
    return f"{sign}{hundredths // 100}.{hundredths % 100:02d}"


def _line_frame(records: Sequence[dict[str, Any]]) -> pd.DataFrame:
    frame = pd.DataFrame.from_records(list(records))
    for column in frame.columns:
        if column.endswith("_sen") or column.startswith(("allotted_m", "realised_m")):
            frame[column] = frame[column].astype("int64")
    return frame


CODE_COLUMNS = (
    "line_id", "group", "opd", "urusan", "bidang_urusan", "program", "kegiatan",
    "sub_kegiatan", "akun", "kelompok", "jenis", "objek", "rincian_objek", "account",
    "funding_source",
)  # fmt: skip


def line_frame_from_rows(rows: Iterable[LineRow]) -> pd.DataFrame:
    """The columns the reports use, built column by column from ``LineRow`` objects.

    ``LineRow.as_record`` (``dataclasses.asdict``, a deep copy per field) took 80 % of
    the LRA's time at 50,000 lines; plain attribute reads into lists do not."""
    fields = (*CODE_COLUMNS, *LINE_AMOUNTS)
    read = attrgetter(*fields, "allotted_by_month", "realised_by_month")
    tuples = [read(row) for row in rows]
    width = len(fields)
    data: dict[str, Any] = {}
    for index, name in enumerate(fields):
        values = [t[index] for t in tuples]
        data[name] = pd.Series(values, dtype=object if name in CODE_COLUMNS else "int64")
    for offset, kind in ((width, "allotted"), (width + 1, "realised")):
        for month in range(MONTHS):
            data[f"{kind}_m{month + 1:02d}"] = pd.Series(
                [t[offset][month] for t in tuples], dtype="int64"
            )
    return pd.DataFrame(data)


def _read_lines(
    engine: Engine, year: int
) -> tuple[pd.DataFrame, dict[str, dict[str, str]], int, str | None, int | None]:
    with snapshot(engine) as snap:
        frame = line_frame_from_rows(iter_line_rows(snap.conn, year=year))
        names = structure_names(snap.conn)
        checkpoint = latest_checkpoint(snap.conn)
        tree_size = snap.tree_size
    note = checkpoint.note if checkpoint is not None and checkpoint.size == tree_size else None
    return (
        frame,
        names,
        tree_size,
        note,
        None if checkpoint is None else checkpoint.size,
    )


def lra_from_lines(
    lines: pd.DataFrame, names: dict[str, dict[str, str]], by: LraBy
) -> pd.DataFrame:
    """The LRA rows from a frame of line records (``LineRow.as_record``): one row per
    (budget group, level, code), parents before children, sums of the lines below."""
    columns = ["group", "level", "code", "name", *LRA_AMOUNTS]
    if lines.empty:
        return pd.DataFrame(
            {c: pd.Series(dtype="int64" if c.endswith("_sen") else object) for c in columns}
        )
    if by is LraBy.PROGRAM:
        lines = lines[lines["sub_kegiatan"].notna()]
    parts: list[pd.DataFrame] = []
    for level, code_column, kind in LEVELS[by]:
        summed = (
            lines.groupby(["group", code_column], sort=False)[list(LINE_AMOUNTS)]
            .sum()
            .reset_index()
            .rename(columns={code_column: "code"})
        )
        summed["level"] = level
        labels = names.get(kind, {})
        summed["name"] = [labels.get(code, "") for code in summed["code"].tolist()]
        parts.append(summed)
    frame = pd.concat(parts, ignore_index=True)
    frame["budget_sen"] = frame["appropriated_sen"] + frame["revised_sen"] + frame["shifted_sen"]
    frame["remaining_sen"] = frame["budget_sen"] - frame["realised_sen"]
    frame["_group_order"] = frame["group"].map(GROUP_ORDER)
    frame = frame.sort_values(["_group_order", "code"], kind="stable").drop(columns="_group_order")
    return frame[columns].reset_index(drop=True)


def lra(engine: Engine, year: int, by: LraBy = LraBy.OPD) -> Report:
    lines, names, tree_size, note, latest = _read_lines(engine, year)
    frame = lra_from_lines(lines, names, by)
    return Report(
        kind="lra",
        year=year,
        by=by.value,
        tree_size=tree_size,
        checkpoint_note=note,
        latest_checkpoint_size=latest,
        frame=frame,
        key_columns=("group", "level", "code", "name"),
        amount_columns=LRA_AMOUNTS,
        percent=("absorption_pct", "realised_sen", "budget_sen"),
    )


def monthly_from_lines(
    lines: pd.DataFrame, names: dict[str, dict[str, str]], by: MonthlyBy
) -> pd.DataFrame:
    """Per (budget group[, OPD], month): allotted, realised, and both cumulative."""
    keys = ["group"] if by is MonthlyBy.TOTAL else ["group", "opd"]
    columns = [*keys, *(["opd_name"] if by is MonthlyBy.OPD else []), "month", *MONTHLY_AMOUNTS]
    if lines.empty:
        return pd.DataFrame(
            {c: pd.Series(dtype="int64" if c.endswith("_sen") else object) for c in columns}
        )
    month_columns = [
        f"{kind}_m{m:02d}" for kind in ("allotted", "realised") for m in range(1, MONTHS + 1)
    ]
    summed = lines.groupby(keys, sort=False)[month_columns].sum().reset_index()
    long = summed.melt(id_vars=keys, value_vars=month_columns, var_name="column", value_name="sen")
    long["kind"] = long["column"].str.slice(0, -4)
    long["month"] = long["column"].str.slice(-2).astype("int64")
    wide = long.pivot_table(
        index=[*keys, "month"], columns="kind", values="sen", aggfunc="sum"
    ).reset_index()
    wide = wide.rename(columns={"allotted": "allotted_sen", "realised": "realised_sen"})
    wide.columns.name = None
    wide["allotted_sen"] = wide["allotted_sen"].astype("int64")
    wide["realised_sen"] = wide["realised_sen"].astype("int64")
    wide["_group_order"] = wide["group"].map(GROUP_ORDER)
    wide = wide.sort_values(["_group_order", *keys[1:], "month"], kind="stable")
    grouped = wide.groupby(keys, sort=False)
    wide["allotted_cumulative_sen"] = grouped["allotted_sen"].cumsum().astype("int64")
    wide["realised_cumulative_sen"] = grouped["realised_sen"].cumsum().astype("int64")
    if by is MonthlyBy.OPD:
        labels = names.get("opd", {})
        wide["opd_name"] = [labels.get(code, "") for code in wide["opd"].tolist()]
    wide["month"] = wide["month"].astype(str).str.zfill(2)
    return wide[columns].reset_index(drop=True)


def monthly(engine: Engine, year: int, by: MonthlyBy = MonthlyBy.TOTAL) -> Report:
    lines, names, tree_size, note, latest = _read_lines(engine, year)
    frame = monthly_from_lines(lines, names, by)
    keys = ("group", "month") if by is MonthlyBy.TOTAL else ("group", "opd", "opd_name", "month")
    return Report(
        kind="monthly",
        year=year,
        by=by.value,
        tree_size=tree_size,
        checkpoint_note=note,
        latest_checkpoint_size=latest,
        frame=frame,
        key_columns=keys,
        amount_columns=MONTHLY_AMOUNTS,
        percent=("realised_vs_plan_pct", "realised_cumulative_sen", "allotted_cumulative_sen"),
    )


# -- downloads ------------------------------------------------------------------------------


def to_csv_bytes(report: Report) -> bytes:
    """UTF-8 CSV of ``output_frame`` (every cell text: amounts stay exact; formula-safe)."""
    frame = neutralise_frame(report.output_frame())
    text: str = frame.to_csv(index=False, lineterminator="\n")
    return text.encode("utf-8")


def to_xlsx_bytes(report: Report) -> bytes:
    """An XLSX workbook: the table (amounts as number cells, ``spreadsheet.amounts_as_numbers``;
    codes and names as formula-safe text) and an "about" sheet with the tree size."""
    import io

    buffer = io.BytesIO()
    about = pd.DataFrame(
        {
            "key": [
                "report",
                "year",
                "by",
                "tree_size",
                "latest_checkpoint_size",
                "checkpoint",
                "currency",
            ],
            "value": [
                report.kind,
                str(report.year),
                report.by,
                str(report.tree_size),
                "" if report.latest_checkpoint_size is None else str(report.latest_checkpoint_size),
                report.checkpoint_note or "",
                "IDR",
            ],
        }
    )
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        table = neutralise_frame(report.output_frame())
        table.to_excel(writer, sheet_name=report.kind, index=False)
        amounts_as_numbers(
            writer.sheets[report.kind], [c.removesuffix("_sen") for c in report.amount_columns]
        )
        neutralise_frame(about).to_excel(writer, sheet_name="about", index=False)
    return buffer.getvalue()


def read_csv_bytes(data: bytes) -> pd.DataFrame:
    """A downloaded CSV back as text cells (the round trip tests use it)."""
    import io

    return pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False, na_filter=False)


def read_xlsx_bytes(data: bytes, sheet: str) -> pd.DataFrame:
    """A downloaded workbook's ``sheet`` back as text cells, as the CSV has them (amounts
    as two-place decimal strings: ``spreadsheet.cell_text``); the round trip tests use it."""
    import io

    from openpyxl import load_workbook

    rows = load_workbook(io.BytesIO(data))[sheet].iter_rows()
    header, *body = [[cell_text(cell) for cell in row] for row in rows]
    return pd.DataFrame(body, columns=header, dtype=str)
