"""The red flags API, under ``/api/v1/redflags``: paged lists, a CSV download, the rules.

Every response carries ``tree_size`` (JSON) or ``X-Terang-Tree-Size`` (CSV): the log
size the read reflects. A flag is a reason to look, never a finding; each item names
its rule, its figures and the entries behind it, so a reader can check it against the
log (docs/red-flags.md).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field

from ledger.http_problems import problem_responses
from ledger.reads import TREE_SIZE_HEADER
from ledger.service import Ledger
from redflags import catalogue, reads, rules
from redflags.limits import CSV_ROWS_MAX, PAGE_ITEMS_MAX
from redflags.reads import FlagFilter

OCID = r"^ocds-[a-z0-9]{6}-[A-Za-z0-9][A-Za-z0-9._-]{0,79}$"
HEX64 = r"^[0-9a-f]{64}$"
OPD = r"^[0-9A-Za-z.]{1,64}$"
RULE = "^(" + "|".join(catalogue.RULE_IDS) + ")$"
NEXT_AFTER_HEADER = "X-Terang-Next-After"
BAD_FILTER = problem_responses(
    {422: "`invalid_request`: a filter, `after` or `limit` does not meet its constraint."}
)


class FlagPage(BaseModel):
    items: list[dict[str, Any]] = Field(
        description="flag documents in key order (`<ocid>|<rule>`, or `opd:<code>|R038` "
        "and `vendor:<id>|R038`, `|R025`, `|R048`): rule, rule_version, status, ocid, "
        "title, opd, year, vendors, value, inputs, thresholds, seqs (the entries behind "
        "it), raised_seq, changed_seq, cleared_seq"
    )
    tree_size: int
    next_after: str | None = Field(
        description="pass as `after` for the next page; null when nothing follows"
    )
    window_ended: bool = Field(
        description="true when the page is short because the rows one request may "
        "examine ran out, not the flags: continue from `next_after`"
    )


class RuleInfoPublic(BaseModel):
    id: str
    source: str
    scope: str
    title_id: str
    title_en: str
    about_id: str
    about_en: str


class RuleCatalogue(BaseModel):
    rule_version: str
    rules: list[RuleInfoPublic]
    thresholds: dict[str, Any]
    periods: list[dict[str, Any]] = Field(description="R003's dated minimum periods")


def build_router(ledger: Ledger) -> APIRouter:
    router = APIRouter(prefix="/api/v1", tags=["redflags"])

    def wanted(
        rule: str | None,
        ocid: str | None,
        vendor: str | None,
        opd: str | None,
        year: int | None,
        status: str,
    ) -> FlagFilter:
        return FlagFilter(
            rule=rule,
            ocid=ocid,
            vendor=vendor,
            opd=opd,
            year=year,
            status=None if status == "any" else status,
        )

    @router.get(
        "/redflags",
        operation_id="list_redflags",
        response_model=FlagPage,
        summary="Red flags, filtered by rule, tender, vendor, OPD, year and status, paged",
        responses=BAD_FILTER,
    )
    def list_redflags(
        request: Request,
        rule: Annotated[str | None, Query(pattern=RULE)] = None,
        ocid: Annotated[str | None, Query(pattern=OCID)] = None,
        vendor: Annotated[str | None, Query(pattern=HEX64)] = None,
        opd: Annotated[str | None, Query(pattern=OPD)] = None,
        year: Annotated[int | None, Query(ge=2000, le=2100)] = None,
        status: Annotated[str, Query(pattern="^(raised|cleared|any)$")] = "raised",
        after: Annotated[str, Query(max_length=200)] = "",
        limit: Annotated[int, Query(ge=1, le=PAGE_ITEMS_MAX)] = 100,
    ) -> FlagPage:
        with ledger.reads.snapshot(request) as snap:
            page = reads.find_flags(
                snap.conn,
                wanted(rule, ocid, vendor, opd, year, status),
                after=after,
                limit=limit,
            )
            size = snap.tree_size
        return FlagPage(
            items=page.items,
            tree_size=size,
            next_after=page.next_after,
            window_ended=page.window_ended,
        )

    @router.get(
        "/redflags.csv",
        operation_id="download_redflags_csv",
        summary="The same list as CSV (UTF-8), up to 1,000 flags per download",
        response_class=Response,
        responses={
            200: {
                "content": {"text/csv": {"schema": {"type": "string"}}},
                "description": "one row per flag; `X-Terang-Next-After` when more follow",
            },
            **BAD_FILTER,
        },
    )
    def download_redflags(
        request: Request,
        rule: Annotated[str | None, Query(pattern=RULE)] = None,
        ocid: Annotated[str | None, Query(pattern=OCID)] = None,
        vendor: Annotated[str | None, Query(pattern=HEX64)] = None,
        opd: Annotated[str | None, Query(pattern=OPD)] = None,
        year: Annotated[int | None, Query(ge=2000, le=2100)] = None,
        status: Annotated[str, Query(pattern="^(raised|cleared|any)$")] = "raised",
        after: Annotated[str, Query(max_length=200)] = "",
    ) -> Response:
        with ledger.reads.snapshot(request) as snap:
            page = reads.find_flags(
                snap.conn,
                wanted(rule, ocid, vendor, opd, year, status),
                after=after,
                limit=CSV_ROWS_MAX,
            )
            size = snap.tree_size
        headers = {
            "Content-Disposition": 'attachment; filename="terang-redflags.csv"',
            TREE_SIZE_HEADER: str(size),
        }
        if page.next_after is not None:
            headers[NEXT_AFTER_HEADER] = page.next_after
        return Response(reads.to_csv(page.items), media_type="text/csv", headers=headers)

    @router.get(
        "/redflags/rules",
        operation_id="list_redflag_rules",
        response_model=RuleCatalogue,
        summary="Every red flag rule: its id, source, meaning, thresholds and dated periods",
    )
    def list_rules() -> RuleCatalogue:
        from redflags.periods import PERIODS

        return RuleCatalogue(
            rule_version=rules.RULES_VERSION,
            rules=[RuleInfoPublic(**vars(r)) for r in catalogue.RULES],
            thresholds=rules.THRESHOLDS.as_json(*rules.Thresholds.__dataclass_fields__),
            periods=[
                {
                    "id": p.id,
                    "effective_from": p.effective_from.isoformat(),
                    "source": p.source,
                    "minimum_days": p.minimum_days,
                }
                for p in PERIODS.rules
            ],
        )

    return router
