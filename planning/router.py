"""Planning read endpoints under ``/api/v1/planning``.

Writes need no endpoint of their own: proposers, forums and Bappeda sign planning
statements (``planning.statements``) and post them to ``/api/v1/statements``, where
the ledger runs the planning reducers. Every answer carries ``tree_size``.

Preconditions, in order, for each endpoint: query parameters well formed (422,
``bad_area_code``, ``bad_field`` or ``invalid_request``), then the thing exists (404).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request

from budgeting.codes import LINE_ID_PATTERN, parse_line_id
from budgeting.limits import FISCAL_YEAR_MAX, FISCAL_YEAR_MIN
from budgeting.read_models import get_line_row
from ledger.errors import ClientError, NotFound
from ledger.http_problems import problem_responses
from ledger.service import Ledger
from planning.limits import (
    PROPOSAL_ID_CHARS_MAX,
    PROPOSAL_PAGE_ITEMS_DEFAULT,
    PROPOSAL_PAGE_ITEMS_MAX,
)
from planning.read_models import (
    ProposalFilter,
    area_names,
    funding_lines,
    get_proposal,
    proposal_page,
    proposals_funded_by,
)
from planning.schemas import (
    LineProposals,
    ProposalDetail,
    ProposalListPage,
    proposal_detail,
    proposal_public,
)
from planning.stages import STAGES
from planning.statements import (
    DESA_CODE_PATTERN,
    KECAMATAN_CODE_PATTERN,
    PROPOSAL_ID_PATTERN,
    SOURCES,
    parse_desa_code,
    parse_kecamatan_code,
    parse_proposal_id,
)

After = Annotated[str, Query(max_length=256, description="`next_after` of the previous page.")]
Limit = Annotated[int, Query(ge=1, le=PROPOSAL_PAGE_ITEMS_MAX, description="Items per page.")]
BAD_QUERY = problem_responses(
    {422: "`bad_area_code`, `bad_field` or `invalid_request`: a malformed parameter."}
)


def build_router(ledger: Ledger) -> APIRouter:
    router = APIRouter(prefix="/api/v1/planning", tags=["planning"])

    @router.get(
        "/proposals",
        operation_id="list_planning_proposals",
        response_model=ProposalListPage,
        summary="Proposals (usulan, pokir) by fiscal year, stage, kecamatan, desa or source",
        responses=BAD_QUERY,
    )
    def list_proposals(
        request: Request,
        year: Annotated[
            int | None, Query(ge=FISCAL_YEAR_MIN, le=FISCAL_YEAR_MAX, description="Fiscal year.")
        ] = None,
        stage: Annotated[
            str | None,
            Query(
                max_length=24,
                description=", ".join(STAGES),
                json_schema_extra={"enum": list(STAGES)},
            ),
        ] = None,
        kecamatan: Annotated[
            str | None,
            Query(max_length=16, json_schema_extra={"pattern": KECAMATAN_CODE_PATTERN}),
        ] = None,
        desa: Annotated[
            str | None, Query(max_length=16, json_schema_extra={"pattern": DESA_CODE_PATTERN})
        ] = None,
        source: Annotated[
            str | None, Query(max_length=16, json_schema_extra={"enum": list(SOURCES)})
        ] = None,
        after: After = "",
        limit: Limit = PROPOSAL_PAGE_ITEMS_DEFAULT,
    ) -> ProposalListPage:
        if stage is not None and stage not in STAGES:
            raise ClientError(
                f"stage must be one of {', '.join(STAGES)}", code="bad_field", field="stage"
            )
        if source is not None and source not in SOURCES:
            raise ClientError(
                f"source must be one of {', '.join(SOURCES)}", code="bad_field", field="source"
            )
        if kecamatan is not None:
            parse_kecamatan_code(kecamatan)
        if desa is not None:
            parse_desa_code(desa)
        where = ProposalFilter(year, stage, kecamatan, desa, source)
        with ledger.reads.snapshot(request) as snap:
            page = proposal_page(snap.conn, where, after=after, limit=limit)
            codes = {code for row in page.rows for code in (row.doc["desa"], row.doc["kecamatan"])}
            names = area_names(snap.conn, codes)
        return ProposalListPage(
            items=[proposal_public(row, names) for row in page.rows],
            tree_size=snap.tree_size,
            next_after=page.next_after,
        )

    @router.get(
        "/proposals/{proposal_id:path}",
        operation_id="get_planning_proposal",
        response_model=ProposalDetail,
        summary="One proposal: what was proposed, every step with its signer and seq, and"
        " the budget lines that fund it",
        responses={
            **problem_responses({404: "`unknown_proposal`: no proposal of that id."}),
            **problem_responses({422: "`bad_field`: not a proposal id."}),
        },
    )
    def get_proposal_endpoint(
        request: Request,
        proposal_id: Annotated[
            str,
            Path(
                max_length=PROPOSAL_ID_CHARS_MAX,
                json_schema_extra={"pattern": PROPOSAL_ID_PATTERN},
            ),
        ],
    ) -> ProposalDetail:
        parse_proposal_id(proposal_id, field="proposal_id")
        with ledger.reads.snapshot(request) as snap:
            row = get_proposal(snap.conn, proposal_id)
            if row is None:
                raise NotFound(f"no proposal {proposal_id}", code="unknown_proposal")
            lines = funding_lines(snap.conn, row)
            names = area_names(snap.conn, {row.doc["desa"], row.doc["kecamatan"]})
        return proposal_detail(row, lines, names, snap.tree_size)

    @router.get(
        "/lines/{line_id}/proposals",
        operation_id="list_planning_line_proposals",
        response_model=LineProposals,
        summary="The proposals a budget line funds (the way back from the money)",
        responses={
            **problem_responses({404: "`unknown_line`: the budget line has no postings."}),
            **problem_responses({422: "`bad_code`: not a budget line id."}),
        },
    )
    def list_line_proposals(
        request: Request,
        line_id: Annotated[
            str, Path(max_length=128, json_schema_extra={"pattern": LINE_ID_PATTERN})
        ],
    ) -> LineProposals:
        parse_line_id(line_id)
        with ledger.reads.snapshot(request) as snap:
            if get_line_row(snap.conn, line_id) is None:
                raise NotFound(f"budget line {line_id} has no postings", code="unknown_line")
            rows = proposals_funded_by(snap.conn, line_id)
            codes = {code for row in rows for code in (row.doc["desa"], row.doc["kecamatan"])}
            names = area_names(snap.conn, codes)
        return LineProposals(
            line_id=line_id,
            proposals=[proposal_public(row, names) for row in rows],
            tree_size=snap.tree_size,
        )

    return router
