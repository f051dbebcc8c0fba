"""Every bound the budgeting room enforces, in one place, with units and qualifiers last.

These are fixed by the room's formats, not operator settings (the operator's settings are
``ledger.limits.Limits``): a log replayed under other bounds would accept or refuse other
statements, so changing one is a format change with a migration note. The relations
between them, and with the ledger's bounds, are checked at import, as ``ledger.limits``
checks its own.
"""

from __future__ import annotations

from ledger.errors import InvariantBroken, require
from ledger.limits import JSON_SAFE_INTEGER_MAX

# -- codes (budgeting.codes) ------------------------------------------------------------
CODE_CHARS_MAX = 40
"""One Permendagri 90/2019 code (OPD, programme level, account): the longest real code is
about 22 characters; the pattern decides the shape, this only refuses junk early."""
FUNDING_SOURCE_CHARS_MAX = 32
FISCAL_YEAR_MIN = 2000
FISCAL_YEAR_MAX = 2099
"""Fiscal years are four digits in line ids; every room and the portal use these bounds."""
FISCAL_YEARS_MAX = FISCAL_YEAR_MAX - FISCAL_YEAR_MIN + 1
PARSED_LINE_IDS_CACHED_MAX = 1 << 17
"""Line ids kept parsed (``parse_line_id``): a DPA import and its replay parse each line's id
a dozen times; a kabupaten's year has tens of thousands of lines. About 1 KiB each."""
PARSED_CODES_CACHED_MAX = 1 << 15
"""Programme and account codes kept parsed, each: a kabupaten's year names a few
thousand of each (the LRA reads every line's codes back); about 0.5 KiB each."""

# -- money (budgeting.money) ------------------------------------------------------------
AMOUNT_SEN_MAX = 2**53 - 1
"""The largest amount (and total) kept anywhere: Rp 90,071,992,547,409.91."""
AMOUNT_CHARS_MAX = 24
"""Longest amount text accepted, checked before the pattern (cheap refusal of junk)."""

# -- statement bodies (budgeting.statements) --------------------------------------------
NAME_CHARS_MAX = 300
DESCRIPTION_CHARS_MAX = 500
DOCUMENT_CHARS_MAX = 200
REFERENCE_CHARS_MAX = 100
SHIFT_MOVES_MAX = 100
"""Lines one pergeseran may touch. A shift of this many moves between the longest line
ids is larger than ``statement_bytes_max`` and is refused by the ledger's size check, so
this bound only refuses an absurd list before it is parsed."""
POSTING_ID_CHARS_MAX = 120
"""So that ``shift:<posting id>`` fits the ledger's 128-character subject."""

# -- standard price lists and komponen (budgeting.statements, budgeting.reducers) -------
PRICE_LIST_ID_CHARS_MAX = 40
"""A standard price list's id, e.g. ``SSH-2026`` (the statement's subject)."""
PRICE_ITEM_CODE_CHARS_MAX = 40
"""One item's code in a price list, e.g. ``1.1.7.01.01.01.001`` (about 20 in practice)."""
PRICE_ITEMS_PER_STATEMENT_MAX = 60
"""Items one ``budgeting.price_list.published`` adds: a full SSH has thousands of items,
published in several statements of at most this many (an item with the longest
uraian is about 250 bytes, so a full statement stays within ``statement_bytes_max``)."""
PRICE_LIST_VERSIONS_MAX = 1000
"""Versions one price list may have (a version per revision of the Perkada)."""
PRICE_ITEMS_PER_VERSION_MAX = 50_000
"""Items one version of a price list may hold (a kabupaten's SSH has a few thousand)."""
UNIT_CHARS_MAX = 40
"""A satuan: ``OH``, ``paket``, ``m2``, ``orang/bulan``."""
UNIT_PRICE_URAIAN_CHARS_MAX = 120
"""An item's or a komponen's uraian (the description of the thing priced)."""
KOMPONEN_PER_LINE_MAX = 50
"""Komponen one line's rincian may hold (one ``budgeting.komponen.set``). A set this long
with long reasons is larger than ``statement_bytes_max`` and is refused by the ledger's
size check, so this bound only refuses an absurd list before it is parsed."""
VOLUME_DECIMALS_MAX = 3
"""A komponen's volume has at most this many decimals (``2.5`` m3, ``0.125`` ton)."""
VOLUME_MAX = 10**9
"""The largest volume of one komponen."""

# -- rules the reducers apply (budgeting.reducers) ----------------------------------------
VALUE_DATE_LEAD_DAYS_MAX = 1
"""A value date may be the logging day (UTC) plus this: WIB/WITA/WIT are UTC+7..+9."""

# -- the DPA import (budgeting.importer) -------------------------------------------------
FILE_ROWS_MAX = 100_000
"""Rows one import may hold: one transaction of up to ~200,000 statements, all signed
with one client time that must still be within the ledger's clock-skew window when
the transaction starts (50,000 rows are measured in the bench)."""
ERRORS_REPORTED_MAX = 10_000
"""Bad-row reports kept (a wholly wrong file would otherwise produce millions)."""

# -- reads (budgeting.router, budgeting.read_models) ------------------------------------
PAGE_ITEMS_MAX = 1000
PAGE_ITEMS_DEFAULT = 100
HISTORY_SEQS_MAX = 1000
"""Seqs one line's history lists; a longer history is cut there and the answer says so."""

require(
    AMOUNT_SEN_MAX <= JSON_SAFE_INTEGER_MAX,
    InvariantBroken("amounts must stay in the I-JSON safe-integer range"),
)
require(
    len(f"-{AMOUNT_SEN_MAX // 100}.00") <= AMOUNT_CHARS_MAX,
    InvariantBroken("AMOUNT_CHARS_MAX must admit the largest amount's text"),
)
require(
    1000 <= FISCAL_YEAR_MIN < FISCAL_YEAR_MAX <= 9999,
    InvariantBroken("fiscal years are four digits in line ids"),
)
require(
    0 < PAGE_ITEMS_DEFAULT <= PAGE_ITEMS_MAX,
    InvariantBroken("the default page must be a valid page size"),
)
require(
    PRICE_ITEMS_PER_STATEMENT_MAX <= PRICE_ITEMS_PER_VERSION_MAX,
    InvariantBroken("one statement cannot add more items than a version may hold"),
)
require(
    VOLUME_MAX * 10**VOLUME_DECIMALS_MAX <= JSON_SAFE_INTEGER_MAX,
    InvariantBroken("a volume in thousandths must stay in the I-JSON safe-integer range"),
)
require(
    ERRORS_REPORTED_MAX <= FILE_ROWS_MAX,
    InvariantBroken("an import cannot report more bad rows than a file holds"),
)
