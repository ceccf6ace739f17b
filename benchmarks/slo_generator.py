"""Side by side with Google's slo-generator: the same availability SLOs on the same Prometheus.

    python benchmarks/slo_generator.py --data DIR --services 50 --repeat 3 \\
        --slo-generator-python /tmp/slogen-sg-venv/bin/python

slo-generator's dependencies conflict with ours, so it lives in its own virtualenv:
``python3 -m venv /tmp/slogen-sg-venv && /tmp/slogen-sg-venv/bin/pip install 'slo-generator[prometheus]==2.6.0'``.

Loads Prometheus with prometheus_fleet.py's data (N services × M customers, October 2024 at
5-minute steps plus the 3-day lookback; ``--data DIR`` keeps the blocks) and takes each service's
availability SLO only. Each repeat times, back to back and for both customer modes (summed on
the server; kept apart, ``sla: true``): slo-generator's ``compute`` of one window SLI per SLO
over the month (slo_generator_timer.py), then our ``build_month`` over the same SLOs (pull and the
whole month's analysis, no rendering), then ``build_month`` again over the counts that run pulled
(compute alone). Prints medians per SLO, the Prometheus CPU each used, and whether both sides'
month totals equal the generated events.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from prometheus_fleet import DATA_END, MONTH, WINDOW_START, catalogue, generate, server_cpu  # noqa: E402

from reports.config import parse_config  # noqa: E402
from reports.pipeline import build_month  # noqa: E402
from reports.sources import CountStream, SloCounts  # noqa: E402
from reports.sources.prometheus import PrometheusSource  # noqa: E402
from tests.prom_servers import prometheus  # noqa: E402

TIMER = Path(__file__).resolve().parent / "slo_generator_timer.py"


def slo_generator(python: str, url: str, services: int, totals: dict) -> dict[str, float]:
    """slo-generator over every SLO in its own interpreter: the seconds its ``compute`` calls took."""
    job = {
        "url": url,
        "end": DATA_END,
        "window": DATA_END - WINDOW_START,
        "services": [f"s{i:03d}" for i in range(services)],
    }
    before = server_cpu(url)
    answer = subprocess.run(
        [python, "-I", str(TIMER)], input=json.dumps(job), capture_output=True, text=True, check=False
    )
    server = server_cpu(url) - before
    if answer.returncode:
        sys.exit(f"slo-generator failed ({python} {TIMER}): {answer.stderr.strip()[-2000:]}")
    results = json.loads(answer.stdout)
    exact = sum(totals[r["slo"]] == [r["good"] + r["bad"], r["good"]] for r in results)
    return {"wall": sum(r["seconds"] for r in results), "server": server, "exact": exact}


class Recorded:
    """The Prometheus source, its counts kept as they pass, so compute can be timed again on its own."""

    def __init__(self) -> None:
        self.source = PrometheusSource()
        self.counts: list[SloCounts] = []

    def stream(self, *args) -> CountStream:
        inner = self.source.stream(*args)
        self.grid, self.description = inner.grid, inner.description

        def each():
            for counts in inner:
                self.counts.append(counts)
                yield counts

        return CountStream(inner.grid, each(), inner.description)


class Replay:
    """Recorded counts as a source: build_month's compute stage with no pull behind it. (The pull
    and compute overlap in a real run, as the pipeline reads ahead on a thread.)"""

    def __init__(self, recorded: Recorded) -> None:
        self.recorded = recorded

    def stream(self, *args) -> CountStream:
        return CountStream(self.recorded.grid, iter(self.recorded.counts), self.recorded.description)


def ours(url: str, services: int, customers_kept: bool, concurrency: int, totals: dict) -> dict[str, float]:
    """build_month over the availability SLOs, as run calls it; then again over the counts it pulled."""
    data = catalogue(url, services, customers_kept, concurrency)
    for service in data["services"]:
        service["slos"] = [slo for slo in service["slos"] if slo["name"] == "availability"]
    config, _ = parse_config(data)
    recorded = Recorded()
    now = datetime(2024, 11, 2, tzinfo=UTC)
    before, cpu = server_cpu(url), time.process_time()
    started = time.perf_counter()
    report = build_month(config, recorded, MONTH, now)
    wall = time.perf_counter() - started
    server, cpu = server_cpu(url) - before, time.process_time() - cpu
    started = time.perf_counter()
    replayed = build_month(config, Replay(recorded), MONTH, now)
    compute = time.perf_counter() - started
    exact = min(
        sum(
            totals[f"{s.name}/{a.result.slo}"] == [a.result.total_events, a.result.good_events]
            for s in r.services
            for a in s.slos
        )
        for r in (report, replayed)
    )
    return {"wall": wall, "compute": compute, "server": server, "cpu": cpu, "exact": exact}


def spread(values: list[float], scale: float = 1.0, digits: int = 0) -> str:
    """Median, and the range over the repeats when there are several."""
    scaled = [v * scale for v in values]
    median = f"{statistics.median(scaled):.{digits}f}"
    if len(scaled) == 1:
        return median
    return f"{median} ({min(scaled):.{digits}f}–{max(scaled):.{digits}f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--services", type=int, default=50, help="availability SLOs (one per service)")
    parser.add_argument("--customers", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--concurrency", type=int, default=4, help="our source.max_concurrency")
    parser.add_argument("--jobs", type=int, default=os.cpu_count(), help="processes generating blocks")
    parser.add_argument("--data", type=Path, help="folder to keep the generated blocks in, reused when it matches")
    parser.add_argument(
        "--slo-generator-python", required=True, help="the python of a virtualenv with slo-generator[prometheus]"
    )
    args = parser.parse_args()
    missing = [b for b in ("promtool", "prometheus") if shutil.which(b) is None]
    if missing:
        sys.exit(f"{' and '.join(missing)} not found; install them with: apt-get install -y prometheus")

    load = [os.getloadavg()[0]]
    runs: dict[bool, list[tuple[dict, dict]]] = {False: [], True: []}
    with tempfile.TemporaryDirectory() as scratch:
        folder = args.data or Path(scratch)
        generated, totals = generate(args.services, args.customers, folder, args.jobs)
        with prometheus(folder / "data", folder) as url:
            slo_generator(args.slo_generator_python, url, args.services, totals)  # warm the page cache
            for _ in range(args.repeat):
                for kept in (False, True):
                    theirs = slo_generator(args.slo_generator_python, url, args.services, totals)
                    runs[kept].append((theirs, ours(url, args.services, kept, args.concurrency, totals)))
                    load.append(os.getloadavg()[0])

    n = args.services
    print(
        f"{n} availability SLOs × {args.customers} customers, 5m steps, {MONTH}; medians of {args.repeat} "
        f"paired runs (range); load average {min(load):.1f}–{max(load):.1f}"
        + (f"; data generated in {generated:.0f} s" if generated else "")
    )
    for kept, pairs in runs.items():
        theirs = [t for t, _ in pairs]
        mine = [o for _, o in pairs]
        print(f"\ncustomers {'kept (sla: true)' if kept else 'summed on the server'}")
        rows = [
            ("slo-generator, one window SLI, ms per SLO", spread([t["wall"] for t in theirs], 1000 / n)),
            ("ours, pull + compute, ms per SLO", spread([o["wall"] for o in mine], 1000 / n)),
            ("ours, compute only (counts in memory), ms per SLO", spread([o["compute"] for o in mine], 1000 / n)),
            ("ours pull + compute / slo-generator", spread([o["wall"] / t["wall"] for t, o in pairs], digits=2)),
            ("ours compute only / slo-generator", spread([o["compute"] / t["wall"] for t, o in pairs], digits=2)),
            ("Prometheus CPU s, slo-generator", spread([t["server"] for t in theirs], digits=2)),
            ("Prometheus CPU s, ours", spread([o["server"] for o in mine], digits=2)),
            ("CPU s of our process, pull + compute", spread([o["cpu"] for o in mine], digits=2)),
            (
                "month totals equal to the generated events",
                f"slo-generator {min(t['exact'] for t in theirs)}/{n}, ours {min(o['exact'] for o in mine)}/{n}",
            ),
        ]
        for label, value in rows:
            print(f"  {label:<52} {value}")


if __name__ == "__main__":
    main()
