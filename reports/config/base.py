"""Shared pieces of the schema: the model base, durations, fractions, and error reporting helpers."""

from __future__ import annotations

import re
import unicodedata
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, ValidationInfo

from ..errors import ReportError

_DURATION_RE = re.compile(r"^(\d+)(s|m|h|d)$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


class ConfigError(ReportError):
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


def fraction(value: Any, example: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"{value!r} is not a number; write a fraction such as {example}")
    if 1 < value <= 100:
        raise ValueError(f"{value} is not a fraction; write {value / 100:g}")
    if not 0 < value < 1:
        raise ValueError(f"{value} is out of range; write a fraction between 0 and 1 (exclusive), such as {example}")
    return float(value)


MAX_NAME = 120
"""Characters in a name: enough for any real service, SLO, tier or customer, short enough for a
heading and (shortened further, see ``naming.file_stem``) a file name."""
_JOINERS = ("\u200c", "\u200d")
"""Zero-width (non-)joiners: format characters that some scripts and emoji need."""


def hidden_character(text: str, lines: bool = False) -> str | None:
    """The first character that is invisible or reorders text: controls (NUL, ESC, ...), line and
    paragraph separators, bidirectional overrides and isolates (U+202A-202E, U+2066-2069) and other
    format characters. ``lines`` allows tabs and newlines (free text)."""
    for char in text:
        if lines and char in "\t\n":
            continue
        kind = unicodedata.category(char)
        if kind in ("Cc", "Cs", "Zl", "Zp") or (kind == "Cf" and char not in _JOINERS):
            return char
    return None


def describe_character(char: str) -> str:
    return f"U+{ord(char):04X} ({unicodedata.name(char, 'a control character')})"


def shown_plainly(name: str) -> str:
    """A name from the data (a customer label) with every hidden character written out as
    ``[U+202E]``: the config rejects such names, but data cannot be sent back, and a customer's
    name must read on a statement exactly as the bytes say, never reordered or disguised.

    >>> shown_plainly("acme\u202egnp.exe")
    'acme[U+202E]gnp.exe'
    """
    if hidden_character(name) is None:
        return name
    return "".join(f"[U+{ord(c):04X}]" if hidden_character(c) is not None else c for c in name)


def check_name(value: str, what: str = "name", longest: int | None = MAX_NAME) -> str:
    """One line of visible text, at most ``longest`` characters: names reach headings, file
    names, email subjects, CSV and JSON. Customer names have no limit: they come from billing
    systems as they are, and their statements' file names are shortened (``naming.file_stem``)."""
    char = hidden_character(value)
    if char is not None:
        raise ValueError(
            f"{what} {value!r} holds {describe_character(char)}, which can make it display as something else; remove it"
        )
    if longest is not None and len(value) > longest:
        raise ValueError(
            f"{what} {value[:40]!r}... is {len(value)} characters long; shorten it to {longest} or fewer "
            "(names become headings and file names)"
        )
    return value


def check_text(value: str) -> str:
    """Free text (descriptions, reasons): several lines allowed, nothing invisible."""
    char = hidden_character(value, lines=True)
    if char is not None:
        raise ValueError(
            f"{value[:60]!r} holds {describe_character(char)}, which can make it display as something else; remove it"
        )
    return value


Name = Annotated[str, Field(min_length=1), AfterValidator(check_name)]
"""A name (service, SLO, zone, title): visible characters on one line, at most ``MAX_NAME``."""
Text = Annotated[str, AfterValidator(check_text)]
"""Free text that reaches a document: no control or bidirectional-override characters."""


class Model(BaseModel):
    # Unknown keys are kept so that they can be reported as warnings (``--strict`` makes them fatal).
    model_config = ConfigDict(extra="allow", frozen=True, use_attribute_docstrings=True)


def require_unique(names: list[str], what: str) -> None:
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise ValueError(f"{what} {name!r} appears twice; give each {what} a unique name")
        seen.add(name)


def warn(info: ValidationInfo, message: str) -> None:
    """Record a warning during validation (reported with the unknown keys; fatal under --strict)."""
    warnings = (info.context or {}).get("warnings")
    if warnings is not None:
        warnings.append(message)


def resolve_path(value: Path | None, info: ValidationInfo) -> Path | None:
    """A relative path in the YAML is relative to the config file (``base_dir`` in the context)."""
    base = (info.context or {}).get("base_dir")
    if value is None or value.is_absolute() or base is None:
        return value
    return (Path(base) / value).resolve()


ENV_NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
"""Environment variable (and Prometheus label) names."""


def env_var_name(value: str | None, how_to_fix: str) -> str | None:
    """Check a field that names an environment variable holding a secret.

    The value is never echoed: people paste the secret itself here by mistake, and it must not
    reach the terminal or the logs."""
    if value is not None and not ENV_NAME_RE.match(value):
        raise ValueError(f"is not an environment variable name (letters, digits and _); {how_to_fix}")
    return value
