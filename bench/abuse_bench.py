"""Abuse bench: what one anonymous client can cost the service (issue 10, item 8).

Runs `terang init`, `terang demo` and `terang serve` in a scratch directory, as a user
does, then measures three attacks, each from its own loopback address (127.0.0.x) so
per-client limits can tell the abuser from the honest clients:

  body      one POST /api/v1/statements with a chunked body of --body-mib MiB: the
            service's resident set (VmRSS before, VmHWM after), how many bytes it read
            before it answered, its status and how long it took.
  writes    an honest writer (the demo's authority key, one registry.key.registered a
            request, at most one every --honest-interval-s) alone, then while
            --abusers clients send rejected 1,000-statement batches without pause
            (999 vendor self-registrations and a duplicate NPWP; or 1,000 statements
            of an unregistered signer): the honest p50/p99.
  reads     GET /log/checkpoint alone, then while --bulk-readers clients read the bulk
            OCDS record package (limit 500) without pause: its p50/p99.

Results go to --out under "runs"/<--label> (``before``: the branch's starting commit,
``after``: with the limits), keeping the other labels already in the file; each run
carries the git commit and the load average at its start and end (the machine is shared,
so read the figures with the load beside them).

    python bench/abuse_bench.py --label before
    python bench/abuse_bench.py --label after --engines sqlite,postgresql --pg-url URL
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import json
import os
import select
import signal
import socket
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from bench_common import (
    HOST,
    REPO,
    BenchError,
    Service,
    free_port,
    fresh_database,
    git,
    latency_summary,
    load_average,
    mib,
    proc_status_kib,
    running,
)
from nacl.signing import SigningKey
from sqlalchemy import create_engine, text

SCHEMA = "terang-abuse-bench/1"
HONEST_ADDRESS = "127.0.0.1"
BODY_ABUSER_ADDRESS = "127.0.0.77"
WRITE_ABUSER_ADDRESS = "127.0.0.66"
READ_ABUSER_ADDRESS = "127.0.0.88"
BATCH_STATEMENTS = 1000
BULK_PATH = "/api/v1/procurement/ocds/records?year={year}&limit=500"
CHUNK_BYTES = 64 * 1024
READY_TIMEOUT_S = 120.0
STOP_TIMEOUT_S = 30.0


def terang(directory: Path, db: str, *args: str) -> str:
    import subprocess

    env = {k: v for k, v in os.environ.items() if not k.startswith("TERANG_")}
    env["TERANG_DATABASE_URL"] = db
    done = subprocess.run(
        [sys.executable, "-m", "terang.cli", *args],
        cwd=directory,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=900,
    )
    if done.returncode != 0:
        raise BenchError(f"terang {' '.join(args)} failed:\n{done.stderr[-3000:]}")
    return done.stdout


class Server(Service):
    """`terang serve` in the data set's directory."""

    def __init__(self, directory: Path, db: str, env_extra: dict[str, str]) -> None:
        super().__init__(
            directory / "serve.log", ready_timeout_s=READY_TIMEOUT_S, stop_timeout_s=STOP_TIMEOUT_S
        )
        self.directory = directory
        self.db = db
        self.env_extra = env_extra

    def start(self) -> None:
        self.port = free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith("TERANG_")}
        env.update(self.env_extra)
        env["TERANG_DATABASE_URL"] = self.db
        env["PYTHONUNBUFFERED"] = "1"
        command = [sys.executable, "-m", "terang.cli", "serve", "--host", HOST]
        self.launch([*command, "--port", str(self.port)], env, cwd=self.directory)

    def rss_now_kib(self) -> int | None:
        return None if self.proc is None else proc_status_kib(self.proc.pid, "VmRSS")


def client(base_url: str, address: str, timeout_s: float = 120.0) -> httpx.Client:
    transport = httpx.HTTPTransport(local_address=address)
    return httpx.Client(base_url=base_url, transport=transport, timeout=timeout_s)


def b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def key_id(key: SigningKey) -> str:
    from ledger.keys import client_key_id

    return client_key_id(key)


ORIGIN: list[str] = []
"""The log's origin (the checkpoint's first line), which signatures cover; set once the
service is up."""


