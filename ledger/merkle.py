"""RFC 6962 §2.1 Merkle tree hashing and proofs, over a store of perfect subtrees. Pure: no I/O.

Why this shape: the database stores the hash of every *perfect* subtree of the log, keyed by
``NodeId = (level, index)``, the subtree over leaves ``[index << level, (index + 1) << level)``
(level 0 holds the leaf hashes). Nodes never change once created, so a store for size ``n``
also serves every earlier size. Every operation here is split in two:

* a ``nodes_for_*`` function that says exactly which ``NodeId`` s are needed, so the caller
  fetches them in ONE query, and only O(log n) of them (never a scan);
* a function that takes those nodes as a ``Mapping[NodeId, bytes]`` and computes the answer.

Imperfect subtrees (the right edge of a tree whose size is not a power of two) are never
stored; their RFC 6962 hash is folded from the perfect nodes of their binary decomposition
(:func:`subtree_hash`).

The C2SP tlog-tiles layout is the same store cut into 256-wide strips: a tile at tile-level
``L``, index ``N`` holds the level-``8L`` nodes ``256N ..`` (:func:`tile_node_range`).

Errors: bad arguments from a caller raise :class:`~ledger.errors.ClientError`; a proof or
root that does not check raises :class:`~ledger.errors.ProofError` (the verifiers raise
nothing else for any input); a node missing from, or malformed in, the mapping the caller
fetched raises :class:`~ledger.errors.InvariantBroken` (a bug, or a damaged store).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence

from ledger.errors import ClientError, InvariantBroken, ProofError, TerangError, require
from ledger.limits import HASH_BYTES, TILE_HEIGHT, TILE_WIDTH, TREE_SIZE_MAX

__all__ = [
    "EMPTY_ROOT",
    "NodeId",
    "append_leaves",
    "consistency_proof",
    "inclusion_proof",
    "leaf_hash",
    "node_hash",
    "nodes_for_consistency",
    "nodes_for_inclusion",
    "nodes_for_root",
    "nodes_for_subtree",
    "root_from_inclusion_proof",
    "root_from_leaf_hashes",
    "root_hash",
    "subtree_hash",
    "tile_node_range",
    "verify_consistency",
    "verify_inclusion",
]


NodeId = tuple[int, int]
"""``(level, index)``: the perfect subtree over leaves ``[index << level, (index+1) << level)``."""

# SPEC: RFC 6962 §2.1: "MTH({}) = SHA-256()", the hash of the empty string.
EMPTY_ROOT: bytes = hashlib.sha256(b"").digest()

_LEAF_PREFIX = b"\x00"  # SPEC: RFC 6962 §2.1 domain separation, leaf hashes
_NODE_PREFIX = b"\x01"  # SPEC: RFC 6962 §2.1 domain separation, interior nodes


# --------------------------------------------------------------------------------------------
# Hashing
# --------------------------------------------------------------------------------------------


def leaf_hash(entry: bytes) -> bytes:
    """Hash one log entry as a leaf.

    SPEC: RFC 6962 §2.1: ``MTH({d(0)}) = SHA-256(0x00 || d(0))``. The 0x00 prefix keeps a leaf
    from ever being passed off as an interior node (second-preimage resistance).
    """
    return hashlib.sha256(_LEAF_PREFIX + entry).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """Hash two child hashes into their parent.

    SPEC: RFC 6962 §2.1: ``MTH(D[n]) = SHA-256(0x01 || MTH(D[0:k]) || MTH(D[k:n]))``.
    """
    return hashlib.sha256(_NODE_PREFIX + left + right).digest()


def root_from_leaf_hashes(leaf_hashes: Sequence[bytes]) -> bytes:
    """Reference Merkle Tree Hash of a whole list of leaf hashes: O(n) time, no store.

    Kept as a literal transcription of the RFC recursion so the store-based functions can be
    tested against an independent definition (and for small trees built in memory).
    """
    for i, h in enumerate(leaf_hashes):
        if len(h) != HASH_BYTES:
            raise ClientError(f"leaf hash #{i} is {len(h)} bytes, want {HASH_BYTES}")

    def mth(start: int, end: int) -> bytes:
        n = end - start
        if n == 1:
            return leaf_hashes[start]
        # SPEC: RFC 6962 §2.1: k is the largest power of two smaller than n.
        k = _split_point(n)
        return node_hash(mth(start, start + k), mth(start + k, end))

    if not leaf_hashes:
        return EMPTY_ROOT  # SPEC: RFC 6962 §2.1, MTH({})
    return mth(0, len(leaf_hashes))


# --------------------------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------------------------


def _split_point(n: int) -> int:
    """The largest power of two strictly smaller than ``n`` (n > 1): RFC 6962 §2.1's ``k``."""
    return 1 << ((n - 1).bit_length() - 1)


