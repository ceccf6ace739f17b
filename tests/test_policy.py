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
    availability, latency, _quality = model_api.slos
    assert model_api.zone.name == "yellow"
    assert availability.recommendations[0].kind == "zone"
    assert availability.recommendations[0].text == (
        "Zone yellow (29.5% of the budget left, green needs 75%): Ship with care: every change needs a senior "
        "engineer's approval. May ship feature, bugfix, security, refactor, with senior engineer approval; notify "
        "engineering manager."
    )
    # 3,480 bad events in the incident / 12,522.35 allowed = 0.2779...: a share used is rounded up.
    assert availability.recommendations[1].text == (
        "Postmortem required (INC-2207, owner ml-serving (Priya Raman), postmortem linked): the incident of 22 Oct 14:00–14:40 UTC used 27.8% of the month's budget "
        "(the policy asks for one above 20%); agree at least one top-priority (P0) action."
    )
    batch = example_report.service("batch-inference").slos[0]
    assert batch.zone.name == "red"
    # 8 of 124 jobs failed against 6.2 allowed: 129.03% used.
    assert [a.text for a in batch.recommendations] == [
        "Missed the 95% objective (SLI 93.54%): reliability work comes before feature work until the service "
        "is back within its objective.",
        "The error budget is overspent: 129.1% of it was used (29.1% more than the objective allows).",
        "Zone red (budget overspent by 29.1%, orange needs 0%): Release freeze: security fixes only; data-loss "
        "fixes by exception with VP approval. May ship security, with VP engineering approval; notify engineering "
        "manager, VP engineering, executives.",
        "Postmortem owed, no record (add an incident note with its owner): the run of 03 Oct (4 of 4 jobs failed) used 64.6% of the month's budget (the policy "
        "asks for one above 20%); agree at least one top-priority (P0) action.",
    ]


def test_plain_words_no_unexplained_jargon(example_report):
    """No "1h/5m 14.4×" and no bare "P0"; a burn is said to have been going on when the month ended, never "now"."""
    texts = [a.text for s in example_report.services for slo in s.slos for a in slo.recommendations]
    assert not any("1h/5m" in t or "×" in t or "burning now" in t for t in texts)
    assert all("top-priority (P0)" in t for t in texts if "P0" in t)
    store = example_report.service("feature-store").slos[0]
    assert [a.kind for a in store.recommendations] == ["zone", "burning", "coverage"]
    assert store.recommendations[1].text == (
        "Was still burning budget when the month ended: the page alert was firing (errors over the last hour, "
        "confirmed over the last 5 minutes, at more than 14.4 times the rate that spends the budget in exactly a "
        "month). Check the burn has stopped before releasing."
    )


def test_a_data_gap_larger_than_the_allowed_downtime_is_a_finding(example_report):
    """Feature-store availability: 2 h without data, 99.99% over 31 days allows 4.464 min; 99.7% coverage would
    pass a fixed 99% threshold."""
    store = example_report.service("feature-store").slos[0]
    assert store.result.coverage > 0.99
    assert store.recommendations[2].text == (
        "No data for 2 h 00 min in 1 gap, more than the 4.5 min of downtime the objective allows: a miss could "
        "hide in the gap, so the verdict is not safe. Fix the telemetry gap."
    )
    assert store.recommendations[2].short == "no data for 2 h 00 min (allowance 4.5 min)"
    # The latency SLO (99%, allowance 7 h 26 min) has the same 2 h gap: within what its budget absorbs.
    latency = example_report.service("feature-store").slos[1]
    assert [a.kind for a in latency.recommendations] == ["zone"]


def test_may_ship_always_names_the_approval():
    from reports.policy import may_ship

    green, yellow, orange, red = ZONES
    assert may_ship(green) == "May ship feature, bugfix, security, refactor, with standard code review"
    assert may_ship(red) == "May ship security, with VP engineering approval"


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
        "api is in zone red (availability budget left −29.0%); feature changes are blocked (allowed: security)"
    )
    allowed = check_deploy(_service("red", ["security"], -0.29), "security")
    assert allowed.allowed and allowed.approval == "VP engineering approval"
    assert check_deploy(_service("no data", ["bugfix", "security"], None), "feature").reason.startswith(
        "api is in zone no data (availability no data)"
    )


def test_trend_compares_budget_use_with_the_previous_report(example_report):
    from dataclasses import replace

    from reports.policy import trend_advice

    result = example_report.service("model-api").slos[0].result  # 70.497% used
    september = SloMonth(
        Month(2026, 9),
        "model-api",
        "availability",
        0.999,
        99,
        100,
        0.99969,
        "met",
        0.31,
        "yellow",
        0,
        0,
        0.0,
        0,
        (),
        coverage=1.0,
    )
    assert trend_advice(result, september).text == "Budget use rose from 31.0% in September 2026 to 70.5%."
    assert trend_advice(result, replace(september, budget_consumed=0.9, objective=0.995)).text == (
        "Budget use fell from 90.0% in September 2026 to 70.5%. The objective changed from 99.5%."
    )
    assert trend_advice(result, replace(september, budget_consumed=None)) is None
    assert trend_advice(result, None) is None


def test_a_trend_against_a_partial_month_says_so(example_report):
    """September 2026 of the example has 3 days of 30 (10% coverage): "fell from 477%" needs its caveat."""
    from reports.policy import trend_advice

    result = example_report.service("model-api").slos[0].result
    september = SloMonth(
        Month(2026, 9),
        "model-api",
        "availability",
        0.999,
        99,
        100,
        0.99,
        "missed",
        4.77,
        "red",
        0,
        0,
        0.0,
        0,
        (),
        coverage=0.1,
    )
    assert trend_advice(result, september).text == (
        "Budget use fell from 477.0% in September 2026 to 70.5%. September 2026 had data for only 10.0% of the "
        "month, so this compares with a partial month."
    )


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
        "Met with 80.0% of the budget unused: consider tightening the objective to 98%, "
        "or spend the budget on faster releases."
    )
