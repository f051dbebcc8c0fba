"""Fault-trial bench: kill -9, PostgreSQL restarts and a full disk, with figures (issue 17,
item 6).

On each engine, in a scratch directory, as an operator runs it (``terang init``, then
``terang serve``), with the harness of ``bench/fault_trials.py`` (its docstring lists the
checks made after every trial):

  kill_9             --trials kill -9 trials of the service, each at a random instant
                     under two single-statement and two batch writers, restarted at
                     once; every receipt of the run checked after every trial, and
                     ``terang verify`` after every --verify-every-th trial and the last.
  restart_fast,      (PostgreSQL) --restarts trials each of ``pg_ctl restart -m fast``
  restart_immediate  and ``-m immediate`` under the same writers on a running service.
  disk_full          (root only: it mounts a small tmpfs) the database's filesystem
                     fills under writes: 503 storage_full, nothing lost, and writes and
                     verify after the space is freed.

PostgreSQL is always a throwaway cluster of the bench's own (scripts/pg_throwaway.py):
the bench restarts it, which it must not do to a server it was lent.

Results go to --out under "runs"/<--label>, keeping the other labels already in the file;
each run carries the git commit and the load average at its start and end (the machine
is shared: read restart times with the load beside them). Exit status 1 if any trial
failed.

    python bench/bench_fault_trials.py --trials 50
    python bench/bench_fault_trials.py --trials 3 --restarts 1 --engines sqlite --out /tmp/f.json
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import signal
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import fault_trials
from bench_common import REPO, git, latency_summary, load_average

SCHEMA = "terang-fault-trials-bench/1"


def summarise(results: list[fault_trials.TrialResult], elapsed_s: float) -> dict[str, Any]:
    """Passed out of run, the fault's duration, and what the writers saw."""
    seen: dict[str, int] = {}
    for result in results:
        for what, count in result.seen.items():
            seen[what] = seen.get(what, 0) + count
    verify_s = [r.verify_s for r in results if r.verify_s is not None]
    return {
        "trials": len(results),
        "passed": sum(1 for r in results if r.passed),
        "failed": sum(1 for r in results if not r.passed),
        "verify_runs": len(verify_s),
        "verify_passed": sum(1 for r in results if r.verified),
        "fault_ms": latency_summary([r.fault_s for r in results]),
        "write_outage_ms": latency_summary([r.outage_s for r in results if r.outage_s is not None]),
        "verify_ms": latency_summary(verify_s),
        "log_size_at_end": results[-1].log_size if results else 0,
        "acknowledged": sum(r.acknowledged for r in results),
        "acknowledged_as_duplicate": sum(r.acknowledged_as_duplicate for r in results),
        "unacknowledged": sum(r.unacknowledged for r in results),
        "client_saw": dict(sorted(seen.items())),
        "seconds": round(elapsed_s, 1),
        "failures": [r.summary() for r in results if not r.passed],
    }


def progress(engine: str) -> Any:
    def report(result: fault_trials.TrialResult) -> None:
        verdict = "pass" if result.passed else f"FAIL {result.problems[:3]}"
        print(
            f"[{engine}] {result.fault} #{result.index}: {verdict}; fault {result.fault_s:.2f} s,"
            f" outage {result.outage_s or 0:.2f} s,"
            f" log {result.log_size}, acknowledged {result.acknowledged}",
            file=sys.stderr,
            flush=True,
        )

    return report


