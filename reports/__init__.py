"""slo-reports: the monthly SLO report.

Stages, each a module, data flowing one way:
config → sources → compute → policy → render → output (see ``pipeline.build_month``).
"""

__version__ = "0.1.0"
