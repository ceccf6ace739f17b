"""The quarter's verdict per SLO, following the SRE Workbook's decision matrix as far as our
data reaches: pure, monthly rows in, a frozen review out.

Our data has SLO met/missed and budget use; it has neither user happiness nor toil, and every
recommendation says so.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from ..archive import SloMonth
from ..compute.gaps import partial
from ..errors import ReportError
from ..format import objective as fmt_objective
from ..format import share
from ..format import sli as fmt_sli
from ..format import used as fmt_used
from ..policy import TIGHTEN_BELOW_CONSUMED, looser_objective, tighter_objective
from ..window import Month

LOOSEN_AFTER_MISSED_MONTHS = 2
INCIDENT_DRIVEN_SHARE = 0.5
"""When incidents account for at least this share of the budget spent in the missed months, the
shortfall is 'a few large incidents' rather than 'steady'."""
MISSING_INPUTS = "User happiness and toil are not in this data; check both before acting."


class ReviewError(ReportError):
    """The quarter cannot be reviewed yet (a month has not ended)."""


_QUARTER_RE = re.compile(r"^(\d{4})-Q([1-4])$")


@dataclass(frozen=True, order=True)
class Quarter:
    year: int
    number: int

    @classmethod
    def parse(cls, text: str) -> Quarter:
        match = _QUARTER_RE.match(text.strip().upper())
        if not match:
            raise ValueError(f"{text!r} is not a quarter; write YYYY-QN, e.g. 2026-Q4")
        return cls(int(match[1]), int(match[2]))

    @classmethod
    def containing(cls, month: Month) -> Quarter:
        return cls(month.year, (month.month - 1) // 3 + 1)

    def __str__(self) -> str:
        return f"{self.year}-Q{self.number}"

    @property
    def months(self) -> tuple[Month, Month, Month]:
        first = 3 * (self.number - 1) + 1
        return Month(self.year, first), Month(self.year, first + 1), Month(self.year, first + 2)


@dataclass(frozen=True)
class SloQuarter:
    service: str
    slo: str
    months: tuple[SloMonth | None, ...]
    """One per month of the quarter; None where the SLO was not in that month's report."""
    good_events: int
    total_events: int
    """Over the months that are not partial, like every figure of the verdict."""
    sli: float | None
    """Σgood / Σtotal over those months' events, never an average of the months."""
    objectives: tuple[float, ...]
    """The distinct objectives of the quarter's months, in order: more than one means it changed."""
    met_months: int
    """Whole months met (partial months are not counted)."""
    missed_months: int
    whole_months: int
    """Months with data for which the time without data fit in the budget: verdicts count these only."""
    partial_months: tuple[Month, ...]
    """Months with data whose time without data exceeded their error budget (``YYYY-MM``)."""
    budget_used: float | None
    """Σbad / Σallowed bad over the whole months: the pooled figure, never a mean of months."""
    zone_months: tuple[tuple[str, int], ...]
    postmortems: int
    recommendation: str
    """``tighten``, ``loosen``, ``reliability``, ``keep`` or ``no data``."""
    reason: str
    suggested_objective: float | None
    dependency_ceiling: float | None
    """Product of the declared dependencies' objectives for this SLO name; None without dependencies."""

    @property
    def objective_changed(self) -> bool:
        return len(self.objectives) > 1

    @property
    def objective(self) -> float:
        return self.objectives[-1]

    @property
    def stricter_than_dependencies(self) -> bool:
        return self.dependency_ceiling is not None and self.objective > self.dependency_ceiling


@dataclass(frozen=True)
class QuarterReview:
    title: str
    quarter: str
    months: tuple[str, ...]
    computed_months: tuple[str, ...]
    """Months that had no report.json and were computed from the source for this review."""
    generated_at: datetime
    slos: tuple[SloQuarter, ...]
    source_problems: tuple[str, ...] = ()
    """SLOs the source could not count in the months computed for this review (``YYYY-MM: why``)."""


def review_quarter(
    title: str,
    quarter: Quarter,
    monthly: list[dict[tuple[str, str], SloMonth]],
    computed_months: tuple[str, ...],
    dependencies: dict[str, list[str]],
    generated_at: datetime,
) -> QuarterReview:
    """``monthly``: the quarter's three months of rows (see ``archive.ArchivedReport.slo_rows``), in order.
    ``dependencies``: service → the services it depends on."""
    keys = list(dict.fromkeys(key for month in monthly for key in month))
    latest_objective = {key: month[key].objective for month in monthly for key in month}
    slos = []
    for service, slo in keys:
        rows = tuple(month.get((service, slo)) for month in monthly)
        ceiling = _dependency_ceiling(service, slo, dependencies, latest_objective)
        slos.append(_review_slo(service, slo, rows, ceiling))
    return QuarterReview(
        title, str(quarter), tuple(str(m) for m in quarter.months), computed_months, generated_at, tuple(slos)
    )


def _dependency_ceiling(
    service: str, slo: str, dependencies: dict[str, list[str]], objectives: dict[tuple[str, str], float]
) -> float | None:
    """A service cannot be more available than the product of what its dependencies promise."""
    depends_on = dependencies.get(service, [])
    promised = [objectives[(dep, slo)] for dep in depends_on if (dep, slo) in objectives]
    if not promised:
        return None
    ceiling = 1.0
    for value in promised:
        ceiling *= value
    return ceiling


