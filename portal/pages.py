"""The portal's page routes: each reads a read model and renders one template.

``build_router`` gathers the home page (here) and the pages of each section, one
module each: ``pages_budget`` (``/anggaran``), ``pages_tenders`` (``/tender``),
``pages_vendors`` (``/penyedia``). Every route is a ``PortalRoute``: a bad parameter
or an unknown record answers an HTML page (400, 404), never the API's JSON.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import select
from sqlalchemy.engine import Connection

from budgeting.limits import FISCAL_YEAR_MAX, FISCAL_YEAR_MIN
from budgeting.read_models import FiscalYearRow, get_fiscal_year
from budgeting.reports import percent
from ledger import witnessing
from ledger.publisher import latest_checkpoint
from ledger.reads import PublicLog
from portal import (
    assets,  # noqa: F401  (registers the ``asset`` template global)
    pages_budget,
    pages_planning,
    pages_redflags,
    pages_tenders,
    pages_trace,
    pages_vendors,
    params,
)
from portal.budget_figures import BudgetFigures, ScopeFigures
from portal.charts import Share, top_shares
from portal.pages_common import fiscal_years
from portal.rendering import render
from portal.routing import PortalRoute, not_found
from procurement import reads

OPEN_TENDERS_SHOWN: Final = 5


@dataclass(frozen=True)
class Cosignature:
    witness: str
    """The witness's key name (the part of its verifier key before the first ``+``)."""
    key: str
    cosigned_at: int
    """Unix seconds, from the witness's signed timestamp."""

    @property
    def cosigned_at_iso(self) -> str:
        return datetime.fromtimestamp(self.cosigned_at, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def cosignatures(conn: Connection, tree_size: int) -> list[Cosignature]:
    c = witnessing.cosignatures.c
    rows = conn.execute(
        select(c.witness_key, c.cosigned_at).where(c.tree_size == tree_size).order_by(c.witness_key)
    ).all()
    return [
        Cosignature(
            witness=row.witness_key.split("+", 1)[0],
            key=row.witness_key,
            cosigned_at=int(row.cosigned_at),
        )
        for row in rows
    ]


def absorption(fiscal: FiscalYearRow | None, group: str) -> str:
    if fiscal is None or group not in fiscal.totals:
        return ""
    totals = fiscal.totals[group]
    return percent(totals["realised_sen"], totals["budget_sen"])


def spending_by_opd(scope: ScopeFigures | None) -> tuple[Share, ...]:
    """The year's belanja per OPD, the largest budgets first and the rest summed: the
    LRA's OPD rows (``/api/v1/budget/reports/lra?by=opd``), so they add up to its total."""
    if scope is None:
        return ()
    return top_shares(
        [
            Share(row.code, row.name, row.budget_sen, row.realised_sen)
            for row in scope.rows
            if row.group == "belanja" and row.level == "opd"
        ]
    )


def build_router(ledger: PublicLog) -> APIRouter:
    router = APIRouter(include_in_schema=False, route_class=PortalRoute)
    figures = BudgetFigures(ledger.reads.engine)

    @router.get("/", response_class=HTMLResponse)
    def home(request: Request) -> HTMLResponse:
        asked = params.integer(request, "year", FISCAL_YEAR_MIN, FISCAL_YEAR_MAX)
        with ledger.reads.snapshot(request) as snap:
            conn = snap.conn
            size = snap.tree_size
            years = fiscal_years(conn)
            year = asked if asked is not None else (years[0] if years else None)
            fiscal = None if year is None else get_fiscal_year(conn, year)
            if asked is not None and fiscal is None:
                raise not_found("error.unknown_year", year=str(asked))
            open_tenders = reads.find_tenders(
                conn, reads.TenderFilter(state="active"), limit=OPEN_TENDERS_SHOWN
            )
            checkpoint = latest_checkpoint(conn)
            witnessed = [] if checkpoint is None else cosignatures(conn, checkpoint.size)
            note = None if checkpoint is None else witnessing.cosigned_note(conn, checkpoint)
        scope = (
            None if fiscal is None else figures.scope(fiscal.year, None, None, fiscal.updated_seq)
        )
        return render(
            request,
            "home.html",
            size=size,
            year=year,
            years=years,
            fiscal=fiscal,
            absorption=absorption(fiscal, "belanja"),
            group_absorption={g: absorption(fiscal, g) for g in (fiscal.totals if fiscal else {})},
            by_opd=spending_by_opd(scope),
            months=() if scope is None else scope.months.get("belanja", ()),
            open_tenders=open_tenders,
            checkpoint=checkpoint,
            checkpoint_note=note,
            cosignatures=witnessed,
            verifier_key=ledger.verifier_key(),
        )

    router.include_router(pages_budget.build_router(ledger, figures))
    router.include_router(pages_planning.build_router(ledger))
    router.include_router(pages_tenders.build_router(ledger))
    router.include_router(pages_vendors.build_router(ledger))
    router.include_router(pages_redflags.build_router(ledger))
    router.include_router(pages_trace.build_router(ledger))
    return router
