"""The file source: the same frame every source yields, and clear errors for bad files."""

from datetime import UTC, datetime
from pathlib import Path

import pytest

from reports.sources import COLUMNS, SourceError, source_for
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
