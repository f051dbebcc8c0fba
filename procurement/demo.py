"""Procurement demo data for ``terang demo``: tenders in different states on the demo budget.

On the demo fiscal year's belanja lines (``budgeting.demo``: the year before the
ledger clock's), with the demo people's keys:

* a tender **awarded**, with a contract countersigned by the vendor and a paid advance
  (uang muka): budget commitment and realisation visible on its line;
* a tender **opened**: three sealed bids, closed, opened by two of three Pokja members;
* a tender **cancelled** after its announcement;
* a package **planned** (not yet announced);
* a tender **closed** with two sealed bids, awaiting the Pokja's share releases (try
  ``terang committee release --key keys/pokja1.key --box-key keys/pokja1.box``);
* a tender **announced and open for bids** now (deadline in two weeks), for
  ``terang vendor bid`` against the demo service.

The Pokja members' X25519 keys are new files ``keys/pokjaN.box`` (mode 0600, the
format of ``terang committee register-box-key``), registered by the members
themselves; a third vendor key ``keys/vendor3.key`` is added.

Time: a tender's steps are judged at their logging time, and a bid window is days
long, so the past tenders' histories are logged by a sequencer on a **simulated clock
inside the demo fiscal year** (March to November). Their logging times therefore lie
before the budget postings' that precede them in the log: the one place where the
demo log's logging times are not in order. Only the demo does this; the service's
sequencer always reads the real clock. The open tender is logged on the real clock.

Idempotent: a tender that exists is skipped (so is a registered vendor or box key),
and every statement of the simulated history has a deterministic nonce.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from nacl.public import PrivateKey
from nacl.signing import SigningKey

from budgeting import reducers as budget
from budgeting import statements as budget_statements
from ledger.authority import KEY_NAMESPACE
from ledger.client import make_signed
from ledger.errors import TerangError
from ledger.keys import client_key_id, generate_client_key, load_client_key
from ledger.sequencer import Sequencer
from ledger.service import Ledger
from ledger.statement import SignedStatement, b64encode, format_time
from procurement import client as pc
from procurement import contracts as ct
from procurement import lifecycle as lc
from procurement.fields import wire_amount
from procurement.members import BOX_KEY_REGISTERED
from procurement.reads import document, prefixed
from procurement.vendors import VENDOR_NAMESPACE

OCID_PREFIX = "ocds-t3r4ng"
JUTA = 100_000_000  # Rp 1 juta in sen
HOUR = timedelta(hours=1)
DAY = timedelta(days=1)
VENDORS = (
    ("vendor1", "CV Maju Jaya Konstruksi", "01.234.567.8-123.000", "kecil"),
    ("vendor2", "PT Sinar Terang Abadi", "02.345.678.9-234.000", "menengah"),
    ("vendor3", "CV Karya Mandiri Sejahtera", "03.456.789.0-345.000", "kecil"),
)


def _box_key(path: Path) -> PrivateKey:
    if path.exists():
        return pc.load_box_key(path)
    key = PrivateKey.generate()
    pc.write_box_key(path, key)
    return key


def _client_key(keys_dir: Path, label: str) -> SigningKey:
    path = keys_dir / f"{label}.key"
    return load_client_key(path) if path.exists() else generate_client_key(path)


class SimulatedLog:
    """Appends through a sequencer whose clock is set by the demo (see the module doc)."""

    def __init__(self, ledger: Ledger) -> None:
        self.now = datetime(2000, 1, 1, tzinfo=UTC)
        self.sequencer = Sequencer(
            ledger.engine,
            ledger.kinds,
            ledger.limits,
            lambda: self.now,
            after_commit=ledger.publisher.publish,
        )
        self.limits = ledger.limits
        self.statements = 0

    def at(self, moment: datetime) -> None:
        self.now = max(self.now, moment)

    def sign(
        self, key: SigningKey, statement_type: str, subject: str, body: dict[str, Any]
    ) -> SignedStatement:
        nonce = (
            "demo-"
            + hashlib.sha256(
                f"{statement_type}\0{subject}\0{client_key_id(key)}\0{format_time(self.now)}".encode()
            ).hexdigest()[:32]
        )
        return make_signed(
            key, statement_type, subject, body, at=self.now, nonce=nonce, limits=self.limits
        )

    def append(self, statements: Sequence[SignedStatement]) -> None:
        (result,) = self.sequencer.append_batch([statements])
        if isinstance(result, TerangError):
            raise result
        self.statements += len(statements)


@dataclass
class People:
    officer: SigningKey
    finance: SigningKey
    pokja: list[tuple[SigningKey, PrivateKey]]
    vendors: list[SigningKey]

    def member_ids(self) -> list[str]:
        return [client_key_id(k) for k, _ in self.pokja]


def _setup_people(ledger: Ledger, log: SimulatedLog, keys_dir: Path, year: int) -> People:
    officer = _client_key(keys_dir, "procurement")
    finance = _client_key(keys_dir, "finance")
    log.at(datetime(year, 2, 3, 1, 0, tzinfo=UTC))
    pokja = []
    with ledger.engine.connect() as conn:
        for i in (1, 2, 3):
            key = _client_key(keys_dir, f"pokja{i}")
            box = _box_key(keys_dir / f"pokja{i}.box")
            public = b64encode(bytes(box.public_key))
            doc = document(conn, KEY_NAMESPACE, client_key_id(key))
            if doc is not None and doc.get("x25519_public_key") != public:
                log.append(
                    [
                        log.sign(
                            key,
                            BOX_KEY_REGISTERED,
                            client_key_id(key),
                            {"x25519_public_key": public},
                        )
                    ]
                )
            pokja.append((key, box))
        vendors: list[SigningKey] = []
        for label, name, npwp, qualification in VENDORS:
            key = _client_key(keys_dir, label)
            vendor_id = client_key_id(key)
            if document(conn, VENDOR_NAMESPACE, vendor_id) is None:
                address = f"Jl. Pahlawan No. {len(vendors) + 3}, Kabupaten Contoh"
                log.append([pc.registration(key, name, npwp, address, qualification, at=log.now)])
                log.append([log.sign(officer, "procurement.vendor.activated", vendor_id, {})])
            vendors.append(key)
    return People(officer, finance, pokja, vendors)


def _lines(ledger: Ledger, year: int, needed: int) -> list[dict[str, Any]]:
    """Belanja barang/jasa and modal lines with room for a tender, in id order.

    The first has cash room (allotted less realised, from April on) for the awarded
    tender's advance; the others need only budget room, and are reused if few.
    """
    with ledger.engine.connect() as conn:
        lines = prefixed(conn, budget.NS_LINE, f"{year}:", limit=5000)
    candidates = [
        line
        for line in sorted(lines, key=lambda d: str(d["line_id"]))
        if str(line["account"]).startswith(("5.1.02", "5.2"))
        and line["available_sen"] >= 450 * JUTA
    ]
    first = next(
        (c for c in candidates if _cash_room(c, 4) >= _hps(c) * 3 // 10),
        None,
    )
    if first is None:
        return []
    others = [c for c in candidates if c is not first]
    if not others:
        return [first]
    return [first, *(others[i % len(others)] for i in range(needed - 1))]


def _cash_room(line: dict[str, Any], month: int) -> int:
    """What a payment dated in ``month`` may take without passing any month's cash plan."""
    allotted = realised = 0
    room = None
    for m in range(12):
        allotted += line["allotted_by_month"][m]
        realised += line["realised_by_month"][m]
        if m + 1 >= month:
            room = allotted - realised if room is None else min(room, allotted - realised)
    return room or 0


