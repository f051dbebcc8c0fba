"""Portal benchmark: time to first byte and page weight of the public pages (issue 6).

Run ``python bench/portal_bench.py --help`` for what each figure means. Writes
bench/results/portal.json (``--out``) with the machine's load average and the git
commit. Data sets are built once and cached under ``--work-dir``; everything else this
script starts (the service, signer processes) is stopped before it exits.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import gzip
import hashlib
import http.client
import json
import math
import multiprocessing
import os
import platform
import random
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, Final
from urllib.parse import parse_qs, quote, unquote, urljoin, urlsplit

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from bench_common import (  # noqa: E402
    HOST,
    RATE_LIMITS_OFF_ENV,
    BenchError,
    Service,
    free_port,
    git,
    load_average,
    mib,
    percentile,
)
from nacl.public import PrivateKey  # noqa: E402
from nacl.signing import SigningKey  # noqa: E402
from rich.console import Console  # noqa: E402
from rich.progress import (  # noqa: E402
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table  # noqa: E402
from sqlalchemy import create_engine, func, select, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from budgeting import statements as budget_statements  # noqa: E402
from budgeting.namespaces import NS_FISCAL_YEAR, NS_LINE  # noqa: E402
from budgeting.reducers import is_outflow  # noqa: E402
from ledger import storage  # noqa: E402
from ledger.keys import client_key_id, load_client_key  # noqa: E402
from ledger.limits import Limits  # noqa: E402
from ledger.service import Ledger, Settings  # noqa: E402
from ledger.signing import make_signed  # noqa: E402
from ledger.statement import SignedStatement, b64encode, format_time  # noqa: E402
from procurement import client as pc  # noqa: E402
from procurement import contracts as ct  # noqa: E402
from procurement import lifecycle as lc  # noqa: E402
from procurement.fields import wire_amount  # noqa: E402
from procurement.limits import RELEASES_PER_STATEMENT_MAX  # noqa: E402
from procurement.reads import prefixed  # noqa: E402
from procurement.vendors import VENDOR_NAMESPACE  # noqa: E402

SCHEMA: Final = "terang-portal-bench/1"
RECIPE: Final = "terang-portal-grow/2"
"""The grown data set's recipe: bump it when ``grow`` changes, so cached sets rebuild."""
READY_TIMEOUT_S: Final = 180.0
STOP_TIMEOUT_S: Final = 30.0
HTTP_TIMEOUT_S: Final = 120.0
TARGETS: Final = {"ttfb_p95_ms_max": 200.0, "page_weight_bytes_max": 300_000}
PAGE_WEIGHT_NOTE: Final = "KB = 1,000 bytes: the stricter reading of the issue's 300 KB"
JOB_STATEMENTS: Final = 1000
"""Statements per append job while growing (the ledger's batch_statements_max)."""
PAYMENT_JOBS_IN_FLIGHT: Final = 3
"""Days of payments signed ahead of the appender (bounds the builder's memory)."""
DEMO_SOURCES: Final = (
    "terang/demo.py",
    "budgeting/demo.py",
    "procurement/demo.py",
    "procurement/demo_items.py",
)
RUPIAH: Final = 100  # sen
JUTA: Final = 1_000_000 * RUPIAH
HOUR: Final = timedelta(hours=1)
DAY: Final = timedelta(days=1)
OCID_PREFIX: Final = "ocds-t3r4ng"
TENDER_MIX: Final = (
    "awarded",
    "opened",
    "awarded",
    "winner_announced",
    "cancelled",
    "awarded",
    "closed",
    "planned",
    "awarded",
    "active",
)
STATEMENTS_BY_STATE: Final = {
    "planned": 1,
    "cancelled": 3,  # + announced, cancelled
    "active": 5,  # + announced (on the real clock), 3 bids
    "closed": 6,  # + announced, 3 bids, closed
    "opened": 9,  # + 2 members' releases, opened
    "winner_announced": 11,  # + evaluated, winner announced
    "awarded": 17,  # + commitment and award, contract, payment request, SP2D and paid
}
BIDS_PER_TENDER: Final = 3
PAGES: Final = (
    "home",
    "budget",
    "budget_line",
    "trace",
    "tenders",
    "tender",
    "vendor",
    "vendor_quiet",
    "redflags",
    "redflags_vendor",
)

console = Console(stderr=True, highlight=False)

HELP = """\
Measures the public portal's pages as a visitor gets them from the real service
(`terang serve` in a subprocess on 127.0.0.1) and writes every figure, with the
machine's load and the git commit, to --out (merged per engine with --merge).

Data sets (--datasets; built once, cached under --work-dir, rebuilt when the demo's
code or this recipe changes, or with --rebuild; --keep-data measures them as they are):
  demo      `terang init` and `terang demo`, exactly as scripts/demo.sh runs them.
  N         (e.g. 1000000) the demo grown to N ledger entries in-process through
            Ledger.append_direct (every signature verified, every reducer run), on a
            simulated clock walking through the demo's fiscal year: new keys for a
            procurement officer, BPKAD and a three-member Pokja (registered by the
            demo's root authority); vendors; an APBD perubahan (revision and anggaran
            kas) on every belanja line; tenders on the demo's belanja lines in waves
            (a mix of states: planned, cancelled, open for bids now, closed, opened,
            winner announced, awarded with a contract and a paid advance), three
            sealed bids each from a skewed pool of vendors, plus one tender with
            many bids (1,000 at N = 1,000,000: the record with the most entries); and
            SP2D payments, commitments with their termin payments and STS receipts
            spread over every line and every day of the year, which make up the rest.
            Payments are signed by --signers worker processes.
  demo+K    the demo grown by K entries (the smoke test's size).

For each engine (--engines: sqlite, postgresql with --pg-url) and data set:
  pages     found by crawling from / (the nav's budget and tender links; the first
            budget line linked from the budget explorer or one level below it);
            the tender with the most entries, the vendor with the most entries
            (`vendor`) and a vendor with the fewest (`vendor_quiet`) are chosen
            from the database and their pages must match the crawled URL shapes;
            `trace` is the trace (/jejak/baris/...) of the budget line of the tender
            with the most entries (its DPA, komponen, tenders, contracts and
            payments), in the shape the budget line page links.
            Pages the service does not have yet (404) are listed as missing.
  ttfb_ms   p50/p95/p99/mean/max over --requests sequential GETs on one keep-alive
            connection (http.client; Accept-Encoding: gzip, as a browser sends):
            the time from sending the request to having the status line and
            headers. The service renders a page whole before it sends the headers,
            so this is the server's time plus one loopback round trip. --warmup
            GETs first (not counted); first_request_ttfb_ms is the very first GET
            of the page on a fresh service (cold caches).
  total_ms  the same requests, until the last byte of the body.
  server_cpu_ms_per_request  the service's CPU time (utime+stime from /proc)
            over the counted requests, divided by their number: what a page costs
            the server whatever else the machine is doing.
  weight    what a first-time visitor downloads for the page: the HTML plus every
            same-origin asset it references (<link href>, <script src>, <img src>),
            each fetched once. transfer_bytes counts bodies as sent (compressed when
            the service compressed them, Content-Encoding shows which);
            decoded_bytes uncompressed. html.gzip9_bytes: the HTML gzip-compressed
            at level 9 here, what Starlette's GZipMiddleware would send.
  verdict   ttfb_p95_ok: ttfb_ms.p95 < 200; weight_ok: weight.transfer_bytes
            < 300,000 (KB read as 1,000 bytes).
  server    peak RSS (VmHWM from /proc, read before stopping) and RSS at the end.
  dataset   tree size, database bytes, when and at which commit it was built,
            and (grown sets) the build's figures: entries/s, its parts.

The clients run on the same machine as the service; on a small, shared machine
other load shows up directly in the times: the load average is recorded at the
start and end of each measurement. Run it on a quiet machine.
"""


# ------------------------------------------------------------------------ helpers


def ms_summary(seconds: Sequence[float]) -> dict[str, Any]:
    if not seconds:
        return {"n": 0}
    return {
        "n": len(seconds),
        "p50": round(percentile(seconds, 50) * 1000, 2),
        "p95": round(percentile(seconds, 95) * 1000, 2),
        "p99": round(percentile(seconds, 99) * 1000, 2),
        "mean": round(sum(seconds) / len(seconds) * 1000, 2),
        "max": round(max(seconds) * 1000, 2),
    }


def git_facts() -> dict[str, Any]:
    """The commit measured; ``TERANG_BENCH_COMMIT`` names it when run from an export."""
    commit = git("rev-parse", "HEAD") or os.environ.get("TERANG_BENCH_COMMIT", "unknown")
    dirty = git("status", "--porcelain", "--untracked-files=no")
    return {"git_commit": commit, "uncommitted_changes": bool(dirty)}


def sources_digest(paths: Sequence[str]) -> str:
    digest = hashlib.sha256()
    for name in paths:
        path = REPO / name
        digest.update(name.encode() + b"\0")
        digest.update(path.read_bytes() if path.exists() else b"(missing)")
    return digest.hexdigest()[:16]


