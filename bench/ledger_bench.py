"""Ledger benchmark: signed-entry throughput over HTTP, proof latency at a large log, memory.

Run ``python bench/ledger_bench.py --help`` for what each figure means; bench/README.md
has the targets and the latest figures. Everything this script starts (the service,
a throwaway PostgreSQL cluster, builder and signer processes, temporary directories)
is stopped or removed before it exits, also on failure and on Ctrl-C / SIGTERM.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.metadata
import importlib.util
import itertools
import json
import multiprocessing
import multiprocessing.connection
import os
import platform
import random
import resource
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import uuid
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType, ModuleType
from typing import Any

import httpx
from bench_common import (
    HOST,
    RATE_LIMITS_OFF_ENV,
    BenchError,
    Service,
    free_port,
    git,
    latency_summary,
    load_average,
    mib,
    own_cpu_s,
    proc_cpu_s,
    running,
)
from nacl.signing import SigningKey
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Connection, Engine, make_url

from ledger import merkle, proofs, storage
from ledger.keys import client_key_id, load_client_key
from ledger.service import Ledger, Settings
from ledger.signing import make_signed
from ledger.statement import SignedStatement, b64encode, key_id_of
from terang.app import all_kinds

REPO = Path(__file__).resolve().parents[1]
ORIGIN = "bench.terang.example/log"
SCHEMA = "terang-ledger-bench/1"
READY_TIMEOUT_S = 90.0
STOP_TIMEOUT_S = 20.0
WARMUP_REQUESTS = 100
VERIFY_SAMPLES = 25

TARGETS = {
    "batch_api_entries_per_s_min": 3000,
    "batch_api_engine": "postgresql",
    "single_requests_entries_per_s_min": 500,
    "proof_p99_ms_max": 5.0,
    "proof_log_size": 1_000_000,
}

console = Console(stderr=True, highlight=False)

HELP = """\
Measures the Terang ledger on each engine (SQLite and PostgreSQL) and writes every
figure, with the machine facts, to a JSON file (--out), then prints a table.

Per engine, with a fresh database set up by `terang init` and the real service
(`terang serve` in a subprocess on 127.0.0.1, a free port):

 1. batch_api.entries_per_s
      N signed statements (registry.key.registered of fresh keys, signed by a
      key holding the "authority" role), pre-signed and pre-encoded client-side
      (not timed), POSTed to /api/v1/statements/batch in batches of --batch-size
      from --batch-clients threads. Figure: N / wall time from the first POST to
      the last response. The server verifies every signature. Also the p50/p99
      latency of one batch request.
 2. single_requests.entries_per_s, latency_ms.p50/p99
      N more pre-signed statements, one per POST /api/v1/statements, from
      --single-clients threads (httpx, keep-alive). Figure: N / wall time, and the
      p50/p99 latency of one request (client-side, send to full response).
 3. proof_log_build.entries_per_s
      The log is grown to --proof-log-size entries in-process through
      Ledger.append_direct in batches of --build-batch (the sequencer's real code
      path: every signature verified, every reducer run), with the service
      stopped. Statements are signed by --signers worker processes in parallel.
      entries_per_s is wall time of the whole build; append_entries_per_s counts
      only time inside append_direct. segments: the build rate over each tenth
      of the build, with in-process proof p50/p99 at the size reached
      (--scaling-probes proofs of each kind; not counted in the build time).
    proofs.in_process / proofs.http: inclusion and consistency
      --proof-requests random proofs of each kind at tree size = the built size
      (inclusion: random seq; consistency: random first, second = size), p50/p99
      in ms. in_process: ledger.proofs.inclusion/consistency on a pooled
      connection (checkout included), the cost of the proof itself. http: GET
      /api/v1/proofs/inclusion?seq=..&tree_size=.. and
      /api/v1/proofs/consistency?first=..&second=.. from one keep-alive client,
      sequentially. The first few requests warm up and are not counted; a sample
      of the HTTP proofs is verified against the tree root.
 4. memory: peak RSS (VmHWM from /proc/<pid>/status, read just before stopping)
      of the service during the write phases (1-2) and the proof phase, and peak
      RSS (getrusage maxrss) of the builder process and its signer workers.
    cpu (per phase): CPU seconds used by the service (or the builder and its
      signers), by the throwaway PostgreSQL cluster (postgresql_cpu_s), by this
      bench process (the HTTP clients) and by other programs on the machine
      (foreign_cpu_s), and how busy the whole machine was: where the time went.
      Before each phase the bench waits (--quiet-wait) for the machine to be quiet.

PostgreSQL: a throwaway cluster (scripts/pg_throwaway.py: fsync, synchronous_commit
and full_page_writes OFF) is started unless --pg-url or TEST_DATABASE_URL names a
server; either way a fresh database is created on it and dropped afterwards. The
server's durability settings are recorded in the results.

The client runs on the same machine as the service: on a small machine the client
threads take CPU from the server, so the HTTP figures are a lower bound.

Targets (issue): >= 3,000 signed entries/s through the batch API on PostgreSQL with
every signature verified; >= 500/s single requests; proofs p99 < 5 ms at 1,000,000
entries.
"""


# ------------------------------------------------------------------------------- helpers


def terang_executable() -> str:
    beside = Path(sys.executable).parent / "terang"
    if beside.exists():
        return str(beside)
    found = shutil.which("terang")
    if found is None:
        raise BenchError("the `terang` command is not installed (pip install -e .)")
    return found


def service_env(database_url: str, log_key_file: Path) -> dict[str, str]:
    """The environment for `terang init/serve`: ours, without inherited TERANG_* settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TERANG_")}
    env["TERANG_DATABASE_URL"] = database_url
    env["TERANG_LOG_KEY_FILE"] = str(log_key_file)
    env.update(RATE_LIMITS_OFF_ENV)
    env.setdefault("PYTHONUNBUFFERED", "1")
    return env


