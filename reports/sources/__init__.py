"""Sources yield event counts; nothing downstream knows where they came from.

Every source returns :class:`EventCounts`: one row per time step with the columns
``timestamp, service, slo, customer, good, total``. A step with no row has no data (it is
never good); a row with ``total == 0`` is a step with data and no traffic.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol

import pandas as pd

from ..config import Config

COLUMNS = ("timestamp", "service", "slo", "customer", "good", "total")


class SourceError(Exception):
    """The source cannot produce counts at all (as opposed to one SLO lacking data)."""


@dataclass(frozen=True)
class EventCounts:
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


class EventSource(Protocol):
    def fetch(self, config: Config, start: datetime, end: datetime) -> EventCounts:
        """Counts for every configured SLO for the steps that start in [start, end)."""


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
