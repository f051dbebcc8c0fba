"""Money, numbers and dates as each language writes them; the chart's geometry."""

from __future__ import annotations

import pytest

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
        (29_948_179_400_000, "Rp 299,48 M", "IDR 299.48 bn"),
        (150_000_000_000_000, "Rp 1,50 T", "IDR 1.50 tn"),
        (12_345_650, "Rp 123.457", "IDR 123,457"),
        (99_500_000, "Rp 1,00 jt", "IDR 1.00 m"),  # 0.995 million rounds up to 1.00
        (99_999_500_000, "Rp 1,00 M", "IDR 1.00 bn"),  # 999,995,000 rounds up a scale
        (99_400_000_000, "Rp 994,00 jt", "IDR 994.00 m"),
        (99_499_999, "Rp 995.000", "IDR 995,000"),  # whole rupiah, rounded half up
        (-250_000_000_00, "-Rp 250,00 jt", "-IDR 250.00 m"),
    ],
)
def test_short_amounts_for_chart_labels(sen: int, indonesian: str, english: str) -> None:
    assert formatting.rupiah_short(sen, "id") == indonesian
    assert formatting.rupiah_short(sen, "en") == english


def test_numbers_percentages_and_dates() -> None:
    assert formatting.number(2966, "id") == "2.966"
    assert formatting.number(1_000_000, "en") == "1,000,000"
    assert formatting.number(-999, "id") == "-999"
    assert formatting.percent("89.05", "id") == "89,05%"
    assert formatting.percent("89.05", "en") == "89.05%"
    assert formatting.percent("", "en") == formatting.percent(None, "id") == "–"
    assert formatting.date("2025-03-13T02:00:00.000Z", "id") == "13 Maret 2025"
    assert formatting.date("2025-08-01", "en") == "1 August 2025"
    assert formatting.moment("2025-03-13T02:05:00.000Z", "id") == "13 Maret 2025 02.05 UTC"
    assert formatting.moment("2025-03-13T02:05:00.000Z", "en") == "13 March 2025 02:05 UTC"
    assert formatting.moment(None, "en") == "–"
    assert formatting.month_name(5, "id", short=True) == "Mei"


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
