"""What consumed the budget: incidents are contiguous periods of elevated burn."""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np

from .inputs import IncidentRules
from .results import Incident


def find_incidents(
    good: np.ndarray,
    total: np.ndarray,
    start: datetime,
    objective: float,
    step: timedelta,
    allowed_bad_events: float,
    rules: IncidentRules,
) -> tuple[Incident, ...]:
    """Steps with burn rate ≥ ``rules.min_burn_rate`` are elevated; elevated runs separated by
    at most ``rules.merge_gap`` join into one incident, which spans from its first elevated
    step's start to its last elevated step's end and owns every bad event in that span."""
    total = np.nan_to_num(total)
    bad = total - np.nan_to_num(good)
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = np.where(total > 0, bad / np.where(total > 0, total, 1), 0.0) / (1 - objective)
    elevated = np.flatnonzero(rate >= rules.min_burn_rate)
    if not len(elevated) or not allowed_bad_events:
        return ()
    max_gap_steps = int(rules.merge_gap / step)
    groups, first, last = [], elevated[0], elevated[0]
    for position in elevated[1:]:
        if position - last - 1 <= max_gap_steps:
            last = position
        else:
            groups.append((first, last))
            first = last = position
    groups.append((first, last))
    incidents = []
    for first, last in groups:
        span = slice(first, last + 1)
        incident_bad = int(bad[span].sum())
        share = incident_bad / allowed_bad_events
        incidents.append(
            Incident(
                start=start + int(first) * step,
                end=start + (int(last) + 1) * step,
                bad_events=incident_bad,
                total_events=int(total[span].sum()),
                peak_burn_rate=float(rate[span].max()),
                budget_share=share,
                postmortem_required=share > rules.postmortem_share,
                duration_minutes=(last + 1 - first) * step.total_seconds() / 60,
            )
        )
    return tuple(incidents)
