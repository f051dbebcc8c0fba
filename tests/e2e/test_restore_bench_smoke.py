"""bench/restore_bench.py at its tiniest size (1,000 entries), so it cannot rot.

Checks that the results file has every figure and that each is positive; it asserts no
timings (speed is the bench's business, on a quiet machine).
"""

from __future__ import annotations

import json
from pathlib import Path

from bench_support import positive, run_bench

FIGURES = ("backup_s", "check_held_ms", "catch_up_s", "catch_up_entries_per_s", "check_clear_ms")


def test_restore_bench_runs_at_its_tiniest_size(tmp_path: Path) -> None:
    out = tmp_path / "restore.json"
    run_bench("restore_bench.py", ["--quick", "--out", str(out)], timeout_s=300)
    results = json.loads(out.read_text())["results"]
    assert results["entries"] == 1001 and results["catch_up_entries"] == 500
    for name in FIGURES:
        assert positive(results[name]), (name, results[name])
