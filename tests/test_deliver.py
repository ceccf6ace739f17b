"""Monthly delivery against a real SMTP server on loopback: who gets what, once; retries;
a server that stays down; the password; the default month."""

from __future__ import annotations

import dataclasses
import json
import re
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from freezegun import freeze_time

from reports import cli
from reports.cli import main
from reports.config import ConfigError, load_config, parse_config
from reports.deliver import send_month, smtp_connector
from reports.deliver.ledger import Ledger
from reports.sources import source_for
from tests.conftest import catalogue
from tests.smtp_server import HOST, USERNAME, Recorder, free_port, smtp_server

pytestmark = [
    pytest.mark.filterwarnings("ignore:Requiring AUTH:UserWarning", "ignore:Session.login_data:DeprecationWarning"),
    pytest.mark.render,
]

PASSWORD = "Zq7-hunter2-SMTP-secret"
PASSWORD_ENV = "SLO_TEST_SMTP_PASSWORD"
HOSTILE = "<img src=x onerror=alert(1)>"
BOSS, API_TEAM, ONCALL, ODD_TEAM, ACCOUNTS = (
    "boss@example.com",
    "api-team@example.com",
    "oncall@example.com",
    "odd@example.com",
    "accounts@example.com",
)
NOW = datetime(2026, 11, 1, 6, 0, tzinfo=UTC)


def invoke(*args) -> object:
    return CliRunner().invoke(main, [str(a) for a in args])


def write_config(folder: Path, port: int | None = None, timezone_: str = "UTC", summary_to=(BOSS,), **smtp) -> Path:
    """Two services (one with a hostile name) and, with ``port``, an email section for the loopback server."""
    (folder / "events.csv").write_text(
        "timestamp,service,slo,good,total\n"
        "2026-10-15T12:00:00Z,api,availability,999,1000\n"
        "2026-10-20T12:00:00Z,api,availability,1000,1000\n"
        f'2026-10-15T12:00:00Z,"{HOSTILE}",availability,990,1000\n'
    )
    data = catalogue(
        timezone=timezone_,
        services=[
            {"name": "api", "email": [API_TEAM, ONCALL], "slos": [{"name": "availability", "objective": 0.99}]},
            {"name": HOSTILE, "email": [ODD_TEAM], "slos": [{"name": "availability", "objective": 0.999}]},
        ],
    )
    data["title"] = "Acme & <Co>"
    if port is not None:
        data["email"] = {
            "smtp": {
                "host": HOST,
                "port": port,
                "starttls": False,
                "username": USERNAME,
                "password_env": PASSWORD_ENV,
                "retries": 0,
                **smtp,
            },
            "from": "SLO reports <slo@example.com>",
            "summary_to": list(summary_to),
            "subject": "{title} SLOs, {month}",
            "account_team_to": [ACCOUNTS],
        }
    path = folder / "slo.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True))
    return path


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> Path:
    """October 2026 generated once by ``slo-report run``; tests copy it (sending writes the ledger)."""
    folder = tmp_path_factory.mktemp("generated")
    result = invoke("run", "--config", write_config(folder), "--month", "2026-10", "--output", folder / "out")
    assert result.exit_code == 0, result.output
    return folder / "out"


@pytest.fixture
def out(generated: Path, tmp_path: Path) -> Path:
    shutil.copytree(generated, tmp_path / "out")
    return tmp_path / "out"


@pytest.fixture
def password(monkeypatch) -> str:
    monkeypatch.setenv(PASSWORD_ENV, PASSWORD)
    return PASSWORD


def send(config: Path, out: Path, *extra):
    return invoke("send", "--config", config, "--month", "2026-10", "--output", out, *extra)


def ledger_lines(out: Path) -> list[dict]:
    path = out / "2026-10" / "sent.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def sent_pairs(handler: Recorder) -> list[tuple[str, str]]:
    return sorted((r.recipients[0], a.get_filename()) for r in handler.messages for a in r.message.iter_attachments())


