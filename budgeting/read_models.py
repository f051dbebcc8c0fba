"""Read models: the budgeting projection as plain rows, for the API and for reports.

Everything here reads ``projection_rows`` (and, for a line's history, the
``ledger_entries`` subject index) inside one read transaction opened by
``snapshot``, so every figure comes with the ``tree_size`` it was computed at: replay
the log's first ``tree_size`` entries and you get the same figures.

For reports (LRA, cash plan, OFDP), the entry points are::

    with snapshot(ledger.engine) as snap:
        rows = list(iter_line_rows(snap.conn, year=2026))   # every line, amounts in sen
        names = structure_names(snap.conn)                  # code -> name, per kind
        payments = list(iter_posting_rows(snap.conn, year=2026, types={PAYMENT}))
        snap.tree_size                                      # what the figures are as of

``LineRow.as_record()`` is a flat dict (one column per month) ready for
``pandas.DataFrame.from_records``. Amounts are integer sen everywhere here; format
them with ``budgeting.money.format_amount`` at the edge.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterator
from contextlib import AbstractContextManager
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.engine import Connection

from budgeting.codes import (
    AccountLevel,
    ProgrammeLevel,
    parse_account_code,
    parse_programme_code,
)
from budgeting.limits import HISTORY_SEQS_MAX
from budgeting.namespaces import (
    AMOUNT_FIELDS,
    NS_COMMITMENT,
    NS_FISCAL_YEAR,
    NS_KOMPONEN,
    NS_LINE,
    NS_POSTING,
    NS_PRICE_ITEM,
    NS_PRICE_LIST,
    STRUCTURE_NAMESPACES,
    price_item_key,
)
from ledger import storage
from ledger.reads import ReadSnapshot, snapshot_of
from ledger.state import Document

SCAN_ROWS_PER_QUERY = 2000
"""Rows fetched per query while iterating a namespace (bounded memory per step)."""


Snapshot = ReadSnapshot
"""One consistent read and the tree size it reflects (``ledger.reads``, rule 1)."""


def snapshot(engine: Engine) -> AbstractContextManager[Snapshot]:
    """One consistent read of the projection and the log size it reflects.

    PostgreSQL: REPEATABLE READ, so every statement sees the same snapshot. SQLite (WAL):
    a read transaction sees the database as of its first read, which is the tree size.
    Projection rows are written in the same transaction as the entries that change them,
    so the documents read here are exactly the result of the first ``tree_size`` entries.
    The public routers take theirs from ``ledger.reads`` (the read replica, if any).
    """
    return snapshot_of(engine)


@dataclass(frozen=True)
class LineRow:
    """One budget line with its codes, their hierarchy and its amounts (sen)."""

    line_id: str
    year: int
    opd: str
    urusan: str | None
    bidang_urusan: str | None
    program: str | None
    kegiatan: str | None
    sub_kegiatan: str | None
    account: str
    akun: str
    kelompok: str
    jenis: str
    objek: str
    rincian_objek: str
    group: str
    funding_source: str
    description: str | None
    appropriated_sen: int
    revised_sen: int
    shifted_sen: int
    budget_sen: int
    committed_sen: int
    paid_committed_sen: int
    paid_uncommitted_sen: int
    realised_sen: int
    available_sen: int
    allotted_sen: int
    allotted_by_month: tuple[int, ...]
    realised_by_month: tuple[int, ...]
    opened_seq: int
    updated_seq: int
    shift_seqs: tuple[int, ...]

    @classmethod
    def from_document(cls, doc: Document, updated_seq: int) -> LineRow:
        account = parse_account_code(doc["account"])
        programme = (
            None if doc["sub_kegiatan"] is None else parse_programme_code(doc["sub_kegiatan"])
        )

        def level(name: ProgrammeLevel) -> str | None:
            return None if programme is None else programme.ancestor(name)

        return cls(
            line_id=doc["line_id"],
            year=doc["year"],
            opd=doc["opd"],
            urusan=level(ProgrammeLevel.URUSAN),
            bidang_urusan=level(ProgrammeLevel.BIDANG_URUSAN),
            program=level(ProgrammeLevel.PROGRAM),
            kegiatan=level(ProgrammeLevel.KEGIATAN),
            sub_kegiatan=doc["sub_kegiatan"],
            account=doc["account"],
            akun=account.ancestor(AccountLevel.AKUN),
            kelompok=account.ancestor(AccountLevel.KELOMPOK),
            jenis=account.ancestor(AccountLevel.JENIS),
            objek=account.ancestor(AccountLevel.OBJEK),
            rincian_objek=account.ancestor(AccountLevel.RINCIAN_OBJEK),
            group=doc["group"],
            funding_source=doc["funding_source"],
            description=doc["description"],
            allotted_by_month=tuple(doc["allotted_by_month"]),
            realised_by_month=tuple(doc["realised_by_month"]),
            opened_seq=doc["opened_seq"],
            updated_seq=updated_seq,
            shift_seqs=tuple(doc["shift_seqs"]),
            **{field: doc[field] for field in AMOUNT_FIELDS},
        )

    def as_record(self) -> dict[str, Any]:
        """A flat dict: months as ``allotted_m01..m12`` and ``realised_m01..m12``."""
        record = asdict(self)
        for name in ("allotted_by_month", "realised_by_month"):
            prefix = name.split("_")[0]
            for index, value in enumerate(record.pop(name), start=1):
                record[f"{prefix}_m{index:02d}"] = value
        record["shift_seqs"] = list(self.shift_seqs)
        return record


def _line_pattern(
    year: int | None,
    opd: str | None,
    programme: str | None,
    account: str | None,
    funding_source: str | None,
) -> str | None:
    """A LIKE pattern over line ids. Line ids have exactly four ``:`` and codes hold no
    ``:``, ``%`` or ``_``, so each literal ``:`` of the pattern meets its own segment."""
    if not any(v is not None for v in (year, opd, programme, account, funding_source)):
        return None

    def prefix(code: str | None, leaf_parts: int) -> str:
        if code is None:
            return "%"
        return code if code.count(".") + 1 == leaf_parts else code + ".%"

    return ":".join(
        (
            "%" if year is None else str(year),
            "%" if opd is None else opd,
            prefix(programme, 6),
            prefix(account, 6),
            "%" if funding_source is None else funding_source,
        )
    )


def _matches(
    doc: Document,
    year: int | None,
    opd: str | None,
    programme: str | None,
    account: str | None,
    funding_source: str | None,
) -> bool:
    """The exact filter (SQLite's LIKE ignores ASCII case; this does not)."""

    def under(code: str | None, prefix: str | None) -> bool:
        return prefix is None or (
            code is not None and (code == prefix or code.startswith(prefix + "."))
        )

    return (
        (year is None or doc["year"] == year)
        and (opd is None or doc["opd"] == opd)
        and under(doc["sub_kegiatan"], programme)
        and under(doc["account"], account)
        and (funding_source is None or doc["funding_source"] == funding_source)
    )


def iter_line_rows(
    conn: Connection,
    *,
    year: int | None = None,
    opd: str | None = None,
    programme: str | None = None,
    account: str | None = None,
    funding_source: str | None = None,
    after: str = "",
    limit: int | None = None,
) -> Iterator[LineRow]:
    """Lines in line-id order after ``after``, filtered; ``programme`` and ``account``
    are code prefixes at a level boundary (``5.1`` matches ``5.1.02.01.01.0024``)."""
    pattern = _line_pattern(year, opd, programme, account, funding_source)
    p = storage.projection_rows.c
    yielded = 0
    cursor = after
    while limit is None or yielded < limit:
        query = select(p.key, p.value, p.updated_seq).where(p.namespace == NS_LINE, p.key > cursor)
        if pattern is not None:
            query = query.where(p.key.like(pattern))
        rows = conn.execute(query.order_by(p.key).limit(SCAN_ROWS_PER_QUERY)).all()
        for key, value, updated_seq in rows:
            cursor = key
            doc = json.loads(value)
            if not _matches(doc, year, opd, programme, account, funding_source):
                continue
            yield LineRow.from_document(doc, int(updated_seq))
            yielded += 1
            if limit is not None and yielded >= limit:
                return
        if len(rows) < SCAN_ROWS_PER_QUERY:
            return


def get_line_row(conn: Connection, line_id: str) -> LineRow | None:
    found = _get(conn, NS_LINE, line_id)
    return None if found is None else LineRow.from_document(*found)


def line_history(conn: Connection, row: LineRow) -> tuple[list[int], bool]:
    """Seqs of every entry about the line, in log order, and whether the list was cut
    at ``HISTORY_SEQS_MAX``: entries whose subject is the line (postings and their
    reversals) plus the pergeseran that touched it (their subject is the shift's)."""
    e = storage.entries.c
    seqs = [
        int(seq)
        for (seq,) in conn.execute(
            select(e.seq)
            .where(e.subject == row.line_id, e.statement_type.like("budgeting.%"))
            .order_by(e.seq)
            .limit(HISTORY_SEQS_MAX + 1)
        )
    ]
    merged = sorted({*seqs, *row.shift_seqs})
    return merged[:HISTORY_SEQS_MAX], len(merged) > HISTORY_SEQS_MAX


@dataclass(frozen=True)
class FiscalYearRow:
    year: int
    name: str
    line_count: int
    totals: dict[str, dict[str, int]]
    """Per budget group, the sums (sen) of the lines' amount fields."""
    registered_seq: int
    updated_seq: int


def get_fiscal_year(conn: Connection, year: int) -> FiscalYearRow | None:
    found = _get(conn, NS_FISCAL_YEAR, str(year))
    if found is None:
        return None
    doc, updated_seq = found
    return FiscalYearRow(
        year=doc["year"],
        name=doc["name"],
        line_count=doc["line_count"],
        totals=doc["totals"],
        registered_seq=doc["registered_seq"],
        updated_seq=updated_seq,
    )


@dataclass(frozen=True)
class StructureRow:
    kind: str
    code: str
    name: str
    level: str | None
    parent: str | None
    registered_seq: int


def iter_structure_rows(
    conn: Connection, kind: str, *, after: str = "", limit: int | None = None
) -> Iterator[StructureRow]:
    """Registered codes of one kind (``fiscal_year``, ``opd``, ``programme``, ``account``,
    ``funding_source``) in code order."""
    for key, doc, _ in _scan(conn, STRUCTURE_NAMESPACES[kind], after=after, limit=limit):
        yield StructureRow(
            kind=kind,
            code=key,
            name=doc["name"],
            level=doc.get("level"),
            parent=doc.get("parent"),
            registered_seq=doc["registered_seq"],
        )


def structure_names(conn: Connection) -> dict[str, dict[str, str]]:
    """Every registered code's name, by kind: the labels a report puts beside codes."""
    return {
        kind: {row.code: row.name for row in iter_structure_rows(conn, kind)}
        for kind in STRUCTURE_NAMESPACES
    }


@dataclass(frozen=True)
class PostingRow:
    """What one posting did (amounts in sen); a reversal names ``reverses_seq``."""

    seq: int
    type: str
    posting_id: str
    subject: str
    year: int
    line_id: str | None
    amount_sen: int | None
    date: str | None
    month: int | None
    commitment: str | None
    months: tuple[tuple[int, int], ...] | None
    moves: tuple[tuple[str, int], ...] | None
    document: str | None
    description: str | None
    reverses_seq: int | None
    reversed_by_seq: int | None


def iter_posting_rows(
    conn: Connection,
    *,
    year: int | None = None,
    types: Collection[str] | None = None,
    after_seq: int = -1,
    limit: int | None = None,
) -> Iterator[PostingRow]:
    """Postings in log order (optionally of one year and some types)."""
    after = "" if after_seq < 0 else f"{after_seq:012d}"
    yielded = 0
    for _, doc, _ in _scan(conn, NS_POSTING, after=after):
        if (year is not None and doc["year"] != year) or (
            types is not None and doc["type"] not in types
        ):
            continue
        yield PostingRow(
            seq=doc["seq"],
            type=doc["type"],
            posting_id=doc["posting_id"],
            subject=doc["subject"],
            year=doc["year"],
            line_id=doc["line_id"],
            amount_sen=doc["amount_sen"],
            date=doc["date"],
            month=doc["month"],
            commitment=doc["commitment"],
            months=None if doc["months"] is None else tuple((m, a) for m, a in doc["months"]),
            moves=None if doc["moves"] is None else tuple((ln, a) for ln, a in doc["moves"]),
            document=doc["document"],
            description=doc["description"],
            reverses_seq=doc["reverses_seq"],
            reversed_by_seq=doc["reversed_by_seq"],
        )
        yielded += 1
        if limit is not None and yielded >= limit:
            return


@dataclass(frozen=True)
class CommitmentRow:
    posting_id: str
    seq: int
    line_id: str
    amount_sen: int
    paid_sen: int
    date: str
    contract_reference: str
    ocid: str | None
    vendor: str | None
    description: str | None
    reversed_by_seq: int | None
    released_sen: int = 0
    """Given back to the line (``budgeting.commitment.released``); ``amount_sen`` is net."""

    @property
    def remaining_sen(self) -> int:
        return 0 if self.reversed_by_seq is not None else self.amount_sen - self.paid_sen


def _commitment_row(doc: Document) -> CommitmentRow:
    # ``released_sen`` is absent from commitments a projection stored before releases.
    return CommitmentRow(
        **{name: doc[name] for name in CommitmentRow.__dataclass_fields__ if name in doc}
    )


def get_commitment(conn: Connection, posting_id: str) -> CommitmentRow | None:
    found = _get(conn, NS_COMMITMENT, posting_id)
    return None if found is None else _commitment_row(found[0])


def iter_commitment_rows(conn: Connection, *, year: int | None = None) -> Iterator[CommitmentRow]:
    prefix = "" if year is None else f"{year}:"
    for _, doc, _ in _scan(conn, NS_COMMITMENT):
        if doc["line_id"].startswith(prefix):
            yield _commitment_row(doc)


# -- standard price lists and komponen ----------------------------------------------------


@dataclass(frozen=True)
class KomponenRow:
    """One komponen of a line's rincian (sen); ``standard_price_sen`` is the item's price
    in the version it was priced from (None when priced from no standard)."""

    index: int
    uraian: str
    volume: str
    satuan: str
    unit_price_sen: int
    total_sen: int
    price_list: str | None
    version: int | None
    item: str | None
    standard_price_sen: int | None
    above_standard: bool
    reason: str | None


@dataclass(frozen=True)
class KomponenSetRow:
    line_id: str
    year: int
    posting_id: str
    set_seq: int
    set_seqs: tuple[int, ...]
    document: str | None
    total_sen: int
    above_standard_count: int
    komponen: tuple[KomponenRow, ...]


def _komponen_set_row(doc: Document) -> KomponenSetRow:
    return KomponenSetRow(
        line_id=doc["line_id"],
        year=doc["year"],
        posting_id=doc["posting_id"],
        set_seq=doc["set_seq"],
        set_seqs=tuple(doc["set_seqs"]),
        document=doc["document"],
        total_sen=doc["total_sen"],
        above_standard_count=doc["above_standard_count"],
        komponen=tuple(
            KomponenRow(
                index=index,
                **{
                    name: item[name] for name in KomponenRow.__dataclass_fields__ if name != "index"
                },
            )
            for index, item in enumerate(doc["komponen"])
        ),
    )


def get_komponen(conn: Connection, line_id: str) -> KomponenSetRow | None:
    """The line's komponen as last set, or None if it never had any."""
    found = _get(conn, NS_KOMPONEN, line_id)
    return None if found is None else _komponen_set_row(found[0])


def iter_komponen_sets(
    conn: Connection,
    *,
    year: int,
    above_standard: bool = False,
    after: str = "",
    limit: int | None = None,
) -> Iterator[KomponenSetRow]:
    """Komponen sets of a fiscal year's lines in line-id order after ``after``;
    ``above_standard`` keeps only those with a komponen priced above its standard."""
    prefix = f"{year}:"
    yielded = 0
    for _key, doc, _ in _scan_prefix(conn, NS_KOMPONEN, prefix, after=after):
        if above_standard and not doc["above_standard_count"]:
            continue
        yield _komponen_set_row(doc)
        yielded += 1
        if limit is not None and yielded >= limit:
            return


@dataclass(frozen=True)
class PriceVersionRow:
    version: int
    item_count: int
    started_seq: int
    seqs: tuple[int, ...]
    document: str | None


@dataclass(frozen=True)
class PriceListRow:
    list_id: str
    name: str | None
    latest_version: int
    versions: tuple[PriceVersionRow, ...]


@dataclass(frozen=True)
class PriceItemRow:
    code: str
    uraian: str
    satuan: str
    kind: str
    unit_price_sen: int
    seq: int


def get_price_list(conn: Connection, list_id: str) -> PriceListRow | None:
    found = _get(conn, NS_PRICE_LIST, list_id)
    if found is None:
        return None
    doc = found[0]
    return PriceListRow(
        list_id=doc["list_id"],
        name=doc["name"],
        latest_version=doc["latest_version"],
        versions=tuple(
            PriceVersionRow(
                version=v["version"],
                item_count=v["item_count"],
                started_seq=v["started_seq"],
                seqs=tuple(v["seqs"]),
                document=v["document"],
            )
            for v in doc["versions"]
        ),
    )


def iter_price_items(
    conn: Connection, list_id: str, version: int, *, after: str = "", limit: int | None = None
) -> Iterator[PriceItemRow]:
    """One version's items in code order after the code ``after``."""
    prefix = price_item_key(list_id, version, "")
    start = price_item_key(list_id, version, after) if after else ""
    for count, (_, doc, _) in enumerate(
        _scan_prefix(conn, NS_PRICE_ITEM, prefix, after=start), start=1
    ):
        yield PriceItemRow(**{name: doc[name] for name in PriceItemRow.__dataclass_fields__})
        if limit is not None and count >= limit:
            return


# -- plumbing ----------------------------------------------------------------------------


def _scan_prefix(
    conn: Connection, namespace: str, prefix: str, *, after: str = ""
) -> Iterator[tuple[str, Document, int]]:
    """(key, document, updated_seq) of the keys starting with ``prefix``, in key order
    after ``after``. LIKE narrows (its wildcards escaped); the exact test is here, as
    SQLite's LIKE ignores ASCII case."""
    p = storage.projection_rows.c
    escaped = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    cursor = max(after, prefix)
    while True:
        rows = conn.execute(
            select(p.key, p.value, p.updated_seq)
            .where(
                p.namespace == namespace,
                p.key > cursor,
                p.key.like(escaped + "%", escape="\\"),
            )
            .order_by(p.key)
            .limit(SCAN_ROWS_PER_QUERY)
        ).all()
        for key, value, updated_seq in rows:
            if key.startswith(prefix):
                yield key, json.loads(value), int(updated_seq)
        if len(rows) < SCAN_ROWS_PER_QUERY:
            return
        cursor = rows[-1].key


def _get(conn: Connection, namespace: str, key: str) -> tuple[Document, int] | None:
    p = storage.projection_rows.c
    row = conn.execute(
        select(p.value, p.updated_seq).where(p.namespace == namespace, p.key == key)
    ).first()
    return None if row is None else (json.loads(row.value), int(row.updated_seq))


def _scan(
    conn: Connection, namespace: str, *, after: str = "", limit: int | None = None
) -> Iterator[tuple[str, Document, int]]:
    """(key, document, updated_seq) of a namespace in key order, a page per query."""
    p = storage.projection_rows.c
    cursor = after
    yielded = 0
    while True:
        page = SCAN_ROWS_PER_QUERY if limit is None else min(SCAN_ROWS_PER_QUERY, limit - yielded)
        if page <= 0:
            return
        rows = conn.execute(
            select(p.key, p.value, p.updated_seq)
            .where(p.namespace == namespace, p.key > cursor)
            .order_by(p.key)
            .limit(page)
        ).all()
        for key, value, updated_seq in rows:
            yield key, json.loads(value), int(updated_seq)
        yielded += len(rows)
        if len(rows) < page:
            return
        cursor = rows[-1].key