@contextlib.contextmanager
def progress_bar(
    description: str, total: int, enabled: bool, completed: int = 0
) -> Iterator[Callable[[int], None]]:
    """A progress bar on stderr; yields ``advance(n)``."""
    if not enabled:
        yield lambda _n: None
        return
    with Progress(
        TextColumn(f"  {description:<30}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=console,
    ) as bar:
        task = bar.add_task(description, total=total, completed=completed)
        yield lambda n: bar.advance(task, n)


def child_env(url: str, directory: Path) -> dict[str, str]:
    """The environment of a `terang` subprocess on data set ``directory``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TERANG_")}
    env["TERANG_DATABASE_URL"] = url
    env["TERANG_LOG_KEY_FILE"] = str(directory / "keys" / "log.key")
    env["TERANG_AUTHORITY_KEY"] = str(directory / "offline-keys" / "authority.key")
    env.update(RATE_LIMITS_OFF_ENV)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    env["PYTHONUNBUFFERED"] = "1"
    return env


def terang(directory: Path, url: str, *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "terang.cli", *args],
        cwd=directory,
        env=child_env(url, directory),
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise BenchError(f"terang {' '.join(args)} failed:\n{done.stderr[-3000:]}")
    return done.stdout


# ------------------------------------------------------------------- data sets


@dataclass(frozen=True)
class Dataset:
    """One data set on one engine: where it lives and how it is made."""

    engine: str
    spec: str
    """``demo``, ``N`` (entries) or ``demo+K``."""
    directory: Path
    url: str

    @property
    def manifest_path(self) -> Path:
        return self.directory / "manifest.json"


def dataset_tag(spec: str) -> str:
    return spec.replace("+", "_plus_")


def database_url(engine: str, work_dir: Path, spec: str, pg_url: str | None) -> str:
    if engine == "sqlite":
        return f"sqlite:///{work_dir / engine / dataset_tag(spec) / 'terang.db'}"
    if pg_url is None:
        raise BenchError("--engines postgresql needs --pg-url (or TEST_DATABASE_URL)")
    # One database per work directory and data set: two work directories on one
    # server (two people, or a test beside a real run) never share a database.
    where = hashlib.sha256(str(work_dir.resolve()).encode()).hexdigest()[:8]
    name = f"terang_portal_bench_{where}_{dataset_tag(spec)}"
    return make_url(pg_url).set(database=name).render_as_string(hide_password=False)


def tree_size_of(url: str) -> int | None:
    """The data set's log size, or None when its database does not exist."""
    if url.startswith("sqlite") and not Path(url.removeprefix("sqlite:///")).exists():
        return None
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return storage.tree_size(conn)
    except Exception:  # a missing PostgreSQL database or an empty file: rebuild it
        return None
    finally:
        engine.dispose()


def database_bytes(url: str) -> int | None:
    if url.startswith("sqlite"):
        path = Path(url.removeprefix("sqlite:///"))
        return sum(p.stat().st_size for p in path.parent.glob(path.name + "*"))
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            value = conn.execute(text("SELECT pg_database_size(current_database())")).scalar()
            return None if value is None else int(value)
    finally:
        engine.dispose()


def drop_database(url: str) -> None:
    if url.startswith("sqlite"):
        path = Path(url.removeprefix("sqlite:///"))
        for stale in path.parent.glob(path.name + "*"):
            stale.unlink()
        return
    target = make_url(url)
    admin = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)'))
    finally:
        admin.dispose()