# The three checks below sit on every append and proof: they build their error only when
# it is raised (``require`` would build it on every call).


def _check_size(name: str, value: int, error: type[TerangError] = ClientError) -> None:
    if not 0 <= value <= TREE_SIZE_MAX:
        raise error(f"{name} must be in 0..2^64-1, got {value}")


def _check_hash(name: str, value: bytes, error: type[TerangError] = ClientError) -> None:
    if len(value) != HASH_BYTES:
        raise error(f"{name} is {len(value)} bytes, want {HASH_BYTES}")


def _node_range(node: NodeId) -> tuple[int, int]:
    level, index = node
    return index << level, (index + 1) << level


def _get_node(nodes: Mapping[NodeId, bytes], node: NodeId) -> bytes:
    """Fetch one node from the caller's mapping; absence means the caller's store is broken."""
    value = nodes.get(node)
    if value is None:
        start, end = _node_range(node)
        raise InvariantBroken(
            f"Merkle node {node} (leaves [{start}, {end})) is missing from the nodes supplied; "
            "fetch the NodeIds returned by the matching nodes_for_* function",
            node=list(node),
        )
    if len(value) != HASH_BYTES:
        raise InvariantBroken(
            f"Merkle node {node} is {len(value)} bytes, want {HASH_BYTES}", node=list(node)
        )
    return value


def _dedup(ids: list[NodeId]) -> list[NodeId]:
    return list(dict.fromkeys(ids))


# --------------------------------------------------------------------------------------------
# Subtrees and roots
# --------------------------------------------------------------------------------------------


def nodes_for_subtree(start: int, end: int) -> list[NodeId]:
    """The perfect nodes, left to right, whose fold is ``MTH(D[start:end])``.

    This is the binary decomposition of ``end - start`` (largest power of two first) laid
    down from ``start``. It exists in the store only if the first (largest) piece is aligned,
    i.e. ``start`` is a multiple of the largest power of two <= ``end - start``; every subtree
    that RFC 6962 §2.1's recursion produces satisfies this. At most ``log2(n) + 1`` nodes.
    """
    _check_size("start", start)
    _check_size("end", end)
    if start > end:
        raise ClientError(f"subtree start {start} is after its end {end}")
    n = end - start
    if n == 0:
        return []
    top = n.bit_length() - 1
    if start % (1 << top) != 0:
        raise ClientError(
            f"subtree [{start}, {end}) is not made of stored perfect subtrees: its start "
            f"must be a multiple of {1 << top}"
        )
    return _decompose(start, end)


def _decompose(start: int, end: int) -> list[NodeId]:
    """:func:`nodes_for_subtree` without its checks, for ranges built here (proof ranges).

    Proofs for a batch's receipts decompose tens of thousands of ranges, most of them one
    perfect subtree: that case returns at once, and the checks are not repeated.
    """
    n = end - start
    if n == 0:
        return []
    top = n.bit_length() - 1
    if n == 1 << top:
        return [(top, start >> top)]
    out: list[NodeId] = []
    offset = start
    for level in range(top, -1, -1):
        if n >> level & 1:
            out.append((level, offset >> level))
            offset += 1 << level
    return out


def subtree_hash(start: int, end: int, nodes: Mapping[NodeId, bytes]) -> bytes:
    """``MTH(D[start:end])``, folded from the perfect nodes of :func:`nodes_for_subtree`.

    SPEC: RFC 6962 §2.1: for n not a power of two, MTH splits at k = the largest power of
    two < n, and D[0:k] is exactly the first (largest) perfect piece of the decomposition;
    the right part recurses on the remaining pieces. So folding the pieces from the right,
    ``H(p0, H(p1, ... H(p_{m-2}, p_{m-1})))``, is MTH. An empty range is ``MTH({})``.
    """
    return _fold(nodes_for_subtree(start, end), nodes)


