"""Evidence an auditor holds, checked against the log being served (``--evidence``).

A log rewritten and re-signed with the log key is internally consistent, so a fresh
auditor cannot tell. What can tell is something signed earlier that the auditor (or a
vendor, a committee member, a journalist) kept:

* a **receipt**: a C2SP ``.tlog-proof`` file (index, inclusion path, signed
  checkpoint), or the write API's JSON receipt (``seq``, ``leaf_hash``,
  ``tlog_proof``), which also names the entry's leaf hash;
* a **checkpoint**: a signed note of the log, cosigned or not (what a witness or an
  earlier ``terang verify`` saw).

Rules, each checked during the replay (so against the served entries themselves, not
against anything else the server says), the first failure raising ``LogFault``:

1. a held checkpoint is no larger than the served checkpoint (``checkpoint_beyond_log``:
   the log was rolled back, or is showing another branch);
2. at the held checkpoint's size, the root of the served entries is the held root
   (``checkpoint_contradicted``: what was signed before is not this history);
3. a receipt's entry is at its seq: the served leaf there is the receipt's leaf hash
   (JSON receipts), and the receipt's inclusion path leads from the served leaf to its
   checkpoint's root (``receipt_contradicted``).

Loading is strict and separate (``load_evidence``): a file that does not parse, is not
signed by the log's key, or is for another origin is ``EvidenceError`` (the evidence,
not the log, is at fault). Pure: no I/O; the caller reads the files.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from audit.limits import EVIDENCE_FILE_BYTES_MAX
from audit.verifier import LogFault, LogReplayer
from ledger import merkle
from ledger.checkpoint import Checkpoint, open_checkpoint, open_checkpoint_any
from ledger.errors import ClientError, TerangError
from ledger.note import Verifier
from ledger.tlog_proof import HEADER as TLOG_PROOF_HEADER
from ledger.tlog_proof import TlogProof

LEAF_HASH_PATTERN = re.compile(r"^[0-9a-f]{64}$")


class EvidenceError(ClientError):
    """An evidence file cannot be used (says nothing about the log); names the file."""

    code = "bad_evidence"


LogKeys = Verifier | Sequence[Verifier]
"""The log key, or every key of a log that rotated it (``ledger.log_keys``): a receipt
held from before the rotation is signed by the previous key."""


def _open(note: str, origin: str, log_key: LogKeys) -> Checkpoint:
    if isinstance(log_key, Verifier):
        return open_checkpoint(note, origin, log_key)
    return open_checkpoint_any(note, origin, log_key)


@dataclass(frozen=True)
class HeldEvidence:
    """One held file, its checkpoint verified under the log key."""

    name: str
    checkpoint: Checkpoint
    index: int | None = None
    """A receipt's leaf index (None for a bare checkpoint)."""
    inclusion: tuple[bytes, ...] = ()
    leaf_hash: bytes | None = None
    """The receipt's leaf hash, when it names one (JSON receipts)."""

    @property
    def kind(self) -> str:
        return "checkpoint" if self.index is None else "receipt"


def load_evidence(name: str, data: bytes, origin: str, log_key: LogKeys) -> HeldEvidence:
    """Parse and open one evidence file, or raise ``EvidenceError`` naming it."""
    if len(data) > EVIDENCE_FILE_BYTES_MAX:
        raise EvidenceError(f"evidence {name}: over {EVIDENCE_FILE_BYTES_MAX} bytes", file=name)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise EvidenceError(f"evidence {name}: not UTF-8 text", file=name) from exc
    try:
        if text.startswith(TLOG_PROOF_HEADER + "\n"):
            return _receipt(name, TlogProof.parse(text), None, origin, log_key)
        if text.startswith("{"):
            return _json_receipt(name, text, origin, log_key)
        return HeldEvidence(name, _open(text, origin, log_key))
    except EvidenceError:
        raise
    except TerangError as exc:
        raise EvidenceError(
            f"evidence {name}: {exc.message} (it must be a receipt or checkpoint of the log "
            f"{origin!r}, signed by its key)",
            file=name,
        ) from exc


def _receipt(
    name: str, proof: TlogProof, leaf_hash: bytes | None, origin: str, log_key: LogKeys
) -> HeldEvidence:
    checkpoint = _open(proof.checkpoint_note, origin, log_key)
    if proof.index >= checkpoint.size:
        raise EvidenceError(
            f"evidence {name}: index {proof.index} is not in its checkpoint of size "
            f"{checkpoint.size}",
            file=name,
        )
    if leaf_hash is not None:
        # The receipt must at least agree with itself before it can accuse the log.
        try:
            merkle.verify_inclusion(
                leaf_hash, proof.index, checkpoint.size, proof.inclusion, checkpoint.root_hash
            )
        except TerangError as exc:
            raise EvidenceError(
                f"evidence {name}: its inclusion proof does not lead from its leaf hash to "
                f"its own checkpoint: {exc.message}",
                file=name,
            ) from exc
    return HeldEvidence(name, checkpoint, proof.index, proof.inclusion, leaf_hash)


