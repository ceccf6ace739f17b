"""Customer statements that say when, how much and how to claim: a tenant-only outage on that
tenant's statement only, the credit as an amount, the claim terms, display names, and a clear
line (and a credits.csv column) for a customer that fell under the default tier.

Planted October 2026 (UTC, 5-minute steps): acme and globex send 100 requests per step; acme's
own requests all fail on 15 Oct 12:00-12:30 (6 steps, 600 failures); initech (not assigned)
sends 50 requests once. acme: 600 bad of 892,800 → SLI 99.9328% < 99.95%: 25% credit of a
EUR 1,000.10 fee = 250.025 → EUR 250.03 (cents half up). Its outage is 600 / 892,800 of its
traffic × 44,640 minutes = 30 error-equivalent minutes, over the 1-minute floor.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pandas as pd
import pytest

from reports.config import ConfigError
from reports.export import credits_csv
from reports.pipeline import build_month
from reports.render import render_statement_html
from reports.window import Month
from tests.conftest import make_config
from tests.test_incident_notes import Planted
from tests.test_render import text_of

RUN_AT = datetime(2026, 11, 1, 6, tzinfo=UTC)
OUTAGE = datetime(2026, 10, 15, 12, tzinfo=UTC)


def frame(fleet_wide: bool = False) -> pd.DataFrame:
    stamps = pd.date_range(
        datetime(2026, 9, 28, tzinfo=UTC), datetime(2026, 11, 1, tzinfo=UTC), freq="5min", inclusive="left"
    )
    parts = []
    for customer in ("acme", "globex"):
        good = pd.Series(100, index=stamps)
        if customer == "acme" or fleet_wide:
            good[(stamps >= OUTAGE) & (stamps < OUTAGE + timedelta(minutes=30))] = 0
        parts.append(pd.DataFrame({"timestamp": stamps, "customer": customer, "good": good.values, "total": 100}))
    parts.append(
        pd.DataFrame(
            {"timestamp": [datetime(2026, 10, 20, tzinfo=UTC)], "customer": "initech", "good": 50, "total": 50}
        )
    )
    rows = pd.concat(parts, ignore_index=True)
    rows["service"], rows["slo"] = "api", "availability"
    return rows[["timestamp", "service", "slo", "customer", "good", "total"]]


def report(fleet_wide: bool = False, rows: pd.DataFrame | None = None, incidents=(), **customers):
    config = make_config(
        incidents=list(incidents),
        services=[
            {
                "name": "api",
                "display_name": "Payments API",
                "slos": [
                    {"name": "availability", "display_name": "Successful requests", "objective": 0.999, "sla": True}
                ],
            }
        ],
        customers={
            "default_tier": "free",
            "tiers": {
                "enterprise": {"objective": 0.9995, "sla": 0.9995, "credits": {0.9995: 25}, "fee": 1000.10},
                "free": {"objective": 0.99},
            },
            "assignments": {"acme": "enterprise", "globex": "enterprise"},
            "currency": "EUR",
            "claim": "Write to claims@example.com within 30 days.",
            "contact": "SLA desk, sla@example.com",
            **customers,
        },
    )
    return build_month(config, Planted(frame(fleet_wide) if rows is None else rows), Month(2026, 10), RUN_AT)


def statement(month, customer: str) -> str:
    return text_of(render_statement_html(month, customer))


def test_a_tenant_only_outage_is_on_that_tenants_statement_and_no_other():
    month = report()
    [outage] = month.services[0].slos[0].result.customer_outages
    assert (outage.customer, outage.start, outage.end) == ("acme", OUTAGE, OUTAGE + timedelta(minutes=30))
    assert (outage.total_events, outage.good_events, outage.duration_minutes) == (600, 0, 30)
    acme, globex = statement(month, "acme"), statement(month, "globex")
    assert "Payments API · Successful requests 15 Oct 12:00–12:30 UTC 30 min 100.0%" in acme
    assert "15 Oct" not in globex and "None of your service levels had an outage in October 2026." in globex


def test_a_fleet_wide_outage_is_on_every_statement_it_touched():
    month = report(fleet_wide=True)
    assert [o.customer for o in month.services[0].slos[0].result.customer_outages] == ["acme", "globex"]
    for customer in ("acme", "globex"):
        assert "15 Oct 12:00–12:30 UTC 30 min 100.0%" in statement(month, customer)


def test_the_credit_is_an_amount_with_claim_terms_and_display_names():
    acme = statement(report(), "acme")
    assert "Monthly fee EUR 1,000.10" in acme
    assert "25% of the month’s fee (EUR 250.03) for Payments API Successful requests." in acme
    assert "Total credit owed: EUR 250.03. To claim it: Write to claims@example.com within 30 days." in acme
    assert "Questions: SLA desk, sla@example.com." in acme
    assert " api " not in f" {acme} " and "· availability" not in acme  # internal names stay internal
    # a customer's own fee overrides the tier's
    assert "(EUR 500.00)" in statement(report(fees={"acme": 2000}), "acme")


def test_statements_name_no_other_customer():
    month = report(fleet_wide=True)
    for customer, others in (
        ("acme", ("globex", "initech")),
        ("globex", ("acme", "initech")),
        ("initech", ("acme", "globex")),
    ):
        text = statement(month, customer)
        assert customer in text and not any(other in text for other in others)


def test_a_customer_without_an_assignment_is_told_and_the_account_team_sees_it_in_credits_csv():
    month = report()
    initech = statement(month, "initech")
    assert "Plan free (no plan on record: default terms)" in initech
    assert "No plan on record. We found no plan assigned to initech for October 2026" in initech
    assert "contact SLA desk, sla@example.com and we will issue a corrected statement" in initech
    assert "No plan on record" not in statement(month, "acme")
    rows = {line.split(",")[1]: line.split(",")[-1] for line in credits_csv(month).splitlines()[1:]}
    assert rows == {"acme": "assignment", "globex": "assignment", "initech": "default tier: no assignment"}


def test_fees_need_a_currency():
    with pytest.raises(ConfigError, match="fees without a currency"):
        make_config(
            services=[{"name": "api", "slos": [{"name": "availability", "objective": 0.999, "sla": True}]}],
            customers={"default_tier": "t", "tiers": {"t": {"objective": 0.99, "fee": 10}}},
        )


def test_a_customer_name_with_hidden_characters_is_written_out_on_every_document(caplog):
    rows = frame()
    rows["customer"] = rows["customer"].replace("initech", "initech\u202egnp.exe")
    month = report(rows=rows)
    shown = "initech[U+202E]gnp.exe"
    assert shown in {c.customer for c in month.services[0].slos[0].result.customers.customers}
    assert "hidden characters; it is shown as initech[U+202E]gnp.exe" in caplog.text
    html = render_statement_html(month, shown)
    assert shown in text_of(html) and "\u202e" not in html
    assert shown in credits_csv(month) and "\u202e" not in credits_csv(month)


def test_a_budget_correction_is_listed_on_the_statements_whose_figures_it_changed():
    correction = {
        "id": "INC-9",
        "service": "api",
        "slo": "availability",
        "start": "2026-10-15T12:00:00Z",
        "end": "2026-10-15T12:30:00Z",
        "title": "Load test against production",
        "exclude": True,
        "approver": "VP Engineering",
    }
    month = report(incidents=[correction])
    # acme's 600 failures were all in the corrected span: 892,800 - 600 requests remain, all good
    [acme] = [c for c in month.services[0].slos[0].result.customers.customers if c.customer == "acme"]
    assert (acme.total_events, acme.good_events, acme.credit_percent) == (892_200, 892_200, 0)
    text = statement(month, "acme")
    assert "Other periods excluded" in text
    assert "Payments API · Successful requests 15 Oct 12:00–12:30 UTC Load test against production" in text
    assert "listed above, and in the other excluded periods, are not counted" in text
    assert "VP Engineering" not in text  # who approved it is internal
    assert "Other periods excluded" not in statement(report(), "acme")
