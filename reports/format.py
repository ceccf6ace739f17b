"""How figures are written in every document: one place, so HTML, PDF and sentences agree."""

from __future__ import annotations

import math
from datetime import datetime
from zoneinfo import ZoneInfo


def percent(value: float | None, digits: int | None = None) -> str:
    """``percent(0.9993)`` → ``99.930%``. Without ``digits``, enough decimals to show two
    significant digits of the distance to 100% (so 99.997% never rounds to 100%)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    if digits is None:
        gap = abs(1 - value) * 100
        digits = 1 if gap == 0 or gap >= 1 else min(4, 1 - math.floor(math.log10(gap)))
    return f"{value * 100:.{digits}f}%"


def objective(value: float) -> str:
    """``0.999`` → ``99.9%``, ``0.95`` → ``95%``."""
    return f"{round(value * 100, 6):g}%"


def minutes(value: float | None) -> str:
    """``44.64`` → ``44.6 min``; ``125`` → ``2 h 05 min``; ``2000`` → ``1 d 09 h 20 min``."""
    if value is None:
        return "n/a"
    if value < 100:
        return f"{value:.1f} min" if value % 1 else f"{value:.0f} min"
    total = round(value)
    days, rest = divmod(total, 1440)
    hours, mins = divmod(rest, 60)
    if days:
        return f"{days} d {hours:02d} h {mins:02d} min"
    return f"{hours} h {mins:02d} min"


def burn(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1f}×"


def count(value: float | int | None) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,.2f}"
    return f"{int(value):,}"


def local_time(instant: datetime, tz: str, fmt: str = "%d %b %H:%M") -> str:
    return instant.astimezone(ZoneInfo(tz)).strftime(fmt)


def short_span(start: datetime, end: datetime, tz: str) -> str:
    """``14 Oct 02:10–03:05 UTC``; the end gets its date when it falls on another day."""
    zone = ZoneInfo(tz)
    a, b = start.astimezone(zone), end.astimezone(zone)
    end_text = b.strftime("%H:%M") if a.date() == b.date() else b.strftime("%d %b %H:%M")
    return f"{a.strftime('%d %b %H:%M')}–{end_text} {a.strftime('%Z')}"


def window_name(minutes_: int) -> str:
    """``60`` → ``1h``, ``4320`` → ``3d``, ``30`` → ``30m``."""
    for unit, size in (("d", 1440), ("h", 60)):
        if minutes_ % size == 0:
            return f"{minutes_ // size}{unit}"
    return f"{minutes_}m"
