"""Hand-checked figures for one SLO over one window (compute is pure: frames in, results out)."""

from datetime import UTC, datetime, timedelta

import pandas as pd
import pytest

from reports.compute import SloSpec, compute_slo
from reports.compute.burn import LOOKBACK
from reports.config import SloConfig
from reports.pipeline import slo_spec
from reports.window import Month, report_window
from tests.conftest import events, step_counts_of

STEP = timedelta(minutes=5)
UTC = UTC
OCTOBER = report_window(Month(2026, 10), "UTC")  # 31 days
NOVEMBER = report_window(Month(2026, 11), "UTC")  # 30 days


def steady(window, good: int, total: int, step=STEP) -> list[tuple[str, int, int]]:
    stamps = pd.date_range(window.start, window.end, freq=step, inclusive="left")
    return [(t.isoformat(), good, total) for t in stamps]


def slo(objective=0.999, **extra) -> SloSpec:
    return slo_spec(SloConfig(name="availability", objective=objective, **extra))


def counts(frame, window=OCTOBER, step=STEP):
    return step_counts_of(frame, window.start - LOOKBACK, window.end, step)


def compute(rows, window=OCTOBER, objective=0.999, step=STEP, **extra):
    frame = events(rows) if rows else events([])
    return compute_slo("api", slo(objective, **extra), counts(frame, window, step), window)


def with_burst(window, start: str, steps: int, bad: int, total: int = 1000):
    """Steady 1000 good events per step, except ``steps`` steps from ``start`` with ``bad`` bad events."""
    rows = steady(window, total, total)
    first = int((pd.Timestamp(start) - pd.Timestamp(window.start)) / pd.Timedelta(STEP))
    for i in range(first, first + steps):
        rows[i] = (rows[i][0], total - bad, total)
    return rows


def test_allowed_downtime_by_month_length():
    assert compute(steady(NOVEMBER, 10, 10), NOVEMBER).downtime.allowed_minutes == pytest.approx(43.2)
    assert compute(steady(OCTOBER, 10, 10)).downtime.allowed_minutes == pytest.approx(44.64)
    assert compute(steady(NOVEMBER, 10, 10), NOVEMBER, objective=0.9999).downtime.allowed_minutes == pytest.approx(4.32)


def test_ninety_five_percent_over_31_daily_runs_allows_1_55_failures_and_two_failures_overspend():
    runs = [(f"2026-10-{day:02d}T01:00:00Z", 1, 1) for day in range(1, 32)]
    runs[2] = ("2026-10-03T01:00:00Z", 0, 1)
    runs[16] = ("2026-10-17T01:00:00Z", 0, 1)
    result = compute(runs, objective=0.95, step=timedelta(days=1))
    assert result.budget.allowed_bad_events == pytest.approx(1.55)
    assert (result.good_events, result.total_events, result.bad_events) == (29, 31, 2)
    assert result.sli == pytest.approx(29 / 31)  # 93.548%
    assert result.status == "missed"
    assert result.margin == pytest.approx(29 / 31 - 0.95)
    assert result.budget.consumed == pytest.approx((2 / 31) / 0.05)  # 1.2903: 129% consumed
    assert result.budget.remaining == pytest.approx(1 - (2 / 31) / 0.05)
    assert result.budget.remaining < 0


def test_sli_is_event_weighted_not_an_average_of_step_ratios():
    result = compute([("2026-10-01T00:00:00Z", 0, 10), ("2026-10-01T00:05:00Z", 1000, 1000)], objective=0.9)
    assert result.sli == pytest.approx(1000 / 1010)  # the mean of the step ratios would be 0.5
    assert result.status == "met"


def test_customers_are_summed_within_a_step():
    frame = pd.concat(
        [
            events([("2026-10-01T00:00:00Z", 90, 100)], customer="acme"),
            events([("2026-10-01T00:00:00Z", 10, 10)], customer="globex"),
        ]
    )
    result = compute_slo("api", slo(0.5), counts(frame), OCTOBER)
    assert (result.good_events, result.total_events) == (100, 110)
    assert result.coverage == pytest.approx(1 / 8928)


