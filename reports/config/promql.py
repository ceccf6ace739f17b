"""PromQL checked offline, at validate time, with promql-parser (a port of Prometheus's own
parser, compatible with Prometheus 2.45): a typo in a selector is reported with its key path
instead of as a failed query at run time."""

from __future__ import annotations

import re

import promql_parser

SELECTOR_EXAMPLE = 'http_requests_total{job="api"}'
QUERY_EXAMPLE = 'sum(increase(http_requests_total{job="api"}[{{window}}]))'
_PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_]+)\s*\}\}")
_SAMPLE_VALUES = {"window": "5m", "service": "service", "slo": "slo"}
"""What a user's query may hold in ``{{ }}``, filled with values that parse like the real ones."""


def parse_error(query: str) -> str | None:
    """Prometheus's complaint about ``query``, or None when it parses."""
    try:
        promql_parser.parse(query)
    except ValueError as exc:
        return str(exc).strip() or "invalid PromQL"
    return None


def check_selector(value: str) -> str:
    """A metric selector, ``name{label="value", ...}``, as the templates expect it."""
    problem = parse_error(value)
    if problem is not None:
        problem = f"{problem} in {value!r}"
    else:
        parsed = promql_parser.parse(value)
        if not isinstance(parsed, promql_parser.VectorSelector):
            problem = f"{value!r} is an expression, not a metric selector (the report adds increase() itself)"
        elif parsed.offset is not None or parsed.at is not None:
            problem = f"{value!r} has an offset or @; the report sets the time itself, so remove it"
        elif not parsed.name:
            problem = f"{value!r} has no metric name"
    if problem is not None:
        raise ValueError(f"{problem}; write a selector such as {SELECTOR_EXAMPLE}")
    return value


def check_query(value: str) -> str:
    """A raw SLI's own PromQL; its ``{{window}}``, ``{{service}}`` and ``{{slo}}`` are filled first."""
    unknown = sorted({m[1] for m in _PLACEHOLDER.finditer(value)} - set(_SAMPLE_VALUES))
    if unknown:
        known = ", ".join("{{" + name + "}}" for name in _SAMPLE_VALUES)
        raise ValueError(f"unknown placeholder {{{{{unknown[0]}}}}} in {value!r}; use {known}")
    problem = parse_error(_PLACEHOLDER.sub(lambda m: _SAMPLE_VALUES[m[1]], value))
    if problem is not None:
        raise ValueError(f"{problem} in {value!r}; write PromQL such as {QUERY_EXAMPLE}")
    return value
