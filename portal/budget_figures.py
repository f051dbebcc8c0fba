"""The budget explorer's figures: sums over a scope's lines, by the LRA's own functions.

A scope is a fiscal year, one OPD of it, or one programme code inside an OPD. Its
figures come from ``budgeting.reports`` (``lra_from_lines``, ``monthly_from_lines``)
applied to the scope's lines, so a row here is the same row the LRA download and
``/api/v1/budget/reports/lra`` show for that code. They are cached per version of the
fiscal year (``versioned_cache``): the first visitor after a posting pays for the sums
(or, while a refresh runs, sees the previous ones with their own tree size).

Amounts are integer sen throughout; percentages are the reports' exact decimal strings.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from typing import Any, Final

from sqlalchemy import Engine

from budgeting.codes import AccountGroup, ProgrammeLevel
from budgeting.namespaces import STRUCTURE_NAMESPACES
from budgeting.read_models import (
    LineRow,
    get_fiscal_year,
    iter_line_rows,
    iter_structure_rows,
    snapshot,
)
from budgeting.reports import (
    LraBy,
    MonthlyBy,
    line_frame_from_rows,
    lra_from_lines,
    monthly_from_lines,
    percent,
)
from portal.limits import SCOPES_CACHED_MAX
from portal.versioned_cache import Versioned, VersionedCache
from procurement.reads import documents

REFRESH_INTERVAL_S: Final = 10.0
"""A scope's sums are recomputed at most this often while postings stream in."""
LINES_PAGE_ITEMS: Final = 50
"""Budget lines per page of a line list."""
PROGRAMME_LEVELS: Final = tuple(level.value for level in ProgrammeLevel)
SUB_KEGIATAN_PARTS: Final = 6
GROUPS: Final = tuple(group.value for group in AccountGroup)
AMOUNTS: Final = (
    "appropriated_sen",
    "revised_sen",
    "shifted_sen",
    "budget_sen",
    "committed_sen",
    "realised_sen",
    "remaining_sen",
)


@dataclass(frozen=True)
class Row:
    """One LRA row: a code at some level with its sums (sen) and absorption."""

    group: str
    level: str
    code: str
    name: str
    amounts: dict[str, int]
    absorption_pct: str
    """``realised / budget`` in percent, two places; ``""`` without a budget."""

    @property
    def budget_sen(self) -> int:
        return self.amounts["budget_sen"]

    @property
    def committed_sen(self) -> int:
        return self.amounts["committed_sen"]

    @property
    def realised_sen(self) -> int:
        return self.amounts["realised_sen"]


@dataclass(frozen=True)
class Month:
    month: int
    allotted_sen: int
    realised_sen: int
    allotted_cumulative_sen: int
    realised_cumulative_sen: int
    realised_vs_plan_pct: str


@dataclass(frozen=True)
class LineSummary:
    line_id: str
    account: str
    account_name: str
    funding_source: str
    group: str
    description: str | None
    budget_sen: int
    committed_sen: int
    realised_sen: int
    absorption_pct: str


@dataclass(frozen=True)
class ScopeFigures:
    """Everything a scope's page shows, as of ``tree_size``."""

    year: int
    opd: str | None
    programme: str | None
    tree_size: int
    rows: tuple[Row, ...]
    """By OPD for a year; for an OPD or a programme in it, the programme hierarchy of
    its belanja lines (every level, ancestors included)."""
    totals: dict[str, Row]
    """Per budget group, the scope's sums."""
    months: dict[str, tuple[Month, ...]]
    """Per budget group, the cash plan against realisation, January first."""
    lines: tuple[LineSummary, ...]
    """The lines the scope's page lists: a sub kegiatan's lines; for an OPD, its lines
    outside the programme hierarchy (pendapatan, pembiayaan); none otherwise."""


def _rows(frame: Any) -> list[Row]:
    rows = []
    for record in frame.to_dict(orient="records"):
        amounts = {name: int(record[name]) for name in AMOUNTS}
        rows.append(
            Row(
                group=str(record["group"]),
                level=str(record["level"]),
                code=str(record["code"]),
                name=str(record["name"] or ""),
                amounts=amounts,
                absorption_pct=percent(amounts["realised_sen"], amounts["budget_sen"]),
            )
        )
    return rows


def _months(frame: Any) -> dict[str, tuple[Month, ...]]:
    months: dict[str, list[Month]] = {}
    for record in frame.to_dict(orient="records"):
        months.setdefault(str(record["group"]), []).append(
            Month(
                month=int(record["month"]),
                allotted_sen=int(record["allotted_sen"]),
                realised_sen=int(record["realised_sen"]),
                allotted_cumulative_sen=int(record["allotted_cumulative_sen"]),
                realised_cumulative_sen=int(record["realised_cumulative_sen"]),
                realised_vs_plan_pct=percent(
                    int(record["realised_cumulative_sen"]), int(record["allotted_cumulative_sen"])
                ),
            )
        )
    return {group: tuple(values) for group, values in months.items()}


def _names(conn: Any, kind: str, codes: set[str]) -> dict[str, str]:
    found = documents(conn, STRUCTURE_NAMESPACES[kind], sorted(codes))
    return {code: str(doc.get("name", "")) for code, doc in found.items()}


