"""What other rooms and tools call: check a posting before signing it, and post many.

Procurement builds a commitment from a contract with ``statements.commitment`` and may
call ``check_posting`` first (for instance before awarding) to learn whether the line
can take it; the answer is the error the reducer would raise if the posting were
logged now. It is advice, not a reservation: between the check and the append another
posting may use the same budget, and the reducer (run by the sequencer) decides.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime

from nacl.signing import SigningKey
from sqlalchemy import Engine, select
from sqlalchemy.engine import Connection

from budgeting.read_models import snapshot
from budgeting.reducers import Context, apply_statement
from budgeting.statements import Posting
from ledger import storage
from ledger.limits import Limits
from ledger.sequencer import Receipt
from ledger.service import Ledger
from ledger.state import Document, Overlay
from ledger.statement import SignedStatement, Statement, format_time


class ProjectionState:
    """Read-only ``State`` over ``projection_rows`` (writes go to an ``Overlay`` on top)."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def get(self, namespace: str, key: str) -> Document | None:
        p = storage.projection_rows.c
        value = self.conn.execute(
            select(p.value).where(p.namespace == namespace, p.key == key)
        ).scalar()
        return None if value is None else dict(json.loads(value))

    def put(self, namespace: str, key: str, value: Document) -> None:
        raise TypeError("ProjectionState is read-only; stage writes in an Overlay")


def check_posting(
    engine: Engine, posting: Posting, *, at: datetime, signer: str = "0" * 64
) -> None:
    """Raise what the budgeting reducer would raise for ``posting`` logged at ``at``.

    Checks the body, the codes and every budget rule against the current projection;
    not the signature, the signer's role or the nonce (the ledger checks those).
    """
    logged_at = format_time(at)
    statement = Statement(
        posting.type, posting.subject, signer, logged_at, posting.nonce, posting.body
    )
    with snapshot(engine) as snap:
        staged = Overlay(ProjectionState(snap.conn))
        apply_statement(staged, statement, Context(snap.tree_size, logged_at))


def sign_postings(
    key: SigningKey,
    postings: Sequence[Posting],
    *,
    at: datetime,
    origin: str,
    limits: Limits | None = None,
) -> list[SignedStatement]:
    """Sign each posting for log ``origin`` with its deterministic nonce (a retry signs
    the same nonce)."""
    return [posting.sign(key, at=at, origin=origin, limits=limits) for posting in postings]


def post_postings(
    ledger: Ledger, key: SigningKey, postings: Sequence[Posting], *, batch_statements_max: int = 0
) -> list[Receipt]:
    """Sign and log ``postings`` in order, in atomic batches (bulk tools: the demo, imports).

    Each batch is all or nothing; an error stops at the batch that raised it (earlier
    batches stay logged, and a re-run skips them: their nonces and posting ids are used).
    """
    size = batch_statements_max or ledger.limits.batch_statements_max
    receipts: list[Receipt] = []
    for start in range(0, len(postings), size):
        batch = postings[start : start + size]
        signed = sign_postings(
            key, batch, at=ledger.clock(), origin=ledger.origin, limits=ledger.limits
        )
        receipts.extend(ledger.append_direct(signed))
    return receipts
