"""Budgeting read endpoints under ``/api/v1/budget``.

Writes need no endpoint of their own: clients sign budgeting statements and post them
to ``/api/v1/statements`` (or ``/statements/batch``), where the ledger runs the
budgeting reducers. Every answer here carries ``tree_size``: the log size its figures
were read at (``read_models.snapshot``), so anyone can reproduce them by replaying
that many entries.

Preconditions, in order, for each endpoint: query parameters well formed (422,
``bad_code`` naming the part, or ``invalid_request``), then the thing exists (404).

The OpenAPI states each code's grammar as the parameter's ``pattern`` (``budgeting.codes``
``*_PATTERN``), but the room's own parser enforces it, so a malformed code is answered
``bad_code`` naming the part rather than a generic ``invalid_request``.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request

from budgeting.codes import (
    ACCOUNT_CODE_PATTERN,
    FUNDING_SOURCE_PATTERN,
    LINE_ID_PATTERN,
    OPD_CODE_PATTERN,
    PROGRAMME_CODE_PATTERN,
    parse_account_code,
    parse_funding_source,
    parse_line_id,
    parse_opd_code,
    parse_programme_code,
)
from budgeting.limits import (
    FISCAL_YEAR_MAX,
    FISCAL_YEAR_MIN,
    FUNDING_SOURCE_CHARS_MAX,
    PAGE_ITEMS_DEFAULT,
    PAGE_ITEMS_MAX,
    POSTING_ID_CHARS_MAX,
    PRICE_LIST_ID_CHARS_MAX,
    PRICE_LIST_VERSIONS_MAX,
)
from budgeting.namespaces import STRUCTURE_NAMESPACES
from budgeting.read_models import (
    get_commitment,
    get_fiscal_year,
    get_komponen,
    get_line_row,
    get_price_list,
    iter_komponen_sets,
    iter_line_rows,
    iter_price_items,
    iter_structure_rows,
    line_history,
)
from budgeting.schemas import (
    AboveStandardPage,
    CommitmentPublic,
    LineDetail,
    LineKomponen,
    LinePage,
    PriceListPublic,
    StructurePage,
    SummaryPublic,
    above_standard_line,
    commitment_public,
    line_komponen,
    line_public,
    price_list_public,
    structure_public,
    summary_public,
)
from budgeting.statements import (
    POSTING_ID_PATTERN,
    PRICE_LIST_ID_PATTERN,
    parse_posting_id,
    parse_price_list_id,
)
from ledger.errors import ClientError, NotFound
from ledger.http_problems import problem_responses
from ledger.service import Ledger

Year = Annotated[int, Query(ge=FISCAL_YEAR_MIN, le=FISCAL_YEAR_MAX, description="Fiscal year.")]
After = Annotated[str, Query(max_length=256, description="`next_after` of the previous page.")]
Limit = Annotated[int, Query(ge=1, le=PAGE_ITEMS_MAX, description="Items per page.")]
NO_REPEAT = " No bidang urusan may appear twice in the OPD code."


def _declared(pattern: str) -> dict[str, Any]:
    """A ``pattern`` for the OpenAPI only: the room's parser enforces it (``bad_code``)."""
    return {"pattern": pattern}


BAD_QUERY = problem_responses(
    {422: "`bad_code` (naming the part) or `invalid_request`: a malformed code or parameter."}
)


