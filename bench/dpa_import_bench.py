"""DPA import benchmark (issue 14): lines/s end to end on SQLite and PostgreSQL, with the
machine's signature-verification ceiling measured in the same run.

Each engine's import runs in its own child process (its peak RSS is its own): a fresh
ledger (genesis, a finance key), then ``budgeting.importer.import_file`` of a generated
DPA CSV (``--lines`` rows; each row is an appropriation and a monthly allotment, so
about twice as many signed statements, plus the codes the file registers). The stages
are timed in wall and CPU seconds: ``validate`` (read, parse, check against the ledger),
``sign`` (Ed25519, in this process), ``post`` (the one append transaction: every
signature verified and the budget reducers run once, reporting every refusal).

The ceiling: a PyNaCl verify loop in this run, on one core. The sequencer must verify
every statement's signature, so on one core the import cannot pass
``verifies/s ÷ statements per line`` lines/s. A profile of a smaller import
(``--profile-lines``, SQLite, cProfile, top functions by own time) says where the rest
of the time goes.

Usage::

    python bench/dpa_import_bench.py [--lines 20000] [--engines sqlite,postgresql]
        [--pg-url URL] [--profile-lines 3000] [--out bench/results/dpa_import.json]

PostgreSQL: ``--pg-url``, else ``TEST_DATABASE_URL``, else a throwaway cluster
(``scripts/pg_throwaway.py``, fsync off: the figures measure Terang, not the disk).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench_common import (  # noqa: E402
    git,
    load_average,
    own_cpu_s,
    own_peak_rss_mib,
    verify_ceiling,
)
from budgeting_bench import YEAR, fixed_clock, setup  # noqa: E402
from ledger_bench import PostgresServer, machine_facts, postgres_database  # noqa: E402

from budgeting.importer import example_records, import_file, write_table  # noqa: E402
from ledger.limits import Limits  # noqa: E402
from ledger.note import Signer, parse_private_key  # noqa: E402
from ledger.service import Ledger, Settings  # noqa: E402

TARGET_LINES_PER_S = 2000


def open_ledger(db: str, workdir: Path, clock_at: datetime) -> Ledger:
    from terang.app import all_kinds

    log_signer = parse_private_key((workdir / "log.key").read_text())
    if not isinstance(log_signer, Signer):
        raise SystemExit("log.key is not an Ed25519 signed-note key")
    settings = Settings(database_url=db, limits=Limits())
    return Ledger(settings, all_kinds(), clock=fixed_clock(clock_at), log_signer=log_signer)


def run_import(db: str, workdir: Path, lines: int, *, profile: bool) -> dict[str, Any]:
    """One import on a fresh ledger; the figures (and, with ``profile``, the top lines)."""
    clock_at = datetime.now(UTC)
    finance = setup(db, workdir, clock_at)
    path = workdir / "dpa.csv"
    write_table(example_records(YEAR, lines), path)
    ledger = open_ledger(db, workdir, clock_at)
    wall: dict[str, float] = {}
    cpu: dict[str, float] = {}
    last = [time.perf_counter(), own_cpu_s()]

    def progress(stage: str, done: int, total: int) -> None:
        if done == total:
            now_wall, now_cpu = time.perf_counter(), own_cpu_s()
            wall[stage] = round(now_wall - last[0], 2)
            cpu[stage] = round(now_cpu - last[1], 2)
            last[:] = [now_wall, now_cpu]

    profiler = cProfile.Profile() if profile else None
    try:
        start, cpu_start = time.perf_counter(), own_cpu_s()
        last[:] = [start, cpu_start]
        if profiler is not None:
            profiler.enable()
        result = import_file(ledger, finance, path, progress=progress)
        if profiler is not None:
            profiler.disable()
        seconds, cpu_s = time.perf_counter() - start, own_cpu_s() - cpu_start
    finally:
        ledger.close()
    figures: dict[str, Any] = {
        "lines": lines,
        "file_bytes": path.stat().st_size,
        "statements_posted": result.posted,
        "seconds": round(seconds, 2),
        "cpu_seconds": round(cpu_s, 2),
        "lines_per_s": round(lines / seconds, 1),
        "lines_per_cpu_s": round(lines / cpu_s, 1),
        "statements_per_s": round(result.posted / seconds, 1),
        "stage_seconds": wall,
        "stage_cpu_seconds": cpu,
        "peak_rss_mib": own_peak_rss_mib(),
    }
    if profiler is not None:
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(15)
        rows = [
            line.strip()
            for line in out.getvalue().splitlines()
            if line.strip() and line.strip()[0].isdigit()
        ]
        figures["profile_top_by_own_time"] = rows
        figures["profile_note"] = "cProfile inflates Python calls against C; read it for shares"
    return figures


def child(args: list[str]) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, __file__, *args], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise SystemExit(f"import child failed:\n{done.stderr}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--lines", type=int, default=20_000, help="rows of the DPA file")
    parser.add_argument(
        "--engines", default="sqlite,postgresql", help="comma-separated: sqlite, postgresql"
    )
    parser.add_argument("--pg-url", default=os.environ.get("TEST_DATABASE_URL"))
    parser.add_argument(
        "--profile-lines", type=int, default=3000, help="rows of the profiled import (0: none)"
    )
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "dpa_import.json")
    parser.add_argument("--child-db", help=argparse.SUPPRESS)
    parser.add_argument("--child-workdir", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--child-profile", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child_db:
        print(
            json.dumps(
                run_import(
                    args.child_db, args.child_workdir, args.lines, profile=args.child_profile
                )
            )
        )
        return
    engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    facts = machine_facts()
    ceiling = verify_ceiling()
    results: dict[str, Any] = {}
    server = PostgresServer(args.pg_url)
    try:
        for engine in engines:
            with tempfile.TemporaryDirectory(prefix="terang-dpa-bench-") as tmp:
                workdir = Path(tmp)
                print(f"{engine}: import of {args.lines} lines ...", file=sys.stderr)
                if engine == "sqlite":
                    db = f"sqlite:///{workdir / 'ledger.db'}"
                    results[engine] = child(
                        ["--lines", str(args.lines), "--child-db", db, "--child-workdir", tmp]
                    )
                elif engine == "postgresql":
                    url, source = server.url()
                    with postgres_database(url, source, server.pid()) as database:
                        results[engine] = child(
                            [
                                "--lines",
                                str(args.lines),
                                "--child-db",
                                database.url,
                                "--child-workdir",
                                tmp,
                            ]
                        )
                        results[engine]["database"] = database.facts
                else:
                    raise SystemExit(f"unknown engine {engine!r}")
                print(json.dumps(results[engine]), file=sys.stderr)
        profile: dict[str, Any] | None = None
        if args.profile_lines:
            with tempfile.TemporaryDirectory(prefix="terang-dpa-profile-") as tmp:
                db = f"sqlite:///{Path(tmp) / 'ledger.db'}"
                profile = child(
                    [
                        "--lines",
                        str(args.profile_lines),
                        "--child-db",
                        db,
                        "--child-workdir",
                        tmp,
                        "--child-profile",
                    ]
                )
    finally:
        if server.cluster is not None:
            server.cluster.stop()
    statements_per_line = max(
        (r["statements_posted"] / r["lines"] for r in results.values()), default=2.0
    )
    document = {
        "schema": "terang-dpa-import-bench/1",
        "commit": git("rev-parse", "HEAD"),
        "dirty": bool(git("status", "--porcelain")),
        "machine": {**facts, "load_average_at_end": load_average()},
        "target_lines_per_s": TARGET_LINES_PER_S,
        "ceiling": {
            **ceiling,
            "lines_per_s_one_core": round(ceiling["verifies_per_s"] / statements_per_line),
            "note": "every statement's signature is verified by the sequencer; one core",
        },
        "import": results,
        "profile": profile,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(document, indent=2) + "\n")
    for engine, figures in results.items():
        print(
            f"{engine}: {figures['lines_per_s']} lines/s wall,"
            f" {figures['lines_per_cpu_s']} lines/s per CPU s (target {TARGET_LINES_PER_S};"
            f" ceiling {document['ceiling']['lines_per_s_one_core']} on one core)",
            file=sys.stderr,
        )
    print(f"wrote {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
