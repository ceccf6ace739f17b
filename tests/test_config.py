"""The catalogue schema: every problem reported at once, each with its path and its fix."""

import hashlib
from pathlib import Path

import pytest

from reports.config import ConfigError, load_config, parse_config
from tests.conftest import catalogue


def problems(data) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        parse_config(data)
    return caught.value.problems


def test_objective_in_percent_names_the_path_and_the_fix():
    data = catalogue(
        services=[{"name": "api", "slos": [{"name": "a", "objective": 0.99}, {"name": "b", "objective": 99.9}]}]
    )
    assert problems(data) == ["services[0].slos[1].objective: 99.9 is not a fraction; write 0.999"]


def test_every_problem_is_collected_before_aborting():
    data = catalogue(
        timezone="Mars/Olympus",
        services=[
            {"name": "api", "slos": [{"name": "a", "objective": 1.5}]},
            {"name": "db", "slos": []},
        ],
    )
    del data["source"]
    assert problems(data) == [
        "timezone: 'Mars/Olympus' is not an IANA time zone; write a name such as UTC or America/New_York",
        "source: is required; add it",
        "services[0].slos[0].objective: 1.5 is not a fraction; write 0.015",
        "services[1].slos: is empty; give at least one item",
    ]


def test_objective_out_of_range_and_not_a_number():
    data = catalogue(
        services=[{"name": "api", "slos": [{"name": "a", "objective": 0}, {"name": "b", "objective": "high"}]}]
    )
    assert problems(data) == [
        "services[0].slos[0].objective: 0 is out of range; write a fraction between 0 and 1 (exclusive), such as 0.999",
        "services[0].slos[1].objective: 'high' is not a number; write a fraction such as 0.999",
    ]


def test_window_and_duration_errors():
    data = catalogue(window="monthly", source={"type": "file", "path": "x.csv", "step": "five minutes"})
    assert problems(data) == [
        "window: 'monthly' is not allowed; use 'calendar-month' or '30d'",
        "source.step: 'five minutes' is not a duration; write a positive whole number and a unit, e.g. 5m, 1h or 3d",
    ]


def test_duplicate_service_and_colliding_file_names():
    slos = [{"name": "a", "objective": 0.9}]
    assert problems(catalogue(services=[{"name": "api", "slos": slos}, {"name": "api", "slos": slos}])) == [
        "services: service 'api' appears twice; give each service a unique name"
    ]
    assert problems(catalogue(services=[{"name": "a/b", "slos": slos}, {"name": "a-b", "slos": slos}])) == [
        "services: service file name 'a-b' appears twice; give each service file name a unique name"
    ]


def test_unknown_keys_warn_with_a_suggestion_and_strict_makes_them_fatal(tmp_path: Path):
    data = catalogue(
        services=[{"name": "api", "owner": "x", "slos": [{"name": "a", "objectiv": 0.9, "objective": 0.9}]}], titel="T"
    )
    _, warnings = parse_config(data)
    assert warnings == [
        "titel: unknown key; remove it or fix its spelling (did you mean 'title'?)",
        "services[0].slos[0].objectiv: unknown key; remove it or fix its spelling (did you mean 'objective'?)",
    ]
    path = tmp_path / "c.yaml"
    path.write_text(
        "title: T\nsource: {path: e.csv}\nservices: [{name: a, slos: [{name: s, objective: 0.9}]}]\nextra: 1\n"
    )
    assert load_config(path)[1] == [
        "extra: unknown key; remove it or fix its spelling (known keys: title, timezone, window, source, policy, output, services, email, customers, include, rules, incidents, incidents_file, store)"
    ]
    with pytest.raises(ConfigError) as caught:
        load_config(path, strict=True)
    assert caught.value.problems[0].startswith("extra: unknown key")


