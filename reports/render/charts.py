"""Inline SVG charts: pure functions from results to ``Markup``.

Plain SVG 1.1 (lines, polylines, paths, rects, text) so that browsers and WeasyPrint draw
the same picture; every piece of text is escaped. Coordinates live in a fixed viewBox and
the SVG scales to the width of its container: one chart per row of an A4 page, so that axis
text prints at about 8 pt. Incidents, maintenance and periods without data are shaded.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from markupsafe import Markup, escape

from ..compute.results import BudgetPoint, DayBurn
from ..format import objective as objective_text
from ..format import share
from ..format import sli as sli_text

WIDTH, HEIGHT = 640, 230
LEFT, RIGHT, BOTTOM = 72, 58, 36
PLOT_W = WIDTH - LEFT - RIGHT
LEGEND_ROW = 13
LEGEND_ROWS = 2
"""Room kept for the legend above every plot, so that charts side by side line up."""
FONT = "DejaVu Sans, Helvetica, Arial, sans-serif"

INK, GRID, MUTED = "#1f2933", "#d9dee3", "#616e7c"
BLUE, RED, ORANGE, GAP = "#1d5fa8", "#c62828", "#d9730d", "#e6e9ec"
RED_FILL = "#fbe3e3"
INCIDENT_FILL, MAINTENANCE_FILL, NO_DATA_FILL = "#f6c9c9", "#cfe0f3", "#c9ced4"
BAND_FILLS = {"incident": INCIDENT_FILL, "maintenance": MAINTENANCE_FILL, "no data": NO_DATA_FILL}
BAND_LABELS = {"incident": "incident", "maintenance": "maintenance (excluded)", "no data": "no data"}
AXIS_TEXT, LEGEND_TEXT = 11, 10.5
MIN_BAND_WIDTH = 4.0
"""A five-minute gap in a 31-day month is 0.07 units wide: drawn at least this wide so it shows."""


@dataclass(frozen=True)
class Band:
    """A period to shade, as fractions of the window: [start, end)."""

    start: float
    end: float
    kind: str
    """``incident``, ``maintenance`` or ``no data``."""


CLIP_BUDGETS = 5
"""The daily-SLI axis shows this many error budgets below 100% (down to 99.5% for 99.9%)."""
DAY_TICKS = (1, 5, 10, 15, 20, 25, 30)


def _n(value: float) -> str:
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _text(
    x: float, y: float, text: str, *, anchor: str = "start", size: float = 10, fill: str = INK, weight: str = "normal"
) -> str:
    bold = ' font-weight="bold"' if weight == "bold" else ""
    return (
        f'<text x="{_n(x)}" y="{_n(y)}" font-size="{size}" fill="{fill}" text-anchor="{anchor}"{bold}>'
        f"{escape(text)}</text>"
    )


def _line(x1: float, y1: float, x2: float, y2: float, stroke: str, width: float = 1, dash: str | None = None) -> str:
    dashed = f' stroke-dasharray="{dash}"' if dash else ""
    return (
        f'<line x1="{_n(x1)}" y1="{_n(y1)}" x2="{_n(x2)}" y2="{_n(y2)}" stroke="{stroke}" '
        f'stroke-width="{width}"{dashed}/>'
    )


def _polyline(points: Sequence[tuple[float, float]], stroke: str, width: float = 1.5) -> str:
    coords = " ".join(f"{_n(x)},{_n(y)}" for x, y in points)
    return (
        f'<polyline points="{coords}" fill="none" stroke="{stroke}" stroke-width="{width}" '
        f'stroke-linejoin="round" stroke-linecap="round"/>'
    )


def _svg(body: list[str], label: str) -> Markup:
    return Markup(
        f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'width="{WIDTH}" height="{HEIGHT}" role="img" aria-label="{escape(label)}" '
        f'font-family="{FONT}"><title>{escape(label)}</title>' + "".join(body) + "</svg>"
    )


def _legend(items: Sequence[tuple[str, str]]) -> tuple[list[str], float]:
    """``items``: (swatch SVG drawn in x 0..18 around y 0, label). Wraps into rows;
    returns the SVG and the y at which the plot area may start."""
    out, x, y = [], 4.0, 10.0
    for swatch, label in items:
        width = 22 + 6.0 * len(label) + 12
        if x > 4 and x + width > WIDTH:
            x, y = 4.0, y + LEGEND_ROW
        out.append(f'<g transform="translate({_n(x)},{_n(y)})">{swatch}</g>')
        out.append(_text(x + 22, y + 4, label, size=LEGEND_TEXT, fill=INK))
        x += width
    return out, max(y, 10.0 + LEGEND_ROW * (LEGEND_ROWS - 1)) + 13


def _swatch_line(colour: str, width: float, dash: str | None = None) -> str:
    dashed = f' stroke-dasharray="{dash}"' if dash else ""
    return f'<line x1="0" y1="0" x2="18" y2="0" stroke="{colour}" stroke-width="{width}"{dashed}/>'


def _day_axis(body: list[str], ticks: Sequence[tuple[float, int]], bottom: float, axis_label: str) -> None:
    for x, day in ticks:
        body.append(_line(x, bottom, x, bottom + 4, MUTED, 0.8))
        body.append(_text(x, bottom + 15, str(day), anchor="middle", size=AXIS_TEXT, fill=INK))
    body.append(_text(LEFT + PLOT_W / 2, HEIGHT - 4, axis_label, anchor="middle", size=AXIS_TEXT, fill=INK))


def _y_title(body: list[str], top: float, bottom: float, title: str) -> None:
    middle = (top + bottom) / 2
    body.append(
        f'<text x="12" y="{_n(middle)}" font-size="{AXIS_TEXT}" fill="{INK}" text-anchor="middle" '
        f'transform="rotate(-90 12 {_n(middle)})">{escape(title)}</text>'
    )


def _band_legend(bands: Sequence[Band]) -> list[tuple[str, str]]:
    kinds = [k for k in BAND_FILLS if any(b.kind == k for b in bands)]
    return [(f'<rect x="0" y="-5" width="18" height="10" fill="{BAND_FILLS[k]}"/>', BAND_LABELS[k]) for k in kinds]


def _bands(body: list[str], bands: Sequence[Band], top: float, height: float) -> None:
    """Shade each band over the plot's full height, no data under incidents under maintenance."""
    for kind in ("no data", "incident", "maintenance"):
        for band in bands:
            if band.kind != kind:
                continue
            x = LEFT + max(0.0, band.start) * PLOT_W
            width = max(MIN_BAND_WIDTH, (min(1.0, band.end) - max(0.0, band.start)) * PLOT_W)
            body.append(
                f'<rect class="band {kind.replace(" ", "-")}" x="{_n(x)}" y="{_n(top)}" width="{_n(width)}" '
                f'height="{_n(height)}" fill="{BAND_FILLS[kind]}"/>'
            )


