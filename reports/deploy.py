"""The deploy gate: may this service ship this kind of change now?

It decides from the archived ``report.json`` alone (no config, no data source), and imports
nothing heavy, so a CI pipeline's ``slo-report check-deploy`` starts in a fraction of a second.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .archive import ArchivedReport, ArchivedService, ReportNotFound, latest_report
from .format import share
from .window import Month


@dataclass(frozen=True)
class DeployDecision:
    allowed: bool
    zone: str
    reason: str
    approval: str


def check_deploy(service: ArchivedService, change: str) -> DeployDecision:
    """Decide from a service as its ``report.json`` states it: its zone's allowed changes."""
    zone = service.zone
    allowed = change in zone.allowed_changes
    deciding = ", ".join(
        f"{s.slo} {('budget left ' + share(s.budget_remaining)) if s.budget_remaining is not None else 'no data'}"
        for s in service.slos
        if s.zone == zone.name
    )
    reason = f"{service.name} is in zone {zone.name} ({deciding})"
    if allowed:
        return DeployDecision(True, zone.name, f"{reason}; {change} changes are allowed", zone.approval)
    allowed_list = ", ".join(zone.allowed_changes) or "nothing"
    return DeployDecision(
        False, zone.name, f"{reason}; {change} changes are blocked (allowed: {allowed_list})", zone.approval
    )


def deploy_gate(
    output_dir: Path, service: str, change: str, month: Month | None = None
) -> tuple[DeployDecision, ArchivedReport]:
    """The decision for ``service`` from the given month's report, or the newest one."""
    report = latest_report(output_dir, month)
    entry = report.service(service)
    if entry is None:
        names = ", ".join(s.name for s in report.services)
        raise ReportNotFound(f"service {service!r} is not in {report.path}; known services: {names}")
    return check_deploy(entry, change), report
