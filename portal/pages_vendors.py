"""Vendors (penyedia): the register with search (``/penyedia``) and a vendor's page.

The list reads ``procurement.reads.find_vendors`` (vendor-id order, keyset pages,
filtered in the database over a bounded window). A vendor's page shows its
registration, sanctions and counters, and its history: every entry about the vendor
or signed by it (its bids, payment requests), in log order, a page at a time.
"""

from __future__ import annotations

import csv
import io
from typing import Final

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse

from budgeting.spreadsheet import neutralise_row
from ledger.reads import TREE_SIZE_HEADER, PublicLog
from portal import entries, links, overdue, params
from portal.limits import DOWNLOAD_ROWS_MAX, PAGE_SIZES
from portal.pages_common import filter_query
from portal.pages_tenders import opd_names
from portal.rendering import render, url_with
from portal.routing import PortalRoute, not_found
from procurement import lifecycle as lc
from procurement import reads
from procurement.vendors import VENDOR_NAMESPACE
from redflags import catalogue as flag_catalogue
from redflags import reads as flag_reads
from redflags.reads import FlagFilter

STATUSES: Final = ("registered", "active")
CONTRACTS_SHOWN: Final = 50
"""Contracts per page of a vendor's page (``contracts_after`` continues)."""
VENDOR_FLAGS_SHOWN: Final = 20
"""Red flags naming the vendor shown on its page; the rest on ``/tanda-peringatan``."""
CSV_COLUMNS: Final = (
    "vendor_id",
    "name",
    "npwp",
    "qualification",
    "status",
    "registered_at",
    "sanctions",
    "bids_submitted",
    "awards_won",
)


def vendor_filter(request: Request) -> reads.VendorFilter:
    return reads.VendorFilter(
        text=params.text(request, "q"), status=params.choice(request, "status", STATUSES)
    )


def build_router(ledger: PublicLog) -> APIRouter:
    router = APIRouter(include_in_schema=False, route_class=PortalRoute)

    @router.get("/penyedia", response_class=HTMLResponse)
    def vendor_list(request: Request) -> HTMLResponse:
        wanted = vendor_filter(request)
        after = params.cursor(request, "after", links.HEX64)
        limit = params.page_size(request)
        with ledger.reads.snapshot(request) as snap:
            conn = snap.conn
            size = snap.tree_size
            page = reads.find_vendors(conn, wanted, after=after, limit=limit)
        query = filter_query(request)
        return render(
            request,
            "vendors.html",
            wanted=wanted,
            page=page,
            limit=limit,
            page_sizes=PAGE_SIZES,
            statuses=STATUSES,
            first_url=url_with(request, after=None, lang=None) if after else None,
            csv_url="/penyedia.csv" + ("?" + query if query else ""),
            tree_size=size,
        )

    @router.get("/penyedia.csv")
    def vendor_csv(request: Request) -> Response:
        wanted = vendor_filter(request)
        after = params.cursor(request, "after", links.HEX64)
        with ledger.reads.snapshot(request) as snap:
            conn = snap.conn
            size = snap.tree_size
            page = reads.find_vendors(conn, wanted, after=after, limit=DOWNLOAD_ROWS_MAX)
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\n")
        writer.writeheader()
        for doc in page.items:
            row = {c: doc.get(c) for c in CSV_COLUMNS}
            row["sanctions"] = sum(1 for s in doc["sanctions"] if s["lifted_seq"] is None)
            writer.writerow(neutralise_row(row))
        headers = {
            "Content-Disposition": 'attachment; filename="terang-vendors.csv"',
            TREE_SIZE_HEADER: str(size),
            "Cache-Control": "public, max-age=10",
        }
        if page.next_after is not None:
            headers["X-Terang-Next-After"] = page.next_after
        return Response(
            out.getvalue().encode("utf-8"), media_type="text/csv; charset=utf-8", headers=headers
        )

    @router.get("/penyedia/{vendor_id}", response_class=HTMLResponse)
    def vendor_page(request: Request, vendor_id: str) -> HTMLResponse:
        if not links.HEX64.fullmatch(vendor_id):
            raise not_found("error.unknown_vendor", code=vendor_id)
        after_seq = params.integer(request, "after_seq", 0, 2**53)
        contracts_after = params.cursor(request, "contracts_after", links.OCID)
        with ledger.reads.snapshot(request) as snap:
            conn = snap.conn
            size = snap.tree_size
            doc = reads.document(conn, VENDOR_NAMESPACE, vendor_id)
            if doc is None:
                raise not_found("error.unknown_vendor", code=vendor_id)
            contracts = reads.find_contracts(
                conn, vendor=vendor_id, after=contracts_after, limit=CONTRACTS_SHOWN
            )
            titles = {
                ocid: str(tender.get("title", ""))
                for ocid, tender in reads.documents(
                    conn, lc.TENDER_NAMESPACE, [c["ocid"] for c in contracts.items]
                ).items()
            }
            summaries = reads.entries_about(
                conn,
                subject=vendor_id,
                signer=vendor_id,
                after_seq=-1 if after_seq is None else after_seq,
                limit=entries.TIMELINE_PAGE_ITEMS + 1,
            )
            history = entries.views(conn, summaries[: entries.TIMELINE_PAGE_ITEMS])
            flags_page = flag_reads.find_flags(
                conn, FlagFilter(vendor=vendor_id), limit=VENDOR_FLAGS_SHOWN
            )
            flags = [
                {**flag, "info": flag_catalogue.BY_ID.get(flag["rule"])}
                for flag in flags_page.items
            ]
            flag_opds = opd_names(conn, [f["opd"] for f in flags if f["opd"]])
        more = len(summaries) > entries.TIMELINE_PAGE_ITEMS
        today = overdue.region_today(ledger.clock, ledger.time_zone)
        return render(
            request,
            "vendor.html",
            vendor=doc,
            history=history,
            next_after_seq=history[-1].seq if more else None,
            first_url=links.vendor(vendor_id) if after_seq is not None else None,
            bundle_url=links.bundle(vendor_id),
            tree_size=size,
            flags=flags,
            flags_more=flags_page.next_after is not None,
            flag_opd_names=flag_opds,
            contracts=contracts.items,
            contract_titles=titles,
            overdue_ocids={c["ocid"] for c in contracts.items if overdue.is_overdue(c, today)},
            contracts_next_url=(
                None
                if contracts.next_after is None
                else url_with(request, contracts_after=contracts.next_after, lang=None)
            ),
            contracts_first_url=(
                url_with(request, contracts_after=None, lang=None) if contracts_after else None
            ),
        )

    return router
