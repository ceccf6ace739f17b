"""What every document of a month says about the month it covers (its own module, so the
page contexts and the customer sections both use it without importing each other)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class DocumentMeta:
    """What every document says about the month it covers."""

    title: str
    month: str
    """``2026-10``."""
    month_label: str
    """``October 2026``."""
    timezone: str
    window_kind: str
    window_kind_label: str
    """``calendar month`` or ``rolling window``."""
    window_start: datetime
    window_end: datetime
    window_days: float
    window_minutes: float
    generated_at: datetime
    source: str
    step_minutes: float
    day_axis: str
    """The charts' x-axis title: ``day of October 2026``, or the dates of a 30-day window."""
