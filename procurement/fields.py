"""Strict readers for statement body fields: each raises ``ClientError`` naming the field.

Reducers validate a body before they look at state, in the order the fields are read,
so the same bad body always yields the same first error. Money is integer sen carried
as a decimal string (``"150000000000"`` is Rp 1,500,000,000.00): no floats, no
separators, no leading zeros, at most ``SEN_DIGITS_MAX`` digits.
"""

from __future__ import annotations

import hashlib
import re
from datetime import datetime
from typing import Any

from ledger.errors import ClientError
from ledger.statement import b64decode_strict, parse_time

SEN_DIGITS_MAX = 18
"""Up to 10^18 sen = Rp 10^16: far above any APBD, far below 2^63."""
TEXT_CHARS_MAX = 2000
NAME_CHARS_MAX = 200
REASON_CHARS_MAX = 2000
LIST_ITEMS_MAX = 100

HEX64 = re.compile(r"[0-9a-f]{64}")
SEN_PATTERN = re.compile(r"0|[1-9][0-9]*")
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


def sen(body: dict[str, Any], field: str) -> int:
    """A non-negative amount of sen as a decimal string, strictly (no sign, no zeros)."""
    value = body.get(field)
    if (
        not isinstance(value, str)
        or len(value) > SEN_DIGITS_MAX
        or not value.isascii()
        or not SEN_PATTERN.fullmatch(value)
    ):
        raise bad(
            field,
            f"must be an amount in sen as a decimal string of at most {SEN_DIGITS_MAX} digits,"
            ' without sign, separators or leading zeros (e.g. "150000000000")',
            code="bad_amount",
        )
    return int(value)


def format_sen(amount_sen: int) -> str:
    return str(amount_sen)


def rupiah(amount_sen: int) -> str:
    """Human form for messages: ``Rp 1.500.000.000,00`` (Indonesian separators)."""
    whole, cents = divmod(amount_sen, 100)
    return "Rp " + f"{whole:,}".replace(",", ".") + f",{cents:02d}"


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
