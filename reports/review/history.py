"""Read what earlier runs wrote: each month's ``report.json`` reduced to one row per service × SLO.

This is the only place that reads the JSON back, so the review and the monthly history agree
on what a month said.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..window import Month

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SloMonth:
    month: str
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
    coverage: float | None = None
    """Share of the month's steps with data (None in reports that predate it)."""


def slo_months(document: dict[str, Any]) -> dict[tuple[str, str], SloMonth]:
    """One month's ``report.json`` as rows keyed by (service, slo)."""
    rows = {}
    for service in document["services"]:
        for slo in service["slos"]:
            customers = (slo.get("customers") or {}).get("customers", [])
            rows[(service["name"], slo["slo"])] = SloMonth(
                month=document["month"],
                service=service["name"],
                slo=slo["slo"],
                objective=slo["objective"],
                good_events=slo["good_events"],
                total_events=slo["total_events"],
                sli=slo["sli"],
                status=slo["status"],
                budget_consumed=slo["budget"]["consumed"],
                zone=slo["zone"],
                incidents=len(slo["incidents"]),
                postmortems=sum(i["postmortem_required"] for i in slo["incidents"]),
                incident_share=sum(i["budget_share"] for i in slo["incidents"]),
                sla_breaches=sum(c["sla_met"] is False for c in customers),
                credits=tuple((c["customer"], c["credit_percent"]) for c in customers if c["credit_percent"]),
                coverage=slo.get("coverage"),
            )
    return rows


class UnreadableReport(Exception):
    """A report.json that is truncated, hand-edited or from an incompatible version."""


def load_report(path: Path) -> dict[str, Any]:
    """A ``report.json`` parsed and checked to hold what the review and the deploy gate read."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        slo_months(document)
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise UnreadableReport(
            f"{path} is not a readable report.json ({type(exc).__name__}: {exc}); "
            f"regenerate it with slo-report run --month {path.parent.name}"
        ) from None
    return document


def read_month(output_dir: Path, month: Month) -> dict[str, Any] | None:
    """``OUTPUT/YYYY-MM/report.json`` parsed, or None when that month was never generated."""
    path = output_dir / str(month) / "report.json"
    return load_report(path) if path.is_file() else None


def previous_months(output_dir: Path, month: Month, count: int = 6) -> list[dict[str, Any]]:
    """The reports of up to ``count`` months before ``month`` that exist, oldest first.

    History is a nicety: an unreadable earlier month is skipped with a warning, never fatal."""
    found, current = [], month
    for _ in range(count):
        current = current.previous()
        try:
            document = read_month(output_dir, current)
        except UnreadableReport as exc:
            log.warning("history: skipping %s", exc)
            continue
        if document is not None:
            found.append(document)
    return found[::-1]
