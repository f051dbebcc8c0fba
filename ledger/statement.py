"""Signed statements and logged entries: their fields, limits, bytes and signatures.

A *statement* is what a client signs::

    {"type": "budget.appropriation.posted", "subject": "<budget line>",
     "signer": "<key id, 64 hex>", "time": "<UTC ISO 8601, Z>",
     "nonce": "<16-64 chars [A-Za-z0-9_-]>", "body": {...}}

Its signature is Ed25519 over the *signing message*::

    v2 (written now): "terang.statement.v2" 0x00 || origin (UTF-8) || 0x00 || JCS(statement)
    v1 (legacy):      "terang.statement.v1" 0x00 || JCS(statement)

The domain prefix keeps a statement signature from ever being valid as anything else
(a checkpoint note, a cosignature); the origin (the log's checkpoint origin line) binds
it to one log, so a statement signed for log A never verifies in log B, and since the
two prefixes differ a v2 signature never verifies as v1. A *logged entry* is what the
log stores::

    {"v": 2, "seq": n, "logged_at": "<UTC ISO 8601, Z>", "prev": "<hex leaf hash of n-1>",
     "statement": {...}, "signature": "<base64>"}

Its ``v`` says which signing message its signature is over: 2 the origin-bound one,
1 the legacy one (logs written before the origin binding). The writer only writes v2;
the verifier accepts v1 only before the first v2 entry of a log (no downgrade), so a
log begun at v2 never holds a v1 entry.

and its entry bytes are ``JCS(logged entry)``; the Merkle leaf is
``SHA-256(0x00 || entry bytes)``. Encodings are fixed per field: key ids and hashes
are lowercase hex, signatures and public keys are standard base64.

Checks run in this order, so the same bad input always yields the same first error:
shape → field formats and lengths → canonical size → clock skew → signature.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property
from typing import Any

from nacl.exceptions import BadSignatureError
from nacl.signing import SigningKey, VerifyKey

from ledger.canonical import canonical_bytes
from ledger.errors import ClientError, FormatError, PayloadTooLarge, SignatureError
from ledger.limits import Limits
from ledger.merkle import leaf_hash

STATEMENT_SIGNATURE_DOMAIN = b"terang.statement.v2\x00"
"""The signing-message prefix of v2 entries; the origin and a 0x00 follow it."""
STATEMENT_SIGNATURE_DOMAIN_V1 = b"terang.statement.v1\x00"
"""The legacy prefix (entry ``v`` 1): not bound to a log. Verified, never written."""
ENTRY_FORMAT_VERSION = 2
"""The entry format the writer writes (and the signing message its signatures use)."""
ENTRY_FORMAT_VERSIONS = frozenset({1, 2})
ZERO_HASH = bytes(32)

STATEMENT_FIELDS = frozenset({"type", "subject", "signer", "time", "nonce", "body"})
TYPE_PATTERN = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$")
SUBJECT_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:/@+-]*$")
NONCE_PATTERN = re.compile(r"^[A-Za-z0-9_-]+$")
KEY_ID_PATTERN = re.compile(r"^[0-9a-f]{64}$")
TIME_PATTERN = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$")


def key_id_of(public_key: bytes) -> str:
    """A signer's key id: lowercase hex SHA-256 of its raw 32-byte Ed25519 public key."""
    if len(public_key) != 32:
        raise ClientError("an Ed25519 public key is 32 bytes", code="bad_public_key")
    return hashlib.sha256(public_key).hexdigest()


def format_time(moment: datetime) -> str:
    """UTC ISO 8601 with millisecond precision and a ``Z``: the one time format we write."""
    utc = moment.astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


def parse_time(text: str, *, field: str = "time") -> datetime:
    """Strict UTC ISO 8601 ``YYYY-MM-DDTHH:MM:SS[.ffffff]Z``."""
    if not isinstance(text, str) or not TIME_PATTERN.fullmatch(text):
        raise ClientError(
            f"{field} must be UTC ISO 8601 like 2026-01-31T08:00:00Z", code="bad_time", field=field
        )
    try:
        return datetime.fromisoformat(text[:-1] + "+00:00")
    except ValueError as exc:
        raise ClientError(f"{field}: {exc}", code="bad_time", field=field) from exc


def b64encode(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def b64decode_strict(text: str, *, field: str) -> bytes:
    """Standard base64, canonical (re-encoding gives the same text), or ``ClientError``."""
    try:
        raw = base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError, AttributeError) as exc:
        raise ClientError(f"{field} is not valid base64", code="bad_base64", field=field) from exc
    if b64encode(raw) != text:
        raise ClientError(f"{field} is not canonical base64", code="bad_base64", field=field)
    return raw


