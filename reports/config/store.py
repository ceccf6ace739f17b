"""The count store: the event counts ``collect`` keeps, so months outlive the source's retention."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from pydantic import ValidationInfo, field_validator

from .base import Duration, Model, resolve_path


class StoreConfig(Model):
    """Where ``slo-report collect`` keeps the counts it pulls every day; ``run`` and ``quarterly`` read the days it holds from here and only the rest from the source."""

    path: Path
    """Folder of the store (one Parquet file per UTC day), relative to the config file; created by the first ``collect``."""
    safety_lag: Duration = timedelta(minutes=15)
    """``collect`` stops this long before now, so scrapes that arrive late are not missed; the last, partial day is collected again by the next run."""

    @field_validator("path")
    @classmethod
    def _resolve_path(cls, value: Path, info: ValidationInfo) -> Path:
        return resolve_path(value, info) or value
