"""Typed contexts, one per document, built from the ``MonthReport``.

Every figure a document shows is computed here (or earlier, in compute and policy); the
templates only format and arrange. Raw values stay raw (fractions, minutes, instants) and
are formatted by the environment's filters, so HTML, PDF and policy sentences agree.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from markupsafe import Markup

from .. import format as fmt
from ..archive import Revision
from ..compute.burn import ALERT_PAIRS
from ..compute.gaps import Span, exceeds_allowance, partial
from ..compute.notes import Correction, IncidentNote
from ..compute.results import DayBurn, Incident, LabelCoverage, SloResult
from ..compute.timeslices import TimeSlices
from ..config import CHANGE_KINDS
from ..naming import file_stem
from ..policy import ServiceAssessment, SloAssessment, Zone, judged_per_run, may_ship, no_data_zone
from ..report import MonthReport
from ..window import Month
from . import charts
from .customers import (
    SUMMARY_CREDITS,
    Credits,
    CustomersSection,
    MaintenanceRow,
    credits_of,
    customers_section,
    maintenance_rows,
)
from .environment import zone_css
from .history import HistorySection, history_section
from .meta import DocumentMeta
from .postmortem import PostmortemLink, draft_stem, postmortem_links

TOP_RECOMMENDATIONS = 8
TOP_INCIDENTS = 3
WINDOW_KINDS = {"calendar-month": "calendar month", "30d": "rolling window"}


@dataclass(frozen=True)
class ZoneView:
    name: str
    css: str
    """CSS class of the zone's colour: green, yellow, orange, red, nodata, or other."""
    min_remaining: float | None
    """The zone applies at this remaining budget and above; None for the last zone and "no data"."""
    below: float | None
    """For the last zone: it applies below this remaining budget (the previous zone's minimum)."""
    is_no_data: bool
    allowed_changes: tuple[str, ...]
    blocked_changes: tuple[str, ...]
    approval: str
    notify: tuple[str, ...]
    guidance: str


@dataclass(frozen=True)
class AlertPair:
    severity: str
    long_window_minutes: int
    short_window_minutes: int
    threshold: float


@dataclass(frozen=True)
class Policy:
    """The policy table and the glossary's fixed definitions."""

    zones: tuple[ZoneView, ...]
    """Best first, then the "no data" zone."""
    alert_pairs: tuple[AlertPair, ...]


@dataclass(frozen=True)
class AlertRow:
    severity: str
    long_window_minutes: int
    short_window_minutes: int
    threshold: float
    long_burn_at_end: float | None
    short_burn_at_end: float | None
    firing_at_end: bool
    firing_at_start: bool
    firings: int
    first_fired: datetime | None
    last_fired: datetime | None


