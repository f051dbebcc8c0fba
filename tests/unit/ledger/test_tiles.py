"""C2SP tlog-tiles: tile index and path encoding, tiles of a tree size, entry bundles."""

from __future__ import annotations

from collections import Counter

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ledger.errors import FormatError
from ledger.limits import ENTRY_BUNDLE_ENTRY_BYTES_MAX, TILE_WIDTH
from ledger.tiles import (
    decode_entry_bundle,
    decode_tile_index,
    encode_entry_bundle,
    encode_tile_index,
    entries_path,
    parse_tile_path,
    partial_tile_width,
    tile_path,
    tiles_for_size,
)

# ---------------------------------------------------------------------------
# Tile index


@pytest.mark.parametrize(
    ("n", "text"),
    [
        (0, "000"),
        (5, "005"),
        (999, "999"),
        (1000, "x001/000"),
        (1234, "x001/234"),
        (1234067, "x001/x234/067"),  # the spec's example
        (10**12, "x001/x000/x000/x000/000"),
        (2**64 - 1, "x018/x446/x744/x073/x709/x551/615"),
    ],
)
def test_tile_index_examples(n: int, text: str) -> None:
    assert encode_tile_index(n) == text
    assert decode_tile_index(text) == n


@pytest.mark.parametrize(
    "text",
    [
        "",
        "5",
        "05",
        "0005",
        "x001",
        "001/234",  # missing x
        "X001/234",
        "x01/234",
        "x0001/234",
        "x000/005",  # leading zero group
        "x000/x001/005",
        "x001//234",
        "/x001/234",
        "x001/234/",
        "x001/x234",
        " 005",
        "005 ",
        "-01",
        "+01",
        "1a2",
        "\u0661\u0662\u0663",
        "x018/x446/x744/x073/x709/x551/616",  # 2^64
        "x001/x000/x000/x000/x000/x000/x000/000",
    ],
)
def test_tile_index_rejects(text: str) -> None:
    with pytest.raises(FormatError):
        decode_tile_index(text)


@pytest.mark.parametrize("n", [-1, 2**64, True, 1.0])
def test_encode_tile_index_rejects(n: object) -> None:
    with pytest.raises(FormatError):
        encode_tile_index(n)  # type: ignore[arg-type]


@given(st.integers(min_value=0, max_value=10**12))
def test_tile_index_round_trip(n: int) -> None:
    text = encode_tile_index(n)
    assert decode_tile_index(text) == n
    assert encode_tile_index(decode_tile_index(text)) == text


@given(st.integers(min_value=0, max_value=2**64 - 1))
def test_tile_index_round_trip_u64(n: int) -> None:
    assert decode_tile_index(encode_tile_index(n)) == n


@given(st.text(alphabet="x0123456789/", max_size=30))
def test_tile_index_text_round_trips_or_is_rejected(text: str) -> None:
    try:
        n = decode_tile_index(text)
    except FormatError:
        return
    assert encode_tile_index(n) == text


# ---------------------------------------------------------------------------
# Paths


def test_path_examples() -> None:
    assert tile_path(0, 1234, 17) == "tile/0/x001/234.p/17"
    assert tile_path(0, 1234067) == "tile/0/x001/x234/067"
    assert tile_path(63, 0, 255) == "tile/63/000.p/255"
    assert entries_path(0) == "tile/entries/000"
    assert entries_path(1234067, 1) == "tile/entries/x001/x234/067.p/1"
    assert parse_tile_path("tile/0/x001/234.p/17") == (0, 1234, 17)
    assert parse_tile_path("tile/1/000") == (1, 0, None)
    assert parse_tile_path("tile/entries/000") == (None, 0, None)
    assert parse_tile_path("tile/entries/x001/x234/067.p/255") == (None, 1234067, 255)


@pytest.mark.parametrize(
    "path",
    [
        "",
        "tile",
        "tile/",
        "tile/0",
        "tile/0/",
        "tiles/0/000",
        "/tile/0/000",
        "TILE/0/000",
        "tile/00/000",  # leading zero level
        "tile/01/000",
        "tile/64/000",  # level out of range
        "tile/-1/000",
        "tile/+1/000",
        "tile/ 0/000",
        "tile/data/000",
        "tile/Entries/000",
        "tile/entries",
        "tile/0/000/",
        "tile/0/0000",
        "tile/0/x000/001",
        "tile/0/000.p/0",  # width out of range
        "tile/0/000.p/256",
        "tile/0/000.p/017",  # leading zero width
        "tile/0/000.p/",
        "tile/0/000.p",
        "tile/0/000.p/1/",
        "tile/0/000.p/1.p/2",
        "tile/0/000.P/1",
        "tile/0/000.p/ 1",
        "tile/0/000.p/1 ",
        "tile/0/000?x=1",
        "tile/0/000\n",
    ],
)
def test_parse_tile_path_rejects(path: str) -> None:
    with pytest.raises(FormatError):
        parse_tile_path(path)


@pytest.mark.parametrize(
    ("level", "index", "width"),
    [(-1, 0, None), (64, 0, None), (0, -1, None), (0, 0, 0), (0, 0, 256), (0, 0, -1)],
)
def test_tile_path_rejects(level: int, index: int, width: int | None) -> None:
    with pytest.raises(FormatError):
        tile_path(level, index, width)


widths = st.none() | st.integers(min_value=1, max_value=255)


