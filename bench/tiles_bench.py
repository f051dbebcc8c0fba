"""Benchmark ``terang publish-tiles`` and ``terang verify --tiles-only`` through nginx.

    python bench/tiles_bench.py [--sizes 100000,1000000] [--step 10000]
                                [--out bench/results/tiles.json]

For each size (ascending; the log is extended, not rebuilt; the workload is
verify_bench's): build the log in-process (SQLite), then measure, each as a separate
``terang`` process exactly as an operator runs it:

* ``publish-tiles DIR`` into an empty directory (files, bytes, seconds);
* the same again with nothing new (what a cron rerun costs);
* ``publish-tiles`` after ``--step`` more entries (an incremental publish);
* ``terang verify URL --tiles-only`` against a throwaway nginx serving DIR
  (scripts/nginx_throwaway.py with deploy/nginx/terang-tiles.conf): seconds,
  entries/s and peak memory, beside bench/results/verify.json's figures through the
  service.

Needs Debian's nginx (``TERANG_NGINX`` or /usr/sbin/nginx).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench_common import RATE_LIMITS_OFF_ENV
from nacl.signing import SigningKey
from rich.console import Console
from verify_bench import STANDING_KEYS, grow

from ledger.keys import load_client_key
from ledger.limits import Limits
from ledger.service import Ledger, Settings
from terang.app import all_kinds

REPO = Path(__file__).resolve().parents[1]
TERANG = [sys.executable, "-m", "terang.cli"]
console = Console(stderr=True)


def _nginx_throwaway() -> Any:
    spec = importlib.util.spec_from_file_location(
        "terang_nginx_throwaway", REPO / "scripts" / "nginx_throwaway.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _timed(workdir: Path, env: dict[str, str], *args: str) -> tuple[float, str, float]:
    """Run ``terang ARGS``: (seconds, stdout, peak RSS MB of that process alone)."""
    started = time.monotonic()
    process = subprocess.Popen(
        [*TERANG, *args], cwd=workdir, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.monotonic() - started
    out = process.stdout.read().decode() if process.stdout else ""
    err = process.stderr.read().decode() if process.stderr else ""
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"terang {' '.join(args)} failed: {err[-2000:]}")
    return elapsed, out, usage.ru_maxrss / 1024


def _tree_bytes(directory: Path) -> tuple[int, int]:
    files = [p for p in directory.rglob("*") if p.is_file()]
    return len(files), sum(p.stat().st_size for p in files)


def measure(
    workdir: Path, env: dict[str, str], vkey: str, ledger: Ledger, grow_more: Any, step: int
) -> dict[str, Any]:
    out = workdir / "tiles"
    shutil.rmtree(out, ignore_errors=True)
    first_s, first_out, first_rss = _timed(workdir, env, "publish-tiles", str(out))
    files, size_bytes = _tree_bytes(out)
    again_s, again_out, _ = _timed(workdir, env, "publish-tiles", str(out))
    assert json.loads(again_out)["files_written"] == 0
    grow_more(ledger.size() + step)
    step_s, step_out, _ = _timed(workdir, env, "publish-tiles", str(out))
    size = json.loads(step_out)["tree_size"]
    nginx = _nginx_throwaway()
    with nginx.serving(out, workdir / f"nginx-{size}") as url:
        verify_s, verify_out, verify_rss = _timed(
            workdir,
            env,
            *("verify", url, "--key", vkey, "--tiles-only", "--no-progress"),
            *("--state", str(workdir / f"state-{size}.json")),
        )
    report = json.loads(verify_out)
    assert report["tree_size"] == size and report["projections_checked"] is False
    return {
        "tree_size_first_publish": json.loads(first_out)["tree_size"],
        "first_publish_s": round(first_s, 2),
        "first_publish_files": files,
        "first_publish_mb": round(size_bytes / 1e6, 1),
        "first_publish_peak_rss_mb": round(first_rss, 1),
        "rerun_nothing_new_s": round(again_s, 2),
        "step_entries": step,
        "step_publish_s": round(step_s, 2),
        "step_files_written": json.loads(step_out)["files_written"],
        "tree_size_verified": size,
        "verify_tiles_only_via_nginx_s": round(verify_s, 2),
        "verify_entries_per_s": round(size / verify_s),
        "verify_peak_rss_mb": round(verify_rss, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default="100000,1000000", help="log sizes, ascending")
    parser.add_argument("--step", type=int, default=10_000, help="entries of the incremental run")
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "results" / "tiles.json")
    args = parser.parse_args()
    sizes = sorted(int(s) for s in args.sizes.split(","))
    results: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="terang-tiles-bench-") as tmp:
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
        keys = [SigningKey.generate() for _ in range(STANDING_KEYS)]

        def grow_to(target: int) -> float:
            return grow(ledger, authority, keys, target)

        try:
            for size in sizes:
                build_rate = grow_to(size)
                figure = measure(workdir, env, ledger.verifier_key(), ledger, grow_to, args.step)
                figure["build_entries_per_s"] = round(build_rate)
                console.print(figure)
                results.append(figure)
        finally:
            ledger.close()
    document = {
        "benchmark": "terang publish-tiles, and terang verify --tiles-only through nginx",
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "load_avg_at_end": os.getloadavg(),
        },
        "git_commit": subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=REPO, capture_output=True, text=True
        ).stdout.strip(),
        "results": results,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    console.print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
