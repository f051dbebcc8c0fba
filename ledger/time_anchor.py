"""Time anchors: deadlines vouched for by the witnesses, not by the operator's clock.

The operator controls ``logged_at``. A deadline judged on it alone can be moved by
running the clock slow. The witnesses' cosignatures (C2SP tlog-cosignature/v1) carry
the *witness's* time, so a checkpoint cosigned by a quorum of witnesses at or before
``deadline + grace`` proves which entries existed by then: every entry below its tree
size. That checkpoint, cosignatures included, is a **time anchor**.

Statement type (signed by an ``authority``; subject ``witness_policy``):

* ``ledger.witness_policy.set``: body ``log_verifier_key`` (this log's checkpoint key,
  ``name+keyid+base64``), ``witnesses`` (1 to ``WITNESSES_MAX`` cosignature/v1 verifier
  keys), ``quorum`` (1 to the number of witnesses), ``grace_s`` (optional, 0 to
  ``GRACE_S_MAX``; default ``GRACE_S_DEFAULT``). The latest one is in force; it is
  projected as ``registry.meta`` / ``witness_policy``.

Rules of ``check_anchor`` (pure: no clock, no database, no network), in order:

1. the anchor parses as a signed note whose text is a checkpoint (``malformed``);
2. the log's key in the policy signed it and its origin is that key's name;
3. every signature line by a policy witness verifies (a forged one refuses the anchor);
4. every such cosignature is timestamped at or before ``not_after`` (deadline + grace):
   a too-late one refuses the anchor (``time_anchor_too_late``);
5. at least ``quorum`` policy witnesses cosigned it (``time_anchor_quorum_not_met``).

A tender's closing entry carries the anchor when the log has a witness policy
(``procurement.tender``), so the verifier replays the same judgement. On a log that
declared a simulated clock (``authority.CLOCK_SIMULATED_TYPE``: demo logs) the anchor
is optional: no witness can have cosigned a simulated past.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ledger.authority import META_NAMESPACE
from ledger.authority import WITNESS_POLICY_KEY as WITNESS_POLICY_KEY
from ledger.checkpoint import Checkpoint
from ledger.errors import ClientError, FormatError, SignatureError, TerangError
from ledger.kinds import KindRegistry, Rejected, StatementKind
from ledger.limits import (
    ANCHOR_CHARS_MAX,
    GRACE_S_DEFAULT,
    GRACE_S_MAX,
    VERIFIER_KEY_CHARS_MAX,
    WITNESSES_MAX,
)
from ledger.note import CosignatureVerifier, Verifier, open_note, parse_verifier_key
from ledger.state import Document, State
from ledger.statement import LoggedEntry, Statement

WITNESS_POLICY_TYPE = "ledger.witness_policy.set"


class TimeAnchorRefused(Rejected):
    """The time anchor does not prove what it must (see the rules in the module doc)."""

    code = "time_anchor_refused"


@dataclass(frozen=True)
class WitnessPolicy:
    log: Verifier
    witnesses: tuple[CosignatureVerifier, ...]
    quorum: int
    grace_s: int
    seq: int

    def to_document(self) -> Document:
        return {
            "log_verifier_key": self.log.verifier_key(),
            "witnesses": [w.verifier_key() for w in self.witnesses],
            "quorum": self.quorum,
            "grace_s": self.grace_s,
            "seq": self.seq,
        }

    @classmethod
    def from_document(cls, doc: Document) -> WitnessPolicy:
        log = parse_verifier_key(doc["log_verifier_key"])
        witnesses = []
        for text in doc["witnesses"]:
            witness = parse_verifier_key(text)
            if not isinstance(witness, CosignatureVerifier):
                raise FormatError("the stored witness policy holds a non-cosignature key")
            witnesses.append(witness)
        if not isinstance(log, Verifier):
            raise FormatError("the stored witness policy holds a non-Ed25519 log key")
        return cls(log, tuple(witnesses), int(doc["quorum"]), int(doc["grace_s"]), int(doc["seq"]))


@dataclass(frozen=True)
class Anchor:
    """What a verified anchor proves: entries below ``tree_size`` existed by ``not_after``."""

    tree_size: int
    root_hash: bytes
    cosigned_at: tuple[int, ...]
    """The counted cosignatures' timestamps (POSIX seconds), in policy order."""


def _bad(field: str, why: str) -> ClientError:
    return ClientError(f"body.{field} {why}", code="bad_field", field=f"body.{field}")


def _key(value: Any, field: str) -> Verifier | CosignatureVerifier:
    if not isinstance(value, str) or not 1 <= len(value) <= VERIFIER_KEY_CHARS_MAX:
        raise _bad(field, f"must be a verifier key of at most {VERIFIER_KEY_CHARS_MAX} chars")
    try:
        return parse_verifier_key(value)
    except TerangError as exc:
        raise _bad(field, f"is not a verifier key: {exc.message}") from exc


