"""The catalogue: a typed schema for the YAML file that describes every service and SLO.

Each field's docstring is its documentation (``docs/configuration.md`` is generated from
them). ``load_config`` collects every problem and raises once, with one line per problem
in the form ``path: what is wrong; how to fix it``.
"""

from __future__ import annotations

import difflib
import re
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit
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
    sla: bool = False
    """Customer tiers and SLA credits apply to this SLO (needs the top-level ``customers``)."""

    @field_validator("objective", mode="before")
    @classmethod
    def _check_objective(cls, value: Any) -> float:
        return _fraction(value, "0.999")

    @property
    def down_below(self) -> float:
        if self.downtime.down_below is not None:
            return self.downtime.down_below
        return max(0.0, round(1 - 10 * (1 - self.objective), 10))


class MaintenanceConfig(_Model):
    """A maintenance window; clipped to the report's window where it crosses an edge."""

    start: datetime
    """Start instant with its offset, e.g. ``2026-10-10T02:00:00Z``."""
    end: datetime
    """End instant (exclusive)."""
    reason: str = Field(min_length=1)
    """Why, in words a customer can read: it is printed in the SLA statements."""
    announced: date | None = None
    """When customers were told."""

    @field_validator("start", "end")
    @classmethod
    def _aware(cls, value: datetime) -> datetime:
        if value.tzinfo is None:
            raise ValueError(f"{value.isoformat()} has no time zone; add Z or an offset, e.g. 2026-10-10T02:00:00Z")
        return value.astimezone(timezone.utc)

    @model_validator(mode="after")
    def _ordered(self) -> MaintenanceConfig:
        if self.end <= self.start:
            raise ValueError("end is not after start; swap them or fix the times")
        return self


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
    maintenance: list[MaintenanceConfig] = []
    """Announced maintenance windows: their events are excluded from SLO and SLA figures and listed in the report."""
    depends_on: list[str] = []
    """Services this one needs to work; the quarterly review flags objectives stricter than the product of theirs (same SLO name)."""

    @field_validator("slos")
    @classmethod
    def _unique_slo_names(cls, slos: list[SloConfig]) -> list[SloConfig]:
        _require_unique([s.name for s in slos], "SLO")
        return slos


_SOURCE_ENV_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def _source_env_name(value: str | None) -> str | None:
    # The value is never echoed: people paste the secret itself here by mistake.
    if value is not None and not _SOURCE_ENV_RE.match(value):
        raise ValueError("is not an environment variable name (letters, digits and _); "
                         "give the variable's name, e.g. PROM_TOKEN, not the secret itself")
    return value


class BasicAuthConfig(_Model):
    """HTTP basic authentication; the password is read from the environment, never from the YAML."""

    username: str = Field(min_length=1)
    """User name sent to the server."""
    password_env: str
    """Name of the environment variable that holds the password, e.g. ``PROM_PASSWORD``."""

    @field_validator("password_env")
    @classmethod
    def _check_env(cls, value: str) -> str:
        return _source_env_name(value)


