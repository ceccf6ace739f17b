"""The pipeline streams the counts: one SLO at a time, read ahead a bounded number, in catalogue order."""

import gc
import weakref
from datetime import timedelta

import numpy as np
import pytest

from reports.pipeline import PREFETCH, build_month, prefetched
from reports.progress import Meter
from reports.sources import CountStream, SloCounts, StepGrid
from reports.window import report_window
from tests.conftest import OCTOBER, RUN_AT, make_config

SERVICES = [{"name": f"s{i}", "slos": [{"name": "availability", "objective": 0.99}]} for i in range(12)]


class CountingSource:
    """Yields each SLO 99 good of 100 per step, and records how many yielded counts are still alive."""

    def __init__(self, swap: bool = False):
        self.alive: list[weakref.ref] = []
        self.most_alive = 0
        self.swap = swap

    def stream(self, config, start, end):
        grid = StepGrid(start, end, timedelta(minutes=5))

        def each():
            names = [(s.name, o.name) for s in config.services for o in s.slos]
            if self.swap:
                names[0], names[1] = names[1], names[0]
            for service, slo in names:
                gc.collect()
                self.most_alive = max(self.most_alive, sum(ref() is not None for ref in self.alive))
                counts = SloCounts(service, slo, np.full(grid.count, 99.0), np.full(grid.count, 100.0))
                self.alive.append(weakref.ref(counts))
                yield counts

        return CountStream(grid, each(), "counting")


def test_memory_holds_a_bounded_number_of_slos_whatever_the_fleet():
    source = CountingSource()
    report = build_month(make_config(services=SERVICES), source, OCTOBER, RUN_AT)
    assert len(report.services) == 12 and report.services[11].slos[0].result.sli == 0.99
    assert source.most_alive <= PREFETCH + 2  # the queue, the one in hand, the one being computed


def test_a_source_that_yields_slos_out_of_order_is_an_error_not_a_mix_up():
    with pytest.raises(RuntimeError, match="yielded s1/availability for s0/availability"):
        build_month(make_config(services=SERVICES), CountingSource(swap=True), OCTOBER, RUN_AT)


def test_prefetch_keeps_order_and_raises_the_producers_error_where_it_happened():
    def items():
        yield from range(10)
        raise ValueError("the source broke")

    seen = []
    with pytest.raises(ValueError, match="the source broke"):
        for item in prefetched(items(), 3):
            seen.append(item)
    assert seen == list(range(10))


def test_progress_reports_counts_and_time_left_at_most_once_a_second():
    now = [0.0]
    messages: list[str] = []
    meter = Meter("computing", 4, messages.append, clock=lambda: now[0])
    for name, at in (("a", 10.0), ("b", 10.5), ("c", 20.0), ("d", 20.1)):
        now[0] = at
        meter.advance(name)
    # a: 10 s for 1 of 4, so 30 s left; b within the second: quiet; c: 20 s for 3, so about 7 s left; d: the last
    assert messages == ["computing a (1/4, about 30 s left)", "computing c (3/4, about 7 s left)", "computing d (4/4)"]


def test_the_window_the_stream_covers_includes_the_alert_look_back():
    source = CountingSource()
    window = report_window(OCTOBER, "UTC")
    report = build_month(make_config(services=SERVICES[:1]), source, OCTOBER, RUN_AT)
    assert report.services[0].slos[0].result.total_events == 100 * ((window.end - window.start) // timedelta(minutes=5))
