"""The "Earlier months" block of each SLO: a table and a bar chart of budget consumed per month."""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup

from ..archive import Revision
from ..compute.gaps import partial
from ..format import used
from ..policy import SloAssessment
from ..window import Month
from .charts import (
    AXIS_TEXT,
    GRID,
    HEIGHT,
    INK,
    LEFT,
    MUTED,
    NO_DATA_FILL,
    PLOT_W,
    RED,
    WIDTH,
    _legend,
    _line,
    _n,
    _svg,
    _text,
)

BAR_BLUE = "#1d5fa8"


@dataclass(frozen=True)
class HistoryRow:
    month: str
    """``Sep 2026``."""
    objective: float
    sli: float | None
    status: str
    budget_consumed: float | None
    zone: str
    current: bool
    coverage: float | None = None
    partial: bool = False
    """More of the month had no data than its error budget: its figures are not a whole month's."""


@dataclass(frozen=True)
class HistorySection:
    rows: tuple[HistoryRow, ...]
    """Earlier months, oldest first, then this month."""
    chart: Markup
    revisions: tuple[Revision, ...] = ()
    """Earlier runs of this month that stated another SLI (late labels or late data), oldest first."""


def history_section(assessed: SloAssessment, month: str, revisions: tuple[Revision, ...] = ()) -> HistorySection | None:
    """None when no earlier month of this SLO exists in the output folder and this month was never revised."""
    if not assessed.history and not revisions:
        return None
    r = assessed.result
    rows = tuple(
        HistoryRow(
            _label(h.month),
            h.objective,
            h.sli,
            h.status,
            h.budget_consumed,
            h.zone,
            False,
            h.coverage,
            partial(h.coverage, h.objective),
        )
        for h in assessed.history
    )
    rows += (
        HistoryRow(
            _label(month),
            r.objective,
            r.sli,
            r.status,
            r.budget.consumed,
            assessed.zone.name,
            True,
            r.coverage,
            partial(r.coverage, r.objective),
        ),
    )
    return HistorySection(rows, consumption_chart(rows), revisions)


def _label(month: Month | str) -> str:
    parsed = month if isinstance(month, Month) else Month.parse(month)
    return f"{parsed.label()[:3]} {parsed.year}"


def consumption_chart(rows: tuple[HistoryRow, ...]) -> Markup:
    """Bars of budget consumed per month against the 100% line; overspent months in red."""
    legend, top = _legend(
        [
            ('<rect x="0" y="-4" width="18" height="8" fill="#1d5fa8"/>', "budget used"),
            ('<rect x="0" y="-4" width="18" height="8" fill="#c62828"/>', "over 100%"),
            (f'<rect x="0" y="-4" width="18" height="8" fill="{NO_DATA_FILL}"/>', "partial month (too little data)"),
        ]
    )
    bottom = HEIGHT - 32
    # A partial month never sets the scale: its bar is cut at the top of the axis (its label says how much).
    values = [r.budget_consumed for r in rows if r.budget_consumed is not None and not r.partial]
    ceiling = max([1.0] + values) * 1.15
    scale = (bottom - top) / ceiling
    body = legend
    step = 0.5 if ceiling <= 2.2 else max(1, round(ceiling / 4))
    for tick in [i * step for i in range(int(ceiling / step) + 1)]:
        y = bottom - tick * scale
        body.append(
            _line(
                LEFT,
                y,
                LEFT + PLOT_W,
                y,
                GRID if tick != 1.0 else INK,
                0.8 if tick != 1.0 else 1.2,
                None if tick != 1.0 else "4 3",
            )
        )
        body.append(_text(LEFT - 6, y + 4, f"{tick:.0%}", anchor="end", size=AXIS_TEXT, fill=INK))
    slot = PLOT_W / len(rows)
    for index, row in enumerate(rows):
        x = LEFT + index * slot + slot * 0.2
        width = slot * 0.6
        centre = x + width / 2
        body.append(
            _text(
                centre,
                bottom + 14,
                row.month,
                anchor="middle",
                size=AXIS_TEXT,
                fill=INK,
                weight="bold" if row.current else "normal",
            )
        )
        if row.budget_consumed is None:
            body.append(_text(centre, bottom - 6, "no data", anchor="middle", size=8.5, fill=MUTED))
            continue
        height = max(0.5, min(row.budget_consumed, ceiling) * scale)
        colour = NO_DATA_FILL if row.partial else RED if row.budget_consumed > 1 else BAR_BLUE
        body.append(
            f'<rect x="{_n(x)}" y="{_n(bottom - height)}" width="{_n(width)}" height="{_n(height)}" fill="{colour}"/>'
        )
        body.append(
            _text(
                centre,
                bottom - height + 14 if row.budget_consumed > ceiling else bottom - height - 4,
                used(row.budget_consumed) + (" (partial)" if row.partial else ""),
                anchor="middle",
                size=10,
                fill=INK if row.partial else colour,
                weight="bold" if row.current else "normal",
            )
        )
    body.append(_text(WIDTH / 2, HEIGHT - 4, "month (this month in bold)", anchor="middle", size=AXIS_TEXT, fill=INK))
    return _svg(body, "Error budget consumed per month")
