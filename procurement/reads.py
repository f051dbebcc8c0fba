"""Read models: projection documents and log entries, each read with the tree size.

Every read opens one connection and reads the tree size first, then the rows; on
both engines the rows are at least as new as that size (the sequencer commits entries
and projections together), so a response's ``tree_size`` is a lower bound on the log
state it shows. Every list is paginated with a key cursor and a ``*_max`` page size.
"""

from __future__ import annotations

import json
import string
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import JSON, BigInteger, ColumnElement, cast, func, or_, select
from sqlalchemy.engine import Connection

from ledger import storage
from ledger.errors import InvariantBroken, require
from ledger.limits import Limits
from ledger.statement import LoggedEntry
from procurement.lifecycle import TENDER_NAMESPACE
from procurement.limits import (
    FILTER_WINDOW_ROWS_MAX,
    SCAN_ROWS_MAX,
)
from procurement.namespaces import CONTRACT_NAMESPACE, RUP_NAMESPACE
from procurement.vendors import VENDOR_NAMESPACE


@dataclass(frozen=True)
class EntrySummary:
    seq: int
    type: str
    subject: str
    signer: str
    logged_at: str
    body: dict[str, Any]


def summary_of(entry_bytes: bytes) -> EntrySummary:
    """The summary of one logged entry, from its stored bytes (``entries.entry_bytes``)."""
    value = json.loads(entry_bytes)
    statement = value["statement"]
    return EntrySummary(
        seq=value["seq"],
        type=statement["type"],
        subject=statement["subject"],
        signer=statement["signer"],
        logged_at=value["logged_at"],
        body=statement["body"],
    )


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
    """Documents of one namespace in key order after ``after_key``, at most SCAN_ROWS_MAX:
    a caller that stops early must say where it stopped (``scan_bound_reached``)."""
    p = storage.projection_rows.c
    seen = 0
    cursor = after_key
    while seen < SCAN_ROWS_MAX:
        wanted = min(chunk, SCAN_ROWS_MAX - seen)
        rows = conn.execute(
            select(p.key, p.value)
            .where(p.namespace == namespace, p.key > cursor)
            .order_by(p.key)
            .limit(wanted)
        ).all()
        if not rows:
            return
        for key, value in rows:
            seen += 1
            cursor = key
            yield key, json.loads(value)
        if len(rows) < wanted:
            return


def entries_about(
    conn: Connection,
    *,
    subject: str | None = None,
    signer: str | None = None,
    after_seq: int = -1,
    limit: int = 100,
) -> list[EntrySummary]:
    """Entries whose subject is ``subject`` or whose signer is ``signer``, by seq.

    One index-ordered query per condition, merged here: an ``OR`` of the two made
    PostgreSQL walk the primary key and skip every other entry of the log for a busy
    signer (indexes ``(subject, seq)`` and ``(signer, seq)``, migration 0004).
    """
    e = storage.entries.c
    conditions = []
    if subject is not None:
        conditions.append(e.subject == subject)
    if signer is not None:
        conditions.append(e.signer == signer)
    found: dict[int, bytes] = {}
    for condition in conditions:
        query = (
            select(e.seq, e.entry_bytes)
            .where(condition, e.seq > after_seq)
            .order_by(e.seq)
            .limit(limit)
        )
        found.update((int(seq), bytes(raw)) for seq, raw in conn.execute(query))
    return [summary_of(found[seq]) for seq in sorted(found)[:limit]]


def logged_entries_about(
    conn: Connection, subject: str, *, limits: Limits, limit: int
) -> list[LoggedEntry]:
    """The first ``limit`` entries whose subject is ``subject``, by seq, parsed strictly
    (``LoggedEntry.parse``): what a replay of one subject feeds its reducers."""
    e = storage.entries.c
    query = select(e.entry_bytes).where(e.subject == subject).order_by(e.seq).limit(limit)
    return [LoggedEntry.parse(bytes(raw), limits) for (raw,) in conn.execute(query)]


def subject_leaves(conn: Connection, subject: str, *, limit: int) -> list[tuple[int, bytes]]:
    """(seq, leaf hash) of the first ``limit`` entries whose subject is ``subject``: what
    tells a cached replay of them is still of these very entries (a leaf hash commits to
    its entry, and through ``prev`` to every entry before it)."""
    e = storage.entries.c
    query = select(e.seq, e.leaf_hash).where(e.subject == subject).order_by(e.seq).limit(limit)
    return [(int(seq), bytes(leaf)) for seq, leaf in conn.execute(query)]


PREFIXED_CHUNK_ROWS = 500
"""Rows per query when ``iter_prefixed`` walks a key range."""


