"""Documentation generated from the code, so the two cannot drift (tests check both are current).

- ``docs/configuration.md`` from the schema's field docstrings:
  ``python -m reports.docs > docs/configuration.md``.
- The README's command table from each command's ``--help``: ``python -m reports.docs readme``
  rewrites the table between its markers (every registered command is listed).
"""

from __future__ import annotations

import re
import sys
from datetime import timedelta
from pathlib import Path

import click
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
    RulesConfig,
    ServiceConfig,
    SliConfig,
    SloConfig,
    SmtpConfig,
    SourceConfig,
    StoreConfig,
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
    ("rules", RulesConfig),
    ("store", StoreConfig),
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
        "Generated from `reports/config/` by `python -m reports.docs`; do not edit by hand.",
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


COMMANDS_BEGIN = "<!-- commands: generated from each command's --help by `python -m reports.docs readme` -->"
COMMANDS_END = "<!-- end of commands -->"
COMMON_OPTIONS = ("--help", "--quiet", "--debug")
"""Options every command takes; the README says so once instead of in every row."""


def _usage(command: click.Command, prefix: str = "slo-report") -> str:
    parts = []
    for param in command.params:
        if isinstance(param, click.Argument):
            parts.append(param.human_readable_name)
            continue
        if not isinstance(param, click.Option) or param.hidden:
            continue
        name = max(param.opts, key=len)
        if name in COMMON_OPTIONS:
            continue
        if param.is_flag:
            text = name
        else:
            metavar = param.metavar or (
                "|".join(param.type.choices) if isinstance(param.type, click.Choice) else param.type.name.upper()
            )
            text = f"{name} {metavar}"
        parts.append(text if param.required else f"[{text}]")
    return " ".join([f"{prefix} {command.name}", *parts])


def _summary(command: click.Command) -> str:
    """The help text up to its examples, as one paragraph."""
    kept = []
    for paragraph in (command.help or "").split("\n\n"):
        if paragraph.strip().startswith("\b"):
            break
        kept.append(" ".join(paragraph.split()))
    return " ".join(kept)


def command_table() -> str:
    """The README's table of commands: usage and what it does, from every registered command's help."""
    from .cli import main

    lines = ["| command | what it does |", "| --- | --- |"]
    with click.Context(main) as context:
        for name in main.commands:  # in the order they are registered
            command = main.get_command(context, name)
            if command is None or command.hidden:
                continue
            # a group (``store``) is listed by its subcommands (``store info``)
            entries = (
                [(sub, f"slo-report {name}") for sub in command.commands.values() if not sub.hidden]
                if isinstance(command, click.Group)
                else [(command, "slo-report")]
            )
            for entry, prefix in entries:
                usage, summary = (text.replace("|", "\\|") for text in (_usage(entry, prefix), _summary(entry)))
                lines.append(f"| `{usage}` | {summary} |")
    return "\n".join(lines) + "\n"


def with_command_table(readme: str) -> str:
    """The README with the table between its markers replaced by the current one."""
    begin, end = readme.index(COMMANDS_BEGIN) + len(COMMANDS_BEGIN), readme.index(COMMANDS_END)
    return readme[:begin] + "\n" + command_table() + readme[end:]


if __name__ == "__main__":
    if sys.argv[1:] == ["readme"]:
        readme = Path(__file__).resolve().parent.parent / "README.md"
        readme.write_text(with_command_table(readme.read_text(encoding="utf-8")), encoding="utf-8")
    elif sys.argv[1:] == ["commands"]:
        print(command_table(), end="")
    else:
        print(config_reference(), end="")
