"""The region's time zone is a setting (issue 13 item 7): one of three, checked at start."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from ledger.errors import BadSetting
from ledger.region_time import ZONES, zone_info
from ledger.service import Settings


def test_the_default_is_wib_and_the_environment_sets_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TERANG_TIME_ZONE", raising=False)
    assert Settings.from_env().time_zone == "WIB"
    monkeypatch.setenv("TERANG_TIME_ZONE", "")  # blank: the default, as for the other settings
    assert Settings.from_env().time_zone == "WIB"
    monkeypatch.setenv("TERANG_TIME_ZONE", "WIT")
    assert Settings.from_env().time_zone == "WIT"


@pytest.mark.parametrize("raw", ["wita", "WITA ", "UTC", "Asia/Makassar", "+08:00", "CET"])
def test_any_other_zone_is_refused_naming_the_three(
    monkeypatch: pytest.MonkeyPatch, raw: str
) -> None:
    message = r"must be one of WIB \(Asia/Jakarta\), WITA \(Asia/Makassar\), WIT \(Asia/Jayapura\)"
    monkeypatch.setenv("TERANG_TIME_ZONE", raw)
    with pytest.raises(BadSetting, match=message):
        Settings.from_env()
    with pytest.raises(BadSetting, match=message):  # the CLI's --time-zone goes this way
        replace(Settings(), time_zone=raw)


def test_the_zones_are_the_fixed_offsets_indonesia_keeps() -> None:
    """No daylight saving: the same offset in January and in July, now and in 2040."""
    hours = {"WIB": 7, "WITA": 8, "WIT": 9}
    assert set(ZONES) == set(hours)
    for label, offset in hours.items():
        for month in (1, 7):
            for year in (2025, 2040):
                instant = datetime(year, month, 1, tzinfo=UTC)
                assert instant.astimezone(zone_info(label)).utcoffset() == timedelta(hours=offset)
