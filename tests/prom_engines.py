"""Test servers for the engines that cannot be installed here: Thanos Query, Mimir and Prometheus 3.

Each is a small HTTP server in front of a real Prometheus 2.42 (or VictoriaMetrics) that
answers the way the engine's documentation says it does, so figures stay real:

- ``mimir``: the API under ``/prometheus``; ``X-Scope-OrgID`` required (401 "no org id");
  a query whose range plus its longest selector exceeds ``max_length`` (768h, Mimir's usual
  ``max_partial_query_length``) is refused with 422 and ``err-mimir-max-query-length``;
  buildinfo names the application.
- ``thanos``: ``/api/v1/stores`` exists; with a store down (``store_down``) a query answers
  with ``warnings`` unless ``partial_response=false``, which makes it fail instead.
- ``prometheus3``: range selectors and subqueries are left-open, modelled by shortening every
  range by a millisecond before the closed Prometheus 2 evaluates it (samples carry millisecond
  timestamps, so ``(t - r, t]`` is ``[t - r + 1ms, t]``); buildinfo says 3.1.0.
- ``victoriametrics-cluster``: with a storage node down, answers carry ``isPartial: true``
  unless ``deny_partial_response=1``, which makes them fail.

Every request is recorded in ``seen`` (path, form, headers).
"""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import requests

UNITS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400}
RANGE = re.compile(r"\[(\d+)(ms|s|m|h|d)(:[^\]]*)?\]")
BUILDINFO = {
    "thanos": {"version": "0.36.1", "revision": "test", "branch": "HEAD", "goVersion": "go1.22"},
    "mimir": {"application": "Grafana Mimir", "version": "2.14.0", "revision": "test", "branch": "HEAD"},
    "prometheus3": {"version": "3.1.0", "revision": "test", "branch": "HEAD", "goVersion": "go1.23"},
}


@dataclass
class Seen:
    path: str
    form: dict[str, str]
    headers: dict[str, str]


@dataclass
class EngineServer:
    upstream: str
    kind: str
    tenant: str = "team-a"
    max_length: float = 768 * 3600
    store_down: bool = False
    seen: list[Seen] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def prefix(self) -> str:
        return {"mimir": "/prometheus", "victoriametrics-cluster": "/select/0/prometheus"}.get(self.kind, "")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}{self.prefix}"

    def queries(self) -> list[Seen]:
        return [s for s in self.seen if "query" in s.form]

    def __enter__(self) -> EngineServer:
        engine = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def do_GET(self) -> None:
                self.do_POST()

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
                with engine._lock:
                    engine.seen.append(Seen(self.path, form, dict(self.headers)))
                status, body = engine.answer(self.path, form, self.headers)
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.02,), daemon=True)
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()

    def answer(self, path: str, form: dict[str, str], headers) -> tuple[int, bytes]:
        if not path.startswith(self.prefix):
            return 404, b"404 page not found"
        path = path.removeprefix(self.prefix)
        if self.kind == "mimir" and headers.get("X-Scope-OrgID") != self.tenant:
            return 401, b"no org id\n"
        if path == "/api/v1/status/buildinfo" and self.kind in BUILDINFO:
            return 200, _json({"status": "success", "data": BUILDINFO[self.kind]})
        if path == "/api/v1/stores":
            if self.kind != "thanos":
                return 404, b"404 page not found"
            return 200, _json({"status": "success", "data": {"sidecar": [{"name": "prometheus-a:10901"}]}})
        if path in ("/api/v1/query", "/api/v1/query_range"):
            return self._query(path, form)
        if (path == "/metrics" and self.kind == "prometheus3") or self.kind == "victoriametrics-cluster":
            answer = requests.get(self.upstream + path, timeout=30)
            return answer.status_code, answer.content
        return 404, b"404 page not found"

    def _query(self, path: str, form: dict[str, str]) -> tuple[int, bytes]:
        query = form.get("query", "")
        if self.kind == "mimir":
            longest = max((int(m[1]) * UNITS[m[2]] for m in RANGE.finditer(query)), default=0.0)
            span = float(form["end"]) - float(form["start"]) if "start" in form else 0.0
            if span + longest > self.max_length:
                return 422, _json(
                    {
                        "status": "error",
                        "errorType": "execution",
                        "error": f"the query time range exceeds the limit (query length: {(span + longest) / 3600:g}h, "
                        f"limit: {self.max_length / 3600:g}h) (err-mimir-max-query-length)",
                    }
                )
        if self.kind == "prometheus3":
            form = {**form, "query": RANGE.sub(_left_open, query)}
        if "_total" not in query and "_count" not in query and "_bucket" not in query:
            return self._forward(path, form)  # reads no stored series: no store is asked
        if self.store_down and self.kind == "thanos" and form.get("partial_response") == "false":
            return 422, _json(
                {
                    "status": "error",
                    "errorType": "execution",
                    "error": "receive series from Addr: store-b:10901: rpc error: code = Unavailable",
                }
            )
        if self.store_down and self.kind == "victoriametrics-cluster" and form.get("deny_partial_response") == "1":
            return 503, _json(
                {
                    "status": "error",
                    "errorType": "503",
                    "error": "cannot fetch query results from vmstorage nodes: cannot reach vmstorage-b:8401",
                }
            )
        status, body = self._forward(path, form)
        body = json.loads(body)
        if self.store_down and self.kind == "thanos":
            body["warnings"] = ["No StoreAPIs matched for this query: store-b:10901 is unavailable"]
        if self.store_down and self.kind == "victoriametrics-cluster":
            body["isPartial"] = True
        return status, _json(body)

    def _forward(self, path: str, form: dict[str, str]) -> tuple[int, bytes]:
        answer = requests.post(self.upstream + path, data=form, timeout=60)
        return answer.status_code, answer.content


def _left_open(match: re.Match) -> str:
    milliseconds = round(int(match[1]) * UNITS[match[2]] * 1000) - 1
    return f"[{milliseconds}ms{match[3] or ''}]"


def _json(value) -> bytes:
    return json.dumps(value).encode()
