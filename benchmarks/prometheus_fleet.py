"""The Prometheus source at fleet scale: pull and compute one month from a real Prometheus.

    python benchmarks/prometheus_fleet.py [--services 200] [--customers 20] [--data DIR]

Generates N services × 2 SLOs (availability: requests and errors counters; latency: a
histogram's 0.25 s bucket and its count) × M customers, scraped every 5 minutes, for
October 2024 plus the 3-day lookback; turns it into TSDB blocks with promtool (one process
per block, in parallel) and starts Prometheus (Debian's ``prometheus`` package) over them.
Then it times ``build_month`` (data pull and compute, no rendering) and prints wall time,
requests issued, time spent waiting on Prometheus and peak RSS, and checks every SLO's month
totals against the generated events. ``--data DIR`` keeps the blocks for the next run (a run with fewer services reuses them).

Data generation runs in child processes, so the peak RSS printed is the report's alone.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from datetime import UTC, datetime
from itertools import pairwise
from pathlib import Path

import numpy as np
import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from reports.config import parse_config  # noqa: E402
from reports.pipeline import build_month  # noqa: E402
from reports.sources.prometheus import PrometheusSource  # noqa: E402
from reports.window import Month  # noqa: E402
from tests.prom_servers import prometheus  # noqa: E402

MONTH = Month(2024, 10)
DATA_START = int(datetime(2024, 9, 28, tzinfo=UTC).timestamp())
DATA_END = int(datetime(2024, 11, 1, tzinfo=UTC).timestamp())
WINDOW_START = int(datetime(2024, 10, 1, tzinfo=UTC).timestamp())
SCRAPE = 300
BLOCK = 486 * 3600
"""promtool's block size: the largest Prometheus compacts to by itself, so it never recompacts them."""


def step_events(service: int, customer: int) -> dict[str, np.ndarray]:
    """Events per 5-minute step of one service and customer, the same in every process."""
    rng = np.random.default_rng([service, customer])
    steps = (DATA_END - DATA_START) // SCRAPE
    requests = rng.poisson(300 * (1 + 0.5 * np.sin(np.arange(steps) * 2 * np.pi / 288)))
    errors = rng.binomial(requests, 0.0005)
    fast = rng.binomial(requests, 0.97)
    return {
        "requests_total": requests,
        "errors_total": errors,
        "duration_seconds_bucket": fast,
        "duration_seconds_count": requests,
    }


def series_labels(name: str, service: int, customer: int) -> str:
    extra = ',le="0.25"' if name.endswith("_bucket") else ""
    return f'{name}{{service="s{service:03d}",customer="c{customer:02d}"{extra}}}'


def write_block(job: tuple[int, int, int, int, str]) -> float:
    """One TSDB block: OpenMetrics for the samples in [begin, end), then promtool."""
    services, customers, begin, end, folder = job
    started = time.perf_counter()
    times = np.arange(DATA_START, DATA_END + 1, SCRAPE)
    inside = (times >= begin) & (times < end)
    stamps = [f" {t}\n" for t in times[inside]]
    path = Path(folder) / f"input-{begin}.om"
    with path.open("w") as out:
        for service in range(services):
            for customer in range(customers):
                for name, events in step_events(service, customer).items():
                    counter = np.concatenate([[0], np.cumsum(events)])[inside]
                    prefix = series_labels(name, service, customer) + " "
                    out.write("".join([prefix + str(v) + t for v, t in zip(counter.tolist(), stamps, strict=True)]))
        out.write("# EOF\n")
    subprocess.run(
        [
            "promtool",
            "tsdb",
            "create-blocks-from",
            "openmetrics",
            f"--max-block-duration={BLOCK // 3600}h",
            "--quiet",
            str(path),
            str(Path(folder) / "data"),
        ],
        check=True,
        capture_output=True,
    )
    path.unlink()
    return time.perf_counter() - started


