"""Statements: field rules, canonical bytes, domain-separated signatures, strict parse."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from nacl.signing import SigningKey

from ledger.canonical import canonical_bytes, parse_json_object
from ledger.errors import ClientError, FormatError, PayloadTooLarge, SignatureError
from ledger.limits import NESTING_DEPTH_MAX, PARSE_NESTING_DEPTH_MAX, Limits
from ledger.signing import make_signed
from ledger.statement import (
    STATEMENT_SIGNATURE_DOMAIN,
    STATEMENT_SIGNATURE_DOMAIN_V1,
    LoggedEntry,
    SignedStatement,
    Statement,
    key_id_of,
)

LIMITS = Limits()
AT = datetime(2026, 5, 1, 8, 30, tzinfo=UTC)
KEY = SigningKey(bytes(range(32)))
ORIGIN = "terang.example/log-a"


def raw_statement(**changes: Any) -> dict[str, Any]:
    value: dict[str, Any] = {
        "type": "budget.appropriation.posted",
        "subject": "1.02.01.2.01.0001",
        "signer": key_id_of(bytes(KEY.verify_key)),
        "time": "2026-05-01T08:30:00.000Z",
        "nonce": "nonce-0123456789ab",
        "body": {"amount": "1500000000.00"},
    }
    value.update(changes)
    return value


def test_canonical_bytes_sort_keys_and_are_compact() -> None:
    assert (
        canonical_bytes({"b": 1, "a": [True, None, "é"]}) == '{"a":[true,null,"é"],"b":1}'.encode()
    )


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"type": "Budget"}, "bad_field"),
        ({"type": "x" * 65}, "field_length"),
        ({"subject": ""}, "field_length"),
        ({"subject": "has space"}, "bad_field"),
        ({"signer": "AB" * 32}, "bad_field"),
        ({"nonce": "short"}, "field_length"),
        ({"nonce": "bad nonce with spaces"}, "bad_field"),
        ({"time": "2026-05-01 08:30:00"}, "bad_time"),
        ({"time": "2026-05-01T08:30:00+07:00"}, "bad_time"),
        ({"time": "2026-02-30T08:30:00Z"}, "bad_time"),
        ({"body": []}, "bad_body"),
        ({"body": {"amount": 1.5}}, "float_not_allowed"),
        ({"body": {"amount": 2**60}}, "integer_out_of_range"),
        ({"extra": 1}, "unknown_field"),
    ],
)
def test_each_bad_field_has_its_own_code(changes: dict[str, Any], code: str) -> None:
    with pytest.raises(ClientError) as caught:
        Statement.from_json(raw_statement(**changes), LIMITS)
    assert caught.value.code == code


def test_missing_fields_are_named() -> None:
    raw = raw_statement()
    del raw["nonce"], raw["body"]
    with pytest.raises(ClientError) as caught:
        Statement.from_json(raw, LIMITS)
    assert caught.value.details["fields"] == ["body", "nonce"]


def test_statement_over_the_size_limit_is_413() -> None:
    small = Limits(statement_bytes_max=512)
    with pytest.raises(PayloadTooLarge) as caught:
        Statement.from_json(raw_statement(body={"doc": "x" * 600}), small)
    assert caught.value.http_status == 413
    assert caught.value.code == "statement_too_large"


def test_limits_must_fit_an_entry_bundle() -> None:
    with pytest.raises(Exception, match="tlog-tiles"):
        Limits(statement_bytes_max=65_000)


def test_signature_is_over_domain_prefix_origin_and_canonical_bytes() -> None:
    signed = make_signed(KEY, "budget.appropriation.posted", "x.1", {"a": 1}, at=AT, origin=ORIGIN)
    message = b"terang.statement.v2\x00" + ORIGIN.encode() + b"\x00" + signed.statement.canonical()
    assert message == signed.statement.signing_message(origin=ORIGIN)
    assert STATEMENT_SIGNATURE_DOMAIN == b"terang.statement.v2\x00"
    KEY.verify_key.verify(message, signed.signature)
    signed.verify(bytes(KEY.verify_key), origin=ORIGIN)
    # Without the domain prefix the signature must not verify.
    raw_signature = KEY.sign(signed.statement.canonical()).signature
    with pytest.raises(SignatureError):
        SignedStatement(signed.statement, raw_signature).verify(
            bytes(KEY.verify_key), origin=ORIGIN
        )


def test_a_statement_signed_for_one_log_does_not_verify_for_another() -> None:
    signed = make_signed(KEY, "budget.appropriation.posted", "x.1", {"a": 1}, at=AT, origin=ORIGIN)
    for other in ("terang.example/log-b", ORIGIN + "x", ORIGIN[:-1]):
        with pytest.raises(SignatureError) as caught:
            signed.verify(bytes(KEY.verify_key), origin=other)
        assert caught.value.code == "bad_signature"
        assert other in caught.value.message


def test_a_v2_signature_never_verifies_as_v1_and_v1_still_verifies_as_v1() -> None:
    """No downgrade: a v2 signature under the legacy v1 message fails, whatever the origin;
    a genuine v1 signature (old logs) still verifies in a v1 entry, and only there."""
    signed = make_signed(KEY, "budget.appropriation.posted", "x.1", {"a": 1}, at=AT, origin=ORIGIN)
    with pytest.raises(SignatureError):
        signed.verify(bytes(KEY.verify_key), origin=ORIGIN, version=1)
    legacy_message = STATEMENT_SIGNATURE_DOMAIN_V1 + signed.statement.canonical()
    legacy = SignedStatement(signed.statement, KEY.sign(legacy_message).signature)
    legacy.verify(bytes(KEY.verify_key), origin=ORIGIN, version=1)
    legacy.verify(bytes(KEY.verify_key), origin="any.other/log", version=1)  # v1 binds no log
    with pytest.raises(SignatureError):
        legacy.verify(bytes(KEY.verify_key), origin=ORIGIN, version=2)


@pytest.mark.parametrize("origin", ["", "a\x00b", "a\nb"])
def test_an_origin_that_would_make_the_message_ambiguous_is_refused(origin: str) -> None:
    statement = Statement.from_json(raw_statement(), LIMITS)
    with pytest.raises(ClientError) as caught:
        statement.signing_message(origin=origin)
    assert caught.value.code == "bad_origin"


def test_signature_from_another_key_fails() -> None:
    signed = make_signed(KEY, "budget.appropriation.posted", "x.1", {"a": 1}, at=AT, origin=ORIGIN)
    with pytest.raises(SignatureError):
        signed.verify(bytes(SigningKey.generate().verify_key), origin=ORIGIN)


def test_signed_statement_rejects_noncanonical_base64() -> None:
    signed = make_signed(
        KEY, "budget.appropriation.posted", "x.1", {"a": 1}, at=AT, origin=ORIGIN
    ).to_json()
    signed["signature"] = signed["signature"].rstrip("=")
    with pytest.raises(ClientError) as caught:
        SignedStatement.from_json(signed, LIMITS)
    assert caught.value.code == "bad_base64"


def test_json_parser_refuses_duplicate_keys_and_floats() -> None:
    with pytest.raises(ClientError):
        parse_json_object(b'{"a":1,"a":2}')
    with pytest.raises(ClientError):
        parse_json_object(b'{"a":1.0}')


@pytest.mark.parametrize("raw", [b'{"k\\ud800": 1}', b'{"a": {"\\udc00x": 1}}', b'["\\ud800"]'])
def test_a_lone_surrogate_anywhere_is_a_client_error_not_a_crash(raw: bytes) -> None:
    # Found by the workspace's JS canonical form tests: a lone surrogate in an object key
    # escaped rfc8785 as UnicodeEncodeError (a 500 for an anonymous client's body).
    value = parse_json_object(b'{"body": ' + raw + b"}")
    with pytest.raises(ClientError) as caught:
        canonical_bytes(value)
    assert caught.value.code == "bad_json"


@pytest.mark.parametrize("depth", [PARSE_NESTING_DEPTH_MAX + 1, 40, 4_000, 100_000])
def test_json_parser_refuses_deep_nesting_with_a_client_error(depth: int) -> None:
    """Untrusted bytes nested deep are a 4xx ``too_deep``, never a RecursionError (500)."""
    for data in (
        b'{"a":' + b"[" * (depth - 1) + b"]" * (depth - 1) + b"}",
        b'{"a":' + b"[" * depth,  # unbalanced: the decoder would recurse before noticing
        b'{"a":' + b'{"a":' * depth + b"1" + b"}" * depth + b"}",
    ):
        with pytest.raises(ClientError) as caught:
            parse_json_object(data)
        assert caught.value.code == "too_deep"


def test_json_parser_accepts_what_canonical_bytes_writes_at_the_depth_limit() -> None:
    """The parser's limit is exactly the deepest value that could be logged."""
    value: Any = []
    while True:
        try:
            data = canonical_bytes(value)
        except ClientError:
            break
        deepest, value = data, [value]
    wrapped = b'{"a":' + deepest + b"}"
    assert deepest.count(b"[") == NESTING_DEPTH_MAX + 1 == PARSE_NESTING_DEPTH_MAX
    with pytest.raises(ClientError):
        parse_json_object(wrapped)  # one level more than canonical_bytes writes
    assert parse_json_object(b'{"a":' + deepest[1:-1] + b"}")["a"] is not None
    # Brackets inside strings are text, not nesting.
    text = b'{"s":"' + b"[" * 500 + b'\\"{{{"}'
    assert parse_json_object(text)["s"].startswith("[[[")


