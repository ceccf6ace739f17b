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
    """Scrapes every minute at :37 s from HELD_FROM: ``api_requests_total`` with random events, and
    ``steady_requests_total`` with exactly 4 events a minute for code 200 and 1 for code 500."""
    times = np.arange(HELD_FROM, epoch("2024-11-01T06:00:00Z"), 60)
    rng = np.random.default_rng(17)
    events = np.repeat(np.arange(HELD_FROM - 86400, times[-1]), rng.poisson(0.2, times[-1] - HELD_FROM + 86400))
    minutes = np.arange(HELD_FROM - 86400, times[-1], 60)
    ok = np.sort(np.concatenate([minutes + offset for offset in (5, 20, 35, 50)]))
    scrapes = Scrapes(
        [
            Scraped("api_requests_total", {"code": "200"}, events, times),
            Scraped("steady_requests_total", {"code": "200"}, ok, times),
            Scraped("steady_requests_total", {"code": "500"}, minutes + 10, times),
        ]
    )
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
        f"{recent_prometheus} holds samples only from 2024-10-17 00:00:37 UTC on; keep "
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
        "only from 2024-10-17 00:00:37 UTC on; keep the month in long-term storage (Thanos, Mimir, VictoriaMetrics) or "
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


def steady_catalogue(url: str, store: Path) -> dict:
    return {
        "timezone": "UTC",
        "source": {"type": "prometheus", "url": url, "step": "5m"},
        "store": {"path": str(store)},
        "services": [
            {
                "name": "steady",
                "slos": [
                    {
                        "name": "availability",
                        "objective": 0.999,
                        "sli": {"total": "steady_requests_total", "bad": 'steady_requests_total{code="500"}'},
                    }
                ],
            }
        ],
    }


@pytest.mark.slow
def test_collect_from_a_day_whose_lead_in_is_past_retention_starts_at_the_first_step_held(
    recent_prometheus, tmp_path: Path
):
    """2024-10-18's lead-in starts 2024-10-17 00:00, 37 s before the oldest sample: the fetch starts at
    the next step, 00:05, and the day is counted whole. Each five-minute step (a, a + 5m] holds the 5
    scrapes after a and, since the scrape before a, exactly 5 minutes of events: 20 with code 200 and
    5 with code 500. The day's 288 steps: 288 × 25 = 7200 events, 288 × 5 = 1440 bad, 5760 good."""
    from datetime import UTC, date, datetime

    from reports.collect import collect
    from reports.config import parse_config
    from reports.sources.prometheus import PrometheusSource
    from reports.sources.store import CountStore

    class Recording(PrometheusSource):
        def fetch(self, config, start, end):
            asked.append((start, end))
            return super().fetch(config, start, end)

    asked: list = []
    config, _ = parse_config(steady_catalogue(recent_prometheus, tmp_path / "store"))
    store = CountStore(config.store.path)
    messages: list[str] = []
    until = datetime(2024, 10, 19, tzinfo=UTC)
    assert PrometheusSource().oldest(config, until) == datetime(2024, 10, 17, 0, 0, 37, tzinfo=UTC)
    result = collect(
        config, store, Recording(), until, since=datetime(2024, 10, 18, tzinfo=UTC), progress=messages.append
    )
    assert result.problems == [] and result.days == [date(2024, 10, 18)]
    assert asked == [(datetime(2024, 10, 17, 0, 5, tzinfo=UTC), until)]
    assert messages[0] == (
        "fetching 1 SLO(s), 2024-10-18 to 2024-10-19 00:00 UTC "
        "(lead-in from 2024-10-17 00:05 UTC: the source holds nothing older)"
    )
    _, rows = store.read(date(2024, 10, 18))
    assert len(rows) == 288
    assert set(zip(rows["good"], rows["total"], strict=True)) == {(20, 25)}
    assert (int(rows["good"].sum()), int(rows["total"].sum())) == (5760, 7200)


@pytest.mark.slow
def test_collect_from_a_day_partly_past_retention_reports_the_retention_problem(recent_prometheus, tmp_path: Path):
    """2024-10-17 itself starts 37 s before the oldest sample: no whole step of lead-in is held before it,
    so the fetch asks for the whole lead-in and Prometheus says what retention deleted, to the second."""
    (tmp_path / "slo-report.yaml").write_text(yaml.safe_dump(steady_catalogue(recent_prometheus, tmp_path / "store")))
    run = CliRunner().invoke(
        main,
        ["collect", "--config", str(tmp_path / "slo-report.yaml"), "--from", "2024-10-17", "--until", "2024-10-18"],
    )
    assert run.exit_code == 1
    assert (
        "steady/availability (2024-10-17 to 2024-10-18 00:00 UTC): steady/availability: deleted by retention: the "
        "report needs samples from 2024-10-16 00:00 UTC, but "
        f"{recent_prometheus} holds samples only from 2024-10-17 00:00:37 UTC on; keep the months you report on in "
        "long-term storage"
    ) in run.output
    assert "1 SLO count(s) could not be collected" in run.output
