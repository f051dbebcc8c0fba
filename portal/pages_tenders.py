"""Tenders: the list with search and filters (``/tender``), its downloads, one tender's page.

The list reads ``procurement.reads.find_tenders``: ocid order, keyset pagination
(``after``), filtered inside the database over a bounded window of tenders, so a
page costs the same whether the log holds a thousand entries or a million. A
tender's page shows its ledger timeline (each entry with its seq and proof), its
documents with their SHA-256, the bids once opened (``BIDS_PAGE_ITEMS`` a page in
bidder order, sorted by price within the page; ``bids_after`` pages on, and the page
says when the list continues), the evaluation, award, contract and payments, and the
hook for verifying the record in the browser.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import Any, Final

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse
from sqlalchemy.engine import Connection

from budgeting.codes import parse_opd_code
from budgeting.limits import FISCAL_YEAR_MAX, FISCAL_YEAR_MIN
from budgeting.money import format_amount
from budgeting.namespaces import STRUCTURE_NAMESPACES
from budgeting.spreadsheet import amounts_as_numbers, neutralise_cell, neutralise_row
from ledger.authority import CLOCK_KEY, META_NAMESPACE
from ledger.reads import TREE_SIZE_HEADER, PublicLog
from ledger.time_anchor import WITNESS_POLICY_KEY
from portal import entries, links, overdue, params, tender_stages
from portal.limits import DOWNLOAD_ROWS_MAX, PAGE_SIZES
from portal.pages_common import filter_query, fiscal_years
from portal.rendering import render, url_with
from portal.routing import PortalRoute, bad_request, not_found
from procurement import documents, reads
from procurement import lifecycle as lc
from procurement.demo_ids import is_demo_ocid
from procurement.namespaces import CONTRACT_NAMESPACE
from procurement.rules import CATEGORIES, METHODS
from procurement.vendors import VENDOR_NAMESPACE
from redflags import catalogue as flag_catalogue
from redflags import reads as flag_reads

NEXT_AFTER_HEADER: Final = "X-Terang-Next-After"
XLSX_MEDIA_TYPE: Final = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_COLUMNS: Final = (
    "ocid",
    "title",
    "state",
    "method",
    "category",
    "year",
    "opd",
    "budget_line",
    "hps",
    "bid_deadline",
    "bids_active",
    "winner",
    "winner_name",
    "award_value",
    "contract_value",
    "contract_status",
    "last_seq",
)
"""The tender list's download columns. ``award_value`` is the awarded price; ``contract_value``
the contract's value now (after any amendment); both empty until they exist."""
BIDS_PAGE_ITEMS: Final = 200
"""Bids per tender page; more continue on the next (``bids_after``), never dropped."""
ENQUIRIES_SHOWN: Final = 100
"""Questions, and objections, shown on a tender page; the page links the API's full list
(``/api/v1/procurement/tenders/{ocid}/questions``) when there are more."""


def tender_filter(request: Request) -> reads.TenderFilter:
    """The list's filters from the query, each checked (400 on the first bad one)."""
    value_min = params.rupiah_as_sen(request, "value_min")
    value_max = params.rupiah_as_sen(request, "value_max")
    wanted = reads.TenderFilter(
        text=params.text(request, "q"),
        state=params.choice(request, "state", lc.STATES),
        method=params.choice(request, "method", METHODS),
        category=params.choice(request, "category", CATEGORIES),
        year=params.integer(request, "year", FISCAL_YEAR_MIN, FISCAL_YEAR_MAX),
        opd=params.code(request, "opd", parse_opd_code),
        hps_min_sen=value_min,
        hps_max_sen=value_max,
    )
    if value_min is not None and value_max is not None and value_min > value_max:
        raise bad_request("error.param.order", low="value_min", high="value_max")
    return wanted


def opd_of(budget_line: str) -> str:
    return budget_line.split(":")[1]


