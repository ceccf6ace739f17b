"""The count store with the file source: collect day by day, read back, replace, survive kill -9,
and stay readable while a collect writes.

Expectations come straight from the CSV the tests write (sums over its rows), never from the
code under test.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
from datetime import UTC, date, datetime, timedelta
from itertools import product
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from reports.cli import main
from reports.collect import collect, resume_points, store_summary
from reports.config import load_config
from reports.export import report_dict
from reports.pipeline import build_month
from reports.sources import configured_source, source_for
from reports.sources.store import CountStore, StoredSource, StoreError
from reports.window import Month

ROOT = Path(__file__).resolve().parent.parent
OCTOBER = Month(2026, 10)
RUN_AT = datetime(2026, 11, 2, tzinfo=UTC)
DATA_START = datetime(2026, 9, 27, tzinfo=UTC)
DATA_END = datetime(2026, 11, 2, tzinfo=UTC)
CONFIG = """\
title: Store test
timezone: America/New_York
source: {type: file, path: events.csv, step: 5m}
store: {path: store}
output: out
services:
  - name: api
    slos: [{name: availability, objective: 0.999}]
  - name: jobs
    slos: [{name: success, objective: 0.99}]
"""


def write_events(folder: Path, start: datetime = DATA_START, seed: int = 7, bump: date | None = None) -> pd.DataFrame:
    """Two SLOs at 5-minute steps; ``bump`` adds 1000 failed events to api on that day's first step."""
    stamps = pd.date_range(start, DATA_END, freq="5min", inclusive="left")
    rng = np.random.default_rng(seed)
    frames = []
    for service, slo, rate in (("api", "availability", 40), ("jobs", "success", 3)):
        total = rng.poisson(rate, len(stamps))
        bad = rng.binomial(total, 0.002)
        frames.append(
            pd.DataFrame({"timestamp": stamps, "service": service, "slo": slo, "good": total - bad, "total": total})
        )
    frame = pd.concat(frames, ignore_index=True)
    if bump is not None:
        first = (frame["service"] == "api") & (frame["timestamp"] == pd.Timestamp(bump, tz="UTC"))
        frame.loc[first, "total"] += 1000
    out = frame.assign(timestamp=frame["timestamp"].dt.strftime("%Y-%m-%dT%H:%M:%SZ"), customer="")
    out[["timestamp", "service", "slo", "customer", "good", "total"]].to_csv(folder / "events.csv", index=False)
    return frame


def truth(frame: pd.DataFrame, service: str, start: datetime, end: datetime) -> tuple[int, int]:
    rows = frame[(frame["service"] == service) & (frame["timestamp"] >= start) & (frame["timestamp"] < end)]
    return int(rows["good"].sum()), int(rows["total"].sum())


@pytest.fixture
def setup(tmp_path: Path):
    (tmp_path / "slo-report.yaml").write_text(CONFIG)
    frame = write_events(tmp_path)
    config, _ = load_config(tmp_path / "slo-report.yaml")
    return tmp_path, config, frame


def do_collect(config, until: datetime, since: datetime | None = None):
    return collect(config, CountStore(config.store.path), configured_source(config), until, since)


def month_figures(report) -> dict:
    return {
        (s.name, a.result.slo): (a.result.good_events, a.result.total_events) for s in report.services for a in s.slos
    }


def test_collected_day_by_day_the_month_equals_the_source_and_the_truth(setup):
    folder, config, frame = setup
    until = datetime(2026, 9, 28, tzinfo=UTC)
    first = do_collect(config, until, since=DATA_START)
    assert first.days == [date(2026, 9, 27)]
    while until < datetime(2026, 11, 1, 6, tzinfo=UTC):
        until += timedelta(hours=18)  # every step lands mid-day now and then: partial days are re-collected
        do_collect(config, until)
    store = CountStore(config.store.path)
    assert store.days()[0] == date(2026, 9, 27) and store.days()[-1] == date(2026, 11, 1)
    from_store = build_month(config, source_for(config), OCTOBER, RUN_AT)
    assert from_store.source == "count store (collected from file events.csv)"
    window = (datetime(2026, 10, 1, 4, tzinfo=UTC), datetime(2026, 11, 1, 4, tzinfo=UTC))
    assert month_figures(from_store) == {
        ("api", "availability"): truth(frame, "api", *window),
        ("jobs", "success"): truth(frame, "jobs", *window),
    }
    direct = report_dict(build_month(config, configured_source(config), OCTOBER, RUN_AT))
    stored = report_dict(from_store)
    assert direct.pop("source") == "file events.csv"
    stored.pop("source")
    assert stored == direct