def parse_policy_body(body: dict[str, Any], seq: int) -> WitnessPolicy:
    allowed = {"log_verifier_key", "witnesses", "quorum", "grace_s"}
    if not {"log_verifier_key", "witnesses", "quorum"} <= set(body) <= allowed:
        raise ClientError(
            "body must hold log_verifier_key, witnesses, quorum and optionally grace_s",
            code="bad_field",
        )
    log = _key(body["log_verifier_key"], "log_verifier_key")
    if not isinstance(log, Verifier):
        raise _bad("log_verifier_key", "must be an Ed25519 signed-note key (type 0x01)")
    items = body["witnesses"]
    if not isinstance(items, list) or not 1 <= len(items) <= WITNESSES_MAX:
        raise _bad("witnesses", f"must list 1 to {WITNESSES_MAX} witness keys")
    witnesses = []
    for index, item in enumerate(items):
        witness = _key(item, f"witnesses[{index}]")
        if not isinstance(witness, CosignatureVerifier):
            raise _bad(f"witnesses[{index}]", "must be a cosignature/v1 key (type 0x04)")
        witnesses.append(witness)
    if len({(w.name, w.key_id) for w in witnesses}) != len(witnesses):
        raise _bad("witnesses", "must not list a witness twice")
    quorum = body["quorum"]
    if type(quorum) is not int or not 1 <= quorum <= len(witnesses):
        raise _bad("quorum", "must be an integer from 1 to the number of witnesses")
    grace_s = body.get("grace_s", GRACE_S_DEFAULT)
    if type(grace_s) is not int or not 0 <= grace_s <= GRACE_S_MAX:
        raise _bad("grace_s", f"must be an integer from 0 to {GRACE_S_MAX}")
    return WitnessPolicy(log, tuple(witnesses), quorum, grace_s, seq)


def reduce_witness_policy(state: State, entry: LoggedEntry) -> None:
    statement = entry.signed.statement
    if statement.subject != WITNESS_POLICY_KEY:
        raise ClientError(f"subject must be {WITNESS_POLICY_KEY!r}", code="bad_subject")
    policy = parse_policy_body(statement.body, entry.seq)
    state.put(META_NAMESPACE, WITNESS_POLICY_KEY, policy.to_document())


def witness_policy(state: State) -> WitnessPolicy | None:
    """The witness policy in force, or None: then time is vouched for by the operator alone."""
    doc = state.get(META_NAMESPACE, WITNESS_POLICY_KEY)
    return None if doc is None else WitnessPolicy.from_document(doc)


def check_anchor(policy: WitnessPolicy, anchor: str, not_after: int) -> Anchor:
    """Verify ``anchor`` (a cosigned checkpoint note) under ``policy`` (module doc rules)."""
    if not isinstance(anchor, str) or not 1 <= len(anchor) <= ANCHOR_CHARS_MAX:
        raise TimeAnchorRefused(f"the time anchor must be a note of at most {ANCHOR_CHARS_MAX}")
    try:
        note = open_note(anchor, [policy.log, *policy.witnesses])
        checkpoint = Checkpoint.parse(note.text)
    except (FormatError, SignatureError, ClientError) as exc:
        raise TimeAnchorRefused(f"the time anchor does not verify: {exc.message}") from exc
    if not note.verified_by(policy.log) or checkpoint.origin != policy.log.name:
        raise TimeAnchorRefused("the time anchor is not a checkpoint signed by this log")
    counted = []
    for witness in policy.witnesses:
        timestamp = note.timestamp(witness)
        if timestamp is None:
            continue
        if timestamp > not_after:
            raise TimeAnchorRefused(
                f"witness {witness.name} cosigned the anchor at {timestamp}, after the "
                f"deadline plus grace ({not_after})",
                code="time_anchor_too_late",
                witness=witness.name,
                cosigned_at=timestamp,
                not_after=not_after,
            )
        counted.append(timestamp)
    if len(counted) < policy.quorum:
        raise TimeAnchorRefused(
            f"{len(counted)} witness(es) of the policy cosigned the anchor; the quorum is "
            f"{policy.quorum}",
            code="time_anchor_quorum_not_met",
        )
    return Anchor(checkpoint.size, checkpoint.root_hash, tuple(counted))


def _policy_key(_: Statement) -> list[tuple[str, str]]:
    return [(META_NAMESPACE, WITNESS_POLICY_KEY)]


KINDS = (
    StatementKind(
        WITNESS_POLICY_TYPE,
        frozenset({"authority"}),
        reduce_witness_policy,
        "set the log's witness policy (keys, quorum, grace) that anchors deadlines",
        prefetch=_policy_key,
    ),
)


def register(registry: KindRegistry) -> None:
    for kind in KINDS:
        registry.register(kind)
