"""The whole catalogue: the top-level keys of the YAML file."""

from __future__ import annotations

from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, ValidationInfo, field_validator, model_validator

from ..naming import file_stem
from .base import Model, Name, format_duration, require_unique, resolve_path
from .customers import CustomersConfig
from .email import EmailConfig
from .incidents import IncidentNoteConfig, read_notes_file
from .policy import PolicyConfig
from .rules import RulesConfig
from .slo import ServiceConfig
from .source import SourceConfig
from .store import StoreConfig

RESERVED_FILE_STEMS = {"index", "summary", "report", "slos", "credits", "customers", "sent", "postmortems"}
"""File names of the month folder's own documents, which a service's pages must not take."""


class Config(Model):
    """The whole catalogue."""

    title: Name = "Engineering"
    """Organisation or platform name shown on every document."""
    timezone: str = "UTC"
    """IANA time zone; months and days are cut in it (DST-aware)."""
    window: Literal["calendar-month", "30d"] = "calendar-month"
    """``calendar-month``: the month in ``timezone``; ``30d``: the 30 days that end when the month ends."""
    source: SourceConfig
    """Where the event counts come from."""
    policy: PolicyConfig = PolicyConfig()
    """The error-budget policy."""
    output: Path | None = None
    """Folder the monthly folders are written to, relative to the config file (``--output`` overrides; default ``./output``)."""
    services: list[ServiceConfig] = Field(min_length=1)
    """The services, each with its SLOs."""
    email: EmailConfig | None = None
    """Monthly delivery by email; without it ``send`` and ``run --send`` refuse to run."""
    customers: CustomersConfig | None = None
    """Customer tiers and SLA credits, for SLOs marked ``sla: true``."""
    include: list[str] = []
    """OpenSLO v1 or Sloth spec files (glob patterns relative to this file, e.g. ``slos/*.yaml``) whose SLOs join ``services``, so the specs stay the source of truth. A service named both here and in a spec gets the spec's SLOs added; when ``window`` or ``timezone`` is not set here, the specs' calendar window sets it."""
    rules: RulesConfig = RulesConfig()
    """Labels and annotations of the Prometheus rules ``slo-report rules`` writes."""
    incidents: list[IncidentNoteConfig] = []
    """Incident notes (cause, owner, postmortem link) and budget corrections (``exclude: true`` with an approver)."""
    incidents_file: Path | None = None
    """A YAML list of incident notes (the keys of ``incidents``), relative to the config file; merged with ``incidents``."""
    store: StoreConfig | None = None
    """The count store that ``slo-report collect`` fills daily, so a month outlives the source's retention (Prometheus keeps 15 days by default)."""

    @model_validator(mode="after")
    def _time_slices_fit_steps(self) -> Config:
        for i, service in enumerate(self.services):
            for j, slo in enumerate(service.slos):
                if slo.budgeting == "timeslices" and slo.slice % self.source.step:
                    raise ValueError(
                        f"services[{i}].slos[{j}].slice: {format_duration(slo.slice)} is not a multiple of the "
                        f"source's step ({format_duration(self.source.step)}); make it a multiple, e.g. "
                        f"{format_duration(self.source.step)}"
                    )
        return self

    @model_validator(mode="after")
    def _queries_for_prometheus(self) -> Config:
        """The file source ignores ``sli``; Prometheus needs a complete one for every SLO."""
        if self.source.type != "prometheus":
            return self
        needs = {"ratio": ("total",), "latency": ("histogram", "threshold"), "raw": ("total_query", "good_query")}
        problems = []
        for i, service in enumerate(self.services):
            for j, slo in enumerate(service.slos):
                sli, where = slo.sli, f"services[{i}].slos[{j}].sli"
                missing = [key for key in needs[sli.kind] if getattr(sli, key) is None]
                if missing:
                    problems.append(
                        f"{where}: a {sli.kind} SLI needs {' and '.join(missing)}; add "
                        f"{', '.join(missing)} (see docs/configuration.md)"
                    )
                if sli.kind == "raw" and slo.sla and self.customers is not None:
                    problems.append(
                        f"{where}: a raw SLI cannot be split per customer for sla: true; use a ratio or "
                        "latency SLI, or remove sla: true"
                    )
                if sli.kind == "ratio" and (sli.bad is None) == (sli.good is None):
                    problems.append(f"{where}: a ratio SLI needs exactly one of bad and good; keep the one you count")
        if problems:
            raise ValueError("\n".join(problems))
        return self

    @model_validator(mode="after")
    def _slices_fit_steps(self) -> Config:
        """A slice is a whole number of steps: the data cannot be cut finer than its step, and a
        slice between two multiples would silently be rounded to one of them."""
        step = self.source.step
        problems = []
        for i, service in enumerate(self.services):
            for j, slo in enumerate(service.slos):
                size = slo.downtime.slice
                if "slice" not in slo.downtime.model_fields_set and size < step:
                    continue  # the default slice is one step when steps are longer (see DowntimeConfig.slice)
                if size % step:
                    fitted = format_duration(max(step, size // step * step))
                    problems.append(
                        f"services[{i}].slos[{j}].downtime.slice: {format_duration(size)} is not a whole multiple "
                        f"of source.step {format_duration(step)}; set slice to {fitted} or another multiple"
                        + (
                            ""
                            if "slice" in slo.downtime.model_fields_set
                            else f" ({format_duration(size)} is the default)"
                        )
                    )
        if problems:
            raise ValueError("\n".join(problems))
        return self

    @model_validator(mode="after")
    def _known_dependencies(self) -> Config:
        names = {s.name for s in self.services}
        for index, service in enumerate(self.services):
            for dependency in service.depends_on:
                if dependency not in names or dependency == service.name:
                    others = [s.name for s in self.services if s.name != service.name]
                    choice = f"use one of {', '.join(others)}" if others else "the catalogue has no other service"
                    raise ValueError(
                        f"services[{index}].depends_on: {dependency!r} is not another service of this "
                        f"catalogue; {choice}"
                    )
        return self

    @model_validator(mode="after")
    def _sla_needs_customers(self) -> Config:
        if self.customers is None:
            marked = [f"{s.name}/{o.name}" for s in self.services for o in s.slos if o.sla]
            if marked:
                raise ValueError(
                    f"SLOs marked sla: true ({', '.join(marked)}) but no customers section; "
                    "add customers: with tiers, or remove sla: true"
                )
        return self

    @field_validator("incidents_file")
    @classmethod
    def _resolve_incidents_file(cls, value: Path | None, info: ValidationInfo) -> Path | None:
        return resolve_path(value, info)

    @model_validator(mode="after")
    def _notes_name_known_slos(self) -> Config:
        notes = self.incident_notes()
        require_unique([note.id for note in notes], "incident id")
        slos = {s.name: [o.name for o in s.slos] for s in self.services}
        for note in notes:
            if note.service not in slos:
                raise ValueError(
                    f"incident {note.id}: service {note.service!r} is not in services; use one of {', '.join(slos)}"
                )
            if note.slo is not None and note.slo not in slos[note.service]:
                raise ValueError(
                    f"incident {note.id}: {note.service} has no SLO {note.slo!r}; use one of "
                    f"{', '.join(slos[note.service])}, or leave slo out for all of them"
                )
        return self

    def incident_notes(self) -> list[IncidentNoteConfig]:
        """``incidents_file`` entries, then ``incidents``."""
        from_file = read_notes_file(self.incidents_file) if self.incidents_file is not None else []
        return from_file + list(self.incidents)

    @field_validator("timezone")
    @classmethod
    def _check_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"{value!r} is not an IANA time zone; write a name such as UTC or America/New_York"
            ) from None
        return value

    @field_validator("output")
    @classmethod
    def _resolve_output(cls, value: Path | None, info: ValidationInfo) -> Path | None:
        return resolve_path(value, info)

    @field_validator("services")
    @classmethod
    def _unique_services(cls, services: list[ServiceConfig]) -> list[ServiceConfig]:
        require_unique([s.name for s in services], "service")
        require_unique([file_stem(s.name) for s in services], "service file name")
        for service in services:
            if file_stem(service.name).lower() in RESERVED_FILE_STEMS:
                raise ValueError(
                    f"service {service.name!r} would overwrite the month's own "
                    f"{file_stem(service.name).lower()} file; rename the service (e.g. {service.name}-service)"
                )
        return services

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def service(self, name: str) -> ServiceConfig:
        for service in self.services:
            if service.name == name:
                return service
        raise KeyError(name)
