"""Where event counts come from: a file, or Prometheus and compatible stores."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from pydantic import Field, ValidationInfo, field_validator, model_validator

from .base import Duration, Model, env_var_name, resolve_path


def _source_env_name(value: str | None) -> str | None:
    return env_var_name(value, "give the variable's name, e.g. PROM_TOKEN, not the secret itself")


class BasicAuthConfig(Model):
    """HTTP basic authentication; the password is read from the environment, never from the YAML."""

    username: str = Field(min_length=1)
    """User name sent to the server."""
    password_env: str
    """Name of the environment variable that holds the password, e.g. ``PROM_PASSWORD``."""

    @field_validator("password_env")
    @classmethod
    def _check_env(cls, value: str) -> str | None:
        return _source_env_name(value)


class SourceConfig(Model):
    """Where event counts come from."""

    type: Literal["file", "prometheus"] = "file"
    """``file``: a CSV (optionally gzip) with columns ``timestamp,service,slo,customer,good,total``. ``prometheus``: the HTTP API of Prometheus or a compatible store (Thanos, Mimir, VictoriaMetrics)."""
    path: Path | None = None
    """file: path of the CSV, relative to the config file."""
    step: Duration = timedelta(minutes=5)
    """Length of one time step in the data; each row counts the events in [timestamp, timestamp + step). prometheus: the resolution of the pulled series; make it at least two scrape intervals."""
    url: str | None = None
    """prometheus: base URL of the API, e.g. ``http://prometheus:9090`` (for Mimir include its prefix, e.g. ``http://mimir/prometheus``)."""
    timeout: Duration = timedelta(seconds=60)
    """prometheus: time allowed for one HTTP request; a request that times out is retried with backoff."""
    max_concurrency: int = Field(4, ge=1, le=64)
    """prometheus: at most this many requests in flight at once."""
    compression: bool = False
    """prometheus: ask the server to gzip its answers. Off by default: compressing a month of per-step series costs Prometheus about three times the CPU of answering (measured on Debian's 2.42), far more than sending them over a local network takes. Turn it on where the link is slow or metered, e.g. a hosted Mimir or Thanos reached over the internet."""
    headers: dict[str, str] = {}
    """prometheus: extra HTTP headers sent with every request, e.g. ``X-Scope-OrgID: team-a`` for a Mimir tenant. Not for secrets: use ``bearer_token_env`` or ``basic_auth``."""
    bearer_token_env: str | None = None
    """prometheus: name of the environment variable that holds a bearer token (the token itself never goes in the YAML and is never logged)."""
    basic_auth: BasicAuthConfig | None = None
    """prometheus: ``{username: ..., password_env: NAME}``; the password is read from the environment variable ``NAME``."""
    ca_bundle: Path | None = None
    """prometheus: PEM file of the CA certificates that sign the server's certificate, relative to the config file."""
    tls_verify: bool = True
    """prometheus: ``false`` turns off certificate checks (test setups only; prefer ``ca_bundle``)."""
    engine: Literal["auto", "prometheus", "thanos", "mimir", "victoriametrics"] = "auto"
    """prometheus: which server answers at ``url``; each engine gets its own request parameters and limits. ``auto`` reads ``/api/v1/status/buildinfo`` (and, for Thanos, ``/api/v1/stores``). ``thanos`` asks for deduplicated, raw-resolution data and refuses partial answers; ``mimir`` sends ``tenant`` and splits queries longer than ``max_query_length``; ``victoriametrics`` refuses partial answers (the cluster's URL is ``http://vmselect:8481/select/<accountID>/prometheus``)."""
    tenant: str | None = None
    """prometheus: tenant sent as the ``X-Scope-OrgID`` header (Mimir, Cortex, Thanos Receive); leave unset for a single-tenant server."""
    max_query_length: Duration | None = None
    """prometheus: the longest time range one query may span, lookback included; longer ranges are split into shorter queries whose counts add up exactly. Default: 768h for ``mimir`` (its usual ``max_partial_query_length``), no limit otherwise."""
    max_points: int | None = Field(None, ge=100)
    """prometheus: the most points per series one range query may return; longer ranges are split. Default: 11000 (Prometheus, Thanos, Mimir), 30000 for ``victoriametrics`` (``-search.maxPointsPerTimeseries``)."""

    @field_validator("path", "ca_bundle")
    @classmethod
    def _resolve_path(cls, value: Path | None, info: ValidationInfo) -> Path | None:
        return resolve_path(value, info)

    @field_validator("url")
    @classmethod
    def _check_url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"{value!r} is not an http(s) URL; write e.g. http://prometheus:9090")
        if parts.username is not None or parts.password is not None:
            raise ValueError("the URL holds credentials; remove them and use basic_auth or bearer_token_env")
        return value.rstrip("/")

    @field_validator("headers")
    @classmethod
    def _no_secret_headers(cls, value: dict[str, str]) -> dict[str, str]:
        for name in value:
            if name.lower() in ("authorization", "proxy-authorization"):
                raise ValueError(f"{name} would put a secret in the YAML; use bearer_token_env or basic_auth instead")
        return value

    @field_validator("tenant")
    @classmethod
    def _check_tenant(cls, value: str | None) -> str | None:
        if value is not None and (not value or any(ch in value for ch in "\r\n\x00|") or len(value) > 150):
            raise ValueError("is not a tenant ID (up to 150 characters, no line breaks or |); write e.g. team-a")
        return value

    @field_validator("bearer_token_env")
    @classmethod
    def _check_env(cls, value: str | None) -> str | None:
        return _source_env_name(value)

    @model_validator(mode="after")
    def _complete(self) -> SourceConfig:
        if self.type == "file" and self.path is None:
            raise ValueError("a file source needs a path; add path: data/events.csv.gz")
        if self.type == "prometheus" and self.url is None:
            raise ValueError("a prometheus source needs a url; add url: http://prometheus:9090")
        if self.bearer_token_env is not None and self.basic_auth is not None:
            raise ValueError("bearer_token_env and basic_auth are both set; keep the one your server expects")
        if self.tenant is not None and any(name.lower() == "x-scope-orgid" for name in self.headers):
            raise ValueError("tenant and headers.X-Scope-OrgID are both set; keep tenant")
        if self.ca_bundle is not None and not self.tls_verify:
            raise ValueError("ca_bundle is set but tls_verify is false; remove one of them")
        return self
