"""The file source and the seam every source hands over: hand-checked arrays, and clear errors for bad files."""

from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from reports.sources import (
    COLUMNS,
    CountStream,
    CustomerCounts,
    EventCounts,
    SloCounts,
    SourceError,
    StepGrid,
    long_frame,
    source_for,
)
from reports.sources import file as file_source
from tests.conftest import make_config

START = datetime(2026, 10, 1, tzinfo=UTC)
END = datetime(2026, 11, 1, tzinfo=UTC)


def fetch(tmp_path: Path, text: str):
    (tmp_path / "events.csv").write_text(text)
    config = make_config(tmp_path)
    return source_for(config).fetch(config, START, END)


def test_rows_are_filtered_to_the_window_and_the_catalogue(tmp_path: Path):
    counts = fetch(
        tmp_path,
        "timestamp,service,slo,customer,good,total\n"
        "2026-09-30T23:55:00Z,api,availability,acme,1,1\n"
        "2026-10-01T00:00:00Z,api,availability,acme,9,10\n"
        "2026-10-01T00:00:00Z,other,availability,acme,5,5\n"
        "2026-11-01T00:00:00Z,api,availability,acme,1,1\n",
    )
    assert tuple(counts.frame.columns) == COLUMNS
    assert counts.frame[["good", "total"]].values.tolist() == [[9, 10]]
    assert str(counts.frame["timestamp"].dt.tz) == "UTC"


def test_customer_column_is_optional(tmp_path: Path):
    counts = fetch(tmp_path, "timestamp,service,slo,good,total\n2026-10-01T00:00:00Z,api,availability,9,10\n")
    assert counts.frame["customer"].tolist() == [""]


@pytest.mark.parametrize(
    "text, message",
    [
        (
            "timestamp,service,slo,good\n",
            "missing column(s) total; the header must be timestamp,service,slo,customer,good,total",
        ),
        (
            "timestamp,service,slo,good,total\n2026-10-01T00:00:00Z,api,availability,11,10\n",
            "line 2: good and total must be whole numbers with 0 <= good <= total (1 such row(s)); fix the data",
        ),
        ("timestamp,service,slo,good,total\nyesterday,api,availability,1,1\n", "timestamp column"),
    ],
)
def test_bad_files_give_errors_that_name_the_problem(tmp_path: Path, text, message):
    with pytest.raises(SourceError) as caught:
        fetch(tmp_path, text)
    assert message in str(caught.value)


def test_a_missing_file_names_the_key(tmp_path: Path):
    config = make_config(tmp_path)
    with pytest.raises(SourceError, match=r"source.path: .*events.csv does not exist; check the path"):
        source_for(config).fetch(config, START, END)


@pytest.mark.parametrize("good, total", [("1.5", "2"), ("1", "inf"), ("1", "")])
def test_counts_must_be_whole_finite_numbers(tmp_path: Path, good, total):
    with pytest.raises(SourceError, match="line 2: good and total must be whole numbers"):
        fetch(tmp_path, f"timestamp,service,slo,good,total\n2026-10-01T00:00:00Z,api,availability,{good},{total}\n")


def test_a_duplicated_row_would_count_twice_and_is_refused(tmp_path: Path):
    with pytest.raises(SourceError, match=r"line 3: a second row for the same timestamp, service, SLO and customer"):
        fetch(
            tmp_path,
            "timestamp,service,slo,customer,good,total\n"
            "2026-10-01T00:00:00Z,api,availability,acme,1,1\n2026-10-01T00:00:00Z,api,availability,acme,1,1\n",
        )


def test_an_slo_without_rows_is_a_problem_that_names_what_the_file_has(tmp_path: Path):
    counts = fetch(tmp_path, "timestamp,service,slo,good,total\n2026-10-01T00:00:00Z,API,availability,1,1\n")
    assert counts.problems == {
        ("api", "availability"): "the file events.csv has no rows for api/availability at all "
        "(it has API/availability); check the service and SLO names"
    }
    later = fetch(tmp_path, "timestamp,service,slo,good,total\n2026-12-01T00:00:00Z,api,availability,1,1\n")
    assert later.problems[("api", "availability")] == (
        "the file events.csv has rows for api/availability, but none from 2026-10-01 00:00 to 2026-11-01 00:00 UTC"
    )


# --- the seam: counts per SLO on the step grid ----------------------------------------------

TWO_SLOS = [
    {
        "name": "api",
        "slos": [{"name": "availability", "objective": 0.999, "sla": True}, {"name": "latency", "objective": 0.99}],
    }
]
CUSTOMERS = {"tiers": {"free": {"objective": 0.99}}, "default_tier": "free"}
FOUR_STEPS = (START, START + timedelta(minutes=20))


def stream(tmp_path: Path, text: str, **overrides):
    (tmp_path / "events.csv").write_text(text)
    config = make_config(tmp_path, **overrides)
    return {(c.service, c.slo): c for c in source_for(config).stream(config, *FOUR_STEPS)}