def registration(
    signer: SigningKey, index: int, *, at: datetime, real_key: bool
) -> SignedStatement:
    """A ``registry.key.registered`` statement for a fresh key, signed by ``signer``.

    ``real_key=False`` registers 32 random bytes as the public key: the ledger checks
    the length (and derives the key id), not curve membership, and skipping key
    generation keeps the signer processes ahead of the sequencer during the build.
    """
    public_key = bytes(SigningKey.generate().verify_key) if real_key else os.urandom(32)
    body = {"public_key": b64encode(public_key), "name": f"bench key {index}", "roles": []}
    return make_signed(
        signer, "registry.key.registered", key_id_of(public_key), body, at=at, origin=ORIGIN
    )


def die_with_parent() -> None:
    """Linux: have the kernel SIGTERM this process when its parent exits, so a builder
    or signer worker can never outlive the bench (PR_SET_PDEATHSIG)."""
    with contextlib.suppress(Exception):
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)


def sign_registrations(
    seed: bytes, start: int, count: int, real_keys: bool
) -> list[SignedStatement]:
    """Signer-process task: ``count`` registrations signed now by the key of ``seed``."""
    signer = SigningKey(seed)
    at = datetime.now(UTC)
    return [registration(signer, start + i, at=at, real_key=real_keys) for i in range(count)]


