"""What a person or a CI pipeline sees on the console: one logging path for progress, warnings
and errors that ``--quiet`` and ``--debug`` govern, and light commands that start light."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from reports.cli import main
from tests.conftest import EXAMPLE_CONFIG, ROOT


def invoke(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def small_catalogue(tmp_path: Path, extra: str = "") -> Path:
    (tmp_path / "events.csv").write_text(
        "timestamp,service,slo,good,total\n2026-10-15T12:00:00Z,api,availability,999,1000\n"
    )
    config = tmp_path / "slo.yaml"
    config.write_text(
        f"timezone: UTC\nsource: {{path: events.csv}}\n{extra}"
        "services: [{name: api, slos: [{name: availability, objective: 0.99}]}]\n"
    )
    return config


@pytest.fixture(autouse=True)
def no_rendering(monkeypatch):
    """These tests are about what reaches the console: the documents are stood in for (rendering has its own tests)."""
    monkeypatch.setattr("reports.pipeline.render_documents", lambda report, progress: {"index.html": b"<p>stand-in"})


@pytest.fixture
def unreadable_september(tmp_path: Path) -> Path:
    """An output folder whose September report is truncated: the history warns and skips it."""
    out = tmp_path / "out"
    (out / "2026-09").mkdir(parents=True)
    (out / "2026-09" / "report.json").write_text('{"month": "2026-09", "serv')
    return out


def test_a_library_warning_reaches_the_console_like_every_other_warning(tmp_path: Path, unreadable_september: Path):
    result = invoke(
        "run", "--config", small_catalogue(tmp_path), "--month", "2026-10", "--output", unreadable_september
    )
    assert result.exit_code == 0, result.output
    assert "warning: history: skipping " in result.output
    assert "report.json is not a readable report.json" in result.output


def test_quiet_silences_warnings_and_progress_but_not_the_result(tmp_path: Path, unreadable_september: Path):
    config = small_catalogue(tmp_path, extra="colour: blue\n")  # an unknown key: a config warning
    quiet = invoke("run", "--config", config, "--month", "2026-10", "--output", unreadable_september, "--quiet")
    assert quiet.exit_code == 0, quiet.output
    assert "history" not in quiet.output and "colour" not in quiet.output
    assert quiet.output.splitlines() == [f"wrote {unreadable_september / '2026-10'} (1 files) for 2026-10"]


def test_debug_shows_progress_and_debug_messages_even_off_a_terminal(tmp_path: Path, unreadable_september: Path):
    config = small_catalogue(tmp_path)
    plain = invoke("run", "--config", config, "--month", "2026-10", "--output", unreadable_september)
    assert "computing api" not in plain.output  # cron: no progress
    debug = invoke("run", "--config", config, "--month", "2026-10", "--output", unreadable_september, "--debug")
    assert debug.exit_code == 0, debug.output
    assert "  computing api (1/1)" in debug.output
    assert "warning: history: skipping " in debug.output


def test_config_warnings_go_through_the_same_path(tmp_path: Path):
    config = small_catalogue(tmp_path, extra="colour: blue\n")
    assert "warning: colour: unknown key" in invoke("validate", "--config", config).output
    quiet = invoke("validate", "--config", config, "--quiet")
    assert quiet.exit_code == 0 and "warning:" not in quiet.output and "colour" not in quiet.output


LIGHT = """
import sys
from reports.cli import main
try:
    main(sys.argv[1:], standalone_mode=False)
except SystemExit:
    pass
HEAVY = ("pandas", "numpy", "pyarrow", "weasyprint", "jinja2", "requests")
print("heavy:", sorted(m for m in HEAVY if m in sys.modules))
"""


def _report(out: Path) -> None:
    """A hand-written report.json with what the deploy gate reads."""
    slo = {
        "slo": "availability",
        "objective": 0.99,
        "good_events": 99,
        "total_events": 100,
        "sli": 0.99,
        "status": "met",
        "budget": {"consumed": 1.0, "remaining": 0.0},
        "zone": "orange",
        "incidents": [],
        "customers": None,
    }
    zone = {"name": "orange", "allowed_changes": ["bugfix", "security"], "approval": "director approval"}
    document = {
        "month": "2026-10",
        "title": "T",
        "window": {"timezone": "UTC"},
        "generated_at": "2026-11-01T06:00:00Z",
        "services": [{"name": "api", "email": [], "zone": zone, "slos": [slo]}],
    }
    (out / "2026-10").mkdir(parents=True)
    (out / "2026-10" / "report.json").write_text(json.dumps(document))


@pytest.mark.parametrize(
    "args, first_line",
    [
        (
            ["check-deploy", "--service", "api", "--change", "feature", "--output", "{out}"],
            "BLOCKED: api is in zone orange (availability budget left 0.0%); feature changes are blocked "
            "(allowed: bugfix, security) (2026-10 report).",
        ),
        (["validate", "--config", str(EXAMPLE_CONFIG)], f"{EXAMPLE_CONFIG}: 3 services, 7 SLOs, valid"),
    ],
)
@pytest.mark.slow
def test_light_commands_import_neither_pandas_nor_weasyprint(tmp_path: Path, args: list[str], first_line: str):
    """check-deploy runs in CI pipelines and validate in editors' save hooks: they must start fast."""
    _report(tmp_path / "out")
    args = [a.replace("{out}", str(tmp_path / "out")) for a in args]
    done = subprocess.run(
        [sys.executable, "-c", LIGHT, *args], capture_output=True, text=True, cwd=ROOT, timeout=120, check=False
    )
    lines = done.stdout.splitlines()
    assert lines[0] == first_line, done.stderr
    assert lines[-1] == "heavy: []"
