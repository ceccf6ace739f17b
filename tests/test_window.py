"""Month resolution and window instants: time is an input, checked at the boundaries."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from freezegun import freeze_time

from reports.window import Month, previous_month, report_window

NEW_YORK = ZoneInfo("America/New_York")


def now() -> datetime:
    return datetime.now(UTC)


@pytest.mark.parametrize(
    "instant, tz, expected",
    [
        ("2026-11-01 06:00:00", "UTC", "2026-10"),
        ("2027-01-01 00:00:00", "UTC", "2026-12"),
        ("2026-11-01 08:00:00", "America/New_York", "2026-10"),  # 03:00 local, after DST ended
        ("2026-11-01 03:30:00", "America/New_York", "2026-09"),  # still 31 Oct 23:30 in New York
        ("2026-10-31 23:00:00", "Asia/Tokyo", "2026-10"),  # already 1 Nov 08:00 in Tokyo
    ],
)
def test_previous_month_at_frozen_instants(instant, tz, expected):
    with freeze_time(instant):
        assert str(previous_month(now(), ZoneInfo(tz))) == expected


def test_naive_now_is_refused():
    with pytest.raises(ValueError):
        previous_month(datetime(2026, 11, 1), NEW_YORK)


def test_calendar_month_in_new_york_follows_dst():
    october = report_window(Month(2026, 10), "America/New_York")
    assert october.start == datetime(2026, 10, 1, 4, tzinfo=UTC)
    assert october.end == datetime(2026, 11, 1, 4, tzinfo=UTC)
    assert october.minutes == 31 * 1440
    november = report_window(Month(2026, 11), "America/New_York")
    assert november.end == datetime(2026, 12, 1, 5, tzinfo=UTC)
    assert november.minutes == 30 * 1440 + 60  # 721 hours, not 720


def test_thirty_day_window_ends_at_the_month_end():
    window = report_window(Month(2026, 10), "UTC", "30d")
    assert window.start == datetime(2026, 10, 2, tzinfo=UTC)
    assert window.end == datetime(2026, 11, 1, tzinfo=UTC)
    assert window.minutes == 43200


def test_february_and_month_arithmetic():
    assert report_window(Month(2028, 2), "UTC").days == 29
    assert str(Month(2026, 1).previous()) == "2025-12" and str(Month(2026, 12).next()) == "2027-01"
    assert Month.parse("2026-10") == Month(2026, 10)
    with pytest.raises(ValueError, match="write YYYY-MM"):
        Month.parse("2026-13")
