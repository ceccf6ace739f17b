"""The error-budget policy: zones from remaining budget, and what each allows."""

from __future__ import annotations

from typing import Any

from pydantic import field_validator

from ..changes import CHANGE_KINDS, ChangeKind
from .base import Model, Name, check_name, check_text, require_unique


class ZoneConfig(Model):
    """One zone of the error-budget policy. The four default names carry default rules."""

    name: Name
    """Zone name, e.g. ``green``."""
    min_remaining: float | None = None
    """The zone applies when the remaining budget is at least this fraction (may be 0). The last zone has none: it catches the rest."""
    allowed_changes: list[ChangeKind] | None = None
    """What may ship: any of feature, bugfix, security, refactor."""
    approval: str | None = None
    """Who approves a change in this zone."""
    notify: list[str] | None = None
    """Who is told the service is in this zone."""
    guidance: str | None = None
    """One sentence for the report on what the zone means for the team."""

    @field_validator("approval", "guidance")
    @classmethod
    def _visible_text(cls, value: str | None) -> str | None:
        return None if value is None else check_text(value)

    @field_validator("notify")
    @classmethod
    def _visible_names(cls, value: list[str] | None) -> list[str] | None:
        return None if value is None else [check_name(name) for name in value]


DEFAULT_ZONE_RULES: dict[str, dict[str, Any]] = {
    "green": dict(
        min_remaining=0.75,
        allowed_changes=list(CHANGE_KINDS),
        approval="standard code review",
        notify=[],
        guidance="Normal release velocity.",
    ),
    "yellow": dict(
        min_remaining=0.25,
        allowed_changes=list(CHANGE_KINDS),
        approval="senior engineer approval",
        notify=["engineering manager"],
        guidance="Ship with care: every change needs a senior engineer's approval.",
    ),
    "orange": dict(
        min_remaining=0.0,
        allowed_changes=["bugfix", "security"],
        approval="engineering manager approval",
        notify=["engineering manager", "VP engineering"],
        guidance="Bug fixes and security fixes only.",
    ),
    "red": dict(
        min_remaining=None,
        allowed_changes=["security"],
        approval="VP engineering approval",
        notify=["engineering manager", "VP engineering", "executives"],
        guidance="Release freeze: security fixes only; data-loss fixes by exception with VP approval.",
    ),
}


class PolicyConfig(Model):
    zones: list[ZoneConfig] = [ZoneConfig(name=n, **r) for n, r in DEFAULT_ZONE_RULES.items()]
    """Zones from the most to the least remaining budget; defaults: green ≥ 75%, yellow ≥ 25%, orange ≥ 0%, red below."""

    @field_validator("zones", mode="after")
    @classmethod
    def _complete_zones(cls, zones: list[ZoneConfig]) -> list[ZoneConfig]:
        if not zones:
            raise ValueError("no zones; give at least one, or remove policy to use the defaults")
        problems, completed = [], []
        for index, zone in enumerate(zones):
            defaults = DEFAULT_ZONE_RULES.get(zone.name, {})
            values = zone.model_dump(exclude_unset=True)
            for key in ("allowed_changes", "approval", "notify", "guidance"):
                if values.get(key) is None:
                    if key in defaults:
                        values[key] = defaults[key]
                    elif key == "guidance":
                        values[key] = ""
                    else:
                        problems.append(
                            f"zones[{index}] ({zone.name}) has no {key}; add it (only green, yellow, orange and red have defaults)"
                        )
            last = index == len(zones) - 1
            if last and zone.min_remaining is not None:
                problems.append(
                    f"zones[{index}].min_remaining: the last zone catches the rest; remove its min_remaining"
                )
            if not last and zone.min_remaining is None:
                problems.append(f"zones[{index}].min_remaining: missing; give every zone but the last a min_remaining")
            completed.append(ZoneConfig(**values))
        bounds = [z.min_remaining for z in zones[:-1] if z.min_remaining is not None]
        if bounds != sorted(bounds, reverse=True) or len(set(bounds)) != len(bounds):
            problems.append(
                "min_remaining must fall strictly from the first zone to the last; order the zones from most to least budget"
            )
        require_unique([z.name for z in zones], "zone")
        if problems:
            raise ValueError("; ".join(problems))
        return completed
