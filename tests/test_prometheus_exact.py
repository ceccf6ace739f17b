"""Exact counts at 15 s and 60 s scrapes, on real Prometheus 2.42 and real VictoriaMetrics (single
node, and behind the cluster's ``/select/<accountID>/prometheus`` prefix).

The counters (tests/prom_scrapes.py) have scrape gaps across a step edge, across both month
edges and New York's midnight, resets on a step edge and inside a step, a reset followed by a
gap, a series born at 1 and a series that stops. Every step, every day (UTC and New York) and
the month are compared with the ground truth computed from event times.
"""

from __future__ import annotations

import functools
import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from reports.config import parse_config
from reports.pipeline import build_month
from reports.sources import source_for
from reports.sources.promclient import PromClient
from reports.sources.prometheus import Grid, _check_server, _read_continuous, _read_exceptions, _Slo
from reports.window import Month
from tests.prom_scrapes import (
    BORN,
    EDGE_CARRY,
    RESET_THEN_GAP,
    SHORT,
    STEP_EDGE_GAP,
    STEP_EDGE_RESET,
    UTC_MONTH_GAP,
    Scraped,
    Scrapes,
    epoch,
)

pytestmark = pytest.mark.slow  # every test here starts or asks a real Prometheus or VictoriaMetrics

RUN_AT = datetime(2024, 11, 2, 6, tzinfo=UTC)


def _pick(name: str, **labels):
    def pick(series) -> bool:
        if series.name != name:
            return False
        return all(
            series.labels.get(k) == v or (v == "5xx" and series.labels.get(k, "").startswith("5"))
            for k, v in labels.items()
        )

    return pick


SLOS = {
    ("shop", "availability"): (_pick("shop_requests_total"), _pick("shop_requests_total", code="5xx")),
    ("ledger", "posted"): (_pick("ledger_entries_total"), _pick("ledger_entries_total", outcome="rejected")),
}
LATENCY = (
    _pick("shop_request_duration_seconds_count"),
    lambda s: s.name.endswith("_bucket") and s.labels["le"] in ("1", "1.0"),
)


def catalogue(url: str, zone: str = "UTC", step: str = "5m") -> dict:
    return {
        "title": "Exact",
        "timezone": zone,
        "source": {"type": "prometheus", "url": url, "step": step},
        "services": [
            {
                "name": "shop",
                "slos": [
                    {
                        "name": "availability",
                        "objective": 0.99,
                        "sli": {"total": "shop_requests_total", "bad": 'shop_requests_total{code=~"5.."}'},
                    },
                    {
                        "name": "latency",
                        "objective": 0.9,
                        "sli": {"kind": "latency", "histogram": "shop_request_duration_seconds", "threshold": 1},
                    },
                ],
            },
            {
                "name": "ledger",
                "slos": [
                    {
                        "name": "posted",
                        "objective": 0.99,
                        "sli": {"total": "ledger_entries_total", "bad": 'ledger_entries_total{outcome="rejected"}'},
                    }
                ],
            },
        ],
    }


def config_for(url: str, **options):
    config, warnings = parse_config(catalogue(url, **options))
    assert warnings == []
    return config


@pytest.fixture(scope="module", params=["prometheus", "victoria-metrics", "victoria-metrics-cluster-layout"])
def url(request) -> str:
    fixture = {"prometheus": "exact_prometheus_url", "victoria-metrics": "exact_victoria_url"}.get(
        request.param, "exact_victoria_cluster_url"
    )
    return request.getfixturevalue(fixture)


