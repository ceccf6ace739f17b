"""The month archive: the one place that knows the output folder's layout and reads a
``report.json`` back into typed values.

``OUTPUT/YYYY-MM/`` holds a month (``report.json`` and the documents), ``OUTPUT/YYYY-QN/`` a
quarterly review. Earlier months are read back for the history in each monthly report, the
quarterly review, the deploy gate and delivery, so they all agree on what a month said.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .errors import ReportError
from .window import Month

log = logging.getLogger(__name__)

SCHEMA_VERSION = 1
"""The version of ``report.json`` (and the quarterly ``review.json``) this code writes."""
REPORT_NAME = "report.json"
DEFAULT_OUTPUT = Path("output")
HISTORY_MONTHS = 6


class UnreadableReport(ReportError):
    """A report.json that is truncated, hand-edited or from an incompatible version."""


class ReportNotFound(ReportError):
    """A command needs a generated month that is not there."""


@dataclass(frozen=True)
class Revision:
    """A month's figure for one SLO changed when the month was run again (late labels, late data)."""

    previous_sli: float | None
    sli: float | None
    previous_generated_at: datetime
    """When the report that stated ``previous_sli`` was generated."""
    revised_at: datetime
    """When the report that states ``sli`` was generated."""


@dataclass(frozen=True)
class SloMonth:
    """One SLO as one month's report stated it."""

    month: Month
    service: str
    slo: str
    objective: float
    good_events: int
    total_events: int
    sli: float | None
    status: str
    budget_consumed: float | None
    zone: str
    incidents: int
    postmortems: int
    incident_share: float
    """Share of the month's budget consumed inside incidents."""
    sla_breaches: int
    credits: tuple[tuple[str, float], ...]
    """(customer, credit percent) owed that month."""
    budget_remaining: float | None = None
    coverage: float | None = None
    """Share of the month's steps with data (None in reports that predate it)."""
    revisions: tuple[Revision, ...] = ()
    """Earlier runs of this month that stated another figure, oldest first."""


@dataclass(frozen=True)
class ArchivedZone:
    name: str
    allowed_changes: tuple[str, ...]
    approval: str


@dataclass(frozen=True)
class ArchivedService:
    name: str
    email: tuple[str, ...]
    zone: ArchivedZone
    """The zone that decides what the service may ship."""
    slos: tuple[SloMonth, ...]


@dataclass(frozen=True)
class ArchivedReport:
    """What a generated month said: enough for history, review, the deploy gate and email."""

    month: Month
    title: str
    timezone: str
    generated_at: datetime
    services: tuple[ArchivedService, ...]
    path: Path | None = None

    def service(self, name: str) -> ArchivedService | None:
        return next((s for s in self.services if s.name == name), None)

    def slo_rows(self) -> dict[tuple[str, str], SloMonth]:
        """The month's SLOs keyed by (service, slo)."""
        return {(s.service, s.slo): s for service in self.services for s in service.slos}


def month_folder(output_dir: Path, month: Month | str) -> Path:
    """``OUTPUT/YYYY-MM``."""
    return output_dir / str(month)


def report_path(output_dir: Path, month: Month) -> Path:
    return month_folder(output_dir, month) / REPORT_NAME


def output_dir(option: Path | None, configured: Path | None) -> Path:
    """The folder holding the month folders: the command line's, else the config's, else ./output."""
    if option is not None:
        return option
    return configured if configured is not None else DEFAULT_OUTPUT


