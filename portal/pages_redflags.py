"""Red flags: the list with filters (``/tanda-peringatan``) and the flags of one tender.

The list reads ``redflags.reads.find_flags`` (key order, keyset pagination with
``after``, a bounded window per page, like the tender list). Every flag is shown with
the same sentence first: a flag is a reason to look more closely, not an accusation
nor a finding. Its rule's name and meaning come from ``redflags.catalogue``, its
figures and the entries behind it from the flag itself, so a reader can check each
one against the log.
"""

from __future__ import annotations

import re
from typing import Any, Final

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from budgeting.codes import parse_opd_code
from ledger.reads import PublicLog
from portal import links, params
from portal.limits import PAGE_SIZES
from portal.pages_common import filter_query, fiscal_years
from portal.pages_tenders import all_opds
from portal.rendering import render, url_with
from portal.routing import PortalRoute, bad_request
from redflags import catalogue
from redflags import reads as flag_reads
from redflags.reads import FlagFilter

PATH: Final = "/tanda-peringatan"
FLAG_KEY: Final = re.compile(r"[A-Za-z0-9:._-]{1,140}\|[A-Z0-9-]{1,20}")
"""A flag's key (``<ocid or subject>|<rule>``): the list's ``after`` cursor."""
STATUS_CHOICES: Final = ("raised", "cleared", "any")


def flag_filter(request: Request) -> FlagFilter:
    """The list's filters from the query, each checked (400 on the first bad one)."""
    status = params.choice(request, "status", STATUS_CHOICES) or "raised"
    vendor = params.raw(request, "vendor")
    ocid = params.raw(request, "ocid")
    if vendor is not None and not links.HEX64.fullmatch(vendor):
        raise bad_request("error.param.invalid", name="vendor")
    if ocid is not None and not links.OCID.fullmatch(ocid):
        raise bad_request("error.param.invalid", name="ocid")
    return FlagFilter(
        rule=params.choice(request, "rule", catalogue.RULE_IDS),
        ocid=ocid,
        vendor=vendor,
        opd=params.code(request, "opd", parse_opd_code),
        year=params.integer(request, "year", 2000, 2100),
        status=None if status == "any" else status,
    )


def view(flag: dict[str, Any]) -> dict[str, Any]:
    """What the templates print of a flag: its document and its rule's description."""
    return {**flag, "info": catalogue.BY_ID.get(flag["rule"])}


def build_router(ledger: PublicLog) -> APIRouter:
    router = APIRouter(include_in_schema=False, route_class=PortalRoute)

    @router.get(PATH, response_class=HTMLResponse)
    def flag_list(request: Request) -> HTMLResponse:
        wanted = flag_filter(request)
        after = params.cursor(request, "after", FLAG_KEY)
        limit = params.page_size(request)
        with ledger.reads.snapshot(request) as snap:
            conn = snap.conn
            size = snap.tree_size
            page = flag_reads.find_flags(conn, wanted, after=after, limit=limit)
            opds = all_opds(conn)
            years = fiscal_years(conn)
        query = filter_query(request)
        return render(
            request,
            "redflags.html",
            wanted=wanted,
            status=request.query_params.get("status") or "raised",
            page=page,
            flags=[view(f) for f in page.items],
            opd_names=dict(opds),
            opds=opds,
            years=years,
            rules=catalogue.RULES,
            after=after,
            limit=limit,
            page_sizes=PAGE_SIZES,
            first_url=url_with(request, after=None, lang=None) if after else None,
            csv_url="/api/v1/redflags.csv" + ("?" + query if query else ""),
            tree_size=size,
        )

    return router
