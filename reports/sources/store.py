"""The count store, and the source that reads it first and asks the configured source for the rest.

Layout: ``<store>/days/YYYY-MM-DD.parquet``, one file per UTC day with the columns of
:data:`COLUMNS` (so DuckDB, pandas or any Parquet reader can query the store directly), and in
the file's own key-value metadata (key ``slo_reports``) a JSON record of where every SLO's
counts came from: the source, its URL or file, the SLI as configured, when it was collected,
how far the day is covered, and the problems of the last collection.

A day file is never changed in place: a new version is written to a hidden temporary file in
the same folder, flushed to disk and renamed over the old one. A reader therefore sees either
the old day or the new one, never half of either, and a ``collect`` killed at any moment
leaves at most a stray temporary file, removed by the next ``collect``. Writers take an
exclusive lock on ``<store>/.lock``; readers take none.
"""

from __future__ import annotations

import errno
import fcntl
import functools
import json
import os
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, timedelta
from itertools import pairwise
from pathlib import Path
from typing import TypeVar

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from ..config import Config, format_duration
from . import (
    COLUMNS,
    UNLABELLED,
    CountStream,
    EventCounts,
    EventSource,
    SloCounts,
    SourceError,
    StepGrid,
    catalogue_slos,
    empty_frame,
    slo_counts,
)

DAY = timedelta(days=1)
DAY_NS = 86_400 * 10**9
FORMAT = 1
METADATA_KEY = b"slo_reports"
T = TypeVar("T")
SCHEMA = pa.schema(
    [
        ("timestamp", pa.timestamp("ns", tz="UTC")),
        ("service", pa.dictionary(pa.int32(), pa.string())),
        ("slo", pa.dictionary(pa.int32(), pa.string())),
        ("customer", pa.dictionary(pa.int32(), pa.string())),
        ("good", pa.int64()),
        ("total", pa.int64()),
        ("unlabelled", pa.float64()),  # model quality only; NaN elsewhere; absent in older files
    ]
)


class StoreError(SourceError):
    """The store cannot be read or written (full disk, permissions, a damaged file)."""


