"""Overdue contracts: still active after the last day of their period.

A contract's ``end`` is a calendar date (the last day of work, ``procurement.contracts``).
It is overdue (terlambat) when that date is before today in the region and its status is
still ``active``: not paid in full, completed or terminated. Today is read from the
ledger's one clock (``ledger.clock``), once per request, so a test or a simulated demo
sets it; the day is taken in the region's zone (``Settings.time_zone``: WIB, WITA, WIT).

Pure (no database; the clock is passed in): a page calls ``region_today`` once with
``ledger.clock`` and passes the date on.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime, tzinfo
from typing import Any

from ledger.clock import Clock
from ledger.region_time import zone_info
from procurement.namespaces import ACTIVE


def today_in(now: datetime, zone: tzinfo = UTC) -> date:
    """The calendar day an aware instant falls on in ``zone``."""
    return now.astimezone(zone).date()


def region_today(clock: Clock, time_zone: str) -> date:
    """Today for the region: the ledger's clock (``Ledger.clock``) read in the zone the
    deployment names (``Settings.time_zone``). The one place the portal decides what day
    it is."""
    return today_in(clock(), zone_info(time_zone))


def is_overdue(contract: Mapping[str, Any] | None, today: date) -> bool:
    """Active after its last day: ``end`` before ``today``. The end day itself is not late."""
    if contract is None or contract.get("status") != ACTIVE:
        return False
    return date.fromisoformat(str(contract["end"])) < today
