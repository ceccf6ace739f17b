"""Each customer's own outages on an SLA-covered SLO: pure, rows in, results out.

An outage of a customer is found exactly like an incident, but in that customer's own counts
and against its committed level (the tier's SLA, or its objective without one): a run of steps
whose error ratio burns the customer's budget at least ``min_burn_rate`` times too fast, merged
across gaps of at most ``merge_gap``, whose failed requests add up to at least
``customer_outage_minutes`` of the customer's average traffic (a few failures in a quiet step of
a small customer are not an outage; a fleet-wide outage is one on every statement it touched). So an outage of one tenant shows on its statement only,
and a fleet-wide one on every statement it touched. Excluded spans (maintenance, corrections)
are no outage.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
import pandas as pd

from ..config import IncidentConfig
from .customers import CustomerPlan
from .grid import step_grid
from .incidents import find_incidents
from .results import SloResult


@dataclass(frozen=True)
class CustomerOutage:
    customer: str
    start: datetime
    end: datetime
    duration_minutes: float
    good_events: int
    """The customer's own events in [start, end)."""
    total_events: int
    min_burn_rate: float
    """The rule that found it: the customer's error ratio was at least this many times its budgeted one."""
    min_minutes: float
    """... and its failed requests were at least this many minutes of the customer's average traffic."""

    @property
    def error_rate(self) -> float:
        return (self.total_events - self.good_events) / self.total_events if self.total_events else 0.0


def with_customer_outages(
    result: SloResult,
    rows: pd.DataFrame,
    start: datetime,
    end: datetime,
    step: timedelta,
    rules: IncidentConfig,
    plan: CustomerPlan | None,
) -> SloResult:
    """``result`` with ``customer_outages`` for an SLA-covered SLO with customer results."""
    if plan is None or result.customers is None:
        return result
    keep = ((rows["timestamp"] >= start) & (rows["timestamp"] < end) & (rows["customer"] != "")).to_numpy().copy()
    excluded = [(e.start, e.end) for e in result.exclusions] + [(c.start, c.end) for c in result.corrections]
    for first, last in excluded:
        keep &= ~((rows["timestamp"] >= first) & (rows["timestamp"] < last)).to_numpy()
    mine = rows[keep]
    minutes = (end - start).total_seconds() / 60
    outages = []
    for customer, counts in mine.groupby("customer"):
        tier = plan.tiers[plan.assignments.get(str(customer), plan.default_tier)]
        level = tier.sla if tier.sla is not None else tier.objective
        grid = step_grid(counts, start, end, step)
        total = float(np.nansum(grid["total"].to_numpy()))
        for found in find_incidents(grid, level, step, (1 - level) * total, rules):
            if found.bad_events / total * minutes < rules.customer_outage_minutes:
                continue
            outages.append(
                CustomerOutage(
                    str(customer),
                    found.start,
                    found.end,
                    found.duration_minutes,
                    found.total_events - found.bad_events,
                    found.total_events,
                    rules.min_burn_rate,
                    rules.customer_outage_minutes,
                )
            )
    outages.sort(key=lambda o: (o.customer, o.start))
    return dataclasses.replace(result, customer_outages=tuple(outages))
