"""Prometheus rules from the catalogue: recording rules of each SLO's error ratio over every
window the SRE Workbook's pairs use, and one alerting rule per pair.

The alerts use the same pairs, thresholds and arithmetic as the report's alert table
(``compute/burn.py``): error ratio over a window = bad events / total events in it, counted
with ``increase()`` per series before ``sum``; burn rate = error ratio / (1 − objective); a pair
fires while both its windows' burn rates exceed its threshold. There is no ``for:`` delay,
as the report has none, so the month's "when each pair fired" table and the pages received
come from one definition.
"""

from __future__ import annotations

import dataclasses
import re
from datetime import timedelta
from typing import Any

import yaml

from .compute.burn import ALERT_PAIRS
from .compute.exact import exact
from .config import Config, ServiceConfig, SloConfig, format_duration, parse_duration
from .sources import promql

RECORD = "slo_report:error_ratio:{window}"
"""Name of the recorded error ratio over ``window`` (e.g. ``slo_report:error_ratio:1h``)."""


def window_name(minutes: int) -> str:
    return promql.duration(timedelta(minutes=minutes))


WINDOWS = sorted({m for pair in ALERT_PAIRS for m in pair[1:3]})


def error_ratio(service: str, slo: SloConfig, window: str) -> str:
    """PromQL of the share of bad events in the ``window`` before the evaluation time."""
    sli = slo.sli
    if sli.kind == "latency":
        good = promql.fill(
            promql.templates("latency")["good"],
            {"by": "", "bucket": promql.series(sli.histogram or "", "_bucket", f'le=~"{_le_pattern(sli.threshold)}"')},
            keep=(promql.WINDOW,),
        )
        queries = dataclasses.replace(promql.plan(service, slo, ""), good=good, boundaries=None)
    else:
        queries = promql.plan(service, slo, "")
    total = promql.at(queries.total, parse_duration(window))
    kind, other = queries.other
    counted = promql.at(other, parse_duration(window))
    if kind == "bad":
        return f"({counted})\n/\n({total})"
    return f"(({total}) - ({counted}))\n/\n({total})"


def _le_pattern(threshold: float | None) -> str:
    """The bucket bound however the client wrote it: ``0.25``, or ``1`` and ``1.0``."""
    text = f"{threshold:g}"
    return promql.escape(re.escape(text) + (r"(\.0)?" if "." not in text and "e" not in text else ""))


def has_queries(slo: SloConfig) -> bool:
    sli = slo.sli
    if sli.kind == "ratio":
        return bool(sli.total) and (sli.bad is None) != (sli.good is None)
    if sli.kind == "latency":
        return bool(sli.histogram) and sli.threshold is not None
    return bool(sli.total_query) and bool(sli.good_query or sli.good)


def _labels(config: Config, service: ServiceConfig, slo: SloConfig) -> dict[str, str]:
    rules = config.rules
    return {**rules.labels, **slo.labels, rules.service_label: service.name, rules.slo_label: slo.name}


def _selector(labels: dict[str, str]) -> str:
    return "{" + ", ".join(f'{k}="{promql.escape(v)}"' for k, v in labels.items()) + "}"


def prometheus_rules(config: Config) -> tuple[dict[str, Any], list[str]]:
    """The rule file's content (``groups``) and one line per SLO left out (no PromQL to build from)."""
    groups, skipped = [], []
    rules = config.rules
    for service in config.services:
        for slo in service.slos:
            if not has_queries(slo):
                skipped.append(
                    f"{service.name}/{slo.name}: no rules, its sli has no PromQL (kind {slo.sli.kind}); "
                    "add the sli's queries to generate them"
                )
                continue
            labels = _labels(config, service, slo)
            selector = _selector({rules.service_label: service.name, rules.slo_label: slo.name})
            budget = repr(float(1 - exact(slo.objective)))
            recording = [
                {
                    "record": RECORD.format(window=window_name(minutes)),
                    "expr": error_ratio(service.name, slo, window_name(minutes)),
                    "labels": labels,
                }
                for minutes in WINDOWS
            ]
            runbook = slo.runbook or rules.runbook
            alerting = []
            for severity, long_minutes, short_minutes, threshold in ALERT_PAIRS:
                long_name, short_name = window_name(long_minutes), window_name(short_minutes)
                alert_labels = {
                    **labels,
                    rules.severity_label: rules.severities[severity],
                    "windows": f"{long_name}/{short_name}",
                }
                annotations = {
                    "summary": f"{service.name}/{slo.name} is burning its error budget over {threshold:g}× the "
                    f"sustainable rate ({long_name} and {short_name} windows)",
                    "description": f'Burn rate over {long_name}: {{{{ $value | printf "%.2f" }}}}× '
                    f"(objective {slo.objective * 100:g}%). The monthly SLO report's alert table counts "
                    "firings with this same expression.",
                }
                if runbook:
                    annotations["runbook_url"] = runbook.replace("{service}", service.name).replace("{slo}", slo.name)
                alerting.append(
                    {
                        "alert": rules.alert_name,
                        "expr": pair_expr(selector, long_name, short_name, budget, threshold),
                        "labels": alert_labels,
                        "annotations": annotations,
                    }
                )
            groups.append(
                {
                    "name": f"slo-report:{service.name}:{slo.name}",
                    "interval": format_duration(rules.group_interval),
                    "rules": recording + alerting,
                }
            )
    return {"groups": groups}, skipped


def pair_expr(selector: str, long_name: str, short_name: str, budget: str, threshold: float) -> str:
    """Both windows' burn rates above the threshold; the value is the long window's burn rate."""
    return (
        f"{RECORD.format(window=long_name)}{selector} / {budget} > {threshold!r}\n"
        f"and\n"
        f"{RECORD.format(window=short_name)}{selector} / {budget} > {threshold!r}"
    )


class _Literal(str):
    pass


class _Dumper(yaml.SafeDumper):
    """Writes multi-line expressions as literal blocks, as people write rule files, and no anchors."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


_Dumper.add_representer(
    _Literal, lambda dumper, value: dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")
)


def rules_yaml(content: dict[str, Any], source: str) -> str:
    """The rule file as YAML, multi-line expressions as literal blocks."""
    for group in content["groups"]:
        for rule in group["rules"]:
            if "\n" in rule["expr"]:
                rule["expr"] = _Literal(rule["expr"])
    header = (
        f"# Prometheus rules written by `slo-report rules` from {source}.\n"
        "# Recording rules: each SLO's error ratio over the SRE Workbook's windows. Alerting rules: its\n"
        "# multiwindow, multi-burn-rate pairs, with the thresholds the monthly report's alert table uses.\n"
    )
    return header + yaml.dump(content, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=1000)
