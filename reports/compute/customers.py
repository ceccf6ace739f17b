"""Per-customer results, SLA credits and maintenance exclusions: pure, frames in, frozen results out.

A customer's SLI pools its own events (Σgood / Σtotal). Tiers give each customer an objective
and optionally an SLA with a credit schedule ("SLI below this bound → this percentage of the
month's fee"); the largest applicable credit wins.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from fractions import Fraction

import numpy as np

from .exact import exact
from .inputs import MaintenanceWindow, StepCounts
from .status import Status


@dataclass(frozen=True)
class Tier:
    name: str
    objective: float
    sla: float | None
    credits: tuple[tuple[float, float], ...]
    """(SLI bound, credit percent): a credit applies when the SLI is below its bound."""


def credit_for(sli: float | Fraction, credits: tuple[tuple[float, float], ...]) -> float:
    """The largest credit whose bound the SLI is below; 0 when none applies.

    >>> credit_for(0.985, ((0.999, 10), (0.99, 25), (0.95, 100)))
    25
    """
    measured = sli if isinstance(sli, Fraction) else exact(sli)
    return max((percent for bound, percent in credits if measured < exact(bound)), default=0)


@dataclass(frozen=True)
class CustomerPlan:
    """Who is on which tier: what ``customer_results`` needs besides the counts."""

    tiers: Mapping[str, Tier]
    assignments: Mapping[str, str]
    default_tier: str


@dataclass(frozen=True)
class CustomerResult:
    customer: str
    tier: str
    assigned: bool
    """False when the customer was seen in the data but not assigned: reported under the default tier."""
    good_events: int
    total_events: int
    sli: float | None
    objective: float
    objective_met: bool | None
    """None when the customer had no events: "no data", never met."""
    budget_consumed: float | None
    sla: float | None
    sla_met: bool | None
    credit_percent: float | None
    """Percentage of the month's fee owed as a credit; None without an SLA or without data."""

    @property
    def status(self) -> Status:
        if self.objective_met is None:
            return Status.NO_DATA
        return Status.MET if self.objective_met else Status.MISSED


@dataclass(frozen=True)
class TierSummary:
    tier: str
    objective: float
    sla: float | None
    customers: int
    met_objective: int
    missed_objective: int
    no_data: int
    breached_sla: int
    credits: tuple[tuple[str, float], ...]
    """(customer, credit percent) for every customer owed a credit."""


@dataclass(frozen=True)
class CustomerResults:
    customers: tuple[CustomerResult, ...]
    """Worst first: missed or owed credits before met, lower SLI first; "no data" last."""
    tiers: tuple[TierSummary, ...]
    unassigned: tuple[str, ...]
    """Seen in the data, not in the assignments."""
    without_traffic: tuple[str, ...]
    """Assigned, but no events this window."""


def customer_results(counts: StepCounts, first: int, excluded: np.ndarray, plan: CustomerPlan) -> CustomerResults:
    """``counts``: one SLO's counts with maintenance already excluded; the window starts at step ``first``.

    A customer is seen when it has a row in the window outside maintenance."""
    tiers, assignments, default_tier = plan.tiers, plan.assignments, plan.default_tier
    sums: dict[str, tuple[int, int]] = {}
    if counts.customer_total is not None and counts.customer_good is not None and len(counts.customers):
        good, total = counts.customer_good[:, first:], counts.customer_total[:, first:]
        seen_rows = (~np.isnan(total)).any(axis=1)
        good_sums, total_sums = np.nansum(good, axis=1), np.nansum(total, axis=1)
        for row in np.flatnonzero(seen_rows):
            sums[counts.customers[row]] = (int(good_sums[row]), int(total_sums[row]))
    seen = set(sums)
    names = sorted(seen | set(assignments))
    results = []
    for name in names:
        tier = tiers[assignments.get(name, default_tier)]
        good_events, total_events = sums.get(name, (0, 0))
        results.append(_one(name, tier, name in assignments, good_events, total_events))
    results.sort(key=_worst_first)
    return CustomerResults(
        customers=tuple(results),
        tiers=tuple(_summary(tier, [r for r in results if r.tier == tier.name]) for tier in tiers.values()),
        unassigned=tuple(sorted(seen - set(assignments))),
        without_traffic=tuple(r.customer for r in results if r.assigned and r.total_events == 0),
    )


