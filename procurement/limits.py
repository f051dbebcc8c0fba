"""Procurement's bounds, in one place (the room's formats fix them, not settings).

Every module that applies a bound imports it from here, by name; grouped below by the
module that applies it. The relations between them are checked at the bottom, at import:
a broken one is a bug (``InvariantBroken``). The procurement rules' own figures (method
thresholds, calendar days) are data, in ``procurement/rules/*.json``, not bounds.
"""

from __future__ import annotations

from ledger.errors import InvariantBroken, require
from ledger.limits import Limits

# -- fields ---------------------------------------------------------------------------
TEXT_CHARS_MAX = 2000
NAME_CHARS_MAX = 200
REASON_CHARS_MAX = 2000
LIST_ITEMS_MAX = 100

# -- items --------------------------------------------------------------------------
PACKAGE_ITEMS_MAX = 12
"""Items one package statement may list (a package is one procurement; its HPS breakdown
of many lines stays in the HPS document, the items name what is bought)."""
ITEM_ID_CHARS_MAX = 32
ITEM_DESCRIPTION_CHARS_MAX = 160
CLASSIFICATION_DESCRIPTION_CHARS_MAX = 100
UNIT_NAME_CHARS_MAX = 32
ITEM_QUANTITY_MAX = 1_000_000_000
"""A whole number of units; a fractional quantity is given in a smaller unit (m2, kg)."""

ITEM_BYTES_BOUND = (
    ITEM_ID_CHARS_MAX + ITEM_DESCRIPTION_CHARS_MAX + CLASSIFICATION_DESCRIPTION_CHARS_MAX + 200
)
"""An item's texts plus 200 for its keys, code, quantity, unit and value (ASCII)."""

# -- npwp -----------------------------------------------------------------------------
NPWP_CHARS_MAX = 24

# -- vendors --------------------------------------------------------------------------
SANCTIONS_MAX = 100
ADDRESS_CHARS_MAX = 500

# -- sealed ---------------------------------------------------------------------------
CIPHERTEXT_BYTES_MAX = 8 * 1024
"""Inline ciphertext limit: keeps a bid statement well under the ledger's 16 KiB."""
COMMITTEE_MEMBERS_MAX = 9
PRICE_CHARS_MAX = 32
"""An envelope's price string: far above any real amount, short enough to parse cheaply."""

# -- bids -----------------------------------------------------------------------------
RELEASES_PER_STATEMENT_MAX = 64

# -- tender ---------------------------------------------------------------------------
QUESTIONS_MAX = 1000
OBJECTIONS_MAX = 200

# -- contracts ------------------------------------------------------------------------
MILESTONES_MAX = 50
AMENDMENTS_MAX = 100
REQUESTS_MAX = 1000
PAYMENTS_PER_REQUEST_MAX = 9
COMMITMENTS_MAX = AMENDMENTS_MAX + 1
"""The award's commitment and one per increasing amendment: the most releases one end needs."""
HANDOVER_REFERENCE_CHARS_MAX = 100
MULTI_YEAR_REFERENCE_CHARS_MAX = 200
MULTI_YEAR_YEARS_MAX = 5
"""Fiscal years one kontrak tahun jamak may span (a regional one may not outlast the
kepala daerah's five-year term, PP 12/2019 art. 92: a bound, not the term itself)."""

# -- closer ---------------------------------------------------------------------------
CLOSINGS_PER_PASS_MAX = 500

# -- batch_file -----------------------------------------------------------------------
BATCH_FILE_BYTES_MAX = 1 << 20
"""A batch file is a few statements: far below this; a larger file is refused unread."""
BATCH_ITEMS_MAX = 64

# -- rup ------------------------------------------------------------------------------
RUP_CODE_CHARS_MAX = 64
"""A RUP code (SiRUP's kode RUP), the subject of its item and a package's ``rup_code``."""
RUP_REVISIONS_MAX = 100
"""Steps one RUP item's history holds (its publication, revisions and withdrawal)."""
RUP_PACKAGES_MAX = 50
"""Packages that may cite one RUP item (SiRUP: one item is usually one package)."""