POSTMORTEM = "postmortems/img-src-x-onerror-alert-1-availability-20261015T1200Z.pdf"
POSTMORTEM_FILE = "img-src-x-onerror-alert-1-availability-20261015T1200Z-2026-10.pdf"
EVERYTHING = sorted(
    [
        (BOSS, "summary-2026-10.pdf"),
        (API_TEAM, "api-2026-10.pdf"),
        (ONCALL, "api-2026-10.pdf"),
        (ODD_TEAM, "img-src-x-onerror-alert-1-2026-10.pdf"),
        (ODD_TEAM, POSTMORTEM_FILE),  # its one incident burnt 900% of the budget: a postmortem draft
    ]
)


def test_each_document_reaches_its_recipients(out: Path, tmp_path: Path, password: str):
    handler = Recorder()
    with smtp_server(handler, password=password) as port:
        result = send(write_config(tmp_path, port), out)
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1] == "sent 5, already sent 0, failed 0 message(s) for 2026-10"
    assert all(len(r.recipients) == 1 and r.sender == "slo@example.com" for r in handler.messages)
    assert sent_pairs(handler) == EVERYTHING  # no credits.csv in the month: the account team gets nothing

    (summary,) = handler.to(BOSS)
    assert summary["Subject"] == "Acme & <Co> SLOs, October 2026"
    assert summary["To"] == BOSS and summary["Auto-Submitted"] == "auto-generated"
    text = summary.get_body(("plain",)).get_content().replace("\r\n", "\n")
    assert re.search(r"^Service +Zone +Budget left\napi +green +availability 95\.0%\n", text, re.M)
    assert f"\n{HOSTILE}  red    availability −900.0%\n" in text
    page = summary.get_body(("html",)).get_content()
    assert "<td>&lt;img src=x onerror=alert(1)&gt;</td>" in page and "<img" not in page
    assert "Acme &amp; &lt;Co&gt;" in page
    (attachment,) = summary.iter_attachments()
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_content().startswith(b"%PDF")
    assert attachment.get_content() == (out / "2026-10" / "summary.pdf").read_bytes()

    (service,) = handler.to(API_TEAM)
    assert service["Subject"] == "Acme & <Co> SLOs, October 2026 — api"
    assert "availability 95.0%" in service.get_body(("plain",)).get_content()
    assert HOSTILE not in service.get_body(("plain",)).get_content()  # a service mail shows only its service
    odd, draft = handler.to(ODD_TEAM)
    assert draft["Subject"] == f"Acme & <Co> SLOs, October 2026 — postmortem draft: {HOSTILE} / availability"
    assert odd["Subject"] == f"Acme & <Co> SLOs, October 2026 — {HOSTILE}"

    ledger = ledger_lines(out)
    assert sorted((e["recipient"], e["attachment"]) for e in ledger) == sorted(
        [
            (BOSS, "summary.pdf"),
            (API_TEAM, "api.pdf"),
            (ONCALL, "api.pdf"),
            (ODD_TEAM, "img-src-x-onerror-alert-1.pdf"),
            (ODD_TEAM, POSTMORTEM),
        ]
    )
    assert {e["message_id"] for e in ledger} == {r.message["Message-ID"].strip() for r in handler.messages}
    assert PASSWORD not in result.output and PASSWORD not in (out / "2026-10" / "sent.jsonl").read_text()


def test_a_second_send_sends_nothing_and_force_sends_again(out: Path, tmp_path: Path, password: str):
    handler = Recorder()
    with smtp_server(handler, password=password) as port:
        config = write_config(tmp_path, port)
        assert send(config, out).exit_code == 0
        again = send(config, out)
        assert again.exit_code == 0, again.output
        assert len(handler.messages) == 5
        assert f"already sent summary.pdf to {BOSS} at " in again.output
        assert again.output.splitlines()[-1] == "sent 0, already sent 5, failed 0 message(s) for 2026-10"
        forced = send(config, out, "--force")
    assert forced.exit_code == 0, forced.output
    assert sent_pairs(handler) == sorted(EVERYTHING * 2)
    assert len(ledger_lines(out)) == 10


