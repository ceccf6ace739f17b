"""Monthly delivery by email: the mail server and who receives what."""

from __future__ import annotations

from datetime import timedelta
from typing import Any, Literal

from pydantic import Field, field_validator, model_validator

from .base import Duration, Model, env_var_name, hidden_character

_LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "::1")
_SUBJECT_FIELDS = {"title": "", "month": ""}


def _email_address(value: Any) -> str:
    """One mailbox, ``name@example.com`` or ``Name <name@example.com>``; one line of visible
    characters only, so no header injection and no display name that reads as something else."""
    from email.utils import parseaddr

    text = str(value).strip()
    _, address = parseaddr(text)
    if hidden_character(text) or "@" not in address or address.startswith("@") or address.endswith("@"):
        raise ValueError(f"{value!r} is not an email address; write it as name@example.com")
    return text


class EmailAddress(str):
    """A validated mailbox (see ``_email_address``); a type of its own so the reference names it."""

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: Any) -> Any:
        from pydantic_core import core_schema

        return core_schema.no_info_after_validator_function(_email_address, core_schema.str_schema())


class SmtpConfig(Model):
    """The mail server the reports are sent through. The password is never written here:
    it is read from the environment variable named by ``password_env``."""

    host: str = Field(min_length=1)
    """Host name of the SMTP server (submission or local relay)."""
    port: int | None = Field(None, gt=0, lt=65536)
    """TCP port; default 465 with ``ssl``, else 587 (a local relay usually listens on 25)."""
    starttls: bool = True
    """Upgrade the connection with STARTTLS before logging in (port 587). Exclusive with ``ssl``."""
    ssl: bool = False
    """Connect with TLS from the start (port 465). Exclusive with ``starttls``."""
    username: str | None = None
    """Login name, if the server requires authentication."""
    password_env: str | None = None
    """Name of the environment variable holding the password, e.g. ``SLO_REPORT_SMTP_PASSWORD``; required with ``username``."""
    timeout: Duration = timedelta(seconds=30)
    """How long to wait for the server on each network operation before treating the attempt as failed."""
    retries: int = Field(4, ge=0, le=10)
    """Attempts after the first when a message fails transiently (connection refused, timeout, 4xx reply); 0 tries once."""
    retry_delay: Duration = timedelta(seconds=15)
    """Pause before the first retry; each further pause doubles (15s, 30s, 1m, 2m by default)."""

    @model_validator(mode="before")
    @classmethod
    def _no_password_in_the_file(cls, data: Any) -> Any:
        if isinstance(data, dict) and "password" in data:
            # The value is deliberately not repeated: it may be a real password.
            raise ValueError(
                "has a password key; passwords do not belong in the config file: remove it, put the "
                "password in an environment variable and name that variable in password_env"
            )
        return data

    @field_validator("password_env")
    @classmethod
    def _check_password_env(cls, value: str | None) -> str | None:
        return env_var_name(
            value,
            "write the variable's name, e.g. SLO_REPORT_SMTP_PASSWORD, and keep the password in the environment",
        )

    @model_validator(mode="after")
    def _check_security(self) -> SmtpConfig:
        if self.starttls and self.ssl:
            raise ValueError(
                "starttls and ssl are exclusive; keep ssl: true for port 465, or starttls: true for port 587"
            )
        if self.username and not self.password_env:
            raise ValueError(
                "username without password_env; add password_env: SLO_REPORT_SMTP_PASSWORD "
                "(the name of the environment variable holding the password)"
            )
        if self.password_env and not self.username:
            raise ValueError("password_env without username; add the login name as username")
        if self.username and not (self.starttls or self.ssl) and self.host.lower() not in _LOOPBACK_HOSTS:
            raise ValueError(
                f"the password would cross the network unencrypted to {self.host}; "
                "set starttls: true (port 587) or ssl: true (port 465)"
            )
        return self

    @property
    def effective_port(self) -> int:
        return self.port or (465 if self.ssl else 587)

    @property
    def backoff(self) -> tuple[float, ...]:
        """The pauses, in seconds, between attempts."""
        return tuple(self.retry_delay.total_seconds() * 2**n for n in range(self.retries))


class EmailConfig(Model):
    """Monthly delivery by email (``slo-report send``, ``slo-report run --send``). Each service's
    ``email`` list gets its service PDF; ``summary_to`` gets ``summary.pdf``."""

    smtp: SmtpConfig
    """The mail server."""
    from_: EmailAddress = Field(alias="from")
    """Sender address, e.g. ``SLO reports <slo-reports@example.com>``."""
    summary_to: list[EmailAddress] = []
    """Who receives ``summary.pdf`` with a short body listing every service, its zone and budget left."""
    subject: str = "{title}: SLO report for {month}"
    """Subject line; ``{title}`` is the report title, ``{month}`` the month (e.g. October 2026). Service and credit messages add ` — service` or ` — SLA credits`."""
    account_team_to: list[EmailAddress] = []
    """Who receives ``credits.csv`` (customer SLA credits) when the month has one."""
    statements: Literal["account_team", "customer", "none"] = "account_team"
    """Where each customer's SLA statement (``customers/<customer>.pdf``) goes: ``account_team`` (``account_team_to``, to review and forward), ``customer`` (the customer's ``customers.contacts``; a customer without one goes to the account team), or ``none``."""
    quarterly_to: list[EmailAddress] = []
    """Who receives the quarterly review (``review.pdf``), sent by ``slo-report send --quarter YYYY-QN``."""

    @field_validator("subject")
    @classmethod
    def _check_subject(cls, value: str) -> str:
        if "\n" in value or "\r" in value:
            raise ValueError("must be one line; remove the line breaks")
        try:
            value.format(**_SUBJECT_FIELDS)
        except (KeyError, IndexError) as exc:
            raise ValueError(
                f"unknown placeholder {{{exc.args[0]}}}; use {{title}} and {{month}} "
                "(write {{ and }} for literal braces)"
            ) from None
        except ValueError as exc:
            raise ValueError(
                f"is not a valid template ({exc}); use {{title}} and {{month}}, "
                "and write {{ and }} for literal braces"
            ) from None
        return value

    def subject_for(self, title: str, month_label: str) -> str:
        return self.subject.format(title=title, month=month_label)