def test_a_stream_lays_each_slo_on_the_grid_summing_a_step_and_keeping_customers_apart(tmp_path: Path):
    counts = stream(
        tmp_path,
        "timestamp,service,slo,customer,good,total\n"
        "2026-10-01T00:00:00Z,api,availability,acme,9,10\n"
        "2026-10-01T00:00:00Z,api,availability,globex,5,5\n"
        "2026-10-01T00:02:30Z,api,availability,,1,2\n"  # off the grid: the step it falls in
        "2026-10-01T00:10:00Z,api,availability,acme,0,0\n"  # data without traffic
        "2026-10-01T00:00:00Z,api,latency,acme,3,4\n"
        "2026-10-01T00:05:00Z,api,latency,globex,6,6\n"
        "2026-10-01T00:20:00Z,api,latency,globex,6,6\n",  # the range's end: outside
        services=TWO_SLOS,
        customers=CUSTOMERS,
    )
    availability, latency = counts[("api", "availability")], counts[("api", "latency")]
    nan = np.nan
    np.testing.assert_array_equal(availability.good, [15, nan, 0, nan])
    np.testing.assert_array_equal(availability.total, [17, nan, 0, nan])
    assert availability.customers.names == ("acme", "globex")  # the row without a customer is in the totals only
    np.testing.assert_array_equal(availability.customers.good, [[9, nan, 0, nan], [5, nan, nan, nan]])
    np.testing.assert_array_equal(availability.customers.total, [[10, nan, 0, nan], [5, nan, nan, nan]])
    np.testing.assert_array_equal(latency.total, [4, 6, nan, nan])
    assert latency.customers is None  # not SLA-covered: customers summed
    assert availability.problem is None


def test_a_long_frame_plugs_in_with_one_call_and_groups_in_catalogue_order(tmp_path: Path):
    frame = pd.DataFrame(
        {
            "timestamp": pd.to_datetime(["2026-10-01T00:05:00Z", "2026-10-01T00:00:00Z", "2026-10-01T00:00:00Z"]),
            "service": ["api", "api", "api"],
            "slo": ["latency", "availability", "latency"],
            "customer": ["", "acme", ""],
            "good": [1, 2, 3],
            "total": [1, 4, 3],
        }
    )
    config = make_config(tmp_path, services=TWO_SLOS, customers=CUSTOMERS)
    counts = EventCounts(frame, timedelta(minutes=5), *FOUR_STEPS, problems={("api", "latency"): "boom"})
    availability, latency = counts.stream(config)
    assert (availability.slo, latency.slo) == ("availability", "latency")
    np.testing.assert_array_equal(latency.total, [3, 1, np.nan, np.nan])
    assert latency.problem == "boom" and availability.customers.names == ("acme",)


def test_fetch_gives_the_streams_counts_as_the_long_frame(tmp_path: Path):
    (tmp_path / "events.csv").write_text(
        "timestamp,service,slo,customer,good,total\n"
        "2026-10-01T00:00:00Z,api,availability,acme,9,10\n"
        "2026-10-01T00:00:00Z,api,availability,,1,1\n"
        "2026-10-01T00:05:00Z,api,availability,,2,2\n"
    )
    config = make_config(tmp_path, services=TWO_SLOS, customers=CUSTOMERS)
    frame = source_for(config).fetch(config, *FOUR_STEPS).frame
    rows = frame[["customer", "good", "total"]].values.tolist()
    assert sorted(rows) == [["", 1, 1], ["", 2, 2], ["acme", 9, 10]]


def test_the_long_frame_keeps_unlabelled_predictions_where_customers_hold_every_event(tmp_path: Path):
    """A model-quality SLO kept per customer: step 0's 3 unlabelled predictions have no row of their
    own (acme holds all its events), and must survive the long frame and its grouping back."""
    grid = StepGrid(*FOUR_STEPS, timedelta(minutes=5))
    nan = np.nan
    counts = SloCounts(
        "api",
        "availability",
        good=np.array([9.0, 2, nan, nan]),
        total=np.array([10.0, 2, nan, nan]),
        customers=CustomerCounts(("acme",), np.array([[9.0, nan, nan, nan]]), np.array([[10.0, nan, nan, nan]])),
        unlabelled=np.array([3.0, 1, nan, nan]),
    )
    frame = long_frame(CountStream(grid, [counts]))
    config = make_config(tmp_path, services=TWO_SLOS, customers=CUSTOMERS)
    again, _ = EventCounts(frame, grid.step, grid.start, grid.end).stream(config)
    np.testing.assert_array_equal(again.unlabelled, [3, 1, nan, nan])
    np.testing.assert_array_equal(again.total, [10, 2, nan, nan])
    np.testing.assert_array_equal(again.customers.total, [[10, nan, nan, nan]])


def test_a_duplicate_or_a_bad_count_is_found_across_the_parts_of_a_large_file(tmp_path: Path, monkeypatch):
    monkeypatch.setattr(file_source, "CHUNK_ROWS", 2)
    header = "timestamp,service,slo,customer,good,total\n"
    row = "2026-10-01T00:{:02d}:00Z,api,availability,acme,{},1\n"
    with pytest.raises(SourceError, match=r"line 5: a second row for the same timestamp.*\(1 such row"):
        stream(tmp_path, header + row.format(0, 1) + row.format(5, 1) + row.format(10, 1) + row.format(0, 1))
    with pytest.raises(SourceError, match=r"line 3: good and total must be whole numbers .*\(2 such row"):
        stream(tmp_path, header + row.format(0, 1) + row.format(5, 2) + row.format(10, 1) + row.format(15, 3))
    other_customer = "2026-10-01T00:00:00Z,api,availability,globex,1,1\n"
    assert stream(tmp_path, header + row.format(0, 1) + other_customer)[("api", "availability")].total[0] == 2
