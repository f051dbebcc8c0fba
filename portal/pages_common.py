"""Reads several pages share (kept here so the page modules do not import each other)."""

from __future__ import annotations

from typing import Final
from urllib.parse import urlencode

from fastapi import Request
from sqlalchemy.engine import Connection

from budgeting.read_models import iter_structure_rows
from portal.limits import FISCAL_YEARS_MAX


def fiscal_years(conn: Connection) -> list[int]:
    """Registered fiscal years, newest first (bounded by the range of valid years)."""
    rows = iter_structure_rows(conn, "fiscal_year", limit=FISCAL_YEARS_MAX)
    return sorted((int(row.code) for row in rows), reverse=True)


PAGE_PARAMS: Final = frozenset({"after", "limit", "lang"})


def filter_query(request: Request) -> str:
    """A list's filters as a query string, without its page (``after``, ``limit``) or
    language: what a download of the whole filtered list takes."""
    kept = [
        (k, v) for k, v in request.query_params.multi_items() if k not in PAGE_PARAMS and v != ""
    ]
    return urlencode(kept)