def _fold(ids: Sequence[NodeId], nodes: Mapping[NodeId, bytes]) -> bytes:
    """Fold a decomposition's perfect nodes from the right (see :func:`subtree_hash`)."""
    if not ids:
        return EMPTY_ROOT
    acc = _get_node(nodes, ids[-1])
    for node in reversed(ids[:-1]):
        acc = node_hash(_get_node(nodes, node), acc)
    return acc


def nodes_for_root(size: int) -> list[NodeId]:
    """The perfect subtrees of the binary decomposition of ``size``, left to right.

    These are the nodes :func:`root_hash` needs, and also the "frontier" (compact range) that
    :func:`append_leaves` needs to extend the tree: one node per set bit of ``size``.
    """
    _check_size("size", size)
    return nodes_for_subtree(0, size)


def root_hash(size: int, nodes: Mapping[NodeId, bytes]) -> bytes:
    """The RFC 6962 root ``MTH(D[size])`` from the nodes of :func:`nodes_for_root`.

    SPEC: RFC 6962 §2.1 (Merkle Tree Hash); size 0 gives ``MTH({}) = SHA-256()``.
    """
    _check_size("size", size)
    return subtree_hash(0, size, nodes)


# --------------------------------------------------------------------------------------------
# Inclusion proofs
# --------------------------------------------------------------------------------------------


def _inclusion_ranges(index: int, size: int) -> list[tuple[int, int]]:
    """The leaf ranges whose MTHs make up ``PATH(index, D[size])``, in PATH order.

    SPEC: RFC 6962 §2.1.1, transcribed with offsets instead of list slices:
      PATH(0, {d(0)}) = {}
      m < k:  PATH(m, D[n]) = PATH(m, D[0:k]) : MTH(D[k:n])
      m >= k: PATH(m, D[n]) = PATH(m - k, D[k:n]) : MTH(D[0:k])
    The recursion is outermost-first, so the collected ranges are reversed at the end to put
    the leaf's sibling first. Only the first right-hand range can be imperfect: after it the
    remaining tree has a power-of-two size.
    """
    ranges: list[tuple[int, int]] = []
    start, m, n = 0, index, size
    while n > 1:
        k = _split_point(n)
        if m < k:
            ranges.append((start + k, start + n))
            n = k
        else:
            ranges.append((start, start + k))
            start, m, n = start + k, m - k, n - k
    ranges.reverse()
    return ranges


def _check_index(index: int, size: int) -> None:
    _check_size("size", size)
    # Hot path (every proof): build the error only when it is raised.
    if not 0 <= index < size:
        raise ClientError(f"leaf index {index} is not in a tree of size {size}")


def nodes_for_inclusion(index: int, size: int) -> list[NodeId]:
    """The stored nodes needed for :func:`inclusion_proof` of leaf ``index`` in tree ``size``.

    Deduplicated; at most ``2 * ceil(log2(size))`` of them (one per proof element, plus the
    decomposition of the single imperfect right-edge sibling, if any).
    """
    _check_index(index, size)
    ids: list[NodeId] = []
    for start, end in _inclusion_ranges(index, size):
        ids.extend(_decompose(start, end))
    return _dedup(ids)


def inclusion_proof(index: int, size: int, nodes: Mapping[NodeId, bytes]) -> list[bytes]:
    """The audit path for leaf ``index`` in the tree of ``size`` leaves.

    SPEC: RFC 6962 §2.1.1 ``PATH(m, D[n])``: the leaf's sibling first, the root's child last.
    ``nodes`` must hold (at least) :func:`nodes_for_inclusion` ``(index, size)``.
    """
    _check_index(index, size)
    return [_fold(_decompose(s, e), nodes) for s, e in _inclusion_ranges(index, size)]


