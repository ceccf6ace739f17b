"""Monthly delivery: email a generated month's PDFs, once.

``send_month`` plans who gets which document (``compose``), skips what the ledger says was
already accepted (``ledger``), and sends the rest through a connection factory passed in
(``smtp``), retrying transient failures. A recipient that still fails is reported by name;
the documents stay in the month folder for a later ``send``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from ..archive import ArchivedReport, month_folder
from ..config import Config, EmailConfig
from ..output import OutputBusy, output_lock
from ..window import Month
from .compose import Delivery, build_message, digest, plan, read_report
from .documents import REVIEW, ArchivedReview, read_review, review_subject
from .errors import DeliveryError
from .ledger import Entry, Ledger
from .smtp import Connect, Mailer, SendFailed, smtp_connector

__all__ = ["DeliveryError", "Delivery", "SendResult", "mail_connection", "send_month", "send_quarter", "smtp_connector"]

Planner = Callable[[Config, Path], tuple[ArchivedReport | ArchivedReview, list[Delivery]]]


def email_config(config: Config) -> EmailConfig:
    """The config's email section, or the one error saying how to add it."""
    if config.email is None:
        raise DeliveryError("email: not configured; add an email: section to the config (see docs/delivery.md)")
    return config.email


def mail_connection(config: Config, environ: Mapping[str, str]) -> tuple[Connect, tuple[str, ...]]:
    """The SMTP connection factory and the secrets to scrub; fails before any work when email cannot work."""
    return smtp_connector(email_config(config).smtp, environ)


@dataclass
class SendResult:
    month: str
    folder: Path
    sent: list[Delivery] = field(default_factory=list)
    """Accepted by the server in this run (or, in a dry run, what would be sent)."""
    already: list[tuple[Delivery, Entry, bool]] = field(default_factory=list)
    """Skipped: the ledger's entry, and whether the document changed since it was sent."""
    failed: list[tuple[Delivery, str]] = field(default_factory=list)

    @property
    def failed_recipients(self) -> list[str]:
        return list(dict.fromkeys(d.recipient for d, _ in self.failed))


def send_month(
    config: Config,
    output_dir: Path,
    month: Month | str,
    *,
    now: datetime,
    connect: Connect | None,
    force: bool = False,
    dry_run: bool = False,
    delays: Sequence[float] | None = None,
    sleep: Callable[[float], None] = time.sleep,
    secrets: Sequence[str] = (),
    echo: Callable[[str], None] = lambda line: None,
) -> SendResult:
    """Send what the ledger does not hold yet (everything under ``force``); ``dry_run`` only reports.

    ``delays`` are the pauses between attempts (default: the config's backoff); ``secrets``
    are scrubbed from every reason reported.
    """
    email_config(config)
    folder = month_folder(output_dir, month)
    read_report(folder)  # no month, no lock taken, nothing created
    return _send_folder(
        config, output_dir, folder, _month_plan, now, connect, force, dry_run, delays, sleep, secrets, echo
    )


def send_quarter(
    config: Config,
    output_dir: Path,
    quarter: str,
    *,
    now: datetime,
    connect: Connect | None,
    force: bool = False,
    dry_run: bool = False,
    delays: Sequence[float] | None = None,
    sleep: Callable[[float], None] = time.sleep,
    secrets: Sequence[str] = (),
    echo: Callable[[str], None] = lambda line: None,
) -> SendResult:
    """Send the quarterly review (``OUTPUT/YYYY-QN/review.pdf``) to ``email.quarterly_to``, once each."""
    if not email_config(config).quarterly_to:
        raise DeliveryError("email.quarterly_to: empty; list who receives the quarterly review")
    folder = output_dir / str(quarter)
    read_review(folder)
    return _send_folder(
        config, output_dir, folder, _quarter_plan, now, connect, force, dry_run, delays, sleep, secrets, echo
    )


def _month_plan(config: Config, folder: Path) -> tuple[ArchivedReport, list[Delivery]]:
    report = read_report(folder)
    return report, plan(config, email_config(config), folder, report)


