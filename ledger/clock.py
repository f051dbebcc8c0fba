"""The system's one clock.

Every part that needs the time (the sequencer's ``logged_at``, the publisher's
``published_at``, the witness client's ``collected_at``, the CLI's statement times)
takes a ``Clock`` and is given this one by the ``Ledger`` or the command, so a test
or a simulated demo replaces the time everywhere at once, and nothing reads the
system clock behind its back. Read it once per batch or request and pass the value on.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

Clock = Callable[[], datetime]
"""A source of aware UTC datetimes."""


def utc_now() -> datetime:
    """The system clock, in UTC."""
    return datetime.now(UTC)