@contextlib.contextmanager
def database(engine: str, scratch: Path, cluster: Any) -> Iterator[str]:
    if engine == "sqlite":
        yield f"sqlite:///{scratch / 'terang.db'}"
        return
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url
    from sqlalchemy.pool import NullPool

    name = f"faults_{os.urandom(4).hex()}"
    admin = create_engine(cluster.superuser_url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        yield make_url(cluster.url).set(database=name).render_as_string(hide_password=False)
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


def disk_full(engine: str, scratch: Path, cluster: Any) -> dict[str, Any]:
    if not fault_trials.can_mount():
        return {"skipped": "mounting a small tmpfs needs root"}
    mount_point = Path(tempfile.mkdtemp(prefix="terang-small-"))
    mount_point.chmod(0o755)
    started = time.monotonic()
    try:
        with contextlib.ExitStack() as stack:
            filesystem = stack.enter_context(fault_trials.small_filesystem(mount_point, 24))
            if engine == "sqlite":
                url = f"sqlite:///{filesystem / 'terang.db'}"
            else:
                url = stack.enter_context(fault_trials.postgres_database_on(cluster, filesystem))
            deployment = fault_trials.prepare(scratch / "disk-full", url)
            with fault_trials.serving(deployment) as service:
                result = fault_trials.disk_full_trial(
                    deployment, service, filesystem, headroom_bytes=512 * 1024
                )
    finally:
        mount_point.rmdir()
    return result.summary() | {
        "passed": not result.problems,
        "seconds": round(time.monotonic() - started, 1),
    }


def run_engine(engine: str, args: argparse.Namespace, cluster: Any) -> dict[str, Any]:
    figures: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix=f"terang-faults-{engine}-") as scratch_dir:
        scratch = Path(scratch_dir)
        with database(engine, scratch, cluster) as url:
            deployment = fault_trials.prepare(scratch / "kill", url)
            started = time.monotonic()
            results = fault_trials.kill_trials(
                deployment,
                args.trials,
                seed=args.seed,
                verify_every=args.verify_every,
                on_trial=progress(engine),
            )
            figures["kill_9"] = summarise(results, time.monotonic() - started)
        if engine == "postgresql" and args.restarts > 0:
            for mode in ("fast", "immediate"):
                with database(engine, scratch, cluster) as url:
                    deployment = fault_trials.prepare(scratch / f"restart-{mode}", url)
                    started = time.monotonic()
                    results = fault_trials.postgres_restart_trials(
                        deployment,
                        cluster,
                        [mode] * args.restarts,
                        seed=args.seed,
                        on_trial=progress(engine),
                    )
                    figures[f"restart_{mode}"] = summarise(results, time.monotonic() - started)
        if args.disk_full:
            figures["disk_full"] = disk_full(engine, scratch, cluster)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--engines", default="sqlite,postgresql", help="sqlite,postgresql")
    parser.add_argument("--trials", type=int, default=50, help="kill -9 trials per engine")
    parser.add_argument(
        "--restarts", type=int, default=5, help="PostgreSQL restarts per mode (fast, immediate)"
    )
    parser.add_argument(
        "--verify-every",
        type=int,
        default=1,
        help="terang verify after every n-th kill trial (1: every one) and the last",
    )
    parser.add_argument("--no-disk-full", dest="disk_full", action="store_false")
    parser.add_argument("--seed", type=int, default=None, help="random seed (default: random)")
    parser.add_argument("--label", default="after", help="key under runs")
    parser.add_argument(
        "--out", type=Path, default=REPO / "bench" / "results" / "fault_trials.json"
    )
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(128 + signal.SIGTERM))
    if args.seed is None:
        args.seed = random.randrange(2**32)
    engines = [e.strip() for e in args.engines.split(",") if e.strip()]
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
        "seed": args.seed,
        "sizes": {
            "trials": args.trials,
            "restarts_per_mode": args.restarts,
            "writer_batch_sizes": list(fault_trials.WRITER_BATCH_SIZES),
            "verify_every_n_trials": args.verify_every,
        },
        "engines": {},
    }
    cluster = None
    try:
        if "postgresql" in engines:
            cluster = fault_trials.load_pg_throwaway().start_cluster()
        for engine in engines:
            run["engines"][engine] = run_engine(engine, args, cluster)
    finally:
        if cluster is not None:
            cluster.stop()
    run["load_average_at_end"] = load_average()
    results = {**previous, "schema": SCHEMA, "runs": dict(previous.get("runs", {}))}
    results["runs"][args.label] = run
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n")
    print(f"wrote {args.out}", file=sys.stderr)
    failed = [
        (engine, phase)
        for engine, phases in run["engines"].items()
        for phase, figures in phases.items()
        if figures.get("failed") or figures.get("passed") is False
    ]
    if failed:
        print(f"FAILED: {failed}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