def create_database(url: str, template_url: str | None = None) -> None:
    """An empty PostgreSQL database, or a copy of ``template_url``'s (SQLite: a file copy
    through the backup API, so a WAL file left behind is included)."""
    if url.startswith("sqlite"):
        path = Path(url.removeprefix("sqlite:///"))
        path.parent.mkdir(parents=True, exist_ok=True)
        if template_url is not None:
            source = sqlite3.connect(template_url.removeprefix("sqlite:///"))
            target = sqlite3.connect(path)
            try:
                source.backup(target)
            finally:
                source.close()
                target.close()
        return
    target_url = make_url(url)
    admin = create_engine(target_url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    template = "" if template_url is None else f' TEMPLATE "{make_url(template_url).database}"'
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{target_url.database}"{template}'))
    finally:
        admin.dispose()


def remove_dataset(dataset: Dataset) -> None:
    drop_database(dataset.url)
    shutil.rmtree(dataset.directory, ignore_errors=True)


def read_manifest(dataset: Dataset) -> dict[str, Any] | None:
    with contextlib.suppress(OSError, ValueError):
        value: dict[str, Any] = json.loads(dataset.manifest_path.read_text())
        return value
    return None


KEPT_DATA_KEYS: Final = ("kind", "target")
"""What ``--keep-data`` still checks of a cached data set (not the code that built it)."""


def cached(dataset: Dataset, wanted: dict[str, Any], *, keep: bool) -> dict[str, Any] | None:
    """The manifest of a usable cached build: same recipe and demo code (with ``keep``:
    only the same kind and size), and the same log size on disk."""
    manifest = read_manifest(dataset)
    checked = {k: v for k, v in wanted.items() if not keep or k in KEPT_DATA_KEYS}
    if manifest is None or any(manifest.get(k) != v for k, v in checked.items()):
        return None
    if tree_size_of(dataset.url) != manifest.get("tree_size"):
        return None
    return manifest


def build_demo(dataset: Dataset, keep: bool) -> dict[str, Any]:
    """`terang init` and `terang demo` in the data set's directory, as scripts/demo.sh."""
    wanted = {"kind": "demo", "demo_sources": sources_digest(DEMO_SOURCES)}
    found = cached(dataset, wanted, keep=keep)
    if found is not None:
        return found
    console.print(f"[bold]{dataset.engine}[/bold]: building the demo data set")
    drop_database(dataset.url)
    shutil.rmtree(dataset.directory, ignore_errors=True)
    dataset.directory.mkdir(parents=True)
    create_database(dataset.url)
    started = time.perf_counter()
    terang(dataset.directory, dataset.url, "init")
    summary = json.loads(terang(dataset.directory, dataset.url, "demo"))
    manifest = {
        **wanted,
        "tree_size": tree_size_of(dataset.url),
        "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "built_at_commit": git_facts()["git_commit"],
        "build_seconds": round(time.perf_counter() - started, 1),
        "demo_summary": {k: v for k, v in summary.items() if not isinstance(v, list)},
    }
    dataset.manifest_path.write_text(json.dumps(manifest, indent=2) + "\n")
    return manifest


def build_grown(
    dataset: Dataset, demo: Dataset, demo_manifest: dict[str, Any], args: argparse.Namespace
) -> dict[str, Any]:
    """The demo copied, then grown by ``--phase grow`` in a child process."""
    demo_size = int(demo_manifest["tree_size"])
    target = target_size(dataset.spec, demo_size)
    wanted = {
        "kind": "grown",
        "recipe": RECIPE,
        "demo_sources": demo_manifest["demo_sources"],
        "target": target,
    }
    found = cached(dataset, wanted, keep=args.keep_data)
    if found is not None and not args.rebuild:
        return found
    console.print(
        f"[bold]{dataset.engine}[/bold]: growing the demo ({demo_size} entries) to {target}"
    )
    drop_database(dataset.url)
    shutil.rmtree(dataset.directory, ignore_errors=True)
    dataset.directory.mkdir(parents=True)
    shutil.copytree(demo.directory / "keys", dataset.directory / "keys")
    shutil.copytree(demo.directory / "offline-keys", dataset.directory / "offline-keys")
    create_database(dataset.url, template_url=demo.url)
    command = [sys.executable, __file__, "--phase", "grow", "--url", dataset.url]
    command += ["--directory", str(dataset.directory), "--target", str(target)]
    command += ["--signers", str(args.signers)]
    if not args.progress:
        command.append("--no-progress")
    done = subprocess.run(
        command, env=child_env(dataset.url, dataset.directory), stdout=subprocess.PIPE, check=False
    )
    if done.returncode != 0:
        raise BenchError(f"growing {dataset.spec} on {dataset.engine} failed (see above)")
    figures = json.loads(done.stdout.decode().strip().splitlines()[-1])
    manifest = {
        **wanted,
        "tree_size": tree_size_of(dataset.url),
        "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "built_at_commit": git_facts()["git_commit"],
        "demo_tree_size": demo_size,
        "build": figures,
    }
    if manifest["tree_size"] != target:
        raise BenchError(f"grew to {manifest['tree_size']} entries, not {target}")
    dataset.manifest_path.write_text(json.dumps(manifest, indent=2) + "\n")
    return manifest


def target_size(spec: str, demo_size: int) -> int:
    if spec.startswith("demo+"):
        return demo_size + int(spec.removeprefix("demo+"))
    return int(spec)


# ---------------------------------------------------------------- growing (child)


def seeded_key(label: str) -> SigningKey:
    """Deterministic keys: a rebuilt data set has the same signers."""
    return SigningKey(hashlib.sha256(f"terang-portal-bench {label}".encode()).digest())


def seeded_box(label: str) -> PrivateKey:
    return PrivateKey(hashlib.sha256(f"terang-portal-bench box {label}".encode()).digest())


class SimClock:
    """The ledger's clock while growing: moves only when the builder says."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@dataclass
class Tender:
    index: int
    ocid: str
    state: str
    line_id: str
    category: str
    hps_sen: int
    title: str
    bidders: list[SigningKey] = field(default_factory=list)

    def price_sen(self, rank: int) -> int:
        """Bid prices: the first bidder lowest (it wins under price-only criteria)."""
        return self.hps_sen * (90 + 2 * rank) // 100 // (1000 * RUPIAH) * (1000 * RUPIAH)


@dataclass
class People:
    authority: SigningKey
    officer: SigningKey
    finance: SigningKey
    members: list[tuple[SigningKey, PrivateKey]]
    vendors: list[SigningKey]

    def roster(self) -> list[dict[str, str]]:
        return [
            {"key_id": client_key_id(k), "x25519_public_key": b64encode(bytes(b.public_key))}
            for k, b in self.members
        ]


TITLES: Final = (
    ("goods", "Pengadaan alat tulis kantor"),
    ("goods", "Pengadaan komputer dan printer"),
    ("goods", "Pengadaan bahan habis pakai laboratorium"),
    ("goods", "Pengadaan obat dan bahan medis habis pakai"),
    ("goods", "Pengadaan meubelair ruang kelas"),
    ("works", "Rehabilitasi ruang kelas"),
    ("works", "Pemeliharaan berkala jalan kabupaten"),
    ("works", "Pembangunan saluran irigasi tersier"),
    ("works", "Pembangunan jaringan pipa air bersih"),
    ("works", "Rehabilitasi gedung puskesmas pembantu"),
)
TITLE_ITEMS: Final = {
    "Pengadaan alat tulis kantor": ("46497", "Perdagangan besar alat tulis", 1, "paket"),
    "Pengadaan komputer dan printer": ("46511", "Perdagangan besar komputer", 20, "unit"),
    "Pengadaan bahan habis pakai laboratorium": ("46693", "Perdagangan besar alat lab", 1, "paket"),
    "Pengadaan obat dan bahan medis habis pakai": (
        "46693",
        "Perdagangan besar farmasi",
        1,
        "paket",
    ),
    "Pengadaan meubelair ruang kelas": ("31001", "Industri furnitur dari kayu", 60, "unit"),
    "Rehabilitasi ruang kelas": ("41016", "Konstruksi gedung pendidikan", 3, "ruang"),
    "Pemeliharaan berkala jalan kabupaten": ("42101", "Konstruksi sipil jalan", 2000, "m2"),
    "Pembangunan saluran irigasi tersier": ("42201", "Konstruksi jaringan irigasi", 900, "m"),
    "Pembangunan jaringan pipa air bersih": ("42911", "Konstruksi sipil air bersih", 1500, "m"),
    "Rehabilitasi gedung puskesmas pembantu": ("41015", "Konstruksi gedung kesehatan", 1, "paket"),
    "Pembangunan gedung pelayanan terpadu satu pintu": (
        "41012",
        "Konstruksi gedung perkantoran",
        1,
        "paket",
    ),
}
"""Each title's one item with its KBLI 2020 code, like the demo's (procurement/demo_items.py)."""


def bench_items(title: str) -> list[dict[str, Any]]:
    """The grown tender's item: the one its title's kind buys (``TITLE_ITEMS``)."""
    kind = next((name for name in TITLE_ITEMS if title.startswith(name)), None)
    if kind is None:
        return []
    code, name, quantity, unit = TITLE_ITEMS[kind]
    classification = {"scheme": "KBLI", "id": code, "description": name}
    return [
        {
            "id": "1",
            "description": kind,
            "classification": classification,
            "quantity": quantity,
            "unit": unit,
        }
    ]


PLACES: Final = (
    "Kecamatan Kota",
    "Kecamatan Sukamaju",
    "Kecamatan Tanjung Harapan",
    "Desa Sidomulyo",
    "Desa Karanganyar",
    "Desa Mekarsari",
    "Kelurahan Pasar Baru",
)


@dataclass
class GrowPlan:
    """How many of each thing the grown set gets, derived from the target size."""

    year: int
    outflow_lines: list[dict[str, Any]]
    inflow_lines: list[dict[str, Any]]
    tender_lines: list[dict[str, Any]]
    vendors: int
    tenders: list[Tender]
    big_bids: int
    payments: int

    @property
    def setup_statements(self) -> int:
        # keys, then per belanja line a revision and an allotment, per tender line its
        # komponen set again, per vendor its registration and activation
        return 5 + 2 * len(self.outflow_lines) + len(self.tender_lines) + 2 * self.vendors

    @property
    def big_statements(self) -> int:
        releases = 2 * math.ceil(self.big_bids / RELEASES_PER_STATEMENT_MAX)
        return (
            3 + self.big_bids + releases + 1
        )  # package, announced, bids, closed, releases, opened

    @property
    def procurement_statements(self) -> int:
        return sum(STATEMENTS_BY_STATE[t.state] for t in self.tenders) + self.big_statements


def make_plan(
    conn: Any, year: int, extra: int, vendors_pool: Callable[[int], list[SigningKey]]
) -> GrowPlan:
    lines = prefixed(conn, NS_LINE, f"{year}:", limit=100_000)
    outflow = sorted((d for d in lines if is_outflow(d)), key=lambda d: str(d["line_id"]))
    inflow = sorted((d for d in lines if not is_outflow(d)), key=lambda d: str(d["line_id"]))
    tender_lines = [d for d in outflow if str(d["account"]).startswith(("5.1.02", "5.2"))]
    if not outflow or not inflow or not tender_lines:
        raise BenchError(f"the demo's fiscal year {year} lacks belanja or pendapatan lines")
    scale = extra / 1_000_000
    vendors = max(8, round(1000 * scale))
    big_bids = min(vendors, max(5, round(1000 * scale)))
    count = max(10, round(10_000 * scale))
    keys = vendors_pool(vendors)
    tenders: list[Tender] = []
    rng = random.Random(f"terang-portal-bench-{year}")  # data, not secrets
    for i in range(count):
        line = tender_lines[i % len(tender_lines)]
        category = "works" if str(line["account"]).startswith("5.2") else "goods"
        names = [name for cat, name in TITLES if cat == category]
        title = f"{names[i % len(names)]} {PLACES[i % len(PLACES)]} paket {i + 1:05d}"
        tender = Tender(
            index=i,
            ocid=f"{OCID_PREFIX}-{year}-BENCH-{i + 1:05d}",
            state=TENDER_MIX[i % len(TENDER_MIX)],
            line_id=str(line["line_id"]),
            category=category,
            hps_sen=(250 + i * 37 % 1250) * JUTA,
            title=title,
        )
        picked: list[int] = []
        while len(picked) < BIDS_PER_TENDER:  # a few busy vendors, many occasional ones
            index = int(vendors * rng.random() ** 3)
            if index not in picked:
                picked.append(index)
        tender.bidders = [keys[j] for j in picked]
        tenders.append(tender)
    plan = GrowPlan(year, outflow, inflow, tender_lines, vendors, tenders, big_bids, 0)
    plan.payments = extra - plan.setup_statements - plan.procurement_statements
    if plan.payments < 0:
        raise BenchError(
            f"{extra} entries are too few for the grown set's fixed part"
            f" ({plan.setup_statements + plan.procurement_statements}); grow by more"
        )
    return plan


def slot_amount(line_index: int, slot: int) -> int:
    """A payment's amount: Rp 500 ribu to Rp 5 juta in steps of Rp 10 ribu."""
    return (50 + (line_index * 7919 + slot * 104_729) % 451) * 10_000 * RUPIAH


SLOT_AMOUNT_MAX: Final = 500 * 10_000 * RUPIAH
COMMITMENT_EVERY: Final = 20
"""Every 20th slot of a belanja line is a commitment (SPK) paid by the next three."""


def line_revision_sen(slots: int, procurement_sen: int, over_allotted_sen: int) -> int:
    """What the APBD perubahan adds to a belanja line: half again its payments, and
    twice its tenders' HPS (commitments and advances), so every payment fits the cash
    allotted to its month (the new allotment is spread evenly over the year); plus
    what the demo's own perubahan left allotted above the budget."""
    wanted = max(slots, 100) * SLOT_AMOUNT_MAX * 3 // 2 + 2 * procurement_sen
    wanted += max(0, over_allotted_sen)
    return -(-wanted // (1000 * JUTA)) * 1000 * JUTA  # whole Rp 1 miliar


_SIGNER: dict[str, Any] = {}


def _init_signer(
    finance_seed: bytes, lines: list[tuple[str, bool]], limits: Limits, origin: str
) -> None:
    _SIGNER.update(finance=SigningKey(finance_seed), lines=lines, limits=limits, origin=origin)


def sign_payment_slots(first: int, last: int, day: date, at: datetime) -> list[SignedStatement]:
    """Slots ``first..last-1`` (round-robin over the lines), dated ``day``, signed by
    BPKAD: in a signer process."""
    finance: SigningKey = _SIGNER["finance"]
    lines: list[tuple[str, bool]] = _SIGNER["lines"]
    limits: Limits = _SIGNER["limits"]
    origin: str = _SIGNER["origin"]
    out: list[SignedStatement] = []
    for k in range(first, last):
        line_index, slot = k % len(lines), k // len(lines)
        line_id, outflow = lines[line_index]
        tag = f"{line_index:03d}-{slot:06d}"
        if not outflow:
            posting = budget_statements.payment(
                line_id,
                f"STS-B-{tag}",
                slot_amount(line_index, slot) * 10,
                day,
                document="STS",
                description="Penerimaan daerah (setoran)",
            )
        elif slot % COMMITMENT_EVERY == 0:
            amount = sum(slot_amount(line_index, slot + r) for r in (1, 2, 3))
            posting = budget_statements.commitment(
                line_id,
                f"SPK-B-{tag}",
                amount,
                day,
                f"SPK/{line_index:03d}/{slot:06d}/{day.year}",
                description="Belanja barang/jasa (kontrak)",
            )
        elif slot % COMMITMENT_EVERY in (1, 2, 3):
            spk = f"SPK-B-{line_index:03d}-{slot - slot % COMMITMENT_EVERY:06d}"
            posting = budget_statements.payment(
                line_id,
                f"SP2D-B-{tag}",
                slot_amount(line_index, slot),
                day,
                commitment=spk,
                document="SP2D-LS",
                description=f"Pembayaran termin {slot % COMMITMENT_EVERY} {spk}",
            )
        else:
            posting = budget_statements.payment(
                line_id,
                f"SP2D-B-{tag}",
                slot_amount(line_index, slot),
                day,
                document="SP2D-GU" if slot % 2 else "SP2D-LS",
                description="Belanja operasional",
            )
        out.append(posting.sign(finance, at=at, origin=origin, limits=limits))
    return out


class Appender:
    """Appends groups of statements (each group atomic) in jobs of at most
    JOB_STATEMENTS, at the simulated clock's time."""

    def __init__(self, ledger: Ledger, clock: SimClock, advance: Callable[[int], None]) -> None:
        self.ledger = ledger
        self.clock = clock
        self.advance = advance
        self.job: list[SignedStatement] = []
        self.appended = 0
        self.append_seconds = 0.0

    def at(self, moment: datetime) -> None:
        if moment != self.clock.now:
            self.flush()
            self.clock.now = moment

    def group(self, statements: Sequence[SignedStatement]) -> None:
        if len(self.job) + len(statements) > JOB_STATEMENTS:
            self.flush()
        self.job.extend(statements)

    def many(self, statements: Sequence[SignedStatement]) -> None:
        for statement in statements:
            self.group([statement])

    def flush(self) -> None:
        if not self.job:
            return
        started = time.perf_counter()
        self.ledger.append_direct(self.job)
        self.append_seconds += time.perf_counter() - started
        self.appended += len(self.job)
        self.advance(len(self.job))
        self.job = []


class Growth:
    """The grown data set's procurement and budget events, in time order."""

    def __init__(
        self, ledger: Ledger, out: Appender, people: People, plan: GrowPlan, real_now: datetime
    ) -> None:
        self.ledger = ledger
        self.out = out
        self.people = people
        self.plan = plan
        self.real_now = real_now
        self.limits = ledger.limits
        self.origin = ledger.origin

    def sign(
        self, key: SigningKey, statement_type: str, subject: str, body: Any
    ) -> SignedStatement:
        return make_signed(
            key,
            statement_type,
            subject,
            body,
            at=self.out.clock.now,
            origin=self.origin,
            limits=self.limits,
        )

    # -- set-up: keys, the APBD perubahan, vendors --

    def setup(self, start: datetime) -> None:
        p = self.people
        self.out.at(start)

        def register(key: SigningKey, name: str, roles: list[str], box: Any = None) -> Any:
            body: dict[str, Any] = {
                "public_key": b64encode(bytes(key.verify_key)),
                "name": name,
                "roles": roles,
            }
            if box is not None:
                body["x25519_public_key"] = b64encode(bytes(box.public_key))
            return self.sign(p.authority, "registry.key.registered", client_key_id(key), body)

        self.out.many(
            [
                register(
                    p.officer, "Bagian Pengadaan Barang/Jasa — PPK (bench)", ["procurement_officer"]
                ),
                register(p.finance, "BPKAD — Bendahara Umum Daerah (bench)", ["finance"]),
                *(
                    register(
                        k, f"Pokja Pemilihan (bench) — Anggota {i + 1}", ["committee_member"], b
                    )
                    for i, (k, b) in enumerate(p.members)
                ),
            ]
        )
        self.out.at(start + HOUR)
        plan = self.plan
        slots = plan.payments // (len(plan.outflow_lines) + len(plan.inflow_lines)) + 1
        hps_by_line: dict[str, int] = {}
        for tender in plan.tenders:
            hps_by_line[tender.line_id] = hps_by_line.get(tender.line_id, 0) + tender.hps_sen
        hps_by_line[plan.tender_lines[0]["line_id"]] = (
            hps_by_line.get(plan.tender_lines[0]["line_id"], 0) + BIG_HPS_SEN
        )
        document = f"Perda Nomor 7 Tahun {plan.year} tentang Perubahan APBD (bench)"
        revisions, allotments, rincian = [], [], []
        tender_line_ids = {str(line["line_id"]) for line in plan.tender_lines}
        for index, line in enumerate(plan.outflow_lines):
            line_id = str(line["line_id"])
            added = line_revision_sen(
                slots,
                hps_by_line.get(line_id, 0),
                int(line["allotted_sen"]) - int(line["budget_sen"]),
            )
            revisions.append(
                budget_statements.revision(
                    line_id, f"APBDP-B-{index:03d}", added, document=document
                )
            )
            if line_id in tender_line_ids:
                # The demo prices its tender lines' komponen; a revised budget needs its
                # komponen set again before a commitment (komponen_out_of_step).
                rincian.append(
                    budget_statements.komponen_set(
                        line_id,
                        f"RINCIAN-B-{index:03d}",
                        [
                            budget_statements.KomponenSpec(
                                "Rincian perubahan (bench)",
                                "1",
                                "paket",
                                int(line["budget_sen"]) + added,
                            )
                        ],
                        document=document,
                    )
                )
            unallotted = int(line["budget_sen"]) + added - int(line["allotted_sen"])
            month = unallotted // 12 // RUPIAH * RUPIAH
            months = [(m, month) for m in range(1, 12)] + [(12, unallotted - 11 * month)]
            allotments.append(
                budget_statements.allotment(
                    line_id, f"AK-B-{index:03d}", months, document="Anggaran kas perubahan"
                )
            )
        at = self.out.clock.now
        self.out.many(
            [r.sign(p.finance, at=at, origin=self.origin, limits=self.limits) for r in revisions]
        )
        self.out.many(
            [a.sign(p.finance, at=at, origin=self.origin, limits=self.limits) for a in allotments]
        )
        self.out.many(
            [r.sign(p.finance, at=at, origin=self.origin, limits=self.limits) for r in rincian]
        )
        self.out.at(start + 2 * HOUR)
        for i, vendor in enumerate(p.vendors):
            qualification = ("kecil", "kecil", "menengah", "mikro", "besar")[i % 5]
            self.out.group(
                [
                    pc.registration(
                        vendor,
                        f"{('CV', 'PT', 'CV', 'UD')[i % 4]} Penyedia Contoh {i + 1:04d}",
                        f"{310_000_000_000_000 + i * 7_001:015d}",
                        f"Jl. Merdeka No. {i % 200 + 1}, {PLACES[i % len(PLACES)]}",
                        qualification,
                        at=self.out.clock.now,
                        origin=self.origin,
                    ),
                    self.sign(p.officer, "procurement.vendor.activated", client_key_id(vendor), {}),
                ]
            )

    # -- tenders --

    def package(self, tender: Tender) -> None:
        body: dict[str, Any] = {
            "title": tender.title,
            "budget_line": tender.line_id,
            "category": tender.category,
            "hps": wire_amount(tender.hps_sen),
            "method": "tender",
            "rup_code": "RUP-B-" + tender.ocid.rsplit("-", 1)[-1],
        }
        found = bench_items(tender.title)
        if found:
            body["items"] = found
        self.out.group([self.sign(self.people.officer, lc.PACKAGE_CREATED, tender.ocid, body)])

    def announce(self, tender: Tender) -> None:
        now = self.out.clock.now
        digest = hashlib.sha256(f"dokumen pemilihan {tender.ocid}".encode()).hexdigest()
        body = {
            "documents": [{"name": "Dokumen pemilihan", "sha256": digest}],
            "clarification_end": format_time(now + 4 * DAY),
            "bid_deadline": format_time(now + 10 * DAY),
            "committee": {
                "members": [client_key_id(k) for k, _ in self.people.members],
                "threshold": 2,
            },
        }
        self.out.group([self.sign(self.people.officer, lc.ANNOUNCED, tender.ocid, body)])

    def bids(self, tender: Tender, bidders: Sequence[SigningKey]) -> None:
        roster = self.people.roster()
        for rank, vendor in enumerate(bidders):
            sealed = pc.seal_bid(
                tender.ocid, client_key_id(vendor), tender.price_sen(rank), roster, 2
            )
            self.out.group(
                [
                    pc.bid_statement(
                        vendor,
                        tender.ocid,
                        sealed,
                        at=self.out.clock.now,
                        origin=self.origin,
                        limits=self.limits,
                    )
                ]
            )

    def releases(self, tender: Tender) -> None:
        with self.ledger.engine.connect() as conn:
            bids = prefixed(conn, lc.BID_NAMESPACE, tender.ocid + "|", limit=100_000)
        for key, box in self.people.members[:2]:
            released, bad = pc.release_shares(client_key_id(key), box, tender.ocid, bids)
            if bad:
                raise BenchError(f"{tender.ocid}: shares not openable for {bad}")
            for start in range(0, len(released), RELEASES_PER_STATEMENT_MAX):
                chunk = released[start : start + RELEASES_PER_STATEMENT_MAX]
                self.out.group([self.sign(key, lc.SHARES_RELEASED, tender.ocid, {"shares": chunk})])

    def evaluate(self, tender: Tender) -> None:
        member = self.people.members[0][0]
        results = [
            {
                "bidder": client_key_id(v),
                "passed": True,
                "score": "80",
                "reasons": "memenuhi syarat administrasi, teknis dan harga",
            }
            for v in tender.bidders
        ]
        self.out.group([self.sign(member, lc.EVALUATED, tender.ocid, {"results": results})])

    def winner(self, tender: Tender) -> None:
        body = {"winner": client_key_id(tender.bidders[0])}
        self.out.group(
            [self.sign(self.people.members[0][0], lc.WINNER_ANNOUNCED_TYPE, tender.ocid, body)]
        )

    def award(self, tender: Tender) -> None:
        doc = {
            "ocid": tender.ocid,
            "title": tender.title,
            "budget_line": tender.line_id,
            "winner": {
                "bidder": client_key_id(tender.bidders[0]),
                "price_sen": tender.price_sen(0),
            },
        }
        self.out.group(
            pc.award_batch(
                self.people.officer,
                self.people.finance,
                doc,
                f"KONTRAK-{tender.ocid}",
                at=self.out.clock.now,
                origin=self.origin,
                limits=self.limits,
            )
        )

    def contract(self, tender: Tender) -> None:
        value = tender.price_sen(0)
        advance = value * 30 // 100
        start = self.out.clock.now.date()
        end = min(start + timedelta(days=90), date(self.plan.year, 12, 31))
        terms = pc.contract_body(
            f"SPK-B-{tender.index + 1:05d}/{self.plan.year}",
            value,
            start.isoformat(),
            end.isoformat(),
            [
                pc.milestone("Uang muka 30%", advance, (start + timedelta(days=14)).isoformat()),
                pc.milestone("Serah terima pekerjaan", value - advance, end.isoformat()),
            ],
        )
        signature = pc.countersign(tender.bidders[0], ct.SIGNED, tender.ocid, terms)
        self.out.group(
            [
                pc.contract_statement(
                    self.people.officer,
                    tender.ocid,
                    terms,
                    signature,
                    at=self.out.clock.now,
                    origin=self.origin,
                    limits=self.limits,
                )
            ]
        )

    def payment_request(self, tender: Tender) -> None:
        advance = tender.price_sen(0) * 30 // 100
        invoice = {
            "name": "Tagihan uang muka",
            "sha256": hashlib.sha256(f"tagihan {tender.ocid} 1".encode()).hexdigest(),
        }
        self.out.group(
            [
                pc.payment_request(
                    tender.bidders[0],
                    tender.ocid,
                    1,
                    1,
                    advance,
                    at=self.out.clock.now,
                    origin=self.origin,
                    invoice=invoice,
                    limits=self.limits,
                )
            ]
        )

    def paid(self, tender: Tender) -> None:
        value = tender.price_sen(0)
        commitment = f"KONTRAK-{tender.ocid}"
        contract = {
            "ocid": tender.ocid,
            "contract": f"SPK-B-{tender.index + 1:05d}/{self.plan.year}",
            "budget_line": tender.line_id,
            "commitments": [commitment],
            "requests": [{"amount_sen": value * 30 // 100}],
        }
        self.out.group(
            pc.payment_batch(
                self.people.officer,
                self.people.finance,
                contract,
                1,
                f"SP2D-{tender.ocid}-1",
                {commitment: {"amount_sen": value, "paid_sen": 0}},
                at=self.out.clock.now,
                origin=self.origin,
                document=f"SP2D uang muka {tender.ocid}",
                limits=self.limits,
            )
        )

    def close(self, tender: Tender) -> None:
        self.out.group([self.sign(self.people.officer, lc.CLOSED_TYPE, tender.ocid, {})])

    def opened(self, tender: Tender) -> None:
        self.out.group([self.sign(self.people.members[1][0], lc.OPENED_TYPE, tender.ocid, {})])

    def cancel(self, tender: Tender) -> None:
        reason = {"reason": "Anggaran dialihkan untuk penanganan bencana"}
        self.out.group([self.sign(self.people.officer, lc.CANCELLED_TYPE, tender.ocid, reason)])


BIG_HPS_SEN: Final = 1_400 * JUTA
WAVES: Final = 10


def tender_events(g: Growth, year: int) -> list[tuple[datetime, int, Callable[[], None]]]:
    """Every procurement step as (time, order, action), the waves spread from February
    to November; the tenders open for bids now are announced on the real clock."""
    events: list[tuple[datetime, int, Callable[[], None]]] = []
    plan = g.plan
    order = 0

    def at(moment: datetime, action: Callable[[], None]) -> None:
        nonlocal order
        order += 1
        events.append((moment, order, action))

    def each(tenders: list[Tender], step: Callable[[Tender], None]) -> Callable[[], None]:
        def run() -> None:
            for tender in tenders:
                step(tender)

        return run

    by_wave: list[list[Tender]] = [[] for _ in range(WAVES)]
    for tender in plan.tenders:
        by_wave[tender.index % WAVES].append(tender)
    first = datetime(year, 2, 3, 1, 0, tzinfo=UTC)
    for wave, tenders in enumerate(by_wave):
        s = first + wave * 28 * DAY

        def having(*states: str, _t: list[Tender] = tenders) -> list[Tender]:
            return [t for t in _t if t.state in states]

        bidding = ("closed", "opened", "winner_announced", "awarded")
        opening = ("opened", "winner_announced", "awarded")
        at(s, each(tenders, g.package))
        at(s + HOUR, each(having("cancelled", *bidding), g.announce))
        at(s + 2 * DAY, each(having(*bidding), lambda t: g.bids(t, t.bidders)))
        at(s + 3 * DAY, each(having("cancelled"), g.cancel))
        close = s + HOUR + 10 * DAY + HOUR
        at(close, each(having(*bidding), g.close))
        at(close + HOUR, each(having(*opening), g.releases))
        at(close + 2 * HOUR, each(having(*opening), g.opened))
        at(close + DAY, each(having("winner_announced", "awarded"), g.evaluate))
        at(close + DAY + HOUR, each(having("winner_announced", "awarded"), g.winner))
        at(close + 9 * DAY, each(having("awarded"), g.award))
        at(close + 10 * DAY, each(having("awarded"), g.contract))
        at(close + 20 * DAY, each(having("awarded"), g.payment_request))
        at(close + 25 * DAY, each(having("awarded"), g.paid))
    # The tender with the most bids: every vendor (up to big_bids) bids; opened.
    big_line = plan.tender_lines[0]
    big = Tender(
        index=len(plan.tenders),
        ocid=f"{OCID_PREFIX}-{year}-BENCH-POPULER",
        state="opened",
        line_id=str(big_line["line_id"]),
        category="works" if str(big_line["account"]).startswith("5.2") else "goods",
        hps_sen=BIG_HPS_SEN,
        title="Pembangunan gedung pelayanan terpadu satu pintu (tender terbuka)",
    )
    s = first + 7 * DAY
    vendors = g.people.vendors[: plan.big_bids]
    at(s, lambda: g.package(big))
    at(s + HOUR, lambda: g.announce(big))
    at(s + 3 * DAY, lambda: g.bids(big, vendors))
    close = s + HOUR + 10 * DAY + HOUR
    at(close, lambda: g.close(big))
    at(close + HOUR, lambda: g.releases(big))
    at(close + 2 * HOUR, lambda: g.opened(big))
    # Open for bids now: announced on the real clock, deadline two weeks ahead.
    active = [t for t in plan.tenders if t.state == "active"]
    at(g.real_now, each(active, g.announce))
    at(g.real_now + HOUR, each(active, lambda t: g.bids(t, t.bidders)))
    return events


def grow(url: str, directory: Path, target: int, signers: int, progress: bool) -> dict[str, Any]:
    """``--phase grow``: the demo in ``url`` grown to ``target`` entries (see HELP)."""
    from terang.app import all_kinds

    started = time.perf_counter()
    real_now = datetime.now(UTC).replace(microsecond=0)
    clock = SimClock(real_now)
    settings = Settings(
        database_url=url, log_key_file=directory / "keys" / "log.key", limits=Limits()
    )
    ledger = Ledger(settings, all_kinds(), clock=clock)
    try:
        size0 = ledger.size()
        with ledger.engine.connect() as conn:
            years = sorted(
                int(k)
                for (k,) in conn.execute(
                    select(storage.projection_rows.c.key).where(
                        storage.projection_rows.c.namespace == NS_FISCAL_YEAR
                    )
                )
            )
            if not years:
                raise BenchError("the demo registered no fiscal year")
            year = years[-1]
            plan = make_plan(
                conn,
                year,
                target - size0,
                lambda n: [seeded_key(f"vendor {i}") for i in range(n)],
            )
        people = People(
            authority=load_client_key(directory / "offline-keys" / "authority.key"),
            officer=seeded_key("officer"),
            finance=seeded_key("finance"),
            members=[(seeded_key(f"pokja {i}"), seeded_box(f"pokja {i}")) for i in (1, 2, 3)],
            vendors=[seeded_key(f"vendor {i}") for i in range(plan.vendors)],
        )
        with progress_bar("growing the log", target, progress, completed=size0) as advance:
            out = Appender(ledger, clock, advance)
            g = Growth(ledger, out, people, plan, real_now)
            g.setup(datetime(year, 1, 1, 0, 30, tzinfo=UTC))
            events = tender_events(g, year)
            days = (date(year, 12, 31) - date(year, 1, 2)).days + 1
            lines = [(str(d["line_id"]), True) for d in plan.outflow_lines]
            lines += [(str(d["line_id"]), False) for d in plan.inflow_lines]
            pay_at: dict[int, tuple[date, datetime, int, int]] = {}
            for day_index in range(days):
                day = date(year, 1, 2) + timedelta(days=day_index)
                moment = datetime(day.year, day.month, day.day, 2, 0, tzinfo=UTC)
                first = plan.payments * day_index // days
                last = plan.payments * (day_index + 1) // days
                pay_at[day_index] = (day, moment, first, last)
            pending: deque[tuple[int, Future[list[SignedStatement]]]] = deque()
            next_day = 0
            context = multiprocessing.get_context("spawn")
            with ProcessPoolExecutor(
                max_workers=signers,
                mp_context=context,
                initializer=_init_signer,
                initargs=(bytes(people.finance), lines, ledger.limits, ledger.origin),
            ) as pool:

                def submit_ahead() -> None:
                    nonlocal next_day
                    while next_day < days and len(pending) < PAYMENT_JOBS_IN_FLIGHT:
                        day, moment, first, last = pay_at[next_day]
                        future = pool.submit(sign_payment_slots, first, last, day, moment)
                        pending.append((next_day, future))
                        next_day += 1

                def pay_day(day_index: int) -> None:
                    submit_ahead()
                    index, future = pending.popleft()
                    if index != day_index:
                        raise BenchError(f"payments of day {index} came before day {day_index}")
                    out.many(future.result())
                    submit_ahead()

                for day_index in range(days):
                    moment = pay_at[day_index][1]
                    events.append((moment, -1, functools.partial(pay_day, day_index)))
                events.sort(key=lambda e: (e[0], e[1]))
                submit_ahead()
                for moment, _, action in events:
                    out.at(moment)
                    action()
                out.flush()
            ledger.publisher.publish(force=True)
        size = ledger.size()
    finally:
        ledger.close()
    elapsed = time.perf_counter() - started
    states: dict[str, int] = {}
    for tender in plan.tenders:
        states[tender.state] = states.get(tender.state, 0) + 1
    return {
        "entries_before": size0,
        "entries_after": size,
        "entries_added": size - size0,
        "seconds": round(elapsed, 1),
        "entries_per_s": round((size - size0) / elapsed, 1),
        "append_seconds": round(out.append_seconds, 1),
        "fiscal_year": plan.year,
        "parts": {
            "set_up_statements": plan.setup_statements,
            "vendors": plan.vendors,
            "tenders": len(plan.tenders),
            "tenders_by_state": states,
            "bids": sum(
                BIDS_PER_TENDER for t in plan.tenders if t.state not in ("planned", "cancelled")
            ),
            "most_bid_tender_bids": plan.big_bids,
            "procurement_statements": plan.procurement_statements,
            "budget_postings": plan.payments,
            "belanja_lines": len(plan.outflow_lines),
            "pendapatan_lines": len(plan.inflow_lines),
        },
        "signer_processes": signers,
    }


# ------------------------------------------------------------------ the service


class Server(Service):
    """`terang serve` on a data set, in a subprocess of its own session."""

    def __init__(self, dataset: Dataset, log_path: Path) -> None:
        super().__init__(log_path, ready_timeout_s=READY_TIMEOUT_S, stop_timeout_s=STOP_TIMEOUT_S)
        self.dataset = dataset

    def start(self) -> None:
        self.port = free_port()
        command = [sys.executable, "-m", "terang.cli", "serve", "--host", HOST]
        command += ["--port", str(self.port)]
        directory = self.dataset.directory
        self.launch(command, child_env(self.dataset.url, directory), cwd=directory)


# ------------------------------------------------------------------- measuring


class _Links(HTMLParser):
    """The links and same-origin asset references of one HTML page."""

    ASSET_RELS: Final = frozenset(
        {"stylesheet", "icon", "preload", "modulepreload", "apple-touch-icon", "manifest"}
    )

    def __init__(self) -> None:
        super().__init__()
        self.anchors: list[str] = []
        self.assets: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {k: v for k, v in attrs if v is not None}
        if tag == "a" and "href" in found:
            self.anchors.append(found["href"])
        elif tag == "link" and "href" in found:
            if set(found.get("rel", "").lower().split()) & self.ASSET_RELS:
                self.assets.append(found["href"])
        elif tag in ("script", "img") and "src" in found:
            self.assets.append(found["src"])


def parse_links(html: str) -> _Links:
    parser = _Links()
    parser.feed(html)
    return parser


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    wire: bytes
    body: bytes
    ttfb_s: float
    total_s: float


class Client:
    """One keep-alive HTTP/1.1 connection, as a browser tab holds (http.client)."""

    HEADERS: Final = {
        "Accept": "text/html,application/xhtml+xml,*/*;q=0.8",
        "Accept-Encoding": "gzip",
        "User-Agent": "terang-portal-bench/1",
    }

    def __init__(self, port: int) -> None:
        self.port = port
        self.conn = http.client.HTTPConnection(HOST, port, timeout=HTTP_TIMEOUT_S)

    def get(self, path: str) -> Response:
        for attempt in (1, 2):
            try:
                started = time.perf_counter()
                self.conn.request("GET", path, headers=self.HEADERS)
                response = self.conn.getresponse()
                headers_at = time.perf_counter()
                wire = response.read()
                done = time.perf_counter()
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.conn.close()  # the server closed an idle keep-alive connection
                self.conn = http.client.HTTPConnection(HOST, self.port, timeout=HTTP_TIMEOUT_S)
                if attempt == 2:
                    raise
        headers = {k.lower(): v for k, v in response.getheaders()}
        body = gzip.decompress(wire) if headers.get("content-encoding") == "gzip" else wire
        return Response(response.status, headers, wire, body, headers_at - started, done - started)

    def close(self) -> None:
        self.conn.close()


def same_origin_path(base_path: str, href: str, port: int) -> str | None:
    absolute = urljoin(f"http://{HOST}:{port}{base_path}", href)
    parts = urlsplit(absolute)
    if parts.scheme != "http" or parts.hostname != HOST or parts.port != port:
        return None
    return parts.path + ("?" + parts.query if parts.query else "")


def follow(client: Client, path: str, hops_max: int = 5) -> tuple[str, Response]:
    """GET ``path``, following redirects within the site; the final path and response."""
    for _ in range(hops_max):
        response = client.get(path)
        if response.status in (301, 302, 303, 307, 308) and "location" in response.headers:
            target = same_origin_path(path, response.headers["location"], client.port)
            if target is None:
                break
            path = target
            continue
        return path, response
    raise BenchError(f"too many redirects from {path}")


def page_links(client: Client, path: str, response: Response) -> list[str]:
    links = parse_links(response.body.decode("utf-8", errors="replace")).anchors
    found = []
    for href in links:
        target = same_origin_path(path, href, client.port)
        if target is not None and target not in found:
            found.append(target)
    return found


@dataclass
class Chosen:
    """Records picked from the database (the heaviest, and the lightest vendor)."""

    tender: str | None
    tender_entries: int
    vendor: str | None
    vendor_entries: int
    vendor_quiet: str | None
    vendor_quiet_entries: int
    trace_line: str | None = None
    """The budget line of ``tender``: the trace page measured."""


def choose_records(url: str) -> Chosen:
    e, p = storage.entries.c, storage.projection_rows.c
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            tenders = select(p.key).where(p.namespace == lc.TENDER_NAMESPACE).scalar_subquery()
            top_tender = conn.execute(
                select(e.subject, func.count().label("n"))
                .where(e.subject.in_(tenders))
                .group_by(e.subject)
                .order_by(func.count().desc(), e.subject)
                .limit(1)
            ).first()
            vendors = select(p.key).where(p.namespace == VENDOR_NAMESPACE).scalar_subquery()
            by_vendor = (
                select(e.signer, func.count().label("n"))
                .where(e.signer.in_(vendors))
                .group_by(e.signer)
            )
            busiest = conn.execute(
                by_vendor.order_by(func.count().desc(), e.signer).limit(1)
            ).first()
            quietest = conn.execute(by_vendor.order_by(func.count(), e.signer).limit(1)).first()

            def about(vendor: str | None) -> int:
                if vendor is None:
                    return 0
                count = conn.execute(
                    select(func.count()).where((e.signer == vendor) | (e.subject == vendor))
                ).scalar()
                return int(count or 0)

            tender_doc = (
                None
                if top_tender is None
                else conn.execute(
                    select(p.value).where(
                        p.namespace == lc.TENDER_NAMESPACE, p.key == top_tender.subject
                    )
                ).scalar()
            )
            return Chosen(
                trace_line=None if tender_doc is None else json.loads(tender_doc)["budget_line"],
                tender=None if top_tender is None else str(top_tender.subject),
                tender_entries=0 if top_tender is None else int(top_tender.n),
                vendor=None if busiest is None else str(busiest.signer),
                vendor_entries=about(None if busiest is None else str(busiest.signer)),
                vendor_quiet=None if quietest is None else str(quietest.signer),
                vendor_quiet_entries=about(None if quietest is None else str(quietest.signer)),
            )
    finally:
        engine.dispose()


EXPLORER_DEPTH_MAX: Final = 6
"""Explorer levels to descend looking for a line list: year, OPD, programme, kegiatan,
sub kegiatan (and one spare)."""


def _explorer_depth(link: str) -> tuple[int, int]:
    """How deep an explorer URL is: (has an OPD, length of its programme code)."""
    query = parse_qs(urlsplit(link).query)
    return (1 if "opd" in query else 0, len(query.get("programme", [""])[0]))


def find_budget_line(
    client: Client, explorer_path: str, explorer: Response
) -> tuple[str | None, list[str]]:
    """The first budget line the explorer links, descending by its first deeper link
    (year -> OPD -> programme -> ... -> sub kegiatan) until a page lists lines.
    Returns the line's path and the explorer pages walked."""
    here, page, chain = explorer_path, explorer, [explorer_path]
    for _ in range(EXPLORER_DEPTH_MAX):
        found = page_links(client, here, page)
        line = next((u for u in found if u.startswith("/anggaran/baris/")), None)
        if line is not None:
            return line, chain
        depth = _explorer_depth(here)
        deeper = next(
            (
                u
                for u in found
                if urlsplit(u).path == "/anggaran"
                and "lang" not in parse_qs(urlsplit(u).query)
                and _explorer_depth(u) > depth
            ),
            None,
        )
        if deeper is None:
            break
        here, page = follow(client, deeper)
        chain.append(here)
        if page.status != 200:
            break
    return None, chain


def entries_with_subject(url: str, subject: str) -> int:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            e = storage.entries.c
            count = conn.execute(select(func.count()).where(e.subject == subject)).scalar()
            return int(count or 0)
    finally:
        engine.dispose()


def discover(client: Client, chosen: Chosen) -> tuple[dict[str, dict[str, Any]], list[str]]:
    """The pages to measure: crawled from /, the chosen records' pages checked against
    the URL shapes the crawl found. Returns (pages, notes)."""
    pages: dict[str, dict[str, Any]] = {}
    notes: list[str] = []
    home_path, home = follow(client, "/")
    if home.status != 200:
        raise BenchError(f"GET / answered {home.status}")
    pages["home"] = {"path": home_path, "chosen_by": "the site's root"}
    links = page_links(client, home_path, home)

    def first(candidates: list[str], test: Callable[[str], bool]) -> str | None:
        return next((c for c in candidates if test(c)), None)

    def path_of(link: str) -> str:
        return link.split("?", 1)[0]

    budget = first(links, lambda u: path_of(u) == "/anggaran")
    if budget is not None:
        budget_path, response = follow(client, budget)
        if response.status == 200:
            pages["budget"] = {"path": budget_path, "chosen_by": "the home page's budget link"}
            line, chain = find_budget_line(client, budget_path, response)
            if line is not None:
                how = "the first budget line on the first explorer page that lists lines"
                pages["budget_line"] = {"path": line, "chosen_by": how, "explorer_path": chain}
                _, line_response = follow(client, line)
                trace_shape = any(
                    u.startswith("/jejak/baris/") for u in page_links(client, line, line_response)
                )
                _discover_trace(client, chosen, trace_shape, pages, notes)
            else:
                notes.append(f"no budget line page linked from the explorer ({chain})")
        else:
            notes.append(f"{budget} answered {response.status}")
    else:
        notes.append("the home page links no budget explorer (/anggaran)")
    tenders = first(links, lambda u: path_of(u) == "/tender")
    tender_shape = vendor_shape = False
    if tenders is not None:
        tenders_path, response = follow(client, tenders)
        if response.status == 200:
            pages["tenders"] = {"path": tenders_path, "chosen_by": "the home page's tender link"}
            found = page_links(client, tenders_path, response)
            tender_shape = any(u.startswith("/tender/") for u in found)
        else:
            notes.append(f"{tenders} answered {response.status}")
    else:
        notes.append("the home page links no tender list (/tender)")
    if chosen.tender is not None and tender_shape:
        path = "/tender/" + quote(chosen.tender, safe=":.-_")
        _, response = follow(client, path)
        if response.status == 200:
            pages["tender"] = {
                "path": path,
                "chosen_by": f"the tender with the most entries ({chosen.tender_entries})",
                "record_entries": chosen.tender_entries,
            }
            found = page_links(client, path, response)
            vendor_shape = any(u.startswith("/penyedia/") for u in found)
        else:
            notes.append(f"{path} answered {response.status}")
    elif chosen.tender is not None:
        notes.append("the tender list links no tender page (/tender/...)")
    vendors = first(links, lambda u: path_of(u) == "/penyedia")
    if vendors is not None and not vendor_shape:
        vendors_path, response = follow(client, vendors)
        if response.status == 200:
            found = page_links(client, vendors_path, response)
            vendor_shape = any(u.startswith("/penyedia/") for u in found)
    for name, vendor, count, how in (
        ("vendor", chosen.vendor, chosen.vendor_entries, "the vendor with the most entries"),
        (
            "vendor_quiet",
            chosen.vendor_quiet,
            chosen.vendor_quiet_entries,
            "a vendor with the fewest entries",
        ),
    ):
        if vendor is None:
            continue
        if not vendor_shape:
            notes.append(f"{name}: no page links a vendor page (/penyedia/...)")
            continue
        path = "/penyedia/" + quote(vendor, safe=":.-_")
        _, response = follow(client, path)
        if response.status == 200:
            pages[name] = {"path": path, "chosen_by": f"{how} ({count})", "record_entries": count}
        else:
            notes.append(f"{path} answered {response.status}")
    flags = first(links, lambda u: path_of(u) == "/tanda-peringatan")
    if flags is not None:
        flags_path, response = follow(client, flags)
        if response.status == 200:
            pages["redflags"] = {"path": flags_path, "chosen_by": "the nav's red flags link"}
            if chosen.vendor is not None:
                # The list filtered to one vendor (the vendor page's "all its flags"
                # link): a filter that scans flag rows, not a key range.
                path = f"{flags_path}?vendor={quote(chosen.vendor, safe='')}"
                _, filtered = follow(client, path)
                if filtered.status == 200:
                    pages["redflags_vendor"] = {
                        "path": path,
                        "chosen_by": "the red flags list of the vendor with the most entries",
                    }
                else:
                    notes.append(f"{path} answered {filtered.status}")
        else:
            notes.append(f"{flags} answered {response.status}")
    else:
        notes.append("the home page links no red flags list (/tanda-peringatan)")
    return pages, notes


def _discover_trace(
    client: Client,
    chosen: Chosen,
    trace_shape: bool,
    pages: dict[str, dict[str, Any]],
    notes: list[str],
) -> None:
    """The trace of the busiest tender's budget line, in the shape a line page links."""
    if chosen.trace_line is None:
        return
    if not trace_shape:
        notes.append("trace: the budget line page links no trace page (/jejak/baris/...)")
        return
    path = "/jejak/baris/" + quote(chosen.trace_line, safe=":.-_")
    _, response = follow(client, path)
    if response.status == 200:
        how = f"the trace of the budget line of the tender with the most entries ({chosen.tender})"
        pages["trace"] = {"path": path, "chosen_by": how}
    else:
        notes.append(f"{path} answered {response.status}")


def weigh(client: Client, path: str, response: Response) -> dict[str, Any]:
    """The page's HTML and its same-origin assets, as a first visit downloads them."""
    parsed = parse_links(response.body.decode("utf-8", errors="replace"))
    assets: list[dict[str, Any]] = []
    seen: set[str] = set()
    for href in parsed.assets:
        target = same_origin_path(path, href, client.port)
        if target is None or target in seen:
            continue
        seen.add(target)
        _, got = follow(client, target)
        assets.append(
            {
                "url": target,
                "status": got.status,
                "content_type": got.headers.get("content-type", ""),
                "content_encoding": got.headers.get("content-encoding", "identity"),
                "transfer_bytes": len(got.wire),
                "decoded_bytes": len(got.body),
            }
        )
    html: dict[str, Any] = {
        "content_encoding": response.headers.get("content-encoding", "identity"),
        "transfer_bytes": len(response.wire),
        "decoded_bytes": len(response.body),
        "gzip9_bytes": len(gzip.compress(response.body, compresslevel=9)),
    }
    transfer = html["transfer_bytes"] + sum(int(a["transfer_bytes"]) for a in assets)
    compressed = html["content_encoding"] != "identity" or any(
        a["content_encoding"] != "identity" for a in assets
    )
    return {
        "html": html,
        "assets": assets,
        "weight": {
            "transfer_bytes": transfer,
            "decoded_bytes": html["decoded_bytes"] + sum(int(a["decoded_bytes"]) for a in assets),
            "compressed": compressed,
            "counted_as": "compressed (as sent)" if compressed else "uncompressed (as sent)",
        },
    }


def measure_page(
    client: Client, server: Server, path: str, requests: int, warmup: int, progress: bool, name: str
) -> dict[str, Any]:
    first = client.get(path)
    if first.status != 200:
        return {"status": first.status, "error": f"GET {path} answered {first.status}"}
    for _ in range(max(0, warmup - 1)):
        client.get(path)
    ttfb: list[float] = []
    total: list[float] = []
    load_before = load_average()
    cpu_before = server.cpu_s()
    last = first
    with progress_bar(f"{name}", requests, progress) as advance:
        for _ in range(requests):
            last = client.get(path)
            if last.status != 200:
                raise BenchError(f"GET {path} answered {last.status} during the measurement")
            ttfb.append(last.ttfb_s)
            total.append(last.total_s)
            advance(1)
    cpu = server.cpu_s() - cpu_before
    figures = {
        "status": 200,
        "requests": requests,
        "warmup": warmup,
        "first_request_ttfb_ms": round(first.ttfb_s * 1000, 2),
        "ttfb_ms": ms_summary(ttfb),
        "total_ms": ms_summary(total),
        "server_cpu_ms_per_request": round(cpu / requests * 1000, 2),
        "load_average_before": load_before,
        "load_average_after": load_average(),
        **weigh(client, path, last),
    }
    figures["verdict"] = {
        "ttfb_p95_ok": figures["ttfb_ms"]["p95"] < TARGETS["ttfb_p95_ms_max"],
        "weight_ok": figures["weight"]["transfer_bytes"] < TARGETS["page_weight_bytes_max"],
    }
    return figures


def measure_dataset(
    dataset: Dataset, manifest: dict[str, Any], args: argparse.Namespace
) -> dict[str, Any]:
    chosen = choose_records(dataset.url)
    server = Server(dataset, dataset.directory / "serve.log")
    result: dict[str, Any] = {
        "dataset": {
            "spec": dataset.spec,
            "tree_size": manifest["tree_size"],
            "database_bytes": database_bytes(dataset.url),
            **{k: v for k, v in manifest.items() if k not in ("tree_size", "kind")},
        }
    }
    try:
        server.start()
        client = Client(server.port)
        try:
            started = time.perf_counter()
            pages, notes = discover(client, chosen)
            if "budget_line" in pages:
                line_id = unquote(pages["budget_line"]["path"].removeprefix("/anggaran/baris/"))
                pages["budget_line"]["record_entries"] = entries_with_subject(dataset.url, line_id)
            console.print(
                f"  [bold]{dataset.engine} {dataset.spec}[/bold]: measuring "
                + ", ".join(f"{k} {v['path']}" for k, v in pages.items())
            )
            # Discovery warmed a page or two up; each page's first GET below is still
            # reported, but only a fresh service's first GET of home is truly cold.
            measured = {}
            for name, page in pages.items():
                figures = measure_page(
                    client, server, page["path"], args.requests, args.warmup, args.progress, name
                )
                measured[name] = {**page, **figures}
            result["discovery_notes"] = notes
            result["missing_pages"] = [p for p in PAGES if p not in measured]
            result["pages"] = measured
            result["measure_seconds"] = round(time.perf_counter() - started, 1)
        finally:
            client.close()
    finally:
        server.stop()
    result["server"] = {
        "peak_rss_mib": mib(server.peak_rss_kib),
        "rss_at_end_mib": mib(server.rss_kib),
    }
    return result


# ------------------------------------------------------------------------- main


def summary_rows(results: dict[str, Any]) -> list[dict[str, Any]]:
    rows = []
    for engine, sets in results["engines"].items():
        for spec, figures in sets.items():
            for name, page in figures.get("pages", {}).items():
                if page.get("status") != 200:
                    continue
                rows.append(
                    {
                        "engine": engine,
                        "dataset": spec,
                        "page": name,
                        "ttfb_p50_ms": page["ttfb_ms"]["p50"],
                        "ttfb_p95_ms": page["ttfb_ms"]["p95"],
                        "ttfb_p99_ms": page["ttfb_ms"]["p99"],
                        "server_cpu_ms": page["server_cpu_ms_per_request"],
                        "weight_bytes": page["weight"]["transfer_bytes"],
                        "html_gzip9_bytes": page["html"]["gzip9_bytes"],
                        "ok": page["verdict"]["ttfb_p95_ok"] and page["verdict"]["weight_ok"],
                    }
                )
    return rows


def print_summary(rows: list[dict[str, Any]]) -> None:
    table = Table(title="portal pages (targets: TTFB p95 < 200 ms, weight < 300 KB)")
    for column in (
        "engine",
        "dataset",
        "page",
        "ttfb p50",
        "p95",
        "p99",
        "cpu/req",
        "weight",
        "gzip9 html",
        "ok",
    ):
        table.add_column(
            column, justify="left" if column in ("engine", "dataset", "page") else "right"
        )
    for r in rows:
        table.add_row(
            r["engine"],
            r["dataset"],
            r["page"],
            f"{r['ttfb_p50_ms']:.1f}",
            f"{r['ttfb_p95_ms']:.1f}",
            f"{r['ttfb_p99_ms']:.1f}",
            f"{r['server_cpu_ms']:.1f}",
            f"{r['weight_bytes']:,}",
            f"{r['html_gzip9_bytes']:,}",
            "yes" if r["ok"] else "NO",
        )
    Console(stderr=True, highlight=False, width=150).print(table)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=HELP, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--datasets",
        default="demo,1000000",
        help="comma-separated: demo, N (entries), demo+K (default: %(default)s)",
    )
    parser.add_argument(
        "--engines",
        default=None,
        help="sqlite,postgresql (default: sqlite, and postgresql when a --pg-url is known)",
    )
    parser.add_argument(
        "--pg-url",
        default=os.environ.get("TEST_DATABASE_URL"),
        help="a PostgreSQL server to create the data sets' databases on"
        " (default: $TEST_DATABASE_URL)",
    )
    parser.add_argument("--requests", type=int, default=200, help="counted GETs per page")
    parser.add_argument("--warmup", type=int, default=20, help="GETs per page before counting")
    parser.add_argument(
        "--signers",
        type=int,
        default=1,
        help="processes signing payments while growing (default 1)",
    )
    parser.add_argument(
        "--work-dir",
        type=Path,
        default=Path(tempfile.gettempdir()) / "terang-portal-bench",
        help="where data sets are built and cached (default: %(default)s)",
    )
    parser.add_argument("--rebuild", action="store_true", help="rebuild cached grown data sets")
    parser.add_argument(
        "--keep-data",
        action="store_true",
        help="measure cached data sets even if the demo's code or the recipe changed since"
        " they were built (the results name the commit that built them)",
    )
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "results" / "portal.json")
    parser.add_argument(
        "--merge",
        action="store_true",
        help="keep the other engines' and data sets' figures already in --out",
    )
    parser.add_argument(
        "--cleanup",
        action="store_true",
        help="drop the data sets (files, databases) after measuring them",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="smoke-test size: --datasets demo,demo+1500 --requests 5 --warmup 1",
    )
    parser.add_argument("--no-progress", dest="progress", action="store_false")
    parser.add_argument("--phase", choices=("grow",), help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--directory", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--target", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase == "grow":
        figures = grow(args.url, args.directory, args.target, args.signers, args.progress)
        print(json.dumps(figures))
        return
    if args.quick:
        args.datasets, args.requests, args.warmup = "demo,demo+1500", 5, 1
    engines = (args.engines or ("sqlite,postgresql" if args.pg_url else "sqlite")).split(",")
    specs = [s.strip() for s in args.datasets.split(",") if s.strip()]
    if args.requests < 1:
        parser.error("--requests must be at least 1")
    started_at = datetime.now(UTC).isoformat(timespec="seconds")
    load_at_start = load_average()
    results: dict[str, Any] = {"engines": {}}
    if args.merge and args.out.exists():
        results = json.loads(args.out.read_text())
    for engine in engines:
        if engine not in ("sqlite", "postgresql"):
            parser.error(f"unknown engine {engine}")
        demo = Dataset(
            engine,
            "demo",
            args.work_dir / engine / "demo",
            database_url(engine, args.work_dir, "demo", args.pg_url),
        )
        demo_manifest = build_demo(demo, args.keep_data)
        engine_results = results["engines"].setdefault(engine, {})
        for spec in specs:
            if spec == "demo":
                dataset, manifest = demo, demo_manifest
            else:
                dataset = Dataset(
                    engine,
                    spec,
                    args.work_dir / engine / dataset_tag(spec),
                    database_url(engine, args.work_dir, spec, args.pg_url),
                )
                manifest = build_grown(dataset, demo, demo_manifest, args)
            engine_results[spec] = measure_dataset(dataset, manifest, args)
            if args.cleanup and spec != "demo":
                remove_dataset(dataset)
        if args.cleanup:
            remove_dataset(demo)
    results.update(
        {
            "schema": SCHEMA,
            **git_facts(),
            "machine": {
                "date": started_at,
                "cpus": os.cpu_count(),
                "platform": platform.platform(),
                "python": platform.python_version(),
                "load_average_at_start": load_at_start,
                "load_average_at_end": load_average(),
            },
            "config": {
                "requests": args.requests,
                "warmup": args.warmup,
                "datasets": specs,
                "engines": engines,
                "client": "http.client, one keep-alive connection, sequential GETs,"
                " Accept-Encoding: gzip",
            },
            "targets": {**TARGETS, "page_weight_note": PAGE_WEIGHT_NOTE},
        }
    )
    results["summary"] = summary_rows(results)
    results["all_pages_meet_targets"] = bool(results["summary"]) and all(
        r["ok"] for r in results["summary"]
    )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print_summary(results["summary"])
    console.print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