@dataclass(frozen=True)
class SloSection:
    anchor: str
    name: str
    description: str
    status: str
    """``met``, ``missed`` or ``no data``."""
    no_data_reason: str | None
    zone: ZoneView
    objective: float
    sli: float | None
    margin: float | None
    good_events: int
    total_events: int
    bad_events: int
    allowed_bad_events: float
    budget_consumed: float | None
    budget_remaining: float | None
    overspent_by: float | None
    """−remaining when the budget is overspent, else None."""
    allowed_downtime_minutes: float
    error_equivalent_minutes: float | None
    measured_downtime_minutes: float
    down_slices: int
    slice_minutes: float
    down_below: float
    no_data_minutes: float
    idle_minutes: float
    excluded_minutes: float
    """Maintenance windows and budget corrections inside the window; 0 without any."""
    excluded_events: int
    """In those windows and corrections."""
    exclusions: int
    """Maintenance windows that excluded this SLO's steps."""
    coverage: float
    no_data_spans: tuple[Span, ...]
    gap_exceeds_allowance: bool
    """More time without data than the allowed downtime: the verdict could hide a miss."""
    is_batch: bool
    """Judged per run (a downtime slice of a day or more): shown as runs per night."""
    sli_chart: Markup | None
    burn_chart: Markup | None
    runs_chart: Markup | None
    failed_nights: tuple[DayBurn, ...]
    """For batch SLOs: the days with a failed job."""
    incidents: tuple[Incident, ...]
    outside_incidents_share: float | None
    postmortems_required: int
    alerts: tuple[AlertRow, ...]
    alerts_firing_at_end: int
    recommendations: tuple[str, ...]
    customers: CustomersSection | None
    history: HistorySection | None = None
    """Earlier months of this SLO found in the output folder, with this month."""
    budgeting: str = "occurrences"
    """``occurrences`` (events) or ``timeslices``; with time slices, ``timeslices`` holds the slice counts."""
    timeslices: TimeSlices | None = None
    corrections: tuple[Correction, ...] = ()
    """Approved budget corrections (excluded like maintenance, listed apart with their approvers)."""
    unmatched_notes: tuple[IncidentNote, ...] = ()
    """Incident notes that overlap no detected incident."""
    drafts: dict[datetime, str] = dataclasses.field(default_factory=dict)
    """Incident start → its postmortem draft, relative to the month folder."""
    trend: Trend | None = None
    labels: LabelCoverage | None = None
    """Model quality: label coverage per day, and whether the verdict is provisional."""
    deadline_minutes: float | None = None
    """Nightly runs judged on completion time: the deadline a run must finish within."""
    late_nights: tuple[LateNight, ...] = ()
    """Completion time: the nights with a run over the deadline."""

    @property
    def excluded_what(self) -> str:
        """What the excluded time is made of, for its row's label."""
        if not self.corrections:
            return "maintenance"
        return "maintenance and corrections" if self.exclusions else "by corrections"

    @property
    def has_data(self) -> bool:
        return self.status != "no data"

    @property
    def provisional_until(self) -> datetime | None:
        return self.labels.expected_by if self.labels is not None and self.labels.provisional else None


@dataclass(frozen=True)
class LateNight:
    """One night of a completion-time SLO with a run over the deadline, and the same night's failed jobs."""

    day: date
    runs: int
    late: int
    sli: float | None
    budget_share: float | None
    failed: int | None
    """Failed jobs that night from the service's job-success SLO (None without one)."""


@dataclass(frozen=True)
class ServicePage:
    meta: DocumentMeta
    name: str
    description: str
    owner: str
    file_stem: str
    zone: ZoneView
    deciding_slos: tuple[SloSection, ...]
    """The SLOs whose zone is the service's zone: they decide what it may ship."""
    slos: tuple[SloSection, ...]
    actions: tuple[Recommendation, ...]
    """The SLOs' recommendations without the zone sentences (the zone banner says that)."""
    policy: Policy
    maintenance: tuple[MaintenanceRow, ...]
    """Announced maintenance inside the window, shared by every SLO of the service."""

    @property
    def customer_sections(self) -> tuple[CustomersSection, ...]:
        return tuple(s.customers for s in self.slos if s.customers is not None)


@dataclass(frozen=True)
class Trend:
    """Budget used this month against the previous report's."""

    previous: float
    month: str
    """``Sep 2026``."""
    direction: str
    """``up``, ``down`` or ``same`` (the same when both read the same)."""
    partial: bool
    """The previous month had more time without data than its budget: a weak comparison."""


@dataclass(frozen=True)
class IndexRow:
    slo: str
    anchor: str
    status: str
    objective: float
    sli: float | None
    margin: float | None
    budget_remaining: float | None
    overspent_by: float | None
    zone: ZoneView
    postmortems_required: int
    no_data_reason: str | None
    budgeting: str = "occurrences"
    """``occurrences`` or ``timeslices``: what the SLI counts."""
    budget_consumed: float | None = None
    trend: Trend | None = None
    gap_exceeds_allowance: bool = False
    provisional_until: datetime | None = None
    """Model quality with labels still missing: the verdict may change until this instant."""


@dataclass(frozen=True)
class IndexService:
    name: str
    description: str
    owner: str
    href: str
    pdf_href: str
    zone: ZoneView
    deciding_slos: tuple[str, ...]
    rows: tuple[IndexRow, ...]
    may_ship: str = ""
    """``May ship bugfix, security, with engineering manager approval``."""
    rank: float = 0.0
    """The zone's rank: higher is worse."""

    @property
    def postmortems_required(self) -> int:
        return sum(r.postmortems_required for r in self.rows)


