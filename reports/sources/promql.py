"""PromQL for the Prometheus source: the templates in ``queries/``, filled in safely.

Selectors come from the catalogue as written. Values the report itself puts into a query (a
histogram's ``le``, a service name in a raw query) are escaped as PromQL string literals, so a
quote or a backslash in a name cannot change what the query means.
"""

from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass, replace
from datetime import timedelta
from importlib import resources
from pathlib import Path

from ..config import Config, SloConfig
from ..config.promql import parse_error

PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_]+)\s*\}\}")
SELECTOR = re.compile(r"^\s*([A-Za-z_:][A-Za-z0-9_:]*)\s*(?:\{(.*)\})?\s*$", re.S)
WINDOW = "window"
CHECKOUT_QUERIES = Path(__file__).resolve().parents[2] / "queries"


class QueryPlanError(Exception):
    """The SLO's queries cannot be built: a missing field, a bad selector, an unknown bucket."""


@functools.cache
def templates(kind: str) -> dict[str, str]:
    """``name: query`` lines of ``queries/<kind>.promql``; ``#`` lines are comments.

    An installed wheel carries the folder as the package ``reports.queries``; a checkout that
    is not installed has no such package, and the repository's ``queries/`` is read instead.
    """
    try:
        folder = resources.files("reports.queries")
    except ModuleNotFoundError:
        folder = CHECKOUT_QUERIES
    text = folder.joinpath(f"{kind}.promql").read_text(encoding="utf-8")
    queries = {}
    for line in text.splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, _, query = line.partition(":")
            queries[name.strip()] = query.strip()
    return queries


def fill(template: str, values: dict[str, str], keep: tuple[str, ...] = ()) -> str:
    """Replace ``{{ name }}`` placeholders; those in ``keep`` stay for a later pass."""

    def one(match: re.Match) -> str:
        name = match[1]
        if name in values:
            return values[name]
        if name in keep:
            return match[0]
        known = ", ".join("{{" + n + "}}" for n in (*values, *keep))
        raise QueryPlanError(f"unknown placeholder {match[0]}; use {known}")

    return PLACEHOLDER.sub(one, template)


def escape(value: str) -> str:
    """The body of a double-quoted PromQL string holding ``value``."""
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def duration(value: timedelta) -> str:
    """A PromQL range such as ``5m``, ``34d`` or ``299999ms``."""
    ms = round(value.total_seconds() * 1000)
    for unit, size in (("d", 86_400_000), ("h", 3_600_000), ("m", 60_000), ("s", 1000)):
        if ms % size == 0:
            return f"{ms // size}{unit}"
    return f"{ms}ms"


def series(selector: str, suffix: str = "", matcher: str = "") -> str:
    """``name{a="b"}`` → ``name<suffix>{a="b", <matcher>}``: a histogram's ``_bucket`` or ``_count``."""
    match = SELECTOR.match(selector)
    if not match:
        raise QueryPlanError(
            f'{selector!r} is not a metric selector; write it as name{{label="value"}}, '
            'e.g. http_request_duration_seconds{service="api"}'
        )
    inner = (match[2] or "").strip().rstrip(",").strip()
    return f"{match[1]}{suffix}{{{', '.join(part for part in (inner, matcher) if part)}}}"


