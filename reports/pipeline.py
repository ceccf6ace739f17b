"""The orchestrator: config → source → compute → policy → render → write, in that order.

Everything is gathered and rendered in memory; the month's folder is moved into place last,
so a failed run never leaves a half-written month.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime
from pathlib import Path

from .archive import ArchivedReport, SloMonth, parse_report, previous_months, read_month
from .compute import compute_slo
from .compute.burn import LOOKBACK
from .compute.customers import CustomerPlan, Tier
from .config import Config
from .errors import ReportError
from .export import report_dict
from .output import write_month
from .policy import assess_service, zones_of
from .render import render_documents
from .report import MonthReport
from .review.documents import review_documents
from .review.quarter import Quarter, QuarterReview, ReviewError, review_quarter
from .sources import EventSource
from .window import Month, report_window

Progress = Callable[[str], None]


class MonthNotOver(ReportError):
    """The month asked for is still running (or in the future)."""


def build_month(
    config: Config,
    source: EventSource,
    month: Month,
    now: datetime,
    progress: Progress = lambda message: None,
    history: Sequence[ArchivedReport] = (),
) -> MonthReport:
    """Pull the month's counts once, then compute and assess every SLO.

    ``history``: earlier months' reports, oldest first, for the trend."""
    earlier = [report.slo_rows() for report in history]
    window = report_window(month, config.timezone, config.window)
    progress(f"fetching events {window.start:%Y-%m-%d %H:%M} to {window.end:%Y-%m-%d %H:%M} UTC")
    counts = source.fetch(config, window.start - LOOKBACK, window.end)
    plan = customer_plan(config)
    services = []
    for number, service in enumerate(config.services, 1):
        progress(f"computing {service.name} ({number}/{len(config.services)})")
        results = [
            compute_slo(
                service.name,
                slo,
                counts.for_slo(service.name, slo.name),
                window,
                counts.step,
                counts.problems.get((service.name, slo.name)),
                service.maintenance,
                plan,
            )
            for slo in service.slos
        ]
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


def build_review(
    config: Config,
    source: EventSource,
    quarter: Quarter,
    output_dir: Path,
    now: datetime,
    progress: Progress = lambda message: None,
) -> QuarterReview:
    """The quarter's three months, read from the archive where they exist and computed where not, reviewed."""
    last = report_window(quarter.months[-1], config.timezone, config.window)
    if last.end > now:
        raise ReviewError(f"{quarter} has not ended yet (it ends {last.end:%Y-%m-%d %H:%M} UTC); review it after that")
    monthly: list[dict[tuple[str, str], SloMonth]] = []
    computed: list[str] = []
    problems: list[str] = []
    for month in quarter.months:
        archived = read_month(output_dir, month)
        if archived is None:
            progress(f"{month}: no report.json in {output_dir}; computing it from the source")
            report = build_month(config, source, month, now)
            archived = parse_report(report_dict(report))
            computed.append(str(month))
            problems.extend(f"{month}: {problem}" for problem in report.source_problems)
        monthly.append(archived.slo_rows())
    dependencies = {s.name: list(s.depends_on) for s in config.services}
    review = review_quarter(config.title, quarter, monthly, tuple(computed), dependencies, now)
    return replace(review, source_problems=tuple(problems))


def run_review(
    config: Config,
    source: EventSource,
    quarter: Quarter,
    output_dir: Path,
    now: datetime,
    progress: Progress = lambda message: None,
) -> tuple[Path, QuarterReview]:
    """Review, render and write ``OUTPUT/YYYY-QN/`` all at once; returns the folder and the review."""
    review = build_review(config, source, quarter, output_dir, now, progress)
    files = review_documents(review, config.timezone)
    return write_month(files, output_dir, str(quarter)), review
