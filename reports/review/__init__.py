"""The quarterly SLO review and month-over-month history, read from earlier months' report.json."""
