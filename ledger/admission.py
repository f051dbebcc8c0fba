"""Admission: what a job must pass before it may wait for the sequencer.

The sequencer is the one writer and works under the write lock, so every statement it
looks at before rejecting a job costs every other writer that time (an anonymous
1,000-statement batch refused at its last statement held the lock for about a second).
Admission runs in the request's worker thread, without the lock, and refuses what the
statements and the key registry alone can tell. Checks, per statement in job order (the
first failure wins, with the code and ``statement_index`` the sequencer would give):

1. at most ``self_registrations_per_request_max`` self-signed statements in the job
   (``too_many_self_registrations``, checked first, for the whole job);
2. the statement type is known (``unknown_statement_type``);
3. the signer is registered (``unknown_signer``), unless the kind is self-signed (then
   the key is the body's ``public_key``) or an earlier statement of the same job is about
   the signer (its subject: it may register the key or grant it a role), and not revoked
   (``revoked_signer``: a revocation is for good, so the snapshot's word is final);
4. the signature verifies under the signer's key (``bad_signature``);
5. the signer holds one of the kind's roles (``missing_role``), with the same exception
   as in 3.

Admission never accepts what the log would refuse: the sequencer checks everything
again, in its own order, under the lock (``ledger.replay``). It may refuse a little more
eagerly when the registry changes between the two: a role granted by another job a
moment ago (retry), a repeat (same signer and nonce) of a statement logged before its
signer lost a role is let through, so its first receipt is still returned. What
admission cannot see without the state lock (revocation races, a reducer's rules, clock
skew of a repeat) is left to the sequencer.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Connection

from ledger import storage
from ledger.authority import (
    GENESIS_TYPE,
    KEY_NAMESPACE,
    KEY_REGISTERED_BY,
    KEY_REVOKED_REMEDY,
    ROLE_GRANTED_BY,
    MissingRole,
    RevokedSigner,
    UnknownSigner,
)
from ledger.errors import PayloadTooLarge, TerangError
from ledger.kinds import KindRegistry
from ledger.limits import Limits
from ledger.statement import SignedStatement, b64decode_strict, key_id_of


def self_registrations(kinds: KindRegistry, statements: Sequence[SignedStatement]) -> int:
    """Statements of self-signed kinds (vendor self-registration) in a job."""
    count = 0
    for signed in statements:
        try:
            kind = kinds.get(signed.statement.type)
        except TerangError:
            continue  # refused by check 2
        count += kind.self_signed
    return count


def check_self_registrations(
    kinds: KindRegistry, limits: Limits, statements: Sequence[SignedStatement]
) -> int:
    """Check 1; the job's count of self-registrations."""
    count = self_registrations(kinds, statements)
    if count > limits.self_registrations_per_request_max:
        raise PayloadTooLarge(
            f"a request holds at most {limits.self_registrations_per_request_max} "
            f"self-registrations; this one holds {count}",
            code="too_many_self_registrations",
            limit="self_registrations_per_request_max",
        )
    return count


def key_documents(conn: Connection, key_ids: Sequence[str]) -> dict[str, dict[str, Any]]:
    """The registry's documents of ``key_ids`` (absent keys are left out)."""
    p = storage.projection_rows.c
    found: dict[str, dict[str, Any]] = {}
    wanted = sorted(set(key_ids))
    for chunk in storage.in_chunks(wanted):
        rows = conn.execute(
            select(p.key, p.value).where(p.namespace == KEY_NAMESPACE, p.key.in_(chunk))
        )
        for key, value in rows:
            found[key] = json.loads(value)
    return found


def logged_pairs(conn: Connection, pairs: Sequence[tuple[str, str]]) -> set[tuple[str, str]]:
    """The (signer, nonce) pairs among ``pairs`` that the log already holds."""
    e = storage.entries.c
    found: set[tuple[str, str]] = set()
    wanted = sorted(set(pairs))
    for chunk in storage.in_chunks(wanted):
        rows = conn.execute(
            select(e.signer, e.nonce).where(storage.pairs_condition(e.signer, e.nonce, chunk))
        )
        found.update((signer, nonce) for signer, nonce in rows)
    return found


def first_refusal(
    kinds: KindRegistry,
    statements: Sequence[SignedStatement],
    registry: Mapping[str, Mapping[str, Any]],
    *,
    origin: str,
    skip: frozenset[int] = frozenset(),
) -> tuple[int, TerangError] | None:
    """Checks 2 to 5 against a snapshot of the key registry: the first refused
    statement's index and error, or None. Statements at ``skip`` are not checked (but
    still vouch for their subjects). No I/O."""
    subjects_so_far: set[str] = set()
    for index, signed in enumerate(statements):
        statement = signed.statement
        if index in skip:
            subjects_so_far.add(statement.subject)
            continue
        try:
            kind = kinds.get(statement.type)
            vouched = statement.signer in subjects_so_far
            signer = registry.get(statement.signer)
            if signer is not None and signer.get("revoked_seq") is not None:
                raise RevokedSigner(  # for good: a revoked key is never restored
                    f"signer {statement.signer} was revoked at seq {signer['revoked_seq']}."
                    f" {KEY_REVOKED_REMEDY}",
                    signer=statement.signer,
                )
            if signer is not None:
                public_key = b64decode_strict(signer["public_key"], field="public_key")
                signed.verify(public_key, origin=origin)
                if not vouched and not kind.roles.intersection(signer["roles"]):
                    raise MissingRole(
                        f"{statement.type} needs one of the roles "
                        f"{', '.join(sorted(kind.roles))}; signer holds "
                        f"{', '.join(signer['roles']) or 'none'}. {ROLE_GRANTED_BY}",
                        signer=statement.signer,
                        required_roles=sorted(kind.roles),
                    )
            elif kind.self_signed:
                own_key = b64decode_strict(
                    str(statement.body.get("public_key", "")), field="public_key"
                )
                if key_id_of(own_key) != statement.signer:
                    raise UnknownSigner("signer is not the key id of body.public_key")
                signed.verify(own_key, origin=origin)
            elif not vouched:
                raise UnknownSigner(
                    f"signer {statement.signer} is not a registered key. {KEY_REGISTERED_BY}",
                    signer=statement.signer,
                )
        except TerangError as error:
            return index, error
        subjects_so_far.add(statement.subject)
    return None


def admit(
    conn: Connection,
    kinds: KindRegistry,
    limits: Limits,
    statements: Sequence[SignedStatement],
    *,
    origin: str,
) -> None:
    """Raise the first refusal of checks 1 to 5, or return: the job may be queued.
    Signatures are checked as the sequencer will log them: for log ``origin``, in the
    current entry format."""
    check_self_registrations(kinds, limits, statements)
    if any(s.statement.type == GENESIS_TYPE for s in statements):
        return  # the log's first job (terang init): the sequencer checks it alone
    registry = key_documents(conn, [s.statement.signer for s in statements])
    refused = first_refusal(kinds, statements, registry, origin=origin)
    if refused is None:
        return
    # A repeat of a logged statement is answered by the sequencer with its first receipt
    # (idempotency comes first there); only statements new to the log are refused here.
    logged = logged_pairs(conn, [(s.statement.signer, s.statement.nonce) for s in statements])
    if logged:
        repeats = frozenset(
            i for i, s in enumerate(statements) if (s.statement.signer, s.statement.nonce) in logged
        )
        refused = first_refusal(kinds, statements, registry, origin=origin, skip=repeats)
        if refused is None:
            return
    index, error = refused
    error.details.setdefault("statement_index", index)
    raise error
