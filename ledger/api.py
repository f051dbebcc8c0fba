"""The ledger's JSON write API and entry reads, mounted under ``/api/v1``.

Signed statements are parsed from the raw request bytes by the ledger's own strict
parser (duplicate keys and floats refused) rather than by pydantic, so nothing
coerces a value between what the client signed and what the log verifies.
"""

from __future__ import annotations

import base64
import json
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import PlainTextResponse
from pydantic import BaseModel, Field
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool

from ledger import storage
from ledger.canonical import parse_json_object
from ledger.errors import ClientError, PayloadTooLarge
from ledger.proofs import tlog_proof
from ledger.sequencer import Receipt
from ledger.service import AppendOutcome, Ledger
from ledger.statement import SignedStatement
from ledger.witnessing import with_cosignatures

HEX64 = r"^[0-9a-f]{64}$"


class ReceiptPublic(BaseModel):
    seq: int = Field(description="The entry's index in the log (0-based).")
    leaf_hash: str = Field(description="RFC 6962 leaf hash of the entry bytes, hex.")
    logged_at: str = Field(description="The log's time for the entry, UTC ISO 8601.")
    duplicate: bool = Field(description="True when this statement was already logged earlier.")
    tlog_proof: str | None = Field(
        description="C2SP tlog-proof text once a checkpoint covers the entry, else null."
    )


class BatchReceiptsPublic(BaseModel):
    receipts: list[ReceiptPublic]


class EntryPublic(BaseModel):
    seq: int
    leaf_hash: str = Field(description="hex")
    entry_bytes_b64: str = Field(description="The exact entry bytes (RFC 8785 JSON), base64.")
    entry: dict[str, Any]


class EntryPage(BaseModel):
    items: list[EntryPublic]
    next_after_seq: int | None = Field(description="Pass as after_seq for the next page.")


STATEMENT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["statement", "signature"],
    "additionalProperties": False,
    "properties": {
        "statement": {
            "type": "object",
            "required": ["type", "subject", "signer", "time", "nonce", "body"],
            "additionalProperties": False,
            "properties": {
                "type": {"type": "string", "maxLength": 64, "example": "registry.role.granted"},
                "subject": {"type": "string", "maxLength": 128},
                "signer": {"type": "string", "pattern": HEX64},
                "time": {"type": "string", "example": "2026-11-23T08:00:00.000Z"},
                "nonce": {"type": "string", "minLength": 16, "maxLength": 64},
                "body": {"type": "object"},
            },
        },
        "signature": {"type": "string", "description": "Ed25519 signature, base64"},
    },
}


def receipt_json(receipt: Receipt, proof: str | None) -> ReceiptPublic:
    return ReceiptPublic(
        seq=receipt.seq,
        leaf_hash=receipt.leaf_hash.hex(),
        logged_at=receipt.logged_at,
        duplicate=receipt.duplicate,
        tlog_proof=proof,
    )


async def _read_json(request: Request, ledger: Ledger) -> dict[str, Any]:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > ledger.limits.request_body_bytes_max:
        raise PayloadTooLarge(
            f"request body is over {ledger.limits.request_body_bytes_max} bytes",
            code="request_too_large",
        )
    body = await request.body()
    if len(body) > ledger.limits.request_body_bytes_max:
        raise PayloadTooLarge(
            f"request body is over {ledger.limits.request_body_bytes_max} bytes",
            code="request_too_large",
        )
    return parse_json_object(body)


