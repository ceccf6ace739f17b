"""Exact counts: sample arithmetic for counters, and for raw SLIs two views of one query.

Per-step ``increase()`` values place events in time, but they lose the events that fall into
a scrape gap (the jump across the gap lands in no step), and when scrapes are not aligned with
the steps each value is extrapolated from part of its step. One ``increase()`` over a span
whose edges hold samples is exact (resets included). So each gap's events are read with one
query over the gap and given to the first step after it; the rows of every day are held to
that day's own ``increase()`` (which places events by day), and then all rows to one
``increase()`` over the whole range (which has two edges to extrapolate, not one per day).

Arrays are dense per step: NaN is a step without data (no row), 0 a step with data and no events.
"""

from __future__ import annotations

import numpy as np


def gaps(present: np.ndarray) -> list[tuple[int, int]]:
    """(last step with data before, first step with data after) for each run of steps without data."""
    steps = np.flatnonzero(present)
    jumps = np.flatnonzero(np.diff(steps) > 1)
    return [(int(steps[j]), int(steps[j + 1])) for j in jumps]


def held(values: np.ndarray, total: float) -> np.ndarray:
    """``values`` (≥ 0) scaled to add up to ``total``. With nothing to scale the events are
    spread evenly: no step is known to hold them, and a spike on one would read as an incident."""
    values = np.clip(np.nan_to_num(values, nan=0.0), 0, None)
    current = values.sum()
    if current > 0:
        return values * (max(total, 0.0) / current)
    return np.full(len(values), max(total, 0.0) / len(values)) if len(values) else values


def to_counts(values: np.ndarray, total: float) -> np.ndarray:
    """Whole-number rows that add up to ``round(total)`` exactly.

    Values that already add up to the total (samples at every step edge) come back unchanged.
    Otherwise (scrapes not aligned with the steps, a series missing from part of a group) the
    difference is shared in proportion to the values, and the cumulative sum is rounded so
    that no row moves by more than one event from its share.
    """
    shares = held(values, max(0, round(total)))
    return np.diff(np.rint(np.cumsum(shares)), prepend=0.0).astype(np.int64)


def segments(bounds: list[int], present: np.ndarray) -> list[tuple[int, int]]:
    """Day segments [a, b) of steps, merged across every bound that a gap touches.

    A day's ``increase()`` is exact when samples sit on both its edges; next to a gap it
    would extrapolate into the gap, so the days on either side are counted as one span.
    """
    merged = [(bounds[0], bounds[1])]
    for bound, end in zip(bounds[1:-1], bounds[2:], strict=True):
        if present[bound - 1] and present[bound]:
            merged.append((bound, end))
        else:
            merged[-1] = (merged[-1][0], end)
    return merged


def increase(previous: float, values: np.ndarray) -> float:
    """Events from ``previous`` through the samples ``values``: each rise, and after a reset
    (a lower value) the new value, since the counter started again from 0."""
    chain = np.concatenate([[previous], values])
    rises = np.diff(chain)
    return float(np.where(rises >= 0, rises, chain[1:]).sum())


def carry(values: np.ndarray, present: np.ndarray) -> np.ndarray:
    """``values`` with the events of steps outside ``present`` moved to the next step inside
    (the last one for events after it): the second counter's events stay with the total's rows."""
    out = np.where(present, np.nan_to_num(values, nan=0.0), 0.0)
    outside = np.flatnonzero(~present & (np.nan_to_num(values, nan=0.0) != 0))
    inside = np.flatnonzero(present)
    if len(outside) and len(inside):
        target = np.searchsorted(inside, outside)
        np.add.at(out, inside[np.minimum(target, len(inside) - 1)], values[outside])
    return out
