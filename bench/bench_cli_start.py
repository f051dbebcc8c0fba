"""Benchmark how long a `terang` command takes to start, in a fresh process as a shell runs it.

    python bench/bench_cli_start.py [--runs 15] [--checkout DIR] [--out FILE.json]

Each command is run ``--runs`` times as ``python -m terang.cli ...`` from ``--checkout``
(default: this repository; another checkout, e.g. a ``git worktree`` of an older commit,
measures that commit's code with this interpreter). Recorded per command: wall-time
median, p90 and best, and the CPU the child used. Two floors run in the same loop: a bare
interpreter (``python -c pass``) and importing the whole service (``terang.app``), which
is what every command paid before the command line imported its layers lazily. The
issue's target: ``terang --help`` and a client command under 0.5 s.
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench_common import git, load_average, percentile

REPO = Path(__file__).resolve().parents[1]


def commands(scratch: Path) -> dict[str, list[str]]:
    cli = ["-m", "terang.cli"]
    return {
        "python -c pass (floor)": ["-c", "pass"],
        "import terang.app (the whole service)": ["-c", "import terang.app"],
        "terang --help": [*cli, "--help"],
        "terang submit --help": [*cli, "submit", "--help"],
        "terang vendor bid --help": [*cli, "vendor", "bid", "--help"],
        "terang keygen (a client command)": [*cli, "keygen", "--out", str(scratch / "k.key")],
    }


def run_once(argv: list[str], cwd: Path) -> tuple[float, float]:
    """(wall seconds, child CPU seconds) of one fresh process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run([sys.executable, *argv], cwd=cwd, capture_output=True, check=True)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--checkout", type=Path, default=REPO)
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "results" / "cli_start.json")
    args = parser.parse_args()
    checkout = args.checkout.resolve()
    figures: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        scratch = Path(tmp)
        table = commands(scratch)
        walls: dict[str, list[float]] = {name: [] for name in table}
        cpus: dict[str, list[float]] = {name: [] for name in table}
        # Interleaved rounds: a burst of other work on the machine hits every command alike.
        for _ in range(args.runs):
            for name, argv in table.items():
                (scratch / "k.key").unlink(missing_ok=True)
                wall, cpu = run_once(argv, checkout)
                walls[name].append(wall)
                cpus[name].append(cpu)
    for name in table:
        figures[name] = {
            "wall_median_s": round(statistics.median(walls[name]), 3),
            "wall_p90_s": round(percentile(walls[name], 90), 3),
            "wall_best_s": round(min(walls[name]), 3),
            "cpu_median_s": round(statistics.median(cpus[name]), 3),
        }
    result = {
        "bench": "cli_start",
        "when": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "commit": git("-C", str(checkout), "rev-parse", "HEAD"),
        "checkout": str(checkout),
        "machine": {"python": platform.python_version(), "load_average": load_average()},
        "runs": args.runs,
        "target_s": 0.5,
        "commands": figures,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