@dataclass(frozen=True)
class OwnerGroup:
    """The services of one owner (team), worst first; groups are ordered worst first too."""

    owner: str
    zone: ZoneView
    services: tuple[IndexService, ...]
    zone_counts: tuple[tuple[ZoneView, int], ...]
    """Services per zone in this group, worst first, zones without services left out."""

    @property
    def attention(self) -> tuple[IndexService, ...]:
        """Services outside the best zone, or with a postmortem owed or a data gap: shown in full."""
        return tuple(s for s in self.services if not _healthy(s, self.best))

    @property
    def healthy(self) -> tuple[IndexService, ...]:
        """Services in the best zone with nothing owed: listed compactly, folded away."""
        return tuple(s for s in self.services if _healthy(s, self.best))

    best: str = ""
    """The policy's best zone (``green`` by default)."""


def _healthy(service: IndexService, best: str) -> bool:
    return (
        service.zone.name == best
        and not service.postmortems_required
        and not any(r.gap_exceeds_allowance or r.status != "met" for r in service.rows)
    )


@dataclass(frozen=True)
class ZoneCount:
    zone: ZoneView
    services: int


@dataclass(frozen=True)
class Recommendation:
    service: str
    slo: str
    zone: ZoneView
    text: str


@dataclass(frozen=True)
class SloLine:
    """One line per SLO of the summary: what was found, in a few words, and what the zone allows."""

    service: str
    slo: str
    owner: str
    zone: ZoneView
    findings: tuple[str, ...]
    may_ship: str


@dataclass(frozen=True)
class IncidentLine:
    service: str
    slo: str
    owner: str
    incident: Incident
    per_run: bool = False
    """A batch SLO's failed run: said as the night and its failed jobs, not as a span of minutes."""
    late: bool = False
    """A per-run SLO judged on completion time: its bad runs were late, not failed."""


@dataclass(frozen=True)
class DataGap:
    service: str
    slo: str
    owner: str
    no_data_minutes: float
    allowed_minutes: float
    spans: tuple[Span, ...]


@dataclass(frozen=True)
class IndexPage:
    meta: DocumentMeta
    services: tuple[IndexService, ...]
    policy: Policy
    zone_counts: tuple[ZoneCount, ...]
    source_problems: tuple[str, ...]
    """SLOs the source could not count (``service/slo: why``)."""
    credits: Credits
    groups: tuple[OwnerGroup, ...] = ()
    previous_href: str | None = None
    """The previous month's index, when an earlier report was found."""
    previous_label: str = ""
    quarter_href: str = ""
    quarter_label: str = ""


@dataclass(frozen=True)
class SummaryPage:
    meta: DocumentMeta
    services: tuple[IndexService, ...]
    zone_counts: tuple[ZoneCount, ...]
    slos_total: int
    slos_met: int
    slos_missed: int
    slos_no_data: int
    postmortems_required: int
    lines: tuple[SloLine, ...]
    """SLOs with something to act on, worst first, one line each."""
    lines_left_out: int
    top_incidents: tuple[IncidentLine, ...]
    incidents_total: int
    data_gaps: tuple[DataGap, ...]
    source_problems: tuple[str, ...]
    credits: Credits
    """Its rows cut to the largest ``SUMMARY_CREDITS``; see ``credits_left_out``."""
    credits_left_out: int
    postmortems: tuple[PostmortemLink, ...] = ()
    """Every incident that requires a postmortem, with its draft and whether a note records it."""


def document_meta(report: MonthReport) -> DocumentMeta:
    window = report.window
    return DocumentMeta(
        title=report.title,
        month=str(window.month),
        month_label=report.month_label,
        timezone=window.timezone,
        window_kind=window.kind,
        window_kind_label=WINDOW_KINDS.get(window.kind, window.kind),
        window_start=window.start,
        window_end=window.end,
        window_days=window.days,
        window_minutes=window.minutes,
        generated_at=report.generated_at,
        source=report.source,
        step_minutes=report.step.total_seconds() / 60,
        day_axis=_day_axis(report),
    )


def _day_axis(report: MonthReport) -> str:
    window = report.window
    if window.kind == "calendar-month":
        return f"day of {report.month_label}"
    first = window.local(window.start)
    last = window.local(window.end - timedelta(microseconds=1))
    return f"day ({first:%d %b} – {last:%d %b %Y})"


