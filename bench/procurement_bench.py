"""Procurement benchmark: a tender with 1,000 sealed bids, and the OCDS export of 10,000 tenders.

Run ``python bench/procurement_bench.py --help`` for what each figure means. Writes
bench/results/procurement.json (``--out``), one section per engine, with the machine's
load average and the git commit. Everything it starts (the service subprocess, a
PostgreSQL database it creates, temporary directories) is stopped or removed before it
exits, also on failure.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import platform
import signal
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from nacl.public import PrivateKey
from nacl.signing import SigningKey
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
)
from sqlalchemy.engine import Connection

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from bench_common import (  # noqa: E402
    HOST,
    RATE_LIMITS_OFF,
    BenchError,
    Service,
    free_port,
    fresh_database,
    git,
    latency_summary,
    load_average,
    mib,
    own_cpu_s,
    own_peak_rss_mib,
    running,
)

from budgeting import statements as budget_statements  # noqa: E402
from ledger.client import LedgerClient  # noqa: E402
from ledger.keys import client_key_id  # noqa: E402
from ledger.limits import Limits  # noqa: E402
from ledger.note import generate_signer  # noqa: E402
from ledger.service import Ledger, Settings  # noqa: E402
from ledger.signing import make_signed  # noqa: E402
from ledger.statement import SignedStatement, b64encode, format_time  # noqa: E402
from procurement import client as pc  # noqa: E402
from procurement import contracts as ct  # noqa: E402
from procurement import lifecycle as lc  # noqa: E402
from procurement.fields import wire_amount  # noqa: E402
from procurement.limits import OCDS_BULK_TENDERS_MAX, RELEASES_PER_STATEMENT_MAX  # noqa: E402
from procurement.reads import document, prefixed, scan  # noqa: E402

SCHEMA = "terang-procurement-bench/1"
ORIGIN = "bench.terang.example/log"
API = "/api/v1/procurement"
CLOCK_ROUTE = "/_bench/clock"
READY_TIMEOUT_S = 90.0
STOP_TIMEOUT_S = 30.0
HTTP_TIMEOUT_S = 900.0
YEAR = 2026
JUTA = 100_000_000  # Rp 1 juta in sen
HOUR = timedelta(hours=1)
DAY = timedelta(days=1)
OCID_PREFIX = "ocds-t3r4ng-2026-BENCH"

console = Console(stderr=True, highlight=False)

HELP = """\
Measures procurement on each engine (--engines) and writes the figures, with the
machine's load and the git commit, to --out (merged per engine with --update).

The service is this script in a subprocess (--phase serve): the same FastAPI app and
ledger as `terang serve`, plus one bench-only route that moves the service's clock
(a bid window is at least 7 days; the clock is jumped past the deadline instead of
waited for). Set-up (keys, budget, vendor registration and activation) is appended
in-process and is not measured.

