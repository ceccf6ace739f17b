"""The ``slo-report`` command: thin commands that parse, load the config and call the library."""

from __future__ import annotations

import functools
import os
import sys
from datetime import UTC, datetime
from pathlib import Path

import click

from .config import CHANGE_KINDS, ConfigError, load_config
from .deliver.errors import DeliveryError
from .pipeline import MonthNotOver
from .policy import check_deploy as decide_deploy
from .review.history import UnreadableReport, load_report
from .review.quarter import ReviewError
from .sources import SourceError, source_for
from .sources.promql import template_problems
from .window import Month, previous_month


class ReportNotFound(Exception):
    """A command needs a generated month that is not there."""


def _one_line_errors(command):
    """Expected failures print as ``error: ...`` and exit 1; ``--debug`` shows the traceback."""

    @functools.wraps(command)
    def wrapper(*args, debug: bool = False, **kwargs):
        try:
            return command(*args, **kwargs)
        except (
            ConfigError,
            SourceError,
            ReportNotFound,
            DeliveryError,
            ReviewError,
            UnreadableReport,
            MonthNotOver,
            OSError,
        ) as exc:
            if debug:
                raise
            raise click.ClickException(str(exc)) from None

    wrapper = click.option("--debug", is_flag=True, help="Show the full traceback on errors.")(wrapper)
    return wrapper


