"""The count store at fleet scale: size on disk, one day collected from a real Prometheus, the month read back.

    python benchmarks/store.py [--services 200] [--customers 20] [--skip-prometheus]

200 services × 2 SLOs (availability, latency) × 20 customers, every SLO SLA-covered so the
counts stay per customer, at 5-minute steps (the data of benchmarks/prometheus_fleet.py):

1. one day collected with ``collect`` from Debian's Prometheus 2.42 on loopback, loaded (by
   promtool) with that day and the day before it (``collect`` reads one day of lead-in); the
   collected day is checked against the generated events;
2. October 2024 plus the 3-day lookback written into a store through the same writer
   (``CountStore.write``, 34 day files), and its size on disk;
3. the month read back through ``StoredSource.stream``, as ``run`` does (no source behind it):
   every SLO's arrays built, one at a time, and dropped; ``--long-frame`` also times
   ``StoredSource.fetch`` (the long frame, what ``collect`` and the tests compare with).
"""

from __future__ import annotations

import argparse
import resource
import shutil
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from prometheus_fleet import DATA_START, SCRAPE, catalogue, step_events, write_block  # noqa: E402

from reports.collect import collect  # noqa: E402
from reports.compute.burn import LOOKBACK  # noqa: E402
from reports.config import parse_config  # noqa: E402
from reports.sources import SourceError  # noqa: E402
from reports.sources.prometheus import PrometheusSource  # noqa: E402
from reports.sources.store import CountStore, DayRecord, Held, StoredSource, day_start  # noqa: E402
from reports.window import Month, report_window  # noqa: E402
from tests.prom_servers import prometheus  # noqa: E402

MONTH = Month(2024, 10)
COLLECTED_DAY = date(2024, 10, 15)
STEPS_PER_DAY = 86400 // SCRAPE


class NoSource:
    def fetch(self, config, start, end):
        raise SourceError("the benchmark's store should hold every day")


def day_frames(services: int, customers: int, days: list[date]) -> dict[date, pd.DataFrame]:
    """The generated counts of some UTC days, as ``collect`` stores them (each series generated once)."""
    columns: dict[date, dict[str, list]] = {day: {"good": [], "total": []} for day in days}
    for service in range(services):
        for customer in range(customers):
            events = step_events(service, customer)
            for day in days:
                first = (int(day_start(day).timestamp()) - DATA_START) // SCRAPE
                part = {k: v[first : first + STEPS_PER_DAY] for k, v in events.items()}
                total = part["requests_total"]
                columns[day]["good"] += [total - part["errors_total"], part["duration_seconds_bucket"]]
                columns[day]["total"] += [total, total]
    series = services * customers * 2
    names = {
        "service": pd.Categorical.from_codes(
            np.repeat(np.arange(services), customers * 2 * STEPS_PER_DAY), [f"s{i:03d}" for i in range(services)]
        ),
        "slo": pd.Categorical.from_codes(
            np.tile(np.repeat(np.arange(2), STEPS_PER_DAY), services * customers), ["availability", "latency"]
        ),
        "customer": pd.Categorical.from_codes(
            np.tile(np.repeat(np.arange(customers), 2 * STEPS_PER_DAY), services),
            [f"c{i:02d}" for i in range(customers)],
        ),
    }
    return {
        day: pd.DataFrame(
            {
                "timestamp": np.tile(pd.date_range(day_start(day), periods=STEPS_PER_DAY, freq="5min"), series),
                **names,
                "good": np.concatenate(columns[day]["good"]),
                "total": np.concatenate(columns[day]["total"]),
            }
        )
        for day in days
    }


def write_days(job: tuple[int, int, list[date], str]) -> int:
    services, customers, days, path = job
    collected = datetime(2024, 11, 1, tzinfo=UTC)
    rows = 0
    for day, frame in day_frames(services, customers, days).items():
        held = tuple(
            Held(f"s{s:03d}", slo, day_start(day) + timedelta(days=1), collected, "generated", {})
            for s in range(services)
            for slo in ("availability", "latency")
        )
        CountStore(Path(path)).write(DayRecord(day, timedelta(minutes=5), held), frame)
        rows += len(frame)
    return rows


def cpu() -> float:
    used = resource.getrusage(resource.RUSAGE_SELF)
    return used.ru_utime + used.ru_stime


