"""The quarterly review from three hand-made months: every recommendation branch, pooled SLIs."""

from datetime import UTC, datetime

import pytest

from reports.archive import slo_months
from reports.review.quarter import Quarter, review_quarter

NOW = datetime(2027, 1, 2, 6, tzinfo=UTC)


def slo(name, objective, good, total, status, consumed, zone="green", incidents=()):
    return {
        "slo": name,
        "objective": objective,
        "good_events": good,
        "total_events": total,
        "sli": good / total if total else None,
        "status": status,
        "budget": {"consumed": consumed},
        "zone": zone,
        "incidents": [{"budget_share": s, "postmortem_required": s > 0.2} for s in incidents],
        "customers": None,
    }


def month(name, api, batch, db):
    return {
        "month": name,
        "services": [{"name": "api", "slos": api}, {"name": "batch", "slos": batch}, {"name": "db", "slos": db}],
    }


# Objectives: api/availability 99.9% (met all months, little budget used -> tighten);
# api/latency 95% (missed twice by large incidents -> reliability); batch/job-success 95%
# (missed twice, steadily -> loosen); db/availability changed 99.9% -> 99.95% in November (keep).
OCTOBER = month(
    "2026-10",
    [
        slo("availability", 0.999, 999_900, 1_000_000, "met", 0.1),
        slo("latency", 0.95, 930, 1000, "missed", 1.4, "red", incidents=(1.2,)),
    ],
    [slo("job-success", 0.95, 92, 100, "missed", 1.6, "red", incidents=(0.2,))],
    [slo("availability", 0.999, 9_995, 10_000, "met", 0.5, "yellow")],
)
NOVEMBER = month(
    "2026-11",
    [
        slo("availability", 0.999, 1_999_700, 2_000_000, "met", 0.15),
        slo("latency", 0.95, 960, 1000, "met", 0.8, "yellow", incidents=(0.5,)),
    ],
    [slo("job-success", 0.95, 94, 100, "missed", 1.2, "red")],
    [slo("availability", 0.9995, 19_992, 20_000, "met", 0.8, "orange")],
)
DECEMBER = month(
    "2026-12",
    [
        slo("availability", 0.999, 2_999_400, 3_000_000, "met", 0.2),
        slo("latency", 0.95, 900, 1000, "missed", 2.0, "red", incidents=(1.5,)),
    ],
    [slo("job-success", 0.95, 96, 100, "met", 0.8, "yellow")],
    [slo("availability", 0.9995, 9_990, 10_000, "missed", 2.0, "red", incidents=(1.9,))],
)


@pytest.fixture
def review():
    months = [slo_months(m) for m in (OCTOBER, NOVEMBER, DECEMBER)]
    return review_quarter("T", Quarter(2026, 4), months, (), {"api": ["db"]}, NOW)


def find(review, service, name):
    return next(s for s in review.slos if (s.service, s.slo) == (service, name))


def test_quarter_sli_pools_the_events_of_all_months(review):
    availability = find(review, "api", "availability")
    assert (availability.good_events, availability.total_events) == (5_999_000, 6_000_000)
    assert availability.sli == pytest.approx(5_999_000 / 6_000_000)  # the months' mean SLI would be 0.99986...
    # Budget used is pooled: (100 + 300 + 600) bad / (1,000 + 2,000 + 3,000) allowed, not the months' mean (15%).
    assert availability.budget_used == pytest.approx(1_000 / 6_000)


def test_met_every_month_with_little_budget_used_suggests_the_next_objective_all_months_met(review):
    availability = find(review, "api", "availability")
    assert availability.recommendation == "tighten" and availability.suggested_objective == 0.9995
    assert availability.reason.startswith(
        "Met all 3 months using 16.7% of the quarter's budget; every month would "
        "also have met 99.95% (worst month 99.980%)."
    )
    assert availability.reason.endswith("User happiness and toil are not in this data; check both before acting.")