def root_from_inclusion_proof(
    leaf_hash: bytes, index: int, size: int, proof: Sequence[bytes]
) -> bytes:
    """The root that ``proof`` implies for ``leaf_hash`` at ``index`` in a tree of ``size``.

    Raises ProofError if the proof cannot be a valid RFC 6962 §2.1.1 path for that position
    (wrong length, wrong element size, index out of range); it does not know the real root.

    SPEC: RFC 9162 §2.1.3.2 (the verification algorithm for RFC 6962 §2.1.1 audit paths).
    """
    _check_size("tree size", size, ProofError)
    if not 0 <= index < size:
        raise ProofError(
            f"leaf index {index} is not in a tree of size {size}", index=index, size=size
        )
    _check_hash("leaf hash", leaf_hash, ProofError)
    for i, p in enumerate(proof):
        _check_hash(f"inclusion proof element #{i}", p, ProofError)
    # SPEC: RFC 9162 §2.1.3.2 steps 2-3.
    fn, sn = index, size - 1
    r = leaf_hash
    too_long = ProofError(
        f"inclusion proof has {len(proof)} elements, too many for leaf {index} "
        f"in a tree of size {size}",
        index=index,
        size=size,
    )
    for p in proof:
        # SPEC: RFC 9162 §2.1.3.2 step 4a: a longer path than the tree is tall is invalid.
        require(sn != 0, too_long)
        if fn & 1 or fn == sn:
            # SPEC: step 4b: p is a left sibling (or we are on the right border).
            r = node_hash(p, r)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        # SPEC: step 4c.
        fn >>= 1
        sn >>= 1
    # SPEC: step 5: sn must have reached 0, else the path is too short.
    if sn != 0:
        raise ProofError(
            f"inclusion proof has {len(proof)} elements, too few for leaf {index} "
            f"in a tree of size {size}",
            index=index,
            size=size,
        )
    return r


def verify_inclusion(
    leaf_hash: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes
) -> None:
    """Check that ``proof`` shows ``leaf_hash`` at ``index`` in the tree of ``size`` and ``root``.

    Returns None on success; raises ProofError (and nothing else) on any failure.
    SPEC: RFC 9162 §2.1.3.2 step 5 (compare the computed root with the claimed one).
    """
    _check_hash("root", root, ProofError)
    calculated = root_from_inclusion_proof(leaf_hash, index, size, proof)
    if calculated != root:
        raise ProofError(
            f"inclusion proof for leaf {index} in tree of size {size} gives root "
            f"{calculated.hex()}, not the expected {root.hex()}",
            index=index,
            size=size,
            expected=root.hex(),
            calculated=calculated.hex(),
        )


# --------------------------------------------------------------------------------------------
# Consistency proofs
# --------------------------------------------------------------------------------------------


def _consistency_ranges(size1: int, size2: int) -> list[tuple[int, int]]:
    """The leaf ranges whose MTHs make up ``PROOF(size1, D[size2])``, in PROOF order.

    SPEC: RFC 6962 §2.1.2, transcribed with offsets:
      PROOF(m, D[n]) = SUBPROOF(m, D[n], true)
      SUBPROOF(m, D[m], true) = {}
      SUBPROOF(m, D[m], false) = {MTH(D[m])}
      m <= k: SUBPROOF(m, D[n], b) = SUBPROOF(m, D[0:k], b) : MTH(D[k:n])
      m > k:  SUBPROOF(m, D[n], b) = SUBPROOF(m - k, D[k:n], false) : MTH(D[0:k])
    Requires 0 < size1 <= size2 (the RFC leaves m = 0 undefined).
    """
    ranges: list[tuple[int, int]] = []
    start, m, n, b = 0, size1, size2, True
    while m != n:
        k = _split_point(n)
        if m <= k:
            ranges.append((start + k, start + n))
            n = k
        else:
            ranges.append((start, start + k))
            start, m, n, b = start + k, m - k, n - k, False
    if not b:
        ranges.append((start, start + m))
    ranges.reverse()
    return ranges


def _check_consistency_sizes(size1: int, size2: int) -> None:
    _check_size("size1", size1)
    _check_size("size2", size2)
    require(
        size1 <= size2,
        ClientError(f"size1 {size1} is larger than size2 {size2}"),
    )
    require(
        size1 > 0 or size2 == 0,
        ClientError(
            "a consistency proof from the empty tree is meaningless (every tree extends it); "
            "size1 must be at least 1",
        ),
    )


def nodes_for_consistency(size1: int, size2: int) -> list[NodeId]:
    """The stored nodes needed for :func:`consistency_proof` ``(size1, size2)``.

    Deduplicated; at most about ``2 * ceil(log2(size2))``. Empty when ``size1 == size2``.
    """
    _check_consistency_sizes(size1, size2)
    ids: list[NodeId] = []
    for start, end in _consistency_ranges(size1, size2):
        ids.extend(nodes_for_subtree(start, end))
    return _dedup(ids)


