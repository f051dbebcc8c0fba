"""Proofs served from stored tree nodes: each costs one query of O(log n) nodes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.engine import Connection

from ledger import merkle, storage
from ledger.errors import ClientError, NotFound
from ledger.publisher import PublishedCheckpoint, checkpoint_at, latest_checkpoint
from ledger.tlog_proof import TlogProof


class NotPublished(NotFound):
    code = "not_published"


@dataclass(frozen=True)
class InclusionProof:
    seq: int
    tree_size: int
    leaf_hash: bytes
    path: list[bytes]


def _check_size(conn: Connection, tree_size: int) -> None:
    size = storage.tree_size(conn)
    if not 0 <= tree_size <= size:
        raise ClientError(
            f"tree_size {tree_size} is beyond the log's size {size}",
            code="tree_size_out_of_range",
            size=size,
        )


def inclusion(conn: Connection, seq: int, tree_size: int) -> InclusionProof:
    _check_size(conn, tree_size)
    if not 0 <= seq < tree_size:
        raise ClientError(f"seq {seq} is not below tree_size {tree_size}", code="seq_out_of_range")
    nodes = storage.fetch_nodes(conn, merkle.nodes_for_inclusion(seq, tree_size))
    leaf = nodes.get((0, seq)) or storage.fetch_nodes(conn, [(0, seq)])[(0, seq)]
    return InclusionProof(seq, tree_size, leaf, merkle.inclusion_proof(seq, tree_size, nodes))


def seq_of_leaf(conn: Connection, leaf_hash: bytes) -> int:
    seq = conn.execute(
        select(storage.entries.c.seq).where(storage.entries.c.leaf_hash == leaf_hash)
    ).scalar()
    if seq is None:
        raise NotFound("no entry has that leaf hash", code="unknown_leaf")
    return int(seq)


def consistency(conn: Connection, size1: int, size2: int) -> list[bytes]:
    _check_size(conn, size2)
    if not 0 <= size1 <= size2:
        raise ClientError("need 0 <= first <= second", code="bad_sizes")
    nodes = storage.fetch_nodes(conn, merkle.nodes_for_consistency(size1, size2))
    return merkle.consistency_proof(size1, size2, nodes)


def tlog_proofs(conn: Connection, seqs: Sequence[int]) -> dict[int, TlogProof]:
    """tlog-proofs for many entries against the latest checkpoint, in two queries.

    Entries the checkpoint does not cover yet are left out. Used for receipts, where
    a batch of a thousand would otherwise cost a thousand round trips.
    """
    checkpoint = latest_checkpoint(conn)
    if checkpoint is None:
        return {}
    covered = [seq for seq in seqs if 0 <= seq < checkpoint.size]
    needed = {node for seq in covered for node in merkle.nodes_for_inclusion(seq, checkpoint.size)}
    nodes = storage.fetch_nodes(conn, needed)
    return {
        seq: TlogProof(
            seq, tuple(merkle.inclusion_proof(seq, checkpoint.size, nodes)), checkpoint.note
        )
        for seq in covered
    }


def tlog_proof(conn: Connection, seq: int, tree_size: int | None = None) -> TlogProof:
    """A C2SP tlog-proof of entry ``seq`` against a published checkpoint.

    Without ``tree_size``: the latest checkpoint. The checkpoint must cover ``seq``.
    """
    checkpoint: PublishedCheckpoint | None = (
        latest_checkpoint(conn) if tree_size is None else checkpoint_at(conn, tree_size)
    )
    if checkpoint is None or checkpoint.size <= seq:
        raise NotPublished(
            f"no published checkpoint covers seq {seq} yet; retry shortly",
            seq=seq,
        )
    proof = inclusion(conn, seq, checkpoint.size)
    return TlogProof(seq, tuple(proof.path), checkpoint.note)
