"""Keys, roles and authority, kept as ledger entries and projected by replay.

Statement types (all but genesis signed by a key holding the ``authority`` role):

* ``ledger.genesis`` (seq 0 only): names the log's origin and verifier key and the
  root authority keys; signed by one of those authorities.
* ``registry.key.registered``: subject = the new key id; body ``public_key``
  (base64, 32 bytes), ``name``, optional ``roles`` and ``x25519_public_key``.
* ``registry.role.granted`` / ``registry.role.revoked``: subject = key id; body ``role``.
* ``registry.key.revoked``: subject = key id; body ``reason``.
* ``ledger.clock.simulated`` (seq 1, or seq 2 right after a witness policy at seq 1):
  subject ``clock``; body ``reason``. Declares that this log's logging times come from
  a simulated clock (``terang demo`` builds a year of history on one) and vouch for
  nothing: its ``logged_at`` may go backwards. Only the log's set-up entries may come
  before it, so no log can excuse a back-dated entry later on; verifiers and the
  portal say it loudly.

Projection: namespace ``registry.key``, one document per key id. Guarantees: a key id
is the SHA-256 of its public key, so it cannot be re-pointed; the last authority
cannot be revoked (the log would lock itself out); revoked keys sign nothing more.
"""

from __future__ import annotations

from typing import Any

from ledger.errors import ClientError, Forbidden
from ledger.kinds import ROLES, KindRegistry, Rejected, StatementKind
from ledger.limits import GENESIS_AUTHORITIES_MAX, REGISTRY_NAME_CHARS_MAX
from ledger.state import Document, State
from ledger.statement import LoggedEntry, Statement, b64decode_strict, b64encode, key_id_of

KEY_NAMESPACE = "registry.key"
META_NAMESPACE = "registry.meta"
META_KEY = "authorities"
GENESIS_TYPE = "ledger.genesis"
CLOCK_SIMULATED_TYPE = "ledger.clock.simulated"
KEY_REGISTERED_TYPE = "registry.key.registered"
KEY_REVOKED_TYPE = "registry.key.revoked"
ROLE_GRANTED_TYPE = "registry.role.granted"
ROLE_REVOKED_TYPE = "registry.role.revoked"
CLOCK_KEY = "clock"
CLOCK_SIMULATED_SEQ = 1
WITNESS_POLICY_KEY = "witness_policy"
"""``registry.meta`` key of the witness policy (``ledger.time_anchor``)."""


class UnknownSigner(Forbidden):
    code = "unknown_signer"


class RevokedSigner(Forbidden):
    code = "revoked_signer"


class MissingRole(Forbidden):
    code = "missing_role"


ROLE_GRANTED_BY = (
    "Roles are granted by the region's authority (terang grant-role KEY_ID --role ROLE)."
)
"""Who unblocks a ``missing_role`` refusal, said in its message."""
KEY_REGISTERED_BY = (
    "Keys are registered by the region's authority (terang register-key); a vendor"
    " registers its own (terang vendor register)."
)
"""Who unblocks an ``unknown_signer`` refusal, said in its message."""
KEY_REVOKED_REMEDY = (
    "A revoked key signs nothing more; the authority registers the holder's new key"
    " (terang register-key)."
)
"""What a ``revoked_signer`` refusal leaves its holder to do, said in its message."""


def _text(body: dict[str, Any], field: str, chars_max: int) -> str:
    value = body.get(field)
    if not isinstance(value, str) or not 1 <= len(value) <= chars_max:
        raise ClientError(
            f"body.{field} must be a string of 1 to {chars_max} characters",
            code="bad_field",
            field=f"body.{field}",
        )
    return value


def _public_key(body: dict[str, Any], field: str) -> bytes:
    raw = b64decode_strict(_text(body, field, 64), field=f"body.{field}")
    if len(raw) != 32:
        raise ClientError(f"body.{field} must be 32 bytes", code="bad_public_key")
    return raw


def _role(value: Any) -> str:
    if not isinstance(value, str) or value not in ROLES:
        raise ClientError(
            f"role must be one of {', '.join(sorted(ROLES))}", code="unknown_role", role=value
        )
    return value


def key_document(state: State, key_id: str) -> Document | None:
    return state.get(KEY_NAMESPACE, key_id)


