"""Money, numbers and dates as each language writes them; the chart's geometry."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from budgeting.limits import AMOUNT_SEN_MAX
from ledger.errors import BadSetting
from portal import charts, formatting


@pytest.mark.parametrize(
    ("sen", "indonesian", "english"),
    [
        (0, "Rp 0,00", "IDR 0.00"),
        (5, "Rp 0,05", "IDR 0.05"),
        (100, "Rp 1,00", "IDR 1.00"),
        (123_456_789, "Rp 1.234.567,89", "IDR 1,234,567.89"),
        (-100_000_000, "-Rp 1.000.000,00", "-IDR 1,000,000.00"),
        (2**53 - 1, "Rp 90.071.992.547.409,91", "IDR 90,071,992,547,409.91"),
    ],
)
def test_rupiah_is_exact_in_both_languages(sen: int, indonesian: str, english: str) -> None:
    assert formatting.rupiah(sen, "id") == indonesian
    assert formatting.rupiah(sen, "en") == english


def test_rupiah_refuses_a_float() -> None:
    with pytest.raises(TypeError):
        formatting.rupiah(1.5, "id")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("sen", "indonesian", "english"),
    [
        (81_400_000_000, "Rp 814 jt", "IDR 814 m"),  # the examples
        (5_120_000_000_000, "Rp 51,2 M", "IDR 51.2 bn"),
        (29_948_179_400_000, "Rp 299 M", "IDR 299 bn"),
        (150_000_000_000_000, "Rp 1,5 T", "IDR 1.5 tn"),  # trailing zero dropped
        (299_000_000_000_000, "Rp 2,99 T", "IDR 2.99 tn"),
        (12_345_650, "Rp 123 rb", "IDR 123 k"),
        (99_950_000, "Rp 1 jt", "IDR 1 m"),  # 999,500 rounds up to the next scale
        (99_999_500_000, "Rp 1 M", "IDR 1 bn"),  # never "Rp 1.000 jt"
        (99_400_000_000, "Rp 994 jt", "IDR 994 m"),
        (99_449_999, "Rp 994 rb", "IDR 994 k"),  # half up: 994,499.99 stays 994 rb
        (-25_000_000_000, "-Rp 250 jt", "-IDR 250 m"),
        (123_456, "Rp 1,23 rb", "IDR 1.23 k"),
        (12_345, "Rp 123", "IDR 123"),
        (1_234, "Rp 12,3", "IDR 12.3"),
        (5, "Rp 0,05", "IDR 0.05"),
        (0, "Rp 0", "IDR 0"),
    ],
)
def test_short_amounts(sen: int, indonesian: str, english: str) -> None:
    assert formatting.rupiah_short(sen, "id") == indonesian
    assert formatting.rupiah_short(sen, "en") == english


SHORT_SUFFIX_SEN = {"T": 10**14, "M": 10**11, "jt": 10**8, "rb": 10**5, "": 100}


def read_short(text: str) -> tuple[Decimal, Decimal]:
    """A short Indonesian amount read back: (its value in sen, one unit of its last digit
    in sen), the way a reader takes ``Rp 51,2 M``."""
    negative = text.startswith("-")
    figure, _, suffix = text.removeprefix("-").removeprefix("Rp ").partition(" ")
    whole, _, fraction = figure.partition(",")
    unit = Decimal(SHORT_SUFFIX_SEN[suffix])
    value = Decimal(whole.replace(".", "") + "." + (fraction or "0")) * unit
    last_digit = unit.scaleb(-len(fraction))  # "Rp 250 jt": 1 jt; "Rp 51,2 M": 0,1 M
    return (-value if negative else value), last_digit


def significant_digits(text: str) -> int:
    figure = text.removeprefix("-").removeprefix("Rp ").partition(" ")[0]
    return len(figure.replace(".", "").replace(",", "").lstrip("0").rstrip("0"))


AMOUNTS = st.integers(min_value=-AMOUNT_SEN_MAX, max_value=AMOUNT_SEN_MAX)


@given(AMOUNTS)
def test_a_short_amount_has_at_most_three_significant_digits_and_is_close(sen: int) -> None:
    text = formatting.rupiah_short(sen, "id")
    assert significant_digits(text) <= 3, text
    shown, last_digit = read_short(text)
    assert abs(shown - sen) <= last_digit / 2, (sen, text)
    assert shown == formatting.round_significant(sen), (sen, text)
    english = formatting.rupiah_short(sen, "en")
    assert english.replace(",", "").replace("IDR ", "Rp ") == text.replace(".", "").replace(
        ",", "."
    ).replace(" T", " tn").replace(" M", " bn").replace(" jt", " m").replace(" rb", " k"), (
        text,
        english,
    )


@given(AMOUNTS, AMOUNTS)
def test_short_amounts_keep_the_order(a: int, b: int) -> None:
    low, high = sorted((a, b))
    assert (
        read_short(formatting.rupiah_short(low, "id"))[0]
        <= read_short(formatting.rupiah_short(high, "id"))[0]
    )


def test_numbers_percentages_and_dates() -> None:
    assert formatting.number(2966, "id") == "2.966"
    assert formatting.number(1_000_000, "en") == "1,000,000"
    assert formatting.number(-999, "id") == "-999"
    assert formatting.percent("89.05", "id") == "89,05%"
    assert formatting.percent("89.05", "en") == "89.05%"
    assert formatting.percent("", "en") == formatting.percent(None, "id") == "–"
    assert formatting.date("2025-03-13T02:00:00.000Z", "id") == "13 Maret 2025"
    assert formatting.date("2025-08-01", "en") == "1 August 2025"
    assert formatting.moment(None, "en") == "–"
    assert formatting.month_name(5, "id", short=True) == "Mei"


@pytest.mark.parametrize(
    ("zone", "indonesian", "english"),
    [
        ("WIB", "13 Maret 2025 09.05 WIB", "13 March 2025 09:05 WIB"),
        ("WITA", "13 Maret 2025 10.05 WITA", "13 March 2025 10:05 WITA"),
        ("WIT", "13 Maret 2025 11.05 WIT", "13 March 2025 11:05 WIT"),
    ],
)
def test_a_moment_is_shown_in_the_regions_zone_with_its_label(
    zone: str, indonesian: str, english: str
) -> None:
    assert formatting.moment("2025-03-13T02:05:00.000Z", "id", zone) == indonesian
    assert formatting.moment("2025-03-13T02:05:00Z", "en", zone) == english


def test_the_date_of_an_instant_is_its_local_date() -> None:
    # 20:00 UTC on 12 March is 03:00 on 13 March in WIB; 16:59 UTC is still the 12th.
    assert formatting.date("2025-03-12T20:00:00.000Z", "id", "WIB") == "13 Maret 2025"
    assert formatting.moment("2025-03-12T20:00:00.000Z", "id") == "13 Maret 2025 03.00 WIB"
    assert formatting.date("2025-03-12T16:59:59.999Z", "id", "WIB") == "12 Maret 2025"
    assert formatting.date("2025-03-12T15:00:00.000Z", "en", "WIT") == "13 March 2025"
    assert formatting.date("2025-12-31T16:00:00.000Z", "en", "WITA") == "1 January 2026"
    # A calendar date (a contract's start) has no zone: it is shown as written.
    assert formatting.date("2025-03-12", "id", "WIT") == "12 Maret 2025"


def test_only_the_three_zones_are_accepted() -> None:
    for bad in ("wib", "UTC", "Asia/Jakarta", "+07:00", ""):
        with pytest.raises(BadSetting, match=r"WIB .*WITA .*WIT"):
            formatting.moment("2025-03-13T02:05:00.000Z", "id", bad)


def test_meter_value_is_clamped_and_defined_without_a_budget() -> None:
    assert formatting.percent_value(50, 200) == 25.0
    assert formatting.percent_value(300, 200) == 100.0
    assert formatting.percent_value(-1, 200) == 0.0
    assert formatting.percent_value(5, 0) == 0.0


def test_monthly_chart_scales_to_the_largest_month() -> None:
    plan = [100] * 12
    real = [0, 50, 200, -10, 0, 0, 0, 0, 0, 0, 0, 0]
    chart = charts.monthly_chart(plan, real)
    height = charts.PLOT_BOTTOM - charts.PLOT_TOP
    assert chart.scale_sen == 200
    assert chart.realised[2].height == height  # the largest month fills the plot
    assert chart.plan[0].height == height / 2
    assert chart.realised[3].height == 0  # a net reversal draws as nothing, not downwards
    for bar in (*chart.plan, *chart.realised):
        assert bar.y + bar.height == pytest.approx(charts.PLOT_BOTTOM)
        assert bar.x >= charts.PLOT_LEFT and bar.x + bar.width <= charts.PLOT_RIGHT
    assert all(a.x < b.x for a, b in zip(chart.plan, chart.realised, strict=True))
    empty = charts.monthly_chart([0] * 12, [0] * 12)
    assert {bar.height for bar in empty.plan} == {0}
    with pytest.raises(ValueError):
        charts.monthly_chart([1] * 11, [1] * 12)
