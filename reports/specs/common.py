"""What reading a spec produces, and how its problems are worded."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from ..errors import ReportError


class SpecError(ReportError):
    """Spec files that cannot be imported; ``problems`` holds one line per refused item."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__(f"{len(problems)} spec problem(s)\n" + "\n".join(f"  {p}" for p in problems))


@dataclass(frozen=True)
class ImportedSlo:
    service: str
    slo: dict[str, Any]
    """The catalogue's SLO mapping (``name``, ``objective``, ``sli``, ...)."""
    origin: str
    """Where it came from: file, document and objective, for comments and error messages."""


@dataclass
class Imported:
    """Everything read from a set of spec files."""

    slos: list[ImportedSlo] = field(default_factory=list)
    service_descriptions: dict[str, str] = field(default_factory=dict)
    windows: list[tuple[str, str | None, str]] = field(default_factory=list)
    """(``calendar-month`` or ``30d``, time zone or None, origin) per SLO that states a window."""
    prometheus_urls: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    formats: set[str] = field(default_factory=set)

    def extend(self, other: Imported) -> None:
        self.slos += other.slos
        for name, text in other.service_descriptions.items():
            self.service_descriptions.setdefault(name, text)
        self.windows += other.windows
        self.prometheus_urls += [u for u in other.prometheus_urls if u not in self.prometheus_urls]
        self.warnings += other.warnings
        self.problems += other.problems
        self.formats |= other.formats


def slug(text: str) -> str:
    """A name for an SLO made from a display name: lower case, dashes."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def where(path: str, document: int, kind: str, name: str) -> str:
    return f"{path}: document {document} ({kind} {name})"


_SUM = re.compile(
    r"^\s*sum\s*(?:(?:by|without)\s*\([^()]*\)\s*)?\((?P<inner>.*)\)\s*(?:(?:by|without)\s*\([^()]*\)\s*)?$", re.S
)
_SELECTOR = re.compile(r"^\s*[A-Za-z_:][A-Za-z0-9_:]*\s*(?:\{[^{}]*\})?\s*$", re.S)


def counter_selector(query: str) -> tuple[str | None, bool]:
    """``(selector, summed)``: the counter selector a query names, and whether it was wrapped in
    ``sum()`` (which, taken before counter handling, loses resets); None when it is no selector."""
    if _SELECTOR.match(query):
        return query.strip(), False
    match = _SUM.match(query)
    if match and _SELECTOR.match(match["inner"]):
        return match["inner"].strip(), True
    return None, False
