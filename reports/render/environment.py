"""The one Jinja environment every document is rendered with.

Templates live in the top-level ``templates/`` folder. An installed wheel carries them as the
package ``reports.templates`` (see ``[tool.setuptools.package-dir]`` in pyproject.toml), so
they are found with :mod:`importlib.resources`; a checkout that was never installed has no
such package, and the repository's ``templates/`` folder is used instead.
"""

from __future__ import annotations

import math
from decimal import ROUND_FLOOR, Decimal
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


def points(value: float | None) -> str:
    """A margin in percentage points, signed, with two significant digits of it:
    ``0.000297`` → ``+0.030 pp``, ``-0.0145`` → ``−1.5 pp``."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    pp = value * 100
    digits = 1 if pp == 0 or abs(pp) >= 1 else min(4, 1 - math.floor(math.log10(abs(pp))))
    text = f"{abs(pp):.{digits}f} pp"
    if float(f"{abs(pp):.{digits}f}") == 0:
        return text
    return ("+" if pp > 0 else "−") + text


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


def credit(value: float | None) -> str:
    """A credit as a percentage of the month's fee: ``10.0`` → ``10%``, ``12.5`` → ``12.5%``."""
    return "n/a" if value is None else f"{value:g}%"


def _percent_decimals(fraction: float) -> int:
    """Decimals of a bound written as a percentage: ``0.9995`` → 2 (99.95%)."""
    exponent = (Decimal(repr(fraction)) * 100).normalize().as_tuple().exponent
    return min(6, max(0, -int(exponent)))


def customer_sli(value: float | None, *bounds: float | None) -> str:
    """A customer's SLI where it is read against an SLA, an objective and credit bounds.

    Cut, not rounded, to at least three decimals and at least as many as each bound has: a
    value below a bound is never written as the bound (0.98999 → ``98.999%``, not ``99.0%``,
    when "below 99%" earns a credit), and a value at or above it never below it.
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    gap = abs(1 - value) * 100
    digits = 1 if gap == 0 or gap >= 1 else min(4, 1 - math.floor(math.log10(gap)))
    digits = max(3, digits, *(_percent_decimals(b) for b in bounds if b is not None))
    shown = (Decimal(repr(float(value))) * 100).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_FLOOR)
    return f"{shown}%"


def join(values, separator: str = ", ", empty: str = "nobody") -> str:
    values = [str(v) for v in values]
    return separator.join(values) if values else empty


ZONE_CLASSES = {"green": "green", "yellow": "yellow", "orange": "orange", "red": "red", "no data": "nodata"}


def zone_css(name: str) -> str:
    """CSS class of a zone's colour; custom zone names get the neutral ``other``."""
    return ZONE_CLASSES.get(name, "other")


FILTERS = {
    "percent": fmt.percent,
    "objective": fmt.objective,
    "minutes": fmt.minutes,
    "burn": fmt.burn,
    "count": fmt.count,
    "window_name": fmt.window_name,
    "points": points,
    "days": days,
    "local_time": local_time,
    "local_date": local_date,
    "local_datetime": local_datetime,
    "span": span,
    "calendar_date": calendar_date,
    "join_or": join,
    "credit": credit,
    "customer_sli": customer_sli,
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
