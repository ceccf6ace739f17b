"""Talking to the mail server: the real connection factory, and sending one message with
retries and backoff on transient failures.

The connection factory is passed in (the CLI builds it from the config; tests point it at a
loopback server), and so are the pauses and the sleep, so retries can be tested fast.
The password is read from the environment at the last moment and scrubbed from every error.
"""

from __future__ import annotations

import base64
import smtplib
import ssl
import time
from collections.abc import Callable, Mapping, Sequence
from email.message import EmailMessage
from email.utils import parseaddr
from typing import Protocol

from ..config import SmtpConfig
from .errors import DeliveryError


class Client(Protocol):
    def send_message(self, msg: EmailMessage, from_addr: str, to_addrs: list[str]) -> dict: ...
    def quit(self) -> object: ...
    def close(self) -> None: ...


Connect = Callable[[], Client]


def smtp_connector(settings: SmtpConfig, environ: Mapping[str, str]) -> tuple[Connect, tuple[str, ...]]:
    """A factory of connected, logged-in clients, and the secrets to scrub from messages.

    Fails at once (before any work) when the password variable is missing.
    """
    password = None
    if settings.password_env:
        password = environ.get(settings.password_env)
        if not password:
            raise DeliveryError(
                f"email.smtp.password_env: the environment variable {settings.password_env} is not "
                f"set; export it (cron: put it in the wrapper's environment file)"
            )
    timeout = settings.timeout.total_seconds()

    def connect() -> Client:
        if settings.ssl:
            client: smtplib.SMTP = smtplib.SMTP_SSL(
                settings.host, settings.effective_port, timeout=timeout, context=ssl.create_default_context()
            )
        else:
            client = smtplib.SMTP(settings.host, settings.effective_port, timeout=timeout)
        try:
            if settings.starttls:
                client.starttls(context=ssl.create_default_context())
            if settings.username:
                assert password is not None  # the config requires password_env with username; checked above
                client.login(settings.username, password)
        except BaseException:
            client.close()
            raise
        return client

    return connect, secret_forms(password)


def secret_forms(password: str | None) -> tuple[str, ...]:
    """The password and its base64 forms (AUTH PLAIN/LOGIN send it so), for scrubbing."""
    if not password:
        return ()
    raw = password.encode()
    return (password, base64.b64encode(raw).decode())


def scrub(text: str, secrets: Sequence[str]) -> str:
    for secret in secrets:
        text = text.replace(secret, "***")
    return text


def is_transient(exc: BaseException) -> bool:
    """Worth another attempt: refused or dropped connections, timeouts and 4xx replies."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(400 <= code < 500 for code, _ in exc.recipients.values())
    if isinstance(exc, smtplib.SMTPResponseException):
        return 400 <= exc.smtp_code < 500
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return True
    if isinstance(exc, (smtplib.SMTPException, ssl.SSLError)):
        return False  # no AUTH or STARTTLS, a bad certificate: retrying will not help
    return isinstance(exc, OSError)  # refused, reset, unreachable, timed out, DNS


def describe(exc: BaseException) -> str:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return "; ".join(f"{code} {reply.decode(errors='replace')}" for code, reply in exc.recipients.values())
    if isinstance(exc, smtplib.SMTPResponseException):
        reply = exc.smtp_error.decode(errors="replace") if isinstance(exc.smtp_error, bytes) else str(exc.smtp_error)
        return f"{exc.smtp_code} {reply}"
    if isinstance(exc, UnicodeError):
        return (
            "the user name, password or an address has characters SMTP cannot send (non-ASCII); "
            "use ASCII credentials or an SMTPUTF8-capable server"
        )
    if isinstance(exc, TimeoutError):
        return "timed out"
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return str(exc) or type(exc).__name__


class SendFailed(Exception):
    def __init__(self, reason: str, at_connect: bool):
        super().__init__(reason)
        self.reason = reason
        self.at_connect = at_connect
        """The server could not be reached or refused the login: other messages will fail too."""


class Mailer:
    """One connection reused across messages; a failed attempt drops it and the next reconnects."""

    def __init__(
        self,
        connect: Connect,
        delays: Sequence[float],
        sleep: Callable[[float], None] = time.sleep,
        secrets: Sequence[str] = (),
        on_retry: Callable[[str, float], None] = lambda reason, delay: None,
    ):
        self._connect = connect
        self._delays = tuple(delays)
        self._sleep = sleep
        self._secrets = tuple(secrets)
        self._on_retry = on_retry
        self._client: Client | None = None

    def send(self, message: EmailMessage) -> None:
        """Deliver to the message's ``To``; raise :class:`SendFailed` once retries are spent."""
        sender = parseaddr(str(message["From"]))[1]
        recipient = parseaddr(str(message["To"]))[1]
        for attempt in range(len(self._delays) + 1):
            at_connect = self._client is None
            try:
                if self._client is None:
                    self._client = self._connect()
                at_connect = False
                self._client.send_message(message, sender, [recipient])
                return
            except (OSError, UnicodeError) as exc:  # every smtplib, socket and TLS error is an OSError;
                # a password or address the protocol cannot encode is a UnicodeError
                self._drop()
                reason = scrub(describe(exc), self._secrets)
                if not is_transient(exc) or attempt == len(self._delays):
                    raise SendFailed(reason, at_connect) from None
                self._on_retry(reason, self._delays[attempt])
                self._sleep(self._delays[attempt])

    def close(self) -> None:
        if self._client is not None:
            try:
                self._client.quit()
            except Exception:  # noqa: BLE001 — the messages are already accepted
                pass
            self._drop()

    def _drop(self) -> None:
        if self._client is not None:
            try:
                self._client.close()
            except Exception:  # noqa: BLE001
                pass
            self._client = None
