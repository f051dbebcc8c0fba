"""The sealed-bid construction: pure functions shared by vendors' clients and reducers.

Protocol (no trusted dealer; the vendor's client is the only party that ever holds a
bid key whole before the opening):

1. The client builds the bid *envelope*: RFC 8785 JSON of ``{"v": 1, "ocid", "bidder",
   "price", "documents": [{name, sha256}], "salt"}`` (``salt``: 32 random bytes,
   base64, so the envelope's hash reveals nothing about a low-entropy price).
2. It draws a fresh 32-byte key and encrypts the envelope with XSalsa20-Poly1305
   (PyNaCl ``SecretBox``, random 24-byte nonce prepended): the *ciphertext*.
3. It splits the key k-of-n with Shamir's scheme over GF(2^128) (pycryptodome shares
   16-byte secrets, so each 16-byte half is split separately with the same x
   coordinates): member i (1-based, committee order) gets ``x = i`` and the 32-byte
   share ``y_first_half || y_second_half``.
4. It seals each share to that member's registered X25519 key (``SealedBox``:
   ephemeral X25519 + XSalsa20-Poly1305), and commits to it publicly with
   ``SHA-256(SHARE_DOMAIN || ocid || 0x00 || bidder || 0x00 || member || 0x00 || x ||
   share)`` so that a released share can be checked by anyone.
5. The signed bid carries the ciphertext, its SHA-256, the envelope's SHA-256, and per
   member the sealed share and its commitment.

Opening: after the closing entry, each member opens its sealed shares with its own
X25519 key and publishes them; the reducer checks each against its commitment; with k
checked shares anyone reconstructs the key, decrypts, checks the envelope's hash and
binding (ocid, bidder) and reads the price. Guarantees: fewer than k shares say
nothing about the key (Shamir's threshold property); any change to the ciphertext is
detected by its logged hash and by Poly1305; a share that does not match its
commitment is refused. Limits: k members colluding *before* the closing can open bids
early — the threshold is the trust assumption, and the reason ``k >= 2``.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from typing import Any

from Crypto.Protocol.SecretSharing import Shamir
from nacl.exceptions import CryptoError
from nacl.public import PrivateKey, PublicKey, SealedBox
from nacl.secret import SecretBox

from budgeting.money import format_amount, parse_positive_amount
from ledger.canonical import canonical_bytes, parse_json_object
from ledger.errors import ClientError, TerangError
from ledger.statement import b64encode

ENVELOPE_VERSION = 1
KEY_BYTES = 32
SHARE_BYTES = 32
SALT_BYTES = 32
SEALED_SHARE_BYTES = SHARE_BYTES + 48
"""A SealedBox adds an ephemeral public key (32 bytes) and a Poly1305 tag (16)."""
CIPHERTEXT_BYTES_MAX = 8 * 1024
"""Inline ciphertext limit: keeps a bid statement well under the ledger's 16 KiB."""
COMMITTEE_MEMBERS_MAX = 9
SHARE_DOMAIN = b"terang.procurement.share.v1\x00"


