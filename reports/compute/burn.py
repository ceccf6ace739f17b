"""Burn rates: per day, and the SRE Workbook's multiwindow, multi-burn-rate alert pairs."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import lru_cache

import numpy as np
import pandas as pd

from ..window import ReportWindow
from .results import BurnAlert, DayBurn, Firing

# (severity, long window minutes, short window minutes, burn-rate threshold): SRE Workbook,
# "Alerting on SLOs", for a 30-day SLO. Both windows must exceed the threshold.
ALERT_PAIRS = (
    ("page", 60, 5, 14.4),
    ("page", 360, 30, 6.0),
    ("ticket", 1440, 120, 3.0),
    ("ticket", 4320, 360, 1.0),
)
LOOKBACK = timedelta(minutes=max(pair[1] for pair in ALERT_PAIRS))


def burn_rate(bad: float, total: float, objective: float) -> float | None:
    if not total:
        return None
    return (bad / total) / (1 - objective)


def daily_burn(
    good: np.ndarray,
    total: np.ndarray,
    window: ReportWindow,
    step: timedelta,
    objective: float,
    allowed_bad_events: float,
) -> tuple[DayBurn, ...]:
    """One row per local calendar day of the window (days follow the window's zone, DST included)."""
    days = []
    firsts, dates = local_days(window.start, len(total), step, window.timezone)
    if not dates:
        return ()
    good_days = np.add.reduceat(np.where(np.isnan(good), 0.0, good), firsts).tolist()
    total_days = np.add.reduceat(np.where(np.isnan(total), 0.0, total), firsts).tolist()
    for day, good_day, total_day in zip(dates, good_days, total_days, strict=True):
        good_sum, total_sum = int(good_day), int(total_day)
        bad = total_sum - good_sum
        days.append(
            DayBurn(
                day=day,
                good=good_sum,
                total=total_sum,
                sli=good_sum / total_sum if total_sum else None,
                burn_rate=burn_rate(bad, total_sum, objective),
                budget_share=bad / allowed_bad_events if allowed_bad_events else None,
            )
        )
    return tuple(days)


@lru_cache(maxsize=8)
def local_days(start: datetime, steps: int, step: timedelta, tz: str) -> tuple[tuple[int, ...], tuple[date, ...]]:
    """The first step of each local calendar day, and the day: the same for every SLO of a run."""
    local = pd.date_range(start, periods=steps, freq=step).tz_convert(tz)
    ordinal = (local.year * 10000 + local.month * 100 + local.day).to_numpy()
    firsts = np.flatnonzero(np.diff(ordinal, prepend=-1))
    return tuple(int(f) for f in firsts), tuple(local[f].date() for f in firsts)


def _steps(minutes: int, step: timedelta) -> int:
    return max(1, round(timedelta(minutes=minutes) / step))


def alerts(
    good: np.ndarray, total: np.ndarray, first: int, window_start: datetime, step: timedelta, objective: float
) -> tuple[BurnAlert, ...]:
    """Evaluate every pair at the end of each step in the window (from step ``first`` of the arrays).

    The arrays start ``LOOKBACK`` before the window so the first evaluations see full windows.
    Steps without data add no events.
    """
    bad_steps = total - good
    bad_sums = np.concatenate([[0.0], np.where(np.isnan(bad_steps), 0.0, bad_steps).cumsum()])
    total_sums = np.concatenate([[0.0], np.where(np.isnan(total), 0.0, total).cumsum()])
    ends = np.arange(first, len(total)) + 1
    evaluated = len(ends)
    results = []
    for severity, long_minutes, short_minutes, threshold in ALERT_PAIRS:
        rates = []
        for minutes in (long_minutes, short_minutes):
            starts = np.maximum(ends - _steps(minutes, step), 0)
            bad_sum = bad_sums[ends] - bad_sums[starts]
            total_sum = total_sums[ends] - total_sums[starts]
            with np.errstate(divide="ignore", invalid="ignore"):
                rate = (bad_sum / np.where(total_sum > 0, total_sum, np.nan)) / (1 - objective)
            rates.append(rate)
        long_rate, short_rate = rates
        firing = (long_rate > threshold) & (short_rate > threshold)  # NaN (no traffic) never fires
        results.append(
            BurnAlert(
                severity=severity,
                long_window_minutes=long_minutes,
                short_window_minutes=short_minutes,
                threshold=threshold,
                long_burn_at_end=_last(long_rate),
                short_burn_at_end=_last(short_rate),
                firing_at_end=bool(firing[-1]) if evaluated else False,
                firing_at_start=bool(firing[0]) if evaluated else False,
                firings=_runs(firing, window_start, step),
            )
        )
    return tuple(results)


def _last(values: np.ndarray) -> float | None:
    if not len(values) or np.isnan(values[-1]):
        return None
    return float(values[-1])


def _runs(firing: np.ndarray, window_start: datetime, step: timedelta) -> tuple[Firing, ...]:
    """Contiguous firing evaluations as (first firing evaluation, first quiet evaluation);
    evaluation ``i`` is at the end of the window's step ``i``."""
    runs = []
    edges = np.diff(np.concatenate([[0], firing.astype(np.int8), [0]]))
    for begin, stop in zip(np.flatnonzero(edges == 1), np.flatnonzero(edges == -1), strict=True):
        ongoing = stop == len(firing)
        end = window_start + int(stop) * step if ongoing else window_start + (int(stop) + 1) * step
        runs.append(Firing(start=window_start + (int(begin) + 1) * step, end=end, ongoing=bool(ongoing)))
    return tuple(runs)
