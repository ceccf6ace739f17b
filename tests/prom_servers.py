"""Real servers for the tests: Prometheus over a TSDB built by promtool, and VictoriaMetrics fed
through its import API. Each listens on a free loopback port and is stopped when the block ends.

A missing binary skips the test locally, with the command that installs it; under ``CI=true``
it fails instead, so CI cannot go green by testing nothing.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import requests

# promtool re-reads its whole input once per block it writes. Blocks of 486h (the largest that
# Prometheus compacts to by itself) make that three passes for 40 days instead of 480.
PROMTOOL_BLOCK = "486h"


def need(binary: str, package: str) -> str:
    path = shutil.which(binary)
    if path:
        return path
    message = f"{binary} is not installed; install it with: apt-get install -y {package}"
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def running(args: list[str], ready: str, log: Path, timeout: float = 60) -> Iterator[None]:
    """Start ``args``, wait until ``ready`` answers 200, stop the process afterwards."""
    with log.open("wb") as output:
        process = subprocess.Popen(args, stdout=output, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + timeout
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"{args[0]} exited with {process.returncode}: {log.read_text()[-2000:]}")
            try:
                if requests.get(ready, timeout=1).status_code == 200:
                    break
            except requests.ConnectionError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"{args[0]} not ready after {timeout} s: {log.read_text()[-2000:]}")
            time.sleep(0.1)
        yield
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def build_tsdb(openmetrics: str, folder: Path) -> Path:
    """Blocks for ``openmetrics`` (samples with timestamps in seconds) in ``folder/data``."""
    promtool = need("promtool", "prometheus")
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "input.om").write_text(openmetrics)
    subprocess.run(
        [
            promtool,
            "tsdb",
            "create-blocks-from",
            "openmetrics",
            f"--max-block-duration={PROMTOOL_BLOCK}",
            "--quiet",
            str(folder / "input.om"),
            str(folder / "data"),
        ],
        check=True,
        capture_output=True,
    )
    (folder / "input.om").unlink()
    return folder / "data"


@contextmanager
def prometheus(data: Path, folder: Path, retention: str = "100y") -> Iterator[str]:
    """Prometheus serving the TSDB in ``data``; yields its base URL. Retention counts back from the
    newest block, so backfilled data stays unless it is older than ``retention`` before that."""
    binary = need("prometheus", "prometheus")
    (folder / "prometheus.yml").write_text("global: {}\n")
    url = f"http://127.0.0.1:{free_port()}"
    args = [
        binary,
        f"--config.file={folder / 'prometheus.yml'}",
        f"--storage.tsdb.path={data}",
        f"--web.listen-address={url.removeprefix('http://')}",
        f"--storage.tsdb.retention.time={retention}",
    ]
    with running(args, url + "/-/ready", folder / "prometheus.log"):
        yield url


@contextmanager
def victoria_metrics(exposition: str, folder: Path, prefix: str = "") -> Iterator[str]:
    """VictoriaMetrics loaded with ``exposition`` (Prometheus text, timestamps in ms); yields its URL.
    ``prefix`` (``-http.pathPrefix``) puts every path under it, as the cluster's
    ``/select/<accountID>/prometheus`` is."""
    binary = need("victoria-metrics", "victoria-metrics")
    folder.mkdir(parents=True, exist_ok=True)
    address = f"127.0.0.1:{free_port()}"
    url = f"http://{address}{prefix}"
    args = [
        binary,
        f"-storageDataPath={folder / 'data'}",
        f"-httpListenAddr={address}",
        "-retentionPeriod=100y",
    ]
    if prefix:
        args.append(f"-http.pathPrefix={prefix}")
    with running(args, url + "/health", folder / "victoria-metrics.log"):
        requests.post(url + "/api/v1/import/prometheus", data=exposition.encode(), timeout=60).raise_for_status()
        requests.get(url + "/internal/force_flush", timeout=60).raise_for_status()
        yield url
