"""The orchestrator: config → source → compute → policy → render → write, in that order.

Everything is gathered and rendered in memory; the month's folder is moved into place last,
so a failed run never leaves a half-written month.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path

from .compute import compute_slo
from .compute.burn import LOOKBACK
from .compute.customers import CustomerPlan, Tier
from .compute.notes import annotate, correction_windows, notes_for
from .compute.outages import with_customer_outages
from .config import Config
from .output import write_month
from .policy import assess_service, zones_of
from .render import render_documents
from .report import CustomerTerms, MonthReport
from .review.history import previous_months, slo_months
from .sources import EventSource
from .window import Month, report_window

Progress = Callable[[str], None]


class MonthNotOver(Exception):
    """The month asked for is still running (or in the future)."""


def build_month(
    config: Config,
    source: EventSource,
    month: Month,
    now: datetime,
    progress: Progress = lambda message: None,
    history: Sequence[dict] = (),
) -> MonthReport:
    """Pull the month's counts once, then compute and assess every SLO.

    ``history``: earlier months' ``report.json`` documents, oldest first, for the trend."""
    earlier = [slo_months(document) for document in history]
    window = report_window(month, config.timezone, config.window)
    progress(f"fetching events {window.start:%Y-%m-%d %H:%M} to {window.end:%Y-%m-%d %H:%M} UTC")
    counts = source.fetch(config, window.start - LOOKBACK, window.end)
    plan = customer_plan(config)
    notes = config.incident_notes()
    services = []
    for number, service in enumerate(config.services, 1):
        progress(f"computing {service.name} ({number}/{len(config.services)})")
        results = []
        for slo in service.slos:
            rows = counts.for_slo(service.name, slo.name)
            mine = notes_for(notes, service.name, slo.name)
            result = compute_slo(
                service.name,
                slo,
                rows,
                window,
                counts.step,
                counts.problems.get((service.name, slo.name)),
                [*service.maintenance, *correction_windows(mine)],
                plan,
            )
            result = annotate(result, mine, rows, counts.step, plan)
            results.append(
                with_customer_outages(result, rows, window.start, window.end, counts.step, slo.incidents, plan)
            )
        services.append(assess_service(service, results, config.policy, config.timezone, earlier))
    problems = tuple(why for _, why in sorted(counts.problems.items()))
    return MonthReport(
        title=config.title,
        window=window,
        generated_at=now,
        source=counts.description,
        step=counts.step,
        services=tuple(services),
        zones=zones_of(config.policy),
        source_problems=problems,
        customer_terms=customer_terms(config),
    )


def customer_plan(config: Config) -> CustomerPlan | None:
    """Tiers and assignments from the config, in the form computation takes."""
    if config.customers is None:
        return None
    tiers = {
        name: Tier(name, t.objective, t.sla, tuple(sorted(t.credits.items())))
        for name, t in config.customers.tiers.items()
    }
    return CustomerPlan(tiers, config.customers.all_assignments(), config.customers.default_tier)


def customer_terms(config: Config) -> CustomerTerms | None:
    """Display names, fees and claim terms from the config, for the customer statements."""
    customers = config.customers
    if customers is None:
        return None
    return CustomerTerms(
        service_names={s.name: s.display_name or s.name for s in config.services},
        slo_names={(s.name, o.name): o.display_name or o.name for s in config.services for o in s.slos},
        fees=dict(customers.fees),
        tier_fees={name: t.fee for name, t in customers.tiers.items() if t.fee is not None},
        currency=customers.currency,
        claim=customers.claim,
        contact=customers.contact,
    )


def run_month(
    config: Config,
    source: EventSource,
    month: Month,
    now: datetime,
    output_dir: Path,
    progress: Progress = lambda message: None,
) -> tuple[Path, MonthReport]:
    """Build, render and write one month; returns the month's folder and its report."""
    window = report_window(month, config.timezone, config.window)
    if window.end > now:
        raise MonthNotOver(
            f"{month} has not ended yet (it ends {window.end:%Y-%m-%d %H:%M} UTC); "
            f"a report of part of a month would read as the whole month"
        )
    report = build_month(config, source, month, now, progress, previous_months(output_dir, month))
    files = render_documents(report, progress)
    progress(f"writing {len(files)} files")
    return write_month(files, output_dir, str(month)), report
