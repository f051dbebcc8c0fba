"""Procurement demo data for ``terang demo``: a year of tenders, in every state, on the demo budget.

On the demo fiscal year's belanja lines (``budgeting.demo``: the year before the
ledger clock's), with the demo people's keys, 43 packages across the OPDs and the
months of the year (``YEAR_PLAN`` and the six ``DEMO-001`` .. ``DEMO-006`` below):

* every tender state (``lifecycle.STATES``): planned, active (open for bids: in its
  question period, and after it), closed (awaiting the Pokja), opening (one member
  released), opened (and one evaluated, its winner not yet announced), winner
  announced (masa sanggah, one with an objection open now), awarded, cancelled, failed
  (tender gagal: no passing bid; fewer than three bids);
* every contract status (``contracts.STATUSES``): signed and running (some with the
  advance paid), paid in full awaiting handover, completed at handover (BAST; two after
  a decrease, whose unused commitment the completion releases), terminated
  (pemutusan kontrak: the unpaid rest goes back to the line);
* methods tender, tender cepat and pengadaan langsung; questions and answers, an
  addendum, objections rejected and one upheld (evaluation reopened, another winner);
* every announced document's bytes stored (``procurement.documents``), so
  ``terang vendor download`` works against the demo service.

Each package is funded by the line its title calls for (``WHERE``: the OPD the title
names, an account of its category: works on belanja modal gedung or jalan/irigasi, goods
on belanja modal peralatan or belanja barang, services on belanja jasa or pemeliharaan),
one of the demo budget's tender lines (``budgeting.demo.TENDER_LINES``), which the budget
demo's own postings leave alone. It is sized to the room its line has left when it is
built (budget available and, for contracts that pay, cash allotted from the first
payment's month; a competitive method whose HPS floor the room cannot pass becomes
pengadaan langsung), so commitments and payments never break budget control. The first
six keep their states for the tests and docs that name them:
``DEMO-001`` awarded with a paid advance, ``002`` cancelled, ``003`` opened, ``004``
planned, ``005`` open for bids on the real clock (deadline in two weeks: try
``terang vendor bid``), ``006`` closed with two sealed bids (try ``terang committee
release --key demo-keys/DEMO-pokja1.key --box-key demo-keys/DEMO-pokja1.box``).

The Pokja members' X25519 keys are new files ``demo-keys/DEMO-pokjaN.box`` (mode
0600, the format of ``terang committee register-box-key``), registered by the members
themselves; vendor keys ``DEMO-vendor3.key`` .. ``DEMO-vendor8.key`` are added and the
eight vendors register themselves and are activated. Demo only: every one of these
private keys sits on the machine that ran the demo, so the demo's sealed bids are not
sealed against its operator (``demo_key_file``; a real Pokja's box keys never leave
the members' machines).

Time: a tender's steps are judged at their logging time, and bid windows and objection
periods are days long, so the tenders' histories are logged by a sequencer on a
**simulated clock** (``budgeting.demo.SimulatedLog``, the one ``terang demo`` logs the
whole demo on): inside the demo fiscal year for the year's tenders, and a few weeks back
from now for ``DEMO-042`` (open for bids, questions closed) and ``DEMO-043`` (in its
masa sanggah now, an objection awaiting its answer). Each tender is a generator that
yields the moment of its next step; ``_schedule`` merges them with the demo budget's
year (``budgeting.demo.load_budget_demo``: a day's postings at their value date), so the
clock only moves forward and the log's ``logged_at`` never decreases after the
simulated clock's declaration. ``DEMO-005`` is logged last, on the real clock. Only the
demo does this; the service's sequencer always reads the real clock.

Idempotent: a tender that exists is skipped (so is a registered vendor or box key),
and every statement of the simulated history has a deterministic nonce. Deterministic:
the same packages, prices, steps and states on every run of a fresh database.
"""

from __future__ import annotations

import hashlib
import heapq
from collections.abc import Callable, Generator, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from nacl.public import PrivateKey
from nacl.signing import SigningKey

from budgeting import demo as budget_demo
from budgeting import reducers as budget
from budgeting import statements as budget_statements
from budgeting.demo import SimulatedLog
from ledger.authority import KEY_NAMESPACE
from ledger.errors import InvariantBroken, require
from ledger.keys import client_key_id, generate_client_key, load_client_key
from ledger.service import Ledger
from ledger.signing import make_signed
from ledger.statement import b64encode, format_time
from procurement import client as pc
from procurement import contracts as ct
from procurement import documents, rup
from procurement import lifecycle as lc
from procurement.demo_ids import OCID_PREFIX
from procurement.demo_items import items_for
from procurement.fields import wire_amount
from procurement.members import BOX_KEY_REGISTERED
from procurement.namespaces import CONTRACT_NAMESPACE
from procurement.reads import document, iter_prefixed
from procurement.vendors import VENDOR_NAMESPACE

JUTA = 100_000_000  # Rp 1 juta in sen
HOUR = timedelta(hours=1)
DAY = timedelta(days=1)
VENDORS = (
    ("vendor1", "CV Maju Jaya Konstruksi", "01.234.567.8-123.000", "kecil"),
    ("vendor2", "PT Sinar Terang Abadi", "02.345.678.9-234.000", "menengah"),
    ("vendor3", "CV Karya Mandiri Sejahtera", "03.456.789.0-345.000", "kecil"),
    ("vendor4", "PT Bumi Persada Nusantara", "04.567.890.1-456.000", "menengah"),
    ("vendor5", "CV Cahaya Medika Utama", "05.678.901.2-567.000", "kecil"),
    ("vendor6", "PT Tirta Rekayasa Konsultan", "06.789.012.3-678.000", "menengah"),
    ("vendor7", "CV Sumber Rezeki Teknik", "07.890.123.4-789.000", "kecil"),
    ("vendor8", "PT Anugerah Data Solusi", "08.901.234.5-890.000", "menengah"),
)


# Demo key files are named ``DEMO-<label>.key`` / ``DEMO-<label>.box`` (in ``demo-keys/``,
# ``terang.demo``): every demo person's private keys, the Pokja's box keys included, sit on
# the machine that ran ``terang demo``, so the demo's sealed bids are not sealed against
# whoever holds it. The name says so wherever the file is copied.
DEMO_KEY_FILE_PREFIX = "DEMO-"


def demo_key_file(keys_dir: Path, label: str, suffix: str = ".key") -> Path:
    """Where the demo keeps ``label``'s key: ``keys_dir/DEMO-<label><suffix>``."""
    return keys_dir / f"{DEMO_KEY_FILE_PREFIX}{label}{suffix}"


def _box_key(path: Path) -> PrivateKey:
    if path.exists():
        return pc.load_box_key(path)
    key = PrivateKey.generate()
    pc.write_box_key(path, key)
    return key