@given(st.integers(0, 63), st.integers(0, 10**12), widths)
def test_tile_path_round_trip(level: int, index: int, width: int | None) -> None:
    path = tile_path(level, index, width)
    assert parse_tile_path(path) == (level, index, width)


@given(st.integers(0, 10**12), widths)
def test_entries_path_round_trip(index: int, width: int | None) -> None:
    path = entries_path(index, width)
    assert parse_tile_path(path) == (None, index, width)


@given(st.text(alphabet="tile/entrsx0123456789.p", max_size=40))
def test_path_text_round_trips_or_is_rejected(path: str) -> None:
    try:
        level, index, width = parse_tile_path(path)
    except FormatError:
        return
    again = entries_path(index, width) if level is None else tile_path(level, index, width)
    assert again == path


# ---------------------------------------------------------------------------
# Tiles of a tree size


def test_spec_example_70000() -> None:
    tiles = list(tiles_for_size(70_000))
    full = Counter(level for level, _, width in tiles if width is None)
    partial = [(level, index, width) for level, index, width in tiles if width is not None]
    assert full == {0: 273, 1: 1}
    assert partial == [(0, 273, 112), (1, 1, 17), (2, 0, 1)]
    assert [t for t in tiles if t[0] == 0][:2] == [(0, 0, None), (0, 1, None)]
    assert len(tiles) == 273 + 1 + 1 + 1 + 1


def test_spec_example_256() -> None:
    assert list(tiles_for_size(256)) == [(0, 0, None), (1, 0, 1)]


@pytest.mark.parametrize(
    ("size", "tiles"),
    [
        (0, []),
        (1, [(0, 0, 1)]),
        (255, [(0, 0, 255)]),
        (257, [(0, 0, None), (0, 1, 1), (1, 0, 1)]),
        (65_536, [*((0, i, None) for i in range(256)), (1, 0, None), (2, 0, 1)]),
    ],
)
def test_tiles_for_small_sizes(size: int, tiles: list[tuple[int, int, int | None]]) -> None:
    assert list(tiles_for_size(size)) == tiles


def test_partial_tile_width() -> None:
    assert [partial_tile_width(level, 70_000) for level in range(4)] == [112, 17, 1, 0]
    assert partial_tile_width(0, 256) == 0
    assert partial_tile_width(7, 2**64 - 1) == 255
    with pytest.raises(FormatError):
        partial_tile_width(0, -1)
    with pytest.raises(FormatError):
        partial_tile_width(64, 1)


@given(st.integers(min_value=0, max_value=300_000))
def test_tiles_cover_every_level_exactly(size: int) -> None:
    covered: Counter[int] = Counter()
    for level, _index, width in tiles_for_size(size):
        covered[level] += TILE_WIDTH if width is None else width
    for level in range(8):
        # Each level holds one hash per full subtree of 256**level leaves.
        assert covered[level] == size >> (8 * level)


def test_tiles_for_huge_size_is_lazy() -> None:
    first = next(iter(tiles_for_size(2**64 - 1)))
    assert first == (0, 0, None)


# ---------------------------------------------------------------------------
# Entry bundles


def test_entry_bundle_example() -> None:
    data = encode_entry_bundle([b"", b"ab", b"\x00" * 300])
    assert data == b"\x00\x00" + b"\x00\x02ab" + b"\x01\x2c" + b"\x00" * 300
    assert decode_entry_bundle(data) == [b"", b"ab", b"\x00" * 300]
    assert decode_entry_bundle(data, width=3) == [b"", b"ab", b"\x00" * 300]


def test_entry_bundle_limits() -> None:
    biggest = b"\xff" * ENTRY_BUNDLE_ENTRY_BYTES_MAX
    data = encode_entry_bundle([biggest])
    assert data[:2] == b"\xff\xff"
    assert decode_entry_bundle(data) == [biggest]
    full = [bytes([i]) for i in range(256)]
    assert decode_entry_bundle(encode_entry_bundle(full), width=256) == full
    for bad in ([], [b"x" * (ENTRY_BUNDLE_ENTRY_BYTES_MAX + 1)], [b""] * 257, ["text"]):
        with pytest.raises(FormatError):
            encode_entry_bundle(bad)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("data", "width"),
    [
        (b"", None),  # empty bundle
        (b"\x00", None),  # truncated length
        (b"\x00\x02a", None),  # truncated entry
        (b"\x00\x01a\x00", None),
        (b"\x00\x00" * 257, None),  # more than 256 entries
        (b"\x00\x01a", 2),  # wrong count
        (b"\x00\x01a\x00\x01b", 1),
    ],
)
def test_decode_entry_bundle_rejects(data: bytes, width: int | None) -> None:
    with pytest.raises(FormatError):
        decode_entry_bundle(data, width)


entry_lists = st.lists(st.binary(max_size=600), min_size=1, max_size=256)


@given(entry_lists)
def test_entry_bundle_round_trip(entries: list[bytes]) -> None:
    data = encode_entry_bundle(entries)
    assert decode_entry_bundle(data) == entries
    assert encode_entry_bundle(decode_entry_bundle(data)) == data


@given(st.binary(max_size=400))
def test_arbitrary_bundle_bytes_round_trip_or_are_rejected(data: bytes) -> None:
    try:
        entries = decode_entry_bundle(data)
    except FormatError:
        return
    assert encode_entry_bundle(entries) == data
