"""Per-customer results, SLA credits and maintenance exclusions: pure, frames in, frozen results out.

A customer's SLI pools its own events (Σgood / Σtotal). Tiers give each customer an objective
and optionally an SLA with a credit schedule ("SLI below this bound → this percentage of the
month's fee"); the largest applicable credit wins.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from fractions import Fraction

import pandas as pd

from .exact import exact


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
    def status(self) -> str:
        if self.objective_met is None:
            return "no data"
        return "met" if self.objective_met else "missed"


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


def customer_results(rows: pd.DataFrame, plan: CustomerPlan) -> CustomerResults:
    """``rows``: one SLO's in-window counts (maintenance already excluded) with a ``customer`` column."""
    tiers, assignments, default_tier = plan.tiers, plan.assignments, plan.default_tier
    sums = rows[rows["customer"] != ""].groupby("customer")[["good", "total"]].sum()
    seen = set(sums.index)
    names = sorted(seen | set(assignments))
    results = []
    for name in names:
        tier = tiers[assignments.get(name, default_tier)]
        good = int(sums.at[name, "good"]) if name in seen else 0
        total = int(sums.at[name, "total"]) if name in seen else 0
        results.append(_one(name, tier, name in assignments, good, total))
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
    rows: pd.DataFrame, windows: list[tuple[datetime, datetime, str, date | None]], start: datetime, end: datetime
) -> tuple[pd.DataFrame, tuple[Exclusion, ...]]:
    """Drop the steps that start inside a maintenance window (clipped to [start, end)).

    Rows before ``start`` (alert look-back) are kept unless a maintenance window covers them too.
    """
    keep = pd.Series(True, index=rows.index)
    exclusions = []
    for m_start, m_end, reason, announced in windows:
        inside = (rows["timestamp"] >= m_start) & (rows["timestamp"] < m_end)
        keep &= ~inside
        clipped_start, clipped_end = max(m_start, start), min(m_end, end)
        if clipped_start >= clipped_end:
            continue
        in_window = inside & (rows["timestamp"] >= start) & (rows["timestamp"] < end)
        exclusions.append(
            Exclusion(
                clipped_start,
                clipped_end,
                reason,
                announced,
                int(rows.loc[in_window, "good"].sum()),
                int(rows.loc[in_window, "total"].sum()),
            )
        )
    return rows[keep], tuple(exclusions)
