"""The trace pages: one budget line (``/jejak/baris/…``) or one planning proposal
(``/jejak/usulan/…``) followed through the log, step by step (``audit.trace``).

Each step is one ledger entry: its stage, its type, its time in the region's zone, its
amount in rupiah, its signer's registered name and roles, a link to the entry and its
inclusion proof, and a Verify button that checks that one entry's record bundle
(``/api/v1/records/{subject}/bundle?seq=N``) in the browser with ``verify.js``, as the
record pages do. The page reads in one snapshot and pages by ``after_seq``, as the API.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from audit.limits import TRACE_STEPS_PAGE_DEFAULT
from audit.trace import CURSOR, Trace, format_cursor, line_trace, parse_cursor, proposal_trace
from audit.trace_api import bundle_url
from budgeting.codes import BadCode, parse_line_id
from budgeting.read_models import get_line_row
from ledger.errors import ClientError
from ledger.reads import PublicLog
from planning.read_models import get_proposal
from planning.statements import parse_proposal_id
from portal import links, params
from portal.rendering import render
from portal.routing import PortalRoute, not_found


def _render(
    request: Request, trace: Trace, tree_size: int, title: str, first_url: str | None
) -> HTMLResponse:
    return render(
        request,
        "trace.html",
        trace=trace,
        groups=[
            (part, trace.parts[part], [step for step in trace.steps if step.part == part])
            for part in sorted({step.part for step in trace.steps})
        ],
        title_key=title,
        bundle_urls={step.seq: bundle_url(step.subject, step.seq) for step in trace.steps},
        first_url=first_url,
        next_after=None if trace.next_after is None else format_cursor(trace.next_after),
        tree_size=tree_size,
    )


def build_router(ledger: PublicLog) -> APIRouter:
    router = APIRouter(include_in_schema=False, route_class=PortalRoute)

    @router.get("/jejak/baris/{line_id}", response_class=HTMLResponse)
    def line_page(request: Request, line_id: str) -> HTMLResponse:
        try:
            parse_line_id(line_id)
        except BadCode:
            raise not_found("error.unknown_line", code=line_id) from None
        after = params.cursor(request, "after", CURSOR)
        with ledger.reads.snapshot(request) as snap:
            row = get_line_row(snap.conn, line_id)
            if row is None:
                raise not_found("error.unknown_line", code=line_id)
            trace = line_trace(
                snap.conn,
                row,
                after=parse_cursor(after) if after else None,
                limit=TRACE_STEPS_PAGE_DEFAULT,
            )
        first = links.trace_line(line_id) if after else None
        return _render(request, trace, snap.tree_size, "trace.title_line", first)

    @router.get("/jejak/usulan/{proposal_id:path}", response_class=HTMLResponse)
    def proposal_page(request: Request, proposal_id: str) -> HTMLResponse:
        try:
            parse_proposal_id(proposal_id)
        except ClientError:
            raise not_found("error.unknown_proposal", code=proposal_id) from None
        after = params.cursor(request, "after", CURSOR)
        with ledger.reads.snapshot(request) as snap:
            row = get_proposal(snap.conn, proposal_id)
            if row is None:
                raise not_found("error.unknown_proposal", code=proposal_id)
            trace = proposal_trace(
                snap.conn,
                row,
                after=parse_cursor(after) if after else None,
                limit=TRACE_STEPS_PAGE_DEFAULT,
            )
        first = links.trace_proposal(proposal_id) if after else None
        return _render(request, trace, snap.tree_size, "trace.title_proposal", first)

    return router
