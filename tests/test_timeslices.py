"""Time-slice budgeting: hand-checked slices, and an SLO whose month is met by events but
missed by slices, carried through report.json and the service page."""

from __future__ import annotations

import gzip
import json
from datetime import UTC, datetime, timedelta

import jsonschema
import numpy as np
import pytest

from reports.compute.timeslices import bad_slice_ends, time_slices
from reports.config import ConfigError, parse_config
from reports.export import report_dict, schema
from reports.pipeline import build_month
from reports.render import render_service_html
from reports.sources import source_for
from reports.window import Month

NAN = np.nan


def test_slices_by_hand():
    """Six 10-minute slices of two 5-minute steps, slice target 90%, objective 50%:
    19/20 good · 17/20 bad · no data · idle (good) · 18/20 exactly on the target (good) · 1/2 bad."""
    good = np.array([10, 9, 9, 8, NAN, NAN, 0, NAN, 18, NAN, 1, NAN])
    total = np.array([10, 10, 10, 10, NAN, NAN, 0, NAN, 20, NAN, 2, NAN])
    result = time_slices(good, total, steps_per_slice=2, slice_target=0.9, objective=0.5, step_minutes=5)
    assert (result.slices, result.with_data, result.good, result.bad, result.no_data, result.idle) == (6, 5, 3, 2, 1, 1)
    assert result.sli == 3 / 5
    assert result.allowed_bad_slices == 2.5  # (1 − 0.5) × 5 slices with data
    assert result.allowed_minutes == 25.0  # × 10 minutes
    assert result.bad_minutes == 20.0
    assert result.consumed == 0.8  # 2 / 2.5
    assert result.remaining == pytest.approx(0.2)
    assert result.met is True
    assert np.flatnonzero(bad_slice_ends(good, total, 2, 0.9)).tolist() == [3, 11]  # where slices 1 and 5 end


def test_no_data_is_never_good():
    result = time_slices(np.full(4, NAN), np.full(4, NAN), 2, 0.9, 0.99, 5)
    assert (result.with_data, result.good, result.no_data, result.sli, result.consumed, result.met) == (
        0,
        0,
        2,
        None,
        None,
        None,
    )


OCTOBER = Month(2026, 10)


def _month_csv(path) -> None:
    """October 2026 (UTC) in 5-minute steps of 10 requests, all good, except: 3 steps without a row
    (no data), 10 steps with 9 of 10 good (below the 95% slice target), 2 idle steps (0 events) and
    one step with 19 of 20 good (exactly 95%: good)."""
    start = datetime(2026, 10, 1, tzinfo=UTC)
    steps = 31 * 288
    rows = ["timestamp,service,slo,customer,good,total"]
    for i in range(-3 * 288, steps):  # the look-back for burn rates too
        at = (start + timedelta(minutes=5 * i)).strftime("%Y-%m-%dT%H:%M:%SZ")
        if i in (100, 101, 5000):
            continue
        good, total = 10, 10
        if 2000 <= i < 2010:
            good = 9
        elif i in (3000, 3001):
            good = total = 0
        elif i == 4000:
            good, total = 19, 20
        rows.append(f"{at},api,uptime,,{good},{total}")
    with gzip.open(path, "wt") as handle:
        handle.write("\n".join(rows) + "\n")


def _config(tmp_path, **slo):
    data = {
        "title": "T",
        "source": {"type": "file", "path": "events.csv.gz"},
        "services": [{"name": "api", "slos": [{"name": "uptime", "objective": 0.999, **slo}]}],
    }
    return parse_config(data, tmp_path)[0]


def test_a_month_met_by_events_is_missed_by_slices(tmp_path):
    _month_csv(tmp_path / "events.csv.gz")
    config = _config(tmp_path, budgeting="timeslices", slice="5m", slice_target=0.95)
    report = build_month(config, source_for(config), OCTOBER, datetime(2026, 11, 2, tzinfo=UTC))
    result = report.services[0].slos[0].result
    slices = result.timeslices
    # 8928 slices; 3 without data; 10 bad; 8915 good (2 idle and the one exactly on the target among them)
    assert (slices.slices, slices.with_data, slices.good, slices.bad, slices.no_data, slices.idle) == (
        8928,
        8925,
        8915,
        10,
        3,
        2,
    )
    assert result.sli == 8915 / 8925  # 99.888…%, under 99.9%
    assert result.status == "missed"
    assert slices.allowed_bad_slices == pytest.approx(8.925)  # 0.1% of 8925
    assert slices.allowed_minutes == pytest.approx(44.625)
    assert result.budget.consumed == pytest.approx(10 / 8.925)
    assert result.budget.remaining == pytest.approx(1 - 10 / 8.925)
    # The burn-down spends slices too: the ten bad slices are steps 2000-2009 (7 Oct 22:40 to 23:30).
    assert result.burn_down[-1].remaining == pytest.approx(1 - 10 / 8.925)
    before = [p.remaining for p in result.burn_down if p.at <= datetime(2026, 10, 7, 22, tzinfo=UTC)]
    assert set(before) == {1.0}
    # The same events counted as occurrences: 89 229 good of 89 240, met.
    assert (result.good_events, result.total_events) == (89229, 89240)
    document = report_dict(report)
    jsonschema.validate(document, schema())
    assert document["services"][0]["slos"][0]["budgeting"] == "timeslices"
    assert document["services"][0]["slos"][0]["timeslices"]["with_data"] == 8925
    html = render_service_html(report, "api")
    assert "time slices" in html and "8,915 good of 8,925 slices with data" in html


def test_occurrences_is_the_default_and_says_so(tmp_path):
    _month_csv(tmp_path / "events.csv.gz")
    config = _config(tmp_path)
    report = build_month(config, source_for(config), OCTOBER, datetime(2026, 11, 2, tzinfo=UTC))
    result = report.services[0].slos[0].result
    assert (result.budgeting, result.timeslices, result.status, result.sli) == (
        "occurrences",
        None,
        "met",
        89229 / 89240,
    )
    assert "occurrences (events)" in render_service_html(report, "api")
    assert json.loads(json.dumps(report_dict(report)))["services"][0]["slos"][0]["timeslices"] is None


@pytest.mark.parametrize(
    ("slo", "line"),
    [
        (
            {"budgeting": "timeslices"},
            "services[0].slos[0]: budgeting: timeslices needs slice_target; add e.g. slice_target: 0.95",
        ),
        (
            {"slice_target": 0.9},
            "services[0].slos[0]: slice_target is set but budgeting is occurrences; add budgeting: timeslices or remove it",
        ),
        (
            {"budgeting": "timeslices", "slice_target": 0.9, "sla": True},
            "services[0].slos[0]: budgeting: timeslices with sla: true is not supported: customers' SLIs and credits "
            "count events, so the statement would not measure what the SLO does; remove one of them",
        ),
        (
            {"budgeting": "timeslices", "slice_target": 95},
            "services[0].slos[0].slice_target: 95 is not a fraction; write 0.95",
        ),
        (
            {"budgeting": "timeslices", "slice_target": 0.9, "slice": "7m"},
            "services[0].slos[0].slice: 7m is not a multiple of the source's step (5m); make it a multiple, e.g. 5m",
        ),
    ],
)
def test_timeslice_settings_are_checked(tmp_path, slo, line):
    with pytest.raises(ConfigError) as caught:
        _config(tmp_path, **slo)
    assert caught.value.problems == [line]
