"""Who gets the documents that lead to action: customer statements (to the customer's contact or
the account team, as configured), postmortem drafts (to the service's owners) and the quarterly
review (to its own list); and the HTML mail body, a small table whose zone colours survive
common mail clients (inline styles and ``bgcolor``, the zone's name written in the cell, so it
reads without colour too).

Everything is planned from the generated folder's JSON and the config's address book; each
delivery is one document to one recipient, so the ledger sends each exactly once.
"""

from __future__ import annotations

import html
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from ..config import Config, EmailConfig
from ..format import short_span, sli, used
from ..render.customers import statement_names
from ..render.postmortem import draft_stem
from .errors import DeliveryError

ZONE_COLOURS = {
    "green": ("#2e7d32", "#ffffff"),
    "yellow": ("#f2c12e", "#3d2e00"),
    "orange": ("#e8710a", "#ffffff"),
    "red": ("#c62828", "#ffffff"),
}
"""Zone → (background, text), as in the documents; other zones (and "no data") are grey."""
NEUTRAL = ("#78828c", "#ffffff")
REVIEW = "review.pdf"


def statement_recipients(config: Config, email: EmailConfig, customer: str) -> tuple[list[str], bool]:
    """The statement's recipients, and whether they are the customer's own contacts (else the
    account team, to review and forward), per ``email.statements``."""
    if email.statements == "none":
        return [], False
    contacts = config.customers.contacts.get(customer, []) if config.customers is not None else []
    if email.statements == "customer" and contacts:
        return list(contacts), True
    return list(email.account_team_to), False


def statement_customers(report: dict[str, Any]) -> list[str]:
    """Every customer of any SLA-covered SLO in ``report.json``, as the statements were written."""
    return sorted(
        {
            c["customer"]
            for service in report["services"]
            for slo in service["slos"]
            if slo.get("customers")
            for c in slo["customers"]["customers"]
        }
    )


def action_deliveries(
    config: Config,
    email: EmailConfig,
    folder: Path,
    base: str,
    make: Callable[..., Any],
    one_line: Callable[[str], str],
) -> list:
    """Statements, then postmortem drafts, from the month's ``report.json``; ``make`` builds a ``Delivery``."""
    report = json.loads((folder / "report.json").read_text(encoding="utf-8"))
    deliveries = []
    names = statement_names(statement_customers(report))
    for customer, attachment in names.items():
        if not (folder / attachment).is_file():
            continue
        subject = (
            f"{one_line(report['title'])}: service level statement, {_label(report['month'])} — {one_line(customer)}"
        )
        recipients, to_customer = statement_recipients(config, email, customer)
        kind, note = ("statement", "") if to_customer else ("statement-review", default_tier_note(report, customer))
        for to in recipients:
            deliveries.append(make(to, attachment, kind, subject, customer=customer, note=note))
    configured = {s.name: s.email for s in config.services}
    for service in report["services"]:
        for slo in service["slos"]:
            for incident in slo["incidents"]:
                if not incident["postmortem_required"]:
                    continue
                start = datetime.fromisoformat(incident["start"].replace("Z", "+00:00"))
                attachment = draft_stem(service["name"], slo["slo"], start) + ".pdf"
                if not (folder / attachment).is_file():
                    continue
                subject = f"{base} — postmortem draft: {one_line(service['name'])} / {one_line(slo['slo'])}"
                note = postmortem_note(service, report["window"]["timezone"])
                for to in configured.get(service["name"], service.get("email", [])):
                    deliveries.append(make(to, attachment, "postmortem", subject, service=service["name"], note=note))
    return deliveries


def _label(month: str) -> str:
    from ..window import Month

    return Month.parse(month).label()


def default_tier_note(report: dict[str, Any], customer: str | None) -> str:
    """For the account team: the customer has no tier assignment and was reported under the default tier."""
    tiers = {
        c["tier"]
        for service in report["services"]
        for slo in service["slos"]
        if slo.get("customers")
        for c in slo["customers"]["customers"]
        if c["customer"] == customer and not c["assigned"]
    }
    if not tiers:
        return ""
    return (
        f" {customer} has no tier assignment: it was reported under the default tier {', '.join(sorted(tiers))}."
        " If it has a contract, assign it (customers.assignments) and regenerate the month before forwarding."
    )


@dataclass(frozen=True)
class ArchivedReview:
    """A quarter folder's ``review.json``, as its mail needs it."""

    month: str
    """The quarter, e.g. ``2026-Q4`` (named so for the message id and the attachment's name)."""
    title: str
    document: dict[str, Any]


