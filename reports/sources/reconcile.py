"""Exact counts from two views of one counter.

Per-step ``increase()`` values place events in time but lose the events that fall into a
scrape gap: the jump across the gap lands in no step. One ``increase()`` over a span whose
edges hold samples is exact (resets included). So each gap's events are read with one query
over the gap and given to the first step after it, and the rows are then held to the
whole-range total, so that they always add up to it.

Arrays are dense per step: NaN is a step without data (no row), 0 a step with data and no events.
"""

from __future__ import annotations

import numpy as np


def needs_presence(values: np.ndarray) -> bool:
    """Whether ``increase()`` alone cannot tell which steps hold samples.

    A step right after a gap has no value in Prometheus (one sample is not enough for
    ``increase()``), and VictoriaMetrics returns 0 for the first steps into a gap: so missing
    values and zeros are checked against a count of samples.
    """
    return bool(np.isnan(values).any() or (values == 0).any())


def with_presence(values: np.ndarray, samples: np.ndarray) -> np.ndarray:
    """Rows exactly where the step holds a sample; a step with a sample but no value gets 0."""
    return np.where(samples > 0, np.nan_to_num(values, nan=0.0), np.nan)


def gaps(present: np.ndarray) -> list[tuple[int, int]]:
    """(last step with data before, first step with data after) for each run of steps without data."""
    steps = np.flatnonzero(present)
    jumps = np.flatnonzero(np.diff(steps) > 1)
    return [(int(steps[j]), int(steps[j + 1])) for j in jumps]


def to_counts(values: np.ndarray, total: float) -> np.ndarray:
    """Whole-number rows that add up to ``total`` exactly.

    When the per-step values already add up to the total (samples at every step edge) they
    come back unchanged. Otherwise (scrapes not aligned with the steps, a series missing from
    part of a group) the difference is shared in proportion to the values, and the cumulative
    sum is rounded so that no row moves by more than one event from its share.
    """
    values = np.clip(np.nan_to_num(values, nan=0.0), 0, None)
    target = max(0, round(total))
    current = values.sum()
    if current > 0:
        shares = values * (target / current)
    else:
        shares = np.zeros_like(values)
        if len(shares):
            shares[-1] = target
    return np.diff(np.rint(np.cumsum(shares)), prepend=0.0).astype(np.int64)