@dataclass(frozen=True)
class Statement:
    """A client's statement, validated for shape and limits (not yet for signature)."""

    type: str
    subject: str
    signer: str
    time: str
    nonce: str
    body: dict[str, Any]

    def to_json(self) -> dict[str, Any]:
        return {
            "type": self.type,
            "subject": self.subject,
            "signer": self.signer,
            "time": self.time,
            "nonce": self.nonce,
            "body": self.body,
        }

    @cached_property
    def _canonical(self) -> bytes:
        return canonical_bytes(self.to_json())

    def canonical(self) -> bytes:
        """JCS bytes (computed once: a statement is immutable once validated)."""
        return self._canonical

    def signing_message(self, *, origin: str, version: int = ENTRY_FORMAT_VERSION) -> bytes:
        """The bytes a signature covers in an entry of format ``version`` of log ``origin``."""
        if version == 1:
            return STATEMENT_SIGNATURE_DOMAIN_V1 + self.canonical()
        if version != 2:
            raise FormatError(f"unknown entry format version {version!r}")
        return STATEMENT_SIGNATURE_DOMAIN + origin_bytes(origin) + b"\x00" + self.canonical()

    @classmethod
    def from_json(cls, value: Any, limits: Limits) -> Statement:
        """Validate shape, formats and lengths; raise ``ClientError`` naming the field."""
        if not isinstance(value, dict):
            raise ClientError("statement must be a JSON object", code="bad_statement")
        missing = sorted(STATEMENT_FIELDS - value.keys())
        if missing:
            raise ClientError(
                f"statement is missing {', '.join(missing)}", code="missing_field", fields=missing
            )
        extra = sorted(value.keys() - STATEMENT_FIELDS)
        if extra:
            raise ClientError(
                f"statement has unknown field(s) {', '.join(extra)}",
                code="unknown_field",
                fields=extra,
            )
        _check_text(value["type"], "type", TYPE_PATTERN, 1, limits.type_chars_max)
        _check_text(value["subject"], "subject", SUBJECT_PATTERN, 1, limits.subject_chars_max)
        _check_text(value["signer"], "signer", KEY_ID_PATTERN, 64, 64)
        _check_text(
            value["nonce"], "nonce", NONCE_PATTERN, limits.nonce_chars_min, limits.nonce_chars_max
        )
        parse_time(value["time"])
        if not isinstance(value["body"], dict):
            raise ClientError("body must be a JSON object", code="bad_body", field="body")
        # The body's values are checked (no floats, safe integers) by canonical() below.
        statement = cls(
            type=value["type"],
            subject=value["subject"],
            signer=value["signer"],
            time=value["time"],
            nonce=value["nonce"],
            body=value["body"],
        )
        size = len(statement.canonical())
        if size > limits.statement_bytes_max:
            raise PayloadTooLarge(
                f"statement is {size} canonical bytes; the limit is {limits.statement_bytes_max}."
                " Put documents outside the log and log their SHA-256.",
                code="statement_too_large",
                size_bytes=size,
                limit_bytes=limits.statement_bytes_max,
            )
        return statement


def origin_bytes(origin: str) -> bytes:
    """A log origin as it enters a signing message: non-empty UTF-8 with no 0x00.

    The 0x00 after it ends the origin unambiguously (an origin is one checkpoint
    line, so it never holds a control character; this holds the message to that).
    """
    if not isinstance(origin, str) or origin == "" or "\x00" in origin or "\n" in origin:
        raise ClientError("a log origin is one non-empty line of text", code="bad_origin")
    return origin.encode("utf-8")


def _check_text(value: Any, field: str, pattern: re.Pattern[str], low: int, high: int) -> None:
    if not isinstance(value, str):
        raise ClientError(f"{field} must be a string", code="bad_field", field=field)
    if not low <= len(value) <= high:
        raise ClientError(
            f"{field} must be {low} to {high} characters, got {len(value)}",
            code="field_length",
            field=field,
        )
    if not pattern.fullmatch(value):
        raise ClientError(
            f"{field} {value!r} does not match {pattern.pattern}", code="bad_field", field=field
        )


@dataclass(frozen=True)
class SignedStatement:
    statement: Statement
    signature: bytes

    def to_json(self) -> dict[str, Any]:
        return {"statement": self.statement.to_json(), "signature": b64encode(self.signature)}

    @classmethod
    def from_json(cls, value: Any, limits: Limits) -> SignedStatement:
        if not isinstance(value, dict) or set(value.keys()) != {"statement", "signature"}:
            raise ClientError(
                "a signed statement is an object with exactly 'statement' and 'signature'",
                code="bad_statement",
            )
        statement = Statement.from_json(value["statement"], limits)
        if not isinstance(value["signature"], str):
            raise ClientError("signature must be base64 text", code="bad_base64")
        signature = b64decode_strict(value["signature"], field="signature")
        if len(signature) != 64:
            raise ClientError("an Ed25519 signature is 64 bytes", code="bad_signature_length")
        return cls(statement, signature)

    def verify(
        self, public_key: bytes, *, origin: str, version: int = ENTRY_FORMAT_VERSION
    ) -> None:
        """Raise ``SignatureError`` unless the signature verifies under ``public_key``
        for log ``origin`` in an entry of format ``version``.

        A success is remembered on this (immutable) object for that key, origin and
        version, so a statement pre-verified in a request thread, in parallel with the
        sequencer, is not verified a second time inside the sequencer's transaction.
        """
        verified_under: set[tuple[bytes, str, int]] = self.__dict__.setdefault(
            "_verified_under", set()
        )
        if (public_key, origin, version) in verified_under:
            return
        message = self.statement.signing_message(origin=origin, version=version)
        try:
            VerifyKey(public_key).verify(message, self.signature)
        except BadSignatureError as exc:
            raise SignatureError(
                "statement signature does not verify under the signer's registered key"
                + ("" if version == 1 else f" for the log {origin!r}")
                + " (signed for another log, or altered)",
                code="bad_signature",
                signer=self.statement.signer,
                origin=origin,
            ) from exc
        verified_under.add((public_key, origin, version))