class OpeningFailed(Exception):
    """A bid that cannot be opened; ``reason`` is a stable code shown as the result."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message


@dataclass(frozen=True)
class Share:
    x: int
    y: bytes  # 32 bytes


def share_commitment(ocid: str, bidder: str, member: str, share: Share) -> str:
    """Hex SHA-256 binding a share to its tender, bidder, member and x coordinate."""
    digest = hashlib.sha256()
    for part in (SHARE_DOMAIN, ocid.encode(), b"\x00", bidder.encode(), b"\x00"):
        digest.update(part)
    digest.update(member.encode() + b"\x00" + share.x.to_bytes(1, "big") + share.y)
    return digest.hexdigest()


def split_key(key: bytes, threshold: int, members: int) -> list[Share]:
    if len(key) != KEY_BYTES:
        raise ClientError("a bid key is 32 bytes", code="bad_key")
    if not 2 <= threshold <= members <= COMMITTEE_MEMBERS_MAX:
        raise ClientError(
            f"need 2 <= threshold <= members <= {COMMITTEE_MEMBERS_MAX}", code="bad_threshold"
        )
    first = Shamir.split(threshold, members, key[:16])
    second = Shamir.split(threshold, members, key[16:])
    shares = []
    for (x1, y1), (x2, y2) in zip(first, second, strict=True):
        if x1 != x2:
            raise TerangError("Shamir x coordinates differ between halves")
        shares.append(Share(int(x1), bytes(y1) + bytes(y2)))
    return shares


def combine_shares(shares: list[Share], threshold: int) -> bytes:
    """The key from at least ``threshold`` distinct shares; fewer opens nothing."""
    distinct = {s.x: s for s in shares}
    if len(distinct) < threshold:
        raise OpeningFailed(
            "not_enough_shares", f"{len(distinct)} distinct shares; {threshold} are needed"
        )
    chosen = [distinct[x] for x in sorted(distinct)[:threshold]]
    first = Shamir.combine([(s.x, s.y[:16]) for s in chosen])
    second = Shamir.combine([(s.x, s.y[16:]) for s in chosen])
    return bytes(first) + bytes(second)


def encrypt(key: bytes, plaintext: bytes) -> bytes:
    return bytes(SecretBox(key).encrypt(plaintext))


def decrypt(key: bytes, ciphertext: bytes) -> bytes:
    try:
        return bytes(SecretBox(key).decrypt(ciphertext))
    except CryptoError as exc:
        raise OpeningFailed(
            "decryption_failed", "the reconstructed key does not open the ciphertext"
        ) from exc


def seal_share(member_public_key: bytes, share: Share) -> bytes:
    return bytes(SealedBox(PublicKey(member_public_key)).encrypt(share.y))


def open_sealed_share(box_key: PrivateKey, sealed: bytes) -> bytes:
    try:
        opened = bytes(SealedBox(box_key).decrypt(sealed))
    except CryptoError as exc:
        raise ClientError(
            "this sealed share is not for this key", code="share_not_openable"
        ) from exc
    if len(opened) != SHARE_BYTES:
        raise ClientError("a share is 32 bytes", code="share_not_openable")
    return opened


def envelope_bytes(
    ocid: str, bidder: str, price_sen: int, documents: list[dict[str, str]], salt: bytes
) -> bytes:
    return canonical_bytes(
        {
            "v": ENVELOPE_VERSION,
            "ocid": ocid,
            "bidder": bidder,
            "price": format_amount(price_sen),
            "documents": documents,
            "salt": b64encode(salt),
        }
    )


def new_salt() -> bytes:
    return secrets.token_bytes(SALT_BYTES)


def new_key() -> bytes:
    return secrets.token_bytes(KEY_BYTES)


@dataclass(frozen=True)
class OpenedEnvelope:
    price_sen: int
    documents: list[dict[str, str]]


def open_envelope(
    key: bytes, ciphertext: bytes, content_sha256: str, ocid: str, bidder: str
) -> OpenedEnvelope:
    """Decrypt and check a bid envelope; ``OpeningFailed`` with a stable reason if not."""
    plaintext = decrypt(key, ciphertext)
    if hashlib.sha256(plaintext).hexdigest() != content_sha256:
        raise OpeningFailed(
            "content_mismatch", "the decrypted envelope does not match its logged hash"
        )
    try:
        value: dict[str, Any] = parse_json_object(plaintext)
    except TerangError as exc:
        raise OpeningFailed("bad_envelope", f"the envelope is not canonical JSON: {exc}") from exc
    if canonical_bytes(value) != plaintext or set(value) != {
        "v",
        "ocid",
        "bidder",
        "price",
        "documents",
        "salt",
    }:
        raise OpeningFailed("bad_envelope", "the envelope is not in the v1 form")
    if value["v"] != ENVELOPE_VERSION:
        raise OpeningFailed("bad_envelope", "unknown envelope version")
    if value["ocid"] != ocid or value["bidder"] != bidder:
        raise OpeningFailed("wrong_binding", "the envelope names another tender or bidder")
    try:
        price_sen = parse_positive_amount(value["price"], field="price")
    except TerangError as exc:
        raise OpeningFailed("bad_envelope", f"the envelope's price: {exc}") from exc
    documents = value["documents"]
    if not isinstance(documents, list) or not all(
        isinstance(d, dict) and set(d) == {"name", "sha256"} for d in documents
    ):
        raise OpeningFailed("bad_envelope", "documents must be [{name, sha256}]")
    return OpenedEnvelope(price_sen, documents)
