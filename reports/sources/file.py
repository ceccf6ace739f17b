"""Event counts from a CSV file (optionally gzip): the embedded default source."""

from __future__ import annotations

from datetime import datetime

import pandas as pd

from ..config import Config
from . import COLUMNS, EventCounts, SourceError


class FileSource:
    def fetch(self, config: Config, start: datetime, end: datetime) -> EventCounts:
        path = config.source.path
        assert path is not None  # the config requires it for a file source
        try:
            frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        except FileNotFoundError:
            raise SourceError(
                f"source.path: {path} does not exist; check the path (it is relative to the config file)"
            ) from None
        except (OSError, ValueError, pd.errors.ParserError) as exc:
            raise SourceError(f"source.path: cannot read {path} as CSV: {exc}") from None
        label = config.customers.label if config.customers else "customer"
        if label != "customer" and label in frame.columns:
            frame = frame.drop(columns=["customer"], errors="ignore").rename(columns={label: "customer"})
        missing = [c for c in COLUMNS if c not in frame.columns and c != "customer"]
        if missing:
            raise SourceError(f"{path}: missing column(s) {', '.join(missing)}; the header must be {','.join(COLUMNS)}")
        if "customer" not in frame.columns:
            frame["customer"] = ""
        frame = frame[list(COLUMNS)]
        try:
            frame["timestamp"] = pd.to_datetime(frame["timestamp"], utc=True, format="ISO8601")
        except (ValueError, TypeError) as exc:
            raise SourceError(
                f"{path}: timestamp column: {exc}; write ISO 8601 instants such as 2026-10-01T00:05:00Z"
            ) from None
        for column in ("good", "total"):
            frame[column] = pd.to_numeric(frame[column], errors="coerce")
        not_whole = ~(frame["good"] % 1 == 0) | ~(frame["total"] % 1 == 0)  # NaN, inf and 1.5 alike
        bad_rows = frame.index[not_whole | (frame["good"] < 0) | (frame["good"] > frame["total"])]
        if len(bad_rows):
            line = int(bad_rows[0]) + 2
            raise SourceError(
                f"{path}: line {line}: good and total must be whole numbers with 0 <= good <= total "
                f"({len(bad_rows)} such row(s)); fix the data"
            )
        frame = frame.astype({"good": "int64", "total": "int64"})
        duplicates = frame.index[frame.duplicated(["timestamp", "service", "slo", "customer"])]
        if len(duplicates):
            raise SourceError(
                f"{path}: line {int(duplicates[0]) + 2}: a second row for the same timestamp, service, "
                f"SLO and customer ({len(duplicates)} such row(s)); keep one row per step and customer, "
                f"or the events would be counted twice"
            )
        wanted = [(s.name, o.name) for s in config.services for o in s.slos]
        in_window = frame[(frame["timestamp"] >= start) & (frame["timestamp"] < end)]
        pairs = pd.MultiIndex.from_frame(in_window[["service", "slo"]])
        kept = in_window[pairs.isin(wanted)].reset_index(drop=True)
        return EventCounts(
            frame=kept,
            step=config.source.step,
            start=start,
            end=end,
            problems=_uncounted(wanted, kept, frame, path.name, start, end),
            description=f"file {path.name}",
        )


def _uncounted(
    wanted: list[tuple[str, str]], kept: pd.DataFrame, whole: pd.DataFrame, name: str, start: datetime, end: datetime
) -> dict[tuple[str, str], str]:
    """SLOs without a single row in the range: a misspelt name or a missing export, not a quiet month."""
    present = set(zip(kept["service"], kept["slo"], strict=True))
    in_file = set(zip(whole["service"], whole["slo"], strict=True))
    problems = {}
    for service, slo in wanted:
        if (service, slo) in present:
            continue
        if (service, slo) in in_file:
            why = f"has rows for {service}/{slo}, but none from {start:%Y-%m-%d %H:%M} to {end:%Y-%m-%d %H:%M} UTC"
        else:
            known = ", ".join(f"{s}/{o}" for s, o in sorted(in_file)[:8]) or "nothing"
            why = f"has no rows for {service}/{slo} at all (it has {known}); check the service and SLO names"
        problems[(service, slo)] = f"the file {name} {why}"
    return problems