def collect_one_day(services: int, customers: int, folder: Path, concurrency: int) -> None:
    begin = int(day_start(COLLECTED_DAY - timedelta(days=1)).timestamp())
    end = int(day_start(COLLECTED_DAY + timedelta(days=1)).timestamp()) + 1
    folder.mkdir(parents=True)
    started = time.perf_counter()
    write_block((services, customers, begin, end, str(folder)))
    print(f"  promtool: 2 days of samples loaded in {time.perf_counter() - started:.0f} s")
    with prometheus(folder / "data", folder) as url:
        data = catalogue(url, services, True, concurrency)
        data["store"] = {"path": str(folder / "store")}
        config, _ = parse_config(data)
        source = PrometheusSource()
        before, started = cpu(), time.perf_counter()
        result = collect(
            config,
            CountStore(folder / "store"),
            source,
            day_start(COLLECTED_DAY + timedelta(days=1)),
            day_start(COLLECTED_DAY),
        )
        wall, used = time.perf_counter() - started, cpu() - before
    _, stored = CountStore(folder / "store").read(COLLECTED_DAY)
    expected = day_frames(services, customers, [COLLECTED_DAY])[COLLECTED_DAY]
    exact = int(stored["total"].sum()) == int(expected["total"].sum()) and int(stored["good"].sum()) == int(
        expected["good"].sum()
    )
    print(
        f"  collect one day from Prometheus: {wall:.1f} s wall, {used:.1f} s CPU of this process, "
        f"{source.stats.requests} requests, {result.rows / 1e6:.2f}M rows, problems {len(result.problems)}, "
        f"day totals equal to the generated events: {exact}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--services", type=int, default=200)
    parser.add_argument("--customers", type=int, default=20)
    parser.add_argument("--concurrency", type=int, default=4, help="source.max_concurrency")
    parser.add_argument("--jobs", type=int, default=2, help="processes writing the month's day files")
    parser.add_argument("--skip-prometheus", action="store_true", help="only size and read-back")
    parser.add_argument("--long-frame", action="store_true", help="also time the long frame (StoredSource.fetch)")
    args = parser.parse_args()
    print(f"{args.services} services × 2 SLOs × {args.customers} customers, 5m steps, customers kept")
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        if not args.skip_prometheus:
            if shutil.which("promtool") is None or shutil.which("prometheus") is None:
                sys.exit("promtool and prometheus not found; install them with: apt-get install -y prometheus")
            collect_one_day(args.services, args.customers, folder / "prometheus", args.concurrency)
        window = report_window(MONTH, "UTC")
        first = (window.start - LOOKBACK).date()
        days = [first + timedelta(days=i) for i in range((window.end.date() - first).days)]
        store_path = folder / "month"
        started = time.perf_counter()
        with ProcessPoolExecutor(max_workers=args.jobs) as pool:
            chunks = [days[i : i + 6] for i in range(0, len(days), 6)]
            rows = sum(pool.map(write_days, [(args.services, args.customers, c, str(store_path)) for c in chunks]))
        written = time.perf_counter() - started
        size = CountStore(store_path).size()
        print(
            f"  store for {MONTH} + lookback: {len(days)} day files, {rows / 1e6:.1f}M rows, "
            f"{size / 2**20:.1f} MiB on disk ({size / rows:.2f} bytes per row; "
            f"{size / len(days) / 2**20:.1f} MiB per day); written in {written:.0f} s by {args.jobs} processes"
        )
        data = catalogue("http://127.0.0.1:9", args.services, True, args.concurrency)
        data["store"] = {"path": str(store_path)}
        config, _ = parse_config(data)
        source = StoredSource(CountStore(store_path), NoSource())
        before, started = cpu(), time.perf_counter()
        steps = customer_steps = 0
        for counts in source.stream(config, window.start - LOOKBACK, window.end):
            steps += int((~np.isnan(counts.total)).sum())
            customer_steps += int((~np.isnan(counts.customers.total)).sum()) if counts.customers else 0
        wall, used = time.perf_counter() - started, cpu() - before
        print(
            f"  month read back (StoredSource.stream, every SLO's arrays): {wall:.1f} s wall, {used:.1f} s CPU, "
            f"{steps / 1e6:.2f}M SLO steps, {customer_steps / 1e6:.1f}M customer steps; "
            f"peak RSS so far {peak_mib():.0f} MiB"
        )
        if args.long_frame:
            before, started = cpu(), time.perf_counter()
            frame = source.fetch(config, window.start - LOOKBACK, window.end).frame
            wall, used = time.perf_counter() - started, cpu() - before
            print(
                f"  month read back (StoredSource.fetch, the long frame): {wall:.1f} s wall, {used:.1f} s CPU, {len(frame) / 1e6:.1f}M rows"
            )
    print(f"  peak RSS {peak_mib():.0f} MiB")


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


if __name__ == "__main__":
    main()
