"""How figures are written in every document and the email: one set of rules, one place.

- An SLI is cut (never rounded) to one decimal more than its objective has, and at least two:
  ``99.93%`` against 99.9%, ``97.10%`` against 95%, ``99.997%`` against 99.99%. Cutting means a
  missed SLI is never written as its objective.
- An objective or any other bound (a zone's minimum, an SLA) is written as given: ``99.9%``, ``75%``.
- A share has one decimal. What is left (budget left, data coverage) is cut down and what was used
  (budget used or overspent, an incident's share) is rounded up, so neither reaches a threshold it
  has not reached and budget left + budget used always read 100%: ``29.5%`` left, ``70.5%`` used.
- A margin is in signed percentage points with two significant digits: ``+0.030 pp``.
- Counts are whole numbers with thousands separators; a fractional allowance is cut: ``1,723,902``.
- A credit is a percentage of the month's fee as agreed: ``10%``, ``12.5%``.
- Durations: ``44.6 min``, ``3 h 05 min``, ``1 d 09 h 20 min``.
- Instants in messages: UTC, to the minute, or to the second where they have seconds.
"""

from __future__ import annotations

import math
from datetime import datetime
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from zoneinfo import ZoneInfo

MINUS = "−"


def _decimals(fraction: float) -> int:
    """Decimals of a fraction written as a percentage: ``0.9995`` → 2 (99.95%)."""
    exponent = (Decimal(repr(float(fraction))) * 100).normalize().as_tuple().exponent
    return min(6, max(0, -int(exponent)))


def _cut(percentage: Decimal, digits: int) -> str:
    text = f"{percentage.quantize(Decimal(1).scaleb(-digits), rounding=ROUND_FLOOR)}"
    return MINUS + text[1:] if text.startswith("-") else text


def sli(value: float | None, objective_: float | None = None) -> str:
    """``sli(0.9993, 0.999)`` → ``99.93%``; ``sli(0.99971, 0.9999)`` → ``99.997%``."""
    if value is None or math.isnan(value):  # never written as a number
        return "n/a"
    digits = max(2, _decimals(objective_) + 1) if objective_ is not None else 3
    return _cut(Decimal(repr(float(value))) * 100, digits) + "%"


def customer_sli(value: float | None, *bounds: float | None) -> str:
    """A customer's SLI, read against an SLA, an objective and credit bounds: cut to at least three
    decimals and as many as each bound has, plus two significant digits of its distance to 100%
    (0.98999 → ``98.999%`` where "below 99%" earns a credit, never ``99.0%``)."""
    if value is None or math.isnan(value):  # never written as a number
        return "n/a"
    gap = abs(1 - value) * 100
    digits = 1 if gap == 0 or gap >= 1 else min(4, 1 - math.floor(math.log10(gap)))
    digits = max(3, digits, *(_decimals(b) for b in bounds if b is not None))
    return _cut(Decimal(repr(float(value))) * 100, digits) + "%"


def share(value: float | None) -> str:
    """What is left, cut down: ``share(0.29503)`` → ``29.5%``; ``share(-0.2903)`` → ``−29.1%``."""
    if value is None or math.isnan(value):  # never written as a number
        return "n/a"
    return _cut(Decimal(repr(float(value))) * 100, 1) + "%"


def used(value: float | None) -> str:
    """What was used, rounded up: ``used(0.70497)`` → ``70.5%``; ``used(0.2903)`` → ``29.1%``."""
    if value is None or math.isnan(value):  # never written as a number
        return "n/a"
    text = f"{(Decimal(repr(float(value))) * 100).quantize(Decimal('0.1'), rounding=ROUND_CEILING)}"
    return (MINUS + text[1:] if text.startswith("-") else text) + "%"


def objective(value: float) -> str:
    """``0.999`` → ``99.9%``, ``0.95`` → ``95%``, ``0.75`` → ``75%``: a bound, written as given."""
    return f"{round(value * 100, 6):g}%"


def points(value: float | None) -> str:
    """A margin in signed percentage points, two significant digits: ``0.000297`` → ``+0.030 pp``."""
    if value is None or math.isnan(value):  # never written as a number
        return "n/a"
    pp = value * 100
    digits = 1 if pp == 0 or abs(pp) >= 1 else min(4, 1 - math.floor(math.log10(abs(pp))))
    text = f"{abs(pp):.{digits}f} pp"
    if float(f"{abs(pp):.{digits}f}") == 0:
        return text
    return ("+" if pp > 0 else MINUS) + text


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
    """A burn rate: ``14.4`` → ``14.4×`` (times the rate that spends the budget exactly)."""
    return "n/a" if value is None else f"{value:.1f}×"


def count(value: float | int | None) -> str:
    """``1723902.51`` → ``1,723,902``: events are whole, and an allowance is cut."""
    if value is None:
        return "n/a"
    return f"{math.floor(value):,}"


def credit(value: float | None) -> str:
    """A credit as a percentage of the month's fee: ``10.0`` → ``10%``, ``12.5`` → ``12.5%``."""
    return "n/a" if value is None else f"{value:g}%"


def local_time(instant: datetime, tz: str, fmt: str = "%d %b %H:%M") -> str:
    return instant.astimezone(ZoneInfo(tz)).strftime(fmt)


def utc_instant(instant: datetime) -> str:
    """An instant in UTC to the minute, with seconds (and fractions) only where it has them, so two
    different instants never read alike: ``2024-10-17 00:00 UTC`` and ``2024-10-17 00:00:37 UTC``.

    >>> from datetime import UTC
    >>> utc_instant(datetime(2024, 10, 17, 0, 0, 37, 123000, tzinfo=UTC))
    '2024-10-17 00:00:37.123 UTC'
    """
    moment = instant.astimezone(ZoneInfo("UTC"))
    text = f"{moment:%Y-%m-%d %H:%M}"
    if moment.second or moment.microsecond:
        text += f":{moment.second:02d}"
    if moment.microsecond:
        text += f".{moment.microsecond:06d}".rstrip("0")
    return text + " UTC"


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
