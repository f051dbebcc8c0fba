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


# Above this code point, UTF-16 code-unit order (JCS) and code-point order (Python's
# sort) can disagree: surrogate pairs sort below U+E000..U+FFFF in UTF-16.
_SORT_ORDER_SAFE_MAX = "\ud7ff"


def _keys_sort_alike(value: Any) -> bool:
    """True when sorting every object's keys by code point equals JCS's UTF-16 order."""
    if isinstance(value, dict):
        return all(
            max(key, default="") <= _SORT_ORDER_SAFE_MAX and _keys_sort_alike(item)
            for key, item in value.items()
        )
    if isinstance(value, list):
        return all(_keys_sort_alike(item) for item in value)
    return True


def canonical_bytes(value: Any) -> bytes:
    """JCS (RFC 8785) bytes of ``value`` after checking it is float-free JSON.

    ``rfc8785`` is the reference. For the values we allow (no floats, integers in the
    I-JSON range) the standard library's C encoder with sorted keys, compact
    separators and no ASCII escaping writes the very same bytes, about ten times
    faster, except where key order differs (keys beyond U+D7FF) or a string holds a
    lone surrogate; those go to ``rfc8785``. A property test holds the two equal.
    """
    check_json_value(value)
    if _keys_sort_alike(value):
        try:
            return json.dumps(
                value, sort_keys=True, separators=(",", ":"), ensure_ascii=False
            ).encode("utf-8")
        except UnicodeEncodeError:
            pass  # a lone surrogate: let the reference implementation refuse it
    try:
        result: bytes = rfc8785.dumps(value)
    except rfc8785.CanonicalizationError as exc:
        raise ClientError(f"value cannot be canonicalised: {exc}", code="bad_json") from exc
    return result


def reference_canonical_bytes(value: Any) -> bytes:
    """The ``rfc8785`` library's bytes, for tests that hold the fast path to it."""
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