def _authority_count(state: State) -> int:
    meta = state.get(META_NAMESPACE, META_KEY) or {"count": 0}
    count: int = meta["count"]
    return count


def _set_authority_count(state: State, count: int) -> None:
    state.put(META_NAMESPACE, META_KEY, {"count": count})


def _new_key(public_key: bytes, name: str, roles: list[str], seq: int, body: Any) -> Document:
    doc: Document = {
        "key_id": key_id_of(public_key),
        "public_key": b64encode(public_key),
        "name": name,
        "roles": sorted(set(roles)),
        "registered_seq": seq,
        "revoked_seq": None,
    }
    if isinstance(body, dict) and "x25519_public_key" in body:
        doc["x25519_public_key"] = body["x25519_public_key"]
    return doc


def reduce_genesis(state: State, entry: LoggedEntry) -> None:
    body = entry.signed.statement.body
    _text(body, "origin", 200)
    _text(body, "log_verifier_key", 300)
    authorities = body.get("authorities")
    if not isinstance(authorities, list) or not 1 <= len(authorities) <= GENESIS_AUTHORITIES_MAX:
        raise ClientError(
            f"genesis needs 1 to {GENESIS_AUTHORITIES_MAX} authorities", code="bad_genesis"
        )
    for item in authorities:
        if not isinstance(item, dict):
            raise ClientError("each authority is an object", code="bad_genesis")
        public_key = _public_key(item, "public_key")
        name = _text(item, "name", REGISTRY_NAME_CHARS_MAX)
        state.put(
            KEY_NAMESPACE,
            key_id_of(public_key),
            _new_key(public_key, name, ["authority"], entry.seq, item),
        )
    _set_authority_count(state, len({key_id_of(_public_key(a, "public_key")) for a in authorities}))
    if key_document(state, entry.signed.statement.signer) is None:
        raise Rejected("genesis must be signed by one of the authorities it names")


def reduce_key_registered(state: State, entry: LoggedEntry) -> None:
    statement = entry.signed.statement
    body = statement.body
    public_key = _public_key(body, "public_key")
    name = _text(body, "name", REGISTRY_NAME_CHARS_MAX)
    roles = body.get("roles", [])
    if not isinstance(roles, list):
        raise ClientError("body.roles must be a list", code="bad_field")
    roles = [_role(r) for r in roles]
    if "x25519_public_key" in body:
        _public_key(body, "x25519_public_key")
    if statement.subject != key_id_of(public_key):
        raise ClientError(
            "subject must be the key id (hex SHA-256) of body.public_key", code="bad_subject"
        )
    if key_document(state, statement.subject) is not None:
        raise Rejected(f"key {statement.subject} is already registered", code="key_exists")
    state.put(KEY_NAMESPACE, statement.subject, _new_key(public_key, name, roles, entry.seq, body))
    if "authority" in roles:
        _set_authority_count(state, _authority_count(state) + 1)


def _active_key(state: State, key_id: str) -> Document:
    doc = key_document(state, key_id)
    if doc is None:
        raise Rejected(f"key {key_id} is not registered", code="unknown_key")
    if doc["revoked_seq"] is not None:
        raise Rejected(f"key {key_id} was revoked at seq {doc['revoked_seq']}", code="key_revoked")
    return doc


def reduce_role_granted(state: State, entry: LoggedEntry) -> None:
    statement = entry.signed.statement
    role = _role(statement.body.get("role"))
    doc = _active_key(state, statement.subject)
    if role in doc["roles"]:
        raise Rejected(f"key already holds role {role}", code="role_held")
    doc["roles"] = sorted([*doc["roles"], role])
    state.put(KEY_NAMESPACE, statement.subject, doc)
    if role == "authority":
        _set_authority_count(state, _authority_count(state) + 1)


def reduce_role_revoked(state: State, entry: LoggedEntry) -> None:
    statement = entry.signed.statement
    role = _role(statement.body.get("role"))
    doc = _active_key(state, statement.subject)
    if role not in doc["roles"]:
        raise Rejected(f"key does not hold role {role}", code="role_not_held")
    if role == "authority" and _authority_count(state) <= 1:
        raise Rejected("cannot revoke the last authority", code="last_authority")
    doc["roles"] = [r for r in doc["roles"] if r != role]
    state.put(KEY_NAMESPACE, statement.subject, doc)
    if role == "authority":
        _set_authority_count(state, _authority_count(state) - 1)