def zone_view(zone: Zone, below: float | None = None) -> ZoneView:
    return ZoneView(
        name=zone.name,
        css=zone_css(zone.name),
        min_remaining=zone.min_remaining,
        below=below,
        is_no_data=zone.name == "no data" and zone.min_remaining is None and zone.rank % 1 != 0,
        allowed_changes=tuple(zone.allowed_changes),
        blocked_changes=tuple(c for c in CHANGE_KINDS if c not in zone.allowed_changes),
        approval=zone.approval,
        notify=tuple(zone.notify),
        guidance=zone.guidance,
    )


def policy_of(report: MonthReport) -> Policy:
    zones = report.zones
    views = [
        zone_view(z, zones[i - 1].min_remaining if z.min_remaining is None and i else None) for i, z in enumerate(zones)
    ]
    views.append(zone_view(no_data_zone(zones)))
    return Policy(zones=tuple(views), alert_pairs=tuple(AlertPair(*pair) for pair in ALERT_PAIRS))


def slo_anchor(index: int, name: str) -> str:
    return f"slo-{index + 1}-{file_stem(name).lower()}"


def _tidy(share: float | None) -> float | None:
    """A difference of shares that is zero but for float rounding reads as 0, not −0.0%."""
    return 0.0 if share is not None and abs(share) < 1e-9 else share


def _overspent(remaining: float | None) -> float | None:
    return -remaining if remaining is not None and remaining < 0 else None


def slo_section(
    index: int,
    assessed: SloAssessment,
    meta: DocumentMeta,
    revisions: tuple[Revision, ...] = (),
    failed_by_night: dict[date, int] | None = None,
) -> SloSection:
    """``failed_by_night``: for a completion-time SLO, the service's failed jobs per night, shown alongside."""
    r: SloResult = assessed.result
    d, b = r.downtime, r.budget
    anchor = slo_anchor(index, r.slo)
    alerts = tuple(
        AlertRow(
            severity=a.severity,
            long_window_minutes=a.long_window_minutes,
            short_window_minutes=a.short_window_minutes,
            threshold=a.threshold,
            long_burn_at_end=a.long_burn_at_end,
            short_burn_at_end=a.short_burn_at_end,
            firing_at_end=a.firing_at_end,
            firing_at_start=a.firing_at_start,
            firings=len(a.firings),
            first_fired=min((f.start for f in a.firings), default=None),
            last_fired=max((f.start for f in a.firings), default=None),
        )
        for a in r.alerts
    )
    incidents = r.incidents
    bands = chart_bands(r, meta)
    is_batch = judged_per_run(r)
    return SloSection(
        anchor=anchor,
        name=r.slo,
        description=r.description,
        status=r.status,
        no_data_reason=r.no_data_reason,
        zone=zone_view(assessed.zone),
        objective=r.objective,
        sli=r.sli,
        margin=r.margin,
        good_events=r.good_events,
        total_events=r.total_events,
        bad_events=r.bad_events,
        allowed_bad_events=b.allowed_bad_events,
        budget_consumed=b.consumed,
        budget_remaining=b.remaining,
        overspent_by=_overspent(b.remaining),
        allowed_downtime_minutes=d.allowed_minutes,
        error_equivalent_minutes=d.error_equivalent_minutes,
        measured_downtime_minutes=d.measured_minutes,
        down_slices=d.down_slices,
        slice_minutes=d.slice_minutes,
        down_below=d.down_below,
        no_data_minutes=d.no_data_minutes,
        idle_minutes=d.idle_minutes,
        excluded_minutes=d.excluded_minutes,
        excluded_events=sum(e.excluded_total for e in r.exclusions) + sum(c.excluded_total for c in r.corrections),
        exclusions=len(r.exclusions),
        coverage=r.coverage,
        no_data_spans=r.no_data_spans,
        gap_exceeds_allowance=r.has_data and exceeds_allowance(d.no_data_minutes, d.allowed_minutes),
        is_batch=is_batch,
        sli_chart=(
            charts.daily_sli_chart(r.days, r.objective, meta.day_axis, bands)
            if r.has_data and r.days and not is_batch
            else None
        ),
        burn_chart=(
            charts.burn_down_chart(r.burn_down, meta.window_start, meta.window_end, meta.timezone, meta.day_axis, bands)
            if r.has_data and r.burn_down and not is_batch
            else None
        ),
        runs_chart=charts.runs_chart(
            r.days, meta.day_axis, ("runs on time", "late runs") if r.threshold is not None else charts.RUN_OUTCOMES
        )
        if r.has_data and r.days and is_batch
        else None,
        failed_nights=tuple(day for day in r.days if day.total > day.good) if is_batch else (),
        incidents=incidents,
        outside_incidents_share=_tidy(r.outside_incidents_share),
        postmortems_required=sum(i.postmortem_required for i in incidents),
        alerts=alerts,
        alerts_firing_at_end=sum(a.firing_at_end for a in alerts),
        recommendations=tuple(advice.text for advice in assessed.recommendations),
        customers=customers_section(r, assessed.result.service, anchor),
        history=history_section(assessed, meta.month, revisions),
        budgeting=r.budgeting,
        timeslices=r.timeslices,
        corrections=r.corrections,
        unmatched_notes=r.unmatched_notes,
        drafts={i.start: draft_stem(r.service, r.slo, i.start) + ".html" for i in incidents if i.postmortem_required},
        trend=trend_of(assessed),
        labels=r.labels,
        deadline_minutes=r.threshold / 60 if is_batch and r.threshold is not None else None,
        late_nights=late_nights(r, failed_by_night) if is_batch and r.threshold is not None else (),
    )