def test_policy_zones_complete_from_defaults_and_custom_zones_need_rules():
    config, _ = parse_config(catalogue(policy={"zones": [{"name": "green", "min_remaining": 0.5}, {"name": "red"}]}))
    green, red = config.policy.zones
    assert green.allowed_changes == ["feature", "bugfix", "security", "refactor"] and green.min_remaining == 0.5
    assert red.allowed_changes == ["security"]
    assert problems(
        catalogue(policy={"zones": [{"name": "calm", "min_remaining": 0.5}, {"name": "red", "min_remaining": 0.1}]})
    ) == [
        "policy.zones: zones[0] (calm) has no allowed_changes; add it (only green, yellow, orange and red have defaults); "
        "zones[0] (calm) has no approval; add it (only green, yellow, orange and red have defaults); "
        "zones[0] (calm) has no notify; add it (only green, yellow, orange and red have defaults); "
        "zones[1].min_remaining: the last zone catches the rest; remove its min_remaining"
    ]
    assert problems(
        catalogue(
            policy={
                "zones": [
                    {"name": "yellow", "min_remaining": 0.25},
                    {"name": "green", "min_remaining": 0.75},
                    {"name": "red"},
                ]
            }
        )
    ) == [
        "policy.zones: min_remaining must fall strictly from the first zone to the last; order the zones from most to least budget"
    ]


def test_relative_paths_resolve_against_the_config_file(tmp_path: Path):
    path = tmp_path / "sub" / "c.yaml"
    path.parent.mkdir()
    path.write_text(
        "source: {path: data/e.csv}\noutput: out\nservices: [{name: a, slos: [{name: s, objective: 0.9}]}]\n"
    )
    config, _ = load_config(path)
    assert config.source.path == tmp_path / "sub" / "data" / "e.csv"
    assert config.output == tmp_path / "sub" / "out"


def test_yaml_syntax_error_names_the_line(tmp_path: Path):
    path = tmp_path / "c.yaml"
    path.write_text("title: T\nservices: [\n  {name: a\n")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert caught.value.problems[0].startswith("line 4, column 1: not valid YAML")


def test_missing_file_and_non_mapping(tmp_path: Path):
    with pytest.raises(ConfigError) as caught:
        load_config(tmp_path / "nope.yaml")
    assert caught.value.problems == ["cannot read the file: No such file or directory; check the --config path"]
    assert problems(["a"]) == [
        "(top level): the file is not a mapping of keys; start from examples/ml-platform/slo-report.yaml"
    ]


def test_default_slice_threshold_is_ten_times_the_budgeted_error_rate():
    config, _ = parse_config(
        catalogue(
            services=[
                {
                    "name": "api",
                    "slos": [
                        {"name": "a", "objective": 0.999},
                        {"name": "b", "objective": 0.95},
                        {"name": "c", "objective": 0.95, "downtime": {"slice": "1h", "down_below": 0.8}},
                    ],
                }
            ]
        )
    )
    a, b, c = config.services[0].slos
    assert (a.down_below, b.down_below, c.down_below) == (0.99, 0.5, 0.8)
    assert c.downtime.slice.total_seconds() == 3600


def test_prometheus_needs_complete_queries_and_every_gap_is_listed():
    data = catalogue(
        source={"type": "prometheus", "url": "http://127.0.0.1:9090"},
        services=[
            {
                "name": "api",
                "slos": [
                    {"name": "a", "objective": 0.9, "sli": {"kind": "ratio", "total": "t", "bad": "b", "good": "g"}},
                    {"name": "b", "objective": 0.9, "sli": {"kind": "latency", "histogram": "h"}},
                    {"name": "c", "objective": 0.9},
                ],
            }
        ],
    )
    assert problems(data) == [
        "services[0].slos[0].sli: a ratio SLI needs exactly one of bad and good; keep the one you count",
        "services[0].slos[1].sli: a latency SLI needs threshold; add threshold (see docs/configuration.md)",
        "services[0].slos[2].sli: a ratio SLI needs total; add total (see docs/configuration.md)",
        "services[0].slos[2].sli: a ratio SLI needs exactly one of bad and good; keep the one you count",
    ]


