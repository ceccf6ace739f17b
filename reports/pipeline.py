"""The orchestrator: config → source → compute → policy → render → write, in that order.

Everything is gathered and rendered in memory; the month's folder is moved into place last,
so a failed run never leaves a half-written month.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Iterator, Sequence
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import TypeVar

from .archive import (
    ArchivedReport,
    Revision,
    SloMonth,
    UnreadableReport,
    parse_report,
    previous_months,
    read_month,
)
from .compute import CustomerPlan, IncidentRules, MaintenanceWindow, SloSpec, StepCounts, Tier, compute_slo
from .compute.burn import LOOKBACK
from .compute.notes import annotate, correction_windows, notes_for
from .compute.outages import with_customer_outages
from .config import Config, ServiceConfig, SloConfig
from .config.base import shown_plainly
from .errors import ReportError
from .export import report_dict
from .output import write_month
from .policy import ServiceAssessment, assess_service, zones_of
from .progress import Meter, Progress
from .render import render_documents
from .report import CustomerTerms, MonthReport
from .review.documents import review_documents
from .review.quarter import Quarter, QuarterReview, ReviewError, review_quarter
from .sources import EventSource, SloCounts, StepGrid, open_stream
from .window import Month, report_window

log = logging.getLogger(__name__)

PREFETCH = 4
"""SLOs whose counts may be read ahead of the one being computed."""
T = TypeVar("T")


class MonthNotOver(ReportError):
    """The month asked for is still running (or in the future)."""


def build_month(
    config: Config,
    source: EventSource,
    month: Month,
    now: datetime,
    progress: Progress = lambda message: None,
    history: Sequence[ArchivedReport] = (),
    earlier_run: ArchivedReport | None = None,
) -> MonthReport:
    """Stream the month's counts one SLO at a time: compute it, keep the result, drop the counts.

    Peak memory depends on the prefetch depth, not on the size of the fleet.
    ``history``: earlier months' reports, oldest first, for the trend. ``earlier_run``: this month's
    report from a previous run, whose figures this run revises where they differ. ``now`` is the
    as-of time late labels are judged against."""
    earlier = [report.slo_rows() for report in history]
    window = report_window(month, config.timezone, config.window)
    progress(f"fetching events {window.start:%Y-%m-%d %H:%M} to {window.end:%Y-%m-%d %H:%M} UTC")
    stream = open_stream(source, config, window.start - LOOKBACK, window.end)
    plan = customer_plan(config)
    notes = config.incident_notes()
    counted = prefetched(iter(stream), PREFETCH)
    meter = Meter("computing", len(config.services), progress)
    services, problems = [], []
    for service in config.services:
        maintenance = maintenance_windows(service)
        results = []
        for slo in service.slos:
            counts = next(counted)
            if (counts.service, counts.slo) != (service.name, slo.name):
                raise RuntimeError(f"the source yielded {counts.service}/{counts.slo} for {service.name}/{slo.name}")
            if counts.problem is not None:
                problems.append(((service.name, slo.name), counts.problem))
            mine = notes_for(notes, service.name, slo.name)
            spec, steps = slo_spec(slo), step_counts(counts, stream.grid)
            result = compute_slo(
                service.name,
                spec,
                steps,
                window,
                counts.problem,
                (*maintenance, *correction_windows(mine)),
                plan,
                as_of=now,
            )
            result = annotate(result, mine, steps, plan)
            results.append(
                with_customer_outages(
                    result, steps, window, spec.incidents, slo.incidents.customer_outage_minutes, plan
                )
            )
            del counts
        services.append(assess_service(service, results, config.policy, config.timezone, earlier))
        meter.advance(service.name)
    extra = next(counted, None)
    if extra is not None:
        raise RuntimeError(f"the source yielded {extra.service}/{extra.slo}, which is not in the catalogue")
    return MonthReport(
        title=config.title,
        window=window,
        generated_at=now,
        source=stream.description,
        step=stream.grid.step,
        services=tuple(services),
        zones=zones_of(config.policy),
        source_problems=tuple(why for _, why in sorted(problems)),
        customer_terms=customer_terms(config),
        revisions=revisions(earlier_run, services, now),
    )


def revisions(
    earlier_run: ArchivedReport | None, services: Sequence[ServiceAssessment], now: datetime
) -> dict[tuple[str, str], tuple[Revision, ...]]:
    """Per SLO, the earlier run's revisions, plus one more where that run stated another SLI."""
    if earlier_run is None:
        return {}
    stated = earlier_run.slo_rows()
    found = {}
    for service in services:
        for assessed in service.slos:
            key = (service.name, assessed.result.slo)
            before = stated.get(key)
            if before is None:
                continue
            changes = before.revisions
            if before.sli != assessed.result.sli:
                changes += (Revision(before.sli, assessed.result.sli, earlier_run.generated_at, now),)
            if changes:
                found[key] = changes
    return found


