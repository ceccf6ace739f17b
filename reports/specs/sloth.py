"""Sloth specs: ``version: prometheus/v1`` files and the Kubernetes CRD (``sloth.slok.dev/v1``,
kind ``PrometheusServiceLevel``, camelCase keys).

Sloth's event queries are per-second rates, ``sum(rate(x[{{.window}}]))``. The report needs
event counts, so every ``rate(...[{{.window}}])`` is rewritten to ``increase(...[{{.window}}])``.
That is exact, not an approximation: Prometheus computes ``rate()`` as the (extrapolated)
increase over the range divided by the range's seconds, and ``increase()`` is that same
calculation without the division. The common shape ``sum(rate(selector[{{.window}}]))`` becomes
a ratio SLI of the selectors (gaps and resets handled by the source); any other query stays
PromQL (a raw SLI) with the rewrite. The SLO period is not in a Sloth spec (Sloth defaults to
30 days), so a Sloth SLO takes the catalogue's window.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from .common import Imported, ImportedSlo, where

PLAIN_VERSION = "prometheus/v1"
CRD_API_VERSION = "sloth.slok.dev/v1"
CRD_KIND = "PrometheusServiceLevel"
_WINDOW = re.compile(r"\{\{\s*\.window\s*\}\}")
_TEMPLATE = re.compile(r"\{\{.*?\}\}", re.S)
_SIMPLE = re.compile(
    r"^\s*sum\s*(?:(?:by|without)\s*\([^()]*\)\s*)?\(\s*(?:rate|increase)\s*\(\s*"
    r"(?P<selector>[A-Za-z_:][A-Za-z0-9_:]*\s*(?:\{[^{}]*\})?)\s*\[\s*\{\{\s*\.window\s*\}\}\s*\]\s*\)\s*\)\s*$",
    re.S,
)
_CALL = re.compile(r"\b(i?rate|increase)\s*\(")
_SUM_FIRST = re.compile(r"\b(?:rate|increase)\s*\(\s*sum\b")

# Key names in the plain spec and in the CRD.
_PLAIN = {
    "error": "error_query",
    "total": "total_query",
    "ratio": "error_ratio_query",
    "page": "page_alert",
    "slo_plugins": "slo_plugins",
}
_CRD = {
    "error": "errorQuery",
    "total": "totalQuery",
    "ratio": "errorRatioQuery",
    "page": "pageAlert",
    "slo_plugins": "sloPlugins",
}


def is_sloth(doc: dict) -> bool:
    return doc.get("version") == PLAIN_VERSION or (
        doc.get("apiVersion") == CRD_API_VERSION and doc.get("kind") == CRD_KIND
    )


def read_sloth(path: str, number: int, doc: dict[str, Any]) -> Imported:
    out = Imported(formats={"sloth"})
    crd = doc.get("apiVersion") == CRD_API_VERSION
    keys = _CRD if crd else _PLAIN
    body = doc.get("spec") if crd else doc
    prefix = "spec." if crd else ""
    name = (doc.get("metadata") or {}).get("name") if crd else None
    if not isinstance(body, dict):
        out.problems.append(f"{where(path, number, CRD_KIND, name or '')}: spec: missing; give service and slos")
        return out
    service = body.get("service")
    here = where(path, number, CRD_KIND if crd else "Sloth spec", str(name or service or "without a service"))
    if not service:
        out.problems.append(f"{here}: {prefix}service: missing; name the service")
    if body.get(keys["slo_plugins"]):
        out.problems.append(
            f"{here}: {prefix}{keys['slo_plugins']}: Sloth plugins are not supported; they change Sloth's generated "
            "rules, not the events the report counts; remove them from the spec you import"
        )
    slos = body.get("slos")
    if not isinstance(slos, list) or not slos:
        out.problems.append(f"{here}: {prefix}slos: missing or empty; give at least one SLO")
        return out
    common_labels = dict(body.get("labels") or {})
    for index, slo in enumerate(slos):
        field = f"{prefix}slos[{index}]"
        if not isinstance(slo, dict):
            out.problems.append(f"{here}: {field}: not a mapping; give name, objective and sli")
            continue
        entry = _slo(out, here, field, slo, keys, common_labels)
        if entry is not None and service:
            out.slos.append(ImportedSlo(str(service), entry, f"{here}, {field} ({slo.get('name')})"))
    return out


def _slo(out: Imported, here: str, field: str, slo: dict, keys: dict, common_labels: dict) -> dict | None:
    before = len(out.problems)
    name = slo.get("name")
    if not name:
        out.problems.append(f"{here}: {field}.name: missing; give the SLO a name")
    objective = _objective(out, here, f"{field}.objective", slo.get("objective"))
    if slo.get("plugins"):
        out.problems.append(
            f"{here}: {field}.plugins: Sloth plugins are not supported; they change Sloth's generated rules, not "
            "the events the report counts; remove them from the spec you import"
        )
    sli = _sli(out, here, f"{field}.sli", slo.get("sli") or {}, keys)
    if len(out.problems) > before:
        return None
    entry: dict[str, Any] = {"name": str(name), "objective": objective}
    if slo.get("description"):
        entry["description"] = str(slo["description"])
    entry["sli"] = sli
    labels = {**common_labels, **(slo.get("labels") or {})}
    if labels:
        entry["labels"] = {str(k): str(v) for k, v in labels.items()}
    annotations = (slo.get("alerting") or {}).get("annotations") or {}
    runbook = annotations.get("runbook") or annotations.get("runbook_url")
    if runbook:
        entry["runbook"] = str(runbook)
    return entry


def _objective(out: Imported, here: str, field: str, value: Any) -> float | None:
    try:
        percent = Decimal(str(value))
    except InvalidOperation:
        out.problems.append(f"{here}: {field}: {value!r} is not a percentage; write e.g. 99.9")
        return None
    if percent == 100:
        out.problems.append(
            f"{here}: {field}: 100 leaves no error budget, so there is no budget to report on; write e.g. 99.9"
        )
        return None
    if not 0 < percent < 100:
        out.problems.append(f"{here}: {field}: {value!r} is not a percentage in (0, 100); write e.g. 99.9")
        return None
    return float(percent / 100)


def _sli(out: Imported, here: str, field: str, sli: Any, keys: dict) -> dict | None:
    if not isinstance(sli, dict):
        out.problems.append(f"{here}: {field}: not a mapping; give events with {keys['error']} and {keys['total']}")
        return None
    if sli.get("plugin"):
        out.problems.append(
            f"{here}: {field}.plugin: Sloth SLI plugins are not supported; a plugin's queries are built inside Sloth, "
            "so the events cannot be counted here; write sli.events with the error and total queries"
        )
        return None
    if sli.get("raw"):
        out.problems.append(
            f"{here}: {field}.raw.{keys['ratio']}: raw error-ratio SLIs are not supported; they give a ratio but no "
            "event counts, so the month cannot be pooled; write sli.events with the error and total queries"
        )
        return None
    events = sli.get("events")
    if not isinstance(events, dict):
        out.problems.append(f"{here}: {field}.events: missing; give {keys['error']} and {keys['total']}")
        return None
    queries = {}
    for part in ("error", "total"):
        key = f"{field}.events.{keys[part]}"
        query = events.get(keys[part])
        if not isinstance(query, str) or not query.strip():
            out.problems.append(f"{here}: {key}: missing; give the PromQL with {{{{.window}}}}")
            return None
        if not _WINDOW.search(query):
            out.problems.append(f"{here}: {key}: has no {{{{.window}}}}; write the range as [{{{{.window}}}}]")
            return None
        other = [t for t in _TEMPLATE.findall(query) if not _WINDOW.fullmatch(t)]
        if other:
            out.problems.append(f"{here}: {key}: template {other[0]} is not supported; only {{{{.window}}}} is")
            return None
        if _SUM_FIRST.search(query):
            out.warnings.append(
                f"{here}: {key}: sum() is taken before rate()/increase(), so a counter reset in one series is lost; "
                "write sum(rate(x[{{.window}}])) so each series is handled first"
            )
        queries[part] = query
    simple = {part: _SIMPLE.match(query) for part, query in queries.items()}
    if simple["error"] and simple["total"]:
        return {
            "kind": "ratio",
            "total": simple["total"]["selector"].strip(),
            "bad": simple["error"]["selector"].strip(),
        }
    counts = {}
    for part, query in queries.items():
        counted = _counts(query)
        if counted is None:
            out.problems.append(
                f"{here}: {field}.events.{keys[part]}: every rate() must range over [{{{{.window}}}}] and irate() "
                "cannot be counted; without that the query is no count of the window's events"
            )
            return None
        counts[part] = _WINDOW.sub("{{window}}", counted)
    total, error = counts["total"], counts["error"]
    # An error query with no series (no error seen yet) must count as zero errors, not as no data.
    return {"kind": "raw", "total_query": total, "good_query": f"({total}) - (({error}) or ({total}) * 0)"}


def _counts(query: str) -> str | None:
    """``query`` with each ``rate(...[{{.window}}])`` made ``increase(...)``; None if a call cannot be."""
    out, position = [], 0
    for match in _CALL.finditer(query):
        if match.start() < position:
            continue
        if match[1] == "irate":
            return None
        depth, end = 1, match.end()
        while end < len(query) and depth:
            depth += {"(": 1, ")": -1}.get(query[end], 0)
            end += 1
        inner = query[match.end() : end - 1]
        if not re.search(r"\[\s*\{\{\s*\.window\s*\}\}\s*(?::[^\]]*)?\]\s*$", inner):
            return None
        out.append(query[position : match.start()] + "increase(" + inner + ")")
        position = end
    return "".join(out) + query[position:]
