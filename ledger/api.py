"""The ledger's JSON write API and entry reads, mounted under ``/api/v1``.

Signed statements are parsed from the raw request bytes by the ledger's own strict
parser (duplicate keys and floats refused) rather than by pydantic, so nothing
coerces a value between what the client signed and what the log verifies.
"""

from __future__ import annotations

import base64
import functools
import json
from collections import Counter
from collections.abc import Sequence
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Request, Response
from fastapi.responses import PlainTextResponse
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.engine import Connection
from starlette.concurrency import run_in_threadpool

from ledger import admission, storage
from ledger.canonical import parse_json_object
from ledger.errors import ClientError, Conflict, PayloadTooLarge
from ledger.http_problems import (
    INVALID_REQUEST_DESCRIPTION,
    JSON_VALUE_SCHEMA_REF,
    beyond_schema,
    problem_responses,
)
from ledger.limits import DATABASE_INTEGER_MAX, Limits
from ledger.proofs import NotPublished, tlog_proof
from ledger.reads import entry_at
from ledger.sequencer import Receipt
from ledger.service import AppendOutcome, Ledger
from ledger.statement import (
    KEY_ID_PATTERN,
    NONCE_PATTERN,
    SUBJECT_PATTERN,
    TYPE_PATTERN,
    SignedStatement,
)
from ledger.witnessing import earliest_witnessed_size, logged_witness_policy, with_cosignatures

# Canonical standard base64 of 64 bytes (an Ed25519 signature): 86 symbols, the last of
# which carries 2 bits, then "==" (ledger.statement.b64decode_strict refuses the rest).
SIGNATURE_B64_PATTERN = r"^[A-Za-z0-9+/]{85}[AQgw]==$"
# ledger.statement.parse_time's rule as a pattern: TIME_PATTERN's shape with each field
# in its range. Only the calendar is beyond it (30 February: `bad_time`).
TIME_SCHEMA_PATTERN = (
    r"^(?:000[1-9]|00[1-9][0-9]|0[1-9][0-9]{2}|[1-9][0-9]{3})-(?:0[1-9]|1[0-2])"
    r"-(?:0[1-9]|[12][0-9]|3[01])T(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]"
    r"(?:\.[0-9]{1,6})?Z$"
)
Seq = Annotated[int, Path(ge=0, le=DATABASE_INTEGER_MAX, description="The entry's index.")]


