"""Missing data judged against what the budget can absorb: pure, a missing-step mask (a numpy array) in, spans out.

A month whose time without data exceeds its allowed downtime could have hidden more bad events
than the objective allows: its verdict is not safe, however high the SLI of the rest.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np


@dataclass(frozen=True)
class Span:
    start: datetime
    end: datetime

    @property
    def minutes(self) -> float:
        return (self.end - self.start).total_seconds() / 60


def missing_spans(start: datetime, step: timedelta, missing: np.ndarray) -> tuple[Span, ...]:
    """Runs of consecutive missing steps as [start, end) spans; step ``i`` starts at ``start + i × step``."""
    edges = np.diff(np.concatenate(([0], np.asarray(missing, dtype=np.int8), [0])))
    firsts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    return tuple(Span(start + int(f) * step, start + int(e) * step) for f, e in zip(firsts, ends, strict=True))


def exceeds_allowance(no_data_minutes: float, allowed_minutes: float) -> bool:
    """More time without data than the objective allows to be down: the gap alone could hide a miss."""
    return no_data_minutes > allowed_minutes


def partial(coverage: float | None, objective: float) -> bool:
    """A month whose share without data is larger than its error budget (1 − objective) is partial."""
    return coverage is not None and (1 - coverage) > (1 - objective) + 1e-12
