"""A generated fleet on the file source: wall, CPU and peak RSS per stage.

    python benchmarks/fleet.py --services 1000
    python benchmarks/fleet.py --services 200 --customers 100
    python benchmarks/fleet.py --services 200 --render --workers 2

N services with 2 SLOs each (availability, latency) over October 2026 (UTC, 5-minute steps,
plus the 3-day alert look-back): 9,792 steps per SLO. With ``--customers M`` the availability
SLO is SLA-covered and has one row per customer per step (M × 9,792 rows); the latency SLO
keeps one row per step. The CSV is generated once into ``--data`` (reused when it matches).

Stages: ``build`` is the whole of ``build_month`` (read the file, compute, assess); ``render``
is every document (``--render``; ``--workers`` processes where the code supports it). CPU
includes the render workers. Peak RSS is this process's high-water mark after the stage
(monotonic), and for the render workers the largest child's.
"""

from __future__ import annotations

import argparse
import inspect
import io
import json
import resource
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import yaml
from pypdf import PdfReader  # the test extra: pip install -e '.[test]'

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from reports.config.load import parse_config  # noqa: E402
from reports.pipeline import build_month  # noqa: E402
from reports.render import render_documents  # noqa: E402
from reports.sources import source_for  # noqa: E402
from reports.window import Month  # noqa: E402

MONTH = Month(2026, 10)
START = datetime(2026, 9, 28, tzinfo=UTC)  # the window's start minus the 3-day look-back
END = datetime(2026, 11, 1, tzinfo=UTC)
STEP = timedelta(minutes=5)


def generate(folder: Path, services: int, customers: int) -> float:
    """``folder/fleet.csv`` and ``folder/slo-report.yaml``; returns the seconds spent (0 when reused)."""
    meta = folder / "meta.json"
    wanted = {"services": services, "customers": customers, "version": 3}
    if meta.is_file() and json.loads(meta.read_text()) == wanted:
        return 0.0
    started = time.perf_counter()
    folder.mkdir(parents=True, exist_ok=True)
    stamps = pd.date_range(START, END, freq=STEP, inclusive="left").strftime("%Y-%m-%dT%H:%M:%SZ").to_numpy()
    steps = len(stamps)
    with open(folder / "fleet.csv", "w") as out:
        out.write("timestamp,service,slo,customer,good,total\n")
        for service, slo, groups, good, total in fleet(services, customers):
            frame = pd.DataFrame(
                {
                    "timestamp": np.tile(stamps, len(groups)),
                    "service": service,
                    "slo": slo,
                    "customer": np.repeat(groups, steps),
                    "good": good.ravel(),
                    "total": total.ravel(),
                }
            )
            frame.to_csv(out, header=False, index=False)
    (folder / "slo-report.yaml").write_text(yaml.safe_dump(catalogue(services, customers)))
    meta.write_text(json.dumps(wanted))
    return time.perf_counter() - started


def fleet(services: int, customers: int):
    """(service, SLO, customers, good, total) per SLO; good and total are customers × steps."""
    rng = np.random.default_rng(9)
    steps = (END - START) // STEP
    names = [f"c{c:03d}" for c in range(customers)] or [""]
    for s in range(services):
        for slo, groups in (("availability", names), ("latency", [""])):
            scale = 1 if slo == "latency" or not customers else 10 / customers  # customers share the traffic
            total = rng.integers(int(1000 * scale) + 1, int(10_000 * scale) + 2, size=(len(groups), steps))
            bad = rng.binomial(total, 0.0002)
            burst = rng.integers(0, steps - 24)  # one 2-hour incident per SLO, for every customer
            bad[:, burst : burst + 24] = rng.binomial(total[:, burst : burst + 24], 0.05)
            yield f"s{s:04d}", slo, groups, total - bad, total


class GeneratedSource:
    """The same fleet handed over SLO by SLO without a file (``--in-memory``): compute alone, at
    sizes whose CSV would not fit on a disk (200 × 100 customers is 196M rows)."""

    def __init__(self, services: int, customers: int):
        self.services, self.customers = services, customers

    def stream(self, config, start, end):
        from reports.sources import CountStream, CustomerCounts, SloCounts, StepGrid

        grid = StepGrid(start, end, config.source.step)

        def each():
            for service, slo, groups, good, total in fleet(self.services, self.customers):
                good, total = good.astype(np.float64), total.astype(np.float64)
                by_customer = CustomerCounts(tuple(groups), good, total) if groups != [""] else None
                yield SloCounts(service, slo, good.sum(axis=0), total.sum(axis=0), by_customer)

        return CountStream(grid, each(), "generated")

    def fetch(self, config, start, end):
        raise NotImplementedError("the generated fleet is only streamed")


