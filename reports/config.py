"""The catalogue: a typed schema for the YAML file that describes every service and SLO.

Each field's docstring is its documentation (``docs/configuration.md`` is generated from
them). ``load_config`` collects every problem and raises once, with one line per problem
in the form ``path: what is wrong; how to fix it``.
"""

from __future__ import annotations

import difflib
import re
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, ValidationInfo, field_validator, model_validator

CHANGE_KINDS = ("feature", "bugfix", "security", "refactor")
ChangeKind = Literal["feature", "bugfix", "security", "refactor"]

_DURATION_RE = re.compile(r"^(\d+)(s|m|h|d)$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


class ConfigError(Exception):
    """A catalogue that cannot be used; ``problems`` holds one line per problem."""

    def __init__(self, problems: list[str], source: str = "config"):
        self.problems = problems
        super().__init__(f"{source}: {len(problems)} problem(s)\n" + "\n".join(f"  {p}" for p in problems))


def parse_duration(value: Any) -> timedelta:
    """Accept ``30s``, ``5m``, ``6h``, ``3d`` (or a timedelta)."""
    if isinstance(value, timedelta):
        return value
    match = _DURATION_RE.match(str(value).strip())
    if not match or int(match[1]) == 0:
        raise ValueError(f"{value!r} is not a duration; write a positive whole number and a unit, e.g. 5m, 1h or 3d")
    return timedelta(seconds=int(match[1]) * _UNIT_SECONDS[match[2]])


def format_duration(value: timedelta) -> str:
    seconds = int(value.total_seconds())
    for unit in ("d", "h", "m"):
        if seconds % _UNIT_SECONDS[unit] == 0:
            return f"{seconds // _UNIT_SECONDS[unit]}{unit}"
    return f"{seconds}s"


Duration = Annotated[timedelta, BeforeValidator(parse_duration)]


def _fraction(value: Any, example: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"{value!r} is not a number; write a fraction such as {example}")
    if 1 < value <= 100:
        raise ValueError(f"{value} is not a fraction; write {value / 100:g}")
    if not 0 < value < 1:
        raise ValueError(f"{value} is out of range; write a fraction between 0 and 1 (exclusive), such as {example}")
    return float(value)


class _Model(BaseModel):
    # Unknown keys are kept so that they can be reported as warnings (``--strict`` makes them fatal).
    model_config = ConfigDict(extra="allow", frozen=True, use_attribute_docstrings=True)


class SliConfig(_Model):
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


class DowntimeConfig(_Model):
    """Measured downtime: the window is cut into slices and a slice whose SLI is below
    ``down_below`` counts as down."""

    slice: Duration = timedelta(minutes=5)
    """Length of one slice; a multiple of the source's step."""
    down_below: float | None = None
    """Slice SLI under which the slice is down. Default: 1 − 10 × (1 − objective), i.e. the slice burnt budget ten times faster than allowed (99% for a 99.9% objective)."""

    @field_validator("down_below", mode="before")
    @classmethod
    def _check_down_below(cls, value: Any) -> Any:
        return None if value is None else _fraction(value, "0.99")


class IncidentConfig(_Model):
    """How incidents (the periods that consumed the budget) are found."""

    min_burn_rate: float = Field(6.0, gt=0)
    """A step whose burn rate is at least this is elevated; contiguous elevated steps form an incident."""
    merge_gap: Duration = timedelta(minutes=15)
    """Elevated periods separated by at most this much are one incident."""
    postmortem_share: float = Field(0.2, gt=0, le=1)
    """An incident that consumed more than this share of the month's budget requires a postmortem."""


class SloConfig(_Model):
    name: str = Field(min_length=1)
    """Short name, unique within the service, e.g. ``availability``."""
    objective: float
    """Target SLI as a fraction, e.g. 0.999 for 99.9%."""
    description: str = ""
    """One sentence on what good means, shown in the report."""
    sli: SliConfig = SliConfig()
    """How events are counted."""
    downtime: DowntimeConfig = DowntimeConfig()
    """How measured downtime is sliced."""
    incidents: IncidentConfig = IncidentConfig()
    """How incidents are detected."""

    @field_validator("objective", mode="before")
    @classmethod
    def _check_objective(cls, value: Any) -> float:
        return _fraction(value, "0.999")

    @property
    def down_below(self) -> float:
        if self.downtime.down_below is not None:
            return self.downtime.down_below
        return max(0.0, round(1 - 10 * (1 - self.objective), 10))


class ServiceConfig(_Model):
    name: str = Field(min_length=1)
    """Service name as it appears in the data and the documents."""
    description: str = ""
    """What the service does, one line."""
    owner: str = ""
    """Owning team."""
    email: list[str] = []
    """Who receives this service's PDF."""
    slos: list[SloConfig] = Field(min_length=1)
    """The service's objectives."""

    @field_validator("slos")
    @classmethod
    def _unique_slo_names(cls, slos: list[SloConfig]) -> list[SloConfig]:
        _require_unique([s.name for s in slos], "SLO")
        return slos


class SourceConfig(_Model):
    """Where event counts come from."""

    type: Literal["file"] = "file"
    """``file``: a CSV (optionally gzip) with columns ``timestamp,service,slo,customer,good,total``."""
    path: Path | None = None
    """file: path of the CSV, relative to the config file."""
    step: Duration = timedelta(minutes=5)
    """Length of one time step in the data; each row counts the events in [timestamp, timestamp + step)."""

    @field_validator("type", mode="before")
    @classmethod
    def _check_type(cls, value: Any) -> Any:
        if value == "prometheus":
            raise ValueError("the prometheus source is not available in this version; use type: file")
        return value

    @field_validator("path")
    @classmethod
    def _resolve_path(cls, value: Path | None, info: ValidationInfo) -> Path | None:
        base = (info.context or {}).get("base_dir")
        if value is None or value.is_absolute() or base is None:
            return value
        return (Path(base) / value).resolve()

    @model_validator(mode="after")
    def _file_needs_path(self) -> SourceConfig:
        if self.type == "file" and self.path is None:
            raise ValueError("a file source needs a path; add path: data/events.csv.gz")
        return self


class ZoneConfig(_Model):
    """One zone of the error-budget policy. The four default names carry default rules."""

    name: str = Field(min_length=1)
    """Zone name, e.g. ``green``."""
    min_remaining: float | None = None
    """The zone applies when the remaining budget is at least this fraction (may be 0). The last zone has none: it catches the rest."""
    allowed_changes: list[ChangeKind] | None = None
    """What may ship: any of feature, bugfix, security, refactor."""
    approval: str | None = None
    """Who approves a change in this zone."""
    notify: list[str] | None = None
    """Who is told the service is in this zone."""
    guidance: str | None = None
    """One sentence for the report on what the zone means for the team."""


DEFAULT_ZONE_RULES: dict[str, dict[str, Any]] = {
    "green": dict(min_remaining=0.75, allowed_changes=list(CHANGE_KINDS), approval="standard code review", notify=[],
                  guidance="Normal release velocity."),
    "yellow": dict(min_remaining=0.25, allowed_changes=list(CHANGE_KINDS), approval="senior engineer approval",
                   notify=["engineering manager"], guidance="Ship with care: every change needs a senior engineer's approval."),
    "orange": dict(min_remaining=0.0, allowed_changes=["bugfix", "security"], approval="engineering manager approval",
                   notify=["engineering manager", "VP engineering"], guidance="Bug fixes and security fixes only."),
    "red": dict(min_remaining=None, allowed_changes=["security"], approval="VP engineering approval",
                notify=["engineering manager", "VP engineering", "executives"],
                guidance="Release freeze: security fixes only; data-loss fixes by exception with VP approval."),
}


class PolicyConfig(_Model):
    zones: list[ZoneConfig] = [ZoneConfig(name=n, **r) for n, r in DEFAULT_ZONE_RULES.items()]
    """Zones from the most to the least remaining budget; defaults: green ≥ 75%, yellow ≥ 25%, orange ≥ 0%, red below."""

    @field_validator("zones", mode="after")
    @classmethod
    def _complete_zones(cls, zones: list[ZoneConfig]) -> list[ZoneConfig]:
        if not zones:
            raise ValueError("no zones; give at least one, or remove policy to use the defaults")
        problems, completed = [], []
        for index, zone in enumerate(zones):
            defaults = DEFAULT_ZONE_RULES.get(zone.name, {})
            values = zone.model_dump(exclude_unset=True)
            for key in ("allowed_changes", "approval", "notify", "guidance"):
                if values.get(key) is None:
                    if key in defaults:
                        values[key] = defaults[key]
                    elif key == "guidance":
                        values[key] = ""
                    else:
                        problems.append(f"zones[{index}] ({zone.name}) has no {key}; add it (only green, yellow, orange and red have defaults)")
            last = index == len(zones) - 1
            if last and zone.min_remaining is not None:
                problems.append(f"zones[{index}].min_remaining: the last zone catches the rest; remove its min_remaining")
            if not last and zone.min_remaining is None:
                problems.append(f"zones[{index}].min_remaining: missing; give every zone but the last a min_remaining")
            completed.append(ZoneConfig(**values))
        bounds = [z.min_remaining for z in zones[:-1] if z.min_remaining is not None]
        if bounds != sorted(bounds, reverse=True) or len(set(bounds)) != len(bounds):
            problems.append("min_remaining must fall strictly from the first zone to the last; order the zones from most to least budget")
        _require_unique([z.name for z in zones], "zone")
        if problems:
            raise ValueError("; ".join(problems))
        return completed


class Config(_Model):
    """The whole catalogue."""

    title: str = "SLO report"
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

    @field_validator("timezone")
    @classmethod
    def _check_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"{value!r} is not an IANA time zone; write a name such as UTC or America/New_York") from None
        return value

    @field_validator("output")
    @classmethod
    def _resolve_output(cls, value: Path | None, info: ValidationInfo) -> Path | None:
        return SourceConfig._resolve_path(value, info)

    @field_validator("services")
    @classmethod
    def _unique_services(cls, services: list[ServiceConfig]) -> list[ServiceConfig]:
        from .naming import file_stem

        _require_unique([s.name for s in services], "service")
        _require_unique([file_stem(s.name) for s in services], "service file name")
        return services

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def service(self, name: str) -> ServiceConfig:
        for service in self.services:
            if service.name == name:
                return service
        raise KeyError(name)


