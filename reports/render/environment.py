"""The one Jinja environment every document is rendered with.

Templates live in the top-level ``templates/`` folder. An installed wheel carries them as the
package ``reports.templates`` (see ``[tool.setuptools.package-dir]`` in pyproject.toml), so
they are found with :mod:`importlib.resources`; a checkout that was never installed has no
such package, and the repository's ``templates/`` folder is used instead.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

import jinja2

from .. import format as fmt

TEMPLATE_PACKAGE = "reports.templates"
CHECKOUT_TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
PROBE = "service.html"


def template_root() -> Traversable:
    """Where the templates are: the installed package, else the checkout's folder."""
    try:
        root = resources.files(TEMPLATE_PACKAGE)
    except ModuleNotFoundError:
        root = None
    if root is not None and root.joinpath(PROBE).is_file():
        return root
    if CHECKOUT_TEMPLATES.joinpath(PROBE).is_file():
        return CHECKOUT_TEMPLATES
    raise FileNotFoundError(
        f"the report templates are missing: neither the package {TEMPLATE_PACKAGE} nor {CHECKOUT_TEMPLATES} "
        f"holds {PROBE}; reinstall slo-reports"
    )


class TraversableLoader(jinja2.BaseLoader):
    """Loads templates from a folder or an importlib resource (both are Traversables)."""

    def __init__(self, root: Traversable):
        self.root = root

    def get_source(self, environment: jinja2.Environment, template: str):
        parts = [p for p in template.split("/") if p]
        if not parts or any(p in (".", "..") for p in parts):
            raise jinja2.TemplateNotFound(template)
        node = self.root
        for part in parts:
            node = node.joinpath(part)
        if not node.is_file():
            raise jinja2.TemplateNotFound(template)
        return node.read_text(encoding="utf-8"), str(node), lambda: True

    def list_templates(self) -> list[str]:
        return sorted(n.name for n in self.root.iterdir() if n.is_file() and n.name.endswith((".html", ".css")))


# Filters that are not in reports/format.py because they only make sense in documents.


def days(value: float) -> str:
    """A window's length: ``31.0`` → ``31 days``; a month with a DST change, ``30.0417`` →
    ``30 d 01 h 00 min``."""
    if abs(value - round(value)) < 1e-9:
        return "1 day" if round(value) == 1 else f"{round(value)} days"
    return fmt.minutes(value * 1440)


def local_time(instant, tz: str, fmt_: str = "%d %b %H:%M") -> str:
    return fmt.local_time(instant, tz, fmt_)


def local_date(instant, tz: str) -> str:
    return fmt.local_time(instant, tz, "%d %b %Y")


def local_datetime(instant, tz: str) -> str:
    """``01 Oct 2026 00:00 UTC`` (the zone's abbreviation at that instant)."""
    return fmt.local_time(instant, tz, "%d %b %Y %H:%M %Z")


def calendar_date(value) -> str:
    """A calendar date (no time, no zone): ``2026-10-06`` → ``06 Oct 2026``."""
    return value.strftime("%d %b %Y")


def span(start, end, tz: str) -> str:
    return fmt.short_span(start, end, tz)


def join(values, separator: str = ", ", empty: str = "nobody") -> str:
    values = [str(v) for v in values]
    return separator.join(values) if values else empty


ZONE_CLASSES = {"green": "green", "yellow": "yellow", "orange": "orange", "red": "red", "no data": "nodata"}


def zone_css(name: str) -> str:
    """CSS class of a zone's colour; custom zone names get the neutral ``other``."""
    return ZONE_CLASSES.get(name, "other")


FILTERS = {
    "sli": fmt.sli,
    "share": fmt.share,
    "used": fmt.used,
    "objective": fmt.objective,
    "minutes": fmt.minutes,
    "burn": fmt.burn,
    "count": fmt.count,
    "window_name": fmt.window_name,
    "points": fmt.points,
    "days": days,
    "local_time": local_time,
    "local_date": local_date,
    "local_datetime": local_datetime,
    "span": span,
    "calendar_date": calendar_date,
    "join_or": join,
    "credit": fmt.credit,
    "customer_sli": fmt.customer_sli,
    "zone_css": zone_css,
}


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=TraversableLoader(template_root()),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(FILTERS)
    return env


def render(template: str, **context) -> str:
    return environment().get_template(template).render(**context)
