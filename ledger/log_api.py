"""The static log read API (C2SP tlog-tiles) and JSON proofs, for anyone, no login.

Paths (under ``/log``; SPEC: c2sp.org/tlog-tiles "<prefix>/checkpoint" etc.):

* ``/log/checkpoint``: the latest signed checkpoint (text/plain; charset=utf-8).
* ``/log/tile/<L>/<N>[.p/<W>]``: hash tiles, application/octet-stream.
* ``/log/tile/entries/<N>[.p/<W>]``: entry bundles, application/octet-stream.
* ``/log/verifier-key``: the log's verifier key in force, ``name+keyid+base64``.
* ``/log/key-history``: which log key signs which tree sizes, with each rotation's
  hand-over checkpoint (JSON; ``ledger.log_keys``, docs/ledger-formats.md).

Full tiles and bundles never change, so they are served ``immutable``; partial ones
grow with the log and are cached briefly. Tiles are read straight from the stored
perfect-subtree nodes: tile level L is tree level 8L.

Every read here is one snapshot of the read side (``ledger.reads``: the primary, or a
streaming replica with ``TERANG_READ_DATABASE_URL``), and answers with the
``X-Terang-Tree-Size`` it held: the checkpoint served is the newest that snapshot holds
the tree for, and no tile, bundle or proof beyond it is served.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from fastapi import Path as PathParam
from fastapi.responses import PlainTextResponse
from pydantic import BaseModel, Field
from sqlalchemy import select

from ledger import merkle, proofs, storage, tiles, witnessing
from ledger.errors import ClientError, NotFound
from ledger.http_problems import INVALID_REQUEST_DESCRIPTION, beyond_schema, problem_responses
from ledger.limits import DATABASE_INTEGER_MAX, TILE_WIDTH
from ledger.publisher import checkpoint_at
from ledger.service import Ledger

IMMUTABLE = "public, max-age=31536000, immutable"
SHORT = "public, max-age=5"
OCTET = "application/octet-stream"
TEXT = "text/plain; charset=utf-8"
# A consistency proof from the empty tree proves nothing (ledger.merkle refuses it), and
# one between two empty trees is empty: both sizes start at 1.
ProofSize = Annotated[int, Query(ge=1, le=DATABASE_INTEGER_MAX, description="A tree size.")]


class InclusionProofPublic(BaseModel):
    seq: int
    tree_size: int
    leaf_hash: str = Field(description="hex")
    proof: list[str] = Field(description="RFC 6962 PATH, hex, leaf's sibling first")
    checkpoint: str | None = Field(description="The signed checkpoint of tree_size, if published")


class ConsistencyProofPublic(BaseModel):
    first: int
    second: int
    proof: list[str] = Field(description="RFC 6962 PROOF, hex")


class CheckpointPublic(BaseModel):
    tree_size: int
    root_hash: str = Field(description="hex")
    note: str


class LogKeyPublic(BaseModel):
    verifier_key: str = Field(description="name+keyid+base64 (C2SP signed-note)")
    from_size: int = Field(description="The smallest tree size whose checkpoint it signs")
    rotation_seq: int | None = Field(description="The rotation entry naming it (None: genesis)")
    handover_checkpoint: str | None = Field(
        description="The first checkpoint including the rotation, signed by the previous "
        "and this key (None: genesis key, or not published yet)"
    )


class LogKeyHistory(BaseModel):
    origin: str
    keys: list[LogKeyPublic]


class CheckpointPage(BaseModel):
    items: list[CheckpointPublic]
    next_after_size: int | None


def _tile_response(data: bytes, width: int | None) -> Response:
    return Response(
        content=data,
        media_type=OCTET,
        headers={"Cache-Control": IMMUTABLE if width is None else SHORT},
    )


def build_router(ledger: Ledger) -> APIRouter:
    router = APIRouter(tags=["log"])

    @router.get(
        "/log/checkpoint",
        operation_id="get_checkpoint",
        response_class=PlainTextResponse,
        responses=problem_responses({404: "`no_checkpoint`: nothing published yet."}),
    )
    def get_checkpoint(request: Request) -> Response:
        with ledger.reads.snapshot(request) as snap:
            latest = snap.held_checkpoint()
            note = None if latest is None else witnessing.cosigned_note(snap.conn, latest)
        if note is None:
            raise NotFound("the log has not published a checkpoint yet", code="no_checkpoint")
        return Response(note, media_type=TEXT, headers={"Cache-Control": "no-cache"})

    @router.get(
        "/log/verifier-key", operation_id="get_verifier_key", response_class=PlainTextResponse
    )
    def get_verifier_key() -> Response:
        return Response(ledger.verifier_key() + "\n", media_type=TEXT)

    @router.get(
        "/log/key-history", operation_id="get_log_key_history", response_model=LogKeyHistory
    )
    def get_key_history(request: Request) -> LogKeyHistory:
        with ledger.reads.snapshot(request) as snap:
            history = ledger.key_history(snap.conn, snap.tree_size)
        return LogKeyHistory(
            origin=ledger.origin, keys=[LogKeyPublic.model_validate(k) for k in history]
        )

    @router.get(
        "/log/tile/{path:path}",
        operation_id="get_tile",
        response_class=Response,
        responses={
            200: {
                "description": "The tile's hashes, or the entry bundle (C2SP tlog-tiles).",
                "content": {OCTET: {"schema": {"type": "string", "format": "binary"}}},
            },
            **problem_responses(
                {
                    404: "`no_tile`: the tile or bundle is not (yet) complete at that width.",
                    422: "`malformed`: not a canonical tile path.",
                }
            ),
        },
    )
    def get_tile(
        request: Request,
        path: Annotated[
            str,
            PathParam(
                description="`<L>/<N>[.p/<W>]` or `entries/<N>[.p/<W>]` (c2sp.org/tlog-tiles).",
                # Declared for clients; ledger.tiles.parse_tile_path enforces it (`malformed`).
                json_schema_extra={"pattern": tiles.TILE_PATH_PATTERN},
            ),
        ],
    ) -> Response:
        level, index, width = tiles.parse_tile_path("tile/" + path)
        count = width or TILE_WIDTH
        first = index * TILE_WIDTH
        if first + count > DATABASE_INTEGER_MAX:
            # A valid tlog-tiles index, but past anything a log stored in 64-bit columns
            # can hold: no such tile, and the query would overflow the driver.
            raise NotFound("no such tile", code="no_tile")
        with ledger.reads.snapshot(request) as snap:
            conn = snap.conn
            # A node at tree level 8L and index i covers leaves [i*256^L, (i+1)*256^L): the
            # tile needs that many entries held (ledger.reads rule 4), whatever rows exist.
            level_leaves = 1 if level is None else TILE_WIDTH**level
            if (first + count) * level_leaves > snap.tree_size:
                raise NotFound("no such tile", code="no_tile")
            if level is None:
                e = storage.entries.c
                rows = conn.execute(
                    select(e.entry_bytes)
                    .where(e.seq >= first, e.seq < first + count)
                    .order_by(e.seq)
                ).all()
                if len(rows) != count:
                    raise NotFound("no such entry bundle", code="no_tile")
                return _tile_response(tiles.encode_entry_bundle([bytes(r[0]) for r in rows]), width)
            tree_level, start, end = merkle.tile_node_range(level, index, count)
            n = storage.tree_nodes.c
            hashes = conn.execute(
                select(n.hash)
                .where(n.level == tree_level, n.idx >= start, n.idx < end)
                .order_by(n.idx)
            ).all()
        if len(hashes) != count:
            raise NotFound("no such tile", code="no_tile")
        return _tile_response(b"".join(bytes(h[0]) for h in hashes), width)

    @router.get(
        "/api/v1/proofs/inclusion",
        operation_id="get_inclusion_proof",
        response_model=InclusionProofPublic,
        tags=["proofs"],
        openapi_extra=beyond_schema("bad_query", "tree_size_out_of_range", "seq_out_of_range"),
        responses=problem_responses(
            {
                404: "`no_checkpoint` (no `tree_size` given and nothing published yet), "
                "`unknown_leaf` (no entry has that leaf hash).",
                409: "`tree_size_not_replicated`: a read replica that does not hold "
                "`tree_size` yet.",
                422: "`bad_query`: give exactly one of `seq` and `leaf_hash`; "
                "`tree_size_out_of_range`: beyond the log's size; `seq_out_of_range`: "
                "`seq` not below `tree_size`. Or " + INVALID_REQUEST_DESCRIPTION,
            }
        ),
    )
    def get_inclusion(
        request: Request,
        tree_size: Annotated[
            int | None,
            Query(ge=1, le=DATABASE_INTEGER_MAX, description="default: latest checkpoint"),
        ] = None,
        seq: Annotated[int | None, Query(ge=0, le=DATABASE_INTEGER_MAX)] = None,
        leaf_hash: Annotated[str | None, Query(pattern=r"^[0-9a-f]{64}$")] = None,
    ) -> InclusionProofPublic:
        if (seq is None) == (leaf_hash is None):
            raise ClientError("give exactly one of seq or leaf_hash", code="bad_query")
        with ledger.reads.snapshot(request) as snap:
            conn = snap.conn
            if leaf_hash is not None:
                seq = proofs.seq_of_leaf(conn, bytes.fromhex(leaf_hash))
            if seq is None:
                raise ClientError("give exactly one of seq or leaf_hash", code="bad_query")
            if tree_size is None:
                latest = snap.held_checkpoint()
                if latest is None:
                    raise NotFound("no checkpoint yet", code="no_checkpoint")
                tree_size = latest.size
            snap.require_held(tree_size)
            proof = proofs.inclusion(conn, seq, tree_size)
            checkpoint = checkpoint_at(conn, tree_size)
        return InclusionProofPublic(
            seq=proof.seq,
            tree_size=proof.tree_size,
            leaf_hash=proof.leaf_hash.hex(),
            proof=[h.hex() for h in proof.path],
            checkpoint=None if checkpoint is None else checkpoint.note,
        )

    @router.get(
        "/api/v1/proofs/consistency",
        operation_id="get_consistency_proof",
        response_model=ConsistencyProofPublic,
        tags=["proofs"],
        openapi_extra=beyond_schema("bad_sizes", "tree_size_out_of_range"),
        responses=problem_responses(
            {
                409: "`tree_size_not_replicated`: a read replica that does not hold `second` yet.",
                422: "`bad_sizes`: `first` > `second`; `tree_size_out_of_range`: `second` "
                "beyond the log's size. Or " + INVALID_REQUEST_DESCRIPTION,
            }
        ),
    )
    def get_consistency(
        request: Request, first: ProofSize, second: ProofSize
    ) -> ConsistencyProofPublic:
        with ledger.reads.snapshot(request) as snap:
            snap.require_held(second)
            path = proofs.consistency(snap.conn, first, second)
        return ConsistencyProofPublic(first=first, second=second, proof=[h.hex() for h in path])

    @router.get(
        "/api/v1/checkpoints",
        operation_id="list_checkpoints",
        response_model=CheckpointPage,
        tags=["proofs"],
    )
    def list_checkpoints(
        request: Request,
        after_size: Annotated[int, Query(ge=-1, le=DATABASE_INTEGER_MAX)] = -1,
        limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    ) -> CheckpointPage:
        c = storage.checkpoints.c
        with ledger.reads.snapshot(request) as snap:
            rows = snap.conn.execute(
                select(c.tree_size, c.root_hash, c.note)
                # Only checkpoints whose tree this snapshot holds (ledger.reads rule 3).
                .where(c.tree_size > after_size, c.tree_size <= snap.tree_size)
                .order_by(c.tree_size)
                .limit(limit)
            ).all()
        items = [
            CheckpointPublic(
                tree_size=int(r.tree_size), root_hash=bytes(r.root_hash).hex(), note=r.note
            )
            for r in rows
        ]
        return CheckpointPage(
            items=items, next_after_size=items[-1].tree_size if len(items) == limit else None
        )

    return router