def test_missed_twice_through_large_incidents_puts_reliability_first(review):
    latency = find(review, "api", "latency")
    assert latency.recommendation == "reliability" and latency.missed_months == 2
    assert "Missed 2 of 3 months, and incidents used 79.5% of the budget spent in those months" in latency.reason
    # (1.2 + 1.5) / (1.4 + 2.0) = 0.794..., rounded up as every share used
    assert latency.postmortems == 3  # 120%, 50% and 150% of a month's budget


def test_missed_twice_steadily_suggests_loosening_to_what_every_month_met(review):
    batch = find(review, "batch", "job-success")
    assert batch.recommendation == "loosen"
    assert batch.suggested_objective == 0.9  # worst month 92%: the ladder's step at or below it
    assert "a steady shortfall" in batch.reason and "loosen the objective to 90% (every month met it)" in batch.reason
    assert batch.zone_months == (("red", 2), ("yellow", 1))


def test_an_objective_changed_mid_quarter_is_shown_per_month(review):
    db = find(review, "db", "availability")
    assert db.objectives == (0.999, 0.9995) and db.objective_changed
    assert [m.objective for m in db.months] == [0.999, 0.9995, 0.9995]
    assert db.recommendation == "keep"
    assert "The objective changed during the quarter (99.9% → 99.95%)" in db.reason


def test_an_objective_stricter_than_its_dependencies_allow_is_flagged():
    months = [slo_months(m) for m in (OCTOBER, NOVEMBER, DECEMBER)]
    loose_db = {
        "month": "2026-12",
        "services": [
            {"name": "api", "slos": DECEMBER["services"][0]["slos"]},
            {"name": "db", "slos": [slo("availability", 0.998, 9_990, 10_000, "met", 0.5)]},
        ],
    }
    months[2] = slo_months(loose_db)
    availability = find(review_quarter("T", Quarter(2026, 4), months, (), {"api": ["db"]}, NOW), "api", "availability")
    assert availability.dependency_ceiling == 0.998 and availability.stricter_than_dependencies
    assert "stricter than its dependencies allow (their objectives multiply to 99.8%)" in availability.reason


def test_a_month_missing_for_one_slo_is_a_gap_not_a_zero(review):
    months = [slo_months(m) for m in (OCTOBER, NOVEMBER)] + [{}]
    availability = find(review_quarter("T", Quarter(2026, 4), months, (), {}, NOW), "api", "availability")
    assert availability.months[2] is None and availability.total_events == 3_000_000
    assert availability.recommendation == "keep"  # two of three months: not enough to tighten


def test_quarter_parsing():
    assert [str(m) for m in Quarter.parse("2026-q4").months] == ["2026-10", "2026-11", "2026-12"]
    with pytest.raises(ValueError, match="write YYYY-QN"):
        Quarter.parse("2026-Q5")


def _every_step(busy: dict[str, tuple[int, int]]) -> str:
    """api/availability rows for every 5-minute step of 2026-Q4: (good, total) from ``busy``, else 0, 0."""
    from datetime import timedelta

    lines, t = ["timestamp,service,slo,good,total"], datetime(2026, 10, 1, tzinfo=UTC)
    while t < datetime(2027, 1, 1, tzinfo=UTC):
        at = f"{t:%Y-%m-%dT%H:%M:%SZ}"
        good, total = busy.get(at, (0, 0))
        lines.append(f"{at},api,availability,{good},{total}")
        t += timedelta(minutes=5)
    return "\n".join(lines) + "\n"


