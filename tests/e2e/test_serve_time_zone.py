"""``terang serve --time-zone`` / ``TERANG_TIME_ZONE`` (issue 13 item 7).

An operator in Makassar or Jayapura sets the region's zone once, and the portal's times
read in it; a mistyped zone stops the service at start, naming the three it accepts,
rather than serving times in a zone nobody chose. The zone is a display setting: the
storage engine plays no part, so this runs on SQLite only.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from conftest import TERANG, run, serving

ALLOWED = "WIB (Asia/Jakarta), WITA (Asia/Makassar), WIT (Asia/Jayapura)"


def environment(tmp_path: Path, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "TERANG_DATABASE_URL": f"sqlite:///{tmp_path / 'terang.db'}",
        "PYTHONPATH": os.pathsep.join(sys.path),
        **extra,
    }


@pytest.mark.parametrize(
    ("options", "extra", "named"),
    [
        (("--time-zone", "CET"), {}, "'CET'"),
        (("--time-zone", "wita"), {}, "'wita'"),  # one spelling: the label as printed
        ((), {"TERANG_TIME_ZONE": "Asia/Jakarta"}, "'Asia/Jakarta'"),
    ],
)
def test_a_zone_other_than_the_three_stops_the_service_and_names_them(
    tmp_path: Path, options: tuple[str, ...], extra: dict[str, str], named: str
) -> None:
    result = subprocess.run(
        [*TERANG, "serve", *options],
        cwd=tmp_path,
        env=environment(tmp_path, **extra),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 1
    assert "error[bad_setting]: the time zone" in result.stderr
    assert f"must be one of {ALLOWED}, not {named}" in result.stderr


@pytest.mark.slow
def test_the_portal_shows_times_in_the_zone_the_operator_set(tmp_path: Path) -> None:
    env = environment(tmp_path)
    run(tmp_path, env, "init", "--origin", "kab-contoh.example/terang")
    run(tmp_path, env, "demo")
    settings = [
        (("--time-zone", "WIT"), env, "WIT"),
        ((), {**env, "TERANG_TIME_ZONE": "WITA"}, "WITA"),
        ((), env, "WIB"),  # the default
    ]
    for options, serve_env, zone in settings:
        with serving(tmp_path, serve_env, *options) as base:
            page = httpx.get(base + "/tender", timeout=30).text
            api = httpx.get(base + "/api/v1/procurement/tenders?limit=100", timeout=30).text
        shown = re.findall(r"<time datetime=\"([^\"]+)\" title=\"\1\">([^<]+)</time>", page)
        assert shown, zone
        assert all(instant.endswith("Z") and text.endswith(f" {zone}") for instant, text in shown)
        # The API says the same instants, in UTC, whatever the zone.
        assert all(f'"{instant}"' in api for instant, _ in shown), zone