def test_cross_checks_name_their_own_paths():
    slos = [{"name": "a", "objective": 0.9, "sla": True}]
    assert problems(catalogue(services=[{"name": "api", "slos": slos, "depends_on": ["db"]}])) == [
        "services[0].depends_on: 'db' is not another service of this catalogue; the catalogue has no other service"
    ]
    assert problems(catalogue(services=[{"name": "api", "slos": slos}])) == [
        "SLOs marked sla: true (api/a) but no customers section; add customers: with tiers, or remove sla: true"
    ]


CUSTOMERS = {
    "default_tier": "free",
    "tiers": {
        "enterprise": {"objective": 0.9995, "sla": 0.999, "credits": {0.999: 10, 0.99: 25}},
        "free": {"objective": 0.99},
    },
}


def test_customer_tiers_validate_schedules_and_assignments(tmp_path: Path):
    bad = {
        "default_tier": "gold",
        "tiers": {
            "enterprise": {"objective": 0.9995, "sla": 0.999, "credits": {0.999: 0, 1.5: 10}},
            "free": {"objective": 0.99, "credits": {0.9: 10}},
        },
        "assignments": {"acme": "platinum"},
    }
    assert problems(catalogue(customers=bad)) == [
        "customers.tiers.enterprise.credits: credit 0 for SLI below 0.999 is not a percentage in (0, 100]; write e.g. 10",
        "customers.tiers.free: credits without an sla; add sla: (the promised SLI) or remove credits",
    ]
    assert problems(
        catalogue(customers={**CUSTOMERS, "default_tier": "gold", "assignments": {"acme": "platinum"}})
    ) == [
        "customers: default_tier 'gold' is not a tier; use one of enterprise, free; customer 'acme' is assigned to "
        "unknown tier 'platinum'; use one of enterprise, free"
    ]


def test_an_sla_stricter_than_its_tier_objective_is_a_warning(tmp_path: Path):
    loose = {"default_tier": "t", "tiers": {"t": {"objective": 0.99, "sla": 0.999}}}
    _, warnings = parse_config(catalogue(customers=loose))
    assert warnings == [
        "customers.tiers.t.sla: 0.999 is stricter than the tier's objective 0.99; make the objective "
        "at least as strict (internal objectives are meant to be tighter than the promise)"
    ]


def test_assignments_file_merges_under_inline_assignments(tmp_path: Path):
    (tmp_path / "billing.csv").write_text("customer,tier\nacme,free\nglobex,enterprise\n")
    config, _ = parse_config(
        catalogue(customers={**CUSTOMERS, "assignments_file": "billing.csv", "assignments": {"acme": "enterprise"}}),
        tmp_path,
    )
    assert config.customers.all_assignments() == {"acme": "enterprise", "globex": "enterprise"}


def test_maintenance_needs_aware_ordered_instants():
    def service(window):
        return [{"name": "api", "slos": [{"name": "a", "objective": 0.9}], "maintenance": [window]}]

    assert problems(
        catalogue(
            services=service({"start": "2026-10-10T02:00:00", "end": "2026-10-10T03:00:00Z", "reason": "upgrade"})
        )
    ) == [
        "services[0].maintenance[0].start: 2026-10-10T02:00:00 has no time zone; add Z or an offset, e.g. 2026-10-10T02:00:00Z"
    ]
    assert problems(
        catalogue(
            services=service({"start": "2026-10-10T03:00:00Z", "end": "2026-10-10T02:00:00Z", "reason": "upgrade"})
        )
    ) == ["services[0].maintenance[0]: end is not after start; swap them or fix the times"]


# --- checks at validate time (issue 15) --------------------------------------------------------

PROMETHEUS = {"type": "prometheus", "url": "http://127.0.0.1:9090"}


def prometheus_slo(sli: dict, **extra) -> list[dict]:
    return [{"name": "api", "slos": [{"name": "a", "objective": 0.9, "sli": sli, **extra}]}]


