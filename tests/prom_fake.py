"""A fake Prometheus on loopback for the fault tests.

It answers like the HTTP API from constant event rates: a query whose text contains a key of
``rates`` counts ``rate × window`` events per customer (one series per customer when the
query sums by a label), so every expectation is a multiplication. ``fail`` makes the queries containing a text misbehave in one chosen way.
"""

from __future__ import annotations

import gzip
import json
import math
import re
import ssl
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

NON_FINITE = ("NaN", "+Inf", "-Inf")
"""Fault kinds that answer normally except that every value is this one."""
UNITS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400}
WINDOW = re.compile(r"\[(\d+)(ms|s|m|h|d)\]")
EPOCH = 1_700_000_000.0
"""Where the fake's counters start from 0 (before any test's range)."""


@dataclass
class Seen:
    path: str
    method: str
    content_type: str
    form: dict[str, str]
    headers: dict[str, str]


@dataclass
class Fault:
    text: str
    kind: str
    times: int | None
    seconds: float = 0.0


@dataclass
class FakePrometheus:
    rates: dict[str, float]
    customers: tuple[str, ...] = ("",)
    bounds: tuple[str, ...] = ("0.1", "0.25", "+Inf")
    delay: float = 0.0
    """Seconds every answer takes (to observe concurrency)."""
    certificate: tuple[str, str] | None = None
    seen: list[Seen] = field(default_factory=list)
    faults: list[Fault] = field(default_factory=list)
    max_in_flight: int = 0
    _in_flight: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def fail(self, text: str, kind: str, times: int | None = None, seconds: float = 0.0) -> None:
        """Queries containing ``text`` answer with ``kind`` (``times`` times, or always)."""
        self.faults.append(Fault(text, kind, times, seconds))

    def queries(self, text: str = "") -> list[Seen]:
        return [s for s in self.seen if text in s.form.get("query", "")]

    def __enter__(self) -> FakePrometheus:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def do_GET(self) -> None:
                self.do_POST()

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
                seen = Seen(self.path, self.command, self.headers.get("Content-Type", ""), form, dict(self.headers))
                with fake._lock:
                    fake.seen.append(seen)
                    fake._in_flight += 1
                    fake.max_in_flight = max(fake.max_in_flight, fake._in_flight)
                try:
                    time.sleep(fake.delay)
                    status, body, headers = fake.answer(self.path, form)
                finally:
                    with fake._lock:
                        fake._in_flight -= 1
                if "gzip" in self.headers.get("Accept-Encoding", ""):  # as Prometheus does when asked
                    body, headers = gzip.compress(body), {**headers, "Content-Encoding": "gzip"}
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        if self.certificate:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(*self.certificate)
            self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.02,), daemon=True)
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()

    @property
    def url(self) -> str:
        scheme = "https" if self.certificate else "http"
        return f"{scheme}://127.0.0.1:{self.server.server_address[1]}"

    def answer(self, path: str, form: dict[str, str]) -> tuple[int, bytes, dict[str, str]]:
        query = form.get("query", "")
        for fault in self.faults:
            if fault.kind in NON_FINITE and fault.text in query:
                status, body, headers = self._healthy(path, query, form)
                return status, re.sub(rb'"-?\d+(\.\d+)?(e[+-]?\d+)?"]', f'"{fault.kind}"]'.encode(), body), headers
        for fault in self.faults:
            if fault.text in query and fault.times != 0:
                if fault.times is not None:
                    fault.times -= 1
                answer = self._fault(fault, path)
                if answer is not None:
                    return answer
                break
        return self._healthy(path, query, form)

    def _healthy(self, path: str, query: str, form: dict[str, str]) -> tuple[int, bytes, dict[str, str]]:
        if path == "/api/v1/query":
            return 200, _ok("vector", self._vector(query, float(form["time"]))), {}
        if path == "/api/v1/query_range":
            start, end, step = float(form["start"]), float(form["end"]), float(form["step"])
            times = [start + i * step for i in range(round((end - start) / step) + 1)]
            return 200, _ok("matrix", self._matrix(query, times)), {}
        return 404, b"404 page not found", {}

    def _fault(self, fault: Fault, path: str) -> tuple[int, bytes, dict[str, str]] | None:
        if fault.kind == "slow":
            time.sleep(fault.seconds)
            return None
        return {
            "bad_data": (
                400,
                json.dumps(
                    {
                        "status": "error",
                        "errorType": "bad_data",
                        "error": "1:13: parse error: unexpected character inside braces: '!'",
                    }
                ).encode(),
                {},
            ),
            "malformed": (200, b'{"status":"success","data":{"resultType":"mat', {}),
            "not_prometheus": (200, b"<html>login</html>", {}),
            "empty": (200, _ok("matrix" if path.endswith("_range") else "vector", []), {}),
            "503": (503, b"upstream overloaded", {}),
            "429": (429, b"too many requests", {"Retry-After": "1"}),
            "401": (401, b"unauthorized", {}),
        }[fault.kind]

    def _groups(self, query: str, per_step: float) -> list[tuple[dict[str, str], float]]:
        if query == "vector(1)":
            return [({}, 1.0)]
        if "count by (le)" in query:
            return [({"le": le}, 1.0) for le in self.bounds]
        rate = next((r for key, r in self.rates.items() if key in query), None)
        if rate is None:
            return []
        value = 1.0 if "count_over_time" in query else rate * per_step
        # A counter query (queries/counter.promql): every series continues from step to step, so
        # only its summed part has points.
        part = {"slo_report_part": "step"} if "slo_report_part" in query else {}
        label = re.search(r"sum by \((\w+)\)", query)
        if label:
            return [({label[1]: c, **part} if c else {**part}, value) for c in self.customers]
        return [({**part}, value * len(self.customers))]

    def _continuous(self, query: str, at: float) -> list[tuple[dict[str, str], float]] | None:
        """The fast counter reading (queries/continuous.promql), or None for any other query: every
        series continues, one per customer, never resets; its last value grows by ``rate`` per second."""
        if ("last_over_time" not in query and "resets(" not in query) or "offset" in query or "unless" in query:
            return None
        rate = next((r for key, r in self.rates.items() if key in query), None)
        if rate is None:
            return []
        label = re.search(r"sum by \((\w+)\)", query)
        customers = [({label[1]: c} if c else {}) for c in self.customers] if label else [{}]
        series = [{"instance": c or "none", **({"customer": c, "tenant": c} if c else {})} for c in self.customers]
        if "resets(" in query:  # the check: the series there are, one per customer, none reset
            return [(labels, 0.0) for labels in series]
        if not query.startswith(("sum", "label_replace")):  # each series' own last values, or their bound
            return [(labels, rate * (at - EPOCH)) for labels in series]
        value = rate * (at - EPOCH) * (1 if label else len(self.customers))
        packed = re.search(r"\) \+ (\d+)\)$", query)
        if packed:  # the sum and the count of series in one: each series' value plus the offset
            return [(group, value + (1 if label else len(self.customers)) * int(packed[1])) for group in customers]
        if "slo_report_part" not in query:
            return [(group, value) for group in customers]
        count = 1 if label else len(self.customers)
        return [({**group, "slo_report_part": "last"}, value) for group in customers] + [
            ({**group, "slo_report_part": "count"}, count) for group in customers
        ]

    def _vector(self, query: str, at: float) -> list[dict]:
        continuous = self._continuous(query, at)
        if continuous is not None:
            return [{"metric": labels, "value": [at, _number(value)]} for labels, value in continuous]
        window = _window(query)
        return [{"metric": labels, "value": [at, _number(value)]} for labels, value in self._groups(query, window)]

    def _matrix(self, query: str, times: list[float]) -> list[dict]:
        if self._continuous(query, times[0]) is not None:
            points: dict[tuple, tuple[dict[str, str], list]] = {}
            for t in times:
                for labels, value in self._continuous(query, t) or []:
                    points.setdefault(tuple(sorted(labels.items())), (labels, []))[1].append([t, _number(value)])
            return [{"metric": labels, "values": values} for labels, values in points.values()]
        window = _window(query)
        return [
            {"metric": labels, "values": [[t, _number(value)] for t in times]}
            for labels, value in self._groups(query, window)
        ]


def _window(query: str) -> float:
    """The first range in the query, in whole seconds (a step less a millisecond is the step)."""
    match = WINDOW.search(query)
    return round(int(match[1]) * UNITS[match[2]]) if match else 0.0


def _number(value: float) -> str:
    """Whole numbers exactly (packed sums run past ten digits), others to ten digits."""
    return str(int(value)) if math.isfinite(value) and value == int(value) else f"{value:.10g}"


def _ok(kind: str, result: list) -> bytes:
    return json.dumps({"status": "success", "data": {"resultType": kind, "result": result}}).encode()
