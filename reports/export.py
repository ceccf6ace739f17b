"""Machine-readable forms of the report: ``report.json`` (validated by
``reports/schema/report.schema.json``) and ``slos.csv`` for the quarterly review."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import math
from datetime import UTC, date, datetime, timedelta
from importlib import resources
from typing import Any

from .archive import SCHEMA_VERSION
from .report import MonthReport
from .window import Month


def plain(value: Any) -> Any:
    """Dataclasses, times and tuples as JSON values; NaN never leaks out (it becomes null)."""
    if isinstance(value, Month):
        return str(value)
    if dataclasses.is_dataclass(value):
        return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, timedelta):
        return value.total_seconds()
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def report_dict(report: MonthReport) -> dict[str, Any]:
    window = report.window
    return {
        "schema_version": SCHEMA_VERSION,
        "title": report.title,
        "month": str(window.month),
        "window": {
            "kind": window.kind,
            "timezone": window.timezone,
            "start": plain(window.start),
            "end": plain(window.end),
            "minutes": window.minutes,
            "days": window.days,
        },
        "generated_at": plain(report.generated_at),
        "source": report.source,
        "step_seconds": report.step.total_seconds(),
        "zones": plain(report.zones),
        "services": [
            {
                "name": s.name,
                "description": s.description,
                "owner": s.owner,
                "email": list(s.email),
                "zone": plain(s.zone),
                "slos": [
                    {
                        **plain(a.result),
                        "zone": a.zone.name,
                        "recommendations": plain(a.recommendations),
                        "history": [
                            {
                                "month": str(h.month),
                                "objective": h.objective,
                                "sli": h.sli,
                                "status": h.status,
                                "budget_consumed": h.budget_consumed,
                                "zone": h.zone,
                            }
                            for h in a.history
                        ],
                        "revisions": plain(report.revisions_of(s.name, a.result.slo)),
                    }
                    for a in s.slos
                ],
            }
            for s in report.services
        ],
    }


def report_json(report: MonthReport) -> str:
    return json.dumps(report_dict(report), indent=1, ensure_ascii=False, allow_nan=False) + "\n"


def schema() -> dict[str, Any]:
    return json.loads(resources.files("reports.schema").joinpath("report.schema.json").read_text(encoding="utf-8"))


CSV_COLUMNS = (
    "month",
    "service",
    "slo",
    "objective",
    "status",
    "good_events",
    "total_events",
    "sli",
    "margin",
    "budget_consumed",
    "budget_remaining",
    "zone",
    "allowed_downtime_minutes",
    "error_equivalent_minutes",
    "measured_downtime_minutes",
    "no_data_minutes",
    "coverage",
    "incidents",
    "postmortems_required",
)


def slos_csv(report: MonthReport) -> str:
    """One row per service × SLO; fractions stay fractions (0.999, not 99.9%)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for service in report.services:
        for assessed in service.slos:
            r = assessed.result
            writer.writerow(
                [
                    str(report.window.month),
                    cell(r.service),
                    cell(r.slo),
                    r.objective,
                    r.status,
                    r.good_events,
                    r.total_events,
                    number_cell(r.sli),
                    number_cell(r.margin),
                    number_cell(r.budget.consumed),
                    number_cell(r.budget.remaining),
                    cell(assessed.zone.name),
                    number_cell(r.downtime.allowed_minutes),
                    number_cell(r.downtime.error_equivalent_minutes),
                    number_cell(r.downtime.measured_minutes),
                    number_cell(r.downtime.no_data_minutes),
                    number_cell(r.coverage),
                    len(r.incidents),
                    sum(i.postmortem_required for i in r.incidents),
                ]
            )
    return buffer.getvalue()


def cell(text: str) -> str:
    """Text from data as a spreadsheet shows it, never as a formula: a leading =, +, -, @, tab
    or carriage return gets a quote (names like ``=HYPERLINK(...)`` are data, not commands)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def number_cell(value: float | None) -> str:
    """A number for CSV: exact to ten decimals, empty for none."""
    return "" if value is None else repr(round(value, 10))


CREDIT_COLUMNS = (
    "month",
    "customer",
    "tier",
    "assigned",
    "service",
    "slo",
    "good_events",
    "total_events",
    "sli",
    "objective",
    "objective_met",
    "sla",
    "sla_met",
    "credit_percent",
    "tier_from",
)


def credits_csv(report: MonthReport) -> str | None:
    """One row per customer × service × SLA-covered SLO, for account teams and billing; None without tiers."""
    rows = [
        (service, assessed.result)
        for service in report.services
        for assessed in service.slos
        if assessed.result.customers is not None
    ]
    if not rows:
        return None
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CREDIT_COLUMNS)
    for service, result in rows:
        assert result.customers is not None  # kept above
        for c in sorted(result.customers.customers, key=lambda c: c.customer):
            writer.writerow(
                [
                    str(report.window.month),
                    cell(c.customer),
                    cell(c.tier),
                    c.assigned,
                    cell(service.name),
                    cell(result.slo),
                    c.good_events,
                    c.total_events,
                    number_cell(c.sli),
                    c.objective,
                    _flag(c.objective_met),
                    number_cell(c.sla),
                    _flag(c.sla_met),
                    number_cell(c.credit_percent),
                    "assignment" if c.assigned else "default tier: no assignment",
                ]
            )
    return buffer.getvalue()


def _flag(value: bool | None) -> str:
    return "" if value is None else ("yes" if value else "no")
