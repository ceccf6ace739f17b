"""The example catalogue and the generated docs are documentation: they must not rot."""

import gzip
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from reports.docs import config_reference
from tests.conftest import ROOT


def test_example_config_loads_strictly(example_config):
    assert [s.name for s in example_config.services] == ["model-api", "batch-inference", "feature-store"]


def test_example_month_has_the_documented_shape(example_report):
    zones = {s.name: s.zone.name for s in example_report.services}
    assert zones == {"model-api": "yellow", "batch-inference": "red", "feature-store": "yellow"}
    availability = example_report.service("model-api").slos[0].result
    assert (availability.good_events, availability.total_events) == (25_005_144, 25_022_777)


@pytest.mark.slow
def test_example_data_is_reproducible_from_its_seeded_script(tmp_path: Path):
    out = tmp_path / "data.csv.gz"
    subprocess.run(
        [sys.executable, str(ROOT / "examples/ml-platform/generate_data.py"), "--out", str(out)],
        check=True,
        capture_output=True,
    )
    committed = ROOT / "examples/ml-platform/data/ml-platform.csv.gz"
    assert gzip.decompress(out.read_bytes()) == gzip.decompress(committed.read_bytes())


def test_configuration_reference_is_current():
    assert (ROOT / "docs/configuration.md").read_text() == config_reference(), (
        "regenerate: python -m reports.docs > docs/configuration.md"
    )


@pytest.mark.slow
def test_wheel_ships_templates_queries_and_schema(tmp_path: Path):
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(ROOT)],
        check=True,
        capture_output=True,
    )
    [wheel] = tmp_path.glob("*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "reports/templates/service.html" in names
    assert "reports/queries/ratio.promql" in names
    assert "reports/schema/report.schema.json" in names
    modules = {str(p.relative_to(ROOT)) for p in (ROOT / "reports").rglob("*.py")}
    assert modules <= set(names), (
        f"modules missing from the wheel (add their package to pyproject): {modules - set(names)}"
    )
