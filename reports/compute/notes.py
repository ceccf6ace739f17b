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
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import numpy as np
import pandas as pd

from .customers import CustomerPlan
from .grid import step_grid
from .results import Incident, SloResult

CORRECTION_REASON = "budget correction {id}"
"""The reason a correction's exclusion carries while it travels with the maintenance windows."""


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
class _Window:
    """The shape ``compute_slo`` reads maintenance windows in."""

    start: datetime
    end: datetime
    reason: str
    announced: date | None = None


def correction_windows(notes: Sequence[IncidentNote]) -> list[_Window]:
    """The corrections among ``notes`` as exclusion windows for ``compute_slo``."""
    return [_Window(n.start, n.end, CORRECTION_REASON.format(id=n.id)) for n in notes if n.exclude]


def overlaps(note: IncidentNote, incident: Incident) -> bool:
    return note.start < incident.end and incident.start < note.end


def annotate(
    result: SloResult,
    notes: Sequence[IncidentNote],
    rows: pd.DataFrame,
    step: timedelta,
    plan: CustomerPlan | None = None,
) -> SloResult:
    """``result`` as ``compute_slo`` made it with ``correction_windows(notes)`` among its
    maintenance; ``rows`` the SLO's counts as given to it. Returns the result with corrections
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
    kept = _without_corrections(rows, [n for n in notes if n.exclude])
    described = [n for n in notes if not n.exclude]
    incidents = tuple(_annotated(i, described, kept, step, result, plan) for i in result.incidents)
    return dataclasses.replace(
        result,
        exclusions=tuple(maintenance),
        corrections=tuple(corrections),
        incidents=incidents,
        unmatched_notes=tuple(n for n in described if not any(overlaps(n, i) for i in incidents)),
    )


def _without_corrections(rows: pd.DataFrame, corrections: Sequence[IncidentNote]) -> pd.DataFrame:
    keep = np.ones(len(rows), dtype=bool)
    for note in corrections:
        keep &= ~((rows["timestamp"] >= note.start) & (rows["timestamp"] < note.end)).to_numpy()
    return rows[keep]


def _annotated(
    incident: Incident,
    notes: Sequence[IncidentNote],
    rows: pd.DataFrame,
    step: timedelta,
    result: SloResult,
    plan: CustomerPlan | None,
) -> Incident:
    note = next((n for n in notes if overlaps(n, incident)), None)
    inside = rows[(rows["timestamp"] >= incident.start) & (rows["timestamp"] < incident.end)]
    grid = step_grid(inside, incident.start, incident.end, step)
    total = grid["total"].fillna(0).to_numpy()
    bad = total - grid["good"].fillna(0).to_numpy()
    ratio = np.where(total > 0, bad / np.where(total > 0, total, 1), -1.0)
    peak_at = grid.index[int(np.argmax(ratio))].to_pydatetime() if len(grid) else None
    customers = _customers(inside, plan) if plan is not None and result.sla and incident.postmortem_required else ()
    return dataclasses.replace(incident, note=note, peak_at=peak_at, customers=customers)


def _customers(inside: pd.DataFrame, plan: CustomerPlan) -> tuple[CustomerImpact, ...]:
    """Every customer with traffic inside the incident, highest error rate first."""
    sums = inside[inside["customer"] != ""].groupby("customer")[["good", "total"]].sum()
    impacts = []
    for name, row in sums.iterrows():
        good, total = int(row["good"]), int(row["total"])
        tier = plan.assignments.get(str(name), plan.default_tier)
        impacts.append(CustomerImpact(str(name), tier, good, total, (total - good) / total if total else None))
    impacts.sort(key=lambda c: (-(c.error_rate or 0), c.customer))
    return tuple(impacts)


def notes_for(notes: Sequence, service: str, slo: str) -> tuple[IncidentNote, ...]:
    """The config's notes (``IncidentNoteConfig``) that concern this SLO, as compute takes them."""
    return tuple(
        IncidentNote(n.id, n.title, n.start, n.end, n.cause, n.owner, n.postmortem, n.exclude, n.approver)
        for n in notes
        if n.service == service and n.slo in (None, slo)
    )
