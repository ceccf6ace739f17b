"""The source against Thanos, Mimir, Prometheus 3 and a VictoriaMetrics cluster, as their HTTP APIs
are documented (tests/prom_engines.py), in front of the real servers of the ground-truth tests:
exact figures, or a clear error naming the query."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

import numpy as np
import pytest

from reports.config import parse_config
from reports.export import report_dict
from reports.pipeline import build_month
from reports.sources import SourceError, source_for
from reports.sources.promclient import PromClient
from reports.window import Month
from tests.prom_engines import RANGE, UNITS, EngineServer
from tests.prom_scrapes import SHORT
from tests.test_prometheus_exact import (
    RUN_AT,
    SLOS,
    catalogue,
    dense,
    expected,
    october,
)

pytestmark = pytest.mark.slow  # every test here starts or asks a real Prometheus or VictoriaMetrics


def month(url: str, **source):
    data = catalogue(url)
    data["source"].update(source)
    config, warnings = parse_config(data)
    assert warnings == []
    return build_month(config, source_for(config), Month(2024, 10), RUN_AT)


def detected(url: str, **source):
    data = catalogue(url)
    data["source"].update(source)
    return PromClient(parse_config(data)[0].source).detect(RUN_AT.timestamp())


def same_figures(report, reference) -> None:
    """Every figure of the report equals the one read straight from the real server."""
    ours, theirs = report_dict(report), report_dict(reference)
    for entry in (ours, theirs):
        entry.pop("source"), entry.pop("generated_at", None)
    assert ours == theirs


def test_mimir_needs_its_prefix_and_tenant_and_splits_queries_longer_than_768h(exact_prometheus_url):
    reference = october(exact_prometheus_url, "UTC")
    with EngineServer(exact_prometheus_url, "mimir") as mimir:
        report = month(mimir.url, tenant="team-a")
        assert detected(mimir.url, tenant="team-a").name == "mimir"
    assert report.source_problems == ()
    same_figures(report, reference)
    assert all(seen.headers.get("X-Scope-OrgID") == "team-a" for seen in mimir.seen)
    ranges = [s.form for s in mimir.queries() if "start" in s.form]
    # October and the three days before it are 816h: each reading of a counter takes two requests
    assert set(Counter(r["query"] for r in ranges).values()) == {2}
    for form in ranges:
        longest = max(int(m[1]) * UNITS[m[2]] for m in RANGE.finditer(form["query"]))
        assert float(form["end"]) - float(form["start"]) + longest <= 768 * 3600


def test_mimir_without_the_tenant_is_one_clear_error(exact_prometheus_url):
    with EngineServer(exact_prometheus_url, "mimir") as mimir, pytest.raises(SourceError, match="HTTP 401"):
        month(mimir.url)


def test_a_mimir_limit_set_lower_than_the_servers_is_split_further(exact_prometheus_url):
    reference = october(exact_prometheus_url, "UTC")
    with EngineServer(exact_prometheus_url, "mimir", max_length=240 * 3600) as mimir:
        report = month(mimir.url, tenant="team-a", max_query_length="240h")
    same_figures(report, reference)
    assert all(s.path.endswith(("buildinfo", "stores", "/query", "/query_range")) for s in mimir.seen)


def test_mimir_refusing_a_query_names_the_limit_and_the_query(exact_prometheus_url):
    with EngineServer(exact_prometheus_url, "mimir", max_length=240 * 3600) as mimir:
        report = month(mimir.url, tenant="team-a")  # the source assumes 768h; this server allows 240h
    assert len(report.source_problems) == 3
    assert "err-mimir-max-query-length" in report.source_problems[0]
    assert "query: the counter parts (queries/counter.promql) of" in report.source_problems[0]


def test_thanos_is_asked_for_deduplicated_raw_complete_answers(exact_prometheus_url):
    reference = october(exact_prometheus_url, "UTC")
    with EngineServer(exact_prometheus_url, "thanos") as thanos:
        report = month(thanos.url)
    same_figures(report, reference)
    for seen in thanos.queries():
        assert (seen.form["partial_response"], seen.form["dedup"], seen.form["max_source_resolution"]) == (
            "false",
            "true",
            "0s",
        )


def test_thanos_with_a_store_down_is_a_problem_not_a_smaller_month(exact_prometheus_url):
    with EngineServer(exact_prometheus_url, "thanos", store_down=True) as thanos:
        report = month(thanos.url)
    assert len(report.source_problems) == 3
    assert all("store-b:10901" in problem and "query:" in problem for problem in report.source_problems)


def test_warnings_are_errors_even_when_partial_answers_were_asked_for(exact_prometheus_url):
    with EngineServer(exact_prometheus_url, "thanos", store_down=True) as thanos:
        data = catalogue(thanos.url)
        data["source"]["engine"] = "prometheus"  # told the wrong engine: no partial_response=false is sent
        config, _ = parse_config(data)
        report = build_month(config, source_for(config), Month(2024, 10), RUN_AT)
    assert len(report.source_problems) == 3
    assert "the server answered with warnings, so the data may be partial" in report.source_problems[0]


def test_prometheus_3_ranges_are_left_open_and_the_counts_stay_exact(scrapes, exact_prometheus_url):
    start, end, step = SHORT[0], SHORT[1], 300
    with EngineServer(exact_prometheus_url, "prometheus3") as p3:
        config, _ = parse_config(catalogue(p3.url))
        engine = detected(p3.url)
        assert (engine.name, engine.version, engine.left_open) == ("prometheus", "3.1.0", True)
        counts = source_for(config).fetch(config, datetime.fromtimestamp(start, UTC), datetime.fromtimestamp(end, UTC))
        report = month(p3.url)
    assert counts.problems == {}
    for (service, slo), (total_pick, _) in SLOS.items():
        np.testing.assert_array_equal(
            dense(counts, service, slo, start, end, step, "total"), expected(scrapes, total_pick, start, end, step)
        )
    same_figures(report, october(exact_prometheus_url, "UTC"))


def test_the_closed_range_probe_tells_prometheus_2_from_3(exact_prometheus_url):
    engine = detected(exact_prometheus_url)
    assert (engine.name, engine.left_open, engine.max_points) == ("prometheus", False, 11_000)


def test_victoriametrics_cluster_partial_answers_are_refused(exact_victoria_url):
    with EngineServer(exact_victoria_url, "victoriametrics-cluster") as cluster:
        engine = detected(cluster.url)
        assert (engine.name, engine.left_open, engine.max_points) == ("victoriametrics", True, 30_000)
        report = month(cluster.url)
        assert report.source_problems == ()
        assert all(s.form.get("deny_partial_response") == "1" for s in cluster.queries())
        cluster.store_down = True
        with pytest.raises(SourceError, match="cannot reach vmstorage-b:8401"):  # every SLO refused: nothing written
            month(cluster.url)
        told_wrong = month(cluster.url, engine="prometheus")  # no deny_partial_response: the answer says isPartial
    same_figures(report, october(exact_victoria_url, "UTC"))
    assert len(told_wrong.source_problems) == 3
    assert "isPartial" in told_wrong.source_problems[0]
