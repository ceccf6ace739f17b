"""A real SMTP server on loopback for the delivery tests: aiosmtpd, with a handler that
keeps every accepted message and can refuse the first attempts with 4xx replies."""

from __future__ import annotations

import email
import email.policy
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

HOST = "127.0.0.1"
USERNAME = "reports"


def free_port() -> int:
    """A loopback port nothing listens on (also how a test gets a server that is down)."""
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


@dataclass
class Received:
    sender: str
    recipients: list[str]
    message: EmailMessage


@dataclass
class Recorder:
    """Stores accepted messages. ``refuse_rcpt``/``refuse_data``: how many RCPT/DATA commands
    to answer with ``451``/``421`` before accepting."""

    refuse_rcpt: int = 0
    refuse_data: int = 0
    messages: list[Received] = field(default_factory=list)
    refusals: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        with self.lock:
            if self.refuse_rcpt > 0:
                self.refuse_rcpt -= 1
                self.refusals += 1
                return "451 4.3.0 Mailbox temporarily unavailable, try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            if self.refuse_data > 0:
                self.refuse_data -= 1
                self.refusals += 1
                return "421 4.3.2 Service shutting down, try again later"
            message = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
            self.messages.append(Received(envelope.mail_from, list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[EmailMessage]:
        return [r.message for r in self.messages if address in r.recipients]


class PasswordCheck:
    """Accepts ``USERNAME`` with one password; remembers every attempt's outcome."""

    def __init__(self, password: str):
        self.password = password
        self.outcomes: list[bool] = []

    def __call__(self, server, session, envelope, mechanism, auth_data):
        ok = (
            isinstance(auth_data, LoginPassword)
            and auth_data.login.decode() == USERNAME
            and auth_data.password.decode() == self.password
        )
        self.outcomes.append(ok)
        return AuthResult(success=ok, handled=False)


@contextmanager
def smtp_server(handler: Recorder, password: str | None = None) -> Iterator[int]:
    """Runs the server for the ``with`` block; yields its port. With ``password``, AUTH is required."""
    auth = {}
    if password is not None:
        auth = dict(authenticator=PasswordCheck(password), auth_required=True, auth_require_tls=False)
    controller = Controller(handler, hostname=HOST, port=free_port(), **auth)
    controller.start()
    try:
        yield controller.port
    finally:
        controller.stop()
