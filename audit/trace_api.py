"""The trace's JSON API: ``GET /api/v1/trace/line/{line_id}`` and
``GET /api/v1/trace/proposal/{proposal_id}`` (``audit.trace``).

Each answers one page of steps in seq order, each with its entry's type, time (UTC),
amount (sen), signer's registered name and roles, and the URLs of its inclusion proof and
its one-entry record bundle (what the portal's Verify checks), all read in one snapshot
with the ``tree_size`` it reflects. A malformed id is a 422 (``bad_code``, ``bad_field``),
an unknown one a 404 (``unknown_line``, ``unknown_proposal``): ids are checked by the
rooms' own parsers before anything is read.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Path, Query, Request
from pydantic import BaseModel, Field

from audit.limits import TRACE_STEPS_PAGE_DEFAULT, TRACE_STEPS_PAGE_MAX
from audit.trace import CURSOR, Trace, format_cursor, line_trace, parse_cursor, proposal_trace
from budgeting.codes import LINE_ID_PATTERN, parse_line_id
from budgeting.read_models import get_line_row
from ledger.errors import NotFound
from ledger.http_problems import problem_responses
from ledger.reads import PublicLog
from planning.limits import PROPOSAL_ID_CHARS_MAX
from planning.read_models import get_proposal
from planning.statements import PROPOSAL_ID_PATTERN, parse_proposal_id


def bundle_url(subject: str, seq: int) -> str:
    """The one-entry record bundle of ``seq`` (``audit.read_api``)."""
    return f"/api/v1/records/{quote(subject, safe=':.-_/')}/bundle?seq={seq}"


class TraceStepPublic(BaseModel):
    part: int = Field(description="the part of the trace the step is in (an index of `parts`)")
    seq: int = Field(description="the entry's seq")
    type: str = Field(description="the entry's statement type")
    stage: str = Field(
        description="where on the road the step is: `proposal`, `forum_decision`, `rkpd`, "
        "`funding_link`, `appropriation`, `revision`, `shift`, `allotment`, `komponen`, "
        "`rup`, `package`, `tender`, `award`, `contract`, `contract_amendment`, "
        "`commitment`, `commitment_released`, `payment_request`, "
        "`payment_request_decided`, `payment`, `reversal`, `contract_end`, `other`"
    )
    subject: str = Field(description="the entry's subject (a line id, an ocid, a proposal id)")
    logged_at: str = Field(description="the log's time of the entry, UTC")
    amount_sen: int | None = Field(
        description="the body's amount, value or HPS in sen, when it has one"
    )
    signer: str = Field(description="the signer's key id")
    signer_name: str = Field(description="the name the signer's key was registered with")
    signer_roles: list[str] = Field(description="the signer key's roles now")
    proof_url: str = Field(description="the entry's inclusion proof")
    bundle_url: str = Field(description="a record bundle holding only this entry")


class TracePublic(BaseModel):
    kind: str = Field(description="`line` or `proposal`")
    id: str
    parts: list[str] = Field(
        description="the record each part follows: the line; or the proposal, then each "
        "line that funds it"
    )
    steps: list[TraceStepPublic] = Field(description="one page of steps, by part then seq")
    steps_total: int = Field(description="steps the trace collected")
    next_after: str | None = Field(description="`part:seq`: pass as `after` for the next page")
    truncated: bool = Field(
        description="true when a source hit its bound: a line history over 1,000 entries, "
        "more tenders than a trace follows, or more steps than it collects"
    )
    lines: list[str] = Field(description="the budget lines followed")
    tenders: list[str] = Field(description="the tenders (ocids) followed")
    tree_size: int


def trace_public(trace: Trace, tree_size: int) -> TracePublic:
    return TracePublic(
        kind=trace.kind,
        id=trace.record_id,
        steps=[
            TraceStepPublic(
                part=s.part,
                seq=s.seq,
                type=s.type,
                stage=s.stage,
                subject=s.subject,
                logged_at=s.logged_at,
                amount_sen=s.amount_sen,
                signer=s.signer,
                signer_name=s.signer_name,
                signer_roles=list(s.signer_roles),
                proof_url=f"/api/v1/proofs/inclusion?seq={s.seq}",
                bundle_url=bundle_url(s.subject, s.seq),
            )
            for s in trace.steps
        ],
        parts=trace.parts,
        steps_total=trace.steps_total,
        next_after=None if trace.next_after is None else format_cursor(trace.next_after),
        truncated=trace.truncated,
        lines=trace.lines,
        tenders=trace.tenders,
        tree_size=tree_size,
    )


After = Annotated[
    str | None,
    Query(
        max_length=20,
        pattern=CURSOR.pattern.join("^$"),
        description="`part:seq`: continue after this step (a page's `next_after`)",
    ),
]
Limit = Annotated[int, Query(ge=1, le=TRACE_STEPS_PAGE_MAX, description="steps per page")]


def _cursor(text: str | None) -> tuple[int, int] | None:
    return None if text is None else parse_cursor(text)


def build_router(ledger: PublicLog) -> APIRouter:
    router = APIRouter(prefix="/api/v1/trace", tags=["trace"])

    @router.get(
        "/line/{line_id}",
        operation_id="get_line_trace",
        response_model=TracePublic,
        summary="A budget line followed from its DPA through komponen, tender, contract "
        "and payments, every step with its seq and proof",
        responses=problem_responses(
            {
                404: "`unknown_line`: the line has no postings.",
                422: "`bad_code` (naming the part) or `invalid_request`: a malformed line "
                "id or parameter.",
            }
        ),
    )
    def get_line_trace(
        request: Request,
        line_id: Annotated[
            str,
            Path(max_length=128, json_schema_extra={"pattern": LINE_ID_PATTERN}),
        ],
        after: After = None,
        limit: Limit = TRACE_STEPS_PAGE_DEFAULT,
    ) -> TracePublic:
        parse_line_id(line_id)
        with ledger.reads.snapshot(request) as snap:
            row = get_line_row(snap.conn, line_id)
            if row is None:
                raise NotFound(f"budget line {line_id} has no postings", code="unknown_line")
            trace = line_trace(snap.conn, row, after=_cursor(after), limit=limit)
        return trace_public(trace, snap.tree_size)

    @router.get(
        "/proposal/{proposal_id:path}",
        operation_id="get_proposal_trace",
        response_model=TracePublic,
        summary="A planning proposal followed through its forums, the RKPD and the budget "
        "lines that fund it, every step with its seq and proof",
        responses=problem_responses(
            {
                404: "`unknown_proposal`: no proposal of that id.",
                422: "`bad_field`: not a proposal id; `invalid_request`: a bad parameter.",
            }
        ),
    )
    def get_proposal_trace(
        request: Request,
        proposal_id: Annotated[
            str,
            Path(
                max_length=PROPOSAL_ID_CHARS_MAX,
                json_schema_extra={"pattern": PROPOSAL_ID_PATTERN},
            ),
        ],
        after: After = None,
        limit: Limit = TRACE_STEPS_PAGE_DEFAULT,
    ) -> TracePublic:
        parse_proposal_id(proposal_id, field="proposal_id")
        with ledger.reads.snapshot(request) as snap:
            row = get_proposal(snap.conn, proposal_id)
            if row is None:
                raise NotFound(f"no proposal {proposal_id}", code="unknown_proposal")
            trace = proposal_trace(snap.conn, row, after=_cursor(after), limit=limit)
        return trace_public(trace, snap.tree_size)

    return router