class SourceConfig(_Model):
    """Where event counts come from."""

    type: Literal["file", "prometheus"] = "file"
    """``file``: a CSV (optionally gzip) with columns ``timestamp,service,slo,customer,good,total``. ``prometheus``: the HTTP API of Prometheus or a compatible store (Thanos, Mimir, VictoriaMetrics)."""
    path: Path | None = None
    """file: path of the CSV, relative to the config file."""
    step: Duration = timedelta(minutes=5)
    """Length of one time step in the data; each row counts the events in [timestamp, timestamp + step). prometheus: the resolution of the pulled series; make it at least two scrape intervals."""
    url: str | None = None
    """prometheus: base URL of the API, e.g. ``http://prometheus:9090`` (for Mimir include its prefix, e.g. ``http://mimir/prometheus``)."""
    timeout: Duration = timedelta(seconds=60)
    """prometheus: time allowed for one HTTP request; a request that times out is retried with backoff."""
    max_concurrency: int = Field(4, ge=1, le=64)
    """prometheus: at most this many requests in flight at once."""
    headers: dict[str, str] = {}
    """prometheus: extra HTTP headers sent with every request, e.g. ``X-Scope-OrgID: team-a`` for a Mimir tenant. Not for secrets: use ``bearer_token_env`` or ``basic_auth``."""
    bearer_token_env: str | None = None
    """prometheus: name of the environment variable that holds a bearer token (the token itself never goes in the YAML and is never logged)."""
    basic_auth: BasicAuthConfig | None = None
    """prometheus: ``{username: ..., password_env: NAME}``; the password is read from the environment variable ``NAME``."""
    ca_bundle: Path | None = None
    """prometheus: PEM file of the CA certificates that sign the server's certificate, relative to the config file."""
    tls_verify: bool = True
    """prometheus: ``false`` turns off certificate checks (test setups only; prefer ``ca_bundle``)."""

    @field_validator("path", "ca_bundle")
    @classmethod
    def _resolve_path(cls, value: Path | None, info: ValidationInfo) -> Path | None:
        base = (info.context or {}).get("base_dir")
        if value is None or value.is_absolute() or base is None:
            return value
        return (Path(base) / value).resolve()

    @field_validator("url")
    @classmethod
    def _check_url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"{value!r} is not an http(s) URL; write e.g. http://prometheus:9090")
        if parts.username is not None or parts.password is not None:
            raise ValueError("the URL holds credentials; remove them and use basic_auth or bearer_token_env")
        return value.rstrip("/")

    @field_validator("headers")
    @classmethod
    def _no_secret_headers(cls, value: dict[str, str]) -> dict[str, str]:
        for name in value:
            if name.lower() in ("authorization", "proxy-authorization"):
                raise ValueError(f"{name} would put a secret in the YAML; use bearer_token_env or basic_auth instead")
        return value

    @field_validator("bearer_token_env")
    @classmethod
    def _check_env(cls, value: str | None) -> str | None:
        return _source_env_name(value)

    @model_validator(mode="after")
    def _complete(self) -> SourceConfig:
        if self.type == "file" and self.path is None:
            raise ValueError("a file source needs a path; add path: data/events.csv.gz")
        if self.type == "prometheus" and self.url is None:
            raise ValueError("a prometheus source needs a url; add url: http://prometheus:9090")
        if self.bearer_token_env is not None and self.basic_auth is not None:
            raise ValueError("bearer_token_env and basic_auth are both set; keep the one your server expects")
        if self.ca_bundle is not None and not self.tls_verify:
            raise ValueError("ca_bundle is set but tls_verify is false; remove one of them")
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


_ENV_NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "::1")
_SUBJECT_FIELDS = {"title": "", "month": ""}


def _email_address(value: Any) -> str:
    """One mailbox, ``name@example.com`` or ``Name <name@example.com>``; one line only, so no header injection."""
    from email.utils import parseaddr

    text = str(value).strip()
    _, address = parseaddr(text)
    if "\n" in text or "\r" in text or "@" not in address or address.startswith("@") or address.endswith("@"):
        raise ValueError(f"{value!r} is not an email address; write it as name@example.com")
    return text


class EmailAddress(str):
    """A validated mailbox (see ``_email_address``); a type of its own so the reference names it."""

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: Any) -> Any:
        from pydantic_core import core_schema

        return core_schema.no_info_after_validator_function(_email_address, core_schema.str_schema())


