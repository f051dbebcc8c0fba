"""The trace: one budget line, or one planning proposal, followed through the log.

A citizen asks "what happened to this money?": the proposal and each forum's decision,
its acceptance into the RKPD, the funding link to a budget line, the line's DPA
(appropriation), revisions, shifts, allotments and komponen, the RUP item and package on
that line, the tender's stages, the award, the contract and its amendments, the
commitments, the payment requests and the payments. Each step is one ledger entry, named
by its seq, so a reader can fetch its inclusion proof and verify it.

Rules, in order (nothing here writes; everything is read in the caller's one snapshot):

1. The seqs come from the projections' own records, never from a scan of the log: a
   proposal's ``steps``; a line's history (``budgeting.read_models.line_history``: one
   ``(subject, seq)`` index range, bounded by ``HISTORY_SEQS_MAX``); a tender's
   ``seqs`` (one per lifecycle step), ``award``, its RUP item's ``history``, and its
   contract's ``signed_seq``, amendments, payment requests and end.
2. A line's tenders are the ones its commitments name (``ocid``), plus those whose
   ``budget_line`` is the line within a bounded window of the tender namespace
   (``TRACE_TENDERS_SCANNED_MAX`` rows); at most ``TRACE_TENDERS_MAX`` of them.
3. A trace is made of parts, each in seq order: a line's trace is one part; a
   proposal's is its own steps, then one part per line that funds it
   (``FUNDING_LINES_MAX`` at most), in the order they were linked, so the reader meets
   the proposal before the money even when the line's DPA was logged first. A seq
   belongs to the first part that has it.
4. Every source that hit its bound sets ``truncated``; the steps collected are at most
   ``TRACE_STEPS_COLLECTED_MAX``, and a page shows ``limit`` of them after the cursor
   ``(part, seq)`` (``after``, written ``part:seq``). A new entry always has a larger seq
   than every entry before it, so it lands after every cursor of its part: pages never
   skip or repeat a step. Only the page's entries are read (one ``seq IN`` query), and
   each step's type, time, signer and amount are the entry's own, not the projection's.
5. The SPP → SPM → SP2D stages are not statements of this log: a payment is one
   ``budgeting.payment.posted`` (its ``document`` and ``posting_id`` name the SP2D).
   The trace shows the payments that exist and no stage that was never logged.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any, Final

from sqlalchemy import select
from sqlalchemy.engine import Connection

from audit.limits import (
    TRACE_STEPS_COLLECTED_MAX,
    TRACE_TENDERS_MAX,
    TRACE_TENDERS_SCANNED_MAX,
)
from budgeting.money import parse_amount
from budgeting.read_models import LineRow, get_line_row, line_history
from ledger import storage
from ledger.authority import KEY_NAMESPACE
from ledger.errors import ClientError
from planning.read_models import ProposalRow
from procurement import reads
from procurement.lifecycle import TENDER_NAMESPACE
from procurement.namespaces import CONTRACT_NAMESPACE, RUP_NAMESPACE

STAGES: Final = {
    "planning.proposal.submitted": "proposal",
    "planning.kecamatan.decided": "forum_decision",
    "planning.kabupaten.decided": "forum_decision",
    "planning.rkpd.decided": "rkpd",
    "planning.funding.linked": "funding_link",
    "budgeting.appropriation.posted": "appropriation",
    "budgeting.revision.posted": "revision",
    "budgeting.shift.posted": "shift",
    "budgeting.allotment.posted": "allotment",
    "budgeting.komponen.set": "komponen",
    "budgeting.commitment.posted": "commitment",
    "budgeting.commitment.released": "commitment_released",
    "budgeting.payment.posted": "payment",
    "budgeting.reversal.posted": "reversal",
    "procurement.rup.published": "rup",
    "procurement.rup.revised": "rup",
    "procurement.rup.withdrawn": "rup",
    "procurement.package.created": "package",
    "procurement.tender.announced": "tender",
    "procurement.tender.amended": "tender",
    "procurement.tender.closed": "tender",
    "procurement.tender.shares_released": "tender",
    "procurement.tender.opened": "tender",
    "procurement.tender.evaluated": "tender",
    "procurement.tender.evaluation_reopened": "tender",
    "procurement.tender.release_reopened": "tender",
    "procurement.tender.winner_announced": "tender",
    "procurement.tender.cancelled": "tender",
    "procurement.tender.failed": "tender",
    "procurement.tender.awarded": "award",
    "procurement.contract.signed": "contract",
    "procurement.contract.amended": "contract_amendment",
    "procurement.contract.payment_requested": "payment_request",
    "procurement.contract.paid": "payment_request_decided",
    "procurement.contract.payment_rejected": "payment_request_decided",
    "procurement.contract.completed": "contract_end",
    "procurement.contract.terminated": "contract_end",
}
"""The trace's stage of each statement type it can show (the page's label; anything else
is ``other``)."""
AMOUNT_FIELDS: Final = ("amount", "value", "hps")
"""Body fields that carry a step's amount (decimal rupiah), first found wins."""