def _client_key(keys_dir: Path, label: str) -> SigningKey:
    path = demo_key_file(keys_dir, label)
    return load_client_key(path) if path.exists() else generate_client_key(path)


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
    log.at(datetime(year, 1, 5, 1, 0, tzinfo=UTC))
    pokja = []
    with ledger.engine.connect() as conn:
        for i in (1, 2, 3):
            key = _client_key(keys_dir, f"pokja{i}")
            box = _box_key(demo_key_file(keys_dir, f"pokja{i}", ".box"))
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
                log.append(
                    [
                        pc.registration(
                            key, name, npwp, address, qualification, at=log.now, origin=log.origin
                        )
                    ]
                )
                log.append([log.sign(officer, "procurement.vendor.activated", vendor_id, {})])
            vendors.append(key)
    return People(officer, finance, pokja, vendors)


# Where each tender is funded: the OPD its title names and an account of its category,
# among the demo budget's tender lines (``budgeting.demo.TENDER_LINES``, which the budget
# demo's own postings leave alone).
EDUCATION = budget_demo.EDUCATION
DINKES = budget_demo.DINKES
RSUD = budget_demo.RSUD
PUPR = budget_demo.PUPR
SETDA = budget_demo.SETDA
DISHUB = "2.15.0.00.0.00.01.0000"
KOMINFO = "2.16.2.20.2.21.01.0000"
PERTANIAN = "3.27.0.00.0.00.01.0000"
KECAMATAN_SUKAMAJU = "7.01.0.00.0.00.02.0000"
WHERE = {
    "school-building": (EDUCATION, "5.2.03.01.01.0013"),
    "school-furniture": (EDUCATION, "5.2.02.05.02.0001"),
    "office-storage": (EDUCATION, "5.2.02.05.01.0005"),
    "school-computers": (EDUCATION, "5.2.02.10.01.0002"),
    "health-building": (DINKES, "5.2.03.01.01.0007"),
    "health-equipment": (DINKES, "5.2.02.07.01.0001"),
    "ambulance": (DINKES, "5.2.02.02.01.0004"),
    "health-computers": (DINKES, "5.2.02.10.01.0002"),
    "hospital-staff": (RSUD, "5.1.02.02.01.0013"),
    "hospital-equipment": (RSUD, "5.2.02.07.01.0001"),
    "roads": (PUPR, "5.2.04.01.01.0003"),
    "water": (PUPR, "5.2.04.02.04.0001"),
    "road-design": (PUPR, "5.1.02.02.04.0004"),
    "road-signs": (DISHUB, "5.2.04.01.01.0012"),
    "information-systems": (KOMINFO, "5.1.02.02.05.0008"),
    "network-upkeep": (KOMINFO, "5.1.02.03.02.0120"),
    "irrigation": (PERTANIAN, "5.2.04.02.01.0006"),
    "vehicles": (SETDA, "5.2.02.02.01.0003"),
    "office-services": (SETDA, "5.1.02.02.01.0013"),
    "meetings": (SETDA, "5.1.02.01.01.0052"),
    "stationery": (SETDA, "5.1.02.01.01.0024"),
    "vehicle-upkeep": (SETDA, "5.1.02.03.02.0035"),
    "building-upkeep": (SETDA, "5.1.02.03.03.0001"),
    "kecamatan-building": (KECAMATAN_SUKAMAJU, "5.2.03.01.01.0001"),
}
"""A tender's ``where`` -> (OPD, account) of the tender line that funds it."""


def _line(ledger: Ledger, year: int, where: str, family: str) -> dict[str, Any]:
    """The demo budget's tender line for ``where`` (``WHERE``), as the log holds it now.

    The plan tables are checked here, not trusted: the line exists, and its account is of
    the tender's family (works on belanja modal gedung/jalan/irigasi, goods on barang or
    modal peralatan, services on jasa or pemeliharaan)."""
    opd, account = WHERE[where]
    ids = [
        line_id
        for line_id, _ in budget_demo.tender_lines(year)
        if line_id.split(":")[1] == opd and line_id.split(":")[3] == account
    ]
    require(len(ids) == 1, InvariantBroken(f"demo tender line {where!r}: {len(ids)} lines"))
    require(
        account.startswith(FAMILIES[family][0]),
        InvariantBroken(f"demo tender line {where!r} ({account}) is not a {family} account"),
    )
    with ledger.engine.connect() as conn:
        line = document(conn, budget.NS_LINE, ids[0])
    if line is None:
        raise InvariantBroken(f"demo tender line {ids[0]} is not budgeted")
    return line


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


