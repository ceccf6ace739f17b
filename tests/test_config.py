"""The catalogue schema: every problem reported at once, each with its path and its fix."""

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
        "extra: unknown key; remove it or fix its spelling (known keys: title, timezone, window, source, policy, output, services, email, customers, store)"
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
