"""What each request of the Prometheus source costs Prometheus, against the bare query.

    python benchmarks/prometheus_queries.py --data DIR [--services 20] [--customers 5] [--per-customer]

Loads the fleet of ``benchmarks/prometheus_fleet.py`` (its ``--data DIR`` is reused) and, for the
availability counters of the first N services, asks each kind of request one at a time over the
month and its look-back at 5-minute steps, and prints the CPU seconds Prometheus spent answering
(its own ``process_cpu_seconds_total``) and the bytes it sent, uncompressed as the source asks:

- the floor: one ``increase()`` per step, summed as the source sums;
- the source's check (``queries/continuous.promql``, resets per series and day; where customers
  are summed it also asks each series' last value once, an instant query not timed here);
- each series' last values per step over whole-step windows (what the source asks with one
  series per customer), and with several series per customer their sum and count as two
  selectors (what the source asks) or packed in one sum (with the offset the source would choose);
- the same over windows a millisecond short of the step: what the source asks again on
  Prometheus 2 (closed ranges) for a total counter with a step without events, packed where it
  can. Such a window does not share its first sample with the window before, and Prometheus
  then seeks every series afresh at every step.

Requests go one at a time, so the CPU is each kind's alone; run it twice to see the spread.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT.parent))
sys.path.insert(0, str(ROOT))

from prometheus_fleet import DATA_END, DATA_START, SCRAPE, generate, server_cpu  # noqa: E402

from reports.sources import promql  # noqa: E402
from reports.sources.prometheus import packing_offset  # noqa: E402
from tests.prom_servers import prometheus  # noqa: E402

DAY = 86_400
PLAIN = {"Accept-Encoding": "identity"}
"""Answers uncompressed, as the source asks by default."""
STEP = timedelta(seconds=SCRAPE)


def ask(url: str, query: str, start: int, step: int) -> requests.Response:
    form = {"query": query, "start": str(start), "end": str(DATA_END), "step": str(step)}
    answer = requests.post(url + "/api/v1/query_range", data=form, headers=PLAIN, timeout=600)
    answer.raise_for_status()
    return answer


def offset_for(url: str, selector: str, by: str) -> int | None:
    """The offset the source packs with: from each series' last value in the range."""
    query = promql.bound(selector, timedelta(seconds=DAY + 2 * SCRAPE))
    answer = requests.post(
        url + "/api/v1/query", data={"query": query, "time": str(DATA_END)}, headers=PLAIN, timeout=600
    )
    answer.raise_for_status()
    highest: dict[str, dict[tuple, float]] = {}
    for series in answer.json()["data"]["result"]:
        labels = series["metric"]
        group = labels.get(by, "") if by else ""
        highest.setdefault(group, {})[tuple(sorted(labels.items()))] = float(series["value"][1])
    return packing_offset(highest)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, required=True, help="the fleet's folder (generated when missing)")
    parser.add_argument("--services", type=int, default=20)
    parser.add_argument("--customers", type=int, default=5)
    parser.add_argument("--per-customer", action="store_true", help="customers kept apart, as for sla: true")
    args = parser.parse_args()
    if shutil.which("prometheus") is None:
        sys.exit("prometheus not found; install it with: apt-get install -y prometheus")
    generate(args.services, args.customers, args.data, 2)
    by = "customer" if args.per_customer else ""
    selectors = [
        f'{name}{{service="s{i:03d}"}}' for i in range(args.services) for name in ("requests_total", "errors_total")
    ]
    first = DATA_START + SCRAPE
    with tempfile.TemporaryDirectory() as scratch, prometheus(args.data / "data", Path(scratch)) as url:
        offsets = {selector: offset_for(url, selector, by) for selector in selectors}
        kinds = {
            "floor: sum of increase()": lambda s: (f"sum by ({by}) (increase({s}[5m]))", first, SCRAPE),
            "check (resets per series and day)": lambda s: (
                promql.continuity(s, timedelta(seconds=DAY + 2 * SCRAPE)),
                first + DAY,
                DAY,
            ),
            "each series' last values": lambda s: (promql.last_values(s, by, STEP, False, False), first, SCRAPE),
            "sum and count, two selectors": lambda s: (promql.last_values(s, by, STEP, False, True), first, SCRAPE),
            "sum and count packed": lambda s: (
                promql.last_values(s, by, STEP, False, True, offsets[s]),
                first,
                SCRAPE,
            ),
            "each series' last values, a step less 1 ms": lambda s: (
                promql.last_values(s, by, STEP, True, False),
                first,
                SCRAPE,
            ),
            "sum and count, two selectors, a step less 1 ms": lambda s: (
                promql.last_values(s, by, STEP, True, True),
                first,
                SCRAPE,
            ),
            "sum and count packed, a step less 1 ms": lambda s: (
                promql.last_values(s, by, STEP, True, True, offsets[s]),
                first,
                SCRAPE,
            ),
        }
        ask(url, kinds["floor: sum of increase()"](selectors[0])[0], first, SCRAPE)  # warm the page cache
        print(
            f"{len(selectors)} counters ({args.services} services × {args.customers} customers, "
            f"customers {'kept' if args.per_customer else 'summed'}), one request at a time, Prometheus 2 (closed ranges)"
        )
        floor_cpu = None
        for kind, build in kinds.items():
            if kind.startswith("sum and count packed") and None in offsets.values():
                print(f"  {kind:40s} not possible: a counter's values are past what packs exactly")
                continue
            before, started, sent = server_cpu(url), time.perf_counter(), 0
            for selector in selectors:
                sent += len(ask(url, *build(selector)).content)
            cpu = server_cpu(url) - before
            floor_cpu = floor_cpu or cpu
            print(
                f"  {kind:40s} Prometheus CPU {cpu:6.2f} s  ({cpu / floor_cpu:4.2f}× the floor)  "
                f"wall {time.perf_counter() - started:6.2f} s  {sent / 1e6:6.1f} MB"
            )


if __name__ == "__main__":
    main()