def late_nights(r: SloResult, failed_by_night: dict[date, int] | None) -> tuple[LateNight, ...]:
    return tuple(
        LateNight(
            day.day,
            day.total,
            day.total - day.good,
            day.sli,
            day.budget_share,
            failed_by_night.get(day.day) if failed_by_night is not None else None,
        )
        for day in r.days
        if day.total > day.good
    )


def failed_jobs(service: ServiceAssessment) -> dict[date, int] | None:
    """Failed jobs per night from the service's per-run SLO without a deadline (job success), if it has one."""
    for s in service.slos:
        if judged_per_run(s.result) and s.result.threshold is None and s.result.has_data:
            return {day.day: day.total - day.good for day in s.result.days}
    return None


def chart_bands(r: SloResult, meta: DocumentMeta) -> tuple[charts.Band, ...]:
    """Incidents, maintenance and no-data periods as fractions of the window, for shading."""
    length = (meta.window_end - meta.window_start).total_seconds()

    def band(start: datetime, end: datetime, kind: str) -> charts.Band:
        return charts.Band(
            (start - meta.window_start).total_seconds() / length,
            (end - meta.window_start).total_seconds() / length,
            kind,
        )

    return (
        tuple(band(s.start, s.end, "no data") for s in r.no_data_spans)
        + tuple(band(i.start, i.end, "incident") for i in r.incidents)
        + tuple(band(e.start, e.end, "maintenance") for e in r.exclusions)
    )


def service_page(report: MonthReport, service: ServiceAssessment, meta: DocumentMeta | None = None) -> ServicePage:
    meta = meta or document_meta(report)
    failed = failed_jobs(service)
    slos = tuple(
        slo_section(i, s, meta, report.revisions_of(service.name, s.result.slo), failed)
        for i, s in enumerate(service.slos)
    )
    return ServicePage(
        meta=meta,
        name=service.name,
        description=service.description,
        owner=service.owner,
        file_stem=file_stem(service.name),
        zone=zone_view(service.zone),
        deciding_slos=tuple(s for s in slos if s.zone.name == service.zone.name),
        slos=slos,
        actions=tuple(
            Recommendation(service.name, s.result.slo, zone_view(s.zone), advice.text)
            for s in service.slos
            for advice in s.recommendations
            if advice.kind != "zone"
        ),
        policy=policy_of(report),
        maintenance=maintenance_rows(service, meta),
    )


