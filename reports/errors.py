"""The one base class of every expected failure: the CLI prints any ``ReportError`` as one line.

A bug is anything else, and shows its traceback.
"""


class ReportError(Exception):
    """An expected failure whose message says what is wrong and how to fix it."""
