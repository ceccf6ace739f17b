"""Reading a catalogue: every problem collected, each reported as ``path: what is wrong; how to fix it``."""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from .base import ConfigError
from .catalogue import Config

MAX_CONFIG_BYTES = 5 * 1024 * 1024
"""A catalogue of thousands of SLOs is well under 1 MB; anything past this is a wrong file."""
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""libyaml's loader where PyYAML was built with it: about ten times faster, same marks in errors."""


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


def _problem(error: dict[str, Any]) -> str:
    """``path: what is wrong; how to fix it``. Checks across the whole file name their own paths."""
    if not error["loc"] and error["type"] == "value_error":
        return _describe(error)
    return f"{_path(error['loc'])}: {_describe(error)}"


def _unknown_keys(model: BaseModel, loc: tuple[Any, ...]) -> list[str]:
    warnings = []
    for key in model.model_extra or {}:
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
        raise ConfigError(
            ["(top level): the file is not a mapping of keys; start from examples/ml-platform/slo-report.yaml"], source
        )
    try:
        context: dict[str, Any] = {"base_dir": base_dir, "warnings": []}
        config = Config.model_validate(data, context=context)
    except ValidationError as exc:
        raise ConfigError([line for e in exc.errors() for line in _problem(dict(e)).splitlines()], source) from None
    return config, _unknown_keys(config, ()) + context["warnings"]


def load_config(path: Path | str, strict: bool = False) -> tuple[Config, list[str]]:
    """Read and validate a catalogue file. Under ``strict`` warnings are problems too."""
    path = Path(path)
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_CONFIG_BYTES + 1)  # never more: the file may be huge or endless
    except OSError as exc:
        raise ConfigError([f"cannot read the file: {exc.strerror}; check the --config path"], str(path)) from None
    if len(raw) > MAX_CONFIG_BYTES:
        limit = f"{MAX_CONFIG_BYTES // 1024 // 1024} MB"
        raise ConfigError([f"the file is over {limit}, the limit for a catalogue; check the --config path"], str(path))
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError([f"byte {exc.start}: not UTF-8 text; save the file as UTF-8"], str(path)) from None
    try:
        data = yaml.load(text, Loader=_YAML_LOADER)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "(YAML)"
        raise ConfigError(
            [f"{where}: not valid YAML ({getattr(exc, 'problem', exc)}); fix the syntax there"], str(path)
        ) from None
    config, warnings = parse_config(data, path.parent.resolve(), str(path))
    if strict and warnings:
        raise ConfigError(warnings, str(path))
    return config, warnings
