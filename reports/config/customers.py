"""Customer tiers, SLA credit schedules and who is on which tier."""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path
from typing import Any

from pydantic import Field, ValidationInfo, field_validator, model_validator

from .base import ENV_NAME_RE, Model, Text, check_name, fraction, resolve_path, warn
from .email import EmailAddress


class TierConfig(Model):
    """A customer tier: its objective and, optionally, the SLA promised with its credits."""

    objective: float
    """The tier's internal objective as a fraction, e.g. 0.9995."""
    sla: float | None = None
    """The SLI promised in the contract; none for tiers without an SLA (no credits)."""
    credits: dict[float, float] = {}
    """"SLI below this bound" → credit as a percentage of the month's fee, e.g. ``{0.999: 10, 0.99: 25, 0.95: 100}``; the largest applicable credit wins."""
    fee: float | None = Field(None, gt=0)
    """The tier's monthly fee in ``customers.currency``; with it, statements give credits as amounts (``customers.fees`` overrides it per customer)."""

    @field_validator("objective", mode="before")
    @classmethod
    def _check_objective(cls, value: Any) -> float:
        return fraction(value, "0.9995")

    @field_validator("sla", mode="before")
    @classmethod
    def _check_sla(cls, value: Any) -> Any:
        return None if value is None else fraction(value, "0.999")

    @field_validator("credits", mode="before")
    @classmethod
    def _check_credits(cls, value: Any) -> Any:
        if not isinstance(value, dict):
            return value
        for bound, percent in value.items():
            fraction(bound, "0.999")
            if isinstance(percent, bool) or not isinstance(percent, (int, float)) or not 0 < percent <= 100:
                raise ValueError(
                    f"credit {percent!r} for SLI below {bound} is not a percentage in (0, 100]; write e.g. 10"
                )
        return value

    @field_validator("credits")
    @classmethod
    def _credits_rise_as_the_sli_falls(cls, credits: dict[float, float]) -> dict[float, float]:
        """The largest applicable credit wins, so an entry below another with a smaller credit never applies."""
        ordered = sorted(credits.items(), reverse=True)
        for (upper, upper_credit), (lower, lower_credit) in pairwise(ordered):
            if lower_credit <= upper_credit:
                raise ValueError(
                    f"credit {lower_credit:g} for SLI below {lower:g} is not more than the {upper_credit:g} for "
                    f"below {upper:g}, so it can never apply; credits must rise as the SLI falls, "
                    f"e.g. {{0.999: 10, 0.99: 25, 0.95: 100}}"
                )
        return credits

    @model_validator(mode="after")
    def _credits_need_sla(self) -> TierConfig:
        if self.credits and self.sla is None:
            raise ValueError("credits without an sla; add sla: (the promised SLI) or remove credits")
        return self


class CustomersConfig(Model):
    """Customer tiers, SLA credits and who is on which tier."""

    label: str = "customer"
    """The label (Prometheus) or column (file) that carries the customer id."""
    default_tier: str
    """Tier of customers seen in the data but not assigned."""
    tiers: dict[str, TierConfig] = Field(min_length=1)
    """Tiers by name."""
    assignments: dict[str, str] = {}
    """Customer → tier, e.g. ``{acme: enterprise}``."""
    assignments_file: Path | None = None
    """CSV with columns ``customer,tier`` (a billing export), relative to the config file; merged with ``assignments``."""
    fees: dict[str, float] = {}
    """Customer → its monthly fee in ``currency`` (overrides the tier's ``fee``), e.g. ``{acme: 12000}``."""
    currency: str = ""
    """ISO currency code of the fees, e.g. ``EUR``; required with any fee."""
    claim: Text = ""
    """How a customer claims a credit, printed on every statement, e.g. ``Reply to this statement within 30 days``."""
    contact: Text = ""
    """Who customers contact about their statement, e.g. ``SLA desk, sla@example.com``."""
    contacts: dict[str, list[EmailAddress]] = {}
    """Customer → who receives its statement when ``email.statements`` is ``customer``, e.g. ``{acme: [sre@acme.example]}``."""

    @field_validator("label")
    @classmethod
    def _label_name(cls, value: str) -> str:
        if not ENV_NAME_RE.match(value):
            raise ValueError(f"{value!r} is not a label or column name; use letters, digits and _, e.g. customer")
        return value

    @field_validator("tiers")
    @classmethod
    def _tier_names(cls, tiers: dict[str, TierConfig]) -> dict[str, TierConfig]:
        for name in tiers:
            check_name(name, "tier")
        return tiers

    @field_validator("assignments")
    @classmethod
    def _assignment_names(cls, assignments: dict[str, str]) -> dict[str, str]:
        for customer, tier in assignments.items():
            check_name(customer, "customer", longest=None)
            check_name(tier, "tier")
        return assignments

    @field_validator("fees")
    @classmethod
    def _positive_fees(cls, fees: dict[str, float]) -> dict[str, float]:
        for customer, fee in fees.items():
            if isinstance(fee, bool) or not isinstance(fee, (int, float)) or not fee > 0:
                raise ValueError(f"fee {fee!r} of {customer!r} is not a positive amount; write e.g. 12000")
        return fees

    @model_validator(mode="after")
    def _fees_need_a_currency(self) -> CustomersConfig:
        has_fee = self.fees or any(t.fee is not None for t in self.tiers.values())
        if has_fee and not self.currency.strip():
            raise ValueError("fees without a currency; add currency: (an ISO code such as EUR or USD)")
        return self

    @field_validator("assignments_file")
    @classmethod
    def _resolve_file(cls, value: Path | None, info: ValidationInfo) -> Path | None:
        return resolve_path(value, info)

    @model_validator(mode="after")
    def _known_tiers(self, info: ValidationInfo) -> CustomersConfig:
        for name, tier in self.tiers.items():
            if tier.sla is not None and tier.sla > tier.objective:
                warn(
                    info,
                    f"customers.tiers.{name}.sla: {tier.sla:g} is stricter than the tier's objective "
                    f"{tier.objective:g}; make the objective at least as strict (internal objectives are "
                    "meant to be tighter than the promise)",
                )
        problems = []
        if self.default_tier not in self.tiers:
            problems.append(f"default_tier {self.default_tier!r} is not a tier; use one of {', '.join(self.tiers)}")
        for customer, assigned in self.all_assignments().items():
            if assigned not in self.tiers:
                problems.append(
                    f"customer {customer!r} is assigned to unknown tier {assigned!r}; use one of {', '.join(self.tiers)}"
                )
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def all_assignments(self) -> dict[str, str]:
        """``assignments_file`` rows, then ``assignments`` on top."""
        merged = {}
        if self.assignments_file is not None:
            merged.update(_read_assignments(self.assignments_file))
        merged.update(self.assignments)
        return merged


def _read_assignments(path: Path) -> dict[str, str]:
    import csv

    try:
        with path.open(newline="", encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle))
    except OSError as exc:
        raise ValueError(f"cannot read {path}: {exc.strerror}; check the path (relative to the config file)") from None
    if rows and not {"customer", "tier"} <= set(rows[0]):
        raise ValueError(f"{path} needs the columns customer,tier")
    assignments = {}
    for line, row in enumerate(rows, start=2):
        customer, tier = (row.get("customer") or "").strip(), (row.get("tier") or "").strip()
        if customer:
            try:
                assignments[check_name(customer, "customer", longest=None)] = check_name(tier, "tier")
            except ValueError as exc:
                raise ValueError(f"assignments_file {path} line {line}: {exc}") from None
    return assignments