Part 1, sealed_bids (--bids vendors, a committee of --members with threshold
--threshold), every step over HTTP with procurement/client.py, as `terang vendor bid`
and `terang committee release` do:
  seal    per vendor: GET the tender, seal_bid (format 2: deal Feldman shares k-of-n,
          derive the key, encrypt, seal each share to a member's X25519 key) and
          sign: the vendor's
          machine's cost, one vendor after another in this process
          (seal_ms, sign_ms, fetch_tender_ms: p50/p99 per bid).
  submit  the signed bids POSTed to /api/v1/statements from --clients threads:
          entries_per_s (wall), latency p50/p99, and the service's CPU seconds
          (server_cpu_ms_per_bid: independent of the machine's other load).
  close   the clock jumps past the deadline; the officer POSTs the closing.
  release for each of the first k members: GET the bids, open its sealed shares
          (decrypt_seconds), sign and POST them 64 a statement (submit_seconds).
          The service checks every released share against the bid's Feldman
          commitments (one edwards25519 check per share).
  opened  the `procurement.tender.opened` statement: the service reconstructs,
          decrypts and checks every bid in this one entry (procurement.opening).
  public_opening  anyone re-opens every bid from the released shares
          (procurement.client.open_bid: reconstruct the key, decrypt, check the
          ciphertext and envelope hashes); every price is compared with the
          price the vendor sealed.
  ocds_record     GET /ocds/records/{ocid} of this tender, on a fresh service
          (seconds, bytes, the service's peak RSS); --skip-bid-record skips it.
  Peak RSS: the service's VmHWM just before it stops; this process's max RSS.

Part 2, ocds_export: --tenders tenders of fiscal year 2026 in a mix of states
(planned, active, cancelled, closed, opened, winner announced, awarded with a
signed contract; 3 sealed bids on each tender that got bids), appended in-process
through the ledger's sequencer on a simulated clock (build: entries/s, not a
target). Then, for each package (releases, records) and page size (--page-limits),
on a fresh service: every page of GET /ocds/{releases,records}?year=2026 fetched
and written to one file as the year's package, streamed (one page in memory at a
time): seconds, bytes, items, pages, page latency, the service's CPU seconds and
its peak RSS after the first page and at the end (if equal, the export's memory does
not grow with the number of tenders).
"""


# ------------------------------------------------------------------------ measuring


def machine_facts() -> dict[str, Any]:
    return {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "nproc": os.cpu_count(),
        "load_average_at_start": load_average(),
        "platform": platform.platform(),
        "python": platform.python_version(),
    }


@contextlib.contextmanager
def bar(description: str, total: int, enabled: bool) -> Iterator[Callable[[int], None]]:
    """A progress bar on stderr; yields ``advance(n)``."""
    if not enabled:
        yield lambda _n: None
        return
    with Progress(
        TextColumn(f"  {description:<28}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=False,
    ) as progress:
        task = progress.add_task(description, total=total)
        yield lambda n: progress.advance(task, n)


# ------------------------------------------------------------------ the service


class OffsetClock:
    """Real time plus an offset the bench moves (to jump past a bid deadline)."""

    def __init__(self, offset_s: float = 0.0) -> None:
        self.offset_s = offset_s

    def __call__(self) -> datetime:
        return datetime.now(UTC) + timedelta(seconds=self.offset_s)


def serve(db: str, log_key: Path, port: int, offset_s: float) -> None:
    """``--phase serve``: create_app(ledger) under uvicorn, as `terang serve`, plus the
    clock route. Runs until SIGTERM."""
    import uvicorn
    from fastapi import Body

    from terang.app import all_kinds, create_app

    clock = OffsetClock(offset_s)
    settings = Settings(
        database_url=db,
        log_key_file=log_key,
        limits=Limits(**RATE_LIMITS_OFF),
        state_file=state_file_for(db, log_key.parent),
    )
    ledger = Ledger(settings, all_kinds(), clock=clock)
    ledger.start()
    app = create_app(ledger)

    def set_clock(offset: float = Body(embed=True)) -> dict[str, str]:
        clock.offset_s = offset
        return {"now": format_time(clock())}

    app.add_api_route(CLOCK_ROUTE, set_clock, methods=["POST"], include_in_schema=False)
    try:
        uvicorn.run(app, host=HOST, port=port, log_level="warning")
    finally:
        ledger.close()


class Server(Service):
    """This script's ``--phase serve`` in a subprocess (its own session)."""

    def __init__(self, db: str, log_key: Path, log_path: Path, offset_s: float = 0.0) -> None:
        super().__init__(log_path, ready_timeout_s=READY_TIMEOUT_S, stop_timeout_s=STOP_TIMEOUT_S)
        self.db = db
        self.log_key = log_key
        self.offset_s = offset_s

    def start(self) -> None:
        self.port = free_port()
        command = [sys.executable, __file__, "--phase", "serve", "--db", self.db]
        command += ["--log-key", str(self.log_key), "--port", str(self.port)]
        command += ["--clock-offset-s", str(self.offset_s)]
        env = {k: v for k, v in os.environ.items() if not k.startswith("TERANG_")}
        env["PYTHONUNBUFFERED"] = "1"
        self.launch(command, env)

    def set_offset(self, offset_s: float) -> None:
        self.offset_s = offset_s
        with httpx.Client(base_url=self.url, timeout=10) as client:
            client.post(CLOCK_ROUTE, json={"offset": offset_s}).raise_for_status()

    def now(self) -> datetime:
        """The service's clock, for signing (statements must be within the skew)."""
        return datetime.now(UTC) + timedelta(seconds=self.offset_s)


class SimClock:
    """A clock that moves only when told (the in-process set-up and the OCDS build)."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@dataclass
class People:
    authority: SigningKey
    officer: SigningKey
    finance: SigningKey
    members: list[tuple[SigningKey, PrivateKey]]
    vendors: list[SigningKey] = field(default_factory=list)

    def member_ids(self) -> list[str]:
        return [client_key_id(k) for k, _ in self.members]


# Budget structure and line: the same codes as tests/unit/procurement/procurement_support.py
# (setup_budget_line), with a larger appropriation.
LINE = f"{YEAR}:1.02.0.00.0.00.01.0000:1.02.02.2.01.0001:5.1.02.01.01.0024:DAU"
STRUCTURE = (
    ("fiscal_year", str(YEAR), f"TA {YEAR}"),
    ("programme", "1", "Urusan wajib pelayanan dasar"),
    ("programme", "1.02", "Kesehatan"),
    ("programme", "1.02.02", "Program pemenuhan upaya kesehatan"),
    ("programme", "1.02.02.2.01", "Penyediaan fasilitas kesehatan"),
    ("programme", "1.02.02.2.01.0001", "Pengadaan alat kesehatan"),
    ("opd", "1.02.0.00.0.00.01.0000", "Dinas Kesehatan"),
    ("account", "5", "Belanja"),
    ("account", "5.1", "Belanja operasi"),
    ("account", "5.1.02", "Belanja barang dan jasa"),
    ("account", "5.1.02.01", "Belanja barang"),
    ("account", "5.1.02.01.01", "Belanja barang pakai habis"),
    ("account", "5.1.02.01.01.0024", "Belanja alat/bahan kantor"),
    ("funding_source", "DAU", "Dana Alokasi Umum"),
)
APPROPRIATION_SEN = 50_000_000 * JUTA  # Rp 50 trillion: room for every award


JOB_STATEMENTS = 1000


def append(ledger: Ledger, statements: Sequence[SignedStatement]) -> None:
    """Append through the sequencer in the caller's thread, in atomic jobs."""
    for start in range(0, len(statements), JOB_STATEMENTS):
        ledger.append_direct(statements[start : start + JOB_STATEMENTS])


def state_file_for(db: str, directory: Path) -> Path:
    """A restore-check state file per database: the bench builds several logs with one
    log key, and each must compare only with its own published checkpoints (with one
    shared file, a fresh database looks like an older backup and is held read-only)."""
    return directory / f"{hashlib.sha256(db.encode()).hexdigest()[:16]}.checkpoint"


def new_ledger(db: str, workdir: Path, clock: Callable[[], datetime]) -> Ledger:
    from terang.app import all_kinds

    settings = Settings(
        database_url=db,
        log_key_file=workdir / "log.key",
        limits=Limits(),
        state_file=state_file_for(db, workdir),
    )
    return Ledger(settings, all_kinds(), clock=clock)


def setup_people(
    ledger: Ledger, workdir: Path, at: datetime, members: int, vendors: int, *, progress: bool
) -> People:
    """Genesis, officer, finance, committee (with X25519 keys), budget, active vendors."""
    authority, officer, finance = (SigningKey.generate() for _ in range(3))
    genesis = make_signed(
        authority,
        "ledger.genesis",
        "genesis",
        {
            "origin": ledger.origin,
            "log_verifier_key": ledger.verifier_key(),
            "authorities": [{"name": "root", "public_key": b64encode(bytes(authority.verify_key))}],
        },
        at=at,
        origin=ORIGIN,
    )
    ledger.append_direct([genesis])

    def register(
        key: SigningKey, name: str, roles: list[str], box: PrivateKey | None = None
    ) -> Any:
        body: dict[str, Any] = {
            "public_key": b64encode(bytes(key.verify_key)),
            "name": name,
            "roles": roles,
        }
        if box is not None:
            body["x25519_public_key"] = b64encode(bytes(box.public_key))
        return make_signed(
            authority, "registry.key.registered", client_key_id(key), body, at=at, origin=ORIGIN
        )

    committee = [(SigningKey.generate(), PrivateKey.generate()) for _ in range(members)]
    keys = [
        register(officer, "Pokja / PPK (bench)", ["procurement_officer"]),
        register(finance, "BPKAD (bench)", ["finance"]),
        *(
            register(key, f"Anggota Pokja {i + 1}", ["committee_member"], box)
            for i, (key, box) in enumerate(committee)
        ),
    ]
    budget = [budget_statements.structure(*item) for item in STRUCTURE]
    budget.append(budget_statements.appropriation(LINE, "DPA-BENCH-0001", APPROPRIATION_SEN))
    keys += [p.sign(finance, at=at, origin=ORIGIN, limits=ledger.limits) for p in budget]
    append(ledger, keys)
    people = People(authority, officer, finance, committee)
    with bar("vendors (set-up)", vendors, progress) as advance:
        for start in range(0, vendors, 250):
            job = []
            for i in range(start, min(start + 250, vendors)):
                key = SigningKey.generate()
                vendor_id = client_key_id(key)
                job.append(
                    pc.registration(
                        key,
                        f"CV Vendor Bench {i:05d}",
                        str(100_000_000_000_000 + i),
                        f"Jl. Pahlawan No. {i + 1}, Kabupaten Contoh",
                        "kecil",
                        at=at,
                        origin=ORIGIN,
                    )
                )
                job.append(
                    make_signed(
                        officer, "procurement.vendor.activated", vendor_id, {}, at=at, origin=ORIGIN
                    )
                )
                people.vendors.append(key)
            ledger.append_direct(job)
            advance(len(job) // 2)
    return people


def package_body(ocid: str, hps_sen: int, title: str) -> dict[str, Any]:
    return {
        "title": title,
        "budget_line": LINE,
        "category": "goods",
        "hps": wire_amount(hps_sen),
        "method": "tender",
        "rup_code": "RUP-" + ocid.rsplit("-", 1)[-1],
    }


def announce_body(ocid: str, at: datetime, people: People, threshold: int) -> dict[str, Any]:
    digest = hashlib.sha256(f"dokumen pemilihan {ocid}".encode()).hexdigest()
    return {
        "documents": [{"name": "Dokumen pemilihan", "sha256": digest}],
        "clarification_end": format_time(at + 3 * DAY),
        "bid_deadline": format_time(at + 7 * DAY + HOUR),
        "committee": {"members": people.member_ids(), "threshold": threshold},
    }


# --------------------------------------------------------- part 1: sealed bids


BIDS_OCID = "ocds-t3r4ng-2026-BIDS-0001"
BIDS_HPS_SEN = 900 * JUTA


def bid_price(index: int) -> int:
    """Distinct prices below the HPS (some below 80%: performance guarantee flag)."""
    return BIDS_HPS_SEN - (index * 7919 % 400_000) * 1000 - 1000


def part_sealed_bids(
    db: str, workdir: Path, args: argparse.Namespace, progress: bool
) -> dict[str, Any]:
    bids, members, threshold = args.bids, args.members, args.threshold
    out: dict[str, Any] = {
        "sizes": {
            "bids": bids,
            "committee_members": members,
            "threshold": threshold,
            "submit_clients": args.clients,
        }
    }
    console.print(f"[bold]sealed bids[/bold]: {bids} vendors, committee {threshold} of {members}")
    started = time.perf_counter()
    setup_clock = OffsetClock()
    ledger = new_ledger(db, workdir, setup_clock)
    try:
        people = setup_people(ledger, workdir, setup_clock(), members, bids, progress=progress)
        now = setup_clock()
        ocid = BIDS_OCID
        title = "Pengadaan alat kesehatan puskesmas (bench)"
        ledger.append_direct(
            [
                make_signed(
                    people.officer,
                    lc.PACKAGE_CREATED,
                    ocid,
                    package_body(ocid, BIDS_HPS_SEN, title),
                    at=now,
                    origin=ORIGIN,
                ),
                make_signed(
                    people.officer,
                    lc.ANNOUNCED,
                    ocid,
                    announce_body(ocid, now, people, threshold),
                    at=now,
                    origin=ORIGIN,
                ),
            ]
        )
        out["setup"] = {
            "seconds": round(time.perf_counter() - started, 2),
            "entries": ledger.size(),
        }
    finally:
        ledger.close()

    server = Server(db, workdir / "log.key", workdir / "service.log")
    with running(server):
        with LedgerClient(server.url, timeout_s=HTTP_TIMEOUT_S) as client:
            out["seal"], signed = _seal(client, server, people, ocid, progress)
        out["submit"] = _submit(server, signed, args.clients, progress)
        deadline = datetime.fromisoformat(
            announce_body(ocid, now, people, threshold)["bid_deadline"].replace("Z", "+00:00")
        )
        server.set_offset((deadline - datetime.now(UTC)).total_seconds() + 60)
        with LedgerClient(server.url, timeout_s=HTTP_TIMEOUT_S) as client:
            t0 = time.perf_counter()
            client.submit(
                make_signed(
                    people.officer, lc.CLOSED_TYPE, ocid, {}, at=server.now(), origin=ORIGIN
                )
            )
            out["close"] = {"seconds": round(time.perf_counter() - t0, 4)}
            out["release"] = [
                _release(client, server, people, ocid, index, progress)
                for index in range(threshold)
            ]
            t0 = time.perf_counter()
            opener = people.members[threshold - 1][0]
            client.submit(
                make_signed(opener, lc.OPENED_TYPE, ocid, {}, at=server.now(), origin=ORIGIN)
            )
            out["opened"] = {"seconds": round(time.perf_counter() - t0, 4)}
            out["public_opening"] = _public_opening(client, ocid, people, threshold)
            tender = client.http.get(f"{API}/tenders/{ocid}").json()["tender"]
            out["tender_after"] = {"state": tender["state"], "bids": tender["bids"]}
    out["server_peak_rss_mib"] = mib(server.peak_rss_kib)
    if args.skip_bid_record:
        out["ocds_record"] = None
    else:
        out["ocds_record"] = _ocds_record(server, ocid)
    out["client_peak_rss_mib"] = own_peak_rss_mib()
    return out


def _seal(
    client: LedgerClient, server: Server, people: People, ocid: str, progress: bool
) -> tuple[dict[str, Any], list[SignedStatement]]:
    """Each vendor in turn: GET the tender, seal the bid, sign it (the CLI's steps)."""
    fetch, seal, sign = [], [], []
    signed = []
    cpu0, t0 = own_cpu_s(), time.perf_counter()
    with bar("seal + sign (client)", len(people.vendors), progress) as advance:
        for index, vendor in enumerate(people.vendors):
            a = time.perf_counter()
            tender = client._check(client.http.get(f"{API}/tenders/{ocid}")).json()["tender"]
            b = time.perf_counter()
            sealed = pc.seal_bid(
                ocid,
                client_key_id(vendor),
                bid_price(index),
                tender["committee"]["members"],
                tender["committee"]["threshold"],
                addendum=tender["addenda"],
            )
            c = time.perf_counter()
            signed.append(pc.bid_statement(vendor, ocid, sealed, at=server.now(), origin=ORIGIN))
            d = time.perf_counter()
            fetch.append(b - a)
            seal.append(c - b)
            sign.append(d - c)
            advance(1)
    elapsed = time.perf_counter() - t0
    return {
        "seconds": round(elapsed, 4),
        "cpu_seconds": round(own_cpu_s() - cpu0, 4),
        "seal_seconds_total": round(sum(seal), 4),
        "seal": latency_summary(seal),
        "sign": latency_summary(sign),
        "fetch_tender": latency_summary(fetch),
        "statement_bytes_mean": round(
            sum(len(json.dumps(s.to_json())) for s in signed) / max(1, len(signed))
        ),
    }, signed


def _submit(
    server: Server, signed: list[SignedStatement], clients: int, progress: bool
) -> dict[str, Any]:
    """POST every bid from ``clients`` threads, one keep-alive client each."""
    local = threading.local()
    made: list[LedgerClient] = []
    lock = threading.Lock()
    latencies: list[float] = []

    def post(statement: SignedStatement) -> None:
        if not hasattr(local, "client"):
            local.client = LedgerClient(server.url, timeout_s=HTTP_TIMEOUT_S)
            with lock:
                made.append(local.client)
        a = time.perf_counter()
        local.client.submit(statement)
        with lock:
            latencies.append(time.perf_counter() - a)

    server_cpu0 = server.cpu_s()
    t0 = time.perf_counter()
    try:
        with (
            bar("submit (HTTP)", len(signed), progress) as advance,
            ThreadPoolExecutor(max_workers=clients) as pool,
        ):
            for future in [pool.submit(post, s) for s in signed]:
                future.result()
                advance(1)
    finally:
        for client in made:
            client.close()
    elapsed = time.perf_counter() - t0
    server_cpu = server.cpu_s() - server_cpu0
    return {
        "seconds": round(elapsed, 4),
        "entries_per_s": round(len(signed) / elapsed, 1),
        "latency": latency_summary(latencies),
        "server_cpu_seconds": round(server_cpu, 4),
        "server_cpu_ms_per_bid": round(server_cpu / max(1, len(signed)) * 1000, 4),
    }


def _bids(client: LedgerClient, ocid: str) -> tuple[list[dict[str, Any]], int]:
    """Every bid, page after page (as ``procurement.client.iter_bids``), and the bytes read."""
    items: list[dict[str, Any]] = []
    size = 0
    params: dict[str, str | int] = {"limit": pc.BIDS_PAGE_ITEMS}
    while True:
        response = client._check(client.http.get(f"{API}/tenders/{ocid}/bids", params=params))
        page = response.json()
        items += page["items"]
        size += len(response.content)
        if page["next_after"] is None:
            return items, size
        params["after"] = page["next_after"]


def _release(
    client: LedgerClient, server: Server, people: People, ocid: str, index: int, progress: bool
) -> dict[str, Any]:
    """One member: fetch the bids, open its shares, sign and POST them (the CLI's steps)."""
    key, box = people.members[index]
    member = client_key_id(key)
    t0 = time.perf_counter()
    bids, size = _bids(client, ocid)
    t1 = time.perf_counter()
    releases, bad = pc.release_shares(member, box, ocid, bids)
    t2 = time.perf_counter()
    if bad or len(releases) != len(bids):
        raise BenchError(f"member {index + 1} could not open {len(bad)} shares")
    chunks = [
        releases[i : i + RELEASES_PER_STATEMENT_MAX]
        for i in range(0, len(releases), RELEASES_PER_STATEMENT_MAX)
    ]
    server_cpu0 = server.cpu_s()
    t3 = time.perf_counter()
    with bar(f"release member {index + 1}", len(releases), progress) as advance:
        for chunk in chunks:
            statement = make_signed(
                key, lc.SHARES_RELEASED, ocid, {"shares": chunk}, at=server.now(), origin=ORIGIN
            )
            client.submit(statement)
            advance(len(chunk))
    t4 = time.perf_counter()
    return {
        "member": index + 1,
        "fetch_bids_seconds": round(t1 - t0, 4),
        "bids_response_bytes": size,
        "decrypt_seconds": round(t2 - t1, 4),
        "shares": len(releases),
        "statements": len(chunks),
        "submit_seconds": round(t4 - t3, 4),
        "server_cpu_seconds": round(server.cpu_s() - server_cpu0, 4),
    }


def _public_opening(
    client: LedgerClient, ocid: str, people: People, threshold: int
) -> dict[str, Any]:
    """Anyone: re-open every bid from the released shares and compare the prices."""
    t0 = time.perf_counter()
    bids, size = _bids(client, ocid)
    t1 = time.perf_counter()
    expected = {client_key_id(v): bid_price(i) for i, v in enumerate(people.vendors)}
    matched = 0
    for bid in bids:
        envelope = pc.open_bid(bid, threshold)
        server_price = bid["opening"]["price_sen"] if bid["opening"] else None
        if envelope.price_sen == expected[bid["bidder"]] == server_price:
            matched += 1
    t2 = time.perf_counter()
    if matched != len(people.vendors):
        raise BenchError(f"only {matched} of {len(people.vendors)} bids opened to their price")
    return {
        "fetch_bids_seconds": round(t1 - t0, 4),
        "bids_response_bytes": size,
        "open_seconds": round(t2 - t1, 4),
        "bids_opened": matched,
        "open_ms_per_bid": round((t2 - t1) / max(1, matched) * 1000, 4),
        "all_prices_match": matched == len(people.vendors),
    }


def _ocds_record(server: Server, ocid: str) -> dict[str, Any]:
    """The tender's OCDS record package on a fresh service (its own peak RSS)."""
    with running(server):
        rss0 = server.rss_peak_kib()
        t0 = time.perf_counter()
        with httpx.Client(base_url=server.url, timeout=HTTP_TIMEOUT_S) as client:
            response = client.get(f"{API}/ocds/records/{ocid}")
            response.raise_for_status()
        elapsed = time.perf_counter() - t0
        record = response.json()["records"][0]
    return {
        "seconds": round(elapsed, 4),
        "bytes": len(response.content),
        "releases": len(record["releases"]),
        "server_rss_before_mib": mib(rss0),
        "server_peak_rss_mib": mib(server.peak_rss_kib),
    }


# ------------------------------------------------------ part 2: the OCDS export


# The mix of states, by tender index modulo 20 (planned 3, active 3, cancelled 2,
# closed 3, opened 3, winner_announced 2, awarded 4).
MIX = (
    ["planned"] * 3
    + ["active"] * 3
    + ["cancelled"] * 2
    + ["closed"] * 3
    + ["opened"] * 3
    + ["winner_announced"] * 2
    + ["awarded"] * 4
)
BIDS_PER_TENDER = 3
STATEMENTS_BY_STATE = {
    "planned": 1,  # package
    "active": 2 + BIDS_PER_TENDER,  # + announcement, bids
    "cancelled": 3,  # package, announcement, cancellation
    "closed": 3 + BIDS_PER_TENDER,  # + closing
    "opened": 6 + BIDS_PER_TENDER,  # + two members' releases, opened
    "winner_announced": 8 + BIDS_PER_TENDER,  # + evaluation, winner
    "awarded": 11 + BIDS_PER_TENDER,  # + commitment and award, contract
}
POOL_VENDORS = 60


def tender_state(index: int) -> str:
    return MIX[index % len(MIX)]


def tender_hps(index: int) -> int:
    return (250 + index % 750) * JUTA


class Builder:
    """Appends the OCDS part's log through the sequencer on a simulated clock."""

    def __init__(
        self,
        ledger: Ledger,
        clock: SimClock,
        people: People,
        threshold: int,
        advance: Callable[[int], None],
    ) -> None:
        self.ledger = ledger
        self.clock = clock
        self.people = people
        self.threshold = threshold
        self.advance = advance
        self.statements: list[SignedStatement] = []
        self.appended = 0

    def at(self, moment: datetime) -> None:
        self.flush()
        self.clock.now = moment

    def sign(self, key: SigningKey, statement_type: str, subject: str, body: Any) -> None:
        self.statements.append(
            make_signed(
                key,
                statement_type,
                subject,
                body,
                at=self.clock.now,
                origin=ORIGIN,
                limits=self.ledger.limits,
            )
        )

    def add(self, statements: Sequence[SignedStatement]) -> None:
        self.statements.extend(statements)

    def flush(self) -> None:
        for start in range(0, len(self.statements), JOB_STATEMENTS):
            job = self.statements[start : start + JOB_STATEMENTS]
            self.ledger.append_direct(job)
            self.appended += len(job)
            self.advance(len(job))
        self.statements = []


def build_tenders(
    db: str, workdir: Path, tenders: int, progress: bool
) -> tuple[dict[str, Any], dict[str, int]]:
    """The OCDS part's log: ``tenders`` tenders in the mix of states (see MIX)."""
    t0 = datetime(YEAR, 2, 2, 1, 0, tzinfo=UTC)
    clock = SimClock(t0)
    ledger = new_ledger(db, workdir, clock)
    started = time.perf_counter()
    counts: dict[str, int] = {}
    try:
        people = setup_people(ledger, workdir, t0, 3, POOL_VENDORS, progress=progress)
        ocids = [f"{OCID_PREFIX}-{i:05d}" for i in range(tenders)]
        states = [tender_state(i) for i in range(tenders)]
        for state in states:
            counts[state] = counts.get(state, 0) + 1
        total = sum(STATEMENTS_BY_STATE[state] * n for state, n in counts.items())
        # Bidders of tender i: three pool vendors; the first bids lowest and wins.
        bidders = [
            [people.vendors[(i + j) % POOL_VENDORS] for j in range(BIDS_PER_TENDER)]
            for i in range(tenders)
        ]
        late = {"active"}
        with bar("build tenders (statements)", total, progress) as advance:
            b = Builder(ledger, clock, people, threshold=2, advance=advance)
            b.at(t0 + HOUR)
            for i, ocid in enumerate(ocids):
                title = f"Pengadaan barang paket {i:05d} (bench)"
                b.sign(
                    people.officer,
                    lc.PACKAGE_CREATED,
                    ocid,
                    package_body(ocid, tender_hps(i), title),
                )
            b.at(t0 + 2 * HOUR)
            announced_at = clock.now
            for i, ocid in enumerate(ocids):
                if states[i] not in {"planned"} | late:
                    b.sign(
                        people.officer,
                        lc.ANNOUNCED,
                        ocid,
                        announce_body(ocid, announced_at, people, 2),
                    )
            b.at(t0 + DAY)
            roster = _roster(people)
            for i, ocid in enumerate(ocids):
                if states[i] == "cancelled":
                    b.sign(
                        people.officer, lc.CANCELLED_TYPE, ocid, {"reason": "Anggaran dialihkan"}
                    )
                elif states[i] not in {"planned"} | late:
                    _bid_all(b, ocid, i, bidders[i], roster)
            deadline = announced_at + 7 * DAY + HOUR
            b.at(deadline + HOUR)
            opening = {"opened", "winner_announced", "awarded"}
            for i, ocid in enumerate(ocids):
                if states[i] in {"closed"} | opening:
                    b.sign(people.officer, lc.CLOSED_TYPE, ocid, {})
            b.at(deadline + 2 * HOUR)
            with ledger.engine.connect() as conn:
                for i, ocid in enumerate(ocids):
                    if states[i] in opening:
                        _release_all(b, conn, people, ocid)
            b.at(deadline + 3 * HOUR)
            for i, ocid in enumerate(ocids):
                if states[i] in opening:
                    b.sign(people.members[1][0], lc.OPENED_TYPE, ocid, {})
            b.at(deadline + 4 * HOUR)
            for i, ocid in enumerate(ocids):
                if states[i] in {"winner_announced", "awarded"}:
                    results = [
                        {
                            "bidder": client_key_id(v),
                            "passed": True,
                            "score": "80",
                            "reasons": "memenuhi syarat administrasi, teknis dan harga",
                        }
                        for v in bidders[i]
                    ]
                    b.sign(people.officer, lc.EVALUATED, ocid, {"results": results})
            b.at(deadline + 5 * HOUR)
            for i, ocid in enumerate(ocids):
                if states[i] in {"winner_announced", "awarded"}:
                    winner = {"winner": client_key_id(bidders[i][0])}
                    b.sign(people.officer, lc.WINNER_ANNOUNCED_TYPE, ocid, winner)
            b.at(deadline + 6 * DAY)
            with ledger.engine.connect() as conn:
                for i, ocid in enumerate(ocids):
                    if states[i] == "awarded":
                        b.add(_award(conn, ledger, people, ocid, clock.now))
            b.at(deadline + 7 * DAY)
            for i, ocid in enumerate(ocids):
                if states[i] == "awarded":
                    b.sign(
                        people.officer,
                        ct.SIGNED,
                        ocid,
                        _contract(people, bidders[i][0], ocid, i, clock.now),
                    )
            # The tenders still open for bids: announced now, bid on, deadline ahead.
            b.at(deadline + 8 * DAY)
            late_at = clock.now
            for i, ocid in enumerate(ocids):
                if states[i] in late:
                    b.sign(
                        people.officer, lc.ANNOUNCED, ocid, announce_body(ocid, late_at, people, 2)
                    )
            b.at(late_at + DAY)
            for i, ocid in enumerate(ocids):
                if states[i] in late:
                    _bid_all(b, ocid, i, bidders[i], roster)
            b.flush()
        if b.appended != total:
            raise BenchError(f"appended {b.appended} statements, expected {total}")
        size = ledger.size()
        found: dict[str, int] = {}
        after: str | None = ""
        with ledger.engine.connect() as conn:
            while after is not None:
                cursor, after = after, None
                for key, doc in scan(conn, lc.TENDER_NAMESPACE, cursor):
                    found[doc["state"]] = found.get(doc["state"], 0) + 1
                    after = key
        if found != counts:
            raise BenchError(f"the log's tenders are {found}, not the mix {counts}")
    finally:
        ledger.close()
    elapsed = time.perf_counter() - started
    return {
        "seconds": round(elapsed, 1),
        "entries": size,
        "entries_per_s": round(size / elapsed, 1),
        "bids": sum(n for s, n in counts.items() if s not in ("planned", "cancelled"))
        * BIDS_PER_TENDER,
        "note": "appended in-process through the sequencer (every signature verified,"
        " every reducer run) on a simulated clock; sealing included",
    }, counts


def _roster(people: People) -> list[dict[str, str]]:
    return [
        {"key_id": client_key_id(key), "x25519_public_key": b64encode(bytes(box.public_key))}
        for key, box in people.members
    ]


def _bid_all(
    b: Builder, ocid: str, index: int, bidders: list[SigningKey], roster: list[dict[str, str]]
) -> None:
    for rank, vendor in enumerate(bidders):
        price = tender_hps(index) * (90 + 2 * rank) // 100
        sealed = pc.seal_bid(ocid, client_key_id(vendor), price, roster, b.threshold)
        b.add(
            [
                pc.bid_statement(
                    vendor, ocid, sealed, at=b.clock.now, origin=ORIGIN, limits=b.ledger.limits
                )
            ]
        )


def _release_all(b: Builder, conn: Connection, people: People, ocid: str) -> None:
    """The first ``threshold`` members open their shares (bids read from the projection)."""
    bids = prefixed(conn, lc.BID_NAMESPACE, ocid + "|")
    for key, box in people.members[: b.threshold]:
        releases, bad = pc.release_shares(client_key_id(key), box, ocid, bids)
        if bad:
            raise BenchError(f"{ocid}: shares not openable for {bad}")
        b.sign(key, lc.SHARES_RELEASED, ocid, {"shares": releases})


def _award(
    conn: Connection, ledger: Ledger, people: People, ocid: str, at: datetime
) -> list[SignedStatement]:
    tender = document(conn, lc.TENDER_NAMESPACE, ocid)
    assert tender is not None
    return pc.award_batch(
        people.officer,
        people.finance,
        tender,
        f"KONTRAK-{ocid}",
        at=at,
        origin=ORIGIN,
        limits=ledger.limits,
    )


def _contract(
    people: People, vendor: SigningKey, ocid: str, index: int, at: datetime
) -> dict[str, Any]:
    value = tender_hps(index) * 90 // 100
    advance = value * 30 // 100
    start = at.date()
    terms = pc.contract_body(
        f"SPK-{index:05d}/BENCH/{YEAR}",
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
    return {**terms, "vendor_signature": pc.countersign(vendor, ct.SIGNED, ocid, terms)}


def part_ocds_export(
    db: str, workdir: Path, args: argparse.Namespace, progress: bool
) -> dict[str, Any]:
    console.print(f"[bold]OCDS export[/bold]: {args.tenders} tenders of {YEAR}")
    build, counts = build_tenders(db, workdir, args.tenders, progress)
    console.print(f"  built {build['entries']} entries in {build['seconds']} s")
    out: dict[str, Any] = {
        "sizes": {"tenders": args.tenders, "states": counts, "entries": build["entries"]},
        "build": build,
        "exports": [],
    }
    server = Server(db, workdir / "log.key", workdir / "service.log")
    for kind in ("releases", "records"):
        for limit in args.page_limits:
            target = (args.export_dir or workdir) / f"ocds-{kind}-{YEAR}-limit{limit}.json"
            with running(server):
                pages = -(-args.tenders // limit)
                figure = export_year(server, kind, limit, target, pages, progress)
            figure["server_peak_rss_mib"] = mib(server.peak_rss_kib)
            console.print(
                f"  {kind} limit={limit}: {figure['seconds']} s, {figure['bytes']} bytes,"
                f" server peak {figure['server_peak_rss_mib']} MiB"
            )
            out["exports"].append(figure)
            if args.export_dir is None:
                target.unlink()
    return out


def export_year(
    server: Server, kind: str, limit: int, target: Path, pages: int, progress: bool
) -> dict[str, Any]:
    """Every page of the year's bulk package, written to ``target`` as one package.

    The client keeps one page in memory: the package's head comes from the first
    page, each page's items are appended as they arrive, and ``publishedDate`` is
    the latest of the pages' (each page's is the latest compiled release date in it).
    """
    latencies: list[float] = []
    items = 0
    written = 0
    head: dict[str, Any] | None = None
    published = ""
    after = ""
    rss_first: int | None = None
    cpu0 = server.cpu_s()
    t0 = time.perf_counter()
    body = target.with_suffix(".items")
    with (
        httpx.Client(base_url=server.url, timeout=HTTP_TIMEOUT_S) as client,
        body.open("wb") as sink,
        bar(f"export {kind} limit={limit}", pages, progress) as advance,
    ):
        while True:
            a = time.perf_counter()
            response = client.get(
                f"{API}/ocds/{kind}", params={"year": YEAR, "after": after, "limit": limit}
            )
            response.raise_for_status()
            page = response.json()
            latencies.append(time.perf_counter() - a)
            if rss_first is None:
                rss_first = server.rss_peak_kib()
            package = page  # a bare OCDS package; the next page is links.next
            if head is None:
                head = {k: v for k, v in package.items() if k not in (kind, "links")}
            published = max(published, package["publishedDate"])
            for item in package[kind]:
                sink.write((b"," if items else b"") + json.dumps(item).encode())
                items += 1
            written += len(response.content)
            advance(1)
            following = package.get("links", {}).get("next")
            if following is None:
                break
            after = following.rsplit("after=", 1)[1]
    assert head is not None
    head["publishedDate"] = published
    head["uri"] = f"{server.url}{API}/ocds/{kind}?year={YEAR}"
    with target.open("wb") as out, body.open("rb") as items_in:
        prefix = json.dumps(head)[:-1] + f', "{kind}": ['
        out.write(prefix.encode())
        while chunk := items_in.read(1 << 20):
            out.write(chunk)
        out.write(b"]}")
    body.unlink()
    elapsed = time.perf_counter() - t0
    return {
        "package": kind,
        "page_limit": limit,
        "pages": len(latencies),
        "items": items,
        "seconds": round(elapsed, 2),
        "items_per_s": round(items / elapsed, 1),
        "response_bytes": written,
        "bytes": target.stat().st_size,
        "page": latency_summary(latencies),
        "server_cpu_seconds": round(server.cpu_s() - cpu0, 2),
        "server_peak_rss_after_first_page_mib": mib(rss_first),
    }


# -------------------------------------------------------------------- engines


def database(
    engine: str, workdir: Path, name: str, postgres_url: str | None
) -> contextlib.AbstractContextManager[str]:
    """A fresh database: a SQLite file in ``workdir``, or a new PostgreSQL database."""
    return fresh_database(engine, workdir / (name + ".db"), f"procbench_{name}", postgres_url)


def run_engine(engine: str, args: argparse.Namespace, progress: bool) -> dict[str, Any]:
    from ledger.keys import write_secret_file

    out: dict[str, Any] = {
        "engine": "sqlite (file, WAL)" if engine == "sqlite" else "postgresql",
        "git_commit_at_start": git("rev-parse", "HEAD"),
        "load_average_at_start": load_average(),
    }
    with tempfile.TemporaryDirectory(prefix="terang-procurement-bench-") as tmp:
        workdir = Path(tmp)
        write_secret_file(workdir / "log.key", generate_signer(ORIGIN).private_key())
        if "bids" in args.parts:
            with database(engine, workdir, "bids", args.postgres_url) as db:
                out["sealed_bids"] = part_sealed_bids(db, workdir, args, progress)
        if "ocds" in args.parts:
            with database(engine, workdir, "ocds", args.postgres_url) as db:
                out["ocds_export"] = part_ocds_export(db, workdir, args, progress)
    out["git_commit_at_end"] = git("rev-parse", "HEAD")
    out["load_average_at_end"] = load_average()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(
        description=HELP, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--engines", default="sqlite", help="sqlite,postgresql")
    parser.add_argument(
        "--pg-url",
        "--postgres-url",  # the first name, kept: --pg-url is what the other benches take
        dest="postgres_url",
        default=os.environ.get("TERANG_BENCH_POSTGRES_URL"),
        help="a PostgreSQL server URL on which the bench may create (and drop) databases"
        " (env TERANG_BENCH_POSTGRES_URL)",
    )
    parser.add_argument("--parts", default="bids,ocds", help="bids,ocds")
    parser.add_argument("--bids", type=int, default=1000, help="vendors, one sealed bid each")
    parser.add_argument("--members", type=int, default=5, help="committee members (n)")
    parser.add_argument("--threshold", type=int, default=3, help="shares to open a bid (k)")
    parser.add_argument("--clients", type=int, default=8, help="concurrent submitting vendors")
    parser.add_argument("--tenders", type=int, default=10_000, help="tenders for the OCDS export")
    parser.add_argument(
        "--page-limits",
        default=f"100,{OCDS_BULK_TENDERS_MAX}",
        help="OCDS bulk page sizes (tenders a page) to export with",
    )
    parser.add_argument(
        "--skip-bid-record",
        action="store_true",
        help="skip the OCDS record of the sealed-bid tender",
    )
    parser.add_argument("--quick", action="store_true", help="5 bids, 20 tenders (smoke test)")
    parser.add_argument("--export-dir", type=Path, help="keep the exported OCDS packages here")
    parser.add_argument("--no-progress", action="store_true")
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "results" / "procurement.json")
    parser.add_argument(
        "--update",
        action="store_true",
        help="keep the figures already in --out of the engines and parts not run",
    )
    parser.add_argument("--phase", choices=("serve",), help=argparse.SUPPRESS)
    parser.add_argument("--db", help=argparse.SUPPRESS)
    parser.add_argument("--log-key", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--clock-offset-s", type=float, default=0.0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase == "serve":
        serve(args.db, args.log_key, args.port, args.clock_offset_s)
        return
    # SIGTERM unwinds like Ctrl-C, so the service and databases are cleaned up.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(128 + signal.SIGTERM))
    if args.quick:
        args.bids, args.tenders = 5, 20
    args.parts = {p.strip() for p in args.parts.split(",") if p.strip()}
    args.page_limits = [int(x) for x in str(args.page_limits).split(",")]
    engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    if not 2 <= args.threshold <= args.members <= 9:
        parser.error("need 2 <= --threshold <= --members <= 9")
    if args.export_dir is not None:
        args.export_dir.mkdir(parents=True, exist_ok=True)
    progress = not args.no_progress
    previous: dict[str, Any] = {}
    if args.update and args.out.exists():
        previous = json.loads(args.out.read_text())
    results: dict[str, Any] = {
        **previous,  # --update: keep its other engines and notes
        "schema": SCHEMA,
        "machine": machine_facts(),
        "sizes": {
            "bids": args.bids,
            "committee": f"{args.threshold} of {args.members}",
            "tenders": args.tenders,
        },
        "git_commit": git("rev-parse", "HEAD"),
        "git_worktree_dirty_paths": [
            line[3:]
            for line in git(
                "status", "--porcelain", "--", "procurement", "ledger", "bench/procurement_bench.py"
            ).splitlines()
        ],
        "engines": dict(previous.get("engines", {})),
    }
    for engine in engines:
        console.print(f"[bold]== {engine}[/bold]")
        ran = run_engine(engine, args, progress)
        kept = results["engines"].get(engine, {}) if args.update else {}
        results["engines"][engine] = {**kept, **ran}  # --update: keep the parts not run
    results["machine"]["load_average_at_end"] = load_average()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n")
    console.print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
