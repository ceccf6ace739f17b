"""``slo-report doctor``: before the 1st, check against the live server what a month's report will need.

One finding per line: ``ok``, ``warning`` (the report will still be right) or ``error``
(blocking: the month's report would be wrong or missing). Checked: the server answers and
which engine it is, with its limits; its retention holds the whole month (and the days before
it that burn-rate alerts read) on the day the report runs; every selector returns series;
every histogram threshold is a bucket bound; raw queries evaluate.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import requests

from .compute.burn import LOOKBACK
from .config import Config
from .format import utc_instant
from .sources import SourceError, promql
from .sources.promclient import PromClient, PromError
from .window import Month

RECENT = timedelta(days=1)
"""How far back a selector may look for series: a series silent for a day is likely a typo or gone."""
UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400, "y": 365 * 86400}


@dataclass(frozen=True)
class Finding:
    level: str
    """``ok``, ``warning`` or ``error`` (blocking)."""
    text: str

    def __str__(self) -> str:
        return f"{self.level}: {self.text}"


def diagnose(config: Config, month: Month, now: datetime, session: requests.Session | None = None) -> list[Finding]:
    """Findings for ``month`` (whose report runs on the 1st after it) as seen at ``now``."""
    source = config.source
    if source.type != "prometheus":
        return [Finding("ok", f"source.type is {source.type}: nothing to check online")]
    tz = ZoneInfo(config.timezone)
    start, end = month.start(tz), month.next().start(tz)
    at = min(now, end).timestamp()
    client = PromClient(source, session, attempts=2, backoff=0.2)
    try:
        try:
            engine = client.detect(at)
            client.instant("vector(1)", at)
        except (PromError, SourceError) as exc:
            return [Finding("error", f"source.url {source.url}: {exc}; {getattr(exc, 'hint', '')}".rstrip("; "))]
        findings = [Finding("ok", f"source.url {source.url} answers: {engine.describe()}")]
        findings += _limits(client, start, end, source.step)
        findings += _retention(client, start - LOOKBACK, end, now)
        for service in config.services:
            for slo in service.slos:
                findings += _slo(client, service.name, slo, at)
        return findings
    finally:
        client.close()


def _limits(client: PromClient, start: datetime, end: datetime, step: timedelta) -> list[Finding]:
    engine = client.engine
    span = (end - start + LOOKBACK).total_seconds()
    findings = []
    if engine.max_length and span > engine.max_length:
        pieces = -(-span // (engine.max_length - 2 * step.total_seconds()))
        findings.append(
            Finding(
                "ok",
                f"the month and its {LOOKBACK.days} days of lookback ({span / 3600:g}h) exceed the engine's "
                f"query-length limit ({engine.max_length / 3600:g}h): each counter is read in {pieces:g} requests",
            )
        )
    return findings


def _retention(client: PromClient, needed: datetime, end: datetime, now: datetime) -> list[Finding]:
    """Whether the server will still hold ``needed`` on the day the report runs (``end``)."""
    if client.engine.name != "prometheus":
        return [Finding("ok", f"{client.engine.name} keeps its own retention: check it covers {needed:%Y-%m-%d} on")]
    oldest = client.oldest_sample()
    fix = "keep the month in long-term storage (Thanos, Mimir, VictoriaMetrics) or raise --storage.tsdb.retention.time"
    if oldest is not None and oldest > needed.timestamp():
        held = datetime.fromtimestamp(oldest, UTC)
        return [
            Finding(
                "error",
                f"deleted by retention: the report needs samples from {utc_instant(needed)}, but the server "
                f"holds samples only from {utc_instant(held)} on; {fix}",
            )
        ]
    retention = _retention_flag(client)
    if retention is None:
        return [Finding("warning", "cannot read the server's retention (/api/v1/status/flags); check it holds a month")]
    run_day = max(end, now)
    must_hold = run_day - needed
    if retention < must_hold:
        return [
            Finding(
                "error",
                f"retention {retention.days}d is shorter than the {must_hold.days}d the report run on "
                f"{run_day:%Y-%m-%d} reads back (from {needed:%Y-%m-%d}); {fix} to at least {must_hold.days + 2}d",
            )
        ]
    return [
        Finding(
            "ok", f"retention {retention.days}d covers {needed:%Y-%m-%d} through the report run on {run_day:%Y-%m-%d}"
        )
    ]


def _retention_flag(client: PromClient) -> timedelta | None:
    flags = client.get_data("/api/v1/status/flags")
    text = flags.get("storage.tsdb.retention.time", "") if isinstance(flags, dict) else ""
    if text in ("", "0s"):
        text = "15d" if isinstance(flags, dict) and not flags.get("storage.tsdb.retention.size") else text
    seconds = sum(int(n) * UNITS[u] for n, u in re.findall(r"(\d+)([smhdwy])", text))
    return timedelta(seconds=seconds) if seconds else None


def _slo(client: PromClient, service: str, slo, at: float) -> list[Finding]:
    name = f"{service}/{slo.name}"
    sli = slo.sli
    try:
        if sli.kind == "ratio":
            findings = [_series(client, name, "total", sli.total or "", at, blocking=True)]
            if sli.good:
                findings.append(_series(client, name, "good", sli.good, at, blocking=True))
            else:
                findings.append(_series(client, name, "bad", sli.bad or "", at, blocking=False))
            return findings
        if sli.kind == "latency":
            queries = promql.plan(service, slo, "")
            found = client.instant(promql.at(queries.boundaries or "", RECENT), at)
            if not found:
                return [
                    Finding("error", f"{name}: no buckets of {sli.histogram} in the last day; check the metric name")
                ]
            try:
                queries.with_boundary([dict(labels).get("le", "") for labels in found])
            except promql.QueryPlanError as exc:
                return [Finding("error", f"{name}: {exc}")]
            return [
                _series(client, name, "total", promql.series(sli.histogram or "", "_count"), at, blocking=True),
                Finding("ok", f"{name}: threshold {sli.threshold:g} is a bucket bound of {sli.histogram}"),
            ]
        queries = promql.plan(service, slo, "")
        for query in (queries.total, queries.good or ""):
            text = promql.at(query, timedelta(minutes=5))
            client.instant(text, at)
        return [Finding("ok", f"{name}: the raw queries evaluate")]
    except promql.QueryPlanError as exc:
        return [Finding("error", f"{name}: {exc}")]
    except PromError as exc:
        return [Finding("error", f"{name}: the server rejected a query: {exc}")]


def _series(client: PromClient, name: str, what: str, selector: str, at: float, blocking: bool) -> Finding:
    query = f"count(last_over_time({selector}[{promql.duration(RECENT)}]))"
    try:
        found = client.instant(query, at)
    except PromError as exc:
        return Finding("error", f"{name}: the {what} selector {selector} is rejected: {exc}")
    count = int(next(iter(found.values()), 0))
    if count:
        return Finding("ok", f"{name}: {what} selector {selector} matches {count} series")
    if blocking:
        return Finding(
            "error",
            f"{name}: the {what} selector {selector} matches no series in the last day; check the metric name and labels",
        )
    return Finding(
        "warning",
        f"{name}: the {what} selector {selector} matches no series in the last day (fine if the counter is created "
        "by its first event; a typo would count no bad events)",
    )
