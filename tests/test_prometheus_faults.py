"""The Prometheus source when the server misbehaves, and the HTTP contract it keeps.

A fake server (tests/prom_fake.py) counts ``rate × window`` events, so per 5-minute step:
api/availability 1200 requests, 1 error; api/latency 1200 requests, 1194 fast; web/availability
300 requests, 30 errors.
"""

from __future__ import annotations

import json
import logging
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from reports.cli import main
from reports.config import parse_config
from reports.pipeline import build_month
from reports.sources import SourceError
from reports.sources.promclient import PromClient, PromError
from reports.sources.prometheus import PrometheusSource
from reports.window import Month
from tests.prom_fake import FakePrometheus
from tests.prom_servers import free_port

pytestmark = pytest.mark.slow

START = datetime(2026, 10, 1, tzinfo=UTC)
END = START + timedelta(days=1)
RATES = {
    "api_requests_total": 4.0,
    "api_errors_total": 1 / 300,
    "api_duration_seconds_count": 4.0,
    "api_duration_seconds_bucket": 3.98,
    "web_requests_total": 1.0,
    "web_errors_total": 0.1,
}
AVAILABILITY = 'api_requests_total{job="api"}'


def config_for(url: str, services: int = 0, customers: str | None = None, **source):
    """api and web (plus ``services`` copies of web); ``customers`` names the customer label and
    puts every SLO under an SLA, so that counts are kept per customer."""
    data = {
        "timezone": "UTC",
        "source": {"type": "prometheus", "url": url, "step": "5m", **source},
        "services": [
            {
                "name": "api",
                "slos": [
                    {
                        "name": "availability",
                        "objective": 0.999,
                        "sli": {"total": AVAILABILITY, "bad": 'api_errors_total{job="api"}'},
                    },
                    {
                        "name": "latency",
                        "objective": 0.99,
                        "sli": {"kind": "latency", "histogram": 'api_duration_seconds{job="api"}', "threshold": 0.25},
                    },
                ],
            },
            {
                "name": "web",
                "slos": [
                    {
                        "name": "availability",
                        "objective": 0.99,
                        "sli": {"total": "web_requests_total", "bad": "web_errors_total"},
                    }
                ],
            },
        ],
    }
    data["services"] += [
        {
            "name": f"extra-{i}",
            "slos": [
                {
                    "name": "availability",
                    "objective": 0.99,
                    "sli": {"total": f'web_requests_total{{copy="{i}"}}', "bad": "web_errors_total"},
                }
            ],
        }
        for i in range(services)
    ]
    if customers:
        data["customers"] = {"label": customers, "default_tier": "standard", "tiers": {"standard": {"objective": 0.99}}}
        for service in data["services"]:
            for slo in service["slos"]:
                slo["sla"] = True
    config, warnings = parse_config(data)
    assert warnings == []
    return config


def fetch(
    fake: FakePrometheus,
    start=START,
    end=END,
    attempts: int = 3,
    services: int = 0,
    customers: str | None = None,
    **source,
):
    config = config_for(fake.url, services, customers, **source)
    counts = PrometheusSource(attempts=attempts, backoff=0.01).fetch(config, start, end)
    return counts


def totals(counts, service: str, slo: str) -> tuple[int, int, int]:
    rows = counts.for_slo(service, slo)
    return len(rows), int(rows["good"].sum()), int(rows["total"].sum())


def test_a_healthy_server_gives_every_step_of_every_slo():
    with FakePrometheus(RATES) as fake:
        counts = fetch(fake)
    assert counts.problems == {}
    assert totals(counts, "api", "availability") == (288, 288 * 1199, 288 * 1200)
    assert totals(counts, "api", "latency") == (288, 288 * 1194, 288 * 1200)
    assert totals(counts, "web", "availability") == (288, 288 * 270, 288 * 300)
    # the check (a query, buildinfo, /api/v1/stores, the range-edge probe, /metrics), then two requests per
    # counter (4 per SLO: the continuity check and the last values); latency also asks for its bucket bounds
    assert len(fake.seen) == 5 + 4 * 3 + 1


