"""Incident notes: what people know about an incident that the data cannot say (its cause, its
owner, its postmortem), and the after-the-fact budget corrections (Datadog's "status
corrections", Nobl9's "budget adjustments") an approver signed off.

A note is matched to the detected incidents of its service's SLOs by overlap. A note with
``exclude: true`` is a correction: its span is excluded from the SLO (and SLA) figures like
maintenance, and listed separately with its approver.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml
from pydantic import Field, TypeAdapter, ValidationError, field_validator, model_validator

from .base import Model, Name, Text


class IncidentNoteConfig(Model):
    """One incident as people recorded it."""

    id: Name
    """A unique reference, e.g. the incident tracker's ``INC-2041``; postmortem drafts and report.json carry it."""
    service: Name
    """The service it concerns (a name from ``services``)."""
    slo: str | None = None
    """The SLO it concerns; without it, every SLO of the service."""
    start: datetime
    """When it started, with its offset, e.g. ``2026-10-14T09:00:00Z``."""
    end: datetime
    """When it ended (exclusive)."""
    title: Text = Field(min_length=1)
    """One line on what happened."""
    cause: Text = ""
    """What caused it, as far as it is known."""
    owner: Text = ""
    """Who owns the follow-up (a person or team)."""
    postmortem: Text = ""
    """Where the postmortem lives (a URL); the draft links it."""
    exclude: bool = False
    """A budget correction: the events in [start, end) are excluded from SLO and SLA figures, like maintenance (e.g. a load test, another team's outage). Needs ``approver``."""
    approver: Text = ""
    """Who approved the correction; printed with it and recorded in report.json."""

    @field_validator("start", "end")
    @classmethod
    def _aware(cls, value: datetime) -> datetime:
        if value.tzinfo is None:
            raise ValueError(f"{value.isoformat()} has no time zone; add Z or an offset, e.g. 2026-10-14T09:00:00Z")
        return value.astimezone(UTC)

    @model_validator(mode="after")
    def _consistent(self) -> IncidentNoteConfig:
        if self.end <= self.start:
            raise ValueError("end is not after start; swap them or fix the times")
        if self.exclude and not self.approver.strip():
            raise ValueError("exclude: true without an approver; add approver: (who signed off the correction)")
        return self


NOTES = TypeAdapter(list[IncidentNoteConfig])


def read_notes_file(path: Path) -> list[IncidentNoteConfig]:
    """``incidents_file``: a YAML list of notes (the same keys as ``incidents:``), e.g. exported from a tracker."""
    try:
        data: Any = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ValueError(f"cannot read {path}: {exc.strerror}; check the path (relative to the config file)") from None
    except yaml.YAMLError as exc:
        raise ValueError(f"{path} is not valid YAML ({getattr(exc, 'problem', exc)}); fix the syntax") from None
    try:
        return NOTES.validate_python(data or [])
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        message = first["ctx"]["error"] if first["type"] == "value_error" else first["msg"]
        raise ValueError(f"{path} [{where}]: {message}") from None
