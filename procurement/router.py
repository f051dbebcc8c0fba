"""Procurement's public read API, under ``/api/v1/procurement``.

Writes go through the ledger's own ``POST /api/v1/statements`` (and ``/batch``): a
procurement write is a signed statement like any other, checked by the reducers in
this package. Every JSON response here carries ``tree_size``, the log size the read
saw, except the OCDS packages, which are bare OCDS (``procurement.ocds``) and say it, like
every response, in the ``X-Terang-Tree-Size`` header.
"""

from __future__ import annotations

import functools
import threading
from collections import OrderedDict
from collections.abc import Iterator, Mapping
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import JSONResponse, PlainTextResponse
from pydantic import BaseModel, Field

from budgeting import reducers as budget
from ledger.errors import InvariantBroken, NotFound
from ledger.http_problems import problem_responses
from ledger.limits import DATABASE_INTEGER_MAX
from ledger.service import Ledger
from procurement import contracts, documents, history, ocds, reads
from procurement import lifecycle as lc
from procurement.fields import wire_amount
from procurement.limits import (
    BIDS_PAGE_ITEMS_DEFAULT,
    BIDS_PAGE_ITEMS_MAX,
    NUMBERED_PAGE_ITEMS_MAX,
    OCDS_BULK_TENDERS_MAX,
    PAGE_ITEMS_MAX,
    RECORD_CACHE_RELEASES_MAX,
    RECORD_ENTRIES_MAX,
    RUP_REVISIONS_MAX,
    TIMELINE_ITEMS_MAX,
)
from procurement.namespaces import CONTRACT_NAMESPACE, RUP_NAMESPACE
from procurement.vendors import VENDOR_NAMESPACE

OCID = r"^ocds-[a-z0-9]{6}-[A-Za-z0-9][A-Za-z0-9._-]{0,79}$"

HEX64 = r"^[0-9a-f]{64}$"
NO_VENDOR = problem_responses({404: "`unknown_vendor`: no vendor registered that key id."})
NO_RUP = problem_responses({404: "`unknown_rup`: no RUP item was published under that code."})
RUP_CODE = r"^[A-Za-z0-9][A-Za-z0-9._:/-]{0,63}$"
NO_TENDER = problem_responses({404: "`unknown_tender`: no tender with that ocid."})
NO_YEAR = problem_responses(
    {404: "`no_ocds_data`: no tender of that fiscal year (after `after`): no package."}
)
TRUNCATED_HEADER = "X-Terang-Truncated"
TRUNCATED_OCIDS_HEADER = "X-Terang-Truncated-Ocids"
"""The tenders of a bulk page whose record holds only its first entries, comma-separated
(absent when none was cut)."""


def _links(request: Request) -> ocds.Links:
    """The absolute URLs releases name: ``GET /documents/{sha256}`` without its hash."""
    placeholder = "0" * 64
    url = str(request.url_for("get_document", sha256=placeholder))
    return ocds.Links(documents=url.removesuffix(placeholder))


def _policy(request: Request) -> dict[str, str]:
    """The package's ``license`` and ``publicationPolicy`` (absolute URLs)."""
    return {
        "license": ocds.LICENSE,
        "publicationPolicy": str(request.url_for("ocds_publication_policy")),
    }


class EntryPublic(BaseModel):
    seq: int
    type: str
    subject: str
    signer: str
    logged_at: str
    body: dict[str, Any]


class VendorPublic(BaseModel):
    vendor: dict[str, Any]
    tree_size: int


class VendorPage(BaseModel):
    items: list[dict[str, Any]]
    tree_size: int
    next_after: str | None = Field(description="pass as `after` for the next page")


class HistoryPage(BaseModel):
    items: list[EntryPublic]
    tree_size: int
    next_after_seq: int | None = Field(description="pass as `after_seq` for the next page")