def test_logged_entry_round_trips_and_refuses_noncanonical_bytes() -> None:
    signed = make_signed(KEY, "budget.appropriation.posted", "x.1", {"a": 1}, at=AT, origin=ORIGIN)
    entry = LoggedEntry(7, "2026-05-01T08:30:01.000Z", bytes(32), signed)
    data = entry.entry_bytes()
    assert LoggedEntry.parse(data, LIMITS) == entry
    assert LoggedEntry.parse(data, LIMITS).entry_bytes() == data
    with pytest.raises(FormatError):
        LoggedEntry.parse(data.replace(b'"seq":7', b'"seq": 7'), LIMITS)
    with pytest.raises(FormatError):
        LoggedEntry.parse(data + b" ", LIMITS)


def test_entry_format_versions_one_and_two_parse_and_others_do_not() -> None:
    signed = make_signed(KEY, "budget.appropriation.posted", "x.1", {"a": 1}, at=AT, origin=ORIGIN)
    entry = LoggedEntry(7, "2026-05-01T08:30:01.000Z", bytes(32), signed)
    assert entry.version == 2 and entry.entry_bytes().endswith(b',"v":2}')
    legacy = LoggedEntry(7, "2026-05-01T08:30:01.000Z", bytes(32), signed, version=1)
    assert LoggedEntry.parse(legacy.entry_bytes(), LIMITS).version == 1
    for bad in (b',"v":0}', b',"v":3}', b',"v":true}', b',"v":"2"}'):
        with pytest.raises(FormatError):
            LoggedEntry.parse(entry.entry_bytes().replace(b',"v":2}', bad), LIMITS)
    with pytest.raises(FormatError):
        LoggedEntry(7, "2026-05-01T08:30:01.000Z", bytes(32), signed, version=3)


