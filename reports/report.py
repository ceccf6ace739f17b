"""The month's report as one value: what every renderer and writer reads."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from .policy import ServiceAssessment, Zone
from .window import ReportWindow


@dataclass(frozen=True)
class MonthReport:
    title: str
    window: ReportWindow
    generated_at: datetime
    source: str
    step: timedelta
    services: tuple[ServiceAssessment, ...]
    zones: tuple[Zone, ...]
    """The policy's zones, best first, for the documents' policy table."""
    source_problems: tuple[str, ...] = ()
    """One line per SLO the source could not count (each names its service and SLO); those SLOs show "no data"."""

    @property
    def month_label(self) -> str:
        return self.window.month.label()

    def service(self, name: str) -> ServiceAssessment:
        return next(s for s in self.services if s.name == name)