class RupPage(BaseModel):
    items: list[dict[str, Any]]
    tree_size: int
    next_after: str | None = Field(description="pass as `after` for the next page")
    window_ended: bool = Field(
        description="the page is short because its window of rows ended, not the data"
    )


class RupPublic(BaseModel):
    rup: dict[str, Any] = Field(description="the item now, with every step in `history`")
    packages: list[dict[str, Any]] = Field(description="the packages citing it")
    entries: list[EntryPublic] = Field(description="its own entries, by seq")
    tree_size: int


class TenderPage(BaseModel):
    items: list[dict[str, Any]]
    tree_size: int
    next_after: str | None = Field(description="pass as `after` for the next page")


class TenderPublic(BaseModel):
    tender: dict[str, Any]
    allowed_next: list[str] = Field(description="statement types the state machine allows now")
    timeline: list[EntryPublic] = Field(description="every entry about the ocid, by seq")
    timeline_truncated: bool
    timeline_next_after_seq: int | None = Field(
        description="when truncated, pass as `after_seq` to `GET /api/v1/entries?subject=<ocid>`"
    )
    tree_size: int


AfterNumber = Annotated[
    str,
    Query(
        pattern=r"^([1-9][0-9]{0,5})?$",
        description="`next_after` of the previous page (the last number it held).",
    ),
]
NumberedLimit = Annotated[int, Query(ge=1, le=NUMBERED_PAGE_ITEMS_MAX)]


class NumberedPage(BaseModel):
    items: list[dict[str, Any]] = Field(description="documents in number order")
    tree_size: int
    next_after: str | None = Field(
        description="pass as `after` for the next page; null on the last page"
    )


class BidsPage(BaseModel):
    items: list[dict[str, Any]] = Field(description="bid documents in bidder (vendor id) order")
    tree_size: int
    next_after: str | None = Field(
        description="pass as `after` for the next page; null on the last page"
    )


class ContractPublic(BaseModel):
    contract: dict[str, Any]
    allowed_next: list[str] = Field(
        description="statement types the contract's state machine allows now"
    )
    tree_size: int


class RecordCache:
    """Rendered OCDS records, keyed by (ocid, how many entries were replayed, the leaf
    hash of the last one, the absolute URLs the releases name: ``ocds.Links``, from the
    request's host).

    A record is a pure function of the tender's entries (and of the vendors' names, NPWP
    and addresses, and the OPD's name, fixed at registration), and entries never change:
    the same ocid with the same entries (the last one's leaf hash commits to it and,
    through the ``prev`` chain, to every entry before it, even across a restore) is the
    same record, so a repeated read (a portal link, a page fetched again) does not
    replay the tender again. A replay costs what the reducers cost (the 1,000-bid tender: its bids'
    checks, the releases' Feldman checks, the opening); a hit costs an index-only query.
    Bounded by the releases held (``RECORD_CACHE_RELEASES_MAX``), least recently used
    out."""

    def __init__(self, releases_max: int) -> None:
        self.releases_max = releases_max
        self.held: OrderedDict[tuple[str, int, bytes, ocds.Links], dict[str, Any]] = OrderedDict()
        self.releases = 0
        self.lock = threading.Lock()

    def get(self, key: tuple[str, int, bytes, ocds.Links]) -> dict[str, Any] | None:
        """The record, shared: never change it (packages only reference its parts)."""
        with self.lock:
            found = self.held.get(key)
            if found is not None:
                self.held.move_to_end(key)
            return found

    def put(self, key: tuple[str, int, bytes, ocds.Links], value: dict[str, Any]) -> None:
        size = len(value["releases"])
        if size > self.releases_max:
            return
        with self.lock:
            if key in self.held:
                return
            self.held[key] = value
            self.releases += size
            while self.releases > self.releases_max:
                _, old = self.held.popitem(last=False)
                self.releases -= len(old["releases"])


