"""Server-drawn charts: geometry for an inline SVG, no script and no style attribute.

The monthly chart puts, for each month, the cash plan (anggaran kas) beside the
realisation. Heights are scaled to the largest monthly figure; the SVG is
``aria-hidden`` decoration and the table printed with it is the text equivalent.
All geometry is in the SVG's own units (``VIEW_WIDTH`` x ``VIEW_HEIGHT``); the
browser scales it to the page width.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

VIEW_WIDTH: Final = 600
VIEW_HEIGHT: Final = 240
PLOT_TOP: Final = 16
PLOT_BOTTOM: Final = 208
PLOT_LEFT: Final = 8
PLOT_RIGHT: Final = 592
MONTHS: Final = 12


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True)
class MonthlyChart:
    plan: tuple[Bar, ...]
    realised: tuple[Bar, ...]
    label_x: tuple[float, ...]
    """Centre of each month's slot, for its label."""
    scale_sen: int
    """The figure a full-height bar stands for (the largest month)."""
    width: int = VIEW_WIDTH
    height: int = VIEW_HEIGHT
    baseline: int = PLOT_BOTTOM
    top: int = PLOT_TOP


def monthly_chart(plan_sen: Sequence[int], realised_sen: Sequence[int]) -> MonthlyChart:
    """Two bars per month (plan, realised); negative months (reversals) draw as zero."""
    if len(plan_sen) != MONTHS or len(realised_sen) != MONTHS:
        raise ValueError("a monthly chart needs twelve months of each series")
    scale = max([1, *plan_sen, *realised_sen])
    slot = (PLOT_RIGHT - PLOT_LEFT) / MONTHS
    bar_width = slot * 0.38
    plot_height = PLOT_BOTTOM - PLOT_TOP

    def bar(index: int, offset: float, value: int) -> Bar:
        height = round(max(0, value) * plot_height / scale, 1)
        x = PLOT_LEFT + index * slot + offset
        return Bar(round(x, 1), round(PLOT_BOTTOM - height, 1), round(bar_width, 1), height)

    gap = slot * 0.08
    return MonthlyChart(
        plan=tuple(bar(i, gap, v) for i, v in enumerate(plan_sen)),
        realised=tuple(bar(i, gap + bar_width + gap / 2, v) for i, v in enumerate(realised_sen)),
        label_x=tuple(round(PLOT_LEFT + (i + 0.5) * slot, 1) for i in range(MONTHS)),
        scale_sen=scale,
    )