def _one(name: str, tier: Tier, assigned: bool, good: int, total: int) -> CustomerResult:
    measured = Fraction(good, total) if total else None
    has_sla = tier.sla is not None
    return CustomerResult(
        customer=name,
        tier=tier.name,
        assigned=assigned,
        good_events=good,
        total_events=total,
        sli=float(measured) if measured is not None else None,
        objective=tier.objective,
        objective_met=None if measured is None else measured >= exact(tier.objective),
        budget_consumed=None if measured is None else float((1 - measured) / (1 - exact(tier.objective))),
        sla=tier.sla,
        sla_met=None if measured is None or tier.sla is None or not has_sla else measured >= exact(tier.sla),
        credit_percent=None if measured is None or not has_sla else credit_for(measured, tier.credits),
    )


def _worst_first(result: CustomerResult) -> tuple:
    if result.sli is None:
        return (2, 0.0, result.customer)
    troubled = not result.objective_met or bool(result.credit_percent)
    return (0 if troubled else 1, -(result.credit_percent or 0), result.sli, result.customer)


def _summary(tier: Tier, results: list[CustomerResult]) -> TierSummary:
    return TierSummary(
        tier=tier.name,
        objective=tier.objective,
        sla=tier.sla,
        customers=len(results),
        met_objective=sum(r.objective_met is True for r in results),
        missed_objective=sum(r.objective_met is False for r in results),
        no_data=sum(r.objective_met is None for r in results),
        breached_sla=sum(r.sla_met is False for r in results),
        credits=tuple((r.customer, r.credit_percent) for r in results if r.credit_percent),
    )


@dataclass(frozen=True)
class Exclusion:
    start: datetime
    end: datetime
    """Clipped to the window."""
    reason: str
    announced: date | None
    excluded_good: int
    excluded_total: int


def exclude_maintenance(
    counts: StepCounts, windows: Sequence[MaintenanceWindow], start: datetime, end: datetime
) -> tuple[StepCounts, np.ndarray, tuple[Exclusion, ...]]:
    """Drop the steps that start inside a maintenance window; report each window clipped to [start, end).

    Returns the counts with those steps emptied (the look-back's too when a window covers it), which
    steps they are, and per window inside [start, end) the events it excluded there."""
    steps = len(counts.total)
    if not windows:
        return counts, np.zeros(steps, dtype=bool), ()
    origin = counts.start
    keep_out = np.zeros(steps, dtype=bool)
    exclusions = []
    for window in windows:
        inside = _steps_within(window.start, window.end, origin, counts.step, steps)
        keep_out |= inside
        clipped_start, clipped_end = max(window.start, start), min(window.end, end)
        if clipped_start >= clipped_end:
            continue
        in_window = inside & _steps_within(start, end, origin, counts.step, steps)
        exclusions.append(
            Exclusion(
                clipped_start,
                clipped_end,
                window.reason,
                window.announced,
                int(np.nansum(counts.good[in_window])),
                int(np.nansum(counts.total[in_window])),
            )
        )
    return (
        replace(
            counts,
            good=np.where(keep_out, np.nan, counts.good),
            total=np.where(keep_out, np.nan, counts.total),
            customer_good=np.where(keep_out, np.nan, counts.customer_good)
            if counts.customer_good is not None
            else None,
            customer_total=np.where(keep_out, np.nan, counts.customer_total)
            if counts.customer_total is not None
            else None,
        ),
        keep_out,
        tuple(exclusions),
    )


def _steps_within(start: datetime, end: datetime, origin: datetime, step: timedelta, steps: int) -> np.ndarray:
    """Which steps (from ``origin``) start in [start, end)."""
    first = max(0, -(-(start - origin) // step))
    stop = min(steps, max(0, -(-(end - origin) // step)))
    inside = np.zeros(steps, dtype=bool)
    inside[first:stop] = True
    return inside
