"""The error-budget policy: a zone per SLO and service, and recommendations in sentences.

Pure: results and the policy config in, frozen assessments out.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from .archive import SloMonth
from .compute.gaps import exceeds_allowance, partial
from .compute.results import SloResult
from .config import PolicyConfig, ServiceConfig, ZoneConfig
from .format import local_time, minutes, objective, share, short_span, sli, used
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
    short: str = ""
    """The finding in a few words, for one-line-per-SLO lists (the summary)."""


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
    """How budget use moved since the previous report, when both months have data; a partial
    previous month (more time without data than its budget) is named as such."""
    if previous is None or previous.budget_consumed is None or result.budget.consumed is None:
        return None
    before, now = previous.budget_consumed, result.budget.consumed
    label = previous.month.label()
    caveat = (
        f" {label} had data for only {share(previous.coverage)} of the month, so this compares with a partial month."
        if partial(previous.coverage, previous.objective)
        else ""
    )
    changed = (
        f" The objective changed from {objective(previous.objective)}."
        if previous.objective != result.objective
        else ""
    )
    if used(before) == used(now):
        return Advice(
            "trend",
            f"Budget use held at {used(now)} (as in {label}).{caveat}{changed}",
            f"budget use steady at {used(now)}",
        )
    verb = "rose" if now > before else "fell"
    return Advice(
        "trend",
        f"Budget use {verb} from {used(before)} in {label} to {used(now)}.{caveat}{changed}",
        f"budget use {'up' if now > before else 'down'} from {used(before)}",
    )


def recommend(
    result: SloResult, zone: Zone, zones: tuple[Zone, ...], postmortem_share: float, tz: str
) -> tuple[Advice, ...]:
    """Concrete sentences in plain words, derived from the numbers, most urgent first."""
    if not result.has_data:
        return (
            Advice(
                "no data",
                f"No data ({result.no_data_reason}): the SLO cannot be evaluated. {NO_DATA_GUIDANCE}",
                f"no data ({result.no_data_reason})",
            ),
        )
    out = []
    budget = result.budget
    assert result.sli is not None and budget.consumed is not None and budget.remaining is not None  # it has data
    if result.status == "missed":
        out.append(
            Advice(
                "missed",
                f"Missed the {objective(result.objective)} objective (SLI {sli(result.sli, result.objective)}): "
                "reliability work comes before feature work until the service is back within "
                "its objective.",
                f"missed {objective(result.objective)} (SLI {sli(result.sli, result.objective)})",
            )
        )
    if budget.remaining < 0:
        out.append(
            Advice(
                "overspent",
                f"The error budget is overspent: {used(budget.consumed)} of it was used "
                f"({used(-budget.remaining)} more than the objective allows).",
                f"budget overspent by {used(-budget.remaining)}",
            )
        )
    out.append(Advice("zone", _zone_sentence(budget.remaining, zone, zones), f"zone {zone.name}"))
    for incident in result.incidents:
        if incident.postmortem_required:
            if judged_per_run(result):
                what = (
                    f"the run of {local_time(incident.start, tz, '%d %b')} "
                    f"({incident.bad_events} of {incident.total_events} "
                    f"{'runs late' if result.threshold is not None else 'jobs failed'})"
                )
                brief = f"postmortem owed for the run of {local_time(incident.start, tz, '%d %b')}"
            else:
                what = f"the incident of {short_span(incident.start, incident.end, tz)}"
                brief = f"postmortem owed for {short_span(incident.start, incident.end, tz)}"
            out.append(
                Advice(
                    "postmortem",
                    f"{_postmortem_lead(incident.note)}: {what} used {used(incident.budget_share)} of the "
                    f"month's budget (the policy asks for one above {objective(postmortem_share)}); agree at least "
                    "one top-priority (P0) action.",
                    f"{brief}{'' if incident.note is not None else ', no record'} "
                    f"({used(incident.budget_share)} of the budget)",
                )
            )
    burning = None if judged_per_run(result) else next((a for a in result.alerts if a.firing_at_end), None)
    if burning is not None:
        long, short = minutes_name(burning.long_window_minutes), minutes_name(burning.short_window_minutes)
        out.append(
            Advice(
                "burning",
                f"Was still burning budget when the month ended: the {burning.severity} alert was firing (errors "
                f"over the last {long}, confirmed over the last {short}, at more than {burning.threshold:g} times "
                "the rate that spends the budget in exactly a month). Check the burn has stopped before releasing.",
                "was burning budget when the month ended",
            )
        )
    gap_minutes = result.downtime.no_data_minutes
    if exceeds_allowance(gap_minutes, result.downtime.allowed_minutes):
        gaps = len(result.no_data_spans)
        counted = f" in {gaps} gap{'s' if gaps != 1 else ''}" if gaps else ""
        out.append(
            Advice(
                "coverage",
                f"No data for {minutes(gap_minutes)}{counted}, more than the "
                f"{minutes(result.downtime.allowed_minutes)} of downtime the objective allows: a miss could hide in "
                "the gap, so the verdict is not safe. Fix the telemetry gap.",
                f"no data for {minutes(gap_minutes)} (allowance {minutes(result.downtime.allowed_minutes)})",
            )
        )
    elif result.coverage < COVERAGE_WARNING:
        out.append(
            Advice(
                "coverage",
                f"Data covers {share(result.coverage)} of the window ({minutes(gap_minutes)} without data are "
                "counted neither good nor bad): fix the telemetry gap.",
                f"data covers {share(result.coverage)} of the month",
            )
        )
    if result.status == "met" and budget.consumed < TIGHTEN_BELOW_CONSUMED:
        tighter = tighter_objective(result.objective, result.sli)
        suggestion = f"tightening the objective to {objective(tighter)}" if tighter else "tightening the objective"
        out.append(
            Advice(
                "tighten",
                f"Met with {share(budget.remaining)} of the budget unused: consider "
                f"{suggestion}, or spend the budget on faster releases.",
                f"could tighten to {objective(tighter)}" if tighter else "budget mostly unused",
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


RUN_SLICE_MINUTES = 1440


def judged_per_run(result: SloResult) -> bool:
    """An SLO whose downtime slice is a day or longer counts nightly runs (batch jobs): documents show
    runs and nights, not request-style burn charts and alerts."""
    return result.downtime.slice_minutes >= RUN_SLICE_MINUTES


def minutes_name(value: int) -> str:
    """``60`` → ``hour``, ``5`` → ``5 minutes``, ``4320`` → ``3 days``: a window in words."""
    for unit, size in (("day", 1440), ("hour", 60), ("minute", 1)):
        if value % size == 0:
            n = value // size
            return unit if n == 1 else f"{n} {unit}s"
    return f"{value} minutes"


def _zone_sentence(remaining: float, zone: Zone, zones: tuple[Zone, ...]) -> str:
    better = [(z.name, z.min_remaining) for z in zones if z.rank < zone.rank and z.min_remaining is not None]
    needs = f", {better[-1][0]} needs {objective(better[-1][1])}" if better else ""
    notify = f"; notify {', '.join(zone.notify)}" if zone.notify else ""
    left = f"{share(remaining)} of the budget left" if remaining >= 0 else f"budget overspent by {used(-remaining)}"
    return f"Zone {zone.name} ({left}{needs}): {zone.guidance} {may_ship(zone)}{notify}."


def may_ship(zone: Zone) -> str:
    """``May ship bugfix, security, with engineering manager approval``: what and who approves, always together."""
    allowed = ", ".join(zone.allowed_changes) or "nothing"
    approval = f", with {zone.approval}" if zone.approval else ", with no approval needed"
    return f"May ship {allowed}{approval}"