@dataclass(frozen=True)
class SloQueries:
    """One SLO's PromQL with ``{{window}}`` still open: every query counts the events of the
    ``window`` that ends at its evaluation time."""

    total: str
    good: str | None = None
    bad: str | None = None
    boundaries: str | None = None
    """latency: lists the ``le`` labels of the histogram; the good query waits for the match."""
    histogram: str = ""
    threshold: float | None = None
    by: str = ""
    counters: tuple[str, str] | None = None
    """The selectors of the total and the other counter, read sample by sample (see
    ``counter.promql``); None for raw SLIs, whose queries count events themselves."""

    @property
    def other(self) -> tuple[str, str]:
        """The second counter: ``("bad", query)`` or ``("good", query)``."""
        return ("bad", self.bad) if self.bad is not None else ("good", self.good or "")

    def with_boundary(self, les: list[str]) -> SloQueries:
        """Pick the bucket whose bound equals the threshold; the error lists the bounds there are."""
        threshold = self.threshold
        assert threshold is not None  # a latency SLI has one
        bounds: dict[float, list[str]] = {}
        for le in les:
            try:
                bounds.setdefault(float(le), []).append(le)
            except ValueError:
                continue
        chosen = next(
            (names for bound, names in bounds.items() if math.isclose(bound, threshold, rel_tol=1e-9, abs_tol=1e-12)),
            None,
        )
        if chosen is None:
            listed = ", ".join(bounds[b][0] for b in sorted(bounds)) or "none"
            raise QueryPlanError(
                f"threshold {self.threshold:g} is not a bucket bound of {self.histogram}; "
                f"its bounds are {listed}; set threshold to one of them"
            )
        if len(chosen) == 1:
            matcher = f'le="{escape(chosen[0])}"'
        else:  # the same bound written two ways by two clients, e.g. "1" and "1.0"
            matcher = f'le=~"{escape("|".join(re.escape(name) for name in sorted(chosen)))}"'
        bucket = series(self.histogram, "_bucket", matcher)
        return replace(
            self,
            good=fill(templates("latency")["good"], {"by": self.by, "bucket": bucket}, keep=(WINDOW,)),
            boundaries=None,
            counters=(series(self.histogram, "_count"), bucket),
        )


PART = "slo_report_part"
"""The label that tags each part of a counter query (see ``queries/counter.promql``)."""


def counter(selector: str, by: str, step: timedelta, closed: bool) -> str:
    """One request that reads every part of ``counter.promql`` for ``selector``, per step."""
    values = {
        "series": selector,
        "by": by,
        "range": duration(one_step(step, closed)),
        "pair": duration(one_step(step, closed, 2)),
        "step": duration(step),
    }
    parts = [
        f'label_replace({fill(query, values)}, "{PART}", "{name}", "", "")'
        for name, query in templates("counter").items()
    ]
    return " or ".join(parts)


def continuity(selector: str, reach: timedelta) -> str:
    """The check of ``continuous.promql``: per series, how often it reset within ``reach``."""
    return fill(templates("continuous")["resets"], {"series": selector, "reach": duration(reach)})


def bound(selector: str, reach: timedelta) -> str:
    """Each series' last value within ``reach``: no larger value exists where none reset."""
    return fill(templates("continuous")["bound"], {"series": selector, "reach": duration(reach)})


def last_values(selector: str, by: str, step: timedelta, closed: bool, counted: bool, offset: int | None = None) -> str:
    """Per step each series' last value (``each``), or with ``counted`` their sum by ``by`` (tagged
    ``last``) and how many series had one (tagged ``count``), or with an ``offset`` both packed in
    one sum (``packed``)."""
    values = {"series": selector, "by": by, "range": duration(one_step(step, closed))}
    if offset is not None:
        return fill(templates("continuous")["packed"], {**values, "offset": str(offset)})
    if not counted:
        return fill(templates("continuous")["each"], values)
    return " or ".join(
        f'label_replace({fill(templates("continuous")[name], values)}, "{PART}", "{name}", "", "")'
        for name in ("last", "count")
    )


def one_step(step: timedelta, closed: bool, steps: int = 1) -> timedelta:
    """The range that holds exactly ``steps`` steps' samples: a closed range also holds a sample on
    its lower edge, which belongs to the step before, so it is a millisecond shorter."""
    return step * steps - (timedelta(milliseconds=1) if closed else timedelta(0))


def opening(selector: str, lookback: timedelta) -> str:
    return fill(templates("samples")["opening"], {"series": selector, "lookback": duration(lookback)})


def samples(selector: str, step: timedelta, closed: bool) -> str:
    """The raw samples of the step that ends at the evaluation time and of the one before."""
    return fill(templates("samples")["samples"], {"series": selector, "range": duration(one_step(step, closed, 2))})


def at(query: str, window: timedelta) -> str:
    """The query counting the events of the ``window`` before its evaluation time."""
    return fill(query, {WINDOW: duration(window)})