def expected(scrapes, pick, start: int, end: int, step: int) -> np.ndarray:
    return scrapes.step_counts(pick, start, step, (end - start) // step)


def fetched(url: str, start: int, end: int, step: str = "5m"):
    config = config_for(url, step=step)
    counts = source_for(config).fetch(config, datetime.fromtimestamp(start, UTC), datetime.fromtimestamp(end, UTC))
    assert counts.problems == {}
    return counts


def dense(counts, service: str, slo: str, start: int, end: int, step: int, column: str) -> np.ndarray:
    rows = counts.for_slo(service, slo)
    out = np.full((end - start) // step, np.nan)
    index = ((rows["timestamp"].astype("int64") // 10**9 - start) // step).to_numpy()
    out[index] = rows[column].to_numpy()
    return out


@pytest.mark.parametrize("step", [60, 300, 3600])
def test_every_step_is_exact_at_any_step(scrapes, url, step):
    start, end = SHORT[0], SHORT[1]
    counts = fetched(url, start, end, step=f"{step}s")
    for (service, slo), (total_pick, bad_pick) in SLOS.items():
        total = expected(scrapes, total_pick, start, end, step)
        bad = np.where(np.isnan(total), np.nan, np.nan_to_num(expected(scrapes, bad_pick, start, end, step)))
        np.testing.assert_array_equal(dense(counts, service, slo, start, end, step, "total"), total)
        good = dense(counts, service, slo, start, end, step, "good")
        np.testing.assert_array_equal(good, total - bad)


def test_the_scenario_has_what_it_claims(scrapes, url):
    """Guards the guard: the gap's events sit in the step where scrapes resume, the born series'
    first event is counted, and the steps inside gaps have no data."""
    start, end, step = SHORT[0], SHORT[1], 300
    counts = fetched(url, start, end)
    total = dense(counts, "shop", "availability", start, end, step, "total")
    # both instances miss nothing at 10:00-10:05 except a's samples after 10:02:15; b keeps going
    after_gap = (STEP_EDGE_GAP[1] - start) // step
    assert total[after_gap] > 2 * np.nanmedian(total)
    only_a = expected(scrapes, _pick("shop_requests_total", instance="a"), start, end, step)
    assert np.isnan(only_a[(UTC_MONTH_GAP[0] - start) // step + 1])  # a step inside the month-edge gap: no a sample
    born = expected(scrapes, _pick("shop_requests_total", code="503"), start, end, step)
    assert born[(BORN - start) // step] >= 1  # the first event of the series born at 1
    reset_sample = next(s for s in scrapes.series if s.labels.get("code") == "200" and s.labels.get("instance") == "a")
    values = dict(zip(reset_sample.times.tolist(), reset_sample.values().tolist(), strict=True))
    assert values[STEP_EDGE_RESET + 15] < values[STEP_EDGE_RESET] / 10  # a reset right on a step edge
    assert values[RESET_THEN_GAP[1]] < values[RESET_THEN_GAP[0]]  # a reset hidden in a gap


def test_a_range_ending_inside_a_gap_adds_nothing_from_the_gap(scrapes, url):
    start, end, step = SHORT[0], epoch("2024-10-31T10:05:00Z"), 300
    assert STEP_EDGE_GAP[0] < end < STEP_EDGE_GAP[1]
    counts = fetched(url, start, end)
    total_pick, _ = SLOS[("shop", "availability")]
    np.testing.assert_array_equal(
        dense(counts, "shop", "availability", start, end, step, "total"),
        expected(scrapes, total_pick, start, end, step),
    )


@functools.cache
def october(url: str, zone: str):
    config = config_for(url, zone=zone)
    return build_month(config, source_for(config), Month(2024, 10), RUN_AT)


@pytest.mark.parametrize("zone", ["UTC", "America/New_York"])
def test_the_month_and_every_day_are_exact(scrapes, url, zone):
    report = october(url, zone)
    assert report.source_problems == ()
    tz = ZoneInfo(zone)
    month_start = int(datetime(2024, 10, 1, tzinfo=tz).timestamp())
    month_end = int(datetime(2024, 11, 1, tzinfo=tz).timestamp())
    for (service, slo), (total_pick, bad_pick) in SLOS.items():
        result = next(a.result for a in report.service(service).slos if a.result.slo == slo)
        total = expected(scrapes, total_pick, month_start, month_end, 300)
        bad = np.where(np.isnan(total), 0, np.nan_to_num(expected(scrapes, bad_pick, month_start, month_end, 300)))
        assert (result.total_events, result.good_events) == (np.nansum(total), np.nansum(total) - bad.sum())
        assert len(result.days) == 31
        assert service == "shop" or result.coverage > 0.99  # shop has 15 s data around the month end only
        for day in result.days:
            begin = int(datetime(day.day.year, day.day.month, day.day.day, tzinfo=tz).timestamp())
            finish = int(
                (datetime(day.day.year, day.day.month, day.day.day, tzinfo=tz) + timedelta(days=1)).timestamp()
            )
            inside = slice((begin - month_start) // 300, (finish - month_start) // 300)
            day_total = np.nansum(total[inside])
            assert (day.total, day.good) == (day_total, day_total - bad[inside].sum()), (service, day.day)


def test_a_latency_threshold_counts_across_the_le_spelling_change(scrapes, url):
    """The bucket is le="1" until mid-month and le="1.0" after (Prometheus 3 normalises bounds):
    threshold 1 matches both, and the switch is a continuation of one counter, not a new series
    whose whole value would count as fast requests."""
    result = next(a.result for a in october(url, "UTC").service("shop").slos if a.result.slo == "latency")
    start, end = epoch("2024-10-01T00:00:00Z"), epoch("2024-11-01T00:00:00Z")
    total = expected(scrapes, LATENCY[0], start, end, 300)
    spellings = [s for s in scrapes.series if LATENCY[1](s)]
    one_bucket = Scraped("bucket", {}, spellings[0].events, np.concatenate([s.times for s in spellings]))
    fast = Scrapes([one_bucket]).step_counts(lambda s: True, start, 300, (end - start) // 300)
    assert (result.total_events, result.good_events) == (np.nansum(total), np.nansum(fast))
    assert 0.85 < result.sli < 0.95


@pytest.mark.parametrize("label", [None, "instance"])
def test_a_one_step_gap_after_a_sample_on_the_step_edge_is_no_data_not_a_quiet_step(scrapes, url, label):
    """Instance a has a sample at 11:05:00, on a step's edge, and none until 11:10:15. A closed
    range of a whole step (Prometheus 2's [5m]) would find the 11:05:00 sample again for the step
    11:05-11:10 and make it a step without events; it has no data (NaN), which is what the truth
    and the exact reading say. The fast reading's whole-step windows find it too on Prometheus 2,
    where instance a's group then has a step without events; so the total counter is read again a
    millisecond short of the step, sees a missing, and takes the exact reading, on every engine."""
    config = config_for(url)
    client = PromClient(config.source)
    start, end = SHORT
    try:
        _check_server(client, end)
        grid = Grid.of(datetime.fromtimestamp(start, UTC), datetime.fromtimestamp(end, UTC), timedelta(minutes=5))
        run = _Slo(client, grid, label, "shop", "availability")
        fast = _read_continuous(run, "total", "edge_requests_total")
        exact = _read_exceptions(run, "total", "edge_requests_total")
    finally:
        client.close()
    gap = (EDGE_CARRY[0] - start) // 300  # the step 11:05-11:10
    a_truth = expected(scrapes, _pick("edge_requests_total", instance="a"), start, end, 300)
    b_truth = expected(scrapes, _pick("edge_requests_total", instance="b"), start, end, 300)
    assert np.isnan(a_truth[gap]) and a_truth[gap + 1] > 0  # no sample in the gap; its events on the step after
    summed = np.where(np.isnan(a_truth), b_truth, a_truth + b_truth)
    np.testing.assert_array_equal(exact["a"] if label else exact[""], a_truth if label else summed)
    if label or client.engine.left_open:
        assert fast is None
    else:
        # Prometheus 2 reads whole-step windows first: instance a's 11:05:00 sample again, 0 events, and
        # the rest on its next sample; with b's events the group has data, and the same events
        np.testing.assert_array_equal(fast[""], summed)


COUNTERS = (
    "shop_requests_total",
    'shop_requests_total{code=~"5.."}',
    "ledger_entries_total",
    'ledger_entries_total{outcome="rejected"}',
    "quiet_requests_total",  # steps without events: on Prometheus 2 the total is read again, packed
)


@pytest.mark.parametrize("what", ["total", "bad"])
@pytest.mark.parametrize("label", [None, "instance"])
def test_the_fast_reading_is_taken_only_where_it_equals_the_exact_one(url, label, what):
    """A counter whose series run on without a break is read from its summed last values
    (queries/continuous.promql). On every counter and range of the scenario that reading is
    either declined (a gap, a reset, a series born or stopped) or equal, step by step, to the
    reading of the exceptions; both happen, per customer (one series each) and summed. A group of
    several series has its sums and counts per step read as two selectors over whole steps, packed
    in one sum over the shorter windows; a group of one is read as it is.
    A counter other than the total may read a step without data as one without events (its
    events only ride on the total's steps); its events are the same."""
    config = config_for(url)
    client = PromClient(config.source)
    asked: list[str] = []
    ask = client.range
    client.range = lambda query, *args, **kwargs: (asked.append(query), ask(query, *args, **kwargs))[1]
    ranges = [
        SHORT,
        (epoch("2024-10-05T00:00:00Z"), epoch("2024-10-08T00:00:00Z")),
        (BORN // 3600 * 3600 - 86400, BORN // 3600 * 3600 + 86400),
    ]
    taken = []
    try:
        for start, end in ranges:
            _check_server(client, end)
            grid = Grid.of(datetime.fromtimestamp(start, UTC), datetime.fromtimestamp(end, UTC), timedelta(minutes=5))
            for selector in COUNTERS:
                run = _Slo(client, grid, label, "shop", "availability")
                fast = _read_continuous(run, what, selector)
                taken.append(fast is not None)
                if fast is not None:
                    exact = _read_exceptions(run, what, selector)
                    assert fast.keys() == exact.keys()
                    for group, values in exact.items():
                        if what == "total":
                            np.testing.assert_array_equal(fast[group], values, err_msg=f"{selector} {group}")
                        else:  # NaN or 0 where no step has data: no events either way
                            np.testing.assert_array_equal(np.nan_to_num(fast[group]), np.nan_to_num(values))
    finally:
        client.close()
    assert any(taken) and not all(taken)
    assert any("[5m]" in query for query in asked)  # whole-step windows, on every engine
    if not client.engine.left_open and what == "total":  # a step without events: read again, a step less 1 ms
        assert any("[299999ms]" in query and " offset " not in query for query in asked)  # not the exact reading's
    packed = [query for query in asked if re.search(r"\) \+ \d+\)$", query)]
    two = [query for query in asked if query.startswith("label_replace(sum by") and "[5m]" in query]
    assert label is not None or (two and (packed or what != "total" or client.engine.left_open))
    assert not packed or all("[299999ms]" in query for query in packed)  # packed only a step less 1 ms
    assert any(query.startswith("last_over_time(") for query in asked)  # one series per group: each as it is