def test_promql_selectors_and_queries_are_parsed_offline_and_name_their_key():
    unbalanced = {"kind": "ratio", "total": 'http_requests_total{job="api"', "bad": "errors_total"}
    assert problems(catalogue(source=PROMETHEUS, services=prometheus_slo(unbalanced))) == [
        "services[0].slos[0].sli.total: unexpected end of input inside braces in 'http_requests_total{job=\"api\"'; "
        'write a selector such as http_requests_total{job="api"}'
    ]
    expression = {"kind": "ratio", "total": "t", "bad": "rate(errors_total[5m])"}
    assert problems(catalogue(source=PROMETHEUS, services=prometheus_slo(expression))) == [
        "services[0].slos[0].sli.bad: 'rate(errors_total[5m])' is an expression, not a metric selector (the "
        'report adds increase() itself); write a selector such as http_requests_total{job="api"}'
    ]
    # Prometheus's own escape rules: a regex dot is \\. inside a double-quoted string.
    escape = {"kind": "latency", "histogram": 'h{le=~"1(\\.0)?"}', "threshold": 1}
    assert problems(catalogue(source=PROMETHEUS, services=prometheus_slo(escape))) == [
        "services[0].slos[0].sli.histogram: unknown escape sequence '.' in 'h{le=~\"1(\\\\.0)?\"}'; "
        'write a selector such as http_requests_total{job="api"}'
    ]
    raw = {"kind": "raw", "good_query": "sum(increase(ok_total[{{window}}])", "total_query": "x[{{windw}}]"}
    assert problems(catalogue(source=PROMETHEUS, services=prometheus_slo(raw))) == [
        "services[0].slos[0].sli.total_query: unknown placeholder {{windw}} in 'x[{{windw}}]'; "
        "use {{window}}, {{service}}, {{slo}}",
        "services[0].slos[0].sli.good_query: unclosed left parenthesis in 'sum(increase(ok_total[{{window}}])'; "
        'write PromQL such as sum(increase(http_requests_total{job="api"}[{{window}}]))',
    ]
    fine = {
        "kind": "raw",
        "good_query": 'sum(increase(ok_total{service="{{service}}", slo="{{ slo }}"}[{{window}}]))',
        "total_query": "sum(increase(all_total[{{window}}]))",
    }
    parse_config(catalogue(source=PROMETHEUS, services=prometheus_slo(fine)))


def test_templates_filled_with_each_slo_s_values_parse(monkeypatch):
    from reports.sources import promql

    config, _ = parse_config(
        catalogue(source=PROMETHEUS, services=prometheus_slo({"kind": "ratio", "total": "t", "bad": "b"}))
    )
    assert promql.template_problems(config) == []
    real = promql.templates
    broken = {**real("counter"), "step": "sum by ({{ by }}) (last_over_time({{ series }}[{{ range }}])"}
    monkeypatch.setattr(promql, "templates", lambda kind: broken if kind == "counter" else real(kind))
    problems = promql.template_problems(config)
    assert [p.split(" (")[0] for p in problems] == [
        "services[0].slos[0].sli: the total counter query built from queries/counter.promql does not parse",
        "services[0].slos[0].sli: the bad counter query built from queries/counter.promql does not parse",
    ]
    assert all("fix that template or this SLO's sli" in p for p in problems)


def test_validate_names_the_key_of_a_template_that_does_not_parse(tmp_path: Path, monkeypatch):
    import yaml
    from click.testing import CliRunner

    from reports.cli import main
    from reports.sources import promql

    data = catalogue(source=PROMETHEUS, services=prometheus_slo({"kind": "latency", "histogram": "h", "threshold": 1}))
    (tmp_path / "c.yaml").write_text(yaml.safe_dump(data))
    real = promql.templates
    monkeypatch.setattr(
        promql, "templates", lambda kind: {**real(kind), "boundaries": "sum("} if kind == "latency" else real(kind)
    )
    result = CliRunner().invoke(main, ["validate", "--config", str(tmp_path / "c.yaml")])
    assert result.exit_code == 1
    assert (
        "services[0].slos[0].sli: the boundaries query built from queries/latency.promql does not parse"
        in result.output
    )


