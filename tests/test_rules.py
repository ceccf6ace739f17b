"""Prometheus rules out: `promtool check rules` accepts them, and over known data loaded into a
real Prometheus the alerting expressions (recording rules inlined, evaluated with query_range at
every step end of the month) fire exactly when the report's alert table says each pair fired."""

from __future__ import annotations

import re
import subprocess
from datetime import UTC, datetime

import numpy as np
import pytest
import requests
import yaml
from click.testing import CliRunner

from reports.cli import main
from reports.compute.burn import ALERT_PAIRS
from reports.compute.results import Firing
from reports.config import ConfigError, parse_config
from reports.pipeline import build_month
from reports.rules import prometheus_rules, rules_yaml
from reports.sources import source_for
from reports.window import Month, report_window
from tests.prom_servers import build_tsdb, need, prometheus
from tests.prom_truth import Target, Truth, epoch
from tests.test_specs import SPECS

OCTOBER = Month(2024, 10)
RUN_AT = datetime(2024, 11, 2, tzinfo=UTC)
STEP = 300

# Error shares of the api's requests (the rest of the time 0.02%): each period makes one pair fire.
ERROR_PERIODS = (
    ("2024-09-27T00:00:00Z", "2024-10-02T12:00:00Z", 0.0016),  # 1.6× for 3 days: 3d/6h, already at the start
    ("2024-10-05T10:00:00Z", "2024-10-05T10:40:00Z", 0.06),  # 60×: 1h/5m (and 6h/30m)
    ("2024-10-12T02:00:00Z", "2024-10-12T10:00:00Z", 0.009),  # 9×: 6h/30m, not 1h/5m
    ("2024-10-20T00:00:00Z", "2024-10-21T12:00:00Z", 0.0045),  # 4.5×: 1d/2h
    ("2024-10-31T20:00:00Z", "2024-11-01T01:00:00Z", 0.03),  # 30× until after the month: still firing at the end
)
SLOW = ("2024-10-15T10:00:00Z", "2024-10-15T11:00:00Z", 0.4)


def scenario() -> Truth:
    truth = Truth(epoch("2024-09-27T00:00:00Z"), epoch("2024-11-01T02:00:00Z"))
    rng = np.random.default_rng(14)
    minute = truth.start + 60 * np.arange(truth.minutes)
    share = np.full(truth.minutes, 0.0002)
    for begin, end, value in ERROR_PERIODS:
        share[(minute >= epoch(begin)) & (minute < epoch(end))] = value
    requests_ = rng.poisson(40, truth.minutes)
    errors = rng.binomial(requests_, share)
    scrape = Target()
    base = {"service": "api"}
    truth.add("api_requests_total", {**base, "code": "200"}, requests_ - errors, scrape)
    truth.add("api_requests_total", {**base, "code": "500"}, errors, scrape)
    slow_share = np.where((minute >= epoch(SLOW[0])) & (minute < epoch(SLOW[1])), SLOW[2], 0.001)
    slow = rng.binomial(requests_, slow_share)
    truth.add("api_request_duration_seconds_bucket", {**base, "le": "0.25"}, requests_ - slow, scrape)
    truth.add("api_request_duration_seconds_bucket", {**base, "le": "+Inf"}, requests_, scrape)
    truth.add("api_request_duration_seconds_count", base, requests_, scrape)
    return truth


def catalogue(url: str, **rules) -> dict:
    return {
        "title": "Rules",
        "timezone": "UTC",
        "source": {"type": "prometheus", "url": url, "step": "5m"},
        "rules": rules,
        "services": [
            {
                "name": "api",
                "slos": [
                    {
                        "name": "availability",
                        "objective": 0.999,
                        "sli": {"total": 'api_requests_total{service="api"}', "bad": 'api_requests_total{code="500"}'},
                    },
                    {
                        "name": "success",
                        "objective": 0.999,
                        "sli": {"total": "api_requests_total", "good": 'api_requests_total{code="200"}'},
                    },
                    {
                        "name": "latency",
                        "objective": 0.99,
                        "sli": {
                            "kind": "latency",
                            "histogram": 'api_request_duration_seconds{service="api"}',
                            "threshold": 0.25,
                        },
                    },
                ],
            }
        ],
    }


def promtool_check(tmp_path, text: str) -> subprocess.CompletedProcess:
    path = tmp_path / "rules.yaml"
    path.write_text(text)
    return subprocess.run([need("promtool", "prometheus"), "check", "rules", str(path)], capture_output=True, text=True)


