"""RFC 8785 (JCS) canonical JSON, with the value rules a ledger needs.

Entry bytes and statement signatures are computed over JCS bytes, so two parties
that agree on a value agree on its bytes. We add two rules on top of JCS: no floats
anywhere (money is integer sen, amounts on the wire are decimal strings) and
integers within the I-JSON safe range, so every JSON implementation reads the same
number back.
"""

from __future__ import annotations

import json
import re
from typing import Any

import rfc8785

from ledger.errors import ClientError
from ledger.limits import JSON_SAFE_INTEGER_MAX, NESTING_DEPTH_MAX, PARSE_NESTING_DEPTH_MAX

# Above this code point, UTF-16 code-unit order (JCS) and code-point order (Python's
# sort) can disagree: surrogate pairs sort below U+E000..U+FFFF in UTF-16.
_SORT_ORDER_SAFE_MAX = "\ud7ff"


def _scan(value: Any, depth: int = 0) -> bool | None:
    """One pass over ``value``: None if it breaks a rule, else whether every object key
    sorts alike by code point and by UTF-16 code unit (see ``canonical_bytes``).

    The hot path of parsing and hashing entries; ``check_json_value`` re-walks only a
    value that fails, to name where.
    """
    if depth > NESTING_DEPTH_MAX:
        return None
    if isinstance(value, str) or value is None or value is True or value is False:
        return True
    if isinstance(value, int):
        return True if -JSON_SAFE_INTEGER_MAX <= value <= JSON_SAFE_INTEGER_MAX else None
    if isinstance(value, dict):
        alike = True
        for key, item in value.items():
            if not isinstance(key, str):
                return None
            if not key.isascii() and max(key) > _SORT_ORDER_SAFE_MAX:
                alike = False
            found = _scan(item, depth + 1)
            if found is None:
                return None
            alike = alike and found
        return alike
    if isinstance(value, list):
        alike = True
        for item in value:
            found = _scan(item, depth + 1)
            if found is None:
                return None
            alike = alike and found
        return alike
    return None


def check_json_value(value: Any, *, where: str = "$") -> None:
    """Raise ``ClientError`` unless ``value`` is plain JSON without floats."""
    if _scan(value) is None:
        _explain(value, where, 0)


def _explain(value: Any, where: str, depth: int) -> None:
    """Raise the ``ClientError`` that names where ``value`` breaks a rule."""
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
            _explain(item, f"{where}[{i}]", depth + 1)
        return
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise ClientError(f"{where}: object keys must be strings", code="bad_json")
            _explain(item, f"{where}.{key}", depth + 1)
        return
    raise ClientError(f"{where}: {type(value).__name__} is not a JSON value", code="bad_json")


def canonical_bytes(value: Any) -> bytes:
    """JCS (RFC 8785) bytes of ``value`` after checking it is float-free JSON.

    ``rfc8785`` is the reference. For the values we allow (no floats, integers in the
    I-JSON range) the standard library's C encoder with sorted keys, compact
    separators and no ASCII escaping writes the very same bytes, about ten times
    faster, except where key order differs (keys beyond U+D7FF: JCS sorts by UTF-16
    code units) or a string holds a lone surrogate; those go to ``rfc8785``. A
    property test holds the two equal.
    """
    keys_sort_alike = _scan(value)
    if keys_sort_alike is None:
        check_json_value(value)  # raises, naming where
    if keys_sort_alike:
        try:
            return json.dumps(
                value, sort_keys=True, separators=(",", ":"), ensure_ascii=False
            ).encode("utf-8")
        except UnicodeEncodeError:
            pass  # a lone surrogate: let the reference implementation refuse it
    try:
        result: bytes = rfc8785.dumps(value)
    except (rfc8785.CanonicalizationError, UnicodeEncodeError) as exc:
        # rfc8785 sorts keys by their UTF-16 encoding, which raises UnicodeEncodeError on
        # a key holding a lone surrogate (a JSON "\ud800" escape): a client's bad input.
        raise ClientError(f"value cannot be canonicalised: {exc}", code="bad_json") from exc
    return result


def reference_canonical_bytes(value: Any) -> bytes:
    """The ``rfc8785`` library's bytes, for tests that hold the fast path to it."""
    result: bytes = rfc8785.dumps(value)
    return result


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise ClientError(f"duplicate JSON key {key!r}", code="bad_json")
            seen.add(key)
    return result


def _no_float(text: str) -> Any:
    raise ClientError(
        f"floating-point number {text[:40]} is not allowed; use integers or decimal strings",
        code="float_not_allowed",
    )


def _safe_int(text: str) -> int:
    value = int(text)
    if abs(value) > JSON_SAFE_INTEGER_MAX:
        raise ClientError(
            f"integer {text[:40]} is outside ±(2^53-1); send large amounts as decimal strings",
            code="integer_out_of_range",
        )
    return value


def _no_constant(text: str) -> Any:
    raise ClientError(f"{text} is not JSON", code="bad_json")


# One decoder, built once: the rules are enforced while parsing, so a parsed value
# needs no second walk (this is on the verifier's per-entry path).
_STRICT_DECODER = json.JSONDecoder(
    object_pairs_hook=_no_duplicate_keys,
    parse_float=_no_float,
    parse_int=_safe_int,
    parse_constant=_no_constant,
)


# A JSON string (with its escapes) or one bracket: strings are skipped whole, so a
# bracket inside a string is not counted. UTF-8 continuation bytes are never '"' or '\\'.
_STRING_OR_BRACKET = re.compile(rb'"(?:[^"\\]|\\.)*"|[\[\]{}]', re.DOTALL)


def _nested_deeper_than(data: bytes, depth_max: int) -> bool:
    """Whether arrays/objects in ``data`` open more than ``depth_max`` deep."""
    if data.count(b"[") + data.count(b"{") <= depth_max:
        return False  # the common case: too few brackets to be that deep
    depth = 0
    for match in _STRING_OR_BRACKET.finditer(data):
        token = match.group()
        if token in (b"[", b"{"):
            depth += 1
            if depth > depth_max:
                return True
        elif token in (b"]", b"}"):
            depth -= 1
    return False


def parse_json_object(data: bytes) -> dict[str, Any]:
    """Parse UTF-8 bytes as one JSON object: no duplicate keys, no floats, safe integers,
    nesting at most ``PARSE_NESTING_DEPTH_MAX`` (``too_deep``, checked before decoding)."""
    if _nested_deeper_than(data, PARSE_NESTING_DEPTH_MAX):
        raise ClientError(
            f"JSON nested deeper than {PARSE_NESTING_DEPTH_MAX} arrays/objects",
            code="too_deep",
            depth_max=PARSE_NESTING_DEPTH_MAX,
        )
    try:
        value = _STRICT_DECODER.decode(data.decode("utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise ClientError(f"not valid JSON: {exc}", code="bad_json") from exc
    if not isinstance(value, dict):
        raise ClientError("expected a JSON object", code="bad_json")
    return value
