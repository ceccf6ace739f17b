"""One SLO over one window: pure, step arrays in, a frozen ``SloResult`` out."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from fractions import Fraction
from functools import lru_cache

import numpy as np

from ..window import ReportWindow
from .burn import LOOKBACK, alerts, daily_burn
from .customers import CustomerPlan, customer_results, exclude_maintenance
from .exact import exact
from .gaps import missing_spans
from .incidents import find_incidents
from .inputs import MaintenanceWindow, SloSpec, StepCounts
from .labels import label_coverage
from .results import Budget, BudgetPoint, Downtime, SloResult
from .status import Status
from .timeslices import bad_slice_ends, time_slices

BURN_DOWN_RESOLUTION = timedelta(hours=1)


def compute_slo(
    service: str,
    slo: SloSpec,
    counts: StepCounts,
    window: ReportWindow,
    problem: str | None = None,
    maintenance: Sequence[MaintenanceWindow] = (),
    customers: CustomerPlan | None = None,
    as_of: datetime | None = None,
) -> SloResult:
    """``counts``: this SLO's events, from ``LOOKBACK`` before the window to its end (steps the counts
    do not cover have no data). Steps that start inside a ``maintenance`` window are excluded from every figure.
    ``as_of``: when the report runs (default: the window's end), against which late labels are judged."""
    step = counts.step
    lookback_steps = round(LOOKBACK / step)
    full = counts.on(window.start - LOOKBACK, lookback_steps + round((window.end - window.start) / step))
    full, excluded_full, exclusions = exclude_maintenance(full, maintenance, window.start, window.end)
    good_steps, total_steps = full.good[lookback_steps:], full.total[lookback_steps:]
    excluded = excluded_full[lookback_steps:]
    good = int(np.nansum(good_steps))
    total = int(np.nansum(total_steps))
    bad = total - good
    has_data = total > 0 and problem is None
    sli = event_sli = good / total if has_data else None
    error_budget = 1 - exact(slo.objective)
    allowed_bad = float(error_budget * total)
    consumed_exact = Fraction(bad) / (error_budget * total) if sli is not None else None
    consumed = float(consumed_exact) if consumed_exact is not None else None
    if not has_data:
        status, reason = Status.NO_DATA, problem or "no events in the window"
    else:
        status = Status.MET if Fraction(good, total) >= exact(slo.objective) else Status.MISSED
        reason = None
    observable = total_steps[~excluded]
    coverage = float((~np.isnan(observable)).mean()) if len(observable) and problem is None else 0.0
    slices = None
    if slo.budgeting == "timeslices" and slo.slice_target is not None:
        slices = time_slices(
            good_steps,
            total_steps,
            max(1, round(slo.budget_slice / step)),
            slo.slice_target,
            slo.objective,
            step.total_seconds() / 60,
        )
        if has_data:  # the SLI, status and budget count slices instead of events
            sli = slices.sli
            status = Status.NO_DATA if slices.met is None else Status.MET if slices.met else Status.MISSED
    by_slices = slices if has_data else None
    remaining = float(1 - consumed_exact) if consumed_exact is not None else None
    incidents = (
        find_incidents(good_steps, total_steps, window.start, slo.objective, step, allowed_bad, slo.incidents)
        if has_data
        else ()
    )
    labels = (
        label_coverage(
            good_steps,
            total_steps,
            full.unlabelled[lookback_steps:] if full.unlabelled is not None else None,
            window,
            step,
            slo.label_delay,
            as_of or window.end,
        )
        if slo.label_delay is not None and has_data
        else None
    )
    return SloResult(
        service=service,
        slo=slo.name,
        objective=slo.objective,
        description=slo.description,
        status=status,
        no_data_reason=reason,
        good_events=good if problem is None else 0,
        total_events=total if problem is None else 0,
        sli=sli,
        margin=sli - slo.objective if sli is not None else None,
        coverage=coverage,
        downtime=_downtime(good_steps, total_steps, excluded, slo, window, step, event_sli),
        budget=Budget(
            allowed_bad_events=allowed_bad,
            bad_events=bad if problem is None else 0,
            consumed=by_slices.consumed if by_slices else consumed,
            remaining=by_slices.remaining if by_slices else remaining,
        ),
        days=daily_burn(good_steps, total_steps, window, step, slo.objective, allowed_bad) if has_data else (),
        burn_down=(
            _slice_burn_down(good_steps, total_steps, window, slo, step, by_slices.allowed_bad_slices)
            if by_slices
            else _burn_down(good_steps, total_steps, window, step, allowed_bad)
        )
        if has_data
        else (),
        alerts=alerts(full.good, full.total, lookback_steps, window.start, step, slo.objective) if has_data else (),
        incidents=incidents,
        outside_incidents_share=(consumed - sum(i.budget_share for i in incidents)) if consumed is not None else None,
        exclusions=exclusions,
        customers=customer_results(full, lookback_steps, excluded_full, customers)
        if customers is not None and slo.sla and problem is None
        else None,
        sla=customers is not None and slo.sla,
        budgeting=slo.budgeting,
        timeslices=slices,
        no_data_spans=missing_spans(window.start, step, np.isnan(total_steps) & ~excluded) if problem is None else (),
        labels=labels,
        threshold=slo.threshold,
    )


def _downtime(
    good: np.ndarray,
    total: np.ndarray,
    excluded: np.ndarray,
    slo: SloSpec,
    window: ReportWindow,
    step: timedelta,
    sli: float | None,
) -> Downtime:
    slice_steps = max(1, round(slo.slice / step))
    step_minutes = step.total_seconds() / 60
    slice_minutes = slice_steps * step_minutes
    starts = np.arange(0, len(total), slice_steps)
    observed = np.add.reduceat(~np.isnan(total), starts) if len(total) else np.zeros(0, dtype=np.int64)
    slice_good = np.add.reduceat(_zeroed(good), starts) if len(total) else np.zeros(0)
    slice_total = np.add.reduceat(_zeroed(total), starts) if len(total) else np.zeros(0)
    no_data = observed == 0
    idle = ~no_data & (slice_total == 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        slice_sli = slice_good / slice_total
    down = ~no_data & ~idle & (slice_sli < slo.down_below)
    return Downtime(
        allowed_minutes=float((1 - exact(slo.objective)) * Fraction(window.minutes)),
        error_equivalent_minutes=(1 - sli) * window.minutes if sli is not None else None,
        measured_minutes=float(down.sum() * slice_minutes),
        slice_minutes=slice_minutes,
        down_below=slo.down_below,
        down_slices=int(down.sum()),
        no_data_minutes=float((np.isnan(total) & ~excluded).sum() * step_minutes),
        idle_minutes=float(idle.sum() * slice_minutes),
        excluded_minutes=float(excluded.sum() * step_minutes),
    )


def _burn_down(
    good: np.ndarray, total: np.ndarray, window: ReportWindow, step: timedelta, allowed_bad: float
) -> tuple[BudgetPoint, ...]:
    """Budget remaining over the window, measured against the whole window's budget."""
    if not allowed_bad:
        return ()
    bad = _zeroed(total - good).cumsum()
    ends, times = _burn_down_points(window.start, len(total), step)
    remaining = (1 - bad[ends] / allowed_bad).tolist()
    return (BudgetPoint(at=window.start, remaining=1.0),) + tuple(
        BudgetPoint(at=at, remaining=value) for at, value in zip(times, remaining, strict=True)
    )


@lru_cache(maxsize=8)
def _burn_down_points(start: datetime, steps: int, step: timedelta) -> tuple[np.ndarray, tuple[datetime, ...]]:
    """The steps that end a burn-down point (one an hour, and the last step), and when they end."""
    stride = max(1, round(BURN_DOWN_RESOLUTION / step))
    ends = list(range(stride - 1, steps, stride))
    if (steps - 1) % stride != stride - 1:
        ends.append(steps - 1)
    return np.array(ends, dtype=np.int64), tuple(start + (end + 1) * step for end in ends)


def _slice_burn_down(
    good: np.ndarray, total: np.ndarray, window: ReportWindow, slo: SloSpec, step: timedelta, allowed_bad_slices: float
) -> tuple[BudgetPoint, ...]:
    """Time slices: each bad slice spends one slice of the allowance when it ends."""
    marks = bad_slice_ends(good, total, max(1, round(slo.budget_slice / step)), slo.slice_target or 1.0)
    return _burn_down(np.zeros(len(marks)), marks, window, step, allowed_bad_slices)


def _zeroed(values: np.ndarray) -> np.ndarray:
    """NaN (no data) as 0 events."""
    return np.where(np.isnan(values), 0.0, values)