json_leaf = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**53) + 1, max_value=2**53 - 1),
    st.text(max_size=20),
)
json_value = st.recursive(
    json_leaf,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)


@given(body=st.dictionaries(st.text(max_size=8), json_value, max_size=5))
def test_any_body_round_trips_through_signing_and_entry_bytes(body: dict[str, Any]) -> None:
    signed = make_signed(
        KEY, "budget.appropriation.posted", "x.1", body, at=AT, origin=ORIGIN, nonce="n" * 16
    )
    again = SignedStatement.from_json(signed.to_json(), LIMITS)
    assert again == signed
    again.verify(bytes(KEY.verify_key), origin=ORIGIN)
    entry = LoggedEntry(0, "2026-05-01T08:30:01.000Z", bytes(32), signed)
    assert LoggedEntry.parse(entry.entry_bytes(), LIMITS).entry_bytes() == entry.entry_bytes()


@given(
    body=st.dictionaries(st.text(max_size=8), json_value, max_size=5),
    seq=st.integers(min_value=0, max_value=2**53 - 1),
    prev=st.binary(min_size=32, max_size=32),
)
def test_spliced_entry_bytes_equal_the_reference_jcs(
    body: dict[str, Any], seq: int, prev: bytes
) -> None:
    from ledger.canonical import reference_canonical_bytes

    signed = make_signed(
        KEY, "budget.appropriation.posted", "x.1", body, at=AT, origin=ORIGIN, nonce="n" * 16
    )
    entry = LoggedEntry(seq, "2026-05-01T08:30:01.000Z", prev, signed)
    assert entry.entry_bytes() == reference_canonical_bytes(entry.to_json())


@given(value=json_value)
def test_fast_canonical_bytes_equal_the_rfc8785_library(value: Any) -> None:
    from ledger.canonical import reference_canonical_bytes

    try:
        expected = reference_canonical_bytes(value)
    except Exception:
        with pytest.raises(ClientError):
            canonical_bytes(value)
        return
    assert canonical_bytes(value) == expected


@pytest.mark.parametrize("field", ["type", "subject", "nonce"])
def test_a_trailing_newline_is_not_part_of_any_field(field: str) -> None:
    value = raw_statement()[field] + "\n"
    with pytest.raises(ClientError) as caught:
        Statement.from_json(raw_statement(**{field: value}), LIMITS)
    assert caught.value.code == "bad_field"


def test_limits_cannot_exceed_the_database_columns() -> None:
    with pytest.raises(Exception, match="column"):
        Limits(subject_chars_max=129)
