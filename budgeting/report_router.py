"""Report endpoints under ``/api/v1/budget/reports``: the LRA and the monthly cash report.

``format=json`` (default) answers a JSON document with ``tree_size`` (and the
checkpoint covering exactly that size, if published); ``csv`` and ``xlsx`` download
the same table (amounts as decimal strings); ``ofdp`` (LRA only) downloads an Open
Fiscal Data Package zip (``datapackage.json`` + ``lines.csv``). Downloads carry the
tree size in the ``X-Terang-Tree-Size`` header (and the XLSX in its "about" sheet,
the OFDP in ``datapackage.json``).

Preconditions, in order: query parameters well formed (422 ``invalid_request``), then
the fiscal year is registered (404 ``unknown_fiscal_year``).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from budgeting import fiscal_data_package, reports
from budgeting.limits import FISCAL_YEAR_MAX, FISCAL_YEAR_MIN
from budgeting.read_models import get_fiscal_year
from ledger.errors import NotFound
from ledger.http_problems import problem_responses
from ledger.reads import TREE_SIZE_HEADER, record_tree_size
from ledger.service import Ledger

Year = Annotated[int, Query(ge=FISCAL_YEAR_MIN, le=FISCAL_YEAR_MAX, description="Fiscal year.")]
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ReportFormat(StrEnum):
    JSON = "json"
    CSV = "csv"
    XLSX = "xlsx"
    OFDP = "ofdp"


class MonthlyFormat(StrEnum):
    """The monthly report's formats: the Open Fiscal Data Package is offered for the LRA."""

    JSON = "json"
    CSV = "csv"
    XLSX = "xlsx"


DOWNLOADS: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "JSON, or a download (CSV, XLSX, OFDP zip) with X-Terang-Tree-Size.",
        "content": {
            "text/csv": {},
            XLSX_MEDIA_TYPE: {},
            "application/zip": {},
        },
    },
    **problem_responses(
        {
            404: "`unknown_fiscal_year`: the fiscal year is not registered.",
            422: "`invalid_request`: a malformed parameter.",
        }
    ),
}


def _download(content: bytes, media_type: str, filename: str, tree_size: int) -> Response:
    return Response(
        content,
        media_type=media_type,
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            TREE_SIZE_HEADER: str(tree_size),
        },
    )


def _render(
    report: reports.Report, format: ReportFormat | MonthlyFormat
) -> Response | dict[str, Any]:
    if format == ReportFormat.CSV:
        return _download(
            reports.to_csv_bytes(report), "text/csv", f"{report.name}.csv", report.tree_size
        )
    if format == ReportFormat.XLSX:
        return _download(
            reports.to_xlsx_bytes(report),
            XLSX_MEDIA_TYPE,
            f"{report.name}.xlsx",
            report.tree_size,
        )
    return report.as_json()


def build_router(ledger: Ledger) -> APIRouter:
    router = APIRouter(prefix="/api/v1/budget/reports", tags=["budgeting reports"])

    def require_year(year: int) -> None:
        # Not recorded on the response: the report's own snapshot is what it reflects.
        with ledger.reads.snapshot() as snap:
            if get_fiscal_year(snap.conn, year) is None:
                raise NotFound(f"fiscal year {year} is not registered", code="unknown_fiscal_year")

    @router.get(
        "/lra",
        operation_id="get_budget_lra",
        summary="LRA (budget realisation report) by OPD, programme or account hierarchy",
        responses=DOWNLOADS,
        response_model=None,
    )
    def get_lra(
        request: Request,
        year: Year,
        by: Annotated[reports.LraBy, Query(description="opd, program or account")] = (
            reports.LraBy.OPD
        ),
        format: Annotated[ReportFormat, Query(description="json, csv, xlsx or ofdp")] = (
            ReportFormat.JSON
        ),
    ) -> Response | dict[str, Any]:
        require_year(year)
        if format is ReportFormat.OFDP:
            content, tree_size = fiscal_data_package.build_zip(ledger.reads.engine, year)
            record_tree_size(request, tree_size)
            return _download(
                content, "application/zip", f"terang-apbd-{year}-lra-ofdp.zip", tree_size
            )
        report = reports.lra(ledger.reads.engine, year, by)
        record_tree_size(request, report.tree_size)
        return _render(report, format)

    @router.get(
        "/monthly",
        operation_id="get_budget_monthly",
        summary="Monthly realisation against the cash plan (anggaran kas), total or by OPD",
        responses=DOWNLOADS,
        response_model=None,
    )
    def get_monthly(
        request: Request,
        year: Year,
        by: Annotated[reports.MonthlyBy, Query(description="total or opd")] = (
            reports.MonthlyBy.TOTAL
        ),
        format: Annotated[
            MonthlyFormat,
            Query(description="json, csv or xlsx (the OFDP zip is offered for the LRA)"),
        ] = MonthlyFormat.JSON,
    ) -> Response | dict[str, Any]:
        require_year(year)
        report = reports.monthly(ledger.reads.engine, year, by)
        record_tree_size(request, report.tree_size)
        return _render(report, format)

    return router
