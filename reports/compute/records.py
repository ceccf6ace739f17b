"""What incident notes, budget corrections and customer outages add to an SLO's result (their own
module, so the result types and the computations that make them do not import each other)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class IncidentNote:
    """A note as the documents show it (config's ``incidents`` entry, without service and SLO)."""

    id: str
    title: str
    start: datetime
    end: datetime
    cause: str = ""
    owner: str = ""
    postmortem: str = ""
    """URL of the postmortem; empty when none is recorded."""
    exclude: bool = False
    approver: str = ""


@dataclass(frozen=True)
class Correction:
    """An approved exclusion of budget after the fact, clipped to the window."""

    id: str
    title: str
    approver: str
    start: datetime
    end: datetime
    excluded_good: int
    excluded_total: int
    """Events in the corrected span that the SLO and SLA figures no longer count."""

    @property
    def excluded_bad(self) -> int:
        return self.excluded_total - self.excluded_good


@dataclass(frozen=True)
class CustomerImpact:
    """One customer's own events during an incident (SLA-covered SLOs)."""

    customer: str
    tier: str
    good_events: int
    total_events: int
    error_rate: float | None
    """Bad / total events of this customer inside the incident; None without traffic."""


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
