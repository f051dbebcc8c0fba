"""C2SP tiled transparency logs (c2sp.org/tlog-tiles): paths and entry bundles.

Pure: no I/O. Resource paths are relative to the log prefix:

* Merkle tiles: ``tile/<L>/<N>[.p/<W>]``
* entry bundles: ``tile/entries/<N>[.p/<W>]``

``<N>`` is the tile index in zero-padded 3-digit groups, all but the last prefixed
with ``x`` (1234067 -> ``x001/x234/067``). Parsers accept only the canonical form,
so ``encode(decode(p)) == p`` for every accepted path.
"""

from __future__ import annotations

import re
import struct
from collections.abc import Callable, Iterator, Sequence

from ledger import merkle
from ledger.errors import FormatError, require
from ledger.limits import (
    ENTRY_BUNDLE_ENTRY_BYTES_MAX,
    HASH_BYTES,
    PARTIAL_TILE_WIDTH_MAX,
    TILE_HEIGHT,
    TILE_INDEX_MAX,
    TILE_LEVEL_MAX,
    TILE_WIDTH,
    TREE_SIZE_MAX,
)
from ledger.note import parse_decimal

ENTRIES = "entries"

_GROUP = re.compile(r"[0-9]{3}")
_INDEX_GROUPS_MAX = 7  # 2**64 - 1 has 20 digits


