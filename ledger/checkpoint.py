"""C2SP transparency log checkpoints (c2sp.org/tlog-checkpoint), byte-exact.

A checkpoint is a signed note whose text is::

    <origin>\\n
    <tree size, ASCII decimal, no leading zeros>\\n
    <base64 RFC 6962 root hash>\\n
    [<extension line>\\n ...]

Pure: no I/O. ``Checkpoint.parse`` is strict and ``parse(to_text(c)) == c`` and
``parse(t).to_text() == t`` hold for every accepted value.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ledger.errors import FormatError, SignatureError, require
from ledger.limits import HASH_BYTES, TREE_SIZE_MAX
from ledger.note import (
    AnyVerifier,
    Note,
    Signer,
    Verifier,
    b64decode_strict,
    b64encode,
    check_note_text,
    open_note,
    parse_decimal,
    sign_note,
)


def _check_line(line: str, what: str) -> None:
    require(
        isinstance(line, str) and line != "",
        FormatError(f"checkpoint {what} must be a non-empty string"),
    )
    require("\n" not in line, FormatError(f"checkpoint {what} must be one line"))
    check_note_text(line, f"checkpoint {what}")


@dataclass(frozen=True)
class Checkpoint:
    """A log's tree head: origin, tree size, root hash and opaque extension lines."""

    origin: str
    size: int
    root_hash: bytes
    extensions: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        _check_line(self.origin, "origin")
        require(
            type(self.size) is int and 0 <= self.size <= TREE_SIZE_MAX,
            FormatError("checkpoint size must be an integer in 0..2^64-1"),
        )
        require(
            isinstance(self.root_hash, bytes) and len(self.root_hash) == HASH_BYTES,
            FormatError("checkpoint root hash must be 32 bytes"),
        )
        require(
            isinstance(self.extensions, tuple),
            FormatError("checkpoint extensions must be a tuple of lines"),
        )
        for line in self.extensions:
            _check_line(line, "extension line")

    def to_text(self) -> str:
        """The note body: origin, size, root and extension lines, each ending in a newline."""
        lines = (self.origin, str(self.size), b64encode(self.root_hash), *self.extensions)
        return "".join(line + "\n" for line in lines)

    @classmethod
    def parse(cls, text: str) -> Checkpoint:
        """Strictly parse a checkpoint body (the note text, final newline included)."""
        require(isinstance(text, str), FormatError("checkpoint must be text"))
        check_note_text(text, "checkpoint")
        require(text.endswith("\n"), FormatError("checkpoint must end with a newline"))
        lines = text[:-1].split("\n")
        require(len(lines) >= 3, FormatError("checkpoint needs origin, size and root hash"))
        origin, size_text, root_text, *extensions = lines
        require(origin != "", FormatError("checkpoint origin must not be empty"))
        size = parse_decimal(size_text, "checkpoint size", TREE_SIZE_MAX)
        root = b64decode_strict(root_text, "checkpoint root hash")
        require(len(root) == HASH_BYTES, FormatError("checkpoint root hash must be 32 bytes"))
        require(
            all(line != "" for line in extensions),
            FormatError("checkpoint extension lines must not be empty"),
        )
        return cls(origin, size, root, tuple(extensions))


def sign_checkpoint(cp: Checkpoint, signer: Signer) -> str:
    """The checkpoint as a signed note, signed by the log's Ed25519 key."""
    return sign_note(cp.to_text(), [signer])


def open_checkpoint_note(
    note_text: str | bytes,
    origin: str,
    log_verifier: AnyVerifier,
    *,
    witnesses: Sequence[AnyVerifier] = (),
    min_witnesses: int = 0,
) -> tuple[Checkpoint, Note]:
    """Verify a signed checkpoint and return it with the opened note.

    The log's own signature must be present and valid; so must every signature by a
    given witness, and at least ``min_witnesses`` distinct witnesses must have
    signed. The origin line must equal ``origin``. Unknown signatures are ignored.
    """
    note = open_note(note_text, [log_verifier, *witnesses])
    require(
        note.verified_by(log_verifier),
        SignatureError("checkpoint is not signed by the log", name=log_verifier.name),
    )
    cp = Checkpoint.parse(note.text)
    require(
        cp.origin == origin,
        SignatureError("checkpoint origin is not the expected one", origin=cp.origin[:200]),
    )
    witnessed = {
        (v.verifier.name, v.verifier.key_id) for v in note.verified if v.verifier != log_verifier
    }
    require(
        len(witnessed) >= min_witnesses,
        SignatureError(
            "checkpoint has too few witness cosignatures",
            have=len(witnessed),
            need=min_witnesses,
        ),
    )
    return cp, note


def open_checkpoint(
    note_text: str | bytes,
    origin: str,
    log_verifier: AnyVerifier,
    *,
    witnesses: Sequence[AnyVerifier] = (),
    min_witnesses: int = 0,
) -> Checkpoint:
    """Verify a signed checkpoint (see ``open_checkpoint_note``) and return it."""
    cp, _ = open_checkpoint_note(
        note_text, origin, log_verifier, witnesses=witnesses, min_witnesses=min_witnesses
    )
    return cp


def open_checkpoint_any(
    note_text: str | bytes, origin: str, log_verifiers: Sequence[Verifier]
) -> Checkpoint:
    """Verify a checkpoint signed by at least one of a log's keys (across a rotation,
    ``ledger.log_keys``): every signature by a listed key must verify, one must be there.

    Which key must sign which tree size is the verifier's business (``audit.verifier``);
    this only says the note is this log's.
    """
    require(len(log_verifiers) > 0, SignatureError("no log key to verify the checkpoint with"))
    note = open_note(note_text, list(log_verifiers))
    cp = Checkpoint.parse(note.text)
    require(
        cp.origin == origin,
        SignatureError("checkpoint origin is not the expected one", origin=cp.origin[:200]),
    )
    return cp