def day_start(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def utc_day(instant: datetime) -> date:
    return instant.astimezone(UTC).date()


@dataclass(frozen=True)
class Held:
    """One SLO's counts in a day file: the steps in [day start, ``end``)."""

    service: str
    slo: str
    end: datetime
    collected_at: datetime
    source: str
    """The source's own description, e.g. ``Prometheus at http://prometheus:9090``."""
    sli: dict
    """The SLI as it was configured when the counts were collected (the queries, for Prometheus)."""

    @property
    def key(self) -> tuple[str, str]:
        return (self.service, self.slo)


@dataclass(frozen=True)
class DayRecord:
    """What a day file holds, and what its last collection could not count."""

    day: date
    step: timedelta
    held: tuple[Held, ...] = ()
    problems: dict[tuple[str, str], str] = field(default_factory=dict)
    """Per (service, SLO): why the last collection of this day could not count it."""

    def holding(self, key: tuple[str, str]) -> Held | None:
        return next((held for held in self.held if held.key == key), None)

    def to_json(self) -> bytes:
        return json.dumps(
            {
                "format": FORMAT,
                "day": self.day.isoformat(),
                "step_seconds": int(self.step.total_seconds()),
                "held": [
                    {**asdict(h), "end": h.end.isoformat(), "collected_at": h.collected_at.isoformat()}
                    for h in self.held
                ],
                "problems": [{"service": s, "slo": o, "problem": why} for (s, o), why in sorted(self.problems.items())],
            },
            sort_keys=True,
        ).encode()

    @classmethod
    def from_json(cls, text: bytes) -> DayRecord:
        data = json.loads(text)
        if data.get("format") != FORMAT:
            raise ValueError(f"format {data.get('format')!r}, this version reads format {FORMAT}")
        held = tuple(
            Held(
                service=h["service"],
                slo=h["slo"],
                end=datetime.fromisoformat(h["end"]),
                collected_at=datetime.fromisoformat(h["collected_at"]),
                source=h["source"],
                sli=h["sli"],
            )
            for h in data["held"]
        )
        problems = {(p["service"], p["slo"]): p["problem"] for p in data["problems"]}
        return cls(date.fromisoformat(data["day"]), timedelta(seconds=data["step_seconds"]), held, problems)


class CountStore:
    """The folder of day files."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.days_dir = self.path / "days"

    def file(self, day: date) -> Path:
        return self.days_dir / f"{day.isoformat()}.parquet"

    def days(self) -> list[date]:
        """The days that have a file, oldest first."""
        if not self.days_dir.is_dir():
            return []
        found = []
        for path in self.days_dir.glob("[0-9]*.parquet"):
            try:
                found.append(date.fromisoformat(path.stem))
            except ValueError:
                continue
        return sorted(found)

    def _damaged(self, day: date, exc: Exception) -> StoreError:
        return StoreError(
            f"store.path: {self.file(day)} cannot be read ({exc}); move it away and run "
            f"slo-report collect --from {day.isoformat()} to collect that day again"
        )

    def record(self, day: date) -> DayRecord | None:
        """The day's record alone (the Parquet footer), or None without a file."""
        try:
            metadata = pq.read_schema(self.file(day)).metadata or {}
            return DayRecord.from_json(metadata[METADATA_KEY])
        except FileNotFoundError:
            return None
        except (OSError, KeyError, ValueError, pa.ArrowException) as exc:
            raise self._damaged(day, exc) from None

    def read(self, day: date) -> tuple[DayRecord, pd.DataFrame] | None:
        """Record and rows from one open file: a consistent pair even while ``collect`` replaces it."""
        return self.reading(day, lambda record, parquet: (record, parquet.read().to_pandas()))

    def reading(self, day: date, use: Callable[[DayRecord, pq.ParquetFile], T]) -> T | None:
        """``use`` on the day's record and its open file (None without a file); a damaged file is a StoreError."""
        try:
            with self.file(day).open("rb") as handle:
                parquet = pq.ParquetFile(handle)
                record = DayRecord.from_json((parquet.schema_arrow.metadata or {})[METADATA_KEY])
                return use(record, parquet)
        except FileNotFoundError:
            return None
        except StoreError:
            raise
        except (OSError, KeyError, ValueError, pa.ArrowException) as exc:
            raise self._damaged(day, exc) from None

    def write(self, record: DayRecord, frame: pd.DataFrame) -> None:
        """Replace the day's file whole: temporary file, fsync, rename, fsync of the folder."""
        target = self.file(record.day)
        temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
        rows = frame.reindex(columns=[*COLUMNS, UNLABELLED]).sort_values(
            ["service", "slo", "customer", "timestamp"], kind="stable"
        )
        table = pa.Table.from_pandas(rows, schema=SCHEMA, preserve_index=False)
        table = table.replace_schema_metadata({METADATA_KEY: record.to_json()})
        try:
            self.days_dir.mkdir(parents=True, exist_ok=True)
            with temporary.open("wb") as handle:
                pq.write_table(table, handle, compression="zstd")
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temporary, target)
            folder = os.open(self.days_dir, os.O_RDONLY)
            try:
                os.fsync(folder)
            finally:
                os.close(folder)
        except OSError as exc:
            temporary.unlink(missing_ok=True)
            raise StoreError(
                f"store.path: cannot write {target}: {exc.strerror or exc}; {_fix(exc)} "
                f"(the store still holds what it held before this day)"
            ) from None

    @contextmanager
    def writing(self) -> Iterator[None]:
        """The writers' lock; stray temporary files of killed writers are removed under it."""
        try:
            self.days_dir.mkdir(parents=True, exist_ok=True)
            handle = (self.path / ".lock").open("a")
        except OSError as exc:
            raise StoreError(f"store.path: cannot use {self.path}: {exc.strerror or exc}; {_fix(exc)}") from None
        with handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise StoreError(
                    f"store.path: another collect is writing to {self.path}; wait for it to finish"
                ) from None
            for stray in self.days_dir.glob(".*.tmp"):
                stray.unlink(missing_ok=True)
            yield

    def size(self) -> int:
        return sum(path.stat().st_size for path in self.days_dir.glob("*.parquet")) if self.days_dir.is_dir() else 0


