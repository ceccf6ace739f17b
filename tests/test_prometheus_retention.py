"""A Prometheus whose retention has deleted the month's beginning: the month is reported as deleted
by retention, with the first day the server holds and the fix, never as an ordinary "no data"."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import yaml
from click.testing import CliRunner

from reports.cli import main
from tests.prom_scrapes import Scraped, Scrapes, epoch
from tests.prom_servers import build_tsdb, prometheus

HELD_FROM = epoch("2024-10-17T00:00:37Z")
"""What a 15-day retention leaves of October on November 1st: the samples from the 17th on."""


@pytest.fixture(scope="module")
def recent_prometheus(tmp_path_factory):
    times = np.arange(HELD_FROM, epoch("2024-11-01T06:00:00Z"), 60)
    rng = np.random.default_rng(17)
    events = np.repeat(np.arange(HELD_FROM - 86400, times[-1]), rng.poisson(0.2, times[-1] - HELD_FROM + 86400))
    scrapes = Scrapes([Scraped("api_requests_total", {"code": "200"}, events, times)])
    folder = tmp_path_factory.mktemp("retention")
    with prometheus(build_tsdb(scrapes.openmetrics(), folder), folder) as url:
        yield url


def test_a_month_older_than_the_retention_is_deleted_by_retention_and_the_run_exits_1(
    recent_prometheus, tmp_path: Path
):
    data = {
        "timezone": "UTC",
        "source": {"type": "prometheus", "url": recent_prometheus},
        "services": [
            {
                "name": "api",
                "slos": [
                    {
                        "name": "availability",
                        "objective": 0.999,
                        "sli": {"total": "api_requests_total", "bad": 'api_requests_total{code=~"5.."}'},
                    }
                ],
            }
        ],
    }
    (tmp_path / "slo-report.yaml").write_text(yaml.safe_dump(data))
    run = CliRunner().invoke(
        main, ["run", "--config", str(tmp_path / "slo-report.yaml"), "--month", "2024-10", "--output", str(tmp_path)]
    )
    assert run.exit_code == 1
    message = (
        "error: api/availability: deleted by retention: the report needs samples from 2024-09-28 00:00 UTC, but "
        f"{recent_prometheus} holds samples only from 2024-10-17 00:00 UTC on; keep "
        "the months you report on in long-term storage"
    )
    assert message in run.output
    slo = json.loads((tmp_path / "2024-10/report.json").read_text())["services"][0]["slos"][0]
    assert slo["status"] == "no data" and "deleted by retention" in slo["no_data_reason"]
