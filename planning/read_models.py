"""Read models: the planning projection as plain rows, for the API (and later the portal).

Everything reads ``projection_rows`` inside one read transaction (``ledger.reads``),
so every answer comes with the ``tree_size`` it reflects. A proposal's funding lines
are read in the same snapshot from budgeting's projection (``budgeting.read_models``),
so the money shown beside a proposal is the budget as of that same tree size.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.engine import Connection

from budgeting.read_models import LineRow, get_line_row
from ledger import storage
from ledger.state import Document
from planning.limits import PROPOSALS_SCANNED_PER_PAGE_MAX
from planning.stages import NS_AREA, NS_LINE_PROPOSALS, NS_PROPOSAL

SCAN_ROWS_PER_QUERY = 500


@dataclass(frozen=True)
class ProposalRow:
    """One proposal as projected (amounts in sen); ``steps`` in log order."""

    doc: Document
    updated_seq: int

    @property
    def proposal_id(self) -> str:
        return str(self.doc["proposal_id"])


@dataclass(frozen=True)
class ProposalFilter:
    year: int | None = None
    stage: str | None = None
    kecamatan: str | None = None
    desa: str | None = None
    source: str | None = None

    def matches(self, doc: Document) -> bool:
        return (
            (self.year is None or doc["fiscal_year"] == self.year)
            and (self.stage is None or doc["stage"] == self.stage)
            and (self.kecamatan is None or doc["kecamatan"] == self.kecamatan)
            and (self.desa is None or doc["desa"] == self.desa)
            and (self.source is None or doc["source"] == self.source)
        )


@dataclass(frozen=True)
class ProposalPage:
    rows: list[ProposalRow]
    next_after: str | None
    """Where the next page starts: set when the page is full, or when the scan bound
    (``PROPOSALS_SCANNED_PER_PAGE_MAX``) was reached before it filled."""


def proposal_page(
    conn: Connection,
    where: ProposalFilter,
    *,
    after: str = "",
    limit: int,
    scanned_max: int = PROPOSALS_SCANNED_PER_PAGE_MAX,
) -> ProposalPage:
    """Proposals in id order after ``after`` that match ``where``, at most ``limit``."""
    p = storage.projection_rows.c
    rows: list[ProposalRow] = []
    cursor = after
    scanned = 0
    while scanned < scanned_max:
        page = min(SCAN_ROWS_PER_QUERY, scanned_max - scanned)
        found = conn.execute(
            select(p.key, p.value, p.updated_seq)
            .where(p.namespace == NS_PROPOSAL, p.key > cursor)
            .order_by(p.key)
            .limit(page)
        ).all()
        for key, value, updated_seq in found:
            cursor = key
            scanned += 1
            doc = json.loads(value)
            if where.matches(doc):
                rows.append(ProposalRow(doc, int(updated_seq)))
                if len(rows) == limit:
                    return ProposalPage(rows, key)
        if len(found) < page:
            return ProposalPage(rows, None)
    return ProposalPage(rows, cursor)


def get_proposal(conn: Connection, proposal_id: str) -> ProposalRow | None:
    p = storage.projection_rows.c
    found = conn.execute(
        select(p.value, p.updated_seq).where(p.namespace == NS_PROPOSAL, p.key == proposal_id)
    ).first()
    return None if found is None else ProposalRow(json.loads(found.value), int(found.updated_seq))


def funding_lines(conn: Connection, row: ProposalRow) -> list[LineRow]:
    """The budget lines linked to the proposal, as budgeting projects them now."""
    lines = []
    for line_id in row.doc["funding_lines"]:
        line = get_line_row(conn, line_id)
        if line is not None:  # a linked line always exists; kept total for safety
            lines.append(line)
    return lines


def proposals_funded_by(conn: Connection, line_id: str) -> list[ProposalRow]:
    """The proposals linked to a budget line, in the order they were linked."""
    p = storage.projection_rows.c
    found = conn.execute(
        select(p.value).where(p.namespace == NS_LINE_PROPOSALS, p.key == line_id)
    ).scalar()
    if found is None:
        return []
    wanted = json.loads(found)["proposals"]
    rows = {
        key: ProposalRow(json.loads(value), int(updated_seq))
        for key, value, updated_seq in conn.execute(
            select(p.key, p.value, p.updated_seq).where(
                p.namespace == NS_PROPOSAL, p.key.in_(wanted)
            )
        )
    }
    return [rows[proposal_id] for proposal_id in wanted if proposal_id in rows]


def area_names(conn: Connection, codes: set[str]) -> dict[str, str]:
    """The registered names of some kecamatan and desa codes."""
    p = storage.projection_rows.c
    if not codes:
        return {}
    found = conn.execute(
        select(p.key, p.value).where(p.namespace == NS_AREA, p.key.in_(sorted(codes)))
    ).all()
    return {key: json.loads(value)["name"] for key, value in found}


def iter_proposals(conn: Connection) -> Iterator[ProposalRow]:
    """Every proposal in id order (reports, tests)."""
    after = ""
    while True:
        page = proposal_page(conn, ProposalFilter(), after=after, limit=SCAN_ROWS_PER_QUERY)
        yield from page.rows
        if page.next_after is None:
            return
        after = page.next_after
