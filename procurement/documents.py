"""Tender documents, stored content-addressed: the bytes behind the SHA-256s in the log.

A tender's announcement and addenda log each document as ``{name, sha256}``, signed by
a procurement officer (so does a contract's completion or termination, for the BAST or
the termination letter). The bytes themselves live in ``procurement_document_blobs``
(alembic 0003), keyed by that SHA-256, and are served at
``GET /api/v1/procurement/documents/{sha256}``.

Who may store bytes: **anyone, but only bytes whose SHA-256 a logged announcement,
addendum, completion or termination names.** The officer's signed, logged statement
already decided exactly which bytes are the tender's documents; the upload adds no
authority of its own, so it needs no signature, and anyone holding a copy (the
officer, a vendor, a mirror) can restore a lost document. Arbitrary bytes cannot get
in: an unreferenced hash is refused before the body is read, and the service hashes
the body itself. The store is bounded by the references officers logged times
``document_bytes_max``.

Rules, in the order they are checked (the first failure wins):

1. the path's hash is 64 lowercase hex (422 ``invalid_request``);
2. a declared ``Content-Length`` is within ``document_bytes_max`` (413
   ``document_too_large``);
3. the hash is referenced by a logged statement (409 ``unknown_document``;
   the log could name it later, as for procurement's other references);
4. the body, read at most ``document_bytes_max`` bytes, is within the limit (413
   ``document_too_large``) and hashes to the path's hash (422
   ``document_hash_mismatch``);
5. stored once: an identical repeat is answered 200 with the same result, the first
   upload 201 (``insert_idempotent``).

Guarantees: a stored row is never changed or removed (the database refuses UPDATE and
DELETE through triggers, as for the ledger tables), so a document's URL is immutable
and served with ``Cache-Control: immutable`` and the hash as its ``ETag``. The service
does not re-hash on every read: a client must check what it downloaded against the
logged hash (``client.download_documents`` does), because the bytes may also come
from a cache, a mirror, or a database changed behind the service's back.

Projection: ``procurement.document`` → sha256: the first reference (``name``,
``ocid``, ``seq``), written by the tender reducers (``lifecycle.note_references``).
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from typing import Annotated, Any, Protocol
from urllib.parse import quote

from fastapi import APIRouter, Path, Request, Response
from pydantic import BaseModel, Field
from sqlalchemy import BigInteger, Column, Engine, LargeBinary, MetaData, String, Table, select
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError
from starlette.concurrency import run_in_threadpool

from ledger.clock import Clock
from ledger.errors import ClientError, Conflict, InvariantBroken, NotFound, PayloadTooLarge, require
from ledger.http_problems import problem_responses
from ledger.reads import ReadSide
from ledger.statement import format_time
from procurement.lifecycle import DOCUMENT_NAMESPACE

HEX64 = r"^[0-9a-f]{64}$"
DOCUMENT_BYTES_MAX_DEFAULT = 20 * 1024 * 1024
DOCUMENT_BYTES_CEILING = 256 * 1024 * 1024
"""The largest ``document_bytes_max`` a deployment may set: an upload is held in memory."""
READ_CHUNK_BYTES = 1024 * 1024
CACHE_CONTROL = "public, max-age=31536000, immutable"

metadata = MetaData()
document_blobs = Table(
    "procurement_document_blobs",
    metadata,
    Column("sha256", String(64), primary_key=True),
    Column("size_bytes", BigInteger, nullable=False),
    Column("content", LargeBinary, nullable=False),
    Column("stored_at", String(32), nullable=False),
)


class DocumentHost(Protocol):
    """What the document store needs of the service (``ledger.service.Ledger`` is one): the
    primary's engine to store a blob, the read side to serve one, the clock to date it.
    Typed by shape so that a reader of this module (the portal) never imports the
    service, and the sequencer behind it."""

    @property
    def engine(self) -> Engine: ...

    @property
    def reads(self) -> ReadSide: ...

    @property
    def clock(self) -> Clock: ...


@dataclass(frozen=True)
class DocumentLimits:
    document_bytes_max: int = DOCUMENT_BYTES_MAX_DEFAULT
    """Bytes of one stored document (``TERANG_DOCUMENT_BYTES_MAX``)."""

    def __post_init__(self) -> None:
        require(
            0 < self.document_bytes_max <= DOCUMENT_BYTES_CEILING,
            InvariantBroken(f"document_bytes_max must be from 1 to {DOCUMENT_BYTES_CEILING} bytes"),
        )

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> DocumentLimits:
        """Defaults overridden by ``TERANG_DOCUMENT_BYTES_MAX`` (a whole number of bytes)."""
        env = os.environ if environ is None else environ
        raw = env.get("TERANG_DOCUMENT_BYTES_MAX")
        if raw is None:
            return cls()
        require(
            raw.isascii() and raw.isdigit(),
            InvariantBroken("TERANG_DOCUMENT_BYTES_MAX must be a whole number"),
        )
        return cls(document_bytes_max=int(raw))


# -- storage -----------------------------------------------------------------------------


def reference(conn: Connection, sha256: str) -> dict[str, Any] | None:
    """The first logged reference to ``sha256``, or None."""
    from procurement.reads import document

    return document(conn, DOCUMENT_NAMESPACE, sha256)


def stored_size(conn: Connection, sha256: str) -> int | None:
    d = document_blobs.c
    size = conn.execute(select(d.size_bytes).where(d.sha256 == sha256)).scalar()
    return None if size is None else int(size)


def read_content(conn: Connection, sha256: str) -> bytes | None:
    d = document_blobs.c
    content = conn.execute(select(d.content).where(d.sha256 == sha256)).scalar()
    return None if content is None else bytes(content)


def insert_idempotent(ledger: DocumentHost, sha256: str, content: bytes) -> bool:
    """Store the bytes under their hash; False if they were stored already.

    The caller has checked that ``content`` hashes to ``sha256``, so an existing row
    under that key holds the same bytes: the repeat is accepted, never a second row.
    """
    require(
        hashlib.sha256(content).hexdigest() == sha256,
        InvariantBroken("insert_idempotent called with bytes of another hash"),
    )
    try:
        with ledger.engine.begin() as conn:
            if stored_size(conn, sha256) is not None:
                return False
            conn.execute(
                document_blobs.insert().values(
                    sha256=sha256,
                    size_bytes=len(content),
                    content=content,
                    stored_at=format_time(ledger.clock()),
                )
            )
    except IntegrityError:  # a concurrent upload of the same bytes won the insert
        return False
    return True


# -- HTTP ------------------------------------------------------------------------------


class DocumentStored(BaseModel):
    sha256: str = Field(max_length=64)
    size_bytes: int
    created: bool = Field(description="false: the same bytes were stored already")
    name: str = Field(max_length=200, description="the first logged reference's name")
    ocid: str = Field(max_length=100, description="the first tender that referenced it")


def _too_large(limits: DocumentLimits) -> PayloadTooLarge:
    return PayloadTooLarge(
        f"a document may be at most {limits.document_bytes_max} bytes",
        code="document_too_large",
        document_bytes_max=limits.document_bytes_max,
    )


def _etag_matches(header: str | None, etag: str) -> bool:
    if header is None:
        return False
    for candidate in header.split(","):
        tag = candidate.strip().removeprefix("W/")
        if tag in (etag, "*"):
            return True
    return False


def _content_disposition(name: str) -> str:
    """RFC 6266 ``attachment`` with the logged name (RFC 8187 UTF-8 form, no quoting games)."""
    return "attachment; filename*=UTF-8''" + quote(name, safe="")


def build_router(ledger: DocumentHost, limits: DocumentLimits | None = None) -> APIRouter:
    """``PUT`` and ``GET /documents/{sha256}`` (mounted under ``/api/v1/procurement``)."""
    settings = limits or DocumentLimits.from_env()
    router = APIRouter(tags=["procurement"])

    def _reference(sha256: str) -> dict[str, Any] | None:
        with ledger.engine.connect() as conn:
            return reference(conn, sha256)

    @router.put(
        "/documents/{sha256}",
        operation_id="put_document",
        response_model=DocumentStored,
        status_code=201,
        summary="Store a tender document's bytes under the SHA-256 a logged tender names",
        openapi_extra={
            "requestBody": {
                "required": True,
                "content": {
                    "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}
                },
            }
        },
        responses={
            200: {"description": "The same bytes were stored already.", "model": DocumentStored},
            **problem_responses(
                {
                    409: "`unknown_document`: no logged tender names this hash.",
                    413: "`document_too_large`: over the document size limit.",
                    422: "`document_hash_mismatch`: the bytes hash to another value; or "
                    "`invalid_request`: the path is not a SHA-256.",
                }
            ),
        },
    )
    async def put_document(
        sha256: Annotated[str, Path(pattern=HEX64)], request: Request, response: Response
    ) -> DocumentStored:
        """Anyone may upload, but only the exact bytes a logged announcement or addendum
        names (the officer's signed statement is the authorisation)."""
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > settings.document_bytes_max:
            raise _too_large(settings)
        found = await run_in_threadpool(_reference, sha256)
        if found is None:
            raise Conflict(
                f"no logged tender names a document with SHA-256 {sha256}",
                code="unknown_document",
                sha256=sha256,
            )
        digest = hashlib.sha256()
        chunks: list[bytes] = []
        size = 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > settings.document_bytes_max:
                raise _too_large(settings)
            digest.update(chunk)
            chunks.append(chunk)
        if digest.hexdigest() != sha256:
            raise ClientError(
                f"the body hashes to {digest.hexdigest()}, not {sha256}",
                code="document_hash_mismatch",
                sha256=sha256,
                received_sha256=digest.hexdigest(),
            )
        created = await run_in_threadpool(insert_idempotent, ledger, sha256, b"".join(chunks))
        response.status_code = 201 if created else 200
        return DocumentStored(
            sha256=sha256, size_bytes=size, created=created, name=found["name"], ocid=found["ocid"]
        )

    @router.get(
        "/documents/{sha256}",
        operation_id="get_document",
        response_class=Response,
        summary="A tender document's bytes, by their SHA-256 (immutable)",
        responses={
            200: {
                "content": {
                    "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}
                },
                "description": "The bytes.",
            },
            304: {"description": "If-None-Match named this document's ETag."},
            **problem_responses(
                {
                    404: "`unknown_document` (no logged tender names it) or"
                    " `document_not_uploaded` (named, but nobody stored the bytes yet).",
                    422: "`invalid_request`: the path is not a SHA-256.",
                }
            ),
        },
    )
    def get_document(sha256: Annotated[str, Path(pattern=HEX64)], request: Request) -> Response:
        """Check the bytes against the logged hash after downloading them (the client does)."""
        etag = f'"{sha256}"'
        headers = {"ETag": etag, "Cache-Control": CACHE_CONTROL}
        with ledger.reads.snapshot(request) as snap:
            conn = snap.conn
            found = reference(conn, sha256)
            if found is None:
                raise NotFound(
                    f"no logged tender names a document with SHA-256 {sha256}",
                    code="unknown_document",
                )
            if (
                _etag_matches(request.headers.get("if-none-match"), etag)
                and stored_size(conn, sha256) is not None
            ):
                return Response(status_code=304, headers=headers)
            content = read_content(conn, sha256)
        if content is None:
            raise NotFound(
                f"{found['ocid']} names document {sha256} but its bytes were not uploaded yet",
                code="document_not_uploaded",
                ocid=found["ocid"],
            )
        headers["Content-Disposition"] = _content_disposition(found["name"])
        headers["X-Content-Type-Options"] = "nosniff"
        return Response(content, media_type="application/octet-stream", headers=headers)

    return router