def plan(service: str, slo: SloConfig, by: str) -> SloQueries:
    """Build an SLO's queries from its ``sli`` block; ``by`` is the customer label or ""."""
    sli = slo.sli
    if sli.kind == "ratio":
        if not sli.total or bool(sli.bad) == bool(sli.good):
            raise QueryPlanError("a ratio SLI needs total and exactly one of bad or good; add them to sli")
        queries = {
            name: fill(
                query, {"by": by, "total": sli.total, "bad": sli.bad or "", "good": sli.good or ""}, keep=(WINDOW,)
            )
            for name, query in templates("ratio").items()
        }
        return SloQueries(
            total=queries["total"],
            bad=queries["bad"] if sli.bad else None,
            good=queries["good"] if sli.good else None,
            by=by,
            counters=(sli.total, sli.bad or sli.good or ""),
        )
    if sli.kind == "latency":
        if not sli.histogram or sli.threshold is None:
            raise QueryPlanError("a latency SLI needs histogram and threshold; add them to sli")
        values = {"by": by, "count": series(sli.histogram, "_count"), "buckets": series(sli.histogram, "_bucket")}
        latency = templates("latency")
        return SloQueries(
            total=fill(latency["total"], values, keep=(WINDOW,)),
            boundaries=fill(latency["boundaries"], values, keep=(WINDOW,)),
            histogram=sli.histogram,
            threshold=sli.threshold,
            by=by,
        )
    good_query = sli.good_query or sli.good
    if not sli.total_query or not good_query:
        raise QueryPlanError("a raw SLI needs total_query and good_query; add them to sli")
    names = {"service": escape(service), "slo": escape(slo.name)}
    user = {
        "total_query": fill(sli.total_query, names, keep=(WINDOW,)),
        "good_query": fill(good_query, names, keep=(WINDOW,)),
    }
    raw = templates("raw")
    return SloQueries(total=fill(raw["total"], user), good=fill(raw["good"], user), by=by)


def template_problems(config: Config) -> list[str]:
    """Offline, before any request: every SLO's queries, built from ``queries/`` with its own
    values, parse as PromQL. A broken template or a value that breaks it names the SLO's key."""
    if config.source.type != "prometheus":
        return []
    problems = []
    for i, service in enumerate(config.services):
        for j, slo in enumerate(service.slos):
            where = f"services[{i}].slos[{j}].sli"
            by = config.customers.label if config.customers is not None and slo.sla else ""
            try:
                planned = plan(service.name, slo, by)
                built = {"boundaries": planned.boundaries}
                if planned.threshold is not None:
                    planned = planned.with_boundary([repr(planned.threshold)])
                if planned.counters is not None:
                    for name, selector in zip(("total", planned.other[0]), planned.counters, strict=True):
                        built[f"{name} counter"] = counter(selector, by, timedelta(minutes=5), closed=True)
                        built[f"{name} continuity counter"] = continuity(selector, timedelta(days=1))
                        built[f"{name} bound counter"] = bound(selector, timedelta(days=1))
                        built[f"{name} last-values counter"] = last_values(
                            selector, by, timedelta(minutes=5), closed=True, counted=True
                        )
                        built[f"{name} each last-values counter"] = last_values(
                            selector, by, timedelta(minutes=5), closed=True, counted=False
                        )
                        built[f"{name} packed last-values counter"] = last_values(
                            selector, by, timedelta(minutes=5), closed=True, counted=True, offset=2**40
                        )
                else:
                    built.update(total=planned.total, good=planned.good, bad=planned.bad)
            except QueryPlanError as exc:
                problems.append(f"{where}: {exc}")
                continue
            for name, query in built.items():
                text = (query if name.endswith("counter") else at(query, timedelta(minutes=5))) if query else ""
                problem = parse_error(text) if text else None
                if problem is not None:
                    template = (
                        ("continuous" if " " in name.removesuffix(" counter") else "counter")
                        if name.endswith("counter")
                        else slo.sli.kind
                    )
                    problems.append(
                        f"{where}: the {name} query built from queries/{template}.promql does not parse "
                        f"({problem}): {text}; fix that template or this SLO's sli"
                    )
    return problems