def _key_range(prefix: str) -> tuple[str, str]:
    """``[prefix, upper)``: the keys that start with ``prefix``."""
    require(prefix != "", InvariantBroken("a key range needs a non-empty prefix"))
    # "|" is the key separator; "}" sorts right after it, closing the range.
    return prefix, prefix[:-1] + chr(ord(prefix[-1]) + 1)


@dataclass(frozen=True)
class PrefixedPage:
    items: list[dict[str, Any]]
    next_after: str | None
    """The last item's key without ``prefix``, when more documents follow; else ``None``."""


def prefixed_page(
    conn: Connection, namespace: str, prefix: str, *, after: str = "", limit: int
) -> PrefixedPage:
    """At most ``limit`` documents whose key starts with ``prefix``, in key order, after
    the key ``prefix + after`` (``after=""``: from the first). ``next_after`` is set only
    when another document follows (one extra row is read to know), so a list that ends
    on a full page ends there, with no empty page after it."""
    require(limit >= 1, InvariantBroken("limit must be positive"))
    p = storage.projection_rows.c
    lower, upper = _key_range(prefix)
    start = p.key > prefix + after if after else p.key >= lower
    rows = conn.execute(
        select(p.key, p.value)
        .where(p.namespace == namespace, start, p.key < upper)
        .order_by(p.key)
        .limit(limit + 1)
    ).all()
    items = [json.loads(value) for _, value in rows[:limit]]
    more = len(rows) > limit
    return PrefixedPage(items, rows[limit - 1][0][len(prefix) :] if more else None)


def iter_prefixed(
    conn: Connection, namespace: str, prefix: str, *, chunk: int = PREFIXED_CHUNK_ROWS
) -> Iterator[dict[str, Any]]:
    """Every document whose key starts with ``prefix``, in key order, ``chunk`` rows a
    query: no bound on the total, so use it only where the caller needs them all."""
    after = ""
    while True:
        page = prefixed_page(conn, namespace, prefix, after=after, limit=chunk)
        yield from page.items
        if page.next_after is None:
            return
        after = page.next_after


def prefixed(
    conn: Connection, namespace: str, prefix: str, limit: int = 10_000
) -> list[dict[str, Any]]:
    """Every document whose key starts with ``prefix`` (a key range, not a scan of the
    namespace), for callers that know the range holds at most ``limit``.

    Never truncates: more than ``limit`` documents is a broken expectation of the
    caller (``InvariantBroken``), not a shorter list. Lists that can grow use
    ``prefixed_page`` (the read API) or ``iter_prefixed``."""
    page = prefixed_page(conn, namespace, prefix, limit=limit)
    require(
        page.next_after is None,
        InvariantBroken(f"more than {limit} documents in {namespace} under {prefix!r}"),
    )
    return page.items


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


# -- filtered pages (the portal's lists): a bounded key window, filtered in the database --

FILTER_CHUNK_ROWS = 500
"""Rows per query inside a window: the query stops at its first ``limit + 1`` matches,
so a page of common matches reads one chunk, not the whole window."""


@dataclass(frozen=True)
class TenderFilter:
    """What a tender list asks for; ``None`` means any. Amounts in sen, bounds inclusive.

    ``text`` matches the title or the ocid, ignoring the case of ASCII letters only, on
    both engines alike (PostgreSQL's ``lower()`` folds more; matches are re-checked)."""

    state: str | None = None
    method: str | None = None
    category: str | None = None
    year: int | None = None
    opd: str | None = None
    hps_min_sen: int | None = None
    hps_max_sen: int | None = None
    text: str | None = None


@dataclass(frozen=True)
class VendorFilter:
    """``text`` matches the name, the NPWP or the vendor id (ASCII case ignored)."""

    status: str | None = None
    text: str | None = None


@dataclass(frozen=True)
class FilteredPage:
    items: list[dict[str, Any]]
    next_after: str | None
    """The key to pass as ``after`` for the next page; ``None`` when nothing follows."""
    window_ended: bool
    """True when the page is short because its window ended, not because the data did."""


_ASCII_LOWER = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)