def slo_spec(slo: SloConfig) -> SloSpec:
    """What computation needs of an SLO's configuration."""
    rules = slo.incidents
    return SloSpec(
        name=slo.name,
        objective=slo.objective,
        description=slo.description,
        slice=slo.downtime.slice,
        down_below=slo.down_below,
        incidents=IncidentRules(rules.min_burn_rate, rules.merge_gap, rules.postmortem_share),
        sla=slo.sla,
        budgeting=slo.budgeting,
        budget_slice=slo.slice,
        slice_target=slo.slice_target,
        label_delay=slo.ground_truth.delay if slo.ground_truth is not None else None,
        threshold=slo.sli.threshold if slo.sli.kind == "latency" else None,
    )


def maintenance_windows(service: ServiceConfig) -> tuple[MaintenanceWindow, ...]:
    return tuple(MaintenanceWindow(m.start, m.end, m.reason, m.announced) for m in service.maintenance)


def step_counts(counts: SloCounts, grid: StepGrid) -> StepCounts:
    """The source's arrays as computation's input (no copy). Customer names come from the data, so
    any hidden character in them is written out before they can reach a document."""
    customers = counts.customers
    names = tuple(shown_plainly(name) for name in customers.names) if customers is not None else ()
    for shown in set(names) - set(customers.names if customers is not None else ()):
        log.warning(
            "%s/%s: a customer name holds hidden characters; it is shown as %s", counts.service, counts.slo, shown
        )
    return StepCounts(
        start=grid.start,
        step=grid.step,
        good=counts.good,
        total=counts.total,
        customers=names,
        customer_good=customers.good if customers is not None else None,
        customer_total=customers.total if customers is not None else None,
        unlabelled=counts.unlabelled,
    )


def prefetched(items: Iterator[T], depth: int) -> Iterator[T]:
    """``items``, produced up to ``depth`` ahead on a thread: the source reads while compute works.

    An exception in the producer is raised here, at the item it replaced."""
    slots: queue.Queue = queue.Queue(maxsize=depth)
    done = object()
    stop = threading.Event()

    def produce() -> None:
        try:
            for item in items:
                while not stop.is_set():
                    try:
                        slots.put((item, None), timeout=0.1)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
            slots.put((done, None))
        except BaseException as exc:  # handed to the consumer, which raises it
            slots.put((done, exc))

    worker = threading.Thread(target=produce, name="prefetch", daemon=True)
    worker.start()
    try:
        while True:
            item, error = slots.get()
            if item is done:
                if error is not None:
                    raise error
                return
            yield item
    finally:
        stop.set()


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
    report = build_month(
        config, source, month, now, progress, previous_months(output_dir, month), earlier_run(output_dir, month)
    )
    files = render_documents(report, progress)
    progress(f"writing {len(files)} files")
    return write_month(files, output_dir, str(month)), report


def earlier_run(output_dir: Path, month: Month) -> ArchivedReport | None:
    """This month's report from an earlier run, if one is readable (a revision is a nicety, never fatal)."""
    try:
        return read_month(output_dir, month)
    except UnreadableReport:
        return None


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
