"""Statements, postmortem drafts and the quarterly review delivered to a real SMTP server
(aiosmtpd on loopback): each to its recipients, once; the HTML body's zone colours and its
plain-text alternative; a statement's mail names no other customer."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml

from reports.config import load_config
from reports.pipeline import run_review
from reports.review.quarter import Quarter
from reports.sources import source_for
from tests.conftest import catalogue
from tests.smtp_server import HOST, Recorder, smtp_server
from tests.test_deliver import invoke, sent_pairs

BOSS, API_TEAM, ACCOUNTS, ACME_OPS, REVIEWERS = (
    "boss@example.com",
    "api-team@example.com",
    "accounts@example.com",
    "ops@acme.example",
    "slo-review@example.com",
)
DRAFT = "api-availability-20261015T1200Z"


def write_config(folder: Path, port: int, statements: str = "customer") -> Path:
    """One SLA-covered SLO; acme's own outage on 15 Oct (500 of its 1,000 requests failed) is an
    incident that needs a postmortem; initech is in the data but not assigned."""
    (folder / "events.csv").write_text(
        "timestamp,service,slo,customer,good,total\n"
        "2026-10-15T12:00:00Z,api,availability,acme,500,1000\n"
        "2026-10-15T12:00:00Z,api,availability,globex,1000,1000\n"
        "2026-10-20T12:00:00Z,api,availability,acme,9000,9000\n"
        "2026-10-20T12:00:00Z,api,availability,globex,9000,9000\n"
        "2026-10-20T12:00:00Z,api,availability,initech,500,500\n"
    )
    data = catalogue(
        services=[
            {
                "name": "api",
                "email": [API_TEAM],
                "slos": [{"name": "availability", "objective": 0.99, "sla": True}],
            }
        ],
        customers={
            "default_tier": "free",
            "tiers": {
                "enterprise": {"objective": 0.99, "sla": 0.99, "credits": {0.99: 10}},
                "free": {"objective": 0.9},
            },
            "assignments": {"acme": "enterprise", "globex": "enterprise"},
            "contacts": {"acme": [ACME_OPS]},
        },
        email={
            "smtp": {"host": HOST, "port": port, "starttls": False, "retries": 0},
            "from": "SLO reports <slo@example.com>",
            "summary_to": [BOSS],
            "account_team_to": [ACCOUNTS],
            "statements": statements,
            "quarterly_to": [REVIEWERS],
        },
    )
    path = folder / "slo.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("documents")
    result = invoke("run", "--config", write_config(folder, 25), "--month", "2026-10", "--output", folder / "out")
    assert result.exit_code == 0, result.output
    return folder / "out"


@pytest.fixture
def out(generated: Path, tmp_path: Path) -> Path:
    shutil.copytree(generated, tmp_path / "out")
    return tmp_path / "out"


EVERYTHING = sorted(
    [
        (BOSS, "summary-2026-10.pdf"),
        (API_TEAM, "api-2026-10.pdf"),
        (API_TEAM, f"{DRAFT}-2026-10.pdf"),
        (ACME_OPS, "acme-2026-10.pdf"),  # its own contact
        (ACCOUNTS, "globex-2026-10.pdf"),  # no contact: the account team forwards it
        (ACCOUNTS, "initech-2026-10.pdf"),
        (ACCOUNTS, "credits-2026-10.csv"),
    ]
)


def test_statements_and_drafts_reach_their_recipients_once(out: Path, tmp_path: Path):
    handler = Recorder()
    with smtp_server(handler) as port:
        config = write_config(tmp_path, port)
        first = invoke("send", "--config", config, "--month", "2026-10", "--output", out)
        again = invoke("send", "--config", config, "--month", "2026-10", "--output", out)
    assert first.exit_code == 0, first.output
    assert sent_pairs(handler) == EVERYTHING
    assert again.exit_code == 0 and again.output.splitlines()[-1].startswith("sent 0, already sent 7, failed 0")
    [statement] = handler.to(ACME_OPS)
    assert statement["Subject"] == "Test: service level statement, October 2026 — acme"
    for body in (statement.get_body(("plain",)).get_content(), statement.get_body(("html",)).get_content()):
        assert "acme" in body and "globex" not in body and "initech" not in body
        assert "Zone" not in body and "Budget left" not in body  # nothing internal in a customer's mail
    [attachment] = statement.iter_attachments()
    assert attachment.get_content() == (out / "2026-10" / "customers" / "acme.pdf").read_bytes()
    reviewed = [m for m in handler.to(ACCOUNTS) if "globex" in m["Subject"]]
    assert "to review and forward" in reviewed[0].get_body(("plain",)).get_content()
    assert "no tier assignment" not in reviewed[0].get_body(("plain",)).get_content()
    [unassigned] = [m for m in handler.to(ACCOUNTS) if "initech" in m["Subject"]]
    assert "initech has no tier assignment: it was reported under the default tier free." in " ".join(
        unassigned.get_body(("plain",)).get_content().split()
    )
    [draft] = [m for m in handler.to(API_TEAM) if "postmortem" in m["Subject"]]
    assert draft["Subject"] == "Test: SLO report for October 2026 — postmortem draft: api / availability"
    assert "15 Oct 12:00–12:05 UTC" in draft.get_body(("plain",)).get_content()


def test_the_html_body_colours_the_zone_and_the_text_body_says_the_same(out: Path, tmp_path: Path):
    handler = Recorder()
    with smtp_server(handler) as port:
        sent = invoke("send", "--config", write_config(tmp_path, port), "--output", out, "--month", "2026-10")
    assert sent.exit_code == 0, sent.output
    [summary] = handler.to(BOSS)
    html = summary.get_body(("html",)).get_content()
    # acme's outage overspent the budget: red, written out in the cell, coloured by attribute and inline style
    assert '<td bgcolor="#c62828" style="background-color:#c62828;color:#ffffff;font-weight:bold">red</td>' in html
    assert "<style" not in html and "class=" not in html  # mail clients drop style sheets
    text = summary.get_body(("plain",)).get_content()
    assert "api      red   availability −" in text


def test_statements_go_to_the_account_team_by_default_and_nowhere_with_none(out: Path, tmp_path: Path):
    handler = Recorder()
    with smtp_server(handler) as port:
        config = write_config(tmp_path, port, statements="account_team")
        assert invoke("send", "--config", config, "--month", "2026-10", "--output", out).exit_code == 0
    assert handler.to(ACME_OPS) == []
    assert sorted(a.get_filename() for m in handler.to(ACCOUNTS) for a in m.iter_attachments()) == [
        "acme-2026-10.pdf",
        "credits-2026-10.csv",
        "globex-2026-10.pdf",
        "initech-2026-10.pdf",
    ]
    dry = invoke("send", "--config", write_config(tmp_path, 25, "none"), "--month", "2026-10", "--output", out)
    assert "customers/" not in dry.output


def test_the_quarterly_review_goes_to_its_own_list_once(tmp_path: Path):
    handler = Recorder()
    with smtp_server(handler) as port:
        path = write_config(tmp_path, port)
        config, _ = load_config(path)
        out = tmp_path / "out"
        run_review(config, source_for(config), Quarter.parse("2026-Q4"), out, datetime(2027, 1, 2, tzinfo=UTC))
        first = invoke("send", "--config", path, "--quarter", "2026-Q4", "--output", out)
        again = invoke("send", "--config", path, "--quarter", "2026-Q4", "--output", out)
    assert first.exit_code == 0, first.output
    assert sent_pairs(handler) == [(REVIEWERS, "review-2026-Q4.pdf")]
    assert again.output.splitlines()[-1].startswith("sent 0, already sent 1, failed 0")
    [review] = handler.to(REVIEWERS)
    assert review["Subject"] == "Test: SLO report for 2026-Q4 — quarterly review"
    text = review.get_body(("plain",)).get_content()
    assert "api / availability" in text and "Recommendation" in text
    assert review.get_body(("html",)).get_content().count("<tr") == 2