def signed_json(
    key: SigningKey, statement_type: str, subject: str, body: dict[str, Any]
) -> dict[str, Any]:
    import inspect

    from ledger.signing import make_signed

    at = datetime.now(UTC)
    if "origin" in inspect.signature(make_signed).parameters:  # v2 statements name the log
        signed = make_signed(key, statement_type, subject, body, at=at, origin=ORIGIN[0])
    else:  # the "before" commit signs without it
        signed = make_signed(key, statement_type, subject, body, at=at)
    return signed.to_json()


def honest_write(authority: SigningKey) -> dict[str, Any]:
    new = SigningKey.generate()
    body = {"public_key": b64(bytes(new.verify_key)), "name": "bench honest key"}
    return signed_json(authority, "registry.key.registered", key_id(new), body)


def npwp(n: int) -> str:
    return f"{900_000_000_000_000 + n:015d}"


def self_registration_batch(seed: int) -> dict[str, Any]:
    """999 valid vendor self-registrations, then one reusing the first's NPWP: the
    whole batch is refused at its last statement."""
    statements = []
    for i in range(BATCH_STATEMENTS):
        key = SigningKey.generate()
        body = {
            "public_key": b64(bytes(key.verify_key)),
            "name": f"Abuser {seed}-{i}",
            "npwp": npwp(seed * BATCH_STATEMENTS + (i if i < BATCH_STATEMENTS - 1 else 0)),
            "address": "Jl. Bench",
            "qualification": "kecil",
        }
        statements.append(signed_json(key, "procurement.vendor.registered", key_id(key), body))
    return {"statements": statements}


def unknown_signer_batch() -> dict[str, Any]:
    """1,000 well-signed statements of a key the log never registered."""
    stranger = SigningKey.generate()
    statements = []
    for _ in range(BATCH_STATEMENTS):
        new = SigningKey.generate()
        body = {"public_key": b64(bytes(new.verify_key)), "name": "abuser key"}
        statements.append(signed_json(stranger, "registry.key.registered", key_id(new), body))
    return {"statements": statements}


@contextlib.contextmanager
def hammering(
    threads: int, work: Callable[[int, threading.Event], None]
) -> Iterator[threading.Event]:
    stop = threading.Event()
    workers = [threading.Thread(target=work, args=(i, stop), daemon=True) for i in range(threads)]
    for worker in workers:
        worker.start()
    try:
        yield stop
    finally:
        stop.set()
        for worker in workers:
            worker.join(timeout=300)


def timed_loop(
    duration_s: float, count_min: int, call: Callable[[], int], interval_s: float = 0.0
) -> dict[str, Any]:
    """Call ``call`` in a loop for ``duration_s`` (and at least ``count_min`` times),
    starting one call every ``interval_s`` at most (an honest client's pace)."""
    seconds: list[float] = []
    statuses: Counter[int] = Counter()
    deadline = time.monotonic() + duration_s
    while time.monotonic() < deadline or len(seconds) < count_min:
        started = time.perf_counter()
        statuses[call()] += 1
        took = time.perf_counter() - started
        seconds.append(took)
        if took < interval_s:
            time.sleep(interval_s - took)
    return {**latency_summary(seconds), "statuses": dict(statuses)}


# --------------------------------------------------------------------------- phases


def phase_body(server: Server, body_mib: int) -> dict[str, Any]:
    """A chunked body of ``body_mib`` MiB, sent as fast as the service reads it."""
    rss_before = server.rss_now_kib()
    total = body_mib * 1024 * 1024
    chunk = b"{" + b" " * (CHUNK_BYTES - 1)
    sock = socket.create_connection(
        (HOST, server.port), timeout=120, source_address=(BODY_ABUSER_ADDRESS, 0)
    )
    started = time.perf_counter()
    sent = 0
    answered_early = False
    head = (
        "POST /api/v1/statements HTTP/1.1\r\n"
        f"Host: {HOST}:{server.port}\r\n"
        "Content-Type: application/json\r\n"
        "Transfer-Encoding: chunked\r\n\r\n"
    )
    response = b""
    try:
        sock.sendall(head.encode())
        frame = f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n"
        while sent < total:
            readable, _, _ = select.select([sock], [], [], 0)
            if readable:
                answered_early = True
                break
            sock.sendall(frame)
            sent += len(chunk)
        else:
            sock.sendall(b"0\r\n\r\n")
    except OSError:
        answered_early = True  # the service closed the connection on us
    with contextlib.suppress(OSError):
        sock.settimeout(120)
        while b"\r\n\r\n" not in response:
            more = sock.recv(65536)
            if not more:
                break
            response += more
    elapsed = time.perf_counter() - started
    sock.close()
    status_line = response.split(b"\r\n", 1)[0].decode("latin-1")
    time.sleep(0.5)
    return {
        "body_mib": body_mib,
        "status_line": status_line,
        "answered_before_body_end": answered_early,
        "bytes_sent_mib": round(sent / 1024 / 1024, 1),
        "seconds": round(elapsed, 3),
        "rss_before_mib": mib(rss_before),
        "rss_peak_mib": mib(server.rss_peak_kib()),
        "rss_after_mib": mib(server.rss_now_kib()),
    }


