"""Time-slice budgeting (OpenSLO ``Timeslices``): the window is cut into slices, each slice is
judged good or bad against the slice target, and the SLI is the share of good slices.

Pure: plain arrays in (events per step, NaN where a step has no data), a frozen result out.
A slice without data is never good: it is left out of the SLI's denominator and counted apart.
A slice with data but no events is good (nothing failed in it).
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from .exact import exact


@dataclass(frozen=True)
class TimeSlices:
    slice_minutes: float
    slice_target: float
    """A slice is good when its good / total is at least this (or it had no events)."""
    slices: int
    """Slices in the window (the last one may be shorter)."""
    with_data: int
    """Slices holding at least one step with data."""
    good: int
    bad: int
    no_data: int
    """Slices without any data: never good, not in the SLI's denominator."""
    idle: int
    """Slices with data but no events, counted good."""
    sli: float | None
    """good slices / slices with data."""
    allowed_bad_slices: float
    """(1 − objective) × slices with data."""
    allowed_minutes: float
    """allowed bad slices × slice minutes."""
    bad_minutes: float
    """bad slices × slice minutes."""
    consumed: float | None
    """bad slices / allowed bad slices = (1 − SLI) / (1 − objective)."""
    remaining: float | None
    met: bool | None
    """SLI ≥ objective, compared exactly; None without data."""


def time_slices(
    good: np.ndarray,
    total: np.ndarray,
    steps_per_slice: int,
    slice_target: float,
    objective: float,
    step_minutes: float,
) -> TimeSlices:
    """``good`` and ``total``: events per step over the window, NaN where a step has no data."""
    has_data, idle, is_good = _judge(good, total, steps_per_slice, slice_target)
    slices = len(has_data)
    with_data, good_slices = int(has_data.sum()), int(is_good.sum())
    bad_slices = with_data - good_slices
    slice_minutes = steps_per_slice * step_minutes
    budget = 1 - exact(objective)
    allowed = budget * with_data
    sli = Fraction(good_slices, with_data) if with_data else None
    consumed = Fraction(bad_slices) / allowed if with_data else None
    return TimeSlices(
        slice_minutes=slice_minutes,
        slice_target=slice_target,
        slices=slices,
        with_data=with_data,
        good=good_slices,
        bad=bad_slices,
        no_data=slices - with_data,
        idle=int(idle.sum()),
        sli=float(sli) if sli is not None else None,
        allowed_bad_slices=float(allowed),
        allowed_minutes=float(allowed * Fraction(slice_minutes)),
        bad_minutes=bad_slices * slice_minutes,
        consumed=float(consumed) if consumed is not None else None,
        remaining=float(1 - consumed) if consumed is not None else None,
        met=sli >= exact(objective) if sli is not None else None,
    )


def _judge(
    good: np.ndarray, total: np.ndarray, steps_per_slice: int, slice_target: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per slice: has data, idle (data, no events), good."""
    count = len(total)
    slice_of_step = np.arange(count) // steps_per_slice
    slices = int(slice_of_step[-1]) + 1 if count else 0
    has_data = np.bincount(slice_of_step, weights=~np.isnan(total), minlength=slices) > 0
    slice_good = np.bincount(slice_of_step, weights=np.nan_to_num(good), minlength=slices).round().astype(np.int64)
    slice_total = np.bincount(slice_of_step, weights=np.nan_to_num(total), minlength=slices).round().astype(np.int64)
    target = exact(slice_target)
    # good / total ≥ p / q, compared in integers: a slice exactly on the target is good.
    meets = slice_good * target.denominator >= slice_total * target.numerator
    idle = has_data & (slice_total == 0)
    return has_data, idle, has_data & (idle | meets)


def bad_slice_ends(good: np.ndarray, total: np.ndarray, steps_per_slice: int, slice_target: float) -> np.ndarray:
    """1 at the last step of every bad slice, else 0: the budget spent by time, for the burn-down."""
    has_data, _, is_good = _judge(good, total, steps_per_slice, slice_target)
    marks = np.zeros(len(total))
    ends = np.minimum((np.arange(len(has_data)) + 1) * steps_per_slice, len(total)) - 1
    marks[ends[has_data & ~is_good]] = 1
    return marks
