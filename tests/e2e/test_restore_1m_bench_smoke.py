"""bench/bench_restore_1m.py in its quick mode (2,000 entries, SQLite), so it cannot rot.

The bench's claim is that what it times is a restore that works: the backup put in
place opens as ``terang serve`` opens it, as the writer (not held read-only), and
``terang verify`` run against it served checks every entry. This asserts that on the
results file, and that each timing is there and positive (never how fast: that is the
bench's business, on a quiet machine). The PostgreSQL half needs a cluster of its own
and takes longer; its documented dump commands are exercised by
tests/integration/test_backup_drill.py.
"""

from __future__ import annotations

import json
from pathlib import Path

from bench_support import positive, run_bench


def test_the_quick_restore_is_served_as_the_writer_and_verifies(tmp_path: Path) -> None:
    out = tmp_path / "restore_1m.json"
    run_bench(
        "bench_restore_1m.py",
        ["--quick", "--engines", "sqlite", "--no-progress", "--out", str(out)],
        timeout_s=120,
    )
    document = json.loads(out.read_text())
    assert document["commit"] and document["machine"]["cpus"]
    [result] = document["results"]
    assert result["engine"] == "sqlite" and result["entries"] == 2000
    assert result["restore"]["held_read_only"] is None
    assert result["verify"]["tree_size"] == result["entries"]
    assert result["verify"]["projections_compared"] > 0
    for name, value in [
        ("backup.seconds", result["backup"]["seconds"]),
        ("backup.bytes", result["backup"]["bytes"]),
        ("restore.seconds", result["restore"]["seconds"]),
        ("verify.seconds", result["verify"]["seconds"]),
        *(
            (f"restore.{k}", v)
            for k, v in result["restore"]["steps_s"].items()
            if k != "cp_into_place"
        ),
    ]:
        assert positive(value), (name, value)
    assert len(result["load_average_after"]) == 3
