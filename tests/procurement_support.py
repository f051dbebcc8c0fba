"""Test support for procurement: an in-memory log that appends exactly as the sequencer.

``MemoryLog`` signs, sequences and applies statements with ``replay.apply_entry`` on a
``DictState`` (a job is atomic: a rejected job leaves the state untouched), with a
clock that moves only when told. ``Actors`` registers officers, committee members
(with X25519 keys) and vendors on either a ``MemoryLog`` or a database ``Harness``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from conftest import Clock
from fastapi.testclient import TestClient
from nacl.public import PrivateKey
from nacl.signing import SigningKey

from budgeting.money import format_amount
from ledger.client import LedgerClient
from ledger.keys import client_key_id
from ledger.kinds import KindRegistry
from ledger.limits import Limits
from ledger.note import generate_signer
from ledger.replay import apply_entry
from ledger.signing import make_signed
from ledger.state import DictState, Overlay
from ledger.statement import (
    ZERO_HASH,
    LoggedEntry,
    SignedStatement,
    b64decode_strict,
    b64encode,
    format_time,
)
from procurement import sealed
from terang.app import all_kinds

START = datetime(2026, 3, 2, 1, 0, 0, tzinfo=UTC)


def clock_at_start() -> Clock:
    """The test clock (``conftest.Clock``) at ``START``."""
    return Clock(START)


@dataclass
class MemoryLog:
    kinds: KindRegistry = field(default_factory=all_kinds)
    limits: Limits = field(default_factory=Limits)
    clock: Clock = field(default_factory=clock_at_start)
    state: DictState = field(default_factory=DictState)
    entries: list[LoggedEntry] = field(default_factory=list)
    authority: SigningKey = field(default_factory=SigningKey.generate)
    origin: str = "terang.test/log"

    def __post_init__(self) -> None:
        signer = generate_signer(self.origin)
        genesis = self.sign(
            self.authority,
            "ledger.genesis",
            "genesis",
            {
                "origin": self.origin,
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
        return make_signed(
            key,
            statement_type,
            subject,
            body,
            at=self.clock(),
            origin=self.origin,
            limits=self.limits,
        )

    def append(self, statements: Sequence[SignedStatement]) -> list[LoggedEntry]:
        """One atomic job: all applied, or the first error raised and nothing kept."""
        overlay = Overlay(self.state)
        logged_at = format_time(self.clock())
        made: list[LoggedEntry] = []
        prev = self.entries[-1].leaf_hash() if self.entries else ZERO_HASH
        for signed in statements:
            entry = LoggedEntry(len(self.entries) + len(made), logged_at, prev, signed)
            apply_entry(overlay, self.kinds, entry, origin=self.origin)
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


# -- a tender scenario, on a MemoryLog or a database Harness --------------------------

LINE = "2026:1.02.0.00.0.00.01.0000:1.02.02.2.01.0001:5.1.02.01.01.0024:DAU"
OCID = "ocds-t3r4ng-2026-0001"
HPS_SEN = 50_000_000_000  # Rp 500 juta


def setup_budget_line(log: Any, finance: SigningKey, amount_sen: int, line: str = LINE) -> str:
    from budgeting import statements as st

    posts = [
        st.structure("fiscal_year", "2026", "TA 2026"),
        st.structure("programme", "1", "Urusan wajib pelayanan dasar"),
        st.structure("programme", "1.02", "Kesehatan"),
        st.structure("programme", "1.02.02", "Program pemenuhan upaya kesehatan"),
        st.structure("programme", "1.02.02.2.01", "Penyediaan fasilitas kesehatan"),
        st.structure("programme", "1.02.02.2.01.0001", "Pengadaan alat kesehatan"),
        st.structure("opd", "1.02.0.00.0.00.01.0000", "Dinas Kesehatan"),
        st.structure("account", "5", "Belanja"),
        st.structure("account", "5.1", "Belanja operasi"),
        st.structure("account", "5.1.02", "Belanja barang dan jasa"),
        st.structure("account", "5.1.02.01", "Belanja barang"),
        st.structure("account", "5.1.02.01.01", "Belanja barang pakai habis"),
        st.structure("account", "5.1.02.01.01.0024", "Belanja alat/bahan kantor"),
        st.structure("funding_source", "DAU", "Dana Alokasi Umum"),
        st.appropriation(line, "DPA-2026-0001", amount_sen),
    ]
    _append(
        log, [p.sign(finance, at=log.clock(), origin=log.origin, limits=Limits()) for p in posts]
    )
    return line


def iso(moment: datetime) -> str:
    return format_time(moment)


@dataclass
class Scenario:
    """Officer, finance, a committee of three (k = 2), vendors, a budget line."""

    log: Any
    officer: SigningKey
    finance: SigningKey
    members: list[Member]
    vendors: list[SigningKey]
    ocid: str = OCID
    threshold: int = 2

    @classmethod
    def build(
        cls, log: Any, vendors: int = 3, budget_sen: int = 100_000_000_000, threshold: int = 2
    ) -> Scenario:
        authority = log.authority
        officer = register_key(log, authority, "pokja-ppk", ["procurement_officer"])
        finance = register_key(log, authority, "bpkad", ["finance"])
        members = [register_member(log, authority, f"anggota-{i}") for i in range(3)]
        setup_budget_line(log, finance, budget_sen)
        vendor_keys = [register_vendor(log, officer, f"CV Vendor {i}") for i in range(vendors)]
        return cls(log, officer, finance, members, vendor_keys, threshold=threshold)

    def sign(self, key: SigningKey, statement_type: str, body: dict[str, Any]) -> SignedStatement:
        return self.log.sign(key, statement_type, self.ocid, body)

    def append(self, key: SigningKey, statement_type: str, body: dict[str, Any]) -> Any:
        return _append(self.log, [self.sign(key, statement_type, body)])

    def package(
        self,
        hps_sen: int = HPS_SEN,
        method: str = "tender",
        items: list[dict[str, Any]] | None = None,
    ) -> None:
        self.append(
            self.officer,
            "procurement.package.created",
            {
                "title": "Pengadaan alat kesehatan puskesmas",
                "budget_line": LINE,
                "category": "goods",
                "hps": format_amount(hps_sen),
                "method": method,
                **({"items": items} if items is not None else {}),
            },
        )

    def announce_body(self, days: int = 10) -> dict[str, Any]:
        now = self.log.clock()
        return {
            "documents": [{"name": "Dokumen pemilihan", "sha256": "ab" * 32}],
            "clarification_end": iso(now + timedelta(days=3)),
            "bid_deadline": iso(now + timedelta(days=days)),
            "committee": {
                "members": [m.key_id for m in self.members],
                "threshold": self.threshold,
            },
        }

    def announce(self, days: int = 10) -> None:
        self.append(self.officer, "procurement.tender.announced", self.announce_body(days))

    def tender(self) -> dict[str, Any]:
        return self.read("procurement.tender", self.ocid)

    def bid_doc(self, vendor: SigningKey) -> dict[str, Any]:
        return self.read("procurement.bid", f"{self.ocid}|{client_key_id(vendor)}")

    def read(self, namespace: str, key: str) -> dict[str, Any]:
        if hasattr(self.log, "ledger"):
            from procurement.reads import document

            with self.log.ledger.engine.connect() as conn:
                found = document(conn, namespace, key)
        else:
            found = self.log.state.get(namespace, key)
        assert found is not None, (namespace, key)
        return found

    def bid_statement(
        self, vendor: SigningKey, price_sen: int, *, replace: bool = False, addendum: int = 0
    ) -> SignedStatement:
        from procurement.client import bid_statement, seal_bid

        tender = self.tender()
        sealed = seal_bid(
            self.ocid,
            client_key_id(vendor),
            price_sen,
            tender["committee"]["members"],
            tender["committee"]["threshold"],
            addendum=addendum,
        )
        return bid_statement(
            vendor, self.ocid, sealed, at=self.log.clock(), origin=self.log.origin, replace=replace
        )

    def bid(self, vendor: SigningKey, price_sen: int, **kwargs: Any) -> Any:
        return _append(self.log, [self.bid_statement(vendor, price_sen, **kwargs)])

    def close(self) -> None:
        deadline = datetime.fromisoformat(self.tender()["schedule"]["bid_deadline"][:-1] + "+00:00")
        if self.log.clock() < deadline:
            self.log.clock.now = deadline
        self.append(self.officer, "procurement.tender.closed", {})

    def release(self, member: Member, bidders: list[SigningKey] | None = None) -> Any:
        from procurement.client import release_shares

        chosen = self.vendors if bidders is None else bidders
        bids = []
        for vendor in chosen:
            try:
                bids.append(self.bid_doc(vendor))
            except AssertionError:
                continue
        releases, bad = release_shares(member.key_id, member.box_key, self.ocid, bids)
        assert not bad
        return _append(
            self.log,
            [self.sign(member.key, "procurement.tender.shares_released", {"shares": releases})],
        )

    def open(self) -> None:
        for member in self.members[: self.threshold]:
            self.release(member)
        self.append(self.officer, "procurement.tender.opened", {})

    def evaluate(self, results: list[tuple[SigningKey, bool, str]]) -> None:
        self.append(
            self.officer,
            "procurement.tender.evaluated",
            {
                "results": [
                    {
                        "bidder": client_key_id(v),
                        "passed": passed,
                        "score": score,
                        "reasons": "memenuhi syarat" if passed else "tidak memenuhi syarat",
                    }
                    for v, passed, score in results
                ]
            },
        )

    def announce_winner(self, vendor: SigningKey) -> None:
        self.append(
            self.officer, "procurement.tender.winner_announced", {"winner": client_key_id(vendor)}
        )

    def award_statements(self, posting_id: str = "KONTRAK-2026-0001") -> list[SignedStatement]:
        from procurement.client import award_batch

        return award_batch(
            self.officer,
            self.finance,
            self.tender(),
            posting_id,
            at=self.log.clock(),
            origin=self.log.origin,
        )


def format_2_body(
    s: Scenario, dealing: sealed.Dealing, shares: list[sealed.Share], plaintext: bytes
) -> dict[str, Any]:
    members = s.tender()["committee"]["members"]
    ciphertext = sealed.encrypt(sealed.bid_key_from_secret(dealing.secret), plaintext)
    return {
        "v": 2,
        "ciphertext": b64encode(ciphertext),
        "ciphertext_sha256": hashlib.sha256(ciphertext).hexdigest(),
        "content_sha256": hashlib.sha256(plaintext).hexdigest(),
        "addendum": 0,
        "commitments": [b64encode(c) for c in dealing.commitments],
        "shares": [
            {
                "member": member["key_id"],
                "sealed": b64encode(
                    sealed.seal_share(
                        b64decode_strict(member["x25519_public_key"], field="box key"), share
                    )
                ),
            }
            for member, share in zip(members, shares, strict=True)
        ],
    }


def poison_body(s: Scenario, plaintext: bytes) -> dict[str, Any]:
    """A bid whose envelope is whatever the vendor chose (it holds the key whole)."""
    dealing = sealed.deal(s.threshold, len(s.members))
    return format_2_body(s, dealing, dealing.shares, plaintext)


class InProcessClient(LedgerClient):
    """A ``LedgerClient`` over a FastAPI ``TestClient``: the CLI's calls stay in-process."""

    def __init__(self, http: TestClient) -> None:
        self.http = http

    def close(self) -> None:  # the test owns the TestClient
        pass


