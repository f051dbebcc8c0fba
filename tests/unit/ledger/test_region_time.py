"""The region's time zone is a setting (issue 13 item 7): one of three, checked at start."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ledger.errors import BadSetting, ClientError
from ledger.region_time import ZONES, local_time_text, parse_local_time, zone_info
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


# -- what a person types --------------------------------------------------------------

MINUTES = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2099, 12, 31), timezones=st.just(UTC)
).map(lambda moment: moment.replace(second=0, microsecond=0))


@given(moment=MINUTES, zone=st.sampled_from(sorted(ZONES)), shown=st.sampled_from(sorted(ZONES)))
def test_a_time_told_back_in_a_zone_reads_as_the_same_instant(
    moment: datetime, zone: str, shown: str
) -> None:
    """What the CLI says back (``2026-12-10 14:00 WITA``) is what it signed, in any zone."""
    told = local_time_text(moment, shown)
    assert parse_local_time(told, zone) == moment
    bare = told.rsplit(" ", 1)[0]  # no label: read in the region's zone
    assert parse_local_time(bare, shown) == moment


@pytest.mark.parametrize(
    ("typed", "utc"),
    [
        ("2026-12-10 14:00", "2026-12-10T07:00:00+00:00"),  # the region's zone (WIB here)
        ("2026-12-10 14:00 WITA", "2026-12-10T06:00:00+00:00"),
        ("2026-12-10T14:00:30 WIT", "2026-12-10T05:00:30+00:00"),
        ("2026-12-10T14:00+08:00", "2026-12-10T06:00:00+00:00"),
        ("2026-12-10T06:00:00Z", "2026-12-10T06:00:00+00:00"),
    ],
)
def test_every_way_of_typing_a_time_is_the_instant_meant(typed: str, utc: str) -> None:
    assert parse_local_time(typed, "WIB").isoformat() == utc


@pytest.mark.parametrize(
    "typed", ["2026-12-10", "14:00", "2026-12-10 14:00 CET", "2026-13-01 10:00", "besok jam 2", ""]
)
def test_a_time_that_is_not_one_is_refused_with_examples(typed: str) -> None:
    with pytest.raises(ClientError, match="2026-12-10 14:00 WITA") as refused:
        parse_local_time(typed, "WIB", field="--bid-deadline")
    assert refused.value.code == "bad_time"
