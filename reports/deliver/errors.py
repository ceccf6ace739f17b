"""The one exception delivery raises for expected failures (the CLI prints it as one line)."""

from ..errors import ReportError


class DeliveryError(ReportError):
    """Sending cannot start: no email config, no generated month, a missing password, a busy folder."""
