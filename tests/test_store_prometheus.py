"""The count store against a real Prometheus: a month collected day by day outlives retention.

A first Prometheus holds the whole scenario of tests/prom_truth.py (resets, scrape gaps, an
idle hour, incidents across the month's edges); ``collect`` copies it into the store one day
at a time with ``--until`` advancing, up to 2024-10-19. Then that server is gone and a second
one holds only the last 15 days of the same data, as a default Prometheus would on
2 November. The month from store + second server must equal the ground truth step by step;
the second server alone leaves the first half of the month without data, and says why.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest

from reports.collect import collect
from reports.config import parse_config
from reports.pipeline import build_month
from reports.sources import configured_source, source_for
from reports.sources.store import CountStore
from tests.prom_servers import build_tsdb, prometheus
from tests.prom_truth import DATA_END, FETCH_START, WINDOW_END, WINDOW_START, epoch, scenario
from tests.test_prometheus_servers import OCTOBER, RUN_AT, SLOS, actual_rows, catalogue, expected_rows, result

pytestmark = pytest.mark.slow  # every test here starts or asks a real Prometheus or VictoriaMetrics

COLLECTED_UNTIL = datetime(2024, 10, 19, tzinfo=UTC)
RETAINED_FROM = DATA_END - 15 * 86400  # 2024-10-18T00:00Z: a 15-day retention on 2 November


def config_for(url: str, store: Path):
    data = catalogue(url)
    data["store"] = {"path": str(store)}
    config, warnings = parse_config(data)
    assert warnings == []
    return config


def last_days(openmetrics: str, since: int) -> str:
    """The OpenMetrics input without the samples before ``since`` (what retention deleted)."""
    kept = [line for line in openmetrics.splitlines() if line.startswith("#") or int(line.rsplit(" ", 1)[1]) >= since]
    return "\n".join(kept) + "\n"


@pytest.fixture(scope="module")
def truth():
    return scenario()


@pytest.fixture(scope="module")
def collected(truth, tmp_path_factory) -> tuple[Path, str]:
    """The store after daily collection from the first server; returns it and that server's URL."""
    folder = tmp_path_factory.mktemp("everything")
    store = folder / "store"
    with prometheus(build_tsdb(truth.openmetrics(), folder), folder) as url:
        config = config_for(url, store)
        until = datetime.fromtimestamp(FETCH_START, UTC).replace(hour=0) + timedelta(days=1)
        since = until - timedelta(days=1)
        while until <= COLLECTED_UNTIL:
            done = collect(config, CountStore(store), configured_source(config), until, since)
            assert done.problems == [], done.problems
            assert done.days == [(until - timedelta(days=1)).date()]
            since, until = None, until + timedelta(days=1)
        again = collect(config, CountStore(store), configured_source(config), COLLECTED_UNTIL)
        assert again.days == []
    return store, url


@pytest.fixture(scope="module")
def recent_url(truth, tmp_path_factory):
    folder = tmp_path_factory.mktemp("recent")
    with prometheus(build_tsdb(last_days(truth.openmetrics(), RETAINED_FROM), folder), folder) as url:
        yield url


def test_store_and_a_prometheus_with_15_days_give_every_step_of_the_truth(truth, collected, recent_url):
    store, first_url = collected
    config = config_for(recent_url, store)
    counts = source_for(config).fetch(
        config, datetime.fromtimestamp(FETCH_START, UTC), datetime.fromtimestamp(WINDOW_END, UTC)
    )
    assert counts.problems == {}
    assert counts.description == (
        f"count store (collected from Prometheus at {first_url}) for UTC days 2024-09-28 to 2024-10-18; "
        f"Prometheus at {recent_url} for 2024-10-19 to 2024-11-01"
    )
    for service, slo in SLOS:
        expected = expected_rows(truth, service, slo).sort_values(["customer", "timestamp"]).reset_index(drop=True)
        actual = actual_rows(counts, service, slo).astype({"customer": str})
        pd.testing.assert_frame_equal(actual, expected.astype({"customer": str}), check_dtype=False)


def test_the_month_from_store_and_prometheus_has_the_true_totals(truth, collected, recent_url):
    store, _ = collected
    config = config_for(recent_url, store)
    report = build_month(config, source_for(config), OCTOBER, RUN_AT)
    for service, slo in SLOS:
        total_pick, other_pick, kind = SLOS[(service, slo)]
        total = truth.events_between(total_pick, WINDOW_START, WINDOW_END)
        other = truth.events_between(other_pick, WINDOW_START, WINDOW_END)
        counted = result(report, service, slo)
        assert (counted.total_events, counted.good_events) == (total, total - other if kind == "bad" else other)
    assert report.source_problems == ()


def test_prometheus_alone_names_the_retention_gap(truth, recent_url, tmp_path: Path):
    """Without collected days the source is asked for the whole month, which its retention has cut:
    every SLO is a problem that names the first sample held, and the source line names the days."""
    config = config_for(recent_url, tmp_path / "empty-store")
    report = build_month(config, source_for(config), OCTOBER, RUN_AT)
    assert report.source == (
        f"Prometheus at {recent_url}; no data for UTC days 2024-09-28 to 2024-11-01: neither the count store nor "
        f"Prometheus at {recent_url} has them"
    )
    assert len(report.source_problems) == len(SLOS) + 1  # and ledger
    for problem in report.source_problems:
        assert (
            f"deleted by retention: the report needs samples from 2024-09-28 04:00 UTC, but {recent_url} holds "
            "samples only from 2024-10-18 00:00 UTC on"
        ) in problem
    assert result(report, "checkout", "availability").status == "no data"
    assert epoch("2024-10-18T00:00:00Z") == RETAINED_FROM
