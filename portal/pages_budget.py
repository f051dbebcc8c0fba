"""The budget explorer (``/anggaran``) and a budget line's page (``/anggaran/baris/…``).

The explorer walks a fiscal year down: the year's OPDs → an OPD's programs →
kegiatan → sub kegiatan → its budget lines (accounts), each row with its budget,
commitments, realisation and an absorption bar, and the scope's monthly realisation
against the cash plan. Figures come from ``portal.budget_figures`` (the LRA's own
functions, cached per version of the fiscal year); a line page reads the line's
projection row and its history directly (one row, one index range).
"""

from __future__ import annotations

import re
from typing import Any, Final

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from budgeting.codes import BadCode, parse_line_id, parse_opd_code, parse_programme_code
from budgeting.limits import FISCAL_YEAR_MAX, FISCAL_YEAR_MIN
from budgeting.namespaces import STRUCTURE_NAMESPACES
from budgeting.read_models import (
    LineRow,
    get_fiscal_year,
    get_komponen,
    get_line_row,
    line_history,
)
from budgeting.reports import percent
from ledger.reads import PublicLog
from planning.read_models import proposals_funded_by
from portal import entries, links, params
from portal.budget_figures import (
    GROUPS,
    BudgetFigures,
    Month,
    children,
    find_row,
    page_after,
)
from portal.limits import SEQ_CURSOR_MAX
from portal.pages_common import fiscal_years
from portal.rendering import render
from portal.routing import PortalRoute, bad_request, not_found
from procurement.reads import documents

LINE_CURSOR: Final = re.compile(r"[0-9]{4}(:[^:]{1,40}){4}")


def _months(allotted: tuple[int, ...], realised: tuple[int, ...]) -> tuple[Month, ...]:
    """A line's months with running totals, as the monthly report computes them."""
    months = []
    plan_total = real_total = 0
    for index, (plan, real) in enumerate(zip(allotted, realised, strict=True), start=1):
        plan_total += plan
        real_total += real
        months.append(
            Month(index, plan, real, plan_total, real_total, percent(real_total, plan_total))
        )
    return tuple(months)


def _name(conn: Any, kind: str, code: str | None) -> str:
    if code is None:
        return ""
    found = documents(conn, STRUCTURE_NAMESPACES[kind], [code])
    return str(found[code]["name"]) if code in found else ""


def build_router(ledger: PublicLog, figures: BudgetFigures | None = None) -> APIRouter:
    """The explorer's routes; ``figures`` is the cache shared with the home page."""
    router = APIRouter(include_in_schema=False, route_class=PortalRoute)
    figures = figures if figures is not None else BudgetFigures(ledger.reads.engine)

    @router.get("/anggaran", response_class=HTMLResponse)
    def explorer(request: Request) -> HTMLResponse:
        asked_year = params.integer(request, "year", FISCAL_YEAR_MIN, FISCAL_YEAR_MAX)
        group = params.choice(request, "group", GROUPS) or "belanja"
        opd = params.code(request, "opd", parse_opd_code)
        programme = params.code(request, "programme", parse_programme_code)
        after = params.cursor(request, "after", LINE_CURSOR)
        if programme is not None and opd is None:
            raise bad_request("error.param.needs", name="programme", needs="opd")
        with ledger.reads.snapshot(request) as snap:
            conn = snap.conn
            years = fiscal_years(conn)
            year = asked_year if asked_year is not None else (years[0] if years else None)
            fiscal = None if year is None else get_fiscal_year(conn, year)
            if year is None:
                raise not_found("home.no_budget")
            if fiscal is None:
                raise not_found("error.unknown_year", year=str(year))
            opd_name = _name(conn, "opd", opd)
            if opd is not None and not opd_name:
                raise not_found("error.unknown_opd", code=opd)
        scope = figures.scope(fiscal.year, opd, programme, fiscal.updated_seq)
        here = None if programme is None else find_row(scope.rows, programme)
        if programme is not None and here is None:
            raise not_found("error.unknown_programme", code=programme)
        if opd is None:
            level, rows = "opd", [row for row in scope.rows if row.group == group]
            totals = scope.totals.get(group)
        else:
            level, rows = children(scope.rows, programme)
            totals = here if here is not None else scope.totals.get(group)
            if here is not None:
                group = "belanja"  # the programme hierarchy holds belanja lines only
        lines, next_after = page_after(scope.lines, after)
        trail = (
            []
            if programme is None
            else [
                row
                for row in scope.rows
                if row.level != "urusan" and (programme + ".").startswith(row.code + ".")
            ]
        )
        return render(
            request,
            "budget.html",
            year=fiscal.year,
            years=years,
            fiscal=fiscal,
            group=group,
            groups=GROUPS,
            opd=opd,
            opd_name=opd_name,
            programme=programme,
            here=here,
            trail=trail,
            level=level,
            rows=rows,
            totals=totals,
            months=scope.months.get(group, ()),
            lines=lines,
            next_after=next_after,
            first_url=links.explorer(fiscal.year, group=group, opd=opd, programme=programme)
            if after
            else None,
            tree_size=scope.tree_size,
        )

    @router.get("/anggaran/baris/{line_id}", response_class=HTMLResponse)
    def line_page(request: Request, line_id: str) -> HTMLResponse:
        try:
            parsed = parse_line_id(line_id)
        except BadCode:
            raise not_found("error.unknown_line", code=line_id) from None
        after_seq = params.integer(request, "after_seq", 0, SEQ_CURSOR_MAX) or -1
        with ledger.reads.snapshot(request) as snap:
            row = get_line_row(snap.conn, line_id)
            if row is None:
                raise not_found("error.unknown_line", code=line_id)
            history, truncated = line_history(snap.conn, row)
            later = [seq for seq in history if seq > after_seq]
            shown = later[: entries.TIMELINE_PAGE_ITEMS]
            timeline = entries.by_seq(snap.conn, shown)
            names = _line_names(snap.conn, row)
            proposals = [found.doc for found in proposals_funded_by(snap.conn, line_id)]
            komponen = get_komponen(snap.conn, line_id)
            tree_size = snap.tree_size
        more = len(later) > len(shown)
        return render(
            request,
            "budget_line.html",
            line=row,
            parsed=parsed,
            names=names,
            absorption=percent(row.realised_sen, row.budget_sen),
            months=_months(row.allotted_by_month, row.realised_by_month),
            timeline=timeline,
            history_count=len(history),
            history_truncated=truncated,
            next_after_seq=shown[-1] if more and shown else None,
            first_url=links.line(line_id) if after_seq >= 0 else None,
            bundle_url=links.bundle(line_id),
            proposals=proposals,
            komponen=komponen,
            tree_size=tree_size,
        )

    return router


def _line_names(conn: Any, row: LineRow) -> dict[str, str]:
    """The names of the line's codes, keyed by code (one query per kind)."""
    wanted = {
        "opd": [row.opd],
        "programme": [
            c
            for c in (row.urusan, row.bidang_urusan, row.program, row.kegiatan, row.sub_kegiatan)
            if c is not None
        ],
        "account": [row.account],
        "funding_source": [row.funding_source],
    }
    names: dict[str, str] = {}
    for kind, codes in wanted.items():
        for code, doc in documents(conn, STRUCTURE_NAMESPACES[kind], codes).items():
            names[code] = str(doc.get("name", ""))
    return names
