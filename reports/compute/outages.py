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

import numpy as np

from ..window import ReportWindow
from .customers import CustomerPlan, exclude_maintenance
from .incidents import find_incidents
from .inputs import IncidentRules, MaintenanceWindow, StepCounts
from .records import CustomerOutage
from .results import SloResult


def with_customer_outages(
    result: SloResult,
    counts: StepCounts,
    window: ReportWindow,
    rules: IncidentRules,
    min_minutes: float,
    plan: CustomerPlan | None,
) -> SloResult:
    """``result`` with ``customer_outages`` for an SLA-covered SLO with customer results."""
    if plan is None or result.customers is None or counts.customer_total is None or counts.customer_good is None:
        return result
    steps = round((window.end - window.start) / counts.step)
    excluded = [MaintenanceWindow(e.start, e.end, e.reason) for e in result.exclusions]
    excluded += [MaintenanceWindow(c.start, c.end, c.id) for c in result.corrections]
    mine = exclude_maintenance(counts.on(window.start, steps), excluded, window.start, window.end)[0]
    if mine.customer_good is None or mine.customer_total is None:
        return result
    outages = []
    for row, customer in enumerate(mine.customers):
        good, total = mine.customer_good[row], mine.customer_total[row]
        events = float(np.nansum(total))
        if not customer or not events:
            continue
        tier = plan.tiers[plan.assignments.get(customer, plan.default_tier)]
        level = tier.sla if tier.sla is not None else tier.objective
        for found in find_incidents(good, total, window.start, level, counts.step, (1 - level) * events, rules):
            if found.bad_events / events * window.minutes < min_minutes:
                continue
            outages.append(
                CustomerOutage(
                    customer,
                    found.start,
                    found.end,
                    found.duration_minutes,
                    found.total_events - found.bad_events,
                    found.total_events,
                    rules.min_burn_rate,
                    min_minutes,
                )
            )
    outages.sort(key=lambda o: (o.customer, o.start))
    return dataclasses.replace(result, customer_outages=tuple(outages))
