"""``ledger.tiles.TILE_PATH_PATTERN`` (the OpenAPI's pattern) accepts what the parser does."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from ledger import tiles
from ledger.errors import FormatError
from ledger.limits import PARTIAL_TILE_WIDTH_MAX, TILE_INDEX_MAX, TILE_LEVEL_MAX

PATTERN = re.compile(tiles.TILE_PATH_PATTERN[1:-1])  # ECMA-262's $, not Python's


def _parses(path: str) -> bool:
    try:
        tiles.parse_tile_path("tile/" + path)
    except FormatError:
        return False
    return True


@settings(max_examples=500, deadline=None)
@given(st.from_regex(PATTERN, fullmatch=True))
def test_every_path_the_pattern_allows_parses(path: str) -> None:
    assert _parses(path), path


@settings(max_examples=500, deadline=None)
@given(
    level=st.one_of(st.none(), st.integers(0, TILE_LEVEL_MAX)),
    index=st.one_of(st.integers(0, 2000), st.integers(0, TILE_INDEX_MAX)),
    width=st.one_of(st.none(), st.integers(1, PARTIAL_TILE_WIDTH_MAX)),
)
def test_every_canonical_path_matches(level: int | None, index: int, width: int | None) -> None:
    path = (
        tiles.entries_path(index, width) if level is None else tiles.tile_path(level, index, width)
    )
    assert PATTERN.fullmatch(path.removeprefix("tile/")), path


def test_near_misses_match_exactly_when_they_parse() -> None:
    valid = [
        "0/000",
        "63/x001/x234/067.p/255",
        "entries/x018/x446/x744/x073/x709/x551/615",
        "entries/x017/x999/x999/x999/x999/x999/999.p/1",
    ]
    for path in valid:
        for i in range(len(path) + 1):
            for char in "0189x/.pe":
                for value in (path[:i] + char + path[i + 1 :], path[:i] + char + path[i:]):
                    assert (PATTERN.fullmatch(value) is not None) == _parses(value), value
            value = path[:i] + path[i + 1 :]
            assert (PATTERN.fullmatch(value) is not None) == _parses(value), value
    for beyond in ("0/x018/x446/x744/x073/x709/x551/616", "0/x000/001", "64/000", "0/000.p/0"):
        assert not PATTERN.fullmatch(beyond) and not _parses(beyond), beyond
