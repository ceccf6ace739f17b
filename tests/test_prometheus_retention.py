"""A Prometheus whose retention (15 days) has deleted the month's beginning: the month is reported as deleted
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
    with prometheus(build_tsdb(scrapes.openmetrics(), folder), folder, retention="15d") as url:
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


def broken_catalogue(url: str) -> dict:
    """One sound SLO and one mistake of each kind doctor must find (a query that does not parse is
    refused earlier, by validation: see test_config)."""
    return {
        "timezone": "UTC",
        "source": {"type": "prometheus", "url": url},
        "services": [
            {
                "name": "api",
                "slos": [
                    {
                        "name": "availability",
                        "objective": 0.999,
                        "sli": {"total": "api_requests_total", "bad": 'api_requests_total{code=~"5.."}'},
                    },
                    {
                        "name": "typo",
                        "objective": 0.99,
                        "sli": {"total": "api_request_total", "good": 'api_requests_total{code="200"}'},
                    },
                    {
                        "name": "latency",
                        "objective": 0.99,
                        "sli": {"kind": "latency", "histogram": "api_duration_seconds", "threshold": 0.3},
                    },
                ],
            }
        ],
    }


def test_doctor_finds_every_problem_of_a_broken_config(recent_prometheus):
    from datetime import UTC, datetime

    from reports.config import parse_config
    from reports.doctor import diagnose
    from reports.window import Month

    config, _ = parse_config(broken_catalogue(recent_prometheus))
    october = [str(f) for f in diagnose(config, Month(2024, 10), datetime(2024, 11, 1, 6, tzinfo=UTC))]
    november = [str(f) for f in diagnose(config, Month(2024, 11), datetime(2024, 11, 1, 6, tzinfo=UTC))]
    assert october[0].startswith(f"ok: source.url {recent_prometheus} answers: prometheus 2.42.0+ds (closed ranges")
    assert october[1] == (
        "error: deleted by retention: the report needs samples from 2024-09-28 00:00 UTC, but the server holds samples "
        "only from 2024-10-17 00:00 UTC on; keep the month in long-term storage (Thanos, Mimir, VictoriaMetrics) or "
        "raise --storage.tsdb.retention.time"
    )
    assert november[1] == (
        "error: retention 15d is shorter than the 33d the report run on 2024-12-01 reads back (from 2024-10-29); keep "
        "the month in long-term storage (Thanos, Mimir, VictoriaMetrics) or raise --storage.tsdb.retention.time to at "
        "least 35d"
    )
    assert october[2:] == [
        "ok: api/availability: total selector api_requests_total matches 1 series",
        'warning: api/availability: the bad selector api_requests_total{code=~"5.."} matches no series in the last day '
        "(fine if the counter is created by its first event; a typo would count no bad events)",
        "error: api/typo: the total selector api_request_total matches no series in the last day; check the metric "
        "name and labels",
        'ok: api/typo: good selector api_requests_total{code="200"} matches 1 series',
        "error: api/latency: no buckets of api_duration_seconds in the last day; check the metric name",
    ]


def test_doctor_exits_1_on_a_blocking_finding_and_0_when_all_is_well(recent_prometheus, tmp_path: Path):
    data = broken_catalogue(recent_prometheus)
    (tmp_path / "broken.yaml").write_text(yaml.safe_dump(data))
    data["services"][0]["slos"] = data["services"][0]["slos"][:1]
    (tmp_path / "sound.yaml").write_text(yaml.safe_dump(data))
    broken = CliRunner().invoke(main, ["doctor", "--config", str(tmp_path / "broken.yaml"), "--month", "2024-10"])
    assert broken.exit_code == 1
    assert "error: api/typo: the total selector api_request_total matches no series" in broken.output
    assert all(line.split(":")[0] in ("ok", "warning", "error") for line in broken.output.splitlines())
    sound = CliRunner().invoke(main, ["doctor", "--config", str(tmp_path / "sound.yaml"), "--month", "2024-10"])
    assert sound.exit_code == 1  # October is gone: retention is blocking on its own
    assert "error: deleted by retention" in sound.output
    quiet = CliRunner().invoke(
        main, ["doctor", "--config", str(tmp_path / "broken.yaml"), "--month", "2024-10", "--quiet"]
    )
    assert quiet.exit_code == 1 and quiet.output.splitlines() == [
        line for line in broken.output.splitlines() if line.startswith("error:")
    ]
    assert len(quiet.output.splitlines()) == 3  # retention, the typo'd selector, the missing buckets


def test_doctor_passes_a_sound_config_on_a_server_that_holds_the_month(exact_prometheus_url, tmp_path: Path):
    data = broken_catalogue(exact_prometheus_url)
    data["services"][0]["slos"] = [
        {
            "name": "posted",
            "objective": 0.99,
            "sli": {"total": "ledger_entries_total", "bad": 'ledger_entries_total{outcome="rejected"}'},
        },
        {
            "name": "latency",
            "objective": 0.9,
            "sli": {"kind": "latency", "histogram": "shop_request_duration_seconds", "threshold": 1},
        },
    ]
    (tmp_path / "sound.yaml").write_text(yaml.safe_dump(data))
    sound = CliRunner().invoke(main, ["doctor", "--config", str(tmp_path / "sound.yaml"), "--month", "2024-10"])
    assert sound.exit_code == 0, sound.output
    assert "ok: api/latency: threshold 1 is a bucket bound of shop_request_duration_seconds" in sound.output
    assert sound.output.count("\nok: ") == len(sound.output.splitlines()) - 1