def sign_statement(
    statement: Statement, signing_key: SigningKey, *, origin: str
) -> SignedStatement:
    """Sign for the log ``origin`` on the client side: the private key never leaves the caller."""
    signature = signing_key.sign(statement.signing_message(origin=origin)).signature
    return SignedStatement(statement, bytes(signature))


@dataclass(frozen=True)
class LoggedEntry:
    """One entry of the log, as hashed into the Merkle tree."""

    seq: int
    logged_at: str
    prev: bytes
    signed: SignedStatement
    version: int = ENTRY_FORMAT_VERSION
    """The entry format ``v``: which signing message the signature is over."""

    def __post_init__(self) -> None:
        if type(self.version) is not int or self.version not in ENTRY_FORMAT_VERSIONS:
            raise FormatError(f"unknown entry format version {self.version!r}")

    def verify_signature(self, public_key: bytes, *, origin: str) -> None:
        """The statement signature, checked under this entry's format for log ``origin``."""
        self.signed.verify(public_key, origin=origin, version=self.version)

    def to_json(self) -> dict[str, Any]:
        return {
            "v": self.version,
            "seq": self.seq,
            "logged_at": self.logged_at,
            "prev": self.prev.hex(),
            "statement": self.signed.statement.to_json(),
            "signature": b64encode(self.signed.signature),
        }

    def entry_bytes(self) -> bytes:
        """The entry's bytes (computed once; a logged entry is immutable)."""
        return self._entry_bytes

    @cached_property
    def _entry_bytes(self) -> bytes:
        """JCS bytes of ``to_json()``, assembled around the statement's cached bytes.

        JCS serialises a nested object independently of its parent, and the entry's
        own keys are fixed ASCII names, so splicing the already-canonical statement
        into the sorted outer object gives exactly ``canonical_bytes(to_json())``
        (a property test holds them equal) without walking the statement again.
        """
        # SPEC: RFC 8785 §3.2.3: keys sorted; these six are ASCII, so code-unit order.
        return b"".join(
            (
                b'{"logged_at":',
                canonical_bytes(self.logged_at),
                b',"prev":"',
                self.prev.hex().encode("ascii"),
                b'","seq":',
                str(self.seq).encode("ascii"),
                b',"signature":"',
                b64encode(self.signed.signature).encode("ascii"),
                b'","statement":',
                self.signed.statement.canonical(),
                b',"v":',
                str(self.version).encode("ascii"),
                b"}",
            )
        )

    def leaf_hash(self) -> bytes:
        return leaf_hash(self.entry_bytes())

    @classmethod
    def parse(cls, entry_bytes: bytes, limits: Limits) -> LoggedEntry:
        """Strict: the bytes must be exactly the canonical encoding of what they parse to."""
        from ledger.canonical import parse_json_object

        try:
            value = parse_json_object(entry_bytes)
            if set(value.keys()) != {"v", "seq", "logged_at", "prev", "statement", "signature"}:
                raise FormatError("entry fields are not the v1/v2 set")
            version = value["v"]
            if type(version) is not int or version not in ENTRY_FORMAT_VERSIONS:
                raise FormatError(f"unknown entry format version {version!r}")
            seq = value["seq"]
            if not isinstance(seq, int) or isinstance(seq, bool) or seq < 0:
                raise FormatError("seq must be a non-negative integer")
            parse_time(value["logged_at"], field="logged_at")
            prev_hex = value["prev"]
            if not isinstance(prev_hex, str) or not re.fullmatch(r"[0-9a-f]{64}", prev_hex):
                raise FormatError("prev must be 64 lowercase hex characters")
            signed = SignedStatement.from_json(
                {"statement": value["statement"], "signature": value["signature"]}, limits
            )
        except ClientError as exc:
            raise FormatError(f"entry does not parse: {exc.message}") from exc
        entry = cls(seq, value["logged_at"], bytes.fromhex(prev_hex), signed, version)
        if entry.entry_bytes() != entry_bytes:
            raise FormatError("entry bytes are not in canonical (RFC 8785) form")
        return entry
