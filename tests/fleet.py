"""A generated fleet for the index: N services across teams, made from the example month's computed
results (renamed and varied), so a 200-service index renders in a second without computing 200 SLOs.

Also a script: ``python tests/fleet.py OUT_DIR [N]`` writes OUT_DIR/index.html for a look.
"""

from __future__ import annotations

import dataclasses
import random
import sys
from pathlib import Path

from reports.compute.results import Budget, SloResult
from reports.policy import ServiceAssessment, SloAssessment, zone_for
from reports.report import MonthReport

TEAMS = (
    "payments", "search", "identity", "ml-serving", "ml-data", "storage", "edge", "mobile-api",
    "notifications", "billing", "analytics", "platform",
)  # fmt: skip


def _varied(result: SloResult, service: str, consumed: float, gap: bool) -> SloResult:
    """The example's result under another service name with ``consumed`` of its budget used; its
    incidents kept only when much budget was used, its data gaps only when ``gap``."""
    sli = 1 - consumed * (1 - result.objective)
    if consumed < 0.5:
        result = dataclasses.replace(result, incidents=())
    if not gap:
        result = dataclasses.replace(
            result, no_data_spans=(), downtime=dataclasses.replace(result.downtime, no_data_minutes=0.0)
        )
    budget = dataclasses.replace(result.budget, consumed=consumed, remaining=1 - consumed)
    return dataclasses.replace(
        result,
        service=service,
        sli=sli,
        margin=sli - result.objective,
        status="met" if sli >= result.objective else "missed",
        budget=Budget(budget.allowed_bad_events, budget.bad_events, budget.consumed, budget.remaining),
    )


def fleet_report(example: MonthReport, services: int = 200, seed: int = 12) -> MonthReport:
    """``services`` services, each owned by one of ``TEAMS``; most green, a few in every other zone."""
    rng = random.Random(seed)
    pool = [s for service in example.services for s in service.slos if s.result.has_data]
    fleet = []
    for index in range(services):
        name = f"svc-{index + 1:03d}"
        team = TEAMS[index % len(TEAMS)]
        slos = []
        for base in rng.sample(pool, k=rng.choice((1, 2, 2, 3))):
            roll = rng.random()
            consumed = (
                rng.uniform(0.0, 0.24)
                if roll < 0.8
                else rng.uniform(0.25, 0.74)
                if roll < 0.92
                else rng.uniform(0.76, 0.99)
                if roll < 0.97
                else rng.uniform(1.05, 3.0)
            )
            result = _varied(base.result, name, consumed, gap=rng.random() < 0.03)
            zone = zone_for(result.budget.remaining, example.zones)
            slos.append(SloAssessment(result, zone, ()))
        names = [s.result.slo for s in slos]
        slos = [s for i, s in enumerate(slos) if s.result.slo not in names[:i]]  # one SLO per name
        worst = max((s.zone for s in slos), key=lambda z: z.rank)
        fleet.append(ServiceAssessment(name, f"generated service {index + 1}", team, (), tuple(slos), worst))
    return dataclasses.replace(example, services=tuple(fleet))


if __name__ == "__main__":
    from datetime import UTC, datetime

    from reports.config import load_config
    from reports.pipeline import build_month
    from reports.render import render_index_html
    from reports.sources import source_for
    from reports.window import Month

    out = Path(sys.argv[1])
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 200
    config, _ = load_config(Path(__file__).resolve().parent.parent / "examples/ml-platform/slo-report.yaml")
    example = build_month(config, source_for(config), Month(2026, 10), datetime(2026, 11, 1, 6, tzinfo=UTC))
    out.mkdir(parents=True, exist_ok=True)
    (out / "index.html").write_text(render_index_html(fleet_report(example, count)), encoding="utf-8")
    print(out / "index.html")
