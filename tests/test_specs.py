"""OpenSLO v1 and Sloth specs in: every supported construct from a spec file written to the
published schema becomes the expected catalogue entry, and every refusal names file, document
and field with the reason."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from reports.cli import main
from reports.config import ConfigError, load_config, parse_config
from reports.specs import SpecError, catalogue_yaml, read_specs
from reports.specs.read import spec_window

ROOT = Path(__file__).resolve().parent.parent
SPECS = ROOT / "examples" / "specs"


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def problems(folder: Path, text: str, name: str = "spec.yaml") -> list[str]:
    with pytest.raises(SpecError) as caught:
        read_specs([write(folder, name, text)], shown=[name])
    return caught.value.problems


def only_slo(folder: Path, text: str):
    imported = read_specs([write(folder, "spec.yaml", text)], shown=["spec.yaml"])
    assert len(imported.slos) == 1
    return imported.slos[0].slo, imported


# --- OpenSLO v1 ---------------------------------------------------------------------------------


def test_openslo_checkout_becomes_the_expected_catalogue_entries():
    """Service description, DataSource URL, indicatorRef to an SLI document, bad over total with
    counter: true, target, targetPercent, calendar 1M in its time zone, Occurrences and Timeslices."""
    imported = read_specs([SPECS / "openslo" / "checkout.yaml"], shown=["checkout.yaml"])
    errors = {
        "kind": "ratio",
        "total": 'http_requests_total{service="checkout"}',
        "bad": 'http_requests_total{service="checkout", code=~"5.."}',
    }
    assert [(s.service, s.slo) for s in imported.slos] == [
        (
            "checkout",
            {
                "name": "availability",
                "objective": 0.999,
                "description": "Checkout requests answered without a server error",
                "sli": errors,
            },
        ),
        (
            "checkout",
            {
                "name": "uptime",
                "objective": 0.995,
                "description": "Five-minute slices in which at least 95% of checkout requests succeeded",
                "budgeting": "timeslices",
                "slice": "5m",
                "slice_target": 0.95,
                "sli": errors,
            },
        ),
    ]
    assert [s.origin for s in imported.slos] == [
        "checkout.yaml: document 4 (SLO availability)",
        "checkout.yaml: document 5 (SLO uptime)",
    ]
    assert imported.service_descriptions == {"checkout": "Takes the customer's order and payment"}
    assert imported.prometheus_urls == ["http://prometheus.monitoring:9090"]
    assert spec_window(imported) == ("calendar-month", "Europe/Berlin")
    assert imported.warnings == []


def test_openslo_inline_indicator_good_over_total_and_several_objectives():
    imported = read_specs([SPECS / "openslo" / "search.yaml"], shown=["search.yaml"])
    success = {"kind": "ratio", "total": "search_requests_total", "good": 'search_requests_total{outcome="ok"}'}
    assert [s.slo for s in imported.slos] == [
        {"name": "search-success-internal", "objective": 0.995, "description": "Internal", "sli": success},
        {"name": "search-success-contract", "objective": 0.99, "description": "Contract", "sli": success},
    ]
    assert [s.origin for s in imported.slos] == [
        "search.yaml: document 1 (SLO search-success), objectives[0]",
        "search.yaml: document 1 (SLO search-success), objectives[1]",
    ]


SLO_ONLY = """
apiVersion: openslo/v1
kind: SLO
metadata: {name: api}
spec:
  service: api
  budgetingMethod: Occurrences
  timeWindow: [{duration: 30d, isRolling: true}]
  indicatorRef: api-errors
  objectives: [{target: 0.99}]
"""
API_ERRORS = """
apiVersion: openslo/v1
kind: SLI
metadata: {name: api-errors}
spec:
  ratioMetric:
    counter: true
    bad: {metricSource: {type: Prometheus, spec: {query: 'api_requests_total{code="500"}'}}}
    total: {metricSource: {type: Prometheus, spec: {query: api_requests_total}}}
