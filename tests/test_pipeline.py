"""The orchestrator: what each stage is given and what comes back, with a recording source and
the archive in a temporary folder (no rendering: the stages have their own tests)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest
from conftest import events, make_config

from reports.archive import ArchivedReport, previous_months, read_month
from reports.errors import ReportError
from reports.export import report_json
from reports.pipeline import MonthNotOver, build_month, build_review, run_month
from reports.review.quarter import Quarter, ReviewError
from reports.sources import EventCounts
from reports.window import Month

NOW = datetime(2027, 1, 2, 6, tzinfo=UTC)


class RecordingSource:
    """Serves fixed rows and records each requested range; ``problems`` marks SLOs it could not count."""

    def __init__(self, frame, problems=None):
        self.frame, self.problems, self.calls = frame, problems or {}, []

    def fetch(self, config, start, end):
        self.calls.append((start, end))
        inside = self.frame[(self.frame["timestamp"] >= start) & (self.frame["timestamp"] < end)]
        return EventCounts(inside, timedelta(minutes=5), start, end, dict(self.problems), "recording")


def _config():
    return make_config(
        services=[
            {"name": "api", "slos": [{"name": "availability", "objective": 0.99}]},
            {"name": "db", "slos": [{"name": "availability", "objective": 0.999}]},
        ]
    )


BUSY = {"2026-10-15T12:00:00Z": (990, 1000), "2026-11-15T12:00:00Z": (1995, 2000), "2026-12-15T12:00:00Z": (2997, 3000)}
FRAME = events(
    [
        (at, *BUSY.get(at, (0, 0)))
        for at in (
            f"{t:%Y-%m-%dT%H:%M:%SZ}" for t in pd.date_range("2026-09-28", "2027-01-01", freq="5min", inclusive="left")
        )
    ]
)
"""api/availability on every 5-minute step (whole months: none is partial), busy at three instants."""


def test_build_month_fetches_the_window_with_the_burn_rate_lookback_once_and_assesses_every_slo():
    source = RecordingSource(FRAME)
    report = build_month(_config(), source, Month(2026, 10), NOW)
    assert source.calls == [(datetime(2026, 9, 28, tzinfo=UTC), datetime(2026, 11, 1, tzinfo=UTC))]  # 3 days back
    api, db = report.services
    assert (api.slos[0].result.good_events, api.slos[0].result.total_events) == (990, 1000)
    assert api.slos[0].result.sli == pytest.approx(0.99) and api.slos[0].result.status == "met"
    assert db.slos[0].result.status == "no data" and db.zone.name == "no data"  # no rows: never met
    assert report.source_problems == ()


def test_source_problems_reach_the_report_sorted_and_the_slo_is_no_data():
    source = RecordingSource(
        FRAME, {("db", "availability"): "db/availability: query failed", ("api", "availability"): "api/availability"}
    )
    report = build_month(_config(), source, Month(2026, 10), NOW)
    assert report.source_problems == ("api/availability", "db/availability: query failed")
    assert report.service("db").slos[0].result.no_data_reason.startswith("db/availability: query failed")


def test_a_month_that_has_not_ended_is_refused_before_anything_is_fetched(tmp_path: Path):
    source = RecordingSource(FRAME)
    with pytest.raises(MonthNotOver, match=r"2027-01 has not ended yet \(it ends 2027-02-01 00:00 UTC\)"):
        run_month(_config(), source, Month(2027, 1), NOW, tmp_path)
    assert source.calls == [] and not any(tmp_path.iterdir())
    assert issubclass(MonthNotOver, ReportError)


def _archive(output: Path, month: Month, config=None) -> None:
    """Write only report.json, as a run would (the documents play no part in history or review)."""
    report = build_month(config or _config(), RecordingSource(FRAME), month, NOW)
    (output / str(month)).mkdir(parents=True)
    (output / str(month) / "report.json").write_text(report_json(report))


def test_earlier_months_come_back_from_the_archive_typed_and_feed_the_trend(tmp_path: Path):
    _archive(tmp_path, Month(2026, 10))
    earlier = previous_months(tmp_path, Month(2026, 11))
    assert [type(e) for e in earlier] == [ArchivedReport] and earlier[0].month == Month(2026, 10)
    november = build_month(_config(), RecordingSource(FRAME), Month(2026, 11), NOW, history=earlier)
    api = november.service("api").slos[0]
    assert [h.month for h in api.history] == [Month(2026, 10)]
    assert api.history[0].budget_consumed == pytest.approx(1.0)  # 1% bad of a 1% budget
    assert api.recommendations[-1].text == "Budget use fell from 100.0% in October 2026 to 25.0%."


def test_the_review_reads_archived_months_and_computes_only_the_missing_one(tmp_path: Path):
    _archive(tmp_path, Month(2026, 10))
    _archive(tmp_path, Month(2026, 11))
    source = RecordingSource(FRAME, {("db", "availability"): "db/availability: query failed"})
    review = build_review(_config(), source, Quarter(2026, 4), tmp_path, NOW)
    assert review.computed_months == ("2026-12",)
    assert source.calls == [(datetime(2026, 11, 28, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC))]  # December only
    api = next(s for s in review.slos if s.service == "api")
    assert (api.good_events, api.total_events) == (990 + 1995 + 2997, 6000)  # pooled, not averaged
    assert review.source_problems == ("2026-12: db/availability: query failed",)
    assert read_month(tmp_path, Month(2026, 12)) is None  # the review writes no monthly report


def test_a_quarter_that_has_not_ended_is_refused(tmp_path: Path):
    with pytest.raises(ReviewError, match="2026-Q4 has not ended yet"):
        build_review(_config(), RecordingSource(FRAME), Quarter(2026, 4), tmp_path, datetime(2026, 12, 31, tzinfo=UTC))


def test_archived_months_are_read_back_with_what_the_gate_and_email_need(tmp_path: Path):
    _archive(tmp_path, Month(2026, 10))
    archived = read_month(tmp_path, Month(2026, 10))
    document = json.loads((tmp_path / "2026-10" / "report.json").read_text())
    assert archived is not None and archived.month == Month(2026, 10) and archived.timezone == "UTC"
    api = archived.service("api")
    assert api is not None and api.zone.name == document["services"][0]["zone"]["name"]
    assert api.slos[0].budget_remaining == pytest.approx(0.0)
    assert archived.generated_at == NOW
