"""Services and their SLOs: objectives, how events are counted, downtime slices, incidents, maintenance."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, timedelta
from typing import Any, Literal

from pydantic import Field, ValidationInfo, field_validator, model_validator

from .base import ENV_NAME_RE, Duration, Model, Name, Text, check_name, fraction, require_unique
from .email import EmailAddress
from .promql import check_query, check_selector


class SliConfig(Model):
    """How good and total events are counted. The file source ignores the queries (its rows
    are already counts); the Prometheus source builds PromQL from them."""

    kind: Literal["ratio", "latency", "raw"] = "ratio"
    """``ratio``: counters of all events and of bad (or good) events. ``latency``: a histogram and a threshold. ``raw``: your own PromQL for good and total."""
    total: str | None = None
    """ratio: counter selector of all valid events, e.g. ``http_requests_total{service="api"}``."""
    bad: str | None = None
    """ratio: counter selector of bad events (give ``bad`` or ``good``, not both)."""
    good: str | None = None
    """ratio: counter selector of good events; raw: PromQL of good events with ``{{window}}`` placeholders."""
    histogram: str | None = None
    """latency: histogram base name with its selector, without ``_bucket``."""
    threshold: float | None = None
    """latency: seconds; a request at or under it is good. Must be one of the histogram's bucket bounds."""
    total_query: str | None = None
    """raw: PromQL of valid events with ``{{window}}`` placeholders."""
    good_query: str | None = None
    """raw: PromQL of good events with ``{{window}}`` placeholders."""
    predictions: str | None = None
    """ratio, model quality: counter selector of all predictions, labelled or not (``total`` counts those with ground truth); with it the report shows label coverage. Needs ``ground_truth``."""

    @field_validator("total", "bad", "good", "histogram", "total_query", "good_query", "predictions")
    @classmethod
    def _parses(cls, value: str | None, info: ValidationInfo) -> str | None:
        """Selectors and queries parse as PromQL (offline); which is which depends on ``kind``."""
        if value is None:
            return None
        raw_query = info.field_name in ("total_query", "good_query") or (
            info.field_name == "good" and info.data.get("kind") == "raw"
        )
        return check_query(value) if raw_query else check_selector(value)

    @field_validator("threshold", mode="before")
    @classmethod
    def _check_threshold(cls, value: Any) -> Any:
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ValueError(f"{value!r} is not a number of seconds; write the bucket bound in seconds, e.g. 0.3")
        if not math.isfinite(value) or value <= 0:
            raise ValueError(f"{value} is not a latency; write a positive number of seconds, e.g. 0.3")
        return float(value)


class DowntimeConfig(Model):
    """Measured downtime: the window is cut into slices and a slice whose SLI is below
    ``down_below`` counts as down."""

    slice: Duration = timedelta(minutes=5)
    """Length of one slice; a multiple of the source's step. Left out, it is 5 minutes, or one step
    where the source's step is longer."""
    down_below: float | None = None
    """Slice SLI under which the slice is down. Default: 1 − 10 × (1 − objective), i.e. the slice burnt budget ten times faster than allowed (99% for a 99.9% objective)."""

    @field_validator("down_below", mode="before")
    @classmethod
    def _check_down_below(cls, value: Any) -> Any:
        return None if value is None else fraction(value, "0.99")


class IncidentConfig(Model):
    """How incidents (the periods that consumed the budget) are found."""

    min_burn_rate: float = Field(6.0, gt=0)
    """A step whose burn rate is at least this is elevated; contiguous elevated steps form an incident."""
    merge_gap: Duration = timedelta(minutes=15)
    """Elevated periods separated by at most this much are one incident."""
    postmortem_share: float = Field(0.2, gt=0, le=1)
    """An incident that consumed more than this share of the month's budget requires a postmortem."""
    customer_outage_minutes: float = Field(1.0, ge=0)
    """SLA statements list a customer's own incident (the same rule on its own counts) as an outage when its failed requests add up to at least this many minutes of that customer's average traffic (error-equivalent minutes); fewer are noise on little traffic."""


class GroundTruthConfig(Model):
    """Model quality with late labels: valid events are the predictions whose ground truth has arrived,
    so a month's SLI is provisional until the labels of its last days are in."""

    delay: Duration = Field(default=timedelta(days=7))
    """How long after the month ends its labels are expected to be complete, e.g. ``7d``. A report run
    before then with predictions still unlabelled marks the verdict provisional until that date."""

    @field_validator("delay")
    @classmethod
    def _positive(cls, value: timedelta) -> timedelta:
        if value <= timedelta(0):
            raise ValueError("the label delay must be positive; write how long labels take to arrive, e.g. 7d")
        return value