def _parse_month(ctx, param, value):
    if value is None:
        return None
    try:
        return Month.parse(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


def _load(config_path: Path, strict: bool):
    config, warnings = load_config(config_path, strict=strict)
    problems = template_problems(config)
    if problems:
        raise ConfigError(problems, str(config_path))
    for warning in warnings:
        click.echo(f"warning: {warning}", err=True)
    return config


def _progress(quiet: bool):
    """Progress lines on a terminal; silence in cron (and with --quiet)."""
    if quiet or not sys.stderr.isatty():
        return lambda message: None
    return lambda message: click.echo(f"  {message}", err=True)


def _output_dir(option: Path | None, config) -> Path:
    if option is not None:
        return option
    if config is not None and config.output is not None:
        return config.output
    return Path("output")


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(package_name="slo-reports")
def main():
    """Monthly SLO reports: compliance, error budget, policy, HTML and PDF."""


@main.command()
@click.option("--config", "config_path", type=click.Path(path_type=Path), required=True, help="The catalogue YAML.")
@click.option(
    "--month",
    callback=_parse_month,
    metavar="YYYY-MM",
    help="Month to report; default: the previous calendar month in the config's time zone.",
)
@click.option(
    "--output",
    type=click.Path(path_type=Path, file_okay=False),
    help="Folder for the monthly folders; default: the config's output, else ./output.",
)
@click.option("--strict", is_flag=True, help="Treat config warnings (unknown keys) as errors.")
@click.option("--quiet", is_flag=True, help="No progress messages, even on a terminal.")
@click.option(
    "--send",
    "send_after",
    is_flag=True,
    help="Then email the month (as `send` does); nothing is sent if an SLO could not be counted.",
)
@_one_line_errors
def run(config_path: Path, month: Month | None, output: Path | None, strict: bool, quiet: bool, send_after: bool):
    """Compute and write one month's reports into OUTPUT/YYYY-MM/ (and, with --send, email them).

    \b
    Examples:
      slo-report run --config examples/ml-platform/slo-report.yaml --month 2026-10
      slo-report run --config /etc/slo-report/slo-report.yaml --send      # the monthly cron job
    """
    from .pipeline import run_month

    now = datetime.now(UTC)
    config = _load(config_path, strict)
    month = month or previous_month(now, config.zone)
    mail = _mail_connection(config) if send_after else None  # a missing password fails before the work
    progress = _progress(quiet)
    folder, report = run_month(config, source_for(config), month, now, _output_dir(output, config), progress)
    count = sum(1 for p in folder.rglob("*") if p.is_file())
    click.echo(f"wrote {folder} ({count} files) for {month}")
    if report.source_problems:
        for problem in report.source_problems:
            click.echo(f"error: {problem}", err=True)
        not_sent = "; nothing was emailed (fix the source and run again, or send it as it is with `send`)"
        raise click.ClickException(
            f"{len(report.source_problems)} SLO(s) could not be counted; "
            f"they are marked 'no data' in the report" + (not_sent if send_after else "")
        )
    if send_after:
        _deliver(config, folder.parent, month, now, mail, force=False, dry_run=False)


def _mail_connection(config):
    from .deliver import smtp_connector

    if config.email is None:
        raise DeliveryError("email: not configured; add an email: section to the config (see docs/delivery.md)")
    return smtp_connector(config.email.smtp, os.environ)


def _deliver(config, output_dir: Path, month: Month, now: datetime, mail, force: bool, dry_run: bool) -> None:
    """Send (or list) the month's messages, print a summary, and exit 1 if any recipient failed."""
    from .deliver import send_month

    connect, secrets = mail if mail else (None, ())
    result = send_month(
        config,
        output_dir,
        str(month),
        now=now,
        connect=connect,
        force=force,
        dry_run=dry_run,
        secrets=secrets,
        echo=click.echo,
    )
    if dry_run:
        click.echo(
            f"dry run: would send {len(result.sent)}, already sent {len(result.already)} message(s) "
            f"for {month}; nothing was sent"
        )
        return
    click.echo(
        f"sent {len(result.sent)}, already sent {len(result.already)}, failed {len(result.failed)} "
        f"message(s) for {month}"
    )
    if result.failed:
        names = ", ".join(result.failed_recipients)
        raise click.ClickException(
            f"{len(result.failed_recipients)} recipient(s) not reached: {names}; the documents "
            f"stay in {result.folder}; run `slo-report send --month {month}` again later"
        )


@main.command()
@click.option("--config", "config_path", type=click.Path(path_type=Path), required=True, help="The catalogue YAML.")
@click.option(
    "--month",
    callback=_parse_month,
    metavar="YYYY-MM",
    help="Month to send; default: the previous calendar month in the config's time zone.",
)
@click.option(
    "--output",
    type=click.Path(path_type=Path, file_okay=False),
    help="Folder holding the monthly folders; default: the config's output, else ./output.",
)
@click.option("--dry-run", is_flag=True, help="Print what would be sent to whom; send nothing.")
@click.option("--force", is_flag=True, help="Send again what the ledger says was already sent.")
@_one_line_errors
def send(config_path: Path, month: Month | None, output: Path | None, dry_run: bool, force: bool):
    """Email an already generated month: each service's PDF to its owners, summary.pdf to
    the summary list. Only what the month's ledger (sent.jsonl) lacks is sent, so it is
    safe to run again; exit 1 names any recipient that could not be reached.

    \b
    Examples:
      slo-report send --config examples/ml-platform/slo-report.yaml --month 2026-10 --dry-run
      slo-report send --config examples/ml-platform/slo-report.yaml --month 2026-10
    """
    now = datetime.now(UTC)
    config = _load(config_path, False)
    month = month or previous_month(now, config.zone)
    mail = None if dry_run else _mail_connection(config)
    _deliver(config, _output_dir(output, config), month, now, mail, force=force, dry_run=dry_run)


def _parse_quarter(ctx, param, value):
    from .review.quarter import Quarter

    try:
        return Quarter.parse(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


@main.command()
@click.option("--config", "config_path", type=click.Path(path_type=Path), required=True, help="The catalogue YAML.")
@click.option("--quarter", callback=_parse_quarter, metavar="YYYY-QN", required=True, help="The quarter, e.g. 2026-Q4.")
@click.option(
    "--output",
    type=click.Path(path_type=Path, file_okay=False),
    help="Folder holding the monthly folders; default: the config's output, else ./output.",
)
@click.option("--quiet", is_flag=True, help="No progress messages, even on a terminal.")
@_one_line_errors
def quarterly(config_path: Path, quarter, output: Path | None, quiet: bool):
    """Write the quarterly SLO review into OUTPUT/YYYY-QN/ from the quarter's monthly reports.

    A month without report.json is computed from the source (and the review says so).

    \b
    Example:
      slo-report quarterly --config examples/ml-platform/slo-report.yaml --quarter 2026-Q4
    """
    from .review.run import run_review

    now = datetime.now(UTC)
    config = _load(config_path, False)
    folder, review = run_review(config, source_for(config), quarter, _output_dir(output, config), now, _progress(quiet))
    click.echo(f"wrote {folder} (review of {len(review.slos)} SLOs) for {quarter}")
    if review.source_problems:
        for problem in review.source_problems:
            click.echo(f"error: {problem}", err=True)
        raise click.ClickException(
            f"{len(review.source_problems)} SLO-month(s) could not be counted; they are 'no data' in the review"
        )


@main.command()
@click.option("--config", "config_path", type=click.Path(path_type=Path), required=True, help="The catalogue YAML.")
@click.option("--strict", is_flag=True, help="Treat warnings (unknown keys) as errors.")
@_one_line_errors
def validate(config_path: Path, strict: bool):
    """Check a catalogue and list every problem, without reading any data.

    \b
    Example:
      slo-report validate --config examples/ml-platform/slo-report.yaml --strict
    """
    config = _load(config_path, strict)
    slos = sum(len(s.slos) for s in config.services)
    click.echo(f"{config_path}: {len(config.services)} services, {slos} SLOs, valid")


def latest_report(output_dir: Path, month: Month | None) -> Path:
    """``OUTPUT/YYYY-MM/report.json`` for the month, or the newest month that has one."""
    if month is not None:
        path = output_dir / str(month) / "report.json"
        if not path.is_file():
            raise ReportNotFound(f"no report for {month} in {output_dir}; run: slo-report run --month {month}")
        return path
    months = []
    for folder in output_dir.glob("*/report.json"):
        try:
            months.append((Month.parse(folder.parent.name), folder))
        except ValueError:
            continue
    if not months:
        raise ReportNotFound(f"no monthly report in {output_dir}; run slo-report run first, or pass --output")
    return max(months)[1]


@main.command("check-deploy")
@click.option("--service", required=True, help="Service name as in the report.")
@click.option("--change", type=click.Choice(CHANGE_KINDS), required=True, help="Kind of change to ship.")
@click.option("--month", callback=_parse_month, metavar="YYYY-MM", help="Report month; default: the newest.")
@click.option(
    "--output",
    type=click.Path(path_type=Path, file_okay=False),
    help="Folder holding the monthly folders; default: the config's output, else ./output.",
)
@click.option("--config", "config_path", type=click.Path(path_type=Path), help="Catalogue, to find its output folder.")
@_one_line_errors
def check_deploy(service: str, change: str, month: Month | None, output: Path | None, config_path: Path | None):
    """Gate a deployment on the error-budget policy: exit 0 if allowed, 1 if blocked.

    Reads the latest report.json (no data source needed) and prints the zone, the reason
    and the approval needed.

    \b
    Example:
      slo-report check-deploy --service model-api --change feature --output output
    """
    config = _load(config_path, False) if config_path else None
    path = latest_report(_output_dir(output, config), month)
    report = load_report(path)
    entry = next((s for s in report["services"] if s["name"] == service), None)
    if entry is None:
        names = ", ".join(s["name"] for s in report["services"])
        raise ReportNotFound(f"service {service!r} is not in {path}; known services: {names}")
    decision = decide_deploy(entry, change)
    verdict = "ALLOWED" if decision.allowed else "BLOCKED"
    click.echo(f"{verdict}: {decision.reason} ({report['month']} report).")
    if decision.allowed:
        click.echo(f"Approval needed: {decision.approval}.")
    sys.exit(0 if decision.allowed else 1)


@main.command()
@click.option("--config", "config_path", required=True, type=click.Path(path_type=Path), help="Catalogue to check.")
@click.option("--month", callback=_parse_month, metavar="YYYY-MM", help="Month to check; default: the current one.")
def doctor(config_path: Path, month: Month | None):
    """Check against the live server what a month's report will need, before the 1st comes.

    One line per finding (ok, warning, error): the server and its engine, retention against
    the month, every selector, every histogram threshold. Exit 1 on any error.

    \b
    Example:
      slo-report doctor --config slo-report.yaml
    """
    from zoneinfo import ZoneInfo

    from .doctor import diagnose

    try:
        config, warnings = load_config(config_path)
    except ConfigError as exc:
        for problem in exc.problems:
            click.echo(f"error: {problem}")
        sys.exit(1)
    now = datetime.now(UTC)
    local = now.astimezone(ZoneInfo(config.timezone))
    findings = [f"warning: {w}" for w in warnings] + [
        str(f) for f in diagnose(config, month or Month(local.year, local.month), now)
    ]
    click.echo("\n".join(findings))
    sys.exit(1 if any(line.startswith("error:") for line in findings) else 0)
