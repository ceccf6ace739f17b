"""HTTP for the Prometheus source.

Every call is a form-encoded POST (queries get long) with an explicit evaluation time, so two
queries of one report never read two different "now"s. Connection errors, timeouts, 429 and
5xx are retried with exponential backoff; a rejected query (4xx, ``status: error``) is not,
since asking again gives the same answer. ``query_range`` is split so that no request asks
for more than 11,000 points per series, the limit Prometheus enforces.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import requests
from requests.adapters import HTTPAdapter

from ..config import SourceConfig
from . import SourceError

log = logging.getLogger(__name__)

MAX_POINTS = 11_000
MAX_RETRY_AFTER = 30.0
Labels = tuple[tuple[str, str], ...]


class PromError(Exception):
    """A request that failed. ``reachable`` is False when the server could not be used at all
    (connection, timeout, 5xx, refused credentials) rather than rejecting this one query."""

    def __init__(self, message: str, reachable: bool, hint: str = ""):
        super().__init__(message)
        self.reachable = reachable
        self.hint = hint


@dataclass
class ClientStats:
    """What the source cost: HTTP requests sent (retries included) and seconds spent waiting on them."""

    requests: int = 0
    waiting: float = 0.0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, seconds: float) -> None:
        with self._lock:
            self.requests += 1
            self.waiting += seconds


def _secret(name: str, key: str) -> str:
    value = os.environ.get(name)
    if not value:
        raise SourceError(
            f"{key}: the environment variable {name} is not set or empty; "
            f"export it before running (the secret is read from there, never from the YAML)"
        )
    return value


def make_session(source: SourceConfig) -> requests.Session:
    """A session carrying the configured headers, credentials and TLS settings."""
    session = requests.Session()
    adapter = HTTPAdapter(pool_connections=1, pool_maxsize=source.max_concurrency, max_retries=0)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    session.headers.update(source.headers)
    if source.bearer_token_env:
        session.headers["Authorization"] = f"Bearer {_secret(source.bearer_token_env, 'source.bearer_token_env')}"
    if source.basic_auth:
        session.auth = (
            source.basic_auth.username,
            _secret(source.basic_auth.password_env, "source.basic_auth.password_env"),
        )
    if source.ca_bundle is not None:
        if not source.ca_bundle.is_file():
            raise SourceError(
                f"source.ca_bundle: {source.ca_bundle} does not exist; give the path of a PEM file "
                f"(relative to the config file)"
            )
        session.verify = str(source.ca_bundle)
    else:
        session.verify = source.tls_verify
    return session


def _stamp(seconds: float) -> str:
    return f"{seconds:.3f}".rstrip("0").rstrip(".")


def _labels(metric: Any) -> Labels:
    if not isinstance(metric, dict):
        raise PromError("the answer holds a series without labels; is the url a Prometheus API?", reachable=True)
    return tuple(sorted(metric.items()))


def _api_error(response: requests.Response) -> str:
    """``HTTP 503 Service Unavailable: <the API's errorType: error, or the start of the body>``."""
    try:
        body = response.json()
        detail = f"{body.get('errorType', 'error')}: {body.get('error', '')}".strip()
    except (ValueError, AttributeError):
        detail = repr(response.text[:200].strip())
    return f"HTTP {response.status_code} {response.reason}: {detail}"