def _fix(exc: OSError) -> str:
    if exc.errno == errno.ENOSPC:
        return "free some space on that disk or move store.path"
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return "let the user running slo-report write there, or change store.path"
    return "check store.path"


def restricted(config: Config, keys: set[tuple[str, str]]) -> Config:
    """The config with only the SLOs in ``keys`` (services without any left are dropped)."""
    services = []
    for service in config.services:
        slos = [slo for slo in service.slos if (service.name, slo.name) in keys]
        if slos:
            services.append(service.model_copy(update={"slos": slos}))
    return config.model_copy(update={"services": services})


def wanted(config: Config) -> list[tuple[str, str]]:
    return [(service.name, slo.name) for service in config.services for slo in service.slos]


@dataclass(frozen=True)
class _Part:
    """[start, end) of the fetched range and the SLOs the source must count there."""

    start: datetime
    end: datetime
    missing: frozenset[tuple[str, str]]


class StoredSource:
    """The store for the days (and SLOs) it holds, ``fallback`` (the configured source) for the rest.

    The description says which UTC days came from where, and names the days that neither had,
    with the reason. ``stream`` is what ``run`` reads: each SLO's rows gathered as compact
    columns, without the long frame; ``fetch`` builds the long frame (``collect`` and tests)."""

    def __init__(self, store: CountStore, fallback: EventSource):
        self.store = store
        self.fallback = fallback

    def fetch(self, config: Config, start: datetime, end: datetime) -> EventCounts:
        frames: list[pd.DataFrame] = []

        def take(parquet: pq.ParquetFile, coverage: dict[tuple[str, str], datetime], lo: datetime) -> bool:
            rows = _rows_held(parquet.read().to_pandas(), coverage, lo)
            frames.append(rows)
            return len(rows) > 0

        stored = self._stored(config, start, end, take)
        filled = self._fill(config, stored, frames.append)
        frame = _combined([f for f in frames if len(f)])
        pairs = frame[["service", "slo"]].drop_duplicates()
        counted = set(zip(pairs["service"].astype(str), pairs["slo"].astype(str), strict=True))
        problems, description = _outcome(stored, filled, counted, start, end)
        return EventCounts(frame, config.source.step, start, end, problems, description)

    def stream(self, config: Config, start: datetime, end: datetime) -> CountStream:
        grid = StepGrid(start, end, config.source.step)
        rows = _SloRows(catalogue_slos(config), grid)
        stored = self._stored(config, start, end, rows.add_day, READERS)
        filled = self._fill(config, stored, rows.add_frame)
        problems, description = _outcome(stored, filled, rows.counted, start, end)
        return CountStream(grid, rows.each(problems), description)

    def _stored(self, config: Config, start: datetime, end: datetime, take: _Take, workers: int = 1) -> _Stored:
        """Hand ``take`` the store's rows for [start, end), ``workers`` day files at a time; note the parts
        of the range the source must fill."""
        keys = wanted(config)
        stored = _Stored()
        days = [
            utc_day(start) + DAY * i
            for i in range((utc_day(end - timedelta(microseconds=1)) - utc_day(start)).days + 1)
        ]
        spans = [(max(start, day_start(day)), min(end, day_start(day) + DAY)) for day in days]

        def read(day: date, span: tuple[datetime, datetime]) -> dict[tuple[str, str], datetime]:
            use = functools.partial(self._held, config, keys, stored, take, day, *span)
            return self.store.reading(day, use) or {}

        if workers > 1:
            with ThreadPoolExecutor(workers, thread_name_prefix="store") as pool:
                coverages = list(pool.map(read, days, spans))
        else:
            coverages = list(map(read, days, spans))
        for (lo, hi), coverage in zip(spans, coverages, strict=True):
            for a, b in pairwise(sorted({lo, hi, *coverage.values()})):
                stored.add(_Part(a, b, frozenset(key for key in keys if coverage.get(key, lo) < b)))
        return stored

    def _held(
        self,
        config: Config,
        keys: list[tuple[str, str]],
        stored: _Stored,
        take: _Take,
        day: date,
        lo: datetime,
        hi: datetime,
        record: DayRecord,
        parquet: pq.ParquetFile,
    ) -> dict[tuple[str, str], datetime]:
        """One day file: how far it covers each wanted SLO in [lo, hi); its rows go to ``take``."""
        if record.step != config.source.step:
            raise StoreError(
                f"store.path: {self.store.file(day)} holds {format_duration(record.step)} steps but "
                f"source.step is {format_duration(config.source.step)}; collect into a new store.path "
                "after changing the step"
            )
        coverage: dict[tuple[str, str], datetime] = {}
        holding = {held.key: held for held in record.held}
        for key in keys:
            held = holding.get(key)
            if held is not None and held.end > lo:
                coverage[key] = min(held.end, hi)
                stored.origins.add(held.source)
        if coverage and take(parquet, coverage, lo):
            stored.days.add(day)
        return coverage

    def _fill(self, config: Config, stored: _Stored, add: Callable[[pd.DataFrame], None]) -> _Filled:
        """Ask the source for the parts the store lacks; ``add`` takes each answer's long frame."""
        filled = _Filled(_name_of(config))
        for part in stored.parts:
            if not part.missing:
                continue
            counts = self.fallback.fetch(restricted(config, set(part.missing)), part.start, part.end)
            filled.fallback = counts.description or filled.fallback
            add(counts.frame)
            for key, why in counts.problems.items():
                filled.problems.setdefault(key, why)
            stamps = _nanoseconds(counts.frame["timestamp"])
            if len(stamps):
                filled.days.update(_days_of(stamps))
                first = int(stamps.min())
                filled.first = first if filled.first is None else min(first, filled.first)
        return filled