def _require_unique(names: list[str], what: str) -> None:
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise ValueError(f"{what} {name!r} appears twice; give each {what} a unique name")
        seen.add(name)


def _path(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


_FIXES = {
    "missing": "is required; add it",
    "string_type": "must be text; quote it",
    "float_parsing": "must be a number",
    "float_type": "must be a number",
    "int_parsing": "must be a whole number",
    "list_type": "must be a list; write it as [a, b] or as lines starting with '- '",
    "model_type": "must be a mapping of keys to values",
    "model_attributes_type": "must be a mapping of keys to values",
    "too_short": "is empty; give at least one item",
}


def _describe(error: dict[str, Any]) -> str:
    kind = error["type"]
    if kind == "value_error":
        return str(error["ctx"]["error"])
    if kind == "literal_error":
        return f"{error['input']!r} is not allowed; use {error['ctx']['expected']}"
    if kind in ("greater_than", "greater_than_equal", "less_than", "less_than_equal"):
        return f"{error['input']!r} is out of range; it {error['msg'].lower().replace('input should be', 'must be')}"
    if kind in _FIXES:
        return _FIXES[kind]
    return error["msg"]


def _unknown_keys(model: BaseModel, loc: tuple[Any, ...]) -> list[str]:
    warnings = []
    for key in (model.model_extra or {}):
        known = list(type(model).model_fields)
        close = difflib.get_close_matches(str(key), known, n=1)
        hint = f"did you mean {close[0]!r}?" if close else f"known keys: {', '.join(known)}"
        warnings.append(f"{_path(loc + (key,))}: unknown key; remove it or fix its spelling ({hint})")
    for name in type(model).model_fields:
        value = getattr(model, name)
        children = value if isinstance(value, list) else [value]
        for index, child in enumerate(children):
            if isinstance(child, BaseModel):
                child_loc = loc + ((name, index) if isinstance(value, list) else (name,))
                warnings.extend(_unknown_keys(child, child_loc))
    return warnings


def parse_config(data: Any, base_dir: Path | None = None, source: str = "config") -> tuple[Config, list[str]]:
    """Validate a parsed YAML document; return the config and its warnings (unknown keys)."""
    if not isinstance(data, dict):
        raise ConfigError(["(top level): the file is not a mapping of keys; start from examples/ml-platform/slo-report.yaml"], source)
    try:
        config = Config.model_validate(data, context={"base_dir": base_dir})
    except ValidationError as exc:
        raise ConfigError([f"{_path(e['loc'])}: {_describe(e)}" for e in exc.errors()], source) from None
    return config, _unknown_keys(config, ())


def load_config(path: Path | str, strict: bool = False) -> tuple[Config, list[str]]:
    """Read and validate a catalogue file. Under ``strict`` warnings are problems too."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError([f"cannot read the file: {exc.strerror}; check the --config path"], str(path)) from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "(YAML)"
        raise ConfigError([f"{where}: not valid YAML ({getattr(exc, 'problem', exc)}); fix the syntax there"], str(path)) from None
    config, warnings = parse_config(data, path.parent.resolve(), str(path))
    if strict and warnings:
        raise ConfigError(warnings, str(path))
    return config, warnings