def compute_scope(
    engine: Engine, year: int, opd: str | None, programme: str | None
) -> Versioned[ScopeFigures]:
    """Read the scope's lines in one snapshot and sum them (the costly part)."""
    with snapshot(engine) as snap:
        fiscal = get_fiscal_year(snap.conn, year)
        version = -1 if fiscal is None else fiscal.updated_seq
        lines = list(iter_line_rows(snap.conn, year=year, opd=opd, programme=programme))
        frame = line_frame_from_rows(lines)
        if opd is None:
            names = {"opd": {row.code: row.name for row in iter_structure_rows(snap.conn, "opd")}}
            rows = _rows(lra_from_lines(frame, names, LraBy.OPD))
            totals_by = rows
        else:
            programmes = {
                code
                for line in lines
                for code in (
                    line.urusan,
                    line.bidang_urusan,
                    line.program,
                    line.kegiatan,
                    line.sub_kegiatan,
                )
                if code is not None
            }
            names = {"programme": _names(snap.conn, "programme", programmes)}
            rows = _rows(lra_from_lines(frame, names, LraBy.PROGRAM))
            totals_by = _rows(lra_from_lines(frame, {}, LraBy.OPD))
        listed = _listed_lines(lines, opd, programme)
        account_names = _names(snap.conn, "account", {line.account for line in listed})
        months = _months(monthly_from_lines(frame, {}, MonthlyBy.TOTAL))
        tree_size = snap.tree_size
    totals = _group_totals(totals_by)
    return Versioned(
        version,
        ScopeFigures(
            year=year,
            opd=opd,
            programme=programme,
            tree_size=tree_size,
            rows=tuple(rows),
            totals=totals,
            months=months,
            lines=tuple(
                LineSummary(
                    line_id=line.line_id,
                    account=line.account,
                    account_name=account_names.get(line.account, ""),
                    funding_source=line.funding_source,
                    group=line.group,
                    description=line.description,
                    budget_sen=line.budget_sen,
                    committed_sen=line.committed_sen,
                    realised_sen=line.realised_sen,
                    absorption_pct=percent(line.realised_sen, line.budget_sen),
                )
                for line in listed
            ),
        ),
    )


def _listed_lines(lines: list[LineRow], opd: str | None, programme: str | None) -> list[LineRow]:
    if opd is None:
        return []
    if programme is None:
        return [line for line in lines if line.sub_kegiatan is None]
    if programme.count(".") + 1 == SUB_KEGIATAN_PARTS:
        return lines
    return []


def _group_totals(rows: list[Row]) -> dict[str, Row]:
    """Per group, the sum of top-level rows (OPD rows: each line is under one OPD)."""
    totals: dict[str, Row] = {}
    for group in GROUPS:
        members = [row for row in rows if row.group == group]
        if not members:
            continue
        amounts = {name: sum(row.amounts[name] for row in members) for name in AMOUNTS}
        totals[group] = Row(
            group=group,
            level="total",
            code="",
            name="",
            amounts=amounts,
            absorption_pct=percent(amounts["realised_sen"], amounts["budget_sen"]),
        )
    return totals


class BudgetFigures:
    """The explorer's figures for one deployment (one engine), cached per fiscal year."""

    def __init__(self, engine: Engine, *, background: bool = True) -> None:
        self.engine = engine
        self.cache: VersionedCache[ScopeFigures] = VersionedCache(
            SCOPES_CACHED_MAX, background=background, refresh_interval_s=REFRESH_INTERVAL_S
        )

    def scope(
        self, year: int, opd: str | None, programme: str | None, version: int
    ) -> ScopeFigures:
        """The scope's figures at ``version`` (the fiscal year's ``updated_seq``) or, while
        a refresh runs, the last ones computed (their ``tree_size`` says how old)."""
        found = self.cache.get(
            (year, opd, programme),
            version,
            lambda: compute_scope(self.engine, year, opd, programme),
        )
        return found.value


def children(rows: tuple[Row, ...], programme: str | None) -> tuple[str, list[Row]]:
    """The programme level below ``programme`` (the OPD's programs when ``None``) and its
    rows, in code order."""
    if programme is None:
        level, prefix = ProgrammeLevel.PROGRAM.value, ""
    else:
        depth = {1: 0, 2: 1, 3: 2, 5: 3, SUB_KEGIATAN_PARTS: 4}[programme.count(".") + 1]
        if depth + 1 >= len(PROGRAMME_LEVELS):
            return ProgrammeLevel.SUB_KEGIATAN.value, []
        level, prefix = PROGRAMME_LEVELS[depth + 1], programme + "."
    return level, [row for row in rows if row.level == level and row.code.startswith(prefix)]


def find_row(rows: tuple[Row, ...], code: str) -> Row | None:
    return next((row for row in rows if row.code == code), None)


def page_after(
    lines: tuple[LineSummary, ...], after: str, limit: int = LINES_PAGE_ITEMS
) -> tuple[tuple[LineSummary, ...], str | None]:
    """A page of ``lines`` (in line-id order) after ``after``, and the next cursor."""
    start = bisect.bisect_right([line.line_id for line in lines], after) if after else 0
    page = lines[start : start + limit]
    more = start + limit < len(lines)
    return page, (page[-1].line_id if more and page else None)