def load_pg_throwaway() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "terang_pg_throwaway", REPO / "scripts" / "pg_throwaway.py"
    )
    if spec is None or spec.loader is None:
        raise BenchError("scripts/pg_throwaway.py not found")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def machine_facts() -> dict[str, Any]:
    cpu_model = ""
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu_model = line.split(":", 1)[1].strip()
                break
    mem_total = proc_meminfo_kib("MemTotal")
    versions: dict[str, str | None] = {}
    for dist in (
        "fastapi",
        "starlette",
        "uvicorn",
        "httpx",
        "sqlalchemy",
        "psycopg2-binary",
        "pynacl",
        "rfc8785",
    ):
        try:
            versions[dist] = importlib.metadata.version(dist)
        except importlib.metadata.PackageNotFoundError:
            versions[dist] = None
    optional = {
        name: importlib.util.find_spec(name) is not None
        for name in ("uvloop", "httptools", "orjson")
    }
    status = git("status", "--porcelain")
    return {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "nproc": os.cpu_count(),
        "cpus_usable": len(os.sched_getaffinity(0)),
        "cpu_model": cpu_model,
        "mem_total_mib": mib(mem_total),
        "load_average_at_start": load_average(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "python_implementation": platform.python_implementation(),
        "sqlite_library": sqlite3.sqlite_version,
        "packages": versions,
        "optional_speedups_installed": optional,
        "git_commit": git("rev-parse", "HEAD"),
        "git_worktree_dirty": bool(status),
        "git_ledger_code_dirty": bool(
            git("status", "--porcelain", "--", "ledger", "audit", "terang")
        ),
    }


def proc_meminfo_kib(name: str) -> int | None:
    with contextlib.suppress(OSError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith(name + ":"):
                return int(line.split()[1])
    return None


def machine_cpu_s() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine since boot, from /proc/stat."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:9]]
    total = sum(values)
    idle = values[3] + values[4]  # idle + iowait
    tick = os.sysconf("SC_CLK_TCK")
    return (total - idle) / tick, total / tick


def process_tree(root: int) -> list[int]:
    """``root`` and all its descendants (from the ppid field of /proc/<pid>/stat)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            ppid = int(Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(entry))
    found, stack = [], [root]
    while stack:
        pid = stack.pop()
        found.append(pid)
        stack.extend(children.get(pid, []))
    return found


def tree_cpu(root: int) -> dict[int, float]:
    return {pid: cpu for pid in process_tree(root) if (cpu := proc_cpu_s(pid)) is not None}


class CpuMeter:
    """Where the CPU went during a phase.

    ``<label>_cpu_s`` for each tracked process tree (the service or the builder with its
    signers; ``postgresql``: the throwaway cluster's postmaster and backends, when this
    bench started it), ``bench_cpu_s`` for this process (the HTTP clients), and
    ``foreign_cpu_s``: the machine's busy time minus all of those, i.e. other programs
    running on the machine at the same time, plus PostgreSQL if it is not tracked).
    ``machine_busy_pct`` is of all CPUs. The trees are sampled every half second, so
    processes that exit during the phase (signer workers, closed database backends)
    still count, up to their last sample.
    """

    SAMPLE_S = 0.5

    def __init__(self, tracked: dict[str, int | None]) -> None:
        self.tracked = {label: pid for label, pid in tracked.items() if pid}
        self.result: dict[str, Any] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample_loop, name="cpu-meter", daemon=True)

    def _sample(self) -> None:
        for label, pid in self.tracked.items():
            seen = self.latest[label]
            for p, cpu in tree_cpu(pid).items():
                seen[p] = max(cpu, seen.get(p, 0.0))

    def _sample_loop(self) -> None:
        while not self._stop.wait(self.SAMPLE_S):
            self._sample()

    def __enter__(self) -> CpuMeter:
        self.t0 = time.perf_counter()
        self.before = {label: tree_cpu(pid) for label, pid in self.tracked.items()}
        self.latest = {label: dict(cpu) for label, cpu in self.before.items()}
        self.own0 = own_cpu_s()
        self.busy0, self.total0 = machine_cpu_s()
        if self.tracked:
            self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        wall = time.perf_counter() - self.t0
        if self.tracked:
            self._stop.set()
            self._thread.join()
            self._sample()
        busy1, total1 = machine_cpu_s()
        own = own_cpu_s() - self.own0
        self.result = {"wall_s": round(wall, 2)}
        accounted = own
        for label in self.tracked:
            start = self.before[label]
            used = sum(cpu - start.get(p, 0.0) for p, cpu in self.latest[label].items())
            accounted += used
            self.result[f"{label}_cpu_s"] = round(used, 2)
        busy = busy1 - self.busy0
        self.result["bench_cpu_s"] = round(own, 2)
        self.result["foreign_cpu_s"] = round(max(0.0, busy - accounted), 2)
        self.result["machine_busy_pct"] = round(100 * busy / max(1e-9, total1 - self.total0), 1)


def wait_quiet(max_wait_s: float, busy_pct_max: float = 25.0) -> dict[str, Any]:
    """Wait (up to ``max_wait_s``) until the machine is mostly idle before a phase.

    Other programs on a small shared machine distort every figure; this only waits,
    it never fails. Returns how long it waited and how busy the machine last was.
    """
    started = time.perf_counter()
    busy_pct = 100.0
    announced = False
    while True:
        busy0, total0 = machine_cpu_s()
        time.sleep(2.0)
        busy1, total1 = machine_cpu_s()
        busy_pct = 100 * (busy1 - busy0) / max(1e-9, total1 - total0)
        waited = time.perf_counter() - started
        if busy_pct <= busy_pct_max or waited >= max_wait_s:
            break
        if not announced:
            console.print(f"  waiting for the machine to be quiet (busy {busy_pct:.0f}%)")
            announced = True
    return {"waited_s": round(waited, 1), "busy_pct_before": round(busy_pct, 1)}


# ------------------------------------------------------------------------- the service


class Server(Service):
    """`terang serve` in a subprocess (its own session), stopped by ``stop``."""

    def __init__(self, url: str, log_key_file: Path, log_path: Path) -> None:
        super().__init__(log_path, ready_timeout_s=READY_TIMEOUT_S, stop_timeout_s=STOP_TIMEOUT_S)
        self.env = service_env(url, log_key_file)

    def start(self) -> None:
        self.port = free_port()
        command = [terang_executable(), "serve", "--host", HOST, "--port", str(self.port)]
        self.launch(command, self.env)


@contextlib.contextmanager
def py_spy(pid: int, out: Path | None, *, rate: int = 50) -> Iterator[None]:
    """Sample ``pid`` with py-spy into ``out`` (collapsed stacks) while inside, if asked."""
    exe = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    if out is None or not Path(exe).exists():
        yield
        return
    proc = subprocess.Popen(
        [
            exe,
            "record",
            "--pid",
            str(pid),
            "--rate",
            str(rate),
            "--format",
            "raw",
            "--output",
            str(out),
            "--nonblocking",
            "--threads",
        ],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        time.sleep(0.5)
        yield
    finally:
        with contextlib.suppress(ProcessLookupError):
            proc.send_signal(signal.SIGINT)  # py-spy writes its file on SIGINT
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


# ----------------------------------------------------------------------- the databases


@dataclass
class Database:
    engine_name: str
    url: str
    facts: dict[str, Any] = field(default_factory=dict)
    server_pid: int | None = None
    """The PostgreSQL postmaster's pid when this bench started it (for CPU accounting)."""


@contextlib.contextmanager
def sqlite_database(work: Path) -> Iterator[Database]:
    path = work / "bench.db"
    url = f"sqlite:///{path}"
    facts = {"version": sqlite3.sqlite_version, "file": str(path)}
    yield Database("sqlite", url, facts)


@contextlib.contextmanager
def postgres_database(server_url: str, source: str, server_pid: int | None) -> Iterator[Database]:
    """A fresh database on the server of ``server_url``, dropped afterwards."""
    name = "bench_" + uuid.uuid4().hex[:12]
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        url = make_url(server_url).set(database=name).render_as_string(hide_password=False)
        try:
            engine = create_engine(url)
            with engine.connect() as conn:
                facts: dict[str, Any] = {"server": source}
                facts["version"] = conn.execute(text("SHOW server_version")).scalar()
                for setting in (
                    "fsync",
                    "synchronous_commit",
                    "full_page_writes",
                    "shared_buffers",
                ):
                    facts[setting] = conn.execute(text(f"SHOW {setting}")).scalar()
            engine.dispose()
            yield Database("postgresql", url, facts, server_pid)
        finally:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


class PostgresServer:
    """The PostgreSQL server to use: given by URL, or a throwaway cluster started lazily."""

    def __init__(self, url: str | None) -> None:
        self.given_url = url
        self.cluster: Any = None

    def pid(self) -> int | None:
        return None if self.cluster is None else int(self.cluster.pid)

    def url(self) -> tuple[str, str]:
        if self.given_url:
            return self.given_url, "given (--pg-url / TEST_DATABASE_URL)"
        if self.cluster is None:
            console.print("starting a throwaway PostgreSQL cluster (scripts/pg_throwaway.py)")
            self.cluster = load_pg_throwaway().start_cluster()
        return str(self.cluster.url), "throwaway cluster (scripts/pg_throwaway.py)"

    def stop(self) -> None:
        cluster, self.cluster = self.cluster, None
        if cluster is not None:
            cluster.stop()


# ------------------------------------------------------------------------ HTTP phases


@dataclass
class HttpRun:
    wall_s: float
    ok: int
    latencies_s: list[float]
    errors: list[str]


def run_requests(
    base_url: str, path: str, bodies: Sequence[bytes], clients: int, expect: int
) -> HttpRun:
    """POST every body once from ``clients`` threads (each its own keep-alive client)."""
    counter = itertools.count()
    lock = threading.Lock()
    starts: list[float] = []
    ends: list[float] = []
    latencies: list[float] = []
    errors: list[str] = []
    ok = 0
    headers = {"content-type": "application/json"}

    def worker() -> None:
        nonlocal ok
        my_lat: list[float] = []
        my_ok = 0
        my_errors: list[str] = []
        first: float | None = None
        last = 0.0
        with httpx.Client(base_url=base_url, timeout=300) as client:
            while True:
                index = next(counter)
                if index >= len(bodies):
                    break
                t0 = time.perf_counter()
                first = t0 if first is None else first
                try:
                    response = client.post(path, content=bodies[index], headers=headers)
                except httpx.HTTPError as exc:
                    my_errors.append(f"{type(exc).__name__}: {exc}")
                    last = time.perf_counter()
                    continue
                last = time.perf_counter()
                my_lat.append(last - t0)
                if response.status_code == 201:
                    my_ok += expect
                    if expect > 1:
                        receipts = response.json()["receipts"]
                        if len(receipts) != expect or any(r["duplicate"] for r in receipts):
                            my_errors.append("batch answered with wrong or duplicate receipts")
                else:
                    my_errors.append(f"HTTP {response.status_code}: {response.text[:300]}")
        with lock:
            ok += my_ok
            latencies.extend(my_lat)
            errors.extend(my_errors)
            if first is not None:
                starts.append(first)
                ends.append(last)

    threads = [threading.Thread(target=worker, name=f"bench-client-{i}") for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = (max(ends) - min(starts)) if starts else 0.0
    return HttpRun(wall, ok, latencies, errors)


def encode_batch(statements: Sequence[SignedStatement]) -> bytes:
    return json.dumps({"statements": [s.to_json() for s in statements]}).encode()


def encode_one(statement: SignedStatement) -> bytes:
    return json.dumps(statement.to_json()).encode()


def register_bench_signer(base_url: str, authority: SigningKey) -> SigningKey:
    """A fresh key holding the ``authority`` role, registered through the API."""
    key = SigningKey.generate()
    body = {
        "public_key": b64encode(bytes(key.verify_key)),
        "name": "bench signer",
        "roles": ["authority"],
    }
    signed = make_signed(
        authority,
        "registry.key.registered",
        client_key_id(key),
        body,
        at=datetime.now(UTC),
        origin=ORIGIN,
    )
    response = httpx.post(
        f"{base_url}/api/v1/statements",
        content=encode_one(signed),
        headers={"content-type": "application/json"},
        timeout=60,
    )
    if response.status_code != 201:
        raise BenchError(
            f"registering the bench signer: HTTP {response.status_code} {response.text}"
        )
    return key


def presign(signer: SigningKey, start: int, count: int, what: str) -> list[SignedStatement]:
    t0 = time.perf_counter()
    at = datetime.now(UTC)
    out = [registration(signer, start + i, at=at, real_key=True) for i in range(count)]
    console.print(
        f"  pre-signed {count:,} statements for {what} in {time.perf_counter() - t0:.1f}s"
    )
    return out


def phase_batch(
    base_url: str, pids: dict[str, int | None], signer: SigningKey, args: argparse.Namespace
) -> dict[str, Any]:
    quiet = wait_quiet(args.quiet_wait)  # before signing: statements expire (clock skew)
    statements = presign(signer, 0, args.entries, "the batch API")
    bodies = [
        encode_batch(statements[i : i + args.batch_size])
        for i in range(0, len(statements), args.batch_size)
    ]
    console.print(
        f"  POSTing {len(bodies)} batches of {args.batch_size} from {args.batch_clients} threads"
    )
    with CpuMeter(pids) as cpu:
        run = run_requests(
            base_url, "/api/v1/statements/batch", bodies, args.batch_clients, args.batch_size
        )
    rate = run.ok / run.wall_s if run.wall_s else 0.0
    console.print(f"  batch API: {run.ok:,} entries in {run.wall_s:.2f}s = {rate:,.0f} entries/s")
    return {
        "entries": run.ok,
        "entries_requested": len(statements),
        "batch_size": args.batch_size,
        "client_threads": args.batch_clients,
        "wall_s": round(run.wall_s, 3),
        "entries_per_s": round(rate, 1),
        "batch_latency_ms": latency_summary(run.latencies_s),
        "errors": len(run.errors),
        "first_errors": run.errors[:3],
        "cpu": cpu.result | quiet,
    }


def phase_single(
    base_url: str, pids: dict[str, int | None], signer: SigningKey, args: argparse.Namespace
) -> dict[str, Any]:
    quiet = wait_quiet(args.quiet_wait)  # before signing: statements expire (clock skew)
    statements = presign(signer, args.entries, args.entries, "single requests")
    bodies = [encode_one(s) for s in statements]
    console.print(f"  POSTing {len(bodies):,} single statements from {args.single_clients} threads")
    with CpuMeter(pids) as cpu:
        run = run_requests(base_url, "/api/v1/statements", bodies, args.single_clients, 1)
    rate = run.ok / run.wall_s if run.wall_s else 0.0
    lat = latency_summary(run.latencies_s)
    console.print(
        f"  single requests: {run.ok:,} in {run.wall_s:.2f}s = {rate:,.0f} entries/s, "
        f"p50 {lat.get('p50_ms')} ms, p99 {lat.get('p99_ms')} ms"
    )
    return {
        "entries": run.ok,
        "entries_requested": len(statements),
        "client_threads": args.single_clients,
        "wall_s": round(run.wall_s, 3),
        "entries_per_s": round(rate, 1),
        "latency_ms": lat,
        "errors": len(run.errors),
        "first_errors": run.errors[:3],
        "cpu": cpu.result | quiet,
    }


# --------------------------------------------------------------------- the log builder


@dataclass(frozen=True)
class BuildJob:
    database_url: str
    log_key_file: str
    signer_seed: bytes
    target_size: int
    batch: int
    signers: int
    probes: int
    profile_out: str | None


def probe_proofs(ledger: Ledger, size: int, count: int) -> dict[str, Any]:
    """In-process proof latency at an intermediate size (how proofs scale with the log)."""
    rng = random.Random(size)
    inclusion: list[float] = []
    consistency: list[float] = []
    for _ in range(count):
        seq, first = rng.randrange(size), rng.randrange(1, size)
        t0 = time.perf_counter()
        with ledger.engine.connect() as conn:
            proofs.inclusion(conn, seq, size)
        t1 = time.perf_counter()
        with ledger.engine.connect() as conn:
            proofs.consistency(conn, first, size)
        t2 = time.perf_counter()
        inclusion.append(t1 - t0)
        consistency.append(t2 - t1)
    inc, con = latency_summary(inclusion), latency_summary(consistency)
    return {
        "inclusion_p50_ms": inc["p50_ms"],
        "inclusion_p99_ms": inc["p99_ms"],
        "consistency_p50_ms": con["p50_ms"],
        "consistency_p99_ms": con["p99_ms"],
    }


def build_log(job: BuildJob, result_pipe: multiprocessing.connection.Connection) -> None:
    """Builder process: grow the log to ``target_size`` through Ledger.append_direct."""
    die_with_parent()
    try:
        result_pipe.send(("ok", _build_log(job)))
    except KeyboardInterrupt:
        result_pipe.send(("error", "interrupted"))
    except BaseException:
        result_pipe.send(("error", traceback.format_exc()))
    finally:
        result_pipe.close()


def _build_log(job: BuildJob) -> dict[str, Any]:
    settings = Settings(database_url=job.database_url, log_key_file=Path(job.log_key_file))
    ledger = Ledger(settings, all_kinds())
    out: dict[str, Any] = {}
    try:
        start_size = ledger.size()
        need = max(0, job.target_size - start_size)
        out.update(target_size=job.target_size, start_size=start_size, built_entries=need)
        in_append = 0.0
        probing = 0.0  # time spent on scaling probes, not part of the build figures
        segments: list[dict[str, Any]] = []
        started = time.perf_counter()
        if need:
            ctx = multiprocessing.get_context("spawn")
            counts = [min(job.batch, need - i) for i in range(0, need, job.batch)]
            segment_every = max(job.batch, (need // 10) // job.batch * job.batch)
            done = 0
            seg_start_t, seg_start_done = started, 0
            with (
                ProcessPoolExecutor(
                    max_workers=job.signers, mp_context=ctx, initializer=die_with_parent
                ) as pool,
                BuildProgress(need) as progress,
            ):
                pending: deque[Future[list[SignedStatement]]] = deque()
                offsets = itertools.accumulate(counts, initial=0)
                tasks = iter(zip(offsets, counts, strict=False))
                ahead = job.signers * 2 + 1  # bounded: statements must stay within clock skew

                def refill() -> None:
                    while len(pending) < ahead:
                        task = next(tasks, None)
                        if task is None:
                            return
                        offset, count = task
                        pending.append(
                            pool.submit(sign_registrations, job.signer_seed, offset, count, False)
                        )

                refill()
                while pending:
                    statements = pending.popleft().result()
                    refill()
                    t0 = time.perf_counter()
                    ledger.append_direct(statements)
                    in_append += time.perf_counter() - t0
                    done += len(statements)
                    progress.advance(len(statements))
                    if done - seg_start_done >= segment_every or done == need:
                        now = time.perf_counter()
                        seg_rate = (done - seg_start_done) / (now - seg_start_t)
                        segment = {
                            "tree_size": start_size + done,
                            "entries_per_s": round(seg_rate, 1),
                        }
                        if job.probes:
                            segment.update(probe_proofs(ledger, start_size + done, job.probes))
                            probing += time.perf_counter() - now
                        segments.append(segment)
                        seg_start_t, seg_start_done = time.perf_counter(), done
            ledger.publisher.publish(force=True)
        wall = time.perf_counter() - started - probing
        out.update(
            final_size=ledger.size(),
            wall_s=round(wall, 2),
            entries_per_s=round(need / wall, 1) if need else None,
            append_entries_per_s=round(need / in_append, 1) if need else None,
            segments=segments,
            batch=job.batch,
            signer_processes=job.signers,
            statements="registry.key.registered of random 32-byte public keys",
        )
    finally:
        ledger.close()
    out["builder_peak_rss_mib"] = mib(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
    out["signer_peak_rss_mib"] = mib(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
    return out


class BuildProgress:
    """A rich progress bar on a terminal; otherwise a log line every 5 %."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.done = 0
        self.started = time.perf_counter()
        self.next_line = 0
        self.live = sys.stderr.isatty()
        self.progress = Progress(
            TextColumn("building log"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[rate]} entries/s"),
            TimeElapsedColumn(),
            TimeRemainingColumn(),
            console=console,
        )
        self.task = self.progress.add_task("build", total=total, rate="-")

    def __enter__(self) -> BuildProgress:
        if self.live:
            self.progress.start()
        return self

    def __exit__(self, *_: object) -> None:
        if self.live:
            self.progress.stop()

    def advance(self, count: int) -> None:
        self.done += count
        rate = self.done / max(1e-9, time.perf_counter() - self.started)
        if self.live:
            self.progress.update(self.task, advance=count, rate=f"{rate:,.0f}")
        elif self.done >= self.next_line or self.done == self.total:
            print(
                f"  building log: {self.done:,}/{self.total:,} "
                f"({100 * self.done / self.total:.0f}%), {rate:,.0f} entries/s",
                file=sys.stderr,
                flush=True,
            )
            self.next_line = self.done + max(1, self.total // 20)


def phase_build(job: BuildJob, db_pid: int | None, quiet_wait: float) -> dict[str, Any]:
    quiet = wait_quiet(quiet_wait)
    ctx = multiprocessing.get_context("spawn")
    receiver, sender = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=build_log, args=(job, sender), name="bench-builder")
    proc.start()
    sender.close()
    try:
        assert proc.pid is not None
        cpu = CpuMeter({"builder": proc.pid, "postgresql": db_pid})
        with cpu, py_spy(proc.pid, Path(job.profile_out) if job.profile_out else None):
            message: tuple[str, Any] | None = None
            while message is None:
                if receiver.poll(1.0):
                    message = receiver.recv()
                elif not proc.is_alive():
                    raise BenchError(f"the builder process died (exit code {proc.exitcode})")
        proc.join(timeout=60)
    finally:
        if proc.is_alive():
            descendants = process_tree(proc.pid)[1:] if proc.pid else []  # signer workers
            proc.terminate()
            proc.join(timeout=30)
            if proc.is_alive():
                proc.kill()
                proc.join()
            for pid in descendants:
                with contextlib.suppress(OSError):
                    os.kill(pid, signal.SIGKILL)
        receiver.close()
    status, payload = message
    if status != "ok":
        raise BenchError(f"building the log failed:\n{payload}")
    result: dict[str, Any] = payload
    result["cpu"] = cpu.result | quiet
    if result.get("entries_per_s"):
        console.print(
            f"  built {result['built_entries']:,} entries in {result['wall_s']:.1f}s = "
            f"{result['entries_per_s']:,.0f} entries/s (inside append_direct: "
            f"{result['append_entries_per_s']:,.0f}/s)"
        )
    return result


# ------------------------------------------------------------------------------ proofs


def root_at(engine: Engine, size: int) -> bytes:
    with engine.connect() as conn:
        return merkle.root_hash(size, storage.fetch_nodes(conn, merkle.nodes_for_root(size)))


def proofs_in_process(
    url: str, size: int, seqs: Sequence[int], firsts: Sequence[int]
) -> dict[str, Any]:
    engine = storage.make_engine(url)
    try:

        def timed(
            call: Callable[[Connection, int], object], count_warmup: int, args: Sequence[int]
        ) -> list[float]:
            out: list[float] = []
            for i, arg in enumerate(args):
                t0 = time.perf_counter()
                with engine.connect() as conn:
                    call(conn, arg)
                if i >= count_warmup:
                    out.append(time.perf_counter() - t0)
            return out

        inclusion = timed(lambda c, s: proofs.inclusion(c, s, size), WARMUP_REQUESTS, seqs)
        consistency = timed(lambda c, f: proofs.consistency(c, f, size), WARMUP_REQUESTS, firsts)
    finally:
        engine.dispose()
    return {"inclusion": latency_summary(inclusion), "consistency": latency_summary(consistency)}


def proofs_http(
    base_url: str, url: str, size: int, seqs: Sequence[int], firsts: Sequence[int]
) -> dict[str, Any]:
    inclusion: list[float] = []
    consistency: list[float] = []
    samples_inc: list[dict[str, Any]] = []
    samples_con: list[dict[str, Any]] = []
    with httpx.Client(base_url=base_url, timeout=60) as client:
        for i, seq in enumerate(seqs):
            t0 = time.perf_counter()
            response = client.get(
                "/api/v1/proofs/inclusion", params={"seq": seq, "tree_size": size}
            )
            elapsed = time.perf_counter() - t0
            if response.status_code != 200:
                raise BenchError(
                    f"inclusion proof seq={seq}: HTTP {response.status_code} {response.text}"
                )
            if i >= WARMUP_REQUESTS:
                inclusion.append(elapsed)
            if len(samples_inc) < VERIFY_SAMPLES:
                samples_inc.append(response.json())
        for i, first in enumerate(firsts):
            t0 = time.perf_counter()
            response = client.get(
                "/api/v1/proofs/consistency", params={"first": first, "second": size}
            )
            elapsed = time.perf_counter() - t0
            if response.status_code != 200:
                raise BenchError(f"consistency proof first={first}: HTTP {response.status_code}")
            if i >= WARMUP_REQUESTS:
                consistency.append(elapsed)
            if len(samples_con) < VERIFY_SAMPLES:
                samples_con.append(response.json())
    engine = storage.make_engine(url)
    try:  # the proofs served are real: check a sample against the tree's roots
        root = root_at(engine, size)
        for doc in samples_inc:
            merkle.verify_inclusion(
                bytes.fromhex(doc["leaf_hash"]),
                doc["seq"],
                size,
                [bytes.fromhex(h) for h in doc["proof"]],
                root,
            )
        for doc in samples_con:
            merkle.verify_consistency(
                doc["first"],
                size,
                [bytes.fromhex(h) for h in doc["proof"]],
                root_at(engine, doc["first"]),
                root,
            )
    finally:
        engine.dispose()
    return {
        "inclusion": latency_summary(inclusion),
        "consistency": latency_summary(consistency),
        "verified_samples": len(samples_inc) + len(samples_con),
    }


# --------------------------------------------------------------------------- per engine


def run_engine(db: Database, work: Path, args: argparse.Namespace) -> dict[str, Any]:
    started = time.perf_counter()
    result: dict[str, Any] = {
        "database": db.facts,
        "load_average_at_start": load_average(),
    }
    keys = work / "keys"
    # The root authority key is an offline key: never in the service's key directory.
    log_key, authority_key = keys / "log.key", work / "offline-keys" / "authority.key"
    console.rule(f"[bold]{db.engine_name}")
    init = subprocess.run(
        [
            terang_executable(),
            "init",
            "--origin",
            ORIGIN,
            "--authority-key-out",
            str(authority_key),
        ],
        env=service_env(db.url, log_key),
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    if init.returncode != 0:
        raise BenchError(f"terang init failed:\n{init.stdout}\n{init.stderr}")
    authority = load_client_key(authority_key)
    profile = Path(args.profile_dir) if args.profile_dir else None
    if profile is not None:
        profile.mkdir(parents=True, exist_ok=True)

    def profile_file(name: str) -> Path | None:
        return None if profile is None else profile / f"{db.engine_name}-{name}.txt"

    with running(Server(db.url, log_key, work / "serve-write.log")) as server:
        signer = register_bench_signer(server.url, authority)
        console.print("[bold]1. batch API")
        assert server.proc is not None
        with py_spy(server.proc.pid, profile_file("server-batch")):
            pids = {"server": server.proc.pid, "postgresql": db.server_pid}
            result["batch_api"] = phase_batch(server.url, pids, signer, args)
        console.print("[bold]2. single requests")
        with py_spy(server.proc.pid, profile_file("server-single")):
            result["single_requests"] = phase_single(server.url, pids, signer, args)
    server_write_peak = server.peak_rss_kib

    target_size = args.proof_log_size[db.engine_name]
    console.print(f"[bold]3. proofs at {target_size:,} entries")
    build = phase_build(
        BuildJob(
            database_url=db.url,
            log_key_file=str(log_key),
            signer_seed=bytes(signer),
            target_size=target_size,
            batch=args.build_batch,
            signers=args.signers,
            probes=args.scaling_probes,
            profile_out=str(profile_file("builder")) if profile else None,
        ),
        db.server_pid,
        args.quiet_wait,
    )
    result["proof_log_build"] = build
    size = int(build["final_size"])
    rng = random.Random(args.seed)
    total = args.proof_requests + WARMUP_REQUESTS
    seqs = [rng.randrange(size) for _ in range(total)]
    firsts = [rng.randrange(1, size) for _ in range(total)]
    quiet = wait_quiet(args.quiet_wait)
    with CpuMeter({"postgresql": db.server_pid}) as cpu:
        in_process = proofs_in_process(db.url, size, seqs, firsts)
    in_process["cpu"] = cpu.result | quiet
    console.print(
        f"  in-process: inclusion p50/p99 {in_process['inclusion']['p50_ms']}/"
        f"{in_process['inclusion']['p99_ms']} ms, consistency p50/p99 "
        f"{in_process['consistency']['p50_ms']}/{in_process['consistency']['p99_ms']} ms"
    )
    rng.shuffle(seqs)
    rng.shuffle(firsts)
    with running(Server(db.url, log_key, work / "serve-proofs.log")) as server:
        assert server.proc is not None
        quiet = wait_quiet(args.quiet_wait)
        with CpuMeter({"server": server.proc.pid, "postgresql": db.server_pid}) as cpu:
            over_http = proofs_http(server.url, db.url, size, seqs, firsts)
        over_http["cpu"] = cpu.result | quiet
    console.print(
        f"  HTTP: inclusion p50/p99 {over_http['inclusion']['p50_ms']}/"
        f"{over_http['inclusion']['p99_ms']} ms, consistency p50/p99 "
        f"{over_http['consistency']['p50_ms']}/{over_http['consistency']['p99_ms']} ms"
    )
    result["proofs"] = {
        "tree_size": size,
        "requests_each": args.proof_requests,
        "warmup_requests_each": WARMUP_REQUESTS,
        "in_process": in_process,
        "http": over_http,
    }
    result["memory"] = {
        "server_write_phase_peak_rss_mib": mib(server_write_peak),
        "server_proof_phase_peak_rss_mib": mib(server.peak_rss_kib),
        "builder_peak_rss_mib": build.get("builder_peak_rss_mib"),
        "signer_peak_rss_mib": build.get("signer_peak_rss_mib"),
    }
    result["verdict"] = verdict(db.engine_name, result)
    result["duration_s"] = round(time.perf_counter() - started, 1)
    return result


def verdict(engine_name: str, result: dict[str, Any]) -> dict[str, Any]:
    batch = result["batch_api"]["entries_per_s"]
    single = result["single_requests"]["entries_per_s"]
    p99s = [
        result["proofs"][where][kind]["p99_ms"]
        for where in ("in_process", "http")
        for kind in ("inclusion", "consistency")
    ]
    at_size = result["proofs"]["tree_size"] >= TARGETS["proof_log_size"]
    return {
        "batch_api_ok": batch >= TARGETS["batch_api_entries_per_s_min"],
        "batch_api_target_applies": engine_name == TARGETS["batch_api_engine"],
        "single_requests_ok": single >= TARGETS["single_requests_entries_per_s_min"],
        "proofs_p99_ok": max(p99s) < TARGETS["proof_p99_ms_max"],
        "proofs_at_target_size": at_size,
    }


# ------------------------------------------------------------------------------ report


def fmt(value: Any, digits: int = 0) -> str:
    if value is None:
        return "-"
    if isinstance(value, float | int):
        return f"{value:,.{digits}f}"
    return str(value)


def print_table(results: dict[str, Any]) -> None:
    engines = results["engines"]
    names = list(engines)
    table = Table(title="Terang ledger bench", show_lines=False)
    table.add_column("figure")
    table.add_column("target")
    for name in names:
        table.add_column(name, justify="right")

    def get(data: dict[str, Any], path: str) -> Any:
        for part in path.split("."):
            if not isinstance(data, dict) or part not in data:
                return None
            data = data[part]
        return data

    def row(label: str, target: str, *paths: str, digits: int = 0, sep: str = " / ") -> None:
        cells = []
        for name in names:
            data = engines[name]
            if "error" in data:
                cells.append("[red]failed")
                continue
            cells.append(sep.join(fmt(get(data, p), digits) for p in paths))
        table.add_row(label, target, *cells)

    row("engine version", "", "database.version")
    row("batch API, signed entries/s", ">= 3,000 (PG)", "batch_api.entries_per_s")
    row(
        "  batch request p50 / p99 ms",
        "",
        "batch_api.batch_latency_ms.p50_ms",
        "batch_api.batch_latency_ms.p99_ms",
        digits=1,
    )
    row("single requests, entries/s", ">= 500", "single_requests.entries_per_s")
    row(
        "  request p50 / p99 ms",
        "",
        "single_requests.latency_ms.p50_ms",
        "single_requests.latency_ms.p99_ms",
        digits=1,
    )
    row("  HTTP errors (batch / single)", "0", "batch_api.errors", "single_requests.errors")
    for phase in ("batch_api", "single_requests"):
        row(
            f"  {phase.split('_')[0]} CPU s: server / PG / bench / foreign",
            "",
            f"{phase}.cpu.server_cpu_s",
            f"{phase}.cpu.postgresql_cpu_s",
            f"{phase}.cpu.bench_cpu_s",
            f"{phase}.cpu.foreign_cpu_s",
            digits=1,
        )
        row(f"  {phase.split('_')[0]} machine busy %", "", f"{phase}.cpu.machine_busy_pct")
    row("proof log size", "1,000,000", "proofs.tree_size")
    row(
        "log build, entries/s (wall / append)",
        "",
        "proof_log_build.entries_per_s",
        "proof_log_build.append_entries_per_s",
    )
    row("log build wall s", "", "proof_log_build.wall_s")
    for where in ("in_process", "http"):
        for kind in ("inclusion", "consistency"):
            row(
                f"{kind} proof {where.replace('_', '-')} p50 / p99 ms",
                "p99 < 5",
                f"proofs.{where}.{kind}.p50_ms",
                f"proofs.{where}.{kind}.p99_ms",
                digits=2,
            )
    row(
        "server peak RSS MiB (write / proofs)",
        "",
        "memory.server_write_phase_peak_rss_mib",
        "memory.server_proof_phase_peak_rss_mib",
    )
    row(
        "builder / signer peak RSS MiB",
        "",
        "memory.builder_peak_rss_mib",
        "memory.signer_peak_rss_mib",
    )
    row("engine run, s", "", "duration_s")
    out = Console(highlight=False, width=None if sys.stdout.isatty() else 140)
    out.print(table)
    m = results["machine"]
    out.print(
        f"{m['nproc']} CPUs ({m['cpu_model']}), Python {m['python']}, "
        f"commit {m['git_commit'][:12]}, {m['date']}; results: {results['out']}"
    )


def write_results(results: dict[str, Any], out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(out.suffix + ".tmp")
    tmp.write_text(json.dumps(results, indent=2) + "\n")
    tmp.replace(out)


# -------------------------------------------------------------------------------- main


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python bench/ledger_bench.py",
        description=HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--engines",
        default="sqlite,postgresql",
        help="comma-separated: sqlite, postgresql (default: both)",
    )
    parser.add_argument(
        "--entries",
        type=int,
        default=20_000,
        help="N: signed statements for figure 1, and N more for figure 2 "
        "(default 20,000; a multiple of --batch-size)",
    )
    parser.add_argument(
        "--batch-size",
        type=int,
        default=1000,
        help="statements per batch POST (default 1000, the API's maximum)",
    )
    parser.add_argument(
        "--batch-clients", type=int, default=2, help="client threads for the batch API (default 2)"
    )
    parser.add_argument(
        "--single-clients",
        type=int,
        default=16,
        help="client threads for single requests (default 16)",
    )
    parser.add_argument(
        "--proof-log-size",
        default="1000000",
        help="grow the log to this many entries before measuring proofs: one number for "
        "every engine, or per engine as sqlite=200000,postgresql=1000000 "
        "(default 1000000; e.g. 20000 for a quick run)",
    )
    parser.add_argument(
        "--proof-requests",
        type=int,
        default=2000,
        help="measured proofs of each kind, in-process and over HTTP (default 2000)",
    )
    parser.add_argument(
        "--build-batch",
        type=int,
        default=2000,
        help="statements per append_direct call while building (default 2000)",
    )
    parser.add_argument(
        "--signers", type=int, default=1, help="signer processes feeding the builder (default 1)"
    )
    parser.add_argument(
        "--scaling-probes",
        type=int,
        default=200,
        help="at every tenth of the build, time this many in-process inclusion and "
        "consistency proofs at the size reached (how proofs scale; 0: off; default 200)",
    )
    parser.add_argument(
        "--quiet-wait",
        type=float,
        default=120.0,
        help="before each measured phase, wait up to this many seconds for the machine "
        "to be <= 25%% busy (other programs distort the figures; default 120; 0: off)",
    )
    parser.add_argument(
        "--pg-url",
        default=os.environ.get("TEST_DATABASE_URL"),
        help="PostgreSQL server URL to create a fresh database on (default: "
        "$TEST_DATABASE_URL, else a throwaway cluster started here)",
    )
    parser.add_argument("--seed", type=int, default=1, help="seed of the random proof positions")
    parser.add_argument(
        "--profile-dir",
        help="if set and py-spy is installed, sample the service and the builder "
        "with py-spy into this directory (collapsed stacks; this "
        "slows the figures down a little)",
    )
    parser.add_argument(
        "--update",
        action="store_true",
        help="keep the figures of engines not run now from the existing --out file "
        "(each engine's figures carry the date and commit of their own run)",
    )
    parser.add_argument(
        "--out",
        default=str(REPO / "bench" / "results" / "ledger.json"),
        help="results JSON (default bench/results/ledger.json)",
    )
    args = parser.parse_args(argv)
    engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    unknown = set(engines) - {"sqlite", "postgresql"}
    if unknown or not engines:
        parser.error(f"unknown engine(s): {', '.join(sorted(unknown)) or '(none)'}")
    args.engines = engines
    if args.entries <= 0 or args.entries % args.batch_size:
        parser.error("--entries must be a positive multiple of --batch-size")
    try:
        args.proof_log_size = parse_sizes(args.proof_log_size, engines)
    except ValueError as exc:
        parser.error(f"--proof-log-size: {exc}")
    return args


def parse_sizes(text: str, engines: Sequence[str]) -> dict[str, int]:
    """``N`` or ``engine=N,...`` (engines not named get the largest size given)."""
    text = text.replace("_", "")
    if "=" not in text:
        sizes = dict.fromkeys(engines, int(text))
    else:
        named = {k.strip(): int(v) for k, v in (part.split("=", 1) for part in text.split(","))}
        if set(named) - {"sqlite", "postgresql"}:
            raise ValueError(f"unknown engine in {text!r}")
        sizes = {e: named.get(e, max(named.values())) for e in engines}
    if any(size < 2 for size in sizes.values()):
        raise ValueError("sizes must be at least 2")
    return sizes


def run_facts(machine: dict[str, Any]) -> dict[str, Any]:
    """What identifies one engine's run (kept with its figures when runs are merged)."""
    keys = ("date", "git_commit", "git_ledger_code_dirty", "load_average_at_start")
    return {k: machine.get(k) for k in keys}


def _raise_on_sigterm(signum: int, _frame: FrameType | None) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, _raise_on_sigterm)
    out = Path(args.out)
    results: dict[str, Any] = {
        "schema": SCHEMA,
        "machine": machine_facts(),
        "config": {k: v for k, v in vars(args).items() if k not in {"pg_url", "out"}},
        "targets": TARGETS,
        "engines": {},
        "out": str(out),
    }
    results["config"]["pg_server"] = "given" if args.pg_url else "throwaway cluster"
    if args.update and out.exists():
        earlier = json.loads(out.read_text())
        for name, figures in earlier.get("engines", {}).items():
            if name not in args.engines:
                figures.setdefault("run", run_facts(earlier.get("machine", {})))
                results["engines"][name] = figures
                console.print(f"keeping the {name} figures of the earlier run in {out}")
    started = time.perf_counter()
    failed = False
    pg = PostgresServer(args.pg_url)
    try:
        for engine_name in args.engines:
            work = Path(tempfile.mkdtemp(prefix=f"terang-bench-{engine_name}-"))
            try:
                if engine_name == "sqlite":
                    database = sqlite_database(work)
                else:
                    server_url, source = pg.url()
                    database = postgres_database(server_url, source, pg.pid())
                with database as db:
                    facts = run_facts(machine_facts())
                    figures = run_engine(db, work, args)
                    # Others may commit while a long run goes on: processes started later
                    # (the builder, the second service) import the newer code.
                    facts["git_commit_at_end"] = git("rev-parse", "HEAD")
                    results["engines"][engine_name] = {"run": facts} | figures
            except Exception as exc:
                failed = True
                console.print(f"[red]{engine_name} failed:[/red] {exc}")
                console.print(traceback.format_exc())
                results["engines"][engine_name] = {"error": f"{type(exc).__name__}: {exc}"}
            finally:
                shutil.rmtree(work, ignore_errors=True)
            results["total_duration_s"] = round(time.perf_counter() - started, 1)
            write_results(results, out)
    except KeyboardInterrupt:
        console.print("[red]interrupted: stopping everything this bench started")
        return 130
    finally:
        pg.stop()
    print_table(results)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