def _slo_month(month: Month, service: str, slo: Mapping[str, Any]) -> SloMonth:
    customers = (slo.get("customers") or {}).get("customers", [])
    incidents = slo["incidents"]
    budget = slo["budget"]
    return SloMonth(
        month=month,
        service=service,
        slo=slo["slo"],
        objective=slo["objective"],
        good_events=slo["good_events"],
        total_events=slo["total_events"],
        sli=slo["sli"],
        status=slo["status"],
        budget_consumed=budget["consumed"],
        zone=slo["zone"],
        incidents=len(incidents),
        postmortems=sum(i["postmortem_required"] for i in incidents),
        incident_share=sum(i["budget_share"] for i in incidents),
        sla_breaches=sum(c["sla_met"] is False for c in customers),
        credits=tuple((c["customer"], c["credit_percent"]) for c in customers if c["credit_percent"]),
        budget_remaining=budget.get("remaining"),
        coverage=slo.get("coverage"),
        revisions=tuple(
            Revision(r["previous_sli"], r["sli"], _instant(r["previous_generated_at"]), _instant(r["revised_at"]))
            for r in slo.get("revisions") or ()
        ),
    )


def _instant(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def parse_report(document: Mapping[str, Any], path: Path | None = None) -> ArchivedReport:
    """A parsed ``report.json`` document as typed values (KeyError, TypeError or ValueError if it is not one)."""
    month = Month.parse(document["month"])
    services = []
    for service in document["services"]:
        zone = service.get("zone") or {}
        services.append(
            ArchivedService(
                name=service["name"],
                email=tuple(service.get("email") or ()),
                zone=ArchivedZone(
                    zone.get("name", ""), tuple(zone.get("allowed_changes") or ()), zone.get("approval", "")
                ),
                slos=tuple(_slo_month(month, service["name"], slo) for slo in service["slos"]),
            )
        )
    generated = document.get("generated_at")
    window = document.get("window") or {}
    return ArchivedReport(
        month=month,
        title=document.get("title", ""),
        timezone=window.get("timezone", "UTC"),
        generated_at=datetime.fromisoformat(generated.replace("Z", "+00:00"))
        if generated
        else datetime.min.replace(tzinfo=UTC),
        services=tuple(services),
        path=path,
    )


def slo_months(document: Mapping[str, Any]) -> dict[tuple[str, str], SloMonth]:
    """One month's ``report.json`` document as rows keyed by (service, slo)."""
    return parse_report(document).slo_rows()


def load_report(path: Path) -> ArchivedReport:
    """A ``report.json`` read and parsed; one clear error if it cannot be."""
    try:
        return parse_report(json.loads(path.read_text(encoding="utf-8")), path)
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise UnreadableReport(
            f"{path} is not a readable report.json ({type(exc).__name__}: {exc}); "
            f"regenerate it with slo-report run --month {path.parent.name}"
        ) from None


def read_month(output_dir: Path, month: Month) -> ArchivedReport | None:
    """The month's report, or None when that month was never generated."""
    path = report_path(output_dir, month)
    return load_report(path) if path.is_file() else None


def require_month(output_dir: Path, month: Month) -> ArchivedReport:
    """The month's report; ReportNotFound (saying how to make it) when it was never generated."""
    report = read_month(output_dir, month)
    if report is None:
        raise ReportNotFound(f"no report for {month} in {output_dir}; run: slo-report run --month {month}")
    return report


def latest_month(output_dir: Path) -> Month:
    """The newest month in the folder that has a report.json."""
    months = []
    for path in output_dir.glob(f"*/{REPORT_NAME}"):
        try:
            months.append(Month.parse(path.parent.name))
        except ValueError:
            continue
    if not months:
        raise ReportNotFound(f"no monthly report in {output_dir}; run slo-report run first, or pass --output")
    return max(months)


def latest_report(output_dir: Path, month: Month | None = None) -> ArchivedReport:
    """The given month's report, or the newest one in the folder."""
    return require_month(output_dir, month or latest_month(output_dir))


def previous_months(output_dir: Path, month: Month, count: int = HISTORY_MONTHS) -> list[ArchivedReport]:
    """The reports of up to ``count`` months before ``month`` that exist, oldest first.

    History is a nicety: an unreadable earlier month is skipped with a warning, never fatal."""
    found, current = [], month
    for _ in range(count):
        current = current.previous()
        try:
            report = read_month(output_dir, current)
        except UnreadableReport as exc:
            log.warning("history: skipping %s", exc)
            continue
        if report is not None:
            found.append(report)
    return found[::-1]
