"""bench/bench_replica_lag.py at a tiny size (2,000 entries), so it cannot rot.

The bench starts its own throwaway primary and hot standby, so this needs the PostgreSQL
binaries: ``postgres_server_url`` brings the suite's policy (skipped only with
``TERANG_TEST_POSTGRES=skip`` outside CI; with ``CI=true`` never). It checks the figures
are there and the read side caught up; it asserts no timings.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from bench_support import positive, run_bench

pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]


def test_bench_runs_at_a_tiny_size(postgres_server_url: str, tmp_path: Path) -> None:
    out = tmp_path / "replica_lag.json"
    run_bench(
        "bench_replica_lag.py",
        ["--entries", "2000", "--batch-size", "500", "--clients", "2", "--out", str(out)],
        timeout_s=500,
    )
    results = json.loads(out.read_text())
    assert results["schema"] == "terang-replica-lag-bench/1"
    assert results["machine"]["git_commit"]
    figures = results["load"]["figures"]
    assert figures["entries"] == 2000
    assert figures["log_size_at_end"] == 2000 + 2  # genesis and the bench signer
    assert positive(figures["load_wall_s"]) and figures["catch_up_s"] >= 0
    for name in ("standby_visibility_lag_ms", "served_visibility_lag_ms", "pg_replay_lag_ms"):
        assert figures[name]["n"] > 0, name