def test_dry_run_lists_who_gets_what_and_sends_nothing(out: Path, tmp_path: Path, monkeypatch):
    monkeypatch.delenv(PASSWORD_ENV, raising=False)  # a dry run needs no password
    handler = Recorder()
    with smtp_server(handler) as port:
        result = send(write_config(tmp_path, port), out, "--dry-run")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        f"would send summary.pdf to {BOSS}: Acme & <Co> SLOs, October 2026",
        f"would send api.pdf to {API_TEAM}: Acme & <Co> SLOs, October 2026 — api",
        f"would send api.pdf to {ONCALL}: Acme & <Co> SLOs, October 2026 — api",
        f"would send img-src-x-onerror-alert-1.pdf to {ODD_TEAM}: Acme & <Co> SLOs, October 2026 — {HOSTILE}",
        f"would send {POSTMORTEM} to {ODD_TEAM}: Acme & <Co> SLOs, October 2026 — postmortem draft: "
        f"{HOSTILE} / availability",
        "dry run: would send 5, already sent 0 message(s) for 2026-10; nothing was sent",
    ]
    assert handler.messages == [] and not (out / "2026-10" / "sent.jsonl").exists()


def test_an_address_listed_twice_gets_one_message(out: Path, tmp_path: Path, password: str):
    handler = Recorder()
    with smtp_server(handler, password=password) as port:
        result = send(write_config(tmp_path, port, summary_to=(BOSS, f"The Boss <{BOSS.upper()}>")), out)
    assert result.exit_code == 0, result.output
    assert sent_pairs(handler) == EVERYTHING


def test_credits_go_to_the_account_team_when_the_month_has_them(out: Path, tmp_path: Path, password: str):
    (out / "2026-10" / "credits.csv").write_text("customer,credit\nacme,100\n")
    handler = Recorder()
    with smtp_server(handler, password=password) as port:
        result = send(write_config(tmp_path, port), out)
    assert result.exit_code == 0, result.output
    (credits,) = handler.to(ACCOUNTS)
    assert credits["Subject"] == "Acme & <Co> SLOs, October 2026 — SLA credits"
    (attachment,) = credits.iter_attachments()
    assert attachment.get_filename() == "credits-2026-10.csv"
    assert attachment.get_content() == "customer,credit\nacme,100\n"


def test_transient_refusals_are_retried_with_backoff_and_every_message_arrives_once(
    out: Path, tmp_path: Path, password: str
):
    handler = Recorder(refuse_rcpt=2, refuse_data=1)
    pauses: list[float] = []
    with smtp_server(handler, password=password) as port:
        config, _ = load_config(write_config(tmp_path, port))
        connect, secrets = smtp_connector(config.email.smtp, {PASSWORD_ENV: password})
        result = send_month(
            config, out, "2026-10", now=NOW, connect=connect, secrets=secrets, delays=(5, 10, 20), sleep=pauses.append
        )
    assert result.failed == []
    assert handler.refusals == 3
    assert pauses == [5, 10, 20]  # RCPT 451, RCPT 451, DATA 421, then accepted: backoff in order
    assert sent_pairs(handler) == EVERYTHING
    assert len(ledger_lines(out)) == 5
    assert {e["sent_at"] for e in ledger_lines(out)} == {"2026-11-01T06:00:00Z"}


def test_the_default_backoff_comes_from_the_config(tmp_path: Path):
    config, _ = parse_config(
        catalogue(
            email={"smtp": {"host": "mail.example.com", "retries": 3, "retry_delay": "1m"}, "from": "slo@example.com"}
        )
    )
    assert config.email.smtp.backoff == (60, 120, 240)
    assert config.email.smtp.effective_port == 587


def test_a_server_that_stays_down_is_tried_with_backoff_once_and_fails_every_recipient(out: Path, tmp_path: Path):
    config, _ = load_config(write_config(tmp_path, free_port(), username=None, password_env=None))
    connect, _ = smtp_connector(config.email.smtp, {})
    pauses: list[float] = []
    result = send_month(config, out, "2026-10", now=NOW, connect=connect, delays=(1, 2), sleep=pauses.append)
    assert pauses == [1, 2]  # not once per message: the rest are not attempted
    assert result.sent == [] and result.failed_recipients == [BOSS, API_TEAM, ONCALL, ODD_TEAM]
    assert "Connection refused" in result.failed[0][1]
    assert not (out / "2026-10" / "sent.jsonl").exists()


