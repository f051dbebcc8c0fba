"""The home page's OPD chart: pure geometry, checked without a browser.

A reader trusts a bar's length as a figure: the longest bar is the largest amount, no
bar leaves the plot (an over-realised OPD included), an OPD without a budget draws
nothing, and the rows (top ten plus the rest summed) add up to the year's total.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portal import charts
from portal.charts import Share


def share(code: str, budget: int, realised: int = 0) -> Share:
    return Share(code=code, name=f"OPD {code}", budget_sen=budget, realised_sen=realised)


def test_the_largest_budgets_come_first_and_the_rest_is_summed() -> None:
    shares = [share(f"{i:02d}", budget=i * 100, realised=i) for i in range(1, 14)]
    top = charts.top_shares(shares)
    assert [s.code for s in top[:10]] == [f"{i:02d}" for i in range(13, 3, -1)]
    other = top[10]
    assert other.code == "" and other.budget_sen == 100 + 200 + 300
    assert other.realised_sen == 1 + 2 + 3
    assert sum(s.budget_sen for s in top) == sum(s.budget_sen for s in shares)
    assert len(top) == charts.OPDS_SHOWN + 1


def test_ten_or_fewer_opds_have_no_other_row_and_ties_go_in_code_order() -> None:
    top = charts.top_shares([share("03", 5), share("01", 5), share("02", 9)])
    assert [s.code for s in top] == ["02", "01", "03"]
    assert charts.top_shares([]) == ()


def test_bars_scale_to_the_largest_figure_and_zero_draws_nothing() -> None:
    chart = charts.opd_chart([share("01", 200, 300), share("02", 100, 0), share("03", 0, 0)])
    full = charts.PLOT_RIGHT - charts.PLOT_LEFT
    assert chart.scale_sen == 300
    assert chart.rows[0].realised.width == full  # over-realised: the scale, not past it
    assert chart.rows[1].budget.width == pytest.approx(full / 3, abs=0.1)
    assert chart.rows[1].realised.width == 0
    assert chart.rows[2].budget.width == 0 and chart.rows[2].realised.width == 0
    empty = charts.opd_chart([])
    assert empty.rows == () and empty.height == charts.PLOT_TOP


amounts = st.integers(min_value=-(10**15), max_value=10**17)


@given(st.lists(st.tuples(amounts, amounts), max_size=12))
def test_no_bar_leaves_the_plot_and_rows_do_not_overlap(figures: list[tuple[int, int]]) -> None:
    chart = charts.opd_chart([share(f"{i:02d}", b, r) for i, (b, r) in enumerate(figures)])
    previous_bottom = 0.0
    for row in chart.rows:
        for bar in (row.budget, row.realised):
            assert bar.x == charts.PLOT_LEFT
            assert 0 <= bar.width <= charts.PLOT_RIGHT - charts.PLOT_LEFT
            assert bar.y + bar.height <= chart.height
        assert previous_bottom < row.label_y < row.budget.y < row.realised.y
        previous_bottom = row.realised.y + row.realised.height
    widest = max([0, *(max(b, r) for b, r in figures)])
    if widest > 0:
        assert max(max(r.budget.width, r.realised.width) for r in chart.rows) == (
            charts.PLOT_RIGHT - charts.PLOT_LEFT
        )