_Take = Callable[[pq.ParquetFile, dict[tuple[str, str], datetime], datetime], bool]
"""Takes a day file's rows of the SLOs in the coverage (each from ``lo`` to its covered end); True if any."""


@dataclass
class _Stored:
    parts: list[_Part] = field(default_factory=list)
    days: set[date] = field(default_factory=set)
    origins: set[str] = field(default_factory=set)

    def add(self, part: _Part) -> None:
        """Adjacent parts that lack the same SLOs are one fetch."""
        last = self.parts[-1] if self.parts else None
        if last is not None and last.end == part.start and last.missing == part.missing:
            self.parts[-1] = _Part(last.start, part.end, part.missing)
        else:
            self.parts.append(part)


@dataclass
class _Filled:
    """What the source answered for the parts the store lacked."""

    fallback: str
    problems: dict[tuple[str, str], str] = field(default_factory=dict)
    days: set[date] = field(default_factory=set)
    first: int | None = None
    """The earliest instant the source had, in ns."""


def _outcome(
    stored: _Stored, filled: _Filled, counted: set[tuple[str, str]], start: datetime, end: datetime
) -> tuple[dict[tuple[str, str], str], str]:
    """The problems of SLOs without a single row, and the description of where the counts came from."""
    # A source that lacks part of the range (retention) finds no series for an SLO at all: with the
    # rest of the range in the store that SLO still has counts, and the description names the gap.
    partial = {key: why for key, why in filled.problems.items() if key in counted}
    description = _describe(
        sorted(stored.days),
        sorted(filled.days),
        utc_day(start),
        utc_day(end - timedelta(microseconds=1)),
        sorted(stored.origins),
        filled.fallback,
        None if filled.first is None else pd.Timestamp(filled.first, tz="UTC").to_pydatetime(),
    )
    if partial:
        first = next(iter(partial.values()))
        description += f"; the source could not count {len(partial)} SLO(s) on the days asked of it (first: {first})"
    return {key: why for key, why in filled.problems.items() if key not in counted}, description


COUNT_COLUMNS = ("good", "total")
"""The count columns carried row by row from the day files to each SLO's arrays."""
OPTIONAL_COUNTS = (UNLABELLED,)
"""Optional count columns (float, NaN for none), kept only for the rows of SLOs that have them."""
BATCH_ROWS = 1 << 20
READERS = 2
"""Day files read at once by ``stream``: Parquet decoding and NumPy release the GIL."""
NO_SLO = np.iinfo(np.int64).min


