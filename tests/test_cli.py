"""The command line as cron and CI pipelines use it: exit codes, one-line errors, defaults."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from freezegun import freeze_time

from reports.cli import main
from tests.conftest import EXAMPLE_CONFIG, ROOT


def invoke(*args: str):
    return CliRunner().invoke(main, [str(a) for a in args])


@pytest.mark.render
def test_run_writes_the_whole_month(example_files: dict[str, bytes], tmp_path: Path, monkeypatch):
    """The command's wiring: the example loaded strictly, computed, rendered and written whole. The
    session's rendering of the same month stands in for WeasyPrint (tests/test_render.py checks it)."""
    monkeypatch.setattr("reports.pipeline.render_documents", lambda report, progress: example_files)
    result = invoke("run", "--config", EXAMPLE_CONFIG, "--month", "2026-10", "--output", tmp_path, "--strict")
    assert result.exit_code == 0, result.output
    assert result.output.strip() == f"wrote {tmp_path / '2026-10'} (20 files) for 2026-10"
    names = sorted(p.name for p in (tmp_path / "2026-10").iterdir())
    assert names == sorted(
        [
            "index.html",
            "report.json",
            "slos.csv",
            "summary.pdf",
            "model-api.html",
            "model-api.pdf",
            "batch-inference.html",
            "batch-inference.pdf",
            "feature-store.html",
            "feature-store.pdf",
            "credits.csv",
            "customers",
            "postmortems",
        ]
    )
    assert (tmp_path / "2026-10" / "summary.pdf").read_bytes().startswith(b"%PDF")


@pytest.mark.parametrize(
    "service, change, code, first_line",
    [
        (
            "batch-inference",
            "feature",
            1,
            "BLOCKED: batch-inference is in zone red (job-success budget left −29.1%); "
            "feature changes are blocked (allowed: security) (2026-10 report).",
        ),
        (
            "batch-inference",
            "security",
            0,
            "ALLOWED: batch-inference is in zone red (job-success budget left −29.1%); "
            "security changes are allowed (2026-10 report).",
        ),
        (
            "model-api",
            "feature",
            0,
            "ALLOWED: model-api is in zone yellow (availability budget left 29.5%, latency "
            "budget left 41.3%, quality budget left 25.4%); feature changes are allowed (2026-10 report).",
        ),
    ],
)
def test_check_deploy_exit_codes(example_output: Path, service, change, code, first_line):
    result = invoke("check-deploy", "--service", service, "--change", change, "--output", example_output)
    assert result.exit_code == code
    assert result.output.splitlines()[0] == first_line


def test_check_deploy_names_the_approval(example_output: Path):
    result = invoke("check-deploy", "--service", "batch-inference", "--change", "security", "--output", example_output)
    assert result.output.splitlines()[1] == "Approval needed: VP engineering approval."


def test_check_deploy_errors_block(example_output: Path, tmp_path: Path):
    unknown = invoke("check-deploy", "--service", "nope", "--change", "feature", "--output", example_output)
    assert unknown.exit_code == 1
    assert (
        "service 'nope' is not in" in unknown.output
        and "known services: model-api, batch-inference, feature-store" in unknown.output
    )
    empty = invoke("check-deploy", "--service", "api", "--change", "feature", "--output", tmp_path)
    assert empty.exit_code == 1 and "no monthly report in" in empty.output
    missing = invoke(
        "check-deploy", "--service", "api", "--change", "feature", "--output", example_output, "--month", "2026-09"
    )
    assert missing.exit_code == 1 and "no report for 2026-09" in missing.output


def write_catalogue(tmp_path: Path, timezone: str = "UTC", name: str = "api") -> Path:
    (tmp_path / "events.csv").write_text(
        "timestamp,service,slo,good,total\n"
        "2026-10-15T12:00:00Z,api,availability,999,1000\n"
        "2026-10-20T12:00:00Z,api,availability,1000,1000\n"
    )
    config = tmp_path / "slo.yaml"
    config.write_text(
        f"timezone: {timezone}\nsource: {{path: events.csv}}\n"
        f"services: [{{name: '{name}', slos: [{{name: availability, objective: 0.99}}]}}]\n"
    )
    return config


@pytest.mark.render
def test_default_month_is_the_previous_month_in_the_config_time_zone(tmp_path: Path):
    config = write_catalogue(tmp_path, "America/New_York")
    with freeze_time("2026-11-01 08:00:00"):  # 03:00 in New York
        result = invoke("run", "--config", config, "--output", tmp_path / "out")
    assert result.exit_code == 0, result.output
    report = json.loads((tmp_path / "out" / "2026-10" / "report.json").read_text())
    assert report["generated_at"] == "2026-11-01T08:00:00Z"
    assert report["window"]["start"] == "2026-10-01T04:00:00Z"
    assert report["services"][0]["slos"][0]["good_events"] == 1999


