"""Event counts from the Prometheus HTTP API (or a compatible engine: Thanos, Mimir, VictoriaMetrics).

Per SLO, concurrently within ``max_concurrency``, the total and the bad (or good) counter are
each checked with one small request; a counter whose series all have a sample in every step
and never reset is then read with one request of summed last values per step
(``queries/continuous.promql``, each sample read once), any other with one range request
(``queries/counter.promql``) whose parts give, per step, the
events of the series scraped in this step and the one before (summed on the server, per
customer where an SLA needs them apart) and, series by series, only the exceptions: series
that appear (born, or back after a scrape gap), vanish, or reset. Every count is a difference
of real samples, so nothing is extrapolated: a gap's events land in the step where scrapes
resume, a series born at 1 counts its first event, and a range ending inside a gap adds
nothing. Day and month totals are sums of the steps. Requests grow with the number of SLOs,
not with customers or days. Raw SLIs (the user's own PromQL) keep ``increase()`` per step,
reconciled per day and over the range (see ``reconcile``).

A failing SLO becomes an entry in ``EventCounts.problems`` (reported as "no data"); the other
SLOs are unaffected. A server that cannot be used at all raises ``SourceError`` before any
SLO is queried, so a run never replaces a good report with one where everything is missing.
"""

from __future__ import annotations

import functools
import logging
from collections import deque
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from itertools import islice

import numpy as np
import pandas as pd
import requests

from ..config import Config, SloConfig
from ..format import utc_instant
from ..window import COVERAGE_WARNING
from . import (
    CountStream,
    CustomerCounts,
    EventCounts,
    SloCounts,
    SourceError,
    StepGrid,
    gathered,
    no_counts,
    promql,
    reconcile,
)
from .promclient import MAX_POINTS, ClientStats, Labels, PromClient, PromError

RETENTION_FIX = (
    "keep the months you report on in long-term storage (Thanos, Mimir or VictoriaMetrics) and point source.url "
    "at it, or raise Prometheus's --storage.tsdb.retention.time above 35d so the whole month is still there on the 1st"
)

log = logging.getLogger(__name__)
DAY_NS = 86_400 * 10**9
EXACT_SUMS = 2.0**52
"""Sums of last values below this are whole numbers held exactly in a float, so their differences are too."""
Dense = dict[str, np.ndarray]


@dataclass(frozen=True, eq=False)
class _Counts:
    """One group's (customer's, or the SLO's where customers are not kept) counts on the grid:
    whole numbers, NaN where the group has no data."""

    good: np.ndarray
    total: np.ndarray
    unlabelled: np.ndarray | None = None

    @classmethod
    def of(cls, steps: np.ndarray, good: np.ndarray, total: np.ndarray, count: int) -> _Counts:
        """The counts of ``steps`` on a grid of ``count`` steps."""
        laid_good, laid_total = np.full(count, np.nan), np.full(count, np.nan)
        laid_good[steps], laid_total[steps] = good, total
        return cls(laid_good, laid_total)


Groups = dict[str, _Counts]


class SloProblem(Exception):
    """Why one SLO has no counts; ``reachable`` is False when the server stopped answering."""

    def __init__(self, message: str, reachable: bool = True):
        super().__init__(message)
        self.reachable = reachable


@dataclass(frozen=True)
class Grid:
    """The steps that start in [start, end); step ``i`` is evaluated at its end."""

    start_ns: int
    step_ns: int
    count: int

    @classmethod
    def of(cls, start: datetime, end: datetime, step: timedelta) -> Grid:
        count, rest = divmod(end - start, step)
        if rest or count < 1:
            raise SourceError(
                f"source.step: {promql.duration(step)} does not divide the range "
                f"{start:%Y-%m-%d %H:%M} to {end:%Y-%m-%d %H:%M} UTC; use a step that divides an hour, e.g. 5m"
            )
        return cls(pd.Timestamp(start).value, pd.Timedelta(step).value, count)

    @property
    def start(self) -> float:
        return self.start_ns / 1e9

    @property
    def step(self) -> float:
        return self.step_ns / 1e9

    def end_of(self, index: int) -> float:
        return self.start + (index + 1) * self.step

    @property
    def span(self) -> timedelta:
        return timedelta(seconds=self.count * self.step)

    def bounds(self) -> list[int]:
        """Step indices where the days (counted from the start) begin, plus the end."""
        per_day = DAY_NS // self.step_ns if DAY_NS % self.step_ns == 0 else self.count
        return sorted({*range(0, self.count, per_day), self.count})