def _json_receipt(name: str, text: str, origin: str, log_key: LogKeys) -> HeldEvidence:
    try:
        value = json.loads(text)
    except ValueError as exc:
        raise EvidenceError(f"evidence {name}: not JSON", file=name) from exc
    if not isinstance(value, dict):
        raise EvidenceError(f"evidence {name}: not a receipt object", file=name)
    seq, leaf_hex, proof_text = value.get("seq"), value.get("leaf_hash"), value.get("tlog_proof")
    if not isinstance(leaf_hex, str) or not LEAF_HASH_PATTERN.fullmatch(leaf_hex):
        raise EvidenceError(f"evidence {name}: leaf_hash is not 64 lowercase hex", file=name)
    if not isinstance(proof_text, str):
        raise EvidenceError(
            f"evidence {name}: the receipt has no tlog_proof (no checkpoint covered it "
            "yet), so nothing in it is signed; fetch GET /api/v1/entries/{seq}/tlog-proof",
            file=name,
        )
    proof = TlogProof.parse(proof_text)
    if seq != proof.index or type(seq) is not int:
        raise EvidenceError(f"evidence {name}: seq is not its proof's index", file=name)
    return _receipt(name, proof, bytes.fromhex(leaf_hex), origin, log_key)


@dataclass
class EvidenceCheck:
    """The held evidence, indexed for the replay: by checkpoint size and by leaf index."""

    held: list[HeldEvidence]
    by_size: dict[int, list[HeldEvidence]] = field(default_factory=dict)
    by_index: dict[int, list[HeldEvidence]] = field(default_factory=dict)
    served_leaves: dict[int, bytes] = field(default_factory=dict)
    checked: int = 0

    def __post_init__(self) -> None:
        for item in self.held:
            self.by_size.setdefault(item.checkpoint.size, []).append(item)
            if item.index is not None:
                self.by_index.setdefault(item.index, []).append(item)

    def check_size(self, served_size: int) -> None:
        """Rule 1: nothing held is larger than the served checkpoint (and a held empty
        tree, which no replayed entry reaches, is checked here against the empty root)."""
        for item in self.by_size.get(0, ()):
            if item.checkpoint.root_hash != merkle.root_hash(0, {}):
                raise EvidenceError(
                    f"evidence {item.name}: not the empty tree's root", file=item.name
                )
            self.checked += 1
        for item in self.held:
            if item.checkpoint.size > served_size:
                raise LogFault(
                    f"evidence {item.name}: a {item.kind} of size {item.checkpoint.size} signed "
                    f"by the log, but the log now serves a checkpoint of size {served_size}: it "
                    "was rolled back or is showing another history",
                    fault="checkpoint_beyond_log",
                    evidence=item.name,
                    held_size=item.checkpoint.size,
                    served_size=served_size,
                )

    def after_entry(self, replayer: LogReplayer) -> None:
        """Rules 2 and 3 at the entry just replayed (``replayer.size - 1``)."""
        seq = replayer.size - 1
        for item in self.by_index.get(seq, ()):
            if item.leaf_hash is not None and item.leaf_hash != replayer.last_leaf:
                raise LogFault(
                    f"evidence {item.name}: the receipt is for entry {seq} with leaf hash "
                    f"{item.leaf_hash.hex()}, but the log's entry {seq} has leaf hash "
                    f"{replayer.last_leaf.hex()}: the entry was replaced",
                    fault="receipt_contradicted",
                    evidence=item.name,
                    seq=seq,
                )
            self.served_leaves[seq] = replayer.last_leaf
        for item in self.by_size.get(replayer.size, ()):
            self._check_at_size(item, replayer)

    def _check_at_size(self, item: HeldEvidence, replayer: LogReplayer) -> None:
        root = replayer.root()
        if root != item.checkpoint.root_hash:
            raise LogFault(
                f"evidence {item.name}: the log signed a checkpoint of size "
                f"{item.checkpoint.size} with root {item.checkpoint.root_hash.hex()}, but the "
                f"entries it serves now hash to {root.hex()} at that size: history was "
                "rewritten",
                fault="checkpoint_contradicted",
                evidence=item.name,
                held_size=item.checkpoint.size,
            )
        if item.index is not None:
            try:
                merkle.verify_inclusion(
                    self.served_leaves[item.index],
                    item.index,
                    item.checkpoint.size,
                    item.inclusion,
                    item.checkpoint.root_hash,
                )
            except TerangError as exc:
                # The served tree at this size IS the one the log signed (the roots
                # agree), so a path that fails for its leaf is a bad file, not a bad log.
                raise EvidenceError(
                    f"evidence {item.name}: its inclusion path does not fit the tree its own "
                    f"checkpoint signs: {exc.message}",
                    file=item.name,
                ) from exc
        self.checked += 1
