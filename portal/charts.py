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


OPDS_SHOWN: Final = 10
"""OPDs the home page's chart draws by name; the rest are summed into one row."""
OPD_ROW_HEIGHT: Final = 40
"""Each OPD's slot: its name, then the budget bar above the realised bar."""
OPD_BAR_HEIGHT: Final = 11
OPD_LABEL_HEIGHT: Final = 14


@dataclass(frozen=True)
class Share:
    """One OPD's belanja (sen): a code and name, or ``code == ""`` for the other OPDs summed."""

    code: str
    name: str
    budget_sen: int
    realised_sen: int


@dataclass(frozen=True)
class OpdRow:
    share: Share
    budget: Bar
    realised: Bar
    label_y: float
    """The baseline of the OPD's name, above its two bars."""


@dataclass(frozen=True)
class OpdChart:
    rows: tuple[OpdRow, ...]
    scale_sen: int
    """The figure a full-width bar stands for (the largest budget or realisation)."""
    width: int
    height: int
    left: int = PLOT_LEFT


def top_shares(shares: Sequence[Share], shown: int = OPDS_SHOWN) -> tuple[Share, ...]:
    """The ``shown`` largest budgets (ties in code order), then the rest summed as one
    ``code == ""`` share when there is a rest: the rows add up to the year's belanja."""
    ranked = sorted(shares, key=lambda s: (-s.budget_sen, s.code))
    head, rest = ranked[:shown], ranked[shown:]
    if not rest:
        return tuple(head)
    other = Share(
        code="",
        name="",
        budget_sen=sum(s.budget_sen for s in rest),
        realised_sen=sum(s.realised_sen for s in rest),
    )
    return (*head, other)


def opd_chart(shares: Sequence[Share]) -> OpdChart:
    """Horizontal bars, one slot per share in the order given: budget and realised,
    widths scaled to the largest figure; a zero or negative figure draws a zero-width bar."""
    scale = max([1, *(s.budget_sen for s in shares), *(s.realised_sen for s in shares)])
    plot_width = PLOT_RIGHT - PLOT_LEFT

    def bar(value: int, y: float) -> Bar:
        width = round(max(0, value) * plot_width / scale, 1)
        return Bar(PLOT_LEFT, round(y, 1), width, OPD_BAR_HEIGHT)

    rows = []
    for index, share in enumerate(shares):
        top = PLOT_TOP + index * OPD_ROW_HEIGHT
        bars_top = top + OPD_LABEL_HEIGHT
        rows.append(
            OpdRow(
                share=share,
                budget=bar(share.budget_sen, bars_top),
                realised=bar(share.realised_sen, bars_top + OPD_BAR_HEIGHT + 1),
                label_y=top + OPD_LABEL_HEIGHT - 3,
            )
        )
    height = PLOT_TOP + len(shares) * OPD_ROW_HEIGHT
    return OpdChart(rows=tuple(rows), scale_sen=scale, width=VIEW_WIDTH, height=height)