@pytest.fixture(scope="module")
def prometheus_url(tmp_path_factory):
    folder = tmp_path_factory.mktemp("rules-prometheus")
    with prometheus(build_tsdb(scenario().openmetrics(), folder), folder) as url:
        yield url


def inlined(group: dict, alert: dict) -> str:
    """The alert's expression with each recorded error ratio replaced by the recording rule's own
    expression: what Prometheus computes once the recording rules have run."""
    records = {rule["record"]: rule["expr"] for rule in group["rules"] if "record" in rule}
    return re.sub(r"(slo_report:error_ratio:\w+)\{[^}]*\}", lambda m: f"({records[m[1]]})", alert["expr"])


def firing_runs(url: str, expr: str, start: datetime, end: datetime) -> tuple[Firing, ...]:
    """Evaluate ``expr`` at every step end in (start, end] and cut the firing evaluations into runs,
    as the report does: (first firing evaluation, first quiet evaluation, or the last if still firing)."""
    first, last = int(start.timestamp()) + STEP, int(end.timestamp())
    answer = requests.post(
        f"{url}/api/v1/query_range", data={"query": expr, "start": first, "end": last, "step": STEP}, timeout=60
    )
    answer.raise_for_status()
    result = answer.json()["data"]["result"]
    assert len(result) <= 1
    firing_at = {int(t) for t, _ in result[0]["values"]} if result else set()
    times = list(range(first, last + 1, STEP))
    runs, begin = [], None
    for t in times:
        if t in firing_at and begin is None:
            begin = t
        elif t not in firing_at and begin is not None:
            runs.append(Firing(datetime.fromtimestamp(begin, UTC), datetime.fromtimestamp(t, UTC), False))
            begin = None
    if begin is not None:
        runs.append(Firing(datetime.fromtimestamp(begin, UTC), datetime.fromtimestamp(times[-1], UTC), True))
    return tuple(runs)


def test_alerts_fire_exactly_when_the_report_says_each_pair_fired(prometheus_url, tmp_path):
    config, _ = parse_config(catalogue(prometheus_url))
    report = build_month(config, source_for(config), OCTOBER, RUN_AT)
    content, skipped = prometheus_rules(config)
    text = rules_yaml(content, "test")
    assert skipped == [] and promtool_check(tmp_path, text).returncode == 0
    groups = yaml.safe_load(text)["groups"]
    window = report_window(OCTOBER, "UTC")
    fired_pairs = set()
    for group, assessed in zip(groups, report.services[0].slos, strict=True):
        result = assessed.result
        assert result.status != "no data"
        alerts = [rule for rule in group["rules"] if "alert" in rule]
        assert len(alerts) == len(ALERT_PAIRS) == len(result.alerts)
        for alert, row in zip(alerts, result.alerts, strict=True):
            assert alert["labels"]["windows"] == f"{_name(row.long_window_minutes)}/{_name(row.short_window_minutes)}"
            runs = firing_runs(prometheus_url, inlined(group, alert), window.start, window.end)
            assert runs == row.firings, f"{result.slo} {alert['labels']['windows']}"
            if row.firings:
                fired_pairs.add((result.slo, alert["labels"]["windows"]))
    # The data makes every pair of the availability SLOs fire, and the latency SLO page: the comparison is not vacuous.
    assert {w for slo, w in fired_pairs if slo == "availability"} == {"1h/5m", "6h/30m", "1d/2h", "3d/6h"}
    assert {w for slo, w in fired_pairs if slo == "success"} == {"1h/5m", "6h/30m", "1d/2h", "3d/6h"}
    assert ("latency", "1h/5m") in fired_pairs
    availability = report.services[0].slos[0].result.alerts
    assert availability[3].firing_at_start and availability[0].firing_at_end


def _name(minutes: int) -> str:
    return {5: "5m", 30: "30m", 60: "1h", 120: "2h", 360: "6h", 1440: "1d", 4320: "3d"}[minutes]