def _lay(stamps: np.ndarray, values: np.ndarray, first: float, step: float, count: int) -> np.ndarray:
    """Values placed by evaluation time on ``count`` points from ``first``; NaN where none came."""
    position = np.rint((stamps - first) / step).astype(np.int64)
    if np.any(np.abs(stamps - first - position * step) > 1e-3):
        raise PromError("the answer's timestamps are not on the requested steps", reachable=True)
    keep = (position >= 0) & (position < count)
    out = np.full(count, np.nan)
    out[position[keep]] = values[keep]
    return out


class PrometheusSource:
    """The ``prometheus`` source. ``session`` (tests) replaces the one built from the config."""

    def __init__(
        self,
        session: requests.Session | None = None,
        *,
        attempts: int = 4,
        backoff: float = 0.5,
        max_points: int = MAX_POINTS,
    ):
        self.session = session
        self.attempts = attempts
        self.backoff = backoff
        self.max_points = max_points
        self.stats = ClientStats()

    def stream(self, config: Config, start: datetime, end: datetime) -> CountStream:
        """Each SLO's counts as soon as it is fetched, in catalogue order, with at most twice
        ``max_concurrency`` SLOs fetched ahead of the reader."""
        source = config.source
        grid = Grid.of(start, end, source.step)
        steps = StepGrid(start, end, source.step)
        client = PromClient(
            source, self.session, attempts=self.attempts, backoff=self.backoff, max_points=self.max_points
        )
        self.stats = client.stats
        try:
            _check_server(client, grid.end_of(grid.count - 1))
        except BaseException:
            client.close()
            raise
        jobs = [(service.name, slo) for service in config.services for slo in service.slos]

        def each() -> Iterator[SloCounts]:
            unreachable, first_problem = [], ""
            try:
                with ThreadPoolExecutor(max_workers=source.max_concurrency, thread_name_prefix="prometheus") as pool:
                    waiting = iter(jobs)
                    ahead = deque(
                        (
                            service,
                            slo,
                            pool.submit(_fetch_slo, client, grid, _customer_label(config, slo), service, slo),
                        )
                        for service, slo in islice(waiting, 2 * source.max_concurrency)
                    )
                    while ahead:
                        service, slo, future = ahead.popleft()
                        for next_service, next_slo in islice(waiting, 1):
                            label = _customer_label(config, next_slo)
                            ahead.append(
                                (
                                    next_service,
                                    next_slo,
                                    pool.submit(_fetch_slo, client, grid, label, next_service, next_slo),
                                )
                            )
                        keeps = _customer_label(config, slo) is not None
                        try:
                            groups = future.result()
                        except SloProblem as problem:
                            unreachable.append(not problem.reachable)
                            first_problem = first_problem or str(problem)
                            yield no_counts(service, slo.name, steps, str(problem), customers=keeps)
                            continue
                        unreachable.append(False)
                        yield _slo_counts(service, slo.name, steps, groups, keeps)
            finally:
                client.close()
            if unreachable and all(unreachable):
                raise SourceError(
                    f"source.url {source.url}: the server stopped answering; no SLO could be counted "
                    f"(first: {first_problem})"
                )

        return CountStream(steps, each(), f"Prometheus at {source.url}")

    def oldest(self, config: Config, at: datetime) -> datetime | None:
        """The oldest sample the server holds, as the check before every fetch reads it (so a range
        that starts there passes ``retention_problem``); None for engines that keep their own
        retention (Thanos, Mimir, VictoriaMetrics) or a server that does not say."""
        client = PromClient(
            config.source, self.session, attempts=self.attempts, backoff=self.backoff, max_points=self.max_points
        )
        try:
            _check_server(client, at.timestamp(), "asking for the oldest sample it holds: ")
        finally:
            client.close()
        return None if client.oldest is None else datetime.fromtimestamp(client.oldest, UTC)

    def fetch(self, config: Config, start: datetime, end: datetime) -> EventCounts:
        return gathered(self.stream(config, start, end))


def _customer_label(config: Config, slo: SloConfig) -> str | None:
    """Counts stay per customer only where tiers and credits need them: data grows with customers there alone."""
    return config.customers.label if config.customers is not None and slo.sla else None


def _check_server(client: PromClient, at: float, asking: str = "") -> None:
    """One trivial query first: an unusable server is one clear error, not one per SLO. Then the
    engine (its parameters, limits and range edges) and, for Prometheus, the oldest sample it holds.
    ``asking``: what the check is for, where it is not a fetch (the error says so)."""
    try:
        client.detect(at)
        client.instant("vector(1)", at)
    except PromError as exc:
        hint = exc.hint or "check that url points at the Prometheus HTTP API"
        raise SourceError(f"source.url {client.url}: {asking}{exc}; {hint}") from None
    client.oldest = client.oldest_sample()


