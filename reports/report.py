"""The month's report as one value: what every renderer and writer reads."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from .archive import Revision
from .policy import ServiceAssessment, Zone
from .window import ReportWindow


@dataclass(frozen=True)
class CustomerTerms:
    """What customer statements say beyond the figures: the names customers read, fees, how to claim."""

    service_names: Mapping[str, str]
    """Service → its display name (services without one keep their name)."""
    slo_names: Mapping[tuple[str, str], str]
    """(service, SLO) → the SLO's display name."""
    fees: Mapping[str, float]
    """Customer → monthly fee."""
    tier_fees: Mapping[str, float]
    """Tier → monthly fee, for customers without their own."""
    currency: str
    claim: str
    contact: str

    def fee_of(self, customer: str, tier: str) -> float | None:
        return self.fees.get(customer, self.tier_fees.get(tier))


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
    customer_terms: CustomerTerms | None = None
    """With customer tiers: what the statements say beyond the figures."""
    revisions: Mapping[tuple[str, str], tuple[Revision, ...]] = field(default_factory=dict)
    """(service, SLO) → the earlier runs of this month that stated another figure, oldest first."""

    def revisions_of(self, service: str, slo: str) -> tuple[Revision, ...]:
        return tuple(self.revisions.get((service, slo), ()))

    @property
    def month_label(self) -> str:
        return self.window.month.label()

    def service(self, name: str) -> ServiceAssessment:
        return next(s for s in self.services if s.name == name)
