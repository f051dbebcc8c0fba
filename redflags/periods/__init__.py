"""R003's minimum submission periods as dated data (see SOURCE.txt beside this module).

Loading (checked once at import; a bad file is a bug, ``InvariantBroken``): every
``*.json`` here has a unique ``id`` and a unique ``effective_from`` (a WIB date), a
``source``, and ``minimum_days`` per method. ``in_force(at)`` is the set with the
latest ``effective_from`` on or before ``at``'s WIB date, or None before the first,
when R003 judges nothing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from importlib import resources

from ledger.errors import InvariantBroken, require

WIB = timezone(timedelta(hours=7), "WIB")


@dataclass(frozen=True)
class PeriodRule:
    id: str
    effective_from: date
    source: str
    minimum_days: dict[str, int]


class PeriodBook:
    """Dated period rules, ordered by effective date."""

    def __init__(self, rules: list[PeriodRule]) -> None:
        ordered = sorted(rules, key=lambda r: r.effective_from)
        require(
            len({r.id for r in ordered}) == len(ordered)
            and len({r.effective_from for r in ordered}) == len(ordered),
            InvariantBroken("period rules need unique ids and unique effective dates"),
        )
        self.rules = ordered

    def in_force(self, at: datetime) -> PeriodRule | None:
        day = at.astimezone(WIB).date()
        current = None
        for rule in self.rules:
            if rule.effective_from <= day:
                current = rule
        return current


def parse_period_rule(raw: dict[str, object]) -> PeriodRule:
    minimum = raw.get("minimum_days")
    require(
        isinstance(minimum, dict)
        and all(isinstance(k, str) and isinstance(v, int) and v > 0 for k, v in minimum.items()),
        InvariantBroken(f"period rule {raw.get('id')!r}: minimum_days maps methods to days"),
    )
    assert isinstance(minimum, dict)
    return PeriodRule(
        id=str(raw["id"]),
        effective_from=date.fromisoformat(str(raw["effective_from"])),
        source=str(raw["source"]),
        minimum_days={str(k): int(v) for k, v in minimum.items()},
    )


def load_packaged() -> PeriodBook:
    found = []
    for item in sorted(resources.files(__name__).iterdir(), key=lambda p: p.name):
        if item.name.endswith(".json"):
            found.append(parse_period_rule(json.loads(item.read_text(encoding="utf-8"))))
    # An install without its data files would silently judge no R003 at all: refuse it.
    require(found != [], InvariantBroken("no R003 period rules shipped (redflags/periods)"))
    return PeriodBook(found)


PERIODS = load_packaged()
"""The dated minimums every replay uses (a pure function of the files shipped)."""
