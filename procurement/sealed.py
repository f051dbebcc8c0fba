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

Bid format 2 (verifiable shares, current; format 1 above stays accepted and openable so
that existing logs replay). Format 1's per-member hash commitment proves only that a
released share is the one the vendor sealed, not that the shares lie on one polynomial:
a vendor could give one member a share off the polynomial and make the key depend on
which k members release. Format 2 replaces steps 2-4 with Feldman's verifiable secret
sharing over the prime-order group of edwards25519 (order ``l = 2^252 +
27742317777372353535851937790883648493``, base point ``B``):

2'. The client draws a polynomial ``f(x) = a_0 + a_1 x + ... + a_{k-1} x^{k-1}`` with
    uniformly random non-zero scalars ``a_j`` mod ``l``. The bid key is
    ``SHA-256(BID_KEY_DOMAIN || le32(a_0))`` (``le32``: 32-byte little-endian) and
    encrypts the envelope (``"v": 2``) as in step 2.
3'. Member i (1-based, committee order) gets ``x = i`` and the share ``s_i = f(i) mod
    l``, written ``le32(s_i)`` (canonical: ``s_i < l``).
4'. The shares are sealed as in step 4; the public *commitments* are ``C_j = a_j·B``
    (32-byte compressed edwards25519 points), one per coefficient, in order.

A released share ``s_i`` is accepted only if ``s_i·B == sum_j (i^j mod l)·C_j``; every
commitment must be a valid point of the prime-order subgroup (not the identity, no
torsion: ``crypto_core_ed25519_is_valid_point``). So any k accepted shares interpolate
the same ``a_0`` (Lagrange at 0 mod ``l``) and the opening result does not depend on
which members released. Fewer than k shares still reveal nothing about ``a_0`` beyond
``C_0 = a_0·B`` (computational: the discrete logarithm), and the bid key is a hash of
``a_0``, not ``a_0`` itself.

What the rule can and cannot attribute: a member whose sealed share fails the check
cannot release it (the reducer refuses it), and the log cannot prove whether the
vendor sealed a bad share or the member withholds a good one (box keys are X25519, so
no DLEQ proof of decryption is offered here). The consequence is deterministic and
falls on the vendor's bid: a bid with fewer than k valid releases once the release
window is over is judged ``unopenable`` (``not_enough_shares``) and the members who
did not release are listed by name for accountability. A vendor can therefore spoil
only its own bid, never make the result depend on who releases.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from typing import Any

from Crypto.Protocol.SecretSharing import Shamir
from nacl import bindings
from nacl.exceptions import CryptoError
from nacl.exceptions import RuntimeError as NaclRuntimeError
from nacl.public import PrivateKey, PublicKey, SealedBox
from nacl.secret import SecretBox

from budgeting.money import format_amount, parse_positive_amount
from ledger.canonical import canonical_bytes, parse_json_object
from ledger.errors import ClientError, TerangError
from ledger.statement import b64encode
from procurement.errors import (
    BadEnvelope,
    BadShare,
    ContentMismatch,
    DecryptionFailed,
    InconsistentShares,
    NotEnoughShares,
    WrongBinding,
)
from procurement.limits import (
    COMMITTEE_MEMBERS_MAX,
    PRICE_CHARS_MAX,
)

BID_FORMAT_SHAMIR = 1
"""Format 1: Shamir over GF(2^128), per-member hash commitments (legacy, still accepted)."""
BID_FORMAT_FELDMAN = 2
"""Format 2: Feldman verifiable shares over edwards25519 (what clients seal today)."""
BID_FORMATS = (BID_FORMAT_SHAMIR, BID_FORMAT_FELDMAN)
ENVELOPE_VERSION = BID_FORMAT_FELDMAN
"""An envelope's ``v`` is its bid's format."""
GROUP_ORDER = 2**252 + 27742317777372353535851937790883648493
"""``l``: the order of edwards25519's prime-order subgroup (RFC 8032 §5.1)."""
SCALAR_BYTES = 32
POINT_BYTES = 32
BID_KEY_DOMAIN = b"terang.procurement.bid-key.v2\x00"
KEY_BYTES = 32
SHARE_BYTES = 32
SALT_BYTES = 32
SEALED_SHARE_BYTES = SHARE_BYTES + 48
"""A SealedBox adds an ephemeral public key (32 bytes) and a Poly1305 tag (16)."""
SHARE_DOMAIN = b"terang.procurement.share.v1\x00"


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
        raise NotEnoughShares(
            f"{len(distinct)} distinct shares; {threshold} are needed",
            shares=len(distinct),
            threshold=threshold,
        )
    chosen = [distinct[x] for x in sorted(distinct)[:threshold]]
    first = Shamir.combine([(s.x, s.y[:16]) for s in chosen])
    second = Shamir.combine([(s.x, s.y[16:]) for s in chosen])
    return bytes(first) + bytes(second)