def _ascii_lower(text: str) -> str:
    return text.translate(_ASCII_LOWER)


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def projection_json(value: Any) -> str:
    """A document as the sequencer writes it (``StoredState.flush``: sorted keys, no
    spaces, ASCII only). The raw-text prefilters below rely on it (a test checks it);
    the exact checks do not."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


_RAW_SAFE = frozenset(string.printable) - frozenset('"\\\t\n\r\x0b\x0c')


class JsonFields:
    """Conditions on the JSON object in ``projection_rows.value``, per engine (also for
    other rooms' lists: ``redflags.reads``).

    Each condition is a cheap, necessary one on the raw text (a substring: no JSON
    parse) followed by the exact one on the parsed field (SQLite ``json_extract``, PostgreSQL
    ``CAST(value AS JSON) ->> name``); PostgreSQL evaluates them in that order."""

    def __init__(self, conn: Connection) -> None:
        self.postgresql = conn.dialect.name == "postgresql"
        self.value = storage.projection_rows.c.value

    def _field(self, name: str) -> ColumnElement[Any]:
        if self.postgresql:
            field: ColumnElement[Any] = cast(self.value, JSON)[name].as_string()
            return field
        return func.json_extract(self.value, f"$.{name}")

    def _raw_contains(self, fragment: str, *, folded: bool = False) -> ColumnElement[bool]:
        text = func.lower(self.value) if folded else self.value
        found: ColumnElement[int] = (
            func.strpos(text, fragment) if self.postgresql else func.instr(text, fragment)
        )
        return found > 0

    def raw_contains(self, fragment: str) -> list[ColumnElement[bool]]:
        """The document's JSON text holds ``fragment`` verbatim: a necessary condition
        only, for values inside lists; the caller rechecks the parsed document."""
        return [self._raw_contains(fragment)]

    def equals(self, name: str, value: str) -> list[ColumnElement[bool]]:
        raw = projection_json({name: value})[1:-1]  # "name":"value"
        return [self._raw_contains(raw), self._field(name) == value]

    def integer(self, name: str) -> ColumnElement[Any]:
        field = self._field(name)
        return cast(field, BigInteger) if self.postgresql else field

    def contains_folded(self, names: tuple[str, ...], needle: str) -> list[ColumnElement[bool]]:
        """Some field of ``names`` contains ``needle``, ASCII letters of any case."""
        folded = _ascii_lower(needle)
        pattern = "%" + _like_escape(folded) + "%"
        exact = or_(*(func.lower(self._field(n)).like(pattern, escape="\\") for n in names))
        if not set(needle) <= _RAW_SAFE:
            return [exact]  # escaped in the JSON text: only the parsed fields can tell
        return [self._raw_contains(folded, folded=True), exact]

    def within(self, name: str, code: str) -> list[ColumnElement[bool]]:
        """``name`` is a ``:``-separated id holding ``code`` as a whole segment."""
        pattern = "%:" + _like_escape(code) + ":%"
        return [self._raw_contains(":" + code + ":"), self._field(name).like(pattern, escape="\\")]


def _contains_folded(doc: dict[str, Any], names: tuple[str, ...], needle: str) -> bool:
    folded = _ascii_lower(needle)
    return any(folded in _ascii_lower(str(doc[n] or "")) for n in names)


def window_page(
    conn: Connection,
    namespace: str,
    conditions: list[ColumnElement[bool]],
    recheck: Callable[[dict[str, Any]], bool],
    *,
    after: str,
    limit: int,
    window: int,
) -> FilteredPage:
    """Documents passing ``conditions`` and ``recheck``, in key order after ``after``,
    examining at most ``window`` rows.

    The window is read in chunks of ``FILTER_CHUNK_ROWS`` keys: an index range read finds
    the chunk's last key, then one query reads the chunk's rows that pass ``conditions``,
    stopping at ``limit + 1`` matches (left to itself, PostgreSQL's planner filters the
    whole range before sorting). ``recheck`` applies in Python what SQL cannot say the
    same way on both engines; when it drops a row the chunk is read on."""
    require(limit >= 1 and window >= 1, InvariantBroken("limit and window must be positive"))
    p = storage.projection_rows.c
    found: list[dict[str, Any]] = []
    found_last_key = after
    cursor = after
    examined = 0
    while examined < window:
        # The end of the next chunk of keys (None: the namespace ends inside it).
        chunk = min(FILTER_CHUNK_ROWS, window - examined)
        end = conn.execute(
            select(p.key)
            .where(p.namespace == namespace, p.key > cursor)
            .order_by(p.key)
            .offset(chunk - 1)
            .limit(1)
        ).scalar()
        bounds = [p.namespace == namespace, *([] if end is None else [p.key <= end])]
        while True:
            wanted = limit + 1 - len(found)
            rows = conn.execute(
                select(p.key, p.value)
                .where(*bounds, p.key > cursor, *conditions)
                .order_by(p.key)
                .limit(wanted)
            ).all()
            for key, value in rows:
                cursor = key
                doc = json.loads(value)
                if not recheck(doc):
                    continue
                if len(found) == limit:
                    return FilteredPage(found, next_after=found_last_key, window_ended=False)
                found.append(doc)
                found_last_key = key
            if len(rows) < wanted:
                break  # the chunk has no more matches (``recheck`` dropped none or some)
        if end is None:
            return FilteredPage(found, next_after=None, window_ended=False)
        cursor = end
        examined += chunk
    more = conn.execute(
        select(p.key).where(p.namespace == namespace, p.key > cursor).limit(1)
    ).first()
    if more is None:  # the window ended exactly at the last row
        return FilteredPage(found, next_after=None, window_ended=False)
    return FilteredPage(found, next_after=cursor, window_ended=True)


def find_tenders(
    conn: Connection,
    wanted: TenderFilter,
    *,
    after: str = "",
    limit: int = 50,
    window: int = FILTER_WINDOW_ROWS_MAX,
) -> FilteredPage:
    """Tender documents matching ``wanted`` in ocid order (``FILTER_WINDOW_ROWS_MAX``)."""
    f = JsonFields(conn)
    conditions: list[ColumnElement[bool]] = []
    for name, value in (
        ("state", wanted.state),
        ("method", wanted.method),
        ("category", wanted.category),
    ):
        if value is not None:
            conditions += f.equals(name, value)
    if wanted.year is not None:
        conditions.append(f.integer("year") == wanted.year)
    if wanted.hps_min_sen is not None:
        conditions.append(f.integer("hps_sen") >= wanted.hps_min_sen)
    if wanted.hps_max_sen is not None:
        conditions.append(f.integer("hps_sen") <= wanted.hps_max_sen)
    if wanted.opd is not None:
        # budget_line is year:OPD:sub kegiatan:account:funding source
        conditions += f.within("budget_line", wanted.opd)
    if wanted.text:
        conditions += f.contains_folded(TENDER_TEXT_FIELDS, wanted.text)

    def recheck(doc: dict[str, Any]) -> bool:
        if wanted.opd is not None and doc["budget_line"].split(":")[1] != wanted.opd:
            return False
        return not wanted.text or _contains_folded(doc, TENDER_TEXT_FIELDS, wanted.text)

    return window_page(
        conn, TENDER_NAMESPACE, conditions, recheck, after=after, limit=limit, window=window
    )


def find_vendors(
    conn: Connection,
    wanted: VendorFilter,
    *,
    after: str = "",
    limit: int = 50,
    window: int = FILTER_WINDOW_ROWS_MAX,
) -> FilteredPage:
    """Vendor documents matching ``wanted`` in vendor-id order."""
    f = JsonFields(conn)
    conditions: list[ColumnElement[bool]] = []
    if wanted.status is not None:
        conditions += f.equals("status", wanted.status)
    if wanted.text:
        conditions += f.contains_folded(VENDOR_TEXT_FIELDS, wanted.text)

    def recheck(doc: dict[str, Any]) -> bool:
        return not wanted.text or _contains_folded(doc, VENDOR_TEXT_FIELDS, wanted.text)

    return window_page(
        conn, VENDOR_NAMESPACE, conditions, recheck, after=after, limit=limit, window=window
    )


TENDER_TEXT_FIELDS = ("title", "ocid")
VENDOR_TEXT_FIELDS = ("name", "npwp", "vendor_id")


def find_contracts(
    conn: Connection,
    *,
    vendor: str,
    after: str = "",
    limit: int = 50,
    window: int = FILTER_WINDOW_ROWS_MAX,
) -> FilteredPage:
    """The contracts a vendor signed, in ocid order (``FILTER_WINDOW_ROWS_MAX`` rows of
    contracts a page, whoever holds them)."""
    conditions = JsonFields(conn).equals("vendor", vendor)
    return window_page(
        conn,
        CONTRACT_NAMESPACE,
        conditions,
        lambda doc: doc["vendor"] == vendor,
        after=after,
        limit=limit,
        window=window,
    )


def find_rup(
    conn: Connection,
    *,
    opd: str | None = None,
    year: int | None = None,
    after: str = "",
    limit: int = 50,
    window: int = FILTER_WINDOW_ROWS_MAX,
) -> FilteredPage:
    """RUP items (``procurement.rup``) of an OPD and a fiscal year, in code order."""
    f = JsonFields(conn)
    conditions: list[ColumnElement[bool]] = []
    if opd is not None:
        conditions += f.equals("opd", opd)
    if year is not None:
        conditions.append(f.integer("year") == year)

    def recheck(doc: dict[str, Any]) -> bool:
        return (opd is None or doc["opd"] == opd) and (year is None or doc["year"] == year)

    return window_page(
        conn, RUP_NAMESPACE, conditions, recheck, after=after, limit=limit, window=window
    )
