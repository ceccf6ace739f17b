"""SLO specs teams already have (OpenSLO v1, Sloth ``prometheus/v1`` and its Kubernetes CRD),
read into catalogue entries: plain mappings that the catalogue schema then validates.

``read_specs`` detects each file's format; ``catalogue_yaml`` writes an imported catalogue
with a comment naming where each SLO came from.
"""

from .common import Imported, ImportedSlo, SpecError
from .read import catalogue_yaml, read_specs

__all__ = ["Imported", "ImportedSlo", "SpecError", "catalogue_yaml", "read_specs"]