def _hps(line: dict[str, Any], cap_juta: int) -> int:
    available: int = line["available_sen"]
    return min(cap_juta * JUTA, available * 9 // 10) // JUTA * JUTA


def _rup_body(
    line: dict[str, Any], title: str, category: str, method: str, hps: int, at: datetime
) -> dict[str, Any]:
    """The RUP item a demo package cites: planned at the package's value, its selection
    starting the month it is planned, its contract two months on (within the line's year)."""
    line_id = line["line_id"]
    year = int(line_id.split(":")[0])
    selection = (at.year, at.month) if at.year in (year - 1, year) else (year, 12)
    contract_month = min(12, selection[1] + 2) if selection[0] == year else 1
    return {
        "opd": line_id.split(":")[1],
        "budget_line": line_id,
        "fiscal_year": year,
        "name": title,
        "value": wire_amount(hps),
        "procurement_type": "penyedia",
        "category": category,
        "method": method,
        "pdn": category != "consulting",
        "umk": hps <= 1_500_000_000_000,
        "selection_start": f"{selection[0]}-{selection[1]:02d}",
        "contract_start": f"{year}-{contract_month:02d}",
    }


def _package(
    log: SimulatedLog,
    people: People,
    ocid: str,
    line: dict[str, Any],
    title: str,
    category: str,
    cap_juta: int,
) -> int:
    """A package of ``category`` as its title says, on the line its title calls for
    (``WHERE``), its HPS at most ``cap_juta`` and nine tenths of the line's room."""
    hps = _hps(line, cap_juta)
    body = {
        "title": title,
        "budget_line": line["line_id"],
        "category": category,
        "hps": wire_amount(hps),
        "method": "tender",
        "rup_code": "RUP-" + ocid.rsplit("-", 1)[-1],
        **items_for(title),
    }
    item = _rup_body(line, title, category, "tender", hps, log.now)
    log.append([log.sign(people.officer, rup.PUBLISHED, body["rup_code"], item)])
    log.append([log.sign(people.officer, lc.PACKAGE_CREATED, ocid, body)])
    return hps


def tender_document(ocid: str, title: str, clarification_end: str, bid_deadline: str) -> bytes:
    """The demo's dokumen pemilihan: a short plain-text file (deterministic bytes)."""
    return (
        "DOKUMEN PEMILIHAN\n"
        f"Paket: {title}\n"
        f"Kode (OCDS ocid): {ocid}\n"
        f"Batas akhir pertanyaan (aanwijzing): {clarification_end}\n"
        f"Batas akhir pemasukan penawaran: {bid_deadline}\n"
        "Penawaran disampaikan secara elektronik, tersegel, melalui Terang.\n"
        "Data demonstrasi: bukan dokumen pengadaan yang sebenarnya.\n"
    ).encode()


def _store_document(ledger: Ledger, name: str, content: bytes) -> dict[str, str]:
    """Store the bytes (``procurement.documents``); the announcement logs their hash."""
    digest = hashlib.sha256(content).hexdigest()
    documents.insert_idempotent(ledger, digest, content)
    return {"name": name, "sha256": digest}


def _announce(
    ledger: Ledger,
    log: SimulatedLog,
    people: People,
    ocid: str,
    title: str,
    *,
    clarification_days: float = 4,
    window_days: float = 10,
) -> None:
    clarification_end = format_time(log.now + clarification_days * DAY)
    deadline = format_time(log.now + window_days * DAY)
    document = tender_document(ocid, title, clarification_end, deadline)
    body = {
        "documents": [_store_document(ledger, f"Dokumen pemilihan {ocid}.txt", document)],
        "clarification_end": clarification_end,
        "bid_deadline": deadline,
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
        ocid,
        client_key_id(vendor),
        price,
        committee["members"],
        committee["threshold"],
        addendum=tender["addenda"],
    )
    log.append([log.sign(vendor, lc.BID_SUBMITTED, ocid, sealed.body)])


def _close_and_open(
    ledger: Ledger, log: SimulatedLog, people: People, ocid: str, members: Sequence[int]
) -> Iterator[datetime]:
    tender = _tender(ledger, ocid)
    assert tender is not None
    yield datetime.fromisoformat(tender["schedule"]["bid_deadline"].replace("Z", "+00:00"))
    log.append([log.sign(people.officer, lc.CLOSED_TYPE, ocid, {})])
    for index in members:
        yield log.now + HOUR
        key, box = people.pokja[index]
        with ledger.engine.connect() as conn:
            bids = list(iter_prefixed(conn, lc.BID_NAMESPACE, ocid + "|"))
        releases, _bad = pc.release_shares(client_key_id(key), box, ocid, bids)
        log.append([log.sign(key, lc.SHARES_RELEASED, ocid, {"shares": releases})])
    yield log.now + HOUR
    log.append([log.sign(people.pokja[members[-1]][0], lc.OPENED_TYPE, ocid, {})])


def _awarded(
    ledger: Ledger, log: SimulatedLog, people: People, ocid: str, year: int, where: str
) -> Iterator[datetime]:
    title = "Rehabilitasi gedung puskesmas pembantu"
    yield datetime(year, 3, 3, 1, 0, tzinfo=UTC)
    line = _line(ledger, year, where, "works")
    hps = _package(log, people, ocid, line, title, "works", 1_000)
    yield log.now + HOUR
    _announce(ledger, log, people, ocid, title)
    v1, v2 = people.vendors[:2]
    yield log.now + DAY
    log.append(
        [log.sign(v1, lc.QUESTION_ASKED, ocid, {"question": "Apakah boleh memakai merek setara?"})]
    )
    yield log.now + DAY
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
    yield log.now + DAY
    _bid(ledger, log, v1, ocid, hps * 94 // 100 // JUTA * JUTA)
    yield log.now + HOUR
    _bid(ledger, log, v2, ocid, hps * 91 // 100 // JUTA * JUTA)
    yield from _close_and_open(ledger, log, people, ocid, (0, 2))
    yield log.now + DAY
    results = [
        {"bidder": client_key_id(v), "passed": True, "score": score, "reasons": reasons}
        for v, score, reasons in (
            (v1, "82", "memenuhi syarat administrasi, teknis dan harga"),
            (v2, "85", "memenuhi syarat administrasi, teknis dan harga"),
        )
    ]
    log.append([log.sign(people.pokja[0][0], lc.EVALUATED, ocid, {"results": results})])
    yield log.now + HOUR
    log.append(
        [
            log.sign(
                people.pokja[0][0], lc.WINNER_ANNOUNCED_TYPE, ocid, {"winner": client_key_id(v2)}
            )
        ]
    )
    yield log.now + 6 * DAY
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
    log.append(
        [commitment.sign(people.finance, at=log.now, origin=log.origin, limits=log.limits), award]
    )
    yield log.now + DAY
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
    yield log.now + 10 * DAY
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
    yield log.now + 5 * DAY
    posting = budget_statements.payment(
        line["line_id"],
        f"SP2D-{ocid}-1",
        advance,
        log.now.date(),
        commitment=f"KONTRAK-{ocid}",
        document=f"SP2D uang muka {ocid}",
    )
    paid = log.sign(people.officer, ct.PAID, ocid, {"request": 1, "payments": [f"SP2D-{ocid}-1"]})
    log.append(
        [posting.sign(people.finance, at=log.now, origin=log.origin, limits=log.limits), paid]
    )


def _opened(
    ledger: Ledger, log: SimulatedLog, people: People, ocid: str, year: int, where: str
) -> Iterator[datetime]:
    title = "Pengadaan alat kesehatan puskesmas"
    yield datetime(year, 9, 1, 1, 0, tzinfo=UTC)
    line = _line(ledger, year, where, "goods")
    hps = _package(log, people, ocid, line, title, "goods", 800)
    yield log.now + HOUR
    _announce(ledger, log, people, ocid, title)
    for index, (vendor, percent) in enumerate(zip(people.vendors[:3], (96, 89, 93), strict=True)):
        yield log.now + DAY + index * HOUR
        _bid(ledger, log, vendor, ocid, hps * percent // 100 // JUTA * JUTA)
    yield from _close_and_open(ledger, log, people, ocid, (0, 1))


def _closed(
    ledger: Ledger, log: SimulatedLog, people: People, ocid: str, year: int, where: str
) -> Iterator[datetime]:
    title = "Pengadaan meubelair sekolah"
    yield datetime(year, 10, 1, 1, 0, tzinfo=UTC)
    line = _line(ledger, year, where, "goods")
    hps = _package(log, people, ocid, line, title, "goods", 700)
    yield log.now + HOUR
    _announce(ledger, log, people, ocid, title)
    for index, (vendor, percent) in enumerate(zip(people.vendors[:2], (95, 92), strict=True)):
        yield log.now + 2 * DAY + index * HOUR
        _bid(ledger, log, vendor, ocid, hps * percent // 100 // JUTA * JUTA)
    tender = _tender(ledger, ocid)
    assert tender is not None
    yield datetime.fromisoformat(tender["schedule"]["bid_deadline"].replace("Z", "+00:00"))
    log.append([log.sign(people.officer, lc.CLOSED_TYPE, ocid, {})])


def _cancelled(
    ledger: Ledger, log: SimulatedLog, people: People, ocid: str, year: int, where: str
) -> Iterator[datetime]:
    title = "Pengadaan kendaraan operasional"
    yield datetime(year, 5, 5, 1, 0, tzinfo=UTC)
    line = _line(ledger, year, where, "goods")
    _package(log, people, ocid, line, title, "goods", 900)
    yield log.now + HOUR
    _announce(ledger, log, people, ocid, title)
    yield log.now + 3 * DAY
    reason = "Anggaran dialihkan melalui pergeseran untuk penanganan bencana"
    log.append([log.sign(people.officer, lc.CANCELLED_TYPE, ocid, {"reason": reason})])


def _planned(
    ledger: Ledger, log: SimulatedLog, people: People, ocid: str, year: int, where: str
) -> Iterator[datetime]:
    yield datetime(year, 11, 3, 1, 0, tzinfo=UTC)
    line = _line(ledger, year, where, "works")
    _package(log, people, ocid, line, "Pembangunan jalan lingkungan", "works", 900)


# -- a year of tenders ---------------------------------------------------------------

# How far each tender of the year goes, in the order of its life. Tender states:
# planned, active, closed, opening, opened, winner_announced, awarded, cancelled, failed
# (lifecycle.STATES); a contract's: active, paid, completed, terminated (contracts.STATUSES).
STAGES = (
    "planned",
    "cancelled",
    "closed",
    "opening",
    "opened",
    "evaluated",
    "failed",
    "winner_announced",
    "awarded",
    "contract_signed",
    "advance_paid",
    "terminated",
    "paid",
    "completed",
)
FAMILIES = {
    "works": (("5.2.03", "5.2.04", "5.2.05"), "works"),
    "goods": (("5.2.02", "5.1.02.01"), "goods"),
    "services": (("5.1.02.02.01", "5.1.02.03"), "other_services"),
    "consulting": (("5.1.02.02.04", "5.1.02.02.05"), "consulting"),
}
"""A plan's family -> (the account prefixes its line may have, its OCDS category)."""
COMPETITIVE_HPS_MIN = {"tender": 200 * JUTA, "tender_cepat": 200 * JUTA, "seleksi": 100 * JUTA}
"""HPS must exceed these for the method (the rule book's value_min_exclusive_sen)."""
DIRECT_HPS_MAX = {"consulting": 95 * JUTA}
"""Pengadaan langsung: at most Rp 200 juta (consulting Rp 100 juta), kept a little below."""
WINDOW_DAYS = {"tender": 12, "tender_cepat": 5, "seleksi": 12, "pengadaan_langsung": 3}


@dataclass(frozen=True)
class Plan:
    """One package of the demo year: how far it goes and roughly when."""

    number: int
    stage: str
    family: str
    title: str
    month: int
    day: int
    where: str
    """The line that funds it (``WHERE``): the OPD its title names, an account of its family."""
    method: str = "tender"
    hps_max_juta: int = 900
    pay_months: tuple[int, ...] = ()
    extras: frozenset[str] = frozenset()
    """``question``, ``addendum``, ``objection`` (rejected), ``upheld`` (evaluation
    reopened), ``decrease`` (an amendment: the work cost less; completion releases it),
    ``identical_bids`` and ``close_bids`` (prices the red flags R028 and R024 point at)."""


def _plan(
    number: int,
    stage: str,
    family: str,
    title: str,
    month: int,
    day: int,
    where: str,
    *,
    method: str = "tender",
    hps_max_juta: int = 900,
    pay_months: tuple[int, ...] = (),
    extras: str = "",
) -> Plan:
    return Plan(
        number,
        stage,
        family,
        title,
        month,
        day,
        where,
        method,
        hps_max_juta,
        pay_months,
        frozenset(extras.split()),
    )


# Deterministic: the same packages, steps, prices and states on every run. Payment
# months fall where the tender lines have cash (allotted a tenth a month from March).
# fmt: off
YEAR_PLAN = (
    # number, stage, family, title, month, day, funding line (WHERE); method, HPS cap, payments
    _plan(7, "completed", "works", "Rehabilitasi ruang kelas SD Negeri 3", 1, 13,
          "school-building", pay_months=(8, 10), extras="question"),
    _plan(8, "completed", "works", "Pembangunan jalan lingkungan Desa Sukamaju", 1, 20, "roads",
          pay_months=(8, 11), extras="decrease"),
    _plan(9, "completed", "goods", "Pengadaan alat kedokteran umum puskesmas", 2, 3,
          "health-equipment", hps_max_juta=350, pay_months=(8, 9), extras="addendum"),
    _plan(10, "completed", "services", "Jasa kebersihan gedung kantor", 2, 17,
          "office-services", method="pengadaan_langsung", pay_months=(4, 9)),
    _plan(11, "completed", "works", "Pembangunan jaringan pipa distribusi air bersih", 3, 2,
          "water", hps_max_juta=260, pay_months=(8, 10), extras="upheld"),
    _plan(12, "completed", "consulting", "Jasa konsultansi pengembangan sistem informasi", 3,
          16, "information-systems", method="seleksi", pay_months=(6, 10)),
    _plan(13, "completed", "works", "Pemasangan rambu dan marka jalan", 4, 6, "road-signs",
          method="tender_cepat", hps_max_juta=400, pay_months=(8, 9)),
    _plan(14, "completed", "goods", "Pengadaan makanan dan minuman rapat koordinasi", 4, 22,
          "meetings", method="pengadaan_langsung", pay_months=(9, 9), extras="identical_bids"),
    _plan(15, "completed", "works", "Rehabilitasi saluran irigasi tersier", 5, 11,
          "irrigation", pay_months=(8, 11), extras="decrease question"),
    _plan(16, "completed", "goods", "Pengadaan alat penyimpan perlengkapan kantor", 6, 2,
          "office-storage", hps_max_juta=600, pay_months=(8, 10)),
    _plan(17, "paid", "works", "Pembangunan gedung puskesmas pembantu", 5, 4,
          "health-building", hps_max_juta=600, pay_months=(8, 12)),
    _plan(18, "paid", "services", "Pemeliharaan kendaraan dinas operasional", 6, 15,
          "vehicle-upkeep", method="pengadaan_langsung", pay_months=(9, 12)),
    _plan(19, "terminated", "works", "Pembangunan ruang kelas baru SMP Negeri 2", 4, 14,
          "school-building", hps_max_juta=700, pay_months=(8,), extras="question"),
    _plan(20, "terminated", "goods", "Pengadaan personal computer untuk sekolah", 6, 23,
          "school-computers", method="pengadaan_langsung", pay_months=(8,)),
    _plan(21, "terminated", "works", "Peningkatan jalan kabupaten ruas Tanjung-Sukamaju", 7, 7,
          "roads", hps_max_juta=500, pay_months=(9,)),
    _plan(22, "advance_paid", "works", "Pembangunan gedung sekolah dasar", 7, 21,
          "school-building", hps_max_juta=800, pay_months=(9,)),
    _plan(23, "advance_paid", "works", "Rehabilitasi bangunan kesehatan", 8, 4,
          "health-building", hps_max_juta=500, pay_months=(10,), extras="objection"),
    _plan(24, "advance_paid", "services", "Jasa tenaga pendukung administrasi RSUD", 8, 18,
          "hospital-staff", method="pengadaan_langsung", pay_months=(10,)),
    _plan(25, "advance_paid", "works", "Perbaikan jalan kabupaten pascabanjir", 9, 1, "roads",
          hps_max_juta=400, pay_months=(11,)),
    _plan(26, "contract_signed", "goods", "Pengadaan alat kedokteran RSUD", 9, 15,
          "hospital-equipment", hps_max_juta=500),
    _plan(27, "contract_signed", "works", "Pembangunan pagar dan drainase sekolah", 10, 1,
          "school-building", method="tender_cepat", hps_max_juta=400, extras="close_bids"),
    _plan(28, "awarded", "works", "Pembangunan talud penahan tanah jalan kabupaten", 10, 13,
          "roads", hps_max_juta=350),
    _plan(29, "awarded", "goods", "Pengadaan alat tulis kantor dan bahan cetak", 10, 20,
          "stationery", method="pengadaan_langsung"),
    _plan(30, "winner_announced", "works", "Rehabilitasi gedung kantor kecamatan", 10, 27,
          "kecamatan-building", hps_max_juta=450, extras="objection"),
    _plan(31, "winner_announced", "goods", "Pengadaan perlengkapan rapat dan konsumsi", 11, 3,
          "meetings", method="pengadaan_langsung"),
    _plan(32, "evaluated", "works", "Pembangunan sumur bor air bersih", 11, 10, "water",
          hps_max_juta=300),
    _plan(33, "opening", "goods", "Pengadaan komputer jinjing untuk puskesmas", 11, 17,
          "health-computers", hps_max_juta=600),
    _plan(34, "closed", "services", "Jasa pemeliharaan gedung dan bangunan kantor", 11, 24,
          "building-upkeep", method="pengadaan_langsung"),
    _plan(35, "failed", "works", "Pembangunan jembatan gantung Desa Harapan", 6, 9, "roads",
          extras="no_passing_bid"),
    _plan(36, "failed", "goods", "Pengadaan mebel ruang kelas", 8, 11, "school-furniture",
          extras="one_bid"),
    _plan(37, "cancelled", "services", "Jasa penyelenggaraan pelatihan aparatur", 7, 28,
          "office-services", method="pengadaan_langsung"),
    _plan(38, "planned", "works", "Pembangunan gedung serbaguna kecamatan", 12, 1,
          "kecamatan-building", hps_max_juta=700),
    _plan(39, "planned", "goods", "Pengadaan ambulans desa", 12, 8, "ambulance"),
    _plan(40, "planned", "consulting", "Jasa konsultansi perencanaan jalan kabupaten", 12, 15,
          "road-design", method="seleksi"),
    _plan(41, "planned", "services", "Jasa pemeliharaan jaringan internet kantor", 12, 22,
          "network-upkeep", method="pengadaan_langsung"),
)
# fmt: on


def _capacity(line: dict[str, Any], pay_month: int | None) -> int:
    """What a contract on ``line`` may be: its available budget, and when it pays from
    ``pay_month`` on, the cash room from then (``_cash_room``) too."""
    available: int = line["available_sen"]
    return available if pay_month is None else min(available, _cash_room(line, pay_month))


def _choose(ledger: Ledger, year: int, plan: Plan) -> tuple[dict[str, Any], str, int] | None:
    """The line, method and HPS for ``plan``: the line its title calls for (``plan.where``),
    the HPS what the line's room allows up to the plan's cap; a competitive method whose
    HPS floor the room cannot pass becomes pengadaan langsung. None: no room at all."""
    pay_month = plan.pay_months[0] if plan.pay_months else None
    _prefixes, category = FAMILIES[plan.family]
    line = _line(ledger, year, plan.where, plan.family)
    for method in dict.fromkeys((plan.method, "pengadaan_langsung")):
        floor = COMPETITIVE_HPS_MIN.get(method)
        room = _capacity(line, pay_month) * 9 // 10
        hps = min(room, plan.hps_max_juta * JUTA)
        if floor is None:
            hps = min(hps, DIRECT_HPS_MAX.get(category, 190 * JUTA))
        hps = hps // JUTA * JUTA
        if hps >= 20 * JUTA and (floor is None or hps > floor):
            return line, method, hps
    return None


def _moment(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


class YearTender:
    """Builds one planned tender of the year, step by step, up to its stage."""

    def __init__(
        self, ledger: Ledger, log: SimulatedLog, people: People, plan: Plan, ocid: str
    ) -> None:
        self.ledger = ledger
        self.log = log
        self.people = people
        self.plan = plan
        self.ocid = ocid
        self.year = 0
        self.line: dict[str, Any] = {}
        self.stop = STAGES.index(plan.stage)
        offset = plan.number % len(people.vendors)
        self.bidders = [people.vendors[(offset + i) % len(people.vendors)] for i in range(3)]

    def reached(self, stage: str) -> bool:
        """True when the plan stops at ``stage`` (the caller returns)."""
        return self.stop == STAGES.index(stage)

    def step(self, key: SigningKey, statement_type: str, body: dict[str, Any]) -> None:
        self.log.append([self.log.sign(key, statement_type, self.ocid, body)])

    def later(self, delta: timedelta) -> datetime:
        """The moment ``delta`` after this step (the scheduler runs the next one then)."""
        return self.log.now + delta

    def tender(self) -> dict[str, Any]:
        found = _tender(self.ledger, self.ocid)
        assert found is not None
        return found

    def build(self, year: int) -> Generator[datetime, None, bool]:
        """Log the plan's history, a step each time the scheduler resumes it at the moment it
        yielded (sized at its creation date); False when its budget line has no room."""
        plan = self.plan
        yield datetime(year, plan.month, plan.day, 1, 30, tzinfo=UTC)
        chosen = _choose(self.ledger, year, plan)
        if chosen is None:
            return False
        self.line, method, hps = chosen
        self.year = year
        body = {
            "title": plan.title,
            "budget_line": self.line["line_id"],
            "category": FAMILIES[plan.family][1],
            "hps": wire_amount(hps),
            "method": method,
            "rup_code": f"RUP-{year}-{plan.number:05d}",
            **items_for(plan.title),
        }
        item = _rup_body(self.line, plan.title, body["category"], method, hps, self.log.now)
        self.log.append([self.log.sign(self.people.officer, rup.PUBLISHED, body["rup_code"], item)])
        self.step(self.people.officer, lc.PACKAGE_CREATED, body)
        if self.reached("planned"):
            return True
        yield self.later(2 * DAY)
        window = WINDOW_DAYS[method]
        _announce(
            self.ledger,
            self.log,
            self.people,
            self.ocid,
            plan.title,
            clarification_days=max(1, window // 3),
            window_days=window,
        )
        yield from self._clarify()
        if self.reached("cancelled"):
            yield self.later(3 * DAY)
            reason = "Spesifikasi teknis perlu disusun ulang setelah kaji ulang kebutuhan"
            self.step(self.people.officer, lc.CANCELLED_TYPE, {"reason": reason})
            return True
        yield from self._bids(hps)
        yield _moment(self.tender()["schedule"]["bid_deadline"])
        self.step(self.people.officer, lc.CLOSED_TYPE, {})
        if self.reached("closed"):
            return True
        if "one_bid" in plan.extras:
            yield self.later(DAY)
            reason = "Tender gagal: peserta yang memasukkan penawaran kurang dari tiga"
            self.step(self.people.officer, lc.FAILED_TYPE, {"reason": reason})
            return True
        yield from self._release(0)
        if self.reached("opening"):
            return True
        yield from self._release(1)
        yield self.later(HOUR)
        self.step(self.people.pokja[1][0], lc.OPENED_TYPE, {})
        if self.reached("opened"):
            return True
        yield from self._evaluate(
            failing=set(self.bidders) if "no_passing_bid" in plan.extras else set()
        )
        if self.reached("evaluated"):
            return True
        if self.reached("failed"):
            yield self.later(DAY)
            reason = "Tender gagal: tidak ada penawaran yang memenuhi persyaratan teknis"
            self.step(self.people.officer, lc.FAILED_TYPE, {"reason": reason})
            return True
        yield from self._announce_winner()
        if self.reached("winner_announced"):
            return True
        return (yield from self._contract())

    def _clarify(self) -> Iterator[datetime]:
        if "question" in self.plan.extras:
            yield self.later(6 * HOUR)
            question = "Apakah pengalaman pekerjaan sejenis lima tahun terakhir wajib dilampirkan?"
            self.step(self.bidders[0], lc.QUESTION_ASKED, {"question": question})
            yield self.later(6 * HOUR)
            answer = "Ya, lampirkan kontrak dan BAST pekerjaan sejenis."
            self.step(
                self.people.pokja[0][0], lc.QUESTION_ANSWERED, {"question": 1, "answer": answer}
            )
        if "addendum" in self.plan.extras:
            yield self.later(12 * HOUR)
            content = (
                f"ADENDUM 1 DOKUMEN PEMILIHAN\nPaket: {self.plan.title}\n"
                "Spesifikasi teknis butir 4 diperjelas; jadwal tetap.\n"
            ).encode()
            document = _store_document(self.ledger, f"Adendum 1 {self.ocid}.txt", content)
            body = {
                "addendum": 1,
                "description": "Perubahan spesifikasi teknis butir 4",
                "documents": [document],
            }
            self.step(self.people.officer, lc.AMENDED, body)

    def _bids(self, hps: int) -> Iterator[datetime]:
        schedule = self.tender()["schedule"]
        yield _moment(schedule["clarification_end"])
        bidders = self.bidders[:1] if "one_bid" in self.plan.extras else self.bidders
        percents = (94, 89, 91) if self.plan.number % 2 else (90, 95, 88)
        if "identical_bids" in self.plan.extras:
            percents = (90, 95, 90)  # two tenderers at one price (red flags R028, R024)
        elif "close_bids" in self.plan.extras:
            percents = (94, 89, 90)  # the runner-up about 1% above the winner (R024)
        for vendor, percent in zip(bidders, percents, strict=False):
            yield self.later(3 * HOUR)
            _bid(self.ledger, self.log, vendor, self.ocid, hps * percent // 100 // JUTA * JUTA)

    def _release(self, member: int) -> Iterator[datetime]:
        yield self.later(HOUR)
        key, box = self.people.pokja[member]
        with self.ledger.engine.connect() as conn:
            bids = list(iter_prefixed(conn, lc.BID_NAMESPACE, self.ocid + "|"))
        releases, _bad = pc.release_shares(client_key_id(key), box, self.ocid, bids)
        self.step(key, lc.SHARES_RELEASED, {"shares": releases})

    def _evaluate(self, failing: set[SigningKey]) -> Iterator[datetime]:
        yield self.later(2 * DAY)
        results = []
        for index, vendor in enumerate(self.bidders):
            failed = vendor in failing
            results.append(
                {
                    "bidder": client_key_id(vendor),
                    "passed": not failed,
                    "score": "0" if failed else str(80 + index * 3),
                    "reasons": "tidak memenuhi persyaratan teknis (metode pelaksanaan)"
                    if failed
                    else "memenuhi persyaratan administrasi, teknis dan harga",
                }
            )
        self.step(self.people.pokja[0][0], lc.EVALUATED, {"results": results})

    def _announce_winner(self) -> Iterator[datetime]:
        yield self.later(DAY)
        best = self.tender()["evaluation"]["best"]
        self.step(self.people.pokja[0][0], lc.WINNER_ANNOUNCED_TYPE, {"winner": best["bidder"]})
        if not {"objection", "upheld"} & self.plan.extras:
            return
        loser = next(v for v in self.bidders if client_key_id(v) != best["bidder"])
        yield self.later(2 * DAY)
        objection = "Harga penawaran pemenang tidak wajar dan metode pelaksanaan tidak lengkap."
        self.step(loser, lc.OBJECTION_FILED, {"objection": objection})
        yield self.later(DAY)
        upheld = "upheld" in self.plan.extras
        answer = {
            "objection": 1,
            "outcome": "upheld" if upheld else "rejected",
            "answer": "Sanggah diterima: evaluasi teknis diulang."
            if upheld
            else "Sanggah ditolak: penawaran pemenang telah diklarifikasi dan wajar.",
        }
        self.step(self.people.pokja[0][0], lc.OBJECTION_ANSWERED, answer)
        if not upheld:
            return
        yield self.later(HOUR)
        reason = "Sanggah diterima: metode pelaksanaan pemenang tidak memenuhi syarat"
        self.step(self.people.officer, lc.EVALUATION_REOPENED, {"reason": reason})
        winner = next(v for v in self.bidders if client_key_id(v) == best["bidder"])
        yield from self._evaluate(failing={winner})
        yield from self._announce_winner_again()

    def _announce_winner_again(self) -> Iterator[datetime]:
        yield self.later(DAY)
        best = self.tender()["evaluation"]["best"]
        self.step(self.people.pokja[0][0], lc.WINNER_ANNOUNCED_TYPE, {"winner": best["bidder"]})

    def _contract(self) -> Generator[datetime, None, bool]:
        people = self.people
        tender = self.tender()
        yield _moment(tender["objections"]["end"]) + DAY
        award = pc.award_batch(
            people.officer,
            people.finance,
            tender,
            f"KONTRAK-{self.ocid}",
            at=self.log.now,
            origin=self.log.origin,
            limits=self.log.limits,
        )
        self.log.append(award)
        if self.reached("awarded"):
            return True
        winner = next(v for v in self.bidders if client_key_id(v) == tender["winner"]["bidder"])
        value = tender["winner"]["price_sen"]
        yield self.later(3 * DAY)
        start = self.log.now.date()
        pay_months = self.plan.pay_months or (min(start.month + 2, 12),)
        final_day = date(self.year, pay_months[-1], 20)
        # A single-year contract ends within its fiscal year (Perpres 46/2025's set refuses
        # one running past it without a multi-year approval).
        end = min(max(final_day, start + timedelta(days=60)), date(self.year, 12, 31))
        advance = value * 30 // 100 // JUTA * JUTA
        number = f"SPK-{self.ocid.rsplit('-', 1)[-1]}/{self.year}"
        terms = pc.contract_body(
            number,
            value,
            start.isoformat(),
            end.isoformat(),
            [
                pc.milestone("Uang muka 30%", advance, (start + timedelta(days=14)).isoformat()),
                pc.milestone("Serah terima pekerjaan (BAST)", value - advance, end.isoformat()),
            ],
        )
        signature = pc.countersign(winner, ct.SIGNED, self.ocid, terms)
        self.step(people.officer, ct.SIGNED, {**terms, "vendor_signature": signature})
        if self.reached("contract_signed"):
            return True
        yield from self._pay(winner, 1, 1, advance, pay_months[0])
        if self.reached("advance_paid"):
            return True
        if self.reached("terminated"):
            yield self.later(30 * DAY)
            reason = "Wanprestasi: deviasi progres fisik lebih dari 20% setelah tiga surat teguran"
            batch = pc.termination_batch(
                people.officer,
                people.finance,
                self._contract_doc(),
                self._commitments(),
                reason,
                self.log.now.date().isoformat(),
                posting_id=f"LEPAS-{self.ocid}",
                at=self.log.now,
                origin=self.log.origin,
                limits=self.log.limits,
            )
            self.log.append(batch)
            return True
        rest = value - advance
        if "decrease" in self.plan.extras:
            rest = yield from self._decrease(winner, advance, rest, end)
        yield from self._pay(winner, 2, 2, rest, pay_months[-1])
        if self.reached("paid"):
            return True
        yield self.later(5 * DAY)
        bast = f"BAST/{self.ocid.rsplit('-', 1)[-1]}/{self.year}"
        content = (
            f"BERITA ACARA SERAH TERIMA PEKERJAAN\nNomor: {bast}\nPaket: {self.plan.title}\n"
            f"Kontrak: {number}\nPekerjaan telah selesai 100% dan diterima baik.\n"
        ).encode()
        document = _store_document(self.ledger, f"{bast.replace('/', '-')}.txt", content)
        batch = pc.completion_batch(
            people.officer,
            people.finance,
            self._contract_doc(),
            self._commitments(),
            bast,
            self.log.now.date().isoformat(),
            posting_id=f"LEPAS-{self.ocid}",
            at=self.log.now,
            origin=self.log.origin,
            document=document,
            limits=self.log.limits,
        )
        self.log.append(batch)
        return True

    def _contract_doc(self) -> dict[str, Any]:
        with self.ledger.engine.connect() as conn:
            found = document(conn, CONTRACT_NAMESPACE, self.ocid)
        assert found is not None
        return found

    def _commitments(self) -> dict[str, dict[str, Any]]:
        with self.ledger.engine.connect() as conn:
            return {
                c: document(conn, budget.NS_COMMITMENT, c) or {}
                for c in self._contract_doc()["commitments"]
            }

    def _pay(
        self, vendor: SigningKey, request: int, milestone: int, amount: int, month: int
    ) -> Iterator[datetime]:
        yield max(self.log.now + 7 * DAY, datetime(self.year, month, 8, 2, 0, tzinfo=UTC))
        self.log.append(
            [
                pc.payment_request(
                    vendor,
                    self.ocid,
                    request,
                    milestone,
                    amount,
                    at=self.log.now,
                    origin=self.log.origin,
                    limits=self.log.limits,
                )
            ]
        )
        yield self.later(3 * DAY)
        batch = pc.payment_batch(
            self.people.officer,
            self.people.finance,
            self._contract_doc(),
            request,
            f"SP2D-{self.ocid}-{request}",
            self._commitments(),
            at=self.log.now,
            origin=self.log.origin,
            limits=self.log.limits,
        )
        self.log.append(batch)

    def _decrease(
        self, vendor: SigningKey, advance: int, rest: int, end: date
    ) -> Generator[datetime, None, int]:
        """The work cost less (CCO kurang): the final milestone drops by 8%."""
        yield self.later(10 * DAY)
        lower = rest - rest * 8 // 100 // JUTA * JUTA
        body = pc.amendment_body(
            1,
            advance + lower,
            [
                pc.milestone(
                    "Uang muka 30%", advance, self._contract_doc()["milestones"][0]["due"]
                ),
                pc.milestone("Serah terima pekerjaan (BAST)", lower, end.isoformat()),
            ],
            "Pekerjaan tambah kurang: volume galian lebih kecil dari rencana",
        )
        signature = pc.countersign(vendor, ct.AMENDED, self.ocid, body)
        batch = pc.amendment_batch(
            self.people.officer,
            self.people.finance,
            self._contract_doc(),
            body,
            signature,
            at=self.log.now,
            origin=self.log.origin,
            limits=self.log.limits,
        )
        self.log.append(batch)
        return lower


RECENT = (
    (42, "Pembangunan saluran drainase jalan kota", "roads", 6),
    (43, "Rehabilitasi puskesmas rawat inap Tanjung Harapan", "health-building", 14),
)
"""The two tenders of these weeks: number, title, line (``WHERE``), created how many days ago."""


def _recent(
    ledger: Ledger, log: SimulatedLog, people: People, year: int, index: int, added: list[str]
) -> Iterator[datetime]:
    """A tender of these weeks, on the real calendar (created a few days ago): ``042`` still
    open for bids after its questions closed, ``043`` in its masa sanggah now."""
    number, title, where, days_ago = RECENT[index]
    ocid = f"{OCID_PREFIX}-{year}-DEMO-{number:03d}"
    yield ledger.clock() - days_ago * DAY
    if _tender(ledger, ocid) is not None:
        return
    line = _line(ledger, year, where, "works")
    hps = max(min(line["available_sen"] * 9 // 10, 600 * JUTA) // JUTA * JUTA, 210 * JUTA)
    if hps > line["available_sen"]:
        return
    body = {
        "title": title,
        "budget_line": line["line_id"],
        "category": "works",
        "hps": wire_amount(hps),
        "method": "tender",
        "rup_code": "RUP-" + ocid.rsplit("-", 1)[-1],
        **items_for(title),
    }
    item = _rup_body(line, title, "works", "tender", hps, log.now)
    log.append([log.sign(people.officer, rup.PUBLISHED, body["rup_code"], item)])
    log.append([log.sign(people.officer, lc.PACKAGE_CREATED, ocid, body)])
    added.append(ocid)
    yield log.now + HOUR
    _announce(ledger, log, people, ocid, title, clarification_days=3, window_days=10)
    vendors = people.vendors[2 + index * 3 : 5 + index * 3]
    for vendor, percent in zip(vendors, (93, 90, 96), strict=False):
        yield log.now + DAY
        _bid(ledger, log, vendor, ocid, hps * percent // 100 // JUTA * JUTA)
    if index == 0:
        return  # still open: the deadline is days from now
    tender = YearTender(
        ledger, log, people, _plan(number, "winner_announced", "works", title, 1, 1, where), ocid
    )
    tender.bidders = list(vendors)
    tender.year = year
    yield _moment(tender.tender()["schedule"]["bid_deadline"])
    tender.step(people.officer, lc.CLOSED_TYPE, {})
    yield from tender._release(0)
    yield from tender._release(1)
    yield tender.later(HOUR)
    tender.step(people.pokja[1][0], lc.OPENED_TYPE, {})
    yield from tender._evaluate(failing=set())
    yield from tender._announce_winner()
    best = tender.tender()["evaluation"]["best"]["bidder"]
    loser = next(v for v in vendors if client_key_id(v) != best)
    yield log.now + 12 * HOUR
    objection = "Persyaratan SBU pemenang belum sesuai dengan subklasifikasi pekerjaan."
    tender.step(loser, lc.OBJECTION_FILED, {"objection": objection})


def _first_tender(
    ledger: Ledger,
    log: SimulatedLog,
    people: People,
    ocid: str,
    year: int,
    build: Callable[[Ledger, SimulatedLog, People, str, int, str], Iterator[datetime]],
    where: str,
    added: list[str],
) -> Iterator[datetime]:
    """One of ``DEMO-001`` .. ``004``, ``006``: skipped when the log holds it already."""
    steps: Iterator[datetime] = build(ledger, log, people, ocid, year, where)
    first = next(steps)
    yield first
    if _tender(ledger, ocid) is not None:
        return
    added.append(ocid)
    yield from steps


def _year_tender(
    ledger: Ledger, log: SimulatedLog, people: People, year: int, plan: Plan, added: list[str]
) -> Iterator[datetime]:
    ocid = f"{OCID_PREFIX}-{year}-DEMO-{plan.number:03d}"
    steps = YearTender(ledger, log, people, plan, ocid).build(year)
    yield next(steps)
    if _tender(ledger, ocid) is not None:
        return
    added.append(ocid)
    if not (yield from steps):
        added.remove(ocid)  # its line had no room: not built


def _schedule(log: SimulatedLog, actors: Sequence[Iterator[datetime]]) -> None:
    """Run every actor's steps in the order of their moments, so the simulated clock only
    moves forward: an actor yields the moment of its next step, and is resumed (its step
    logged) once no other actor's step is due before it. Ties go to the actor listed first,
    so the order, like every moment, is the same on every run."""
    due: list[tuple[datetime, int, Iterator[datetime]]] = []

    def plan(order: int, actor: Iterator[datetime]) -> None:
        moment = next(actor, None)  # None: the actor is done
        if moment is not None:
            heapq.heappush(due, (moment, order, actor))

    for order, actor in enumerate(actors):
        plan(order, actor)
    while due:
        moment, order, actor = heapq.heappop(due)
        log.at(moment)
        plan(order, actor)


def load_procurement_demo(
    ledger: Ledger,
    keys_dir: Path,
    year: int,
    log: SimulatedLog,
    budget_steps: Iterator[datetime],
) -> dict[str, Any]:
    """Add the procurement demo (see the module doc), its steps merged in time order with
    the rest of the demo budget's year (``budget_steps``, after its DPA); returns what it
    added."""
    people = _setup_people(ledger, log, keys_dir, year)
    added: list[str] = []
    firsts = (
        (f"{OCID_PREFIX}-{year}-DEMO-001", _awarded, "health-building"),
        (f"{OCID_PREFIX}-{year}-DEMO-002", _cancelled, "vehicles"),
        (f"{OCID_PREFIX}-{year}-DEMO-003", _opened, "health-equipment"),
        (f"{OCID_PREFIX}-{year}-DEMO-006", _closed, "school-furniture"),
        (f"{OCID_PREFIX}-{year}-DEMO-004", _planned, "roads"),
    )
    actors: list[Iterator[datetime]] = [budget_steps]
    actors += [
        _first_tender(ledger, log, people, ocid, year, build, where, added)
        for ocid, build, where in firsts
    ]
    actors += [_year_tender(ledger, log, people, year, plan, added) for plan in YEAR_PLAN]
    actors += [_recent(ledger, log, people, year, index, added) for index in range(len(RECENT))]
    _schedule(log, actors)
    open_ocid = f"{OCID_PREFIX}-{year}-DEMO-005"
    if _tender(ledger, open_ocid) is None:  # last: on the real clock, after every other step
        now = ledger.clock()
        title = "Pengadaan laptop untuk sekolah dasar"
        line = _line(ledger, year, "school-computers", "goods")
        hps = _hps(line, 800)
        body = {
            "title": title,
            "budget_line": line["line_id"],
            "category": "goods",
            "hps": wire_amount(hps),
            "method": "tender",
            "rup_code": "RUP-" + open_ocid.rsplit("-", 1)[-1],
            **items_for(title),
        }
        item = _rup_body(line, title, "goods", "tender", hps, now)
        clarification_end = format_time(now + 7 * DAY)
        deadline = format_time(now + 14 * DAY)
        content = tender_document(open_ocid, title, clarification_end, deadline)
        announce = {
            "documents": [_store_document(ledger, f"Dokumen pemilihan {open_ocid}.txt", content)],
            "clarification_end": clarification_end,
            "bid_deadline": deadline,
            "committee": {"members": people.member_ids(), "threshold": 2},
        }
        ledger.append_direct(
            [
                make_signed(
                    people.officer,
                    rup.PUBLISHED,
                    body["rup_code"],
                    item,
                    at=now,
                    origin=ledger.origin,
                ),
                make_signed(
                    people.officer,
                    lc.PACKAGE_CREATED,
                    open_ocid,
                    body,
                    at=now,
                    origin=ledger.origin,
                ),
                make_signed(
                    people.officer, lc.ANNOUNCED, open_ocid, announce, at=now, origin=ledger.origin
                ),
            ]
        )
        added.append(open_ocid)
    return {
        "procurement_tenders": sorted(added),
        "procurement_statements": log.statements["procurement"],
    }
