"""Counters scraped every 15 s and 60 s, with a ground truth that does not use the code under test.

Each process has event times (whole seconds). A sample at time T holds the number of events of
its process before T since the process started; a process restarted "after the scrape at R"
reports its total at R and starts again from 0; a series is born with its first event (its
first sample is already at least 1). Missing samples are scrapes that never happened: their
events still did, and show in the next sample.

The rule a source must follow, computed here from event times alone: a step (a, b] with at
least one sample of a group holds, for every series of the group with a sample in it, the
events between that series' sample before the step (its birth, if it has none) and its last
sample in the step. So a scrape gap's events land in the step where scrapes resume, and a
range that ends inside a gap holds none of the gap's events.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

import numpy as np


def epoch(text: str) -> int:
    return int(datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC).timestamp())


@dataclass
class Scraped:
    name: str
    labels: dict[str, str]
    events: np.ndarray
    """Sorted event times, whole seconds."""
    times: np.ndarray
    """Sample times (scrapes that happened)."""
    resets: tuple[int, ...] = ()
    """Sample times right after which the process restarts."""
    born: bool = False
    """The series appears with its first event; without it, the series exists from its first sample at 0."""

    def __post_init__(self) -> None:
        if self.born:
            self.times = self.times[self.times > self.events[0]]

    def values(self) -> np.ndarray:
        """Counter values at the sample times."""
        before = np.searchsorted(self.events, self.times, side="left")
        started = np.zeros(len(self.times), dtype=np.int64)
        for reset in self.resets:
            started[self.times > reset] = np.searchsorted(self.events, reset, side="left")
        return before - started

    def key(self) -> str:
        return f"{self.name}{{{','.join(f'{k}={v!r}' for k, v in sorted(self.labels.items()))}}}"


@dataclass
class Scrapes:
    series: list[Scraped] = field(default_factory=list)

    def add(self, series: Scraped) -> Scraped:
        self.series.append(series)
        return series

    def step_counts(self, pick, first: int, step: int, count: int) -> np.ndarray:
        """Events per step (a, a + step] for a = first + i × step; NaN where no picked series has a sample."""
        chosen = [s for s in self.series if pick(s)]
        out = np.full(count, np.nan)
        ends = first + step * np.arange(1, count + 1)
        for series in chosen:
            times = series.times
            last = np.searchsorted(times, ends, side="right") - 1  # last sample ≤ step end
            previous = np.searchsorted(times, ends - step, side="right") - 1  # last sample ≤ step start
            for index in np.flatnonzero(last > previous):
                since = times[previous[index]] if previous[index] >= 0 else -(2**62)
                until = times[last[index]]
                events = np.searchsorted(series.events, until, "left") - np.searchsorted(series.events, since, "left")
                out[index] = np.nan_to_num(out[index]) + events
        return out

    def openmetrics(self) -> str:
        lines = []
        for series in sorted(self.series, key=lambda s: s.name):
            prefix = f"{series.name}{{{_labels(series.labels)}}} "
            lines.extend(f"{prefix}{v} {t}" for t, v in zip(series.times, series.values(), strict=True))
        return "\n".join(lines) + "\n# EOF\n"

    def exposition(self) -> str:
        lines = []
        for series in self.series:
            prefix = f"{series.name}{{{_labels(series.labels)}}} "
            lines.extend(f"{prefix}{v} {t * 1000}" for t, v in zip(series.times, series.values(), strict=True))
        return "\n".join(lines) + "\n"


def _labels(labels: dict[str, str]) -> str:
    return ",".join(f'{k}="{v}"' for k, v in sorted(labels.items()))


def _without(times: np.ndarray, *gaps: tuple[int, int]) -> np.ndarray:
    """``times`` less those strictly between the edges of each gap."""
    keep = np.ones(len(times), dtype=bool)
    for before, after in gaps:
        keep &= ~((times > before) & (times < after))
    return times[keep]


# October 2024 in UTC and in New York. The 60 s counters run from three days before the New York
# month to a day after it (the report reads three days back for burn-rate alerts); the 15 s
# counters only around the month's end, where both months end and New York's day turns.
LONG = (epoch("2024-09-27T00:00:00Z"), epoch("2024-11-02T06:00:00Z"))
SHORT = (epoch("2024-10-31T00:00:00Z"), epoch("2024-11-01T12:00:00Z"))
STEP_EDGE_GAP = (epoch("2024-10-31T10:02:15Z"), epoch("2024-10-31T10:13:30Z"))
UTC_MONTH_GAP = (epoch("2024-10-31T23:52:15Z"), epoch("2024-11-01T00:07:45Z"))
NEW_YORK_MIDNIGHT_GAP = (epoch("2024-11-01T03:58:00Z"), epoch("2024-11-01T04:03:15Z"))
STEP_EDGE_RESET = epoch("2024-10-31T06:00:00Z")
INSIDE_STEP_RESET = epoch("2024-10-31T07:02:30Z")
RESET_THEN_GAP = (epoch("2024-10-31T08:00:00Z"), epoch("2024-10-31T08:20:15Z"))
"""The process restarts after the sample at the first time; the next sample is at the second."""
EDGE_CARRY = (epoch("2024-10-31T11:05:00Z"), epoch("2024-10-31T11:10:15Z"))
"""A gap after a sample on a step's edge: the step 11:05–11:10 has no sample, and a closed range
(Prometheus 2) still finds the 11:05:00 one on its lower edge."""
BORN = epoch("2024-10-31T14:03:07Z")
"""The 503 series is created by its first event, so its first sample (14:03:15) is already 1."""
STOPPED = epoch("2024-10-31T18:00:00Z")
"""Instance b's last sample: its series ends here."""
LEDGER_GAPS = (
    (epoch("2024-10-31T23:40:37Z"), epoch("2024-11-01T00:20:37Z")),
    (epoch("2024-11-01T03:50:37Z"), epoch("2024-11-01T04:10:37Z")),
    (epoch("2024-10-12T09:00:37Z"), epoch("2024-10-12T11:30:37Z")),
)
"""The 60 s counters (scraped 37 s into each minute) miss the month edges in both zones and a morning."""


