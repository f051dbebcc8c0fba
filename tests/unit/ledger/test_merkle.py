"""Tests for ledger.merkle: known answers, transparency-dev/merkle probes, and properties.

Data (copied, never read from outside the repo at run time):
* tests/data/rfc6962.json: the RFC 6962 8-leaf reference tree (see its ``_source``).
* tests/data/transparency-dev-merkle/: proof probes (see SOURCE.txt there).
"""

from __future__ import annotations

import base64
import contextlib
import itertools
import json
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ledger import merkle
from ledger.errors import ClientError, InvariantBroken, ProofError
from ledger.limits import TREE_SIZE_MAX
from ledger.merkle import NodeId

DATA = Path(__file__).resolve().parents[2] / "data"
RFC = json.loads((DATA / "rfc6962.json").read_text())
TD_DIR = DATA / "transparency-dev-merkle"

MAX_SIZE = 300


# --------------------------------------------------------------------------------------------
# Helpers and independent references
# --------------------------------------------------------------------------------------------


def h(x: str) -> bytes:
    return bytes.fromhex(x)


RFC_LEAF_HASHES = [h(x) for x in RFC["leaf_hashes"]]


def leaves_for(seed: bytes, n: int) -> list[bytes]:
    """Random-looking but reproducible leaf hashes (fast: hypothesis draws just the seed)."""
    return [merkle.leaf_hash(seed + i.to_bytes(4, "big")) for i in range(n)]


def build_store(leaf_hashes: Sequence[bytes]) -> dict[NodeId, bytes]:
    """A node store built the way the sequencer will: append one leaf at a time."""
    store: dict[NodeId, bytes] = {}
    for size, lh in enumerate(leaf_hashes):
        frontier = only(store, merkle.nodes_for_root(size))
        for node, value in merkle.append_leaves(size, frontier, [lh]):
            assert node not in store, f"node {node} created twice"
            store[node] = value
    return store


def only(store: Mapping[NodeId, bytes], ids: Iterable[NodeId]) -> dict[NodeId, bytes]:
    """Exactly the nodes asked for: proves a function needs nothing beyond its nodes_for_*."""
    return {i: store[i] for i in ids}


def reference_nodes(leaf_hashes: Sequence[bytes]) -> dict[NodeId, bytes]:
    """Every perfect subtree of the tree, each hashed independently from its leaves."""
    n = len(leaf_hashes)
    out: dict[NodeId, bytes] = {}
    level = 0
    while (1 << level) <= n:
        for index in range(n >> level):
            chunk = leaf_hashes[index << level : (index + 1) << level]
            out[(level, index)] = merkle.root_from_leaf_hashes(chunk)
        level += 1
    return out


def ref_path(m: int, d: Sequence[bytes]) -> list[bytes]:
    """RFC 6962 §2.1.1 PATH(m, D[n]), literally, on lists of leaf hashes."""
    n = len(d)
    if n == 1:
        return []
    k = 1 << ((n - 1).bit_length() - 1)
    if m < k:
        return [*ref_path(m, d[:k]), merkle.root_from_leaf_hashes(d[k:])]
    return [*ref_path(m - k, d[k:]), merkle.root_from_leaf_hashes(d[:k])]


def ref_subproof(m: int, d: Sequence[bytes], b: bool) -> list[bytes]:
    """RFC 6962 §2.1.2 SUBPROOF(m, D[n], b), literally."""
    n = len(d)
    if m == n:
        return [] if b else [merkle.root_from_leaf_hashes(d)]
    k = 1 << ((n - 1).bit_length() - 1)
    if m <= k:
        return [*ref_subproof(m, d[:k], b), merkle.root_from_leaf_hashes(d[k:])]
    return [*ref_subproof(m - k, d[k:], False), merkle.root_from_leaf_hashes(d[:k])]


