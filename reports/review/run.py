"""The quarterly review's orchestration: gather the three months (reading what exists,
computing what does not), review, render, then write ``OUTPUT/YYYY-QN/`` all at once."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from pathlib import Path

from ..config import Config
from ..export import report_dict
from ..output import write_month
from ..pipeline import Progress, build_month
from ..sources import EventSource
from ..window import report_window
from .history import read_month, slo_months
from .quarter import Quarter, QuarterReview, ReviewError, review_quarter


def build_review(
    config: Config,
    source: EventSource,
    quarter: Quarter,
    output_dir: Path,
    now: datetime,
    progress: Progress = lambda message: None,
) -> QuarterReview:
    last = report_window(quarter.months[-1], config.timezone, config.window)
    if last.end > now:
        raise ReviewError(f"{quarter} has not ended yet (it ends {last.end:%Y-%m-%d %H:%M} UTC); review it after that")
    monthly, computed, problems = [], [], []
    for month in quarter.months:
        document = read_month(output_dir, month)
        if document is None:
            progress(f"{month}: no report.json in {output_dir}; computing it from the source")
            report = build_month(config, source, month, now)
            document = report_dict(report)
            computed.append(str(month))
            problems.extend(f"{month}: {problem}" for problem in report.source_problems)
        monthly.append(slo_months(document))
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
    from .documents import review_documents

    review = build_review(config, source, quarter, output_dir, now, progress)
    files = review_documents(review, config.timezone)
    return write_month(files, output_dir, str(quarter)), review
