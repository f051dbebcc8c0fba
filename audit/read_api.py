"""Public JSON reads for auditors: projections and per-record proof bundles.

* ``GET /api/v1/projections``: every reducer document (namespace, key, value and the
  seq of the last batch that wrote it), paginated in (namespace, key) order. The
  verifier replays the log and compares: a row written at or before a checkpoint
  must equal the replayed document exactly.
* ``GET /api/v1/records/{subject}/bundle``: every entry about one subject (an OCDS
  ocid, a budget line, a key id), plus the registration entry of every key that
  signed one of them, each with an inclusion proof to ONE signed checkpoint: enough
  to verify that record alone, offline (``terang verify --record``). With ``?seq=N``,
  only entry N (still about the subject): what a trace step's Verify checks.
"""

from __future__ import annotations

import base64
import json
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from pydantic import BaseModel, Field
from sqlalchemy import select, tuple_

from audit.limits import RECORD_BUNDLE_ENTRIES_MAX
from ledger import merkle, storage, witnessing
from ledger.authority import KEY_NAMESPACE
from ledger.errors import NotFound
from ledger.http_problems import problem_responses
from ledger.limits import COLUMN_CHARS, JSON_SAFE_INTEGER_MAX
from ledger.service import Ledger

Subject = Annotated[
    str,
    Path(
        min_length=1,
        max_length=COLUMN_CHARS["subject_chars_max"],
        description="An entry subject (as logged; it may contain `/`).",
    ),
]


class ProjectionRowPublic(BaseModel):
    namespace: str
    key: str
    value: dict[str, Any]
    updated_seq: int = Field(description="seq of the last entry of the batch that wrote it")


class ProjectionPage(BaseModel):
    items: list[ProjectionRowPublic]
    tree_size: int = Field(
        description="log size read after the page's rows: every row's updated_seq is below it"
    )
    next_after: list[str] | None = Field(
        description="[namespace, key] to pass as after_namespace/after_key for the next page"
    )


class BundleEntry(BaseModel):
    seq: int
    entry_bytes_b64: str = Field(description="exact entry bytes (RFC 8785 JSON), base64")
    inclusion: list[str] = Field(description="RFC 6962 PATH to the checkpoint's root, hex")


class RecordBundle(BaseModel):
    format: str = Field(default="terang.record-bundle.v1")
    subject: str
    checkpoint: str = Field(
        description="the signed checkpoint note every proof leads to, with any witness "
        "cosignatures the log has collected for it"
    )
    entries: list[BundleEntry] = Field(description="entries about the subject, by seq")
    signer_registrations: list[BundleEntry] = Field(
        description="the registration entry of each key that signed one of the entries"
    )
    truncated: bool = Field(
        description=f"true when over {RECORD_BUNDLE_ENTRIES_MAX} entries matched"
    )


def build_router(ledger: Ledger) -> APIRouter:
    router = APIRouter(prefix="/api/v1", tags=["audit"])

    @router.get("/projections", operation_id="list_projections", response_model=ProjectionPage)
    def list_projections(
        request: Request,
        namespace: Annotated[str | None, Query(max_length=64)] = None,
        after_namespace: Annotated[str, Query(max_length=64)] = "",
        after_key: Annotated[str, Query(max_length=256)] = "",
        limit: Annotated[int, Query(ge=1, le=1000)] = 500,
    ) -> ProjectionPage:
        p = storage.projection_rows.c
        query = select(p.namespace, p.key, p.value, p.updated_seq).where(
            tuple_(p.namespace, p.key) > tuple_(after_namespace, after_key)
        )
        if namespace is not None:
            query = query.where(p.namespace == namespace)
        with ledger.reads.snapshot(request) as snap:
            rows = snap.conn.execute(query.order_by(p.namespace, p.key).limit(limit)).all()
            # One snapshot (ledger.reads): a row and its entry commit together, so every
            # row read here has updated_seq < tree_size, and the verifier can take a row
            # claiming more as a forgery.
            size = snap.tree_size
        items = [
            ProjectionRowPublic(
                namespace=r.namespace,
                key=r.key,
                value=json.loads(r.value),
                updated_seq=int(r.updated_seq),
            )
            for r in rows
        ]
        last = items[-1] if len(items) == limit else None
        return ProjectionPage(
            items=items,
            tree_size=size,
            next_after=None if last is None else [last.namespace, last.key],
        )

    @router.get(
        "/records/{subject:path}/bundle",
        operation_id="get_record_bundle",
        response_model=RecordBundle,
        responses=problem_responses(
            {
                404: "`no_checkpoint` (nothing published yet), `unknown_subject` (no "
                "published entry has that subject; with `seq`, entry `seq` is not a published "
                "entry about it).",
            }
        ),
    )
    def get_record_bundle(
        request: Request,
        subject: Subject,
        seq: Annotated[
            int | None,
            Query(
                ge=0,
                le=JSON_SAFE_INTEGER_MAX,
                description="only this entry (it must be about the subject): the bundle a "
                "trace step's Verify checks",
            ),
        ] = None,
    ) -> RecordBundle:
        e = storage.entries.c
        with ledger.reads.snapshot(request) as snap:
            conn = snap.conn
            checkpoint = snap.held_checkpoint()
            if checkpoint is None:
                raise NotFound("no checkpoint yet", code="no_checkpoint")
            rows = conn.execute(
                select(e.seq, e.entry_bytes, e.signer)
                .where(
                    e.subject == subject,
                    e.seq < checkpoint.size,
                    *([] if seq is None else [e.seq == seq]),
                )
                .order_by(e.seq)
                .limit(RECORD_BUNDLE_ENTRIES_MAX + 1)
            ).all()
            if not rows:
                raise NotFound(f"no entries about {subject!r}", code="unknown_subject")
            truncated = len(rows) > RECORD_BUNDLE_ENTRIES_MAX
            rows = rows[:RECORD_BUNDLE_ENTRIES_MAX]
            signers = sorted({r.signer for r in rows})
            p = storage.projection_rows.c
            registered = conn.execute(
                select(p.value).where(p.namespace == KEY_NAMESPACE, p.key.in_(signers))
            ).all()
            registration_seqs = sorted(
                {int(json.loads(r.value)["registered_seq"]) for r in registered}
            )
            registration_rows = conn.execute(
                select(e.seq, e.entry_bytes).where(e.seq.in_(registration_seqs)).order_by(e.seq)
            ).all()
            all_seqs = [int(r.seq) for r in rows] + [int(r.seq) for r in registration_rows]
            needed = {n for s in all_seqs for n in merkle.nodes_for_inclusion(s, checkpoint.size)}
            nodes = storage.fetch_nodes(conn, needed)
            # The note as /log/checkpoint serves it: with the witnesses' cosignatures, so
            # a browser (portal/static/verify.js) can check them too.
            checkpoint_note = witnessing.cosigned_note(conn, checkpoint)

        def bundle_entry(seq: int, entry_bytes: bytes) -> BundleEntry:
            path = merkle.inclusion_proof(seq, checkpoint.size, nodes)
            return BundleEntry(
                seq=seq,
                entry_bytes_b64=base64.b64encode(entry_bytes).decode("ascii"),
                inclusion=[h.hex() for h in path],
            )

        return RecordBundle(
            subject=subject,
            checkpoint=checkpoint_note,
            entries=[bundle_entry(int(r.seq), bytes(r.entry_bytes)) for r in rows],
            signer_registrations=[
                bundle_entry(int(r.seq), bytes(r.entry_bytes)) for r in registration_rows
            ],
            truncated=truncated,
        )

    return router
