"""Event counts from a CSV file (optionally gzip): the embedded default source.

The file is read once, in chunks, into compact integer columns (step number, line, customer
code, counts) kept per configured SLO; each SLO's arrays are built when the pipeline asks for
it. Service, SLO and customer names are compared as category codes, never row by row as strings.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd

from ..config import Config
from . import (
    COLUMNS,
    UNLABELLED,
    CountStream,
    EventCounts,
    SloCounts,
    SourceError,
    StepGrid,
    catalogue_slos,
    gathered,
    slo_counts,
)

CHUNK_ROWS = 1_000_000


class FileSource:
    def fetch(self, config: Config, start: datetime, end: datetime) -> EventCounts:
        return gathered(self.stream(config, start, end))

    def stream(self, config: Config, start: datetime, end: datetime) -> CountStream:
        grid = StepGrid(start, end, config.source.step)
        path = _path(config)
        table = _read(config, grid)

        def each() -> Iterator[SloCounts]:
            for number, (service, slo, by_customer) in enumerate(table.wanted):
                pieces = table.pieces.pop(number, [])
                problem = _uncounted(service, slo, bool(pieces), table.in_file, path.name, grid)
                yield _counts(service, slo, grid, pieces, table.customers if by_customer else None, path, problem)

        return CountStream(grid, each(), f"file {path.name}")


@dataclass
class _Table:
    wanted: list[tuple[str, str, bool]]
    pieces: dict[int, list[dict[str, np.ndarray]]] = field(default_factory=dict)
    """Per wanted SLO (catalogue number): its rows, one dict of columns per chunk."""
    customers: list[str] = field(default_factory=list)
    """Customer code → name."""
    in_file: set[tuple[str, str]] = field(default_factory=set)
    """Every (service, SLO) with a row anywhere in the file."""


def _path(config: Config) -> Path:
    if config.source.path is None:
        raise SourceError("source.path: missing; the file source needs the path of its CSV")
    return config.source.path


def _read(config: Config, grid: StepGrid) -> _Table:
    path = _path(config)
    label = config.customers.label if config.customers else "customer"
    try:
        header = pd.read_csv(path, nrows=0).columns.tolist()
    except FileNotFoundError:
        raise SourceError(
            f"source.path: {path} does not exist; check the path (it is relative to the config file)"
        ) from None
    except (OSError, ValueError, pd.errors.ParserError) as exc:
        raise SourceError(f"source.path: cannot read {path} as CSV: {exc}") from None
    customer_column = label if label in header else ("customer" if "customer" in header else None)
    missing = [c for c in COLUMNS if c not in header and c != "customer"]
    if missing:
        raise SourceError(f"{path}: missing column(s) {', '.join(missing)}; the header must be {','.join(COLUMNS)}")
    names = ["timestamp", "service", "slo", "good", "total"] + ([customer_column] if customer_column else [])
    names += [UNLABELLED] if UNLABELLED in header else []
    table = _Table(catalogue_slos(config))
    lookup = {(service, slo): number for number, (service, slo, _) in enumerate(table.wanted)}
    customer_codes: dict[str, int] = {}
    dtypes = {"timestamp": "category", "service": "category", "slo": "category"}
    if customer_column:
        dtypes[customer_column] = "category"
    try:
        chunks = pd.read_csv(path, usecols=names, dtype=dtypes, keep_default_na=False, chunksize=CHUNK_ROWS, engine="c")
        line, first_bad, bad_rows = 2, None, 0
        for chunk in chunks:
            good, total = _numbers(chunk)
            unlabelled = _unlabelled(chunk)
            with np.errstate(invalid="ignore"):
                bad = ~(good % 1 == 0) | ~(total % 1 == 0) | (good < 0) | (good > total)  # NaN, inf and 1.5 alike
                bad |= ~np.isnan(unlabelled) & (~(unlabelled % 1 == 0) | (unlabelled < 0))
            if bad.any():
                first_bad = first_bad or line + int(np.flatnonzero(bad)[0])
                bad_rows += int(bad.sum())
            if first_bad is None:
                _add_chunk(
                    chunk, good, total, unlabelled, line, table, lookup, customer_column, customer_codes, grid, path
                )
            line += len(chunk)
        if first_bad is not None:
            raise SourceError(
                f"{path}: line {first_bad}: good and total must be whole numbers with 0 <= good <= total"
                f"{f', and {UNLABELLED} empty or a whole number >= 0' if UNLABELLED in header else ''} "
                f"({bad_rows} such row(s)); fix the data"
            )
    except (OSError, ValueError, pd.errors.ParserError) as exc:
        if isinstance(exc, SourceError):
            raise
        raise SourceError(f"source.path: cannot read {path} as CSV: {exc}") from None
    table.customers = list(customer_codes)
    return table


def _numbers(chunk: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    good, total = (pd.to_numeric(chunk[c], errors="coerce").to_numpy(np.float64) for c in ("good", "total"))
    return good, total


def _unlabelled(chunk: pd.DataFrame) -> np.ndarray:
    """The optional column of predictions without ground truth: NaN where empty or absent."""
    if UNLABELLED not in chunk.columns:
        return np.full(len(chunk), np.nan)
    return pd.to_numeric(chunk[UNLABELLED], errors="coerce").to_numpy(np.float64)


def _add_chunk(
    chunk: pd.DataFrame,
    good: np.ndarray,
    total: np.ndarray,
    unlabelled: np.ndarray,
    first_line: int,
    table: _Table,
    lookup: dict[tuple[str, str], int],
    customer_column: str | None,
    customer_codes: dict[str, int],
    grid: StepGrid,
    path,
) -> None:
    try:  # each distinct timestamp once: a fleet's rows share the steps' timestamps
        instants = pd.to_datetime(chunk["timestamp"].cat.categories, utc=True, format="ISO8601")
        nanoseconds = pd.DatetimeIndex(instants).as_unit("ns").asi8[chunk["timestamp"].cat.codes.to_numpy(np.int64)]
    except (ValueError, TypeError) as exc:
        raise SourceError(
            f"{path}: timestamp column: {exc}; write ISO 8601 instants such as 2026-10-01T00:05:00Z"
        ) from None
    services, slos = chunk["service"].cat, chunk["slo"].cat
    for s, o in _pairs(services, slos):
        table.in_file.add((services.categories[s], slos.categories[o]))
    number_of = np.full((len(services.categories), len(slos.categories)), len(table.wanted), dtype=np.int64)
    for s, service in enumerate(services.categories):
        for o, slo in enumerate(slos.categories):
            number_of[s, o] = lookup.get((service, slo), len(table.wanted))
    numbers = number_of[services.codes.to_numpy(np.int64), slos.codes.to_numpy(np.int64)]
    positions = grid.positions_of(nanoseconds)
    keep = (numbers < len(table.wanted)) & (positions >= 0) & (positions < grid.count)
    if not keep.any():
        return
    rows = np.flatnonzero(keep)
    numbers = numbers[rows]
    order = np.argsort(numbers, kind="stable")
    rows, numbers = rows[order], numbers[order]
    nanoseconds = nanoseconds[rows]
    columns = {
        "position": positions[rows].astype(np.int32),
        "line": (first_line + rows).astype(np.uint32),
        "good": _narrow(good[rows]),
        "total": _narrow(total[rows]),
    }
    if not np.isnan(unlabelled[rows]).all():
        columns[UNLABELLED] = unlabelled[rows]
    offsets = nanoseconds - (
        pd.Timestamp(grid.start).as_unit("ns").value + positions[rows] * pd.Timedelta(grid.step).value
    )
    if offsets.any():
        columns["offset"] = offsets
    if customer_column:
        categories = chunk[customer_column].cat.categories
        local = np.array([customer_codes.setdefault(str(name), len(customer_codes)) for name in categories] + [-1])
        columns["customer"] = local[chunk[customer_column].cat.codes.to_numpy(np.int64)[rows]].astype(np.int32)
    bounds = np.flatnonzero(np.diff(numbers)) + 1
    for begin, stop in zip(np.concatenate([[0], bounds]), np.concatenate([bounds, [len(rows)]]), strict=True):
        piece = {name: values[begin:stop] for name, values in columns.items()}
        table.pieces.setdefault(int(numbers[begin]), []).append(piece)


def _pairs(services, slos) -> set[tuple[int, int]]:
    frame = pd.DataFrame({"s": services.codes, "o": slos.codes}).drop_duplicates()
    return set(zip(frame["s"].tolist(), frame["o"].tolist(), strict=True))


def _narrow(values: np.ndarray) -> np.ndarray:
    """Whole counts in 4 bytes where they fit (they do per step), else 8."""
    if not len(values) or values.max() < 2**31:
        return values.astype(np.int32)
    return values.astype(np.int64)


def _counts(
    service: str,
    slo: str,
    grid: StepGrid,
    pieces: list[dict[str, np.ndarray]],
    customers: list[str] | None,
    path,
    problem: str | None,
) -> SloCounts:
    def column(name: str, dtype) -> np.ndarray:
        parts = [piece[name] if name in piece else np.zeros(len(piece["position"]), dtype) for piece in pieces]
        return np.concatenate(parts).astype(dtype, copy=False) if parts else np.array([], dtype)

    positions = column("position", np.int64)
    customer = column("customer", np.int64)
    _refuse_duplicates(positions, customer, column("offset", np.int64), column("line", np.int64), path)
    names = None
    if customers is not None:
        names = np.array([*customers, ""], dtype=object)[customer]  # code -1: no customer column
    unlabelled = None
    if any(UNLABELLED in piece for piece in pieces):
        parts = [piece.get(UNLABELLED, np.full(len(piece["position"]), np.nan)) for piece in pieces]
        unlabelled = np.concatenate(parts)
    return slo_counts(
        service, slo, grid, positions, column("good", np.int64), column("total", np.int64), names, problem, unlabelled
    )


def _refuse_duplicates(positions, customer, offsets, lines, path) -> None:
    """Two rows for the same instant, SLO and customer would count the events twice."""
    if not len(positions):
        return
    keys = pd.DataFrame({"position": positions, "customer": customer, "offset": offsets})
    duplicated = keys.duplicated().to_numpy()
    if duplicated.any():
        raise SourceError(
            f"{path}: line {int(lines[duplicated].min())}: a second row for the same timestamp, service, "
            f"SLO and customer ({int(duplicated.sum())} such row(s)); keep one row per step and customer, "
            f"or the events would be counted twice"
        )


def _uncounted(service: str, slo: str, counted: bool, in_file: set, name: str, grid: StepGrid) -> str | None:
    """An SLO without a single row in the range: a misspelt name or a missing export, not a quiet month."""
    if counted:
        return None
    if (service, slo) in in_file:
        why = (
            f"has rows for {service}/{slo}, but none from {grid.start:%Y-%m-%d %H:%M} to {grid.end:%Y-%m-%d %H:%M} UTC"
        )
    else:
        known = ", ".join(f"{s}/{o}" for s, o in sorted(in_file)[:8]) or "nothing"
        why = f"has no rows for {service}/{slo} at all (it has {known}); check the service and SLO names"
    return f"the file {name} {why}"
