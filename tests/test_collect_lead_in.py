"""``collect``'s lead-in against a source whose retention has deleted part of it: the fetch starts at
the first step the source still holds, as long as a whole step of lead-in is left before the day
kept; otherwise it asks for the whole lead-in and the source reports the retention problem.
(Against a real Prometheus: tests/test_prometheus_retention.py.)"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest

from reports.collect import collect, fetch_start
from reports.config import load_config
from reports.sources import RetainingSource, configured_source
from reports.sources.prometheus import retention_problem
from reports.sources.store import CountStore
from tests.test_store import CONFIG, truth, write_events

FIRST = datetime(2024, 10, 18, tzinfo=UTC)
LEAD_IN_START = datetime(2024, 10, 17, tzinfo=UTC)
FIVE = timedelta(minutes=5)


def at(day: int, hour: int, minute: int, second: int = 0, microsecond: int = 0) -> datetime:
    return datetime(2024, 10, day, hour, minute, second, microsecond, tzinfo=UTC)


@pytest.mark.parametrize(
    "oldest, step, start",
    [
        (None, FIVE, LEAD_IN_START),  # unknown: the whole day of lead-in
        (at(16, 12, 0), FIVE, LEAD_IN_START),  # held from before the lead-in
        (at(17, 0, 0), FIVE, LEAD_IN_START),  # held from exactly the lead-in's start
        (at(17, 0, 0, 0, 1000), FIVE, at(17, 0, 5)),  # a millisecond later: the next step boundary
        (at(17, 0, 0, 37), FIVE, at(17, 0, 5)),
        (at(17, 0, 5), FIVE, at(17, 0, 5)),  # on a boundary: that boundary
        (at(17, 23, 50), FIVE, at(17, 23, 50)),  # two steps of lead-in left
        (at(17, 23, 55), FIVE, at(17, 23, 55)),  # one whole step left: still clipped
        (at(17, 23, 55, 0, 1000), FIVE, LEAD_IN_START),  # the boundary after it is the day itself
        (at(18, 0, 0), FIVE, LEAD_IN_START),  # the day starts where the source does: no lead-in step
        (at(18, 3, 0), FIVE, LEAD_IN_START),  # the day itself partly deleted
        (at(17, 22, 59, 59), timedelta(hours=1), at(17, 23, 0)),  # one hour-step left
        (at(17, 23, 0, 1), timedelta(hours=1), LEAD_IN_START),  # less than one left
    ],
)
def test_fetch_start(oldest, step, start):
    assert fetch_start(FIRST, oldest, step) == start


class Retaining:
    """The file source as a server that holds nothing before ``held_from``; records what it was asked."""

    def __init__(self, config, held_from: datetime):
        self.source = configured_source(config)
        self.held_from = held_from
        self.oldest_asked: list[datetime] = []
        self.asked: list[tuple[datetime, datetime]] = []

    def oldest(self, config, at: datetime) -> datetime | None:
        self.oldest_asked.append(at)
        return self.held_from

    def fetch(self, config, start, end):
        self.asked.append((start, end))
        return self.source.fetch(config, start, end)


@pytest.fixture
def configured(tmp_path: Path):
    (tmp_path / "slo-report.yaml").write_text(CONFIG)
    frame = write_events(tmp_path)
    config, _ = load_config(tmp_path / "slo-report.yaml")
    return config, frame


def test_collect_starts_the_fetch_at_the_first_step_the_source_holds(configured):
    config, frame = configured
    source = Retaining(config, datetime(2026, 10, 4, 9, 17, 30, tzinfo=UTC))
    assert isinstance(source, RetainingSource)
    until = datetime(2026, 10, 7, tzinfo=UTC)
    messages: list[str] = []
    store = CountStore(config.store.path)
    result = collect(config, store, source, until, since=datetime(2026, 10, 5, tzinfo=UTC), progress=messages.append)
    assert source.oldest_asked == [until]
    assert source.asked == [(datetime(2026, 10, 4, 9, 20, tzinfo=UTC), until)]
    assert messages[0] == (
        "fetching 2 SLO(s), 2026-10-05 to 2026-10-07 00:00 UTC "
        "(lead-in from 2026-10-04 09:20 UTC: the source holds nothing older)"
    )
    assert result.days == [date(2026, 10, 5), date(2026, 10, 6)] and result.problems == []
    for day in result.days:
        _, rows = store.read(day)
        for service in ("api", "jobs"):
            mine = rows[rows["service"] == service]
            start = datetime.combine(day, datetime.min.time(), UTC)
            assert (int(mine["good"].sum()), int(mine["total"].sum())) == truth(
                frame, service, start, start + timedelta(days=1)
            )
            assert len(mine) == 288  # one row per five-minute step


def test_collect_keeps_the_whole_lead_in_where_the_day_itself_is_partly_deleted(configured):
    config, _ = configured
    source = Retaining(config, datetime(2026, 10, 4, 23, 57, tzinfo=UTC))
    until = datetime(2026, 10, 6, tzinfo=UTC)
    collect(config, CountStore(config.store.path), source, until, since=datetime(2026, 10, 5, tzinfo=UTC))
    assert source.asked == [(datetime(2026, 10, 4, tzinfo=UTC), until)]


def test_collect_asks_for_the_oldest_instant_only_when_there_is_something_to_collect(configured):
    config, _ = configured
    until = datetime(2026, 10, 6, tzinfo=UTC)
    store = CountStore(config.store.path)
    collect(config, store, Retaining(config, datetime(2026, 9, 1, tzinfo=UTC)), until, since=until - timedelta(days=1))
    again = Retaining(config, datetime(2026, 9, 1, tzinfo=UTC))
    assert collect(config, store, again, until).days == []
    assert again.oldest_asked == [] and again.asked == []


@pytest.mark.parametrize(
    "oldest, shown",
    [
        (at(17, 0, 0, 0, 500000), "2024-10-17 00:00:00.5 UTC"),  # it once read "00:00 ... 00:00"
        (at(17, 0, 0, 37), "2024-10-17 00:00:37 UTC"),
        (at(17, 0, 5), "2024-10-17 00:05 UTC"),
    ],
)
def test_the_retention_message_shows_the_oldest_sample_to_the_second(oldest, shown):
    client = SimpleNamespace(url="http://prometheus:9090", oldest=oldest.timestamp())
    assert retention_problem(client, LEAD_IN_START.timestamp()) == (
        "deleted by retention: the report needs samples from 2024-10-17 00:00 UTC, but http://prometheus:9090 holds "
        f"samples only from {shown} on; keep the months you report on in long-term storage (Thanos, Mimir or "
        "VictoriaMetrics) and point source.url at it, or raise Prometheus's --storage.tsdb.retention.time above 35d "
        "so the whole month is still there on the 1st"
    )
