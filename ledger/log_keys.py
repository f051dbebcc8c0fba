"""Planned rotation of the log key (the key that signs checkpoints) within one log.

Statement ``ledger.log_key.rotated`` (signed by a key holding the ``authority`` role),
subject ``log_key``, body exactly::

    {"origin": ORIGIN,
     "previous_verifier_key": the key in force (name+keyid+base64),
     "verifier_key": the new key (same name: the origin),
     "proof_of_possession": base64 Ed25519 signature by the NEW key over
                            possession_message(origin, previous, new)}

Which key signs which tree size (docs/ledger-formats.md, "Log key rotation"): let the
rotation entries sit at seqs r1 < r2 < ... A checkpoint of size n is signed by the key
in force at n: the genesis key while n <= r1, the key named at r_i while
r_i < n <= r_(i+1). The hand-over checkpoint of rotation i is the first checkpoint the
log publishes whose tree includes r_i: it is signed by BOTH the previous and the new
key (a C2SP signed note with two signature lines), so whoever trusts the previous key
learns the new one from a note the previous key signed over a tree that holds the
rotation entry. Every later checkpoint carries the new key's signature only.

Projection: ``registry.meta`` / ``log_keys`` (written by the first rotation only, so
a log that never rotates keeps its projections byte-identical)::

    {"rotations": [{"seq": r, "previous_verifier_key": ..., "verifier_key": ...}, ...]}

The reducer checks the shape, the proof of possession and that ``previous`` is the key
named by the rotation before (the first rotation's ``previous`` is checked against the
genesis key by the service, ``Ledger.check_log_key_rotation``, and by the verifier,
which starts from the key the auditor was given). The witness policy, if one is in
force and names the previous key, is moved to the new key in the same entry, so time
anchors keep working across the hand-over.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ledger.errors import ClientError
from ledger.kinds import KindRegistry, Rejected, StatementKind
from ledger.note import Signer, Verifier, b64encode, parse_verifier_key
from ledger.state import State
from ledger.statement import LoggedEntry, Statement, b64decode_strict

ROTATED_TYPE = "ledger.log_key.rotated"
LOG_KEY_SUBJECT = "log_key"
META_NAMESPACE = "registry.meta"
LOG_KEYS_KEY = "log_keys"
WITNESS_POLICY_KEY = "witness_policy"
POSSESSION_PREFIX = "terang/log-key-rotation/v1\n"
"""Domain separation of the proof of possession: no checkpoint, note or statement
signature can be mistaken for it (a note text starts with the origin line, and a
statement signature has its own prefix)."""
BODY_FIELDS = frozenset({"origin", "previous_verifier_key", "verifier_key", "proof_of_possession"})


def possession_message(origin: str, previous_verifier_key: str, verifier_key: str) -> bytes:
    """What the new key signs to show it is held: prefix, origin, previous key, new key."""
    return (
        POSSESSION_PREFIX + origin + "\n" + previous_verifier_key + "\n" + verifier_key + "\n"
    ).encode("utf-8")


def rotation_body(origin: str, previous_verifier_key: str, new_key: Signer) -> dict[str, str]:
    """The body of a rotation to ``new_key``, its proof of possession made with it."""
    new_vkey = new_key.verifier_key()
    proof = new_key.signing_key.sign(
        possession_message(origin, previous_verifier_key, new_vkey)
    ).signature
    return {
        "origin": origin,
        "previous_verifier_key": previous_verifier_key,
        "verifier_key": new_vkey,
        "proof_of_possession": b64encode(bytes(proof)),
    }


def _bad(field: str, why: str, code: str = "bad_log_key_rotation") -> ClientError:
    return ClientError(f"body.{field} {why}", code=code, field=f"body.{field}")


def _ed25519_key(value: Any, field: str) -> Verifier:
    if not isinstance(value, str) or not 1 <= len(value) <= 300:
        raise _bad(field, "must be a verifier key string (name+keyid+base64)")
    try:
        key = parse_verifier_key(value)
    except ClientError as exc:
        raise _bad(field, f"is not a verifier key: {exc.message}") from exc
    if not isinstance(key, Verifier):
        raise _bad(field, "must be an Ed25519 signed-note key")
    return key


@dataclass(frozen=True)
class Rotation:
    seq: int
    previous: Verifier
    new: Verifier

    @property
    def from_size(self) -> int:
        """The smallest tree size whose checkpoint the new key signs."""
        return self.seq + 1


def check_rotation_body(statement: Statement) -> tuple[Verifier, Verifier]:
    """Shape and proof of possession of a rotation statement: (previous, new)."""
    body = statement.body
    if statement.subject != LOG_KEY_SUBJECT:
        raise ClientError(f"subject must be {LOG_KEY_SUBJECT!r}", code="bad_subject")
    if set(body) != BODY_FIELDS:
        raise ClientError(
            f"the body must have exactly the fields {', '.join(sorted(BODY_FIELDS))}",
            code="bad_log_key_rotation",
        )
    origin = body["origin"]
    if not isinstance(origin, str) or not 1 <= len(origin) <= 200:
        raise _bad("origin", "must be the log's origin")
    previous = _ed25519_key(body["previous_verifier_key"], "previous_verifier_key")
    new = _ed25519_key(body["verifier_key"], "verifier_key")
    if previous.name != origin or new.name != origin:
        raise _bad("verifier_key", "and previous_verifier_key must both be named the origin")
    if new.public_key == previous.public_key:
        raise _bad("verifier_key", "must differ from the key in force")
    proof_text = body["proof_of_possession"]
    if not isinstance(proof_text, str) or len(proof_text) > 200:
        raise _bad("proof_of_possession", "must be a base64 Ed25519 signature")
    proof = b64decode_strict(proof_text, field="body.proof_of_possession")
    message = possession_message(origin, previous.verifier_key(), new.verifier_key())
    if not new.verify_bytes(message, proof):
        raise Rejected(
            "the proof of possession does not verify under the new key: nobody may "
            "rotate the log to a key they do not hold",
            code="bad_log_key_proof",
        )
    return previous, new


def reduce_rotated(state: State, entry: LoggedEntry) -> None:
    previous, new = check_rotation_body(entry.signed.statement)
    doc = state.get(META_NAMESPACE, LOG_KEYS_KEY) or {"rotations": []}
    rotations = list(doc["rotations"])
    if rotations:
        in_force = rotations[-1]["verifier_key"]
        if in_force != previous.verifier_key():
            raise Rejected(
                f"the key in force is {in_force}, not the rotation's previous_verifier_key",
                code="log_key_not_in_force",
            )
        used = {r["previous_verifier_key"] for r in rotations}
        if new.verifier_key() in used:
            raise Rejected("a log never rotates back to a key it used", code="log_key_reused")
    rotations.append(
        {
            "seq": entry.seq,
            "previous_verifier_key": previous.verifier_key(),
            "verifier_key": new.verifier_key(),
        }
    )
    state.put(META_NAMESPACE, LOG_KEYS_KEY, {"rotations": rotations})
    policy = state.get(META_NAMESPACE, WITNESS_POLICY_KEY)
    if policy is not None and policy.get("log_verifier_key") == previous.verifier_key():
        state.put(
            META_NAMESPACE, WITNESS_POLICY_KEY, {**policy, "log_verifier_key": new.verifier_key()}
        )


def rotations_from_document(doc: Any) -> list[Rotation]:
    if not isinstance(doc, dict):
        return []
    out = []
    for item in doc.get("rotations", []):
        previous = parse_verifier_key(item["previous_verifier_key"])
        new = parse_verifier_key(item["verifier_key"])
        if isinstance(previous, Verifier) and isinstance(new, Verifier):
            out.append(Rotation(int(item["seq"]), previous, new))
    return out


def rotations(state: State) -> list[Rotation]:
    """The rotations logged so far, in order (empty: the genesis key signs everything)."""
    return rotations_from_document(state.get(META_NAMESPACE, LOG_KEYS_KEY))


def key_in_force(genesis: str, rotations_: list[Rotation], size: int) -> str:
    """The verifier key that signs the checkpoint of ``size`` (see the module doc)."""
    key = genesis
    for rotation in rotations_:
        if rotation.seq < size:
            key = rotation.new.verifier_key()
    return key


def handover_rotation(rotations_: list[Rotation], size: int, latest_size: int) -> Rotation | None:
    """The rotation whose hand-over a checkpoint of ``size`` is, after one of
    ``latest_size`` (-1: none): the last rotation it includes, if the latest did not."""
    included = [r for r in rotations_ if r.seq < size]
    if included and included[-1].seq >= latest_size:
        return included[-1]
    return None


def _prefetch(_: Statement) -> list[tuple[str, str]]:
    return [(META_NAMESPACE, LOG_KEYS_KEY), (META_NAMESPACE, WITNESS_POLICY_KEY)]


KINDS = (
    StatementKind(
        ROTATED_TYPE,
        frozenset({"authority"}),
        reduce_rotated,
        "rotate the log key: the new key signs every checkpoint after this entry "
        "(the first one by both keys)",
        prefetch=_prefetch,
    ),
)


def register(registry: KindRegistry) -> None:
    for kind in KINDS:
        registry.register(kind)