def consistency_proof(size1: int, size2: int, nodes: Mapping[NodeId, bytes]) -> list[bytes]:
    """The proof that the tree of ``size2`` leaves extends the tree of ``size1`` leaves.

    SPEC: RFC 6962 §2.1.2 ``PROOF(m, D[n])``. Empty when ``size1 == size2``; ``size1 == 0 <
    size2`` is refused (ClientError), since no verifier accepts a proof from the empty tree.
    ``nodes`` must hold (at least) :func:`nodes_for_consistency` ``(size1, size2)``.
    """
    _check_consistency_sizes(size1, size2)
    return [subtree_hash(s, e, nodes) for s, e in _consistency_ranges(size1, size2)]


def verify_consistency(
    size1: int, size2: int, proof: Sequence[bytes], root1: bytes, root2: bytes
) -> None:
    """Check that ``proof`` shows tree (size2, root2) is an append-only extension of (size1, root1).

    Returns None on success; raises ProofError (and nothing else) on any failure. Edge cases
    follow transparency-dev/merkle (its test probes are run against this function):

    * ``size1 > size2``: error.
    * ``size1 == size2``: the proof must be empty and the roots equal; for size 0 both roots
      must be ``EMPTY_ROOT``. For equal sizes > 0 nothing else can be checked (we do not know
      the tree), so the roots are compared as given, without a length check.
    * ``size1 == 0 < size2``: error, whatever the proof: such a proof proves nothing.

    SPEC: RFC 9162 §2.1.4.2 (the verification algorithm for RFC 6962 §2.1.2 proofs).
    """
    _check_size("size1", size1, ProofError)
    _check_size("size2", size2, ProofError)
    require(
        size1 <= size2,
        ProofError(f"size1 {size1} is larger than size2 {size2}", size1=size1, size2=size2),
    )
    if size1 == size2:
        require(
            len(proof) == 0,
            ProofError(
                f"sizes are equal ({size1}) but the consistency proof has {len(proof)} "
                "elements; it must be empty",
                size1=size1,
                size2=size2,
            ),
        )
        if size1 == 0:
            # SPEC: RFC 6962 §2.1: the empty tree has exactly one root, MTH({}).
            require(
                root1 == EMPTY_ROOT and root2 == EMPTY_ROOT,
                ProofError(
                    "the root of the empty tree must be SHA-256() = " + EMPTY_ROOT.hex(),
                    root1=root1.hex(),
                    root2=root2.hex(),
                ),
            )
        require(
            root1 == root2,
            ProofError(
                f"sizes are equal ({size1}) but the roots differ",
                size1=size1,
                root1=root1.hex(),
                root2=root2.hex(),
            ),
        )
        return
    require(
        size1 > 0,
        ProofError(
            "a consistency proof from the empty tree is meaningless; size1 must be at least 1",
            size1=size1,
            size2=size2,
        ),
    )
    _check_hash("root1", root1, ProofError)
    _check_hash("root2", root2, ProofError)
    # SPEC: RFC 9162 §2.1.4.2 step 1: an empty path cannot prove 0 < size1 < size2.
    require(
        len(proof) > 0,
        ProofError(
            f"empty consistency proof for sizes {size1} < {size2}", size1=size1, size2=size2
        ),
    )
    for i, p in enumerate(proof):
        _check_hash(f"consistency proof element #{i}", p, ProofError)

    fr, sr = roots_from_consistency_proof(size1, size2, proof, root1)
    require(
        fr == root1,
        ProofError(
            f"consistency proof gives old root {fr.hex()} for size {size1}, "
            f"not the expected {root1.hex()}",
            size1=size1,
            expected=root1.hex(),
            calculated=fr.hex(),
        ),
    )
    require(
        sr == root2,
        ProofError(
            f"consistency proof gives new root {sr.hex()} for size {size2}, "
            f"not the expected {root2.hex()}",
            size2=size2,
            expected=root2.hex(),
            calculated=sr.hex(),
        ),
    )