"""
OPENSLO_SLO = SLO_ONLY + "---" + API_ERRORS


def test_openslo_indicator_ref_resolves_across_files_and_rolling_30d_is_our_30d(tmp_path):
    imported = read_specs([write(tmp_path, "slo.yaml", SLO_ONLY), write(tmp_path, "sli.yaml", API_ERRORS)])
    assert imported.slos[0].slo == {
        "name": "api",
        "objective": 0.99,
        "sli": {"kind": "ratio", "total": "api_requests_total", "bad": 'api_requests_total{code="500"}'},
    }
    assert spec_window(imported) == ("30d", None)


def _ratio(bad_query: str, total_query: str, counter: str = "counter: true") -> str:
    return f"""
    apiVersion: openslo/v1
    kind: SLO
    metadata: {{name: api}}
    spec:
      service: api
      budgetingMethod: Occurrences
      indicator:
        metadata: {{name: api}}
        spec:
          ratioMetric:
            {counter}
            bad: {{metricSource: {{type: Prometheus, spec: {{query: '{bad_query}'}}}}}}
            total: {{metricSource: {{type: Prometheus, spec: {{query: '{total_query}'}}}}}}
      objectives: [{{targetPercent: 99.9}}]
    """


def test_openslo_sum_before_counter_handling_warns_and_keeps_the_selector(tmp_path):
    slo, imported = only_slo(tmp_path, _ratio('sum(api_total{code="500"})', "sum by (code) (api_total)"))
    assert slo["sli"] == {"kind": "ratio", "total": "api_total", "bad": 'api_total{code="500"}'}
    assert slo["objective"] == 0.999
    assert imported.warnings == [
        f"spec.yaml: document 1 (SLO api): spec.indicator.spec.ratioMetric.{part}.metricSource.spec.query: sum() is "
        "taken before counter handling, so a reset of one series is lost; imported as the selector inside, with "
        "increase() per series before sum()"
        for part in ("total", "bad")
    ]


def test_openslo_counter_false_sums_the_samples_over_the_window(tmp_path):
    slo, imported = only_slo(tmp_path, _ratio("api_failed", "api_handled", "counter: false"))
    total = "sum(sum_over_time(api_handled[{{window}}]))"
    assert slo["sli"] == {
        "kind": "raw",
        "total_query": total,
        "good_query": f"({total}) - ((sum(sum_over_time(api_failed[{{{{window}}}}]))) or ({total}) * 0)",
    }
    assert imported.warnings == []


def test_openslo_one_minute_calendar_window_is_read_as_a_month_with_a_warning(tmp_path):
    text = OPENSLO_SLO.replace(
        "[{duration: 30d, isRolling: true}]",
        "[{duration: 1m, calendar: {startTime: 2026-01-01 00:00:00, timeZone: Asia/Tokyo}}]",
    )
    text = text.replace(
        "indicatorRef: api-errors",
        "indicator: {metadata: {name: x}, spec: {ratioMetric: {counter: true, good: {metricSource: {type: Prometheus, spec: {query: ok_total}}}, total: {metricSource: {type: Prometheus, spec: {query: all_total}}}}}}",
    )
    slo, imported = only_slo(tmp_path, text)
    assert spec_window(imported) == ("calendar-month", "Asia/Tokyo")
    assert imported.warnings == [
        "spec.yaml: document 1 (SLO api): spec.timeWindow[0].duration: 1m is one minute; read as 1M (a calendar "
        "month), which a calendar window surely meant; write 1M"
    ]


THRESHOLD = """
apiVersion: openslo/v1
kind: SLO
metadata: {name: cpu}
spec:
  service: api
  budgetingMethod: Occurrences
  indicator:
    metadata: {name: cpu}
    spec:
      thresholdMetric:
        metricSource: {type: Prometheus, spec: {query: cpu_usage}}
  objectives: [{op: lte, value: 0.8, target: 0.99}]
