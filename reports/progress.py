"""Progress for long runs: counts, rate and an estimate of the time left, at most about once a second.

The caller's ``progress`` callback decides where messages go (a terminal) or whether they go
anywhere (cron): this only decides what they say and how often.
"""

from __future__ import annotations

import time
from collections.abc import Callable

Progress = Callable[[str], None]


class Meter:
    """``advance()`` after each of ``total`` items; the first, the last and one item a second are reported."""

    def __init__(self, what: str, total: int, progress: Progress, every: float = 1.0, clock=time.monotonic):
        self.what, self.total, self.progress, self.every, self.clock = what, total, progress, every, clock
        self.done = 0
        self.started = clock()
        self.last: float | None = None

    def advance(self, name: str = "", items: int = 1) -> None:
        self.done += items
        now = self.clock()
        if self.done < self.total and self.last is not None and now - self.last < self.every:
            return
        self.last = now
        elapsed = now - self.started
        left = ""
        if 0 < self.done < self.total and elapsed > 0:
            left = f", about {_duration(elapsed / self.done * (self.total - self.done))} left"
        label = f" {name}" if name else ""
        self.progress(f"{self.what}{label} ({self.done}/{self.total}{left})")


def _duration(seconds: float) -> str:
    """Whole seconds, or minutes and seconds: ``42 s``, ``3 min 05 s``."""
    seconds = round(seconds)
    return f"{seconds} s" if seconds < 60 else f"{seconds // 60} min {seconds % 60:02d} s"