class _SloRows:
    """Per catalogue SLO, its rows as compact columns (step number, customer code, counts), gathered
    day file by day file in Arrow batches: only the needed columns, names as dictionary codes."""

    def __init__(self, wanted: list[tuple[str, str, bool]], grid: StepGrid):
        self.wanted = wanted
        self.grid = grid
        self.number = {(service, slo): n for n, (service, slo, _) in enumerate(wanted)}
        self.keeps = [keeps for _, _, keeps in wanted]
        self.customers: dict[str, int] = {"": 0}
        """Customer name → code, over every day ("" is no customer); new names under ``naming``."""
        self.naming = threading.Lock()
        self.pieces: dict[int, list[dict[str, np.ndarray]]] = {}
        self.counted: set[tuple[str, str]] = set()
        """Every SLO with a row (what is not counted is "no data", with the source's reason)."""

    def add_day(self, parquet: pq.ParquetFile, coverage: dict[tuple[str, str], datetime], lo: datetime) -> bool:
        ends = np.full(len(self.wanted) + 1, NO_SLO, dtype=np.int64)
        for key, end in coverage.items():
            ends[self.number[key]] = pd.Timestamp(end).value
        names = parquet.schema_arrow.names
        by_customer = "customer" in names and any(self.keeps)
        optional = [c for c in OPTIONAL_COUNTS if c in names]
        columns = ["timestamp", "service", "slo", *(["customer"] if by_customer else []), *COUNT_COLUMNS, *optional]
        taken = False
        for batch in parquet.iter_batches(batch_size=BATCH_ROWS, columns=columns):
            stamps = _nanoseconds_of(batch.column("timestamp"))
            numbers = self._numbers(batch.column("service"), batch.column("slo"))
            keep = (stamps >= pd.Timestamp(lo).value) & (stamps < ends[numbers])
            rows: slice | np.ndarray = slice(None) if keep.all() else np.flatnonzero(keep)
            if isinstance(rows, np.ndarray) and not len(rows):
                continue
            taken = True
            customers = self._customer_codes(batch.column("customer"))[rows] if by_customer else None
            counts = {c: batch.column(c).to_numpy(zero_copy_only=False)[rows] for c in (*COUNT_COLUMNS, *optional)}
            self._add(numbers[rows], self.grid.positions_of(stamps[rows]), customers, counts)
        return taken

    def add_frame(self, frame: pd.DataFrame) -> None:
        """A source's long frame (the parts the store lacked)."""
        if frame.empty:
            return
        keys = pd.MultiIndex.from_tuples([(service, slo) for service, slo, _ in self.wanted])
        numbers = keys.get_indexer(pd.MultiIndex.from_arrays([frame["service"].astype(str), frame["slo"].astype(str)]))
        self.counted.update(self.wanted[n][:2] for n in np.unique(numbers[numbers >= 0]))
        positions = self.grid.positions(frame["timestamp"])
        rows = np.flatnonzero((numbers >= 0) & (positions >= 0) & (positions < self.grid.count))
        codes, names = pd.factorize(frame["customer"].astype(str))
        with self.naming:
            local = np.array(
                [self.customers.setdefault(str(name), len(self.customers)) for name in names] + [0], np.int32
            )
        self._add(
            numbers[rows],
            positions[rows],
            local[codes[rows]],
            {
                **{c: frame[c].to_numpy(np.int64)[rows] for c in COUNT_COLUMNS},
                **{c: frame[c].to_numpy(np.float64)[rows] for c in OPTIONAL_COUNTS if c in frame.columns},
            },
        )

    def _numbers(self, services: pa.Array, slos: pa.Array) -> np.ndarray:
        """Each row's catalogue number (len(wanted) for an SLO not wanted), through the dictionaries."""
        service_codes, service_names = _dictionary(services)
        slo_codes, slo_names = _dictionary(slos)
        number_of = np.array(
            [self.number.get((service, slo), len(self.wanted)) for service in service_names for slo in slo_names],
            dtype=np.int32,
        )
        return number_of[service_codes * np.int32(len(slo_names)) + slo_codes]

    def _customer_codes(self, customers: pa.Array) -> np.ndarray:
        codes, names = _dictionary(customers.fill_null("") if customers.null_count else customers)
        with self.naming:
            local = np.array([self.customers.setdefault(name, len(self.customers)) for name in names] + [0], np.int32)
        return local[codes]

    def _add(
        self, numbers: np.ndarray, positions: np.ndarray, customers: np.ndarray | None, counts: dict[str, np.ndarray]
    ) -> None:
        """Rows of wanted SLOs on the grid, kept per SLO."""
        present = np.bincount(numbers, minlength=len(self.wanted))
        self.counted.update(self.wanted[n][:2] for n in np.flatnonzero(present))
        rows: slice | np.ndarray = slice(None)
        bounds = np.flatnonzero(numbers[1:] != numbers[:-1]) + 1
        if len(bounds) + 1 > np.count_nonzero(present):  # an SLO in several runs: group them
            rows = np.argsort(numbers, kind="stable")
            numbers = numbers[rows]
            bounds = np.flatnonzero(numbers[1:] != numbers[:-1]) + 1
        columns = {"position": positions[rows].astype(np.int32)}
        for name, values in counts.items():
            if name in COUNT_COLUMNS:
                columns[name] = _narrow(values[rows])
            elif not np.isnan(values).all():  # an optional count: only where some row has it
                columns[name] = values[rows].astype(np.float64)
        if customers is not None:
            columns["customer"] = customers[rows].astype(np.int32, copy=False)
        for begin, stop in zip(np.r_[0, bounds], np.r_[bounds, len(numbers)], strict=True):
            if begin == stop:
                continue
            number = int(numbers[begin])
            piece = {name: values[begin:stop] for name, values in columns.items()}
            if not self.keeps[number]:
                piece.pop("customer", None)
            self.pieces.setdefault(number, []).append(piece)

    def each(self, problems: dict[tuple[str, str], str]) -> Iterator[SloCounts]:
        """Each SLO's arrays in catalogue order, its rows dropped as it goes."""
        names = pd.CategoricalDtype(list(self.customers))  # in code order
        for number, (service, slo, keeps) in enumerate(self.wanted):
            pieces = self.pieces.pop(number, [])

            def column(name: str, pieces: list[dict[str, np.ndarray]] = pieces) -> np.ndarray:
                """One column over the SLO's pieces (zeros where a piece lacks it: code 0 is no customer)."""
                parts = [p[name] if name in p else np.zeros(len(p["position"]), np.int32) for p in pieces]
                return np.concatenate(parts) if parts else np.zeros(0, np.int64)

            customers = pd.Categorical.from_codes(column("customer"), dtype=names, validate=False) if keeps else None
            optional = {
                name: np.concatenate([p.get(name, np.full(len(p["position"]), np.nan)) for p in pieces])
                for name in OPTIONAL_COUNTS
                if any(name in p for p in pieces)
            }
            yield slo_counts(
                service,
                slo,
                self.grid,
                column("position"),
                column("good"),
                column("total"),
                customers,
                problems.get((service, slo)),
                optional.get(UNLABELLED),
            )


