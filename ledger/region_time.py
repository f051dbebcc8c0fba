"""The region's time zone: where a deployment's people read its times.

Indonesia has three, none with daylight saving: WIB (western, UTC+7), WITA (central,
UTC+8) and WIT (eastern, UTC+9). A deployment names one (``Settings.time_zone``,
``TERANG_TIME_ZONE``, ``terang serve --time-zone``) and the portal shows every time in
it, labelled. Nothing stored or published changes: the log, the API, OCDS and CSV
speak UTC (``ledger.statement.format_time``). Legal dates that the law counts in WIB
stay in WIB whatever this says (``procurement.rules.RuleBook.in_force``).

Pure: no clock, no database. The zones are IANA's, read through ``zoneinfo`` from the
system's database or, where a machine has none (a slim container), the ``tzdata``
package that Terang depends on.
"""

from __future__ import annotations

from typing import Final
from zoneinfo import ZoneInfo

from ledger.errors import BadSetting

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