def combine_consistent(shares: list[Share], threshold: int) -> bytes:
    """Format 1: the key from ALL released shares, whichever k of them are used.

    The key comes from the ``threshold`` shares of lowest x; every further share is
    checked against the same polynomial (the key from the first ``threshold - 1`` shares
    plus that one must agree: two polynomials of degree < k that meet in k - 1 points
    and at 0 are one). A disagreement is the vendor's (its commitments bind each share
    to what it sealed): ``inconsistent_shares``. So the result does not depend on which
    members released first, only on the set released when the opening is logged.
    """
    distinct = sorted({s.x: s for s in shares}.values(), key=lambda s: s.x)
    key = combine_shares(distinct, threshold)
    base = distinct[: threshold - 1]
    for extra in distinct[threshold:]:
        if combine_shares([*base, extra], threshold) != key:
            raise InconsistentShares(
                "the released shares do not lie on one polynomial (the vendor's sealing)",
            )
    return key


# -- format 2: Feldman verifiable shares over edwards25519 ----------------------------


def scalar_bytes(value: int) -> bytes:
    return (value % GROUP_ORDER).to_bytes(SCALAR_BYTES, "little")


def parse_scalar(data: bytes) -> int | None:
    """The scalar of a canonical 32-byte little-endian encoding (``< l``), else None."""
    if len(data) != SCALAR_BYTES:
        return None
    value = int.from_bytes(data, "little")
    return value if value < GROUP_ORDER else None


def is_commitment(point: bytes) -> bool:
    """A valid point of the prime-order subgroup, not the identity (libsodium's check)."""
    return len(point) == POINT_BYTES and bool(bindings.crypto_core_ed25519_is_valid_point(point))


def _random_scalar() -> int:
    return 1 + secrets.randbelow(GROUP_ORDER - 1)


@dataclass(frozen=True)
class Dealing:
    """A format-2 split: the secret ``a_0``, the public commitments and the shares."""

    secret: bytes
    commitments: list[bytes]
    shares: list[Share]


def deal(threshold: int, members: int) -> Dealing:
    """A fresh random polynomial of degree ``threshold - 1``, its commitments and shares."""
    if not 2 <= threshold <= members <= COMMITTEE_MEMBERS_MAX:
        raise ClientError(
            f"need 2 <= threshold <= members <= {COMMITTEE_MEMBERS_MAX}", code="bad_threshold"
        )
    coefficients = [_random_scalar() for _ in range(threshold)]
    commitments = [
        bytes(bindings.crypto_scalarmult_ed25519_base_noclamp(scalar_bytes(a)))
        for a in coefficients
    ]
    shares = [Share(x, scalar_bytes(_evaluate(coefficients, x))) for x in range(1, members + 1)]
    return Dealing(scalar_bytes(coefficients[0]), commitments, shares)


def _evaluate(coefficients: list[int], x: int) -> int:
    value = 0
    for a in reversed(coefficients):  # Horner
        value = (value * x + a) % GROUP_ORDER
    return value


def verify_share(
    share: Share, commitments: list[bytes], *, commitments_checked: bool = False
) -> bool:
    """``s·B == sum_j (x^j mod l)·C_j``: the share lies on the committed polynomial.

    False (never an exception) for a non-canonical or zero share, an invalid
    commitment, or a mismatch; so a vendor's bad data is an outcome, not a crash.
    ``commitments_checked``: the caller already checked every commitment with
    ``is_commitment`` (the reducer does at submission), which saves ~40 % of the cost.
    """
    scalar = parse_scalar(share.y)
    if scalar is None or scalar == 0 or not commitments:
        return False
    if not commitments_checked and not all(is_commitment(c) for c in commitments):
        return False
    try:
        left = bytes(bindings.crypto_scalarmult_ed25519_base_noclamp(share.y))
        right = commitments[0]
        power = 1
        for commitment in commitments[1:]:
            power = power * share.x % GROUP_ORDER
            term = bindings.crypto_scalarmult_ed25519_noclamp(scalar_bytes(power), commitment)
            right = bytes(bindings.crypto_core_ed25519_add(right, term))
    except NaclRuntimeError:  # an identity on the way: only crafted commitments get there
        return False
    return left == right


