"""The Prometheus source against real servers: Prometheus 2.42 (Debian) and VictoriaMetrics.

Both engines are loaded with the same counters (tests/prom_truth.py: resets, a 4.5-hour scrape
gap, a missed scrape, an idle hour, incidents across both month edges) and every count the
source reports is compared with the per-minute ground truth.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pandas as pd
import pytest

from reports.config import parse_config
from reports.export import report_dict
from reports.pipeline import build_month
from reports.sources import source_for
from reports.sources.prometheus import PrometheusSource
from reports.window import Month
from tests.prom_servers import build_tsdb, prometheus, victoria_metrics
from tests.prom_truth import (
    CHECKOUT_RESETS,
    FETCH_START,
    GAP,
    MISSED_SCRAPE,
    PAYMENTS,
    WINDOW_END,
    WINDOW_START,
    epoch,
    hand_made_openmetrics,
    scenario,
)

pytestmark = pytest.mark.slow

OCTOBER = Month(2024, 10)
RUN_AT = datetime(2024, 11, 2, tzinfo=UTC)
UTC = UTC


def _name(name, **labels):
    return lambda s: s.name == name and all(s.labels.get(k) == v for k, v in labels.items())


# (service, slo) → (total series, good or bad series, which one)
SLOS = {
    ("checkout", "availability"): (
        _name("http_requests_total", service="checkout"),
        _name("http_requests_total", service="checkout", code="500"),
        "bad",
    ),
    ("checkout", "latency"): (
        _name("http_request_duration_seconds_count", service="checkout"),
        _name("http_request_duration_seconds_bucket", service="checkout", le="0.25"),
        "good",
    ),
    ("search", "success"): (_name("search_requests_total"), _name("search_requests_total", outcome="ok"), "good"),
    (PAYMENTS, "settled"): (
        _name("payments_total", service=PAYMENTS),
        _name("payments_total", service=PAYMENTS, status="ok"),
        "good",
    ),
}


def catalogue(url: str, customers: bool = True, threshold: float = 0.25) -> dict:
    """The scenario's services; with ``customers`` every SLO carries an SLA, so counts stay per customer."""
    data = {
        "title": "Shop",
        "timezone": "America/New_York",
        "source": {"type": "prometheus", "url": url, "step": "5m"},
        "services": [
            {
                "name": "checkout",
                "slos": [
                    {
                        "name": "availability",
                        "objective": 0.999,
                        "sli": {
                            "total": 'http_requests_total{service="checkout"}',
                            "bad": 'http_requests_total{service="checkout",code=~"5.."}',
                        },
                    },
                    {
                        "name": "latency",
                        "objective": 0.95,
                        "sli": {
                            "kind": "latency",
                            "histogram": 'http_request_duration_seconds{service="checkout"}',
                            "threshold": threshold,
                        },
                    },
                ],
            },
            {
                "name": "search",
                "slos": [
                    {
                        "name": "success",
                        "objective": 0.99,
                        "sli": {"total": "search_requests_total", "good": 'search_requests_total{outcome="ok"}'},
                    }
                ],
            },
            {
                "name": PAYMENTS,
                "slos": [
                    {
                        "name": "settled",
                        "objective": 0.99,
                        "sli": {
                            "kind": "raw",
                            "total_query": 'sum(increase(payments_total{service="{{service}}"}[{{window}}]))',
                            "good_query": 'sum(increase(payments_total{service="{{service}}",status="ok"}[{{window}}]))',
                        },
                    }
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
    if customers:
        data["customers"] = {"default_tier": "standard", "tiers": {"standard": {"objective": 0.99}}}
        for service in data["services"]:
            for slo in service["slos"]:
                slo["sla"] = slo["sli"].get("kind") != "raw"  # raw queries cannot be split per customer
    return data


def config_for(url: str, **options):
    config, warnings = parse_config(catalogue(url, **options))
    assert warnings == []
    return config


@pytest.fixture(scope="session")
def truth():
    return scenario()


@pytest.fixture(scope="session")
def prometheus_url(truth, tmp_path_factory):
    folder = tmp_path_factory.mktemp("prometheus")
    data = build_tsdb(truth.openmetrics(extra=hand_made_openmetrics()[0]), folder)
    with prometheus(data, folder) as url:
        yield url


@pytest.fixture(scope="session")
def victoria_url(truth, tmp_path_factory):
    with victoria_metrics(
        truth.exposition(extra=hand_made_openmetrics()[1]), tmp_path_factory.mktemp("victoria")
    ) as url:
        yield url


@pytest.fixture(scope="session", params=["prometheus", "victoria-metrics"])
def engine(request) -> str:
    return request.getfixturevalue("prometheus_url" if request.param == "prometheus" else "victoria_url")


@pytest.fixture(scope="session")
def fetched(engine):
    config = config_for(engine)
    return source_for(config).fetch(
        config, datetime.fromtimestamp(FETCH_START, UTC), datetime.fromtimestamp(WINDOW_END, UTC)
    )


@pytest.fixture(scope="session")
def report(engine):
    config = config_for(engine)
    return build_month(config, source_for(config), OCTOBER, RUN_AT)


def expected_rows(
    truth, service: str, slo: str, start: int = FETCH_START, end: int = WINDOW_END, customers: bool = True
) -> pd.DataFrame:
    total_pick, other_pick, kind = SLOS[(service, slo)]
    group = (lambda s: s.labels.get("customer", "")) if customers else (lambda s: "")
    total = truth.rows(total_pick, start, end, group=group).rename(columns={"value": "total"})
    other = truth.rows(other_pick, start, end, group=group).rename(columns={"value": kind})
    rows = total.merge(other, on=["timestamp", "customer"], how="left").fillna({kind: 0})
    rows["good"] = rows["total"] - rows["bad"] if kind == "bad" else rows["good"]
    # Series without the customer label count in the SLO's totals only: where customers have rows,
    # the long frame carries their step only when it adds events.
    with_customer = rows.loc[rows["customer"] != "", "timestamp"]
    adds_nothing = (rows["customer"] == "") & (rows["total"] == 0) & rows["timestamp"].isin(with_customer)
    rows = rows[~adds_nothing].reset_index(drop=True)
    return rows[["timestamp", "customer", "good", "total"]].astype({"good": "int64", "total": "int64"})


def actual_rows(counts, service: str, slo: str) -> pd.DataFrame:
    rows = counts.for_slo(service, slo)[["timestamp", "customer", "good", "total"]]
    return rows.sort_values(["customer", "timestamp"]).reset_index(drop=True)


def result(report, service: str, slo: str):
    return next(a.result for a in report.service(service).slos if a.result.slo == slo)


@pytest.mark.parametrize("service, slo", list(SLOS))
def test_every_step_matches_the_ground_truth(truth, fetched, service, slo):
    assert fetched.problems == {}
    expected = expected_rows(truth, service, slo).sort_values(["customer", "timestamp"]).reset_index(drop=True)
    pd.testing.assert_frame_equal(actual_rows(fetched, service, slo), expected, check_dtype=False)


def test_the_scenario_has_what_it_claims(truth, fetched):
    """Guards the guard: the data really holds a gap, a reset, idle steps and three customer groups."""
    rows = actual_rows(fetched, "checkout", "availability")
    acme = rows[rows["customer"] == "acme"].set_index("timestamp")
    gap_steps = pd.date_range(pd.Timestamp(GAP[0], unit="s", tz="UTC"), periods=53, freq="5min")
    assert not gap_steps.isin(acme.index).any()
    # the step that ends with the first sample after the gap carries all 4.5 hours of events
    after_gap = acme.loc[pd.Timestamp(GAP[1] - 300, unit="s", tz="UTC"), "total"]
    assert after_gap == truth.events_between(
        _name("http_requests_total", service="checkout", customer="acme"), GAP[0], GAP[1]
    )
    assert after_gap > 20 * acme["total"].median()
    assert pd.Timestamp(MISSED_SCRAPE - 300, unit="s", tz="UTC") not in acme.index
    assert (acme["total"] == 0).sum() == 12  # the idle hour: data, no traffic
    assert sorted(rows["customer"].unique()) == ["", "acme", "globex"]
    times, values = truth.samples(next(s for s in truth.series if s.labels.get("instance") == "b"))
    at_reset = times.tolist().index(CHECKOUT_RESETS[1])
    assert values[at_reset + 1] < values[at_reset] / 100  # instance b restarts while instance a keeps counting


@pytest.mark.parametrize("service, slo", list(SLOS))
def test_month_totals_are_the_true_event_counts(truth, report, service, slo):
    total_pick, other_pick, kind = SLOS[(service, slo)]
    total = truth.events_between(total_pick, WINDOW_START, WINDOW_END)
    other = truth.events_between(other_pick, WINDOW_START, WINDOW_END)
    counted = result(report, service, slo)
    assert (counted.total_events, counted.good_events) == (total, total - other if kind == "bad" else other)
    assert counted.status in ("met", "missed")


def test_incidents_on_both_month_edges_count_only_their_inside_part(truth, report):
    """acme's incident runs 03:30-04:30Z on Oct 1 and globex's 03:00-05:00Z on Nov 1; the New York
    month starts and ends at 04:00Z, so half of each falls inside."""
    counted = result(report, "checkout", "availability")
    errors = _name("http_requests_total", service="checkout", code="500")
    assert counted.budget.bad_events == truth.events_between(errors, WINDOW_START, WINDOW_END)
    inside_first_hour = truth.events_between(errors, WINDOW_START, WINDOW_START + 1800)
    before = truth.events_between(errors, WINDOW_START - 1800, WINDOW_START)
    assert inside_first_hour > 50 and before > 50  # the incident really straddles the edge


def test_daily_counts_follow_new_york_days(truth, report):
    zone = ZoneInfo("America/New_York")
    counted = result(report, "checkout", "availability")
    total_pick, bad_pick, _ = SLOS[("checkout", "availability")]
    assert len(counted.days) == 31
    for day in counted.days:
        start = int(datetime(day.day.year, day.day.month, day.day.day, tzinfo=zone).timestamp())
        end = int((datetime(day.day.year, day.day.month, day.day.day, tzinfo=zone) + timedelta(days=1)).timestamp())
        total = truth.events_between(total_pick, start, end)
        assert (day.total, day.good) == (total, total - truth.events_between(bad_pick, start, end)), day.day


def test_coverage_counts_the_missing_scrapes_as_no_data(report):
    steps = 31 * 288
    assert result(report, "checkout", "availability").coverage == pytest.approx((steps - 53 - 1) / steps)
    assert result(report, "search", "success").coverage == pytest.approx((steps - 11) / steps)


def test_the_report_equals_the_file_source_report_for_the_same_events(truth, report, engine, tmp_path: Path):
    frames = []
    for service, slo in SLOS:
        rows = expected_rows(truth, service, slo)
        rows.insert(1, "service", service)
        rows.insert(2, "slo", slo)
        frames.append(rows)
    events = pd.concat(frames)
    events["timestamp"] = events["timestamp"].dt.strftime("%Y-%m-%dT%H:%M:%SZ")
    events.to_csv(tmp_path / "events.csv", index=False)
    data = catalogue(engine)
    data["source"] = {"type": "file", "path": "events.csv", "step": "5m"}
    file_config, _ = parse_config(data, tmp_path)
    from_file = report_dict(build_month(file_config, source_for(file_config), OCTOBER, RUN_AT))
    from_prometheus = report_dict(report)
    assert from_prometheus.pop("source").startswith("Prometheus at http://127.0.0.1:")
    from_file.pop("source")
    from_prometheus["services"] = [s for s in from_prometheus["services"] if s["name"] != "ledger"]
    from_file["services"] = [s for s in from_file["services"] if s["name"] != "ledger"]
    assert from_prometheus == from_file


def test_hand_made_counter_gives_the_hand_computed_rows(engine, caplog):
    """Samples 0 7 7 19 | reset 4 9 | two missed scrapes | 30 31 40 40 41, every 5 minutes."""
    config, _ = parse_config(
        {
            "source": {"type": "prometheus", "url": engine},
            "services": [
                {
                    "name": "hand",
                    "slos": [
                        {
                            "name": "made",
                            "objective": 0.9,
                            "sli": {"total": 'hand_made_total{case="literal"}', "bad": "no_such_metric_total"},
                        }
                    ],
                }
            ],
        }
    )
    start = datetime(2024, 10, 2, tzinfo=UTC)
    counts = source_for(config).fetch(config, start, start + timedelta(hours=1))
    rows = counts.for_slo("hand", "made")
    minutes = ((rows["timestamp"] - pd.Timestamp(start)) // pd.Timedelta(minutes=1)).tolist()
    assert minutes == [0, 5, 10, 15, 20, 35, 40, 45, 50, 55]
    assert rows["total"].tolist() == [7, 0, 12, 4, 5, 21, 1, 9, 0, 1]
    assert rows["total"].sum() == 60 and (rows["good"] == rows["total"]).all()
    assert "hand/made: data for only 83.33% of the 12 steps; the steps without data count as no data" in caplog.text


def test_a_threshold_between_buckets_is_an_error_listing_the_bounds(engine):
    config = config_for(engine, threshold=0.3)
    counts = source_for(config).fetch(
        config, datetime.fromtimestamp(WINDOW_START, UTC), datetime.fromtimestamp(WINDOW_END, UTC)
    )
    assert list(counts.problems) == [("checkout", "latency")]
    assert (
        'threshold 0.3 is not a bucket bound of http_request_duration_seconds{service="checkout"}; '
        "its bounds are 0.1, 0.25, 1.0, +Inf; set threshold to one of them"
    ) in counts.problems[("checkout", "latency")]
    assert counts.for_slo("checkout", "latency").empty and not counts.for_slo("checkout", "availability").empty


def test_requests_split_under_the_points_limit_give_the_same_rows(engine, fetched):
    config = config_for(engine)
    small = PrometheusSource(max_points=1000)
    counts = small.fetch(config, datetime.fromtimestamp(FETCH_START, UTC), datetime.fromtimestamp(WINDOW_END, UTC))
    for service, slo in SLOS:
        pd.testing.assert_frame_equal(actual_rows(counts, service, slo), actual_rows(fetched, service, slo))


def test_without_customer_tiers_the_customers_are_summed(truth, engine):
    config = config_for(engine, customers=False)
    counts = source_for(config).fetch(
        config, datetime.fromtimestamp(FETCH_START, UTC), datetime.fromtimestamp(WINDOW_END, UTC)
    )
    for service, slo in SLOS:
        expected = expected_rows(truth, service, slo, customers=False)
        pd.testing.assert_frame_equal(actual_rows(counts, service, slo), expected, check_dtype=False)


def test_requests_do_not_grow_with_days(engine):
    """Ten days and thirteen days around the same gap (and no counter reset, which costs one
    request per step it happens in) cost the same number of requests."""
    config = config_for(engine)
    issued = []
    for start, end in (("2024-10-11", "2024-10-21"), ("2024-10-11", "2024-10-24")):
        source = PrometheusSource()
        source.fetch(
            config,
            datetime.fromtimestamp(epoch(start + "T00:00:00Z"), UTC),
            datetime.fromtimestamp(epoch(end + "T00:00:00Z"), UTC),
        )
        issued.append(source.stats.requests)
    assert issued[0] == issued[1]


def test_scrapes_off_the_step_grid_give_exact_days_and_month(truth, report):
    """ledger is scraped every minute, 30 s into each step: every count is a difference of two
    real samples, so the month and every day hold exactly the events between the samples that
    bound them (the sample at 00:04:30 closes a New York day's last step)."""
    counted = result(report, "ledger", "posted")
    entries = _name("ledger_entries_total")
    rejected = _name("ledger_entries_total", outcome="rejected")

    def between(
        pick, a, b
    ):  # the samples at a - 30 s and b - 30 s hold the events of the minutes before a - 60 s, b - 60 s
        return truth.events_between(pick, a - 60, b - 60)

    assert counted.total_events == between(entries, WINDOW_START, WINDOW_END)
    assert counted.budget.bad_events == between(rejected, WINDOW_START, WINDOW_END)
    for number, day in enumerate(counted.days):
        start = WINDOW_START + number * 86400
        assert day.total == between(entries, start, start + 86400), day.day
    assert counted.coverage == 1.0


EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "engines"


@pytest.mark.parametrize("example", sorted(p.name for p in EXAMPLES.glob("*.yaml")))
def test_each_engine_example_gives_the_true_month(truth, prometheus_url, victoria_url, example):
    """The README's example per engine, pointed at the real server (through the engine's test
    server where it cannot be installed here), counts October exactly."""
    from reports.config import load_config
    from tests.prom_engines import EngineServer

    config, warnings = load_config(EXAMPLES / example, strict=True)
    assert warnings == []
    kind = example.removesuffix(".yaml")
    upstream = victoria_url if kind.startswith("victoriametrics") else prometheus_url
    proxy = {"thanos": "thanos", "mimir": "mimir", "victoriametrics-cluster": "victoriametrics-cluster"}.get(kind)
    tenant = config.source.tenant or "team-a"
    with EngineServer(upstream, proxy or "none", tenant=tenant) as server:
        url = server.url if proxy else upstream
        config = config.model_copy(update={"source": config.source.model_copy(update={"url": url})})
        report = build_month(config, source_for(config), OCTOBER, RUN_AT)
    assert report.source_problems == ()
    for slo in ("availability", "latency"):
        total_pick, other_pick, kind_of_other = SLOS[("checkout", slo)]
        total = truth.events_between(total_pick, WINDOW_START, WINDOW_END)
        other = truth.events_between(other_pick, WINDOW_START, WINDOW_END)
        counted = result(report, "checkout", slo)
        assert (counted.total_events, counted.good_events) == (
            total,
            total - other if kind_of_other == "bad" else other,
        )