def sli_floor(objective: float) -> float:
    return max(0.0, round(1 - CLIP_BUDGETS * (1 - objective), 10))


def daily_sli_chart(days: Sequence[DayBurn], objective: float, axis_label: str, bands: Sequence[Band] = ()) -> Markup:
    """Each local day's SLI against the objective line.

    The y-axis runs from ``CLIP_BUDGETS`` error budgets below 100% up to 100%, so the
    objective sits at a readable height whatever its number of nines; a day below the axis
    is drawn as a red marker on the axis with its value written beside it. Days without
    traffic or data are grey columns, and the line breaks there.
    """
    budget = 1 - objective
    floor = sli_floor(objective)
    span = 1 - floor
    step_x = PLOT_W / max(1, len(days))
    clipped_any = any(d.sli is not None and d.sli < floor for d in days)
    gaps_any = any(d.sli is None for d in days)

    legend_items = [
        (_swatch_line(BLUE, 1.5) + f'<circle cx="9" cy="0" r="2.2" fill="{BLUE}"/>', "daily SLI"),
        (f'<circle cx="9" cy="0" r="3" fill="{RED}"/>', "below objective"),
        (_swatch_line(ORANGE, 1.4, "5 3"), f"objective {objective_text(objective)}"),
    ]
    if clipped_any:
        legend_items.append((f'<path d="M4,-4 L14,-4 L9,4 Z" fill="{RED}"/>', f"under {objective_text(floor)}"))
    if gaps_any:
        legend_items.append((f'<rect x="0" y="-5" width="18" height="10" fill="{GAP}"/>', "day without traffic"))
    legend_items += _band_legend(bands)
    body, top = _legend(legend_items)
    top += 4
    plot_h = HEIGHT - top - BOTTOM
    bottom = top + plot_h

    def x_of(index: int) -> float:
        return LEFT + (index + 0.5) * step_x

    def y_of(value: float) -> float:
        return top + (1 - (value - floor) / span) * plot_h

    body.append(
        f'<rect x="{LEFT}" y="{_n(top)}" width="{PLOT_W}" height="{_n(plot_h)}" fill="#ffffff" stroke="{GRID}"/>'
    )
    for index, day in enumerate(days):
        if day.sli is None:
            body.append(
                f'<rect x="{_n(LEFT + index * step_x)}" y="{_n(top)}" width="{_n(step_x)}" '
                f'height="{_n(plot_h)}" fill="{GAP}"/>'
            )
    _bands(body, bands, top, plot_h)
    _y_title(body, top, bottom, "daily SLI")
    for k in range(CLIP_BUDGETS + 1):
        tick = round(1 - k * budget, 10)
        if tick < floor - 1e-12:
            break
        y = y_of(tick)
        body.append(_line(LEFT, y, LEFT + PLOT_W, y, GRID, 0.7))
        body.append(_text(LEFT - 5, y + 4, objective_text(tick), anchor="end", size=AXIS_TEXT, fill=INK))
    _day_axis(body, [(x_of(i), d.day.day) for i, d in enumerate(days) if d.day.day in DAY_TICKS], bottom, axis_label)

    y_obj = y_of(objective)
    body.append(_line(LEFT, y_obj, LEFT + PLOT_W, y_obj, ORANGE, 1.4, "5 3"))
    body.append(
        _text(LEFT + PLOT_W + 4, y_obj + 3.5, objective_text(objective), size=AXIS_TEXT, fill=ORANGE, weight="bold")
    )

    runs: list[list[tuple[float, float]]] = [[]]
    for index, day in enumerate(days):
        if day.sli is None:
            runs.append([])
        else:
            runs[-1].append((x_of(index), y_of(max(day.sli, floor))))
    for run in runs:
        if len(run) > 1:
            body.append(_polyline(run, BLUE))

    clipped = 0
    for index, day in enumerate(days):
        if day.sli is None:
            continue
        x = x_of(index)
        if day.sli < floor:
            body.append(
                f'<path d="M{_n(x - 4.5)},{_n(bottom - 8)} L{_n(x + 4.5)},{_n(bottom - 8)} '
                f'L{_n(x)},{_n(bottom)} Z" fill="{RED}"/>'
            )
            lift = 11 if clipped % 2 == 0 else 21
            anchor = "end" if x > LEFT + PLOT_W - 22 else "start" if x < LEFT + 22 else "middle"
            shift = {"end": 3, "start": -3, "middle": 0}[anchor]
            label = sli_text(day.sli, objective)
            width = 6.4 * len(label) + 3
            left = {"end": x + shift - width + 1.5, "start": x + shift - 1.5, "middle": x - width / 2}[anchor]
            body.append(
                f'<rect x="{_n(left)}" y="{_n(bottom - lift - 9)}" width="{_n(width)}" height="11.5" '
                f'fill="#ffffff" fill-opacity="0.9"/>'
            )
            body.append(_text(x + shift, bottom - lift, label, anchor=anchor, size=10, fill=RED, weight="bold"))
            clipped += 1
        elif day.sli < objective:
            body.append(f'<circle cx="{_n(x)}" cy="{_n(y_of(day.sli))}" r="3" fill="{RED}"/>')
        else:
            body.append(f'<circle cx="{_n(x)}" cy="{_n(y_of(day.sli))}" r="2.2" fill="{BLUE}"/>')
    return _svg(body, f"Daily SLI against the {objective_text(objective)} objective; x: {axis_label}")


