"""Event counts from a CSV file (optionally gzip): the embedded default source."""

from __future__ import annotations

from datetime import datetime

import pandas as pd

from ..config import Config
from . import COLUMNS, EventCounts, SourceError


class FileSource:
    def fetch(self, config: Config, start: datetime, end: datetime) -> EventCounts:
        path = config.source.path
        try:
            frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        except FileNotFoundError:
            raise SourceError(f"source.path: {path} does not exist; check the path (it is relative to the config file)") from None
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
            raise SourceError(f"{path}: timestamp column: {exc}; write ISO 8601 instants such as 2026-10-01T00:05:00Z") from None
        for column in ("good", "total"):
            frame[column] = pd.to_numeric(frame[column], errors="coerce")
        bad_rows = frame.index[frame["good"].isna() | frame["total"].isna() | (frame["good"] < 0) | (frame["good"] > frame["total"])]
        if len(bad_rows):
            line = int(bad_rows[0]) + 2
            raise SourceError(f"{path}: line {line}: good and total must be whole numbers with 0 <= good <= total "
                              f"({len(bad_rows)} such row(s)); fix the data")
        frame = frame.astype({"good": "int64", "total": "int64"})
        wanted = {(s.name, o.name) for s in config.services for o in s.slos}
        in_window = (frame["timestamp"] >= start) & (frame["timestamp"] < end)
        configured = pd.Series([k in wanted for k in zip(frame["service"], frame["slo"])], index=frame.index, dtype=bool)
        return EventCounts(
            frame=frame[in_window & configured].reset_index(drop=True),
            step=config.source.step, start=start, end=end,
            description=f"file {path.name}",
        )
