"""bench/procurement_bench.py at a tiny size (5 sealed bids, 20 tenders), so it cannot rot.

Runs the bench as a user does (its own service subprocess), on each engine, and
checks that every figure it reports is present and positive, that every bid opened
to the price its vendor sealed, and that the yearly OCDS packages it assembled from
the bulk pages validate against the OCDS 1.1 schema with every tender in them.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from bench_support import positive, run_bench

REPO = Path(__file__).resolve().parents[2]
from ocds_checks import check_codelists, validator  # noqa: E402

BIDS, TENDERS = 5, 20


LOCAL_ORIGIN = re.compile(r"http://127\.0\.0\.1:[0-9]+/")


def same_origin(releases: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``releases`` with every local server origin in a URL replaced by one placeholder."""
    return json.loads(LOCAL_ORIGIN.sub("http://server/", json.dumps(releases)))


def test_bench_runs_at_a_tiny_size(engine_args: list[str], tmp_path: Path) -> None:
    out = tmp_path / "procurement.json"
    exports = tmp_path / "exports"
    run_bench(
        "procurement_bench.py",
        [
            "--quick",
            "--no-progress",
            "--page-limits",
            "7,500",
            "--out",
            str(out),
            "--export-dir",
            str(exports),
            *engine_args,
        ],
        timeout_s=600,
    )
    results = json.loads(out.read_text())
    assert results["schema"] == "terang-procurement-bench/1"
    assert len(results["machine"]["load_average_at_start"]) == 3
    assert results["sizes"] == {"bids": BIDS, "committee": "3 of 5", "tenders": TENDERS}
    (engine,) = results["engines"].values()

    bids = engine["sealed_bids"]
    for figure in (
        bids["seal"]["seconds"],
        bids["seal"]["seal"]["p50_ms"],
        bids["seal"]["sign"]["p50_ms"],
        bids["submit"]["seconds"],
        bids["submit"]["entries_per_s"],
        bids["submit"]["latency"]["p99_ms"],
        bids["close"]["seconds"],
        bids["opened"]["seconds"],
        bids["public_opening"]["open_seconds"],
        bids["server_peak_rss_mib"],
        bids["client_peak_rss_mib"],
        bids["ocds_record"]["seconds"],
        bids["ocds_record"]["bytes"],
        bids["ocds_record"]["server_peak_rss_mib"],
    ):
        assert positive(figure), bids
    assert bids["submit"]["latency"]["n"] == BIDS
    assert [r["member"] for r in bids["release"]] == [1, 2, 3]
    for release in bids["release"]:
        assert release["shares"] == BIDS and positive(release["submit_seconds"])
    assert bids["public_opening"]["bids_opened"] == BIDS
    assert bids["public_opening"]["all_prices_match"] is True
    assert bids["tender_after"] == {
        "state": "opened",
        "bids": {"active": BIDS, "ever": BIDS, "opened": BIDS, "unopenable": 0},
    }

    export = engine["ocds_export"]
    assert export["sizes"]["tenders"] == TENDERS
    assert sum(export["sizes"]["states"].values()) == TENDERS
    assert len(export["sizes"]["states"]) == 7  # every state of the mix
    assert positive(export["build"]["entries_per_s"])
    figures = {(e["package"], e["page_limit"]): e for e in export["exports"]}
    assert set(figures) == {(k, n) for k in ("releases", "records") for n in (7, 500)}
    for (kind, limit), figure in figures.items():
        for name in ("seconds", "bytes", "items", "server_peak_rss_mib", "server_cpu_seconds"):
            assert positive(figure[name]), (kind, limit, name)
        assert figure["pages"] == (3 if limit == 7 else 1)
    assert figures[("records", 7)]["items"] == TENDERS
    assert figures[("releases", 7)]["items"] == figures[("releases", 500)]["items"]

    # The assembled yearly packages: valid OCDS, every tender, the same at any page size.
    records = json.loads((exports / "ocds-records-2026-limit7.json").read_text())
    validator("record-package-schema.json").validate(records)
    assert len({r["ocid"] for r in records["records"]}) == TENDERS
    releases = json.loads((exports / "ocds-releases-2026-limit7.json").read_text())
    validator("release-package-schema.json").validate(releases)
    # Each export ran against its own server (its own port): document urls are absolute,
    # so they differ by origin only; everything else is the same.
    in_records = [r for record in records["records"] for r in record["releases"]]
    assert same_origin(releases["releases"]) == same_origin(in_records)
    paged_once = json.loads((exports / "ocds-releases-2026-limit500.json").read_text())
    assert same_origin(paged_once["releases"]) == same_origin(releases["releases"])
    for release in releases["releases"]:
        validator("release-schema.json").validate(release)
        check_codelists(release)
