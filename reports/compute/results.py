"""What computation produces: frozen dataclasses, one figure per field, each defined in the glossary."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING

from .customers import CustomerResults, Exclusion
from .gaps import Span
from .status import Status
from .timeslices import TimeSlices

if TYPE_CHECKING:
    from .records import Correction, CustomerImpact, CustomerOutage, IncidentNote


@dataclass(frozen=True)
class Downtime:
    allowed_minutes: float
    """(1 − objective) × window minutes."""
    error_equivalent_minutes: float | None
    """(1 − SLI) × window minutes: the outage that would have caused the same share of bad events."""
    measured_minutes: float
    """Minutes of slices whose SLI was below ``down_below``."""
    slice_minutes: float
    down_below: float
    down_slices: int
    no_data_minutes: float
    """Minutes of slices with no data at all: neither up nor down, never counted as good."""
    idle_minutes: float
    """Minutes of slices with data but no traffic."""
    excluded_minutes: float = 0.0
    """Minutes of announced maintenance inside the window: excluded, neither up, down nor missing."""


@dataclass(frozen=True)
class Budget:
    allowed_bad_events: float
    """(1 − objective) × total events: the bad events the objective allows this window."""
    bad_events: int
    consumed: float | None
    """(1 − SLI) / (1 − objective); 1.0 means the budget is exactly spent."""
    remaining: float | None
    """1 − consumed; below zero means overspent."""


@dataclass(frozen=True)
class DayBurn:
    day: date
    good: int
    total: int
    sli: float | None
    burn_rate: float | None
    """The day's error ratio / (1 − objective)."""
    budget_share: float | None
    """The day's bad events as a share of the month's budget."""


@dataclass(frozen=True)
class Firing:
    start: datetime
    end: datetime
    ongoing: bool
    """Still firing when the window ended."""


@dataclass(frozen=True)
class BurnAlert:
    severity: str
    long_window_minutes: int
    short_window_minutes: int
    threshold: float
    long_burn_at_end: float | None
    short_burn_at_end: float | None
    firing_at_end: bool
    firings: tuple[Firing, ...]
    firing_at_start: bool = False
    """Already firing at the first evaluation: the burn began before the window (seen through the look-back)."""


@dataclass(frozen=True)
class Incident:
    start: datetime
    end: datetime
    bad_events: int
    total_events: int
    peak_burn_rate: float
    budget_share: float
    """Bad events in the incident / the month's allowed bad events."""
    postmortem_required: bool
    duration_minutes: float
    peak_at: datetime | None = None
    """Start of the step with the highest burn rate."""
    note: IncidentNote | None = None
    """The incident note whose span overlaps this incident, if one was recorded."""
    customers: tuple[CustomerImpact, ...] = ()
    """For a postmortem on an SLA-covered SLO: each customer's own error rate inside the incident."""


@dataclass(frozen=True)
class BudgetPoint:
    at: datetime
    remaining: float


@dataclass(frozen=True)
class LabelDay:
    day: date
    predictions: int
    """Predictions made that day, labelled or not."""
    labelled: int
    """Those with ground truth when the report ran: the day's valid events."""
    correct: int
    coverage: float | None
    """labelled / predictions (None for a day without predictions)."""
    sli: float | None
    """correct / labelled (None for a day without labels)."""


@dataclass(frozen=True)
class LabelCoverage:
    predictions: int
    labelled: int
    coverage: float | None
    """Σ labelled / Σ predictions over the window: event-weighted, never a mean of the days."""
    expected_by: datetime
    """The window's end plus the label delay: when the month's labels should all be in."""
    provisional: bool
    """Predictions are still unlabelled and the report ran before ``expected_by``: the SLI may change."""
    overdue: bool
    """Predictions are still unlabelled after ``expected_by``: the labels are late, the SLI stands on what came."""
    days: tuple[LabelDay, ...]

    @property
    def unlabelled(self) -> int:
        return self.predictions - self.labelled


@dataclass(frozen=True)
class SloResult:
    service: str
    slo: str
    objective: float
    description: str
    status: Status
    no_data_reason: str | None
    good_events: int
    total_events: int
    sli: float | None
    margin: float | None
    """SLI − objective (fraction; negative when missed)."""
    coverage: float
    """Share of the window's steps that have data."""
    downtime: Downtime
    budget: Budget
    days: tuple[DayBurn, ...]
    burn_down: tuple[BudgetPoint, ...]
    alerts: tuple[BurnAlert, ...]
    incidents: tuple[Incident, ...]
    outside_incidents_share: float | None
    """Budget consumed by bad events outside any incident."""
    exclusions: tuple[Exclusion, ...] = ()
    """Maintenance windows inside the window and the events they excluded."""
    customers: CustomerResults | None = None
    """Per-customer results, for SLOs with ``sla: true`` when tiers are configured."""
    sla: bool = False
    """SLA-covered (``sla: true`` with tiers configured): ``customers`` is None only when the source failed."""
    budgeting: str = "occurrences"
    """``occurrences`` (SLI and budget from events) or ``timeslices`` (from good and bad slices)."""
    timeslices: TimeSlices | None = None
    """The slice counts, for ``budgeting: timeslices``; the SLI, status and budget consumed come from them."""
    corrections: tuple[Correction, ...] = ()
    """Approved budget corrections inside the window and the events they excluded (apart from ``exclusions``)."""
    unmatched_notes: tuple[IncidentNote, ...] = ()
    """Incident notes (not corrections) that overlap no detected incident of this SLO."""
    customer_outages: tuple[CustomerOutage, ...] = ()
    """SLA-covered SLOs: each customer's own outages (its counts against its committed level), by customer and time."""
    no_data_spans: tuple[Span, ...] = ()
    """The periods inside the window (maintenance aside) with no data at all, for charts and findings."""
    labels: LabelCoverage | None = None
    """Model quality (``ground_truth`` configured): label coverage per day and whether the verdict is provisional."""
    threshold: float | None = None
    """Latency SLIs: the seconds a good event stays within; for nightly runs, the completion deadline."""

    @property
    def bad_events(self) -> int:
        return self.total_events - self.good_events

    @property
    def has_data(self) -> bool:
        return self.status != Status.NO_DATA