class SmtpConfig(_Model):
    """The mail server the reports are sent through. The password is never written here:
    it is read from the environment variable named by ``password_env``."""

    host: str = Field(min_length=1)
    """Host name of the SMTP server (submission or local relay)."""
    port: int | None = Field(None, gt=0, lt=65536)
    """TCP port; default 465 with ``ssl``, else 587 (a local relay usually listens on 25)."""
    starttls: bool = True
    """Upgrade the connection with STARTTLS before logging in (port 587). Exclusive with ``ssl``."""
    ssl: bool = False
    """Connect with TLS from the start (port 465). Exclusive with ``starttls``."""
    username: str | None = None
    """Login name, if the server requires authentication."""
    password_env: str | None = None
    """Name of the environment variable holding the password, e.g. ``SLO_REPORT_SMTP_PASSWORD``; required with ``username``."""
    timeout: Duration = timedelta(seconds=30)
    """How long to wait for the server on each network operation before treating the attempt as failed."""
    retries: int = Field(4, ge=0, le=10)
    """Attempts after the first when a message fails transiently (connection refused, timeout, 4xx reply); 0 tries once."""
    retry_delay: Duration = timedelta(seconds=15)
    """Pause before the first retry; each further pause doubles (15s, 30s, 1m, 2m by default)."""

    @model_validator(mode="before")
    @classmethod
    def _no_password_in_the_file(cls, data: Any) -> Any:
        if isinstance(data, dict) and "password" in data:
            # The value is deliberately not repeated: it may be a real password.
            raise ValueError("has a password key; passwords do not belong in the config file: remove it, put the "
                             "password in an environment variable and name that variable in password_env")
        return data

    @field_validator("password_env")
    @classmethod
    def _check_password_env(cls, value: str | None) -> str | None:
        if value is not None and not _ENV_NAME_RE.match(value):
            # Not echoed either: a password pasted here by mistake must not reach the terminal or the logs.
            raise ValueError("is not an environment variable name (letters, digits and _); write the variable's "
                             "name, e.g. SLO_REPORT_SMTP_PASSWORD, and keep the password in the environment")
        return value

    @model_validator(mode="after")
    def _check_security(self) -> SmtpConfig:
        if self.starttls and self.ssl:
            raise ValueError("starttls and ssl are exclusive; keep ssl: true for port 465, or starttls: true for port 587")
        if self.username and not self.password_env:
            raise ValueError("username without password_env; add password_env: SLO_REPORT_SMTP_PASSWORD "
                             "(the name of the environment variable holding the password)")
        if self.password_env and not self.username:
            raise ValueError("password_env without username; add the login name as username")
        if self.username and not (self.starttls or self.ssl) and self.host.lower() not in _LOOPBACK_HOSTS:
            raise ValueError(f"the password would cross the network unencrypted to {self.host}; "
                             "set starttls: true (port 587) or ssl: true (port 465)")
        return self

    @property
    def effective_port(self) -> int:
        return self.port or (465 if self.ssl else 587)

    @property
    def backoff(self) -> tuple[float, ...]:
        """The pauses, in seconds, between attempts."""
        return tuple(self.retry_delay.total_seconds() * 2 ** n for n in range(self.retries))


class EmailConfig(_Model):
    """Monthly delivery by email (``slo-report send``, ``slo-report run --send``). Each service's
    ``email`` list gets its service PDF; ``summary_to`` gets ``summary.pdf``."""

    smtp: SmtpConfig
    """The mail server."""
    from_: EmailAddress = Field(alias="from")
    """Sender address, e.g. ``SLO reports <slo-reports@example.com>``."""
    summary_to: list[EmailAddress] = []
    """Who receives ``summary.pdf`` with a short body listing every service, its zone and budget left."""
    subject: str = "{title}: SLO report for {month}"
    """Subject line; ``{title}`` is the report title, ``{month}`` the month (e.g. October 2026). Service and credit messages add ` — service` or ` — SLA credits`."""
    account_team_to: list[EmailAddress] = []
    """Who receives ``credits.csv`` (customer SLA credits) when the month has one."""

    @field_validator("subject")
    @classmethod
    def _check_subject(cls, value: str) -> str:
        if "\n" in value or "\r" in value:
            raise ValueError("must be one line; remove the line breaks")
        try:
            value.format(**_SUBJECT_FIELDS)
        except (KeyError, IndexError) as exc:
            raise ValueError(f"unknown placeholder {{{exc.args[0]}}}; use {{title}} and {{month}} "
                             "(write {{ and }} for literal braces)") from None
        except ValueError as exc:
            raise ValueError(f"is not a valid template ({exc}); use {{title}} and {{month}}, "
                             "and write {{ and }} for literal braces") from None
        return value

    def subject_for(self, title: str, month_label: str) -> str:
        return self.subject.format(title=title, month=month_label)


class TierConfig(_Model):
    """A customer tier: its objective and, optionally, the SLA promised with its credits."""

    objective: float
    """The tier's internal objective as a fraction, e.g. 0.9995."""
    sla: float | None = None
    """The SLI promised in the contract; none for tiers without an SLA (no credits)."""
    credits: dict[float, float] = {}
    """"SLI below this bound" → credit as a percentage of the month's fee, e.g. ``{0.999: 10, 0.99: 25, 0.95: 100}``; the largest applicable credit wins."""

    @field_validator("objective", mode="before")
    @classmethod
    def _check_objective(cls, value: Any) -> float:
        return _fraction(value, "0.9995")

    @field_validator("sla", mode="before")
    @classmethod
    def _check_sla(cls, value: Any) -> Any:
        return None if value is None else _fraction(value, "0.999")

    @field_validator("credits", mode="before")
    @classmethod
    def _check_credits(cls, value: Any) -> Any:
        if not isinstance(value, dict):
            return value
        for bound, percent in value.items():
            _fraction(bound, "0.999")
            if isinstance(percent, bool) or not isinstance(percent, (int, float)) or not 0 < percent <= 100:
                raise ValueError(f"credit {percent!r} for SLI below {bound} is not a percentage in (0, 100]; write e.g. 10")
        return value

    @model_validator(mode="after")
    def _credits_need_sla(self) -> TierConfig:
        if self.credits and self.sla is None:
            raise ValueError("credits without an sla; add sla: (the promised SLI) or remove credits")
        return self


