"""Which month a run reports on, and the exact UTC instants of its window.

Time is an input: callers pass ``now``; nothing here reads the clock. Durations are taken
from UTC instants, never from wall-clock arithmetic (November in New York is 721 hours).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

_MONTH_RE = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")

COVERAGE_WARNING = 0.99
"""Below this share of the window's steps with data, the source warns and the report recommends fixing the gap."""


@dataclass(frozen=True, order=True)
class Month:
    year: int
    month: int

    @classmethod
    def parse(cls, text: str) -> Month:
        match = _MONTH_RE.match(text.strip())
        if not match:
            raise ValueError(f"{text!r} is not a month; write YYYY-MM, e.g. 2026-10")
        return cls(int(match[1]), int(match[2]))

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    def next(self) -> Month:
        return Month(self.year + self.month // 12, self.month % 12 + 1)

    def previous(self) -> Month:
        return Month(self.year - (self.month == 1), (self.month - 2) % 12 + 1)

    def label(self) -> str:
        return datetime(self.year, self.month, 1).strftime("%B %Y")

    def start(self, tz: ZoneInfo) -> datetime:
        """Local midnight on the 1st, as a UTC instant."""
        return datetime(self.year, self.month, 1, tzinfo=tz).astimezone(UTC)


def previous_month(now: datetime, tz: ZoneInfo) -> Month:
    """The last complete calendar month in ``tz`` at the instant ``now`` (which must be aware)."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    local = now.astimezone(tz)
    return Month(local.year, local.month).previous()


@dataclass(frozen=True)
class ReportWindow:
    """The reporting window: [start, end) in UTC, plus what a reader needs to name it."""

    month: Month
    kind: str
    timezone: str
    start: datetime
    end: datetime

    @property
    def duration(self) -> timedelta:
        return self.end - self.start

    @property
    def minutes(self) -> float:
        return self.duration.total_seconds() / 60

    @property
    def days(self) -> float:
        return self.duration.total_seconds() / 86400

    def local(self, instant: datetime) -> datetime:
        return instant.astimezone(ZoneInfo(self.timezone))


def report_window(month: Month, tz_name: str, kind: str = "calendar-month") -> ReportWindow:
    tz = ZoneInfo(tz_name)
    end = month.next().start(tz)
    if kind == "calendar-month":
        start = month.start(tz)
    elif kind == "30d":
        start = end - timedelta(days=30)
    else:
        raise ValueError(f"unknown window kind {kind!r}; use calendar-month or 30d")
    return ReportWindow(month=month, kind=kind, timezone=tz_name, start=start, end=end)
