"""The error-budget policy: a zone per SLO and service, and recommendations in sentences.

Pure: results and the policy config in, frozen assessments out.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from .archive import SloMonth
from .compute.results import SloResult
from .config import PolicyConfig, ServiceConfig, ZoneConfig
from .format import objective, percent, short_span, window_name
from .window import COVERAGE_WARNING

TIGHTEN_BELOW_CONSUMED = 0.25
OBJECTIVE_LADDER = (0.9, 0.95, 0.98, 0.99, 0.995, 0.998, 0.999, 0.9995, 0.9998, 0.9999, 0.99995, 0.99999)
"""The objectives people write down; a suggested objective is always one of them."""


def tighter_objective(current: float, worst_sli: float | None) -> float | None:
    """The next objective up the ladder, if the worst SLI seen would have met it.

    The one rule for suggesting a tighter objective: the monthly report (its month's SLI) and
    the quarterly review (its worst month) both use it."""
    tighter = next((o for o in OBJECTIVE_LADDER if o > current), None)
    return tighter if tighter is not None and worst_sli is not None and worst_sli >= tighter else None


def looser_objective(current: float, worst_sli: float) -> float | None:
    """The strictest objective on the ladder below the current one that the worst SLI met."""
    return max((o for o in OBJECTIVE_LADDER if o < current and o <= worst_sli), default=None)


@dataclass(frozen=True)
class Zone:
    name: str
    min_remaining: float | None
    allowed_changes: tuple[str, ...]
    approval: str
    notify: tuple[str, ...]
    guidance: str
    rank: float
    """Higher is worse; a service takes its worst SLO's zone."""


NO_DATA_GUIDANCE = (
    "The SLO could not be evaluated: missing data is never good data, so only bug and "
    "security fixes ship until the data is back."
)


def zones_of(policy: PolicyConfig) -> tuple[Zone, ...]:
    return tuple(_zone(z, rank) for rank, z in enumerate(policy.zones))


def _zone(z: ZoneConfig, rank: float) -> Zone:
    return Zone(
        z.name,
        z.min_remaining,
        tuple(z.allowed_changes or ()),
        z.approval or "",
        tuple(z.notify or ()),
        z.guidance or "",
        rank,
    )


def no_data_zone(zones: tuple[Zone, ...]) -> Zone:
    """Ranked just better than the last zone, allowing bug fixes and security fixes."""
    return Zone(
        "no data",
        None,
        ("bugfix", "security"),
        "engineering manager approval",
        ("engineering manager",),
        NO_DATA_GUIDANCE,
        len(zones) - 1.5,
    )


def zone_for(remaining: float | None, zones: tuple[Zone, ...]) -> Zone:
    if remaining is None:
        return no_data_zone(zones)
    for zone in zones:
        if zone.min_remaining is None or remaining >= zone.min_remaining:
            return zone
    return zones[-1]


@dataclass(frozen=True)
class Advice:
    """One recommendation: ``kind`` lets documents pick (e.g. leave out ``zone`` where a banner says it)."""

    kind: str
    """``no data``, ``missed``, ``overspent``, ``zone``, ``postmortem``, ``burning``, ``coverage``, ``tighten`` or ``trend``."""
    text: str


@dataclass(frozen=True)
class SloAssessment:
    result: SloResult
    zone: Zone
    recommendations: tuple[Advice, ...]
    history: tuple[SloMonth, ...] = ()
    """The same SLO in earlier months' reports (up to six), oldest first."""


@dataclass(frozen=True)
class ServiceAssessment:
    name: str
    description: str
    owner: str
    email: tuple[str, ...]
    slos: tuple[SloAssessment, ...]
    zone: Zone
    """The worst of its SLOs' zones: it decides what the service may ship."""

    @property
    def deciding_slos(self) -> tuple[SloAssessment, ...]:
        return tuple(s for s in self.slos if s.zone.name == self.zone.name)


def assess_service(
    service: ServiceConfig,
    results: list[SloResult],
    policy: PolicyConfig,
    tz: str,
    history: Sequence[Mapping[tuple[str, str], SloMonth]] = (),
) -> ServiceAssessment:
    """``history``: earlier months' rows (``archive.ArchivedReport.slo_rows``), oldest first."""
    zones = zones_of(policy)
    slos = []
    for result, slo in zip(results, service.slos, strict=True):
        zone = zone_for(result.budget.remaining, zones)
        earlier = tuple(month[(service.name, slo.name)] for month in history if (service.name, slo.name) in month)
        advice = recommend(result, zone, zones, slo.incidents.postmortem_share, tz)
        trend = trend_advice(result, earlier[-1] if earlier else None)
        slos.append(SloAssessment(result, zone, advice + ((trend,) if trend else ()), earlier))
    worst = max((s.zone for s in slos), key=lambda z: z.rank)
    return ServiceAssessment(service.name, service.description, service.owner, tuple(service.email), tuple(slos), worst)


def trend_advice(result: SloResult, previous: SloMonth | None) -> Advice | None:
    """How budget consumption moved since the previous report, when both months have data."""
    if previous is None or previous.budget_consumed is None or result.budget.consumed is None:
        return None
    before, now = previous.budget_consumed, result.budget.consumed
    label = previous.month.label()
    if round(before * 100) == round(now * 100):
        return Advice("trend", f"Budget consumption held at {percent(now, 0)} (as in {label}).")
    verb = "rose" if now > before else "fell"
    changed = (
        f" The objective changed from {objective(previous.objective)}."
        if previous.objective != result.objective
        else ""
    )
    return Advice(
        "trend", f"Budget consumption {verb} from {percent(before, 0)} in {label} to {percent(now, 0)}.{changed}"
    )


def recommend(
    result: SloResult, zone: Zone, zones: tuple[Zone, ...], postmortem_share: float, tz: str
) -> tuple[Advice, ...]:
    """Concrete sentences derived from the numbers, most urgent first."""
    if not result.has_data:
        return (
            Advice("no data", f"No data ({result.no_data_reason}): the SLO cannot be evaluated. {NO_DATA_GUIDANCE}"),
        )
    out = []
    budget = result.budget
    assert result.sli is not None and budget.consumed is not None and budget.remaining is not None  # it has data
    if result.status == "missed":
        out.append(
            Advice(
                "missed",
                f"Missed the {objective(result.objective)} objective (SLI {percent(result.sli)}): "
                "reliability work comes before feature work until the service is back within "
                "its objective.",
            )
        )
    if budget.remaining < 0:
        out.append(
            Advice(
                "overspent",
                f"The error budget is overspent: {percent(budget.consumed, 0)} of it was "
                f"consumed ({percent(-budget.remaining, 0)} over).",
            )
        )
    out.append(Advice("zone", _zone_sentence(budget.remaining, zone, zones)))
    for incident in result.incidents:
        if incident.postmortem_required:
            out.append(
                Advice(
                    "postmortem",
                    f"{_postmortem_lead(incident.note)}: the incident of "
                    f"{short_span(incident.start, incident.end, tz)} consumed "
                    f"{percent(incident.budget_share, 0)} of the month's budget (more than "
                    f"{percent(postmortem_share, 0)}); agree at least one P0 action.",
                )
            )
    burning = next((a for a in result.alerts if a.firing_at_end), None)
    if burning is not None:
        pair = f"{window_name(burning.long_window_minutes)}/{window_name(burning.short_window_minutes)}"
        out.append(
            Advice(
                "burning",
                f"The {pair} burn-rate alert ({burning.threshold:g}×, {burning.severity}) was "
                "still firing when the window ended: the budget is burning now; make sure the "
                "incident is over before releasing.",
            )
        )
    if result.coverage < COVERAGE_WARNING:
        out.append(
            Advice(
                "coverage",
                f"Data covers {percent(result.coverage)} of the window "
                f"({result.downtime.no_data_minutes:,.0f} minutes without data are counted "
                "neither good nor bad): fix the telemetry gap.",
            )
        )
    if result.status == "met" and budget.consumed < TIGHTEN_BELOW_CONSUMED:
        tighter = tighter_objective(result.objective, result.sli)
        suggestion = f"tightening the objective to {objective(tighter)}" if tighter else "tightening the objective"
        out.append(
            Advice(
                "tighten",
                f"Met with {percent(budget.remaining, 0)} of the budget unused: consider "
                f"{suggestion}, or spend the budget on faster releases.",
            )
        )
    return tuple(out)


def _postmortem_lead(note) -> str:
    """Whether anyone recorded the incident: a note names it, its owner and its postmortem."""
    if note is None:
        return "Postmortem owed, no record (add an incident note with its owner)"
    owner = f", owner {note.owner}" if note.owner else ""
    written = "postmortem linked" if note.postmortem else "no postmortem linked yet"
    return f"Postmortem required ({note.id}{owner}, {written})"


def _zone_sentence(remaining: float, zone: Zone, zones: tuple[Zone, ...]) -> str:
    better = [z for z in zones if z.rank < zone.rank and z.min_remaining is not None]
    needs = f", {better[-1].name} needs {percent(better[-1].min_remaining, 0)}" if better else ""
    allowed = ", ".join(zone.allowed_changes) or "nothing"
    notify = f"; notify {', '.join(zone.notify)}" if zone.notify else ""
    left = (
        f"{percent(remaining, 1)} of the budget left"
        if remaining >= 0
        else f"budget overspent by {percent(-remaining, 1)}"
    )
    return f"Zone {zone.name} ({left}{needs}): {zone.guidance} Allowed: {allowed}, with {zone.approval}{notify}."
