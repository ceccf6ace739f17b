"""Burn rates: per day, and the SRE Workbook's multiwindow, multi-burn-rate alert pairs."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import pandas as pd

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


def daily_burn(grid: pd.DataFrame, objective: float, tz: str, allowed_bad_events: float) -> tuple[DayBurn, ...]:
    """One row per local calendar day of the window (days follow ``tz``, DST included)."""
    local_day = grid.index.tz_convert(tz).date
    days = []
    for day, counts in grid.groupby(local_day):
        good, total = int(counts["good"].sum()), int(counts["total"].sum())
        bad = total - good
        days.append(
            DayBurn(
                day=day,
                good=good,
                total=total,
                sli=good / total if total else None,
                burn_rate=burn_rate(bad, total, objective),
                budget_share=bad / allowed_bad_events if allowed_bad_events else None,
            )
        )
    return tuple(days)


def _steps(minutes: int, step: timedelta) -> int:
    return max(1, round(timedelta(minutes=minutes) / step))


def alerts(grid: pd.DataFrame, window_start, step: timedelta, objective: float) -> tuple[BurnAlert, ...]:
    """Evaluate every pair at the end of each step in the window.

    ``grid`` starts ``LOOKBACK`` before the window so the first evaluations see full windows.
    Steps without data add no events.
    """
    bad = (grid["total"] - grid["good"]).fillna(0)
    total = grid["total"].fillna(0)
    in_window = grid.index >= window_start
    evaluated_at = grid.index[in_window] + step
    results = []
    for severity, long_minutes, short_minutes, threshold in ALERT_PAIRS:
        rates = []
        for minutes in (long_minutes, short_minutes):
            n = _steps(minutes, step)
            bad_sum = bad.rolling(n, min_periods=1).sum()
            total_sum = total.rolling(n, min_periods=1).sum()
            with np.errstate(divide="ignore", invalid="ignore"):
                rate = (bad_sum / total_sum.where(total_sum > 0)) / (1 - objective)
            rates.append(rate[in_window].to_numpy())
        long_rate, short_rate = rates
        firing = np.nan_to_num(long_rate, nan=0) > threshold
        firing &= np.nan_to_num(short_rate, nan=0) > threshold
        results.append(
            BurnAlert(
                severity=severity,
                long_window_minutes=long_minutes,
                short_window_minutes=short_minutes,
                threshold=threshold,
                long_burn_at_end=_last(long_rate),
                short_burn_at_end=_last(short_rate),
                firing_at_end=bool(firing[-1]) if len(firing) else False,
                firing_at_start=bool(firing[0]) if len(firing) else False,
                firings=_runs(firing, evaluated_at, step),
            )
        )
    return tuple(results)


def _last(values: np.ndarray) -> float | None:
    if not len(values) or np.isnan(values[-1]):
        return None
    return float(values[-1])


def _runs(firing: np.ndarray, evaluated_at: pd.DatetimeIndex, step: timedelta) -> tuple[Firing, ...]:
    """Contiguous firing evaluations as (first firing evaluation, first quiet evaluation)."""
    runs = []
    edges = np.diff(np.concatenate([[0], firing.astype(np.int8), [0]]))
    for begin, stop in zip(np.flatnonzero(edges == 1), np.flatnonzero(edges == -1), strict=True):
        ongoing = stop == len(firing)
        end = evaluated_at[stop - 1] if ongoing else evaluated_at[stop]
        runs.append(Firing(start=evaluated_at[begin].to_pydatetime(), end=end.to_pydatetime(), ongoing=bool(ongoing)))
    return tuple(runs)
