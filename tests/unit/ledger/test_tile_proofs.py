"""Consistency proofs built from C2SP tlog-tiles hash tiles equal the ones built from the
full node store, and ``roots_from_consistency_proof`` tells which root a proof fails on.

Tiles are cut from an in-memory tree exactly as the spec lays them out (tile level L
holds tree-level 8L hashes, the rightmost ones partial), so this is what a client of a
static mirror computes."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ledger import merkle
from ledger.errors import FormatError, ProofError
from ledger.limits import TILE_WIDTH
from ledger.merkle import NodeId
from ledger.tiles import TileReader, consistency_proof_from_tiles, node_tile, partial_tile_width

TREE_SIZE_MAX = 70_000  # three tile levels: 273 full level-0 tiles, as in the spec's example


def _tree(size: int) -> dict[NodeId, bytes]:
    leaves = [merkle.leaf_hash(hashlib.sha256(str(i).encode()).digest()) for i in range(size)]
    return dict(merkle.append_leaves(0, {}, leaves))


TREE = _tree(TREE_SIZE_MAX)


def _tile_reader(size: int, reads: list[tuple[int, int, int | None]] | None = None) -> TileReader:
    def read(level: int, index: int, width: int | None) -> bytes:
        if reads is not None:
            reads.append((level, index, width))
        full = size >> (8 * (level + 1))
        # The reader is asked only for tiles that exist at this size, at their width.
        assert (width is None) == (index < full)
        if width is not None:
            assert width == partial_tile_width(level, size)
        count = width or TILE_WIDTH
        first = index * TILE_WIDTH
        return b"".join(TREE[(8 * level, i)] for i in range(first, first + count))

    return read


@settings(max_examples=200, deadline=None)
@given(st.integers(1, TREE_SIZE_MAX).flatmap(lambda n: st.tuples(st.integers(1, n), st.just(n))))
def test_proof_from_tiles_is_the_stored_proof(sizes: tuple[int, int]) -> None:
    size1, size2 = sizes
    expected = merkle.consistency_proof(size1, size2, TREE)
    assert consistency_proof_from_tiles(size1, size2, _tile_reader(size2)) == expected
    root1 = merkle.root_hash(size1, TREE)
    root2 = merkle.root_hash(size2, TREE)
    merkle.verify_consistency(size1, size2, expected, root1, root2)


@pytest.mark.parametrize(
    ("size1", "size2"),
    [(1, 2), (255, 256), (256, 257), (300, 70_000), (65_536, 70_000), (69_999, 70_000)],
)
def test_edges_and_few_tile_reads(size1: int, size2: int) -> None:
    reads: list[tuple[int, int, int | None]] = []
    proof = consistency_proof_from_tiles(size1, size2, _tile_reader(size2, reads))
    assert proof == merkle.consistency_proof(size1, size2, TREE)
    assert len(reads) == len(set(reads)), "each tile is read once per proof"
    assert len(reads) <= 2 * 3 + 2  # O(log n) tiles, not O(n)


def test_a_node_outside_the_tree_is_refused() -> None:
    # Node (0, 300) is leaf 300: not in a tree of 300 leaves.
    with pytest.raises(FormatError):
        node_tile((0, 300), 300)


def test_a_tile_of_the_wrong_length_is_refused() -> None:
    def short(level: int, index: int, width: int | None) -> bytes:
        return b"\x00" * 31

    with pytest.raises(FormatError):
        consistency_proof_from_tiles(3, 700, short)


def test_roots_from_a_proof_say_which_root_fails() -> None:
    size1, size2 = 300, 1000
    proof = merkle.consistency_proof(size1, size2, TREE)
    root1, root2 = merkle.root_hash(size1, TREE), merkle.root_hash(size2, TREE)
    assert merkle.roots_from_consistency_proof(size1, size2, proof, root1) == (root1, root2)
    # A wrong node on the new tree's side only: the old root still comes out right.
    tampered = [*proof[:-1], bytes(32)]
    old, new = merkle.roots_from_consistency_proof(size1, size2, tampered, root1)
    assert old == root1 and new != root2
    with pytest.raises(ProofError):
        merkle.verify_consistency(size1, size2, tampered, root1, root2)
    with pytest.raises(ProofError):
        merkle.roots_from_consistency_proof(size1, size2, proof[:1], root1)  # too short