def test_a_second_collect_collects_nothing_and_leaves_the_files_alone(setup):
    _, config, _ = setup
    until = datetime(2026, 10, 3, 9, 7, tzinfo=UTC)
    first = do_collect(config, until, since=datetime(2026, 10, 1, tzinfo=UTC))
    assert first.days == [date(2026, 10, 1), date(2026, 10, 2), date(2026, 10, 3)]
    assert first.until == datetime(2026, 10, 3, 9, 5, tzinfo=UTC)  # floored to the step
    store = CountStore(config.store.path)
    before = {day: store.file(day).read_bytes() for day in store.days()}
    second = do_collect(config, until)
    assert second.days == [] and second.rows == 0
    assert {day: store.file(day).read_bytes() for day in store.days()} == before
    # the partial day is collected again whole, from its midnight, once time has moved on
    third = do_collect(config, until + timedelta(hours=1))
    assert third.days == [date(2026, 10, 3)]
    record = store.record(date(2026, 10, 3))
    assert {h.end for h in record.held} == {datetime(2026, 10, 3, 10, 5, tzinfo=UTC)}
    assert third.rows == 2 * (10 * 12 + 1)


def test_an_empty_store_starts_with_the_day_of_until(setup):
    _, config, _ = setup
    store = CountStore(config.store.path)
    until = datetime(2026, 10, 10, 0, 30, tzinfo=UTC)
    assert set(resume_points(store, [("api", "availability")], until).values()) == {date(2026, 10, 10)}
    assert do_collect(config, until).days == [date(2026, 10, 10)]


def test_from_replaces_what_the_store_held_and_nothing_else(setup):
    folder, config, _ = setup
    do_collect(config, datetime(2026, 10, 6, tzinfo=UTC), since=datetime(2026, 10, 1, tzinfo=UTC))
    store = CountStore(config.store.path)
    untouched = store.file(date(2026, 10, 2)).read_bytes()
    changed = write_events(folder, bump=date(2026, 10, 4))  # the source corrected after the fact
    assert do_collect(config, datetime(2026, 10, 6, tzinfo=UTC)).days == []  # without --from: no change
    _, rows = store.read(date(2026, 10, 4))
    assert int(rows[rows["service"] == "api"]["total"].sum()) < truth(changed, "api", *_day(4))[1]
    replaced = do_collect(config, datetime(2026, 10, 6, tzinfo=UTC), since=datetime(2026, 10, 4, 13, tzinfo=UTC))
    assert replaced.days == [date(2026, 10, 4), date(2026, 10, 5)]
    _, rows = store.read(date(2026, 10, 4))
    api = rows[rows["service"] == "api"]
    assert (int(api["good"].sum()), int(api["total"].sum())) == truth(changed, "api", *_day(4))
    assert store.file(date(2026, 10, 2)).read_bytes() == untouched


def _day(number: int) -> tuple[datetime, datetime]:
    start = datetime(2026, 10, number, tzinfo=UTC)
    return start, start + timedelta(days=1)


