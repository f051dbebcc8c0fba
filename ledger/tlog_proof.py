"""C2SP transparency log proofs (c2sp.org/tlog-proof@v1), byte-exact.

A self-contained, offline-verifiable proof that an entry is in a log::

    c2sp.org/tlog-proof@v1
    [extra <base64 opaque data>]
    index <leaf index>
    <base64 inclusion proof hash, leaf's sibling first>
    ...
    <empty line>
    <the signed checkpoint note, verbatim>

Pure: no I/O. ``TlogProof.parse`` is strict (it also checks the embedded note and
checkpoint are well formed, without trusting them); ``verify_tlog_proof`` checks
the log's signature, optional witness cosignatures and the inclusion proof.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ledger.checkpoint import Checkpoint, open_checkpoint
from ledger.errors import FormatError, require
from ledger.limits import HASH_BYTES, INCLUSION_PROOF_HASHES_MAX, LEAF_INDEX_MAX
from ledger.merkle import verify_inclusion
from ledger.note import (
    AnyVerifier,
    b64decode_strict,
    b64encode,
    check_note_text,
    parse_decimal,
    split_note,
)

HEADER = "c2sp.org/tlog-proof@v1"
FILE_EXTENSION = ".tlog-proof"
_EXTRA = "extra "
_INDEX = "index "

InclusionVerifier = Callable[[bytes, int, int, Sequence[bytes], bytes], object]
"""``(leaf_hash, index, size, proof, root)``; raises ProofError if it does not check."""


@functools.lru_cache(maxsize=16)
def _check_checkpoint_structure(checkpoint_note: str) -> None:
    """Structure only: the note is not trusted until ``verify_tlog_proof``.

    Cached because a batch's receipts all carry the same checkpoint: parsing it once
    per receipt cost an eighth of the batch API's CPU. A note that fails raises, and
    lru_cache does not remember failures.
    """
    note = split_note(checkpoint_note)
    Checkpoint.parse(note.text)


@dataclass(frozen=True)
class TlogProof:
    """Leaf index, inclusion path, the signed checkpoint note and optional extra data."""

    index: int
    inclusion: tuple[bytes, ...]
    checkpoint_note: str
    extra: bytes | None = None
    """Opaque, unauthenticated application data; None when the line is absent."""

    def __post_init__(self) -> None:
        # Plain ifs, not ``require``: a batch builds a thousand of these per request, and
        # ``require`` would build every error message even when nothing is wrong.
        if not (type(self.index) is int and 0 <= self.index <= LEAF_INDEX_MAX):
            raise FormatError("tlog-proof index must be an integer in 0..2^64-2")
        if not (
            isinstance(self.inclusion, tuple) and len(self.inclusion) <= INCLUSION_PROOF_HASHES_MAX
        ):
            raise FormatError("tlog-proof inclusion must be a tuple of at most 64 hashes")
        if not all(isinstance(h, bytes) and len(h) == HASH_BYTES for h in self.inclusion):
            raise FormatError("tlog-proof inclusion hashes must be 32 bytes each")
        # An empty extra would serialize as a bare "extra " line: omit the line instead.
        if not (self.extra is None or (isinstance(self.extra, bytes) and len(self.extra) > 0)):
            raise FormatError("tlog-proof extra must be non-empty bytes, or None")
        if not isinstance(self.checkpoint_note, str):
            raise FormatError("tlog-proof checkpoint must be a signed note")
        _check_checkpoint_structure(self.checkpoint_note)

    def to_text(self) -> str:
        lines = [HEADER]
        if self.extra is not None:
            lines.append(_EXTRA + b64encode(self.extra))
        lines.append(f"{_INDEX}{self.index}")
        lines.extend(b64encode(h) for h in self.inclusion)
        return "".join(line + "\n" for line in lines) + "\n" + self.checkpoint_note

    @classmethod
    def parse(cls, text: str | bytes) -> TlogProof:
        """Strictly parse a ``.tlog-proof`` file."""
        if isinstance(text, bytes):
            try:
                text = text.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise FormatError("tlog-proof: not valid UTF-8") from exc
        check_note_text(text, "tlog-proof")
        # Every line before the checkpoint is non-empty, so the first empty line ends them.
        head, sep, note = text.partition("\n\n")
        require(sep != "", FormatError("tlog-proof: no empty line before the checkpoint"))
        lines = head.split("\n")
        require(lines[0] == HEADER, FormatError(f"tlog-proof: first line must be {HEADER}"))
        pos = 1
        extra: bytes | None = None
        if pos < len(lines) and lines[pos].startswith(_EXTRA):
            extra = b64decode_strict(lines[pos][len(_EXTRA) :], "tlog-proof extra")
            pos += 1
        require(
            pos < len(lines) and lines[pos].startswith(_INDEX),
            FormatError("tlog-proof: missing index line"),
        )
        index = parse_decimal(lines[pos][len(_INDEX) :], "tlog-proof index", LEAF_INDEX_MAX)
        hash_lines = lines[pos + 1 :]
        require(
            len(hash_lines) <= INCLUSION_PROOF_HASHES_MAX,
            FormatError("tlog-proof: too many inclusion proof lines"),
        )
        inclusion = tuple(b64decode_strict(h, "tlog-proof inclusion hash") for h in hash_lines)
        return cls(index, inclusion, note, extra)


def verify_tlog_proof(
    proof: TlogProof,
    leaf_hash: bytes,
    origin: str,
    log_verifier: AnyVerifier,
    inclusion_verifier: InclusionVerifier | None = None,
    *,
    witnesses: Sequence[AnyVerifier] = (),
    min_witnesses: int = 0,
) -> Checkpoint:
    """SPEC: tlog-proof "Verifying a tlog proof", steps 2-4; returns the checkpoint.

    ``leaf_hash`` is the RFC 6962 leaf hash the caller computed (step 1). The
    checkpoint must carry ``origin`` and a valid signature by ``log_verifier``; every
    signature by a given witness must verify and at least ``min_witnesses`` of them
    must be present. ``inclusion_verifier`` defaults to ``ledger.merkle.verify_inclusion``.
    Raises FormatError, SignatureError or ProofError.
    """
    check = verify_inclusion if inclusion_verifier is None else inclusion_verifier
    cp = open_checkpoint(
        proof.checkpoint_note,
        origin,
        log_verifier,
        witnesses=witnesses,
        min_witnesses=min_witnesses,
    )
    check(leaf_hash, proof.index, cp.size, proof.inclusion, cp.root_hash)
    return cp
