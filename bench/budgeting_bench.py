"""Budgeting benchmark: DPA import (lines/s, peak memory) and the LRA over many postings.

Writes bench/results/budgeting.json. Each measured phase runs in its own child
process, so its peak memory (``getrusage`` max RSS, which includes the interpreter,
SQLAlchemy and pandas: about 120 MiB before any work) is its own:

1. ``import``: a fresh SQLite ledger (genesis, a finance key), then
   ``budgeting.importer.import_file`` of a generated DPA CSV of ``--lines`` rows
   (default 50,000; each row is an appropriation and a monthly allotment, so about
   twice as many signed statements, plus the codes it registers). Timed: read and
   validate (including the dry run of the budgeting rules), sign, and the one
   append transaction.
2. ``grow``: SP2D payments appended to that ledger in atomic jobs of
   ``--job-statements`` (signed here, logged with ``Sequencer.append_batch``) until
   the log holds ``--postings`` budgeting postings or ``--grow-seconds`` have passed.
   This only builds the data; its rate is reported but it is not the target.
3. ``lra``: the LRA by OPD, programme and account, the monthly report and the OFDP zip
   over the grown ledger, each timed, in a fresh process (peak memory).

Usage: ``python bench/budgeting_bench.py [--lines 50000] [--postings 1000000]
[--grow-seconds 600] [--out bench/results/budgeting.json]``
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from nacl.signing import SigningKey

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench_common import own_cpu_s, own_peak_rss_mib  # noqa: E402

from budgeting import statements as st  # noqa: E402
from budgeting.importer import example_records, import_file, write_table  # noqa: E402
from ledger.keys import client_key_id  # noqa: E402
from ledger.limits import Limits  # noqa: E402
from ledger.note import Signer, generate_signer, parse_private_key  # noqa: E402
from ledger.service import Ledger, Settings  # noqa: E402
from ledger.signing import make_signed  # noqa: E402
from ledger.statement import b64encode  # noqa: E402

YEAR = 2026
ORIGIN = "bench.terang.example/log"


def fixed_clock(now: datetime) -> Any:
    return lambda: now


def open_ledger(db: str, *, clock_at: datetime) -> Ledger:
    from terang.app import all_kinds

    signer_text = (Path(db.removeprefix("sqlite:///")).parent / "log.key").read_text()
    log_signer = parse_private_key(signer_text)
    if not isinstance(log_signer, Signer):
        raise SystemExit("log.key is not an Ed25519 signed-note key")
    settings = Settings(database_url=db, limits=Limits())
    return Ledger(settings, all_kinds(), clock=fixed_clock(clock_at), log_signer=log_signer)


def setup(db: str, workdir: Path, clock_at: datetime) -> SigningKey:
    """A genesis and a finance key; the keys are written into ``workdir``."""
    from terang.app import all_kinds

    log_signer = generate_signer(ORIGIN)
    (workdir / "log.key").write_text(log_signer.private_key())
    authority, finance = SigningKey.generate(), SigningKey.generate()
    (workdir / "finance.key").write_bytes(bytes(finance))
    ledger = Ledger(
        Settings(database_url=db, limits=Limits()),
        all_kinds(),
        clock=fixed_clock(clock_at),
        log_signer=log_signer,
    )
    try:
        genesis = make_signed(
            authority,
            "ledger.genesis",
            "genesis",
            {
                "origin": ORIGIN,
                "log_verifier_key": log_signer.verifier_key(),
                "authorities": [
                    {"name": "root", "public_key": b64encode(bytes(authority.verify_key))}
                ],
            },
            at=clock_at,
            origin=ORIGIN,
        )
        ledger.append_direct([genesis])
        body = {
            "public_key": b64encode(bytes(finance.verify_key)),
            "name": "BPKAD (bench)",
            "roles": ["finance"],
        }
        ledger.append_direct(
            [
                make_signed(
                    authority,
                    "registry.key.registered",
                    client_key_id(finance),
                    body,
                    at=clock_at,
                    origin=ORIGIN,
                )
            ]
        )
    finally:
        ledger.close()
    return finance


def phase_import(db: str, workdir: Path, lines: int, clock_at: datetime) -> dict[str, Any]:
    finance = setup(db, workdir, clock_at)
    path = workdir / "dpa.csv"
    write_table(example_records(YEAR, lines), path)
    ledger = open_ledger(db, clock_at=clock_at)
    stages: dict[str, float] = {}
    last = [time.perf_counter()]

    def progress(stage: str, done: int, total: int) -> None:
        if done == total:
            now = time.perf_counter()
            stages[stage] = round(now - last[0], 2)
            last[0] = now

    try:
        start = time.perf_counter()
        cpu_start = own_cpu_s()
        last[0] = start
        result = import_file(ledger, finance, path, progress=progress)
        elapsed = time.perf_counter() - start
        cpu = own_cpu_s() - cpu_start
        size = ledger.size()
    finally:
        ledger.close()
    return {
        "lines": lines,
        "file_bytes": path.stat().st_size,
        "statements_posted": result.posted,
        "seconds": round(elapsed, 2),
        "cpu_seconds": round(cpu, 2),
        "lines_per_s": round(lines / elapsed, 1),
        "statements_per_s": round(result.posted / elapsed, 1),
        "lines_per_cpu_s": round(lines / cpu, 1),
        "statements_per_cpu_s": round(result.posted / cpu, 1),
        "stage_seconds": stages,
        "stage_note": "validate = read, parse and dry-run every row; sign = Ed25519 signing;"
        " post = the one append transaction (the sequencer re-runs the reducers)",
        "tree_size_after": size,
        "peak_rss_mib": own_peak_rss_mib(),
    }


def phase_grow(
    db: str,
    workdir: Path,
    lines: int,
    postings: int,
    seconds: float,
    job_statements: int,
    clock_at: datetime,
) -> dict[str, Any]:
    finance = SigningKey((workdir / "finance.key").read_bytes())
    ledger = open_ledger(db, clock_at=clock_at)
    records = example_records(YEAR, lines)
    line_ids = [
        f"{YEAR}:{r['opd']}:{r['sub_kegiatan']}:{r['account']}:{r['funding_source']}"
        for r in records
    ]
    already = ledger.size()
    target = max(0, postings - already)
    done = 0
    start = time.perf_counter()
    cpu_start = own_cpu_s()
    try:
        while done < target and time.perf_counter() - start < seconds:
            job = []
            for i in range(done, min(done + job_statements, target)):
                line = line_ids[i % lines]
                month = 1 + (i // lines) % 10  # Jan..Oct: within the cash allotted
                posting = st.payment(
                    line, f"BENCH-SP2D-{i}", 10_000 + i % 97, date(YEAR, month, 15)
                )
                job.append(posting.sign(finance, at=clock_at, origin=ORIGIN, limits=ledger.limits))
            (result,) = ledger.sequencer.append_batch([job])
            if not isinstance(result, list):
                raise result
            done += len(job)
        elapsed = time.perf_counter() - start
        size = ledger.size()
    finally:
        ledger.close()
    return {
        "payments_added": done,
        "seconds": round(elapsed, 1),
        "cpu_seconds": round(own_cpu_s() - cpu_start, 1),
        "statements_per_s": round(done / elapsed, 1) if elapsed else None,
        "tree_size_after": size,
        "stopped_by": "target" if done >= target else "time budget",
        "peak_rss_mib": own_peak_rss_mib(),
    }


def phase_lra(db: str, clock_at: datetime) -> dict[str, Any]:
    from budgeting import fiscal_data_package, reports

    ledger = open_ledger(db, clock_at=clock_at)
    out: dict[str, Any] = {}
    try:
        for by in reports.LraBy:
            start, cpu_start = time.perf_counter(), own_cpu_s()
            report = reports.lra(ledger.engine, YEAR, by)
            body = reports.to_csv_bytes(report)
            out[f"lra_by_{by.value}"] = {
                "seconds": round(time.perf_counter() - start, 2),
                "cpu_seconds": round(own_cpu_s() - cpu_start, 2),
                "rows": len(report.frame),
                "csv_bytes": len(body),
                "tree_size": report.tree_size,
            }
        start = time.perf_counter()
        monthly = reports.monthly(ledger.engine, YEAR)
        out["monthly"] = {
            "seconds": round(time.perf_counter() - start, 2),
            "rows": len(monthly.frame),
        }
        start = time.perf_counter()
        content, _ = fiscal_data_package.build_zip(ledger.engine, YEAR)
        out["ofdp_zip"] = {"seconds": round(time.perf_counter() - start, 2), "bytes": len(content)}
        out["tree_size"] = ledger.size()
    finally:
        ledger.close()
    out["peak_rss_mib"] = own_peak_rss_mib()
    return out


def child(args: list[str]) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, __file__, *args], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise SystemExit(f"phase {args[1]} failed:\n{done.stderr}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--lines", type=int, default=50_000)
    parser.add_argument("--postings", type=int, default=1_000_000)
    parser.add_argument("--grow-seconds", type=float, default=600)
    parser.add_argument("--job-statements", type=int, default=5000)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "budgeting.json")
    parser.add_argument("--phase", choices=("import", "grow", "lra"), help=argparse.SUPPRESS)
    parser.add_argument("--db", help=argparse.SUPPRESS)
    parser.add_argument("--workdir", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    # One clock reading per phase (each phase is far shorter than the skew window);
    # payments are dated January to October 2026, in the past on this machine's clock.
    clock_at = datetime.now(UTC)
    if args.phase == "import":
        print(json.dumps(phase_import(args.db, args.workdir, args.lines, clock_at)))
        return
    if args.phase == "grow":
        print(
            json.dumps(
                phase_grow(
                    args.db,
                    args.workdir,
                    args.lines,
                    args.postings,
                    args.grow_seconds,
                    args.job_statements,
                    clock_at,
                )
            )
        )
        return
    if args.phase == "lra":
        print(json.dumps(phase_lra(args.db, clock_at)))
        return
    load_at_start = [round(x, 2) for x in os.getloadavg()]
    with tempfile.TemporaryDirectory(prefix="terang-budget-bench-") as tmp:
        workdir = Path(tmp)
        db = f"sqlite:///{workdir / 'ledger.db'}"
        common = ["--db", db, "--workdir", str(workdir), "--lines", str(args.lines)]
        print(f"import of {args.lines} lines ...", file=sys.stderr)
        imported = child(["--phase", "import", *common])
        print(json.dumps(imported), file=sys.stderr)
        print(
            f"growing to {args.postings} postings (at most {args.grow_seconds} s) ...",
            file=sys.stderr,
        )
        grown = child(
            [
                "--phase",
                "grow",
                *common,
                "--postings",
                str(args.postings),
                "--grow-seconds",
                str(args.grow_seconds),
                "--job-statements",
                str(args.job_statements),
            ]
        )
        print(json.dumps(grown), file=sys.stderr)
        lra = child(["--phase", "lra", *common])
        db_bytes = (workdir / "ledger.db").stat().st_size
    results = {
        "schema": "terang-budgeting-bench/1",
        "machine": {
            "date": datetime.now(UTC).isoformat(timespec="seconds"),
            "nproc": os.cpu_count(),
            "load_average_at_start": load_at_start,
            "load_average_at_end": [round(x, 2) for x in os.getloadavg()],
            "platform": platform.platform(),
            "python": platform.python_version(),
            "engine": "sqlite (file, WAL)",
        },
        "targets": {
            "import": "the ledger's signed-append speed (bench/results/ledger.json)",
            "lra_seconds_max": 5,
            "lra_postings": 1_000_000,
        },
        "import": imported,
        "grow": grown,
        "report": {**lra, "postings_in_log": lra["tree_size"], "database_bytes": db_bytes},
        "notes": [
            "postings_in_log counts every log entry (genesis, key, registrations,"
            " appropriations, allotments, payments).",
            "The LRA reads one projection row per budget line (50,000 here), not the"
            " postings: its time grows with lines, not with postings.",
        ],
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