UPGRADE = epoch("2024-10-16T12:00:00Z")
"""Prometheus 3 takes over scraping: from the next scrape on, le="1" is written le="1.0" (the counter
goes on counting: the process did not restart)."""


def _events(rng: np.random.Generator, span: tuple[int, int], per_second: float) -> np.ndarray:
    seconds = np.arange(span[0], span[1])
    return np.repeat(seconds, rng.poisson(per_second, len(seconds)))


def scenario(seed: int = 20241031) -> Scrapes:
    rng = np.random.default_rng(seed)
    scrapes = Scrapes()
    fifteen = np.arange(SHORT[0], SHORT[1] + 1, 15)
    a_times = _without(fifteen, STEP_EDGE_GAP, UTC_MONTH_GAP, NEW_YORK_MIDNIGHT_GAP, RESET_THEN_GAP)
    a_resets = (STEP_EDGE_RESET, INSIDE_STEP_RESET, RESET_THEN_GAP[0])
    for code, rate in (("200", 2.0), ("500", 0.02)):
        scrapes.add(
            Scraped(
                "shop_requests_total", {"instance": "a", "code": code}, _events(rng, SHORT, rate), a_times, a_resets
            )
        )
    born = _events(rng, (BORN, SHORT[1]), 0.01)
    scrapes.add(
        Scraped(
            "shop_requests_total",
            {"instance": "a", "code": "503"},
            np.concatenate([[BORN], born[born > BORN]]),
            a_times,
            a_resets,
            born=True,
        )
    )
    b_times = fifteen[(fifteen <= STOPPED)] + 0  # scraped on the same grid until it stops
    scrapes.add(
        Scraped(
            "shop_requests_total", {"instance": "b", "code": "200"}, _events(rng, (SHORT[0], STOPPED), 1.0), b_times
        )
    )
    sixty = _without(np.arange(LONG[0] + 37, LONG[1], 60), *LEDGER_GAPS)
    requests = _events(rng, LONG, 0.4)
    fast = requests[rng.random(len(requests)) < 0.9]
    for le, events in (("0.5", fast[rng.random(len(fast)) < 0.5]), ("1", fast), ("+Inf", requests)):
        after = "1.0" if le == "1" else le  # Prometheus 3 spells bounds as floats; "0.5" and "+Inf" already are
        name = "shop_request_duration_seconds_bucket"
        scrapes.add(Scraped(name, {"le": le}, events, sixty[sixty <= UPGRADE]))
        if after != le:
            scrapes.add(Scraped(name, {"le": after}, events, sixty[sixty > UPGRADE]))
        else:
            scrapes.series[-1].times = sixty
    scrapes.add(Scraped("shop_request_duration_seconds_count", {}, requests, sixty))
    for outcome, rate in (("ok", 0.5), ("rejected", 0.005)):
        scrapes.add(Scraped("ledger_entries_total", {"outcome": outcome}, _events(rng, LONG, rate), sixty))
    for instance, times in (("a", _without(fifteen, EDGE_CARRY)), ("b", fifteen)):
        scrapes.add(Scraped("edge_requests_total", {"instance": instance}, _events(rng, SHORT, 1.0), times))
    # a quiet counter, two unbroken series: many steps without events (about one event in 8 minutes)
    quiet = np.arange(LONG[0] + 11, LONG[1], 60)
    for instance in ("a", "b"):
        scrapes.add(Scraped("quiet_requests_total", {"instance": instance}, _events(rng, LONG, 0.001), quiet))
    return scrapes
