"""Sources yield event counts; nothing downstream knows where they came from.

The seam the pipeline reads is a :class:`CountStream`: one :class:`SloCounts` per configured
SLO, in catalogue order, each holding numeric arrays on the step grid (Σgood and Σtotal per
step, NaN where the step has no data: missing data is never good data; 0 where it has data
and no traffic). SLA-covered SLOs also carry a customers × steps array. The stream may be
lazy, so the pipeline holds one SLO's counts at a time (plus the source's prefetch).

A source implements ``fetch`` (the long frame :class:`EventCounts`: one row per step and
customer, columns ``timestamp, service, slo, customer, good, total``) and may implement
``stream``. A source with ``fetch`` alone (a count store, a test stub) plugs in through
:meth:`EventCounts.stream`, which groups the long frame once; :func:`open_stream` picks.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol, runtime_checkable

import numpy as np
import pandas as pd

from ..config import Config
from ..errors import ReportError

COLUMNS = ("timestamp", "service", "slo", "customer", "good", "total")
UNLABELLED = "unlabelled"
"""The long frame's optional column: predictions without ground truth yet (model-quality SLOs; NaN elsewhere)."""


class SourceError(ReportError):
    """The source cannot produce counts at all (as opposed to one SLO lacking data)."""


@dataclass(frozen=True)
class StepGrid:
    """The steps that start in [start, end); a row belongs to the step that contains its timestamp."""

    start: datetime
    end: datetime
    step: timedelta

    @property
    def count(self) -> int:
        return -(-(self.end - self.start) // self.step)

    def positions(self, timestamps: pd.Series | pd.DatetimeIndex) -> np.ndarray:
        """Each timestamp's step number (int64; outside [0, count) for rows outside the grid)."""
        return self.positions_of(pd.DatetimeIndex(timestamps).as_unit("ns").asi8)

    def positions_of(self, nanoseconds: np.ndarray) -> np.ndarray:
        """The same for instants given as nanoseconds since the epoch."""
        return (nanoseconds - pd.Timestamp(self.start).as_unit("ns").value) // pd.Timedelta(self.step).value


@dataclass(frozen=True, eq=False)
class CustomerCounts:
    """Per customer of an SLA-covered SLO: ``good`` and ``total`` are customers × steps, NaN where
    the customer has no row in that step. Rows without a customer are in the SLO's totals only."""

    names: tuple[str, ...]
    good: np.ndarray
    total: np.ndarray


@dataclass(frozen=True, eq=False)
class SloCounts:
    """One SLO's counts on the stream's grid: float64 arrays of ``grid.count`` steps (whole numbers or NaN)."""

    service: str
    slo: str
    good: np.ndarray
    total: np.ndarray
    customers: CustomerCounts | None = None
    """Only for SLA-covered SLOs when tiers are configured (see :func:`keeps_customers`)."""
    problem: str | None = None
    """Why the source could not count this SLO, in a sentence naming service, SLO and query; "no data"."""
    unlabelled: np.ndarray | None = None
    """Model-quality SLOs: predictions per step still without ground truth (``total`` counts the labelled
    ones); None for SLOs whose source has no such count."""


@dataclass(frozen=True)
class CountStream:
    """Every configured SLO's counts, in catalogue order; iterate once."""

    grid: StepGrid
    slos: Iterable[SloCounts]
    description: str = ""

    def __iter__(self) -> Iterator[SloCounts]:
        return iter(self.slos)


def keeps_customers(config: Config, sla: bool) -> bool:
    """Counts stay per customer only where tiers and credits need them: data grows with customers there alone."""
    return config.customers is not None and sla


def catalogue_slos(config: Config) -> list[tuple[str, str, bool]]:
    """(service, SLO, keeps customers) for every configured SLO, in catalogue order."""
    return [(s.name, o.name, keeps_customers(config, o.sla)) for s in config.services for o in s.slos]


def slo_counts(
    service: str,
    slo: str,
    grid: StepGrid,
    positions: np.ndarray,
    good: np.ndarray,
    total: np.ndarray,
    customers: np.ndarray | pd.Categorical | None = None,
    problem: str | None = None,
    unlabelled: np.ndarray | None = None,
) -> SloCounts:
    """One SLO's rows laid on the grid: rows in the same step are summed, rows off the grid dropped.

    ``customers``: each row's customer name ("" for none), only when the SLO keeps customers; a
    Categorical is grouped by its codes, much faster than strings.
    ``unlabelled``: each row's predictions without ground truth (NaN for none), for model-quality SLOs.

    >>> grid = StepGrid(pd.Timestamp("2026-10-01", tz="UTC"), pd.Timestamp("2026-10-01 00:15", tz="UTC"),
    ...                 timedelta(minutes=5))
    >>> counts = slo_counts("api", "availability", grid, np.array([0, 0, 2]), np.array([9, 5, 0]), np.array([10, 5, 0]))
    >>> counts.good.tolist(), counts.total.tolist()
    ([14.0, nan, 0.0], [15.0, nan, 0.0])
    """
    count = grid.count
    inside = (positions >= 0) & (positions < count)
    if not inside.all():
        positions, good, total = positions[inside], good[inside], total[inside]
        customers = customers[inside] if customers is not None else None
        unlabelled = unlabelled[inside] if unlabelled is not None else None
    by_customer = None
    if customers is None:
        good_steps, total_steps = _laid(positions, good, total, count)
    else:
        codes, names = _customer_codes(customers)
        # one grouping for both: row 0 holds the rows without a customer, row c + 1 customer c
        customer_good, customer_total = _laid((codes + 1) * count + positions, good, total, (len(names) + 1) * count)
        customer_good, customer_total = (
            customer_good.reshape(len(names) + 1, count),
            customer_total.reshape(len(names) + 1, count),
        )
        no_rows = np.isnan(customer_total).all(axis=0)
        good_steps, total_steps = np.nansum(customer_good, axis=0), np.nansum(customer_total, axis=0)
        good_steps[no_rows] = np.nan
        total_steps[no_rows] = np.nan
        by_customer = CustomerCounts(names, customer_good[1:], customer_total[1:])
    unlabelled_steps = _unlabelled(positions, unlabelled, total_steps)
    return SloCounts(service, slo, good_steps, total_steps, by_customer, problem, unlabelled_steps)


def _unlabelled(positions: np.ndarray, unlabelled: np.ndarray | None, total_steps: np.ndarray) -> np.ndarray | None:
    """Σ unlabelled per step, NaN where the step has no data; None when no row carries the count."""
    if unlabelled is None:
        return None
    values = unlabelled.astype(np.float64)
    known = ~np.isnan(values)
    if not known.any():
        return None
    sums = np.bincount(positions[known], weights=values[known], minlength=len(total_steps)).astype(np.float64)
    sums[np.isnan(total_steps)] = np.nan
    return sums


def _customer_codes(customers: np.ndarray | pd.Categorical) -> tuple[np.ndarray, tuple[str, ...]]:
    """Each row's customer number in name order (-1 for none), and the names (those with a row only)."""
    if isinstance(customers, pd.Categorical):
        values, categories = customers.codes, [str(c) for c in customers.categories]
    else:
        values, uniques = pd.factorize(customers)
        categories = [str(c) for c in uniques]
    used = np.bincount(values.astype(np.int64) + 1, minlength=len(categories) + 1)[1:] > 0
    named = sorted((i for i in np.flatnonzero(used) if categories[i] != ""), key=lambda i: categories[i])
    numbers = np.full(len(categories) + 1, -1, dtype=np.int64)  # the last entry: code -1 (NaN) is no customer
    numbers[named] = np.arange(len(named))
    return numbers[values], tuple(categories[i] for i in named)


def _laid(cells: np.ndarray, good: np.ndarray, total: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    """Σ per cell as float64 (exact for whole numbers below 2⁵³), NaN for cells without a row."""
    missing = np.bincount(cells, minlength=size) == 0
    good_sums = np.bincount(cells, weights=good, minlength=size).astype(np.float64, copy=False)
    total_sums = np.bincount(cells, weights=total, minlength=size).astype(np.float64, copy=False)
    good_sums[missing] = np.nan
    total_sums[missing] = np.nan
    return good_sums, total_sums


def no_counts(service: str, slo: str, grid: StepGrid, problem: str | None = None, customers: bool = False) -> SloCounts:
    """An SLO without a single row: every step is "no data"."""
    empty = np.array([], dtype=np.int64)
    return slo_counts(
        service, slo, grid, empty, empty, empty, np.array([], dtype=object) if customers else None, problem
    )


@dataclass(frozen=True)
class EventCounts:
    """The long frame: one row per step (and customer); a step with no row has no data."""

    frame: pd.DataFrame
    step: timedelta
    start: datetime
    end: datetime
    problems: dict[tuple[str, str], str] = field(default_factory=dict)
    """Per (service, slo): why its counts could not be fetched, in a sentence that names the service, the SLO
    and the query; those SLOs are reported as "no data"."""
    description: str = ""

    def for_slo(self, service: str, slo: str) -> pd.DataFrame:
        frame = self.frame
        return frame[(frame["service"] == service) & (frame["slo"] == slo)]

    def stream(self, config: Config) -> CountStream:
        """The seam, built from this frame with one grouping pass (service and SLO as integer codes).

        This is the one call a source that produces the long frame needs to plug in."""
        grid = StepGrid(self.start, self.end, self.step)
        frame = self.frame
        wanted = catalogue_slos(config)
        index = pd.MultiIndex.from_tuples([(s, o) for s, o, _ in wanted]) if wanted else None
        if index is None or frame.empty:
            codes = np.full(len(frame), -1, dtype=np.int64)
        else:
            pairs = pd.MultiIndex.from_arrays([frame["service"].astype(str), frame["slo"].astype(str)])
            codes = index.get_indexer(pairs)
        positions = grid.positions(frame["timestamp"]) if len(frame) else np.array([], dtype=np.int64)
        order = np.argsort(codes, kind="stable")
        bounds = np.searchsorted(codes[order], np.arange(len(wanted) + 1))
        good = frame["good"].to_numpy(np.int64)
        total = frame["total"].to_numpy(np.int64)
        customers = frame["customer"].astype(str).to_numpy(object) if len(frame) else np.array([], dtype=object)
        unlabelled = frame[UNLABELLED].to_numpy(np.float64) if UNLABELLED in frame.columns else None

        def each() -> Iterator[SloCounts]:
            for number, (service, slo, by_customer) in enumerate(wanted):
                rows = order[bounds[number] : bounds[number + 1]]
                yield slo_counts(
                    service,
                    slo,
                    grid,
                    positions[rows],
                    good[rows],
                    total[rows],
                    customers[rows] if by_customer else None,
                    self.problems.get((service, slo)),
                    unlabelled[rows] if unlabelled is not None else None,
                )

        return CountStream(grid, each(), self.description)


class EventSource(Protocol):
    def fetch(self, config: Config, start: datetime, end: datetime) -> EventCounts:
        """Counts for every configured SLO for the steps that start in [start, end), as the long frame."""


@runtime_checkable
class StreamingSource(Protocol):
    def stream(self, config: Config, start: datetime, end: datetime) -> CountStream:
        """The same counts as ``fetch``, one SLO at a time, without building the long frame."""


@runtime_checkable
class RetainingSource(Protocol):
    def oldest(self, config: Config, at: datetime) -> datetime | None:
        """The oldest instant the source still holds at ``at`` (what is older, retention deleted);
        None when unknown. ``collect`` shortens its lead-in to it (see ``collect.fetch_start``)."""


def open_stream(source: EventSource, config: Config, start: datetime, end: datetime) -> CountStream:
    """The source's own stream where it has one, else its long frame grouped once."""
    if isinstance(source, StreamingSource):
        return source.stream(config, start, end)
    return source.fetch(config, start, end).stream(config)


def gathered(stream: CountStream) -> EventCounts:
    """A stream's counts as the long frame (``fetch`` of a source that streams)."""
    problems: dict[tuple[str, str], str] = {}
    frame = long_frame(stream, problems)
    grid = stream.grid
    return EventCounts(frame, grid.step, grid.start, grid.end, problems, stream.description)


def long_frame(stream: CountStream, problems: dict[tuple[str, str], str] | None = None) -> pd.DataFrame:
    """The long frame of a stream: one row per step with data (and per customer where kept), at the step's start."""
    grid, parts = stream.grid, []
    for counts in stream:
        if counts.problem is not None and problems is not None:
            problems[(counts.service, counts.slo)] = counts.problem
        rest_good, rest_total = counts.good, counts.total
        if counts.customers is not None:
            c = counts.customers
            for name, good, total in zip(c.names, c.good, c.total, strict=True):
                parts.append(_rows(grid, counts.service, counts.slo, name, good, total))
            rest_good = rest_good - np.nansum(c.good, axis=0)
            rest_total = rest_total - np.nansum(c.total, axis=0)
            needed = np.isnan(c.total).all(axis=0) | (rest_total != 0)
            if counts.unlabelled is not None:  # the step's unlabelled predictions ride on its rest row
                needed |= np.nan_to_num(counts.unlabelled) != 0
            rest_total = np.where(needed, rest_total, np.nan)
        rest = _rows(grid, counts.service, counts.slo, "", rest_good, rest_total)
        if counts.unlabelled is not None:
            rest[UNLABELLED] = counts.unlabelled[np.flatnonzero(~np.isnan(rest_total))]
        parts.append(rest)
    if not parts:
        return empty_frame()
    return pd.concat(parts, ignore_index=True)


def _rows(grid: StepGrid, service: str, slo: str, customer: str, good: np.ndarray, total: np.ndarray) -> pd.DataFrame:
    steps = np.flatnonzero(~np.isnan(total))
    nanoseconds = pd.Timestamp(grid.start).as_unit("ns").value + steps * pd.Timedelta(grid.step).value
    return pd.DataFrame(
        {
            "timestamp": pd.to_datetime(nanoseconds, utc=True, unit="ns"),
            "service": service,
            "slo": slo,
            "customer": customer,
            "good": good[steps].astype(np.int64),
            "total": total[steps].astype(np.int64),
        }
    )


def empty_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "timestamp": pd.Series([], dtype="datetime64[ns, UTC]"),
            "service": pd.Series([], dtype=object),
            "slo": pd.Series([], dtype=object),
            "customer": pd.Series([], dtype=object),
            "good": pd.Series([], dtype="int64"),
            "total": pd.Series([], dtype="int64"),
        }
    )


def source_for(config: Config) -> EventSource:
    """The configured source; behind the count store (which answers for the days it holds) when
    ``store:`` is configured."""
    source = configured_source(config)
    if config.store is None:
        return source
    from .store import CountStore, StoredSource

    return StoredSource(CountStore(config.store.path), source)


def configured_source(config: Config) -> EventSource:
    """The source named by ``config.source.type`` (what ``collect`` copies into the store)."""
    from .file import FileSource
    from .prometheus import PrometheusSource

    if config.source.type == "file":
        return FileSource()
    if config.source.type == "prometheus":
        return PrometheusSource()
    raise SourceError(f"source.type {config.source.type!r} is not supported")
