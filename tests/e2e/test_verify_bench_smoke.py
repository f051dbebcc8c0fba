"""bench/verify_bench.py at a tiny size, so it cannot rot.

The bench verifies one log once per ``--workers`` value, interleaved over ``--repeat``
rounds, beside the Ed25519 ceiling measured in the same run. This asserts the shape of
its results file on 1,500 entries (every run verified the whole log and compared the
projections; the ceiling is there), never how fast: that is the bench's business, on a
quiet machine.
"""

from __future__ import annotations

import json
from pathlib import Path

from bench_support import positive, run_bench


def test_the_bench_verifies_the_same_log_with_each_worker_count(tmp_path: Path) -> None:
    out = tmp_path / "verify.json"
    run_bench(
        "verify_bench.py",
        ["--sizes", "1500", "--workers", "0,1", "--repeat", "1", "--out", str(out)],
        timeout_s=240,
    )
    document = json.loads(out.read_text())
    assert document["git_commit"]
    assert positive(document["ed25519_ceiling_one_core"]["verifies_per_s"])
    assert [r["workers"] for r in document["results"]] == [0, 1]
    for result in document["results"]:
        assert result["tree_size"] == 1500
        assert result["projections_compared"] > 0
        assert positive(result["seconds"]) and positive(result["peak_rss_mb"])