def test_every_call_is_a_form_post_with_an_explicit_evaluation_time():
    with FakePrometheus(RATES) as fake:
        fetch(fake)
    discovery = {"/api/v1/status/buildinfo", "/api/v1/stores", "/metrics"}
    assert {seen.path for seen in fake.seen if seen.method == "GET"} == discovery
    for seen in fake.seen:
        if seen.path in discovery:
            continue
        assert seen.method == "POST" and seen.content_type == "application/x-www-form-urlencoded"
        if seen.path == "/api/v1/query":  # the range-edge probe is evaluated on a whole 10 s
            assert float(seen.form["time"]) in (END.timestamp(), END.timestamp() // 10 * 10)
        else:  # a counter's continuity check (one day per step), or its last values (from the step before)
            assert seen.path == "/api/v1/query_range"
            assert (float(seen.form["start"]), float(seen.form["end"]), seen.form["step"]) in (
                (END.timestamp(), END.timestamp(), "86400"),
                (START.timestamp(), END.timestamp(), "300"),
            )


def test_a_server_that_is_down_is_one_clear_error():
    url = f"http://127.0.0.1:{free_port()}"
    config = config_for(url)
    with pytest.raises(SourceError) as caught:
        PrometheusSource(attempts=2, backoff=0.01).fetch(config, START, END)
    message = str(caught.value)
    assert message.startswith(f"source.url {url}: cannot connect (")
    assert "Connection refused" in message and "gave up after 2 attempts" in message
    assert "check that the server is running" in message and "\n" not in message


def test_asking_a_server_that_is_down_for_its_oldest_sample_says_what_was_asked():
    url = f"http://127.0.0.1:{free_port()}"
    with pytest.raises(SourceError) as caught:
        PrometheusSource(attempts=2, backoff=0.01).oldest(config_for(url), END)
    message = str(caught.value)
    assert message.startswith(f"source.url {url}: asking for the oldest sample it holds: cannot connect (")
    assert "check that the server is running" in message and "\n" not in message


@pytest.mark.parametrize("engine", ["victoriametrics", "thanos", "mimir", "prometheus"])
def test_the_oldest_sample_is_unknown_where_the_engine_does_not_say(engine):
    """Only Prometheus exposes prometheus_tsdb_lowest_timestamp, and this fake (as Prometheus) has no /metrics."""
    with FakePrometheus(RATES) as fake:
        assert PrometheusSource().oldest(config_for(fake.url, engine=engine), END) is None
        metrics = [seen for seen in fake.seen if seen.path == "/metrics"]
    assert len(metrics) == (1 if engine == "prometheus" else 0)


def test_a_slow_server_times_out_with_the_fix_in_the_message():
    with FakePrometheus(RATES) as fake:
        fake.fail("vector(1)", "slow", seconds=1.5)
        with pytest.raises(
            SourceError, match=r"no answer within 1 s; gave up after 2 attempts; .*raise source.timeout"
        ):
            fetch(fake, attempts=2, timeout="1s")


def test_one_slow_query_costs_only_its_slo():
    with FakePrometheus(RATES) as fake:
        fake.fail("web_requests_total", "slow", seconds=1.5)
        counts = fetch(fake, attempts=2, timeout="1s")
    assert list(counts.problems) == [("web", "availability")]
    assert counts.problems[("web", "availability")].startswith(
        "Prometheus did not answer the total query of web/availability: no answer within 1 s; gave up after 2 attempts"
    )
    assert totals(counts, "api", "availability") == (288, 288 * 1199, 288 * 1200)


def test_5xx_then_recovery_gives_the_full_counts():
    with FakePrometheus(RATES) as fake:
        fake.fail(AVAILABILITY, "503", times=2)
        counts = fetch(fake)
    assert counts.problems == {}
    assert totals(counts, "api", "availability") == (288, 288 * 1199, 288 * 1200)
    assert len(fake.queries(AVAILABILITY)) == 2 + 2  # two refused, then the counter's two requests


def test_5xx_that_never_ends_marks_the_slo_with_the_status():
    with FakePrometheus(RATES) as fake:
        fake.fail("web_errors_total", "503")
        counts = fetch(fake)
    assert counts.problems[("web", "availability")].startswith(
        "Prometheus did not answer the bad query of web/availability: HTTP 503 Service Unavailable: "
        "'upstream overloaded'; gave up after 3 attempts"
    )
    assert len(counts.problems) == 1


def test_429_is_retried_after_the_servers_retry_after():
    pauses = []
    with FakePrometheus(RATES) as fake:
        fake.fail("vector(1)", "429", times=1)
        client = PromClient(config_for(fake.url).source, attempts=3, backoff=0.01, sleep=pauses.append)
        assert client.instant("vector(1)", END.timestamp()) == {(): 1.0}
    assert pauses == [1.0]


def test_malformed_json_marks_only_that_slo_as_no_data():
    with FakePrometheus(RATES) as fake:
        fake.fail("api_duration_seconds_count", "malformed")
        config = config_for(fake.url)
        report = build_month(config, PrometheusSource(attempts=2, backoff=0.01), Month(2026, 10), END)
    latency = report.service("api").slos[1].result
    assert latency.status == "no data" and latency.sli is None and latency.total_events == 0
    assert latency.no_data_reason.startswith(
        "Prometheus failed on the total query of api/latency: the answer is not JSON"
    )
    assert latency.no_data_reason.endswith(
        'query: the counter parts (queries/counter.promql) of api_duration_seconds_count{job="api"}'
    )
    assert report.service("api").slos[0].result.status == "met"
    assert report.service("web").slos[0].result.total_events == 31 * 288 * 300
    assert report.source_problems == (latency.no_data_reason,)


def test_the_cli_writes_the_report_marks_the_slo_and_exits_1(tmp_path: Path):
    with FakePrometheus(RATES) as fake:
        fake.fail("web_errors_total", "bad_data")
        data = {
            "source": {"type": "prometheus", "url": fake.url},
            "services": [
                {
                    "name": "api",
                    "slos": [
                        {
                            "name": "availability",
                            "objective": 0.999,
                            "sli": {"total": AVAILABILITY, "bad": "api_errors_total"},
                        }
                    ],
                },
                {
                    "name": "web",
                    "slos": [
                        {
                            "name": "availability",
                            "objective": 0.99,
                            "sli": {"total": "web_requests_total", "bad": "web_errors_total"},
                        }
                    ],
                },
            ],
        }
        (tmp_path / "slo-report.yaml").write_text(yaml.safe_dump(data))
        run = CliRunner().invoke(
            main,
            [
                "run",
                "--config",
                str(tmp_path / "slo-report.yaml"),
                "--month",
                "2026-10",
                "--output",
                str(tmp_path / "out"),
            ],
        )
    assert run.exit_code == 1
    assert "error: Prometheus failed on the bad query of web/availability: bad_data:" in run.output
    report = json.loads((tmp_path / "out/2026-10/report.json").read_text())
    statuses = {s["name"]: s["slos"][0]["status"] for s in report["services"]}
    assert statuses == {"api": "met", "web": "no data"}


def test_a_promql_error_names_service_slo_and_query_and_is_not_retried():
    with FakePrometheus(RATES) as fake:
        fake.fail("web_errors_total", "bad_data")
        counts = fetch(fake)
    assert counts.problems == {
        ("web", "availability"): (
            "Prometheus failed on the bad query of web/availability: bad_data: 1:13: parse error: unexpected character "
            "inside braces: '!'; query: the counter parts (queries/counter.promql) of web_errors_total"
        )
    }
    assert len(fake.queries("web_errors_total")) == 1


def test_an_empty_result_is_no_data_never_a_silent_100_percent():
    with FakePrometheus(RATES) as fake:
        fake.fail("web_requests_total", "empty")
        config = config_for(fake.url)
        report = build_month(config, PrometheusSource(attempts=2, backoff=0.01), Month(2026, 10), END)
    web = report.service("web").slos[0].result
    assert (web.status, web.sli, web.coverage) == ("no data", None, 0.0)
    assert web.no_data_reason == (
        "no series matched the total query of web/availability; check the metric name and "
        "labels; query: the counter parts (queries/counter.promql) of web_requests_total"
    )
    assert report.service("api").slos[0].result.status == "met"


def test_a_good_query_without_series_is_a_problem_not_a_month_of_bad_events():
    with FakePrometheus(
        {k: v for k, v in RATES.items() if k != "api_duration_seconds_bucket"}, bounds=("0.25",)
    ) as fake:
        counts = fetch(fake)
    assert counts.problems[("api", "latency")].startswith("no series matched the good query of api/latency")


def test_a_server_that_stops_answering_after_the_check_is_one_error():
    with FakePrometheus(RATES) as fake:
        fake.fail("last_over_time", "503")
        with pytest.raises(
            SourceError,
            match=r"^source.url http://127.0.0.1:\d+: the server stopped answering; no SLO could be counted",
        ):
            fetch(fake, attempts=2)


def test_a_url_that_is_not_a_prometheus_api_says_so():
    with FakePrometheus(RATES) as fake:
        fake.fail("vector(1)", "not_prometheus")
        with pytest.raises(
            SourceError, match=r"the answer is not JSON .*check that url points at the Prometheus HTTP API"
        ):
            fetch(fake)


def test_query_range_is_split_so_no_request_exceeds_11000_points():
    end = START + timedelta(days=10)
    with FakePrometheus(RATES) as fake:
        counts = fetch(fake, end=end, step="1m")
    assert totals(counts, "web", "availability") == (14_400, 14_400 * 54, 14_400 * 60)
    ranges = [s.form for s in fake.queries("web_requests_total") if s.form.get("step") == "60"]
    points = [round((float(r["end"]) - float(r["start"])) / 60) + 1 for r in ranges]
    assert points == [11_000, 3_401]  # from the end of the step before the range
    assert float(ranges[1]["start"]) == float(ranges[0]["end"]) + 60


def test_requests_in_flight_never_exceed_max_concurrency():
    with FakePrometheus(RATES, delay=0.05) as fake:
        fetch(fake, services=10, max_concurrency=3)
    assert fake.max_in_flight == 3


def test_requests_grow_with_slos_not_with_customers_or_days():
    def requests(customers: int, days: int, services: int) -> int:
        with FakePrometheus(RATES, customers=tuple(f"c{i}" for i in range(customers))) as fake:
            counts = fetch(fake, end=START + timedelta(days=days), services=services, customers="customer")
            assert counts.problems == {}
            return len(fake.seen)

    assert requests(2, 2, 0) == requests(20, 20, 0) == 18
    assert requests(2, 2, 10) == 18 + 10 * 4


def test_slos_under_an_sla_keep_the_customer_label_and_series_without_it_count_under_empty():
    with FakePrometheus(RATES, customers=("acme", "", "globex")) as fake:
        counts = fetch(fake, customers="tenant")
        # one series per customer: each series' last values, grouped by tenant here
        assert any(s.form.get("query") == "last_over_time(web_requests_total[5m])" for s in fake.seen)
    rows = counts.for_slo("web", "availability")
    assert sorted(rows["customer"].unique()) == ["", "acme", "globex"]
    assert rows.groupby("customer")["total"].sum().tolist() == [288 * 300] * 3


def test_without_an_sla_the_customers_are_summed_on_the_server():
    with FakePrometheus(RATES, customers=("acme", "", "globex")) as fake:
        counts = fetch(fake)
        assert not [
            s for s in fake.seen if "tenant" in s.form.get("query", "") or "customer" in s.form.get("query", "")
        ]
    rows = counts.for_slo("web", "availability")
    assert rows["customer"].unique().tolist() == [""] and rows["total"].sum() == 3 * 288 * 300


def test_headers_and_the_bearer_token_are_sent_but_never_shown(monkeypatch, caplog):
    monkeypatch.setenv("PROM_TOKEN", "s3cr3t-t0ken")
    caplog.set_level(logging.DEBUG)
    with FakePrometheus(RATES) as fake:
        fetch(fake, headers={"X-Scope-OrgID": "team-a"}, bearer_token_env="PROM_TOKEN")
        assert all(
            s.headers["Authorization"] == "Bearer s3cr3t-t0ken" and s.headers["X-Scope-OrgID"] == "team-a"
            for s in fake.seen
        )
        fake.fail("vector(1)", "401")
        with pytest.raises(SourceError) as caught:
            fetch(fake, bearer_token_env="PROM_TOKEN")
    assert "HTTP 401: the server refused the credentials; check bearer_token_env or basic_auth" in str(caught.value)
    assert "s3cr3t" not in str(caught.value) and "s3cr3t" not in caplog.text


def test_answers_come_uncompressed_unless_compression_is_asked_for():
    """Gzip costs Prometheus about three times the CPU of answering; asked for, the counts are the same."""
    with FakePrometheus(RATES) as fake:
        plain = fetch(fake)
        assert {s.headers.get("Accept-Encoding") for s in fake.seen} == {"identity"}
        fake.seen.clear()
        compressed = fetch(fake, compression=True)
        assert all("gzip" in s.headers.get("Accept-Encoding", "") for s in fake.seen)
    assert totals(compressed, "web", "availability") == totals(plain, "web", "availability") != (0, 0, 0)


def test_basic_auth_password_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv("PROM_PASSWORD", "pa55")
    with FakePrometheus(RATES) as fake:
        fetch(fake, basic_auth={"username": "reports", "password_env": "PROM_PASSWORD"})
    assert fake.seen[0].headers["Authorization"] == "Basic cmVwb3J0czpwYTU1"  # base64("reports:pa55")


def test_a_missing_secret_names_the_variable(monkeypatch):
    monkeypatch.delenv("PROM_TOKEN", raising=False)
    with pytest.raises(
        SourceError, match="source.bearer_token_env: the environment variable PROM_TOKEN is not set or empty"
    ):
        PrometheusSource().fetch(config_for("http://127.0.0.1:9", bearer_token_env="PROM_TOKEN"), START, END)


@pytest.fixture(scope="module")
def certificate(tmp_path_factory) -> tuple[str, str]:
    folder = tmp_path_factory.mktemp("tls")
    try:
        subprocess.run(
            [
                "openssl",
                "req",
                "-x509",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-days",
                "2",
                "-subj",
                "/CN=127.0.0.1",
                "-addext",
                "subjectAltName=IP:127.0.0.1",
                "-keyout",
                str(folder / "key.pem"),
                "-out",
                str(folder / "cert.pem"),
            ],
            check=True,
            capture_output=True,
        )
    except FileNotFoundError:
        pytest.skip("openssl is not installed; install it with: apt-get install -y openssl")
    return str(folder / "cert.pem"), str(folder / "key.pem")


@pytest.mark.filterwarnings("ignore::urllib3.exceptions.InsecureRequestWarning")
def test_tls_is_verified_against_the_ca_bundle(certificate):
    with FakePrometheus(RATES, certificate=certificate) as fake:
        assert fetch(fake, ca_bundle=certificate[0]).problems == {}
        assert fetch(fake, tls_verify=False).problems == {}
        with pytest.raises(
            SourceError, match=r": TLS failed \(.*certificate verify failed.*\); set source.ca_bundle"
        ) as caught:
            fetch(fake)
    assert "gave up" not in str(caught.value)  # a certificate does not get better by asking again


def test_a_missing_ca_bundle_is_named(tmp_path: Path):
    with pytest.raises(SourceError, match=r"source.ca_bundle: .*nope.pem does not exist"):
        PrometheusSource().fetch(config_for("https://127.0.0.1:9", ca_bundle=str(tmp_path / "nope.pem")), START, END)


def test_the_client_reports_a_query_error_without_retrying():
    with FakePrometheus(RATES) as fake:
        fake.fail("broken", "bad_data")
        client = PromClient(config_for(fake.url).source, attempts=4, backoff=0.01)
        with pytest.raises(PromError) as caught:
            client.instant("broken(", END.timestamp())
    assert caught.value.reachable and str(caught.value).startswith("bad_data: ")
    assert len(fake.seen) == 1


class _NoLabelOnErrors(FakePrometheus):
    """An error counter without the customer label: its events must not vanish per customer."""

    def _groups(self, query, per_step):
        groups = super()._groups(query, per_step)
        if "errors_total" in query:
            part = {"slo_report_part": "step"} if "slo_report_part" in query else {}
            return [(part, sum(v for _, v in groups))] if groups else []
        return groups

    def _continuous(self, query, at):
        found = super()._continuous(query, at)
        if not found or "errors_total" not in query:
            return found
        if "resets(" in query or not query.startswith(("sum", "label_replace")):  # the check, or the bound
            return [({k: v for k, v in labels.items() if k not in ("customer", "tenant")}, v) for labels, v in found]
        last = [value for labels, value in found if labels.get("slo_report_part") != "count"]
        if "slo_report_part" not in query:  # packed: each customer's value already carries its offset
            return [({}, sum(last))]
        return [({"slo_report_part": "last"}, sum(last)), ({"slo_report_part": "count"}, float(len(last)))]


def test_a_bad_counter_without_the_customer_label_is_a_problem_not_a_silent_100_percent():
    start = datetime(2026, 10, 1, tzinfo=UTC)
    with _NoLabelOnErrors({"api_requests_total": 4.0, "api_errors_total": 0.4}, customers=("acme", "globex")) as fake:
        config, _ = parse_config(
            {
                "source": {"type": "prometheus", "url": fake.url, "step": "5m"},
                "customers": {
                    "default_tier": "std",
                    "tiers": {"std": {"objective": 0.99, "sla": 0.99, "credits": {0.99: 10}}},
                },
                "services": [
                    {
                        "name": "api",
                        "slos": [
                            {
                                "name": "availability",
                                "objective": 0.999,
                                "sla": True,
                                "sli": {"total": 'api_requests_total{job="api"}', "bad": 'api_errors_total{job="api"}'},
                            }
                        ],
                    }
                ],
            }
        )
        counts = PrometheusSource(attempts=1).fetch(config, start, start + timedelta(days=1))
    assert counts.frame.empty
    assert counts.problems[("api", "availability")].startswith(
        "the bad query of api/availability has customers the total query lacks ('';"
    )


@pytest.mark.parametrize("value", ["NaN", "+Inf"])
def test_a_non_finite_count_is_a_problem_naming_service_slo_and_query_and_the_run_exits_1(tmp_path: Path, value):
    """NaN used to make the SLO a quiet "no data" with exit 0 (so run --send mailed it) and +Inf
    crashed with an OverflowError; both are a per-SLO problem now, the other SLOs kept."""
    with FakePrometheus(RATES) as fake:
        fake.fail("web_errors_total", value)
        data = {
            "source": {"type": "prometheus", "url": fake.url},
            "services": [
                {
                    "name": "api",
                    "slos": [
                        {
                            "name": "availability",
                            "objective": 0.999,
                            "sli": {"total": AVAILABILITY, "bad": "api_errors_total"},
                        }
                    ],
                },
                {
                    "name": "web",
                    "slos": [
                        {
                            "name": "availability",
                            "objective": 0.99,
                            "sli": {"total": "web_requests_total", "bad": "web_errors_total"},
                        },
                        {
                            "name": "raw",
                            "objective": 0.99,
                            "sli": {
                                "kind": "raw",
                                "total_query": "sum(increase(web_requests_total[{{window}}]))",
                                "good_query": "sum(increase(web_requests_total[{{window}}])) - sum(increase(web_errors_total[{{window}}]))",
                            },
                        },
                    ],
                },
            ],
        }
        (tmp_path / "slo-report.yaml").write_text(yaml.safe_dump(data))
        run = CliRunner().invoke(
            main,
            [
                "run",
                "--config",
                str(tmp_path / "slo-report.yaml"),
                "--month",
                "2026-10",
                "--output",
                str(tmp_path / "out"),
            ],
        )
    assert run.exit_code == 1, run.output
    assert (
        f"error: the bad query of web/availability returned {value}, which is not a count; check the query and its "
        "series (a division by zero, or a series that is not a counter); query: the counter parts "
        "(queries/counter.promql) of web_errors_total"
    ) in run.output
    assert f"error: the good query of web/raw returned {value}, which is not a count;" in run.output
    report = json.loads((tmp_path / "out/2026-10/report.json").read_text())
    statuses = {(s["name"], slo["slo"]): slo["status"] for s in report["services"] for slo in s["slos"]}
    assert statuses == {("api", "availability"): "met", ("web", "availability"): "no data", ("web", "raw"): "no data"}
