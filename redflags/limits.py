"""Every bound the red-flags room enforces, in one place, with units and qualifiers last.

Thresholds of the indicators are rule data (``redflags.rules.THRESHOLDS``, Cardinal's
defaults); these only bound what a read or a flag may carry.
"""

from __future__ import annotations

from ledger.errors import InvariantBroken, require

TALLY_RECENT_MAX = 20
"""R038 and R025 flags name the entries of at most this many of the latest processes
behind them."""
CSV_ROWS_MAX = 1000
"""Flags per CSV download; ``X-Terang-Next-After`` says where the next one starts."""
PAGE_ITEMS_MAX = 500
"""Flags per page of ``/api/v1/redflags`` (the same bound as the procurement lists)."""

require(
    PAGE_ITEMS_MAX <= CSV_ROWS_MAX,
    InvariantBroken("a CSV download must hold at least one page of flags"),
)