def test_recording_rules_count_events_per_series_and_label_the_slo():
    config, _ = parse_config(
        catalogue(
            "http://p:9090",
            labels={"team": "platform"},
            severities={"page": "critical", "ticket": "warning"},
            runbook="https://runbooks.example.com/{service}/{slo}",
        )
    )
    groups, _ = prometheus_rules(config)
    availability, success, latency = groups["groups"]
    assert availability["name"] == "slo-report:api:availability"
    first = availability["rules"][0]
    assert first == {
        "record": "slo_report:error_ratio:5m",
        "expr": '(sum by () (increase(api_requests_total{code="500"}[5m])))\n/\n'
        '(sum by () (increase(api_requests_total{service="api"}[5m])))',
        "labels": {"team": "platform", "service": "api", "slo": "availability"},
    }
    assert [r["record"] for r in availability["rules"][:7]] == [
        f"slo_report:error_ratio:{w}" for w in ("5m", "30m", "1h", "2h", "6h", "1d", "3d")
    ]
    assert success["rules"][2]["expr"] == (
        '((sum by () (increase(api_requests_total[1h]))) - (sum by () (increase(api_requests_total{code="200"}[1h]))))'
        "\n/\n(sum by () (increase(api_requests_total[1h])))"
    )
    assert 'api_request_duration_seconds_bucket{service="api", le=~"0\\\\.25"}[5m]' in latency["rules"][0]["expr"]
    page = availability["rules"][7]
    assert page["alert"] == "SLOErrorBudgetBurn"
    assert page["expr"] == (
        'slo_report:error_ratio:1h{service="api", slo="availability"} / 0.001 > 14.4\nand\n'
        'slo_report:error_ratio:5m{service="api", slo="availability"} / 0.001 > 14.4'
    )
    assert page["labels"] == {
        "team": "platform",
        "service": "api",
        "slo": "availability",
        "severity": "critical",
        "windows": "1h/5m",
    }
    assert page["annotations"]["runbook_url"] == "https://runbooks.example.com/api/availability"
    assert [r["labels"]["severity"] for r in availability["rules"][7:]] == [
        "critical",
        "critical",
        "warning",
        "warning",
    ]
    assert [r["expr"].split(" > ")[1].split("\n")[0] for r in availability["rules"][7:]] == [
        "14.4",
        "6.0",
        "3.0",
        "1.0",
    ]
    assert latency["rules"][7]["expr"].startswith(
        'slo_report:error_ratio:1h{service="api", slo="latency"} / 0.01 > 14.4'
    )


def test_an_slo_runbook_overrides_the_catalogue_one_and_slos_without_promql_are_skipped(tmp_path):
    data = catalogue("http://p:9090", runbook="https://runbooks/{slo}")
    data["services"][0]["slos"][0]["runbook"] = "https://wiki/api-availability"
    data["services"][0]["slos"][0]["labels"] = {"tier": "1"}
    data["source"] = {"type": "file", "path": "e.csv"}
    data["services"].append({"name": "batch", "slos": [{"name": "runs", "objective": 0.95}]})
    config, _ = parse_config(data, tmp_path)
    content, skipped = prometheus_rules(config)
    assert skipped == [
        "batch/runs: no rules, its sli has no PromQL (kind ratio); add the sli's queries to generate them"
    ]
    first, second = content["groups"][0]["rules"][7], content["groups"][1]["rules"][7]
    assert (first["annotations"]["runbook_url"], first["labels"]["tier"]) == ("https://wiki/api-availability", "1")
    assert second["annotations"]["runbook_url"] == "https://runbooks/success"


def test_rules_command_writes_rules_promtool_accepts_for_the_imported_specs(tmp_path):
    output = tmp_path / "rules.yaml"
    result = CliRunner().invoke(main, ["rules", "--config", str(SPECS / "slo-report.yaml"), "--output", str(output)])
    assert result.exit_code == 0, result.output
    check = subprocess.run(
        [need("promtool", "prometheus"), "check", "rules", str(output)], capture_output=True, text=True
    )
    assert check.returncode == 0, check.stdout + check.stderr
    assert "SUCCESS: 44 rules found" in check.stdout  # 4 SLOs × (7 recording + 4 alerting)


def test_rules_for_imported_sloth_raw_queries_pass_promtool(tmp_path):
    catalogue_file = tmp_path / "slo-report.yaml"
    imported = CliRunner().invoke(main, ["import", "sloth", str(SPECS / "sloth"), "--output", str(catalogue_file)])
    assert imported.exit_code == 0, imported.output
    result = CliRunner().invoke(main, ["rules", "--config", str(catalogue_file)])
    assert result.exit_code == 0, result.output
    assert promtool_check(tmp_path, result.output).returncode == 0
    assert 'sum(increase(http_request_duration_seconds_count{job="model-api"}[3d]))' in result.output


def test_rule_labels_must_be_prometheus_label_names():
    data = catalogue("http://p:9090", severity_label="sev-erity")
    data["services"][0]["slos"][0]["labels"] = {"bad-name": "x"}
    with pytest.raises(ConfigError) as caught:
        parse_config(data)
    assert sorted(caught.value.problems) == [
        "rules.severity_label: 'sev-erity' is not a Prometheus label name; use letters, digits and _",
        "services[0].slos[0].labels: 'bad-name' is not a Prometheus label name; use letters, digits and _",
    ]