def retention_problem(client: PromClient, start: float) -> str | None:
    """Why a range starting at ``start`` cannot be counted: the server has deleted its beginning."""
    oldest = client.oldest
    if oldest is None or oldest <= start:
        return None
    return (
        f"deleted by retention: the report needs samples from {utc_instant(datetime.fromtimestamp(start, UTC))}, "
        f"but {client.url} holds samples only from {utc_instant(datetime.fromtimestamp(oldest, UTC))} on; "
        f"{RETENTION_FIX}"
    )


class _Slo:
    """Runs one SLO's queries, turning failures into a ``SloProblem`` that names the query."""

    def __init__(self, client: PromClient, grid: Grid, label: str | None, service: str, slo: str):
        self.client, self.grid, self.label, self.name = client, grid, label, f"{service}/{slo}"

    def group(self, labels: Labels) -> str:
        """The customer of a series ("" without the label, or when counts are not kept per customer)."""
        return dict(labels).get(self.label, "") if self.label else ""

    def _ask(self, what: str, query: str, call):
        """``call()``; a failure names the query (``query`` is the PromQL, or how a counter is read)."""
        try:
            return call()
        except PromError as exc:
            verb = "did not answer" if not exc.reachable else "failed on"
            raise SloProblem(
                f"Prometheus {verb} the {what} query of {self.name}: {exc}"
                f"{'; ' + exc.hint if exc.hint else ''}; query: {query}",
                exc.reachable,
            ) from None

    def steps(self, what: str, query: str, window: timedelta | None = None, every: int = 1) -> Dense:
        """Values of ``query`` at the end of every ``every`` steps, by group (a group's series are added)."""
        grid = self.grid
        step = grid.step * every
        text = promql.at(query, window or timedelta(seconds=step))
        first, count = grid.end_of(every - 1), grid.count // every
        answer = self._ask(what, text, lambda: self.client.range(text, first, first + (count - 1) * step, step))
        self.finite(what, text, (values for _, values in answer.values()))
        result = self._ask(
            what,
            text,
            lambda: {labels: _lay(stamps, values, first, step, count) for labels, (stamps, values) in answer.items()},
        )
        dense: Dense = {}
        for labels, values in result.items():
            key = self.group(labels)
            dense[key] = (
                values
                if key not in dense
                else np.where(np.isnan(dense[key]), values, np.nan_to_num(values) + dense[key])
            )
        return dense

    def series(self, what: str, query: str, window: timedelta, at: float) -> dict[Labels, float]:
        """``query`` over the ``window`` ending at ``at``: one value per series, labels kept."""
        text = promql.at(query, window)
        return self._ask(what, text, lambda: self.client.instant(text, at))

    def over(self, what: str, query: str, window: timedelta, at: float) -> dict[str, float]:
        """Events of the ``window`` ending at ``at``, by group."""
        totals: dict[str, float] = {}
        found = self.series(what, query, window, at)
        self.finite(what, promql.at(query, window), (np.array([v]) for v in found.values()))
        for labels, value in found.items():
            totals[self.group(labels)] = totals.get(self.group(labels), 0.0) + value
        return totals

    def finite(self, what: str, query: str, arrays) -> None:
        """NaN or ±Inf from the server is never a count: the SLO becomes a problem naming the query,
        never "no data" (NaN) or a crash (Inf)."""
        for values in arrays:
            bad = values[~np.isfinite(values)]
            if len(bad):
                shown = "NaN" if np.isnan(bad[0]) else "+Inf" if bad[0] > 0 else "-Inf"
                raise SloProblem(
                    f"the {what} query of {self.name} returned {shown}, which is not a count; check the query "
                    f"and its series (a division by zero, or a series that is not a counter); query: {query}"
                )


def _fetch_slo(client: PromClient, grid: Grid, label: str | None, service: str, slo: SloConfig) -> Groups:
    run = _Slo(client, grid, label, service, slo.name)
    gone = retention_problem(client, grid.start)
    if gone:
        raise SloProblem(f"{service}/{slo.name}: {gone}")
    try:
        queries = promql.plan(service, slo, label or "")
        if queries.boundaries is not None:
            found = _bucket_bounds(run, queries.boundaries)
            if not found:
                raise SloProblem(
                    f"no histogram buckets found for {service}/{slo.name}; check the metric name "
                    f"and labels; query: {promql.at(queries.boundaries, _longest(client, grid.span))}"
                )
            queries = queries.with_boundary([dict(labels).get("le", "") for labels in found])
    except promql.QueryPlanError as exc:
        raise SloProblem(f"cannot build the queries of {service}/{slo.name}: {exc}") from None
    if queries.counters is None:
        return _fetch_raw(run, queries, service, slo)
    kind, _ = queries.other
    total_selector, other_selector = queries.counters
    total = _read_counter(run, "total", total_selector)
    if not total:
        raise SloProblem(
            f"no series matched the total query of {service}/{slo.name}; check the metric name "
            f"and labels; query: {_counter_query(run, total_selector)}"
        )
    other = _read_counter(run, kind, other_selector)
    if kind == "good" and not other:
        raise SloProblem(
            f"no series matched the good query of {service}/{slo.name}; check the metric name "
            f"and labels; query: {_counter_query(run, other_selector)}"
        )
    _no_strays(service, slo.name, kind, total, other, _counter_query(run, other_selector))
    carried = {
        key: reconcile.carry(other.get(key, np.zeros(grid.count)), ~np.isnan(values)) for key, values in total.items()
    }
    groups = _exact_counts(kind, total, carried)
    if slo.sli.predictions is not None:
        groups = _with_unlabelled(run, slo.sli.predictions, groups)
    return groups


