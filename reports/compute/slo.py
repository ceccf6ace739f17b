"""One SLO over one window: pure, DataFrames in, a frozen ``SloResult`` out."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from fractions import Fraction

import numpy as np
import pandas as pd

from ..config import MaintenanceConfig, SloConfig
from ..window import ReportWindow
from .burn import LOOKBACK, alerts, daily_burn
from .customers import CustomerPlan, customer_results, exclude_maintenance
from .exact import exact
from .gaps import missing_spans
from .grid import step_grid
from .incidents import find_incidents
from .results import Budget, BudgetPoint, Downtime, SloResult

BURN_DOWN_RESOLUTION = timedelta(hours=1)


def compute_slo(
    service: str,
    slo: SloConfig,
    rows: pd.DataFrame,
    window: ReportWindow,
    step: timedelta,
    problem: str | None = None,
    maintenance: Sequence[MaintenanceConfig] = (),
    customers: CustomerPlan | None = None,
) -> SloResult:
    """``rows``: this SLO's event counts from ``LOOKBACK`` before the window to its end
    (columns timestamp, customer, good, total; any number of rows per step, e.g. one per customer).
    Steps that start inside a ``maintenance`` window are excluded from every figure."""
    windows = [(m.start, m.end, m.reason, m.announced) for m in maintenance]
    rows, exclusions = exclude_maintenance(rows, windows, window.start, window.end)
    full = step_grid(rows, window.start - LOOKBACK, window.end, step)
    grid = full[full.index >= window.start]
    excluded = np.zeros(len(grid), dtype=bool)
    for start, end, *_ in windows:
        excluded |= (grid.index >= start) & (grid.index < end)
    good = int(grid["good"].sum())
    total = int(grid["total"].sum())
    bad = total - good
    has_data = total > 0 and problem is None
    sli = good / total if has_data else None
    error_budget = 1 - exact(slo.objective)
    allowed_bad = float(error_budget * total)
    consumed_exact = Fraction(bad) / (error_budget * total) if sli is not None else None
    consumed = float(consumed_exact) if consumed_exact is not None else None
    if not has_data:
        status, reason = "no data", problem or "no events in the window"
    else:
        status, reason = ("met" if Fraction(good, total) >= exact(slo.objective) else "missed"), None
    observable = grid["total"][~excluded]
    coverage = float(observable.notna().mean()) if len(observable) and problem is None else 0.0
    in_window = rows[(rows["timestamp"] >= window.start) & (rows["timestamp"] < window.end)]
    incidents = find_incidents(grid, slo.objective, step, allowed_bad, slo.incidents) if has_data else ()
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
        downtime=_downtime(grid, excluded, slo, window, step, sli),
        budget=Budget(
            allowed_bad_events=allowed_bad,
            bad_events=bad if problem is None else 0,
            consumed=consumed,
            remaining=float(1 - consumed_exact) if consumed_exact is not None else None,
        ),
        days=daily_burn(grid, slo.objective, window.timezone, allowed_bad) if has_data else (),
        burn_down=_burn_down(grid, step, allowed_bad) if has_data else (),
        alerts=alerts(full, window.start, step, slo.objective) if has_data else (),
        incidents=incidents,
        outside_incidents_share=(consumed - sum(i.budget_share for i in incidents)) if consumed is not None else None,
        exclusions=exclusions,
        customers=customer_results(in_window, customers)
        if customers is not None and slo.sla and problem is None
        else None,
        sla=customers is not None and slo.sla,
        no_data_spans=missing_spans(
            list(grid.index.to_pydatetime()), list(grid["total"].isna().to_numpy() & ~excluded), step
        )
        if problem is None
        else (),
    )


def _downtime(
    grid: pd.DataFrame, excluded: np.ndarray, slo: SloConfig, window: ReportWindow, step: timedelta, sli: float | None
) -> Downtime:
    slice_steps = max(1, round(slo.downtime.slice / step))
    step_minutes = step.total_seconds() / 60
    slice_minutes = slice_steps * step_minutes
    slice_of_step = np.arange(len(grid)) // slice_steps
    slices = grid.groupby(slice_of_step).agg(good=("good", "sum"), total=("total", "sum"), observed=("total", "count"))
    no_data = slices["observed"] == 0
    idle = ~no_data & (slices["total"] == 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        slice_sli = slices["good"] / slices["total"]
    down = ~no_data & ~idle & (slice_sli < slo.down_below)
    return Downtime(
        allowed_minutes=float((1 - exact(slo.objective)) * Fraction(window.minutes)),
        error_equivalent_minutes=(1 - sli) * window.minutes if sli is not None else None,
        measured_minutes=float(down.sum() * slice_minutes),
        slice_minutes=slice_minutes,
        down_below=slo.down_below,
        down_slices=int(down.sum()),
        no_data_minutes=float((grid["total"].isna().to_numpy() & ~excluded).sum() * step_minutes),
        idle_minutes=float(idle.sum() * slice_minutes),
        excluded_minutes=float(excluded.sum() * step_minutes),
    )


def _burn_down(grid: pd.DataFrame, step: timedelta, allowed_bad: float) -> tuple[BudgetPoint, ...]:
    """Budget remaining over the window, measured against the whole window's budget."""
    if not allowed_bad:
        return ()
    bad = (grid["total"] - grid["good"]).fillna(0).cumsum()
    stride = max(1, round(BURN_DOWN_RESOLUTION / step))
    points = [BudgetPoint(at=grid.index[0].to_pydatetime(), remaining=1.0)]
    for position in range(stride - 1, len(grid), stride):
        points.append(
            BudgetPoint(
                at=(grid.index[position] + step).to_pydatetime(), remaining=1 - float(bad.iloc[position]) / allowed_bad
            )
        )
    if (len(grid) - 1) % stride != stride - 1:
        points.append(
            BudgetPoint(at=(grid.index[-1] + step).to_pydatetime(), remaining=1 - float(bad.iloc[-1]) / allowed_bad)
        )
    return tuple(points)