def test_a_server_down_leaves_the_ledger_unchanged_exits_1_and_names_the_recipients(
    out: Path, tmp_path: Path, password: str
):
    with smtp_server(Recorder(), password=password) as port:
        assert send(write_config(tmp_path, port), out).exit_code == 0
    ledger_before = (out / "2026-10" / "sent.jsonl").read_bytes()
    config = write_config(tmp_path, free_port(), summary_to=(BOSS, "cto@example.com", "cfo@example.com"))
    result = send(config, out)
    assert result.exit_code == 1
    assert "sent 0, already sent 5, failed 2 message(s) for 2026-10" in result.output
    assert result.output.splitlines()[-1] == (
        f"Error: 2 recipient(s) not reached: cto@example.com, cfo@example.com; the documents stay in "
        f"{out / '2026-10'}; run `slo-report send --month 2026-10` again later"
    )
    assert (out / "2026-10" / "sent.jsonl").read_bytes() == ledger_before
    assert (out / "2026-10" / "summary.pdf").is_file()


def test_a_refused_recipient_is_named_the_others_are_sent_and_a_rerun_sends_only_it(
    out: Path, tmp_path: Path, password: str
):
    class RejectOncall(Recorder):
        reject = True

        async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
            if self.reject and address == ONCALL:
                return "550 5.1.1 No such user"
            return await super().handle_RCPT(server, session, envelope, address, rcpt_options)

    handler = RejectOncall()
    with smtp_server(handler, password=password) as port:
        config = write_config(tmp_path, port)
        first = send(config, out)
        assert first.exit_code == 1
        assert f"failed api.pdf to {ONCALL}: 550 5.1.1 No such user" in first.output
        assert f"1 recipient(s) not reached: {ONCALL};" in first.output
        assert sent_pairs(handler) == [p for p in EVERYTHING if p[0] != ONCALL]
        handler.reject = False
        second = send(config, out)
    assert second.exit_code == 0, second.output
    assert second.output.splitlines()[-1] == "sent 1, already sent 4, failed 0 message(s) for 2026-10"
    assert sent_pairs(handler) == EVERYTHING


def test_a_missing_document_fails_its_recipients_and_the_rest_is_sent(out: Path, tmp_path: Path, password: str):
    (out / "2026-10" / "api.pdf").unlink()
    handler = Recorder()
    with smtp_server(handler, password=password) as port:
        result = send(write_config(tmp_path, port), out)
    assert result.exit_code == 1
    assert (
        f"failed api.pdf to {API_TEAM}: {out / '2026-10' / 'api.pdf'} is missing; regenerate the month: "
        "slo-report run --month 2026-10"
    ) in result.output
    assert f"2 recipient(s) not reached: {API_TEAM}, {ONCALL};" in result.output
    assert sent_pairs(handler) == [p for p in EVERYTHING if p[1] != "api-2026-10.pdf"]


def test_a_wrong_password_fails_without_showing_it(out: Path, tmp_path: Path, monkeypatch):
    monkeypatch.setenv(PASSWORD_ENV, PASSWORD + "-wrong")
    with smtp_server(Recorder(), password=PASSWORD) as port:
        result = send(write_config(tmp_path, port), out)
    assert result.exit_code == 1
    assert "535" in result.output and "not reached: boss@example.com, api-team@example.com" in result.output
    assert PASSWORD not in result.output
    assert not (out / "2026-10" / "sent.jsonl").exists()


def test_a_missing_password_variable_stops_before_any_work(tmp_path: Path, monkeypatch):
    monkeypatch.delenv(PASSWORD_ENV, raising=False)
    config = write_config(tmp_path, free_port())
    result = invoke("run", "--config", config, "--month", "2026-10", "--output", tmp_path / "out", "--send")
    assert result.exit_code == 1
    assert result.output == (
        f"Error: email.smtp.password_env: the environment variable {PASSWORD_ENV} is not set; "
        f"export it (cron: put it in the wrapper's environment file)\n"
    )
    assert not (tmp_path / "out").exists()


def test_send_needs_an_email_section_and_a_generated_month(out: Path, tmp_path: Path):
    unconfigured = send(write_config(tmp_path), out)
    assert unconfigured.exit_code == 1 and "email: not configured; add an email: section" in unconfigured.output
    empty = invoke(
        "send", "--config", write_config(tmp_path, free_port()), "--month", "2026-09", "--output", out, "--dry-run"
    )
    assert empty.exit_code == 1
    assert empty.output == f"Error: no report in {out / '2026-09'}; generate it first: slo-report run --month 2026-09\n"


