"""Which contracts the portal flags as overdue (terlambat), and on which day.

A reader relies on the flag meaning exactly this: the contract is still active and its
last day has passed. The last day itself is not late; a contract paid, completed or
terminated is never late whatever its dates; the day is the region's, not the server's.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from portal.overdue import is_overdue, today_in

END = "2026-06-30"


@pytest.mark.parametrize(
    ("status", "today", "late"),
    [
        ("active", date(2026, 6, 29), False),
        ("active", date(2026, 6, 30), False),  # the last day is still on time
        ("active", date(2026, 7, 1), True),
        ("active", date(2027, 1, 1), True),
        ("paid", date(2026, 7, 1), False),
        ("completed", date(2026, 7, 1), False),
        ("terminated", date(2026, 7, 1), False),
    ],
)
def test_only_an_active_contract_after_its_last_day_is_overdue(
    status: str, today: date, late: bool
) -> None:
    assert is_overdue({"status": status, "end": END}, today) is late


def test_no_contract_is_not_overdue() -> None:
    assert is_overdue(None, date(2030, 1, 1)) is False


def test_today_is_the_day_in_the_zone_given() -> None:
    evening = datetime(2026, 6, 30, 20, 0, tzinfo=UTC)
    assert today_in(evening) == date(2026, 6, 30)
    wib = timezone(timedelta(hours=7))
    assert today_in(evening, wib) == date(2026, 7, 1)  # 03.00 WIB the next morning
    assert is_overdue({"status": "active", "end": END}, today_in(evening, wib))