def _quarter_plan(config: Config, folder: Path) -> tuple[ArchivedReview, list[Delivery]]:
    review, email = read_review(folder), email_config(config)
    subject = review_subject(email, review)
    return review, [Delivery(to, REVIEW, "review", subject) for to in dict.fromkeys(email.quarterly_to)]


def _send_folder(
    config: Config,
    output_dir: Path,
    folder: Path,
    planner: Planner,
    now: datetime,
    connect: Connect | None,
    force: bool,
    dry_run: bool,
    delays: Sequence[float] | None,
    sleep: Callable[[float], None],
    secrets: Sequence[str],
    echo: Callable[[str], None],
) -> SendResult:
    email = email_config(config)
    if dry_run:
        return _triage(config, folder, force, echo, "would send", planner)[0]
    if connect is None:
        raise DeliveryError("no mail connection given; pass connect (or use dry_run)")
    try:
        with output_lock(output_dir, wait=False):  # read the month only now: no regeneration under our feet
            result, pending, report = _triage(config, folder, force, echo, None, planner)
            mailer = Mailer(
                connect,
                email.smtp.backoff if delays is None else delays,
                sleep,
                secrets,
                on_retry=lambda why, pause: echo(f"  {why}; retrying in {pause:g}s"),
            )
            try:
                _send_all(pending, mailer, Ledger(folder), report, email.from_, now, result, echo)
            finally:
                mailer.close()
    except OutputBusy as exc:
        raise DeliveryError(str(exc)) from None
    return result


def _triage(
    config: Config, folder: Path, force: bool, echo: Callable[[str], None], verb: str | None, planner: Planner
) -> tuple[SendResult, list[Delivery], ArchivedReport | ArchivedReview]:
    """Split the plan into what is still to send and what the ledger already holds."""
    report, deliveries = planner(config, folder)
    ledger = Ledger(folder)
    result, pending = SendResult(folder.name, folder), []
    for delivery in deliveries:
        entry = None if force else ledger.sent(delivery.recipient, delivery.attachment)
        path = folder / delivery.attachment
        if entry is None:
            pending.append(delivery)
            if verb:
                result.sent.append(delivery)
                echo(f"{verb} {delivery.attachment} to {delivery.recipient}: {delivery.subject}")
            continue
        changed = path.is_file() and digest(path) != entry.sha256
        result.already.append((delivery, entry, changed))
        note = "; changed since (regenerated): --force sends the new version" if changed else ""
        echo(f"already sent {delivery.attachment} to {delivery.recipient} at {entry.sent_at}{note}")
    return result, pending, report


def _send_all(
    pending: list[Delivery],
    mailer: Mailer,
    ledger: Ledger,
    report: ArchivedReport | ArchivedReview,
    sender: str,
    now: datetime,
    result: SendResult,
    echo: Callable[[str], None],
) -> None:
    folder = result.folder
    for index, delivery in enumerate(pending):
        path = folder / delivery.attachment
        if not path.is_file():
            why = f"{path} is missing; regenerate the month: slo-report run --month {result.month}"
            result.failed.append((delivery, why))
            echo(f"failed {delivery.attachment} to {delivery.recipient}: {why}")
            continue
        message = build_message(delivery, folder, report, sender, now)
        try:
            mailer.send(message)
        except SendFailed as failure:
            result.failed.append((delivery, failure.reason))
            echo(f"failed {delivery.attachment} to {delivery.recipient}: {failure.reason}")
            if failure.at_connect:
                for rest in pending[index + 1 :]:  # the server is unreachable: do not wait out each one
                    result.failed.append((rest, f"not attempted: {failure.reason}"))
                    echo(f"failed {rest.attachment} to {rest.recipient}: not attempted: {failure.reason}")
                return
            continue
        sent_at = now.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
        ledger.record(
            Entry(
                delivery.recipient,
                delivery.attachment,
                digest(path),
                str(message["Message-ID"]),
                sent_at,
                delivery.subject,
            )
        )
        result.sent.append(delivery)
        echo(f"sent {delivery.attachment} to {delivery.recipient} ({message['Message-ID']})")
