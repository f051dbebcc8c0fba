"""C2SP signed notes (c2sp.org/signed-note) with Ed25519 and cosignature/v1 keys.

Pure: no I/O, no clock. A note is a text ending in a newline, a blank line, and one
or more signature lines ``— <name> <base64(key id || signature)>``. Two key types:

* ``0x01`` Ed25519 (``Signer``/``Verifier``): the signature is Ed25519 over the text.
* ``0x04`` cosignature/v1 (``CosignatureSigner``/``CosignatureVerifier``,
  c2sp.org/tlog-cosignature): the signature is ``timestamp (u64 BE) || Ed25519 sig``
  over ``"cosignature/v1\\ntime <T>\\n" || text``; the text is a checkpoint body.

Keys travel as the Go-compatible strings of golang.org/x/mod/sumdb/note:
``name+<8 hex key id>+base64(alg || public key)`` and
``PRIVATE+KEY+name+<8 hex key id>+base64(alg || seed)``.

Parsing is strict: canonical base64 only, ASCII decimals without leading zeros, no
stripping. Structural faults raise ``FormatError``; a signature by a known key that
does not verify, or a note with no verified signature, raises ``SignatureError``.
The helpers ``b64decode_strict`` and ``parse_decimal`` are shared by the other C2SP
modules (``checkpoint``, ``tiles``, ``tlog_proof``).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
import struct
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import ClassVar, Self

from nacl.exceptions import BadSignatureError
from nacl.signing import SigningKey, VerifyKey

from ledger.errors import ClientError, FormatError, SignatureError, require
from ledger.limits import COSIGNATURE_TIMESTAMP_MAX, NOTE_SIGNATURES_MAX

ALG_ED25519 = 0x01
"""Signature type byte of plain Ed25519 note signatures (c2sp.org/signed-note)."""
ALG_COSIGNATURE_V1 = 0x04
"""Signature type byte of timestamped Ed25519 cosignatures (c2sp.org/tlog-cosignature)."""

KEY_ID_BYTES = 4
PUBLIC_KEY_BYTES = 32
SEED_BYTES = 32
ED25519_SIGNATURE_BYTES = 64
TIMESTAMP_BYTES = 8
COSIGNATURE_V1_HEADER = "cosignature/v1\n"

SIGNATURE_PREFIX = "\u2014 "
"""Em dash (U+2014) and a space: how every signature line starts."""
_SEPARATOR = "\n\n"
_PRIVATE_PREFIX = ("PRIVATE", "KEY")
_DECIMAL = re.compile(r"0|[1-9][0-9]*")
_HEX_KEY_ID = re.compile(r"[0-9a-f]{8}")
_U64_DIGITS = 20


# ---------------------------------------------------------------------------
# Strict text helpers shared by the C2SP modules.


def b64decode_strict(text: str, what: str = "base64") -> bytes:
    """Decode standard padded base64, rejecting anything but the canonical encoding.

    ``base64.b64decode(validate=True)`` still accepts non-zero padding bits (``AB==``
    and ``AA==`` both give ``b"\\x00"``), so the result is re-encoded and compared.
    """
    try:
        raw = base64.b64decode(text.encode("ascii"), validate=True)
    except (UnicodeEncodeError, binascii.Error, ValueError) as exc:
        raise FormatError(f"{what}: not valid base64", value=text[:120]) from exc
    require(
        base64.b64encode(raw).decode("ascii") == text,
        FormatError(f"{what}: non-canonical base64", value=text[:120]),
    )
    return raw


def b64encode(data: bytes) -> str:
    """Standard padded base64 (RFC 4648 section 4) as ``str``."""
    return base64.b64encode(data).decode("ascii")


def parse_decimal(text: str, what: str = "number", max_value: int = 2**64 - 1) -> int:
    """An ASCII decimal with no leading zeros (``0`` itself is fine), at most ``max_value``.

    Unlike ``int()`` this refuses signs, whitespace, underscores and non-ASCII digits.
    """
    require(
        len(text) <= _U64_DIGITS and _DECIMAL.fullmatch(text) is not None,
        FormatError(f"{what}: not a canonical ASCII decimal", value=text[:40]),
    )
    value = int(text)
    require(value <= max_value, FormatError(f"{what}: {value} exceeds {max_value}"))
    return value


def is_valid_key_name(name: str) -> bool:
    """SPEC: signed-note: key names are non-empty, without Unicode spaces or ``+``.

    Also refuses control characters (a note may not contain them) and unpaired
    surrogates (not encodable as UTF-8).
    """
    if not name or not _is_utf8(name):
        return False
    return not any(
        ch == "+" or ch.isspace() or ord(ch) < 0x20 or unicodedata.category(ch).startswith("Z")
        for ch in name
    )


def _is_utf8(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _check_name(name: str) -> None:
    require(
        isinstance(name, str) and is_valid_key_name(name),
        FormatError("key name must be non-empty, without spaces or '+'", name=repr(name)[:120]),
    )


def check_note_text(text: str, what: str = "note") -> None:
    """SPEC: signed-note: valid UTF-8 with no control characters other than newline."""
    require(_is_utf8(text), FormatError(f"{what}: not valid UTF-8"))
    bad = next((ch for ch in text if ord(ch) < 0x20 and ch != "\n"), None)
    require(bad is None, FormatError(f"{what}: control character {bad!r} not allowed"))


# ---------------------------------------------------------------------------
# Keys.


def key_id(name: str, public_key: bytes, alg: int = ALG_ED25519) -> bytes:
    """SPEC: signed-note: ``SHA-256(name || 0x0A || alg || public key)[:4]``."""
    material = name.encode("utf-8") + b"\n" + bytes([alg]) + public_key
    return hashlib.sha256(material).digest()[:KEY_ID_BYTES]


def _encode_vkey(name: str, kid: bytes, alg: int, public_key: bytes) -> str:
    return f"{name}+{kid.hex()}+{b64encode(bytes([alg]) + public_key)}"


def _encode_skey(name: str, kid: bytes, alg: int, seed: bytes) -> str:
    return f"PRIVATE+KEY+{name}+{kid.hex()}+{b64encode(bytes([alg]) + seed)}"


@dataclass(frozen=True)
class _NoteKey:
    """What every note verifier holds: name, 4-byte key id, 32-byte Ed25519 public key."""

    name: str
    key_id: bytes
    public_key: bytes
    alg: ClassVar[int]

    def __post_init__(self) -> None:
        _check_name(self.name)
        require(
            isinstance(self.public_key, bytes) and len(self.public_key) == PUBLIC_KEY_BYTES,
            FormatError("Ed25519 public key must be 32 bytes"),
        )
        require(
            self.key_id == key_id(self.name, self.public_key, self.alg),
            FormatError("key id does not match key name and public key", name=self.name),
        )

    @classmethod
    def from_public_key(cls, name: str, public_key: bytes) -> Self:
        return cls(name, key_id(name, public_key, cls.alg), public_key)

    def verifier_key(self) -> str:
        """The vkey string ``name+<hex key id>+base64(alg || public key)``."""
        return _encode_vkey(self.name, self.key_id, self.alg, self.public_key)


@dataclass(frozen=True)
class Verifier(_NoteKey):
    """An Ed25519 (type 0x01) note verifier."""

    alg: ClassVar[int] = ALG_ED25519

    def verify(self, text: str, signature: bytes) -> bool:
        """Whether ``signature`` (64 bytes, no key id) is valid over the note text."""
        if len(signature) != ED25519_SIGNATURE_BYTES:
            return False
        try:
            VerifyKey(self.public_key).verify(text.encode("utf-8"), signature)
        except (BadSignatureError, UnicodeEncodeError):
            return False
        return True

    def verify_bytes(self, message: bytes, signature: bytes) -> bool:
        """Whether ``signature`` is a valid Ed25519 signature over raw ``message`` bytes
        (a domain-separated message, never a note text: see ``ledger.log_keys``)."""
        if len(signature) != ED25519_SIGNATURE_BYTES:
            return False
        try:
            VerifyKey(self.public_key).verify(message, signature)
        except BadSignatureError:
            return False
        return True


@dataclass(frozen=True)
class CosignatureVerifier(_NoteKey):
    """A cosignature/v1 (type 0x04) verifier."""

    alg: ClassVar[int] = ALG_COSIGNATURE_V1

    def verify_cosignature(self, checkpoint_body: str, signature: bytes) -> int:
        """Check ``timestamp (8) || sig (64)`` over the body; return the timestamp.

        Raises ``SignatureError`` if the signature is malformed or does not verify.
        """
        require(
            len(signature) == TIMESTAMP_BYTES + ED25519_SIGNATURE_BYTES,
            SignatureError("cosignature/v1 signature must be 72 bytes", name=self.name),
        )
        (timestamp,) = struct.unpack(">Q", signature[:TIMESTAMP_BYTES])
        require(
            timestamp <= COSIGNATURE_TIMESTAMP_MAX,
            SignatureError("cosignature timestamp exceeds 2^63-1", name=self.name),
        )
        message = cosignature_message(checkpoint_body, timestamp)
        try:
            VerifyKey(self.public_key).verify(message, signature[TIMESTAMP_BYTES:])
        except BadSignatureError as exc:
            raise SignatureError("cosignature does not verify", name=self.name) from exc
        return int(timestamp)


AnyVerifier = Verifier | CosignatureVerifier


@dataclass(frozen=True)
class _NoteSigner:
    """What every note signer holds: a key name and an Ed25519 signing key."""

    name: str
    signing_key: SigningKey = field(repr=False)
    alg: ClassVar[int]

    def __post_init__(self) -> None:
        _check_name(self.name)
        require(
            isinstance(self.signing_key, SigningKey),
            FormatError("signing_key must be a nacl.signing.SigningKey"),
        )

    @property
    def public_key(self) -> bytes:
        return bytes(self.signing_key.verify_key)

    @property
    def key_id(self) -> bytes:
        return key_id(self.name, self.public_key, self.alg)

    def verifier_key(self) -> str:
        return _encode_vkey(self.name, self.key_id, self.alg, self.public_key)

    def private_key(self) -> str:
        """The secret skey string ``PRIVATE+KEY+name+<hex key id>+base64(alg || seed)``."""
        return _encode_skey(self.name, self.key_id, self.alg, bytes(self.signing_key))


@dataclass(frozen=True)
class Signer(_NoteSigner):
    """An Ed25519 (type 0x01) note signer, as the log signs its checkpoints."""

    alg: ClassVar[int] = ALG_ED25519

    def verifier(self) -> Verifier:
        return Verifier(self.name, self.key_id, self.public_key)

    def sign(self, text: str) -> Signature:
        """The note signature over ``text`` (Ed25519 is deterministic)."""
        check_note_text(text, "note text")
        sig = self.signing_key.sign(text.encode("utf-8")).signature
        return Signature(self.name, self.key_id, bytes(sig))


@dataclass(frozen=True)
class CosignatureSigner(_NoteSigner):
    """A cosignature/v1 (type 0x04) signer, as run by a witness."""

    alg: ClassVar[int] = ALG_COSIGNATURE_V1

    def verifier(self) -> CosignatureVerifier:
        return CosignatureVerifier(self.name, self.key_id, self.public_key)

    def cosign(self, checkpoint_body: str, timestamp: int) -> Signature:
        """The cosignature/v1 note signature: ``timestamp (u64 BE) || Ed25519 sig``."""
        message = cosignature_message(checkpoint_body, timestamp)
        sig = self.signing_key.sign(message).signature
        return Signature(self.name, self.key_id, struct.pack(">Q", timestamp) + bytes(sig))


AnySigner = Signer | CosignatureSigner


def cosignature_message(checkpoint_body: str, timestamp: int) -> bytes:
    """SPEC: tlog-cosignature: ``cosignature/v1\\ntime <T>\\n`` then the checkpoint body.

    The body is the whole note text including its final newline and any extension
    lines. Like the Go reference this only checks the body has three lines; parse it
    with ``ledger.checkpoint.Checkpoint.parse`` for the full rules.
    """
    require(
        isinstance(timestamp, int) and 0 <= timestamp <= COSIGNATURE_TIMESTAMP_MAX,
        FormatError("cosignature timestamp must be an integer in 0..2^63-1"),
    )
    check_note_text(checkpoint_body, "checkpoint body")
    require(
        checkpoint_body.endswith("\n") and checkpoint_body.count("\n") >= 3,
        FormatError("cosigned text must be a checkpoint body of at least three lines"),
    )
    return f"{COSIGNATURE_V1_HEADER}time {timestamp}\n{checkpoint_body}".encode()


def generate_signer(name: str) -> Signer:
    """A fresh Ed25519 note signer (the key comes from libsodium's CSPRNG)."""
    return Signer(name, SigningKey.generate())


def generate_cosigner(name: str) -> CosignatureSigner:
    """A fresh cosignature/v1 signer."""
    return CosignatureSigner(name, SigningKey.generate())


def _split_key(text: str, parts: int, what: str) -> list[str]:
    pieces = text.split("+", parts - 1)
    require(len(pieces) == parts, FormatError(f"{what}: expected {parts} '+'-separated parts"))
    return pieces


def _key_id_hex(text: str, what: str) -> bytes:
    require(
        _HEX_KEY_ID.fullmatch(text) is not None,
        FormatError(f"{what}: key id must be 8 lowercase hex digits", value=text[:40]),
    )
    return bytes.fromhex(text)


def parse_verifier_key(vkey: str) -> AnyVerifier:
    """Decode a vkey string; type 0x01 gives a ``Verifier``, 0x04 a ``CosignatureVerifier``.

    The key id in the string must equal the one computed from name and key.
    """
    name, kid_hex, key64 = _split_key(vkey, 3, "verifier key")
    _check_name(name)
    kid = _key_id_hex(kid_hex, "verifier key")
    key = b64decode_strict(key64, "verifier key")
    require(
        len(key) == 1 + PUBLIC_KEY_BYTES,
        FormatError("verifier key: expected a type byte and a 32-byte Ed25519 key"),
    )
    alg, public_key = key[0], key[1:]
    cls: type[Verifier] | type[CosignatureVerifier]
    if alg == ALG_ED25519:
        cls = Verifier
    elif alg == ALG_COSIGNATURE_V1:
        cls = CosignatureVerifier
    else:
        raise FormatError(f"verifier key: unsupported signature type 0x{alg:02x}")
    require(
        kid == key_id(name, public_key, alg),
        FormatError("verifier key: key id does not match name and key", name=name),
    )
    return cls(name, kid, public_key)


def parse_private_key(skey: str) -> AnySigner:
    """Decode a ``PRIVATE+KEY+...`` string; type 0x01 gives a ``Signer``, 0x04 a cosigner."""
    priv, key_word, name, kid_hex, key64 = _split_key(skey, 5, "private key")
    require(
        (priv, key_word) == _PRIVATE_PREFIX,
        FormatError("private key must start with PRIVATE+KEY+"),
    )
    _check_name(name)
    kid = _key_id_hex(kid_hex, "private key")
    key = b64decode_strict(key64, "private key")
    require(
        len(key) == 1 + SEED_BYTES,
        FormatError("private key: expected a type byte and a 32-byte Ed25519 seed"),
    )
    alg, seed = key[0], key[1:]
    signing_key = SigningKey(seed)
    signer: AnySigner
    if alg == ALG_ED25519:
        signer = Signer(name, signing_key)
    elif alg == ALG_COSIGNATURE_V1:
        signer = CosignatureSigner(name, signing_key)
    else:
        raise FormatError(f"private key: unsupported signature type 0x{alg:02x}")
    require(
        signer.key_id == kid,
        FormatError("private key: key id does not match name and derived public key"),
    )
    return signer


# ---------------------------------------------------------------------------
# Notes.


@dataclass(frozen=True)
class Signature:
    """One signature line: key name, 4-byte key id and the signature bytes after it."""

    name: str
    key_id: bytes
    signature: bytes

    def __post_init__(self) -> None:
        _check_name(self.name)
        require(len(self.key_id) == KEY_ID_BYTES, FormatError("key id must be 4 bytes"))
        require(len(self.signature) > 0, FormatError("signature must not be empty"))

    @property
    def line(self) -> str:
        """``— <name> <base64(key id || signature)>\\n``."""
        return f"{SIGNATURE_PREFIX}{self.name} {b64encode(self.key_id + self.signature)}\n"

    @classmethod
    def parse_line(cls, line: str) -> Signature:
        """Parse one signature line without its newline."""
        require(
            line.startswith(SIGNATURE_PREFIX),
            FormatError("signature line must start with an em dash and a space"),
        )
        name, sep, sig64 = line[len(SIGNATURE_PREFIX) :].partition(" ")
        require(sep == " " and sig64 != "", FormatError("signature line: missing signature"))
        _check_name(name)
        raw = b64decode_strict(sig64, "signature")
        require(
            len(raw) > KEY_ID_BYTES,
            FormatError("signature: shorter than a key id and one byte", name=name),
        )
        return cls(name, raw[:KEY_ID_BYTES], raw[KEY_ID_BYTES:])


@dataclass(frozen=True)
class Verification:
    """A signature that verified, by which verifier, and its cosignature timestamp."""

    verifier: AnyVerifier
    signature: Signature
    timestamp: int | None = None
    """POSIX seconds of a cosignature/v1; None for plain Ed25519 signatures."""


@dataclass(frozen=True)
class Note:
    """An opened note: the text, every signature line in order, and what verified."""

    text: str
    signatures: tuple[Signature, ...]
    verified: tuple[Verification, ...] = ()

    def to_text(self) -> str:
        """The note exactly as it was parsed."""
        return self.text + "\n" + "".join(sig.line for sig in self.signatures)

    @property
    def unverified(self) -> tuple[Signature, ...]:
        """Signatures by keys that were not given to ``open_note`` (kept, not trusted)."""
        done = {(v.signature.name, v.signature.key_id) for v in self.verified}
        return tuple(s for s in self.signatures if (s.name, s.key_id) not in done)

    def verified_by(self, verifier: AnyVerifier) -> bool:
        return any(v.verifier == verifier for v in self.verified)

    def timestamp(self, verifier: CosignatureVerifier) -> int | None:
        """The cosignature timestamp of ``verifier``, or None if it did not cosign."""
        return next((v.timestamp for v in self.verified if v.verifier == verifier), None)


def split_note(note: str | bytes, *, max_signatures: int = NOTE_SIGNATURES_MAX) -> Note:
    """Parse a note's structure without verifying anything (``verified`` is empty).

    SPEC: signed-note: the text is separated from the signatures by the last empty
    line; the text keeps its final newline; there is at least one signature line.
    """
    if isinstance(note, bytes):
        try:
            note = note.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise FormatError("note: not valid UTF-8") from exc
    check_note_text(note)
    split = note.rfind(_SEPARATOR)
    require(split >= 0, FormatError("note: no blank line before the signatures"))
    text, block = note[: split + 1], note[split + 2 :]
    require(
        block != "" and block.endswith("\n"),
        FormatError("note: signature block must be non-empty and end with a newline"),
    )
    lines = block[:-1].split("\n")
    require(
        len(lines) <= max_signatures,
        FormatError(f"note: more than {max_signatures} signatures", count=len(lines)),
    )
    return Note(text, tuple(Signature.parse_line(line) for line in lines))


def open_note(
    note: str | bytes,
    verifiers: Sequence[AnyVerifier],
    *,
    max_signatures: int = NOTE_SIGNATURES_MAX,
) -> Note:
    """Parse and verify a note against trusted ``verifiers``.

    SPEC: signed-note: signatures are matched on (name, key id); others are ignored
    but kept in ``Note.signatures``. Every signature by a known key must verify
    (``SignatureError`` otherwise, rejecting the whole note), and at least one must.
    Each verifier is listed once in ``Note.verified`` (its first signature).
    """
    parsed = split_note(note, max_signatures=max_signatures)
    known: dict[tuple[str, bytes], AnyVerifier] = {}
    for verifier in verifiers:
        ident = (verifier.name, verifier.key_id)
        require(
            known.setdefault(ident, verifier) == verifier,
            ClientError("two verifiers share a key name and key id", name=verifier.name),
        )
    verified: dict[tuple[str, bytes], Verification] = {}
    for sig in parsed.signatures:
        ident = (sig.name, sig.key_id)
        match = known.get(ident)
        if match is None:
            continue
        timestamp: int | None = None
        if isinstance(match, CosignatureVerifier):
            timestamp = match.verify_cosignature(parsed.text, sig.signature)
        else:
            require(
                match.verify(parsed.text, sig.signature),
                SignatureError("note signature does not verify", name=sig.name),
            )
        verified.setdefault(ident, Verification(match, sig, timestamp))
    require(bool(verified), SignatureError("note has no signature by a known key"))
    return Note(parsed.text, parsed.signatures, tuple(verified.values()))


def sign_note(
    text: str,
    signers: Sequence[AnySigner],
    *,
    timestamp: int | None = None,
) -> str:
    """Sign ``text`` (which must end in a newline) with each signer, in order.

    ``timestamp`` (POSIX seconds) is required when a ``CosignatureSigner`` is given.
    """
    check_note_text(text, "note text")
    require(text.endswith("\n"), FormatError("note text must end with a newline"))
    require(len(signers) > 0, FormatError("a note needs at least one signer"))
    require(len(signers) <= NOTE_SIGNATURES_MAX, FormatError("too many signers"))
    sigs: list[Signature] = []
    for signer in signers:
        if isinstance(signer, CosignatureSigner):
            if timestamp is None:
                raise ClientError("a cosignature signer needs a timestamp", name=signer.name)
            sigs.append(signer.cosign(text, timestamp))
        else:
            sigs.append(signer.sign(text))
    return Note(text, tuple(sigs)).to_text()


def add_signatures(note: str, signatures: Sequence[Signature]) -> str:
    """Append signature lines to a note (a witness adding its cosignature, say).

    An existing signature with the same (name, key id) as a new one is replaced; the
    others keep their order. Nothing is verified here.
    """
    parsed = split_note(note)
    new = {(s.name, s.key_id) for s in signatures}
    kept = tuple(s for s in parsed.signatures if (s.name, s.key_id) not in new)
    merged = kept + tuple(signatures)
    require(len(merged) <= NOTE_SIGNATURES_MAX, FormatError("too many signatures"))
    return Note(parsed.text, merged).to_text()