def test_zero_traffic_is_no_data_not_100_percent():
    result = compute(steady(OCTOBER, 0, 0))
    assert result.status == "no data" and result.no_data_reason == "no events in the window"
    assert result.sli is None and result.budget.consumed is None and result.budget.remaining is None
    assert result.coverage == 1.0  # data was there: no traffic
    assert result.downtime.idle_minutes == pytest.approx(OCTOBER.minutes)
    assert result.downtime.measured_minutes == 0


def test_no_rows_at_all_is_no_data_with_zero_coverage():
    result = compute([])
    assert result.status == "no data" and result.coverage == 0.0
    assert result.downtime.no_data_minutes == pytest.approx(OCTOBER.minutes)


def test_a_source_problem_is_reported_as_no_data_with_its_reason():
    result = compute_slo("api", slo(), counts(events(steady(OCTOBER, 10, 10))), OCTOBER, problem="query failed: boom")
    assert (result.status, result.no_data_reason, result.total_events, result.coverage) == (
        "no data",
        "query failed: boom",
        0,
        0.0,
    )


def test_gaps_are_never_good_data():
    rows = steady(OCTOBER, 1000, 1000)
    first_half = rows[: len(rows) // 2]
    first_half[0] = (first_half[0][0], 900, 1000)
    result = compute(first_half)
    assert result.coverage == pytest.approx(0.5)
    assert result.downtime.no_data_minutes == pytest.approx(OCTOBER.minutes / 2)
    assert result.sli == pytest.approx(1 - 100 / (1000 * 4464))  # only observed events count
    assert result.downtime.down_slices == 1  # the step at 90%; the gap is not "up"


def test_window_edges_include_the_first_step_and_exclude_the_end():
    rows = [
        ("2026-09-30T23:55:00Z", 0, 1000),
        ("2026-10-01T00:00:00Z", 999, 1000),
        ("2026-10-31T23:55:00Z", 1000, 1000),
        ("2026-11-01T00:00:00Z", 0, 1000),
    ]
    result = compute(rows)
    assert (result.good_events, result.total_events) == (1999, 2000)


def test_measured_downtime_counts_slices_below_the_threshold():
    rows = with_burst(OCTOBER, "2026-10-10T12:00:00Z", steps=3, bad=20)  # 98% for 15 minutes
    result = compute(rows)
    assert result.downtime.down_below == 0.99
    assert (result.downtime.down_slices, result.downtime.measured_minutes) == (3, 15.0)
    assert result.downtime.error_equivalent_minutes == pytest.approx(60 / (1000 * 8928) * OCTOBER.minutes)
    hourly = compute(rows, downtime={"slice": "1h"})  # 60 bad in 12,000: 99.5% ≥ 99%
    assert (hourly.downtime.slice_minutes, hourly.downtime.down_slices) == (60.0, 0)


def test_incident_start_end_share_and_postmortem_flag():
    small = compute(with_burst(OCTOBER, "2026-10-14T02:00:00Z", steps=12, bad=100))
    [incident] = small.incidents
    assert incident.start == datetime(2026, 10, 14, 2, 0, tzinfo=UTC)
    assert incident.end == datetime(2026, 10, 14, 3, 0, tzinfo=UTC)
    assert incident.duration_minutes == 60
    assert incident.bad_events == 1200 and incident.peak_burn_rate == pytest.approx(100)
    assert incident.budget_share == pytest.approx(1200 / 8928)  # allowed: 0.1% of 8,928,000
    assert not incident.postmortem_required
    assert small.outside_incidents_share == pytest.approx(0)
    [large] = compute(with_burst(OCTOBER, "2026-10-14T02:00:00Z", steps=12, bad=200)).incidents
    assert large.budget_share == pytest.approx(2400 / 8928) and large.postmortem_required


def test_elevated_periods_close_together_merge_into_one_incident():
    rows = with_burst(OCTOBER, "2026-10-14T02:00:00Z", steps=2, bad=100)
    rows = [r if not r[0].startswith("2026-10-14T02:2") else (r[0], 900, 1000) for r in rows]  # 02:20, 02:25
    [incident] = compute(rows).incidents
    assert (incident.start.hour, incident.start.minute, incident.end.minute) == (2, 0, 30)
    assert incident.bad_events == 400
    apart = compute(rows, incidents={"merge_gap": "5m"}).incidents
    assert len(apart) == 2


def test_fast_burn_alert_fires_when_both_windows_exceed_14_4():
    result = compute(with_burst(OCTOBER, "2026-10-14T02:00:00Z", steps=12, bad=100))
    page_1h = result.alerts[0]
    assert (page_1h.long_window_minutes, page_1h.short_window_minutes, page_1h.threshold) == (60, 5, 14.4)
    # After one bad step the hour holds 100 bad in 12,000 (burn 8.3); after two, 16.7 > 14.4.
    [firing] = page_1h.firings
    assert firing.start == datetime(2026, 10, 14, 2, 10, tzinfo=UTC)
    assert firing.end == datetime(2026, 10, 14, 3, 5, tzinfo=UTC)  # first quiet evaluation
    assert not firing.ongoing and not page_1h.firing_at_end
    assert page_1h.long_burn_at_end == pytest.approx(0)


def test_burn_still_firing_at_the_window_end_is_reported_ongoing():
    rows = with_burst(OCTOBER, "2026-10-31T23:00:00Z", steps=12, bad=100)
    page_1h = compute(rows).alerts[0]
    assert page_1h.firing_at_end and page_1h.firings[-1].ongoing
    assert page_1h.long_burn_at_end == pytest.approx(100) and page_1h.short_burn_at_end == pytest.approx(100)
    assert page_1h.firings[-1].end == OCTOBER.end


def test_events_before_the_window_feed_the_alerts_but_not_the_sli():
    rows = steady(report_window(Month(2026, 9), "UTC"), 1000, 1000)[-12:]  # the last hour of September
    rows = [(t, 0, 1000) for t, _, _ in rows] + steady(OCTOBER, 1000, 1000)
    result = compute(rows)
    assert result.bad_events == 0 and result.sli == 1.0
    # The 1h/5m page stays quiet (its 5-minute window holds only October); the 3d/6h ticket's
    # windows still hold September's bad hour when October begins.
    assert result.alerts[0].firings == ()
    assert result.alerts[3].firings[0].start == OCTOBER.start + STEP
    assert result.alerts[3].firing_at_start and not result.alerts[0].firing_at_start
    assert result.incidents == ()


def test_daily_burn_follows_local_days():
    new_york = report_window(Month(2026, 10), "America/New_York")
    rows = steady(new_york, 1000, 1000)
    rows[0] = (rows[0][0], 990, 1000)  # 2026-10-01 04:00Z = midnight in New York
    result = compute(rows, window=new_york)
    assert len(result.days) == 31
    first = result.days[0]
    assert str(first.day) == "2026-10-01" and first.total == 288_000
    assert first.burn_rate == pytest.approx((10 / 288_000) / 0.001)
    assert first.budget_share == pytest.approx(10 / (0.001 * 8928 * 1000))


def test_burn_down_starts_full_and_ends_at_the_remaining_budget():
    result = compute(with_burst(OCTOBER, "2026-10-14T02:00:00Z", steps=12, bad=100))
    assert result.burn_down[0].remaining == 1.0 and result.burn_down[0].at == OCTOBER.start
    assert result.burn_down[-1].at == OCTOBER.end
    assert result.burn_down[-1].remaining == pytest.approx(result.budget.remaining)
    assert len(result.burn_down) == 31 * 24 + 1


@pytest.mark.parametrize("bad, remaining, zone", [(837, 0.25, "yellow"), (838, None, "orange"), (0, 1.0, "green")])
def test_zone_boundaries_are_exact(bad, remaining, zone):
    from reports.config import PolicyConfig
    from reports.policy import zone_for, zones_of

    # 99.9% over 1,116,000 events allows 1,116 bad; 837 bad leaves exactly 25%.
    result = compute([("2026-10-01T00:00:00Z", 1_116_000 - bad, 1_116_000)])
    if remaining is not None:
        assert result.budget.remaining == remaining
    assert zone_for(result.budget.remaining, zones_of(PolicyConfig())).name == zone


def test_an_sli_exactly_at_the_objective_meets_it():
    assert compute([("2026-10-01T00:00:00Z", 999, 1000)]).status == "met"
    assert compute([("2026-10-01T00:00:00Z", 998_999, 1_000_000)]).status == "missed"