@dataclass(frozen=True)
class TraceStep:
    part: int
    """Which part of the trace (rule 3): 0 first."""
    seq: int
    type: str
    stage: str
    subject: str
    logged_at: str
    """UTC, as logged (``YYYY-MM-DDTHH:MM:SS.mmmZ``)."""
    signer: str
    signer_name: str
    signer_roles: tuple[str, ...]
    amount_sen: int | None
    body: dict[str, Any]


@dataclass
class _Seqs:
    """The seqs collected so far (rule 4's bound) and the records they came from."""

    parts: list[set[int]] = field(default_factory=lambda: [set()])
    part_records: list[str] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)
    tenders: list[str] = field(default_factory=list)
    truncated: bool = False
    count: int = 0

    def new_part(self, record_id: str) -> None:
        if self.part_records:
            self.parts.append(set())
        self.part_records.append(record_id)

    def add(self, seq: Any) -> None:
        if seq is None or any(int(seq) in part for part in self.parts):
            return
        if self.count >= TRACE_STEPS_COLLECTED_MAX:
            self.truncated = True
            return
        self.parts[-1].add(int(seq))
        self.count += 1

    def ordered(self) -> list[tuple[int, int]]:
        return [(index, seq) for index, part in enumerate(self.parts) for seq in sorted(part)]


@dataclass(frozen=True)
class Trace:
    kind: str
    """``line`` or ``proposal``."""
    record_id: str
    parts: list[str]
    """The record each part follows (rule 3): the line, or the proposal then its lines."""
    steps: list[TraceStep]
    """One page, in (part, seq) order."""
    steps_total: int
    next_after: tuple[int, int] | None
    truncated: bool
    lines: list[str]
    tenders: list[str]


def _line_tenders(conn: Connection, line_id: str, commitments: list[dict[str, Any]]) -> list[str]:
    """Rule 2: the tenders of a line, named by its commitments or found in a window."""
    named = [str(body["ocid"]) for body in commitments if isinstance(body.get("ocid"), str)]
    page = reads.window_page(
        conn,
        TENDER_NAMESPACE,
        reads.JsonFields(conn).equals("budget_line", line_id),
        lambda doc: doc.get("budget_line") == line_id,
        after="",
        limit=TRACE_TENDERS_MAX,
        window=TRACE_TENDERS_SCANNED_MAX,
    )
    found = [str(doc["ocid"]) for doc in page.items]
    return list(dict.fromkeys([*named, *found]))


def _collect_tender(conn: Connection, ocid: str, line_id: str, into: _Seqs) -> None:
    tender = reads.document(conn, TENDER_NAMESPACE, ocid)
    if tender is None or tender.get("budget_line") != line_id:
        return  # a commitment may name an ocid of another line's tender: not this trace
    into.tenders.append(ocid)
    rup_code = tender.get("rup_code")
    rup = None if rup_code is None else reads.document(conn, RUP_NAMESPACE, rup_code)
    if rup is not None:
        for revision in rup.get("history", ()):
            into.add(revision.get("seq"))
    for seq in tender.get("seqs", {}).values():
        into.add(seq)
    award = tender.get("award") or {}
    into.add(award.get("seq"))
    contract = reads.document(conn, CONTRACT_NAMESPACE, ocid)
    if contract is None:
        return
    into.add(contract.get("signed_seq"))
    for amendment in contract.get("amendments", ()):
        into.add(amendment.get("seq"))
    for request in contract.get("requests", ()):
        into.add(request.get("requested_seq"))
        into.add(request.get("decided_seq"))
    ended = contract.get("ended") or {}
    into.add(ended.get("seq"))


