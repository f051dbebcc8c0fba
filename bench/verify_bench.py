"""Benchmark ``terang verify``: entries/s and peak memory on logs of growing size.

    python bench/verify_bench.py [--sizes 100000,1000000] [--workers 0,2] [--repeat 2]
                                 [--out bench/results/verify.json]

For each size (ascending; the log is extended, not rebuilt): append signed entries
in-process through ``Ledger.append_direct`` (the real sequencer path, SQLite), start
``terang serve``, run ``terang verify URL --key VKEY`` as a separate process exactly as
an auditor would (projections compared, tiles checked), and record its wall time,
entries/s, CPU seconds and peak resident memory (``wait4`` rusage of that process; the
parse workers are children of multiprocessing's forkserver, so their CPU is not in
``cpu_s``: it is the replay's own share). Each size is
verified once per ``--workers`` value (``TERANG_VERIFY_WORKERS``; 0 is the in-process
parse), on the same log in the same run, beside the machine's Ed25519 ceiling
(``bench_common.verify_ceiling``: PyNaCl verifies per second on one core, measured in the
same run). The issue's targets: at least 10,000 entries/s on 2 cores and memory flat in
the log size.
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
from datetime import UTC, datetime
from pathlib import Path

import httpx
from bench_common import RATE_LIMITS_OFF_ENV, free_port, verify_ceiling
from nacl.signing import SigningKey
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from ledger.keys import client_key_id, load_client_key
from ledger.limits import Limits
from ledger.service import Ledger, Settings
from ledger.signing import make_signed
from ledger.statement import SignedStatement, b64encode
from terang.app import all_kinds

REPO = Path(__file__).resolve().parents[1]
TERANG = [sys.executable, "-m", "terang.cli"]
BATCH = 1000
console = Console(stderr=True)


STANDING_KEYS = 1000


def _statements(
    authority: SigningKey, keys: list[SigningKey], start: int, count: int, origin: str
) -> list[SignedStatement]:
    """The workload: register STANDING_KEYS keys, then grant and revoke a role on them in
    turn. The log grows without bound while the replayed state stays at ~1,000 documents,
    so the figure shows what verifying costs per entry, not the size of the state."""
    out = []
    for n in range(start, start + count):
        if n - 1 < STANDING_KEYS:  # entry 0 is the genesis
            key = keys[n - 1]
            body = {"public_key": b64encode(bytes(key.verify_key)), "name": "v", "roles": []}
            statement_type, subject = "registry.key.registered", client_key_id(key)
        else:
            cycle, index = divmod(n - 1 - STANDING_KEYS, STANDING_KEYS)
            subject = client_key_id(keys[index])
            statement_type = "registry.role.revoked" if cycle % 2 else "registry.role.granted"
            body = {"role": "auditor"}
        out.append(
            make_signed(
                authority, statement_type, subject, body, at=datetime.now(UTC), origin=origin
            )
        )
    return out


def grow(ledger: Ledger, authority: SigningKey, keys: list[SigningKey], target: int) -> float:
    """Append the workload until the log holds ``target`` entries; return entries/s."""
    start_size, started = ledger.size(), time.monotonic()
    with Progress(
        TextColumn("building log"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=console,
    ) as bar:
        task = bar.add_task("grow", total=target, completed=start_size)
        size = start_size
        while size < target:
            count = min(BATCH, target - size)
            ledger.append_direct(_statements(authority, keys, size, count, ledger.origin))
            size += count
            bar.update(task, completed=size)
    ledger.publisher.publish(force=True)
    return (target - start_size) / max(time.monotonic() - started, 1e-9)


def verify_once(
    workdir: Path, env: dict[str, str], vkey: str, size: int, workers: int | None = None
) -> dict[str, float]:
    """One ``terang verify`` run as an auditor runs it, against a fresh ``terang serve``;
    ``workers`` sets ``--workers`` (None: the default, one per core)."""
    if workers is not None:
        env = {**env, "TERANG_VERIFY_WORKERS": str(workers)}
    port = free_port()
    server = subprocess.Popen(
        [*TERANG, "serve", "--port", str(port)],
        cwd=workdir,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(url + "/log/checkpoint", timeout=5).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("service did not start")
            time.sleep(0.2)
        started = time.monotonic()
        verifier = subprocess.Popen(
            [
                *TERANG,
                "verify",
                url,
                "--key",
                vkey,
                "--no-progress",
                "--state",
                str(workdir / f"state-{size}-{workers}-{time.monotonic_ns()}.json"),
            ],
            cwd=workdir,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        _, status, usage = os.wait4(verifier.pid, 0)
        elapsed = time.monotonic() - started
        out = verifier.stdout.read().decode() if verifier.stdout else ""
        err = verifier.stderr.read().decode() if verifier.stderr else ""
        verifier.returncode = os.waitstatus_to_exitcode(status)
        if verifier.returncode != 0:
            raise RuntimeError(f"terang verify failed ({verifier.returncode}): {err[-2000:]}")
        report = json.loads(out)
        return {
            "tree_size": report["tree_size"],
            "workers": workers if workers is not None else os.cpu_count() or 1,
            "seconds": round(elapsed, 2),
            "entries_per_s": round(report["tree_size"] / elapsed),
            "cpu_s": round(usage.ru_utime + usage.ru_stime, 2),
            "peak_rss_mb": round(usage.ru_maxrss / 1024, 1),
            "projections_compared": report["projections_compared"],
        }
    finally:
        server.terminate()
        server.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--sizes", default="100000,1000000", help="log sizes to verify at, ascending"
    )
    parser.add_argument(
        "--workers",
        default=f"0,{os.cpu_count() or 1}",
        help="parse workers to verify with, each on the same log (default: 0 and one per core)",
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="rounds over the worker counts, interleaved (0,2,0,2): on a shared machine the"
        " load drifts, and interleaving gives each count the same drift",
    )
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "results" / "verify.json")
    args = parser.parse_args()
    sizes = sorted(int(s) for s in args.sizes.split(","))
    worker_counts = [int(w) for w in args.workers.split(",")]
    ceiling = verify_ceiling()
    console.print({"ed25519_ceiling_one_core": ceiling})
    results: list[dict[str, float]] = []
    with tempfile.TemporaryDirectory(prefix="terang-verify-bench-") as tmp:
        workdir = Path(tmp)
        env = {
            **os.environ,
            **RATE_LIMITS_OFF_ENV,
            "TERANG_DATABASE_URL": f"sqlite:///{workdir / 'bench.db'}",
        }
        subprocess.run([*TERANG, "init"], cwd=workdir, env=env, check=True, capture_output=True)
        settings = Settings(
            database_url=env["TERANG_DATABASE_URL"],
            log_key_file=workdir / "keys" / "log.key",
            limits=Limits(checkpoint_interval_ms_min=1000),
        )
        ledger = Ledger(settings, all_kinds())
        authority = load_client_key(workdir / "offline-keys" / "authority.key")
        vkey = ledger.verifier_key()
        keys = [SigningKey.generate() for _ in range(STANDING_KEYS)]
        try:
            for size in sizes:
                build_rate = grow(ledger, authority, keys, size)
                for round_number in range(args.repeat):
                    for workers in worker_counts:
                        figure = verify_once(workdir, env, vkey, size, workers)
                        figure["build_entries_per_s"] = round(build_rate)
                        figure["round"] = round_number
                        figure["load_avg_1m"] = round(os.getloadavg()[0], 2)
                        console.print(figure)
                        results.append(figure)
        finally:
            ledger.close()
    document = {
        "benchmark": "terang verify",
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "load_avg_at_end": os.getloadavg(),
        },
        "git_commit": subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=REPO, capture_output=True, text=True
        ).stdout.strip(),
        "targets": {"entries_per_s_min": 10000, "memory": "flat in the log size"},
        "ed25519_ceiling_one_core": ceiling,
        "ceiling_entries_per_s_all_cores": ceiling["verifies_per_s"] * (os.cpu_count() or 1),
        "results": results,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    console.print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