def _with_unlabelled(run: _Slo, selector: str, groups: Groups) -> Groups:
    """Model quality: per step, the predictions (a third counter, read like the others) less the
    labelled ones; never below zero."""
    predictions = _read_counter(run, "predictions", selector)
    out = {}
    for key, counts in groups.items():
        steps = np.flatnonzero(~np.isnan(counts.total))
        made = np.nan_to_num(predictions.get(key, np.zeros(run.grid.count))[steps])
        unlabelled = np.full(run.grid.count, np.nan)
        unlabelled[steps] = np.maximum(reconcile.to_counts(made, made.sum()) - counts.total[steps], 0)
        out[key] = replace(counts, unlabelled=unlabelled)
    return out


def _bucket_bounds(run: _Slo, query: str) -> dict[Labels, float]:
    """The ``le`` labels seen over the whole range, in as many windows as the engine's query length
    needs: a bound spelt "1" before a Prometheus 3 upgrade and "1.0" after it must both be found."""
    grid = run.grid
    window = _longest(run.client, grid.span)
    found: dict[Labels, float] = {}
    at = grid.end_of(grid.count - 1)
    while at > grid.start:
        found.update(run.series("bucket bounds", query, min(window, timedelta(seconds=at - grid.start)), at))
        at -= window.total_seconds()
    return found


def _longest(client: PromClient, wanted: timedelta) -> timedelta:
    """``wanted``, or less where the engine limits how far one query may reach."""
    limit = client.engine.max_length
    return min(wanted, timedelta(seconds=limit)) if limit else wanted


def _no_strays(service: str, slo: str, kind: str, total: Dense, other: Dense, query: str) -> None:
    strays = sorted(set(other) - set(total))
    if strays:
        customers = ", ".join(repr(group) for group in strays[:5])
        raise SloProblem(
            f"the {kind} query of {service}/{slo} has customers the total query lacks "
            f"({customers}; '' is series without the label): both counters need the same customer "
            f"label, or those {kind} events would be lost; query: {query}"
        )


def _counter_query(run: _Slo, selector: str) -> str:
    """How a counter is named in messages: the full request is over a kilobyte of PromQL."""
    return f"the counter parts (queries/counter.promql) of {selector}"


def _series_key(labels: Labels) -> Labels:
    """A series' identity across the parts of a counter query (engines differ in keeping the name).

    Bucket bounds are compared as numbers: Prometheus 3 writes ``le="1"`` as ``"1.0"``, so across
    an upgrade one bucket's series vanishes under one spelling and appears under the other with the
    same counter value, which must read as a continuation, not as a new series full of events."""
    return tuple(
        (k, _bound(v) if k in ("le", "quantile") else v) for k, v in labels if k not in (promql.PART, "__name__")
    )


def _bound(value: str) -> str:
    try:
        return repr(float(value))
    except ValueError:
        return value


def _read_counter(run: _Slo, what: str, selector: str) -> Dense:
    """Events per step of one counter, by group; NaN where none of the group's series has a sample
    (for counters other than the total, where no step has data the events may read as 0: they
    only ride on the total's steps, see ``reconcile.carry``).

    Read fast where no series of the counter breaks (``_read_continuous``), exactly otherwise."""
    events = _read_continuous(run, what, selector)
    return events if events is not None else _read_exceptions(run, what, selector)