@pytest.mark.render
def test_quarterly_command_computes_a_missing_month_from_the_source_and_says_so(tmp_path):
    import json

    from click.testing import CliRunner
    from freezegun import freeze_time

    from reports.cli import main

    # One busy step a month, and every other step reported without traffic: whole months, not partial ones.
    busy = {
        "2026-10-15T12:00:00Z": (990, 1000),
        "2026-11-15T12:00:00Z": (2000, 2000),
        "2026-12-15T12:00:00Z": (2997, 3000),
    }
    (tmp_path / "events.csv").write_text(_every_step(busy))
    config = tmp_path / "slo.yaml"
    config.write_text(
        "source: {path: events.csv}\nservices: [{name: api, slos: [{name: availability, objective: 0.99}]}]\n"
    )
    runner = CliRunner()
    with freeze_time("2027-01-02 06:00:00"):
        for month in ("2026-10", "2026-11"):
            assert (
                runner.invoke(
                    main, ["run", "--config", str(config), "--month", month, "--output", str(tmp_path / "out")]
                ).exit_code
                == 0
            )
        result = runner.invoke(
            main, ["quarterly", "--config", str(config), "--quarter", "2026-Q4", "--output", str(tmp_path / "out")]
        )
    assert result.exit_code == 0, result.output
    folder = tmp_path / "out" / "2026-Q4"
    assert sorted(p.name for p in folder.iterdir()) == ["review.csv", "review.html", "review.json", "review.pdf"]
    review = json.loads((folder / "review.json").read_text())
    assert review["computed_months"] == ["2026-12"]
    [slo] = review["slos"]
    assert (slo["good_events"], slo["total_events"]) == (5987, 6000)
    assert slo["sli"] == pytest.approx(5987 / 6000)
    assert "2026-12 had no report.json in the output folder" in (folder / "review.html").read_text()
    assert (folder / "review.pdf").read_bytes().startswith(b"%PDF")
    rows = (folder / "review.csv").read_text().splitlines()
    assert rows[0].startswith("quarter,service,slo,period,objective")
    assert rows[-1].startswith("2026-Q4,api,availability,2026-Q4,0.99,5987,6000,")


def test_a_quarter_that_has_not_ended_is_refused(tmp_path):
    from click.testing import CliRunner
    from freezegun import freeze_time

    from reports.cli import main

    config = tmp_path / "slo.yaml"
    config.write_text(
        "source: {path: events.csv}\nservices: [{name: api, slos: [{name: availability, objective: 0.99}]}]\n"
    )
    with freeze_time("2026-12-15 00:00:00"):
        result = CliRunner().invoke(
            main, ["quarterly", "--config", str(config), "--quarter", "2026-Q4", "--output", str(tmp_path)]
        )
    assert result.exit_code == 1
    assert "2026-Q4 has not ended yet (it ends 2027-01-01 00:00 UTC); review it after that" in result.output


@pytest.mark.render
def test_each_monthly_report_carries_the_earlier_months_and_the_trend(tmp_path):
    import json

    from reports.config import load_config
    from reports.pipeline import run_month
    from reports.sources import source_for
    from reports.window import Month

    (tmp_path / "events.csv").write_text(
        "timestamp,service,slo,good,total\n"
        "2026-09-15T12:00:00Z,api,availability,999,1000\n"
        "2026-10-15T12:00:00Z,api,availability,990,1000\n"
    )
    (tmp_path / "slo.yaml").write_text(
        "source: {path: events.csv}\nservices: [{name: api, slos: [{name: availability, objective: 0.99}]}]\n"
    )
    config, _ = load_config(tmp_path / "slo.yaml")
    for month in (Month(2026, 9), Month(2026, 10)):
        run_month(config, source_for(config), month, NOW, tmp_path / "out")
    [slo] = json.loads((tmp_path / "out" / "2026-10" / "report.json").read_text())["services"][0]["slos"]
    assert slo["history"] == [
        {
            "month": "2026-09",
            "objective": 0.99,
            "sli": 0.999,
            "status": "met",
            "budget_consumed": pytest.approx(0.1),
            "zone": "green",
        }
    ]
    assert {
        "kind": "trend",
        "text": "Budget use rose from 10.0% in September 2026 to 100.0%. September 2026 had data for only 0.0% of "
        "the month, so this compares with a partial month.",
        "short": "budget use up from 10.0%",
    } in slo["recommendations"]
    html = (tmp_path / "out" / "2026-10" / "api.html").read_text()
    assert "Earlier months" in html and 'aria-label="Error budget consumed per month"' in html
    assert '<td>Sep 2026 <span class="flag">partial</span></td>' in html  # one row in a month: 0.0% coverage
    assert "not judged: too little data" in html
    september = (tmp_path / "out" / "2026-09" / "api.html").read_text()
    assert "Earlier months" not in september  # nothing before September in the folder


