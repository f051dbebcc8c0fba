"""Procurement's public read API, under ``/api/v1/procurement``.

Writes go through the ledger's own ``POST /api/v1/statements`` (and ``/batch``): a
procurement write is a signed statement like any other, checked by the reducers in
this package. Every response here carries ``tree_size``: the log size the read saw.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, Field

from ledger import storage
from ledger.errors import NotFound
from ledger.service import Ledger
from procurement import reads
from procurement.vendors import VENDOR_NAMESPACE

HEX64 = r"^[0-9a-f]{64}$"


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

    @router.get("/vendors", operation_id="list_vendors", response_model=VendorPage)
    def list_vendors(
        status: Annotated[str | None, Query(pattern="^(registered|active)$")] = None,
        after: Annotated[str, Query(max_length=64)] = "",
        limit: Annotated[int, Query(ge=1, le=reads.PAGE_ITEMS_MAX)] = 100,
    ) -> VendorPage:
        with ledger.engine.connect() as conn:
            size = storage.tree_size(conn)
            found: list[dict[str, Any]] = []
            for _, doc in reads.scan(conn, VENDOR_NAMESPACE, after):
                if status is None or doc["status"] == status:
                    found.append(doc)
                    if len(found) == limit:
                        break
        return VendorPage(
            items=found,
            tree_size=size,
            next_after=found[-1]["vendor_id"] if len(found) == limit else None,
        )

    @router.get("/vendors/{vendor_id}", operation_id="get_vendor", response_model=VendorPublic)
    def get_vendor(vendor_id: Annotated[str, Path(pattern=HEX64)]) -> VendorPublic:
        with ledger.engine.connect() as conn:
            size = storage.tree_size(conn)
            doc = reads.document(conn, VENDOR_NAMESPACE, vendor_id)
        if doc is None:
            raise NotFound(f"no vendor {vendor_id}", code="unknown_vendor")
        return VendorPublic(vendor=doc, tree_size=size)

    @router.get(
        "/vendors/{vendor_id}/history",
        operation_id="get_vendor_history",
        response_model=HistoryPage,
        summary="Every entry about a vendor or signed by it, in log order",
    )
    def vendor_history(
        vendor_id: Annotated[str, Path(pattern=HEX64)],
        after_seq: Annotated[int, Query(ge=-1)] = -1,
        limit: Annotated[int, Query(ge=1, le=reads.PAGE_ITEMS_MAX)] = 100,
    ) -> HistoryPage:
        with ledger.engine.connect() as conn:
            size = storage.tree_size(conn)
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

    return router
