"""RFC 8785 (JCS) canonical JSON, with the value rules a ledger needs.

Entry bytes and statement signatures are computed over JCS bytes, so two parties
that agree on a value agree on its bytes. We add two rules on top of JCS: no floats
anywhere (money is integer sen, amounts on the wire are decimal strings) and
integers within the I-JSON safe range, so every JSON implementation reads the same
number back.
"""

from __future__ import annotations

import json
from typing import Any

import rfc8785

from ledger.errors import ClientError

JSON_SAFE_INTEGER_MAX = 2**53 - 1
NESTING_DEPTH_MAX = 32


def check_json_value(value: Any, *, where: str = "$", depth: int = 0) -> None:
    """Raise ``ClientError`` unless ``value`` is plain JSON without floats."""
    if depth > NESTING_DEPTH_MAX:
        raise ClientError(f"{where}: nested deeper than {NESTING_DEPTH_MAX}", code="too_deep")
    if value is None or isinstance(value, bool | str):
        return
    if isinstance(value, int):
        if abs(value) > JSON_SAFE_INTEGER_MAX:
            raise ClientError(
                f"{where}: integer outside ±(2^53-1); send large amounts as decimal strings",
                code="integer_out_of_range",
            )
        return
    if isinstance(value, float):
        raise ClientError(
            f"{where}: floating-point numbers are not allowed; use integers or decimal strings",
            code="float_not_allowed",
        )
    if isinstance(value, list):
        for i, item in enumerate(value):
            check_json_value(item, where=f"{where}[{i}]", depth=depth + 1)
        return
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise ClientError(f"{where}: object keys must be strings", code="bad_json")
            check_json_value(item, where=f"{where}.{key}", depth=depth + 1)
        return
    raise ClientError(f"{where}: {type(value).__name__} is not a JSON value", code="bad_json")


def canonical_bytes(value: Any) -> bytes:
    """JCS bytes of ``value`` after checking it is float-free JSON."""
    check_json_value(value)
    result: bytes = rfc8785.dumps(value)
    return result


def parse_json_object(data: bytes) -> dict[str, Any]:
    """Parse bytes as one JSON object, rejecting duplicate keys and floats."""

    def no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key, item in pairs:
            if key in result:
                raise ClientError(f"duplicate JSON key {key!r}", code="bad_json")
            result[key] = item
        return result

    try:
        value = json.loads(data, object_pairs_hook=no_duplicates)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ClientError(f"not valid JSON: {exc}", code="bad_json") from exc
    if not isinstance(value, dict):
        raise ClientError("expected a JSON object", code="bad_json")
    check_json_value(value)
    return value
