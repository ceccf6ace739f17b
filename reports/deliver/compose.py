"""What goes to whom, and the MIME message for each: built from the generated month folder
(its ``report.json`` and documents) and the config's address book, never from a recomputation.

One message per recipient and document, so the ledger can record each on its own and no
recipient sees another's address.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr
from pathlib import Path

from ..archive import REPORT_NAME, ArchivedReport, ArchivedService, UnreadableReport, load_report
from ..config import Config, EmailConfig
from ..format import local_time, share
from ..naming import file_stem
from .documents import ArchivedReview, action_deliveries, review_bodies, text_table, zone_table
from .documents import page as html_page
from .errors import DeliveryError
from .ledger import address_key

CREDITS = "credits.csv"
SUMMARY = "summary.pdf"
_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")


@dataclass(frozen=True)
class Delivery:
    """One document to one recipient."""

    recipient: str
    attachment: str
    """Name in the month folder."""
    kind: str
    """``summary``, ``service``, ``credits``, ``statement`` (to the customer), ``statement-review`` (a
    statement to the account team), ``postmortem`` or ``review`` (the quarterly review)."""
    subject: str
    service: str | None = None
    customer: str | None = None
    note: str = ""
    """Said in the body after the introduction (what a postmortem draft is for, a customer without a tier)."""


def read_report(folder: Path) -> ArchivedReport:
    """The month folder's report, or a DeliveryError saying how to generate it."""
    path = folder / REPORT_NAME
    if not path.is_file():
        raise DeliveryError(f"no report in {folder}; generate it first: slo-report run --month {folder.name}")
    try:
        return load_report(path)
    except UnreadableReport as exc:
        raise DeliveryError(str(exc)) from None


def one_line(text: str) -> str:
    """Names go into headers: no line break may smuggle in another header."""
    return _CONTROL.sub(" ", text).strip()


def plan(config: Config, email: EmailConfig, folder: Path, report: ArchivedReport) -> list[Delivery]:
    """Summary first (the main reader), then each service's owners, then the account team.

    Recipients come from the config (the current address book); documents from the folder.
    """
    base = one_line(email.subject_for(report.title, report.month.label()))
    deliveries = [Delivery(to, SUMMARY, "summary", base) for to in email.summary_to]
    configured = {s.name: s.email for s in config.services}
    for service in report.services:
        name = service.name
        for to in configured.get(name, service.email):
            deliveries.append(Delivery(to, f"{file_stem(name)}.pdf", "service", f"{base} — {one_line(name)}", name))
    deliveries += action_deliveries(config, email, folder, base, Delivery, one_line)
    if (folder / CREDITS).is_file():
        deliveries += [Delivery(to, CREDITS, "credits", f"{base} — SLA credits") for to in email.account_team_to]
    unique = {(address_key(d.recipient), d.attachment): d for d in reversed(deliveries)}
    return [d for d in deliveries if unique[(address_key(d.recipient), d.attachment)] is d]  # listed twice, sent once


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def budget_left(service: ArchivedService) -> str:
    """``availability 29.7%, latency 41.3%``: every SLO's remaining budget, as check-deploy words it."""
    parts = []
    for slo in service.slos:
        remaining = slo.budget_remaining
        parts.append(f"{slo.slo} {'no data' if remaining is None else share(remaining)}")
    return ", ".join(parts)


def _rows(report: ArchivedReport, only: str | None = None) -> list[tuple[str, str, str]]:
    return [(s.name, s.zone.name, budget_left(s)) for s in report.services if only in (None, s.name)]


def bodies(delivery: Delivery, report: ArchivedReport | ArchivedReview) -> tuple[str, str]:
    """The plain-text and HTML bodies; every value in the HTML is escaped (names can be hostile).

    A statement to a customer says nothing but what is attached: no other service or customer."""
    if isinstance(report, ArchivedReview):
        return review_bodies(report)
    month = report.month.label()
    title = report.title
    if delivery.kind == "summary":
        intro = f"{title}: the SLO report for {month}. The summary is attached; each service's owners get its report."
    elif delivery.kind == "service":
        intro = f"{title}: the {month} SLO report for {delivery.service} is attached."
    elif delivery.kind == "statement":
        intro = f"{title}: your service level statement for {month} ({delivery.customer}) is attached."
    elif delivery.kind == "statement-review":
        intro = (
            f"{title}: the service level statement of {delivery.customer} for {month} is attached, "
            "to review and forward to the customer."
        )
    elif delivery.kind == "postmortem":
        intro = f"{title}: a postmortem is required for {delivery.service} in {month}."
    else:
        intro = f"{title}: the SLA credits for {month} are attached ({CREDITS})."
    intro += delivery.note
    rows = _rows(report, delivery.service) if delivery.kind in ("summary", "service", "postmortem") else []
    footer = f"Generated {local_time(report.generated_at, report.timezone, '%d %b %Y %H:%M %Z')} by slo-report."
    header = ("Service", "Zone", "Budget left")
    text = [intro, ""] + ([*text_table(header, rows), ""] if rows else []) + [footer]
    return "\n".join(text) + "\n", html_page(intro, zone_table(header, rows, 1) if rows else "", footer)


def build_message(
    delivery: Delivery, folder: Path, report: ArchivedReport | ArchivedReview, sender: str, now: datetime
) -> EmailMessage:
    """A multipart message: text and HTML alternatives, then the document."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = delivery.recipient
    message["Subject"] = delivery.subject
    message["Date"] = format_datetime(now)
    domain = parseaddr(sender)[1].rpartition("@")[2] or None
    message["Message-ID"] = make_msgid(f"slo-report.{report.month}", domain=domain)
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no out-of-office replies
    text, page = bodies(delivery, report)
    message.set_content(text)
    message.add_alternative(page, subtype="html")
    path = folder / delivery.attachment
    stem, dot, extension = Path(delivery.attachment).name.rpartition(".")
    maintype, subtype = ("application", "pdf") if extension == "pdf" else ("text", "csv")
    message.add_attachment(
        path.read_bytes(), maintype=maintype, subtype=subtype, filename=f"{stem}-{report.month}{dot}{extension}"
    )
    return message
