"""Numbers, money and dates as a reader of each language expects them.

Indonesian groups thousands with ``.`` and writes decimals after ``,``
(``Rp 1.234.567,89``); English does the opposite (``IDR 1,234,567.89``). Amounts
arrive as integer sen and are formatted exactly, never through a float. Where a reader
scans (cards, lists, chart labels) an amount is also shown short (``Rp 814 jt``,
``Rp 51,2 M``: ``rupiah_short``), beside its exact figure for the hover.

Times are stored as UTC ISO 8601 and shown in the region's zone (WIB, WITA or WIT,
``ledger.region_time``), saying which: ``13 Maret 2025 09.00 WIB``. The date of an
instant is its date in that zone (2025-03-12T20:00Z is 13 Maret in WIB); a calendar date
(``2025-03-13``, a contract's start) is shown as it is. Everything here is pure and
registered as Jinja filters.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Final

from budgeting.money import SEN_PER_RUPIAH, format_amount
from ledger.region_time import TIME_ZONE_DEFAULT, zone_info

MONTHS: Final[dict[str, tuple[str, ...]]] = {
    "id": (
        "Januari", "Februari", "Maret", "April", "Mei", "Juni",
        "Juli", "Agustus", "September", "Oktober", "November", "Desember",
    ),
    "en": (
        "January", "February", "March", "April", "May", "June",
        "July", "August", "September", "October", "November", "December",
    ),
}  # fmt: skip
MONTHS_SHORT: Final[dict[str, tuple[str, ...]]] = {
    "id": ("Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des"),
    "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
}
# (thousands separator, decimal mark, currency prefix)
_STYLE: Final = {"id": (".", ",", "Rp"), "en": (",", ".", "IDR")}
SIGNIFICANT_DIGITS_SHORT: Final = 3
"""A short amount keeps at most this many significant digits: ``Rp 814 jt``, ``Rp 51,2 M``,
``Rp 2,99 T``. Enough to compare two rows at a glance; the exact figure is beside it."""
# Short scales, largest first: (one unit in sen, suffix per language): triliun/trillion,
# miliar/billion, juta/million, ribu/thousand. Below a thousand rupiah: rupiah and sen.
_SCALES: Final = (
    (10**12 * SEN_PER_RUPIAH, {"id": "T", "en": "tn"}),
    (10**9 * SEN_PER_RUPIAH, {"id": "M", "en": "bn"}),
    (10**6 * SEN_PER_RUPIAH, {"id": "jt", "en": "m"}),
    (10**3 * SEN_PER_RUPIAH, {"id": "rb", "en": "k"}),
)


def _style(language: str) -> tuple[str, str, str]:
    return _STYLE.get(language, _STYLE["id"])


def group_digits(digits: str, separator: str) -> str:
    """``"1234567"`` -> ``"1.234.567"`` (digits only, no sign)."""
    head = len(digits) % 3 or 3
    parts = [digits[:head]] + [digits[i : i + 3] for i in range(head, len(digits), 3)]
    return separator.join(parts)


def number(value: int, language: str) -> str:
    """A whole number with the language's thousands separator."""
    thousands, _, _ = _style(language)
    sign = "-" if value < 0 else ""
    return sign + group_digits(str(abs(value)), thousands)


def rupiah(sen: int, language: str) -> str:
    """An exact amount: ``Rp 1.234.567,89`` (id) or ``IDR 1,234,567.89`` (en)."""
    thousands, decimal, prefix = _style(language)
    whole, cents = format_amount(abs(sen)).split(".")
    sign = "-" if sen < 0 else ""
    return f"{sign}{prefix} {group_digits(whole, thousands)}{decimal}{cents}"