def _hps(line: dict[str, Any]) -> int:
    available: int = line["available_sen"]
    return min(2_000 * JUTA, available * 9 // 10) // JUTA * JUTA


def _package(log: SimulatedLog, people: People, ocid: str, line: dict[str, Any], title: str) -> int:
    hps = _hps(line)
    body = {
        "title": title,
        "budget_line": line["line_id"],
        "category": "works" if str(line["account"]).startswith("5.2") else "goods",
        "hps": wire_amount(hps),
        "method": "tender",
        "rup_code": "RUP-" + ocid.rsplit("-", 1)[-1],
    }
    log.append([log.sign(people.officer, lc.PACKAGE_CREATED, ocid, body)])
    return hps


def _announce(log: SimulatedLog, people: People, ocid: str, title: str) -> None:
    digest = hashlib.sha256(f"dokumen pemilihan {ocid} {title}".encode()).hexdigest()
    body = {
        "documents": [{"name": "Dokumen pemilihan", "sha256": digest}],
        "clarification_end": format_time(log.now + 4 * DAY),
        "bid_deadline": format_time(log.now + 10 * DAY),
        "committee": {"members": people.member_ids(), "threshold": 2},
    }
    log.append([log.sign(people.officer, lc.ANNOUNCED, ocid, body)])


def _tender(ledger: Ledger, ocid: str) -> dict[str, Any] | None:
    with ledger.engine.connect() as conn:
        return document(conn, lc.TENDER_NAMESPACE, ocid)


def _bid(ledger: Ledger, log: SimulatedLog, vendor: SigningKey, ocid: str, price: int) -> None:
    tender = _tender(ledger, ocid)
    assert tender is not None
    committee = tender["committee"]
    sealed = pc.seal_bid(
        ocid, client_key_id(vendor), price, committee["members"], committee["threshold"]
    )
    log.append([log.sign(vendor, lc.BID_SUBMITTED, ocid, sealed.body)])


def _close_and_open(
    ledger: Ledger, log: SimulatedLog, people: People, ocid: str, members: Sequence[int]
) -> None:
    tender = _tender(ledger, ocid)
    assert tender is not None
    log.at(datetime.fromisoformat(tender["schedule"]["bid_deadline"].replace("Z", "+00:00")))
    log.append([log.sign(people.officer, lc.CLOSED_TYPE, ocid, {})])
    for index in members:
        log.at(log.now + HOUR)
        key, box = people.pokja[index]
        with ledger.engine.connect() as conn:
            bids = prefixed(conn, lc.BID_NAMESPACE, ocid + "|")
        releases, _bad = pc.release_shares(client_key_id(key), box, ocid, bids)
        log.append([log.sign(key, lc.SHARES_RELEASED, ocid, {"shares": releases})])
    log.at(log.now + HOUR)
    log.append([log.sign(people.pokja[members[-1]][0], lc.OPENED_TYPE, ocid, {})])


def _awarded(ledger: Ledger, log: SimulatedLog, people: People, ocid: str, line: Any) -> None:
    title = "Rehabilitasi gedung puskesmas pembantu"
    log.at(datetime(line["year"], 3, 3, 1, 0, tzinfo=UTC))
    hps = _package(log, people, ocid, line, title)
    log.at(log.now + HOUR)
    _announce(log, people, ocid, title)
    v1, v2, _v3 = people.vendors
    log.at(log.now + DAY)
    log.append(
        [log.sign(v1, lc.QUESTION_ASKED, ocid, {"question": "Apakah boleh memakai merek setara?"})]
    )
    log.at(log.now + DAY)
    log.append(
        [
            log.sign(
                people.pokja[0][0],
                lc.QUESTION_ANSWERED,
                ocid,
                {"question": 1, "answer": "Boleh, sepanjang spesifikasi teknis terpenuhi."},
            )
        ]
    )
    log.at(log.now + DAY)
    _bid(ledger, log, v1, ocid, hps * 94 // 100 // JUTA * JUTA)
    log.at(log.now + HOUR)
    _bid(ledger, log, v2, ocid, hps * 91 // 100 // JUTA * JUTA)
    _close_and_open(ledger, log, people, ocid, (0, 2))
    log.at(log.now + DAY)
    results = [
        {"bidder": client_key_id(v), "passed": True, "score": score, "reasons": reasons}
        for v, score, reasons in (
            (v1, "82", "memenuhi syarat administrasi, teknis dan harga"),
            (v2, "85", "memenuhi syarat administrasi, teknis dan harga"),
        )
    ]
    log.append([log.sign(people.pokja[0][0], lc.EVALUATED, ocid, {"results": results})])
    log.at(log.now + HOUR)
    log.append(
        [
            log.sign(
                people.pokja[0][0], lc.WINNER_ANNOUNCED_TYPE, ocid, {"winner": client_key_id(v2)}
            )
        ]
    )
    log.at(log.now + 6 * DAY)
    tender = _tender(ledger, ocid)
    assert tender is not None
    value = tender["winner"]["price_sen"]
    commitment = budget_statements.commitment(
        line["line_id"],
        f"KONTRAK-{ocid}",
        value,
        log.now.date(),
        f"award {ocid}",
        ocid=ocid,
        vendor=client_key_id(v2),
        description=title,
    )
    award = log.sign(
        people.officer,
        lc.AWARDED_TYPE,
        ocid,
        {"winner": client_key_id(v2), "value": wire_amount(value), "commitment": f"KONTRAK-{ocid}"},
    )
    log.append([commitment.sign(people.finance, at=log.now, limits=log.limits), award])
    log.at(log.now + DAY)
    advance = value * 30 // 100
    start = log.now.date()
    terms = pc.contract_body(
        f"SPK-{ocid.rsplit('-', 1)[-1]}/PUSKESMAS/{line['year']}",
        value,
        start.isoformat(),
        (start + timedelta(days=120)).isoformat(),
        [
            pc.milestone("Uang muka 30%", advance, (start + timedelta(days=14)).isoformat()),
            pc.milestone(
                "Serah terima pekerjaan", value - advance, (start + timedelta(days=120)).isoformat()
            ),
        ],
    )
    signature = pc.countersign(v2, ct.SIGNED, ocid, terms)
    log.append(
        [log.sign(people.officer, ct.SIGNED, ocid, {**terms, "vendor_signature": signature})]
    )
    log.at(log.now + 10 * DAY)
    request = {
        "request": 1,
        "milestone": 1,
        "amount": wire_amount(advance),
        "invoice": {
            "name": "Tagihan uang muka",
            "sha256": hashlib.sha256(f"tagihan {ocid} 1".encode()).hexdigest(),
        },
    }
    log.append([log.sign(v2, ct.PAYMENT_REQUESTED, ocid, request)])
    log.at(log.now + 5 * DAY)
    posting = budget_statements.payment(
        line["line_id"],
        f"SP2D-{ocid}-1",
        advance,
        log.now.date(),
        commitment=f"KONTRAK-{ocid}",
        document=f"SP2D uang muka {ocid}",
    )
    paid = log.sign(people.officer, ct.PAID, ocid, {"request": 1, "payments": [f"SP2D-{ocid}-1"]})
    log.append([posting.sign(people.finance, at=log.now, limits=log.limits), paid])


def _opened(ledger: Ledger, log: SimulatedLog, people: People, ocid: str, line: Any) -> None:
    title = "Pengadaan alat kesehatan puskesmas"
    log.at(datetime(line["year"], 9, 1, 1, 0, tzinfo=UTC))
    hps = _package(log, people, ocid, line, title)
    log.at(log.now + HOUR)
    _announce(log, people, ocid, title)
    for index, (vendor, percent) in enumerate(zip(people.vendors, (96, 89, 93), strict=True)):
        log.at(log.now + DAY + index * HOUR)
        _bid(ledger, log, vendor, ocid, hps * percent // 100 // JUTA * JUTA)
    _close_and_open(ledger, log, people, ocid, (0, 1))


def _closed(ledger: Ledger, log: SimulatedLog, people: People, ocid: str, line: Any) -> None:
    title = "Pengadaan meubelair sekolah"
    log.at(datetime(line["year"], 10, 1, 1, 0, tzinfo=UTC))
    hps = _package(log, people, ocid, line, title)
    log.at(log.now + HOUR)
    _announce(log, people, ocid, title)
    for index, (vendor, percent) in enumerate(zip(people.vendors[:2], (95, 92), strict=True)):
        log.at(log.now + 2 * DAY + index * HOUR)
        _bid(ledger, log, vendor, ocid, hps * percent // 100 // JUTA * JUTA)
    tender = _tender(ledger, ocid)
    assert tender is not None
    log.at(datetime.fromisoformat(tender["schedule"]["bid_deadline"].replace("Z", "+00:00")))
    log.append([log.sign(people.officer, lc.CLOSED_TYPE, ocid, {})])


def _cancelled(ledger: Ledger, log: SimulatedLog, people: People, ocid: str, line: Any) -> None:
    title = "Pengadaan kendaraan operasional"
    log.at(datetime(line["year"], 5, 5, 1, 0, tzinfo=UTC))
    _package(log, people, ocid, line, title)
    log.at(log.now + HOUR)
    _announce(log, people, ocid, title)
    log.at(log.now + 3 * DAY)
    reason = "Anggaran dialihkan melalui pergeseran untuk penanganan bencana"
    log.append([log.sign(people.officer, lc.CANCELLED_TYPE, ocid, {"reason": reason})])


def _planned(ledger: Ledger, log: SimulatedLog, people: People, ocid: str, line: Any) -> None:
    log.at(datetime(line["year"], 11, 3, 1, 0, tzinfo=UTC))
    _package(log, people, ocid, line, "Pembangunan jalan lingkungan")


def load_procurement_demo(ledger: Ledger, keys_dir: Path, year: int) -> dict[str, Any]:
    """Add the procurement demo (see the module doc); returns what it added."""
    log = SimulatedLog(ledger)
    people = _setup_people(ledger, log, keys_dir, year)
    lines = _lines(ledger, year, 6)
    plan = [
        (f"{OCID_PREFIX}-{year}-DEMO-001", _awarded),
        (f"{OCID_PREFIX}-{year}-DEMO-002", _cancelled),
        (f"{OCID_PREFIX}-{year}-DEMO-003", _opened),
        (f"{OCID_PREFIX}-{year}-DEMO-006", _closed),
        (f"{OCID_PREFIX}-{year}-DEMO-004", _planned),
    ]
    added = []
    for (ocid, build), line in zip(plan, lines, strict=False):
        if _tender(ledger, ocid) is None:
            build(ledger, log, people, ocid, line)
            added.append(ocid)
    open_ocid = f"{OCID_PREFIX}-{year}-DEMO-005"
    if len(lines) >= 2 and _tender(ledger, open_ocid) is None:
        now = ledger.clock()
        title = "Pengadaan laptop untuk sekolah dasar"
        line = lines[1]
        hps = _hps(line)
        body = {
            "title": title,
            "budget_line": line["line_id"],
            "category": "goods",
            "hps": wire_amount(hps),
            "method": "tender",
        }
        digest = hashlib.sha256(f"dokumen pemilihan {open_ocid}".encode()).hexdigest()
        announce = {
            "documents": [{"name": "Dokumen pemilihan", "sha256": digest}],
            "clarification_end": format_time(now + 7 * DAY),
            "bid_deadline": format_time(now + 14 * DAY),
            "committee": {"members": people.member_ids(), "threshold": 2},
        }
        ledger.append_direct(
            [
                make_signed(people.officer, lc.PACKAGE_CREATED, open_ocid, body, at=now),
                make_signed(people.officer, lc.ANNOUNCED, open_ocid, announce, at=now),
            ]
        )
        added.append(open_ocid)
    return {"procurement_tenders": added, "procurement_statements": log.statements}