class _Lookup(Mapping[str, dict[str, Any]]):
    """Documents of one namespace read on demand (and kept) while one response renders
    its OCDS: the bidders (vendors) and the buyer (the OPD) are known only as the replay
    meets them."""

    def __init__(self, conn: Any, namespace: str) -> None:
        self.conn = conn
        self.namespace = namespace
        self.found: dict[str, dict[str, Any] | None] = {}

    def __getitem__(self, key: str) -> dict[str, Any]:
        if key not in self.found:
            self.found[key] = reads.document(self.conn, self.namespace, key)
        doc = self.found[key]
        if doc is None:
            raise KeyError(key)
        return doc

    def __iter__(self) -> Iterator[str]:
        return (k for k, v in self.found.items() if v is not None)

    def __len__(self) -> int:
        return sum(v is not None for v in self.found.values())


def _tender_summary(doc: dict[str, Any]) -> dict[str, Any]:
    return {
        "ocid": doc["ocid"],
        "title": doc["title"],
        "state": doc["state"],
        "method": doc["method"],
        "category": doc["category"],
        "year": doc["year"],
        "budget_line": doc["budget_line"],
        "hps": wire_amount(doc["hps_sen"]),
        "bid_deadline": doc["schedule"]["bid_deadline"] if doc["schedule"] else None,
        "bids_active": doc["bids"]["active"],
        "winner": (doc.get("award") or {}).get("winner"),
        "award_value": wire_amount(doc["award"]["value_sen"]) if doc.get("award") else None,
        "contract_status": (doc.get("contract") or {}).get("status"),
        "last_seq": doc["last_seq"],
    }


def _rup_summary(doc: dict[str, Any]) -> dict[str, Any]:
    """A RUP item without its history (the list's row); amounts as rupiah strings."""
    found = {k: v for k, v in doc.items() if k not in ("history", "value_sen")}
    found["value"] = wire_amount(doc["value_sen"])
    found.pop("cited_hps_max_sen", None)
    return found


def _rup_public(doc: dict[str, Any]) -> dict[str, Any]:
    found = _rup_summary(doc)
    found["history"] = [
        {
            **{k: v for k, v in step.items() if k != "item"},
            **(
                {"item": {**step["item"], "value": wire_amount(step["item"]["value_sen"])}}
                if "item" in step
                else {}
            ),
        }
        for step in doc["history"]
    ]
    return found


def _entry(summary: reads.EntrySummary) -> EntryPublic:
    return EntryPublic(
        seq=summary.seq,
        type=summary.type,
        subject=summary.subject,
        signer=summary.signer,
        logged_at=summary.logged_at,
        body=summary.body,
    )


