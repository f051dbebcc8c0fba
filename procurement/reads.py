"""Read models: projection documents and log entries, each read with the tree size.

Every read opens one connection and reads the tree size first, then the rows; on
both engines the rows are at least as new as that size (the sequencer commits entries
and projections together), so a response's ``tree_size`` is a lower bound on the log
state it shows. Every list is paginated with a key cursor and a ``*_max`` page size.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.engine import Connection

from ledger import storage

PAGE_ITEMS_MAX = 500
SCAN_ROWS_MAX = 20_000
"""Projection rows one filtered list request may examine before it returns a short page."""


@dataclass(frozen=True)
class EntrySummary:
    seq: int
    type: str
    subject: str
    signer: str
    logged_at: str
    body: dict[str, Any]


def document(conn: Connection, namespace: str, key: str) -> dict[str, Any] | None:
    p = storage.projection_rows.c
    raw = conn.execute(select(p.value).where(p.namespace == namespace, p.key == key)).scalar()
    return None if raw is None else dict(json.loads(raw))


def documents(conn: Connection, namespace: str, keys: list[str]) -> dict[str, dict[str, Any]]:
    p = storage.projection_rows.c
    found: dict[str, dict[str, Any]] = {}
    for start in range(0, len(keys), 400):
        rows = conn.execute(
            select(p.key, p.value).where(
                p.namespace == namespace, p.key.in_(keys[start : start + 400])
            )
        )
        for key, value in rows:
            found[key] = json.loads(value)
    return found


def scan(
    conn: Connection, namespace: str, after_key: str, chunk: int = 500
) -> Iterator[tuple[str, dict[str, Any]]]:
    """Documents of one namespace in key order after ``after_key``, at most SCAN_ROWS_MAX."""
    p = storage.projection_rows.c
    seen = 0
    cursor = after_key
    while seen < SCAN_ROWS_MAX:
        rows = conn.execute(
            select(p.key, p.value)
            .where(p.namespace == namespace, p.key > cursor)
            .order_by(p.key)
            .limit(chunk)
        ).all()
        if not rows:
            return
        for key, value in rows:
            seen += 1
            cursor = key
            yield key, json.loads(value)
        if len(rows) < chunk:
            return


def entries_about(
    conn: Connection,
    *,
    subject: str | None = None,
    signer: str | None = None,
    after_seq: int = -1,
    limit: int = 100,
) -> list[EntrySummary]:
    """Entries whose subject is ``subject`` or whose signer is ``signer``, by seq."""
    e = storage.entries.c
    conditions = []
    if subject is not None:
        conditions.append(e.subject == subject)
    if signer is not None:
        conditions.append(e.signer == signer)
    rows = conn.execute(
        select(e.entry_bytes)
        .where(e.seq > after_seq, or_(*conditions))
        .order_by(e.seq)
        .limit(limit)
    ).all()
    result = []
    for (raw,) in rows:
        value = json.loads(bytes(raw))
        statement = value["statement"]
        result.append(
            EntrySummary(
                seq=value["seq"],
                type=statement["type"],
                subject=statement["subject"],
                signer=statement["signer"],
                logged_at=value["logged_at"],
                body=statement["body"],
            )
        )
    return result


def prefixed(
    conn: Connection, namespace: str, prefix: str, limit: int = 10_000
) -> list[dict[str, Any]]:
    """Documents whose key starts with ``prefix`` (a key range, not a scan of the namespace)."""
    p = storage.projection_rows.c
    # "|" is the key separator; "}" sorts right after it, closing the range.
    upper = prefix[:-1] + chr(ord(prefix[-1]) + 1)
    rows = conn.execute(
        select(p.value)
        .where(p.namespace == namespace, p.key >= prefix, p.key < upper)
        .order_by(p.key)
        .limit(limit)
    ).all()
    return [json.loads(value) for (value,) in rows]


def scan_bound_reached(conn: Connection, namespace: str, after_key: str, last_key: str) -> bool:
    """True when a filtered scan stopped at ``SCAN_ROWS_MAX`` with rows left after it."""
    p = storage.projection_rows.c
    examined = conn.execute(
        select(func.count()).where(p.namespace == namespace, p.key > after_key, p.key <= last_key)
    ).scalar_one()
    if examined < SCAN_ROWS_MAX:
        return False
    more = conn.execute(
        select(p.key).where(p.namespace == namespace, p.key > last_key).limit(1)
    ).first()
    return more is not None