def _collect_line(conn: Connection, row: LineRow, into: _Seqs) -> None:
    into.new_part(row.line_id)
    into.lines.append(row.line_id)
    history, cut = line_history(conn, row)
    into.truncated = into.truncated or cut
    for seq in history:
        into.add(seq)
    e = storage.entries.c
    commitments = [
        json.loads(raw)["statement"]["body"]
        for (raw,) in conn.execute(
            select(e.entry_bytes).where(
                e.seq.in_(history), e.statement_type == "budgeting.commitment.posted"
            )
        )
    ]
    ocids = _line_tenders(conn, row.line_id, commitments)
    if len(ocids) > TRACE_TENDERS_MAX:
        into.truncated = True
    for ocid in ocids[:TRACE_TENDERS_MAX]:
        _collect_tender(conn, ocid, row.line_id, into)


def _amount(body: dict[str, Any]) -> int | None:
    for name in AMOUNT_FIELDS:
        value = body.get(name)
        if isinstance(value, str):
            try:
                return parse_amount(value, signed=True)
            except ClientError:
                return None
    return None


def _steps(conn: Connection, shown: list[tuple[int, int]]) -> list[TraceStep]:
    """The entries of ``shown`` as steps, with their signers' registered names and roles."""
    if not shown:
        return []
    e = storage.entries.c
    part_of = {seq: part for part, seq in shown}
    rows = conn.execute(select(e.entry_bytes).where(e.seq.in_(list(part_of)))).all()
    found = {s.seq: s for s in (reads.summary_of(bytes(raw)) for (raw,) in rows)}
    summaries = [found[seq] for _, seq in shown if seq in found]
    keys = reads.documents(conn, KEY_NAMESPACE, sorted({s.signer for s in summaries}))
    steps = []
    for s in summaries:
        key = keys.get(s.signer, {})
        steps.append(
            TraceStep(
                part=part_of[s.seq],
                seq=s.seq,
                type=s.type,
                stage=STAGES.get(s.type, "other"),
                subject=s.subject,
                logged_at=s.logged_at,
                signer=s.signer,
                signer_name=str(key.get("name", "")),
                signer_roles=tuple(str(role) for role in key.get("roles", ())),
                amount_sen=_amount(s.body),
                body=s.body,
            )
        )
    return steps


def _page(
    kind: str,
    record_id: str,
    conn: Connection,
    into: _Seqs,
    after: tuple[int, int] | None,
    limit: int,
) -> Trace:
    ordered = into.ordered()
    later = ordered if after is None else [key for key in ordered if key > after]
    shown = later[:limit]
    more = len(later) > len(shown)
    return Trace(
        kind=kind,
        record_id=record_id,
        parts=into.part_records,
        steps=_steps(conn, shown),
        steps_total=len(ordered),
        next_after=shown[-1] if more and shown else None,
        truncated=into.truncated,
        lines=into.lines,
        tenders=into.tenders,
    )


def line_trace(
    conn: Connection, row: LineRow, *, after: tuple[int, int] | None = None, limit: int
) -> Trace:
    """A budget line's trace (rules 1, 2, 4, 5)."""
    into = _Seqs()
    _collect_line(conn, row, into)
    return _page("line", row.line_id, conn, into, after, limit)


def proposal_trace(
    conn: Connection, proposal: ProposalRow, *, after: tuple[int, int] | None = None, limit: int
) -> Trace:
    """A proposal's trace: its steps, then its funding lines' (rule 3)."""
    into = _Seqs()
    into.new_part(proposal.proposal_id)
    for step in proposal.doc["steps"]:
        into.add(step["seq"])
    for line_id in proposal.doc["funding_lines"]:
        row = get_line_row(conn, line_id)
        if row is not None:  # a linked line always exists (the link checks it)
            _collect_line(conn, row, into)
    return _page("proposal", proposal.proposal_id, conn, into, after, limit)


CURSOR: Final = re.compile(r"(0|[1-9][0-9]{0,2}):(0|[1-9][0-9]{0,15})")
"""A page cursor ``part:seq`` as written (``format_cursor``)."""


def parse_cursor(text: str) -> tuple[int, int] | None:
    """``part:seq`` as a cursor, or None when it is not one."""
    if not CURSOR.fullmatch(text):
        return None
    part, seq = text.split(":")
    return int(part), int(seq)


def format_cursor(cursor: tuple[int, int]) -> str:
    return f"{cursor[0]}:{cursor[1]}"