def reduce_key_revoked(state: State, entry: LoggedEntry) -> None:
    statement = entry.signed.statement
    _text(statement.body, "reason", 1000)
    doc = _active_key(state, statement.subject)
    if "authority" in doc["roles"]:
        if _authority_count(state) <= 1:
            raise Rejected("cannot revoke the last authority", code="last_authority")
        _set_authority_count(state, _authority_count(state) - 1)
    doc["revoked_seq"] = entry.seq
    state.put(KEY_NAMESPACE, statement.subject, doc)


def reduce_clock_simulated(state: State, entry: LoggedEntry) -> None:
    statement = entry.signed.statement
    reason = _text(statement.body, "reason", 1000)
    if set(statement.body) != {"reason"} or statement.subject != CLOCK_KEY:
        raise ClientError(
            f"subject must be {CLOCK_KEY!r} and the body exactly {{reason}}", code="bad_field"
        )
    policy = state.get(META_NAMESPACE, WITNESS_POLICY_KEY)
    after_setup = entry.seq == CLOCK_SIMULATED_SEQ + 1 and policy is not None and policy["seq"] == 1
    if entry.seq != CLOCK_SIMULATED_SEQ and not after_setup:
        raise Rejected(
            "only the entry right after the genesis (or after a witness policy logged "
            "right after the genesis) may declare a simulated clock",
            code="simulated_clock_position",
        )
    state.put(META_NAMESPACE, CLOCK_KEY, {"simulated": True, "seq": entry.seq, "reason": reason})


def clock_is_simulated(state: State) -> bool:
    """Whether the log declared a simulated clock at seq 1 (``logged_at`` then vouches
    for nothing and may go backwards)."""
    return state.get(META_NAMESPACE, CLOCK_KEY) is not None


def _clock_key(_: Statement) -> list[tuple[str, str]]:
    return [(META_NAMESPACE, CLOCK_KEY), (META_NAMESPACE, WITNESS_POLICY_KEY)]


def _subject_key(statement: Statement) -> list[tuple[str, str]]:
    return [(KEY_NAMESPACE, statement.subject), (META_NAMESPACE, META_KEY)]


AUTHORITY = frozenset({"authority"})
KINDS = (
    StatementKind(GENESIS_TYPE, AUTHORITY, reduce_genesis, "the log's first entry"),
    StatementKind(
        KEY_REGISTERED_TYPE,
        AUTHORITY,
        reduce_key_registered,
        "register a key",
        prefetch=_subject_key,
    ),
    StatementKind(
        ROLE_GRANTED_TYPE,
        AUTHORITY,
        reduce_role_granted,
        "grant a role",
        prefetch=_subject_key,
    ),
    StatementKind(
        ROLE_REVOKED_TYPE,
        AUTHORITY,
        reduce_role_revoked,
        "revoke a role",
        prefetch=_subject_key,
    ),
    StatementKind(
        KEY_REVOKED_TYPE,
        AUTHORITY,
        reduce_key_revoked,
        "revoke a key",
        prefetch=_subject_key,
    ),
    StatementKind(
        CLOCK_SIMULATED_TYPE,
        AUTHORITY,
        reduce_clock_simulated,
        "declare (at seq 1 only) that this log's logging times are simulated (demo logs)",
        prefetch=_clock_key,
    ),
)


def register(registry: KindRegistry) -> None:
    for kind in KINDS:
        registry.register(kind)


def genesis_signer_key(entry: LoggedEntry) -> bytes:
    """The public key of a genesis entry's signer, taken from the entry itself."""
    statement = entry.signed.statement
    authorities = statement.body.get("authorities")
    if isinstance(authorities, list):
        for item in authorities:
            if isinstance(item, dict):
                try:
                    public_key = _public_key(item, "public_key")
                except ClientError:
                    continue
                if key_id_of(public_key) == statement.signer:
                    return public_key
    raise Rejected("genesis must be signed by one of the authorities it names")
