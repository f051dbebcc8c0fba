"""Test support for procurement: an in-memory log that appends exactly as the sequencer.

``MemoryLog`` signs, sequences and applies statements with ``replay.apply_entry`` on a
``DictState`` (a job is atomic: a rejected job leaves the state untouched), with a
clock that moves only when told. ``Actors`` registers officers, committee members
(with X25519 keys) and vendors on either a ``MemoryLog`` or a database ``Harness``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from nacl.public import PrivateKey
from nacl.signing import SigningKey

from ledger.client import make_signed
from ledger.keys import client_key_id
from ledger.kinds import KindRegistry
from ledger.limits import Limits
from ledger.note import generate_signer
from ledger.replay import apply_entry
from ledger.state import DictState, Overlay
from ledger.statement import ZERO_HASH, LoggedEntry, SignedStatement, b64encode, format_time
from terang.app import all_kinds

START = datetime(2026, 3, 2, 1, 0, 0, tzinfo=UTC)


class Clock:
    def __init__(self, start: datetime = START) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@dataclass
class MemoryLog:
    kinds: KindRegistry = field(default_factory=all_kinds)
    limits: Limits = field(default_factory=Limits)
    clock: Clock = field(default_factory=Clock)
    state: DictState = field(default_factory=DictState)
    entries: list[LoggedEntry] = field(default_factory=list)
    authority: SigningKey = field(default_factory=SigningKey.generate)

    def __post_init__(self) -> None:
        signer = generate_signer("terang.test/log")
        genesis = self.sign(
            self.authority,
            "ledger.genesis",
            "genesis",
            {
                "origin": "terang.test/log",
                "log_verifier_key": signer.verifier_key(),
                "authorities": [
                    {"name": "root", "public_key": b64encode(bytes(self.authority.verify_key))}
                ],
            },
        )
        self.append([genesis])

    def sign(
        self, key: SigningKey, statement_type: str, subject: str, body: dict[str, Any]
    ) -> SignedStatement:
        return make_signed(key, statement_type, subject, body, at=self.clock(), limits=self.limits)

    def append(self, statements: Sequence[SignedStatement]) -> list[LoggedEntry]:
        """One atomic job: all applied, or the first error raised and nothing kept."""
        overlay = Overlay(self.state)
        logged_at = format_time(self.clock())
        made: list[LoggedEntry] = []
        prev = self.entries[-1].leaf_hash() if self.entries else ZERO_HASH
        for signed in statements:
            entry = LoggedEntry(len(self.entries) + len(made), logged_at, prev, signed)
            apply_entry(overlay, self.kinds, entry)
            made.append(entry)
            prev = entry.leaf_hash()
        overlay.commit()
        self.entries.extend(made)
        return made

    def append_direct(self, statements: Sequence[SignedStatement]) -> list[LoggedEntry]:
        return self.append(statements)

    def snapshot(self) -> dict[tuple[str, str], Any]:
        return dict(self.state.items())


class Appender(Protocol):
    def sign(
        self, key: SigningKey, statement_type: str, subject: str, body: dict[str, Any]
    ) -> SignedStatement: ...


@dataclass
class Member:
    key: SigningKey
    box_key: PrivateKey

    @property
    def key_id(self) -> str:
        return client_key_id(self.key)


def register_key(
    log: Any, authority: SigningKey, name: str, roles: list[str], box_key: PrivateKey | None = None
) -> SigningKey:
    """Register a key (with an X25519 key for committee members) through ``log``."""
    key = SigningKey.generate()
    body: dict[str, Any] = {
        "public_key": b64encode(bytes(key.verify_key)),
        "name": name,
        "roles": roles,
    }
    if box_key is not None:
        body["x25519_public_key"] = b64encode(bytes(box_key.public_key))
    signed = log.sign(authority, "registry.key.registered", client_key_id(key), body)
    _append(log, [signed])
    return key


def register_member(log: Any, authority: SigningKey, name: str) -> Member:
    box_key = PrivateKey.generate()
    key = register_key(log, authority, name, ["committee_member"], box_key)
    return Member(key, box_key)


def _append(log: Any, statements: list[SignedStatement]) -> Any:
    if hasattr(log, "ledger"):
        return log.ledger.append_direct(statements)
    return log.append(statements)


def vendor_body(key: SigningKey, name: str, npwp: str) -> dict[str, Any]:
    return {
        "public_key": b64encode(bytes(key.verify_key)),
        "name": name,
        "npwp": npwp,
        "address": "Jl. Merdeka No. 1, Kabupaten Contoh",
        "qualification": "kecil",
    }


_npwp_counter = [100_000_000_000_000]


def fresh_npwp() -> str:
    _npwp_counter[0] += 7
    return str(_npwp_counter[0])


def register_vendor(log: Any, officer: SigningKey | None, name: str) -> SigningKey:
    """A vendor registers itself; activated when ``officer`` is given."""
    key = SigningKey.generate()
    vendor_id = client_key_id(key)
    statements = [
        log.sign(
            key, "procurement.vendor.registered", vendor_id, vendor_body(key, name, fresh_npwp())
        )
    ]
    _append(log, statements)
    if officer is not None:
        _append(log, [log.sign(officer, "procurement.vendor.activated", vendor_id, {})])
    return key