class CustomersConfig(_Model):
    """Customer tiers, SLA credits and who is on which tier."""

    label: str = "customer"
    """The label (Prometheus) or column (file) that carries the customer id."""
    default_tier: str
    """Tier of customers seen in the data but not assigned."""
    tiers: dict[str, TierConfig] = Field(min_length=1)
    """Tiers by name."""
    assignments: dict[str, str] = {}
    """Customer → tier, e.g. ``{acme: enterprise}``."""
    assignments_file: Path | None = None
    """CSV with columns ``customer,tier`` (a billing export), relative to the config file; merged with ``assignments``."""

    @field_validator("assignments_file")
    @classmethod
    def _resolve_file(cls, value: Path | None, info: ValidationInfo) -> Path | None:
        return SourceConfig._resolve_path(value, info)

    @model_validator(mode="after")
    def _known_tiers(self, info: ValidationInfo) -> CustomersConfig:
        for name, tier in self.tiers.items():
            if tier.sla is not None and tier.sla > tier.objective:
                _warn(info, f"customers.tiers.{name}.sla: {tier.sla:g} is stricter than the tier's objective "
                            f"{tier.objective:g}; make the objective at least as strict (internal objectives are "
                            "meant to be tighter than the promise)")
        problems = []
        if self.default_tier not in self.tiers:
            problems.append(f"default_tier {self.default_tier!r} is not a tier; use one of {', '.join(self.tiers)}")
        for customer, tier in self.all_assignments().items():
            if tier not in self.tiers:
                problems.append(f"customer {customer!r} is assigned to unknown tier {tier!r}; use one of {', '.join(self.tiers)}")
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def all_assignments(self) -> dict[str, str]:
        """``assignments_file`` rows, then ``assignments`` on top."""
        merged = {}
        if self.assignments_file is not None:
            merged.update(_read_assignments(self.assignments_file))
        merged.update(self.assignments)
        return merged


def _read_assignments(path: Path) -> dict[str, str]:
    import csv

    try:
        with path.open(newline="", encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle))
    except OSError as exc:
        raise ValueError(f"cannot read {path}: {exc.strerror}; check the path (relative to the config file)") from None
    if rows and not {"customer", "tier"} <= set(rows[0]):
        raise ValueError(f"{path} needs the columns customer,tier")
    return {row["customer"].strip(): row["tier"].strip() for row in rows if row.get("customer", "").strip()}


def _warn(info: ValidationInfo, message: str) -> None:
    """Record a warning during validation (reported with the unknown keys; fatal under --strict)."""
    warnings = (info.context or {}).get("warnings")
    if warnings is not None:
        warnings.append(message)


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
    email: EmailConfig | None = None
    """Monthly delivery by email; without it ``send`` and ``run --send`` refuse to run."""
    customers: CustomersConfig | None = None
    """Customer tiers and SLA credits, for SLOs marked ``sla: true``."""

    @model_validator(mode="after")
    def _known_dependencies(self) -> Config:
        names = [s.name for s in self.services]
        for index, service in enumerate(self.services):
            for dependency in service.depends_on:
                if dependency not in names or dependency == service.name:
                    raise ValueError(f"services[{index}].depends_on: {dependency!r} is not another service of this "
                                     f"catalogue; use one of {', '.join(n for n in names if n != service.name)}")
        return self

    @model_validator(mode="after")
    def _sla_needs_customers(self) -> Config:
        if self.customers is None:
            marked = [f"{s.name}/{o.name}" for s in self.services for o in s.slos if o.sla]
            if marked:
                raise ValueError(f"SLOs marked sla: true ({', '.join(marked)}) but no customers section; "
                                 "add customers: with tiers, or remove sla: true")
        return self

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
        known = [field.alias or name for name, field in type(model).model_fields.items()]
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
        context = {"base_dir": base_dir, "warnings": []}
        config = Config.model_validate(data, context=context)
    except ValidationError as exc:
        raise ConfigError([f"{_path(e['loc'])}: {_describe(e)}" for e in exc.errors()], source) from None
    return config, _unknown_keys(config, ()) + context["warnings"]


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
