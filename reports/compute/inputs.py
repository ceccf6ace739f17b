"""What computation takes: its own frozen types, converted once from the config and the source's
counts by the pipeline, so compute depends on neither."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import numpy as np


@dataclass(frozen=True)
class IncidentRules:
    min_burn_rate: float
    """A step burning at least this fast is elevated."""
    merge_gap: timedelta
    """Elevated runs at most this far apart are one incident."""
    postmortem_share: float
    """An incident consuming more than this share of the month's budget requires a postmortem."""


@dataclass(frozen=True)
class SloSpec:
    name: str
    objective: float
    description: str
    slice: timedelta
    """Downtime is measured in slices of this length."""
    down_below: float
    """A slice whose SLI is below this is down."""
    incidents: IncidentRules
    sla: bool
    """Per-customer results are computed (when a customer plan is given)."""
    budgeting: str = "occurrences"
    """``occurrences`` (events) or ``timeslices`` (the SLI is the share of good slices)."""
    budget_slice: timedelta = timedelta(minutes=5)
    """Time-slice budgeting: the length of a slice (apart from ``slice``, downtime's)."""
    slice_target: float | None = None
    """Time-slice budgeting: a slice is good when its good / total is at least this."""
    label_delay: timedelta | None = None
    """Model quality: labels are complete this long after the window ends (None: events are not late-labelled)."""
    threshold: float | None = None
    """Latency SLIs: seconds a good event stays within (for nightly runs, the completion deadline)."""


@dataclass(frozen=True)
class MaintenanceWindow:
    start: datetime
    end: datetime
    reason: str
    announced: date | None = None


@dataclass(frozen=True, eq=False)
class StepCounts:
    """One SLO's events on a regular grid of steps from ``start``: float64 arrays, one value per step,
    NaN where the step has no data (missing data is never good) and 0 where it has data and no traffic."""

    start: datetime
    step: timedelta
    good: np.ndarray
    total: np.ndarray
    customers: tuple[str, ...] = ()
    customer_good: np.ndarray | None = None
    """customers × steps, NaN where the customer has no row in the step."""
    customer_total: np.ndarray | None = None
    unlabelled: np.ndarray | None = None
    """Model quality: predictions per step without ground truth yet (``total`` counts the labelled ones)."""

    def on(self, start: datetime, steps: int) -> StepCounts:
        """The same counts on ``steps`` steps from ``start`` (a whole number of steps away): cut or padded with NaN."""
        offset, rest = divmod(start - self.start, self.step)
        if rest:
            raise ValueError(f"counts start at {self.start}, not a whole number of steps before {start}")
        if offset == 0 and len(self.total) == steps:
            return self
        return StepCounts(
            start,
            self.step,
            _shifted(self.good, offset, steps),
            _shifted(self.total, offset, steps),
            self.customers,
            _shifted(self.customer_good, offset, steps) if self.customer_good is not None else None,
            _shifted(self.customer_total, offset, steps) if self.customer_total is not None else None,
            _shifted(self.unlabelled, offset, steps) if self.unlabelled is not None else None,
        )


def _shifted(values: np.ndarray, offset: int, steps: int) -> np.ndarray:
    out = np.full(values.shape[:-1] + (steps,), np.nan)
    first, last = max(0, -offset), min(steps, values.shape[-1] - offset)
    if first < last:
        out[..., first:last] = values[..., first + offset : last + offset]
    return out
