"""Ledger entries as a record page lists them: seq, time, type, signer, amount, proof.

Every row of a timeline links to the entry's inclusion proof (``/api/v1/proofs/
inclusion?seq=N``), so a reader can go from any figure to the signed statement behind
it. Signers are shown by the name their key was registered with (the key registry is
itself a projection of the log).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Final

from sqlalchemy import select
from sqlalchemy.engine import Connection

from budgeting.money import parse_amount
from ledger import storage
from ledger.authority import KEY_NAMESPACE
from ledger.errors import ClientError
from procurement.reads import EntrySummary, documents, summary_of

TIMELINE_PAGE_ITEMS: Final = 50
"""Entries per page of a record's timeline."""


@dataclass(frozen=True)
class EntryView:
    seq: int
    type: str
    subject: str
    signer: str
    signer_name: str
    logged_at: str
    amount_sen: int | None
    """The body's ``amount``, when it has one (postings, payment requests)."""
    body: dict[str, Any]

    @property
    def proof_url(self) -> str:
        return f"/api/v1/proofs/inclusion?seq={self.seq}"


def _amount(body: dict[str, Any]) -> int | None:
    value = body.get("amount")
    if not isinstance(value, str):
        return None
    try:
        return parse_amount(value, signed=True)
    except ClientError:
        return None


def signer_names(conn: Connection, signers: Iterable[str]) -> dict[str, str]:
    found = documents(conn, KEY_NAMESPACE, sorted(set(signers)))
    return {key: str(doc.get("name", "")) for key, doc in found.items()}


def views(conn: Connection, summaries: Sequence[EntrySummary]) -> list[EntryView]:
    names = signer_names(conn, (s.signer for s in summaries))
    return [
        EntryView(
            seq=s.seq,
            type=s.type,
            subject=s.subject,
            signer=s.signer,
            signer_name=names.get(s.signer, ""),
            logged_at=s.logged_at,
            amount_sen=_amount(s.body),
            body=s.body,
        )
        for s in summaries
    ]


def by_seq(conn: Connection, seqs: Sequence[int]) -> list[EntryView]:
    """The entries of ``seqs`` (one query), in seq order."""
    e = storage.entries.c
    rows = conn.execute(select(e.entry_bytes).where(e.seq.in_(list(seqs))).order_by(e.seq)).all()
    return views(conn, [summary_of(bytes(raw)) for (raw,) in rows])
