"""Incident notes and budget corrections applied to one SLO's result: pure, rows in, results out.

A note says what people know about an incident (cause, owner, postmortem); it is attached to
every detected incident its span overlaps. A correction (a note with ``exclude``) is excluded
from the figures exactly like maintenance: ``correction_windows`` hands its span to
``compute_slo`` with the maintenance windows, and ``annotate`` moves the resulting exclusions
out of the maintenance list into ``corrections``, each with its approver and the events it
excluded.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import numpy as np

from .customers import CustomerPlan, exclude_maintenance
from .inputs import MaintenanceWindow, StepCounts
from .records import Correction, CustomerImpact, IncidentNote
from .results import Incident, SloResult

CORRECTION_REASON = "budget correction {id}"
"""The reason a correction's exclusion carries while it travels with the maintenance windows."""


def correction_windows(notes: Sequence[IncidentNote]) -> tuple[MaintenanceWindow, ...]:
    """The corrections among ``notes`` as exclusion windows for ``compute_slo``."""
    return tuple(MaintenanceWindow(n.start, n.end, CORRECTION_REASON.format(id=n.id)) for n in notes if n.exclude)


def overlaps(note: IncidentNote, incident: Incident) -> bool:
    return note.start < incident.end and incident.start < note.end


def annotate(
    result: SloResult,
    notes: Sequence[IncidentNote],
    counts: StepCounts,
    plan: CustomerPlan | None = None,
) -> SloResult:
    """``result`` as ``compute_slo`` made it with ``correction_windows(notes)`` among its
    maintenance; ``counts`` the SLO's counts as given to it. Returns the result with corrections
    listed apart, each incident with its note, peak time and (SLA SLOs) the customers it hit."""
    by_reason = {CORRECTION_REASON.format(id=n.id): n for n in notes if n.exclude}
    maintenance, corrections = [], []
    for exclusion in result.exclusions:
        note = by_reason.get(exclusion.reason)
        if note is None:
            maintenance.append(exclusion)
            continue
        corrections.append(
            Correction(
                note.id,
                note.title,
                note.approver,
                exclusion.start,
                exclusion.end,
                exclusion.excluded_good,
                exclusion.excluded_total,
            )
        )
    end = counts.start + len(counts.total) * counts.step
    kept = exclude_maintenance(counts, correction_windows(notes), counts.start, end)[0]
    described = [n for n in notes if not n.exclude]
    incidents = tuple(_annotated(i, described, kept, result, plan) for i in result.incidents)
    return dataclasses.replace(
        result,
        exclusions=tuple(maintenance),
        corrections=tuple(corrections),
        incidents=incidents,
        unmatched_notes=tuple(n for n in described if not any(overlaps(n, i) for i in incidents)),
    )


def _annotated(
    incident: Incident,
    notes: Sequence[IncidentNote],
    counts: StepCounts,
    result: SloResult,
    plan: CustomerPlan | None,
) -> Incident:
    note = next((n for n in notes if overlaps(n, incident)), None)
    span = counts.on(incident.start, round((incident.end - incident.start) / counts.step))
    total = np.nan_to_num(span.total)
    bad = total - np.nan_to_num(span.good)
    ratio = np.where(total > 0, bad / np.where(total > 0, total, 1), -1.0)
    peak_at = incident.start + int(np.argmax(ratio)) * counts.step if len(ratio) else None
    customers = _customers(span, plan) if plan is not None and result.sla and incident.postmortem_required else ()
    return dataclasses.replace(incident, note=note, peak_at=peak_at, customers=customers)


def _customers(span: StepCounts, plan: CustomerPlan) -> tuple[CustomerImpact, ...]:
    """Every customer with traffic inside the incident, highest error rate first."""
    if span.customer_good is None or span.customer_total is None:
        return ()
    goods, totals = np.nansum(span.customer_good, axis=1), np.nansum(span.customer_total, axis=1)
    impacts = []
    for name, good_sum, total_sum in zip(span.customers, goods, totals, strict=True):
        good, total = int(good_sum), int(total_sum)
        if not name or not total:
            continue
        tier = plan.assignments.get(name, plan.default_tier)
        impacts.append(CustomerImpact(name, tier, good, total, (total - good) / total))
    impacts.sort(key=lambda c: (-(c.error_rate or 0), c.customer))
    return tuple(impacts)


def notes_for(notes: Sequence, service: str, slo: str) -> tuple[IncidentNote, ...]:
    """The config's notes (``IncidentNoteConfig``) that concern this SLO, as compute takes them."""
    return tuple(
        IncidentNote(n.id, n.title, n.start, n.end, n.cause, n.owner, n.postmortem, n.exclude, n.approver)
        for n in notes
        if n.service == service and n.slo in (None, slo)
    )