def read_review(folder: Path) -> ArchivedReview:
    path = folder / "review.json"
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        return ArchivedReview(document["quarter"], document["title"], document)
    except FileNotFoundError:
        raise DeliveryError(
            f"no quarterly review in {folder}; write it first: slo-report quarterly --quarter {folder.name}"
        ) from None
    except (OSError, ValueError, KeyError) as exc:
        raise DeliveryError(
            f"{path} cannot be read ({exc}); write it again: slo-report quarterly --quarter {folder.name}"
        ) from None


def review_subject(email: EmailConfig, review: ArchivedReview) -> str:
    return " ".join(email.subject_for(review.title, review.month).split()) + " — quarterly review"


def review_bodies(review: ArchivedReview) -> tuple[str, str]:
    """The quarterly review's mail: each SLO's quarter SLI and recommendation."""
    intro = f"{review.title}: the SLO review for {review.month} is attached ({REVIEW})."
    header, rows = ("SLO", "SLI over the quarter", "Recommendation"), review_rows(review.document)
    footer = f"Generated {review.document['generated_at'][:16].replace('T', ' ')} UTC by slo-report."
    text = [intro, "", *text_table(header, rows), "", footer]
    return "\n".join(text) + "\n", page(intro, zone_table(header, rows, None), footer)


def zone_table(header: tuple[str, ...], rows: Sequence[tuple[str, ...]], zone_column: int | None) -> str:
    """An HTML table for a mail body: attributes and inline styles only (no style sheet, which
    many clients drop), every value escaped; ``zone_column`` is coloured by its zone."""
    esc = html.escape
    head = "".join(
        f'<th align="left" style="text-align:left;border-bottom:2px solid #1f2933;color:#616e7c">{esc(h)}</th>'
        for h in header
    )
    body = []
    for row in rows:
        cells = []
        for index, value in enumerate(row):
            if index == zone_column:
                background, ink = ZONE_COLOURS.get(value, NEUTRAL)
                cells.append(
                    f'<td bgcolor="{background}" style="background-color:{background};color:{ink};'
                    f'font-weight:bold">{esc(value)}</td>'
                )
            else:
                cells.append(f"<td>{esc(value)}</td>")
        body.append(f'<tr style="border-bottom:1px solid #d9dee3">{"".join(cells)}</tr>')
    return (
        '<table cellpadding="6" cellspacing="0" border="0" style="border-collapse:collapse;'
        'font-family:Arial,Helvetica,sans-serif;font-size:14px;color:#1f2933">'
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
    )


def page(intro: str, table: str, footer: str) -> str:
    esc = html.escape
    font = "font-family:Arial,Helvetica,sans-serif;color:#1f2933"
    return (
        f'<!DOCTYPE html><html><body style="{font}"><p style="{font};font-size:15px">{esc(intro)}</p>'
        f'{table}<p style="{font};font-size:12px;color:#616e7c">{esc(footer)}</p></body></html>'
    )


def text_table(header: tuple[str, ...], rows: Sequence[tuple[str, ...]]) -> list[str]:
    """The same table in plain text: columns padded, the last one free."""
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header) - 1)]
    return [
        ("  ".join(f"{cell:<{widths[i]}}" for i, cell in enumerate(r[:-1])) + "  " + r[-1]).rstrip()
        for r in [header, *rows]
    ]


def postmortem_note(service: dict[str, Any], timezone: str) -> str:
    """What the draft is for: the incidents of this service that require a postmortem."""
    spans = []
    for slo in service["slos"]:
        for incident in slo["incidents"]:
            if incident["postmortem_required"]:
                start = datetime.fromisoformat(incident["start"].replace("Z", "+00:00"))
                end = datetime.fromisoformat(incident["end"].replace("Z", "+00:00"))
                share = used(incident["budget_share"])
                spans.append(f"{slo['slo']} {short_span(start, end, timezone)} ({share} of the budget)")
    return (
        f" Incidents: {'; '.join(spans)}. The attached draft has the timeline from the data; "
        "fill in the root cause and the action items with owners."
    )


def review_rows(review: dict[str, Any]) -> list[tuple[str, str, str]]:
    return [
        (
            f"{s['service']} / {s['slo']}",
            "no data" if s["sli"] is None else sli(s["sli"]),
            s["recommendation"],
        )
        for s in review["slos"]
    ]