def opd_names(conn: Connection, codes: Iterable[str]) -> dict[str, str]:
    found = reads.documents(conn, STRUCTURE_NAMESPACES["opd"], sorted(set(codes)))
    return {code: str(doc.get("name", "")) for code, doc in found.items()}


def all_opds(conn: Connection) -> list[tuple[str, str]]:
    """Every registered OPD (code, name), for the filter's options (a few dozen)."""
    found = reads.scan(conn, STRUCTURE_NAMESPACES["opd"], "")
    return [(code, str(doc.get("name", ""))) for code, doc in found]


def _row(
    doc: dict[str, Any],
    contracts: dict[str, dict[str, Any]],
    vendors: dict[str, dict[str, Any]],
) -> dict[str, Any]:
    """One download row; ``contracts`` by ocid and ``vendors`` by id hold this page's."""
    schedule = doc.get("schedule") or {}
    award = doc.get("award") or {}
    winner = award.get("winner") or ""
    contract = contracts.get(doc["ocid"]) if doc.get("contract") else None
    return {
        "ocid": doc["ocid"],
        "title": doc["title"],
        "state": doc["state"],
        "method": doc["method"],
        "category": doc["category"],
        "year": doc["year"],
        "opd": opd_of(doc["budget_line"]),
        "budget_line": doc["budget_line"],
        "hps": format_amount(doc["hps_sen"]),
        "bid_deadline": schedule.get("bid_deadline") or "",
        "bids_active": doc["bids"]["active"],
        "winner": winner,
        "winner_name": vendors.get(winner, {}).get("name", "") if winner else "",
        "award_value": format_amount(award["value_sen"]) if award else "",
        "contract_value": format_amount(contract["value_sen"]) if contract else "",
        "contract_status": contract["status"] if contract else "",
        "last_seq": doc["last_seq"],
    }