def test_run_asks_the_source_for_the_days_the_store_lacks_and_names_days_neither_has(setup):
    folder, config, frame = setup
    do_collect(config, datetime(2026, 10, 20, tzinfo=UTC), since=datetime(2026, 9, 28, tzinfo=UTC))
    # the source has "forgotten" everything before 2026-10-16 (retention)
    kept = write_events(folder, start=datetime(2026, 10, 16, tzinfo=UTC))
    report = build_month(config, source_for(config), OCTOBER, RUN_AT)
    assert report.source == (
        "count store (collected from file events.csv) for UTC days 2026-09-28 to 2026-10-19; "
        "file events.csv for 2026-10-20 to 2026-11-01"
    )
    window = (datetime(2026, 10, 1, 4, tzinfo=UTC), datetime(2026, 11, 1, 4, tzinfo=UTC))
    expected = tuple(
        a + b
        for a, b in zip(
            truth(frame, "api", window[0], _day(20)[0]), truth(kept, "api", _day(20)[0], window[1]), strict=True
        )
    )
    assert month_figures(report)[("api", "availability")] == expected
    assert report.source_problems == ()
    # without the store: the days before 2026-10-16 are no data, and the reason is named
    (folder / "empty").mkdir()
    bare = config.model_copy(update={"store": config.store.model_copy(update={"path": folder / "empty"})})
    alone = build_month(bare, source_for(bare), OCTOBER, RUN_AT)
    assert alone.source == (
        "file events.csv; no data for UTC days 2026-09-28 to 2026-10-15: neither the count store nor file "
        "events.csv has them (file events.csv has data from 2026-10-16 00:00 UTC on); collect daily with slo-report "
        "collect, or keep the data in long-term storage"
    )
    coverage = next(a.result.coverage for a in alone.service("api").slos)
    assert coverage == pytest.approx((31 * 288 - (15 * 288 - 48)) / (31 * 288))


def test_a_rerun_from_the_store_reproduces_report_json_without_the_source(setup):
    folder, config, _ = setup
    do_collect(config, datetime(2026, 11, 1, 6, tzinfo=UTC), since=DATA_START)
    runner = CliRunner()
    args = ["run", "--config", str(folder / "slo-report.yaml"), "--month", "2026-10", "--quiet"]
    assert runner.invoke(main, args).exit_code == 0
    first = (folder / "out" / "2026-10" / "report.json").read_text()
    (folder / "events.csv").unlink()  # the source is gone; the store alone answers
    result = runner.invoke(main, args)
    assert result.exit_code == 0, result.output
    second = (folder / "out" / "2026-10" / "report.json").read_text()
    assert first != second  # the generation time differs...
    assert _without_generated_at(first) == _without_generated_at(second)  # ...and nothing else


def _without_generated_at(text: str) -> str:
    lines = [line for line in text.splitlines() if '"generated_at"' not in line]
    assert len(lines) == len(text.splitlines()) - 1
    return "\n".join(lines)


# A child that collects and kills itself with SIGKILL at a chosen moment of a day's write.
KILLER = textwrap.dedent(
    """
    import os, signal, sys
    from datetime import datetime, UTC
    from pathlib import Path
    import pyarrow.parquet as pq
    import reports.sources.store as store_module
    from reports.collect import collect
    from reports.config import load_config
    from reports.sources import configured_source

    config_path, moment, victim, since, until = sys.argv[1:]
    def die():
        os.kill(os.getpid(), signal.SIGKILL)

    real_write, real_replace, real_fsync = pq.write_table, os.replace, os.fsync
    def write_table(table, handle, **kwargs):
        if victim in str(getattr(handle, "name", "")) and moment == "mid-file":
            handle.write(b"PAR1" + b"x" * 5000)
            handle.flush()
            die()
        real_write(table, handle, **kwargs)
    def replace(source, target):
        if victim in str(target) and moment == "before-rename":
            die()
        real_replace(source, target)
        if victim in str(target) and moment == "after-rename":
            die()
    store_module.pq.write_table = write_table
    store_module.os.replace = replace
    config, _ = load_config(config_path)
    collect(config, store_module.CountStore(config.store.path), configured_source(config),
            datetime.fromisoformat(until), datetime.fromisoformat(since))
    """
)