def build_router(ledger: Ledger) -> APIRouter:
    router = APIRouter(prefix="/api/v1/budget", tags=["budgeting"])

    @router.get(
        "/lines",
        operation_id="list_budget_lines",
        response_model=LinePage,
        summary="Budget lines with their amounts, filtered and paginated",
        responses=BAD_QUERY,
    )
    def list_lines(
        request: Request,
        year: Annotated[
            int | None, Query(ge=FISCAL_YEAR_MIN, le=FISCAL_YEAR_MAX, description="Fiscal year.")
        ] = None,
        opd: Annotated[
            str | None,
            Query(
                max_length=40,
                description="OPD code, exact." + NO_REPEAT,
                json_schema_extra=_declared(OPD_CODE_PATTERN),
            ),
        ] = None,
        programme: Annotated[
            str | None,
            Query(
                max_length=40,
                description="Programme code prefix (urusan .. sub kegiatan).",
                json_schema_extra=_declared(PROGRAMME_CODE_PATTERN),
            ),
        ] = None,
        account: Annotated[
            str | None,
            Query(
                max_length=40,
                description="Account code prefix, e.g. 5.1.02.",
                json_schema_extra=_declared(ACCOUNT_CODE_PATTERN),
            ),
        ] = None,
        funding_source: Annotated[
            str | None,
            Query(
                max_length=FUNDING_SOURCE_CHARS_MAX,
                json_schema_extra=_declared(FUNDING_SOURCE_PATTERN),
            ),
        ] = None,
        after: After = "",
        limit: Limit = PAGE_ITEMS_DEFAULT,
    ) -> LinePage:
        if opd is not None:
            parse_opd_code(opd)
        if programme is not None:
            parse_programme_code(programme)
        if account is not None:
            parse_account_code(account)
        if funding_source is not None:
            parse_funding_source(funding_source)
        with ledger.reads.snapshot(request) as snap:
            rows = list(
                iter_line_rows(
                    snap.conn,
                    year=year,
                    opd=opd,
                    programme=programme,
                    account=account,
                    funding_source=funding_source,
                    after=after,
                    limit=limit,
                )
            )
        return LinePage(
            items=[line_public(row) for row in rows],
            tree_size=snap.tree_size,
            next_after=rows[-1].line_id if len(rows) == limit else None,
        )

    @router.get(
        "/lines/{line_id}",
        operation_id="get_budget_line",
        response_model=LineDetail,
        summary="One budget line: amounts, cash plan, realisation by month, and history",
        responses={
            **problem_responses({404: "`unknown_line`: the line has no postings."}),
            **BAD_QUERY,
        },
    )
    def get_line(
        request: Request,
        line_id: Annotated[
            str,
            Path(
                max_length=128,
                description="year:OPD:sub kegiatan (or - for akun 4 and 6):account:funding "
                f"source; the funding source at most {FUNDING_SOURCE_CHARS_MAX} characters."
                + NO_REPEAT,
                json_schema_extra=_declared(LINE_ID_PATTERN),
            ),
        ],
    ) -> LineDetail:
        parse_line_id(line_id)
        with ledger.reads.snapshot(request) as snap:
            row = get_line_row(snap.conn, line_id)
            if row is None:
                raise NotFound(f"budget line {line_id} has no postings", code="unknown_line")
            history, truncated = line_history(snap.conn, row)
        return LineDetail(
            line=line_public(row),
            history=history,
            history_truncated=truncated,
            tree_size=snap.tree_size,
        )

    @router.get(
        "/lines/{line_id}/komponen",
        operation_id="get_budget_line_komponen",
        response_model=LineKomponen,
        summary="A line's komponen (rincian), each with its standard price and whether above",
        responses={
            **problem_responses({404: "`unknown_line`: the line has no postings."}),
            **BAD_QUERY,
        },
    )
    def get_line_komponen(
        request: Request,
        line_id: Annotated[str, Path(max_length=128, json_schema_extra=_declared(LINE_ID_PATTERN))],
    ) -> LineKomponen:
        parse_line_id(line_id)
        with ledger.reads.snapshot(request) as snap:
            row = get_line_row(snap.conn, line_id)
            if row is None:
                raise NotFound(f"budget line {line_id} has no postings", code="unknown_line")
            found = get_komponen(snap.conn, line_id)
        return line_komponen(row, found, snap.tree_size)

    @router.get(
        "/komponen/above-standard",
        operation_id="list_komponen_above_standard",
        response_model=AboveStandardPage,
        summary="A fiscal year's lines with komponen priced above their standard",
        responses=BAD_QUERY,
    )
    def list_above_standard(
        request: Request, year: Year, after: After = "", limit: Limit = PAGE_ITEMS_DEFAULT
    ) -> AboveStandardPage:
        with ledger.reads.snapshot(request) as snap:
            rows = list(
                iter_komponen_sets(
                    snap.conn, year=year, above_standard=True, after=after, limit=limit
                )
            )
        return AboveStandardPage(
            items=[above_standard_line(row) for row in rows],
            tree_size=snap.tree_size,
            next_after=rows[-1].line_id if len(rows) == limit else None,
        )

    @router.get(
        "/price-lists/{list_id}",
        operation_id="get_budget_price_list",
        response_model=PriceListPublic,
        summary="A standard price list (SSH/HSPK/ASB): its versions and one version's items",
        responses={
            **problem_responses(
                {404: "`unknown_price_list`: not published; `unknown_version`: no such version."}
            ),
            **problem_responses({422: "`bad_subject`: not a price list id; `invalid_request`."}),
        },
    )
    def get_price_list_endpoint(
        request: Request,
        list_id: Annotated[
            str,
            Path(
                max_length=PRICE_LIST_ID_CHARS_MAX,
                json_schema_extra=_declared(PRICE_LIST_ID_PATTERN),
            ),
        ],
        version: Annotated[
            int | None,
            Query(ge=1, le=PRICE_LIST_VERSIONS_MAX, description="Default: the latest."),
        ] = None,
        after: After = "",
        limit: Limit = PAGE_ITEMS_DEFAULT,
    ) -> PriceListPublic:
        parse_price_list_id(list_id, field="list_id")
        with ledger.reads.snapshot(request) as snap:
            row = get_price_list(snap.conn, list_id)
            if row is None:
                raise NotFound(f"no price list {list_id}", code="unknown_price_list")
            shown = row.latest_version if version is None else version
            if not 1 <= shown <= row.latest_version:
                raise NotFound(
                    f"price list {list_id} has versions 1 to {row.latest_version}",
                    code="unknown_version",
                )
            items = list(iter_price_items(snap.conn, list_id, shown, after=after, limit=limit))
        return price_list_public(row, shown, items, limit, snap.tree_size)

    @router.get(
        "/summary",
        operation_id="get_budget_summary",
        response_model=SummaryPublic,
        summary="A fiscal year's totals per group (pendapatan, belanja, pembiayaan)",
        responses=problem_responses(
            {404: "`unknown_fiscal_year`: the fiscal year is not registered."}
        ),
    )
    def get_summary(request: Request, year: Year) -> SummaryPublic:
        with ledger.reads.snapshot(request) as snap:
            row = get_fiscal_year(snap.conn, year)
        if row is None:
            raise NotFound(f"fiscal year {year} is not registered", code="unknown_fiscal_year")
        return summary_public(row, snap.tree_size)

    @router.get(
        "/structure/{kind}",
        operation_id="list_budget_structure",
        response_model=StructurePage,
        summary="Registered fiscal years, OPDs, programme codes, accounts or funding sources",
        responses=problem_responses(
            {422: "`bad_kind`: not one of the kinds; or `invalid_request`: a bad paging parameter."}
        ),
    )
    def list_structure(
        request: Request,
        kind: Annotated[
            str,
            Path(
                max_length=16,
                description=", ".join(STRUCTURE_NAMESPACES),
                json_schema_extra={"enum": list(STRUCTURE_NAMESPACES)},
            ),
        ],
        after: After = "",
        limit: Limit = PAGE_ITEMS_DEFAULT,
    ) -> StructurePage:
        if kind not in STRUCTURE_NAMESPACES:
            raise ClientError(
                f"kind must be one of {', '.join(STRUCTURE_NAMESPACES)}", code="bad_kind"
            )
        with ledger.reads.snapshot(request) as snap:
            rows = list(iter_structure_rows(snap.conn, kind, after=after, limit=limit))
        return StructurePage(
            items=[structure_public(row) for row in rows],
            tree_size=snap.tree_size,
            next_after=rows[-1].code if len(rows) == limit else None,
        )

    @router.get(
        "/commitments/{posting_id:path}",
        operation_id="get_budget_commitment",
        response_model=CommitmentPublic,
        summary="One commitment: amount, paid, remaining, contract",
        responses={
            **problem_responses({404: "`unknown_commitment`: no commitment of that id."}),
            **problem_responses(
                {422: "`bad_field`: not a posting id; or `invalid_request`: too long."}
            ),
        },
    )
    def get_commitment_endpoint(
        request: Request,
        posting_id: Annotated[
            str,
            Path(max_length=POSTING_ID_CHARS_MAX, json_schema_extra=_declared(POSTING_ID_PATTERN)),
        ],
    ) -> CommitmentPublic:
        parse_posting_id(posting_id, field="posting_id")
        with ledger.reads.snapshot(request) as snap:
            row = get_commitment(snap.conn, posting_id)
        if row is None:
            raise NotFound(f"no commitment {posting_id}", code="unknown_commitment")
        return commitment_public(row, snap.tree_size)

    return router
