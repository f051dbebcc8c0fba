"""Benchmark ``terang rebuild-projections``: replay rate, write pause and memory by log size.

    python bench/bench_rebuild.py [--sizes 100000,1000000] [--keys 10000]
        [--engines sqlite,postgresql --pg-url URL] [--out bench/results/rebuild.json]

For each engine and size (ascending; the log is extended, not rebuilt): append signed
entries in-process through ``Ledger.append_direct`` (the real sequencer path): ``--keys``
key registrations, then role grants and revocations on them in turn, so the projections
hold about ``--keys`` documents however long the log grows. Then run
``terang rebuild-projections`` as a separate process, exactly as an operator would,
twice:

* ``healthy``: nothing to repair, while a writer in this process keeps appending
  10-statement batches (its latencies show the write pause a client sees);
* ``all_rows_forged``: every projection row overwritten first (the worst case: the
  swap rewrites every row under the write lock).

Recorded: wall time, entries/s, the rebuild's own CPU time and peak RSS (``wait4``
rusage of that process alone), ``write_pause_s`` (how long it held the write lock) and the writer's
latencies. The issue asks for the figure at 1,000,000 entries.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench_common import (
    RATE_LIMITS_OFF_ENV,
    BenchError,
    fresh_database,
    git,
    latency_summary,
    load_average,
)
from nacl.signing import SigningKey
from rich.console import Console
from sqlalchemy import text

from ledger.keys import client_key_id, load_client_key
from ledger.limits import Limits
from ledger.service import Ledger, Settings
from ledger.signing import make_signed
from ledger.statement import SignedStatement, b64encode
from terang.app import all_kinds

REPO = Path(__file__).resolve().parents[1]
TERANG = [sys.executable, "-m", "terang.cli"]
BATCH = 1000
WRITER_BATCH = 10
console = Console(stderr=True)


class Workload:
    """``keys`` key registrations, then role grants and revocations on them in turn.

    Counted on its own, not by the log's size: the writer's entries interleave."""

    def __init__(self, authority: SigningKey, keys: list[SigningKey], origin: str) -> None:
        self.authority = authority
        self.keys = keys
        self.origin = origin
        self.done = 0

    def next(self, count: int) -> list[SignedStatement]:
        out = []
        for n in range(self.done, self.done + count):
            if n < len(self.keys):
                key = self.keys[n]
                body: dict[str, Any] = {
                    "public_key": b64encode(bytes(key.verify_key)),
                    "name": "v",
                    "roles": [],
                }
                statement_type, subject = "registry.key.registered", client_key_id(key)
            else:
                cycle, index = divmod(n - len(self.keys), len(self.keys))
                subject = client_key_id(self.keys[index])
                statement_type = "registry.role.revoked" if cycle % 2 else "registry.role.granted"
                body = {"role": "auditor"}
            out.append(
                make_signed(
                    self.authority,
                    statement_type,
                    subject,
                    body,
                    at=datetime.now(UTC),
                    origin=self.origin,
                )
            )
        self.done += count
        return out


def grow(ledger: Ledger, workload: Workload, target: int, progress: bool) -> float:
    """Append the workload until the log holds ``target`` entries; return entries/s."""
    start_size, started = ledger.size(), time.monotonic()
    size, printed = start_size, started
    while size < target:
        ledger.append_direct(workload.next(min(BATCH, target - size)))
        size = ledger.size()
        if progress and time.monotonic() - printed > 10:
            printed = time.monotonic()
            console.print(f"building the log: {size:,}/{target:,} entries")
    ledger.publisher.publish(force=True)
    return (target - start_size) / max(time.monotonic() - started, 1e-9)


class Writer:
    """Appends 10-statement batches (new keys) until stopped; records each latency."""

    def __init__(self, ledger: Ledger, authority: SigningKey) -> None:
        self.ledger = ledger
        self.authority = authority
        self.latencies: list[float] = []
        self.errors: list[str] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="bench-writer")

    def _run(self) -> None:
        while not self._stop.is_set():
            batch = []
            for _ in range(WRITER_BATCH):
                key = SigningKey.generate()
                body = {"public_key": b64encode(bytes(key.verify_key)), "name": "w", "roles": []}
                batch.append(
                    make_signed(
                        self.authority,
                        "registry.key.registered",
                        client_key_id(key),
                        body,
                        at=datetime.now(UTC),
                        origin=self.ledger.origin,
                    )
                )
            started = time.monotonic()
            try:
                self.ledger.append_direct(batch)
            except Exception as exc:  # reported, not hidden: a lost write is a finding
                self.errors.append(f"{type(exc).__name__}: {exc}"[:300])
            self.latencies.append(time.monotonic() - started)
            time.sleep(0.05)

    def __enter__(self) -> Writer:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join(timeout=120)


def rebuild_once(workdir: Path, env: dict[str, str]) -> dict[str, Any]:
    """Run ``terang rebuild-projections`` as a process: its report, wall time and peak RSS."""
    started = time.monotonic()
    process = subprocess.Popen(
        [*TERANG, "rebuild-projections", "--no-progress"],
        cwd=workdir,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    # Drain both pipes while waiting (a full pipe would block the child); plain reads,
    # not communicate(), which would reap the child before wait4 gets its rusage.
    output: dict[str, bytes] = {}
    readers = [
        threading.Thread(target=lambda name=name, pipe=pipe: output.update({name: pipe.read()}))
        for name, pipe in (("out", process.stdout), ("err", process.stderr))
        if pipe is not None
    ]
    for reader in readers:
        reader.start()
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.monotonic() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    for reader in readers:
        reader.join()
    out, err = output.get("out", b""), output.get("err", b"")
    if process.returncode != 0:
        raise BenchError(f"rebuild-projections failed: {err.decode()[-2000:]}")
    report = json.loads(out)
    return {
        "tree_size": report["tree_size"],
        "seconds": round(elapsed, 2),
        "entries_per_s": round(report["tree_size"] / elapsed),
        "replay_s": report["replay_s"],
        "write_pause_s": report["write_pause_s"],
        "entries_replayed_locked": report["entries_replayed_locked"],
        "rows": report["rows_after"],
        "rows_changed": report["inserted"] + report["updated"] + report["deleted"],
        "peak_rss_mb": round(usage.ru_maxrss / 1024, 1),
        # CPU seconds of the rebuild process alone: on a shared, loaded machine the wall
        # time overstates the work.
        "cpu_s": round(usage.ru_utime + usage.ru_stime, 2),
        "entries_per_cpu_s": round(
            report["tree_size"] / max(usage.ru_utime + usage.ru_stime, 1e-6)
        ),
    }


def forge_every_row(ledger: Ledger) -> int:
    """Overwrite every projection row (not a ledger table: no trigger stops it)."""
    with ledger.engine.begin() as conn:
        return int(conn.execute(text("UPDATE projection_rows SET value = '{}'")).rowcount)


def run_engine(
    engine: str, sizes: list[int], keys_count: int, pg_url: str | None, progress: bool
) -> list[dict[str, Any]]:
    results: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="terang-rebuild-bench-") as tmp:
        workdir = Path(tmp)
        with fresh_database(engine, workdir / "bench.db", "rebuild_bench", pg_url) as url:
            env = {**os.environ, **RATE_LIMITS_OFF_ENV, "TERANG_DATABASE_URL": url}
            subprocess.run([*TERANG, "init"], cwd=workdir, env=env, check=True, capture_output=True)
            settings = Settings(
                database_url=url,
                log_key_file=workdir / "keys" / "log.key",
                limits=Limits(checkpoint_interval_ms_min=1000),
            )
            ledger = Ledger(settings, all_kinds())
            authority = load_client_key(workdir / "offline-keys" / "authority.key")
            keys = [SigningKey.generate() for _ in range(keys_count)]
            workload = Workload(authority, keys, ledger.origin)
            try:
                for size in sizes:
                    build_rate = grow(ledger, workload, size, progress)
                    with Writer(ledger, authority) as writer:
                        time.sleep(0.5)  # the writer is running before the rebuild starts
                        healthy = rebuild_once(workdir, env)
                    forged = forge_every_row(ledger)
                    worst = rebuild_once(workdir, env)
                    figure = {
                        "engine": engine,
                        "tree_size": healthy["tree_size"],
                        "build_entries_per_s": round(build_rate),
                        "healthy": {
                            **healthy,
                            "writer_latency": latency_summary(writer.latencies),
                            "writer_errors": writer.errors,
                        },
                        "all_rows_forged": {**worst, "rows_forged": forged},
                    }
                    if writer.errors or worst["rows_changed"] != forged:
                        raise BenchError(f"unexpected result: {figure}")
                    console.print(figure)
                    results.append(figure)
            finally:
                ledger.close()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default="100000", help="log sizes, ascending")
    parser.add_argument("--keys", type=int, default=10_000, help="documents in the projections")
    parser.add_argument("--engines", default="sqlite", help="sqlite,postgresql")
    parser.add_argument(
        "--pg-url",
        default=None,
        help="a PostgreSQL server URL (a database is created on it and dropped afterwards)",
    )
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "results" / "rebuild.json")
    parser.add_argument("--no-progress", action="store_true")
    args = parser.parse_args()
    sizes = sorted(int(s) for s in args.sizes.split(","))
    if sizes[0] <= args.keys:
        args.keys = max(1, sizes[0] // 2)  # a tiny run: half registrations, half grants
    results = []
    for engine in [e.strip() for e in args.engines.split(",") if e.strip()]:
        results.extend(run_engine(engine, sizes, args.keys, args.pg_url, not args.no_progress))
    document = {
        "benchmark": "terang rebuild-projections",
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "load_avg_at_end": load_average(),
        },
        "git_commit": git("rev-parse", "HEAD"),
        "workload": f"{args.keys} key registrations, then role grants and revocations on them",
        "results": results,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    console.print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
