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
    total = np.where(np.isnan(total), 0.0, total)
    bad = total - np.where(np.isnan(good), 0.0, good)
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = np.where(total > 0, bad / np.where(total > 0, total, 1), 0.0) / (1 - objective)
    elevated = np.flatnonzero(rate >= rules.min_burn_rate)
    if not len(elevated) or not allowed_bad_events:
        return ()
    max_gap_steps = int(rules.merge_gap / step)
    breaks = np.flatnonzero(np.diff(elevated) - 1 > max_gap_steps)
    firsts = elevated[np.concatenate([[0], breaks + 1])]
    lasts = elevated[np.concatenate([breaks, [len(elevated) - 1]])]
    bad_sums = np.concatenate([[0.0], bad.cumsum()])  # whole numbers: the differences are exact
    total_sums = np.concatenate([[0.0], total.cumsum()])
    spans = np.stack([firsts, lasts + 1], axis=1).ravel()
    peaks = np.maximum.reduceat(np.append(rate, 0.0), spans)[::2]
    incidents = []
    for first, last, peak in zip(firsts.tolist(), lasts.tolist(), peaks.tolist(), strict=True):
        incident_bad = int(bad_sums[last + 1] - bad_sums[first])
        share = incident_bad / allowed_bad_events
        incidents.append(
            Incident(
                start=start + first * step,
                end=start + (last + 1) * step,
                bad_events=incident_bad,
                total_events=int(total_sums[last + 1] - total_sums[first]),
                peak_burn_rate=peak,
                budget_share=share,
                postmortem_required=share > rules.postmortem_share,
                duration_minutes=(last + 1 - first) * step.total_seconds() / 60,
            )
        )
    return tuple(incidents)
