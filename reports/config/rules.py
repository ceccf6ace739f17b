"""What ``slo-report rules`` writes: names, labels and annotations of the generated Prometheus rules."""

from __future__ import annotations

from datetime import timedelta

from pydantic import field_validator

from .base import ENV_NAME_RE, Duration, Model


class RulesConfig(Model):
    """Labels and annotations of the recording and alerting rules ``slo-report rules`` generates."""

    alert_name: str = "SLOErrorBudgetBurn"
    """Name of every burn-rate alert; the pairs are told apart by the ``severity`` and ``windows`` labels."""
    service_label: str = "service"
    """Label that carries the service name on every generated series and alert."""
    slo_label: str = "slo"
    """Label that carries the SLO name on every generated series and alert."""
    severity_label: str = "severity"
    """Label that carries the alert's severity."""
    severities: dict[str, str] = {"page": "page", "ticket": "ticket"}
    """The severity label's value for the SRE Workbook's page and ticket pairs, e.g. ``{page: critical, ticket: warning}``."""
    labels: dict[str, str] = {}
    """Extra labels on every generated rule, e.g. ``{team: platform}``; an SLO's own ``labels`` are added on top."""
    runbook: str | None = None
    """Runbook URL for the alerts' ``runbook_url`` annotation; ``{service}`` and ``{slo}`` are filled in. An SLO's ``runbook`` overrides it."""
    group_interval: Duration = timedelta(minutes=1)
    """How often Prometheus evaluates the generated rule groups, e.g. ``1m``."""

    @field_validator("service_label", "slo_label", "severity_label")
    @classmethod
    def _label_name(cls, value: str) -> str:
        if not ENV_NAME_RE.match(value):
            raise ValueError(f"{value!r} is not a Prometheus label name; use letters, digits and _")
        return value

    @field_validator("labels")
    @classmethod
    def _label_names(cls, value: dict[str, str]) -> dict[str, str]:
        for name in value:
            if not ENV_NAME_RE.match(name):
                raise ValueError(f"{name!r} is not a Prometheus label name; use letters, digits and _")
        return value

    @field_validator("severities")
    @classmethod
    def _both_severities(cls, value: dict[str, str]) -> dict[str, str]:
        if set(value) != {"page", "ticket"}:
            raise ValueError("give exactly page and ticket, e.g. {page: critical, ticket: warning}")
        return value
