"""The ``slo-report`` command: thin commands that parse, load the config and call the library.

Heavy stages (pandas, WeasyPrint) are imported inside the commands that need them, so the
light ones (``check-deploy``, ``validate``) start fast.
"""

from __future__ import annotations

import functools
import logging
import os
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from .archive import output_dir
from .changes import CHANGE_KINDS
from .errors import ReportError
from .window import Month, previous_month

if TYPE_CHECKING:
    from .config import Config
    from .sources.store import CountStore

log = logging.getLogger("reports")
progress_log = logging.getLogger("reports.progress")


class _ConsoleHandler(logging.Handler):
    """Every message on stderr, through click (so tests capture it): progress indented, the rest prefixed."""

    PREFIX = {logging.DEBUG: "debug: ", logging.INFO: "  ", logging.WARNING: "warning: "}

    def emit(self, record: logging.LogRecord) -> None:
        prefix = self.PREFIX.get(record.levelno, "error: ")
        click.echo(f"{prefix}{record.getMessage()}", err=True)


def configure_logging(quiet: bool, debug: bool) -> None:
    """The one logging setup: progress on a terminal only, warnings and errors always, nothing
    but errors with ``--quiet``, everything (debug included) with ``--debug``."""
    if debug:
        level = logging.DEBUG
    elif quiet:
        level = logging.ERROR
    else:
        level = logging.INFO if sys.stderr.isatty() else logging.WARNING
    log.handlers[:] = [_ConsoleHandler()]
    log.setLevel(level)
    log.propagate = False


# Options shared by several commands, each declared once.


def config_option(required: bool = True, help: str = "The catalogue YAML.") -> Callable:
    return click.option("--config", "config_path", type=click.Path(path_type=Path), required=required, help=help)


def output_option(
    help: str = "Folder holding the monthly folders; default: the config's output, else ./output.",
    file: bool = False,
) -> Callable:
    """``--output DIR``, or with ``file`` the one file a command writes (``--output PATH``)."""
    if file:
        return click.option("--output", type=click.Path(path_type=Path, dir_okay=False), metavar="PATH", help=help)
    return click.option("--output", type=click.Path(path_type=Path, file_okay=False), metavar="DIR", help=help)


