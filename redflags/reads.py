"""Reading red flags: filtered, bounded pages of ``redflags.flag`` documents.

Each page is one snapshot (``ledger.reads``) and examines at most
``procurement.FILTER_WINDOW_ROWS_MAX`` rows, with the same engine-neutral JSON
conditions the tender list uses (a raw-text prefilter, then the parsed field); a page
that reaches the end of its window short says where the next window starts.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement
from sqlalchemy.engine import Connection

from procurement import reads as procurement_reads
from procurement.limits import FILTER_WINDOW_ROWS_MAX
from procurement.reads import FilteredPage
from redflags.namespaces import FLAG_NAMESPACE

STATUSES = ("raised", "cleared")
CSV_COLUMNS = (
    "rule",
    "status",
    "ocid",
    "title",
    "opd",
    "year",
    "vendors",
    "value",
    "inputs",
    "thresholds",
    "seqs",
    "raised_seq",
    "changed_seq",
    "cleared_seq",
    "rule_version",
    "key",
)


@dataclass(frozen=True)
class FlagFilter:
    """What a flag list asks for; ``None`` means any (``status=None``: raised and cleared)."""

    rule: str | None = None
    ocid: str | None = None
    vendor: str | None = None
    opd: str | None = None
    year: int | None = None
    status: str | None = "raised"


def find_flags(
    conn: Connection,
    wanted: FlagFilter,
    *,
    after: str = "",
    limit: int = 100,
    window: int = FILTER_WINDOW_ROWS_MAX,
) -> FilteredPage:
    """Flag documents matching ``wanted``, in key order (``<ocid or subject>|<rule>``)."""
    f = procurement_reads.JsonFields(conn)
    conditions: list[ColumnElement[bool]] = []
    for name, value in (
        ("rule", wanted.rule),
        ("ocid", wanted.ocid),
        ("opd", wanted.opd),
        ("status", wanted.status),
    ):
        if value is not None:
            conditions += f.equals(name, value)
    if wanted.year is not None:
        conditions.append(f.integer("year") == wanted.year)
    if wanted.vendor is not None:
        # "vendors" is a list: the raw text holds the id in quotes; the recheck is exact.
        conditions += f.raw_contains(json.dumps(wanted.vendor))

    def recheck(doc: dict[str, Any]) -> bool:
        return wanted.vendor is None or wanted.vendor in doc["vendors"]

    return procurement_reads.window_page(
        conn, FLAG_NAMESPACE, conditions, recheck, after=after, limit=limit, window=window
    )


def flags_of(conn: Connection, ocid: str) -> list[dict[str, Any]]:
    """Every flag of one tender, raised and cleared, in rule order (a key range)."""
    return procurement_reads.prefixed(conn, FLAG_NAMESPACE, ocid + "|", limit=100)


def flags_of_subject(conn: Connection, subject: str) -> list[dict[str, Any]]:
    """The flags of ``opd:<code>`` (R038) or ``vendor:<id>`` (R038, R025, R048)."""
    return procurement_reads.prefixed(conn, FLAG_NAMESPACE, subject + "|", limit=100)


def csv_row(doc: dict[str, Any]) -> dict[str, str]:
    """One flag as a CSV row: lists space-separated, figures as compact JSON."""
    return {
        "rule": doc["rule"],
        "status": doc["status"],
        "ocid": doc["ocid"] or "",
        "title": doc["title"] or "",
        "opd": doc["opd"] or "",
        "year": "" if doc["year"] is None else str(doc["year"]),
        "vendors": " ".join(doc["vendors"]),
        "value": doc["value"],
        "inputs": json.dumps(doc["inputs"], sort_keys=True, ensure_ascii=False),
        "thresholds": json.dumps(doc["thresholds"], sort_keys=True, ensure_ascii=False),
        "seqs": " ".join(str(s) for s in doc["seqs"]),
        "raised_seq": str(doc["raised_seq"]),
        "changed_seq": str(doc["changed_seq"]),
        "cleared_seq": "" if doc["cleared_seq"] is None else str(doc["cleared_seq"]),
        "rule_version": doc["rule_version"],
        "key": doc["key"],
    }


def to_csv(docs: list[dict[str, Any]]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    for doc in docs:
        writer.writerow(csv_row(doc))
    return out.getvalue().encode("utf-8")
