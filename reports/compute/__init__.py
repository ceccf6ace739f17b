"""Pure computation: event counts in, frozen results out. No I/O, no clock."""

from .results import SloResult
from .slo import compute_slo

__all__ = ["SloResult", "compute_slo"]
