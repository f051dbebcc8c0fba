"""Every bound of the workspace in one place: what its pages list and what its backups ask."""

from __future__ import annotations

from typing import Final

from ledger.errors import InvariantBroken, require
from ledger.limits import REGISTRY_NAME_CHARS_MAX
from procurement.limits import RELEASES_PER_STATEMENT_MAX

KEYS_SHOWN_MAX: Final = 500
"""Registered keys listed on the authority's page (the rest: ``/api/v1/projections``)."""
VENDORS_WAITING_SHOWN_MAX: Final = 100
"""Vendors awaiting activation listed on the officer's page (the rest: ``/penyedia``)."""
OPEN_TENDERS_SHOWN_MAX: Final = 20
"""Open tenders listed on the vendor's page (the rest: the portal's ``/tender``)."""
COMMITTEE_TENDERS_SHOWN_MAX: Final = 20
"""Tenders of each stage (open, closed, opening) listed on the committee's page."""
RELEASES_SENT_MAX: Final = RELEASES_PER_STATEMENT_MAX
"""Shares the committee's page releases in one statement (the log's own bound)."""
BACKUP_PBKDF2_ITERATIONS_MIN: Final = 600_000
"""PBKDF2-SHA256 iterations a key backup must use at least (OWASP's 2023 figure); the
browser writes exactly this many and refuses to restore a file asking fewer."""
BACKUP_PBKDF2_ITERATIONS_MAX: Final = 10_000_000
"""Most iterations a restore accepts (a file asking more would hang the page)."""
BACKUP_PASSPHRASE_CHARS_MIN: Final = 12
"""Shortest passphrase the page accepts for a new backup."""
KEY_NAME_CHARS_MAX: Final = REGISTRY_NAME_CHARS_MAX
"""Longest holder name the forms accept: the registry's own bound."""

require(
    BACKUP_PBKDF2_ITERATIONS_MIN <= BACKUP_PBKDF2_ITERATIONS_MAX,
    InvariantBroken("a backup's iteration bounds must admit the iterations written"),
)