class ReceiptPublic(BaseModel):
    seq: int = Field(description="The entry's index in the log (0-based).")
    leaf_hash: str = Field(description="RFC 6962 leaf hash of the entry bytes, hex.")
    logged_at: str = Field(description="The log's time for the entry, UTC ISO 8601.")
    duplicate: bool = Field(description="True when this statement was already logged earlier.")
    tlog_proof: str | None = Field(
        description="C2SP tlog-proof text once a checkpoint covers the entry, else null."
    )
    time_vouched_by: str = Field(
        description="Who vouches for logged_at: 'operator' when the log has no witness "
        "policy (the server's clock alone); 'witnesses' when it has one: fetch "
        "GET /api/v1/entries/{seq}/tlog-proof?witnessed=earliest for the earliest "
        "checkpoint a witness quorum cosigned, whose timestamps prove when it existed."
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
    tree_size: int = Field(
        description="entries the read side held for this page (every item's seq is below "
        "it); the X-Terang-Tree-Size header says the same"
    )


def statement_schema(limits: Limits) -> dict[str, Any]:
    """The JSON Schema of one signed statement: the rules ``SignedStatement.from_json``
    checks, with this ledger's limits. What no schema can say is listed under 422 of
    the operation (the signature must verify, the time be near the log's clock, the
    signer be registered, the canonical statement fit ``statement_bytes_max``)."""
    return {
        "type": "object",
        "required": ["statement", "signature"],
        "additionalProperties": False,
        "properties": {
            "statement": {
                "type": "object",
                "required": ["type", "subject", "signer", "time", "nonce", "body"],
                "additionalProperties": False,
                "properties": {
                    "type": {
                        "type": "string",
                        "minLength": 1,
                        "maxLength": limits.type_chars_max,
                        "pattern": TYPE_PATTERN.pattern,
                        "example": "registry.role.granted",
                    },
                    "subject": {
                        "type": "string",
                        "minLength": 1,
                        "maxLength": limits.subject_chars_max,
                        "pattern": SUBJECT_PATTERN.pattern,
                    },
                    "signer": {"type": "string", "pattern": KEY_ID_PATTERN.pattern},
                    "time": {
                        "type": "string",
                        "pattern": TIME_SCHEMA_PATTERN,
                        "example": "2026-11-23T08:00:00.000Z",
                    },
                    "nonce": {
                        "type": "string",
                        "minLength": limits.nonce_chars_min,
                        "maxLength": limits.nonce_chars_max,
                        "pattern": NONCE_PATTERN.pattern,
                    },
                    "body": {
                        "type": "object",
                        "additionalProperties": {"$ref": JSON_VALUE_SCHEMA_REF},
                    },
                },
            },
            "signature": {
                "type": "string",
                "pattern": SIGNATURE_B64_PATTERN,
                "description": "Ed25519 signature, canonical base64",
            },
        },
    }


# Checked on statements that match the schema: the calendar (30 February), a number
# written as a float (JSON Schema's "integer" admits 1.0; the ledger does not), nesting
# deeper than a schema bounds, the log's clock, the signature, the type being registered.
STATEMENT_RULES_BEYOND_SCHEMA = beyond_schema(
    "bad_time",
    "float_not_allowed",
    "too_deep",
    "clock_skew",
    "bad_signature",
    "unknown_statement_type",
)

WRITE_PROBLEMS = problem_responses(
    {
        403: "`unknown_signer`, `revoked_signer`, `missing_role`.",
        409: "Refused by the rules (`rejected`, a module's code such as `key_exists`), "
        "or `nonce_reused`.",
        422: "A malformed statement (`bad_json`, `too_deep`, `bad_field`, ...), "
        "`bad_signature`, `clock_skew`, or a rule of the statement's type. The signature, "
        "the time against the log's clock and each module's rules are checked on "
        "well-formed statements too.",
    }
)


TIME_BY_OPERATOR = "operator"
TIME_BY_WITNESSES = "witnesses"


def receipt_json(receipt: Receipt, proof: str | None, time_vouched_by: str) -> ReceiptPublic:
    return ReceiptPublic(
        seq=receipt.seq,
        leaf_hash=receipt.leaf_hash.hex(),
        logged_at=receipt.logged_at,
        duplicate=receipt.duplicate,
        tlog_proof=proof,
        time_vouched_by=time_vouched_by,
    )


class TimeVouching:
    """Who vouches for the time of this log's entries, for receipts.

    ``witnesses`` once the log holds a witness policy, else ``operator``. A logged policy
    is never removed (a later one only replaces it, with at least one witness), so the
    first ``witnesses`` answer is kept and later receipts read no database for it.
    """

    def __init__(self, ledger: Ledger) -> None:
        self._ledger = ledger
        self._witnessed = False

    def __call__(self) -> str:
        if not self._witnessed:
            with self._ledger.engine.connect() as conn:
                self._witnessed = logged_witness_policy(conn) is not None
        return TIME_BY_WITNESSES if self._witnessed else TIME_BY_OPERATOR


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
    # Parsing a full batch takes a while (about 0.1 s for 1,000 statements): in a worker
    # thread, so the event loop keeps answering everyone else meanwhile.
    # parse_json_object refuses deep nesting on the bytes (``too_deep``) before Python's
    # json could raise RecursionError.
    return await run_in_threadpool(parse_json_object, body)


def client_address(request: Request) -> str:
    """The client's IP address (uvicorn puts a trusted proxy's X-Forwarded-For here)."""
    return request.client.host if request.client is not None else "unknown"


def charge_client(ledger: Ledger, request: Request, signed: Sequence[SignedStatement]) -> None:
    """Spend the client's rates for a job, before it is admitted.

    Refused or not, a submitted statement costs its client: what a rejected batch
    costs is paid by whoever sends it (docs/operating.md).
    """
    client = client_address(request)
    rates = ledger.rate_limits
    rates.client_statements.take(client, len(signed))
    self_signed = admission.check_self_registrations(ledger.kinds, ledger.limits, signed)
    rates.client_self_registrations.take(client, self_signed)


def charge_signers(ledger: Ledger, signed: Sequence[SignedStatement]) -> None:
    """Spend each signer's rate, once the job was admitted: only statements whose
    signatures verified count against their signer, so nobody can spend another's
    rate with statements that merely name its key id."""
    for signer, count in sorted(Counter(s.statement.signer for s in signed).items()):
        ledger.rate_limits.signer_statements.take(signer, count)


def build_router(ledger: Ledger) -> APIRouter:
    router = APIRouter(prefix="/api/v1", tags=["ledger"])
    schema = statement_schema(ledger.limits)
    time_vouched_by = TimeVouching(ledger)

    @router.post(
        "/statements",
        operation_id="append_statement",
        response_model=ReceiptPublic,
        status_code=201,
        summary="Log one signed statement",
        openapi_extra={
            "requestBody": {
                "required": True,
                "content": {"application/json": {"schema": schema}},
            },
            **STATEMENT_RULES_BEYOND_SCHEMA,
        },
        responses={
            200: {
                "description": "Already logged (same signer and nonce): the first receipt.",
                "model": ReceiptPublic,
            },
            **WRITE_PROBLEMS,
            **problem_responses(
                {
                    413: "`request_too_large`, `statement_too_large`, `entry_too_large`, "
                    "`too_many_self_registrations`.",
                    503: "`unavailable`: the sequencer is busy; retry after `Retry-After`.",
                }
            ),
        },
    )
    async def append_statement(request: Request, response: Response) -> ReceiptPublic:
        signed = SignedStatement.from_json(await _read_json(request, ledger), ledger.limits)
        outcome = await _append(ledger, request, [signed])
        (receipt,) = outcome.receipts
        if receipt.duplicate:
            response.status_code = 200
        vouched = await run_in_threadpool(time_vouched_by)
        return receipt_json(receipt, outcome.proofs.get(receipt.seq), vouched)

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
                            "additionalProperties": False,
                            "properties": {
                                "statements": {
                                    "type": "array",
                                    "minItems": 1,
                                    "maxItems": ledger.limits.batch_statements_max,
                                    "items": schema,
                                }
                            },
                        }
                    }
                },
            },
            **STATEMENT_RULES_BEYOND_SCHEMA,
        },
        responses={
            **WRITE_PROBLEMS,
            **problem_responses(
                {
                    413: "`request_too_large`, `batch_too_large`, `statement_too_large`, "
                    "`entry_too_large`.",
                    503: "`unavailable`: the sequencer is busy; retry after `Retry-After`.",
                }
            ),
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
        signed = await run_in_threadpool(_parse_statements, items, ledger)
        outcome = await _append(ledger, request, signed)
        vouched = await run_in_threadpool(time_vouched_by)
        return BatchReceiptsPublic(
            receipts=[receipt_json(r, outcome.proofs.get(r.seq), vouched) for r in outcome.receipts]
        )

    @router.get("/entries", operation_id="list_entries", response_model=EntryPage)
    def list_entries(
        request: Request,
        after_seq: Annotated[int, Query(ge=-1, le=DATABASE_INTEGER_MAX)] = -1,
        limit: Annotated[int, Query(ge=1, le=1000)] = 100,
        subject: Annotated[str | None, Query(max_length=128)] = None,
    ) -> EntryPage:
        e = storage.entries.c
        query = select(e.seq, e.leaf_hash, e.entry_bytes).where(e.seq > after_seq)
        if subject is not None:
            query = query.where(e.subject == subject)
        with ledger.reads.snapshot(request) as snap:
            rows = snap.conn.execute(query.order_by(e.seq).limit(limit)).all()
        items = [_entry_public(int(r.seq), bytes(r.leaf_hash), bytes(r.entry_bytes)) for r in rows]
        return EntryPage(
            items=items,
            next_after_seq=items[-1].seq if len(items) == limit else None,
            tree_size=snap.tree_size,
        )

    @router.get(
        "/entries/{seq}",
        operation_id="get_entry",
        response_model=EntryPublic,
        responses=problem_responses({404: "`unknown_seq`: no entry with that seq."}),
    )
    def get_entry(request: Request, seq: Seq) -> EntryPublic:
        with ledger.reads.snapshot(request) as snap:
            entry = entry_at(snap.conn, seq, ledger.limits)
        return _entry_public(seq, entry.leaf_hash(), entry.entry_bytes())

    @router.get(
        "/entries/{seq}/tlog-proof",
        operation_id="get_entry_tlog_proof",
        response_class=PlainTextResponse,
        summary="C2SP tlog-proof of one entry against the latest (or a given) checkpoint",
        responses=problem_responses(
            {
                404: "`not_published`: no published checkpoint (of `tree_size`, if given; "
                "cosigned by the witness quorum, with `witnessed`) covers the entry yet.",
                409: "`no_witness_policy`: `witnessed` on a log without a witness policy "
                "(the time of its entries is vouched for by the operator alone); "
                "`tree_size_not_replicated`: a read replica that does not hold "
                "`tree_size` yet.",
                422: INVALID_REQUEST_DESCRIPTION,
            }
        ),
    )
    def get_tlog_proof(
        request: Request,
        seq: Seq,
        tree_size: Annotated[int | None, Query(ge=1, le=DATABASE_INTEGER_MAX)] = None,
        witnessed: Annotated[
            Literal["earliest"] | None,
            Query(
                description="earliest: against the smallest checkpoint that includes the "
                "entry and is cosigned by a quorum of the logged witness policy (a vendor's "
                "proof that its bid existed by those timestamps)"
            ),
        ] = None,
    ) -> PlainTextResponse:
        with ledger.reads.snapshot(request) as snap:
            conn = snap.conn
            if witnessed is not None:
                tree_size = _earliest_witnessed(conn, seq)
            if tree_size is None:
                # The newest checkpoint this read side holds the tree for (ledger.reads
                # rule 3); with none, size 0 covers no seq and answers `not_published`.
                held = snap.held_checkpoint()
                tree_size = 0 if held is None else held.size
            snap.require_held(tree_size)
            text = with_cosignatures(conn, {seq: tlog_proof(conn, seq, tree_size)})[seq].to_text()
        return PlainTextResponse(
            text,
            headers={"Content-Disposition": f'attachment; filename="entry-{seq}.tlog-proof"'},
        )

    return router


def _parse_statements(items: list[Any], ledger: Ledger) -> list[SignedStatement]:
    signed: list[SignedStatement] = []
    for index, item in enumerate(items):
        try:
            signed.append(SignedStatement.from_json(item, ledger.limits))
        except ClientError as error:
            error.details["statement_index"] = index
            raise
    return signed


def _earliest_witnessed(conn: Connection, seq: int) -> int:
    policy = logged_witness_policy(conn)
    if policy is None:
        raise Conflict(
            "this log has no witness policy: the time of its entries is vouched for by "
            "the operator alone",
            code="no_witness_policy",
        )
    size = earliest_witnessed_size(conn, policy, seq)
    if size is None:
        raise NotPublished(
            f"no checkpoint including seq {seq} is cosigned by {policy.quorum} witness(es) "
            "of the policy yet; retry shortly",
            seq=seq,
        )
    return size


def _entry_public(seq: int, leaf_hash: bytes, entry_bytes: bytes) -> EntryPublic:
    return EntryPublic(
        seq=seq,
        leaf_hash=leaf_hash.hex(),
        entry_bytes_b64=base64.b64encode(entry_bytes).decode("ascii"),
        entry=json.loads(entry_bytes),
    )


async def _append(ledger: Ledger, request: Request, signed: list[SignedStatement]) -> AppendOutcome:
    """Charge the client, admit, charge the signers, then log; the registry lookups and
    the sequencer block, so they run off the event loop."""
    charge_client(ledger, request, signed)
    await run_in_threadpool(ledger.admit, signed)
    charge_signers(ledger, signed)
    return await run_in_threadpool(functools.partial(ledger.append, signed, admitted=True))