def _nanoseconds_of(stamps: pa.Array) -> np.ndarray:
    """A timestamp column as int64 ns since the epoch (zero-copy for the store's own unit)."""
    if stamps.type != pa.timestamp("ns", tz="UTC"):
        stamps = stamps.cast(pa.timestamp("ns", tz="UTC"))
    return stamps.cast(pa.int64()).to_numpy(zero_copy_only=False)


def _dictionary(array: pa.Array) -> tuple[np.ndarray, list[str]]:
    """A string column as integer codes and the names they stand for."""
    if not pa.types.is_dictionary(array.type):
        array = array.dictionary_encode()
    return array.indices.to_numpy(zero_copy_only=False).astype(np.int32, copy=False), array.dictionary.to_pylist()


def _narrow(values: np.ndarray) -> np.ndarray:
    """Whole counts in 4 bytes where they fit (they do per step), else 8."""
    if not len(values) or -(2**31) <= values.min() <= values.max() < 2**31:
        return values.astype(np.int32)
    return values.astype(np.int64)


def _days_of(stamps: np.ndarray) -> set[date]:
    return {date.fromordinal(date(1970, 1, 1).toordinal() + int(d)) for d in np.unique(stamps // DAY_NS)}


def _nanoseconds(stamps: pd.Series) -> np.ndarray:
    return pd.DatetimeIndex(stamps).as_unit("ns").asi8


def _rows_held(frame: pd.DataFrame, coverage: dict[tuple[str, str], datetime], lo: datetime) -> pd.DataFrame:
    """The stored rows of the SLOs in ``coverage``, each from ``lo`` up to its covered end."""
    keys = pd.MultiIndex.from_arrays([frame["service"], frame["slo"]])
    position = pd.MultiIndex.from_tuples(list(coverage)).get_indexer(keys)
    # position -1 (an SLO not taken from the store) picks the last entry: an end before every row
    ends = np.array([pd.Timestamp(end).value for end in coverage.values()] + [np.iinfo(np.int64).min])
    stamps = _nanoseconds(frame["timestamp"])
    return frame[(stamps >= pd.Timestamp(lo).value) & (stamps < ends[position])]


def _combined(parts: list[pd.DataFrame]) -> pd.DataFrame:
    """The parts as one frame: names as categories (sorted, so grouping orders them as text
    would; millions of strings cost seconds, categories milliseconds), timestamps in ns."""
    if not parts:
        return empty_frame()
    names = {}
    for column in ("service", "slo", "customer"):
        names[column] = sorted(set().union(*(pd.unique(part[column]).tolist() for part in parts)))
    recoded = [
        part[[*COLUMNS, UNLABELLED] if UNLABELLED in part else list(COLUMNS)].assign(
            timestamp=pd.DatetimeIndex(part["timestamp"]).as_unit("ns"),
            **{column: pd.Categorical(part[column], categories=values) for column, values in names.items()},
        )
        for part in parts
    ]
    return pd.concat(recoded, ignore_index=True).astype({"good": "int64", "total": "int64"})


def _name_of(config: Config) -> str:
    source = config.source
    return f"Prometheus at {source.url}" if source.type == "prometheus" else f"file {Path(str(source.path)).name}"


def day_spans(days: list[date]) -> str:
    """``2024-10-01 to 2024-10-17, 2024-10-20``: runs of consecutive days."""
    runs: list[list[date]] = []
    for day in days:
        if runs and day - runs[-1][-1] == DAY:
            runs[-1].append(day)
        else:
            runs.append([day])
    return ", ".join(str(run[0]) if len(run) == 1 else f"{run[0]} to {run[-1]}" for run in runs)


def _describe(
    stored: list[date],
    fetched: list[date],
    first: date,
    last: date,
    origins: list[str],
    fallback: str,
    source_from: datetime | None,
) -> str:
    """Which UTC days came from the store, which from the source, and which from neither (and why)."""
    every = [first + DAY * i for i in range((last - first).days + 1)]
    neither = [day for day in every if day not in stored and day not in fetched]
    origin = f" (collected from {', '.join(origins)})" if origins else ""
    if not stored:
        parts = [f"{fallback}"]
    elif not fetched:
        parts = [f"count store{origin}"]
    else:
        parts = [f"count store{origin} for UTC days {day_spans(stored)}", f"{fallback} for {day_spans(fetched)}"]
    if neither:
        if source_from is not None and day_start(neither[0]) < source_from:
            why = (
                f"neither the count store nor {fallback} has them ({fallback} has data from "
                f"{source_from:%Y-%m-%d %H:%M} UTC on); "
                "collect daily with slo-report collect, or keep the data in long-term storage"
            )
        else:
            why = f"neither the count store nor {fallback} has them"
        parts.append(f"no data for UTC days {day_spans(neither)}: {why}")
    return "; ".join(parts)
