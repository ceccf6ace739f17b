"""Postmortem drafts: one document per incident that requires a postmortem, started from the data.

The draft carries what the numbers already know (a timeline of the burn and of when each
burn-rate alert pair would have fired and cleared, the budget impact, the SLA customers' own
error rates inside the incident) and what people recorded (the incident note), and leaves
empty the sections only people can fill: root cause, what went well, action items with owners.
Written to ``postmortems/<service>-<slo>-<start>.html`` and ``.pdf`` in the month folder.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from ..compute.notes import CustomerImpact, IncidentNote
from ..compute.results import Incident, SloResult
from ..format import window_name
from ..naming import file_stem
from ..report import MonthReport
from .meta import DocumentMeta

FOLDER = "postmortems"
MAX_CUSTOMERS = 15
"""Customers listed in a draft (highest error rate first); the rest are counted."""


def draft_stem(service: str, slo: str, start: datetime) -> str:
    """``postmortems/model-api-availability-20261022T1400Z``: the incident's start in UTC names it."""
    return f"{FOLDER}/{file_stem(service)}-{file_stem(slo)}-{start:%Y%m%dT%H%MZ}"


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    what: str
    kind: str
    """``burn`` (start, peak, end) or ``alert`` (an alert pair firing or clearing)."""


@dataclass(frozen=True)
class PostmortemDraft:
    meta: DocumentMeta
    stem: str
    service: str
    service_owner: str
    slo: str
    description: str
    objective: float
    incident: Incident
    timeline: tuple[TimelineEntry, ...]
    """In time order; alert entries are evaluations at the end of a step."""
    month_consumed: float | None
    """Budget consumed over the whole window, this incident included."""
    month_remaining: float | None
    customers: tuple[CustomerImpact, ...]
    """The SLA customers with traffic inside the incident, highest error rate first (cut to ``MAX_CUSTOMERS``)."""
    customers_left_out: int
    sla: bool
    note: IncidentNote | None


def timeline(incident: Incident, result: SloResult) -> tuple[TimelineEntry, ...]:
    """Burn start, peak and end from the incident, and every firing of an alert pair that
    overlaps the incident or starts within the pair's long window after it ended."""
    entries = [
        TimelineEntry(incident.start, "Burn started: first step at or above the incident burn rate", "burn"),
    ]
    if incident.peak_at is not None:
        entries.append(
            TimelineEntry(
                incident.peak_at,
                f"Peak: burn rate {incident.peak_burn_rate:,.1f}× in the step starting here",
                "burn",
            )
        )
    entries.append(TimelineEntry(incident.end, "Burn ended: end of the last elevated step", "burn"))
    for alert in result.alerts:
        pair = f"{window_name(alert.long_window_minutes)}/{window_name(alert.short_window_minutes)}"
        name = f"{alert.severity} alert {pair} > {alert.threshold:g}×"
        reach = incident.end + timedelta(minutes=alert.long_window_minutes)
        for firing in alert.firings:
            if firing.start >= reach or firing.end <= incident.start and not firing.ongoing:
                continue
            entries.append(TimelineEntry(firing.start, f"{name} would have fired", "alert"))
            if firing.ongoing:
                entries.append(TimelineEntry(firing.end, f"{name} still firing when the window ended", "alert"))
            else:
                entries.append(TimelineEntry(firing.end, f"{name} would have cleared", "alert"))
    order = {"burn": 0, "alert": 1}
    return tuple(sorted(entries, key=lambda e: (e.at, order[e.kind])))


def drafts_of(report: MonthReport, meta: DocumentMeta) -> list[PostmortemDraft]:
    """One draft per incident that requires a postmortem, in service and time order."""
    drafts = []
    for service in report.services:
        for assessed in service.slos:
            result = assessed.result
            for incident in result.incidents:
                if not incident.postmortem_required:
                    continue
                drafts.append(
                    PostmortemDraft(
                        meta=meta,
                        stem=draft_stem(service.name, result.slo, incident.start),
                        service=service.name,
                        service_owner=service.owner,
                        slo=result.slo,
                        description=result.description,
                        objective=result.objective,
                        incident=incident,
                        timeline=timeline(incident, result),
                        month_consumed=result.budget.consumed,
                        month_remaining=result.budget.remaining,
                        customers=incident.customers[:MAX_CUSTOMERS],
                        customers_left_out=max(0, len(incident.customers) - MAX_CUSTOMERS),
                        sla=result.sla,
                        note=incident.note,
                    )
                )
    return drafts


@dataclass(frozen=True)
class PostmortemLink:
    """A required postmortem as the summary and index list it."""

    service: str
    slo: str
    start: datetime
    end: datetime
    budget_share: float
    note_id: str | None
    """None: no incident note was recorded ("postmortem owed, no record")."""
    owner: str
    href: str
    """The draft's HTML, relative to the month folder."""


def postmortem_links(report: MonthReport) -> tuple[PostmortemLink, ...]:
    return tuple(
        PostmortemLink(
            service.name,
            a.result.slo,
            i.start,
            i.end,
            i.budget_share,
            i.note.id if i.note else None,
            i.note.owner if i.note else "",
            draft_stem(service.name, a.result.slo, i.start) + ".html",
        )
        for service in report.services
        for a in service.slos
        for i in a.result.incidents
        if i.postmortem_required
    )
