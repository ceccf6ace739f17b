"""Per-customer SLIs, SLA credits at and just below every schedule bound, maintenance exclusions."""

from datetime import UTC, date, datetime, timedelta

import numpy as np
import pandas as pd
import pytest

from reports.compute import MaintenanceWindow
from reports.compute.customers import CustomerPlan, Tier, credit_for, customer_results, exclude_maintenance
from tests.conftest import events, step_counts_of

UTC = UTC
ENTERPRISE = Tier("enterprise", 0.9995, 0.999, ((0.999, 10), (0.99, 25), (0.95, 100)))
PROFESSIONAL = Tier("professional", 0.999, 0.995, ((0.995, 10), (0.99, 25)))
FREE = Tier("free", 0.99, None, ())
TIERS = {t.name: t for t in (ENTERPRISE, PROFESSIONAL, FREE)}


@pytest.mark.parametrize(
    "good, expected",
    [
        (1000, 0),
        (999, 0),  # exactly at 99.9%: not below the bound, no credit
        (998, 10),
        (990, 10),  # 99.8%, and exactly 99%: 10
        (989, 25),
        (950, 25),  # just below 99%, and exactly 95%: 25
        (949, 100),
        (0, 100),  # just below 95%: 100
    ],
)
def test_enterprise_credit_schedule_bounds(good, expected):
    assert credit_for(good / 1000, ENTERPRISE.credits) == expected


def test_largest_applicable_credit_wins_whatever_the_order():
    assert credit_for(0.985, ((0.95, 100), (0.999, 10), (0.99, 25))) == 25


OCTOBER = (datetime(2026, 10, 1, tzinfo=UTC), datetime(2026, 11, 1, tzinfo=UTC))
STEP = timedelta(minutes=5)


def customer_rows(counts: dict[str, tuple[int, int]]):
    """One step per customer, on October's grid (no look-back, no maintenance)."""
    frame = pd.concat([events([("2026-10-05T00:00:00Z", g, t)], customer=c) for c, (g, t) in counts.items()])
    return step_counts_of(frame, *OCTOBER, STEP)


def results_of(counts, plan):
    return customer_results(counts, 0, np.zeros(len(counts.total), dtype=bool), plan)


def test_tenant_outage_breaches_one_sla_while_the_others_are_fine():
    rows = customer_rows({"acme": (9_850, 10_000), "globex": (99_990, 100_000), "hooli": (500, 500)})
    results = results_of(
        rows, CustomerPlan(TIERS, {"acme": "enterprise", "globex": "professional", "initech": "enterprise"}, "free")
    )
    acme, globex, hooli, initech = results.customers
    assert (acme.customer, acme.sli, acme.objective_met, acme.sla_met, acme.credit_percent) == (
        "acme",
        0.985,
        False,
        False,
        25,
    )
    assert acme.budget_consumed == pytest.approx(0.015 / 0.0005)
    assert (globex.status, globex.sla_met, globex.credit_percent) == ("met", True, 0)
    assert (hooli.tier, hooli.assigned, hooli.sla, hooli.credit_percent) == ("free", False, None, None)
    assert (initech.status, initech.total_events, initech.sla_met, initech.credit_percent) == ("no data", 0, None, None)
    assert results.unassigned == ("hooli",) and results.without_traffic == ("initech",)
    enterprise, professional, free = results.tiers
    assert (
        enterprise.customers,
        enterprise.met_objective,
        enterprise.missed_objective,
        enterprise.no_data,
        enterprise.breached_sla,
        enterprise.credits,
    ) == (2, 0, 1, 1, 1, (("acme", 25),))
    assert (professional.customers, professional.met_objective, professional.breached_sla) == (1, 1, 0)
    assert (free.customers, free.met_objective) == (1, 1)


def test_rows_without_a_customer_are_not_a_customer():
    results = results_of(customer_rows({"": (5, 10)}), CustomerPlan(TIERS, {}, "free"))
    assert results.customers == () and results.unassigned == ()


def test_maintenance_straddling_the_month_start_is_clipped_and_its_events_excluded():
    rows = events(
        [
            ("2026-09-30T23:55:00Z", 0, 100),
            ("2026-10-01T00:00:00Z", 0, 100),
            ("2026-10-01T00:55:00Z", 10, 100),
            ("2026-10-01T01:00:00Z", 100, 100),
        ]
    )
    start, end = datetime(2026, 10, 1, tzinfo=UTC), datetime(2026, 11, 1, tzinfo=UTC)
    counts = step_counts_of(rows, start - timedelta(hours=1), end, STEP)
    kept, excluded, [exclusion] = exclude_maintenance(
        counts,
        [
            MaintenanceWindow(
                datetime(2026, 9, 30, 23, tzinfo=UTC),
                datetime(2026, 10, 1, 1, tzinfo=UTC),
                "db upgrade",
                date(2026, 9, 25),
            )
        ],
        start,
        end,
    )
    assert np.flatnonzero(~np.isnan(kept.total)).tolist() == [24]  # 01:00, the first step after the window
    assert np.flatnonzero(excluded).tolist() == list(range(24))  # 23:00 to 00:55, the look-back's hour too
    assert (exclusion.start, exclusion.end) == (start, datetime(2026, 10, 1, 1, tzinfo=UTC))
    assert (exclusion.excluded_good, exclusion.excluded_total) == (10, 200)  # in-window events only
    assert exclusion.reason == "db upgrade" and exclusion.announced == date(2026, 9, 25)


def test_maintenance_outside_the_window_excludes_nothing_inside_it():
    counts = step_counts_of(events([("2026-10-02T00:00:00Z", 1, 1)]), *OCTOBER, STEP)
    kept, excluded, exclusions = exclude_maintenance(
        counts,
        [MaintenanceWindow(datetime(2026, 11, 3, tzinfo=UTC), datetime(2026, 11, 4, tzinfo=UTC), "later", None)],
        *OCTOBER,
    )
    assert np.nansum(kept.total) == 1 and not excluded.any() and exclusions == ()
