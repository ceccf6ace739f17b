"""Zones, recommendations and the deploy gate."""

import pytest

from reports.archive import ArchivedService, ArchivedZone, SloMonth
from reports.config import PolicyConfig
from reports.deploy import check_deploy
from reports.policy import zone_for, zones_of
from reports.window import Month

ZONES = zones_of(PolicyConfig())


@pytest.mark.parametrize(
    "remaining, zone",
    [
        (1.0, "green"),
        (0.75, "green"),
        (0.7499, "yellow"),
        (0.25, "yellow"),
        (0.2499, "orange"),
        (0.0, "orange"),
        (-0.0001, "red"),
        (-3.0, "red"),
        (None, "no data"),
    ],
)
def test_default_zone_boundaries(remaining, zone):
    assert zone_for(remaining, ZONES).name == zone


def test_zone_rules_match_the_policy_document():
    green, yellow, orange, red = ZONES
    assert green.allowed_changes == ("feature", "bugfix", "security", "refactor") and green.notify == ()
    assert yellow.approval == "senior engineer approval" and yellow.notify == ("engineering manager",)
    assert orange.allowed_changes == ("bugfix", "security") and orange.approval == "engineering manager approval"
    assert red.allowed_changes == ("security",) and "executives" in red.notify


def test_example_recommendations_are_derived_from_the_numbers(example_report):
    model_api = example_report.service("model-api")
    availability, latency = model_api.slos
    assert model_api.zone.name == "yellow"
    assert availability.recommendations[0].kind == "zone"
    assert availability.recommendations[0].text.startswith("Zone yellow (29.5% of the budget left, green needs 75%)")
    assert availability.recommendations[1].text == (
        "Postmortem required (INC-2207, owner ml-serving (Priya Raman), postmortem linked): the incident of 22 Oct 14:00–14:40 UTC consumed 28% of the month's budget "
        "(more than 20%); agree at least one P0 action."
    )
    batch = example_report.service("batch-inference").slos[0]
    assert batch.zone.name == "red"
    assert [a.text for a in batch.recommendations[:3]] == [
        "Missed the 95% objective (SLI 93.5%): reliability work comes before feature work until the service "
        "is back within its objective.",
        "The error budget is overspent: 129% of it was consumed (29% over).",
        "Zone red (budget overspent by 29.0%, orange needs 0%): Release freeze: security fixes only; data-loss "
        "fixes by exception with VP approval. Allowed: security, with VP engineering approval; notify engineering "
        "manager, VP engineering, executives.",
    ]
    store = example_report.service("feature-store").slos[0]
    assert [a.kind for a in store.recommendations] == ["zone", "burning"]
    assert store.recommendations[1].text.startswith("The 1h/5m burn-rate alert (14.4×, page) was still firing")


def _service(zone_name: str, allowed: list[str], remaining):
    """A service as an archived report.json states it."""
    return ArchivedService(
        "api",
        (),
        ArchivedZone(zone_name, tuple(allowed), "VP engineering approval"),
        (
            SloMonth(
                Month(2026, 10),
                "api",
                "availability",
                0.999,
                0,
                0,
                None,
                "met",
                None,
                zone_name,
                0,
                0,
                0.0,
                0,
                (),
                budget_remaining=remaining,
            ),
        ),
    )


def test_check_deploy_blocks_features_in_red_and_allows_security():
    blocked = check_deploy(_service("red", ["security"], -0.29), "feature")
    assert not blocked.allowed
    assert blocked.reason == (
        "api is in zone red (availability budget left -29.0%); feature changes are blocked (allowed: security)"
    )
    allowed = check_deploy(_service("red", ["security"], -0.29), "security")
    assert allowed.allowed and allowed.approval == "VP engineering approval"
    assert check_deploy(_service("no data", ["bugfix", "security"], None), "feature").reason.startswith(
        "api is in zone no data (availability no data)"
    )


def test_trend_compares_budget_consumption_with_the_previous_report(example_report):
    from dataclasses import replace

    from reports.policy import trend_advice

    result = example_report.service("model-api").slos[0].result  # 70.5% consumed
    september = SloMonth(
        Month(2026, 9), "model-api", "availability", 0.999, 99, 100, 0.99969, "met", 0.31, "yellow", 0, 0, 0.0, 0, ()
    )
    assert trend_advice(result, september).text == "Budget consumption rose from 31% in September 2026 to 70%."
    assert trend_advice(result, replace(september, budget_consumed=0.9, objective=0.995)).text == (
        "Budget consumption fell from 90% in September 2026 to 70%. The objective changed from 99.5%."
    )
    assert trend_advice(result, replace(september, budget_consumed=None)) is None
    assert trend_advice(result, None) is None


@pytest.mark.parametrize(
    "current, worst, tighter, looser",
    [
        (0.95, 0.99, 0.98, 0.9),  # one step up the ladder, not halfway (97.5%)
        (0.999, 0.9996, 0.9995, 0.998),
        (0.999, 0.9994, None, 0.998),  # the next step was not met: no suggestion
        (0.99999, 1.0, None, 0.99995),  # the top of the ladder
        (0.9, 0.89, None, None),  # nothing below 90% on the ladder
    ],
)
def test_one_objective_ladder_for_the_month_and_the_quarter(current, worst, tighter, looser):
    from reports.policy import looser_objective, tighter_objective

    assert tighter_objective(current, worst) == tighter
    assert looser_objective(current, worst) == looser


def test_the_monthly_tighten_advice_names_the_ladder_s_next_objective(example_report):
    from dataclasses import replace

    from reports.policy import recommend, zones_of

    result = example_report.service("feature-store").slos[0].result
    quiet = replace(
        result,
        objective=0.95,
        sli=0.99,
        status="met",
        budget=replace(result.budget, consumed=0.2, remaining=0.8),
        incidents=(),
        alerts=(),
        coverage=1.0,
    )
    zones = zones_of(PolicyConfig())
    advice = recommend(quiet, zones[0], zones, 0.2, "UTC")
    assert advice[-1].text == (
        "Met with 80% of the budget unused: consider tightening the objective to 98%, "
        "or spend the budget on faster releases."
    )
