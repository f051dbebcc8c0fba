"""Every bound the planning room enforces, in one place, with units and qualifiers last.

Like ``budgeting.limits``, these are fixed by the room's formats, not operator settings:
a log replayed under other bounds would accept or refuse other statements. The relations
between them, and with the ledger's and budgeting's bounds, are checked at import.
"""

from __future__ import annotations

from budgeting.limits import AMOUNT_SEN_MAX, PAGE_ITEMS_DEFAULT, PAGE_ITEMS_MAX
from ledger.errors import InvariantBroken, require
from ledger.limits import COLUMN_CHARS, JSON_SAFE_INTEGER_MAX

# -- statement bodies (planning.statements) ----------------------------------------------
PROPOSAL_ID_CHARS_MAX = 80
"""A proposal's id (its subject): the e-musrenbang number the desa already has."""
TITLE_CHARS_MAX = 200
DESCRIPTION_CHARS_MAX = 2000
REASON_CHARS_MAX = 1000
"""The reason a forum gives for a merge or a rejection (and a forward's note)."""
AREA_NAME_CHARS_MAX = 120
UNIT_CHARS_MAX = 40
"""The volume's unit (``m``, ``unit``, ``paket``, ``orang``)."""
VOLUME_CHARS_MAX = 16
"""A volume as a decimal string: up to 12 integer digits and 3 decimals."""
ESTIMATE_SEN_MAX = AMOUNT_SEN_MAX
"""An estimate is an amount like any budget amount (``budgeting.money``)."""

# -- rules the reducers apply (planning.reducers) ----------------------------------------
MERGED_FROM_MAX = 200
"""Proposals one proposal may absorb by merges (a kecamatan rarely merges more than a
few dozen); the proposal document lists them, so its size stays bounded."""
FUNDING_LINES_MAX = 50
"""Budget lines one accepted proposal may be linked to."""
LINE_PROPOSALS_MAX = 1000
"""Proposals one budget line may fund (a kecamatan's road line may carry a few hundred
village roads); the line's document in ``planning.line_proposals`` lists them."""
HISTORY_STEPS_MAX = 4 + FUNDING_LINES_MAX + MERGED_FROM_MAX
"""Steps a proposal's history can hold: submission and up to three decisions, one link
per funding line, one note per merged proposal."""

# -- reads (planning.router, planning.read_models) ---------------------------------------
PROPOSAL_PAGE_ITEMS_MAX = PAGE_ITEMS_MAX
PROPOSAL_PAGE_ITEMS_DEFAULT = PAGE_ITEMS_DEFAULT
PROPOSALS_SCANNED_PER_PAGE_MAX = 20_000
"""Proposals one list request reads while filtering before it answers with a cursor
(``next_after``) to go on from: bounds a page's cost whatever the filter."""

require(
    COLUMN_CHARS["subject_chars_max"] >= PROPOSAL_ID_CHARS_MAX,
    InvariantBroken("a proposal id is a subject and must fit the subject column"),
)
require(
    ESTIMATE_SEN_MAX <= JSON_SAFE_INTEGER_MAX,
    InvariantBroken("estimates must stay in the I-JSON safe-integer range"),
)
require(
    0 < PROPOSAL_PAGE_ITEMS_DEFAULT <= PROPOSAL_PAGE_ITEMS_MAX <= PROPOSALS_SCANNED_PER_PAGE_MAX,
    InvariantBroken("a page must be a valid size and fit in what one request scans"),
)