# -- the client-side CLI, in-process --------------------------------------------------


@dataclass
class InProcessCli:
    """``terang ...`` run with ``CliRunner`` against an in-process service (``http``)."""

    http: TestClient

    def __call__(self, *args: str, answer: str | None = None) -> Any:
        from typer.testing import CliRunner

        from terang.cli import app

        return CliRunner().invoke(app, list(args), input=answer)


@contextmanager
def cli_against(harness: Any, monkeypatch: Any) -> Iterator[InProcessCli]:
    """The officer's, vendor's and finance's commands talking to ``harness``'s service,
    on its clock (``monkeypatch`` undoes both at the end of the test)."""
    from terang import cli_officer, cli_procurement
    from terang.app import create_app

    with TestClient(create_app(harness.ledger)) as http:
        for module in (cli_procurement, cli_officer):
            monkeypatch.setattr(module, "connect", lambda _url: InProcessClient(http))
            monkeypatch.setattr(module, "utc_now", harness.clock)
        yield InProcessCli(http)


def refused(result: Any) -> str:
    """The code of the Terang error a command stopped with (the CLI prints it so)."""
    from ledger.errors import TerangError

    assert result.exit_code != 0
    assert isinstance(result.exception, TerangError), result.output
    return result.exception.code


def key_file(path: Any, key: Any) -> str:
    """``key`` written as a client key file at ``path`` (mode 0600); its path."""
    from ledger.keys import CLIENT_KEY_PREFIX, write_secret_file

    write_secret_file(path, CLIENT_KEY_PREFIX + b64encode(bytes(key)))
    return str(path)
