"""Applying one logged entry to state: the single rule shared by writer and verifier.

Order of checks (the first failure wins, always the same for the same input):

0. time order (``check_time_order``, given the entry before): ``logged_at`` never goes
   back. The operator's clock is not trusted for the time of an entry; a log whose
   times run backwards would let a bid refused after a deadline be logged "earlier"
   by setting the clock back, so replay refuses it (``logged_at_backwards``);
1. position: entry 0 is the genesis and only entry 0 is;
2. the statement type is known;
3. the signer is registered and not revoked (genesis: named in its own body, which
   must name this log's origin);
4. the signature verifies under the signer's registered key, as made for this log
   (``origin``) in the entry's format (``v``: 2 binds the origin, 1 is legacy);
5. the signer holds one of the roles the type requires;
6. for entries logged from ``text.TEXT_RULE_FROM`` on, the statement's subject and every
   string of its body pass the text rule (``ledger.text``: no control, bidirectional
   formatting or invisible characters, NFC), whatever the type;
7. the type's reducer accepts it given the state.

Nothing here reads a clock or a database: the entry carries its logging time and the
state is passed in, so the offline verifier replays exactly what the server did.
"""

from __future__ import annotations

import contextlib
from functools import lru_cache

from ledger.authority import (
    GENESIS_TYPE,
    KEY_NAMESPACE,
    MissingRole,
    RevokedSigner,
    UnknownSigner,
    genesis_signer_key,
    key_document,
)
from ledger.errors import InvariantBroken, TerangError
from ledger.kinds import KindRegistry, Rejected
from ledger.limits import SIGNER_KEYS_CACHED_MAX
from ledger.state import State
from ledger.statement import LoggedEntry, Statement, b64decode_strict, key_id_of, parse_time
from ledger.text import check_strings, check_text, text_rule_applies


class LoggedAtBackwards(InvariantBroken):
    """An entry is logged at an earlier time than the entry before it.

    The sequencer never writes one (its time is ``max(clock, head's logged_at)``), so
    finding one means the log was written behind the sequencer's back.
    """

    code = "logged_at_backwards"


def check_time_order(previous: str | None, entry: LoggedEntry, *, simulated: bool = False) -> None:
    """Rule 0: ``entry.logged_at`` is not before ``previous``, the ``logged_at`` of entry
    ``seq - 1`` (None for entry 0).

    Equal times are allowed: a batch shares one time, and a clock set back stalls.
    ``simulated``: the log declared a simulated clock right after its genesis
    (``authority.CLOCK_SIMULATED_TYPE``, demo logs only): times are not ordered.
    Both strings passed ``TIME_PATTERN`` (fixed widths but the fraction), so when their
    lengths are equal they compare as text (the hot path: every entry Terang writes has
    milliseconds); otherwise they are parsed.
    """
    if previous is None or simulated:
        return
    at = entry.logged_at
    backwards = (
        at < previous
        if len(at) == len(previous)
        else parse_time(at, field="logged_at") < parse_time(previous, field="logged_at")
    )
    if backwards:
        raise LoggedAtBackwards(
            f"entry {entry.seq} is logged at {at}, before the entry before it ({previous})",
            seq=entry.seq,
            logged_at=at,
        )


def keys_to_prefetch(kinds: KindRegistry, statement: Statement) -> list[tuple[str, str]]:
    """State keys that applying ``statement`` will read: its signer, and its kind's hint."""
    keys = [(KEY_NAMESPACE, statement.signer)]
    # An unknown type is refused when applied; there is nothing to prefetch for it.
    with contextlib.suppress(TerangError):
        keys.extend(kinds.get(statement.type).prefetch(statement))
    return keys


def apply_entry(state: State, kinds: KindRegistry, entry: LoggedEntry, *, origin: str) -> None:
    """Check and apply ``entry`` of log ``origin`` to ``state``; raise a ``TerangError``
    if it is not valid."""
    statement = entry.signed.statement
    if (entry.seq == 0) != (statement.type == GENESIS_TYPE):
        raise Rejected(
            "the first entry must be the genesis, and only the first"
            if entry.seq == 0
            else "the log already has its genesis",
            code="genesis_position",
        )
    kind = kinds.get(statement.type)
    if statement.type == GENESIS_TYPE:
        if statement.body.get("origin") != origin:
            # A genesis names the log it starts; another log's genesis is not this one's.
            raise Rejected(
                f"the genesis names the origin {str(statement.body.get('origin'))[:200]!r},"
                f" not this log's {origin!r}",
                code="genesis_origin",
            )
        entry.verify_signature(genesis_signer_key(entry), origin=origin)
        check_text_rule(entry)
        kind.reduce(state, entry)
        return
    signer = key_document(state, statement.signer)
    if signer is None:
        if not kind.self_signed:
            raise UnknownSigner(
                f"signer {statement.signer} is not a registered key", signer=statement.signer
            )
        # A self-signed statement registers its own signer: the key is in the body.
        own_key = b64decode_strict(str(statement.body.get("public_key", "")), field="public_key")
        if key_id_of(own_key) != statement.signer:
            raise UnknownSigner("signer is not the key id of body.public_key")
        entry.verify_signature(own_key, origin=origin)
    elif signer["revoked_seq"] is not None:
        raise RevokedSigner(
            f"signer {statement.signer} was revoked at seq {signer['revoked_seq']}",
            signer=statement.signer,
        )
    if signer is not None:
        entry.verify_signature(_registered_public_key(signer["public_key"]), origin=origin)
        if not kind.roles.intersection(signer["roles"]):
            raise MissingRole(
                f"{statement.type} needs one of the roles {', '.join(sorted(kind.roles))};"
                f" signer holds {', '.join(signer['roles']) or 'none'}",
                signer=statement.signer,
                required_roles=sorted(kind.roles),
            )
    check_text_rule(entry)
    kind.reduce(state, entry)


def check_text_rule(entry: LoggedEntry) -> None:
    """Step 6: the dated text rule, before any reducer reads the strings.

    A pass is remembered on the (immutable) entry, as a signature check is, so the
    verifier's workers can check it ahead of the replay (``audit.parse_ahead``); a
    failure is not, and is raised again where the replay reaches it."""
    if entry.__dict__.get("_text_rule_passed"):
        return
    if text_rule_applies(entry.logged_at):
        statement = entry.signed.statement
        check_text(statement.subject, "subject")
        check_strings(statement.body, "body")
    entry.__dict__["_text_rule_passed"] = True


@lru_cache(maxsize=SIGNER_KEYS_CACHED_MAX)
def _registered_public_key(text: str) -> bytes:
    """A registered key's bytes from its base64 (a pure function, so kept: every entry's
    signer is decoded again otherwise)."""
    return b64decode_strict(text, field="public_key")