def trend_of(assessed: SloAssessment) -> Trend | None:
    """Budget used against the previous report's, when both have data."""
    now = assessed.result.budget.consumed
    last = assessed.history[-1] if assessed.history else None
    before = last.budget_consumed if last is not None else None
    if last is None or before is None or now is None:
        return None
    same = fmt.used(before) == fmt.used(now)
    direction = "same" if same else "up" if now > before else "down"
    parsed = last.month
    return Trend(before, f"{parsed.label()[:3]} {parsed.year}", direction, partial(last.coverage, last.objective))


def _index_service(service: ServiceAssessment) -> IndexService:
    stem = file_stem(service.name)
    rows = tuple(
        IndexRow(
            slo=s.result.slo,
            anchor=slo_anchor(i, s.result.slo),
            status=s.result.status,
            objective=s.result.objective,
            sli=s.result.sli,
            margin=s.result.margin,
            budget_remaining=s.result.budget.remaining,
            overspent_by=_overspent(s.result.budget.remaining),
            zone=zone_view(s.zone),
            postmortems_required=sum(i.postmortem_required for i in s.result.incidents),
            no_data_reason=s.result.no_data_reason,
            budgeting=s.result.budgeting,
            budget_consumed=s.result.budget.consumed,
            trend=trend_of(s),
            gap_exceeds_allowance=s.result.has_data
            and exceeds_allowance(s.result.downtime.no_data_minutes, s.result.downtime.allowed_minutes),
            provisional_until=s.result.labels.expected_by
            if s.result.labels is not None and s.result.labels.provisional
            else None,
        )
        for i, s in enumerate(service.slos)
    )
    return IndexService(
        name=service.name,
        description=service.description,
        owner=service.owner,
        href=f"{stem}.html",
        pdf_href=f"{stem}.pdf",
        zone=zone_view(service.zone),
        deciding_slos=tuple(s.result.slo for s in service.deciding_slos),
        rows=rows,
        may_ship=may_ship(service.zone),
        rank=service.zone.rank,
    )


def _worst_first(services: list[IndexService]) -> list[IndexService]:
    """Worst zone first, then the least budget left, then by name."""

    def least_left(service: IndexService) -> float:
        left = [r.budget_remaining for r in service.rows if r.budget_remaining is not None]
        return min(left, default=float("-inf"))

    return sorted(services, key=lambda s: (-s.rank, least_left(s), s.name))


def owner_groups(services: list[IndexService], best: str = "green") -> tuple[OwnerGroup, ...]:
    """Services grouped by owner (team), worst group first (its worst zone, then its size)."""
    by_owner: dict[str, list[IndexService]] = {}
    for service in services:
        by_owner.setdefault(service.owner or "no owner set", []).append(service)
    groups = []
    for owner, members in by_owner.items():
        ordered = _worst_first(members)
        counts: dict[str, tuple[ZoneView, float, int]] = {}
        for m in ordered:
            zone, rank, n = counts.get(m.zone.name, (m.zone, m.rank, 0))
            counts[m.zone.name] = (zone, rank, n + 1)
        zone_counts = tuple((z, n) for z, _, n in sorted(counts.values(), key=lambda item: -item[1]))
        groups.append(OwnerGroup(owner, ordered[0].zone, tuple(ordered), zone_counts, best))
    worst = {g.owner: g.services[0].rank for g in groups}
    return tuple(sorted(groups, key=lambda g: (-worst[g.owner], g.owner)))


def _zone_counts(report: MonthReport) -> tuple[ZoneCount, ...]:
    """Services per zone, worst first; "no data" appears only when a service is in it."""
    by_name: dict[str, tuple[Zone, int]] = {z.name: (z, 0) for z in report.zones}
    for service in report.services:
        zone, n = by_name.get(service.zone.name, (service.zone, 0))
        by_name[service.zone.name] = (zone, n + 1)
    ordered = sorted(by_name.values(), key=lambda item: -item[0].rank)
    return tuple(ZoneCount(zone_view(z), n) for z, n in ordered if n or z.name != "no data")


