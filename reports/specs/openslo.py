"""OpenSLO v1 (``apiVersion: openslo/v1``): Service, SLO, SLI and DataSource documents.

Mapping: each objective of an SLO becomes one catalogue SLO. A ``ratioMetric`` of Prometheus
queries with ``counter: true`` becomes a ratio SLI of counter selectors (``increase()`` runs
per series before any sum); ``counter: false`` reads each sample as the events since the one
before, so a window's events are ``sum_over_time``. A calendar ``1M`` window is the calendar
month in its time zone, a rolling ``30d`` our ``30d`` window. Everything else is refused with
the reason, because it gives no event counts or no window the report can cut.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from .common import Imported, ImportedSlo, counter_selector, slug, where

API_VERSION = "openslo/v1"
_DURATION = re.compile(r"^(\d+)([mhdwMQY])$")
_MINUTES = {"m": 1, "h": 60, "d": 1440, "w": 10080}
_IGNORED_KINDS = ("AlertPolicy", "AlertCondition", "AlertNotificationTarget")


def read_openslo(documents: list[tuple[str, int, dict[str, Any]]]) -> Imported:
    """``documents``: (file, 1-based document number, parsed document), from every file at once,
    so an ``indicatorRef`` or ``metricSourceRef`` may name a document in another file."""
    out = Imported(formats={"openslo"})
    indicators: dict[str, dict] = {}
    sources: dict[str, dict] = {}
    slos = []
    for path, number, doc in documents:
        kind, name = str(doc.get("kind", "")), str((doc.get("metadata") or {}).get("name", ""))
        here = where(path, number, kind or "document", name or "without a name")
        if doc.get("apiVersion") != API_VERSION:
            out.problems.append(f"{here}: apiVersion: {doc.get('apiVersion')!r} is not supported; write {API_VERSION}")
            continue
        spec: dict[str, Any] = doc["spec"] if isinstance(doc.get("spec"), dict) else {}
        if kind == "SLI":
            indicators[name] = spec
        elif kind == "DataSource":
            sources[name] = spec
        elif kind == "Service":
            if spec.get("description"):
                out.service_descriptions[name] = str(spec["description"])
        elif kind == "SLO":
            slos.append((here, name, spec))
        elif kind in _IGNORED_KINDS:
            out.warnings.append(
                f"{here}: kind: not imported; slo-report rules writes the SRE Workbook's burn-rate alerts instead"
            )
        else:
            out.problems.append(
                f"{here}: kind: {kind!r} is not an OpenSLO v1 kind; use Service, SLO, SLI or DataSource"
            )
    for here, name, spec in slos:
        _slo(out, here, name, spec, indicators, sources)
    return out


def _slo(out: Imported, here: str, name: str, spec: dict, indicators: dict, sources: dict) -> None:
    problems = len(out.problems)
    service = spec.get("service")
    if not service:
        out.problems.append(f"{here}: spec.service: missing; name the service this SLO belongs to")
    window = _window(out, here, spec.get("timeWindow"))
    budgeting = spec.get("budgetingMethod")
    if budgeting == "RatioTimeslices":
        out.problems.append(
            f"{here}: spec.budgetingMethod: RatioTimeslices (the mean of slice ratios) is not supported; it weighs a "
            "quiet slice like a busy one without judging either; use Occurrences or Timeslices"
        )
    elif budgeting not in ("Occurrences", "Timeslices"):
        out.problems.append(
            f"{here}: spec.budgetingMethod: {budgeting!r} is not allowed; use Occurrences or Timeslices"
        )
    objectives = spec.get("objectives")
    if not isinstance(objectives, list) or not objectives:
        out.problems.append(f"{here}: spec.objectives: missing or empty; give at least one objective with a target")
        return
    built = []
    for index, objective in enumerate(objectives):
        field = f"spec.objectives[{index}]"
        if not isinstance(objective, dict):
            out.problems.append(f"{here}: {field}: not a mapping; give target or targetPercent")
            continue
        if "compositeWeight" in objective:
            out.problems.append(
                f"{here}: {field}.compositeWeight: composite SLOs are not supported; the report needs one SLI per SLO, "
                "so import each objective's SLO on its own"
            )
            continue
        target = _target(out, here, field, objective)
        if "indicator" in objective or "indicatorRef" in objective:
            sli = _indicator(out, here, field, objective, indicators, sources)
        else:
            sli = _indicator(out, here, "spec", spec, indicators, sources)
        entry: dict[str, Any] = {"name": name, "objective": target}
        description = spec.get("description") or (objective.get("displayName") if len(objectives) > 1 else None)
        if description:
            entry["description"] = str(description)
        if budgeting == "Timeslices":
            entry.update(_timeslices(out, here, field, objective))
        if sli is not None:
            entry["sli"] = sli
        label = slug(str(objective.get("displayName") or objective.get("name") or "")) or str(index + 1)
        built.append((index, label, entry))
    if len(out.problems) > problems:
        return
    for index, label, entry in built:
        if len(built) > 1:
            entry["name"] = f"{name}-{label}"
        origin = f"{here}, objectives[{index}]" if len(objectives) > 1 else here
        out.slos.append(ImportedSlo(str(service), entry, origin))
        if window is not None:
            out.windows.append((*window, origin))


def _target(out: Imported, here: str, field: str, objective: dict) -> float | None:
    has_target, has_percent = "target" in objective, "targetPercent" in objective
    if has_target == has_percent:
        out.problems.append(f"{here}: {field}: give exactly one of target (e.g. 0.999) and targetPercent (e.g. 99.9)")
        return None
    try:
        if has_target:
            return float(Decimal(str(objective["target"])))
        return float(Decimal(str(objective["targetPercent"])) / 100)
    except InvalidOperation:
        key = "target" if has_target else "targetPercent"
        out.problems.append(f"{here}: {field}.{key}: {objective[key]!r} is not a number")
        return None


def _timeslices(out: Imported, here: str, field: str, objective: dict) -> dict[str, Any]:
    target, size = objective.get("timeSliceTarget"), objective.get("timeSliceWindow")
    if target is None or size is None:
        out.problems.append(
            f"{here}: {field}: budgetingMethod Timeslices needs timeSliceTarget and timeSliceWindow; add both"
        )
        return {}
    if isinstance(size, (int, float)) and not isinstance(size, bool):
        minutes = size  # a bare number is minutes
    else:
        match = _DURATION.match(str(size).strip())
        if not match or match[2] not in ("m", "h", "d"):
            hint = " (M is months; minutes are m)" if match and match[2] == "M" else ""
            out.problems.append(
                f"{here}: {field}.timeSliceWindow: {size!r} is not a slice length{hint}; write minutes or hours, e.g. 5m"
            )
            return {}
        minutes = int(match[1]) * _MINUTES[match[2]]
    if minutes <= 0 or minutes != int(minutes):
        out.problems.append(
            f"{here}: {field}.timeSliceWindow: {size!r} is not a whole number of minutes; write e.g. 5m"
        )
        return {}
    return {"budgeting": "timeslices", "slice": f"{int(minutes)}m", "slice_target": target}


def _window(out: Imported, here: str, windows: Any) -> tuple[str, str | None] | None:
    """``("calendar-month", zone)`` or ``("30d", None)``; None (with a problem) for anything else."""
    if windows is None:
        return None
    window = windows[0] if isinstance(windows, list) and len(windows) == 1 else windows
    if not isinstance(window, dict):
        out.problems.append(f"{here}: spec.timeWindow: give exactly one window, e.g. [{{duration: 1M, calendar: ...}}]")
        return None
    duration = str(window.get("duration", "")).strip()
    calendar = window.get("calendar")
    rolling = window.get("isRolling", calendar is None)
    field = "spec.timeWindow[0].duration"
    if not rolling:
        if duration == "1m":
            out.warnings.append(
                f"{here}: {field}: 1m is one minute; read as 1M (a calendar month), which a calendar window "
                "surely meant; write 1M"
            )
            duration = "1M"
        if duration != "1M":
            out.problems.append(
                f"{here}: {field}: a calendar window of {duration or 'no duration'} is not supported; the report "
                "covers a calendar month (1M) or 30 rolling days (30d)"
            )
            return None
        zone = (calendar or {}).get("timeZone") if isinstance(calendar, dict) else None
        return "calendar-month", zone
    match = _DURATION.match(duration)
    if match and match[2] in _MINUTES and int(match[1]) * _MINUTES[match[2]] == 30 * 1440:
        return "30d", None
    hint = " (m is minutes; a month is 1M, and 30 rolling days 30d)" if duration.endswith("m") else ""
    out.problems.append(
        f"{here}: {field}: a rolling window of {duration or 'no duration'} is not supported{hint}; the report "
        "covers a calendar month (1M with calendar:) or 30 rolling days (30d)"
    )
    return None


def _indicator(out: Imported, here: str, field: str, holder: dict, indicators: dict, sources: dict) -> dict | None:
    if "indicatorRef" in holder:
        ref = holder["indicatorRef"]
        if ref not in indicators:
            known = ", ".join(sorted(indicators)) or "none"
            out.problems.append(f"{here}: {field}.indicatorRef: {ref!r} names no SLI document; SLIs given: {known}")
            return None
        return _sli(out, here, f"SLI {ref}: spec", indicators[ref], sources)
    indicator = holder.get("indicator")
    if not isinstance(indicator, dict) or not isinstance(indicator.get("spec"), dict):
        out.problems.append(f"{here}: {field}: needs indicator (with metadata and spec) or indicatorRef")
        return None
    return _sli(out, here, f"{field}.indicator.spec", indicator["spec"], sources)


def _sli(out: Imported, here: str, field: str, spec: dict, sources: dict) -> dict | None:
    if "thresholdMetric" in spec:
        out.problems.append(
            f"{here}: {field}.thresholdMetric: threshold metrics are not supported; they compare a value with a "
            "threshold and give no good and total events; use a ratioMetric"
        )
        return None
    ratio = spec.get("ratioMetric")
    if not isinstance(ratio, dict):
        out.problems.append(f"{here}: {field}: needs a ratioMetric with good or bad over total")
        return None
    field += ".ratioMetric"
    if "raw" in ratio or "rawType" in ratio:
        out.problems.append(
            f"{here}: {field}.raw: a precomputed ratio is not supported; it gives a ratio but no event counts, so "
            "the month cannot be pooled; use good or bad over total"
        )
        return None
    if ("good" in ratio) == ("bad" in ratio) or "total" not in ratio:
        out.problems.append(f"{here}: {field}: needs total and exactly one of good and bad")
        return None
    counter = ratio.get("counter")
    if counter is None:
        out.warnings.append(f"{here}: {field}.counter: missing; read as true (the queries name counters)")
        counter = True
    kind = "good" if "good" in ratio else "bad"
    queries = {}
    for part in ("total", kind):
        query = _query(out, here, f"{field}.{part}", ratio[part], sources)
        if query is None:
            return None
        selector, summed = counter_selector(query)
        if selector is None:
            out.problems.append(
                f"{here}: {field}.{part}.metricSource.spec.query: {query!r} is not a metric selector; write the "
                f'{"counter" if counter else "gauge"}, e.g. http_requests_total{{code=~"5.."}}, and the report adds '
                "increase() and sum()"
            )
            return None
        if summed and counter:
            out.warnings.append(
                f"{here}: {field}.{part}.metricSource.spec.query: sum() is taken before counter handling, so a "
                "reset of one series is lost; imported as the selector inside, with increase() per series before sum()"
            )
        queries[part] = selector
    if counter:
        return {"kind": "ratio", "total": queries["total"], kind: queries[kind]}
    total = f"sum(sum_over_time({queries['total']}[{{{{window}}}}]))"
    other = f"sum(sum_over_time({queries[kind]}[{{{{window}}}}]))"
    good = other if kind == "good" else f"({total}) - (({other}) or ({total}) * 0)"
    return {"kind": "raw", "total_query": total, "good_query": good}


def _query(out: Imported, here: str, field: str, part: Any, sources: dict) -> str | None:
    source = part.get("metricSource") if isinstance(part, dict) else None
    if not isinstance(source, dict):
        out.problems.append(f"{here}: {field}.metricSource: missing; give type: Prometheus and spec.query")
        return None
    kind = source.get("type")
    ref = source.get("metricSourceRef")
    if kind is None and ref is not None:
        if ref not in sources:
            out.problems.append(f"{here}: {field}.metricSource.metricSourceRef: {ref!r} names no DataSource document")
            return None
        kind = sources[ref].get("type")
    if str(kind).lower() != "prometheus":
        out.problems.append(
            f"{here}: {field}.metricSource.type: {kind!r} is not supported; only Prometheus queries can be counted "
            "(Prometheus, Thanos, Mimir or VictoriaMetrics)"
        )
        return None
    if ref is not None and ref in sources:
        url = _url(sources[ref].get("connectionDetails"))
        if url and url not in out.prometheus_urls:
            out.prometheus_urls.append(url)
    query = (source.get("spec") or {}).get("query") if isinstance(source.get("spec"), dict) else None
    if not isinstance(query, str) or not query.strip():
        out.problems.append(f"{here}: {field}.metricSource.spec.query: missing; give the PromQL selector")
        return None
    return query


def _url(details: Any) -> str | None:
    """``connectionDetails`` as a mapping (``url: ...``) or, as some examples write it, a list of
    ``{name: url, value: ...}`` items."""
    if isinstance(details, list):
        details = {item.get("name"): item.get("value") for item in details if isinstance(item, dict)}
    if not isinstance(details, dict):
        return None
    for key in ("url", "address", "endpoint"):
        if isinstance(details.get(key), str):
            return details[key]
    return None