def download_rows(conn: Connection, docs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The download rows of a page of tenders: their contracts and winners read in two
    batched queries, from the same snapshot."""
    contracted = [doc["ocid"] for doc in docs if doc.get("contract")]
    winners = sorted({doc["award"]["winner"] for doc in docs if doc.get("award")})
    contracts = reads.documents(conn, CONTRACT_NAMESPACE, contracted)
    vendors = reads.documents(conn, VENDOR_NAMESPACE, winners)
    return [_row(doc, contracts, vendors) for doc in docs]


def _csv(rows: list[dict[str, Any]]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(neutralise_row(row) for row in rows)
    return out.getvalue().encode("utf-8")


def _xlsx(rows: list[dict[str, Any]], sheet: str) -> bytes:
    """An XLSX workbook: the amount (``hps``) a number cell holding its exact decimal,
    every other cell formula-safe text."""
    import pandas as pd

    cells = [[neutralise_cell(str(row[c])) for c in CSV_COLUMNS] for row in rows]
    frame = pd.DataFrame(cells, columns=CSV_COLUMNS)
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        frame.to_excel(writer, sheet_name=sheet, index=False)
        amounts_as_numbers(writer.sheets[sheet], ["hps"])
    return buffer.getvalue()


def build_router(ledger: PublicLog) -> APIRouter:
    router = APIRouter(include_in_schema=False, route_class=PortalRoute)

    def _ocds_year(conn: Any, year: int | None) -> int | None:
        """The year whose OCDS packages to link, if it has a tender: an empty year's
        package is a 404 (a package holds at least one release or record)."""
        if year is None:
            return None
        probe = reads.find_tenders(conn, reads.TenderFilter(year=year), limit=1)
        return year if probe.items or probe.window_ended else None

    @router.get("/tender", response_class=HTMLResponse)
    def tender_list(request: Request) -> HTMLResponse:
        wanted = tender_filter(request)
        after = params.cursor(request, "after", links.OCID)
        limit = params.page_size(request)
        with ledger.reads.snapshot(request) as snap:
            conn = snap.conn
            size = snap.tree_size
            page = reads.find_tenders(conn, wanted, after=after, limit=limit)
            opds = all_opds(conn)
            years = fiscal_years(conn)
            ocds_year = _ocds_year(conn, wanted.year or (years[0] if years else None))
        names = dict(opds)
        return render(
            request,
            "tenders.html",
            wanted=wanted,
            page=page,
            items=[(doc, names.get(opd_of(doc["budget_line"]), "")) for doc in page.items],
            after=after,
            limit=limit,
            page_sizes=PAGE_SIZES,
            opds=opds,
            states=lc.STATES,
            methods=METHODS,
            categories=CATEGORIES,
            years=years,
            ocds_year=ocds_year,
            value_min=request.query_params.get("value_min", ""),
            value_max=request.query_params.get("value_max", ""),
            first_url=url_with(request, after=None, lang=None) if after else None,
            filter_query=filter_query(request),
            tree_size=size,
        )

    def download(request: Request) -> tuple[list[dict[str, Any]], str | None, int]:
        wanted = tender_filter(request)
        after = params.cursor(request, "after", links.OCID)
        with ledger.reads.snapshot(request) as snap:
            conn = snap.conn
            size = snap.tree_size
            page = reads.find_tenders(conn, wanted, after=after, limit=DOWNLOAD_ROWS_MAX)
            rows = download_rows(conn, page.items)
        return rows, page.next_after, size

    def attachment(
        content: bytes, media_type: str, name: str, nxt: str | None, size: int
    ) -> Response:
        headers = {
            "Content-Disposition": f'attachment; filename="{name}"',
            TREE_SIZE_HEADER: str(size),
            "Cache-Control": "public, max-age=10",
        }
        if nxt is not None:
            headers[NEXT_AFTER_HEADER] = nxt
        return Response(content, media_type=media_type, headers=headers)

    @router.get("/tender.csv")
    def tender_csv(request: Request) -> Response:
        rows, nxt, size = download(request)
        return attachment(_csv(rows), "text/csv; charset=utf-8", "terang-tenders.csv", nxt, size)

    @router.get("/tender.xlsx")
    def tender_xlsx(request: Request) -> Response:
        rows, nxt, size = download(request)
        return attachment(_xlsx(rows, "tenders"), XLSX_MEDIA_TYPE, "terang-tenders.xlsx", nxt, size)

    @router.get("/tender/{ocid}", response_class=HTMLResponse)
    def tender_page(request: Request, ocid: str) -> HTMLResponse:
        if not links.OCID.fullmatch(ocid):
            raise not_found("error.unknown_tender", code=ocid)
        after_seq = params.integer(request, "after_seq", 0, 2**53)
        bids_after = params.cursor(request, "bids_after", links.HEX64)
        with ledger.reads.snapshot(request) as snap:
            conn = snap.conn
            size = snap.tree_size
            doc = reads.document(conn, lc.TENDER_NAMESPACE, ocid)
            if doc is None:
                raise not_found("error.unknown_tender", code=ocid)
            summaries = reads.entries_about(
                conn,
                subject=ocid,
                after_seq=-1 if after_seq is None else after_seq,
                limit=entries.TIMELINE_PAGE_ITEMS + 1,
            )
            timeline = entries.views(conn, summaries[: entries.TIMELINE_PAGE_ITEMS])
            bids_page = reads.prefixed_page(
                conn, lc.BID_NAMESPACE, ocid + "|", after=bids_after, limit=BIDS_PAGE_ITEMS
            )
            bids = bids_page.items
            contract = reads.document(conn, CONTRACT_NAMESPACE, ocid)
            policy = reads.document(conn, META_NAMESPACE, WITNESS_POLICY_KEY)
            simulated_clock = reads.document(conn, META_NAMESPACE, CLOCK_KEY) is not None
            parties = {b["bidder"] for b in bids} | ({contract["vendor"]} if contract else set())
            vendors = reads.documents(conn, VENDOR_NAMESPACE, sorted(parties))
            opd = opd_of(doc["budget_line"])
            opd_name = opd_names(conn, [opd]).get(opd, "")
            hashes = [d["sha256"] for d in doc["documents"]]
            stored = {sha: documents.stored_size(conn, sha) for sha in hashes}
            flags = [
                {**flag, "info": flag_catalogue.BY_ID.get(flag["rule"])}
                for flag in flag_reads.flags_of(conn, ocid)
            ]
            enquiries = _enquiries(conn, ocid)
            stages = tender_stages.stages(
                doc,
                contract,
                None
                if bids_after or bids_page.next_after is not None
                else _evaluated_seq(doc, bids),
            )
            stage_times = {
                view.seq: view.logged_at
                for view in entries.by_seq(conn, [s.seq for s in stages if s.seq is not None])
            }
        more = len(summaries) > entries.TIMELINE_PAGE_ITEMS
        return render(
            request,
            "tender.html",
            tender=doc,
            stages=stages,
            contract_overdue=overdue.is_overdue(
                contract, overdue.region_today(ledger.clock, ledger.time_zone)
            ),
            stage_times=stage_times,
            opd=opd,
            opd_name=opd_name,
            timeline=timeline,
            next_after_seq=timeline[-1].seq if more else None,
            first_url=links.tender(ocid) if after_seq is not None else None,
            bids=sorted(bids, key=_bid_order),
            bids_paged=bool(bids_after) or bids_page.next_after is not None,
            bids_next_url=(
                None
                if bids_page.next_after is None
                else url_with(request, bids_after=bids_page.next_after, lang=None)
            ),
            bids_first_url=url_with(request, bids_after=None, lang=None) if bids_after else None,
            opened=doc["bids"]["opened"] + doc["bids"]["unopenable"] > 0,
            vendors=vendors,
            contract=contract,
            stored_bytes=stored,
            bundle_url=links.bundle(ocid),
            tree_size=size,
            demo_tender=is_demo_ocid(ocid),
            witness_policy=policy,
            simulated_clock=simulated_clock,
            flags=flags,
            flag_opd_names={opd: opd_name},
            **enquiries,
        )

    return router


def _enquiries(conn: Connection, ocid: str) -> dict[str, Any]:
    """The tender's first questions and objections with their answers, and the entries
    (time, signer's registered name) that asked and answered them, by seq."""
    questions = reads.prefixed_page(conn, lc.QUESTION_NAMESPACE, ocid + "|", limit=ENQUIRIES_SHOWN)
    objections = reads.prefixed_page(
        conn, lc.OBJECTION_NAMESPACE, ocid + "|", limit=ENQUIRIES_SHOWN
    )
    seqs = {q[f] for q in questions.items for f in ("asked_seq", "answered_seq")} | {
        o[f] for o in objections.items for f in ("filed_seq", "answered_seq")
    }
    found = entries.by_seq(conn, sorted(s for s in seqs if s is not None))
    return {
        "questions": questions.items,
        "questions_more": questions.next_after is not None,
        "objections": objections.items,
        "objections_more": objections.next_after is not None,
        "enquiry_entries": {view.seq: view for view in found},
    }


def _evaluated_seq(doc: dict[str, Any], bids: list[dict[str, Any]]) -> int | None:
    """The seq of the current evaluation round's last entry, from every bid (the caller
    passes the whole list, not a page of it); ``None`` before any is evaluated."""
    evaluation = doc.get("evaluation") or {}
    seqs = [
        int(bid["evaluation"]["seq"])
        for bid in bids
        if (bid.get("evaluation") or {}).get("round") == evaluation.get("round")
    ]
    return max(seqs, default=None)


def _bid_order(bid: dict[str, Any]) -> tuple[int, int]:
    """Opened bids by price, then the rest in logging order."""
    opening = bid.get("opening") or {}
    price = opening.get("price_sen")
    return (0 if price is not None else 1, price if price is not None else bid["first_seq"])