def _read_continuous(run: _Slo, what: str, selector: str) -> Dense | None:
    """Events per step as differences of the summed last values (``queries/continuous.promql``),
    or None where that would not be exact: a series reset, or missed a step (it appeared,
    vanished, or had a scrape gap), or the sums are too large to subtract exactly.

    A cheap check first (per series and day, how often it reset), then one request per step
    reading each sample once: with one series per customer, each series' last
    values, added up here; with more, their sums per customer and how many series had a value.

    Each step's window is the whole step. Where ranges are closed (Prometheus 2) that window also
    holds the sample on its lower edge, which belongs to the step before; Prometheus answers it at
    a third of the cost of a window a millisecond shorter, which shares no sample with the window
    before and makes it seek every series afresh at every step. The whole-step window reads a
    series without a sample in a step but with one on the step's lower edge as present with its
    value unchanged: 0 events there and the rest on its next sample, the same events as the exact
    reading gives. Only where all of a group's series do so does it read a step without data as a
    step without events, and then the group's sum does not move. So the total counter, whose
    steps without data are the SLO's, is read again with the shorter window where a group has a
    step with no events; any other counter keeps the whole-step reading. Over the shorter window
    the sum and the count are packed in one number where the check's values allow it: there
    Prometheus 2 answers the packed sum for less than the two, over whole steps for more."""
    grid, client = run.grid, run.client
    shown = _counter_query(run, selector)
    day = min(DAY_NS // 10**9, grid.count * grid.step)
    reach = day + 2 * grid.step
    days = -(-grid.count * grid.step // day)
    text = promql.continuity(selector, timedelta(seconds=reach))
    check = run._ask(
        what, shown, lambda: client.range(text, grid.start + day, grid.start + days * day, day, reach=reach)
    )
    members: dict[str, set[Labels]] = {}
    for labels, (_, resets) in check.items():
        if np.any(resets != 0):
            return None
        members.setdefault(run.group(labels), set()).add(_series_key(labels))
    if not members:
        return {}
    counted = any(len(series) > 1 for series in members.values())
    events = _last_value_events(run, what, selector, members, counted, None, closed=False)
    if events is None or what != "total" or client.engine.left_open:
        return events
    if not any((steps == 0).any() for steps in events.values()):
        return events  # no step without events, so none where a whole-step window could hide a gap
    offset = _packing(run, what, selector, members, timedelta(seconds=reach), grid.start + days * day)
    return _last_value_events(run, what, selector, members, counted, offset, closed=True)


def _packing(
    run: _Slo, what: str, selector: str, members: dict[str, set[Labels]], reach: timedelta, at: float
) -> int | None:
    """The packing offset (``packing_offset``) for a counter whose customers have several series,
    from each series' last value in the check's last window; None where it cannot pack."""
    if all(len(series) == 1 for series in members.values()):
        return None
    text = promql.bound(selector, reach)
    found = run._ask(what, _counter_query(run, selector), lambda: run.client.instant(text, at))
    highest: dict[str, dict[Labels, float]] = {}
    for labels, value in found.items():
        series, key = highest.setdefault(run.group(labels), {}), _series_key(labels)
        series[key] = max(series.get(key, -np.inf), value)  # a bucket respelt by Prometheus 3: two series
    if {group: set(series) for group, series in highest.items()} != members:
        return None  # a series stopped before the range ends: the count per step shows where
    return packing_offset(highest)


def _last_value_events(
    run: _Slo,
    what: str,
    selector: str,
    members: dict[str, set[Labels]],
    counted: bool,
    offset: int | None,
    closed: bool,
) -> Dense | None:
    """The steps' events from one request of last values per step (see ``_read_continuous``), or
    None where a step lacks one of the check's series or the sums do not only grow. ``closed``: a
    window a millisecond short of the step, which on closed ranges holds exactly the step's samples."""
    grid, client = run.grid, run.client
    shown = _counter_query(run, selector)
    step = timedelta(seconds=grid.step)
    text = promql.last_values(selector, run.label or "", step, closed, counted, offset)
    last = grid.end_of(grid.count - 1)
    answer = run._ask(what, shown, lambda: client.range(text, grid.start, last, grid.step, reach=grid.step))
    run.finite(what, shown, (values for _, values in answer.values()))
    sums: Dense = {}
    present: Dense = {}
    for labels, (stamps, values) in answer.items():
        laid = run._ask(what, shown, functools.partial(_lay, stamps, values, grid.start, grid.step, grid.count + 1))
        group = run.group(labels)
        if offset is not None:
            present[group] = np.floor(laid / offset)
            sums[group] = laid - present[group] * offset
        elif counted:
            part = dict(labels).get(promql.PART, "last")
            (present if part == "count" else sums)[group] = laid
        else:  # each series' own last values (a bucket respelt by Prometheus 3 comes as two series)
            present[group] = present.get(group, 0) + ~np.isnan(laid)
            sums[group] = (
                laid if group not in sums else np.where(np.isnan(laid), sums[group], laid + np.nan_to_num(sums[group]))
            )
    if set(sums) != set(members):
        return None
    events: Dense = {}
    for group, values in sums.items():
        seen = present.get(group)
        if seen is None or not np.all(seen == len(members[group])) or np.abs(values).max() >= EXACT_SUMS:
            return None
        events[group] = np.diff(values)
        if (events[group] < 0).any():
            return None  # the exact reading says why
    return events


def packing_offset(highest: dict[str, dict[Labels, float]]) -> int | None:
    """The power of two to add to every last value so that one sum per step carries both the
    customer's sum and its count of series (``packed`` in ``queries/continuous.promql``), or None.

    ``highest`` holds, per customer and series, its last value in the range. No series reset, so
    none of its values in the range is larger, and a customer's sum per step is at most the
    sum of its series' largest values. The offset is above twice the largest such sum, so a
    series that grew between the check and the read (today's last scrapes) still decodes, and
    is kept where the packed sums stay whole numbers under 2^52. Counters that are not whole
    numbers (seconds, bytes as fractions) keep the separate count."""
    values = [value for series in highest.values() for value in series.values()]
    if not all(np.isfinite(value) and value >= 0 and value == int(value) for value in values):
        return None
    largest = max(int(sum(series.values())) for series in highest.values())
    offset = 2 ** (largest.bit_length() + 1)
    most = max(len(series) for series in highest.values())
    return offset if (most + 1) * offset <= EXACT_SUMS else None


def _read_exceptions(run: _Slo, what: str, selector: str) -> Dense:
    """Events per step of one counter, by group; NaN where none of the group's series has a sample.

    From one request (``queries/counter.promql``): the summed events of series continuing from
    the step before, plus per series the exceptions. A series that appears adds its last value
    less the value it had before its gap (0 if it never had one: born at its first value), or
    all of it if its first value is lower (it restarted unscraped). A step whose series reset
    there or in the step before is read sample by sample (``samples``).
    """
    grid, client = run.grid, run.client
    closed = not client.engine.left_open
    step = timedelta(seconds=grid.step)
    text = promql.counter(selector, run.label or "", step, closed)
    shown = _counter_query(run, selector)
    first, last = grid.end_of(0), grid.end_of(grid.count - 1)
    answer = run._ask(what, shown, lambda: client.range(text, first, last, grid.step, reach=2 * grid.step))
    run.finite(what, shown, (values for _, values in answer.values()))
    parts: dict[str, dict[Labels, np.ndarray]] = {}
    for labels, points in answer.items():
        part = dict(labels).get(promql.PART, "")
        stamps, values = points
        laid = run._ask(what, shown, functools.partial(_lay, stamps, values, first, grid.step, grid.count))
        series = parts.setdefault(part, {})
        identity = _series_key(labels)
        # one bucket under two spellings (see _series_key): at different times, so the points merge
        series[identity] = (
            laid if identity not in series else np.where(np.isnan(series[identity]), laid, series[identity])
        )
    events: Dense = {}
    for labels, values in parts.get("step", {}).items():
        group = run.group(labels)
        events[group] = (
            values
            if group not in events
            else np.where(np.isnan(events[group]), values, events[group] + np.nan_to_num(values))
        )
    extra: dict[str, np.ndarray] = {}
    seen: dict[str, np.ndarray] = {}

    def add(labels: Labels, index: int, value: float) -> None:
        key = run.group(labels)
        extra.setdefault(key, np.zeros(grid.count))[index] += value
        seen.setdefault(key, np.zeros(grid.count, dtype=bool))[index] = True

    resets = parts.get("resets", {})
    by_sample: dict[int, list[tuple[Labels, float | None]]] = {}
    opening: dict[Labels, float] | None = None
    for labels, values in parts.get("appear", {}).items():
        vanished = parts.get("vanish", {}).get(labels, np.full(grid.count, np.nan))
        lowest = parts.get("first", {}).get(labels, values)
        reset = resets.get(labels)
        for index in np.flatnonzero(~np.isnan(values)):
            # a vanish at this very step is the same bucket under its other spelling (see _series_key)
            before = np.flatnonzero(~np.isnan(vanished[: index + 1]))
            if len(before):
                previous = float(vanished[before[-1]])
            else:
                if opening is None:
                    opening = _opening(run, what, selector)
                previous = opening.get(labels, 0.0)
            if reset is not None and not np.isnan(reset[index]):
                by_sample.setdefault(int(index), []).append((labels, previous))
            elif lowest[index] >= previous:
                add(labels, int(index), values[index] - previous)
            else:
                add(labels, int(index), values[index])
    appeared = parts.get("appear", {})
    for labels, values in resets.items():
        for index in np.flatnonzero(~np.isnan(values)):
            if labels not in appeared or np.isnan(appeared[labels][index]):
                by_sample.setdefault(int(index), []).append((labels, None))
    for step_index, items in sorted(by_sample.items()):
        for labels, value in _sample_by_sample(run, what, selector, step_index, items):
            add(labels, step_index, value)
    counts: Dense = {}
    for group in set(events) | set(seen):
        base = events.get(group, np.full(grid.count, np.nan))
        present = ~np.isnan(base) | seen.get(group, np.zeros(grid.count, dtype=bool))
        counts[group] = np.where(present, np.nan_to_num(base) + extra.get(group, 0.0), np.nan)
        if (counts[group] < -1e-6).any():
            raise SloProblem(
                f"the {what} counter of {run.name} went down without a reset; is it a counter (a _total series)? "
                f"query: {shown}"
            )
    return counts


def _opening(run: _Slo, what: str, selector: str) -> dict[Labels, float]:
    """Each series' last value at the start of the range (looking back as far as the range is long)."""
    text = promql.opening(selector, _longest(run.client, run.grid.span))
    found = run._ask(what, text, lambda: run.client.instant(text, run.grid.start))
    run.finite(what, text, [np.array(list(found.values()), dtype=float)])
    return {_series_key(labels): value for labels, value in found.items()}


def _sample_by_sample(
    run: _Slo, what: str, selector: str, index: int, items: list[tuple[Labels, float | None]]
) -> list[tuple[Labels, float]]:
    """Exact events of step ``index`` for series that reset inside it, from their raw samples.

    ``None`` as the previous value: the series continues from the step before, whose events the
    summed part already counted as a plain difference; what comes back is the correction."""
    grid = run.grid
    text = promql.samples(selector, timedelta(seconds=grid.step), not run.client.engine.left_open)
    at = grid.end_of(index)
    found = run._ask(what, text, lambda: run.client.samples(text, at))
    run.finite(what, text, (values for _, values in found.values()))
    series = {_series_key(labels): points for labels, points in found.items()}
    out = []
    for labels, previous in items:
        if labels not in series:
            raise SloProblem(
                f"the samples of a {what} series of {run.name} vanished between two queries; query: {text}"
            )
        stamps, values = series[labels]
        inside = values[stamps > at - grid.step]
        before = values[stamps <= at - grid.step]
        if not len(inside):  # the reset was in the step before, and this step has no sample of the series
            continue
        if previous is None:
            start = float(before[-1]) if len(before) else 0.0
            out.append((labels, reconcile.increase(start, inside) - (inside[-1] - start)))
        else:
            out.append((labels, reconcile.increase(previous, inside)))
    return out


def _exact_counts(kind: str, total: Dense, other: Dense) -> Groups:
    """The groups with data; counts are whole numbers (rounded so that they add up), good ≤ total."""
    groups = {}
    for key, values in total.items():
        steps = np.flatnonzero(~np.isnan(values))
        if not len(steps):
            continue
        counts = reconcile.to_counts(values[steps], values[steps].sum())
        second = np.minimum(reconcile.to_counts(other[key][steps], other[key][steps].sum()), counts)
        groups[key] = _Counts.of(steps, counts - second if kind == "bad" else second, counts, len(values))
    return groups


def _fetch_raw(run: _Slo, queries: promql.SloQueries, service: str, slo: SloConfig) -> Groups:
    """A raw SLI: the user's queries count events per window, so ``increase()`` per step, reconciled."""
    grid = run.grid
    kind, other_query = queries.other
    total = run.steps("total", queries.total)
    if not total:
        raise SloProblem(
            f"no series matched the total query of {service}/{slo.name}; check the metric name "
            f"and labels; query: {promql.at(queries.total, grid.span)}"
        )
    other = run.steps(kind, other_query)
    if kind == "good" and not other:
        raise SloProblem(
            f"no series matched the good query of {service}/{slo.name}; check the metric name "
            f"and labels; query: {promql.at(other_query, grid.span)}"
        )
    _no_strays(service, slo.name, kind, total, other, promql.at(other_query, grid.span))
    other = {key: other.get(key, np.zeros(grid.count)).copy() for key in total}
    _fill_gaps(run, queries.total, other_query, kind, total, other)
    bounds = grid.bounds()
    segments = {key: reconcile.segments(bounds, ~np.isnan(values)) for key, values in total.items()}
    end = grid.end_of(grid.count - 1)
    sums = {
        "total": (
            _segment_totals(run, "total", queries.total, bounds, segments),
            run.over("total", queries.total, grid.span, end),
        ),
        kind: (_segment_totals(run, kind, other_query, bounds, segments), run.over(kind, other_query, grid.span, end)),
    }
    return _held_counts(kind, total, other, segments, sums)


def _segment_totals(
    run: _Slo, what: str, query: str, bounds: list[int], segments: dict[str, list[tuple[int, int]]]
) -> dict[tuple[str, int, int], float]:
    """The exact events of every (group, segment): whole days from one range query with a
    one-day step, a shorter last day and spans merged across gaps from one query each."""
    grid = run.grid
    length = bounds[1] - bounds[0]
    days = run.steps(what, query, every=length)
    asked: dict[tuple[int, int], dict[str, float]] = {}
    totals = {}
    for key, spans in segments.items():
        for start, end in spans:
            if end - start == length and start % length == 0:
                totals[(key, start, end)] = days.get(key, np.full(grid.count // length, np.nan))[start // length]
                continue
            if (start, end) not in asked:
                asked[(start, end)] = run.over(
                    what, query, timedelta(seconds=(end - start) * grid.step), grid.end_of(end - 1)
                )
            totals[(key, start, end)] = asked[(start, end)].get(key, np.nan)
    return totals


def _fill_gaps(run: _Slo, total_query: str, other_query: str, kind: str, total: Dense, other: Dense) -> None:
    """Give each gap's events to the first step after it, read with one query over the gap."""
    grid = run.grid
    spans: dict[tuple[int, int], list[str]] = {}
    for key, values in total.items():
        for span in reconcile.gaps(~np.isnan(values)):
            spans.setdefault(span, []).append(key)
    for (before, after), keys in sorted(spans.items()):
        window, at = timedelta(seconds=(after - before) * grid.step), grid.end_of(after)
        total_gap = run.over("total", total_query, window, at)
        other_gap = run.over(kind, other_query, window, at)
        for key in keys:
            total[key][after] = total_gap.get(key, total[key][after])
            other[key][after] = other_gap.get(key, 0.0)


def _held_counts(
    kind: str,
    total: Dense,
    other: Dense,
    segments: dict[str, list[tuple[int, int]]],
    sums: dict,
) -> Groups:
    """The groups with data, held to the day totals and then to the whole-range total;
    good ≤ total on every step."""
    groups = {}
    for key, values in total.items():
        steps = np.flatnonzero(~np.isnan(values))
        if not len(steps):
            continue
        counts = _held(key, steps, values, segments[key], *sums["total"])
        second = np.minimum(_held(key, steps, other[key], segments[key], *sums[kind]), counts)
        groups[key] = _Counts.of(steps, counts - second if kind == "bad" else second, counts, len(values))
    return groups


def _slo_counts(service: str, slo: str, grid: StepGrid, groups: Groups, keeps: bool) -> SloCounts:
    """One SLO's counts: its groups added up per step (NaN where none has data), kept apart per
    customer where ``keeps``; warns when steps lack data."""
    if groups:
        total = np.vstack([counts.total for counts in groups.values()])
        good = np.vstack([counts.good for counts in groups.values()])
        no_data = np.isnan(total).all(axis=0)
    else:
        total = good = np.empty((0, grid.count))
        no_data = np.ones(grid.count, dtype=bool)
    if 1 - no_data.mean() < COVERAGE_WARNING:
        log.warning(
            "%s/%s: data for only %.2f%% of the %d steps; the steps without data count as no data",
            service,
            slo,
            100 * (1 - no_data.mean()),
            grid.count,
        )
    customers = None
    if keeps:
        names = sorted(key for key in groups if key != "")
        customers = CustomerCounts(
            tuple(names),
            np.array([groups[name].good for name in names]).reshape(len(names), grid.count),
            np.array([groups[name].total for name in names]).reshape(len(names), grid.count),
        )
    made = [counts.unlabelled for counts in groups.values() if counts.unlabelled is not None]
    unlabelled = np.where(no_data, np.nan, np.nansum(made, axis=0)) if made else None
    return SloCounts(
        service,
        slo,
        np.where(no_data, np.nan, np.nansum(good, axis=0)),
        np.where(no_data, np.nan, np.nansum(total, axis=0)),
        customers,
        unlabelled=unlabelled,
    )


def _held(
    key: str,
    steps: np.ndarray,
    values: np.ndarray,
    segments: list[tuple[int, int]],
    segment_sums: dict,
    whole: dict[str, float],
) -> np.ndarray:
    """One counter's rows of one group: each segment held to its total, then all to the whole range's."""
    shares = np.nan_to_num(values[steps], nan=0.0)
    for start, end in segments:
        inside = (steps >= start) & (steps < end)
        exact = segment_sums[(key, start, end)]
        if inside.any() and np.isfinite(exact):
            shares[inside] = reconcile.held(shares[inside], exact)
    return reconcile.to_counts(shares, whole.get(key, shares.sum()))
