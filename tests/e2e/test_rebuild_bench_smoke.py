"""bench/bench_rebuild.py at its tiniest size (1,500 entries), on each engine, so it
cannot rot: the results file holds both runs (healthy under a writer, every row forged)
with positive figures, and the forged run repaired every row. No timings are asserted:
speed is the bench's business, on a quiet machine."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from bench_support import positive, run_bench

pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]


def test_bench_runs_at_its_tiniest_size(engine_args: list[str], tmp_path: Path) -> None:
    out = tmp_path / "rebuild.json"
    run_bench(
        "bench_rebuild.py",
        ["--sizes", "1500", "--no-progress", "--out", str(out), *engine_args],
        timeout_s=500,
    )
    (figure,) = json.loads(out.read_text(encoding="utf-8"))["results"]
    assert figure["tree_size"] >= 1500
    for run in ("healthy", "all_rows_forged"):
        for name in ("seconds", "entries_per_s", "peak_rss_mb", "rows"):
            assert positive(figure[run][name]), (run, name, figure[run])
    assert figure["healthy"]["writer_errors"] == []
    assert figure["healthy"]["writer_latency"]["n"] > 0
    assert figure["all_rows_forged"]["rows_changed"] == figure["all_rows_forged"]["rows_forged"]
