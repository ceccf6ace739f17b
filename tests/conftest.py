"""Shared fixtures: the example catalogue (documentation that must not rot), its October 2026
computed and rendered once per session, small hand-made event frames, and PDF text helpers."""

from __future__ import annotations

import functools
import io
import re
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest
from pypdf import PdfReader

from reports.config import load_config, parse_config
from reports.output import write_month
from reports.pipeline import build_month
from reports.render import render_documents
from reports.sources import source_for
from reports.window import Month

pytest_plugins = ("tests.prom_exact_servers",)
ROOT = Path(__file__).resolve().parent.parent
EXAMPLE_CONFIG = ROOT / "examples" / "ml-platform" / "slo-report.yaml"
OCTOBER = Month(2026, 10)
RUN_AT = datetime(2026, 11, 1, 6, 0, tzinfo=UTC)


RENDERED = {"example_rendering", "example_files", "example_output"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """A test that uses the rendered example month is a ``render`` test (see the README's Tests)."""
    for item in items:
        if RENDERED & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.render)


@pytest.fixture(scope="session")
def example_config():
    config, warnings = load_config(EXAMPLE_CONFIG, strict=True)
    assert warnings == []
    return config


@pytest.fixture(scope="session")
def example_report(example_config):
    """The example's October 2026, computed once for the session."""
    return build_month(example_config, source_for(example_config), OCTOBER, RUN_AT)


@pytest.fixture(scope="session")
def example_rendering(example_report) -> tuple[dict[str, bytes], tuple[str, ...]]:
    """The example month's files, rendered once for the session (WeasyPrint is most of the
    suite's time), and the progress messages rendering printed. Read-only: tests share it."""
    messages: list[str] = []
    files = render_documents(example_report, messages.append)
    return files, tuple(messages)


@pytest.fixture(scope="session")
def example_files(example_rendering) -> dict[str, bytes]:
    return example_rendering[0]


@pytest.fixture(scope="session")
def example_output(example_files, tmp_path_factory) -> Path:
    """An output folder holding the example's ``2026-10/`` as ``slo-report run`` writes it.
    Read-only: copy it (``shutil.copytree``) to change it."""
    output = tmp_path_factory.mktemp("example-output")
    write_month(example_files, output, str(OCTOBER))
    return output


@functools.cache
def pdf_text(data: bytes) -> str:
    """A PDF's text, whitespace collapsed (cached: the same document is read by many tests)."""
    reader = PdfReader(io.BytesIO(data))
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))


@functools.cache
def pdf_page_texts(data: bytes) -> tuple[str, ...]:
    """A PDF's text page by page, whitespace collapsed, as a reader sees each page."""
    return tuple(re.sub(r"\s+", " ", page.extract_text()) for page in PdfReader(io.BytesIO(data)).pages)


@functools.cache
def pdf_pages(data: bytes) -> int:
    return len(PdfReader(io.BytesIO(data)).pages)


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


def step_counts_of(frame: pd.DataFrame, start, end, step, customers: bool = True):
    """A source frame's rows laid on the grid of [start, end), as computation takes them."""
    from reports.pipeline import step_counts
    from reports.sources import StepGrid, slo_counts

    grid = StepGrid(start, end, step)
    counts = slo_counts(
        "api",
        "availability",
        grid,
        grid.positions(frame["timestamp"]),
        frame["good"].to_numpy(),
        frame["total"].to_numpy(),
        frame["customer"].to_numpy(object) if customers else None,
    )
    return step_counts(counts, grid)


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