def build_router(ledger: Ledger) -> APIRouter:
    router = APIRouter(prefix="/api/v1", tags=["ledger"])

    @router.post(
        "/statements",
        operation_id="append_statement",
        response_model=ReceiptPublic,
        status_code=201,
        summary="Log one signed statement",
        openapi_extra={
            "requestBody": {
                "required": True,
                "content": {"application/json": {"schema": STATEMENT_SCHEMA}},
            }
        },
        responses={
            200: {"description": "Already logged (same signer and nonce): the first receipt."},
            403: {"description": "Unknown or revoked signer, or missing role."},
            409: {"description": "Rejected by the module's rules, or nonce reused."},
            413: {"description": "Statement too large."},
            422: {"description": "Malformed statement, bad signature, clock skew."},
            503: {"description": "Sequencer busy: retry after Retry-After seconds."},
        },
    )
    async def append_statement(request: Request, response: Response) -> ReceiptPublic:
        signed = SignedStatement.from_json(await _read_json(request, ledger), ledger.limits)
        outcome = await _append(ledger, [signed])
        (receipt,) = outcome.receipts
        if receipt.duplicate:
            response.status_code = 200
        return receipt_json(receipt, outcome.proofs.get(receipt.seq))

    @router.post(
        "/statements/batch",
        operation_id="append_statement_batch",
        response_model=BatchReceiptsPublic,
        status_code=201,
        summary="Log a batch of signed statements atomically (all or none)",
        openapi_extra={
            "requestBody": {
                "required": True,
                "content": {
                    "application/json": {
                        "schema": {
                            "type": "object",
                            "required": ["statements"],
                            "properties": {
                                "statements": {"type": "array", "items": STATEMENT_SCHEMA}
                            },
                        }
                    }
                },
            }
        },
    )
    async def append_batch(request: Request) -> BatchReceiptsPublic:
        raw = await _read_json(request, ledger)
        items = raw.get("statements")
        if set(raw) != {"statements"} or not isinstance(items, list) or not items:
            raise ClientError(
                'body must be {"statements": [ ...at least one signed statement... ]}',
                code="bad_batch",
            )
        if len(items) > ledger.limits.batch_statements_max:
            raise PayloadTooLarge(
                f"a batch holds at most {ledger.limits.batch_statements_max} statements",
                code="batch_too_large",
            )
        signed: list[SignedStatement] = []
        for index, item in enumerate(items):
            try:
                signed.append(SignedStatement.from_json(item, ledger.limits))
            except ClientError as error:
                error.details["statement_index"] = index
                raise
        outcome = await _append(ledger, signed)
        return BatchReceiptsPublic(
            receipts=[receipt_json(r, outcome.proofs.get(r.seq)) for r in outcome.receipts]
        )

    @router.get("/entries", operation_id="list_entries", response_model=EntryPage)
    def list_entries(
        after_seq: Annotated[int, Query(ge=-1)] = -1,
        limit: Annotated[int, Query(ge=1, le=1000)] = 100,
        subject: Annotated[str | None, Query(max_length=128)] = None,
    ) -> EntryPage:
        e = storage.entries.c
        query = select(e.seq, e.leaf_hash, e.entry_bytes).where(e.seq > after_seq)
        if subject is not None:
            query = query.where(e.subject == subject)
        with ledger.engine.connect() as conn:
            rows = conn.execute(query.order_by(e.seq).limit(limit)).all()
        items = [_entry_public(int(r.seq), bytes(r.leaf_hash), bytes(r.entry_bytes)) for r in rows]
        return EntryPage(items=items, next_after_seq=items[-1].seq if len(items) == limit else None)

    @router.get("/entries/{seq}", operation_id="get_entry", response_model=EntryPublic)
    def get_entry(seq: int) -> EntryPublic:
        entry = ledger.entry(seq)
        entry_bytes = entry.entry_bytes()
        return _entry_public(seq, entry.leaf_hash(), entry_bytes)

    @router.get(
        "/entries/{seq}/tlog-proof",
        operation_id="get_entry_tlog_proof",
        response_class=PlainTextResponse,
        summary="C2SP tlog-proof of one entry against the latest (or a given) checkpoint",
    )
    def get_tlog_proof(
        seq: int, tree_size: Annotated[int | None, Query(ge=1)] = None
    ) -> PlainTextResponse:
        with ledger.engine.connect() as conn:
            text = with_cosignatures(conn, {seq: tlog_proof(conn, seq, tree_size)})[seq].to_text()
        return PlainTextResponse(
            text,
            headers={"Content-Disposition": f'attachment; filename="entry-{seq}.tlog-proof"'},
        )

    return router


def _entry_public(seq: int, leaf_hash: bytes, entry_bytes: bytes) -> EntryPublic:
    return EntryPublic(
        seq=seq,
        leaf_hash=leaf_hash.hex(),
        entry_bytes_b64=base64.b64encode(entry_bytes).decode("ascii"),
        entry=json.loads(entry_bytes),
    )


async def _append(ledger: Ledger, signed: list[SignedStatement]) -> AppendOutcome:
    """The sequencer blocks; keep it off the event loop."""
    return await run_in_threadpool(ledger.append, signed)