def phase_writes(
    server: Server, directory: Path, abusers: int, duration_s: float, interval_s: float
) -> dict[str, Any]:
    from ledger.keys import load_client_key

    authority = load_client_key(directory / "offline-keys" / "authority.key")
    batches = [
        self_registration_batch(i) if i % 2 == 0 else unknown_signer_batch() for i in range(abusers)
    ]
    honest = client(server.url, HONEST_ADDRESS)

    def write() -> int:
        return honest.post("/api/v1/statements", json=honest_write(authority)).status_code

    for _ in range(3):
        write()  # warm up
    quiet = timed_loop(duration_s, 10, write, interval_s)
    abuser_seconds: list[float] = []
    abuser_statuses: Counter[int] = Counter()
    lock = threading.Lock()

    def abuse(index: int, stop: threading.Event) -> None:
        payload = json.dumps(batches[index]).encode()
        with client(server.url, WRITE_ABUSER_ADDRESS) as mine:
            while not stop.is_set():
                started = time.perf_counter()
                status = mine.post(
                    "/api/v1/statements/batch",
                    content=payload,
                    headers={"Content-Type": "application/json"},
                ).status_code
                with lock:
                    abuser_seconds.append(time.perf_counter() - started)
                    abuser_statuses[status] += 1

    with hammering(abusers, abuse):
        time.sleep(1.0)  # let the abusers get going
        attacked = timed_loop(duration_s, 10, write, interval_s)
    honest.close()
    return {
        "abusers": abusers,
        "honest_interval_s": interval_s,
        "abuser_batches": {
            "kinds": "alternating: 999 self-registrations + duplicate NPWP; unknown signer",
            **latency_summary(abuser_seconds),
            "statuses": dict(abuser_statuses),
        },
        "honest_write_quiet": quiet,
        "honest_write_under_abuse": attacked,
    }


def phase_reads(server: Server, readers: int, duration_s: float, year: int) -> dict[str, Any]:
    honest = client(server.url, HONEST_ADDRESS)

    def checkpoint() -> int:
        return honest.get("/log/checkpoint").status_code

    quiet = timed_loop(duration_s, 20, checkpoint)
    bulk_seconds: list[float] = []
    bulk_statuses: Counter[int] = Counter()
    lock = threading.Lock()

    def bulk(_: int, stop: threading.Event) -> None:
        with client(server.url, READ_ABUSER_ADDRESS) as mine:
            while not stop.is_set():
                started = time.perf_counter()
                status = mine.get(BULK_PATH.format(year=year)).status_code
                with lock:
                    bulk_seconds.append(time.perf_counter() - started)
                    bulk_statuses[status] += 1

    with hammering(readers, bulk):
        time.sleep(1.0)
        attacked = timed_loop(duration_s, 20, checkpoint)
    honest.close()
    return {
        "bulk_readers": readers,
        "bulk_path": BULK_PATH.format(year=year),
        "bulk_reads": {**latency_summary(bulk_seconds), "statuses": dict(bulk_statuses)},
        "checkpoint_quiet": quiet,
        "checkpoint_under_bulk_reads": attacked,
    }


# --------------------------------------------------------------------------- driver


def database(
    engine: str, workdir: Path, postgres_url: str | None
) -> contextlib.AbstractContextManager[str]:
    return fresh_database(engine, workdir / "terang.db", "abusebench", postgres_url)


