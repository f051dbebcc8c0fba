"""Verify one record's proof bundle alone, offline (``terang verify --record``).

Checks, in order, and raises ``VerificationError`` at the first failure:

1. the checkpoint note is signed by the log key the auditor trusts, for its origin;
2. every entry (record entries and signer registrations) is included in that
   checkpoint's tree (RFC 6962 inclusion proof to its root);
3. every entry parses strictly (canonical RFC 8785 bytes) and claims its own seq;
4. every registration really registers the key it names (genesis,
   ``registry.key.registered``, or a self-registration such as a vendor's
   ``procurement.vendor.registered``, whose body carries the signer's own key), and
   key ids are the SHA-256 of the public keys;
5. every record entry is about the subject and its statement signature verifies
   under its signer's registered key.

What a bundle alone cannot show: that the signer still held the needed role at
that point, or that nothing was logged between entries; a full ``terang verify``
replays the whole log for that.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from typing import Any

from ledger import merkle
from ledger.authority import GENESIS_TYPE, KEY_REGISTERED_TYPE
from ledger.checkpoint import Checkpoint, open_checkpoint
from ledger.errors import TerangError, VerificationError
from ledger.limits import Limits
from ledger.note import AnyVerifier
from ledger.statement import LoggedEntry, b64decode_strict, key_id_of

BUNDLE_FORMAT = "terang.record-bundle.v1"


@dataclass(frozen=True)
class VerifiedRecord:
    subject: str
    checkpoint: Checkpoint
    entries: list[LoggedEntry]


def _entry(item: Any, checkpoint: Checkpoint, limits: Limits) -> LoggedEntry:
    try:
        seq = item["seq"]
        data = base64.b64decode(item["entry_bytes_b64"], validate=True)
        path = [bytes.fromhex(h) for h in item["inclusion"]]
    except (KeyError, TypeError, ValueError, binascii.Error) as exc:
        raise VerificationError(f"bundle entry is malformed: {exc}", code="bad_bundle") from exc
    merkle.verify_inclusion(
        merkle.leaf_hash(data), seq, checkpoint.size, path, checkpoint.root_hash
    )
    try:
        entry = LoggedEntry.parse(data, limits)
    except TerangError as exc:
        raise VerificationError(f"entry {seq}: {exc.message}", code="bad_bundle", seq=seq) from exc
    if entry.seq != seq:
        raise VerificationError(f"entry {seq} claims seq {entry.seq}", code="bad_bundle", seq=seq)
    return entry


def _registered_keys(entries: list[LoggedEntry]) -> dict[str, bytes]:
    keys: dict[str, bytes] = {}
    for entry in entries:
        statement = entry.signed.statement
        if statement.type == GENESIS_TYPE:
            for authority in statement.body.get("authorities", []):
                public_key = b64decode_strict(str(authority.get("public_key")), field="public_key")
                keys[key_id_of(public_key)] = public_key
        elif statement.type == KEY_REGISTERED_TYPE:
            public_key = b64decode_strict(str(statement.body.get("public_key")), field="public_key")
            if key_id_of(public_key) != statement.subject:
                raise VerificationError(
                    f"entry {entry.seq} registers a key under the wrong id", code="bad_bundle"
                )
            keys[statement.subject] = public_key
        else:
            # A self-registration (a vendor registers its own key): a key id is the SHA-256
            # of its key, so a key whose hash is the signer's id is the signer's key.
            own = statement.body.get("public_key")
            public_key = b64decode_strict(own, field="public_key") if isinstance(own, str) else b""
            if len(public_key) != 32 or key_id_of(public_key) != statement.signer:
                raise VerificationError(
                    f"entry {entry.seq} is not a key registration",
                    code="bad_bundle",
                    seq=entry.seq,
                )
            keys[statement.signer] = public_key
    return keys


def verify_record_bundle(
    bundle: dict[str, Any], origin: str, log_verifier: AnyVerifier, limits: Limits
) -> VerifiedRecord:
    if bundle.get("format") != BUNDLE_FORMAT:
        raise VerificationError(f"not a {BUNDLE_FORMAT} document", code="bad_bundle")
    subject = bundle.get("subject")
    if not isinstance(subject, str):
        raise VerificationError("bundle has no subject", code="bad_bundle")
    checkpoint = open_checkpoint(str(bundle.get("checkpoint", "")), origin, log_verifier)
    registrations = [_entry(i, checkpoint, limits) for i in bundle.get("signer_registrations", [])]
    keys = _registered_keys(registrations)
    entries = [_entry(i, checkpoint, limits) for i in bundle.get("entries", [])]
    if not entries:
        raise VerificationError("bundle holds no entries", code="bad_bundle")
    for entry in entries:
        statement = entry.signed.statement
        if statement.subject != subject:
            raise VerificationError(
                f"entry {entry.seq} is about {statement.subject!r}, not {subject!r}",
                code="bad_bundle",
                seq=entry.seq,
            )
        public_key = keys.get(statement.signer)
        if public_key is None and statement.type == GENESIS_TYPE:
            public_key = _registered_keys([entry]).get(statement.signer)
        if public_key is None:
            raise VerificationError(
                f"entry {entry.seq}: the bundle does not show its signer's registration",
                code="bad_bundle",
                seq=entry.seq,
            )
        entry.verify_signature(public_key, origin=checkpoint.origin)
    return VerifiedRecord(subject, checkpoint, entries)