"""


@pytest.mark.parametrize(
    ("text", "line"),
    [
        (
            THRESHOLD,
            "spec.yaml: document 1 (SLO cpu): spec.indicator.spec.thresholdMetric: threshold metrics are not "
            "supported; they compare a value with a threshold and give no good and total events; use a ratioMetric",
        ),
        (
            OPENSLO_SLO.replace("objectives: [{target: 0.99}]", "objectives: [{target: 0.99, compositeWeight: 2}]"),
            "spec.yaml: document 1 (SLO api): spec.objectives[0].compositeWeight: composite SLOs are not supported; "
            "the report needs one SLI per SLO, so import each objective's SLO on its own",
        ),
        (
            OPENSLO_SLO.replace("Occurrences", "RatioTimeslices"),
            "spec.yaml: document 1 (SLO api): spec.budgetingMethod: RatioTimeslices (the mean of slice ratios) is "
            "not supported; it weighs a quiet slice like a busy one without judging either; use Occurrences or "
            "Timeslices",
        ),
        (
            OPENSLO_SLO.replace(
                "indicatorRef: api-errors",
                "indicator: {metadata: {name: r}, spec: {ratioMetric: {rawType: success, raw: {metricSource: {type: Prometheus, spec: {query: ratio}}}}}}",
            ),
            "spec.yaml: document 1 (SLO api): spec.indicator.spec.ratioMetric.raw: a precomputed ratio is not "
            "supported; it gives a ratio but no event counts, so the month cannot be pooled; use good or bad over total",
        ),
        (
            OPENSLO_SLO.replace("30d", "28d"),
            "spec.yaml: document 1 (SLO api): spec.timeWindow[0].duration: a rolling window of 28d is not supported; "
            "the report covers a calendar month (1M with calendar:) or 30 rolling days (30d)",
        ),
        (
            OPENSLO_SLO.replace("30d", "1m"),
            "spec.yaml: document 1 (SLO api): spec.timeWindow[0].duration: a rolling window of 1m is not supported "
            "(m is minutes; a month is 1M, and 30 rolling days 30d); the report covers a calendar month (1M with "
            "calendar:) or 30 rolling days (30d)",
        ),
        (
            OPENSLO_SLO.replace(
                "{duration: 30d, isRolling: true}",
                "{duration: 1Q, calendar: {startTime: 2026-01-01 00:00:00, timeZone: UTC}}",
            ),
            "spec.yaml: document 1 (SLO api): spec.timeWindow[0].duration: a calendar window of 1Q is not supported; "
            "the report covers a calendar month (1M) or 30 rolling days (30d)",
        ),
        (
            SLO_ONLY.replace("openslo/v1", "openslo/v1alpha"),
            "spec.yaml: document 1 (SLO api): apiVersion: 'openslo/v1alpha' is not supported; write openslo/v1",
        ),
        (
            OPENSLO_SLO.replace("indicatorRef: api-errors", "indicatorRef: api-error"),
            "spec.yaml: document 1 (SLO api): spec.indicatorRef: 'api-error' names no SLI document; SLIs given: "
            "api-errors",
        ),
        (
            _ratio("errors_total", "requests_total").replace("Prometheus", "Datadog"),
            "spec.yaml: document 1 (SLO api): spec.indicator.spec.ratioMetric.total.metricSource.type: 'Datadog' is "
            "not supported; only Prometheus queries can be counted (Prometheus, Thanos, Mimir or VictoriaMetrics)",
        ),
        (
            _ratio("rate(errors_total[5m])", "requests_total"),
            "spec.yaml: document 1 (SLO api): spec.indicator.spec.ratioMetric.bad.metricSource.spec.query: "
            "'rate(errors_total[5m])' is not a metric selector; write the counter, e.g. "
            'http_requests_total{code=~"5.."}, and the report adds increase() and sum()',
        ),
        (
            OPENSLO_SLO.replace("Occurrences", "Timeslices").replace(
                "{target: 0.99}", "{target: 0.99, timeSliceTarget: 0.9, timeSliceWindow: 1M}"
            ),
            "spec.yaml: document 1 (SLO api): spec.objectives[0].timeSliceWindow: '1M' is not a slice length (M is "
            "months; minutes are m); write minutes or hours, e.g. 5m",
        ),
    ],
    ids=[
        "threshold",
        "composite",
        "ratio-timeslices",
        "raw-ratio",
        "28d",
        "rolling-1m",
        "quarter",
        "v1alpha",
        "unknown-sli",
        "datadog",
        "not-a-selector",
        "slice-of-a-month",
    ],
)
def test_openslo_refusals_name_file_document_field_and_why(tmp_path, text, line):
    assert problems(tmp_path, text) == [line]


def test_openslo_timeslice_window_given_as_a_number_is_minutes(tmp_path):
    text = (
        _ratio("e_total", "t_total")
        .replace("Occurrences", "Timeslices")
        .replace("{targetPercent: 99.9}", "{targetPercent: 99.9, timeSliceTarget: 1, timeSliceWindow: 10}")
    )
    slo, _ = only_slo(tmp_path, text)
    assert (slo["budgeting"], slo["slice"], slo["slice_target"]) == ("timeslices", "10m", 1)


def test_specs_with_different_windows_cannot_share_a_catalogue(tmp_path):
    calendar = _ratio("e_total", "t_total").replace(
        "budgetingMethod: Occurrences",
        "budgetingMethod: Occurrences\n      timeWindow: [{duration: 1M, calendar: {startTime: 2026-01-01 00:00:00, timeZone: UTC}}]",
    )
    rolling = calendar.replace(
        "{duration: 1M, calendar: {startTime: 2026-01-01 00:00:00, timeZone: UTC}}", "{duration: 30d, isRolling: true}"
    ).replace("name: api}", "name: api2}")
    imported = read_specs(
        [write(tmp_path, "a.yaml", calendar), write(tmp_path, "b.yaml", rolling)], shown=["a.yaml", "b.yaml"]
    )
    with pytest.raises(SpecError) as caught:
        spec_window(imported)
    assert caught.value.problems == [
        "b.yaml: document 1 (SLO api2): spec.timeWindow: 30 rolling days differs from calendar month in UTC at "
        "a.yaml: document 1 (SLO api); a catalogue has one window and time zone for every SLO, so import them separately"
    ]


# --- Sloth -----------------------------------------------------------------------------------


def test_sloth_spec_becomes_the_expected_catalogue_entries():
    """sum(rate(selector[{{.window}}])) becomes a ratio SLI of the selectors; any other query keeps
    its PromQL with rate() rewritten to increase(); objective / 100; labels and runbook kept."""
    imported = read_specs([SPECS / "sloth" / "model-api.yaml"], shown=["model-api.yaml"])
    count = 'sum(increase(http_request_duration_seconds_count{job="model-api"}[{{window}}]))'
    bucket = 'sum(increase(http_request_duration_seconds_bucket{job="model-api", le="0.25"}[{{window}}]))'
    error = f"(\n  {count}\n  -\n  {bucket}\n)\n"
    assert [(s.service, s.slo) for s in imported.slos] == [
        (
            "model-api",
            {
                "name": "availability",
                "objective": 0.999,
                "description": "Predictions answered without a server error",
                "sli": {
                    "kind": "ratio",
                    "total": 'http_requests_total{job="model-api"}',
                    "bad": 'http_requests_total{job="model-api", code=~"5.."}',
                },
                "labels": {"team": "inference"},
                "runbook": "https://runbooks.example.com/model-api/availability",
            },
        ),
        (
            "model-api",
            {
                "name": "latency",
                "objective": 0.99,
                "description": "Predictions answered within 250 ms",
                "sli": {"kind": "raw", "total_query": count, "good_query": f"({count}) - (({error}) or ({count}) * 0)"},
                "labels": {"team": "inference"},
            },
        ),
    ]
    assert imported.slos[1].origin == "model-api.yaml: document 1 (Sloth spec model-api), slos[1] (latency)"
    assert spec_window(imported) == (None, None)


def test_sloth_kubernetes_crd_reads_camel_case_keys():
    imported = read_specs([SPECS / "sloth" / "feature-store.yaml"], shown=["feature-store.yaml"])
    assert [(s.service, s.slo, s.origin) for s in imported.slos] == [
        (
            "feature-store",
            {
                "name": "reads",
                "objective": 0.9995,
                "description": "Feature reads that succeed",
                "sli": {"kind": "ratio", "total": "feature_reads_total", "bad": 'feature_reads_total{outcome="error"}'},
                "labels": {"team": "data"},
            },
            "feature-store.yaml: document 1 (PrometheusServiceLevel feature-store), spec.slos[0] (reads)",
        )
    ]


def _sloth(sli: dict, objective: float = 99.9, **extra) -> str:
    spec = {"version": "prometheus/v1", "service": "api", **extra}
    spec["slos"] = [{"name": "requests", "objective": objective, "sli": sli}]
    return yaml.safe_dump(spec, sort_keys=False)


EVENTS = {
    "events": {
        "error_query": 'sum(rate(api_total{code="500"}[{{.window}}]))',
        "total_query": "sum(rate(api_total[{{.window}}]))",
    }
}


def test_sloth_sum_inside_rate_warns_that_resets_are_lost(tmp_path):
    sli = {"events": {**EVENTS["events"], "total_query": "increase(sum(api_total)[{{.window}}:])"}}
    slo, imported = only_slo(tmp_path, _sloth(sli))
    assert slo["sli"]["kind"] == "raw"
    assert imported.warnings == [
        "spec.yaml: document 1 (Sloth spec api): slos[0].sli.events.total_query: sum() is taken before "
        "rate()/increase(), so a counter reset in one series is lost; write sum(rate(x[{{.window}}])) so each "
        "series is handled first"
    ]


@pytest.mark.parametrize(
    ("text", "line"),
    [
        (
            _sloth({"plugin": {"id": "sloth-common/kubernetes/apiserver/availability"}}),
            "spec.yaml: document 1 (Sloth spec api): slos[0].sli.plugin: Sloth SLI plugins are not supported; a "
            "plugin's queries are built inside Sloth, so the events cannot be counted here; write sli.events with "
            "the error and total queries",
        ),
        (
            _sloth(EVENTS, slo_plugins={"chain": [{"id": "sloth.dev/core/debug/v1"}]}),
            "spec.yaml: document 1 (Sloth spec api): slo_plugins: Sloth plugins are not supported; they change "
            "Sloth's generated rules, not the events the report counts; remove them from the spec you import",
        ),
        (
            _sloth({"raw": {"error_ratio_query": "sum(rate(errors[{{.window}}])) / sum(rate(all[{{.window}}]))"}}),
            "spec.yaml: document 1 (Sloth spec api): slos[0].sli.raw.error_ratio_query: raw error-ratio SLIs are "
            "not supported; they give a ratio but no event counts, so the month cannot be pooled; write sli.events "
            "with the error and total queries",
        ),
        (
            _sloth(EVENTS, objective=100),
            "spec.yaml: document 1 (Sloth spec api): slos[0].objective: 100 leaves no error budget, so there is no "
            "budget to report on; write e.g. 99.9",
        ),
        (
            _sloth(
                {
                    "events": {
                        "error_query": "sum(irate(e[{{.window}}]))",
                        "total_query": "sum(increase(t[{{.window}}]))",
                    }
                }
            ),
            "spec.yaml: document 1 (Sloth spec api): slos[0].sli.events.error_query: every rate() must range over "
            "[{{.window}}] and irate() cannot be counted; without that the query is no count of the window's events",
        ),
        (
            _sloth({"events": {"error_query": "sum(rate(e[5m]))", "total_query": "sum(rate(t[{{.window}}]))"}}),
            "spec.yaml: document 1 (Sloth spec api): slos[0].sli.events.error_query: has no {{.window}}; write the "
            "range as [{{.window}}]",
        ),
    ],
    ids=["sli-plugin", "slo-plugins", "raw-ratio", "objective-100", "irate", "no-window"],
)
def test_sloth_refusals_name_file_document_field_and_why(tmp_path, text, line):
    assert problems(tmp_path, text) == [line]


def test_sloth_crd_refusal_names_the_camel_case_field(tmp_path):
    text = """
    apiVersion: sloth.slok.dev/v1
    kind: PrometheusServiceLevel
    metadata: {name: api-slos}
    spec:
      service: api
      slos:
        - name: requests
          objective: 99.9
          sli: {raw: {errorRatioQuery: 'x[{{.window}}]'}}
    """
    assert problems(tmp_path, text) == [
        "spec.yaml: document 1 (PrometheusServiceLevel api-slos): spec.slos[0].sli.raw.errorRatioQuery: raw "
        "error-ratio SLIs are not supported; they give a ratio but no event counts, so the month cannot be pooled; "
        "write sli.events with the error and total queries"
    ]


def test_every_refused_item_is_listed_at_once(tmp_path):
    write(tmp_path, "a.yaml", THRESHOLD)
    write(tmp_path, "b.yaml", _sloth({"plugin": {"id": "x"}}))
    with pytest.raises(SpecError) as caught:
        read_specs(
            [tmp_path / "a.yaml", tmp_path / "b.yaml", tmp_path / "missing.yaml"],
            shown=["a.yaml", "b.yaml", "missing.yaml"],
        )
    assert sorted(line.split(":")[0] for line in caught.value.problems) == ["a.yaml", "b.yaml", "missing.yaml"]


# --- the import command and include: -----------------------------------------------------------


def test_import_writes_a_catalogue_that_loads_with_its_origins_as_comments(tmp_path):
    output = tmp_path / "slo-report.yaml"
    result = CliRunner().invoke(main, ["import", "sloth", str(SPECS / "sloth"), "--output", str(output)])
    assert result.exit_code == 0, result.output
    text = output.read_text()
    assert (
        "# from "
        + str(SPECS / "sloth" / "model-api.yaml")
        + ": document 1 (Sloth spec model-api), slos[0] (availability)"
        in text
    )
    config, warnings = load_config(output, strict=True)
    assert warnings == []
    assert config.window == "30d"
    assert [(s.name, [o.name for o in s.slos]) for s in config.services] == [
        ("feature-store", ["reads"]),
        ("model-api", ["availability", "latency"]),
    ]
    assert config.service("model-api").slos[0].runbook == "https://runbooks.example.com/model-api/availability"


def test_import_refuses_with_one_line_per_item_and_exit_1(tmp_path):
    write(tmp_path, "bad.yaml", _sloth({"plugin": {"id": "x"}}))
    result = CliRunner().invoke(main, ["import", "openslo", str(tmp_path / "bad.yaml")])
    assert result.exit_code == 1
    assert f"{tmp_path / 'bad.yaml'}: document 1: is a sloth spec, not openslo; import it as sloth" in result.output


def test_import_of_openslo_keeps_window_zone_and_datasource():
    result = CliRunner().invoke(main, ["import", "openslo", str(SPECS / "openslo")])
    assert result.exit_code == 0, result.output
    config, _ = parse_config(yaml.safe_load(result.output))
    assert (config.window, config.timezone, config.source.url) == (
        "calendar-month",
        "Europe/Berlin",
        "http://prometheus.monitoring:9090",
    )
    assert config.service("checkout").slos[1].budgeting == "timeslices"


def test_include_adds_the_specs_slos_to_the_catalogue():
    config, warnings = load_config(SPECS / "slo-report.yaml", strict=True)
    assert warnings == []
    assert (config.window, config.timezone) == ("calendar-month", "Europe/Berlin")
    checkout = config.service("checkout")
    assert (checkout.owner, [s.name for s in checkout.slos]) == ("checkout-team", ["availability", "uptime"])
    assert [s.name for s in config.service("search").slos] == ["search-success-internal", "search-success-contract"]


def test_include_refuses_a_window_the_catalogue_contradicts(tmp_path):
    (tmp_path / "slos").mkdir()
    (tmp_path / "slos" / "checkout.yaml").write_text((SPECS / "openslo" / "checkout.yaml").read_text())
    catalogue = write(
        tmp_path, "c.yaml", "source: {type: prometheus, url: http://p:9090}\nwindow: 30d\ninclude: [slos/*.yaml]\n"
    )
    with pytest.raises(ConfigError) as caught:
        load_config(catalogue)
    assert caught.value.problems == [
        "slos/checkout.yaml: document 4 (SLO availability): spec.timeWindow: is calendar-month but the catalogue's "
        "window is 30d; make them agree"
    ]


def test_include_pattern_that_matches_nothing_is_an_error(tmp_path):
    catalogue = write(tmp_path, "c.yaml", "source: {type: prometheus, url: http://p:9090}\ninclude: [slos/*.yaml]\n")
    with pytest.raises(ConfigError) as caught:
        load_config(catalogue)
    assert caught.value.problems == ["include[0]: 'slos/*.yaml' matches no file next to the catalogue; fix the pattern"]


def test_include_refusals_are_config_errors_with_the_spec_file_named(tmp_path):
    (tmp_path / "slos").mkdir()
    write(tmp_path / "slos", "cpu.yaml", THRESHOLD)
    catalogue = write(tmp_path, "c.yaml", "source: {type: prometheus, url: http://p:9090}\ninclude: [slos/*.yaml]\n")
    result = CliRunner().invoke(main, ["validate", "--config", str(catalogue)])
    assert result.exit_code == 1
    assert (
        "slos/cpu.yaml: document 1 (SLO cpu): spec.indicator.spec.thresholdMetric: threshold metrics" in result.output
    )


def test_catalogue_yaml_round_trips_through_the_schema(tmp_path):
    imported = read_specs(sorted((SPECS / "openslo").glob("*.yaml")))
    config, warnings = parse_config(yaml.safe_load(catalogue_yaml(imported, "test", "http://example:9090")))
    assert warnings == [] and config.source.url == "http://example:9090"
