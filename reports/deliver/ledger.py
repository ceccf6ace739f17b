"""The send ledger: one JSON line per message the mail server accepted, in the month folder.

It is what makes sending re-runnable: a message is recorded the moment the server accepts
it (appended and fsynced), so a crash, a failed recipient or a second cron run resends only
what is missing. Keyed by recipient address and document name, not by content: a
regenerated month (new ``generated_at``, so new bytes) is not sent again unless ``--force``.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from email.utils import parseaddr
from pathlib import Path

from ..output import LEDGER_NAME


@dataclass(frozen=True)
class Entry:
    recipient: str
    attachment: str
    """The document's name in the month folder, e.g. ``summary.pdf``."""
    sha256: str
    """Of the document as sent; tells a later run that the month was regenerated since."""
    message_id: str
    sent_at: str
    subject: str = ""


def address_key(recipient: str) -> str:
    """``Boss <Boss@Example.com>`` and ``boss@example.com`` are one recipient."""
    return parseaddr(recipient)[1].lower()


class Ledger:
    def __init__(self, folder: Path):
        self.path = folder / LEDGER_NAME
        self._entries: dict[tuple[str, str], Entry] = {}
        if self.path.is_file():
            for line in self.path.read_text(encoding="utf-8").splitlines():
                try:
                    entry = Entry(**json.loads(line))
                except (ValueError, TypeError):
                    continue  # a line cut short by a crash; the rest still counts
                self._entries[(address_key(entry.recipient), entry.attachment)] = entry

    def sent(self, recipient: str, attachment: str) -> Entry | None:
        """The latest record of this document going to this recipient, if any."""
        return self._entries.get((address_key(recipient), attachment))

    def record(self, entry: Entry) -> None:
        """Append and fsync before the next message: the ledger never lags behind the server."""
        with open(self.path, "a", encoding="utf-8") as handle:
            handle.write(json.dumps(asdict(entry), ensure_ascii=False) + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        self._entries[(address_key(entry.recipient), entry.attachment)] = entry
