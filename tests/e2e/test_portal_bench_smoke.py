"""bench/portal_bench.py at its tiniest size (the demo, and the demo grown by 1,500
entries; five requests a page), so it cannot rot.

Runs the bench as a user does (`terang init`, `terang demo`, its own grower and its own
`terang serve`), on each engine, and checks that the results file has every page's
figures for both data sets and that they are positive. It asserts no timings against
the targets: speed is the bench's business, on a quiet machine.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from bench_support import positive, run_bench

REPO = Path(__file__).resolve().parents[2]
PAGES = (
    "home",
    "budget",
    "budget_line",
    "trace",
    "tenders",
    "tender",
    "vendor",
    "vendor_quiet",
    "redflags",
    "redflags_vendor",
)
GROWN_BY = 1500

pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]


def test_bench_runs_at_its_tiniest_size(engine_args: list[str], tmp_path: Path) -> None:
    out = tmp_path / "portal.json"
    run_bench(
        "portal_bench.py",
        [
            "--quick",
            "--no-progress",
            "--cleanup",
            "--work-dir",
            str(tmp_path / "work"),
            "--out",
            str(out),
            *engine_args,
        ],
        timeout_s=800,
    )
    results = json.loads(out.read_text())
    assert results["schema"] == "terang-portal-bench/1"
    assert len(results["machine"]["load_average_at_start"]) == 3
    assert results["git_commit"]
    (engine,) = results["engines"].values()
    assert set(engine) == {"demo", f"demo+{GROWN_BY}"}

    demo_size = engine["demo"]["dataset"]["tree_size"]
    grown = engine[f"demo+{GROWN_BY}"]["dataset"]
    assert positive(demo_size)
    assert grown["tree_size"] == demo_size + GROWN_BY  # the grower hits its target exactly
    assert positive(grown["build"]["entries_per_s"])
    assert grown["build"]["parts"]["budget_postings"] > 0
    assert grown["build"]["parts"]["tenders"] > 0

    for spec, figures in engine.items():
        assert figures["missing_pages"] == [], (spec, figures["discovery_notes"])
        assert set(figures["pages"]) == set(PAGES), spec
        assert positive(figures["server"]["peak_rss_mib"]), spec
        assert positive(figures["dataset"]["database_bytes"]), spec
        for name, page in figures["pages"].items():
            where = (spec, name)
            assert page["status"] == 200, where
            assert page["path"].startswith("/"), where
            assert page["ttfb_ms"]["n"] == 5, where
            for stat in ("p50", "p95", "p99", "mean", "max"):
                assert positive(page["ttfb_ms"][stat]), where
                assert page["total_ms"][stat] >= page["ttfb_ms"][stat], where
            assert positive(page["first_request_ttfb_ms"]), where
            assert page["server_cpu_ms_per_request"] >= 0, where  # clock ticks: may be 0
            assert positive(page["html"]["transfer_bytes"]), where
            assert positive(page["html"]["decoded_bytes"]), where
            assert positive(page["html"]["gzip9_bytes"]), where
            assert page["assets"], where  # at least the stylesheet
            for asset in page["assets"]:
                assert asset["status"] == 200 and positive(asset["transfer_bytes"]), where
            weight = page["weight"]
            assert weight["transfer_bytes"] == page["html"]["transfer_bytes"] + sum(
                a["transfer_bytes"] for a in page["assets"]
            ), where
            assert set(page["verdict"]) == {"ttfb_p95_ok", "weight_ok"}, where
        for name in ("budget_line", "tender", "vendor", "vendor_quiet"):
            assert positive(figures["pages"][name]["record_entries"]), (spec, name)
    rows = results["summary"]
    assert {(r["dataset"], r["page"]) for r in rows} == {(s, p) for s in engine for p in PAGES}

    # --cleanup removed the data sets it built.
    work = tmp_path / "work"
    assert not any(work.glob("*/*/manifest.json"))
