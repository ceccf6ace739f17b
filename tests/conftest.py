"""Shared fixtures: the example catalogue (documentation that must not rot) and small
hand-made event frames."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest

from reports.config import load_config, parse_config
from reports.pipeline import build_month
from reports.sources import source_for
from reports.window import Month

pytest_plugins = ("tests.prom_exact_servers",)
ROOT = Path(__file__).resolve().parent.parent
EXAMPLE_CONFIG = ROOT / "examples" / "ml-platform" / "slo-report.yaml"
OCTOBER = Month(2026, 10)
RUN_AT = datetime(2026, 11, 1, 6, 0, tzinfo=UTC)


@pytest.fixture(scope="session")
def example_config():
    config, warnings = load_config(EXAMPLE_CONFIG, strict=True)
    assert warnings == []
    return config


@pytest.fixture(scope="session")
def example_report(example_config):
    """The example's October 2026, computed once for the session."""
    return build_month(example_config, source_for(example_config), OCTOBER, RUN_AT)


def catalogue(**overrides) -> dict:
    """A minimal valid catalogue as parsed YAML; keyword arguments replace top-level keys."""
    data = {
        "title": "Test",
        "timezone": "UTC",
        "source": {"type": "file", "path": "events.csv"},
        "services": [{"name": "api", "slos": [{"name": "availability", "objective": 0.999}]}],
    }
    data.update(overrides)
    return data


def make_config(tmp_path: Path | None = None, **overrides):
    config, _ = parse_config(catalogue(**overrides), tmp_path)
    return config


def events(
    rows: list[tuple[str, int, int]], service: str = "api", slo: str = "availability", customer: str = ""
) -> pd.DataFrame:
    """Rows of (ISO timestamp, good, total) as a source frame."""
    return pd.DataFrame(
        {
            "timestamp": pd.to_datetime([r[0] for r in rows], utc=True),
            "service": service,
            "slo": slo,
            "customer": customer,
            "good": [r[1] for r in rows],
            "total": [r[2] for r in rows],
        }
    )