def round_significant(sen: int, digits: int = SIGNIFICANT_DIGITS_SHORT) -> int:
    """``sen`` rounded half up (away from zero) to ``digits`` significant digits, in sen:
    ``81_449_000_000`` -> ``81_400_000_000``. Exact integer arithmetic; never finer than 1 sen."""
    magnitude = abs(sen)
    step: int = 10 ** max(0, len(str(magnitude)) - digits)
    rounded = (magnitude + step // 2) // step * step
    return -rounded if sen < 0 else rounded


def rupiah_short(sen: int, language: str) -> str:
    """An amount to scan, at most three significant digits, trailing zeros dropped:
    ``Rp 814 jt``, ``Rp 51,2 M``, ``Rp 1,5 T`` (id); ``IDR 814 m``, ``IDR 51.2 bn`` (en).

    The amount is rounded first (``round_significant``), then written in the largest
    scale it reaches, so 999,95 juta is ``Rp 1 M``, never ``Rp 1.000 jt``. Below a
    thousand rupiah it is rupiah with at most two decimals (``Rp 0,05``).
    """
    thousands, decimal, prefix = _style(language)
    rounded = abs(round_significant(sen))
    sign = "-" if sen < 0 else ""
    unit, suffix = SEN_PER_RUPIAH, ""
    for scale, names in _SCALES:
        if rounded >= scale:
            unit, suffix = scale, " " + names.get(language, names["id"])
            break
    whole, rest = divmod(rounded, unit)
    # The rest in hundredths of the unit is exact: three significant digits of an
    # amount of at least one unit leave at most two decimals.
    fraction = f"{rest * 100 // unit:02d}".rstrip("0")
    text = group_digits(str(whole), thousands) + (decimal + fraction if fraction else "")
    return f"{sign}{prefix} {text}{suffix}"


def percent(value: str | None, language: str) -> str:
    """A report's two-place percentage (``"12.34"``, or ``None``/``""`` when undefined)."""
    if not value:
        return "–"
    _, decimal, _ = _style(language)
    return value.replace(".", decimal) + "%"


def percent_value(numerator: int, denominator: int) -> float:
    """A bar's fill, 0..100, for ``<meter>``: display only (the text shows the exact
    figure); values outside the range are clamped, an undefined one is 0."""
    if denominator <= 0:
        return 0.0
    return max(0.0, min(100.0, numerator * 100 / denominator))


def local_time(value: str, zone: str = TIME_ZONE_DEFAULT) -> datetime:
    """A stored UTC instant (``2025-03-12T20:00:00.000Z``) in the region's ``zone``."""
    instant = datetime.fromisoformat(value)
    if instant.tzinfo is None:  # every stored time is UTC, some written without the Z
        instant = instant.replace(tzinfo=UTC)
    return instant.astimezone(zone_info(zone))


def date(value: str | None, language: str, zone: str = TIME_ZONE_DEFAULT) -> str:
    """``2025-03-13`` -> ``13 Maret 2025`` / ``13 March 2025``. An instant is dated in the
    region's ``zone``: ``2025-03-12T20:00:00.000Z`` is ``13 Maret 2025`` in WIB."""
    if not value:
        return "–"
    if len(value) > 10:
        day = local_time(value, zone)
        year, month, mday = day.year, day.month, day.day
    else:
        year, month, mday = (int(part) for part in value.split("-"))
    return f"{mday} {MONTHS.get(language, MONTHS['id'])[month - 1]} {year}"


def moment(value: str | None, language: str, zone: str = TIME_ZONE_DEFAULT) -> str:
    """A UTC instant in the region's ``zone``, labelled: ``13 Maret 2025 09.00 WIB`` (id)
    or ``13 March 2025 09:00 WIB`` (en) for ``2025-03-13T02:00:00.000Z``."""
    if not value:
        return "–"
    if len(value) < 16:
        return date(value, language, zone)
    local = local_time(value, zone)
    clock = f"{local.hour:02d}.{local.minute:02d}" if language == "id" else f"{local:%H:%M}"
    return f"{date(value, language, zone)} {clock} {zone}"


def month_name(month: int, language: str, *, short: bool = False) -> str:
    table = MONTHS_SHORT if short else MONTHS
    return table.get(language, table["id"])[month - 1]


def short_hash(value: str, chars: int = 12) -> str:
    """The first ``chars`` hex digits of a hash or key id, for a label (full one in title)."""
    return value if len(value) <= chars else value[:chars] + "…"