def roots_from_consistency_proof(
    size1: int, size2: int, proof: Sequence[bytes], root1: bytes
) -> tuple[bytes, bytes]:
    """The (old, new) roots a consistency proof for ``0 < size1 < size2`` works out to.

    SPEC: RFC 9162 §2.1.4.2 steps 2-6, without the final comparisons, so that a caller
    holding a proof from an untrusted source can tell which root it fails on: a proof
    built from a mirror's tiles that does not reproduce the new checkpoint's root shows
    only that the mirror's tiles are wrong, while one that reproduces the new root but
    not the old one shows that the log signed two histories. ``root1`` is needed only
    when ``size1`` is a power of two (the proof then omits it). Raises ProofError on a
    proof of the wrong length; callers check the sizes (``verify_consistency`` does).
    """
    path = list(proof)
    # SPEC: RFC 9162 §2.1.4.2 step 2: if size1 is a power of two, the old root is itself a
    # node on the path and is omitted from the proof, so prepend it.
    if size1 & (size1 - 1) == 0:
        path.insert(0, root1)
    require(len(path) > 0, ProofError(f"empty consistency proof for sizes {size1} < {size2}"))
    # SPEC: steps 3-4.
    fn, sn = size1 - 1, size2 - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    too_long = ProofError(
        f"consistency proof has {len(proof)} elements, too many for sizes {size1} -> {size2}",
        size1=size1,
        size2=size2,
    )
    # SPEC: step 5.
    for c in path[1:]:
        require(sn != 0, too_long)  # step 5a
        if fn & 1 or fn == sn:  # step 5b
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1  # step 5c
        sn >>= 1
    # SPEC: step 6.
    require(
        sn == 0,
        ProofError(
            f"consistency proof has {len(proof)} elements, too few for sizes {size1} -> {size2}",
            size1=size1,
            size2=size2,
        ),
    )
    return fr, sr


# --------------------------------------------------------------------------------------------
# Appending
# --------------------------------------------------------------------------------------------


def append_leaves(
    size: int, frontier: Mapping[NodeId, bytes], new_leaf_hashes: Sequence[bytes]
) -> list[tuple[NodeId, bytes]]:
    """Every NEW perfect node created by appending ``new_leaf_hashes`` to a tree of ``size``.

    ``frontier`` must hold the nodes of :func:`nodes_for_root` ``(size)`` (the compact range of
    the tree). Returns ``(NodeId, hash)`` pairs in creation order, level-0 leaves included,
    so the caller inserts them and the store then covers ``size + len(new_leaf_hashes)``.
    Works like a binary counter: each new leaf is pushed on the frontier, and while the two
    rightmost nodes have the same level they are merged into their parent
    (SPEC: RFC 6962 §2.1, ``node_hash`` of two sibling perfect subtrees). O(k + log n).
    """
    _check_size("size", size)
    require(
        size + len(new_leaf_hashes) <= TREE_SIZE_MAX,
        ClientError("appending would overflow the 64-bit tree size"),
    )
    for i, h in enumerate(new_leaf_hashes):
        _check_hash(f"new leaf hash #{i}", h)
    # Stack of (level, index, hash), strictly decreasing levels from bottom to top.
    stack: list[tuple[int, int, bytes]] = [
        (level, index, _get_node(frontier, (level, index))) for level, index in nodes_for_root(size)
    ]
    created: list[tuple[NodeId, bytes]] = []
    for offset, h in enumerate(new_leaf_hashes):
        level, index, value = 0, size + offset, h
        created.append(((level, index), value))
        while stack and stack[-1][0] == level:
            _, left_index, left = stack.pop()
            level, index, value = level + 1, left_index >> 1, node_hash(left, value)
            created.append(((level, index), value))
        stack.append((level, index, value))
    return created


# --------------------------------------------------------------------------------------------
# C2SP tlog-tiles
# --------------------------------------------------------------------------------------------


def tile_node_range(tile_level: int, tile_index: int, width: int) -> tuple[int, int, int]:
    """The stored nodes a C2SP tlog-tiles hash tile holds: ``(tree_level, first, end)``.

    SPEC: C2SP tlog-tiles: a tile at tile-level ``L``, index ``N``, of width ``W`` (1..256;
    full tiles are 256, the rightmost may be partial) holds the hashes of tree-level ``8L``
    nodes ``256N .. 256N + W - 1``, which are exactly our perfect nodes
    ``(8L, i) for i in range(first, end)``.
    """
    require(tile_level >= 0, ClientError(f"tile level must be >= 0, got {tile_level}"))
    require(tile_index >= 0, ClientError(f"tile index must be >= 0, got {tile_index}"))
    require(
        1 <= width <= TILE_WIDTH,
        ClientError(f"tile width must be in 1..{TILE_WIDTH}, got {width}"),
    )
    first = tile_index * TILE_WIDTH
    return tile_level * TILE_HEIGHT, first, first + width