def index_page(report: MonthReport) -> IndexPage:
    meta = document_meta(report)
    services = [_index_service(s) for s in report.services]
    month = Month.parse(meta.month)
    previous = month.previous()
    found_previous = any(h.month == previous for service in report.services for s in service.slos for h in s.history)
    quarter = f"{month.year}-Q{(month.month - 1) // 3 + 1}"
    return IndexPage(
        meta=meta,
        services=tuple(services),
        policy=policy_of(report),
        zone_counts=_zone_counts(report),
        source_problems=tuple(report.source_problems),
        credits=credits_of(report),
        groups=owner_groups(services, report.zones[0].name),
        previous_href=f"../{previous}/index.html" if found_previous else None,
        previous_label=previous.label(),
        quarter_href=f"../{quarter}/review.html",
        quarter_label=quarter,
    )


def _worst_slos(report: MonthReport) -> list[tuple[ServiceAssessment, SloAssessment]]:
    """Every SLO, the worst zone first, then the least budget left."""
    assessed = [(service, s) for service in report.services for s in service.slos]
    return sorted(
        assessed,
        key=lambda pair: (
            -pair[1].zone.rank,
            pair[1].result.budget.remaining if pair[1].result.budget.remaining is not None else float("-inf"),
        ),
    )


def top_recommendations(report: MonthReport) -> list[Recommendation]:
    """Recommendations of the SLOs in the worst zones first (least budget left first), each
    SLO's in the policy's order (most urgent first), without the zone sentence."""
    out = []
    for service, s in _worst_slos(report):
        for advice in s.recommendations:
            if advice.kind != "zone":  # the summary's table already shows the zone
                out.append(Recommendation(service.name, s.result.slo, zone_view(s.zone), advice.text))
    return out


def slo_lines(report: MonthReport) -> list[SloLine]:
    """One line per SLO with a finding beyond its zone and trend (the table shows both), worst first."""
    out = []
    for service, s in _worst_slos(report):
        findings = tuple(a.short for a in s.recommendations if a.kind not in ("zone", "trend"))
        if findings:
            out.append(
                SloLine(service.name, s.result.slo, service.owner, zone_view(s.zone), findings, may_ship(s.zone))
            )
    return out


def top_incidents(report: MonthReport) -> list[IncidentLine]:
    """The month's incidents, the largest share of budget first."""
    lines = [
        IncidentLine(
            service.name,
            s.result.slo,
            service.owner,
            incident,
            judged_per_run(s.result),
            s.result.threshold is not None,
        )
        for service in report.services
        for s in service.slos
        for incident in s.result.incidents
    ]
    return sorted(lines, key=lambda line: -line.incident.budget_share)


def data_gaps(report: MonthReport) -> tuple[DataGap, ...]:
    """SLOs with more time without data than their allowed downtime."""
    return tuple(
        DataGap(
            service.name,
            s.result.slo,
            service.owner,
            s.result.downtime.no_data_minutes,
            s.result.downtime.allowed_minutes,
            s.result.no_data_spans,
        )
        for service in report.services
        for s in service.slos
        if s.result.has_data and exceeds_allowance(s.result.downtime.no_data_minutes, s.result.downtime.allowed_minutes)
    )


def summary_page(report: MonthReport) -> SummaryPage:
    results = [s.result for service in report.services for s in service.slos]
    lines = slo_lines(report)
    incidents = top_incidents(report)
    credits = credits_of(report)
    services = [_index_service(s) for s in report.services]
    return SummaryPage(
        meta=document_meta(report),
        services=tuple(_worst_first(services)),
        zone_counts=_zone_counts(report),
        slos_total=len(results),
        slos_met=sum(r.status == "met" for r in results),
        slos_missed=sum(r.status == "missed" for r in results),
        slos_no_data=sum(r.status == "no data" for r in results),
        postmortems_required=sum(i.postmortem_required for r in results for i in r.incidents),
        lines=tuple(lines[:TOP_RECOMMENDATIONS]),
        lines_left_out=max(0, len(lines) - TOP_RECOMMENDATIONS),
        top_incidents=tuple(incidents[:TOP_INCIDENTS]),
        incidents_total=len(incidents),
        data_gaps=data_gaps(report),
        source_problems=tuple(report.source_problems),
        credits=dataclasses.replace(credits, rows=credits.rows[:SUMMARY_CREDITS]),
        credits_left_out=max(0, len(credits.rows) - SUMMARY_CREDITS),
        postmortems=postmortem_links(report),
    )