def combine_secret(shares: list[Share], threshold: int) -> bytes:
    """``a_0`` by Lagrange interpolation at 0 mod ``l`` from the ``threshold`` shares of
    lowest x (any k verified shares give the same value)."""
    distinct = sorted({s.x: s for s in shares}.values(), key=lambda s: s.x)
    if len(distinct) < threshold:
        raise NotEnoughShares(
            f"{len(distinct)} distinct shares; {threshold} are needed",
            shares=len(distinct),
            threshold=threshold,
        )
    chosen = distinct[:threshold]
    secret = 0
    for share in chosen:
        y = parse_scalar(share.y)
        if y is None:
            raise BadShare(f"the share of x = {share.x} is not a scalar", x=share.x)
        numerator, denominator = 1, 1
        for other in chosen:
            if other.x != share.x:
                numerator = numerator * other.x % GROUP_ORDER
                denominator = denominator * (other.x - share.x) % GROUP_ORDER
        secret = (secret + y * numerator * pow(denominator, -1, GROUP_ORDER)) % GROUP_ORDER
    return scalar_bytes(secret)


def bid_key_from_secret(secret: bytes) -> bytes:
    """The format-2 bid key: ``SHA-256(BID_KEY_DOMAIN || le32(a_0))``."""
    return hashlib.sha256(BID_KEY_DOMAIN + secret).digest()


def reconstruct_key(bid_format: int, shares: list[Share], threshold: int) -> bytes:
    """The bid key from released shares, by the bid's format; else an ``OpeningFailed``
    (``procurement.errors``) naming the reason."""
    if bid_format == BID_FORMAT_FELDMAN:
        return bid_key_from_secret(combine_secret(shares, threshold))
    return combine_consistent(shares, threshold)


def encrypt(key: bytes, plaintext: bytes) -> bytes:
    return bytes(SecretBox(key).encrypt(plaintext))


def decrypt(key: bytes, ciphertext: bytes) -> bytes:
    try:
        return bytes(SecretBox(key).decrypt(ciphertext))
    except CryptoError as exc:
        raise DecryptionFailed("the reconstructed key does not open the ciphertext") from exc


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
    ocid: str,
    bidder: str,
    price_sen: int,
    documents: list[dict[str, str]],
    salt: bytes,
    *,
    version: int = ENVELOPE_VERSION,
) -> bytes:
    return canonical_bytes(
        {
            "v": version,
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


ENVELOPE_FIELDS = frozenset({"v", "ocid", "bidder", "price", "documents", "salt"})


def open_envelope(
    key: bytes,
    ciphertext: bytes,
    content_sha256: str,
    ocid: str,
    bidder: str,
    *,
    version: int,
) -> OpenedEnvelope:
    """Decrypt and check a bid envelope; else an ``OpeningFailed`` (``procurement.errors``,
    one subclass per reason).

    The plaintext is the vendor's, so anything may be in it: every way it can be
    malformed (not UTF-8 or JSON, nested deep, huge numbers, wrong types or fields)
    is ``bad_envelope``, an outcome of this one bid, never an exception that could
    block the opening of the others.
    """
    plaintext = decrypt(key, ciphertext)
    if hashlib.sha256(plaintext).hexdigest() != content_sha256:
        raise ContentMismatch("the decrypted envelope does not match its logged hash")
    try:
        value: dict[str, Any] = parse_json_object(plaintext)
        canonical = canonical_bytes(value) == plaintext
    except TerangError as exc:
        raise BadEnvelope(f"the envelope is not canonical JSON: {exc}") from exc
    if not canonical or set(value) != ENVELOPE_FIELDS:
        raise BadEnvelope(f"the envelope is not in the v{version} form")
    if type(value["v"]) is not int or value["v"] != version:
        raise BadEnvelope(f"the envelope's version is not {version}")
    if value["ocid"] != ocid or value["bidder"] != bidder:
        raise WrongBinding("the envelope names another tender or bidder")
    if not isinstance(value["price"], str) or len(value["price"]) > PRICE_CHARS_MAX:
        raise BadEnvelope("the envelope's price is not an amount string")
    try:
        price_sen = parse_positive_amount(value["price"], field="price")
    except TerangError as exc:
        raise BadEnvelope(f"the envelope's price: {exc}") from exc
    documents = value["documents"]
    if not isinstance(documents, list) or not all(
        isinstance(d, dict)
        and set(d) == {"name", "sha256"}
        and all(isinstance(v, str) for v in d.values())
        for d in documents
    ):
        raise BadEnvelope("documents must be [{name, sha256}] of strings")
    if not isinstance(value["salt"], str):
        raise BadEnvelope("the envelope's salt is not a string")
    return OpenedEnvelope(price_sen, documents)
