"""Pieces of the Prometheus source that need no server: PromQL building and escaping, the
reconciliation of per-step rows with exact totals, and the source's configuration."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from reports.config import ConfigError, SloConfig, parse_config
from reports.sources import SourceError, source_for
from reports.sources.promclient import _fast_matrix, _matrix
from reports.sources.prometheus import EXACT_SUMS, Grid, PrometheusSource, packing_offset
from reports.sources.promql import (
    QueryPlanError,
    at,
    counter,
    duration,
    escape,
    fill,
    last_values,
    plan,
    samples,
    series,
    templates,
)
from reports.sources.reconcile import carry, gaps, increase, to_counts
from tests.conftest import catalogue
from tests.prom_servers import need


def slo(**sli) -> SloConfig:
    return SloConfig(name="availability", objective=0.999, sli=sli)


def test_label_values_are_escaped_as_promql_strings():
    assert escape('pay"ments\\eu') == 'pay\\"ments\\\\eu'
    assert escape("two\nlines") == "two\\nlines"


def test_durations_use_the_largest_whole_unit():
    assert [duration(timedelta(minutes=m)) for m in (5, 60, 90, 34 * 1440)] == ["5m", "1h", "90m", "34d"]
    assert duration(timedelta(days=31, hours=1)) == "745h"
    assert duration(timedelta(minutes=5) - timedelta(milliseconds=1)) == "299999ms"


def test_a_matcher_joins_the_selectors_own():
    assert (
        series('http_seconds{service="api"}', "_bucket", 'le="0.25"') == 'http_seconds_bucket{service="api", le="0.25"}'
    )
    assert series("http_seconds", "_count") == "http_seconds_count{}"
    assert series('http_seconds{a="}",}', "_count", 'le="1"') == 'http_seconds_count{a="}", le="1"}'
    with pytest.raises(QueryPlanError, match="is not a metric selector"):
        series('sum(http_seconds{a="b"})', "_count")


def test_ratio_queries_apply_increase_per_series_then_sum():
    queries = plan(
        "api", slo(total='http_requests_total{service="api"}', bad='http_requests_total{code=~"5.."}'), "customer"
    )
    assert (
        at(queries.total, timedelta(minutes=5))
        == 'sum by (customer) (increase(http_requests_total{service="api"}[5m]))'
    )
    assert queries.other == ("bad", 'sum by (customer) (increase(http_requests_total{code=~"5.."}[{{ window }}]))')
    assert queries.counters == ('http_requests_total{service="api"}', 'http_requests_total{code=~"5.."}')
    good = plan("api", slo(total="t_total", good='t_total{ok="1"}'), "")
    assert good.other == ("good", 'sum by () (increase(t_total{ok="1"}[{{ window }}]))')


@pytest.mark.parametrize(
    "sli, message",
    [
        ({"total": "t"}, "a ratio SLI needs total and exactly one of bad or good"),
        ({"total": "t", "bad": "b", "good": "g"}, "a ratio SLI needs total and exactly one of bad or good"),
        ({"kind": "latency", "histogram": "h"}, "a latency SLI needs histogram and threshold"),
        ({"kind": "raw", "total_query": "x"}, "a raw SLI needs total_query and good_query"),
        # An unknown placeholder never gets this far: validation refuses it (tests/test_config.py).
    ],
)
def test_incomplete_slis_say_what_is_missing(sli, message):
    with pytest.raises(QueryPlanError, match=message.replace("{", r"\{").replace("}", r"\}")):
        plan("api", slo(**sli), "")


def test_raw_queries_get_escaped_names_and_the_window():
    queries = plan(
        'pay"ments',
        slo(
            kind="raw",
            total_query='sum(increase(p_total{service="{{service}}"}[{{window}}]))',
            good_query='sum(increase(p_total{service="{{ service }}",slo="{{slo}}"}[{{window}}]))',
        ),
        "",
    )
    assert at(queries.total, timedelta(hours=1)) == 'sum(increase(p_total{service="pay\\"ments"}[1h]))'
    assert (
        at(queries.good, timedelta(hours=1)) == 'sum(increase(p_total{service="pay\\"ments",slo="availability"}[1h]))'
    )
    assert queries.counters is None


def test_a_latency_threshold_picks_its_bucket_as_the_server_spells_it():
    queries = plan("api", slo(kind="latency", histogram='h_seconds{job="api"}', threshold=1), "")
    assert (
        at(queries.boundaries, timedelta(days=1)) == 'count by (le) (count_over_time(h_seconds_bucket{job="api"}[1d]))'
    )
    assert at(queries.total, timedelta(minutes=5)) == 'sum by () (increase(h_seconds_count{job="api"}[5m]))'
    chosen = queries.with_boundary(["0.5", "1.0", "+Inf"])
    assert at(chosen.good, timedelta(minutes=5)) == 'sum by () (increase(h_seconds_bucket{job="api", le="1.0"}[5m]))'
    both = queries.with_boundary(["1", "1.0", "+Inf"])  # two client libraries, one bound
    assert (
        at(both.good, timedelta(minutes=5)) == 'sum by () (increase(h_seconds_bucket{job="api", le=~"1|1\\\\.0"}[5m]))'
    )
    with pytest.raises(QueryPlanError) as caught:
        queries.with_boundary(["0.25", "+Inf", "0.5", "2.5"])
    assert str(caught.value) == (
        'threshold 1 is not a bucket bound of h_seconds{job="api"}; '
        "its bounds are 0.25, 0.5, 2.5, +Inf; set threshold to one of them"
    )


def test_every_template_uses_only_known_placeholders():
    known = {"by", "total", "bad", "good", "bucket", "count", "buckets", "good_query", "total_query"}
    assert set(templates("ratio")) == {"total", "bad", "good"}
    assert set(templates("latency")) == {"good", "total", "boundaries"}
    assert set(templates("counter")) == {"step", "appear", "first", "vanish", "resets"}
    assert set(templates("raw")) == {"good", "total"}
    for kind in ("ratio", "latency", "raw"):
        for query in templates(kind).values():
            fill(query, dict.fromkeys(known, "x"), keep=("window",))


def test_gaps_are_the_runs_between_steps_with_data():
    present = np.array([1, 1, 0, 0, 1, 0, 1, 1], dtype=bool)
    assert gaps(present) == [(1, 4), (4, 6)]
    assert gaps(np.array([0, 1, 1, 0], dtype=bool)) == []


def test_increase_counts_each_rise_and_after_a_reset_the_new_value():
    assert increase(10.0, np.array([12.0, 12.0, 15.0])) == 5.0
    assert increase(10.0, np.array([12.0, 3.0, 7.0])) == 2.0 + 3.0 + 4.0  # restarted from 0 before 3
    assert increase(10.0, np.array([])) == 0.0


def test_events_outside_the_totals_rows_move_to_the_next_row():
    present = np.array([True, False, False, True, False])
    moved = carry(np.array([1.0, 2.0, np.nan, 4.0, 5.0]), present)
    np.testing.assert_array_equal(moved, [1.0, 0.0, 0.0, 4.0 + 2.0 + 5.0, 0.0])  # the last ones go to the last row


def test_rows_that_already_add_up_come_back_unchanged():
    np.testing.assert_array_equal(to_counts(np.array([7.0, 0.0, 12.0, 4.0]), 23), [7, 0, 12, 4])


def test_rows_are_held_to_the_exact_total_without_moving_any_by_more_than_one():
    counts = to_counts(np.array([10.4, 10.4, 10.4, 0.0]), 30.6)  # extrapolated values, true total 31
    assert counts.sum() == 31 and counts[3] == 0
    assert np.all(np.abs(counts - np.array([10.4, 10.4, 10.4, 0]) * 31 / 31.2) < 1)
    assert to_counts(np.array([0.0, 0.0, 0.0]), 4).tolist() == [1, 2, 1]  # nothing says when: spread, no spike
    assert to_counts(np.array([2.0, np.nan]), 2).tolist() == [2, 0]


def test_the_step_must_divide_the_range():
    start = datetime(2026, 10, 1, tzinfo=UTC)
    assert Grid.of(start, start + timedelta(days=1), timedelta(minutes=5)).count == 288
    with pytest.raises(
        SourceError, match="source.step: 7m does not divide the range 2026-10-01 00:00 to 2026-10-02 00:00 UTC"
    ):
        Grid.of(start, start + timedelta(days=1), timedelta(minutes=7))


def source_problems(**source) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        parse_config(catalogue(source={"type": "prometheus", **source}))
    return caught.value.problems


def test_a_prometheus_source_is_configured_with_its_defaults():
    slos = [{"name": "availability", "objective": 0.999, "sli": {"total": "requests_total", "bad": "errors_total"}}]
    config, warnings = parse_config(
        catalogue(
            source={"type": "prometheus", "url": "http://prometheus:9090/"}, services=[{"name": "api", "slos": slos}]
        )
    )
    source = config.source
    assert warnings == [] and source.url == "http://prometheus:9090"
    assert (source.step, source.timeout, source.max_concurrency) == (timedelta(minutes=5), timedelta(seconds=60), 4)
    assert (source.tls_verify, source.headers, source.bearer_token_env, source.basic_auth) == (True, {}, None, None)
    assert isinstance(source_for(config), PrometheusSource)


@pytest.mark.parametrize(
    "source, problem",
    [
        ({}, "source: a prometheus source needs a url; add url: http://prometheus:9090"),
        (
            {"url": "prometheus:9090"},
            "source.url: 'prometheus:9090' is not an http(s) URL; write e.g. http://prometheus:9090",
        ),
        (
            {"url": "http://u:hunter2@p:9090"},
            "source.url: the URL holds credentials; remove them and use basic_auth or bearer_token_env",
        ),
        (
            {"url": "http://p", "headers": {"Authorization": "Bearer hunter2"}},
            "source.headers: Authorization would put a secret in the YAML; use bearer_token_env or basic_auth instead",
        ),
        (
            {"url": "http://p", "bearer_token_env": "hunter2 token"},
            "source.bearer_token_env: is not an environment variable name (letters, digits and _); give the variable's name, "
            "e.g. PROM_TOKEN, not the secret itself",
        ),
        (
            {"url": "http://p", "bearer_token_env": "T", "basic_auth": {"username": "u", "password_env": "P"}},
            "source: bearer_token_env and basic_auth are both set; keep the one your server expects",
        ),
        ({"url": "http://p", "basic_auth": {"username": "u"}}, "source.basic_auth.password_env: is required; add it"),
        (
            {"url": "http://p", "ca_bundle": "ca.pem", "tls_verify": False},
            "source: ca_bundle is set but tls_verify is false; remove one of them",
        ),
        (
            {"url": "http://p", "max_concurrency": 0},
            "source.max_concurrency: 0 is out of range; it must be greater than or equal to 1",
        ),
        (
            {"url": "http://p", "timeout": "soon"},
            "source.timeout: 'soon' is not a duration; write a positive whole number and a unit, e.g. 5m, 1h or 3d",
        ),
    ],
)
def test_source_problems_name_the_key_and_never_repeat_a_secret(source, problem):
    problems = source_problems(**source)
    assert problems == [problem]
    assert "hunter2" not in problem


def test_a_missing_server_binary_skips_locally_and_fails_in_ci(monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(
        pytest.skip.Exception, match="promtool is not installed; install it with: apt-get install -y prometheus"
    ):
        need("promtool", "prometheus")
    monkeypatch.setenv("CI", "true")
    with pytest.raises(
        pytest.fail.Exception,
        match="victoria-metrics is not installed; install it with: apt-get install -y victoria-metrics",
    ):
        need("victoria-metrics", "victoria-metrics")


@pytest.mark.parametrize("closed, window", [(True, "299999ms"), (False, "5m")])
def test_a_counter_is_read_in_one_request_of_tagged_parts(closed, window):
    query = counter('x_total{a="b"}', "customer", timedelta(minutes=5), closed)
    assert query.startswith(
        f'label_replace(sum by (customer) (last_over_time(x_total{{a="b"}}[{window}]) - '
        f'last_over_time(x_total{{a="b"}}[{window}] offset 5m)), "slo_report_part", "step", "", "") or '
    )
    assert query.count(" or label_replace(") == 4 and "increase(" not in query and "rate(" not in query
    assert samples("x_total", timedelta(minutes=5), closed) == f"x_total[{'599999ms' if closed else '10m'}]"


def test_the_sum_and_count_of_last_values_are_packed_in_one_selector():
    query = last_values('x_total{a="b"}', "customer", timedelta(minutes=5), True, counted=True, offset=2**31)
    assert query == 'sum by (customer) (last_over_time(x_total{a="b"}[299999ms]) + 2147483648)'


def test_the_packing_offset_is_a_power_of_two_above_twice_the_largest_sum():
    """acme's two series peak at 700 and 300: sum 1,000 (10 bits), so the offset is 2^11 = 2,048,
    above 2 x 1,000; a step where both have values, 400 and 250, sums to 2 x 2,048 + 650 = 4,746,
    which reads back as 2 series and 650."""
    highest = {"acme": {(("i", "1"),): 700.0, (("i", "2"),): 300.0}, "globex": {(("i", "3"),): 999.0}}
    offset = packing_offset(highest)
    assert offset == 2048
    packed = 400.0 + offset + 250.0 + offset
    assert (packed // offset, packed - packed // offset * offset) == (2, 650)


@pytest.mark.parametrize(
    "highest, why",
    [
        ({"": {(("i", "1"),): 1.5, (("i", "2"),): 2.0}}, "not whole numbers"),
        ({"": {(("i", "1"),): -1.0, (("i", "2"),): 2.0}}, "negative"),
        ({"": {(("i", "1"),): float("nan"), (("i", "2"),): 2.0}}, "NaN"),
        ({"": {(("i", "1"),): EXACT_SUMS / 8, (("i", "2"),): 1.0}}, "3 x 2^51 is past 2^52"),
    ],
)
def test_values_that_cannot_be_packed_exactly_keep_the_separate_count(highest, why):
    assert packing_offset(highest) is None, why


@pytest.mark.parametrize(
    "body",
    [
        b'{"status":"success","data":{"resultType":"matrix","result":[]}}',
        b'{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"a":"x]],[\\"}"},'
        b'"values":[[1,"NaN"],[2.5,"+Inf"],[3,"-Inf"],[4,"1e-05"]]}]},"warnings":["w"]}',
        b'{"status":"success","isPartial":false,"data":{"resultType":"matrix","result":'
        b'[{"metric":{},"values":[[1.5,"3"]]}, {"metric":{"b":"c"},"values":[[1,"4"],[2,"5"]]}]}}',
        # whole numbers only (the faster reader): up to 2^53 - 1, across series
        b'{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"c":"a"},"values":'
        b'[[1727740800,"9007199254740991"],[1727741100,"4503599627370497"]]},'
        b'{"metric":{"c":"b"},"values":[[1727740800,"0"]]},{"metric":{"c":"d"},"values":[[1727741400,"12"]]}]}}',
    ],
)
def test_a_matrix_decoded_fast_equals_the_standard_decoding(body):
    fast = _fast_matrix(body)
    standard = json.loads(body)
    assert fast is not None
    assert {k: v for k, v in fast.items() if k != "data"} == {k: v for k, v in standard.items() if k != "data"}
    ours, theirs = _matrix(fast["data"], {}), _matrix(standard["data"], {})
    assert ours.keys() == theirs.keys()
    for key, (stamps, values) in theirs.items():
        np.testing.assert_array_equal(ours[key][0], stamps)
        np.testing.assert_array_equal(ours[key][1], values)


@pytest.mark.parametrize(
    "body",
    [
        b'{"status":"success","data":{"resultType":"mat',
        b'{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"a":"\xc3\xa9"},"values":[[1,"2"]]}]}}',
        b'{"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[[1,"2"],[2,"x"]]}]}}',
    ],
)
def test_an_answer_the_fast_decoding_cannot_read_goes_to_the_standard_decoder(body):
    assert _fast_matrix(body) is None
