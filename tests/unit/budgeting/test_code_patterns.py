"""The OpenAPI's code patterns accept exactly what the parsers accept.

``budgeting.codes.*_PATTERN`` restate each parser's grammar for the OpenAPI (a client or
a fuzzer reads them; the parser enforces them). A pattern that drifted from its parser
would make the spec lie again, so each is checked against it: every string the pattern
generates parses (bar the rules the patterns' docstring names), and strings near valid
codes (one character changed, dropped or added) match exactly when they parse.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from budgeting.codes import (
    ACCOUNT_CODE_PATTERN,
    FUNDING_SOURCE_PATTERN,
    LINE_ID_PATTERN,
    OPD_CODE_PATTERN,
    PROGRAMME_CODE_PATTERN,
    BadCode,
    parse_account_code,
    parse_funding_source,
    parse_line_id,
    parse_opd_code,
    parse_programme_code,
)
from budgeting.limits import FUNDING_SOURCE_CHARS_MAX
from budgeting.statements import POSTING_ID_PATTERN, parse_posting_id
from ledger.errors import ClientError


def _repeats_a_bidang(opd: str) -> bool:
    parts = opd.split(".")
    pairs = [(parts[i], parts[i + 1]) for i in (0, 2, 4) if (parts[i], parts[i + 1]) != ("0", "00")]
    return len(set(pairs)) != len(pairs)


def _line_beyond_pattern(line_id: str) -> bool:
    segments = line_id.split(":")
    return _repeats_a_bidang(segments[1]) or len(segments[4]) > FUNDING_SOURCE_CHARS_MAX


def _funding_beyond_pattern(value: str) -> bool:
    return len(value) > FUNDING_SOURCE_CHARS_MAX


def _opd_beyond_pattern(value: str) -> bool:
    return _repeats_a_bidang(value)


def _never(value: str) -> bool:
    return False


CASES: list[tuple[str, Callable[[str], Any], Callable[[str], bool], str]] = [
    (PROGRAMME_CODE_PATTERN, parse_programme_code, _never, "1.02.01.2.01.0001"),
    (ACCOUNT_CODE_PATTERN, parse_account_code, _never, "5.1.02.01.01.0024"),
    (OPD_CODE_PATTERN, parse_opd_code, _opd_beyond_pattern, "5.01.5.05.0.00.01.0000"),
    (FUNDING_SOURCE_PATTERN, parse_funding_source, _funding_beyond_pattern, "DAK-FISIK"),
    (
        LINE_ID_PATTERN,
        parse_line_id,
        _line_beyond_pattern,
        "2026:1.02.0.00.0.00.01.0000:1.02.02.2.01.0001:5.1.02.01.01.0024:DAU",
    ),
    (POSTING_ID_PATTERN, lambda v: parse_posting_id(v, field="posting_id"), _never, "SPK-1"),
]
IDS = ["programme", "account", "opd", "funding_source", "line_id", "posting_id"]


def _parses(parse: Callable[[str], Any], value: str) -> bool:
    try:
        parse(value)
    except (BadCode, ClientError):
        return False
    return True


def _no_newline(pattern: str) -> str:
    """Python's ``$`` also matches before a final newline; ECMA-262's (JSON Schema) not."""
    assert pattern.startswith("^") and pattern.endswith("$")
    return pattern[1:-1]


@pytest.mark.parametrize(("pattern", "parse", "beyond", "valid"), CASES, ids=IDS)
def test_the_pattern_reads_alike_in_python_and_has_no_look_around(
    pattern: str, parse: Callable[[str], Any], beyond: Callable[[str], bool], valid: str
) -> None:
    assert "(?=" not in pattern and "(?!" not in pattern and "(?<" not in pattern
    assert re.fullmatch(_no_newline(pattern), valid) and _parses(parse, valid)


@pytest.mark.parametrize(("pattern", "parse", "beyond", "valid"), CASES, ids=IDS)
@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_every_string_the_pattern_allows_parses(
    pattern: str,
    parse: Callable[[str], Any],
    beyond: Callable[[str], bool],
    valid: str,
    data: st.DataObject,
) -> None:
    value = data.draw(st.from_regex(_no_newline(pattern), fullmatch=True))
    assert _parses(parse, value) or beyond(value), value


def _neighbours(valid: str) -> list[str]:
    alphabet = "0123456789.:-Az/ "
    out = []
    for i in range(len(valid) + 1):
        out.append(valid[:i] + valid[i + 1 :])
        for char in alphabet:
            out.append(valid[:i] + char + valid[i + 1 :])
            out.append(valid[:i] + char + valid[i:])
    return out


@pytest.mark.parametrize(("pattern", "parse", "beyond", "valid"), CASES, ids=IDS)
def test_near_misses_match_exactly_when_they_parse(
    pattern: str, parse: Callable[[str], Any], beyond: Callable[[str], bool], valid: str
) -> None:
    compiled = re.compile(_no_newline(pattern))
    for value in _neighbours(valid):
        matches = compiled.fullmatch(value) is not None
        parses = _parses(parse, value)
        assert matches == parses or (matches and beyond(value)), (value, matches, parses)


def test_the_no_repeat_rule_is_the_one_the_opd_pattern_leaves_to_the_parser() -> None:
    opd = "1.02.1.02.0.00.01.0000"
    assert re.fullmatch(_no_newline(OPD_CODE_PATTERN), opd)
    assert not _parses(parse_opd_code, opd)