def test_run_send_generates_then_sends_and_regenerating_keeps_the_ledger(tmp_path: Path, password: str):
    handler = Recorder()
    output = tmp_path / "out"
    with smtp_server(handler, password=password) as port:
        config = write_config(tmp_path, port)
        first = invoke("run", "--config", config, "--month", "2026-10", "--output", output, "--send")
        assert first.exit_code == 0, first.output
        assert sent_pairs(handler) == EVERYTHING
        ledger = (output / "2026-10" / "sent.jsonl").read_bytes()

        with (tmp_path / "events.csv").open("a") as events:  # late data: the month's numbers change
            events.write("2026-10-25T12:00:00Z,api,availability,900,1000\n")
        rerun = invoke("run", "--config", config, "--month", "2026-10", "--output", output, "--send")
        assert rerun.exit_code == 0, rerun.output
        # nothing sent twice; the late data made an api incident that needs a postmortem: its draft is new
        assert len(handler.messages) == 7
        assert sorted(r.recipients[0] for r in handler.messages[5:]) == [API_TEAM, ONCALL]
        assert (output / "2026-10" / "sent.jsonl").read_bytes().startswith(ledger)  # it survived the regeneration
        assert (
            f"already sent summary.pdf to {BOSS} at {ledger_lines(output)[0]['sent_at']}; changed since "
            "(regenerated): --force sends the new version"
        ) in rerun.output

        forced = send(config, output, "--force")
    assert forced.exit_code == 0, forced.output
    new_summary = handler.to(BOSS)[-1]
    assert "availability 95.0%" in handler.to(BOSS)[0].get_body(("plain",)).get_content()
    assert "availability −236.7%" in new_summary.get_body(("plain",)).get_content()  # the corrected numbers
    assert len(handler.messages) == 14


def test_run_send_sends_nothing_when_an_slo_could_not_be_counted(tmp_path: Path, password: str, monkeypatch):
    def failing_source(config):
        real = source_for(config)

        class Source:
            def fetch(self, config, start, end):
                counts = real.fetch(config, start, end)
                return dataclasses.replace(counts, problems={("api", "availability"): "query timed out"})

        return Source()

    monkeypatch.setattr(cli, "source_for", failing_source)
    handler = Recorder()
    with smtp_server(handler, password=password) as port:
        result = invoke(
            "run",
            "--config",
            write_config(tmp_path, port),
            "--month",
            "2026-10",
            "--output",
            tmp_path / "out",
            "--send",
        )
    assert result.exit_code == 1
    assert "nothing was emailed" in result.output
    assert handler.messages == [] and (tmp_path / "out" / "2026-10" / "summary.pdf").is_file()


def test_a_second_sender_at_the_same_time_is_refused(out: Path, tmp_path: Path, password: str):
    from reports.output import output_lock

    with smtp_server(Recorder(), password=password) as port, output_lock(out):
        result = send(write_config(tmp_path, port), out)
    assert result.exit_code == 1
    assert result.output == (
        f"Error: another slo-report is writing or sending in {out}; try again when it has finished\n"
    )


def test_a_server_reply_that_echoes_the_password_is_scrubbed(out: Path, tmp_path: Path):
    """Some servers quote the failed AUTH line; the base64 form of the password must not leak either."""
    import base64
    import smtplib

    config, _ = load_config(write_config(tmp_path, free_port()))
    _, secrets = smtp_connector(config.email.smtp, {PASSWORD_ENV: PASSWORD})
    echoed = base64.b64encode(PASSWORD.encode()).decode()

    def connect():
        raise smtplib.SMTPAuthenticationError(535, f"5.7.8 bad credentials {echoed} / {PASSWORD}".encode())

    result = send_month(config, out, "2026-10", now=NOW, connect=connect, secrets=secrets, delays=())
    assert result.failed[0][1] == "535 5.7.8 bad credentials *** / ***"
    assert len(result.failed) == 5  # a refused login is not retried for every message