@pytest.mark.render
def test_a_computed_month_the_source_could_not_count_fails_the_review(tmp_path):
    from click.testing import CliRunner
    from freezegun import freeze_time

    from reports.cli import main

    (tmp_path / "events.csv").write_text(
        "timestamp,service,slo,good,total\n2026-10-15T12:00:00Z,api,availability,9,10\n"
    )
    config = tmp_path / "slo.yaml"
    config.write_text(
        "source: {path: events.csv}\nservices: [{name: api, slos: [{name: availability, objective: 0.99}]}]\n"
    )
    with freeze_time("2027-01-02 06:00:00"):
        result = CliRunner().invoke(
            main, ["quarterly", "--config", str(config), "--quarter", "2026-Q4", "--output", str(tmp_path / "out")]
        )
    assert result.exit_code == 1
    assert "error: 2026-11: the file events.csv has rows for api/availability, but none from" in result.output
    assert "The source could not count:" in (tmp_path / "out" / "2026-Q4" / "review.html").read_text()


def _csv_quarter(path, december_days=2):
    """api/availability at 99.9%: October and November whole and met (0.05% errors), December with data
    for its first ``december_days`` days only, all of them at 1% errors."""
    from datetime import timedelta

    lines = ["timestamp,service,slo,good,total"]
    t = datetime(2026, 10, 1, tzinfo=UTC)
    december_end = datetime(2026, 12, 1 + december_days, tzinfo=UTC)
    while t < december_end:
        bad = 10 if t.month == 12 else 1 if t.minute == 0 and t.hour % 2 == 0 else 0
        lines.append(f"{t:%Y-%m-%dT%H:%M:%SZ},api,availability,{1000 - bad},1000")
        t += timedelta(minutes=5)
    path.write_text("\n".join(lines) + "\n")


def test_a_partial_month_is_shown_never_judged(tmp_path):
    """December has 2 of 31 days of data (6.5%, far more missing than a 0.1% budget absorbs): it must not
    read as "missed, red, 1000%" nor count in the verdict, the met/missed tally or the budget used."""
    from click.testing import CliRunner
    from freezegun import freeze_time

    from reports.cli import main

    _csv_quarter(tmp_path / "events.csv")
    config = tmp_path / "slo.yaml"
    config.write_text(
        "source: {path: events.csv}\nservices: [{name: api, owner: web, slos: [{name: availability, objective: 0.999}]}]\n"
    )
    with freeze_time("2027-01-02 06:00:00"):
        result = CliRunner().invoke(
            main, ["quarterly", "--config", str(config), "--quarter", "2026-Q4", "--output", str(tmp_path / "out")]
        )
    assert result.exit_code == 0, result.output
    import json

    [slo] = json.loads((tmp_path / "out" / "2026-Q4" / "review.json").read_text())["slos"]
    assert slo["partial_months"] == ["2026-12"]
    assert (slo["met_months"], slo["missed_months"], slo["whole_months"]) == (2, 0, 2)
    # Pooled over October and November: one bad event every 2 hours, 372 + 360 = 732 bad, against
    # (8,928,000 + 8,640,000) × 0.001 = 17,568 allowed: 4.17%.
    assert slo["budget_used"] == pytest.approx(732 / 17568)
    assert slo["recommendation"] == "keep"  # two whole months are not a quarter: no tightening on them
    assert slo["reason"].startswith(
        "Counted over 2 whole months; left out as partial: December 2026 (data for 6.4% of it). Met 2 of 2 months, "
        "4.2% of the quarter's budget used: keep the objective."
    )
    from conftest import pdf_page_texts

    pages = pdf_page_texts((tmp_path / "out" / "2026-Q4" / "review.pdf").read_bytes())
    first = pages[0]
    assert "Partial months are left out of the verdicts." in first
    assert "api availability 99.9%" in first and "2 / 0 of 2 1 partial 4.2% keep" in first
    text = " ".join(pages)
    assert "2026-12 partial 99.9% 99.00% not judged: data for only 6.4% of the month" in text
    assert slo["total_events"] == 17_568_000  # the quarter's SLI pools the whole months' events only
    assert "99.00% missed" not in text and "1000.0%" not in text  # December is not a "missed, red, 1000%" month
    assert "zones: green 2 months" in text and " red " not in text.split("How to read")[0]
