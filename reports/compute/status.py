"""An SLO's (or a customer's) verdict for the window."""

from enum import StrEnum


class Status(StrEnum):
    """A ``str``: it compares equal to, formats and serialises as its value (``"no data"``)."""

    MET = "met"
    MISSED = "missed"
    NO_DATA = "no data"
