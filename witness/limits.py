"""Every bound the witness enforces, in one place, with units and qualifiers last.

Relations with the ledger's bounds are checked at import: a witness must accept every
checkpoint the ledger may anchor a statement to.
"""

from __future__ import annotations

from ledger.errors import InvariantBroken, require
from ledger.limits import ANCHOR_CHARS_MAX, INCLUSION_PROOF_HASHES_MAX

WITNESS_PROOF_LINES_MAX = 63
"""SPEC: tlog-witness: "The client MUST NOT send more than 63 consistency proof lines"."""
WITNESS_REQUEST_BYTES_MAX = 1 << 20
"""A checkpoint note with 100 ML-DSA-44 signatures is about 330 KiB; 1 MiB is plenty."""

require(
    WITNESS_PROOF_LINES_MAX < INCLUSION_PROOF_HASHES_MAX,
    InvariantBroken("a consistency proof is never longer than the tree is tall"),
)
require(
    ANCHOR_CHARS_MAX <= WITNESS_REQUEST_BYTES_MAX,
    InvariantBroken("a witness must accept every checkpoint the ledger anchors to"),
)