def build_router(ledger: Ledger) -> APIRouter:
    router = APIRouter(prefix="/api/v1/procurement", tags=["procurement"])
    records = RecordCache(RECORD_CACHE_RELEASES_MAX)
    # Tender documents' bytes, content-addressed (procurement.documents).
    router.include_router(documents.build_router(ledger))

    @router.get("/vendors", operation_id="list_vendors", response_model=VendorPage)
    def list_vendors(
        request: Request,
        status: Annotated[str | None, Query(pattern="^(registered|active)$")] = None,
        after: Annotated[str, Query(max_length=64)] = "",
        limit: Annotated[int, Query(ge=1, le=PAGE_ITEMS_MAX)] = 100,
    ) -> VendorPage:
        found: list[dict[str, Any]] = []
        last_key = None
        with ledger.reads.snapshot(request) as snap:
            conn = snap.conn
            size = snap.tree_size
            for key, doc in reads.scan(conn, VENDOR_NAMESPACE, after):
                last_key = key
                if status is None or doc["status"] == status:
                    found.append(doc)
                    if len(found) == limit:
                        break
            # A filtered page may stop at the scan bound before it is full: say where.
            more = len(found) == limit or (
                last_key is not None
                and reads.scan_bound_reached(conn, VENDOR_NAMESPACE, after, last_key)
            )
        return VendorPage(items=found, tree_size=size, next_after=last_key if more else None)

    @router.get(
        "/vendors/{vendor_id}",
        operation_id="get_vendor",
        response_model=VendorPublic,
        responses=NO_VENDOR,
    )
    def get_vendor(
        request: Request, vendor_id: Annotated[str, Path(pattern=HEX64)]
    ) -> VendorPublic:
        with ledger.reads.snapshot(request) as snap:
            conn = snap.conn
            size = snap.tree_size
            doc = reads.document(conn, VENDOR_NAMESPACE, vendor_id)
        if doc is None:
            raise NotFound(f"no vendor {vendor_id}", code="unknown_vendor")
        return VendorPublic(vendor=doc, tree_size=size)

    @router.get(
        "/vendors/{vendor_id}/history",
        operation_id="get_vendor_history",
        response_model=HistoryPage,
        summary="Every entry about a vendor or signed by it, in log order",
        responses=NO_VENDOR,
    )
    def vendor_history(
        request: Request,
        vendor_id: Annotated[str, Path(pattern=HEX64)],
        after_seq: Annotated[int, Query(ge=-1, le=DATABASE_INTEGER_MAX)] = -1,
        limit: Annotated[int, Query(ge=1, le=PAGE_ITEMS_MAX)] = 100,
    ) -> HistoryPage:
        with ledger.reads.snapshot(request) as snap:
            conn = snap.conn
            size = snap.tree_size
            if reads.document(conn, VENDOR_NAMESPACE, vendor_id) is None:
                raise NotFound(f"no vendor {vendor_id}", code="unknown_vendor")
            found = reads.entries_about(
                conn, subject=vendor_id, signer=vendor_id, after_seq=after_seq, limit=limit
            )
        return HistoryPage(
            items=[_entry(s) for s in found],
            tree_size=size,
            next_after_seq=found[-1].seq if len(found) == limit else None,
        )

    @router.get(
        "/rup",
        operation_id="list_rup",
        response_model=RupPage,
        summary="The procurement plan (RUP items) of an OPD and a fiscal year, in code order",
    )
    def list_rup(
        request: Request,
        opd: Annotated[str | None, Query(max_length=64)] = None,
        year: Annotated[int | None, Query(ge=2000, le=2200)] = None,
        after: Annotated[str, Query(max_length=64)] = "",
        limit: Annotated[int, Query(ge=1, le=PAGE_ITEMS_MAX)] = 100,
    ) -> RupPage:
        with ledger.reads.snapshot(request) as snap:
            page = reads.find_rup(snap.conn, opd=opd, year=year, after=after, limit=limit)
            size = snap.tree_size
        return RupPage(
            items=[_rup_summary(doc) for doc in page.items],
            tree_size=size,
            next_after=page.next_after,
            window_ended=page.window_ended,
        )

    @router.get(
        "/rup/{code:path}",
        operation_id="get_rup",
        response_model=RupPublic,
        summary="One RUP item: now, its history, and the packages citing it",
        responses=NO_RUP,
    )
    def get_rup(request: Request, code: Annotated[str, Path(pattern=RUP_CODE)]) -> RupPublic:
        with ledger.reads.snapshot(request) as snap:
            conn = snap.conn
            size = snap.tree_size
            doc = reads.document(conn, RUP_NAMESPACE, code)
            if doc is None:
                raise NotFound(f"no RUP item {code}", code="unknown_rup")
            cited = reads.documents(conn, lc.TENDER_NAMESPACE, list(doc["packages"]))
            found = reads.entries_about(conn, subject=code, limit=RUP_REVISIONS_MAX + 1)
        return RupPublic(
            rup=_rup_public(doc),
            packages=[_tender_summary(cited[o]) for o in doc["packages"] if o in cited],
            entries=[_entry(e) for e in found if e.type.startswith("procurement.rup.")],
            tree_size=size,
        )

    @router.get("/tenders", operation_id="list_tenders", response_model=TenderPage)
    def list_tenders(
        request: Request,
        state: Annotated[str | None, Query(pattern="^(" + "|".join(lc.STATES) + ")$")] = None,
        method: Annotated[str | None, Query(max_length=32)] = None,
        category: Annotated[str | None, Query(max_length=32)] = None,
        year: Annotated[int | None, Query(ge=2000, le=2100)] = None,
        budget_line: Annotated[str | None, Query(max_length=128)] = None,
        after: Annotated[str, Query(max_length=100)] = "",
        limit: Annotated[int, Query(ge=1, le=PAGE_ITEMS_MAX)] = 100,
    ) -> TenderPage:
        wanted = {
            "state": state,
            "method": method,
            "category": category,
            "year": year,
            "budget_line": budget_line,
        }
        found: list[dict[str, Any]] = []
        last_key = None
        with ledger.reads.snapshot(request) as snap:
            conn = snap.conn
            size = snap.tree_size
            for key, doc in reads.scan(conn, lc.TENDER_NAMESPACE, after):
                last_key = key
                if all(v is None or doc[k] == v for k, v in wanted.items()):
                    found.append(_tender_summary(doc))
                    if len(found) == limit:
                        break
            # A filtered page may stop at the scan bound before it is full: say where.
            more = len(found) == limit or (
                last_key is not None
                and reads.scan_bound_reached(conn, lc.TENDER_NAMESPACE, after, last_key)
            )
        return TenderPage(items=found, tree_size=size, next_after=last_key if more else None)

    @router.get(
        "/tenders/{ocid}",
        operation_id="get_tender",
        response_model=TenderPublic,
        responses=NO_TENDER,
    )
    def get_tender(request: Request, ocid: Annotated[str, Path(pattern=OCID)]) -> TenderPublic:
        with ledger.reads.snapshot(request) as snap:
            conn = snap.conn
            size = snap.tree_size
            doc = reads.document(conn, lc.TENDER_NAMESPACE, ocid)
            if doc is None:
                raise NotFound(f"no tender {ocid}", code="unknown_tender")
            timeline = reads.entries_about(conn, subject=ocid, limit=TIMELINE_ITEMS_MAX + 1)
        truncated = len(timeline) > TIMELINE_ITEMS_MAX
        return TenderPublic(
            tender=doc,
            allowed_next=lc.allowed_next(doc["state"]),
            timeline=[_entry(e) for e in timeline[:TIMELINE_ITEMS_MAX]],
            timeline_truncated=truncated,
            timeline_next_after_seq=timeline[TIMELINE_ITEMS_MAX - 1].seq if truncated else None,
            tree_size=size,
        )

    @router.get(
        "/tenders/{ocid}/bids",
        operation_id="list_tender_bids",
        response_model=BidsPage,
        summary="A tender's bids in bidder order, paginated",
        responses={
            **NO_TENDER,
            **problem_responses({422: "`invalid_request`: a malformed `after` or `limit`."}),
        },
    )
    def list_bids(
        request: Request,
        ocid: Annotated[str, Path(pattern=OCID)],
        after: Annotated[
            str,
            Query(
                pattern=r"^([0-9a-f]{64})?$",
                description="`next_after` of the previous page (a bidder's vendor id).",
            ),
        ] = "",
        limit: Annotated[
            int, Query(ge=1, le=BIDS_PAGE_ITEMS_MAX, description="Bids per page.")
        ] = BIDS_PAGE_ITEMS_DEFAULT,
    ) -> BidsPage:
        """Sealed until the opening: ciphertexts, sealed shares and commitments only.

        Keyset pages by bidder: each page is read at its own ``tree_size``; a bid that
        exists while the pages are read appears exactly once."""
        with ledger.reads.snapshot(request) as snap:
            conn = snap.conn
            size = snap.tree_size
            if reads.document(conn, lc.TENDER_NAMESPACE, ocid) is None:
                raise NotFound(f"no tender {ocid}", code="unknown_tender")
            page = reads.prefixed_page(conn, lc.BID_NAMESPACE, ocid + "|", after=after, limit=limit)
        return BidsPage(items=page.items, tree_size=size, next_after=page.next_after)

    def _numbered(
        request: Request, ocid: str, namespace: str, after: str, limit: int
    ) -> NumberedPage:
        with ledger.reads.snapshot(request) as snap:
            conn = snap.conn
            size = snap.tree_size
            if reads.document(conn, lc.TENDER_NAMESPACE, ocid) is None:
                raise NotFound(f"no tender {ocid}", code="unknown_tender")
            after_key = "" if after == "" else f"{int(after):06d}"
            page = reads.prefixed_page(conn, namespace, ocid + "|", after=after_key, limit=limit)
        nxt = None if page.next_after is None else str(int(page.next_after))
        return NumberedPage(items=page.items, tree_size=size, next_after=nxt)

    @router.get(
        "/tenders/{ocid}/questions",
        operation_id="list_tender_questions",
        response_model=NumberedPage,
        summary="A tender's questions (aanwijzing) and their answers, in the order asked",
        responses={
            **NO_TENDER,
            **problem_responses({422: "`invalid_request`: a malformed `after` or `limit`."}),
        },
    )
    def list_questions(
        request: Request,
        ocid: Annotated[str, Path(pattern=OCID)],
        after: AfterNumber = "",
        limit: NumberedLimit = NUMBERED_PAGE_ITEMS_MAX,
    ) -> NumberedPage:
        """Each question as asked (its text, the asker's key id, the entry's seq) and its
        answer once given (text, who answered, the entry's seq); null until then."""
        return _numbered(request, ocid, lc.QUESTION_NAMESPACE, after, limit)

    @router.get(
        "/tenders/{ocid}/objections",
        operation_id="list_tender_objections",
        response_model=NumberedPage,
        summary="A tender's objections (sanggah) and their answers, in the order filed",
        responses={
            **NO_TENDER,
            **problem_responses({422: "`invalid_request`: a malformed `after` or `limit`."}),
        },
    )
    def list_objections(
        request: Request,
        ocid: Annotated[str, Path(pattern=OCID)],
        after: AfterNumber = "",
        limit: NumberedLimit = NUMBERED_PAGE_ITEMS_MAX,
    ) -> NumberedPage:
        """Each objection as filed (its text, evaluation round, who filed it, when its
        answer is due) and its answer (text, outcome ``upheld`` or ``rejected``, whether
        it came after the due time)."""
        return _numbered(request, ocid, lc.OBJECTION_NAMESPACE, after, limit)

    def _record(conn: Any, ocid: str, links: ocds.Links) -> tuple[dict[str, Any], bool]:
        doc = reads.document(conn, lc.TENDER_NAMESPACE, ocid)
        if doc is None:
            raise NotFound(f"no tender {ocid}", code="unknown_tender")
        return _record_of(conn, doc, links)

    def _record_of(
        conn: Any, doc: dict[str, Any], links: ocds.Links
    ) -> tuple[dict[str, Any], bool]:
        """The tender's OCDS record and whether it was cut at ``RECORD_ENTRIES_MAX``
        entries (never silently: the caller says so). Its entries are replayed once
        through the log's own reducers (``history.replay``): each release is the tender
        as that entry left it. Every bid has an entry, so the entries bound the bids."""
        ocid = doc["ocid"]
        leaves = reads.subject_leaves(conn, ocid, limit=RECORD_ENTRIES_MAX + 1)
        truncated = len(leaves) > RECORD_ENTRIES_MAX
        kept = [seq for seq, _ in leaves[:RECORD_ENTRIES_MAX]]
        key = (ocid, len(kept), leaves[len(kept) - 1][1] if kept else b"", links)
        cached = records.get(key)
        if cached is not None:
            return cached, truncated
        entries = reads.logged_entries_about(
            conn, ocid, limits=ledger.limits, limit=RECORD_ENTRIES_MAX
        )
        if [e.seq for e in entries] != kept:  # one snapshot reads both: never seen
            raise InvariantBroken(f"{ocid}: the entries changed while read")
        world = functools.partial(reads.document, conn)
        moments = history.replay(ocid, entries, lambda kind: ledger.kinds.get(kind).reduce, world)
        found = ocds.record(
            ocid,
            moments,
            _Lookup(conn, VENDOR_NAMESPACE),
            opds=_Lookup(conn, budget.NS_OPD),
            links=links,
        )
        records.put(key, found)
        return found, truncated

    def _year_records(
        request: Request, year: int, after: str, limit: int
    ) -> tuple[list[Any], int, str | None, list[str]]:
        """The records of the tenders of fiscal ``year`` after ``after``, in ocid order,
        and the ocids of those that were cut (``_record_of``)."""
        records: list[dict[str, Any]] = []
        truncated: list[str] = []
        cursor = None
        more = False
        with ledger.reads.snapshot(request) as snap:
            conn = snap.conn
            size = snap.tree_size
            for key, doc in reads.scan(conn, lc.TENDER_NAMESPACE, after):
                if doc["year"] == year:
                    if len(records) == limit:
                        more = True  # another tender of the year follows: page on
                        break
                    record, cut = _record_of(conn, doc, _links(request))
                    records.append(record)
                    if cut:
                        truncated.append(doc["ocid"])
                cursor = key
            else:
                more = cursor is not None and reads.scan_bound_reached(
                    conn, lc.TENDER_NAMESPACE, after, cursor
                )
        return records, size, cursor if more else None, truncated

    def _published(records: list[dict[str, Any]]) -> str:
        return str(max(r["compiledRelease"]["date"] for r in records))

    def _bulk(request: Request, kind: str, year: int, after: str, limit: int) -> JSONResponse:
        """One page of the year's bulk package, bare: ``links.next`` pages on (the OCDS
        bulk convention; also a ``Link`` header), the tree size and the cut records in
        headers. An empty page is a 404 problem: a package needs one release or record."""
        records, _size, next_after, truncated = _year_records(request, year, after, limit)
        if not records:
            raise NotFound(
                f"no tender of fiscal year {year} after {after!r}"
                if after
                else f"no tender of fiscal year {year}",
                code="no_ocds_data",
            )
        uri = str(request.url)
        published = _published(records)
        if kind == "releases":
            package = ocds.release_package(
                [release for r in records for release in r["releases"]],
                uri=uri,
                published=published,
                policy=_policy(request),
            )
        else:
            package = ocds.record_package(
                records, uri=uri, published=published, policy=_policy(request)
            )
        headers = {}
        if next_after is not None:
            following = str(request.url.include_query_params(after=next_after))
            package["links"] = {"next": following}
            headers["Link"] = f'<{following}>; rel="next"'
        if truncated:
            headers[TRUNCATED_OCIDS_HEADER] = ",".join(truncated)
        return JSONResponse(package, headers=headers)

    @router.get(
        "/ocds/releases",
        operation_id="list_ocds_releases_for_year",
        response_model=dict[str, Any],
        summary="Bulk OCDS 1.1 release package: every release of a fiscal year's tenders",
        responses=NO_YEAR,
    )
    def ocds_releases_for_year(
        request: Request,
        year: Annotated[int, Query(ge=2000, le=2100, description="The budget's fiscal year.")],
        after: Annotated[str, Query(max_length=100, description="ocid to page after")] = "",
        limit: Annotated[int, Query(ge=1, le=OCDS_BULK_TENDERS_MAX)] = 100,
    ) -> JSONResponse:
        """A bare release package of ``limit`` tenders (every release of each), in ocid
        order; ``links.next`` is the next page's URL, absent on the year's last page.
        Concatenating the pages' ``releases`` gives the year's bulk release package."""
        return _bulk(request, "releases", year, after, limit)

    @router.get(
        "/ocds/records",
        operation_id="list_ocds_records_for_year",
        response_model=dict[str, Any],
        summary="Bulk OCDS 1.1 record package: one record per tender of a fiscal year",
        responses=NO_YEAR,
    )
    def ocds_records_for_year(
        request: Request,
        year: Annotated[int, Query(ge=2000, le=2100, description="The budget's fiscal year.")],
        after: Annotated[str, Query(max_length=100, description="ocid to page after")] = "",
        limit: Annotated[int, Query(ge=1, le=OCDS_BULK_TENDERS_MAX)] = 100,
    ) -> JSONResponse:
        """A bare record package, paged by tender like ``/ocds/releases``."""
        return _bulk(request, "records", year, after, limit)

    @router.get(
        "/ocds/publication-policy",
        operation_id="get_ocds_publication_policy",
        response_class=PlainTextResponse,
        summary="The publication policy every OCDS package names (`publicationPolicy`)",
    )
    def ocds_publication_policy() -> PlainTextResponse:
        return PlainTextResponse(ocds.PUBLICATION_POLICY)

    @router.get(
        "/tenders/{ocid}/contract",
        operation_id="get_tender_contract",
        response_model=ContractPublic,
        responses=problem_responses({404: "`unknown_contract`: the tender has no contract."}),
    )
    def get_contract(request: Request, ocid: Annotated[str, Path(pattern=OCID)]) -> ContractPublic:
        """The contract: value, milestones, amendments, commitments, payment requests."""
        with ledger.reads.snapshot(request) as snap:
            conn = snap.conn
            size = snap.tree_size
            doc = reads.document(conn, CONTRACT_NAMESPACE, ocid)
        if doc is None:
            raise NotFound(f"{ocid} has no contract", code="unknown_contract")
        return ContractPublic(
            contract=doc, allowed_next=contracts.allowed_next(doc["status"]), tree_size=size
        )

    def _single(request: Request, ocid: str, kind: str) -> JSONResponse:
        with ledger.reads.snapshot(request) as snap:
            record, truncated = _record(snap.conn, ocid, _links(request))
        uri = str(request.url)
        published = record["compiledRelease"]["date"]
        if kind == "releases":
            package = ocds.release_package(
                record["releases"], uri=uri, published=published, policy=_policy(request)
            )
        else:
            package = ocds.record_package(
                [record], uri=uri, published=published, policy=_policy(request)
            )
        return JSONResponse(package, headers={TRUNCATED_HEADER: "true" if truncated else "false"})

    @router.get(
        "/ocds/records/{ocid}",
        operation_id="get_ocds_record_package",
        response_model=dict[str, Any],
        summary="OCDS 1.1 record package: every release of the ocid and its compiled release",
        responses=NO_TENDER,
    )
    def ocds_record(request: Request, ocid: Annotated[str, Path(pattern=OCID)]) -> JSONResponse:
        """A bare record package. ``X-Terang-Truncated: true`` when the record holds only
        the tender's first ``RECORD_ENTRIES_MAX`` entries (the rest:
        ``GET /api/v1/entries?subject=<ocid>``)."""
        return _single(request, ocid, "records")

    @router.get(
        "/ocds/releases/{ocid}",
        operation_id="get_ocds_release_package",
        response_model=dict[str, Any],
        summary="OCDS 1.1 release package: one release per logged event of the ocid",
        responses=NO_TENDER,
    )
    def ocds_releases(request: Request, ocid: Annotated[str, Path(pattern=OCID)]) -> JSONResponse:
        """A bare release package (``X-Terang-Truncated`` as for the record)."""
        return _single(request, ocid, "releases")

    return router
