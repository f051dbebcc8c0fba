"""Money: integer sen inside, decimal strings on the wire. Never a float.

One rupiah is 100 sen. Every amount the budgeting room stores or adds is a Python
``int`` of sen; every amount a statement body or an API answer carries is a decimal
string in rupiah such as ``"1500000.00"``.

Parsing rules (strict; the same text always gives the same first error):

1. the value is a JSON string (a number, even an integer, is refused: a float in
   some client's JSON library would already have rounded it);
2. ASCII only: an optional ``-`` (only where the field allows it), the integer part
   without leading zeros (``0`` alone is fine), and optionally a ``.`` followed by one
   or two digits; no ``+``, no exponent, no spaces, no thousands separators;
3. ``-0`` and ``-0.00`` are refused (a zero has one spelling: ``0.00``);
4. the magnitude is at most ``AMOUNT_SEN_MAX`` (2^53 - 1 sen, about Rp 90 trillion):
   the I-JSON safe-integer range, so every projection document that stores sen is
   read back as the same number by every JSON implementation.

``format_amount`` writes the canonical form: always two decimals. So
``parse_amount(format_amount(x)) == x`` for every amount in range, and
``format_amount(parse_amount(t)) == t`` for every canonical ``t`` (both tested).
"""

from __future__ import annotations

import re
from typing import Any

from budgeting.limits import AMOUNT_CHARS_MAX, AMOUNT_SEN_MAX
from ledger.errors import ClientError

SEN_PER_RUPIAH = 100

# [0-9], not \d: \d also matches other scripts' digits ("١٢٣").
_AMOUNT = re.compile(r"(-?)(0|[1-9][0-9]{0,15})(?:\.([0-9]{1,2}))?")


class BadAmount(ClientError):
    """An amount is not a decimal string in the accepted form (422)."""

    code = "bad_amount"


def parse_amount(value: Any, *, field: str = "amount", signed: bool = False) -> int:
    """Sen from a decimal rupiah string; ``signed`` allows a leading ``-``."""
    if not isinstance(value, str):
        kind = "a number" if isinstance(value, int | float) else type(value).__name__
        raise BadAmount(
            f'{field} must be a decimal string like "1500000.00", got {kind}',
            field=field,
        )
    if len(value) > AMOUNT_CHARS_MAX:
        raise BadAmount(f"{field} is longer than {AMOUNT_CHARS_MAX} characters", field=field)
    match = _AMOUNT.fullmatch(value)
    if match is None:
        raise BadAmount(
            f'{field} {value!r} is not a decimal amount: digits, at most 2 decimals after "."'
            ', no leading zeros, no "+", exponent, spaces or separators',
            field=field,
        )
    sign, whole, fraction = match.groups()
    sen = int(whole) * SEN_PER_RUPIAH + int((fraction or "").ljust(2, "0"))
    if sign:
        if not signed:
            raise BadAmount(f"{field} {value!r} must not be negative", field=field)
        if sen == 0:
            raise BadAmount(
                f'{field} {value!r}: zero is written "0.00", without a sign', field=field
            )
        sen = -sen
    if abs(sen) > AMOUNT_SEN_MAX:
        raise BadAmount(
            f"{field} {value!r} is beyond the largest amount {format_amount(AMOUNT_SEN_MAX)}",
            field=field,
        )
    return sen


def format_amount(sen: int) -> str:
    """The canonical decimal string of an amount in sen: ``-`` if negative, 2 decimals."""
    if not isinstance(sen, int) or isinstance(sen, bool):
        raise TypeError(f"an amount is an int of sen, got {type(sen).__name__}")
    magnitude = abs(sen)
    text = f"{magnitude // SEN_PER_RUPIAH}.{magnitude % SEN_PER_RUPIAH:02d}"
    return "-" + text if sen < 0 else text


def parse_positive_amount(value: Any, *, field: str = "amount") -> int:
    """Sen, refusing zero: a posting of nothing is a mistake, not a no-op."""
    sen = parse_amount(value, field=field)
    if sen == 0:
        raise BadAmount(f"{field} must be more than 0.00", field=field)
    return sen


_RUPIAH_TEXT = re.compile(r"Rp\s?(\d{1,3}(?:\.\d{3})*)(?:,(\d{1,2}))?")


def parse_typed_amount(text: str, *, field: str = "amount") -> int:
    """Positive sen from what a person types: the wire form (``814000000.00``) or the
    rupiah as it is written and printed (``Rp 814.000.000,00``, ``Rp 814.000.000``).

    A bare ``814.000.000`` is refused: it reads as 814 rupiah to the wire format and as
    814 juta to a person, and a CLI must not guess which."""
    written = _RUPIAH_TEXT.fullmatch(text.strip()) if isinstance(text, str) else None
    if written is not None:
        whole, fraction = written.groups()
        text = whole.replace(".", "") + ("." + fraction if fraction else "")
    elif isinstance(text, str) and re.fullmatch(r"\d{1,3}(?:\.\d{3}){2,}(?:,\d{1,2})?", text):
        raise BadAmount(
            f"{field} {text!r}: write Rp {text} (as rupiah are printed) or"
            f" {text.replace('.', '').replace(',', '.')} (the wire form)",
            field=field,
        )
    return parse_positive_amount(text, field=field)


def parse_nonzero_amount(value: Any, *, field: str = "amount") -> int:
    """Signed sen, refusing zero (revisions and re-phasings move money one way or the other)."""
    sen = parse_amount(value, field=field, signed=True)
    if sen == 0:
        raise BadAmount(f"{field} must not be 0.00", field=field)
    return sen