def _slice_target(value: Any) -> float:
    """A share of good events in (0, 1]: 1 is allowed here (a slice must then be perfect)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"{value!r} is not a number; write a fraction such as 0.95")
    if 1 < value <= 100:
        raise ValueError(f"{value} is not a fraction; write {value / 100:g}")
    if not 0 < value <= 1:
        raise ValueError(f"{value} is out of range; write a fraction in (0, 1], such as 0.95")
    return float(value)


class SloConfig(Model):
    name: Name
    """Short name, unique within the service, e.g. ``availability``."""
    display_name: str | None = None
    """The name customers read in their statements, e.g. ``Availability``; default ``name``."""
    objective: float
    """Target SLI as a fraction, e.g. 0.999 for 99.9%."""
    description: Text = ""
    """One sentence on what good means, shown in the report."""
    sli: SliConfig = SliConfig()
    """How events are counted."""
    downtime: DowntimeConfig = DowntimeConfig()
    """How measured downtime is sliced."""
    incidents: IncidentConfig = IncidentConfig()
    """How incidents are detected."""
    sla: bool = False
    """Customer tiers and SLA credits apply to this SLO (needs the top-level ``customers``)."""
    budgeting: Literal["occurrences", "timeslices"] = "occurrences"
    """``occurrences``: SLI = good events / total events. ``timeslices``: the window is cut into slices of ``slice``; a slice is good when its own good / total is at least ``slice_target`` (a slice with data but no events is good: nothing failed); SLI = good slices / slices with data, and a slice without data is never good. The objective is then the share of slices that must be good."""
    slice: Duration = timedelta(minutes=5)
    """timeslices: length of one slice, a multiple of the source's step, e.g. 1m or 5m."""
    slice_target: float | None = None
    """timeslices: the share of good events that makes a slice good, in (0, 1], e.g. 0.95."""
    labels: dict[str, str] = {}
    """Extra labels on this SLO's generated Prometheus rules (``slo-report rules``), e.g. ``{team: payments}``."""
    runbook: str | None = None
    """Runbook URL for this SLO's generated alerts; overrides ``rules.runbook``."""
    ground_truth: GroundTruthConfig | None = None
    """Model quality: the events are labelled predictions and labels arrive late; the report shows label coverage per day (rows need the ``unlabelled`` count, or ``sli.predictions`` with Prometheus) and a provisional verdict until the labels are expected."""

    @field_validator("display_name")
    @classmethod
    def _check_display_name(cls, value: str | None) -> str | None:
        return None if value is None else check_name(value, "display_name")

    @field_validator("objective", mode="before")
    @classmethod
    def _check_objective(cls, value: Any) -> float:
        return fraction(value, "0.999")

    @field_validator("slice_target", mode="before")
    @classmethod
    def _check_slice_target(cls, value: Any) -> Any:
        return None if value is None else _slice_target(value)

    @field_validator("labels")
    @classmethod
    def _label_names(cls, value: dict[str, str]) -> dict[str, str]:
        for name in value:
            if not ENV_NAME_RE.match(name):
                raise ValueError(f"{name!r} is not a Prometheus label name; use letters, digits and _")
        return value

    @model_validator(mode="after")
    def _timeslices_complete(self) -> SloConfig:
        if self.budgeting == "timeslices" and self.slice_target is None:
            raise ValueError("budgeting: timeslices needs slice_target; add e.g. slice_target: 0.95")
        if self.budgeting == "timeslices" and self.sla:
            raise ValueError(
                "budgeting: timeslices with sla: true is not supported: customers' SLIs and credits count events, "
                "so the statement would not measure what the SLO does; remove one of them"
            )
        if self.sli.predictions is not None and self.ground_truth is None:
            raise ValueError("sli.predictions is set but ground_truth is not; add e.g. ground_truth: {delay: 7d}")
        if self.sli.predictions is not None and self.sli.kind != "ratio":
            raise ValueError("sli.predictions needs kind: ratio (labelled and correct predictions as counters)")
        if self.budgeting == "occurrences" and self.slice_target is not None:
            raise ValueError("slice_target is set but budgeting is occurrences; add budgeting: timeslices or remove it")
        return self

    @property
    def down_below(self) -> float:
        if self.downtime.down_below is not None:
            return self.downtime.down_below
        return max(0.0, round(1 - 10 * (1 - self.objective), 10))


class MaintenanceConfig(Model):
    """A maintenance window; clipped to the report's window where it crosses an edge."""

    start: datetime
    """Start instant with its offset, e.g. ``2026-10-10T02:00:00Z``."""
    end: datetime
    """End instant (exclusive)."""
    reason: Text = Field(min_length=1)
    """Why, in words a customer can read: it is printed in the SLA statements."""
    announced: date | None = None
    """When customers were told."""

    @field_validator("start", "end")
    @classmethod
    def _aware(cls, value: datetime) -> datetime:
        if value.tzinfo is None:
            raise ValueError(f"{value.isoformat()} has no time zone; add Z or an offset, e.g. 2026-10-10T02:00:00Z")
        return value.astimezone(UTC)

    @model_validator(mode="after")
    def _ordered(self) -> MaintenanceConfig:
        if self.end <= self.start:
            raise ValueError("end is not after start; swap them or fix the times")
        return self


class ServiceConfig(Model):
    name: Name
    """Service name as it appears in the data and the documents."""
    display_name: str | None = None
    """The name customers read in their statements, e.g. ``Model Inference API``; default ``name``."""
    description: Text = ""
    """What the service does, one line."""
    owner: Text = ""
    """Owning team."""
    email: list[EmailAddress] = []
    """Who receives this service's PDF."""
    slos: list[SloConfig] = Field(min_length=1)
    """The service's objectives."""
    maintenance: list[MaintenanceConfig] = []
    """Announced maintenance windows: their events are excluded from SLO and SLA figures and listed in the report."""
    depends_on: list[str] = []
    """Services this one needs to work; the quarterly review flags objectives stricter than the product of theirs (same SLO name)."""

    @field_validator("display_name")
    @classmethod
    def _check_display_name(cls, value: str | None) -> str | None:
        return None if value is None else check_name(value, "display_name")

    @field_validator("slos")
    @classmethod
    def _unique_slo_names(cls, slos: list[SloConfig]) -> list[SloConfig]:
        require_unique([s.name for s in slos], "SLO")
        return slos