def _parse_month(ctx: click.Context, param: click.Parameter, value: str | None) -> Month | None:
    if value is None:
        return None
    try:
        return Month.parse(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


def month_option(help: str) -> Callable:
    return click.option("--month", callback=_parse_month, metavar="YYYY-MM", help=help)


def strict_option(help: str = "Treat config warnings (unknown keys) as errors.") -> Callable:
    return click.option("--strict", is_flag=True, help=help)


def console(command: Callable) -> Callable:
    """``--quiet`` and ``--debug``; logging configured once; expected failures as one line, exit 1."""

    @functools.wraps(command)
    def wrapper(*args: Any, quiet: bool = False, debug: bool = False, **kwargs: Any) -> Any:
        configure_logging(quiet, debug)
        try:
            return command(*args, **kwargs)
        except (ReportError, OSError) as exc:
            if debug:
                raise
            raise click.ClickException(str(exc)) from None

    wrapper = click.option("--debug", is_flag=True, help="Show debug messages, and the full traceback on errors.")(
        wrapper
    )
    return click.option("--quiet", is_flag=True, help="Errors only: no progress messages or warnings.")(wrapper)


def source_for(config: Config):
    """The config's event source (imported only by the commands that read data: pandas is heavy)."""
    from .sources import source_for as make_source

    return make_source(config)


def _load(config_path: Path, strict: bool) -> Config:
    from .config import load_config

    config, warnings = load_config(config_path, strict=strict)
    if config.source.type == "prometheus":  # its queries are parsed offline; other sources have none
        from .config import ConfigError
        from .sources.promql import template_problems

        problems = template_problems(config)
        if problems:
            raise ConfigError(problems, str(config_path))
    for warning in warnings:
        log.warning(warning)
    return config


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(package_name="slo-reports")
def main() -> None:
    """Monthly SLO reports: compliance, error budget, policy, HTML and PDF."""


@main.command()
@config_option()
@month_option("Month to report; default: the previous calendar month in the config's time zone.")
@output_option("Folder for the monthly folders; default: the config's output, else ./output.")
@strict_option()
@click.option(
    "--send",
    "send_after",
    is_flag=True,
    help="Then email the month (as `send` does); nothing is sent if an SLO could not be counted.",
)
@console
def run(config_path: Path, month: Month | None, output: Path | None, strict: bool, send_after: bool) -> None:
    """Compute and write one month's reports into OUTPUT/YYYY-MM/ (and, with --send, email them).

    The month defaults to the previous calendar month in the config's time zone. Progress is
    shown on a terminal, and nothing but one summary line in cron. Exit 1 on any error,
    including an SLO the source could not count (the report is still written, with that SLO
    marked "no data").

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
    folder, report = run_month(
        config, source_for(config), month, now, output_dir(output, config.output), progress_log.info
    )
    count = sum(1 for p in folder.rglob("*") if p.is_file())
    click.echo(f"wrote {folder} ({count} files) for {month}")
    if report.source_problems:
        for problem in report.source_problems:
            log.error(problem)
        not_sent = "; nothing was emailed (fix the source and run again, or send it as it is with `send`)"
        raise click.ClickException(
            f"{len(report.source_problems)} SLO(s) could not be counted; "
            f"they are marked 'no data' in the report" + (not_sent if send_after else "")
        )
    if send_after:
        _deliver(config, folder.parent, month, now, mail, force=False, dry_run=False)


def _mail_connection(config: Config) -> tuple[Any, tuple[str, ...]]:
    from .deliver import mail_connection

    return mail_connection(config, os.environ)


def _deliver(config: Config, output: Path, month: Month, now: datetime, mail, force: bool, dry_run: bool) -> None:
    """Send (or list) the month's messages, print a summary, and exit 1 if any recipient failed."""
    from .deliver import send_month, send_quarter

    connect, secrets = mail if mail else (None, ())
    send_folder = send_month if isinstance(month, Month) else send_quarter
    result = send_folder(
        config,
        output,
        month,
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
            f"stay in {result.folder}; run `slo-report send {'--month' if isinstance(month, Month) else '--quarter'} {month}` "
            "again later"
        )


@main.command()
@config_option()
@month_option("Month to send; default: the previous calendar month in the config's time zone.")
@output_option()
@click.option("--dry-run", is_flag=True, help="Print what would be sent to whom; send nothing.")
@click.option("--force", is_flag=True, help="Send again what the ledger says was already sent.")
@click.option(
    "--quarter",
    callback=lambda ctx, param, value: None if value is None else _parse_quarter(ctx, param, value),
    metavar="YYYY-QN",
    help="Send the quarterly review of OUTPUT/YYYY-QN/ to email.quarterly_to instead of a month.",
)
@console
def send(config_path: Path, month: Month | None, output: Path | None, dry_run: bool, force: bool, quarter=None) -> None:
    """Email an already generated month: each service's PDF to its email: list, summary.pdf to
    email.summary_to, credits.csv to email.account_team_to, postmortem drafts to the service's
    list, customer statements as email.statements says. Only what the month's ledger
    (sent.jsonl) lacks is sent, so it is safe to run again (--force resends); exit 1 names any
    recipient that could not be reached. `run --send` generates, then sends; docs/delivery.md
    covers email, the cron job and the systemd timer.

    \b
    Examples:
      slo-report send --config examples/ml-platform/slo-report.yaml --month 2026-10 --dry-run
      slo-report send --config examples/ml-platform/slo-report.yaml --month 2026-10
      slo-report send --config examples/ml-platform/slo-report.yaml --quarter 2026-Q4
    """
    now = datetime.now(UTC)
    config = _load(config_path, False)
    if quarter is not None and month is not None:
        raise click.BadParameter("give --month or --quarter, not both")
    month = quarter or month or previous_month(now, config.zone)
    mail = None if dry_run else _mail_connection(config)
    _deliver(config, output_dir(output, config.output), month, now, mail, force=force, dry_run=dry_run)


def _parse_quarter(ctx: click.Context, param: click.Parameter, value: str):
    from .review.quarter import Quarter

    try:
        return Quarter.parse(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


@main.command()
@config_option()
@click.option("--quarter", callback=_parse_quarter, metavar="YYYY-QN", required=True, help="The quarter, e.g. 2026-Q4.")
@output_option()
@console
def quarterly(config_path: Path, quarter, output: Path | None) -> None:
    """Write the quarterly SLO review into OUTPUT/YYYY-QN/ from the quarter's monthly reports.

    A month without report.json is computed from the source (and the review says so).

    \b
    Example:
      slo-report quarterly --config examples/ml-platform/slo-report.yaml --quarter 2026-Q4
    """
    from .pipeline import run_review

    now = datetime.now(UTC)
    config = _load(config_path, False)
    folder, review = run_review(
        config, source_for(config), quarter, output_dir(output, config.output), now, progress_log.info
    )
    click.echo(f"wrote {folder} (review of {len(review.slos)} SLOs) for {quarter}")
    if review.source_problems:
        for problem in review.source_problems:
            log.error(problem)
        raise click.ClickException(
            f"{len(review.source_problems)} SLO-month(s) could not be counted; they are 'no data' in the review"
        )


@main.command()
@config_option()
@strict_option("Treat warnings (unknown keys) as errors.")
@console
def validate(config_path: Path, strict: bool) -> None:
    """Check a catalogue and list every problem, without reading any data.

    \b
    Example:
      slo-report validate --config examples/ml-platform/slo-report.yaml --strict
    """
    config = _load(config_path, strict)
    slos = sum(len(s.slos) for s in config.services)
    click.echo(f"{config_path}: {len(config.services)} services, {slos} SLOs, valid")


@main.command("check-deploy")
@click.option("--service", required=True, metavar="NAME", help="Service name as in the report.")
@click.option("--change", type=click.Choice(CHANGE_KINDS), required=True, help="Kind of change to ship.")
@month_option("Report month; default: the newest.")
@output_option()
@config_option(required=False, help="Catalogue, to find its output folder.")
@console
def check_deploy(service: str, change: str, month: Month | None, output: Path | None, config_path: Path | None) -> None:
    """Gate a deployment on the error-budget policy: exit 0 if allowed, 1 if blocked.

    Reads the newest (or the given) month's report.json, no data source needed, and prints
    the zone, the reason and the approval needed; exit 1 too if no report can be read. For
    CI pipelines.

    \b
    Example:
      slo-report check-deploy --service model-api --change feature --output output
    """
    from .deploy import deploy_gate

    configured = _load(config_path, False).output if config_path else None
    decision, report = deploy_gate(output_dir(output, configured), service, change, month)
    verdict = "ALLOWED" if decision.allowed else "BLOCKED"
    click.echo(f"{verdict}: {decision.reason} ({report.month} report).")
    if decision.allowed:
        click.echo(f"Approval needed: {decision.approval}.")
    sys.exit(0 if decision.allowed else 1)


def _parse_instant(ctx: click.Context, param: click.Parameter, value: str | None) -> datetime | None:
    """``2026-10-05`` (midnight UTC) or ``2026-10-05T12:00Z``; a time without a zone is UTC."""
    if value is None:
        return None
    try:
        instant = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise click.BadParameter(
            f"{value!r} is not a date or time; write e.g. 2026-10-05 or 2026-10-05T12:00Z"
        ) from None
    return instant if instant.tzinfo else instant.replace(tzinfo=UTC)


def _store_of(config: Config) -> CountStore:
    from .config import ConfigError
    from .sources.store import CountStore

    if config.store is None:
        raise ConfigError(["store: not configured; add store: {path: store} (see docs/configuration.md#store)"])
    return CountStore(config.store.path)


@main.command()
@config_option()
@click.option(
    "--from",
    "since",
    callback=_parse_instant,
    metavar="TIME",
    help="Collect again from this UTC day on, replacing what the store holds (a backfill).",
)
@click.option(
    "--until",
    callback=_parse_instant,
    metavar="TIME",
    help="Collect up to this instant instead of now minus store.safety_lag (never later).",
)
@console
def collect(config_path: Path, since: datetime | None, until: datetime | None) -> None:
    """Copy the source's counts into the count store (store.path): every SLO from where the
    store ends up to now minus store.safety_lag. Run it daily; a second run collects nothing
    new, and `run` then reads the days the store holds instead of asking the source.

    \b
    Examples:
      slo-report collect --config /etc/slo-report/slo-report.yaml                 # the daily job
      slo-report collect --config /etc/slo-report/slo-report.yaml --from 2026-10-01   # backfill
    """
    from .collect import collect as collect_counts
    from .sources import configured_source

    now = datetime.now(UTC)
    config = _load(config_path, False)
    store = _store_of(config)
    assert config.store is not None  # _store_of refused a config without one
    latest = now - config.store.safety_lag
    result = collect_counts(
        config, store, configured_source(config), min(until or latest, latest), since, now, progress_log.info
    )
    if result.days:
        click.echo(
            f"collected {len(result.days)} day(s), {result.days[0]} to {result.days[-1]} "
            f"(up to {result.until:%Y-%m-%d %H:%M} UTC), {result.rows} rows into {store.path}"
        )
    else:
        click.echo(f"nothing to collect: {store.path} holds every SLO up to {result.until:%Y-%m-%d %H:%M} UTC")
    if result.problems:
        for problem in result.problems:
            log.error(problem)
        raise click.ClickException(
            f"{len(result.problems)} SLO count(s) could not be collected; the store keeps what it held for them "
            "(the next collect tries again from there; `slo-report store info` lists what is missing)"
        )


@main.group()
def store() -> None:
    """The count store that `collect` fills (see store: in the config)."""


@store.command("info")
@config_option()
@console
def store_info(config_path: Path) -> None:
    """What the count store holds: days, SLOs, size on disk, and the days each SLO lacks.

    \b
    Example:
      slo-report store info --config /etc/slo-report/slo-report.yaml
    """
    from .collect import store_summary

    config = _load(config_path, False)
    for line in store_summary(config, _store_of(config)):
        click.echo(line)


@main.command()
@config_option(help="Catalogue to check.")
@month_option("Month to check; default: the current one.")
@console
def doctor(config_path: Path, month: Month | None):
    """Check against the live server what a month's report will need, before the 1st comes.

    One line per finding (ok, warning, error; errors only with --quiet): the server and its engine,
    retention against the month, every selector, every histogram threshold. Exit 1 on any error.

    \b
    Example:
      slo-report doctor --config slo-report.yaml
    """
    from zoneinfo import ZoneInfo

    from .config import ConfigError, load_config
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
    errors = [line for line in findings if line.startswith("error:")]
    shown = findings if log.isEnabledFor(logging.WARNING) else errors  # --quiet: the errors alone
    if shown:
        click.echo("\n".join(shown))
    sys.exit(1 if errors else 0)


@main.command("import")
@click.argument("spec_format", metavar="openslo|sloth", type=click.Choice(["openslo", "sloth"]))
@click.argument("files", nargs=-1, required=True, metavar="FILE|DIR...", type=click.Path(path_type=Path, exists=True))
@output_option("Catalogue file to write; default: stdout.", file=True)
@click.option(
    "--url", metavar="URL", help="Prometheus URL for the catalogue; default: the specs' DataSource, else a placeholder."
)
@console
def import_specs(spec_format: str, files: tuple[Path, ...], output: Path | None, url: str | None):
    """Write a catalogue from OpenSLO v1 or Sloth spec files (a folder means its *.yaml and *.yml).

    \b
    Examples:
      slo-report import sloth slos/ --output slo-report.yaml
      slo-report import openslo api.yaml checkout.yaml
    """
    from .config import parse_config
    from .specs import SpecError, catalogue_yaml, read_specs

    paths = [p for f in files for p in (sorted([*f.glob("*.yaml"), *f.glob("*.yml")]) if f.is_dir() else [f])]
    try:
        imported = read_specs(paths, expected=spec_format)
        text = catalogue_yaml(imported, f"slo-report import {spec_format}", url)
    except SpecError as exc:
        raise click.ClickException(str(exc)) from None
    import yaml

    parse_config(yaml.safe_load(text), None, "imported catalogue")  # what is written must load
    for warning in imported.warnings:
        log.warning(warning)
    if output is None:
        click.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
        click.echo(f"wrote {output}: {len(imported.slos)} SLO(s)", err=True)


@main.command()
@config_option()
@output_option("Rule file to write; default: stdout.", file=True)
@strict_option()
@console
def rules(config_path: Path, output: Path | None, strict: bool):
    """Write Prometheus recording and burn-rate alerting rules for every SLO with PromQL.

    \b
    Example:
      slo-report rules --config slo-report.yaml --output slo-rules.yaml && promtool check rules slo-rules.yaml
    """
    from .rules import prometheus_rules, rules_yaml

    content, skipped = prometheus_rules(_load(config_path, strict))
    for line in skipped:
        log.warning(line)
    if not content["groups"]:
        raise click.ClickException(f"{config_path}: no SLO has PromQL to build rules from; give the SLOs an sli")
    text = rules_yaml(content, str(config_path))
    if output is None:
        click.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
        click.echo(f"wrote {output}: {len(content['groups'])} rule group(s)", err=True)
