"""bench/abuse_bench.py at its tiniest size (a 16 MiB body, two abusers, four bulk
readers, one-second loops), so it cannot rot.

Runs the bench as a user does (`terang init`, `terang demo`, `terang serve`), on each
engine, and checks the results file has every attack's figures, that they are positive,
and that the attacks were refused as the limits say (the body with 413 before it was all
sent). It asserts no timings: speed is the bench's business, on a quiet machine.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from bench_support import positive, run_bench

pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]


def test_bench_runs_at_its_tiniest_size(engine_args: list[str], tmp_path: Path) -> None:
    out = tmp_path / "abuse.json"
    run_bench(
        "abuse_bench.py",
        ["--quick", "--label", "smoke", "--out", str(out), *engine_args],
        timeout_s=800,
    )
    results = json.loads(out.read_text())
    assert results["schema"] == "terang-abuse-bench/1"
    run = results["runs"]["smoke"]
    assert run["git_commit"]
    assert len(run["load_average_at_start"]) == 3
    (engine,) = run["engines"].values()

    body = engine["body"]
    assert body["status_line"].startswith("HTTP/1.1 413")
    assert body["bytes_sent_mib"] < body["body_mib"]  # refused before the body ended
    for name in ("rss_before_mib", "rss_peak_mib", "seconds"):
        assert positive(body[name]), name

    writes = engine["writes"]
    for phase in ("honest_write_quiet", "honest_write_under_abuse"):
        assert positive(writes[phase]["p50_ms"]) and positive(writes[phase]["p99_ms"]), phase
        assert "201" in writes[phase]["statuses"], phase
    refusals = set(writes["abuser_batches"]["statuses"])
    assert refusals and refusals <= {"403", "413", "429"}, refusals  # none was logged

    reads = engine["reads"]
    for phase in ("checkpoint_quiet", "checkpoint_under_bulk_reads"):
        assert positive(reads[phase]["p50_ms"]), phase
        assert set(reads[phase]["statuses"]) == {"200"}, phase
    assert reads["bulk_reads"]["n"] > 0