def is_partial(row: SloMonth) -> bool:
    return row.sli is not None and partial(row.coverage, row.objective)


def _review_slo(service: str, slo: str, rows: tuple[SloMonth | None, ...], ceiling: float | None) -> SloQuarter:
    present = [r for r in rows if r is not None]
    counted = [r for r in present if not is_partial(r)]
    good = sum(r.good_events for r in counted)
    total = sum(r.total_events for r in counted)
    with_data = [r for r in present if r.sli is not None]
    whole = [r for r in with_data if not is_partial(r)]
    partial_months = tuple(r.month for r in with_data if is_partial(r))
    objectives = tuple(dict.fromkeys(r.objective for r in present))
    met = sum(r.status == "met" for r in whole)
    missed = sum(r.status == "missed" for r in whole)
    quarter_sli = good / total if total else None
    allowed = sum((1 - r.objective) * r.total_events for r in whole)
    budget_used = sum(r.total_events - r.good_events for r in whole) / allowed if allowed else None
    kind, reason, suggestion = _recommend(whole, missed, objectives, budget_used, len(rows))
    if partial_months:
        left_out = ", ".join(
            f"{r.month.label()} (data for {share(r.coverage)} of it)" for r in with_data if is_partial(r)
        )
        reason = (
            f"Counted over {len(whole)} whole month{'s' if len(whole) != 1 else ''}; left out as partial: {left_out}. "
            + reason
        )
    if ceiling is not None and objectives[-1] > ceiling:
        reason += (
            f" The objective {fmt_objective(objectives[-1])} is stricter than its dependencies allow "
            f"(their objectives multiply to {fmt_objective(ceiling)})."
        )
    return SloQuarter(
        service=service,
        slo=slo,
        months=rows,
        good_events=good,
        total_events=total,
        sli=quarter_sli,
        objectives=objectives,
        met_months=met,
        missed_months=missed,
        whole_months=len(whole),
        partial_months=partial_months,
        budget_used=budget_used,
        zone_months=tuple(Counter(r.zone for r in present if not is_partial(r)).most_common()),
        postmortems=sum(r.postmortems for r in present),
        recommendation=kind,
        reason=reason,
        suggested_objective=suggestion,
        dependency_ceiling=ceiling,
    )


def _recommend(
    months: list[SloMonth],
    missed: int,
    objectives: tuple[float, ...],
    budget_used: float | None,
    months_in_quarter: int,
) -> tuple[str, str, float | None]:
    """``months``: the whole months with data; verdicts never rest on a partial month."""
    if not months:
        return "no data", "No whole month of the quarter has data for this SLO.", None
    current = objectives[-1]
    counted = len(months)
    changed = (
        f" The objective changed during the quarter ({' → '.join(fmt_objective(o) for o in objectives)});"
        f" months are judged against their own objective."
        if len(objectives) > 1
        else ""
    )
    worst = min(r.sli for r in months if r.sli is not None)  # every month here has data
    used = fmt_used(budget_used)
    if missed >= LOOSEN_AFTER_MISSED_MONTHS:
        missed_rows = [r for r in months if r.status == "missed"]
        spent = sum(r.budget_consumed or 0.0 for r in missed_rows)
        in_incidents = sum(r.incident_share for r in missed_rows)
        if spent and in_incidents / spent >= INCIDENT_DRIVEN_SHARE:
            return (
                "reliability",
                f"Missed {missed} of {counted} months, and incidents used "
                f"{fmt_used(in_incidents / spent)} of the budget spent in those months: a few large incidents, "
                f"not a steady shortfall. Make their postmortem actions the priority before changing the "
                f"objective.{changed} {MISSING_INPUTS}",
                None,
            )
        looser = looser_objective(current, worst)
        target = f"to {fmt_objective(looser)} (every month met it)" if looser else ""
        return (
            "loosen",
            f"Missed {missed} of {counted} months with most of the shortfall outside incidents "
            f"({fmt_used(1 - in_incidents / spent) if spent else 'n/a'} of the budget spent): a steady shortfall. "
            f"If users are content, loosen the objective {target}; if they are not, reliability work comes "
            f"first.{changed} {MISSING_INPUTS}".replace("  ", " "),
            looser,
        )
    all_met = counted == months_in_quarter and missed == 0
    if all_met and budget_used is not None and budget_used < TIGHTEN_BELOW_CONSUMED:
        tighter = tighter_objective(current, worst)
        if tighter is not None:
            return (
                "tighten",
                f"Met all {counted} months using {used} of the quarter's budget; every month would also "
                f"have met {fmt_objective(tighter)} (worst month {fmt_sli(worst, tighter)}). Consider tightening to "
                f"{fmt_objective(tighter)}, or spend the budget on faster releases.{changed} {MISSING_INPUTS}",
                tighter,
            )
        return (
            "keep",
            f"Met all {counted} months using {used} of the quarter's budget, but no stricter step "
            f"would have been met every month (worst month {fmt_sli(worst, current)}): keep the objective, or spend "
            f"the budget on faster releases.{changed} {MISSING_INPUTS}",
            None,
        )
    return (
        "keep",
        f"Met {counted - missed} of {counted} months, {used} of the quarter's budget used: keep the objective."
        f"{changed} {MISSING_INPUTS}",
        None,
    )