def test_the_ledger_matches_recipients_case_insensitively_and_survives_a_torn_line(tmp_path: Path):
    from reports.deliver.ledger import Entry

    ledger = Ledger(tmp_path)
    ledger.record(Entry("Boss <Boss@Example.com>", "summary.pdf", "abc", "<id@x>", "2026-11-01T06:00:00Z"))
    with (tmp_path / "sent.jsonl").open("a") as handle:
        handle.write('{"recipient": "cut sh')
    again = Ledger(tmp_path)
    assert again.sent("boss@example.com", "summary.pdf").message_id == "<id@x>"
    assert again.sent("boss@example.com", "api.pdf") is None


@pytest.mark.parametrize(
    "frozen, zone, month",
    [
        ("2026-11-01 06:00:00", "UTC", "2026-10"),
        ("2027-01-01 00:00:00", "UTC", "2026-12"),
        ("2026-11-01 08:00:00", "America/New_York", "2026-10"),  # 03:00 in New York (EST since 02:00)
        ("2026-11-01 03:00:00", "America/New_York", "2026-09"),  # still 31 October, 23:00, in New York
    ],
)
def test_the_default_month_is_the_previous_month_in_the_config_time_zone(
    generated: Path, tmp_path: Path, frozen: str, zone: str, month: str
):
    out = tmp_path / "out"
    for name in ("2026-09", "2026-10", "2026-11", "2026-12"):
        shutil.copytree(generated / "2026-10", out / name)
    config = write_config(tmp_path, free_port(), timezone_=zone)
    with freeze_time(frozen):
        result = invoke("send", "--config", config, "--output", out, "--dry-run")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1] == (
        f"dry run: would send 5, already sent 0 message(s) for {month}; nothing was sent"
    )


@pytest.mark.parametrize(
    "smtp, problem",
    [
        (
            {"host": "mail.example.com", "password": PASSWORD},
            "email.smtp: has a password key; passwords do not belong in the config file: remove it, put the password in an "
            "environment variable and name that variable in password_env",
        ),
        (
            {"host": "mail.example.com", "username": "u", "password_env": PASSWORD},
            "email.smtp.password_env: is not an environment variable name (letters, digits and _); write the "
            "variable's name, e.g. SLO_REPORT_SMTP_PASSWORD, and keep the password in the environment",
        ),
        (
            {"host": "mail.example.com", "starttls": True, "ssl": True},
            "email.smtp: starttls and ssl are exclusive; keep ssl: true for port 465, or starttls: true for port 587",
        ),
        (
            {"host": "mail.example.com", "starttls": False, "username": "u", "password_env": "P"},
            "email.smtp: the password would cross the network unencrypted to mail.example.com; set starttls: true "
            "(port 587) or ssl: true (port 465)",
        ),
        (
            {"host": "mail.example.com", "username": "u"},
            "email.smtp: username without password_env; add password_env: SLO_REPORT_SMTP_PASSWORD (the name of the "
            "environment variable holding the password)",
        ),
    ],
)
def test_smtp_config_problems_never_echo_a_password(smtp: dict, problem: str):
    with pytest.raises(ConfigError) as error:
        parse_config(catalogue(email={"smtp": smtp, "from": "slo@example.com"}))
    assert error.value.problems == [problem]
    assert PASSWORD not in str(error.value)


def test_email_config_problems_name_the_key_and_the_fix():
    with pytest.raises(ConfigError) as error:
        parse_config(
            catalogue(
                email={
                    "smtp": {"host": "h"},
                    "from": "nobody",
                    "summary_to": ["a@x.org", "b\nBcc: c@x.org"],
                    "subject": "{title} for {when}",
                }
            )
        )
    assert error.value.problems == [
        "email.from: 'nobody' is not an email address; write it as name@example.com",
        "email.summary_to[1]: 'b\\nBcc: c@x.org' is not an email address; write it as name@example.com",
        "email.subject: unknown placeholder {when}; use {title} and {month} (write {{ and }} for literal braces)",
    ]
    config, warnings = parse_config(catalogue(email={"smtp": {"host": "h"}, "from": "a@x.org", "summry_to": []}))
    assert config.email.from_ == "a@x.org"
    assert warnings == ["email.summry_to: unknown key; remove it or fix its spelling (did you mean 'summary_to'?)"]