def _nice_step(span: float, max_ticks: int = 6) -> float:
    for step in (0.25, 0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000):
        if span / step <= max_ticks:
            return step
    return 10 ** math.ceil(math.log10(span))


def split_at_zero(
    points: Sequence[tuple[float, float]],
) -> tuple[list[list[tuple[float, float]]], list[list[tuple[float, float]]]]:
    """(x, remaining) points → runs at or above zero and runs below zero. The interpolated
    crossing point ends one run and starts the next, so the line stays unbroken."""
    above: list[list[tuple[float, float]]] = []
    below: list[list[tuple[float, float]]] = []
    current: list[tuple[float, float]] = []
    negative: bool | None = None
    for point in points:
        is_negative = point[1] < 0
        if negative is None or is_negative == negative:
            current.append(point)
        else:
            (x0, y0), (x1, y1) = current[-1], point
            cross = (x0 + (x1 - x0) * (y0 / (y0 - y1)), 0.0)
            current.append(cross)
            (below if negative else above).append(current)
            current = [cross, point]
        negative = is_negative
    if current:
        (below if negative else above).append(current)
    return above, below


def _midnights(start: datetime, end: datetime, tz: str) -> list[tuple[datetime, date]]:
    """Local midnights in [start, end) with their dates (DST-aware)."""
    zone = ZoneInfo(tz)
    day = start.astimezone(zone).date()
    out: list[tuple[datetime, date]] = []
    while True:
        instant = datetime(day.year, day.month, day.day, tzinfo=zone)
        if instant >= end:
            return out
        if instant >= start:
            out.append((instant, day))
        day += timedelta(days=1)


