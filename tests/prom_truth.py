"""Counters with a known ground truth, for the real-server tests.

Events are drawn per minute; a counter sample at time T holds the events of its process from
the process's start up to T, exactly what a scraped counter reports. A process restarted
"after the scrape at R" reports the old total at R and starts again from 0 (a counter
reset). A missing sample is a scrape that never happened (the events still did).

The true number of events in any [a, b) is read straight from the per-minute draws, so the
expectations do not depend on the code under test.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

import numpy as np
import pandas as pd

SCRAPE = 300


def epoch(text: str) -> int:
    return int(datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC).timestamp())


@dataclass(frozen=True)
class Target:
    """One scraped process: its series share restarts, scrape times and missing scrapes."""

    resets: tuple[int, ...] = ()
    missing: frozenset[int] = frozenset()
    interval: int = SCRAPE
    offset: int = 0
    """Seconds after the data's start of the first scrape."""


@dataclass
class Series:
    name: str
    labels: dict[str, str]
    events: np.ndarray
    """Events per minute, minute 0 starting at the data's start."""
    target: Target


@dataclass
class Truth:
    start: int
    end: int
    series: list[Series] = field(default_factory=list)

    @property
    def minutes(self) -> int:
        return (self.end - self.start) // 60

    def add(self, name: str, labels: dict[str, str], events: np.ndarray, target: Target) -> None:
        assert len(events) == self.minutes and events.min() >= 0
        self.series.append(Series(name, labels, events.astype(np.int64), target))

    def sample_times(self, target: Target) -> np.ndarray:
        times = np.arange(self.start + target.offset, self.end + 1, target.interval)
        return times[~np.isin(times, list(target.missing))]

    def samples(self, series: Series) -> tuple[np.ndarray, np.ndarray]:
        """Sample times and counter values (events since the process's last start)."""
        cumulative = np.concatenate([[0], np.cumsum(series.events)])
        times = self.sample_times(series.target)
        starts = np.full(len(times), self.start)
        for reset in series.target.resets:
            starts[times > reset] = reset
        return times, cumulative[(times - self.start) // 60] - cumulative[(starts - self.start) // 60]

    def events_between(self, pick, a: int, b: int) -> int:
        """True events in [a, b) over the series ``pick`` accepts."""
        i, j = (a - self.start) // 60, (b - self.start) // 60
        return int(sum(s.events[i:j].sum() for s in self.series if pick(s)))

    def rows(self, pick, start: int, end: int, step: int = SCRAPE, group=lambda s: "") -> pd.DataFrame:
        """The rows a source should give for [start, end): one per step whose end holds a sample;
        a step after missing scrapes carries every event since the last sample before them."""
        out = []
        chosen = [s for s in self.series if pick(s)]
        for key in sorted({group(s) for s in chosen}):
            members = [s for s in chosen if group(s) == key]
            times = self.sample_times(members[0].target)
            assert all(m.target.missing == members[0].target.missing for m in members), "a group must share its scrapes"
            for before, after in zip(times[:-1], times[1:], strict=True):
                if start < after <= end:
                    value = sum(
                        int(m.events[(before - self.start) // 60 : (after - self.start) // 60].sum()) for m in members
                    )
                    out.append((pd.Timestamp(int(after) - step, unit="s", tz="UTC"), key, value))
        return pd.DataFrame(out, columns=["timestamp", "customer", "value"])

    def openmetrics(self, extra: str = "") -> str:
        """Input for ``promtool tsdb create-blocks-from openmetrics`` (seconds), ``extra`` lines included."""
        lines = [extra] if extra else []
        for series in sorted(self.series, key=lambda s: s.name):
            times, values = self.samples(series)
            prefix = f"{series.name}{{{_labels(series.labels)}}} "
            lines.extend(f"{prefix}{v} {t}" for t, v in zip(times, values, strict=True))
        return "\n".join(lines) + "\n# EOF\n"

    def exposition(self, extra: str = "") -> str:
        """Input for VictoriaMetrics' ``/api/v1/import/prometheus`` (milliseconds), ``extra`` lines included."""
        lines = [extra] if extra else []
        for series in self.series:
            times, values = self.samples(series)
            prefix = f"{series.name}{{{_labels(series.labels)}}} "
            lines.extend(f"{prefix}{v} {t * 1000}" for t, v in zip(times, values, strict=True))
        return "\n".join(lines) + "\n"


def _labels(labels: dict[str, str]) -> str:
    def quoted(value: str) -> str:
        return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")

    return ",".join(f'{k}="{quoted(v)}"' for k, v in sorted(labels.items()))


# The scenario: October 2024 in New York, [2024-10-01T04:00Z, 2024-11-01T04:00Z), fetched from
# three days earlier. Data runs from 2024-09-27 to 2024-11-02 at a 5-minute scrape interval.
DATA_START, DATA_END = epoch("2024-09-27T00:00:00Z"), epoch("2024-11-02T00:00:00Z")
WINDOW_START, WINDOW_END = epoch("2024-10-01T04:00:00Z"), epoch("2024-11-01T04:00:00Z")
FETCH_START = WINDOW_START - 3 * 86400
PAYMENTS = 'pay"ments\\eu'
GAP = (epoch("2024-10-20T14:00:00Z"), epoch("2024-10-20T18:30:00Z"))
"""checkout: no scrape strictly between these two samples (4.5 hours)."""
MISSED_SCRAPE = epoch("2024-10-05T09:05:00Z")
MIDNIGHT_GAP = (epoch("2024-10-12T03:30:00Z"), epoch("2024-10-12T04:30:00Z"))
"""search: no scrape strictly between these, across 04:00Z (midnight in New York, where the days meet)."""
CHECKOUT_RESETS = (epoch("2024-10-10T12:00:00Z"), epoch("2024-10-25T08:00:00Z"))
"""Instance a restarts at the first, instance b at the second: summing before increase() would hide b's reset."""
SEARCH_RESETS = (epoch("2024-09-30T10:00:00Z"), epoch("2024-10-31T23:55:00Z"))
INCIDENTS = (  # (customer, start, end, error share): on both sides of both month edges
    ("acme", epoch("2024-10-01T03:30:00Z"), epoch("2024-10-01T04:30:00Z"), 0.3),
    ("globex", epoch("2024-11-01T03:00:00Z"), epoch("2024-11-01T05:00:00Z"), 0.2),
)
SLOW = (epoch("2024-10-15T10:00:00Z"), epoch("2024-10-15T12:00:00Z"))
IDLE = (epoch("2024-10-08T06:00:00Z"), epoch("2024-10-08T07:00:00Z"))
"""checkout is scraped but serves no request: steps with data and 0 events."""
HAND_MADE = (epoch("2024-10-02T00:00:00Z"), [0, 7, 7, 19, 4, 9, None, None, 30, 31, 40, 40, 41])
"""A counter written by hand, one value per 5 minutes (None: scrape missed), for literal expectations."""


def _minute_mask(truth: Truth, span: tuple[int, int]) -> np.ndarray:
    minute = truth.start + 60 * np.arange(truth.minutes)
    return (minute >= span[0]) & (minute < span[1])


def scenario(seed: int = 20241001) -> Truth:
    truth = Truth(DATA_START, DATA_END)
    rng = np.random.default_rng(seed)
    minute = truth.start + 60 * np.arange(truth.minutes)
    daily = 1 + 0.6 * np.sin(2 * np.pi * (minute % 86400) / 86400)
    idle = _minute_mask(truth, IDLE)
    missing = set(range(GAP[0] + SCRAPE, GAP[1], SCRAPE)) | {MISSED_SCRAPE}
    checkout = Target(resets=CHECKOUT_RESETS[:1], missing=frozenset(missing))
    second = Target(resets=CHECKOUT_RESETS[1:], missing=frozenset(missing))
    for customer, rate in (("acme", 20), ("globex", 12)):
        requests = np.where(idle, 0, rng.poisson(rate * daily))
        error_share = np.full(truth.minutes, 0.001)
        for who, begin, stop, share in INCIDENTS:
            if who == customer:
                error_share[_minute_mask(truth, (begin, stop))] = share
        errors = rng.binomial(requests, error_share)
        base = {"service": "checkout", "customer": customer}
        truth.add("http_requests_total", {**base, "instance": "a", "code": "200"}, requests - errors, checkout)
        truth.add("http_requests_total", {**base, "instance": "a", "code": "500"}, errors, checkout)
        on_b = np.where(idle, 0, rng.poisson(rate / 2 * daily))
        errors_b = rng.binomial(on_b, error_share)
        truth.add("http_requests_total", {**base, "instance": "b", "code": "200"}, on_b - errors_b, second)
        truth.add("http_requests_total", {**base, "instance": "b", "code": "500"}, errors_b, second)
        fast = rng.binomial(requests, 0.75)  # at most 0.1 s
        medium = rng.binomial(requests - fast, np.where(_minute_mask(truth, SLOW), 0.1, 0.95))  # 0.1 to 0.25 s
        under_a_second = rng.binomial(requests - fast - medium, 0.5)
        cumulative = {"0.1": fast, "0.25": fast + medium, "1.0": fast + medium + under_a_second, "+Inf": requests}
        for le, counts in cumulative.items():
            truth.add("http_request_duration_seconds_bucket", {**base, "le": le}, counts, checkout)
        truth.add("http_request_duration_seconds_count", base, requests, checkout)
    health = np.where(idle, 0, 2)
    truth.add("http_requests_total", {"service": "checkout", "instance": "a", "code": "200"}, health, checkout)
    search = Target(resets=SEARCH_RESETS, missing=frozenset(range(MIDNIGHT_GAP[0] + SCRAPE, MIDNIGHT_GAP[1], SCRAPE)))
    queries = rng.poisson(0.4 * daily)
    failed = rng.binomial(queries, 0.05)
    truth.add("search_requests_total", {"service": "search", "outcome": "ok"}, queries - failed, search)
    truth.add("search_requests_total", {"service": "search", "outcome": "error"}, failed, search)
    payments = Target()
    paid = rng.poisson(3 * daily)
    declined = rng.binomial(paid, 0.01)
    for service in (PAYMENTS, "payments"):
        truth.add("payments_total", {"service": service, "status": "ok"}, paid - declined, payments)
        truth.add("payments_total", {"service": service, "status": "failed"}, declined, payments)
    ledger = Target(interval=60, offset=30)  # scraped every minute, half a minute off the steps
    entries = rng.poisson(20 * daily)
    rejected = rng.binomial(entries, 0.002)
    truth.add("ledger_entries_total", {"service": "ledger", "outcome": "posted"}, entries - rejected, ledger)
    truth.add("ledger_entries_total", {"service": "ledger", "outcome": "rejected"}, rejected, ledger)
    return truth


def hand_made_openmetrics() -> tuple[str, str]:
    """The hand-written counter in both input formats (seconds, milliseconds)."""
    start, values = HAND_MADE
    pairs = [(start + SCRAPE * i, v) for i, v in enumerate(values) if v is not None]
    seconds = "\n".join(f'hand_made_total{{case="literal"}} {v} {t}' for t, v in pairs)
    millis = "\n".join(f'hand_made_total{{case="literal"}} {v} {t * 1000}' for t, v in pairs)
    return seconds, millis