def encode_tile_index(n: int) -> str:
    """``1234067`` -> ``x001/x234/067``; ``5`` -> ``005``; ``1000`` -> ``x001/000``."""
    require(
        type(n) is int and 0 <= n <= TILE_INDEX_MAX,
        FormatError("tile index must be an integer in 0..2^64-1"),
    )
    digits = str(n)
    digits = digits.zfill(-(-len(digits) // 3) * 3)
    groups = [digits[i : i + 3] for i in range(0, len(digits), 3)]
    return "/".join(["x" + g for g in groups[:-1]] + [groups[-1]])


def decode_tile_index(text: str) -> int:
    """Strict inverse of ``encode_tile_index``: no extra groups, no missing ``x``."""
    groups = text.split("/")
    require(len(groups) <= _INDEX_GROUPS_MAX, FormatError("tile index: too many path elements"))
    *upper, last = groups
    require(
        all(g.startswith("x") and _GROUP.fullmatch(g[1:]) for g in upper)
        and _GROUP.fullmatch(last) is not None,
        FormatError("tile index: expected x###/.../### path elements", value=text[:60]),
    )
    require(
        not upper or upper[0] != "x000",
        FormatError("tile index: leading zero group", value=text[:60]),
    )
    value = int("".join(g[1:] for g in upper) + last)
    require(value <= TILE_INDEX_MAX, FormatError("tile index exceeds 2^64-1"))
    return value


def _digits_at_most(bound: str) -> list[list[str]]:
    """Per-digit character classes whose alternatives match the same-length decimal
    strings <= ``bound`` (a regular expression for a numeric bound, digit by digit)."""
    alternatives = [list(bound)]
    for i, digit in enumerate(bound):
        if digit != "0":
            below = "0" if digit == "1" else f"[0-{int(digit) - 1}]"
            alternatives.append([*bound[:i], below] + ["[0-9]"] * (len(bound) - i - 1))
    return alternatives


def _grouped(classes: list[str]) -> str:
    """Digits after a leading group, as ``/x###/.../###`` path elements."""
    out = []
    for i, digit in enumerate(classes):
        if i % 3 == 0:
            out.append("/" if i == len(classes) - 3 else "/x")
        out.append(digit)
    return "".join(out)


def _tile_index_pattern() -> str:
    """``decode_tile_index``'s language: 1 to 7 groups, no leading x000, at most 2^64-1."""
    not_000 = "(?:00[1-9]|0[1-9][0-9]|[1-9][0-9]{2})"
    up_to_six = rf"(?:x{not_000}/(?:x[0-9]{{3}}/){{0,4}})?[0-9]{{3}}"
    top = str(TILE_INDEX_MAX).zfill(_INDEX_GROUPS_MAX * 3)  # 018446744073709551615
    head, rest = top[:3], top[3:]
    below_head = "(?:00[1-9]|01[0-" + str(int(head[2]) - 1) + "])"
    seven = (
        f"x{below_head}{_grouped(['[0-9]'] * len(rest))}"
        f"|x{head}(?:" + "|".join(_grouped(a) for a in _digits_at_most(rest)) + ")"
    )
    return f"(?:{up_to_six}|{seven})"


_LEVEL = "(?:[0-9]|[1-5][0-9]|6[0-3])"
_WIDTH = "(?:[1-9]|[1-9][0-9]|1[0-9]{2}|2[0-4][0-9]|25[0-5])"
TILE_PATH_PATTERN = rf"^(?:{_LEVEL}|{ENTRIES})/{_tile_index_pattern()}(?:\.p/{_WIDTH})?$"
"""What ``parse_tile_path`` accepts after ``tile/``, as a regular expression for the
OpenAPI (ECMA-262, Python and Rust alike: no look-around). Tested against the parser."""


def _width_suffix(width: int | None) -> str:
    if width is None:
        return ""
    require(
        type(width) is int and 1 <= width <= PARTIAL_TILE_WIDTH_MAX,
        FormatError("partial tile width must be in 1..255 (None for a full tile)"),
    )
    return f".p/{width}"


def tile_path(level: int, index: int, width: int | None = None) -> str:
    """``tile/<L>/<N>[.p/<W>]``; ``width`` None means a full tile."""
    require(
        type(level) is int and 0 <= level <= TILE_LEVEL_MAX,
        FormatError("tile level must be an integer in 0..63"),
    )
    return f"tile/{level}/{encode_tile_index(index)}{_width_suffix(width)}"


def entries_path(index: int, width: int | None = None) -> str:
    """``tile/entries/<N>[.p/<W>]``; ``width`` None means a full bundle."""
    return f"tile/{ENTRIES}/{encode_tile_index(index)}{_width_suffix(width)}"


def parse_tile_path(path: str) -> tuple[int | None, int, int | None]:
    """``(level, index, width)`` from a tile path; level None for entry bundles.

    Strict: decimal level 0..63 and width 1..255 without leading zeros, canonical
    index groups, nothing before ``tile/`` and nothing after the index or width.
    """
    prefix, sep, rest = path.partition("/")
    require(prefix == "tile" and sep == "/", FormatError("tile path must start with tile/"))
    level_text, sep, rest = rest.partition("/")
    require(sep == "/", FormatError("tile path: missing index", path=path[:120]))
    level = (
        None if level_text == ENTRIES else parse_decimal(level_text, "tile level", TILE_LEVEL_MAX)
    )
    index_text, dot_p, width_text = rest.partition(".p/")
    width = parse_decimal(width_text, "tile width", PARTIAL_TILE_WIDTH_MAX) if dot_p else None
    require(width != 0, FormatError("tile width must be at least 1"))
    return level, decode_tile_index(index_text), width


def partial_tile_width(level: int, tree_size: int) -> int:
    """SPEC: tlog-tiles: ``floor(s / 256**l) mod 256``; 0 means no partial tile."""
    require(0 <= level <= TILE_LEVEL_MAX, FormatError("tile level must be in 0..63"))
    require(0 <= tree_size <= TREE_SIZE_MAX, FormatError("tree size must be in 0..2^64-1"))
    return (tree_size >> (TILE_HEIGHT * level)) % TILE_WIDTH


def tiles_for_size(tree_size: int) -> Iterator[tuple[int, int, int | None]]:
    """Every ``(level, index, width)`` tile a tree of ``tree_size`` has, level by level.

    Full tiles come with width None, then the level's partial tile if there is one.
    A generator: a large tree has a great many level-0 tiles. Entry bundles are the
    level-0 tiles under ``entries_path``.
    """
    require(0 <= tree_size <= TREE_SIZE_MAX, FormatError("tree size must be in 0..2^64-1"))
    level = 0
    while tree_size >> (TILE_HEIGHT * level) > 0:
        full = tree_size >> (TILE_HEIGHT * (level + 1))
        for index in range(full):
            yield level, index, None
        width = partial_tile_width(level, tree_size)
        if width:
            yield level, full, width
        level += 1


def encode_entry_bundle(entries: Sequence[bytes]) -> bytes:
    """Entries as big-endian uint16 length-prefixed records (1 to 256 of them)."""
    require(
        1 <= len(entries) <= TILE_WIDTH,
        FormatError("an entry bundle holds 1 to 256 entries", count=len(entries)),
    )
    out = bytearray()
    for entry in entries:
        require(
            isinstance(entry, bytes) and len(entry) <= ENTRY_BUNDLE_ENTRY_BYTES_MAX,
            FormatError("bundle entries must be bytes of at most 65,535", size=len(entry)),
        )
        out += struct.pack(">H", len(entry))
        out += entry
    return bytes(out)


def decode_entry_bundle(data: bytes, width: int | None = None) -> list[bytes]:
    """Strictly split a bundle: no truncated record, 1 to 256 entries.

    With ``width`` (256 for a full bundle, 1..255 for a partial one) the number of
    entries must match it exactly.
    """
    require(isinstance(data, bytes | bytearray), FormatError("entry bundle must be bytes"))
    entries: list[bytes] = []
    pos = 0
    while pos < len(data):
        require(pos + 2 <= len(data), FormatError("entry bundle: truncated length prefix"))
        (size,) = struct.unpack_from(">H", data, pos)
        pos += 2
        require(pos + size <= len(data), FormatError("entry bundle: truncated entry"))
        entries.append(bytes(data[pos : pos + size]))
        pos += size
        require(len(entries) <= TILE_WIDTH, FormatError("entry bundle: more than 256 entries"))
    require(len(entries) > 0, FormatError("entry bundle: empty"))
    require(
        width is None or len(entries) == width,
        FormatError("entry bundle: wrong number of entries", have=len(entries), want=width),
    )
    return entries


TileReader = Callable[[int, int, int | None], bytes]
"""``(level, index, width)`` -> that hash tile's bytes (width None: a full tile)."""


def node_tile(node: merkle.NodeId, tree_size: int) -> tuple[int, int, int | None, int, int]:
    """Where the perfect node ``(h, k)`` of a tree of ``tree_size`` is read from tiles:
    ``(tile level, tile index, width or None, first hash, hashes)``.

    SPEC: tlog-tiles: tile level L holds tree-level 8L hashes; a node at tree level
    ``8L + r`` (r < 8) is the Merkle hash of ``2**r`` consecutive hashes of one tile
    (aligned, so never across two). The tile is full if the tree has all of it, else
    the level's partial tile of this tree size.
    """
    height, index = node
    level, rise = divmod(height, TILE_HEIGHT)
    first = index << rise
    tile_index, offset = divmod(first, TILE_WIDTH)
    full_tiles = tree_size >> (TILE_HEIGHT * (level + 1))
    width = None if tile_index < full_tiles else partial_tile_width(level, tree_size)
    require(
        width is None or offset + (1 << rise) <= width,
        FormatError("node is not in the tree of that size", node=list(node), size=tree_size),
    )
    return level, tile_index, width, offset, 1 << rise


def nodes_from_tiles(
    node_ids: Sequence[merkle.NodeId], tree_size: int, read_tile: TileReader
) -> dict[merkle.NodeId, bytes]:
    """The hashes of perfect nodes of a tree of ``tree_size``, computed from its tiles.

    Pure apart from ``read_tile`` (each tile is read once per call). Nothing here
    authenticates the tiles: a proof built from these hashes proves something only
    once it verifies against signed roots (``merkle.verify_consistency``).
    """
    read: dict[tuple[int, int, int | None], bytes] = {}
    out: dict[merkle.NodeId, bytes] = {}
    for node in node_ids:
        level, index, width, offset, count = node_tile(node, tree_size)
        key = (level, index, width)
        if key not in read:
            data = read_tile(level, index, width)
            require(
                len(data) == (width or TILE_WIDTH) * HASH_BYTES,
                FormatError("hash tile has the wrong length", tile=tile_path(level, index, width)),
            )
            read[key] = data
        data = read[key]
        hashes = [
            data[i * HASH_BYTES : (i + 1) * HASH_BYTES] for i in range(offset, offset + count)
        ]
        out[node] = merkle.root_from_leaf_hashes(hashes)  # a perfect subtree of tile hashes
    return out


def consistency_proof_from_tiles(size1: int, size2: int, read_tile: TileReader) -> list[bytes]:
    """RFC 6962 ``PROOF(size1, D[size2])`` from the hash tiles of the tree of ``size2``.

    What a tlog-tiles client does instead of asking the log for a proof: the same
    proof ``ledger.proofs.consistency`` serves, built from static files.
    """
    ids = merkle.nodes_for_consistency(size1, size2)
    return merkle.consistency_proof(size1, size2, nodes_from_tiles(ids, size2, read_tile))