def burn_down_chart(
    points: Sequence[BudgetPoint],
    start: datetime,
    end: datetime,
    tz: str,
    axis_label: str,
    bands: Sequence[Band] = (),
) -> Markup:
    """Error budget remaining across the window, from 100% down. A dashed "even spend"
    diagonal reaches 0% at the window's end; below the zero line (overspent) the line is red
    over a red band."""
    length = (end - start).total_seconds()
    series = [((p.at - start).total_seconds() / length, p.remaining) for p in points]
    lowest = min([0.0] + [r for _, r in series])
    step = _nice_step(1 - lowest)
    bottom_value = 0.0
    if lowest < 0:
        bottom_value = math.floor(lowest / step - 1e-9) * step
        if lowest - bottom_value < step * 0.15:
            bottom_value -= step
    span = 1.0 - bottom_value
    above, below = split_at_zero(series)

    legend_items = [
        (_swatch_line(BLUE, 1.8), "budget remaining"),
        (_swatch_line(MUTED, 1.2, "5 3"), "even spend"),
        (_swatch_line(INK, 1.2), "0%: budget spent"),
    ]
    if below:
        legend_items.append((_swatch_line(RED, 2.2), "overspent"))
    legend_items += _band_legend(bands)
    body, top = _legend(legend_items)
    top += 4
    plot_h = HEIGHT - top - BOTTOM
    bottom = top + plot_h

    def x_of(fraction: float) -> float:
        return LEFT + fraction * PLOT_W

    def y_of(value: float) -> float:
        return top + (1.0 - value) / span * plot_h

    body.append(
        f'<rect x="{LEFT}" y="{_n(top)}" width="{PLOT_W}" height="{_n(plot_h)}" fill="#ffffff" stroke="{GRID}"/>'
    )
    if bottom_value < 0:
        body.append(
            f'<rect x="{LEFT}" y="{_n(y_of(0))}" width="{PLOT_W}" height="{_n(bottom - y_of(0))}" fill="{RED_FILL}"/>'
        )
    _bands(body, bands, top, plot_h)
    _y_title(body, top, bottom, "budget left")
    tick = 1.0
    while tick >= bottom_value - 1e-9:
        y = y_of(tick)
        body.append(_line(LEFT, y, LEFT + PLOT_W, y, GRID, 0.7))
        body.append(
            _text(LEFT - 5, y + 4, f"{tick * 100:.0f}%".replace("-", "−"), anchor="end", size=AXIS_TEXT, fill=INK)
        )
        tick = round(tick - step, 10)
    ticks = [
        (x_of((instant - start).total_seconds() / length), day.day)
        for instant, day in _midnights(start, end, tz)
        if day.day in DAY_TICKS
    ]
    _day_axis(body, ticks, bottom, axis_label)

    body.append(_line(x_of(0), y_of(1), x_of(1), y_of(0), MUTED, 1.1, "5 3"))
    body.append(_line(LEFT, y_of(0), LEFT + PLOT_W, y_of(0), INK, 1.2))
    for run in above:
        if len(run) > 1:
            body.append(_polyline([(x_of(f), y_of(r)) for f, r in run], BLUE, 1.8))
    for run in below:
        if len(run) > 1:
            body.append(_polyline([(x_of(f), y_of(r)) for f, r in run], RED, 2.2))
    if series:
        last_f, last_r = series[-1]
        colour = RED if last_r < 0 else BLUE
        body.append(f'<circle cx="{_n(x_of(last_f))}" cy="{_n(y_of(last_r))}" r="2.8" fill="{colour}"/>')
        body.append(
            _text(LEFT + PLOT_W + 4, y_of(last_r) + 4, share(last_r), size=AXIS_TEXT, fill=colour, weight="bold")
        )
    return _svg(body, f"Error budget remaining across the window; x: {axis_label}")