def test_values_that_cannot_be_meant_are_refused_with_their_fix():
    def threshold(value):
        return prometheus_slo({"kind": "latency", "histogram": "h", "threshold": value})

    assert problems(catalogue(source=PROMETHEUS, services=threshold(-0.3))) == [
        "services[0].slos[0].sli.threshold: -0.3 is not a latency; write a positive number of seconds, e.g. 0.3"
    ]
    assert problems(catalogue(source=PROMETHEUS, services=threshold("300ms"))) == [
        "services[0].slos[0].sli.threshold: '300ms' is not a number of seconds; write the bucket bound in "
        "seconds, e.g. 0.3"
    ]
    assert problems(catalogue(source=PROMETHEUS, services=threshold(float("nan"))))[0].startswith(
        "services[0].slos[0].sli.threshold: nan is not a latency"
    )
    falling = {
        "default_tier": "e",
        "tiers": {"e": {"objective": 0.9995, "sla": 0.999, "credits": {0.999: 25, 0.99: 10}}},
    }
    assert problems(catalogue(customers=falling)) == [
        "customers.tiers.e.credits: credit 10 for SLI below 0.99 is not more than the 25 for below 0.999, so it "
        "can never apply; credits must rise as the SLI falls, e.g. {0.999: 10, 0.99: 25, 0.95: 100}"
    ]
    not_an_address = [{"name": "api", "email": ["ml-batch"], "slos": [{"name": "a", "objective": 0.9}]}]
    assert problems(catalogue(services=not_an_address)) == [
        "services[0].email[0]: 'ml-batch' is not an email address; write it as name@example.com"
    ]
    disguised = [{"name": "api", "email": ["Boss \u202e<b@example.com>"], "slos": [{"name": "a", "objective": 0.9}]}]
    assert problems(catalogue(services=disguised)) == [
        "services[0].email[0]: 'Boss \\u202e<b@example.com>' is not an email address; write it as name@example.com"
    ]


def test_a_downtime_slice_must_be_a_whole_number_of_steps():
    hourly = {"type": "file", "path": "events.csv", "step": "1h"}
    slos = [
        {"name": "a", "objective": 0.9, "downtime": {"slice": "90m"}},
        {"name": "b", "objective": 0.9, "downtime": {"slice": "2h"}},
        {"name": "c", "objective": 0.9},
    ]
    assert problems(catalogue(source=hourly, services=[{"name": "api", "slos": slos}])) == [
        "services[0].slos[0].downtime.slice: 90m is not a whole multiple of source.step 1h; set slice to 1h or "
        "another multiple",
    ]
    two_minutes = {"type": "file", "path": "events.csv", "step": "2m"}
    assert problems(catalogue(source=two_minutes, services=[{"name": "api", "slos": slos[2:]}])) == [
        "services[0].slos[0].downtime.slice: 5m is not a whole multiple of source.step 2m; set slice to 4m or "
        "another multiple (5m is the default)",
    ]


HIDDEN = ["\x00", "\x1b", "\u202e", "\u2066", "\u2069", "\u200e", "\ufeff", "\u2028"]