def demo_year(db: str) -> int:
    """The fiscal year with the most demo tenders (the heaviest bulk read)."""
    engine = create_engine(db)
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                text("SELECT value FROM projection_rows WHERE namespace = 'procurement.tender'")
            ).all()
    finally:
        engine.dispose()
    years = Counter(json.loads(r[0])["year"] for r in rows)
    if not years:
        raise BenchError("the demo has no tenders")
    return int(years.most_common(1)[0][0])


def run_engine(engine: str, args: argparse.Namespace) -> dict[str, Any]:
    out: dict[str, Any] = {
        "engine": "sqlite (file, WAL)" if engine == "sqlite" else "postgresql",
        "git_commit_at_start": git("rev-parse", "HEAD"),
        "load_average_at_start": load_average(),
    }
    with tempfile.TemporaryDirectory(prefix="terang-abuse-bench-") as tmp:
        workdir = Path(tmp)
        with database(engine, workdir, args.pg_url) as db:
            terang(workdir, db, "init")
            terang(workdir, db, "demo")
            year = demo_year(db)
            env_extra = dict(item.split("=", 1) for item in args.env)
            with running(Server(workdir, db, env_extra)) as server:
                checkpoint = httpx.get(server.url + "/log/checkpoint", timeout=30)
                ORIGIN[:] = [checkpoint.text.split("\n", 1)[0]]
                print(f"[{engine}] body", file=sys.stderr)
                out["body"] = phase_body(server, args.body_mib)
                print(f"[{engine}] writes", file=sys.stderr)
                out["writes"] = phase_writes(
                    server, workdir, args.abusers, args.duration_s, args.honest_interval_s
                )
                print(f"[{engine}] reads", file=sys.stderr)
                out["reads"] = phase_reads(server, args.bulk_readers, args.duration_s, year)
            out["server_peak_rss_mib"] = mib(server.peak_rss_kib)
    out["git_commit_at_end"] = git("rev-parse", "HEAD")
    out["load_average_at_end"] = load_average()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--engines", default="sqlite", help="sqlite,postgresql")
    parser.add_argument(
        "--pg-url",
        default=os.environ.get("TERANG_BENCH_POSTGRES_URL"),
        help="a PostgreSQL server URL on which the bench may create (and drop) a database",
    )
    parser.add_argument("--label", default="after", help="before | after (key under runs)")
    parser.add_argument("--body-mib", type=int, default=256)
    parser.add_argument("--abusers", type=int, default=8, help="clients sending bad batches")
    parser.add_argument("--bulk-readers", type=int, default=48)
    parser.add_argument(
        "--honest-interval-s",
        type=float,
        default=0.25,
        help="the honest writer starts a write at most this often (a person's pace, not a flood)",
    )
    parser.add_argument("--duration-s", type=float, default=20.0, help="per measured loop")
    parser.add_argument(
        "--env", action="append", default=[], help="NAME=VALUE for the service (repeatable)"
    )
    parser.add_argument("--quick", action="store_true", help="tiny sizes (smoke test)")
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "results" / "abuse.json")
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(128 + signal.SIGTERM))
    if args.quick:
        args.body_mib, args.abusers, args.bulk_readers, args.duration_s = 16, 2, 4, 1.0
    previous: dict[str, Any] = {}
    if args.out.exists():
        previous = json.loads(args.out.read_text())
    run: dict[str, Any] = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "git_commit": git("rev-parse", "HEAD"),
        "git_worktree_dirty_paths": [
            line[3:] for line in git("status", "--porcelain").splitlines()
        ],
        "cpus": os.cpu_count(),
        "load_average_at_start": load_average(),
        "sizes": {
            "body_mib": args.body_mib,
            "abusers": args.abusers,
            "bulk_readers": args.bulk_readers,
            "duration_s": args.duration_s,
        },
        "service_env": args.env,
        "engines": {},
    }
    for engine in [e.strip() for e in args.engines.split(",") if e.strip()]:
        run["engines"][engine] = run_engine(engine, args)
    run["load_average_at_end"] = load_average()
    results = {**previous, "schema": SCHEMA, "runs": dict(previous.get("runs", {}))}
    results["runs"][args.label] = run
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n")
    print(f"wrote {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