def month_totals(services: int, customers: int) -> dict[str, list[int]]:
    """(total, good) events in the month per SLO, straight from the generated steps."""
    first = (WINDOW_START - DATA_START) // SCRAPE
    totals = {}
    for service in range(services):
        sums = {name: 0 for name in ("requests_total", "errors_total", "duration_seconds_bucket")}
        for customer in range(customers):
            events = step_events(service, customer)
            for name in sums:
                sums[name] += int(events[name][first:].sum())
        totals[f"s{service:03d}/availability"] = [sums["requests_total"], sums["requests_total"] - sums["errors_total"]]
        totals[f"s{service:03d}/latency"] = [sums["requests_total"], sums["duration_seconds_bucket"]]
    return totals


def generate(services: int, customers: int, folder: Path, jobs: int) -> tuple[float, dict]:
    """Blocks in ``folder/data`` and the true totals in ``folder/meta.json`` (reused when they match)."""
    meta_path = folder / "meta.json"
    wanted = {"services": services, "customers": customers, "start": DATA_START, "end": DATA_END}
    if meta_path.is_file():
        meta = json.loads(meta_path.read_text())
        held = meta["parameters"]
        # a larger fleet holds this one: its first services are the same series
        if {**held, "services": services} == wanted and held["services"] >= services:
            return 0.0, meta["totals"]
    shutil.rmtree(folder / "data", ignore_errors=True)
    folder.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    edges = sorted({DATA_START, DATA_END + 1, *range((DATA_START // BLOCK + 1) * BLOCK, DATA_END + 1, BLOCK)})
    blocks = [(services, customers, begin, end, str(folder)) for begin, end in pairwise(edges)]
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        truth = pool.submit(month_totals, services, customers)
        list(pool.map(write_block, sorted(blocks, key=lambda b: b[2] - b[3])))
        totals = truth.result()
    meta_path.write_text(json.dumps({"parameters": wanted, "totals": totals}))
    return time.perf_counter() - started, totals


def server_cpu(url: str) -> float:
    """CPU seconds the Prometheus process has used so far (its own process_cpu_seconds_total)."""
    for line in requests.get(url + "/metrics", timeout=30).text.splitlines():
        if line.startswith("process_cpu_seconds_total "):
            return float(line.split()[1])
    return 0.0


def floor(url: str, services: int, per_customer: bool, concurrency: int, compression: bool = False) -> float:
    """Wall seconds Prometheus needs to answer the bare queries: each counter's 5-minute increase()
    over the fetched range, summed on the server as the source sums it, with the same concurrency
    and compression; the answers are read but not decoded."""
    by = "customer" if per_customer else ""
    counters = [
        f'{name}{{service="s{i:03d}"{extra}}}'
        for i in range(services)
        for name, extra in (
            ("requests_total", ""),
            ("errors_total", ""),
            ("duration_seconds_count", ""),
            ("duration_seconds_bucket", ',le="0.25"'),
        )
    ]
    form = {"start": str(DATA_START + SCRAPE), "end": str(DATA_END), "step": str(SCRAPE)}

    def ask(selector: str) -> int:
        query = f"sum by ({by}) (increase({selector}[5m]))"
        encoding = {"Accept-Encoding": "gzip" if compression else "identity"}
        answer = requests.post(
            url + "/api/v1/query_range", data={**form, "query": query}, headers=encoding, timeout=120
        )
        return len(answer.content)

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        list(pool.map(ask, counters))
    return time.perf_counter() - started


def catalogue(url: str, services: int, per_customer: bool, concurrency: int, compression: bool = False) -> dict:
    data = {
        "title": "Fleet",
        "timezone": "UTC",
        "source": {
            "type": "prometheus",
            "url": url,
            "step": "5m",
            "max_concurrency": concurrency,
            "timeout": "2m",
            "compression": compression,
        },
        "services": [
            {
                "name": f"s{i:03d}",
                "slos": [
                    {
                        "name": "availability",
                        "objective": 0.999,
                        "sla": per_customer,
                        "sli": {
                            "total": f'requests_total{{service="s{i:03d}"}}',
                            "bad": f'errors_total{{service="s{i:03d}"}}',
                        },
                    },
                    {
                        "name": "latency",
                        "objective": 0.95,
                        "sla": per_customer,
                        "sli": {
                            "kind": "latency",
                            "histogram": f'duration_seconds{{service="s{i:03d}"}}',
                            "threshold": 0.25,
                        },
                    },
                ],
            }
            for i in range(services)
        ],
    }
    if per_customer:
        data["customers"] = {"default_tier": "standard", "tiers": {"standard": {"objective": 0.999}}}
    return data


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--services", type=int, default=200)
    parser.add_argument("--customers", type=int, default=20)
    parser.add_argument(
        "--per-customer",
        action="store_true",
        help="mark the SLOs sla: true, so counts are pulled per customer (data grows with customers)",
    )
    parser.add_argument("--concurrency", type=int, default=4, help="source.max_concurrency")
    parser.add_argument("--compression", action="store_true", help="source.compression: gzipped answers (floor too)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count(), help="processes generating blocks")
    parser.add_argument("--data", type=Path, help="folder to keep the generated blocks in, reused when it matches")
    args = parser.parse_args()
    missing = [b for b in ("promtool", "prometheus") if shutil.which(b) is None]
    if missing:
        sys.exit(f"{' and '.join(missing)} not found; install them with: apt-get install -y prometheus")

    with tempfile.TemporaryDirectory() as scratch:
        folder = args.data or Path(scratch)
        generated, totals = generate(args.services, args.customers, folder, args.jobs)
        samples = args.services * args.customers * 4 * ((DATA_END - DATA_START) // SCRAPE + 1)
        with prometheus(folder / "data", folder) as url:
            config, _ = parse_config(
                catalogue(url, args.services, args.per_customer, args.concurrency, args.compression)
            )
            source = PrometheusSource()
            floor(url, min(args.services, 2), args.per_customer, args.concurrency)  # warm the page cache
            cpu = resource.getrusage(resource.RUSAGE_SELF)
            server_before = server_cpu(url)
            started = time.perf_counter()
            report = build_month(config, source, MONTH, datetime(2024, 11, 2, tzinfo=UTC))
            wall = time.perf_counter() - started
            server_pull = server_cpu(url) - server_before
            used = resource.getrusage(resource.RUSAGE_SELF)
            cpu_seconds = used.ru_utime + used.ru_stime - cpu.ru_utime - cpu.ru_stime
            server_before = server_cpu(url)
            bare = floor(url, args.services, args.per_customer, args.concurrency, args.compression)
            server_bare = server_cpu(url) - server_before
    results = [(f"{s.name}/{a.result.slo}", a.result) for s in report.services for a in s.slos]
    exact = sum(totals[name] == [r.total_events, r.good_events] for name, r in results)
    slos = len(results)
    print(
        f"{args.services} services × 2 SLOs × {args.customers} customers, 5m steps, {MONTH} + 3-day lookback "
        f"({samples / 1e6:.1f}M samples; customers {'kept' if args.per_customer else 'summed on the server'})"
    )
    print(
        f"  data generation (promtool, {args.jobs} processes) {generated:7.1f} s"
        + ("  (reused)" if not generated else "")
    )
    print(
        f"  pull + compute (build_month)        {wall:7.1f} s  (they overlap: the pipeline reads ahead on a thread; "
        "benchmarks/slo_generator.py times compute alone)"
    )
    print(
        f"  Prometheus requests                 {source.stats.requests:7d}   ({source.stats.requests / slos:.1f} per SLO)"
    )
    print(
        f"  waiting on Prometheus               {source.stats.waiting:7.1f} s  (summed over {args.concurrency} concurrent requests)"
    )
    print(f"  CPU of this process                 {cpu_seconds:7.1f} s")
    print(f"  CPU of Prometheus during the pull   {server_pull:7.1f} s")
    print(
        f"  floor: the bare queries             {bare:7.1f} s  (Prometheus CPU {server_bare:.1f} s; one 5-minute "
        f"increase() per counter, {4 * args.services} requests)"
    )
    print(
        f"  pull + compute / floor              {wall / bare:7.2f}    (Prometheus CPU: {server_pull / server_bare:.2f})"
    )
    print(f"  peak RSS                            {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:7.0f} MiB")
    print(f"  month totals equal to the generated events: {exact}/{slos} SLOs; problems: {len(report.source_problems)}")


if __name__ == "__main__":
    main()
