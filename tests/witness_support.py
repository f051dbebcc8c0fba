"""Test helpers for witnesses and monitors: an in-memory Merkle tree and its checkpoints."""

from __future__ import annotations

import base64
from collections.abc import Sequence

from ledger import merkle
from ledger.checkpoint import Checkpoint, sign_checkpoint
from ledger.note import Signer


class Tree:
    """An RFC 6962 tree over made-up leaves, with every perfect node kept."""

    def __init__(self, salt: str = "") -> None:
        self.salt = salt
        self.size = 0
        self.nodes: dict[merkle.NodeId, bytes] = {}

    def grow(self, count: int) -> Tree:
        leaves = [merkle.leaf_hash(f"{self.salt}{self.size + i}".encode()) for i in range(count)]
        self.nodes.update(merkle.append_leaves(self.size, self.nodes, leaves))
        self.size += count
        return self

    def root(self, size: int | None = None) -> bytes:
        return merkle.root_hash(self.size if size is None else size, self.nodes)

    def proof(self, old: int, new: int | None = None) -> list[bytes]:
        new = self.size if new is None else new
        if old == 0 or old == new:
            return []
        return merkle.consistency_proof(old, new, self.nodes)

    def note(self, signer: Signer, size: int | None = None) -> str:
        size = self.size if size is None else size
        return sign_checkpoint(Checkpoint(signer.name, size, self.root(size)), signer)


def add_checkpoint_body(old: int, proof: Sequence[bytes], note: str) -> bytes:
    lines = [f"old {old}", *(base64.b64encode(h).decode() for h in proof)]
    return ("\n".join(lines) + "\n\n" + note).encode()