class PromClient:
    """Thread-safe: one client is shared by the source's worker threads."""

    def __init__(
        self,
        source: SourceConfig,
        session: requests.Session | None = None,
        *,
        attempts: int = 4,
        backoff: float = 0.5,
        max_points: int = MAX_POINTS,
        sleep: Callable[[float], None] = time.sleep,
    ):
        assert source.url is not None  # the config requires it for a Prometheus source
        self.url: str = source.url
        self.timeout = source.timeout.total_seconds()
        self.session = session if session is not None else make_session(source)
        self._owns_session = session is None
        self.attempts = attempts
        self.backoff = backoff
        self.max_points = max_points
        self.sleep = sleep
        self.stats = ClientStats()

    def close(self) -> None:
        if self._owns_session:
            self.session.close()

    def instant(self, query: str, at: float) -> dict[Labels, float]:
        """``/api/v1/query`` evaluated at ``at`` (Unix seconds): one value per series."""
        data = self._post("/api/v1/query", {"query": query, "time": _stamp(at)})
        if data.get("resultType") != "vector":
            raise PromError(f"expected a vector, got {data.get('resultType')!r}", reachable=True)
        try:
            return {_labels(item.get("metric")): float(item["value"][1]) for item in data["result"]}
        except (KeyError, IndexError, TypeError, ValueError) as exc:
            raise PromError(f"the answer's result is malformed ({exc!r})", reachable=True) from None

    def range(self, query: str, first: float, last: float, step: float) -> dict[Labels, tuple[np.ndarray, np.ndarray]]:
        """``/api/v1/query_range`` from ``first`` to ``last`` (evaluation times, Unix seconds),
        in as many requests as the points-per-series limit needs: (timestamps, values) per series."""
        count = round((last - first) / step) + 1
        pieces: dict[Labels, list[tuple[np.ndarray, np.ndarray]]] = {}
        for begin in range(0, count, self.max_points):
            end = min(count, begin + self.max_points) - 1
            data = self._post(
                "/api/v1/query_range",
                {
                    "query": query,
                    "start": _stamp(first + begin * step),
                    "end": _stamp(first + end * step),
                    "step": _stamp(step),
                },
            )
            if data.get("resultType") != "matrix":
                raise PromError(f"expected a matrix, got {data.get('resultType')!r}", reachable=True)
            try:
                for item in data["result"]:
                    values = item["values"]
                    stamps = np.fromiter((p[0] for p in values), dtype=float, count=len(values))
                    numbers = np.array([p[1] for p in values], dtype=float)
                    pieces.setdefault(_labels(item.get("metric")), []).append((stamps, numbers))
            except (KeyError, IndexError, TypeError, ValueError) as exc:
                raise PromError(f"the answer's result is malformed ({exc!r})", reachable=True) from None
        return {
            key: (np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts]))
            for key, parts in pieces.items()
        }

    def _post(self, path: str, form: dict[str, str]) -> dict[str, Any]:
        failure = ""
        for attempt in range(1, self.attempts + 1):
            pause = self.backoff * 2 ** (attempt - 1)
            started = time.perf_counter()
            try:
                # verify is passed on every call: requests lets REQUESTS_CA_BUNDLE override the session's.
                response = self.session.post(
                    self.url + path, data=form, timeout=self.timeout, verify=self.session.verify
                )
            except requests.Timeout:
                failure = f"no answer within {self.timeout:g} s"
            except requests.exceptions.SSLError as exc:
                raise PromError(
                    f"TLS failed ({_reason(exc)})",
                    reachable=False,
                    hint="set source.ca_bundle to the CA that signed the server's certificate",
                ) from None
            except requests.ConnectionError as exc:
                failure = f"cannot connect ({_reason(exc)})"
            except requests.RequestException as exc:
                raise PromError(f"the request failed ({_reason(exc)})", reachable=False) from None
            else:
                code = response.status_code
                if code == 429 or code >= 500:
                    failure = _api_error(response)
                    pause = max(pause, _retry_after(response))
                elif code in (401, 403):
                    raise PromError(
                        f"HTTP {code}: the server refused the credentials",
                        reachable=False,
                        hint="check bearer_token_env or basic_auth and the variable it names",
                    )
                elif code == 404:
                    raise PromError(
                        f"HTTP 404 for {path}",
                        reachable=False,
                        hint="url must be the API's base, e.g. http://prometheus:9090 (for Mimir include /prometheus)",
                    )
                else:
                    return self._data(response)
            finally:
                self.stats.add(time.perf_counter() - started)
            if attempt < self.attempts:
                log.debug("retrying %s after %s (attempt %d of %d)", path, failure, attempt, self.attempts)
                self.sleep(pause)
        raise PromError(
            f"{failure}; gave up after {self.attempts} attempts",
            reachable=False,
            hint="check that the server is running and reachable at this url, or raise source.timeout",
        )

    @staticmethod
    def _data(response: requests.Response) -> dict[str, Any]:
        try:
            body = response.json()
        except ValueError:
            raise PromError(
                f"the answer is not JSON (HTTP {response.status_code}, starts {response.text[:80]!r})",
                reachable=True,
                hint="check that url points at the Prometheus HTTP API",
            ) from None
        if not isinstance(body, dict) or body.get("status") != "success":
            if isinstance(body, dict) and body.get("status") == "error":
                raise PromError(f"{body.get('errorType', 'error')}: {body.get('error', '')}", reachable=True)
            raise PromError(
                f"the answer is not a Prometheus API response (starts {json.dumps(body)[:80]!r})",
                reachable=True,
                hint="check that url points at the Prometheus HTTP API",
            )
        data = body.get("data")
        if not isinstance(data, dict) or not isinstance(data.get("result"), list):
            raise PromError("the answer has no data.result", reachable=True)
        return data


def _reason(exc: Exception) -> str:
    """The root cause in a few words ('Connection refused'), not urllib3's nested reprs."""
    inner = exc.args[0] if exc.args else exc
    inner = getattr(inner, "reason", inner)
    while isinstance(inner, Exception) and inner.args and isinstance(inner.args[0], Exception):
        inner = inner.args[0]
    text = str(inner.args[-1] if isinstance(inner, Exception) and inner.args else inner)
    return text.rsplit("] ", 1)[-1][:200] if "[Errno" in text else text[:200]


def _retry_after(response: requests.Response) -> float:
    try:
        return min(MAX_RETRY_AFTER, float(response.headers.get("Retry-After", "0")))
    except ValueError:
        return 0.0
