"""The verifier's rule for entry formats (issue 10, 6c): legacy v1 logs still replay;
a log never goes back from v2 (origin-bound signatures) to v1; a genesis names its log."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from nacl.signing import SigningKey

from audit.verifier import LogFault, LogReplayer
from ledger.keys import client_key_id
from ledger.limits import Limits
from ledger.note import generate_signer
from ledger.statement import (
    STATEMENT_SIGNATURE_DOMAIN_V1,
    ZERO_HASH,
    LoggedEntry,
    SignedStatement,
    Statement,
    b64encode,
    format_time,
    sign_statement,
)
from terang.app import all_kinds

ORIGIN = "terang.test/legacy-log"
LIMITS = Limits()
AT = datetime(2025, 1, 6, 8, 0, tzinfo=UTC)
AUTHORITY = SigningKey(bytes(range(32)))


def statement(statement_type: str, subject: str, body: dict[str, Any], n: int) -> Statement:
    return Statement.from_json(
        {
            "type": statement_type,
            "subject": subject,
            "signer": client_key_id(AUTHORITY),
            "time": format_time(AT),
            "nonce": f"nonce-{n:012d}",
            "body": body,
        },
        LIMITS,
    )


def signed(value: Statement, version: int, origin: str = ORIGIN) -> SignedStatement:
    if version == 1:  # what clients signed before the origin binding
        signature = AUTHORITY.sign(STATEMENT_SIGNATURE_DOMAIN_V1 + value.canonical()).signature
        return SignedStatement(value, bytes(signature))
    return sign_statement(value, AUTHORITY, origin=origin)


def log_of(versions: list[int], *, genesis_origin: str = ORIGIN) -> list[LoggedEntry]:
    """A genesis then role grants/revocations on a registered key, in the given formats."""
    other = SigningKey(bytes(range(1, 33)))
    genesis = statement(
        "ledger.genesis",
        "genesis",
        {
            "origin": genesis_origin,
            "log_verifier_key": generate_signer(ORIGIN).verifier_key(),
            "authorities": [{"name": "root", "public_key": b64encode(bytes(AUTHORITY.verify_key))}],
        },
        0,
    )
    register = statement(
        "registry.key.registered",
        client_key_id(other),
        {"public_key": b64encode(bytes(other.verify_key)), "name": "officer", "roles": []},
        1,
    )
    statements = [genesis, register]
    for n in range(2, len(versions)):
        kind = "registry.role.granted" if n % 2 == 0 else "registry.role.revoked"
        statements.append(statement(kind, client_key_id(other), {"role": "auditor"}, n))
    entries: list[LoggedEntry] = []
    prev = ZERO_HASH
    for seq, (value, version) in enumerate(zip(statements, versions, strict=True)):
        entry = LoggedEntry(seq, format_time(AT), prev, signed(value, version), version)
        entries.append(entry)
        prev = entry.leaf_hash()
    return entries


def replay(entries: list[LoggedEntry]) -> LogReplayer:
    replayer = LogReplayer(all_kinds(), LIMITS, ORIGIN)
    for entry in entries:
        replayer.feed(entry.entry_bytes())
    return replayer


def test_a_legacy_v1_log_still_replays_and_is_reported_as_such() -> None:
    replayer = replay(log_of([1, 1, 1, 1]))
    assert replayer.size == 4
    assert replayer.legacy_entries == 4


def test_a_legacy_log_may_move_on_to_v2_entries() -> None:
    replayer = replay(log_of([1, 1, 2, 2, 2]))
    assert replayer.size == 5
    assert replayer.legacy_entries == 2


@pytest.mark.parametrize("versions", [[2, 1, 1], [2, 2, 1], [1, 2, 1, 2]])
def test_once_v2_a_log_never_takes_a_v1_entry(versions: list[int]) -> None:
    with pytest.raises(LogFault) as caught:
        replay(log_of(versions))
    assert caught.value.details["fault"] == "version_downgrade"
    assert caught.value.details["seq"] == versions.index(1, versions.index(2))


def test_a_v2_signature_for_another_log_fails_the_replay() -> None:
    entries = log_of([2, 2, 2])
    last = entries[-1]
    foreign = sign_statement(last.signed.statement, AUTHORITY, origin="terang.test/elsewhere")
    entries[-1] = LoggedEntry(last.seq, last.logged_at, last.prev, foreign)
    with pytest.raises(LogFault) as caught:
        replay(entries)
    assert caught.value.details["fault"] == "bad_signature"
    assert caught.value.details["seq"] == 2


def test_a_genesis_naming_another_origin_is_refused() -> None:
    """The genesis names its log, so another log's genesis (and its history) is not this one."""
    with pytest.raises(LogFault) as caught:
        replay(log_of([2, 2], genesis_origin="terang.test/elsewhere"))
    assert caught.value.details["fault"] == "genesis_origin"
