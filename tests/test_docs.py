"""Documentation generated from the code stays current: the README's command table."""

from __future__ import annotations

import click

from reports.cli import main
from reports.docs import command_table, with_command_table
from tests.conftest import ROOT


def test_the_readme_command_table_is_current():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert readme == with_command_table(readme), "regenerate: python -m reports.docs readme"


def test_every_registered_command_is_listed_with_its_usage_and_help(monkeypatch):
    doctor = click.Command(
        "doctor",
        help="Check the setup end to end.\n\nMore detail.\n\n\b\nExample:\n  slo-report doctor --config x.yaml",
        params=[
            click.Option(["--config"], required=True, metavar="PATH"),
            click.Option(["--fix"], is_flag=True),
            click.Option(["--quiet"], is_flag=True),
        ],
    )
    monkeypatch.setitem(main.commands, "doctor", doctor)
    table = command_table().splitlines()
    assert table[-1] == "| `slo-report doctor --config PATH [--fix]` | Check the setup end to end. More detail. |"
    assert len(table) == 2 + len(main.commands)
