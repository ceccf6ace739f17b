"""The one exception delivery raises for expected failures (the CLI prints it as one line)."""


class DeliveryError(Exception):
    """Sending cannot start: no email config, no generated month, a missing password, a busy folder."""
