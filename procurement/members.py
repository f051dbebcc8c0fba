"""Committee members register their own X25519 key, to receive sealed bid shares.

``procurement.member.box_key_registered`` (``committee_member``), subject and signer
the member's own key id, body ``x25519_public_key`` (base64, 32 bytes). The member
generates the X25519 key pair on its own machine (``terang committee register-box-key``)
and signs with its Ed25519 key; the private half never leaves that machine. The key
document in the registry gains (or replaces) ``x25519_public_key``; a tender keeps the
roster it was announced with, so a later rotation changes nothing for it.
"""

from __future__ import annotations

from ledger.authority import KEY_NAMESPACE
from ledger.errors import ClientError
from ledger.state import State
from ledger.statement import LoggedEntry, Statement, b64encode
from procurement import fields
from procurement.errors import rejected
from procurement.registration import ProcurementKind
from procurement.rules import RuleBook

BOX_KEY_REGISTERED = "procurement.member.box_key_registered"


def reduce_box_key_registered(state: State, entry: LoggedEntry, rules: RuleBook) -> None:
    statement = entry.signed.statement
    fields.only_fields(statement.body, frozenset({"x25519_public_key"}))
    public = fields.base64_bytes(statement.body, "x25519_public_key", 32, 32)
    if statement.subject != statement.signer:
        raise ClientError(
            "subject must be the signer's own key id", code="bad_subject", field="subject"
        )
    key = state.get(KEY_NAMESPACE, statement.signer)
    if key is None or key["revoked_seq"] is not None:
        raise rejected("unknown_committee_member", f"{statement.signer} is not an active key")
    key["x25519_public_key"] = b64encode(public)
    key["x25519_registered_seq"] = entry.seq
    state.put(KEY_NAMESPACE, statement.signer, key)


def _prefetch(statement: Statement) -> list[tuple[str, str]]:
    return [(KEY_NAMESPACE, statement.signer)]


REDUCERS = (
    ProcurementKind(
        BOX_KEY_REGISTERED,
        frozenset({"committee_member"}),
        reduce_box_key_registered,
        "a committee member registers its own X25519 key for sealed bid shares",
        _prefetch,
    ),
)
"""This module's statement types (``procurement.registration``): one row each."""
