"""The quarterly review's files: ``review.html``, ``review.pdf``, ``review.csv``, ``review.json``."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from datetime import datetime

from ..archive import SCHEMA_VERSION
from ..export import cell, number_cell, plain
from ..render.environment import render
from ..render.pdf import html_to_pdf
from .quarter import QuarterReview


@dataclass(frozen=True)
class ReviewMeta:
    """What the shared layout needs: the running header and footer."""

    title: str
    month_label: str
    generated_at: datetime
    timezone: str
    source: str


def review_documents(review: QuarterReview, timezone: str = "UTC") -> dict[str, bytes]:
    html = review_html(review, timezone)
    return {
        "review.html": html.encode("utf-8"),
        "review.pdf": html_to_pdf(html),
        "review.csv": review_csv(review).encode("utf-8"),
        "review.json": review_json(review).encode("utf-8"),
    }


def review_html(review: QuarterReview, timezone: str = "UTC") -> str:
    computed = ", ".join(review.computed_months)
    source = f"months' report.json (computed now from the source: {computed})" if computed else "months' report.json"
    meta = ReviewMeta(review.title, f"{review.quarter} review", review.generated_at, timezone, source)
    return render("review.html", review=review, meta=meta)


def review_json(review: QuarterReview) -> str:
    document = {"schema_version": SCHEMA_VERSION, **plain(review)}
    for entry, slo in zip(document["slos"], review.slos, strict=True):
        entry["objective_changed"] = slo.objective_changed
        entry["stricter_than_dependencies"] = slo.stricter_than_dependencies
    return json.dumps(document, indent=1, ensure_ascii=False, allow_nan=False) + "\n"


CSV_COLUMNS = (
    "quarter",
    "service",
    "slo",
    "period",
    "objective",
    "good_events",
    "total_events",
    "sli",
    "status",
    "budget_consumed",
    "zone",
    "incidents",
    "postmortems",
    "sla_breaches",
    "credits",
    "recommendation",
    "suggested_objective",
)


def review_csv(review: QuarterReview) -> str:
    """Per SLO, a row per month (the period is YYYY-MM), then the quarter's row (period YYYY-QN)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for slo in review.slos:
        for month, row in zip(review.months, slo.months, strict=True):
            if row is None:
                writer.writerow(
                    [review.quarter, cell(slo.service), cell(slo.slo), month] + [""] * (len(CSV_COLUMNS) - 4)
                )
                continue
            credits = cell("; ".join(f"{customer} {percent:g}%" for customer, percent in row.credits))
            writer.writerow(
                [
                    review.quarter,
                    cell(slo.service),
                    cell(slo.slo),
                    month,
                    row.objective,
                    row.good_events,
                    row.total_events,
                    number_cell(row.sli),
                    row.status,
                    number_cell(row.budget_consumed),
                    cell(row.zone),
                    row.incidents,
                    row.postmortems,
                    row.sla_breaches,
                    credits,
                    "",
                    "",
                ]
            )
        writer.writerow(
            [
                review.quarter,
                cell(slo.service),
                cell(slo.slo),
                review.quarter,
                slo.objective,
                slo.good_events,
                slo.total_events,
                number_cell(slo.sli),
                f"met {slo.met_months}, missed {slo.missed_months} of {slo.whole_months} whole months",
                number_cell(slo.budget_used),
                "",
                sum(r.incidents for r in slo.months if r),
                slo.postmortems,
                sum(r.sla_breaches for r in slo.months if r),
                "",
                slo.recommendation,
                number_cell(slo.suggested_objective),
            ]
        )
    return buffer.getvalue()