@pytest.mark.parametrize("char", HIDDEN)
def test_control_and_bidi_characters_are_refused_in_every_name_and_text(char, tmp_path: Path):
    bad = f"api{char}x"
    service = {
        "name": bad,
        "description": bad,
        "owner": bad,
        "slos": [{"name": bad, "objective": 0.9, "description": bad}],
        "maintenance": [{"start": "2026-10-10T02:00:00Z", "end": "2026-10-10T03:00:00Z", "reason": bad}],
    }
    zones = {"zones": [{"name": bad, "min_remaining": 0.5, "guidance": bad}, {"name": "red", "approval": bad}]}
    found = problems(catalogue(title=bad, services=[service], policy=zones))
    assert [line.split(":")[0] for line in found] == [
        "title",
        "policy.zones[0].name",
        "policy.zones[0].guidance",
        "policy.zones[1].approval",
        "services[0].name",
        "services[0].description",
        "services[0].owner",
        "services[0].slos[0].name",
        "services[0].slos[0].description",
        "services[0].maintenance[0].reason",
    ]
    assert all(f"U+{ord(char):04X}" in line and char not in line for line in found)
    tiers = {"default_tier": "t", "tiers": {"t": {"objective": 0.99}, bad: {"objective": 0.99}}}
    assert problems(catalogue(customers=tiers))[0].startswith(f"customers.tiers: tier {bad!r} holds U+{ord(char):04X}")
    assigned = {"default_tier": "t", "tiers": {"t": {"objective": 0.99}}, "assignments": {bad: "t"}}
    assert problems(catalogue(customers=assigned))[0].startswith(f"customers.assignments: customer {bad!r} holds")
    (tmp_path / "billing.csv").write_text(f"customer,tier\nacme,t\n{bad},t\n", encoding="utf-8")
    from_file = {"default_tier": "t", "tiers": {"t": {"objective": 0.99}}, "assignments_file": "billing.csv"}
    with pytest.raises(ConfigError) as caught:
        parse_config(catalogue(customers=from_file), tmp_path)
    assert caught.value.problems[0].startswith(
        f"customers: assignments_file {tmp_path / 'billing.csv'} line 3: customer {bad!r} holds"
    )


def test_free_text_may_span_lines_but_names_may_not():
    service = {
        "name": "api",
        "description": "Serves models.\nOwned by ML.\n",
        "slos": [{"name": "a", "objective": 0.9}],
    }
    parse_config(catalogue(services=[service]))
    assert problems(catalogue(services=[{"name": "api\nx", "slos": [{"name": "a", "objective": 0.9}]}])) == [
        "services[0].name: name 'api\\nx' holds U+000A (a control character), which can make it display as "
        "something else; remove it"
    ]


def test_a_name_too_long_for_a_file_name_is_refused_at_validate():
    long = "a" * 300
    assert problems(catalogue(services=[{"name": long, "slos": [{"name": "a", "objective": 0.9}]}])) == [
        f"services[0].name: name {'a' * 40!r}... is 300 characters long; shorten it to 120 or fewer (names "
        "become headings and file names)"
    ]


def test_file_stems_are_capped_with_one_rule():
    from reports.naming import file_stem

    longest = "x" * 120
    assert file_stem(longest) == "x" * 80 + "-" + hashlib.sha256(longest.encode()).hexdigest()[:8]
    assert file_stem(longest) != file_stem("x" * 119) and file_stem("model-api") == "model-api"


def test_a_huge_config_is_refused_before_parsing(tmp_path: Path):
    huge = tmp_path / "huge.yaml"
    with huge.open("w") as handle:
        handle.write("services:\n")
        line = "  - {name: s, slos: [{name: a, objective: 0.9}]}\n"
        handle.write(line * (5 * 1024 * 1024 // len(line) + 1))
    with pytest.raises(ConfigError) as caught:
        load_config(huge)
    assert caught.value.problems == ["the file is over 5 MB, the limit for a catalogue; check the --config path"]


def test_the_c_yaml_loader_keeps_line_numbers(tmp_path: Path):
    from reports.config import load

    assert load._YAML_LOADER is getattr(__import__("yaml"), "CSafeLoader", None)
    (tmp_path / "c.yaml").write_text("title: x\nservices: [\n  {name: a\n")
    with pytest.raises(ConfigError) as caught:
        load_config(tmp_path / "c.yaml")
    assert caught.value.problems[0].startswith("line 4, column 1: not valid YAML")
