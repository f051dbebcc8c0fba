"""Strict readers for statement body fields: each raises ``ClientError`` naming the field.

Reducers validate a body before they look at state, in the order the fields are read,
so the same bad body always yields the same first error. Money is integer sen carried
on the wire as the budgeting room writes it (``budgeting.money``: a rupiah decimal
string such as ``"1500000000.00"``), parsed to integer sen.
"""

from __future__ import annotations

import hashlib
import re
from datetime import datetime
from typing import Any

from budgeting.money import format_amount, parse_positive_amount
from ledger.errors import ClientError
from ledger.statement import b64decode_strict, parse_time
from procurement.limits import (
    LIST_ITEMS_MAX,
    NAME_CHARS_MAX,
    TEXT_CHARS_MAX,
)

HEX64 = re.compile(r"[0-9a-f]{64}")
IDENTIFIER_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:/-]*")
OCID_PATTERN = re.compile(r"ocds-[a-z0-9]{6}-[A-Za-z0-9][A-Za-z0-9._-]{0,79}")


def bad(field: str, message: str, code: str = "bad_field") -> ClientError:
    return ClientError(f"body.{field} {message}", code=code, field=f"body.{field}")


def only_fields(
    body: dict[str, Any], required: frozenset[str], optional: frozenset[str] = frozenset()
) -> None:
    """Refuse missing and unknown fields, named in sorted order."""
    missing = sorted(required - body.keys())
    if missing:
        raise ClientError(
            f"body is missing {', '.join(missing)}", code="missing_field", fields=missing
        )
    extra = sorted(body.keys() - required - optional)
    if extra:
        raise ClientError(
            f"body has unknown field(s) {', '.join(extra)}", code="unknown_field", fields=extra
        )


def text(body: dict[str, Any], field: str, chars_max: int = TEXT_CHARS_MAX) -> str:
    value = body.get(field)
    if not isinstance(value, str) or not 1 <= len(value) <= chars_max:
        raise bad(field, f"must be a string of 1 to {chars_max} characters")
    if value != value.strip():
        raise bad(field, "must not start or end with white space")
    return value


def identifier(body: dict[str, Any], field: str, chars_max: int = 128) -> str:
    value = body.get(field)
    if not isinstance(value, str) or not 1 <= len(value) <= chars_max:
        raise bad(field, f"must be a string of 1 to {chars_max} characters")
    if not IDENTIFIER_PATTERN.fullmatch(value):
        raise bad(field, f"must match {IDENTIFIER_PATTERN.pattern}")
    return value


def choice(body: dict[str, Any], field: str, allowed: frozenset[str] | tuple[str, ...]) -> str:
    value = body.get(field)
    if not isinstance(value, str) or value not in allowed:
        raise bad(field, f"must be one of {', '.join(sorted(allowed))}", code="bad_choice")
    return value


def boolean(body: dict[str, Any], field: str) -> bool:
    value = body.get(field)
    if not isinstance(value, bool):
        raise bad(field, "must be true or false")
    return value


def integer(body: dict[str, Any], field: str, low: int, high: int) -> int:
    value = body.get(field)
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise bad(field, f"must be a whole number from {low} to {high}")
    return value


def amount(body: dict[str, Any], field: str) -> int:
    """A positive amount: a rupiah decimal string on the wire (``"1500000.00"``), sen inside."""
    return parse_positive_amount(body.get(field), field=f"body.{field}")


def wire_amount(amount_sen: int) -> str:
    """The wire form of an amount in sen (``budgeting.money.format_amount``)."""
    return format_amount(amount_sen)


def hex64(body: dict[str, Any], field: str) -> str:
    value = body.get(field)
    if not isinstance(value, str) or not HEX64.fullmatch(value):
        raise bad(field, "must be 64 lowercase hex characters (a SHA-256 or key id)")
    return value


def base64_bytes(body: dict[str, Any], field: str, bytes_min: int, bytes_max: int) -> bytes:
    value = body.get(field)
    if not isinstance(value, str) or len(value) > (bytes_max + 2) // 3 * 4:
        raise bad(field, f"must be base64 of {bytes_min} to {bytes_max} bytes")
    raw = b64decode_strict(value, field=f"body.{field}")
    if not bytes_min <= len(raw) <= bytes_max:
        raise bad(field, f"must be base64 of {bytes_min} to {bytes_max} bytes")
    return raw


def moment(body: dict[str, Any], field: str) -> datetime:
    value = body.get(field)
    if not isinstance(value, str):
        raise bad(field, "must be a UTC time like 2026-01-31T08:00:00Z", code="bad_time")
    return parse_time(value, field=f"body.{field}")


def items(body: dict[str, Any], field: str, low: int = 1, high: int = LIST_ITEMS_MAX) -> list[Any]:
    value = body.get(field)
    if not isinstance(value, list) or not low <= len(value) <= high:
        raise bad(field, f"must be a list of {low} to {high} items")
    return value


def obj(value: Any, field: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise bad(field, "must be an object")
    return value


def document_hashes(body: dict[str, Any], field: str, low: int = 0) -> list[dict[str, str]]:
    """``[{"name": ..., "sha256": ...}]``: documents stored content-addressed elsewhere."""
    found = body.get(field, [])
    if not isinstance(found, list) or not low <= len(found) <= LIST_ITEMS_MAX:
        raise bad(field, f"must be a list of {low} to {LIST_ITEMS_MAX} documents")
    result: list[dict[str, str]] = []
    for index, item in enumerate(found):
        where = f"{field}[{index}]"
        doc = obj(item, where)
        if set(doc) != {"name", "sha256"}:
            raise bad(where, "must be exactly {name, sha256}")
        result.append({"name": text(doc, "name", NAME_CHARS_MAX), "sha256": hex64(doc, "sha256")})
    return result


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
