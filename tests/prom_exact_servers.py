"""Session fixtures: the ground-truth counters (tests/prom_scrapes.py) loaded into real Prometheus and
VictoriaMetrics (single node, and behind the cluster's path prefix); shared by the exact, engine
and doctor tests so each server is loaded once per run."""

from __future__ import annotations

import pytest

from tests.prom_scrapes import scenario
from tests.prom_servers import build_tsdb, prometheus, victoria_metrics

CLUSTER_PREFIX = "/select/0/prometheus"


@pytest.fixture(scope="session")
def scrapes():
    return scenario()


@pytest.fixture(scope="session")
def exact_prometheus_url(scrapes, tmp_path_factory):
    folder = tmp_path_factory.mktemp("prometheus-exact")
    with prometheus(build_tsdb(scrapes.openmetrics(), folder), folder) as url:
        yield url


@pytest.fixture(scope="session")
def exact_victoria_url(scrapes, tmp_path_factory):
    with victoria_metrics(scrapes.exposition(), tmp_path_factory.mktemp("victoria-exact")) as url:
        yield url


@pytest.fixture(scope="session")
def exact_victoria_cluster_url(scrapes, tmp_path_factory):
    with victoria_metrics(scrapes.exposition(), tmp_path_factory.mktemp("victoria-prefix"), CLUSTER_PREFIX) as url:
        yield url