def test_bad_config_is_one_error_per_problem_exit_1_and_writes_nothing(tmp_path: Path):
    config = tmp_path / "slo.yaml"
    config.write_text("source: {path: e.csv}\nservices: [{name: a, slos: [{name: s, objective: 99.9}]}]\n")
    result = invoke("run", "--config", config, "--output", tmp_path / "out")
    assert result.exit_code == 1
    assert result.output == (
        f"Error: {config}: 1 problem(s)\n  services[0].slos[0].objective: 99.9 is not a fraction; write 0.999\n"
    )
    assert not (tmp_path / "out").exists()


@pytest.mark.render
def test_a_failing_source_exits_1_without_traceback_and_keeps_the_last_good_month(tmp_path: Path):
    config = write_catalogue(tmp_path)
    assert invoke("run", "--config", config, "--month", "2026-10", "--output", tmp_path / "out").exit_code == 0
    (tmp_path / "events.csv").unlink()
    result = invoke("run", "--config", config, "--month", "2026-10", "--output", tmp_path / "out")
    assert result.exit_code == 1
    assert "does not exist; check the path" in result.output and "Traceback" not in result.output
    assert (tmp_path / "out" / "2026-10" / "report.json").is_file()


def test_strict_turns_unknown_keys_into_errors(tmp_path: Path):
    config = write_catalogue(tmp_path)
    config.write_text(config.read_text() + "colour: blue\n")
    assert "warning: colour: unknown key" in invoke("validate", "--config", config).output
    strict = invoke("validate", "--config", config, "--strict")
    assert strict.exit_code == 1 and "colour: unknown key" in strict.output


def test_help_shows_the_example_and_the_module_entry_point_runs():
    result = subprocess.run(
        [sys.executable, "-m", "reports", "check-deploy", "--help"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    assert "slo-report check-deploy --service model-api --change feature" in result.stdout


@pytest.mark.render
def test_a_misspelt_service_writes_no_data_and_exits_1(tmp_path: Path):
    config = write_catalogue(tmp_path, name="API")
    result = invoke("run", "--config", config, "--month", "2026-10", "--output", tmp_path / "out")
    assert result.exit_code == 1
    assert (
        "error: the file events.csv has no rows for API/availability at all (it has api/availability)" in result.output
    )
    report = json.loads((tmp_path / "out" / "2026-10" / "report.json").read_text())
    assert report["services"][0]["slos"][0]["status"] == "no data"


def test_a_month_that_has_not_ended_is_refused(tmp_path: Path):
    config = write_catalogue(tmp_path)
    with freeze_time("2026-10-31 23:00:00"):
        result = invoke("run", "--config", config, "--month", "2026-10", "--output", tmp_path / "out")
    assert result.exit_code == 1
    assert "2026-10 has not ended yet (it ends 2026-11-01 00:00 UTC)" in result.output
    assert not (tmp_path / "out").exists()


def test_a_service_may_not_take_the_month_folder_s_own_file_names(tmp_path: Path):
    config = write_catalogue(tmp_path, name="Index")
    result = invoke("validate", "--config", config)
    assert result.exit_code == 1
    assert "services: service 'Index' would overwrite the month's own index file; rename the service" in result.output


@pytest.mark.render
def test_an_unreadable_report_is_one_line_for_check_deploy_and_skipped_by_history(tmp_path: Path):
    config = write_catalogue(tmp_path)
    (tmp_path / "out" / "2026-09").mkdir(parents=True)
    (tmp_path / "out" / "2026-09" / "report.json").write_text('{"month": "2026-09", "serv')
    gate = invoke("check-deploy", "--service", "api", "--change", "feature", "--output", tmp_path / "out")
    assert gate.exit_code == 1 and "Traceback" not in gate.output
    assert "report.json is not a readable report.json (JSONDecodeError" in gate.output
    assert "regenerate it with slo-report run --month 2026-09" in gate.output
    run = invoke("run", "--config", config, "--month", "2026-10", "--output", tmp_path / "out")
    assert run.exit_code == 0, run.output
    assert (
        json.loads((tmp_path / "out" / "2026-10" / "report.json").read_text())["services"][0]["slos"][0]["history"]
        == []
    )