def catalogue(services: int, customers: int) -> dict:
    data: dict = {
        "title": "Fleet",
        "timezone": "UTC",
        "source": {"type": "file", "path": "fleet.csv", "step": "5m"},
        "services": [
            {
                "name": f"s{s:04d}",
                "email": [f"s{s:04d}@example.com"],
                "slos": [
                    {"name": "availability", "objective": 0.999, "sla": bool(customers)},
                    {"name": "latency", "objective": 0.95},
                ],
            }
            for s in range(services)
        ],
    }
    if customers:
        data["customers"] = {
            "default_tier": "standard",
            "tiers": {
                "standard": {"objective": 0.999, "sla": 0.995, "credits": {0.995: 10, 0.99: 25}},
                "free": {"objective": 0.99},
            },
            "assignments": {f"c{c:03d}": "standard" if c % 2 else "free" for c in range(customers)},
        }
    return data


class Stage:
    """Wall, CPU (this process and its finished children) and the RSS high-water marks of one stage."""

    def __enter__(self) -> Stage:
        self.wall = time.perf_counter()
        self.cpu = _cpu()
        return self

    def __exit__(self, *exc) -> None:
        self.wall = time.perf_counter() - self.wall
        self.cpu = _cpu() - self.cpu
        self.rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        self.child_rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024

    def line(self, name: str, workers: bool = False) -> str:
        children = f", largest worker {self.child_rss:.0f} MiB" if workers else ""
        return f"  {name:8s} wall {self.wall:7.1f} s   CPU {self.cpu:7.1f} s   peak RSS {self.rss:6.0f} MiB{children}"


def _cpu() -> float:
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--services", type=int, default=200)
    parser.add_argument("--customers", type=int, default=0, help="customers on every availability SLO (SLA-covered)")
    parser.add_argument("--data", type=Path, help="folder for the generated CSV (default /tmp/fleet-N-M)")
    parser.add_argument("--render", action="store_true", help="also render every document")
    parser.add_argument("--in-memory", action="store_true", help="generate the counts SLO by SLO instead of a file")
    parser.add_argument("--workers", type=int, help="render processes (default: every core)")
    args = parser.parse_args()
    rows = args.services * 9792 * (max(args.customers, 1) + 1)
    title = f"{args.services} services x 2 SLOs, {args.customers} customers on each availability SLO: {rows / 1e6:.1f}M rows"
    if args.in_memory:
        config, _ = parse_config(catalogue(args.services, args.customers), base_dir=Path("/tmp"))
        source = GeneratedSource(args.services, args.customers)
        print(f"{title}, generated SLO by SLO in memory (generation included in the build stage)")
    else:
        folder = args.data or Path(f"/tmp/fleet-{args.services}-{args.customers}")
        generated = generate(folder, args.services, args.customers)
        print(
            f"{title}, {(folder / 'fleet.csv').stat().st_size / 2**20:.0f} MiB CSV"
            + (f" (generated in {generated:.0f} s)" if generated else " (reused)")
        )
        config, _ = parse_config(yaml.safe_load((folder / "slo-report.yaml").read_text()), base_dir=folder)
        source = source_for(config)
    with Stage() as build:
        report = build_month(config, source, MONTH, datetime(2026, 11, 2, tzinfo=UTC))
    print(build.line("build"))
    if args.render:
        options = {}
        if "workers" in inspect.signature(render_documents).parameters:
            options["workers"] = args.workers
        elif args.workers not in (None, 1):
            print("  (this code renders on one core: --workers ignored)")
        with Stage() as render:
            files = render_documents(report, **options)
        pdfs = [data for name, data in files.items() if name.endswith(".pdf")]
        pages = sum(len(PdfReader(io.BytesIO(data)).pages) for data in pdfs)
        print(render.line("render", workers=True) + f"   {len(pdfs)} PDFs, {pages} pages")
        print(f"  per page: CPU {render.cpu / pages:.3f} s, wall {render.wall / pages:.3f} s")


if __name__ == "__main__":
    main()