GREEN = "#2e7d32"


RUN_OUTCOMES = ("jobs that succeeded", "jobs that failed")
"""The runs chart's legend for a job-success SLO: good runs, bad runs."""


def runs_chart(days: Sequence[DayBurn], axis_label: str, names: tuple[str, str] = RUN_OUTCOMES) -> Markup:
    """A batch SLO as runs: one column per night, its jobs that succeeded (green) under those that
    failed (red), and the number failed written over each failing night."""
    most = max([1] + [d.total for d in days])
    body, top = _legend(
        [
            (f'<rect x="0" y="-5" width="18" height="10" fill="{GREEN}"/>', names[0]),
            (f'<rect x="0" y="-5" width="18" height="10" fill="{RED}"/>', names[1]),
            (f'<rect x="0" y="-5" width="18" height="10" fill="{GAP}"/>', "no run"),
        ]
    )
    top += 14
    plot_h = HEIGHT - top - BOTTOM
    bottom = top + plot_h
    slot = PLOT_W / max(1, len(days))
    step = _nice_step(most, 4)
    tick = 0.0
    while tick <= most + 1e-9:
        y = bottom - tick / most * plot_h
        body.append(_line(LEFT, y, LEFT + PLOT_W, y, GRID, 0.7))
        body.append(_text(LEFT - 5, y + 4, f"{tick:g}", anchor="end", size=AXIS_TEXT, fill=INK))
        tick += step
    _y_title(body, top, bottom, "jobs")
    for index, day in enumerate(days):
        x = LEFT + index * slot + slot * 0.15
        width = slot * 0.7
        if not day.total:
            body.append(f'<rect x="{_n(x)}" y="{_n(bottom - 4)}" width="{_n(width)}" height="4" fill="{GAP}"/>')
            continue
        failed = day.total - day.good
        ok_h = day.good / most * plot_h
        bad_h = failed / most * plot_h
        body.append(
            f'<rect x="{_n(x)}" y="{_n(bottom - ok_h)}" width="{_n(width)}" height="{_n(ok_h)}" fill="{GREEN}"/>'
        )
        if failed:
            y = bottom - ok_h - bad_h
            body.append(f'<rect x="{_n(x)}" y="{_n(y)}" width="{_n(width)}" height="{_n(bad_h)}" fill="{RED}"/>')
            body.append(_text(x + width / 2, y - 3, str(failed), anchor="middle", size=10, fill=RED, weight="bold"))
    _day_axis(
        body,
        [(LEFT + (i + 0.5) * slot, d.day.day) for i, d in enumerate(days) if d.day.day in DAY_TICKS],
        bottom,
        axis_label,
    )
    return _svg(body, f"Jobs per night, succeeded and failed; x: {axis_label}")
