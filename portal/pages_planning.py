"""The planning pages: proposals (``/perencanaan``) and one proposal's path
(``/perencanaan/usulan/…``), from the desa's forum to the budget lines that fund it.

A proposal page reads the proposal's projection row, its steps' entries (one index
range: the seqs its history lists) and its funding lines from budgeting's projection,
all in one snapshot, so every figure is as of the same tree size. Every step links to
its entry's proof, and the page carries the verify hook for the proposal's record
bundle (the entries whose subject is the proposal id).
"""

from __future__ import annotations

import re
from typing import Final

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from budgeting.limits import FISCAL_YEAR_MAX, FISCAL_YEAR_MIN
from ledger.errors import ClientError
from ledger.reads import PublicLog
from planning.read_models import (
    ProposalFilter,
    area_names,
    funding_lines,
    get_proposal,
    proposal_page,
)
from planning.stages import FORUM_NAMES, STAGES
from planning.statements import (
    SOURCES,
    parse_desa_code,
    parse_kecamatan_code,
    parse_proposal_id,
)
from portal import entries, links, params
from portal.limits import PAGE_SIZES
from portal.rendering import render
from portal.routing import PortalRoute, not_found

PROPOSAL_CURSOR: Final = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:/-]{0,79}")


def build_router(ledger: PublicLog) -> APIRouter:
    router = APIRouter(include_in_schema=False, route_class=PortalRoute)

    @router.get("/perencanaan", response_class=HTMLResponse)
    def proposals(request: Request) -> HTMLResponse:
        where = ProposalFilter(
            year=params.integer(request, "year", FISCAL_YEAR_MIN, FISCAL_YEAR_MAX),
            stage=params.choice(request, "stage", STAGES),
            kecamatan=params.code(request, "kecamatan", parse_kecamatan_code),
            desa=params.code(request, "desa", parse_desa_code),
            source=params.choice(request, "source", SOURCES),
        )
        after = params.cursor(request, "after", PROPOSAL_CURSOR)
        limit = params.page_size(request)
        with ledger.reads.snapshot(request) as snap:
            page = proposal_page(snap.conn, where, after=after, limit=limit)
            codes = {code for row in page.rows for code in (row.doc["desa"], row.doc["kecamatan"])}
            names = area_names(snap.conn, codes)
        return render(
            request,
            "planning.html",
            page=page,
            names=names,
            wanted=where,
            stages=STAGES,
            sources=SOURCES,
            limit=limit,
            page_sizes=PAGE_SIZES,
            first_url=links.proposals() if after else None,
            tree_size=snap.tree_size,
        )

    @router.get("/perencanaan/usulan/{proposal_id:path}", response_class=HTMLResponse)
    def proposal(request: Request, proposal_id: str) -> HTMLResponse:
        try:
            parse_proposal_id(proposal_id)
        except ClientError:
            raise not_found("error.unknown_proposal", code=proposal_id) from None
        with ledger.reads.snapshot(request) as snap:
            row = get_proposal(snap.conn, proposal_id)
            if row is None:
                raise not_found("error.unknown_proposal", code=proposal_id)
            doc = row.doc
            timeline = entries.by_seq(snap.conn, [step["seq"] for step in doc["steps"]])
            lines = funding_lines(snap.conn, row)
            names = area_names(snap.conn, {doc["desa"], doc["kecamatan"]})
        return render(
            request,
            "planning_proposal.html",
            proposal=doc,
            steps=doc["steps"],
            forums=FORUM_NAMES,
            names=names,
            lines=lines,
            funded_sen=sum(line.budget_sen for line in lines),
            timeline=timeline,
            bundle_url=links.bundle(proposal_id),
            tree_size=snap.tree_size,
        )

    return router
