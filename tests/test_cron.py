"""The cron wrapper, run for real with bash and flock: one run at a time, secrets from a file,
timestamped log lines, slo-report's exit status; and the schedules it ships with."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.smtp_server import Recorder, smtp_server
from tests.test_deliver import BOSS, PASSWORD, PASSWORD_ENV, write_config

WRAPPER = ROOT / "cron" / "slo-report-monthly"
TIMESTAMPED = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d{4} \[\d+\] ")

pytestmark = [
    pytest.mark.filterwarnings("ignore:Requiring AUTH:UserWarning", "ignore:Session.login_data:DeprecationWarning"),
]


def stub(bin_dir: Path, body: str) -> None:
    """A fake ``slo-report`` on PATH: records its arguments, then runs ``body``."""
    bin_dir.mkdir(exist_ok=True)
    script = bin_dir / "slo-report"
    script.write_text(f'#!/usr/bin/env bash\necho "$*" >> "$STUB_DIR/calls"\n{body}\n')
    script.chmod(0o755)


def env(tmp_path: Path, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "PATH": f"{tmp_path / 'bin'}:{os.environ['PATH']}",
        "STUB_DIR": str(tmp_path),
        "SLO_REPORT_LOCK": str(tmp_path / "job.lock"),
        "SLO_REPORT_LOG": str(tmp_path / "log" / "monthly.log"),
        **extra,
    }


def wrapper(*args) -> list[str]:
    return [str(WRAPPER), *map(str, args)]


def log_lines(tmp_path: Path) -> list[str]:
    return (tmp_path / "log" / "monthly.log").read_text().splitlines()


def wait_for(path: Path, seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    while not path.exists():
        assert time.monotonic() < deadline, f"{path} never appeared"
        time.sleep(0.02)


def test_two_runs_at_once_run_the_job_once(tmp_path: Path):
    # The stub holds the lock until the test releases it: no sleeps to race against.
    stub(tmp_path / "bin", 'touch "$STUB_DIR/started"; while [ ! -e "$STUB_DIR/release" ]; do sleep 0.02; done')
    first = subprocess.Popen(wrapper("slo.yaml"), env=env(tmp_path), stderr=subprocess.PIPE, text=True)
    try:
        wait_for(tmp_path / "started")
        started = time.monotonic()
        second = subprocess.run(wrapper("slo.yaml"), env=env(tmp_path), capture_output=True, text=True, timeout=10)
        assert time.monotonic() - started < 5  # exits at once, does not wait
        assert second.returncode == 75
        assert second.stderr == (
            f"slo-report-monthly: another run holds {tmp_path / 'job.lock'}; not starting a "
            f"second one (log: {tmp_path / 'log' / 'monthly.log'})\n"
        )
    finally:
        (tmp_path / "release").touch()
        first.wait(timeout=10)
    assert first.returncode == 0, first.stderr.read()
    assert (tmp_path / "calls").read_text() == "run --config slo.yaml --send\n"
    third = subprocess.run(wrapper("slo.yaml"), env=env(tmp_path), capture_output=True, text=True, timeout=10)
    assert third.returncode == 0 and (tmp_path / "calls").read_text().count("\n") == 2  # the lock was released


def test_the_exit_status_propagates_and_every_log_line_is_timestamped(tmp_path: Path):
    stub(
        tmp_path / "bin",
        'echo "wrote out/2026-10 (6 files) for 2026-10"; echo "Error: 1 recipient(s) not reached: '
        'boss@example.com" >&2; exit 1',
    )
    result = subprocess.run(
        wrapper("slo.yaml", "--month", "2026-10"), env=env(tmp_path), capture_output=True, text=True, timeout=10
    )
    assert result.returncode == 1
    assert (tmp_path / "calls").read_text() == "run --config slo.yaml --send --month 2026-10\n"
    lines = log_lines(tmp_path)
    assert all(TIMESTAMPED.match(line) for line in lines), lines
    assert [TIMESTAMPED.sub("", line) for line in lines] == [
        "starting: slo-report run --config slo.yaml --send --month 2026-10",
        "wrote out/2026-10 (6 files) for 2026-10",
        "Error: 1 recipient(s) not reached: boss@example.com",
        "failed: exit 1",
    ]
    assert result.stdout == ""
    assert result.stderr.startswith("slo-report-monthly: slo-report exited with status 1; its last lines")
    assert "Error: 1 recipient(s) not reached: boss@example.com" in result.stderr


def test_a_successful_run_is_silent_and_appends_to_the_log(tmp_path: Path):
    stub(tmp_path / "bin", "echo sent")
    for _ in range(2):
        result = subprocess.run(wrapper("slo.yaml"), env=env(tmp_path), capture_output=True, text=True, timeout=10)
        assert (result.returncode, result.stdout, result.stderr) == (0, "", "")
    assert [TIMESTAMPED.sub("", line) for line in log_lines(tmp_path)] == [
        "starting: slo-report run --config slo.yaml --send",
        "sent",
        "finished: exit 0",
    ] * 2


def test_the_environment_file_reaches_the_job_and_its_values_stay_out_of_the_log(tmp_path: Path):
    stub(tmp_path / "bin", f'[ "${PASSWORD_ENV}" = "{PASSWORD}" ] && echo "password is set"')
    env_file = tmp_path / "env"
    env_file.write_text(f"# secrets\n{PASSWORD_ENV}='{PASSWORD}'\n")
    env_file.chmod(0o600)
    result = subprocess.run(
        wrapper("--env-file", env_file, "slo.yaml"), env=env(tmp_path), capture_output=True, text=True, timeout=10
    )
    assert result.returncode == 0, result.stderr
    log = (tmp_path / "log" / "monthly.log").read_text()
    assert "password is set" in log and PASSWORD not in log and "warning" not in log
    env_file.chmod(0o644)
    subprocess.run(wrapper("--env-file", env_file, "slo.yaml"), env=env(tmp_path), check=True, timeout=10)
    log = (tmp_path / "log" / "monthly.log").read_text()
    assert f"warning: {env_file} is readable by every user; chmod 600 it" in log


def test_usage_errors_exit_64_without_running_the_job(tmp_path: Path):
    stub(tmp_path / "bin", "true")
    missing = subprocess.run(
        wrapper("--env-file", tmp_path / "nope", "slo.yaml"),
        env=env(tmp_path),
        capture_output=True,
        text=True,
        timeout=10,
    )
    assert missing.returncode == 64 and f"cannot read the environment file {tmp_path / 'nope'}" in missing.stderr
    no_config = subprocess.run(wrapper(), env=env(tmp_path), capture_output=True, text=True, timeout=10)
    assert no_config.returncode == 64 and no_config.stderr.startswith("usage: slo-report-monthly")
    assert not (tmp_path / "calls").exists()


@pytest.mark.slow
@pytest.mark.render
def test_the_wrapper_runs_the_real_job_end_to_end(tmp_path: Path):
    """Cron's view: the real ``slo-report`` (via ``python -m reports``), a real SMTP server,
    the password only in the environment file."""
    (tmp_path / "bin").mkdir()
    shim = tmp_path / "bin" / "slo-report"
    shim.write_text(f'#!/usr/bin/env bash\ncd {ROOT} && exec {sys.executable} -m reports "$@"\n')
    shim.chmod(0o755)
    env_file = tmp_path / "env"
    env_file.write_text(f"{PASSWORD_ENV}={PASSWORD}\n")
    env_file.chmod(0o600)
    handler = Recorder()
    environment = {k: v for k, v in env(tmp_path).items() if k != PASSWORD_ENV}
    with smtp_server(handler, password=PASSWORD) as port:
        config = write_config(tmp_path, port)
        args = wrapper("--env-file", env_file, config, "--month", "2026-10", "--output", tmp_path / "out")
        first = subprocess.run(args, env=environment, capture_output=True, text=True, timeout=120)
        assert first.returncode == 0, first.stderr
        second = subprocess.run(args, env=environment, capture_output=True, text=True, timeout=120)
        assert second.returncode == 0, second.stderr
    assert len(handler.messages) == 5 and handler.to(BOSS)[0]["Subject"] == "Acme & <Co> SLOs, October 2026"
    log = (tmp_path / "log" / "monthly.log").read_text()
    assert "sent 5, already sent 0, failed 0 message(s) for 2026-10" in log
    assert "sent 0, already sent 5, failed 0 message(s) for 2026-10" in log
    assert PASSWORD not in log


def cron_entries(path: Path) -> list[list[str]]:
    return [
        line.split()
        for line in path.read_text().splitlines()
        if line.strip() and not line.startswith("#") and "=" not in line.split()[0]
    ]


def entries_of(path: Path, wrapper_name: str) -> list[list[str]]:
    return [entry for entry in cron_entries(path) if any(word.endswith(wrapper_name) for word in entry)]


def test_the_schedules_run_the_wrapper_at_06_00_on_the_1st():
    (user,) = entries_of(ROOT / "cron" / "crontab", "cron/slo-report-monthly")
    assert user[:5] == ["0", "6", "1", "*", "*"] and user[5].endswith("cron/slo-report-monthly")
    system_file = ROOT / "cron" / "cron.d" / "slo-report"
    (system,) = entries_of(system_file, "cron/slo-report-monthly")
    assert system[:5] == ["0", "6", "1", "*", "*"] and system[5] == "slo-report"  # /etc/cron.d has a user field
    assert system[6].endswith("cron/slo-report-monthly")
    assert "." not in system_file.name and system_file.read_text().endswith("\n")  # cron skips such files
    timer = (ROOT / "cron" / "systemd" / "slo-report-monthly.timer").read_text()
    assert "\nOnCalendar=*-*-01 06:00:00\n" in timer and "\nPersistent=true\n" in timer
    service = (ROOT / "cron" / "systemd" / "slo-report-monthly.service").read_text()
    assert "\nType=oneshot\n" in service and "cron/slo-report-monthly --env-file" in service
    assert os.access(WRAPPER, os.X_OK)


COLLECT = ROOT / "cron" / "slo-report-collect"


def test_the_collect_schedules_run_daily_at_05_30_before_the_monthly_run():
    (user,) = entries_of(ROOT / "cron" / "crontab", "cron/slo-report-collect")
    assert user[:5] == ["30", "5", "*", "*", "*"]
    (system,) = entries_of(ROOT / "cron" / "cron.d" / "slo-report", "cron/slo-report-collect")
    assert system[:6] == ["30", "5", "*", "*", "*", "slo-report"] and system[6].endswith("cron/slo-report-collect")
    timer = (ROOT / "cron" / "systemd" / "slo-report-collect.timer").read_text()
    assert "\nOnCalendar=*-*-* 05:30:00\n" in timer and "\nPersistent=true\n" in timer
    service = (ROOT / "cron" / "systemd" / "slo-report-collect.service").read_text()
    assert "\nType=oneshot\n" in service and "cron/slo-report-collect --env-file" in service
    assert os.access(COLLECT, os.X_OK)


def test_the_collect_wrapper_holds_its_own_lock_and_passes_the_exit_status(tmp_path: Path):
    stub(tmp_path / "bin", 'touch "$STUB_DIR/started"; while [ ! -e "$STUB_DIR/release" ]; do sleep 0.02; done; exit 1')
    first = subprocess.Popen([str(COLLECT), "slo.yaml"], env=env(tmp_path), stderr=subprocess.PIPE, text=True)
    try:
        wait_for(tmp_path / "started")
        second = subprocess.run(
            [str(COLLECT), "slo.yaml"], env=env(tmp_path), capture_output=True, text=True, timeout=10
        )
        assert second.returncode == 75
        assert second.stderr.startswith(f"slo-report-collect: another run holds {tmp_path / 'job.lock'}")
    finally:
        (tmp_path / "release").touch()
        first.wait(timeout=10)
    assert first.returncode == 1
    assert (tmp_path / "calls").read_text() == "collect --config slo.yaml\n"


def test_the_collect_wrapper_runs_the_real_collect_end_to_end(tmp_path: Path):
    (tmp_path / "bin").mkdir()
    shim = tmp_path / "bin" / "slo-report"
    shim.write_text(f'#!/usr/bin/env bash\ncd {ROOT} && exec {sys.executable} -m reports "$@"\n')
    shim.chmod(0o755)
    config = tmp_path / "slo-report.yaml"
    config.write_text(
        "source: {type: file, path: events.csv}\nstore: {path: store}\n"
        "services: [{name: api, slos: [{name: availability, objective: 0.99}]}]\n"
    )
    (tmp_path / "events.csv").write_text(
        "timestamp,service,slo,customer,good,total\n"
        "2026-10-01T00:00:00Z,api,availability,,9,10\n2026-10-01T00:05:00Z,api,availability,,5,5\n"
    )
    args = [str(COLLECT), config, "--from", "2026-10-01", "--until", "2026-10-02"]
    first = subprocess.run(args, env=env(tmp_path), capture_output=True, text=True, timeout=120)
    assert (first.returncode, first.stderr) == (0, "")
    second = subprocess.run(
        args[:2] + ["--until", "2026-10-02"], env=env(tmp_path), capture_output=True, text=True, timeout=120
    )
    assert (second.returncode, second.stderr) == (0, "")
    log = (tmp_path / "log" / "monthly.log").read_text()
    assert (
        f"collected 1 day(s), 2026-10-01 to 2026-10-01 (up to 2026-10-02 00:00 UTC), 2 rows into {tmp_path / 'store'}"
        in log
    )
    assert f"nothing to collect: {tmp_path / 'store'} holds every SLO up to 2026-10-02 00:00 UTC" in log
    config.write_text(config.read_text().replace("store: {path: store}\n", ""))
    failed = subprocess.run(args[:2], env=env(tmp_path), capture_output=True, text=True, timeout=120)
    assert failed.returncode == 1
    assert "store: not configured" in failed.stderr and failed.stderr.startswith(
        "slo-report-collect: slo-report exited with status 1"
    )
