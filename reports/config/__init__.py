"""The catalogue: a typed schema for the YAML file that describes every service and SLO.

Each field's docstring is its documentation (``docs/configuration.md`` is generated from
them). ``load_config`` collects every problem and raises once, with one line per problem
in the form ``path: what is wrong; how to fix it``. One module per part of the file.
"""

from ..changes import CHANGE_KINDS, ChangeKind
from .base import ConfigError, Duration, format_duration, parse_duration
from .catalogue import Config
from .customers import CustomersConfig, TierConfig
from .email import EmailAddress, EmailConfig, SmtpConfig
from .load import load_config, parse_config
from .policy import DEFAULT_ZONE_RULES, PolicyConfig, ZoneConfig
from .slo import DowntimeConfig, IncidentConfig, MaintenanceConfig, ServiceConfig, SliConfig, SloConfig
from .source import BasicAuthConfig, SourceConfig
from .store import StoreConfig

__all__ = [
    "CHANGE_KINDS",
    "BasicAuthConfig",
    "ChangeKind",
    "Config",
    "ConfigError",
    "CustomersConfig",
    "DEFAULT_ZONE_RULES",
    "DowntimeConfig",
    "Duration",
    "EmailAddress",
    "EmailConfig",
    "IncidentConfig",
    "MaintenanceConfig",
    "PolicyConfig",
    "ServiceConfig",
    "SliConfig",
    "SloConfig",
    "SmtpConfig",
    "SourceConfig",
    "StoreConfig",
    "TierConfig",
    "ZoneConfig",
    "format_duration",
    "load_config",
    "parse_config",
    "parse_duration",
]
