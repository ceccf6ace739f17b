"""Pure computation: its own input types in, frozen results out. No I/O, no clock, no config models."""

from .customers import CustomerPlan, Tier
from .inputs import IncidentRules, MaintenanceWindow, SloSpec, StepCounts
from .results import SloResult
from .slo import compute_slo
from .status import Status

__all__ = [
    "CustomerPlan",
    "IncidentRules",
    "MaintenanceWindow",
    "SloResult",
    "SloSpec",
    "Status",
    "StepCounts",
    "Tier",
    "compute_slo",
]
