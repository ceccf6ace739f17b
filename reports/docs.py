"""``docs/configuration.md`` is generated from the schema's field docstrings, so the two cannot drift.

Regenerate with ``python -m reports.docs > docs/configuration.md`` (a test checks it is current).
"""

from __future__ import annotations

import re
from datetime import timedelta

from pydantic import BaseModel
from pydantic_core import PydanticUndefined

from .config import (
    BasicAuthConfig,
    Config,
    CustomersConfig,
    DowntimeConfig,
    EmailConfig,
    IncidentConfig,
    MaintenanceConfig,
    PolicyConfig,
    ServiceConfig,
    SliConfig,
    SloConfig,
    SmtpConfig,
    SourceConfig,
    TierConfig,
    ZoneConfig,
    format_duration,
)
from .config.incidents import IncidentNoteConfig

SECTIONS: tuple[tuple[str, type[BaseModel]], ...] = (
    ("(top level)", Config),
    ("source", SourceConfig),
    ("source.basic_auth", BasicAuthConfig),
    ("policy", PolicyConfig),
    ("policy.zones[]", ZoneConfig),
    ("services[]", ServiceConfig),
    ("services[].slos[]", SloConfig),
    ("services[].slos[].sli", SliConfig),
    ("services[].slos[].downtime", DowntimeConfig),
    ("services[].slos[].incidents", IncidentConfig),
    ("services[].maintenance[]", MaintenanceConfig),
    ("incidents[]", IncidentNoteConfig),
    ("customers", CustomersConfig),
    ("customers.tiers.NAME", TierConfig),
    ("email", EmailConfig),
    ("email.smtp", SmtpConfig),
)


def _type_name(annotation) -> str:
    text = str(annotation).replace("typing.", "").replace("pathlib.", "").replace("datetime.timedelta", "duration")
    text = re.sub(r"reports\.config\.(\w+\.)?", "", text).replace("<class '", "").replace("'>", "")
    if "Annotated[duration" in text:
        return "duration (e.g. 5m, 1h, 3d)"
    return text.replace("NoneType", "none").replace(" | ", " or ")


def _default(field) -> str:
    if field.default is PydanticUndefined:
        return "required"
    value = field.default
    if isinstance(value, timedelta):
        return f"`{format_duration(value)}`"
    if isinstance(value, BaseModel) or (isinstance(value, list) and value and isinstance(value[0], BaseModel)):
        return "see below"
    return f"`{value!r}`" if value not in (None, "", []) else "none"


def config_reference() -> str:
    lines = [
        "# Configuration reference",
        "",
        "Generated from `reports/config.py` by `python -m reports.docs`; do not edit by hand.",
        "Start from `examples/ml-platform/slo-report.yaml`. Unknown keys are reported as warnings",
        "(`--strict` makes them errors). Fractions are written as fractions: 0.999, not 99.9.",
        "",
    ]
    for path, model in SECTIONS:
        lines += [f"## `{path}`", ""]
        if model.__doc__ and not model.__doc__.startswith(("Usage docs", "!!!")):
            lines += [" ".join(model.__doc__.split()).replace("``", "`"), ""]
        lines += ["| key | type | default | meaning |", "| --- | --- | --- | --- |"]
        for name, field in model.model_fields.items():
            description = " ".join((field.description or "").split()).replace("|", "\\|").replace("``", "`")
            lines.append(
                f"| `{field.alias or name}` | {_type_name(field.annotation)} | {_default(field)} | {description} |"
            )
        lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    print(config_reference(), end="")
