"""Every bound the portal enforces on what a reader asks for, in one place.

The portal reads only, so its limits bound one request's cost: text and value lengths,
page sizes, downloads and in-memory caches. The relations with the ledger's bounds (a
page of items counts as a light read; a value must admit the longest subject) are
checked at import, as ``ledger.limits`` checks its own.
"""

from __future__ import annotations

from typing import Final

from budgeting.limits import FISCAL_YEAR_MAX, FISCAL_YEAR_MIN
from ledger.errors import InvariantBroken, require
from ledger.limits import COLUMN_CHARS, DATABASE_INTEGER_MAX, Limits

TEXT_CHARS_MAX: Final = 100
"""Longest search text accepted."""
VALUE_CHARS_MAX: Final = 256
"""Longest value of any other parameter (a budget line id is at most 128)."""
PAGE_SIZES: Final = (10, 25, 50, 100)
"""The sizes a list's form offers; ``limit`` takes any size up to ``PAGE_ITEMS_MAX``."""
PAGE_SIZE_DEFAULT: Final = 25
PAGE_ITEMS_MAX: Final = 100
SEQ_CURSOR_MAX: Final = 2**53
"""Largest ``before``/``after`` seq a page accepts (a JSON-safe integer)."""
DOWNLOAD_ROWS_MAX: Final = 1000
"""Rows per CSV/XLSX download of tenders or vendors; ``X-Terang-Next-After`` says where
the next starts."""
SCOPES_CACHED_MAX: Final = 64
"""Budget scopes kept in memory: a year, its OPDs and the programmes being looked at."""
FISCAL_YEARS_MAX: Final = FISCAL_YEAR_MAX - FISCAL_YEAR_MIN + 1
"""Fiscal years a year list can name (the budgeting room's range)."""

require(
    PAGE_SIZE_DEFAULT in PAGE_SIZES and max(PAGE_SIZES) == PAGE_ITEMS_MAX,
    InvariantBroken("the page-size form must offer the default and the largest page"),
)
require(
    Limits().light_page_items_max >= PAGE_ITEMS_MAX,
    InvariantBroken("a portal page must count as a light read"),
)
require(
    COLUMN_CHARS["subject_chars_max"] <= VALUE_CHARS_MAX,
    InvariantBroken("a parameter value must admit the longest subject (a line id, an ocid)"),
)
require(
    SEQ_CURSOR_MAX <= DATABASE_INTEGER_MAX,
    InvariantBroken("a seq cursor must fit the database's integer column"),
)
