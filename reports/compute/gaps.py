"""Missing data judged against what the budget can absorb: pure, a missing-step mask in, spans out.

A month whose time without data exceeds its allowed downtime could have hidden more bad events
than the objective allows: its verdict is not safe, however high the SLI of the rest.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class Span:
    start: datetime
    end: datetime

    @property
    def minutes(self) -> float:
        return (self.end - self.start).total_seconds() / 60


def missing_spans(starts: Sequence[datetime], missing: Sequence[bool], step: timedelta) -> tuple[Span, ...]:
    """Runs of consecutive missing steps as [start, end) spans; ``starts`` are the steps' starts."""
    spans: list[Span] = []
    run_start: datetime | None = None
    for at, gap in zip(starts, missing, strict=True):
        if gap and run_start is None:
            run_start = at
        elif not gap and run_start is not None:
            spans.append(Span(run_start, at))
            run_start = None
    if run_start is not None:
        spans.append(Span(run_start, starts[-1] + step))
    return tuple(spans)


def exceeds_allowance(no_data_minutes: float, allowed_minutes: float) -> bool:
    """More time without data than the objective allows to be down: the gap alone could hide a miss."""
    return no_data_minutes > allowed_minutes


def partial(coverage: float | None, objective: float) -> bool:
    """A month whose share without data is larger than its error budget (1 − objective) is partial."""
    return coverage is not None and (1 - coverage) > (1 - objective) + 1e-12