# -- reads ----------------------------------------------------------------------------
PAGE_ITEMS_MAX = 500
SCAN_ROWS_MAX = 20_000
"""Projection rows one filtered list request may examine before it returns a short page."""
FILTER_WINDOW_ROWS_MAX = 5000
"""Projection rows one filtered page may examine: a page costs at most this many rows,
however many tenders or vendors there are (a kabupaten's year of tenders fits in one
window). A page that reaches the end of its window before it is full comes back short,
with ``next_after`` where the next window starts."""

# -- router ---------------------------------------------------------------------------
TIMELINE_ITEMS_MAX = 1000
RECORD_ENTRIES_MAX = 5000
"""Entries one OCDS record holds (one release each); past it the response says
``X-Terang-Truncated: true`` and the rest is read from ``GET /api/v1/entries?subject=<ocid>``."""
OCDS_BULK_TENDERS_MAX = 500
RECORD_CACHE_RELEASES_MAX = 50_000
"""Releases the OCDS record cache holds (whole records, least recently used out)."""
BIDS_PAGE_ITEMS_MAX = 1000
BIDS_PAGE_ITEMS_DEFAULT = 100
NUMBERED_PAGE_ITEMS_MAX = 200
"""Questions or objections per page (a tender has at most 1,000 and 200)."""

# -- client ---------------------------------------------------------------------------
DOWNLOAD_BYTES_MAX = 256 * 1024 * 1024
"""Never read more than this of one document (the server's ``DOCUMENT_BYTES_CEILING``)."""

# -- relations, checked at import -------------------------------------------------------
require(
    NAME_CHARS_MAX <= TEXT_CHARS_MAX and REASON_CHARS_MAX <= TEXT_CHARS_MAX,
    InvariantBroken("a name or a reason is a text: its bound must not exceed TEXT_CHARS_MAX"),
)
require(
    max(ITEM_DESCRIPTION_CHARS_MAX, CLASSIFICATION_DESCRIPTION_CHARS_MAX, UNIT_NAME_CHARS_MAX)
    <= NAME_CHARS_MAX
    and PACKAGE_ITEMS_MAX <= LIST_ITEMS_MAX
    and Limits().statement_bytes_max // 2 > ITEM_BYTES_BOUND * PACKAGE_ITEMS_MAX,
    InvariantBroken("a package's items are short texts that fit half a statement"),
)
require(
    HANDOVER_REFERENCE_CHARS_MAX <= NAME_CHARS_MAX
    and MULTI_YEAR_REFERENCE_CHARS_MAX <= TEXT_CHARS_MAX,
    InvariantBroken("a reference is a short text"),
)
require(
    2 <= COMMITTEE_MEMBERS_MAX <= RELEASES_PER_STATEMENT_MAX,
    InvariantBroken(
        "a committee has at least two members, and one release statement"
        " must be able to carry a share for each bid it opens"
    ),
)
require(
    Limits().statement_bytes_max > (CIPHERTEXT_BYTES_MAX + 2) // 3 * 4,
    InvariantBroken("a bid's ciphertext (base64) must fit a statement with room to spare"),
)
require(
    COMMITMENTS_MAX == AMENDMENTS_MAX + 1,
    InvariantBroken("a contract holds the award's commitment and one per amendment"),
)
require(
    MULTI_YEAR_YEARS_MAX >= 2 and PAYMENTS_PER_REQUEST_MAX >= 1,
    InvariantBroken(
        "a multi-year contract spans two years or more; a request is paid by one posting or more"
    ),
)
require(
    0 < BIDS_PAGE_ITEMS_DEFAULT <= BIDS_PAGE_ITEMS_MAX,
    InvariantBroken("the default page of bids must be a valid page size"),
)
require(
    NUMBERED_PAGE_ITEMS_MAX <= QUESTIONS_MAX and OBJECTIONS_MAX <= QUESTIONS_MAX,
    InvariantBroken("a page of questions or objections is at most a tender's questions"),
)
require(
    PAGE_ITEMS_MAX <= SCAN_ROWS_MAX and PAGE_ITEMS_MAX <= FILTER_WINDOW_ROWS_MAX,
    InvariantBroken("a page must fit the rows one request may examine"),
)
require(
    OCDS_BULK_TENDERS_MAX <= FILTER_WINDOW_ROWS_MAX
    and RECORD_ENTRIES_MAX <= RECORD_CACHE_RELEASES_MAX,
    InvariantBroken("a bulk page fits a window; the record cache holds one whole record"),
)