def flip(b: bytes, bit: int) -> bytes:
    i = (bit // 8) % len(b)
    return b[:i] + bytes([b[i] ^ (1 << (bit % 8))]) + b[i + 1 :]


def ceil_log2(n: int) -> int:
    return (n - 1).bit_length()


RFC_STORE = build_store(RFC_LEAF_HASHES)


# --------------------------------------------------------------------------------------------
# 1. Known answers: the RFC 6962 reference tree
# --------------------------------------------------------------------------------------------


def test_empty_root() -> None:
    assert h(RFC["hash"]["empty_tree"]) == merkle.EMPTY_ROOT
    assert merkle.root_from_leaf_hashes([]) == merkle.EMPTY_ROOT
    assert merkle.root_hash(0, {}) == merkle.EMPTY_ROOT
    assert merkle.nodes_for_root(0) == []


@pytest.mark.parametrize("i", range(len(RFC["leaves_hex"])))
def test_leaf_hashes(i: int) -> None:
    assert merkle.leaf_hash(h(RFC["leaves_hex"][i])) == RFC_LEAF_HASHES[i]


@pytest.mark.parametrize("size", range(9))
def test_roots_by_size(size: int) -> None:
    want = h(RFC["roots_by_size"][str(size)])
    assert merkle.root_from_leaf_hashes(RFC_LEAF_HASHES[:size]) == want
    assert merkle.root_hash(size, only(RFC_STORE, merkle.nodes_for_root(size))) == want


@pytest.mark.parametrize("case", RFC["inclusion"], ids=lambda c: f"{c['index']}-of-{c['size']}")
def test_rfc_inclusion(case: dict[str, Any]) -> None:
    index, size = case["index"], case["size"]
    want = [h(x) for x in case["proof"]]
    got = merkle.inclusion_proof(
        index, size, only(RFC_STORE, merkle.nodes_for_inclusion(index, size))
    )
    assert got == want
    root = h(RFC["roots_by_size"][str(size)])
    merkle.verify_inclusion(RFC_LEAF_HASHES[index], index, size, want, root)


@pytest.mark.parametrize("case", RFC["consistency"], ids=lambda c: f"{c['size1']}-{c['size2']}")
def test_rfc_consistency(case: dict[str, Any]) -> None:
    size1, size2 = case["size1"], case["size2"]
    want = [h(x) for x in case["proof"]]
    got = merkle.consistency_proof(
        size1, size2, only(RFC_STORE, merkle.nodes_for_consistency(size1, size2))
    )
    assert got == want
    root1, root2 = h(RFC["roots_by_size"][str(size1)]), h(RFC["roots_by_size"][str(size2)])
    merkle.verify_consistency(size1, size2, want, root1, root2)


def test_rfc_every_proof_in_the_8_leaf_tree() -> None:
    """All inclusion and consistency proofs of the reference tree, against literal RFC recursion."""
    for size in range(1, 9):
        d = RFC_LEAF_HASHES[:size]
        root = h(RFC["roots_by_size"][str(size)])
        for index in range(size):
            proof = merkle.inclusion_proof(index, size, RFC_STORE)
            assert proof == ref_path(index, d)
            merkle.verify_inclusion(d[index], index, size, proof, root)
        for size1 in range(1, size + 1):
            proof = merkle.consistency_proof(size1, size, RFC_STORE)
            assert proof == ref_subproof(size1, d, True)
            root1 = h(RFC["roots_by_size"][str(size1)])
            merkle.verify_consistency(size1, size, proof, root1, root)


# --------------------------------------------------------------------------------------------
# 2. transparency-dev/merkle proof probes
# --------------------------------------------------------------------------------------------


def _probe_files(kind: str) -> list[Path]:
    files = sorted((TD_DIR / kind).rglob("*.json"))
    assert files, f"no {kind} probes under {TD_DIR}"
    return files


def _probe_id(p: Path) -> str:
    return str(p.relative_to(TD_DIR))


def _b64(x: str | None) -> bytes:
    return base64.b64decode(x) if x else b""


def _b64_list(xs: list[str] | None) -> list[bytes]:
    return [_b64(x) for x in xs or []]


@pytest.mark.parametrize("path", _probe_files("inclusion"), ids=_probe_id)
def test_transparency_dev_inclusion_probe(path: Path) -> None:
    p = json.loads(path.read_text())

    def run() -> None:
        merkle.verify_inclusion(
            _b64(p["leafHash"]), p["leafIdx"], p["treeSize"], _b64_list(p["proof"]), _b64(p["root"])
        )

    if p["wantErr"]:
        with pytest.raises(ProofError):
            run()
    else:
        run()


@pytest.mark.parametrize("path", _probe_files("consistency"), ids=_probe_id)
def test_transparency_dev_consistency_probe(path: Path) -> None:
    p = json.loads(path.read_text())

    def run() -> None:
        merkle.verify_consistency(
            p["size1"], p["size2"], _b64_list(p["proof"]), _b64(p["root1"]), _b64(p["root2"])
        )

    if p["wantErr"]:
        with pytest.raises(ProofError):
            run()
    else:
        run()


def test_transparency_dev_probe_counts() -> None:
    """Guard against the copy silently losing files (the parametrization would just shrink)."""
    assert len(_probe_files("inclusion")) == 98
    assert len(_probe_files("consistency")) == 98


# --------------------------------------------------------------------------------------------
# 3. Properties
# --------------------------------------------------------------------------------------------

seeds = st.binary(min_size=1, max_size=8)
sizes = st.integers(min_value=0, max_value=MAX_SIZE)
nonempty_sizes = st.integers(min_value=1, max_value=MAX_SIZE)


@settings(max_examples=40, deadline=None)
@given(size=sizes, seed=seeds, data=st.data())
def test_store_matches_reference(size: int, seed: bytes, data: st.DataObject) -> None:
    leaves = leaves_for(seed, size)
    store = build_store(leaves)
    # Appending creates exactly the perfect subtrees, with the right hashes.
    assert store == reference_nodes(leaves)
    assert merkle.root_hash(size, only(store, merkle.nodes_for_root(size))) == (
        merkle.root_from_leaf_hashes(leaves)
    )
    # The store for `size` also serves every earlier size (nodes never change).
    for m in data.draw(st.lists(st.integers(0, size), max_size=5)):
        want = merkle.root_from_leaf_hashes(leaves[:m])
        assert merkle.root_hash(m, only(store, merkle.nodes_for_root(m))) == want


@settings(max_examples=30, deadline=None)
@given(size=nonempty_sizes, seed=seeds, bit=st.integers(0, 255), data=st.data())
def test_inclusion_all_leaves(size: int, seed: bytes, bit: int, data: st.DataObject) -> None:
    leaves = leaves_for(seed, size)
    store = build_store(leaves)
    root = merkle.root_hash(size, store)
    for index in range(size):
        proof = merkle.inclusion_proof(
            index, size, only(store, merkle.nodes_for_inclusion(index, size))
        )
        assert len(proof) <= ceil_log2(size)
        merkle.verify_inclusion(leaves[index], index, size, proof, root)
        assert merkle.root_from_inclusion_proof(leaves[index], index, size, proof) == root
        with pytest.raises(ProofError):
            merkle.verify_inclusion(flip(leaves[index], bit), index, size, proof, root)
        with pytest.raises(ProofError):
            merkle.verify_inclusion(leaves[index], index, size, proof, flip(root, bit))
        if proof:
            j = (index + bit) % len(proof)
            bad = [*proof[:j], flip(proof[j], bit), *proof[j + 1 :]]
            with pytest.raises(ProofError):
                merkle.verify_inclusion(leaves[index], index, size, bad, root)
    # Spot-check against the literal RFC recursion (O(n) per proof, so only a few).
    for index in data.draw(st.lists(st.integers(0, size - 1), max_size=3)):
        assert merkle.inclusion_proof(index, size, store) == ref_path(index, leaves)


@settings(max_examples=150, deadline=None)
@given(data=st.data(), seed=seeds, bit=st.integers(0, 255))
def test_consistency_random_sizes(data: st.DataObject, seed: bytes, bit: int) -> None:
    size2 = data.draw(nonempty_sizes, label="size2")
    size1 = data.draw(st.integers(1, size2), label="size1")
    leaves = leaves_for(seed, size2)
    store = build_store(leaves)
    root1 = merkle.root_hash(size1, store)
    root2 = merkle.root_hash(size2, store)
    proof = merkle.consistency_proof(
        size1, size2, only(store, merkle.nodes_for_consistency(size1, size2))
    )
    assert proof == ref_subproof(size1, leaves, True)
    merkle.verify_consistency(size1, size2, proof, root1, root2)
    with pytest.raises(ProofError):
        merkle.verify_consistency(size1, size2, proof, flip(root1, bit), root2)
    with pytest.raises(ProofError):
        merkle.verify_consistency(size1, size2, proof, root1, flip(root2, bit))
    if proof:
        j = bit % len(proof)
        bad = [*proof[:j], flip(proof[j], bit), *proof[j + 1 :]]
        with pytest.raises(ProofError):
            merkle.verify_consistency(size1, size2, bad, root1, root2)
        with pytest.raises(ProofError):
            merkle.verify_consistency(size1, size2, proof[:-1], root1, root2)
        with pytest.raises(ProofError):
            merkle.verify_consistency(size1, size2, [*proof, proof[-1]], root1, root2)


@settings(max_examples=60, deadline=None)
@given(size=sizes, seed=seeds, data=st.data())
def test_append_chunked_equals_one_by_one(size: int, seed: bytes, data: st.DataObject) -> None:
    leaves = leaves_for(seed, size)
    one_by_one: list[tuple[NodeId, bytes]] = []
    store: dict[NodeId, bytes] = {}
    for n, lh in enumerate(leaves):
        created = merkle.append_leaves(n, only(store, merkle.nodes_for_root(n)), [lh])
        store.update(created)
        one_by_one.extend(created)

    cuts = sorted(data.draw(st.lists(st.integers(0, size), max_size=8)))
    bounds = [0, *cuts, size]
    chunked: list[tuple[NodeId, bytes]] = []
    chunk_store: dict[NodeId, bytes] = {}
    for lo, hi in itertools.pairwise(bounds):
        created = merkle.append_leaves(
            lo, only(chunk_store, merkle.nodes_for_root(lo)), leaves[lo:hi]
        )
        chunk_store.update(created)
        chunked.extend(created)
    assert chunked == one_by_one
    assert len({node for node, _ in chunked}) == len(chunked)
    assert chunk_store == store


@settings(max_examples=300, deadline=None)
@given(size=st.integers(1, TREE_SIZE_MAX), data=st.data())
def test_node_counts_are_logarithmic(size: int, data: st.DataObject) -> None:
    bound = 2 * ceil_log2(size) + 2
    index = data.draw(st.integers(0, size - 1), label="index")
    incl = merkle.nodes_for_inclusion(index, size)
    assert len(incl) == len(set(incl)) <= bound
    size1 = data.draw(st.integers(1, size), label="size1")
    cons = merkle.nodes_for_consistency(size1, size)
    assert len(cons) == len(set(cons)) <= bound
    # Every requested node is a perfect subtree inside the tree.
    for level, i in [*incl, *cons]:
        assert level >= 0 and i >= 0 and (i + 1) << level <= size


@settings(max_examples=300, deadline=None)
@given(size=st.integers(0, TREE_SIZE_MAX))
def test_nodes_for_root_is_the_binary_decomposition(size: int) -> None:
    ids = merkle.nodes_for_root(size)
    assert len(ids) == size.bit_count()
    levels = [level for level, _ in ids]
    assert levels == sorted(levels, reverse=True) and len(set(levels)) == len(levels)
    covered = 0
    for level, index in ids:  # contiguous, left to right, covering [0, size)
        assert index << level == covered
        covered += 1 << level
    assert covered == size


@settings(max_examples=40, deadline=None)
@given(size=nonempty_sizes, seed=seeds, data=st.data())
def test_subtree_hash_of_aligned_ranges(size: int, seed: bytes, data: st.DataObject) -> None:
    leaves = leaves_for(seed, size)
    store = build_store(leaves)
    start = data.draw(st.integers(0, size - 1), label="start")
    # The largest range from `start` that stored nodes can cover: up to the alignment of start.
    align = start & -start if start else size
    end = data.draw(st.integers(start, min(size, start + align)), label="end")
    got = merkle.subtree_hash(start, end, only(store, merkle.nodes_for_subtree(start, end)))
    assert got == merkle.root_from_leaf_hashes(leaves[start:end])


hash_like = st.one_of(st.binary(min_size=32, max_size=32), st.binary(max_size=40))


@settings(max_examples=300, deadline=None)
@given(
    index=st.integers(-2, 70),
    size=st.integers(-2, 70),
    proof=st.lists(hash_like, max_size=9),
    leaf=hash_like,
    root=hash_like,
)
def test_verify_inclusion_raises_only_proof_error(
    index: int, size: int, proof: list[bytes], leaf: bytes, root: bytes
) -> None:
    with contextlib.suppress(ProofError):
        merkle.verify_inclusion(leaf, index, size, proof, root)


@settings(max_examples=300, deadline=None)
@given(
    size1=st.integers(-2, 70),
    size2=st.integers(-2, 70),
    proof=st.lists(hash_like, max_size=9),
    root1=hash_like,
    root2=hash_like,
)
def test_verify_consistency_raises_only_proof_error(
    size1: int, size2: int, proof: list[bytes], root1: bytes, root2: bytes
) -> None:
    with contextlib.suppress(ProofError):
        merkle.verify_consistency(size1, size2, proof, root1, root2)


# --------------------------------------------------------------------------------------------
# Edge cases and argument validation
# --------------------------------------------------------------------------------------------


def test_equal_sizes_consistency() -> None:
    r = RFC_LEAF_HASHES[0]
    assert merkle.nodes_for_consistency(5, 5) == []
    assert merkle.consistency_proof(5, 5, {}) == []
    assert merkle.consistency_proof(0, 0, {}) == []
    merkle.verify_consistency(5, 5, [], r, r)
    merkle.verify_consistency(0, 0, [], merkle.EMPTY_ROOT, merkle.EMPTY_ROOT)
    with pytest.raises(ProofError, match="must be empty"):
        merkle.verify_consistency(5, 5, [r], r, r)
    with pytest.raises(ProofError, match="roots differ"):
        merkle.verify_consistency(5, 5, [], r, RFC_LEAF_HASHES[1])
    with pytest.raises(ProofError, match="empty tree"):
        merkle.verify_consistency(0, 0, [], r, r)


def test_consistency_from_empty_tree_is_refused() -> None:
    with pytest.raises(ClientError):
        merkle.nodes_for_consistency(0, 3)
    with pytest.raises(ClientError):
        merkle.consistency_proof(0, 3, RFC_STORE)
    with pytest.raises(ProofError, match="empty tree"):
        merkle.verify_consistency(0, 3, [], merkle.EMPTY_ROOT, RFC_LEAF_HASHES[0])


@pytest.mark.parametrize(
    ("index", "size"), [(0, 0), (3, 3), (-1, 3), (0, -1), (0, TREE_SIZE_MAX + 1)]
)
def test_inclusion_bad_arguments(index: int, size: int) -> None:
    with pytest.raises(ClientError):
        merkle.nodes_for_inclusion(index, size)
    with pytest.raises(ClientError):
        merkle.inclusion_proof(index, size, RFC_STORE)
    with pytest.raises(ProofError):
        merkle.verify_inclusion(RFC_LEAF_HASHES[0], index, size, [], RFC_LEAF_HASHES[0])


@pytest.mark.parametrize(("size1", "size2"), [(4, 3), (-1, 3), (1, -1), (0, 1)])
def test_consistency_bad_arguments(size1: int, size2: int) -> None:
    with pytest.raises(ClientError):
        merkle.nodes_for_consistency(size1, size2)
    with pytest.raises(ProofError):
        merkle.verify_consistency(size1, size2, [], RFC_LEAF_HASHES[0], RFC_LEAF_HASHES[1])


def test_verifiers_check_hash_lengths() -> None:
    proof = merkle.inclusion_proof(5, 8, RFC_STORE)
    root = h(RFC["roots_by_size"]["8"])
    leaf = RFC_LEAF_HASHES[5]
    with pytest.raises(ProofError, match="leaf hash is 31 bytes"):
        merkle.verify_inclusion(leaf[:31], 5, 8, proof, root)
    with pytest.raises(ProofError, match="root is 33 bytes"):
        merkle.verify_inclusion(leaf, 5, 8, proof, root + b"\0")
    with pytest.raises(ProofError, match="element #1 is 0 bytes"):
        merkle.verify_inclusion(leaf, 5, 8, [proof[0], b"", proof[2]], root)
    with pytest.raises(ProofError, match="too few"):
        merkle.verify_inclusion(leaf, 5, 8, proof[:2], root)
    with pytest.raises(ProofError, match="too many"):
        merkle.verify_inclusion(leaf, 5, 8, [*proof, root], root)


def test_missing_or_malformed_node_is_an_invariant_break() -> None:
    ids = merkle.nodes_for_inclusion(5, 7)
    partial = only(RFC_STORE, ids[1:])
    with pytest.raises(InvariantBroken, match="missing"):
        merkle.inclusion_proof(5, 7, partial)
    with pytest.raises(InvariantBroken, match="missing"):
        merkle.append_leaves(7, {}, [RFC_LEAF_HASHES[0]])
    bad = {**RFC_STORE, (2, 0): b"short"}
    with pytest.raises(InvariantBroken, match="5 bytes"):
        merkle.root_hash(7, bad)


def test_append_validation() -> None:
    with pytest.raises(ClientError):
        merkle.append_leaves(0, {}, [b"\x00" * 31])
    with pytest.raises(ClientError):
        merkle.append_leaves(-1, {}, [])
    with pytest.raises(ClientError):
        merkle.append_leaves(TREE_SIZE_MAX, {}, [RFC_LEAF_HASHES[0]])
    assert merkle.append_leaves(0, {}, []) == []
    with pytest.raises(ClientError):
        merkle.root_from_leaf_hashes([b"short"])


def test_append_to_the_reference_tree_creation_order() -> None:
    frontier = only(RFC_STORE, merkle.nodes_for_root(7))
    assert list(frontier) == [(2, 0), (1, 2), (0, 6)]
    created = merkle.append_leaves(7, frontier, [RFC_LEAF_HASHES[7]])
    assert [node for node, _ in created] == [(0, 7), (1, 3), (2, 1), (3, 0)]
    assert created[-1][1] == h(RFC["roots_by_size"]["8"])


def test_subtree_validation() -> None:
    assert merkle.nodes_for_subtree(4, 10) == [(2, 1), (1, 4)]
    assert merkle.subtree_hash(3, 3, {}) == merkle.EMPTY_ROOT
    with pytest.raises(ClientError, match="multiple of 4"):
        merkle.nodes_for_subtree(2, 6)
    with pytest.raises(ClientError):
        merkle.nodes_for_subtree(5, 4)


def test_tile_node_range() -> None:
    assert merkle.tile_node_range(0, 0, 256) == (0, 0, 256)
    assert merkle.tile_node_range(0, 3, 17) == (0, 768, 785)
    assert merkle.tile_node_range(2, 1, 1) == (16, 256, 257)
    # A full level-1 tile holds the level-8 nodes, i.e. roots of full level-0 tiles.
    level, first, end = merkle.tile_node_range(1, 0, 256)
    assert (level, first, end) == (8, 0, 256)
    for args in [(-1, 0, 1), (0, -1, 1), (0, 0, 0), (0, 0, 257)]:
        with pytest.raises(ClientError):
            merkle.tile_node_range(*args)
