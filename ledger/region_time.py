"""The region's time zone: where a deployment's people read its times.

Indonesia has three, none with daylight saving: WIB (western, UTC+7), WITA (central,
UTC+8) and WIT (eastern, UTC+9). A deployment names one (``Settings.time_zone``,
``TERANG_TIME_ZONE``, ``terang serve --time-zone``) and the portal shows every time in
it, labelled. Nothing stored or published changes: the log, the API, OCDS and CSV
speak UTC (``ledger.statement.format_time``). Legal dates that the law counts in WIB
stay in WIB whatever this says (``procurement.rules.RuleBook.in_force``).

People type times in their zone too: ``parse_local_time`` reads what a CLI user gives.

Pure: no clock, no database. The zones are IANA's, read through ``zoneinfo`` from the
system's database or, where a machine has none (a slim container), the ``tzdata``
package that Terang depends on.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Final
from zoneinfo import ZoneInfo

from ledger.errors import BadSetting, ClientError

ZONES: Final[dict[str, str]] = {
    "WIB": "Asia/Jakarta",
    "WITA": "Asia/Makassar",
    "WIT": "Asia/Jayapura",
}
"""Each label the portal prints, and the IANA zone it stands for."""
TIME_ZONE_DEFAULT: Final = "WIB"


def parse_time_zone(text: str) -> str:
    """``text`` as a zone label (``ZONES``); anything else is refused, naming the three.

    One spelling: the upper-case label, as the portal prints it. An IANA name or an
    offset is refused too, so that the page's label and the setting always agree.
    """
    if text not in ZONES:
        allowed = ", ".join(f"{label} ({name})" for label, name in ZONES.items())
        raise BadSetting(
            f"the time zone (TERANG_TIME_ZONE, terang serve --time-zone) must be one of "
            f"{allowed}, not {text[:40]!r}"
        )
    return text


def zone_info(label: str) -> ZoneInfo:
    """The ``ZoneInfo`` of a label that ``parse_time_zone`` accepted."""
    return ZoneInfo(ZONES[parse_time_zone(label)])


_LOCAL_TIME = re.compile(
    r"(?P<date>\d{4}-\d{2}-\d{2})[T ](?P<clock>\d{2}:\d{2}(?::\d{2})?)"
    r"(?:\s*(?P<zone>Z|[+-]\d{2}:\d{2}|WIB|WITA|WIT))?"
)


def parse_local_time(text: str, default_zone: str, *, field: str = "time") -> datetime:
    """A time a person typed, as an aware UTC ``datetime``.

    People in a region give deadlines in their own zone, so any of these is accepted:
    ``2026-12-10 14:00`` (in ``default_zone``, the region's), ``2026-12-10 14:00 WITA``
    (a zone label), ``2026-12-10T14:00:00+08:00`` (an offset) and
    ``2026-12-10T06:00:00Z`` (UTC). What is stored and signed is always UTC
    (``ledger.statement.format_time``). A day alone is refused: a deadline needs its hour.
    """
    zone_label = parse_time_zone(default_zone)
    examples = (
        f"give it as 2026-12-10 14:00 (in {zone_label}), 2026-12-10 14:00 WITA,"
        " 2026-12-10T14:00+08:00 or 2026-12-10T06:00:00Z"
    )
    found = _LOCAL_TIME.fullmatch(text.strip()) if isinstance(text, str) else None
    if found is None:
        raise ClientError(
            f"{field}: {str(text)[:60]!r} is not a time; {examples}", code="bad_time", field=field
        )
    clock = found["clock"] if found["clock"].count(":") == 2 else found["clock"] + ":00"
    try:
        naive = datetime.fromisoformat(f"{found['date']}T{clock}")
    except ValueError as exc:
        raise ClientError(
            f"{field}: {text!r}: {exc}; {examples}", code="bad_time", field=field
        ) from exc
    zone = found["zone"]
    if zone is None or zone in ZONES:
        moment = naive.replace(tzinfo=zone_info(zone or zone_label))
    elif zone == "Z":
        moment = naive.replace(tzinfo=UTC)
    else:
        moment = datetime.fromisoformat(f"{found['date']}T{clock}{zone}")
    return moment.astimezone(UTC)


def local_time_text(moment: datetime, zone_label: str) -> str:
    """``moment`` as people in the region read it: ``2026-12-10 14:00 WIB``."""
    local = moment.astimezone(zone_info(zone_label))
    return f"{local:%Y-%m-%d %H:%M} {zone_label}"
