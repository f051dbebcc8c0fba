"""Numbers, money and dates as a reader of each language expects them.

Indonesian groups thousands with ``.`` and writes decimals after ``,``
(``Rp 1.234.567,89``); English does the opposite (``IDR 1,234,567.89``). Amounts
arrive as integer sen and are formatted exactly, never through a float. Times are
stored as UTC ISO 8601 and shown in UTC, saying so: a page must read the same
wherever it is opened. Everything here is pure and registered as Jinja filters.
"""

from __future__ import annotations

from typing import Final

from budgeting.money import SEN_PER_RUPIAH, format_amount

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
# Short scales for chart labels, largest first: (one unit in sen, suffix per language):
# triliun/trillion, miliar/billion, juta/million.
_SCALES: Final = (
    (10**12 * SEN_PER_RUPIAH, {"id": "T", "en": "tn"}),
    (10**9 * SEN_PER_RUPIAH, {"id": "M", "en": "bn"}),
    (10**6 * SEN_PER_RUPIAH, {"id": "jt", "en": "m"}),
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


def rupiah_short(sen: int, language: str) -> str:
    """A rounded amount for chart labels: ``Rp 2,99 T`` (id) or ``IDR 2.99 tn`` (en)."""
    thousands, decimal, prefix = _style(language)
    magnitude = abs(sen)
    sign = "-" if sen < 0 else ""
    for divisor, suffix in _SCALES:
        hundredths = (magnitude * 100 + divisor // 2) // divisor  # rounded half up
        if hundredths >= 100:  # at least 1,00 of this scale once rounded
            whole = group_digits(str(hundredths // 100), thousands)
            text = f"{whole}{decimal}{hundredths % 100:02d}"
            return f"{sign}{prefix} {text} {suffix.get(language, suffix['id'])}"
    rupiah_whole = (magnitude + SEN_PER_RUPIAH // 2) // SEN_PER_RUPIAH
    return f"{sign}{prefix} {group_digits(str(rupiah_whole), thousands)}"


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


def date(value: str | None, language: str) -> str:
    """``2025-03-13`` or ``2025-03-13T02:00:00.000Z`` -> ``13 Maret 2025`` / ``13 March 2025``."""
    if not value:
        return "–"
    year, month, day = value[:10].split("-")
    return f"{int(day)} {MONTHS.get(language, MONTHS['id'])[int(month) - 1]} {year}"


def moment(value: str | None, language: str) -> str:
    """A UTC time: ``13 Maret 2025 02.00 UTC`` (id) or ``13 March 2025 02:00 UTC`` (en)."""
    if not value:
        return "–"
    if len(value) < 16:
        return date(value, language)
    clock = value[11:16]
    if language == "id":
        clock = clock.replace(":", ".")
    return f"{date(value, language)} {clock} UTC"


def month_name(month: int, language: str, *, short: bool = False) -> str:
    table = MONTHS_SHORT if short else MONTHS
    return table.get(language, table["id"])[month - 1]


def short_hash(value: str, chars: int = 12) -> str:
    """The first ``chars`` hex digits of a hash or key id, for a label (full one in title)."""
    return value if len(value) <= chars else value[:chars] + "…"