@pytest.mark.parametrize("moment", ["mid-file", "before-rename", "after-rename"])
def test_kill_9_during_a_write_leaves_each_day_whole(setup, moment):
    folder, config, _ = setup
    store = CountStore(config.store.path)
    do_collect(config, datetime(2026, 10, 6, tzinfo=UTC), since=datetime(2026, 10, 1, tzinfo=UTC))
    old = {day: store.read(day)[1] for day in store.days()}
    changed = write_events(folder, bump=date(2026, 10, 3))
    child = subprocess.run(
        [
            sys.executable,
            "-c",
            KILLER,
            str(folder / "slo-report.yaml"),
            moment,
            "2026-10-03",
            "2026-10-01T00:00:00+00:00",
            "2026-10-06T00:00:00+00:00",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert child.returncode == -signal.SIGKILL, child.stderr
    assert store.days() == sorted(old)
    day_rows = store.read(date(2026, 10, 3))[1]
    api_total = int(day_rows[day_rows["service"] == "api"]["total"].sum())
    if moment == "after-rename":
        assert api_total == truth(changed, "api", *_day(3))[1]  # the new day, complete
    else:
        pd.testing.assert_frame_equal(day_rows, old[date(2026, 10, 3)])  # the old day, untouched
    pd.testing.assert_frame_equal(store.read(date(2026, 10, 4))[1], old[date(2026, 10, 4)])  # not reached yet
    strays = list(store.days_dir.glob(".*.tmp"))
    assert len(strays) == (0 if moment == "after-rename" else 1)
    # the next collect removes the stray file and finishes the job
    do_collect(config, datetime(2026, 10, 6, tzinfo=UTC), since=datetime(2026, 10, 1, tzinfo=UTC))
    assert list(store.days_dir.glob(".*")) == []
    day_rows = store.read(date(2026, 10, 3))[1]
    assert int(day_rows[day_rows["service"] == "api"]["total"].sum()) == truth(changed, "api", *_day(3))[1]


def test_reading_while_a_collect_rewrites_every_day_sees_whole_days(setup):
    """A child re-collects the month over and over (with --from, so every file is replaced)
    while this process reads it: every read must give the exact totals."""
    folder, config, frame = setup
    since = datetime(2026, 9, 28, tzinfo=UTC)
    do_collect(config, datetime(2026, 11, 1, 6, tzinfo=UTC), since=since)
    script = textwrap.dedent(
        """
        import sys
        from datetime import datetime
        from reports.collect import collect
        from reports.config import load_config
        from reports.sources import configured_source
        from reports.sources.store import CountStore
        config, _ = load_config(sys.argv[1])
        for _ in range(int(sys.argv[2])):
            collect(config, CountStore(config.store.path), configured_source(config),
                    datetime.fromisoformat("2026-11-01T06:00:00+00:00"), datetime.fromisoformat("2026-09-28T00:00:00+00:00"))
        """
    )
    writer = subprocess.Popen([sys.executable, "-c", script, str(folder / "slo-report.yaml"), "3"], cwd=ROOT)
    window = (datetime(2026, 10, 1, 4, tzinfo=UTC), datetime(2026, 11, 1, 4, tzinfo=UTC))
    expected = {
        ("api", "availability"): truth(frame, "api", *window),
        ("jobs", "success"): truth(frame, "jobs", *window),
    }
    reads = 0
    try:
        while writer.poll() is None or reads == 0:
            assert month_figures(build_month(config, source_for(config), OCTOBER, RUN_AT)) == expected
            reads += 1
    finally:
        writer.wait()
    assert writer.returncode == 0
    # a second writer is refused while one holds the lock
    store = CountStore(config.store.path)
    with store.writing(), pytest.raises(StoreError, match="another collect is writing"):
        do_collect(config, datetime(2026, 11, 1, 6, tzinfo=UTC))


@pytest.mark.parametrize(
    "error, hint",
    [
        (OSError(28, "No space left on device"), "free some space on that disk or move store.path"),
        (PermissionError(13, "Permission denied"), "let the user running slo-report write there, or change store.path"),
    ],
)
def test_disk_full_and_permission_errors_are_one_line_and_exit_1(setup, monkeypatch, error, hint):
    folder, config, _ = setup
    do_collect(config, datetime(2026, 10, 2, tzinfo=UTC), since=datetime(2026, 10, 1, tzinfo=UTC))
    store = CountStore(config.store.path)
    before = store.file(date(2026, 10, 1)).read_bytes()

    def fail(*args, **kwargs):
        raise error

    monkeypatch.setattr("reports.sources.store.os.fsync", fail)
    result = CliRunner().invoke(
        main, ["collect", "--config", str(folder / "slo-report.yaml"), "--from", "2026-10-01", "--until", "2026-10-02"]
    )
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert lines == [
        f"Error: store.path: cannot write {store.file(date(2026, 10, 1))}: {error.strerror}; {hint} "
        "(the store still holds what it held before this day)"
    ]
    assert store.file(date(2026, 10, 1)).read_bytes() == before
    assert list(store.days_dir.glob(".*.tmp")) == []


def test_cli_collect_and_store_info(setup):
    folder, config, _ = setup
    runner = CliRunner()
    config_arg = ["--config", str(folder / "slo-report.yaml")]
    result = runner.invoke(main, ["collect", *config_arg, "--from", "2026-10-01", "--until", "2026-10-03T12:00Z"])
    assert result.exit_code == 0, result.output
    store = folder / "store"
    assert result.output == (
        # 2 SLOs x (288 + 288 + 144) steps
        f"collected 3 day(s), 2026-10-01 to 2026-10-03 (up to 2026-10-03 12:00 UTC), 1440 rows into {store}\n"
    )
    result = runner.invoke(main, ["collect", *config_arg, "--until", "2026-10-03T12:00Z"])
    assert result.output == f"nothing to collect: {store} holds every SLO up to 2026-10-03 12:00 UTC\n"
    # a hole: 2026-10-02 lost, then the collect goes on
    (store / "days" / "2026-10-02.parquet").unlink()
    info = runner.invoke(main, ["store", "info", *config_arg])
    assert info.exit_code == 0
    lines = info.output.splitlines()
    assert lines[0].startswith(
        f"{store}: 2 day file(s), 2026-10-01 to 2026-10-03 UTC (counts up to 2026-10-03 12:00 UTC), 2 SLO(s), "
    )
    assert lines[0].endswith(" MiB, step 5m")
    assert lines[1:] == [
        "  api/availability: gaps on 2026-10-02 (backfill with --from)",
        "  jobs/success: gaps on 2026-10-02 (backfill with --from)",
    ]


def test_a_source_without_counts_for_a_day_is_a_problem_and_the_day_is_not_held(setup):
    folder, config, frame = setup
    frame = frame[~((frame["service"] == "jobs") & (frame["timestamp"].dt.date == date(2026, 10, 2)))]
    out = frame.assign(timestamp=frame["timestamp"].dt.strftime("%Y-%m-%dT%H:%M:%SZ"), customer="")
    out[["timestamp", "service", "slo", "customer", "good", "total"]].to_csv(folder / "events.csv", index=False)
    result = do_collect(config, datetime(2026, 10, 4, tzinfo=UTC), since=datetime(2026, 10, 1, tzinfo=UTC))
    assert result.problems == ["jobs/success (2026-10-02): file events.csv had no counts"]
    record = CountStore(config.store.path).record(date(2026, 10, 2))
    assert [h.key for h in record.held] == [("api", "availability")]
    assert record.problems == {("jobs", "success"): "file events.csv had no counts for jobs/success on 2026-10-02"}
    lines = store_summary(config, CountStore(config.store.path))
    assert "  jobs/success: gaps on 2026-10-02 (backfill with --from)" in lines


def test_the_store_is_plain_parquet_with_its_record(setup):
    _, config, _ = setup
    do_collect(config, datetime(2026, 10, 2, tzinfo=UTC), since=datetime(2026, 10, 1, tzinfo=UTC))
    path = Path(config.store.path) / "days" / "2026-10-01.parquet"
    frame = pd.read_parquet(path)
    assert list(frame.columns) == ["timestamp", "service", "slo", "customer", "good", "total", "unlabelled"]
    assert len(frame) == 2 * 288
    import pyarrow.parquet as pq

    record = json.loads(pq.read_schema(path).metadata[b"slo_reports"])
    assert record["day"] == "2026-10-01" and record["step_seconds"] == 300 and record["problems"] == []
    assert [(h["service"], h["slo"], h["source"], h["end"]) for h in record["held"]] == [
        ("api", "availability", "file events.csv", "2026-10-02T00:00:00+00:00"),
        ("jobs", "success", "file events.csv", "2026-10-02T00:00:00+00:00"),
    ]
    assert record["held"][0]["sli"]["kind"] == "ratio"


def test_collect_needs_a_store_in_the_config(tmp_path: Path):
    (tmp_path / "slo-report.yaml").write_text(CONFIG.replace("store: {path: store}\n", ""))
    write_events(tmp_path)
    result = CliRunner().invoke(main, ["collect", "--config", str(tmp_path / "slo-report.yaml")])
    assert result.exit_code == 1
    assert "store: not configured; add store: {path: store} (see docs/configuration.md#store)" in result.output


def test_stored_source_is_chosen_only_with_a_store(setup):
    _, config, _ = setup
    assert isinstance(source_for(config), StoredSource)
    assert not isinstance(source_for(config.model_copy(update={"store": None})), StoredSource)
    assert os.path.isabs(config.store.path)


def test_an_slo_the_source_cannot_count_stays_a_problem_behind_the_store(setup):
    folder, config, _ = setup
    do_collect(config, datetime(2026, 11, 1, 6, tzinfo=UTC), since=DATA_START)
    (folder / "slo-report.yaml").write_text(CONFIG + "  - name: ghost\n    slos: [{name: gone, objective: 0.9}]\n")
    config, _ = load_config(folder / "slo-report.yaml")
    report = build_month(config, source_for(config), OCTOBER, RUN_AT)
    assert report.source_problems == (
        "the file events.csv has no rows for ghost/gone at all (it has api/availability, jobs/success); "
        "check the service and SLO names",
    )
    assert next(a.result.status for a in report.service("ghost").slos) == "no data"
    assert month_figures(report)[("api", "availability")][1] > 0


class _Fallback:
    """The source behind the store: a fixed long frame, restricted to the SLOs and range asked for."""

    def __init__(self, frame: pd.DataFrame):
        self.frame = frame
        self.asked: list[tuple[datetime, datetime]] = []

    def fetch(self, config, start, end):
        from reports.sources import EventCounts

        self.asked.append((start, end))
        keys = {(s.name, o.name) for s in config.services for o in s.slos}
        pairs = list(zip(self.frame["service"], self.frame["slo"], strict=True))
        rows = self.frame[
            np.array([pair in keys for pair in pairs])
            & (self.frame["timestamp"] >= start)
            & (self.frame["timestamp"] < end)
        ]
        problems = {key: f"no series for {key[0]}/{key[1]}" for key in keys if key not in set(pairs)}
        return EventCounts(rows, config.source.step, start, end, problems, "file fallback.csv")


def test_the_stream_read_from_the_store_equals_the_long_frame_grouped(tmp_path: Path):
    """Per customer and per step, NaN for no data: the streamed counts are the long frame's, exactly,
    with days held whole, held in part (the source fills the rest), missing, and rows without a customer."""
    from reports.config import parse_config
    from reports.sources.store import DayRecord, Held

    slos = [{"name": "availability", "objective": 0.999, "sla": True}, {"name": "latency", "objective": 0.99}]
    config, _ = parse_config(
        {
            "title": "T",
            "timezone": "UTC",
            "source": {"type": "file", "path": "events.csv", "step": "5m"},
            "customers": {"default_tier": "free", "tiers": {"free": {"objective": 0.99}}},
            "services": [{"name": "web", "slos": slos}, {"name": "api", "slos": slos}, {"name": "gone", "slos": slos}],
        },
        tmp_path,
    )
    rng = np.random.default_rng(3)
    stamps = pd.date_range("2026-10-01", "2026-10-04", freq="5min", inclusive="left", tz="UTC")
    frames = []
    for service in ("web", "api"):
        for slo in ("availability", "latency"):
            for customer in ("zeta", "acme", "", "mid"):
                total = rng.poisson(30, len(stamps))
                keep = rng.random(len(stamps)) > 0.1  # steps without a row: no data
                frames.append(
                    pd.DataFrame(
                        {
                            "timestamp": stamps[keep],
                            "service": service,
                            "slo": slo,
                            "customer": customer,
                            "good": (total - rng.binomial(total, 0.01))[keep],
                            "total": total[keep],
                        }
                    )
                )
    frame = pd.concat(frames, ignore_index=True)
    latency = (frame["service"] == "web") & (frame["slo"] == "latency")  # with the optional unlabelled count
    frame["unlabelled"] = np.where(latency, rng.integers(0, 5, len(frame)), np.nan)
    store = CountStore(tmp_path / "store")
    collected = datetime(2026, 10, 5, tzinfo=UTC)
    # Oct 1 held whole; Oct 2 holds web/latency only up to 13:05 and not api at all; Oct 3 has no file.
    ends = {
        date(2026, 10, 1): {
            k: datetime(2026, 10, 2, tzinfo=UTC) for k in product(("web", "api"), ("availability", "latency"))
        },
        date(2026, 10, 2): {
            ("web", "availability"): datetime(2026, 10, 3, tzinfo=UTC),
            ("web", "latency"): datetime(2026, 10, 2, 13, 5, tzinfo=UTC),
        },
    }
    for day, held in ends.items():
        rows = frame[frame["timestamp"].dt.date == day]
        record = DayRecord(
            day, timedelta(minutes=5), tuple(Held(s, o, e, collected, "generated", {}) for (s, o), e in held.items())
        )
        store.write(record, rows)
    start, end = datetime(2026, 10, 1, 6, tzinfo=UTC), datetime(2026, 10, 4, tzinfo=UTC)
    fallback = _Fallback(frame)
    source = StoredSource(store, fallback)

    streamed = source.stream(config, start, end)
    grouped = source.fetch(config, start, end).stream(config)

    assert streamed.grid == grouped.grid and streamed.description == grouped.description
    assert "count store (collected from generated) for UTC days 2026-10-01 to 2026-10-02" in streamed.description
    pairs = list(zip(streamed, grouped, strict=True))
    assert [(a.service, a.slo) for a, _ in pairs] == [
        (s, o) for s in ("web", "api", "gone") for o in ("availability", "latency")
    ]
    for a, b in pairs:
        assert (a.problem, a.customers is None) == (b.problem, b.customers is None), a.service
        assert (a.unlabelled is None) == (b.unlabelled is None) == ((a.service, a.slo) != ("web", "latency"))
        if a.unlabelled is not None:
            np.testing.assert_array_equal(a.unlabelled, b.unlabelled)
        np.testing.assert_array_equal(a.good, b.good)
        np.testing.assert_array_equal(a.total, b.total)
        if a.customers is not None and b.customers is not None:
            expected = () if a.service == "gone" else ("acme", "mid", "zeta")
            assert a.customers.names == b.customers.names == expected
            np.testing.assert_array_equal(a.customers.good, b.customers.good)
            np.testing.assert_array_equal(a.customers.total, b.customers.total)
    # and both equal the rows themselves (hand-summed), no data where a step had no row
    web = pairs[0][0]
    rows = frame[(frame["service"] == "web") & (frame["slo"] == "availability") & (frame["timestamp"] >= start)]
    assert np.nansum(web.total) == rows["total"].sum() and np.nansum(web.good) == rows["good"].sum()
    assert np.isnan(web.total).sum() == len(set(stamps[stamps >= start]) - set(rows["timestamp"]))
    acme = rows[rows["customer"] == "acme"]
    assert np.nansum(web.customers.total[0]) == acme["total"].sum()
    assert pairs[4][0].problem == "no series for gone/availability"
    latency_rows = frame[(frame["service"] == "web") & (frame["slo"] == "latency") & (frame["timestamp"] >= start)]
    assert np.nansum(pairs[1][0].good) == latency_rows["good"].sum()  # held to 13:05 on Oct 2, the source after
    assert np.nansum(pairs[1][0].unlabelled) == latency_rows["unlabelled"].sum()
