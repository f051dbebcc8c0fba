"""Query parameters of the portal's pages, checked before anything is read.

An empty value means "not given" (an HTML form sends every field, filled or not).
A value that is given but malformed answers 400 with a page naming the parameter;
nothing is read for it. A parameter given twice is refused the same way, so a link
means one thing. Unknown parameters are ignored (links get tracking tags appended).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection
from typing import Any

from fastapi import Request

from budgeting.limits import AMOUNT_SEN_MAX
from budgeting.money import SEN_PER_RUPIAH
from ledger.errors import ClientError
from portal.limits import (
    PAGE_ITEMS_MAX,
    PAGE_SIZE_DEFAULT,
    TEXT_CHARS_MAX,
    VALUE_CHARS_MAX,
)
from portal.routing import bad_request

_DIGITS = re.compile(r"[0-9]{1,16}")


def raw(request: Request, name: str, chars_max: int = VALUE_CHARS_MAX) -> str | None:
    """The parameter's text, ``None`` when absent or empty; 400 when repeated or long."""
    values = request.query_params.getlist(name)
    if len(values) > 1:
        raise bad_request("error.param.repeated", name=name)
    if not values or values[0] == "":
        return None
    value = values[0]
    if len(value) > chars_max:
        raise bad_request("error.param.too_long", name=name, chars_max=str(chars_max))
    return value


def text(request: Request, name: str) -> str | None:
    """Free search text: surrounding spaces dropped, at most ``TEXT_CHARS_MAX``."""
    value = raw(request, name, TEXT_CHARS_MAX)
    if value is None:
        return None
    if any(ord(char) < 32 for char in value):
        raise bad_request("error.param.invalid", name=name)
    return value.strip() or None


def choice(request: Request, name: str, allowed: Collection[str]) -> str | None:
    value = raw(request, name)
    if value is not None and value not in allowed:
        raise bad_request("error.param.choice", name=name, allowed=", ".join(allowed))
    return value


def integer(request: Request, name: str, low: int, high: int) -> int | None:
    value = raw(request, name)
    if value is None:
        return None
    if not _DIGITS.fullmatch(value) or not low <= int(value) <= high:
        raise bad_request("error.param.range", name=name, low=str(low), high=str(high))
    return int(value)


def rupiah_as_sen(request: Request, name: str) -> int | None:
    """Whole rupiah, digits only (``1500000``), as sen."""
    value = raw(request, name)
    if value is None:
        return None
    if not _DIGITS.fullmatch(value) or int(value) * SEN_PER_RUPIAH > AMOUNT_SEN_MAX:
        raise bad_request("error.param.rupiah", name=name)
    return int(value) * SEN_PER_RUPIAH


def code(request: Request, name: str, parse: Callable[[str], Any]) -> str | None:
    """A code checked by its room's own parser (``parse_opd_code`` and the like)."""
    value = raw(request, name)
    if value is None:
        return None
    try:
        parse(value)
    except ClientError:
        raise bad_request("error.param.invalid", name=name) from None
    return value


def cursor(request: Request, name: str, pattern: re.Pattern[str]) -> str:
    """A pagination cursor (``after``): a key of the list, or ``""`` for the first page."""
    value = raw(request, name)
    if value is None:
        return ""
    if not pattern.fullmatch(value):
        raise bad_request("error.param.invalid", name=name)
    return value


def page_size(request: Request) -> int:
    """``limit``: rows per page, 1 to ``PAGE_ITEMS_MAX`` (default ``PAGE_SIZE_DEFAULT``)."""
    value = integer(request, "limit", 1, PAGE_ITEMS_MAX)
    return PAGE_SIZE_DEFAULT if value is None else value
